"""Opportunities and their priority: impact–effort, RICE, ICE, value at stake, custom formulas.

An *opportunity* is something the business could change; it relieves one or more
pain points and has an owner, a status and a target date. Opportunities come from
the journey file (``opportunities:``) and can be added in a notebook with
:func:`add_opportunity`. Each scoring function adds columns to a copy of the
opportunities frame and never changes its input.

Formulas, as shown to users:

- **Impact–effort quadrant**: *high impact* means ``impact >= impact_threshold``,
  *high effort* means ``effort >= effort_threshold`` (thresholds default to the
  median over the opportunities scored). Quick win = high impact, low effort;
  big bet = high impact, high effort; fill-in = low impact, low effort;
  money pit = low impact, high effort.
- **RICE** = reach × impact × confidence ÷ effort, with impact on the scale
  3 (massive), 2 (high), 1 (medium), 0.5 (low), 0.25 (minimal), confidence a
  fraction (1.0, 0.8, 0.5 for 100/80/50 %) and effort in person-months.
- **ICE** = impact × confidence × ease, each on 1–10. A confidence given as a
  fraction (0–1, as RICE uses) is read as tenths: 0.8 → 8.
- **Value at stake** = Σ over the linked pain points of (customers affected ×
  lift needed) × order value: the revenue recovered if the pain point's customers
  behaved like the baseline. Customers affected and lift needed come from the
  detected pain points (:func:`jmtools.analyses.painpoints.detect_pain_points`), order value
  from the orders (:func:`average_order_value`); every input is listed in the
  ``value_assumptions`` column.
- **Custom formulas** over the score columns, e.g. ``"value_at_stake / effort"``,
  evaluated safely (arithmetic and a few functions only, see :func:`custom_score`).
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = [
    "OPPORTUNITY_COLUMNS", "QUADRANTS", "RICE_IMPACTS", "STATUSES",
    "opportunities_frame", "add_opportunity", "impact_effort", "rice", "ice",
    "average_order_value", "value_at_stake", "custom_score", "rank_backlog",
    "prioritise", "export_backlog", "write_back",
]

#: Columns every opportunities frame has, before its score columns.
OPPORTUNITY_COLUMNS = ["id", "title", "pain_points", "owner", "status", "target_date", "source"]

#: Opportunity statuses (same as the journey file).
STATUSES = ("idea", "planned", "in progress", "done", "dropped")

#: Impact–effort quadrants, in reading order.
QUADRANTS = ("quick win", "big bet", "fill-in", "money pit")

#: The RICE impact scale.
RICE_IMPACTS = (3.0, 2.0, 1.0, 0.5, 0.25)


# ------------------------------------------------------------------ opportunities
def opportunities_frame(journey) -> pd.DataFrame:
    """Opportunities of a journey as a frame, one row per opportunity, scores as columns.

    Parameters
    ----------
    journey : jmtools.journey.Journey or list of dict
        A loaded journey, or opportunity dicts shaped like the journey file.

    Returns
    -------
    pandas.DataFrame
        ``id, title, pain_points`` (list of pain point ids), ``owner, status,
        target_date`` (datetime.date or None), ``source`` ("journey file"), then one
        float column per score key found (``impact``, ``effort``, ``reach``…).

    Examples
    --------
    >>> opps = opportunities_frame([{"id": "show-fees", "title": "Show fees early",
    ...                              "pain_points": ["hidden-fees"],
    ...                              "scores": {"impact": 3, "effort": 2}}])
    >>> opps[["id", "status", "impact", "effort"]]
              id status  impact  effort
    0  show-fees   idea     3.0     2.0
    """
    items = journey.opportunities if hasattr(journey, "opportunities") else journey
    rows = []
    for item in items:
        d = item.model_dump() if hasattr(item, "model_dump") else dict(item)
        rows.append(_row(d, source="journey file"))
    return _frame(rows)


def _row(d: Mapping[str, Any], *, source: str) -> dict:
    scores = dict(d.get("scores") or {})
    clash = sorted(set(scores) & set(OPPORTUNITY_COLUMNS))
    if clash:
        raise ParameterError("scores", clash, expected="score names other than "
                             + ", ".join(OPPORTUNITY_COLUMNS),
                             fix=f"rename the score {clash[0]!r}")
    status = d.get("status") or "idea"
    if status not in STATUSES:
        raise ParameterError("status", status, expected=list(STATUSES))
    row = {"id": d["id"], "title": d.get("title", d["id"]),
           "pain_points": list(d.get("pain_points") or []), "owner": d.get("owner"),
           "status": status, "target_date": _date(d.get("target_date")), "source": source}
    row.update({k: float(v) for k, v in scores.items()})
    return row


def _date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError("target_date", value, expected="a date written YYYY-MM-DD") from None


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=None if rows else OPPORTUNITY_COLUMNS)
    for col in OPPORTUNITY_COLUMNS:
        if col not in frame:
            frame[col] = pd.Series([None] * len(frame), dtype=object)
    score_cols = [c for c in frame.columns if c not in OPPORTUNITY_COLUMNS]
    frame = frame[OPPORTUNITY_COLUMNS + score_cols]
    for col in ("pain_points", "target_date", "owner"):
        frame[col] = frame[col].astype(object)
    return frame.reset_index(drop=True)


def add_opportunity(opportunities: pd.DataFrame, *, id: str, title: str,
                    pain_points: Sequence[str] = (), owner: str | None = None,
                    status: str = "idea", target_date=None, **scores: float) -> pd.DataFrame:
    """Return a copy of ``opportunities`` with one more opportunity (added in the notebook).

    Parameters
    ----------
    opportunities : pandas.DataFrame
        From :func:`opportunities_frame`.
    id, title : str
        A unique slug and a short title.
    pain_points : list of str
        Ids of the pain points it relieves.
    owner, status, target_date
        Who, where it stands (one of :data:`STATUSES`) and by when (``YYYY-MM-DD``).
    **scores : float
        Scoring inputs, e.g. ``impact=2, effort=1, reach=800, confidence=0.8, ease=6``.

    Returns
    -------
    pandas.DataFrame
        The input rows and the new one (``source`` = "notebook").

    Examples
    --------
    >>> opps = opportunities_frame([])
    >>> opps = add_opportunity(opps, id="size-chart", title="Add a size chart",
    ...                        pain_points=["no-size-chart"], owner="PDP team",
    ...                        target_date="2027-01-31", impact=2, effort=1)
    >>> opps[["id", "owner", "source", "impact"]]
               id     owner    source  impact
    0  size-chart  PDP team  notebook     2.0
    """
    if id in set(opportunities["id"]):
        raise ParameterError("id", id, expected="an id not used by another opportunity",
                             fix="choose another id, or edit the existing row")
    new = _row({"id": id, "title": title, "pain_points": pain_points, "owner": owner,
                "status": status, "target_date": target_date, "scores": scores},
               source="notebook")
    rows = opportunities.to_dict("records") + [new]
    return _frame(rows)


# ------------------------------------------------------------------ frameworks
def _numbers(frame: pd.DataFrame, col: str, role: str) -> pd.Series:
    if col not in frame.columns:
        hint = suggest(col, [str(c) for c in frame.columns])
        raise ParameterError(f"{role}_col", col, expected="a column of the opportunities frame",
                             fix=(f"did you mean {hint!r}?" if hint else
                                  f"add '{col}' to the opportunity's scores in the journey file "
                                  f"or pass {role}_col=..."))
    return pd.to_numeric(frame[col], errors="coerce").astype(float)


def _check_range(values: pd.Series, frame: pd.DataFrame, col: str, low: float, high: float,
                 what: str, *, low_open: bool = False) -> None:
    bad = values.notna() & ((values <= low if low_open else values < low) | (values > high))
    if bad.any():
        ids = frame.loc[bad, "id"].astype(str).tolist()
        raise DataError([Problem(f"{int(bad.sum())} opportunities have {col} outside {what}: "
                                 f"{', '.join(ids[:5])} (got {values[bad].tolist()[:5]})",
                                 fix=f"use {what} for '{col}'", source="opportunities",
                                 column=col)])


def impact_effort(opportunities: pd.DataFrame, *, impact_col: str = "impact",
                  effort_col: str = "effort", impact_threshold: float | None = None,
                  effort_threshold: float | None = None) -> pd.DataFrame:
    """Place each opportunity in the impact–effort 2×2.

    Parameters
    ----------
    opportunities : pandas.DataFrame
        With numeric impact and effort columns.
    impact_col, effort_col : str
        Column roles.
    impact_threshold, effort_threshold : float, optional
        Where "high" starts (inclusive). Default: the median over the opportunities
        that have both scores.

    Returns
    -------
    pandas.DataFrame
        A copy with ``impact_threshold``, ``effort_threshold`` and ``quadrant`` (one of
        :data:`QUADRANTS`, or missing when a score is missing).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": list("abcd"), "impact": [3, 3, 1, 1], "effort": [1, 4, 1, 4]})
    >>> impact_effort(opps, impact_threshold=2, effort_threshold=2)["quadrant"].tolist()
    ['quick win', 'big bet', 'fill-in', 'money pit']
    """
    out = opportunities.copy()
    impact = _numbers(out, impact_col, "impact")
    effort = _numbers(out, effort_col, "effort")
    both = impact.notna() & effort.notna()
    it = float(impact[both].median()) if impact_threshold is None else float(impact_threshold)
    et = float(effort[both].median()) if effort_threshold is None else float(effort_threshold)
    high_i, high_e = impact >= it, effort >= et
    quadrant = np.select([high_i & ~high_e, high_i & high_e, ~high_i & ~high_e, ~high_i & high_e],
                         list(QUADRANTS), default="")
    out["impact_threshold"], out["effort_threshold"] = it, et
    out["quadrant"] = pd.Series(quadrant, index=out.index).where(both, None)
    return out


def rice(opportunities: pd.DataFrame, *, reach_col: str = "reach", impact_col: str = "impact",
         confidence_col: str = "confidence", effort_col: str = "effort") -> pd.DataFrame:
    """RICE score = reach × impact × confidence ÷ effort.

    Impact must be on the RICE scale (:data:`RICE_IMPACTS`), confidence a fraction in
    (0, 1] (80 % is 0.8), effort in person-months (> 0), reach ≥ 0 (people per period).

    Returns
    -------
    pandas.DataFrame
        A copy with a ``rice`` column (missing when an input is missing).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a"], "reach": [1200], "impact": [2], "confidence": [0.8],
    ...                      "effort": [3]})
    >>> float(rice(opps)["rice"].iloc[0])   # 1200 * 2 * 0.8 / 3
    640.0
    """
    out = opportunities.copy()
    reach = _numbers(out, reach_col, "reach")
    impact = _numbers(out, impact_col, "impact")
    confidence = _numbers(out, confidence_col, "confidence")
    effort = _numbers(out, effort_col, "effort")
    bad = impact.notna() & ~impact.isin(RICE_IMPACTS)
    if bad.any():
        ids = out.loc[bad, "id"].astype(str).tolist()
        raise DataError([Problem(f"RICE impact must be one of 3, 2, 1, 0.5, 0.25 — got "
                                 f"{impact[bad].tolist()[:5]} for {', '.join(ids[:5])}",
                                 fix="map your impact to the RICE scale, or pass impact_col= "
                                     "naming a column on that scale", source="opportunities",
                                 column=impact_col)])
    _check_range(confidence, out, confidence_col, 0, 1, "a fraction in (0, 1] (80% is 0.8)",
                 low_open=True)
    _check_range(effort, out, effort_col, 0, math.inf, "person-months > 0", low_open=True)
    _check_range(reach, out, reach_col, 0, math.inf, "a count ≥ 0")
    out["rice"] = reach * impact * confidence / effort
    return out


def ice(opportunities: pd.DataFrame, *, impact_col: str = "impact",
        confidence_col: str = "confidence", ease_col: str = "ease") -> pd.DataFrame:
    """ICE score = impact × confidence × ease, each on 1–10.

    A confidence in (0, 1] is a fraction and is read as tenths (0.8 → 8); the value used
    is shown in ``ice_confidence``. An impact written on the RICE scale (0.25–3, as a
    journey file may hold for both frameworks) is accepted as it is: the ranking keeps its
    order but ICE values are then smaller; give an ``ice_impact`` score on 1–10 (and pass
    ``impact_col="ice_impact"``; :func:`prioritise` does so when the column exists) for
    the classic scale.

    Returns
    -------
    pandas.DataFrame
        A copy with ``ice_confidence`` and ``ice`` (from 1 to 1000).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a", "b"], "impact": [8, 3], "confidence": [0.5, 9],
    ...                      "ease": [6, 10]})
    >>> ice(opps)[["ice_confidence", "ice"]].values.tolist()
    [[5.0, 240.0], [9.0, 270.0]]
    """
    out = opportunities.copy()
    impact = _numbers(out, impact_col, "impact")
    confidence = _numbers(out, confidence_col, "confidence")
    ease = _numbers(out, ease_col, "ease")
    confidence = confidence.where(~((confidence > 0) & (confidence <= 1)), confidence * 10)
    _check_range(impact, out, impact_col, 0, 10, "(0, 10] (ICE; RICE's 0.25–3 is accepted)",
                 low_open=True)
    for values, col in ((confidence, confidence_col), (ease, ease_col)):
        _check_range(values, out, col, 1, 10, "1–10 (ICE)")
    out["ice_confidence"] = confidence
    out["ice"] = impact * confidence * ease
    return out


# ------------------------------------------------------------------ value at stake
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
    from jmtools.core.stats import bootstrap_ci

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
        From :func:`opportunities_frame`; each row's ``pain_points`` lists pain point ids.
        An optional ``lift`` score overrides the lift of every linked pain point (an
        assumption the team makes, e.g. "this fix wins back 5 %").
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


# ------------------------------------------------------------------ custom formulas
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod,
           ast.FloorDiv: operator.floordiv}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_FUNCS = {"min": lambda *a: _reduce(np.fmin, a), "max": lambda *a: _reduce(np.fmax, a),
          "abs": np.abs, "log": np.log, "log10": np.log10, "sqrt": np.sqrt, "exp": np.exp,
          "round": lambda x, nd=0: np.round(x, int(nd))}


def _reduce(fn, args):
    if not args:
        raise ValueError("needs at least one argument")
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


def custom_score(opportunities: pd.DataFrame, formula: str, *, name: str = "custom") -> pd.DataFrame:
    """Add a score computed by a formula over the columns, evaluated safely.

    The formula may use numbers, column names, ``+ - * / // % **``, parentheses and the
    functions ``min, max, abs, log, log10, sqrt, exp, round``. Nothing else is evaluated
    (no attribute access, no other calls), so a formula from a journey file or a
    widget cannot run code.

    Parameters
    ----------
    opportunities : pandas.DataFrame
    formula : str
        For example ``"value_at_stake / effort"`` or ``"rice * min(ice / 100, 1)"``.
    name : str, default "custom"
        Name of the new column.

    Returns
    -------
    pandas.DataFrame
        A copy with the new column (float; division by zero gives ±inf or NaN).

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a", "b"], "impact": [3, 1], "effort": [2, 4]})
    >>> custom_score(opps, "impact * 10 / effort", name="ratio")["ratio"].tolist()
    [15.0, 2.5]
    """
    if not isinstance(formula, str) or not formula.strip():
        raise ParameterError("formula", formula, expected="a non-empty formula text")
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as err:
        raise ParameterError("formula", formula, expected="a valid arithmetic formula",
                             fix=f"check the formula near column {err.offset}") from None
    out = opportunities.copy()
    columns = {str(c): c for c in out.columns}
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _eval(tree.body, out, columns, formula)
    out[name] = pd.Series(np.broadcast_to(np.asarray(value, dtype=float), (len(out),)),
                          index=out.index)
    return out


def _eval(node, frame: pd.DataFrame, columns: dict, formula: str):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in columns:
            hint = suggest(node.id, list(columns))
            raise ParameterError("formula", formula, expected="names of numeric columns",
                                 fix=(f"unknown name {node.id!r}; did you mean {hint!r}?" if hint
                                      else f"unknown name {node.id!r}; columns are: "
                                      + ", ".join(columns)))
        return pd.to_numeric(frame[columns[node.id]], errors="coerce").to_numpy(dtype=float)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_eval(node.left, frame, columns, formula),
                                      _eval(node.right, frame, columns, formula))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand, frame, columns, formula))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in _FUNCS and not node.keywords:
        args = [_eval(a, frame, columns, formula) for a in node.args]
        try:
            return _FUNCS[node.func.id](*args)
        except (TypeError, ValueError) as err:
            raise ParameterError("formula", formula, expected="valid function arguments",
                                 fix=f"{node.func.id}(): {err}") from None
    what = (f"function {node.func.id!r}" if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) else type(node).__name__)
    raise ParameterError("formula", formula, expected="arithmetic over column names",
                         fix=f"{what} is not allowed; use + - * / // % **, parentheses and "
                             f"{', '.join(_FUNCS)}")


# ------------------------------------------------------------------ backlog
def rank_backlog(opportunities: pd.DataFrame, *, by: str | Sequence[str] = "value_at_stake",
                 ascending: bool = False) -> pd.DataFrame:
    """Sort by one or more score columns (best first) and number the rows.

    Missing scores go last; ties keep the input order.

    Returns
    -------
    pandas.DataFrame
        A sorted copy with ``rank`` (1 = do first) as the first column.

    Examples
    --------
    >>> opps = pd.DataFrame({"id": ["a", "b", "c"], "rice": [10.0, None, 30.0]})
    >>> rank_backlog(opps, by="rice")[["rank", "id"]].values.tolist()
    [[1, 'c'], [2, 'a'], [3, 'b']]
    """
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        _numbers(opportunities.assign(id=opportunities.get("id", pd.Series(dtype=object))),
                 key, "by")
    out = opportunities.sort_values(keys, ascending=ascending, na_position="last",
                                    kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def prioritise(opportunities: pd.DataFrame, pain_points: pd.DataFrame | None = None, *,
               order_value: float | pd.DataFrame | None = None,
               default_lift: float | None = None, formulas: Mapping[str, str] | None = None,
               by: str | Sequence[str] = "value_at_stake",
               impact_threshold: float | None = None,
               effort_threshold: float | None = None) -> pd.DataFrame:
    """Score opportunities with every framework whose inputs are present, then rank them.

    Runs :func:`impact_effort` (impact and effort), :func:`rice` (reach, impact,
    confidence, effort, impact on the RICE scale), :func:`ice` (impact, confidence,
    ease, all on 1–10), :func:`value_at_stake` (when ``pain_points`` and
    ``order_value`` are given), each formula of ``formulas`` (name → formula) and
    :func:`rank_backlog` by ``by``. A framework whose inputs are all missing is skipped.

    Returns
    -------
    pandas.DataFrame
        The ranked backlog.

    Examples
    --------
    >>> opps = opportunities_frame([
    ...     {"id": "a", "title": "A", "scores": {"impact": 2, "effort": 1, "reach": 100,
    ...                                          "confidence": 0.5}},
    ...     {"id": "b", "title": "B", "scores": {"impact": 1, "effort": 4, "reach": 900,
    ...                                          "confidence": 1.0}}])
    >>> prioritise(opps, by="rice")[["rank", "id", "rice", "quadrant"]]
       rank id   rice   quadrant
    0      1  b  225.0  money pit
    1      2  a  100.0  quick win
    """
    out = opportunities.copy()

    def has(*cols):
        return all(c in out.columns and out[c].notna().any() for c in cols)

    if has("impact", "effort"):
        out = impact_effort(out, impact_threshold=impact_threshold,
                            effort_threshold=effort_threshold)
    if has("reach", "impact", "confidence", "effort"):
        out = rice(out)
    ice_impact = "ice_impact" if has("ice_impact") else "impact"
    if has(ice_impact, "confidence", "ease"):
        out = ice(out, impact_col=ice_impact)
    if pain_points is not None and order_value is not None:
        out = value_at_stake(out, pain_points, order_value=order_value, default_lift=default_lift)
    for name, formula in (formulas or {}).items():
        out = custom_score(out, formula, name=name)
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in out.columns]
    if missing:
        raise ParameterError("by", missing[0], expected=[c for c in out.columns
                                                         if pd.api.types.is_numeric_dtype(out[c])],
                             fix="rank by a score that was computed (give its inputs), "
                                 "e.g. by='rice'")
    return rank_backlog(out, by=keys)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists → '; '-joined text and dates → ISO text, for CSV and spreadsheets."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple))
                                    else v.isoformat() if isinstance(v, dt.date) else v)
    return out


def export_backlog(backlog: pd.DataFrame, path: str | Path) -> Path:
    """Write the ranked backlog to CSV or Excel (by the file suffix).

    Lists (linked pain points) are written as ``a; b`` and dates as ``YYYY-MM-DD``. An Excel
    file gets a second sheet, ``formulas``, stating every formula and threshold used.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, os
    >>> opps = pd.DataFrame({"rank": [1], "id": ["a"], "pain_points": [["x", "y"]]})
    >>> p = export_backlog(opps, os.path.join(tempfile.mkdtemp(), "backlog.csv"))
    >>> pd.read_csv(p)["pain_points"].tolist()
    ['x; y']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    flat = _flat(backlog)
    if suffix == ".csv":
        flat.to_csv(path, index=False)
    elif suffix in (".xlsx", ".xlsm"):
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            flat.to_excel(xl, sheet_name="backlog", index=False)
            _formulas(backlog).to_excel(xl, sheet_name="formulas", index=False)
            _autowidth(xl.sheets["backlog"], flat)
    else:
        raise ParameterError("path", str(path), expected="a file name ending in .csv or .xlsx")
    return path


def _formulas(backlog: pd.DataFrame) -> pd.DataFrame:
    rows = [("rank", "1 = do first, by the ranking score")]
    if "quadrant" in backlog:
        rows.append(("quadrant", "high impact: impact >= {:g}; high effort: effort >= {:g}; "
                     "quick win / big bet / fill-in / money pit".format(
                         backlog["impact_threshold"].iloc[0], backlog["effort_threshold"].iloc[0])))
    if "rice" in backlog:
        rows.append(("rice", "reach × impact × confidence ÷ effort (impact 3/2/1/0.5/0.25, "
                     "confidence 0–1, effort person-months)"))
    if "ice" in backlog:
        rows.append(("ice", "impact × confidence × ease, each 1–10 (confidence 0–1 read as tenths)"))
    if "value_at_stake" in backlog:
        rows.append(("value_at_stake", "Σ linked pain points (customers affected × lift needed) "
                     "× order value; see value_assumptions per row"))
    return pd.DataFrame(rows, columns=["score", "formula"])


def _autowidth(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    for i, col in enumerate(frame.columns, start=1):
        longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))


#: Score columns written back into the journey file's ``scores`` by default.
_WRITE_BACK = ("rice", "ice", "value_at_stake", "customers_affected", "lift_needed", "rank")


def write_back(backlog: pd.DataFrame, journey, *, path: str | Path | None = None,
               scores: Iterable[str] = _WRITE_BACK):
    """Write the backlog into the journey file: new opportunities, owners, statuses, scores.

    The journey is loaded (when a path is given), updated through
    :class:`jmtools.journey.Journey` and saved, so comments and key order in the file
    survive. Opportunities added in the notebook are appended; existing ones get their
    owner, status, target date and linked pain points from the backlog, and the score
    columns named in ``scores`` are merged into their ``scores`` mapping.

    Parameters
    ----------
    backlog : pandas.DataFrame
        From :func:`prioritise` (or any opportunities frame).
    journey : jmtools.journey.Journey or path
        The journey to update. A Journey object is not modified; a copy is saved.
    path : path, optional
        Where to save; default the journey's own file.
    scores : iterable of str
        Computed columns to store in each opportunity's ``scores``.

    Returns
    -------
    jmtools.journey.Journey
        The saved journey.
    """
    from jmtools.journey import Journey, Opportunity

    j = Journey.load(journey) if isinstance(journey, (str, Path)) else journey.model_copy(deep=True)
    keep = [c for c in scores if c in backlog.columns]
    rows = {row["id"]: row for row in backlog.to_dict("records")}
    updated = []
    for old in j.opportunities:  # file order is kept, so the diff stays small
        row = rows.pop(old.id, None)
        updated.append(old if row is None else _merged(old.model_dump(exclude_unset=True),
                                                       row, keep, inputs=old.scores))
    added = [_merged({}, row, keep, inputs=_INPUTS) for row in rows.values()]
    j.opportunities = [Opportunity.model_validate(o) if isinstance(o, dict) else o
                       for o in updated + added]
    j.save(path)
    return j


def _merged(base: dict, row: dict, keep: list[str], *, inputs) -> dict:
    scores = dict(base.get("scores") or {})
    scores.update({k: float(row[k]) for k in inputs if k in row and _is_number(row[k])})
    scores.update({c: float(row[c]) for c in keep if _is_number(row[c])})
    base = {**base, "id": row["id"], "title": row["title"],
            "pain_points": list(row["pain_points"] or []), "status": row["status"],
            "scores": scores}
    for key in ("owner", "target_date"):
        value = row.get(key)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            base[key] = value
    return base


#: Score inputs of an opportunity added in a notebook that are stored with it.
_INPUTS = ("impact", "effort", "reach", "confidence", "ease", "lift")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(float(value))
