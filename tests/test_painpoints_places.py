"""How many customers a pain point of all customers affects (jmtools.analyses.painpoints.places)."""

from __future__ import annotations

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.priorities import total_value_at_stake, value_at_stake

from segment_cases import SEGMENT, clinic_world

JOURNEY = """jmtools: 1
name: r7
personas:
  - name: Postpaid
    rule: "plan_type == 'postpaid'"
stages:
  - name: Discover
  - name: Activate
touchpoints:
  - {name: Home, stage: Discover, channel: digital, events: [home_visit]}
  - {name: Act, stage: Activate, channel: digital, events: [sim_activated]}
pain_points:
  - {id: slow-activation, title: SIM not active for days, stage: Activate, severity: 4}
"""


def _folder(tmp_path, postpaid: int):
    """100 customers reach Activate and all write a 1-star complaint there (and praise at
    Discover); ``postpaid`` of them are in the only persona."""
    n = 100
    ids = [str(i) for i in range(n)]
    pd.DataFrame({"customer_id": ids * 2, "timestamp": ["2026-03-01 10:00:00"] * n + ["2026-03-03 10:00:00"] * n,
                  "event": ["home_visit"] * n + ["sim_activated"] * n}).to_csv(tmp_path / "events.csv", index=False)
    pd.DataFrame({"customer_id": ids, "plan_type": ["postpaid"] * postpaid + ["prepaid"] * (n - postpaid)}).to_csv(
        tmp_path / "customers.csv", index=False)
    pd.DataFrame({"feedback_id": ["F" + i for i in ids] + ["G" + i for i in ids], "customer_id": ids * 2,
                  "timestamp": "2026-03-04 10:00:00",
                  "text": [f"SIM still not active, terrible, useless {i % 10}" for i in range(n)]
                  + [f"Great plans, love it {i % 10}" for i in range(n)],
                  "stage": ["Activate"] * n + ["Discover"] * n, "rating": [1] * n + [5] * n}).to_csv(
        tmp_path / "feedback.csv", index=False)
    (tmp_path / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("postpaid", [30, 100])
def test_an_all_customers_pain_point_counts_customers_no_persona_selects(tmp_path, postpaid):
    """A telecom test: "SIM not active for days" affected 583 customers in one world and 1,356 in
    the same data with everyone in a persona: the report of all customers summed the personas'
    customers, leaving out the 2,230 no persona selects. Planted: 100 customers at Activate, a
    persona selecting 30 of them gave 30. Now the count is plain pandas's, whatever the rules."""
    folder = _folder(tmp_path, postpaid)
    events = pd.read_csv(folder / "events.csv", dtype={"customer_id": str})
    at_activate = events.loc[events["event"] == "sim_activated", "customer_id"].nunique()
    row = pipeline.run(folder).pain_points.table.set_index("pain_point_id").loc["slow-activation"]
    assert row["customers_affected"] == at_activate == 100
    assert [s["customers"] for s in row["stake"]] == [100]


def test_an_emotion_says_its_n_counts_answers_and_from_how_many_customers(tmp_path):
    """A SaaS test: "emotion +0.45 on −2..+2 (n=1,806)" sat beside a curve of n=602 customers for
    the same stage: three survey answers per customer. The evidence now names the unit: answers,
    and the customers behind them (D195). Oracle: plain pandas on the files."""
    folder = _folder(tmp_path, 30)
    ids = [str(i) for i in range(100)]
    pd.DataFrame({"customer_id": ids * 3, "timestamp": "2026-03-04 10:00:00", "stage": "Activate",
                  "metric": ["csat"] * 100 + ["nps"] * 100 + ["ces"] * 100,
                  "score": [1] * 100 + [0] * 100 + [7] * 100}).to_csv(folder / "surveys.csv", index=False)
    found = pipeline.run(folder).pain_points
    ev = found.evidence
    row = ev[(ev["signal"] == "negative valence") & (ev["persona"] == "all") & (ev["stage"] == "Activate")
             & ev["touchpoint"].isna()].iloc[0]
    surveys = pd.read_csv(folder / "surveys.csv", dtype={"customer_id": str})
    feedback = pd.read_csv(folder / "feedback.csv", dtype={"customer_id": str})
    answers = len(surveys) + int((feedback["stage"] == "Activate").sum())
    people = pd.concat([surveys["customer_id"], feedback.loc[feedback["stage"] == "Activate", "customer_id"]])
    assert (row["n"], row["n_customers"]) == (answers, people.nunique()) == (400, 100)
    text = found.table.set_index("pain_point_id").loc["slow-activation", "evidence"]
    assert f"negative valence {row['value']:+.2f} (n=400 answers from 100 customers) vs " in text
    assert f"other stages (n={int(row['baseline_n']):,} answers)" in text


def test_a_pain_point_is_met_by_everyone_its_signals_affect_its_value_by_those_its_lift_is_measured_on(tmp_path):
    """The hospital tester's segment report: "Drop-off, slow step at Booking … met by 67 customers" —
    the Young adults whose drop-off shares the place, not the segment's patients the slow step (all
    of them against everyone outside) affects. Planted: the segment waits 90 days (30 elsewhere) and
    persona Older is lost after booking 35% (5% others). The pain point counts every patient of the
    segment who reached Booking (plain pandas); its value at stake still rests on Older's drop-off
    (customers won back = Older's customers × their lift), and a total does not cut it (D228). A
    persona's report counts the persona's customers there."""
    folder = clinic_world(tmp_path / "clinic", slow=True, drop=0.0, older_drop=0.3)
    events, people = pd.read_csv(folder / "events.csv"), pd.read_csv(folder / "customers.csv")
    inside = people[(people["clinic"] == "Derm") & (people["source"] == "GP")]
    booked = set(events.loc[events["event"] == "booked", "customer_id"]) & set(inside["customer_id"])
    older = booked & set(inside.loc[inside["age_band"] == "75+", "customer_id"])
    prepared = pipeline.prepare_world(folder, segment=SEGMENT)
    table = pipeline.run(prepared).pain_points.table
    top = table.iloc[0]
    assert top["stage"] == "Booking" and set(top["signals"]) == {"drop-off", "slow step"}
    assert top["personas"] == ["Older"]                      # the persona whose drop-off stands out
    assert top["customers_affected"] == len(booked) > len(older)
    assert [(s["persona"], s["customers"]) for s in top["stake"]] == [("Older", len(older))]
    won = top["stake"][0]["customers"] * top["stake"][0]["lift"]
    assert top["customers_affected"] * top["lift_needed"] == pytest.approx(won)
    backlog = value_at_stake(pd.DataFrame({"id": ["fix"], "pain_points": [[top["pain_point_id"]]]}), table,
                             order_value=10.0)
    assert backlog["value_at_stake"].iloc[0] == pytest.approx(won * 10)
    assert total_value_at_stake(backlog)["value_at_stake"].iloc[0] == pytest.approx(won * 10)
    mine = pipeline.run(prepared, persona="Older").pain_points.table.set_index("stage").loc["Booking"]
    assert mine["customers_affected"] == len(older)


def test_a_pain_point_without_a_drop_off_counts_everyone_who_reached_its_stage_those_still_open_too():
    """D209 meant the customers affected to be everyone who reached the stage (``n_all``), the drop-off
    rate only to leave out those who reached it too recently; a pain point of another signal read the
    drop-off's ``n`` (80 who had time) instead of the 100 there (D228)."""
    from jmtools.analyses import painpoints as pp

    def drop(stage):
        return {"signal": "drop-off", "kind": "rate", "stage": stage, "touchpoint": None, "persona": "all",
                "count": 8, "n": 80, "n_customers": 80, "n_skipped": 0, "count_all": 10, "n_all": 100,
                "n_open": 2, "mean": 0.1, "sd": 0.3, "higher_is_worse": True, "log": False, "unit": "share"}
    felt = pd.DataFrame({"stage": ["A"] * 60 + ["B"] * 60,
                         "valence": [-1.0, -2.0] * 30 + [1.0, 2.0] * 30, "customer_id": range(120)})
    signals = pp.combine_signals(pd.DataFrame([drop("A"), drop("B")]),
                                 pp.valence_signal(felt, touchpoint_col=None, persona_col=None))
    row = pp.detect_pain_points(signals).table.iloc[0]
    assert row["stage"] == "A" and row["signals"] == ["negative valence"]
    assert row["customers_affected"] == 100 and [e["customers"] for e in row["stake"]] == [100]
