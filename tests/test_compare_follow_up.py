"""A comparison over time counts only customers who had time to go on (D190).

A seeded world of applications cut off mid-process: the step after "Upload" comes 20–120 days
later, the share that never goes on is constant (no change planted) — or drops after the change
date (a change planted). Plain pandas over applications at least 150 days old at the cut-off is
the independent check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.compare import compare, split_by_date, step_observations
from jmtools.core.stats import follow_up_window
from jmtools.evidence import prepare
from permit_world import CUT, START, permit_events

JOURNEY = {"stages": ["Apply", "Upload", "Decision"], "touchpoints": [
    {"name": "Portal", "stage": "Apply", "events": ["apply"]},
    {"name": "Documents", "stage": "Upload", "events": ["upload"]},
    {"name": "Letter", "stage": "Decision", "events": ["decide"]}]}
CHANGE = pd.Timestamp("2025-10-01")


def _world(after_rate=0.85, seed=1):
    """85% get a decision (``after_rate`` of those uploading from ``CHANGE`` on)."""
    change = (CHANGE - START).days / 30.4
    return permit_events(lambda month: after_rate if month >= change else 0.85, seed=seed)


def _pandas_rates(ev, old_enough=pd.Timedelta(days=150)):
    """Upload → Decision before and after CHANGE, over uploads at least ``old_enough`` before the cut."""
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    wide = wide[wide["upload"].notna() & (wide["upload"] <= CUT - old_enough)]
    went = wide["decide"].notna()
    after = wide["upload"] >= CHANGE
    return went[~after].mean(), went[after].mean(), int(after.sum())


def _upload_row(ev, follow_up=True):
    obs = step_observations(prepare(ev, JOURNEY), follow_up=follow_up)
    table = compare(split_by_date(obs, CHANGE), personas=False)
    return obs, table[table["label"] == "conversion Upload → Decision"].iloc[0]


def test_no_change_planted_reads_no_change():
    ev = _world()
    before, after, n_after = _pandas_rates(ev)
    assert abs(after - before) < 0.04 and n_after > 300          # plain pandas: no change
    _, naive = _upload_row(ev, follow_up=False)
    assert naive["verdict"] == "worse, likely real"              # the fault: open cases counted as lost
    obs, row = _upload_row(ev)
    assert not row["verdict"].endswith("likely real"), row["text"]
    assert abs(row["value_b"] - after) < 0.04 and abs(row["value_a"] - before) < 0.02
    opened = {(r["from_step"], r["step"]): r for r in obs.attrs["open"]}
    r = opened[("Upload", "Decision")]
    # plain pandas: the window, who is left out and who of them had not gone on
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    hours = (wide["decide"] - wide["upload"]).dt.total_seconds().dropna() / 3600
    assert r["window_hours"] == pytest.approx(np.quantile(hours, 0.99))
    assert r["end"] == ev["timestamp"].max()
    recent = wide["upload"] > r["end"] - pd.Timedelta(hours=r["window_hours"])
    assert r["left_out"] == int(recent.sum()) and r["open"] == int((recent & wide["decide"].isna()).sum())
    conv = obs[(obs["measure"] == "conversion") & (obs["from_step"] == "Upload")]
    assert len(conv) == int((~recent & wide["upload"].notna()).sum())


def test_a_planted_change_is_still_found():
    ev = _world(after_rate=0.65)
    before, after, _ = _pandas_rates(ev)
    assert after < before - 0.1
    _, row = _upload_row(ev)
    assert row["verdict"] == "worse, likely real", row["text"]


def test_nothing_left_out_without_open_cases():
    ev = _world()
    done = ev.groupby("customer_id")["event"].agg(set)
    closed = ev[ev["customer_id"].isin(done[done.map(lambda s: "decide" in s)].index)]
    obs = step_observations(prepare(closed, JOURNEY))
    assert obs.attrs["open"] == []
    assert obs.equals(step_observations(prepare(closed, JOURNEY), follow_up=False))


def test_follow_up_window_is_the_quantile():
    assert follow_up_window([1, 2, 3, 4, 100], share=0.5) == 3.0
    assert np.isnan(follow_up_window([5.0, np.nan]))
