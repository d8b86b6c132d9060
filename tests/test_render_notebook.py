"""The offline notebook renderer: what a chart sends to the front end, and when it is active.

The browser side (every chart of every notebook drawn by JupyterLab's own Vega, with no request
leaving the machine) is tested in ``tests/test_lab_notebooks.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import altair as alt
import pytest

from jmtools.render.notebook import RENDERER, VEGA_MIMETYPE, enable, vega_mimebundle


@pytest.fixture
def default_renderer():
    before = alt.renderers.active
    alt.renderers.enable("default")
    yield
    alt.renderers.enable(before)


def _chart():
    data = alt.Data(values=[{"stage": "Look", "n": 3}, {"stage": "Buy", "n": 1}])
    return alt.Chart(data, title="Reach").mark_bar().encode(x="stage:N", y="n:Q")


def test_bundle_holds_a_vega5_spec_the_vegalite_spec_and_a_label():
    bundle = vega_mimebundle(_chart().to_dict())
    vega = bundle[VEGA_MIMETYPE]
    assert vega["$schema"].endswith("/vega/v5.json")
    assert [m["type"] for m in vega["marks"]] == ["rect"]
    assert bundle["application/vnd.vegalite.v6+json"] == _chart().to_dict()
    assert bundle["text/plain"] == "<chart: Reach>"
    assert "text/html" not in bundle          # JupyterLab would prefer it, and it loads a CDN
    assert "cdn" not in json.dumps(bundle).lower()


def test_displaying_a_chart_uses_the_bundle_once_enabled(default_renderer):
    assert alt.renderers.active == "default"
    assert enable() is True
    out = _chart()._repr_mimebundle_()
    out = out[0] if isinstance(out, tuple) else out
    assert VEGA_MIMETYPE in out and "text/html" not in out


def test_a_renderer_the_user_chose_is_kept(default_renderer):
    alt.renderers.enable("svg")
    assert enable() is False and alt.renderers.active == "svg"
    assert enable(force=True) is True and alt.renderers.active == RENDERER


def test_the_report_exporter_reads_the_chart_from_this_output():
    from jmtools.report.html import chart_spec

    out = {"output_type": "display_data", "metadata": {}, "data": vega_mimebundle(_chart().to_dict())}
    assert chart_spec(out) == _chart().to_dict()


def test_the_kit_s_widest_charts_compile(ecommerce_world):
    from jmtools import pipeline
    from jmtools.charts.journeymap import journey_map
    from jmtools.report.present import funnel_chart

    f = pipeline.run(ecommerce_world.prepared, persona="all")
    for chart in (funnel_chart(f.funnel), journey_map(f.journey, evidence=f.map_evidence)):
        vega = vega_mimebundle(chart.to_dict())[VEGA_MIMETYPE]
        assert vega["marks"], chart


@pytest.mark.parametrize("code", [
    "import altair as alt, jmtools.charts.funnels; print(alt.renderers.active)",
    "import altair as alt, jmtools; jmtools.load_ipython_extension(None); "
    "print(alt.renderers.active, alt.theme.active)",
])
def test_importing_a_chart_module_or_load_ext_switches_the_renderer_on(code):
    """In a fresh interpreter: found through the installed entry points, nothing else."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == RENDERER
    if "load_ipython_extension" in code:
        assert out.stdout.split()[1] == "jmtools"
