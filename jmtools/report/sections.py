"""The sections of the end-to-end journey report, drawn from one :class:`~jmtools.pipeline.Findings`.

``notebooks/00_journey_report.ipynb`` is a narrative with one call per section::

    f = pipeline.run(data_dir, persona=persona, segment=segment, min_n=min_n)
    sections.at_a_glance(f)
    sections.who(f)
    …

Each function displays its tables and charts and records its key figures
(:func:`jmtools.report.record`), so the notebook computes nothing and a papermill run,
an interactive run and a test all see the same numbers.

Every section runs on whatever tables the data folder holds: a section whose table is
missing says which file would fill it and with which columns
(:func:`jmtools.sources.missing_table`), and the rest of the report stands.
:data:`SECTION_TABLES` lists the tables each section reads (``docs/data.md`` shows the same).

This module holds the sections that describe the journey (who, the data, how far customers
get, how they feel, survey KPIs); those about what goes wrong and what to fix (pain points,
complaint themes, opportunities, the map) live in :mod:`jmtools.report.problem_sections` and
are named here too. Both show through :func:`jmtools.report._section_kit.display`.
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.emotions import journey_name_notes, open_at_end
from jmtools.charts.emotions import assumed_curve_chart, emotion_curve_chart, emotion_curve_panels
from jmtools.charts.theme import validated_whole
from jmtools.core.vocabulary import NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.evidence import fit_problems
from jmtools.personas import RuleError, parse_rule
from jmtools.pipeline import Findings, disclosed_coverage, with_fewer
from jmtools.report import _section_kit as kit
from jmtools.report.present import headline_cards, html_table, md, number, with_caption
from jmtools.report.funnel_notes import (instead_words, show_contact_only, show_funnel_chart, show_last_seen, show_left,
                                         show_not_started, show_optional, show_per_case, show_skipped,
                                         show_actors,
                                         show_still_open, counted_as)
from jmtools.report.headline import (hidden_unit, headline_html, headline_items, loss_interval, no_loss_words,
                                     not_shown_for, one_point_curve)
from jmtools.report.problem_sections import fix_first, the_map, what_they_write, where_it_hurts
from jmtools.report.record import record, record_source
from jmtools.report.persona_sizes import sizes_table, with_people
from jmtools.report.repeat_notes import show_repeat_visits
from jmtools.report.steps import show_dates_only, show_reading_notes
from jmtools.report.unplaced import show_feeling_basis, show_relationship_kpis, unplaced_rows, unplaced_sentence
from jmtools.report.caveats import (much_rejected, not_judged, show_personas_left_out, show_unmapped_stages,
                                   thumbs)
from jmtools.report.wording import (CURVE_HEADINGS, caption, coverage_sentence, curve_introduction, ids_words,
                                    loss_words, reached_words, unit_of)
from jmtools.sources import SPECS, source_paths, unread_fix

__all__ = ["record_inputs", "title", "at_a_glance", "who", "data_behind", "how_far", "feelings", "survey_kpis",
           "where_it_hurts", "what_they_write", "fix_first", "the_map", "KPI_NAMES", "SECTION_TABLES"]

#: The tables each section reads (any of them is enough; the journey file is always read).
#: ``docs/data.md`` shows this table; tests/test_report_sections.py keeps the two equal.
SECTION_TABLES = {
    "at_a_glance": ("events", "customers", "surveys", "feedback", "tickets"),
    "who": ("events", "customers"),
    "data_behind": ("events", "customers", "surveys", "feedback", "orders", "tickets"),
    "how_far": ("events", "customers"),
    "feelings": ("events", "customers", "surveys", "feedback", "tickets"),
    "survey_kpis": ("customers", "surveys"),
    "where_it_hurts": ("events", "customers", "surveys", "feedback", "tickets"),
    "what_they_write": ("customers", "feedback"),
    "fix_first": ("orders",),
    "the_map": ("events", "customers", "surveys", "feedback", "tickets"),
}

#: How the report names each survey KPI.
KPI_NAMES = {"csat_mean": "CSAT, mean (1–5)", "csat_top2box": "CSAT, share of 4–5",
             "ces_mean": "CES, mean (1–7)", "ces_low_effort": "CES, share of low effort",
             "nps": "NPS (−100..+100)"}
_SHARES = {"csat_top2box", "ces_low_effort"}


def _rule_columns(journey) -> str:
    """``customer_id`` and the attributes the journey's persona rules read."""
    names = set()
    for card in journey.personas_resolved():
        try:
            names |= parse_rule(card.rule).attributes if getattr(card, "rule", None) else set()
        except RuleError:  # a broken rule is reported where the personas are checked
            continue
    return ", ".join(["customer_id", *sorted(names)])


def _seen(f: Findings) -> int:
    """Customers of the focus in the loaded tables (what a folder without events can count)."""
    ids = set()
    for table in f.tables.values():
        ids |= set(table["customer_id"].astype(str)) if "customer_id" in table else set()
    if f.focus.everyone or f.assignment is None:
        return len(ids) if f.focus.everyone else 0
    mine = f.assignment[f.assignment["persona"] == f.focus.persona]["customer_id"].astype(str)
    return len(ids & set(mine))


def record_inputs(f: Findings) -> None:
    """Record the journey file and every table read (path, rows, hash) for the report's sidecar."""
    folder = f.world.folder
    record_source(f.journey.path, role="journey", root=folder)
    for kind, loaded in f.world.tables.items():
        record_source(source_paths(folder, loaded), rows=loaded.accounting.rows_of_file, role=kind, root=folder)  # D195, D264
    if f.segment_customers is not None:
        record("segment_customers", f.segment_customers, label="Customers in the segment")


def title(f: Findings) -> None:
    """The report's title: the journey and whom it is about."""
    kit.display(md("# {name}: {who}", name=f.journey.name, who=f.focus.label))


_FUNNEL = "to see how far customers get through the journey and where they drop off"
_FEEL = "to measure how customers feel at each stage"


def at_a_glance(f: Findings) -> None:
    """Headline cards: customers, reached the last stage, lowest point, biggest loss; below them,
    once, what the report leaves out so that no group of fewer than 5 customers is shown
    (``options["disclosure_note"]``): the headline is the first screen on a phone."""
    _glance(f)
    show_per_case(f)            # journeys (claims) of how many customers, and what counting per case did (D238)
    show_actors(f)              # accounts and the users acting for them (D256)
    much_rejected(f)
    if f.options.get("disclosure_note"):
        kit.display(md("> {note}", note=f.options["disclosure_note"]))


def _glance(f: Findings) -> None:
    if not kit.has(f, "events"):
        _glance_without_events(f)
        return
    if f.focus_hidden:        # 1–4 customers, or a size that protects them: no size, no funnel (docs/decisions.md)
        value = "hidden" if f.focus_protects else f"fewer than {MIN_GROUP}"
        kit.display(_headline(f, [{"label": hidden_unit(f).capitalize(), "value": value, "note": "not shown"}]))
        kit.display(md(not_shown_for(f),
                       who=f.focus.label, m=MIN_GROUP, what="its size and funnel are" if f.focus_protects else
                       "its size, funnel, survey KPIs and emotion curve are"))
        return
    n = f.n_customers
    record("customers", n, label=f"{counted_as(f).capitalize()} with events", headline=True)
    if f.evidence.n_customers == 0 and _all_rejected(f, "events"):   # not the rule: the events
        return
    if n == 0 and f.evidence.persona_sizes is None:  # a persona, and no customer table
        kit.display(md("> **No customer can be tied to {who}**: a persona selects customers by their "
                       "attributes, and this folder has no customer table. The report for all customers "
                       "covers all {total} customers with events.", who=f.focus.label,
                       total=f"{f.evidence.n_customers:,}"))
        kit.missing(f, "customers", "to see this persona", columns=_rule_columns(f.journey))
        return
    if n == 0 and f.ids_apart is not None:      # not the rule: the ids of the two tables (D154)
        kit.display(md("> **No customer with events can be tied to {who}**, so every section below is empty. "
                       "{said} `jmtools validate JOURNEY --data FOLDER` shows examples of the two ids.",
                       who=f.focus.label, said=ids_words(f.ids_apart, persona=f.focus.persona)))
        return
    if n == 0:
        card = next((c for c in f.journey.personas_resolved() if c.name == f.focus.persona), None)
        rule = f" ({_rule_text(card)})" if card is not None and _rule_text(card) != "–" else ""
        kit.display(md("> **No customer belongs to {who}.** Its rule{rule} selects none of the {total} "
                       "customers with events in this data, so every section below is empty. Check the rule "
                       "in the journey file against the customer table: `jmtools validate JOURNEY --data FOLDER`.",
                       who=f.focus.label, rule=rule, total=f"{f.evidence.n_customers:,}"))
        return
    reached = f.reached_last
    if not reached["hidden"]:                    # reached by 1–4 customers: no figure (docs/decisions.md)
        record("reached_last_stage", reached["share"], label=f"Reached {reached['stage']}",
               n=reached["started"], ci=reached["ci"], unit="%", headline=True)
    cards = [{"label": unit_of(f).heading.capitalize(), "value": number(n),
              "note": f"with events, of {f.evidence.n_customers:,} in the data"},
             dict(zip(("label", "value", "note"), (f"Reached {reached['stage']}", *reached_words(reached, unit=unit_of(f)))))]
    cards += _lowest_card(f)
    loss = f.biggest_loss
    if loss is not None and no_loss_words(loss, unit=unit_of(f)):     # a loss of nobody (D265)
        cards.append({"label": "Biggest loss", "value": "none", "note": no_loss_words(loss, unit=unit_of(f))})
    elif loss is not None:
        cards.append({"label": "Biggest loss", "value": f"{loss['from']} → {loss['to']}",
                      "note": loss_words(loss, ci=_ci(loss), unit=unit_of(f))})
    kit.display(_headline(f, cards))
    min_n = f.options["min_n"]
    if n < min_n:
        kit.display(md("> **Thin evidence.** Only {n} {many} belong to {who} (the report's minimum is {m}). "
                       "Read every number below as a rough indication.", n=n, who=f.focus.label, m=min_n,
                       many=unit_of(f).many))


def _all_rejected(f: Findings, kind: str) -> bool:
    """Say so when every row of a table was read and rejected (then nothing else can be said of
    it); False when some row was used or none was read."""
    acc = f.accounting
    row = acc[acc["table"] == kind]
    if row.empty or int(row["read"].iloc[0]) == 0 or int(row["used"].iloc[0]) > 0:
        return False
    r = row.iloc[0]
    said = [str(r[c]) for c in ("why rejected", "no data") if c in r and str(r[c]) != "–"]   # D213
    held = " or held no data" if "no data" in r and str(r["no data"]) != "–" else ""
    kit.display(md("> **No row of {file} could be used**: all {read} were rejected" + held + " ({why}), so "
                   "every section below is empty. *The data behind it* lists each reason with its lines and "
                   "how to fix it.", file=str(r["file"]), read=f"{int(r['read']):,}", why="; ".join(said) or "–"))
    return True


def _headline(f: Findings, cards: list[dict]):
    """The headline sentences (:mod:`jmtools.report.headline`); the cards where there are none."""
    from IPython.display import HTML

    items = headline_items(f)
    return HTML(headline_html(items)) if items else headline_cards(cards)


def _glance_without_events(f: Findings) -> None:
    """The headline of a folder without events: who is in the data, and the lowest point."""
    n, kinds = _seen(f), [k for k in f.world.tables if k != "customers"] or ["customers"]
    record("customers", n, label="Customers in the data (no events)", headline=True)
    cards = [{"label": "Customers", "value": number(n),
              "note": f"in the {kit.table_list(kinds, 'and')} (no events)"}]
    kit.display(headline_cards(cards + _lowest_card(f)))
    kit.missing(f, "events", _FUNNEL)


def _ci(loss: dict) -> str:
    """The loss's interval as the headline gives it; none for a step of 1–4 customers (no count)."""
    return "" if loss.get("hidden") else loss_interval(loss)


def _lowest_card(f: Findings) -> list[dict]:
    """The card (and records) of the lowest point of the focus's emotion curve, if it has one."""
    lowest = f.lowest_emotion
    if lowest is None:
        return []
    basis = " (from behaviour)" if f.curve_basis == "behaviour" else ""
    only = one_point_curve(f)           # one point is no lowest point (D232): the card, the record and the chart say so
    record("lowest_emotion_stage", str(lowest["stage"]), label="Only point" if only else "Lowest point")
    record("lowest_emotion", float(lowest["valence"]), label=f"Emotion at {lowest['stage']} (−2..+2){basis}",
           n=int(lowest["n"]), ci=(float(lowest["ci_low"]), float(lowest["ci_high"])), fmt="+.2f",
           headline=True)
    return [{"label": f"{'Only' if only else 'Lowest'} point of the emotion curve{basis}",
             "value": f"{lowest['stage']} {number(float(lowest['valence']), digits=2, signed=True)}",
             "note": f"on −2..+2, n={int(lowest['n']):,}"}]


def who(f: Findings) -> None:
    """Persona sizes (all customers) or the persona's card; personas left out, and why."""
    ev = f.evidence
    show_personas_left_out(f.persona_errors, record=record, show=kit.display)
    if f.focus.everyone and (ev.persona_sizes is None or not kit.has(f, "events")):
        _who_without_sizes(f)
        return
    if f.focus.everyone:
        shown = ev.persona_sizes.assign(share=lambda d: d["n_customers"] / d["n_customers"].sum())
        whose = unit_of(f).many + (" of customers" if f.cases is not None else "")   # a persona selects people
        kit.display(md("The data holds **{n}** {unit} with events, in {k} personas. "
                       "{Whose} no persona rule selects are listed as *{none}*, {whose} missing from the "
                       "customer table as *{missing}*.", none=NO_PERSONA, missing=NOT_IN_CUSTOMERS,
                       n=f"{ev.n_customers:,}", k=len(f.journey.persona_names), unit=counted_as(f, people=True),
                       Whose=whose.capitalize(), whose=whose))
        sizes_table(with_people(f, shown), unit=counted_as(f))
        _ids_that_do_not_meet(f)
        return
    card = next(c for c in f.journey.personas_resolved() if c.name == f.focus.persona)
    kit.display(md("**{name}** — {story}", name=card.name, story=card.backstory or ""))
    if card.quote:
        kit.display(md("> “{quote}”", quote=card.quote))
    texts = lambda items: "; ".join(getattr(g, "text", str(g)) for g in items or []) or "–"  # noqa: E731
    size = (f"{f.n_customers:,} of {ev.n_customers:,}" if kit.has(f, "events") else f"{_seen(f):,} (no events)")
    if f.focus_hidden:
        size = "not shown (it would give back a smaller persona's size)" if f.focus_protects else \
            f"fewer than {MIN_GROUP} (not shown)"
    facts = [("Rule that selects them", _rule_text(card)),
             (unit_of(f).heading.capitalize(), size if f.assignment is not None else
              "– (no customer table in this folder)"),
             ("Goals", texts(card.goals)), ("Motivations", texts(card.motivations)),
             ("Pain points (from the workshop)", texts(card.pain_points))]
    kit.display(html_table(pd.DataFrame(facts, columns=["", "value"])))
    if f.ids_apart is not None:      # not the rule: the ids of the two tables (D154)
        kit.display(md("> **The customer ids of the two tables do not meet.** {said}",
                       said=ids_words(f.ids_apart, persona=card.name)))


def _rule_text(card) -> str:
    """How a report names what selects a persona: its rule, or "everyone else"."""
    if getattr(card, "rest", False):
        return "everyone else (rest: true): the customers no earlier persona selects"
    return getattr(card, "rule", None) or "–"


def _who_without_sizes(f: Findings) -> None:
    """All customers, when persona sizes cannot come from events: from the customer table, or why not."""
    if not f.journey.persona_names:
        kit.display(md("The journey file names no personas: this report is about all customers."))
    elif f.assignment is None:
        kit.missing(f, "customers", "to tie customers to the journey's personas; until then this report "
                    "covers all customers and has no persona sections", columns=_rule_columns(f.journey))
    else:
        sizes = f.assignment["persona"].astype(object).fillna(NO_PERSONA).value_counts()
        order = [p for p in [*f.journey.persona_names, NO_PERSONA] if p in sizes.index]
        shown = pd.DataFrame({"persona": order, "n_customers": [int(sizes[p]) for p in order]})
        shown["share"] = shown["n_customers"] / shown["n_customers"].sum()
        kit.display(md("The customer table holds **{n}** customers, in {k} personas (no events, so these are "
                       "all customers in the table, not customers with events). Customers no persona rule "
                       "selects are listed as *{none}*.", n=f"{len(f.assignment):,}",
                       k=len(f.journey.persona_names), none=NO_PERSONA))
        sizes_table(shown)


def _strangers(f: Findings, kind: str, known: set) -> list[str]:
    """A sentence when most ids of ``kind`` (survey answers, feedback, tickets) are not in the
    customer table: keyed by e-mail where the customers have account ids, each writer counts
    as a customer of their own, in no persona. No id is quoted. Read from the customer table's
    frame (a report on a prepared world attaches no query engine); ``known`` keeps its ids for
    the next table."""
    if not kit.has(f, "customers") or f.world.tables["customers"] is None:
        return []
    sizes = getattr(f.evidence, "persona_sizes", None)
    if sizes is not None and sizes.loc[sizes["persona"] == NOT_IN_CUSTOMERS, "n_customers"].sum() >= 0.5 * max(
            int(f.evidence.n_customers), 1):
        return []    # the customer table misses the customers with events too: that is said, not this
    if not known:
        known |= {str(v) for v in f.world.tables["customers"].to_pandas()["customer_id"].dropna()}
    ids = {str(v) for v in f.world.tables[kind].to_pandas()["customer_id"].dropna()}
    strangers = len(ids - known)
    if not known or not ids or strangers < 0.5 * len(ids):
        return []
    return [f"{strangers:,} of its {len(ids):,} customer ids are not in the customer table: each counts as a "
            "customer of its own, in no persona. If the file keys people another way (an e-mail, a ticket "
            "requester), export it with the customer table's ids"]


def _ids_that_do_not_meet(f: Findings) -> None:
    """When most customers with events are missing from the customer table, say how the ids
    seem to differ and the fix (:attr:`Findings.ids_apart`, D154); no id is quoted."""
    if f.ids_apart is not None:
        kit.display(md("> **Most customers with events are not in the customer table.** {said}",
                       said=ids_words(f.ids_apart)))


def data_behind(f: Findings) -> None:
    """Rows read, used and rejected per table; tables missing; unmatched events; persona coverage."""
    acc = f.accounting
    kit.display(html_table(acc))
    _rejections(f)
    show_reading_notes(f.world)
    for name in getattr(f.world, "unread", ()):      # named for a table, in a format not read (a .zip)
        read = f.world.tables.get(name.split(".")[0].lower())
        kit.display(md("**{name}** {fix}", name=name, fix=unread_fix(
            name, folder=f.world.folder, read_from=str(read.source) if read is not None else None)))
    absent = [k for k in SPECS if not kit.has(f, k)]
    if absent:
        kit.display(md("This folder has no {absent}: the sections that need them say which file would fill "
                       "them (docs/data.md lists which table each section uses).", absent=kit.table_list(absent)))
    if kit.has(f, "events"):
        k = len(f.evidence.unmatched)
        kit.display(md("{u} of events ({k} event {names}) match no touchpoint of the journey and are left out of "
                       "the funnel.", u=number(f.unmatched_share, unit="%"), k=k, names="name" if k == 1 else "names"))
    known: set = set()
    for kind in ("surveys", "feedback", "tickets"):   # names the journey does not have: warned, not shown
        if kit.has(f, kind) and f.world.tables[kind] is not None:
            left = _UNPLACED.get(kind, "used without it")
            for said in journey_name_notes(f.journey, f.world.tables[kind], left=left) + _strangers(f, kind, known):
                kit.display(md("**{file}**: {said}", file=f.world.tables[kind].source, said=said))
    if f.evidence.coverage is not None and kit.has(f, "events"):
        cov = disclosed_coverage(f.evidence.coverage, sizes=f.evidence.persona_sizes)  # 1–4, and what protects
        kit.display(md("{cov}", cov=coverage_sentence(cov, int(f.evidence.n_customers), MIN_GROUP, unit=unit_of(f))))
    record("rows_rejected", int(acc["rejected"].sum()), label="Rows rejected")
    _journey_fit(f)


#: What becomes of a row naming a stage or touchpoint the journey lacks, per table (D175).
_UNPLACED = {"surveys": "scored nowhere (neither at a stage nor as a score not tied to a step): "
                        "give them the journey's names to count them (in the file, or with values: in "
                        "loading.yaml)"}


def _rejections(f: Findings, max_lines: int = 8) -> None:
    """Each reason rows were rejected for: the file, the column, how many, the first lines and
    the fix — what a reader needs to mend the export. No rejected value is quoted (it may be
    an id the report pseudonymises)."""
    template, values = [], {}
    for loaded in f.world.tables.values():
        reasons = getattr(getattr(loaded, "accounting", None), "reasons", None)
        for r in (reasons.itertuples() if reasons is not None else ()):
            lines = [int(x) for x in (r.lines if r.lines is not None else [])]
            where = (f"line{'s' if len(lines) > 1 else ''} " + ", ".join(map(str, lines[:max_lines]))
                     + (" …" if r.n > len(lines[:max_lines]) else "")) if lines else ""
            i = len(template)
            template.append(f"- **{{file{i}}}**, {{what{i}}}: {{n{i}}} row{'s' if r.n != 1 else ''}"
                            + (f" ({{where{i}}})" if where else "") + (f" — *fix*: {{fix{i}}}" if r.fix else ""))
            values.update({f"file{i}": loaded.source, f"n{i}": f"{int(r.n):,}", f"where{i}": where,
                           f"what{i}": r.reason + (f" in column {r.column}" if isinstance(r.column, str)
                                                   and r.column not in r.reason else ""),
                           f"fix{i}": r.fix or ""})
    if template:
        kit.display(md("**Why rows were rejected**\n\n" + "\n".join(template), **values))


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
    kit.display(md("\n".join(template), **values))
    for r in shown[shown["severity"] == "warning"].itertuples():
        record(f"journey_warning_{r.Index + 1}", r.message, label="Journey file warning")


@validated_whole()
def how_far(f: Findings) -> None:
    """The focus's funnel against everyone, its biggest loss and the funnel table."""
    if kit.missing(f, "events", _FUNNEL):
        return
    if f.focus_hidden:
        kit.display(md(not_shown_for(f),
                       who=f.focus.label, what="its funnel is", m=MIN_GROUP))
        return
    fun, label = f.funnel, f.focus.label
    if set(fun["step"]) <= set(f.evidence.stages):      # the stages' funnel, not one of the user's steps
        show_unmapped_stages(f.evidence, fix="See *How the journey file fits the events* above for the fix.",
                             show=kit.display)
    show_dates_only(f.evidence, persona=f.focus.persona)  # dates only: the order assumed within a day, with n
    show_funnel_chart(f, title=f"How far {label} get through the journey")   # with those still open (D221)
    show_per_case(f, short=True)
    loss = f.biggest_loss
    if loss is not None and no_loss_words(loss, unit=unit_of(f)):     # a loss of nobody (D265)
        kit.display(md("No stage loses customers: {words}.", words=no_loss_words(loss, unit=unit_of(f))))
    elif loss is not None:
        said = md("The biggest loss is between **{a}** and **{b}**: {words}.", a=loss["from"], b=loss["to"],
                  words=loss_words(loss, ci=_ci(loss), unit=unit_of(f)))   # the headline's interval (D225)
        kit.display(type(said)(said.data + instead_words(f, loss["to"])))   # an optional stage beside it (D219)
        show_last_seen(f)
    show_not_started(f)
    show_contact_only(f)
    show_skipped(f)
    show_optional(f)
    show_left(f)
    show_repeat_visits(f)
    show_still_open(f)
    kit.display(html_table(with_fewer(fun), columns={"step": "stage", "n": counted_as(f),
                                                     "conversion": "from previous stage", "ci_low": "95% CI low",
                                                     "ci_high": "95% CI high", "rate_from_start": "from start"},
                           formats={"n": lambda v: number(v, digits=0), "conversion": "%", "ci_low": "%",
                                    "ci_high": "%", "rate_from_start": "%"},
                           caption=fun.attrs.get("note") or None))
    reached = f.reached_last                   # at_a_glance records the last stage when it is shown
    last_stage = reached.get("stage") if reached and not reached["hidden"] else None
    for row in fun[~fun["suppressed"] & fun["rate_from_start"].notna() & (fun["step"] != last_stage)].itertuples():
        record(f"funnel_{row.step_index}", float(row.rate_from_start), label=f"Reached {row.step}", n=int(row.n),
               unit="%")


@validated_whole()
def feelings(f: Findings) -> None:
    """The emotion curve beside the workshop's assumption, moments of truth, the curve table.

    The section prints its own heading above its introduction (D210): how customers feel, or, on
    a curve of friction from behaviour alone, where they meet friction — in a live notebook too."""
    said = "behaviour" if f.curve_basis == "behaviour" else "feeling"
    kit.display(md("## " + CURVE_HEADINGS[said] + "\n\n" + curve_introduction(said, unit=unit_of(f))))
    names = list(f.journey.persona_names) if f.assignment is not None else []
    shown = ["all"] + (names if f.focus.everyone else [f.focus.persona])
    assumed = f.assumed[f.assumed["persona"].isin(shown)] if "persona" in f.assumed else f.assumed
    if f.curve_basis == "assumed":
        _feelings_assumed(f, assumed)
        return
    behaviour = f.curve_basis == "behaviour"
    if behaviour:                     # no survey or feedback, or none that names a step (D132)
        away = unplaced_sentence(unplaced_rows(f.tables))
        kit.display(md("> **Measured from behaviour only.** {why} each stage a "
                       "customer reached counts 0, minus 1 for each of: the journey ends there (abandonment), an "
                       "error event, repeated contacts (at most −2). Behaviour can only pull the curve down: read "
                       "it as friction, not as how customers feel.",
                       why=f"{away[:-1]}: instead," if away else "With no survey scores or feedback texts,"))
        for kind in ("surveys", "feedback"):
            kit.missing(f, kind, _FEEL)
    moments, main = f.moments, shown[:1] if f.focus.everyone else shown  # one line per group: legible
    key = "emotion_behaviour" if behaviour else "emotion_curve"
    kit.display(with_caption(emotion_curve_chart(
        f.curve, assumed=assumed[assumed["persona"].isin(main)] if "persona" in assumed else assumed,
        moments=moments[moments["persona"].isin(main)], personas=main,
        title=f"Emotion curve{' from behaviour' if behaviour else ''}: {f.focus.label}",
        subtitle=_behaviour_subtitle(f) if behaviour else None),
        key, text=caption(key, unit=unit_of(f))))
    # read as abandoning, yet may still go on: left out of the curve (D196), counted in the focus (D199)
    still = open_at_end(f.emotion_evidence, None if f.focus.everyone else f.focus.persona).attrs["note"] \
        if behaviour else ""
    if still:
        kit.display(md("**Still open at the data's end.** {note}", note=still))
    if len(shown) > 2:
        kit.display(with_caption(emotion_curve_panels(f.curve, assumed=assumed, moments=moments,
                                                      personas=shown[1:],
                                                      title="Each persona against all customers"),
                                 "emotion_panels_behaviour" if behaviour else "emotion_panels"))
    for text in moments.loc[moments["persona"] == f.focus.persona, "explanation"]:
        kit.display(md("- {text}", text=text))
    table = f.curve_focus
    if "suppressed" in table:                 # a group of 1–4 customers: "hidden", not "–" (nothing measured)
        table = table.assign(n=["hidden" if hide else int(v) if v == v else v
                                for v, hide in zip(table["n"], table["suppressed"])])
    table, unjudged = not_judged(table, f.journey) if behaviour else (table, None)  # no bare "0 customers" (D200)
    height = "friction (0..−2)" if behaviour else "emotion (−2..+2)"
    kit.display(html_table(table, columns={"stage": "stage", "valence": height,
                                           "ci_low": "95% CI low", "ci_high": "95% CI high",
                                           "n": "customers", "sources": "evidence"}))
    if unjudged is not None:
        kit.display(unjudged)
    _feeling_basis(f)
    thumbs(f)


def _feeling_basis(f: Findings) -> None:
    """Say what the focus's feeling is computed from (ratings, survey scores, text, behaviour), and
    which answers and texts name no step."""
    show_feeling_basis(f, display=kit.display)


def _behaviour_subtitle(f: Findings) -> list[str]:
    why = "no survey answer or feedback text names a stage" if unplaced_rows(f.tables) else "no surveys or feedback"
    return [f"Measured from behaviour only ({why}): per customer and stage, 0 for a smooth visit, "
            "−1 for each of abandonment, an error event, repeated contacts.",
            "Shaded band: 95% interval. Dot area: n (customers). Dashed: the workshop's assumption. "
            "Red rings: moments of truth (why: listed below the chart)."]


def _feelings_assumed(f: Findings, assumed: pd.DataFrame) -> None:
    """No evidence of emotion in the folder: what would give some, and the workshop's curve as assumed."""
    for kind in ("surveys", "feedback"):
        kit.missing(f, kind, _FEEL)
    if unplaced_rows(f.tables):        # there, but naming no step (D132)
        kit.display(md("{said}", said=unplaced_sentence(unplaced_rows(f.tables))))
    kit.missing(f, "events", "to measure friction from behaviour (abandonment, errors, repeated contacts)")
    if assumed["valence"].notna().any():
        kit.display(md("> **Assumed, not measured.** The curve below is the emotion the team assumed in the "
                       "workshop (the journey file's `emotion:` per stage); nothing in this folder measures it."))
        kit.display(with_caption(assumed_curve_chart(
            assumed, title=f"Emotion curve assumed in the workshop: {f.focus.label} (no evidence in the data)"),
            "assumed_curve"))
    else:
        kit.display(md("The journey file assumes no emotion either: add `emotion:` (−2..+2) to its stages to draw "
                       "the workshop's curve."))


def _kpi_text(row, col) -> str:
    if row["kpi"] in _SHARES:
        return number(row[col], unit="%")
    return number(row[col], digits=1 if row["kpi"] == "nps" else 2)


def _names_given(table) -> bool:
    """Whether any survey answer names a stage or touchpoint (none of them the journey's, D192)."""
    frame = table.to_pandas() if hasattr(table, "to_pandas") else table
    named = [c for c in ("stage", "touchpoint") if c in frame.columns]
    return bool(named) and bool(frame[named].notna().any(axis=None))


def survey_kpis(f: Findings) -> None:
    """CSAT, CES and NPS per stage with intervals; NPS recorded per stage."""
    if kit.missing(f, "surveys", "to see CSAT, CES and NPS per stage"):
        return
    kp, rel = f.kpis_shown, f.relationship_kpis
    if kp is None or not len(kp):     # None: the answers name no stage or touchpoint (data section)
        kit.display(md("No survey answer from {who} names a stage or touchpoint of the journey{so}{named}.",
                       who=f.focus.label, so=", so there are no scores per stage" if rel is not None else "",
                       named=" (the names they give are not the journey's: see How the files were read)"
                       if _names_given(f.world.tables["surveys"]) else ""))
        show_relationship_kpis(rel, who=f.focus.label, display=kit.display)
        return
    hidden = kp["suppressed"] if "suppressed" in kp else pd.Series(False, index=kp.index)
    table = kp.assign(measure=kp["kpi"].map(lambda k: KPI_NAMES.get(k, k)),
                      shown=[_kpi_text(r, "value") for _, r in kp.iterrows()],
                      interval=[f"{_kpi_text(r, 'ci_low')} to {_kpi_text(r, 'ci_high')}"
                                for _, r in kp.iterrows()],
                      n=[int(v) if v == v else v for v in kp["n"]])
    table = table.assign(**{c: table[c].astype(object).mask(hidden, "hidden") for c in ("shown", "interval", "n")})
    kit.display(html_table(table, columns={"stage": "stage", "measure": "measure", "shown": "value",
                                           "interval": "95% interval", "n": "answers"}))
    asked = getattr(f.world.tables.get("surveys"), "accounting", None)   # a CSAT asked on 1–10 (D175)
    for note in [n for n in (asked.notes if asked is not None else [])    # turned round (D195)
                 if any(t in n for t in ("(asked_on)", "(reverse:", "reverse: [ces]"))]:
        kit.display(md("**Scale.** {note}.", note=note))
    for row in kp[(kp["kpi"] == "nps") & ~hidden].itertuples():
        record(f"nps_{row.stage}", float(row.value), label=f"NPS at {row.stage}", n=int(row.n),
               ci=(float(row.ci_low), float(row.ci_high)), fmt="+.0f", headline=True)
    show_relationship_kpis(rel, who=f.focus.label, display=kit.display)   # answers naming no step (D132)
