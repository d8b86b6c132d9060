"""The strict ordered funnel and the furthest step each customer reaches.

A customer reaches step *k* when they have events e1 < e2 < … < ek in time order with step *j*
at event ej, each the first occurrence after the previous step (:func:`funnel`);
:func:`furthest_stage` counts customers by the last step they reach. The per-step reach built
here is shared with :func:`~jmtools.analyses.funnels.time_between_stages`.
"""

from __future__ import annotations

import decimal
import warnings

import pandas as pd

from jmtools.analyses.funnels._common import (_by_list, _check_evidence, _company_rows, _complete,
                                              _contact_stages, _groups, _level_col, _order_groups, _steps,
                                              _table, _wilson, step_columns)
from jmtools.core.engine import kept_answer, to_pandas

__all__ = ["funnel", "furthest_stage", "customer_reach", "off_funnel_reach"]


def _step_filter(evidence, t, col, step):
    """Rows of ``t`` at one step: on the stored codes where the evidence has them."""
    if t is getattr(evidence, "narrow", None):
        if col == "stage":
            return t.stage_index == evidence.stages.index(step) + 1
        if col == "touchpoint":
            return t._tp == list(evidence.touchpoints).index(step) + 1
        if col == "event":
            return t._ev == list(evidence.event_names).index(step) + 1
    return t[col] == step


def _reach(evidence, steps, level, by, contacts=False):
    """Per step k, the customers who reach it: customer_id, by…, p (position), t (timestamp), _pt.

    Reads the stored narrow table (:attr:`Evidence.core`) with integer stage, touchpoint and
    event codes when there is one. The one rule of what reaches a stage (D243): at a stage with a
    touchpoint where customers act, only the customer's own step; at a stage whose every
    touchpoint is the company's (a payment, a closure), the company's contact (D177) — at every
    step, the first included: a customer whom only a mailing met at the first stage is in no
    step. A step that names a touchpoint or an event is taken as named. In a log of dates only, a
    stage's step on the day the step before was reached counts as after it (journey order within
    a day): the day's order puts a repeat order at its earliest stage, before the reminder click
    that reached the stage before it. ``contacts=True``: a contact the company started reaches
    any stage, as before D243 — only to count whom the rule leaves out.
    """
    t = _table(evidence, by)
    pairs = step_columns(evidence, steps) if level == "any" else [(_level_col(level), s) for s in steps]
    company = None if contacts else _company_rows(evidence, t)
    contact = _contact_stages(evidence)      # reached by the company's contact alone: a bill (D177)
    keys = ["customer_id", *by]
    days = getattr(evidence, "dates_only", None) is not None
    reached = []
    prev = None
    for col, step in pairs:
        at = _step_filter(evidence, t, col, step)
        own = ~company if company is not None and col == "stage" and step not in contact else None
        s = t.filter(at & own if own is not None else at)
        if prev is None:
            r = s.group_by(keys).agg(p=s.position.min(), t=s.timestamp.min())
        else:
            pr = prev.select(_c=prev.customer_id, _pp=prev.p, _pt=prev.t)
            j = s.join(pr, s.customer_id == pr._c)
            if days and col == "stage":  # dates only: a stage's step that day came after the step before
                j = j.filter(lambda x: (x.position > x._pp) | (x.timestamp == x._pt))
            else:
                j = j.filter(lambda x: x.position > x._pp)
            r = j.group_by(keys).agg(p=j.position.min(), t=j.timestamp.min(), _pt=j._pt.min())
        reached.append(r)
        prev = r
    return reached


def _contact_only_counts(evidence, steps: list, level: str, by: list) -> pd.DataFrame:
    """Per group and step (``step``, ``n_funnel``, ``n_contact_only``): the customers the funnel
    counts there, and those who got a contact the company started there but took no step of their
    own, whom it does not (:func:`~jmtools.analyses.compare.company_only_reach`, D243): one engine
    query per step, unioned."""
    import ibis

    steps, by = _steps(evidence, steps, level), _by_list(evidence, by)
    reach = _reach(evidence, steps, level, by)
    parts = []
    for k, r in enumerate(reach, start=1):
        counted = r.group_by(by).agg(n=r.count()) if by else r.agg(n=r.count())
        parts.append(counted.mutate(step_index=ibis.literal(k, "int64"), what=ibis.literal("n_funnel")))
        left = _contacted_not_counted(evidence, steps, level, by, reach, k)
        if left is not None:
            missed = left.group_by(by).agg(n=left.count()) if by else left.agg(n=left.count())
            parts.append(missed.mutate(step_index=ibis.literal(k, "int64"), what=ibis.literal("n_contact_only")))
    both = to_pandas(ibis.union(*[p.select(*by, "step_index", "what", "n") for p in parts]))
    wide = both.pivot_table(index=[*by, "step_index"], columns="what", values="n", aggfunc="sum", dropna=False)
    wide = wide.reindex(columns=["n_funnel", "n_contact_only"]).reset_index()
    out = _complete(evidence, wide, by, steps, _groups(evidence, by), ["n_funnel", "n_contact_only"])
    return out[[*by, "step", "n_funnel", "n_contact_only"]].reset_index(drop=True)


def _contacted_not_counted(evidence, steps: list, level: str, by: list, reach: list, k: int):
    """The customers (customer_id, by…) counted at step ``k − 1`` (anyone at the first) who got a
    contact the company started at stage ``k`` after it, and whom the funnel does not count at
    ``k``; None where nobody can be: a step that is no stage, or a stage where only the company
    acts (its contact is their step there, D177)."""
    col, step = step_columns(evidence, [steps[k - 1]])[0] if level == "any" else (level, steps[k - 1])
    t = _table(evidence, by)
    company = _company_rows(evidence, t)
    if company is None or col != "stage" or step in _contact_stages(evidence):
        return None
    sent = t.filter(_step_filter(evidence, t, "stage", step) & company)
    if k > 1:
        before = reach[k - 2].select(_c=reach[k - 2].customer_id, _pp=reach[k - 2].p)
        sent = sent.join(before, sent.customer_id == before._c).filter(lambda x: x.position > x._pp)
    sent = sent.select("customer_id", *by).distinct()
    here = reach[k - 1].select(_c=reach[k - 1].customer_id)
    return sent.anti_join(here, sent.customer_id == here._c)


#: Seconds a time is at least counted as on the log scale (``mean_log_s``, ``sd_log``): a minute.
MIN_LOG_S = 60.0
_TIME_COLUMNS = ("median_s", "p90_s", "mean_s", "mean_log_s", "sd_log")
#: Exact sums behind ``mean_log_s`` and ``sd_log`` (:func:`_log_moments`), of logs as decimals.
_LOG_SUMS, _LOG_TYPE, _SUM_TYPES = ("_log1", "_log2"), "decimal(18, 9)", ("decimal(38, 9)", "decimal(38, 18)")


def _chain(evidence, steps, level, by):
    """The strict funnel chain, built and run once per steps, level and groups.

    One query gives, per group and step, ``n`` (customers who reach it) and, from the second
    step on, the time from the previous step: ``median_s``, ``p90_s``, ``mean_s``, and the mean
    and standard deviation of its natural logarithm (``mean_log_s``, ``sd_log``; a time under
    :data:`MIN_LOG_S` seconds counts as that). The frame
    is kept in :attr:`Evidence.answers`, so that :func:`funnel` and
    :func:`~jmtools.analyses.funnels.time_between_stages` share it.
    """
    return kept_answer(evidence, ("chain", tuple(steps), level, tuple(by)),
                       lambda: _run_chain(evidence, steps, level, by))


def _run_chain(evidence, steps, level, by) -> pd.DataFrame:
    import ibis

    parts = []
    for i, r in enumerate(_reach(evidence, steps, level, by), start=1):
        if i == 1:
            stats = dict(n=r.count())
        else:
            r = r.mutate(_d=(r.t.epoch_seconds() - r._pt.epoch_seconds()).cast("float64"))
            log = r._d.clip(lower=MIN_LOG_S).ln()        # a wait under a minute counts as a minute
            fixed = log.cast(_LOG_TYPE)                  # summed exactly, in any order
            stats = dict(n=r.count(), median_s=r._d.median(), p90_s=r._d.quantile(0.9), mean_s=r._d.mean(),
                         _log1=fixed.sum().cast(_SUM_TYPES[0]), _log2=(fixed * fixed).sum().cast(_SUM_TYPES[1]))
        a = r.group_by(by).agg(**stats) if by else r.agg(**stats)
        if i == 1:                             # no previous step: no time
            a = a.mutate(**{c: ibis.null("float64") for c in _TIME_COLUMNS[:3]},
                         **{c: ibis.null(t) for c, t in zip(_LOG_SUMS, _SUM_TYPES)})
        parts.append(a.mutate(step_index=ibis.literal(i, "int64")).select(
            *by, "step_index", "n", *_TIME_COLUMNS[:3], *_LOG_SUMS))
    return _log_moments(to_pandas(ibis.union(*parts) if len(parts) > 1 else parts[0]))


def _log_moments(out: pd.DataFrame) -> pd.DataFrame:
    """``mean_log_s`` and ``sd_log`` from exact sums of the logarithms (to 1e-9, as decimals), so
    that every run and engine gives the same bits: a sum of floats depends on the order threads
    add them in."""
    mean, sd = [], []
    with decimal.localcontext(prec=60):
        for n, s1, s2 in zip(out["n"], *(out[c] for c in _LOG_SUMS)):
            if s1 is None or pd.isna(s1) or not n:
                mean.append(float("nan")), sd.append(float("nan"))
                continue
            n, s1, s2 = int(n), decimal.Decimal(s1), decimal.Decimal(s2)
            mean.append(float(s1 / n))
            sd.append(float(((n * s2 - s1 * s1) / (n * (n - 1))).sqrt()) if n > 1 else float("nan"))
    return out.drop(columns=list(_LOG_SUMS)).assign(mean_log_s=mean, sd_log=sd)


def funnel(evidence, *, steps=None, level: str = "stage", by=None):
    """Strict ordered funnel: how many customers reach each step, and conversion between steps.

    Parameters
    ----------
    evidence : Evidence
        From :func:`jmtools.evidence.prepare`.
    steps : list of str, optional
        The steps in order; default all stages (``level="stage"``) or touchpoints in journey order.
    level : {"stage", "touchpoint", "event", "any"}, default "stage"
        What the steps name. ``"any"`` mixes them: each step is a stage, touchpoint or event
        name (a name that is two of these takes a prefix: ``"touchpoint:Checkout"``), with the
        same strict order, e.g. ``["Newsletter", "newsletter_click", "First order"]``.
    by : str or list of str, optional
        Customer-level columns to split by (``"persona"``).

    Returns
    -------
    pandas.DataFrame
        One row per group and step, steps in order: the ``by`` columns, ``step_index`` (1-based),
        ``step``, ``n`` (customers who reached the step), ``n_customers`` (customers with any event
        in the group), ``n_prev`` (reached the previous step; n of step 1 for step 1),
        ``conversion`` = n / n_prev with Wilson ``ci_low``, ``ci_high``, ``drop_off`` = n_prev − n,
        ``drop_off_rate`` = 1 − conversion, ``rate_from_start`` = n / n of step 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aaabbc"),
    ...                    "event": ["view", "cart", "pay", "cart", "view", "view"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:01",
    ...                         "2024-01-01 10:02", "2024-01-01 09:00", "2024-01-01 09:01",
    ...                         "2024-01-01 08:00"])})
    >>> j = {"stages": ["Browse", "Cart", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Basket", "stage": "Cart", "events": ["cart"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> funnel(prepare(ev, j))[["step", "n", "n_prev", "conversion", "drop_off"]]
         step  n  n_prev  conversion  drop_off
    0  Browse  3       3    1.000000         0
    1    Cart  1       3    0.333333         2
    2     Pay  1       1    1.000000         0
    """
    _check_evidence(evidence)
    steps = _steps(evidence, steps, level)
    by = _by_list(evidence, by)
    counts = _chain(evidence, steps, level, by)[[*by, "step_index", "n"]]
    groups = _groups(evidence, by)
    out = _complete(evidence, counts, by, steps, groups, ["n"])
    return _rates(out, by)


def _rates(out, by):
    keys = by or None
    first = out.groupby(keys, dropna=False, sort=False)["n"].transform("first") if keys else \
        out["n"].iloc[0]
    prev = out.groupby(keys, dropna=False, sort=False)["n"].shift(1) if keys else out["n"].shift(1)
    out["n_prev"] = prev.fillna(out["n"]).astype("int64")
    out.loc[out["step_index"] == 1, "n_prev"] = out.loc[out["step_index"] == 1, "n"]
    out["conversion"] = out["n"] / out["n_prev"].where(out["n_prev"] > 0)
    out = _wilson(out, "n", "n_prev")
    out["drop_off"] = out["n_prev"] - out["n"]
    out["drop_off_rate"] = 1 - out["conversion"]
    out["rate_from_start"] = out["n"] / (first.where(first > 0) if keys else (first or float("nan")))
    cols = [*by, "step_index", "step", "n", "n_customers", "n_prev", "conversion", "ci_low",
            "ci_high", "drop_off", "drop_off_rate", "rate_from_start"]
    return out[cols].reset_index(drop=True)


def furthest_stage(evidence, *, steps=None, level: str = "stage", by=None, ordered: bool = True):
    """How far customers get: the furthest step each customer reaches.

    Parameters
    ----------
    evidence : Evidence
    steps, level, by
        As in :func:`funnel`.
    ordered : bool, default True
        True: furthest step of the strict ordered funnel (consistent with :func:`funnel`).
        False: the highest step the customer has any event at, in any order.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``step_index`` (0 for "(none)": customers who never reach step 1),
        ``step``, ``n`` (customers whose furthest step this is), ``n_customers`` (group size),
        ``share`` = n / n_customers with Wilson ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "event": ["view", "pay", "pay", "x"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05",
    ...                                                 "2024-01-01 11:00", "2024-01-01 12:00"])})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> furthest_stage(prepare(ev, j))[["step", "n", "share"]]
         step  n     share
    0  (none)  2  0.666667
    1  Browse  0  0.000000
    2     Pay  1  0.333333
    """
    _check_evidence(evidence)
    steps = _steps(evidence, steps, level)
    by = _by_list(evidence, by)
    groups = _groups(evidence, by)
    if ordered:
        f = funnel(evidence, steps=steps, level=level, by=by)
        nxt = f.groupby(by, sort=False, dropna=False)["n"].shift(-1) if by else f["n"].shift(-1)
        f["n"] = f["n"] - nxt.fillna(0).astype("int64")
        counts = f[[*by, "step_index", "n"]]
    else:
        t = evidence.events
        col = _level_col(level)
        idx = sum(((t[col] == s).ifelse(i, 0) for i, s in enumerate(steps, start=1)),
                  t.customer_id.length() * 0)
        per = t.group_by(["customer_id", *by]).agg(step_index=idx.max())
        per = per.filter(per.step_index > 0)
        counts = to_pandas(per.group_by([*by, "step_index"]).agg(n=per.count()))
        counts = _complete(evidence, counts, by, steps, groups, ["n"])[[*by, "step_index", "n"]]
    reached = counts.groupby(by, sort=False, dropna=False)["n"].sum().rename("n_any").reset_index() if by else \
        pd.DataFrame({"n_any": [counts["n"].sum()]})
    none = groups.merge(reached, how="cross" if not by else "left", on=None if not by else by)
    none = none.assign(step_index=0, n=(none["n_customers"] - none["n_any"].fillna(0)).astype("int64"))
    full = pd.concat([none[[*by, "step_index", "n"]], counts], ignore_index=True)
    full = full.merge(groups, on=by, how="left") if by else full.assign(n_customers=groups["n_customers"].iloc[0])
    full["step"] = full["step_index"].map(dict(enumerate(["(none)", *steps])))
    full = _order_groups(evidence, full.sort_values("step_index", kind="stable"), by)
    full["share"] = full["n"] / full["n_customers"].where(full["n_customers"] > 0)
    full = _wilson(full, "n", "n_customers")
    return full[[*by, "step_index", "step", "n", "n_customers", "share", "ci_low", "ci_high"]] \
        .reset_index(drop=True)


def customer_reach(evidence, *, steps=None, level: str = "stage", by=None, own_only: bool | None = None):
    """When each customer reached each step of the strict ordered funnel.

    The per-customer rows behind :func:`funnel`: a customer has a row for step *k* exactly
    when the funnel counts them at step *k*, timed by the event that counts there. Before and
    after comparisons (:mod:`jmtools.analyses.compare`) split customers by these times.

    A stage where customers act (it has a touchpoint not marked ``initiated_by: company``) is
    reached by the customer's own step only: a contact the company started there (a mailing, a
    push) is not the customer arriving. A stage whose every touchpoint is the company's (a bill,
    an ad shown) is reached by that contact. A step that names a touchpoint or an event is taken
    as named, so "received → acted" (``level="any", steps=["Newsletter", "newsletter_click"]``)
    still starts at the contact (D243).

    Parameters
    ----------
    evidence : Evidence
    steps, level, by
        As in :func:`funnel`.
    own_only : bool, optional
        Deprecated (D243): every stage is now reached as ``own_only=True`` read it; passing it
        warns (``FutureWarning``) and changes nothing.

    Returns
    -------
    pandas.DataFrame
        One row per customer and step reached: ``customer_id``, the ``by`` columns,
        ``step_index`` (1-based), ``step`` and ``timestamp``; sorted by customer and step.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["view", "pay", "view"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 09:00",
    ...                                                 "2024-01-03 08:00"])})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> customer_reach(prepare(ev, j))
      customer_id  step_index    step           timestamp
    0           a           1  Browse 2024-01-01 10:00:00
    1           a           2     Pay 2024-01-02 09:00:00
    2           b           1  Browse 2024-01-03 08:00:00

    A mailing at Browse (``initiated_by: company``) sent to ``b`` on 1 January: ``b`` reached
    Browse on 3 January, by their own visit.

    >>> ev = pd.concat([ev, pd.DataFrame({"customer_id": ["b"], "event": ["mail"],
    ...                                   "timestamp": pd.to_datetime(["2024-01-01 07:00"])})])
    >>> j["touchpoints"].append({"name": "Mailing", "stage": "Browse", "events": ["mail"],
    ...                          "initiated_by": "company"})
    >>> customer_reach(prepare(ev, j), steps=["Browse"])["timestamp"].tolist()[1:]
    [Timestamp('2024-01-03 08:00:00')]
    """
    import ibis

    if own_only is not None:
        warnings.warn("customer_reach(own_only=…) is deprecated and changes nothing: a stage where customers act "
                      "is reached by their own step, as the funnel counts it (D243); drop the argument",
                      FutureWarning, stacklevel=2)
    _check_evidence(evidence)
    steps = _steps(evidence, steps, level)
    by = _by_list(evidence, by)
    keys = ["customer_id", *by]
    parts = [r.select(*keys, step_index=ibis.literal(i, "int64"), timestamp=r.t)
             for i, r in enumerate(_reach(evidence, steps, level, by), start=1)]
    out = to_pandas(ibis.union(*parts) if len(parts) > 1 else parts[0])
    out.insert(len(keys) + 1, "step", out["step_index"].map(dict(enumerate(steps, start=1))))
    out = out.sort_values(["customer_id", "step_index"], kind="stable").reset_index(drop=True)
    return out[[*keys, "step_index", "step", "timestamp"]]


def off_funnel_reach(evidence, *, steps, stage, by=None):
    """Where in the funnel customers were when they reached a stage off it (an optional stage).

    Every customer with an event at ``stage`` is counted once: those the strict funnel ``steps``
    then ``stage`` counts there (their event at ``stage`` came after the last of ``steps``, by
    :func:`funnel`'s own order rule), those counted at the last of ``steps`` whose event at
    ``stage`` came only before it, and those the funnel never counts at the last of ``steps``.

    Parameters
    ----------
    evidence : Evidence
    steps : list of str
        The funnel's stages up to the one before ``stage`` (in order).
    stage : str
        The stage off the funnel (``optional: true``).
    by : str or list of str, optional
        As in :func:`funnel`.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_customers`` (customers with any event in the
        group), ``n_any`` (with an event at the stage), ``n_after`` (counted there after the last
        step), ``n_before`` = n_any − n_after, ``n_never`` (of ``n_before``, not counted at the
        last step).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aabbbcc"),
    ...                    "event": ["book", "dna", "dna", "book", "visit", "book", "visit"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=7, freq="D")})
    >>> j = {"stages": ["Book", "Visit", {"name": "Missed", "optional": True}], "touchpoints": [
    ...     {"name": "Booking", "stage": "Book", "events": ["book"]},
    ...     {"name": "Clinic", "stage": "Visit", "events": ["visit"]},
    ...     {"name": "DNA", "stage": "Missed", "events": ["dna"]}]}
    >>> off_funnel_reach(prepare(ev, j), steps=["Book", "Visit"], stage="Missed")
       n_customers  n_any  n_after  n_before  n_never
    0            3      2        0         2        1
    """
    _check_evidence(evidence)
    steps = list(_steps(evidence, list(steps), "stage"))
    stage = _steps(evidence, [stage], "stage")[0]
    by = _by_list(evidence, by)
    counts = kept_answer(evidence, ("optional", tuple(steps), stage, tuple(by)),
                         lambda: _run_off_funnel(evidence, steps, stage, by))
    groups = _groups(evidence, by)
    out = groups.merge(counts, on=by, how="left") if by else groups.join(counts)
    for c in ("n_any", "n_after", "n_never"):
        out[c] = out[c].fillna(0).astype("int64")
    out["n_before"] = out["n_any"] - out["n_after"]
    return out[[*by, "n_customers", "n_any", "n_after", "n_before", "n_never"]].reset_index(drop=True)


def _run_off_funnel(evidence, steps, stage, by) -> pd.DataFrame:
    keys = ["customer_id", *by]
    reach = _reach(evidence, [*steps, stage], "stage", by)
    t = _table(evidence, by)
    met = t.filter(_step_filter(evidence, t, "stage", stage)).select(*keys).distinct()
    at, after = (r.select(_c=r.customer_id, **{name: r.p}) for r, name in ((reach[-2], "_at"), (reach[-1], "_after")))
    j = met.left_join(at, met.customer_id == at._c).drop("_c")
    j = j.left_join(after, j.customer_id == after._c).drop("_c")
    stats = dict(n_any=j.count(), n_after=j._after.notnull().sum().cast("int64"),
                 n_never=j._at.isnull().sum().cast("int64"))
    out = to_pandas(j.group_by(by).agg(**stats) if by else j.agg(**stats))
    return out.astype({c: "int64" for c in stats})
