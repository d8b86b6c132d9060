"""Reading an edited workbook back: edits reported as changes, problems located by cell."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from jmtools.core.errors import JourneyError
from jmtools.journey import Journey
from jmtools.journey.workbook import MAP_ROWS, write_workbook
from jmtools.journey.workbook_read import read_workbook
from journey_samples import _map_cell, _set, book, journey  # fixtures


def test_workshop_edits_are_reported(book, journey):
    wb = load_workbook(book)
    ws = wb["Map"]
    _map_cell(ws, "Awareness", "actions").value = (
        "Sees an ad [measured | source: ad platform]\n"      # evidence upgraded
        "• Searches for reviews\n")                          # friend removed, one added
    _map_cell(ws, "Decision", "emotion").value = "-2"
    new_col = ws.max_column + 1
    ws.cell(1, new_col, "Post-purchase")
    ws.cell([ws.cell(r, 1).value for r in range(1, 20)].index(MAP_ROWS["goal"]) + 1, new_col,
            "Run in them")
    _set(wb["Pain points"], "id", "hidden-fees", "severity", 3)
    pains = wb["Pain points"]
    pains.append(["slow-shipping", "Slow shipping", "Post-purchase", None, None, 2])
    _set(wb["Opportunities"], "id", "fees-early", "status", "in progress")
    wb.save(book)

    result = read_workbook(book)
    got = {(c["section"], c["item"], c["field"], c["change"], str(c["old"]), str(c["new"]))
           for c in result.changes}
    assert got == {
        ("stage", "Post-purchase", "", "added", "None", "Post-purchase"),
        ("stage", "Awareness", "actions", "removed",
         "Asks a friend [reported | source: interviews 2026-10 | personas: Budget Ben]", "None"),
        ("stage", "Awareness", "actions", "added", "None", "Searches for reviews"),
        ("stage", "Awareness", "actions", "changed", "Sees an ad",
         "Sees an ad [measured | source: ad platform]"),
        ("stage", "Decision", "emotion", "changed", "-1.5", "-2.0"),
        ("pain point", "hidden-fees", "severity", "changed", "5", "3"),
        ("pain point", "slow-shipping", "", "added", "None", "Slow shipping"),
        ("opportunity", "fees-early", "status", "changed", "planned", "in progress"),
    }
    assert result.journey.stage_names == journey.stage_names + ["Post-purchase"]
    assert result.journey.stage("Awareness").actions[0].evidence == "measured"
    report = str(result)
    assert report.startswith("8 changes compared with")
    assert "pain point 'hidden-fees' · severity: 5 → 3" in report
    frame = result.to_frame()
    assert list(frame.columns) == ["section", "item", "field", "change", "old", "new"]
    assert len(frame) == 8


def test_reordered_stage_columns_are_a_move(book, journey):
    wb = load_workbook(book)
    ws = wb["Map"]
    b = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
    c = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1)]
    for r in range(1, ws.max_row + 1):
        ws.cell(r, 2).value, ws.cell(r, 3).value = c[r - 1], b[r - 1]
    wb.save(book)
    result = read_workbook(book)
    assert result.journey.stage_names == ["Consideration", "Awareness", "Decision"]
    assert [(c["section"], c["change"]) for c in result.changes] == [("stage", "moved")]


def test_compared_with_a_given_base(book, journey, tmp_path):
    older = journey.model_copy(deep=True)
    older.opportunities = older.opportunities[:1]
    base = tmp_path / "journey.yaml"
    older.save(base)
    result = read_workbook(book, base=base)
    assert result.compared_with == str(base)
    assert [(c["item"], c["change"]) for c in result.changes] == [("loyalty", "added")]


def test_misspelt_tag_is_kept_as_text_with_a_warning(book):
    wb = load_workbook(book)
    _map_cell(wb["Map"], "Decision", "actions").value = "Adds to cart [reportd]"
    wb.save(book)
    result = read_workbook(book)
    assert result.journey.stage("Decision").actions[0].text == "Adds to cart [reportd]"
    assert len(result.warnings) == 1
    assert "Map!D" in result.warnings[0] and "did you mean [reported]" in result.warnings[0]


def test_bad_cells_are_located(book):
    wb = load_workbook(book)
    _map_cell(wb["Map"], "Awareness", "emotion").value = "very happy"
    _map_cell(wb["Map"], "Decision", "actions").value = "Pays [measured | sorce: x]"
    _set(wb["Pain points"], "id", "no-size-chart", "severity", "high")
    _set(wb["Opportunities"], "id", "loyalty", "target_date", "next spring")
    wb.save(book)
    with pytest.raises(JourneyError) as err:
        read_workbook(book)
    where = {p.column for p in err.value.problems}
    assert {"Map!B5", "Map!D6 line 1", "Pain points!F2", "Opportunities!F3"} <= where
    text = str(err.value)
    assert "expected a number from -2 to 2 — got 'very happy'" in text
    assert "unknown tag(s) 'sorce: x'" in text
    assert "Fix:" in text


def test_schema_and_reference_problems_name_the_cell(book):
    wb = load_workbook(book)
    _set(wb["Touchpoints"], "name", "Friend", "channel", "word of mouth")
    wb.save(book)
    with pytest.raises(JourneyError) as err:
        read_workbook(book)
    assert [p.column for p in err.value.problems] == ["Touchpoints!C3"]
    wb = load_workbook(book)
    _set(wb["Touchpoints"], "name", "Friend", "channel", "interpersonal")
    _set(wb["Pain points"], "id", "hidden-fees", "stage", "Decisoin")
    wb.save(book)
    with pytest.raises(JourneyError) as err:
        read_workbook(book)
    problems = err.value.problems
    assert problems[0].column == "Pain points!C3"
    assert "did you mean 'Decision'" in str(err.value)


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "map.xlsx"
    bad.write_text("not excel")
    with pytest.raises(Exception, match="not an Excel workbook"):
        read_workbook(bad)
    with pytest.raises(Exception, match="workbook not found"):
        read_workbook(tmp_path / "missing.xlsx")


def test_unknown_rows_and_columns_warn(book):
    wb = load_workbook(book)
    ws = wb["Map"]
    ws.cell(ws.max_row + 2, 1, "Thoughs (thinks)")
    wb["Pain points"].cell(1, 20, "severty")
    wb.save(book)
    result = read_workbook(book)
    assert any("did you mean 'Thoughts (thinks)'" in w for w in result.warnings)
    assert any("column 'severty'" in w and "did you mean 'severity'" in w
               for w in result.warnings)


def test_persona_library_references_survive(tmp_path):
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "library.yaml").write_text(
        "personas:\n  - {name: Marathon Maya, rule: 'age >= 30', quote: Fast shoes}\n")
    path = tmp_path / "journey.yaml"
    path.write_text("name: Refs\npersonas:\n  - ref: personas/library.yaml#Marathon Maya\n"
                    "  - {name: Ben}\nstages:\n  - {name: S, emotion: {Marathon Maya: 1, Ben: -1}}\n")
    journey = Journey.load(path)
    book = write_workbook(journey, tmp_path / "out" / "map.xlsx")
    wb = load_workbook(book)
    assert [c.value for c in wb["Personas"]["B"]][1:] == ["personas/library.yaml#Marathon Maya",
                                                         None]
    result = read_workbook(book, journey_path=path)
    assert result.journey == journey and result.changes == []
    assert result.journey.personas_resolved()[0].quote == "Fast shoes"
    with pytest.raises(JourneyError, match="persona library"):
        read_workbook(book)  # next to the workbook there is no personas/ folder


def test_grey_reference_rows_are_not_silently_ignored(book):
    wb = load_workbook(book)
    ws = wb["Map"]
    row = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)].index(
        "Touchpoints — edit in the Touchpoints sheet") + 1
    assert ws.cell(row, 2).value == "Social ads (digital)\nFriend (interpersonal)"
    ws.cell(row, 2).value = "Social ads (digital)\nFriend (interpersonal)\nBillboard (physical)"
    wb.save(book)
    result = read_workbook(book)
    assert result.changes == []  # the grey row is for reference only …
    assert result.warnings == [    # … and the import says so
        f"Map!B{row}: the grey 'Touchpoints' row differs from the Touchpoints sheet; the sheet "
        "is what counts (the row is for reference only)"]


def test_touchpoint_conditions_round_trip_and_a_bad_one_names_its_cell(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    j = Journey.load(root / "data" / "grocery" / "journey.yaml")
    path = write_workbook(j, tmp_path / "g.xlsx")
    back = read_workbook(path).journey
    assert [(t.occurrence, t.after, t.initiated_by) for t in back.touchpoints] == \
        [(t.occurrence, t.after, t.initiated_by) for t in j.touchpoints]
    wb = load_workbook(path)
    ws = wb["Touchpoints"]
    col = [c.value for c in ws[1]].index("occurrence") + 1
    ws.cell(2, col, "third")
    ws.cell(3, col, 2)                         # a number cell is the n-th event
    wb.save(path)
    with pytest.raises(JourneyError) as caught:
        read_workbook(path)
    text = str(caught.value)
    assert "occurrence must be any, first, repeat" in text
    assert any(p.column and p.column.startswith("Touchpoints!") for p in caught.value.problems)
