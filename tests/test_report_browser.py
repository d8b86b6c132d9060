"""Reports in a real browser: charts render offline, nothing leaves file:, customer text never runs.

Headless Debian Chromium through Playwright; every request outside ``file:`` is aborted
and recorded, and Content-Security-Policy violations (requests the page was not even
allowed to attempt) are recorded too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="needs Debian chromium at /usr/bin/chromium "
                                        "(apt-get install chromium)")]
HERE = Path(__file__).parent / "notebooks"
FEEDBACK = HERE / "chart_records_feedback.ipynb"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory, feedback_maya_run):
    from jmtools.report.html import export_html

    d = tmp_path_factory.mktemp("browser")
    run = feedback_maya_run  # FEEDBACK run for persona Maya, shared with the runner tests
    return {"live": export_html(run.output_path, d / "maya.html"),
            "static": export_html(run.output_path, d / "maya.static.html", static=True),
            "dir": d}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int = 1100):
    """Open a report with the network cut off; return the page and what it tried to load."""
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 900})
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(WATCH)
    page.goto(path.as_uri())
    return context, page, outside, errors


def _expected_marks():
    """Oracle: one bar per stage and one point per answer of persona Maya (plain pandas)."""
    df = pd.read_csv(HERE / "data" / "feedback.csv")
    maya = df[df.persona == "Maya"]
    return maya.stage.nunique(), len(maya)


def test_interactive_report_draws_every_chart_offline(browser, reports):
    context, page, outside, errors = _open(browser, reports["live"])
    page.wait_for_selector("body[data-charts-done='true']", timeout=20_000)
    bars, points = _expected_marks()
    # Vega's SVG renderer: one path per datum inside the mark's group
    assert page.locator("#jm-chart-0 g.mark-rect.role-mark path").count() == bars
    assert page.locator("#jm-chart-1 g.mark-symbol.role-mark path").count() == points
    assert page.locator(".jm-chart[data-rendered='true']").count() == 2
    assert page.locator(".jm-chart-error").count() == 0
    page.screenshot(path=str(reports["dir"] / "live.png"), full_page=True)
    assert outside == [] and errors == []
    assert page.evaluate("window.__violations") == []
    context.close()


def test_script_in_customer_feedback_is_shown_as_text_and_never_runs(browser, reports):
    context, page, outside, errors = _open(browser, reports["live"])
    page.wait_for_selector("body[data-charts-done='true']", timeout=20_000)
    text = page.inner_text("body")
    assert "<img src=\"http://evil.example/pixel.png\"" in text  # Maya's feedback, as text
    assert page.evaluate("window.__jmInjected") is None
    assert page.locator("img[src^='http']").count() == 0
    assert outside == [] and page.evaluate("window.__violations") == []
    context.close()


def test_static_report_shows_png_charts_with_no_script_and_no_request(browser, reports):
    context, page, outside, errors = _open(browser, reports["static"])
    page.wait_for_load_state("load")
    bars, points = _expected_marks()
    charts = page.locator(".jm-chart-static img")
    assert charts.count() == 2 and bars and points  # PNG images (mail clients strip SVG)
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 100)")
    assert page.evaluate("typeof window.vegaEmbed") == "undefined"
    page.screenshot(path=str(reports["dir"] / "static.png"), full_page=True)
    assert outside == [] and errors == [] and page.evaluate("window.__violations") == []
    context.close()


def test_a_page_that_tries_the_network_is_caught(browser, tmp_path):
    """The guard itself works: an image from outside is recorded (so 'no request' means none)."""
    page_file = tmp_path / "leaky.html"
    page_file.write_text('<img src="http://example.invalid/x.png"><p>hi</p>')
    context, page, outside, errors = _open(browser, page_file)
    page.wait_for_load_state("load")
    assert outside == ["http://example.invalid/x.png"]
    context.close()


def _demo_like_index(out: Path) -> Path:
    """An index like `jmtools demo` writes: both worlds, every persona, long data paths."""
    from jmtools.report.batch import JobResult, load_history, write_index

    long_dir = "/home/analyst/projects/customerjourneys/jmtools/src/jmtools/data/"  # no break in it
    figures = {"customers": {"name": "customers", "label": "Customers with events", "value": 1066,
                             "headline": True},
               "reached_last_stage": {"name": "reached_last_stage", "label": "Reached Post-purchase",
                                      "value": 0.2619, "unit": "%", "n": 1066, "ci": [0.236, 0.289],
                                      "headline": True},
               "lowest_emotion": {"name": "lowest_emotion", "label": "Emotion at Decision (−2..+2)",
                                  "value": -1.093, "n": 151, "ci": [-1.2016, -0.9695], "fmt": "+.2f",
                                  "headline": True},
               "nps_Post-purchase": {"name": "nps_Post-purchase", "label": "NPS at Post-purchase",
                                     "value": -28.0, "n": 50, "ci": [-48.0, -8.0], "fmt": "+.0f",
                                     "headline": True},
               "top_pain_point": {"name": "top_pain_point", "label": "Top pain point",
                                  "value": "Slow replies and rescheduled discovery calls for small accounts",
                                  "headline": True},
               "top_opportunity": {"name": "top_opportunity", "label": "Fix first",
                                   "value": "Show the delivery fee on the product page and in the cart",
                                   "headline": True}}
    results = []
    for world, personas in (("ecommerce", ["all", "Budget Ben", "Marathon Maya", "New Runner Nina",
                                           "Weekend Walter"]),
                            ("b2b", ["all", "SMB Owner Sam", "Mid-market Ops Olivia",
                                     "Enterprise Procurement Priya"])):
        for persona in personas:
            stem = f"{world}-{persona.lower().replace(' ', '-')}"
            results.append(JobResult(
                name=stem, stem=stem, status="ok", title=f"{world}: {persona}",
                parameters={"data_dir": long_dir + world, "persona": persona,
                            "journey_file": long_dir + world + "/journey.yaml"},
                html=f"{stem}.html", static_html=f"{stem}.static.html", sidecar=f"{stem}.json",
                figures=figures, duration_s=41.3))
    # a second demo run, as `make demo` twice: sparklines and "unchanged" beside each figure
    numbers = {k: {"value": f["value"], "n": f.get("n")} for k, f in figures.items()
               if not isinstance(f["value"], str)}
    runs = [{"run_id": run, "report": r.name, "parameters": r.parameters, "figures": numbers}
            for run in ("2026-11-15T09:30:00+00:00", "2026-11-22T09:30:00+00:00") for r in results]
    (out / "history.jsonl").write_text("".join(json.dumps(x) + "\n" for x in runs), encoding="utf-8")
    previous = {r.name: {"run_id": "2026-11-15T09:30:00+00:00", "figures": figures} for r in results}
    return write_index(results, out, run_id="2026-11-22T09:30:00+00:00", previous=previous,
                       history=load_history(out))


def test_index_fits_a_1280_px_window_without_horizontal_scrolling(browser, tmp_path):
    index = _demo_like_index(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(index.as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, (width, inner)
    # every file link is fully inside the window
    rights = page.evaluate("[...document.querySelectorAll('td.links a')]"
                           ".map(a => a.getBoundingClientRect().right)")
    assert rights and max(rights) <= inner, (max(rights), inner)
    # and the table's own box does not scroll: its last column ("more figures") was cut by 57 px
    box = page.evaluate("(b => [b.scrollWidth, b.clientWidth])(document.querySelector('.scroll'))")
    assert box[0] <= box[1], box
    page.screenshot(path=str(tmp_path / "index-1280.png"), full_page=False)
    context.close()
