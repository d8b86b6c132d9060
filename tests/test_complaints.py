"""The complaint classifier: fitted on rated rows only, measured held out, used only when better."""

import string

import numpy as np
import pandas as pd

from jmtools.analyses.calibration import calibrate_sentiment, complaint_mask
from jmtools.analyses.complaints import ComplaintClassifier, fit_complaints, fit_praise

THINGS = ["lamp", "kettle", "chair", "speaker", "charger", "blender"]


def _word(rng, stem: str) -> str:
    return stem + "".join(rng.choice(list(string.ascii_lowercase), 3))


def planted(n=400, seed=0):
    """Complaints and praise that only differ in a misspelt word, a new spelling each time:
    no word repeats (the word model and VADER read nothing) but its letters do."""
    rng = np.random.default_rng(seed)
    bad = rng.random(n) < 0.3
    texts = [f"the {rng.choice(THINGS)} is {_word(rng, 'brok' if b else 'shin')}" for b in bad]
    rating = np.where(bad, rng.integers(1, 3, n), rng.integers(4, 6, n)).astype(float)
    return texts, rating, bad


def unrelated(n=400, *, seed, complaints):
    """Texts of random words and ratings (1 or 5 stars) that have nothing to do with them."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(["blue", "red", "tall", "flat", "round", "loud", "soft"], 4))
             + f" {_word(rng, 'x')}" for _ in range(n)]
    return texts, rng.choice([1.0, 5.0], n, p=[complaints, 1 - complaints])


def _valence(rating):
    return (np.asarray(rating, float) - 3) * 1.0


def test_the_classifier_reads_what_the_cut_cannot_and_is_used():
    texts, rating, bad = planted()
    cal = calibrate_sentiment(texts, _valence(rating))
    check = fit_complaints(cal)
    rep = check.report.set_index("method")
    assert rep.loc["cut", "precision"] < 0.5                 # every text scores 0: a coin toss
    assert rep.loc["classifier", "precision"] > 0.95 and rep.loc["classifier", "recall"] >= 0.75
    assert check.used and rep.loc["classifier", "used"] and "more precise" in check.reason
    n_bad = int((np.asarray(rating) < 3).sum())                 # every rated complaint is counted once
    assert (rep["n_complaints"] == n_bad).all() and (rep["n_flagged"] > 0).all()
    for m in ("recall", "precision"):                           # each estimate inside its interval
        assert ((rep[f"{m}_ci_low"] <= rep[m]) & (rep[m] <= rep[f"{m}_ci_high"])).all()
    assert rep.loc["classifier", "n_flagged"] == round(rep.loc["classifier", "recall"] * n_bad
                                                       / rep.loc["classifier", "precision"])
    assert fit_complaints(cal) is check is cal.complaint_check          # fitted once
    # unrated rows are decided by it; rated rows keep their rating
    new = ["the lamp is brokxyz", "the chair is shinabc", "the kettle is brokqqq"]
    got = complaint_mask([np.nan, np.nan, 5.0], [0.0, 0.0, 0.0], calibration=cal, texts=new)
    assert got.tolist() == [True, False, False]
    # without the texts the cut decides, as before
    assert complaint_mask([np.nan], [0.0], calibration=cal).tolist() == [bool(0.0 <= cal.negative_cut)]


def test_reported_numbers_are_held_out_not_the_fit():
    """Ratings unrelated to the words: a model fitted on them would look perfect on its own
    rows; held out it finds complaints at the base rate, and it is not used."""
    texts, rating = unrelated(seed=3, complaints=0.3)
    cal = calibrate_sentiment(texts, _valence(rating))
    check = fit_complaints(cal)
    clf = check.report.set_index("method").loc["classifier"]
    assert abs(clf["precision"] - 0.3) < 0.12 and not check.used
    fitted = ComplaintClassifier(C=500.0).fit(texts, rating < 3)     # what a fit on its own rows says
    assert ((fitted.decision(texts) > 0) == (rating < 3)).mean() > 0.95


def test_too_few_rated_rows_or_one_class_give_no_classifier():
    texts, rating, _ = planted(60)
    assert fit_complaints(calibrate_sentiment(texts, _valence(rating))) is None
    texts, _, _ = planted(200)
    assert fit_complaints(calibrate_sentiment(texts, np.full(200, 2.0))) is None


def test_themes_say_the_classifier_decided(recwarn):
    from jmtools.analyses.themes import find_themes, polarity_basis

    # Seed 0: the classifier is perfectly precise on every seed, but on 4 of 20 seeds (before
    # and after naive-Bayes scaling, other seeds each time) the 80%-recall cut of one half finds
    # under 78% on the other half, and the rule keeps the cut.
    texts, rating, bad = planted(400, seed=0)
    unrated = ["the lamp is brokaaa", "the chair is shinbbb", "the blender is brokccc"]
    fb = pd.DataFrame({"text": texts + unrated, "rating": list(rating) + [np.nan] * 3})
    th = find_themes(fb, n_themes=2, id_col=None, stability=False)
    assert th.accounting["polarity from"] == {"rating": int(bad.sum()), "text": 2}
    assert "complaint check" in th.accounting
    sentence = polarity_basis(th)
    assert "complaint classifier" in sentence and "held out" in sentence


def test_vectors_you_bring_are_features_and_not_kept():
    """``embed=``: what only the vectors know (here: which texts are complaints) is learned."""
    rng = np.random.default_rng(5)
    texts = [f"the {rng.choice(THINGS)} {_word(rng, 'q')}" for _ in range(300)]
    bad = rng.random(300) < 0.3
    known = dict(zip(texts, bad))

    def embed(batch):
        return [[1.0 if known.get(t, t.endswith("!")) else 0.0, 0.5] for t in batch]

    cal = calibrate_sentiment(texts, np.where(bad, -2.0, 2.0))
    plain, brought = fit_complaints(cal), fit_complaints(cal, embed=embed)
    assert plain.report.set_index("method").loc["classifier", "precision"] < 0.6
    assert brought.report.set_index("method").loc["classifier", "precision"] > 0.95 and brought.used
    assert cal.complaint_check is plain and fit_complaints(cal, embed=embed) is not brought
    assert brought.complaints(["the lamp zzz!", "the lamp zzz"], [0.0, 0.0]).tolist() == [True, False]


def test_praise_is_decided_the_same_way_measured_held_out():
    """The praise side mirrors complaints: a praise classifier reads the misspelt stems the cut
    cannot, is measured on held-out halves with n and intervals, and then decides unrated rows."""
    texts, rating, bad = planted(seed=2)
    cal = calibrate_sentiment(texts, _valence(rating))
    check = fit_praise(cal)
    rep = check.report.set_index("method")
    assert check.polarity == "positive" and fit_praise(cal) is check is cal.praise_check
    assert rep.loc["cut", "precision"] < 0.8                   # every text scores 0: the base rate
    assert rep.loc["classifier", "precision"] > 0.95 and rep.loc["classifier", "recall"] >= 0.75
    assert check.used and "praise classifier" in check.reason
    assert (rep["n_complaints"] == int((~bad).sum())).all()     # the rated praise, counted once
    for m in ("recall", "precision"):
        assert ((rep[f"{m}_ci_low"] <= rep[m]) & (rep[m] <= rep[f"{m}_ci_high"])).all()
    new = ["the lamp is brokxyz", "the chair is shinabc", "the kettle is shinqqq"]
    got = complaint_mask([np.nan, np.nan, -2.0], [0.0, 0.0, 0.0], calibration=cal, texts=new,
                         polarity="positive")
    assert got.tolist() == [False, True, False]                 # the rating still decides row 3
    assert complaint_mask([np.nan], [0.0], calibration=cal, polarity="positive").tolist() == [
        bool(0.0 >= cal.positive_cut)]                          # without texts the cut decides


def test_praise_classifier_on_unrelated_ratings_is_not_used():
    texts, rating = unrelated(seed=4, complaints=0.4)
    cal = calibrate_sentiment(texts, _valence(rating))
    check = fit_praise(cal)
    clf = check.report.set_index("method").loc["classifier"]
    assert abs(clf["precision"] - 0.6) < 0.12 and not check.used and "not more precise" in check.reason
    got = complaint_mask([np.nan], [0.0], calibration=cal, texts=["red xyz"], polarity="positive")
    assert got.tolist() == [bool(0.0 >= cal.positive_cut)]        # the cut decides


def test_themes_of_praise_report_the_praise_check(recwarn):
    from jmtools.analyses.themes import find_themes, polarity_basis

    texts, rating, bad = planted(400, seed=1)
    rng = np.random.default_rng(7)
    unrated = [f"the {t} is {_word(rng, s)}" for t in THINGS for s in ("shin", "brok")]
    fb = pd.DataFrame({"text": texts + unrated, "rating": list(rating) + [np.nan] * len(unrated)})
    th = find_themes(fb, n_themes=2, id_col=None, stability=False, polarity="positive")
    by = th.accounting["polarity from"]        # about 80% of the 6 unrated praise, no complaint
    assert by["rating"] == int((~bad).sum()) and 4 <= by["text"] <= 6
    assert not th.documents["quote"].str.contains("brok").any()
    assert "praise check" in th.accounting and "complaint check" not in th.accounting
    assert th.accounting["text scorer"].startswith("a praise classifier")
    sentence = polarity_basis(th)
    assert "praise classifier" in sentence and "finds to be praise" in sentence
    row = th.accounting["praise check"].set_index("method").loc["classifier"]
    assert f"of the {int(row['n_complaints']):,} praise" in sentence and "95% CI" in sentence


def test_a_repeated_text_is_never_scored_by_a_model_that_learned_it():
    """Each text four times with the same random rating: with repeats split across folds a
    model that memorises words would look precise held out; kept in one fold it cannot."""
    rng = np.random.default_rng(6)
    unique = [f"{_word(rng, 'q')} {_word(rng, 'z')}" for _ in range(120)]
    rating = rng.choice([1.0, 5.0], 120, p=[0.3, 0.7])
    texts, ratings = unique * 4, np.tile(rating, 4)
    cal = calibrate_sentiment(texts, _valence(ratings))
    folds = pd.Series(cal.held_out["fold_id"]).groupby(pd.Series(texts)).nunique()
    assert (folds == 1).all()
    clf = fit_complaints(cal).report.set_index("method").loc["classifier"]
    assert clf["precision"] < 0.5                                # base rate 0.3, not memorised


def test_each_term_is_weighted_by_what_it_says_alone_on_the_training_rows():
    """NB-SVM: a word found only in complaints gets a positive log-count ratio, one found only
    in the other rows a negative one, a word as often in both about 0; learned from the rows fitted."""
    from sklearn.feature_extraction.text import HashingVectorizer

    texts = [f"refund please {i}" for i in range(20)] + [f"lovely thing {i}" for i in range(40)]
    texts += [f"the box {i}" for i in range(30)]
    bad = np.array([True] * 20 + [False] * 40 + [i % 2 == 0 for i in range(30)])
    clf = ComplaintClassifier().fit(texts, bad)
    hashed = HashingVectorizer(n_features=clf.n_features, token_pattern=r"(?u)\b\w+\b",
                               alternate_sign=False, norm=None, lowercase=False)

    def ratio(model, word):
        return model.log_count_ratio[0][hashed.transform([word]).indices[0]]

    assert ratio(clf, "refund") > 1 and ratio(clf, "lovely") < -1 and abs(ratio(clf, "box")) < 0.5
    assert clf.decision(["refund please"])[0] > 0 > clf.decision(["lovely thing"])[0]
    first = ComplaintClassifier().fit(texts[:60], bad[:60])      # "box" not among the rows fitted
    assert ratio(first, "box") == ratio(first, "zebra") != ratio(clf, "box")


def test_the_held_out_cut_meets_the_recall_target_on_planted_data():
    """Planted complaints a classifier can read: the cut chosen on one half of the folds finds
    at least the target on that half, and about the target on the other (the flags behind the
    reported numbers; recall's interval holds the target)."""
    from jmtools.analyses.calibration import _cut_for_recall

    texts, rating, bad = planted(600, seed=1)
    check = fit_complaints(calibrate_sentiment(texts, _valence(rating)))
    f = check.flags
    assert len(f) == len(texts) and (f["target"] == bad).all()
    clf = check.report.set_index("method").loc["classifier"]
    hit, target = f["classifier"], f["target"]
    assert (hit & target).sum() == round(clf["recall"] * clf["n_complaints"])    # the report counts the flags
    assert hit.sum() == clf["n_flagged"]
    assert clf["recall_ci_low"] <= 0.8 <= clf["recall_ci_high"] or clf["recall"] >= 0.8
    assert clf["recall"] >= 0.75 and clf["precision"] > 0.95
    from jmtools.analyses.calibration import held_out_flags
    from jmtools.analyses.complaints import _rank

    model, text = check._model_ref, check._text_ref          # out-of-fold scores
    combined = -(_rank(model, model) + _rank(text, text)) / 2
    assert (held_out_flags(combined, bad, f["fold"].to_numpy()) == hit).all()
    for pick in (f["fold"] % 2 == 0, f["fold"] % 2 == 1):    # each cut meets the target where chosen
        pick = pick.to_numpy()
        cut = _cut_for_recall(combined[pick], bad[pick], 0.8)
        assert (combined[pick & bad] <= cut).mean() >= 0.8
        assert (combined[pick & bad] <= np.nextafter(cut, -2)).mean() < 0.8   # and is the lowest that does


def test_the_same_seed_gives_the_same_check_and_another_seed_other_folds():
    import jmtools.analyses.calibration as calibration

    texts, rating, _ = planted(300, seed=2)
    first = fit_complaints(calibrate_sentiment(texts, _valence(rating), seed=5))
    calibration._REMEMBERED.clear()                      # fitted again, not read back
    again = fit_complaints(calibrate_sentiment(texts, _valence(rating), seed=5))
    assert again is not first
    pd.testing.assert_frame_equal(first.report, again.report)
    pd.testing.assert_frame_equal(first.flags, again.flags)
    other = fit_complaints(calibrate_sentiment(texts, _valence(rating), seed=6))
    assert not (other.flags["fold"] == first.flags["fold"]).all()


def test_fitting_on_the_present_columns_is_fitting_on_every_column():
    """The classifier's regression is fitted on the hashed columns that hold a value in a
    training row; the model is the one fitted on all 2^19 columns, coefficient for coefficient
    (liblinear's seed fixed)."""
    from sklearn.linear_model import LogisticRegression

    texts, _, bad = planted(300, seed=3)
    clf = ComplaintClassifier()
    rows = clf.featurise(texts)
    clf.fit_rows(rows, bad)
    full = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", dual=True,
                              max_iter=5000, random_state=0).fit(clf._matrix(rows), bad)
    assert clf.model.coef_.shape == full.coef_.shape and clf.model.n_features_in_ == full.n_features_in_
    assert np.array_equal(clf.model.coef_, full.coef_) and np.array_equal(clf.model.intercept_, full.intercept_)
    unseen = ["the kettle is brokxyz", "a chair, new words entirely", "shinabc lamp"]
    assert np.array_equal(clf.decision(unseen), full.decision_function(clf._matrix(clf.featurise(unseen))))


def test_the_fit_does_not_depend_on_numpys_global_generator():
    """liblinear shuffles with NumPy's global generator unless seeded: two processes gave
    coefficients differing by up to 7e-6. The classifier seeds it."""
    texts, _, bad = planted(300, seed=3)
    fits = []
    for seed in (1, 2):
        np.random.seed(seed)
        fits.append(ComplaintClassifier().fit(texts, bad).model)
    assert np.array_equal(fits[0].coef_, fits[1].coef_) and np.array_equal(fits[0].intercept_, fits[1].intercept_)


def test_canned_answers_give_no_classifier_and_no_error():
    """200 rated rows of two texts crashed the fits (fault 8 of the telecom test); 0, 1 or 2
    different texts, or 19, are too few to learn a complaint from: no classifier, the cut decides."""
    texts = [f"text number {i % 19}" for i in range(300)]
    cases = [([], []), (["SIM never active"] * 200, [-2.0, 2.0] * 100),
             (["SIM never active"] * 100 + ["Great plans, love it"] * 100, [-2.0] * 100 + [2.0] * 100),
             (texts, [-2.0 if i % 19 < 8 else 2.0 for i in range(300)])]
    for texts, v in cases:
        cal = calibrate_sentiment(texts, v)
        assert fit_complaints(cal) is None and fit_praise(cal) is None
        assert complaint_mask([np.nan], [-0.9], calibration=cal, texts=["awful"]).tolist() == [True]
    many = [f"text number {i % 40}" for i in range(300)]     # 40 different texts: measured
    assert fit_complaints(calibrate_sentiment(many, [-2.0 if i % 40 < 15 else 2.0 for i in range(300)])) is not None
