"""Funnel answers kept beside the cached evidence: a second report does not query them again.

The funnel chain (customers reaching each step and the time between steps, per group) and the
customer count of each group are computed once per evidence and kept in
:attr:`jmtools.evidence.Evidence.answers` (decision D21), but only for the life of the process:
every report's kernel ran both queries again (about half a CPU-second on the sample world:
compiling the Ibis expressions and running them on DuckDB). With an evidence cache folder, the
evidence read from (or written to) the entry ``<key>`` is given :class:`KeptAnswers`, which
keeps each answer as Parquet in the entry ``answers-<key>`` beside it: the same key, so
whatever changes the evidence (input files, the journey's mapping, the segment, jmtools'
version or code) changes where answers are read. An answer is kept only when it reads back
exactly (``assert_frame_equal(check_exact=True)``, dtypes included); else each run computes
its own, quietly, as the other caches do (:func:`jmtools.pipeline._cache.write_entry`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from jmtools.pipeline._cache import read_entry, write_entry

__all__ = ["PREFIX", "KeptAnswers", "kept_answers"]

#: Name of the entry beside the evidence entry ``<key>``, before the key.
PREFIX = "answers-"


class KeptAnswers(dict):
    """:attr:`Evidence.answers <jmtools.evidence.Evidence.answers>` that also reads and keeps
    each funnel answer (a key ``("chain", …)`` or ``("groups", …)``) and each focus's customers
    per touchpoint (``("touchpoints", focus)``, the map's) in the folder ``entry``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> entry = Path(tempfile.mkdtemp()) / "answers-x"
    >>> kept = KeptAnswers(entry)
    >>> kept[("groups", ("persona",))] = pd.DataFrame({"persona": ["A"], "n_customers": [3]})
    >>> again = KeptAnswers(entry)                       # another process, the same evidence
    >>> ("groups", ("persona",)) in again, again[("groups", ("persona",))]["n_customers"].tolist()
    (True, [3])
    """

    def __init__(self, entry: Path):
        super().__init__()
        self.entry = Path(entry)

    def __contains__(self, key) -> bool:
        return super().__contains__(key) or self._read(key) is not None

    def __getitem__(self, key):
        if not super().__contains__(key):
            found = self._read(key)
            if found is None:
                raise KeyError(key)
            super().__setitem__(key, found)
        return super().__getitem__(key)

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        if _kept_kind(key):
            self._keep(key, value)

    def _folder(self, key) -> Path:
        name = hashlib.sha256(json.dumps(key).encode("utf-8")).hexdigest()
        return self.entry / name

    def _read(self, key):
        if not _kept_kind(key):
            return None
        import pandas as pd

        found = read_entry(self._folder(key), lambda f: pd.read_parquet(f / "answer.parquet"),
                           "kept funnel answer", "it is computed again")
        if found is not None:
            super().__setitem__(key, found)
        return found

    def _keep(self, key, frame) -> None:
        import pandas as pd

        def save(folder):
            frame.to_parquet(folder / "answer.parquet", index=False)
            (folder / "meta.json").write_text(json.dumps({"key": key}), encoding="utf-8")

        def exact(folder):
            back = pd.read_parquet(folder / "answer.parquet")
            try:
                pd.testing.assert_frame_equal(back, frame.reset_index(drop=True), check_exact=True)
            except AssertionError:
                return False
            return frame.index.equals(pd.RangeIndex(len(frame))) and back.attrs == frame.attrs

        write_entry(self._folder(key), save, exact, pruned=False)   # all of them: a batch asks for many


#: The kinds of :attr:`Evidence.answers` kept on disk (:func:`jmtools.core.engine.kept_answer`'s keys):
#: the funnel chain, group sizes, each focus's customers per touchpoint (the map's), company-contact
#: counts (D149), customers at later-round touchpoints and each persona's customers (repeat rounds),
#: events repeating the previous one (D162), the steps customers skip (D161), stages met late (D173), the
#: customers at a quiet pain point's place (D177), the customers still open at the data's end (D190), where
#: the lost were last seen (D203), what the customers who leave met before leaving (D211), where an optional
#: stage's customers were in the funnel (D216) and each customer's times at a repeating touchpoint (D219).
KINDS = ("chain", "groups", "touchpoints", "contacts", "reached", "customers", "repeats", "skips", "order", "places",
         "open", "last_seen", "before_leaving", "optional", "rounds")


def _kept_kind(key) -> bool:
    return isinstance(key, tuple) and bool(key) and key[0] in KINDS


def kept_answers(evidence_entry: Path) -> KeptAnswers:
    """The kept answers of the evidence cached in ``evidence_entry`` (a folder named by its key)."""
    evidence_entry = Path(evidence_entry)
    return KeptAnswers(evidence_entry.parent / (PREFIX + evidence_entry.name))
