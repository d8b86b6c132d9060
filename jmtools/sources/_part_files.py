"""The part files of a table's folder (``events/``, Hive/Spark style, ``key=value/`` partition
folders): found, checked and named before anything is read (D259)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jmtools.core.errors import DataError, Problem
from jmtools.sources._spec import SPECS

__all__ = ["PARQUET_PARTS", "CSV_PARTS", "FolderParts", "folder_parts"]

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
