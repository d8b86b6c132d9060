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


def test_pointed_at_other_data_it_edits_a_copy_of_that_journey_not_a_stale_one(tmp_path):
    """The energy-utility test (hF47): data_dir at another world, the default save_to, and a
    my_journey.yaml left from the e-commerce sample: the workshop showed and edited that one."""
    import shutil

    from jmtools.report.runner import run_notebook

    world = tmp_path / "acme"
    shutil.copytree(data_dir() / "b2b", world)
    stale = tmp_path / "my_journey.yaml"
    shutil.copy(data_dir() / "ecommerce" / "journey.yaml", stale)
    before = stale.read_bytes()
    run_notebook(notebooks_dir() / "06_workshop.ipynb", tmp_path / "out.ipynb", cwd=tmp_path,
                 parameters={"data_dir": str(world)})
    copy = tmp_path / "my_journey_acme.yaml"
    assert copy.read_bytes() == (world / "journey.yaml").read_bytes() and stale.read_bytes() == before
    nb = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "my_journey.yaml holds another journey ('Running shoes online')" in text
    assert f"edits are saved to {copy}" in text
    assert f"-p journey_file {copy}" in text and f"-p data_dir {world}" in text
    assert "Budget Ben" not in text and "Running shoes" not in text.split("left as it is")[1]
    assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
