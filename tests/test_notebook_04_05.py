"""notebooks/04_pain_points.ipynb and 05_prioritisation.ipynb run under papermill on both sample
worlds (one kernel run each, tests/notebook_runs.py); their recorded figures name the planted pain
points, and their exports open in pandas and openpyxl."""

from pathlib import Path

import pytest

from jmtools.sample_worlds import load_truths, truths_path

ROOT = Path(__file__).resolve().parents[1]
NB04 = ROOT / "notebooks" / "04_pain_points.ipynb"
NB05 = ROOT / "notebooks" / "05_prioritisation.ipynb"


def _truths(world):
    if not truths_path(world).exists():
        pytest.skip(f"sample world {world} not generated")
    return load_truths(world)


def _figures(result):
    return {k: v["value"] for k, v in result.records["figures"].items()}


@pytest.mark.slow
@pytest.mark.parametrize("world, persona, expected", [
    ("ecommerce", "all", "hidden-fees"),
    ("b2b", "SMB Owner Sam", "slow-qualification"),
])
def test_pain_points_notebook(world, persona, expected, notebook_runs):
    truths = _truths(world)
    folder, result = notebook_runs.get(f"nb04_{world}")     # parameters: data_dir, persona, output_csv
    out = Path(result.output_path)
    csv = folder / "pain_points.csv"
    figures = _figures(result)
    assert figures["persona"] == persona
    assert figures["top_pain_point"] == expected
    planted = {t["persona"] for t in truths.get("emotion", []) if t["kind"] == "low"}
    assert figures["top_pain_point_personas"][0] in planted
    assert figures["n_with_evidence"] >= 3
    import pandas as pd

    table = pd.read_csv(csv)
    assert table["pain_point_id"].iloc[0] == expected and table["rank"].is_monotonic_increasing
    assert not table["quotes"].fillna("").str.contains(r"@example\.(?:com|org)", regex=True).any()
    text = out.read_text(encoding="utf-8")
    assert text.count("application/vnd.vega.v5+json") >= 4          # themes (3) and pain points charts were drawn
    praised = [t for t in truths["themes"] if t["sentiment"] == "positive" and t["main_personas"]]
    for theme in praised:       # e.g. Marathon Maya loves the support team
        assert any(f"@ {theme['touchpoint']} ({theme['main_personas'][0]})" in p
                   for p in figures["praise_themes"]), (theme["id"], figures["praise_themes"])


@pytest.mark.slow
@pytest.mark.parametrize("world, params, expected", [
    ("ecommerce", {}, "show-fees-early"),
    ("b2b", {"rank_by": "rice", "persona": "Enterprise Procurement Priya",
             "extra_opportunities": [{"id": "legal-templates", "title": "Pre-approved legal templates",
                                      "pain_points": ["slow-legal-review"], "owner": "Legal",
                                      "target_date": "2027-02-28",
                                      "scores": {"impact": 3, "effort": 1, "reach": 400,
                                                 "confidence": 0.8, "ease": 8}}]},
     "legal-templates"),
])
def test_prioritisation_notebook(world, params, expected, notebook_runs):
    import openpyxl
    import pandas as pd

    from jmtools.journey import Journey

    _truths(world)
    tmp_path, result = notebook_runs.get(f"nb05_{world}")  # parameters: data_dir, output_dir, params
    assert {k: v for k, v in result.parameters.items() if k in params} == params
    figures = _figures(result)
    assert figures["top_opportunity"] == expected
    backlog = pd.read_csv(tmp_path / "backlog.csv")
    assert backlog["id"].iloc[0] == expected and backlog["rank"].iloc[0] == 1
    by = params.get("rank_by", "value_at_stake")
    assert backlog[by].is_monotonic_decreasing
    sheet = openpyxl.load_workbook(tmp_path / "backlog.xlsx", read_only=True)["backlog"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][list(rows[0]).index("id")] == expected
    saved = Journey.load(tmp_path / "journey.yaml")
    scores = {o.id: o.scores for o in saved.opportunities}
    assert by in scores[expected] and scores[expected]["rank"] == 1
    original = (ROOT / "data" / world / "journey.yaml").read_text()
    assert original.splitlines()[0] in (tmp_path / "journey.yaml").read_text()  # comments kept


def test_unknown_persona_is_refused_early(ecommerce_world):
    from inprocess import run_cells

    from jmtools.core.errors import ParameterError

    _truths("ecommerce")
    for nb in (NB04, NB05):
        with pytest.raises(ParameterError) as err:
            run_cells(nb, {"persona": "Budget Bem"}, worlds=[ecommerce_world.world])
        assert "Budget Ben" in str(err.value)


def test_notebooks_declare_their_parameters():
    from jmtools.report.runner import read_parameters

    assert set(read_parameters(NB04)) == {"data_dir", "journey_file", "persona", "personas_file",
                                          "n_themes", "n_positive_themes", "seed", "min_n", "min_effect", "top",
                                          "output_csv"}
    assert set(read_parameters(NB05)) == {"data_dir", "journey_file", "persona", "rank_by",
                                          "default_lift", "custom_name", "custom_formula",
                                          "impact_threshold", "effort_threshold",
                                          "extra_opportunities", "output_dir", "write_back"}


def test_prioritisation_without_orders_or_scores_ranks_in_file_order(table_subset, tmp_path):
    """No orders (no value at stake) and opportunities without RICE/ICE inputs: the backlog is
    still shown, ranked in file order, and the notebook says so instead of failing."""
    import yaml
    from inprocess import run_cells
    from table_subsets import shown_text

    folder = table_subset("events")
    journey = yaml.safe_load((folder / "journey.yaml").read_text())
    for opp in journey["opportunities"]:
        opp.pop("scores", None)
    path = tmp_path / "journey.yaml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False))
    run = run_cells(NB05, {"data_dir": str(folder), "journey_file": str(path)})
    assert run.namespace["ranked_by"] == "file order"
    backlog = run.namespace["backlog"]
    assert list(backlog["id"]) == [o["id"] for o in journey["opportunities"]][:len(backlog)]
    assert "RICE or ICE where opportunities give those scores" in shown_text(run.displayed)
