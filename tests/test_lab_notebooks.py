"""The notebooks in a real JupyterLab, offline: every chart drawn, the editors write the journey.

A JupyterLab server on a free loopback port serves a copy of ``notebooks/``; headless Debian
Chromium (Playwright) opens each notebook, runs every cell through the Run menu and counts the
drawn Vega views against the chart outputs the kernel sent. Every request that leaves the
loopback server is aborted and fails the test, as does any console or page error. The workshop
notebook's editors are then used as an analyst would: a point of the emotion curve is dragged
and saved, a persona rule is edited (its live count checked against plain pandas), and the
journey report run on the saved file shows the edits.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from jmtools.core.resources import data_dir, notebooks_dir
from jmtools.journey import Journey

from lab_client import ARGS, CHROMIUM, lab_server, new_page, open_notebook, run_all

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="needs Debian chromium at /usr/bin/chromium "
                                        "(apt-get install chromium)")]
NOTEBOOKS = sorted(p.name for p in notebooks_dir().glob("[0-9]*.ipynb"))
SHOTS = Path(os.environ.get("JMTOOLS_SHOTS", "")) if os.environ.get("JMTOOLS_SHOTS") else None
VEGA_OUTPUT = ".jp-OutputArea-output .jp-RenderedVegaCommon5"
DRAWN = ".jp-RenderedVegaCommon5 .vega-embed svg.marks, .jp-RenderedVegaCommon5 .vega-embed canvas.marks"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(notebooks_dir(), root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with lab_server(root) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _shot(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _saved_outputs(lab, page, name: str) -> list[dict]:
    """Save the notebook from the page and read the outputs the kernel sent."""
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    nb = json.loads((lab.root / "notebooks" / name).read_text(encoding="utf-8"))
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]


def _scroll_through(page) -> None:
    """Scroll the notebook to the end and back so every output is laid out."""
    page.evaluate("""async () => {
        const nb = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                   || document.querySelector('.jp-NotebookPanel .jp-Notebook');
        for (let y = 0; y <= nb.scrollHeight; y += 600) {
            nb.scrollTop = y; await new Promise(r => setTimeout(r, 60)); }
        nb.scrollTop = 0;
    }""")


def _drawn_everywhere(page) -> tuple[int, int]:
    """(Vega outputs on the page, those holding a drawn view), widgets' outputs included."""
    return page.evaluate("""() => {
        const boxes = [...document.querySelectorAll('.jp-RenderedVegaCommon5')];
        return [boxes.length,
                boxes.filter(b => b.querySelector('.vega-embed svg.marks, .vega-embed canvas.marks')).length];
    }""")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_chart_renders_offline(lab, browser, name):
    context, page, watch = new_page(browser, lab)
    try:
        open_notebook(page, lab, f"notebooks/{name}")
        dirty = page.evaluate("() => !!document.querySelector('.jp-mod-dirty')")
        run_all(page)
        _scroll_through(page)
        outputs = _saved_outputs(lab, page, name)
        charts = [o for o in outputs if "application/vnd.vega.v5+json" in o.get("data", {})]
        in_widgets = page.locator(".jupyter-widgets .jp-RenderedVegaCommon5").count()
        errors = [o for o in outputs if o["output_type"] == "error"]
        cdn = [o for o in outputs if "vegaEmbed" in str(o.get("data", {}).get("text/html", ""))]
        expected = len(charts) + in_widgets
        page.wait_for_function(f"n => document.querySelectorAll({DRAWN!r}).length >= n",
                               arg=expected, timeout=60_000)
        boxes, drawn = _drawn_everywhere(page)
        clipped = page.evaluate("""() => [...document.querySelectorAll('.jp-RenderedVegaCommon5')]
            .filter(b => b.scrollWidth > b.clientWidth + 1 &&
                         !['auto', 'scroll'].includes(getComputedStyle(b).overflowX)).length""")
        news = page.locator("text=get notified about official Jupyter news").count()
        _shot(page, name.removesuffix(".ipynb"))
    finally:
        context.close()
    assert news == 0, "JupyterLab offers to fetch news (templates/lab/overrides.json not installed)"
    assert not dirty, f"{name} opened already modified"
    assert not errors, [f"{e['ename']}: {e['evalue']}" for e in errors]
    assert not cdn, "a chart output loads Vega from a CDN"
    assert expected, f"{name} drew no chart"
    assert boxes == drawn == expected, (boxes, drawn, len(charts), in_widgets)
    assert clipped == 0, "a chart wider than the notebook is clipped instead of scrolling"
    assert watch.outside == [], watch.outside
    assert watch.page_errors == [] and watch.console_errors == [], (watch.page_errors,
                                                                     watch.console_errors)


#: The teaching track in the browser: a subset by default (each notebook takes about a minute
#: here); JMTOOLS_TEACHING_ALL=1 runs all eight (and with JMTOOLS_SHOTS, screenshots each).
TEACHING = sorted(p.name for p in (notebooks_dir() / "teaching").glob("[0-9]*.ipynb"))
TEACHING_SUBSET = TEACHING if os.environ.get("JMTOOLS_TEACHING_ALL") else \
    ["00_start_here.ipynb", "06_prioritisation.ipynb"]


@pytest.mark.parametrize("name", TEACHING_SUBSET)
def test_the_teaching_track_renders_offline_with_its_hints(lab, browser, name):
    """A learner's notebook, answers still empty: every chart drawn offline, every exercise's
    question and its "not answered yet" feedback shown, nothing fetched, no error."""
    from jmtools.teaching import EXERCISES

    path = f"teaching/{name}"
    context, page, watch = new_page(browser, lab)
    try:
        open_notebook(page, lab, f"notebooks/{path}")
        run_all(page)
        _scroll_through(page)
        outputs = _saved_outputs(lab, page, path)
        charts = [o for o in outputs if "application/vnd.vega.v5+json" in o.get("data", {})]
        errors = [o for o in outputs if o["output_type"] == "error"]
        page.wait_for_function(f"n => document.querySelectorAll({DRAWN!r}).length >= n",
                               arg=len(charts), timeout=60_000)
        boxes, drawn = _drawn_everywhere(page)
        questions = page.locator(".jp-OutputArea-output .jm-question").count()
        waiting = page.locator(".jp-OutputArea-output .jm-feedback", has_text="not answered yet").count()
        _shot(page, "teaching_" + name.removesuffix(".ipynb"))
    finally:
        context.close()
    step = int(name[:2])
    expected = len([e for e in EXERCISES.values() if e.step == step])
    assert not errors, [f"{e['ename']}: {e['evalue']}" for e in errors]
    assert charts and boxes == drawn == len(charts), (boxes, drawn, len(charts))
    assert questions == waiting == expected, (questions, waiting, expected)
    assert watch.outside == [], watch.outside
    assert watch.page_errors == [] and watch.console_errors == [], (watch.page_errors,
                                                                     watch.console_errors)


def _customers_matching(rule_age: int) -> int:
    """Oracle in plain pandas: customers with events that Budget Ben's edited rule selects."""
    world = data_dir() / "ecommerce"
    customers = pd.read_csv(world / "customers.csv")
    with_events = set(pd.read_parquet(world / "events.parquet", columns=["customer_id"])["customer_id"])
    chosen = customers[(customers["age"] < rule_age) & (customers["price_sensitivity"] >= 0.6)]
    return int(chosen["customer_id"].isin(with_events).sum())


#: Budget Ben's first opportunity in the sample world's backlog (its owner is edited on the board).
OPPORTUNITY = "show-fees-early"


def test_workshop_edits_reach_the_journey_file_and_the_report(lab, browser, tmp_path):
    """Drag the curve, edit a persona rule, save; the report run on the saved file shows both."""
    from jmtools.report.batch import Job, run_batch

    source = data_dir() / "ecommerce" / "journey.yaml"
    saved = lab.root / "notebooks" / "my_journey.yaml"
    saved.unlink(missing_ok=True)
    context, page, watch = new_page(browser, lab)
    try:
        open_notebook(page, lab, "notebooks/06_workshop.ipynb")
        run_all(page)
        page.wait_for_selector(".jm-curve-editor circle.jm-assumed", timeout=60_000)
        point = page.locator('.jm-curve-editor circle.jm-assumed[data-stage="Awareness"]')
        point.scroll_into_view_if_needed()
        assert point.get_attribute("data-value") == "1"
        box = point.bounding_box()
        unit = page.evaluate("""() => { const s = document.querySelector('.jm-curve-editor svg');
                                        return s.getBoundingClientRect().height / 320 * 238 / 4; }""")
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, y - unit * 0.5, steps=4)
        page.mouse.move(x, y - unit * 1.0, steps=4)
        page.mouse.up()
        page.wait_for_function("""() => document.querySelector(
            '.jm-curve-editor circle.jm-assumed[data-stage="Awareness"]').getAttribute('data-value') === '2'""",
            timeout=20_000)
        other = page.locator('.jm-curve-editor circle.jm-assumed[data-stage="Post-purchase"]')
        other.focus()
        page.keyboard.press("ArrowDown")
        page.wait_for_function("""() => document.querySelector(
            '.jm-curve-editor circle.jm-assumed[data-stage="Post-purchase"]').getAttribute('data-value') === '0.5'""",
            timeout=20_000)
        page.keyboard.press("ArrowUp")  # back to where it was: the file must not change there
        page.wait_for_function("""() => document.querySelector(
            '.jm-curve-editor circle.jm-assumed[data-stage="Post-purchase"]').getAttribute('data-value') === '1'""",
            timeout=20_000)
        _shot(page, "06_curve_dragged")
        page.locator(".jm-curve-editor button.jm-save").click()
        page.wait_for_function("() => /saved/.test(document.querySelector('.jm-curve-editor .jm-status').textContent)",
                               timeout=30_000)
        curve_diff = [line for line in difflib.unified_diff(
            source.read_text(encoding="utf-8").splitlines(), saved.read_text(encoding="utf-8").splitlines(),
            lineterm="", n=0) if line[:1] in "+-" and not line.startswith(("+++", "---"))]

        page.locator(".lm-TabBar-tab", has_text="Priorities").first.click()
        row = page.locator(f".jm-priority-board .widget-hbox:has(b:text-is('{OPPORTUNITY}'))")
        owner = row.locator(".jm-owner input")
        owner.wait_for(timeout=30_000)
        owner.fill("Pricing guild")
        owner.press("Enter")
        page.wait_for_timeout(1500)  # the matrix is redrawn on each change
        _shot(page, "06_board_edited")
        page.locator(".jm-priority-board .jm-save").click()
        page.wait_for_function("""() => /saved/.test(
            document.querySelector('.jm-priority-board').textContent)""", timeout=30_000)
        after_board = saved.read_text(encoding="utf-8")

        page.locator(".lm-TabBar-tab", has_text="Personas").first.click()
        rule = page.locator(".jm-persona-editor .jm-rule input")
        rule.wait_for(timeout=30_000)
        assert rule.input_value() == "age < 30 and price_sensitivity >= 0.6"
        count = page.locator(".jm-persona-editor .jm-count-value")
        assert count.text_content().replace(",", "") == str(_customers_matching(30))
        rule.fill("age < 35 and price_sensitivity >= 0.6")
        expected = _customers_matching(35)
        page.wait_for_function(f"""() => document.querySelector('.jm-persona-editor .jm-count-value')
            .textContent.replace(',', '') === '{expected}'""", timeout=30_000)
        rule.fill("agee < 35")
        page.wait_for_function("""() => /did you mean/.test(
            document.querySelector('.jm-persona-editor .jm-errors').textContent)""", timeout=30_000)
        _shot(page, "06_persona_rule_error")
        rule.fill("age < 35 and price_sensitivity >= 0.6")
        page.wait_for_function(f"""() => document.querySelector('.jm-persona-editor .jm-count-value')
            .textContent.replace(',', '') === '{expected}'""", timeout=30_000)
        page.locator(".jm-persona-editor .jm-save").click()
        page.wait_for_function("""() => /saved/.test(
            document.querySelector('.jm-persona-editor').textContent)""", timeout=30_000)
        _shot(page, "06_persona_saved")
    finally:
        context.close()
    assert curve_diff == ["-    emotion: 1", "+    emotion: 2"], curve_diff   # a whole number stays one (D183)
    board_diff = [line for line in difflib.unified_diff(
        source.read_text(encoding="utf-8").splitlines(), after_board.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(board_diff) == 4 and "+    owner: Pricing guild" in board_diff, board_diff
    assert Journey.load(saved).personas[0].rule == "age < 35 and price_sensitivity >= 0.6"
    assert watch.outside == [] and watch.page_errors == [], (watch.outside, watch.page_errors)

    job = Job(name="Budget Ben", notebook=str(notebooks_dir() / "00_journey_report.ipynb"),
              parameters={"data_dir": "sample:ecommerce", "journey_file": str(saved),
                          "persona": "Budget Ben"})
    batch = run_batch([job], tmp_path / "reports", workers=1, static=False, progress=False)
    assert not batch.failed, batch.summary()
    result = batch.results[0]
    assert result.figures["customers"]["value"] == expected          # the edited rule
    report = (tmp_path / "reports" / result.html).read_text(encoding="utf-8")
    assert "Pricing guild" in report                                  # the board's owner
    executed = json.loads((tmp_path / "reports" / result.executed_notebook).read_text())
    specs = [o["data"].get("application/vnd.vegalite.v6+json") for c in executed["cells"]
             for o in c.get("outputs", []) if "data" in o]
    rows = [r for spec in specs if spec for values in spec.get("datasets", {}).values()
            for r in values if isinstance(r, dict)]
    assumed = [r for r in rows if r.get("stage") == "Awareness" and r.get("who") == "Budget Ben"
               and r.get("curve") == "assumed in the workshop"]
    assert assumed and all(r["valence"] == 2.0 for r in assumed), assumed   # the dragged point


#: Outputs of the open notebook whose content is wider than they are (they scroll sideways).
_SIDEWAYS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')]
    .filter(o => o.offsetParent && o.scrollWidth > o.clientWidth + 1)
    .map(o => [o.scrollWidth, o.clientWidth, o.innerText.slice(0, 60)])"""
#: Each visible chart: [its drawn width, the width of the output it is in].
_CHART_WIDTHS = """() => [...document.querySelectorAll('.jp-RenderedVegaCommon5')].filter(b => b.offsetParent)
    .map(b => [b.querySelector('canvas.marks, svg.marks').getBoundingClientRect().width,
               b.closest('.jp-OutputArea-output').clientWidth])"""


@pytest.mark.parametrize("name", ["05_prioritisation.ipynb", "06_workshop.ipynb"])
def test_a_narrow_output_shows_tables_as_cards_and_charts_at_its_width(lab, browser, name):
    """At 800 px with the file browser open an output is about 360 px: notebook 05's own tables,
    its priority matrix (about 600 px) and notebook 06's funnel chart (about 670 px on the
    sample) scrolled sideways there (D201). Now no output scrolls, the kit's tables are cards
    and each chart is drawn at its output's width; the window widened to 1280 px, each chart is
    as wide as vl-convert draws its Vega-Lite spec on its own (its width before D201)."""
    vlc = pytest.importorskip("vl_convert")
    context, page, watch = new_page(browser, lab, width=800, height=900)
    try:
        open_notebook(page, lab, f"notebooks/{name}")
        run_all(page)
        _scroll_through(page)
        outputs = _saved_outputs(lab, page, name)
        page.wait_for_function("""() => [...document.querySelectorAll('.jp-RenderedVegaCommon5')]
            .filter(b => b.offsetParent).every(b => b.querySelector('canvas.marks, svg.marks'))""", timeout=60_000)
        page.wait_for_timeout(1500)          # a chart reads its output's width every half second
        sideways, narrow = page.evaluate(_SIDEWAYS), page.evaluate(_CHART_WIDTHS)
        cards = page.evaluate("""() => [...document.querySelectorAll('table.jm-cards')].filter(t => t.offsetParent)
            .map(t => getComputedStyle(t.tBodies[0].rows[0]).display)""")
        _shot(page, f"narrow_{name.removesuffix('.ipynb')}")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_timeout(1500)
        wide = page.evaluate(_CHART_WIDTHS)
    finally:
        context.close()
    own = []
    for o in outputs:
        spec = next((v for k, v in o.get("data", {}).items() if k.startswith("application/vnd.vegalite")), None)
        if spec and (spec.get("usermeta") or {}).get("jmtools_fit"):
            svg = vlc.vegalite_to_svg(spec)
            own.append(float(svg.split('width="', 1)[1].split('"', 1)[0]))
    assert sideways == [], sideways
    assert narrow and all(drawn <= box < 420 for drawn, box in narrow), narrow
    assert cards and set(cards) == {"block"}, cards            # one card per row
    wide = [(drawn, box) for drawn, box in wide if box > 700]
    assert wide and all(drawn < box - 40 for drawn, box in wide), wide   # its own width, not stretched
    if name.startswith("05"):   # 06's chart is inside the workshop's widget: its spec is not saved
        assert own and max(own) > 420, own                     # wider than the narrow output
        assert all(any(abs(w - drawn) <= 2 for drawn, _ in wide) for w in own), (own, wide)
    assert watch.outside == [], watch.outside
    assert watch.page_errors == [] and watch.console_errors == [], (watch.page_errors, watch.console_errors)


def test_jupyter_notebook_7_draws_the_report_offline(tmp_path_factory, browser):
    """Notebook 7 ships the same Vega renderer as JupyterLab: the report notebook draws offline."""
    pytest.importorskip("notebook", reason="Jupyter Notebook 7 is not installed")
    root = tmp_path_factory.mktemp("nb7")
    shutil.copy(notebooks_dir() / "00_journey_report.ipynb", root / "00.ipynb")
    with lab_server(root, app="notebook") as server:
        context, page, watch = new_page(browser, server)
        try:
            open_notebook(page, server, "00.ipynb")
            # Notebook 7.6 itself throws one settings error while loading (an empty notebook does
            # too): only errors raised once cells run are ours.
            at_load = len(watch.page_errors)
            run_all(page)
            page.keyboard.press("Control+s")
            page.wait_for_timeout(2000)
            nb = json.loads((root / "00.ipynb").read_text(encoding="utf-8"))
            charts = sum("application/vnd.vega.v5+json" in o.get("data", {})
                         for c in nb["cells"] for o in c.get("outputs", []))
            _scroll_through(page)
            page.wait_for_function(f"n => document.querySelectorAll({DRAWN!r}).length >= n",
                                   arg=charts, timeout=60_000)
            boxes, drawn = _drawn_everywhere(page)
            _shot(page, "nb7_00")
        finally:
            context.close()
    assert charts and boxes == drawn == charts, (boxes, drawn, charts)
    assert watch.outside == [] and watch.page_errors[at_load:] == [] and watch.console_errors == [], watch


def _cells_as_laid_out(page) -> dict[int, dict]:
    """Scroll the windowed notebook top to bottom; per code cell with outputs: its rendered
    text, the grey (hidden) heat-map cells drawn, and a screenshot (with JMTOOLS_SHOTS)."""
    seen: dict[int, dict] = {}
    height = page.evaluate("""() => (document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                                      || document.querySelector('.jp-NotebookPanel .jp-Notebook')).scrollHeight""")
    for y in range(0, int(height) + 800, 500):
        page.evaluate("""y => { const nb = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                                   || document.querySelector('.jp-NotebookPanel .jp-Notebook'); nb.scrollTop = y; }""", y)
        page.wait_for_timeout(150)
        indices = page.eval_on_selector_all(
            ".jp-CodeCell", "cells => cells.map(c => c.getAttribute('data-windowed-list-index'))")
        for index in indices:
            cell = page.locator(f'.jp-CodeCell[data-windowed-list-index="{index}"]')
            if index is None or int(index) in seen or not cell.count() or not cell.is_visible():
                continue
            out = cell.locator(".jp-OutputArea-output")
            if not out.count():
                continue
            box = cell.bounding_box()
            panel = page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").bounding_box()
            if box is None or panel is None or box["y"] < panel["y"] or \
                    box["y"] + min(box["height"], 600) > panel["y"] + panel["height"]:
                continue                                  # wait until it is in view
            page.wait_for_timeout(300)                     # let its charts draw
            seen[int(index)] = {"text": cell.inner_text(), "grey": cell.evaluate(_GREY_PIXELS, HIDDEN),
                                "charts": cell.locator(DRAWN).count()}
            if SHOTS:
                SHOTS.mkdir(parents=True, exist_ok=True)
                cell.screenshot(path=str(SHOTS / f"04_cell_{int(index):02d}.png"))
    return seen


HIDDEN = "#d9d9d9"     # jmtools.charts.painpoints.HIDDEN_COLOR
#: Pixels (canvas) or marks (SVG) of a cell's charts filled with a colour.
_GREY_PIXELS = """(cell, colour) => {
    const [r, g, b] = [1, 3, 5].map(i => parseInt(colour.slice(i, i + 2), 16));
    let n = 0;
    for (const c of cell.querySelectorAll('.vega-embed canvas.marks')) {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4)
            if (d[i] === r && d[i + 1] === g && d[i + 2] === b && d[i + 3] === 255) n++;
    }
    return n + cell.querySelectorAll(`.vega-embed svg.marks path[fill="${colour}"]`).length;
}"""


def test_notebook_04_shows_pseudonyms_and_hides_small_groups(lab, browser):
    """Notebook 04 as an analyst sees it: quotes signed by pseudonyms, never a customer id; the
    persona heat map draws its small cells grey with the note under it saying how many."""
    import re

    from jmtools.charts.painpoints import HIDDEN_COLOR

    assert HIDDEN == HIDDEN_COLOR
    context, page, watch = new_page(browser, lab, width=1500, height=1800)
    try:
        open_notebook(page, lab, "notebooks/04_pain_points.ipynb")
        run_all(page)
        seen = _cells_as_laid_out(page)
    finally:
        context.close()
    text = "\n".join(c["text"] for c in seen.values())
    assert not re.search(r"\bC\d{7}\b", text), "a customer id is shown"
    assert re.search(r"” \(C-[0-9a-f]{10}\)", text), "no quote signed by a pseudonym"
    charts = [c for c in seen.values() if c["charts"]]
    notes = [c for c in charts if "hidden (grey)" in c["text"]]
    assert notes, [c["text"][-200:] for c in charts]
    for c in charts:            # grey cells (≥ 60 × 20 px each) exactly where a note says so;
        # a few grey pixels elsewhere are anti-aliased edges
        assert (c["grey"] > 1000) == ("hidden (grey)" in c["text"]), (c["grey"], c["text"][:120])
    assert "Traceback" not in text
    assert watch.outside == [], watch.outside
    assert watch.page_errors == [] and watch.console_errors == [], (watch.page_errors, watch.console_errors)


def test_notebook_02_with_a_segment_in_a_narrow_panel(lab, browser):
    """Notebook 02 as an analyst runs it on a clinic's export with a segment (D217, D224, D226),
    in a 620 px window with the side bar closed (an output about 500 px): it runs without an error,
    says how many customers the segment holds (plain pandas), every chart is drawn offline no
    wider than its output (the charts of a segment's personas scrolled sideways, legends out of
    sight), and the segment's waits name the planted slow step."""
    import re

    from segment_cases import SEGMENT, clinic_world

    folder = lab.root / "clinic"
    if not folder.exists():
        clinic_world(folder, slow=True)
    customers = pd.read_csv(folder / "customers.csv")
    n_in = int(((customers["clinic"] == "Derm") & (customers["source"] == "GP")).sum())
    nb = json.loads((notebooks_dir() / "02_data_integration.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = [f"data_dir = {'../clinic'!r}\n", f"segment = {SEGMENT!r}\n"] + [
        line for line in cell["source"] if not line.startswith(("data_dir", "segment"))]
    (lab.root / "notebooks" / "02_segment.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    context, page, watch = new_page(browser, lab, width=620, height=1200)
    try:
        open_notebook(page, lab, "notebooks/02_segment.ipynb")
        page.keyboard.press("Control+b")                    # the side bar closed: the notebook ~540 px
        run_all(page)
        _scroll_through(page)
        outputs = _saved_outputs(lab, page, "02_segment.ipynb")
        charts = [o for o in outputs if "application/vnd.vega.v5+json" in o.get("data", {})]
        page.wait_for_function(f"n => document.querySelectorAll({DRAWN!r}).length >= n",
                               arg=len(charts), timeout=60_000)
        page.wait_for_timeout(1500)          # a chart reads its output's width every half second
        boxes, drawn = _drawn_everywhere(page)
        widths = page.evaluate(_CHART_WIDTHS)
        text = page.locator(".jp-NotebookPanel .jp-Notebook").inner_text()
        _shot(page, "narrow_02_segment")
    finally:
        context.close()
    errors = [o for o in outputs if o["output_type"] == "error"]
    assert not errors, [f"{e['ename']}: {e['evalue']}" for e in errors]
    assert f"Segment {SEGMENT}: {n_in:,} customers of the customer table" in text
    assert charts and boxes == drawn == len(charts), (boxes, drawn, len(charts))
    assert widths and all(w <= box + 1 and box < 560 for w, box in widths), widths
    waits = "".join(next(o["data"]["text/html"] for o in outputs if "slower" in "".join(o.get("data", {}).get("text/html", ""))))
    rows = [dict(re.findall(r'<td[^>]*data-label="([^"]+)">(.*?)</td>', r, re.S)) for r in waits.split("<tr")[1:]]
    booking = next((r for r in rows if r.get("between steps") == "Booking → Visit"), rows)   # a card table (D225)
    assert booking["slower"] == "yes", booking                                    # the planted slow step
    assert watch.outside == [], watch.outside
    assert watch.page_errors == [] and watch.console_errors == [], (watch.page_errors, watch.console_errors)


def test_a_cell_that_raises_stops_run_all_with_its_error(lab, browser):
    """Lab's Run All stops at a cell that raises (notebook 01's suggestion notes, D260, planted
    there by hand): the helper used to wait its whole limit and fail as a bare timeout; it now
    raises at once with the error, and the cells after it have not run."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("notes = ['a note']"),
                                         nbformat.v4.new_code_cell("for note in notes:\n    print(note)\n1 / 0"),
                                         nbformat.v4.new_code_cell("print('after')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / "notebooks" / "raises.ipynb")
    context, page, watch = new_page(browser, lab, width=1280)
    try:
        open_notebook(page, lab, "notebooks/raises.ipynb")
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            run_all(page, timeout=300_000)
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    finally:
        context.close()
    assert [p.strip() for p in prompts] == ["[1]:", "[2]:", "[ ]:"]
    assert watch.outside == []
