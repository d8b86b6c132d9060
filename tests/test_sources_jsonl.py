"""JSON lines read like CSV (``jmtools/sources/_jsonl.py``): the same rows, values and results,
and every line that is no object a counted rejection at its file line."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.core.errors import DataError
from jmtools.sources import _jsonl, load_events, load_feedback, load_world, table_files

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "ecommerce"


def _sample_events() -> pd.DataFrame:
    return pd.read_parquet(SAMPLE / "events.parquet")


def _folder(tmp_path: Path, name: str) -> Path:
    """The e-commerce sample world without its event log."""
    out = tmp_path / name
    out.mkdir()
    for p in SAMPLE.iterdir():
        if p.is_file() and not p.name.startswith("events"):
            shutil.copy(p, out / p.name)
    return out


def _as_csv(events: pd.DataFrame, path: Path) -> None:
    events.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S")


def _as_flat_lines(events: pd.DataFrame, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for r in events.itertuples(index=False):
            row = {"customer_id": r.customer_id, "timestamp": r.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "event": r.event, "session_id": r.session_id, "channel": r.channel}
            if not pd.isna(r.value):
                row["value"] = r.value
            out.write(json.dumps(row) + "\n")


def _as_mixpanel(events: pd.DataFrame, path: Path) -> None:
    """Mixpanel's raw export: {"event", "properties": {"time": epoch s, "distinct_id", …}}."""
    seconds = (events.timestamp - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    with open(path, "w", encoding="utf-8") as out:
        for i, r in enumerate(events.itertuples(index=False)):
            props = {"time": int(seconds.iloc[i]), "distinct_id": r.customer_id, "$insert_id": f"{i:016x}",
                     "mp_lib": "web", "$browser": "Chrome", "session_id": r.session_id, "channel": r.channel}
            if not pd.isna(r.value):
                props["value"] = r.value
            out.write(json.dumps({"event": r.event, "properties": props}) + "\n")


def _run(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.run(path, persona="all")


def _evidence(f) -> pd.DataFrame:
    frame = f.evidence.events.execute()
    return frame.sort_values(["customer_id", "position"]).reset_index(drop=True)


def test_the_sample_events_as_json_lines_give_the_csv_results(tmp_path):
    """The sample's event log as CSV, as flat JSON lines and as Mixpanel's raw export (nested
    properties, epoch seconds, read with loading.yaml): the same funnel, evidence, event
    columns and accounting."""
    events = _sample_events()
    csv, flat, mixpanel = (_folder(tmp_path, n) for n in ("csv", "flat", "mixpanel"))
    _as_csv(events, csv / "events.csv")
    _as_flat_lines(events, flat / "events.jsonl")
    _as_mixpanel(events, mixpanel / "events.json")
    (mixpanel / "loading.yaml").write_text(
        "events:\n  columns: {customer_id: properties.distinct_id, timestamp: properties.time}\n"
        "  time_format: unix\n")
    reference = _run(csv)
    assert reference.world.events.accounting.rows_used == len(events)
    for path in (flat, mixpanel):
        f = _run(path)
        a = f.world.events.accounting
        assert (a.rows_read, a.rows_used, a.rows_rejected) == (len(events), len(events), 0), str(a)
        pd.testing.assert_frame_equal(f.funnel_all, reference.funnel_all)
        pd.testing.assert_frame_equal(_evidence(f), _evidence(reference))
        pd.testing.assert_frame_equal(f.evidence.mapping, reference.evidence.mapping)
        pd.testing.assert_frame_equal(f.curve, reference.curve)
        got = f.world.events.to_pandas()[["customer_id", "timestamp", "event", "session_id", "channel", "value"]]
        want = reference.world.events.to_pandas()[got.columns]
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
    notes = " ".join(_run(mixpanel).world.events.accounting.notes)
    assert "column 'properties.session_id' read as 'session_id'" in notes


def test_the_mixpanel_export_alone_gets_the_columns_to_name_suggested(tmp_path):
    """Without loading.yaml the error names the nested columns to map, as valid YAML."""
    _as_mixpanel(_sample_events().head(20), tmp_path / "events.json")
    with pytest.raises(DataError) as err:
        load_events(tmp_path / "events.json")
    text = str(err.value)
    assert "columns={'customer_id': 'properties.distinct_id'}" in text
    assert "events: {columns: {timestamp: properties.time}}" in text


def _oracle(lines: list[bytes]) -> tuple[list[int], dict[int, str]]:
    """Python's view of a JSON lines file: the lines that hold an object, and the others."""
    kept, bad = [], {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            bad[number] = "bad"
            continue
        (kept.append(number) if isinstance(value, dict) else bad.__setitem__(number, "not an object"))
    return kept, bad


@pytest.mark.parametrize("block", [1000, 1 << 25])
def test_bad_lines_are_counted_at_their_file_lines_and_the_rest_kept(tmp_path, monkeypatch, block):
    """Lines that are not JSON objects among 3,000 good ones, read in blocks of 1,000 bytes (lines
    cross every block) and in one block: every good line is kept with its values, every bad
    one counted at its file line, against Python's json module."""
    monkeypatch.setattr(_jsonl, "_BLOCK", block)
    bad_lines = [b"not json", b"[1, 2]", b"42", b'"text"', b"null", b"{\"customer_id\": \"x\",",
                 b'{"customer_id": "v\xff", "timestamp": "2024-01-01", "event": "view"}', b"", b"   "]
    lines = []
    for i in range(3000):
        lines.append(json.dumps({"customer_id": f"c{i}", "timestamp": f"2024-03-01T10:{i % 60:02d}:00",
                                 "event": "view", "n": i}).encode())
        if i % 331 == 7:
            lines.append(bad_lines[(i // 331) % len(bad_lines)])
    (tmp_path / "e.jsonl").write_bytes(b"\r\n".join(lines) + b"\r\n")
    kept, bad = _oracle(lines)
    ev = load_events(tmp_path / "e.jsonl")
    a = ev.accounting
    assert a.rows_used == len(kept) == 3000 and a.rows_rejected == len(bad)
    listed = sorted(line for r in a.reasons.itertuples() for line in r.lines)
    assert listed == sorted(bad)                          # fewer than five per reason here
    frame = ev.table.execute().sort_values("_row")
    assert frame["_row"].tolist() == kept                 # the row number is the file line
    assert frame["n"].tolist() == list(range(3000))


def test_a_line_too_long_and_a_last_line_cut_short_are_rejected_with_their_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(_jsonl, "MAX_LINE_BYTES", 200)
    monkeypatch.setattr(_jsonl, "_BLOCK", 128)
    good = '{"customer_id": "a", "timestamp": "2024-01-01", "event": "view"}\n'
    text = good + '{"customer_id": "b", "text": "' + "x" * 1000 + '"}\n' + good + '{"customer_id": "c", "ti'
    (tmp_path / "e.jsonl").write_text(text)
    a = load_events(tmp_path / "e.jsonl").accounting
    found = {r.reason: list(r.lines) for r in a.reasons.itertuples()}
    assert found == {"malformed line (line longer than 16 MB)": [2],
                     "malformed line (the last line is cut short)": [4]}
    assert a.rows_used == 2


def test_values_go_through_the_csv_checks_at_their_lines(tmp_path):
    """A time as epoch seconds among ISO times, a non-numeric value, an id that is a number:
    validated as CSV text is, located at the file's line."""
    rows = [{"customer_id": 101, "timestamp": "2024-03-01T10:00:00Z", "event": "view", "value": 12.5},
            {"customer_id": "c2", "timestamp": 1709999999, "event": "view"},
            {"customer_id": "c3", "timestamp": "2024-03-01", "event": "buy", "value": "twelve"},
            {"customer_id": None, "timestamp": "2024-03-01", "event": "view"}]
    (tmp_path / "e.ndjson").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    ev = load_events(tmp_path / "e.ndjson")
    reasons = {r.reason: list(r.lines) for r in ev.accounting.reasons.itertuples()}
    assert reasons == {"unparseable timestamp": [2], "missing customer_id": [4]}
    assert "1 value of value left blank, the row kept: unparseable value (line 3)" in " ".join(ev.accounting.notes)
    assert ev.to_pandas()["customer_id"].tolist() == ["101", "c3"]


def test_keys_that_differ_between_lines_and_deep_objects(tmp_path):
    rows = [{"feedback_id": "f1", "customer_id": "a", "timestamp": "2024-01-01", "text": "slow",
             "app": {"version": "1.2", "device": {"os": {"name": {"x": {"y": 1}}}}}},
            {"feedback_id": "f2", "customer_id": "b", "timestamp": "2024-01-02", "text": "ok", "stars": 4}]
    (tmp_path / "feedback.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    fb = load_feedback(tmp_path / "feedback.jsonl")
    frame = fb.to_pandas()
    assert fb.accounting.rows_used == 2
    assert frame["app_version"].tolist()[0] == 1.2 and pd.isna(frame["app_version"].tolist()[1])
    assert frame["app_device_os_name_x"].tolist()[0] == '{"y":1}'    # five levels, then text
    assert frame["stars"].tolist()[1] == 4


def test_json_files_in_a_folder_are_found_and_one_that_is_no_json_lines_is_said(tmp_path):
    events = _sample_events().head(50)
    _as_flat_lines(events, tmp_path / "Events.NDJSON")
    (tmp_path / "feedback.json").write_text('{\n  "reviews": []\n}\n')      # one object over lines
    (tmp_path / "orders.json").write_text(json.dumps([{"order_id": "o1", "customer_id": "C0000001",
                                                       "timestamp": "2024-01-01", "amount": 12.5}]))
    assert [p.name for p in table_files(tmp_path, "events")] == ["Events.NDJSON"]
    assert table_files(tmp_path, "feedback") == []
    world = load_world(tmp_path)
    assert world.unread == ["feedback.json"]
    assert len(world.events) == 50 and world.orders.to_pandas()["amount"].tolist() == [12.5]


def test_a_json_array_one_object_per_line_keeps_file_lines(tmp_path):
    text = ('[\n{"customer_id": "a", "timestamp": "2024-01-01", "event": "view"},\n'
            '{"customer_id": "b", "timestamp": "bad", "event": "view"},\n'
            '{"customer_id": "c", "timestamp": "2024-01-01", "event": "view"}\n]\n')
    (tmp_path / "e.json").write_text(text)
    ev = load_events(tmp_path / "e.json")
    assert [list(r.lines) for r in ev.accounting.reasons.itertuples()] == [[3]]
    assert ev.accounting.rows_used == 2 and not ev.accounting.notes


def test_a_line_its_declared_encoding_cannot_read_is_rejected_the_rest_read(tmp_path):
    """cp1252 leaves five bytes undefined: a line holding one (0x81) is rejected at its line with
    the encoding named; before, the whole file stopped at the first such byte."""
    lines = [json.dumps({"customer_id": f"c{i}", "timestamp": "2024-01-01", "event": "café"}, ensure_ascii=False)
             for i in range(5)]
    data = "\n".join(lines).encode("cp1252").replace(b"c3", b"c3\x81") + b"\n"
    (tmp_path / "e.jsonl").write_bytes(data)
    ev = load_events(tmp_path / "e.jsonl", encoding="cp1252")
    reasons = {r.reason: list(r.lines) for r in ev.accounting.reasons.itertuples()}
    assert reasons == {"malformed line (bytes that cannot be read as cp1252)": [4]}
    assert ev.accounting.rows_used == 4 and set(ev.to_pandas()["event"]) == {"café"}
    fixes = " ".join(r.fix for r in ev.accounting.reasons.itertuples())
    assert "pass the file's encoding" in fixes


def test_a_utf16_file_with_a_broken_line_keeps_its_other_lines(tmp_path):
    good = [json.dumps({"customer_id": f"c{i}", "timestamp": "2024-01-01", "event": "view"}) for i in range(3)]
    body = ("\n".join(good[:2]) + "\n").encode("utf-16-le")
    broken = '{"customer_id": "x", "event": "'.encode("utf-16-le") + b"\x00\xdc" + '"}\n'.encode("utf-16-le")
    (tmp_path / "e.jsonl").write_bytes(b"\xff\xfe" + body + broken + (good[2] + "\n").encode("utf-16-le"))
    ev = load_events(tmp_path / "e.jsonl")
    reasons = {r.reason: list(r.lines) for r in ev.accounting.reasons.itertuples()}
    assert reasons == {"malformed line (bytes that cannot be read as utf-16)": [3]}
    assert ev.accounting.rows_used == 3
