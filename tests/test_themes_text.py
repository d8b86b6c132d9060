"""Theme text: words said only beside masked personal data never become theme terms (D208)."""

import re

import numpy as np
import pandas as pd

from jmtools.analyses.privacy import PLACEHOLDERS, mask_text
from jmtools.analyses.themes import find_themes
from jmtools.analyses.themes.text import pii_context_words

from test_themes_model import NOISE_TAILS, OTHER_REASONS, SAID_THREE_WAYS

#: Personal-data tails appended without a sentence boundary, as a complaint log writes them.
TAILS = [*NOISE_TAILS, " My name is Priya Patel."]
REASONS = {"engineer": SAID_THREE_WAYS, "bill": OTHER_REASONS["bill"], "router": OTHER_REASONS["router"]}
PLACE = {"engineer": "Installation", "bill": "Billing", "router": "Service"}


def tailed(n=150, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        reason = list(REASONS)[i % 3]
        text = rng.choice(REASONS[reason]) + rng.choice(TAILS)
        rows.append({"feedback_id": i, "text": text, "truth": reason, "stage": PLACE[reason], "sentiment": -0.6})
    return pd.DataFrame(rows)


def _beside(texts, word):
    """Plain count: of the masked texts using ``word``, how many carry one placeholder kind (most)."""
    masked = [mask_text(t).lower() for t in texts]
    using = [m for m in masked if re.search(rf"\b{word}\b", m)]
    kinds = [sum(p in m for m in using) for p in PLACEHOLDERS.values()]
    return len(using), max(kinds)


def test_words_said_only_beside_masked_personal_data_are_found_as_a_plain_count_finds_them():
    fb = tailed()
    found = pii_context_words(fb, place_col="stage")
    assert {"iban", "refund", "spoke", "branch"} <= found          # ("call" is a stop word already)
    for word in ("iban", "refund", "spoke", "branch", "engineer", "broadband", "bill", "debit", "wifi"):
        n, beside = _beside(fb["text"], word)                          # each is said at the three places
        assert (word in found) == (beside >= 0.9 * n), (word, n, beside)
    assert not {"engineer", "broadband", "bill", "debit", "installation"} & found


def test_the_same_words_said_on_their_own_stay_theme_words():
    """"refund", "call" and "branch" are content where the data says them without personal data."""
    own = ["Refund still not paid after the branch closed my account.", "Call centre kept me on hold for an hour.",
           "The branch refused my refund.", "Nobody answers a call at the branch."] * 5
    fb = pd.concat([pd.DataFrame({"text": own, "stage": ["Billing", "Service"] * 10}), tailed(60)])
    assert not {"refund", "call", "branch"} & pii_context_words(fb, place_col="stage")
    assert {"iban", "spoke"} <= pii_context_words(fb, place_col="stage")


def test_a_placeholder_inside_one_places_complaint_keeps_its_words():
    """"re [customer id]: charged twice" said at one place is that place's complaint, not a carrier
    (an energy utility's log: every billing complaint quotes its account)."""
    fb = pd.DataFrame({"text": [f"re ACC-{i:05d}: charged twice this month" for i in range(12)]
                       + ["engineer never came"] * 12,
                       "stage": ["Billing"] * 12 + ["Visit", "Repair", "Install"] * 4})
    assert pii_context_words(fb, place_col="stage", share=0.9) == frozenset()
    assert pii_context_words(fb, place_col=None) == frozenset()


def test_a_placeholder_every_sentence_holds_takes_no_word():
    """A name in every sentence (a signature on one line) says nothing about which words carry it."""
    fb = pd.DataFrame({"text": [f"{t} regards Sarah Jones" for t in ["late delivery again", "parcel late",
                                                                     "wrong size sent"] * 4],
                       "stage": ["Delivery", "Post", "Order"] * 4})
    assert pii_context_words(fb, place_col="stage") == frozenset()


def test_no_theme_term_or_label_comes_from_the_personal_data_tails():
    th = find_themes(tailed().drop(columns="truth"), stability=False, id_col="feedback_id", touchpoint_col=None)
    shown = " ".join(th.summary["label"]) + " " + " ".join(w for ws in th.summary["top_terms"] for w in ws)
    shown += " " + " ".join(p for ps in th.summary["top_phrases"] for p in ps)
    words = set(re.findall(r"[a-z]+", shown))
    assert not words & {"iban", "refund", "spoke", "branch", "call", "sarah", "jones", "priya", "patel", "west"}
    assert not re.search(r"\[|\]|#", shown)
    assert set(th.accounting["words said only beside personal data (left out)"]) >= {"iban", "spoke"}
    assert th.documents["quote"].str.contains(r"\[(?:iban|phone|name)\]").any()    # the quotes show the mask
