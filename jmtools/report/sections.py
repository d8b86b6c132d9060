"""The sections of the end-to-end journey report, drawn from one :class:`~jmtools.pipeline.Findings`.

``notebooks/00_journey_report.ipynb`` is a narrative with one call per section::

    f = pipeline.run(data_dir, persona=persona, segment=segment, min_n=min_n)
    sections.at_a_glance(f)
    sections.who(f)
    …

Each function displays its tables and charts and records its key figures
(:func:`jmtools.report.record`), so the notebook computes nothing and a papermill run,
an interactive run and a test all see the same numbers.
"""

from __future__ import annotations

import pandas as pd

from jmtools.charts.emotions import emotion_curve_chart
from jmtools.charts.journeymap import journey_map
from jmtools.core.vocabulary import NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.evidence import fit_problems
from jmtools.pipeline import Findings
from jmtools.report.present import (backlog_chart, funnel_chart, headline_cards, html_table, md,
                                    number, pain_point_chart)
from jmtools.report.record import record, record_source

__all__ = ["record_inputs", "title", "at_a_glance", "who", "data_behind", "how_far", "feelings", "survey_kpis",
           "where_it_hurts", "what_they_write", "fix_first", "the_map", "KPI_NAMES"]

#: How the report names each survey KPI.
KPI_NAMES = {"csat_mean": "CSAT, mean (1–5)", "csat_top2box": "CSAT, share of 4–5",
             "ces_mean": "CES, mean (1–7)", "ces_low_effort": "CES, share of low effort",
             "nps": "NPS (−100..+100)"}
_SHARES = {"csat_top2box", "ces_low_effort"}


def _display(*objs) -> None:
    from IPython.display import display

    display(*objs)


def record_inputs(f: Findings) -> None:
    """Record the journey file and every table read (path, rows, hash) for the report's sidecar."""
    folder = f.world.folder
    record_source(f.journey.path, role="journey", root=folder)
    for kind, loaded in f.world.tables.items():
        record_source(folder / loaded.source, rows=loaded.accounting.rows_read, role=kind, root=folder)
    if f.segment_customers is not None:
        record("segment_customers", f.segment_customers, label="Customers in the segment")


def title(f: Findings) -> None:
    """The report's title: the journey and whom it is about."""
    _display(md("# {name}: {who}", name=f.journey.name, who=f.focus.label))


def at_a_glance(f: Findings) -> None:
    """Headline cards: customers, reached the last stage, lowest point, biggest loss."""
    n = f.n_customers
    record("customers", n, label="Customers with events", headline=True)
    if n == 0:
        card = next((c for c in f.journey.personas_resolved() if c.name == f.focus.persona), None)
        rule = f" ({_rule_text(card)})" if card is not None and _rule_text(card) != "–" else ""
        _display(md("> **No customer belongs to {who}.** Its rule{rule} selects none of the {total} "
                    "customers with events in this data, so every section below is empty. Check the rule "
                    "in the journey file against the customer table: `jmtools validate JOURNEY --data FOLDER`.",
                    who=f.focus.label, rule=rule, total=f"{f.evidence.n_customers:,}"))
        return
    reached, lowest = f.reached_last, f.lowest_emotion
    record("reached_last_stage", reached["share"], label=f"Reached {reached['stage']}",
           n=reached["started"], ci=reached["ci"], unit="%", headline=True)
    low, high = reached["ci"] or (None, None)
    cards = [{"label": "Customers", "value": number(n),
              "note": f"with events, of {f.evidence.n_customers:,} in the data"},
             {"label": f"Reached {reached['stage']}", "value": number(reached["share"], unit="%"),
              "note": f"95% CI {number(low, unit='%')}–{number(high, unit='%')}, n={reached['started']:,}"}]
    if lowest is not None:
        record("lowest_emotion_stage", str(lowest["stage"]), label="Lowest point")
        record("lowest_emotion", float(lowest["valence"]), label=f"Emotion at {lowest['stage']} (−2..+2)",
               n=int(lowest["n"]), ci=(float(lowest["ci_low"]), float(lowest["ci_high"])), fmt="+.2f",
               headline=True)
        cards.append({"label": "Lowest point of the emotion curve",
                      "value": f"{lowest['stage']} {number(float(lowest['valence']), digits=2, signed=True)}",
                      "note": f"on −2..+2, n={int(lowest['n']):,}"})
    loss = f.biggest_loss
    if loss is not None:
        cards.append({"label": "Biggest loss", "value": f"{loss['from']} → {loss['to']}",
                      "note": f"{number(loss['drop_off_rate'], unit='%')} of {loss['n_prev']:,} do not go on"})
    _display(headline_cards(cards))
    min_n = f.options["min_n"]
    if n < min_n:
        _display(md("> **Thin evidence.** Only {n} customers belong to {who} (the report's minimum is {m}). "
                    "Read every number below as a rough indication.", n=n, who=f.focus.label, m=min_n))


def who(f: Findings) -> None:
    """Persona sizes (all customers) or the persona's card; personas left out, and why."""
    ev = f.evidence
    for name, err in f.persona_errors.items():
        record(f"persona_left_out_{name}", str(err).splitlines()[0], label=f"Persona left out: {name}")
        _display(md("> **Persona {name} is left out of this report**: its rule cannot run on this customer "
                    "table ({why}). Its customers count as *{none}* here; fix the rule in the journey file.",
                    name=name, why=str(err).splitlines()[0], none=NO_PERSONA))
    if f.focus.everyone:
        shown = ev.persona_sizes.assign(share=lambda d: d["n_customers"] / d["n_customers"].sum())
        _display(md("The data holds **{n}** customers with events, in {k} personas. "
                    "Customers no persona rule selects are listed as *{none}*, customers missing from the "
                    "customer table as *{missing}*.", none=NO_PERSONA, missing=NOT_IN_CUSTOMERS,
                    n=f"{ev.n_customers:,}", k=len(f.journey.persona_names)))
        _display(html_table(shown, columns={"persona": "persona", "n_customers": "customers",
                                            "share": "share"}, formats={"share": "%"}))
        return
    card = next(c for c in f.journey.personas_resolved() if c.name == f.focus.persona)
    _display(md("**{name}** — {story}", name=card.name, story=card.backstory or ""))
    if card.quote:
        _display(md("> “{quote}”", quote=card.quote))
    texts = lambda items: "; ".join(getattr(g, "text", str(g)) for g in items or []) or "–"  # noqa: E731
    facts = [("Rule that selects them", _rule_text(card)),
             ("Customers", f"{f.n_customers:,} of {ev.n_customers:,}"),
             ("Goals", texts(card.goals)), ("Motivations", texts(card.motivations)),
             ("Pain points (from the workshop)", texts(card.pain_points))]
    _display(html_table(pd.DataFrame(facts, columns=["", "value"])))


def _rule_text(card) -> str:
    """How a report names what selects a persona: its rule, or "everyone else"."""
    if getattr(card, "rest", False):
        return "everyone else (rest: true): the customers no earlier persona selects"
    return getattr(card, "rule", None) or "–"


def data_behind(f: Findings) -> None:
    """Rows read, used and rejected per table; unmatched events; persona coverage."""
    acc = f.accounting
    _display(html_table(acc))
    _display(md("{u} of events ({k} event names) match no touchpoint of the journey and are left out of the "
                "funnel. Persona coverage: {cov}.", u=number(f.unmatched_share, unit="%"),
                k=len(f.evidence.unmatched),
                cov="; ".join(f"{r.coverage} {r.n:,}" for r in f.evidence.coverage.itertuples())))
    record("rows_rejected", int(acc["rejected"].sum()), label="Rows rejected")
    _journey_fit(f)


def _journey_fit(f: Findings) -> None:
    """How the journey file fits the events: overlaps, stages without events, date-only kinds."""
    fit = fit_problems(f.evidence)
    shown = fit[fit["kind"] != "unmatched"]
    if shown.empty:
        return
    template, values = ["**How the journey file fits the events**", ""], {}
    for i, r in enumerate(shown.itertuples()):
        fix = r.fix if r.fix and r.severity == "warning" else ""
        template.append(f"- **{{s{i}}}**: {{m{i}}}" + (f" — *fix*: {{f{i}}}" if fix else ""))
        values.update({f"s{i}": r.severity, f"m{i}": r.message, f"f{i}": fix})
    _display(md("\n".join(template), **values))
    for r in shown[shown["severity"] == "warning"].itertuples():
        record(f"journey_warning_{r.Index + 1}", r.message, label="Journey file warning")


def how_far(f: Findings) -> None:
    """The focus's funnel against everyone, its biggest loss and the funnel table."""
    fun, label = f.funnel, f.focus.label
    left_out = [s for s in f.evidence.stages if s not in f.evidence.mapped_stages]
    if left_out and set(fun["step"]) <= set(f.evidence.stages):
        _display(md("> **Not in the funnel: {stages}.** The journey file maps no event to "
                    "{them}, so any 0 there would come from the file, not from customers. See "
                    "*How the journey file fits the events* above for the fix.",
                    stages=", ".join(left_out), them="it" if len(left_out) == 1 else "them"))
    _display(funnel_chart(fun, compare=None if f.focus.everyone else f.funnel_all, label=label,
                          title=f"How far {label} get through the journey"))
    loss = f.biggest_loss
    if loss is not None:
        _display(md("The biggest loss is between **{a}** and **{b}**: {lost} of {prev} customers ({rate}) do "
                    "not go on.", a=loss["from"], b=loss["to"], lost=f"{loss['drop_off']:,}",
                    prev=f"{loss['n_prev']:,}", rate=number(loss["drop_off_rate"], unit="%")))
    _display(html_table(fun, columns={"step": "stage", "n": "customers", "conversion": "from previous stage",
                                      "ci_low": "95% CI low", "ci_high": "95% CI high",
                                      "rate_from_start": "from start"},
                        formats={"conversion": "%", "ci_low": "%", "ci_high": "%", "rate_from_start": "%"}))
    for row in fun.itertuples():
        record(f"funnel_{row.step_index}", float(row.rate_from_start), label=f"Reached {row.step}", n=int(row.n))


def feelings(f: Findings) -> None:
    """The emotion curve beside the workshop's assumption, moments of truth, the curve table."""
    if f.curve is None:
        _display(md("No surveys or feedback in the data: there is no emotion curve for {who}.",
                    who=f.focus.label))
        return
    names = list(f.journey.persona_names)
    shown = ["all"] + (names if f.focus.everyone else [f.focus.persona])
    assumed, moments = f.assumed, f.moments
    _display(emotion_curve_chart(
        f.curve, assumed=assumed[assumed["persona"].isin(shown)] if "persona" in assumed else assumed,
        moments=moments[moments["persona"].isin(shown)], personas=shown,
        title=f"Emotion curve: {f.focus.label}"))
    for text in moments.loc[moments["persona"] == f.focus.persona, "explanation"]:
        _display(md("- {text}", text=text))
    _display(html_table(f.curve_focus, columns={"stage": "stage", "valence": "emotion (−2..+2)",
                                                "ci_low": "95% CI low", "ci_high": "95% CI high",
                                                "n": "customers", "sources": "evidence"}))


def _kpi_text(row, col) -> str:
    if row["kpi"] in _SHARES:
        return number(row[col], unit="%")
    return number(row[col], digits=1 if row["kpi"] == "nps" else 2)


def survey_kpis(f: Findings) -> None:
    """CSAT, CES and NPS per stage with intervals; NPS recorded per stage."""
    kp = f.kpis_shown
    if kp is None:
        _display(md("No surveys in the data: no CSAT, CES or NPS for {who}.", who=f.focus.label))
        return
    table = kp.assign(measure=kp["kpi"].map(lambda k: KPI_NAMES.get(k, k)),
                      shown=[_kpi_text(r, "value") for _, r in kp.iterrows()],
                      interval=[f"{_kpi_text(r, 'ci_low')} to {_kpi_text(r, 'ci_high')}"
                                for _, r in kp.iterrows()])
    _display(html_table(table, columns={"stage": "stage", "measure": "measure", "shown": "value",
                                        "interval": "95% interval", "n": "answers"}))
    for row in kp[kp["kpi"] == "nps"].itertuples():
        record(f"nps_{row.stage}", float(row.value), label=f"NPS at {row.stage}", n=int(row.n),
               ci=(float(row.ci_low), float(row.ci_high)), fmt="+.0f", headline=True)


def where_it_hurts(f: Findings, *, top_n: int = 5) -> None:
    """The ranked pain points of the focus, with their evidence."""
    pains, label = f.pain_points.table, f.focus.label
    if len(pains):
        _display(pain_point_chart(pains, top=max(top_n, 5), title=f"Pain points for {label}"))
        _display(html_table(pains.head(top_n), columns={"rank": "rank", "title": "pain point",
                                                        "stage": "stage", "evidence_label": "evidence",
                                                        "evidence": "what the data shows"}))
        record("top_pain_point", str(pains["title"].iloc[0]), label="Top pain point", headline=True)
    else:
        _display(md("No pain point stands out for {who} with at least {m} observations on each side of a "
                    "comparison.", who=label, m=f.options["min_n"]))
    record("pain_points", len(pains), label="Pain points found")


def what_they_write(f: Findings, *, top_n: int = 5) -> None:
    """The complaint themes recounted on the focus, with typical (masked) quotes."""
    mine = f.themes_focus
    if mine is not None and len(mine.summary):
        _display(html_table(mine.summary.head(top_n),
                            columns={"label": "theme", "n": "texts", "share": "share",
                                     "top_stage": "mostly at", "quotes": "typical quotes"},
                            formats={"share": "%",
                                     "quotes": lambda qs: " · ".join(f"“{q}”" for q in list(qs)[:2])}))
        record("themes", len(mine.summary), label="Feedback themes", n=int(mine.accounting["rows_used"]))
        return
    why = str(f.themes_error).splitlines()[0] if f.themes_error else "no negative feedback from them"
    _display(md("No themes for {who}: {why}", who=f.focus.label, why=why))


def fix_first(f: Findings, *, top_n: int = 5) -> None:
    """The backlog of opportunities for the focus, and the order value it rests on."""
    backlog, aov = f.backlog, f.order_value
    if len(backlog):
        _display(backlog_chart(backlog, title=f"Opportunities for {f.focus.label}: impact against effort"))
        cols = {"rank": "rank", "title": "opportunity", "owner": "owner", "status": "status",
                "quadrant": "quadrant", "rice": "RICE"}
        if "value_at_stake" in backlog:
            cols["value_at_stake"] = "value at stake"
        _display(html_table(backlog.head(top_n), columns=cols,
                            formats={"value_at_stake": lambda v: number(v, digits=0),
                                     "rice": lambda v: number(v, digits=0)}))
        record("top_opportunity", str(backlog["title"].iloc[0]), label="Fix first", headline=True)
    else:
        _display(md("No opportunity in the journey file addresses the pain points of {who}.", who=f.focus.label))
    if aov is not None:
        row = aov.iloc[0]
        _display(md("Average order value used: {v} (95% CI {lo}–{hi}, n={n} orders).",
                    v=number(float(row["order_value"]), digits=2), lo=number(float(row["ci_low"]), digits=2),
                    hi=number(float(row["ci_high"]), digits=2), n=f"{int(row['n']):,}"))


def the_map(f: Findings) -> None:
    """The journey map of the focus with its measured emotion curve and KPIs."""
    _display(journey_map(f.journey, evidence=f.map_evidence,
                         persona=None if f.focus.everyone else f.focus.persona))
