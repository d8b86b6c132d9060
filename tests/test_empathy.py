"""Empathy map per persona and stage: the content (cells) of jmtools.analyses.empathy."""

from __future__ import annotations

import pandas as pd
import pytest

from jmtools.analyses.empathy import EMPATHY_COLUMNS, QUADRANTS, empathy_cells, feedback_quotes
from jmtools.core.errors import DataError, ParameterError
from jmtools.journey import Journey

JOURNEY = """
name: Shoes
personas:
  - {name: Ben, quote: '"I want a deal."', evidence: reported}
  - {name: Maya}
stages:
  - name: Look
    actions: [Sees an ad, {text: Reads a running blog, personas: [Maya]}]
    thoughts: [{text: Too many choices, personas: [Ben]}]
    feelings: [{text: Curious, evidence: measured, source: survey}]
  - name: Buy
    actions: [Pays]
    feelings: [{text: Annoyed by fees, evidence: reported, personas: [Ben]}]
"""


@pytest.fixture
def journey():
    return Journey.from_yaml(JOURNEY)


QUOTES = pd.DataFrame({
    "text": ["Fees at the end?! mail me at ben@example.com", "Took ages", "Third one",
             "Fourth one", "Great blog post", "Where is the size chart"],
    "stage": ["Buy", "Buy", "Buy", "Buy", "Look", "Nowhere"],
    "persona": ["Ben", "Ben", "Ben", "Ben", "Maya", "Ben"],
    "source": "feedback"})


def test_quadrants_follow_the_lanes_for_one_persona(journey):
    cells = empathy_cells(journey, persona="Ben")
    assert list(cells.columns) == EMPATHY_COLUMNS
    assert list(cells["quadrant"].cat.categories) == list(QUADRANTS)
    got = {q: list(g["text"]) for q, g in cells.groupby("quadrant", observed=True)}
    assert got == {"says": ["“I want a deal.”"], "thinks": ["Too many choices"],
                   "does": ["Sees an ad", "Pays"], "feels": ["Curious", "Annoyed by fees"]}
    maya = empathy_cells(journey, persona="Maya")
    assert list(maya.loc[maya["quadrant"] == "does", "text"]) == [
        "Sees an ad", "Reads a running blog", "Pays"]
    assert "Too many choices" not in set(maya["text"])


def test_oracle_against_the_journey_lanes(journey):
    """Per stage, does/thinks/feels equal the persona-visible claims of the stage."""
    for stage in journey.stages:
        cells = empathy_cells(journey, persona="Ben", stage=stage.name)
        for quadrant, lane in (("does", "actions"), ("thinks", "thoughts"), ("feels", "feelings")):
            expected = [c.text for c in getattr(stage, lane)
                        if not c.personas or "Ben" in c.personas]
            assert list(cells.loc[cells["quadrant"] == quadrant, "text"]) == expected
        assert (cells["stage"] == stage.name).all()


def test_quotes_say_what_customers_said(journey):
    before = QUOTES.copy()
    cells = empathy_cells(journey, persona="Ben", stage="Buy", quotes=QUOTES, max_quotes=2)
    pd.testing.assert_frame_equal(QUOTES, before)
    says = cells[cells["quadrant"] == "says"]
    assert list(says["text"]) == ["“Fees at the end?! mail me at [email]”", "“Took ages”"]
    assert set(says["evidence"]) == {"reported"} and set(says["source"]) == {"feedback"}
    all_stages = empathy_cells(journey, persona="Maya", quotes=QUOTES)
    assert list(all_stages.loc[all_stages["quadrant"] == "says", "text"]) == ["“Great blog post”"]


def test_a_surname_another_quote_names_in_full_is_masked(journey):
    """Maya's quote names Okonkwo in full; Ben's names him alone: masked (D227)."""
    quotes = pd.DataFrame({"text": ["Okonkwo was rude at the till", "Great blog post. Regards, Emily Okonkwo"],
                           "stage": ["Buy", "Look"], "persona": ["Ben", "Maya"], "source": "feedback"})
    says = empathy_cells(journey, persona="Ben", stage="Buy", quotes=quotes).query("quadrant == 'says'")
    assert list(says["text"]) == ["“[name] was rude at the till”"]
    alone = empathy_cells(journey, persona="Ben", stage="Buy", quotes=quotes.iloc[:1]).query("quadrant == 'says'")
    assert list(alone["text"]) == ["“Okonkwo was rude at the till”"]   # nothing tells it is a name


def _planted_quotes(n=300, seed=0):
    """Seeded quotes: some sign with a full name, others name the same surname alone."""
    import numpy as np
    rng = np.random.default_rng(seed)
    surnames = ["Okonkwo", "Schulz", "Nakamura", "Baptiste"]
    said = ["{s} was rude at the till", "Thanks, {f} {s}", "Ask {s} about the fees", "Great blog post",
            "Fees again. Regards, {f} {s}", "Took ages to pay"]
    texts = [rng.choice(said).format(s=rng.choice(surnames), f=rng.choice(["Emily", "Tom", "Ana"]))
             for _ in range(n)]
    return pd.DataFrame({"text": texts, "stage": rng.choice(["Look", "Buy"], n),
                         "persona": rng.choice(["Ben", "Maya"], n), "source": "feedback"})


def test_names_learned_once_give_the_same_map_and_are_not_learned_again(journey, monkeypatch):
    """D239: the surnames learned once (known_names over all the quotes) give the same cells as
    learning them on each call; given, they are not learned again."""
    from jmtools.analyses import empathy
    from jmtools.analyses.privacy import known_names

    quotes = _planted_quotes()
    names = known_names(quotes["text"])
    assert names == {"okonkwo", "schulz", "nakamura", "baptiste"}      # the planted truth
    learned = {(p, s): empathy_cells(journey, persona=p, stage=s, quotes=quotes, max_quotes=50)
               for p in ("Ben", "Maya") for s in ("Look", "Buy", None)}
    assert any("[name] was rude" in t for c in learned.values() for t in c["text"])

    def no_learning(*a, **k):
        raise AssertionError("known_names called although names were given")
    monkeypatch.setattr(empathy, "known_names", no_learning)
    for (p, s), cells in learned.items():
        given = empathy_cells(journey, persona=p, stage=s, quotes=quotes, max_quotes=50, names=names)
        pd.testing.assert_frame_equal(given, cells)


def test_names_given_from_a_wider_set_mask_a_quote_that_alone_tells_nothing(journey):
    quotes = pd.DataFrame({"text": ["Okonkwo was rude at the till"], "stage": ["Buy"], "persona": ["Ben"]})
    says = empathy_cells(journey, persona="Ben", stage="Buy", quotes=quotes,
                         names={"Okonkwo"}).query("quadrant == 'says'")
    assert list(says["text"]) == ["“[name] was rude at the till”"]
    with pytest.raises(ParameterError, match="names=.'okonkwo'."):
        empathy_cells(journey, persona="Ben", quotes=quotes, names="okonkwo")


def test_errors(journey):
    with pytest.raises(ParameterError, match="empathy map is about one persona"):
        empathy_cells(journey, persona=None)
    with pytest.raises(ParameterError, match="did you mean 'Maya'"):
        empathy_cells(journey, persona="Maja")
    with pytest.raises(ParameterError, match="stage"):
        empathy_cells(journey, persona="Ben", stage="Pay")
    with pytest.raises(DataError, match="text_col='Text'"):
        empathy_cells(journey, persona="Ben", quotes=pd.DataFrame({"Text": ["x"]}))


def test_feedback_quotes_newest_first_with_personas(journey):
    fb = pd.DataFrame({"feedback_id": ["F1", "F2", "F3"], "customer_id": ["a", "b", "c"],
                       "timestamp": pd.to_datetime(["2026-01-01", "2026-03-01", "2026-02-01"]),
                       "text": ["one", "two", "three"], "touchpoint": ["Shop", "Shop", "Till"]})
    j = Journey.from_yaml(JOURNEY.replace("stages:", "touchpoints:\n  - {name: Shop, stage: Look, "
                                          "channel: digital}\n  - {name: Till, stage: Buy, "
                                          "channel: physical}\nstages:"))
    before = fb.copy()
    quotes = feedback_quotes(fb, personas=pd.DataFrame({"customer_id": ["a", "b"],
                                                        "persona": ["Ben", "Maya"]}), journey=j)
    pd.testing.assert_frame_equal(fb, before)
    assert list(quotes["text"]) == ["two", "three", "one"]
    assert list(quotes["stage"]) == ["Look", "Buy", "Look"]
    assert list(quotes["persona"].fillna("-")) == ["Maya", "-", "Ben"]
    assert list(quotes["source"]) == ["feedback F2", "feedback F3", "feedback F1"]
    cells = empathy_cells(j, persona="Ben", quotes=quotes)
    assert list(cells.loc[cells["quadrant"] == "says", "text"]) == ["“I want a deal.”", "“one”"]
    with pytest.raises(DataError, match="neither a 'stage' nor a 'touchpoint'"):
        feedback_quotes(fb.drop(columns="touchpoint"))
