"""What comes before leaving: the touchpoints met more often by the customers who reach an exit stage.

An exit stage (``exit: true``: Churn, Cancel, Port out) is counted apart from the funnel (D139), so
"Left at Churn: 6.3%" says how many leave, not what came before. Here, for each touchpoint, the
customers who met it are compared with those who did not: the share of each that left, with n on both
sides and Wilson intervals, and the difference with Newcombe's interval. Only a touchpoint met before
leaving counts (a dunning notice after the cancellation does not); a customer who stays counts what
they met up to the log's end. The comparison is among the customers who could leave, as the data
shows it: those who had reached the funnel stage that nearly all who left (:data:`REACHED_SHARE`) had
reached before leaving — the first payment, say, when only paying customers can cancel — so that the
steps everyone at risk took do not read as a difference. An association in the data, not a cause
(D211).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.funnels._common import _by_list, _check_evidence, _order_groups, _table
from jmtools.analyses.funnels.steps import _reach
from jmtools.core.engine import kept_answer, to_pandas
from jmtools.core.errors import ParameterError, whole_number
from jmtools.core.stats import wilson_interval

__all__ = ["before_leaving", "REACHED_SHARE"]

#: The comparison is among customers who reached the furthest funnel stage that at least this share of
#: the customers who left had reached before leaving ("nearly all": a few whose records start late do
#: not pull it back to every customer).
REACHED_SHARE = 0.95

#: Columns of :func:`before_leaving`, after the ``by`` columns.
BEFORE_LEAVING_COLUMNS = ["stage", "from_stage", "touchpoint", "touchpoint_stage", "company", "n", "n_left",
                          "n_left_all", "n_met", "left_met", "share_met", "met_low", "met_high", "n_not",
                          "left_not", "share_not", "not_low", "not_high", "difference", "diff_low", "diff_high",
                          "shown"]

_COUNT_TYPES = {"exit_index": "int64", "fs": "int64", "left": "bool", "tp": "int64", "n": "int64"}


def before_leaving(evidence, *, stages=None, by=None, min_n: int = 5) -> pd.DataFrame:
    """Per exit stage and touchpoint, the share who left among those who met it before leaving, and
    among those who did not.

    A customer *left* at an exit stage when they have an event there; the first such event is when.
    A touchpoint is *met* by one who left when one of its events comes before that (in the customer's
    order, as every funnel reads it); by one who stays, anywhere in their log. In a log of dates only,
    where the order within a day is assumed (companies' contacts first, then journey order), a
    touchpoint met on the day of leaving is not counted: only earlier days are known to be before.
    Touchpoints of exit stages are not compared.

    The customers compared are those who had reached ``from_stage`` by their own steps (the strict
    funnel over the default funnel's stages, a contact the company started not counting as the
    customer arriving, as every funnel counts it: :func:`~jmtools.analyses.funnels.customer_reach`) before
    leaving, or by the log's end: the furthest stage that at least :data:`REACHED_SHARE` of the
    customers who left had reached before leaving ("" when that is no stage: every customer with
    events).

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    stages : list of str, optional
        Exit stages (default: the journey's, :attr:`Evidence.exit_stages`).
    by : str or list of str, optional
        Group columns of the evidence (``"persona"``): each group compared within itself.
    min_n : int, default 5
        Smallest group said: a row is ``shown`` only when both sides have at least ``min_n``
        customers and none of the four counts (left or stayed, met or not) is 1 to ``min_n`` − 1.

    Returns
    -------
    pandas.DataFrame
        The by columns, then ``stage`` (the exit stage), ``from_stage``, ``touchpoint``, its
        ``touchpoint_stage``, ``company`` (True: ``initiated_by: company``), ``n`` (customers
        compared), ``n_left`` (of them who left), ``n_left_all`` (all in the group who left),
        ``n_met`` and ``left_met`` (who met the touchpoint; of them who left), ``share_met`` with Wilson
        ``met_low`` / ``met_high``, the same for those who did not (``n_not``, ``left_not``,
        ``share_not``, ``not_low``, ``not_high``), ``difference`` = share_met − share_not with
        Newcombe's 95% ``diff_low`` / ``diff_high``, and ``shown``. Groups in persona order; per group
        and stage, ranked by ``diff_low`` (the difference the data supports at least), highest first;
        touchpoints nobody compared met have no row.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> days = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-05"])
    >>> rows = []
    >>> for c in range(20):                       # 6 of the 8 warned leave; 2 of the 12 others
    ...     warned, leaves = c < 8, (c < 6) or (c >= 18)
    ...     rows += [(c, "buy", days[0])] + [(c, "warn", days[1])] * warned + [(c, "cancel", days[2])] * leaves
    ...     rows += [(c, "warn", days[3])] * (c in (18, 19))         # after leaving: not counted
    >>> ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    >>> j = {"stages": ["Buy", "Keep", {"name": "Churn", "exit": True}], "touchpoints": [
    ...     {"name": "Order", "stage": "Buy", "events": ["buy"]},
    ...     {"name": "Warning", "stage": "Keep", "events": ["warn"], "initiated_by": "company"},
    ...     {"name": "Cancel", "stage": "Churn", "events": ["cancel"]}]}
    >>> got = before_leaving(prepare(ev, j))
    >>> got[["touchpoint", "company", "n_met", "left_met", "n_not", "left_not", "shown"]]
      touchpoint  company  n_met  left_met  n_not  left_not  shown
    0    Warning     True      8         6     12         2  False
    1      Order    False     20         8      0         0  False
    >>> round(float(got["diff_low"].iloc[0]), 3)
    0.141

    The warned left more often (6 of 8 against 2 of 12); the Order everyone placed has nobody to
    compare with. Neither is ``shown``: 2 stayed of the 8 warned (fewer than 5).
    """
    _check_evidence(evidence)
    min_n = whole_number("min_n", min_n)
    exits = list(evidence.exit_stages) if stages is None else [stages] if isinstance(stages, str) else list(stages)
    for s in exits:
        if s not in evidence.stages:
            raise ParameterError("stages", s, expected=f"a stage of the journey ({', '.join(evidence.stages)})")
    by = _by_list(evidence, by)
    if not exits:
        return _empty(by)
    steps = [s for s in evidence.mapped_stages if s not in exits]
    counts = kept_answer(evidence, ("before_leaving", tuple(exits), tuple(steps), tuple(by)),
                         lambda: _count(evidence, exits, steps, by))
    return _compare(evidence, counts, exits, steps, by, min_n)


def _empty(by):
    return pd.DataFrame(columns=[*by, *BEFORE_LEAVING_COLUMNS])


def _count(evidence, exits: list, steps: list, by: list) -> pd.DataFrame:
    """One query: per group, exit stage, furthest stage reached before leaving (``fs``, 0: none),
    left or not and touchpoint met (``tp``: its 1-based code; 0 for the customers themselves), the
    customers."""
    import ibis

    t = _table(evidence, by)
    keys = ["customer_id", *by]
    names = list(evidence.touchpoints)
    if t is getattr(evidence, "narrow", None):
        tp = t._tp.cast("int64")
    else:
        tp = ibis.cases(*[(t.touchpoint == n, i) for i, n in enumerate(names, start=1)], else_=ibis.null("int64")) \
            if names else ibis.null("int64")
    apart = {evidence.stages.index(s) + 1 for s in evidence.exit_stages} | {evidence.stages.index(s) + 1 for s in exits}
    compared = [i for i, n in enumerate(names, start=1)
                if evidence.stages.index(evidence.touchpoint_stage[n]) + 1 not in apart]
    days = evidence.dates_only is not None            # order within a day assumed: only earlier days count
    everyone = t.filter(t.position == 1).select(*keys)
    reach = [r.select(_c=r.customer_id, _k=ibis.literal(k, "int64"), _p=r.p)
             for k, r in enumerate(_reach(evidence, steps, "stage", by), start=1)] if steps else []
    met = t.filter(tp.isin(compared)).select(_c=t.customer_id, tp=tp, _p=t.position, _t=t.timestamp) \
        if compared else None
    parts = []
    for e, stage in enumerate(exits, start=1):
        at = t.filter(t.stage_index == evidence.stages.index(stage) + 1)
        out = at.group_by(_c=at.customer_id).agg(_xp=at.position.min(), _xt=at.timestamp.min())
        who = everyone.left_join(out, everyone.customer_id == out._c).drop("_c")
        if reach:
            r = ibis.union(*reach) if len(reach) > 1 else reach[0]
            j = r.left_join(out, r._c == out._c)
            j = j.filter(j._xp.isnull() | (j._p < j._xp))
            fs = j.group_by("_c").agg(_fs=j._k.max())
            who = who.left_join(fs, who.customer_id == fs._c).drop("_c")
        else:
            who = who.mutate(_fs=ibis.literal(0, "int64"))
        who = who.mutate(fs=who._fs.fill_null(0).cast("int64"), left=who._xp.notnull())
        parts.append(who.group_by([*by, "fs", "left"]).agg(n=who.customer_id.nunique())
                     .mutate(exit_index=ibis.literal(e, "int64"), tp=ibis.literal(0, "int64")))
        if met is None:
            continue
        m = met.join(who, met._c == who.customer_id)
        before = m._xp.isnull() | (m._p < m._xp)
        m = m.filter(before & (m._xp.isnull() | (m._t < m._xt)) if days else before)
        parts.append(m.group_by([*by, "fs", "left", "tp"]).agg(n=m._c.nunique())
                     .mutate(exit_index=ibis.literal(e, "int64")))
    cols = [*by, "exit_index", "fs", "left", "tp", "n"]
    got = to_pandas(ibis.union(*[p.select(*cols) for p in parts]))
    return got.astype(_COUNT_TYPES).sort_values(cols[:-1], kind="stable", ignore_index=True)


def _compare(evidence, counts: pd.DataFrame, exits: list, steps: list, by: list, min_n: int) -> pd.DataFrame:
    """The shares, intervals and ranking from the counts (pandas only)."""
    names = list(evidence.touchpoints)
    company = set(evidence.company_touchpoints)
    rows = []
    groups = counts.groupby([*by, "exit_index"], dropna=False, sort=False) if len(counts) else []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        people = g[g["tp"] == 0]
        left = people[people["left"]].groupby("fs")["n"].sum()
        n_left_all = int(left.sum())
        if not n_left_all:
            continue
        # the furthest stage k that at least REACHED_SHARE of those who left had reached before leaving
        k = max(k for k in range(len(steps) + 1) if left[left.index >= k].sum() >= REACHED_SHARE * n_left_all)
        pop = people[people["fs"] >= k]
        n, n_left = int(pop["n"].sum()), int(pop.loc[pop["left"], "n"].sum())
        first = len(rows)                      # the group's place: groups and exit stages keep their order
        for code, h in g[(g["tp"] > 0) & (g["fs"] >= k)].groupby("tp", sort=True):
            n_met, left_met = int(h["n"].sum()), int(h.loc[h["left"], "n"].sum())
            name = names[int(code) - 1]
            rows.append({**dict(zip(by, key[:-1])), "stage": exits[int(key[-1]) - 1],
                         "from_stage": steps[k - 1] if k else "", "touchpoint": name,
                         "touchpoint_stage": evidence.touchpoint_stage[name], "company": name in company,
                         "n": n, "n_left": n_left, "n_left_all": n_left_all, "n_met": n_met, "left_met": left_met,
                         "n_not": n - n_met, "left_not": n_left - left_met, "_g": first, "_o": int(code)})
    if not rows:
        return _empty(by)
    out = pd.DataFrame(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_met"] = out["left_met"] / out["n_met"].where(out["n_met"] > 0)
        out["share_not"] = out["left_not"] / out["n_not"].where(out["n_not"] > 0)
    out["met_low"], out["met_high"] = wilson_interval(out["left_met"], out["n_met"])
    out["not_low"], out["not_high"] = wilson_interval(out["left_not"], out["n_not"])
    out["difference"] = out["share_met"] - out["share_not"]
    # Newcombe's hybrid score interval from the two Wilson intervals
    out["diff_low"] = out["difference"] - np.sqrt((out["share_met"] - out["met_low"]) ** 2
                                                  + (out["not_high"] - out["share_not"]) ** 2)
    out["diff_high"] = out["difference"] + np.sqrt((out["met_high"] - out["share_met"]) ** 2
                                                   + (out["share_not"] - out["not_low"]) ** 2)
    cells = [out["left_met"], out["n_met"] - out["left_met"], out["left_not"], out["n_not"] - out["left_not"]]
    small = np.logical_or.reduce([(c > 0) & (c < min_n) for c in cells])
    out["shown"] = (out["n_met"] >= min_n) & (out["n_not"] >= min_n) & ~small
    out = out.sort_values(["_g", "diff_low", "_o"], ascending=[True, False, True], kind="stable", na_position="last")
    return _order_groups(evidence, out[[*by, *BEFORE_LEAVING_COLUMNS]], by).reset_index(drop=True)
