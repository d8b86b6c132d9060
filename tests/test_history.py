"""KPI history and the control chart: a planted shift is flagged, a stable series mostly not,
each runs rule on a hand-made series, and the figures come from a batch's history.jsonl."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.history import CHART_COLUMNS, control_chart, kpi_history, signals
from jmtools.core.errors import DataError, ParameterError


def _series(values, figure="funnel_4", report="Budget Ben"):
    return pd.DataFrame({"run_id": [f"2026-{i:03d}" for i in range(len(values))], "report": report,
                         "figure": figure, "value": list(values), "n": 300})


def test_a_planted_shift_is_flagged_and_a_stable_series_is_not():
    rng = np.random.default_rng(1)
    stable = 0.30 + 0.01 * rng.standard_normal(24)
    shifted = np.r_[0.30 + 0.01 * rng.standard_normal(12), 0.33 + 0.01 * rng.standard_normal(12)]
    chart = control_chart(pd.concat([_series(stable, "stable"), _series(shifted, "shifted")]), baseline=10)
    assert list(chart.columns) == CHART_COLUMNS
    found = signals(chart)
    assert found["figure"].tolist() == ["shifted"]
    first = found.iloc[0]
    assert first["direction"] == "up" and first["first_run"] >= "2026-010"
    late = chart[(chart["figure"] == "shifted") & (chart["run_index"] > 14)]
    assert late["signal"].mean() > 0.7


def test_stable_series_signal_rarely():
    """200 stable series of 20 runs (baseline 10): about one in five signals somewhere in its
    ten new runs by chance (four rules, limits from ten runs); a 2σ shift nearly always does.
    The 3σ rule alone raises fewer false alarms."""
    rng = np.random.default_rng(1)

    def share(series, **options):
        chart = control_chart(pd.concat([_series(v, f"s{i:03d}") for i, v in enumerate(series)]),
                              baseline=10, **options)
        return chart[~chart["baseline"]].groupby("figure")["signal"].any().mean()

    stable = [rng.standard_normal(20) for _ in range(200)]
    false_alarm = share(stable)
    caught = share([np.r_[rng.standard_normal(10), 2 + rng.standard_normal(10)] for _ in range(60)])
    assert false_alarm < 0.25 and caught > 0.95, (false_alarm, caught)
    assert share(stable, rules=["beyond 3σ"]) < false_alarm


@pytest.mark.parametrize("values,rule,where", [
    ([0, 1, -1, 0, 1, -1, 0, 1, 9, 0], "beyond 3σ", [8]),
    ([0, 1, -1, 0, 1, -1, 0, 0.1, 0.2, 0.3, 0.2, 0.1, 0.2, 0.3, 0.2, 0.1], "9 on one side", list(range(7, 16))),
    ([0, 1, -1, 0, 1, -1, 0, -0.5, -0.4, -0.3, -0.2, -0.1, 0.0, 0.1], "6 trending", list(range(7, 14))),
])
def test_each_rule_on_a_hand_made_series(values, rule, where):
    chart = control_chart(_series(values), baseline=7)
    marked = [i for i, r in enumerate(chart["rules"]) if rule in r]
    assert marked == where, chart[["value", "rules"]]


def test_two_of_three_beyond_two_sigma():
    base = [0, 1, -1, 0, 1, -1, 0, 1]
    chart = control_chart(_series(base + [0, 2.1, 0.2, 2.0, 0]), baseline=8)
    sigma = chart["sigma"].iloc[0]
    values = base + [0, 2.3 * sigma, 0.2, 2.2 * sigma, 0]
    chart = control_chart(_series(values), baseline=8)
    assert [i for i, r in enumerate(chart["rules"]) if "2 of 3" in r] == [9, 11]


def test_history_from_a_batch_folder(tmp_path):
    from jmtools.report.batch import load_history

    lines = [{"run_id": f"2026-0{m}-01T00:00", "report": "all", "parameters": {},
              "figures": {"customers": {"value": 4000 + m, "n": None}, "top_pain_point": {"value": "fees", "n": None},
                          "funnel_2": {"value": 0.8 + m / 100, "n": 3000}}} for m in range(1, 6)]
    (tmp_path / "history.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    h = kpi_history(load_history(tmp_path))
    assert sorted(h["figure"].unique()) == ["customers", "funnel_2"]
    assert h.loc[h["figure"] == "funnel_2", "run_index"].tolist() == [1, 2, 3, 4, 5]
    assert len(control_chart(h, baseline="2026-03-01T00:00")) == 10
    with pytest.raises(ParameterError, match="did you mean 'funnel_2'"):
        kpi_history(load_history(tmp_path), figures=["funnel_3"])
    with pytest.raises(ParameterError, match="^baseline"):
        control_chart(h, baseline=1)
    with pytest.raises(DataError, match="at least 2"):
        control_chart(h, baseline="2026-01-01T00:00")
