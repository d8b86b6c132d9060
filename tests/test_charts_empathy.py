"""Empathy map per persona and stage: the chart structure of jmtools.charts.empathy."""

from __future__ import annotations

import pytest

from jmtools.analyses.empathy import QUADRANTS, empathy_cells
from jmtools.charts.empathy import empathy_chart, empathy_map
from jmtools.journey import Journey
from test_empathy import JOURNEY, QUOTES


@pytest.fixture
def journey():
    return Journey.from_yaml(JOURNEY)


def test_chart_structure(journey):
    spec = empathy_map(journey, persona="Ben", quotes=QUOTES).to_dict()
    assert spec["title"]["text"] == "Empathy map — Ben"
    layers = spec["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["rect", "text", "text", "point"]
    titles = [r["title"] for r in spec["datasets"][layers[1]["data"]["name"]]]
    assert titles == list(QUADRANTS.values())
    items = spec["datasets"][layers[2]["data"]["name"]]
    assert {r["stage"] for r in items if r["quadrant"] == "does"} == {"Look", "Buy"}
    assert any(r["wrapped"].startswith("Buy: ") for r in items)  # stage shown across stages
    boxes = spec["datasets"][layers[0]["data"]["name"]]
    for r in items:  # every item inside its quadrant
        box = next(b for b in boxes if b["title"] == QUADRANTS[r["quadrant"]])
        assert box["x"] <= r["x"] < box["x2"] and box["y"] <= r["y"] < box["y2"]


def test_empty_quadrants_still_draw():
    j = Journey.from_yaml("name: D\npersonas: [{name: A}]\nstages: [{name: S}]")
    spec = empathy_chart(empathy_cells(j, persona="A", stage="S")).to_dict()
    assert spec["layer"][-1]["mark"]["text"].startswith("Nothing recorded yet")
