"""jmtools.report.headline and jmtools.report.wording: plain sentences, one number format.

The headline of every ecommerce persona (in-process, from the shared prepared world) is
checked for the words and formats the issue asks for: no "valence", every share a
percentage, n and intervals, each figure compared with all customers.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.emotions import moments_of_truth
from jmtools.report.headline import headline_html, headline_items
from jmtools.report.previous import fill_previous
from jmtools.report.wording import compared, coverage_sentence, percent, plain

PERSONAS = ["all", "Budget Ben", "Marathon Maya", "New Runner Nina", "Weekend Walter"]
_BARE_SHARE = re.compile(r"(?<![\d.,+−-])0\.\d{2,}(?!\d*%)")  # 0.838 beside 83.8% elsewhere


@pytest.fixture(scope="module")
def findings(ecommerce_world):
    return {p: pipeline.run(ecommerce_world.prepared, persona=p) for p in PERSONAS}


@pytest.fixture(scope="module")
def headlines(findings):
    return {p: headline_items(f) for p, f in findings.items()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_headline_sentences_are_plain_with_n_intervals_and_percentages(headlines, persona):
    items = {it["key"]: it["text"] for it in headlines[persona]}
    assert list(items) == ["focus", "loss", "lowest", "pain", "fix"]
    text = " ".join(items.values())
    assert "valence" not in text.lower() and not _BARE_SHARE.search(text), text
    assert "95% CI" in items["focus"] and "n=" in items["focus"]
    assert "%" in items["loss"] and "95% CI" in items["loss"]
    assert "customers felt" in items["lowest"] and "n=" in items["lowest"]
    assert "owner:" in items["fix"]
    if persona != "all":  # compared with all customers
        assert "all customers" in items["focus"] and "all customers" in items["loss"]
        assert "all customers" in items["lowest"]


def test_the_headline_is_escaped_and_fills_the_previous_run():
    html = headline_html([{"key": "lowest", "label": "<b>x</b>", "text": "A <script>", "figure": "lowest_emotion"}])
    assert "<script>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    filled = fill_previous(html, {"lowest_emotion": {"value": -0.5}}, {"lowest_emotion": {"value": -0.8}})
    assert "previous run −0.80 (+0.30)" in filled
    assert 'data-figure="lowest_emotion"></span>' not in fill_previous(html, {}, None)


def test_wording_turns_analyst_terms_into_readers_words():
    assert plain("Budget Ben: negative valence -0.95 (n=387) vs +0.81 other personas (n=1,168)") == \
        "Budget Ben: emotion −0.95 on −2..+2 (n=387) vs +0.81 other personas (n=1,168)"
    assert plain("Negative valence at decision") == "Customers felt worse at decision"
    assert plain("CES low effort 4.0%") == "CES, share of low effort 4.0%"
    assert percent(0.838) == "83.8%" and compared(0.5, 0.25) == "all customers 25.0% (+25.0 points)"
    cov = pd.DataFrame({"coverage": ["one persona", "no persona", "several personas"], "n": [3899, 98, 3]})
    sentence = coverage_sentence(cov, 4000)
    assert sentence.startswith("Of the 4,000 customers with events, 3,899 (97.5%) match exactly one persona")
    assert "coverage" not in sentence.lower()


def test_the_top_pain_point_is_compared_with_the_previous_run(headlines):
    [pain] = [it for it in headlines["Budget Ben"] if it["key"] == "pain"]
    html = headline_html([pain])
    assert 'data-figure="top_pain_point"' in html
    now = {"top_pain_point": {"value": "Delivery fee appears only at payment"},
           "top_pain_point_customers": {"value": 405, "n": 1113}}
    same = fill_previous(html, now, {"top_pain_point": {"value": "Delivery fee appears only at payment"},
                                     "top_pain_point_customers": {"value": 350, "n": 1000}})
    assert ("the same as in the previous run; met by 405 of 1,113 customers (36.4%), "
            "previous run 350 of 1,000 (35.0%), +1.4 points") in same
    other = fill_previous(html, now, {"top_pain_point": {"value": "Few payment options"}})
    assert "new at the top: it replaced “Few payment options”, the top pain point of the previous run" in other
    unmeasured = fill_previous(html, now, {"top_pain_point": {"value": "Delivery fee appears only at payment"}})
    assert "(the same as in the previous run)" in unmeasured
    assert 'data-figure="top_pain_point"></span>' not in fill_previous(html, now, None)


def test_the_report_records_how_many_met_the_top_pain_point(ecommerce_world, monkeypatch):
    """What the previous-run comparison reads: customers who met it, of the focus's customers."""
    from jmtools.report import problem_sections, sections

    recorded = {}
    monkeypatch.setattr(problem_sections, "record", lambda name, value, **kw: recorded.update({name: (value, kw)}))
    monkeypatch.setattr(sections.kit, "display", lambda *objs: None)
    f = pipeline.run(ecommerce_world.prepared, persona="Budget Ben")
    sections.where_it_hurts(f)
    top = f.pain_points.table.iloc[0]
    value, kw = recorded["top_pain_point_customers"]
    assert value == int(round(top["customers_affected"])) and kw["n"] == f.n_customers
    assert recorded["top_pain_point"][0] == top["title"]


def test_every_report_chart_has_one_plain_caption():
    from jmtools.report.present import backlog_chart, with_caption
    from jmtools.report.wording import CAPTIONS, caption

    assert all(text and "valence" not in text.lower() for text in CAPTIONS.values())
    b = pd.DataFrame({"title": ["A"], "impact": [2.0], "effort": [1.0], "quadrant": ["quick win"]})
    assert with_caption(backlog_chart(b), "backlog").to_dict()["usermeta"]["caption"] == caption("backlog")
    with pytest.raises(Exception, match="pain_points"):
        caption("pain points")


def test_the_report_draws_no_count_of_fewer_than_five_customers(ecommerce_world, monkeypatch):
    """A pain point met by 1–4 customers: its bar label shows no count, nothing is recorded for
    the headline, and a note says why (the same minimum as the quotes)."""
    import copy

    from jmtools.report import problem_sections, sections

    recorded, shown = {}, []
    monkeypatch.setattr(problem_sections, "record", lambda name, value, **kw: recorded.update({name: (value, kw)}))
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    f = copy.copy(pipeline.run(ecommerce_world.prepared, persona="Budget Ben"))
    f.pain_points = copy.copy(f.pain_points)
    f.pain_points.table = f.pain_points.table.assign(
        customers_affected=[3.0] + list(f.pain_points.table["customers_affected"].iloc[1:]))
    sections.where_it_hurts(f)
    spec = next(o for o in shown if hasattr(o, "to_dict")).to_dict()      # the pain-point chart
    labels = [r["note"] for rows in spec["datasets"].values() for r in rows if "note" in r]
    assert labels and not any("customers" in n for n in labels)          # bars carry their score only
    table = next(str(o.data) for o in shown if "what the data shows" in str(getattr(o, "data", "")))
    cells = re.findall(r'data-label="customers">([^<]*)<', table)
    assert cells[0] == "–" and all(c.replace(",", "").isdigit() for c in cells[1:])  # larger counts stay
    text = " ".join(str(getattr(o, "data", "")) for o in shown)
    assert "Pain points met by fewer than 5 customers (1 here) are listed without that count." in text
    assert "top_pain_point_customers" not in recorded


def test_fix_first_totals_each_customer_once(ecommerce_world):
    """Budget Ben's #1 and #2 both relieve the hidden fee: the headline said "45% of the 58,526",
    adding the same 26,099 twice. The total is the union: each pain point's value once."""
    f = pipeline.run(ecommerce_world.prepared, persona="Budget Ben")
    fix = {it["key"]: it["text"] for it in headline_items(f)}["fix"]
    backlog, pains = f.backlog, f.pain_points.table.set_index("pain_point_id")
    linked = pd.unique(backlog["pain_points"].explode().dropna())           # plain pandas oracle
    per_pain = pd.Series({p: pains.at[p, "customers_affected"] * pains.at[p, "lift_needed"]
                          for p in linked if p in pains.index}).fillna(0)
    ben = f.order_value.set_index("persona").at["Budget Ben", "order_value"]   # his own order value (D188)
    assert {p["persona"] for parts in backlog["stake_parts"] for p in parts} <= {"Budget Ben"}
    union = float((per_pain * ben).sum())
    summed = float(backlog["value_at_stake"].sum())
    assert union < summed - 1                                               # the planted overlap is there
    first = float(backlog["value_at_stake"].iloc[0])
    assert f"of the {union:,.0f} at stake across all {len(backlog)} opportunities" in fix, fix
    assert f"{first / union:.0%} of the" in fix and "each customer counted once" in fix
    assert "shares customers with #2" in fix and f"{summed:,.0f}" not in fix


def test_each_figure_is_recorded_once(ecommerce_world, monkeypatch):
    """The appendix listed "Reached Post-purchase" twice: the headline's share with its interval
    and the funnel's last step. The funnel now leaves the last stage to the headline."""
    from jmtools.report import sections

    labels = []
    monkeypatch.setattr(sections, "record", lambda name, value, **kw: labels.append(kw.get("label", name)))
    monkeypatch.setattr(sections.kit, "display", lambda *objs: None)
    f = pipeline.run(ecommerce_world.prepared, persona="Budget Ben")
    sections.at_a_glance(f)
    sections.how_far(f)
    assert labels.count("Reached Post-purchase") == 1
    assert len(labels) == len(set(labels)), labels
    assert "Reached Consideration" in labels                  # the other stages stay


@pytest.mark.parametrize("order_value, pains, said", [
    (float("nan"), ["slow"], "(no orders to value it)"),
    (782.33, ["slow"], "(no value at stake: no lift estimated for the 126 customers of its pain point)"),
    (782.33, [], "(it relieves no pain point to value it by)"),
])
def test_fix_first_says_why_it_has_no_value_at_stake(order_value, pains, said):
    """An outside tester's insurer loaded 1,113 orders, and "Fix first" still said "no orders to
    value it": the value was 0 because no lift was estimated for its pain point's customers."""
    import types

    from jmtools.report.headline import _fix

    backlog = pd.DataFrame([{"title": "Fast-track small claims", "owner": None, "rice": 525.0,
                             "value_at_stake": 0.0, "order_value": order_value, "pain_points": pains,
                             "customers_affected": 126.0}])
    item = _fix(types.SimpleNamespace(backlog=backlog))
    assert item["text"] == f"Fast-track small claims — owner: no owner named; first by RICE score 525 {said}."


def test_the_headline_says_first_when_most_customer_ids_do_not_meet(prefixed_ids_folder, tmp_path):
    """A customer table keyed ``CUST-000000123`` beside events keyed ``C0000123`` (D154): the
    headline's first sentence says how the ids differ and the fix; for a persona whose rule
    still finds the customers whose ids meet (every fourth here), that its size comes from
    the ids, not from its rule. A world whose ids meet has no such sentence (the test above)."""
    import shutil

    partly = tmp_path / "partly"
    shutil.copytree(prefixed_ids_folder, partly)
    customers = pd.read_csv(partly / "customers.csv", dtype={"customer_id": str})
    number = customers["customer_id"].str.removeprefix("CUST-").astype(int)
    customers.loc[number % 4 == 0, "customer_id"] = number.map(lambda i: f"C{i:07d}")
    customers.to_csv(partly / "customers.csv", index=False)
    shape = "the ids seem to be the same, written with a prefix or leading zeros around the same number"
    fix = "Fix: export both tables with the ids written the same way (the same prefix and zeros)"

    every = headline_items(pipeline.run(prefixed_ids_folder, persona="all"))
    assert [it["key"] for it in every] == ["ids", "focus", "loss", "lowest", "pain", "fix"]
    assert every[0]["text"].startswith(f"0 of 4,000 customers with events are in the customer table: {shape}. ")
    assert fix in every[0]["text"] and "C000" not in every[0]["text"] and "CUST" not in every[0]["text"]

    f = pipeline.run(partly, persona="Budget Ben")
    assert 0 < f.n_customers < 0.5 * f.evidence.n_customers and f.ids_apart.matched == 1000
    ben = headline_items(f)
    assert ben[0]["key"] == "ids" and ben[1]["key"] == "focus"
    assert ben[0]["text"].startswith(f"1,000 of 4,000 customers with events are in the customer table: {shape}. ")
    assert "so it cannot select the 3,000 customers missing from it: Budget Ben's size comes from the ids" in \
        ben[0]["text"] and fix in ben[0]["text"]
    assert "<b>Customer ids</b>: 1,000 of 4,000" in headline_html(ben)


def test_a_folder_of_one_customer_is_said_in_the_singular():
    """A one-customer folder read "Of the 1 customers with events" (D195)."""
    cov = pd.DataFrame({"coverage": ["one persona", "no persona", "several personas"], "n": [1, 0, 0],
                        "suppressed": [True, False, False]})
    assert coverage_sentence(cov, 1).startswith("Of the 1 customer with events")
    assert "1 customers" not in coverage_sentence(cov, 1)


def test_the_lowest_moment_and_the_pain_point_say_what_each_emotion_averages(ecommerce_world):
    """A mortgage test: "Lowest moment: Offer … −0.11 (n=72)" and "Top pain point … emotion −0.35
    (n=189 answers from 72 customers)" at one stage, both right (a mean of each customer's mean,
    a mean over answers) and nothing said which (D205). Oracle: plain pandas on the evidence."""
    f = pipeline.run(ecommerce_world.prepared, persona="Budget Ben")
    items = {it["key"]: it["text"] for it in headline_items(f)}
    low = f.lowest_emotion
    ev = f.emotion_evidence
    here = ev[ev["used"].astype(bool) & (ev["stage"] == low["stage"]) & (ev["persona"] == "Budget Ben")]
    per_customer = here.groupby("customer_id")["valence"].mean()
    assert low["valence"] == pytest.approx(per_customer.mean()) != pytest.approx(here["valence"].mean())
    assert ("on −2..+2, averaged per customer (95% CI" in items["lowest"]
            and f"n={len(per_customer):,} customers)" in items["lowest"])
    assert "emotion" in items["pain"] and "on −2..+2 averaged per answer (n=" in items["pain"]
    assert "averaged per answer" not in items["lowest"] and "averaged per customer" not in items["pain"]


def _nps_world(folder, scores):
    """Customers who report, decide and are closed; an NPS question (0–10) asked at Closure, one
    answer per customer (the planted ``scores``)."""
    folder.mkdir()
    (folder / "journey.yaml").write_text(
        "jmtools: 1\nname: Claims\nstages: [{name: Report}, {name: Decision}, {name: Closure}]\ntouchpoints:\n"
        "  - {name: Form, stage: Report, channel: digital, events: [reported]}\n"
        "  - {name: Answer, stage: Decision, channel: digital, events: [decided]}\n"
        "  - {name: Letter, stage: Closure, channel: digital, events: [closed], initiated_by: company}\n")
    t0 = pd.Timestamp("2026-02-02 10:00")
    ids = [f"c{i:03d}" for i in range(len(scores))]
    events = pd.DataFrame([(c, e, t0 + pd.Timedelta(hours=5 * i + 30 * k)) for i, c in enumerate(ids)
                           for k, e in enumerate(["reported", "decided", "closed"])],
                          columns=["customer_id", "event", "timestamp"])
    events.to_csv(folder / "events.csv", index=False)
    surveys = pd.DataFrame({"customer_id": ids, "metric": "nps", "score": scores, "stage": "Closure",
                            "timestamp": [t0 + pd.Timedelta(hours=5 * i + 70) for i in range(len(ids))]})
    surveys.to_csv(folder / "surveys.csv", index=False)
    return surveys


@pytest.mark.parametrize("scores, sign, words", [
    ([5] * 20 + [6] * 21 + [8] * 32 + [9] * 15 + [10] * 12, -1, "customers felt slightly bad here"),  # NPS −14
    ([3] * 10 + [7] * 40 + [9] * 30 + [10] * 20, 1, "customers felt good here"),                     # NPS +40
])
def test_an_nps_question_at_a_stage_has_the_sign_of_its_nps_and_one_point_is_no_lowest_moment(
        tmp_path, scores, sign, words):
    """D232: an insurer's closure survey (NPS −13.3) read "Lowest moment: Abschluss: customers felt
    good here — +0.74" (the mean answer 6.83 mapped linearly), also shown as the peak. By band the
    point is the NPS ÷ 50 (plain pandas), and a curve of one point says so instead of "lowest"."""
    s = _nps_world(tmp_path / "w", scores)
    nps = 100 * ((s["score"] >= 9).mean() - (s["score"] <= 6).mean())
    assert s["score"].mean() > 5                                       # the linear map said "good" for both
    f = pipeline.run(tmp_path / "w", persona="all")
    point = f.curve_focus.dropna(subset=["valence"])
    assert point["stage"].tolist() == ["Closure"] and int(point["n"].iloc[0]) == len(s)
    assert point["valence"].iloc[0] == pytest.approx(nps / 50) and (point["valence"].iloc[0] > 0) == (sign > 0)
    item = next(i for i in headline_items(f) if i["key"] == "lowest")
    assert item["label"] == "Measured at one stage"
    assert item["text"].startswith(f"Closure, the only stage the curve measures: {words} — "
                                   f"{nps / 50:+.2f}".replace("-", "−"))
    kinds = moments_of_truth(f.curve)
    assert kinds.loc[kinds["persona"] == "all", "kind"].tolist() == ["only point"]
    assert kinds["explanation"].iloc[0].startswith("Only point for all customers: Closure")


def test_the_only_point_of_a_curve_is_no_lowest_on_the_chart_or_in_the_records(tmp_path, monkeypatch):
    """D247 (F11): the text said "the curve measures one stage, so it has no lowest point", while the
    chart's ring there read "lowest" and the report's records "Lowest point". One rule for all three."""
    import json

    from jmtools.charts.emotions import emotion_curve_chart
    from jmtools.report import sections

    _nps_world(tmp_path / "w", [3] * 10 + [7] * 40 + [9] * 30 + [10] * 20)
    f = pipeline.run(tmp_path / "w", persona="all")
    kinds = moments_of_truth(f.curve)
    spec = json.dumps(emotion_curve_chart(f.curve, moments=kinds, personas=["all"]).to_dict())
    assert '"kind": "only point"' in spec and '"kind": "lowest"' not in spec
    labels = {}
    monkeypatch.setattr(sections, "record", lambda name, value, **kw: labels.setdefault(name, kw.get("label")))
    cards = sections._lowest_card(f)
    assert labels["lowest_emotion_stage"] == "Only point" and cards[0]["label"].startswith("Only point")



def test_a_typical_wait_in_the_headline_says_what_it_is_beside_it(findings, headlines):
    """The top pain point's "typical wait" is a geometric mean (D235): the headline says so, as the
    pain point table's note does — the term's tooltip and a visible line that print keeps (D239).
    Budget Ben's top pain point has a slow step among its signals (D235); put first, the headline says it."""
    import dataclasses
    import html as html_lib

    from jmtools.report.wording import caption

    ben = findings["Budget Ben"]
    table = ben.pain_points.table.copy()
    parts = str(table["evidence"].iloc[0]).split("; ")
    slow = [i for i, part in enumerate(parts) if "slow step, typical wait " in part]
    assert slow, parts                                   # Ben's top pain point is slow too, said second
    table.iloc[0, table.columns.get_loc("evidence")] = "; ".join([parts[slow[0]]] + parts[:slow[0]] + parts[slow[0] + 1:])
    planted = dataclasses.replace(ben, pain_points=dataclasses.replace(ben.pain_points, table=table))
    items = headline_items(planted)
    pain = next(it for it in items if it["key"] == "pain")
    assert "typical wait" in pain["text"] and pain["note"] == caption("typical_wait")
    page = headline_html(items)
    note = html_lib.escape(caption("typical_wait"))
    assert page.count(f'<dfn title="{note}">typical wait</dfn>') == 1
    assert f'<span class="jm-headline-note">{note}</span></li>' in page
    for p in PERSONAS:                                   # their top pain points are no slow step: no note
        assert "jm-headline-note" not in headline_html(headlines[p]) and "<dfn" not in headline_html(headlines[p])


def test_a_funnel_nobody_leaves_is_said_to_lose_none(tmp_path, monkeypatch):
    """D265: a monthly billing cycle every customer goes through read "Biggest loss: Meter reading →
    Bill: 0.0% do not go on (0 of 40)" — a loss of nobody named as the biggest. It says none is lost."""
    from jmtools.report import sections

    rows = [(f"c{i}", f"2025-0{m}-0{d} 1{i % 10}:00", e) for i in range(40) for m in (1, 2)
            for d, e in ((1, "reading"), (3, "bill"), (9, "pay"))]
    pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "journey.yaml").write_text(
        "name: cycle\nstages: [{name: Reading}, {name: Bill}, {name: Pay}]\ntouchpoints: ["
        "{name: r, stage: Reading, channel: digital, events: [reading]}, {name: b, stage: Bill, channel: digital, "
        "events: [bill]}, {name: p, stage: Pay, channel: digital, events: [pay]}]\n")
    f = pipeline.run(str(tmp_path))
    assert f.funnel["drop_off"].sum() == 0                    # the planted truth: nobody stops
    (item,) = [i for i in headline_items(f) if i["key"] == "loss"]
    assert item["text"] == "none: all 40 customers who start reach every stage of the funnel."
    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    sections.at_a_glance(f)
    sections.how_far(f)
    text = " ".join(str(getattr(o, "data", o)) for o in shown)
    assert "do not go on" not in text and "The biggest loss is between" not in text
    assert "No stage loses customers: all 40 customers who start reach every stage of the funnel." in text
    assert "Reading → Bill" not in text                       # the card names no step as the loss
