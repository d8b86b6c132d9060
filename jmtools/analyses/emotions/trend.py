"""Emotion over time: valence per stage and period, and each stage's linear trend.

:func:`sentiment_trend` answers "is a stage getting better or worse?" period by period, with
the same bootstrap intervals as :func:`~jmtools.analyses.emotions.emotion_curve`;
:func:`trend_slopes` gives each stage's change per month with a 95% interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.emotions.curve import _bootstrap, _check_options, _sources
from jmtools.analyses.emotions.still_open import _followed_up
from jmtools.analyses.valence import ALL_PERSONAS
from jmtools.core.errors import ParameterError
from jmtools.core.stats import Z95

__all__ = ["sentiment_trend", "trend_slopes"]

def _persona_subset(evidence: pd.DataFrame, persona: str) -> pd.DataFrame:
    if persona == ALL_PERSONAS:
        return evidence.drop_duplicates("obs_id")
    known = sorted(evidence["persona"].dropna().unique())
    if persona not in known:
        raise ParameterError("persona", persona, expected=[ALL_PERSONAS, *known])
    return evidence[evidence["persona"] == persona]


def sentiment_trend(evidence: pd.DataFrame, *, freq: str = "M", persona: str = ALL_PERSONAS,
                    unit: str = "customer", min_n: int = 10, n_boot: int = 1000,
                    seed: int = 0) -> pd.DataFrame:
    """Valence per stage and period (month by default): is a stage getting better or worse?

    Parameters
    ----------
    evidence : pandas.DataFrame
        Output of :func:`~jmtools.analyses.emotions.emotion_evidence` (rows without a
        timestamp are not used, nor behaviour still open at the data's end: :func:`open_at_end`).
    freq : str, default "M"
        A pandas period alias: ``"M"`` month, ``"W"`` week, ``"Q"`` quarter.
    persona : str, default "all"
    unit : {"customer", "evidence"}, default "customer"
        As in :func:`~jmtools.analyses.emotions.emotion_curve`: average each customer's evidence in the
        period first, or count every piece.
    min_n : int, default 10
        Periods with fewer observations are flagged ``low_evidence``.
    n_boot, seed : int
        Bootstrap resamples and seed.

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``stage`` (ordered categorical), ``period`` (the period's start,
        a timestamp), ``valence`` (mean), ``n`` (observations, see ``unit``), ``ci_low``, ``ci_high``,
        ``n_customers`` (distinct customers; missing when the evidence names no customers),
        ``sources`` (pieces of evidence per source, as in the curve: ``behaviour (n=40)``; empty
        without evidence, or when the evidence names no source), ``low_evidence``; every
        stage × period between the first and last evidence, with n = 0 where a stage had none.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("abc"), "obs_id": range(3), "persona": pd.NA,
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-03-02"]),
    ...     "stage": pd.Categorical(["A", "A", "B"], categories=["A", "B"], ordered=True),
    ...     "valence": [1.0, 0.0, -1.0], "source": "feedback", "evidence": "reported"})
    >>> sentiment_trend(ev)[["stage", "period", "valence", "n"]]
      stage     period  valence  n
    0     A 2026-01-01      0.5  2
    1     A 2026-02-01      NaN  0
    2     A 2026-03-01      NaN  0
    3     B 2026-01-01      NaN  0
    4     B 2026-02-01      NaN  0
    5     B 2026-03-01     -1.0  1
    """
    _check_options("mean", min_n, "stage", unit, n_boot, seed)
    ev = _persona_subset(_followed_up(evidence), persona)
    ev = ev[ev["timestamp"].notna()]
    try:
        period = pd.to_datetime(ev["timestamp"]).dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise ParameterError("freq", freq, expected="a pandas period alias such as 'M', 'W', 'Q'") from exc
    stages = list(evidence["stage"].cat.categories)
    periods = (pd.period_range(period.min(), period.max(), freq=freq) if len(period)
               else pd.PeriodIndex([], freq=freq))
    groups = {k: g for k, g in ev.assign(_p=period).groupby(["stage", "_p"], observed=True)}
    rows = []
    for stage in stages:
        for p in periods:
            grp = groups.get((stage, p), ev.iloc[:0])
            who = int(grp["customer_id"].nunique()) if "customer_id" in grp else np.nan
            said = _sources(grp["source"]) if "source" in grp else ""  # pieces, as the curve's (D200)
            if unit == "customer":
                grp = grp.groupby("customer_id", sort=False)[["valence"]].mean()
            vals = grp["valence"].to_numpy(dtype=float)
            low, high = _bootstrap(vals, "mean", n_boot, seed)
            rows.append((persona, stage, p.start_time, vals.mean() if vals.size else np.nan,
                         vals.size, low, high, who, said))
    out = pd.DataFrame(rows, columns=["persona", "stage", "period", "valence", "n", "ci_low",
                                      "ci_high", "n_customers", "sources"])
    out["stage"] = pd.Categorical(out["stage"], categories=stages, ordered=True)
    out["period"] = pd.to_datetime(out["period"])
    out["n"] = out["n"].astype(int)
    out["low_evidence"] = out["n"] < min_n
    out.attrs.update(unit=unit, min_n=min_n, freq=freq)
    return out


def trend_slopes(evidence: pd.DataFrame, *, persona: str = ALL_PERSONAS,
                 unit_days: float = 30.4375) -> pd.DataFrame:
    """Linear trend of valence per stage: change per month, with a 95% interval.

    Ordinary least squares of each piece of evidence's valence on its time; the
    interval is slope ± 1.96 standard errors (normal approximation).

    Parameters
    ----------
    evidence : pandas.DataFrame
        Output of :func:`~jmtools.analyses.emotions.emotion_evidence` (behaviour still open at the
        data's end left out: :func:`open_at_end`).
    persona : str, default "all"
    unit_days : float, default 30.4375
        Length of the time unit of the slope (a mean month).

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``stage``, ``slope_per_month``, ``ci_low``, ``ci_high``, ``n``,
        ``direction`` (``improving`` / ``worsening`` when the interval
        excludes 0, else ``no clear trend``; ``too little evidence`` below 3 points) and
        ``n_customers`` (distinct customers; missing when the evidence names no customers).

    Examples
    --------
    >>> t = pd.to_datetime("2026-01-01") + pd.to_timedelta(np.arange(60) * 3, "D")
    >>> ev = pd.DataFrame({"obs_id": range(60), "persona": pd.NA, "timestamp": t,
    ...     "stage": pd.Categorical(["A"] * 60, categories=["A", "B"], ordered=True),
    ...     "valence": np.linspace(-1, 1, 60)})
    >>> trend_slopes(ev)[["stage", "n", "direction"]]
      stage   n           direction
    0     A  60           improving
    1     B   0  too little evidence
    """
    ev = _persona_subset(_followed_up(evidence), persona)
    ev = ev[ev["timestamp"].notna()]
    rows = []
    for stage in evidence["stage"].cat.categories:
        g = ev[ev["stage"] == stage]
        x = (pd.to_datetime(g["timestamp"]) - pd.Timestamp("1970-01-01")).dt.total_seconds()
        x, y = x.to_numpy() / 86400 / unit_days, g["valence"].to_numpy(dtype=float)
        slope = lo = hi = np.nan
        if len(x) >= 3 and np.ptp(x) > 0:
            xc = x - x.mean()
            slope = float((xc * (y - y.mean())).sum() / (xc ** 2).sum())
            resid = y - y.mean() - slope * xc
            se = float(np.sqrt((resid ** 2).sum() / (len(x) - 2) / (xc ** 2).sum()))
            lo, hi = slope - Z95 * se, slope + Z95 * se
        direction = ("too little evidence" if np.isnan(slope) else "improving" if lo > 0
                     else "worsening" if hi < 0 else "no clear trend")
        who = int(g["customer_id"].nunique()) if "customer_id" in g else np.nan
        rows.append((persona, stage, slope, lo, hi, len(x), direction, who))
    out = pd.DataFrame(rows, columns=["persona", "stage", "slope_per_month", "ci_low", "ci_high",
                                      "n", "direction", "n_customers"])
    out["stage"] = pd.Categorical(out["stage"], categories=evidence["stage"].cat.categories,
                                  ordered=True)
    return out
