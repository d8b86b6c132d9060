"""Opportunities and scoring frameworks: hand-computed examples, safe formulas, exports, write-back."""

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from jmtools.analyses import priorities as pr
from jmtools.core.errors import DataError, ParameterError

JOURNEY = """\
jmtools: 1
name: Shoes   # the running-shoe journey
stages:
  - name: Decision
  - name: Post-purchase
pain_points:
  - id: hidden-fees
    title: Shipping fee appears only at payment
    stage: Decision
  - id: slow-shipping
    title: Slow shipping
    stage: Post-purchase
opportunities:
  # the team's favourite
  - id: show-fees-early
    title: Show delivery cost on the product page
    pain_points: [hidden-fees]
    owner: Checkout squad
    status: planned
    target_date: 2027-03-31
    scores: {impact: 2, effort: 1, reach: 1200, confidence: 0.8, ease: 8}
  - id: faster-courier
    title: Switch courier
    pain_points: [slow-shipping]
    owner: Ops
    scores: {impact: 1, effort: 6, reach: 3000, confidence: 0.5, ease: 3}
"""


@pytest.fixture
def journey_file(tmp_path):
    path = tmp_path / "journey.yaml"
    path.write_text(JOURNEY)
    return path


@pytest.fixture
def opps(journey_file):
    from jmtools.journey import Journey

    return pr.opportunities_frame(Journey.load(journey_file))


@pytest.fixture
def pain_table():
    return pd.DataFrame({
        "pain_point_id": ["hidden-fees", "slow-shipping", "no-size-chart"],
        "customers_affected": [500, 2000, 300],
        "lift_needed": [0.3, np.nan, 0.1],
        "lift_basis": ["drop-off 0.45 vs baseline 0.15", "", "drop-off 0.2 vs 0.1"],
    })


def test_opportunities_from_journey(opps):
    assert opps["id"].tolist() == ["show-fees-early", "faster-courier"]
    assert opps.columns[:7].tolist() == pr.OPPORTUNITY_COLUMNS
    row = opps.iloc[0]
    assert row["pain_points"] == ["hidden-fees"] and row["owner"] == "Checkout squad"
    assert row["status"] == "planned" and row["target_date"] == dt.date(2027, 3, 31)
    assert opps.iloc[1]["status"] == "idea" and opps.iloc[1]["target_date"] is None
    assert opps["reach"].tolist() == [1200.0, 3000.0]
    assert set(opps["source"]) == {"journey file"}


def test_add_opportunity_does_not_mutate_and_validates(opps):
    before = opps.copy()
    out = pr.add_opportunity(opps, id="size-chart", title="Size chart", pain_points=["no-size-chart"],
                             owner="PDP", status="in progress", target_date="2027-01-15",
                             impact=3, effort=2, reach=900, confidence=1.0, ease=9)
    pd.testing.assert_frame_equal(opps, before)
    assert len(out) == 3 and out.iloc[2]["source"] == "notebook"
    assert out.iloc[2]["target_date"] == dt.date(2027, 1, 15)
    with pytest.raises(ParameterError, match="id"):
        pr.add_opportunity(opps, id="show-fees-early", title="dup")
    with pytest.raises(ParameterError, match="did you mean 'planned'"):
        pr.add_opportunity(opps, id="x", title="x", status="planed")
    with pytest.raises(ParameterError, match="YYYY-MM-DD"):
        pr.add_opportunity(opps, id="x", title="x", target_date="31/03/2027")


def test_impact_effort_quadrants_by_hand():
    frame = pd.DataFrame({"id": list("abcdef"), "impact": [5, 4, 1, 2, 3, np.nan],
                          "effort": [1, 5, 2, 5, 3, 1]})
    # medians over rows with both: impact median(5,4,1,2,3)=3, effort median(1,5,2,5,3)=3
    out = pr.impact_effort(frame)
    assert out["impact_threshold"].iloc[0] == 3 and out["effort_threshold"].iloc[0] == 3
    assert out["quadrant"].tolist()[:5] == ["quick win", "big bet", "fill-in", "money pit", "big bet"]
    assert pd.isna(out["quadrant"].iloc[5])
    fixed = pr.impact_effort(frame, impact_threshold=4.5, effort_threshold=1.5)
    assert fixed["quadrant"].tolist()[:5] == ["quick win", "money pit", "money pit", "money pit",
                                               "money pit"]
    assert "quadrant" not in frame


def test_rice_by_hand(opps):
    out = pr.rice(opps)
    # 1200*2*0.8/1 = 1920 ; 3000*1*0.5/6 = 250
    assert out["rice"].tolist() == [1920.0, 250.0]


@pytest.mark.parametrize("col, value, match", [
    ("impact", 4, "RICE impact must be one of"),
    ("confidence", 80, r"fraction in \(0, 1\]"),
    ("effort", 0, "person-months > 0"),
    ("reach", -5, "count"),
])
def test_rice_rejects_out_of_scale(opps, col, value, match):
    bad = opps.copy()
    bad.loc[1, col] = value
    with pytest.raises(DataError, match=match) as err:
        pr.rice(bad)
    assert "faster-courier" in str(err.value)


def test_ice_by_hand(opps):
    out = pr.ice(opps)
    # confidence 0.8 -> 8, 0.5 -> 5: 2*8*8 = 128 ; 1*5*3 = 15
    assert out["ice_confidence"].tolist() == [8.0, 5.0]
    assert out["ice"].tolist() == [128.0, 15.0]
    bad = opps.assign(ease=[11, 3])
    with pytest.raises(DataError, match="1–10"):
        pr.ice(bad)
    with pytest.raises(DataError, match=r"\(0, 10\]"):
        pr.ice(opps.assign(impact=[12, 1]))
    # RICE-scale impact is accepted; an ice_impact column is preferred by prioritise
    assert pr.ice(opps.assign(impact=[0.5, 1]))["ice"].tolist() == [0.5 * 8 * 8, 15.0]
    both = pr.prioritise(opps.assign(ice_impact=[9, 2]), by="ice")
    assert both.set_index("id").loc["show-fees-early", "ice"] == 9 * 8 * 8


def test_missing_column_names_the_fix(opps):
    with pytest.raises(ParameterError, match="did you mean 'reach'"):
        pr.rice(opps, reach_col="raech")


def test_value_at_stake_by_hand(opps, pain_table):
    aov = pd.DataFrame({"order_value": [80.0], "n": [1000], "ci_low": [75.0], "ci_high": [85.0]})
    out = pr.value_at_stake(opps, pain_table, order_value=aov)
    fees, courier = out.iloc[0], out.iloc[1]
    assert fees["customers_affected"] == 500 and fees["customers_won_back"] == 150
    assert fees["value_at_stake"] == pytest.approx(500 * 0.3 * 80)
    assert "drop-off 0.45 vs baseline 0.15" in fees["value_assumptions"]
    assert "mean of 1,000 orders" in fees["value_assumptions"]
    # slow-shipping has no measured lift and no default: value 0, said so
    assert courier["value_at_stake"] == 0 and "no lift estimate" in courier["value_assumptions"]
    with_default = pr.value_at_stake(opps, pain_table, order_value=50, default_lift=0.02)
    assert with_default.iloc[1]["value_at_stake"] == pytest.approx(2000 * 0.02 * 50)
    assert "default lift, assumed" in with_default.iloc[1]["value_assumptions"]


def test_value_at_stake_sums_linked_pain_points_and_overrides(pain_table):
    opps = pd.DataFrame({"id": ["both", "team", "ghost"],
                         "pain_points": [["hidden-fees", "no-size-chart"], ["hidden-fees"], ["nope"]],
                         "lift": [np.nan, 0.05, np.nan]})
    out = pr.value_at_stake(opps, pain_table, order_value=10.0)
    assert out.iloc[0]["value_at_stake"] == pytest.approx((500 * 0.3 + 300 * 0.1) * 10)
    assert out.iloc[0]["lift_needed"] == pytest.approx((150 + 30) / 800)
    assert out.iloc[1]["value_at_stake"] == pytest.approx(500 * 0.05 * 10)
    assert "assumed by the team" in out.iloc[1]["value_assumptions"]
    assert out.iloc[2]["value_at_stake"] == 0 and "not among" in out.iloc[2]["value_assumptions"]
    unknown = pain_table.assign(customers_affected=[np.nan, 2000, 300])
    out = pr.value_at_stake(opps.iloc[:2], unknown, order_value=10.0)
    assert out.iloc[1]["value_at_stake"] == 0
    assert "no count of the customers affected" in out.iloc[1]["value_assumptions"]


def test_average_order_value_oracle():
    orders = pd.DataFrame({"amount": [10.0, 20.0, 60.0, np.nan]})
    out = pr.average_order_value(orders)
    assert out["order_value"].iloc[0] == pytest.approx(30.0) and out["n"].iloc[0] == 3
    assert out["ci_low"].iloc[0] <= 30 <= out["ci_high"].iloc[0]


def test_custom_formula_matches_pandas(opps):
    out = pr.custom_score(opps, "reach * impact / (effort + 1) + max(ease, 5) - abs(-1)", name="mine")
    expected = opps["reach"] * opps["impact"] / (opps["effort"] + 1) + np.fmax(opps["ease"], 5) - 1
    assert out["mine"].tolist() == pytest.approx(expected.tolist())
    assert pr.custom_score(opps, "sqrt(reach) ** 2", name="r")["r"].tolist() == pytest.approx([1200, 3000])


@pytest.mark.parametrize("formula, match", [
    ("__import__('os').system('echo hi')", "not allowed"),
    ("reach.__class__", "not allowed"),
    ("open('x')", "function 'open' is not allowed"),
    ("[reach]", "not allowed"),
    ("reach if impact else 0", "not allowed"),
    ("raech * 2", "did you mean 'reach'"),
    ("reach *", "valid arithmetic formula"),
    ("", "non-empty"),
    ("max()", "at least one"),
])
def test_custom_formula_refuses_anything_else(opps, formula, match):
    with pytest.raises(ParameterError, match=match):
        pr.custom_score(opps, formula)


def test_rank_backlog_order_and_ties():
    frame = pd.DataFrame({"id": list("abcd"), "score": [5.0, np.nan, 9.0, 5.0]})
    out = pr.rank_backlog(frame, by="score")
    assert out["id"].tolist() == ["c", "a", "d", "b"] and out["rank"].tolist() == [1, 2, 3, 4]
    with pytest.raises(ParameterError, match="did you mean 'score'"):
        pr.rank_backlog(frame, by="scor")


def test_prioritise_runs_every_framework(opps, pain_table):
    out = pr.prioritise(opps, pain_table, order_value=80.0, formulas={"vpe": "value_at_stake / effort"})
    assert out["id"].tolist() == ["show-fees-early", "faster-courier"]
    for col in ("quadrant", "rice", "ice", "value_at_stake", "vpe", "rank"):
        assert col in out
    assert out.iloc[0]["vpe"] == pytest.approx(500 * 0.3 * 80 / 1)
    with pytest.raises(ParameterError, match="rank by a score"):
        pr.prioritise(opps, by="value_at_stake")


def test_the_default_ranking_breaks_ties_of_value_at_stake_by_rice_then_ice():
    """Grocery's Family Fiona: two opportunities at 0 value at stake kept the journey file's order,
    RICE 750 above RICE 2,000, with nothing saying why. Equal values now go by the next score."""
    opps = pd.DataFrame({"id": list("abcd"), "value_at_stake": [0.0, 0.0, 50.0, 0.0],
                         "rice": [750.0, 2000.0, 10.0, 750.0], "ice": [1.0, 1.0, 1.0, 9.0]})
    out = pr.prioritise(opps, by=None)
    want = opps.sort_values(["value_at_stake", "rice", "ice"], ascending=False, kind="stable")
    assert out["id"].tolist() == want["id"].tolist() == ["c", "b", "d", "a"]
    assert pr.prioritise(opps.drop(columns="value_at_stake"), by=None)["id"].tolist() == ["b", "d", "a", "c"]
    assert pr.prioritise(opps, by="value_at_stake")["id"].tolist() == ["c", "b", "d", "a"]   # notebook 05's
    assert pr.prioritise(opps, by="ice")["id"].tolist() == ["d", "c", "b", "a"]      # then value, then RICE


def test_exports_read_back_in_pandas_and_openpyxl(opps, pain_table, tmp_path):
    backlog = pr.prioritise(opps, pain_table, order_value=80.0)
    csv = pr.export_backlog(backlog, tmp_path / "backlog.csv")
    back = pd.read_csv(csv)
    assert back["id"].tolist() == backlog["id"].tolist()
    assert back["rice"].tolist() == pytest.approx(backlog["rice"].tolist())
    assert back["pain_points"].tolist() == ["hidden-fees", "slow-shipping"]
    assert back["target_date"].iloc[0] == "2027-03-31"

    xlsx = pr.export_backlog(backlog, tmp_path / "backlog.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["backlog", "formulas"]
    assert sheets["backlog"]["value_at_stake"].tolist() == pytest.approx(
        backlog["value_at_stake"].tolist())
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    rows = list(wb["backlog"].iter_rows(values_only=True))
    header = list(rows[0])
    assert rows[1][header.index("id")] == "show-fees-early"
    assert rows[1][header.index("rank")] == 1
    formulas = dict(list(wb["formulas"].iter_rows(values_only=True))[1:])
    assert "reach × impact × confidence ÷ effort" in formulas["rice"]
    with pytest.raises(ParameterError, match=".csv or .xlsx"):
        pr.export_backlog(backlog, tmp_path / "backlog.json")


def test_write_back_keeps_comments_and_adds_scores(journey_file, opps, pain_table):
    from jmtools.journey import Journey

    more = pr.add_opportunity(opps, id="size-chart", title="Add a size chart",
                              pain_points=["hidden-fees"], owner="PDP team", target_date="2027-02-01",
                              impact=3, effort=2, reach=500, confidence=1.0, ease=9)
    backlog = pr.prioritise(more, pain_table, order_value=80.0)
    original = Journey.load(journey_file)
    saved = pr.write_back(backlog, original)
    assert original.opportunities[0].scores.get("rice") is None  # the object passed is untouched
    text = journey_file.read_text()
    assert "# the running-shoe journey" in text and "# the team's favourite" in text
    again = Journey.load(journey_file)
    assert [o.id for o in again.opportunities] == ["show-fees-early", "faster-courier", "size-chart"]
    fees = again.opportunities[0]
    assert fees.scores["rice"] == pytest.approx(1920.0)
    assert fees.scores["value_at_stake"] == pytest.approx(500 * 0.3 * 80)
    assert fees.scores["impact"] == 2 and fees.owner == "Checkout squad"
    added = again.opportunities[2]
    assert added.owner == "PDP team" and added.target_date == dt.date(2027, 2, 1)
    assert added.scores["impact"] == 3 and added.scores["rice"] == pytest.approx(500 * 3 * 1.0 / 2)
    assert saved == again


def test_write_back_by_path_and_elsewhere(journey_file, opps, tmp_path):
    backlog = pr.prioritise(opps, by="rice")
    out = tmp_path / "copy.yaml"
    pr.write_back(backlog, journey_file, path=out)
    from jmtools.journey import Journey

    assert Journey.load(out).opportunities[1].scores["rank"] == 2
    assert "rice" not in journey_file.read_text()


def test_public_names():
    assert set(pr.__all__) == {n for n in dir(pr) if not n.startswith("_")} & set(pr.__all__)
    for name in pr.__all__:
        assert hasattr(pr, name)


def test_value_at_stake_per_persona_order_value():
    orders = pd.DataFrame({"customer_id": ["b1", "b2", "m1", "x"], "amount": [40.0, 60.0, 200.0, 100.0]})
    who = pd.DataFrame({"customer_id": ["b1", "b2", "m1"], "persona": ["Ben", "Ben", "Maya"]})
    aov = pr.average_order_value(orders, personas=who)
    assert aov.set_index("persona")["order_value"].to_dict() == {"all": 100.0, "Ben": 50.0, "Maya": 200.0}
    assert aov.set_index("persona")["n"].to_dict() == {"all": 4, "Ben": 2, "Maya": 1}
    pain = pd.DataFrame({"pain_point_id": ["fees"], "customers_affected": [500], "lift_needed": [0.3],
                         "stake": [[{"persona": "Ben", "customers": 400, "lift": 0.25},
                                    {"persona": "Maya", "customers": 100, "lift": 0.5}]]})
    opps = pd.DataFrame({"id": ["show-fees"], "pain_points": [["fees"]]})
    out = pr.value_at_stake(opps, pain, order_value=aov).iloc[0]
    assert out["value_at_stake"] == pytest.approx(400 * 0.25 * 50 + 100 * 0.5 * 200)
    assert out["customers_won_back"] == pytest.approx(400 * 0.25 + 100 * 0.5)
    assert out["order_value"] == pytest.approx(out["value_at_stake"] / out["customers_won_back"])
    assert "'fees' Ben: 400 customers × lift 0.250" in out["value_assumptions"]
    assert "mean of 2 orders of Ben" in out["value_assumptions"]
    # a single overall order value ignores the per-persona split
    flat = pr.value_at_stake(opps, pain, order_value=100.0).iloc[0]
    assert flat["value_at_stake"] == pytest.approx(500 * 0.3 * 100)


@pytest.mark.parametrize("fn, kwargs, bad", [
    (pr.impact_effort, {}, {"impact_col": "impactt"}),
    (pr.rice, {}, {"reach_col": "rech"}),
    (pr.ice, {}, {"ease_col": "eas"}),
    (pr.custom_score, {"formula": "impact / effort"}, {"formula": "impact / efort"}),
    (pr.rank_backlog, {"by": "impact"}, {"by": "impakt"}),
])
def test_contract_copy_not_mutate_and_name_the_fix(opps, fn, kwargs, bad):
    before = opps.copy()
    out = fn(opps, **kwargs)
    pd.testing.assert_frame_equal(opps, before)
    assert out is not opps and len(out) == len(opps)
    assert set(before.columns) <= set(out.columns)
    with pytest.raises(ParameterError, match="did you mean"):
        fn(opps, **{**kwargs, **bad})


def test_statuses_match_the_journey_file():
    from jmtools.journey import OPPORTUNITY_STATUSES

    assert tuple(pr.STATUSES) == tuple(OPPORTUNITY_STATUSES)


def _union_oracle(opps: pd.DataFrame, pains: pd.DataFrame, aov: dict) -> float:
    """Plain pandas: each (pain point, persona)'s customers valued once, at the largest lift any
    opportunity claims for them (its own 'lift', else the measured one); the pain points of one
    stage and persona together never count more customers than reached that stage."""
    links = opps.explode("pain_points").rename(columns={"pain_points": "pain_point_id"})
    stake = pains[["pain_point_id", "stage", "stake"]].explode("stake").dropna(subset=["stake"])
    stake = stake.assign(persona=stake["stake"].str["persona"], customers=stake["stake"].str["customers"],
                         measured=stake["stake"].str["lift"], population=stake["stake"].str["population"])
    rows = links.merge(stake, on="pain_point_id")
    rows = rows.assign(value=rows["customers"] * rows["lift"].fillna(rows["measured"])
                       * rows["persona"].map(aov)).query("value > 0")
    best = rows.sort_values("value").groupby(["pain_point_id", "persona"]).tail(1)
    per_stage = best.groupby(["stage", "persona"]).agg(value=("value", "sum"), customers=("customers", "sum"),
                                                       population=("population", "max"))
    return float((per_stage["value"] * (per_stage["population"] / per_stage["customers"]).clip(upper=1)).sum())


def test_total_value_at_stake_counts_shared_customers_once_against_a_pandas_oracle():
    """Planted: two opportunities relieve the same pain point (the same 400 + 100 customers),
    one of them also another pain point; a third assumes its own lift for the shared one; two
    pain points at one stage claim the same 300 customers twice.
    The demo's Budget Ben report had added 26,099 twice into its total."""
    def part(persona, customers, lift, population):
        return {"persona": persona, "customers": customers, "lift": lift, "population": population}

    pains = pd.DataFrame({
        "pain_point_id": ["fees", "photos", "returns", "compare"],
        "stage": ["Decision", "Consideration", "Post", "Consideration"],
        "customers_affected": [500.0, 300.0, 80.0, 300.0], "lift_needed": [0.3, 0.1, np.nan, 0.2],
        "stake": [[part("Ben", 400, 0.25, 400), part("Maya", 100, 0.5, 100)],
                  [part("Ben", 300, 0.1, 300)], [part("Ben", 80, None, 80)],
                  [part("Ben", 300, 0.2, 300)]]})
    opps = pd.DataFrame({"id": ["show-fees", "free-delivery", "fees-and-photos", "team-guess", "returns",
                                "compare-table"],
                         "pain_points": [["fees"], ["fees"], ["fees", "photos"], ["fees"], ["returns"],
                                         ["compare"]],
                         "lift": [np.nan, np.nan, np.nan, 0.6, np.nan, np.nan]})
    aov = pd.DataFrame({"persona": ["all", "Ben", "Maya"], "order_value": [100.0, 50.0, 200.0],
                        "n": [900, 600, 300], "ci_low": [90.0, 45.0, 180.0], "ci_high": [110.0, 55.0, 220.0]})
    out = pr.value_at_stake(opps, pains, order_value=aov)
    total = pr.total_value_at_stake(out).iloc[0]
    expected = _union_oracle(opps, pains, {"Ben": 50.0, "Maya": 200.0})
    assert total["value_at_stake"] == pytest.approx(expected)
    # by hand: fees at the team's lift 0.6 (400 × 0.6 × 50 + 100 × 0.6 × 200); photos and compare
    # claim Ben's 300 customers at Consideration twice: (300 × 0.1 + 300 × 0.2) × 50 × 300/600
    assert expected == pytest.approx(12_000 + 12_000 + 2_250)
    assert total["value_summed"] == pytest.approx(out["value_at_stake"].sum())
    assert total["value_summed"] > total["value_at_stake"]
    assert total["n_pain_points"] == 3 and total["customers_affected"] == pytest.approx(400 + 100 + 300)
    # each figure says what it covers: the pain points and personas, and who shares them
    parts = out.set_index("id")["stake_parts"]
    assert [(p["pain_point"], p["of"]) for p in parts["fees-and-photos"]] == \
        [("fees", "Ben at Decision"), ("fees", "Maya at Decision"), ("photos", "Ben at Consideration")]
    shared = out.set_index("id")["stake_shared_with"]
    assert shared["show-fees"] == ["free-delivery", "fees-and-photos", "team-guess"]
    assert shared["compare-table"] == ["fees-and-photos"]
    assert shared["returns"] == []   # no value: shares no customers' value with anyone
    assert "shares customers with free-delivery" in out.set_index("id").at["show-fees", "value_assumptions"]
    # a subset's total is that subset's union
    two = pr.total_value_at_stake(out[out["id"].isin(["show-fees", "free-delivery"])]).iloc[0]
    assert two["value_at_stake"] == pytest.approx(out["value_at_stake"].iloc[0])
    with pytest.raises(ParameterError, match="stake_parts"):
        pr.total_value_at_stake(opps)


def test_exported_backlog_keeps_the_words_not_the_parts(opps, pain_table, tmp_path):
    backlog = pr.prioritise(opps, pain_table, order_value=80.0)
    csv = pd.read_csv(pr.export_backlog(backlog, tmp_path / "b.csv"))
    assert "stake_parts" not in csv and "value_assumptions" in csv and "stake_shared_with" in csv


@pytest.mark.parametrize("n", [1, 2])
def test_too_few_opportunities_get_no_quadrant_from_their_own_median(n):
    """D156: the median of one opportunity is itself, so it was always a "big bet" (an outside
    tester's utility world, one opportunity at impact 3, effort 2). Below MIN_FOR_QUADRANTS
    opportunities with both scores there is no threshold and no quadrant; given thresholds still
    split them, and three opportunities are split at their medians as before."""
    frame = pd.DataFrame({"id": list("abc")[:n], "impact": [3, 1, 2][:n], "effort": [2, 3, 1][:n]})
    out = pr.impact_effort(frame)
    assert pr.MIN_FOR_QUADRANTS == 3
    assert out["quadrant"].isna().all() and out["impact_threshold"].isna().all()
    assert pr.prioritise(frame.assign(title="t"), by=None)["quadrant"].isna().all()
    assert pr.impact_effort(frame, impact_threshold=2, effort_threshold=2)["quadrant"].iloc[0] == "big bet"
    three = pr.impact_effort(pd.DataFrame({"id": list("abc"), "impact": [3, 1, 2], "effort": [2, 3, 1]}))
    assert three["quadrant"].tolist() == ["big bet", "money pit", "quick win"]   # medians 2 and 2
