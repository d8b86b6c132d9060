"""notebooks/00_journey_report.ipynb: runs under plain papermill and through jmtools.

One kernel run per sample world (tests/notebook_runs.py): Budget Ben in the e-commerce world
through the batch runner, and everybody of one B2B segment under plain papermill. A persona
with only a handful of customers and an unknown persona (must fail, naming the personas) run
the notebook's code in-process. What the report computes for each persona of both worlds
(against plain-pandas oracles and planted truths) is in tests/test_persona_reports.py.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from jmtools.journey import Journey
from jmtools.report.record import read_records
from jmtools.report.runner import read_parameters

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_journey_report.ipynb"
ECOM, B2B = ROOT / "data" / "ecommerce", ROOT / "data" / "b2b"
TINY_RULE = "age < 30 and price_sensitivity < 0.2"
SECTIONS = ["At a glance", "Who this report is about", "The data behind it", "How far customers get",
            "How customers feel along the way", "Satisfaction, effort and recommendation per stage",
            "Where it hurts", "What customers write about", "What to fix first", "The journey map"]

if not (ECOM / "journey.yaml").exists() or not (B2B / "journey.yaml").exists():
    pytest.skip("sample data not generated (jmtools sample-data)", allow_module_level=True)


def test_parameters_cell_is_declared_and_explained():
    params = read_parameters(NOTEBOOK)
    assert list(params) == ["data_dir", "journey_file", "persona", "segment", "min_n", "top_n",
                            "funnel_steps", "history_dir", "map_before"]
    assert all(p.help for p in params.values())
    assert params["persona"].default == "all" and params["journey_file"].default == ""
    # plain papermill users see the same parameters (papermill --help-notebook)
    import papermill as pm

    assert list(pm.inspect_notebook(str(NOTEBOOK))) == list(params)


def _tiny_journey(tmp: Path) -> Path:
    text = (ECOM / "journey.yaml").read_text(encoding="utf-8")
    marker = "\nstages:"
    tiny = (f"  - name: Cautious Carl\n    rule: \"{TINY_RULE}\"\n"
            "    backstory: Young, careful with money, rarely buys.\n")
    head, sep, tail = text.partition(marker)
    assert sep, "journey.yaml has a top-level stages key"
    path = tmp / "journey_tiny.yaml"
    path.write_text(head.rstrip("\n") + "\n" + tiny + sep + tail, encoding="utf-8")
    assert "Cautious Carl" in Journey.load(path).persona_names
    return path


@pytest.fixture(scope="module")
def batch(notebook_runs):
    """Budget Ben in the e-commerce world, through the batch runner (as `jmtools demo` runs it).
    Its figures for every persona are checked in-process in tests/test_persona_reports.py."""
    _, result = notebook_runs.get("nb00_ecommerce")
    return {r.name: r for r in result.results}, Path(result.out_dir)


@pytest.fixture(scope="module")
def plain(notebook_runs):
    """Plain papermill, as a user would run it (jmtools importable, kernel python3): the B2B
    world, everybody in one segment."""
    _, path = notebook_runs.get("nb00_b2b")
    return nbformat.read(path, as_version=4)


def test_budget_ben_report_has_every_section(batch):
    results, out = batch
    ben = results["ben"]
    assert ben.ok, ben.error
    html = (out / ben.html).read_text()
    for heading in SECTIONS:
        assert f">{heading}<" in html, heading
    assert "Traceback" not in html and "Budget Ben" in html


def test_persona_with_little_data_still_reports_and_says_so(tmp_path, ecommerce_world):
    """The notebook's own code, run in-process for a persona of a handful of customers: every
    section runs, and it says the persona has fewer than 5 customers instead of their number
    (docs/decisions.md, the disclosure rule)."""
    from inprocess import run_cells

    run = run_cells(NOTEBOOK, {"data_dir": str(ECOM), "persona": "Cautious Carl",
                               "journey_file": str(_tiny_journey(tmp_path))},
                    worlds=[ecommerce_world.world])
    customers = pd.read_csv(ECOM / "customers.csv")
    journey = Journey.load(ECOM / "journey.yaml")
    taken = set().union(*(set(customers.query(p.rule)["customer_id"])
                          for p in journey.personas_resolved()))
    ev_ids = set(pd.read_parquet(ECOM / "events.parquet", columns=["customer_id"])["customer_id"])
    expected = set(customers.query(TINY_RULE)["customer_id"]) - taken
    assert 0 < len(expected & ev_ids) < 5      # 3 customers: fewer than any group a report may show
    assert "customers" not in run.figures       # so their number is neither recorded nor shown
    shown = [str(getattr(o, "data", "")) for o in run.displayed]
    assert any("Cautious Carl: fewer than 5 customers — its funnel is not shown" in text for text in shown)
    assert not any("Thin evidence" in text for text in shown)   # it would print "Only 3 customers"


def test_unknown_persona_fails_naming_the_personas(ecommerce_world):
    from inprocess import run_cells

    from jmtools.core.errors import ParameterError

    with pytest.raises(ParameterError) as err:
        run_cells(NOTEBOOK, {"data_dir": str(ECOM), "persona": "Budget Bne"},
                  worlds=[ecommerce_world.world])
    assert "did you mean 'Budget Ben'" in str(err.value) and "Marathon Maya" in str(err.value)


def test_segment_report_covers_only_the_segment(plain):
    records = read_records(plain)
    customers = pd.read_csv(B2B / "customers.csv")
    chosen = set(customers.loc[customers["region"] == "Southern Europe", "customer_id"])
    ev_ids = set(pd.read_parquet(B2B / "events.parquet", columns=["customer_id"])["customer_id"])
    assert records["figures"]["segment_customers"]["value"] == len(chosen)
    assert records["figures"]["customers"]["value"] == len(chosen & ev_ids)
    text = nbformat.writes(plain)
    assert "in segment region == &#x27;Southern Europe&#x27;" in text or \
        "in segment region == 'Southern Europe'" in text


def test_runs_under_plain_papermill(plain):
    records = read_records(plain)
    customers = pd.read_csv(B2B / "customers.csv")
    roles = {s["role"]: s for s in records["sources"]}
    assert set(roles) >= {"journey", "events", "customers", "surveys", "feedback"}
    assert roles["customers"]["rows"] == len(customers)
    errors = [o for c in plain.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_report_opens_offline_in_chromium_with_every_chart_drawn(batch):
    """The real report in a real browser: every chart drawn, nothing requested outside file:."""
    sync_api = pytest.importorskip("playwright.sync_api")
    results, out = batch
    outside, errors = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"])
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            "file:") else (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((out / results["ben"].html).as_uri())
        page.wait_for_selector("body[data-charts-done='true']", timeout=60_000)
        charts = page.locator(".jm-chart")
        n_charts = charts.count()
        assert n_charts >= 5  # funnel, emotion curve, pain points, backlog, map
        assert page.locator(".jm-chart[data-rendered='true']").count() == n_charts
        for i in range(n_charts):
            assert charts.nth(i).locator("g.role-mark path, g.role-mark text, g.role-mark line"
                                         ).count() > 0, f"chart {i} drew no mark"
        # the funnel's bars: one per stage for Ben and one per stage for everyone
        stages = len(Journey.load(ECOM / "journey.yaml").stage_names)
        assert charts.nth(0).locator("g.mark-rect.role-mark path").count() == 2 * stages
        page.screenshot(path=str(out / "ben.png"), full_page=True)
        static = context.new_page()
        static.goto((out / results["ben"].static_html).as_uri())
        static.wait_for_load_state("load")
        # PNG: mail clients strip SVG; the map's print-only parts stay out of the static variant
        n_print_only = page.locator(".jm-map-print .jm-chart").count()
        assert static.locator(".jm-chart-static img").count() == n_charts - n_print_only
        assert static.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 100)")
        browser.close()
    assert outside == [] and errors == []
