"""The two-sample tests against scipy (statsmodels is not installed): same p-values, intervals
and effect sizes for the same inputs, and intervals that cover the truth as often as they say."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as ss

from jmtools.analyses.compare import (bh_adjust, two_means, two_medians, two_nps, two_proportions)
from jmtools.analyses.compare.twosample import t_quantile, t_sf
from jmtools.core.errors import ParameterError


@pytest.mark.parametrize("k_a,n_a,k_b,n_b", [(40, 100, 60, 100), (3, 50, 9, 60), (120, 400, 100, 380),
                                             (0, 30, 4, 30), (250, 1000, 250, 1000)])
def test_two_proportions_p_is_the_chi_square_test_without_correction(k_a, n_a, k_b, n_b):
    d = two_proportions(k_a, n_a, k_b, n_b)
    table = [[k_a, n_a - k_a], [k_b, n_b - k_b]]
    p = ss.chi2_contingency(table, correction=False)[1]
    assert d.p_value == pytest.approx(p, rel=1e-9, abs=1e-12)
    assert d.diff == pytest.approx(k_b / n_b - k_a / n_a)
    assert d.effect_size == pytest.approx(2 * math.asin(math.sqrt(k_b / n_b)) - 2 * math.asin(math.sqrt(k_a / n_a)))
    assert d.ci_low <= d.diff <= d.ci_high


def test_newcombe_interval_by_hand_from_scipy_wilson():
    k_a, n_a, k_b, n_b = 56, 70, 48, 80
    ci_a = ss.binomtest(k_a, n_a).proportion_ci(method="wilson")
    ci_b = ss.binomtest(k_b, n_b).proportion_ci(method="wilson")
    pa, pb = k_a / n_a, k_b / n_b
    low = (pb - pa) - math.sqrt((pb - ci_b.low) ** 2 + (ci_a.high - pa) ** 2)
    high = (pb - pa) + math.sqrt((ci_b.high - pb) ** 2 + (pa - ci_a.low) ** 2)
    d = two_proportions(k_a, n_a, k_b, n_b)
    assert (d.ci_low, d.ci_high) == pytest.approx((low, high), abs=1e-9)


def test_welch_matches_scipy_ttest_and_its_interval():
    rng = np.random.default_rng(3)
    for n_a, n_b in ((12, 9), (60, 200), (400, 380)):
        a, b = rng.integers(1, 6, n_a), np.clip(rng.integers(1, 6, n_b) + rng.integers(0, 2, n_b), 1, 5)
        d = two_means(a, b)
        ref = ss.ttest_ind(b, a, equal_var=False)
        ci = ref.confidence_interval()
        assert d.p_value == pytest.approx(ref.pvalue, rel=1e-8)
        assert (d.ci_low, d.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-8)


def test_student_t_matches_scipy():
    for df in (1, 2.5, 7, 30.3, 400, 1e5):
        for t in (0.1, 1.0, 2.0, 4.5):
            assert t_sf(t, df) == pytest.approx(ss.t.sf(t, df), rel=1e-9)
        assert t_quantile(0.975, df) == pytest.approx(ss.t.ppf(0.975, df), rel=1e-9)


def test_nps_difference_is_the_mean_difference_of_the_minus_one_zero_one_coding():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 11, 300), np.clip(rng.integers(0, 11, 320) + 1, 0, 10)
    d = two_nps(a, b)
    code = lambda s: np.where(s >= 9, 1, np.where(s <= 6, -1, 0))  # noqa: E731
    assert d.a == pytest.approx(100 * code(a).mean()) and d.b == pytest.approx(100 * code(b).mean())
    # its variance is the coded variance with n (not n − 1): the Welch test on the coding agrees closely
    ref = ss.ttest_ind(code(b), code(a), equal_var=False)
    assert d.p_value == pytest.approx(ref.pvalue, rel=0.02)
    se = 100 * math.sqrt(code(a).var() / a.size + code(b).var() / b.size)
    assert d.se == pytest.approx(se)


def test_medians_bootstrap_is_seeded_and_rank_biserial_matches_mann_whitney():
    rng = np.random.default_rng(8)
    a, b = rng.exponential(10, 250), rng.exponential(8, 220)
    d = two_medians(a, b, seed=4)
    assert d == two_medians(a, b, seed=4)
    u = ss.mannwhitneyu(b, a).statistic
    assert d.effect_size == pytest.approx(2 * u / (a.size * b.size) - 1)
    assert d.ci_low < d.diff < d.ci_high
    with pytest.raises(ParameterError, match="n_boot"):
        two_medians(a, b, n_boot=10)


def test_bh_matches_scipy_false_discovery_control():
    p = np.random.default_rng(2).random(40) ** 2
    assert bh_adjust(p) == pytest.approx(ss.false_discovery_control(p))
    with_nan = np.r_[p[:5], np.nan]
    assert np.isnan(bh_adjust(with_nan)[-1])
    assert bh_adjust(with_nan)[:5] == pytest.approx(ss.false_discovery_control(p[:5]))


def test_intervals_cover_the_truth_as_often_as_they_say():
    """400 simulated pairs of groups per test: the 95% intervals cover the true difference
    91–99% of the time (a binomial band around 95%)."""
    rng = np.random.default_rng(11)
    hits = {"rate": 0, "mean": 0, "nps": 0, "median": 0}
    runs = 400
    nps_p = np.r_[np.full(7, 0.05), 0.1, 0.1, 0.2, 0.25]; nps_p /= nps_p.sum()
    nps_q = np.r_[np.full(7, 0.04), 0.1, 0.1, 0.22, 0.3]; nps_q /= nps_q.sum()
    true_nps = 100 * ((nps_q[9:].sum() - nps_q[:7].sum()) - (nps_p[9:].sum() - nps_p[:7].sum()))
    for _ in range(runs):
        ka, kb = rng.binomial(300, 0.3), rng.binomial(300, 0.36)
        d = two_proportions(ka, 300, kb, 300)
        hits["rate"] += d.ci_low <= 0.06 <= d.ci_high
        d = two_means(rng.integers(1, 6, 150), rng.integers(1, 6, 150) + (rng.random(150) < 0.2))
        hits["mean"] += d.ci_low <= 0.2 <= d.ci_high
        d = two_nps(rng.choice(11, 400, p=nps_p), rng.choice(11, 400, p=nps_q))
        hits["nps"] += d.ci_low <= true_nps <= d.ci_high
    for _ in range(100):  # medians: exponential with medians 10·ln2 and 8·ln2
        d = two_medians(rng.exponential(10, 300), rng.exponential(8, 300), n_boot=500, seed=int(rng.integers(1e6)))
        hits["median"] += d.ci_low <= -2 * math.log(2) <= d.ci_high
    for kind in ("rate", "mean", "nps"):
        assert 0.91 <= hits[kind] / runs <= 0.99, (kind, hits[kind] / runs)
    assert 0.85 <= hits["median"] / 100 <= 1.0, hits["median"]
