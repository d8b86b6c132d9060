"""notebooks/02_data_integration.ipynb runs under papermill and finds the planted truths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from jmtools.sample_worlds import load_truths, truths_path

from painpoints_cases import EXIT_JOURNEY

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_data_integration.ipynb"


def _truths(world):
    if not truths_path(world).exists():
        pytest.skip(f"sample world {world} not generated")
    return load_truths(world)


def test_notebook_declares_its_parameters_and_is_output_free():
    from jmtools.report.runner import read_parameters

    declared = read_parameters(NOTEBOOK)
    assert set(declared) == {"data_dir", "journey_file", "persona", "segment", "funnel_level", "funnel_steps",
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


def test_a_segment_shows_its_waits_beside_everyone_outside_it(tmp_path, capsys):
    """The segment parameter (D217): sections 2 to 5 count the segment's customers, and a table sets
    each step's wait beside everyone outside it: the planted slow step (booking → visit, 90 days vs
    30) is "slower" with the geometric means plain pandas gives; referral → booking, drawn alike, is not."""
    from inprocess import run_cells
    from segment_cases import SEGMENT, clinic_world, pandas_geomean

    from jmtools.analyses.funnels import duration_words

    folder = clinic_world(tmp_path / "clinic", slow=True)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "segment": SEGMENT})
    # shown as the report's tables (a card per pair of steps on a phone: the frame ran off a 390 px page, D225)
    shown = [o.data for o in run.displayed if "times as long (95% interval)" in str(getattr(o, "data", ""))]
    assert len(shown) == 1 and '<table class="jm-table jm-cards">' in shown[0]
    assert not [o for o in run.displayed if isinstance(o, pd.DataFrame) and "slower" in o.columns]
    t = run.namespace["segment_table"].set_index("between steps")   # named by its two steps, as a loss (D224)
    assert all(f'data-label="between steps">{pair}</td>' in shown[0] for pair in t.index)
    inside, n_in = pandas_geomean(folder, inside=True)
    outside, n_out = pandas_geomean(folder, inside=False)
    assert run.namespace["evidence"].n_customers == n_in          # everyone in the segment has a wait
    booking = t.loc["Booking → Visit"]
    assert (booking["segment: customers"], booking["outside it: customers"]) == (f"{n_in:,}", f"{n_out:,}")
    assert booking["segment: typical wait"] == duration_words(inside * 3600)
    assert booking["outside it: typical wait"] == duration_words(outside * 3600)
    assert booking["times as long (95% interval)"].startswith(f"{inside / outside:.1f} (")
    assert booking["slower"] == "yes" and t.loc["Referral → Booking", "slower"] == "no"
    assert list(t.index) == ["Referral → Booking", "Booking → Visit"]
    # no one goes back (plain pandas: each patient's events in journey order); the sentence says what a
    # detour is, not "nobody went back to an earlier stage", which the hospital's heat map of moves
    # contradicted (26 from Missed appointment back to Appointment booked, a company contact; D226)
    ev = pd.read_csv(folder / "events.csv", parse_dates=["timestamp"]).sort_values(["customer_id", "timestamp"])
    rank = ev["event"].map({"referred": 0, "booked": 1, "attended": 2})
    assert (rank.groupby(ev["customer_id"]).diff().dropna() > 0).all()
    said = capsys.readouterr().out
    assert ("No detours: no customer went back from a step of their own to one of an earlier stage (a contact "
            "the company starts, and a move to or from an optional or exit stage, is no detour).") in said
    assert "nobody went back" not in said
    # every chart drawn names the segment in its title: a screenshot says whose chart it is (D239)
    import altair as alt
    charts = [o for o in run.displayed if isinstance(o, alt.TopLevelMixin)]
    titles = [c.to_dict().get("title") for c in charts]
    assert len(charts) >= 4, titles
    assert all(isinstance(t, dict) and f'Segment: {SEGMENT}' in t["text"] for t in titles), titles


def _chart_rows(displayed, title_part):
    """The data rows of the displayed charts whose title holds ``title_part``."""
    rows = []
    for o in displayed:
        chart = o if hasattr(o, "to_dict") else getattr(o, "chart", None)
        if chart is None or not hasattr(chart, "to_dict"):
            continue
        spec = chart.to_dict()
        if title_part in str(spec.get("title", "")):
            rows += [r for d in spec.get("datasets", {}).values() for r in d]
    return rows


def test_a_persona_of_twenty_shows_no_step_path_or_loop_of_fewer_than_five(tmp_path):
    """A persona of 20 customers, 2 of whom reach the last stage (tests/small_groups.py), in-process:
    the funnel keeps that step without its numbers ("fewer than 5"); no path, transition, detour,
    loop, furthest-step or timing row shown is backed by 1–4 customers; the notes say what was left out."""
    from inprocess import run_cells
    from small_groups import THIN, built, thin_end_world

    folder = built(thin_end_world, tmp_path / "world")
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "persona": THIN})
    ns = run.namespace
    funnel = _chart_rows(run.displayed, f"— {THIN}")
    assert [r["n"] for r in funnel] == [20, 20, 20, None]
    assert funnel[-1]["label"] == "fewer than 5 (not shown)"
    small = lambda v: v is not None and v == v and 0 < v < 5           # noqa: E731
    assert not [r for r in _chart_rows(run.displayed, "Where customers go") if small(r["n_customers"])]
    assert not [r for r in _chart_rows(run.displayed, "Most common paths") if small(r["n"])]
    assert not [r for r in _chart_rows(run.displayed, "Detours") if small(r["n_customers"])]
    assert not [r for r in _chart_rows(run.displayed, "How far") if small(r["n"])]
    assert not [v for v in ns["loops"]["n"] if small(v)] and not [v for v in ns["timing"]["n"] if small(v)]
    assert ns["paths"].attrs["hidden_rows"] > 0 and ns["moves"].attrs["hidden_rows"] > 0
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "1 funnel step reached by fewer than 5 customers is shown as" in texts
    assert "backed by fewer than 5 customers each are not shown" in texts
    assert run.figures["worst_drop_off"]["value"] == f"{THIN}: Post-purchase"     # named, without its rate
    assert "worst_drop_off_rate" not in run.figures


def test_moves_left_out_cannot_be_read_off_the_total_of_their_step(tmp_path):
    """The same persona of 20: moves of 1–4 customers were left out of "Where customers go",
    but each row kept ``n_from`` (moves out of its step), so 8 out of "Influencer post" minus
    the 6 shown gave the 2 left out. Now the smallest other moves of such a step are left out
    too, until the moves left out of it count 5 customers or more (or none)."""
    from inprocess import run_cells
    from small_groups import THIN, built, thin_end_world

    folder = built(thin_end_world, tmp_path / "world")
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "persona": THIN})
    import pandas as pd

    rows = pd.DataFrame(_chart_rows(run.displayed, "Where customers go"))
    assert len(rows)
    for step, moves in rows.groupby("from_step"):
        gone = moves["n_from"].iloc[0] - moves["n"].sum()          # moves out of the step not shown
        assert gone == 0 or gone >= 5, (step, gone)
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "so that the rows shown and their total do not reveal" in texts


# ------------------------------------------------------------------ a persona of 1–4, and who protects it
@pytest.fixture(scope="module")
def everyone_world(tmp_path_factory):
    """Loud Lou (3 customers) and Thin Thea (20), everyone in a persona: Thea's size is hidden to
    protect Lou's (tests/small_groups.py)."""
    from small_groups import built, everyone_in_a_persona_world, loud_and_thin_world

    return built(everyone_in_a_persona_world, tmp_path_factory.mktemp("everyone") / "world",
                 base=loud_and_thin_world)


def _printed_about(text: str, names) -> list[str]:
    """Printed lines that name one of ``names`` beside a number other than the rule's 5."""
    return [line for line in text.splitlines() if any(n in line for n in names)
            and set(re.findall(r"\d[\d,.]*", line)) - {"5"}]


@pytest.mark.parametrize("persona", ["all", "Thin Thea", "Loud Lou"])
def test_no_count_of_a_small_persona_or_of_the_one_protecting_it(everyone_world, persona, capsys):
    """On a world where Thin Thea's size (20) is hidden so that the total does not give Loud Lou's 3
    back, notebook 02 showed both sizes, Thea's funnel (its first step is its size), Lou's furthest
    steps with their 3 customers, and Thea's times, detours and loops. Now nothing it displays, prints
    or records has a count of 1–4, a number in a row of Lou or Thea, or a size given by subtraction."""
    from inprocess import run_cells
    from shown_sizes import (assert_no_group_by_subtraction, displayed_rows, few_counts, numbers_of,
                             plain_sizes, shown_counts)
    from small_groups import LOUD, THIN

    sizes = plain_sizes(everyone_world)
    assert sizes[LOUD][1] == 3 and sizes[THIN][1] == 20
    run = run_cells(NOTEBOOK, {"data_dir": str(everyone_world), "persona": persona})
    rows = displayed_rows(run.displayed)
    assert not few_counts(rows)
    assert not numbers_of(rows, {LOUD, THIN})
    assert_no_group_by_subtraction([4000], shown_counts(run.displayed))
    assert not _printed_about(capsys.readouterr().out, [LOUD, THIN])
    assert not [f for f in run.figures.values() if isinstance(f.get("n"), int) and 0 < f["n"] < 5]
    if persona != "all":                       # its sections say why they show nothing of it
        texts = " ".join(o.data for o in run.displayed if isinstance(getattr(o, "data", None), str))
        assert f"{persona}: " in texts and "its funnel, how far its customers get" in texts
        assert "worst_drop_off" not in run.figures


def test_no_persona_protecting_a_small_one_is_hidden_in_every_table(tmp_path):
    """Where "(no persona)" protects Loud Lou's 3 (D70), its count (98) was shown in the sizes, the
    coverage and as the funnel, furthest steps, times and loops of customers in no persona."""
    from inprocess import run_cells
    from shown_sizes import displayed_rows, few_counts, numbers_of
    from small_groups import LOUD, built, loud_and_thin_world

    folder = built(loud_and_thin_world, tmp_path / "world")
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    rows = displayed_rows(run.displayed)
    assert not few_counts(rows)
    assert not numbers_of(rows, {LOUD, "(no persona)"})
    coverage = next(o for o in run.displayed if isinstance(o, pd.DataFrame) and "coverage" in o)
    assert set(coverage.loc[coverage["coverage"] == "no persona", "n"]) == {"not shown"}


def test_no_funnel_step_hidden_beside_the_total_comes_back_from_the_other_tables(everyone_world):
    """D79: beside the funnel for all customers, Rest Rory's counts at Consideration (84) and
    Post-purchase (21) would give Thin Thea's and Loud Lou's back, so his funnel hides them. The
    time-between table still showed them as its n, and the furthest-step table showed 14, 35 and
    28 (differences of his hidden counts). Now neither shows a number the funnel hides, and the
    largest drop-off does not call his hidden Consideration "fewer than 5 go on" (84 do)."""
    from inprocess import run_cells
    from shown_sizes import displayed_rows

    run = run_cells(NOTEBOOK, {"data_dir": str(everyone_world)})
    rory = [r for r in displayed_rows(run.displayed) if r.get("persona") == "Rest Rory" and "step_index" in r]
    counts = {r["n"] for r in rory if isinstance(r.get("n"), (int, float)) and r["n"] == r["n"]}
    assert 49 in counts                                     # Decision: shown in the funnel, and here
    assert not counts & {84, 21, 14, 35, 28}, counts
    assert "Rest Rory" not in str(run.figures.get("worst_drop_off", {}).get("value", ""))


def test_no_touchpoint_shows_a_count_the_funnel_hides(everyone_world):
    """D81: on this world a persona's customers at the Product page are its customers reaching
    Consideration (plain pandas: 883, 730, 901, 846 for the four personas shown, and Rest Rory's 84,
    which the funnel hides). The loops table showed Rory's Product page with 84 visitors, so a reader
    who saw the four equalities took 84 for his hidden count, and Consideration's drop-off gave Loud
    Lou's lost customer back: 534 − 519 shown − (98 − 84) = 1. No loop or detour row now shows, for a
    persona, a count its funnel hides; and that drop-off, read with any touchpoint count shown for
    Rory, is never 1–4."""
    from inprocess import run_cells
    from shown_sizes import displayed_rows

    from jmtools.analyses import funnels

    run = run_cells(NOTEBOOK, {"data_dir": str(everyone_world)})
    ns = run.namespace
    events = ns["evidence"].to_pandas()
    visitors = events[events["touchpoint"] == "Product page"].groupby("persona")["customer_id"].nunique()
    assert visitors["Rest Rory"] == 84 and visitors["Budget Ben"] == 883    # the oracle of the shape
    funnel = ns["by_persona"]
    raw = funnels.funnel(ns["evidence"], steps=ns["steps"], level=ns["level"], by="persona")
    hidden = {(p, int(n)) for p, n, gone in zip(raw["persona"], raw["n"], funnel["suppressed"]) if gone}
    assert ("Rest Rory", 84) in hidden
    rows = [r for r in displayed_rows(run.displayed) if "n_visitors" in r or "n_at_from" in r]
    assert rows, "no loop or detour row shown"
    shown = {(r.get("persona"), r.get("n_visitors", r.get("n_at_from"))) for r in rows}
    assert not shown & hidden, shown & hidden
    overall = run.namespace["overall"].set_index("step")["drop_off"]
    rory = funnel[funnel["persona"] == "Rest Rory"].set_index("step")["n"]
    others = funnel[~funnel["persona"].isin(["Rest Rory"])].groupby("step")["drop_off"].sum()
    for count in {v for p, v in shown if p == "Rest Rory" and v == v}:
        rest = overall["Consideration"] - others["Consideration"] - (rory["Awareness"] - count)
        assert not 0 < rest < 5, (count, rest)


def test_a_stage_no_event_reaches_is_left_out_of_the_funnel_not_a_measured_zero(tmp_path):
    """A data folder whose events of one stage are missing (an export without the product-page
    events): the funnel read 4,000 → 0 → 0 → 0 and the headline a 100% drop-off at Consideration
    (95% CI 100%–100%), while the report's funnel leaves the stage out. The notebook now leaves
    it out too and says why; the later stages keep the customers who reached them (in order)."""
    import shutil

    from inprocess import run_cells

    from jmtools import pipeline
    from jmtools.journey import Journey

    folder = tmp_path / "ecommerce"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    journey = Journey.load(folder / "journey.yaml")
    patterns = [p for t in journey.touchpoints if t.stage == "Consideration" for p in t.events]
    assert len(patterns) >= 4
    events = pd.read_parquet(folder / "events.parquet")
    gone = events["event"].map(lambda e: any(re.fullmatch(p, e) for p in patterns))
    assert gone.sum() > 1000
    events[~gone].to_parquet(folder / "events.parquet")
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "Not in the funnel: Consideration." in texts
    overall = run.namespace["overall"]
    assert "Consideration" not in overall["step"].tolist()
    want = pipeline.run(folder).funnel                       # the report's funnel of the same folder
    assert overall["n"].tolist() == want["n"].tolist() and overall["n"].iloc[-1] > 0
    assert not run.figures["worst_drop_off"]["value"].endswith(": Consideration")


def test_a_stage_less_nps_export_is_scored_not_tied_to_a_step(stageless_folder):
    """An NPS tool's export (``metrics: {nps: Score}``, no stage or touchpoint) stopped section 6
    on "pass journey= to map touchpoints to stages" though the cell passed it, and nothing after it
    ran (D132). Now the answers are scored over all of them, said to be not tied to a step, and the
    figure is plain pandas' NPS of the planted answers with its n."""
    from inprocess import run_cells
    from stageless import PLANTED, planted_nps
    from table_subsets import shown_text

    run = run_cells(NOTEBOOK, {"data_dir": str(stageless_folder)})
    text = shown_text(run.displayed)
    assert "No survey answer names a stage or touchpoint, so there are no scores per step." in text
    assert "Not tied to a step." in text
    nps, n = planted_nps(s for s, k in PLANTED.items() for _ in range(k))
    [table] = [o for o in run.displayed if isinstance(o, pd.DataFrame) and "measure" in o.columns]
    assert table["answers"].tolist() == [n] and table["value"].tolist() == [f"{nps:+.1f}".replace("-", "−")]
    assert run.figures["nps_overall"]["value"] == pytest.approx(nps) and run.figures["nps_overall"]["n"] == n
    assert "proposal" in run.namespace           # the sections after it ran


@pytest.mark.parametrize("persona", ["all", "Budget Ben"])
def test_ids_written_differently_are_said_and_the_notebook_runs(prefixed_ids_folder, persona):
    """Events keyed ``C0000123``, the customer table ``CUST-000000123`` (D154): the persona's
    funnel chart stopped the notebook ("funnel is empty: nothing to draw"); the ids are said
    under the persona sizes, with the fix, and for a persona that its rule is not the cause."""
    from inprocess import run_cells
    from table_subsets import shown_text

    run = run_cells(NOTEBOOK, {"data_dir": str(prefixed_ids_folder), "persona": persona})
    text = shown_text(run.displayed)
    assert ("0 of 4,000 customers with events are in the customer table: the ids seem to be the same, written "
            "with a prefix or leading zeros around the same number") in text
    assert "Fix: export both tables with the ids written the same way" in text
    assert ("Budget Ben's size comes from the ids, not from its rule" in text) == (persona != "all")
    assert "CUST-0" not in text


def _tiny_folder(tmp_path, events, journey, surveys=None):
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame(events, columns=["customer_id", "timestamp", "event"]).to_csv(folder / "events.csv", index=False)
    if surveys is not None:
        surveys.to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(journey, encoding="utf-8")
    return folder


_EXIT_IDS = [str(i) for i in range(60)]
_EXIT_ROWS = ([(i, "2026-03-01 10:00:00", "home_visit") for i in _EXIT_IDS]
              + [(i, "2026-03-02 10:00:00", "sim_activated") for i in _EXIT_IDS[:40]]
              + [(i, "2026-04-02 10:00:00", "port_out") for i in _EXIT_IDS[:2]])


def test_an_exit_stage_is_no_step_of_the_notebooks_funnel(tmp_path):
    """Notebook 02 drew Port out (exit: true) as a funnel step: 38 of 40 "dropped off" there and
    the headline named it the largest drop-off, while the report leaves exit stages out (D175).
    Its funnel and its time between steps now leave it out too; the funnel is the report's."""
    from inprocess import run_cells

    from jmtools import pipeline

    folder = _tiny_folder(tmp_path, _EXIT_ROWS, EXIT_JOURNEY)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    overall = run.namespace["overall"]
    assert overall["step"].tolist() == ["Discover", "Activate"] and overall["n"].tolist() == [60, 40]
    assert overall["n"].tolist() == pipeline.run(folder).funnel["n"].tolist()
    assert "Port out" not in run.figures["worst_drop_off"]["value"]
    assert "Port out" not in " ".join(map(str, run.namespace["timing"]["step"]))


def test_survey_scores_per_stage_are_the_reports(tmp_path):
    """Section 6 matched stage names exactly ("Compare plans": NPS −100, n=30) where the report
    matched "compare plans" too (NPS 0, n=60) (D175): the same scores on both paths now."""
    from inprocess import run_cells

    from jmtools import pipeline

    surveys = pd.DataFrame({"customer_id": _EXIT_IDS, "timestamp": "2026-03-02 10:00:00", "metric": "nps",
                            "score": [10] * 30 + [3] * 30, "stage": ["compare plans"] * 30 + ["Compare plans"] * 30})
    journey = EXIT_JOURNEY.replace("Activate", "Compare plans")
    folder = _tiny_folder(tmp_path, _EXIT_ROWS, journey, surveys)
    scores = run_cells(NOTEBOOK, {"data_dir": str(folder)}).namespace["scores"]
    mine = scores[scores["kpi"] == "nps"].set_index("stage")
    report = pipeline.run(folder).kpis
    theirs = report[report["kpi"] == "nps"].set_index("stage")
    assert mine.loc["Compare plans", ["value", "n"]].tolist() == [0.0, 60]
    assert theirs.loc["Compare plans", ["value", "n"]].tolist() == [0.0, 60]


def test_a_persona_whose_rule_cannot_run_is_left_out_and_the_others_go_on(tmp_path):
    """A misspelt attribute in one persona's rule stopped the notebook (RuleError at In [5])
    while the report on the same folder built. The notebook now names the persona with the
    rule's error and fix and goes on: the others' customers with events are plain pandas's."""
    from inprocess import run_cells, sample_with_rule, shown_texts

    folder = sample_with_rule(tmp_path)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    texts = shown_texts(run)
    assert "Persona Marathon Maya is left out of this notebook" in texts and "Fix: did you mean" in texts
    customers = pd.read_csv(folder / "customers.csv", dtype={"customer_id": str})
    active = set(pd.read_parquet(folder / "events.parquet")["customer_id"].astype(str))
    ben = customers[(customers["age"] < 30) & (customers["price_sensitivity"] >= 0.6)]["customer_id"]
    sizes = dict(run.namespace["evidence"].persona_sizes[["persona", "n_customers"]].values)
    assert "Marathon Maya" not in sizes and sizes["Budget Ben"] == len(set(ben) & active) > 0
    assert "Budget Ben" in set(run.namespace["by_persona"]["persona"])


def test_the_proposal_says_the_initiated_by_values_it_could_not_read(tmp_path, capsys):
    """D204 said the log's initiated_by values read as neither the company nor the customer only
    inside ``proposal.journey.description``, which section 7 does not show. Section 7 now prints the
    sentence where the proposal is read: the value, its rows (plain pandas) and the loading.yaml fix."""
    import shutil

    from inprocess import run_cells

    folder = tmp_path / "ecommerce"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    events = pd.read_parquet(folder / "events.parquet")
    events["initiated_by"] = events["event"].map({"refund_issued": "PARTNER"}).fillna("Customer")
    events.to_parquet(folder / "events.parquet")
    n = int((events["initiated_by"] == "PARTNER").sum())
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    printed = capsys.readouterr().out
    said = (f"The log's initiated_by column holds values read as neither the company nor the customer: "
            f"'PARTNER' ({n} rows);")
    assert n == 156 and said in printed
    assert "values: {initiated_by: {PARTNER: company}} (or customer)" in printed
    assert printed.index("Proposed ") < printed.index(said)             # beside the proposed stages
    assert run.namespace["proposal"].table.attrs["initiated_by_unknown"] == {"PARTNER": n}
