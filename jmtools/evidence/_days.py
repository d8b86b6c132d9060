"""Event logs whose times are dates only: one order within a day, and how many customers it touches.

An export that keeps only the date of each event (``2026-03-05``, or every timestamp at
00:00) says nothing about the order of a customer's events on one day. Taking them in the
file's row order would make every funnel, transition and path depend on how the rows were
sorted. The evidence step takes them in **journey order** instead — contacts the company
starts (``initiated_by: company``: a newsletter, a reminder) first, as what the customer does
that day may answer them, then the earliest stage an event name can count for (of the
touchpoints whose pattern matches it), then the first of those touchpoints in file order, then
the event name; events no touchpoint matches come last in their day — and counts the customers
for whom this choice matters: those with events of two or more different stages on one day
(stage counts), and those with two or more different touchpoints on one day (touchpoint paths
and transitions; :class:`DatesOnly`).
"""

from __future__ import annotations

from dataclasses import dataclass

from jmtools.core.engine import to_pandas
from jmtools.core.vocabulary import share_text
from jmtools.evidence._store import by_code

__all__ = ["AFTER_ALL", "DatesOnly", "date_only_kinds", "date_only_place", "dates_only_of", "earliest_stages",
           "few_dated_kinds", "journey_keys", "LEAD"]

#: How :func:`journey_keys` places an event no touchpoint matches: after every touchpoint.
_LAST = 32_000


#: How every dates-only sentence begins (the report shows it in bold, then the rest).
LEAD = "Event times are dates only"


@dataclass(frozen=True)
class DatesOnly:
    """A log whose every event is at midnight: dates only, no time of day.

    Attributes
    ----------
    n_ambiguous : int
        Customers with events of two or more different stages on one day: their order
        within that day is not in the data (journey order is assumed), so only their stage
        counts (funnel, furthest stage) could differ in another order.
    n_customers : int
        Customers with events.
    n_ambiguous_touchpoints : int
        Customers with events of two or more different touchpoints on one day (of one stage
        or of several, so at least ``n_ambiguous``): only their touchpoint-level answers
        (transitions, paths, detours, loops, a funnel of touchpoints) could differ in another
        order.
    share, share_touchpoints : float
        ``n_ambiguous / n_customers`` and ``n_ambiguous_touchpoints / n_customers`` (NaN
        without customers).

    Examples
    --------
    >>> d = DatesOnly(n_ambiguous=312, n_customers=2200, n_ambiguous_touchpoints=540)
    >>> round(d.share, 3), round(d.share_touchpoints, 3)
    (0.142, 0.245)
    >>> print(d.sentence())
    Event times are dates only: 312 of 2,200 customers (14%) have two or more stages on one day, 540 (25%) two or more touchpoints. Within a day, events are taken in journey order (company contacts first, then stage, touchpoint and event name); another order could change the stage counts of the first group only, and the touchpoint paths, transitions, detours and loops of the second only.
    """

    n_ambiguous: int
    n_customers: int
    n_ambiguous_touchpoints: int

    @property
    def share(self) -> float:
        return self.n_ambiguous / self.n_customers if self.n_customers else float("nan")

    @property
    def share_touchpoints(self) -> float:
        return self.n_ambiguous_touchpoints / self.n_customers if self.n_customers else float("nan")

    def sentence(self, whose: str | None = None, *, unknown: str | None = None) -> str:
        """What a reader must know, with n: the assumption and how many customers it touches.

        Always begins with :data:`LEAD` and a colon.

        Parameters
        ----------
        whose : str, optional
            The persona these counts are of ("312 of Family Fiona's 980 customers"); default:
            every customer of the log.
        unknown : str, optional
            A persona whose customers cannot be told apart (no customer table): the counts
            are the whole log's, and the sentence says so.

        Examples
        --------
        >>> d = DatesOnly(n_ambiguous=3, n_customers=10, n_ambiguous_touchpoints=3)
        >>> print(d.sentence("Family Fiona").split(". ")[0])
        Event times are dates only: 3 of Family Fiona's 10 customers (30%) have two or more stages on one day
        >>> print(d.sentence(unknown="Family Fiona").split(". ")[0])
        Event times are dates only: Family Fiona's customers are not known without a customer table, so these counts are of the whole log: 3 of 10 customers (30%) have two or more stages on one day
        """
        n, k, kt = self.n_customers, self.n_ambiguous, self.n_ambiguous_touchpoints
        lead, of_n, the_n = self._scope(whose, unknown)
        order = ("Within a day, events are taken in journey order (company contacts first, then "
                 "stage, touchpoint and event name); another order could change")
        if kt == 0:
            return (f"{lead}none of {the_n} has two different touchpoints on one day, "
                    "so the order within a day changes no number.")
        if k == 0:
            return (f"{lead}none of {the_n} has two stages on one day, so no stage "
                    f"count depends on the order within a day; {kt:,} ({_pct(kt, n)}) have two or more "
                    f"touchpoints of one stage on one day. {order} these customers' touchpoint paths, "
                    "transitions, detours and loops only.")
        if kt == k:
            return (f"{lead}{k:,} of {of_n} ({_pct(k, n)}) have two or more stages on one "
                    f"day. {order} these customers' steps only.")
        return (f"{lead}{k:,} of {of_n} ({_pct(k, n)}) have two or more stages on one day, "
                f"{kt:,} ({_pct(kt, n)}) two or more touchpoints. {order} the stage counts of the "
                "first group only, and the touchpoint paths, transitions, detours and loops of the "
                "second only.")

    def loops_sentence(self, whose: str | None = None, *, unknown: str | None = None) -> str | None:
        """Where loops and detours are read (pain points): they are found between days only,
        with n; None when no customer has two touchpoints on one day. ``whose`` and
        ``unknown`` as in :meth:`sentence`.

        Examples
        --------
        >>> print(DatesOnly(n_ambiguous=3, n_customers=10, n_ambiguous_touchpoints=4).loops_sentence())
        Event times are dates only: loops and detours are found between days. Within a day, events are taken in journey order, which hides most loops and detours of that day; they could concern 4 of 10 customers (40%), those with two or more touchpoints on one day.
        """
        n, kt = self.n_customers, self.n_ambiguous_touchpoints
        if kt == 0:
            return None
        lead, of_n, _ = self._scope(whose, unknown)
        return (f"{lead}loops and detours are found between days. Within a day, events are taken "
                "in journey order, which hides most loops and detours of that day; they could concern "
                f"{kt:,} of {of_n} ({_pct(kt, n)}), those with two or more touchpoints on one "
                "day.")

    def _scope(self, whose, unknown) -> tuple[str, str, str]:
        """The sentence's lead, "N customers" and "the N customers", for ``whose`` customers."""
        n = self.n_customers
        lead = f"{LEAD}: " + (f"{unknown}'s customers are not known without a customer table, so these "
                              "counts are of the whole log: " if unknown else "")
        if whose:
            return lead, f"{whose}'s {n:,} customers", f"{whose}'s {n:,} customers"
        return lead, f"{n:,} customers", f"the {n:,} customers"


def _pct(k: int, n: int) -> str:
    return share_text(k / n, digits=0) if n else "n/a"


def journey_keys(t, plan, rules, stages, names):
    """The sort key that puts one customer's events of one day in journey order, and its bound.

    The order: contacts the company starts (a name whose first earliest-stage touchpoint is
    ``initiated_by: company``) before the customer's own events of the day, then the earliest
    stage of the touchpoints whose pattern matches the event name, then
    the file order of the first of them in that stage (conditions aside, so the key is known
    before they are decided: a name that may count for a later stage, ``after:`` or
    ``occurrence: repeat``, is placed at its earliest; names no touchpoint matches come after
    every touchpoint), then the event code ``_ev`` (name order; a null code last).

    Returns ``(key, size)``: ``key`` an int64 column of ``t``, ``1 <= key < size`` — that
    touchpoint's rank in that order times ``len(names) + 2``, plus the event code — one
    integer to sort by (one array lookup by event code) instead of three columns.
    """
    stage_of = [stages.index(r.stage) for r in rules]
    by_tp: dict[int, list] = {}
    for c, first in _first_touchpoints(plan, rules, stages, names).items():
        by_tp.setdefault(first, []).append(c)
    # contacts the company starts open the day: what the customer does that day may answer them
    ranked = sorted(by_tp, key=lambda i: (rules[i].initiated_by != "company", stage_of[i], i))
    rank_of = {c: r for r, i in enumerate(ranked) for c in by_tp[i]}
    rank = by_code(t._ev, {c: rank_of.get(c, len(ranked)) for c in range(1, len(names) + 1)},
                   len(names), "int64").fill_null(len(ranked))
    width = len(names) + 2
    return rank * width + t._ev.cast("int64").fill_null(width - 1), (len(ranked) + 1) * width


def _first_touchpoints(plan, rules, stages, names) -> dict:
    """Each event code's first touchpoint (its index in ``rules``): of the touchpoints whose
    pattern matches the name, the one of the earliest stage, then file order (conditions aside).
    Names no touchpoint matches are absent."""
    code = {n: i for i, n in enumerate(names, start=1)}
    stage_of = [stages.index(r.stage) for r in rules]
    return {code[name]: min(idx, key=lambda i: (stage_of[i], i))
            for name, idx in plan.cands.items() if idx and name in code}


def earliest_stages(t, plan, rules, stages, names):
    """The earliest stage (its index) each event of ``t`` can count for, conditions aside, as
    :func:`journey_keys` orders them: an int16 column of ``t``, null for a name no touchpoint
    matches. A date-only event is placed after the customer's last timed event of that day at
    this same stage (:func:`jmtools.evidence._sort_once`)."""
    first = _first_touchpoints(plan, rules, stages, names)
    return by_code(t._ev, {c: stages.index(rules[i].stage) for c, i in first.items()}, len(names),
                   "int16")


def date_only_kinds(counts):
    """Event names whose every timestamp is at midnight, when other events carry a time, and
    names some of whose rows were written as a date alone (D140).

    ``counts``: one row per event name with ``n_events``, ``_midnight`` (how many at 00:00)
    and, when the log marks them (its column ``_dated``), ``_dated`` (how many were written
    as a date alone). Returns ``event``, ``n_events``, ``n_dated`` (the rows read as dates:
    every row of a name of dates only) of the names with 3 or more events all at midnight
    (fewer: :func:`few_dated_kinds`) or with a row written as a date alone, most first; none in
    a log of dates only.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"event": ["delivered", "track", "gift", "signup"],
    ...                        "n_events": [5, 9, 2, 400], "_midnight": [5, 1, 2, 15],
    ...                        "_dated": [5, 0, 0, 14]})
    >>> date_only_kinds(counts)
           event  n_events  n_dated
    0     signup       400       14
    1  delivered         5        5
    >>> few_dated_kinds(counts)
    ['gift']
    """
    import pandas as pd

    whole_day = (counts["_midnight"].fillna(0).astype("int64") == counts["n_events"])
    if whole_day.all():                     # the whole log has dates only: nothing to reorder
        return pd.DataFrame({"event": pd.Series([], dtype="object"), "n_events": pd.Series([], dtype="int64"),
                             "n_dated": pd.Series([], dtype="int64")})
    alone = counts["_dated"].fillna(0).astype("int64") if "_dated" in counts else 0 * counts["n_events"]
    whole = whole_day & (counts["n_events"] >= 3)
    out = counts.assign(n_dated=alone.where(~whole, counts["n_events"]).astype("int64"))
    out = out.loc[whole | (alone > 0), ["event", "n_events", "n_dated"]]
    return out.sort_values(["n_events", "event"], ascending=[False, True], ignore_index=True)


def few_dated_kinds(counts) -> list:
    """Event names whose every timestamp is at midnight, when other events carry a time, but
    too few (1 or 2) to be moved to the end of their day (:func:`date_only_kinds`): they stay at
    midnight, their ties there in journey order."""
    whole_day = (counts["_midnight"].fillna(0).astype("int64") == counts["n_events"])
    if whole_day.all():
        return []
    return counts.loc[whole_day & (counts["n_events"] < 3), "event"].tolist()


#: The tie-breaker of a date-only event without an anchor: after every event of its second.
AFTER_ALL = 2**62


def date_only_place(t, day, stage, own):
    """Where a date-only event of ``t`` (rows ``day``) sorts: right after its anchor, the
    customer's last timed event of that day at its ``stage`` (:func:`earliest_stages`; null:
    no anchor); without one, at the start of its day when every timed event of that day is at a
    later stage (journey order, D140), else at 23:59:59 of its day. Its stage's events of the
    day stay one visit: at the end of the day it came after that day's events of other stages
    too, a second visit the customer never made.

    ``day``, ``stage`` and ``own`` are columns of ``t``; ``own`` (int64) breaks ties between
    events of one second (the input row number, :func:`jmtools.evidence._sort_once`). Returns
    ``t`` with ``_key`` (the time each event sorts at: a timed event's own, a date-only
    event's anchor's, else 23:59:59) and ``_after`` (a timed event's ``own``; a date-only
    event's anchor's, so that it comes right after the anchor and before any other event of
    that second, D127; without an anchor :data:`AFTER_ALL`, after every event of that
    second). Sorted by ``_key``, ``_after``, the journey key, then the row. The anchor is the
    arg-max of (time, ``own``), in two plain windows over (customer, day, stage): the latest
    time, then the highest ``own`` at that time (one window over a struct of both cost four
    times as much).
    """
    import ibis

    place, after = t.timestamp + ibis.interval(seconds=86399), ibis.literal(AFTER_ALL, "int64")
    if stage is None:
        return t.mutate(_key=ibis.ifelse(day, place, t.timestamp), _after=ibis.ifelse(day, after, own))
    timed = ~day & stage.notnull()
    w = ibis.window(group_by=[t.customer_id, t.timestamp.truncate("D"), stage])
    t = t.mutate(_at=ibis.ifelse(timed, t.timestamp, ibis.null(t.timestamp.type())).max().over(w))
    day, stage, own = (t[c.get_name()] for c in (day, stage, own))      # of the new relation
    timed = ~day & stage.notnull()
    w = ibis.window(group_by=[t.customer_id, t.timestamp.truncate("D"), stage])
    t = t.mutate(_by=ibis.ifelse(timed & (t.timestamp == t._at), own, ibis.null("int64")).max().over(w))
    d = ibis.window(group_by=[t.customer_id, t.timestamp.truncate("D")])
    t = t.mutate(_lo=ibis.ifelse(timed, stage, ibis.null(stage.type())).min().over(d))
    day, stage, own = (t[c.get_name()] for c in (day, stage, own))      # of the new relation
    found = day & stage.notnull() & t._at.notnull()
    first = day & stage.notnull() & t._at.isnull() & (t._lo > stage)     # every timed event a later stage
    return t.mutate(_key=ibis.ifelse(found, t._at, ibis.ifelse(first, t.timestamp, ibis.ifelse(day, place, t.timestamp))),
                    _after=ibis.ifelse(found, t._by, ibis.ifelse(first, ibis.literal(-1, "int64"),
                                                                 ibis.ifelse(day, after, own)))
                    ).drop("_at", "_by", "_lo")


def dates_only_of(core, n_customers: int) -> DatesOnly:
    """Count the customers with events of two or more stages, and of two or more touchpoints,
    on one day (on the engine).

    Called for a log of dates only, whose timestamps are days already: per customer and day,
    the lowest and highest stage (touchpoint) differ."""
    s = core.filter(core.stage_index.notnull())
    per_day = s.group_by([s.customer_id, s.timestamp]).agg(
        _k=(s.stage_index.min() < s.stage_index.max()).cast("int64"),
        _t=(s._tp.min() < s._tp.max()).cast("int64"))
    per = per_day.group_by(per_day.customer_id).agg(_k=per_day._k.max(), _t=per_day._t.max())
    got = to_pandas(per.aggregate(a=per._k.sum(), t=per._t.sum()))
    a, t = (int(got[c].fillna(0).iloc[0]) for c in ("a", "t"))
    return DatesOnly(n_ambiguous=a, n_customers=int(n_customers), n_ambiguous_touchpoints=t)
