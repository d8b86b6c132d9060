"""funnels.skipped_steps: customers the strict funnel loses at a step who go on all the same (D161)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.funnels import skipped_steps
from jmtools.evidence import prepare

STAGES = ["Join", "Meter", "Bill", "Pay", "Renew"]
JOURNEY = {"stages": STAGES, "touchpoints": [
    {"name": "Form", "stage": "Join", "events": ["join"]},
    {"name": "Visit", "stage": "Meter", "events": ["meter"]},
    {"name": "Letter", "stage": "Bill", "events": ["bill"], "initiated_by": "company"},
    {"name": "Online bill", "stage": "Bill", "events": ["bill_viewed"]},
    {"name": "Payment", "stage": "Pay", "events": ["pay"]},
    {"name": "Renewal", "stage": "Renew", "events": ["renew"]}]}
STAGE_OF = {"join": 0, "meter": 1, "bill": 2, "bill_viewed": 2, "pay": 3, "renew": 4}


def _events(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        t = pd.Timestamp("2026-01-01") + pd.Timedelta(hours=int(rng.integers(0, 500)))
        for name in rng.choice(list(STAGE_OF), size=int(rng.integers(1, 8))):
            t += pd.Timedelta(hours=int(rng.integers(1, 200)))
            rows.append((f"c{c:03d}", str(name), t))
    return pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])


def _chain(names) -> list[int]:
    """The strict chain's position at each step reached: the letter (the company's, at Bill, where
    customers act too: Online bill) reaches nothing (D243)."""
    at, pos = 0, []
    for i, v in enumerate(names):
        if at < len(STAGES) and STAGE_OF[v] == at and v != "bill":
            pos.append(i)
            at += 1
    return pos


def _plain(events: pd.DataFrame) -> pd.DataFrame:
    """Walk each customer's events in time order: the strict chain's position at each step, then
    who is lost at step k and who has an own event (not the company's letter) at a later step after
    the position of step k − 1."""
    rows = {k: [0, 0, {}] for k in range(2, len(STAGES) + 1)}
    for _, e in events.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
        stages = [STAGE_OF[v] for v in e["event"]]
        own = [v != "bill" for v in e["event"]]
        pos = _chain(e["event"])
        for k in range(2, len(STAGES) + 1):          # lost at k: reached k − 1, not k
            if len(pos) == k - 1:
                rows[k][0] += 1
                later = [stages[i] for i in range(pos[-1] + 1, len(stages)) if own[i] and stages[i] > k - 1]
                if later:
                    rows[k][1] += 1
                    for s in set(later):
                        rows[k][2][s] = rows[k][2].get(s, 0) + 1
    return pd.DataFrame([{"step_index": k, "step": STAGES[k - 1], "n_lost": lost, "n_skipped": went,
                          "later": STAGES[max(counts, key=lambda s: (counts[s], -s))] if counts else None}
                         for k, (lost, went, counts) in rows.items()])


@pytest.mark.parametrize("seed", [1, 2])
def test_counts_equal_a_plain_walk_of_each_customers_events(seed):
    events = _events(seed)
    got = skipped_steps(prepare(events, JOURNEY))
    want = _plain(events)
    pd.testing.assert_frame_equal(got[["step_index", "step", "n_lost", "n_skipped"]],
                                  want[["step_index", "step", "n_lost", "n_skipped"]], check_dtype=False)
    assert got["n_skipped"].sum() > 0
    assert got["later"].fillna("-").tolist() == want["later"].fillna("-").tolist()


def test_a_company_letter_is_not_going_on_and_groups_are_counted_apart():
    ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "c"],
                       "event": ["join", "bill", "join", "pay", "join", "meter"],
                       "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02"] * 3)})
    got = skipped_steps(prepare(ev, JOURNEY))
    meter = got[got["step"] == "Meter"].iloc[0]
    assert (meter["n_lost"], meter["n_skipped"], meter["later"]) == (2, 1, "Pay")      # a's letter is not a's step
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "plan": ["P", "Q", "Q"]})
    by = skipped_steps(prepare(ev, JOURNEY, customers=customers, segments=["plan"]), by="plan")
    meter = by[by["step"] == "Meter"].set_index("plan")
    assert meter.loc["P", ["n_lost", "n_skipped"]].tolist() == [1, 0]
    assert meter.loc["Q", ["n_lost", "n_skipped"]].tolist() == [1, 1]


TOUCHPOINT_OF = {e: t["name"] for t in JOURNEY["touchpoints"] for e in t["events"]}


@pytest.mark.parametrize("seed", [1, 2])
def test_what_the_lost_customers_did_later_equals_a_plain_walk(seed):
    """D222: "185 take a later step all the same" hid that the step was a missed appointment; each
    row now names the one or two touchpoints of a later step most of them have an own event at."""
    events = _events(seed)
    got = skipped_steps(prepare(events, JOURNEY)).set_index("step_index")["later_touchpoints"]
    for k in range(2, len(STAGES) + 1):
        did = {}
        for _, e in events.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
            stages = [STAGE_OF[v] for v in e["event"]]
            pos = _chain(e["event"])
            if len(pos) == k - 1:
                for tp in {TOUCHPOINT_OF[v] for i, v in enumerate(e["event"])
                           if i > pos[-1] and v != "bill" and stages[i] > k - 1}:
                    did[tp] = did.get(tp, 0) + 1
        want = sorted(did.items(), key=lambda x: (-x[1], x[0]))[:2]
        assert got[k] == want
    assert any(len(v) == 2 for v in got)


def test_a_missed_visit_is_named_as_what_the_lost_customers_did():
    ev = pd.DataFrame({"customer_id": list("aabbccd"), "event": ["join", "renew", "join", "renew", "join", "pay", "join"],
                       "timestamp": pd.to_datetime(["2026-01-01", "2026-01-05"] * 3 + ["2026-01-01"])})
    got = skipped_steps(prepare(ev, JOURNEY))
    meter = got[got["step"] == "Meter"].iloc[0]
    assert (meter["n_lost"], meter["n_skipped"]) == (4, 3)
    assert meter["later_touchpoints"] == [("Renewal", 2), ("Payment", 1)]
