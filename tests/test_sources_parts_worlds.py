"""A table in parts on whole worlds (D264): the e-commerce event log cut into months written as
Parquet, CSV, JSON lines and Excel, read from one ``events/`` folder (flat, or under Hive
``month=…`` folders) on a world with no other table, and on one whose every time is a date.
The report's code runs on it (notebook 00, in-process), and the loaded table equals the plain
pandas concatenation of the parts, row for row; its funnel equals that of the concatenation
loaded as one file.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from inprocess import run_cells
from jmtools.analyses import funnels
from jmtools.evidence import prepare
from jmtools.sources import load_world
from table_subsets import ROOT, available, make_subset

pytestmark = pytest.mark.skipif(not available(), reason="the e-commerce sample world is not generated")
NB00 = ROOT / "notebooks" / "00_journey_report.ipynb"
#: Each month's format: the history in Parquet, the later months as an analyst exports them.
FORMATS = {"2026-07": "csv", "2026-08": "jsonl", "2026-09": "xlsx", "2026-10": "csv"}
COLUMNS = ["customer_id", "timestamp", "event", "session_id", "channel"]


def _write(frame: pd.DataFrame, path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in frame.astype(str).to_dict("records")))
    else:
        frame.astype(str).to_excel(path, index=False)


def _world(tmp_path, *, dates: bool, hive: bool):
    """The events-only subset, its months as parts; returns (folder, the parts in reading order)."""
    src = make_subset("events", tmp_path / "src")
    ev = pd.read_parquet(src / "events.parquet")[COLUMNS]
    month = ev["timestamp"].dt.strftime("%Y-%m")
    if dates:               # every time a date
        ev["timestamp"] = ev["timestamp"].dt.normalize()
    folder = tmp_path / ("dates" if dates else "times")
    folder.mkdir()
    shutil.copy(src / "journey.yaml", folder / "journey.yaml")
    written = []
    for m in sorted(month.unique()):
        fmt = FORMATS.get(m, "parquet")
        part = ev[month == m].copy()
        if fmt != "parquet":
            part["timestamp"] = part["timestamp"].dt.strftime("%Y-%m-%d" if dates else "%Y-%m-%dT%H:%M:%S")
        elif dates:
            part["timestamp"] = part["timestamp"].dt.date          # a Parquet DATE column
        path = folder / "events" / (f"month={m}" if hive else "") / f"part-{m}.{fmt}"
        _write(part, path, fmt)
        written.append((path, fmt, m))
    order = [w for w in written if w[1] == "parquet"] + [w for w in written if w[1] != "parquet"]
    return folder, order


def _oracle(order, hive: bool) -> pd.DataFrame:
    """prep.py by hand: each part read by pandas, concatenated (Parquet files first, as the folder's
    Parquet files are one part read first)."""
    readers = {"parquet": pd.read_parquet, "csv": lambda p: pd.read_csv(p, dtype=str),
               "jsonl": lambda p: pd.read_json(p, lines=True, dtype=False),
               "xlsx": lambda p: pd.read_excel(p, dtype=str)}
    frames = []
    for path, fmt, m in order:
        part = readers[fmt](path)[COLUMNS]
        part["timestamp"] = pd.to_datetime(part["timestamp"].astype(str))
        frames.append(part.assign(month=m) if hive else part)
    out = pd.concat(frames, ignore_index=True)
    return out.astype({c: str for c in COLUMNS if c != "timestamp"})


@pytest.mark.parametrize("dates,hive", [(False, False), (True, True)], ids=["times-flat", "dates-hive"])
def test_an_events_only_world_in_parts_reads_as_the_concatenation_and_the_report_runs(tmp_path, dates, hive):
    folder, order = _world(tmp_path, dates=dates, hive=hive)
    assert {fmt for _, fmt, _ in order} == {"parquet", "csv", "jsonl", "xlsx"}
    world = load_world(folder)
    assert set(world.tables) == {"events"}
    got, want = world.events.to_pandas(), _oracle(order, hive)
    a = world.events.accounting
    assert (a.rows_read, a.rows_used, a.rows_rejected) == (len(want), len(want), 0)
    cols = COLUMNS + (["month"] if hive else [])
    pd.testing.assert_frame_equal(got[cols].astype({c: str for c in cols if c != "timestamp"}).reset_index(drop=True),
                                  want[cols], check_dtype=False)
    assert got["timestamp"].eq(got["timestamp"].dt.normalize()).all() == dates
    one = tmp_path / "one"
    one.mkdir()
    want[COLUMNS].to_parquet(one / "events.parquet", index=False)          # the concatenation as one file
    journey = world.journey
    pd.testing.assert_frame_equal(funnels.funnel(prepare(world.events, journey)),
                                  funnels.funnel(prepare(load_world(one).events, journey)))
    run = run_cells(NB00, {"data_dir": str(folder), "persona": "all"})
    assert run.namespace["f"].world.events.accounting.rows_used == len(want)
