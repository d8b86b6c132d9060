"""Cases shared by the pain point tests (plain functions, not fixtures).

A synthetic shoe shop with planted pain (Ben drops off at Decision, Maya is unhappy on the
Product page, everybody complains at Returns, Sam waits at Consideration and loops in the
Cart), and the sample worlds run through the whole chain, computed once per test session.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd

from jmtools.analyses import painpoints as pp
from jmtools import pipeline
from jmtools.sample_worlds import load_truths

STAGES = ["Awareness", "Consideration", "Decision", "Post-purchase"]
PERSONAS = ["Ben", "Maya", "Sam"]
TOUCHPOINTS = {"Ads": "Awareness", "Product page": "Consideration", "Cart": "Decision",
               "Checkout": "Decision", "Returns": "Post-purchase"}

JOURNEY = """\
jmtools: 1
name: Shoes
personas: [{name: Ben}, {name: Maya}, {name: Sam}]
stages: [{name: Awareness}, {name: Consideration}, {name: Decision}, {name: Post-purchase}]
touchpoints:
  - {name: Ads, stage: Awareness, channel: digital}
  - {name: Product page, stage: Consideration, channel: digital}
  - {name: Cart, stage: Decision, channel: digital}
  - {name: Checkout, stage: Decision, channel: digital}
  - {name: Returns, stage: Post-purchase, channel: digital}
pain_points:
  - {id: hidden-fees, title: Fees appear at payment, stage: Decision, touchpoint: Checkout,
     personas: [Ben], severity: 4}
  - {id: info-overload, title: Too many ads, stage: Awareness, severity: 2}
"""


def funnel_frame():
    """Engine-shaped funnel: 1000 per persona; Ben loses 60% at Decision, others 15%."""
    conv = {"Awareness": 0.7, "Consideration": 0.6, "Decision": 0.85}
    rows = []
    for persona in PERSONAS:
        n_prev = 1000
        n = 1000
        for i, stage in enumerate(STAGES, start=1):
            if i > 1:
                rate = 0.4 if (persona == "Ben" and STAGES[i - 2] == "Decision") else conv[STAGES[i - 2]]
                n_prev, n = n, int(round(n * rate))
            rows.append({"persona": persona, "step_index": i, "step": stage, "n": n, "n_prev": n_prev})
    return pd.DataFrame(rows)


def valence_frame(seed=0):
    """Observation rows; Maya is unhappy at Consideration / Product page."""
    rng = np.random.default_rng(seed)
    rows = []
    for persona in PERSONAS:
        for tp, stage in TOUCHPOINTS.items():
            mean = -1.0 if (persona == "Maya" and tp == "Product page") else 0.6
            for v in rng.normal(mean, 0.7, 80):
                rows.append({"persona": persona, "stage": stage, "touchpoint": tp,
                             "valence": float(np.clip(v, -2, 2))})
    return pd.DataFrame(rows)


def ticket_frame():
    """Everybody complains at Returns (30% of the customers who reached Post-purchase)."""
    f = funnel_frame()
    rows, k = [], 0
    for r in f.itertuples():
        share = 0.30 if r.step == "Post-purchase" else 0.03
        tp = {"Post-purchase": "Returns", "Decision": "Checkout", "Consideration": "Product page",
              "Awareness": "Ads"}[r.step]
        for i in range(int(round(r.n * share))):
            rows.append({"ticket_id": f"t{k}", "customer_id": f"{r.persona}-{r.step}-{i}",
                         "stage": r.step, "touchpoint": tp, "persona": r.persona})
            k += 1
    return pd.DataFrame(rows)


def times_frame(everybody=False):
    """Engine-shaped time_between_stages; Consideration → Decision is slow for Sam."""
    rows = []
    for persona in PERSONAS:
        for i, (a, b) in enumerate(zip(STAGES, STAGES[1:]), start=2):
            slow = a == "Consideration" and (everybody or persona == "Sam")
            median = 200.0 if slow else 20.0
            rows.append({"persona": persona, "step_index": i, "from_step": a, "step": b, "n": 300,
                         "median_h": median, "p90_h": median * 3})
    return pd.DataFrame(rows)


def loops_frame():
    rows = []
    for persona in PERSONAS:
        for tp in TOUCHPOINTS:
            share = 0.45 if (persona == "Sam" and tp == "Cart") else 0.08
            rows.append({"persona": persona, "step": tp, "n_visitors": 500, "n": int(500 * share)})
    return pd.DataFrame(rows)


def shoe_journey():
    from jmtools.journey import Journey

    return Journey.from_yaml(JOURNEY)


def shoe_signals(journey):
    f = funnel_frame()
    reached = f.rename(columns={"step": "stage", "n": "entered"})
    return pp.combine_signals(
        pp.dropoff_signal(f),
        pp.valence_signal(valence_frame()),
        pp.complaint_signal(ticket_frame(), reached),
        pp.slow_step_signal(times_frame()),
        pp.loop_signal(loops_frame(), journey=journey))


# ---------------------------------------------------------------- the sample worlds
DATA = Path(__file__).resolve().parents[1] / "data"


@functools.lru_cache(maxsize=None)
def sample_world(world, *, true_personas=False):
    """The whole chain a notebook runs (pipeline.run), on a sample world.

    Cached: the detection and the persona-report tests share one run per world."""
    from jmtools.sources import load_world

    personas = (pd.read_csv(DATA / world / "customer_personas.csv") if true_personas else None)
    found = pipeline.run(load_world(DATA / world), assignment=personas, n_themes=8).pain_points
    return found, load_truths(world)


def focus_report(found, world, persona):
    from jmtools.journey import Journey

    j = Journey.load(DATA / world / "journey.yaml")
    return pp.detect_pain_points(found.signals, journey=j, themes=found.themes, persona=persona)


def plain_reached(world, persona, personas=None):
    """Customers of a persona reaching each stage: a plain-pandas greedy strict stage funnel."""
    from jmtools.journey import Journey
    from jmtools.personas import assign_personas

    j = Journey.load(DATA / world / "journey.yaml")
    events = pd.read_parquet(DATA / world / "events.parquet")
    stage_of = {}
    for e in events["event"].unique():
        for tp in j.touchpoints:
            if any(re.fullmatch(p, e) for p in tp.events):
                stage_of[e] = tp.stage
                break
    events["stage"] = events["event"].map(stage_of)
    if personas is None:
        personas = assign_personas(pd.read_csv(DATA / world / "customers.csv"), j)
    who = personas.set_index("customer_id")["persona"].astype(object)
    mine = set(who[who == persona].index)
    reached = {s: 0 for s in j.stage_names}
    ev = events[events["customer_id"].isin(mine) & events["stage"].notna()]
    for _, grp in ev.sort_values("timestamp", kind="stable").groupby("customer_id"):
        t = pd.Timestamp.min
        for stage in j.stage_names:
            later = grp[(grp["stage"] == stage) & (grp["timestamp"] >= t)]
            if later.empty:
                break
            reached[stage] += 1
            t = later["timestamp"].iloc[0]
    return reached, len(mine)


def exit_world(seed=3):
    """A telecom-like world with a planted exit stage (Port out): 300 customers, events at
    Discover, Activate for 200, a port-out event for 40; complaints at Port out from 30
    customers of whom 20 have no port-out event (a port-out that did not go through), two of
    them twice, at Activate, with no place, and naming a stage the journey lacks."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i:03d}" for i in range(300)]
    ported = list(rng.choice(ids, 40, replace=False))
    rows = ([(c, "2026-03-01 10:00", "home_visit") for c in ids]
            + [(c, "2026-03-02 10:00", "sim_activated") for c in ids[:200]]
            + [(c, "2026-04-01 10:00", "port_out") for c in ported])
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).assign(
        timestamp=lambda d: pd.to_datetime(d["timestamp"]))
    stayed = [c for c in ids if c not in ported]
    at_exit = ported[:10] + list(rng.choice(stayed, 20, replace=False))
    tickets = pd.DataFrame({
        "customer_id": at_exit + at_exit[:2] + ids[:15] + ids[15:18] + ids[18:20],
        "stage": ["Port out"] * 32 + ["Activate"] * 15 + [None] * 3 + ["Billing"] * 2,
        "touchpoint": [None] * 52})
    journey = {"stages": ["Discover", "Activate", {"name": "Port out", "exit": True}], "touchpoints": [
        {"name": "Home", "stage": "Discover", "events": ["home_visit"]},
        {"name": "Act", "stage": "Activate", "events": ["sim_activated"]},
        {"name": "Port", "stage": "Port out", "events": ["port_out"]}]}
    return events, tickets, journey



#: A journey with an exit stage, Port out (also notebook 02's tests).
EXIT_JOURNEY = """jmtools: 1
name: exit
stages:
  - name: Discover
  - name: Activate
  - name: Port out
    exit: true
touchpoints:
  - {name: Home, stage: Discover, channel: digital, events: [home_visit]}
  - {name: Act, stage: Activate, channel: digital, events: [sim_activated]}
  - {name: Port, stage: Port out, channel: interpersonal, events: [port_out]}
"""


def exit_world_folder(tmp_path):
    """:func:`exit_world` as a folder: the complaints split between a help desk's tickets and a
    complaint log in the feedback (D176), beside app reviews that are no complaints. Returns the
    folder, the events and the complaints (customer_id, stage) the complaint signal reads."""
    events, complaints, _ = exit_world()
    folder = tmp_path / "exit"
    folder.mkdir()
    events.to_csv(folder / "events.csv", index=False)
    k = len(complaints)
    log = complaints.iloc[::2]                 # every other complaint from the complaint log
    desk = complaints.drop(log.index)
    stamp = "2026-04-02 10:00:00"
    pd.DataFrame({"ticket_id": [f"T{i}" for i in range(len(desk))], "customer_id": desk["customer_id"].to_numpy(),
                  "timestamp": stamp, "stage": desk["stage"].to_numpy()}).to_csv(folder / "tickets.csv", index=False)
    reviews = events["customer_id"].drop_duplicates().head(30)
    pd.DataFrame({"feedback_id": [f"F{i}" for i in range(len(log) + len(reviews))],
                  "customer_id": [*log["customer_id"], *reviews], "timestamp": stamp,
                  "text": ["Port-out request stuck, still billed; agent promised a call back."] * len(log)
                  + ["Fast activation, nice app"] * len(reviews),
                  "source": ["complaint"] * len(log) + ["app review"] * len(reviews),
                  "stage": [*log["stage"], *["Activate"] * len(reviews)]}).to_csv(folder / "feedback.csv", index=False)
    (folder / "journey.yaml").write_text(EXIT_JOURNEY, encoding="utf-8")
    assert k == len(log) + len(desk)
    return folder, events, complaints
