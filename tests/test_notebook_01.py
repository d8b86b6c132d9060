"""notebooks/01_personas.ipynb runs under papermill for every persona of both sample worlds; its
recorded figures agree with an independent pandas computation and with the planted truths."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_personas.ipynb"
#: Clustering agreement the notebook must reach (customers loaded by jmtools.sources).
MIN_ARI = {"ecommerce": 0.7, "b2b": 0.9}


def _truths(world):
    path = ROOT / "data" / world / "truths.json"
    return json.loads(path.read_text()) if path.exists() else None


def _personas(world):
    t = _truths(world)
    return [p["name"] for p in t["personas"]["items"]] if t else []


def _oracle(world):
    """Persona per customer by pandas' own expression engine (DataFrame.query), first rule
    in file order wins; the planted rules are plain comparisons that query understands."""
    customers = pd.read_csv(ROOT / "data" / world / "customers.csv")
    label = pd.Series(None, index=customers.index, dtype=object)
    hits = pd.Series(0, index=customers.index)
    for item in _truths(world)["personas"]["items"]:
        selected = customers.query(item["rule"]).index
        hits[selected] += 1
        label[selected.difference(label.dropna().index)] = item["name"]
    return customers, label, hits


def _figures(result):
    return {k: v["value"] for k, v in result.records["figures"].items()}


@pytest.mark.slow
@pytest.mark.parametrize("world", ["ecommerce", "b2b"])
def test_notebook_all_personas_with_suggestions(world, tmp_path):
    from jmtools.report.runner import run_notebook

    if not _personas(world):
        pytest.skip("sample world not generated")
    out = tmp_path / f"01_{world}_all.ipynb"
    result = run_notebook(NOTEBOOK, out, parameters={"data_dir": f"../data/{world}"})
    fig = _figures(result)
    customers, label, hits = _oracle(world)
    assert fig["customers"] == len(customers)
    assert fig["no_persona_share"] == pytest.approx(label.isna().mean())
    assert fig["several_personas"] == int((hits > 1).sum())
    assert fig["rule_errors"] == 0
    assert fig["suggested_k"] == len(_personas(world))
    assert fig["cluster_ari"] >= MIN_ARI[world]
    text = out.read_text(encoding="utf-8")
    assert text.count("vegaEmbed") >= 6  # sizes, differences, KPIs, events, choice of k, clusters
    assert text.count('class=\\"jm-persona\\"') >= 2 * len(_personas(world))


CASES = [(w, p) for w in ("ecommerce", "b2b") for p in _personas(w)]


@pytest.mark.slow
@pytest.mark.parametrize("world, persona", CASES)
def test_notebook_runs_for_every_persona(world, persona, tmp_path):
    from jmtools.report.runner import run_notebook

    result = run_notebook(NOTEBOOK, tmp_path / f"01_{world}_{persona}.ipynb",
                          parameters={"data_dir": f"../data/{world}", "persona": persona,
                                      "suggest": False})
    fig = _figures(result)
    customers, label, _ = _oracle(world)
    assert fig["persona"] == persona
    assert fig["persona_n"] == int((label == persona).sum())
    assert fig["persona_share"] == pytest.approx((label == persona).mean())
    orders = pd.read_csv(ROOT / "data" / world / "orders.csv")
    ids = customers.customer_id[label == persona]
    assert fig["persona_conversion"] == pytest.approx(ids.isin(orders.customer_id).mean())
    for loop in _truths(world).get("loops", []):
        if loop["persona"] == persona and loop["kind"] == "loop":
            planted = [e for e in loop["events"] if e != "product_view"]
            assert set(planted) & set(fig["typical_events"]), fig["typical_events"]


def test_unknown_persona_fails_with_the_list(tmp_path):
    from jmtools.core.errors import ReportError
    from jmtools.report.runner import run_notebook

    if not _personas("ecommerce"):
        pytest.skip("sample world not generated")
    with pytest.raises(ReportError) as err:
        run_notebook(NOTEBOOK, tmp_path / "bad.ipynb",
                     parameters={"persona": "Budget Bem", "suggest": False})
    assert "ParameterError" in str(err.value) and "Budget Ben" in err.value.evalue


def test_notebook_declares_its_parameters():
    from jmtools.report.runner import read_parameters

    assert set(read_parameters(NOTEBOOK)) == {"data_dir", "journey_file", "persona", "suggest",
                                              "k", "seed", "min_customers"}
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
