"""Two-sample tests, one per kind of number, and Benjamini–Hochberg across a table.

Each test compares a baseline group (``a``: before, control) with a changed group (``b``:
after, test) and returns a :class:`Difference`: the two values, ``b − a``, a 95% interval,
an effect size, a two-sided p-value and the standard error of the difference (which the
power statements of :mod:`jmtools.analyses.compare.power` reuse).

==================  ============================================  ====================
number              test and interval                             effect size
==================  ============================================  ====================
a rate (k of n)     pooled two-proportion z test; Newcombe's      Cohen's h
                    hybrid score interval (from Wilson intervals)
a mean of bounded   Welch's t test (Welch–Satterthwaite degrees   Cohen's d (pooled SD)
scores (CSAT, CES,  of freedom) and its t interval
emotion)
NPS                 z test on % promoters − % detractors with     d on the −1/0/+1 coding
                    its own variance (p₊ + p₋ − (p₊ − p₋)²)/n
a median (time      percentile bootstrap of the difference of     rank-biserial r
between stages)     medians (seeded); p from the same bootstrap   (Mann–Whitney)
==================  ============================================  ====================

Only numpy and the standard library are used; the tests check every number against scipy
(``tests/test_analyses_compare_twosample.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from jmtools.core.errors import ParameterError
from jmtools.core.stats import Z95, wilson_interval

__all__ = ["Difference", "two_proportions", "two_means", "two_nps", "two_medians", "bh_adjust",
           "t_sf", "t_quantile"]

_NORMAL = NormalDist()


@dataclass(frozen=True)
class Difference:
    """The comparison of two groups on one number.

    Attributes
    ----------
    a, b : float
        The value in the baseline group and in the changed group.
    n_a, n_b : int
        Observations behind each value.
    diff : float
        ``b − a`` (for NPS in points, −200..+200).
    ci_low, ci_high : float
        95% interval of ``diff``.
    effect_size : float
        Standardised difference (see :attr:`effect_kind`).
    effect_kind : str
        ``"h"`` (Cohen's h), ``"d"`` (Cohen's d), ``"r"`` (rank-biserial correlation).
    p_value : float
        Two-sided p-value of "no difference".
    se : float
        Standard error of ``diff`` at these group sizes.
    sd : float
        Standard deviation of one observation (pooled), the unit of the effect size; for
        rates the arcsine scale's 1, for medians ``se`` scaled to one observation per group.
    test : str
        The test's name, as shown to readers.
    """

    a: float
    b: float
    n_a: int
    n_b: int
    diff: float
    ci_low: float
    ci_high: float
    effect_size: float
    effect_kind: str
    p_value: float
    se: float
    sd: float
    test: str


def _nan(a, b, n_a, n_b, kind, test) -> Difference:
    nan = float("nan")
    return Difference(a, b, int(n_a), int(n_b), nan, nan, nan, nan, kind, nan, nan, nan, test)


def _z_p(z: float) -> float:
    return 2 * _NORMAL.cdf(-abs(z)) if math.isfinite(z) else float("nan")


def two_proportions(k_a: int, n_a: int, k_b: int, n_b: int) -> Difference:
    """Compare two rates (conversion, drop-off): ``k_a`` of ``n_a`` against ``k_b`` of ``n_b``.

    Pooled two-proportion z test (the same p as a 2×2 chi-square test without continuity
    correction); Newcombe's hybrid score interval for the difference; Cohen's h.

    Examples
    --------
    >>> d = two_proportions(40, 100, 60, 100)
    >>> round(d.diff, 2), round(d.ci_low, 3), round(d.ci_high, 3), round(d.p_value, 4)
    (0.2, 0.061, 0.328, 0.0047)
    >>> round(d.effect_size, 3), d.effect_kind
    (0.403, 'h')
    """
    for name, value in (("k_a", k_a), ("n_a", n_a), ("k_b", k_b), ("n_b", n_b)):
        if value < 0:
            raise ParameterError(name, value, expected="a count of 0 or more")
    if k_a > n_a or k_b > n_b:
        raise ParameterError("k_a" if k_a > n_a else "k_b", k_a if k_a > n_a else k_b,
                             expected="a count no larger than its n")
    test = "two proportions (z)"
    if n_a == 0 or n_b == 0:
        return _nan(k_a / n_a if n_a else float("nan"), k_b / n_b if n_b else float("nan"),
                    n_a, n_b, "h", test)
    pa, pb = k_a / n_a, k_b / n_b
    la, ua = wilson_interval(k_a, n_a)
    lb, ub = wilson_interval(k_b, n_b)
    diff = pb - pa
    low = diff - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = diff + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    pooled = (k_a + k_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    p = _z_p(diff / se0) if se0 > 0 else 1.0
    h = 2 * math.asin(math.sqrt(pb)) - 2 * math.asin(math.sqrt(pa))
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    return Difference(pa, pb, int(n_a), int(n_b), diff, low, high, h, "h", p, se, 1.0, test)


def _values(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float).ravel()
    return arr[~np.isnan(arr)]


def two_means(a, b) -> Difference:
    """Compare the means of two samples of scores (CSAT, CES, emotion): Welch's t test.

    Parameters
    ----------
    a, b : array-like of float
        The observations of each group (NaN dropped).

    Examples
    --------
    >>> d = two_means([3, 4, 4, 5, 2, 4], [4, 5, 5, 5, 4, 3])
    >>> round(d.diff, 3), round(d.p_value, 3), d.test
    (0.667, 0.245, 'Welch t')
    """
    x, y = _values(a, "a"), _values(b, "b")
    test = "Welch t"
    if x.size < 2 or y.size < 2:
        return _nan(x.mean() if x.size else float("nan"), y.mean() if y.size else float("nan"),
                    x.size, y.size, "d", test)
    va, vb = float(x.var(ddof=1)) / x.size, float(y.var(ddof=1)) / y.size
    se = math.sqrt(va + vb)
    diff = float(y.mean() - x.mean())
    sd = math.sqrt(((x.size - 1) * x.var(ddof=1) + (y.size - 1) * y.var(ddof=1))
                   / (x.size + y.size - 2))
    if se == 0:
        p = 1.0 if diff == 0 else 0.0
        return Difference(float(x.mean()), float(y.mean()), x.size, y.size, diff, diff, diff,
                          0.0 if diff == 0 else math.copysign(math.inf, diff), "d", p, 0.0, sd,
                          test)
    df = (va + vb) ** 2 / (va ** 2 / (x.size - 1) + vb ** 2 / (y.size - 1))
    t = float(diff / se)
    half = t_quantile(0.975, df) * se
    return Difference(float(x.mean()), float(y.mean()), x.size, y.size, diff, diff - half,
                      diff + half, diff / sd if sd > 0 else float("nan"), "d",
                      min(1.0, 2 * t_sf(abs(t), df)), se, sd, test)


def two_nps(a, b) -> Difference:
    """Compare the NPS of two samples of 0–10 answers.

    NPS = 100 × (p₊ − p₋) with promoters 9–10 and detractors 0–6. Its variance is
    10,000 × (p₊ + p₋ − (p₊ − p₋)²) / n per group (the two shares come from one
    multinomial), so the difference has a z test and a normal interval of its own.

    Examples
    --------
    >>> d = two_nps([10, 9, 7, 3, 8, 10, 6, 9], [10, 10, 9, 8, 9, 7, 10, 6])
    >>> d.a, d.b, d.diff
    (25.0, 50.0, 25.0)
    """
    x, y = _values(a, "a"), _values(b, "b")
    test = "NPS difference (z)"

    def parts(v):
        pro, det = float(np.mean(v >= 9)), float(np.mean(v <= 6))
        return 100 * (pro - det), pro + det - (pro - det) ** 2

    if x.size == 0 or y.size == 0:
        return _nan(parts(x)[0] if x.size else float("nan"), parts(y)[0] if y.size else float("nan"),
                    x.size, y.size, "d", test)
    na, va = parts(x)
    nb, vb = parts(y)
    se = 100 * math.sqrt(va / x.size + vb / y.size)
    diff = nb - na
    sd = 100 * math.sqrt((va * x.size + vb * y.size) / (x.size + y.size))
    p = _z_p(diff / se) if se > 0 else (1.0 if diff == 0 else 0.0)
    return Difference(na, nb, x.size, y.size, diff, diff - Z95 * se, diff + Z95 * se,
                      diff / sd if sd > 0 else float("nan"), "d", p, se, sd, test)


#: Values resampled per bootstrap block (bounds memory whatever the sample size).
_BLOCK = 2_000_000


def _boot_medians(x: np.ndarray, n_boot: int, rng) -> np.ndarray:
    per = max(1, _BLOCK // x.size)
    return np.concatenate([np.median(x[rng.integers(0, x.size, size=(min(per, n_boot - s), x.size))],
                                     axis=1) for s in range(0, n_boot, per)])


def _rank_biserial(x: np.ndarray, y: np.ndarray) -> float:
    """2 × P(Y > X) + P(Y = X) − 1, from the Mann–Whitney U of ``y`` (ties averaged)."""
    both = np.concatenate([x, y])
    order = np.argsort(both, kind="mergesort")
    ranks = np.empty(both.size)
    sorted_vals = both[order]
    edges = np.flatnonzero(np.r_[True, sorted_vals[1:] != sorted_vals[:-1], True])
    for start, stop in zip(edges[:-1], edges[1:]):
        ranks[order[start:stop]] = (start + stop + 1) / 2
    u_b = ranks[x.size:].sum() - y.size * (y.size + 1) / 2
    return float(2 * u_b / (x.size * y.size) - 1)


def two_medians(a, b, *, n_boot: int = 2000, seed: int = 0) -> Difference:
    """Compare the medians of two samples (time between stages): seeded percentile bootstrap.

    Each group is resampled on its own ``n_boot`` times; the interval is the 2.5 and 97.5
    percentiles of the resampled differences, and the p-value is twice the smaller share of
    resampled differences on either side of 0 (at least 1 / ``n_boot``), so "the interval
    excludes 0" and "p < 0.05" agree. The effect size is the rank-biserial correlation.

    Examples
    --------
    >>> d = two_medians([5.0, 6, 7, 8, 9, 10, 11], [2.0, 3, 4, 5, 6, 7, 8], n_boot=500)
    >>> d.diff, round(d.effect_size, 3), d.test
    (-3.0, -0.673, 'bootstrap of medians')
    """
    if not isinstance(n_boot, int) or n_boot < 100:
        raise ParameterError("n_boot", n_boot, expected="an integer of at least 100",
                             fix="use 2000 (the default) or more")
    x, y = _values(a, "a"), _values(b, "b")
    test = "bootstrap of medians"
    if x.size < 2 or y.size < 2:
        return _nan(float(np.median(x)) if x.size else float("nan"),
                    float(np.median(y)) if y.size else float("nan"), x.size, y.size, "r", test)
    rng = np.random.default_rng(seed)
    boot = _boot_medians(y, n_boot, rng) - _boot_medians(x, n_boot, rng)
    diff = float(np.median(y) - np.median(x))
    low, high = (float(v) for v in np.quantile(boot, [0.025, 0.975]))
    p = min(1.0, max(2 * min(np.mean(boot <= 0), np.mean(boot >= 0)), 1 / n_boot))
    se = float(boot.std(ddof=1))
    sd = se / math.sqrt(1 / x.size + 1 / y.size)
    return Difference(float(np.median(x)), float(np.median(y)), x.size, y.size, diff, low, high,
                      _rank_biserial(x, y), "r", float(p), se, sd, test)


def bh_adjust(p_values) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN stays NaN and is not counted.

    A row is "likely real" at false discovery rate α when its q-value is below α.

    Examples
    --------
    >>> bh_adjust([0.01, 0.04, 0.03, float("nan"), 0.5]).round(3)
    array([0.04 , 0.053, 0.053,   nan, 0.5  ])
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if ok.size == 0:
        return out
    order = ok[np.argsort(p[ok], kind="mergesort")]
    m = ok.size
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


# ------------------------------------------------------------------ Student's t, no scipy
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                    -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def t_sf(t: float, df: float) -> float:
    """Upper tail P(T > t) of Student's t with ``df`` degrees of freedom (df may be fractional).

    Examples
    --------
    >>> round(t_sf(2.0, 10), 6)
    0.036694
    """
    if df > 1e7:
        return _NORMAL.cdf(-t)
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1 - tail


def t_quantile(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (Newton on :func:`t_sf`).

    Examples
    --------
    >>> round(t_quantile(0.975, 10), 4)
    2.2281
    """
    if not 0 < q < 1:
        raise ParameterError("q", q, expected="a probability strictly between 0 and 1")
    if q < 0.5:
        return -t_quantile(1 - q, df)
    t = _NORMAL.inv_cdf(q)               # Newton's method from the normal quantile (t is wider)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(100):
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        step = (t_sf(t, df) - (1 - q)) / density
        t += step
        if abs(step) < 1e-12 * max(1.0, abs(t)):
            break
    return t
