"""Prepared evidence on disk: written once, read back by every report of a batch.

:func:`save_evidence` writes the stored narrow table (:attr:`Evidence.core`) as a table of a
DuckDB database file (``core.duckdb``: DuckDB's own compressed columns) and everything else
the :class:`Evidence` holds as plain data — small frames as Parquet, names and counts as JSON
(no pickle: a cache folder must never run code when it is read). :func:`load_evidence`
rebuilds the same :class:`Evidence` and attaches that file read-only when a question first
needs the table (its :attr:`~Evidence.events` view included): a report whose answers are all
kept opens no database and imports no query engine. Nothing is copied into memory when it is
attached, and DuckDB reads the column blocks a question needs (into its buffer pool, within
its memory limit). The file is held open from the read on, so an entry removed from the
cache meanwhile (on a POSIX file system) is still read to the end.
"""

from __future__ import annotations

import dataclasses
import json
import os
import weakref
from pathlib import Path

from jmtools.core.engine import backend_of, default_connection, unique_name
from jmtools.evidence import DatesOnly, Evidence
from jmtools.evidence._rules import TouchpointRule
from jmtools.evidence._store import labelled

__all__ = ["FORMAT", "save_evidence", "load_evidence"]

#: Version of the layout below; part of every cache key.
FORMAT = 8
_CORE = "core.duckdb"
_FRAMES = ("mapping", "unmatched", "coverage", "persona_sizes", "overlaps", "empty", "date_only")


def save_evidence(evidence, folder) -> Path:
    """Write ``evidence`` (prepared on DuckDB) into ``folder``; returns the folder."""
    folder = Path(folder)
    (folder / "frames").mkdir(parents=True, exist_ok=True)
    _write_core(evidence.core, folder / _CORE)
    core_bytes = (folder / _CORE).stat().st_size
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
            "frames": [n for n in _FRAMES if getattr(evidence, n) is not None], "core_bytes": core_bytes}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def load_evidence(folder, journey, *, con=None, source=None):
    """The :class:`Evidence` saved in ``folder``, its table attached to DuckDB (``con`` or the
    default connection) when first used. ``source`` is the event log (an Ibis table with ``_row``, or a
    function returning it, called only when asked) that
    :meth:`~jmtools.evidence.Evidence.with_event_columns` reads the left-out columns from.
    Raises ``ValueError`` (or an I/O error) when the folder is incomplete or not of this
    format."""
    import pandas as pd

    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"evidence cache format {meta.get('format')!r}, expected {FORMAT}")
    held = _open_core(folder / _CORE, meta.get("core_bytes"))
    frames = {n: pd.read_parquet(folder / "frames" / f"{n}.parquet") for n in meta["frames"]}
    rules = [TouchpointRule(*r) for r in meta["rules"]]
    evidence = _Attached(_UNOPENED, meta["stages"], meta["touchpoints"], meta["touchpoint_stage"],
                         frames["mapping"], frames["unmatched"], frames.get("coverage"), meta["personas"],
                         frames.get("persona_sizes"), meta["n_events"], meta["n_customers"], journey,
                         overlaps=frames.get("overlaps"), empty=frames.get("empty"),
                         date_only=frames.get("date_only"),
                         dates_only=DatesOnly(**meta["dates_only"]) if meta.get("dates_only") else None,
                         rules=rules, event_names=meta["event_names"], core=_UNOPENED,
                         event_columns=meta["event_columns"],
                         source=source if meta["event_columns"] else None)
    release = weakref.finalize(evidence, os.close, held)

    def attach():
        path = folder / _CORE
        if not path.is_file():        # the entry was pruned since: the file held open is still there
            path = Path(f"/dev/fd/{held}")
        try:
            core = _attach_core(con or default_connection(), path)
        finally:
            release()
        return core, labelled(core, rules, meta["stages"], meta["columns"], meta["event_names"])
    evidence._attach, evidence._columns = attach, list(meta["columns"])
    return evidence


def _open_core(path: Path, size) -> int:
    """A read-only descriptor of the database file ``path``, held until it is attached, after
    checking that it is the whole file written (``size`` bytes, DuckDB's magic bytes): a
    damaged entry is found when it is read, not by the first question that needs the table."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise ValueError(f"{path.name} is missing") from None
    try:
        head = os.read(fd, 12)
        actual = os.fstat(fd).st_size
        if head[8:12] != b"DUCK" or actual != size:
            raise ValueError(f"{path.name} is not the database written ({actual:,} bytes, expected {size:,})"
                             if head[8:12] == b"DUCK" else f"{path.name} is not a DuckDB database")
    except BaseException:
        os.close(fd)
        raise
    return fd


#: Stands for the table of an :class:`_Attached` evidence that is not attached yet.
_UNOPENED = object()


def _on_first_use(name: str, doc: str) -> property:
    """A property of :class:`_Attached` reading ``name`` from the instance, attaching the table
    first if it is not yet; set as a plain attribute."""
    return property(lambda self: self._open(name), lambda self, value: self.__dict__.__setitem__(name, value),
                    doc=doc)


class _Attached(Evidence):
    """Evidence read from a cache folder whose stored table is attached to DuckDB on first use
    of :attr:`events` or :attr:`core`: a report that finds every answer it needs already kept
    (:attr:`~Evidence.answers`) opens no database and imports no query engine."""

    _attach = None
    _columns = None

    @property
    def columns(self) -> list:
        """The column names of :attr:`events`, known without attaching the table (while it
        is still its projection of :attr:`core`)."""
        if self.__dict__["_events"] is _UNOPENED:
            return list(self._columns)
        return list(self.events.columns)

    def _open(self, name: str):
        value = self.__dict__[name]
        if value is _UNOPENED:
            core, events = self._attach()
            self.__dict__.update(_core=core, _events=events, _core_events=events)
            value = self.__dict__[name]
        return value

    events = _on_first_use("_events", "The prepared event table, attached on first use.")
    core = _on_first_use("_core", "The stored core table, attached on first use.")


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
    alias = unique_name("cache_in")
    con.con.execute(f"ATTACH {_lit(path)} AS {alias} (READ_ONLY)")
    return con.table("core", database=(alias, "main"))
