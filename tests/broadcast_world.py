"""A subscription app whose weekly push (the company's) is placed in a stage where customers act (D243).

The shape an outside tester's app showed: Trial → First session → Subscribe, a ``Weekly push``
marked ``initiated_by: company`` in First session and sent to every trial starter whatever they
did, and a Billing stage whose only touchpoint is the company's invoice. Planted: LatAm customers
have a first session after 47% of trials, the others after 88%. ``plain_reach`` is the strict
funnel written in plain Python over each customer's events, the oracle of the tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STAGES = ["Trial", "First session", "Subscribe", "Billing"]
JOURNEY = {
    "stages": STAGES,
    "personas": [{"name": "LatAm", "rule": 'region == "LatAm"'}, {"name": "Others", "rest": True}],
    "touchpoints": [
        {"name": "Trial start", "stage": "Trial", "events": ["trial_started"]},
        {"name": "First workout", "stage": "First session", "events": ["session_completed"]},
        {"name": "Weekly push", "stage": "First session", "events": ["push_sent"], "initiated_by": "company"},
        {"name": "Subscription", "stage": "Subscribe", "events": ["subscription_started"]},
        {"name": "Invoice", "stage": "Billing", "events": ["invoice_sent"], "initiated_by": "company"}]}
STAGE_OF = {"trial_started": 0, "session_completed": 1, "push_sent": 1, "subscription_started": 2, "invoice_sent": 3}
#: Events of the company at a stage where customers act: they reach nothing (D243).
BROADCAST = {"push_sent"}
#: The planted share of trial starters with a first session.
SESSION_SHARE = {"LatAm": 0.47, "Others": 0.88}


def broadcast_world(seed: int = 0, n: int = 600) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, customers): ``n`` trial starters, a third of them LatAm; every one gets the weekly
    push (18:00, four weeks from the week of their trial); the planted share has a first session
    1–48 h after the trial, half of those subscribe 1–10 days later and get an invoice a minute
    after."""
    rng = np.random.default_rng(seed)
    rows, customers = [], []
    for i in range(n):
        cid, region = f"u{i:04d}", "LatAm" if i % 3 == 0 else "Other"
        customers.append((cid, region))
        trial = pd.Timestamp("2026-10-01") + pd.Timedelta(seconds=int(rng.integers(0, 86400 * 60)))
        rows.append((cid, "trial_started", trial))
        monday = trial.normalize() - pd.Timedelta(days=trial.dayofweek)
        for week in range(4):
            rows.append((cid, "push_sent", monday + pd.Timedelta(days=7 * week, hours=18)))
        if rng.random() < SESSION_SHARE["LatAm" if region == "LatAm" else "Others"]:
            session = trial + pd.Timedelta(seconds=int(rng.integers(3600, 48 * 3600)))
            rows.append((cid, "session_completed", session))
            if rng.random() < 0.5:
                paid = session + pd.Timedelta(seconds=int(rng.integers(86400, 10 * 86400)))
                rows.append((cid, "subscription_started", paid))
                rows.append((cid, "invoice_sent", paid + pd.Timedelta(minutes=1)))
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    return events, pd.DataFrame(customers, columns=["customer_id", "region"])


def plain_reach(events: pd.DataFrame) -> dict[str, list[pd.Timestamp]]:
    """Plain Python: per customer, when the strict funnel reaches each stage — at a stage where
    customers act by their own event only, at Billing (the company's alone) by the invoice."""
    reached = {}
    for cid, rows in events.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
        times = []
        for event, t in zip(rows["event"], rows["timestamp"]):
            if len(times) < len(STAGES) and STAGE_OF[event] == len(times) and event not in BROADCAST:
                times.append(t)
        reached[cid] = times
    return reached


def mailing_world(seed: int, n: int = 300) -> pd.DataFrame:
    """Customers who get a mailing at Aware, visit (or not), some before the mailing, then cart and
    buy in any order; a push the company sends at Cart to some."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        names = rng.choice(["mail", "view", "cart", "push", "buy"], size=int(rng.integers(1, 7)))
        for name in names:
            rows.append((f"c{i:03d}", str(name), pd.Timestamp("2026-03-01")
                         + pd.Timedelta(minutes=int(rng.integers(0, 10**5)))))
    return pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"]).drop_duplicates(["customer_id", "timestamp"])


#: A mailing (the company's) at the first stage beside the customers' own visit, a push at Cart.
MAILING_JOURNEY = {"stages": ["Aware", "Cart", "Buy"], "touchpoints": [
    {"name": "Mail", "stage": "Aware", "events": ["mail"], "initiated_by": "company"},
    {"name": "Site", "stage": "Aware", "events": ["view"]},
    {"name": "Basket", "stage": "Cart", "events": ["cart"]},
    {"name": "Push", "stage": "Cart", "events": ["push"], "initiated_by": "company"},
    {"name": "Shop", "stage": "Buy", "events": ["buy"]}]}
