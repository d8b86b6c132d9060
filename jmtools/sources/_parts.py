"""A table in parts: a folder of part files named after the table (``events/``, Hive/Spark style,
with ``key=value/`` partition folders) and several files or folders read as one table (``parts:``
in ``loading.yaml``; D259).

Parquet parts of one folder are read together by DuckDB (their columns must agree file by file;
partition folders become columns as DuckDB's ``hive_partitioning`` reads them). Every other part
(a CSV, JSON-lines or Excel part file, a file or folder listed under ``parts``) is loaded on its
own by the loader of its format, with its own line numbers (or rows of its sheet) and its
partition folders as columns typed as for Parquet (D264), and the loaded parts are stacked: their
columns must agree after loading (names and types), or the load stops naming both parts and the
column.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path

from jmtools.core.engine import default_connection, unique_name
from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.sources._accounting import Accounting, LoadedTable, REASON_COLUMNS
from jmtools.sources._loading_file import LOADING_FILE, loading_line
from jmtools.sources._part_files import PARQUET_PARTS, folder_parts, partition_values
from jmtools.sources._spec import SPECS

__all__ = ["stack_parts", "part_label", "part_name", "table_parts", "table_folder", "with_parts", "listed_parts",
           "load_listed", "load_in_parts", "chosen", "empty_table_folders", "not_read_note", "source_paths"]

def part_label(path: Path) -> str:
    """How a part is named in notes: ``events/`` for a folder, the file name otherwise."""
    return f"{path.name}/" if path.is_dir() else path.name


def stack_parts(loaded: list, labels: list, kind: str, con, source: str | None = None):
    """One :class:`~jmtools.sources._accounting.LoadedTable` from loaded parts, in their order.

    The parts' columns (after loading: canonical names, types) must agree; ``_row`` runs on
    across parts; the accounting adds up the parts' rows, each reason and note naming its part;
    ``source`` names the table in the accounting (default: the parts joined by ``+``);
    a row of a later part that repeats a row of an earlier one exactly is counted in a note
    (events; kept, as a row exported twice in one file), a later row whose id an earlier part
    already has is a rejected duplicate (tables with an id).
    """
    import pandas as pd

    spec = SPECS[kind]
    dated = next((c for t in loaded for c in t.table.columns if c == "_dated"), None)
    schemas = [{c: t for c, t in p.table.schema().items() if c not in ("_row", "_dated")} for p in loaded]
    for i in range(1, len(loaded)):
        _same_columns(schemas[0], schemas[i], labels[0], labels[i])
    raw = con.con
    name, selects, offset = unique_name(kind), [], 0
    cols = list(schemas[0])
    for part, label in zip(loaded, labels):
        sql = con.compile(part.table)
        extra = ([f'"_row" + {offset} AS "_row"'] if "_row" in part.table.columns else []) + (
            [] if dated is None else ['"_dated"' if "_dated" in part.table.columns else 'FALSE AS "_dated"'])
        selects.append(f"SELECT {', '.join([_q(c) for c in cols] + extra)}, {len(selects)} AS __jm_part "
                       f"FROM ({sql})")
        offset += part.accounting.rows_of_file
    raw.execute(f"CREATE TEMP TABLE {_q(name)} AS " + " UNION ALL ".join(
        f"SELECT * FROM ({s})" for s in selects))
    notes = [f"read as one table from {len(loaded)} part{'s' if len(loaded) != 1 else ''}: " + ", ".join(
        f"{lb} ({p.accounting.rows_read:,} row{'s' if p.accounting.rows_read != 1 else ''})" for p, lb in zip(loaded, labels))]
    seen = set()
    for p, lb in zip(loaded, labels):
        for n in p.accounting.notes:
            if n not in seen:
                seen.add(n)
                notes.append(f"{lb}: {n}")
    reasons = [pd.DataFrame([{**r._asdict(), "reason": f"{r.reason} ({lb})"}
                             for r in p.accounting.reasons.itertuples(index=False)], columns=REASON_COLUMNS)
               for p, lb in zip(loaded, labels)]
    skipped = [p.accounting.skipped.assign(reason=p.accounting.skipped["reason"] + f" ({lb})")
               for p, lb in zip(loaded, labels) if len(p.accounting.skipped)]
    crossed = _across_parts(raw, name, spec, cols, labels)
    if crossed is not None:
        reasons.append(crossed)
    reasons = pd.concat([r for r in reasons if len(r)], ignore_index=True) if any(len(r) for r in reasons) \
        else pd.DataFrame(columns=REASON_COLUMNS)
    if spec.unique is None:
        notes.extend(_copies(raw, name, cols, labels))
    read = sum(p.accounting.rows_read for p in loaded)
    skip = sum(p.accounting.rows_skipped for p in loaded)
    rejected = int(reasons["n"].sum()) if len(reasons) else 0
    accounting = Accounting(source or " + ".join(labels), kind, rows_read=read, rows_used=read - rejected - skip,
                            rows_rejected=rejected, reasons=reasons, notes=notes, rows_skipped=skip,
                            skipped=pd.concat(skipped, ignore_index=True) if skipped else None)
    keep = cols + (["_row"] if "_row" in loaded[0].table.columns else []) + ([dated] if dated else [])
    return LoadedTable(kind, con.table(name).select(*keep), accounting)


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _same_columns(first: dict, other: dict, a: str, b: str) -> None:
    """Stop, naming both parts and the column, when two parts' loaded columns differ."""
    problems = []
    for col in list(first) + [c for c in other if c not in first]:
        if col not in other or col not in first:
            has, lacks = (a, b) if col in first else (b, a)
            problems.append(Problem(f"column {col!r} is in {has} but not in {lacks}: the parts of one table "
                                    "need the same columns", source=b, column=col,
                                    fix=f"name the column of {lacks} under its part's columns: (parts: in "
                                        "loading.yaml), or keep only the columns all parts have (optional: […])"))
        elif first[col] != other[col]:
            problems.append(Problem(f"column {col!r} is {first[col]} in {a} but {other[col]} in {b}",
                                    source=b, column=col,
                                    fix="give the parts the same column, e.g. the same time_format or columns: "
                                        "under each part in loading.yaml"))
    if problems:
        raise DataError(problems)


def _across_parts(raw, name: str, spec, cols: list, labels: list):
    """A later part's rows whose id an earlier part has: rejected as duplicates (deleted)."""
    import pandas as pd

    if spec.unique is None or spec.unique not in cols:
        return None
    key = [spec.unique, *[c for c in spec.unique_per if c in cols]]
    on = " AND ".join(f"a.{_q(k)} IS NOT DISTINCT FROM b.{_q(k)}" for k in key)
    rows = raw.execute(
        f"SELECT a.__jm_part, count(*), list(a.{_q(spec.unique)})[1:5] FROM {_q(name)} a WHERE EXISTS "
        f"(SELECT 1 FROM {_q(name)} b WHERE {on} AND b.__jm_part < a.__jm_part) GROUP BY 1 ORDER BY 1").fetchall()
    if not rows:
        return None
    raw.execute(f"DELETE FROM {_q(name)} a WHERE EXISTS (SELECT 1 FROM {_q(name)} b WHERE {on} "
                f"AND b.__jm_part < a.__jm_part)")
    return pd.DataFrame([(f"duplicate {spec.unique} (in an earlier part) ({labels[p]})", spec.unique, int(n), [],
                          [str(v) for v in ex], "ids must be unique across the parts of a table; the row of "
                          "the earlier part is kept") for p, n, ex in rows], columns=[
                              "reason", "column", "n", "lines", "examples", "fix"])


def _copies(raw, name: str, cols: list, labels: list) -> list:
    """Notes counting the rows of a later part that repeat a row of an earlier part exactly."""
    same = " AND ".join(f"a.{_q(c)} IS NOT DISTINCT FROM b.{_q(c)}" for c in cols)
    rows = raw.execute(f"SELECT a.__jm_part, count(*) FROM {_q(name)} a WHERE EXISTS (SELECT 1 FROM {_q(name)} b "
                       f"WHERE {same} AND b.__jm_part < a.__jm_part) GROUP BY 1 ORDER BY 1").fetchall()
    return [f"{int(n):,} row{'s' if n != 1 else ''} of {labels[p]} repeat a row of an earlier part exactly "
            "(the same rows in two parts?): kept and counted, as rows exported twice in one file; remove the "
            "overlap from one part if they were not done twice" for p, n in rows]


def table_parts(src) -> list | None:
    """The parts of ``src`` loaded one by one and stacked (D259): each path of a list, or a table's
    folder holding CSV, JSON-lines or Excel part files, under ``key=value`` folders or not (its
    Parquet files, read together, are one part, first; D264); None for one input.

    Examples
    --------
    >>> table_parts("events.csv") is None
    True
    >>> [p.name for p in table_parts(["history/", "events_2026-11.csv"])]
    ['history', 'events_2026-11.csv']
    """
    if isinstance(src, (list, tuple)):
        if not src or not all(isinstance(p, (str, os.PathLike)) for p in src):
            raise ParameterError("src", src, expected="a non-empty list of paths (files or folders of one table)")
        return [Path(p) for p in src]
    if not isinstance(src, (str, os.PathLike)) or not Path(src).is_dir():
        return None
    found = folder_parts(src)
    if not found.each:
        return None
    return ([Path(src)] if found.parquet else []) + found.each


def part_name(part: Path, src) -> str:
    """A part's name in notes: ``events/p1.csv`` inside a folder, ``events/*.parquet`` for its Parquet files."""
    if isinstance(src, (list, tuple)):
        return part_label(part)
    return f"{Path(src).name}/*.parquet" if part == Path(src) else f"{Path(src).name}/{part.relative_to(src)}"


def table_folder(path: Path, kind: str | None = None) -> bool:
    """A folder named for a table (``events/``, ``events.parquet/``) holding part files (D259)."""
    name = path.name.lower()
    named = name in SPECS or (name.endswith((".parquet", ".pq")) and name.rsplit(".", 1)[0] in SPECS)
    if not named or (kind is not None and name.split(".")[0] != kind):
        return False
    try:
        return bool(folder_parts(path).files)
    except DataError:       # partition folders named wrongly: read, and the load says where
        return True


def with_parts(path: Path) -> str:
    """``events/ (22 Parquet files)`` for a table's folder; the file name otherwise."""
    return f"{path.name}/ ({folder_parts(path).words()})" if path.is_dir() else path.name


def listed_parts(folder: Path, kind: str, parts) -> list:
    """``[(path, own options)]`` of the ``parts`` option, each found in ``folder`` (D259)."""
    listed = parts.items() if isinstance(parts, dict) else ((p, None) for p in parts)
    out, problems = [], []
    for name, own in listed:
        path = folder / str(name).rstrip("/")
        if not path.exists():
            near = next(iter(difflib.get_close_matches(str(name), os.listdir(folder), n=1)), None)
            problems.append(Problem(f"parts: {name!r} is not in the data folder {folder.name}", source=str(folder / LOADING_FILE),
                                    line=loading_line(folder, (kind, "parts", name) if isinstance(parts, dict)
                                                      else (kind, "parts")), path="parts",
                                    fix=(f"did you mean {near!r}? " if near else "") + "list the files and folders "
                                        f"of {kind} by their names in the data folder"))
        out.append((path, own or {}))
    if problems:
        raise DataError(problems)
    return out


def load_listed(folder: Path, kind: str, how: dict, load, drop=()):
    """The ``parts`` of a table, each loaded by ``load`` (:func:`jmtools.sources.load_table`) with the
    table's options (but those in ``drop``) and its own, stacked (D259)."""
    base = {k: v for k, v in how.items() if k not in drop and k != "parts"}
    loaded, labels = [], []
    for path, own in listed_parts(folder, kind, how["parts"]):
        merged = {**base, **own, "columns": {**(base.get("columns") or {}), **(own.get("columns") or {})}}
        labels.append(part_label(path))
        loaded.append(load(path, kind, **{**merged, "source_name": merged.get("source_name") or labels[-1]}))
    return loaded[0] if len(loaded) == 1 else stack_parts(loaded, labels, kind, default_connection())


def load_in_parts(src, parts: list, one, kind: str, source_name=None):
    """``parts`` of ``src`` each loaded by ``one(path, name, partition)``, stacked as one table; a
    folder's partition values go to each of its parts, its files that are no part are named."""
    labels = [part_name(p, src) for p in parts]
    found = None if isinstance(src, (list, tuple)) else folder_parts(src)
    values = partition_values(found) if found is not None else {}
    loaded = stack_parts([_part(one, p, lb, values.get(p)) for p, lb in zip(parts, labels)], labels, kind,
                         default_connection(), source=source_name or (None if found is None else part_label(Path(src))))
    loaded.accounting.notes.extend([found.not_read()] if found is not None and found.other else [])
    return loaded


def _part(one, path: Path, label: str, partition):
    """``one(path, label, partition)``; its errors said of the part (``events/p1.xlsx``), not of
    the bare file name (``p1.xlsx``)."""
    try:
        return one(path, label, partition)
    except DataError as err:
        if not any(p.source == path.name for p in err.problems) or label == path.name:
            raise
        raise DataError([dataclasses.replace(p, source=label) if p.source == path.name else p
                         for p in err.problems]) from None


def chosen(folder: Path, files: list, parts) -> tuple:
    """``(path, others, name)`` of a table in a data folder: the newest of its ``files``, or with
    ``parts`` the folder's ``loading.yaml`` (the parts are listed there) and the files not listed."""
    if not parts:
        return files[0], files[1:], part_label(files[0])
    listed = [folder / str(n).rstrip("/") for n in parts]
    return (folder / LOADING_FILE, [f for f in files if f not in listed],
            " + ".join(part_label(p) for p in listed))


def empty_table_folders(folder: Path, names: list) -> list:
    """``events/`` for each folder named for a table that holds no part file (World.unread)."""
    return [f"{n}/" for n in names if not n.startswith((".", "~$", "_")) and (folder / n).is_dir()
            and n.split(".")[0].lower() in SPECS and (n.lower() in SPECS or n.lower().endswith(PARQUET_PARTS))
            and not table_folder(folder / n)]


def not_read_note(kind: str, path: Path, others: list, listed: bool) -> str:
    """The note naming a table's files (and folders) that were not read, and how to read them all."""
    if listed:
        return f"not read (not among the parts in {LOADING_FILE}): " + ", ".join(map(part_label, others))
    return (f"the newest of {len(others) + 1} files for {kind}; not read: "
            + ", ".join(with_parts(p) for p in others) + " (remove or rename the files not meant, or read them "
            f"as one table: parts: [{', '.join(map(part_label, [path, *others]))}] under {kind}: in {LOADING_FILE})")


def source_paths(folder, loaded) -> list:
    """The files and folders the loaded table of a data folder was read from: its ``parts`` in
    ``loading.yaml``, else its file or table's folder (what a report records as its input).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> [p.name for p in source_paths("w", SimpleNamespace(options={"parts": ["events/", "events.csv"]}))]
    ['events', 'events.csv']
    >>> [p.name for p in source_paths("w", SimpleNamespace(options={}, source="events.parquet"))]
    ['events.parquet']
    """
    parts = loaded.options.get("parts") if isinstance(loaded.options, dict) else None
    return [Path(folder) / str(n).rstrip("/") for n in parts] if parts else [Path(folder) / loaded.source]
