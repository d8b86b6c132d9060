"""Prepared evidence on disk: written once, read back by every report of a batch.

:func:`save_evidence` writes the stored narrow table (:attr:`Evidence.core`) as a table of a
DuckDB database file (``core.duckdb``: DuckDB's own compressed columns) and everything else
the :class:`Evidence` holds as plain data — small frames as Parquet, names and counts as JSON
(no pickle: a cache folder must never run code when it is read). :func:`load_evidence`
attaches that file read-only and rebuilds the same :class:`Evidence`, its
:attr:`~Evidence.events` view included: nothing is copied into memory when it is opened, and
DuckDB reads the column blocks a question needs (into its buffer pool, within its memory
limit). The attached file stays open, so an entry removed from the cache meanwhile (on a
POSIX file system) is still read to the end.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from jmtools.core.engine import backend_of, default_connection, unique_name
from jmtools.evidence import DatesOnly, Evidence
from jmtools.evidence._rules import TouchpointRule
from jmtools.evidence._store import labelled

__all__ = ["FORMAT", "save_evidence", "load_evidence"]

#: Version of the layout below; part of every cache key.
FORMAT = 6
_CORE = "core.duckdb"
_FRAMES = ("mapping", "unmatched", "coverage", "persona_sizes", "overlaps", "empty", "date_only")


def save_evidence(evidence, folder) -> Path:
    """Write ``evidence`` (prepared on DuckDB) into ``folder``; returns the folder."""
    folder = Path(folder)
    (folder / "frames").mkdir(parents=True, exist_ok=True)
    _write_core(evidence.core, folder / _CORE)
    for name in _FRAMES:
        frame = getattr(evidence, name)
        if frame is not None:
            frame.to_parquet(folder / "frames" / f"{name}.parquet", index=False)
    meta = {"format": FORMAT, "stages": list(evidence.stages), "touchpoints": list(evidence.touchpoints),
            "touchpoint_stage": dict(evidence.touchpoint_stage), "personas": list(evidence.personas),
            "n_events": int(evidence.n_events), "n_customers": int(evidence.n_customers),
            "columns": list(evidence.events.columns), "event_names": list(evidence.event_names),
            "event_columns": list(evidence.event_columns),
            "rules": [[r.name, r.stage, r.regex, r.occurrence, r.after, r.initiated_by]
                      for r in evidence.rules],
            "dates_only": dataclasses.asdict(evidence.dates_only) if evidence.dates_only else None,
            "frames": [n for n in _FRAMES if getattr(evidence, n) is not None]}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def load_evidence(folder, journey, *, con=None, source=None):
    """The :class:`Evidence` saved in ``folder``, its table loaded into DuckDB (``con`` or the
    default connection). ``source`` is the event log (an Ibis table with ``_row``, or a
    function returning it, called only when asked) that
    :meth:`~jmtools.evidence.Evidence.with_event_columns` reads the left-out columns from.
    Raises ``ValueError`` (or an I/O error) when the folder is incomplete or not of this
    format."""
    import pandas as pd

    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"evidence cache format {meta.get('format')!r}, expected {FORMAT}")
    frames = {n: pd.read_parquet(folder / "frames" / f"{n}.parquet") for n in meta["frames"]}
    con = con or default_connection()
    core = _attach_core(con, folder / _CORE)
    rules = [TouchpointRule(*r) for r in meta["rules"]]
    events = labelled(core, rules, meta["stages"], meta["columns"], meta["event_names"])
    return Evidence(events, meta["stages"], meta["touchpoints"], meta["touchpoint_stage"],
                    frames["mapping"], frames["unmatched"], frames.get("coverage"), meta["personas"],
                    frames.get("persona_sizes"), meta["n_events"], meta["n_customers"], journey,
                    overlaps=frames.get("overlaps"), empty=frames.get("empty"),
                    date_only=frames.get("date_only"),
                    dates_only=DatesOnly(**meta["dates_only"]) if meta.get("dates_only") else None, rules=rules, event_names=meta["event_names"],
                    core=core, event_columns=meta["event_columns"],
                    source=source if meta["event_columns"] else None)._link_core()


def _lit(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _write_core(core, path: Path) -> None:
    """``core`` (an Ibis table on DuckDB) as table ``core`` of a new DuckDB file ``path``."""
    backend = backend_of(core)
    raw, alias = backend.con, unique_name("cache_out")
    view = unique_name("cache_core")
    backend.create_view(view, core, overwrite=True)
    raw.execute(f"ATTACH {_lit(path)} AS {alias}")
    try:
        raw.execute(f'CREATE TABLE {alias}.core AS SELECT * FROM "{view}"')
    finally:
        raw.execute(f"DETACH {alias}")
        backend.drop_view(view, force=True)


def _attach_core(con, path: Path):
    """Table ``core`` of the DuckDB file ``path``, attached read-only to ``con``."""
    if not path.is_file():
        raise ValueError(f"{path.name} is missing")
    alias = unique_name("cache_in")
    con.con.execute(f"ATTACH {_lit(path)} AS {alias} (READ_ONLY)")
    return con.table("core", database=(alias, "main"))
