"""working_copy and workshop: the workshop edits a copy of the journey of the data it was pointed
at, and every save stays saved and counts at once (the energy-utility test, hF47)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from jmtools.core.errors import ParameterError
from jmtools.core.resources import data_dir
from jmtools.journey import Journey
from jmtools.widgets.workshop import working_copy, workshop

ECOMMERCE = data_dir() / "ecommerce" / "journey.yaml"


@pytest.fixture
def other_world(b2b_world, tmp_path):
    """A data folder that is not a sample (a copy of b2b named acme), and a stale e-commerce copy."""
    folder = tmp_path / "acme"
    shutil.copytree(b2b_world.folder, folder)
    stale = tmp_path / "notebooks" / "my_journey.yaml"
    stale.parent.mkdir()
    shutil.copy(ECOMMERCE, stale)
    return folder, stale


def test_a_copy_of_another_journey_is_left_alone_and_named_for_this_data(other_world, capsys):
    folder, stale = other_world
    before = stale.read_bytes()
    path = working_copy(folder, "", stale)
    assert path == stale.with_name("my_journey_acme.yaml")
    assert path.read_bytes() == (folder / "journey.yaml").read_bytes() and stale.read_bytes() == before
    said = capsys.readouterr().out
    assert "my_journey.yaml holds another journey ('Running shoes online')" in said
    assert "Edits are saved to my_journey_acme.yaml instead" in said and "(made now)" in said
    assert f"journey_file={str(stale)!r} and save_to=''" in said
    # the next session continues the copy tied to this data, with its edits
    path.write_text(path.read_text().replace('rule: "employees < 50"', 'rule: "employees < 20"'))
    assert working_copy(folder, "", stale) == path and "employees < 20" in path.read_text()
    assert "(continued)" in capsys.readouterr().out


def test_a_copy_of_the_same_journey_is_continued_silently(other_world, capsys):
    folder, stale = other_world
    shutil.copy(folder / "journey.yaml", stale)
    stale.write_text(stale.read_text().replace("employees < 50", "employees < 20"))
    assert working_copy(folder, "", stale) == stale and "employees < 20" in stale.read_text()
    assert capsys.readouterr().out == ""


def test_both_names_taken_by_other_journeys_is_refused_with_the_fix(other_world):
    folder, stale = other_world
    shutil.copy(ECOMMERCE, stale.with_name("my_journey_acme.yaml"))
    with pytest.raises(ParameterError) as err:
        working_copy(folder, "", stale)
    assert "my_journey.yaml and my_journey_acme.yaml hold other journeys" in str(err.value)
    assert "save_to=''" in str(err.value)


def _tab(box, cls: str):
    return next(c for c in box.children[1].children if type(c).__name__ == cls)


def test_saves_stay_saved_across_focus_changes_and_count_at_once(other_world, b2b_world):
    """The tester's session: curve, persona rule and owner saved; focus away and back; save again."""
    folder, stale = other_world
    path = working_copy(folder, "", stale)
    box = workshop(folder, path)
    picker = box.children[0]
    persona = picker.persona.options[1][1]
    stage = Journey.load(path).stage_names[0]

    _tab(box, "CurveEditor").set_assumed(stage, 2.0).save()
    box.children[1].selected_index = 2
    _tab(box, "PersonaEditor").set(rule="employees < 20").save()
    customers = b2b_world.read("customers.csv")
    with_events = set(b2b_world.read("events.parquet", columns=["customer_id"])["customer_id"])
    plain = int(customers.loc[customers["employees"] < 20, "customer_id"].isin(with_events).sum())
    assert _tab(box, "PersonaEditor").status.value.startswith(f"saved to {path}")   # says where it went
    picker.persona.value = persona                             # F3: the saved rule counts
    assert picker.findings.n_customers == plain
    assert box.children[1].selected_index == 2                 # the tab shown stays on a focus change
    oid = picker.findings.opportunities["id"].iloc[0]
    _tab(box, "PriorityBoard").set(oid, owner="Onboarding guild").save()
    picker.persona.value = "all"                               # F2: focus away and back
    curve = _tab(box, "CurveEditor")
    assert curve.assumed[stage] == 2.0                         # rebuilt from the saved file
    assert _tab(box, "PersonaEditor").value["card"]["rule"] == "employees < 20"
    assert _tab(box, "PriorityBoard").value["opportunities"][oid]["owner"] == "Onboarding guild"
    curve.set_assumed(Journey.load(path).stage_names[2], -1.0).save()   # one value for everyone
    saved = yaml.safe_load(path.read_text())
    assert saved["stages"][0]["emotion"] == 2.0 and saved["stages"][2]["emotion"] == -1.0
    assert saved["personas"][0]["rule"] == "employees < 20"
    assert {o["id"]: o.get("owner") for o in saved["opportunities"]}[oid] == "Onboarding guild"
    assert stale.read_bytes() == ECOMMERCE.read_bytes()        # the other journey's copy untouched


def test_a_save_keeps_the_editors_and_says_when_the_numbers_count_it(other_world, b2b_world):
    folder, stale = other_world
    path = working_copy(folder, "", stale)
    drawn = []
    box = workshop(folder, path, sections=[lambda f: drawn.append(f.n_customers)])
    picker, tabs = box.children[0], box.children[1]
    stage = Journey.load(path).stage_names[0]
    curve = _tab(box, "CurveEditor").set_assumed(stage, -2.0)   # typed, not saved
    _tab(box, "PersonaEditor").set(rule="employees < 20").save()
    assert box.children[1] is tabs and _tab(box, "CurveEditor") is curve and curve.unsaved == [stage]
    assert _tab(box, "PersonaEditor").status.value.startswith(f"saved to {path}")
    assert f"Edits saved to {path}; a persona rule changed" in picker.saved_note.value
    assert "Refresh recounts them (the data is prepared again: about " in picker.saved_note.value
    picker.persona.value = picker.persona.options[1][1]      # a focus change counts it too
    assert drawn[-1] == _plain_count(b2b_world, 20)
    assert picker.saved_note.value == "" and picker.refresh_button.layout.display == "none"
    assert _tab(box, "CurveEditor") is curve and curve.unsaved == []   # the persona's own curve now
    assert f"Emotion curve (all customers: {stage})" in box.unsaved.value   # the edit, kept aside


def _plain_count(b2b_world, rule_max: int) -> int:
    """Customers with events whose employees < rule_max: the persona's size, counted in pandas."""
    customers = b2b_world.read("customers.csv")
    with_events = set(b2b_world.read("events.parquet", columns=["customer_id"])["customer_id"])
    return int(customers.loc[customers["employees"] < rule_max, "customer_id"].isin(with_events).sum())


def test_edits_not_saved_are_kept_across_a_focus_change_and_said(other_world):
    """hB48 F1: a focus change rebuilt the editors and dropped what was typed and not saved."""
    folder, stale = other_world
    path = working_copy(folder, "", stale)
    box = workshop(folder, path)
    picker, tabs = box.children[0], box.children[1]
    first, second = picker.persona.options[1][1], picker.persona.options[2][1]
    stage = Journey.load(path).stage_names[0]
    oid = picker.findings.opportunities["id"].iloc[0]
    curve, board, cards = (_tab(box, c) for c in ("CurveEditor", "PriorityBoard", "PersonaEditor"))
    curve.set_assumed(stage, -2.0)                        # for all customers, not saved
    board.set(oid, owner="Onboarding guild")
    cards.picker.value = first
    cards.set(rule="employees < 20")
    before = path.read_text()

    picker.persona.value = second
    assert box.children[1] is tabs and _tab(box, "CurveEditor") is curve   # the same editors
    assert board.unsaved == {oid: {"owner": "Onboarding guild"}}
    assert cards.unsaved == {first: {"rule": "employees < 20"}}
    assert curve.persona == second and curve.unsaved == []                # the new focus's curve
    note = box.unsaved.value
    assert "Not saved yet" in note and f"Emotion curve (all customers: {stage})" in note
    assert f"Priorities ({oid}: owner)" in note and f"Personas ({first}: rule)" in note
    assert path.read_text() == before                                    # nothing written by itself

    picker.persona.value = "all"                                         # back: the curve edit is there
    assert curve.persona == "all" and curve.assumed[stage] == -2.0 and curve.unsaved == [stage]
    curve.save(), board.save(), cards.picker.__setattr__("value", first), cards.save()
    saved = yaml.safe_load(path.read_text())
    assert saved["stages"][0]["emotion"] == -2 and saved["personas"][0]["rule"] == "employees < 20"
    assert {o["id"]: o.get("owner") for o in saved["opportunities"]}[oid] == "Onboarding guild"
    assert box.unsaved.value == ""


def test_a_save_counts_in_the_current_focus_cheaply_or_on_refresh(other_world, b2b_world, monkeypatch):
    """hB48 F2: the focus shown counted a save only once another focus was picked."""
    from jmtools import pipeline
    from jmtools.widgets import focus as focus_module

    folder, stale = other_world
    path = working_copy(folder, "", stale)
    persona = Journey.load(path).persona_names[0]
    box = workshop(folder, path, persona=persona)
    picker = box.children[0]
    curve, board, cards = (_tab(box, c) for c in ("CurveEditor", "PriorityBoard", "PersonaEditor"))
    prepared = []
    real = pipeline.prepare_world
    monkeypatch.setattr(focus_module.pipeline, "prepare_world",
                        lambda *a, **k: prepared.append(1) or real(*a, **k))
    stage = Journey.load(path).stage_names[0]

    curve.set_assumed(stage, 2.0).save()              # what only the run reads: counted at once
    assert picker.findings.journey.assumed_emotion(stage, persona) == 2.0 and prepared == []
    assert "counted in the numbers above" in picker.saved_note.value and picker.refresh_button.layout.display == "none"
    oid = picker.findings.opportunities["id"].iloc[0]
    board.set(oid, effort=9).save()
    assert picker.findings.opportunities.set_index("id").loc[oid, "effort"] == 9 and prepared == []

    old_n, old_curve = picker.findings.n_customers, list(curve.measured)
    cards.set(rule="employees < 20").save()           # a rule: the data must be prepared again
    assert prepared == [] and picker.findings.n_customers == old_n
    assert picker.refresh_button.layout.display != "none"
    assert "still count the rule as it was: <b>Refresh</b>, above these tabs" in cards.status.value
    assert "a persona rule changed" in picker.saved_note.value and "Refresh" in picker.saved_note.value
    picker.refresh_button.click()
    assert prepared == [1] and picker.findings.n_customers == _plain_count(b2b_world, 20) != old_n
    assert curve.measured == CurveEditor_rows(picker.findings) != old_curve
    assert picker.refresh_button.layout.display == "none" and picker.saved_note.value == ""
    assert curve.assumed[stage] == 2.0 and board.unsaved == {} and cards.unsaved == {}


def CurveEditor_rows(findings):
    from jmtools.widgets.curve import _measured_rows
    return _measured_rows(findings.curve_focus)
