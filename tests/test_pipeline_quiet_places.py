"""A journey pain point that no measured signal confirms says how many customers have events at
its place (jmtools.pipeline._quiet_places, D177)."""

from __future__ import annotations

import pandas as pd

from jmtools import pipeline

JOURNEY = """jmtools: 1
name: Meter visits
personas:
  - name: North
    rule: "region == 'north'"
stages:
  - name: Sign up
  - name: Install
touchpoints:
  - {name: Form, stage: Sign up, channel: digital, events: [signed]}
  - {name: Missed visit, stage: Install, channel: physical, events: [visit_missed], initiated_by: company}
  - {name: Installed, stage: Install, channel: physical, events: [installed]}
pain_points:
  - {id: missed, title: Engineers miss appointments, stage: Install, severity: 4, evidence: reported}
  - {id: missed-tp, title: Missed visits, stage: Install, touchpoint: Missed visit, severity: 3}
"""


def _folder(tmp_path):
    """300 customers sign up and get their meter; 87 had a visit missed first (a company contact);
    a third live in the north (3 of them missed)."""
    ids = [f"c{i}" for i in range(300)]
    missed = ids[:87]
    rows = [(c, "signed", "2024-01-01 09:00") for c in ids] + [(c, "installed", "2024-01-10 09:00") for c in ids]
    rows += [(c, "visit_missed", "2024-01-05 09:00") for c in missed]
    pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"]).to_csv(tmp_path / "events.csv", index=False)
    region = ["north" if i % 3 == 0 and (i >= 87 or i < 9) else "south" for i in range(300)]
    pd.DataFrame({"customer_id": ids, "region": region}).to_csv(tmp_path / "customers.csv", index=False)
    (tmp_path / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    return tmp_path


def test_a_pain_point_without_a_signal_says_how_many_customers_its_place_has(tmp_path):
    """An energy supplier's "Engineers miss smart meter appointments" read "no signal in the data at
    this stage/touchpoint" though 866 households had a missed-visit event, a touchpoint the
    company starts. The sentence now counts the place's customers as plain pandas does, marks
    the company's contacts and keeps score 0 and no customers affected (no signal, no stake)."""
    folder = _folder(tmp_path)
    events = pd.read_csv(folder / "events.csv")
    plain = events.groupby("event")["customer_id"].nunique()
    table = pipeline.run(folder).pain_points.table.set_index("pain_point_id")
    stage = table.loc["missed", "evidence"]
    assert "no signal in the data" not in stage
    assert stage.startswith(f"{events['customer_id'].nunique():,} customers have events at this stage")
    assert f"Missed visit (a contact the company starts) {plain['visit_missed']}" in stage
    assert f"Installed {plain['installed']}" in stage and "none of the signals measured here" in stage
    touchpoint = table.loc["missed-tp", "evidence"]
    assert touchpoint.startswith(f"{plain['visit_missed']} customers have events at this touchpoint (a contact")
    assert (table.loc[["missed", "missed-tp"], "score"] == 0).all()
    assert table.loc[["missed", "missed-tp"], "customers_affected"].isna().all()


def test_a_persona_s_count_of_one_to_four_is_said_fewer_than_five(tmp_path):
    folder = _folder(tmp_path)
    table = pipeline.run(folder, persona="North").pain_points.table.set_index("pain_point_id")
    said = table.loc["missed-tp", "evidence"]
    assert said.startswith("not seen for North: fewer than 5 customers have events at this touchpoint")
    customers = pd.read_csv(folder / "customers.csv")
    north = set(customers.loc[customers["region"] == "north", "customer_id"])
    assert f"{len(north):,} customers have events at this stage" in table.loc["missed", "evidence"]


def test_the_count_said_is_in_a_column_for_the_chart(tmp_path):
    """The chart beside the table says the same count as the row (D184): ``customers_with_events``
    holds it on the quiet rows and is missing on the others."""
    folder = _folder(tmp_path)
    events = pd.read_csv(folder / "events.csv")
    table = pipeline.run(folder).pain_points.table.set_index("pain_point_id")
    assert table.loc["missed", "customers_with_events"] == events["customer_id"].nunique()
    assert table.loc["missed-tp", "customers_with_events"] == \
        events.loc[events["event"] == "visit_missed", "customer_id"].nunique()
    others = table.drop(index=["missed", "missed-tp"])
    assert others["customers_with_events"].isna().all()
