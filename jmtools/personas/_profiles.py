"""Persona profiles from data: size, attributes against the base, the features that differ most,
KPIs, typical events.

Every estimate carries its n and a 95% interval (:mod:`jmtools.core.stats`). The public names are
re-exported by :mod:`jmtools.personas`.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from jmtools.core.errors import whole_number
from jmtools.core.expressions import schema_of
from jmtools.core.patterns import compile_pattern
from jmtools.core.stats import bootstrap_ci, wilson_interval
from jmtools.core.vocabulary import IN_CUSTOMERS_TITLE
from jmtools.personas._identifiers import left_out_attributes
from jmtools.personas._assign import (NO_PERSONA, _check_ids, _is_ibis, _require_columns,
                                      _unwrap, assign_personas)  # noqa: F401  (used by the Examples)

__all__ = ["persona_sizes", "attribute_profile", "strongest_features", "persona_kpis",
           "typical_events", "KPI_FORMULAS"]


# ---------------------------------------------------------------------------------------------
# Profiles from data
# ---------------------------------------------------------------------------------------------

def _assignment_frame(assignment, customer_col: str):
    """pandas assignment with ``persona`` as a categorical that includes NO_PERSONA last."""
    import pandas as pd
    if _is_ibis(assignment):
        assignment = assignment.to_pandas()
    _require_columns(assignment, [customer_col, "persona"], "assignment")
    persona = assignment["persona"]
    names = list(persona.cat.categories) if isinstance(persona.dtype, pd.CategoricalDtype) \
        else list(dict.fromkeys(persona.dropna().astype(str)))
    names = [n for n in names if n != NO_PERSONA]
    if isinstance(persona.dtype, pd.CategoricalDtype) and list(persona.cat.categories) == names:
        labels = persona.cat.add_categories(NO_PERSONA).fillna(NO_PERSONA)  # fast path
    else:
        labels = pd.Categorical(persona.astype(object).where(persona.notna(), NO_PERSONA)
                                .astype(str), categories=names + [NO_PERSONA])
    return pd.DataFrame({customer_col: assignment[customer_col],
                         "persona": pd.Categorical(labels)}).reset_index(drop=True)


def persona_sizes(assignment, *, customer_col: str = "customer_id"):
    """Size and share of each persona, with a 95% Wilson interval on the share.

    Parameters
    ----------
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.

    Returns
    -------
    pandas.DataFrame
        ``persona`` (file order, then ``(no persona)``; personas with nobody stay as rows with
        n = 0), ``n``, ``share`` = n / total, ``ci_low``, ``ci_high``, ``total`` (the
        customers of the assignment: all customers in the customer table).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": list("abcd"), "age": [20, 25, 50, None]})
    >>> persona_sizes(assign_personas(df, {"Young": "age < 30", "Old": "age > 80"}))
            persona  n  share  ci_low  ci_high  total
    0         Young  2    0.5    0.15   0.8500      4
    1           Old  0    0.0    0.00   0.4899      4
    2  (no persona)  2    0.5    0.15   0.8500      4
    """
    import pandas as pd
    a = _assignment_frame(assignment, customer_col)
    counts = a["persona"].value_counts(sort=False).reindex(a["persona"].cat.categories,
                                                          fill_value=0)
    total = len(a)
    n = counts.to_numpy()
    low, high = wilson_interval(n, [total] * len(n))
    out = pd.DataFrame({"persona": pd.Categorical(counts.index, categories=counts.index),
                        "n": n.astype("int64"), "share": n / total if total else n * float("nan"),
                        "ci_low": low, "ci_high": high, "total": total})
    return out.round({"ci_low": 4, "ci_high": 4})


def _attribute_columns(customers, customer_col, attributes, skip=("cluster",)):
    if attributes is None:
        return [c for c in customers.columns if c != customer_col and c not in skip]
    _require_columns(customers, list(attributes), "customer")
    return list(attributes)


def attribute_profile(customers, assignment, *, customer_col: str = "customer_id",
                      attributes: Sequence[str] | None = None, max_levels: int = 8,
                      n_boot: int = 1000, seed: int = 0):
    """Each persona's attribute distributions against the whole customer base.

    Numbers get the persona mean (bootstrap 95% interval) and a standardised difference from
    the base mean; text and true/false attributes get the share of each level (Wilson 95%
    interval) and its lift over the base share.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer.
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.
    attributes : list of str, optional
        Which attributes; default all but the id (and ``cluster``). Identifiers and personal
        dates (:func:`~jmtools.personas.left_out_attributes`) are left out even when named:
        their levels would be single customers' values (D213).
    max_levels : int, default 8
        Text attributes keep their most frequent levels; the rest are pooled as ``(other)``.
    n_boot, seed : int
        Bootstrap resamples and seed for the intervals on means.

    Returns
    -------
    pandas.DataFrame
        One row per persona × attribute (× level): ``persona`` (with ``(no persona)``),
        ``attribute``, ``kind`` (``number``/``level``), ``level`` (None for numbers),
        ``n`` (persona customers with a value), ``value`` (mean, or share of the level),
        ``ci_low``, ``ci_high``, ``base_value`` (same statistic over all customers in the
        customer table),
        ``base_n``, ``difference`` (numbers: (mean − base mean) / base sd; levels:
        share − base share), ``lift`` (levels: share / base share; NaN for numbers).
        ``attrs["left_out"]``: the attributes left out, each with the reason
        (:func:`~jmtools.personas.left_out_note` says it in words).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": list("abcd"), "age": [20, 30, 50, 60],
    ...                    "region": ["n", "n", "s", "n"]})
    >>> a = assign_personas(df, {"Young": "age < 40", "Old": "age >= 40"})
    >>> p = attribute_profile(df, a)
    >>> p[p.persona == "Young"][["attribute", "level", "n", "value", "base_value", "lift"]]
      attribute level  n  value  base_value      lift
    0       age   NaN  2   25.0       40.00       NaN
    1    region     n  2    1.0        0.75  1.333333
    2    region     s  2    0.0        0.25  0.000000
    """
    import numpy as np
    import pandas as pd
    _check_ids(customers, customer_col)
    a = _assignment_frame(assignment, customer_col)
    cols = _attribute_columns(customers, customer_col, attributes)
    left_out = left_out_attributes(customers, customer_col=customer_col, attributes=cols,
                                   max_levels=max_levels)
    cols = [c for c in cols if c not in left_out]
    data = customers[[customer_col, *cols]].merge(a, on=customer_col, how="inner",
                                                  validate="one_to_one")
    kinds = schema_of(customers)
    rows = []
    for col in cols:
        values = data[col]
        if kinds.get(col) == "number":
            x = values.astype("float64")
            base = x.dropna()
            sd = base.std(ddof=1) if len(base) > 1 else np.nan
            for persona, grp in x.groupby(data["persona"], observed=False, sort=True):
                g = grp.dropna().to_numpy()
                mean = float(g.mean()) if g.size else np.nan
                low, high = bootstrap_ci(g, n_boot=n_boot, seed=seed)
                diff = (mean - base.mean()) / sd if sd and sd == sd and sd > 0 else np.nan
                rows.append((persona, col, "number", None, int(g.size), mean, low, high,
                             float(base.mean()) if len(base) else np.nan, int(len(base)),
                             diff, np.nan))
        else:
            if kinds.get(col) == "time":
                continue
            lv = values.astype(object).where(values.notna(), None)
            lv = lv.map(lambda v: None if v is None else str(v))
            top = lv.dropna().value_counts().index[:max_levels].tolist()
            lv = lv.where(lv.isin(top) | lv.isna(), "(other)")
            levels = top + (["(other)"] if (lv == "(other)").any() else [])
            has = lv.notna()
            base_n = int(has.sum())
            for persona, grp in lv.groupby(data["persona"], observed=False, sort=True):
                g = grp.dropna()
                for level in levels:
                    k, base_k = int((g == level).sum()), int((lv == level).sum())
                    share = k / len(g) if len(g) else np.nan
                    base_share = base_k / base_n if base_n else np.nan
                    low, high = wilson_interval(k, len(g))
                    rows.append((persona, col, "level", level, int(len(g)), share, low, high,
                                 base_share, base_n, share - base_share,
                                 share / base_share if base_share else np.nan))
    out = pd.DataFrame(rows, columns=["persona", "attribute", "kind", "level", "n", "value",
                                      "ci_low", "ci_high", "base_value", "base_n", "difference",
                                      "lift"])
    out["persona"] = pd.Categorical(out["persona"], categories=a["persona"].cat.categories)
    order = {c: i for i, c in enumerate(cols)}
    out = out.sort_values(["persona", "attribute"], key=lambda s: s.map(order)
                          if s.name == "attribute" else s, kind="stable").reset_index(drop=True)
    out.attrs["left_out"] = left_out
    return out


def strongest_features(profile, *, top: int = 12, feature_col: str = "feature",
                       difference_col: str = "difference"):
    """The features that set groups apart most: largest absolute difference in any group first.

    Parameters
    ----------
    profile : pandas.DataFrame
        One row per group and feature with a signed difference from the whole base, e.g.
        :attr:`jmtools.personas.ClusterSuggestion.profile` (``difference_col="z"``).
    top : int, default 12
        How many features to keep.
    feature_col : str, default "feature"
        Column naming the feature.
    difference_col : str, default "difference"
        Column of the difference from the base.

    Returns
    -------
    pandas.DataFrame
        ``feature_col`` and ``strength`` (the largest absolute difference over the groups;
        missing differences are skipped), strongest first; equal strengths keep the order in
        which the features first appear. At most ``top`` rows.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"cluster": [0, 0, 1, 1], "feature": ["age", "spend"] * 2,
    ...                      "z": [-0.4, 1.5, 2.0, -0.2]})
    >>> strongest_features(prof, difference_col="z")
      feature  strength
    0     age       2.0
    1   spend       1.5
    """
    whole_number("top", top, fix="pass e.g. 12")
    strength = profile.assign(strength=profile[difference_col].abs()).groupby(
        feature_col, sort=False)["strength"].max()
    return strength.sort_values(ascending=False, kind="stable").iloc[:top].reset_index()


#: Formulas shown with the KPIs.
KPI_FORMULAS = {
    "conversion": "customers with ≥ 1 order (or conversion event) ÷ customers",
    "order_value": "mean order amount (orders of the persona's customers)",
    "csat": "mean CSAT answer (1–5)",
    "csat_top2": "share of CSAT answers 4–5",
    "nps": "% promoters (9–10) − % detractors (0–6)",
    "ces": "mean effort answer (1–7, lower is easier)",
}


def persona_kpis(assignment, *, orders=None, surveys=None, events=None,
                 conversion_event: str | Sequence[str] | None = None,
                 customer_col: str = "customer_id", amount_col: str = "amount",
                 metric_col: str = "metric", score_col: str = "score", event_col: str = "event",
                 n_boot: int = 1000, seed: int = 0):
    """Key KPIs per persona — conversion, order value, CSAT, NPS, CES — with n and 95% intervals.

    Parameters
    ----------
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.
    orders : pandas.DataFrame, optional
        Canonical orders (``customer_id``, ``amount``): conversion (≥ 1 order) and order value.
    surveys : pandas.DataFrame, optional
        Canonical surveys (``metric`` in csat / nps / ces, ``score``).
    events : pandas.DataFrame, optional
        With ``conversion_event``: conversion = did that event at least once (used when
        ``orders`` is not given).
    conversion_event : str or list of str, optional

    Returns
    -------
    pandas.DataFrame
        One row per persona (file order, then ``(no persona)``, then ``All in the customer
        table`` — :data:`~jmtools.core.vocabulary.IN_CUSTOMERS_TITLE`: every customer of the
        assignment, i.e. of the customer table, not the customers with events missing from it)
        × KPI: ``persona``, ``kpi`` (``conversion``, ``order_value``, ``csat``, ``csat_top2``,
        ``nps``, ``ces`` — those the data allows), ``value``, ``n`` (customers for conversion;
        orders for order value; answers for surveys), ``ci_low``, ``ci_high`` (Wilson for
        shares, bootstrap for means and NPS), ``n_customers`` (distinct customers behind the
        value: the persona's for conversion, those with orders or answers otherwise),
        ``base_value`` (all in the customer table), ``formula``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": ["P", "P", None],
    ...                   "n_personas": [1, 1, 0]})
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "c"], "amount": [10.0, 30.0, 5.0]})
    >>> k = persona_kpis(a, orders=orders)
    >>> k[["persona", "kpi", "value", "n"]].round(3)
                         persona          kpi   value  n
    0                          P   conversion   0.500  2
    1                          P  order_value  20.000  2
    2               (no persona)   conversion   1.000  1
    3               (no persona)  order_value   5.000  1
    4  All in the customer table   conversion   0.667  3
    5  All in the customer table  order_value  15.000  3
    """
    import numpy as np
    import pandas as pd
    a = _assignment_frame(assignment, customer_col)
    groups = list(a["persona"].cat.categories) + [IN_CUSTOMERS_TITLE]
    member = {g: a.loc[a["persona"] == g, customer_col] for g in groups[:-1]}
    member[IN_CUSTOMERS_TITLE] = a[customer_col]
    rows = []
    converted = _converted(a, orders, events, conversion_event, customer_col, event_col)
    # Only the columns needed come back from the engine, once.
    od = _frame(orders, [customer_col, amount_col], "orders") if orders is not None else None
    sv = _frame(surveys, [customer_col, metric_col, score_col], "surveys") \
        if surveys is not None else None
    for g in groups:
        ids = member[g]
        if converted is not None:
            rows.append((*_share_row(g, "conversion", int(converted.reindex(ids).sum()), len(ids)), len(ids)))
        if od is not None:
            mine = od[od[customer_col].isin(ids)]
            rows.append((*_mean_row(g, "order_value", mine[amount_col].astype(float).to_numpy(), n_boot, seed),
                         int(mine[customer_col].nunique())))
        if sv is not None:
            rows.extend(_survey_rows(g, sv, ids, customer_col, metric_col, score_col,
                                     n_boot, seed))
    out = pd.DataFrame(rows, columns=["persona", "kpi", "value", "n", "ci_low", "ci_high", "n_customers"])
    out["persona"] = pd.Categorical(out["persona"], categories=groups)
    base = out[out.persona == IN_CUSTOMERS_TITLE].set_index("kpi")["value"]
    out["base_value"] = out["kpi"].map(base).astype(float)
    out["formula"] = out["kpi"].map(KPI_FORMULAS)
    out["value"] = out["value"].astype(float)
    return out.reset_index(drop=True)


def _frame(table, columns, what: str = "input"):
    """The named columns as a pandas frame (from pandas, an Ibis table or a LoadedTable)."""
    table = _unwrap(table)
    _require_columns(table, columns, what)
    if _is_ibis(table):
        return table.select(*columns).to_pandas()
    return table[columns]


def _converted(a, orders, events, conversion_event, customer_col, event_col):
    if orders is not None:
        who = set(_frame(orders, [customer_col], "orders")[customer_col])
    elif events is not None and conversion_event is not None:
        wanted = [conversion_event] if isinstance(conversion_event, str) else \
            list(conversion_event)
        ev = _frame(events, [customer_col, event_col], "events")
        who = set(ev.loc[ev[event_col].isin(wanted), customer_col])
    else:
        return None
    return a.set_index(a.columns[0])[[]].assign(c=lambda d: d.index.isin(list(who)))["c"]


def _share_row(group, kpi, k, n):
    low, high = wilson_interval(k, n)
    return (group, kpi, k / n if n else float("nan"), int(n), low, high)


def _mean_row(group, kpi, values, n_boot, seed, scale=1.0):
    import numpy as np
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    low, high = bootstrap_ci(values, n_boot=n_boot, seed=seed)
    return (group, kpi, float(values.mean()) if values.size else float("nan"), int(values.size),
            low, high)


def _survey_rows(group, surveys, ids, customer_col, metric_col, score_col, n_boot, seed):
    import numpy as np
    metrics = set(surveys[metric_col].dropna().unique())
    s = surveys[surveys[customer_col].isin(ids)]
    rows = []
    answered = s.dropna(subset=[score_col])
    who = {m: int(answered.loc[answered[metric_col] == m, customer_col].nunique()) for m in ("csat", "nps", "ces")}
    if "csat" in metrics:
        x = s.loc[s[metric_col] == "csat", score_col].astype(float).dropna().to_numpy()
        rows.append((*_mean_row(group, "csat", x, n_boot, seed), who["csat"]))
        rows.append((*_share_row(group, "csat_top2", int((x >= 4).sum()), x.size), who["csat"]))
    if "nps" in metrics:
        x = s.loc[s[metric_col] == "nps", score_col].astype(float).dropna().to_numpy()
        points = np.where(x >= 9, 100.0, np.where(x <= 6, -100.0, 0.0))
        rows.append((*_mean_row(group, "nps", points, n_boot, seed), who["nps"]))
    if "ces" in metrics:
        x = s.loc[s[metric_col] == "ces", score_col].astype(float).dropna().to_numpy()
        rows.append((*_mean_row(group, "ces", x, n_boot, seed), who["ces"]))
    return rows


def typical_events(events, assignment, *, customer_col: str = "customer_id",
                   event_col: str = "event", touchpoints: Mapping[str, str] | None = None,
                   min_customers: int = 5, top: int | None = 10):
    """The events (or touchpoints) most typical of each persona: reach and lift over the base.

    Reach = share of the persona's customers who did the event at least once; lift = reach ÷
    reach among all customers in the customer table (the assignment). Lift 2 means "twice as
    common as in the whole base".

    Parameters
    ----------
    events : pandas.DataFrame or ibis Table
        Canonical events (``customer_id``, ``event``), or any table with ``event_col``
        (e.g. a ``touchpoint`` column from the evidence table).
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.
    touchpoints : mapping touchpoint → regex, optional
        E.g. ``journey.touchpoint_regexes()``: events are mapped to touchpoints (full match,
        first touchpoint in order wins; unmatched events are dropped and counted in
        ``unmatched_events``) and the profile is by touchpoint.
    min_customers : int, default 5
        Hide items fewer persona customers did (small counts give wild lifts).
    top : int or None, default 10
        Keep the items with the highest lift per persona (None keeps all).

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``item`` (event or touchpoint), ``n`` (persona customers who did it),
        ``n_persona``, ``share``, ``ci_low``, ``ci_high`` (Wilson), ``base_n``, ``base_share``
        (all customers in the customer table), ``lift``, ``rank`` (1 = most typical). ``attrs["unmatched_events"]``
        counts events mapped to no touchpoint.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "persona": ["P", "P", "Q", "Q"],
    ...                   "n_personas": 1})
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d"],
    ...                    "event": ["app_open", "view", "app_open", "view", "view"]})
    >>> typical_events(ev, a, min_customers=1)[["persona", "item", "n", "share", "lift"]].round(3)
      persona      item  n  share   lift
    0       P  app_open  2    1.0  2.000
    1       P      view  1    0.5  0.667
    2       Q      view  2    1.0  1.333
    """
    whole_number("min_customers", min_customers, fix="pass e.g. 5: events of fewer customers are left out")
    if top is not None:
        whole_number("top", top, fix="pass e.g. 10, or None for all")
    import numpy as np
    import pandas as pd
    a = _assignment_frame(assignment, customer_col)
    pairs = _distinct_pairs(events, customer_col, event_col)
    unmatched = 0
    if touchpoints is not None:
        pairs, unmatched = _to_touchpoints(pairs, touchpoints, event_col)
    pairs = pairs.merge(a, on=customer_col, how="inner")
    total = len(a)
    base = pairs.groupby(event_col, observed=True)[customer_col].nunique()
    sizes = a["persona"].value_counts(sort=False)
    counts = pairs.groupby(["persona", event_col], observed=True)[customer_col].nunique()
    out = counts.rename("n").reset_index().rename(columns={event_col: "item"})
    out["n_persona"] = out["persona"].map(sizes).astype("int64")
    out["share"] = out["n"] / out["n_persona"]
    low, high = wilson_interval(out["n"].to_numpy(), out["n_persona"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    out["base_n"] = out["item"].map(base).astype("int64")
    out["base_share"] = out["base_n"] / total
    out["lift"] = out["share"] / out["base_share"]
    out = out[out["n"] >= min_customers]
    out = out.sort_values(["persona", "lift", "n", "item"], ascending=[True, False, False, True])
    out["rank"] = out.groupby("persona", observed=True).cumcount() + 1
    if top is not None:
        out = out[out["rank"] <= top]
    out = out.reset_index(drop=True)
    out.attrs["unmatched_events"] = int(unmatched)
    return out


def _distinct_pairs(events, customer_col, event_col):
    events = _unwrap(events)
    _require_columns(events, [customer_col, event_col], "events")
    if _is_ibis(events):
        return events.select(customer_col, event_col).distinct().to_pandas()
    return events[[customer_col, event_col]].drop_duplicates()


def _to_touchpoints(pairs, touchpoints, event_col):
    compiled = [(name, compile_pattern(rx, name=f"touchpoint {name!r} events"))
                for name, rx in touchpoints.items()]
    names = pairs[event_col].dropna().unique()
    lookup = {}
    for ev in names:
        lookup[ev] = next((tp for tp, rx in compiled if rx.fullmatch(str(ev))), None)
    mapped = pairs.assign(**{event_col: pairs[event_col].map(lookup)})
    unmatched = int(mapped[event_col].isna().sum())
    return mapped.dropna(subset=[event_col]).drop_duplicates(), unmatched
