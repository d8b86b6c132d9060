"""The curve editor's stage labels in headless Debian Chromium (D184): long stage names (an energy
supplier's "Smart meter install", "Move house / Leave") were drawn on one line each and ran into
each other at 1280 px with JupyterLab's file browser open, and were scaled to 6 px at 800 px.
The editor's own JavaScript is rendered on a page with a stand-in model, at an output's width."""

from __future__ import annotations

import json
import os

import pytest

from jmtools.widgets._curve_assets import CSS, ESM

from test_report_browser import CHROMIUM, browser  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium at /usr/bin/chromium")]

#: The utility world's stages, longer than the samples'.
STAGES = ["Compare tariffs", "Sign up", "Switch-over", "Smart meter install", "Monthly bill", "Pay",
          "Payment difficulty", "Move house / Leave"]

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>%(css)s body { margin: 0; }</style></head>
<body><div id="host" style="width: %(width)spx"></div>
<script type="module">
import view from "data:text/javascript;charset=utf-8,%(esm)s";
const state = %(state)s, handlers = {};
const model = { get: (k) => state[k], set: (k, v) => { state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); },
  save_changes: () => {}, send: () => {}, on: (e, f) => { (handlers[e] = handlers[e] || []).push(f); }, off: () => {} };
window.model = model;
view.render({ model, el: document.getElementById("host") });
window.drawn = true;
</script></body></html>"""

_LABELS = """() => [...document.querySelectorAll('text.jm-stage')].map((t) => {
  const b = t.getBoundingClientRect(), svg = t.ownerSVGElement.getBoundingClientRect();
  return { stage: t.dataset.stage, text: [...t.childNodes].filter((n) => n.nodeName !== 'title')
             .map((n) => n.textContent).join(' '), title: t.querySelector('title').textContent,
           turned: t.classList.contains('jm-turned'), left: b.left, right: b.right, top: b.top,
           bottom: b.bottom, inside: b.left >= svg.left - 0.5 && b.right <= svg.right + 0.5 &&
           b.bottom <= svg.bottom + 0.5, size: parseFloat(getComputedStyle(t).fontSize) * svg.width
           / t.ownerSVGElement.viewBox.baseVal.width }; })"""


def _labels(browser, width: int, tmp_path):
    from urllib.parse import quote

    state = {"stages": STAGES, "persona": "all", "locked": [], "error": "", "status": "",
             "assumed": {s: 0.0 for s in STAGES},
             "measured": [{"stage": s, "valence": 0.1, "ci_low": -0.2, "ci_high": 0.4, "n": 2205,
                           "low_evidence": False} for s in STAGES]}
    page_file = tmp_path / f"curve-{width}.html"
    page_file.write_text(_PAGE % {"css": CSS, "width": width, "esm": quote(ESM), "state": json.dumps(state)},
                         encoding="utf-8")
    context = browser.new_context(viewport={"width": width + 40, "height": 600})
    outside = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                  else (outside.append(r.request.url), r.abort()))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri())
    page.wait_for_function("window.drawn === true", timeout=10_000)
    page.wait_for_timeout(300)
    return context, page, page.evaluate(_LABELS), errors + outside


def test_long_stage_names_wrap_apart_at_a_wide_output(browser, tmp_path):
    """JupyterLab at 1280 px with its file browser open gives the editor about 700 px."""
    context, page, labels, errors = _labels(browser, 700, tmp_path)
    assert errors == [] and [l["stage"] for l in labels] == STAGES
    assert not any(l["turned"] for l in labels)
    for a, b in zip(labels, labels[1:]):
        assert a["right"] + 2 <= b["left"], (a, b)                  # apart, not overlapping
    assert all(l["text"] == l["stage"] and l["title"] == l["stage"] for l in labels)   # whole, on lines
    assert max(page.evaluate("[...document.querySelectorAll('text.jm-stage')].map(t => t.querySelectorAll('tspan').length)")) > 1
    assert all(l["inside"] for l in labels) and min(l["size"] for l in labels) >= 11.5
    # what the editor does is unchanged: a key moves a point and the model hears it
    page.locator('circle.jm-assumed[data-stage="Smart meter install"]').focus()
    page.keyboard.press("ArrowUp")
    assert page.evaluate("window.model.get('assumed')['Smart meter install']") == 0.5
    context.close()


def test_at_a_narrow_output_names_turn_and_stay_legible(browser, tmp_path):
    """JupyterLab at 800 px with its file browser open gives the editor about 356 px: names are
    turned 45°, drawn at 12 px (not the drawing scaled to half), whole where room allows, each
    whole in its tooltip, none outside the drawing."""
    context, page, labels, errors = _labels(browser, 356, tmp_path)
    assert errors == [] and all(l["turned"] for l in labels)
    assert min(l["size"] for l in labels) >= 11.5 and all(l["inside"] for l in labels)
    for l in labels:
        assert l["title"] == l["stage"]
        assert l["text"] == l["stage"] or (l["text"].endswith("…") and l["stage"].startswith(l["text"][:-1]))
    assert sum(l["text"] == l["stage"] for l in labels) >= 7
    counts = page.evaluate("[...document.querySelectorAll('text.jm-n')].map(t => t.getBoundingClientRect())"
                           ".map(b => [b.left, b.right, b.top])")
    for (l1, r1, t1), (l2, r2, t2) in zip(counts, counts[1:]):
        assert r1 <= l2 or abs(t1 - t2) >= 10                      # side by side, or on two rows
    context.close()
