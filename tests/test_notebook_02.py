"""notebooks/02_data_integration.ipynb runs under papermill and finds the planted truths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jmtools.sample_worlds import load_truths, truths_path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_data_integration.ipynb"


def _truths(world):
    if not truths_path(world).exists():
        pytest.skip(f"sample world {world} not generated")
    return load_truths(world)


def test_notebook_declares_its_parameters_and_is_output_free():
    from jmtools.report.runner import read_parameters

    declared = read_parameters(NOTEBOOK)
    assert set(declared) == {"data_dir", "journey_file", "persona", "funnel_level", "funnel_steps",
                             "path_steps"}
    assert all(p.help for p in declared.values())
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.slow
@pytest.mark.parametrize("world", ["ecommerce", "b2b"])
def test_notebook_finds_the_drop_off_persona(world, notebook_runs):
    truths = _truths(world)
    out, result = notebook_runs.get(f"nb02_{world}")
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["rows_rejected"] == 0
    assert figures["worst_drop_off"].startswith(truths["funnel"]["drop_off"]["persona"] + ":")
    assert 0.99 < figures["match_rate"] < 1          # the planted unmatched events
    text = Path(result.output_path).read_text(encoding="utf-8")
    assert text.count("application/vnd.vega.v5+json") >= 6             # funnel, conversion, furthest, timing, transitions, paths…
    for name in truths["unmatched_events"]["events"]:
        assert name in text


def test_notebook_for_one_persona(ecommerce_world):
    """One persona at touchpoint level: the notebook's code, run in-process."""
    from inprocess import run_cells

    truths = _truths("ecommerce")
    loop = truths["loops"][1]                       # the cart → product page detour
    run = run_cells(NOTEBOOK, {"persona": loop["persona"], "funnel_level": "touchpoint"},
                    worlds=[ecommerce_world.world])
    figures = {k: v["value"] for k, v in run.figures.items()}
    assert figures["top_detour"] == "Cart → Product page"


def test_unknown_persona_fails_naming_the_choices(ecommerce_world):
    from inprocess import run_cells

    from jmtools.core.errors import ParameterError

    _truths("ecommerce")
    with pytest.raises(ParameterError) as err:
        run_cells(NOTEBOOK, {"persona": "Budget Bem"}, worlds=[ecommerce_world.world])
    assert "Budget Ben" in str(err.value)


def test_a_funnel_of_your_own_mixes_stages_touchpoints_and_events(ecommerce_world):
    """The funnel_steps parameter: strict order over named steps, the same as the package's funnel."""
    from inprocess import run_cells

    from jmtools.analyses.funnels import funnel
    from jmtools.evidence import prepare

    steps = "Consideration, cart_add, Checkout, order_placed"
    run = run_cells(NOTEBOOK, {"funnel_steps": steps}, worlds=[ecommerce_world.world])
    worst = run.figures["worst_drop_off"]["value"]
    w = ecommerce_world.world
    e = prepare(w.events, w.journey, customers=w.customers)
    f = funnel(e, steps=[s.strip() for s in steps.split(",")], level="any", by="persona")
    top = f[f.step_index > 1].sort_values("drop_off_rate", ascending=False).iloc[0]
    assert worst.startswith(f"{top['persona']}:") and top["step"] in worst
