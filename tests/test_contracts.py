"""One contract over every public compute function of jmtools.analyses.* and jmtools.evidence.

The functions are found by introspection (``__all__`` of each module); each has a case below
with a small valid input cut from the e-commerce sample world. For each function:

- the input frames are left unchanged (compared with a deep copy taken before the call);
- the documented columns are returned: the ``names`` of the docstring's Returns section
  (less the words a case lists as values, not columns) or the module's ``*_COLUMNS``
  constant the docstring points to;
- a bad keyword value raises :class:`jmtools.core.errors.ParameterError` whose message has
  the one wording: it starts with the parameter's name and says what to do (``Fix:``) or
  lists the valid values (``one of``).

A public function without a case fails :func:`test_every_public_function_has_a_case`: add a
case, or list it in :data:`NOT_COVERED` with the reason. Known breaks of the contract are
marked ``xfail(strict=True)`` with the reason (:data:`KNOWN`), so that a fix is noticed.
The contract tests of single modules (test_funnels, test_priorities, test_painpoints, …)
check more per function; this file checks the same three things everywhere.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import pytest

from jmtools.core.errors import ParameterError

MODULES = ["jmtools.analyses.funnels", "jmtools.analyses.emotions", "jmtools.analyses.painpoints",
           "jmtools.analyses.priorities", "jmtools.analyses.kpis", "jmtools.analyses.themes",
           "jmtools.analyses.valence", "jmtools.analyses.sentiment", "jmtools.analyses.privacy",
           "jmtools.analyses.calibration", "jmtools.analyses.disclosure", "jmtools.analyses.textprep",
           "jmtools.analyses.language",
           "jmtools.analyses.compare", "jmtools.analyses.history", "jmtools.evidence"]
#: Customers of the e-commerce world used here (the first, by id): small and fast.
CUSTOMERS = 1000


def _public_functions():
    out = []
    for name in MODULES:
        module = importlib.import_module(name)
        out += [f"{name.rsplit('.', 1)[-1]}.{n}" for n in module.__all__
                if inspect.isfunction(getattr(module, n))]
    return out


def _function(key: str):
    mod, name = key.split(".")
    return getattr(importlib.import_module(MODULES[[m.rsplit(".", 1)[-1] for m in MODULES].index(mod)]),
                   name)


# ------------------------------------------------------------------ small inputs, built once
@pytest.fixture(scope="module")
def small(ecommerce_world):
    """Frames of the first customers of the e-commerce world, and what the analyses make of them."""
    from jmtools.analyses import emotions, funnels, painpoints, priorities, themes
    from jmtools.evidence import prepare
    from jmtools.personas import assign_personas

    journey = ecommerce_world.journey
    customers = ecommerce_world.table("customers").sort_values("customer_id").head(CUSTOMERS)
    keep = set(customers["customer_id"])

    def mine(kind):
        t = ecommerce_world.table(kind)
        return t[t["customer_id"].isin(keep)].reset_index(drop=True)

    events, surveys, feedback = mine("events"), mine("surveys"), mine("feedback")
    orders, tickets = mine("orders"), mine("tickets")
    customers = customers.reset_index(drop=True)
    personas = assign_personas(customers, journey)[["customer_id", "persona"]]
    personas["persona"] = personas["persona"].astype(object)
    ev = prepare(events, journey, customers=customers)
    emo = emotions.emotion_evidence(journey, surveys=surveys, feedback=feedback, personas=personas, n_jobs=1)
    curve = emotions.emotion_curve(emo, journey=journey, n_boot=50)
    signals = painpoints.collect_signals(ev, emotion=emo, tickets=tickets)
    fb = feedback.merge(personas, on="customer_id", how="left")
    found_themes = themes.find_themes(fb, stages=journey.stage_names, n_themes=3)
    pains = painpoints.detect_pain_points(signals, journey=journey, themes=found_themes, min_n=10)
    opps = priorities.opportunities_frame(journey)
    staged = ev.events.to_pandas()[["customer_id", "timestamp", "event", "stage"]]
    return dict(journey=journey, customers=customers, events=events, surveys=surveys, feedback=feedback,
                fb=fb, orders=orders, tickets=tickets, personas=personas, ev=ev, emo=emo, curve=curve,
                funnel=funnels.funnel(ev, by="persona"), times=funnels.time_between_stages(ev, by="persona"),
                loops=funnels.loops(ev, by="persona"), detours=funnels.detours(ev, by="persona"),
                signals=signals, themes=found_themes, pains=pains.table, opps=opps, staged=staged,
                aov=priorities.average_order_value(orders, personas=personas))


# ------------------------------------------------------------------ the cases
@dataclass
class Case:
    """``call(inputs) -> (args, kwargs)``; ``bad``: one bad keyword value; ``values``: words of
    the Returns section that are values, not columns; ``columns``: the documented columns when
    the docstring names a constant; ``frame``: how to get the returned frame(s) from the result."""

    call: Callable
    bad: dict | None
    values: set = field(default_factory=set)
    columns: Callable | None = None
    frame: Callable = lambda out: out


PRIORITIES = importlib.import_module("jmtools.analyses.priorities")


def _ev(**kw):
    return lambda s: ((s["ev"],), kw)


def _observations(s):
    """Conversion, time and survey observations of the small world, split at 2026-06-01."""
    if "split" not in s:
        cmp = importlib.import_module("jmtools.analyses.compare")
        obs = pd.concat([cmp.step_observations(s["ev"]),
                         cmp.score_observations(s["surveys"], journey=s["journey"], personas=s["personas"])],
                        ignore_index=True)
        s["obs"], s["split"] = obs, cmp.split_by_date(obs, "2026-06-01")
    return s["obs"], s["split"]


def _company_ev(s):
    """The small world's evidence with its Newsletter touchpoint marked ``initiated_by: company``."""
    if "company_ev" not in s:
        from jmtools.evidence import prepare
        from jmtools.journey import Journey

        text = s["journey"].path.read_text(encoding="utf-8")
        old = "events: [newsletter_click], owner: CRM team}"
        assert old in text
        journey = Journey.from_yaml(text.replace(old, "events: [newsletter_click], initiated_by: company, "
                                                      "owner: CRM team}"))
        s["company_ev"] = prepare(s["events"], journey, customers=s["customers"])
    return s["company_ev"]


def _contacts(s):
    return importlib.import_module("jmtools.analyses.compare").company_contacts(_company_ev(s))


def _history(s):
    """A recorded-figures history of 12 runs, shifted after the 8th."""
    if "history" not in s:
        values = [0.30, 0.31, 0.29, 0.30, 0.32, 0.30, 0.31, 0.29, 0.36, 0.37, 0.36, 0.38]
        s["history"] = pd.DataFrame({"run_id": [f"r{i:02d}" for i in range(12)], "report": "all",
                                     "figure": "funnel_4", "value": values, "n": 300})
    return s["history"]


CASES: dict[str, Case] = {
    # funnels: documented "the ``by`` columns" stands for the grouping columns
    "funnels.funnel": Case(_ev(), {"level": "page"}, {"by"}),
    "funnels.furthest_stage": Case(_ev(), {"level": "page"}, {"by"}),
    "funnels.time_between_stages": Case(_ev(), {"level": "page"}, {"by"}),
    "funnels.transitions": Case(_ev(level="touchpoint"), {"level": "page"}, {"by"}),
    "funnels.top_paths": Case(_ev(), {"max_steps": 0}, {"by"}),
    "funnels.detours": Case(_ev(), {"level": "page"}, {"by"}),
    "funnels.loops": Case(_ev(), {"level": "page"}, {"by"}),
    "funnels.repeat_visits": Case(_ev(by="persona"), {"by": "persna"}, {"by"}, columns=lambda m: m.REPEAT_COLUMNS),
    # emotions
    "emotions.emotion_evidence": Case(
        lambda s: ((s["journey"],), dict(surveys=s["surveys"], feedback=s["feedback"], personas=s["personas"],
                                         n_jobs=1)), {"n_jobs": 0}),
    "emotions.emotion_curve": Case(lambda s: ((s["emo"],), dict(journey=s["journey"], n_boot=50)),
                                   {"statistic": "mode"}, {"touchpoint", "unit"}),
    "emotions.moments_of_truth": Case(lambda s: ((s["curve"],), {}), {"min_drop": -1.0},
                                      {"touchpoint", "lowest", "peak", "end"}),
    "emotions.assumed_gap": Case(
        lambda s: ((s["curve"], __import__("jmtools.analyses.valence", fromlist=["x"]).assumed_valence(
            s["journey"])), {}), None, {"agrees", "no_assumption"}),
    "emotions.sentiment_trend": Case(lambda s: ((s["emo"],), dict(n_boot=50)), {"freq": "fortnight"},
                                     {"unit"}),
    "emotions.trend_slopes": Case(lambda s: ((s["emo"],), {}), {"persona": "Budget Bne"},
                                  {"improving", "worsening"}),
    "emotions.open_at_end": Case(lambda s: ((s["emo"],), {}), None, {"behaviour", "rows", "note"}),
    # painpoints: signal frames have the module's SIGNAL_COLUMNS
    "painpoints.rate_signal": Case(
        lambda s: ((s["funnel"].assign(stage=s["funnel"]["step"], lost=s["funnel"]["drop_off"]),),
                   dict(signal="drop-off", count_col="lost", n_col="n_prev", touchpoint_col=None)),
        {"n_col": "n_prevv"}, columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.observation_signal": Case(
        lambda s: ((s["emo"],), dict(signal="negative valence", value_col="valence")),
        {"value_col": "valenc"}, {"mean", "sd", "n", "log"}, columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.dropoff_signal": Case(lambda s: ((s["funnel"],), {}), {"level": "page"}, {"count", "n"},
                                      columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.valence_signal": Case(lambda s: ((s["emo"],), {}), {"levels": ["page"]},
                                      columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.complaint_signal": Case(
        lambda s: ((s["tickets"], s["funnel"].rename(columns={"step": "stage", "n": "entered"})), {}),
        {"n_col": "enterd"}, columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.slow_step_signal": Case(lambda s: ((s["times"],), {}), {"median_col": "median"},
                                        columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.repeat_signal": Case(
        lambda s: ((importlib.import_module("jmtools.analyses.funnels").repeat_visits(s["ev"], by="persona"),), {}),
        {"persona_col": "persna"}, columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.loop_signal": Case(lambda s: ((s["loops"],), dict(journey=s["journey"])), {"count_col": "nn"},
                                   columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.detour_signal": Case(lambda s: ((s["detours"],), dict(journey=s["journey"])),
                                     {"count_col": "nn"}, columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.collect_signals": Case(lambda s: ((s["ev"],), dict(emotion=s["emo"], tickets=s["tickets"])),
                                       {"persona_col": "persna"}, columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.combine_signals": Case(lambda s: ((s["signals"], s["signals"]), {}), None,
                                       columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.detect_pain_points": Case(
        lambda s: ((s["signals"],), dict(journey=s["journey"], min_n=10)), {"min_n": 0},
        columns=lambda m: m.TABLE_COLUMNS, frame=lambda out: out.table),
    # priorities
    "priorities.opportunities_frame": Case(lambda s: ((s["journey"],), {}), None,
                                           {"impact", "effort", "reach"}),
    "priorities.add_opportunity": Case(lambda s: ((s["opps"],), dict(id="new-one", title="A new one")),
                                       {"status": "someday"}),
    "priorities.impact_effort": Case(lambda s: ((s["opps"],), {}), {"impact_col": "impactt"}),
    "priorities.rice": Case(lambda s: ((s["opps"],), {}), {"reach_col": "rech"}),
    "priorities.ice": Case(lambda s: ((s["opps"],), {}), {"ease_col": "eas"}),
    "priorities.average_order_value": Case(lambda s: ((s["orders"],), dict(personas=s["personas"])),
                                           {"amount_col": "amout"}),
    "priorities.value_at_stake": Case(lambda s: ((s["opps"], s["pains"]), dict(order_value=s["aov"])),
                                      {"order_value": -1.0}),
    "priorities.total_value_at_stake": Case(
        lambda s: ((PRIORITIES.value_at_stake(s["opps"], s["pains"], order_value=s["aov"]),), {}),
        {"parts_col": "stake_partz"}),
    # "A copy with the new column" / "A sorted copy with rank" / "The ranked backlog"
    "priorities.custom_score": Case(lambda s: ((s["opps"],), dict(formula="impact / effort")),
                                    {"formula": "impact / efort"}, columns=lambda m: ["custom"]),
    "priorities.rank_backlog": Case(lambda s: ((s["opps"],), dict(by="impact")), {"by": "impakt"},
                                    columns=lambda m: ["rank"]),
    "priorities.prioritise": Case(lambda s: ((s["opps"], s["pains"]), dict(order_value=s["aov"])),
                                  {"by": "valu_at_stake"},
                                  columns=lambda m: ["rank", *PRIORITIES.OPPORTUNITY_COLUMNS, "quadrant", "rice",
                                                     "value_at_stake"]),
    "painpoints.compare_signals": Case(lambda s: ((s["signals"],), dict(min_n=10)), {"min_n": 0},
                                       columns=lambda m: m.EVIDENCE_COLUMNS),
    "painpoints.outside_signal": Case(lambda s: ((s["ev"], s["ev"]), {}), {"level": "page"},
                                      columns=lambda m: m.SIGNAL_COLUMNS),
    "painpoints.segment_waits": Case(lambda s: ((s["ev"], s["ev"]), {}), {"min_n": 0},
                                     columns=lambda m: m.WAIT_COLUMNS),
    # kpis
    "kpis.survey_kpis": Case(lambda s: ((s["surveys"],), dict(journey=s["journey"])), {"level": "page"},
                             {"by", "stage"}),                      # ``touchpoint`` or ``stage``: by level
    "kpis.relationship_kpis": Case(lambda s: ((s["surveys"].drop(columns=["stage", "touchpoint"]),), {}),
                                   {"by": "persna"}, {"by"}),
    "kpis.touchpoint_kpis": Case(lambda s: ((s["surveys"],), dict(journey=s["journey"])), {"by": "persna"},
                                 columns=lambda m: ["touchpoint", "metric", "kpi", "value", "n", "ci_low",
                                                    "ci_high", "method"]),
    "kpis.stage_kpis": Case(lambda s: ((s["surveys"],), dict(journey=s["journey"])), {"by": "persna"},
                            columns=lambda m: ["stage", "metric", "kpi", "value", "n", "ci_low", "ci_high",
                                               "method"]),
    "kpis.conversion_kpis": Case(_ev(by_persona=True), {"by_persona": "yes"}, {"conversion", "reached"}),
    # priorities
    "priorities.relieving": Case(lambda s: ((PRIORITIES.prioritise(s["opps"], by="rice"), s["pains"]), {}),
                                 None),
    # themes
    "themes.find_themes": Case(lambda s: ((s["fb"],), dict(stages=s["journey"].stage_names, n_themes=3)),
                               {"polarity": "angry"}, frame=lambda out: out.summary,
                               columns=lambda m: ["theme", "label", "n", "share", "top_stage",
                                                  "top_touchpoint", "top_persona", "quotes"]),
    "themes.themes_at": Case(lambda s: ((s["themes"],), dict(stage="Decision")), {"persona": "Nobody"}),
    "themes.themes_for": Case(lambda s: ((s["themes"],), dict(persona="Budget Ben")), {"persona": "Nobody"},
                              frame=lambda out: out.summary,
                              columns=lambda m: ["theme", "label", "n", "share"]),
    # valence
    "valence.survey_valence": Case(lambda s: ((s["surveys"],), {}), {"metric_col": "metrik"}, {"reported"}),
    "valence.feedback_valence": Case(lambda s: ((s["feedback"],), dict(n_jobs=1)), {"batch_size": 0},
                                     {"feedback", "reported"}),
    # disclosure
    "disclosure.suppress_small_groups": Case(lambda s: ((s["curve"],), dict(min_n=30)), {"min_n": -1}),
    "disclosure.suppress_small_cells": Case(
        lambda s: ((s["themes"].counts[s["themes"].counts["dimension"] == "persona"],),
                   dict(row_col="theme", column_col="value", column_totals=["n_value", "share"])),
        {"min_n": -1}, {"n_col", "customers_col", "attrs", "min_n", "note"}),
    "valence.behaviour_valence": Case(lambda s: ((s["staged"], s["journey"].stage_names), {}),
                                      {"rules": ["teleport"]}, {"behaviour", "measured"}),
    "valence.assumed_valence": Case(lambda s: ((s["journey"],), {}), None, {"workshop", "assumed"}),
    # evidence
    "evidence.prepare": Case(lambda s: ((s["events"], s["journey"]), {}), {"segments": "region"}, frame=lambda out: out.events.to_pandas(),
                             columns=lambda m: m.PREPARED_COLUMNS),
    "evidence.fit_problems": Case(_ev(), {"top_unmatched": -1},
                                  {"warning", "note", "overlap", "shared", "empty touchpoint",
                                   "empty stage", "unmatched", "date only", "dates only", "repeated"}),
    # compare: observations, splits, the table
    "funnels.customer_reach": Case(_ev(), {"by": "persna"}, {"by"}),
    "funnels.off_funnel_reach": Case(_ev(steps=["Awareness"], stage="Decision"), {"by": "persna"}, {"by"}),
    "funnels.skipped_steps": Case(_ev(), {"by": "persna"}, {"by"}),
    "funnels.open_lost": Case(_ev(since={"Decision": pd.Timestamp("2026-06-01")}), {"by": "persna"}, {"by"}),
    "compare.still_open_steps": Case(lambda s: ((s["ev"],), dict(steps=s["ev"].mapped_stages)), {"steps": "Nowhere"},
                                     columns=lambda m: list(m.OPEN_COLUMNS)),
    "funnels.last_seen": Case(_ev(), {"by": "persna"}, {"by"}),
    "funnels.before_leaving": Case(_ev(), {"by": "persna"}, {"by"}),
    "compare.step_observations": Case(_ev(), {"steps": []}, columns=lambda m: m.OBSERVATION_COLUMNS),
    "compare.score_observations": Case(
        lambda s: ((s["surveys"],), dict(journey=s["journey"], personas=s["personas"])), {"level": "page"},
        columns=lambda m: m.OBSERVATION_COLUMNS),
    "compare.emotion_observations": Case(lambda s: ((s["emo"],), {}), {"level": "page"},
                                         columns=lambda m: m.OBSERVATION_COLUMNS),
    "compare.split_by_date": Case(lambda s: ((_observations(s)[0],), dict(date="2026-06-01")), {"gap_days": -1},
                                  columns=lambda m: [*m.OBSERVATION_COLUMNS, "group"]),
    "compare.split_by_customers": Case(
        lambda s: ((_observations(s)[0],), dict(customers=list(s["customers"]["customer_id"][:300]))),
        {"customers": []}, columns=lambda m: [*m.OBSERVATION_COLUMNS, "group"]),
    "compare.stack_groups": Case(lambda s: ((_observations(s)[0], _observations(s)[0]), {}), None,
                                 columns=lambda m: [*m.OBSERVATION_COLUMNS, "group"]),
    "compare.compare": Case(lambda s: ((_observations(s)[1],), dict(n_boot=100)), {"alpha": 5},
                            columns=lambda m: m.COMPARISON_COLUMNS),
    "compare.company_contacts": Case(lambda s: ((_company_ev(s),), {}), None),
    "compare.company_only_reach": Case(lambda s: ((_company_ev(s),), {}), {"level": "page"}),
    "compare.reach_mix": Case(lambda s: ((_observations(s)[1], _contacts(s)), {}), {"group_col": "period"}),
    "compare.mix_changes": Case(lambda s: ((importlib.import_module("jmtools.analyses.compare").reach_mix(
        _observations(s)[1], _contacts(s)),), {}), {"points": 2}),
    # history
    "history.kpi_history": Case(lambda s: ((_history(s),), {}), {"figures": ["funnel_3"]},
                                columns=lambda m: m.HISTORY_COLUMNS),
    "history.control_chart": Case(lambda s: ((_history(s),), {}), {"baseline": 1},
                                  columns=lambda m: m.CHART_COLUMNS),
    "history.signals": Case(lambda s: (
        (__import__("jmtools.analyses.history", fromlist=["x"]).control_chart(_history(s)),), {}), None),
    "evidence.map_events": Case(lambda s: ((sorted(s["events"]["event"].unique()), s["journey"]), {}), None),
}

#: Public functions of these modules that are not compute functions over frames.
NOT_COVERED = {
    "disclosure.count_words": "one count in, words out: no frame (its doctest; the report sentences use it)",
    "funnels.duration_words": "one number of seconds in, words out: no frame (tested in test_evidence_days)",
    "sentiment.score_texts": "texts in, a numpy array out: no frame, no columns (tested in test_sentiment)",
    "sentiment.resolve_n_jobs": "a helper turning n_jobs into a count: no frame",
    "emotions.journey_places": "the frame back with two columns renamed to the journey's (tested in test_emotions)",
    "emotions.from_behaviour": "a curve in, one bool per point out: no frame (tested in test_emotions)",
    "emotions.journey_name_notes": "sentences out, no frame (tested in test_emotions and test_messy_exports)",
    "sentiment.vader_scores": "one text in, VADER's four scores out: no frame (tested in test_sentiment)",
    "sentiment.fault_requests": "texts in, a boolean numpy array out: no frame, no columns (tested in test_sentiment)",
    "valence.score_to_valence": "a scalar/array conversion: no frame",
    "valence.resolve_scales": "returns a dict of scales: no frame",
    "valence.text_valence": "a scalar/array conversion: no frame",
    "themes.stock_sentences": "returns a frozenset of sentences: no columns (tested in test_themes)",
    "themes.distinct_quotes": "a list of strings in and out: no frame",
    "privacy.find_pii": "one text in, spans out: no frame (tested in test_privacy)",
    "privacy.known_ids": "tables in, a frozenset of ids out: no frame, no columns (tested in test_privacy)",
    "calibration.fitted_rows": "a calibration and an array in, an array out: no frame (tested in test_calibration)",
    "privacy.mask_text": "one text in, one text out: no frame",
    "privacy.mask_quotes": "quotes in, quotes out: no frame (tested in test_privacy)",
    "privacy.known_names": "texts in, a frozenset of surnames out: no frame (tested in test_privacy_health)",
    "privacy.surnames_masked": "texts in, texts out: no frame (tested in test_privacy_health)",
    "privacy.iban_ok": "a checksum of one string: no frame",
    "privacy.luhn_ok": "a checksum of one string: no frame",
    "privacy.nhs_ok": "a checksum of one string: no frame (tested in test_privacy)",
    "calibration.rating_valence": "ratings in, a numpy array out: no frame (tested in test_calibration)",
    "calibration.calibrate_sentiment": "texts and valences in, a Calibration out (tested in test_calibration)",
    "calibration.complaint_mask": "arrays in, a boolean array out: no frame",
    "calibration.held_out_flags": "arrays in, a boolean array out: no frame (tested in test_complaints)",
    "disclosure.pseudonymise": "ids in, pseudonyms out: no frame (tested in test_disclosure)",
    "disclosure.suppression_note": "a count in, a sentence out: no frame",
    "disclosure.cells_note": "counts in, a sentence out: no frame",
    "disclosure.hide_small_counts": "a column in, a column and a count out: no frame (tested in test_disclosure)",
    "disclosure.customers_behind": "a frame in, an array of counts out: no frame (tested in test_disclosure)",
    "disclosure.protecting_rows": "a disclosed funnel in, an array of flags out: no frame (its doctest; "
                                  "tests/test_pipeline_disclosed.py)",
    "textprep.normalise_text": "one text in, one text out: no frame (tested in test_textprep)",
    "textprep.handle_words": "texts in, a list of words out: no frame",
    "textprep.own_words": "one text in, one text out: no frame (tested in test_textprep)",
    "language.detect_language": "texts in, an array of language codes out: no frame (tested in test_language)",
    "language.not_english": "texts in, a boolean array out: no frame (tested in test_language)",
    "language.languages_read": "arrays in, a set of codes out: no frame (its doctest; test_language)",
    "language.language_note": "counts in, one sentence out: no frame (tested in test_language)",
    "emotions.feeling_basis": "evidence in, one sentence out: no frame (tested in test_calibration)",
    "emotions.complaint_note": "evidence in, one sentence out: no frame (tested in test_emotions)",
    "themes.polarity_basis": "Themes in, one sentence out: no frame (doctest; test_report_sections)",
    "themes.share_basis": "Themes in, one sentence out: no frame (doctest; test_themes)",
    "priorities.export_backlog": "writes a file; its bad path is refused (tested in test_priorities)",
    "priorities.write_back": "writes the journey file (tested in test_priorities and notebook 05)",
    "evidence.journey_layout": "returns the journey's stage and touchpoint lists: no frame",
    "evidence.touchpoint_rules": "returns the journey's stages and touchpoint rules: no frame "
                                 "(tested in test_evidence_rules)",
    "funnels.parse_steps": "turns a report parameter into a list of step names: no frame",
    "funnels.busiest_steps": "returns a list of step names (the transitions chart's rows): no frame",
    "funnels.largest_detours": "returns a list of detour names (the detours chart's rows): no frame",
    "compare.compare_cell": "arrays in, a dict of one row out (tested in test_compare_table)",
    "compare.two_proportions": "counts in, a Difference out (tested against scipy in test_compare_twosample)",
    "compare.two_means": "arrays in, a Difference out (tested against scipy in test_compare_twosample)",
    "compare.two_nps": "arrays in, a Difference out (tested against scipy in test_compare_twosample)",
    "compare.two_medians": "arrays in, a Difference out (tested against scipy in test_compare_twosample)",
    "compare.bh_adjust": "p-values in, q-values out (tested against scipy in test_compare_twosample)",
    "compare.power_at": "numbers in, a number out (tested against scipy in test_compare_power)",
    "compare.n_per_group": "numbers in, a number out (tested against scipy in test_compare_power)",
    "compare.cohen_h": "numbers in, a number out",
    "compare.share_words": "two counts in, words out: no frame (its doctest)",
    "funnels.repeat_buyers_unmarked": "evidence and orders in, two counts out: no frame (tested in test_funnels)",
    "funnels.repeat_families": "evidence in, a list of touchpoint names out: no frame (tested in test_funnels_rounds)",
    "funnels.asked_families": "evidence in, a list of touchpoint names out: no frame (tested in test_funnels_rounds)",
    "compare.effect_for_change": "numbers in, a number out (tested in test_compare_power)",
    "compare.detectable_change": "numbers in, a number out (tested in test_compare_power)",
}

#: Known breaks of the contract: "function:check" (check: "call" or "bad") → why (reported; to be
#: fixed by the module's owner).
_NO_FIX = ("ParameterError(expected=<text>) without fix= gives a message with neither 'Fix:' nor the "
           "valid values")
KNOWN: dict[str, str] = {
    "emotions.emotion_evidence:bad": _NO_FIX + " (n_jobs, from jmtools.analyses.sentiment)",
    "emotions.moments_of_truth:bad": "min_drop=-1 is accepted: no keyword of moments_of_truth is checked",
    "emotions.sentiment_trend:bad": _NO_FIX + " (freq)",
    "painpoints.detour_signal:bad": "a count_col naming no column raises KeyError, not ParameterError "
                                    "(loop_signal checks its columns)",
    "painpoints.collect_signals:bad": "a persona_col naming no column is silently ignored (no persona split)",
    "priorities.value_at_stake:bad": _NO_FIX + " (order_value)",
    "priorities.rank_backlog:bad": "by='impakt' raises ParameterError named 'by_col', not 'by'",
    "themes.themes_at:bad": "an unknown persona gives an empty frame, not a ParameterError",
    "themes.themes_for:bad": "an unknown persona gives empty themes, not a ParameterError",
    "valence.survey_valence:bad": "a metric_col naming no column raises DataError, not ParameterError",
    "evidence.prepare:bad": _NO_FIX + " (segments without customers=)",
}


def _mark(key: str, check: str):
    reason = KNOWN.get(f"{key}:{check}")
    return pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else key


# ------------------------------------------------------------------ the contract
def test_every_public_function_has_a_case():
    public = set(_public_functions())
    assert public - set(CASES) - set(NOT_COVERED) == set(), "add a contract case (or a reason)"
    assert set(CASES) | set(NOT_COVERED) <= public, "a case names a function that is gone"


def _frames(obj):
    """Every pandas object inside the call's arguments (to compare after the call)."""
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [f for o in obj for f in _frames(o)]
    if isinstance(obj, dict):
        return [f for o in obj.values() for f in _frames(o)]
    return []


def _call(small, key):
    args, kwargs = CASES[key].call(small)
    return _function(key), args, kwargs


def _documented(fn, values: set) -> list[str]:
    doc = inspect.getdoc(fn) or ""
    returns = doc.split("Returns\n-------\n", 1)[1] if "Returns\n-------\n" in doc else ""
    returns = re.split(r"\n(?:Raises|See Also|Notes|Examples|Yields)\n-+\n", returns)[0]
    names = re.findall(r"``([A-Za-z_][A-Za-z0-9_]*)``", returns)
    return [n for n in dict.fromkeys(names) if n not in values]


@pytest.mark.parametrize("key", [_mark(k, "call") for k in CASES])
def test_inputs_unchanged_and_documented_columns_returned(small, key):
    """One call: every input frame equals its deep copy taken before; the documented columns
    are in the result."""
    case = CASES[key]
    fn, args, kwargs = _call(small, key)
    frames = _frames((args, kwargs))
    before = [copy.deepcopy(f) for f in frames]
    result = fn(*args, **kwargs)
    for after, was in zip(frames, before):
        if isinstance(was, pd.DataFrame):
            pd.testing.assert_frame_equal(after, was)
        else:
            pd.testing.assert_series_equal(after, was)
    out = case.frame(result)
    if case.columns is not None:
        module = importlib.import_module(fn.__module__)
        expected = list(case.columns(module))
        assert list(out.columns)[:len(expected)] == expected or set(expected) <= set(out.columns)
    else:
        expected = _documented(fn, case.values)
        assert expected, f"{key}: the Returns section names no column"
        missing = [c for c in expected if c not in out.columns]
        assert not missing, f"{key}: documented but not returned: {missing}"


def _wording(err: ParameterError, name: str) -> None:
    text = str(err)
    assert err.name == name, (err.name, name)
    assert text.startswith(name), text
    assert "Fix:" in text or "one of " in text, text


@pytest.mark.parametrize("key", [_mark(k, "bad") for k, c in CASES.items() if c.bad])
def test_bad_keyword_value_is_a_parameter_error_with_the_one_wording(small, key):
    fn, args, kwargs = _call(small, key)
    [(name, value)] = CASES[key].bad.items()
    with pytest.raises(ParameterError) as caught:
        fn(*args, **{**kwargs, name: value})
    _wording(caught.value, name)


def test_functions_without_a_bad_keyword_case():
    """Functions whose keywords take no checked value here (documented, so the gap is visible)."""
    assert sorted(k for k, c in CASES.items() if c.bad is None) == [
        "compare.company_contacts", "compare.stack_groups", "emotions.assumed_gap", "emotions.open_at_end",
        "evidence.map_events", "history.signals",
        "painpoints.combine_signals", "priorities.opportunities_frame", "priorities.relieving",
        "valence.assumed_valence"]


#: Whole-number parameters whose negative values mean something (the rest refuse −1).
_NEGATIVE_MEANS = {"n_jobs": "joblib's convention: -1 is one process per CPU"}
#: Whole-number parameters not checked yet (reported, to be fixed by their owners).
_NOT_BOUNDED = {("emotions.emotion_evidence", "n_jobs"): "passed to joblib as given",
                ("valence.feedback_valence", "n_jobs"): "passed to joblib as given"}


def _whole_number_parameters(fn) -> list[tuple[str, int]]:
    """Keyword parameters whose default is a whole number (not a bool)."""
    return [(name, p.default) for name, p in inspect.signature(fn).parameters.items()
            if isinstance(p.default, int) and not isinstance(p.default, bool)]


@pytest.mark.parametrize("key", [_mark(k, "call") for k in CASES])
def test_whole_number_parameters_refuse_what_is_not_one(small, key):
    """Every whole-number parameter of a public compute function refuses −1 (unless negative
    values mean something), True and 2.5 with a ParameterError naming it — never a NumPy or
    scikit-learn traceback, never silently."""
    fn, args, kwargs = _call(small, key)
    wrong = []
    for name, default in _whole_number_parameters(fn):
        if (key, name) in _NOT_BOUNDED:
            continue
        for bad in ([True, 2.5] if name in _NEGATIVE_MEANS else [-1, True, 2.5]):
            try:
                fn(*args, **{**kwargs, name: bad})
                wrong.append(f"{name}={bad!r} accepted")
            except ParameterError as err:
                if err.name != name:
                    wrong.append(f"{name}={bad!r}: the error names {err.name!r}")
            except Exception as err:  # noqa: BLE001 - what the caller would see
                wrong.append(f"{name}={bad!r}: {type(err).__name__}: {str(err)[:80]}")
    assert not wrong, f"{key}: {wrong}"
