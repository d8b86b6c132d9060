"""No group under :data:`~jmtools.analyses.disclosure.MIN_GROUP` customers leaves the chain with its numbers.

``min_n`` says how many observations a finding needs to count as evidence; a user may set it
low (2, say) to explore. What a report may *disclose* has its own floor,
:data:`~jmtools.analyses.disclosure.MIN_GROUP` (5 customers), applied here, once, for every
report and notebook that reads a :class:`~jmtools.pipeline.Findings`:

- pain points are compared with ``min_n`` raised to the floor (:func:`disclosure_floor`), and a
  persona of 1–4 customers is never flagged (:func:`small_personas`,
  :func:`disclosed_comparisons`), so the evidence text (``n=…`` per persona), customers
  affected and stakes do not describe it. Observation signals (valence, waiting times) count
  observations, not customers: a stage group of a larger persona with 5 observations from
  fewer customers is not caught (docs/decisions.md);
- an emotion-curve point of 1–4 distinct customers loses its numbers (emotion, interval, n,
  sources), and at the same stage the smallest other persona points go too until the hidden
  ones count 5, because the "all customers" point is shown beside them
  (:func:`~jmtools.analyses.disclosure.suppress_small_cells`);
- a survey KPI of 1–4 answers (so of fewer customers) loses its value, interval and n.

:func:`disclosure_note` words what was hidden, for the report to show once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, suppress_small_cells
from jmtools.core.vocabulary import ALL

__all__ = ["disclosure_floor", "small_personas", "disclosed_comparisons", "disclosed_curve",
           "disclosed_kpis", "disclosure_note"]

#: Curve columns that describe the customers of a point.
_CURVE_NUMBERS = ("valence", "n", "n_customers", "n_evidence", "ci_low", "ci_high")


def disclosure_floor(min_n: int, min_group: int = MIN_GROUP) -> int:
    """The ``min_n`` pain points are compared with: never below ``min_group``.

    Examples
    --------
    >>> disclosure_floor(2), disclosure_floor(30)
    (5, 30)
    """
    return max(int(min_n), int(min_group))


def small_personas(assignment: pd.DataFrame | None, evidence=None,
                   min_group: int = MIN_GROUP) -> set:
    """Personas of 1 to ``min_group − 1`` customers: in the customer table, or with events.

    Examples
    --------
    >>> sorted(small_personas(pd.DataFrame({"customer_id": list("abcdefg"),
    ...                                     "persona": ["Ben"] * 5 + ["Tiny"] * 2})))
    ['Tiny']
    """
    counts = []
    if assignment is not None:
        counts.append(assignment["persona"].dropna().value_counts())
    sizes = getattr(evidence, "persona_sizes", None)
    if sizes is not None and getattr(evidence, "n_events", 0):
        counts.append(sizes.set_index("persona")["n_customers"])
    return {p for c in counts for p, n in c.items() if 0 < n < min_group}


def disclosed_comparisons(comparisons: pd.DataFrame, small: set) -> pd.DataFrame:
    """The comparisons with those of ``small`` personas never flagged (so never in a pain point's text).

    Examples
    --------
    >>> c = pd.DataFrame({"persona": ["Ben", "Tiny"], "flagged": [True, True], "counts": [True, True]})
    >>> disclosed_comparisons(c, {"Tiny"})["flagged"].tolist()
    [True, False]
    """
    if not small:
        return comparisons
    mine = comparisons["persona"].isin(small).to_numpy()
    return comparisons.assign(flagged=comparisons["flagged"] & ~mine, counts=comparisons["counts"] & ~mine)


def disclosed_curve(curve: pd.DataFrame | None, min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """The emotion curve with points of 1 to ``min_group − 1`` customers hidden (and what reveals them).

    Returns a copy with ``suppressed`` (bool) and ``attrs["hidden_points"]``; the rows stay,
    their numbers are missing and ``sources`` says "hidden".

    Examples
    --------
    >>> c = pd.DataFrame({"persona": ["all", "Ben", "Tiny", "all", "Ben", "Tiny"],
    ...                   "stage": ["A", "A", "A", "B", "B", "B"], "valence": [0.1] * 6,
    ...                   "n": [50, 47, 3, 40, 40, 0], "n_customers": [50, 47, 3, 40, 40, 0],
    ...                   "sources": ["s"] * 6})
    >>> out = disclosed_curve(c)
    >>> out[["persona", "stage", "n", "suppressed"]].values.tolist()[:3]
    [['all', 'A', 50.0, False], ['Ben', 'A', nan, True], ['Tiny', 'A', nan, True]]
    >>> out.attrs["hidden_points"]
    2
    """
    if curve is None:
        return None
    who = "n_customers" if "n_customers" in curve else "n"
    mine = (curve["persona"] != ALL).to_numpy()
    personas = curve.loc[mine, ["stage", "persona", who]].assign(_i=np.flatnonzero(mine))
    grid = suppress_small_cells(personas, row_col="stage", column_col="persona", n_col=who,
                                customers_col=who, min_n=min_group)
    hidden = pd.Series(False, index=curve.index)
    hidden.iloc[grid.loc[grid["suppressed"], "_i"].to_numpy()] = True
    out = curve.copy()
    out.attrs = {**curve.attrs, "hidden_points": int(hidden.sum()), "min_group": min_group}
    out["suppressed"] = hidden.to_numpy()
    if not hidden.any():                      # nothing hidden: the numbers keep their types
        return out
    for col in _CURVE_NUMBERS:
        if col in out:
            out[col] = out[col].astype(float).mask(hidden.to_numpy())
    if "sources" in out:
        out["sources"] = out["sources"].astype(object).mask(hidden.to_numpy(), "hidden")
    return out


def disclosed_kpis(kpis: pd.DataFrame | None, min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """Survey KPIs with the rows of 1 to ``min_group − 1`` answers hidden (fewer answers, fewer customers).

    Returns a copy with ``suppressed`` (bool); ``value``, ``ci_low``, ``ci_high`` and ``n`` are
    missing in suppressed rows, and ``attrs["hidden_rows"]`` counts them.

    Examples
    --------
    >>> k = pd.DataFrame({"stage": ["A", "B", "C"], "kpi": ["nps"] * 3, "value": [20.0, -100.0, None],
    ...                   "n": [40, 2, 0], "ci_low": [5.0, -100.0, None], "ci_high": [35.0, 0.0, None]})
    >>> out = disclosed_kpis(k)
    >>> out["value"].tolist()[:2], out["suppressed"].tolist(), out.attrs["hidden_rows"]
    ([20.0, nan], [False, True, False], 1)
    """
    if kpis is None:
        return None
    n = pd.to_numeric(kpis["n"], errors="coerce").fillna(0)
    hidden = ((n > 0) & (n < min_group)).to_numpy()
    out = kpis.copy()
    out["suppressed"] = hidden
    out.attrs = {**kpis.attrs, "hidden_rows": int(hidden.sum()), "min_group": min_group}
    if hidden.any():
        for col in ("value", "ci_low", "ci_high", "n"):
            out[col] = out[col].astype(float).mask(hidden)
    return out


def disclosure_note(min_n: int, curve: pd.DataFrame | None, small: set = frozenset(),
                    kpis: pd.DataFrame | None = None, min_group: int = MIN_GROUP) -> str:
    """What the report hides so that no group of fewer than ``min_group`` customers is shown ("" if nothing).

    Examples
    --------
    >>> disclosure_note(2, None)
    'No group of fewer than 5 customers is shown: pain points are compared only where each side has 5 or more (min_n = 2 was raised to 5 for them).'
    >>> disclosure_note(30, None)
    ''
    """
    parts = []
    if min_n < min_group:
        parts.append(f"pain points are compared only where each side has {min_group} or more "
                     f"(min_n = {min_n} was raised to {min_group} for them)")
    if small:
        parts.append(f"{len(small)} persona{'s' if len(small) != 1 else ''} of fewer than {min_group} "
                     f"customers {'are' if len(small) != 1 else 'is'} not compared for pain points")
    hidden = int(curve.attrs.get("hidden_points", 0)) if curve is not None else 0
    if hidden:
        parts.append(f"{hidden} point{'s' if hidden != 1 else ''} of the emotion curve "
                     f"{'are' if hidden != 1 else 'is'} left out (a persona of fewer than {min_group} "
                     "customers at a stage, or one that would reveal it)")
    rows = int(kpis.attrs.get("hidden_rows", 0)) if kpis is not None else 0
    if rows:
        parts.append(f"{rows} survey KPI{'s' if rows != 1 else ''} of fewer than {min_group} answers "
                     f"{'are' if rows != 1 else 'is'} shown as hidden")
    if not parts:
        return ""
    return f"No group of fewer than {min_group} customers is shown: " + "; ".join(parts) + "."

