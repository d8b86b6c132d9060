"""What changed between two journeys: the change list against a hand-written oracle."""

from __future__ import annotations

from jmtools.journey import Claim
from jmtools.journey.diff import diff_journeys
from journey_samples import journey  # fixture


def test_diff_oracle_on_claims(journey):
    other = journey.model_copy(deep=True)
    other.stages[1].feelings = []
    other.stages[2].actions = [*other.stages[2].actions, Claim(text="Pays")]
    changes = diff_journeys(journey, other)
    assert changes == [
        {"section": "stage", "item": "Consideration", "field": "feelings", "change": "removed",
         "old": "Unsure [measured]", "new": None},
        {"section": "stage", "item": "Decision", "field": "actions", "change": "added",
         "old": None, "new": "Pays"}]
