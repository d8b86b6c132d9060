"""A table in parts (D259): a folder named after the table (Hive/Spark style, key=value partitions)
and several files or folders read as one table with ``parts:`` in loading.yaml."""

from __future__ import annotations

import os
import shutil

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
        (empty, "events/ is a folder named for a table but holds no Parquet, CSV, JSON-lines or Excel part file: put the table's part files in it"),
        (not_data, "events/ is a folder named for a table but holds no Parquet, CSV, JSON-lines or Excel part file: put the table's part files in it"),
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


def test_a_folder_of_csv_jsonl_and_excel_parts_beside_a_parquet_history_is_read_whole(tmp_path):
    """A month exported as .xlsx, another as JSON lines and one as CSV beside the Parquet history:
    before D264 only the CSV part was read and the others were not named (D259's note)."""
    ev = pd.DataFrame({"customer_id": [f"A{i % 3}" for i in range(12)],
                       "timestamp": pd.date_range("2025-01-01", periods=12, freq="7h"),
                       "event": ["trial", "setup", "buy"] * 4})
    (tmp_path / "events").mkdir()
    ev.iloc[:6].to_parquet(tmp_path / "events" / "m1.parquet", index=False)
    text = ev.assign(timestamp=ev.timestamp.dt.strftime("%Y-%m-%dT%H:%M:%S"))
    text.iloc[6:8].to_csv(tmp_path / "events" / "m2.csv", index=False)
    (tmp_path / "events" / "m3.jsonl").write_text(text.iloc[8:10].to_json(orient="records", lines=True))
    text.iloc[10:].to_excel(tmp_path / "events" / "m4.xlsx", index=False)
    (tmp_path / "events" / "notes.docx").write_text("x")
    loaded = load_events(tmp_path / "events")
    want = pd.concat([pd.read_parquet(tmp_path / "events" / "m1.parquet"),
                      pd.read_csv(tmp_path / "events" / "m2.csv", parse_dates=["timestamp"]),
                      pd.read_json(tmp_path / "events" / "m3.jsonl", lines=True, convert_dates=["timestamp"]),
                      pd.read_excel(tmp_path / "events" / "m4.xlsx", parse_dates=["timestamp"])], ignore_index=True)
    pd.testing.assert_frame_equal(loaded.to_pandas(), want, check_dtype=False)
    a = loaded.accounting
    assert (a.rows_read, a.rows_used) == (12, 12)
    assert any("4 parts: events/*.parquet (6 rows), events/m2.csv (2 rows), events/m3.jsonl (2 rows), "
               "events/m4.xlsx (2 rows)" in n for n in a.notes), a.notes
    assert any(n.startswith("events/: not read, no Parquet, CSV, JSON-lines or Excel part: notes.docx")
               for n in a.notes), a.notes


def _hive_parts(folder, layout: dict) -> pd.DataFrame:
    """Part files under key=value folders (``layout``: relative path → format), and the same tree
    written wholly as Parquet, read by DuckDB with hive_partitioning (the oracle)."""
    ev = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-01-01T10:00:00", "2024-01-02T11:00:00"],
                       "event": ["view", "buy"]})
    for rel, fmt in layout.items():
        for root, kind in ((folder / "events", fmt), (folder / "oracle", "parquet")):
            path = root / rel / f"p.{kind}"
            path.parent.mkdir(parents=True)
            if kind == "jsonl":
                path.write_text(ev.to_json(orient="records", lines=True))
            elif kind == "xlsx":
                ev.to_excel(path, index=False)
            else:
                getattr(ev, f"to_{kind}")(path, index=False)
    depth = "/".join("*" for _ in next(iter(layout)).split("/"))
    read = duckdb.sql(f"SELECT * FROM read_parquet('{folder}/oracle/{depth}/*.parquet', hive_partitioning = true)")
    return read.df(), dict(zip(read.columns, map(str, read.types)))


@pytest.mark.parametrize("layout", [
    {"region=north/month=1": "csv", "region=south/month=12": "jsonl", "region=south/month=3": "xlsx",
     "region=north/month=2": "parquet"},
    {"day=2024-01-05": "csv", "day=2024-02-01": "parquet"},
    {"month=01": "csv", "month=2": "jsonl"},                       # "01" is no BIGINT for DuckDB: text
    {"month=1": "parquet", "month=2026-11": "csv"},                # one key, two kinds of value: text
], ids=["two-keys", "dates", "leading-zero", "mixed"])
def test_parts_under_partition_folders_get_the_columns_duckdb_gives_parquet(tmp_path, layout):
    """CSV parts under key=value folders were refused (D259); now every part gets its folders'
    values, typed over the whole folder as DuckDB types them for Parquet."""
    want, types = _hive_parts(tmp_path, layout)
    loaded = load_events(tmp_path / "events")
    got = loaded.to_pandas()
    keys = [k.split("=")[0] for k in next(iter(layout)).split("/")]
    assert len(got) == len(want) == 2 * len(layout)
    for key in keys:
        said = {"BIGINT": "int64", "VARCHAR": "string", "DATE": "date"}[types[key]]
        assert str(loaded.table.schema()[key]) == said, (key, types[key], loaded.table.schema())
        assert sorted(map(str, got[key])) == sorted(map(str, want[key]))


def test_a_part_moved_to_another_partition_folder_gives_a_new_cache_key(tmp_path):
    """The partition folders are values of the rows: the evidence cache must see them."""
    from jmtools.pipeline._cache import evidence_key

    _hive_parts(tmp_path, {"month=1": "csv", "month=2": "csv"})
    shutil.rmtree(tmp_path / "oracle")
    (tmp_path / "journey.yaml").write_text(JOURNEY)
    world = load_world(tmp_path)
    key = evidence_key(world, world.journey)
    (tmp_path / "events" / "month=1").rename(tmp_path / "events" / "month=3")
    assert sorted(load_world(tmp_path).events.to_pandas()["month"].unique()) == [2, 3]
    assert evidence_key(load_world(tmp_path), world.journey) not in (None, key)


def test_a_report_records_a_table_read_in_parts_as_its_input(tmp_path):
    """The report's provenance hashed ``folder / table.source``: a folder (events/) or the parts'
    joined name (events/ + events.csv) stopped the report (D259 left it)."""
    from jmtools.report.record import source_info
    from jmtools.sources import source_paths

    warehouse(tmp_path)
    (tmp_path / "events.csv").write_text(MONTH_CSV)
    (tmp_path / "loading.yaml").write_text(PARTS_YAML)
    world = load_world(tmp_path)
    info = source_info(source_paths(tmp_path, world.events), rows=21, role="events", root=tmp_path)
    sizes = sum(p.stat().st_size for p in (tmp_path / "events").glob("*.parquet")) + len(MONTH_CSV)
    assert (info["path"], info["bytes"], info["rows"]) == ("events/ + events.csv", sizes, 21)
    (tmp_path / "events.csv").write_text(MONTH_CSV.replace("A9", "A8"))
    assert source_info(source_paths(tmp_path, world.events), root=tmp_path)["sha256"] != info["sha256"]
