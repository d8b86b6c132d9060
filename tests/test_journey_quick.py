"""A journey read through libyaml equals the round-trip reader's, or is left to it (jmtools.journey._quick)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from jmtools.core.errors import JourneyError
from jmtools.journey import Journey
from jmtools.journey._quick import plain_journey_data
from jmtools.journey.yamlio import _parse_yaml, _plain

ROOT = Path(__file__).resolve().parents[1]
JOURNEYS = sorted([*ROOT.glob("data/*/journey.yaml"), *ROOT.glob("templates/journeys/*.yaml")])


def _same(a, b) -> bool:
    """Equal values of the same types, all the way down (True is not 1, 1.0 is not 1)."""
    if type(a) is not type(b) and not (isinstance(a, float) and isinstance(b, float)
                                       or isinstance(a, str) and isinstance(b, str)
                                       or isinstance(a, int) and isinstance(b, int)
                                       and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def _full(text: str):
    return _plain(_parse_yaml(text, "<test>"))


@pytest.mark.parametrize("path", JOURNEYS, ids=lambda p: str(p.relative_to(ROOT)))
def test_bundled_journeys_read_quickly_and_equal(path):
    text = path.read_text(encoding="utf-8")
    quick = plain_journey_data(text)
    assert quick is not None, "a bundled journey should not need the full reader"
    assert _same(quick, _full(text))
    journey = Journey.load(path)
    assert journey._doc is None                       # the document is read on first need
    assert journey.to_yaml() == text                  # unchanged: the file as written
    assert journey.model_dump() == Journey.model_validate(_full(text)).model_dump()


SCALARS = ["010", "0o10", "0x1F", "0b11", "1_000", "1e3", "1E3", "1.5e3", "1.5E-3", ".5", "+.5", "-.5",
           "+1", "-0", "0", "00", "1.", "-1.", "01.5", "1.5", ".inf", "-.Inf", ".NaN", "=", "2024-01-01",
           "2024-01-01 10:00:00", "2024-1-1", "12:30", "1:30:00", "yes", "No", "on", "OFF", "y", "n",
           "true", "True", "TRUE", "tRUE", "false", "null", "Null", "NULL", "nULL", "~", "", "''",
           '""', "'1'", '"true"', "1 2", "1,5", "1.2.3", "0.", "+0.0", "-0.0", "1e", "e3", "3e+",
           "Infinity", "NaN", "inf", "a: b", "x #c", "@x", "`x", "💡", "a\\tb", "- x", "[1, 2.5, yes]",
           "{a: 1, 2: b, true: c, null: d, 1.5: e}", "[]", "{}", "|\n  text\n", ">\n  folded\n  text\n"]


@pytest.mark.parametrize("scalar", SCALARS)
def test_every_scalar_form_is_read_as_the_full_reader_reads_it_or_left_to_it(scalar):
    for text in (f"k: {scalar}\n", f"- {scalar}\n- other\n", f"a:\n  - {scalar}\n"):
        try:
            full = _full(text)
        except JourneyError:
            continue   # the full reader refuses it (or reads a tag): the quick one must not read it
        quick = plain_journey_data(text)
        assert quick is None or _same(quick, full), (text, quick, full)


def test_random_scalars_agree():
    rng = random.Random(7)
    alphabet = "0123456789+-._eExXoObB:infaINFNtrueTRUE ~,"
    checked = 0
    for _ in range(1500):
        scalar = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))).strip()
        text = f"k: {scalar}\n"
        try:
            full = _full(text)
        except JourneyError:
            assert plain_journey_data(text) is None or True  # refused by the full reader: not compared
            continue
        quick = plain_journey_data(text)
        if quick is not None:
            checked += 1
            assert _same(quick, full), (scalar, quick, full)
    assert checked > 500     # most forms are read quickly and compared


@pytest.mark.parametrize("text, why", [
    ("name: A\nname: B\nstages: [{name: S}]\n", "duplicate key"),
    ("name: !!python/object:os.system A\nstages: [{name: S}]\n", "tag"),
    ("name: !custom A\nstages: [{name: S}]\n", "local tag"),
    ("name: &n A\nstages: [{name: *n}]\n", "anchor and alias"),
    ("%YAML 1.1\n---\nname: yes\nstages: [{name: S}]\n", "directive"),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge key"),
    ("k: " + "[" * 80 + "]" * 80 + "\n", "deep nesting"),
    ("k: a\u2028b\n", "a line separator"),
    ("k: [1, 2\n", "syntax error"),
    ("k: v\n" + "x" * 300_000 + ": 1\n", "large"),
])
def test_what_only_the_full_reader_can_tell_is_left_to_it(text, why):
    assert plain_journey_data(text) is None, why


def test_problems_are_located_by_the_full_reader():
    text = ("name: Shop\nstages:\n  - name: Visit\n  - name: Buy\n"
            "touchpoints:\n  - name: Site\n    channel: digital\n    stage: Vist\n    events: [view]\n")
    with pytest.raises(JourneyError) as err:
        Journey.from_yaml(text, source="j.yaml")
    problem = err.value.problems[0]
    assert problem.line == 8 and "Vist" in problem.message

    dup = "name: Shop\nstages:\n  - name: Visit\nname: Again\n"
    with pytest.raises(JourneyError) as err:
        Journey.from_yaml(dup, source="j.yaml")
    assert err.value.problems[0].line == 4 and "duplicate" in err.value.problems[0].message


def test_a_quickly_read_journey_locates_warnings_and_saves_its_comments(tmp_path):
    text = ("# my journey\nname: Shop  # the shop\nstages:\n  - name: Visit\n"
            "personas:\n  - name: P\n    rule: 'a == 1 or b == 2 and c == 3'\n")
    path = tmp_path / "journey.yaml"
    path.write_text(text, encoding="utf-8")
    journey = Journey.load(path)
    assert journey._doc is None
    warning = journey.warnings()[0]
    assert warning.line == 7
    journey.name = "Shop 2"
    journey.save()
    saved = path.read_text(encoding="utf-8")
    assert saved.startswith("# my journey\nname: Shop 2") and "# the shop" in saved
    assert Journey.load(path).name == "Shop 2"
