"""The one chain (jmtools.pipeline), in process, for every persona of both sample worlds.

The figures the demo reports recorded before the restructure (tests/golden/figures_before.json,
made by benchmarks/compare_figures.py on the old code) are the reference: the pipeline must
give the same numbers for every focus without starting a kernel.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.core.errors import ParameterError
from jmtools.core.vocabulary import ALL
from jmtools.journey import Journey
from jmtools.sources import load_world

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "figures_before.json").read_text())
WORLDS = {"ecommerce": "e-commerce", "b2b": "b2b"}


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _foci():
    for world, prefix in WORLDS.items():
        names = Journey.load(ROOT / "data" / world / "journey.yaml").persona_names
        for persona in [ALL, *names]:
            yield world, persona, f"{prefix}-{_slug(persona)}"


FOCI = list(_foci())


@pytest.fixture(scope="module")
def worlds():
    return {w: load_world(ROOT / "data" / w) for w in WORLDS}


@pytest.fixture(scope="module")
def prepared(worlds):
    return {w: pipeline.prepare_world(loaded) for w, loaded in worlds.items()}


@pytest.fixture(scope="module")
def findings(prepared):
    """Every focus of both worlds, each run from its world prepared once."""
    return {report: pipeline.run(prepared[w], persona=p) for w, p, report in FOCI}


def _figure(report: str, name: str):
    fig = GOLDEN["reports"][report]["figures"].get(name)
    return None if fig is None else fig["value"]


#: Floats recorded in the golden file may move by numerical noise of the libraries: the emotion
#: of a stage read from feedback text comes from a fitted text model, and a new release of the
#: numerical stack moved it by up to 1.3e-5 (2026-12). A count of one customer more or less
#: moves a share by 5e-5 or more up to 20,000 customers, so this still catches any real change.
ABS_TOL = 5e-5


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=ABS_TOL)


def test_every_demo_report_is_covered():
    assert sorted(r for _, _, r in FOCI) == sorted(GOLDEN["reports"])


@pytest.mark.parametrize("world,persona,report", FOCI, ids=[r for _, _, r in FOCI])
def test_headline_figures_equal_the_recorded_ones(findings, world, persona, report):
    f = findings[report]
    assert f.n_customers == _figure(report, "customers")
    assert _close(f.reached_last["share"], _figure(report, "reached_last_stage"))
    lowest = f.lowest_emotion
    assert _close(float(lowest["valence"]), _figure(report, "lowest_emotion"))
    assert str(lowest["stage"]) == _figure(report, "lowest_emotion_stage")
    for row in f.funnel.itertuples():
        assert _close(row.rate_from_start, _figure(report, f"funnel_{row.step_index}"))
    nps = f.kpis_shown[f.kpis_shown["kpi"] == "nps"]
    for row in nps.itertuples():
        assert _close(row.value, _figure(report, f"nps_{row.stage}"))


@pytest.mark.parametrize("world,persona,report", FOCI, ids=[r for _, _, r in FOCI])
def test_top_pain_point_and_opportunity_equal_the_recorded_ones(findings, world, persona, report):
    f = findings[report]
    assert f.pain_points.table["title"].iloc[0] == GOLDEN["tops"][report]["top_pain_point"]
    assert f.backlog["title"].iloc[0] == GOLDEN["tops"][report]["top_opportunity"]
    assert len(f.pain_points.table) == _figure(report, "pain_points")
    if f.themes_focus is not None and len(f.themes_focus.summary):
        assert len(f.themes_focus.summary) == _figure(report, "themes")


def test_a_persona_funnel_is_that_persona_rows_of_the_by_persona_funnel(findings):
    ben = findings["e-commerce-budget-ben"]
    everyone = findings["e-commerce-all"]
    assert ben.funnel["n"].iloc[0] < everyone.funnel["n"].iloc[0]
    pd.testing.assert_frame_equal(ben.funnel_all, everyone.funnel)


def test_planted_checkout_loss_of_budget_ben(findings):
    """Budget Ben's planted drop-off is the biggest loss of his report, and larger than everyone's."""
    ben, everyone = findings["e-commerce-budget-ben"], findings["e-commerce-all"]
    loss = ben.biggest_loss
    assert (loss["from"], loss["to"]) == ("Decision", "Post-purchase")
    assert loss["drop_off_rate"] > everyone.biggest_loss["drop_off_rate"]


def test_biggest_loss_is_the_largest_drop_off_rate(findings):
    for f in findings.values():
        steps = f.funnel.iloc[1:]
        assert f.biggest_loss["drop_off_rate"] == steps["drop_off_rate"].max()


def test_a_persona_backlog_only_holds_opportunities_for_its_pain_points(findings):
    f = findings["e-commerce-new-runner-nina"]
    ids = set(f.pain_points.table["pain_point_id"])
    assert len(f.backlog) and all(ids & set(p) for p in f.backlog["pain_points"])


def test_unknown_persona_names_the_valid_ones(worlds):
    with pytest.raises(ParameterError, match="Budget Ben"):
        pipeline.run(worlds["ecommerce"], persona="Budget Bne")


def test_segment_restricts_every_table(worlds):
    f = pipeline.run(worlds["ecommerce"], segment="age < 30")
    customers = f.tables["customers"]
    assert f.segment_customers == len(customers) and (customers["age"] < 30).all()
    assert set(f.tables["orders"]["customer_id"]) <= set(customers["customer_id"])
    assert f.focus.label == "all customers in segment age < 30"
    assert f.n_customers <= f.segment_customers


def test_segment_that_selects_nobody_is_a_located_parameter_error(worlds):
    with pytest.raises(ParameterError, match="segment"):
        pipeline.run(worlds["ecommerce"], segment="age > 500")


@pytest.mark.parametrize("world", list(WORLDS))
def test_map_cells_equal_the_recorded_ones(world):
    names = Journey.load(ROOT / "data" / world / "journey.yaml").persona_names
    loaded = load_world(ROOT / "data" / world)
    evidence = pipeline.map_evidence(loaded)
    from jmtools.analyses.mapcells import map_cells

    for persona in [None, *names]:
        cells = map_cells(loaded.journey, evidence=evidence, persona=persona)
        rows = json.loads(cells.astype({"lane": str, "stage": str}).to_json(orient="records"))
        golden = GOLDEN["map_cells"][f"{world}/{persona or 'all'}"]
        assert len(rows) == len(golden)
        for got, want in zip(rows, golden):
            for key, value in want.items():
                assert _close(got[key], value) if isinstance(value, float) else got[key] == value, \
                    (persona, key, got, want)


def test_a_run_from_the_folder_equals_a_run_from_the_prepared_world(findings):
    f = pipeline.run(ROOT / "data" / "b2b", persona="SMB Owner Sam")
    g = findings["b2b-smb-owner-sam"]
    pd.testing.assert_frame_equal(f.funnel, g.funnel)
    pd.testing.assert_frame_equal(f.curve, g.curve)
    pd.testing.assert_frame_equal(f.pain_points.table, g.pain_points.table)
    pd.testing.assert_frame_equal(f.backlog, g.backlog)


def test_a_prepared_world_refuses_a_different_segment(prepared):
    with pytest.raises(ParameterError, match="segment"):
        pipeline.run(prepared["b2b"], segment="employees > 10")


def test_a_sample_name_is_a_data_folder_from_any_working_directory(tmp_path, monkeypatch):
    from jmtools.core.resources import data_dir

    monkeypatch.chdir(tmp_path)
    world = pipeline.load("sample:ecommerce")
    assert world.folder == data_dir() / "ecommerce" and "events" in world.tables
    assert world.journey.name == Journey.load(data_dir() / "ecommerce" / "journey.yaml").name


def test_the_defaults_are_declared_once():
    import inspect

    run = inspect.signature(pipeline.run).parameters
    assert (run["min_n"].default, run["n_themes"].default, run["seed"].default,
            run["min_effect"].default) == (pipeline.MIN_N, pipeline.N_THEMES, pipeline.SEED,
                                           pipeline.MIN_EFFECT)
    prepare = inspect.signature(pipeline.prepare_world).parameters
    assert (prepare["n_themes"].default, prepare["seed"].default) == (pipeline.N_THEMES, pipeline.SEED)


def test_a_persona_whose_rule_cannot_run_is_left_out_and_fails_alone(tmp_path):
    """One misspelt attribute: that persona's run raises its located RuleError; every other run
    works, without it, and says so (``persona_errors``)."""
    import shutil

    from jmtools.core.expressions import RuleError

    world = tmp_path / "world"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "b2b", world)
    journey = world / "journey.yaml"
    text = journey.read_text(encoding="utf-8")
    first_rule = next(line for line in text.splitlines() if line.strip().startswith("rule:"))
    journey.write_text(text.replace(first_rule, first_rule.split("rule:")[0] + 'rule: "nosuchattr > 1"'),
                       encoding="utf-8")
    prepared = pipeline.prepare_world(world)
    (name,) = prepared.persona_errors
    with pytest.raises(RuleError, match="nosuchattr"):
        pipeline.run(prepared, persona=name)
    others = [p for p in prepared.world.journey.persona_names]
    assert name not in others and others
    f = pipeline.run(prepared, persona=others[0])
    assert list(f.persona_errors) == [name] and f.n_customers > 0


def test_a_custom_funnel_of_mixed_steps_is_the_report_funnel(prepared):
    from jmtools.analyses.funnels import funnel, parse_steps

    steps = "Product page, cart_add, Checkout, order_placed"
    f = pipeline.run(prepared["ecommerce"], persona="Budget Ben", funnel_steps=steps)
    assert f.funnel["step"].tolist() == ["Product page", "cart_add", "Checkout", "order_placed"]
    by = funnel(prepared["ecommerce"].evidence, steps=parse_steps(steps), level="any",
                by="persona")
    assert not f.funnel["suppressed"].any()                    # no step of 1–4 customers here
    pd.testing.assert_frame_equal(f.funnel.drop(columns="suppressed"),
                                  by[by.persona == "Budget Ben"].reset_index(drop=True))
    assert f.funnel_all["n"].iloc[0] >= f.funnel["n"].iloc[0]
    with pytest.raises(ParameterError, match="cart_add"):
        pipeline.run(prepared["ecommerce"], funnel_steps="Product page, cart_ad")


def test_the_sentiment_calibration_is_fitted_once_per_report(worlds, monkeypatch):
    """The valence of the feedback and the choice of complaint themes need the same calibration
    (and the complaint classifier): both are fitted once, not once per use."""
    from jmtools.analyses import calibration, complaints

    calls = {"calibrate": 0, "classifier": 0}
    fit, clf_fit = calibration._calibrate, complaints.ComplaintClassifier.fit_rows

    def counted(*args, **kw):
        calls["calibrate"] += 1
        return fit(*args, **kw)

    def counted_fit(self, *args, **kw):
        calls["classifier"] += 1
        return clf_fit(self, *args, **kw)

    monkeypatch.setattr(calibration, "_calibrate", counted)
    monkeypatch.setattr(complaints.ComplaintClassifier, "fit_rows", counted_fit)
    monkeypatch.setattr(calibration, "_REMEMBERED", type(calibration._REMEMBERED)())
    pipeline.run(worlds["b2b"])
    assert calls["calibrate"] == 1
    assert calls["classifier"] == 5 + 1              # 5 held-out folds and the final fit, once


def test_feedback_themes_mask_the_customer_tables_ids():
    """A complaint quoting a household code only the customer table holds ("H7700012 is my
    household"): the report's themes read it as [customer id] in every quote (D157)."""
    from jmtools.pipeline._feedback import feedback_themes
    from test_themes import utility_log

    fb, customers = utility_log()
    journey = Journey.from_yaml("name: Utility\nstages: [{name: Service}]")
    found, err = feedback_themes({"feedback": fb, "customers": customers}, None, journey, 4, 0)
    quotes = " ".join(found.documents["quote"])
    assert err is None and "H77" not in quotes and "[customer id] is my household" in quotes


def test_a_complaint_logs_rows_weigh_as_complaints_not_as_feeling(tmp_path):
    """Fault 3 of the telecom test (repro_4): 40 polite complaint notes put First bill at +1.25 on
    the curve. Unrated, they are no feeling (D176): the curve rests on the rest, and the complaint
    signal counts them (customers who complained at the stage ÷ customers who reached it)."""
    n = 40
    ids = [str(i) for i in range(n)]
    pd.DataFrame({"customer_id": ids * 2, "timestamp": ["2026-03-01 10:00:00"] * n + ["2026-03-20 10:00:00"] * n,
                  "event": ["home_visit"] * n + ["bill_paid"] * n}).to_csv(tmp_path / "events.csv", index=False)
    pd.DataFrame({"feedback_id": [f"C{i}" for i in ids], "customer_id": ids, "timestamp": "2026-03-21 10:00:00",
                  "text": "First bill higher than offer; agent promised credit note.",
                  "source": ["complaint"] * 30 + ["app review"] * 10,
                  "stage": "First bill"}).to_csv(tmp_path / "feedback.csv", index=False)
    (tmp_path / "journey.yaml").write_text(
        "jmtools: 1\nname: r4\nstages:\n  - name: Discover\n  - name: First bill\ntouchpoints:\n"
        "  - {name: Home, stage: Discover, channel: digital, events: [home_visit]}\n"
        "  - {name: Pay, stage: First bill, channel: digital, events: [bill_paid]}\n", encoding="utf-8")
    f = pipeline.run(tmp_path)
    used = f.emotion_evidence
    assert len(used) == 10 and set(used["used"]) == {"text (VADER)"}      # the 10 app reviews only
    complaints = f.signals[(f.signals["signal"] == "complaints") & f.signals["touchpoint"].isna()
                           & (f.signals["persona"] == ALL)]
    assert complaints[["stage", "count", "n"]].values.tolist() == [["First bill", 30, 40]]


def test_answers_naming_a_stage_the_journey_lacks_are_no_relationship_scores(tmp_path):
    """1,123 answers naming '1st bill', 'Billing' … were scored as "NPS, not tied to a step",
    described as answers that name no stage (D175): only the answers that name none are now."""
    folder = tmp_path / "data"
    folder.mkdir()
    ids = [str(i) for i in range(90)]
    pd.DataFrame({"customer_id": ids * 2, "timestamp": ["2026-03-01 10:00"] * 90 + ["2026-03-02 10:00"] * 90,
                  "event": ["home_visit"] * 90 + ["plan_view"] * 90}).to_csv(folder / "events.csv", index=False)
    scores = [10] * 20 + [2] * 10 + [0] * 30 + [9, 9, 3, 10, 8] * 6
    stages = ["compare plans"] * 30 + ["Billing"] * 30 + [None] * 30
    pd.DataFrame({"customer_id": ids, "timestamp": "2026-03-03 10:00", "metric": "nps", "score": scores,
                  "stage": stages}).to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(
        "jmtools: 1\nname: r\nstages:\n  - name: Discover\n  - name: Compare plans\ntouchpoints:\n"
        "  - {name: Home, stage: Discover, channel: digital, events: [home_visit]}\n"
        "  - {name: Plans, stage: Compare plans, channel: digital, events: [plan_view]}\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="'Billing'"):
        f = pipeline.run(folder)
    nowhere = pd.Series(scores[60:])                                   # plain pandas: no stage named
    [rel] = f.relationship_kpis[f.relationship_kpis["kpi"] == "nps"].to_dict("records")
    assert rel["n"] == 30 and rel["value"] == pytest.approx(100 * ((nowhere >= 9).mean() - (nowhere <= 6).mean()))
    at = f.kpis[(f.kpis["kpi"] == "nps") & (f.kpis["stage"] == "Compare plans")].iloc[0]
    assert at["n"] == 30 and at["value"] == pytest.approx(100 * (20 - 10) / 30)
