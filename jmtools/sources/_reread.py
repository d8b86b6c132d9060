"""A load read again: which time and number columns had values refused, and how their values
are written (:mod:`jmtools.sources._times`, :mod:`jmtools.sources._numbers`); used by
:mod:`jmtools.sources._duckdb`, whose rules these read."""

from __future__ import annotations

from jmtools.sources._numbers import infer_number_form
from jmtools.sources._spec import TableSpec
from jmtools.sources._times import infer_time_formats
from jmtools.sources._values import q

__all__ = ["refused_columns", "put_fixes"]


def refused_columns(raw, view: str, table: str, rules, spec: TableSpec, mapping: dict, times=True,
                    known=()) -> dict:
    """``{column: ReadAs}`` for each time or number column some of whose values the staged
    ``table`` refused (its ``_rc`` codes index ``rules.checks``, then ``rules.blanks``), from
    :func:`~jmtools.sources._times.infer_time_formats` or
    :func:`~jmtools.sources._numbers.infer_number_form`. Time columns only with ``times`` (a
    ``time_format=`` given is used as it is); columns in ``known`` were looked at already."""
    kinds = ("timestamp", "float") if times else ("float",)
    reasons = {f"unparseable {c.name}": c.name for c in spec.columns
               if c.kind in kinds and c.name in mapping and c.name not in known}
    base = len(rules.checks) + 1
    codes = {i: reasons[c[1]] for i, c in enumerate(rules.checks) if c[1] in reasons}
    codes.update({base + j: reasons[b[1]] for j, b in enumerate(rules.blanks) if b[1] in reasons})
    if not codes:
        return {}
    hit = raw.execute(f"SELECT DISTINCT _rc FROM {q(table)} WHERE _rc IN "
                      f"({', '.join(map(str, codes))})").fetchall()
    kinds = {c.name: c.kind for c in spec.columns}
    return {c: infer_time_formats(raw, view, mapping[c], c, table=spec.kind) if kinds[c] == "timestamp"
            else infer_number_form(raw, view, mapping[c], c) for c in sorted({codes[rc] for (rc,) in hit})}


def put_fixes(rules, read_as: dict) -> None:
    """Put the fix that says why a time column's values could not be read on its check."""
    for items in (rules.checks, rules.blanks):
        for i, (cond, reason, column, bad, fix) in enumerate(items):
            found = read_as.get(column)
            if found and found.fix and reason == f"unparseable {column}":   # why it was not read
                items[i] = (cond, reason, column, bad, found.fix)
