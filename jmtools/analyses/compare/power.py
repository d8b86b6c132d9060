"""Power and sample size: how many customers a comparison needs to see a change of a given size.

The statements are those of a two-sided test at level ``alpha`` with the normal
approximation, for two groups (the same as statsmodels' ``NormalIndPower``)::

    power(es, n_a, n_b) = Φ(es·√m − z) + Φ(−es·√m − z),   m = 1 / (1/n_a + 1/n_b),  z = z₁₋α/₂

``es`` is a standardised effect: Cohen's h for rates (the arcsine scale, where one
observation has variance 1), and ``change / sd`` for means, NPS and medians (``sd`` of one
observation; for medians the bootstrap standard error scaled to one observation). Equal
groups need ``n = 2 x² / es²`` each, where ``x`` solves Φ(x − z) + Φ(−x − z) = power (about
z + z_power: the second tail is tiny). statsmodels is not a dependency: the tests check these numbers against
scipy's normal and noncentral t distributions and against simulated tests.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from jmtools.core.errors import ParameterError

__all__ = ["power_at", "n_per_group", "cohen_h", "effect_for_change", "detectable_change"]

_NORMAL = NormalDist()


def _check(alpha: float, power: float | None = None) -> None:
    if not 0 < alpha < 1:
        raise ParameterError("alpha", alpha, expected="a level strictly between 0 and 1",
                             fix="use 0.05")
    if power is not None and not 0 < power < 1:
        raise ParameterError("power", power, expected="a probability strictly between 0 and 1",
                             fix="use 0.8")


def power_at(effect_size: float, n_a: float, n_b: float | None = None, *, alpha: float = 0.05) -> float:
    """Chance that a two-sided test at level ``alpha`` detects ``effect_size`` with these groups.

    Examples
    --------
    >>> round(power_at(0.2, 393), 3)
    0.801
    >>> round(power_at(0.5, 64, 64, alpha=0.05), 3)
    0.807
    """
    _check(alpha)
    n_b = n_a if n_b is None else n_b
    if n_a <= 0 or n_b <= 0 or not math.isfinite(effect_size):
        return float("nan")
    z = _NORMAL.inv_cdf(1 - alpha / 2)
    shift = abs(effect_size) * math.sqrt(1 / (1 / n_a + 1 / n_b))
    return _NORMAL.cdf(shift - z) + _NORMAL.cdf(-shift - z)


def n_per_group(effect_size: float, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Customers per group (equal groups) for a two-sided test to reach ``power``.

    Returns a float, like statsmodels; round it up to plan. ``inf`` for an effect of 0.

    Examples
    --------
    >>> round(n_per_group(0.2), 2)      # Cohen's h = 0.2: the textbook 392
    392.44
    >>> round(n_per_group(0.5, power=0.9), 1)
    84.1
    """
    _check(alpha, power)
    es = abs(effect_size)
    if not math.isfinite(es) or es == 0:
        return float("inf")
    return 2 * (_shift(alpha, power) / es) ** 2


def _shift(alpha: float, power: float) -> float:
    """The standardised shift x with Φ(x − z) + Φ(−x − z) = power (z = z₁₋α/₂): fixed point
    from the one-tailed x = z + z_power (the second tail is tiny, so a few steps converge)."""
    z = _NORMAL.inv_cdf(1 - alpha / 2)
    x = z + _NORMAL.inv_cdf(power)
    for _ in range(50):
        rest = power - _NORMAL.cdf(-x - z)
        if rest <= 0:          # the lower tail alone reaches the power: no shift needed
            return 0.0
        new = z + _NORMAL.inv_cdf(rest)
        if abs(new - x) < 1e-13:
            return new
        x = new
    return x


def cohen_h(p_a: float, p_b: float) -> float:
    """Cohen's h between two rates: 2·asin√p_b − 2·asin√p_a.

    Examples
    --------
    >>> round(cohen_h(0.4, 0.6), 4)
    0.4027
    """
    for name, p in (("p_a", p_a), ("p_b", p_b)):
        if not 0 <= p <= 1:
            raise ParameterError(name, p, expected="a rate between 0 and 1")
    return 2 * math.asin(math.sqrt(p_b)) - 2 * math.asin(math.sqrt(p_a))


def effect_for_change(change: float, *, kind: str, baseline: float | None = None,
                      sd: float | None = None) -> float:
    """The standardised effect of a change of ``change`` units.

    Parameters
    ----------
    change : float
        The change of interest, in the number's own units (0.05 = 5 points of a rate).
    kind : {"rate", "scale"}
        ``"rate"``: Cohen's h from ``baseline`` to ``baseline + change`` (clipped to [0, 1]);
        ``"scale"``: ``change / sd``.
    baseline, sd : float
        What the kind needs.

    Examples
    --------
    >>> round(effect_for_change(0.05, kind="rate", baseline=0.30), 4)
    0.1068
    >>> effect_for_change(0.2, kind="scale", sd=0.8)
    0.25
    """
    if kind == "rate":
        if baseline is None or not math.isfinite(baseline):
            return float("nan")
        target = min(1.0, baseline + change) if baseline + change <= 1 else max(0.0, baseline - change)
        return abs(cohen_h(baseline, target))
    if kind == "scale":
        return abs(change) / sd if sd and math.isfinite(sd) and sd > 0 else float("nan")
    raise ParameterError("kind", kind, expected=["rate", "scale"])


def detectable_change(n_a: float, n_b: float, *, kind: str, baseline: float | None = None,
                      sd: float | None = None, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest change these group sizes detect with ``power`` (two-sided, level ``alpha``).

    For rates, the upward change from ``baseline`` whose Cohen's h is detectable; for
    scales, that effect size times ``sd``.

    Examples
    --------
    >>> round(detectable_change(400, 400, kind="rate", baseline=0.30), 3)
    0.094
    >>> round(detectable_change(100, 100, kind="scale", sd=1.0), 3)
    0.396
    """
    _check(alpha, power)
    if n_a <= 0 or n_b <= 0:
        return float("nan")
    es_needed = _shift(alpha, power) * math.sqrt(1 / n_a + 1 / n_b)
    if kind == "scale":
        return es_needed * sd if sd and math.isfinite(sd) else float("nan")
    if kind != "rate":
        raise ParameterError("kind", kind, expected=["rate", "scale"])
    if baseline is None or not math.isfinite(baseline):
        return float("nan")
    angle = 2 * math.asin(math.sqrt(baseline)) + es_needed
    if angle > math.pi:                                 # cannot go up that far: look down
        angle = 2 * math.asin(math.sqrt(baseline)) - es_needed
        return baseline - math.sin(max(angle, 0) / 2) ** 2
    return math.sin(angle / 2) ** 2 - baseline
