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

__all__ = ["event_stages", "reached_steps", "stage_reach", "persona_labels"]


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
        hits = hits.merge(after.rename("_after"), left_on=customer_col, right_index=True)
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
