"""How a report words value at stake: what each opportunity's value covers, and the backlog's
total with each customer counted once.

Opportunities that relieve the same pain point, or pain points at one stage, claim the same
customers; their values are each true for one fix alone but must not be added up
(:func:`jmtools.analyses.priorities.total_value_at_stake`). The table says which opportunities
share customers, a line under it gives the union, and the headline's share is of the union.

Examples
--------
>>> import pandas as pd
>>> from jmtools.analyses.priorities import value_at_stake
>>> opps = pd.DataFrame({"rank": [1, 2], "id": ["show-fees", "free-delivery"],
...                      "pain_points": [["hidden-fees"], ["hidden-fees"]]})
>>> pps = pd.DataFrame({"pain_point_id": ["hidden-fees"], "stage": ["Decision"],
...                     "customers_affected": [400], "lift_needed": [0.25]})
>>> backlog = value_at_stake(opps, pps, order_value=80.0)
>>> stake_cells(backlog).tolist()
['8,000 · shares customers with #2', '8,000 · shares customers with #1']
>>> stake_share(backlog, 8000.0)
' (100% of the 8,000 at stake across all 2 opportunities, each customer counted once; shares customers with #2)'
>>> stake_total(backlog)[:76]
'Value at stake across all 2 opportunities: 8,000, each customer counted once'

Without a lift to win back, a value at stake is not estimated (not 0):

>>> unknown = value_at_stake(opps.head(1), pps.assign(lift_needed=float("nan")), order_value=80.0)
>>> stake_cells(unknown).tolist()
['not estimated (no lift)']
>>> stake_total(unknown)[:73]
'Value at stake across the 1 opportunity: not estimated — no pain point it'
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, count_words
from jmtools.analyses.priorities import total_value_at_stake
from jmtools.report.present import number
from jmtools.report.wording import listed, percent

__all__ = ["same_customers", "stake_cells", "stake_total", "stake_share", "order_values_used"]


def same_customers(backlog) -> list[list[str]]:
    """Per opportunity of ``backlog``, the others whose value at stake rests on the same
    customers, by rank (``"#2"``; by id when the backlog has no rank).

    Examples
    --------
    >>> import pandas as pd
    >>> same_customers(pd.DataFrame({"rank": [1, 2, 3], "id": ["a", "b", "c"],
    ...                              "stake_shared_with": [["b"], ["a"], []]}))
    [['#2'], ['#1'], []]
    """
    rank = dict(zip(backlog["id"], backlog["rank"])) if "rank" in backlog else {}
    shared = backlog["stake_shared_with"] if "stake_shared_with" in backlog else [[]] * len(backlog)
    return [[f"#{rank[o]}" if o in rank else str(o) for o in (others or [])] for others in shared]


def stake_cells(backlog: pd.DataFrame) -> pd.Series:
    """Each value at stake with what it covers: the ranks of the opportunities resting on the
    same customers ("26,099 · shares customers with #2")."""
    estimated = _estimated(backlog)
    return pd.Series([(number(v, digits=0) if known else "not estimated (no lift)")
                      + (f" · shares customers with {listed(same)}" if same else "")
                      for v, known, same in zip(backlog["value_at_stake"], estimated, same_customers(backlog))],
                     index=backlog.index)


def _estimated(backlog) -> list[bool]:
    """Per opportunity, whether a value at stake was estimated: some pain point it relieves has
    customers and a lift (``stake_parts``); a 0 without one is unknown, not nothing (D181)."""
    if "stake_parts" not in backlog:
        return [True] * len(backlog)
    return [bool(parts) or v != 0 for parts, v in zip(backlog["stake_parts"], backlog["value_at_stake"])]   # NaN != 0


def _all(n: int) -> str:
    return "the 1 opportunity" if n == 1 else f"all {n:,} opportunities"


def stake_total(backlog: pd.DataFrame) -> str:
    """The backlog's value at stake with each customer counted once, and why the column adds
    up to more."""
    total = total_value_at_stake(backlog).iloc[0]
    if not any(_estimated(backlog)):
        return (f"Value at stake across {_all(len(backlog))}: not estimated — no pain point "
                f"{'it relieves' if len(backlog) == 1 else 'they relieve'} has a lift to win back (each "
                "opportunity's assumptions say how to give one).")
    text = (f"Value at stake across {_all(len(backlog))}: {number(total['value_at_stake'], digits=0)}, "
            f"each customer counted once ({number(total['customers_affected'], digits=0)} customers of "
            f"{int(total['n_pain_points'])} pain point{'' if int(total['n_pain_points']) == 1 else 's'}).")
    if total["value_summed"] > total["value_at_stake"] + 0.5:
        text += (f" Opportunities that relieve the same pain point, or pain points at one stage, claim "
                 f"the same customers, so the column adds up to more ({number(total['value_summed'], digits=0)}).")
    return text


def stake_share(backlog, value: float) -> str:
    """The first item's ``value`` as a share of the backlog's, each customer counted once (the
    headline's words): the total is the union
    (:func:`~jmtools.analyses.priorities.total_value_at_stake`), and the opportunities sharing
    the first item's customers are named by rank; empty for a backlog without ``stake_parts``.
    """
    if "stake_parts" not in backlog:
        return ""
    total = float(total_value_at_stake(backlog)["value_at_stake"].iloc[0])
    same = same_customers(backlog)[0]
    text = (f" ({percent(value / total, digits=0)} of the {total:,.0f} at stake across "
            f"{_all(len(backlog))}, each customer counted once")
    if same:
        text += f"; shares customers with {listed(same)}"
    return text + ")"


def order_values_used(order_value: pd.DataFrame, backlog: pd.DataFrame | None = None,
                      persona: str = "all") -> str:
    """The order values a report's value at stake rests on, in one sentence: each persona's
    own mean order for its customers (the personas of the backlog's ``stake_parts``), else
    the focus's own, else the mean over all orders. A mean of fewer than ``MIN_GROUP`` (5)
    orders is named without its number.

    Parameters
    ----------
    order_value : pandas.DataFrame
        :func:`jmtools.analyses.priorities.average_order_value`: ``persona`` (``"all"``
        first), ``order_value``, ``n`` (orders), ``ci_low``, ``ci_high``.
    backlog : pandas.DataFrame, optional
        The ranked backlog; its ``stake_parts`` say whose order value each part used.
    persona : str, default "all"
        The report's focus.

    Returns
    -------
    str

    Examples
    --------
    >>> aov = pd.DataFrame({"persona": ["all", "Ben", "Maya"], "order_value": [70.0, 60.0, 90.0],
    ...                     "n": [30, 20, 3], "ci_low": [60.0, 50.0, 80.0], "ci_high": [80.0, 70.0, 99.0]})
    >>> order_values_used(aov)
    'Average order value used: 70.00 (95% CI 60.00–80.00, n=30 orders).'
    >>> order_values_used(aov, persona="Ben")
    "Average order value used: 60.00 (95% CI 50.00–70.00, n=20 orders of Ben's customers)."
    >>> parts = [[{"persona": "Ben", "value": 5.0}, {"persona": "Maya", "value": 2.0}]]
    >>> order_values_used(aov, pd.DataFrame({"stake_parts": parts}))
    "Average order value used, each persona's own for its customers: Ben 60.00 (95% CI 50.00–70.00, n=20 orders); Maya: fewer than 5 orders, not shown."
    """
    rows = order_value.set_index("persona")
    used = [p["persona"] for parts in (backlog["stake_parts"] if backlog is not None and "stake_parts" in backlog
                                       else []) for p in (parts or []) if p.get("value", 0)]
    names = [p for p in dict.fromkeys(used) if p in rows.index and p != "all"]

    def said(name: str, whose: str = "") -> tuple[bool, str]:
        r = rows.loc[name]
        if 0 < int(r["n"]) < MIN_GROUP:
            return False, f"{count_words(r['n'])} orders, not shown"
        return True, (f"{number(float(r['order_value']), digits=2)} (95% CI {number(float(r['ci_low']), digits=2)}–"
                      f"{number(float(r['ci_high']), digits=2)}, n={int(r['n']):,} orders{whose})")

    if names and (persona == "all" or names != [persona]):
        shown = [(n, *said(n)) for n in names]
        return ("Average order value used, each persona's own for its customers: "
                + "; ".join(f"{n}{' ' if known else ': '}{text}" for n, known, text in shown) + ".")
    if persona != "all" and persona in rows.index:
        whose = f" of {persona}'s customers"
        return f"Average order value used: {said(persona, whose)[1]}."
    return f"Average order value used: {said('all')[1]}."
