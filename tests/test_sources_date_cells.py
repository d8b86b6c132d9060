"""Workbook cells formatted as a date alone are dates; a time cell at 00:00 stays a time (D185)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl import Workbook

from jmtools.analyses.funnels import funnel
from jmtools.evidence import prepare
from jmtools.sources import load_events
from test_evidence_days import JOURNEY, earliest_stage, oracle_funnel, oracle_placed, oracle_stage, signups


def _cells(ev: pd.DataFrame, path) -> None:
    """``ev`` (times as text) as a workbook of date and time cells, as a spreadsheet stores them:
    a value written as a date alone is a cell formatted ``dd.mm.yyyy``, every other one a cell
    formatted ``yyyy-mm-dd hh:mm:ss`` — 00:00:00 included."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(ev.columns))
    for values in ev.itertuples(index=False):
        sheet.append([pd.Timestamp(v).to_pydatetime() if c == "timestamp" else v
                      for c, v in zip(ev.columns, values)])
        alone = len(values[list(ev.columns).index("timestamp")]) <= 10
        sheet.cell(sheet.max_row, list(ev.columns).index("timestamp") + 1).number_format = (
            "dd.mm.yyyy" if alone else "yyyy-mm-dd hh:mm:ss")
    book.save(path)


def test_date_cells_are_placed_as_dates(tmp_path):
    """D140's workbook wrote its dates alone as date numbers; a sheet whose dates are date cells
    (formatted as dates) read them as times at 00:00: 30 carts sorted before that day's view, the
    funnel lost those customers at Cart. They are now rows written as dates: placed as a plain-pandas
    sort by D140's rule places them, the funnel equal to the one of the true times."""
    ev, true = signups()
    _cells(ev, tmp_path / "events.xlsx")
    loaded = load_events(tmp_path / "events.xlsx")
    alone = ev["timestamp"].str.len() <= 10
    assert loaded.table.to_pandas()["_dated"].tolist() == alone.tolist()
    e = prepare(loaded, JOURNEY)
    d = ev.assign(timestamp=pd.to_datetime(ev["timestamp"], format="ISO8601"), _row=np.arange(len(ev)))
    want = oracle_placed(d, earliest_stage(JOURNEY), alone)
    got = e.to_pandas().sort_values(["customer_id", "position"])
    assert got["event"].tolist() == want["event"].tolist()
    assert got["timestamp"].tolist() == want["timestamp"].tolist()
    truth = ev.assign(timestamp=true, stage=oracle_stage(ev)[0]).sort_values(["customer_id", "timestamp"])
    assert funnel(e)["n"].tolist() == oracle_funnel(truth) == [210, 210, 105]
    assert e.date_only.to_dict("records") == [{"event": "cart", "n_events": 280, "n_dated": 30}]


def test_a_time_cell_at_midnight_stays_a_time(tmp_path):
    """A cell formatted with a time of day that holds 00:00 is an event at midnight, not a date:
    20 such carts stay first in their day, before the view; the 10 date cells move after it."""
    ev, _ = signups(n_customers=70)
    first = ev.index[ev["event"].eq("cart") & ev["timestamp"].str.len().gt(10)][:20]
    ev.loc[first, "timestamp"] = ev.loc[first, "timestamp"].str[:10] + " 00:00:00"
    _cells(ev, tmp_path / "events.xlsx")
    e = prepare(load_events(tmp_path / "events.xlsx"), JOURNEY)
    got = e.to_pandas()
    midnight = got["event"].eq("cart") & got["timestamp"].eq(got["timestamp"].dt.normalize())
    at_start = got[midnight].merge(got[got["position"] == 1], on=["customer_id", "position"])
    assert len(got[midnight]) == 30 and len(at_start) == 20
    assert e.date_only["n_dated"].tolist() == [10]
