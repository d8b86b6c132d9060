"""Offline exports: PNG, SVG, PDF through vl-convert and standalone HTML with inlined Vega."""

from __future__ import annotations

import re
from pathlib import Path
import socket
import struct

import pytest

from jmtools.core.errors import ParameterError
from jmtools.exports import (FORMATS, chart_to_html, chart_to_pdf, chart_to_png, chart_to_svg,
                             format_of, javascript_bundle, save_chart)

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
    assert '"editor": false' in page  # no link out to the online editor


def test_html_escapes_script_breakers():
    spec = {**SPEC, "title": "</script><script>alert(1)</script>"}
    page = chart_to_html(spec)
    body = page.split(javascript_bundle(), 1)[1]
    assert "</script><script>alert" not in body
    assert "<\\/script>" in body


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


# ----------------------------------------------------------------- `jmtools map` command
JOURNEY = """# a comment the workshop round trip must keep
name: Demo map
personas:
  - {name: Ben}
  - {name: Maya}
stages:
  - name: Look
    goal: Find shoes
    actions: [Sees an ad, {text: Reads reviews, personas: [Maya]}]
  - name: Buy  # the money stage
    emotion: {Ben: -1, Maya: 1}
    actions: [Pays]
pain_points:
  - {id: fees, title: Hidden fees, stage: Buy, personas: [Ben], severity: 4}
"""


@pytest.fixture
def journey_file(tmp_path):
    path = tmp_path / "journey.yaml"
    path.write_text(JOURNEY, encoding="utf-8")
    return path


def _main(argv):
    from jmtools.cli.main import main

    return main([str(a) for a in argv])


def test_map_command_formats(journey_file, tmp_path, capsys):
    for suffix, magic in [(".png", b"\x89PNG"), (".html", b"<!DOCT"), (".pdf", b"%PDF")]:
        out = tmp_path / f"map{suffix}"
        assert _main(["map", journey_file, "-o", out]) == 0
        assert out.read_bytes()[:len(magic)] == magic
    assert f"wrote {tmp_path / 'map.pdf'}" in capsys.readouterr().out


def test_map_command_persona_and_lanes(journey_file, tmp_path):
    out = tmp_path / "ben.svg"
    assert _main(["map", journey_file, "-o", out, "--persona", "Ben",
                  "--lanes", "goal,actions,pain_points"]) == 0
    svg = out.read_text()
    assert "Demo map — Ben" in svg and "Customer goal" in svg and "Hidden fees" in svg
    assert "Emotion curve" not in svg and "Reads reviews" not in svg  # Maya's action
    both = tmp_path / "both.svg"
    assert _main(["map", journey_file, "-o", both, "--persona", "Ben", "--persona", "Maya"]) == 0
    assert "Demo map — Ben vs Maya" in both.read_text()


def test_map_command_usage_errors(journey_file, tmp_path, capsys):
    assert _main(["map", journey_file, "-o", tmp_path / "map.jpg"]) == 2
    assert "output suffix must be one of" in capsys.readouterr().err
    assert _main(["map", journey_file, "-o", tmp_path / "m.png", "--persona", "Benn"]) == 2
    assert "did you mean 'Ben'" in capsys.readouterr().err
    assert _main(["map", "-o", tmp_path / "m.png"]) == 2
    assert _main(["map", "--import", tmp_path / "x.xlsx", "-o", tmp_path / "j.png"]) == 2
    assert _main(["map", tmp_path / "missing.yaml", "-o", tmp_path / "m.png"]) == 1
    assert "file not found" in capsys.readouterr().err
    assert not (tmp_path / "m.png").exists()


def test_map_workbook_round_trip_through_the_command(journey_file, tmp_path, capsys):
    from openpyxl import load_workbook

    from jmtools.journey import Journey

    book = tmp_path / "map.xlsx"
    assert _main(["map", journey_file, "-o", book]) == 0
    wb = load_workbook(book)
    ws = wb["Map"]
    ws["C6"] = "Pays\nChecks the delivery date [reported | personas: Ben]"  # Buy · actions
    wb.save(book)
    before = journey_file.read_text()
    assert _main(["map", "--import", book, "-o", journey_file, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 change compared with" in out and "dry run" in out
    assert journey_file.read_text() == before
    assert _main(["map", "--import", book, "-o", journey_file]) == 0
    assert "stage 'Buy' · actions: added 'Checks the delivery date [reported | personas: Ben]'" \
        in capsys.readouterr().out
    text = journey_file.read_text()
    assert text.startswith("# a comment the workshop round trip must keep")
    assert "# the money stage" in text
    claim = Journey.load(journey_file).stage("Buy").actions[1]
    assert (claim.text, claim.evidence, claim.personas) == ("Checks the delivery date",
                                                            "reported", ["Ben"])
    fresh = tmp_path / "new.yaml"  # importing into a new file compares with the snapshot
    assert _main(["map", "--import", book, "-o", fresh]) == 0
    assert Journey.load(fresh) == Journey.load(journey_file)


def test_map_command_with_sample_data(tmp_path):
    root = Path(__file__).resolve().parents[1] / "data" / "ecommerce"
    if not (root / "journey.yaml").exists():
        pytest.skip("sample data not generated")
    out = tmp_path / "map.svg"
    assert _main(["map", root / "journey.yaml", "-o", out, "--data", root,
                  "--persona", "Budget Ben", "--lanes", "emotion,kpis"]) == 0
    svg = out.read_text()
    assert "Conversion" in svg and "CSAT" in svg and "(n=" in svg


def test_map_command_empathy(journey_file, tmp_path, capsys):
    out = tmp_path / "emp.svg"
    assert _main(["map", journey_file, "-o", out, "--empathy", "--persona", "Maya",
                  "--stage", "Look"]) == 0
    svg = out.read_text()
    assert "Empathy map — Maya · Look" in svg and "Reads reviews" in svg and "Pays" not in svg
    assert _main(["map", journey_file, "-o", out, "--empathy"]) == 2
    assert "one persona" in capsys.readouterr().err
    assert _main(["map", journey_file, "-o", out, "--stage", "Look"]) == 2
    assert "--empathy" in capsys.readouterr().err


def test_exports_work_with_no_network_at_all(tmp_path):
    """Run every export inside a network namespace with no interfaces (Linux unshare)."""
    import shutil
    import subprocess
    import sys

    if not shutil.which("unshare") or subprocess.run(["unshare", "-rn", "true"]).returncode:
        pytest.skip("unshare -rn is not available here")
    code = ("import sys, json; from jmtools.exports import save_chart; "
            "spec = json.loads(sys.argv[1]); "
            "[save_chart(spec, sys.argv[2] + s) for s in ('.png', '.svg', '.pdf', '.html')]")
    import json

    done = subprocess.run(["unshare", "-rn", sys.executable, "-c", code, json.dumps(SPEC),
                           str(tmp_path / "chart")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".pdf", ".png", ".svg"]
