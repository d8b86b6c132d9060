"""The backlog: score with every framework that has its inputs, rank, export to CSV or Excel.

The public names are re-exported by :mod:`jmtools.analyses.priorities`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from jmtools.analyses.priorities.frameworks import (MIN_FOR_QUADRANTS, _numbers, custom_score, ice,
                                                    impact_effort, rice)
from jmtools.analyses.priorities.stake import value_at_stake
from jmtools.core.errors import ParameterError
from jmtools.core.spreadsheet import protect_workbook, write_csv

__all__ = ["rank_backlog", "prioritise", "export_backlog", "relieving", "RANKED_BY"]

#: The scores ``prioritise(by=None)`` ranks by: the first one computed, equal ones by the next.
RANKED_BY = ("value_at_stake", "rice", "ice")


def rank_backlog(opportunities: pd.DataFrame, *, by: str | Sequence[str] = "value_at_stake",
                 ascending: bool = False) -> pd.DataFrame:
    """Sort by one or more score columns (best first) and number the rows.

    Missing scores go last; ties keep the input order.

    Returns
    -------
    pandas.DataFrame
        A sorted copy with ``rank`` (1 = do first) as the first column.

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a", "b", "c"], "rice": [10.0, None, 30.0]})
    >>> rank_backlog(opps, by="rice")[["rank", "id"]].values.tolist()
    [[1, 'c'], [2, 'a'], [3, 'b']]
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:  # nothing to rank by: the file's order
        out = opportunities.reset_index(drop=True)
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out
    for key in keys:
        _numbers(opportunities.assign(id=opportunities.get("id", pd.Series(dtype=object))),
                 key, "by")
    out = opportunities.sort_values(keys, ascending=ascending, na_position="last",
                                    kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def prioritise(opportunities: pd.DataFrame, pain_points: pd.DataFrame | None = None, *,
               order_value: float | pd.DataFrame | None = None,
               default_lift: float | None = None, formulas: Mapping[str, str] | None = None,
               by: str | Sequence[str] | None = "value_at_stake",
               impact_threshold: float | None = None,
               effort_threshold: float | None = None) -> pd.DataFrame:
    """Score opportunities with every framework whose inputs are present, then rank them.

    Runs :func:`~jmtools.analyses.priorities.impact_effort` (impact and effort),
    :func:`~jmtools.analyses.priorities.rice` (reach, impact, confidence, effort, impact on the
    RICE scale), :func:`~jmtools.analyses.priorities.ice` (impact, confidence, ease, all on
    1–10), :func:`~jmtools.analyses.priorities.value_at_stake` (when ``pain_points`` and
    ``order_value`` are given), each formula of ``formulas`` (name → formula) and
    :func:`rank_backlog` by ``by``. A framework whose inputs are all missing is skipped.
    ``by=None`` ranks by the first score computed of :data:`RANKED_BY` (value at stake, RICE,
    ICE), or keeps the file's order when the opportunities carry none of their inputs. Ranked by
    one score, equal ones go by the other scores of :data:`RANKED_BY` computed, in that order.

    Returns
    -------
    pandas.DataFrame
        The ranked backlog.

    Examples
    --------
    >>> from jmtools.analyses.priorities import opportunities_frame
    >>> opps = opportunities_frame([
    ...     {"id": "a", "title": "A", "scores": {"impact": 2, "effort": 1, "reach": 100,
    ...                                          "confidence": 0.5}},
    ...     {"id": "b", "title": "B", "scores": {"impact": 1, "effort": 4, "reach": 900,
    ...                                          "confidence": 1.0}},
    ...     {"id": "c", "title": "C", "scores": {"impact": 3, "effort": 4, "reach": 50,
    ...                                          "confidence": 0.5}}])
    >>> prioritise(opps, by="rice")[["rank", "id", "rice", "quadrant"]]
       rank id    rice   quadrant
    0      1  b  225.00  money pit
    1      2  a  100.00  quick win
    2      3  c   18.75    big bet
    """
    out = opportunities.copy()

    def has(*cols):
        return all(c in out.columns and out[c].notna().any() for c in cols)

    if has("impact", "effort"):
        out = impact_effort(out, impact_threshold=impact_threshold,
                            effort_threshold=effort_threshold)
    if has("reach", "impact", "confidence", "effort"):
        out = rice(out)
    ice_impact = "ice_impact" if has("ice_impact") else "impact"
    if has(ice_impact, "confidence", "ease"):
        out = ice(out, impact_col=ice_impact)
    if pain_points is not None and order_value is not None:
        out = value_at_stake(out, pain_points, order_value=order_value, default_lift=default_lift)
    for name, formula in (formulas or {}).items():
        out = custom_score(out, formula, name=name)
    if by is None:
        by = [k for k in RANKED_BY if k in out.columns][:1]
    keys = [by] if isinstance(by, str) else list(by)
    if len(keys) == 1:                 # equal ones by the next scores computed (the report's order)
        keys += [k for k in RANKED_BY if k in out.columns and k not in keys]
    missing = [k for k in keys if k not in out.columns]
    if missing:
        raise ParameterError("by", missing[0], expected=[c for c in out.columns
                                                         if pd.api.types.is_numeric_dtype(out[c])],
                             fix="rank by a score that was computed (give its inputs), "
                                 "e.g. by='rice'")
    return rank_backlog(out, by=keys)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists → '; '-joined text and dates → ISO text, for CSV and spreadsheets."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple))
                                    else v.isoformat() if isinstance(v, dt.date) else v)
    return out


def export_backlog(backlog: pd.DataFrame, path: str | Path) -> Path:
    """Write the ranked backlog to CSV or Excel (by the file suffix).

    Lists (linked pain points) are written as ``a; b`` and dates as ``YYYY-MM-DD``; what a
    value at stake covers is written in words (``value_assumptions``), not as ``stake_parts``. An Excel
    file gets a second sheet, ``formulas``, stating every formula and threshold used.

    No text is written as a live spreadsheet formula (:mod:`jmtools.core.spreadsheet`): in a
    CSV, text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (:func:`~jmtools.core.spreadsheet.csv_untext` removes it); in Excel it is a
    text cell, unchanged. Numbers stay numbers.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, os
    >>> opps = pd.DataFrame({"rank": [1], "id": ["a"], "pain_points": [["x", "y"]]})
    >>> p = export_backlog(opps, os.path.join(tempfile.mkdtemp(), "backlog.csv"))
    >>> pd.read_csv(p)["pain_points"].tolist()
    ['x; y']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    flat = _flat(backlog.drop(columns=["stake_parts"], errors="ignore"))  # said in value_assumptions
    if suffix == ".csv":
        write_csv(flat, path)
    elif suffix in (".xlsx", ".xlsm"):
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            flat.to_excel(xl, sheet_name="backlog", index=False)
            _formulas(backlog).to_excel(xl, sheet_name="formulas", index=False)
            _autowidth(xl.sheets["backlog"], flat)
            protect_workbook(xl.book)
    else:
        raise ParameterError("path", str(path), expected="a file name ending in .csv or .xlsx")
    return path


def _formulas(backlog: pd.DataFrame) -> pd.DataFrame:
    rows = [("rank", "1 = do first, by the ranking score")]
    if "quadrant" in backlog and backlog["quadrant"].notna().any():
        rows.append(("quadrant", "high impact: impact >= {:g}; high effort: effort >= {:g}; "
                     "quick win / big bet / fill-in / money pit".format(
                         backlog["impact_threshold"].iloc[0], backlog["effort_threshold"].iloc[0])))
    elif "quadrant" in backlog:  # no threshold given and too few opportunities for a median (D156)
        rows.append(("quadrant", f"none: fewer than {MIN_FOR_QUADRANTS} opportunities have impact and effort, "
                     "too few to split at their medians; give impact_threshold and effort_threshold"))
    if "rice" in backlog:
        rows.append(("rice", "reach × impact × confidence ÷ effort (impact 3/2/1/0.5/0.25, "
                     "confidence 0–1, effort person-months)"))
    if "ice" in backlog:
        rows.append(("ice", "impact × confidence × ease, each 1–10 (confidence 0–1 read as tenths)"))
    if "value_at_stake" in backlog:
        rows.append(("value_at_stake", "Σ linked pain points (customers affected × lift needed) "
                     "× order value; see value_assumptions per row"))
    return pd.DataFrame(rows, columns=["score", "formula"])


def _autowidth(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    for i, col in enumerate(frame.columns, start=1):
        longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))


def relieving(backlog: pd.DataFrame, pains: pd.DataFrame) -> pd.DataFrame:
    """The opportunities of ``backlog`` that relieve at least one of the pain points ``pains``.

    This is how a persona's report (and notebook 05 for one persona) chooses "this persona's
    opportunities": those linked to a pain point of the persona's own ranking
    (``jmtools.pipeline.relieving`` is this function).

    Parameters
    ----------
    backlog : pandas.DataFrame
        Opportunities with a ``pain_points`` column (lists of pain point ids), e.g. from
        :func:`prioritise`.
    pains : pandas.DataFrame
        Pain points with a ``pain_point_id`` column.

    Returns
    -------
    pandas.DataFrame
        The rows of the backlog linked to one of the pain points, with the same columns
        (``id``, ``pain_points``, …) and order.

    Examples
    --------
    >>> import pandas as pd
    >>> backlog = pd.DataFrame({"id": ["o1", "o2"], "pain_points": [["p1"], ["p2", "p3"]]})
    >>> relieving(backlog, pd.DataFrame({"pain_point_id": ["p3"]}))["id"].tolist()
    ['o2']
    """
    linked = set(pains["pain_point_id"])
    return backlog[backlog["pain_points"].map(lambda ids: bool(linked & set(ids)))]
