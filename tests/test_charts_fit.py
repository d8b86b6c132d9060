"""Charts a notebook draws no wider than its output (D201): the mark, and what the renderer sends.

The browser side (notebooks 05 and 06 at 800 and 1280 px in a real JupyterLab) is tested in
``tests/test_lab_notebooks.py::test_a_narrow_output_shows_tables_as_cards_and_charts_at_its_width``.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest

from jmtools.charts.fit import FIT, fit_to_output
from jmtools.render.notebook import VEGA_MIMETYPE, vega_mimebundle
from jmtools.report.present import funnel_chart


def _funnel():
    return pd.DataFrame({"step_index": [1, 2, 3], "step": ["Compare tariffs", "Smart meter install", "Pay"],
                         "n": [2627, 1274, 1274], "rate_from_start": [1.0, 0.485, 0.485]})


def test_a_fitted_chart_is_drawn_at_most_as_wide_as_on_its_own_and_at_least_300_px():
    """The clamp's upper end is the chart's own width, read here from vl-convert's drawing of the
    Vega-Lite spec (not the compiled spec the renderer measures); the title breaks only when narrower."""
    vlc = pytest.importorskip("vl_convert")
    chart = funnel_chart(_funnel(), compare=_funnel(), label="Budget Ben",
                         title="How far Budget Ben gets through the energy utility's journey")
    spec = chart.to_dict()
    assert spec["usermeta"][FIT] is True
    own = float(re.search(r'<svg[^>]*\swidth="([0-9.]+)"', vlc.vegalite_to_svg(spec)).group(1))
    assert own > 520                                   # the 520 px plot, its names and its labels
    vg = vega_mimebundle(spec)[VEGA_MIMETYPE]
    signals = {s["name"]: s for s in vg["signals"]}
    assert "width" not in vg and vg["autosize"]["type"] == "fit-x"
    assert signals["width"]["update"] == f"jm_output > 0 ? clamp(jm_output, 300, {own:g}) : {own:g}"
    assert {"source": "window", "type": "resize"} in signals["jm_output"]["on"][0]["events"]
    title = vg["title"]["text"]["signal"]
    assert title.startswith(f"jm_output > 0 && jm_output < {own:g} ? [") and title.endswith(
        '"How far Budget Ben gets through the energy utility\'s journey"')


def test_an_unmarked_chart_keeps_its_set_width():
    data = alt.Data(values=[{"stage": "Look", "n": 3}])
    plain = alt.Chart(data).mark_bar().encode(x="n:Q", y="stage:N").properties(width=400)
    vg = vega_mimebundle(plain.to_dict())[VEGA_MIMETYPE]
    assert vg["width"] == 400 and "jm_output" not in str(vg)
    marked = vega_mimebundle(fit_to_output(plain).to_dict())[VEGA_MIMETYPE]
    assert "width" not in marked and "jm_output" in str(marked["signals"])
