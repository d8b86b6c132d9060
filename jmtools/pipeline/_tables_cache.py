"""Prepare once, report many — the small tables too: customers, surveys, feedback, orders, tickets.

Every report of a world loads and validates the same non-event tables (a few dozen DuckDB
queries for the types, the rules and the accounting of each) and converts them to pandas. With
an evidence cache folder (:mod:`jmtools.pipeline._cache`), :func:`cached_tables` keeps each
table as the run uses it (the frame of :meth:`~jmtools.sources.LoadedTable.to_pandas`) with the
accounting of its load, so that a later run on unchanged files reads them back instead.

The key is the content of those table files, how each is loaded (the loader options), the
layout below, the jmtools version and the content of its source
(:func:`jmtools.pipeline._cache.code_digest`). An entry is Parquet + JSON only (a cache never
runs code when read) and is kept only when it reads back exactly as loaded (frames and
accounting: same values, types and ``attrs``); otherwise every run loads its own, as without
a cache. Only tables given as :class:`~jmtools.sources.DeferredTable` (not yet read) are
served from an entry; the file itself is still read if a caller asks for the Ibis table.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

import jmtools
from jmtools.pipeline._one_at_a_time import one_at_a_time
from jmtools.pipeline._cache import (accounting_from_json, accounting_json, code_digest, input_digest, read_entry,
                                     write_entry)
from jmtools.pipeline._shared_cache import get_frame, put_frame, same
from jmtools.sources import DeferredTable

__all__ = ["TABLES_FORMAT", "tables_key", "cached_tables"]

#: Version of the layout below; part of every key.
TABLES_FORMAT = 1
_PREFIX = "tables-"


def _kinds(world) -> list[str]:
    """The world's tables that an entry serves: every one but the event log, all deferred."""
    kinds = sorted(k for k in world.tables if k != "events")
    return kinds if all(isinstance(world.tables[k], DeferredTable) for k in kinds) else []


def tables_key(world) -> str | None:
    """The cache key of ``world``'s non-event tables; None when there is nothing to serve (no
    such table, one already loaded, or one that is not a file of the world's folder).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> from jmtools.sources import SPECS
    >>> w = load_world("sample:ecommerce", defer=tuple(SPECS))
    >>> key = tables_key(w)
    >>> len(key), key == tables_key(w), tables_key(load_world("sample:ecommerce"))
    (64, True, None)
    """
    kinds = _kinds(world)
    if not kinds:
        return None
    h = hashlib.sha256()
    h.update(f"jmtools {jmtools.__version__} code {code_digest()} tables {TABLES_FORMAT}".encode("utf-8"))
    return h.hexdigest() if input_digest(world, kinds, h) else None


def cached_tables(cache_dir, world) -> str:
    """Give ``world``'s deferred non-event tables their frames and accounting from ``cache_dir``
    when the key matches; else load them and keep them there (when they read back exactly).

    Returns ``"hit"``, ``"miss"`` or ``"off"`` (no folder, or nothing to serve: see
    :func:`tables_key`). The tables are changed in place (:meth:`DeferredTable.know`).
    """
    key = tables_key(world) if cache_dir else None
    if key is None:
        return "off"
    entry = Path(cache_dir) / f"{_PREFIX}{key}"
    read = lambda: read_entry(entry, lambda folder: _know(world, _read(folder)),  # noqa: E731
                              "cached tables", "they are loaded again")
    with one_at_a_time(entry, read) as kept:       # another process loading them is waited for
        if kept:
            return "hit"
        loaded = {k: (world.tables[k].to_pandas(), world.tables[k].accounting) for k in _kinds(world)}
        _write(entry, loaded)
    for kind, (frame, accounting) in loaded.items():   # the run's own copies: not converted again
        world.tables[kind].know(accounting, frame)
    return "miss"


def _know(world, read: dict) -> bool:
    """Give the world's deferred tables the frames and accounting read from an entry."""
    for kind, (frame, accounting) in read.items():
        world.tables[kind].know(accounting, frame)
    return True


# ----------------------------------------------------------------------------- on disk

def _save(folder: Path, loaded: dict) -> None:
    meta = {"format": TABLES_FORMAT, "tables": {}}
    for kind, (frame, accounting) in loaded.items():
        meta["tables"][kind] = {"frame": put_frame(frame, folder / f"{kind}.parquet"),
                                "accounting": accounting_json(accounting)}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _read(folder: Path) -> dict:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != TABLES_FORMAT:
        raise ValueError(f"cached tables format {meta.get('format')!r}, expected {TABLES_FORMAT}")
    return {kind: (get_frame(folder, t["frame"]), accounting_from_json(t["accounting"]))
            for kind, t in meta["tables"].items()}


def _same_load(a: tuple, b: tuple) -> bool:
    """The same frame and the same accounting (counts, notes, and the reasons frame exactly)."""
    (fa, aa), (fb, ab) = a, b
    counts = ("source", "kind", "rows_read", "rows_used", "rows_rejected", "rows_skipped", "notes")
    return same(fa, fb) and all(getattr(aa, c) == getattr(ab, c) for c in counts) and \
        all(same(pd.DataFrame(getattr(aa, f)), pd.DataFrame(getattr(ab, f))) for f in ("reasons", "skipped"))


def _write(entry: Path, loaded: dict) -> None:
    """Write atomically, and only an entry that reads back as exactly what was loaded
    (:func:`~jmtools.pipeline._cache.write_entry`)."""
    def exact(folder):
        back = _read(folder)
        return list(back) == list(loaded) and all(_same_load(loaded[k], back[k]) for k in loaded)

    write_entry(entry, lambda folder: _save(folder, loaded), exact)
