"""The step notebooks on tiny worlds (tests/tiny_worlds.py, docs/decisions.md D182): 30 customers who each
only "visit", or "visit then add to cart", one customer… Every notebook runs to its end and says,
in a plain sentence with n, what is missing where an analysis has too little data, never a traceback.

The notebooks' code runs in-process (tests/inprocess.py); one kernel run under papermill (slow)
checks the same for a real kernel.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from inprocess import run_cells, shown_texts
from tiny_worlds import SHAPES, UNRUNNABLE, tiny_world

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
STEPS = ["01_personas", "02_data_integration", "03_emotion_curves", "04_pain_points", "05_prioritisation",
         "06_workshop", "07_test_implement_iterate"]


def _parameters(step: str, folder: Path, tmp_path: Path) -> dict:
    extra = {"05": {"output_dir": str(tmp_path / "out")}, "06": {"save_to": str(tmp_path / "mine.yaml")}}
    return {"data_dir": str(folder), **extra.get(step[:2], {})}


def _texts(run) -> str:
    """What the run displayed, Markdown and widget-free text, one line per object."""
    return shown_texts(run) + "\n" + "\n".join(str(o) for o in run.displayed if isinstance(o, str))


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    base = tmp_path_factory.mktemp("tiny")
    return {shape: tiny_world(shape, base / shape) for shape in SHAPES}


@pytest.mark.parametrize("shape", ["one_event", "two_events", "one_customer"])
@pytest.mark.parametrize("step", STEPS)
def test_every_step_notebook_runs_to_its_end_on_a_tiny_world(step, shape, worlds, tmp_path, capsys):
    """No traceback: each cell runs (exceptions would propagate), and no left-out persona goes unsaid."""
    run = run_cells(NOTEBOOKS / f"{step}.ipynb", _parameters(step, worlds[shape], tmp_path))
    said = _texts(run) + capsys.readouterr().out
    assert "Traceback" not in said
    if step[:2] != "05":   # 05 reads no customer table: no persona rule runs there
        assert f"Persona {UNRUNNABLE} is left out" in said, step


def test_notebook_02_says_a_funnel_of_one_step_has_no_conversion(worlds, tmp_path):
    """Planted: 30 customers, each one "visit" (stage Visit): one step, 30 customers, no later step."""
    run = run_cells(NOTEBOOKS / "02_data_integration.ipynb",
                    _parameters("02", worlds["one_event"], tmp_path))
    said = shown_texts(run)
    assert "No conversion from one step to the next: the funnel has one step, Visit (30 customers)" in said
    assert "No time between steps: the funnel has one step, Visit (30 customers)" in said
    assert "No moves between touchpoints to show: no customer went from one touchpoint to another " \
           "(30 customers with events)" in said
    assert "proposal" in run.namespace                         # journey discovery ran to its end
    assert set(run.namespace["proposal"].table["event"]) == {"visit"}


def test_notebook_02_hides_the_moves_of_one_customer_and_says_so(worlds, tmp_path):
    """Planted: one customer, visit → add to cart: one move, of fewer than 5 customers: not drawn, said."""
    run = run_cells(NOTEBOOKS / "02_data_integration.ipynb",
                    _parameters("02", worlds["one_customer"], tmp_path))
    said = shown_texts(run)
    assert "No moves between touchpoints to show: each of the 1 found rests on fewer than 5 customers" in said
    assert not re.search(r"\(1 customers?\)", said)            # the count of one is never said


def test_notebook_04_says_why_there_is_no_pain_point(worlds, tmp_path):
    """No pain point in the journey file, no survey, no feedback, every customer at one step: said, with
    the number of comparisons the run made (counted here from its own evidence table)."""
    run = run_cells(NOTEBOOKS / "04_pain_points.ipynb", _parameters("04", worlds["one_event"], tmp_path))
    found = run.namespace["found"]
    assert found.table.empty
    said = shown_texts(run)
    assert (f"No pain points to rank: the journey file lists none, and none of the {len(found.evidence)} "
            f"comparisons of {len(found.signals)} signal rows found a step worse than its baseline") in said


def test_notebook_07_says_there_is_nothing_to_compare(worlds, tmp_path, capsys):
    """Every customer at one step: no conversion, no time between steps; the sentence has the customers' n."""
    run = run_cells(NOTEBOOKS / "07_test_implement_iterate.ipynb",
                    _parameters("07", worlds["one_event"], tmp_path))
    assert run.namespace["comparison"].table.empty
    said = shown_texts(run) + capsys.readouterr().out
    assert said.count("Nothing to compare before and after 2026-06-01: no customer goes on from one step") == 2
    assert "(customers in the customer table: 30)" in said


@pytest.mark.slow
def test_notebook_02_runs_in_a_kernel_on_a_tiny_world(worlds, tmp_path):
    """Under papermill, as the outside tester ran it: the run ends, and the sentences are in the output."""
    from jmtools.report.runner import run_notebook

    result = run_notebook(NOTEBOOKS / "02_data_integration.ipynb", tmp_path / "02.ipynb",
                          parameters={"data_dir": str(worlds["two_events"])})
    text = Path(result.output_path).read_text(encoding="utf-8")
    assert '"output_type": "error"' not in text
    assert f"Persona {UNRUNNABLE} is left out" in text
