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
from jmtools.evidence._store import _cases, stage_of_code

__all__ = ["DatesOnly", "dates_only_of", "journey_keys"]

#: How :func:`journey_keys` places an event no touchpoint matches: after every touchpoint.
_LAST = 32_000


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
    """Sort keys that put one customer's events of one day in journey order.

    Returns ``[stage, touchpoint, event]`` columns of ``t``: the earliest stage of the
    touchpoints whose pattern matches the event name and the file-order code of the first of
    them in that stage (conditions aside, so the key is known before they are decided: a
    name that may count for a later stage, ``after:`` or ``occurrence: repeat``, is placed
    at its earliest; :data:`_LAST` when none matches), then the event code ``_ev`` (name
    order).
    """
    code = {n: i for i, n in enumerate(names, start=1)}
    stage_of = [stages.index(r.stage) for r in rules]
    by_tp: dict[int, list] = {}
    for name, idx in plan.cands.items():
        if idx and name in code:             # its earliest possible stage, then file order
            first = min(idx, key=lambda i: (stage_of[i], i))
            by_tp.setdefault(first + 1, []).append(code[name])
    tp = _cases([(t._ev.isin(c), i) for i, c in sorted(by_tp.items())], "int16")
    stage = stage_of_code(tp, rules, stages).cast("int32").fill_null(_LAST)
    return [stage, tp.cast("int32").fill_null(_LAST), t._ev]


def dates_only_of(core, n_customers: int) -> DatesOnly:
    """Count the customers with events of two or more stages on one day (on the engine)."""
    s = core.filter(core.stage_index.notnull())
    per_day = s.group_by([s.customer_id, s.timestamp.truncate("D").name("_day")]).agg(
        _k=s.stage_index.nunique())
    many = per_day.filter(per_day._k >= 2)
    n = int(to_pandas(many.customer_id.nunique()))
    return DatesOnly(n_ambiguous=n, n_customers=int(n_customers))
