"""notebooks/03_emotion_curves.ipynb runs under papermill on both sample worlds (everybody in
the B2B world; Budget Ben with behaviour evidence in the e-commerce world), and its recorded
figures find the planted emotional lows and highs. The same figures for every persona of
both worlds are checked in-process (tests/test_persona_reports.py)."""

import json
from pathlib import Path

import pytest

from jmtools.sample_worlds import load_truths, truths_path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_emotion_curves.ipynb"


def _personas(world):
    if not truths_path(world).exists():
        return []
    return ["all"] + [p["name"] for p in load_truths(world)["personas"]["items"]]


def _expected(world):
    """Planted lows and highs per persona (stage names) from the world's truths."""
    truths = load_truths(world)
    lows, highs = {}, {}
    for t in truths["emotion"]:
        (lows if t["kind"] == "low" else highs).setdefault(t["persona"], set()).add(t["stage"])
    return lows, highs


@pytest.mark.slow
def test_notebook_runs_for_everybody(notebook_runs):
    world, persona = "b2b", "all"
    if not _personas(world):
        pytest.skip("sample world not generated")
    _, result = notebook_runs.get("nb03_b2b")
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
    text = Path(result.output_path).read_text(encoding="utf-8")
    assert text.count("application/vnd.vega.v5+json") >= 3


def test_unknown_persona_fails_with_the_list(ecommerce_world):
    from inprocess import run_cells

    from jmtools.core.errors import ParameterError

    with pytest.raises(ParameterError) as err:
        run_cells(NOTEBOOK, {"persona": "Budget Bem"}, worlds=[ecommerce_world.world])
    assert "Budget Ben" in str(err.value)


def test_notebook_declares_its_parameters():
    from jmtools.report.runner import read_parameters

    declared = read_parameters(NOTEBOOK)
    assert {"data_dir", "journey_file", "persona", "personas_file", "statistic", "min_n",
            "behaviour", "trend_freq"} == set(declared)
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.slow
def test_notebook_with_behaviour_evidence(notebook_runs):
    if not _personas("ecommerce"):
        pytest.skip("sample world not generated")
    _, result = notebook_runs.get("nb03_ecommerce")
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["persona"] == "Budget Ben"
    assert figures["lowest_stage"] == "Decision"
    assert figures["n_evidence"] > 10_000            # one behaviour row per customer and stage
    text = Path(result.output_path).read_text(encoding="utf-8")
    assert "measured+reported" in text
    assert text.count("application/vnd.vega.v5+json") == 2  # curve and trend (panels: "all" only)


def _shown(path) -> str:
    """Every text output of an executed notebook (Markdown, plain text, printed lines)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o["output_type"] == "error"]
    parts = [o.get("text", "") for o in outputs] + [
        str(o.get("data", {}).get(m, "")) for o in outputs for m in ("text/markdown", "text/plain")]
    return "\n".join(parts).replace("\\_", "_")


@pytest.mark.slow
def test_notebook_runs_on_events_alone_with_a_behaviour_curve(notebook_runs):
    """No surveys, no feedback, no customers: the curve is measured from behaviour, and said so."""
    from table_subsets import MISSING

    _, result = notebook_runs.get("nb03_events")
    text = _shown(result.output_path)
    assert MISSING["surveys"] in text and MISSING["feedback"] in text and MISSING["customers"] in text
    assert "measured from behaviour alone" in text
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["n_evidence"] > 0 and figures["lowest_valence"] <= 0  # behaviour only pulls down


@pytest.mark.slow
def test_notebook_runs_on_surveys_alone(notebook_runs):
    from table_subsets import MISSING

    _, result = notebook_runs.get("nb03_surveys")
    text = _shown(result.output_path)
    assert MISSING["customers"] in text and MISSING["events"] not in text
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["n_evidence"] > 100 and figures["persona"] == "all"


# ------------------------------------------------------------- no group under 5 customers
@pytest.fixture(scope="module")
def loud_world(tmp_path_factory):
    from small_groups import built, loud_persona_world

    return built(loud_persona_world, tmp_path_factory.mktemp("loud") / "world")


def test_a_persona_of_three_talkative_customers_is_never_shown(loud_world):
    """3 customers, 30 answers at one stage, min_n=2: no curve point, touchpoint point, trend
    period or slope of fewer than 5 customers keeps its numbers (in-process, every variable)."""
    from inprocess import run_cells
    from small_groups import LOUD

    ns = run_cells(NOTEBOOK, {"data_dir": str(loud_world), "persona": LOUD, "min_n": 2}).namespace
    curve, tp = ns["curve"], ns["by_touchpoint"]
    for frame in (curve, tp):
        who = frame["n_customers"]
        assert not ((who > 0) & (who < 5)).any()
        assert frame.loc[frame["persona"] == LOUD, "valence"].isna().all()
    assert curve.attrs["hidden_points"] > 0 and LOUD not in set(ns["moments"]["persona"])
    for frame in (ns["trend"], ns["slopes"]):
        assert not ((frame["n_customers"] > 0) & (frame["n_customers"] < 5)).any()
        assert frame["suppressed"].any()
    assert set(ns["slopes"].loc[ns["slopes"]["suppressed"], "direction"]) == {"hidden"}
    gap = ns["gap"]
    assert gap.loc[gap["persona"] == LOUD, "gap"].isna().all()


def test_without_the_rule_the_notebook_showed_them(loud_world):
    """The oracle: the curve the notebook computed before (emotion_curve alone) has the loud
    persona's point of 3 customers with its numbers."""
    from jmtools.analyses import emotions
    from jmtools.personas import assign_personas
    from jmtools.sources import load_world
    from small_groups import LOUD

    world = load_world(loud_world)
    ev = emotions.emotion_evidence(world.journey, surveys=world.surveys, feedback=world.feedback,
                                   personas=assign_personas(world.customers.to_pandas(), world.journey))
    raw = emotions.emotion_curve(ev, journey=world.journey, min_n=2, personas=[LOUD])
    mine = raw[(raw["persona"] == LOUD) & (raw["n_customers"] > 0)]
    assert len(mine) and (mine["n_customers"] < 5).all() and mine["valence"].notna().all()


@pytest.mark.slow
def test_papermill_run_for_the_small_persona_says_hidden(loud_world, tmp_path):
    """The same run through the report runner (papermill, a real kernel): it finishes, the
    curve table says "hidden", and min_n=0 is refused before a kernel starts."""
    from jmtools.core.errors import ParameterError
    from jmtools.report.runner import run_notebook
    from small_groups import LOUD

    out = tmp_path / "nb03.ipynb"
    run_notebook(NOTEBOOK, out, parameters={"data_dir": str(loud_world), "persona": LOUD, "min_n": 2})
    text = out.read_text(encoding="utf-8")
    assert "hidden" in text and "points are hidden" in text
    with pytest.raises(ParameterError, match="min_n must be a whole number, 1 or more — got 0"):
        run_notebook(NOTEBOOK, tmp_path / "bad.ipynb", parameters={"min_n": 0})
    assert not (tmp_path / "bad.ipynb").exists()


def _relationship_nps_world(folder, *, events: bool = True):
    """60 customers' sign-up and payment events and a yearly NPS naming no stage
    (``customer_id,timestamp,metric,score``), a 2-stage journey: an outside tester's repro_3."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    ids = range(1, 61)
    if events:
        rows = [(i, f"2024-01-{1 + i % 28:02d}T10:00:00Z", "signup_submitted") for i in ids]
        rows += [(i, f"2024-02-{1 + i % 28:02d}T10:00:00Z", "payment_received") for i in ids if i % 3]
        pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).to_csv(folder / "events.csv", index=False)
    pd.DataFrame({"customer_id": ids, "timestamp": [f"2024-03-{1 + i % 28:02d}T10:00:00Z" for i in ids],
                  "metric": "nps", "score": [i % 11 for i in ids]}).to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(
        "jmtools: 1\nname: tiny utility\nstages:\n  - name: Sign up\n  - name: Pay\ntouchpoints:\n"
        "  - {name: Sign-up form, stage: Sign up, channel: digital, events: [signup_submitted]}\n"
        "  - {name: Payment, stage: Pay, channel: digital, events: [payment_received]}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("events", [True, False])
def test_a_survey_naming_no_stage_is_said_and_the_notebook_goes_on(tmp_path, events):
    """D156: a relationship NPS naming no stage left the evidence empty and the trend cell raised
    the chart's "trend is empty: nothing to draw  Fix: pass the output of …". The notebook now says
    the answers cannot be placed and where they count; with events the curve and trend come from
    behaviour (as the report, D132), without them the trend section says why there is none."""
    from inprocess import run_cells

    run = run_cells(NOTEBOOK, {"data_dir": str(_relationship_nps_world(tmp_path / "w", events=events))},
                    last_values=True)
    said = " ".join(str(getattr(o, "data", "")) for o in run.displayed).replace("\\", "")
    assert "The 60 survey answers in this folder name no stage or touchpoint, so they cannot be placed" in said
    assert "notebook 02 scores the survey answers over all of them" in said
    assert "Fix: pass the output" not in said
    ns = run.namespace
    if events:
        assert "The curve below is measured from behaviour instead" in said
        assert set(ns["evidence"]["source"]) == {"behaviour"} and (ns["trend"]["n"] > 0).any()
        assert any(type(o).__name__ == "FacetChart" for o in run.displayed)      # the trend chart
        # the fixed Markdown above it said "Mean emotion per period" on this behaviour-only trend (D207)
        assert "mean friction in what customers did per period" in said and "Mean emotion per period" not in said
    else:
        assert ns["evidence"] is None and ns["trend"] is None
        assert ("No trend over time: no survey answer or feedback text names a stage or touchpoint of the "
                "journey, and there are no events to measure behaviour from.") in said


def test_a_persona_whose_rule_cannot_run_is_left_out_and_the_others_go_on(tmp_path):
    """A misspelt attribute in one persona's rule stopped the notebook (RuleError) while the
    report on the same folder built. The notebook now names the persona with the rule's error
    and fix and draws the others' curves, their members those plain pandas selects."""
    import pandas as pd
    from inprocess import run_cells, sample_with_rule, shown_texts

    folder = sample_with_rule(tmp_path)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    texts = shown_texts(run)
    assert "Persona Marathon Maya is left out of this notebook" in texts and "Fix: did you mean" in texts
    customers = pd.read_csv(folder / "customers.csv", dtype={"customer_id": str})
    ben = customers[(customers["age"] < 30) & (customers["price_sensitivity"] >= 0.6)]["customer_id"]
    members = run.namespace["personas"]
    assert set(members.loc[members["persona"] == "Budget Ben", "customer_id"].astype(str)) == set(ben)
    drawn = set(run.namespace["curve"]["persona"])
    assert "Marathon Maya" not in drawn and {"all", "Budget Ben"} <= drawn
