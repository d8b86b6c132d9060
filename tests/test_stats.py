"""Intervals: Wilson for rates, bootstrap for means — against independent computations."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from jmtools.core import stats
from jmtools.core.stats import bootstrap_ci, bootstrap_mean_ci, wilson_interval


def _wilson_by_hand(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (10, 10), (480, 1000), (1, 3)])
def test_wilson_matches_the_formula(k, n):
    assert wilson_interval(k, n) == pytest.approx(_wilson_by_hand(k, n))


def test_wilson_on_arrays_and_zero_trials():
    low, high = wilson_interval(np.array([0, 5]), np.array([0, 10]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert (low[1], high[1]) == pytest.approx(_wilson_by_hand(5, 10))


def test_wilson_is_exactly_1_when_all_succeed_and_0_when_none_do():
    n = np.arange(1, 2000)                  # rounding left 612 of these upper bounds below 1
    low, high = wilson_interval(n, n)
    assert (high == 1.0).all() and (low < 1).all()
    low, high = wilson_interval(np.zeros_like(n), n)
    assert (low == 0.0).all() and (high > 0).all()


def test_bootstrap_is_seeded_and_narrows_with_n():
    rng = np.random.default_rng(1)
    small, large = rng.normal(size=20), rng.normal(size=2000)
    assert bootstrap_ci(small, seed=3) == bootstrap_ci(small, seed=3)
    width = lambda ci: ci[1] - ci[0]  # noqa: E731
    assert width(bootstrap_ci(large)) < width(bootstrap_ci(small)) / 4
    low, high = bootstrap_ci(large)
    assert low < large.mean() < high


def test_bootstrap_memory_stays_bounded_for_large_samples():
    values = np.random.default_rng(0).normal(size=200_000)
    tracemalloc.start()
    low, high = bootstrap_ci(values, n_boot=500)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100e6, f"peak {peak / 1e6:.0f} MB"  # one full matrix would be 800 MB
    se = values.std() / math.sqrt(values.size)
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.2)


def test_blocks_give_a_seeded_equivalent_interval(monkeypatch):
    values = np.arange(50, dtype=float)
    whole = bootstrap_ci(values, n_boot=300)
    monkeypatch.setattr(stats, "_BLOCK_CELLS", 50 * 7)  # 7 resamples per block
    blocked = bootstrap_ci(values, n_boot=300)
    assert blocked == bootstrap_ci(values, n_boot=300)  # seeded: same blocks, same interval
    assert blocked == whole  # the generator draws the same integers in blocks as in one call


@pytest.mark.parametrize("size, per_block", [(51, 7), (1543, 1), (1543, 165), (2, 999)])
def test_the_interval_does_not_depend_on_the_block_size(monkeypatch, size, per_block):
    """Blocks only bound the memory (_BLOCK_CELLS): odd blocks, one resample per block and more
    resamples than n_boot per block give the interval of one block, exactly."""
    values = np.random.default_rng(size).normal(size=size)
    monkeypatch.setattr(stats, "_BLOCK_CELLS", 10**12)
    whole = bootstrap_ci(values), bootstrap_ci(values, np.median, seed=4)
    monkeypatch.setattr(stats, "_BLOCK_CELLS", size * per_block)
    assert (bootstrap_ci(values), bootstrap_ci(values, np.median, seed=4)) == whole


def test_bootstrap_mean_ci_matches_pandas_and_keeps_empty_groups():
    frame = pd.DataFrame({"stage": pd.Categorical(["a", "a", "b"], categories=["a", "b", "c"]),
                          "v": [1.0, 3.0, -1.0]})
    out = bootstrap_mean_ci(frame, "v", "stage")
    expected = frame.groupby("stage", observed=False)["v"].agg(["mean", "count"]).reset_index()
    assert out["stage"].tolist() == ["a", "b", "c"]
    assert out["n"].tolist() == expected["count"].tolist()
    pd.testing.assert_series_equal(out["mean"], expected["mean"], check_names=False)
    assert out.loc[2, "n"] == 0 and np.isnan(out.loc[2, "ci_low"])
