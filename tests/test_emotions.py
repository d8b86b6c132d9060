"""Emotion curve: evidence stacking, curve vs a plain-pandas oracle, intervals, moments, gap, trend."""

import warnings

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses import emotions
from jmtools.analyses.emotions import curve as emotions_curve
from jmtools.analyses.emotions import (CURVE_COLUMNS, EVIDENCE_COLUMNS, assumed_gap, emotion_curve,
                              emotion_evidence, moments_of_truth, sentiment_trend, trend_slopes)
from jmtools.core.errors import DataError, ParameterError
from jmtools.journey import Journey
from jmtools.analyses.valence import assumed_valence

STAGES = ["Browse", "Buy", "After"]


@pytest.fixture
def journey():
    return Journey(
        name="t", personas=[{"name": "Ben", "rule": "age < 30"}, {"name": "Maya", "rule": "age >= 30"}],
        stages=[{"name": "Browse", "emotion": 1}, {"name": "Buy", "emotion": {"Ben": 1, "Maya": -1}},
                {"name": "After", "emotion": 0}],
        touchpoints=[{"name": "Product page", "stage": "Browse", "channel": "digital"},
                     {"name": "Checkout", "stage": "Buy", "channel": "digital"},
                     {"name": "Cart", "stage": "Buy", "channel": "digital"},
                     {"name": "Returns", "stage": "After", "channel": "digital"}])


def _surveys():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "timestamp": pd.to_datetime(["2026-01-03", "2026-01-09", "2026-02-01", "2026-02-11",
                                     "2026-03-01", "2026-03-05"]),
        "metric": ["csat"] * 6, "score": [5, 1, 2, 4, 3, 5],
        "stage": ["Browse", None, "Buy", None, None, None],
        "touchpoint": [None, "Checkout", None, "Cart", None, "Product page"]})


def _personas():
    return pd.DataFrame({"customer_id": ["a", "b", "c", "d", "d", "f"],
                         "persona": ["Ben", "Ben", "Maya", "Maya", "Ben", "Maya"]})


# ---------------------------------------------------------------- evidence
def test_evidence_stage_from_touchpoint_personas_and_drops(journey):
    s = _surveys()
    before = s.copy()
    with pytest.warns(UserWarning, match="left off the emotion curve, naming no stage or touchpoint: surveys: 1 row$"):
        ev = emotion_evidence(journey, surveys=s, personas=_personas())
    pd.testing.assert_frame_equal(s, before)
    assert list(ev.columns) == EVIDENCE_COLUMNS
    assert list(ev["stage"].cat.categories) == STAGES and ev["stage"].cat.ordered
    by_customer = ev.drop_duplicates("obs_id").set_index("customer_id")["stage"].astype(str)
    assert by_customer.to_dict() == {"a": "Browse", "b": "Buy", "c": "Buy", "d": "Buy",
                                     "f": "Browse"}
    assert sorted(ev.loc[ev.customer_id == "d", "persona"]) == ["Ben", "Maya"]   # two personas
    assert ev.loc[ev.customer_id == "d", "obs_id"].nunique() == 1                 # one observation
    assert ev.attrs["dropped"] == {"surveys": {"no stage or touchpoint": 1}}


def test_evidence_persona_col_kept_from_table(journey):
    s = _surveys().assign(segment=["x", "x", "y", "y", "x", "y"], stage=lambda d: d.stage.fillna("After"))
    ev = emotion_evidence(journey, surveys=s.drop(columns="touchpoint"), persona_col="segment")
    assert ev.set_index("customer_id")["persona"].to_dict() == dict(zip("abcdef", "xxyyxy"))


def test_evidence_errors(journey):
    s = _surveys()
    # no row names a stage or touchpoint the journey has: left out and warned, no error (D192)
    with pytest.warns(UserWarning, match="(?s)1 rows left without their stage.*'Buyy'.*did you mean 'Buy'"):
        ev = emotion_evidence(journey, surveys=s.assign(stage=["Buyy"] + [None] * 5, touchpoint=None))
    assert len(ev) == 0 and ev.attrs["dropped"] == {"surveys": {"no stage or touchpoint": 6}}
    with pytest.warns(UserWarning, match="(?s)6 rows left without their touchpoint.*'Chekout'.*did you mean 'Checkout'"):
        ev = emotion_evidence(journey, surveys=s.assign(touchpoint=["Chekout"] * 6))
    assert ev["stage"].astype(str).tolist() == [x for x in s["stage"] if isinstance(x, str)]
    with pytest.raises(ParameterError, match="at least one evidence table"):
        emotion_evidence(journey)
    with pytest.raises(DataError, match="personas table needs"):
        emotion_evidence(journey, surveys=s.dropna(subset=["stage"]),
                         personas=pd.DataFrame({"customer_id": ["a"], "group": ["x"]}))


def test_one_stale_or_differently_written_name_does_not_stop_the_evidence(journey):
    """One survey row with an old touchpoint name, names in lower case, a touchpoint the
    journey has moved to another stage: each stopped the whole report (exit 1). Names match
    ignoring case and spaces; an unknown name leaves that row without it (warned, with the
    closest name); a stage that contradicts the journey gives way to the touchpoint's."""
    s = _surveys()
    baseline = emotion_evidence(journey, surveys=s)
    lower = emotion_evidence(journey, surveys=s.assign(touchpoint=s.touchpoint.str.lower() + " ",
                                                       stage=s.stage.str.upper()))
    pd.testing.assert_frame_equal(baseline[["customer_id", "stage", "touchpoint", "valence"]],
                                  lower[["customer_id", "stage", "touchpoint", "valence"]])
    with pytest.warns(UserWarning, match="(?s)1 rows left without their stage.*'Buyy'.*did you mean 'Buy'"):
        typo = emotion_evidence(journey, surveys=s.assign(stage=["Buyy"] + list(s.stage[1:])))
    assert len(typo) == len(baseline) - (1 if pd.isna(s.touchpoint.iloc[0]) else 0)
    with pytest.warns(UserWarning, match="differs from their touchpoint's stage.*touchpoint's stage is used"):
        moved = emotion_evidence(journey, surveys=s.assign(stage=["After", "Browse"] + [None] * 4))
    of = {t.name: t.stage for t in journey.touchpoints}
    assert moved.set_index("customer_id")["stage"].astype(str).to_dict() == {
        "a": "After", "b": of["Checkout"], "d": of["Cart"], "f": of["Product page"]}
    assert of["Checkout"] != "Browse"
    # the same in sentences a report shows (it shows no warnings); none for names it matched;
    # row e names neither a stage nor a touchpoint
    from jmtools.analyses.emotions import journey_name_notes

    e = ("1 row names no stage or touchpoint: not placed on the journey (left out of the emotion curve "
         "and the pain points)")
    assert journey_name_notes(journey, s.assign(touchpoint=s.touchpoint.str.lower() + " ")) == [e]
    assert journey_name_notes(journey, s.assign(stage=["Buyy"] + list(s.stage[1:]))) == [
        "1 row names a stage the journey does not have ('Buyy'; did you mean 'Buy'?): used without it", e]
    assert journey_name_notes(journey, s.assign(stage=["After", "Browse"] + [None] * 4)) == [
        "1 row gives a stage that differs from the touchpoint's stage in the journey: the touchpoint's "
        "stage is used", "2" + e[1:].replace("row names", "rows name")]                 # rows c and e
    assert journey_name_notes(journey, s.assign(touchpoint=["Chekout"] * 6)) == [     # said, no error (D192)
        "6 rows name a touchpoint the journey does not have ('Chekout'; did you mean 'Checkout'?): used without it"]
    assert journey_name_notes(journey, s.drop(columns=["stage", "touchpoint"]))[0].startswith("6 rows name no")


def test_evidence_all_kinds_together(journey):
    fb = pd.DataFrame({"feedback_id": ["1", "2"], "customer_id": ["a", "c"],
                       "timestamp": pd.to_datetime(["2026-01-04", "2026-02-02"]),
                       "text": ["Love the product page", "The checkout failed twice, awful"],
                       "touchpoint": ["Product page", "Checkout"]})
    events = pd.DataFrame({"customer_id": ["a", "a", "c"], "event": ["view", "pay", "view"],
                           "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-02-01"]),
                           "stage": ["Browse", "Buy", "Browse"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = emotion_evidence(journey, surveys=_surveys(), feedback=fb, events=events,
                              behaviour_rules=["abandonment"])
    assert ev.groupby("evidence").size().to_dict() == {"measured": 3, "reported": 7}
    c_browse = ev[(ev.customer_id == "c") & (ev.source == "behaviour")]
    assert c_browse["valence"].tolist() == [-1.0]            # c abandoned after Browse
    # tickets are contacts: two tickets at Buy make c's Buy a repeated contact
    tickets = pd.DataFrame({"ticket_id": ["t1", "t2"], "customer_id": ["c", "c"],
                            "timestamp": pd.to_datetime(["2026-02-03", "2026-02-04"]),
                            "touchpoint": ["Checkout", "Cart"]})
    ev3 = emotion_evidence(journey, events=events, tickets=tickets,
                           behaviour_rules=["repeated_contacts"])
    got = ev3.set_index(["customer_id", "stage"])["valence"]
    assert got[("c", "Buy")] == -1.0 and got[("c", "Browse")] == 0.0 and got[("a", "Buy")] == 0.0
    # events without behaviour_rules are not evidence (behaviour is opt-in)
    ev2 = emotion_evidence(journey, feedback=fb, events=events)
    assert set(ev2["source"]) == {"feedback"}


# ---------------------------------------------------------------- curve
def _random_evidence(seed=1, n=400):
    rng = np.random.default_rng(seed)
    personas = rng.choice(["Ben", "Maya", None], n, p=[.45, .45, .10])
    stage = rng.choice(STAGES[:2], n)          # "After" has no evidence at all
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in rng.integers(0, 150, n)],
        "timestamp": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 120, n), "D"),
        "stage": pd.Categorical(stage, categories=STAGES, ordered=True),
        "touchpoint": np.where(stage == "Buy", rng.choice(["Checkout", "Cart"], n), "Product page"),
        "persona": pd.array(personas, dtype="string"),
        "valence": rng.normal(0, 1, n).clip(-2, 2).round(2),
        "source": rng.choice(["survey:csat", "feedback"], n),
        "evidence": "reported", "obs_id": np.arange(n)})


def test_curve_matches_plain_pandas_oracle():
    ev = _random_evidence()
    curve = emotion_curve(ev, min_n=30, unit="evidence")
    assert list(curve.columns) == [c for c in CURVE_COLUMNS if c != "touchpoint"]
    assert curve["persona"].tolist() == ["all"] * 3 + ["Ben"] * 3 + ["Maya"] * 3
    assert curve["stage"].astype(str).tolist() == STAGES * 3
    oracle_all = ev.groupby("stage", observed=False)["valence"].agg(["mean", "size"])
    oracle_p = ev.dropna(subset=["persona"]).groupby(["persona", "stage"], observed=False)[
        "valence"].agg(["mean", "size"])
    for r in curve.itertuples():
        o = oracle_all.loc[r.stage] if r.persona == "all" else oracle_p.loc[(r.persona, r.stage)]
        assert r.n == o["size"]
        if r.n:
            assert r.valence == pytest.approx(o["mean"])
            assert r.ci_low <= r.valence <= r.ci_high
        else:
            assert np.isnan(r.valence) and np.isnan(r.ci_low) and r.low_evidence
            assert r.evidence == "" and r.sources == ""
    after = curve[curve.stage == "After"]
    assert (after["n"] == 0).all() and len(after) == 3           # zero rows kept, not hidden


def test_curve_sources_labels_and_flags():
    ev = _random_evidence()
    ev.loc[:9, "evidence"] = "measured"
    curve = emotion_curve(ev, min_n=100, unit="evidence")
    row = curve[(curve.persona == "all") & (curve.stage == "Browse")].iloc[0]
    counts = ev[ev.stage == "Browse"]["source"].value_counts()
    assert row.sources == ", ".join(f"{s} (n={c})" for s, c in counts.items())
    assert row.evidence in ("measured+reported", "reported")
    assert curve.loc[curve.persona == "all", "evidence"].iloc[:2].str.contains("reported").all()
    assert (curve["low_evidence"] == (curve["n"] < 100)).all()
    assert row.n_customers == ev[ev.stage == "Browse"]["customer_id"].nunique()
    assert row.n_evidence == row.n == (ev.stage == "Browse").sum()


def test_curve_unit_customer_averages_each_customer_first():
    ev = _random_evidence()
    curve = emotion_curve(ev, min_n=30)                       # unit="customer" is the default
    per_customer = ev.groupby(["stage", "customer_id"], observed=True)["valence"].mean()
    oracle = per_customer.groupby(level="stage", observed=True).agg(["mean", "size"])
    for r in curve[(curve.persona == "all") & (curve.n > 0)].itertuples():
        assert r.n == r.n_customers == oracle.loc[r.stage, "size"]
        assert r.valence == pytest.approx(oracle.loc[r.stage, "mean"])
        assert r.n_evidence == (ev.stage == r.stage).sum() > r.n
    assert curve.attrs["unit"] == "customer"
    # one customer with many identical answers does not narrow the interval
    one = pd.DataFrame({"customer_id": ["a"] * 50 + ["b"] * 50, "timestamp": pd.NaT,
                        "stage": pd.Categorical(["Buy"] * 100, categories=STAGES, ordered=True),
                        "touchpoint": pd.NA, "persona": pd.NA, "valence": [2.0] * 50 + [-2.0] * 50,
                        "source": "x", "evidence": "reported", "obs_id": range(100)})
    by_cust = emotion_curve(one).set_index("stage").loc["Buy"]
    by_piece = emotion_curve(one, unit="evidence").set_index("stage").loc["Buy"]
    assert by_cust["n"] == 2 and by_piece["n"] == 100
    assert (by_cust.ci_high - by_cust.ci_low) > 3 * (by_piece.ci_high - by_piece.ci_low)
    with pytest.raises(ParameterError, match="unit"):
        emotion_curve(one, unit="person")


def test_customer_in_two_personas_counts_once_overall():
    ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "timestamp": pd.NaT,
                       "stage": pd.Categorical(["Buy"] * 3, categories=STAGES, ordered=True),
                       "touchpoint": pd.NA, "persona": ["Ben", "Maya", "Maya"],
                       "valence": [-2.0, -2.0, 1.0], "source": "x", "evidence": "reported",
                       "obs_id": [0, 0, 1]})
    curve = emotion_curve(ev, unit="evidence").set_index(["persona", "stage"])
    assert curve.loc[("all", "Buy"), "n"] == 2 and curve.loc[("all", "Buy"), "valence"] == -0.5
    assert curve.loc[("Ben", "Buy"), "n"] == 1 and curve.loc[("Maya", "Buy"), "n"] == 2


def test_intervals_are_wider_for_small_n():
    rng = np.random.default_rng(7)
    big, small = rng.normal(0, 1, 2000), rng.normal(0, 1, 15)
    ev = pd.DataFrame({"customer_id": "x", "timestamp": pd.NaT, "touchpoint": pd.NA,
                       "stage": pd.Categorical(["Browse"] * 2000 + ["Buy"] * 15, categories=STAGES,
                                               ordered=True),
                       "persona": pd.NA, "valence": np.r_[big, small], "source": "x",
                       "evidence": "reported", "obs_id": range(2015)})
    curve = emotion_curve(ev, min_n=30, unit="evidence").set_index("stage")
    width = curve["ci_high"] - curve["ci_low"]
    assert width["Buy"] > 4 * width["Browse"]
    # roughly the textbook width 2 × 1.96 × sd/√n
    assert width["Browse"] == pytest.approx(2 * 1.96 * big.std() / np.sqrt(2000), rel=0.15)
    assert curve.loc["Buy", "low_evidence"] and not curve.loc["Browse", "low_evidence"]


def test_curve_median_and_bad_options():
    ev = _random_evidence()
    med = emotion_curve(ev, statistic="median", unit="evidence")
    o = ev.groupby("stage", observed=True)["valence"].median()
    got = med[med.persona == "all"].set_index("stage")["valence"].dropna()
    np.testing.assert_allclose(got.to_numpy(), o.loc[got.index].to_numpy())
    with pytest.raises(ParameterError, match="statistic"):
        emotion_curve(ev, statistic="mode")
    with pytest.raises(ParameterError, match="min_n"):
        emotion_curve(ev, min_n=0)
    with pytest.raises(DataError, match="ordered categorical"):
        emotion_curve(ev.assign(stage=ev.stage.astype(str)))


def test_curve_by_touchpoint_keeps_unseen_touchpoints(journey):
    ev = _random_evidence()
    curve = emotion_curve(ev, by="touchpoint", journey=journey, personas=["Ben"], unit="evidence")
    all_rows = curve[curve.persona == "all"]
    assert all_rows["touchpoint"].tolist() == ["Product page", "Checkout", "Cart", "Returns"]
    assert all_rows.set_index("touchpoint").loc["Returns", "n"] == 0
    oracle = ev.groupby("touchpoint")["valence"].agg(["mean", "size"])
    for r in all_rows[all_rows.n > 0].itertuples():
        assert r.n == oracle.loc[r.touchpoint, "size"]
        assert r.valence == pytest.approx(oracle.loc[r.touchpoint, "mean"])
    assert set(curve["persona"]) == {"all", "Ben"}


# ---------------------------------------------------------------- moments
def _curve(values, ns, persona="all"):
    stages = [f"S{i}" for i in range(len(values))]
    v = np.asarray(values, dtype=float)
    return pd.DataFrame({"persona": persona, "stage": pd.Categorical(stages, categories=stages,
                                                                      ordered=True),
                         "valence": v, "n": ns, "ci_low": v - 0.2, "ci_high": v + 0.2,
                         "low_evidence": [n < 10 for n in ns]})


def test_moments_hand_worked():
    c = pd.concat([_curve([0.5, 1.2, -0.3, -1.1, 0.4], [50] * 5),
                   _curve([1.0, np.nan, 1.5, -1.0, -2.0], [20, 0, 20, 20, 3], persona="Ben")])
    m = moments_of_truth(c).set_index(["persona", "kind"])
    assert m.loc[("all", "lowest"), "stage"] == "S3"
    assert m.loc[("all", "sharpest drop"), "stage"] == "S2"       # 1.2 → −0.3 = −1.5
    assert m.loc[("all", "sharpest drop"), "change"] == pytest.approx(-1.5)
    assert m.loc[("all", "peak"), "stage"] == "S1" and m.loc[("all", "end"), "stage"] == "S4"
    # Ben: S1 has no evidence (skipped), S4 has too little (n=3): not a moment by default
    assert m.loc[("Ben", "lowest"), "stage"] == "S3" and m.loc[("Ben", "end"), "stage"] == "S3"
    assert m.loc[("Ben", "sharpest drop"), "change"] == pytest.approx(-2.5)   # S2 → S3
    assert "peak–end" in m.loc[("all", "end"), "explanation"]
    assert "n=50" in m.loc[("all", "lowest"), "explanation"]
    m2 = moments_of_truth(c, include_low_evidence=True).set_index(["persona", "kind"])
    assert m2.loc[("Ben", "lowest"), "stage"] == "S4" and m2.loc[("Ben", "lowest"), "low_evidence"]


def test_moments_small_dip_is_not_a_sharpest_drop():
    c = _curve([0.6, 0.4, 1.0], [50] * 3)
    assert "sharpest drop" not in set(moments_of_truth(c)["kind"])        # −0.2 < min_drop
    m = moments_of_truth(c, min_drop=0.1).set_index("kind")
    assert m.loc["sharpest drop", "stage"] == "S1"


def test_moments_rising_curve_has_no_drop_and_low_evidence_fallback():
    m = moments_of_truth(_curve([-1, 0, 1], [5, 5, 5]))
    assert m["kind"].tolist() == ["lowest", "peak", "end"]      # nothing drops
    assert m["low_evidence"].all()                              # only weak points existed
    assert "treat with care" in m["explanation"].iloc[0]


# ---------------------------------------------------------------- assumed gap
def test_assumed_gap_hand_worked(journey):
    c = pd.concat([_curve([0.9, -1.0, 0.1], [40, 40, 40]), _curve([1.1, 1.2, np.nan], [40, 40, 0],
                                                                   persona="Maya")])
    c["stage"] = pd.Categorical(np.tile(STAGES, 2), categories=STAGES, ordered=True)
    gap = assumed_gap(c, assumed_valence(journey)).set_index(["persona", "stage"])
    # all: assumed Browse 1, Buy mean(1, -1) = 0, After 0
    assert gap.loc[("all", "Browse"), "verdict"] == "agrees"                  # 1 in [0.7, 1.1]
    assert gap.loc[("all", "Buy"), "assumed"] == 0.0
    assert gap.loc[("all", "Buy"), "gap"] == pytest.approx(-1.0)
    assert gap.loc[("all", "Buy"), "verdict"] == "assumed too high"
    assert gap.loc[("Maya", "Buy"), "assumed"] == -1.0
    assert gap.loc[("Maya", "Buy"), "verdict"] == "assumed too low"           # measured 1.2
    assert gap.loc[("Maya", "After"), "verdict"] == "no evidence"
    assert pd.isna(gap.loc[("Maya", "After"), "agrees"])


def test_assumed_gap_sets_no_feeling_against_behaviour(journey):
    """A permit office's behaviour-only curve (Apply −0.06, Decision 0.00) got "assumed too high"
    against the workshop's +1: friction can never be above 0, so any positive assumption failed.
    A point measured from behaviour alone is now not compared with a feeling; its verdict says
    only whether friction was seen (oracle: plain pandas, the stage's mean score below 0 in every
    visit set). Where a survey score counts too, the verdict is as before."""
    ev = _random_evidence(n=300).assign(source="behaviour", evidence="measured")
    # Friction at every visit of Buy: the curve leaves Buy's recent visits out as still open (D196),
    # and what it keeps must still show the planted friction.
    ev["valence"] = np.where(ev["stage"] == "Browse", 0.0, -1.0)
    gap = assumed_gap(emotion_curve(ev, n_boot=200), assumed_valence(journey))
    mine = gap[gap["persona"] == "all"].set_index("stage")
    seen = ev.groupby("stage", observed=True)["valence"].mean()
    assert seen["Browse"] == 0.0 and seen["Buy"] < 0                          # the planted friction
    assert mine.loc["Browse", "verdict"] == "behaviour cannot tell (no friction seen)"   # assumed +1
    assert mine.loc["Buy", "verdict"] == "behaviour cannot tell (friction seen)"
    assert mine.loc["After", "verdict"] == "no evidence"
    assert mine.loc[["Browse", "Buy"], "gap"].isna().all() and mine.loc[["Browse", "Buy"], "agrees"].isna().all()
    assert not gap["verdict"].str.startswith("assumed too").any()
    mixed = ev.assign(source=np.where(np.arange(len(ev)) == 0, "survey:csat", "behaviour"))
    stage0 = str(mixed["stage"].iloc[0])
    again = assumed_gap(emotion_curve(mixed, n_boot=200), assumed_valence(journey))
    row = again[(again["persona"] == "all") & (again["stage"] == stage0)].iloc[0]
    assert row["verdict"] in ("agrees", "assumed too high", "assumed too low") and row["gap"] == row["gap"]


def test_assumed_gap_persona_falls_back_to_all():
    c = _curve([0.0, 0.0], [40, 40], persona="Zed")
    assumed = pd.DataFrame({"persona": ["all", "all"], "stage": ["S0", "S1"], "valence": [0.0, 2.0]})
    gap = assumed_gap(c, assumed)
    assert gap["assumed"].tolist() == [0.0, 2.0]
    assert gap["verdict"].tolist() == ["agrees", "assumed too high"]
    with pytest.raises(ParameterError):
        assumed_gap(c.assign(touchpoint="x"), assumed)


# ---------------------------------------------------------------- trend
def test_trend_matches_monthly_oracle_and_keeps_empty_months():
    ev = _random_evidence(n=600)
    ev.loc[ev.timestamp.dt.month == 2, "valence"] = np.nan
    ev = ev.dropna(subset=["valence"])                     # February: no evidence at all
    t = sentiment_trend(ev, min_n=20, unit="evidence")
    months = pd.period_range("2026-01", "2026-04", freq="M")
    assert len(t) == 3 * len(months)
    assert t["stage"].astype(str).tolist() == [s for s in STAGES for _ in months]
    oracle = ev.groupby(["stage", ev.timestamp.dt.to_period("M")], observed=True)["valence"].agg(
        ["mean", "size"])
    for r in t.itertuples():
        key = (r.stage, r.period.to_period("M"))
        if key in oracle.index:
            assert r.n == oracle.loc[key, "size"] and r.valence == pytest.approx(oracle.loc[key, "mean"])
        else:
            assert r.n == 0 and np.isnan(r.valence)
    assert (t[t.period == "2026-02-01"]["n"] == 0).all()
    with pytest.raises(ParameterError, match="did you mean 'Ben'"):
        sentiment_trend(ev, persona="ben")
    ben = sentiment_trend(ev, persona="Ben", unit="evidence")
    assert ben["n"].sum() == (ev.persona == "Ben").sum()


def test_trend_slopes_match_polyfit():
    rng = np.random.default_rng(5)
    n = 300
    ts = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.uniform(0, 180, n), "D")
    months = (ts - pd.Timestamp("1970-01-01")).total_seconds() / 86400 / 30.4375
    stage = rng.choice(["Browse", "Buy"], n)
    y = np.where(stage == "Browse", 0.3 * (months - months.min()), 0.0) + rng.normal(0, 0.3, n)
    ev = pd.DataFrame({"obs_id": range(n), "persona": pd.NA, "timestamp": ts,
                       "stage": pd.Categorical(stage, categories=STAGES, ordered=True), "valence": y})
    s = trend_slopes(ev).set_index("stage")
    for st in ("Browse", "Buy"):
        mask = stage == st
        assert s.loc[st, "slope_per_month"] == pytest.approx(np.polyfit(months[mask], y[mask], 1)[0])
    assert s.loc["Browse", "direction"] == "improving"
    assert s.loc["Buy", "direction"] == "no clear trend"
    assert s.loc["After", "direction"] == "too little evidence"
    ev_down = ev.assign(valence=-ev.valence)
    assert trend_slopes(ev_down).set_index("stage").loc["Browse", "direction"] == "worsening"


def test_public_surface():
    assert set(emotions.__all__) <= set(dir(emotions))


# ---------------------------------------------------------------- planted truths (sample worlds)
from pathlib import Path  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"
WORLDS = ["ecommerce", "b2b"]


def _world(name):
    from jmtools.sample_worlds import load_truths, truths_path

    folder = DATA / name
    if not truths_path(name).exists():
        pytest.skip(f"sample world {name} not generated")
    j = Journey.load(folder / "journey.yaml")
    surveys = pd.read_csv(folder / "surveys.csv", parse_dates=["timestamp"])
    feedback = pd.read_csv(folder / "feedback.csv", parse_dates=["timestamp"])
    personas = pd.read_csv(folder / "customer_personas.csv")
    return j, surveys, feedback, personas, load_truths(name)


@pytest.mark.parametrize("world", WORLDS)
def test_planted_highs_and_lows_found(world):
    j, surveys, feedback, personas, truths = _world(world)
    ev = emotion_evidence(j, surveys=surveys, feedback=feedback, personas=personas, n_jobs=1)
    curve = emotion_curve(ev, journey=j, n_boot=500)
    by_tp = emotion_curve(ev, by="touchpoint", journey=j, n_boot=500)
    moments = moments_of_truth(curve)
    planted = truths["emotion"]
    assert planted, "the world plants emotional highs and lows"
    for t in planted:
        p, stage, tp, low = t["persona"], t["stage"], t["touchpoint"], t["kind"] == "low"
        # at the planted touchpoint the persona stands apart from every other persona
        at = by_tp[(by_tp.touchpoint == tp) & (by_tp.persona != "all")].set_index("persona")
        me, others = at.loc[p], at.drop(index=p)
        if low:
            assert me.valence < 0 and (me.ci_high < others.ci_low).all(), (world, t)
        else:
            assert me.valence > 0.5 and (me.ci_low > others.ci_high).all(), (world, t)
        # and at the stage it is the most extreme persona
        st = curve[(curve.stage == stage) & (curve.persona != "all")].set_index("persona")
        assert (st["valence"].idxmin() if low else st["valence"].idxmax()) == p, (world, t)
        # the moment of truth sits at a planted stage of that persona and kind
        kind = "lowest" if low else "peak"
        planted_stages = {x["stage"] for x in planted if x["persona"] == p and x["kind"] == t["kind"]}
        m = moments[(moments.persona == p) & (moments.kind == kind)]
        assert str(m["stage"].item()) in planted_stages, (world, t, m)


@pytest.mark.parametrize("world", WORLDS)
def test_survey_valence_equals_mapped_planted_means(world):
    """Oracle: the linear mapping preserves means, so the mean valence of the planted
    persona's answers equals the mapping of the survey mean the generator reports."""
    from jmtools.core.metrics import SCALES
    from jmtools.analyses.valence import score_to_valence

    j, surveys, _, personas, truths = _world(world)
    for t in truths["emotion"]:
        s = surveys[(surveys.touchpoint == t["touchpoint"]) & (surveys.metric == t["metric"])]
        ev = emotion_evidence(j, surveys=s, personas=personas)
        curve = emotion_curve(ev, by="touchpoint", unit="evidence", n_boot=200)
        row = curve[(curve.persona == t["persona"]) & (curve.touchpoint == t["touchpoint"])].iloc[0]
        assert row.n == t["persona_n"]
        assert row.valence == pytest.approx(score_to_valence(t["persona_mean"], SCALES[t["metric"]]),
                                            abs=2e-4)


@pytest.mark.parametrize("statistic", ["mean", "median"])
def test_large_samples_bootstrap_on_counts_agrees_with_plain_bootstrap(monkeypatch, statistic):
    """Above the memory threshold the interval comes from multinomial counts; it must agree
    with the plain bootstrap (jmtools.core.stats) on the same data."""
    rng = np.random.default_rng(11)
    vals = np.round(rng.normal(0.3, 0.9, 20_000).clip(-2, 2), 4)
    plain = emotions_curve._bootstrap(vals, statistic, 1000, 0)
    monkeypatch.setattr(emotions_curve, "_BOOT_CELLS", 0)
    counted = emotions_curve._bootstrap(vals, statistic, 1000, 0)
    width = plain[1] - plain[0]
    assert counted[0] == pytest.approx(plain[0], abs=0.2 * width)
    assert counted[1] == pytest.approx(plain[1], abs=0.2 * width)
    if statistic == "mean":   # and the textbook width
        assert width == pytest.approx(2 * 1.96 * vals.std() / np.sqrt(vals.size), rel=0.1)


def test_a_million_values_do_not_need_gigabytes():
    import tracemalloc

    vals = np.random.default_rng(1).normal(0, 1, 1_000_000).clip(-2, 2)
    tracemalloc.start()
    low, high = emotions_curve._bootstrap(vals, "mean", 2000, 0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 300e6 and low < vals.mean() < high


def test_compute_functions_leave_inputs_unchanged(journey):
    ev = _random_evidence()
    ev_before = ev.copy()
    curve = emotion_curve(ev, n_boot=200)
    curve_before = curve.copy()
    moments_of_truth(curve)
    assumed = assumed_valence(journey)
    assumed_before = assumed.copy()
    assumed_gap(curve, assumed)
    sentiment_trend(ev, n_boot=200)
    trend_slopes(ev)
    pd.testing.assert_frame_equal(ev, ev_before)
    pd.testing.assert_frame_equal(curve, curve_before)
    pd.testing.assert_frame_equal(assumed, assumed_before)


def test_touchpoint_curve_counts_evidence_without_touchpoint(journey):
    ev = _random_evidence()
    ev["touchpoint"] = ev["touchpoint"].astype(object)
    ev.loc[:49, "touchpoint"] = None
    curve = emotion_curve(ev, by="touchpoint", journey=journey, unit="evidence", n_boot=200)
    assert curve.attrs["without_touchpoint"] == 50
    assert curve.loc[curve.persona == "all", "n"].sum() == len(ev) - 50


def _behaviour_evidence():
    """Behaviour only (the grocery world): 40 customers; 12 meet friction at Buy, none at Pay."""
    stages = pd.Categorical(["Buy"] * 40 + ["Pay"] * 40, categories=["Buy", "Pay"], ordered=True)
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(40)] * 2, "timestamp": pd.NaT,
                         "stage": stages, "touchpoint": pd.NA, "persona": "Rita",
                         "valence": [-1.0] * 12 + [0.0] * 28 + [0.0] * 40, "source": "behaviour",
                         "evidence": "measured", "obs_id": range(80)})


def test_a_curve_from_behaviour_has_no_peak_and_no_zero_width_interval():
    """Rita's report read "Peak: First order at +0.00 (95% CI +0.00 to +0.00, n=205)": behaviour
    only pulls down, so 0 is "no friction seen" and its interval is what 0 of n bounds."""
    from jmtools.analyses.emotions import emotion_curve, moments_of_truth
    curve = emotion_curve(_behaviour_evidence(), min_n=5)
    pay = curve[(curve["persona"] == "Rita") & (curve["stage"] == "Pay")].iloc[0]
    assert pay["valence"] == 0 and pay["ci_high"] == 0
    assert pay["ci_low"] == pytest.approx(-2 * 3.8415 / (40 + 3.8415), abs=1e-3)   # Wilson, 0 of 40
    moments = moments_of_truth(curve)
    rita = moments[moments["persona"] == "Rita"].set_index("kind")
    assert "peak" not in rita.index and {"lowest", "end"} <= set(rita.index)
    assert "Pay — no friction seen (95% CI −0.18 to +0.00, n=40)" in rita.loc["end", "explanation"]
    assert "+0.00 to +0.00" not in " ".join(moments["explanation"])


def test_complaint_notes_never_lift_a_stage_and_the_basis_says_how_many_were_left_off():
    """The tester's world in small (fault 3): 40 polite complaint notes at First bill put it at
    +1.25 on the curve; now the stage rests on the survey answers, and the basis sentence counts
    the notes left off."""
    from jmtools.analyses.emotions import complaint_note, emotion_curve, emotion_evidence, feeling_basis
    from jmtools.analyses.sentiment import vader_scores

    n = 40
    feedback = pd.DataFrame({"customer_id": [str(i) for i in range(n)] + ["x", "y"],
                             "timestamp": pd.Timestamp("2026-03-21"), "stage": "First bill",
                             "text": ["First bill higher than offer; agent promised credit note."] * n
                             + ["love it", "so slow"], "source": ["complaint"] * n + ["app review"] * 2,
                             "rating": [None] * n + [None, 1]})
    surveys = pd.DataFrame({"customer_id": [str(i) for i in range(10)], "metric": "csat",
                            "score": [1, 2] * 5, "stage": "First bill",
                            "timestamp": pd.Timestamp("2026-03-22")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = emotion_evidence(["Discover", "First bill"], surveys=surveys, feedback=feedback)
    assert len(ev) == 10 + 2 and (ev["used"] == "text (VADER)").sum() == 1
    curve = emotion_curve(ev)
    first = curve[(curve["persona"] == "all") & (curve["stage"] == "First bill")]
    vader = 2 * vader_scores("love it")["compound"]
    assert first["valence"].iloc[0] == pytest.approx((5 * -2 + 5 * -1 + vader - 2) / 12)   # plain mean
    assert first["valence"].iloc[0] < 0
    basis = feeling_basis(ev)
    assert "40 feedback texts from a complaint channel (their source says so) have no rating" in basis
    assert complaint_note(ev) in basis and complaint_note(pd.DataFrame()) == ""


def test_a_personas_report_counts_the_complaint_notes_of_all_customers_once():
    from types import SimpleNamespace

    from jmtools.report.unplaced import show_feeling_basis

    ev = pd.DataFrame({"obs_id": [0, 1], "used": ["text (VADER)", "rating"], "persona": ["Ben", "Maya"]})
    ev.attrs["dropped"] = {"feedback": {"from a complaint channel (no rating)": 3}}
    run = SimpleNamespace(emotion_evidence=ev, tables={}, curve_basis="customers",
                          focus=SimpleNamespace(everyone=False, persona="Ben"))
    said = show_feeling_basis(run, display=lambda *a: None)
    assert said.count("complaint channel") == 1
    assert "fewer than 5 feedback texts of all customers from a complaint channel" in said
    run.focus = SimpleNamespace(everyone=True, persona="all")
    assert "fewer than 5 feedback texts from a complaint channel" in show_feeling_basis(run, display=lambda *a: None)


def test_every_unknown_stage_name_gets_its_own_suggestion(journey):
    """Ten misspelled survey stages got one "did you mean 'First bill'?" (the first name's) (D175):
    each name now has its closest journey name, in the sentence a report shows and in the warning."""
    from jmtools.analyses.emotions import journey_name_notes

    s = pd.DataFrame({"customer_id": list("abcdefgh"), "metric": "csat", "score": 4,
                      "stage": ["Browse", "brwose", "BUYY", "Aftr", "Zzz", "Checkot", "Brows", "Afterwards"]})
    [note] = journey_name_notes(journey, s)
    assert note == ("7 rows name stages the journey does not have ('Afterwards' → 'After'?, 'Aftr' → 'After'?, "
                    "'BUYY' → 'Buy'?, 'Brows' → 'Browse'?, 'Checkot', … 2 more): used without it")
    with pytest.warns(UserWarning) as caught:
        emotion_evidence(journey, surveys=s)
    said = " ".join(str(w.message) for w in caught)
    assert ("did you mean 'After' for 'Afterwards', 'After' for 'Aftr', 'Buy' for 'BUYY', 'Browse' for 'Brows', "
            "'Browse' for 'brwose'?") in said


def test_a_sharpest_drop_over_stages_without_a_point_says_so():
    """D206: a mortgage tester read "Sharpest drop: from Enquiry (+1.50) to Offer (+1.04)" as a fall
    from one stage to the next; three stages between had no point. The sentence names them."""
    stages = ["Enquiry", "Application", "Documents", "Valuation", "Offer"]
    curve = pd.DataFrame({"persona": "all", "stage": pd.Categorical(["Enquiry", "Offer"], categories=stages,
                                                                    ordered=True),
                          "valence": [1.5, 1.04], "n": [112, 300], "ci_low": [1.3, 0.9], "ci_high": [1.7, 1.2],
                          "low_evidence": [False, False]})
    text = moments_of_truth(curve).set_index("kind").loc["sharpest drop", "explanation"]
    assert text.endswith("a change of −0.46 — the curve has no point at the 3 stages between (Application, "
                         "Documents, Valuation).")
    nxt = curve.assign(stage=pd.Categorical(["Valuation", "Offer"], categories=stages, ordered=True))
    assert moments_of_truth(nxt).set_index("kind").loc["sharpest drop", "explanation"].endswith("−0.46.")


def test_the_left_off_warning_is_a_one_line_note_in_a_notebook_cell(journey, capsys):
    """Hospital tester (D215): in notebook 03 this warning printed raw, with the cell's
    /tmp/ipykernel_…py path, while the kit's other warnings were one-line notes: it names the
    caller's line (stacklevel=2), so the path was the cell's. It is said as a note; a warning the
    cell raises itself is left as it was."""
    import warnings

    from jmtools import _plain

    raw = []
    cell = compile("emotion_evidence(journey, surveys=s, personas=p)\n"
                   "warnings.warn('the cell says', UserWarning)\n", "/tmp/ipykernel_1750/3576794835.py", "exec")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _plain(lambda message, *a, **k: raw.append(str(message)))
        exec(cell, {"emotion_evidence": emotion_evidence, "journey": journey, "s": _surveys(),
                    "p": _personas(), "warnings": warnings})
    err = capsys.readouterr().err
    assert err == "note: left off the emotion curve, naming no stage or touchpoint: surveys: 1 row\n"
    assert raw == ["the cell says"]


def test_a_last_stage_reached_through_the_companys_record_is_no_abandonment():
    """Notebook 03 on the hospital world with ``behaviour=True`` (D226): the discharge is the
    hospital's own record (``initiated_by: company``), so every patient's last step of their own
    was a follow-up and 2,242 discharged patients counted as abandoning there: Follow-up, the stage
    patients rate best, was the curve's lowest point (−0.62). A customer the company's record puts
    at a later stage has not abandoned. Oracle: plain pandas on the planted log."""
    from jmtools.analyses.valence import BEHAVIOUR_RULES
    from jmtools.evidence import prepare

    t0 = pd.Timestamp("2025-02-03")
    rows = []
    for i in range(40):                    # 40 patients seen and followed up; 28 discharged
        steps = ["referral", "attended", "follow_up_attended"] + (["discharged"] if i < 28 else [])
        rows += [(f"p{i}", e, t0 + pd.Timedelta(days=10 * k + i)) for k, e in enumerate(steps)]
    for i in range(6):                     # 6 seen once, never back
        rows += [(f"q{i}", "referral", t0), (f"q{i}", "attended", t0 + pd.Timedelta(days=9))]
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    journey = {"stages": ["Referral", "First visit", "Follow-up", "Discharge"], "touchpoints": [
        {"name": "Referral letter", "stage": "Referral", "events": ["referral"], "initiated_by": "company"},
        {"name": "Clinic", "stage": "First visit", "events": ["attended"]},
        {"name": "Follow-up clinic", "stage": "Follow-up", "events": ["follow_up_attended"]},
        {"name": "Discharge letter", "stage": "Discharge", "events": ["discharged"], "initiated_by": "company"}]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = emotion_evidence(journey["stages"], events=prepare(ev, journey),
                               behaviour_rules=BEHAVIOUR_RULES)
    got = out[out["source"] == "behaviour"].groupby("stage", observed=True)["valence"].mean()
    at = {"First visit": "attended", "Follow-up": "follow_up_attended"}
    seen = {stage: set(ev.loc[ev["event"] == e, "customer_id"]) for stage, e in at.items()}
    discharged = set(ev.loc[ev["event"] == "discharged", "customer_id"])
    left = {"First visit": seen["First visit"] - seen["Follow-up"] - discharged,
            "Follow-up": seen["Follow-up"] - discharged}          # their last own step, and no discharge
    truth = {stage: -len(left[stage]) / len(seen[stage]) for stage in at}
    assert truth == {"First visit": -6 / 46, "Follow-up": -12 / 40}           # planted
    assert got.to_dict() == pytest.approx(truth)


def test_tickets_without_a_stage_are_said_as_tickets_not_as_events(journey):
    """The behaviour curve's tickets with no stage were said as "events: 3 rows dropped (3 event
    without stage)" while the events table had none without a stage (D257)."""
    events = pd.DataFrame({"customer_id": ["a", "a", "c"], "event": ["view", "pay", "view"],
                           "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-02-01"]),
                           "stage": ["Browse", "Buy", "Browse"]})
    tickets = pd.DataFrame({"ticket_id": ["t1", "t2", "t3", "t4"], "customer_id": ["a", "c", "c", "a"],
                            "timestamp": pd.to_datetime(["2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"]),
                            "touchpoint": ["Checkout", None, None, None]})
    assert events["stage"].isna().sum() == 0 and tickets["touchpoint"].isna().sum() == 3   # planted
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emotion_evidence(journey, events=events, tickets=tickets, behaviour_rules=["repeated_contacts"])
    said = [str(w.message) for w in caught if "dropped" in str(w.message)]
    assert "tickets: 3 rows dropped (3 tickets without stage or touchpoint) from the emotion curve" in said
    assert not any(s.startswith("events:") for s in said)
