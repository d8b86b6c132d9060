"""A seeded subscription log with an exit stage and a planted effect before leaving (D211).

Customers sign up; most pay; of the paying, some get a failed payment (a contact the company starts)
and leave far more often than the others. A newsletter goes to half of everyone and changes nothing.
Planted traps: some who leave get a failed-payment notice only after cancelling (it must not count);
``orphans`` customers whose log holds only a cancellation (nothing before leaving); with
``dates=True`` every time is a date, and some failed payments fall on the day of the cancellation.
:func:`plain_walk` is the plain pandas oracle: each customer's events in order, what came before
their first cancellation, and how far they got by their own steps before it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STAGES = ["Start", "Pay", "Keep"]
#: Each event's touchpoint and stage; ``company`` contacts do not move a customer on (Keep has an own step).
TOUCHPOINT = {"signup": "Sign-up", "news": "Newsletter", "pay": "Payment", "failed": "Payment failed",
              "renew": "Renewal", "cancel": "Cancellation"}
STAGE = {"signup": "Start", "news": "Start", "pay": "Pay", "failed": "Keep", "renew": "Keep", "cancel": "Churn"}
COMPANY = {"news", "failed"}

JOURNEY_YAML = """name: Subscriptions
personas:
  - {name: Small, rule: "size == 'small'"}
  - {name: Large, rule: "size == 'large'"}
stages:
  - name: Start
  - name: Pay
  - name: Keep
  - name: Churn
    exit: true
touchpoints:
  - {name: Sign-up, stage: Start, channel: digital, events: [signup]}
  - {name: Newsletter, stage: Start, channel: digital, events: [news], initiated_by: company}
  - {name: Payment, stage: Pay, channel: digital, events: [pay]}
  - {name: Payment failed, stage: Keep, channel: digital, events: [failed], initiated_by: company}
  - {name: Renewal, stage: Keep, channel: digital, events: [renew]}
  - {name: Cancellation, stage: Churn, channel: digital, events: [cancel]}
"""


def journey_dict() -> dict:
    import yaml

    return yaml.safe_load(JOURNEY_YAML)


def churn_events(seed: int = 1, n: int = 800, *, orphans: int = 3, dates: bool = False,
                 effect: float = 0.6) -> pd.DataFrame:
    """``customer_id``, ``event``, ``timestamp``; rows shuffled (an export is not sorted). ``effect``: the
    chance of leaving after a failed payment (0.1 without one)."""
    rng = np.random.default_rng(seed)
    rows = []
    day = pd.Timedelta(days=1)
    for c in range(n):
        cid = f"s{c:04d}"
        t = pd.Timestamp("2025-01-01") + pd.Timedelta(hours=int(rng.integers(0, 24 * 300)))
        rows.append((cid, "signup", t))
        if rng.random() < 0.5:
            rows.append((cid, "news", t + day * float(rng.uniform(1, 200))))
        if rng.random() < 0.25:
            continue                                              # never pays: cannot leave
        t += day * float(rng.uniform(1, 10))
        rows.append((cid, "pay", t))
        failed = rng.random() < 0.25
        if failed:
            t += day * float(rng.uniform(20, 40))
            rows.append((cid, "failed", t))
        if rng.random() < (effect if failed else 0.1):
            same_day = dates and failed and rng.random() < 0.3
            t += day * (float(rng.uniform(0, 0.2)) if same_day else float(rng.uniform(3, 20)))
            rows.append((cid, "cancel", t))
            if not failed and rng.random() < 0.3:                 # a notice after leaving: not before it
                rows.append((cid, "failed", t + day * float(rng.uniform(2, 9))))
        elif rng.random() < 0.7:
            rows.append((cid, "renew", t + day * float(rng.uniform(30, 60))))
    for c in range(orphans):
        rows.append((f"o{c:03d}", "cancel", pd.Timestamp("2025-06-01") + day * c))
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    ev["timestamp"] = ev["timestamp"].dt.floor("D" if dates else "s")
    return ev.sample(frac=1, random_state=seed).reset_index(drop=True)


def customers_of(ev: pd.DataFrame) -> pd.DataFrame:
    ids = sorted(ev["customer_id"].unique())
    return pd.DataFrame({"customer_id": ids, "size": np.where(np.arange(len(ids)) % 3 == 0, "large", "small")})


def write_folder(root, ev: pd.DataFrame) -> pd.DataFrame:
    """``events.csv``, ``customers.csv`` and the journey in ``root``; returns the customers."""
    customers = customers_of(ev)
    ev.to_csv(root / "events.csv", index=False)
    customers.to_csv(root / "customers.csv", index=False)
    (root / "journey.yaml").write_text(JOURNEY_YAML, encoding="utf-8")
    return customers


def plain_walk(ev: pd.DataFrame, *, share: float = 0.95, dates: bool = False) -> pd.DataFrame:
    """Per touchpoint met before leaving: ``from_stage``, ``n``, ``n_left``, ``n_met``, ``left_met`` in plain
    pandas. Each customer's events in time order (ties: journey order — company contacts first, then
    stage — as a log of dates only is read; the logs here have no other ties); before the first
    cancellation, or the whole log for one who stays; in a log of dates only, only earlier days."""
    rank = {e: (0 if e in COMPANY else 1, [*STAGES, "Churn"].index(STAGE[e])) for e in TOUCHPOINT}
    ev = ev.assign(_k=ev["event"].map(rank)).sort_values(["customer_id", "timestamp", "_k"], kind="stable")
    people = []
    for cid, e in ev.groupby("customer_id", sort=False):
        events, times = list(e["event"]), list(e["timestamp"])
        x = events.index("cancel") if "cancel" in events else len(events)
        before = [(v, t) for v, t in zip(events[:x], times[:x]) if not (dates and x < len(events) and t >= times[x])]
        reached, own = 0, {"Start": "signup", "Pay": "pay", "Keep": "renew"}
        for v in events[:x]:
            if reached < len(STAGES) and v == own[STAGES[reached]]:
                reached += 1
        people.append({"customer_id": cid, "left": x < len(events), "fs": reached,
                       "met": {TOUCHPOINT[v] for v, _ in before if STAGE[v] != "Churn"}})
    p = pd.DataFrame(people)
    leavers = p.loc[p["left"], "fs"]
    k = max(k for k in range(len(STAGES) + 1) if (leavers >= k).sum() >= share * len(leavers))
    p = p[p["fs"] >= k]
    rows = []
    for tp in sorted({t for m in p["met"] for t in m}):
        met = p["met"].map(lambda m: tp in m)
        rows.append({"touchpoint": tp, "from_stage": STAGES[k - 1] if k else "", "n": len(p),
                     "n_left": int(p["left"].sum()), "n_met": int(met.sum()), "left_met": int((met & p["left"]).sum())})
    return pd.DataFrame(rows)
