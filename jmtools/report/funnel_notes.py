"""What the report says beside its funnel: customers it does not count, customers a company
contact counts, steps customers skip, optional stages, exit stages and customers who may still go on at
the data's end — each a sentence with its n, below the chart.

Each ``show_*`` function takes the :class:`~jmtools.pipeline.Findings` of a report and displays
its sentences through the section kit (nothing when there is nothing to say).
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.compare import still_open_steps
from jmtools.analyses.disclosure import MIN_GROUP, count_words
from jmtools.analyses.funnels import before_leaving, duration_words, last_seen
from jmtools.charts import funnels as funnel_charts
from jmtools.core.stats import wilson_interval
from jmtools.core.vocabulary import ALL, counted
from jmtools.pipeline import Findings
from jmtools.pipeline._had_time import had_time, open_rows
from jmtools.report import _section_kit as kit
from jmtools.report.present import esc, funnel_chart, md, with_caption
from jmtools.report.own_step import MESSAGE_WORDS, may_be_own_step
from jmtools.report.record import record
from jmtools.report.wording import CUSTOMERS, caption, later_words, listed, percent, unit_of

__all__ = ["WAY_OUT", "MESSAGE_WORDS", "may_be_own_step", "counted_as", "show_per_case", "show_actors", "show_not_started", "show_contact_only", "show_skipped", "show_optional", "show_left", "show_still_open",
           "show_last_seen", "instead_words", "focus_still_open", "show_funnel_chart", "show_before_leaving",
           "leaving_rows", "cutoffs", "open_funnel_chart", "open_conversion_chart", "conversion_open_rows", "OPEN_END"]

#: Under a funnel chart whose bars have a pale end (D221): the report's and notebook 02's.
OPEN_END = ("Pale end of a bar (+n open): customers still at the stage before at the data's end, who reached it too "
            "recently to judge and may still reach this one (not counted in the bar).")


def _open_end(unit=CUSTOMERS) -> str:
    """:data:`OPEN_END`, naming ``unit`` when the funnel counts claims (D253)."""
    if not unit.per_case:
        return OPEN_END
    return (f"Pale end of a bar (+n open): {unit.many} still at the stage before at the data's end, that reached "
            "it too recently to judge and may still reach this one (not counted in the bar).")


def counted_as(f: Findings, *, people: bool = False) -> str:
    """What the report's counts count: ``"customers"``, or per case (D238) ``"journeys (claims)"``;
    ``people=True`` adds their customers, ``"journeys (claims) of 400 customers"``."""
    unit = unit_of(f)                              # accounts with an actor column (D256)
    return unit.heading + (f" of {counted(f.n_people, 'customer')}" if people and f.cases is not None else "")


def show_per_case(f: Findings, *, short: bool = False) -> None:
    """With a case column (D238), what the report counts: journeys (claims…) and the customers
    they belong to; ``short`` for the line under the funnel, else everything counting per case did
    (events without a case, shared case values, answers moved to their cases)."""
    cases = f.cases
    if cases is None:
        return
    if short:
        kit.display(md("> **Counted per {name}**: each bar counts journeys ({plural}), {n} of {people} "
                       "here; a customer with several {plural} is counted once per {name}.", name=cases.name,
                       plural=cases.plural, n=f"{f.n_customers:,}", people=counted(f.n_people, "customer")))
        return
    kit.display(md("> **Counted per {name}.** {note}", name=cases.name, note=cases.note()))


def show_actors(f: Findings) -> None:
    """With an actor column (D256), once: the journeys (accounts), the users counted as their
    actors, and what that changed (no loop or copy across users, answers moved to accounts)."""
    actors = getattr(f, "actors", None)
    if actors is None:
        return
    kit.display(md("> **Counted per {name}.** {note}", name=actors.journey_name, note=actors.note()))


def show_not_started(f: Findings) -> None:
    """Customers with events whom the funnel does not count: none of their events reaches its
    first step (a broker's customers who start at the quote, say)."""
    fun, of = f.funnel, f.n_customers
    if fun.empty or not of or f.focus_hidden or fun["n"].isna().iloc[0]:
        return
    left, many = of - int(fun["n"].iloc[0]), unit_of(f).many
    if left <= 0:
        return
    k = f"fewer than {MIN_GROUP}" if left < MIN_GROUP else f"{left:,} ({percent(left / of)})"
    kit.display(md("> **{Many} the funnel does not count**: {k} of the {of} {many} with events have no event at "
                   "**{first}**, its first step, so the funnel above does not count them at any stage. If "
                   "{many} may start later (through a broker, a shop, a colleague), give the funnel the "
                   "steps they share (the report's `funnel_steps`), or mark the first stage `optional: true`.",
                   k=k, of=f"{of:,}", first=str(fun["step"].iloc[0]), many=many, Many=many.capitalize()))


def show_optional(f: Findings) -> None:
    """Each optional stage (``optional: true``): how many reached it of those at the stage before
    (:attr:`Findings.optional`); records ``optional_<k>``."""
    many = unit_of(f).many                                       # accounts, claims (D262)
    for k, r in enumerate(f.optional, start=1):
        of = (f"of the {r['of']:,} {many} counted at {r['after']}" if r["after"] else
              f"of the {r['of']:,} {many} with events")
        if r["n"] is None:
            share = f"fewer than {MIN_GROUP} {of}"
        elif r["share"] is None:
            share = f"{r['n']:,} {of}"
        else:
            low, high = r["ci"]
            share = f"{r['n']:,} {of} ({percent(r['share'])}, 95% CI {percent(low)}–{percent(high)})"
            record(f"optional_{k}", r["share"], label=f"Reached {r['stage']} (optional)", n=r["of"], ci=r["ci"],
                   unit="%")
        where = _elsewhere(r, f.focus.everyone, many)
        kit.display(md("**{stage}, an optional stage**: reached by {share}." + where + " Many {many} never need "
                       "it (`optional: true` in the journey file), so it is no step of the funnel above: later "
                       "stages count {many} with or without it, and not reaching it is no drop-off.",
                       stage=r["stage"], share=share, after=r["after"] or "", many=many))


def instead_words(f: Findings, to: str) -> str:
    """After a loss into ``to`` (the biggest loss's sentence, as Markdown, names escaped): the customers the funnel never counts at
    ``to`` who had an event at an optional stage right after it instead (D216's ``n_never``: a missed
    first appointment), so that "do not go on" is not read as leaving after the step before (D219).
    Empty when there are none, or on a persona's report when some persona has 1–4 of them (D199).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> r = {"stage": "Did not attend", "after": "First appointment", "elsewhere": {"n_never": 93, "small": False}}
    >>> f = SimpleNamespace(optional=[r], focus=SimpleNamespace(everyone=True))
    >>> instead_words(f, "First appointment")
    ' 93 customers the funnel never counts at **First appointment** had an event at **Did not attend** instead (an \
optional stage beside it; see below): the loss counts them.'
    >>> instead_words(f, "Booking")
    ''
    """
    parts, many = [], unit_of(f).many
    for r, e in _instead(f, to):
        parts.append(f"{count_words(e['n_never'])} {many} the funnel never counts at **{esc(to)}** had an event "
                     f"at **{esc(r['stage'])}** instead (an optional stage beside it; see below): the loss counts them.")
    return "".join(" " + p for p in parts)


def _instead(f: Findings, to: str) -> list:
    """The optional stages right after ``to`` with customers the funnel never counts at ``to`` (D216's
    ``elsewhere``), as ``(stage row, elsewhere)``; none on a persona's report when some persona has 1–4."""
    out = []
    for r in f.optional:
        e = r.get("elsewhere")
        if r["after"] == to and e and e["n_never"] and not (e["small"] and not f.focus.everyone):
            out.append((r, e))
    return out


def _elsewhere(r: dict, everyone: bool, many: str = "customers") -> str:
    """After "reached by …": the customers with an event at the optional stage whom that count
    leaves out, by where they were in the funnel (D216) — before the stage before it, or never
    counted there. Counts of 1–4 in words; with one, no total or sum that would give it back; on a
    persona's report nothing but that they exist when some persona has 1–4 (D199)."""
    e = r.get("elsewhere")
    if not e or not e["n_later"] + e["n_never"]:
        return ""
    if e["small"] and not everyone:
        return (f" {many.capitalize()} of this persona who had it before reaching **{{after}}** are left out of that "
                "count; how many is not said per persona, as some persona has fewer than 5 of them.")
    later, never = count_words(e["n_later"]), count_words(e["n_never"])
    if e["small"]:
        return (f" Others had it before they were counted at **{{after}}**, so that count leaves them out: {later} "
                f"who reached {{after}} only later, and {never} whom the funnel never counts at {{after}}.")
    return (f" In all {e['n_any']:,} {many} had an event at this stage: {e['n_after']:,} after **{{after}}** "
            f"(the count above) and {e['n_later'] + e['n_never']:,} before it, which that count leaves out — "
            f"{never} of them never reached {{after}} (as the funnel counts), {later} reached it later.")


def show_left(f: Findings) -> None:
    """Below the funnel: how many of the focus reached each exit stage (customers leaving), which
    is no step of the funnel (:attr:`Findings.left`), and what came before leaving
    (:func:`show_before_leaving`); records ``left_<k>``."""
    many = unit_of(f).many
    for k, r in enumerate(f.left, start=1):
        if r["n"] is None:
            share = f"fewer than {MIN_GROUP} of the {r['of']:,} {many} with events"
        else:
            low, high = r["ci"]
            share = (f"{r['n']:,} of the {r['of']:,} {many} with events ({percent(r['share'])}, 95% CI "
                     f"{percent(low)}–{percent(high)})")
            record(f"left_{k}", r["share"], label=f"Left at {r['stage']}", n=r["of"], ci=r["ci"], unit="%")
        kit.display(md("**Left at {stage}**: {share}. {stage} is an exit stage (`exit: true` in the journey "
                       "file): {many} {who} reach it leave, so it is no step of the funnel above, and staying "
                       "is no drop-off.", stage=r["stage"], share=share, many=many, who=unit_of(f).who))
        show_before_leaving(f, r["stage"], k)


#: Most touchpoints said before leaving an exit stage.
MAX_BEFORE_LEAVING = 3


def leaving_rows(f: Findings, stage: str, *, steps: bool = False) -> pd.DataFrame:
    """The touchpoints :func:`show_before_leaving` names for the focus at the exit ``stage``: rows of
    :func:`jmtools.analyses.funnels.before_leaving` (the focus's persona only) that may be shown (no
    group or count of 1–4) and whose difference's 95% interval lies above 0 (Newcombe's), highest lower
    bound first, at most :data:`MAX_BEFORE_LEAVING`. A touchpoint every one who left had met first
    (nobody who missed it left: a renewal reminder before a cancellation) is a step on the way to
    leaving, not a difference (D229): left out, or with ``steps=True`` the only rows returned."""
    by = None if f.focus.everyone else "persona"
    rows = before_leaving(f.evidence, stages=[stage], by=by, min_n=MIN_GROUP)
    if by:
        rows = rows[rows["persona"] == f.focus.persona]
    rows = rows[rows["shown"] & (rows["diff_low"] > 0)]
    step = rows["left_not"].eq(0)
    return (rows[step] if steps else rows[~step].head(MAX_BEFORE_LEAVING)).reset_index(drop=True)


def show_before_leaving(f: Findings, stage: str, k: int = 1) -> None:
    """Below "Left at <stage>": the touchpoints whose customers left more often than the others
    (:func:`leaving_rows`), each with n, shares and 95% intervals on both sides, a contact the company
    started said as such — an association, not a cause (D211). Records ``before_leaving_<k>_<i>``.
    Nothing when no touchpoint differs."""
    rows = leaving_rows(f, stage)
    if rows.empty:
        return
    top, unit = rows.iloc[0], unit_of(f)
    among = f"the {unit.of(top['n'])} with events"
    if top["from_stage"]:
        had = ("nearly all" if top["n_left"] == top["n_left_all"] else
               f"{count_words(top['n_left'])} of the {top['n_left_all']:,}")
        among = (f"the {unit.of(top['n'])} {unit.who} had reached **{{fs}}** themselves (as {had} who left had, "
                 "before leaving)")
    parts, values = [], {}
    for i, r in enumerate(rows.itertuples()):
        values.update({f"t{i}": r.touchpoint, f"g{i}": r.touchpoint_stage})
        verb = "got" if r.company else "met"
        parts.append(f"{count_words(r.left_met)} of the {r.n_met:,} who {verb} *{{t{i}}}* ({{g{i}}})"
                     + (", a contact the company started," if r.company else "")
                     + f" left ({_share(r.share_met, r.met_low, r.met_high)})"
                     + f" against {count_words(r.left_not)} of the {r.n_not:,} who did not "
                       f"({_share(r.share_not, r.not_low, r.not_high)})")
        record(f"before_leaving_{k}_{i + 1}", float(r.share_met), label=f"Left at {stage} after {r.touchpoint}",
               n=int(r.n_met), ci=(float(r.met_low), float(r.met_high)), unit="%")
    steps = leaving_rows(f, stage, steps=True)
    values.update({f"s{i}": t for i, t in enumerate(steps["touchpoint"])})
    step = ("" if steps.empty else f"Every one who left had first {'got' if steps['company'].all() else 'met'} "
            + listed([f"*{{s{i}}}*" for i in range(len(steps))])
            + ": a step on the way to leaving, not a difference, so not listed. ")
    kit.display(md("> **Before leaving at {stage}**: among " + among + ":\n>\n"
                   + "".join(f"> - {p};\n" for p in parts[:-1]) + f"> - {parts[-1]}.\n>\n> " + step +
                   "Only what came before leaving counts (for those who stayed, anything up to the data's end). "
                   "An association, not a cause: " + unit.many + " " + unit.who + " met it may differ in other ways, "
                   "and whether it drives leaving is for a test or a conversation to tell.", stage=stage,
                   fs=top["from_stage"], **values))


def _share(share, low, high) -> str:
    return f"{percent(share)}, 95% CI {percent(low)}–{percent(high)}"


def show_contact_only(f: Findings) -> None:
    """Below the funnel: each stage where customers act at which some customers got a contact the
    company started but took no step of their own, so that the funnel does not count them there
    (:attr:`Findings.contact_only`, D243); 1–4 said in words. Then each stage reached only through
    the company's own record (every touchpoint there ``initiated_by: company``), with the funnel's
    count there."""
    rows, many = f.contact_only, unit_of(f).many
    for r in (rows.itertuples() if rows is not None else []):
        at = [t for t in f.journey.touchpoints if t.initiated_by == "company" and t.stage == r.step]
        who = (f"{count_words(r.n_contact_only)} of the {int(r.n_prev):,} {many} counted at {r.before}"
               if pd.notna(r.before) else f"{count_words(r.n_contact_only)} {many}")
        kit.display(md("> **Not counted at {step}**: {who} got a contact the company started there ({names}) but took "
                       "no step of their own at {step}, so the funnel counts them neither there nor after it. At a "
                       "stage where customers act, only a customer's own step counts as reaching it; at a stage where "
                       "only the company acts (a payment, an ad shown), its contact does." +
                       (WAY_OUT if any(may_be_own_step(t) for t in at) else ""),
                       step=r.step, who=who, names=", ".join(t.name for t in at) or "at that stage"))
    _show_company_record_only(f)


#: After "Not counted at …" where a company touchpoint there may record the customer's own step
#: (:func:`may_be_own_step`, D243, D262): how to count it.
WAY_OUT = (" If one of these records a step that is the customer's own, taken by not acting or through someone "
           "else (a renewal that runs unless cancelled, an order phoned in to staff), mark that touchpoint "
           "`initiated_by: customer` in the journey and the funnel counts it.")

def _show_company_record_only(f: Findings) -> None:
    """Each stage of the stages' funnel whose every touchpoint is ``initiated_by: company``: the
    funnel counts the company's record as the customers' step there (D177), so its conversions rest
    on that record (D207). The count is the funnel's own, 1–4 said in words."""
    fun = f.funnel
    if fun.empty or f.focus_hidden or not set(fun["step"]) <= set(f.evidence.stages):
        return
    by = {}
    for t in f.journey.touchpoints:
        by.setdefault(str(t.stage), []).append(t)
    hidden = fun["suppressed"] if "suppressed" in fun else pd.Series(False, index=fun.index)
    for step, n, hide in zip(fun["step"], fun["n"], hidden):
        at = by.get(str(step), [])
        if not at or any(t.initiated_by != "company" for t in at) or hide or n != n or not n:
            continue
        kit.display(md("> **{step} is reached only through the company's own record** ({names}): the funnel counts "
                       "{n} {many} there by it, so the conversions into and out of {step} rest on that record, "
                       "not on a step customers took themselves.", step=str(step),
                       names=", ".join(t.name for t in at), n=count_words(int(n)), many=unit_of(f).many))


def show_funnel_chart(f: Findings, *, title: str) -> None:
    """The focus's funnel chart (beside all customers' for a persona), each bar with a pale end for
    the customers still open at the stage before who may still reach it (:func:`show_still_open`'s
    counts, :func:`jmtools.pipeline._had_time.had_time`), said in its caption (D221)."""
    everyone = f.focus.everyone
    fun = had_time(f.funnel, f.still_open)
    other = None if everyone else had_time(f.funnel_all, open_rows(f.evidence, f.funnel_all))
    key = "funnel" if everyone else "funnel_compared"
    unit = unit_of(f)                                                # claims per case (D238, D253)
    text = caption(key, unit=unit) + (" " + _open_end(unit) if fun["open"].any() or (other is not None and
                                                                                   other["open"].any()) else "")
    kit.display(with_caption(funnel_chart(fun, compare=other, label=f.focus.label, compare_label=unit.everyone,
                                          title=title, unit=unit.heading), key, text=text))


def open_funnel_chart(funnel: pd.DataFrame, opened: pd.DataFrame, *, title: str):
    """Notebook 02's funnel chart (:func:`jmtools.charts.funnels.funnel_chart`) drawn as the report's:
    a step with 5 or more customers still open before it at the data's end (``opened``,
    :func:`jmtools.pipeline.open_rows` of ``funnel``) has its conversion among those who had time
    to go on and a pale end ("+181 open"), said in the caption; with nobody open, the chart as it
    was (D224).

    Parameters
    ----------
    funnel : pandas.DataFrame
        A disclosed funnel of all customers or of one persona.
    opened : pandas.DataFrame
        :func:`jmtools.pipeline.open_rows` of it.
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2], "step": ["Join", "Pay"], "n": [20, 12], "n_prev": [20, 20],
    ...                   "conversion": [1.0, 0.6], "ci_low": [0.8, 0.4], "ci_high": [1.0, 0.8],
    ...                   "rate_from_start": [1.0, 0.6], "drop_off": [0, 8], "drop_off_rate": [0.0, 0.4]})
    >>> o = pd.DataFrame({"step": ["Pay"], "left_out": [6], "open": [5]})
    >>> chart = open_funnel_chart(f, o, title="Funnel")
    >>> [r["label"] for r in chart.to_dict()["datasets"].popitem()[1]]
    ['20', '12  (79%; +5 open)']
    >>> chart.to_dict()["usermeta"]["caption"][:25]
    'Pale end of a bar (+n ope'
    """
    fun = _conversion_had_time(funnel, opened)
    if fun is None:
        return funnel_charts.funnel_chart(funnel, title=title)
    text = OPEN_END + " Its conversion counts only the customers who had time to go on (the open ones left out)."
    return with_caption(funnel_charts.funnel_chart(fun, title=title), "funnel", text=text)


def _conversion_had_time(funnel: pd.DataFrame, opened: pd.DataFrame) -> pd.DataFrame | None:
    """``funnel`` whose steps with customers still open before them (:func:`had_time`) have the conversion
    of those who had time to go on, its Wilson interval, ``open`` and ``open_to``; None where nobody is."""
    fun = had_time(funnel, opened)
    if not fun["open"].any():
        return None
    mine, went_on = fun["open"].gt(0), fun["n_prev"] - fun["drop_off"]     # of those who had time to go on
    low, high = wilson_interval(went_on.where(mine, 0).to_numpy(float), fun["n_prev"].where(mine, 0).to_numpy(float))
    return fun.assign(conversion=(went_on / fun["n_prev"]).where(mine, fun["conversion"]),
                      ci_low=fun["ci_low"].mask(mine, low), ci_high=fun["ci_high"].mask(mine, high),
                      open=fun["open"].where(mine), open_to=(fun["n"] + fun["open"]).where(mine))


#: Under notebook 02's conversion chart where some customers are still open at the data's end (D225).
OPEN_CONVERSION = ("Conversion of the customers who had time to go on, as the funnel's labels give it: those still "
                   "at the step before at the data's end, who reached it too recently to judge and may still go on, "
                   "are left out and said apart (+n open).")


def open_conversion_chart(frame: pd.DataFrame, opened: pd.DataFrame | None = None, *, by: str | None = None):
    """Notebook 02's conversion chart (:func:`jmtools.charts.funnels.conversion_chart`) counted as its
    funnel chart is (:func:`open_funnel_chart`): a step with 5 or more customers still open before it
    at the data's end (``opened``) has the conversion of those who had time to go on, with its
    interval, and "+n open" beside it, said in the caption; with nobody open, the chart as it was (D225).

    Parameters
    ----------
    frame : pandas.DataFrame
        Disclosed funnel rows of all customers, every persona (``by="persona"``) or one persona and
        everyone.
    opened : pandas.DataFrame, optional
        :func:`conversion_open_rows` of it.
    by : str, optional
        The group column.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    Of 30 who joined, 12 did not pay; 10 joined too recently to judge, 6 of them unpaid:

    >>> f = pd.DataFrame([(1, "Join", 30, 30, 1.0, 0.9, 1.0, 0, 0.0), (2, "Pay", 18, 30, 0.6, 0.4, 0.8, 12, 0.4)],
    ...                  columns=["step_index", "step", "n", "n_prev", "conversion", "ci_low", "ci_high",
    ...                           "drop_off", "drop_off_rate"])
    >>> rows = open_conversion_chart(f, pd.DataFrame([("Pay", 10, 6)], columns=["step", "left_out", "open"]))
    >>> [(r["step"], r["n_prev"], r["conversion"], r["open_text"]) for r in rows.to_dict()["datasets"].popitem()[1]]
    [('Pay', 20, 0.7, '+6 open')]
    """
    fun = None if opened is None else _conversion_had_time(frame, opened)
    if fun is None:
        return funnel_charts.conversion_chart(frame, by=by)
    return with_caption(funnel_charts.conversion_chart(fun, by=by), "funnel", text=OPEN_CONVERSION)


def conversion_open_rows(evidence, frame: pd.DataFrame, *, persona: str = ALL, by: str | None = None,
                         everyone: str = "everyone") -> pd.DataFrame:
    """The customers still open at the data's end (:func:`jmtools.pipeline.open_rows`) for the rows of
    notebook 02's conversion chart: every persona's (``by``), all customers' (no ``by``), or one
    persona's and those of all customers, drawn as ``everyone`` beside it."""
    if persona == ALL:
        return open_rows(evidence, frame, None if by else "")
    rows = [open_rows(evidence, frame[frame["persona"] == persona], persona),
            open_rows(evidence, frame[frame["persona"] == everyone], "").assign(persona=everyone)]
    return pd.concat([r for r in rows if len(r)] or rows[:1], ignore_index=True)


def show_skipped(f: Findings) -> None:
    """Below the funnel: each step that loses customers who go on to a later step all the same
    (:attr:`Findings.skipped`): a stage they may skip, with the fix (``optional: true``)."""
    unit = unit_of(f)
    for r in f.skipped.itertuples():
        share = f" ({percent(r.n_skipped / r.n_lost)})" if r.n_lost else ""
        kit.display(md("> **{step} may be a stage {many} skip**: {n} of the {lost} {many} the funnel loses "
                       "between {before} and {step}{share} have a later step of their own all the same ({later}). "
                       "The funnel counts them as lost at {step} and at every step after it. If {many} may "
                       "skip it, mark it `optional: true` in the journey file: the funnel then counts them on, "
                       "and says below how many reach it. If what they did later is no step forward (a miss, a "
                       "cancellation), they are lost indeed: leave it as it is.", step=r.step, n=f"{r.n_skipped:,}",
                       lost=f"{r.n_lost:,}", before=r.before, share=share, many=unit.many,
                       later=later_words(r.later, getattr(r, "later_touchpoints", None), MIN_GROUP, unit=unit)))


def show_still_open(f: Findings) -> None:
    """Below the stages' funnel: per step, the customers who reached it within the follow-up window
    before the data's end and have not gone on — the drop-off counts them, though they may still go
    on (:func:`jmtools.analyses.compare.still_open_steps`, counted as the funnel counts them; D190, D209). A persona's
    funnel counts its own customers, with its own window and cut-off where it waits its own time
    (D199, D261); none is said where some persona has 1–4 open there, or everyone's count less the
    persona's would give that back. Where personas' cut-offs differ, all customers' note gives each
    (:func:`cutoffs`); a persona none of whose customers went on within the data is said as
    "cannot tell yet". Records ``still_open_<k>``. Nothing for a funnel of other steps, a hidden
    focus, or 1–4 customers."""
    for k, r in enumerate(focus_still_open(f).to_dict("records"), start=1):
        record(f"still_open_{k}", r["open"], label=f"May still go on from {r['from_step']}")
        dates = cutoffs(f, r)
        kit.display(md(_still_open_text(r, dates), n=count_words(r["open"]), a=r["from_step"], many=unit_of(f).many,
                       b=r["step"], since=dates[0][1] if len(dates) == 1 else "", parts="; ".join(
                           f"{who}: {when}" for who, when in dates),
                       end=f"{pd.Timestamp(r['end']):%d %b %Y}",
                       share=f"{r['share']:.0%}", window=duration_words(r["window_hours"] * 3600)))


def _still_open_text(r: dict, dates: list) -> str:
    """The note's template: one cut-off, each persona's (D261), or a persona none of whom went on."""
    tail = ("the funnel above counts them as lost (the pale end of the bar of {b}); the biggest loss, the drop-off "
            "pain point and comparisons over time leave them out (docs/decisions.md D190, D221")
    if r.get("none_went_on"):
        return ("> **Cannot tell yet**: none of the {n} {many} who reached **{a}** has reached **{b}** within the data "
                "(it ends {end}, {window} after the first of them reached {a}): their next step may take longer "
                "than the data covers, so " + tail + ", D261).")
    if len(dates) == 1:
        return ("> **May still go on**: {n} {many} reached **{a}** after {since} and had not reached **{b}** by the "
                "data's end ({end}). {share} of those who reach {b} do so within {window}, so these may still go on: "
                + tail + ").")
    return ("> **May still go on**: {n} {many} reached **{a}** too recently to judge and had not reached **{b}** by "
            "the data's end ({end}). Each persona waits its own time, within which {share} of its {many} who reach "
            "{b} do so, and those who reached {a} after its cut-off are left out — {parts}. These may still go on: "
            + tail + ", D261).")


def cutoffs(f: Findings, row: dict) -> list[tuple[str, str]]:
    """When ``row`` (a row of :func:`focus_still_open`) leaves out those who reached its step: one
    ``("", "02 Mar 2026")`` when every customer counted there has the same cut-off (to the day);
    else, for all customers' row whose personas wait their own time (``own_cutoff``, D261), a
    ``(who, words)`` pair per persona with customers left out, most first — its own cut-off and
    window, all customers' (a persona of 1–4 who went on, or whose wait is everyone's), or that none
    of its customers went on (so all are) — and all customers' for the customers of no persona.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> r = {"persona": "", "own_cutoff": False, "since": "2026-03-02T05:00:00"}
    >>> cutoffs(SimpleNamespace(), r)
    [('', '02 Mar 2026')]
    """
    day = f"{pd.Timestamp(row['since']):%d %b %Y}"
    if row["persona"] or not row.get("own_cutoff"):
        return [("", day)]
    rows = still_open_steps(f.evidence, steps=list(dict.fromkeys(f.funnel["step"])))
    mine = rows[(rows["step"] == row["step"]) & rows["persona"].ne("")]
    mine = mine.sort_values(["left_out", "persona"], ascending=[False, True])
    others = int(row["left_out"]) - int(mine["left_out"].sum())          # customers of no persona
    walked = mine[~mine["none_went_on"]]
    days = {f"{pd.Timestamp(t):%d %b %Y}" for t in walked["since"]} | ({day} if others > 0 else set())
    if len(days) == 1 and not mine["none_went_on"].any():
        return [("", days.pop())]
    every = f"after {day} (within {duration_words(row['window_hours'] * 3600)}, all customers' window)"
    pairs = [(str(p.persona), f"none of them has reached {row['step']} within the data, so all are left out "
              "(cannot tell yet)" if p.none_went_on else every if not p.own_cutoff else f"after "
              f"{pd.Timestamp(p.since):%d %b %Y} (within {duration_words(p.window_hours * 3600)})")
             for p in mine.itertuples()]
    return pairs + [("customers of no persona", every)] * (others > 0)


def focus_still_open(f: Findings) -> pd.DataFrame:
    """The pairs of funnel steps whose drop-off counts 5 or more of the focus's customers who may
    still go on (:func:`show_still_open`'s rows, one per pair: ``from_step``, ``step``, ``since``,
    ``end``, ``window_hours``, ``share``, ``left_out``, ``open``); empty for a funnel of other steps,
    a hidden focus, or where a persona's count would give another's 1–4 back (D199)."""
    return f.still_open


def show_last_seen(f: Findings) -> None:
    """Below the biggest loss: where the customers lost there were last seen acting — the touchpoint
    of each one's last own event (:func:`jmtools.analyses.funnels.last_seen`) — and the contacts the
    company started after it, said as what followed (D203, D258). The hint to look at what such a
    contact asks is given when it followed the last step of more than half of them and belongs to
    the loss's first stage or a later one (a broadcast that keeps going, placed with the first
    stage's entry points, asks nothing there). Touchpoints of 1–4 customers are not named. Nothing
    for a funnel of the user's own steps, a hidden focus or fewer than 5 customers lost."""
    loss, fun = f.biggest_loss, f.funnel
    if loss is None or loss["hidden"] or loss["drop_off"] < MIN_GROUP or not set(fun["step"]) <= set(f.evidence.stages):
        return
    by = None if f.focus.everyone else "persona"
    rows = last_seen(f.evidence, steps=list(fun["step"]), by=by)
    rows = rows[(rows["step"] == loss["to"]) & (rows["persona"] == f.focus.persona if by else True)]
    lost = int(rows["n"].sum())
    named = rows[rows["n"] >= MIN_GROUP].head(3)
    if not lost or named.empty:
        return
    stage_of, values, parts = f.evidence.touchpoint_stage, {}, []
    for k, r in enumerate(named.itertuples()):
        values.update({f"n{k}": f"{r.n:,}", f"s{k}": percent(r.n / lost), f"t{k}": r.touchpoint,
                       f"g{k}": "" if pd.isna(r.touchpoint) else stage_of.get(r.touchpoint, "")})
        where = ("an event the journey file does not map" if pd.isna(r.touchpoint) else
                 f"*{{t{k}}}* ({{g{k}}})" if values[f"g{k}"] else f"*{{t{k}}}*")
        parts.append(f"{{n{k}}} ({{s{k}}}) at {where}" + (", a contact the company started (they took no step "
                                                          "of their own)" if r.company else ""))
    rest = lost - int(named["n"].sum())
    if rest:
        parts.append("{rest} elsewhere")
    then, then_words = _then_contacts(f, rows, lost, loss["from"])
    kit.display(md("> **Where the {n} {many} lost between {a} and {b} were last seen acting** (their last own "
                   "event): " + "; ".join(parts) + "." + then_words, n=f"{lost:,}", many=unit_of(f).many,
                   a=loss["from"], b=loss["to"], rest=count_words(rest), **then, **values))


def _then_contacts(f: Findings, rows: pd.DataFrame, lost: int, first_stage: str) -> tuple[dict, str]:
    """The sentence on the company's contacts after the lost customers' last own step (D258): how
    many were contacted, the commonest first contact (named from 5 customers on) and how many
    contacts in all; the hint to look at what it asks when it followed more than half of them and is
    not a contact of a stage before the loss's first (:func:`show_last_seen`)."""
    sent = int(rows["n_then"].sum())
    if sent < MIN_GROUP:
        return {}, ""
    firsts = rows[rows["n_then"] > 0].groupby("then_touchpoint", dropna=True, sort=False)["n_then"].sum()
    top = firsts.idxmax() if len(firsts) else None
    stages, stage_of = list(f.evidence.stages), f.evidence.touchpoint_stage
    words = {"sent": f"{sent:,}", "sent_share": percent(sent / lost), "then": top or "",
             "then_stage": stage_of.get(top, "") if top else "", "contacts": f"{int(rows['then_contacts'].sum()):,}"}
    text = (" After it, the company contacted {sent} of them ({sent_share}) with no step of theirs since"
            + (", first most often with *{then}* ({then_stage})" if top and firsts[top] >= MIN_GROUP else "")
            + " ({contacts} contacts in all).")
    forward = bool(top) and stage_of.get(top) in stages and first_stage in stages and \
        stages.index(stage_of[top]) >= stages.index(first_stage)
    instead = sum(e["n_never"] for _, e in _instead(f, rows["step"].iloc[0]))  # most had the optional stage instead
    if forward and firsts[top] > lost / 2 and instead < lost / 2:
        text += (" Most of these journeys end on that contact after the customer's last step: look at what it "
                 "asks of customers and whether they can answer it.")
    return words, text
