"""Intervals for the numbers jmtools shows: Wilson for rates, bootstrap for means.

Every estimate a user sees carries its n and a 95% interval computed here, so the
method is the same across funnels, KPIs, emotion curves and pain points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["Z95", "FOLLOW_UP_SHARE", "wilson_interval", "difference_interval", "bootstrap_ci", "bootstrap_mean_ci", "follow_up_window",
           "still_open"]

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054

#: Share of the customers who take a next step that the follow-up window waits for (D190).
FOLLOW_UP_SHARE = 0.99

#: Bootstrap resamples are drawn in blocks of about this many values (~2 MB of indices, and
#: as much for the resampled values). The draws do not depend on the block size (NumPy's
#: generator gives the same integers in one call or in several), only the memory does: blocks
#: that fit in memory the process already holds are not paid for again in page faults (16 MB
#: blocks cost 0.1–0.3 CPU-s of system time in a report on a virtual machine).
_BLOCK_CELLS = 250_000


def wilson_interval(successes, n, *, z: float = Z95):
    """Wilson score interval for a proportion; works on scalars and arrays.

    Parameters
    ----------
    successes, n : int or array-like
        Counts of successes and trials. Where ``n`` is 0 the bounds are NaN.
    z : float, default 1.96
        Normal quantile (1.96 for 95%).

    Returns
    -------
    (low, high) : tuple of float or of numpy arrays
        Bounds in [0, 1].

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(float(low), 3), round(float(high), 3)
    (0.49, 0.943)
    >>> wilson_interval(0, 0)
    (nan, nan)
    >>> wilson_interval(320, 320)[1], wilson_interval(0, 30)[0]
    (1.0, 0.0)
    """
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
        # exactly 0 and 1 at the ends (rounding gave 0.9999999999999999 for 320 of 320)
        low = np.where(m > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1)), np.nan)
        high = np.where(m > 0, np.where(k >= m, 1.0, np.clip(centre + half, 0, 1)), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def difference_interval(value: float, baseline: float, z: float) -> tuple[float, float, float]:
    """A comparison's difference and its 95% interval, from the z statistic the comparison made.

    The standard error is recovered as ``|difference / z|`` (D228), so any two-group test
    that reports its z (a pooled proportion test, Welch's test) gives an interval here.

    Parameters
    ----------
    value, baseline : float
        The group's value and the value it is compared with.
    z : float
        The comparison's z statistic: the difference over its standard error.

    Returns
    -------
    (difference, low, high) : tuple of float
        ``value - baseline`` and its 95% bounds; all NaN when a number is missing or ``z`` is 0.

    Examples
    --------
    >>> diff, low, high = difference_interval(0.30, 0.20, 2.0)
    >>> round(diff, 3), round(low, 3), round(high, 3)
    (0.1, 0.002, 0.198)
    >>> difference_interval(0.30, 0.20, 0.0)
    (nan, nan, nan)
    """
    if not (np.isfinite(value) and np.isfinite(baseline) and np.isfinite(z)) or z == 0:
        return np.nan, np.nan, np.nan
    diff = value - baseline
    half = Z95 * abs(diff / z)
    return diff, diff - half, diff + half


def bootstrap_ci(values, statistic=np.mean, *, n_boot: int = 2000, level: float = 0.95,
                 seed: int = 0):
    """Percentile bootstrap interval of ``statistic`` over ``values``.

    Parameters
    ----------
    values : array-like of float
        The observations (NaN are dropped).
    statistic : callable, default numpy.mean
        Reduces a 2-D array along ``axis=1`` (``np.mean``, ``np.median``…).
    n_boot : int, default 2000
        Resamples.
    level : float, default 0.95
        Interval coverage.
    seed : int, default 0
        Seed, so the same data always gives the same interval.

    Returns
    -------
    (low, high) : tuple of float
        NaN when there are no values; the value itself when there is one.

    Examples
    --------
    >>> low, high = bootstrap_ci([1, 2, 3, 4, 5])
    >>> 1.5 < low < 3 < high < 4.5
    True
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan"), float("nan")
    if x.size == 1:
        return float(x[0]), float(x[0])
    rng = np.random.default_rng(seed)
    # resample in blocks so memory stays near _BLOCK_CELLS values whatever the sample size
    per_block = max(1, _BLOCK_CELLS // x.size)
    stats = np.concatenate([
        statistic(x[rng.integers(0, x.size, size=(min(per_block, n_boot - start), x.size))], axis=1)
        for start in range(0, n_boot, per_block)])
    alpha = (1 - level) / 2
    return float(np.quantile(stats, alpha)), float(np.quantile(stats, 1 - alpha))


def bootstrap_mean_ci(frame: pd.DataFrame, value_col: str, by: list[str] | str, *,
                      n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Mean, n and bootstrap interval of ``value_col`` per group.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``mean``, ``n``, ``ci_low``, ``ci_high``; one row per group
        (categorical groups keep unobserved categories as rows with n = 0).

    Examples
    --------
    >>> df = pd.DataFrame({"stage": ["a", "a", "b"], "v": [1.0, 2.0, -1.0]})
    >>> bootstrap_mean_ci(df, "v", "stage")[["stage", "mean", "n"]]
      stage  mean  n
    0     a   1.5  2
    1     b  -1.0  1
    """
    by = [by] if isinstance(by, str) else list(by)
    rows = []
    for key, grp in frame.groupby(by, observed=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        vals = grp[value_col].to_numpy(dtype=float)
        vals = vals[~np.isnan(vals)]
        low, high = bootstrap_ci(vals, n_boot=n_boot, level=level, seed=seed)
        rows.append((*key, float(vals.mean()) if vals.size else float("nan"), int(vals.size),
                     low, high))
    return pd.DataFrame(rows, columns=[*by, "mean", "n", "ci_low", "ci_high"])


def follow_up_window(hours, *, share: float = FOLLOW_UP_SHARE, min_n: int = 5) -> float:
    """Hours within which ``share`` of the customers who took the next step took it.

    A customer who reached a step less than this long before the data's end has not had the
    time most take to go on: "has not gone on" is then "still open", not "lost" (D190).

    Parameters
    ----------
    hours : array-like
        Time from a step to the next, in hours, of the customers who went on.
    share : float, default :data:`FOLLOW_UP_SHARE`
        The quantile taken (0.99: the time within which 99% of those who go on do so; 0.95 left
        a tail of late steps that a step nearly everyone takes read as a drop).
    min_n : int, default 5
        Fewer times than this give no window (NaN): too few to measure one.

    Returns
    -------
    float
        The window in hours, or NaN.

    Examples
    --------
    >>> follow_up_window([1, 2, 3, 4, 100], share=0.5)
    3.0
    >>> follow_up_window([1, 2])
    nan
    """
    values = pd.to_numeric(pd.Series(hours, dtype=float), errors="coerce").dropna().to_numpy()
    if values.size < max(min_n, 1):
        return float("nan")
    return float(np.quantile(values, share))


def still_open(reached, went_on, end, *, share: float = FOLLOW_UP_SHARE, groups=None) -> dict | None:
    """Who reached a step too recently to judge: the customers still open at the data's end (D190).

    The follow-up window is :func:`follow_up_window` of the times of those who went on; the
    customers who reached the step within it before ``end`` are "recent". When any recent
    customer has not gone on, all recent customers are to be left out of a conversion — those
    who went on too, so that a late period is not flattered by its fast finishers.

    Parameters
    ----------
    reached, went_on : array-like of datetime
        Per customer, when they reached the step and when they reached the next (NaT: not yet).
    end : datetime
        The data's end (its latest event).
    share : float, default :data:`FOLLOW_UP_SHARE`
    groups : array-like, optional
        A group per customer (a persona): a group waits its own time (D261). A group of which 5
        or more went on has its own window; a group of which none went on within the data has
        not been seen to go on at all, so all its customers are left out (it may not be due yet:
        an annual plan does not renew within four months); a group of 1–4, and customers of no
        group (missing), take everyone's window.

    Returns
    -------
    dict or None
        None when nothing is left out (no window: fewer than 5 went on; or every recent
        customer went on); else ``window_hours``, ``share``, ``since`` (customers who reached the
        step after it are left out), ``end``, ``recent`` (a boolean array, per customer),
        ``left_out`` (how many are recent) and ``open`` (of them, how many had not gone on); with
        ``groups``, also ``by_group``: per group whose cut-off is not everyone's, its
        ``[since, window_hours, went]`` (``went`` of its customers went on: 0 for a group left out
        whole, whose ``window_hours`` is then the data's span since its first customer, not a
        measured wait); empty when every group takes everyone's window.

    Examples
    --------
    >>> t = pd.Timestamp("2026-01-01") + pd.to_timedelta(range(0, 100, 10), "D")
    >>> nxt = pd.Series(t + pd.Timedelta(days=5)).where(pd.Series(range(10)) < 9)
    >>> out = still_open(t, nxt, t[-1])
    >>> out["window_hours"], out["left_out"], out["open"], out["recent"].tolist()[-2:]
    (120.0, 1, 1, [False, True])
    >>> annual = still_open(t, nxt.where(pd.Series(range(10)) < 5), t[-1], groups=["m"] * 5 + ["a"] * 5)
    >>> annual["left_out"], annual["open"], annual["by_group"]["a"][1:]
    (5, 5, [961.0, 0])
    """
    reached, went_on = pd.to_datetime(pd.Series(reached)), pd.to_datetime(pd.Series(went_on))
    went = went_on.notna().to_numpy()
    hours = ((went_on - reached).dt.total_seconds() / 3600).to_numpy()
    window = follow_up_window(hours[went], share=share)
    if np.isnan(window):
        return None
    end = pd.Timestamp(end)
    since = end - pd.Timedelta(hours=window)
    recent = (reached > since).to_numpy().copy()
    by_group = {}
    if groups is not None:
        groups = pd.Series(groups, dtype=object).fillna("").astype(str).to_numpy()
        for g in pd.unique(groups[groups != ""]):         # customers of no group: everyone's window
            mine = groups == g
            own = (follow_up_window(hours[mine & went], share=share) if (mine & went).any()
                   else (end - reached[mine].min()).total_seconds() / 3600 + 1)   # none went on: all of them
            if np.isnan(own) or own == window:
                continue                    # 1–4 went on: too few to measure a wait, everyone's window
            by_group[g] = [end - pd.Timedelta(hours=own), float(own), int((mine & went).sum())]
            recent[mine] = (reached[mine] > by_group[g][0]).to_numpy()
    waiting = int((recent & ~went).sum())
    if not waiting:
        return None
    out = {"window_hours": window, "share": share, "since": since, "end": end, "recent": recent,
           "left_out": int(recent.sum()), "open": waiting}
    return {**out, "by_group": by_group} if groups is not None else out
