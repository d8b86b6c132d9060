"""Power statements against scipy (statsmodels is not installed here, so the hand formulas are
checked against scipy's distributions, the noncentral t that statsmodels' TTestIndPower uses,
and simulated tests)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.optimize as so
import scipy.stats as ss

from jmtools.analyses.compare import (cohen_h, detectable_change, effect_for_change, n_per_group,
                                      power_at)
from jmtools.core.errors import ParameterError


def _scipy_normal_power(es, n_a, n_b, alpha=0.05):
    """statsmodels' NormalIndPower.power, written with scipy: both tails, m = 1/(1/n_a + 1/n_b)."""
    z = ss.norm.isf(alpha / 2)
    shift = es * math.sqrt(1 / (1 / n_a + 1 / n_b))
    return ss.norm.sf(z - shift) + ss.norm.cdf(-z - shift)


def _scipy_t_power(d, n, alpha=0.05):
    """Exact power of the two-sample t test with equal groups (TTestIndPower): noncentral t."""
    df, nc = 2 * n - 2, d * math.sqrt(n / 2)
    crit = ss.t.isf(alpha / 2, df)
    lower = ss.nct.sf(crit, df, -nc)  # P(T < −crit) with noncentrality nc, by symmetry
    return ss.nct.sf(crit, df, nc) + (lower if np.isfinite(lower) else 0.0)


@pytest.mark.parametrize("es,n_a,n_b,alpha", [(0.2, 393, 393, 0.05), (0.1, 1000, 400, 0.05),
                                              (0.5, 30, 60, 0.01), (0.03, 50, 50, 0.1)])
def test_power_is_the_normal_power_scipy_computes(es, n_a, n_b, alpha):
    assert power_at(es, n_a, n_b, alpha=alpha) == pytest.approx(_scipy_normal_power(es, n_a, n_b, alpha), rel=1e-10)


@pytest.mark.parametrize("es,power,alpha", [(0.2, 0.8, 0.05), (0.5, 0.9, 0.05), (0.05, 0.8, 0.01),
                                            (1.2, 0.95, 0.1)])
def test_n_per_group_solves_the_scipy_power_equation(es, power, alpha):
    n = n_per_group(es, power=power, alpha=alpha)
    ref = so.brentq(lambda m: _scipy_normal_power(es, m, m, alpha) - power, 1e-6, 1e7, xtol=1e-12)
    assert n == pytest.approx(ref, rel=1e-9)


def test_textbook_value_for_cohens_h():
    """h = 0.2, α = 0.05, power 0.8: 392.44 per group (statsmodels NormalIndPower gives the same)."""
    assert n_per_group(0.2) == pytest.approx(392.443, abs=1e-3)
    assert cohen_h(0.4, 0.6) == pytest.approx(2 * math.asin(math.sqrt(0.6)) - 2 * math.asin(math.sqrt(0.4)))


@pytest.mark.parametrize("d", [0.2, 0.35, 0.5, 0.8])
def test_means_the_normal_answer_is_within_two_customers_of_the_exact_t_answer(d):
    ours = n_per_group(d)
    exact = so.brentq(lambda n: _scipy_t_power(d, n) - 0.8, 3, 5000)
    assert 0 <= exact - ours <= 2, (ours, exact)


def test_simulated_tests_reach_the_promised_power():
    """At the n we say, 4,000 simulated two-proportion z tests (30% → 38%) reject 80% ± 2%."""
    p_a, p_b = 0.30, 0.38
    n = math.ceil(n_per_group(effect_for_change(0.08, kind="rate", baseline=p_a)))
    rng = np.random.default_rng(0)
    k_a, k_b = rng.binomial(n, p_a, 4000), rng.binomial(n, p_b, 4000)
    pooled = (k_a + k_b) / (2 * n)
    z = (k_b - k_a) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    rejected = np.mean(2 * ss.norm.sf(np.abs(z)) < 0.05)
    assert 0.78 <= rejected <= 0.83, (n, rejected)


def test_detectable_change_is_the_inverse_of_power():
    for n_a, n_b, base in ((400, 400, 0.3), (120, 300, 0.8), (2000, 1500, 0.05)):
        change = detectable_change(n_a, n_b, kind="rate", baseline=base)
        assert power_at(abs(cohen_h(base, base + change)), n_a, n_b) == pytest.approx(0.8, abs=1e-9)
    assert power_at(detectable_change(100, 80, kind="scale", sd=2.0) / 2.0, 100, 80) == pytest.approx(0.8)


def test_bad_levels_are_parameter_errors():
    with pytest.raises(ParameterError, match="alpha"):
        n_per_group(0.2, alpha=1.5)
    with pytest.raises(ParameterError, match="power"):
        n_per_group(0.2, power=1)
    with pytest.raises(ParameterError, match="kind"):
        effect_for_change(0.1, kind="ratio")
    assert n_per_group(0) == math.inf
