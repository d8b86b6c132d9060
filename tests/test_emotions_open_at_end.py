"""A trend over time of behaviour does not read customers still open at the data's end as lost (D190).

Seeded applications: a decision 20–120 days after the upload for 85% (no change), or for a share
falling from 95% to 60% over the months (a real worsening planted); nothing after the cut-off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses import emotions, valence
from jmtools.evidence import prepare
from jmtools.journey import Journey
from permit_world import permit_events

JOURNEY = {"name": "Permits", "stages": [{"name": "Apply"}, {"name": "Upload"}, {"name": "Decision"}],
           "touchpoints": [{"name": "Portal", "stage": "Apply", "events": ["apply"], "channel": "digital"},
                           {"name": "Documents", "stage": "Upload", "events": ["upload"], "channel": "digital"},
                           {"name": "Letter", "stage": "Decision", "events": ["decide"], "channel": "physical"}]}
def _evidence(rate=lambda month: 0.85, seed=2):
    ev = permit_events(rate, seed=seed)
    journey = Journey.model_validate(JOURNEY)
    return ev, emotions.emotion_evidence(journey, events=prepare(ev, journey),
                                         behaviour_rules=list(valence.BEHAVIOUR_RULES))


def _upload_direction(evidence):
    return emotions.trend_slopes(evidence).set_index("stage").loc["Upload", "direction"]


def test_open_cases_are_left_out_and_counted_as_plain_pandas_does():
    ev, evidence = _evidence()
    opened = emotions.open_at_end(evidence).set_index("stage")
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="max")
    hours = ((wide["decide"] - wide["upload"]).dt.total_seconds() / 3600).dropna()
    window = np.quantile(hours, 0.99)
    assert opened.loc["Upload", "window_hours"] == window
    recent = wide["upload"] > ev["timestamp"].max() - pd.Timedelta(hours=window)
    assert opened.loc["Upload", "left_out"] == int(recent.sum())
    assert opened.loc["Upload", "open"] == int((recent & wide["decide"].isna()).sum())
    assert "may still go on" in opened.attrs["note"]
    assert _upload_direction(evidence) == "no clear trend"


def test_without_the_window_the_cut_off_reads_as_worsening():
    """What the report said before D190: the last months' open cases read as abandonment."""
    _, evidence = _evidence()
    kept = evidence[evidence["timestamp"].notna()].assign(source="survey")   # no behaviour: nothing left out
    assert emotions.open_at_end(kept).empty
    assert emotions.trend_slopes(kept).set_index("stage").loc["Upload", "direction"] == "worsening"


def test_a_planted_worsening_is_still_found():
    _, evidence = _evidence(rate=lambda month: 0.95 - 0.35 * min(month, 18) / 18)
    assert _upload_direction(evidence) == "worsening"


def _upload_point(evidence):
    curve = emotions.emotion_curve(evidence, journey=Journey.model_validate(JOURNEY), n_boot=200)
    return curve[curve["persona"] == "all"].set_index("stage").loc["Upload"], curve.attrs["still_open"]


def test_the_curve_leaves_open_cases_out_of_a_stages_abandonment_as_plain_pandas_does():
    """D196: the behaviour curve's level at Upload is that of customers who had time to go on."""
    ev, evidence = _evidence()
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="max")
    window = np.quantile(((wide["decide"] - wide["upload"]).dt.total_seconds() / 3600).dropna(), 0.99)
    old = wide[wide["upload"].notna() & (wide["upload"] <= ev["timestamp"].max() - pd.Timedelta(hours=window))]
    point, note = _upload_point(evidence)
    assert point["n"] == len(old)
    assert point["valence"] == -old["decide"].isna().mean()                        # −1 for each who stopped there
    assert point["ci_low"] <= -0.15 <= point["ci_high"]                            # 15% never get a decision
    assert f"leave all {emotions.open_at_end(evidence).set_index('stage').loc['Upload', 'left_out']:,} out " \
           "at Upload" in note
    everyone = wide[wide["upload"].notna()]                       # what the curve said before: −0.26, not −0.15
    naive, _ = _upload_point(evidence.assign(source="survey"))
    assert naive["valence"] == -everyone["decide"].isna().mean() < -0.2


def test_a_planted_level_of_abandonment_is_still_measured():
    _, evidence = _evidence(rate=lambda month: 0.6)
    point, note = _upload_point(evidence)
    assert point["ci_low"] <= -0.4 <= point["ci_high"] and note


def test_a_customer_in_two_personas_is_read_once_and_left_out_in_both():
    _, evidence = _evidence()
    once = emotions.open_at_end(evidence)
    twice = pd.concat([evidence.assign(persona="A"), evidence.assign(persona="B")], ignore_index=True)
    opened = emotions.open_at_end(twice)
    assert opened[["stage", "left_out", "open"]].equals(once[["stage", "left_out", "open"]])
    assert len(opened.attrs["rows"]) == 2 * len(once.attrs["rows"])


def test_a_stage_visited_again_and_again_is_reached_at_its_first_visit():
    """D198: a second letter 60 days after each decision, a second upload 2 days after each first. Timing
    going on by the last visit of each stage stretched the window by the letters' 60 days and left the
    earlier abandoners out; arrival to arrival, the window and the counts are plain pandas' on first
    visits, and no one who stopped long ago is read as still open."""
    ev = permit_events(seed=2)
    again = ev[ev["event"].isin(["upload", "decide"])]
    later = pd.to_timedelta(np.where(again["event"] == "decide", 60, 2), unit="D")
    again = again.assign(timestamp=again["timestamp"] + later)
    ev = pd.concat([ev, again[again["timestamp"] <= ev["timestamp"].max()]], ignore_index=True)
    journey = Journey.model_validate(JOURNEY)
    evidence = emotions.emotion_evidence(journey, events=prepare(ev, journey),
                                         behaviour_rules=list(valence.BEHAVIOUR_RULES))
    opened = emotions.open_at_end(evidence).set_index("stage")
    first = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    window = np.quantile(((first["decide"] - first["upload"]).dt.total_seconds() / 3600).dropna(), 0.99)
    assert opened.loc["Upload", "window_hours"] == window < 121 * 24             # not stretched by the letters
    recent = first["upload"] > ev["timestamp"].max() - pd.Timedelta(hours=window)
    assert opened.loc["Upload", "left_out"] == int(recent.sum())
    assert opened.loc["Upload", "open"] == int((recent & first["decide"].isna()).sum())
    assert "customers who reached Upload after" in opened.attrs["note"]


def test_a_personas_count_is_of_its_own_customers_under_the_rule_of_all():
    """D199: open_at_end(persona=…) counts that persona's customers; the window, the cut-off and
    what the curve leaves out stay those of all customers (plain pandas)."""
    ev, _ = _evidence()
    ids = sorted(ev["customer_id"].unique())
    firms = set(ids[::3])
    personas = pd.DataFrame({"customer_id": ids, "persona": ["Firm" if c in firms else "Private" for c in ids]})
    journey = Journey.model_validate(JOURNEY)
    evidence = emotions.emotion_evidence(journey, events=prepare(ev, journey), personas=personas,
                                         behaviour_rules=list(valence.BEHAVIOUR_RULES))
    everyone, mine = emotions.open_at_end(evidence), emotions.open_at_end(evidence, persona="Firm")
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    window = np.quantile(((wide["decide"] - wide["upload"]).dt.total_seconds() / 3600).dropna(), 0.99)
    recent = (wide["upload"] > ev["timestamp"].max() - pd.Timedelta(hours=window)) & wide.index.isin(firms)
    up = mine.set_index("stage").loc["Upload"]
    assert up["window_hours"] == everyone.set_index("stage").loc["Upload", "window_hours"] == window
    assert (up["left_out"], up["open"]) == (int(recent.sum()), int((recent & wide["decide"].isna()).sum()))
    assert 0 < up["open"] < everyone.set_index("stage").loc["Upload", "open"]
    assert "customers of Firm who reached Upload" in mine.attrs["note"]
    assert mine.attrs["rows"] == everyone.attrs["rows"]
    assert emotions.open_at_end(evidence, persona="Nobody").empty


def test_a_personas_count_is_not_said_where_it_would_give_another_groups_1_to_4_back():
    """D209: all customers' note says how many are open at Upload; a persona's count beside it would give
    the other persona's back by subtraction. Where that other persona has 1–4 open (three planted), the
    persona's note says no count; with five or more it does. The curve's rows are the same either way."""
    ev, _ = _evidence()
    ids = sorted(ev["customer_id"].unique())
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    window = np.quantile(((wide["decide"] - wide["upload"]).dt.total_seconds() / 3600).dropna(), 0.99)
    opened = wide.index[(wide["upload"] > ev["timestamp"].max() - pd.Timedelta(hours=window))
                        & wide["decide"].isna()]
    journey = Journey.model_validate(JOURNEY)
    notes = {}
    for k in (3, 8):
        firms = set(opened[:k])                   # Firm: only k of the open applicants, and no one else
        personas = pd.DataFrame({"customer_id": ids, "persona": ["Firm" if c in firms else "Private" for c in ids]})
        evidence = emotions.emotion_evidence(journey, events=prepare(ev, journey), personas=personas,
                                             behaviour_rules=list(valence.BEHAVIOUR_RULES))
        mine = emotions.open_at_end(evidence, persona="Private")
        up = mine.set_index("stage").loc["Upload"]
        assert up["open"] == len(opened) - k                              # counted all the same
        notes[k] = mine.attrs
        assert mine.attrs["rows"] == emotions.open_at_end(evidence).attrs["rows"]
    assert "Upload" in notes[3]["unsaid"] and f"{len(opened) - 3:,} of the" not in notes[3]["note"]
    assert "How many is not said here" in notes[3]["note"]
    assert "Upload" not in notes[8]["unsaid"] and f"{len(opened) - 8:,} of the" in notes[8]["note"]
