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

__all__ = ["average_order_value", "value_at_stake", "total_value_at_stake"]


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
        averaged), ``value_at_stake``, ``value_assumptions`` (the computation in words),
        ``stake_parts`` (what the value covers: one dict per linked pain point and persona
        with the keys pain_point, persona, customers, lift, order_value, value, of — the
        customers the lift is measured on, e.g. "Budget Ben at Decision" — and population,
        their number) and ``stake_shared_with`` (ids of the other opportunities
        whose value rests on some of the same customers: their values overlap, so add them
        up with :func:`total_value_at_stake`, never with ``sum()``).

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
    rows, parts = [], []
    for idx, opp in opportunities.iterrows():
        affected = won = value = 0.0
        notes: list[str] = []
        covered: list[dict] = []
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
            for who, c, measured, of in _entries(row, n, lift_needed_col, per_persona=len(values) > 2):
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
                covered.append({"pain_point": str(pp), "persona": who or "all", "customers": c,
                                "lift": lift, "order_value": aov, "value": c * lift * aov,
                                "of": of[0], "population": of[1]})
                notes.append(f"{label}: {c:,.0f} customers × lift {lift:.3f} ({why}) × order "
                             f"value {aov:,.2f} ({aov_note})")
        notes.append(f"= {value:,.0f}")
        rows.append([affected, won, won / affected if affected else np.nan,
                     value / won if won else values["all"][0], value, notes])
        parts.append(covered)
    ids = opportunities["id"].tolist() if "id" in opportunities else list(opportunities.index)
    shared = _shared_with(ids, parts)
    for row, others in zip(rows, shared):
        if others:
            row[-1].insert(-1, f"shares customers with {', '.join(map(str, others))} (a total "
                               "counts them once)")
        row[-1] = "; ".join(row[-1])
    rows = [tuple(r) + (p, s) for r, p, s in zip(rows, parts, shared)]
    cols = ["customers_affected", "customers_won_back", "lift_needed", "order_value",
            "value_at_stake", "value_assumptions", "stake_parts", "stake_shared_with"]
    out = opportunities.copy()
    added = pd.DataFrame(rows, columns=cols, index=opportunities.index)
    for col in cols:
        out[col] = added[col] if len(added) else pd.Series(dtype=object)
    return out


def total_value_at_stake(backlog: pd.DataFrame, *, parts_col: str = "stake_parts") -> pd.DataFrame:
    """Value at stake of several opportunities together, each customer's value counted once.

    Two opportunities that relieve the same pain point (e.g. "show the fee early" and "lower
    the free-delivery threshold", both for the hidden fee) each claim the value of the same
    customers; adding their ``value_at_stake`` counts those customers twice. Here the value
    of each pain point's customers (per persona) is counted once: the union over the
    opportunities' ``stake_parts``, not their sum. Where the opportunities assume different
    lifts for the same customers, the largest is kept (no opportunity's own claim is cut).
    Pain points at one stage share its customers (the lift is measured on them): together
    they never count more customers than the stage has; beyond that their value is scaled
    down to it (value per customer claimed × customers there).

    Parameters
    ----------
    backlog : pandas.DataFrame
        Rows of :func:`value_at_stake` (or :func:`~jmtools.analyses.priorities.prioritise`),
        e.g. the whole backlog or the top few.
    parts_col : str, default "stake_parts"
        The column of :func:`value_at_stake` listing what each value covers.

    Returns
    -------
    pandas.DataFrame
        One row: ``value_at_stake`` (the union), ``value_summed`` (the plain sum, which counts
        shared customers once per opportunity), ``customers_affected`` (each counted once),
        ``n_opportunities`` (rows), ``n_pain_points`` (distinct pain points with a value).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["show-fees", "free-delivery"],
    ...                      "pain_points": [["hidden-fees"], ["hidden-fees"]]})
    >>> pps = pd.DataFrame({"pain_point_id": ["hidden-fees"], "customers_affected": [400],
    ...                     "lift_needed": [0.25]})
    >>> backlog = value_at_stake(opps, pps, order_value=80.0)
    >>> backlog["value_at_stake"].tolist(), backlog["stake_shared_with"].tolist()
    ([8000.0, 8000.0], [['free-delivery'], ['show-fees']])
    >>> total_value_at_stake(backlog)[["value_at_stake", "value_summed", "n_pain_points"]]
       value_at_stake  value_summed  n_pain_points
    0          8000.0       16000.0              1
    """
    if parts_col not in backlog.columns:
        raise ParameterError("parts_col", parts_col, expected="a column of the backlog",
                             fix="pass the output of value_at_stake() or prioritise(), which "
                                 "list what each value covers in 'stake_parts'")
    parts = _parts(backlog[parts_col])
    once = parts.sort_values("value", ascending=False, kind="stable").drop_duplicates(
        ["pain_point", "persona"])
    groups = once.groupby("of", sort=False).agg(value=("value", "sum"), customers=("customers", "sum"),
                                                population=("population", "max"))
    share = (groups["population"] / groups["customers"]).clip(upper=1.0)   # never more than all of them
    summed = float(backlog["value_at_stake"].fillna(0).sum()) if "value_at_stake" in backlog \
        else float(parts["value"].sum())
    return pd.DataFrame({"value_at_stake": [float((groups["value"] * share).sum())],
                         "value_summed": [summed],
                         "customers_affected": [float((groups["customers"] * share).sum())],
                         "n_opportunities": [int(len(backlog))],
                         "n_pain_points": [int(once["pain_point"].nunique())]})


def _parts(covered) -> pd.DataFrame:
    """The ``stake_parts`` of several opportunities as one frame, those with a value only."""
    parts = pd.DataFrame([part for items in covered for part in (items or [])],
                         columns=["pain_point", "persona", "customers", "lift", "order_value",
                                  "value", "of", "population"])
    return parts[parts["value"] > 0]


def _shared_with(ids: list, parts: list[list[dict]]) -> list[list]:
    """Per opportunity, the other opportunities whose value covers some of the same customers:
    the same pain point (and persona), or pain points on one population (a stage's customers)
    that together claim more customers than it has."""
    frame = _parts(parts)
    once = frame.drop_duplicates(["pain_point", "persona"])
    sizes = once.groupby("of").agg(customers=("customers", "sum"), population=("population", "max"))
    crowded = set(sizes.index[sizes["customers"] > sizes["population"] + 1e-6])
    keys = [{(p["pain_point"], p["persona"]) for p in covered if p["value"] > 0}
            | {p["of"] for p in covered if p["value"] > 0 and p["of"] in crowded}
            for covered in parts]
    return [[other for j, other in enumerate(ids) if j != i and mine & keys[j]]
            for i, mine in enumerate(keys)]


def _entries(row: pd.Series, n: float, lift_col: str, *, per_persona: bool):
    """(persona or None, customers, measured lift, (population, its size)) parts of one pain
    point's stake. The population is the customers the lift is measured on (the personas'
    customers at the pain point's stage), which pain points at one stage share; without a
    stage, the pain point's own customers (``row.name``: its id)."""
    stake = row.get("stake")
    stage = row.get("stage")
    stage = (f"'{row.name}'" if stage is None or (isinstance(stage, float) and math.isnan(stage))
             else str(stage))
    entries = stake if isinstance(stake, (list, tuple)) else []
    if per_persona and entries:
        return [(None if e["persona"] == "all" else e["persona"], float(e["customers"]), e.get("lift"),
                 (f"{e['persona']} at {stage}", float(e.get("population", e["customers"]))))
                for e in entries]
    who = "+".join(sorted(str(e["persona"]) for e in entries)) or "all"
    size = sum(float(e.get("population", e["customers"])) for e in entries) if entries else n
    measured = sum(float(e["customers"]) for e in entries)
    if n > measured and entries and all(e.get("lift") is not None for e in entries):
        # a lift measured on some of the customers affected (D228): valued on those it was measured on
        lift = sum(float(e["customers"]) * float(e["lift"]) for e in entries) / measured if measured else None
        return [(None, measured, lift, (f"{who} at {stage}", size))]
    return [(None, n, row.get(lift_col), (f"{who} at {stage}", size))]


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

