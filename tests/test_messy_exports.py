"""Data folders shaped like real exports, not like the sample worlds: the report still runs and
says what happened, and the numbers it does show are right.

Each case is a small folder with the e-commerce journey and one awkward table, as an analyst
brings it on a Monday morning (D88).
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from inprocess import run_cells
from jmtools import pipeline
from jmtools.sources import load_world
from table_subsets import shown_text

ROOT = Path(__file__).resolve().parents[1]
NB00 = ROOT / "notebooks" / "00_journey_report.ipynb"


def folder(tmp_path, **files) -> Path:
    """A data folder with the e-commerce journey and the given files (name → text)."""
    out = tmp_path / "export"
    out.mkdir()
    shutil.copy(ROOT / "data" / "ecommerce" / "journey.yaml", out / "journey.yaml")
    for name, text in files.items():
        (out / name.replace("_", ".", 1) if "_" in name else out / name).write_text(text, encoding="utf-8")
    return out


def run(path: Path, persona: str = "all"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.run(path, persona=persona)


def report_text(path: Path) -> str:
    return shown_text(run_cells(NB00, {"data_dir": str(path), "persona": "all"}).displayed)


def test_orders_whose_every_row_is_rejected_leave_the_report_without_order_value(tmp_path):
    """Dates the loader cannot read (09/03/2024: day or month first?) reject every order: the
    report runs, shows no order value, and the data section gives the real reason."""
    path = folder(tmp_path, orders_csv="order_id,customer_id,timestamp,amount\n"
                                       "O1,101,09/03/2024 21:44,12.50\nO2,102,10/03/2024 10:00,30.00\n")
    f = run(path)
    assert f.order_value is None
    assert f.world.tables["orders"].accounting.rows_rejected == 2
    text = report_text(path)
    assert "unparseable timestamp (2)" in text and "no order amounts" not in text
    first = text[:text.index("The data behind it")]        # said on the first screen too
    assert "No row of orders.csv could be used**: all 2 were rejected (unparseable timestamp (2))" in first
    why = text[text.index("Why rows were rejected"):]
    assert "orders.csv**, unparseable timestamp: 2 rows (lines 2, 3)" in why
    assert "could be day/month/year or month/day/year" in why     # the fix says why
    assert "09/03/2024 21:44" not in text             # no rejected value is quoted


def test_survey_answers_from_customers_missing_from_the_customer_table(tmp_path):
    """Customer ids zero-padded in one export only ('00101' against '101'): the answers belong
    to no persona; the KPIs count them, with their customers, instead of stopping the run."""
    path = folder(tmp_path,
                  customers_csv="customer_id,age,runs_per_week,price_sensitivity\n"
                                "00101,25,5,0.9\n00102,40,1,0.1\n",
                  surveys_csv="customer_id,timestamp,metric,score,stage\n"
                              + "".join(f"{100 + i},2024-03-05 10:00:00,csat,{1 + i % 5},Decision\n"
                                        for i in range(7)))
    f = run(path)
    prepared = pipeline.prepare_world(path)
    by_persona = prepared.grids["kpi_personas"]
    assert by_persona["persona"].isna().all()
    assert set(by_persona.loc[by_persona["kpi"] == "csat_mean", "n_customers"]) == {7}
    assert set(by_persona.loc[by_persona["kpi"] == "csat_mean", "n"]) == {7}
    decision = f.kpis[(f.kpis["stage"] == "Decision") & (f.kpis["kpi"] == "csat_mean")].iloc[0]
    assert (decision["n"], decision["value"]) == (7, pytest.approx(sum(1 + i % 5 for i in range(7)) / 7))


@pytest.mark.parametrize("n_texts", [1, 2, 3, 4])
def test_a_handful_of_comments_gives_themes_without_a_stability_figure(tmp_path, n_texts):
    texts = ["Late and rude", "ok", "Delivery was late again", "Rude staff at checkout"][:n_texts]
    rows = "".join(f"F{i},{100 + i},2024-03-15 02:01:00,{t}\n" for i, t in enumerate(texts))
    f = run(folder(tmp_path, feedback_csv="feedback_id,customer_id,timestamp,text\n" + rows))
    if f.themes is not None and len(f.themes.summary):
        assert f.themes.summary["stability"].isna().all()     # too few texts to measure it


def _report_of_events(tmp_path, events: str):
    """The report of a folder with ``events`` and 12 customers: the folder and the report's text."""
    path = folder(tmp_path, events_csv=events,
                  customers_csv="customer_id,age\n" + "".join(f"{100 + i},30\n" for i in range(12)))
    return path, report_text(path)


def test_events_whose_every_row_is_rejected_are_named_in_the_headline(tmp_path):
    """Not 'no customer belongs to all customers … check the rule': the events were rejected."""
    events = "customer_id;timestamp;event\n" + "".join(
        f"{100 + i};09/03/2024 18:{10 + i};home_view\n" for i in range(12))
    path, text = _report_of_events(tmp_path, events)
    assert "No row of events.csv could be used" in text and "all 12 were rejected" in text
    assert "unparseable timestamp (12)" in text
    assert "Check the rule" not in text
    expected = pd.read_csv(path / "events.csv", sep=";")
    assert len(expected) == 12


def test_what_the_loader_settled_on_its_own_is_said_in_the_data_section(tmp_path):
    """A Windows export (cp1252) with one broken quote: the report says how the file was read
    (the code page, the quote read again) beside the rejected lines; a sample world, read as it
    is, gets no such list."""
    rows = ["F1,101,2024-03-15 02:01:00,\"Caf\u00e9 closed, sadly\"",
            "F2,102,2024-03-15 03:01:00,\"He said \"late\" twice\"",
            "F3,103,2024-03-15 04:01:00,\"Fine, thanks\""]
    path = folder(tmp_path)
    (path / "feedback.csv").write_bytes(
        ("feedback_id,customer_id,timestamp,text\n" + "\n".join(rows) + "\n").encode("cp1252"))
    text = report_text(path)
    notes = text[text.index("How the files were read"):]
    assert "feedback.csv**: read as Windows-1252" in notes
    assert 'read with " as the quote character' in notes and "keeps 2" in notes
    assert "feedback.csv**, malformed line (a quote inside a quoted value" in text
    assert "How the files were read" not in shown_text(run_cells(NB00, {"data_dir": "sample:b2b",
                                                                        "persona": "all"}).displayed)


def test_a_table_that_lost_a_tenth_of_its_rows_is_named_under_the_headline(tmp_path):
    """A helper's export lost 92% of its events to one unreadable column and the report's first
    screen said nothing of it; the data section at the end did."""
    good = "".join(f"{100 + i};2024-03-09 18:{10 + i};home_view\n" for i in range(10))
    bad = "".join(f"{200 + i};09/03/2024 18:{10 + i};home_view\n" for i in range(2))
    path = folder(tmp_path, events_csv="customer_id;timestamp;event\n" + good + bad)
    text = report_text(path)
    first = text[:text.index("The data behind it")]
    assert "2 of 12 rows of events.csv were rejected** (unparseable timestamp (2))" in first
    (tmp_path / "b").mkdir()
    more = "".join(f"{300 + i};2024-03-09 19:{10 + i};home_view\n" for i in range(10))
    only_one = folder(tmp_path / "b", events_csv="customer_id;timestamp;event\n" + good + more
                      + bad.splitlines(keepends=True)[0])
    assert "rows of events.csv were rejected" not in report_text(only_one)   # 1 of 21: under a tenth


def test_events_of_one_stage_only_give_a_report(tmp_path):
    """Every event maps to the first stage (an export of page views only): the pain-point
    signals asked for the time between stages and stopped the report ("steps must be at least
    two steps")."""
    events = "customer_id,timestamp,event\n" + "".join(
        f"{100 + i},2024-03-09 18:{10 + i},home_view\n" for i in range(8))
    f = run(folder(tmp_path, events_csv=events))
    assert f.n_customers == 8
    assert "slow step" not in set(f.signals["signal"]) if f.signals is not None else True


@pytest.mark.parametrize("event_ids, customer_ids, words", [
    (lambda i: f"c{i:07d}", lambda i: f"C{i:07d}", "the ids seem to be the same, written with upper or lower case"),
    (lambda i: f"{i:05d}", lambda i: f"{i}", "the ids seem to be the same, written with leading zeros"),
    (lambda i: f"c{i:07d}", lambda i: f"acct-{i}",
     "the ids seem to be the same, written with a prefix or leading zeros around the same number"),
    (lambda i: f"c{i:07d}", lambda i: f"user-{chr(96 + i)}", "the two tables seem to use different customer ids")])
def test_ids_that_differ_between_tables_are_explained_without_quoting_one(tmp_path, event_ids, customer_ids,
                                                                          words):
    """Every customer "(not in customer table)" and no persona, without a word of why; the
    words are those of ``jmtools validate --data`` (sources.id_overlap, D145, D154)."""
    events = "customer_id,timestamp,event\n" + "".join(
        f"{event_ids(i)},2024-03-09 18:{10 + i % 40},home_view\n{event_ids(i)},2024-03-09 19:{10 + i % 40},product_view\n"
        for i in range(1, 13))
    sample = pd.read_csv(ROOT / "data" / "ecommerce" / "customers.csv").head(12)
    sample["customer_id"] = [customer_ids(i) for i in range(1, 13)]
    path = folder(tmp_path, events_csv=events)
    sample.to_csv(path / "customers.csv", index=False)
    text = report_text(path)
    said = next(line for line in text.splitlines() if "Most customers with events" in line)
    assert "0 of 12 customers with events are in the customer table" in said and words in said
    assert "Fix: export" in said
    tokens = set(re.findall(r"[\w-]+", said))
    assert event_ids(1) not in tokens and customer_ids(1) not in tokens


def test_a_loading_file_beside_the_export_lets_a_report_read_it_as_the_loader_would(tmp_path):
    """A German export: its own column names, dates whose order no value shows (all days up to
    12). A report takes no loader options, so it stopped ("required column 'timestamp' is
    missing"); loading.yaml in the folder gives the names and the format, and the report says
    it used them."""
    events = "Kunden-ID;Zeitstempel;Ereignis\n" + "".join(
        f"{100 + i};0{1 + i % 9}/03/2024 18:{10 + i};home_view\n" for i in range(12))
    path = folder(tmp_path, events_csv=events,
                  loading_yaml="events:\n  columns: {customer_id: Kunden-ID, timestamp: Zeitstempel,"
                               " event: Ereignis}\n  time_format: \"%d/%m/%Y %H:%M\"\n")
    f = run(path)
    used = f.world.tables["events"].to_pandas()
    assert len(used) == 12 and used["timestamp"].min() == pd.Timestamp("2024-03-01 18:10")
    text = report_text(path)
    notes = text[text.index("How the files were read"):]
    assert "events.csv**: read with columns, time_format from loading.yaml" in notes
    (path / "loading.yaml").unlink()
    with pytest.raises(Exception, match="loading.yaml"):    # the fix names the file
        run(path)


def test_survey_names_the_journey_does_not_have_are_said_in_the_data_section(tmp_path):
    """A stale touchpoint name was warned about, and a report shows no warnings: the data
    section now says how many rows and which name, with the closest one."""
    rows = "".join(f"{100 + i},2024-03-05 10:00:00,csat,{1 + i % 5},{'Chekout' if i < 3 else 'Checkout'}\n"
                   for i in range(9))
    path = folder(tmp_path, surveys_csv="customer_id,timestamp,metric,score,touchpoint\n" + rows)
    text = report_text(path)
    assert ("**surveys.csv**: 3 rows name a touchpoint the journey does not have ('Chekout'; did you mean "
            "'Checkout'?): scored nowhere (neither at a stage nor as a score not tied to a step): give them "
            "the journey's names to count them") in text     # survey answers count in no score then (D175)
    f = run(path)
    assert int(f.kpis[f.kpis["kpi"] == "csat_mean"]["n"].sum()) == 6      # the 6 placed answers, not the 3 misnamed
    assert f.relationship_kpis is None                                     # nor a score not tied to a step


def test_a_survey_whose_stage_is_its_name_leaves_its_answers_out_and_the_report_runs(tmp_path):
    """The stage only implied by the survey's name ("Onboarding survey", "Decision survey"):
    not one answer names a journey stage. That stopped the report with "2 stage name(s) are
    not in the journey" (D192); the answers are now left out, counted and said, each name
    with its closest stage, and the rest of the report builds."""
    names = ["Onboarding survey"] * 5 + ["Decision survey"] * 4
    rows = "".join(f"{100 + i},2024-03-05 10:00:00,csat,{1 + i % 5},{n}\n" for i, n in enumerate(names))
    path = folder(tmp_path, surveys_csv="customer_id,timestamp,metric,score,stage\n" + rows)
    f = run(path)                                                  # no DataError
    truth = pd.read_csv(path / "surveys.csv")["stage"].value_counts()    # plain pandas: 5 + 4
    assert f.kpis is None or not len(f.kpis)
    text = report_text(path)
    assert (f"**surveys.csv**: {truth.sum()} rows name stages the journey does not have ('Decision survey' "
            "→ 'Decision'?, 'Onboarding survey'): scored nowhere") in text
    assert ("No survey answer from all customers names a stage or touchpoint of the journey (the names "
            "they give are not the journey's: see How the files were read)") in text


def test_loading_yaml_values_map_a_surveys_names_to_the_journeys_stages(tmp_path):
    """`values: {stage: {Onboarding survey: Awareness, …}}` in loading.yaml renames the names
    a survey export gives its stage (D192): its answers are scored at those stages, equal to
    plain pandas on the renamed rows, and the data section says how many rows were renamed."""
    names = ["Onboarding survey"] * 6 + ["decision survey "] * 7 + ["Post-purchase"] * 5   # 5+: shown
    rows = "".join(f"{100 + i},2024-03-05 10:00:00,csat,{1 + i % 5},{n}\n" for i, n in enumerate(names))
    path = folder(tmp_path, surveys_csv="customer_id,timestamp,metric,score,stage\n" + rows,
                  loading_yaml="surveys:\n  values: {stage: {Onboarding survey: Awareness, "
                               "Decision survey: Decision}}\n")
    f = run(path)
    raw = pd.read_csv(path / "surveys.csv")
    truth = raw.assign(stage=raw["stage"].str.strip().str.lower().map(
        {"onboarding survey": "Awareness", "decision survey": "Decision"}).fillna(raw["stage"]))
    truth = truth.groupby("stage")["score"].agg(["mean", "size"])
    got = f.kpis[(f.kpis["kpi"] == "csat_mean") & (f.kpis["n"] > 0)].set_index("stage")
    assert sorted(got.index.astype(str)) == sorted(truth.index) == ["Awareness", "Decision", "Post-purchase"]
    for stage, row in truth.iterrows():
        assert got.loc[stage, "value"] == pytest.approx(row["mean"]) and got.loc[stage, "n"] == row["size"]
    text = report_text(path)
    assert ("**surveys.csv**: stage renamed (values): 'Onboarding survey' → 'Awareness' (6 rows), "
            "'Decision survey' → 'Decision' (7 rows)") in text
    assert "the journey does not have" not in text


@pytest.mark.parametrize("with_ids", [True, False])
def test_values_renamed_in_a_survey_with_one_column_per_question_count_rows_and_answers(tmp_path, with_ids):
    """A mortgage test: "'Post-offer survey' → 'Offer' (1,331 rows)" for a file of one column per
    question, where 452 rows of the file gave 1,331 answers. The note now says rows of the file
    and answers, as the wide note does (D195, D205); without response ids, the answers only.
    Oracle: plain pandas on the file."""
    names = ["Post-offer survey"] * 6 + ["Completion survey"] * 4
    rows = "".join(f"R{i},{100 + i},2024-03-05 10:00:00,{n},{1 + i % 5},{'' if i % 3 else i % 10},"
                   f"{'' if i % 4 == 1 else 1 + i % 7}\n" for i, n in enumerate(names))
    path = folder(tmp_path, surveys_csv="Response ID,who,when,Survey name,Q1,Q2,Q3\n" + rows,
                  loading_yaml="surveys:\n  columns: {customer_id: who, timestamp: when, stage: Survey name"
                               + (", survey_id: Response ID" if with_ids else "") + "}\n"
                               "  metrics: {csat: Q1, nps: Q2, ces: Q3}\n"
                               "  values: {stage: {Post-offer survey: Awareness, Completion survey: Decision}}\n")
    notes = load_world(path).tables["surveys"].accounting.notes
    raw = pd.read_csv(path / "surveys.csv")
    truth = raw.groupby("Survey name").agg(rows=("Q1", "size")).join(
        raw.set_index("Survey name")[["Q1", "Q2", "Q3"]].notna().sum(axis=1).groupby(level=0).sum().rename("answers"))
    said = {n: (f"{truth.loc[n, 'rows']} rows of the file read as {truth.loc[n, 'answers']} answers" if with_ids
                else f"{truth.loc[n, 'answers']} answers") for n in names}
    assert truth.loc["Post-offer survey"].tolist() == [6, 12]   # planted: 6 rows, 12 answers
    assert (f"stage renamed (values): 'Post-offer survey' → 'Awareness' ({said['Post-offer survey']}), "
            f"'Completion survey' → 'Decision' ({said['Completion survey']})") in notes


def test_feedback_tagged_by_touchpoint_only_reaches_the_pain_points(tmp_path):
    """A review export tags a touchpoint but has no stage column: the curve placed the texts,
    the pain points did not (n_feedback 0; the top pain point met by 284 customers, not 405)."""
    src = ROOT / "data" / "ecommerce"
    out = tmp_path / "reviews"
    shutil.copytree(src, out)
    feedback = pd.read_csv(src / "feedback.csv", dtype=str)
    assert feedback["touchpoint"].notna().all()
    feedback.drop(columns="stage").assign(touchpoint=feedback["touchpoint"].str.lower()).to_csv(
        out / "feedback.csv", index=False)
    cols = ["title", "customers_affected", "n_feedback", "themes"]
    got, want = run(out).pain_points.table[cols], run(src).pain_points.table[cols]
    assert want["n_feedback"].sum() > 0
    pd.testing.assert_frame_equal(got, want)


def test_feedback_that_names_no_place_is_said_to_be_off_the_curve(tmp_path):
    """A Hotjar or app-store export has no stage or touchpoint: its texts fed the themes but not
    the curve, and only a warning (which a report hides) said so."""
    rows = "".join(f"F{i},{100 + i},2024-03-15 02:01:00,Late again {i}\n" for i in range(7))
    text = report_text(folder(tmp_path, feedback_csv="feedback_id,customer_id,timestamp,text\n" + rows))
    assert ("**feedback.csv**: 7 rows name no stage or touchpoint: not placed on the journey (left out of "
            "the emotion curve and the pain points)") in text


def test_a_survey_export_with_a_column_per_question_reports_through_loading_yaml(tmp_path):
    """A Typeform-like export: question texts as headers, one column per question. loading.yaml
    names the columns of the answers; the report's KPIs count each answer once."""
    header = "Submitted At,customer,How likely are you to recommend us?,How easy was checkout?\n"
    rows = "".join(f"2024-03-0{1 + i % 9} 10:00:00,{100 + i},{i % 11},{1 + i % 7}\n" for i in range(20))
    path = folder(tmp_path, surveys_csv=header + rows, loading_yaml=(
        "surveys:\n  columns: {customer_id: customer, timestamp: Submitted At}\n"
        "  metrics: {nps: 'How likely are you to recommend us?', ces: 'How easy was checkout?'}\n"))
    f = run(path)
    sv = f.world.tables["surveys"].to_pandas()
    assert sorted(sv["metric"].value_counts().items()) == [("ces", 20), ("nps", 20)]
    notes = report_text(path)
    assert "read with columns, metrics from loading.yaml" in notes and "one row per answer" in notes


def test_feedback_keyed_by_another_id_is_said_to_meet_no_customer(tmp_path):
    """A review tool keys writers by e-mail: every writer became a customer of their own on
    the curve (924 at Decision where 656 had answered), and nothing said so."""
    events = "customer_id,timestamp,event\n" + "".join(f"{100 + i},2024-03-09 18:{10 + i},home_view\n"
                                                       for i in range(8))
    rows = "".join(f"F{i},writer{i}@example.org,2024-03-15 02:01:00,Late again,Checkout\n" for i in range(6))
    customers = "customer_id,age\n" + "".join(f"{100 + i},30\n" for i in range(8))
    text = report_text(folder(tmp_path, events_csv=events, customers_csv=customers,
                              feedback_csv="feedback_id,customer_id,timestamp,text,touchpoint\n" + rows))
    assert "**feedback.csv**: 6 of its 6 customer ids are not in the customer table" in text
    assert "writer0@example.org" not in text


def test_feedback_is_not_said_to_be_keyed_another_way_when_the_customer_table_is_the_odd_one(tmp_path):
    """Events and feedback share their ids and the customer table writes them in lower case:
    the report said the feedback "keys people another way (an e-mail)", which sent the reader
    to the wrong file. The customer table's mismatch is said once, where it belongs."""
    events = "customer_id,timestamp,event\n" + "".join(
        f"C{i},2024-03-09 18:{10 + i},home_view\nC{i},2024-03-09 19:{10 + i},product_view\n" for i in range(1, 13))
    rows = "".join(f"F{i},C{i},2024-03-15 02:01:00,Late again,Checkout\n" for i in range(1, 9))
    path = folder(tmp_path, events_csv=events,
                  feedback_csv="feedback_id,customer_id,timestamp,text,touchpoint\n" + rows)
    sample = pd.read_csv(ROOT / "data" / "ecommerce" / "customers.csv").head(12)
    sample.assign(customer_id=[f"c{i}" for i in range(1, 13)]).to_csv(path / "customers.csv", index=False)
    text = report_text(path)
    assert "the ids seem to be the same, written with upper or lower case" in text
    assert "are not in the customer table: each counts" not in text
    sample.assign(customer_id=[f"C{i}" for i in range(1, 13)]).to_csv(path / "customers.csv", index=False)
    (path / "feedback.csv").write_text("feedback_id,customer_id,timestamp,text,touchpoint\n" + re.sub(
        r",C(\d+),", r",writer\1,", rows))                 # now the feedback is the odd one: said
    assert "8 of its 8 customer ids are not in the customer table" in report_text(path)


def test_a_file_named_for_a_table_in_a_format_not_read_is_said(tmp_path):
    """Mixpanel's events.json was skipped without a word: the report said only "no events".
    JSON lines are read now (tests/test_sources_jsonl.py); a .json file holding one object
    written over many lines is still named, not read."""
    path = folder(tmp_path, customers_csv="customer_id,age\n1,30\n")
    (path / "events.json").write_text('{\n  "events": [{"event": "view"}]\n}\n')
    (path / "notes.json").write_text("{}")
    text = report_text(path)
    assert ("**events.json** is named for a table but is not read: save it as CSV, Parquet, Excel (.xlsx) "
            "or JSON lines") in text
    assert "notes.json" not in text


def _sample_copy(tmp_path, name: str) -> Path:
    out = tmp_path / name
    shutil.copytree(ROOT / "data" / "ecommerce", out)
    return out


def test_a_survey_file_about_one_place_gives_the_same_kpis_with_a_constant_touchpoint(tmp_path):
    """A Typeform or Hotjar survey on the checkout page names no stage or touchpoint: its answers
    counted at no stage (no survey KPI). With constants: {touchpoint: Checkout} in
    loading.yaml it reports as the same answers with the column: the sample's Checkout answers."""
    surveys = pd.read_csv(ROOT / "data" / "ecommerce" / "surveys.csv", dtype=str)
    one = surveys[surveys["touchpoint"] == "Checkout"]
    assert one["stage"].nunique() == 1 and len(one) > 1000
    with_column, without = _sample_copy(tmp_path, "with"), _sample_copy(tmp_path, "without")
    one.to_csv(with_column / "surveys.csv", index=False)
    one.drop(columns=["stage", "touchpoint"]).to_csv(without / "surveys.csv", index=False)
    placeless = run(without).kpis                     # no stage: no survey KPI at all
    assert placeless is None or placeless.loc[placeless["stage"] == "Decision", "n"].sum() == 0
    (without / "loading.yaml").write_text("surveys:\n  constants: {touchpoint: Checkout}\n")
    got, want = run(without), run(with_column)
    assert want.kpis.loc[want.kpis["stage"] == "Decision", "n"].sum() > 0
    pd.testing.assert_frame_equal(got.kpis, want.kpis)
    pd.testing.assert_frame_equal(got.curve, want.curve)


def test_stripe_amounts_in_cents_report_the_samples_order_value_with_amount_unit(tmp_path):
    """Stripe writes amounts in cents: AOV 13,957 instead of 139.57, without a word. Now a note
    says so, and amount_unit: cents in loading.yaml gives the sample's order value exactly."""
    src = ROOT / "data" / "ecommerce"
    out = _sample_copy(tmp_path, "stripe")
    orders = pd.read_csv(src / "orders.csv", dtype={"amount": str})
    cents = orders["amount"].map(lambda a: int(round(float(a) * 100)))
    orders.assign(amount=cents, currency=orders["currency"].str.lower()).to_csv(out / "orders.csv", index=False)
    plain = run(out)
    assert any("if the amounts are in cents" in n for n in plain.world.orders.accounting.notes)
    text = report_text(out)
    first = text[:text.index("How the files were read")]           # said on the first screen too
    assert "The amounts of orders.csv may be in cents" in first
    assert first.index("may be in cents") < first.index("customers with events, in 4 personas")
    (out / "loading.yaml").write_text("orders:\n  amount_unit: cents\n")
    got, want = run(out).order_value, run(src).order_value
    pd.testing.assert_frame_equal(got, want)
    assert "may be in cents" not in report_text(out)


def test_whole_german_amounts_are_said_under_the_headline_and_read_with_decimal(tmp_path):
    """Amounts written as a German spreadsheet writes whole euros (1.200 for twelve hundred) were
    read as 1.2 without a word. The first screen says so now, and decimal: "," in loading.yaml
    gives the order value of the same amounts written plainly."""
    orders = pd.read_csv(ROOT / "data" / "ecommerce" / "orders.csv", dtype={"amount": str})
    whole = orders["amount"].map(lambda a: int(round(float(a))) * 10)        # some reach thousands
    assert (whole >= 1000).sum() > 50
    plain, german = _sample_copy(tmp_path, "plain"), _sample_copy(tmp_path, "german")
    orders.assign(amount=whole).to_csv(plain / "orders.csv", index=False)
    orders.assign(amount=whole.map(lambda a: f"{a:,}".replace(",", "."))).to_csv(
        german / "orders.csv", index=False, sep=";")
    first = report_text(german)
    first = first[:first.index("How the files were read")]
    assert "The amounts of orders.csv may be written with thousands dots" in first
    (german / "loading.yaml").write_text('orders:\n  decimal: ","\n')
    pd.testing.assert_frame_equal(run(german).order_value, run(plain).order_value)
    assert "thousands dots" not in report_text(german)


def test_a_jira_export_with_repeated_header_names_reports_through_loading_yaml(tmp_path):
    """Jira Service Management repeats Labels and Comment in its header: the whole file was
    refused, and the read_options workaround too. The copies are read apart; loading.yaml maps
    the columns a user needs, and the tickets are the sample's."""
    src = ROOT / "data" / "ecommerce"
    out = _sample_copy(tmp_path, "jira")
    t = pd.read_csv(src / "tickets.csv", dtype=str)
    jira = pd.DataFrame({"Summary": t["text"], "Issue key": t["ticket_id"], "Created": t["timestamp"],
                         "Resolved": t["closed_timestamp"], "Labels": t["topic"], "Labels ": t["channel"],
                         "Custom field (Customer ID)": t["customer_id"], "Custom field (Request Type)": t["touchpoint"],
                         "Comment": "Thanks, we are on it.", "Comment ": t["text"]})
    text = jira.to_csv(index=False).replace("Labels ,", "Labels,").replace("Comment \n", "Comment\n", 1)
    (out / "tickets.csv").write_text(text)
    (out / "loading.yaml").write_text(
        "tickets:\n  columns: {ticket_id: Issue key, customer_id: Custom field (Customer ID), timestamp: Created,\n"
        "            closed_timestamp: Resolved, touchpoint: Custom field (Request Type), text: Comment.1}\n")
    got = run(out).world.tickets
    assert got.accounting.rows_used == len(t) and "read as 'Labels', 'Labels.1'" in " ".join(got.accounting.notes)
    frame = got.to_pandas()
    want = load_world(src).tickets.to_pandas()
    for col in ("ticket_id", "customer_id", "timestamp", "closed_timestamp", "touchpoint", "text"):
        assert frame[col].tolist() == want[col].tolist(), col
    assert frame["labels"].tolist() == t["topic"].tolist()


def test_good_bad_ratings_are_said_under_the_emotion_curve(tmp_path):
    """A Zendesk CSAT export rates Good or Bad, read as 5 and 1: the curve built from them lies
    further from 0 than the stars' (+0.49/+0.39/+1.18 against +0.36/+0.31/+0.86 on a helper's
    copy). The data section said so; the curve's section now does too, with the count (D107)."""
    out = _sample_copy(tmp_path, "zendesk")
    fb = pd.read_csv(out / "feedback.csv", dtype=str)
    rated = fb["rating"].notna()
    fb.loc[rated, "rating"] = fb.loc[rated, "rating"].map(lambda r: "Good" if float(r) >= 4 else "Bad")
    fb.to_csv(out / "feedback.csv", index=False)
    text = report_text(out)
    said = f"**Good/bad ratings:** {rated.sum():,} ratings written as good/bad"
    assert said in text and "further from 0 than star ratings" in text
    assert text.index("Feeling is computed from") < text.index(said)       # under the curve's basis
    plain = report_text(_sample_copy(tmp_path, "stars"))
    assert "Good/bad ratings" not in plain


def test_a_folder_without_events_but_with_tickets_gives_a_report(tmp_path):
    """Every table but the events (a support team's export before the event log arrives): the
    tickets name stages no event reaches, and the report stopped with "complaints at stages with
    no reach count". It now runs and says what events would add."""
    out = _sample_copy(tmp_path, "no-events")
    (out / "events.parquet").unlink()
    text = report_text(out)
    assert "No events in this folder — add events.csv with columns customer_id, timestamp, event" in text
    assert "CSAT" in text


def test_survey_and_ticket_places_in_another_case_count_as_the_journeys_names(tmp_path):
    """A survey export writing DECISION and checkout: the emotion curve matched the names ignoring
    case, the survey KPIs did not, and every CSAT, CES and NPS vanished while the data section said
    all 2,682 answers were used. Surveys and tickets are now read at the journey's names wherever
    stages are counted: KPIs and pain points equal the sample's."""
    out = _sample_copy(tmp_path, "upper")
    for name in ("surveys.csv", "tickets.csv"):
        frame = pd.read_csv(out / name, dtype=str)
        frame.assign(stage=frame["stage"].str.upper(), touchpoint=frame["touchpoint"].str.lower() + " "
                     ).to_csv(out / name, index=False)
    got, want = run(out), run(ROOT / "data" / "ecommerce")
    assert want.kpis["n"].sum() > 0
    pd.testing.assert_frame_equal(got.kpis, want.kpis)
    pd.testing.assert_frame_equal(got.curve, want.curve)
    pd.testing.assert_frame_equal(got.pain_points.table, want.pain_points.table)


def test_customers_saved_from_a_frame_read_as_text_keep_their_personas(tmp_path):
    """The sample's customers read with dtype=str (to keep ids' zeros) and saved as Parquet: every
    persona was left out ("compares a text value with a number") and the all-customer pain points
    moved (405 → 1,568 customers at hidden fees). They now give the sample's personas and numbers."""
    out = _sample_copy(tmp_path, "as-text")
    (out / "customers.csv").unlink()
    pd.read_csv(ROOT / "data" / "ecommerce" / "customers.csv", dtype=str).to_parquet(out / "customers.parquet")
    got, want = run(out), run(ROOT / "data" / "ecommerce")
    assert not got.persona_errors
    pd.testing.assert_frame_equal(got.pain_points.table, want.pain_points.table)
    pd.testing.assert_frame_equal(got.curve, want.curve)


def test_events_that_are_only_blank_and_totals_rows_say_they_held_no_data(tmp_path):
    """An event export of blank rows and a totals footer only (D213): not "all 3 were rejected
    (missing customer_id …)" — they held no data, named as such."""
    _, text = _report_of_events(tmp_path, "customer_id,timestamp,event\n,,\n,,\nTotal,0,\n")
    assert "No row of events.csv could be used" in text and "all 3 were rejected or held no data" in text
    assert "blank row: 2 (lines 2, 3); totals row: 1" in text
    assert "missing customer_id" not in text
