"""Comparisons and detection: hand-computed comparisons, scores, ranking, the journey merge,
value at stake, and the planted pain points of the sample worlds."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jmtools.analyses import painpoints as pp

from painpoints_cases import (PERSONAS, focus_report, plain_reached, sample_world, shoe_journey,
                              shoe_signals, times_frame, valence_frame)


@pytest.fixture(scope="module")
def journey():
    return shoe_journey()


@pytest.fixture(scope="module")
def signals(journey):
    return shoe_signals(journey)


@pytest.fixture(scope="module")
def found(signals, journey):
    return pp.detect_pain_points(signals, journey=journey)


@pytest.fixture(scope="module")
def ecommerce():
    return sample_world("ecommerce")


@pytest.fixture(scope="module")
def b2b():
    """With the planted (true) personas given as a table instead of the journey's rules."""
    return sample_world("b2b", true_personas=True)


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
    assert "slow step" in slow["signals"] and "Sam: slow step, typical wait 8.3 days (n=300) vs 20 h" in slow["evidence"]
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


def test_slow_for_everybody_needs_the_unit_contrast():
    sig = pp.slow_step_signal(times_frame(everybody=True))
    plain = pp.detect_pain_points(sig)
    assert plain.table.empty                           # no persona stands out
    wide = pp.detect_pain_points(sig, unit_contrast=["slow step"])
    row = wide.table.iloc[0]
    assert row["stage"] == "Consideration" and row["recurs"] and set(row["personas"]) == set(PERSONAS)
    assert row["evidence"].startswith("slow step, typical wait 8.3 days (n=900) vs 20 h other stages (n=1,800)")
    assert row["title"] == "Slow step at Consideration"        # the journey's own spelling (D235)


def test_a_detected_title_keeps_the_journeys_spelling_of_its_place(found):
    """D235: "Slow step at meldung", "Customers felt worse at abschluss" — titles were lower-cased
    whole; only the first letter of the sentence is raised now."""
    detected = found.table[found.table["source"] == "detected"]
    assert len(detected) and detected["touchpoint"].notna().any()
    for title, stage, touchpoint in zip(detected["title"], detected["stage"], detected["touchpoint"]):
        place = stage + (f" / {touchpoint}" if isinstance(touchpoint, str) else "")
        assert title.endswith(f" at {place}") and title[0].isupper(), title


def test_score_is_weighted_sum_of_capped_effects(found):
    ev = found.evidence
    here = ev[(ev["stage"] == "Decision") & (ev["touchpoint"] == "Cart") & ev["counts"]]
    by_hand = (here.groupby(["persona", "signal"])["effect"].max().clip(upper=2)
               * [pp.SIGNAL_WEIGHTS.get(s, 1.0) for s in
                  here.groupby(["persona", "signal"])["effect"].max().index.get_level_values(1)])
    cart = found.table[found.table["touchpoint"] == "Cart"].iloc[0]
    assert cart["score"] == pytest.approx(by_hand.groupby(level=0).sum().max())
    assert pp.SIGNAL_WEIGHTS["loops"] == 0.5


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


# ---------------------------------------------------------------- planted truths of the sample worlds
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
    reached, _ = plain_reached("ecommerce", "Budget Ben")
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


@pytest.mark.parametrize("persona", [None, "Budget Ben"])
def test_pain_points_at_one_place_do_not_repeat_the_same_evidence(ecommerce, persona):
    found, _ = ecommerce
    table = (found if persona is None else focus_report(found, "ecommerce", persona)).table
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


@pytest.mark.parametrize("persona", [None, "Ben"])
def test_the_ranking_is_the_same_on_arrow_and_on_python_text_columns(signals, journey, persona):
    """The ranking reads its comparisons through Python-string copies of the text columns
    (for speed); given either kind of column, the table and the evidence are the same."""
    evidence = pp.compare_signals(signals)
    kinds = {}
    for kind, dtype in (("arrow", "str"), ("python", object)):
        text = {c: evidence[c].astype(dtype) for c in ("stage", "persona", "signal", "unit",
                                                      "level", "versus")}
        kinds[kind] = pp.detect_pain_points(signals, journey=journey, persona=persona,
                                            comparisons=evidence.assign(**text))
    assert str(kinds["arrow"].evidence["stage"].dtype) == "str"  # the evidence keeps its columns
    assert len(kinds["arrow"].table) > 2
    pd.testing.assert_frame_equal(kinds["arrow"].table, kinds["python"].table)
