"""Checks beyond the types: every problem at once, persona libraries, the JSON Schema check."""

from __future__ import annotations

import pytest

from jmtools.core.errors import JourneyError
from jmtools.journey import Journey, load_persona_library, schema_problems
from journey_samples import LIBRARY


def test_every_problem_is_reported_at_once():
    text = ("name: x\nstages:\n  - name: A\n  - name: A\ntouchpoints:\n"
            "  - {name: T, stage: Nope, channel: digital, events: ['(']}\n")
    with pytest.raises(JourneyError) as caught:
        Journey.from_yaml(text, source="j.yaml")
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems in j.yaml:")


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


def test_schema_is_a_valid_2020_12_schema_that_rejects_mistakes(tmp_path):
    import jsonschema

    schema = Journey.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstages:\n  - nme: A\n")
    problems = schema_problems(bad)
    assert problems and problems[0].line == 3 and "'nme'" in problems[0].message


def test_look_alike_names_are_refused_and_the_hint_spells_out_the_difference():
    """'Buy' and a Cyrillic 'Вuy' read the same: two stages so named are an error, and a pain
    point naming 'Вuy' gets a hint that says which letter differs (not an identical-looking one)."""
    from jmtools.core.errors import JourneyError
    from jmtools.journey import Journey

    with pytest.raises(JourneyError) as err:
        Journey.from_yaml("name: D\nstages: [{name: Buy}, {name: Вuy}]\n")
    assert "looks the same as 'Buy'" in str(err.value) and "U+0412" in str(err.value)
    with pytest.raises(JourneyError) as err:
        Journey.from_yaml("name: D\nstages: [{name: Buy}]\n"
                          "pain_points: [{id: p, title: T, stage: Вuy}]\n")
    text = str(err.value)
    assert "looks like 'Buy'" in text and "CYRILLIC CAPITAL LETTER VE" in text
    assert "did you mean" not in text
    Journey.from_yaml("name: D\nstages: [{name: Buy}, {name: buy now}]\n")   # plainly different: fine


def test_mixed_and_or_is_a_located_warning_not_an_error(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text("name: x\nstages: [{name: A}]\npersonas:\n  - name: P\n"
                    "    rule: \"a == 1 or b == 2 and c == 3\"\n  - name: Q\n    rule: \"a == 2\"\n")
    j = Journey.load(path)                               # valid: it loads, checks and saves
    assert j.check() == []
    (warning,) = j.warnings()
    assert warning.line == 5 and warning.path == "personas[0].rule"
    assert "read as a == 1 or (b == 2 and c == 3)" in warning.message
    assert warning.fix.startswith("write a == 1 or (b == 2 and c == 3)")
    j.save()
    path.write_text(path.read_text().replace("b == 2 and c == 3", "(b == 2 and c == 3)"))
    assert Journey.load(path).warnings() == []


def test_sql_spelling_in_a_journey_rule_is_located_with_the_rewrite():
    with pytest.raises(JourneyError) as caught:
        Journey.from_yaml("name: x\nstages: [{name: A}]\npersonas:\n"
                          "  - {name: P, rule: \"phone IS NOT NULL AND region <> 'north'\"}\n")
    (problem,) = caught.value.problems
    assert problem.line == 4 and "column 7" in problem.message
    assert problem.fix == ("write 'is not None' for 'IS NOT NULL', 'and' for 'AND', '!=' for '<>' "
                           "(keywords in lower case, as in Python): "
                           "phone is not None and region != 'north'")
