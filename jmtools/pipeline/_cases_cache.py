"""Prepare once, report many — per case too: the one row per journey counting per case needs.

With a case column (``loading.yaml``: ``events: {case: claim_no}``, D238), every run groups the
event log once for one row per journey (:func:`jmtools.sources.cases.journeys_of`) to move the
customer table and the answers to their journeys — even when the evidence itself comes from the
cache. With an evidence cache folder (:mod:`jmtools.pipeline._cache`), :func:`cached_journeys`
keeps that frame and the count of events without a case beside the evidence, under the
evidence's own key (the content of the event and customer files, how they were loaded — the
case column among the events' options —, the journey's mapping, the segment, the jmtools code),
so that a second run on unchanged files reads no event (D253). An entry is Parquet + JSON and is
kept only when it reads back exactly as computed.
"""

from __future__ import annotations

import json
from pathlib import Path

from jmtools.pipeline._cache import evidence_key, read_entry, write_entry
from jmtools.pipeline._one_at_a_time import one_at_a_time
from jmtools.pipeline._shared_cache import get_frame, put_frame, same

__all__ = ["CASES_FORMAT", "cached_journeys"]

#: Version of the layout below; part of every entry.
CASES_FORMAT = 1
_PREFIX = "cases-"


def cached_journeys(cache_dir, world, segment: str, compute):
    """``(journeys, no_case)`` read from ``cache_dir`` when the world's evidence key matches,
    else ``compute()`` (which reads the event log) kept there.

    No folder, or inputs that are not files of the world's folder: ``compute()`` alone.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> cached_journeys(None, None, "", lambda: (pd.DataFrame({"customer_id": ["a · K1"]}), 0))[1]
    0
    """
    key = evidence_key(world, world.journey, segment) if cache_dir else None
    if key is None:
        return compute()
    entry = Path(cache_dir) / f"{_PREFIX}{key}"
    read = lambda: read_entry(entry, _read, "cached journeys", "they are counted again")  # noqa: E731
    with one_at_a_time(entry, read) as kept:        # another process counting them is waited for
        if kept is not None:
            return kept
        found = compute()
        write_entry(entry, lambda folder: _save(folder, found),
                    lambda folder: _read(folder)[1] == found[1] and same(_read(folder)[0], found[0]))
    return found


def _save(folder: Path, found) -> None:
    journeys, no_case = found
    meta = {"format": CASES_FORMAT, "no_case": int(no_case),
            "journeys": put_frame(journeys, folder / "journeys.parquet")}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _read(folder: Path):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != CASES_FORMAT:
        raise ValueError(f"cached journeys format {meta.get('format')!r}, expected {CASES_FORMAT}")
    return get_frame(folder, meta["journeys"]), int(meta["no_case"])
