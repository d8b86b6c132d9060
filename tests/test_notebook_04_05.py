"""notebooks/04_pain_points.ipynb and 05_prioritisation.ipynb run under papermill on both sample
worlds (one kernel run each, tests/notebook_runs.py); their recorded figures name the planted pain
points, and their exports open in pandas and openpyxl."""

import re
from pathlib import Path

import pandas as pd
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
    assert figures["top_pain_point_id"] == expected
    table = pd.read_csv(csv)
    assert figures["top_pain_point"] == table["title"].iloc[0] != expected   # the appendix shows the title
    planted = {t["persona"] for t in truths.get("emotion", []) if t["kind"] == "low"}
    assert figures["top_pain_point_personas"][0] in planted
    assert figures["n_with_evidence"] >= 3
    assert table["pain_point_id"].iloc[0] == expected and table["rank"].is_monotonic_increasing
    assert not table["quotes"].fillna("").str.contains(r"@example\.(?:com|org)", regex=True).any()
    text = out.read_text(encoding="utf-8")
    assert text.count("application/vnd.vega.v5+json") >= 4          # themes (3) and pain points charts were drawn
    import re

    assert not re.search(r"\bC\d{7}\b", text)                      # quotes carry pseudonyms, never ids
    # the accountings are tables for readers, not a raw frame or a paragraph of print
    assert "rows read = " in text and "share_rejected" not in text
    assert "Feedback texts, from the rows read to the themed complaints" in text
    assert "Held-out check on " in text and "Complaints here are" not in text
    assert re.search(r"” \(C-[0-9a-f]{10}\)", text)
    _assert_small_groups_hidden(world, text, csv)
    praised = [t for t in truths["themes"] if t["sentiment"] == "positive" and t["main_personas"]]
    for theme in praised:       # e.g. Marathon Maya loves the support team
        assert any(f"@ {theme['touchpoint']} ({theme['main_personas'][0]})" in p
                   for p in figures["praise_themes"]), (theme["id"], figures["praise_themes"])


def _assert_small_groups_hidden(world, text, csv):
    """The heat maps draw no cell of 1–4 customers (oracle: plain pandas on the world's own
    feedback), the note says how many were hidden, and the CSV holds no id and no live formula."""
    import json

    import nbformat
    import pandas as pd

    from jmtools.core.spreadsheet import is_formula_like

    nb = nbformat.reads(text, as_version=4)
    charts = [o["data"]["application/vnd.vega.v5+json"] for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if "application/vnd.vega.v5+json" in o.get("data", {})]
    notes = [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code"
             for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    assert any("hidden (grey)" in n for n in notes), notes             # persona heat map: small cells
    hidden_cells = [v for chart in charts for d in chart.get("data", [])
                    for v in d.get("values", []) if isinstance(v, dict) and "why" in v and v["why"]]
    assert hidden_cells and all(v.get("n") is None for v in hidden_cells)
    grey = {(v["theme"], v["value"]) for v in hidden_cells}
    labelled = {(v["theme"], v["value"]) for chart in charts for d in chart.get("data", [])
                for v in d.get("values", []) if isinstance(v, dict) and v.get("why") == ""
                and v.get("n") is not None}
    assert not grey & labelled, grey & labelled                          # no number on a grey cell
    table = pd.read_csv(csv, keep_default_na=False, dtype=str)
    flat = json.dumps(table.to_dict("records"), ensure_ascii=False)
    assert not re.search(r"\bC\d{7}\b", flat) and not re.search(r"\bcustomer_id\b", flat)
    assert not any(is_formula_like(v) for v in table.to_numpy().ravel()), "a live formula"


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


@pytest.fixture(scope="module")
def nb04_auto():
    """Notebook 04's cells in this process on the default world with n_themes="auto": what it
    printed and what it displayed (tests/inprocess.py)."""
    import contextlib
    import io

    from inprocess import run_cells

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        run = run_cells(NB04, {"n_themes": "auto"})
    return printed.getvalue(), run


@pytest.mark.slow
def test_pain_points_notebook_quotes_carry_pseudonyms_never_customer_ids(nb04_auto):
    import re

    import pandas as pd
    from table_subsets import shown_text

    from pandas.io.formats.style import Styler

    printed, run = nb04_auto
    tables = [d for d in run.displayed if isinstance(d, Styler)]            # tables are shown styled
    frames = [t.data for t in tables]
    shown = (printed + shown_text(run.displayed) + "".join(f.to_string() for f in frames)
             + "".join(t.to_html() for t in tables))
    assert not re.search(r"\bC\d{7}\b", shown)                       # the sample worlds' customer ids
    evidence = printed[printed.index("#1 "):]
    assert re.search(r"quote: +“[^”]+” \(C-[0-9a-f]{10}\)", evidence)  # show_pain_point_evidence
    themes = frames[0]                                                # show_themes(th): the complaint themes
    assert {"label", "n", "n_customers", "quotes"} <= set(themes.columns)
    signed = [q for qs in themes["quotes"].dropna() for q in qs]
    assert signed and all(re.fullmatch(r"“.+” \(C-[0-9a-f]{10}\)", q, flags=re.S) for q in signed)
    assert "quotes" not in frames[1].columns                          # the praise themes: no quotes


@pytest.mark.slow
def test_pain_points_notebook_measures_the_number_of_themes_when_asked(nb04_auto):
    _, run = nb04_auto
    th = run.namespace["th"]
    assert th.accounting["choice of n_themes"]["chosen"].sum() == 1   # "auto" reached find_themes


def test_pain_points_notebook_takes_a_number_or_auto_for_n_themes():
    from jmtools.core.errors import ParameterError
    from jmtools.report.runner import check_parameters, read_parameters

    declared = read_parameters(NB04)
    assert declared["n_themes"].types == ("int ≥ 1", "'auto'")
    for value in (12, 1, "auto"):
        assert check_parameters(declared, {"n_themes": value}, notebook=NB04.name) == {"n_themes": value}
    for value in (2.5, "ten", "Auto", "12", 0, -3):  # any text but "auto", or fewer than 1 theme: refused
        with pytest.raises(ParameterError, match="04_pain_points.ipynb") as caught:
            check_parameters(declared, {"n_themes": value}, notebook=NB04.name)
        text = str(caught.value)
        assert "n_themes must be a whole number, 1 or more, or 'auto'" in text
        assert f"got {value!r}" in text and "parameters cell line 5" in text


def test_the_runner_refuses_a_text_for_n_themes_before_running_a_cell(tmp_path):
    from jmtools.core.errors import ParameterError
    from jmtools.report.runner import run_notebook

    out = tmp_path / "out.ipynb"
    with pytest.raises(ParameterError, match="did you mean 'auto'"):
        run_notebook(NB04, out, parameters={"n_themes": "atuo"})
    assert not out.exists()                                         # nothing was run


def test_prioritisation_lists_the_order_value_of_a_small_persona_without_its_numbers(tmp_path):
    """Order value per persona: Thin Thea's mean of 3 orders and Loud Lou's row (3 customers) were shown
    with their n; they keep their rows, not their numbers (notebook 01's rule)."""
    from inprocess import run_cells
    from shown_sizes import displayed_rows, few_counts, is_number
    from small_groups import LOUD, THIN, built, everyone_in_a_persona_world, loud_and_thin_world

    folder = built(everyone_in_a_persona_world, tmp_path / "world", base=loud_and_thin_world)
    run = run_cells(NB05, {"data_dir": str(folder)})
    shown = [r for r in displayed_rows(run.displayed) if "order_value" in r]   # the kit's table (D201)
    mine = [r for r in shown if r["persona"] in (LOUD, THIN)]
    assert mine and not any(is_number(r[c]) for r in mine for c in ("order_value", "n")), mine
    assert not few_counts(shown) and sum(is_number(r["n"]) and r["n"] >= 5 for r in shown) >= 4


def test_prioritisation_says_a_persona_whose_rule_cannot_run_is_left_out(tmp_path):
    """A typo in one persona's rule (runs_per_wek): notebooks 01-03 stopped with the rule's error,
    the report says the persona is left out, and notebook 05 dropped it without a word, crediting
    its pain points to the others. It now says so, as the report does."""
    import shutil

    from inprocess import run_cells

    folder = tmp_path / "ecommerce"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    path = folder / "journey.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('rule: "runs_per_week >= 4"',
                                                             'rule: "runs_per_wek >= 4"'), encoding="utf-8")
    run = run_cells(NB05, {"data_dir": str(folder)})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "Persona Marathon Maya is left out of this backlog" in texts and "runs\\_per\\_wek" in texts
    assert "runs_per_wek" in run.figures["persona_left_out_Marathon Maya"]["value"]


def test_pain_points_say_a_persona_whose_rule_cannot_run_is_left_out(tmp_path):
    """The same typo: notebook 04 dropped Marathon Maya from its pain points without a word (and
    for another persona in focus stopped with her rule's error). It now names her with the
    rule's error and fix, as the report does, and a focus on Budget Ben goes on."""
    from inprocess import run_cells, sample_with_rule, shown_texts

    folder = sample_with_rule(tmp_path)
    for focus in ("all", "Budget Ben"):
        run = run_cells(NB04, {"data_dir": str(folder), "persona": focus, "n_positive_themes": 0})
        texts = shown_texts(run)
        assert "Persona Marathon Maya is left out of these pain points" in texts and "Fix: did you mean" in texts
        assert run.namespace["run"].persona_errors.keys() == {"Marathon Maya"}


def test_pain_points_on_dates_only_say_loops_are_found_between_days(tmp_path):
    """An event log of dates only: within a day events are taken in journey order, which hides
    loops and detours (a pain point fell from 1,072 customers to 564). Notebook 02 said so,
    notebook 04, where the pain points are read, did not; it does now, as the report does."""
    import shutil

    from inprocess import run_cells

    folder = tmp_path / "ecommerce"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    events = pd.read_parquet(folder / "events.parquet")
    events.assign(timestamp=pd.to_datetime(events["timestamp"]).dt.normalize()).to_parquet(folder / "events.parquet")
    run = run_cells(NB04, {"data_dir": str(folder)})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "loops and detours are found between days" in texts


@pytest.mark.parametrize("world, said", [("unmarked", True), ("ecommerce", False), ("grocery", False)])
def test_repeat_orders_without_a_touchpoint_for_them_are_said_where_loops_are_read(world, said, request):
    """The e-commerce sample with its Repeat order touchpoint taken out (as it was before D172):
    330 of its 1,213 customers with orders ordered twice, and no touchpoint takes a later order,
    so their second round counts as loops and detours: notebooks 04 and 02 and the report say so
    (D110). The e-commerce and grocery samples mark their repeat orders: not said."""
    from inprocess import run_cells

    folder = request.getfixturevalue("unmarked_ecommerce") if world == "unmarked" else ROOT / "data" / world
    orders = pd.read_csv(folder / "orders.csv")
    per = orders["customer_id"].value_counts()
    line = (f"**Shopping again may count as going back here**: {int((per >= 2).sum()):,} of {len(per):,} "
            f"customers with orders")
    for notebook in (NB04, *(ROOT / "notebooks" / f"{n}.ipynb" for n in ("02_data_integration", "00_journey_report"))):
        run = run_cells(notebook, {"data_dir": str(folder) if world == "unmarked" else f"sample:{world}"})
        texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
        assert (line in texts) is said and ("Shopping again may count" in texts) is said, (notebook.name, world)
    assert (per >= 2).sum() > 300                  # every one of these worlds has repeat buyers
    if said:
        assert line.endswith("330 of 1,213 customers with orders")


def test_repeat_orders_are_counted_among_the_persona_in_focus(unmarked_ecommerce):
    """Notebook 04 for one persona said the whole data's 330 of 1,213; it counts that persona's
    customers now (their orders against the journey's rules, in plain pandas). On the e-commerce
    sample with its Repeat order touchpoint taken out (D172)."""
    from inprocess import run_cells

    from jmtools.journey import Journey
    from oracles import persona_labels

    orders = pd.read_csv(unmarked_ecommerce / "orders.csv")
    customers = pd.read_csv(unmarked_ecommerce / "customers.csv")
    journey = Journey.load(unmarked_ecommerce / "journey.yaml")
    label, _ = persona_labels(customers, [(c.name, c.rule) for c in journey.personas_resolved()])
    ben = set(customers.loc[label == "Budget Ben", "customer_id"].astype(str))
    per = orders.loc[orders["customer_id"].astype(str).isin(ben), "customer_id"].value_counts()
    n = int((per >= 2).sum())
    shown = "fewer than 5" if n < 5 else f"{n:,}"
    run = run_cells(NB04, {"data_dir": str(unmarked_ecommerce), "persona": "Budget Ben"})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert f"**Shopping again may count as going back here**: {shown} of {len(per):,} customers with orders" \
        in texts, texts[:300]
    assert "330 of 1,213" not in texts


def test_feedback_naming_no_stage_gives_themes_without_the_chart_by_stage(stageless_folder, tmp_path):
    """Feedback without its stage column (documented as optional) stopped the notebook at the
    themes' chart by stage, so no CSV was written (D132). Now the themes stand, the chart by stage
    is one sentence, the feeling says what it rests on, and the ranked pain points are written."""
    from inprocess import run_cells
    from table_subsets import shown_text

    out = tmp_path / "pain_points.csv"
    run = run_cells(NB04, {"data_dir": str(stageless_folder), "output_csv": str(out)})
    text = shown_text(run.displayed)
    assert run.namespace["th"] is not None and len(run.namespace["th"].summary)
    assert "No chart of the themes by stage: no feedback text names a stage or touchpoint" in text
    feedback = pd.read_csv(stageless_folder / "feedback.csv")
    assert (f"The 100 survey answers and {len(feedback)} feedback texts in this folder name no stage or "
            "touchpoint, so they cannot be placed on the emotion curve. The curve is measured from behaviour") in text
    assert "Feeling is computed from 0 pieces" not in text
    assert len(pd.read_csv(out))
