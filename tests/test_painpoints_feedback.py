"""Feedback on pain points: themes and counts attached, quotes masked."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from jmtools.analyses import painpoints as pp

from painpoints_cases import sample_world, shoe_journey, shoe_signals


@pytest.fixture(scope="module")
def journey():
    return shoe_journey()


@pytest.fixture(scope="module")
def signals(journey):
    return shoe_signals(journey)


@pytest.fixture(scope="module")
def ecommerce():
    return sample_world("ecommerce")


@pytest.fixture(scope="module")
def b2b():
    """With the planted (true) personas given as a table instead of the journey's rules."""
    return sample_world("b2b", true_personas=True)


def test_quotes_masked_and_themes_attached(signals, journey):
    feedback = pd.DataFrame({
        "stage": ["Decision"] * 3 + ["Consideration"],
        "touchpoint": ["Checkout"] * 3 + ["Product page"],
        "persona": ["Ben", "Ben", "Maya", "Maya"],
        "text": ["Hidden fees! mail me at ben@example.com", "Shipping cost shock, call 020 7946 0958",
                 "Checkout fine but slow", "No size chart"],
        "sentiment": [-0.8, -0.6, -0.1, -0.7],
        "label": ["hidden fees", "hidden fees", "slow", "size chart"],
    })
    found = pp.detect_pain_points(signals, journey=journey, feedback=feedback)
    fees = found.table.set_index("pain_point_id").loc["hidden-fees"]
    assert fees["quotes"] == ["Hidden fees! mail me at [email]", "Shipping cost shock, call [phone]"]
    assert fees["themes"] == ["hidden fees (n=2)", "slow (n=1)"] and fees["n_feedback"] == 3
    maya = found.table[found.table["touchpoint"] == "Product page"].iloc[0]
    assert maya["quotes"] == ["No size chart"]


@pytest.mark.parametrize("world", ["ecommerce", "b2b"])
def test_sample_world_quotes_are_masked(world, ecommerce, b2b):
    found, _ = ecommerce if world == "ecommerce" else b2b
    quotes = [q for qs in found.table["quotes"] for q in qs]
    assert quotes
    assert not any(re.search(r"@example\.(com|org)|7946 ?0|7700 ?900|4111 ?1111", q) for q in quotes)
