"""Notebook 06 (the workshop) runs unattended with its defaults and edits nothing by itself."""

from __future__ import annotations

import json

import pytest

from jmtools.core.resources import data_dir, notebooks_dir

pytestmark = pytest.mark.slow


def test_workshop_runs_with_its_defaults_and_saves_only_a_copy(tmp_path):
    from jmtools.report.runner import run_notebook

    source = data_dir() / "ecommerce" / "journey.yaml"
    before = source.read_bytes()
    run_notebook(notebooks_dir() / "06_workshop.ipynb", tmp_path / "out.ipynb", cwd=tmp_path)
    copy = tmp_path / "my_journey.yaml"
    assert copy.read_bytes() == before          # a working copy, not yet edited
    assert source.read_bytes() == before        # the bundled world is never edited in place
    nb = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 1                    # the workshop box: focus picker above the editors
