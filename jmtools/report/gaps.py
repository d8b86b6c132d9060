"""What a step notebook shows where the data leaves a section with nothing to draw (D156).

A chart function refuses an empty frame with a developer's error ("trend is empty: nothing to
draw  Fix: pass the output of …"): right for a caller who passed the wrong frame, wrong for a
notebook user whose data simply holds nothing for that section. These functions draw when there
is something to draw, and otherwise say in plain words why there is nothing and what to add, so
the notebook goes on: notebook 03's trend over time, notebook 01's persona sections without
persona cards, notebook 02's conversion and time between steps on a funnel of one step, notebook
04's ranked pain points when neither the journey file nor the data gives one, and any chart whose
rows all rest on 1–4 customers or that the data leaves empty (:func:`show_or_say`) (D182).
"""

from __future__ import annotations

import math

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, count_words
from jmtools.analyses.emotions import from_behaviour
from jmtools.analyses.funnels import duration_words
from jmtools.charts.emotions import sentiment_trend_chart
from jmtools.core.vocabulary import ALL
from jmtools.report.present import md
from jmtools.report.unplaced import unplaced_rows

__all__ = ["trend_gap", "show_sentiment_trend", "no_personas_note", "show_no_personas", "between_steps_gap",
           "show_between_steps", "no_pain_points_note", "empty_chart_note", "show_or_say",
           "too_few_to_cluster", "segment_waits_table"]


def trend_gap(trend: pd.DataFrame | None, *, tables=None, persona: str = ALL) -> str:
    """Why there is no trend over time to draw, in plain words with what to add; empty when there is one.

    Parameters
    ----------
    trend : pandas.DataFrame or None
        :func:`jmtools.analyses.emotions.sentiment_trend` (disclosed or not); None when there was no
        evidence to compute it from.
    tables : mapping, optional
        Table kind → DataFrame or :class:`~jmtools.sources.LoadedTable` (``World.tables``), to say
        whether survey answers or feedback texts were there but named no stage or touchpoint.
    persona : str, default "all"

    Returns
    -------
    str
        Empty when ``trend`` has a period with evidence (or one hidden as a small group).

    Examples
    --------
    >>> sv = pd.DataFrame({"customer_id": ["a"], "metric": "nps", "score": [9]})
    >>> print(trend_gap(None, tables={"surveys": sv}))
    No trend over time: no survey answer or feedback text names a stage or touchpoint of the journey, and there are no events to measure behaviour from. To see one, give the answers or texts a stage or touchpoint column (docs/data.md), or add events.csv.
    >>> print(trend_gap(pd.DataFrame({"n": []}), persona="Budget Ben"))
    No trend over time for Budget Ben: none of the evidence placed on the journey has a date. To see one, add dated survey answers or feedback texts (a timestamp column) that name a stage or touchpoint.
    """
    if trend is not None and len(trend):
        hidden = trend["suppressed"].fillna(False).astype(bool) if "suppressed" in trend else False
        if ((pd.to_numeric(trend["n"], errors="coerce") > 0) | hidden).any():
            return ""
    who = "" if persona == ALL else f" for {persona}"
    if trend is None and unplaced_rows(tables or {}):
        return (f"No trend over time{who}: no survey answer or feedback text names a stage or touchpoint of the "
                "journey, and there are no events to measure behaviour from. To see one, give the answers or texts "
                "a stage or touchpoint column (docs/data.md), or add events.csv.")
    if trend is None:
        return (f"No trend over time{who}: nothing in this folder measures emotion. To see one, add surveys.csv or "
                "feedback.csv naming a stage or touchpoint, or events.csv (docs/data.md).")
    return (f"No trend over time{who}: none of the evidence placed on the journey has a date. To see one, add dated "
            "survey answers or feedback texts (a timestamp column) that name a stage or touchpoint.")


def show_sentiment_trend(trend: pd.DataFrame | None, *, slopes: pd.DataFrame | None = None, tables=None,
                         persona: str = ALL, display=None):
    """Notebook 03's section 8: what the chart shows, then the trend chart, or why there is none
    (:func:`trend_gap`). A trend measured from behaviour only is introduced as friction (D207).

    Parameters
    ----------
    trend, tables, persona
        As for :func:`trend_gap`.
    slopes : pandas.DataFrame, optional
        :func:`jmtools.analyses.emotions.trend_slopes`, for the panels' titles.
    display : callable, optional
        How to show (default IPython's ``display``).

    Returns
    -------
    altair.FacetChart or None
        The chart shown, or None when a sentence was shown instead.

    Examples
    --------
    >>> shown = []
    >>> show_sentiment_trend(None, display=shown.append) is None, shown[0].data[:20], shown[1].data[:18]
    (True, 'Mean emotion per per', 'No trend over time')
    """
    if display is None:
        from IPython.display import display
    display(md(_TREND_INTRODUCTIONS["behaviour" if _behaviour_only(trend) else "feeling"]))
    why = trend_gap(trend, tables=tables, persona=persona)
    if why:
        display(md("{why}", why=why))
        return None
    chart = sentiment_trend_chart(trend, slopes=slopes)
    display(chart)
    return chart


_TREND_INTRODUCTIONS = {
    "feeling": "Mean emotion per period with its interval, and a straight-line trend per stage (change per month "
               "with a 95%\ninterval: *improving* or *worsening* only when the interval excludes zero).",
    "behaviour": "Nothing here measured how customers feel: mean friction in what customers did per period (0 no "
                 "friction seen, down to −2) with its interval, and a straight-line trend per stage (change per "
                 "month with a 95%\ninterval: *improving* or *worsening* only when the interval excludes zero).",
}


def _behaviour_only(trend: pd.DataFrame | None) -> bool:
    """Every period with evidence of the trend was measured from behaviour alone (its ``sources``)."""
    if trend is None or not len(trend) or "sources" not in trend:
        return False
    seen = pd.to_numeric(trend["n"], errors="coerce").fillna(0) > 0
    return bool(seen.any()) and bool(from_behaviour(trend)[seen].all())


def no_personas_note(journey, customers: pd.DataFrame | None) -> str:
    """Why notebook 01 has no persona to check, assign or profile, and what to add; empty when
    the journey names personas.

    Parameters
    ----------
    journey : Journey
    customers : pandas.DataFrame or None
        The customer table (its attributes are named as what a rule can use).

    Returns
    -------
    str

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> j = SimpleNamespace(persona_names=[])
    >>> print(no_personas_note(j, pd.DataFrame({"customer_id": [1], "fuel": ["gas"], "payment_method": ["dd"]})))
    The journey file names no personas, so there is no card to show and nothing to check, assign or profile (sections 1 to 4). Add personas to the journey file, each with a name and a rule over the customer attributes (fuel, payment_method), for example rule: fuel == 'gas'; section 5 below suggests groups from the data.
    """
    if journey.persona_names:
        return ""
    said = "The journey file names no personas, so there is no card to show and nothing to check, assign or profile"
    if customers is None:
        return said + " (add a customer table and personas to the journey file to see them)."
    attrs = [str(c) for c in customers.columns if c != "customer_id"]
    example = ""
    if attrs and customers[attrs[0]].dropna().size:
        value = customers[attrs[0]].dropna().iloc[0]
        example = f", for example rule: {attrs[0]} == {value!r}" if isinstance(value, str) else \
            f", for example rule: {attrs[0]} >= {value!r}"
    return (f"{said} (sections 1 to 4). Add personas to the journey file, each with a name and a rule over the "
            f"customer attributes ({', '.join(attrs[:8])}{', …' if len(attrs) > 8 else ''}){example}; section 5 "
            "below suggests groups from the data.")


def show_no_personas(journey, customers: pd.DataFrame | None, *, display=None) -> bool:
    """Show :func:`no_personas_note` when the journey names no personas; True then.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> show_no_personas(SimpleNamespace(persona_names=["Ben"]), None, display=print)
    False
    """
    note = no_personas_note(journey, customers)
    if not note:
        return False
    if display is None:
        from IPython.display import display
    display(md("{note}", note=note))   # attribute names and values come from the data: escaped
    return True


def between_steps_gap(funnel: pd.DataFrame, *, what: str, persona: str = ALL) -> str:
    """Why there is nothing between the funnel's steps to draw (``what``: conversion, time), in plain
    words with n and what would make it work; empty when the funnel has two steps or more.

    Parameters
    ----------
    funnel : pandas.DataFrame
        :func:`jmtools.analyses.funnels.funnel` of the focus (disclosed or not): ``step``, ``step_index``, ``n``.
    what : str
        What would be drawn, e.g. "conversion from one step to the next".
    persona : str, default "all"

    Returns
    -------
    str

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1], "step": ["Visit"], "n": [30]})
    >>> print(between_steps_gap(f, what="conversion from one step to the next"))
    No conversion from one step to the next: the funnel has one step, Visit (30 customers), so there is no later step to go on to. To see it, map the events of a later stage to a touchpoint of the journey file (customers who go on, e.g. to a cart), or name two or more steps in funnel_steps.
    >>> between_steps_gap(pd.DataFrame({"step_index": [1, 2], "step": ["A", "B"], "n": [9, 3]}), what="x")
    ''
    """
    steps = list(dict.fromkeys(funnel["step"])) if len(funnel) else []
    if len(steps) >= 2:
        return ""
    who = "" if persona == ALL else f" for {persona}"
    fix = ("To see it, map the events of a later stage to a touchpoint of the journey file (customers who go on, "
           "e.g. to a cart), or name two or more steps in funnel_steps.")
    if not steps:
        return f"No {what}{who}: the funnel has no step that any customer reached. {fix}"
    n = pd.to_numeric(funnel["n"], errors="coerce").max()
    reached = "" if n is None or math.isnan(n) else f" ({count_words(n)} customers)"
    return (f"No {what}{who}: the funnel has one step, {steps[0]}{reached}, so there is no later step to go on "
            f"to. {fix}")


def show_between_steps(chart, frame: pd.DataFrame, funnel: pd.DataFrame, *, what: str, persona: str = ALL,
                       display=None, **options):
    """Draw ``chart(frame, **options)`` (a chart between the funnel's steps), or say why there is nothing
    to draw (:func:`between_steps_gap`) when the funnel has one step.

    Parameters
    ----------
    chart : callable
        E.g. :func:`jmtools.charts.funnels.conversion_chart`.
    frame : pandas.DataFrame
        What the chart draws.
    funnel, what, persona
        As for :func:`between_steps_gap`.
    display : callable, optional
        How to show (default IPython's ``display``).

    Returns
    -------
    altair chart or None
        None when a sentence was shown instead.

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1], "step": ["Visit"], "n": [3]})
    >>> shown = []
    >>> show_between_steps(print, f, f, what="time between steps", display=shown.append) is None
    True
    >>> shown[0].data[:66]
    'No time between steps: the funnel has one step, Visit (fewer than '
    """
    return _draw_or_say(chart, frame, between_steps_gap(funnel, what=what, persona=persona), display, options)


def _draw_or_say(chart, frame, note: str, display, options: dict):
    """Show ``note`` (names from the journey file and the data: escaped) and return None, or draw."""
    if display is None:
        from IPython.display import display
    if note:
        display(md("{note}", note=note))
        return None
    drawn = chart(frame, **options)
    display(drawn)
    return drawn


def no_pain_points_note(found, *, min_n: int, persona: str = ALL) -> str:
    """Why there is no pain point to rank, in plain words with n and what would give some; empty when
    there is one.

    Parameters
    ----------
    found : jmtools.analyses.painpoints.PainPoints
        ``pipeline.run(...).pain_points``: its ``table``, ``evidence`` (the comparisons) and ``signals``.
    min_n : int
        The fewest observations on each side of a comparison (notebook 04's ``min_n``).
    persona : str, default "all"

    Returns
    -------
    str

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> found = SimpleNamespace(table=pd.DataFrame({"title": []}), signals=pd.DataFrame({"n": [1, 2, 3]}),
    ...                         evidence=pd.DataFrame({"flagged": [False, False]}))
    >>> print(no_pain_points_note(found, min_n=30))
    No pain points to rank: the journey file lists none, and none of the 2 comparisons of 3 signal rows found a step worse than its baseline (each needs 30 or more observations on each side). Pain points come from the journey file's pain_points, from events at two or more stages (drop-off, slow steps, loops, detours), from survey scores and from feedback texts naming a step: add some of these, or lower min_n, to see them ranked here.
    """
    if len(found.table):
        return ""
    who = "" if persona == ALL else f" for {persona}"
    compared = len(found.evidence) if found.evidence is not None else 0
    signals = len(found.signals) if found.signals is not None else 0
    return (f"No pain points to rank{who}: the journey file lists none, and none of the {compared:,} comparisons of "
            f"{signals:,} signal rows found a step worse than its baseline (each needs {min_n} or more observations "
            "on each side). Pain points come from the journey file's pain_points, from events at two or more "
            "stages (drop-off, slow steps, loops, detours), from survey scores and from feedback texts naming a "
            "step: add some of these, or lower min_n, to see them ranked here.")


def empty_chart_note(what: str, *, raw=None, none: str, fix: str) -> str:
    """Why a chart of ``what`` has no row to draw, in plain words: every row ``raw`` held rests on 1–4
    customers (hidden), or there was none (``none`` says why, with its n); then ``fix``.

    Parameters
    ----------
    what : str
        What the chart would show, e.g. "moves between touchpoints".
    raw : pandas.DataFrame, optional
        The rows before the disclosure rule took out those of 1–4 customers.
    none : str
        Why there was no row at all (with its n).
    fix : str
        What would give rows.

    Examples
    --------
    >>> print(empty_chart_note("moves between touchpoints", raw=pd.DataFrame({"n": [1, 2]}),
    ...                        none="no customer moved", fix="More customers would show them."))
    No moves between touchpoints to show: each of the 2 found rests on fewer than 5 customers, not shown so that no one can be singled out. More customers would show them.
    >>> print(empty_chart_note("paths", none="no customer has an event (0 customers)", fix="Add events.csv."))
    No paths to show: no customer has an event (0 customers). Add events.csv.
    """
    if raw is not None and len(raw):
        return (f"No {what} to show: each of the {len(raw):,} found rests on fewer than {MIN_GROUP} customers, "
                f"not shown so that no one can be singled out. {fix}")
    return f"No {what} to show: {none}. {fix}"


def show_or_say(chart, frame: pd.DataFrame, what: str, *, raw=None, none: str, fix: str, display=None,
                **options):
    """Draw ``chart(frame, **options)`` when ``frame`` has rows; otherwise show :func:`empty_chart_note`.

    Returns
    -------
    altair chart or None
        None when a sentence was shown instead.

    Examples
    --------
    >>> shown = []
    >>> show_or_say(print, pd.DataFrame({"n": []}), "paths", none="no customer has two events (30 customers)",
    ...             fix="Customers with two or more events would show them.", display=shown.append) is None
    True
    >>> shown[0].data[:42]
    'No paths to show: no customer has two even'
    """
    note = "" if len(frame) else empty_chart_note(what, raw=raw, none=none, fix=fix)
    return _draw_or_say(chart, frame, note, display, options)


def too_few_to_cluster(customers: pd.DataFrame | None, *, k: int = 0) -> str:
    """Why notebook 01 suggests no personas from the data: fewer customers than groups to form (k-means
    needs more customers than groups, and at least two groups); empty when there are enough.

    Examples
    --------
    >>> print(too_few_to_cluster(pd.DataFrame({"customer_id": ["a"]})))
    No personas suggested from the data: clustering into 2 or more groups needs at least 3 customers, and the customer table holds fewer than 5. With more customers (a few dozen or more), this section suggests groups.
    >>> too_few_to_cluster(pd.DataFrame({"customer_id": list("abc")}))
    ''
    """
    n = 0 if customers is None else len(customers)
    groups = k if k else 2
    if n > groups:
        return ""
    into = f"{groups} groups" if k else "2 or more groups"
    return (f"No personas suggested from the data: clustering into {into} needs at least {groups + 1} customers, "
            f"and the customer table holds {count_words(n)}. With more customers (a few dozen or more), this "
            "section suggests groups.")


def segment_waits_table(waits: pd.DataFrame, *, steps=(), whole_days: bool = False) -> pd.DataFrame:
    """Notebook 02's time between steps of a segment beside everyone outside it, in words (D217).

    Parameters
    ----------
    waits : pandas.DataFrame
        :func:`jmtools.analyses.painpoints.segment_waits`.
    steps : sequence of str
        The funnel's steps in order: a wait is named by the step waited in and the next one,
        "Booking → First appointment", as notebook 02 names a step's loss (D202, D224); a step
        without a next one here keeps its own name.
    whole_days : bool, default False
        The event log has dates only: waits in whole days.

    Returns
    -------
    pandas.DataFrame
        One row per pair of steps (``between steps``): the customers and typical wait (geometric mean) of the
        segment and of those outside it, how many times as long with its 95% interval, and
        ``slower`` ("yes" where a pain point would say so). A side of 1–4 customers shows
        "fewer than 5" and no wait, and the row no ratio.

    Examples
    --------
    >>> w = pd.DataFrame({"from_step": ["Booking", "Visit"], "n": [40, 3], "wait_h": [2160.0, 30.0],
    ...                   "n_outside": [400, 390], "wait_outside_h": [720.0, 29.0], "ratio": [3.0, 1.03],
    ...                   "ci_low": [2.8, 0.7], "ci_high": [3.2, 1.5], "slower": [True, False]})
    >>> t = segment_waits_table(w, steps=["Booking", "Visit", "Follow-up"])
    >>> t["between steps"].tolist()
    ['Booking → Visit', 'Visit → Follow-up']
    >>> t.iloc[:, 1:].values.tolist()
    [['40', '90.0 days', '400', '30.0 days', '3.0 (2.8–3.2)', 'yes'], ['fewer than 5', '', '390', '29.0 h', '', 'no']]
    """
    after = dict(zip(steps, list(steps)[1:]))
    rows = []
    for r in waits.itertuples(index=False):
        shown = r.n >= MIN_GROUP and r.n_outside >= MIN_GROUP
        pair = f"{r.from_step} → {after[r.from_step]}" if r.from_step in after else r.from_step
        rows.append({"between steps": pair, "segment: customers": count_words(int(r.n)),
                     "segment: typical wait": _wait(r.wait_h, r.n, whole_days),
                     "outside it: customers": count_words(int(r.n_outside)),
                     "outside it: typical wait": _wait(r.wait_outside_h, r.n_outside, whole_days),
                     "times as long (95% interval)": f"{r.ratio:.1f} ({r.ci_low:.1f}–{r.ci_high:.1f})"
                     if shown and not math.isnan(r.ratio) else "",
                     "slower": "yes" if shown and bool(r.slower) else "no"})
    return pd.DataFrame(rows, columns=["between steps", "segment: customers", "segment: typical wait",
                                       "outside it: customers", "outside it: typical wait",
                                       "times as long (95% interval)", "slower"])


def _wait(hours: float, n: int, whole_days: bool) -> str:
    """A geometric mean wait in words; none for 1–4 customers."""
    if n < MIN_GROUP or hours is None or math.isnan(hours):
        return ""
    return duration_words(hours * 3600, whole_days=whole_days)
