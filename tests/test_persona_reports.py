"""Per-persona report numbers of every persona of both sample worlds, computed in-process.

The report notebooks run in a kernel once per sample world (tests/test_notebook_*.py); what
they compute for each persona is checked here without a kernel, by calling the same package
functions the notebooks call, in the same order with the same arguments:

- :func:`_report_numbers` — notebooks/00_journey_report.ipynb (funnel, emotion curve, KPIs,
  pain points ranked for the persona, themes, backlog) and the figures it records;
- :func:`_profile_numbers` — notebooks/01_personas.ipynb (persona size, share, conversion,
  typical events);
- :func:`_emotion_numbers` — notebooks/03_emotion_curves.ipynb (moments of truth).

The kernel runs of notebook 00 record the same figures as :func:`_report_numbers` (checked
below): it runs :func:`jmtools.pipeline.run` and the report sections the notebook calls.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import nbformat
import pytest

from jmtools import pipeline
from jmtools.analyses import emotions, funnels, valence
from jmtools.core.errors import ParameterError
from jmtools.personas import assign_personas
from jmtools.report import iterate, sections
from jmtools.report.record import figure_payload, read_records
from jmtools.report.steps import _record_one_persona, record_emotion_figures
from notebook_runs import SEGMENT
from oracles import persona_labels, reached_steps, event_stages

ECOMMERCE_PERSONAS = ["Budget Ben", "Marathon Maya", "New Runner Nina", "Weekend Walter"]
B2B_PERSONAS = ["SMB Owner Sam", "Mid-market Ops Olivia", "Enterprise Procurement Priya"]
PERSONAS = {"ecommerce": ECOMMERCE_PERSONAS, "b2b": B2B_PERSONAS}
CASES = [(w, p) for w in ("ecommerce", "b2b") for p in PERSONAS[w]]


# ------------------------------------------------------------------ notebook 00, in-process
_PREPARED: dict = {}

#: The report sections of notebook 00, in the notebook's order (what each records).
SECTIONS = ("record_inputs", "title", "at_a_glance", "who", "data_behind", "how_far", "feelings",
            "survey_kpis", "where_it_hurts", "what_they_write", "fix_first")


def _recorded(f) -> dict:
    """The figures notebook 00's sections record for these findings (nothing displayed)."""
    import sys

    rec = sys.modules["jmtools.report.record"]
    figures = {}

    def emit(payload):
        if payload.get("kind") == "figure":
            figures[payload["name"]] = payload

    saved = rec._emit, sections.kit.display, iterate._display
    rec._emit, sections.kit.display, iterate._display = emit, lambda *objs: None, lambda *objs: None
    try:
        for name in SECTIONS:
            getattr(sections, name)(f)
        iterate.since_last_time(f)              # a first run: no earlier run of this focus
    finally:
        rec._emit, sections.kit.display, iterate._display = saved
    return figures


def _report_numbers(world, persona: str = "all", *, segment: str = "", min_n: int = 30):
    """What notebook 00 computes and records for one persona (``"all"``: everybody).

    ``world`` is a loaded world (``jmtools.sources.load_world``); it is prepared once per
    segment (:func:`jmtools.pipeline.prepare_world`). Returns ``figures`` (the recorded
    figures, as ``jmtools.report.record`` payloads) and the frames behind them.
    """
    key = (id(world), segment)
    if key not in _PREPARED:
        _PREPARED[key] = pipeline.prepare_world(world, segment=segment)
    f = pipeline.run(_PREPARED[key], persona=persona, min_n=min_n)
    return SimpleNamespace(figures=_recorded(f), funnel=f.funnel, fun_all=f.funnel_all, curve=f.curve,
                           emotion=f.curve_focus, kpis=f.kpis, pains=f.pain_points.table,
                           themes=f.themes_focus, backlog=f.backlog, n_customers=f.n_customers,
                           thin=f.n_customers < min_n)


def _values(figures: dict) -> dict:
    return {k: f["value"] for k, f in figures.items()}


# ------------------------------------------------------------------ the kernel runs agree
def test_notebook_00_records_what_the_helper_computes_ecommerce(notebook_runs, ecommerce_world):
    """Kernel run (Budget Ben, through the batch runner) and in-process helper: same figures.
    This is also the run-to-run check: the same input gives the same recorded figures."""
    _, batch = notebook_runs.get("nb00_ecommerce")
    [ben] = batch.results
    assert ben.ok, ben.error
    assert ben.figures == _report_numbers(ecommerce_world.world, "Budget Ben").figures


def test_notebook_00_records_what_the_helper_computes_b2b_segment(notebook_runs, b2b_world):
    _, path = notebook_runs.get("nb00_b2b")
    recorded = read_records(nbformat.read(path, as_version=4))["figures"]
    assert recorded == _report_numbers(b2b_world.world, "all", segment=SEGMENT).figures


# ------------------------------------------------------------------ every persona, both worlds
def _oracle_ids(sw, persona):
    """Customers of a persona with events: first matching rule wins (pandas query)."""
    customers = sw.read("customers.csv")
    label, _ = persona_labels(customers, [(p.name, p.rule) for p in sw.journey.personas_resolved()])
    events = sw.read("events.parquet")
    ids = set(customers.loc[label == persona, "customer_id"]) & set(events["customer_id"])
    return ids, events


@pytest.mark.parametrize("world, persona", CASES)
def test_report_counts_match_a_plain_pandas_oracle(sample_worlds, world, persona):
    """Customers and the strict stage funnel of each persona, recomputed in plain pandas."""
    sw = sample_worlds[world]
    if not sw.available:
        pytest.skip("sample world not generated")
    numbers = _report_numbers(sw.world, persona)
    figures = _values(numbers.figures)
    ids, events = _oracle_ids(sw, persona)
    assert figures["customers"] == len(ids)
    events = events.assign(stage=event_stages(events, sw.journey).to_numpy())
    reached = reached_steps(events[events["customer_id"].isin(ids) & events["stage"].notna()],
                            sw.journey.stage_names)
    started, finished = int(reached.iloc[:, 0].sum()), int(reached.iloc[:, -1].sum())
    assert numbers.figures["reached_last_stage"]["n"] == started
    assert figures["reached_last_stage"] == pytest.approx(finished / started)
    assert numbers.funnel["n"].tolist() == reached.sum().tolist()
    # a persona's report never counts more customers than the persona has
    assert (numbers.pains["customers_affected"].dropna() <= len(ids)).all()
    assert numbers.pains["rank"].tolist() == list(range(1, len(numbers.pains) + 1))


def test_budget_ben_report_finds_the_planted_truths(ecommerce_world):
    truths = ecommerce_world.truths
    figures = _values(_report_numbers(ecommerce_world.world, "Budget Ben").figures)
    # planted truths: Ben's low is at Decision (checkout), and hidden fees hurt him most
    low = next(t for t in truths["emotion"] if t["persona"] == "Budget Ben" and t["kind"] == "low")
    assert figures["lowest_emotion_stage"] == low["stage"]
    assert figures["lowest_emotion"] < 0
    fees = next(t for t in truths["themes"] if "Budget Ben" in t["main_personas"])
    assert figures["top_pain_point"] == fees["title"]


def _hurts(numbers, top_n: int = 5) -> str:
    """What the report's "Where it hurts" section shows: the pain point chart and table."""
    from jmtools.report.present import html_table, pain_point_chart

    pains = numbers.pains
    chart = pain_point_chart(pains, top=max(top_n, 5), title="Pain points").to_dict()
    table = html_table(pains.head(top_n), columns={"rank": "rank", "title": "pain point", "stage": "stage",
                                                   "evidence_label": "evidence",
                                                   "evidence": "what the data shows"}).data
    return json.dumps(chart) + table


def test_marathon_maya_report_is_about_maya(ecommerce_world):
    """Her pain points are ranked by her own numbers: not Ben's hidden fees, not the support
    she loves (planted truths), and the evidence shows her numbers, not other personas'."""
    from jmtools.report.present import backlog_chart, html_table

    truths, journey = ecommerce_world.truths, ecommerce_world.journey
    maya = _report_numbers(ecommerce_world.world, "Marathon Maya")
    titles = {p.id: p.title for p in journey.pain_points}
    figures = _values(maya.figures)
    assert figures["top_pain_point"] != titles["hidden-fees"]
    assert figures["top_pain_point"] == titles["slow-shipping"]
    hurts = _hurts(maya)
    loved = next(e for e in truths["emotion"] if e["kind"] == "high" and e["persona"] == "Marathon Maya")
    assert f"at {loved['stage'].lower()} / {loved['touchpoint'].lower()}" not in hurts.lower()
    for other in ("Budget Ben:", "New Runner Nina:", "Weekend Walter:"):
        assert other not in hurts
    assert "Marathon Maya: " in hurts
    # counts shown are hers: no bar longer than her customers
    customers = ecommerce_world.read("customers.csv")
    size = len(customers.query(journey.personas_resolved()[1].rule))
    charts = hurts + (json.dumps(backlog_chart(maya.backlog, title="b").to_dict()) if len(maya.backlog) else "")
    bars = [float(v) for v in re.findall(r'"customers_affected":\s*([\d.]+)', charts)]
    assert bars and max(bars) <= size
    writes = html_table(maya.themes.summary.head(5),
                        columns={"label": "theme", "n": "texts", "share": "share", "top_stage": "mostly at",
                                 "quotes": "typical quotes"},
                        formats={"share": "%", "quotes": lambda qs: " · ".join(f"“{q}”" for q in list(qs)[:2])}
                        ).data
    assert "slow delivery" in writes


def test_segment_report_covers_only_the_segment(b2b_world):
    customers = b2b_world.read("customers.csv")
    chosen = set(customers.loc[customers["region"] == "Southern Europe", "customer_id"])
    ev_ids = set(b2b_world.read("events.parquet", columns=["customer_id"])["customer_id"])
    figures = _values(_report_numbers(b2b_world.world, "all", segment=SEGMENT).figures)
    assert figures["segment_customers"] == len(chosen)
    assert figures["customers"] == len(chosen & ev_ids)


def test_everyone_report_counts_every_customer_with_events(b2b_world):
    customers = b2b_world.read("customers.csv")
    ev_ids = set(b2b_world.read("events.parquet", columns=["customer_id"])["customer_id"])
    figures = _values(_report_numbers(b2b_world.world, "all").figures)
    assert figures["customers"] == len(set(customers["customer_id"]) & ev_ids)


def test_unknown_persona_is_refused_naming_the_personas(ecommerce_world):
    with pytest.raises(ParameterError) as err:
        _report_numbers(ecommerce_world.world, "Budget Bne")
    assert "did you mean 'Budget Ben'" in str(err.value) and "Marathon Maya" in str(err.value)


# ------------------------------------------------------------------ notebook 01, in-process
_PROFILES: dict = {}


def _profile_numbers(world, persona: str, *, min_customers: int = 10) -> dict:
    """The figures notebook 01 records for one persona (``suggest=False``)."""
    from jmtools import personas as P

    if id(world) not in _PROFILES:
        customers = world.customers.to_pandas()
        assignment = P.assign_personas(customers, world.journey)
        _PROFILES[id(world)] = (
            P.persona_sizes(assignment),
            P.persona_kpis(assignment, orders=world.orders.table if world.orders else None,
                           surveys=world.surveys.table if world.surveys else None),
            P.typical_events(world.events.table, assignment, min_customers=min_customers))
    sizes, kpis_, typical = _PROFILES[id(world)]
    figures = {"persona": figure_payload("persona", persona, label="Persona")}

    def record(name, value, **kw):
        figures[name] = figure_payload(name, value, **kw)

    _record_one_persona(persona, sizes, kpis_, typical, record=record)
    return figures


@pytest.mark.parametrize("world, persona", CASES)
def test_persona_profile_numbers(sample_worlds, world, persona):
    """Size, share and conversion of each persona against pandas; planted loops are typical."""
    sw = sample_worlds[world]
    if not sw.available:
        pytest.skip("sample world not generated")
    fig = _values(_profile_numbers(sw.world, persona))
    customers = sw.read("customers.csv")
    label, _ = persona_labels(customers, [(i["name"], i["rule"]) for i in sw.truths["personas"]["items"]])
    assert fig["persona"] == persona
    assert fig["persona_n"] == int((label == persona).sum())
    assert fig["persona_share"] == pytest.approx((label == persona).mean())
    orders = sw.read("orders.csv")
    ids = customers.customer_id[label == persona]
    assert fig["persona_conversion"] == pytest.approx(ids.isin(orders.customer_id).mean())
    for loop in sw.truths.get("loops", []):
        if loop["persona"] == persona and loop["kind"] == "loop":
            planted = [e for e in loop["events"] if e != "product_view"]
            assert set(planted) & set(fig["typical_events"]), fig["typical_events"]


def test_notebook_01_records_what_the_profile_helper_computes(ecommerce_world):
    """The helper is a faithful copy of notebook 01's persona branch (run in-process)."""
    from inprocess import run_cells
    from notebook_runs import NOTEBOOKS

    run = run_cells(NOTEBOOKS / "01_personas.ipynb", {"persona": "Weekend Walter", "suggest": False},
                    worlds=[ecommerce_world.world])
    mine = _profile_numbers(ecommerce_world.world, "Weekend Walter")
    assert {k: run.figures[k] for k in mine} == mine


# ------------------------------------------------------------------ notebook 03, in-process
_CURVES: dict = {}


def _emotion_numbers(world, persona: str, *, min_n: int = pipeline.MIN_N) -> dict:
    """The figures notebook 03 records for one persona (survey and feedback evidence)."""
    if id(world) not in _CURVES:
        journey = world.journey
        personas = assign_personas(world.customers.to_pandas(), journey)
        evidence = emotions.emotion_evidence(journey, surveys=world.surveys, feedback=world.feedback,
                                             events=None, tickets=None, behaviour_rules=None,
                                             personas=personas)
        curve = emotions.emotion_curve(evidence, journey=journey, statistic="mean", min_n=min_n)
        gap = emotions.assumed_gap(curve, valence.assumed_valence(journey))
        _CURVES[id(world)] = (evidence, curve, emotions.moments_of_truth(curve), gap)
    evidence, curve, moments, gap = _CURVES[id(world)]
    if persona not in list(dict.fromkeys(curve["persona"])):
        raise ParameterError("persona", persona, expected=list(dict.fromkeys(curve["persona"])))
    figures = {}

    def record(name, value, **kw):
        figures[name] = figure_payload(name, value, **kw)

    record_emotion_figures(persona, moments=moments, gap=gap, evidence=evidence, record=record)
    return figures


def _planted_moments(truths):
    """Planted lows and highs per persona (stage names) from the world's truths."""
    lows, highs = {}, {}
    for t in truths["emotion"]:
        (lows if t["kind"] == "low" else highs).setdefault(t["persona"], set()).add(t["stage"])
    return lows, highs


@pytest.mark.parametrize("world, persona", [(w, p) for w in ("ecommerce", "b2b")
                                            for p in ["all", *PERSONAS[w]]])
def test_emotion_curve_finds_the_planted_lows_and_highs(sample_worlds, world, persona):
    sw = sample_worlds[world]
    if not sw.available:
        pytest.skip("sample world not generated")
    figures = _values(_emotion_numbers(sw.world, persona))
    assert figures["persona"] == persona
    assert figures["n_evidence"] > 500
    lows, highs = _planted_moments(sw.truths)
    if persona in lows:
        assert figures["lowest_stage"] in lows[persona]
        assert figures["lowest_valence"] < 0
    if persona in highs:
        assert figures["peak_stage"] in highs[persona]
        assert figures["peak_valence"] > 0.5


def test_notebook_03_records_what_the_emotion_helper_computes(notebook_runs, b2b_world):
    """The b2b kernel run of notebook 03 (persona "all") records the helper's figures."""
    _, run = notebook_runs.get("nb03_b2b")
    assert run.records["figures"] == _emotion_numbers(b2b_world.world, "all")


# ------------------------------------------------------------------ notebook 02, in-process
def test_new_runner_nina_top_detour(ecommerce_world):
    """Notebook 02's most common detour of the planted detour persona (cart → product page)."""
    loop = ecommerce_world.truths["loops"][1]                    # the cart → product page detour
    detours = funnels.detours(ecommerce_world.evidence, level="touchpoint", by="persona")
    detours = detours[detours["persona"] == loop["persona"]]
    top = detours.sort_values("n_customers", ascending=False).iloc[0]
    assert f"{top['from_step']} → {top['to_step']}" == "Cart → Product page"
