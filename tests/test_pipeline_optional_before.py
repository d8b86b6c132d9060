"""An optional stage met before the stage before it is counted and placed (D216).

An outside tester's hospital (Referral → Booking → First appointment, "Did not attend" optional):
the report said "reached by 391 of the 2,703 customers counted at First appointment" where 711
patients had missed an appointment; the 320 who missed one before attending (185 never attended)
were in no figure. The sentence now counts every customer with an event at the optional stage and
says where they were in the funnel, by the funnel's own order rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inprocess import run_cells
from jmtools import pipeline
from jmtools.analyses.funnels import off_funnel_reach
from table_subsets import shown_text

NB00 = Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb"

JOURNEY = """\
jmtools: 1
name: Outpatients
personas:
  - {name: Young, rule: 'age_band == "16-24"'}
  - {name: Older, rule: 'age_band == "75+"'}
  - {name: Everyone else, rest: true}
stages:
  - name: Referral
  - name: Booking
  - name: First appointment
  - name: Did not attend
    optional: true
  - name: Follow-up
touchpoints:
  - {name: Letter, stage: Referral, channel: physical, events: [referred]}
  - {name: Booked, stage: Booking, channel: physical, events: [booked]}
  - {name: First visit, stage: First appointment, channel: interpersonal, events: [attended]}
  - {name: Missed, stage: Did not attend, channel: interpersonal, events: [dna]}
  - {name: Follow-up visit, stage: Follow-up, channel: interpersonal, events: [follow_up]}
"""
STAGE = {"referred": "Referral", "booked": "Booking", "attended": "First appointment", "dna": "Did not attend",
         "follow_up": "Follow-up"}
CHAIN = ["Referral", "Booking", "First appointment"]


def _world(folder: Path, seed: int = 50, bands=("16-24", "75+", "40-59"), n: int = 600) -> pd.DataFrame:
    """``n`` patients: most are booked; the young miss their first appointment far more often (some
    never come), others miss a later one; a few miss one before their referral is even logged."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY)
    rows, people = [], []
    for c in range(n):
        cid, band = f"p{c:03d}", bands[c % len(bands)]
        people.append((cid, band))
        t = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=5 * c)
        day = lambda d: t + pd.Timedelta(days=d)            # noqa: E731
        if rng.random() < 0.05:
            rows.append((cid, "dna", day(-2)))              # missed before the referral was logged
        rows.append((cid, "referred", day(0)))
        if rng.random() < 0.9:
            rows.append((cid, "booked", day(3)))
            if rng.random() < (0.35 if band == "16-24" else 0.12):
                rows.append((cid, "dna", day(20)))          # missed the first appointment
                if rng.random() < 0.5:
                    continue                                # never came
            rows.append((cid, "attended", day(30)))
            if rng.random() < 0.2:
                rows.append((cid, "dna", day(60)))          # missed a follow-up
            rows.append((cid, "follow_up", day(70)))
    pd.DataFrame(people, columns=["customer_id", "age_band"]).to_csv(folder / "customers.csv", index=False)
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    events.to_csv(folder / "events.csv", index=False)
    return events.merge(pd.DataFrame(people, columns=["customer_id", "age_band"]), on="customer_id")


def _walk(events: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas, per patient with a DNA: ``after`` (a DNA after the strict chain reaches First
    appointment), ``never`` (the chain never reaches it), else a DNA only before it."""
    out = []
    for cid, part in events.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
        stages = [STAGE[e] for e in part["event"]]
        if "Did not attend" not in stages:
            continue
        k, at = 0, None
        for i, s in enumerate(stages):
            if k < len(CHAIN) and s == CHAIN[k]:
                k += 1
                at = i if k == len(CHAIN) else at
        after = at is not None and "Did not attend" in stages[at + 1:]
        out.append({"customer_id": cid, "band": part["age_band"].iloc[0], "after": after, "never": at is None})
    return pd.DataFrame(out)


def _truth(walk: pd.DataFrame) -> dict:
    return {"n_any": len(walk), "n_after": int(walk["after"].sum()), "n_never": int(walk["never"].sum()),
            "n_later": int((~walk["after"] & ~walk["never"]).sum())}


def test_every_customer_at_the_optional_stage_is_counted_by_where_they_were(tmp_path):
    events = _world(tmp_path / "h")
    walk = _walk(events)
    truth = _truth(walk)
    assert truth["n_never"] > 10 and truth["n_later"] > 10 and truth["n_after"] > 10     # planted all three
    f = pipeline.run(tmp_path / "h")
    (row,) = f.optional
    assert row["n"] == truth["n_after"] and row["after"] == "First appointment"
    e = row["elsewhere"]
    assert {k: e[k] for k in truth} == truth and not e["small"]
    by = off_funnel_reach(f.evidence, steps=CHAIN, stage="Did not attend", by="persona").set_index("persona")
    young = _truth(walk[walk["band"] == "16-24"])
    assert by.loc["Young", "n_before"] - by.loc["Young", "n_never"] == young["n_later"]
    assert by.loc["Young", ["n_any", "n_after", "n_never"]].tolist() == [young[k] for k in ("n_any", "n_after",
                                                                                            "n_never")]


@pytest.mark.parametrize("persona", ["all", "Young"])
def test_the_report_says_where_customers_were_when_they_reached_it(tmp_path, persona):
    events = _world(tmp_path / "h")
    walk = _walk(events)
    mine = walk if persona == "all" else walk[walk["band"] == "16-24"]
    t = _truth(mine)
    text = shown_text(run_cells(NB00, {"data_dir": str(tmp_path / "h"), "persona": persona}).displayed)
    assert (f"In all {t['n_any']:,} customers had an event at this stage: {t['n_after']:,} after **First "
            f"appointment** (the count above) and {t['n_later'] + t['n_never']:,} before it, which that count leaves "
            f"out — {t['n_never']:,} of them never reached First appointment (as the funnel counts), "
            f"{t['n_later']:,} reached it later.") in text


def test_a_persona_with_fewer_than_5_before_is_not_said_and_gives_nothing_back(tmp_path):
    """Older patients rarely miss an appointment: with 1–4 of them in some part, no persona's split
    is said (everyone's less the others' would give it back), and everyone's names it in words."""
    events = _world(tmp_path / "h", seed=7, bands=("16-24", "40-59") * 9 + ("75+", "16-24"), n=400)
    walk = _walk(events)
    old = _truth(walk[walk["band"] == "75+"])
    assert any(0 < old[k] < 5 for k in ("n_after", "n_later", "n_never"))
    young = shown_text(run_cells(NB00, {"data_dir": str(tmp_path / "h"), "persona": "Young"}).displayed)
    assert "how many is not said per persona" in young and "In all" not in young
    everyone = _truth(walk)
    text = shown_text(run_cells(NB00, {"data_dir": str(tmp_path / "h"), "persona": "all"}).displayed)
    if any(0 < everyone[k] < 5 for k in ("n_after", "n_later", "n_never")):
        assert "fewer than 5" in text and f"{everyone['n_any']:,} customers had" not in text
    else:
        assert f"In all {everyone['n_any']:,} customers had an event at this stage" in text


@pytest.mark.parametrize("persona", ["all", "Young"])
def test_the_biggest_loss_says_who_had_the_optional_stage_instead(tmp_path, persona):
    """Fault 5 of the hospital tester (D219): "93 of 459 customers do not go on" between Booking and
    First appointment, last seen at the hospital's discharge letter, read as patients who left after
    booking; every one of them had missed the appointment (the optional stage beside it)."""
    events = _world(tmp_path / "h")
    walk = _walk(events)
    t = _truth(walk if persona == "all" else walk[walk["band"] == "16-24"])
    text = shown_text(run_cells(NB00, {"data_dir": str(tmp_path / "h"), "persona": persona}).displayed)
    assert "The biggest loss is between **Booking** and **First appointment**" in text
    assert (f"{t['n_never']:,} customers the funnel never counts at **First appointment** had an event at **Did not "
            f"attend** instead (an optional stage beside it; see below): the loss counts them.") in text


def test_no_hint_to_look_at_the_company_letter_when_the_lost_had_the_optional_stage(tmp_path):
    """Those who never came were discharged by letter after their last step (D258), yet the
    missed appointment, not the letter, is what the loss holds (D219); without the optional stage's
    customers the hint stays (tests/test_report_funnel_notes_last_seen.py)."""
    events = _world(tmp_path / "h")
    folder = tmp_path / "h"
    (folder / "journey.yaml").write_text(JOURNEY.replace(
        "  - name: Follow-up\n", "  - name: Follow-up\n  - name: Discharge\n") + "  - {name: Discharged, stage: "
        "Discharge, channel: physical, events: [discharged], initiated_by: company}\n")
    ended = events.sort_values("timestamp").groupby("customer_id").tail(1)        # everyone is discharged
    letters = ended[["customer_id"]].assign(event="discharged", timestamp=ended["timestamp"] + pd.Timedelta(days=3))
    pd.concat([events[["customer_id", "event", "timestamp"]], letters]).to_csv(folder / "events.csv", index=False)
    text = shown_text(run_cells(NB00, {"data_dir": str(folder), "persona": "Young"}).displayed)
    assert "The biggest loss is between **Booking** and **First appointment**" in text
    assert "first most often with *Discharged* (Discharge)" in text         # what followed their last step (D258)
    assert "look at what it asks of customers" not in text
