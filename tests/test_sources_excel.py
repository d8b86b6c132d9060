"""Excel sheets with rows above the header, read_options, dates written dd.mm.yyyy (D191).

Workbooks are written with openpyxl here; what the loader reads is compared with plain
openpyxl / pandas reading of the same file.
"""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from jmtools.core.errors import DataError
from jmtools.sources import load_customers, load_events, load_world

HEADER = ["Antragsnummer", "Antragstellertyp", "Bezirk", "Vorhaben", "Eingang"]
ROWS = [["AZ-2025/0001", "Privatperson", "Nord", "Carport", "03.01.2025"],
        ["AZ-2025/0002", "Unternehmen", "Süd", "Anbau", "28.02.2025"],
        ["AZ-2025/0003", "Privatperson", "Nord", "Garage", "31.12.2025"]]


def _permit_book(path, *, merged=True, rows=ROWS):
    """The tester's shape: a merged title row, a row of group labels, the header on row 3."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Antragsteller"
    ws["A1"] = "Bauaufsichtsamt – Export Antragsteller, Stand 30.06.2026"
    ws["A2"], ws["C2"] = "Vorgang", "Ort und Vorhaben"
    if merged:
        ws.merge_cells("A1:E1")
        ws.merge_cells("A2:B2")
        ws.merge_cells("C2:E2")
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    notes = wb.create_sheet("Hinweise")
    notes["A1"] = "Hinweise zum Export"
    wb.save(path)
    return path


def _plain(path, skip):
    """The same sheet read by pandas alone, the header row told."""
    return pd.read_excel(path, sheet_name="Antragsteller", skiprows=skip, dtype=str)


def test_merged_group_row_above_the_header_is_skipped_and_said(tmp_path):
    path = _permit_book(tmp_path / "customers.xlsx")
    loaded = load_customers(path, columns={"customer_id": "Antragsnummer"})
    got = loaded.to_pandas().sort_values("customer_id").reset_index(drop=True)
    truth = _plain(path, 2)
    assert got["customer_id"].tolist() == truth["Antragsnummer"].tolist()
    assert got["bezirk"].tolist() == truth["Bezirk"].tolist()
    note = next(n for n in loaded.accounting.notes if "above the header" in n)
    assert note.startswith("rows 1–2 above the header skipped") and "'Vorgang', 'Ort und Vorhaben'" in note
    assert "the header is row 3 of sheet 'Antragsteller'" in note and "read_options: {skip: 2}" in note


def test_rows_are_numbered_as_in_the_sheet(tmp_path):
    rows = [*ROWS, ["", "Privatperson", "Nord", "Carport", "01.01.2025"]]
    loaded = load_customers(_permit_book(tmp_path / "c.xlsx", rows=rows),
                            columns={"customer_id": "Antragsnummer"})
    assert loaded.accounting.rows_rejected == 1
    assert [p.lines for p in loaded.accounting.problems()] == [(7,)]    # header row 3, then rows 4–7


def test_group_labels_without_merged_cells_name_the_header_row_and_skip(tmp_path):
    path = _permit_book(tmp_path / "customers.xlsx", merged=False)
    with pytest.raises(DataError) as err:
        load_customers(path, columns={"customer_id": "Antragsnummer"})
    problem = err.value.problems[0]
    assert problem.line == 3
    assert "row 3 of sheet 'Antragsteller'" in problem.fix
    assert "read_options: {skip: 2} under customers: in loading.yaml" in problem.fix
    # the fix, followed, reads the table
    loaded = load_customers(path, columns={"customer_id": "Antragsnummer"}, read_options={"skip": 2})
    assert sorted(loaded.to_pandas()["customer_id"]) == _plain(path, 2)["Antragsnummer"].tolist()
    assert any("skipped (read_options skip: 2)" in n for n in loaded.accounting.notes)


def test_skip_is_honoured_from_loading_yaml(tmp_path):
    _permit_book(tmp_path / "customers.xlsx", merged=False)
    (tmp_path / "events.csv").write_text("customer_id,timestamp,event\nAZ-2025/0001,2025-01-03,apply\n")
    (tmp_path / "loading.yaml").write_text(
        "customers:\n  columns: {customer_id: Antragsnummer}\n  read_options: {skip: 2}\n")
    world = load_world(tmp_path)
    got = world.customers.to_pandas()
    assert sorted(got["customer_id"]) == _plain(tmp_path / "customers.xlsx", 2)["Antragsnummer"].tolist()


def test_skip_overrides_the_guess(tmp_path):
    """skip: 1 on the merged book reads row 2 (the group labels) as the header: as told."""
    path = _permit_book(tmp_path / "c.xlsx")
    with pytest.raises(DataError, match="'Vorgang'"):
        load_customers(path, columns={"customer_id": "Antragsnummer"}, read_options={"skip": 1})


def test_a_csv_read_option_is_refused_for_a_sheet_in_loading_yaml(tmp_path):
    _permit_book(tmp_path / "customers.xlsx")
    (tmp_path / "events.csv").write_text("customer_id,timestamp,event\nAZ-2025/0001,2025-01-03,apply\n")
    (tmp_path / "loading.yaml").write_text(
        "customers:\n  columns: {customer_id: Antragsnummer}\n  read_options: {delim: \";\"}\n")
    with pytest.raises(DataError) as err:
        load_world(tmp_path)
    problem = err.value.problems[0]
    assert problem.source.endswith("loading.yaml") and problem.line == 3
    assert "read_options delim" in problem.message and "Excel sheet" in problem.message
    assert "leave delim out" in problem.fix and "skip" in problem.fix


@pytest.mark.parametrize("skip", [-1, "two", 99])
def test_a_skip_that_cannot_be_is_refused(tmp_path, skip):
    path = _permit_book(tmp_path / "c.xlsx")
    with pytest.raises(DataError, match="read_options skip") as err:
        load_customers(path, read_options={"skip": skip})
    assert "skip: 2" in err.value.problems[0].fix


def test_dates_written_day_first_are_read_as_dates(tmp_path):
    path = _permit_book(tmp_path / "c.xlsx")
    loaded = load_customers(path, columns={"customer_id": "Antragsnummer"})
    got = loaded.to_pandas().sort_values("customer_id")
    truth = pd.to_datetime(_plain(path, 2)["Eingang"], format="%d.%m.%Y")
    assert pd.api.types.is_datetime64_any_dtype(got["eingang"])
    assert got["eingang"].tolist() == truth.tolist()
    assert any("column 'Eingang': 3 days written dd.mm.yyyy" in n for n in loaded.accounting.notes)


def test_a_day_that_does_not_exist_keeps_the_column_text(tmp_path):
    rows = [*ROWS[:2], ["AZ-2025/0003", "Privatperson", "Nord", "Garage", "31.02.2025"]]
    loaded = load_customers(_permit_book(tmp_path / "c.xlsx", rows=rows), columns={"customer_id": "Antragsnummer"})
    got = loaded.to_pandas()
    assert not pd.api.types.is_datetime64_any_dtype(got["eingang"])
    assert "31.02.2025" in set(got["eingang"])


def test_excel_date_cells_are_dates(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["customer_id", "since"])
    days = [dt.datetime(2025, 1, 3), dt.datetime(2025, 12, 31)]
    for i, day in enumerate(days):
        ws.append([f"c{i}", day])
    wb.save(tmp_path / "c.xlsx")
    truth = [r[1] for r in load_workbook(tmp_path / "c.xlsx").active.iter_rows(min_row=2, values_only=True)]
    got = load_customers(tmp_path / "c.xlsx").to_pandas().sort_values("customer_id")
    assert got["since"].tolist() == [pd.Timestamp(d) for d in truth]


def test_events_day_first_with_a_time_format_stay_as_written(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["customer_id", "timestamp", "event"])
    ws.append(["a", "03.01.2025", "apply"])
    ws.append(["a", "04.01.2025", "upload"])
    wb.save(tmp_path / "e.xlsx")
    told = load_events(tmp_path / "e.xlsx", time_format="%d.%m.%Y").to_pandas()
    guessed = load_events(tmp_path / "e.xlsx").to_pandas()
    assert told["timestamp"].dt.day.tolist() == guessed["timestamp"].dt.day.tolist() == [3, 4]


def test_empty_sheet_names_the_sheet(tmp_path):
    wb = Workbook()
    wb.active.title = "Leer"
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(DataError, match="sheet 'Leer' has no cells"):
        load_customers(tmp_path / "c.xlsx")


def test_header_only_sheet_is_a_table_without_rows(tmp_path):
    wb = Workbook()
    wb.active.append(["customer_id", "region"])
    wb.save(tmp_path / "c.xlsx")
    loaded = load_customers(tmp_path / "c.xlsx")
    assert len(loaded.to_pandas()) == 0 and "region" in loaded.to_pandas().columns


def test_a_sheet_that_does_not_exist_lists_the_sheets(tmp_path):
    path = _permit_book(tmp_path / "c.xlsx")
    with pytest.raises(DataError) as err:
        load_customers(path, sheet="Antragstelle")
    problem = err.value.problems[0]
    assert "'Antragsteller', 'Hinweise'" in problem.message and "sheet: Antragsteller" in problem.fix
    with pytest.raises(DataError, match="no sheet 5"):
        load_customers(path, sheet=5)


def test_a_formula_cell_is_never_evaluated(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["customer_id", "score"])
    ws.append(["a", 3])
    ws.append(["b", "=B2*2"])                   # openpyxl stores the formula, no value
    wb.save(tmp_path / "c.xlsx")
    loaded = load_customers(tmp_path / "c.xlsx")
    got = loaded.to_pandas().set_index("customer_id")
    assert pd.isna(got.loc["b", "score"]) and got.loc["a", "score"] == 3
    assert any("formula" in n for n in loaded.accounting.notes)


def test_required_columns_below_unmerged_labels_name_the_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Export"])
    ws.append(["Case", None, "Place"])
    ws.append(["customer_id", "kind", "region"])
    ws.append(["c1", "private", "north"])
    wb.save(tmp_path / "customers.xlsx")
    with pytest.raises(DataError) as err:
        load_customers(tmp_path / "customers.xlsx")
    problem = err.value.problems[0]
    assert problem.line == 3 and "read_options: {skip: 2}" in problem.fix and "sheet 'Sheet'" in problem.fix


def test_a_missing_sheet_from_loading_yaml_is_located_there(tmp_path):
    _permit_book(tmp_path / "customers.xlsx")
    (tmp_path / "events.csv").write_text("customer_id,timestamp,event\nAZ-2025/0001,2025-01-03,apply\n")
    (tmp_path / "loading.yaml").write_text("customers:\n  sheet: Antragstelle\n")
    with pytest.raises(DataError) as err:
        load_world(tmp_path)
    problem = err.value.problems[0]
    assert problem.source.endswith("loading.yaml") and problem.line == 2
    assert "did you mean sheet: Antragsteller?" == problem.fix
