"""Prepare once, report many: the prepared evidence of a world, cached on disk.

A batch of reports (one per persona) prepares the same events the same way each time. With a
cache folder — the ``cache_dir=`` of :func:`jmtools.pipeline.prepare_world`, or the
environment variable ``JMTOOLS_EVIDENCE_CACHE`` that :func:`jmtools.report.run_batch` sets for
its workers — the first run writes the prepared evidence there and every later run with the same
inputs reads it back instead of sorting the events again. ``jmtools report`` and ``jmtools batch``
set the variable for the kernels they start (:mod:`jmtools.core.cachedir`), so a second report
on unchanged data reads what the first one computed.

The key is the content (SHA-256) of the event and customer files, how they were loaded, the
journey's mapping (stages, touchpoints with their patterns and conditions, persona rules),
the segment, the cache layout, the jmtools version and the content of jmtools' own source
(:func:`code_digest`: a checkout or an editable install keeps its version number while its code
changes): change any of them and the cache is missed and rewritten. A cache entry that cannot be read is recomputed, with a warning; a
folder keeps, of each kind of entry (evidence, ``tables-``, ``shared-``, ``vega-``), the
:data:`MAX_ENTRIES` written last (:func:`prune`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

import jmtools
from jmtools.core.cachedir import CACHE_ENV, EvidenceCacheWarning
from jmtools.core.engine import is_duckdb
from jmtools.evidence import touchpoint_rules
from jmtools.evidence._disk import FORMAT, load_evidence, save_evidence
from jmtools.pipeline._one_at_a_time import one_at_a_time
from jmtools.sources import Accounting, DeferredTable, table_files
from jmtools.sources._accounting import REASON_COLUMNS
from jmtools.sources._parts import part_label

__all__ = ["CACHE_ENV", "MAX_ENTRIES", "EvidenceCacheWarning", "cache_dir_from_env", "code_digest", "evidence_key",
           "cached_evidence", "input_digest", "accounting_json", "accounting_from_json", "prune", "read_entry",
           "write_entry"]

#: Entries of one kind kept in a cache folder; older ones (by last write) are removed.
MAX_ENTRIES = 8
_INPUT_KINDS = ("events", "customers")


def cache_dir_from_env():
    """The cache folder named by ``JMTOOLS_EVIDENCE_CACHE``, or None."""
    value = os.environ.get(CACHE_ENV, "").strip()
    return Path(value) if value else None


@lru_cache(maxsize=4)
def code_digest(root: Path = Path(jmtools.__file__).parent) -> str:
    """SHA-256 of the ``.py`` files under ``root`` (their paths and bytes), read once per process.

    Part of every cache key: results computed by other code (an older checkout, another branch
    with the same version number) are never read back.

    Examples
    --------
    >>> len(code_digest()), code_digest() == code_digest()
    (64, True)
    """
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _file_digest(path: Path, h) -> None:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:             # a part's key=value folders are values of its rows (D264)
        h.update((f.relative_to(path).as_posix() if path.is_dir() else f.name).encode("utf-8"))
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)


def evidence_key(world, journey, segment: str = "") -> str | None:
    """The cache key of ``world``'s evidence under ``journey``; None when the inputs are not
    files in the world's folder (then nothing is cached).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> w = load_world("sample:ecommerce")
    >>> key = evidence_key(w, w.journey)
    >>> len(key), key == evidence_key(w, w.journey), key == evidence_key(w, w.journey, "age > 30")
    (64, True, False)
    """
    h = hashlib.sha256()
    h.update(f"jmtools {jmtools.__version__} code {code_digest()} cache {FORMAT} segment {segment!r}"
             .encode("utf-8"))
    if not input_digest(world, _INPUT_KINDS, h):
        return None
    h.update(_mapping_text(journey).encode("utf-8"))
    return h.hexdigest()


def input_digest(world, kinds, h) -> bool:
    """Feed the content of ``world``'s table files of ``kinds`` (and how each was loaded: the
    loader options, or for a table loaded by hand the notes of its load) to the hash ``h``;
    False when one is not a file of the world's folder (a frame, a renamed file). A table
    read only when used (:class:`~jmtools.sources.DeferredTable`) is not read for this."""
    folder = Path(getattr(world, "folder", "") or "")
    for kind in kinds:
        loaded = world.tables.get(kind)
        if loaded is None:
            h.update(f"no {kind}".encode("utf-8"))
            continue
        how = loaded.options if loaded.options is not None else list(loaded.accounting.notes)
        parts = how.get("parts") if isinstance(how, dict) else None      # several parts, one table (D259)
        paths = [folder / str(n).rstrip("/") for n in parts] if parts else table_files(folder, kind)[:1]
        if not paths or " + ".join(map(part_label, paths)) != loaded.source:
            return False
        h.update(f"{kind} {json.dumps(how, sort_keys=True, default=str)}".encode("utf-8"))
        for path in paths:
            _file_digest(path, h)
    return True


def _mapping_text(journey) -> str:
    """What of the journey decides the evidence: stages, touchpoint rules, persona rules."""
    stages, rules = touchpoint_rules(journey)
    personas = [p.model_dump(mode="json", include={"name", "rule", "rest", "cluster"})
                for p in journey.personas_resolved()] if journey.personas else []
    return json.dumps({"stages": stages, "rules": [[r.name, r.stage, r.regex, r.occurrence, r.after,
                                                    r.initiated_by] for r in rules],
                       "personas": personas}, sort_keys=True, default=str)


def cached_evidence(cache_dir, world, journey, segment: str, compute, answers=None):
    """Evidence read from ``cache_dir`` when its key matches, else ``compute()`` written there.

    Returns ``(evidence, status)`` with status ``"hit"``, ``"miss"`` or ``"off"`` (no cache:
    no folder, inputs that are not files, or evidence not on DuckDB). ``answers(entry)``, when
    given, makes the :attr:`~jmtools.evidence.Evidence.answers` of evidence read from or
    written to the entry folder ``entry``
    (:func:`jmtools.pipeline._answers_cache.kept_answers`).
    """
    key = evidence_key(world, journey, segment) if cache_dir else None
    if key is None:
        return compute(), "off"
    entry = Path(cache_dir) / key

    def read(folder):
        evidence = load_evidence(folder, journey, source=lambda: world.tables["events"].table)
        _know_accounting(folder, world)
        return evidence

    # another process preparing the same evidence is waited for, and its entry read
    with one_at_a_time(entry, lambda: read_entry(entry, read, "cached evidence", "it is computed again")) as evidence:
        if evidence is not None:
            if answers is not None:
                evidence.answers = answers(entry)
            return evidence, "hit"
        evidence = compute()
        if evidence.core is not None and is_duckdb(evidence.core):
            if _write(entry, evidence, world.tables.get("events")) and answers is not None:
                kept = answers(entry)
                for key, value in evidence.answers.items():   # what preparing it answered already
                    kept[key] = value
                evidence.answers = kept
    return evidence, "miss"


# ----------------------------------------------------------------------------- the load's accounting

def accounting_json(accounting) -> dict:
    """What the load of a table file counted, as plain JSON (reasons row by row)."""
    reasons = [[_plain(v) for v in row] for row in accounting.reasons.itertuples(index=False)]
    skipped = [[_plain(v) for v in row] for row in accounting.skipped.itertuples(index=False)]
    return {"source": accounting.source, "kind": accounting.kind, "rows_read": int(accounting.rows_read),
            "rows_used": int(accounting.rows_used), "rows_rejected": int(accounting.rows_rejected),
            "notes": list(accounting.notes), "reasons": reasons,
            "rows_skipped": int(accounting.rows_skipped), "skipped": skipped}


def _plain(value):
    """A reasons cell as JSON: numbers and text as they are, lists element by element."""
    import numpy as np

    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return None if value is None or (isinstance(value, float) and value != value) else value


def accounting_from_json(a: dict) -> Accounting:
    """The :class:`~jmtools.sources.Accounting` that :func:`accounting_json` wrote."""
    import pandas as pd

    reasons, skipped = (pd.DataFrame([tuple(r) for r in a.get(k, [])], columns=REASON_COLUMNS)
                        for k in ("reasons", "skipped"))
    return Accounting(a["source"], a["kind"], a["rows_read"], a["rows_used"], a["rows_rejected"],
                      reasons=reasons, notes=a["notes"], rows_skipped=a.get("rows_skipped", 0), skipped=skipped)


def _know_accounting(entry: Path, world) -> None:
    """Give a deferred event table the accounting its load had when the entry was written."""
    loaded = world.tables.get("events")
    if not isinstance(loaded, DeferredTable) or loaded.loaded:
        return
    loaded.know(accounting_from_json(json.loads((entry / "accounting.json").read_text(encoding="utf-8"))))


def _write(entry: Path, evidence, events=None) -> bool:
    """Write atomically (:func:`write_entry`); whether it was written. The event table's
    accounting is kept beside the evidence, for reports that do not read it."""
    def save(folder):
        save_evidence(evidence, folder)
        if events is not None:
            (folder / "accounting.json").write_text(json.dumps(accounting_json(events.accounting)),
                                                    encoding="utf-8")

    return write_entry(entry, save)


# ----------------------------------------------------------------------------- entries on disk

def prune(folder: Path) -> None:
    """Keep, of each kind of entry in ``folder``, the :data:`MAX_ENTRIES` written last.

    The kind is the name's prefix up to its first ``-`` (``tables-``, ``shared-``, ``vega-``;
    an evidence entry's name is its key alone). Pruned per kind, a folder serving several worlds
    keeps every world's set: one world leaves three or four entries, so eight of all kinds
    together held the evidence of fewer than three worlds. Folders being written (their name
    starts with ``.``) and files are left alone; an entry another worker removes meanwhile is
    passed over.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for i in range(MAX_ENTRIES + 2):
    ...     for name in (f"{i:064x}", f"tables-{i:064x}"):
    ...         (folder / name).mkdir()
    ...         os.utime(folder / name, (i, i))
    >>> (folder / "vega-1").mkdir()
    >>> prune(folder)
    >>> names = sorted(p.name for p in folder.iterdir())
    >>> len(names), sum(n.startswith("tables-") for n in names), "vega-1" in names, f"{1:064x}" in names
    (17, 8, True, False)
    """
    kinds: dict[str, list] = {}
    for p in folder.iterdir():
        with contextlib.suppress(OSError):         # removed by another worker: nothing to prune
            if p.is_dir() and not p.name.startswith("."):
                kinds.setdefault(p.name.partition("-")[0] if "-" in p.name else "", []).append(
                    (p.stat().st_mtime, p))
    for entries in kinds.values():
        entries.sort(key=lambda e: e[0], reverse=True)
        for _, old in entries[MAX_ENTRIES:]:
            shutil.rmtree(old, ignore_errors=True)


def read_entry(entry: Path, read, what: str, again: str):
    """``read(entry)`` when the entry is there; None when it is not, or when it cannot be read:
    then a warning says so (``the {what} in … cannot be read …; {again} and rewritten``) and the
    entry is removed, to be written again."""
    if not (entry / "meta.json").exists():
        return None
    try:
        return read(entry)
    except Exception as exc:                       # a damaged entry: say so, compute again
        warnings.warn(f"the {what} in {entry} cannot be read ({type(exc).__name__}: {str(exc)[:200]}); "
                      f"{again} and rewritten", EvidenceCacheWarning, stacklevel=4)
        shutil.rmtree(entry, ignore_errors=True)
        return None


def write_entry(entry: Path, save, exact=None, *, pruned: bool = True) -> bool:
    """Write a cache entry atomically: ``save(folder)`` into a fresh folder beside it, renamed into place.

    With ``exact(folder)`` (True when the folder reads back as what was computed), only an
    exact entry is kept, and one that cannot be saved (a value Parquet or JSON cannot hold) is
    left out quietly: each run then computes its own. Another worker's entry already in place
    wins (the rename fails; nothing is lost). After a write the folder is pruned (:func:`prune`),
    unless ``pruned`` is False (a folder of one evidence's answers: it lives and goes with that
    evidence, however many answers it holds). A folder that cannot be written (read-only, full
    disk, a file in its place) is said with an :class:`EvidenceCacheWarning`, and the run goes
    on without the cache. Returns whether the entry was written.

    Examples
    --------
    >>> import tempfile, warnings
    >>> entry = Path(tempfile.mkdtemp()) / "key"
    >>> write_entry(entry, lambda f: (f / "meta.json").write_text("{}")), (entry / "meta.json").exists()
    (True, True)
    >>> write_entry(entry, lambda f: (f / "meta.json").write_text("{}"))   # another worker's is in place
    False
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     write_entry(entry / "meta.json" / "key", lambda f: None)    # a file in the folder's place
    False
    >>> str(seen[0].message).split(" (")[0]
    'the cache folder cannot be written'
    """
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name[:20]}-", dir=entry.parent))
        save(tmp)
        if exact is not None and not exact(tmp):
            raise _NotExact
        os.replace(tmp, entry)
        if pruned:
            prune(entry.parent)
        return True
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if not (entry / "meta.json").exists():     # not lost to another worker's entry: say why
            warnings.warn(f"the cache folder cannot be written ({type(exc).__name__}: {str(exc)[:200]}); "
                          f"this run is not cached in {entry.parent}", EvidenceCacheWarning, stacklevel=4)
        return False
    except Exception:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if exact is None:
            raise
        return False                               # not cacheable exactly: each run computes its own


class _NotExact(Exception):
    """An entry that does not read back as what was computed."""

