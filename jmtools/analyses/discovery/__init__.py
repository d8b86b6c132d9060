"""A journey discovered from the event log: stages, touchpoints, repeats and company sends.

:func:`discover_journey` reads an event log alone (``customer_id``, ``timestamp``,
``event``) and proposes a journey file for a workshop to rename and edit:

1. **Which events.** Event names done by at least ``min_share`` of customers, the
   ``max_events`` most common; the others are listed in the table with the reason.
2. **Repeats.** An event that at least ``repeat_share`` of its customers do a second time
   ``repeat_gap`` or more after the first (e.g. a second order weeks later) becomes two
   items: its first time and its later times (``occurrence: first`` / ``repeat``), kept apart
   only if the later times fall in a later stage.
3. **Order.** Items are ordered by pairwise precedence: for each pair, the share of the
   customers who did both that did one first (see :mod:`._order`). Date-only events are
   compared by day.
4. **Stages.** The ordered items are cut into contiguous stages that maximise the modularity
   of the transition graph (how often customers go from one item straight to another);
   ``min_stages``–``max_stages`` are tried unless ``n_stages`` is given.
5. **Touchpoints.** Items of a stage that share their first word (``checkout_start``,
   ``checkout_payment``) and their initiator form one touchpoint.
6. **Who started it.** When the log has an ``initiated_by`` column (mapped like any column,
   e.g. ``initiated_by: properties.initiated`` in loading.yaml), it decides: an event is
   ``initiated_by: company`` when at least ``company_share`` of its marked rows say the
   company (D193: ``company``, ``BANK``, ``advisor``…; ``customer``, ``client``… the customer;
   a value read as neither marks nothing and is said with its rows, D204). An event it does not mark is the company's when at least
   ``company_share`` of its occurrences are a bulk send (the same second for ``bulk_min`` or
   more customers, well above chance at the log's time resolution) or fall at one time of
   day (a scheduled send). A stage is reached by the customer's own events and named after
   them first; the company's contacts count there only in a stage of contacts alone, whose
   description says so.
7. **Broadcasts.** A send no customer progress explains and that comes at no steady lag from
   the customer's own events (see :mod:`._sends`) reaches customers whatever they have done: it
   and the events answering it are first-stage entry points. A reminder at a steady lag before
   each appointment is no broadcast (D218); a follow-up goes to the stage of the event it follows,
   a reminder stays before the event it is for and says why (D222).

Counting runs where the log lives (Ibis: DuckDB, Spark…); only per-event and per-pair
counts come back to pandas.
"""

from __future__ import annotations

import json
import math
import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from jmtools.analyses.discovery import _measure, _order, _propose
from jmtools.analyses.discovery._sends import (ANSWER_SHARE, ANSWER_WITHIN_H, BROADCAST_BELOW,
                                               STEADY_BAND, STEADY_SHARE, entry_points,
                                               place_tied)
from jmtools.core.engine import small_table, to_pandas
from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.patterns import MAX_PATTERN_CHARS
from jmtools.core.vocabulary import counted
from jmtools.journey import Journey

__all__ = ["discover_journey", "DiscoveredJourney", "TABLE_COLUMNS", "BROADCAST_BELOW",
           "ANSWER_SHARE", "ANSWER_WITHIN_H", "STEADY_SHARE", "STEADY_BAND"]

#: Columns of :attr:`DiscoveredJourney.table`, in order.
TABLE_COLUMNS = [
    "stage_index", "stage", "touchpoint", "event", "occurrence", "initiated_by", "placed",
    "n_customers", "share", "n_events", "precedence", "median_position", "median_from_start_h",
    "repeat_share", "median_repeat_gap_h", "bulk_share", "same_time_share", "date_only",
    "top_next", "top_next_share", "touchpoint_customers", "touchpoint_share",
    "stage_customers", "stage_share", "note",
]


class DiscoveredJourney(NamedTuple):
    """What :func:`discover_journey` returns: the journey and the numbers behind it."""

    journey: Journey
    """The proposed journey file (every stage and touchpoint measured)."""
    table: pd.DataFrame
    """One row per event × occurrence (placed or not); columns :data:`TABLE_COLUMNS`."""
    stage_counts: pd.DataFrame
    """Each number of stages tried: ``n_stages``, ``score``, ``method``, ``chosen``."""


def _check(name, value, ok: bool, expected: str, example: str):
    if not ok:
        raise ParameterError(name, value, expected=expected, fix=f"pass e.g. {name}={example}")


def _check_options(n_stages, min_stages, max_stages, min_share, max_events, repeat_share,
                   bulk_min, company_share, repeat_gap) -> float:
    whole = lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool)  # noqa: E731
    share = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1  # noqa: E731
    _check("n_stages", n_stages, n_stages is None or (whole(n_stages) and 1 <= n_stages <= 30),
           "None (chosen from the data) or a whole number from 1 to 30", "5 (or leave it out)")
    _check("min_stages", min_stages, whole(min_stages) and 1 <= min_stages <= 30,
           "a whole number from 1 to 30", "3")
    _check("max_stages", max_stages, whole(max_stages) and min_stages <= max_stages <= 30,
           f"a whole number from min_stages ({min_stages}) to 30", max(min_stages, 7))
    for name, v, example in (("min_share", min_share, "0.01"), ("repeat_share", repeat_share, "0.1"),
                             ("company_share", company_share, "0.5")):
        _check(name, v, share(v), "a share above 0 and at most 1", example)
    _check("max_events", max_events, whole(max_events) and 1 <= max_events <= 500,
           "a whole number from 1 to 500", "60")
    _check("bulk_min", bulk_min, whole(bulk_min) and bulk_min >= 2, "a whole number of 2 or more",
           "10")
    try:
        gap = pd.Timedelta(repeat_gap).total_seconds()
    except (ValueError, TypeError):
        gap = float("nan")
    _check("repeat_gap", repeat_gap, gap > 0, "a positive duration", "'1D' or '12h'")
    return gap


def _choose_events(summary: pd.DataFrame, n_all: int, min_share: float, max_events: int):
    """Placed event names, and a note for each one left out."""
    threshold = max(1, math.ceil(min_share * n_all))
    ranked = summary.sort_values(["n_customers", "event"], ascending=[False, True])
    fits = ranked["event"].map(lambda e: len(_propose.literal_pattern(e)) <= MAX_PATTERN_CHARS)
    eligible = ranked[(ranked["n_customers"] >= threshold) & fits]
    placed = eligible["event"].head(max_events).tolist()
    notes = {}
    for e in ranked.loc[ranked["n_customers"] < threshold, "event"]:
        notes[e] = (f"not placed: fewer than {threshold:,} customers "
                    f"(min_share {min_share:g} of {n_all:,})")
    for e in ranked.loc[~fits, "event"]:
        notes[e] = (f"not placed: the name is longer than an events: pattern may be "
                    f"({MAX_PATTERN_CHARS} characters)")
    for e in eligible["event"].iloc[max_events:]:
        notes[e] = f"not placed: beyond the {max_events} most common event names (max_events)"
    if not placed:
        raise DataError([Problem(
            f"no event name is done by at least {threshold:,} customers ({min_share:g} of "
            f"{n_all:,}); the most common, {ranked['event'].iloc[0]!r}, by "
            f"{int(ranked['n_customers'].iloc[0]):,}", source="events", column="event",
            fix="pass a smaller min_share (e.g. min_share=0.001; --min-share 0.001 on the command "
                "line), or check that 'event' holds event names and 'customer_id' customer ids")])
    return placed, notes


def _item_of(split: set):
    """Map a node (event, cls) to its item (event, occurrence); None drops it."""
    def item(event, cls):
        if event in split:
            return (event, "first" if cls == 1 else "repeat")
        return (event, "any") if cls == 1 else None
    return item


def _mapped(frame: pd.DataFrame, split: set, *, keep_merged: bool) -> pd.DataFrame:
    item = _item_of(split)
    a = [item(e, c) for e, c in zip(frame["ev_a"], frame["cls_a"])]
    b = [item(e, c) for e, c in zip(frame["ev_b"], frame["cls_b"])]
    if keep_merged:  # a merged repeat's moves belong to its one item
        a = [x or (e, "any") for x, e in zip(a, frame["ev_a"])]
        b = [x or (e, "any") for x, e in zip(b, frame["ev_b"])]
    out = frame.assign(a=a, b=b)
    return out[out["a"].notna() & out["b"].notna() & (out["a"] != out["b"])]


def _arrange(nodes, pairs, moves, split, entry, n_stages, bounds, tied=None, lags=None):
    """Order the items, cut them into stages; drop splits whose repeat shares the first's stage.

    Entry points (``entry``: broadcast sends and the events that answer them) go to the first
    stage and take no part in the order or the cut of the other items. A follow-up tied to the
    customer's own events (``tied``, ``lags``) goes to the stage of the event it follows
    (:func:`._sends.place_tied`, D222); the words are in ``items["placed_note"]``.
    """
    while True:
        item = _item_of(split)
        keys = [item(e, c) for e, c in zip(nodes["event"], nodes["cls"])]
        items = nodes.assign(item=keys).dropna(subset=["item"]).reset_index(drop=True)
        mapped = _mapped(pairs, split, keep_merged=False)
        is_core = ~items["event"].isin(entry)
        core_pairs = mapped[~mapped["ev_a"].isin(entry) & ~mapped["ev_b"].isin(entry)]
        score = _order.precedence(items["item"].tolist(), core_pairs)
        every = _order.precedence(items["item"].tolist(), mapped)
        items["precedence"] = score.where(is_core.values, every).values
        fill = items["precedence"].fillna(items["median_position"])
        items = items.assign(_o=fill).sort_values(["_o", "median_position", "event", "cls"])
        items = items.drop(columns="_o").reset_index(drop=True)
        moved = _mapped(moves, split, keep_merged=True)
        core = items[~items["event"].isin(entry)]
        labels, tried = [], pd.DataFrame(columns=["n_stages", "score", "method", "chosen"])
        if len(core):
            w = _order.weights(core["item"].tolist(), moved)
            labels, tried = _order.cut_stages(w, core["precedence"].fillna(0.5).to_numpy(),
                                              n_stages=n_stages, bounds=bounds)
        items["stage_index"] = 1
        items.loc[core.index, "stage_index"] = [x + 1 for x in labels]
        put = place_tied(items, lags, tied, item) if tied else {}
        items["stage_index"] = [put.get(i, (s, ""))[0] for i, s in zip(items["item"], items["stage_index"])]
        items["placed_note"] = [put.get(i, (0, ""))[1] for i in items["item"]]
        at = dict(zip(items["item"], items["stage_index"]))
        same = {e for e in split if at[(e, "first")] >= at[(e, "repeat")]}
        if not same:
            return items.sort_values(["stage_index"], kind="stable").reset_index(drop=True), \
                moved, tried
        split = split - same


def _top_next(items: pd.DataFrame, moved: pd.DataFrame) -> pd.DataFrame:
    if moved.empty:
        return items.assign(top_next=None, top_next_share=np.nan)
    per = moved.groupby(["a", "b"], as_index=False)["n"].sum()
    per["out"] = per.groupby("a")["n"].transform("sum")
    best = per.sort_values(["a", "n", "b"], ascending=[True, False, True]).drop_duplicates("a")
    label = lambda it: it[0] if it[1] == "any" else f"{it[0]} ({it[1]})"  # noqa: E731
    nxt = {a: (label(b), n / out) for a, b, n, out in best[["a", "b", "n", "out"]].itertuples(index=False)}
    return items.assign(top_next=[nxt.get(i, (None, np.nan))[0] for i in items["item"]],
                        top_next_share=[nxt.get(i, (None, np.nan))[1] for i in items["item"]])


def _reach(s, items: pd.DataFrame, split: set) -> pd.DataFrame:
    """Customers per stage and per touchpoint (distinct, counted where the log lives).

    A stage is reached by the customer's own events (D119, D193): its company-initiated
    events count only where the stage has no event of the customer's own (D177).
    """
    rows = []
    own_stage = set(items.loc[items["initiated_by"] != "company", "stage_index"])
    for r in items.itertuples():
        counts = r.initiated_by != "company" or r.stage_index not in own_stage
        rows.append((r.event, 2 if r.occurrence == "repeat" else 1, int(r.stage_index),
                     r.touchpoint, counts))
        if r.occurrence == "any":  # every later occurrence counts here too
            rows.append((r.event, 2, int(r.stage_index), r.touchpoint, counts))
    lookup = pd.DataFrame(rows, columns=["event", "cls", "stage_index", "touchpoint", "reach"])
    import ibis

    m = s.mutate(cls=ibis.ifelse(s.k > 0, 2, 1))
    m = m.join(small_table(lookup, like=s, name="discovered"), ["event", "cls"])
    own = m.filter(m.reach)
    st = to_pandas(own.group_by("stage_index").agg(stage_customers=own.customer_id.nunique()))
    tp = to_pandas(m.group_by("touchpoint").agg(touchpoint_customers=m.customer_id.nunique()))
    return items.merge(st, on="stage_index", how="left").merge(tp, on="touchpoint", how="left")


def _marked(marks: pd.DataFrame, company_share: float) -> pd.DataFrame:
    """The events the log's own ``initiated_by`` column marks, by event: ``n_company``,
    ``n_marked`` and ``company`` (at least ``company_share`` of its marked rows say so, D193)."""
    m = marks[marks["n_marked"] > 0].set_index("event")
    return m.assign(company=m["n_company"] >= company_share * m["n_marked"])


def _company(timing: pd.DataFrame, company_share: float, said: pd.DataFrame) -> dict:
    """Event → why it is company-initiated (only the events that are).

    The log's own ``initiated_by`` column, where it marks an event's rows (``said``, see
    :func:`_marked`), decides (D193): the event is the company's or the customer's whatever its
    timing. Events it does not mark are read by timing.
    """
    out = {}
    for r in timing.itertuples():
        if r.event in said.index:
            m = said.loc[r.event]
            if m["company"]:
                out[r.event] = (f"initiated by the company: the log's initiated_by column says "
                                f"{_says(m['company_values'])} for {int(m['n_company']):,} of its "
                                f"{int(m['n_marked']):,} marked events")
        elif r.bulk_share >= company_share:
            out[r.event] = (f"initiated by the company: {_propose._pct(r.bulk_share)} of its events "
                            f"went out at the same second as the same event to {r.min_group:,} or "
                            "more customers (a bulk send)")
        elif pd.notna(r.same_time_share) and r.same_time_share >= company_share:
            out[r.event] = (f"initiated by the company: {_propose._pct(r.same_time_share)} of its "
                            "events happen at the same time of day (a scheduled send)")
    return out


#: Words of an event name that say the company sent it (D245): ``email_sent``, ``send_sms``.
_SEND_WORDS = frozenset({"sent", "send", "sending", "dispatched"})


def _send_name(event: str) -> bool:
    """True when an event's name says a send: one of its words is ``sent``, ``send`` …

    Examples
    --------
    >>> [_send_name(e) for e in ["email_sent", "SendReminder", "sent-sms", "sentence_read", "app_open"]]
    [True, False, True, False, False]
    """
    return any(w in _SEND_WORDS for w in re.split(r"[^a-z]+", str(event).lower()))


def _sent_at_a_lag(anchors: pd.DataFrame) -> dict:
    """Event → why it is the company's: its name says a send and :data:`STEADY_SHARE` or more of
    its occurrences come at a steady lag after the customer's first time of one own event
    (``anchors``, from :func:`._measure.anchor_lags`; D245: a trial-ending mail)."""
    out = {}
    if anchors.empty:
        return out
    a = anchors.assign(share=anchors["n_steady"] / anchors["n_sent"])
    a = a[a["share"] >= STEADY_SHARE].sort_values(["event", "share", "median_h", "neighbour"],
                                                   ascending=[True, False, True, True])
    for r in a.drop_duplicates("event").itertuples():
        out[r.event] = (f"initiated by the company: its name says a send ({_propose.shown(r.event)}) "
                        f"and {_propose._pct(r.share)} of its {r.n_sent:,} events came "
                        f"{_propose._days(r.median_h)} (median) after the customer's first "
                        f"{_propose.shown(r.neighbour)}, each within {STEADY_BAND:.0%} of that lag: "
                        f"a follow-up after {_propose.shown(r.neighbour)}, sent by the company")
    return out


def _says(values: list) -> str:
    """The log's own words for the company (D210): ``BANK (read as the company)``; ``company`` as is."""
    if all(v.lower() == "company" for v in values):
        return "company"
    shown = " or ".join(values[:3]) + (f" (+{len(values) - 3} more)" if len(values) > 3 else "")
    return f"{shown} (read as the company)"


def _repeat_note(r) -> str:
    return (f"repeated: {r.n_clear_repeat:,} customers ({_propose._pct(r.repeat_share)} of those "
            f"with {r.event}) did it again after a clear gap (median "
            f"{_propose._days(r.median_repeat_gap_h)})")


def discover_journey(events, *, customers=None, n_stages: int | None = None, min_stages: int = 3,
                     max_stages: int = 7, min_share: float = 0.01, max_events: int = 60,
                     repeat_gap="1D", repeat_share: float = 0.1, bulk_min: int = 10,
                     company_share: float = 0.5, name: str | None = None,
                     source: str = "events") -> DiscoveredJourney:
    """Propose a journey file from an event log alone: stages, touchpoints, repeats, company sends.

    Parameters
    ----------
    events : LoadedTable, ibis.Table, pandas.DataFrame, pyarrow.Table or Spark DataFrame
        The event log with ``customer_id``, ``timestamp`` and ``event`` (load files with
        :func:`jmtools.sources.load_events`; its ``_row`` column breaks timestamp ties), and
        optionally ``initiated_by`` (who started the event: words such as ``company``, ``bank``
        or ``advisor`` for the company, ``customer``, ``client`` or ``user`` for the customer;
        other values mark nothing and are said in the description). Rows without a customer, a time or an event name are left out and counted.
    customers : table, optional
        The customer table (``customer_id``). Shares are then of every known customer
        (table ∪ log); customers without events and events of unknown customers are counted.
    n_stages : int, optional
        Number of stages; default: the count from ``min_stages`` to ``max_stages`` whose cut
        has the highest modularity.
    min_stages, max_stages : int, default 3, 7
        Range of stage counts tried when ``n_stages`` is not given.
    min_share : float, default 0.01
        Event names done by fewer customers than this share are listed, not placed.
    max_events : int, default 60
        At most this many event names (the most common) are placed.
    repeat_gap : str or pandas.Timedelta, default "1D"
        A second occurrence this long or longer after the first is a *clear* repeat.
    repeat_share : float, default 0.1
        An event is proposed as first + repeat when at least this share of its customers
        repeat it clearly (and most of its repeats are clear ones).
    bulk_min : int, default 10
        Customers sharing one timestamp of an event that make a bulk send.
    company_share : float, default 0.5
        Share of an event's occurrences that must look sent (bulk or scheduled), or of its rows
        the log's ``initiated_by`` column marks ``company``, to mark it ``initiated_by: company``.
    name : str, optional
        Name of the journey (default: "Journey discovered from <source>").
    source : str, default "events"
        Name of the log in messages and in the claims' ``source``.

    Returns
    -------
    DiscoveredJourney
        ``journey`` — a valid :class:`~jmtools.journey.Journey`, every stage and touchpoint
        labelled *measured* (touchpoints by ``evidence``, stages by measured ``actions``),
        with the numbers in its ``description``; ``table`` — one row per event × occurrence:
        ``stage_index`` (1-based; NaN when not placed), ``stage``, ``touchpoint``, ``event``,
        ``occurrence`` (any, first, repeat), ``initiated_by``, ``placed``, ``n_customers``,
        ``share`` (of all customers), ``n_events``, ``precedence`` (0 = done before every
        other event, 1 = after), ``median_position`` (0 = a customer's first event, 1 = last),
        ``median_from_start_h``, ``repeat_share``, ``median_repeat_gap_h``, ``bulk_share``,
        ``same_time_share``, ``date_only``, ``top_next``, ``top_next_share``,
        ``touchpoint_customers``, ``touchpoint_share``, ``stage_customers``, ``stage_share``,
        ``note``; sorted by stage, precedence, then the events not placed.
        ``table.attrs`` holds ``n_customers``, ``n_rows``, ``n_unusable`` and the customer
        counts, ``initiated_by_column`` (whether the log said who started its events) and
        ``initiated_by_unknown`` (its values read as neither side: rows of each) and
        ``initiated_by_note`` (the sentence saying so and how to name them, or None).
        ``stage_counts`` — the score of each number of stages tried.

    Raises
    ------
    DataError
        A required column is missing, ``timestamp`` holds no times, no row is usable, or no
        event name reaches ``min_share``.
    ParameterError
        An option is out of range, or ``n_stages`` exceeds the number of placed items.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-03-01 09:00")
    >>> steps = [(0, "ad_click"), (1, "product_view"), (2, "reviews_view"), (3, "product_view"),
    ...          (4, "cart_add"), (5, "payment"), (50, "delivered"), (60, "review_written")]
    >>> log = pd.DataFrame([(c, t + pd.Timedelta(hours=h + i), e)
    ...                     for i, c in enumerate("abcdef") for h, e in steps],
    ...                    columns=["customer_id", "timestamp", "event"])
    >>> found = discover_journey(log)
    >>> found.journey.stage_names
    ['Stage 1: Ad click, Product view, Reviews view', 'Stage 2: Cart add, Payment', 'Stage 3: Delivered, Review written']
    >>> found.table[["stage_index", "event", "n_customers", "precedence"]]
       stage_index           event  n_customers  precedence
    0            1        ad_click            6       0.125
    1            1    product_view            6       0.250
    2            1    reviews_view            6       0.375
    3            2        cart_add            6       0.500
    4            2         payment            6       0.625
    5            3       delivered            6       0.750
    6            3  review_written            6       0.875
    >>> print(found.journey.touchpoints[0].description.splitlines()[0])
    Measured from the event log: 6 of 6 customers (100.0%) have an event here.
    """
    gap_s = _check_options(n_stages, min_stages, max_stages, min_share, max_events, repeat_share,
                           bulk_min, company_share, repeat_gap)
    log, n_rows, n_bad = _measure.event_log(events, source=source)
    summary = _measure.event_summary(log)
    if summary.empty:
        raise DataError([Problem(
            f"the event log has no usable row ({n_rows:,} rows, {n_bad:,} without a customer, "
            "a time or an event name)", source=source,
            fix="give a log with customer_id, timestamp and event filled in")])
    counts = _measure.customer_counts(log, customers)
    n_all = counts["all"]
    placed, left_out = _choose_events(summary, counts["with_events"], min_share, max_events)
    date_only = summary.loc[summary["date_only"] & summary["event"].isin(placed), "event"].tolist()
    marks, unknown = _measure.marked_company(log)
    seq, handle = _measure.keep(_measure.sequences(log, placed, date_only), name="discover")
    try:
        found = _discover(seq, summary, placed, counts["with_events"], n_stages, (min_stages, max_stages), gap_s,
                          repeat_share, bulk_min, company_share, marks)
    finally:
        _measure.drop_kept(handle)
    items, tried = found
    said = _marked(marks, company_share)
    table = _table(items, summary, left_out, n_all, set(said.index[said["company"]]))
    table.attrs.update(n_customers=n_all, n_rows=n_rows, n_unusable=n_bad, customers=counts,
                       source=source, initiated_by_column="initiated_by" in log.columns,
                       initiated_by_unknown=unknown,
                       initiated_by_note=_unknown_initiators(unknown) if unknown else None)
    journey = _propose.build_journey(table[table["placed"]], name=name or
                                     f"Journey discovered from {source}",
                                     description=_description(table, counts, n_rows, n_bad, tried),
                                     source=f"event log {source} (jmtools discover)",
                                     header=_header(source))
    return DiscoveredJourney(journey, table, tried)


def _discover(seq, summary, placed, n_with, n_stages, bounds, gap_s, repeat_share, bulk_min,
              company_share, marks):
    """The counting queries and the arrangement; ``seq`` is the stored sequence table."""
    reps = _measure.repeat_stats(seq, gap_s).merge(
        summary[["event", "n_customers"]], on="event")
    reps["repeat_share"] = reps["n_clear_repeat"] / reps["n_customers"]
    clear = ((reps["repeat_share"] >= repeat_share) & (reps["n_clear_repeat"] >= 1)
             & (2 * reps["n_clear_repeat"] >= reps["n_repeat_customers"]))
    candidates = sorted(reps.loc[clear, "event"])
    nodes = _measure.node_stats(seq, candidates)
    pairs = _measure.precedence_pairs(seq, candidates)
    moves = _measure.transition_counts(seq, candidates, quick_h=ANSWER_WITHIN_H)
    timing = _measure.timing_stats(seq, summary[summary["event"].isin(placed)], bulk_min=bulk_min)
    said = _marked(marks, company_share)
    company = _company(timing, company_share, said)
    sends = set(company) & set(_company(timing, company_share, said.iloc[0:0]))
    named = sorted(e for e in placed if e not in company and e not in said.index and _send_name(e))
    own = sorted(set(placed) - set(company) - set(named))
    company.update(_sent_at_a_lag(_measure.anchor_lags(seq, named, own, band=STEADY_BAND)))
    lags = _measure.neighbour_lags(seq, sorted(sends), sorted(set(placed) - set(company)),
                                   band=STEADY_BAND)
    entry, tied = entry_points(nodes, pairs, moves, company, n_with, sends, lags)
    if n_stages is not None and n_stages > len(placed) + len(candidates):
        raise ParameterError("n_stages", n_stages, expected=f"at most {len(placed) + len(candidates)} "
                             "(the number of events that can be placed)",
                             fix="pass fewer stages (n_stages; --stages on the command line), or a "
                                 "smaller min_share (--min-share) to place more events")
    items, moved, tried = _arrange(nodes, pairs, moves, set(candidates) - set(entry),
                                   set(entry), n_stages, bounds, tied, lags)
    items = _top_next(items, moved)
    items["occurrence"] = [i[1] for i in items["item"]]
    items["initiated_by"] = ["company" if e in company else "customer" for e in items["event"]]
    items = items.merge(reps[["event", "repeat_share", "median_repeat_gap_h", "n_clear_repeat"]],
                        on="event", how="left").merge(timing, on="event", how="left")
    split = {e for e, o in zip(items["event"], items["occurrence"]) if o == "first"}
    notes = []
    for r in items.itertuples():
        parts = [company.get(r.event, ""), entry.get(r.event, ""), tied.get(r.event, ("",))[0],
                 r.placed_note]
        if r.occurrence == "first":
            parts.append(_repeat_note(r) + f"; those later times count in the repeat touchpoint")
        notes.append("; ".join(p for p in parts if p))
    items["note"] = notes
    items["stage"] = ""
    items["touchpoint"] = _propose.group_touchpoints(items)
    items = _reach(seq, items, split)
    return items, tried


def _table(items: pd.DataFrame, summary: pd.DataFrame, left_out: dict, n_all: int,
           company: set) -> pd.DataFrame:
    """The tidy table: placed items in journey order, then the event names left out (those
    the log's ``initiated_by`` column marks ``company``, ``company``)."""
    info = summary.set_index("event")
    items = items.copy()
    items["placed"] = True
    items["share"] = items["n_customers"] / n_all
    total = items["event"].map(info["n_events"])
    items["n_events"] = np.where(items["occurrence"] == "first", items["n_customers"],
                                 np.where(items["occurrence"] == "repeat",
                                          total - items["event"].map(info["n_customers"]), total))
    items["date_only"] = items["event"].map(info["date_only"]).astype(bool)
    items["touchpoint_share"] = items["touchpoint_customers"] / n_all
    items["stage_share"] = items["stage_customers"] / n_all
    names = {i: _propose.stage_name(i, rows) for i, rows in items.groupby("stage_index")}
    items["stage"] = items["stage_index"].map(names)
    rest = info.loc[list(left_out)].reset_index()
    rest = pd.DataFrame({"event": rest["event"], "occurrence": "any",
                         "initiated_by": rest["event"].map(lambda e: "company" if e in company
                                                           else "customer"),
                         "placed": False, "n_customers": rest["n_customers"],
                         "share": rest["n_customers"] / n_all, "n_events": rest["n_events"],
                         "date_only": rest["date_only"].astype(bool),
                         "note": rest["event"].map(left_out)})
    out = pd.concat([items, rest], ignore_index=True) if len(rest) else items
    out["stage_index"] = out["stage_index"].astype("Int64")
    for col in ("n_customers", "n_events", "touchpoint_customers", "stage_customers"):
        out[col] = out[col].astype("Int64")
    for col in ("stage", "touchpoint", "event", "occurrence", "initiated_by", "top_next", "note"):
        out[col] = out[col].astype("str")
    return out[TABLE_COLUMNS].reset_index(drop=True)


def _description(table, counts, n_rows, n_bad, tried) -> str:
    placed = table[table["placed"]]
    n_stages = placed["stage_index"].nunique()
    lines = [
        f"Proposed by jmtools from an event log alone: {counted(n_rows, 'row')}, "      # singular for one (D195)
        f"{counted(counts['with_events'], 'customer')} with events, {counted(table['event'].nunique(), 'event name')}"
        f" of which {placed['event'].nunique():,} {'is' if placed['event'].nunique() == 1 else 'are'} placed.",
        f"Stages: {n_stages}, ordered by precedence (for each pair of events, the share of "
        "customers doing both who did one first) and cut where customers move least between "
        f"events (modularity of the transition graph; {_tried(tried)}).",
        "Every stage and touchpoint is measured; its description gives customers, share, "
        "median position in customers' paths and precedence. Channels are not in the log: "
        "'digital' is written everywhere. Rename stages and touchpoints, set channels, goals, "
        "personas and pain points in a workshop.",
    ]
    if n_bad:
        lines.append(f"{n_bad:,} rows without a customer, a time or an event name were left out.")
    if counts["in_table"] is not None:
        lines.append(f"Customer table: {counts['in_table']:,} customers, "
                     f"{counts['without_events']:,} without any event (counted in every share); "
                     f"{counts['not_in_table']:,} customers with events are not in it.")
    if table.attrs.get("initiated_by_note"):
        lines.append(table.attrs["initiated_by_note"])
    if (~table["placed"]).any():
        n_out = int((~table["placed"]).sum())
        lines.append(f"Not placed: {n_out:,} event name{'' if n_out == 1 else 's'} (see the table).")
    return "\n".join(lines)


def _unknown_initiators(unknown: dict) -> str:
    """The sentence on ``initiated_by`` values read as neither side, with rows and the fix (D204)."""
    shown = ", ".join(f"{v!r} ({counted(n, 'row')})" for v, n in list(unknown.items())[:5])
    first = next(iter(unknown))
    key = first if re.fullmatch(r"\w[\w ]*", first) else json.dumps(first)
    return ("The log's initiated_by column holds values read as neither the company nor the "
            f"customer: {shown}{f' (+{len(unknown) - 5} more)' if len(unknown) > 5 else ''}; they "
            "mark nothing (an event with no other mark is told by its timing). Say what they mean "
            f"under events: in loading.yaml, e.g. values: {{initiated_by: {{{key}: company}}}} "
            "(or customer).")


def _tried(tried: pd.DataFrame) -> str:
    if tried is None or tried.empty:
        return "one stage"
    parts = [f"{int(r.n_stages)}: {r.score:.3f}" for r in tried.itertuples()]
    return f"{tried['method'].iloc[0]} by number of stages {', '.join(parts)}"


def _header(source: str) -> str:
    safe = " ".join(str(source).split())[:200]
    return (f"# Journey proposed by `jmtools discover` from {safe}.\n"
            "# Every stage and touchpoint is *measured*: the numbers behind it are in its\n"
            "# description. Next: rename stages and touchpoints in your team's words, set each\n"
            "# touchpoint's channel (digital is assumed), add goals, personas and pain points,\n"
            "# then check it with `jmtools validate <this file>`.\n")
