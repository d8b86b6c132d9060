"""Ratings first; a text model calibrated on the rated rows, used only when it beats VADER."""

import pickle

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.calibration import (CalibratedScorer, calibrate_sentiment, complaint_mask,
                                          rating_valence)
from jmtools.analyses.valence import feedback_valence
from jmtools.core.errors import DataError, ParameterError

# complaints VADER cannot read (no lexicon word: it scores them 0) and plain praise
NEUTRAL_WORDED = ["it has never worked", "do not buy this thing", "stopped after two days",
                  "arrived in pieces", "still waiting for the refund", "the app logs me out"]
PRAISE = ["works every morning", "the kids use it daily", "set up in a minute", "sound fills the room"]


def rated_feedback(n=400, seed=0):
    rng = np.random.default_rng(seed)
    bad = rng.random(n) < 0.4
    text = [f"{rng.choice(NEUTRAL_WORDED if b else PRAISE)} order {i}" for i, b in enumerate(bad)]
    rating = np.where(bad, rng.integers(1, 3, n), rng.integers(4, 6, n)).astype(float)
    return pd.DataFrame({"text": text, "rating": rating, "bad": bad})


def test_rating_valence_scales_and_thumbs():
    assert rating_valence([1, 2, 3, 4, 5]).tolist() == [-2, -1, 0, 1, 2]
    assert rating_valence([1, 7], scale=(1, 7, False)).tolist() == [2, -2]
    assert rating_valence(["Up", "down", False, "👍", None]).tolist()[:4] == [1, -1, -1, 1]
    with pytest.raises(DataError, match="rating_scale"):
        rating_valence([1, 9])
    with pytest.raises(ParameterError):
        rating_valence([1], scale=(5, 1))


def test_calibrated_model_beats_vader_where_vader_reads_zero():
    fb = rated_feedback()
    cal = calibrate_sentiment(fb["text"], rating_valence(fb["rating"]))
    rep = cal.report.set_index("method")
    assert rep.loc["vader", "zero_share"] > 0.3                 # VADER reads most of them as 0
    assert rep.loc["calibrated", "r"] > rep.loc["vader", "r"] + 0.3
    assert cal.use_calibrated and rep.loc["calibrated", "used"] and "better" in cal.reason
    assert rep.loc["calibrated", "recall"] >= 0.75 and rep.loc["calibrated", "precision"] >= 0.9
    scores = cal.scorer(["it has never worked", "works every morning"])
    assert scores[0] < 0 < scores[1] and cal.negative_cut < cal.positive_cut
    again = pickle.loads(pickle.dumps(cal.scorer))                  # runs in worker processes
    np.testing.assert_allclose(again(["it has never worked"]), scores[:1])


def test_vader_kept_when_the_model_is_not_better_or_rows_are_few():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    rng = np.random.default_rng(1)
    words = ["great", "awful", "good", "terrible", "love", "hate", "fine", "bad"]
    texts = [" ".join(rng.choice(words, 3)) + f" {i}" for i in range(300)]
    v = np.array([2 * sia.polarity_scores(t)["compound"] for t in texts])   # ratings = VADER
    cal = calibrate_sentiment(texts, v)
    assert not cal.use_calibrated and "not measurably better" in cal.reason
    few = calibrate_sentiment(texts[:50], v[:50])
    assert not few.use_calibrated and "too few" in few.reason
    assert type(few.scorer).__name__ == "VaderScorer"


def test_complaint_mask_rating_first():
    got = complaint_mask([-1.0, 1.0, np.nan, np.nan, 0.0, 0.0], [0.9, -0.9, -0.5, 0.5, -0.9, 0.9])
    assert got.tolist() == [True, False, True, False, True, False]   # the midpoint: the text decides
    with pytest.raises(ParameterError):
        complaint_mask([1.0], [0.1], polarity="angry")


def test_complaint_cut_is_the_most_precise_one_reaching_the_recall():
    from jmtools.analyses.calibration import _cut_for_recall

    score = np.array([-0.9, -0.8, -0.5, -0.4, -0.3, 0.0, 0.0, 0.2, 0.5, 0.9])
    bad = np.array([1, 1, 1, 0, 1, 1, 0, 0, 0, 0], bool)
    cut = _cut_for_recall(score, bad, 0.8)
    assert (score[bad] <= cut).mean() >= 0.8 and cut < score[~bad].max()


def test_feedback_valence_uses_rating_then_calibrated_text():
    fb = rated_feedback()
    unrated = pd.DataFrame({"text": ["it has never worked order 9999", "works every morning order 9998"],
                            "rating": [np.nan, np.nan], "bad": [True, False]})
    both = pd.concat([fb, unrated], ignore_index=True)
    out = feedback_valence(both, n_jobs=1)
    assert (out.loc[:len(fb) - 1, "used"] == "rating").all()
    np.testing.assert_allclose(out.loc[:len(fb) - 1, "valence"], rating_valence(fb["rating"]))
    assert out["used"].iloc[-2:].tolist() == ["text (calibrated)"] * 2
    assert out["valence"].iloc[-2] < 0 < out["valence"].iloc[-1]
    assert set(out.attrs["calibration"]["method"]) == {"vader", "calibrated"}
    assert out.attrs["used"] == {"rating": len(fb), "text (calibrated)": 2}
    # a rated row without text is kept; no rating and no text is dropped
    thin = pd.DataFrame({"text": [None, None, "fine"], "rating": [5, None, None]})
    with pytest.warns(UserWarning, match="1 blank text"):
        got = feedback_valence(thin, n_jobs=1)
    assert got["used"].tolist() == ["rating", "text (VADER)"]
    # no rating column, or rating_col=None: text only, as before
    plain = feedback_valence(fb.drop(columns="rating"), n_jobs=1)
    assert set(plain["used"]) == {"text (VADER)"}
    assert set(feedback_valence(fb, rating_col=None, n_jobs=1)["used"]) == {"text (VADER)"}


def test_scorer_needs_fitting():
    with pytest.raises(ParameterError, match="fitted"):
        CalibratedScorer()(["x"])


def test_emotion_evidence_says_what_each_point_used():
    from jmtools.analyses.emotions import emotion_evidence, feeling_basis

    fb = pd.DataFrame({"customer_id": ["a", "b", "c"], "stage": ["Buy"] * 3,
                       "timestamp": pd.to_datetime(["2026-01-01"] * 3),
                       "text": ["it has never worked", "love it", "fine"], "rating": [1, None, None]})
    surveys = pd.DataFrame({"customer_id": ["a"], "stage": ["Buy"], "metric": ["csat"], "score": [4],
                            "timestamp": pd.to_datetime(["2026-01-02"])})
    ev = emotion_evidence(["Buy"], surveys=surveys, feedback=fb, n_jobs=1)
    assert ev["used"].tolist() == ["survey score", "rating", "text (VADER)", "text (VADER)"]
    assert ev["valence"].tolist()[:2] == [1.0, -2.0]
    sentence = feeling_basis(ev)
    assert sentence.startswith("Feeling is computed from 4 pieces of evidence: 2 feedback texts scored by VADER")
    assert "1 rating given with feedback" in sentence and "0 is often not neutral" in sentence


def test_folds_reading_the_texts_once_fit_the_same_model():
    """The folds of calibrate_sentiment find each text's terms once (``_analysed``); a scorer
    fitted so has the vectorizer's vocabulary, weights and predictions of one that reads them."""
    df = rated_feedback(300, seed=2)
    texts, target = df["text"].tolist(), rating_valence(df["rating"]) / 2
    plain = CalibratedScorer().fit(texts[:200], target[:200])
    shared = CalibratedScorer()
    analyse = shared._words(1).build_analyzer()
    shared._analysed = {t: analyse(t) for t in texts}
    shared.fit(texts[:200], target[:200])
    assert shared.vectorizer.vocabulary_ == plain.vectorizer.vocabulary_
    assert np.array_equal(shared.vectorizer.idf_, plain.vectorizer.idf_)
    assert np.array_equal(shared.model.coef_, plain.model.coef_)
    assert np.array_equal(shared(texts[200:]), plain(texts[200:]))
    assert pickle.loads(pickle.dumps(plain))._analysed is None


def test_a_text_without_a_letter_is_neither_complaint_nor_praise():
    """Emoji-only comments ("👍", "❤️❤️❤️") score 0 with VADER, below a calibrated cut: 13
    thumbs-up were counted as complaints in a helper's export. A rating still decides them."""
    import numpy as np

    from jmtools.analyses.calibration import complaint_mask

    texts = ["👍", "❤️❤️❤️", "...", "never again", "Не работает", "👎"]
    scores = [0.0, 0.0, 0.0, -0.5, 0.0, 0.0]
    rated = [np.nan, np.nan, np.nan, np.nan, np.nan, -2.0]
    assert complaint_mask(rated, scores, texts=texts).tolist() == [False, False, False, True, False, True]
    assert complaint_mask(rated, [0.9] * 6, polarity="positive", texts=texts).tolist() == [
        False, False, False, True, True, False]
    assert complaint_mask(rated, scores).tolist() == [False, False, False, True, False, True]  # no texts: as before


#: Canned answers: rated rows whose words repeat (thumbs widgets, "Great, love it" ×100).
CANNED = {"one text": (["SIM still not active, terrible, useless"] * 200, [-2.0, 2.0] * 100),
          "two texts": (["SIM still not active, terrible, useless"] * 100 + ["Great plans, love it"] * 100,
                        [-2.0] * 100 + [2.0] * 100),
          "three texts": (["bad", "GREAT", "ok then"] * 70, [-2.0, 2.0, 0.0] * 70),
          "emoji only": ([["😀", "😡", "👍", "🙂", "😤"][i % 5] + "!" * (i % 7) for i in range(150)],
                         [2.0, -2.0, 2.0, 1.0, -2.0] * 30),
          "no word twice": ([f"zq{i}x" for i in range(120)], [-2.0, 2.0] * 60)}


@pytest.mark.parametrize("case", list(CANNED))
def test_too_few_different_texts_fall_back_to_vader_and_never_raise(case):
    """The tester's 200 rated rows of two texts raised scikit-learn's "Found array with 0
    sample(s)" (folds without a text) and the report failed; one text rated both ways, emoji
    and words in one text only raised "empty vocabulary"."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts, v = CANNED[case]
    cal = calibrate_sentiment(texts, v)
    distinct = len({t.strip().casefold() for t in texts})
    if distinct < 20:
        assert not cal.use_calibrated and f"only {distinct} different texts" in cal.reason
    fb = pd.DataFrame({"text": texts + ["the line keeps dropping", "love the new plan"],
                       "rating": list(np.asarray(v) + 3) + [None, None]})
    out = feedback_valence(fb)
    unrated = out[out["rating"].isna()]
    if not cal.use_calibrated:      # the plain lexicon, as VADER itself scores them
        sia = SentimentIntensityAnalyzer()
        assert unrated["used"].tolist() == ["text (VADER)"] * 2
        assert unrated["valence"].round(4).tolist() == [
            round(2 * sia.polarity_scores(t)["compound"], 4) for t in unrated["text"]]
    assert (out.loc[out["rating"].notna(), "valence"].to_numpy() == np.asarray(v)).all()


def test_fewer_different_texts_than_folds_leave_no_fold_empty():
    texts, v = CANNED["three texts"]
    cal = calibrate_sentiment(texts, v, min_rated=10)
    folds = cal.held_out["fold_id"]
    assert sorted(set(folds)) == list(range(len(set(folds)))) and len(set(folds)) <= 3
    assert "3 different texts" in cal.reason


def test_a_big_world_is_calibrated_on_a_sample_of_whole_groups(monkeypatch):
    # D267: beyond MAX_FITTED rated texts the model is fitted and measured on a seeded sample;
    # every caller that reads the held-out scores beside its own rows reads the same rows
    from jmtools.analyses import _calibration_rows
    from jmtools.analyses.complaints import fit_complaints

    monkeypatch.setattr(_calibration_rows, "MAX_FITTED", 300)
    fb = rated_feedback(n=900, seed=3)
    fb["text"] = [f"{t.rsplit(' order', 1)[0]} order {i % 600}" for i, t in enumerate(fb["text"])]  # repeats
    valence = rating_valence(fb["rating"])
    cal = calibrate_sentiment(fb["text"], valence, seed=1)
    rows, held = cal.held_out["rows"], cal.held_out
    assert len(rows) <= 300 and held["n_given"] == 900 and len(held["texts"]) == len(rows)
    assert held["texts"] == fb["text"].iloc[rows].tolist()
    np.testing.assert_array_equal(held["y"], valence[rows] / 2)
    sampled, every = fb["text"].iloc[rows].value_counts(), fb["text"].value_counts()
    assert (sampled == every[sampled.index]).all()                # a repeated text whole or not at all
    assert cal.report["n_rated"].tolist() == [len(rows)] * 2
    assert f"{len(rows):,} of the 900 rated texts" in cal.reason
    again = calibrate_sentiment(fb["text"].tolist()[::-1][::-1], valence, seed=1)
    assert again is cal                                           # the same input is not fitted twice
    check = fit_complaints(cal)
    assert check is not None and check.report["n_complaints"].sum() == 2 * (valence[rows] < 0).sum()
    out = feedback_valence(fb.assign(rating=np.where(np.arange(900) < 850, fb["rating"], np.nan)), n_jobs=1)
    assert out.attrs["used"] == {"rating": 850, "text (calibrated)": 50}
    unrated = out.iloc[850:]
    assert ((unrated["valence"] < 0) == unrated["bad"]).mean() >= 0.9     # the sampled model still reads them


def test_no_sample_below_the_cap():
    fb = rated_feedback()
    cal = calibrate_sentiment(fb["text"], rating_valence(fb["rating"]))
    assert cal.held_out["rows"] is None and cal.held_out["n_given"] == len(fb)
    assert "sample" not in cal.reason
