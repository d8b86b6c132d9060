"""Moments of truth on an emotion curve: the lowest point, the sharpest drop, the peak, the end
(or, where only the company acts after it, the customers' last own stage).

:func:`moments_of_truth` reads the output of :func:`~jmtools.analyses.emotions.emotion_curve`
and returns one row per persona and kind of moment, with a sentence for tooltips and reports.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jmtools.analyses.valence import ALL_PERSONAS
from jmtools.core.vocabulary import ALL_LABEL, counted

__all__ = ["MOMENT_KINDS", "moments_of_truth"]

#: Kinds of moments of truth, in the order they are reported.
MOMENT_KINDS = ("lowest", "sharpest drop", "peak", "end", "last own stage", "only point")


def _fmt(v: float) -> str:
    return f"{v:+.2f}".replace("-", "−")


def _point_text(r, behaviour: bool = False) -> str:
    """" at +0.50 (95% CI …, n=…)"; from behaviour, a 0 is ": no friction seen (…)"."""
    ci = (f"95% CI {_fmt(r.ci_low)} to {_fmt(r.ci_high)}, " if pd.notna(r.ci_low) else "")
    flag = "; little evidence, treat with care" if r.low_evidence else ""
    if behaviour and r.valence == 0:     # behaviour only pulls down: 0 is "none seen", not a feeling
        return f" — no friction seen ({ci}n={r.n}{flag})"
    return f" at {_fmt(r.valence)} ({ci}n={r.n}{flag})"


def _from_behaviour(pts: pd.DataFrame) -> bool:
    """Whether every point of a curve rests on behaviour alone (its ``sources``)."""
    return "sources" in pts and bool(len(pts)) and all(
        str(s).startswith("behaviour (") and "," not in str(s) for s in pts["sources"])


def _between(pts: pd.DataFrame, prev, r) -> str:
    """The journey's stages between two points of a curve that have none (D206): a drop over them
    is not a drop from one stage to the next."""
    if not isinstance(pts["stage"].dtype, pd.CategoricalDtype) or prev.stage == r.stage:
        return ""
    stages = list(pts["stage"].cat.categories)
    between = stages[stages.index(prev.stage) + 1:stages.index(r.stage)]
    return (f" — the curve has no point at the {counted(len(between), 'stage')} between ({', '.join(map(str, between))})"
            if between else "")


def _company_after(pts: pd.DataFrame, company: Sequence[str]) -> list[str]:
    """The journey's stages after a curve's last point when every one of them is a stage where only
    the company acts (``company``); else none."""
    if not company or not isinstance(pts["stage"].dtype, pd.CategoricalDtype):
        return []
    stages = [str(s) for s in pts["stage"].cat.categories]
    after = stages[stages.index(str(pts["stage"].iloc[-1])) + 1:]
    return after if after and set(after) <= set(map(str, company)) else []


def _moments_one(persona: str, pts: pd.DataFrame, where: str, min_drop: float,
                 company: Sequence[str] = ()) -> list[dict]:
    """Moments of truth of one persona's curve (points with evidence, in journey order).

    A curve from behaviour alone has no peak: behaviour can only pull the curve down
    (docs/decisions.md), so its highest point says where least friction was seen, not where
    customers felt best; a point with no friction reads "no friction seen"."""
    name = ALL_LABEL if persona == ALL_PERSONAS else persona
    behaviour = _from_behaviour(pts)
    out = []

    def add(kind, r, text, change=np.nan):
        out.append({"persona": persona, "kind": kind, "stage": r.stage,
                    **({"touchpoint": r.touchpoint} if where == "touchpoint" else {}),
                    "valence": r.valence, "change": change, "n": r.n, "ci_low": r.ci_low,
                    "ci_high": r.ci_high, "low_evidence": r.low_evidence, "explanation": text})

    label = (lambda r: f"{r.stage} · {r.touchpoint}") if where == "touchpoint" else (
        lambda r: str(r.stage))
    at = (lambda r: f"{label(r)}{_point_text(r, behaviour)}")
    lowest = pts.loc[pts["valence"].idxmin()]
    if len(pts) == 1:               # one point is no low, peak or end against others (D232)
        add("only point", lowest, f"Only point for {name}: {at(lowest)} — the curve measures one stage, so it has "
            "no lowest point, peak or end to tell apart.")
        return out
    add("lowest", lowest, f"Lowest point for {name}: {at(lowest)}.")
    steps = pts["valence"].diff()
    if len(pts) > 1 and steps.min() <= -min_drop:
        i = steps.idxmin()
        r, prev = pts.loc[i], pts.loc[pts.index[pts.index.get_loc(i) - 1]]
        add("sharpest drop", r, f"Sharpest drop for {name}: from {label(prev)} "
            f"({_fmt(prev.valence)}) to {at(r)}, a change of {_fmt(steps[i])}{_between(pts, prev, r)}.",
            change=float(steps[i]))
    peak = pts.loc[pts["valence"].idxmax()]
    if not behaviour:
        add("peak", peak, f"Peak for {name}: {at(peak)}. By the peak–end rule, people judge an "
            "experience largely by its most intense moment and its end.")
    end = pts.iloc[-1]
    after = _company_after(pts, company) if behaviour else []
    if after:           # the journey goes on where only the company acts: no end here (D242)
        add("last own stage", end, f"Last own stage for {name}: {at(end)}, the last stage where customers act "
            f"themselves. The journey ends at "
            f"{after[-1]}: only the company acts at {', '.join(after[:-1]) + ' and ' if len(after) > 1 else ''}"
            f"{after[-1]}, so the curve judges no behaviour there. Customers it carried on there did not stop "
            f"at {label(end)}, and those still waiting for it at the data's end are left out rather than "
            "counted as stopping.")
        return out
    add("end", end, f"End of the journey for {name}: {at(end)}." if behaviour else  # friction, no feeling
        f"End of the journey for {name}: {at(end)}; the last feeling is the one customers remember "
        "(peak–end rule).")
    return out


def moments_of_truth(curve: pd.DataFrame, *, include_low_evidence: bool = False,
                     min_drop: float = 0.25, company_stages: Sequence[str] | None = None) -> pd.DataFrame:
    """Moments of truth per persona: lowest point, sharpest drop, peak and end.

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`~jmtools.analyses.emotions.emotion_curve` (by stage or by
        touchpoint).
    include_low_evidence : bool, default False
        By default only points with enough evidence (not ``low_evidence``) can be
        moments; when a persona has none, its points with any evidence are used
        and the moments are flagged ``low_evidence``.
    min_drop : float, default 0.25
        A fall between consecutive points smaller than this (on the −2..+2 scale)
        is not reported as the sharpest drop; a curve that only rises or dips a
        little has none.
    company_stages : sequence of str, optional
        The journey's stages where only the company acts (default the curve's
        ``attrs["company_stages"]``, which :func:`~jmtools.analyses.emotions.emotion_curve`
        sets from its journey). When every stage after a behaviour curve's last point is one,
        the journey does not end at that point: it is the *last own stage* (the customers'
        last own step, a claimant's decision before the insurer pays and closes), not the
        *end*, and its sentence names the journey's last stage and the company's (D242).

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``kind`` (lowest, sharpest drop, peak, end or last own stage; ``only point`` alone for a curve of one point), ``stage``
        (``touchpoint`` too for a touchpoint curve), ``valence``, ``change`` (the
        drop from the previous point with evidence, for *sharpest drop*), ``n``,
        ``ci_low``, ``ci_high``, ``low_evidence`` and ``explanation`` (a sentence
        for tooltips and reports). A persona without any evidence has no rows; a curve
        from behaviour alone (every source of the curve is behaviour) has no *peak* (behaviour
        only pulls the curve down) and words a 0 as "no friction seen".

    Examples
    --------
    >>> curve = pd.DataFrame({"persona": "all", "stage": pd.Categorical(
    ...     ["A", "B", "C", "D"], categories=list("ABCD"), ordered=True),
    ...     "valence": [1.0, -1.5, -0.5, 0.5], "n": [30, 30, 2, 30],
    ...     "ci_low": [0.8, -1.7, -1.0, 0.2], "ci_high": [1.2, -1.3, 0.0, 0.8],
    ...     "low_evidence": [False, False, True, False]})
    >>> moments_of_truth(curve)[["kind", "stage", "valence", "change"]]
                kind stage  valence  change
    0         lowest     B     -1.5     NaN
    1  sharpest drop     B     -1.5    -2.5
    2           peak     A      1.0     NaN
    3            end     D      0.5     NaN
    """
    where = "touchpoint" if "touchpoint" in curve.columns else "stage"
    company = curve.attrs.get("company_stages", ()) if company_stages is None else company_stages
    rows = []
    for persona, pts in curve.groupby("persona", sort=False, observed=True):
        pts = pts[pts["n"] > 0]
        strong = pts if include_low_evidence else pts[~pts["low_evidence"]]
        pts = strong if len(strong) else pts
        if len(pts):
            rows += _moments_one(persona, pts.reset_index(drop=True), where, min_drop, company)
    cols = ["persona", "kind", "stage", *(["touchpoint"] if where == "touchpoint" else []),
            "valence", "change", "n", "ci_low", "ci_high", "low_evidence", "explanation"]
    out = pd.DataFrame(rows, columns=cols)
    out["stage"] = pd.Categorical(out["stage"], categories=curve["stage"].cat.categories,
                                  ordered=True)
    return out
