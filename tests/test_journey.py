"""The journey model: templates, claims, queries, persona references, the published schema."""

from __future__ import annotations

import json
import re

import pytest

from jmtools.core.errors import ParameterError
from jmtools.journey import Claim, Journey, Persona, PersonaRef, schema_problems
from journey_samples import LIBRARY, MINIMAL, ROOT, SAMPLE_JOURNEYS, TEMPLATES


def test_there_are_four_templates_at_least():
    names = {p.stem for p in TEMPLATES}
    assert {"ecommerce", "b2b_service", "saas_trial", "nonprofit_donor"} <= names


@pytest.mark.parametrize("path", TEMPLATES + SAMPLE_JOURNEYS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_templates_and_sample_journeys_are_valid_and_rich(path):
    journey = Journey.load(path)
    assert len(journey.stages) >= 4
    assert len(journey.touchpoints) >= len(journey.stages)
    assert journey.pain_points and journey.opportunities and journey.personas
    assert all(t.events for t in journey.touchpoints), "every touchpoint needs event patterns"
    assert all(s.goal for s in journey.stages), "every stage states the customer's goal"
    assert schema_problems(path) == []


def test_claim_shorthand_and_full_form():
    assert Claim.model_validate("Asks a friend") == Claim(text="Asks a friend")
    j = Journey.from_yaml("name: x\nstages:\n  - name: A\n    thoughts: [Hm, {text: Ok, evidence: reported}]\n")
    assert [c.evidence for c in j.stages[0].thoughts] == ["assumed", "reported"]
    assert "thoughts: [Hm, {text: Ok, evidence: reported}]" in j.to_yaml()


def test_a_journey_built_in_python_saves_and_loads(tmp_path):
    journey = Journey(name="Built", stages=[{"name": "A", "emotion": -1}, {"name": "B"}],
                      touchpoints=[{"name": "T", "stage": "B", "channel": "physical"}],
                      pain_points=[{"id": "slow", "title": "Slow", "stage": "B", "touchpoint": "T"}])
    path = journey.save(tmp_path / "built.yaml")
    assert Journey.load(path) == journey
    assert path.read_text().startswith("jmtools: 1\nname: Built\n")


def test_queries():
    j = Journey.from_yaml(MINIMAL)
    assert j.stage_names == ["Browse", "Buy"]
    assert j.touchpoint_names == ["Shop page", "Checkout"]
    assert j.stage_of("Checkout") == "Buy"
    regex = j.touchpoint_regexes()
    assert re.match(regex["Shop page"], "view_product")
    assert not re.match(regex["Checkout"], "checkout_start_extra"), "patterns match whole names"
    with pytest.raises(ParameterError, match="did you mean 'Checkout'"):
        j.touchpoint("Chekout")


def test_assumed_emotion_overall_and_per_persona():
    j = Journey.from_yaml("name: x\npersonas: [{name: P}]\nstages:\n  - {name: A, emotion: 1}\n"
                          "  - {name: B, emotion: {P: -2}}\n")
    assert j.assumed_emotion("A") == 1
    assert j.assumed_emotion("B", "P") == -2
    assert j.assumed_emotion("B") is None


def test_persona_references_resolve_from_a_library(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "personas.yaml").write_text(LIBRARY, encoding="utf-8")
    path = tmp_path / "j.yaml"
    path.write_text("name: x\npersonas:\n  - ref: shared/personas.yaml#Marathon Maya\n  - name: Local\n"
                    "stages: [{name: A, emotion: {Marathon Maya: 1}}]\n", encoding="utf-8")
    journey = Journey.load(path)
    assert isinstance(journey.personas[0], PersonaRef)
    cards = journey.personas_resolved()
    assert [c.name for c in cards] == ["Marathon Maya", "Local"]
    assert isinstance(cards[0], Persona) and cards[0].rule == "runs_per_week >= 4"
    assert journey.persona_names == ["Marathon Maya", "Local"]
    assert "ref: shared/personas.yaml#Marathon Maya" in journey.to_yaml()


def test_published_schema_is_current():
    published = json.loads((ROOT / "jmtools" / "schema" / "journey.schema.json").read_text())
    assert published == Journey.json_schema(), "run: python -c 'from jmtools.journey import " \
        "Journey; import json; print(json.dumps(Journey.json_schema(), indent=2))'"
