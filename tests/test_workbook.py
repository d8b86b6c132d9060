"""Excel workbook of the map: layout, and the round trip of every shipped journey."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from jmtools.journey import Journey
from jmtools.journey.workbook import MAP_ROWS, SHEETS, write_workbook
from jmtools.journey.workbook_read import read_workbook
from journey_samples import ROOT, _map_cell, book, journey  # fixtures


def test_sheets_and_layout(book, journey):
    wb = load_workbook(book)
    assert wb.sheetnames[:len(SHEETS)] == list(SHEETS)
    ws = wb["Map"]
    assert [c.value for c in ws[1]][1:] == journey.stage_names
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(MAP_ROWS))] == list(MAP_ROWS.values())
    assert _map_cell(ws, "Awareness", "actions").value == (
        "Sees an ad\nAsks a friend [reported | source: interviews 2026-10 | personas: Budget Ben]")
    assert _map_cell(ws, "Consideration", "emotion").value == "Budget Ben: -1\nMarathon Maya: 0.5"
    assert _map_cell(ws, "Decision", "emotion").value == -1.5
    assert [c.value for c in wb["Pain points"]["A"]][1:] == ["no-size-chart", "hidden-fees"]
    assert wb["Opportunities"]["F2"].value == dt.datetime(2027, 3, 31)


def test_round_trip_preserves_the_map(book, journey):
    result = read_workbook(book)
    assert result.journey == journey
    assert result.journey.model_dump() == journey.model_dump()
    assert result.changes == [] and result.warnings == []
    assert str(result).startswith("no changes compared with the journey as exported")


def _shipped_journeys():
    paths = sorted((ROOT / "templates" / "journeys").glob("*.yaml"))
    paths += sorted(p for p in (ROOT / "data").glob("*/journey.yaml"))
    return paths


@pytest.mark.parametrize("path", _shipped_journeys(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_of_every_template_and_sample(path, tmp_path):
    original = Journey.load(path)
    out = write_workbook(original, tmp_path / "map.xlsx")
    result = read_workbook(out, journey_path=path)
    assert result.journey == original
    assert result.changes == [] and result.warnings == []


def test_saved_yaml_loads_back_equal(book, journey, tmp_path):
    result = read_workbook(book)
    target = tmp_path / "journey.yaml"
    result.journey.save(target)
    assert Journey.load(target) == journey
