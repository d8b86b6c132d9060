"""evidence.fit_problems: events repeating the customer's previous event at the same moment (D162)."""

from __future__ import annotations

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
    got = fit[fit["kind"] == "repeated"].set_index("subject")["n_events"].to_dict()
    want = events[events.duplicated(["customer_id", "event", "timestamp"])]["event"].value_counts().to_dict()
    assert got == want and sum(want.values()) > 10
    said = fit[fit["kind"] == "repeated"].iloc[0]
    assert said["severity"] == "note" and "exported twice?" in said["message"]
    assert "drop_duplicates()" in said["fix"]


def test_a_log_without_repeats_and_one_event_then_another_at_the_same_moment_get_no_note():
    events = pd.DataFrame({"customer_id": ["a", "a", "a"], "event": ["bill", "pay", "call"],
                           "timestamp": pd.to_datetime(["2026-01-01 09:00", "2026-01-02 10:00", "2026-01-02 10:00"])})
    assert "repeated" not in set(fit_problems(prepare(events, JOURNEY))["kind"])
