"""Survey KPIs per touchpoint/stage vs plain-pandas formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.core.errors import ParameterError
from jmtools.evidence import prepare
from jmtools.analyses.kpis import KPI_FORMULAS, relationship_kpis, stage_kpis, survey_kpis, touchpoint_kpis
from jmtools.sources import load_surveys

JOURNEY = {
    "stages": ["Browse", "Buy", "After"],
    "touchpoints": [
        {"name": "Product page", "stage": "Browse", "events": ["view"]},
        {"name": "Checkout", "stage": "Buy", "events": ["pay"]},
        {"name": "Support", "stage": "After", "events": ["ticket"]},
    ],
}


def surveys(seed=1, n=600):
    rng = np.random.default_rng(seed)
    metric = rng.choice(["csat", "nps", "ces"], size=n)
    hi = {"csat": 5, "nps": 10, "ces": 7}
    lo = {"csat": 1, "nps": 0, "ces": 1}
    score = [int(rng.integers(lo[m], hi[m] + 1)) for m in metric]
    return pd.DataFrame({"customer_id": [f"c{i % 97}" for i in range(n)],
                         "timestamp": pd.Timestamp("2024-01-01"),
                         "touchpoint": rng.choice(["Product page", "Checkout"], size=n),
                         "metric": metric, "score": score})


def test_values_match_plain_formulas():
    sv = surveys()
    k = touchpoint_kpis(load_surveys(sv), journey=JOURNEY).set_index(["touchpoint", "kpi"])
    for tp, g in sv.groupby("touchpoint"):
        c = g[g.metric == "csat"].score
        n = g[g.metric == "nps"].score
        e = g[g.metric == "ces"].score
        assert k.loc[(tp, "csat_mean"), "value"] == pytest.approx(c.mean())
        assert k.loc[(tp, "csat_mean"), "n"] == len(c)
        assert k.loc[(tp, "csat_top2box"), "value"] == pytest.approx((c >= 4).mean())
        assert k.loc[(tp, "nps"), "value"] == pytest.approx(100 * ((n >= 9).mean() - (n <= 6).mean()))
        assert k.loc[(tp, "ces_mean"), "value"] == pytest.approx(e.mean())
        assert k.loc[(tp, "ces_low_effort"), "value"] == pytest.approx((e <= 3).mean())
    est = k.dropna(subset=["value"])
    assert ((est.ci_low <= est.value + 1e-9) & (est.value <= est.ci_high + 1e-9)).all()


def test_journey_order_and_unsurveyed_touchpoint_kept_as_zero_rows():
    k = touchpoint_kpis(surveys(), journey=JOURNEY)
    assert k["touchpoint"].unique().tolist() == ["Product page", "Checkout", "Support"]
    support = k[k.touchpoint == "Support"]
    assert (support["n"] == 0).all() and support["value"].isna().all()
    assert k[k.touchpoint == "Checkout"]["kpi"].tolist() == [x for x in KPI_FORMULAS]


def test_stage_level_from_touchpoints_via_journey():
    sv = surveys()
    k = stage_kpis(sv, journey=JOURNEY).set_index(["stage", "kpi"])
    buy = sv[(sv.touchpoint == "Checkout") & (sv.metric == "csat")]
    assert k.loc[("Buy", "csat_mean"), "value"] == pytest.approx(buy.score.mean())


def test_intervals_are_deterministic_and_shrink_with_n():
    small = surveys(n=60)
    big = surveys(n=6000)
    a = touchpoint_kpis(small, journey=JOURNEY)
    b = touchpoint_kpis(small, journey=JOURNEY)
    pd.testing.assert_frame_equal(a, b)
    c = touchpoint_kpis(big, journey=JOURNEY)
    w = lambda f: (f.ci_high - f.ci_low).dropna().mean()
    assert w(c) < w(a)


def test_by_persona_through_evidence():
    ev = pd.DataFrame({"customer_id": ["a", "b"], "event": ["view", "pay"],
                       "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    cust = pd.DataFrame({"customer_id": ["a", "b"], "age": [20, 60]})
    e = prepare(ev, JOURNEY, customers=cust, personas={"Young": "age < 30", "Old": "age >= 30"})
    sv = pd.DataFrame({"customer_id": ["a", "a", "b"], "touchpoint": ["Checkout"] * 3,
                       "metric": ["csat"] * 3, "score": [5, 3, 1]})
    k = survey_kpis(sv, evidence=e, by="persona")
    means = k[k.kpi == "csat_mean"].set_index("persona")["value"]
    assert means.to_dict() == {"Young": 4.0, "Old": 1.0}


def test_seven_point_csat_scale_moves_the_top_two_boxes():
    sv = pd.DataFrame({"customer_id": list("abc"), "touchpoint": ["Checkout"] * 3,
                       "metric": ["csat"] * 3, "score": [5, 6, 7]})
    k = survey_kpis(sv, scales={"csat": (1, 7)}).set_index("kpi")
    assert k.loc["csat_top2box", "value"] == pytest.approx(2 / 3)


def test_bad_parameters():
    with pytest.raises(ParameterError, match="level"):
        survey_kpis(surveys(), level="persona")
    with pytest.raises(ParameterError, match="by"):
        survey_kpis(surveys(), by="persona")
    with pytest.raises(ParameterError, match="stage"):
        survey_kpis(surveys(), level="stage")          # no journey to map touchpoints to stages


@pytest.mark.parametrize("name", ["ecommerce", "b2b"])
def test_planted_emotion_truths_in_survey_kpis(name):
    from pathlib import Path

    from jmtools.journey import Journey
    from jmtools.sample_worlds import load_truths, truths_path

    folder = Path(__file__).resolve().parents[1] / "data" / name
    if not truths_path(name).exists():
        pytest.skip(f"sample world {name} not generated yet")
    truths = load_truths(name)
    sv = load_surveys(folder / "surveys.csv").to_pandas()
    sv = sv.merge(pd.read_csv(folder / "customer_personas.csv"), on="customer_id")
    k = touchpoint_kpis(sv, journey=Journey.load(folder / "journey.yaml"), by="persona")
    for t in truths["emotion"]:
        rows = k[(k.touchpoint == t["touchpoint"]) & (k.kpi == f"{t['metric']}_mean")]
        mine = rows[rows.persona == t["persona"]].iloc[0]
        assert mine["value"] == pytest.approx(t["persona_mean"], abs=1e-3)
        assert mine["n"] == t["persona_n"]
        others = rows[rows.persona != t["persona"]]
        pooled = (others["value"] * others["n"]).sum() / others["n"].sum()
        assert pooled == pytest.approx(t["others_mean"], abs=1e-3)
        assert others["n"].sum() == t["others_n"]


def test_answers_that_name_no_step_are_scored_over_all_of_them():
    """An NPS tool's export names no stage or touchpoint (D132): ``relationship_kpis`` scores those
    answers as plain pandas does, leaves out answers that name a step, and ``survey_kpis`` on such a
    file says where the scores are instead of asking for journey= again."""
    rng = np.random.default_rng(3)
    score = rng.integers(0, 11, size=240)
    sv = pd.DataFrame({"customer_id": [f"c{i % 200}" for i in range(240)], "metric": "nps", "score": score})
    k = relationship_kpis(sv).set_index("kpi")
    promoters, detractors = (score >= 9).mean(), (score <= 6).mean()
    assert k.loc["nps", "value"] == pytest.approx(100 * (promoters - detractors))
    assert k.loc["nps", "n"] == 240 and k.loc["nps", "n_customers"] == 200
    assert k.loc["nps", "ci_low"] < k.loc["nps", "value"] < k.loc["nps", "ci_high"]
    mixed = sv.assign(touchpoint=["Checkout" if i < 40 else None for i in range(240)])
    assert relationship_kpis(mixed).set_index("kpi").loc["nps", "n"] == 200     # the 40 at Checkout: per step
    assert relationship_kpis(sv.assign(touchpoint="Checkout")).empty
    with pytest.raises(ParameterError) as err:
        touchpoint_kpis(sv, journey=JOURNEY)
    assert "relationship_kpis" in str(err.value) and "pass journey=" not in str(err.value)


def test_stage_names_match_the_journey_ignoring_case_and_spaces():
    """Notebook 02 scored only the answers written exactly as the journey ("Compare plans": NPS
    −100, n=30) while the report matched "compare plans " too (NPS 0, n=60) (D175): one rule now,
    for touchpoints as for stages; a name the journey lacks is no step of it."""
    j = {"stages": ["Compare plans", "Buy"], "touchpoints": [
        {"name": "Plan page", "stage": "Compare plans", "events": ["v"]},
        {"name": "Checkout", "stage": "Buy", "events": ["p"]}]}
    sv = pd.DataFrame({"customer_id": [str(i) for i in range(64)], "metric": "nps",
                       "score": [10] * 30 + [3] * 30 + [9] * 4,
                       "stage": ["compare plans "] * 30 + ["Compare plans"] * 30 + ["Compair"] * 4,
                       "touchpoint": ["PLAN PAGE"] * 30 + ["Plan page"] * 30 + [None] * 4})
    by_stage = stage_kpis(sv, journey=j).set_index("stage")
    assert by_stage.loc["Compare plans", "n"] == 60 and by_stage.loc["Compare plans", "value"] == 0.0
    assert list(by_stage.index) == ["Compare plans", "Buy"] and by_stage.loc["Buy", "n"] == 0
    by_tp = touchpoint_kpis(sv, journey=j).set_index("touchpoint")
    assert by_tp.loc["Plan page", "n"] == 60 and by_tp.loc["Plan page", "value"] == 0.0
