"""CurveEditor: assumed emotions edited beside the measured curve, saved as small diffs."""

from __future__ import annotations

import difflib
import shutil

import pytest

from jmtools import pipeline
from jmtools.journey import Journey
from jmtools.widgets import CurveEditor

TINY = """\
# the workshop's map
jmtools: 1
name: Demo
personas:
  - name: Ben   # young runners
    rule: "age < 30"
  - name: Maya
    rule: "age >= 30"
stages:
  - name: Browse
    emotion: 1      # the workshop said so
  - name: Buy
    emotion: {Ben: -1, Maya: 1}
  - name: Return
"""


def changed(before: str, after: str) -> list[str]:
    """The lines removed (-) and added (+) between two texts."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "journey.yaml"
    path.write_text(TINY)
    return path


def edit_and_save(path, persona, stage, value):
    editor = CurveEditor(Journey.load(path), persona=persona)
    editor.set_assumed(stage, value)
    assert editor.error == ""
    editor.save()
    return editor, changed(TINY, path.read_text())


def test_all_keeps_a_single_value_single_and_the_comment(tiny):
    editor, diff = edit_and_save(tiny, "all", "Browse", 1.5)
    assert diff == ["-    emotion: 1      # the workshop said so", "+    emotion: 1.5    # the workshop said so"]  # comment column kept
    assert editor.status == f"saved to {tiny.resolve()}" and editor.value["assumed"]["Browse"] == 1.5
    assert tiny.read_text().startswith("# the workshop's map\n")


def test_a_persona_changes_its_key_of_the_mapping_on_one_line(tiny):
    _, diff = edit_and_save(tiny, "Ben", "Buy", -0.5)
    assert diff == ["-    emotion: {Ben: -1, Maya: 1}", "+    emotion: {Ben: -0.5, Maya: 1}"]


def test_a_persona_on_a_single_value_stage_keeps_the_others_value(tiny):
    edit_and_save(tiny, "Ben", "Browse", 0)
    j = Journey.load(tiny)
    assert j.stage("Browse").emotion == {"Ben": 0.0, "Maya": 1.0}
    assert j.assumed_emotion("Buy", "Ben") == -1  # other stages untouched


def test_a_persona_adds_a_value_to_a_stage_without_one(tiny):
    _, diff = edit_and_save(tiny, "Maya", "Return", 2)
    assert Journey.load(tiny).stage("Return").emotion == {"Maya": 2.0}
    assert all(line.startswith("+") for line in diff)


def test_clearing_removes_the_line(tiny):
    _, diff = edit_and_save(tiny, "all", "Browse", None)
    assert diff == ["-    emotion: 1      # the workshop said so"]
    _, diff = edit_and_save(tiny, "Ben", "Buy", None)
    assert Journey.load(tiny).stage("Buy").emotion == {"Maya": 1.0}


def test_unchanged_state_saves_the_file_byte_for_byte(tiny):
    CurveEditor(Journey.load(tiny), persona="Maya").save()
    assert tiny.read_text() == TINY


def test_out_of_range_and_locked_stages_show_an_error_and_keep_the_value(tiny):
    editor = CurveEditor(Journey.load(tiny))
    assert editor.locked == ["Buy"] and editor.assumed["Buy"] == 0.0  # the mean, as the report shows
    editor.set_assumed("Browse", 2.5)
    assert "between -2 and +2" in editor.error and editor.assumed["Browse"] == 1.0
    editor.set_assumed("Buy", 1)
    assert "choose the persona" in editor.error and editor.assumed["Buy"] == 0.0
    editor.set_assumed("Browse", -2)
    assert editor.error == "" and editor.assumed["Browse"] == -2.0


def test_a_file_that_cannot_be_written_is_an_error_in_the_widget(tiny, monkeypatch):
    editor = CurveEditor(Journey.load(tiny)).set_assumed("Browse", 0.5)

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(tiny), "write_text", refuse)
    with pytest.raises(PermissionError):
        editor.save()
    assert "Permission denied" in editor.error and "Fix:" in editor.error
    editor.error = ""
    editor._handle_custom_msg({"event": "save"}, [])  # the Save button: shown, not raised
    assert "Permission denied" in editor.error
    monkeypatch.undo()
    assert tiny.read_text() == TINY


def test_the_save_button_message_saves(tiny):
    editor = CurveEditor(Journey.load(tiny)).set_assumed("Browse", 0.5)
    editor._handle_custom_msg({"event": "save"}, [])
    assert editor.error == "" and Journey.load(tiny).stage("Browse").emotion == 0.5


def test_unknown_persona_is_refused():
    with pytest.raises(Exception, match="did you mean|expected"):
        CurveEditor(Journey.from_yaml(TINY), persona="Bne")


def test_from_findings_shows_the_focus_curve_and_saves_one_line(b2b_world, tmp_path):
    persona = "SMB Owner Sam"
    f = pipeline.run(b2b_world.prepared, persona=persona)
    path = tmp_path / "journey.yaml"
    shutil.copy(b2b_world.folder / "journey.yaml", path)
    editor = CurveEditor.from_findings(f, journey_path=path)
    assert editor.persona == persona and editor.stages == f.journey.stage_names
    measured = f.curve_focus.dropna(subset=["valence"])
    assert [m["valence"] for m in editor.measured] == pytest.approx(measured["valence"].tolist())
    assert [m["n"] for m in editor.measured] == measured["n"].tolist()
    assert editor.assumed == {s: f.journey.assumed_emotion(s, persona) for s in f.journey.stage_names}
    stage = f.journey.stage_names[1]  # a per-persona mapping in the b2b journey
    before = path.read_text()
    editor.set_assumed(stage, 0.5).save()
    diff = changed(before, path.read_text())
    assert len(diff) == 2 and "SMB Owner Sam: 0.5" in diff[1]
    assert Journey.load(path).assumed_emotion(stage, persona) == 0.5


def test_an_editor_built_after_a_save_shows_it_and_never_writes_it_back(tiny):
    """Two editors from one loaded journey (the workshop rebuilds them on a focus change)."""
    import yaml

    journey = Journey.load(tiny)
    first = CurveEditor(journey, journey_path=tiny).set_assumed("Browse", 2.0)
    first.save()
    second = CurveEditor(journey, journey_path=tiny)
    assert second.assumed["Browse"] == 2.0 and second.unsaved == []   # the file, not the stale object
    second.set_assumed("Return", -1.5).save()
    stages = {s["name"]: s.get("emotion") for s in yaml.safe_load(tiny.read_text())["stages"]}
    assert stages == {"Browse": 2.0, "Buy": {"Ben": -1, "Maya": 1}, "Return": -1.5}
    first.set_assumed("Buy", None)  # locked while editing "all": refused, nothing to write
    first.save()                    # saves nothing the user did not change: Return stays
    assert yaml.safe_load(tiny.read_text())["stages"][2]["emotion"] == -1.5


def test_a_refused_save_says_not_saved(tiny):
    editor = CurveEditor(Journey.from_yaml(TINY)).set_assumed("Browse", 0.5)
    with pytest.raises(Exception):
        editor.save()                      # no file to save to
    assert editor.status.startswith("not saved") and "journey_path" in editor.error


def test_whole_numbers_are_saved_as_whole_numbers(tiny):
    before = tiny.read_text()
    CurveEditor(Journey.load(tiny), journey_path=tiny).set_assumed("Return", -2).save()
    CurveEditor(Journey.load(tiny), persona="Ben", journey_path=tiny).set_assumed("Buy", 2).save()
    diff = changed(before, tiny.read_text())
    assert "+    emotion: {Ben: 2, Maya: 1}" in diff and "+    emotion: -2" in diff
    assert not [line for line in diff if ".0" in line]
