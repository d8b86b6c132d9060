"""Event logs whose times are dates only: one order within a day, and how many customers it touches.

An export that keeps only the date of each event (``2026-03-05``, or every timestamp at
00:00) says nothing about the order of a customer's events on one day. Taking them in the
file's row order would make every funnel, transition and path depend on how the rows were
sorted. The evidence step takes them in **journey order** instead — the earliest stage an
event name can count for (of the touchpoints whose pattern matches it), then the first of
those touchpoints in file order, then the event name; events no touchpoint matches come last
in their day — and counts the customers for whom this choice
matters: those with events of two or more different stages on one day (:class:`DatesOnly`).
"""

from __future__ import annotations

from dataclasses import dataclass

from jmtools.core.engine import to_pandas
from jmtools.evidence._store import _cases

__all__ = ["DatesOnly", "dates_only_of", "journey_keys"]

@dataclass(frozen=True)
class DatesOnly:
    """A log whose every event is at midnight: dates only, no time of day.

    Attributes
    ----------
    n_ambiguous : int
        Customers with events of two or more different stages on one day: their order
        within that day is not in the data (journey order is assumed).
    n_customers : int
        Customers with events.
    share : float
        ``n_ambiguous / n_customers`` (NaN without customers).

    Examples
    --------
    >>> d = DatesOnly(n_ambiguous=312, n_customers=2200)
    >>> round(d.share, 3)
    0.142
    >>> print(d.sentence())
    Event times are dates only: 312 of 2,200 customers (14%) have two or more stages on one day; within a day, events are taken in journey order (stage, then touchpoint, then event name), and only these customers' steps could read differently in another order.
    """

    n_ambiguous: int
    n_customers: int

    @property
    def share(self) -> float:
        return self.n_ambiguous / self.n_customers if self.n_customers else float("nan")

    def sentence(self) -> str:
        """What a reader must know, with n: the assumption and how many customers it touches."""
        share = f"{self.share:.0%}" if self.n_customers else "n/a"
        if self.n_ambiguous == 0:
            return (f"Event times are dates only, but none of the {self.n_customers:,} customers has "
                    "two different stages on one day: the order of stages is the same whatever the "
                    "order within a day.")
        return (f"Event times are dates only: {self.n_ambiguous:,} of {self.n_customers:,} customers "
                f"({share}) have two or more stages on one day; within a day, events are taken in "
                "journey order (stage, then touchpoint, then event name), and only these customers' "
                "steps could read differently in another order.")


def journey_keys(t, plan, rules, stages, names):
    """The sort key that puts one customer's events of one day in journey order, and its bound.

    The order: the earliest stage of the touchpoints whose pattern matches the event name, then
    the file order of the first of them in that stage (conditions aside, so the key is known
    before they are decided: a name that may count for a later stage, ``after:`` or
    ``occurrence: repeat``, is placed at its earliest; names no touchpoint matches come after
    every touchpoint), then the event code ``_ev`` (name order; a null code last).

    Returns ``(key, size)``: ``key`` an int64 column of ``t``, ``1 <= key < size`` — that
    touchpoint's rank in journey order times ``len(names) + 2``, plus the event code — one
    integer to sort by (one ``CASE`` with a branch per touchpoint) instead of three columns.
    """
    code = {n: i for i, n in enumerate(names, start=1)}
    stage_of = [stages.index(r.stage) for r in rules]
    by_tp: dict[int, list] = {}
    for name, idx in plan.cands.items():
        if idx and name in code:             # its earliest possible stage, then file order
            first = min(idx, key=lambda i: (stage_of[i], i))
            by_tp.setdefault(first, []).append(code[name])
    ranked = sorted(by_tp, key=lambda i: (stage_of[i], i))
    rank = _cases([(t._ev.isin(by_tp[i]), r) for r, i in enumerate(ranked)], "int64").fill_null(len(ranked))
    width = len(names) + 2
    return rank * width + t._ev.cast("int64").fill_null(width - 1), (len(ranked) + 1) * width


def dates_only_of(core, n_customers: int) -> DatesOnly:
    """Count the customers with events of two or more stages on one day (on the engine).

    Called for a log of dates only, whose timestamps are days already: per customer and day,
    the lowest and highest stage differ."""
    s = core.filter(core.stage_index.notnull())
    per_day = s.group_by([s.customer_id, s.timestamp]).agg(_lo=s.stage_index.min(), _hi=s.stage_index.max())
    many = per_day.filter(per_day._lo < per_day._hi)
    n = int(to_pandas(many.customer_id.nunique()))
    return DatesOnly(n_ambiguous=n, n_customers=int(n_customers))
