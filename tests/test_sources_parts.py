"""A table in parts (D259): a folder named after the table (Hive/Spark style, key=value partitions)
and several files or folders read as one table with ``parts:`` in loading.yaml."""

from __future__ import annotations

import os

import duckdb
import pandas as pd
import pytest

from jmtools.core.errors import DataError
from jmtools.sources import load_events, load_world

MS = 1_735_689_600_000          # 2025-01-01 00:00 UTC in epoch milliseconds


def history(month: int, n: int = 6) -> pd.DataFrame:
    """One warehouse month as a Parquet history writes it: acct_id, epoch ms (BIGINT)."""
    return pd.DataFrame({"acct_id": [f"A{i % 3}" for i in range(n)],
                         "event_ts": [MS + (month * 40 + i) * 3_600_000 for i in range(n)],
                         "event_name": ["trial", "setup", "buy", "trial", "setup", "trial"][:n]})


def warehouse(folder, months=(0, 1, 2)):
    (folder / "events").mkdir(parents=True)
    for m in months:
        history(m).to_parquet(folder / "events" / f"events_2025-0{m + 1}.parquet", index=False)


MONTH_CSV = ("account_id,event_ts,event_name\n"
             "A0,2025-06-01T10:00:00Z,buy\n"
             "A1,2025-06-01T12:00:00+01:00,buy\n"
             "A9,2025-06-02T09:00:00-05:00,trial\n")

JOURNEY = ("name: j\nstages: [{name: T}, {name: S}, {name: B}]\ntouchpoints: ["
           "{name: t, stage: T, channel: digital, events: [trial]}, {name: s, stage: S, channel: digital, events: [setup]}, "
           "{name: b, stage: B, channel: digital, events: [buy]}]\n")

PARTS_YAML = """events:
  columns: {customer_id: account_id, timestamp: event_ts, event: event_name}
  parts:
    events/: {columns: {customer_id: acct_id}, time_format: unix_ms}
    events.csv: {}
"""


def oracle(folder) -> pd.DataFrame:
    """What prep.py does by hand: the months concatenated in pandas, the CSV month after them."""
    parts = []
    for p in sorted((folder / "events").glob("*.parquet")):
        d = pd.read_parquet(p).rename(columns={"acct_id": "account_id"})
        d["event_ts"] = pd.to_datetime(d.event_ts, unit="ms")
        parts.append(d)
    c = pd.read_csv(folder / "events.csv")
    c["event_ts"] = pd.to_datetime(c.event_ts, utc=True, format="ISO8601").dt.tz_convert(None)
    out = pd.concat(parts + [c], ignore_index=True)
    return pd.DataFrame({"customer_id": out.account_id, "timestamp": out.event_ts.astype("datetime64[us]"),
                         "event": out.event_name})


def test_a_folder_named_after_the_table_is_read_as_that_table(tmp_path):
    """`mkdir events; cp warehouse/*.parquet events/` counted as "no events" (fault M3)."""
    warehouse(tmp_path)
    (tmp_path / "loading.yaml").write_text("events:\n  columns: {customer_id: acct_id, timestamp: event_ts, "
                                           "event: event_name}\n  time_format: unix_ms\n")
    world = load_world(tmp_path)
    got = world.events.to_pandas()
    want = pd.concat([history(m) for m in (0, 1, 2)], ignore_index=True)
    assert world.events.source == "events/"
    assert len(got) == len(want) == 18
    assert got["customer_id"].tolist() == want["acct_id"].tolist()             # file by file, in path order
    assert (got["timestamp"] == pd.to_datetime(want["event_ts"], unit="ms")).all()
    assert sorted(world.events.table.to_pandas()["_row"]) == list(range(1, 19))   # one order across files
    assert any("3 Parquet files" in n for n in world.events.accounting.notes)


def test_a_table_folder_beside_a_file_is_named_with_the_way_to_read_both(tmp_path):
    """With events.csv beside events/ only the CSV month was read, without a word about the folder."""
    warehouse(tmp_path)
    (tmp_path / "events.csv").write_text(MONTH_CSV)
    os.utime(tmp_path / "events", (1_700_000_000, 1_700_000_000))
    world = load_world(tmp_path, options={"events": {"columns": {"customer_id": "account_id",
                                                                 "timestamp": "event_ts", "event": "event_name"}}})
    assert world.events.source == "events.csv"
    note = next(n for n in world.events.accounting.notes if "not read" in n)
    assert "events/ (3 Parquet files)" in note and "parts: [events.csv, events/]" in note


def test_parts_read_a_csv_month_and_a_parquet_history_as_one_table(tmp_path):
    """The tester's world in small: the history's acct_id and epoch ms, the month's account_id and ISO
    times with offsets; each part with its own columns and time_format, stacked in the order listed."""
    from jmtools.analyses import funnels
    from jmtools.evidence import prepare
    from jmtools.journey import Journey

    warehouse(tmp_path)
    (tmp_path / "events.csv").write_text(MONTH_CSV)
    (tmp_path / "loading.yaml").write_text(PARTS_YAML)
    world = load_world(tmp_path)
    got, want = world.events.to_pandas(), oracle(tmp_path)
    a = world.events.accounting
    assert (a.rows_read, a.rows_used, a.rows_rejected) == (21, 21, 0)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert world.events.source == "events/ + events.csv"
    assert any("2 parts: events/ (18 rows), events.csv (3 rows)" in n for n in a.notes)
    j = Journey.from_yaml(JOURNEY)
    (tmp_path / "one").mkdir()
    want.to_parquet(tmp_path / "one" / "events.parquet", index=False)       # prep.py's concatenation
    concatenated = load_world(tmp_path / "one").events
    pd.testing.assert_frame_equal(funnels.funnel(prepare(world.events, j)),
                                  funnels.funnel(prepare(concatenated, j)))


def test_hive_partition_folders_become_columns_as_duckdb_reads_them(tmp_path):
    ev = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                       "event": ["view", "buy"]})
    for month in ("1", "2"):
        (tmp_path / "events" / f"month={month}").mkdir(parents=True)
        ev.to_parquet(tmp_path / "events" / f"month={month}" / "part-00000.parquet", index=False)
    (tmp_path / "events" / "_SUCCESS").write_text("")          # Spark's marker: no part, no word
    (tmp_path / "events" / "month=1" / ".part-00000.parquet.crc").write_text("x")
    got = load_events(tmp_path / "events").to_pandas()
    want = duckdb.sql(f"SELECT month FROM read_parquet('{tmp_path}/events/*/*.parquet', "
                      "hive_partitioning = true)").df()
    assert sorted(got["month"].tolist()) == sorted(want["month"].tolist()) == [1, 1, 2, 2]
    assert got["month"].dtype.kind == "i"
    assert len(got) == 4


def test_copies_across_parts_are_counted_and_duplicate_ids_rejected(tmp_path):
    warehouse(tmp_path, months=(0,))
    month = history(0).iloc[:2].rename(columns={"acct_id": "account_id"})
    month["event_ts"] = pd.to_datetime(month.event_ts, unit="ms").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    (tmp_path / "events.csv").write_text(month.to_csv(index=False))        # two rows exported again
    (tmp_path / "loading.yaml").write_text(PARTS_YAML)
    a = load_world(tmp_path).events.accounting
    assert (a.rows_read, a.rows_used) == (8, 8)                             # kept, as in one file
    assert any(n.startswith("2 rows of events.csv repeat a row of an earlier part exactly") for n in a.notes)
    o = "order_id,customer_id,timestamp,amount\no1,a,2024-01-01,1\no2,b,2024-01-02,2\n"
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "p0.csv").write_text(o)
    (tmp_path / "orders" / "p1.csv").write_text("order_id,customer_id,timestamp,amount\no2,b,2024-01-02,2\n")
    orders = load_world(tmp_path).orders
    b = orders.accounting
    assert (b.rows_read, b.rows_used, b.rows_rejected) == (3, 2, 1)
    assert b.reasons["examples"].iloc[0] == ["o2"] and "orders/p1.csv" in b.reasons["reason"].iloc[0]
    assert sorted(orders.to_pandas()["order_id"]) == ["o1", "o2"]


def _bad_folders():
    ev = pd.DataFrame({"customer_id": ["a"], "timestamp": pd.to_datetime(["2024-01-01"]), "event": ["view"]})

    def empty(d):
        (d / "events").mkdir()

    def not_data(d):
        (d / "events").mkdir()
        (d / "events" / "README.md").write_text("x")
        (d / "events" / "dump.pdf").write_text("x")

    def corrupt(d):
        (d / "events").mkdir()
        ev.to_parquet(d / "events" / "p0.parquet")
        (d / "events" / "p1.parquet").write_text("not parquet")

    def columns_differ(d):
        (d / "events").mkdir()
        ev.to_parquet(d / "events" / "p0.parquet")
        ev.assign(channel="web").to_parquet(d / "events" / "p1.parquet")

    def types_differ(d):
        (d / "events").mkdir()
        ev.to_parquet(d / "events" / "p0.parquet")
        ev.assign(timestamp="2024-01-01").to_parquet(d / "events" / "p1.parquet")

    def csv_parts_differ(d):
        (d / "events").mkdir()
        ev.to_csv(d / "events" / "p0.csv", index=False)
        ev.assign(channel="web").to_csv(d / "events" / "p1.csv", index=False)

    def listed_parts_differ(d):
        ev.to_csv(d / "events.csv", index=False)
        ev.assign(channel="web").to_csv(d / "more.csv", index=False)
        (d / "loading.yaml").write_text("events:\n  parts: [events.csv, more.csv]\n")

    def no_value(d):
        (d / "events" / "month=").mkdir(parents=True)
        ev.to_parquet(d / "events" / "month=" / "p0.parquet")

    def not_key_value(d):
        (d / "events" / "2024").mkdir(parents=True)
        ev.to_parquet(d / "events" / "2024" / "p0.parquet")

    def keys_differ(d):
        for sub in ("month=1", "mnth=2"):
            (d / "events" / sub).mkdir(parents=True)
            ev.to_parquet(d / "events" / sub / "p0.parquet")

    def key_is_a_column(d):
        (d / "events" / "event=view").mkdir(parents=True)
        ev.to_parquet(d / "events" / "event=view" / "p0.parquet")

    def listed_missing(d):
        ev.to_csv(d / "events.csv", index=False)
        (d / "loading.yaml").write_text("events:\n  parts: [events.csv, histroy/]\n")

    def part_option(d):
        ev.to_csv(d / "events.csv", index=False)
        (d / "loading.yaml").write_text("events:\n  parts:\n    events.csv: {values: {stage: {a: b}}}\n")

    return {f.__name__: (f, said) for f, said in [
        (empty, "events/ is a folder named for a table but holds no Parquet or CSV part file: put the table's part files in it"),
        (not_data, "events/ is a folder named for a table but holds no Parquet or CSV part file: put the table's part files in it"),
        (corrupt, "events/p1.parquet: the Parquet data cannot be read"),
        (columns_differ, "'channel' is not in p0.parquet but VARCHAR in p1.parquet"),
        (types_differ, "'timestamp' is TIMESTAMP in p0.parquet but VARCHAR in p1.parquet"),
        (csv_parts_differ, "column 'channel' is in events/p1.csv but not in events/p0.csv"),
        (listed_parts_differ, "column 'channel' is in more.csv but not in events.csv"),
        (no_value, "the folder 'month=' holding p0.parquet is no partition folder named key=value (it has no value)"),
        (not_key_value, "the folder '2024' holding p0.parquet is no partition folder named key=value"),
        (keys_differ, "part files sit under different partition keys"),
        (key_is_a_column, "the partition key 'event' is also a column of event=view/p0.parquet"),
        (listed_missing, "loading.yaml:2: parts: 'histroy/' is not in the data folder"),
        (part_option, "parts.events.csv.values: not an option of one part"),
    ]}


@pytest.mark.parametrize("name", list(_bad_folders()))
def test_a_bad_table_folder_or_part_is_a_located_error(tmp_path, name):
    build, said = _bad_folders()[name]
    build(tmp_path)
    with pytest.raises(DataError) as err:
        load_world(tmp_path)
    assert said in str(err.value), str(err.value)
    assert "Fix:" in str(err.value) or ": put the table's part files in it" in said     # the fix said


def test_the_evidence_cache_sees_every_part(tmp_path):
    """A changed CSV month must not be answered from evidence cached for the old one."""
    from jmtools.pipeline._cache import evidence_key

    warehouse(tmp_path)
    (tmp_path / "events.csv").write_text(MONTH_CSV)
    (tmp_path / "loading.yaml").write_text(PARTS_YAML)
    (tmp_path / "journey.yaml").write_text(JOURNEY)
    world = load_world(tmp_path)
    key = evidence_key(world, world.journey)
    assert key is not None and key == evidence_key(load_world(tmp_path), world.journey)
    (tmp_path / "events.csv").write_text(MONTH_CSV.replace("A9", "A8"))
    assert evidence_key(load_world(tmp_path), world.journey) not in (None, key)


@pytest.mark.parametrize("listed", [True, False], ids=["parts-in-loading-yaml", "table-folder"])
def test_the_report_records_every_file_of_a_table_in_parts(tmp_path, listed, monkeypatch):
    """D265: a report over a table in parts recorded `folder / 'a.csv + b.csv'` (or the folder
    `events/`) as one file and stopped at its first cell; it records each part file it read."""
    import importlib

    from jmtools.report.sections import record_inputs
    from jmtools.report.steps import record_world

    record_module = importlib.import_module("jmtools.report.record")

    warehouse(tmp_path)
    if listed:
        (tmp_path / "events.csv").write_text(MONTH_CSV)
        (tmp_path / "loading.yaml").write_text(PARTS_YAML)
    else:
        (tmp_path / "loading.yaml").write_text(
            "events:\n  columns: {customer_id: acct_id, timestamp: event_ts, event: event_name}\n"
            "  time_format: unix_ms\n")
    (tmp_path / "journey.yaml").write_text(JOURNEY)
    world = load_world(tmp_path)
    seen = []
    monkeypatch.setattr(record_module, "_emit", seen.append)

    class F:                                   # the attributes record_inputs reads of Findings
        pass
    f = F()
    f.world, f.journey, f.segment_customers = world, world.journey, None
    record_inputs(f)                           # the report (notebook 00)
    record_world(world)                        # the step notebooks 01-07
    events = [s for s in seen if s["role"] == "events"]
    expected = [f"events/events_2025-0{m}.parquet" for m in (1, 2, 3)] + (["events.csv"] if listed else [])
    assert [s["path"] for s in events] == expected * 2
    assert all(len(s["sha256"]) == 64 for s in events)
    assert [s["rows"] for s in events] == [None] * len(expected) * 2   # the table's rows are of no one part
