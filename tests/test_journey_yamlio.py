"""The YAML round trip: reading with located errors, refusing tags, writing back with comments."""

from __future__ import annotations

import pickle

import pytest

from jmtools.core.errors import JourneyError
from jmtools.journey import Claim, Journey
from journey_samples import MINIMAL, SAMPLE_JOURNEYS, TEMPLATES


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


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(JourneyError, match="file not found"):
        Journey.load(tmp_path / "nope.yaml")
    (tmp_path / "journey.yaml").write_text("name: J\nstages: [{name: A}]\n")
    with pytest.raises(JourneyError, match=f"did you mean '{tmp_path / 'journey.yaml'}'"):
        Journey.load(tmp_path / "journy.yaml")
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


@pytest.mark.parametrize("entry, path, fix", [
    ("{name: P, rul: 'age > 3'}", "personas[0].rul", "did you mean 'rule'?"),
    ("{ref: 'lib.yaml#P', nam: x}", "personas[0].ref", "remove it; allowed keys: ref"),
], ids=["persona card", "persona reference"])
def test_unknown_key_in_a_persona_names_the_keys_of_its_kind(entry, path, fix):
    with pytest.raises(JourneyError) as caught:
        Journey.from_yaml(f"name: x\npersonas: [{entry}]\nstages: [{{name: A}}]\n", source="j.yaml")
    problem = caught.value.problems[0]
    assert (problem.line, problem.path, problem.fix) == (2, path, fix)


def test_a_whole_number_set_is_written_as_a_whole_number(tmp_path):
    """The model holds floats (3.0 for a file's 3): a save wrote them as 3.0 (hB48)."""
    path = tmp_path / "j.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    journey = Journey.load(path)
    journey.stages[0].emotion = 2          # validated to 2.0
    journey.stages[1].emotion = -0.5
    journey.save()
    text = path.read_text(encoding="utf-8")
    assert isinstance(journey.stages[0].emotion, float)
    assert "emotion: 2\n" in text and "emotion: -0.5\n" in text and ".0" not in text
    assert Journey.load(path) == journey
