"""Pain point detection: signals from engine frames, hand-computed comparisons, ranking, merge."""

import math
import re

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses import painpoints as pp
from jmtools.core.errors import DataError, ParameterError
from jmtools.pipeline import pain_points_from_world

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


@pytest.fixture(scope="module")
def journey():
    from jmtools.journey import Journey

    return Journey.from_yaml(JOURNEY)


@pytest.fixture(scope="module")
def signals(journey):
    f = funnel_frame()
    reached = f.rename(columns={"step": "stage", "n": "entered"})
    return pp.combine_signals(
        pp.dropoff_signal(f),
        pp.valence_signal(valence_frame()),
        pp.complaint_signal(ticket_frame(), reached),
        pp.slow_step_signal(times_frame()),
        pp.loop_signal(loops_frame(), journey=journey))


@pytest.fixture(scope="module")
def found(signals, journey):
    return pp.detect_pain_points(signals, journey=journey)


def test_dropoff_counted_where_customers_left():
    sig = pp.dropoff_signal(funnel_frame())
    ben = sig[(sig["persona"] == "Ben")].set_index("stage")
    assert list(ben.index) == STAGES[:-1]
    # Ben reaches Decision with 1000*0.7*0.6 = 420 and 168 go on: 252 lost
    assert ben.loc["Decision", "n"] == 420 and ben.loc["Decision", "count"] == 252
    every = sig[sig["persona"] == pp.ALL].set_index("stage")
    assert every.loc["Decision", "n"] == 1260 and every.loc["Decision", "count"] == 252 + 2 * 63


def test_comparison_matches_hand_computation(found):
    ev = found.evidence
    row = ev[(ev["signal"] == "drop-off") & (ev["persona"] == "Ben") & (ev["stage"] == "Decision")
             & (ev["versus"] == "other personas")].iloc[0]
    p1, n1, p0, n0 = 252 / 420, 420, 126 / 840, 840
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p0))
    pooled = (252 + 126) / (n1 + n0)
    z = (p1 - p0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    assert row["value"] == pytest.approx(p1) and row["baseline"] == pytest.approx(p0)
    assert row["n"] == n1 and row["baseline_n"] == n0
    assert row["effect"] == pytest.approx(h) and row["z"] == pytest.approx(z)
    assert row["flagged"]


def test_valence_baseline_is_pooled_raw_values(found):
    raw = valence_frame()
    ev = found.evidence
    row = ev[(ev["signal"] == "negative valence") & (ev["persona"] == "Maya")
             & (ev["touchpoint"] == "Product page") & (ev["versus"] == "other personas")].iloc[0]
    mine = raw[(raw["persona"] == "Maya") & (raw["touchpoint"] == "Product page")]["valence"]
    others = raw[(raw["persona"] != "Maya") & (raw["touchpoint"] == "Product page")]["valence"]
    assert row["value"] == pytest.approx(mine.mean()) and row["n"] == len(mine)
    assert row["baseline"] == pytest.approx(others.mean()) and row["baseline_n"] == len(others)
    sd = math.sqrt(((len(mine) - 1) * mine.var() + (len(others) - 1) * others.var())
                   / (len(mine) + len(others) - 2))
    assert row["effect"] == pytest.approx((others.mean() - mine.mean()) / sd)
    se = math.sqrt(mine.var() / len(mine) + others.var() / len(others))
    assert row["z"] == pytest.approx((others.mean() - mine.mean()) / se)
    # the pooled "other stages" baseline of the same persona, stage level
    st = ev[(ev["signal"] == "negative valence") & (ev["persona"] == "Maya")
            & (ev["stage"] == "Consideration") & ev["touchpoint"].isna()
            & (ev["versus"] == "other stages")].iloc[0]
    rest = raw[(raw["persona"] == "Maya") & (raw["stage"] != "Consideration")]["valence"]
    assert st["baseline"] == pytest.approx(rest.mean()) and st["baseline_n"] == len(rest)


def test_planted_pain_points_rank_first_with_right_personas(found):
    t = found.table
    top = t.head(5)
    by_place = {(r.stage, r.touchpoint): r for r in top.itertuples()}
    fees = t[t["pain_point_id"] == "hidden-fees"].iloc[0]
    assert fees["rank"] <= 3 and fees["personas"] == ["Ben"] and not fees["recurs"]
    assert fees["source"] == "journey file + detected" and fees["evidence_label"] == "measured"
    assert "drop-off" in fees["signals"]
    assert "Ben: drop-off 60% (n=420) vs 15% other personas (n=840)" in fees["evidence"]
    maya = by_place[("Consideration", "Product page")]
    assert maya.personas == ["Maya"] and "negative valence" in maya.signals
    assert maya.source == "detected" and maya.pain_point_id == "detected-consideration-product-page"
    returns = t[(t["stage"] == "Post-purchase") & (t["touchpoint"] == "Returns")].iloc[0]
    assert "complaints" in returns["signals"] and returns["rank"] <= 5
    slow = t[(t["stage"] == "Consideration") & t["touchpoint"].isna()].iloc[0]
    assert "slow step" in slow["signals"] and "Sam: slow step 8.3 days (n=300) vs 20 h" in slow["evidence"]
    assert "Sam" in slow["personas"]
    cart = t[t["touchpoint"] == "Cart"].iloc[0]
    assert cart["personas"] == ["Sam"] and "loops" in cart["signals"]
    assert t["rank"].tolist() == list(range(1, len(t) + 1))
    assert t["score"].is_monotonic_decreasing


def test_assumed_pain_point_without_data_stays_and_says_so(found):
    t = found.table
    info = t[t["pain_point_id"] == "info-overload"].iloc[0]
    # Awareness has no flagged signal in the synthetic data
    assert info["source"] == "journey file" and info["evidence_label"] == "assumed"
    assert info["score"] == 0 and info["severity"] == 2
    assert "no signal" in info["evidence"]
    assert set(t["source"]) == {"journey file", "journey file + detected", "detected"}


def test_value_at_stake_inputs(found):
    fees = found.table.set_index("pain_point_id").loc["hidden-fees"]
    assert fees["customers_affected"] == 420
    assert fees["lift_needed"] == pytest.approx(252 / 420 - 126 / 840)
    assert "Ben: drop-off 60% (n=420) vs 15% other personas" in fees["lift_basis"]
    returns = found.table[found.table["touchpoint"] == "Returns"].iloc[0]
    assert pd.isna(returns["lift_needed"]) and returns["customers_affected"] > 0


def test_value_at_stake_end_to_end(found):
    from jmtools.analyses.priorities import value_at_stake

    opps = pd.DataFrame({"id": ["show-fees"], "pain_points": [["hidden-fees"]]})
    out = value_at_stake(opps, found.table, order_value=100.0)
    assert out["value_at_stake"].iloc[0] == pytest.approx(420 * (252 / 420 - 126 / 840) * 100)


def test_complaints_count_customers_once():
    tickets = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "stage": ["Post"] * 4,
                            "touchpoint": ["Returns", "Returns", "Returns", "Delivery"],
                            "persona": ["X", "X", "Y", "Y"]})
    reached = pd.DataFrame({"stage": ["Post", "Post"], "persona": ["X", "Y"], "entered": [10, 20]})
    sig = pp.complaint_signal(tickets, reached).set_index(["stage", "touchpoint", "persona"])
    assert sig.loc[("Post", None, "X"), "count"] == 1 and sig.loc[("Post", None, "Y"), "count"] == 2
    assert sig.loc[("Post", None, "all"), "count"] == 3 and sig.loc[("Post", None, "all"), "n"] == 30
    assert sig.loc[("Post", "Returns", "all"), "count"] == 2
    with pytest.raises(DataError, match="no reach count"):
        pp.complaint_signal(tickets.assign(stage="Nowhere"), reached)


def test_slow_for_everybody_needs_the_unit_contrast():
    sig = pp.slow_step_signal(times_frame(everybody=True))
    plain = pp.detect_pain_points(sig)
    assert plain.table.empty                           # no persona stands out
    wide = pp.detect_pain_points(sig, unit_contrast=["slow step"])
    row = wide.table.iloc[0]
    assert row["stage"] == "Consideration" and row["recurs"] and set(row["personas"]) == set(PERSONAS)
    assert row["evidence"].startswith("slow step 8.3 days (n=900) vs 20 h other stages (n=1,800)")


def test_score_is_weighted_sum_of_capped_effects(found):
    ev = found.evidence
    here = ev[(ev["stage"] == "Decision") & (ev["touchpoint"] == "Cart") & ev["counts"]]
    by_hand = (here.groupby(["persona", "signal"])["effect"].max().clip(upper=2)
               * [pp.SIGNAL_WEIGHTS.get(s, 1.0) for s in
                  here.groupby(["persona", "signal"])["effect"].max().index.get_level_values(1)])
    cart = found.table[found.table["touchpoint"] == "Cart"].iloc[0]
    assert cart["score"] == pytest.approx(by_hand.groupby(level=0).sum().max())
    assert pp.SIGNAL_WEIGHTS["loops"] == 0.5


def test_slow_step_lognormal_reading():
    t = times_frame(everybody=True)
    no_persona = t[t["persona"] == "Ben"].assign(persona=None)
    with_none = pp.slow_step_signal(pd.concat([t, no_persona]))
    assert set(with_none["persona"]) == {*PERSONAS, "all"}
    assert with_none[with_none["persona"] == "all"]["n"].iloc[0] == 1200
    sig = pp.slow_step_signal(t)
    row = sig[(sig["persona"] == "Ben") & (sig["stage"] == "Consideration")].iloc[0]
    assert row["mean"] == pytest.approx(math.log(200))
    assert row["sd"] == pytest.approx(math.log(3) / 1.2815515655446004)
    every = sig[(sig["persona"] == "all") & (sig["stage"] == "Consideration")].iloc[0]
    assert every["n"] == 900 and every["mean"] == pytest.approx(math.log(200))


def test_detours_capped_and_touchpoint_funnel(journey):
    d = pd.DataFrame({"from_step": ["Checkout", "Checkout"], "to_step": ["Cart", "Product page"],
                      "n_customers": [80, 60], "n_at_from": [100, 100]})
    sig = pp.detour_signal(d, journey=journey)
    assert sig["count"].tolist() == [100] and sig["stage"].tolist() == ["Decision"]
    f = pd.DataFrame({"step_index": [1, 2], "step": ["Cart", "Checkout"], "n": [100, 30],
                      "n_prev": [100, 100]})
    sig = pp.dropoff_signal(f, level="touchpoint", journey=journey, persona_col=None)
    assert sig[["stage", "touchpoint", "count", "n"]].values.tolist() == [["Decision", "Cart", 70, 100]]
    with pytest.raises(ParameterError, match="journey"):
        pp.dropoff_signal(f, level="touchpoint", persona_col=None)


def test_quotes_masked_and_themes_attached(signals, journey):
    feedback = pd.DataFrame({
        "stage": ["Decision"] * 3 + ["Consideration"],
        "touchpoint": ["Checkout"] * 3 + ["Product page"],
        "persona": ["Ben", "Ben", "Maya", "Maya"],
        "text": ["Hidden fees! mail me at ben@example.com", "Shipping cost shock, call 020 7946 0958",
                 "Checkout fine but slow", "No size chart"],
        "sentiment": [-0.8, -0.6, -0.1, -0.7],
        "label": ["hidden fees", "hidden fees", "slow", "size chart"],
    })
    found = pp.detect_pain_points(signals, journey=journey, feedback=feedback)
    fees = found.table.set_index("pain_point_id").loc["hidden-fees"]
    assert fees["quotes"] == ["Hidden fees! mail me at [email]", "Shipping cost shock, call [phone]"]
    assert fees["themes"] == ["hidden fees (n=2)", "slow (n=1)"] and fees["n_feedback"] == 3
    maya = found.table[found.table["touchpoint"] == "Product page"].iloc[0]
    assert maya["quotes"] == ["No size chart"]


def test_small_groups_never_flagged(signals, journey):
    found = pp.detect_pain_points(signals, journey=journey, min_n=100_000)
    assert not found.evidence["flagged"].any()
    assert set(found.table["source"]) == {"journey file"}
    # severity orders the unconfirmed journey pain points
    assert found.table["pain_point_id"].tolist() == ["hidden-fees", "info-overload"]


def test_no_journey_and_persona_filter(signals):
    found = pp.detect_pain_points(signals, personas=["Maya"])
    assert set(found.evidence["persona"]) == {"Maya", "all"}
    assert all(p in ([], ["Maya"]) for p in found.table["personas"])
    assert (found.table["source"] == "detected").all()


def test_inputs_unchanged_and_bad_input(signals):
    before = signals.copy()
    pp.detect_pain_points(signals)
    pd.testing.assert_frame_equal(signals, before)
    with pytest.raises(ParameterError, match="min_n"):
        pp.detect_pain_points(signals, min_n=0)
    with pytest.raises(ParameterError, match="did you mean 'step'"):
        pp.dropoff_signal(funnel_frame(), step_col="stp")
    bad = pd.DataFrame({"stage": ["A"], "c": [5], "n": [3]})
    with pytest.raises(DataError, match="larger than n"):
        pp.rate_signal(bad, signal="x", count_col="c", n_col="n", persona_col=None)
    with pytest.raises(ParameterError, match="frames made by"):
        pp.combine_signals(pd.DataFrame({"a": [1]}))


def test_engine_funnel_feeds_detection():
    """Real engine output (jmtools.analyses.funnels) goes straight into the signal builders."""
    from jmtools.evidence import prepare
    from jmtools.analyses.funnels import funnel, loops

    rng = np.random.default_rng(4)
    rows = []
    for c in range(400):
        persona = "Ben" if c % 2 else "Maya"
        t = pd.Timestamp("2026-01-01") + pd.Timedelta(minutes=c)
        steps = ["view", "cart", "pay"]
        if rng.random() < (0.7 if persona == "Ben" else 0.1):
            steps = ["view", "cart"]
        for k, e in enumerate(steps):
            rows.append({"customer_id": f"c{c}", "event": e, "timestamp": t + pd.Timedelta(seconds=k),
                         "persona": persona})
    j = {"stages": ["Browse", "Cart", "Pay"], "touchpoints": [
        {"name": "Site", "stage": "Browse", "events": ["view"]},
        {"name": "Basket", "stage": "Cart", "events": ["cart"]},
        {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    ev = prepare(pd.DataFrame(rows), j)
    f = funnel(ev, by="persona")
    sig = pp.combine_signals(pp.dropoff_signal(f),
                             pp.loop_signal(loops(ev, by="persona"), journey={"Site": "Browse",
                                                                              "Basket": "Cart",
                                                                              "Checkout": "Pay"}))
    found = pp.detect_pain_points(sig)
    top = found.table.iloc[0]
    assert top["stage"] == "Cart" and top["personas"] == ["Ben"]
    lost = f[(f["persona"] == "Ben") & (f["step"] == "Pay")]
    assert top["customers_affected"] == int(lost["n_prev"].iloc[0])


def test_public_names():
    for name in pp.__all__:
        assert hasattr(pp, name)


# ---------------------------------------------------------------- planted truths of the sample worlds
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def _world(world, *, true_personas=False, loaded=None):
    """The whole chain a notebook runs (pain_points_from_world), on a sample world
    (``loaded``: the test session's load_world of it, see conftest.py)."""
    from jmtools.sources import load_world

    personas = (pd.read_csv(DATA / world / "customer_personas.csv") if true_personas else None)
    found = pain_points_from_world(loaded or load_world(DATA / world), personas=personas)
    return found, json.loads((DATA / world / "truths.json").read_text())


@pytest.fixture(scope="module")
def ecommerce(sample_worlds):
    return _world("ecommerce", loaded=sample_worlds["ecommerce"].world)


@pytest.fixture(scope="module")
def b2b(sample_worlds):
    """With the planted (true) personas given as a table instead of the journey's rules."""
    return _world("b2b", true_personas=True, loaded=sample_worlds["b2b"].world)


def _row(found, pid):
    return found.table.set_index("pain_point_id").loc[pid]


def test_ecommerce_planted_pain_points_on_top(ecommerce):
    found, truths = ecommerce
    drop = truths["funnel"]["drop_off"]
    fees = _row(found, "hidden-fees")
    assert fees["rank"] <= 3 and fees["personas"][0] == drop["persona"] == "Budget Ben"
    assert {"drop-off", "negative valence"} <= set(fees["signals"])
    assert "Budget Ben: drop-off" in fees["lift_basis"]
    assert [e["persona"] for e in fees["stake"]] == ["Budget Ben"]
    assert fees["stake"][0]["customers"] == fees["customers_affected"]
    assert fees["stake"][0]["lift"] == pytest.approx(fees["lift_needed"])
    fee_words = {"fee", "fees", "shipping", "charge", "delivery"}
    assert fee_words & set(" ".join(fees["themes"]).replace("·", " ").split())
    assert fees["quotes"] and fees["n_feedback"] >= 50
    low = next(e for e in truths["emotion"] if e["touchpoint"] == "Product page")
    size = _row(found, "missing-size-chart")
    assert size["rank"] <= 4 and size["personas"][0] == low["persona"] == "New Runner Nina"
    assert "size" in " ".join(size["themes"])
    # the top five rows are the planted places (Checkout and Product page)
    top = found.table.head(4)
    assert set(top["touchpoint"]) == {"Checkout", "Product page"}


def test_ecommerce_dropoff_matches_independent_funnel(ecommerce):
    """Ben's loss at Decision, recomputed with a plain-pandas greedy strict stage funnel."""
    found, truths = ecommerce
    reached, _ = _plain_reached("ecommerce", "Budget Ben")
    row = found.evidence[(found.evidence["signal"] == "drop-off")
                         & (found.evidence["persona"] == "Budget Ben")
                         & (found.evidence["stage"] == "Decision")
                         & (found.evidence["versus"] == "other personas")].iloc[0]
    assert row["n"] == reached["Decision"]
    assert row["value"] == pytest.approx(1 - reached["Post-purchase"] / reached["Decision"])
    assert row["value"] > 0.5 > row["baseline"] and row["flagged"]
    assert truths["funnel"]["drop_off"]["persona"] == "Budget Ben"


def test_b2b_planted_pain_points_on_top(b2b):
    found, truths = b2b
    slow = {s["stage"]: s for s in truths["slow_stages"]}
    qual = _row(found, "slow-qualification")
    assert qual["rank"] <= 3 and qual["personas"][0] == slow["Qualification"]["persona"]
    assert "slow step" in qual["signals"]
    ev = found.evidence
    sam = ev[(ev["signal"] == "slow step") & (ev["persona"] == "SMB Owner Sam")
             & (ev["stage"] == "Qualification") & (ev["versus"] == "other personas")].iloc[0]
    planted_days = slow["Qualification"]["by_persona"]["SMB Owner Sam"]["median_days"]
    assert sam["value"] / 24 == pytest.approx(planted_days, rel=0.2)
    legal = _row(found, "slow-legal-review")
    assert legal["rank"] <= 3 and legal["personas"][0] == slow["Contract signing"]["persona"]
    assert "legal" in " ".join(legal["themes"])
    pricing = _row(found, "unclear-pricing")
    assert pricing["rank"] <= 5 and pricing["personas"][0] == truths["funnel"]["drop_off"]["persona"]
    assert "drop-off" in pricing["signals"] and "pric" in " ".join(pricing["themes"])


@pytest.mark.parametrize("world", ["ecommerce", "b2b"])
def test_sample_world_quotes_are_masked(world, ecommerce, b2b):
    found, _ = ecommerce if world == "ecommerce" else b2b
    quotes = [q for qs in found.table["quotes"] for q in qs]
    assert quotes
    assert not any(re.search(r"@example\.(com|org)|7946 ?0|7700 ?900|4111 ?1111", q) for q in quotes)


def test_signal_builders_contract(journey):
    f = funnel_frame()
    reached = f.rename(columns={"step": "stage", "n": "entered"})
    inputs = {"funnel": f, "valence": valence_frame(), "tickets": ticket_frame(),
              "times": times_frame(), "loops": loops_frame()}
    copies = {k: v.copy() for k, v in inputs.items()}
    outs = [pp.dropoff_signal(inputs["funnel"]), pp.valence_signal(inputs["valence"]),
            pp.complaint_signal(inputs["tickets"], reached), pp.slow_step_signal(inputs["times"]),
            pp.loop_signal(inputs["loops"], journey=journey)]
    for k, v in inputs.items():
        pd.testing.assert_frame_equal(v, copies[k])
    for out in outs:
        assert out.columns.tolist() == pp.SIGNAL_COLUMNS
        assert out["persona"].map(lambda p: isinstance(p, str)).all()
        assert (out["n"] >= 0).all() and out["touchpoint"].map(lambda t: t is None or isinstance(t, str)).all()
    found = pp.detect_pain_points(pp.combine_signals(*outs), journey=journey)
    assert found.table.columns.tolist() == pp.TABLE_COLUMNS
    assert found.evidence.columns.tolist() == pp.EVIDENCE_COLUMNS


def test_pain_points_at_one_place_share_its_customers(ecommerce):
    found, _ = ecommerce
    t = found.table.set_index("pain_point_id")
    fees, pay = t.loc["hidden-fees"], t.loc["few-payment-options"]
    ev = found.evidence
    ben = ev[(ev["signal"] == "drop-off") & (ev["persona"] == "Budget Ben") & (ev["stage"] == "Decision")
             & (ev["versus"] == "other personas")].iloc[0]
    assert fees["customers_affected"] + pay["customers_affected"] == pytest.approx(ben["n"])
    assert fees["n_feedback"] > pay["n_feedback"] >= 0
    assert fees["customers_affected"] / ben["n"] == pytest.approx(
        (fees["n_feedback"] + 1) / (fees["n_feedback"] + pay["n_feedback"] + 2))
    assert "customers shared with few-payment-options by their complaint themes" in fees["lift_basis"]
    assert fees["lift_needed"] == pytest.approx(pay["lift_needed"])   # same measured lift


# ---------------------------------------------------------------- one persona's own report
def _focus(found, world, persona):
    from jmtools.journey import Journey

    j = Journey.load(DATA / world / "journey.yaml")
    return pp.detect_pain_points(found.signals, journey=j, themes=found.themes, focus=persona)


def _plain_reached(world, persona, personas=None):
    """Customers of a persona reaching each stage: the plain-pandas greedy strict stage funnel
    of tests/oracles.py."""
    from jmtools.journey import Journey
    from jmtools.personas import assign_personas
    from oracles import stage_reach

    j = Journey.load(DATA / world / "journey.yaml")
    events = pd.read_parquet(DATA / world / "events.parquet")
    if personas is None:
        personas = assign_personas(pd.read_csv(DATA / world / "customers.csv"), j)
    who = personas.set_index("customer_id")["persona"].astype(object)
    mine = set(who[who == persona].index)
    return stage_reach(events, j, customers=mine), len(mine)


def _own_words_only(table, persona, everybody):
    """The evidence names no other persona, except in the closing "also hurts" note."""
    others = [p for p in everybody if p != persona]
    for text in table["evidence"]:
        body = text.split("; also hurts:")[0]
        assert not any(o in body for o in others), text


ECOMMERCE_PERSONAS = ["Budget Ben", "Marathon Maya", "New Runner Nina", "Weekend Walter"]
B2B_PERSONAS = ["SMB Owner Sam", "Mid-market Ops Olivia", "Enterprise Procurement Priya"]


def test_budget_ben_report_is_about_ben(ecommerce):
    found, truths = ecommerce
    ben = _focus(found, "ecommerce", "Budget Ben").table
    assert ben["rank"].tolist() == list(range(1, len(ben) + 1))
    assert ben["pain_point_id"].iloc[0] == "hidden-fees"
    reached, size = _plain_reached("ecommerce", "Budget Ben")
    fees = ben.set_index("pain_point_id").loc["hidden-fees"]
    lost = 1 - reached["Post-purchase"] / reached["Decision"]
    assert f"drop-off {lost:.0%} (n={reached['Decision']:,})" in fees["evidence"]
    assert (ben["customers_affected"].dropna() <= size).all()
    at_checkout = ben[ben["touchpoint"] == "Checkout"]["customers_affected"].sum()
    assert at_checkout == pytest.approx(reached["Decision"])     # split, never double counted
    assert fees["n_feedback"] <= truths["themes"][0]["by_persona"]["Budget Ben"]
    _own_words_only(ben, "Budget Ben", ECOMMERCE_PERSONAS)


def test_marathon_maya_report_does_not_borrow_bens_pain_or_call_her_favourite_a_pain(ecommerce):
    found, truths = ecommerce
    maya = _focus(found, "ecommerce", "Marathon Maya").table
    loved = next(e for e in truths["emotion"] if e["kind"] == "high" and e["persona"] == "Marathon Maya")
    assert loved["touchpoint"] == "Support"
    assert not (maya["touchpoint"] == loved["touchpoint"]).any(), maya[["pain_point_id", "evidence"]]
    assert not maya["title"].str.contains("support", case=False).any()
    top = maya.iloc[0]
    assert top["pain_point_id"] != "hidden-fees" and top["pain_point_id"] == "slow-shipping"
    assert "negative valence" in top["signals"]
    reached, size = _plain_reached("ecommerce", "Marathon Maya")
    assert (maya["customers_affected"].dropna() <= size).all()
    assert maya["rank"].tolist() == list(range(1, len(maya) + 1))
    # hidden fees may be listed for Maya only with her own numbers, and says whom else it hurts
    fees = maya.set_index("pain_point_id").loc["hidden-fees"]
    lost = 1 - reached["Post-purchase"] / reached["Decision"]
    assert f"drop-off {lost:.0%} (n={reached['Decision']:,})" in fees["evidence"]
    assert fees["evidence"].endswith("also hurts: Budget Ben")
    _own_words_only(maya, "Marathon Maya", ECOMMERCE_PERSONAS)
    # the workshop's pain points written for other personas only, with no signal for Maya, are gone
    assert "hard-returns" not in set(maya["pain_point_id"])          # written for Nina


def test_new_runner_nina_report_has_the_size_chart_on_top(ecommerce):
    found, _ = ecommerce
    nina = _focus(found, "ecommerce", "New Runner Nina").table
    assert "missing-size-chart" in nina["pain_point_id"].head(2).tolist()
    _own_words_only(nina, "New Runner Nina", ECOMMERCE_PERSONAS)
    reached, size = _plain_reached("ecommerce", "New Runner Nina")
    assert (nina["customers_affected"].dropna() <= size).all()


def test_b2b_persona_reports(b2b):
    found, truths = b2b
    personas = pd.read_csv(DATA / "b2b" / "customer_personas.csv")
    sam = _focus(found, "b2b", "SMB Owner Sam").table
    assert sam["pain_point_id"].iloc[0] == "slow-qualification"
    planted = next(s for s in truths["slow_stages"] if s["persona"] == "SMB Owner Sam")
    days = planted["by_persona"]["SMB Owner Sam"]["median_days"]
    shown = re.search(r"slow step ([\d.]+) days", sam["evidence"].iloc[0])
    assert float(shown.group(1)) == pytest.approx(days, rel=0.2)
    priya = _focus(found, "b2b", "Enterprise Procurement Priya").table
    assert "slow-legal-review" in priya["pain_point_id"].head(2).tolist()
    for persona, table in (("SMB Owner Sam", sam), ("Enterprise Procurement Priya", priya)):
        size = int((personas["persona"] == persona).sum())
        assert (table["customers_affected"].dropna() <= size).all()
        assert table["rank"].tolist() == list(range(1, len(table) + 1))
        _own_words_only(table, persona, B2B_PERSONAS)
        # pain points written for other personas only are listed only with a signal for this one
        assigned = {p.id: p.personas for p in __import__("jmtools.journey", fromlist=["Journey"])
                    .Journey.load(DATA / "b2b" / "journey.yaml").pain_points}
        for row in table.itertuples():
            if assigned.get(row.pain_point_id) and persona not in assigned[row.pain_point_id]:
                assert row.signals, row


def test_unknown_focus_persona_is_refused(ecommerce):
    found, _ = ecommerce
    with pytest.raises(ParameterError, match="Budget Ben"):
        _focus(found, "ecommerce", "Budget Benn")


@pytest.mark.parametrize("persona", [None, "Budget Ben"])
def test_pain_points_at_one_place_do_not_repeat_the_same_evidence(ecommerce, persona):
    found, _ = ecommerce
    table = (found if persona is None else _focus(found, "ecommerce", persona)).table
    t = table.set_index("pain_point_id")
    fees, pay = t.loc["hidden-fees"], t.loc["few-payment-options"]
    assert fees["evidence"] != pay["evidence"]
    assert "shares Checkout evidence" in pay["evidence"] and fees["title"] in pay["evidence"]
    # every comparison sentence is shown on one pain point of its place only
    parts = [(tp, p) for text, tp in zip(table["evidence"], table["touchpoint"])
             for p in text.split("; ") if " vs " in p]
    assert len(parts) == len(set(parts)), [p for p in parts if parts.count(p) > 1]
    # each keeps its own feedback: the themes differ
    assert fees["themes"] != pay["themes"] or not pay["themes"]
