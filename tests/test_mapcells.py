"""The content of the journey map: the cells frame of jmtools.analyses.mapcells."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jmtools.analyses.mapcells import CELL_COLUMNS, MAP_LANES, map_cells
from jmtools.core.errors import DataError, ParameterError
from jmtools.journey import LANES, Journey

JOURNEY = """
jmtools: 1
name: Running shoes online
owner: CX team
version: "3"
updated: 2026-11-01
personas:
  - {name: Budget Ben, rule: "age < 30"}
  - {name: Marathon Maya, rule: "age >= 30"}
stages:
  - name: Awareness
    goal: Find shoes that suit my running
    owner: Marketing
    emotion: {Budget Ben: 0, Marathon Maya: 1}
    actions:
      - Sees an ad
      - {text: Asks a friend who runs marathons which brand to buy, evidence: reported,
         source: interviews}
    thoughts: [{text: "Which shoe is right for me?", personas: [Budget Ben]}]
    feelings: [Curious]
  - name: Consideration
    goal: Compare a few models
    emotion: {Budget Ben: -1, Marathon Maya: 0.5}
    actions: [Reads reviews, Opens size chart]
    thoughts: [{text: Is this the fastest shoe?, personas: [Marathon Maya]}]
    feelings: [{text: Unsure, evidence: measured, source: survey Q3}]
    backstage: [Review moderation]
  - name: Decision
    owner: Checkout squad
    emotion: {Budget Ben: -2, Marathon Maya: -0.5}
    actions: [Adds to cart]
    frontstage: [Checkout page]
    support: [Pricing engine]
touchpoints:
  - {name: Social ads, stage: Awareness, channel: digital, events: [ad_click]}
  - {name: Friend, stage: Awareness, channel: interpersonal, direct: false}
  - {name: Product page, stage: Consideration, channel: digital, moment_of_truth: true,
     owner: Web team}
  - {name: Checkout, stage: Decision, channel: digital, owner: Checkout squad}
pain_points:
  - {id: no-size-chart, title: Size chart missing, stage: Consideration, severity: 4,
     evidence: measured}
  - {id: hidden-fees, title: Shipping fee appears only at payment, stage: Decision,
     personas: [Budget Ben], severity: 5, evidence: reported}
opportunities:
  - {id: fees-early, title: Show delivery cost early, pain_points: [hidden-fees],
     owner: Checkout squad, status: planned, target_date: 2027-03-31}
  - {id: size-chart, title: Size chart everywhere, pain_points: [no-size-chart]}
  - {id: loyalty, title: Loyalty programme}
"""


@pytest.fixture
def journey() -> Journey:
    return Journey.from_yaml(JOURNEY)


def _emotion(journey, personas=("Budget Ben", "Marathon Maya")):
    rows = []
    for p, offset in zip(personas, (0.0, 0.5)):
        for i, stage in enumerate(journey.stage_names):
            mean = 0.5 - i * 0.5 + offset
            rows.append({"stage": stage, "persona": p, "mean": mean, "n": 40 + i,
                         "ci_low": mean - 0.25, "ci_high": mean + 0.25})
    return pd.DataFrame(rows)


KPIS = pd.DataFrame({"stage": ["Awareness", "Consideration", "Decision", "Decision"],
                     "metric": ["conversion", "conversion", "conversion", "csat"],
                     "value": [0.42, 0.31, 0.64, 4.12], "n": [5000, 2100, 650, 300],
                     "ci_low": [0.41, 0.29, 0.60, 3.9], "ci_high": [0.43, 0.33, 0.68, 4.3]})


def test_cells_columns_and_order(journey):
    cells = map_cells(journey)
    assert list(cells.columns) == CELL_COLUMNS
    assert list(cells["stage"].cat.categories) == journey.stage_names
    assert cells["stage"].cat.ordered and cells["lane"].cat.ordered
    # lanes follow MAP_LANES order; rows sorted by lane then stage (journey order)
    lanes = list(cells["lane"].cat.categories)
    assert lanes == [k for k in MAP_LANES if k in lanes]
    placed = cells[cells["stage"].notna()]
    keys = list(zip(placed["lane"].cat.codes, placed["stage"].cat.codes))
    assert keys == sorted(keys)


def test_claims_match_an_independent_count(journey):
    """Every claim of every lane lands in its cell (oracle: walk the YAML as plain dicts)."""
    from ruamel.yaml import YAML

    doc = YAML(typ="safe").load(JOURNEY)
    cells = map_cells(journey, lanes=list(LANES))
    for stage in doc["stages"]:
        for lane in LANES:
            expected = [c if isinstance(c, str) else c["text"] for c in stage.get(lane, [])]
            got = cells[(cells["lane"] == lane) & (cells["stage"] == stage["name"])]
            assert list(got["text"]) == expected, (lane, stage["name"])
            assert list(got["item"]) == list(range(len(expected)))


def test_evidence_labels_kept(journey):
    cells = map_cells(journey, lanes=["actions", "feelings", "pain_points"])
    label = dict(zip(cells["text"], cells["evidence"]))
    assert label["Sees an ad"] == "assumed"
    assert label["Asks a friend who runs marathons which brand to buy"] == "reported"
    assert label["Unsure"] == "measured"
    assert label["Shipping fee appears only at payment"] == "reported"
    src = dict(zip(cells["text"], cells["source"]))
    assert src["Unsure"] == "survey Q3" and src["Sees an ad"] == ""


def test_one_persona_filters_claims_and_curves(journey):
    ben = map_cells(journey, persona="Budget Ben")
    assert "Which shoe is right for me?" in set(ben["text"])
    assert "Is this the fastest shoe?" not in set(ben["text"])  # Maya's thought
    emo = ben[ben["lane"] == "emotion"]
    assert set(emo["persona"]) == {"Budget Ben"}
    assert list(emo["value"]) == [0.0, -1.0, -2.0]
    maya = map_cells(journey, persona="Marathon Maya")
    assert "Shipping fee appears only at payment" not in set(maya["text"])
    # the opportunity that only relieves Ben's pain is not on Maya's map
    assert "Show delivery cost early" not in set(maya["text"])
    assert "[Budget Ben]" not in " ".join(ben["label"])  # no tags on a single-persona map


def test_compare_personas_tags_claims(journey):
    both = map_cells(journey, persona=["Budget Ben", "Marathon Maya"])
    labels = set(both["label"])
    assert "[Budget Ben] Which shoe is right for me?" in labels
    assert "[Marathon Maya] Is this the fastest shoe?" in labels
    emo = both[both["lane"] == "emotion"]
    assert emo.groupby("persona").size().to_dict() == {"Budget Ben": 3, "Marathon Maya": 3}


def test_unknown_persona_and_lane_are_named(journey):
    with pytest.raises(ParameterError, match="Budget Ben"):
        map_cells(journey, persona="Budget Benn")
    with pytest.raises(ParameterError, match="did you mean 'thoughts'"):
        map_cells(journey, lanes=["thougts"])


def test_lanes_chosen_and_ordered(journey):
    cells = map_cells(journey, lanes=["pain_points", "goal", "actions"])
    assert list(cells["lane"].cat.categories) == ["pain_points", "goal", "actions"]
    assert list(dict.fromkeys(cells["lane"])) == ["pain_points", "goal", "actions"]
    assert list(map_cells(journey, lanes="goal, kpis")["lane"].cat.categories) == ["goal", "kpis"]


def test_default_lanes_skip_empty_but_keep_core(journey):
    lanes = list(map_cells(journey)["lane"].cat.categories)
    assert "kpis" not in lanes  # no KPI evidence given
    assert {"frontstage", "backstage", "support", "owners", "opportunities"} <= set(lanes)
    bare = Journey.from_yaml("name: Bare\nstages: [{name: A}, {name: B}]")
    assert list(map_cells(bare)["lane"].cat.categories) == [
        "goal", "touchpoints", "actions", "emotion", "pain_points"]


def test_touchpoints_owners_and_opportunities(journey):
    cells = map_cells(journey, lanes=["touchpoints", "owners", "opportunities"])
    tps = cells[cells["lane"] == "touchpoints"]
    assert list(tps["label"]) == ["Social ads · digital", "Friend · interpersonal, indirect",
                                  "★ Product page · digital", "Checkout · digital"]
    owners = cells[cells["lane"] == "owners"]
    assert list(zip(owners["stage"], owners["label"])) == [
        ("Awareness", "Stage: Marketing"), ("Consideration", "Product page: Web team"),
        ("Decision", "Stage: Checkout squad")]
    opps = cells[cells["lane"] == "opportunities"]
    assert list(opps["stage"].astype(object).fillna("-")) == ["Consideration", "Decision", "-"]
    assert opps.iloc[1]["label"] == ("Show delivery cost early — Checkout squad, planned, "
                                     "by 2027-03-31")


def test_measured_evidence_with_n_and_interval(journey):
    emotion = _emotion(journey)
    before = emotion.copy()
    cells = map_cells(journey, evidence={"emotion": emotion, "kpis": KPIS}, persona="Budget Ben")
    pd.testing.assert_frame_equal(emotion, before)  # input untouched
    measured = cells[(cells["lane"] == "emotion") & (cells["series"] == "measured")]
    expected = emotion[emotion["persona"] == "Budget Ben"]
    assert list(measured["value"]) == list(expected["mean"])
    assert list(measured["n"]) == list(expected["n"])
    assert list(measured["ci_low"]) == list(expected["ci_low"])
    assert measured.iloc[0]["label"] == "+0.5 (n=40)"
    kpis = cells[cells["lane"] == "kpis"]
    assert list(kpis["label"]) == ["Conversion 42% [41%–43%] (n=5,000)",
                                   "Conversion 31% [29%–33%] (n=2,100)",
                                   "Conversion 64% [60%–68%] (n=650)",
                                   "CSAT 4.12 [3.9–4.3] (n=300)"]
    assert set(kpis["evidence"]) == {"measured"}


def test_emotion_curve_frame_of_the_emotions_module(journey):
    """The frame jmtools.analyses.emotions.emotion_curve returns (valence, low_evidence, gaps) is accepted."""
    curve = pd.DataFrame({"persona": ["all"] * 3, "stage": journey.stage_names,
                          "valence": [0.4, float("nan"), -1.2], "n": [30, 0, 4],
                          "n_customers": [30, 0, 4], "ci_low": [0.1, None, -1.8],
                          "ci_high": [0.7, None, -0.6], "low_evidence": [False, True, True],
                          "evidence": ["measured+reported", "", "reported"],
                          "sources": ["survey:csat (n=30)", "", "feedback (n=4)"]})
    cells = map_cells(journey, evidence={"emotion": curve}, persona="Budget Ben")
    measured = cells[cells["series"] == "measured"]
    assert list(measured["stage"]) == ["Awareness", "Decision"]  # the empty stage is a gap
    assert list(measured["evidence"]) == ["measured", "reported"]
    assert list(measured["label"]) == ["+0.4 (n=30)", "−1.2 (n=4, few)"]


def test_ranked_pain_points_replace_the_journey_files_with_their_evidence(journey):
    """Given a ranked pain-point table, the lane draws its rows (rank, title, the label the
    analysis found), not the journey file's pain points with the labels written there."""
    ranked = pd.DataFrame({"rank": [1, 2, 3], "stage": ["Decision", "Consideration", "Decision"],
                           "title": ["Drop-off at decision", "Size chart missing",
                                     "Shipping fee appears only at payment"],
                           "evidence_label": ["measured", "measured", "assumed"],
                           "personas": [["Budget Ben"], [], ["Budget Ben"]], "severity": [None, 4, 5],
                           "evidence": ["drop-off 40% (n=650)", "drop-off 30% (n=2,100)", "no signal"]})
    cells = map_cells(journey, evidence={"pain_points": ranked}, persona="Budget Ben")
    lane = cells[cells["lane"] == "pain_points"]
    assert list(zip(lane["stage"], lane["text"], lane["evidence"])) == [
        ("Consideration", "Size chart missing", "measured"), ("Decision", "Drop-off at decision", "measured"),
        ("Decision", "Shipping fee appears only at payment", "assumed")]
    assert list(lane["label"]) == ["#2 Size chart missing (severity 4/5)", "#1 Drop-off at decision",
                                   "#3 Shipping fee appears only at payment (severity 5/5)"]
    assert list(lane["source"]) == list(ranked["evidence"].iloc[[1, 0, 2]])
    assert map_cells(journey, persona="Budget Ben").query("lane == 'pain_points'")["evidence"].tolist() == [
        "measured", "reported"]   # without the table: the journey file's, as written
    with pytest.raises(DataError, match="column 'evidence_label' is missing"):
        map_cells(journey, evidence={"pain_points": ranked.drop(columns="evidence_label")})


def test_one_curve_for_everyone_is_the_personas_on_her_map():
    """A stage's one assumed number holds for every persona: on a persona's map it is her curve
    (one colour, one legend entry), elsewhere the curve of all customers."""
    j = Journey.from_yaml("name: D\npersonas: [{name: P, rule: 'a > 1'}, {name: Q, rule: 'a <= 1'}]\n"
                          "stages: [{name: A, emotion: 1}, {name: B, emotion: -1}]")
    assert set(map_cells(j, persona="P", lanes=["emotion"])["persona"]) == {"P"}
    assert set(map_cells(j, lanes=["emotion"])["persona"]) == {"all"}
    assert set(map_cells(j, persona=["P", "Q"], lanes=["emotion"])["persona"]) == {"all"}


def test_bad_evidence_is_located(journey):
    with pytest.raises(DataError, match="column 'mean' is missing"):
        map_cells(journey, evidence={"emotion": pd.DataFrame({"stage": ["Awareness"],
                                                              "avg": [1.0], "n": [3]})})
    bad = KPIS.assign(stage=["Awareness", "Consideraton", "Decision", "Decision"])
    with pytest.raises(DataError, match="'Consideraton'"):
        map_cells(journey, evidence={"kpis": bad})
    with pytest.raises(DataError, match="repeat the same stage"):
        map_cells(journey, evidence={"kpis": pd.concat([KPIS, KPIS.iloc[:1]])})
    with pytest.raises(ParameterError, match="evidence key"):
        map_cells(journey, evidence={"emotions": KPIS})


def test_stage_kpis_frame_of_the_kpis_module(journey):
    """The frame jmtools.analyses.kpis.stage_kpis returns (metric + kpi, n = 0 rows) is accepted."""
    kpis = pd.DataFrame({"stage": ["Awareness", "Awareness", "Decision", "Decision", "Decision"],
                         "metric": ["csat", "csat", "csat", "csat", "nps"],
                         "kpi": ["csat_mean", "csat_top2box", "csat_mean", "csat_top2box", "nps"],
                         "value": [float("nan"), float("nan"), 3.456, 0.58, -12.4],
                         "n": [0, 0, 120, 120, 80], "ci_low": [None, None, 3.3, 0.49, -25.0],
                         "ci_high": [None, None, 3.6, 0.66, 1.5], "method": "bootstrap"})
    cells = map_cells(journey, evidence={"kpis": kpis}, lanes=["kpis"])
    assert list(cells["label"]) == ["CSAT 3.46 [3.3–3.6] (n=120)",
                                    "CSAT, share of 4–5 58% [49%–66%] (n=120)",
                                    "NPS −12 [−25–+2] (n=80)"]
    assert set(cells["stage"]) == {"Decision"}

# ------------------------------------------------------------ evidence from sample data
ECOMMERCE = Path(__file__).resolve().parents[1] / "data" / "ecommerce"


@pytest.fixture(scope="module")
def sample_evidence(ecommerce_world):
    from jmtools.pipeline import map_evidence

    journey = Journey.load(ECOMMERCE / "journey.yaml")
    return journey, map_evidence(ecommerce_world.world, journey, n_boot=200)


def test_map_evidence_conversion_matches_a_plain_pandas_funnel(sample_evidence):
    """Strict ordered stage funnel recomputed by hand from events.parquet (tests/oracles.py)."""
    from oracles import stage_reach

    journey, evidence = sample_evidence
    events = pd.read_parquet(ECOMMERCE / "events.parquet")
    stages = journey.stage_names
    reached = list(stage_reach(events, journey).values())
    kpis = evidence["kpis"]
    mine = kpis[(kpis["persona"] == "all") & (kpis["metric"] == "conversion")]
    assert list(mine["stage"]) == stages
    assert mine.iloc[0]["value"] == reached[0]
    for k in range(1, len(stages)):
        row = mine.iloc[k]
        assert row["n"] == reached[k - 1]
        assert row["value"] == pytest.approx(reached[k] / reached[k - 1])
        assert row["ci_low"] < row["value"] < row["ci_high"]


def test_map_evidence_csat_matches_plain_pandas(sample_evidence):
    journey, evidence = sample_evidence
    surveys = pd.read_csv(ECOMMERCE / "surveys.csv")
    oracle = surveys[surveys["metric"] == "csat"].groupby("stage")["score"].agg(["mean", "size"])
    kpis = evidence["kpis"]
    mine = kpis[(kpis["persona"] == "all") & (kpis["kpi"] == "csat_mean") & (kpis["n"] > 0)]
    assert set(mine["stage"]) == set(oracle.index)
    for row in mine.itertuples():
        assert row.value == pytest.approx(oracle.loc[row.stage, "mean"])
        assert row.n == oracle.loc[row.stage, "size"]


def test_map_evidence_shows_the_planted_low(sample_evidence):
    """The answer key plants a low at Decision (Checkout CSAT) for Budget Ben."""
    from jmtools.sample_worlds import load_truths

    journey, evidence = sample_evidence
    truth = next(t for t in load_truths("ecommerce")["emotion"]
                 if t["kind"] == "low" and t["persona"] == "Budget Ben")
    cells = map_cells(journey, evidence=evidence, persona="Budget Ben")
    curve = cells[(cells["lane"] == "emotion") & (cells["series"] == "measured")]
    low = curve.loc[curve["value"].idxmin()]
    assert low["stage"] == truth["stage"] and low["value"] < 0 and low["n"] > 30
    others = evidence["emotion"]
    others = others[(others["persona"] != "Budget Ben") & (others["persona"] != "all")
                    & (others["stage"] == truth["stage"])]
    assert (others["valence"] > low["value"] + 1).all()
    ben_csat = cells[(cells["lane"] == "kpis") & cells["label"].str.startswith("CSAT")
                     & (cells["stage"] == truth["stage"])]
    assert ben_csat.iloc[0]["value"] < truth["others_mean"] - 1


def test_a_touchpoint_with_events_is_badged_measured_with_its_customers(journey):
    """An outside tester's map badged touchpoints with 1,758 customers' events "○ assumed" (the
    journey file's claim): the events measure that customers meet the touchpoint there."""
    first, second = journey.touchpoints[0].name, journey.touchpoints[1].name
    seen = pd.DataFrame({"touchpoint": [first, second, "Not in the journey"], "n_customers": [1758, 3, 9]})
    cells = map_cells(journey, evidence={"touchpoints": seen})
    tps = cells[cells["lane"] == "touchpoints"].set_index("text")
    assert tps.loc[first, "evidence"] == "measured" and tps.loc[first, "source"] == "events of 1,758 customers"
    assert tps.loc[second, "source"] == "events of fewer than 5 customers"            # 1–4 not said
    rest = [t for t in journey.touchpoints[2:]]
    assert all(tps.loc[t.name, "evidence"] == t.evidence and tps.loc[t.name, "source"] == "" for t in rest)
    with pytest.raises(DataError, match="column 'n_customers' is missing"):
        map_cells(journey, evidence={"touchpoints": seen.rename(columns={"n_customers": "n"})})


def test_the_reports_touchpoint_counts_are_plain_pandas_distinct_customers():
    import warnings

    from jmtools import pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pipeline.run("sample:ecommerce", persona="Budget Ben")
    ev = f.evidence.to_pandas()
    want = ev[ev["persona"] == "Budget Ben"].dropna(subset=["touchpoint"]).groupby("touchpoint")["customer_id"].nunique()
    got = f.touchpoint_customers.set_index("touchpoint")["n_customers"]
    assert got.to_dict() == want.to_dict() and got.is_monotonic_decreasing
    assert f.map_evidence["touchpoints"] is not None
