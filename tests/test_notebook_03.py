"""notebooks/03_emotion_curves.ipynb runs under papermill for every persona of both sample worlds,
and its recorded figures find the planted emotional lows and highs."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_emotion_curves.ipynb"


def _personas(world):
    truths = ROOT / "data" / world / "truths.json"
    if not truths.exists():
        return []
    return ["all"] + [p["name"] for p in json.loads(truths.read_text())["personas"]["items"]]


def _expected(world):
    """Planted lows and highs per persona (stage names) from the world's truths."""
    truths = json.loads((ROOT / "data" / world / "truths.json").read_text())
    lows, highs = {}, {}
    for t in truths["emotion"]:
        (lows if t["kind"] == "low" else highs).setdefault(t["persona"], set()).add(t["stage"])
    return lows, highs


CASES = [(w, p) for w in ("ecommerce", "b2b") for p in _personas(w)]


@pytest.mark.slow
@pytest.mark.parametrize("world, persona", CASES)
def test_notebook_runs_for_every_persona(world, persona, tmp_path):
    from jmtools.report.runner import run_notebook

    out = tmp_path / f"03_{world}_{persona}.ipynb"
    result = run_notebook(NOTEBOOK, out, parameters={"persona": persona,
                                                     "data_dir": f"../data/{world}"})
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["persona"] == persona
    assert figures["n_evidence"] > 500
    lows, highs = _expected(world)
    if persona in lows:
        assert figures["lowest_stage"] in lows[persona]
        assert figures["lowest_valence"] < 0
    if persona in highs:
        assert figures["peak_stage"] in highs[persona]
        assert figures["peak_valence"] > 0.5
    # charts were drawn: the executed notebook holds Altair outputs
    text = out.read_text(encoding="utf-8")
    assert text.count("vegaEmbed") >= 3


def test_unknown_persona_fails_with_the_list(tmp_path):
    from jmtools.core.errors import ReportError
    from jmtools.report.runner import run_notebook

    if not _personas("ecommerce"):
        pytest.skip("sample world not generated")
    with pytest.raises(ReportError) as err:
        run_notebook(NOTEBOOK, tmp_path / "bad.ipynb", parameters={"persona": "Budget Bem"})
    assert "ParameterError" in str(err.value) and "Budget Ben" in err.value.evalue


def test_notebook_declares_its_parameters():
    from jmtools.report.runner import read_parameters

    declared = read_parameters(NOTEBOOK)
    assert {"data_dir", "journey_file", "persona", "personas_file", "statistic", "min_n",
            "behaviour", "trend_freq"} == set(declared)
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.slow
def test_notebook_with_behaviour_evidence(tmp_path):
    from jmtools.report.runner import run_notebook

    if not _personas("ecommerce"):
        pytest.skip("sample world not generated")
    out = tmp_path / "03_behaviour.ipynb"
    result = run_notebook(NOTEBOOK, out, parameters={"persona": "Budget Ben", "behaviour": True})
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["lowest_stage"] == "Decision"
    assert figures["n_evidence"] > 10_000            # one behaviour row per customer and stage
    assert "measured+reported" in out.read_text(encoding="utf-8")
