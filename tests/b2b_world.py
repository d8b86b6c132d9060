"""A seeded B2B world: the journey is the account's, its events are written per user (D256).

Accounts of 2–30 users (SMB 2–6, Enterprise 15–30) go Trial → Setup → Team → Integrate →
Purchase. The account's first admin starts the trial, sets up the workspace, connects the
integration and buys; every user of the account accepts their invitation and creates their first
project once, at their own times (interleaved with the other users', some after the integration).
Planted: no loop, no detour, no copied row, except one real loop (:data:`LOOPER`: one user accepts
a second invitation after creating a project) and one real copy (:data:`COPIED`: one user's
project row exported twice). The monthly usage e-mail goes to each of an account's 2–3 admins at
the same moment (no copy). A price notice has no user (the account's own). Survey answers are
keyed by user, with no account column: to the user's account; :data:`MOVER` acts for two accounts
(answers before and after the move); :data:`GHOST` is a user of no account. :func:`plain_loops`
and :func:`plain_answers` are the plain pandas oracles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

LOOPER = ("A003", "A003-u1")
COPIED = ("A005", "A005-u1")
MOVER = "A001-u1"
GHOST = "u-ghost"
START = pd.Timestamp("2025-01-06 09:00")

JOURNEY_YAML = """jmtools: 1
name: Team tool
personas:
  - {name: SMB, rule: "segment == 'SMB'"}
  - {name: Enterprise, rule: "segment == 'Enterprise'"}
stages:
  - {name: Trial}
  - {name: Setup}
  - {name: Team}
  - {name: Integrate}
  - {name: Purchase}
touchpoints:
  - {name: Trial start, stage: Trial, channel: digital, events: [trial_started]}
  - {name: Workspace, stage: Setup, channel: digital, events: [workspace_created]}
  - {name: Invite dialog, stage: Team, channel: digital, events: [invite_accepted]}
  - {name: First project, stage: Team, channel: digital, events: [project_created]}
  - {name: Usage report, stage: Team, channel: digital, initiated_by: company, events: [usage_report_email]}
  - {name: Price notice, stage: Team, channel: digital, initiated_by: company, events: [price_notice]}
  - {name: Integration, stage: Integrate, channel: digital, events: [integration_connected]}
  - {name: Plan, stage: Purchase, channel: digital, events: [plan_purchased]}
"""

LOADING_YAML = """events:
  columns: {customer_id: account_id, timestamp: ts, event: event_name}
  actor: user_id
customers:
  columns: {customer_id: account_id}
surveys:
  columns: {customer_id: user_id, timestamp: submitted}
  metrics: {nps: score}
"""


def b2b_world(seed: int = 56, n: int = 40):
    """``(events, customers, surveys)``: events with ``account_id``, ``user_id`` (blank for the
    price notice) and the user's ``role``, surveys keyed by ``user_id`` only."""
    rng = np.random.default_rng(seed)
    events, customers, surveys = [], [], []
    for a in range(n):
        acc = f"A{a:03d}"
        big = a % 4 == 0
        customers.append((acc, "Enterprise" if big else "SMB"))
        users = [f"{acc}-u{i}" for i in range(int(rng.integers(15, 31) if big else rng.integers(2, 7)))]
        admins = users[: min(len(users), 2 + a % 2)]
        t0 = START + pd.Timedelta(hours=int(rng.integers(0, 24 * 60)))
        ev = [(acc, users[0], t0, "trial_started"), (acc, users[0], t0 + pd.Timedelta(hours=5), "workspace_created")]
        integrated = t0 + pd.Timedelta(days=int(rng.integers(5, 20)))
        for i, u in enumerate(users):        # interleaved: invitations over 30 days, each project hours later
            joined = t0 + pd.Timedelta(hours=6 if i == 0 else int(rng.integers(6, 24 * 30)))
            ev += [(acc, u, joined, "invite_accepted"),
                   (acc, u, joined + pd.Timedelta(hours=int(rng.integers(1, 48))), "project_created")]
        if a % 3 != 2:
            ev.append((acc, users[0], integrated, "integration_connected"))
            if a % 2 == 0:
                ev.append((acc, users[0], integrated + pd.Timedelta(days=int(rng.integers(3, 30))), "plan_purchased"))
        for m in range(1, 3):                # the same monthly e-mail to each admin at one moment
            ev += [(acc, adm, t0 + pd.Timedelta(days=30 * m), "usage_report_email") for adm in admins]
        ev.append((acc, None, t0 + pd.Timedelta(days=40), "price_notice"))
        events += ev
        for u in users[:3]:
            surveys.append((u, t0 + pd.Timedelta(days=int(rng.integers(35, 60))), int(rng.integers(0, 11))))
    _plant(events, surveys)
    ev = pd.DataFrame(events, columns=["account_id", "user_id", "ts", "event_name"])
    ev["role"] = ev["user_id"].map(lambda u: None if not isinstance(u, str) else "admin" if u.endswith(("-u0", "-u1")) else "member")
    return (ev.sort_values(["ts", "account_id"], kind="stable", ignore_index=True),
            pd.DataFrame(customers, columns=["account_id", "segment"]),
            pd.DataFrame(surveys, columns=["user_id", "submitted", "score"]))


def _plant(events: list, surveys: list) -> None:
    """The real loop, the real copy, the user of two accounts and the user of none."""
    acc, user = LOOPER
    proj = max(t for a, u, t, e in events if u == user and e == "project_created")
    events.append((acc, user, proj + pd.Timedelta(hours=3), "invite_accepted"))
    acc, user = COPIED
    events.append(next(r for r in events if r[1] == user and r[3] == "project_created"))
    moved = START + pd.Timedelta(days=200)
    events += [("A002", MOVER, moved, "invite_accepted"), ("A002", MOVER, moved + pd.Timedelta(hours=2),
                                                          "project_created")]
    surveys += [(MOVER, moved + pd.Timedelta(days=3), 2), (MOVER, START - pd.Timedelta(days=3), 9),
                (GHOST, START + pd.Timedelta(days=50), 0)]


def write_world(folder: Path, seed: int = 56, n: int = 40, *, loading: str = LOADING_YAML) -> Path:
    """The world as a data folder: events.csv, customers.csv, surveys.csv, journey.yaml, loading.yaml."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    events, customers, surveys = b2b_world(seed, n)
    events.to_csv(folder / "events.csv", index=False)
    customers.to_csv(folder / "customers.csv", index=False)
    surveys.to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(JOURNEY_YAML, encoding="utf-8")
    (folder / "loading.yaml").write_text(loading, encoding="utf-8")
    return folder


def plain_loops(events: pd.DataFrame, touchpoints: dict, *, by_user: bool = True) -> pd.Series:
    """Per touchpoint, the accounts one of whose users (``by_user``; else the account as one)
    comes back to it after something else, among the customer's own steps (plain pandas)."""
    ev = events[events["event_name"].isin(touchpoints)].assign(tp=lambda d: d["event_name"].map(touchpoints))
    keys = ["account_id", "user_id"] if by_user else ["account_id"]
    ev = ev.assign(user_id=ev["user_id"].fillna("")).sort_values([*keys, "ts"], kind="stable")
    prev = ev.groupby(keys)["tp"].shift()
    runs = ev[prev.isna() | (prev != ev["tp"])]
    visits = runs.groupby([*keys, "tp"]).size()
    looping = visits[visits > 1].reset_index()
    return looping.groupby("tp")["account_id"].nunique()


def plain_answers(events: pd.DataFrame, surveys: pd.DataFrame) -> pd.Series:
    """Each answer's account: the account of the user's last event at or before it, else the
    user's first account; NaN for a user of no account (plain pandas, row by row)."""
    out = []
    for user, when in zip(surveys["user_id"], surveys["submitted"]):
        own = events[events["user_id"] == user].sort_values("ts", kind="stable")
        if own.empty:
            out.append(np.nan)
            continue
        before = own[own["ts"] <= when]
        out.append(before["account_id"].iloc[-1] if len(before) else own["account_id"].iloc[0])
    return pd.Series(out, index=surveys.index, dtype=object)
