"""Behaviour features of customers for suggested personas: attributes, the customer's own events
(counts, or per 30 days in the log where customers' time in it differs), orders and survey means.

:func:`behaviour_features` builds them; :func:`jmtools.personas.suggest_personas` clusters them.
The public names are re-exported by :mod:`jmtools.personas`.
"""

from __future__ import annotations

from typing import Sequence

from jmtools.core.errors import ParameterError
from jmtools.core.expressions import schema_of
from jmtools.core.patterns import compile_pattern
from jmtools.personas._assign import _check_ids, _unwrap
from jmtools.personas._cluster_summary import PER_30D
from jmtools.personas._identifiers import left_out_attributes
from jmtools.personas._profiles import _attribute_columns, _frame

__all__ = ["behaviour_features", "company_event_patterns", "TENURE_SPREAD", "ONCE_SHARE"]

#: Event counts become counts per 30 days in the log when the 25th percentile of customers' time
#: in the log is less than this share of the 75th (a count would then measure tenure).
TENURE_SPREAD = 0.5

#: An event whose customers do it at most once (this share of them) stays a count where counts
#: go per 30 days: a step reached or not (sign-up, install), not a rate.
ONCE_SHARE = 0.8


def behaviour_features(customers, *, events=None, orders=None, surveys=None,
                       customer_col: str = "customer_id", event_col: str = "event",
                       amount_col: str = "amount", metric_col: str = "metric",
                       score_col: str = "score", attributes: Sequence[str] | None = None,
                       max_levels: int = 8, min_event_customers: int = 5,
                       company_events: Sequence[str] = (), time_col: str = "timestamp",
                       per_time: bool | None = None):
    """One row per customer of attribute and behaviour features, ready for clustering.

    Features (raw, readable units; :func:`suggest_personas` scales them):

    - numeric attributes as they are; dates as ``<name>_days`` (days before the latest date);
      text and true/false attributes one-hot as ``<name>=<level>`` (most frequent
      ``max_levels`` levels);
    - ``event:<name>`` — how many times the customer did the event (events done by at least
      ``min_event_customers`` customers), and ``events_total``; where customers' time in the log
      differs (``per_time``), ``event:<name>_per_30d`` and ``events_total_per_30d`` instead: the
      count per 30 days from the customer's first event to the log's last;
    - ``orders_n``, ``order_value_mean`` (0 when no order);
    - ``<metric>_mean`` per survey metric (csat, nps, ces…).

    Events the company starts are not the customer's behaviour (a weekly push counts how long
    someone has been a customer): events whose name fully matches a pattern of
    ``company_events`` (e.g. :func:`company_event_patterns` of the journey: its touchpoints with
    ``initiated_by: company``), and rows an ``initiated_by`` column marks ``company``, are left
    out and named in ``attrs["skipped"]``.

    Missing numeric values are filled with the column median (and counted in
    ``attrs["filled"]``: feature → count). Text attributes that are identifiers, free text or
    personal dates (:func:`~jmtools.personas.left_out_attributes`, the rule the persona profile
    uses) are left out and listed in ``attrs["skipped"]`` with the reason.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer.
    events, orders, surveys : pandas.DataFrame or ibis Table, optional
        Canonical tables.
    company_events : list of str, default ()
        Regular expressions (whole event name) of events the company starts.
    time_col : str, default "timestamp"
        Event time, used for the time in the log (events without it: counts).
    per_time : bool, optional
        True: counts per 30 days in the log; False: counts; None (default): per 30 days when
        customers' time in the log differs — the 25th percentile is less than
        ``TENURE_SPREAD`` × the 75th (``attrs["time_in_log"]`` gives both quartiles).
    attributes, max_levels, min_event_customers
        Which customer attributes; levels kept per text attribute; events done by fewer
        customers are left out.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_col`` (customers' order), one float column per feature.
        ``attrs``: ``filled``, ``skipped`` (feature or attribute → reason), ``time_in_log``
        (days: 25th and 75th percentile, or None) and ``between`` (survey feature → the
        one-way analysis of its answers between customers: ``F``, ``p``, ``icc``, customers).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "age": [20, None], "app": [True, False]})
    >>> e = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["view", "view", "buy"]})
    >>> behaviour_features(c, events=e, min_event_customers=1)
                  age  app=True  app=False  event:buy  event:view  events_total
    customer_id
    a            20.0       1.0        0.0        0.0         2.0           2.0
    b            20.0       0.0        1.0        1.0         0.0           1.0
    """
    import numpy as np
    import pandas as pd
    _check_ids(customers, customer_col)
    ids = pd.Index(customers[customer_col], name=customer_col)
    kinds = schema_of(customers)
    parts, filled, skipped, between = [], {}, {}, {}
    cols = _attribute_columns(customers, customer_col, attributes)
    left_out = left_out_attributes(customers, customer_col=customer_col, attributes=cols,
                                   max_levels=max_levels)
    for col in cols:
        values = customers[col].set_axis(ids)
        kind = kinds.get(col)
        if kind == "number":
            parts.append(values.astype("float64").rename(col))
        elif kind == "time":
            days = (values.max() - values).dt.total_seconds() / 86400
            parts.append(days.rename(f"{col}_days"))
        elif kind in ("text", "bool"):
            lv = values.astype(object).where(values.notna(), None).map(
                lambda v: None if v is None else str(v))
            if col in left_out:
                skipped[col] = left_out[col]
                continue
            counts = lv.dropna().value_counts()
            for level in counts.index[:max_levels]:
                parts.append((lv == level).astype("float64").rename(f"{col}={level}"))
    spread = None
    if events is not None:
        ev, company = _own_events(events, customer_col, event_col, time_col, company_events)
        skipped.update(company)
        counts, spread = _event_features(ev, ids, customer_col, event_col, time_col, per_time,
                                         min_event_customers)
        if spread and counts.columns[-1].endswith(PER_30D):  # counts per time: drop a tenure date
            parts, tenure = _without_tenure(parts, counts.attrs["days"])
            skipped.update(tenure)
        parts.extend(counts[c] for c in counts.columns)
    if orders is not None:
        od = _frame(orders, [customer_col, amount_col], "orders")
        grp = od.groupby(customer_col)[amount_col]
        parts.append(grp.size().reindex(ids, fill_value=0).astype("float64").rename("orders_n"))
        parts.append(grp.mean().reindex(ids).fillna(0.0).astype("float64")
                     .rename("order_value_mean"))
    if surveys is not None:
        sv = _frame(surveys, [customer_col, metric_col, score_col], "surveys")
        means = sv.groupby([customer_col, metric_col])[score_col].mean().unstack()
        for metric in means.columns:
            parts.append(means[metric].reindex(ids).astype("float64").rename(f"{metric}_mean"))
            between[f"{metric}_mean"] = _between_customers(
                sv[sv[metric_col] == metric], customer_col, score_col)
    if not parts:
        raise ParameterError("customers", "no usable columns", expected="attributes, events, "
                             "orders or surveys to build features from")
    out = pd.concat(parts, axis=1)
    for col in out.columns:
        n_missing = int(out[col].isna().sum())
        if n_missing:
            filled[col] = n_missing
            median = out[col].median()
            out[col] = out[col].fillna(0.0 if np.isnan(median) else median)
    out.attrs["filled"] = filled
    out.attrs["skipped"] = skipped
    out.attrs["time_in_log"] = spread
    out.attrs["between"] = between
    return out


def company_event_patterns(journey) -> list[str]:
    """The event patterns of the journey's touchpoints that the company starts.

    Parameters
    ----------
    journey : jmtools.journey.Journey

    Returns
    -------
    list of str
        The ``events:`` patterns of every touchpoint with ``initiated_by: company``, in file
        order — what :func:`behaviour_features` leaves out as not the customer's behaviour.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey(name="x", stages=[{"name": "S"}], touchpoints=[
    ...     {"name": "Push", "stage": "S", "channel": "digital", "events": ["push_sent"],
    ...      "initiated_by": "company"},
    ...     {"name": "Open", "stage": "S", "channel": "digital", "events": ["app_open"]}])
    >>> company_event_patterns(j)
    ['push_sent']
    """
    return [p for t in journey.touchpoints if t.initiated_by == "company" for p in t.events]


def _own_events(events, customer_col, event_col, time_col, company_events):
    """The customer's own events (pandas) and the company's events left out, each with why."""
    table = _unwrap(events)
    extra = [c for c in (time_col, "initiated_by") if c in table.columns]
    ev = _frame(events, [customer_col, event_col, *extra], "events")
    company = ev["initiated_by"].astype(object).eq("company") if "initiated_by" in ev \
        else ev[event_col].isna() & False
    rx = [compile_pattern(p, name="company_events") for p in company_events]
    names = {n for n in ev[event_col].dropna().unique() if any(r.fullmatch(str(n)) for r in rx)}
    company = company | ev[event_col].isin(names)
    left = ev.loc[company, event_col].value_counts()
    why = {f"event:{name}": f"started by the company ({n:,} events): not the customer's behaviour"
           for name, n in left.items()}
    return ev.loc[~company], why


def _event_features(ev, ids, customer_col, event_col, time_col, per_time, min_customers):
    """Event counts per customer (and ``events_total``), per 30 days in the log where that is
    asked or customers' time in the log differs; an event nearly everyone does at most once
    (``ONCE_SHARE``) stays a count: it is reached or not, at any time."""
    counts = ev.groupby([customer_col, event_col]).size().unstack(fill_value=0)
    reach = (counts > 0).sum()
    counts = counts.loc[:, reach[reach >= min_customers].index]
    counts = counts.reindex(ids, fill_value=0).astype("float64")
    counts["events_total"] = ev.groupby(customer_col).size().reindex(ids, fill_value=0)
    days, spread = _time_in_log(ev, ids, customer_col, time_col)
    rate = days is not None and (per_time if per_time is not None
                                 else spread[0] < TENURE_SPREAD * spread[1])
    once = (counts == 1).sum() >= ONCE_SHARE * (counts > 0).sum()
    names = {}
    for c in counts.columns:
        per = rate and (c == "events_total" or not once[c])
        if per:
            counts[c] = counts[c] * 30 / days
        names[c] = ("" if c == "events_total" else "event:") + c + (PER_30D if per else "")
    counts = counts.rename(columns=names).astype("float64")
    counts.attrs["days"] = days
    return counts, spread


def _without_tenure(parts, days):
    """The feature parts without a date that says the customer's time in the log (|r| ≥ 0.9)."""
    keep, left = [], {}
    for part in parts:
        r = part.corr(days) if part.name.endswith("_days") else 0.0
        if abs(r) >= 0.9:
            left[part.name[:-len("_days")]] = (f"the customer's time in the log (r = {r:.2f} with "
                                               "the days since their first event): tenure, not behaviour")
        else:
            keep.append(part)
    return keep, left


def _time_in_log(ev, ids, customer_col, time_col):
    """Days from each customer's first event to the log's last (at least 1; 1 without events),
    and their 25th and 75th percentiles; (None, None) without event times."""
    import pandas as pd
    if time_col not in ev or not pd.api.types.is_datetime64_any_dtype(ev[time_col]) or ev.empty:
        return None, None
    first = ev.groupby(customer_col)[time_col].min()
    days = ((ev[time_col].max() - first).dt.total_seconds() / 86400).clip(lower=1.0)
    q = days.quantile([0.25, 0.75]).to_numpy()
    return days.reindex(ids).fillna(1.0), (round(float(q[0]), 1), round(float(q[1]), 1))


def _between_customers(answers, customer_col, score_col):
    """One-way analysis of survey answers between customers (those with 2 or more answers):
    F, its p value, the share of variance between customers (ICC(1)) and the customers used."""
    from scipy.stats import f as f_dist
    x = answers[[customer_col, score_col]].dropna()
    x = x[x.groupby(customer_col)[score_col].transform("size") >= 2]
    k, n = x[customer_col].nunique(), len(x)
    if k < 2 or n <= k:
        return None
    mean_i = x.groupby(customer_col)[score_col].transform("mean").astype(float)
    within = float(((x[score_col].astype(float) - mean_i) ** 2).sum()) / (n - k)
    between = float(((mean_i - mean_i.mean()) ** 2).sum()) / (k - 1)
    if within == 0:
        return {"F": float("inf"), "p": 0.0, "icc": 1.0, "customers": k}
    F = between / within
    icc = (F - 1) / (F - 1 + n / k)
    return {"F": round(F, 3), "p": float(f_dist.sf(F, k - 1, n - k)), "icc": round(icc, 3),
            "customers": k}
