"""Sample journeys and workbook helpers shared by the journey test files.

Import them (``from journey_samples import ...``) rather than copying: two copies drift
apart. The fixtures ``journey`` (the :data:`WORKSHOP` journey) and ``book`` (it written as a
workbook) are plain pytest fixtures, imported by the test files that use them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jmtools.journey import Journey
from jmtools.journey.workbook import MAP_ROWS, write_workbook

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates" / "journeys").glob("*.yaml"))
SAMPLE_JOURNEYS = sorted((ROOT / "data").glob("*/journey.yaml"))

#: The e-commerce sample's touchpoint for later orders (D172).
REPEAT_ORDER_LINE = ("  - {name: Repeat order, stage: Decision, channel: digital, events: [order_placed], "
                     "occurrence: repeat, owner: Checkout squad}\n")


def unmark_repeat_orders(text: str) -> tuple[str, str]:
    """The e-commerce journey ``text`` without its Repeat order touchpoint (the first order still
    ``occurrence: first``), and with no occurrence at all (as it was before D172)."""
    assert REPEAT_ORDER_LINE in text and text.count("occurrence: first, owner") == 1
    first_only = text.replace(REPEAT_ORDER_LINE, "")
    unmarked = first_only.replace("occurrence: first, owner", "owner")
    assert "occurrence" not in unmarked.split("\ntouchpoints:\n", 1)[1]
    return first_only, unmarked


#: A small journey with comments, for the YAML round trip and the queries.
MINIMAL = """\
# comment at the top
name: Demo  # inline comment
stages:
  - name: Browse
    goal: Find something
  - name: Buy
touchpoints:
  - name: Shop page
    stage: Browse
    channel: digital
    events: ["view_.*"]
  - name: Checkout
    stage: Buy
    channel: digital
    events: [checkout_start, order_placed]
"""

#: A shared persona library file.
LIBRARY = """\
jmtools: 1
name: Shared personas
personas:
  - name: Budget Ben
    rule: "age < 30"
    quote: Cheap, please.
  - name: Marathon Maya
    rule: "runs_per_week >= 4"
"""


#: A full journey as a workshop edits it in the workbook.
WORKSHOP = """
jmtools: 1
name: Running shoes online
owner: CX team
version: "3"
updated: 2026-11-01
description: The online journey of a running-shoe buyer.
tags: [retail, shoes]
personas:
  - name: Budget Ben
    rule: "age < 30 and price_sensitivity >= 0.6"
    backstory: Student, runs twice a week.
    goals: [Pay little, {text: Shoes that last, evidence: reported, source: interviews}]
    demographics: {age: "22-29", income: 1800}
    quote: "I just want a good deal."
    evidence: measured
  - name: Marathon Maya
    rule: "age >= 30"
    cluster: 2
stages:
  - name: Awareness
    goal: Find shoes that suit my running
    owner: Marketing
    emotion: 1
    actions:
      - Sees an ad
      - {text: Asks a friend, evidence: reported, source: interviews 2026-10,
         personas: [Budget Ben]}
    thoughts: ["Which shoe [model] is right?"]
  - name: Consideration
    description: Product pages and reviews
    emotion: {Budget Ben: -1, Marathon Maya: 0.5}
    feelings: [{text: Unsure, evidence: measured}]
    backstage: [Review moderation]
  - name: Decision
    emotion: -1.5
    actions: [Adds to cart]
    support: [Pricing engine]
touchpoints:
  - {name: Social ads, stage: Awareness, channel: digital, events: [ad_click, "ad_view_.*"]}
  - {name: Friend, stage: Awareness, channel: interpersonal, direct: false, evidence: reported}
  - {name: Checkout, stage: Decision, channel: digital, moment_of_truth: true,
     owner: Checkout squad, description: Three-step checkout}
pain_points:
  - {id: no-size-chart, title: Size chart missing, stage: Consideration, severity: 4,
     evidence: measured, source: events}
  - {id: hidden-fees, title: Shipping fee appears only at payment, stage: Decision,
     touchpoint: Checkout, personas: [Budget Ben], severity: 5, evidence: reported}
opportunities:
  - {id: fees-early, title: Show delivery cost early, pain_points: [hidden-fees],
     owner: Checkout squad, status: planned, target_date: 2027-03-31,
     scores: {impact: 3, effort: 2, reach: 1200, confidence: 0.8, custom_value: 7.5}}
  - {id: loyalty, title: Loyalty programme, description: Points for reviews}
"""


# ------------------------------------------------------------------------ fixtures
@pytest.fixture
def journey() -> Journey:
    return Journey.from_yaml(WORKSHOP)


@pytest.fixture
def book(journey, tmp_path) -> Path:
    return write_workbook(journey, tmp_path / "map.xlsx")


# ------------------------------------------------------------------ workbook cells
def _map_cell(ws, stage: str, row_key: str):
    col = [c.value for c in ws[1]].index(stage) + 1
    row = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)].index(MAP_ROWS[row_key]) + 1
    return ws.cell(row, col)


def _row_of(ws, col_name: str, value):
    col = [c.value for c in ws[1]].index(col_name) + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise KeyError(value)


def _set(ws, key_col: str, key, col_name: str, value):
    col = [c.value for c in ws[1]].index(col_name) + 1
    ws.cell(_row_of(ws, key_col, key), col).value = value
