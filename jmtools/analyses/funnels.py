"""Funnels, furthest stage, time between stages, transitions, paths, loops and detours.

Every function takes the :class:`~jmtools.evidence.Evidence` from
:func:`jmtools.evidence.prepare` and answers with an aggregation over its prepared
event table, as an Ibis expression that runs where the data lives; only the small result
comes back, as a tidy pandas DataFrame with ``n`` and 95% intervals (Wilson) for rates.

Funnel semantics (the strict, ordered funnel): a customer reaches step *k* when they
have events e1 < e2 < … < ek in time order with step *j* at event ej, each the **first
occurrence after the previous step**; equal timestamps are ordered by input row. An
unordered "did each step at all" count gives different, larger numbers.

``level`` chooses what a step is: a journey ``"stage"`` (default), a ``"touchpoint"``, or a
raw ``"event"`` name. ``by`` splits the results by customer-level columns of the prepared
table (``"persona"``, or any customer attribute joined in); groups and steps with nobody
stay as rows with n = 0, in journey order.
"""

from __future__ import annotations

from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = [
    "funnel",
    "furthest_stage",
    "time_between_stages",
    "transitions",
    "top_paths",
    "detours",
    "loops",
    "LEVELS",
]

#: What a funnel step or a transition node can be.
LEVELS = ("stage", "touchpoint", "event")
_PATH_SEP = " → "


# ------------------------------------------------------------------ helpers

def _check_evidence(evidence):
    if not hasattr(evidence, "events") or not hasattr(evidence, "stages"):
        raise ParameterError("evidence", type(evidence).__name__,
                             expected="the Evidence returned by jmtools.evidence.prepare()")


def _level_col(level: str) -> str:
    if level not in LEVELS:
        raise ParameterError("level", level, expected=list(LEVELS))
    return level


def _by_list(evidence, by) -> list[str]:
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    cols = evidence.events.columns
    for b in by:
        if b not in cols:
            near = suggest(b, cols)
            raise ParameterError("by", b, expected=f"a column of the prepared events ({', '.join(cols)})",
                                 fix=f"did you mean {near!r}?" if near else
                                 "pass customers= to prepare() to get a 'persona' column")
    return by


def _steps(evidence, steps, level) -> list[str]:
    if steps is None:
        if level == "stage":
            return list(evidence.stages)
        if level == "touchpoint":
            return list(evidence.touchpoints)
        raise ParameterError("steps", None, expected="a list of event names when level='event'")
    steps = [steps] if isinstance(steps, str) else list(steps)
    if not steps:
        raise ParameterError("steps", steps, expected="at least one step")
    known = {"stage": evidence.stages, "touchpoint": evidence.touchpoints}.get(level)
    if known is None:
        known = evidence.mapping["event"].tolist()
    for s in steps:
        if s not in known:
            raise ParameterError("steps", s, expected=list(known))
    return steps


def _wilson(frame, k, n, prefix=""):
    from jmtools.core.stats import wilson_interval

    low, high = wilson_interval(frame[k].to_numpy(float), frame[n].to_numpy(float))
    frame[f"{prefix}ci_low"], frame[f"{prefix}ci_high"] = low, high
    return frame


def _groups(evidence, by):
    """All by-groups that have customers, with their customer counts (pandas)."""
    from jmtools.core.engine import to_pandas

    if not by:
        import pandas as pd

        return pd.DataFrame({"n_customers": [int(evidence.n_customers)]})
    t = evidence.events
    first = t.filter(t.position == 1)          # one row per customer; by-columns are per customer
    g = to_pandas(first.group_by(by).agg(n_customers=first.count()))
    return _order_groups(evidence, g, by)


def _order_groups(evidence, frame, by):
    """Sort by-groups: personas in file order, others by value; missing groups last."""
    import pandas as pd

    keys = []
    for b in by:
        vals = frame[b]
        if b == "persona" and evidence.personas:
            order = {p: i for i, p in enumerate(evidence.personas)}
            keys.append(vals.map(lambda v: order.get(v, len(order))).astype(float))
        else:
            keys.append(vals)
    if not by:
        return frame
    tmp = frame.assign(**{f"_k{i}": k for i, k in enumerate(keys)})
    tmp = tmp.sort_values([f"_k{i}" for i in range(len(keys))], na_position="last", kind="stable")
    return tmp.drop(columns=[f"_k{i}" for i in range(len(keys))]).reset_index(drop=True)


def _reach(evidence, steps, level, by):
    """Per step k, the customers who reach it: customer_id, by…, p (position), t (timestamp), dt_s."""
    t = evidence.events
    col = _level_col(level)
    keys = ["customer_id", *by]
    reached = []
    prev = None
    for step in steps:
        s = t.filter(t[col] == step)
        if prev is None:
            r = s.group_by(keys).agg(p=s.position.min(), t=s.timestamp.min())
        else:
            pr = prev.select(_c=prev.customer_id, _pp=prev.p, _pt=prev.t)
            j = s.join(pr, s.customer_id == pr._c).filter(lambda x: x.position > x._pp)
            r = j.group_by(keys).agg(p=j.position.min(), t=j.timestamp.min(), _pt=j._pt.min())
        reached.append(r)
        prev = r
    return reached


def _counts(evidence, reached, by):
    """Union of per-step counts: step_index, by…, n."""
    import ibis

    parts = []
    for i, r in enumerate(reached, start=1):
        agg = r.group_by(by).agg(n=r.count()) if by else r.agg(n=r.count())
        parts.append(agg.mutate(step_index=ibis.literal(i, "int64")))
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def _complete(evidence, frame, by, steps, groups, value_cols):
    """Cross all groups × steps so that zero rows stay, in journey order."""
    import pandas as pd

    grid = pd.DataFrame({"step_index": range(1, len(steps) + 1), "step": steps})
    full = grid.merge(groups, how="cross") if by else grid.assign(n_customers=groups["n_customers"].iloc[0])
    out = full.merge(frame, on=["step_index", *by], how="left")
    for c in value_cols:
        out[c] = out[c].fillna(0).astype("int64")
    if by:
        out = _order_groups(evidence, out.sort_values("step_index", kind="stable"), by)
    return out


# ------------------------------------------------------------------ funnel

def funnel(evidence, *, steps=None, level: str = "stage", by=None):
    """Strict ordered funnel: how many customers reach each step, and conversion between steps.

    Parameters
    ----------
    evidence : Evidence
        From :func:`jmtools.evidence.prepare`.
    steps : list of str, optional
        The steps in order; default all stages (``level="stage"``) or touchpoints in journey order.
    level : {"stage", "touchpoint", "event"}, default "stage"
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
    from jmtools.core.engine import to_pandas

    _check_evidence(evidence)
    steps = _steps(evidence, steps, level)
    by = _by_list(evidence, by)
    reached = _reach(evidence, steps, level, by)
    counts = to_pandas(_counts(evidence, reached, by))
    groups = _groups(evidence, by)
    out = _complete(evidence, counts, by, steps, groups, ["n"])
    return _rates(out, by)


def _rates(out, by):
    keys = by or None
    first = out.groupby(keys, dropna=False, sort=False)["n"].transform("first") if keys else \
        out["n"].iloc[0] if len(out) else 0
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
    import pandas as pd

    from jmtools.core.engine import to_pandas

    _check_evidence(evidence)
    steps = _steps(evidence, steps, level)
    by = _by_list(evidence, by)
    groups = _groups(evidence, by)
    if ordered:
        f = funnel(evidence, steps=steps, level=level, by=by)
        nxt = f.groupby(by, sort=False)["n"].shift(-1) if by else f["n"].shift(-1)
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
    reached = counts.groupby(by, sort=False)["n"].sum().rename("n_any").reset_index() if by else \
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


def time_between_stages(evidence, *, steps=None, level: str = "stage", by=None):
    """Time from reaching each funnel step to reaching the next (strict ordered funnel).

    For the customers who reach step *k*, the time between the event where they reached
    step *k − 1* and the event where they reached step *k*.

    Returns
    -------
    pandas.DataFrame
        One row per group and step from the second on: the ``by`` columns, ``step_index``,
        ``from_step``, ``step``, ``n`` (customers with a time), ``median_s``, ``p90_s``
        (exact, linear interpolation), ``mean_s``, and ``median_h``, ``p90_h`` (hours).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "event": ["view", "pay"] * 2,
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00",
    ...                                                 "2024-01-01 10:00", "2024-01-01 13:00"])})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> time_between_stages(prepare(ev, j))[["from_step", "step", "n", "median_h", "p90_h"]]
      from_step step  n  median_h  p90_h
    0    Browse  Pay  2       2.0    2.8
    """
    import ibis

    from jmtools.core.engine import to_pandas

    _check_evidence(evidence)
    steps = _steps(evidence, steps, level)
    if len(steps) < 2:
        raise ParameterError("steps", steps, expected="at least two steps")
    by = _by_list(evidence, by)
    reached = _reach(evidence, steps, level, by)
    parts = []
    for i, r in enumerate(reached[1:], start=2):
        d = r.mutate(_d=(r.t.epoch_seconds() - r._pt.epoch_seconds()).cast("float64"))
        agg = dict(n=d.count(), median_s=d._d.median(), p90_s=d._d.quantile(0.9), mean_s=d._d.mean())
        a = d.group_by(by).agg(**agg) if by else d.agg(**agg)
        parts.append(a.mutate(step_index=ibis.literal(i, "int64")))
    res = to_pandas(ibis.union(*parts) if len(parts) > 1 else parts[0])
    groups = _groups(evidence, by)
    out = _complete(evidence, res, by, steps, groups, ["n"])
    out = out[out["step_index"] > 1].copy()
    out["from_step"] = out["step_index"].map(lambda i: steps[i - 2])
    for c in ("median_s", "p90_s", "mean_s"):
        out[c] = out[c].astype(float)
    out["median_h"] = out["median_s"] / 3600
    out["p90_h"] = out["p90_s"] / 3600
    cols = [*by, "step_index", "from_step", "step", "n", "median_s", "p90_s", "mean_s", "median_h", "p90_h"]
    return out[cols].reset_index(drop=True)


# ------------------------------------------------------------------ transitions and paths

def _sequence(evidence, level, collapse_repeats):
    """Per customer, the ordered steps at ``level`` with the next one: customer_id, by…, node, nxt, k."""
    import ibis

    t = evidence.events
    col = _level_col(level)
    if level == "event" and not collapse_repeats:
        return t.mutate(node=t.event, nxt=t.next_event, k=t.position)
    s = t.filter(t[col].notnull())
    w = ibis.window(group_by=s.customer_id, order_by=s.position)
    s = s.mutate(node=s[col], nxt=s[col].lead().over(w), _prev=s[col].lag().over(w))
    if collapse_repeats:
        s = s.filter(s._prev.isnull() | (s._prev != s.node))
        w2 = ibis.window(group_by=s.customer_id, order_by=s.position)
        s = s.mutate(nxt=s.node.lead().over(w2))
    w3 = ibis.window(group_by=s.customer_id, order_by=s.position)
    return s.mutate(k=(ibis.row_number().over(w3) + 1).cast("int64")).drop("_prev")


def _order_of(evidence, level):
    if level == "stage":
        return {s: i for i, s in enumerate(evidence.stages)}
    if level == "touchpoint":
        return {s: i for i, s in enumerate(evidence.touchpoints)}
    names = evidence.mapping.sort_values(["stage_index", "event"], na_position="last")["event"]
    return {s: i for i, s in enumerate(names)}


def transitions(evidence, *, level: str = "event", by=None, collapse_repeats: bool = False):
    """Counts of moves from each step to the customer's next one.

    Parameters
    ----------
    evidence : Evidence
    level : {"event", "touchpoint", "stage"}, default "event"
        ``"event"`` uses every event; the other levels skip events that map to no touchpoint.
    by : str or list of str, optional
    collapse_repeats : bool, default False
        Merge runs of the same step first (no self-transitions).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``from_step``, ``to_step``, ``n`` (transitions), ``n_customers``,
        ``n_from`` (transitions out of ``from_step``), ``share`` = n / n_from with Wilson
        ``ci_low``, ``ci_high``. Sorted by from_step in journey order, then n descending.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aaab"), "event": ["view", "view", "pay", "view"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=4, freq="min")})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> transitions(prepare(ev, j))[["from_step", "to_step", "n", "share"]]
      from_step to_step  n  share
    0      view     pay  1    0.5
    1      view    view  1    0.5
    """
    from jmtools.core.engine import to_pandas

    _check_evidence(evidence)
    by = _by_list(evidence, by)
    s = _sequence(evidence, level, collapse_repeats)
    s = s.filter(s.nxt.notnull())
    res = to_pandas(s.group_by([*by, "node", "nxt"]).agg(n=s.count(),
                                                         n_customers=s.customer_id.nunique()))
    res = res.rename(columns={"node": "from_step", "nxt": "to_step"})
    res["n_from"] = res.groupby([*by, "from_step"], dropna=False)["n"].transform("sum")
    res["share"] = res["n"] / res["n_from"]
    res = _wilson(res, "n", "n_from")
    order = _order_of(evidence, level)
    res["_o"] = res["from_step"].map(order).fillna(len(order))
    res = res.sort_values(["_o", "from_step", "n", "to_step"], ascending=[True, True, False, True])
    res = _order_groups(evidence, res, by) if by else res
    cols = [*by, "from_step", "to_step", "n", "n_customers", "n_from", "share", "ci_low", "ci_high"]
    return res[cols].reset_index(drop=True)


def top_paths(evidence, *, level: str = "touchpoint", max_steps: int = 5, top: int = 10, by=None,
              collapse_repeats: bool = True):
    """The most common customer paths: the first ``max_steps`` steps of each customer.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``rank`` (1 = most common), ``path`` (steps joined by " → ", with a final
        " → …" when the customer went on), ``n_steps``, ``n`` (customers), ``n_customers`` (customers
        with at least one step), ``share`` with Wilson ``ci_low``, ``ci_high``. Ties by path name.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aabbc"), "event": ["view", "pay", "view", "pay", "view"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=5, freq="min")})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> top_paths(prepare(ev, j))[["rank", "path", "n", "share"]]
       rank             path  n     share
    0     1  Site → Checkout  2  0.666667
    1     2             Site  1  0.333333
    """
    import ibis

    from jmtools.core.engine import to_pandas

    _check_evidence(evidence)
    if not isinstance(max_steps, int) or max_steps < 1:
        raise ParameterError("max_steps", max_steps, expected="a positive whole number")
    if not isinstance(top, int) or top < 1:
        raise ParameterError("top", top, expected="a positive whole number")
    by = _by_list(evidence, by)
    s = _sequence(evidence, level, collapse_repeats)
    head = s.filter(s.k <= max_steps + 1)
    aggs = {f"s{i}": head.node.max(where=head.k == i) for i in range(1, max_steps + 2)}
    per = head.group_by(["customer_id", *by]).agg(**aggs)
    path = per.s1
    for i in range(2, max_steps + 1):
        path = path + ibis.ifelse(per[f"s{i}"].isnull(), "", _PATH_SEP + per[f"s{i}"].fill_null(""))
    path = path + ibis.ifelse(per[f"s{max_steps + 1}"].isnull(), "", _PATH_SEP + "…")
    nsteps = sum((per[f"s{i}"].notnull().cast("int64") for i in range(2, max_steps + 1)),
                 per.s1.notnull().cast("int64"))
    per = per.select(*by, path=path, n_steps=nsteps)
    res = to_pandas(per.group_by([*by, "path", "n_steps"]).agg(n=per.count()))
    res["n_customers"] = res.groupby(by, dropna=False)["n"].transform("sum") if by else res["n"].sum()
    res = res.sort_values([*by, "n", "path"], ascending=[True] * len(by) + [False, True])
    res["rank"] = res.groupby(by, dropna=False).cumcount() + 1 if by else range(1, len(res) + 1)
    res = res[res["rank"] <= top].copy()
    res["share"] = res["n"] / res["n_customers"]
    res = _wilson(res, "n", "n_customers")
    res = _order_groups(evidence, res, by) if by else res
    return res[[*by, "rank", "path", "n_steps", "n", "n_customers", "share", "ci_low", "ci_high"]] \
        .reset_index(drop=True)


def detours(evidence, *, level: str = "touchpoint", by=None):
    """Backward moves against journey order (e.g. from checkout back to the product page).

    A detour is a transition (repeats collapsed) to a step of an earlier stage than the
    one the customer is at (``level="touchpoint"``: e.g. Cart → Product page; moves between
    touchpoints of the same stage are not detours, since a stage does not order them).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``from_step``, ``to_step``, ``n`` (backward transitions),
        ``n_customers`` (customers who made it), ``n_at_from`` (customers who were at
        ``from_step``), ``share`` = n_customers / n_at_from with Wilson ``ci_low``, ``ci_high``.
        Sorted by n_customers, descending.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aaabb"),
    ...                    "event": ["view", "pay", "view", "view", "pay"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=5, freq="min")})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> detours(prepare(ev, j))[["from_step", "to_step", "n_customers", "n_at_from", "share"]]
      from_step to_step  n_customers  n_at_from  share
    0  Checkout    Site            1          2    0.5
    """
    import pandas as pd

    from jmtools.core.engine import small_table, to_pandas

    _check_evidence(evidence)
    by = _by_list(evidence, by)
    order = _journey_rank(evidence, level)
    s = _sequence(evidence, level, True)
    rank = small_table(pd.DataFrame({"_n": list(order), "_r": list(order.values())}),
                       like=evidence.events)
    s = s.join(rank, s.node == rank._n).drop("_n").rename(_from_r="_r")
    s = s.join(rank, s.nxt == rank._n).drop("_n").rename(_to_r="_r")
    back = s.filter(s._to_r < s._from_r)
    res = to_pandas(back.group_by([*by, "node", "nxt"]).agg(n=back.count(),
                                                            n_customers=back.customer_id.nunique()))
    at = to_pandas(evidence.events.filter(evidence.events[level].notnull())
                   .group_by([*by, level]).agg(n_at_from=evidence.events.customer_id.nunique()))
    res = res.rename(columns={"node": "from_step", "nxt": "to_step"})
    res = res.merge(at.rename(columns={level: "from_step"}), on=[*by, "from_step"], how="left")
    res["share"] = res["n_customers"] / res["n_at_from"]
    res = _wilson(res, "n_customers", "n_at_from")
    res = res.sort_values([*by, "n_customers", "from_step", "to_step"],
                          ascending=[True] * len(by) + [False, True, True])
    res = _order_groups(evidence, res, by) if by else res
    return res[[*by, "from_step", "to_step", "n", "n_customers", "n_at_from", "share", "ci_low",
                "ci_high"]].reset_index(drop=True)


def _journey_rank(evidence, level):
    if level == "stage":
        return {s: i for i, s in enumerate(evidence.stages)}
    if level == "touchpoint":
        st = {s: i for i, s in enumerate(evidence.stages)}
        return {tp: st[evidence.touchpoint_stage[tp]] for tp in evidence.touchpoints}
    raise ParameterError("level", level, expected=["stage", "touchpoint"])


def loops(evidence, *, level: str = "touchpoint", by=None):
    """Customers who come back to a step after leaving it (loops), per step.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``step``, ``n_visitors`` (customers with the step), ``n`` (customers who
        visit it more than once, with something else between), ``share`` = n / n_visitors with
        Wilson ``ci_low``, ``ci_high``, ``mean_visits`` (visits per looping customer). Steps in
        journey order.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aaab"), "event": ["view", "pay", "view", "view"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=4, freq="min")})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> loops(prepare(ev, j))[["step", "n_visitors", "n", "share"]]
           step  n_visitors  n  share
    0      Site           2  1    0.5
    1  Checkout           1  0    0.0
    """
    from jmtools.core.engine import to_pandas

    _check_evidence(evidence)
    by = _by_list(evidence, by)
    s = _sequence(evidence, level, True)
    visits = s.group_by(["customer_id", *by, "node"]).agg(v=s.count())
    res = to_pandas(visits.group_by([*by, "node"]).agg(
        n_visitors=visits.count(), n=(visits.v > 1).sum(),
        _loop_visits=visits.v.sum(where=visits.v > 1)))
    res = res.rename(columns={"node": "step"})
    res["n"] = res["n"].fillna(0).astype("int64")
    res["mean_visits"] = res["_loop_visits"].astype(float) / res["n"].where(res["n"] > 0)
    res["share"] = res["n"] / res["n_visitors"]
    res = _wilson(res, "n", "n_visitors")
    order = _order_of(evidence, level)
    res["_o"] = res["step"].map(order).fillna(len(order))
    res = res.sort_values(["_o", "step"])
    res = _order_groups(evidence, res, by) if by else res
    return res[[*by, "step", "n_visitors", "n", "share", "ci_low", "ci_high", "mean_visits"]] \
        .reset_index(drop=True)
