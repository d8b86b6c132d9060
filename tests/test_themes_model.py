"""Themes on messy text: brand noise, a measured number of themes, dominant themes, quotes."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.themes import MAX_SHARE, find_themes

TOPICS = {
    "bags": ["my bag never arrived", "lost luggage at the carousel", "baggage claim lost my suitcase",
             "suitcase still missing after three days"],
    "hold": ["on hold for two hours", "nobody answers the phone line", "hold music for hours again",
             "the phone line keeps hanging up"],
    "refund": ["refund still not paid", "they refused my refund request", "waiting weeks for a refund",
               "refund form keeps failing"],
    "seats": ["seat was broken and dirty", "no legroom in my seat", "assigned seat given away",
              "seat would not recline"],
}
NOISE = ["@AcmeAir", "@acmeair", "RT @bob: @AcmeAir", "#AcmeAir", "AcmeAir"]
TAILS = ["", " http://t.co/x1Yz", " I've had enough", " don't fly AcmeAir", " we're done", " ugh"]


def messy(n=400, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        key = list(TOPICS)[i % 4]
        a, b = rng.choice(TOPICS[key], 2, replace=False)
        text = f"{rng.choice(NOISE)} {a}, {b}.{rng.choice(TAILS)}"
        rows.append({"feedback_id": f"f{i}", "text": text, "truth": key, "sentiment": -0.6})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def found():
    return find_themes(messy().drop(columns="truth"), seed=0, id_col="feedback_id", n_themes="auto")


def test_the_default_number_of_themes_is_one_upper_bound_everywhere():
    """N_THEMES (10) is find_themes's, the pipeline's and notebook 04's default (decision D24);
    near-duplicates are merged, so four planted themes come back as about four."""
    import inspect

    from sklearn.metrics import adjusted_rand_score

    from jmtools import pipeline
    from jmtools.analyses.themes import N_THEMES

    assert N_THEMES == 10 == pipeline.N_THEMES
    assert inspect.signature(find_themes).parameters["n_themes"].default == N_THEMES
    assert inspect.signature(pipeline.run).parameters["n_themes"].default == N_THEMES
    out = find_themes(messy().drop(columns="truth"), seed=0, id_col="feedback_id")
    assert "choice of n_themes" not in out.accounting and 4 <= len(out.summary) <= 6
    docs = out.documents.merge(messy()[["feedback_id", "truth"]], on="feedback_id")
    assert adjusted_rand_score(docs["truth"], docs["theme"]) > 0.7


def test_a_bad_number_of_themes_is_refused_with_a_fix():
    from jmtools.core.errors import ParameterError

    for bad in (0, "many", 2.5, None, True):
        with pytest.raises(ParameterError, match="(?s)n_themes must be a whole number ≥ 1 or 'auto'.*Fix: pass e.g. 10"):
            find_themes(messy(), n_themes=bad)


def test_planted_themes_with_brand_noise_recovered(found):
    from sklearn.metrics import adjusted_rand_score

    docs = found.documents.merge(messy()[["feedback_id", "truth"]], on="feedback_id")
    assert adjusted_rand_score(docs["truth"], docs["theme"]) > 0.8
    assert 4 <= len(found.summary) <= 6
    assert found.accounting["choice of n_themes"]["chosen"].sum() == 1


def test_labels_carry_no_handle_url_stub_or_brand(found):
    bad = re.compile(r"@|http|\bco\b|\b(?:ve|ll|re|don|t|s)\b|acme", re.I)
    for r in found.summary.itertuples():
        assert not bad.search(r.label), r.label
        assert not any(bad.search(t) for t in r.top_terms), r.top_terms
    assert any(" " in lab for lab in found.summary["label"])          # phrases, not only words


def test_stability_reported_per_theme(found):
    s = found.summary["stability"]
    assert s.between(0, 1).all() and s.mean() > 0.7


def test_quotes_are_content_rich(found):
    for quotes in found.summary["quotes"]:
        assert all(len(q.split()) >= 5 for q in quotes), quotes


def test_one_huge_theme_warned_and_brand_words_removed():
    rng = np.random.default_rng(2)
    texts = ([f"the acme widget {w} broke again" for w in rng.choice(["really", "totally", "so"], 300)]
             + [f"delivery {i % 7} days late" for i in range(60)] + ["invoice total wrong"] * 40)
    fb = pd.DataFrame({"text": texts, "sentiment": -0.5})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = find_themes(fb, n_themes=4, id_col=None, brand_words=["acme"])
    assert out.summary["share"].iloc[0] > MAX_SHARE
    assert out.accounting["warnings"] and any("holds" in str(w.message) for w in caught)
    assert not any("acme" in lab for lab in out.summary["label"])


def test_near_duplicate_themes_merged():
    texts = (["hidden delivery fee at checkout"] * 30 + ["delivery fee hidden at the checkout page"] * 30
             + ["size chart missing on product page"] * 30)
    out = find_themes(pd.DataFrame({"text": texts, "sentiment": -0.5}), n_themes=3, id_col=None,
                      merge_above=0.4)
    assert len(out.summary) == 2 and out.accounting["merged themes"] >= 1


def test_ratings_decide_polarity():
    fb = pd.DataFrame({"text": ["great service, lovely staff"] * 5 + ["awful, rude staff"] * 5,
                       "rating": [1] * 5 + [5] * 5, "customer_id": list("aabbcddeef")})
    out = find_themes(fb, n_themes=1, id_col=None, min_df=1)
    assert out.accounting["polarity from"] == {"rating": 5, "text": 0}
    assert out.summary["n_customers"].tolist() == [3]                  # a, b, c: for small-group rules
    assert out.documents["sentiment"].gt(0).all()             # the text says praise; the rating wins


def test_a_fit_to_rounding_error_leaks_no_numpy_warning_into_a_notebook(monkeypatch):
    """Notebook 04 on an outside tester's feedback printed scikit-learn's "RuntimeWarning: invalid
    value encountered in sqrt" (NMF's error of a near-exact fit: the root of a tiny negative)."""
    import warnings

    import numpy as np
    from scipy import sparse
    from sklearn.decomposition import NMF

    from jmtools.analyses.themes.model import nmf

    fit = NMF.fit_transform

    def rounding(self, x, *a, **k):            # what sklearn's _beta_divergence does at ~0 error
        np.sqrt(np.array([-1e-18]))
        return fit(self, x, *a, **k)

    monkeypatch.setattr(NMF, "fit_transform", rounding)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w, h = nmf(sparse.csr_matrix(np.eye(4)), 2, seed=0)
    assert w.shape == (4, 2) and h.shape == (2, 4)


def test_identical_texts_are_said_to_repeat_not_to_share_no_word():
    """100 copies of one complaint said "the 100 texts share no word … no word of theirs is in 2
    of them": every word of theirs is in all of them (the 95% cap leaves none)."""
    from jmtools.core.errors import DataError

    feedback = pd.DataFrame({"text": ["SIM still not active after three days"] * 100})
    with pytest.raises(DataError, match=r"the 100 texts \(1 different\) give nothing to tell themes apart"):
        find_themes(feedback, polarity="all", stability=False)
