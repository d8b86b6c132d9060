"""notebooks/07_test_implement_iterate.ipynb runs under papermill on the sample world with a
planted fix: the comparison finds it, the opportunity's outcome is written into the journey
file, the KPI control chart flags a planted shift, and the map's changes are listed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jmtools.journey import Journey
from jmtools.sample_worlds import generate_change_world

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_test_implement_iterate.ipynb"
TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "journeys" / "ecommerce.yaml"

pytestmark = pytest.mark.slow


def _history(folder: Path) -> None:
    """Twelve weekly batch runs of Budget Ben's report; conversion to Post-purchase jumps after run 8."""
    rng = np.random.default_rng(0)
    lines = []
    for week in range(12):
        value = (0.25 if week < 8 else 0.36) + 0.01 * rng.standard_normal()
        lines.append({"run_id": f"2026-W{week + 10:02d}", "report": "Budget Ben", "parameters": {},
                      "figures": {"funnel_4": {"value": round(value, 4), "n": 300},
                                  "customers": {"value": int(1200 + rng.integers(-15, 16)), "n": None}}})
    (folder / "history.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")


def test_notebook_runs_under_papermill_on_the_planted_fix(tmp_path):
    from jmtools.report.runner import run_notebook

    world = tmp_path / "world"
    truth = generate_change_world(world, effect=0.25, customers=4000, seed=3)["change"]
    _history(tmp_path)
    result = run_notebook(NOTEBOOK, tmp_path / "out.ipynb", cwd=tmp_path, parameters={
        "data_dir": str(world), "persona": "Budget Ben", "opportunity": "show-fees-early",
        "save_outcome": True, "history_dir": str(tmp_path), "map_before": str(TEMPLATE)})
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["persona"] == "Budget Ben"
    assert figures["likely_real"] >= 1 and "Budget Ben" in json.dumps(result.records["figures"]["likely_real_1"])
    assert figures["outcome_status"] == "improved"
    low, high = result.records["figures"]["outcome_effect"]["ci"]
    assert low <= truth["measures"]["checkout_to_order"]["effect"] <= high
    assert figures["opportunities_measured"] == 1
    assert figures["kpi_signals"] == 1                   # funnel_4 shifted; customers stays in control
    assert figures["map_changes"] >= 3                   # change_date, target and outcome of the opportunity
    saved = Journey.load(world / "journey.yaml").opportunities[0]
    assert saved.outcome is not None and saved.outcome.status == "improved"
    nb = json.loads(Path(result.output_path).read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    charts = sum("application/vnd.vega.v5+json" in o.get("data", {}) for o in outputs)
    assert charts >= 2                                   # the comparison and a control chart


def test_a_persona_whose_rule_cannot_run_is_said_to_be_left_out_of_the_comparison(tmp_path):
    """The same typo in notebook 07: 60 comparisons instead of 75, without a word. The
    comparison now carries the persona's error, and the notebook says it is left out."""
    import shutil

    from inprocess import run_cells

    from jmtools import pipeline

    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "ecommerce"
    shutil.copytree(root / "data" / "ecommerce", folder)
    path = folder / "journey.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('rule: "runs_per_week >= 4"',
                                                             'rule: "runs_per_wek >= 4"'), encoding="utf-8")
    c = pipeline.compare_periods(folder, "2026-06-01", measures=["conversion"])
    assert list(c.persona_errors) == ["Marathon Maya"]
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "Persona Marathon Maya is left out of this comparison" in texts
