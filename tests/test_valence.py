"""Each evidence → valence mapping, checked on hand-worked examples."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses import valence
from jmtools.core.errors import DataError, ParameterError
from jmtools.core.metrics import SCALES, Scale
from jmtools.analyses.valence import (assumed_valence, behaviour_valence, feedback_valence,
                             resolve_scales, score_to_valence, survey_valence, text_valence)


# ---------------------------------------------------------------- survey scales
@pytest.mark.parametrize("metric, scores, expected", [
    ("csat", [1, 2, 3, 4, 5], [-2, -1, 0, 1, 2]),
    ("nps", [0, 1, 5, 6, 7, 8, 9, 10], [-2, -2, -2, -2, 0, 0, 2, 2]),   # by band (D232)
    ("ces", [1, 2, 4, 5.5, 7], [2, 4 / 3, 0, -1, -2]),          # lower effort is better
])
def test_default_scales_by_hand(metric, scores, expected):
    np.testing.assert_allclose(score_to_valence(scores, SCALES[metric]), expected)


def test_custom_scale_by_hand():
    csat7 = Scale("csat7", 1, 7)
    np.testing.assert_allclose(score_to_valence([1, 2.5, 4, 5.5, 7], csat7), [-2, -1, 0, 1, 2])
    effort10 = Scale("effort", 0, 10, higher_is_better=False)
    np.testing.assert_allclose(score_to_valence([0, 2.5, 10], effort10), [2, 1, -2])


def test_resolve_scales_forms_and_errors():
    s = resolve_scales({"CSAT": (1, 7), "effort": (1, 5, False), "x": Scale("y", 0, 4)})
    assert s["csat"] == Scale("csat", 1, 7)
    assert s["effort"].higher_is_better is False
    assert s["x"].name == "x" and s["nps"] == SCALES["nps"]
    with pytest.raises(ParameterError, match="low < high"):
        resolve_scales({"bad": (5, 1)})
    with pytest.raises(ParameterError):
        resolve_scales({"bad": "1-5"})


def _surveys():
    return pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
                         "metric": ["csat", "NPS", "ces", "csat", "ease"],
                         "score": [5, 3, 7, None, 8], "stage": ["S"] * 5})


def test_survey_valence_hand_worked_and_input_untouched():
    df = _surveys()
    before = df.copy()
    with pytest.warns(UserWarning, match="1 rows dropped .*1 missing score"):
        out = survey_valence(df, scales={"ease": (1, 10)})
    pd.testing.assert_frame_equal(df, before)
    assert out["customer_id"].tolist() == ["a", "b", "c", "e"]
    np.testing.assert_allclose(out["valence"], [2.0, -2.0, -2.0, -2 + 4 * 7 / 9], atol=1e-4)  # NPS 3: detractor
    assert out["source"].tolist() == ["survey:csat", "survey:nps", "survey:ces", "survey:ease"]
    assert set(out["evidence"]) == {"reported"}
    assert out.attrs["dropped"] == {"missing score": 1}
    assert len(out) + sum(out.attrs["dropped"].values()) == len(df)


def test_nps_answers_read_by_band_give_a_mean_of_the_same_sign_as_their_nps():
    """D232: an insurer's closure survey (NPS −13.3, mean answer 6.83) read "customers felt good
    here, +0.74" under the linear mapping. By band, a set of answers' mean valence is its NPS ÷ 50
    (plain pandas NPS: % promoters 9–10 − % detractors 0–6); CSAT and CES keep their linear map."""
    rng = np.random.default_rng(232)
    scores = np.r_[rng.integers(0, 7, 410), rng.integers(7, 9, 320), rng.integers(9, 11, 270)]
    s = pd.DataFrame({"metric": "nps", "score": scores})
    nps = 100 * ((s["score"] >= 9).mean() - (s["score"] <= 6).mean())
    mean = survey_valence(s)["valence"].mean()
    assert round(nps, 1) == -14.0 and s["score"].mean() > 5            # the linear map said "good"
    assert score_to_valence(s["score"].to_numpy(), SCALES["nps"]).mean() == pytest.approx(nps / 50)
    assert mean == pytest.approx(nps / 50) and np.sign(mean) == np.sign(nps)
    c = survey_valence(pd.DataFrame({"metric": ["csat", "ces", "CSAT"], "score": [2, 2, 4]}))
    np.testing.assert_allclose(c["valence"], [-1.0, 2 - 4 / 6, 1.0])


def test_survey_valence_metric_selection_counts_rows():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = survey_valence(_surveys(), scales={"ease": (1, 10)}, metrics=["csat"])
    assert out["customer_id"].tolist() == ["a"]
    assert out.attrs["dropped"] == {"missing score": 1, "metric not selected": 3}


def test_survey_unknown_metric_names_it_and_suggests():
    df = pd.DataFrame({"metric": ["csatt"], "score": [3]})
    with pytest.raises(DataError) as err:
        survey_valence(df)
    msg = str(err.value)
    assert "'csatt'" in msg and "did you mean 'csat'" in msg and "scales=" in msg


def test_survey_score_outside_scale_is_located():
    df = pd.DataFrame({"metric": ["csat", "csat", "nps"], "score": [3, 6, 11]})
    with pytest.raises(DataError) as err:
        survey_valence(df)
    msg = str(err.value)
    assert "2 scores lie outside" in msg and "row 1: csat = 6, scale 1..5" in msg
    assert err.value.problems[0].column == "score"


def test_survey_missing_column_suggests():
    with pytest.raises(DataError, match="(?s)no column 'score'.*did you mean 'scores'"):
        survey_valence(pd.DataFrame({"metric": ["csat"], "scores": [3]}))


# ---------------------------------------------------------------- text
def test_text_valence_doubles():
    np.testing.assert_allclose(text_valence([-1, -0.3, 0, 0.45, 1]), [-2, -0.6, 0, 0.9, 2])
    assert text_valence(0.5) == 1.0


def test_feedback_valence_with_custom_scorer_and_blank_texts():
    fb = pd.DataFrame({"text": ["good", "bad", "", None, "good"], "stage": list("ABCDE")})
    with pytest.warns(UserWarning, match="2 blank text"):
        out = feedback_valence(fb, scorer=lambda b: [0.25 if t == "good" else -0.75 for t in b])
    assert out["stage"].tolist() == ["A", "B", "E"]
    np.testing.assert_allclose(out["valence"], [0.5, -1.5, 0.5])
    assert out.attrs["dropped"] == {"blank text": 2}
    assert out["source"].unique().tolist() == ["feedback"]


def test_feedback_valence_vader_default_matches_plain_vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = ["The size chart was missing and I had to return them", "Fast delivery, love it!"]
    out = feedback_valence(pd.DataFrame({"text": texts}))
    sia = SentimentIntensityAnalyzer()
    np.testing.assert_allclose(out["valence"], [2 * sia.polarity_scores(t)["compound"]
                                                for t in texts])


# ---------------------------------------------------------------- behaviour
def _events():
    t0 = pd.Timestamp("2026-03-01")
    rows = [  # customer, hour, event, stage
        ("a", 0, "view", "Browse"), ("a", 1, "add_to_cart", "Buy"), ("a", 2, "paid", "Buy"),
        ("a", 3, "track", "After"),                                  # completes, no trouble
        ("b", 0, "view", "Browse"), ("b", 1, "payment_error", "Buy"),  # error then abandons Buy
        ("c", 0, "view", "Browse"), ("c", 1, "contact_support", "Browse"),
        ("c", 2, "contact_support", "Browse"), ("c", 3, "search_error", "Browse"),  # all three
        ("d", 0, "track", "After"), ("d", 1, "contact_support", "After"), ("d", 2, "x", None),
    ]
    return pd.DataFrame({"customer_id": [r[0] for r in rows],
                         "timestamp": [t0 + pd.Timedelta(hours=r[1]) for r in rows],
                         "event": [r[2] for r in rows], "stage": [r[3] for r in rows]})


def test_behaviour_valence_hand_worked():
    ev = _events()
    # the note says what the rows are left out of: the emotion curve, not the themes (D257)
    with pytest.warns(UserWarning, match="events: 1 rows dropped .1 event without stage. from the emotion curve$"):
        out = behaviour_valence(ev, ["Browse", "Buy", "After"])
    got = {(r.customer_id, r.stage): (r.abandoned, r.error, r.repeated_contact, r.valence)
           for r in out.itertuples()}
    assert got == {
        ("a", "Browse"): (False, False, False, 0.0), ("a", "Buy"): (False, False, False, 0.0),
        ("a", "After"): (False, False, False, 0.0),
        ("b", "Browse"): (False, False, False, 0.0), ("b", "Buy"): (True, True, False, -2.0),
        ("c", "Browse"): (True, True, True, -2.0),       # three rules fire: floored at -2
        ("d", "After"): (False, False, False, 0.0),      # one contact is not "repeated"
    }
    assert out.attrs["dropped"] == {"event without stage": 1}
    assert set(out["evidence"]) == {"measured"} and list(out["stage"].cat.categories) == [
        "Browse", "Buy", "After"]
    assert out.loc[(out.customer_id == "c"), "events"].item() == 4


def test_behaviour_rules_are_opt_in_one_by_one():
    ev = _events().dropna()
    only_errors = behaviour_valence(ev, ["Browse", "Buy", "After"], rules=["errors"])
    assert not only_errors["abandoned"].any() and not only_errors["repeated_contact"].any()
    assert sorted(only_errors.loc[only_errors.valence < 0, "customer_id"]) == ["b", "c"]
    with pytest.raises(ParameterError, match="did you mean 'errors'"):
        behaviour_valence(ev, ["Browse", "Buy", "After"], rules=["error"])


def test_behaviour_oracle_plain_loops():
    """Random events: the vectorised rules agree with a plain-Python recomputation."""
    rng = np.random.default_rng(3)
    stages = ["S1", "S2", "S3", "S4"]
    n = 600
    ev = pd.DataFrame({"customer_id": rng.choice([f"c{i}" for i in range(60)], n),
                       "timestamp": pd.Timestamp("2026-01-01") + pd.to_timedelta(
                           rng.integers(0, 10_000, n), "min"),
                       "event": rng.choice(["view", "checkout_error", "chat", "buy"], n,
                                           p=[.6, .1, .15, .15]),
                       "stage": rng.choice(stages, n)})
    out = behaviour_valence(ev, stages)
    for (cust, stage), grp in ev.groupby(["customer_id", "stage"]):
        furthest = max(stages.index(s) for s in ev.loc[ev.customer_id == cust, "stage"])
        fired = ((stages.index(stage) == furthest and furthest < 3)
                 + any("error" in e for e in grp.event)
                 + (sum(e == "chat" for e in grp.event) >= 2))
        row = out[(out.customer_id == cust) & (out.stage == stage)]
        assert row["valence"].item() == max(-2, -fired), (cust, stage)
    assert len(out) == ev.groupby(["customer_id", "stage"]).ngroups


def test_one_chat_with_start_and_end_is_not_a_repeated_contact():
    t = pd.Timestamp("2026-01-01")
    ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "b", "b"],
                       "timestamp": [t + pd.Timedelta(minutes=i) for i in range(6)],
                       "event": ["support_chat_start", "support_chat_end", "support_chat_start",
                                 "support_chat_end", "support_chat_start", "support_chat_end"],
                       "stage": ["After"] * 6})
    out = behaviour_valence(ev, ["Browse", "After"], rules=["repeated_contacts"]).set_index(
        "customer_id")
    assert not out.loc["a", "repeated_contact"] and out.loc["b", "repeated_contact"]
    assert out["valence"].tolist() == [0.0, -1.0]


def _claims_events():
    """Claims: customers report (Report) and decide on an offer (Decide); the insurer sends the offer
    (Offer), pays (Pay) and closes (Close) — Offer, Pay and Close are company-only stages."""
    rows = [("a", "report", "Report"), ("a", "offer", "Offer"), ("a", "decide", "Decide"),
            ("a", "pay", "Pay"), ("a", "close", "Close"),                       # the whole way
            ("b", "report", "Report"), ("b", "offer", "Offer"), ("b", "decide", "Decide"),
            ("b", "pay", "Pay"),                                                # paid, not closed yet
            ("c", "report", "Report"), ("c", "offer", "Offer"), ("c", "decide", "Decide"),  # ends there
            ("d", "report", "Report"), ("d", "offer", "Offer"),                 # never decides
            ("e", "report", "Report"), ("e", "close", "Close"),                 # closed, never decided
            ("f", "report", "Report")]                                          # nothing after
    t = pd.DataFrame(rows, columns=["customer_id", "event", "stage"])
    return t.assign(timestamp=pd.Timestamp("2026-03-02") + pd.to_timedelta(range(len(t)), "h"))


def test_the_company_carrying_a_journey_on_past_a_customers_last_step_is_no_abandonment():
    """D231: with company-only last stages, the last stage customers act at read as abandonment for
    all. A customer has not abandoned when the company's contacts reach a later stage with no stage where
    customers act in between nor right after (before the last stage, when they reach it: a file closed
    without the customer's decision is no journey gone on); otherwise the −1 stays."""
    t = _claims_events()
    stages = ["Report", "Offer", "Decide", "Pay", "Close"]
    company = t["event"].isin(["offer", "pay", "close"])
    own = behaviour_valence(t[~company], stages, rules=["abandonment"], company=t[company])
    old = behaviour_valence(t[~company], stages, rules=["abandonment"])
    got = dict(zip(own["customer_id"] + ":" + own["stage"].astype(str), own["abandoned"]))
    assert {k for k, v in got.items() if v} == {"c:Decide", "d:Report", "e:Report", "f:Report"}
    # plain pandas: furthest own stage; the company reached beyond it; whose move the next stage is
    k = {s: i for i, s in enumerate(stages)}
    acting = {k[s] for s in t.loc[~company, "stage"]}
    code = t["stage"].map(k)
    mine = code[~company].groupby(t["customer_id"]).max()
    end = code.groupby(t["customer_id"]).max()
    upto = {c: end[c] + 1 if end[c] < 4 else 3 for c in mine.index}     # the last stage: the ones before it
    went = {c: end[c] > mine[c] and not acting & set(range(mine[c] + 1, upto[c] + 1)) for c in mine.index}
    assert {c for c, w in went.items() if not w} == {"c", "d", "e", "f"}
    assert set(old.loc[old["abandoned"], "customer_id"]) == {"a", "b", "c", "d", "e", "f"}  # before: everyone


def test_behaviour_unknown_stage():
    ev = _events().dropna()
    with pytest.raises(DataError, match="(?s)stage 'Browse' is not a stage.*did you mean 'Browsing'"):
        behaviour_valence(ev, ["Browsing", "Buy", "After"])


# ---------------------------------------------------------------- assumed
def test_assumed_from_journey_object():
    from jmtools.journey import Journey

    j = Journey(name="x", personas=[{"name": "Ben", "rule": "age < 30"},
                                    {"name": "Maya", "rule": "age >= 30"}],
                stages=[{"name": "A", "emotion": 1}, {"name": "B", "emotion": {"Ben": -2}},
                        {"name": "C"}])
    out = assumed_valence(j)
    table = out.pivot(index="persona", columns="stage", values="valence")
    assert table.loc["Ben"].tolist()[:2] == [1.0, -2.0] and np.isnan(table.loc["Ben", "C"])
    assert table.loc["Maya", "A"] == 1.0 and np.isnan(table.loc["Maya", "B"])
    assert table.loc["all", "B"] == -2.0      # mean of the personas the workshop scored
    assert set(out["evidence"]) == {"assumed"} and list(out["stage"].cat.categories) == list("ABC")


def test_assumed_out_of_scale_is_an_error():
    with pytest.raises(DataError, match="−2..+2|-2 to 2"):
        assumed_valence({"A": 3})
    with pytest.raises(DataError, match="stages\\[0\\].emotion.Ben"):
        assumed_valence({"A": {"Ben": "high"}})


def test_public_surface():
    assert set(valence.__all__) <= set(dir(valence))
    assert not any(name.startswith("_") for name in valence.__all__)


def test_behaviour_patterns_run_in_linear_time_and_closing_contacts_do_not_count():
    from jmtools.analyses.valence import behaviour_valence

    long = "a" * 5000 + "!"
    ev = pd.DataFrame({"customer_id": ["a"] * 4, "event": ["support_chat_start", "support_chat_end",
                                                             "support_chat_start", long],
                       "stage": ["S"] * 4,
                       "timestamp": pd.date_range("2024-01-01", periods=4, freq="h")})
    # catastrophic for a backtracking engine: with RE2 (or the fallback's refusal) it returns at once
    out = behaviour_valence(ev, ["S"], rules=["errors", "repeated_contacts"], error_pattern=r"(a+)+$")
    assert bool(out["repeated_contact"].iloc[0])             # two starts; the end is not a contact
    one = behaviour_valence(ev.iloc[:2], ["S"], rules=["repeated_contacts"])
    assert not bool(one["repeated_contact"].iloc[0])


def test_an_unrated_complaint_channel_row_has_no_feeling_its_rating_still_counts():
    """Fault 3 of the telecom test: "First bill higher than offer; agent promised credit note."
    from a complaint log scored +1.25 and lifted First bill; a complaint says that something went
    wrong, not how it felt (D176). Its rating, where given, is still a rating."""
    fb = pd.DataFrame({
        "text": ["First bill higher than offer; agent promised credit note.", "Great coverage, thanks!",
                 "Agent was lovely, refund promised", "Love the app", "   "],
        "source": ["Complaint log", "complaint", "complaints", "app review", "complaint"],
        "rating": [None, None, 2, None, None]})
    with pytest.warns(UserWarning, match="2 from a complaint channel"):
        out = feedback_valence(fb)
    expected = fb[(fb["rating"].notna() | ~fb["source"].str.contains("omplain")) & (fb["text"].str.strip() != "")]
    assert out["text"].tolist() == expected["text"].tolist()
    assert out["used"].tolist() == ["rating", "text (VADER)"] and out["valence"].iloc[0] == -1.0
    assert out.attrs["dropped"] == {"blank text": 1, valence.COMPLAINT_UNRATED: 2}
    assert (feedback_valence(fb.drop(columns="source"))["used"] == "text (VADER)").sum() == 3  # no source: read


def test_an_email_bodys_feeling_is_read_from_its_own_words():
    """The agent's polite quoted reply under a complaint is not the customer's feeling (D188)."""
    from jmtools.analyses.sentiment import vader_scores

    body = ("<p>The export is broken and we lost a day of work.</p><p>Regards,<br>Anna Novak</p>"
            "<div>On Tue, Apr 14, 2026 Tom Becker &lt;s@x.io&gt; wrote:<blockquote>Thanks so much, we are "
            "happy to help, great to hear from you!</blockquote></div>")
    out = feedback_valence(pd.DataFrame({"text": [body]}), calibrate=False, n_jobs=1)
    own = vader_scores("The export is broken and we lost a day of work.")["compound"]
    assert own < 0 and out["valence"].iloc[0] == pytest.approx(2 * own)


def test_an_unrated_calm_invoice_dispute_scores_at_most_the_complaint_cut():
    """M4 (D261): "… Please correct it." read +0.45 (VADER's "please"): praise on the emotion scale."""
    from jmtools.analyses.calibration import NEGATIVE_AT_OR_BELOW
    from jmtools.analyses.sentiment import vader_scores

    dispute = "Our invoice INV-11375 shows 952.91 EUR but we were told the price would rise only 11%. Please correct it."
    thanks = "Thanks for fixing it so fast, great support!"
    out = feedback_valence(pd.DataFrame({"text": [dispute, dispute, thanks], "rating": [None, 5, None]}),
                           calibrate=False, n_jobs=1)
    assert vader_scores(dispute)["compound"] > 0.4
    assert out["valence"].tolist() == [2 * NEGATIVE_AT_OR_BELOW, 2.0, pytest.approx(2 * vader_scores(thanks)["compound"])]


def test_an_unrated_request_to_correct_in_german_is_a_complaint_and_german_praise_stays_left_out():
    """A German 'Bitte korrigieren Sie die Rechnung' was left off the emotion curve as a text no score
    reads; it is a complaint by its words (D266): kept at the complaint cut, its language named in
    ``used``, not counted among the texts left out. German praise is left out as before."""
    fb = pd.DataFrame({"text": ["Die Rechnung ist falsch. Bitte korrigieren Sie die Rechnung.",
                                "Veuillez corriger la facture, le montant est faux.",
                                "Die App ist wirklich super und sehr schnell, danke für alles!",
                                "Ich finde den Service sehr gut und die Beratung freundlich.",
                                "Bitte korrigieren Sie die Rechnung.", "Please correct the invoice."],
                       "rating": [None, None, None, None, 2, None]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = feedback_valence(fb)
    used = dict(zip(out["text"], out["used"]))
    assert used[fb["text"][0]] == "text (request, German)" and used[fb["text"][1]] == "text (request, French)"
    assert used[fb["text"][4]] == "rating" and used[fb["text"][5]] == "text (VADER)"
    assert fb["text"][2] not in used and fb["text"][3] not in used           # praise: no score reads it
    assert out.attrs["dropped"]["not in English (no rating)"] == 2
    assert out.attrs["languages"]["de"] == 3 and "fr" not in out.attrs["languages"]   # the praise and the rated one
    asked = out[out["used"].str.startswith("text (request")]
    cut = out.attrs["calibration"]["negative_cut"].iloc[0]
    assert (asked["sentiment"] == cut).all() and (asked["valence"] < 0).all()     # the complaint cut itself
