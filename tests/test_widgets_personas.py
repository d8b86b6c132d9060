"""PersonaEditor: live counts equal plain pandas, rule errors inline, cards saved as small diffs."""

from __future__ import annotations

import difflib
import shutil

import pytest

from jmtools.journey import Journey
from jmtools.widgets import PersonaEditor


def changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture
def editor(b2b_world, tmp_path):
    path = tmp_path / "journey.yaml"
    shutil.copy(b2b_world.folder / "journey.yaml", path)
    return PersonaEditor(Journey.load(path), b2b_world.table("customers")), path


def test_live_count_equals_a_plain_pandas_count(editor, b2b_world):
    ed, _ = editor
    customers = b2b_world.read("customers.csv")
    assert ed.picker.value == "SMB Owner Sam"
    assert ed.count["n"] == int((customers["employees"] < 50).sum())
    ed.set(rule="employees >= 50 and employees < 1000")
    n = int(((customers["employees"] >= 50) & (customers["employees"] < 1000)).sum())
    assert ed.count == {"n": n, "of": len(customers), "share": n / len(customers)}
    assert f"{n:,}</span> customers match" in ed.counter.value


def test_a_misspelt_attribute_is_shown_with_did_you_mean_and_no_traceback(editor):
    ed, _ = editor
    ed.set(rule="employes < 50")
    assert ed.count is None
    assert "did you mean 'employees'?" in ed.errors.text and "Traceback" not in ed.errors.text
    ed.set(rule="employees < 50")
    assert ed.errors.text == "" and ed.count["n"] > 0


def test_a_rule_selecting_nobody_counts_zero_without_error(editor):
    ed, _ = editor
    ed.set(rule="employees < 0")
    assert ed.count["n"] == 0 and ed.errors.text == ""


def test_save_writes_the_rule_and_the_quote_as_one_line_each(editor):
    ed, path = editor
    before = path.read_text()
    ed.set(rule="employees < 40").save()
    assert changed(before, path.read_text()) == ['-    rule: "employees < 50"', '+    rule: "employees < 40"']
    ed.set(goals="A fixed, understandable price\nQuick start\nNo lock-in").save()
    card = Journey.load(path).personas[0]
    assert [g.text for g in card.goals][-1] == "No lock-in" and card.rule == "employees < 40"
    assert ed.value == {"persona": "SMB Owner Sam", "card": {**ed.value["card"], "rule": "employees < 40"}}


def test_unchanged_card_saves_the_file_byte_for_byte(editor):
    ed, path = editor
    before = path.read_text()
    ed.picker.value = "Mid-market Ops Olivia"
    ed.save()
    assert path.read_text() == before


def test_a_broken_rule_is_not_saved(editor):
    ed, path = editor
    before = path.read_text()
    with pytest.raises(Exception, match="did you mean"):
        ed.set(rule="employes < 50").save()
    assert path.read_text() == before and "did you mean" in ed.errors.text


LIBRARY = """\
jmtools: 1
personas:
  - name: Budget Ben
    rule: "age < 30"
    quote: Cheap, please.
"""
JOURNEY = """\
jmtools: 1
name: Demo  # with a library persona
personas:
  - ref: library.yaml#Budget Ben
  - name: Maya
    rule: "age >= 30"
stages:
  - name: Browse
"""


def test_a_library_reference_is_read_only_and_names_the_library_file(tmp_path):
    import pandas as pd

    (tmp_path / "library.yaml").write_text(LIBRARY)
    path = tmp_path / "journey.yaml"
    path.write_text(JOURNEY)
    customers = pd.DataFrame({"customer_id": list("abc"), "age": [20, 25, 40]})
    ed = PersonaEditor(Journey.load(path), customers)
    assert ed.is_reference and ed.save_button.disabled and ed.fields["quote"].disabled
    assert ed.value["card"]["quote"] == "Cheap, please." and ed.count["n"] == 2
    assert str(tmp_path / "library.yaml") in ed.note.value
    with pytest.raises(Exception, match="library"):
        ed.save()
    assert path.read_text() == JOURNEY and "library.yaml" in ed.errors.text
    ed.picker.value = "Maya"
    assert not ed.is_reference and ed.count["n"] == 1
    ed.set(quote="Runs far.").save()
    assert changed(JOURNEY, path.read_text()) == ["+    quote: Runs far."]


def test_a_rule_mixing_and_or_counts_and_warns_how_it_is_read(editor, b2b_world):
    ed, _ = editor
    customers = b2b_world.read("customers.csv")
    ed.set(rule="employees < 10 or employees > 500 and employees < 2000")
    e = customers["employees"]
    assert ed.count["n"] == int(((e < 10) | ((e > 500) & (e < 2000))).sum()) and ed.errors.text == ""
    assert "read as employees < 10 or (employees > 500 and employees < 2000)" in ed.warning_text
    assert "jm-warning" in ed.warning.value
    ed.set(rule="employees < 10 or (employees > 500 and employees < 2000)")
    assert ed.warning_text == "" and ed.warning.value == ""
    assert "customers in the customer table" in ed.counter.value


def test_an_editor_built_after_a_save_shows_it_and_never_writes_it_back(b2b_world, tmp_path):
    """Two editors from one loaded journey: the rule saved by the first survives the second's save."""
    import yaml

    path = tmp_path / "journey.yaml"
    shutil.copy(b2b_world.folder / "journey.yaml", path)
    journey, customers = Journey.load(path), b2b_world.table("customers")
    first = PersonaEditor(journey, customers, journey_path=path)
    name = first.picker.value
    first.set(rule="employees < 20").save()
    second = PersonaEditor(journey, customers, journey_path=path)
    plain = int((b2b_world.read("customers.csv")["employees"] < 20).sum())
    assert second.value["card"]["rule"] == "employees < 20" and second.count["n"] == plain
    second.set(quote="We have no IT department.").save()
    card = {p["name"]: p for p in yaml.safe_load(path.read_text())["personas"]}[name]
    assert (card["rule"], card["quote"]) == ("employees < 20", "We have no IT department.")
    assert second.status.value == f"saved to {path.resolve()}"


def test_a_refused_save_says_not_saved(editor):
    ed, path = editor
    before = path.read_text()
    ed.set(rule="employes < 50")
    with pytest.raises(Exception):
        ed.save()
    assert path.read_text() == before
    assert ed.status.value.startswith("not saved") and "did you mean 'employees'?" in ed.errors.text


def test_the_text_fields_fit_a_narrow_output_area(editor):
    """At 800 px the Rule field (640 px wide) was cut off in JupyterLab's output area: the fields
    take the area's width, up to 640 px."""
    ed, _ = editor
    for name in ("rule", "backstory", "quote"):
        layout = ed.fields[name].layout
        assert (layout.width, layout.max_width) == ("100%", "640px"), name
