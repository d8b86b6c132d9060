"""The sections of the end-to-end report about what goes wrong and what to fix first:
pain points, complaint themes, opportunities and the journey map.

Named in :mod:`jmtools.report.sections` with the sections that describe the journey (the
notebook calls ``sections.where_it_hurts(f)``); the tables each reads are in
:data:`jmtools.report.sections.SECTION_TABLES`.
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, count_words, hide_small_counts
from jmtools.analyses.priorities import MIN_FOR_QUADRANTS, RANKED_BY
from jmtools.analyses.themes import polarity_basis, share_basis
from jmtools.core.stats import wilson_interval
from jmtools.charts.theme import validated_whole
from jmtools.pipeline import Findings, without_customer
from jmtools.report import _section_kit as kit
from jmtools.report.caveats import show_repeat_rounds
from jmtools.report.funnel_notes import cutoffs, focus_still_open
from jmtools.report.headline import not_shown_for
from jmtools.report.mappages import screen_and_paper
from jmtools.report.present import backlog_caption, backlog_chart, html_table, md, number, pain_point_chart, with_caption
from jmtools.report.quotes import quoted_themes
from jmtools.report.record import record
from jmtools.report.stake import order_values_used, stake_cells, stake_total
from jmtools.report.steps import show_dates_only
from jmtools.report.wording import CUSTOMERS, caption, listed, percent, plain, unit_of

__all__ = ["where_it_hurts", "what_they_write", "fix_first", "the_map"]


#: What each table lets the pain-point detection look for.
_PAIN_SIGNALS = {"events": "drop-off, slow steps, loops and detours", "surveys": "low survey scores",
                 "feedback": "negative feedback", "tickets": "complaint rates from support tickets"}


@validated_whole()
def where_it_hurts(f: Findings, *, top_n: int = 5, min_group: int = MIN_GROUP) -> None:
    """The ranked pain points of the focus, with their evidence.

    A pain point met by fewer than ``min_group`` customers is drawn without that count, and
    a note says so (:func:`jmtools.analyses.disclosure.hide_small_counts`).
    """
    kit.check_top_n(top_n)
    pains, label = f.pain_points.table, f.focus.label
    absent = [k for k in _PAIN_SIGNALS if not kit.has(f, k)]
    if absent:
        looked = listed([_PAIN_SIGNALS[k] for k in _PAIN_SIGNALS if kit.has(f, k)], "and")
        kit.display(md("> Pain points in this folder can only be detected from {looked}: without {absent}, "
                       "{missing} cannot be found. The pain points the team wrote in the journey file stay, "
                       "labelled by the evidence they have.", looked=looked or "nothing (no table for it)",
                       absent=kit.table_list(absent), missing=listed([_PAIN_SIGNALS[k] for k in absent], "and")))
    show_dates_only(f.evidence, persona=f.focus.persona, about="loops")  # dates only: none within a day
    if len(pains) and pains.head(top_n)["signals"].map(lambda s: bool({"loops", "detours"} & set(s or ()))).any():
        show_repeat_rounds(f.evidence, f.tables.get("orders"), persona=f.focus.persona,   # shopping again:
                           show=kit.display)                                              # not a loop
    if len(pains):
        pains = _readable(pains)
        few = hide_small_counts(pains["customers_affected"].head(top_n), min_group)[1]   # drawn ones
        pains = pains.assign(customers_affected=hide_small_counts(pains["customers_affected"],
                                                                  min_group)[0].to_numpy())
        kit.display(with_caption(pain_point_chart(pains, top=top_n, title=f"Pain points for {label}"),
                                 "pain_points"))
        if few:
            kit.display(md("Pain points met by fewer than {m} {many} ({n} here) are listed without "
                           "that count.", n=few, m=min_group, many=unit_of(f).many))
        kit.display(html_table(pains.head(top_n), columns={
            "rank": "rank", "title": "pain point", "stage": "stage", "evidence_label": "evidence",
            "customers_affected": unit_of(f).many, "evidence": "what the data shows"},
            formats={"customers_affected": lambda v: "–" if v != v or v is None else f"{v:,.0f}"}))
        if pains.head(top_n)["evidence"].astype(str).str.contains("typical wait").any():
            kit.display(md(caption("typical_wait")))
        if len(pains) > top_n:    # the map draws them all: say where the others are
            kit.display(md("The {k} largest of {n} pain points are listed here; the journey map below shows "
                           "all {n}, numbered by rank.", k=top_n, n=len(pains)))
        _open_drop_off(f, pains.head(top_n))
        record("top_pain_point", str(pains["title"].iloc[0]), label="Top pain point", headline=True)
        _record_pain_reach(f, pains.iloc[0])
    else:
        kit.display(md("No pain point stands out for {who} with at least {m} observations on each side of a "
                       "comparison.", who=label, m=f.options.get("min_n_compared", f.options["min_n"])))
    _complaints_counted(f)
    record("pain_points", len(pains), label="Pain points found")


def _open_drop_off(f: Findings, shown: pd.DataFrame) -> None:
    """Below the pain points: a drop-off among them at a step with customers who may still go on at
    the data's end (the funnel's note, D190, D199): how many of those the funnel counts as lost, and the
    drop-off among those who had time to go on, with its interval — the share the pain point reads (D209)."""
    drops = set(shown.loc[shown["signals"].map(lambda s: "drop-off" in set(s or ())), "stage"])
    fun = f.funnel.set_index("step") if "step" in f.funnel else None
    for r in focus_still_open(f).itertuples():
        if r.from_step not in drops or fun is None or r.step not in fun.index:
            continue
        reached = int(fun.loc[r.step, "n_prev"])
        lost = reached - int(fun.loc[r.step, "n"])
        dates = cutoffs(f, r._asdict())                 # one date, or each persona's own (D261)
        since = "after {since}" if len(dates) == 1 else "after their persona's cut-off"
        kit.display(md("> **The drop-off at {a} leaves out {many} still open**: of the {lost} {many} the "
                       "funnel counts as lost there, {n} reached {a} " + since + " and had not reached {b} by the "
                       "data's end — their next step may not be due yet (the note under the funnel). The pain point "
                       "measures the drop-off among those who had time to go on.{had_time}",
                       a=r.from_step, b=r.step, lost=f"{lost:,}", n=count_words(r.open), many=unit_of(f).many,
                       since=dates[0][1], had_time=_had_time(lost - r.open, reached - r.left_out, r.from_step, unit_of(f),
                                                       then="then" if len(dates) == 1 else "their cut-off")))


def _had_time(lost: int, reached: int, stage: str, unit=CUSTOMERS, then: str = "then") -> str:
    """The drop-off among the customers who reached ``stage`` before the follow-up window (D190) —
    ``then``, or each persona's own cut-off (D261) — with its interval; nothing when the counts do
    not fit (the funnel counts a company's contact as reaching a stage, the window's customers do
    not) or are fewer than 5."""
    if lost < 0 or reached < MIN_GROUP or lost > reached:
        return ""
    low, high = wilson_interval(lost, reached)
    return (f" Among the {unit.of(reached)} {unit.who} reached {stage} before {then}, {percent(lost / reached)} did "
            f"not go on (95% CI {percent(low)}–{percent(high)}).")


#: Why a complaint counts in no complaint signal, in the reader's words (``signals.attrs["dropped"]``).
_LEFT_OUT = {"tickets without stage or touchpoint": "they name no stage or touchpoint of the journey",
             "tickets naming a stage the journey lacks": "they name a stage the journey lacks",
             "tickets at stages no customer's events reach": "no customer's events reach their stage, so "
                                                             "there is no one to take a share of"}


def _complaints_counted(f: Findings) -> None:
    """Where the complaints the complaint signal reads go (D186): those read are those counted at
    the funnel's stages, at each exit or optional stage (of the customers seen there) and those
    left out, each with its reason — none silently. Counted on all customers."""
    attrs = f.signals.attrs if f.signals is not None else {}
    read = int(attrs.get("complaints_read") or 0)
    if not read:
        return
    off, dropped = attrs.get("off_funnel") or {}, {k: v for k, v in (attrs.get("dropped") or {}).items() if v}
    in_funnel = read - sum(o["rows"] for o in off.values()) - sum(dropped.values())
    parts = [f"{count_words(in_funnel)} at the funnel's stages (a share of the customers who reached each)"]
    for stage, o in off.items():
        kind = "exit" if stage in f.evidence.exit_stages else "optional"
        parts.append(f"{count_words(o['rows'])} at the {kind} stage {stage}, from {count_words(o['customers'])} "
                     f"customers, a share of the {count_words(o['seen'])} customers seen there "
                     f"({count_words(o['with_event'])} with an event there, the others by a complaint alone)")
    parts += [f"{count_words(n)} left out: {_LEFT_OUT.get(why, why)}" for why, n in dropped.items()]
    kit.display(md("**Complaints behind the complaint signal** (support tickets and feedback from a complaint "
                   "channel, all customers): {read} read — {parts}.", read=count_words(read),
                   parts="; ".join(parts)))


def _readable(pains: pd.DataFrame) -> pd.DataFrame:
    """The ranked pain points in the reader's words (titles and evidence), as "Where it hurts"
    and the journey map's pain-point lane show them."""
    return pains.assign(title=pains["title"].map(plain), evidence=pains["evidence"].map(plain))


def _record_pain_reach(f: Findings, top) -> None:
    """How many of the focus's customers met the top pain point (the headline compares it with
    the previous run); nothing for an assumed one, which has no measure, nor for a focus whose
    size is not shown (its ``n`` is that size)."""
    met = top.get("customers_affected")
    if f.focus_hidden or top.get("evidence_label") == "assumed" or met is None or met != met:
        return
    record("top_pain_point_customers", int(round(float(met))), n=int(f.n_customers),
           label="Customers who met the top pain point")


def what_they_write(f: Findings, *, top_n: int = 5, min_group: int = MIN_GROUP) -> None:
    """The complaint themes recounted on the focus, with typical (masked) quotes.

    Says which texts count as complaints (:func:`jmtools.analyses.themes.polarity_basis`);
    a theme written by fewer than ``min_group`` customers keeps its label but not its numbers
    or quotes, and each quote names its customer by a pseudonym
    (:func:`jmtools.report.quotes.quoted_themes`, as notebook 04 shows them).
    """
    kit.check_top_n(top_n)
    if kit.missing(f, "feedback", "to see what customers complain about, grouped into themes with typical quotes"):
        return
    mine = f.themes_focus
    if mine is not None and len(mine.summary):
        shown = quoted_themes(mine, top=top_n, min_group=min_group)
        kit.display(md("{basis}", basis=_complaints_basis(f, mine)))
        _say_without_customer(f)
        kit.display(html_table(shown, columns={"label": "theme", "n": "texts", "share": "share of all",
                                               "top_stage": "mostly at", "quotes": "typical quotes"},
                               formats={"share": "%", "n": lambda v: "–" if pd.isna(v) else f"{int(v):,}",
                                        "quotes": lambda qs: "–" if qs is None else " · ".join(qs[:2])}))
        kit.display(md("{shares}", shares=share_basis(mine)))     # of all complaints, those in no theme said
        if shown.attrs.get("note"):
            kit.display(md("{note}", note=shown.attrs["note"]))
        record("themes", len(mine.summary), label="Feedback themes", n=int(mine.accounting["rows_used"]))
        return
    why = str(f.themes_error).splitlines()[0] if f.themes_error else "no negative feedback from them"
    kit.display(md("No themes for {who}: {why}", who=f.focus.label, why=why))
    _say_without_customer(f)


def _say_without_customer(f: Findings) -> None:
    """Where the feedback that names no customer (store reviews) counts: the themes, sentiment
    and quotes of the report for all customers, no persona's or segment's (D244)."""
    n = without_customer(f.world)
    if not n:
        return
    texts = f"{count_words(n)} review{'s' if n != 1 else ''} without a customer"
    if f.focus.everyone and not f.segment_customers:
        kit.display(md("{texts} (store reviews: feedback about the product) {are} counted in these themes, "
                       "their sentiment and quotes; no persona's report counts them, and the emotion curve "
                       "leaves them out (no customer to place them with).", texts=texts,
                       are="are" if n != 1 else "is"))
    else:
        kit.display(md("{texts} {are} in the all-customers report only: {they} cannot be attributed to "
                       "{who}.", texts=texts, are="are" if n != 1 else "is", they="they" if n != 1 else "it",
                       who=f.focus.label))


def _complaints_basis(f: Findings, mine) -> str:
    """Which texts count as complaints; in a persona's report they were chosen on everybody's
    feedback, so the counts are said to be everybody's and the persona's share follows."""
    if f.themes is None or mine is f.themes:
        return polarity_basis(mine)
    return polarity_basis(f.themes, subset=mine)


@validated_whole()
def fix_first(f: Findings, *, top_n: int = 5) -> None:
    """The backlog of opportunities for the focus, and the order value it rests on."""
    kit.check_top_n(top_n)
    backlog, aov = f.backlog, f.order_value
    if len(backlog):
        more = f" (top {top_n} of {len(backlog)})" if len(backlog) > top_n else ""
        kit.display(with_caption(backlog_chart(backlog.head(top_n), title=f"Opportunities for {f.focus.label}: "
                                                                      f"impact against effort{more}"),
                                 "backlog", text=backlog_caption(backlog.head(top_n))))
        cols = {"rank": "rank", "title": "opportunity", "owner": "owner", "status": "status",
                "quadrant": "quadrant", "rice": "RICE"}
        shown = backlog.head(top_n)
        if "value_at_stake" in backlog:
            cols["value_at_stake"] = "value at stake"
            shown = shown.assign(value_at_stake=stake_cells(backlog).head(top_n).to_numpy())
        kit.display(html_table(shown, columns=cols, formats={"rice": lambda v: number(v, digits=0)}))
        gaps = "" if f.focus.everyone or backlog["rank"].tolist() == list(range(1, len(backlog) + 1)) else (
            " Ranks are among all the journey's opportunities; those missing relieve none of {who}'s pain points.")
        kit.display(md("{s}" + gaps, s=_ranked_how(backlog), who=f.focus.label))
        if "stake_parts" in backlog:
            kit.display(md("{s}", s=stake_total(backlog)))
        record("top_opportunity", str(backlog["title"].iloc[0]), label="Fix first", headline=True)
    else:
        kit.display(md("No opportunity in the journey file addresses the pain points of {who}.", who=f.focus.label))
    kit.missing(f, "orders", "to put a value at stake on each opportunity; until then they are ranked by RICE or ICE where opportunities give those scores")
    if aov is not None:
        kit.display(md("{s}", s=order_values_used(aov, backlog, f.focus.persona)))


def _ranked_how(backlog) -> str:
    """What the backlog's order and its quadrants rest on, in words (the pipeline's ranking:
    :func:`jmtools.analyses.priorities.prioritise` with ``by=None``).

    Examples
    --------
    >>> import pandas as pd
    >>> print(_ranked_how(pd.DataFrame({"value_at_stake": [0.0, 0.0], "rice": [2000.0, 750.0],
    ...                                "impact_threshold": [2.0, 2.0], "effort_threshold": [1.5, 1.5]})))
    Ranked by value at stake, equal ones by RICE. Quadrants split at the median impact (2) and effort (1.5) of the journey's opportunities: high from there up.
    >>> print(_ranked_how(pd.DataFrame({"rice": [720.0], "impact_threshold": [float("nan")],
    ...                                "effort_threshold": [float("nan")], "quadrant": [None]})))
    Ranked by RICE. No quadrants: 1 opportunity has impact and effort, and quadrants split at the median of 3 or more.
    """
    names = {"value_at_stake": "value at stake", "rice": "RICE", "ice": "ICE"}
    keys = [names[k] for k in RANKED_BY if k in backlog.columns]
    if not keys:
        return "In the journey file's order: no opportunity has the scores to rank by."
    said = f"Ranked by {keys[0]}" + (f", equal ones by {listed(keys[1:], 'then')}." if keys[1:] else ".")
    if {"impact_threshold", "effort_threshold"} <= set(backlog.columns) and len(backlog):
        it, et = (float(backlog[c].iloc[0]) for c in ("impact_threshold", "effort_threshold"))
        if it != it or et != et:   # too few opportunities for a median to split (D156)
            k = int(backlog[["impact", "effort"]].notna().all(axis=1).sum()) if "impact" in backlog else len(backlog)
            return said + (f" No quadrants: {k} opportunit{'y has' if k == 1 else 'ies have'} impact and effort, "
                           f"and quadrants split at the median of {MIN_FOR_QUADRANTS} or more.")
        said += (f" Quadrants split at the median impact ({it:g}) and effort ({et:g}) of the journey's "
                 "opportunities: high from there up.")
    return said


@validated_whole()
def the_map(f: Findings) -> None:
    """The journey map of the focus with its measured emotion curve and KPIs; its pain-point
    lane holds the ranked pain points of "Where it hurts", each with the evidence found for it."""
    basis = {"assumed": "the workshop's assumed curve only (nothing in this folder measures emotion)",
             "behaviour": "the workshop's assumed curve and the curve measured from behaviour"}
    if f.curve_basis in basis:
        kit.display(md("The emotion lane shows {what}.", what=basis[f.curve_basis]))
    if f.focus_hidden:
        kit.display(md(not_shown_for(f), who=f.focus.label,
                       what="the map's measured emotion and KPIs are", m=MIN_GROUP))
    persona = None if f.focus.everyone else f.focus.persona
    evidence = {**f.map_evidence, "pain_points": _readable(f.pain_points.table)}  # as "Where it hurts"
    for chart in screen_and_paper(f.journey, evidence=evidence, persona=persona):
        kit.display(chart)  # the screen map, then print-only landscape pages with legible text
