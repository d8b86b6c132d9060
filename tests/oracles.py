"""Independent plain-pandas oracles shared by the test files.

Each oracle recomputes a number the kit produces without using the kit's code: the
journey is read only as data (stage names, touchpoint event patterns, persona rules),
events are matched with :func:`re.fullmatch` and personas are selected with pandas' own
expression engine (:meth:`pandas.DataFrame.query`). Keep one copy of each oracle here and
import it (``from oracles import ...``): two copies drift apart.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["event_stages", "reached_steps", "stage_reach", "persona_labels",
           "conditional_touchpoints", "funnel_with_occurrence"]


def event_stages(events: pd.DataFrame, journey, *, event_col: str = "event") -> pd.Series:
    """Stage of each event row (None when no touchpoint matches).

    The first touchpoint in file order whose patterns match the whole event name wins.
    """
    def stage(name):
        for tp in journey.touchpoints:
            if any(re.fullmatch(p, name) for p in tp.events):
                return tp.stage
        return None

    names = events[event_col].unique()
    return events[event_col].map({e: stage(e) for e in names}).rename("stage")


def reached_steps(events: pd.DataFrame, steps, *, step_col: str = "stage",
                  customer_col: str = "customer_id", time_col: str = "timestamp") -> pd.DataFrame:
    """Greedy strict ordered funnel: which steps each customer reached, in order.

    A customer reaches step k when a row of step k comes after the row where they reached
    step k-1; rows are ordered by time, ties by their input order. One row per customer with
    any event, one boolean column per step.
    """
    df = events[[customer_col, time_col, step_col]].reset_index(drop=True)
    df = df.assign(_pos=np.arange(len(df)))
    df = df.sort_values([customer_col, time_col, "_pos"], kind="stable")
    df = df.assign(_pos=np.arange(len(df)))
    out = pd.DataFrame(index=pd.Index(df[customer_col].unique(), name=customer_col))
    after = pd.Series(-1.0, index=out.index)
    for step in steps:
        hits = df.loc[df[step_col] == step, [customer_col, "_pos"]]
        hits = hits.merge(after.rename("_after"), left_on=customer_col,
                          right_index=True).reset_index(drop=True)  # no rows: keep it unambiguous
        first = hits[hits["_pos"] > hits["_after"]].groupby(customer_col)["_pos"].min()
        out[step] = out.index.isin(first.index)
        after = first.reindex(out.index).fillna(np.inf)
    return out


def stage_reach(events: pd.DataFrame, journey, customers=None) -> dict[str, int]:
    """Customers reaching each stage of the journey (strict ordered stage funnel).

    ``customers`` restricts the count to these customer ids (e.g. one persona).
    """
    ev = events.assign(stage=event_stages(events, journey).to_numpy())
    ev = ev[ev["stage"].notna()]
    if customers is not None:
        ev = ev[ev["customer_id"].isin(set(customers))]
    reached = reached_steps(ev, journey.stage_names)
    return {s: int(reached[s].sum()) if s in reached else 0 for s in journey.stage_names}


def persona_labels(customers: pd.DataFrame, rules) -> tuple[pd.Series, pd.Series]:
    """Persona of each customer by :meth:`DataFrame.query`, the first rule in order wins.

    ``rules`` is a sequence of ``(name, rule)``. Returns the label (None for no persona) and
    how many rules select each customer, both indexed like ``customers``.
    """
    label = pd.Series(None, index=customers.index, dtype=object)
    hits = pd.Series(0, index=customers.index)
    for name, rule in rules:
        selected = customers.query(rule).index
        hits[selected] += 1
        label[selected.difference(label.dropna().index)] = name
    return label, hits


def _touchpoint_rules(journey) -> tuple[list[str], list[dict]]:
    """Stages and touchpoints (name, stage, events, occurrence, after, initiated_by) as data.

    ``journey`` is a loaded journey (read only through its attributes) or a dict
    ``{"stages": [...], "touchpoints": [{"name", "stage", "events", ...}, ...]}``.
    """
    if isinstance(journey, dict):
        stages, tps = list(journey["stages"]), journey["touchpoints"]
    else:
        stages = list(journey.stage_names)
        tps = [{"name": t.name, "stage": t.stage, "events": list(t.events),
                "occurrence": t.occurrence, "after": t.after, "initiated_by": t.initiated_by}
               for t in journey.touchpoints]
    defaults = {"occurrence": "any", "after": None, "initiated_by": "customer"}
    return stages, [{**defaults, **tp} for tp in tps]


def _occurrence_holds(occurrence, k: pd.Series) -> pd.Series:
    if occurrence == "any":
        return k >= 1
    if occurrence == "first":
        return k == 1
    if occurrence == "repeat":
        return k >= 2
    return k == int(occurrence)


def conditional_touchpoints(events: pd.DataFrame, journey, *, event_col: str = "event",
                            customer_col: str = "customer_id",
                            time_col: str = "timestamp") -> pd.DataFrame:
    """Touchpoint, stage and initiator of each event row, honouring occurrence and after.

    Rows are taken per customer in time order, ties in input order. A row goes to the first
    touchpoint in file order whose pattern matches the whole event name (``re.fullmatch``)
    and whose conditions hold:

    - ``occurrence``: the row is the customer's k-th row matched by this touchpoint's
      patterns (whatever touchpoint those rows went to); ``first`` k == 1, ``repeat``
      k >= 2, a number n k == n, ``any`` always;
    - ``after: S``: an earlier row of the customer (in that order) went to a touchpoint of
      stage S, company-initiated or not.

    Returns a frame indexed like ``events`` with ``touchpoint``, ``stage`` and
    ``initiated_by`` (all None where no touchpoint takes the row).
    """
    _, tps = _touchpoint_rules(journey)
    df = events[[customer_col, time_col, event_col]].reset_index(drop=True)
    df = df.assign(_row=np.arange(len(df))).sort_values([customer_col, time_col, "_row"],
                                                        kind="stable")
    names = df[event_col].unique()
    usable = []
    for tp in tps:
        hits = {n: any(re.fullmatch(p, n) for p in tp["events"]) for n in names}
        matched = df[event_col].map(hits).astype(bool)
        k = matched.astype(int).groupby(df[customer_col]).cumsum()
        usable.append((matched & _occurrence_holds(tp["occurrence"], k)).to_numpy())
    usable = np.column_stack(usable) if usable else np.zeros((len(df), 0), bool)
    chosen = np.full(len(df), -1)
    reached: set = set()
    previous = None
    for i, customer in enumerate(df[customer_col].to_numpy()):
        if customer != previous:
            reached, previous = set(), customer
        for j in np.flatnonzero(usable[i]):
            after = tps[j]["after"]
            if after is None or after in reached:
                chosen[i] = j
                reached.add(tps[j]["stage"])
                break
    pick = lambda key: [tps[j][key] if j >= 0 else None for j in chosen]  # noqa: E731
    out = pd.DataFrame({"touchpoint": pick("name"), "stage": pick("stage"),
                        "initiated_by": pick("initiated_by")}, index=df["_row"].to_numpy())
    return out.sort_index().set_axis(events.index)


def funnel_with_occurrence(events: pd.DataFrame, journey, *, steps=None, level: str = "stage",
                           company: bool = True, customers=None, own_steps: bool = False,
                           customer_col: str = "customer_id",
                           time_col: str = "timestamp") -> pd.DataFrame:
    """Customers reaching each step in strict order, touchpoints taken as the journey says.

    Each row gets its touchpoint by :func:`conditional_touchpoints` (so ``order_placed`` can
    be a first order for a customer's first one and a repeat order for the later ones); then
    :func:`reached_steps` counts who reaches step k after step k-1 (ties in input order).

    ``steps`` are stage names (``level="stage"``, default: every stage in journey order),
    touchpoint names (``level="touchpoint"``) or event names (``level="event"``).
    ``company=False`` leaves company-initiated rows out of the funnel (they still count for
    ``after:``); ``customers`` restricts it to these ids. ``own_steps``: the one reach rule of
    D243 at every stage, the first included — a company-initiated row reaches its stage only
    when every touchpoint of that stage is the company's (touchpoint and event steps are taken
    as named). Returns ``step`` and ``n``, one row per step, in order, 0 for a step nobody
    reached.
    """
    stages, tps = _touchpoint_rules(journey)
    steps = list(stages if steps is None else steps)
    if customers is not None:   # touchpoints are per customer: filtering first changes nothing
        events = events[events[customer_col].isin(set(customers))]
    tagged = conditional_touchpoints(events, journey, customer_col=customer_col,
                                     time_col=time_col)
    ev = events.assign(touchpoint=tagged["touchpoint"], stage=tagged["stage"],
                       initiated_by=tagged["initiated_by"])
    if level != "event":
        ev = ev[ev[level].notna()]
    if not company:
        ev = ev[ev["initiated_by"] != "company"]
    if own_steps and level == "stage":
        acts = {tp["stage"] for tp in tps if tp["initiated_by"] != "company"}   # stages where customers act
        ev = ev[~((ev["initiated_by"] == "company") & ev["stage"].isin(acts))]
    reached = reached_steps(ev, steps, step_col=level, customer_col=customer_col,
                            time_col=time_col)
    return pd.DataFrame({"step": steps,
                         "n": [int(reached[s].sum()) if s in reached else 0 for s in steps]})
