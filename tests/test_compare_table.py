"""The comparison table on hand-made observations: values against plain pandas, the unit is
the customer, Benjamini–Hochberg across the table, verdicts in words, zero and thin groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss

from jmtools.analyses.compare import (COMPARISON_COLUMNS, VERDICTS, compare, split_by_customers,
                                      split_by_date, stack_groups)
from jmtools.core.errors import ParameterError


def _obs(rng, n=600, lift=0.0, answers=1):
    """Conversion and CSAT observations of ``n`` customers in two personas, half before
    2024-06-01; after the date conversion rises by ``lift``."""
    ids = np.array([f"c{i}" for i in range(n)])
    persona = np.where(np.arange(n) % 2, "Ann", "Bob")
    when = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    after = when >= pd.Timestamp("2024-06-01")
    went = rng.random(n) < 0.3 + lift * after
    conv = pd.DataFrame({"measure": "conversion", "customer_id": ids, "persona": persona,
                         "from_step": "Cart", "step": "Paid", "timestamp": when, "value": went.astype(float)})
    csat = pd.DataFrame({"measure": "csat", "customer_id": np.repeat(ids, answers),
                         "persona": np.repeat(persona, answers), "from_step": None, "step": "Paid",
                         "timestamp": np.repeat(when, answers), "value": rng.integers(1, 6, n * answers).astype(float)})
    return pd.concat([conv, csat], ignore_index=True)


def test_values_against_plain_pandas_and_scipy():
    obs = split_by_date(_obs(np.random.default_rng(1), lift=0.15), "2024-06-01")
    table = compare(obs)
    assert list(table.columns) == COMPARISON_COLUMNS
    assert table[["measure", "persona"]].values.tolist() == [
        ["conversion", "all"], ["conversion", "Bob"], ["conversion", "Ann"],
        ["csat", "all"], ["csat", "Bob"], ["csat", "Ann"]]
    for row in table.itertuples():
        mine = obs[(obs["measure"] == row.measure) & ((obs["persona"] == row.persona) | (row.persona == "all"))]
        a = mine.loc[mine["group"] == "before", "value"]
        b = mine.loc[mine["group"] == "after", "value"]
        assert (row.n_a, row.n_b) == (len(a), len(b))
        assert row.value_a == pytest.approx(a.mean()) and row.value_b == pytest.approx(b.mean())
        if row.measure == "csat":
            assert row.p_value == pytest.approx(ss.ttest_ind(b, a, equal_var=False).pvalue)
        else:
            assert row.p_value == pytest.approx(ss.chi2_contingency(
                [[a.sum(), len(a) - a.sum()], [b.sum(), len(b) - b.sum()]], correction=False)[1])
    assert table["q_value"].to_numpy() == pytest.approx(ss.false_discovery_control(table["p_value"]))
    first = table.iloc[0]
    assert first["verdict"] == "improved, likely real"
    assert first["text"].startswith("improved, likely real: conversion Cart → Paid")
    assert set(table["verdict"]) <= set(VERDICTS)


def test_a_customer_who_answers_twice_counts_once():
    obs = split_by_date(_obs(np.random.default_rng(2), answers=3), "2024-06-01")
    table = compare(obs, personas=False)
    csat = table[table["measure"] == "csat"].iloc[0]
    conv = table[table["measure"] == "conversion"].iloc[0]
    assert (csat["n_a"], csat["n_b"]) == (conv["n_a"], conv["n_b"])
    per = obs[obs["measure"] == "csat"].groupby(["group", "customer_id"])["value"].mean()
    assert csat["value_b"] == pytest.approx(per["after"].mean())


def test_no_change_says_how_many_customers_it_would_take():
    obs = split_by_date(_obs(np.random.default_rng(3), n=300), "2024-06-01")
    row = compare(obs, personas=False, min_change={"conversion": 0.05}).iloc[0]
    assert row["verdict"] == "no detectable change"
    assert "you would need about" in row["text"] and "to see a change of 5.0 points" in row["text"]
    assert row["n_needed"] > max(row["n_a"], row["n_b"])
    assert 0 < row["power"] < 0.8


def test_thin_groups_are_too_few_and_not_counted_in_the_adjustment():
    obs = split_by_date(_obs(np.random.default_rng(4), n=80), "2024-06-01")
    table = compare(obs, min_n=30)
    thin = table[(table["n_a"] < 30) | (table["n_b"] < 30)]
    assert len(thin) and set(thin["verdict"]) == {"too few"} and thin["q_value"].isna().all()
    assert "too few to compare" in thin["text"].iloc[0]


def test_the_three_splits_and_their_labels():
    obs = _obs(np.random.default_rng(5), n=200)
    by_date = split_by_date(obs, "2024-06-01", before_days=30, after_days=30, gap_days=7)
    t = by_date["timestamp"]
    assert (t[by_date["group"] == "before"] >= pd.Timestamp("2024-05-02")).all()
    assert (t[by_date["group"] == "after"] >= pd.Timestamp("2024-06-08")).all()
    assert by_date.attrs["split"]["left_out"] == len(obs) - len(by_date)
    ab = compare(split_by_customers(obs, [f"c{i}" for i in range(0, 200, 3)]), personas=False)
    assert (ab["group_a"].iloc[0], ab["group_b"].iloc[0]) == ("control", "test")
    two = compare(stack_groups(obs, obs), personas=False)
    assert (two["diff"] == 0).all() and set(two["verdict"]) == {"no detectable change"}


def test_bad_parameters_are_named():
    obs = split_by_date(_obs(np.random.default_rng(6), n=100), "2024-06-01")
    with pytest.raises(ParameterError, match="^alpha"):
        compare(obs, alpha=5)
    with pytest.raises(ParameterError, match="^personas"):
        compare(obs, personas=["Ana"])
    with pytest.raises(ParameterError, match="^min_change"):
        compare(obs, min_change={"convertion": 0.1})
    with pytest.raises(ParameterError, match="^group_col"):
        compare(obs, group_col="grp")
    with pytest.raises(ParameterError, match="^date"):
        split_by_date(obs, "June")


def test_inputs_are_left_unchanged():
    obs = split_by_date(_obs(np.random.default_rng(7), n=100), "2024-06-01")
    before = obs.copy(deep=True)
    compare(obs)
    pd.testing.assert_frame_equal(obs, before)


def test_a_time_under_an_hour_is_said_in_minutes_or_seconds():
    """Times between steps are in hours: a change of two minutes read "+0.0 h", and the power
    sentence "you would need about 516,000 per group to see a change of 0.0 h"."""
    from jmtools.analyses.compare.table import _fmt

    assert [_fmt("time", v, diff=True) for v in (2.0, 0.03, -0.5, 0.005, 0.0)] == [
        "+2.0 h", "+2 min", "−30 min", "+18 s", "0.0 h"]
    assert _fmt("time", 181.4) == "181.4 h"
