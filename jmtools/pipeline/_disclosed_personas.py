"""Persona profiles (notebook 01) through the disclosure rule: a persona of 1–4 customers is
listed, its numbers are not.

Notebook 01 profiles personas from the customer table itself (sizes, attributes, KPIs,
typical events), without :func:`~jmtools.pipeline.run`. The sizes are one row of a grid beside
the customer table's total, so they take the complementary rule
(:func:`~jmtools.pipeline._disclosed.disclosed_shares`); the other tables lose the numbers of
the small personas' rows (:func:`disclosed_persona_rows`), and of any row counting 1–4
customers (an event done by 2 customers of a large persona).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP

__all__ = ["disclosed_persona_rows"]


def disclosed_persona_rows(frame: pd.DataFrame | None, small, *, count_col: str | None = None,
                           keep=("base_value", "base_n", "base_share", "total", "rank"),
                           min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """Rows of the ``small`` personas (and rows whose ``count_col`` is 1 to ``min_group − 1``)
    without their numbers.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        A table with a ``persona`` column (:func:`~jmtools.personas.persona_kpis`,
        :func:`~jmtools.personas.attribute_profile`, :func:`~jmtools.personas.typical_events`).
    small : collection of str
        Personas of 1 to ``min_group − 1`` customers
        (:func:`~jmtools.pipeline._disclosed.small_personas`).
    count_col : str, optional
        A column counting the customers behind a row (``n`` of typical events).
    keep : sequence of str
        Numeric columns that describe everybody (the base) or an order, left as they are.

    Returns
    -------
    pandas.DataFrame or None
        A copy with every other numeric column missing in those rows, ``suppressed`` (bool)
        and ``attrs["note"]`` ("" when nothing was hidden).

    Examples
    --------
    >>> k = pd.DataFrame({"persona": ["Ben", "Tiny", "Ben"], "kpi": ["nps", "nps", "csat"],
    ...                   "value": [20.0, -50.0, 4.1], "n": [300, 3, 280], "base_value": [15.0] * 3})
    >>> out = disclosed_persona_rows(k, {"Tiny"})
    >>> out["value"].tolist(), out["base_value"].tolist()
    ([20.0, nan, 4.1], [15.0, 15.0, 15.0])
    >>> out.attrs["note"]
    '1 persona of fewer than 5 customers is listed without its numbers.'
    """
    if frame is None:
        return None
    mine = frame["persona"].astype(object).isin(set(small)).to_numpy()
    few = np.zeros(len(frame), bool)
    if count_col is not None:
        n = pd.to_numeric(frame[count_col], errors="coerce").to_numpy(dtype=float)
        few = (np.nan_to_num(n) > 0) & (n < min_group)
    hidden = mine | few
    out = frame.copy()
    out["suppressed"] = hidden
    if hidden.any():
        for col in out.columns:
            if col not in keep and col != "suppressed" and pd.api.types.is_numeric_dtype(out[col]) \
                    and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = out[col].astype(float).mask(hidden)
    k = len(set(frame.loc[mine, "persona"])) if mine.any() else 0
    parts = [f"{k} persona{'s' if k != 1 else ''} of fewer than {min_group} customers "
             f"{'are' if k != 1 else 'is'} listed without {'their' if k != 1 else 'its'} numbers"] if k else []
    extra = int((few & ~mine).sum())
    if extra:
        parts.append(f"{extra} row{'s' if extra != 1 else ''} of fewer than {min_group} customers "
                     f"{'are' if extra != 1 else 'is'} shown without numbers")
    out.attrs = {**frame.attrs, "note": "; ".join(parts) + "." if parts else ""}
    return out
