"""How well the journey file fits the event log, in sentences: one list for every front end.

``jmtools validate --data``, the report's data section and notebook 02 show the same rows:
event names several touchpoints claim, touchpoints and stages that receive no event (so any
0 % there comes from the file, not from customers), events no touchpoint counts, and event
kinds recorded with dates only, a log of dates only (with the customers whose order within
a day is assumed), and events that repeat the customer's previous event at the same moment (a row
exported twice: D162), and stages most customers meet only after a later one (the journey's order does
not fit them: D173).
"""

from __future__ import annotations

import re

from jmtools.core.engine import kept_answer, to_pandas
from jmtools.core.errors import ParameterError
from jmtools.core.vocabulary import share_text
from jmtools.sources.actors import ACTOR

__all__ = ["fit_problems", "FIT_COLUMNS"]

#: Columns of :func:`fit_problems`.
FIT_COLUMNS = ["severity", "kind", "subject", "n_events", "message", "fix"]


def fit_problems(evidence, *, top_unmatched: int = 10):
    """Every mismatch between the journey file and the events, as one tidy frame.

    Parameters
    ----------
    evidence : Evidence
        From :func:`jmtools.evidence.prepare`.
    top_unmatched : int, default 10
        Unmatched event names listed one by one (the rest are summed in one row).

    Returns
    -------
    pandas.DataFrame
        ``severity`` (``"warning"``: a number will mislead unless fixed; ``"note"``: worth
        knowing), ``kind`` (``overlap``, ``shared``, ``empty touchpoint``, ``empty stage``,
        ``unmatched``, ``date only``, ``dates only``: the whole log, ``repeated``, ``exit stage?``,
        ``optional stage?``, ``order?``: a stage met after a later one), ``subject``, ``n_events``,
        ``message``, ``fix``.
        Warnings first.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a"], "event": ["order", "order"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-02 10:30"])})
    >>> j = {"stages": ["Buy", "Rebuy"], "touchpoints": [
    ...     {"name": "First order", "stage": "Buy", "events": ["order"]},
    ...     {"name": "Repeat order", "stage": "Rebuy", "events": ["order"]}]}
    >>> fit_problems(prepare(ev, j))[["severity", "kind", "subject"]]
      severity              kind         subject
    0  warning           overlap           order
    1  warning  empty touchpoint    Repeat order
    2  warning       empty stage           Rebuy
    """
    import pandas as pd

    if isinstance(top_unmatched, bool) or not isinstance(top_unmatched, int) or top_unmatched < 0:
        raise ParameterError("top_unmatched", top_unmatched, expected="a whole number from 0",
                             fix="e.g. top_unmatched=10")
    rows = []
    for r in evidence.overlaps.itertuples():
        if r.by_design:
            rows.append(("note", "shared", r.event, r.n_events,
                         f"{r.event} ({r.n_events:,} events) is shared out by conditions between "
                         f"{r.counts_for}", ""))
        else:
            rows.append(("warning", "overlap", r.event, r.n_events,
                         f"{r.event} ({r.n_events:,} events) matches {r.touchpoints}; only "
                         f"{r.counts_for} get(s) it, {r.never_for} never", r.fix))
    for r in evidence.empty.itertuples():
        kind = "empty " + r.kind
        what = f"stage '{r.name}'" if r.kind == "stage" else f"touchpoint '{r.name}' ({r.stage})"
        rows.append(("warning", kind, r.name, 0, f"{what} receives no event: {r.why}", r.fix))
    un = evidence.unmatched
    for r in un.head(top_unmatched).itertuples():
        rows.append(("note", "unmatched", r.event, int(r.n_events),
                     f"{r.event}: {_events(int(r.n_events))} ({share_text(r.share_of_events)}) count"
                     f"{'s' if int(r.n_events) == 1 else ''} for no touchpoint — {r.reason}",
                     "add a touchpoint whose events: pattern matches it, or leave it out "
                     "on purpose"))
    if len(un) > top_unmatched:
        rest = un.iloc[top_unmatched:]
        rows.append(("note", "unmatched", f"{len(rest)} more names", int(rest["n_events"].sum()),
                     f"{len(rest)} more event names ({int(rest['n_events'].sum()):,} events) count "
                     "for no touchpoint", "see Evidence.unmatched for the full list"))
    for r in evidence.date_only.itertuples():
        n, k = int(r.n_events), int(getattr(r, "n_dated", r.n_events))
        what = (f"{r.event} has dates only ({n:,} events, all at 00:00): it is" if k == n else
                f"{k:,} of the {n:,} {r.event} events carry a date alone, no time of day (D140): they are")
        rows.append(("note", "date only", r.event, k,
                     f"{what} placed after the customer's timed events of that day at its stage (without "
                     "one: first in a day whose timed events are all at later stages, else last)",
                     f"export {'it' if k == n else 'them'} with {'its' if k == n else 'their'} time of day "
                     "if the source has one"))
    for stage in _leaving(evidence):
        rows.append(("note", "exit stage?", stage, 0,
                     f"stage '{stage}' reads like customers leaving: as a step of the funnel, those who "
                     "stay count as a drop-off before it, and leaving as progress",
                     f"mark it an exit stage in the journey file (- name: {stage} / exit: true)"))
    for stage in _optional(evidence):
        rows.append(("note", "optional stage?", stage, 0,
                     f"stage '{stage}' reads like one many customers never need: as a step of the funnel, "
                     "those who never need it count as a drop-off, and every later stage is counted only "
                     "among those who went through it",
                     f"mark it optional in the journey file (- name: {stage} / optional: true)"))
    rows += _repeat_rows(_repeats(evidence))
    for r in _met_late(evidence).itertuples():
        rows.append(("note", "order?", r.stage, 0,
                     f"{r.n_late:,} of the {r.n_customers:,} customers seen at stage '{r.stage}' and at a later one "
                     f"({share_text(r.n_late / r.n_customers)}) come to it only after a later stage: the journey's "
                     "order does not fit them, and going back to it counts as a detour",
                     f"move '{r.stage}' to where customers meet it, or mark it optional if it has no fixed place "
                     f"(- name: {r.stage} / optional: true)"))
    days = getattr(evidence, "dates_only", None)
    if days is not None:
        rows.append(("note", "dates only", "all events", int(evidence.n_events), days.sentence(),
                     "export the events with their time of day if the source has one"))
    out = pd.DataFrame(rows, columns=FIT_COLUMNS)
    out["n_events"] = out["n_events"].astype("int64")
    order = {"warning": 0, "note": 1}
    return out.sort_values("severity", key=lambda s: s.map(order), kind="stable",
                           ignore_index=True)


def _events(n: int) -> str:
    return f"{n:,} event{'' if n == 1 else 's'}"


#: Event names a note of repeated events lists one by one (the rest are summed).
REPEATS_LISTED = 20


def _repeat_rows(reps) -> list[tuple]:
    """One note for every event that repeats the customer's previous event at the same moment,
    its names and counts listed in it (one note per name filled two phone screens; D247)."""
    if not len(reps):
        return []
    total, names = int(reps["n_events"].sum()), len(reps)
    listed = ", ".join(f"{e} {int(n):,}" for e, n in zip(reps["event"].head(REPEATS_LISTED),
                                                           reps["n_events"].head(REPEATS_LISTED)))
    if names > REPEATS_LISTED:
        rest = reps.iloc[REPEATS_LISTED:]
        listed += f" and {len(rest)} more names ({int(rest['n_events'].sum()):,})"
    what = (f"{total:,} {reps['event'].iloc[0]} event{'s repeat' if total != 1 else ' repeats'}" if names == 1
            else f"{total:,} events of {names} names repeat ({listed})")
    return [("note", "repeated", str(reps["event"].iloc[0]) if names == 1 else f"{names} event names", total,
             f"{what} the customer's previous event at the same moment (the same day, when written as a date "
             "alone): rows exported twice? Each copy counts in event counts, loops and repeated contacts; "
             "customer counts and funnels do not change",
             "drop the repeated rows before loading (pandas: drop_duplicates()) unless the customer did it "
             "twice at once")]


#: Stage names that read like customers leaving (a hint to mark them ``exit: true``).
_LEAVING = re.compile(r"cancel|churn|leav(e|ing)|lapse|unsubscrib|terminat|offboard", re.IGNORECASE)


def _leaving(evidence) -> list:
    """Stages of default funnels whose name reads like customers leaving."""
    return [s for s in getattr(evidence, "mapped_stages", []) if _LEAVING.search(str(s))]


#: Stage names that read like a stage many customers never need (a hint to mark them ``optional: true``).
_SOMETIMES = re.compile(r"claim|complain|support|help ?desk|return|refund|repair|dispute|incident|"
                        r"escalat|warranty", re.IGNORECASE)


def _optional(evidence) -> list:
    """Stages of default funnels, after their first step and before their last, whose name reads
    like a stage many customers never need (a later stage then counts only those who needed it)."""
    stages = list(getattr(evidence, "mapped_stages", []))
    return [s for s in stages[1:-1] if _SOMETIMES.search(str(s))]


def _repeats(evidence):
    """Per event name, the events that repeat the customer's previous event at the same moment
    (``event``, ``n_events``; most first), kept beside a cached evidence."""
    def count():
        t = evidence.events
        if ACTOR in t.columns:            # another user of the account is no copy: the actor's own next (D256)
            import ibis

            w = ibis.window(group_by=[t.customer_id, t[ACTOR]], order_by=t.position)
            t = t.mutate(_nxe=t.event.lead().over(w), _nxt=t.timestamp.lead().over(w))
            t = t.filter((t._nxe == t.event) & (t._nxt == t.timestamp))
        else:
            t = t.filter((t.next_event == t.event) & (t.time_to_next_s == 0))
        got = to_pandas(t.group_by("event").agg(n_events=t.count()))
        return got.sort_values(["n_events", "event"], ascending=[False, True], ignore_index=True)
    return kept_answer(evidence, ("repeats",), count)


#: A stage is said to be met out of order when at least this share of the customers who reach it
#: and a later stage reach it only after the later one, and at least LATE_MIN customers do (the
#: reports' smallest group shown, ``analyses.disclosure.MIN_GROUP``).
LATE_SHARE, LATE_MIN = 0.25, 5


def _met_late(evidence):
    """Stages of the default funnel that customers often meet only after a later one: per stage,
    the customers reaching it and a later stage by their own events (``n_customers``) and those
    whose first event at it comes after their first at a later stage (``n_late``); kept beside a
    cached evidence. Only stages at or above :data:`LATE_SHARE` and ``LATE_MIN`` are returned."""
    stages = list(getattr(evidence, "mapped_stages", []))

    def count():
        import pandas as pd

        if len(stages) < 2:
            return pd.DataFrame({"stage_index": [], "n_customers": [], "n_late": []}, dtype="int64")
        t = evidence.events
        t = t.filter(t.stage.isin(stages))
        if evidence.company_touchpoints:          # the company's letters are not the customer's steps
            t = t.filter(~t.touchpoint.isin(list(evidence.company_touchpoints)))
        first = t.group_by(["customer_id", "stage_index"]).agg(first=t.position.min())
        first = first.mutate(later=first["first"].min().over(group_by=first.customer_id,
                                                             order_by=first.stage_index, rows=(1, None)))
        both = first.filter(first.later.notnull())
        return to_pandas(both.group_by("stage_index").agg(
            n_customers=both.count(), n_late=(both["first"] > both.later).cast("int64").sum()))

    got = kept_answer(evidence, ("order",), count)
    got = got[(got["n_late"] >= LATE_MIN) & (got["n_late"] >= LATE_SHARE * got["n_customers"])]
    got = got.sort_values("stage_index", ignore_index=True)
    return got.assign(stage=[evidence.stages[int(i) - 1] for i in got["stage_index"]],
                      n_customers=got["n_customers"].astype("int64"), n_late=got["n_late"].astype("int64"))
