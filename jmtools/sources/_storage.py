"""A column stored with a type that can hold no value of its kind: one located error (used by
:mod:`jmtools.sources._duckdb`)."""

from __future__ import annotations

import re

from jmtools.core.errors import DataError, Problem
from jmtools.sources._spec import TableSpec

__all__ = ["check_storage"]

_NUMERIC = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL.*|NUMERIC.*|"
                      r"VARCHAR|INT[1248])$")   # not BOOLEAN: TRUE would become a score of 1
_NESTED = re.compile(r"(\[\]$|^STRUCT|^MAP|^UNION|^BLOB|^BIT$|\[\d+\]$)")


def check_storage(spec: TableSpec, mapping: dict, types: dict, label: str) -> None:
    """A column stored with a type that can hold no value of its kind (a score stored as a
    timestamp, an amount as a list) is one located error for the whole column, not a crash."""
    problems = []
    for col in spec.columns:
        if col.name not in mapping:
            continue
        src = mapping[col.name]
        stored = str(types[src]).upper()
        if col.kind in ("float", "int") and not _NUMERIC.match(stored) and (stored, col.name) != ("BOOLEAN", "rating"):
            problems.append(Problem(
                f"column {src!r} is stored as {stored}; {col.name} must be a number",
                source=label, column=col.name,
                fix=f"store {col.name} as a number in the file (one value per row), or map another "
                    f"column with columns={{{col.name!r}: 'your column'}}"))
        elif col.kind not in ("float", "int") and _NESTED.search(stored):
            problems.append(Problem(
                f"column {src!r} is stored as {stored} (a nested or binary value); {col.name} "
                "must hold one plain value per row", source=label, column=col.name,
                fix=f"flatten {src!r} to one value per row before loading"))
    if problems:
        raise DataError(problems)
