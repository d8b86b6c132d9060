"""An insurer's exports (outside tester, faults 7, 10, 11, 12): customer ids written differently
in two tables (D145), Excel formula cells (D146), local times that do not exist or happen twice
(D147), column names with umlauts (D148). Every test builds its files in ``tmp_path``.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.sources import load_customers, load_events, load_world

JOURNEY = """\
jmtools: 1
name: Kfz-Versicherung
personas:
  - name: Premium-Kunden
    rule: 'jahresprämie > 1000'
  - name: Alle anderen
    rest: true
stages:
  - name: Discover
  - name: Quote
  - name: Buy
touchpoints:
  - {name: Tarifrechner, stage: Discover, channel: digital, events: ["Tarifrechner geöffnet"]}
  - {name: Angebot, stage: Quote, channel: digital, events: ["Angebot angefordert"]}
  - {name: Abschluss, stage: Buy, channel: digital, events: ["Vertrag abgeschlossen"]}
"""
STEPS = ("Tarifrechner geöffnet", "Angebot angefordert", "Vertrag abgeschlossen")


def _world(folder, *, event_id=str, customer_id=str, n=40):
    """``n`` customers; every third pays more than 1,000 a year (``Jahresprämie``) and all of
    them reach Buy, the others stop at Quote."""
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    events, customers = [], []
    for i in range(1, n + 1):
        premium = i % 3 == 0
        customers.append((customer_id(i), 1500.0 if premium else 600.0, "Premium" if premium else "Basis"))
        t = pd.Timestamp("2026-02-02 09:00") + pd.Timedelta(hours=i)
        for k, step in enumerate(STEPS[:3 if premium else 2]):
            events.append((event_id(i), t + pd.Timedelta(hours=k), step))
    pd.DataFrame(events, columns=["customer_id", "timestamp", "event"]).to_csv(folder / "events.csv", index=False)
    pd.DataFrame(customers, columns=["Kundennummer", "Jahresprämie", "Tarif"]).rename(
        columns={"Kundennummer": "customer_id"}).to_csv(folder / "customers.csv", index=False)
    return folder


def _run(folder, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.run(folder, **params)


# ---------------------------------------------------------------- D148: names with umlauts

def test_a_header_with_an_umlaut_keeps_its_letters(tmp_path):
    """``Jahresprämie`` was ``jahrespr_mie``; a decomposed ``ä`` (a macOS export) is the same name."""
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,Jahresprämie,Gebühr (€),Pra\u0308mienstufe\nc1,1200,5,A\n", encoding="utf-8")
    got = load_customers(path).to_pandas()
    assert list(got.columns) == ["customer_id", "jahresprämie", "gebühr", "prämienstufe"]


def test_a_rule_and_a_segment_on_an_umlaut_attribute_run_end_to_end(tmp_path):
    """Load, persona rule, segment parameter: the rule was refused ("did you mean 'jahrespr_mie'")."""
    folder = _world(tmp_path / "umlaut")
    world = load_world(folder)
    assert "jahresprämie" in world.tables["customers"].to_pandas().columns
    f = _run(folder, persona="Premium-Kunden")
    assert not f.persona_errors
    sizes = f.evidence.persona_sizes.set_index("persona")["n_customers"]
    assert sizes["Premium-Kunden"] == 13
    assert f.funnel["n"].tolist() == [13, 13, 13]
    seg = _run(folder, segment="jahresprämie > 1000 and tarif == 'Premium'")
    assert seg.funnel["n"].tolist() == [13, 13, 13]


# ---------------------------------------------------------------- D147: the clock jumps

def _first_existing(local: str, zone: str) -> pd.Timestamp:
    """Oracle: naive UTC of a Berlin wall time; a skipped time is the first instant after the
    jump (found minute by minute), a repeated one its first occurrence."""
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    z, wall = ZoneInfo(zone), pd.Timestamp(local).to_pydatetime()
    first = wall.replace(tzinfo=z, fold=0).astimezone(timezone.utc)
    if first.astimezone(z).replace(tzinfo=None) == wall:
        return pd.Timestamp(first.replace(tzinfo=None))
    at = (wall - timedelta(hours=3)).replace(tzinfo=timezone.utc)
    while at.astimezone(z).replace(tzinfo=None) <= wall:
        at += timedelta(minutes=1)
    return pd.Timestamp(at.replace(tzinfo=None))


@pytest.mark.parametrize("written, time_format", [("29.03.2026 {}", "%d.%m.%Y %H:%M"), ("2026-03-29 {}", None)])
def test_a_local_time_the_clock_skips_or_repeats_is_read_in_order_and_counted(tmp_path, written, time_format):
    """02:30 on 29.03.2026 does not exist in Berlin: it was 01:30 UTC, after 03:10 (01:10 UTC),
    and Quote followed Buy; 02:xx on 25.10.2026 happens twice, read without a note. Customer 2's
    02:10 after 02:40 is the second of the two (D185): 01:10 UTC."""
    day = written.split(" ")[0]
    autumn = day.replace("29", "25").replace("03", "10")
    rows = [("1", day, "01:50", STEPS[0]), ("1", day, "02:30", STEPS[1]), ("1", day, "03:10", STEPS[2]),
            ("2", autumn, "02:40", STEPS[0]), ("2", autumn, "02:10", STEPS[1]), ("3", autumn, "03:30", STEPS[0])]
    path = tmp_path / "events.csv"
    path.write_text("customer_id;timestamp;event\n" + "".join(f"{c};{d} {t};{e}\n" for c, d, t, e in rows),
                    encoding="utf-8")
    loaded = load_events(path, tz="Europe/Berlin", time_format=time_format, read_options={"delim": ";"})
    got = loaded.to_pandas()
    iso = {d: pd.Timestamp(2026, 3 if d == day else 10, 29 if d == day else 25).strftime("%Y-%m-%d")
           for d in (day, autumn)}
    want = [_first_existing(f"{iso[d]} {t}", "Europe/Berlin") for _, d, t, _ in rows]
    want[4] += pd.Timedelta(hours=1)
    assert got["timestamp"].tolist() == want
    assert got.loc[got["customer_id"] == "1", "timestamp"].is_monotonic_increasing
    notes = " | ".join(loaded.accounting.notes)
    assert "1 value of timestamp in the hour the clock skips" in notes and "(line 3)" in notes
    assert "2 values of timestamp in the hour the clock shows twice" in notes and "(lines 5, 6)" in notes
    assert "1 read as the second of the two (winter time)" in notes and "the other 1 as the first" in notes
    summer = load_events(path, tz="UTC", time_format=time_format, read_options={"delim": ";"})
    assert not any("clock" in n for n in summer.accounting.notes)


# ---------------------------------------------------------------- D146: formula cells

def _with_stored_values(path, values: dict):
    """Write into the saved workbook the value a spreadsheet program would have stored for
    the formula cells ``values`` (cell → number), as if it had been opened and saved."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    for cell, value in values.items():
        sheet = re.sub(rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v ?/>', rf"\g<1><v>{value}</v>", sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def test_a_formula_cell_is_its_stored_value_or_a_counted_blank_never_its_text(tmp_path):
    """openpyxl-written sheets: ``=C2/12`` loaded as text (an attribute of 2,000 distinct texts),
    ``="Tarifrechner geöffnet"`` as an unknown event kind counted as used."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Kundennummer", "Tarif", "Jahresprämie", "Monatsbeitrag"])
    for i in range(1, 6):
        ws.append([f"C-{i:06d}", "Premium", 1200 * i, f"=C{i + 1}/12"])
    customers = tmp_path / "customers.xlsx"
    wb.save(customers)
    _with_stored_values(customers, {"D2": 100, "D3": 200})        # two cells saved by a spreadsheet
    loaded = load_customers(customers, columns={"customer_id": "Kundennummer"})
    got = loaded.to_pandas().set_index("customer_id")["monatsbeitrag"]
    assert got.tolist()[:2] == [100, 200] and got.iloc[2:].isna().all()
    assert not got.astype(str).str.startswith("=").any()
    notes = " | ".join(loaded.accounting.notes)
    assert "column 'Monatsbeitrag': 3 formula cells hold no stored value (D4, D5, D6): left blank" in notes
    assert "column 'Monatsbeitrag': 2 formula cells read as the value the spreadsheet stored (D2, D3)" in notes

    wb = Workbook()
    ws = wb.active
    ws.append(["customer_id", "timestamp", "event"])
    for i in range(1, 7):
        ws.append([f"c{i}", f"2026-02-0{i} 10:00", f'="{STEPS[0]}"' if i % 3 == 0 else STEPS[0]])
    events = tmp_path / "events.xlsx"
    wb.save(events)
    ev = load_events(events)
    assert ev.to_pandas()["event"].tolist() == [STEPS[0]] * 4
    a = ev.accounting
    assert (a.rows_read, a.rows_used, a.rows_rejected) == (6, 4, 2)
    assert a.reasons.set_index("reason").loc["missing event", "lines"] == [4, 7]
    assert any("column 'event': 2 formula cells hold no stored value (C4, C7)" in n for n in a.notes)


# ---------------------------------------------------------------- D145: ids written two ways

@pytest.mark.parametrize("customer_id, invalid, words", [
    (lambda i: f"C-{i:06d}", True, "0 of 40 customers with events are in the customer table: the ids seem to be "
                                   "the same, written with a prefix or leading zeros around the same number "
                                   "('1' in the events, 'C-000001' in the customer table"),
    (lambda i: f"C-{i:06d}" if i > 30 else str(i), False, "30 of 40 customers with events are in the customer "
                                                          "table: the ids seem to be the same, written with a prefix"),
    (lambda i: f"k{i + 100}" if i > 30 else str(i), False, "30 of 40 customers with events are in the customer "
                                                     "table; the other 10 are not in it (customers it does not "
                                                     "list, such as prospects)"),        # most meet (D157)
    (lambda i: f"k{i + 100}" if i > 10 else str(i), True, "10 of 40 customers with events are in the customer "
                                                    "table; the two tables seem to use different customer ids"),
    (str, False, None)])
def test_validate_counts_the_customers_with_events_the_customer_table_holds(tmp_path, capsys, customer_id,
                                                                           invalid, words):
    """Events keyed ``123``, customers ``C-000123``: validate said "ok", exit 0."""
    from jmtools.cli.main import main

    folder = _world(tmp_path / "ids", customer_id=customer_id)
    code = main(["validate", str(folder / "journey.yaml"), "--data", str(folder)])
    err = capsys.readouterr().err
    assert code == (1 if invalid else 0)
    if words:
        assert ("INVALID" if invalid else "warning") in err and words in err and "Fix: " in err
    else:
        assert "customers with events" not in err
