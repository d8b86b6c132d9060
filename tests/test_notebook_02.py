"""notebooks/02_data_integration.ipynb runs under papermill and finds the planted truths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_data_integration.ipynb"


def _truths(world):
    path = ROOT / "data" / world / "truths.json"
    if not path.exists():
        pytest.skip(f"sample world {world} not generated")
    return json.loads(path.read_text())


def test_notebook_declares_its_parameters_and_is_output_free():
    from jmtools.report.runner import read_parameters

    declared = read_parameters(NOTEBOOK)
    assert set(declared) == {"data_dir", "journey_file", "persona", "funnel_level", "path_steps"}
    assert all(p.help for p in declared.values())
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.slow
@pytest.mark.parametrize("world", ["ecommerce", "b2b"])
def test_notebook_finds_the_drop_off_persona(world, tmp_path):
    from jmtools.report.runner import run_notebook

    truths = _truths(world)
    out = tmp_path / f"02_{world}.ipynb"
    result = run_notebook(NOTEBOOK, out, parameters={"data_dir": f"../data/{world}"})
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["rows_rejected"] == 0
    assert figures["worst_drop_off"].startswith(truths["funnel"]["drop_off"]["persona"] + ":")
    assert 0.99 < figures["match_rate"] < 1          # the planted unmatched events
    text = out.read_text(encoding="utf-8")
    assert text.count("vegaEmbed") >= 6             # funnel, conversion, furthest, timing, transitions, paths…
    for name in truths["unmatched_events"]["events"]:
        assert name in text


@pytest.mark.slow
def test_notebook_for_one_persona(tmp_path):
    from jmtools.report.runner import run_notebook

    truths = _truths("ecommerce")
    loop = truths["loops"][1]                       # the cart → product page detour
    result = run_notebook(NOTEBOOK, tmp_path / "02_nina.ipynb",
                          parameters={"persona": loop["persona"], "funnel_level": "touchpoint"})
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["top_detour"] == "Cart → Product page"


def test_unknown_persona_fails_naming_the_choices(tmp_path):
    from jmtools.core.errors import ReportError
    from jmtools.report.runner import run_notebook

    _truths("ecommerce")
    with pytest.raises(ReportError) as err:
        run_notebook(NOTEBOOK, tmp_path / "bad.ipynb", parameters={"persona": "Budget Bem"})
    assert "ParameterError" in str(err.value) and "Budget Ben" in err.value.evalue
