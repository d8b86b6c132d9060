"""The journey file: loading, validation with located errors, round trip, JSON Schema."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest

from jmtools.core.errors import JourneyError, ParameterError
from jmtools.journey import Claim, Journey, Persona, PersonaRef, load_persona_library, schema_problems

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates" / "journeys").glob("*.yaml"))
SAMPLE_JOURNEYS = sorted((ROOT / "data").glob("*/journey.yaml"))

MINIMAL = """\
# comment at the top
name: Demo  # inline comment
stages:
  - name: Browse
    goal: Find something
  - name: Buy
touchpoints:
  - name: Shop page
    stage: Browse
    channel: digital
    events: ["view_.*"]
  - name: Checkout
    stage: Buy
    channel: digital
    events: [checkout_start, order_placed]
"""


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


@pytest.mark.parametrize("path", TEMPLATES + SAMPLE_JOURNEYS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_is_byte_identical_and_equal(path, tmp_path):
    journey = Journey.load(path)
    out = journey.save(tmp_path / "copy.yaml")
    assert out.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert Journey.load(out) == journey


def test_round_trip_keeps_comments_after_a_change(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    journey = Journey.load(path)
    journey.stages[1].goal = "Pay without surprises"
    journey.stages[0].actions = [Claim(text="Compares two shops", evidence="measured")]
    journey.save()
    text = path.read_text(encoding="utf-8")
    assert "# comment at the top" in text and "# inline comment" in text
    again = Journey.load(path)
    assert again == journey
    assert again.stages[1].goal == "Pay without surprises"
    assert again.stages[0].actions[0].evidence == "measured"
    # untouched parts are written exactly as before
    assert 'events: ["view_.*"]' in text and "events: [checkout_start, order_placed]" in text


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


# --------------------------------------------------------------------- broken files
# (description, yaml, expected line, expected path, words in the message, words in the fix)
BROKEN = [
    ("yaml syntax", "name: x\nstages: [\n  - a\n", 3, None, "YAML syntax error", "indentation"),
    ("duplicate key", "name: x\nname: y\nstages: [{name: A}]\n", 2, None, "duplicate key", "keep one"),
    ("not a mapping", "- a\n- b\n", 1, None, "must be a mapping", "name:"),
    ("python tag", "name: x\nstages: !!python/object/apply:os.system [ls]\n", 2, "stages",
     "!!python/object/apply:os.system", "remove the tag"),
    ("missing name", "stages: [{name: A}]\n", 1, "name", "required key 'name'", "add 'name:"),
    ("missing stage name", "name: x\nstages:\n  - goal: g\n", 3, "stages[0].name", "required key 'name'",
     "add"),
    ("typo in key", "name: x\nstages: [{name: A}]\ntouchpoints:\n  - name: T\n    stage: A\n"
     "    channel: digital\n    momet_of_truth: true\n", 7, "touchpoints[0].momet_of_truth",
     "unknown key", "did you mean 'moment_of_truth'"),
    ("wrong channel", "name: x\nstages: [{name: A}]\ntouchpoints:\n  - {name: T, stage: A, channel: web}\n",
     4, "touchpoints[0].channel", "must be one of 'digital'", "use one of"),
    ("bad evidence label", "name: x\nstages:\n  - name: A\n    actions:\n      - {text: t, evidence: guessed}\n",
     5, "stages[0].actions[0].evidence", "'measured'", ""),
    ("emotion out of range", "name: x\nstages:\n  - name: A\n    emotion: 3\n", 4, "stages[0].emotion",
     "out of range", "-2 to 2"),
    ("empty stages", "name: x\nstages: []\n", 2, "stages", "must not be empty", "add at least one"),
    ("stages not a list", "name: x\nstages: {name: A}\n", 2, "stages", "expected a list", "list"),
    ("bad date", "name: x\nupdated: 2026-13-01\nstages: [{name: A}]\n", 2, "updated",
     "expected a date", "YYYY-MM-DD"),
    ("duplicate stage", "name: x\nstages:\n  - name: A\n  - name: A\n", 4, "stages[1].name",
     "duplicate stage name 'A'", "unique"),
    ("unknown stage", "name: x\nstages: [{name: Browse}]\ntouchpoints:\n"
     "  - {name: T, stage: Brwse, channel: digital}\n", 4, "touchpoints[0].stage",
     "unknown stage 'Brwse'", "did you mean 'Browse'"),
    ("invalid regex", "name: x\nstages: [{name: A}]\ntouchpoints:\n  - name: T\n    stage: A\n"
     "    channel: digital\n    events:\n      - ok\n      - \"cart_(view\"\n", 9,
     "touchpoints[0].events[1]", "not a valid regular expression", "escape"),
    ("duplicate touchpoint", "name: x\nstages: [{name: A}]\ntouchpoints:\n"
     "  - {name: T, stage: A, channel: digital}\n  - {name: T, stage: A, channel: digital}\n",
     5, "touchpoints[1].name", "duplicate touchpoint name", "unique"),
    ("pain point on unknown touchpoint", "name: x\nstages: [{name: A}]\npain_points:\n"
     "  - {id: p, title: t, stage: A, touchpoint: Nope}\n", 4, "pain_points[0].touchpoint",
     "unknown touchpoint 'Nope'", "use one of"),
    ("pain point touchpoint of another stage", "name: x\nstages: [{name: A}, {name: B}]\n"
     "touchpoints: [{name: T, stage: A, channel: digital}]\npain_points:\n"
     "  - {id: p, title: t, stage: B, touchpoint: T}\n", 5, "pain_points[0].touchpoint",
     "belongs to stage 'A'", "stage: A"),
    ("bad pain point id", "name: x\nstages: [{name: A}]\npain_points:\n  - {id: Hidden Fees, title: t, stage: A}\n",
     4, "pain_points[0].id", "wrong form", "lower-case"),
    ("unknown persona", "name: x\npersonas: [{name: Ben}]\nstages: [{name: A}]\npain_points:\n"
     "  - {id: p, title: t, stage: A, personas: [Bne]}\n", 5, "pain_points[0].personas",
     "unknown persona 'Bne'", "did you mean 'Ben'"),
    ("opportunity links unknown pain point", "name: x\nstages: [{name: A}]\npain_points:\n"
     "  - {id: fees, title: t, stage: A}\nopportunities:\n  - {id: o, title: t, pain_points: [fee]}\n",
     6, "opportunities[0].pain_points", "unknown pain point id 'fee'", "did you mean 'fees'"),
    ("bad status", "name: x\nstages: [{name: A}]\nopportunities:\n  - {id: o, title: t, status: doing}\n",
     4, "opportunities[0].status", "got 'doing'", "did you mean 'done'"),
    ("persona rule syntax", "name: x\npersonas:\n  - name: P\n    rule: 'age >> and 3'\nstages: [{name: A}]\n",
     4, "personas[0].rule", "invalid syntax at column 8", "comparisons"),
    ("persona rule in SQL", "name: x\npersonas:\n  - name: P\n    rule: 'age > 3 AND x = 1'\n"
     "stages: [{name: A}]\n", 4, "personas[0].rule", "persona rule", "'=='"),
    ("missing persona library", "name: x\npersonas:\n  - ref: nofile.yaml#Q\nstages: [{name: A}]\n",
     3, "personas[0].ref", "cannot be used: file not found", "check the path"),
    ("severity out of range", "name: x\nstages: [{name: A}]\npain_points:\n"
     "  - {id: p, title: t, stage: A, severity: 9}\n", 4, "pain_points[0].severity", "out of range",
     "at most 5"),
]


@pytest.mark.parametrize("case", BROKEN, ids=[c[0] for c in BROKEN])
def test_broken_files_give_located_errors(case, tmp_path):
    _, text, line, path, message, fix = case
    file = tmp_path / "journey.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(JourneyError) as caught:
        Journey.load(file)
    err = caught.value
    matching = [p for p in err.problems if message in p.message]
    assert matching, f"no problem mentions {message!r}: {err}"
    problem = matching[0]
    assert problem.source == str(file)
    assert problem.line == line, str(err)
    assert problem.path == path, str(err)
    assert fix.lower() in problem.fix.lower(), str(err)
    assert str(file) in str(err) and "Fix:" in str(err)


def test_every_problem_is_reported_at_once():
    text = ("name: x\nstages:\n  - name: A\n  - name: A\ntouchpoints:\n"
            "  - {name: T, stage: Nope, channel: digital, events: ['(']}\n")
    with pytest.raises(JourneyError) as caught:
        Journey.from_yaml(text, source="j.yaml")
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems in j.yaml:")


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(JourneyError, match="file not found"):
        Journey.load(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: Café\nstages: [{name: A}]\n".encode("latin-1"))
    with pytest.raises(JourneyError, match="not UTF-8"):
        Journey.load(bad)


def test_journey_error_pickles():
    with pytest.raises(JourneyError) as caught:
        Journey.from_yaml("name: x\nstages: []\n", source="j.yaml")
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and again.problems == caught.value.problems


def test_save_refuses_an_invalid_journey_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    journey = Journey.load(path)
    journey.touchpoints[0].stage = "Nowhere"
    with pytest.raises(JourneyError, match="unknown stage 'Nowhere'"):
        journey.save()
    assert path.read_text(encoding="utf-8") == MINIMAL
    with pytest.raises(JourneyError, match="no file to save to"):
        Journey.from_yaml(MINIMAL).save()


# ------------------------------------------------------------------ persona library
LIBRARY = """\
jmtools: 1
name: Shared personas
personas:
  - name: Budget Ben
    rule: "age < 30"
    quote: Cheap, please.
  - name: Marathon Maya
    rule: "runs_per_week >= 4"
"""


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


def test_unknown_persona_in_library(tmp_path):
    (tmp_path / "personas.yaml").write_text(LIBRARY, encoding="utf-8")
    path = tmp_path / "j.yaml"
    path.write_text("name: x\npersonas:\n  - ref: personas.yaml#Budget Bn\nstages: [{name: A}]\n")
    with pytest.raises(JourneyError) as caught:
        Journey.load(path)
    problem = caught.value.problems[0]
    assert problem.line == 3 and "did you mean 'Budget Ben'" in problem.fix


def test_library_validation(tmp_path):
    path = tmp_path / "lib.yaml"
    path.write_text("personas:\n  - name: A\n  - name: A\n    rule: 'x >'\n")
    with pytest.raises(JourneyError) as caught:
        load_persona_library(path)
    assert {p.line for p in caught.value.problems} == {3, 4}


# ------------------------------------------------------------------------- schema
def test_published_schema_is_current():
    published = json.loads((ROOT / "jmtools" / "schema" / "journey.schema.json").read_text())
    assert published == Journey.json_schema(), "run: python -c 'from jmtools.journey import " \
        "Journey; import json; print(json.dumps(Journey.json_schema(), indent=2))'"


def test_schema_is_a_valid_2020_12_schema_that_rejects_mistakes(tmp_path):
    import jsonschema

    schema = Journey.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstages:\n  - nme: A\n")
    problems = schema_problems(bad)
    assert problems and problems[0].line == 3 and "'nme'" in problems[0].message


@pytest.mark.parametrize("path", TEMPLATES + SAMPLE_JOURNEYS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_change_touches_only_its_own_line(path, tmp_path):
    import difflib

    journey = Journey.load(path)
    journey.stages[1].goal = "A goal changed in a workshop"
    text = journey.to_yaml()
    changed = [line for line in difflib.unified_diff(path.read_text().splitlines(), text.splitlines(),
                                                     lineterm="", n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) == 2, "\n".join(changed[:10])
    assert Journey.from_yaml(text).stages[1].goal == "A goal changed in a workshop"
