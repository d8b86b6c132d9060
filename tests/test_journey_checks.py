"""Checks beyond the types: every problem at once, persona libraries, the JSON Schema check."""

from __future__ import annotations

import pandas as pd
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


RICE_JOURNEY = """name: x
stages: [{name: A}]
pain_points: [{id: p, title: P, stage: A}]
opportunities:
  - id: fix-crash
    title: Fix the crash
    pain_points: [p]
    scores: {impact: 4, effort: 2, reach: 700, confidence: 0.8}
  - id: matrix-only
    title: Only on the impact-effort matrix
    pain_points: [p]
    scores: {impact: 5, effort: 1}
"""


def test_rice_inputs_off_their_scale_are_refused_where_they_are_written():
    """An opportunity with every RICE input gets its RICE score computed by every report, so an
    impact off the RICE scale (a workshop's 1-5 score), a confidence written as a percentage or
    an effort of 0 is refused with its line, as `jmtools validate` would say, instead of the
    report stopping at the backlog without a line (session 53, F14). An impact beside effort
    alone is the impact-effort matrix's, on any scale: not refused."""
    with pytest.raises(JourneyError) as caught:
        Journey.from_yaml(RICE_JOURNEY, source="j.yaml")
    [problem] = caught.value.problems
    assert problem.line == 8 and "opportunities[0].scores.impact" in str(problem)
    assert "RICE scale" in problem.message and "0.25" in problem.fix
    bad = RICE_JOURNEY.replace("impact: 4", "impact: 2").replace("effort: 2,", "effort: 0,")
    bad = bad.replace("confidence: 0.8", "confidence: 80")
    with pytest.raises(JourneyError) as caught:
        Journey.from_yaml(bad, source="j.yaml")
    assert {p.path.rsplit(".", 1)[-1] for p in caught.value.problems} == {"confidence", "effort"}
    fine = Journey.from_yaml(RICE_JOURNEY.replace("impact: 4", "impact: 2"), source="j.yaml")
    assert [o.scores["impact"] for o in fine.opportunities] == [2, 5]


def test_rice_checks_only_the_rows_it_scores():
    """RICE is computed for opportunities with all four inputs; another one's impact on a 1-5
    matrix scale no longer stops it (the journey check above mirrors this row by row)."""
    from jmtools.analyses.priorities import opportunities_frame, prioritise
    fine = Journey.from_yaml(RICE_JOURNEY.replace("impact: 4", "impact: 2"), source="j.yaml")
    opps = opportunities_frame([o.model_dump() for o in fine.opportunities])
    out = prioritise(opps, by="rice").set_index("id")
    assert out.loc["fix-crash", "rice"] == pytest.approx(700 * 2 * 0.8 / 2)   # by hand
    assert pd.isna(out.loc["matrix-only", "rice"])
