"""evidence.fit_problems: events repeating the customer's previous event at the same moment (D162)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from jmtools.evidence import fit_problems, prepare

JOURNEY = {"stages": ["Bill", "Pay"], "touchpoints": [
    {"name": "Letter", "stage": "Bill", "events": ["bill"], "initiated_by": "company"},
    {"name": "Payment", "stage": "Pay", "events": ["pay"]},
    {"name": "Call", "stage": "Pay", "events": ["call"]}]}


def _events(seed: int) -> pd.DataFrame:
    """200 customers' bills, payments and calls; 3% of the rows exported twice."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(200):
        t = pd.Timestamp("2026-01-01 08:00") + pd.Timedelta(minutes=int(rng.integers(0, 10_000)))
        for name in rng.choice(["bill", "pay", "call"], size=int(rng.integers(1, 9))):
            t += pd.Timedelta(minutes=int(rng.integers(1, 5_000)))
            rows.append((f"h{c}", str(name), t))
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    twice = events.sample(frac=0.03, random_state=seed)
    return pd.concat([events, twice]).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def test_repeated_events_are_counted_per_name_as_plain_pandas_counts_duplicates():
    events = _events(3)
    fit = fit_problems(prepare(events, JOURNEY))
    want = events[events.duplicated(["customer_id", "event", "timestamp"])]["event"].value_counts().to_dict()
    notes = fit[fit["kind"] == "repeated"]
    assert len(notes) == 1 and len(want) == 3           # D247: one note for all names, not one per name
    said = notes.iloc[0]
    got = {e: int(n) for e, n in re.findall(r"(\w+) (\d+)(?=[,)])", said["message"])}
    assert got == want and said["n_events"] == sum(want.values()) > 10
    assert said["subject"] == "3 event names"
    assert said["severity"] == "note" and "exported twice?" in said["message"]
    assert "drop_duplicates()" in said["fix"]


def test_a_log_without_repeats_and_one_event_then_another_at_the_same_moment_get_no_note():
    events = pd.DataFrame({"customer_id": ["a", "a", "a"], "event": ["bill", "pay", "call"],
                           "timestamp": pd.to_datetime(["2026-01-01 09:00", "2026-01-02 10:00", "2026-01-02 10:00"])})
    assert "repeated" not in set(fit_problems(prepare(events, JOURNEY))["kind"])


def test_a_single_repeated_name_is_said_with_its_name():
    events = pd.DataFrame({"customer_id": ["a", "a", "a"], "event": ["bill", "bill", "pay"],
                           "timestamp": pd.to_datetime(["2026-01-01 09:00", "2026-01-01 09:00", "2026-01-02 10:00"])})
    said = fit_problems(prepare(events, JOURNEY)).query("kind == 'repeated'")
    assert said[["subject", "n_events"]].values.tolist() == [["bill", 1]]
    assert said["message"].iloc[0].startswith("1 bill event repeats the customer's previous event")


ORDER_JOURNEY = {"stages": ["Join", "Install", "Pay"], "touchpoints": [
    {"name": "Sign-up", "stage": "Join", "events": ["signup"]},
    {"name": "Meter fitted", "stage": "Install", "events": ["installed"]},
    {"name": "Visit letter", "stage": "Install", "events": ["letter"], "initiated_by": "company"},
    {"name": "Payment", "stage": "Pay", "events": ["pay"]}]}


def _ordered_world(seed: int, late: float) -> pd.DataFrame:
    """400 customers who sign up, pay and get a meter fitted; a share ``late`` of those with a meter
    get it after their first payment; the company's visit letter comes before everything."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(400):
        t = pd.Timestamp("2026-02-01") + pd.Timedelta(hours=int(rng.integers(0, 500)))
        steps = ["signup"] + (["pay", "installed", "pay"] if rng.random() < late else ["installed", "pay", "pay"])
        steps = [s for s in steps if s != "installed" or rng.random() < 0.8]
        rows.append((f"c{c}", "letter", t - pd.Timedelta(days=3)))
        for s in steps:
            t += pd.Timedelta(hours=int(rng.integers(1, 400)))
            rows.append((f"c{c}", s, t))
    return pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])


def _late_in_pandas(events: pd.DataFrame, stage: str, later: list) -> tuple[int, int]:
    """Customers with an own event at ``stage`` and at a later stage, and those among them whose
    first at ``stage`` comes after their first at a later one (plain pandas)."""
    stage_of = {"signup": "Join", "installed": "Install", "pay": "Pay"}   # the letter is the company's
    own = events[events["event"].isin(stage_of)].assign(stage=lambda d: d["event"].map(stage_of))
    first = own.groupby(["customer_id", "stage"])["timestamp"].min().unstack()
    both = first[first[stage].notna() & first[later].notna().any(axis=1)]
    return len(both), int((both[stage] > both[later].min(axis=1)).sum())


def test_a_stage_most_customers_meet_after_a_later_one_gets_a_note_counted_as_plain_pandas():
    events = _ordered_world(5, late=0.7)
    fit = fit_problems(prepare(events, ORDER_JOURNEY))
    said = fit[fit["kind"] == "order?"]
    n, late = _late_in_pandas(events, "Install", ["Pay"])
    assert list(said["subject"]) == ["Install"] and late > 0.5 * n > 100
    assert said.iloc[0]["message"].startswith(f"{late:,} of the {n:,} customers seen at stage 'Install'")
    assert "optional: true" in said.iloc[0]["fix"] and said.iloc[0]["severity"] == "note"
    assert _late_in_pandas(events, "Join", ["Install", "Pay"])[1] == 0   # and Join is in its place


def test_a_journey_in_the_customers_order_gets_no_order_note_nor_does_a_few_late():
    for late in (0.0, 0.1):
        fit = fit_problems(prepare(_ordered_world(6, late=late), ORDER_JOURNEY))
        assert "order?" not in set(fit["kind"]), late
    few = _ordered_world(7, late=0.0)
    moved = few["customer_id"].isin(["c1", "c2", "c3", "c4"]) & (few["event"] == "installed")
    few.loc[moved, "timestamp"] += pd.Timedelta(days=60)     # 4 customers late: below the 5 shown
    assert "order?" not in set(fit_problems(prepare(few, ORDER_JOURNEY))["kind"])
