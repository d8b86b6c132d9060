"""Charts of step 7: the comparison (differences with intervals, coloured by verdict) and the
KPI control chart; structure of the specs, errors, and a real PNG render."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.compare import compare, split_by_date
from jmtools.analyses.history import control_chart
from jmtools.charts.iterate import VERDICT_COLORS, comparison_chart, kpi_control_chart
from jmtools.core.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 800
    when = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    after = when >= pd.Timestamp("2024-06-01")
    persona = np.where(np.arange(n) % 2, "Ann", "Bob")
    rows = [pd.DataFrame({"measure": "conversion", "customer_id": [f"c{i}" for i in range(n)], "persona": persona,
                          "from_step": "Cart", "step": "Paid", "timestamp": when,
                          "value": (rng.random(n) < 0.3 + 0.15 * after).astype(float)}),
            pd.DataFrame({"measure": "csat", "customer_id": [f"c{i}" for i in range(n)], "persona": persona,
                          "from_step": None, "step": "Paid", "timestamp": when,
                          "value": rng.integers(1, 6, n).astype(float)})]
    return compare(split_by_date(pd.concat(rows, ignore_index=True), "2024-06-01"))


@pytest.fixture(scope="module")
def chart_frame():
    rng = np.random.default_rng(1)
    values = np.r_[30 + rng.standard_normal(10), 34 + rng.standard_normal(6)]
    return control_chart(pd.DataFrame({"run_id": [f"r{i:02d}" for i in range(16)], "report": "all",
                                       "figure": "nps_Decision", "value": values, "n": 300}), baseline=10)


def test_comparison_chart_one_panel_per_measure_in_its_units(table):
    spec = comparison_chart(table).to_dict()
    panels = spec["vconcat"]
    assert len(panels) == 2
    titles = [p["layer"][2]["encoding"]["x"]["title"] for p in panels]
    assert titles == ["difference (points)", "difference of means (CSAT)"]
    colour = panels[0]["layer"][1]["encoding"]["color"]["scale"]
    assert dict(zip(colour["domain"], colour["range"])) == VERDICT_COLORS
    data = next(iter(spec["datasets"].values()))
    assert data[0]["shown"] == pytest.approx(100 * table.iloc[0]["diff"])   # points, not shares
    assert comparison_chart(table, persona="Ann", measures=["csat"]).to_dict()["vconcat"][0]


def test_comparison_labels_wrap_and_the_legend_sits_below_for_a_phone():
    """Notebook 07's comparison was 829 px wide at a 390 px phone (one-line row names of ~230 px,
    a legend beside): names now wrap to lines of at most 24 characters, the legend goes below."""
    rows = pd.DataFrame({"measure": "conversion", "persona": "all", "n_a": 300, "n_b": 310, "diff": 0.1,
                         "ci_low": 0.03, "ci_high": 0.17, "verdict": "improved, likely real", "text": "x",
                         "label": ["conversion Awareness → Consideration", "conversion Decision → Post-purchase"]},
                        index=[0, 1])
    panel = comparison_chart(rows).to_dict()["vconcat"][0]
    axis = panel["layer"][1]["encoding"]["y"]["axis"]
    assert axis["labelLimit"] == 156 and '"conversion Awareness →", "Consideration"' in axis["labelExpr"]
    assert panel["height"] == {"step": 32}                   # two lines a row
    assert panel["layer"][1]["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_comparison_chart_errors_name_what_exists(table):
    with pytest.raises(ParameterError, match="'Ann'"):
        comparison_chart(table, persona="Anne")
    with pytest.raises(ParameterError, match="measures"):
        comparison_chart(table, measures=["nps"])
    with pytest.raises(DataError, match="lacks columns"):
        comparison_chart(table.drop(columns=["verdict"]))


def test_control_chart_layers_and_one_series(chart_frame):
    spec = kpi_control_chart(chart_frame).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rect", "rule", "rule", "line", "point"]
    points = spec["layer"][4]["encoding"]["color"]["scale"]
    assert points["domain"] == ["in control", "signal"]
    both = pd.concat([chart_frame, chart_frame.assign(figure="other")])
    with pytest.raises(ParameterError, match="nps_Decision"):
        kpi_control_chart(both)
    assert kpi_control_chart(both, figure="other").to_dict()["title"].startswith("other · all")


@pytest.mark.slow
def test_both_render_to_png(table, chart_frame, tmp_path):
    from jmtools.render.offline import chart_to_png

    for name, chart in (("comparison", comparison_chart(table)), ("control", kpi_control_chart(chart_frame))):
        png = chart_to_png(chart)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000, name
        (tmp_path / f"{name}.png").write_bytes(png)
