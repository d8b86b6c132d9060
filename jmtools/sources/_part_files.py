"""The part files of a table's folder (``events/``, Hive/Spark style, ``key=value/`` partition
folders): found, checked and named before anything is read (D259), and the partition folders'
values typed as DuckDB's ``hive_partitioning`` types them (D264)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jmtools.core.errors import DataError, Problem
from jmtools.sources._spec import SPECS
from jmtools.sources._values import lit, q

__all__ = ["PARQUET_PARTS", "CSV_PARTS", "JSON_PARTS", "EXCEL_PARTS", "FolderParts", "folder_parts",
           "partition_values", "partition_types", "with_partition"]

#: Endings of the part files a table's folder may hold (any case): Parquet files are read together,
#: the others one by one, each by the loader of its format (D259, D264).
PARQUET_PARTS, CSV_PARTS = (".parquet", ".pq"), (".csv", ".csv.gz", ".tsv")
JSON_PARTS, EXCEL_PARTS = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"), (".xlsx", ".xlsm")
_FORMATS = ((CSV_PARTS, "CSV"), (JSON_PARTS, "JSON-lines"), (EXCEL_PARTS, "Excel"))


@dataclass
class FolderParts:
    """What a table's folder holds: its Parquet part files and the part files read one by one
    (``each``: CSV, JSON lines, Excel), sorted by path, the partition keys of its ``key=value``
    folders, and the names of files that are no part."""

    folder: Path
    parquet: list = field(default_factory=list)
    each: list = field(default_factory=list)
    keys: tuple = ()
    other: list = field(default_factory=list)

    @property
    def files(self) -> list:
        return self.parquet + self.each

    def words(self) -> str:
        """``22 Parquet files`` / ``1 Parquet file, 3 CSV files, 1 Excel file``."""
        said = [(len(self.parquet), "Parquet")] + [
            (sum(p.name.lower().endswith(ends) for p in self.each), w) for ends, w in _FORMATS]
        return ", ".join(f"{n} {w} file{'s' if n != 1 else ''}" for n, w in said if n) or "no data files"

    def not_read(self) -> str | None:
        """The note naming the files of the folder that are no part (None when there are none)."""
        if not self.other:
            return None
        return (f"{self.folder.name}/: not read, no Parquet, CSV, JSON-lines or Excel part: "
                + ", ".join(self.other[:5]) + (f" (+{len(self.other) - 5} more)" if len(self.other) > 5 else ""))


def _hidden(name: str) -> bool:
    """Spark's and Hive's bookkeeping (``_SUCCESS``, ``_committed_…``, ``.part-0.parquet.crc``)."""
    return name.startswith(("_", ".", "~$"))


def folder_parts(folder) -> FolderParts:
    """The part files of a table's folder, found in it and its ``key=value`` partition folders.

    Files and folders whose names start with ``_``, ``.`` or ``~$`` (Spark's ``_SUCCESS``,
    checksums, Excel's lock files) are bookkeeping, not parts; any other file that is no Parquet,
    CSV, JSON-lines or Excel file is named in :attr:`FolderParts.other`.

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
            elif low.endswith(CSV_PARTS + JSON_PARTS + EXCEL_PARTS):
                found.each.append(path)
            else:
                found.other.append(str(path.relative_to(folder)))
    tables = [p.name for p in found.files if p.parent == folder and p.name.lower().split(".")[0] in SPECS]
    if tables:
        raise DataError([Problem(
            f"the folder holds files named for tables ({', '.join(tables[:3])}): it is a data folder, not the "
            "part files of one table", source=f"{folder.name}/",
            fix="load a data folder with load_world(folder) (jmtools report -p data_dir …), or give the path of "
                "one table's file or folder")])
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


def partition_values(found: FolderParts) -> dict:
    """Per part file of ``found``, the values of its partition folders as ``{key: (type, text)}``,
    typed as DuckDB's ``hive_partitioning`` types them over every part file of the folder
    (``month=1`` BIGINT, ``day=2026-11-01`` DATE, ``month=2026-11`` VARCHAR; ``NULL`` no value),
    so that a CSV part's partition column agrees with a Parquet part's; ``{}`` without partition
    folders (D264).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "events"
    >>> for name in ("month=1/p.csv", "month=12/p.jsonl"):
    ...     (d / name).parent.mkdir(parents=True)
    ...     _ = (d / name).write_text("x")
    >>> sorted((p.name, v) for p, v in partition_values(folder_parts(d)).items())
    [('p.csv', {'month': ('BIGINT', '1')}), ('p.jsonl', {'month': ('BIGINT', '12')})]
    """
    if not found.keys:
        return {}
    dirs = {p: p.parent.relative_to(found.folder).as_posix() for p in found.files}
    typed = _typed(tuple(sorted(set(dirs.values()))))
    return {p: typed[d] for p, d in dirs.items()}


@lru_cache(maxsize=16)
def _typed(dirs: tuple) -> dict:
    """DuckDB's own typing of the partition folders ``dirs``: a one-row Parquet file is put in a
    copy of each (under a temporary folder, removed after) and read with ``hive_partitioning``."""
    import duckdb

    tmp = Path(tempfile.mkdtemp(prefix="jm_partitions_"))
    try:
        con = duckdb.connect()
        seed = tmp / "seed.parquet"
        con.execute(f"COPY (SELECT 1 AS __jm_seed) TO {lit(str(seed))} (FORMAT parquet)")
        files = []
        for d in dirs:
            (tmp / "t" / d).mkdir(parents=True, exist_ok=True)
            files.append(str(shutil.copyfile(seed, tmp / "t" / d / "p.parquet")))
        rel = (f"read_parquet([{', '.join(map(lit, files))}], hive_partitioning = true, "
               "filename = '__jm_file')")
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * EXCLUDE (__jm_seed, __jm_file) FROM {rel}")
                 .fetchall()}
        rows = con.execute(f"SELECT __jm_file, {', '.join(f'CAST({q(k)} AS VARCHAR)' for k in types)} "
                           f"FROM {rel}").fetchall()
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    by_file = {r[0]: r[1:] for r in rows}
    return {d: {k: (t, v) for (k, t), v in zip(types.items(), by_file[f])} for d, f in zip(dirs, files)}


def partition_types(found: FolderParts) -> dict:
    """``{key: type}`` of the partition folders over every part file of ``found`` ({} without)."""
    values = partition_values(found)
    return {k: t for k, (t, _) in next(iter(values.values()), {}).items()}


def with_partition(raw, view: str, values: dict, label: str) -> str:
    """A view of ``view`` (one part file read one by one) with a column for each of its partition
    folders' ``values`` (:func:`partition_values`), as DuckDB gives them to a Parquet part.

    Raises
    ------
    jmtools.core.errors.DataError
        A partition key is also a column of the part file: the part, the column and the fix.
    """
    have = {r[0].lower() for r in raw.execute(f"DESCRIBE SELECT * FROM {q(view)}").fetchall()}
    clash = next((k for k in values if k.lower() in have), None)
    if clash is not None:
        raise DataError([Problem(f"the partition key {clash!r} is also a column of {label}", source=label,
                                 column=clash, fix="rename the key=value folders or the column: one name, one column")])
    added = ", ".join(f"CAST({'NULL' if v is None else lit(v)} AS {t}) AS {q(k)}" for k, (t, v) in values.items())
    out = view + "_partition"
    raw.execute(f"CREATE OR REPLACE TEMP VIEW {q(out)} AS SELECT *, {added} FROM {q(view)}")
    return out
