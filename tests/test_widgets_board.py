"""PriorityBoard: the backlog it draws is prioritise() on its inputs; Save is a one-line diff."""

from __future__ import annotations

import difflib
import shutil

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.priorities import opportunities_frame, prioritise
from jmtools.journey import Journey
from jmtools.widgets import PriorityBoard


def changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture(scope="module")
def findings(b2b_world):
    return pipeline.run(b2b_world.prepared)


@pytest.fixture
def board(findings, b2b_world, tmp_path):
    path = tmp_path / "journey.yaml"
    shutil.copy(b2b_world.folder / "journey.yaml", path)
    return PriorityBoard.from_findings(findings, journey_path=path), path


def test_unchanged_board_shows_the_run_backlog_and_draws_the_matrix(board, findings):
    b, _ = board
    pd.testing.assert_frame_equal(b.backlog(), findings.backlog)
    assert b.errors.value == ""
    assert len(b.chart.outputs) == 1 and b.figure is not None


def test_recomputed_backlog_equals_prioritise_called_directly(board, findings):
    b, _ = board
    first = findings.opportunities["id"].iloc[0]
    b.set(first, effort=5.0, impact=3.0, confidence=0.5, reach=40.0)
    opps = findings.opportunities.copy()
    opps.loc[opps["id"] == first, ["effort", "impact", "confidence", "reach"]] = [5.0, 3.0, 0.5, 40.0]
    expected = prioritise(opps, findings.pain_points.table, order_value=findings.order_value,
                          by=None)     # as the pipeline ranks: value at stake, equal ones by RICE
    pd.testing.assert_frame_equal(b.backlog(), expected)
    drawn = b.figure.to_dict()
    rows = [r for d in drawn["datasets"].values() for r in d if r.get("label") == first]
    assert rows and rows[0]["x"] == 5.0 and rows[0]["y"] == 3.0


def test_save_changes_one_line_per_changed_score_and_round_trips(board):
    b, path = board
    before = path.read_text()
    b.set("price-breakdown", effort=0.75)
    b.save()
    diff = changed(before, path.read_text())
    assert len(diff) == 2 and "effort: 0.75" in diff[1] and "effort: 0.5" in diff[0]
    assert diff[0].replace("0.5,", "0.75,") == "-" + diff[1][1:]  # nothing else on the line moved
    b.set("price-breakdown", owner="Pricing team", status="planned").save()
    saved = opportunities_frame(Journey.load(path)).set_index("id").loc["price-breakdown"]
    assert (saved["effort"], saved["owner"], saved["status"]) == (0.75, "Pricing team", "planned")
    assert path.read_text().startswith(before.splitlines()[0])  # the header comment is kept


def test_unchanged_save_leaves_the_file_alone(board):
    b, path = board
    before = path.read_text()
    b.save()
    assert path.read_text() == before and b.status.value == f"saved to {path.resolve()}"


def test_an_input_prioritise_refuses_is_shown_and_the_chart_kept(board):
    b, _ = board
    shown, figure = b.chart.outputs, b.figure
    b._changed("price-breakdown", "impact", 7.0)  # what a file with a non-RICE impact gives
    assert "RICE impact must be one of" in b.errors.value
    assert b.chart.outputs == shown and b.figure is figure


def test_a_persona_board_shows_the_opportunities_relieving_its_pain_points(b2b_world):
    f = pipeline.run(b2b_world.prepared, persona="SMB Owner Sam")
    b = PriorityBoard.from_findings(f)
    pd.testing.assert_frame_equal(b.backlog(), f.backlog)
    assert b.value["persona"] == "SMB Owner Sam"


def test_a_board_built_after_a_save_shows_it_and_never_writes_it_back(findings, b2b_world, tmp_path):
    """Two boards from one run (the workshop rebuilds them on a focus change): owner, then status."""
    import yaml

    path = tmp_path / "journey.yaml"
    shutil.copy(b2b_world.folder / "journey.yaml", path)
    oid = findings.opportunities["id"].iloc[0]
    first = PriorityBoard.from_findings(findings, journey_path=path)
    first.set(oid, owner="Onboarding guild", effort=7.5).save()
    second = PriorityBoard.from_findings(findings, journey_path=path)
    assert second.value["opportunities"][oid]["owner"] == "Onboarding guild" and second.unsaved == {}
    second.set(oid, status="done").save()
    saved = {o["id"]: o for o in yaml.safe_load(path.read_text())["opportunities"]}[oid]
    assert (saved["owner"], saved["status"], saved["scores"]["effort"]) == ("Onboarding guild", "done", 7.5)
    # the matrix is prioritise() on what the file holds now, not on the run's stale frame
    frame = opportunities_frame(Journey.load(path))
    assert second.backlog().set_index("id").loc[oid, "effort"] == frame.set_index("id").loc[oid, "effort"] == 7.5


def test_an_input_out_of_range_is_said_next_to_its_field(board):
    """The browser's bounded boxes clamped 500 months to 120 without a word (hB48)."""
    b, _ = board
    b.set("price-breakdown", effort=500)
    assert b.value["opportunities"]["price-breakdown"]["effort"] == 120.0   # the nearest allowed
    note = b.notes["price-breakdown"]
    assert note.text == "effort: typed 500, allowed 0.05–120; kept 120"
    assert "typed 500" in note.value and "jm-field-note" in note.value
    b.set("price-breakdown", confidence=80)
    assert "confidence: typed 80, allowed 0.01–1; kept 1" in b.notes["price-breakdown"].text
    assert "effort: typed 500" in b.notes["price-breakdown"].text           # both said
    b.set("price-breakdown", effort=2)                                      # fixed: its note goes
    assert b.notes["price-breakdown"].text == "confidence: typed 80, allowed 0.01–1; kept 1"
    b.set("price-breakdown", confidence=0.5)
    assert b.notes["price-breakdown"].text == "" and b.notes["price-breakdown"].value == ""


def test_whole_numbers_are_saved_as_whole_numbers(board):
    b, path = board
    before = path.read_text()
    b.set("price-breakdown", effort=4, reach=500).save()
    diff = changed(before, path.read_text())
    assert len(diff) == 2 and "effort: 4," in diff[1] and "reach: 500," in diff[1]
    assert "4.0" not in diff[1] and "500.0" not in diff[1]
