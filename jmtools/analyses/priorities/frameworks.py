"""Scoring frameworks: the impact–effort quadrant, RICE, ICE and custom formulas.

Each function adds columns to a copy of the opportunities frame and never changes its input.
The formulas are stated in :mod:`jmtools.analyses.priorities`; the public names are re-exported
there.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.core.expressions import parse_formula
from jmtools.core.metrics import RICE_IMPACTS

__all__ = ["QUADRANTS", "MIN_FOR_QUADRANTS", "RICE_IMPACTS", "impact_effort", "rice", "ice", "custom_score"]

#: Impact–effort quadrants, in reading order.
QUADRANTS = ("quick win", "big bet", "fill-in", "money pit")

#: Fewest opportunities with impact and effort whose medians may split them into quadrants: the
#: median of one or two points is (between) the points themselves, so one opportunity would always
#: be a "big bet" (docs/decisions.md D156).
MIN_FOR_QUADRANTS = 3


def _numbers(frame: pd.DataFrame, col: str, role: str) -> pd.Series:
    if col not in frame.columns:
        hint = suggest(col, [str(c) for c in frame.columns])
        raise ParameterError(f"{role}_col", col, expected="a column of the opportunities frame",
                             fix=(f"did you mean {hint!r}?" if hint else
                                  f"add '{col}' to the opportunity's scores in the journey file "
                                  f"or pass {role}_col=..."))
    return pd.to_numeric(frame[col], errors="coerce").astype(float)


def _check_range(values: pd.Series, frame: pd.DataFrame, col: str, low: float, high: float,
                 what: str, *, low_open: bool = False) -> None:
    bad = values.notna() & ((values <= low if low_open else values < low) | (values > high))
    if bad.any():
        ids = frame.loc[bad, "id"].astype(str).tolist()
        raise DataError([Problem(f"{int(bad.sum())} opportunities have {col} outside {what}: "
                                 f"{', '.join(ids[:5])} (got {values[bad].tolist()[:5]})",
                                 fix=f"use {what} for '{col}'", source="opportunities",
                                 column=col)])


def impact_effort(opportunities: pd.DataFrame, *, impact_col: str = "impact",
                  effort_col: str = "effort", impact_threshold: float | None = None,
                  effort_threshold: float | None = None) -> pd.DataFrame:
    """Place each opportunity in the impact–effort 2×2.

    Parameters
    ----------
    opportunities : pandas.DataFrame
        With numeric impact and effort columns.
    impact_col, effort_col : str
        Column roles.
    impact_threshold, effort_threshold : float, optional
        Where "high" starts (inclusive). Default: the median over the opportunities
        that have both scores, when there are :data:`MIN_FOR_QUADRANTS` (3) or more of them;
        with fewer there is no threshold to take (NaN) and no quadrant.

    Returns
    -------
    pandas.DataFrame
        A copy with ``impact_threshold``, ``effort_threshold`` and ``quadrant`` (one of
        :data:`QUADRANTS`, or missing when a score or a threshold is missing).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": list("abcd"), "impact": [3, 3, 1, 1], "effort": [1, 4, 1, 4]})
    >>> impact_effort(opps, impact_threshold=2, effort_threshold=2)["quadrant"].tolist()
    ['quick win', 'big bet', 'fill-in', 'money pit']

    One opportunity is no median of anything: it gets no quadrant, unless thresholds are given.

    >>> one = opps.head(1)
    >>> impact_effort(one)[["impact_threshold", "quadrant"]].values.tolist()
    [[nan, None]]
    >>> impact_effort(one, impact_threshold=2, effort_threshold=2)["quadrant"].tolist()
    ['quick win']
    """
    out = opportunities.copy()
    impact = _numbers(out, impact_col, "impact")
    effort = _numbers(out, effort_col, "effort")
    both = impact.notna() & effort.notna()
    enough = int(both.sum()) >= MIN_FOR_QUADRANTS     # else a median is the points themselves (D156)
    it = (float(impact[both].median()) if enough else math.nan) if impact_threshold is None \
        else float(impact_threshold)
    et = (float(effort[both].median()) if enough else math.nan) if effort_threshold is None \
        else float(effort_threshold)
    high_i, high_e = impact >= it, effort >= et
    quadrant = np.select([high_i & ~high_e, high_i & high_e, ~high_i & ~high_e, ~high_i & high_e],
                         list(QUADRANTS), default="")
    out["impact_threshold"], out["effort_threshold"] = it, et
    split = both & (not math.isnan(it)) & (not math.isnan(et))
    out["quadrant"] = pd.Series(quadrant, index=out.index, dtype=object).where(split, None)
    return out


def rice(opportunities: pd.DataFrame, *, reach_col: str = "reach", impact_col: str = "impact",
         confidence_col: str = "confidence", effort_col: str = "effort") -> pd.DataFrame:
    """RICE score = reach × impact × confidence ÷ effort.

    Impact must be on the RICE scale (:data:`RICE_IMPACTS`), confidence a fraction in
    (0, 1] (80 % is 0.8), effort in person-months (> 0), reach ≥ 0 (people per period). Only
    the rows with all four inputs are scored and checked: an impact beside effort alone is the
    impact–effort matrix's, on its own scale (a journey file refuses the scored rows' mistakes
    with their line, :meth:`jmtools.journey.Journey.check`).

    Returns
    -------
    pandas.DataFrame
        A copy with a ``rice`` column (missing when an input is missing).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a"], "reach": [1200], "impact": [2], "confidence": [0.8],
    ...                      "effort": [3]})
    >>> float(rice(opps)["rice"].iloc[0])   # 1200 * 2 * 0.8 / 3
    640.0
    """
    out = opportunities.copy()
    reach = _numbers(out, reach_col, "reach")
    impact = _numbers(out, impact_col, "impact")
    confidence = _numbers(out, confidence_col, "confidence")
    effort = _numbers(out, effort_col, "effort")
    scored = reach.notna() & impact.notna() & confidence.notna() & effort.notna()
    reach, impact, confidence, effort = (v.where(scored)
                                         for v in (reach, impact, confidence, effort))
    bad = impact.notna() & ~impact.isin(RICE_IMPACTS)
    if bad.any():
        ids = out.loc[bad, "id"].astype(str).tolist()
        raise DataError([Problem(f"RICE impact must be one of 3, 2, 1, 0.5, 0.25 — got "
                                 f"{impact[bad].tolist()[:5]} for {', '.join(ids[:5])}",
                                 fix="map your impact to the RICE scale, or pass impact_col= "
                                     "naming a column on that scale", source="opportunities",
                                 column=impact_col)])
    _check_range(confidence, out, confidence_col, 0, 1, "a fraction in (0, 1] (80% is 0.8)",
                 low_open=True)
    _check_range(effort, out, effort_col, 0, math.inf, "person-months > 0", low_open=True)
    _check_range(reach, out, reach_col, 0, math.inf, "a count ≥ 0")
    out["rice"] = reach * impact * confidence / effort
    return out


def ice(opportunities: pd.DataFrame, *, impact_col: str = "impact",
        confidence_col: str = "confidence", ease_col: str = "ease") -> pd.DataFrame:
    """ICE score = impact × confidence × ease, each on 1–10.

    A confidence in (0, 1] is a fraction and is read as tenths (0.8 → 8); the value used
    is shown in ``ice_confidence``. An impact written on the RICE scale (0.25–3, as a
    journey file may hold for both frameworks) is accepted as it is: the ranking keeps its
    order but ICE values are then smaller; give an ``ice_impact`` score on 1–10 (and pass
    ``impact_col="ice_impact"``; :func:`~jmtools.analyses.priorities.prioritise` does so when
    the column exists) for the classic scale.

    Returns
    -------
    pandas.DataFrame
        A copy with ``ice_confidence`` and ``ice`` (from 1 to 1000).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a", "b"], "impact": [8, 3], "confidence": [0.5, 9],
    ...                      "ease": [6, 10]})
    >>> ice(opps)[["ice_confidence", "ice"]].values.tolist()
    [[5.0, 240.0], [9.0, 270.0]]
    """
    out = opportunities.copy()
    impact = _numbers(out, impact_col, "impact")
    confidence = _numbers(out, confidence_col, "confidence")
    ease = _numbers(out, ease_col, "ease")
    confidence = confidence.where(~((confidence > 0) & (confidence <= 1)), confidence * 10)
    _check_range(impact, out, impact_col, 0, 10, "(0, 10] (ICE; RICE's 0.25–3 is accepted)",
                 low_open=True)
    for values, col in ((confidence, confidence_col), (ease, ease_col)):
        _check_range(values, out, col, 1, 10, "1–10 (ICE)")
    out["ice_confidence"] = confidence
    out["ice"] = impact * confidence * ease
    return out



def custom_score(opportunities: pd.DataFrame, formula: str, *, name: str = "custom") -> pd.DataFrame:
    """Add a score computed by a formula over the columns, evaluated safely.

    The formula may use numbers, column names, ``+ - * / // % **``, parentheses and the
    functions ``min, max, abs, log, log10, sqrt, exp, round``. Nothing else is evaluated
    (no attribute access, no other calls), so a formula from a journey file or a
    widget cannot run code. It is parsed and evaluated by
    :func:`jmtools.core.expressions.parse_formula`, the parser persona rules use.

    Parameters
    ----------
    opportunities : pandas.DataFrame
    formula : str
        For example ``"value_at_stake / effort"`` or ``"rice * min(ice / 100, 1)"``.
    name : str, default "custom"
        Name of the new column.

    Returns
    -------
    pandas.DataFrame
        A copy with the new column (float; division by zero gives ±inf or NaN).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a", "b"], "impact": [3, 1], "effort": [2, 4]})
    >>> custom_score(opps, "impact * 10 / effort", name="ratio")["ratio"].tolist()
    [15.0, 2.5]
    """
    parsed = parse_formula(formula)
    out = opportunities.copy()
    value = parsed.values(out)
    out[name] = pd.Series(np.broadcast_to(np.asarray(value, dtype=float), (len(out),)),
                          index=out.index)
    return out

