"""KPI history: the recorded figures of past report runs as trends, and a control chart that
separates a real shift from run-to-run noise.

A batch of reports appends every report's key figures to ``history.jsonl``
(:func:`jmtools.report.batch.load_history` reads it into a frame ``run_id, report, figure,
value, n``). :func:`kpi_history` keeps the numeric series — per report (a persona) and figure
(``funnel_3``, ``nps_Decision`` …) — and :func:`control_chart` draws the limits of an
individuals chart (XmR) from a baseline window:

- centre line = mean of the baseline points; σ = mean moving range of the baseline / 1.128;
- limits = centre ± 3σ, zones at ±1σ and ±2σ;
- a point signals when it breaks one of the Nelson rules (:data:`RULES`): beyond 3σ; nine
  in a row on one side of the centre; six in a row steadily rising or falling; two of three
  beyond 2σ on the same side.

Limits from a short baseline are uncertain, and every rule has a small false-alarm rate: of
stable series with limits from ten runs, about one in five signals somewhere in the next ten
runs with all four rules, about one in eight with ``rules=["beyond 3σ"]`` alone (longer
baselines help). A sustained shift of 2σ is flagged within ten runs 98 times in 100
(``tests/test_history.py`` simulates both). Read a signal as "look here", not as proof.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = ["HISTORY_COLUMNS", "CHART_COLUMNS", "RULES", "kpi_history", "control_chart", "signals"]

#: Columns of :func:`kpi_history`.
HISTORY_COLUMNS = ["report", "figure", "run_index", "run_id", "value", "n"]
#: Columns of :func:`control_chart`.
CHART_COLUMNS = [*HISTORY_COLUMNS, "baseline", "centre", "sigma", "lcl", "ucl", "outside",
                 "rules", "signal"]
#: The runs rules, by name.
RULES = {
    "beyond 3σ": "a point outside the control limits",
    "9 on one side": "nine points in a row on the same side of the centre line",
    "6 trending": "six points in a row steadily increasing or decreasing",
    "2 of 3 beyond 2σ": "two of three points in a row beyond 2σ on the same side",
}
_D2 = 1.128  # E[moving range of two] / σ for normal data


def kpi_history(history: pd.DataFrame, *, figures=None, reports=None) -> pd.DataFrame:
    """The numeric recorded figures as series over runs.

    Parameters
    ----------
    history : pandas.DataFrame
        ``run_id, report, figure, value, n`` (:func:`jmtools.report.batch.load_history`).
    figures, reports : list of str, optional
        Keep only these figures and reports (default: every numeric series).

    Returns
    -------
    pandas.DataFrame
        :data:`HISTORY_COLUMNS`: one row per report, figure and run, runs in order
        (``run_index`` counts from 1 per series); text figures are left out.

    Examples
    --------
    >>> h = pd.DataFrame({"run_id": ["2026-01", "2026-02", "2026-01"], "report": "ben",
    ...                   "figure": ["conversion", "conversion", "top_pain_point"],
    ...                   "value": [0.31, 0.33, "Hidden fees"], "n": [400, 410, None]})
    >>> kpi_history(h)[["report", "figure", "run_index", "value"]]
      report      figure  run_index  value
    0    ben  conversion          1   0.31
    1    ben  conversion          2   0.33
    """
    missing = [c for c in ("run_id", "report", "figure", "value") if c not in history.columns]
    if missing:
        raise DataError([Problem(f"history lacks column {missing[0]!r}", source="history",
                                 fix="pass jmtools.report.batch.load_history(out_dir)")])
    out = history.copy()
    out["value"] = pd.to_numeric(out["value"].where(out["value"].map(
        lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))), errors="coerce")
    out = out[out["value"].notna()]
    for name, wanted in (("figures", figures), ("reports", reports)):
        if wanted is None:
            continue
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        col = "figure" if name == "figures" else "report"
        known = list(dict.fromkeys(out[col]))
        for w in wanted:
            if w not in known:
                hint = suggest(w, known)
                raise ParameterError(name, w, expected=known or "a recorded numeric figure",
                                     fix=f"did you mean {hint!r}?" if hint else "")
        out = out[out[col].isin(wanted)]
    out["n"] = out["n"] if "n" in out else None
    out = out.sort_values(["report", "figure", "run_id"], kind="stable")
    out["run_index"] = out.groupby(["report", "figure"], sort=False).cumcount() + 1
    return out[HISTORY_COLUMNS].reset_index(drop=True)


def _runs_rule(side: np.ndarray, length: int) -> np.ndarray:
    """True at points that end ``length`` in a row with the same non-zero ``side``."""
    hit = np.zeros(side.size, bool)
    run = 0
    for i in range(side.size):
        run = run + 1 if i and side[i] != 0 and side[i] == side[i - 1] else (1 if side[i] != 0 else 0)
        if run >= length:
            hit[i - length + 1:i + 1] = True
    return hit


def _rules(z: np.ndarray, chosen) -> list[list[str]]:
    """Names of the rules each point (in standard units from the centre) breaks."""
    found = [[] for _ in z]
    trend = _runs_rule(np.r_[0, np.sign(np.diff(z))], 5)   # five steps the same way: six points
    marks = {"beyond 3σ": np.abs(z) > 3, "9 on one side": _runs_rule(np.sign(z), 9),
             "6 trending": trend | np.r_[trend[1:], False]}
    high, low = z > 2, z < -2
    two_of_three = np.zeros(z.size, bool)
    for i in range(2, z.size):
        for far in (high, low):
            window = far[i - 2:i + 1]
            if window.sum() >= 2:
                two_of_three[i - 2:i + 1] |= window
    marks["2 of 3 beyond 2σ"] = two_of_three
    for name, mark in marks.items():
        if name not in chosen:
            continue
        for i in np.flatnonzero(mark):
            found[i].append(name)
    return found


def control_chart(history: pd.DataFrame, *, baseline: int | str = 8, rules=None) -> pd.DataFrame:
    """Centre line, limits from a baseline window, and the runs rules, per series.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`kpi_history` (or the frame it takes: it is applied first).
    baseline : int or str, default 8
        The baseline window: the first ``baseline`` runs of each series, or every run up to
        and including this ``run_id``. At least two points are needed; 10–20 give steadier
        limits.
    rules : list of str, optional
        Which of :data:`RULES` to apply (default all four).

    Returns
    -------
    pandas.DataFrame
        :data:`CHART_COLUMNS`: the series with ``baseline`` (in the window), ``centre``,
        ``sigma``, ``lcl``, ``ucl``, ``outside`` (beyond the limits), ``rules`` (the rules the
        point breaks, joined by "; ") and ``signal`` (any rule).

    Examples
    --------
    >>> h = pd.DataFrame({"run_id": [f"r{i:02d}" for i in range(12)], "report": "all",
    ...                   "figure": "nps", "value": [30, 32, 29, 31, 30, 33, 31, 30, 45, 46, 44, 47]})
    >>> cc = control_chart(h, baseline=8)
    >>> cc["signal"].tolist()
    [False, False, False, False, False, False, False, False, True, True, True, True]
    >>> cc["rules"].iloc[8]
    'beyond 3σ; 2 of 3 beyond 2σ'
    """
    if not {"run_index"} <= set(history.columns):
        history = kpi_history(history)
    chosen = list(RULES) if rules is None else [rules] if isinstance(rules, str) else list(rules)
    for rule in chosen:
        if rule not in RULES:
            raise ParameterError("rules", rule, expected=list(RULES))
    if isinstance(baseline, bool) or not isinstance(baseline, (int, str)) or \
            (isinstance(baseline, int) and baseline < 2):
        raise ParameterError("baseline", baseline, expected="a number of runs (2 or more) or a run_id",
                             fix="use 8, or the run_id of the last run before the change")
    parts = []
    for (report, figure), s in history.groupby(["report", "figure"], sort=False):
        s = s.sort_values("run_index").copy()
        base = (s["run_index"] <= baseline) if isinstance(baseline, int) else (s["run_id"] <= baseline)
        values = s.loc[base, "value"].to_numpy(float)
        if values.size < 2:
            raise DataError([Problem(f"series {report!r} · {figure!r} has {values.size} run(s) in "
                                     "the baseline window; limits need at least 2",
                                     source="history", fix="choose a longer baseline")])
        centre = float(values.mean())
        sigma = float(np.abs(np.diff(values)).mean() / _D2)
        z = (s["value"].to_numpy(float) - centre) / sigma if sigma > 0 else \
            np.where(s["value"].to_numpy(float) == centre, 0.0, np.inf * np.sign(s["value"] - centre))
        broken = _rules(z, chosen)
        s["baseline"], s["centre"], s["sigma"] = base.to_numpy(), centre, sigma
        s["lcl"], s["ucl"] = centre - 3 * sigma, centre + 3 * sigma
        s["outside"] = np.abs(z) > 3
        s["rules"] = ["; ".join(b) for b in broken]
        s["signal"] = [bool(b) for b in broken]
        parts.append(s)
    if not parts:
        raise DataError([Problem("no numeric figure in the history", source="history",
                                 fix="run reports with jmtools.report.batch.run_batch into one folder")])
    return pd.concat(parts, ignore_index=True)[CHART_COLUMNS]


def signals(chart: pd.DataFrame) -> pd.DataFrame:
    """One row per series that signals: where it starts, which way, and which rules.

    Returns
    -------
    pandas.DataFrame
        ``report``, ``figure``, ``first_run`` (run_id of the first signalling point after the
        baseline), ``direction`` (up or down), ``points`` (signalling points) and ``rules``.

    Examples
    --------
    >>> h = pd.DataFrame({"run_id": [f"r{i:02d}" for i in range(12)], "report": "all",
    ...                   "figure": "nps", "value": [30, 32, 29, 31, 30, 33, 31, 30, 45, 46, 44, 47]})
    >>> signals(control_chart(h))[["figure", "first_run", "direction", "points"]]
      figure first_run direction  points
    0    nps       r08        up       4
    """
    rows = []
    for (report, figure), s in chart[chart["signal"] & ~chart["baseline"]].groupby(["report", "figure"], sort=False):
        first = s.iloc[0]
        rows.append({"report": report, "figure": figure, "first_run": first["run_id"],
                     "direction": "up" if first["value"] > first["centre"] else "down",
                     "points": len(s),
                     "rules": "; ".join(dict.fromkeys(r for x in s["rules"] for r in x.split("; ")))})
    return pd.DataFrame(rows, columns=["report", "figure", "first_run", "direction", "points", "rules"])
