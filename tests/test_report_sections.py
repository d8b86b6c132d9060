"""jmtools/report/sections.py: every section of the journey report runs on whatever tables exist.

Notebook 00's cells run in-process (tests/inprocess.py) on data folders holding only some of the
tables (tests/table_subsets.py): each section without its table says which file and columns would
fill it, the rest of the report stands, nothing reads "nan", and a curve nothing measures is drawn
as assumed, never as measured. The exported HTML of the same reports (kernel runs) is checked in
tests/test_report_batch.py and tests/test_cli_report.py.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inprocess import run_cells
from jmtools import pipeline
from jmtools.report import persona_sizes, sections
from jmtools.report.sections import SECTION_TABLES
from permit_world import STAGES_YAML, permit_events, permit_folder
from table_subsets import MISSING, SUBSETS, emotion_lane_series, missing, shown_charts, shown_text, title_of

ROOT = Path(__file__).resolve().parents[1]
NB00 = ROOT / "notebooks" / "00_journey_report.ipynb"
NAN = re.compile(r"\b(nan|NaN|NaT|<NA>)\b")


def _run(folder, persona="all"):
    return run_cells(NB00, {"data_dir": str(folder), "persona": persona})


@pytest.fixture(scope="module")
def reports(table_subset):
    """Each subset's report for all customers, run once (in-process)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = _run(table_subset(name))
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(SUBSETS))
def test_each_section_says_what_would_fill_it_and_the_rest_stands(reports, name):
    run = reports(name)
    text = shown_text(run.displayed)
    for kind in missing(name):
        assert MISSING[kind] in text, (kind, text[:2000])
    for kind in SUBSETS[name]:
        if kind in MISSING:
            assert MISSING[kind] not in text
    assert "(see docs/data.md)" in text
    assert not NAN.findall(text), NAN.findall(text)[:5]
    assert "customers" in run.figures and run.figures["customers"]["value"] > 0


@pytest.mark.parametrize("name", list(SUBSETS))
def test_the_emotion_curve_uses_whatever_evidence_exists(reports, name):
    run = reports(name)
    charts = shown_charts(run.displayed)
    curves = [c for c in charts if title_of(c).startswith("Emotion curve")]
    [the_map] = [c for c in charts if title_of(c).startswith("Running shoes online")
                 and not c["usermeta"].get("print")]  # the whole map; its print-only parts aside
    said = {"surveys", "feedback"} & set(SUBSETS[name])
    lane = emotion_lane_series(the_map)
    if said:
        assert [title_of(c) for c in curves] == ["Emotion curve: all customers"]
        assert lane == {"assumed", "measured"}
    elif "events" in SUBSETS[name]:  # behaviour only: measured from behaviour, and labelled so
        assert [title_of(c) for c in curves] == ["Emotion curve from behaviour: all customers"]
        assert "Measured from behaviour only" in shown_text(run.displayed)
        assert lane == {"assumed", "measured"}
        assert run.figures["lowest_emotion"]["label"].endswith("(from behaviour)")
    else:  # nothing measures emotion: the workshop's curve, never labelled measured
        assert [title_of(c) for c in curves] == [
            "Emotion curve assumed in the workshop: all customers (no evidence in the data)"]
        assert "measured from evidence" not in json.dumps(curves)
        assert "Assumed, not measured" in shown_text(run.displayed)
        assert lane == {"assumed"}
        assert "lowest_emotion" not in run.figures


def test_no_customer_table_means_no_persona_sections(reports):
    text = shown_text(reports("events+orders").displayed)
    assert ("add customers.csv with columns customer_id, age, price_sensitivity, runs_per_week to tie "
            "customers to the journey's personas; until then this report covers all customers and has "
            "no persona sections") in text
    assert "Budget Ben" not in text


def test_a_persona_without_a_customer_table_gets_a_page_saying_why(table_subset):
    run = _run(table_subset("events+orders"), "Budget Ben")
    text = shown_text(run.displayed)
    assert "No customer can be tied to Budget Ben" in text and "covers all 300 customers" in text
    assert "add customers.csv with columns customer_id, age, price_sensitivity, runs_per_week to see this " \
           "persona" in text
    assert run.figures["customers"]["value"] == 0
    assert not NAN.findall(text)


def test_a_persona_without_events_is_sized_from_the_customer_table(table_subset):
    from jmtools.personas import assign_personas
    from jmtools.sources import load_world

    folder = table_subset("customers+orders")
    run = _run(folder, "Budget Ben")
    oracle = assign_personas(load_world(folder).customers.to_pandas(), load_world(folder).journey)
    assert run.figures["customers"]["value"] == int((oracle["persona"] == "Budget Ben").sum()) > 0
    assert MISSING["events"] in shown_text(run.displayed)


def test_docs_table_lists_the_tables_each_section_reads():
    rows = {}
    lines = (ROOT / "docs" / "data.md").read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| part |"))
    kinds = [c.strip() for c in header.strip("|").split("|")][1:7]
    for line in lines:
        found = re.match(r"\| report `(\w+)` \|", line)
        if found:
            cells = [c.strip() for c in line.strip("|").split("|")][1:7]
            rows[found.group(1)] = {k for k, c in zip(kinds, cells) if c == "✓"}
    assert rows == {name: set(kinds) for name, kinds in SECTION_TABLES.items()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/data.md)" in readme


def test_feedback_sections_say_what_they_rest_on_and_show_no_customer_id(reports):
    """What feeling and complaints are computed from is said; quotes carry pseudonyms, never ids."""
    text = shown_text(reports("surveys+feedback").displayed)
    assert "Feeling is computed from" in text and "ratings given with feedback" in text
    assert "Complaints here are" in text and "texts rated below the middle of the scale" in text
    assert re.search(r"” \(C-[0-9a-f]{10}\)", text)
    assert not re.search(r"\bC\d{7}\b", text)          # the sample worlds' raw customer ids


def test_persona_sizes_hide_a_persona_of_fewer_than_five_and_what_would_reveal_it(monkeypatch):
    """The total of customers is printed above the table, so hiding the small persona alone is
    not enough: another row goes too, and the note says so. "(no persona)" first (D63 chose a
    persona, whose own report prints its size; the coverage sentence now hides the no-persona
    count instead)."""
    import pandas as pd

    from jmtools.report import sections

    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    sizes = pd.DataFrame({"persona": ["Ben", "Maya", "Tiny", "(no persona)"], "n_customers": [120, 40, 3, 12]})
    persona_sizes.sizes_table(sizes.assign(share=sizes["n_customers"] / sizes["n_customers"].sum()))
    table, note = shown[0].data, shown[1].data
    rows = dict(re.findall(r"<tr><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>", table))
    assert rows == {"Ben": "120", "Maya": "40", "Tiny": "hidden", "(no persona)": "hidden"}
    shown_n = [int(v) for v in rows.values() if v != "hidden"]
    assert not [r for k in (1, 2) for c in itertools.combinations(shown_n, k) if 0 < 175 - sum(c) < 5]
    assert note == ("Personas with fewer than 5 customers (1) are shown without their size, and 1 more so "
                    "that the total does not reveal them.")
    shown.clear()
    persona_sizes.sizes_table(sizes.assign(share=0.25), min_group=0)
    assert len(shown) == 1 and "hidden" not in shown[0].data


def test_a_persona_report_says_its_complaint_counts_are_everybodys_and_how_many_are_its_own(monkeypatch):
    """Themes and the complaint decision are made on everybody's feedback; a persona's report had
    printed those counts as "Complaints here are …", beside a table of the persona's own texts."""
    import html
    from types import SimpleNamespace

    import pandas as pd

    from jmtools.analyses.themes import find_themes, themes_for
    from jmtools.report import problem_sections, sections

    texts = ["hidden delivery fee at payment", "hidden fee again at payment", "slow delivery, late parcel",
             "late parcel, slow delivery", "payment fee hidden, awful", "lovely shoes"] * 4
    fb = pd.DataFrame({"text": texts, "rating": [1, 2, None, None, 3, 5] * 4,
                       "customer_id": [f"c{i}" for i in range(len(texts))],
                       "persona": (["Ben"] * 2 + ["Maya"] * 4) * 4})
    everybody = find_themes(fb, n_themes=2, min_df=1, id_col=None, stability=False)
    by = everybody.accounting["polarity from"]
    ben = themes_for(everybody, persona="Ben")
    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    monkeypatch.setattr(problem_sections, "record", lambda *a, **k: None)
    f = SimpleNamespace(world=SimpleNamespace(tables={"feedback": None}), themes=everybody, themes_focus=ben,
                        focus=SimpleNamespace(label="Ben", everyone=False), themes_error=None)
    sections.what_they_write(f)
    basis = html.unescape(shown[0].data)
    assert f"Complaints across all customers are {by['rating']} texts rated below" in basis
    assert basis.endswith(f"This report's customers wrote {len(ben.documents)} of them.")
    assert 0 < len(ben.documents) < by["rating"] + by["text"] and " here " not in basis
    shown.clear()
    sections.what_they_write(SimpleNamespace(**{**vars(f), "themes_focus": everybody}))
    assert shown[0].data.startswith(f"Complaints here are {by['rating']} texts") and "wrote" not in shown[0].data


@pytest.mark.parametrize("unmatched, words", [(["x"], "(1 event name)"), (["x", "y"], "(2 event names)")])
def test_unmatched_events_are_counted_in_words_that_agree_with_the_count(monkeypatch, unmatched, words):
    from types import SimpleNamespace

    import pandas as pd

    from jmtools.report import sections
    from jmtools.sources import SPECS

    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    monkeypatch.setattr(sections, "record", lambda *a, **k: None)
    monkeypatch.setattr(sections, "_journey_fit", lambda f: None)
    f = SimpleNamespace(accounting=pd.DataFrame({"table": ["events"], "rejected": [0]}),
                        world=SimpleNamespace(tables=dict.fromkeys(SPECS)), unmatched_share=0.001,
                        evidence=SimpleNamespace(unmatched=unmatched, coverage=None))
    sections.data_behind(f)
    assert any(words in getattr(o, "data", "") for o in shown)


@pytest.mark.parametrize("section", ["where_it_hurts", "what_they_write", "fix_first"])
@pytest.mark.parametrize("top_n", [0, -1, 2.5, True])
def test_a_top_n_that_lists_nothing_is_refused_before_anything_is_shown(section, top_n):
    """-p top_n 0 had made a report with empty tables and charts titled "top 0 of 8"."""
    from jmtools.core.errors import ParameterError
    from jmtools.report import sections

    with pytest.raises(ParameterError, match=r"top_n must be a whole number ≥ 1 — got") as caught:
        getattr(sections, section)(None, top_n=top_n)
    assert "-p top_n 5" in str(caught.value)


def test_a_log_of_dates_only_is_said_above_the_funnel_and_in_the_fit(tmp_path):
    """Events with dates only: the funnel section and the journey-fit list say the order assumed
    within a day and how many customers it touches (n), once each."""
    from test_evidence_days import dated_folder

    dated_folder(tmp_path)
    run = _run(tmp_path)
    text = shown_text(run.displayed)
    said = "2 of 5 customers (40%) have two or more stages on one day"
    assert text.count(said) == 2, text[:3000]
    assert "Event times are dates only: " + said in text            # the fit list
    assert "**Event times are dates only:** " + said in text        # above the funnel: one statement
    assert "**Event times are dates only:** loops and detours are found between days" in text  # pain points
    assert text.count("dates only") == 3 and "Event dates without times" not in text
    assert run.figures["dates_only_customers"]["value"] == 2


def test_a_persona_report_without_customer_table_says_its_dates_only_counts_are_the_whole_logs(tmp_path):
    """Grocery (repeated stages, company-initiated contacts) with dates only and no customer table:
    which customers are Family Fiona's cannot be known, so the counts above her funnel and pain
    points were the whole log's, given as if hers. The report says they are the whole log's."""
    from test_evidence_days import dated_world

    folder = dated_world("grocery", tmp_path / "grocery")
    (folder / "customers.csv").unlink()
    (folder / "customer_personas.csv").unlink(missing_ok=True)
    text = shown_text(_run(folder, persona="Family Fiona").displayed)
    note = ("**Event times are dates only:** Family Fiona's customers are not known without a customer "
            "table, so these counts are of the whole log: ")
    assert text.count(note) == 2, text[:3000]                       # above the funnel and the pain points
    assert note + "2,822 of 3,000 customers (94%) have two or more stages on one day" in text
    assert note + "loops and detours are found between days" in text
    assert "**Event times are dates only:** 2,822 of 3,000" not in text


@pytest.mark.parametrize("builder", ["loud_persona_world", "loud_and_thin_world", "everyone_in_a_persona_world"])
def test_no_small_persona_comes_back_from_the_reports_of_a_world_together(tmp_path, builder):
    """The report for all customers and every persona's own report, read together
    (tests/shown_sizes.py: sizes and coverage as shown, each persona's size by plain pandas
    wherever its report prints it): no total minus a selection of those counts is 1–4. Before,
    Marathon Maya (Loud Lou's world) or Thin Thea protected Lou's 3 in the sizes table but
    printed their sizes in their own reports, and on a world where everyone is in a persona,
    Rest Rory did. Now "(no persona)" protects whenever it has customers, and is hidden in the
    coverage sentence too; the persona that protects otherwise hides its size in its report."""
    import small_groups
    from shown_sizes import assert_no_group_by_subtraction, plain_sizes, reports_known_counts

    folder = small_groups.built(getattr(small_groups, builder), tmp_path / "world")
    truth = plain_sizes(folder)
    assert truth[small_groups.LOUD] == (3, 3)                              # the planted group
    known, totals = reports_known_counts(folder)
    assert "size=Budget Ben" in known and len(known) >= 5                  # the check reads something
    assert_no_group_by_subtraction(totals, known)
    if builder == "everyone_in_a_persona_world":
        assert "(no persona)" not in truth and f"size={small_groups.RORY}" not in known
    else:
        assert "coverage=no persona" not in known and "size=(no persona)" not in known


def test_fix_first_says_what_the_order_and_the_quadrants_rest_on():
    """Family Fiona's opportunities: two at value at stake 0 were listed RICE 750 above RICE 2,000
    without a word; the order is now value at stake, then RICE, then ICE, and the section says so,
    with the medians that split the quadrants.

    D243 (a reminder brings nobody to Restock) gives the delivery window a value: Family Fiona's
    own-step funnel loses 151 of 735 after Delivery (20.5%) against 273 of 3,282 at her other
    stages (8.3%), so 735 × 0.122 × her order value 97.50 = 8,761 (a plain walk of her own steps
    gives these figures), ahead of the two at value 0, which keep their RICE order (2,000, 1,440)."""
    text = shown_text(_run(ROOT / "data" / "grocery", persona="Family Fiona").displayed)
    assert ("Ranked by value at stake, equal ones by RICE then ICE. Quadrants split at the median impact (2) "
            "and effort (1.5) of the journey's opportunities: high from there up.") in text
    assert text.index("A two-hour delivery window") < text.index("Send offers to customers who answer them") \
        < text.index("Order last basket again")
    assert "Ranks are among all the journey's opportunities; those missing relieve none of Family Fiona's pain points." \
        in text                                                             # her table lists #1, #3, #4


def test_the_funnel_counts_own_steps_at_a_stage_where_customers_act_and_says_whom_a_contact_met():
    """D134 → D243: on grocery the restock reminder goes to everyone due. The funnel counted every
    customer reminded at Restock (1,800, 100%); it now counts the 1,134 who took a step of their own
    there, and says below the chart that 666 more got the reminder without one (an outside tester's
    app: a weekly push in First session made Trial → First session read 99.6% for 83.8%)."""
    import pandas as pd

    from jmtools.pipeline._chain import _evidence, load, resolve_focus, select

    for persona, k, n in (("all", 666, 1800), ("Family Fiona", 151, 735)):
        text = shown_text(_run(ROOT / "data" / "grocery", persona=persona).displayed)
        assert (f"Not counted at Restock**: {k:,} of the {n:,} customers counted at Delivery got a contact the "
                f"company started there (Restock reminder) but took no step of their own at Restock, so the funnel "
                f"counts them neither there nor after it.") in text
        assert "Not counted at Delivery" not in text and "Counted through the company's contacts" not in text
        # D262: the reminder is an e-mail the company sent, never the customer's own step, so the way out
        # (mark it `initiated_by: customer`, D243) is not offered under it; tests/test_report_units.py has both sides
        assert "mark that touchpoint `initiated_by: customer`" not in text
    # the counts, against a plain-pandas strict funnel over the customers' own steps
    world = load("sample:grocery")
    tables, events, _ = select(world, resolve_focus(world.journey, "all", ""))
    ev = _evidence(events, world.journey, tables.get("customers"), None).to_pandas()
    company = set(ev.loc[ev["touchpoint"].isin(["Weekly newsletter", "App push", "Restock reminder"]), "event"])
    stages = world.journey.stage_names
    rows = ev.dropna(subset=["stage"]).sort_values(["customer_id", "position"])
    at, reminded = {}, set()                      # own steps reached; reminded at Restock after Delivery
    for cid, s, e in zip(rows["customer_id"], rows["stage"], rows["event"]):
        k = len(at.setdefault(cid, []))
        if e in company:
            reminded |= {cid} if k == 4 and s == stages[4] else set()
        elif k < len(stages) and s == stages[k]:
            at[cid].append(s)
    mine = pd.Series({c: len(v) for c, v in at.items()})
    assert int((mine >= 4).sum()) == 1800 and int((mine >= 5).sum()) == 1134
    assert len(reminded - set(mine[mine >= 5].index)) == 666


@pytest.mark.parametrize("persona", ["all", "Budget Ben"])
def test_a_stage_less_nps_export_and_feedback_still_count_in_the_report(stageless_folder, persona):
    """Survey answers and feedback that name no stage or touchpoint (an NPS tool's export, a help
    desk's) left "No survey answers … at any stage" and an emotion curve of "no evidence" (D132).
    Now the answers are scored over all of them, "not tied to a step", as plain pandas computes the
    planted NPS (for a persona: its customers' answers); the curve is measured from behaviour and
    says why; the feeling says what it rests on."""
    import pandas as pd

    from jmtools.journey import Journey
    from jmtools.personas import assign_personas
    from stageless import planted_nps

    run = _run(stageless_folder, persona)
    text = shown_text(run.displayed)
    answers = pd.read_csv(stageless_folder / "surveys.csv", dtype={"Customer": str})
    if persona != "all":
        who = assign_personas(pd.read_csv(stageless_folder / "customers.csv", dtype={"customer_id": str}),
                              Journey.load(stageless_folder / "journey.yaml"))
        answers = answers[answers["Customer"].isin(who.loc[who["persona"] == persona, "customer_id"])]
    nps, n = planted_nps(answers["Score"])
    assert run.figures["nps_overall"]["value"] == pytest.approx(nps) and run.figures["nps_overall"]["n"] == n
    assert f"{n:,} survey answers from {'all customers' if persona == 'all' else persona} name no stage" in text
    assert "Not tied to a step." in text and "at any stage of the journey." not in text
    curves = [title_of(c) for c in shown_charts(run.displayed) if title_of(c).startswith("Emotion curve")]
    assert curves[0].startswith("Emotion curve from behaviour")
    assert "name no stage or touchpoint, so they cannot be placed on the emotion curve: instead" in text
    assert "No feeling is measured: the curve is friction, computed from" in text and "judged from behaviour" in text
    assert not NAN.findall(text), NAN.findall(text)[:5]


# ------------------------------------------------ ids written differently in the two tables (D154)
_PREFIX = "the ids seem to be the same, written with a prefix or leading zeros around the same number"
_FIX = "Fix: export both tables with the ids written the same way (the same prefix and zeros)"
_ANY_ID = re.compile(r"\bC\d{7}\b|CUST-\d+|'\d+'")       # an id of either table, or one quoted


@pytest.fixture(scope="module")
def prefixed_reports(prefixed_ids_folder):
    """The report on the e-commerce world whose customer table writes ``CUST-000000123`` for
    the events' ``C0000123``, per persona (in-process, run once)."""
    cache = {}

    def get(persona):
        if persona not in cache:
            cache[persona] = shown_text(_run(prefixed_ids_folder, persona).displayed)
        return cache[persona]

    return get


def test_ids_written_with_a_prefix_are_said_with_the_fix_in_the_report_for_all(prefixed_reports):
    """It said "the two tables seem to use different customer ids": the prefix was not tried,
    and the headline said nothing."""
    text = prefixed_reports("all")
    glance = text[:text.index("The data holds")]             # At a glance, above the persona sizes
    assert ("<b>Customer ids</b>: 0 of 4,000 customers with events are in the customer table: " + _PREFIX
            in glance and _FIX in glance)
    said = next(line for line in text.splitlines() if "Most customers with events are not in" in line)
    assert _PREFIX in said and "no persona can be told for the 4,000 customers" in said and _FIX in said
    assert "different customer ids" not in text
    assert not _ANY_ID.findall(text), _ANY_ID.findall(text)[:5]


def test_a_persona_report_names_the_ids_not_the_rule(prefixed_reports):
    """It said "No customer belongs to Budget Ben. Its rule … selects none of the 4,000
    customers with events … Check the rule"."""
    text = prefixed_reports("Budget Ben")
    glance = text.splitlines()[1]                            # under the title
    assert glance.startswith("> **No customer with events can be tied to Budget Ben**")
    assert _PREFIX in glance and "not from its rule" in glance and _FIX in glance
    assert "No customer belongs to" not in text and "selects none of the" not in text
    card = next(line for line in text.splitlines() if "The customer ids of the two tables do not meet" in line)
    assert _PREFIX in card and "Budget Ben's size comes from the ids, not from its rule" in card
    assert not _ANY_ID.findall(text), _ANY_ID.findall(text)[:5]


@pytest.mark.parametrize("persona", ["all", "Budget Ben"])
def test_ids_that_meet_get_no_word_about_ids(ecommerce_world, persona):
    text = shown_text(_run(ecommerce_world.folder, persona).displayed)
    for words in ("Customer ids", "the ids seem", "do not meet", "different customer ids", "comes from the ids",
                  "not in the customer table.**", "can be tied to"):
        assert words not in text, words


def test_a_csat_asked_on_one_to_ten_is_converted_and_the_report_says_what_its_shares_mean(tmp_path):
    """A CSAT asked on 1–10 became a 1–5 CSAT of its answers 1–5 ("CSAT 4.38, 83% 4–5" where the
    1–10 mean was 7.1) (D175). Declared in loading.yaml (asked_on), it is converted to 1–5, and the
    section says how and what the share of 4–5 then is; undeclared, no CSAT is shown."""
    import pandas as pd

    folder = tmp_path / "data"
    folder.mkdir()
    ids = [str(i) for i in range(90)]
    pd.DataFrame({"customer_id": ids * 2, "timestamp": ["2026-03-01 10:00"] * 90 + ["2026-03-02 10:00"] * 90,
                  "event": ["home_visit"] * 90 + ["plan_view"] * 90}).to_csv(folder / "events.csv", index=False)
    csat = [(i % 10) + 1 for i in range(90)]
    pd.DataFrame({"customer_id": ids, "timestamp": "2026-03-03 10:00", "metric": "csat", "score": csat,
                  "stage": "Compare plans"}).to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(
        "jmtools: 1\nname: r\nstages:\n  - name: Discover\n  - name: Compare plans\ntouchpoints:\n"
        "  - {name: Home, stage: Discover, channel: digital, events: [home_visit]}\n"
        "  - {name: Plans, stage: Compare plans, channel: digital, events: [plan_view]}\n", encoding="utf-8")
    text = shown_text(_run(folder).displayed)
    assert "csat answers lie on 1–10, not 1–5 (45 of 90 above 5): none scored" in text
    assert "CSAT, mean (1–5)" not in text
    (folder / "loading.yaml").write_text("surveys:\n  asked_on: {csat: [1, 10]}\n", encoding="utf-8")
    text = shown_text(_run(folder).displayed)
    assert ("Scale. CSAT asked on 1–10 (asked_on), converted to 1–5 as 1 + 4·(score − 1)/9: a mean of 4 is "
            "7.75 on 1–10, and the share of 4–5 is the share of answers 8–10.") in text.replace("**", "")
    shown = pd.Series(csat)
    assert f"{1 + 4 * (shown.mean() - 1) / 9:.2f}" in text and f"{(shown >= 8).mean():.1%}" in text


def test_a_ces_asked_about_ease_says_it_is_turned_round_or_how_to_turn_it(tmp_path):
    """A 1–7 "How easy was setup?" (7 = easy) was read as CES (7 = the most effort), with no word (D195):
    undeclared, the scores section says how to turn it round; with reverse: [ces] it says it was, and the
    share of low effort is the share of answers 5–7 (plain pandas)."""
    import pandas as pd

    folder = tmp_path / "data"
    folder.mkdir()
    ids = [str(i) for i in range(60)]
    pd.DataFrame({"customer_id": ids, "timestamp": "2026-03-01 10:00", "event": "home_visit"}).to_csv(
        folder / "events.csv", index=False)
    ease = [(i % 7) + 1 for i in range(60)]
    pd.DataFrame({"customer_id": ids, "timestamp": "2026-03-03 10:00", "Ease (1-7)": ease,
                  "stage": "Discover"}).to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(
        "jmtools: 1\nname: r\nstages:\n  - name: Discover\ntouchpoints:\n"
        "  - {name: Home, stage: Discover, channel: digital, events: [home_visit]}\n", encoding="utf-8")
    loading = 'surveys:\n  metrics: {ces: "Ease (1-7)"}\n'
    (folder / "loading.yaml").write_text(loading, encoding="utf-8")
    text = shown_text(_run(folder).displayed).replace("**", "")
    assert "Scale. CES is read as effort (7 = the most effort), but 'Ease (1-7)' asks about ease" in text
    (folder / "loading.yaml").write_text(loading + "  reverse: [ces]\n", encoding="utf-8")
    text = shown_text(_run(folder).displayed).replace("**", "")
    assert "Scale. CES asked the other way round (reverse: 7 is the least effort)" in text
    assert f"{(pd.Series(ease) >= 5).mean():.1%}" in text


# ------------------------------------------------ behaviour only: friction, never a feeling (D189)
_FELT = re.compile(r"how customers felt|these customers felt|the last feeling|Feeling is computed|very positive")


@pytest.mark.parametrize("persona", ["all", "Budget Ben"])
def test_a_behaviour_only_report_claims_no_feeling(table_subset, persona):
    """Events and customers, no survey or feedback: a permit office's world showed a persona's
    curve "(these customers felt about the same)", small multiples "Height: how customers felt,
    −2 (very bad) to +2 (very good)" and "the last feeling is the one customers remember" — feelings
    nothing in the data measured. Each now speaks of friction in what customers did; the figure a
    persona is compared with is the all-customers report's own (oracle: that run's curve). Then
    (D194) "Feeling is computed from … judged from behaviour" and the charts' axis "+2 very positive"."""
    run = _run(table_subset("events+customers"), persona)
    text = shown_text(run.displayed)
    captions = "\n".join(c.get("usermeta", {}).get("caption", "") for c in shown_charts(run.displayed))
    specs = json.dumps(shown_charts(run.displayed), ensure_ascii=False, default=str)
    assert "Measured from behaviour only" in text
    assert not _FELT.findall(text + captions + specs), _FELT.findall(text + captions + specs)
    assert "0 no friction" in specs                                     # the curve's axis reads as friction
    assert "friction (0..−2)" in text and "emotion (−2..+2)" not in text   # and the curve's table
    assert "from behaviour" in run.figures["lowest_emotion"]["label"]
    if persona == "all":                                   # one small chart per persona
        assert "One small chart per persona" in captions and "friction" in captions
        return
    said = re.search(r"; all customers (−?\d\.\d\d) \(([^)]*)\)", text)
    assert said and said.group(2) in ("about the same friction", "more friction", "less friction")
    from jmtools import pipeline

    stage = run.figures["lowest_emotion_stage"]["value"]
    curve = pipeline.run(str(table_subset("events+customers"))).curve
    [everyone] = curve.loc[(curve["persona"] == "all") & (curve["stage"] == stage), "valence"]
    assert float(said.group(1).replace("−", "-")) == pytest.approx(everyone, abs=0.005)


_OLD_INTRO = ("The emotion curve puts survey scores and feedback text on one scale from −2 (very negative) to +2 "
              "(very positive),\naveraged per customer and stage. The dashed line is what the team assumed in the "
              "workshop; hollow points rest on\nfew customers.")


@pytest.mark.parametrize("name", ["surveys+feedback", "events+customers"])
def test_the_curve_section_opens_with_the_scale_its_evidence_has(reports, name):
    """D200: notebook 00's fixed introduction ("one scale from −2 (very negative) to +2 (very
    positive)") was shown above a behaviour-only curve too. It is now the section's first paragraph:
    word for word as before where surveys and feedback count, friction where only behaviour does."""
    text = shown_text(reports(name).displayed)
    if name == "surveys+feedback":
        assert _OLD_INTRO in text and "Nothing here measured how customers feel" not in text
    else:
        assert _OLD_INTRO not in text and "very negative" not in text
        assert "the curve is friction in what customers did, on a scale from 0 (no friction seen) to −2" in text


def _feelings_text(f, monkeypatch) -> str:
    parts = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: parts.extend(str(getattr(o, "data", o)) for o in objs))
    sections.feelings(f)
    return "\n".join(parts)


def test_the_behaviour_curve_says_who_it_leaves_out_as_still_open(tmp_path, monkeypatch):
    """D196: behaviour read as abandoning, yet within the follow-up window, is left out and said below the curve."""
    ev = permit_events(seed=3, n=1500)
    ev.to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "journey.yaml").write_text(STAGES_YAML, encoding="utf-8")
    f = pipeline.run(tmp_path)
    text = _feelings_text(f, monkeypatch)
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="max")
    window = np.quantile(((wide["decide"] - wide["upload"]).dt.total_seconds() / 3600).dropna(), 0.99)
    recent = wide["upload"] > ev["timestamp"].max() - pd.Timedelta(hours=window)
    assert f"{int((recent & wide['decide'].isna()).sum()):,} of the {int(recent.sum()):,} customers who " \
           "reached Upload after" in text and "**Still open at the data's end.**" in text
    upload = f.curve_focus.set_index("stage").loc["Upload"]
    assert upload["n"] == int((wide["upload"].notna() & ~recent).sum())
    assert upload["valence"] == pytest.approx(-wide.loc[wide["upload"].notna() & ~recent, "decide"].isna().mean(),
                                              abs=0.005)


def test_a_personas_curve_note_counts_the_personas_customers(tmp_path, monkeypatch):
    """D199: a persona's report said all customers' still-open counts under the persona's curve."""
    ev = permit_events(seed=3, n=1500)
    customers = permit_folder(tmp_path, ev)
    f = pipeline.run(tmp_path, persona="Firm")
    text = _feelings_text(f, monkeypatch)
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    window = np.quantile(((wide["decide"] - wide["upload"]).dt.total_seconds() / 3600).dropna(), 0.99)
    recent = wide["upload"] > ev["timestamp"].max() - pd.Timedelta(hours=window)    # the rule of all customers
    firm = wide.index.isin(customers.loc[customers["kind"] == "firm", "customer_id"])
    left, still = int((recent & firm).sum()), int((recent & firm & wide["decide"].isna()).sum())
    assert 20 < still < int((recent & wide["decide"].isna()).sum())
    assert f"{still:,} of the {left:,} customers of Firm who reached Upload after" in text
    upload = f.curve_focus.set_index("stage").loc["Upload"]            # the persona's point leaves them out
    assert upload["n"] == int((wide["upload"].notna() & ~recent & firm).sum())


@pytest.mark.parametrize("name", ["surveys+feedback", "events+customers"])
def test_the_curve_sections_heading_says_friction_where_only_behaviour_counts(reports, name, monkeypatch, tmp_path):
    """D207 renamed notebook 00's Markdown heading "How customers feel along the way" only in the
    exported HTML: a live run and the executed notebook still asked how customers feel above a
    friction curve. The section prints its heading itself (D210): "Where customers meet friction
    along the way" where only behaviour counts, word for word as before with surveys and feedback;
    the notebook has no fixed heading for it, and the exported report, its anchor and its contents
    say the printed one, once — also from a copy of notebook 00 made before, with its Markdown heading."""
    import nbformat

    from jmtools.report.html import export_html

    f, parts = reports(name).namespace["f"], []         # the report runs first: its displays are its own
    monkeypatch.setattr(sections.kit, "display", lambda *objs: parts.extend(objs))
    sections.feelings(f)
    cells = nbformat.read(NB00, as_version=4).cells
    assert not any(c.cell_type == "markdown" and "along the way" in c.source for c in cells)
    k = next(i for i, c in enumerate(cells) if c.source == "sections.feelings(f)")
    heading = ("How customers feel along the way" if name == "surveys+feedback"
               else "Where customers meet friction along the way")
    assert parts[0].data.startswith(f"## {heading}\n\n")                 # what a live run shows first
    assert cells[k - 1].cell_type == "code"                            # no Markdown heading above it
    code = cells[k]
    code.outputs = [nbformat.v4.new_output("display_data", {"text/markdown": p.data})
                    for p in parts if type(p).__name__ == "Markdown"]
    old_copy = nbformat.v4.new_markdown_cell("## How customers feel along the way")   # notebook 00 before D210
    for shown in ([code], [old_copy, code]):
        page = export_html(nbformat.v4.new_notebook(cells=shown), tmp_path / "r.html").read_text(encoding="utf-8")
        headings = [h for h in re.findall(r'<h2 id="([^"]+)">(.*?)<', page) if "along the way" in h[1]]
        toc = re.findall(r'<li class="jm-toc-h2"><a href="#([^"]+)">(.*?)</a>', page)
        assert [h for _, h in headings] == [heading] and toc[:1] == headings
        assert headings[0][0] == heading.replace(" ", "-")                 # its anchor, as a Markdown cell's
        if name != "surveys+feedback":
            assert "How customers feel" not in page
