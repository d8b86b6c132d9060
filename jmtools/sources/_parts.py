"""A table in parts: a folder of part files named after the table (``events/``, Hive/Spark style,
with ``key=value/`` partition folders) and several files or folders read as one table (``parts:``
in ``loading.yaml``; D259).

Parquet parts of one folder are read together by DuckDB (their columns must agree file by file;
partition folders become columns as DuckDB's ``hive_partitioning`` reads them). Every other part
(a CSV part file, a file or folder listed under ``parts``) is loaded on its own, with its own
line numbers, and the loaded parts are stacked: their columns must agree after loading (names and
types), or the load stops naming both parts and the column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jmtools.core.errors import DataError, Problem

__all__ = ["PARQUET_PARTS", "CSV_PARTS", "FolderParts", "folder_parts", "stack_parts", "part_label"]

#: Endings of the part files a table's folder may hold (any case).
PARQUET_PARTS, CSV_PARTS = (".parquet", ".pq"), (".csv", ".csv.gz", ".tsv")


@dataclass
class FolderParts:
    """What a table's folder holds: its Parquet and CSV part files (sorted by path), the
    partition keys of its ``key=value`` folders, and the names of files that are no part."""

    folder: Path
    parquet: list = field(default_factory=list)
    csv: list = field(default_factory=list)
    keys: tuple = ()
    other: list = field(default_factory=list)

    @property
    def files(self) -> list:
        return self.parquet + self.csv

    def words(self) -> str:
        """``22 Parquet files`` / ``3 CSV files, 1 Parquet file``."""
        said = [f"{len(f)} {w} file{'s' if len(f) != 1 else ''}" for f, w in
                ((self.parquet, "Parquet"), (self.csv, "CSV")) if f]
        return ", ".join(said) or "no data files"


def _hidden(name: str) -> bool:
    """Spark's and Hive's bookkeeping (``_SUCCESS``, ``_committed_…``, ``.part-0.parquet.crc``)."""
    return name.startswith(("_", ".", "~$"))


def folder_parts(folder) -> FolderParts:
    """The part files of a table's folder, found in it and its ``key=value`` partition folders.

    Files and folders whose names start with ``_`` or ``.`` (Spark's ``_SUCCESS``, checksums) are
    bookkeeping, not parts; any other file that is no Parquet or CSV file is named in
    :attr:`FolderParts.other`.

    Raises
    ------
    jmtools.core.errors.DataError
        A folder holding part files is not named ``key=value`` (or has no value), or two part
        files sit under different partition keys: the folder, both paths and the fix.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "events"
    >>> (d / "month=1").mkdir(parents=True)
    >>> for name in ("month=1/part-0.parquet", "_SUCCESS", "README.md"):
    ...     _ = (d / name).write_text("x")
    >>> found = folder_parts(d)
    >>> [p.name for p in found.parquet], found.keys, found.other
    (['part-0.parquet'], ('month',), ['README.md'])
    """
    folder = Path(folder)
    found = FolderParts(folder)
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in sorted(f for f in files if not _hidden(f)):
            path, low = Path(root) / name, name.lower()
            if low.endswith(PARQUET_PARTS):
                found.parquet.append(path)
            elif low.endswith(CSV_PARTS):
                found.csv.append(path)
            else:
                found.other.append(str(path.relative_to(folder)))
    problems, first = [], None
    for path in found.files:
        levels = path.parent.relative_to(folder).parts
        bad = next((lv for lv in levels if "=" not in lv or not lv.split("=", 1)[0].strip()
                    or not lv.split("=", 1)[1].strip()), None)
        if bad is not None:
            problems.append(Problem(
                f"the folder {bad!r} holding {path.name} is no partition folder named key=value"
                + (" (it has no value)" if "=" in bad else ""), source=f"{folder.name}/{path.parent.relative_to(folder)}",
                fix="name partition folders key=value (month=2026-11), as Spark and Hive write them, or "
                    "move the part files up into the table's folder"))
            break
        keys = tuple(lv.split("=", 1)[0] for lv in levels)
        if first is None:
            first = (keys, path)
        elif keys != first[0]:
            problems.append(Problem(
                f"part files sit under different partition keys: {_rel(first[1], folder)} under "
                f"{'/'.join(first[0]) or 'none'}, {_rel(path, folder)} under {'/'.join(keys) or 'none'}",
                source=folder.name, fix="give every part file the same key=value folders (or none)"))
            break
    if problems:
        raise DataError(problems)
    found.keys = first[0] if first else ()
    return found


def _rel(path: Path, folder: Path) -> str:
    return f"{folder.name}/{path.relative_to(folder)}"


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
    from jmtools.sources._accounting import Accounting, LoadedTable, REASON_COLUMNS
    from jmtools.sources._spec import SPECS
    import pandas as pd

    spec = SPECS[kind]
    dated = next((c for t in loaded for c in t.table.columns if c == "_dated"), None)
    schemas = [{c: t for c, t in p.table.schema().items() if c not in ("_row", "_dated")} for p in loaded]
    for i in range(1, len(loaded)):
        _same_columns(schemas[0], schemas[i], labels[0], labels[i])
    raw = con.con
    from jmtools.core.engine import unique_name

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
    notes = [f"read as one table from {len(loaded)} parts: " + ", ".join(
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
