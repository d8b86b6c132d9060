"""Loaders: canonical tables from files and frames, located errors, counted rejections."""

from __future__ import annotations

import csv
import pickle
from datetime import datetime

import pandas as pd
import pytest

from jmtools.core.errors import DataError, ParameterError
from jmtools.sources import (load_customers, load_events, load_feedback, load_orders, load_surveys,
                             load_table, load_tickets, load_world)
from jmtools.sources import THOUSANDS_HINT

EVENTS = "customer_id,timestamp,event\n" + "\n".join([
    "c1,2024-03-01T10:00:00,view",        # line 2
    "c1,2024-03-01T10:05:00,cart",        # line 3
    "c2,2024-03-01T11:00:00,view",        # line 4
])


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def check_identity(loaded):
    a = loaded.accounting
    assert a.rows_read == a.rows_used + a.rows_rejected
    assert a.rows_used == len(loaded.to_pandas())
    assert a.rows_rejected == (int(a.reasons["n"].sum()) if len(a.reasons) else 0)


# ---------------------------------------------------------------- good inputs

def test_csv_events_are_typed_ordered_and_accounted(tmp_path):
    ev = load_events(write(tmp_path, "events.csv", EVENTS))
    df = ev.to_pandas()
    assert list(df.columns) == ["customer_id", "timestamp", "event"]
    assert df["timestamp"].dt.tz is None
    assert df["event"].tolist() == ["view", "cart", "view"]
    assert ev.accounting.ok and ev.accounting.rows_read == 3
    assert "_row" in ev.table.columns
    check_identity(ev)


def test_offsets_and_time_zones_become_naive_utc(tmp_path):
    text = "customer_id,timestamp,event\na,2024-03-01T12:00:00+02:00,x\nb,2024-07-01 10:00:00,y\n"
    utc = load_events(write(tmp_path, "e.csv", text)).to_pandas()
    assert utc["timestamp"].tolist() == [datetime(2024, 3, 1, 10), datetime(2024, 7, 1, 10)]
    berlin = load_events(write(tmp_path, "e.csv", text), tz="Europe/Berlin").to_pandas()
    # the value with an offset keeps it; the naive one is Berlin summer time (UTC+2)
    assert berlin["timestamp"].tolist() == [datetime(2024, 3, 1, 10), datetime(2024, 7, 1, 8)]


TZ_ROWS = [("a", "2024-03-02 08:30", "track"), ("a", "2024-03-02", "delivered"),
           ("a", "2024-07-15", "delivered"),                          # summer time
           ("b", "2024-03-02 00:00:00", "rated"), ("b", "2024-03-03 00:00:00", "rated"),  # 00:00 only
           ("b", "2024-03-02 00:00:00", "track"),                     # 00:00 of a timed kind
           ("c", "2024-03-02 23:30", "track"), ("c", "2024-03-02 19:30", "click")]


def oracle_local(raw: pd.DataFrame, tz: str) -> pd.Series:
    """Plain pandas: a value at local 00:00 written without a time, or of a kind whose every value
    is at 00:00, is its day; every other value is local time in ``tz`` converted to naive UTC."""
    local = pd.to_datetime(raw["timestamp"], format="mixed")
    midnight = local == local.dt.normalize()
    day = midnight & (~raw["timestamp"].astype(str).str.contains(":")
                      | midnight.groupby(raw["event"]).transform("all"))
    utc = local.dt.tz_localize(tz).dt.tz_convert("UTC").dt.tz_localize(None)
    return local.where(day, utc)


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York"])
def test_a_date_alone_under_a_time_zone_stays_its_day(tmp_path, tz):
    """With tz= a date alone ("2024-03-02", a delivery kind recorded by date) was converted like an
    instant: in Berlin 2024-03-01 23:00, the day before, and no longer at 00:00, so the evidence step
    no longer saw its kind as date-only (D126). A date alone, and a value of an event kind whose every
    value is at 00:00, is now its day; timed values (00:00 of a timed kind too) are converted as before.
    The same from a CSV, a frame of text, a frame of timestamps and with a time_format."""
    raw = pd.DataFrame(TZ_ROWS, columns=["customer_id", "timestamp", "event"])
    want = oracle_local(raw, tz)
    assert want[1] == pd.Timestamp("2024-03-02") and want[3] == pd.Timestamp("2024-03-02")
    assert want[5] != pd.Timestamp("2024-03-02")                   # the timed kind's 00:00: converted
    stamps = raw.assign(timestamp=pd.to_datetime(raw["timestamp"], format="mixed"))
    for src, options in ((write(tmp_path, "e.csv", raw.to_csv(index=False)), {}), (raw, {}), (stamps, {}),
                         (raw, {"time_format": "%Y-%m-%d %H:%M"}),
                         (stamps.assign(timestamp=stamps["timestamp"].dt.strftime("%d.%m.%Y %H:%M:%S")),
                          {"time_format": "%d.%m.%Y %H:%M:%S"})):
        if options.get("time_format") == "%Y-%m-%d %H:%M":
            src = raw.assign(timestamp=raw["timestamp"].str.replace(":00:00", ":00"))
        ev = load_events(src, tz=tz, **options)
        got = ev.to_pandas()["timestamp"]
        assert got.tolist() == want.tolist(), (options, got.tolist())
        assert "a date alone stays its day" in " ".join(ev.accounting.notes)
        check_identity(ev)
    dated = load_surveys(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-03-02", "2024-03-02 10:00"],
                                       "touchpoint": ["x", "x"], "metric": ["csat", "csat"], "score": [4, 5]}),
                         tz=tz).to_pandas()["timestamp"]
    assert dated[0] == pd.Timestamp("2024-03-02") and dated[1] != pd.Timestamp("2024-03-02 10:00")


def test_explicit_time_format_and_unix_seconds(tmp_path):
    text = "customer_id,timestamp,event\na,01/03/2024 14:05,x\n"
    df = load_events(write(tmp_path, "e.csv", text), time_format="%d/%m/%Y %H:%M").to_pandas()
    assert df["timestamp"].iloc[0] == datetime(2024, 3, 1, 14, 5)
    unix = load_events(pd.DataFrame({"customer_id": ["a"], "timestamp": ["1709301900"],
                                     "event": ["x"]}), time_format="unix").to_pandas()
    assert unix["timestamp"].iloc[0] == datetime(2024, 3, 1, 14, 5)


def test_a_time_format_with_a_time_of_day_also_reads_dates_alone(tmp_path):
    """A log whose delivery kind is recorded by date only ("2024-03-02") beside timed events: with
    time_format="%Y-%m-%d %H:%M:%S" every date alone was rejected as unparseable (645 rows in an
    outside run). It is now that day at 00:00, as without a format, and the evidence step sees a
    date-only kind; a value that is neither stays rejected and counted."""
    from jmtools.evidence import prepare

    text = ("customer_id,timestamp,event\na,2024-03-02 10:00:00,view\na,2024-03-02,shipped\n"
            "b,2024-03-03 09:00:00,view\nb,2024-03-03,shipped\nc,2024-03-04 08:00:00,view\nc,2024-03-04,shipped\n"
            "d,2024-03-02 25:00:00,view\nd,02/03/2024,view\n")
    ev = load_events(write(tmp_path, "e.csv", text), time_format="%Y-%m-%d %H:%M:%S")
    got = ev.to_pandas()
    assert got.loc[got["event"] == "shipped", "timestamp"].tolist() == [datetime(2024, 3, d) for d in (2, 3, 4)]
    assert reasons(ev)["unparseable timestamp"].n == 2 and ev.accounting.rows_used == 6
    journey = {"stages": ["Browse", "Ship"], "touchpoints": [{"name": "Site", "stage": "Browse", "events": ["view"]},
                                                            {"name": "Door", "stage": "Ship", "events": ["shipped"]}]}
    assert prepare(ev, journey).date_only["event"].tolist() == ["shipped"]


def test_column_mapping_and_normalised_headers(tmp_path):
    text = "User ID,Event Time,Action\nu1,2024-01-01 10:00:00,view\n"
    ev = load_events(write(tmp_path, "e.csv", text),
                     columns={"customer_id": "User ID", "timestamp": "Event Time", "event": "Action"})
    assert ev.to_pandas()["customer_id"].tolist() == ["u1"]
    # 'User ID' normalises to 'user_id', not customer_id: it has to be mapped, and the error says how
    with pytest.raises(DataError) as err:
        load_events(write(tmp_path, "e.csv", text), columns={"timestamp": "Event Time", "event": "Action"})
    assert err.value.problems[0].fix.startswith("pass columns={'customer_id': 'User ID'} to the loader")
    assert "events: {columns: {customer_id: User ID}} in the data folder's loading.yaml" in err.value.problems[0].fix
    text2 = "Customer ID,Timestamp,Event\nu1,2024-01-01 10:00:00,view\n"
    ev2 = load_events(write(tmp_path, "e2.csv", text2))
    assert ev2.to_pandas()["customer_id"].tolist() == ["u1"]
    assert any("read as 'customer_id'" in n for n in ev2.accounting.notes)


def test_parquet_is_read_with_its_types(tmp_path):
    df = pd.DataFrame({"customer_id": [1, 2], "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                       "event": ["a", "b"], "value": [1.5, None]})
    df.to_parquet(tmp_path / "events.parquet")
    ev = load_events(tmp_path / "events.parquet")
    out = ev.to_pandas()
    assert out["customer_id"].tolist() == ["1", "2"]      # ids are strings
    assert out["value"].iloc[0] == 1.5
    check_identity(ev)


def test_timezone_aware_frame_is_converted():
    df = pd.DataFrame({"customer_id": ["a"], "event": ["x"],
                       "timestamp": pd.to_datetime(["2024-03-01 12:00"]).tz_localize("Europe/Berlin")})
    assert load_events(df).to_pandas()["timestamp"].iloc[0] == datetime(2024, 3, 1, 11)


def test_excel_rows_are_spreadsheet_lines(tmp_path):
    df = pd.DataFrame({"customer_id": ["a", "b", "c"], "timestamp": ["2024-01-01", "nope", "2024-01-03"],
                       "event": ["x", "y", "z"]})
    df.to_excel(tmp_path / "events.xlsx", index=False)
    ev = load_events(tmp_path / "events.xlsx")
    r = ev.accounting.reasons.iloc[0]
    assert r["reason"] == "unparseable timestamp" and list(r["lines"]) == [3]
    check_identity(ev)


def test_customer_attributes_get_inferred_types(tmp_path):
    text = "customer_id,age,vip,region,signup\na,31,true,north,2024-01-02\nb,45,false,,2023-05-06\n"
    cu = load_customers(write(tmp_path, "c.csv", text)).to_pandas()
    assert str(cu["age"].dtype) == "int64" and cu["vip"].tolist() == [True, False]
    assert pd.api.types.is_datetime64_any_dtype(cu["signup"])
    assert cu["region"].isna().tolist() == [False, True]


def test_pyarrow_table_input():
    import pyarrow as pa

    tbl = pa.table({"customer_id": ["a"], "timestamp": ["2024-01-01"], "event": ["x"]})
    assert load_events(tbl).accounting.rows_used == 1


def test_header_only_file_gives_an_empty_table(tmp_path):
    ev = load_events(write(tmp_path, "e.csv", "customer_id,timestamp,event\n"))
    assert ev.accounting.rows_read == 0 and len(ev.to_pandas()) == 0


def test_other_kinds_load(tmp_path):
    fb = load_feedback(pd.DataFrame({"feedback_id": ["f1", "f1"], "customer_id": ["a", "b"],
                                     "timestamp": ["2024-01-01"] * 2, "text": ["ok", "bad"]}))
    assert fb.accounting.rows_rejected == 1
    od = load_orders(pd.DataFrame({"order_id": ["o1"], "customer_id": ["a"], "timestamp": ["2024-01-01"],
                                   "amount": ["12.5"]}))
    assert od.to_pandas()["amount"].iloc[0] == 12.5
    tk = load_tickets(pd.DataFrame({"ticket_id": ["t1"], "customer_id": ["a"], "timestamp": ["2024-01-01"],
                                    "closed_timestamp": ["2024-01-03"]}))
    assert tk.to_pandas()["closed_timestamp"].iloc[0] == datetime(2024, 1, 3)


def test_custom_scale_accepts_csat_on_seven_points():
    df = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"], "metric": ["csat"],
                       "score": [7]})
    assert load_surveys(df).accounting.rows_rejected == 1
    assert load_surveys(df, scales={"csat": (1, 7)}).accounting.rows_rejected == 0


def test_load_world_finds_files_and_sums_accounting(tmp_path):
    write(tmp_path, "events.csv", EVENTS + "\nc3,bad,view\n")
    write(tmp_path, "customers.csv", "customer_id,age\nc1,30\nc2,40\n")
    world = load_world(tmp_path)
    assert set(world.tables) == {"events", "customers"}
    acc = world.accounting.set_index("kind")
    assert acc.loc["events", "rows_rejected"] == 1 and acc.loc["customers", "rows_used"] == 2
    assert world.events is world.tables["events"]


# ---------------------------------------------------------------- malformed inputs (≥ 20 kinds)

def reasons(loaded):
    return {r.reason: r for r in loaded.accounting.reasons.itertuples(index=False)}


@pytest.mark.parametrize("header, column, want", [
    ("Name,Email,Paid at,Accepts Marketing,Total,Created at", "timestamp", "Created at"),   # Shopify
    ("StartDate,Status,UserLanguage,ExternalReference,Q1", "customer_id", None),           # Qualtrics
    ("event_id,event_type,user_id,event_time", "event", "event_type"),                      # Amplitude
    # the time column offered for the time is not offered for the event too (D257)
    ("user_id,account_id,event_ts,event_name,actor", "event", "event_name"),
    ("user_id,account_id,event_ts,event_name,actor", "timestamp", "event_ts"),
    ("customer_id,event_ts,step", "event", None),
])
def test_bad_01b_a_suggested_column_is_a_word_of_its_name_not_a_few_letters(tmp_path, header, column, want):
    """'ts' inside 'Accepts Marketing' and 'user' inside 'UserLanguage' were offered as the time
    and the customer id; an id column was offered for the event name."""
    with pytest.raises(DataError) as err:
        load_table(write(tmp_path, "t.csv", header + "\n" + ",".join("x" * len(header.split(","))) + "\n"),
                   "events" if column in ("event", "timestamp") and "event_ts" in header else
                   "events" if column == "event" else "surveys" if column == "customer_id" else "orders")
    fix = next(p.fix for p in err.value.problems if p.column == column)
    assert (f"{column}: {want}}}" in fix) if want else ("<your column>" in fix)


def test_bad_01_missing_column_suggests_closest(tmp_path):
    with pytest.raises(DataError) as err:
        load_events(write(tmp_path, "e.csv", "customer_id,timestmp,event\na,2024-01-01,x\n"))
    p = err.value.problems[0]
    assert p.column == "timestamp" and "timestmp" in p.fix and p.source == "e.csv"


def test_bad_02_misnamed_column_found_by_its_meaning(tmp_path):
    with pytest.raises(DataError) as err:
        load_events(write(tmp_path, "e.csv", "customer_id,event_time,event\na,2024-01-01,x\n"))
    assert "event_time" in err.value.problems[0].fix


def test_bad_03_mapping_to_absent_column(tmp_path):
    with pytest.raises(DataError) as err:
        load_events(write(tmp_path, "e.csv", EVENTS), columns={"timestamp": "tmestamp"})
    assert "'timestamp'" in err.value.problems[0].fix


def test_bad_04_unparseable_timestamps_with_lines(tmp_path):
    text = EVENTS + "\nc3,yesterday,view\nc4,2024-13-45,view\n"
    ev = load_events(write(tmp_path, "e.csv", text))
    r = reasons(ev)["unparseable timestamp"]
    assert r.n == 2 and list(r.lines) == [5, 6] and list(r.examples) == ["yesterday", "2024-13-45"]
    assert "time_format" in r.fix
    check_identity(ev)


def test_bad_05_wrong_time_format(tmp_path):
    ev = load_events(write(tmp_path, "e.csv", EVENTS), time_format="%d/%m/%Y")
    assert reasons(ev)["unparseable timestamp"].n == 3 and ev.accounting.rows_used == 0


def test_bad_06_invalid_time_format_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="time_format"):
        load_events(write(tmp_path, "e.csv", EVENTS), time_format="%Q")


def test_bad_07_unknown_time_zone_suggests(tmp_path):
    with pytest.raises(ParameterError) as err:
        load_events(write(tmp_path, "e.csv", EVENTS), tz="Europe/Berlim")
    assert "Europe/Berlin" in str(err.value)


def test_bad_08_missing_ids(tmp_path):
    ev = load_events(write(tmp_path, "e.csv", EVENTS + "\n,2024-01-01,view\n  ,2024-01-01,view\n"))
    r = reasons(ev)["missing customer_id"]
    assert r.n == 2 and list(r.lines) == [5, 6]


def test_bad_09_csat_of_seven():
    df = pd.DataFrame({"customer_id": list("abc"), "timestamp": ["2024-01-01"] * 3,
                       "metric": ["csat"] * 3, "score": [5, 7, 0]})
    r = reasons(load_surveys(df))["csat score outside 1–5"]
    assert r.n == 2 and list(r.lines) == [2, 3] and list(r.examples) == ["7.0", "0.0"]


def test_bad_10_nps_out_of_range():
    df = pd.DataFrame({"customer_id": list("ab"), "timestamp": ["2024-01-01"] * 2,
                       "metric": ["NPS", "nps"], "score": [11, 10]})
    sv = load_surveys(df)
    assert reasons(sv)["nps score outside 0–10"].n == 1 and sv.accounting.rows_used == 1


def test_bad_11_unknown_metric():
    df = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"], "metric": ["happiness"],
                       "score": [3]})
    r = reasons(load_surveys(df))["unknown metric"]
    assert list(r.examples) == ["happiness"] and "scales=" in r.fix


def test_bad_12_non_numeric_score(tmp_path):
    text = "customer_id,timestamp,metric,score\na,2024-01-01,csat,five\nb,2024-01-01,csat,4\n"
    sv = load_surveys(write(tmp_path, "s.csv", text))
    r = reasons(sv)["unparseable score"]
    assert r.n == 1 and list(r.lines) == [2]


def test_bad_13_duplicate_customer_ids_keep_first(tmp_path):
    text = "customer_id,age\na,30\nb,40\na,31\n"
    cu = load_customers(write(tmp_path, "c.csv", text))
    r = reasons(cu)["duplicate customer_id"]
    assert list(r.lines) == [4] and cu.to_pandas()["age"].tolist() == [30, 40]


def test_bad_14_duplicate_order_ids():
    od = load_orders(pd.DataFrame({"order_id": ["o1", "o1", "o2"], "customer_id": list("abc"),
                                   "timestamp": ["2024-01-01"] * 3, "amount": [1, 2, 3]}))
    assert reasons(od)["duplicate order_id"].n == 1


def test_bad_15_a_windows_export_without_encoding_is_read_as_cp1252_and_says_so(tmp_path):
    """A folder's CSV saved by Excel on Windows (no encoding can be passed to a report): read as
    Windows-1252 when UTF-8 fails and every byte reads so, with a note naming the first line."""
    path = write(tmp_path, "e.csv", "customer_id,timestamp,event\nc1,2024-01-01,view\n"
                                    "c2,2024-01-01,caf\u00e9 \u20ac5\n", "cp1252")
    ev = load_events(path)
    assert ev.to_pandas()["event"].tolist() == ["view", "caf\u00e9 \u20ac5"]
    assert any("read as Windows-1252" in n and "line 3" in n for n in ev.accounting.notes)
    check_identity(ev)
    assert load_events(path, encoding="latin-1").to_pandas()["event"].iloc[1].startswith("caf\u00e9")
    bad = tmp_path / "b.csv"                     # 0x81 is neither UTF-8 nor cp1252: the UTF-8 error
    bad.write_bytes(b"customer_id,timestamp,event\nc1,2024-01-01,view\nc\x81,2024-01-01,view\n")
    with pytest.raises(DataError) as err:
        load_events(bad)
    assert "encoding=" in err.value.problems[0].fix and err.value.problems[0].line == 3
    assert "not UTF-8" in err.value.problems[0].message


def test_bad_16_windows_codepage_is_transcoded(tmp_path):
    path = write(tmp_path, "e.csv", "customer_id,timestamp,event\nc1,2024-01-01,\u20ac-offer\n", "cp1252")
    assert load_events(path, encoding="cp1252").to_pandas()["event"].iloc[0] == "\u20ac-offer"


def test_bad_16b_a_windows_export_is_named_located_and_leaves_no_copy(tmp_path, monkeypatch):
    """A cp1252 file with a quoted text over two lines, a ragged line and a bad time: the
    accounting names the user's file and its lines, and the UTF-8 copy DuckDB read is gone."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    text = ("customer_id,timestamp,event\n"
            'c1,2024-01-01,"\u20ac-offer\nsecond line"\n'     # lines 2-3: one record
            "c2,2024-01-01,view,EXTRA,MORE\n"                   # line 4: two extra columns
            "c3,not a time,view\n")                             # line 5
    ev = load_events(write(tmp_path, "export.csv", text, "cp1252"), encoding="cp1252")
    rs = reasons(ev)
    assert ev.accounting.source == "export.csv"
    assert list(rs["malformed line (too many columns)"].lines) == [4]
    assert list(rs["unparseable timestamp"].lines) == [5]
    assert ev.accounting.rows_read == 3 and ev.to_pandas()["event"].iloc[0] == "\u20ac-offer\nsecond line"
    check_identity(ev)
    assert list(scratch.iterdir()) == []


def test_bad_16c_a_byte_the_encoding_cannot_read_is_located(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    path = tmp_path / "e.csv"
    path.write_bytes(b"customer_id,timestamp,event\nc1,2024-01-01,view\nc\x81,2024-01-02,view\n")
    with pytest.raises(DataError) as err:
        load_events(path, encoding="cp1252")
    p = err.value.problems[0]
    assert (p.source, p.line) == ("e.csv", 3) and "0x81" in p.message and "latin-1" in p.fix
    truncated = tmp_path / "t.csv"
    truncated.write_bytes("customer_id,timestamp,event\nc1,2024-01-01,\u30d3\n".encode("shift_jis")[:-2])
    with pytest.raises(DataError, match="ends inside a character"):
        load_events(truncated, encoding="shift_jis")
    assert list(scratch.iterdir()) == []


def test_bad_16d_a_compressed_windows_export(tmp_path):
    import gzip

    path = tmp_path / "e.csv.gz"
    path.write_bytes(gzip.compress("customer_id,timestamp,event\nc1,2024-01-01,\u20ac-offer\n".encode("cp1252")))
    assert load_events(path, encoding="cp1252").to_pandas()["event"].tolist() == ["\u20ac-offer"]


def test_bad_16e_a_line_with_several_extra_columns_is_one_rejected_row(tmp_path):
    text = EVENTS + "\nc3,2024-01-01,view,A,B,C\n"
    ev = load_events(write(tmp_path, "e.csv", text))
    assert ev.accounting.rows_read == 4 and ev.accounting.rows_rejected == 1
    assert list(reasons(ev)["malformed line (too many columns)"].lines) == [5]
    check_identity(ev)


def test_bad_16f_a_thousands_dot_beside_decimal_commas_is_rejected_not_read_as_a_decimal(tmp_path):
    """In a column that writes 12,50 elsewhere, 1.299 means 1299: reading it as 1.299 would put a
    wrong amount in every order value. Without decimal commas, 2.500 is 2.5."""
    comma = ("order_id;customer_id;timestamp;amount\n"
             "O1;101;2024-03-09;12,50\nO2;102;2024-03-09;1.299\nO3;103;2024-03-09;2.500\n"
             "O4;104;2024-03-09;99\nO5;105;2024-03-09;2.5\n")
    od = load_orders(write(tmp_path, "o.csv", comma))
    rs = reasons(od)
    assert list(rs["ambiguous amount (a thousands separator?)"].lines) == [3, 4]
    assert "decimal comma" in rs["ambiguous amount (a thousands separator?)"].fix
    assert list(rs["unparseable amount"].lines) == [2]
    assert od.to_pandas()["amount"].tolist() == [99.0, 2.5]
    check_identity(od)
    dot = "order_id,customer_id,timestamp,amount\nO1,101,2024-03-09,12.50\nO2,102,2024-03-09,2.500\n"
    assert load_orders(write(tmp_path, "d.csv", dot)).to_pandas()["amount"].tolist() == [12.5, 2.5]


def test_bad_16g_an_excel_title_row_above_the_header_is_skipped_and_lines_stay_excel_rows(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Orders export March 2024"])
    ws.append([])
    ws.append(["order_id", "customer_id", "timestamp", "amount"])
    ws.append(["O1", "101", datetime(2024, 3, 5, 10), 12.5])
    ws.append(["O2", "102", datetime(2024, 3, 5, 11), "twelve"])     # Excel row 5
    wb.save(tmp_path / "orders.xlsx")
    od = load_orders(tmp_path / "orders.xlsx")
    assert od.to_pandas()["amount"].tolist() == [12.5]
    assert list(reasons(od)["unparseable amount"].lines) == [5]
    assert any("rows 1–2 above the header skipped" in n and "Orders export" in n for n in od.accounting.notes)
    check_identity(od)
    one = Workbook()                      # a one-column table is read from row 1, as before
    for v in ("customer_id", "c1", "c2"):
        one.active.append([v])
    one.save(tmp_path / "customers.xlsx")
    assert load_customers(tmp_path / "customers.xlsx").to_pandas()["customer_id"].tolist() == ["c1", "c2"]


def test_bad_16h_excel_date_numbers_are_read_as_times_and_a_year_or_epoch_stays_rejected(tmp_path):
    """A sheet whose time column is formatted as numbers holds Excel's date numbers (45361.75);
    they are times, as Excel shows them once formatted as dates. A year (2024) or epoch seconds
    in the same column stay rejected; a CSV's numbers are not taken for dates."""
    from openpyxl import Workbook
    from openpyxl.utils.datetime import from_excel

    wb = Workbook()
    ws = wb.active
    ws.append(["customer_id", "timestamp", "event"])
    cells = [45361.75, datetime(2024, 3, 9, 19), 45362, "45363.5", 2024, 1710000000, 45361.0001]
    for i, v in enumerate(cells):
        ws.append([f"c{i}", v, "view"])
    wb.save(tmp_path / "events.xlsx")
    ev = load_events(tmp_path / "events.xlsx")
    got = ev.to_pandas().set_index("customer_id")["timestamp"]
    want = {f"c{i}": (v if isinstance(v, datetime) else from_excel(float(v)))
            for i, v in enumerate(cells) if i not in (4, 5)}
    assert set(got.index) == set(want)
    for k, v in want.items():         # to the millisecond, as openpyxl converts them
        assert abs(got[k] - pd.Timestamp(v)) < pd.Timedelta(milliseconds=1), k
    assert list(reasons(ev)["unparseable timestamp"].lines) == [6, 7]
    assert any("4 values of timestamp read as Excel date numbers" in n for n in ev.accounting.notes)
    check_identity(ev)
    local = load_events(tmp_path / "events.xlsx", tz="Europe/Berlin").to_pandas()
    assert local.set_index("customer_id")["timestamp"]["c0"] == pd.Timestamp("2024-03-10 17:00")
    csv_ev = load_events(write(tmp_path, "e.csv", "customer_id,timestamp,event\nc1,45361.75,view\n"))
    assert csv_ev.accounting.rows_rejected == 1


@pytest.mark.parametrize("placeholder", ["NULL", "\\N", "N/A", "#N/A", "null", "-", "NA", "nan", "None"])
def test_bad_16i_placeholders_for_no_value_are_missing_values_not_bad_rows(tmp_path, placeholder):
    """SQL tools write NULL, MySQL \\N, spreadsheets #N/A or -: in an optional number the value is
    missing and the event is kept (it used to reject 92% of an export's events); in a required
    id or time the row is rejected as missing, not as unparseable; a text column keeps it."""
    text = ("customer_id,timestamp,event,value,channel\n"
            f"c1,2024-01-01 10:00,view,{placeholder},{placeholder}\n"
            f"{placeholder},2024-01-01 11:00,view,,web\n"
            f"c2,{placeholder},view,,web\n"
            "c3,2024-01-01 12:00,buy,12.5,web\n")
    ev = load_events(write(tmp_path, "e.csv", text))
    used = ev.to_pandas()
    assert used["customer_id"].tolist() == ["c1", "c3"]
    assert pd.isna(used["value"].iloc[0]) and used["value"].iloc[1] == 12.5
    assert used["channel"].iloc[0] == placeholder
    rs = reasons(ev)
    assert set(rs) == {"missing customer_id", "missing timestamp"}
    assert list(rs["missing customer_id"].lines) == [3] and list(rs["missing timestamp"].lines) == [4]
    assert not ev.accounting.notes                # no value is no unreadable value
    check_identity(ev)
    # independently: pandas reads the same placeholders as missing (but "-" and "\\N" it keeps)
    if placeholder not in ("-", "\\N"):
        assert pd.read_csv(tmp_path / "e.csv")["value"].isna().sum() == 3
    customers = load_customers(write(tmp_path, "c.csv", f"customer_id,age\nc1,25\nc2,{placeholder}\nc3,40\n"))
    ages = customers.to_pandas()["age"]
    assert ages.iloc[[0, 2]].tolist() == [25, 40] and pd.isna(ages.iloc[1])   # a number column still


def test_bad_16j_an_unreadable_optional_value_is_left_blank_and_counted_the_row_kept(tmp_path):
    """A rating it cannot read ("four", "A+") dropped the whole comment (905 of 1,052 in a helper's export):
    the comment is kept for its text, the rating left blank, and a note counts the blanks with
    their lines. A required value that cannot be read still rejects its row."""
    text = ("feedback_id,customer_id,timestamp,text,rating\n"
            "F1,c1,2024-03-01,Late again,four\n"
            "F2,c2,2024-03-01,Lovely,5\n"
            "F3,c3,2024-03-01,Rude staff,A+\n"
            "F4,c4,yesterday,Fine,3\n"
            "F5,c5,2024-03-01,Slow,1e309\n")
    fb = load_feedback(write(tmp_path, "f.csv", text))
    used = fb.to_pandas().set_index("feedback_id")
    assert list(used.index) == ["F1", "F2", "F3", "F5"]
    assert used["rating"].isna().tolist() == [True, False, True, True]
    assert list(reasons(fb)["unparseable timestamp"].lines) == [5]
    notes = " ".join(fb.accounting.notes)
    assert "2 values of rating left blank, the rows kept: unparseable rating (lines 2, 4)" in notes
    assert "1 value of rating left blank, the row kept: non-finite rating" in notes and "(line 6)" in notes
    check_identity(fb)


def test_bad_16k_event_names_and_other_texts_lose_spaces_around_them(tmp_path):
    """'product_view ' with a trailing space matched no touchpoint (28% of a helper's events);
    ids were trimmed, names were not."""
    ev = load_events(write(tmp_path, "e.csv", "customer_id,timestamp,event,channel\n"
                                              "c1,2024-01-01, product_view , web\nc2,2024-01-01,buy,\n"))
    used = ev.to_pandas()
    assert used["event"].tolist() == ["product_view", "buy"]
    assert used["channel"].iloc[0] == "web" and pd.isna(used["channel"].iloc[1])


TIMES_WRITTEN = [  # (text, strptime format a person reading it would use), in the file's order
    ("09.03.2024 18:56", "%d.%m.%Y %H:%M"), ("31.03.24", "%d.%m.%y"), ("1.4.2024 07:05:09", "%d.%m.%Y %H:%M:%S"),
    ("3/13/2024 6:56 PM", "%m/%d/%Y %I:%M %p"), ("03/01/2024 12:30 AM", "%m/%d/%Y %I:%M %p"),
    ("3/2/24 11:59:59 pm", "%m/%d/%y %I:%M:%S %p"), ("9-Mar-24", "%d-%b-%y"), ("10 March 2024 10:00", "%d %B %Y %H:%M"),
    ("Mar 11, 2024 8:00 PM", "%b %d, %Y %I:%M %p"), ("2024-03-12T10:00:00", "%Y-%m-%dT%H:%M:%S")]


def test_bad_16l_dates_as_spreadsheets_write_them_are_read_when_the_values_tell_the_order(tmp_path):
    """An export from a German or US spreadsheet (09.03.2024 18:56, 3/13/2024 6:56 PM, 9-Mar-24)
    lost every row to "unparseable timestamp". Each way of writing is read as the values show
    it (a first number above 12: day first; a second: month first; dots: day first), the same
    times as Python's strptime gives them, and a note says how and why."""
    from datetime import datetime as dt

    lines = "\n".join(f'c{i},"{text}",view' for i, (text, _) in enumerate(TIMES_WRITTEN))
    ev = load_events(write(tmp_path, "e.csv", "customer_id,timestamp,event\n" + lines + "\nc99,someday,view\n"))
    got = ev.to_pandas().set_index("customer_id")["timestamp"]
    want = {f"c{i}": pd.Timestamp(dt.strptime(text, fmt)) for i, (text, fmt) in enumerate(TIMES_WRITTEN)}
    assert got.to_dict() == want
    assert list(reasons(ev)["unparseable timestamp"].lines) == [len(TIMES_WRITTEN) + 2]
    notes = " ".join(ev.accounting.notes)
    assert "3 values of timestamp read as day.month.year (31.03.24 has a first number above 12)" in notes
    assert "3 values of timestamp read as month/day/year (3/13/2024 6:56 PM has a second number above 12)" in notes
    assert "English name" in notes
    check_identity(ev)
    # a zone applies to them as to ISO times; an explicit format is taken as given
    local = load_events(write(tmp_path, "l.csv", "customer_id,timestamp,event\nc1,09.03.2024 18:56,view\n"),
                        tz="Europe/Berlin").to_pandas()
    assert local["timestamp"].tolist() == [pd.Timestamp("2024-03-09 17:56")]
    given = load_events(write(tmp_path, "g.csv", "customer_id,timestamp,event\nc1,13/03/2024,view\n"),
                        time_format="%m/%d/%Y")
    assert given.accounting.rows_rejected == 1 and not given.accounting.notes


def test_bad_16m_dates_whose_order_cannot_be_told_stay_rejected_with_the_reason(tmp_path):
    """3/9/2024 could be 3 September or 9 March: with no number above 12 anywhere in the column,
    the rows stay rejected and the fix says why. A column mixing 13/03 and 03/13 cannot be one
    order either. Dotted dates beside them are still read, and an optional closing time too."""
    ev = load_events(write(tmp_path, "e.csv", "customer_id,timestamp,event\n"
                                              "c1,3/9/2024 6:56 PM,view\nc2,3/10/2024,view\nc3,09.03.2024,view\n"))
    assert ev.to_pandas()["timestamp"].tolist() == [pd.Timestamp("2024-03-09")]
    r = reasons(ev)["unparseable timestamp"]
    assert list(r.lines) == [2, 3] and "no value has a number above 12" in r.fix and "ISO 8601" in r.fix
    mixed = load_events(write(tmp_path, "m.csv", "customer_id,timestamp,event\nc1,13/03/2024,view\n"
                                                 "c2,03/14/2024,view\n"))
    assert mixed.accounting.rows_rejected == 2
    assert "mixes day-first and month-first" in reasons(mixed)["unparseable timestamp"].fix
    tickets = load_tickets(write(tmp_path, "t.csv", "ticket_id,customer_id,timestamp,closed_timestamp\n"
                                                    "T1,c1,2024-03-01,02.03.2024 10:00\nT2,c2,2024-03-01,soon\n"))
    closed = tickets.to_pandas().set_index("ticket_id")["closed_timestamp"]
    assert closed["T1"] == pd.Timestamp("2024-03-02 10:00") and pd.isna(closed["T2"])
    assert "1 value of closed_timestamp read as day.month.year" in " ".join(tickets.accounting.notes)
    for loaded in (ev, mixed, tickets):
        check_identity(loaded)


@pytest.mark.parametrize("written, want, how", [
    (["\u20ac61.09", "242.94 EUR", "EUR 125.39", "7"], [61.09, 242.94, 125.39, 7.0], "decimal dot"),
    (["12,50", "1.299", "1.299,99", "3,20", "7"], [12.5, 1299.0, 1299.99, 3.2, 7.0], "decimal comma"),
    (["1\u202f234,50 \u20ac", "12,50 \u20ac"], [1234.5, 12.5], "decimal comma"),
    (["1'234.50 CHF", "CHF 12.00"], [1234.5, 12.0], "decimal dot"),
    (["$1,234", "2,500", "12"], [1234.0, 2500.0, 12.0], "decimal dot"),
])
def test_bad_16n_amounts_as_local_exports_write_them_are_read(tmp_path, written, want, how):
    """A German export (12,50; 1.299,99) or a shop's (\u20ac61.09, 242.94 EUR) lost every order
    to "unparseable amount", and with it every figure of order value. The decimal separator
    is the one the column shows; the note says so; a semicolon CSV reads like the frame."""
    rows = [f"O{i};c1;2024-03-01;{w}" for i, w in enumerate(written)]
    orders = load_orders(write(tmp_path, "o.csv", "order_id;customer_id;timestamp;amount\n" + "\n".join(rows) + "\n"))
    assert orders.to_pandas()["amount"].tolist() == pytest.approx(want)
    assert orders.accounting.rows_rejected == 0 and how in " ".join(orders.accounting.notes)
    check_identity(orders)
    given = load_orders(write(tmp_path, "o.csv", "order_id;customer_id;timestamp;amount\n" + "\n".join(rows) + "\n"),
                        time_format="%Y-%m-%d")                 # a time format given: numbers still read
    assert given.to_pandas()["amount"].tolist() == pytest.approx(want)


def test_bad_16n2_a_german_export_with_dotted_dates_and_decimal_commas_is_read_whole(tmp_path):
    """Each way of writing was read alone, but a row counts only its first refused value: the
    amounts of rows whose date was refused were never looked at, and every order was lost."""
    text = ("order_id;customer_id;timestamp;amount\nO1;c1;06.08.2026 10:00;61,09\n"
            "O2;c1;13.08.2026;1.299,50\nO3;c2;x;7\n")
    orders = load_orders(write(tmp_path, "o.csv", text))
    assert orders.to_pandas()[["timestamp", "amount"]].values.tolist() == [
        [pd.Timestamp("2026-08-06 10:00"), 61.09], [pd.Timestamp("2026-08-13"), 1299.5]]
    assert list(reasons(orders)["unparseable timestamp"].lines) == [4]
    check_identity(orders)


def test_bad_16o_numbers_whose_separator_cannot_be_told_stay_rejected_with_the_reason(tmp_path):
    """12.50 beside 12,50, amounts in two currencies, or a score of 1,000 with nothing to say
    whether the comma is a decimal one: the rows stay rejected, and the fix says why. A survey
    score written 4,5 is read."""
    def amounts(*written):
        return load_orders(pd.DataFrame({"order_id": [f"O{i}" for i in range(len(written))], "customer_id": "c",
                                         "timestamp": "2024-03-01", "amount": list(written)}))

    mixed = amounts("12.50", "12,50", "3")
    assert mixed.to_pandas()["amount"].tolist() == [12.5, 3.0]
    assert "a decimal comma (12,50) and others a decimal dot" in reasons(mixed)["unparseable amount"].fix
    two = amounts("\u20ac12.50", "$3.00", "EUR 4.00", "5")
    assert two.to_pandas()["amount"].tolist() == [5.0]
    assert "several currencies ($, EUR, \u20ac)" in reasons(two)["unparseable amount"].fix
    def scores(*written):
        return load_surveys(pd.DataFrame({"customer_id": list("abc"[:len(written)]), "timestamp": "2024-03-01",
                                          "metric": "nps", "score": list(written)}))

    commas = scores("4,5", "3", "1,000")         # the column's decimal comma: 1,000 is 1
    assert commas.to_pandas()["score"].tolist() == [4.5, 3.0, 1.0] and commas.accounting.rows_rejected == 0
    untold = scores("1,000", "3")
    assert untold.to_pandas()["score"].tolist() == [3.0]
    assert "could be a thousand or one and a bit" in reasons(untold)["unparseable score"].fix
    words = scores("Promoter", "detractor", "9")       # categories: no 0-10 answer to read
    assert words.to_pandas()["score"].tolist() == [9.0]
    assert "are NPS categories (Promoter, Passive, Detractor)" in reasons(words)["unparseable score"].fix
    for loaded in (mixed, two, commas, untold, words):
        check_identity(loaded)


def test_bad_16p_a_log_exported_newest_first_takes_same_time_events_oldest_first(tmp_path):
    """ORDER BY time DESC, written to the minute: a customer's view and cart of one minute come
    as cart, then view, and the row order that breaks ties reversed them (a helper's export lost
    39 customers from Consideration). Such a log's ties are taken in reverse file order, with a
    note; a log listed oldest first, or newest first without ties, is left as it is."""
    from jmtools.evidence import prepare
    from jmtools.journey import Journey

    chrono = [(f"c{i}", f"2024-03-0{1 + i % 9} 10:{m:02d}", e)
              for i in range(30) for m, e in ((0, "view"), (0, "cart"), (5, "pay"), (5, "review"))]
    newest = list(reversed(chrono))
    lines = lambda rows: "customer_id,timestamp,event\n" + "".join(f"{c},{t},{e}\n" for c, t, e in rows)
    ev = load_events(write(tmp_path, "new.csv", lines(newest) + "c9,someday,view\n"))
    assert any("listed newest first" in n for n in ev.accounting.notes)
    assert list(reasons(ev)["unparseable timestamp"].lines) == [len(newest) + 2]      # lines still the file's
    j = Journey.from_yaml("name: j\nstages: [{name: A}, {name: B}]\ntouchpoints: ["
                          "{name: V, stage: A, channel: digital, events: [view, cart]}, "
                          "{name: P, stage: B, channel: digital, events: [pay, review]}]")
    order = lambda loaded: prepare(loaded, j).events.to_pandas().sort_values(
        ["customer_id", "position"])[["customer_id", "event", "next_event"]].values.tolist()
    old = load_events(write(tmp_path, "old.csv", lines(chrono)))
    assert order(ev) == order(old) and not old.accounting.notes
    assert ev.to_pandas()[["customer_id", "event"]].values.tolist() == [[c, e] for c, _, e in chrono]
    untied = load_events(write(tmp_path, "u.csv", lines([(c, f"{t}:{k:02d}", e) for k, (c, t, e)
                                                          in enumerate(reversed(chrono))])))
    assert not untied.accounting.notes
    check_identity(ev)


def test_bad_16q_epoch_microseconds_are_read_and_a_wrong_unit_is_a_counted_rejection(tmp_path):
    """GA4's event_timestamp counts microseconds: no format read it, and time_format='unix' on it
    stopped the load with DuckDB's "Epoch seconds out of range" (no file, no column, no fix)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    us = [1710000000123456, 1710003600000000]
    pq.write_table(pa.table({"user_pseudo_id": ["a", "b"], "event_timestamp": us, "event_name": ["v", "w"]}),
                   tmp_path / "ga4.parquet")
    cols = {"customer_id": "user_pseudo_id", "timestamp": "event_timestamp", "event": "event_name"}
    ev = load_events(tmp_path / "ga4.parquet", columns=cols, time_format="unix_us")
    assert ev.to_pandas()["timestamp"].tolist() == [pd.Timestamp(u, unit="us") for u in us]
    wrong = load_events(tmp_path / "ga4.parquet", columns=cols, time_format="unix")      # no crash
    r = reasons(wrong)["implausible timestamp (before 1900 or after 2100)"]
    assert r.n == 2 and "check the unit" in r.fix and "unix_us: microseconds" in r.fix
    check_identity(wrong)


def test_bad_16r_thumbs_ratings_are_the_ends_of_the_scale(tmp_path):
    """Zendesk's CSAT export rates Good or Bad: all 905 ratings of a helper's export were left
    blank, the complaints fell back to the text score, and the curve moved (+1.05 against +0.86).
    Good/bad, satisfied/unsatisfied and thumbs read as 5 and 1; other words stay blank, with a
    fix that names what is read."""
    rated = ["Good", "bad", "\U0001f44d", "\U0001f44e\U0001f3fd", "Satisfied", "meh", "3"]
    fb = load_feedback(pd.DataFrame({"feedback_id": [f"F{i}" for i in range(7)], "customer_id": "c",
                                     "timestamp": "2024-03-01", "text": "x", "rating": rated}))
    got = fb.to_pandas()["rating"].tolist()
    assert got[:5] + got[6:] == [5.0, 1.0, 5.0, 1.0, 5.0, 3.0] and pd.isna(got[5])
    notes = " ".join(fb.accounting.notes)
    assert "read as 5 and 1" in notes and "good/bad" in notes and "left blank, the row kept" in notes
    check_identity(fb)



def test_good_bad_ratings_get_their_own_count_apart_from_stars():
    """The note on ratings written in words counted stars and thumbs together; thumbs are the ends
    of the scale, which the report says under the emotion curve, so they have a note of their own
    that ends with THUMBS_HINT and counts only them (D107)."""
    from jmtools.sources import THUMBS_HINT

    rated = ["Good", "4/5", "\u2605\u2605\u2605", "\U0001f44e\U0001f3fd", "bad", "3", "meh"]
    fb = load_feedback(pd.DataFrame({"feedback_id": [f"F{i}" for i in range(7)], "customer_id": "c",
                                     "timestamp": "2024-03-01", "text": "x", "rating": rated}))
    notes = fb.accounting.notes
    thumbs = [n for n in notes if n.endswith(THUMBS_HINT)]
    assert thumbs == ["3 ratings written as good/bad or thumbs up/down " + THUMBS_HINT]
    assert "2 ratings written as stars or out of 5 (4/5, 4 stars, \u2605\u2605\u2605\u2605) read as the number of stars" in notes
    stars_only = load_feedback(pd.DataFrame({"feedback_id": ["a", "b"], "customer_id": "c",
                                             "timestamp": "2024-03-01", "text": "x", "rating": ["4/5", "2 stars"]}))
    assert not [n for n in stars_only.accounting.notes if n.endswith(THUMBS_HINT)]

QUALTRICS = ("StartDate,ResponseId,ExternalReference,Q1,Q2,Q3_TEXT\n"
             "Start Date,Response ID,External Data Reference,How likely are you to recommend us?,"
             "How satisfied were you?,Why?\n"
             '"{""ImportId"":""startDate""}","{""ImportId"":""_recordId""}","{""ImportId"":""extRef""}",'
             '"{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3_TEXT""}"\n'
             "2024-03-01 10:00:00,R_1,c1,9,4,Great\n2024-03-02 11:00:00,R_2,c2,3,,Slow\n"
             "2024-03-03 12:00:00,R_3,c3,,5,\n")


def test_surveys_with_one_column_per_question_become_one_row_per_answer(tmp_path):
    """Qualtrics, SurveyMonkey, Typeform and Google Forms export a column per question, and an
    NPS tool a Score column with no metric: every report stopped on "required column 'metric'
    is missing" with fixes no report could follow. metrics= (or loading.yaml) names the columns;
    blank answers are no rows; Qualtrics' two extra header lines are counted rejections."""
    path = write(tmp_path, "surveys.csv", QUALTRICS)
    sv = load_surveys(path, columns={"customer_id": "ExternalReference", "timestamp": "StartDate"},
                      metrics={"nps": "Q1", "csat": "Q2"})
    got = sv.to_pandas()[["customer_id", "metric", "score"]].values.tolist()
    assert got == [["c1", "nps", 9.0], ["c1", "csat", 4.0], ["c2", "nps", 3.0], ["c3", "csat", 5.0]]
    assert list(reasons(sv)["unparseable timestamp"].lines) == [2, 3]
    assert "one row per answer, from the columns 'Q1' (nps), 'Q2' (csat)" in sv.accounting.notes[0]
    check_identity(sv)
    score_only = write(tmp_path, "d.csv", "Person Email,Score,Created At\na@x,10,2024-03-01\nb@x,4,2024-03-02\n")
    nps = load_surveys(score_only, columns={"customer_id": "Person Email", "timestamp": "Created At"},
                       metrics={"nps": "Score"}).to_pandas()
    assert nps[["metric", "score"]].values.tolist() == [["nps", 10.0], ["nps", 4.0]]
    with pytest.raises(DataError) as err:
        load_surveys(path, metrics={"nps": "Q_1", "wow": "Q2"})
    said = " ".join(f"{p.message} {p.fix}" for p in err.value.problems)
    assert "'Q_1' for nps" in said and "did you mean 'Q1'?" in said and "'wow', which has no scale" in said
    with pytest.raises(DataError, match="already one row per answer"):
        load_surveys(write(tmp_path, "l.csv", "customer_id,timestamp,metric,score\nc,2024-01-01,nps,9\n"),
                     metrics={"nps": "score"})
    with pytest.raises(ParameterError, match="metrics"):
        load_events(write(tmp_path, "e.csv", EVENTS), metrics={"nps": "event"})
    with pytest.raises(ParameterError, match="metrics"):
        load_surveys(path, metrics=["Q1"])


def test_bad_17_unknown_encoding_name(tmp_path):
    with pytest.raises(ParameterError, match="encoding"):
        load_events(write(tmp_path, "e.csv", EVENTS), encoding="klingon-8")


def test_bad_18_malformed_lines_are_counted_and_later_lines_stay_right(tmp_path):
    text = EVENTS + "\nc3,2024-01-01,view,EXTRA\nc4,bad,view\n"
    ev = load_events(write(tmp_path, "e.csv", text))
    rs = reasons(ev)
    assert list(rs["malformed line (too many columns)"].lines) == [5]
    assert list(rs["unparseable timestamp"].lines) == [6]
    assert ev.accounting.rows_read == 5
    check_identity(ev)


BROKEN_QUOTES = "\n".join([
    "feedback_id,customer_id,timestamp,text,rating",
    'F1,101,2024-03-15 02:01:00,"Love it, will buy again",5',            # line 2
    'F2,102,2024-03-15 06:38:00,"Great shoes, fast checkout",4',         # line 3
    'F3,103,2024-03-15 07:00:00,"He said "terrible" and left,1',         # line 4: quote inside
    "F4,104,2024-03-05 03:30:00,Delivery was late,2",                    # line 5
    'F5,105,2024-03-15 08:00:00,"unclosed quote here,2',                 # line 6: not closed
    "F6,106,2024-03-15 12:56:00,The size chart is confusing,2",          # line 7: read into 6
    'F7,107,2024-03-11 03:54:00,"Payment failed, twice",1',              # line 8: read into 6
    'F8,108,2024-03-12 14:01:00,"Slow, but fine",3',                     # line 9
    'F9,109,yesterday,"Fine, thanks",4',                                 # line 10: bad time
    'F10,110,2024-03-12 15:00:00,"Good, really",5',                      # line 11
]) + "\n"


def test_bad_18b_one_broken_quote_does_not_reject_every_quoted_line(tmp_path):
    """DuckDB guesses "no quote character" from a sample with one broken quote and then refuses
    every good line with a quoted comma; the file is read again with ``"`` as the quote. Only
    the broken lines are rejected, and the lines of the rest stay right."""
    fb = load_feedback(write(tmp_path, "f.csv", BROKEN_QUOTES))
    kept = fb.to_pandas()
    assert kept["feedback_id"].tolist() == ["F1", "F2", "F4", "F8", "F10"]
    assert kept["text"].tolist()[:2] == ["Love it, will buy again", "Great shoes, fast checkout"]
    rs = reasons(fb)
    inside = [r for k, r in rs.items() if "quote inside a quoted value" in k]
    spans = [r for k, r in rs.items() if "quote not closed on its line" in k]
    assert [list(r.lines) for r in inside] == [[4]] and [list(r.lines) for r in spans] == [[6]]
    assert list(rs["unparseable timestamp"].lines) == [10]
    assert any('read with " as the quote character' in n and "keeps 6" in n
               for n in fb.accounting.notes)
    check_identity(fb)
    # independently: the lines Python's csv module reads as five fields with balanced quotes
    good = [ln for ln in BROKEN_QUOTES.splitlines()[1:] if ln.count('"') in (0, 2)
            and len(next(csv.reader([ln]))) == 5]
    assert {ln.split(",")[0] for ln in good} - {"F6", "F7", "F9"} == set(kept["feedback_id"])


def test_bad_18c_the_quote_retry_keeps_the_delimiter_and_respects_the_users_options(tmp_path):
    semi = BROKEN_QUOTES.replace(",", ";").replace('"Love it; will', '"Love it; will')
    fb = load_feedback(write(tmp_path, "s.csv", semi))
    assert fb.to_pandas()["feedback_id"].tolist() == ["F1", "F2", "F4", "F8", "F10"]
    # a quote the user chose is the user's: no second read
    told = load_feedback(write(tmp_path, "t.csv", BROKEN_QUOTES), read_options={"quote": "'"})
    assert not any("quote character" in n for n in told.accounting.notes)
    check_identity(told)
    # a ragged line in a file without quotes is read once, as before
    plain = load_events(write(tmp_path, "e.csv", EVENTS + "\nc3,2024-01-01,view,EXTRA\n"))
    assert not any("quote character" in n for n in plain.accounting.notes)


def test_bad_19_empty_file(tmp_path):
    with pytest.raises(DataError, match="empty"):
        load_events(write(tmp_path, "e.csv", ""))


def test_bad_20_file_not_found_suggests(tmp_path):
    write(tmp_path, "events.csv", EVENTS)
    with pytest.raises(DataError) as err:
        load_events(tmp_path / "event.csv")
    assert "events.csv" in err.value.problems[0].fix


def test_bad_21_unsupported_file_type(tmp_path):
    with pytest.raises(ParameterError, match="csv"):
        load_events(write(tmp_path, "e.xml", "<events/>"))
    with pytest.raises(DataError, match="required column 'customer_id' is missing"):
        load_events(write(tmp_path, "e.json", "{}"))          # JSON lines: one object, no keys


def test_bad_22_implausible_timestamp(tmp_path):
    ev = load_events(write(tmp_path, "e.csv", EVENTS + "\nc9,1800-01-01,view\n"))
    assert reasons(ev)["implausible timestamp (before 1900 or after 2100)"].n == 1


def test_bad_22b_time_zero_of_unix_clocks_is_a_missing_time(tmp_path):
    """An outside tester's export wrote an unknown time as 1970-01-01T00:00:00Z: it was kept as an
    event of 1970. It is now rejected and counted (a second later is a time like any other)."""
    ev = load_events(write(tmp_path, "e.csv", EVENTS + "\nc8,1970-01-01T00:00:00Z,view\nc9,1970-01-01,view"
                                               "\nc7,1970-01-01 00:00:01,view\n"))
    r = reasons(ev)["timestamp at 1970-01-01 00:00:00 (time zero of Unix clocks: a missing time)"]
    assert r.n == 2 and "blank" in r.fix
    assert "c7" in set(ev.to_pandas()["customer_id"]) and not {"c8", "c9"} & set(ev.to_pandas()["customer_id"])


def test_bad_23_decimal_comma_amount():
    od = load_orders(pd.DataFrame({"order_id": ["o1", "o2"], "customer_id": ["a", "b"],
                                   "timestamp": ["2024-01-01"] * 2, "amount": ["12,50", "3.5"]}))
    r = reasons(od)["unparseable amount"]
    assert list(r.examples) == ["12,50"] and "decimal" in r.fix


def test_bad_24_wrong_excel_sheet(tmp_path):
    pd.DataFrame({"customer_id": ["a"]}).to_excel(tmp_path / "c.xlsx", index=False)
    with pytest.raises(DataError, match="sheet"):
        load_customers(tmp_path / "c.xlsx", sheet="Customers")


def test_bad_25_on_error_raise_lists_every_reason(tmp_path):
    text = EVENTS + "\n,2024-01-01,view\nc3,never,view\n"
    with pytest.raises(DataError) as err:
        load_events(write(tmp_path, "e.csv", text), on_error="raise")
    msg = str(err.value)
    assert "missing customer_id" in msg and "unparseable timestamp" in msg and "line 6" in msg
    assert pickle.loads(pickle.dumps(err.value)).problems == err.value.problems


def test_bad_26_bad_parameters():
    df = pd.DataFrame({"customer_id": ["a"]})
    with pytest.raises(ParameterError, match="kind"):
        load_table(df, "event")
    with pytest.raises(ParameterError, match="on_error"):
        load_customers(df, on_error="ignore")
    with pytest.raises(ParameterError, match="columns"):
        load_customers(df, columns=["customer_id"])
    with pytest.raises(ParameterError, match="src"):
        load_customers({"customer_id": ["a"]})


def test_bad_27_missing_data_folder(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        load_world(tmp_path / "nope")
    with pytest.raises(DataError, match="no table files"):
        load_world(tmp_path)


def test_a_folder_of_zipped_exports_says_to_unzip_them(tmp_path):
    """events.jsonl.zip and orders.csv.zip, as exports come: "no table files" said nothing of them."""
    import zipfile

    from jmtools.sources import unread_fix

    for name, inside in (("events.jsonl.zip", "events.jsonl"), ("orders.csv.zip", "orders.csv")):
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            z.writestr(inside, "customer_id\n")
    with pytest.raises(DataError) as err:
        load_world(tmp_path)
    said = str(err.value)
    assert "events.jsonl.zip is a zip archive, which is not read: unzip it into the folder (the events.jsonl " \
           "inside is read as it is)" in said and "orders.csv.zip is a zip archive" in said, said
    write(tmp_path, "customers.csv", "customer_id\na\n")
    assert load_world(tmp_path).unread == ["events.jsonl.zip", "orders.csv.zip"]
    assert unread_fix("events.tar").startswith("is a tar archive, which is not read: unpack it")
    # beside the table it holds: unzipping would replace what is read
    assert unread_fix("customers.csv.zip", read_from="customers.csv") == \
        "is a zip archive, which is not read: the customers table is read from customers.csv."


def test_an_export_zip_of_tables_is_named_with_the_tables_inside(tmp_path):
    """export.zip holding orders.csv and customers.csv was passed over without a word."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "export.zip", "w") as z:
        z.writestr("export/orders.csv", "order_id\n")
        z.writestr("export/customers.csv", "customer_id\n")
        z.writestr("export/readme.txt", "x")
    (tmp_path / "photos.zip").write_bytes(b"not a zip at all")
    with pytest.raises(DataError) as err:
        load_world(tmp_path)
    assert "export.zip is a zip archive, which is not read: unzip it into the folder (the orders.csv, " \
           "customers.csv inside are read as they are)" in str(err.value)
    assert "photos.zip" not in str(err.value)


def test_accounting_text_names_lines_and_fix(tmp_path):
    ev = load_events(write(tmp_path, "events.csv", EVENTS + "\nc3,yesterday,view\n"))
    text = str(ev.accounting)
    assert "4 rows read = 3 used + 1 rejected" in text
    assert "lines 5" in text and "Fix:" in text
    assert ev.accounting.problems()[0].line == 5


@pytest.mark.parametrize("name", ["ecommerce", "b2b"])
def test_sample_worlds_load_completely(name):
    from pathlib import Path

    from jmtools.sample_worlds import load_truths, truths_path

    folder = Path(__file__).resolve().parents[1] / "data" / name
    if not truths_path(name).exists():
        pytest.skip(f"sample world {name} not generated yet")
    truths = load_truths(name)
    world = load_world(folder)
    assert world.journey is not None
    acc = world.accounting.set_index("kind")
    for kind, info in truths["tables"].items():
        if kind in acc.index:
            assert acc.loc[kind, "rows_read"] == info["rows"], kind
            assert acc.loc[kind, "rows_rejected"] == 0, kind


def test_ibis_tables_on_duckdb_are_validated_in_place():
    import ibis

    from jmtools.core.engine import default_connection

    con = default_connection()
    t = con.create_table("raw_events_for_test", pd.DataFrame({
        "customer_id": ["a", None], "timestamp": ["2024-01-01 10:00:00", "2024-01-01 11:00:00"],
        "event": ["x", "y"]}), overwrite=True)
    ev = load_events(t)
    assert ev.accounting.rows_used == 1 and ev.accounting.reasons["reason"].tolist() == ["missing customer_id"]
    assert ev.to_pandas()["timestamp"].iloc[0] == datetime(2024, 1, 1, 10)
    mem = load_events(ibis.memtable({"customer_id": ["b"], "timestamp": ["2024-01-02"], "event": ["z"]}))
    assert mem.accounting.rows_used == 1


def test_optional_columns_can_be_left_out():
    df = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"], "event": ["x"],
                       "channel": ["web"], "value": ["3.5"], "campaign": ["spring"]})
    assert load_events(df, optional=False).columns == ("customer_id", "timestamp", "event", "_row",
                                                       "_dated")     # its time is a date alone (D140)
    assert "campaign" in load_events(df).columns
    assert load_events(df, optional=["value"]).to_pandas()["value"].iloc[0] == 3.5


def test_polars_frames_load_like_pandas():
    pl = pytest.importorskip("polars", reason="polars is optional")
    df = pl.DataFrame({"customer_id": ["a", "b", ""], "timestamp": ["2024-01-01 10:00:00", "bad", "2024-01-02"],
                       "event": ["x", "y", "z"]})
    ev = load_events(df)
    assert ev.accounting.rows_used == 1
    assert sorted(ev.accounting.reasons["reason"]) == ["missing customer_id", "unparseable timestamp"]
    assert list(ev.accounting.reasons.set_index("reason").loc["unparseable timestamp", "lines"]) == [2]


def test_load_world_takes_a_sample_name_from_any_working_directory(tmp_path, monkeypatch):
    from jmtools.core.resources import data_dir

    monkeypatch.chdir(tmp_path)
    world = load_world("sample:b2b", options={"events": {}})
    assert world.folder == data_dir() / "b2b" and world.journey is not None
    with pytest.raises(ParameterError, match="sample:ecommerce"):
        load_world("b2b")


def _export(tmp_path, loading: str | None) -> "Path":
    out = tmp_path / "export"
    out.mkdir(exist_ok=True)
    write(out, "events.csv", "User;When;What\nu1;01.03.2024 10:00;view\nu2;02.03.2024 11:00;buy\n")
    if loading is not None:
        write(out, "loading.yaml", loading)
    return out


def test_loading_yaml_gives_a_folders_tables_their_loader_options(tmp_path):
    """The options a report cannot take (columns=, tz=, …) written once beside the files; a
    note says so; options= given in Python win; the tables cache key follows the file."""
    from jmtools.pipeline._tables_cache import tables_key
    from jmtools.sources import SPECS

    path = _export(tmp_path, "events:\n  columns: {customer_id: User, timestamp: When, event: What}\n"
                             "  tz: Europe/Berlin\n")
    events = load_world(path).tables["events"]
    assert events.to_pandas()["timestamp"].tolist() == [pd.Timestamp("2024-03-01 09:00"),
                                                        pd.Timestamp("2024-03-02 10:00")]
    assert events.accounting.notes[0] == "read with columns, tz from loading.yaml"
    utc = load_world(path, options={"events": {"tz": "UTC"}}).tables["events"].to_pandas()
    assert utc["timestamp"].iloc[0] == pd.Timestamp("2024-03-01 10:00")
    write(path, "customers.csv", "customer_id,age\nu1,30\n")
    key = tables_key(load_world(path, defer=tuple(SPECS)))
    write(path, "loading.yaml", "events: {columns: {customer_id: User, timestamp: When, event: What}}\n"
                                "customers: {optional: false}\n")
    assert tables_key(load_world(path, defer=tuple(SPECS))) != key


@pytest.mark.parametrize("text, message, line, fix", [
    ("event:\n  tz: UTC\n", "'event' is not a table", 1, "did you mean 'events'?"),
    ("events:\n  tz: UTC\n  timeformat: '%d'\n", "'timeformat' is not a loader option", 3,
     "did you mean 'time_format'?"),
    ("events:\n  columns: [User, When]\n", "columns must be a mapping", 2, "columns: {timestamp: Zeitstempel}"),
    ("events:\n  sheet: true\n", "sheet must be a sheet name or number", 2, "sheet: Export"),
    ("events:\n  metrics: {nps: Q1}\n", "metrics is for surveys only, not events", 2, "surveys:"),
    ("events:\n  constants:\n    channel: [web, app]\n", "constants.channel: a list, not one value", 3,
     "constants: {touchpoint: checkout_page}"),
    ("events:\n  constants:\n    chanel: web\n", "constants.chanel: not a column of events (did you mean 'channel'?)",
     3, "for a column of events the file lacks"),
    ("events:\n  constants: web\n", "constants must be a mapping", 2, "constants: {touchpoint: checkout_page}"),
    ("surveys:\n  values:\n    metric: {Q1: nps}\n", "values.metric: not a stage or touchpoint column of surveys",
     3, "values: {stage: {Onboarding survey: Activation}}"),                    # D192
    ("surveys:\n  values: {stage: [Activation]}\n", "values must be a mapping of stage, touchpoint or initiated_by", 2,
     "values: {stage: {Onboarding survey: Activation}}"),
    ("events:\n  values:\n    initiated_by:\n      BANK: bank\n",                   # D204
     "values.initiated_by.BANK: 'bank' is neither company nor customer", 4,
     "values: {initiated_by: {BANK: company}}"),
    ("customers:\n  values:\n    initiated_by: {BANK: company}\n",
     "values.initiated_by: not renamed: customers has no column values renames", 3, "who started an event"),
    ("events: UTC\n", "events must be a mapping of options", 1, "indent the options"),
    ("events:\n  tz: [UTC\n", "not valid YAML", None, "plain YAML only"),
    ("events: !!python/object:os.system {}\n", "not valid YAML", None, "no tags"),
    ("- events\n", "must map table names to their options, got list", 1, "start with a table name"),
    ("events:\n  tz: UTC\n  tz: CET\n", "not valid YAML", 3, "plain YAML only"),
])
def test_bad_loading_yaml_is_a_located_error(tmp_path, text, message, line, fix):
    path = _export(tmp_path, text)
    with pytest.raises(DataError) as err:
        load_world(path)
    p = err.value.problems[0]
    assert message in p.message and fix in p.fix and p.source.endswith("loading.yaml")
    if line:
        assert p.line == line
    assert len(str(err.value)) < 2000


@pytest.mark.parametrize("as_frame", [False, True])
def test_non_finite_amounts_are_counted_rejections_with_their_lines(tmp_path, as_frame):
    """NaN, inf and 1e309 would turn every mean into NaN or inf: rejected, counted, located."""
    import math

    from jmtools.sources import load_orders

    rows = [("o1", "c1", "2024-01-01 10:00", "10.5"), ("o2", "c1", "2024-01-02 10:00", "nan"),
            ("o3", "c2", "2024-01-03 10:00", "inf"), ("o4", "c2", "2024-01-04 10:00", "1e309"),
            ("o5", "c3", "2024-01-05 10:00", "-inf"), ("o6", "c3", "2024-01-06 10:00", "2")]
    if as_frame:
        src = pd.DataFrame(rows, columns=["order_id", "customer_id", "timestamp", "amount"])
        src["amount"] = src["amount"].astype(float)
    else:
        src = tmp_path / "orders.csv"
        src.write_text("order_id,customer_id,timestamp,amount\n"
                       + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    loaded = load_orders(src)
    used = loaded.to_pandas()
    assert sorted(used["order_id"]) == ["o1", "o6"]
    assert all(math.isfinite(v) for v in used["amount"])
    acc = loaded.accounting
    assert (acc.rows_read, acc.rows_used, acc.rows_rejected) == (6, 2, 4)
    text = str(acc)
    assert "non-finite amount" in text and ("lines 4, 5, 6" in text or as_frame)
    if not as_frame:      # "nan" written as text is pandas' word for no value: a missing amount
        assert "missing amount [column 'amount'; lines 3]" in text


def test_frames_with_duplicate_or_non_text_column_labels():
    """Duplicate labels are a located error (not an AttributeError); integer labels can be mapped."""
    from jmtools.core.errors import DataError
    from jmtools.sources import load_orders

    row = ["o1", "c1", "2024-01-01", 1.0]
    twice = pd.DataFrame([row + [2.0]], columns=["order_id", "customer_id", "timestamp", "amount", "amount"])
    with pytest.raises(DataError, match="several columns named 'amount'") as err:
        load_orders(twice)
    assert "duplicated" in str(err.value)
    numbered = pd.DataFrame([row], columns=["order_id", "customer_id", "timestamp", 3])
    assert load_orders(numbered, columns={"amount": "3"}).to_pandas()["amount"].tolist() == [1.0]


def test_a_value_over_the_csv_line_limit_keeps_duckdbs_diagnosis_and_a_fix_that_works(tmp_path):
    """A 5 MB feedback cell: the message says the line limit was exceeded (not "check the
    delimiter"), and the fix it gives loads the file."""
    import re as _re

    from jmtools.core.errors import DataError
    from jmtools.sources import load_feedback

    path = tmp_path / "feedback.csv"
    path.write_text("feedback_id,customer_id,timestamp,text\nf1,c1,2024-01-01,hello\n"
                    f'f2,c2,2024-01-02,"{"x" * 5_000_000}"\nf3,c3,2024-01-03,bye\n', encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_feedback(path)
    text = str(err.value)
    assert "Maximum line size" in text and "check the delimiter" not in text and len(text) < 2000
    size = int(_re.search(r"'max_line_size': (\d+)", text).group(1))
    loaded = load_feedback(path, read_options={"max_line_size": size})
    assert loaded.accounting.rows_used == 3


@pytest.mark.parametrize("stored", ["int64", "float", "bool"])
def test_parquet_times_stored_as_numbers_are_counted_rejections_not_used_nulls(tmp_path, stored):
    from jmtools.sources import load_events

    seconds = [1704067200, 1704153600, 1704240000]
    values = {"int64": seconds, "float": [float(s) for s in seconds], "bool": [True, False, True]}[stored]
    path = tmp_path / "events.parquet"
    pd.DataFrame({"customer_id": ["a", "b", "c"], "timestamp": values, "event": ["x", "y", "z"]}).to_parquet(path)
    loaded = load_events(path)
    acc = loaded.accounting
    assert (acc.rows_read, acc.rows_used, acc.rows_rejected) == (3, 0, 3)
    assert "not as a time" in str(acc) and "time_format='unix'" in str(acc)
    if stored != "bool":   # the fix the message gives works
        fixed = load_events(path, time_format="unix").to_pandas()
        assert fixed["timestamp"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-02", "2024-01-03"]


@pytest.mark.parametrize("kind, column, values", [
    ("surveys", "score", pd.to_datetime(["2024-01-01", "2024-01-02"])),
    ("orders", "amount", [[1.0], [2.0]]),
    ("orders", "amount", [{"x": 1.0}, {"x": 2.0}]),
    ("events", "timestamp", [[1, 2], [3]]),
    ("events", "event", [{"a": 1}, {"a": 2}]),
    ("events", "customer_id", [b"\x00\x01", b"\x02"]),
])
def test_a_column_stored_with_an_impossible_type_is_one_located_error(tmp_path, kind, column, values):
    """Parquet keeps types: a score stored as a timestamp or an amount as a list cannot be cast."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from jmtools.core.errors import DataError
    from jmtools.sources import load_table

    base = {"customer_id": ["a", "b"], "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])}
    extra = {"surveys": {"metric": ["csat", "csat"], "score": [4, 5]},
             "orders": {"order_id": ["1", "2"], "amount": [1.0, 2.0]},
             "events": {"event": ["view", "buy"]}}[kind]
    frame = {**base, **extra, column: values}
    path = tmp_path / f"{kind}.parquet"
    pq.write_table(pa.table(frame), path)
    with pytest.raises(DataError) as caught:
        load_table(path, kind)
    problem = caught.value.problems[0]
    assert problem.column == column and "stored as" in problem.message and problem.fix


# ---------------------------------------------------------------- any pandas frame a user holds

def _frames():
    """One small frame per kind, with numbers, booleans and times (the columns pandas lays out
    in blocks that slicing can reverse), each with a few rows."""
    import numpy as np

    when = pd.to_datetime(["2024-03-01 09:00", "2024-03-02 10:30", "2024-03-02 11:00", "2024-03-04 08:15"])
    ids = ["c1", "c1", "c2", "c3"]
    return {
        "events": pd.DataFrame({"customer_id": ids, "timestamp": when, "event": ["view", "cart", "view", "buy"],
                                "value": [1.5, 2.0, np.nan, 4.0], "items": [1, 2, 3, 4]}),
        "customers": pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"], "age": [31, 45, 27, 60],
                                   "vip": [True, False, True, False], "signup": when}),
        "surveys": pd.DataFrame({"customer_id": ids, "timestamp": when, "metric": ["csat"] * 4,
                                 "score": [5, 4, 3, 1]}),
        "feedback": pd.DataFrame({"feedback_id": ["f1", "f2", "f3", "f4"], "customer_id": ids,
                                  "timestamp": when, "text": ["ok", "slow", "fine", "bad"],
                                  "rating": [4.0, 2.0, 3.0, 1.0]}),
        "orders": pd.DataFrame({"order_id": ["o1", "o2", "o3", "o4"], "customer_id": ids, "timestamp": when,
                                "amount": [10.0, 20.5, 3.25, 99.0], "items": [1, 2, 1, 5]}),
        "tickets": pd.DataFrame({"ticket_id": ["t1", "t2", "t3", "t4"], "customer_id": ids, "timestamp": when,
                                 "closed_timestamp": when + pd.Timedelta(hours=5)}),
    }


_LOADERS = {"events": load_events, "customers": load_customers, "surveys": load_surveys,
            "feedback": load_feedback, "orders": load_orders}

#: What a pandas user does to a frame before passing it; each must load like a fresh copy.
_LAYOUTS = {
    "reversed": lambda d: d.iloc[::-1],
    "every other, backwards": lambda d: d.iloc[::-2],
    "rows picked out of order": lambda d: d.iloc[[3, 0, 2, 1]],
    "filtered (gappy index)": lambda d: d[d.index != 1],
    "text index": lambda d: d.set_axis(list("wxyz")),
    "reversed categoricals": lambda d: d.astype({c: "category" for c in d.columns
                                                 if d[c].dtype == object}).iloc[::-1],
    "reversed nullable dtypes": lambda d: d.convert_dtypes().iloc[::-1],
    "reversed Arrow dtypes": lambda d: d.convert_dtypes(dtype_backend="pyarrow").iloc[::-1],
    "reversed, times with a zone": lambda d: d.apply(
        lambda s: s.dt.tz_localize("UTC").dt.tz_convert("Europe/Berlin")
        if s.dtype.kind == "M" else s).iloc[::-1],
}


def _contiguous(frame):
    """The workaround users had to find: a fresh copy, in the order of the frame, default index."""
    out = frame.reset_index(drop=True).copy(deep=True)
    for col in out.columns:
        if str(out[col].dtype).startswith("datetime64[ns,"):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


@pytest.mark.parametrize("layout", list(_LAYOUTS))
@pytest.mark.parametrize("kind", list(_LOADERS) + ["tickets"])
def test_any_pandas_frame_loads_like_a_fresh_copy(kind, layout):
    """A reversed, sliced, filtered or re-indexed frame (numpy, nullable, Arrow, categorical or
    zoned columns) loads the rows it shows, in its order, like the fresh copy of it."""
    from jmtools.sources import load_tickets

    load = {**_LOADERS, "tickets": load_tickets}[kind]
    frame = _LAYOUTS[layout](_frames()[kind])
    loaded = load(frame)
    check_identity(loaded)
    expected = load(_contiguous(frame))
    assert loaded.accounting.rows_used == len(frame)
    got, want = loaded.table.execute(), expected.table.execute()
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    first = frame.columns[0]
    assert got[first].astype(str).tolist() == frame[first].astype(str).tolist()   # the frame's order


def test_a_named_index_is_a_column_and_an_unnamed_one_is_dropped():
    """``df.set_index("customer_id")`` loads (the index is data when it has a name); a default,
    unnamed or gappy index is not a column; a column of the same name wins over the index."""
    frame = _frames()["customers"]
    by_id = load_customers(frame.set_index("customer_id")).to_pandas()
    assert by_id["customer_id"].tolist() == ["c1", "c2", "c3", "c4"]
    assert set(by_id.columns) == {"customer_id", "age", "vip", "signup"}
    events = _frames()["events"]
    two = load_events(events.set_index(["customer_id", "timestamp"]).iloc[::-1]).table.execute()
    assert two["customer_id"].tolist() == ["c3", "c2", "c1", "c1"]
    same = load_customers(frame.set_index(frame["customer_id"].rename("customer_id"))).to_pandas()
    assert same.columns.tolist().count("customer_id") == 1


@pytest.mark.parametrize("odd", ["sparse", "complex"])      # an Interval is read as text (D108)
def test_a_reversed_frame_with_a_column_duckdb_cannot_scan_names_only_that_column(odd):
    """Any dtype the engine cannot read is named with its dtype, and no other column is blamed."""
    import numpy as np

    values = {"sparse": pd.arrays.SparseArray([1, 0, 0, 2]), "complex": np.array([1j, 2, 3, 4])}[odd]
    frame = _frames()["events"].assign(extra=values).iloc[::-1]
    with pytest.raises(DataError) as err:
        load_events(frame)
    said, fix = str(err.value).split("Fix:")
    assert f"column 'extra' ({frame['extra'].dtype})" in said and "'timestamp'" not in said
    assert "astype(str)" in fix
    assert load_events(frame.drop(columns="extra")).accounting.rows_used == 4   # the fix works


def test_flattened_multiindex_labels_get_a_mapping_that_loads():
    """Labels flattened from a MultiIndex ('a_customer_id') are named in the error with the
    mapping to pass, and that mapping loads the reversed frame."""
    frame = _frames()["events"][["customer_id", "timestamp", "event"]]
    frame.columns = ["_".join(c) for c in [("a", "customer_id"), ("a", "timestamp"), ("b", "event")]]
    with pytest.raises(DataError) as err:
        load_events(frame.iloc[::-1])
    assert "columns={'customer_id': 'a_customer_id'}" in str(err.value)
    mapping = {"customer_id": "a_customer_id", "timestamp": "a_timestamp", "event": "b_event"}
    assert load_events(frame.iloc[::-1], columns=mapping).to_pandas()["customer_id"].tolist() == [
        "c3", "c2", "c1", "c1"]


def test_a_folder_finds_tables_in_any_case_and_reads_the_newest_of_several(tmp_path):
    """Events.CSV and a tab-separated events.txt were not found ("No events in this folder");
    a fresh events.csv beside last month's events.parquet was ignored for the Parquet file
    without a word. Excel's lock file is not a table."""
    import os

    from jmtools.sources import table_files

    old = tmp_path / "events.parquet"
    pd.DataFrame({"customer_id": ["old"], "timestamp": pd.to_datetime(["2024-01-01"]),
                  "event": ["view"]}).to_parquet(old)
    os.utime(old, (1_700_000_000, 1_700_000_000))
    write(tmp_path, "Events.CSV", EVENTS)
    write(tmp_path, "~$events.xlsx", "lock")
    write(tmp_path, "customers.txt", "customer_id\tage\nc1\t30\nc2\t40\n")
    world = load_world(tmp_path)
    assert world.tables["events"].source == "Events.CSV"
    assert sorted(world.tables["events"].to_pandas()["customer_id"].unique()) == ["c1", "c2"]
    assert any("not read: events.parquet" in n for n in world.tables["events"].accounting.notes)
    assert world.tables["customers"].to_pandas()["age"].tolist() == [30, 40]
    assert [p.name for p in table_files(tmp_path, "events")] == ["Events.CSV", "events.parquet"]


def test_ids_written_by_a_float_column_join_the_ids_written_as_whole_numbers(tmp_path):
    """A customer table with ids 1, 2 and events exported from a pandas float column (1.0,
    2.0): every customer was "(not in customer table)". A decimal id that is not whole stays."""
    ev = load_events(write(tmp_path, "e.csv", "customer_id,timestamp,event\n1.0,2024-01-01,view\n"
                                              "2.0,2024-01-01,view\n2.5,2024-01-01,view\nv1.0,2024-01-01,view\n"))
    cu = load_customers(write(tmp_path, "c.csv", "customer_id,age\n1,30\n2,40\n2.0,41\n"))
    assert ev.to_pandas()["customer_id"].tolist() == ["1", "2", "2.5", "v1.0"]
    assert cu.to_pandas()["customer_id"].tolist() == ["1", "2"]
    assert list(reasons(cu)["duplicate customer_id"].lines) == [4]       # 2.0 is customer 2 again


def test_a_repeated_header_line_is_a_counted_row_not_a_customer(tmp_path):
    """Two exports joined together repeat the header: the line was a customer called
    'customer_id' and turned age into text, so every persona rule on age failed."""
    text = "customer_id,age,member\nc1,30,true\ncustomer_id,age,member\nc2,40,false\n"
    cu = load_customers(write(tmp_path, "c.csv", text))
    used = cu.to_pandas()
    assert used["customer_id"].tolist() == ["c1", "c2"] and used["age"].tolist() == [30, 40]
    assert used["member"].tolist() == [True, False]
    assert list(reasons(cu)["the header line repeated"].lines) == [3]
    check_identity(cu)
    ev = load_events(write(tmp_path, "e.csv", EVENTS + "\ncustomer_id,timestamp,event\nc3,2024-01-01,view\n"))
    assert list(reasons(ev)["the header line repeated"].lines) == [5] and len(ev.to_pandas()) == 4


def test_excels_sep_line_above_the_header_names_the_delimiter_and_lines_stay_right(tmp_path):
    """Excel writes "sep=;" above the header for other programs: it was read as the header
    ("required column 'order_id' is missing — input has 'sep='"). Line numbers count it, also
    when a quoted value spans lines and a broken quote makes the file be read again."""
    ev = load_events(write(tmp_path, "e.csv", "sep=;\r\ncustomer_id;timestamp;event\r\n"
                                              "c1;2024-01-01;view\r\nc2;bad;view\r\nc3;2024-01-01;view;x\r\n"))
    assert ev.to_pandas()["customer_id"].tolist() == ["c1"]
    rs = reasons(ev)
    assert list(rs["unparseable timestamp"].lines) == [4]
    assert list(rs["malformed line (too many columns)"].lines) == [5]
    assert any("line 1 ('sep=;" in n for n in ev.accounting.notes)
    check_identity(ev)
    fb = load_feedback(write(tmp_path, "f.csv", 'sep=,\nfeedback_id,customer_id,timestamp,text\n'
                                                'F1,c1,2024-01-01,"two\nlines"\nF2,c2,bad,x\n'
                                                'F3,c3,2024-01-01,"a, b"\nF4,c4,2024-01-01,"He said "no" ok\n'))
    assert fb.to_pandas()["text"].tolist() == ["two\nlines", "a, b"]
    rs = reasons(fb)
    assert list(rs["unparseable timestamp"].lines) == [5]
    assert [list(r.lines) for k, r in rs.items() if "quote inside" in k] == [[7]]
    check_identity(fb)


def test_ratings_written_as_stars_or_out_of_five_are_the_number_of_stars(tmp_path):
    """Review exports write 4/5, "4 stars" or ★★★★☆; each was a blank rating (the comment then
    scored by its text). Out of another scale (8/10) it stays unread, counted."""
    import unicodedata

    cells = ["4/5", "4.5 / 5", "4 stars", "1 Star", "\u2605\u2605\u2605\u2606\u2606", "\u2b50" * 5,
             "\u2b50\ufe0f\u2b50\ufe0f", "8/10", "3"]
    text = "feedback_id,customer_id,timestamp,text,rating\n" + "".join(
        f"F{i},c{i},2024-01-01,ok,{v}\n" for i, v in enumerate(cells))
    fb = load_feedback(write(tmp_path, "f.csv", text))
    got = fb.to_pandas()["rating"].tolist()
    # independently: the number before "/5" or "star", else the count of filled star characters
    def oracle(v):
        head = v.replace(" ", "").split("/")[0].lower().removesuffix("stars").removesuffix("star")
        if v.endswith(("/5", "/ 5")) or "star" in v.lower() or v.isdigit():
            return float(head)
        filled = sum(unicodedata.name(c, "") in ("BLACK STAR", "WHITE MEDIUM STAR") for c in v)
        return float(filled) if filled else None
    assert got[:7] + got[8:] == [oracle(v) for v in cells[:7] + cells[8:]]
    assert pd.isna(got[7])
    notes = " ".join(fb.accounting.notes)
    assert "7 ratings written as stars or out of 5" in notes and "unparseable rating (line 9)" in notes
    check_identity(fb)


def test_a_folder_of_parquet_files_named_for_its_table_is_the_table(tmp_path):
    """Spark and DuckDB write a table as a folder of parts (orders.parquet/part-0.parquet)."""
    parts = tmp_path / "orders.parquet"
    parts.mkdir()
    for i in range(2):
        pd.DataFrame({"order_id": [f"o{i}"], "customer_id": ["c1"], "timestamp": pd.to_datetime(["2024-01-01"]),
                      "amount": [10.0 + i]}).to_parquet(parts / f"part-{i}.parquet")
    write(tmp_path, "events.csv", EVENTS)
    world = load_world(tmp_path)
    assert sorted(world.tables["orders"].to_pandas()["amount"]) == [10.0, 11.0]


def test_rows_keep_the_files_order_every_time(tmp_path):
    """A placeholder check written as a long IN list became a join in DuckDB, whose parallel
    output put a survey table in another order one run in three, and with it every bootstrap
    interval of the emotion curve. Loaded eight times, the rows follow the file each time."""
    from pathlib import Path

    surveys = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "ecommerce" / "surveys.csv", dtype=str)
    big = pd.concat([surveys.assign(customer_id=surveys["customer_id"] + f"_{i}",
                                    survey_id=surveys["survey_id"] + f"_{i}") for i in range(4)])
    path = tmp_path / "surveys.csv"
    big.to_csv(path, index=False)
    for _ in range(8):
        assert load_surveys(path).to_pandas()["customer_id"].tolist() == big["customer_id"].tolist()


# ---------------------------------------------------------------- repeated header names (Jira)

JIRA = ("Summary,Issue key,Created,Labels,Labels,Custom field (Customer ID),Comment,Comment\n"
        "Size question,CS-1,2024-03-06 21:46,advice,chat,C1,thanks,closed\n"
        "Late parcel,CS-2,bad,delivery,,C2,on it,\n")
TICKET_COLUMNS = {"ticket_id": "Issue key", "customer_id": "Custom field (Customer ID)", "timestamp": "Created"}


def test_repeated_header_names_the_loader_does_not_need_are_kept_apart_as_pandas_does(tmp_path):
    """Jira Service Management writes one column per label and comment, under one name: the
    whole file was refused ("header names 'Labels', 'Comment' more than once"). The copies are
    read as pandas reads them (Labels, Labels.1), a note names them, the lines stay the file's."""
    path = write(tmp_path, "tickets.csv", JIRA)
    tk = load_tickets(path, columns={**TICKET_COLUMNS, "text": "Comment.1"})
    got = tk.to_pandas()
    assert got["labels"].tolist() == ["advice"] and got["labels_1"].tolist() == ["chat"]
    assert got["text"].tolist() == ["closed"] and got["comment"].tolist() == ["thanks"]
    assert ("the header names 'Labels' at header positions 4 and 5: read as 'Labels', 'Labels.1'; the header "
            "names 'Comment' at header positions 7 and 8: read as 'Comment', 'Comment.1'") in " ".join(tk.accounting.notes)
    assert list(reasons(tk)["unparseable timestamp"].lines) == [3]
    check_identity(tk)
    oracle = pd.read_csv(path, dtype=str)                    # the names pandas gives
    assert [c for c in oracle.columns if "." in c] == ["Labels.1", "Comment.1"]
    first = load_tickets(path, columns={**TICKET_COLUMNS, "text": "Comment.0"}).to_pandas()
    assert first["text"].tolist() == ["thanks"]


@pytest.mark.parametrize("text, columns, name, positions, fix", [
    (JIRA, {**TICKET_COLUMNS, "text": "Comment"}, "Comment", "4 and 5", "columns: {text: Comment.1}"),
    (JIRA.replace("Comment,Comment", "text,Text"), TICKET_COLUMNS, "text", "7 and 8", "columns: {text: Text.1}"),
    ("customer_id,timestamp,event,event\na,2024-01-01,view,buy\n", None, "event", "3 and 4",
     "columns: {event: event.1}"),
])
def test_a_repeated_header_name_the_table_needs_is_a_located_error(tmp_path, text, columns, name, positions, fix):
    kind = "events" if text.startswith("customer_id") else "tickets"
    with pytest.raises(DataError) as err:
        load_table(write(tmp_path, "t.csv", text), kind, columns=columns)
    p = err.value.problems[0]
    want = "7 and 8" if name == "Comment" else positions
    assert f"the header names {name!r} more than once (header positions {want})" in p.message
    assert p.line == 1 and fix in p.fix and p.source == "t.csv"


def test_repeated_header_names_below_skipped_lines_and_in_excel(tmp_path):
    """The error names the header's own line; Excel reads copies apart as CSV does."""
    path = write(tmp_path, "e.csv", "exported 2024-03-01\ncustomer_id,timestamp,event,event\na,2024-01-01,view,x\n")
    with pytest.raises(DataError) as err:
        load_events(path, read_options={"skip": 1})
    assert err.value.problems[0].line == 2
    assert load_events(path, read_options={"skip": 1}, columns={"event": "event.0"}).to_pandas()["event"].tolist() == ["view"]
    pytest.importorskip("openpyxl")
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["Report"], ["customer_id", "timestamp", "event", "Labels", "Labels"], ["a", "2024-01-01", "view", "advice", "chat"]):
        wb.active.append(row)
    wb.save(tmp_path / "e.xlsx")
    ev = load_events(tmp_path / "e.xlsx")
    assert ev.to_pandas()[["labels", "labels_1"]].values.tolist() == [["advice", "chat"]]
    with pytest.raises(DataError) as err:
        load_events(tmp_path / "e.xlsx", columns={"channel": "Labels"})
    assert err.value.problems[0].line == 2 and "Labels.1" in err.value.problems[0].fix


def test_read_options_that_replace_the_header_are_refused_with_the_way_to_do_it(tmp_path):
    """header: false and names (the workaround for repeated names) were refused with "the header
    names 'Question about…', '06/Mar/26 9:58 PM' more than once": the check read the first data
    row as the header. The loader reads the header itself: these options are refused, saying so."""
    path = write(tmp_path, "t.csv", JIRA)
    for options in ({"header": False, "names": ["a"] * 8}, {"skip": 1, "header": False}, {"names": ["a"] * 8}):
        with pytest.raises(ParameterError) as err:
            load_tickets(path, columns=TICKET_COLUMNS, read_options=options)
        assert "read_options" in str(err.value) and "columns: {text: Comment.1}" in str(err.value)
        assert "Size question" not in str(err.value)
    folder = tmp_path / "f"
    folder.mkdir()
    write(folder, "tickets.csv", JIRA)
    write(folder, "loading.yaml", "tickets:\n  columns: {ticket_id: Issue key}\n  read_options:\n    skip: 1\n"
                                  "    header: false\n")
    with pytest.raises(DataError) as err:
        load_world(folder)
    p = err.value.problems[0]
    assert p.source.endswith("loading.yaml") and p.line == 5 and "read_options.header is not taken" in p.message
    assert "Labels.1" in p.fix


# ---------------------------------------------------------------- constants

SURVEY_NO_PLACE = "customer_id,timestamp,metric,score\nc1,2024-03-01 10:00,csat,4\nc2,2024-03-02 11:00,csat,2\n"


def test_constants_give_a_column_the_file_lacks_one_value_read_like_a_column(tmp_path):
    """A Typeform or Hotjar form about one page names no touchpoint, an NPS tool no metric:
    constants= gives the column one value, typed, checked and noted like the file's own."""
    path = write(tmp_path, "surveys.csv", SURVEY_NO_PLACE)
    sv = load_surveys(path, constants={"touchpoint": "Checkout", "stage": "Decision"})
    got = sv.to_pandas()
    assert got[["touchpoint", "stage"]].values.tolist() == [["Checkout", "Decision"]] * 2
    assert got.columns.tolist()[:4] == ["customer_id", "timestamp", "metric", "score"]
    assert "the same value for every row (constants): touchpoint = 'Checkout', stage = 'Decision'" in sv.accounting.notes
    check_identity(sv)
    nps = write(tmp_path, "d.csv", "Person Email,Score,Created At\na@x,10,2024-03-01\nb@x,11,2024-03-02\n")
    d = load_surveys(nps, columns={"customer_id": "Person Email", "timestamp": "Created At", "score": "Score"},
                     constants={"metric": "nps"})
    assert d.to_pandas()[["metric", "score"]].values.tolist() == [["nps", 10.0]]
    assert list(reasons(d)["nps score outside 0–10"].lines) == [3]       # checked like the file's own
    lean = load_surveys(path, constants={"touchpoint": "Checkout"}, optional=False).to_pandas()
    assert "touchpoint" in lean.columns


def test_bad_constants_are_refused_where_they_were_given(tmp_path):
    path = write(tmp_path, "surveys.csv", SURVEY_NO_PLACE)
    for constants, words in [({"stag": "Decision"}, "stag: not a column of surveys (did you mean 'stage'?)"),
                             ({"customer_id": "c1"}, "customer_id: an id"),
                             ({"touchpoint": ["a", "b"]}, "touchpoint: a list, not one value"),
                             ({"touchpoint": True}, "touchpoint: a bool"),
                             ("Checkout", "a mapping of column names")]:
        with pytest.raises(ParameterError) as err:
            load_surveys(path, constants=constants)
        assert words in str(err.value)
    with pytest.raises(DataError) as err:
        load_surveys(write(tmp_path, "s.csv", SURVEY_NO_PLACE.replace("score", "score,Touchpoint")
                           .replace(",4", ",4,Checkout").replace(",2", ",2,Checkout")),
                     constants={"touchpoint": "Checkout"})
    p = err.value.problems[0]
    assert "but the input has the column 'Touchpoint'" in p.message and p.path == "constants.touchpoint"
    assert "remove touchpoint from constants" in p.fix
    with pytest.raises(DataError, match="columns maps it to the column 'metric'"):
        load_surveys(path, columns={"stage": "metric"}, constants={"stage": "Decision"})
    with pytest.raises(ParameterError, match="constants"):
        load_surveys(path, metrics={"csat": "score"}, constants=["touchpoint"])


def test_constants_in_loading_yaml_are_located_there(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    write(folder, "surveys.csv", SURVEY_NO_PLACE.replace("score\n", "score,stage\n").replace(",4\n", ",4,Decision\n")
          .replace(",2\n", ",2,Decision\n"))
    write(folder, "loading.yaml", "surveys:\n  constants:\n    touchpoint: Checkout\n    stage: Decision\n")
    with pytest.raises(DataError) as err:
        load_world(folder)
    p = err.value.problems[0]
    assert p.source.endswith("loading.yaml") and p.line == 4
    assert "constants gives stage one value, but the input has the column 'stage' (surveys) in surveys.csv" in p.message
    write(folder, "loading.yaml", "surveys:\n  constants:\n    touchpoint: Checkout\n")
    world = load_world(folder)
    assert world.surveys.to_pandas()["touchpoint"].tolist() == ["Checkout"] * 2
    assert world.surveys.accounting.notes[0] == "read with constants from loading.yaml"


# ---------------------------------------------------------------- amounts in cents (Stripe)

STRIPE = ("id,amount,currency,created,metadata.customer_id,metadata.order_id\n"
          "py_1,6109,eur,1786030133,C1,O1\npy_2,24294,eur,1779563797,C2,O2\n")
STRIPE_COLUMNS = {"order_id": "metadata.order_id", "customer_id": "metadata.customer_id", "timestamp": "created"}


def test_amounts_in_cents_are_divided_when_amount_unit_says_so(tmp_path):
    """Stripe writes 6109 for 61.09 EUR: read as written, every order value was 100 times too
    large (AOV 13,957 instead of 139.57), without a word."""
    path = write(tmp_path, "orders.csv", STRIPE)
    plain = load_orders(path, columns=STRIPE_COLUMNS, time_format="unix")
    assert plain.to_pandas()["amount"].tolist() == [6109.0, 24294.0]
    assert any("if the amounts are in cents" in n and "amount_unit: cents" in n for n in plain.accounting.notes)
    cents = load_orders(path, columns=STRIPE_COLUMNS, time_format="unix", amount_unit="cents")
    assert cents.to_pandas()["amount"].tolist() == [61.09, 242.94]
    assert "2 amounts divided by 100 (amount_unit: cents)" in cents.accounting.notes
    assert not any("if the amounts are in cents" in n for n in cents.accounting.notes)
    kwd = load_orders(path, columns=STRIPE_COLUMNS, time_format="unix", amount_unit="thousandths")
    assert kwd.to_pandas()["amount"].tolist() == [6.109, 24.294]
    wrong = load_orders(write(tmp_path, "o.csv", STRIPE.replace("6109", "61.09")), columns=STRIPE_COLUMNS,
                        time_format="unix", amount_unit="cents")
    assert "1 of them have decimals, which amounts in cents do not have: check amount_unit" in " ".join(
        wrong.accounting.notes)


@pytest.mark.parametrize("change", ["decimals", "float column", "no currency", "yen", "below 100"])
def test_no_cents_note_when_the_amounts_do_not_look_like_cents(tmp_path, change):
    text = {"decimals": STRIPE.replace("6109", "61.09"), "float column": STRIPE.replace("6109", "6109.0"),
            "no currency": STRIPE.replace(",currency", "").replace(",eur", ""),
            "yen": STRIPE.replace("eur", "JPY"), "below 100": STRIPE.replace("6109", "99")}[change]
    loaded = load_orders(write(tmp_path, "orders.csv", text), columns=STRIPE_COLUMNS, time_format="unix")
    assert not any("cents" in n for n in loaded.accounting.notes)


def test_no_cents_note_on_the_sample_worlds():
    for name in ("ecommerce", "b2b", "grocery"):
        assert not any("cents" in n for n in load_world(f"sample:{name}").orders.accounting.notes)


def test_a_bad_amount_unit_is_refused_where_it_was_given(tmp_path):
    path = write(tmp_path, "orders.csv", STRIPE)
    with pytest.raises(ParameterError, match="cents"):
        load_orders(path, columns=STRIPE_COLUMNS, amount_unit="dollars")
    with pytest.raises(ParameterError, match="amount_unit"):
        load_events(write(tmp_path, "e.csv", EVENTS), amount_unit="cents")
    folder = tmp_path / "f"
    folder.mkdir()
    write(folder, "orders.csv", STRIPE)
    for text, line, words in [("orders:\n  time_format: unix\n  amount_unit: 100\n", 3, "amount_unit must be units, cents"),
                              ("surveys:\n  amount_unit: cents\n", 2, "amount_unit is for orders only")]:
        write(folder, "loading.yaml", text)
        with pytest.raises(DataError) as err:
            load_world(folder)
        p = err.value.problems[0]
        assert p.source.endswith("loading.yaml") and p.line == line and words in p.message and p.fix


def test_a_repeated_question_named_in_metrics_is_a_located_error(tmp_path):
    """A survey tool that asks one question twice (two pages) writes its text twice: metrics=
    naming it took the first copy without a word; now it says so, and name.1 picks the second."""
    path = write(tmp_path, "s.csv", "customer_id,timestamp,How likely?,How likely?\nc1,2024-03-01,9,3\n")
    with pytest.raises(DataError) as err:
        load_surveys(path, metrics={"nps": "How likely?"})
    p = err.value.problems[0]
    assert "'How likely?' more than once (header positions 3 and 4)" in p.message and p.line == 1
    assert "metrics: {nps: How likely?.1}" in p.fix
    assert load_surveys(path, metrics={"nps": "How likely?.1"}).to_pandas()["score"].tolist() == [3.0]
    assert load_surveys(path, metrics={"nps": "How likely?.0"}).to_pandas()["score"].tolist() == [9.0]


GERMAN_WHOLE = ("order_id;customer_id;timestamp;amount\n1;a;2024-03-01;61\n2;b;2024-03-02;1.200\n"
                "3;c;2024-03-03;12.500\n4;d;2024-03-04;899\n5;e;2024-03-05;2.000.000\n")


def test_whole_amounts_with_thousands_dots_are_read_as_decimal_says(tmp_path):
    """German amounts without decimals (1.200 for twelve hundred) were read as 1.2 without a
    word: nothing in such a column tells the dot is no decimal point. A note says so now, and
    decimal=',' (decimal: "," in loading.yaml) reads them; '.' reads 1,200 as twelve hundred."""
    path = write(tmp_path, "orders.csv", GERMAN_WHOLE)
    plain = load_orders(path)
    assert plain.to_pandas()["amount"].tolist()[:4] == [61.0, 1.2, 12.5, 899.0]   # as written: a note says
    assert THOUSANDS_HINT in plain.accounting.notes and plain.accounting.rows_rejected == 1  # 2.000.000
    german = load_orders(path, decimal=",")
    assert german.to_pandas()["amount"].tolist() == [61.0, 1200.0, 12500.0, 899.0, 2000000.0]
    assert THOUSANDS_HINT not in german.accounting.notes and german.accounting.rows_rejected == 0
    assert any("',' as the decimal separator" in n for n in german.accounting.notes)
    english = write(tmp_path, "en.csv", GERMAN_WHOLE.replace(".", ",").replace("12,500", "12,500.75"))
    assert load_orders(english, decimal=".").to_pandas()["amount"].tolist() == [
        61.0, 1200.0, 12500.75, 899.0, 2000000.0]
    mixed = load_orders(write(tmp_path, "m.csv", GERMAN_WHOLE + "6;f;2024-03-06;12,50\n"), decimal=".")
    assert mixed.accounting.rows_rejected == 2       # 2.000.000 and 12,50 are no numbers with a decimal dot


def test_decimal_leaves_numbers_stored_as_numbers_alone(tmp_path):
    frame = pd.DataFrame({"order_id": ["1", "2"], "customer_id": ["a", "b"],
                          "timestamp": ["2024-03-01", "2024-03-02"], "amount": [1.2, 61.09]})
    loaded = load_orders(frame, decimal=",")
    assert loaded.to_pandas()["amount"].tolist() == [1.2, 61.09] and loaded.accounting.rows_rejected == 0
    assert not any("decimal" in n for n in loaded.accounting.notes)


@pytest.mark.parametrize("text", [
    "order_id,customer_id,timestamp,amount\n1,a,2024-03-01,139.57\n2,b,2024-03-02,1200\n",   # decimals
    "order_id,customer_id,timestamp,amount\n1,a,2024-03-01,61\n2,b,2024-03-02,1200\n",       # no dot
    "order_id;customer_id;timestamp;amount\n1;a;2024-03-01;1.200\n2;b;2024-03-02;12,50\n",    # a comma too
])
def test_no_thousands_note_when_the_amounts_show_their_decimals(tmp_path, text):
    assert THOUSANDS_HINT not in load_orders(write(tmp_path, "o.csv", text)).accounting.notes


def test_no_thousands_note_on_the_sample_worlds():
    for name in ("ecommerce", "b2b", "grocery"):
        assert THOUSANDS_HINT not in load_world(f"sample:{name}").orders.accounting.notes


def test_a_bad_decimal_is_refused_where_it_was_given(tmp_path):
    path = write(tmp_path, "orders.csv", GERMAN_WHOLE)
    with pytest.raises(ParameterError, match="decimal"):
        load_orders(path, decimal=";")
    folder = tmp_path / "f"
    folder.mkdir()
    write(folder, "orders.csv", GERMAN_WHOLE)
    write(folder, "loading.yaml", "orders:\n  decimal: comma\n")
    with pytest.raises(DataError) as err:
        load_world(folder)
    p = err.value.problems[0]
    assert p.source.endswith("loading.yaml") and p.line == 2 and "decimal must be" in p.message
    assert 'decimal: ","' in p.fix
    write(folder, "loading.yaml", 'orders:\n  decimal: ","\n')
    assert load_world(folder).orders.to_pandas()["amount"].tolist()[1] == 1200.0


def test_german_column_names_get_their_suggestions(tmp_path):
    """A German export (Kunden-ID, Zeitstempel, Ereignis) was told nothing useful once the
    suggestions needed whole English words: the usual German, French and Spanish words count."""
    path = write(tmp_path, "e.csv", "Kunden-ID;Zeitstempel;Ereignis\n1;2024-03-01 10:00;view\n")
    with pytest.raises(DataError) as err:
        load_events(path)
    fixes = " ".join(p.fix for p in err.value.problems)
    for pair in ("'customer_id': 'Kunden-ID'", "'timestamp': 'Zeitstempel'", "'event': 'Ereignis'"):
        assert pair in fixes


def test_a_time_fix_names_the_table_it_is_for(tmp_path):
    """The fix for epoch numbers told an orders file to write events: {time_format: unix}."""
    path = write(tmp_path, "o.csv", "order_id,customer_id,timestamp,amount\n1,a,1709999999,61\n")
    fix = load_orders(path).accounting.reasons["fix"].iloc[0]
    assert "orders: {time_format: unix}" in fix and "events:" not in fix


def test_a_survey_export_with_a_column_per_question_is_pointed_to_metrics(tmp_path):
    """Delighted or SurveyMonkey without loading.yaml were told to map metric and score, which
    such a file does not have: the fix names metrics: too (D99)."""
    path = write(tmp_path, "s.csv", "customer_id,timestamp,How likely are you to recommend us?\na,2024-03-01,9\n")
    with pytest.raises(DataError) as err:
        load_surveys(path)
    assert all("surveys: {metrics: {nps: <its column>}}" in p.fix for p in err.value.problems)


def test_a_survey_answer_exported_twice_is_a_counted_duplicate_per_metric():
    """Survey rows appended twice (the same survey_id): 300 answers counted twice moved CSAT with
    no word. A survey_id is now unique for each metric — one response keeps its csat and its nps
    answer — and a repeat is a counted rejection, in the DuckDB loader and through Ibis."""
    import ibis

    frame = pd.DataFrame({"survey_id": ["a", "a", "a", "b", None, None], "customer_id": "c",
                          "timestamp": "2024-01-01", "metric": ["csat", "nps", "csat", "csat", "csat", "csat"],
                          "score": [4, 9, 4, 3, 2, 2]})
    for src in (frame, ibis.memtable(frame)):
        got = load_surveys(src)
        r = reasons(got)["duplicate survey_id"]
        assert r.n == 1 and "unique for each metric" in r.fix
        kept = got.to_pandas()
        assert sorted(zip(kept["survey_id"].fillna("-"), kept["metric"], kept["score"])) == [
            ("-", "csat", 2.0), ("-", "csat", 2.0), ("a", "csat", 4.0), ("a", "nps", 9.0), ("b", "csat", 3.0)]


def test_a_negative_order_amount_is_a_counted_refund_not_an_order():
    """Refunds appended as orders with negative amounts lowered the order value (131.07 against
    139.57) and every value at stake by about 6%, silently. A negative amount is now a counted
    rejection that says why, through DuckDB and through Ibis; zero stays an order."""
    import ibis

    frame = pd.DataFrame({"order_id": ["o1", "o2", "o3", "o4"], "customer_id": "c", "timestamp": "2024-01-01",
                          "amount": [100.0, -40.0, 0.0, 60.0]})
    for src in (frame, ibis.memtable(frame)):
        got = load_orders(src)
        r = reasons(got)["negative amount"]
        assert r.n == 1 and "refund" in r.fix
        assert sorted(got.to_pandas()["amount"]) == [0.0, 60.0, 100.0]
    text = load_orders(pd.DataFrame({"order_id": ["a", "b"], "customer_id": "c", "timestamp": "2024-01-01",
                                     "amount": ["-12,50", "12,50"]}))
    assert reasons(text)["negative amount"].n == 1 and text.to_pandas()["amount"].tolist() == [12.5]


def test_attributes_of_a_frame_read_as_text_are_typed_as_a_csv_would_be():
    """pd.read_csv(..., dtype=str) keeps ids' leading zeros, and made every attribute text: each
    persona rule on age then compared text with a number and was left out, and the fix told the
    analyst to quote the number. Text attribute columns of frames and Parquet files are now typed
    as a CSV's are, with a note; a column with a code written with a leading zero stays text."""
    c = pd.DataFrame({"customer_id": ["001", "002", "003"], "age": ["34", "41", None], "zip": ["01234", "10115", "2"],
                      "region": ["north", "south", "n"], "vip": ["true", "false", "true"],
                      "share": ["0.5", "1.25", "-"]}, dtype=str)
    got = load_customers(c)
    frame = got.to_pandas()
    assert frame["customer_id"].tolist() == ["001", "002", "003"]        # ids stay as written
    assert frame["age"].tolist()[:2] == [34, 41] and pd.isna(frame["age"].iloc[2])
    assert frame["zip"].tolist() == ["01234", "10115", "2"] and frame["region"].tolist()[0] == "north"
    assert frame["vip"].tolist() == [True, False, True] and frame["share"].tolist()[:2] == [0.5, 1.25]
    assert "column 'age' holds text whose every value is a whole number: read as such" in got.accounting.notes
    assert not [n for n in got.accounting.notes if "'zip'" in n or "'region'" in n]


def test_a_column_split_by_a_merge_is_suggested_as_the_left_frames_with_both_named():
    """surveys.merge(orders, on="customer_id") gives timestamp_x and timestamp_y: the fix said
    timestamp_y, the order's time, which moved 736 answers to other periods. It now suggests the
    left frame's _x and names both."""
    frame = pd.DataFrame({"customer_id": ["a"], "timestamp_x": ["2024-01-01"], "timestamp_y": ["2024-02-01"],
                          "metric": ["csat"], "score": [4]})
    with pytest.raises(DataError) as err:
        load_surveys(frame)
    fix = err.value.problems[0].fix
    assert fix.startswith("pass columns={'timestamp': 'timestamp_x'}")
    assert "'timestamp_x' and 'timestamp_y' come from a merge" in fix


def test_frames_as_pandas_code_leaves_them_load_with_their_meaning():
    """Frames as pandas code leaves them: columns with two label levels (a concat with keys, an
    aggregation) were named "('t', 'ticket_id')", and the fix's mapping lost every other column's
    name (tickets lost their stage); a Period attribute stopped the whole customer table; thumbs
    kept as True/False were refused; a polars LazyFrame crashed with an AttributeError."""
    import polars as pl

    from jmtools.sources import THUMBS_HINT, load_tickets

    tickets = pd.DataFrame({"ticket_id": ["t1", "t2"], "customer_id": ["a", "b"], "timestamp": "2024-01-01",
                            "stage": ["Decision", "Delivery"]})
    keyed = load_tickets(pd.concat({"t": tickets}, axis=1))
    assert keyed.to_pandas()[["ticket_id", "stage"]].values.tolist() == [["t1", "Decision"], ["t2", "Delivery"]]
    agg = tickets.groupby("customer_id").agg({"ticket_id": ["first", "count"]}).reset_index()
    with pytest.raises(DataError, match="'ticket_id_first', 'ticket_id_count'"):
        load_tickets(agg)
    customers = pd.DataFrame({"customer_id": ["a", "b"], "since": pd.period_range("2024-01", periods=2, freq="M")})
    assert load_customers(customers).to_pandas()["since"].tolist() == ["2024-01", "2024-02"]
    for rating in ([True, False, True], pd.array([True, None, False], dtype="boolean"), [True, False, None]):
        fb = load_feedback(pd.DataFrame({"feedback_id": ["1", "2", "3"], "customer_id": "a", "timestamp": "2024-01-01",
                                         "text": "x", "rating": rating}))
        got = fb.to_pandas()["rating"]
        want = [0.0 if pd.isna(r) else 5.0 if r else 1.0 for r in rating]
        assert got.dtype == float and got.fillna(0).tolist() == want
        assert [n for n in fb.accounting.notes if n.endswith(THUMBS_HINT)]
    with pytest.raises(ParameterError, match=r"call \.collect\(\)"):
        load_tickets(pl.from_pandas(tickets).lazy())


# ---------------------------------------------------------------- ids of two tables (D145, D157)
def test_id_overlap_says_different_ids_only_when_few_meet():
    """An energy utility's 625 prospects (events, no customer row) of 3,000 were said to be
    "different customer ids" though 2,375 ids met."""
    from jmtools.sources import IdOverlap, id_overlap

    most = id_overlap([str(i) for i in range(1, 41)], [str(i) for i in range(1, 31)])
    assert (most.matched, most.n, most.shape, most.few) == (30, 40, "", False)
    assert most.sentence().endswith("; the other 10 are not in it (customers it does not list, such as prospects)")
    assert "not in customer table" in most.fix and "different" not in most.sentence()
    few = id_overlap([str(i) for i in range(1, 41)], [str(i) for i in range(1, 11)] + ["k1", "k2"])
    assert few.few and few.sentence().endswith("; the two tables seem to use different customer ids")
    assert few.fix == "export the customer table with the ids of the events"
    side = id_overlap([f"ACC-{i:05d}" for i in range(1, 5)], ["1", "2", "3", "4"], of="feedback")
    assert side.sentence() == ("0 of 4 customers with feedback are in the customer table: the ids seem to be the "
                               "same, written with a prefix or leading zeros around the same number ('ACC-00001' "
                               "in the feedback, '1' in the customer table, 'ACC-00002' in the feedback, '2' in "
                               "the customer table)")
    assert IdOverlap(5, 5).sentence() == "5 of 5 customers with events are in the customer table"


def test_a_survey_with_one_column_per_question_says_its_rows_and_its_answers(tmp_path):
    """A SaaS test: "surveys.csv 2,276 rows read" where the file has 837 rows, each answering up to
    three questions. The note says both, and the accounting keeps the file's rows for the report's
    sources (D195). Oracle: plain pandas on the file."""
    path = write(tmp_path, "surveys.csv", "who,when,Q1,Q2\nc1,2024-03-01,9,4\nc2,2024-03-02,3,\nc3,2024-03-03,,\n"
                                          "c4,2024-03-04,10,5\n")
    sv = load_surveys(path, columns={"customer_id": "who", "timestamp": "when"}, metrics={"nps": "Q1", "csat": "Q2"})
    raw = pd.read_csv(path)
    rows, answers = len(raw), int(raw[["Q1", "Q2"]].notna().sum().sum())
    assert (rows, answers) == (4, 5)
    assert sv.accounting.notes[0].startswith("4 rows of the file read as 5 answers (rows read counts answers): ")
    assert (sv.accounting.rows_in_file, sv.accounting.rows_of_file, sv.accounting.rows_read) == (4, 4, 5)
    long = load_surveys(pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-03-01"], "metric": ["nps"],
                                      "score": [9]})).accounting
    assert (long.rows_in_file, long.rows_of_file) == (None, 1)
