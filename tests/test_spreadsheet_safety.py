"""No live formulas in any spreadsheet or CSV jmtools writes; typed formulas are reported.

Covers :mod:`jmtools.core.spreadsheet` and every writer that uses it: the map workbook
(with its hidden snapshot), the backlog export (CSV and Excel) and the pain-point CSV of the
report steps.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from openpyxl import load_workbook

from jmtools.analyses.priorities import export_backlog
from jmtools.core.errors import JourneyError
from jmtools.core.spreadsheet import (DANGEROUS_STARTS, csv_frame, csv_text, csv_untext,
                                      formula_cells, is_formula_like, protect_workbook)
from jmtools.journey import Journey
from jmtools.journey.workbook import _CHUNK, _SNAPSHOT, write_workbook
from jmtools.journey.workbook_read import read_workbook
from jmtools.report.steps import write_pain_points
from journey_samples import _map_cell, book, journey  # noqa: F401 (fixtures)

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1",
            "-2 stars"]
#: The payloads as an .xlsx holds them: XML reads a carriage return as a line feed (a
#: property of the file format, not of jmtools).
IN_XLSX = [t.replace("\r", "\n") for t in PAYLOADS]


def _no_formula_anywhere(path) -> list:
    """Every cell of every sheet (hidden included); fails on a formula cell."""
    wb = load_workbook(path)
    assert formula_cells(wb) == []
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    return cells


def _csv_fields(path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [field for row in csv.reader(fh) for field in row]


def _assert_csv_safe(path) -> None:
    for field in _csv_fields(path):
        assert not is_formula_like(field), field
        if field[:1] in DANGEROUS_STARTS:  # only numbers may start so
            float(field)


# ------------------------------------------------------------------- the escaping rules
@pytest.mark.parametrize("text", PAYLOADS + ["'=x", "''+1", "'plain", "plain", "", "'"])
def test_csv_escaping_round_trips_exactly(text):
    written = csv_text(text)
    assert written[:1] not in DANGEROUS_STARTS
    assert csv_untext(written) == text


def test_numbers_stay_numbers():
    assert [csv_text(v) for v in (-2, -1.5, 0, 3)] == [-2, -1.5, 0, 3]
    assert [csv_text(t) for t in ("-2", "+1.5", "-3e2")] == ["-2", "+1.5", "-3e2"]
    out = csv_frame(pd.DataFrame({"=col": ["=1"], "n": [-2]}))
    assert list(out.columns) == ["'=col", "n"] and out["n"].tolist() == [-2]


def test_protect_workbook_makes_every_text_a_string_cell(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for i, text in enumerate(PAYLOADS, start=1):
        wb.active.cell(i, 1, text)
    wb.active.cell(1, 2, -2)
    protect_workbook(wb).save(tmp_path / "x.xlsx")
    cells = _no_formula_anywhere(tmp_path / "x.xlsx")
    ws = load_workbook(tmp_path / "x.xlsx").active
    assert [ws.cell(i, 1).value for i in range(1, len(PAYLOADS) + 1)] == IN_XLSX
    assert all(ws.cell(i, 1).quotePrefix for i in range(1, len(PAYLOADS)))
    assert ws.cell(1, 2).value == -2 and ws.cell(1, 2).data_type == "n"
    assert len(cells) == 2 * len(PAYLOADS)


# ------------------------------------------------------------------- the map workbook
def _hostile_journey() -> Journey:
    pains = [{"id": f"p{i}", "title": t, "stage": "=Browse", "description": t,
              "source": t} for i, t in enumerate(PAYLOADS)]
    return Journey.model_validate({
        "name": "=Demo", "owner": "+owner", "description": "@about",
        "stages": [{"name": "=Browse", "goal": PAYLOADS[0], "description": "-1+1",
                    "owner": "@team", "actions": PAYLOADS[:4] + ["-2 stars"],
                    "thoughts": ["=think [x]"]}],
        "touchpoints": [{"name": "=tp", "stage": "=Browse", "channel": "digital",
                         "events": ["=ev", "-x"], "description": "+d"}],
        "personas": [{"name": "=Ben", "rule": "age < 30", "goals": ["=goal"],
                      "quote": "@quote", "demographics": {"age": "=22-29"}}],
        "pain_points": pains,
        "opportunities": [{"id": f"o{i}", "title": t, "owner": t, "description": t,
                           "pain_points": ["p0"], "scores": {"impact": -2}}
                          for i, t in enumerate(PAYLOADS)]})


def test_map_workbook_writes_no_formula(tmp_path):
    path = write_workbook(_hostile_journey(), tmp_path / "map.xlsx")
    cells = _no_formula_anywhere(path)
    texts = {c.value for c in cells if c.data_type == "s"}
    assert set(IN_XLSX) <= texts
    numbers = [c for c in cells if c.value == -2]
    assert numbers and all(c.data_type == "n" for c in numbers)


def test_stage_names_never_enter_a_validation_formula_unquoted(tmp_path):
    journey = Journey.model_validate({"name": "x", "stages": [
        {"name": 'a",HYPERLINK("http://x"),"'}, {"name": "b, c"}]})
    wb = load_workbook(write_workbook(journey, tmp_path / "map.xlsx"))
    lists = [dv.formula1 for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert lists and not [f for f in lists if "HYPERLINK" in f or "b, c" in f]


def test_map_workbook_round_trip_keeps_the_text(tmp_path):
    journey = _hostile_journey()
    result = read_workbook(write_workbook(journey, tmp_path / "map.xlsx"))
    # the reader trims the whitespace around a cell's text, as it always did
    stripped = {(c["item"], c["field"], c["old"], c["new"]) for c in result.changes}
    assert stripped == {(f"{kind}{PAYLOADS.index(t)}", field, t, "=1")
                        for t in ("\t=1", "\r=1")
                        for kind, fields in (("p", ("title", "description", "source")),
                                             ("o", ("title", "owner", "description")))
                        for field in fields}
    got = result.journey
    assert [p.title for p in got.pain_points][:4] == PAYLOADS[:4]
    assert got.pain_points[6].title == "-2 stars"
    assert got.name == "=Demo" and got.stage_names == ["=Browse"]
    assert [c["text"] for c in got.model_dump()["stages"][0]["actions"]] == (
        PAYLOADS[:4] + ["-2 stars"])


def test_snapshot_chunk_starting_with_equals_is_text(tmp_path):
    pains = [{"id": f"p{i}", "title": "t", "stage": "S", "description": "=" * 2000}
             for i in range(35)]
    journey = Journey.model_validate({"name": "Big", "stages": [{"name": "S"}],
                                      "pain_points": pains})
    text = journey.model_dump_json()
    assert len(text) > 70000 and text[_CHUNK] == "="  # a chunk boundary lands on '='
    path = write_workbook(journey, tmp_path / "big.xlsx")
    _no_formula_anywhere(path)
    ws = load_workbook(path)[_SNAPSHOT]
    assert ws.sheet_state == "hidden" and ws.cell(3, 1).value.startswith("=")
    result = read_workbook(path)
    assert result.changes == [] and result.journey == journey


def test_old_workbook_with_a_formula_chunk_still_has_its_snapshot(tmp_path):
    """Workbooks written before this fix stored such a chunk as a formula; it still reads."""
    pains = [{"id": f"p{i}", "title": "t", "stage": "S", "description": "=" * 2000}
             for i in range(35)]
    journey = Journey.model_validate({"name": "Big", "stages": [{"name": "S"}],
                                      "pain_points": pains})
    path = write_workbook(journey, tmp_path / "old.xlsx")
    wb = load_workbook(path)
    wb[_SNAPSHOT].cell(3, 1).data_type = "f"
    wb.save(path)
    assert formula_cells(load_workbook(path)) == [(f"{_SNAPSHOT}!A3",
                                                   load_workbook(path)[_SNAPSHOT]["A3"].value)]
    result = read_workbook(path)
    assert result.changes == [] and result.warnings == []


# ------------------------------------------------------------------- import of a formula
@pytest.mark.parametrize("formula", ["=SUM(A1:A3)", "=-1+1", '=HYPERLINK("http://x","y")'])
def test_a_typed_formula_is_reported_with_its_cell(book, formula):  # noqa: F811
    wb = load_workbook(book)
    cell = _map_cell(wb["Map"], "Awareness", "actions")
    cell.value = formula
    assert cell.data_type == "f"
    wb["Pain points"]["B3"] = "=A1"
    wb.save(book)
    with pytest.raises(JourneyError) as err:
        read_workbook(book)
    message = str(err.value)
    where = f"Map!{cell.coordinate}"
    assert f"holds a formula ({formula[:39]}" in message and f"[column '{where}']" in message
    assert "holds a formula (=A1); the map keeps text, not formulas [column 'Pain points!B3']" \
        in message
    assert "apostrophe" in message and "removed" not in message


def test_text_typed_with_an_apostrophe_is_read_as_text(book, journey):  # noqa: F811
    """Excel stores ``'=x`` as the string ``=x``: it reads back as that text."""
    wb = load_workbook(book)
    cell = _map_cell(wb["Map"], "Decision", "actions")
    cell.value = "=x\n-2 stars"
    cell.data_type, cell.quotePrefix = "s", True
    wb.save(book)
    result = read_workbook(book)
    actions = result.journey.model_dump()["stages"][2]["actions"]
    assert [c["text"] for c in actions] == ["=x", "-2 stars"]
    assert {(c["field"], c["change"], c["new"]) for c in result.changes} == {
        ("actions", "added", "=x"), ("actions", "added", "-2 stars"),
        ("actions", "removed", None)}


# ------------------------------------------------------------------- the backlog export
def _backlog() -> pd.DataFrame:
    return pd.DataFrame({"rank": range(1, len(PAYLOADS) + 1), "id": [f"o{i}" for i in
                                                                     range(len(PAYLOADS))],
                         "title": PAYLOADS, "pain_points": [[t, "x"] for t in PAYLOADS],
                         "rice": [-2.5] + [1.0] * (len(PAYLOADS) - 1),
                         "note": ["ok\r=1\n@x"] * len(PAYLOADS)})  # a row break inside


def test_backlog_xlsx_has_no_formula(tmp_path):
    path = export_backlog(_backlog(), tmp_path / "backlog.xlsx")
    _no_formula_anywhere(path)
    back = pd.read_excel(path, sheet_name="backlog")
    assert back["title"].tolist() == IN_XLSX
    assert back["rice"].iloc[0] == -2.5


def test_backlog_csv_is_escaped_and_round_trips(tmp_path):
    path = export_backlog(_backlog(), tmp_path / "backlog.csv")
    _assert_csv_safe(path)
    back = pd.read_csv(path, keep_default_na=False)
    assert back["title"].map(csv_untext).tolist() == PAYLOADS
    assert back["rice"].iloc[0] == -2.5 and len(back) == len(PAYLOADS)
    assert (back["note"] == "ok\r=1\n@x").all()


# ------------------------------------------------------------------- the report steps' CSV
def test_pain_point_csv_is_escaped_and_round_trips(tmp_path):
    table = pd.DataFrame({"rank": range(1, len(PAYLOADS) + 1), "pain_point_id": PAYLOADS,
                          "personas": [[t] for t in PAYLOADS], "gap": -1.0})
    path = write_pain_points(table, tmp_path / "pain.csv")
    _assert_csv_safe(path)
    back = pd.read_csv(path, keep_default_na=False)
    assert back["pain_point_id"].map(csv_untext).tolist() == PAYLOADS
    assert back["personas"].map(csv_untext).tolist() == PAYLOADS
    assert (back["gap"] == -1.0).all()


# ------------------------------------------------------------------- the sample-world CSVs
def test_sample_world_csv_writer_escapes_text(tmp_path):
    import pyarrow as pa

    from jmtools.sample_worlds._writer import _CsvOut

    out = _CsvOut(tmp_path, "feedback", [("text", pa.string()), ("rating", pa.int64())])
    out.write(pa.table({"text": PAYLOADS[:4] + ["fine"], "rating": [-1, 2, 3, 4, 5]}))
    out.close()
    _assert_csv_safe(out.path)
    back = pd.read_csv(out.path)
    assert back["text"].map(csv_untext).tolist() == PAYLOADS[:4] + ["fine"]
    assert back["rating"].tolist() == [-1, 2, 3, 4, 5]


def test_a_formula_saved_with_its_value_is_read_as_that_value(tmp_path):
    """A workbook saved by a spreadsheet program stores each formula's value beside it (an
    amount computed as price × quantity): that stored value is read, as pandas reads it."""
    import zipfile

    from openpyxl import Workbook

    from jmtools.sources import load_orders

    wb = Workbook()
    ws = wb.active
    ws.append(["order_id", "customer_id", "timestamp", "amount"])
    ws.append(["O1", "101", "2024-03-05 10:00:00", "=2.5*4"])
    ws.append(["O2", "102", "2024-03-05 11:00:00", 7.5])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    saved = tmp_path / "orders.xlsx"                # as a spreadsheet program saves it: <v>10</v>
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(saved, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>2.5*4</f><v />", b"<f>2.5*4</f><v>10</v>")
                assert b"<v>10</v>" in data
            zout.writestr(item, data)
    assert load_orders(saved).to_pandas()["amount"].tolist() == [10.0, 7.5]
    never_saved = load_orders(plain)                # no stored value: a blank, a counted rejection (D146)
    assert never_saved.to_pandas()["amount"].tolist() == [7.5]
    assert list(never_saved.accounting.reasons.set_index("reason").loc["missing amount", "lines"]) == [2]
    assert any("column 'amount': 1 formula cell holds no stored value (D2)" in n for n in never_saved.accounting.notes)


def test_a_loaded_workbook_reads_no_formula_as_its_text_and_computes_none(tmp_path):
    """Feedback typed into a workbook written by a tool that stores no values: a formula in the
    text column is no text (D146: ``="Tarifrechner geöffnet"`` became an event kind), so its row
    is rejected as missing text; a formula in the rating column is a blank (the comment kept);
    each is named by its cell, and nothing is computed here."""
    from openpyxl import Workbook

    from jmtools.sources import load_feedback

    wb = Workbook()
    ws = wb.active
    ws.append(["feedback_id", "customer_id", "timestamp", "text", "rating"])
    ws.append(["F1", "101", "2024-03-05 10:00:00", "=1+1", 2])
    ws.append(["F2", "102", "2024-03-05 11:00:00", "Late again", "=2+3"])
    ws.append(["F3", "103", "2024-03-05 12:00:00", '=HYPERLINK("http://x.test","click")', 4])
    path = tmp_path / "feedback.xlsx"
    wb.save(path)
    fb = load_feedback(path)
    df = fb.to_pandas()
    assert df["text"].tolist() == ["Late again"] and pd.isna(df["rating"].iloc[0])
    notes = " | ".join(fb.accounting.notes)
    assert "column 'text': 2 formula cells hold no stored value (D2, D4)" in notes
    assert "column 'rating': 1 formula cell holds no stored value (E3)" in notes
    assert fb.accounting.rows_read == 3 and fb.accounting.rows_rejected == 2
    assert list(fb.accounting.reasons.set_index("reason").loc["missing text", "lines"]) == [2, 4]
