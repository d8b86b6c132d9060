"""jmtools.render.offline: PNG, SVG, PDF through vl-convert and standalone HTML with inlined Vega."""

from __future__ import annotations

import json
import re
import socket
import struct

import pytest

from jmtools.core.errors import ParameterError
from jmtools.render.offline import (FORMATS, chart_to_html, chart_to_pdf, chart_to_png,
                                    chart_to_svg, format_of, javascript_bundle, save_chart,
                                    script_json)

SPEC = {"data": {"values": [{"stage": "Awareness", "v": 1}, {"stage": "Decision", "v": -1}]},
        "mark": "bar", "width": 200, "height": 100,
        "encoding": {"x": {"field": "stage", "type": "nominal"},
                     "y": {"field": "v", "type": "quantitative"},
                     "tooltip": [{"field": "stage"}]}}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_png_svg_pdf_offline(no_network):
    png = chart_to_png(SPEC, scale=2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 2 * 200 and height >= 2 * 100  # scale doubles the pixels
    svg = chart_to_svg(SPEC)
    assert svg.startswith("<svg") and "Awareness" in svg
    assert chart_to_pdf(SPEC)[:5] == b"%PDF-"


def test_altair_chart_accepted():
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    assert chart_to_svg(chart).startswith("<svg")


def test_html_is_standalone(no_network):
    page = chart_to_html(SPEC, title="Map <1>")
    assert "<title>Map &lt;1&gt;</title>" in page
    assert javascript_bundle() in page  # Vega inlined, not loaded
    # no element loads anything from elsewhere
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "cdn.jsdelivr" not in page and "unpkg" not in page
    assert '"editor":false' in page  # no link out to the online editor


ATTACK = "</script><script>alert(1)</script><!-- \u2028 \u2029 & é"


def _embedded(page: str, name: str):
    """The JSON a page declares as ``var name = …;`` in its script."""
    return re.search(rf"var {name} = (.*?);\n", page).group(1)


def test_script_json_cannot_break_out_of_a_script_element():
    text = script_json({"label": ATTACK})
    for breaker in ("</script", "<script", "<!--", "-->", "\u2028", "\u2029", "&"):
        assert breaker not in text
    assert json.loads(text) == {"label": ATTACK}
    assert "é" in text  # non-ASCII text is kept as is


def test_script_json_refuses_nan_when_asked():
    assert script_json([float("nan")]) == "[NaN]"
    with pytest.raises(ValueError):
        script_json([float("nan")], allow_nan=False)


def test_html_escapes_script_breakers():
    """A label with ``</script><script>alert(1)`` stays data: it cannot end the script."""
    spec = {**SPEC, "title": ATTACK,
            "data": {"values": [{"stage": ATTACK, "v": 1}, {"stage": "Decision", "v": -1}]}}
    page = chart_to_html(spec, title=ATTACK)
    body = page.split(javascript_bundle(), 1)[1]
    assert "</script><script>alert" not in body and "<script>alert" not in page
    assert body.count("</script>") == 2  # the bundle's element and the embed script's
    assert "<!--" not in body and "\u2028" not in body and "\u2029" not in body
    assert json.loads(_embedded(page, "spec")) == spec  # the data itself is unchanged
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)" in page


def test_the_report_embeds_with_the_same_bundle_and_escaping():
    """One Vega bundle and one escaping function for every offline HTML page."""
    import jmtools.report.html as report_html

    assert report_html.javascript_bundle is javascript_bundle
    assert report_html.script_json is script_json
    assert "</script" not in javascript_bundle()


def test_save_chart_picks_format_by_suffix(tmp_path):
    for suffix, magic in [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<svg"),
                          (".html", b"<!DOCT")]:
        out = save_chart(SPEC, tmp_path / "sub" / f"map{suffix}")
        assert out.read_bytes()[:len(magic)] == magic
    assert set(FORMATS.values()) == {"png", "svg", "pdf", "html"}


def test_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(ParameterError, match=r"(?s)output suffix must be one of.*did you mean '.png'"):
        format_of("map.pgn")
    with pytest.raises(ParameterError, match="map.png"):
        save_chart(SPEC, tmp_path / "map")
    with pytest.raises(ParameterError, match="scale"):
        chart_to_png(SPEC, scale=0)
    with pytest.raises(ParameterError, match="Altair chart"):
        chart_to_svg(42)


@pytest.mark.browser
@pytest.mark.slow
def test_html_renders_in_chromium_without_requests(tmp_path):
    """The HTML export draws the chart in a real browser with zero external requests."""
    import shutil

    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = save_chart(SPEC, tmp_path / "chart.html")
    external = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: external.append(r.url)
                    if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
            page.goto(page_file.as_uri())
            page.wait_for_selector("#jmtools-chart svg .mark-rect path", timeout=15000)
            bars = page.locator("#jmtools-chart svg .mark-rect path").count()
            errors = page.locator(".jmtools-error").count()
        finally:
            browser.close()
    assert bars == 2 and errors == 0
    assert external == []


@pytest.mark.browser
@pytest.mark.slow
def test_script_breakers_in_data_stay_text_in_chromium(tmp_path):
    """A label carrying ``</script><script>…`` is drawn as text; the script never runs."""
    import shutil

    if not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    attack = "</script><script>window.pwned = 1</script><!-- \u2028"
    spec = {**SPEC, "title": attack,
            "data": {"values": [{"stage": attack, "v": 1}, {"stage": "Decision", "v": -1}]}}
    page_file = save_chart(spec, tmp_path / "attack.html")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            page.wait_for_selector("#jmtools-chart svg .mark-rect path", timeout=15000)
            bars = page.locator("#jmtools-chart svg .mark-rect path").count()
            pwned = page.evaluate("typeof window.pwned")
            labels = page.locator("#jmtools-chart svg.marks").text_content()
        finally:
            browser.close()
    assert bars == 2 and pwned == "undefined"
    assert "window.pwned = 1" in labels  # shown as the title, not run


def test_exports_work_with_no_network_at_all(tmp_path):
    """Run every export inside a network namespace with no interfaces (Linux unshare)."""
    import shutil
    import subprocess
    import sys

    if not shutil.which("unshare") or subprocess.run(["unshare", "-rn", "true"]).returncode:
        pytest.skip("unshare -rn is not available here")
    code = ("import sys, json; from jmtools.render.offline import save_chart; "
            "spec = json.loads(sys.argv[1]); "
            "[save_chart(spec, sys.argv[2] + s) for s in ('.png', '.svg', '.pdf', '.html')]")
    import json

    done = subprocess.run(["unshare", "-rn", sys.executable, "-c", code, json.dumps(SPEC),
                           str(tmp_path / "chart")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".pdf", ".png", ".svg"]


def test_vega_lite_version_is_read_without_importing_altair():
    """The page writer needs only Altair's Vega-Lite version: reading it must not import
    Altair (about a CPU-second in a process that draws nothing), and it is Altair's own."""
    import os
    import subprocess
    import sys

    code = ("import sys; from jmtools.render.offline import vega_lite_version; "
            "v = vega_lite_version(); print(v, 'altair' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout.split()
    import altair as alt

    assert out == [".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]), "False"]
