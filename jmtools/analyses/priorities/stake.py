"""Value at stake: the order value of a won-back customer, and the revenue each opportunity
could recover from the pain points it relieves.

The public names are re-exported by :mod:`jmtools.analyses.priorities`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jmtools.analyses.priorities.frameworks import _numbers
from jmtools.core.errors import DataError, ParameterError, Problem, whole_number
from jmtools.core.stats import bootstrap_ci

__all__ = ["average_order_value", "value_at_stake"]


def average_order_value(orders: pd.DataFrame, *, amount_col: str = "amount",
                        personas: pd.DataFrame | None = None, customer_col: str = "customer_id",
                        seed: int = 0) -> pd.DataFrame:
    """Mean order amount with n and a bootstrap 95% interval, overall and per persona.

    This is the order value of :func:`value_at_stake`: what one won-back customer is worth.

    Parameters
    ----------
    orders : pandas.DataFrame
        Canonical orders (``customer_id``, ``amount``).
    personas : pandas.DataFrame, optional
        ``customer_id``, ``persona``: adds one row per persona (orders of customers in no
        persona count only in ``"all"``).

    Returns
    -------
    pandas.DataFrame
        ``persona`` (``"all"`` first), ``order_value``, ``n`` (orders), ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "c"], "amount": [50.0, 70.0, 90.0]})
    >>> average_order_value(orders)[["persona", "order_value", "n"]]
      persona  order_value  n
    0     all         70.0  3
    >>> who = pd.DataFrame({"customer_id": ["a", "b"], "persona": ["Ben", "Ben"]})
    >>> average_order_value(orders, personas=who)[["persona", "order_value", "n"]]
      persona  order_value  n
    0     all         70.0  3
    1     Ben         60.0  2
    """
    whole_number("seed", seed, at_least=0, fix="pass any whole number from 0, e.g. 0")
    amounts = _numbers(orders.assign(id=range(len(orders))), amount_col, "amount")
    if amounts.dropna().empty:
        raise DataError([Problem("no order amounts to average", source="orders",
                                 column=amount_col, fix="load orders with an amount column")])
    groups = [("all", amounts.dropna())]
    if personas is not None:
        who = personas.drop_duplicates(customer_col).set_index(customer_col)["persona"]
        persona_of = orders[customer_col].map(who)
        for name in pd.unique(persona_of.dropna()):
            groups.append((str(name), amounts[(persona_of == name).to_numpy()].dropna()))
    rows = []
    for name, values in groups:
        low, high = bootstrap_ci(values.to_numpy(), seed=seed)
        rows.append((name, float(values.mean()) if len(values) else np.nan, int(values.size),
                     low, high))
    return pd.DataFrame(rows, columns=["persona", "order_value", "n", "ci_low", "ci_high"])


def value_at_stake(opportunities: pd.DataFrame, pain_points: pd.DataFrame, *,
                   order_value: float | pd.DataFrame, default_lift: float | None = None,
                   lift_col: str = "lift", id_col: str = "pain_point_id",
                   customers_col: str = "customers_affected",
                   lift_needed_col: str = "lift_needed") -> pd.DataFrame:
    """Revenue at stake per opportunity = Σ (customers affected × lift needed × order value).

    Parameters
    ----------
    opportunities : pandas.DataFrame
        From :func:`~jmtools.analyses.priorities.opportunities_frame`; each row's
        ``pain_points`` lists pain point ids. An optional ``lift`` score overrides the lift
        of every linked pain point (an assumption the team makes, e.g. "this fix wins back
        5 %").
    pain_points : pandas.DataFrame
        One row per pain point with ``pain_point_id``, ``customers_affected`` (customers
        who met it in the data) and ``lift_needed`` (share of them to win back to reach
        the baseline; missing when the signal is not a conversion, e.g. complaints). With
        a ``stake`` column (per persona ``{persona, customers, lift}``, as
        :func:`jmtools.analyses.painpoints.detect_pain_points` gives) and per-persona order values,
        each persona's customers are valued at that persona's order value.
    order_value : float or pandas.DataFrame
        The value of one won-back customer, or the frame of :func:`average_order_value`
        (its ``"all"`` row, and per-persona rows when present).
    default_lift : float, optional
        Lift assumed where neither the pain point nor the opportunity gives one. Without
        it, such pain points add nothing and the assumptions say so.

    Returns
    -------
    pandas.DataFrame
        A copy with ``customers_affected`` (sum over linked pain points; a customer who
        met two of them counts twice), ``customers_won_back``, ``lift_needed``
        (won back ÷ affected), ``order_value`` (value ÷ won back: the order value used,
        averaged), ``value_at_stake`` and ``value_assumptions`` (the computation in words).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["fees"], "pain_points": [["hidden-fees"]]})
    >>> pps = pd.DataFrame({"pain_point_id": ["hidden-fees"], "customers_affected": [400],
    ...                     "lift_needed": [0.25]})
    >>> out = value_at_stake(opps, pps, order_value=80.0)
    >>> float(out["value_at_stake"].iloc[0])     # 400 * 0.25 * 80
    8000.0
    """
    values = _order_values(order_value)
    for col in (id_col, customers_col):
        if col not in pain_points.columns:
            raise ParameterError(f"{'id' if col == id_col else 'customers'}_col", col,
                                 expected="a column of the pain points table",
                                 fix="pass the table of jmtools.analyses.painpoints.detect_pain_points")
    table = pain_points.set_index(id_col)
    override = (_numbers(opportunities, lift_col, "lift") if lift_col in opportunities
                else pd.Series(np.nan, opportunities.index))
    rows = []
    for idx, opp in opportunities.iterrows():
        affected = won = value = 0.0
        notes: list[str] = []
        for pp in opp["pain_points"] or []:
            if pp not in table.index:
                notes.append(f"'{pp}': not among the detected pain points, counted as 0")
                continue
            row = table.loc[pp]
            n = float(row[customers_col])
            if not n >= 0:
                notes.append(f"'{pp}': no count of the customers affected, counted as 0")
                continue
            affected += n
            for who, c, measured in _entries(row, n, lift_needed_col, per_persona=len(values) > 2):
                lift, why = _lift(override.at[idx], measured, row.get("lift_basis", ""),
                                  default_lift)
                label = f"'{pp}'" + (f" {who}" if who else "")
                if lift is None:
                    notes.append(f"{label}: {c:,.0f} customers, no lift estimate (set a 'lift' "
                                 "score or default_lift), counted as 0")
                    continue
                aov, aov_note = values.get(who, values["all"])
                won += c * lift
                value += c * lift * aov
                notes.append(f"{label}: {c:,.0f} customers × lift {lift:.3f} ({why}) × order "
                             f"value {aov:,.2f} ({aov_note})")
        notes.append(f"= {value:,.0f}")
        rows.append((affected, won, won / affected if affected else np.nan,
                     value / won if won else values["all"][0], value, "; ".join(notes)))
    cols = ["customers_affected", "customers_won_back", "lift_needed", "order_value",
            "value_at_stake", "value_assumptions"]
    out = opportunities.copy()
    added = pd.DataFrame(rows, columns=cols, index=opportunities.index)
    for col in cols:
        out[col] = added[col] if len(added) else pd.Series(dtype=object)
    return out


def _entries(row: pd.Series, n: float, lift_col: str, *, per_persona: bool):
    """(persona or None, customers, measured lift) parts of one pain point's stake."""
    stake = row.get("stake")
    if per_persona and isinstance(stake, (list, tuple)) and stake:
        return [(None if e["persona"] == "all" else e["persona"], float(e["customers"]),
                 e.get("lift")) for e in stake]
    return [(None, n, row.get(lift_col))]


def _order_values(order_value) -> dict:
    """persona (None = everybody) → (value, note)."""
    if isinstance(order_value, pd.DataFrame):
        frame = order_value if "persona" in order_value else order_value.assign(persona="all")
        out = {}
        for r in frame.itertuples():
            note = (f"mean of {int(r.n):,} orders" + ("" if r.persona == "all" else
                                                      f" of {r.persona}")
                    + f", 95% CI {r.ci_low:,.2f}–{r.ci_high:,.2f}")
            if r.n > 0:
                out["all" if r.persona == "all" else r.persona] = (float(r.order_value), note)
        if "all" not in out:
            raise ParameterError("order_value", "no 'all' row",
                                 expected="the frame of average_order_value()")
        out[None] = out["all"]
        return out
    value = float(order_value)
    if not value >= 0:
        raise ParameterError("order_value", order_value, expected="an amount ≥ 0")
    return {"all": (value, "given"), None: (value, "given")}


def _lift(override, measured, basis, default) -> tuple[float | None, str]:
    if override is not None and not pd.isna(override):
        return float(override), "assumed by the team"
    if measured is not None and not (isinstance(measured, float) and math.isnan(measured)) \
            and not pd.isna(measured):
        return float(measured), f"measured: {basis}" if basis else "measured"
    if default is not None:
        return float(default), "default lift, assumed"
    return None, ""

