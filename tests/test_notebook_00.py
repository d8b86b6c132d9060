"""notebooks/00_journey_report.ipynb: runs under plain papermill and through jmtools, per persona.

Parameter sets: B2B for everyone (plain papermill), Budget Ben in the e-commerce world, a
persona with only a handful of customers, and an unknown persona (must fail, naming the
personas). Recorded figures are checked against plain-pandas oracles and planted truths.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from jmtools.journey import Journey
from jmtools.report.batch import Job, run_batch
from jmtools.report.record import read_records
from jmtools.report.runner import read_parameters

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_journey_report.ipynb"
ECOM, B2B = ROOT / "data" / "ecommerce", ROOT / "data" / "b2b"
TINY_RULE = "age < 30 and price_sensitivity < 0.2"
SEGMENT = "region == 'Southern Europe'"
SECTIONS = ["At a glance", "Who this report is about", "The data behind it", "How far customers get",
            "How customers feel along the way", "Satisfaction, effort and recommendation per stage",
            "Where it hurts", "What customers write about", "What to fix first", "The journey map"]

if not (ECOM / "journey.yaml").exists() or not (B2B / "journey.yaml").exists():
    pytest.skip("sample data not generated (jmtools sample-data)", allow_module_level=True)


def test_parameters_cell_is_declared_and_explained():
    params = read_parameters(NOTEBOOK)
    assert list(params) == ["data_dir", "journey_file", "persona", "segment", "min_n", "top_n"]
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
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb00")
    jobs = [Job("ben", str(NOTEBOOK), {"data_dir": str(ECOM), "persona": "Budget Ben"}),
            Job("tiny", str(NOTEBOOK), {"data_dir": str(ECOM), "persona": "Cautious Carl",
                                        "journey_file": str(_tiny_journey(tmp))}),
            Job("unknown", str(NOTEBOOK), {"data_dir": str(ECOM), "persona": "Budget Bne"}),
            Job("segment", str(NOTEBOOK), {"data_dir": str(B2B), "segment": SEGMENT}),
            Job("maya", str(NOTEBOOK), {"data_dir": str(ECOM), "persona": "Marathon Maya"})]
    result = run_batch(jobs, tmp / "out", workers=2, progress=False)
    return {r.name: r for r in result.results}, tmp / "out"


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """Plain papermill, as a user would run it (jmtools importable, kernel python3)."""
    import os

    import papermill as pm

    out = tmp_path_factory.mktemp("plain") / "b2b.ipynb"
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), old) if p)
    try:
        pm.execute_notebook(str(NOTEBOOK), str(out), parameters={"data_dir": "../data/b2b"},
                            kernel_name="python3", cwd=str(NOTEBOOK.parent), progress_bar=False)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    return nbformat.read(out, as_version=4)


def _events_with_stage(world: Path, journey: Journey) -> pd.DataFrame:
    ev = pd.read_parquet(world / "events.parquet")
    ev["_row"] = range(len(ev))
    regexes = journey.touchpoint_regexes()

    def stage(event):
        for touchpoint, rx in regexes.items():  # first touchpoint in file order wins
            if re.fullmatch(rx, event):
                return journey.stage_of(touchpoint)
        return None

    ev["stage"] = ev["event"].map({e: stage(e) for e in ev["event"].unique()})
    return ev


def _funnel_oracle(ev: pd.DataFrame, stages: list[str], ids: set) -> tuple[int, int]:
    """Strict ordered stage funnel by a plain scan: (started, reached the last stage)."""
    mine = ev[ev["customer_id"].isin(ids)].sort_values(["customer_id", "timestamp", "_row"])
    started = finished = 0
    for _, stage_seq in mine.groupby("customer_id")["stage"]:
        k = 0
        for s in stage_seq:
            if k < len(stages) and s == stages[k]:
                k += 1
        started += k >= 1
        finished += k == len(stages)
    return started, finished


def test_budget_ben_counts_match_a_plain_pandas_oracle(batch):
    results, _ = batch
    ben = results["ben"]
    assert ben.ok, ben.error
    figures = {k: f["value"] for k, f in ben.figures.items()}
    journey = Journey.load(ECOM / "journey.yaml")
    customers = pd.read_csv(ECOM / "customers.csv")
    ev = _events_with_stage(ECOM, journey)
    ids = set(customers.query(journey.personas_resolved()[0].rule)["customer_id"])  # Ben is first
    ids &= set(ev["customer_id"])
    assert figures["customers"] == len(ids)
    started, finished = _funnel_oracle(ev, journey.stage_names, ids)
    assert ben.figures["reached_last_stage"]["n"] == started
    assert figures["reached_last_stage"] == pytest.approx(finished / started)


def test_budget_ben_report_finds_the_planted_truths(batch):
    results, out = batch
    ben = results["ben"]
    assert ben.ok, ben.error
    figures = {k: f["value"] for k, f in ben.figures.items()}
    # planted truths: Ben's low is at Decision (checkout), and hidden fees hurt him most
    truths = json.loads((ECOM / "truths.json").read_text())
    low = next(t for t in truths["emotion"] if t["persona"] == "Budget Ben" and t["kind"] == "low")
    assert figures["lowest_emotion_stage"] == low["stage"]
    assert figures["lowest_emotion"] < 0
    fees = next(t for t in truths["themes"] if "Budget Ben" in t["main_personas"])
    assert figures["top_pain_point"] == fees["title"]
    html = (out / ben.html).read_text()
    for heading in SECTIONS:
        assert f">{heading}<" in html, heading
    assert "Traceback" not in html and "Budget Ben" in html


def test_persona_with_little_data_still_reports_and_says_so(batch):
    results, out = batch
    tiny = results["tiny"]
    assert tiny.ok, tiny.error
    customers = pd.read_csv(ECOM / "customers.csv")
    journey = Journey.load(ECOM / "journey.yaml")
    taken = set().union(*(set(customers.query(p.rule)["customer_id"])
                          for p in journey.personas_resolved()))
    ev_ids = set(pd.read_parquet(ECOM / "events.parquet", columns=["customer_id"])["customer_id"])
    expected = set(customers.query(TINY_RULE)["customer_id"]) - taken
    assert 0 < tiny.figures["customers"]["value"] == len(expected & ev_ids) < 30
    html = (out / tiny.html).read_text()
    assert "Thin evidence" in html and "Traceback" not in html
    for heading in SECTIONS:
        assert f">{heading}<" in html, heading


def test_unknown_persona_fails_naming_the_personas(batch):
    results, _ = batch
    bad = results["unknown"]
    assert bad.status == "failed" and bad.error_type == "ParameterError"
    assert "did you mean 'Budget Ben'" in bad.error and "Marathon Maya" in bad.error


def test_segment_report_covers_only_the_segment(batch):
    results, out = batch
    seg = results["segment"]
    assert seg.ok, seg.error
    customers = pd.read_csv(B2B / "customers.csv")
    chosen = set(customers.loc[customers["region"] == "Southern Europe", "customer_id"])
    ev_ids = set(pd.read_parquet(B2B / "events.parquet", columns=["customer_id"])["customer_id"])
    assert seg.figures["segment_customers"]["value"] == len(chosen)
    assert seg.figures["customers"]["value"] == len(chosen & ev_ids)
    assert "in segment region == &#x27;Southern Europe&#x27;" in (out / seg.html).read_text() or \
        "in segment region == 'Southern Europe'" in (out / seg.html).read_text()


def test_same_input_gives_the_same_recorded_figures(batch, tmp_path):
    results, _ = batch
    again = run_batch([Job("ben", str(NOTEBOOK), {"data_dir": str(ECOM), "persona": "Budget Ben"})],
                      tmp_path, workers=1, progress=False, static=False)
    assert again.results[0].figures == results["ben"].figures


def test_runs_under_plain_papermill(plain):
    records = read_records(plain)
    customers = pd.read_csv(B2B / "customers.csv")
    ev_ids = set(pd.read_parquet(B2B / "events.parquet", columns=["customer_id"])["customer_id"])
    assert records["figures"]["customers"]["value"] == len(set(customers["customer_id"]) & ev_ids)
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
        assert static.locator(".jm-chart-static svg").count() == n_charts
        browser.close()
    assert outside == [] and errors == []


def _section(html: str, heading: str, following: str) -> str:
    """The body of one section (from its heading to the next one, past the table of contents)."""
    start = html.rindex(f">{heading}<")
    return html[start:html.index(f">{following}<", start)]


def test_marathon_maya_report_is_about_maya(batch):
    """Her pain points are ranked by her own numbers: not Ben's hidden fees, not the support
    she loves (planted truths), and the evidence shows her numbers, not other personas'."""
    results, out = batch
    maya = results["maya"]
    assert maya.ok, maya.error
    truths = json.loads((ECOM / "truths.json").read_text())
    journey = Journey.load(ECOM / "journey.yaml")
    titles = {p.id: p.title for p in journey.pain_points}
    figures = {k: f["value"] for k, f in maya.figures.items()}
    assert figures["top_pain_point"] != titles["hidden-fees"]
    assert figures["top_pain_point"] == titles["slow-shipping"]
    html = (out / maya.html).read_text()
    hurts = _section(html, "Where it hurts", "What customers write about")
    loved = next(e for e in truths["emotion"] if e["kind"] == "high" and e["persona"] == "Marathon Maya")
    assert f"at {loved['stage'].lower()} / {loved['touchpoint'].lower()}" not in hurts.lower()
    for other in ("Budget Ben:", "New Runner Nina:", "Weekend Walter:"):
        assert other not in hurts
    assert "Marathon Maya: " in hurts
    # counts shown are hers: no bar longer than her customers
    customers = pd.read_csv(ECOM / "customers.csv")
    size = len(customers.query(journey.personas_resolved()[1].rule))
    bars = [float(v) for v in re.findall(r'"customers_affected":\s*([\d.]+)', html)]
    assert bars and max(bars) <= size
    writes = _section(html, "What customers write about", "What to fix first")
    assert "slow delivery" in writes
