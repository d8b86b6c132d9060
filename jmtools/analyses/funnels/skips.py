"""Customers the strict funnel loses at a step who go on to a later step all the same.

The strict funnel (:func:`~jmtools.analyses.funnels.funnel`) counts a customer at step *k* only
after steps 1 … *k*−1 in order. A stage many customers never pass through — a meter installed
for some households only, a visit to a branch — then shows as a loss although those customers
go on: they pay, renew, order again. :func:`skipped_steps` counts, per step, the customers
counted at the step before who do not reach it, and how many of them take a step of their own at
a later step of the funnel after that (a contact the company started, ``initiated_by: company``,
is not theirs). A report says so beside the funnel, with the fix: mark the stage
``optional: true`` if customers may skip it (D161).
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.funnels._common import _by_list, _check_evidence, _company_rows, _steps, _table
from jmtools.analyses.funnels.steps import _reach, _step_filter
from jmtools.core.engine import kept_answer, to_pandas

__all__ = ["skipped_steps", "open_lost"]


def skipped_steps(evidence, *, steps=None, by=None) -> pd.DataFrame:
    """Per step of the strict stage funnel: customers it loses there, and how many of them go on.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    steps : list of str, optional
        Stage names in order (default: the evidence's funnel stages, ``mapped_stages``).
    by : str or list of str, optional
        Group columns of the evidence (``"persona"``): counted per group.

    Returns
    -------
    pandas.DataFrame
        The by columns first (if any), then ``step_index`` (2 … number of steps), ``step``,
        ``n_lost`` (counted at the step before, not at this one), ``n_skipped`` (of them, those
        with an event of their own at a later step, after the step before), ``later`` (the
        later step most of them reach; None when none does) and ``later_touchpoints`` (D222: what
        they did there — the one or two touchpoints of a later step most of them have an own event
        at, as ``(touchpoint, customers)`` pairs, most first; empty when none); one row per group
        and step.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
    ...                    "event": ["join", "meter", "pay", "join", "pay", "join"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-02-01",
    ...                                                 "2024-01-02", "2024-02-02", "2024-01-03"])})
    >>> j = {"stages": ["Join", "Meter", "Pay"], "touchpoints": [
    ...     {"name": "Form", "stage": "Join", "events": ["join"]},
    ...     {"name": "Visit", "stage": "Meter", "events": ["meter"]},
    ...     {"name": "Payment", "stage": "Pay", "events": ["pay"]}]}
    >>> skipped_steps(prepare(ev, j))
       step_index   step  n_lost  n_skipped later later_touchpoints
    0           2  Meter       2          1   Pay  [(Payment, 1)]
    1           3    Pay       0          0  None                []

    ``b`` and ``c`` are lost at Meter; ``b`` pays all the same, so Meter may be a stage some
    customers skip.
    """
    _check_evidence(evidence)
    steps = _steps(evidence, steps, "stage")
    by = _by_list(evidence, by)
    kept = kept_answer(evidence, ("skips", tuple(steps), tuple(by)), lambda: _skipped(evidence, steps, by))
    return _with_pairs(kept)


def open_lost(evidence, *, since, steps=None, by=None) -> pd.DataFrame:
    """Per step of the strict stage funnel: the customers counted at the step before who reached it
    after a cut-off, and how many of them the funnel loses there — as :func:`funnel` counts them, a
    company's contact reaching a stage included (D209).

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    since : mapping of str to datetime
        Per step (its name), the cut-off: those who reached the step before it after this time are
        counted. Steps not named are left out. A cut-off may also be a mapping of the first ``by``
        column's values (as text) to their own cut-off, ``""`` for the rest (D261).
    steps, by
        As in :func:`skipped_steps`.

    Returns
    -------
    pandas.DataFrame
        The by columns first (if any), then ``step_index``, ``step``, ``n_recent`` (reached the step
        before after the cut-off), ``n_open`` (of them, not at this step) and ``n_open_skipped`` (of
        those, with an event of their own at a later step after the step before, as
        :func:`skipped_steps` counts them); one row per group and step named, groups with no
        customer after the cut-off left out.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"], "event": ["join", "pay", "join", "pay", "join"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-09", "2024-02-01", "2024-02-03",
    ...                                                 "2024-02-02"])})
    >>> j = {"stages": ["Join", "Pay"], "touchpoints": [
    ...     {"name": "Form", "stage": "Join", "events": ["join"]},
    ...     {"name": "Payment", "stage": "Pay", "events": ["pay"]}]}
    >>> open_lost(prepare(ev, j), since={"Pay": pd.Timestamp("2024-01-15")})
       step_index step  n_recent  n_open  n_open_skipped
    0           2  Pay         2       1               0
    """
    _check_evidence(evidence)
    steps = _steps(evidence, steps, "stage")
    by = _by_list(evidence, by)
    reached, last = _reached_and_later(evidence, steps, by)
    rows = []
    for k in range(2, len(steps) + 1):
        if steps[k - 1] not in since:
            continue
        keys = ["customer_id", *by]
        cut = since[steps[k - 1]]
        if isinstance(cut, dict):       # a group's own cut-off (D261)
            cut = pd.to_datetime(reached[by[0]].astype(str).map(cut).fillna(cut[""]) if by else cut[""])
        before = reached[(reached["step_index"] == k - 1) & (reached["t"] > cut)]
        nxt = reached.loc[reached["step_index"] == k, keys].assign(_at=True)
        recent = before.merge(nxt, on=keys, how="left")
        opened = recent[recent["_at"].isna()]
        skipped = set(_went_later(last, opened, k)["customer_id"])     # a customer is in one group
        recent = recent.assign(_open=recent["_at"].isna(), _skip=recent["customer_id"].isin(skipped))
        groups = recent.groupby(by, dropna=False, sort=True) if by else [((), recent)]
        for group, g in groups:
            group = group if isinstance(group, tuple) else (group,)
            rows.append({**dict(zip(by, group)), "step_index": k, "step": steps[k - 1], "n_recent": len(g),
                         "n_open": int(g["_open"].sum()), "n_open_skipped": int(g["_skip"].sum())})
    cols = [*by, "step_index", "step", "n_recent", "n_open", "n_open_skipped"]
    return pd.DataFrame(rows, columns=cols).astype({c: "int64" for c in cols[len(by):] if c != "step"})


def _reached_and_later(evidence, steps: list, by: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per customer and step of the strict funnel: when reached (``p`` position, ``t`` time); and per
    customer, step from the third on and touchpoint, the position of their last own event there
    (``last``, ``touchpoint``)."""
    import ibis

    keys = ["customer_id", *by]
    reach = [r.select(*keys, step_index=ibis.literal(i, "int64"), p=r.p, t=r.t)
             for i, r in enumerate(_reach(evidence, steps, "stage", by), start=1)]
    t = _table(evidence, by)
    company = _company_rows(evidence, t)
    own = []
    for i, step in enumerate(steps[2:], start=3):        # a later step than the one lost: from the third on
        at = _step_filter(evidence, t, "stage", step)
        s = t.filter(at & ~company if company is not None else at)
        tp = s._tp if t is getattr(evidence, "narrow", None) else s.touchpoint      # a code on the narrow table
        s = s.mutate(_touchpoint=tp.cast("string"))
        own.append(s.group_by([*keys, "_touchpoint"]).agg(last=s.position.max())
                   .mutate(step_index=ibis.literal(i, "int64")))
    reached = to_pandas(ibis.union(*reach) if len(reach) > 1 else reach[0])
    last = (to_pandas(ibis.union(*own) if len(own) > 1 else own[0]) if own        # fewer than 3 steps: none
            else pd.DataFrame(columns=[*keys, "_touchpoint", "last", "step_index"]))
    if t is getattr(evidence, "narrow", None):
        names = {str(i): name for i, name in enumerate(evidence.touchpoints, start=1)}
        last["_touchpoint"] = last["_touchpoint"].map(names)
    return reached, last.rename(columns={"_touchpoint": "touchpoint"})


def _went_later(last: pd.DataFrame, lost: pd.DataFrame, k: int) -> pd.DataFrame:
    """The rows of ``last`` where a customer of ``lost`` (lost before step ``k``) has an own event at
    a step after ``k``, after they reached the step before ``k``."""
    later = last[last["step_index"] > k].merge(lost[["customer_id", "p"]], on="customer_id")
    return later[later["last"] > later["p"]]


def _skipped(evidence, steps: list, by: list) -> pd.DataFrame:
    reached, last = _reached_and_later(evidence, steps, by)
    rows = []
    groups = reached.groupby(by, dropna=False, sort=True) if by else [((), reached)]   # one order on every engine
    for group, r in groups:
        group = group if isinstance(group, tuple) else (group,)
        mine = last
        for col, value in zip(by, group):
            mine = mine[mine[col].isna()] if pd.isna(value) else mine[mine[col] == value]
        for k in range(2, len(steps) + 1):
            before = r[r["step_index"] == k - 1]
            lost = before[~before["customer_id"].isin(r.loc[r["step_index"] == k, "customer_id"])]
            later = _went_later(mine, lost, k)
            went = later.drop_duplicates(["customer_id", "step_index"])["step_index"].value_counts()
            did = later.drop_duplicates(["customer_id", "touchpoint"])["touchpoint"].value_counts()
            did = did.rename_axis("tp").reset_index().sort_values(["count", "tp"], ascending=[False, True])
            rows.append({**dict(zip(by, group)), "step_index": k, "step": steps[k - 1], "n_lost": len(lost),
                         "n_skipped": int(later["customer_id"].nunique()),
                         "later": steps[int(went.sort_index().idxmax()) - 1] if len(went) else None,
                         **_flat_pairs([(str(a), int(n)) for a, n in did.head(2).itertuples(index=False)])})
    out = pd.DataFrame(rows, columns=[*by, "step_index", "step", "n_lost", "n_skipped", "later", *_PAIR_COLUMNS])
    out["later"] = out["later"].astype(object).where(out["later"].notna(), None)
    return out.astype({"step_index": "int64", "n_lost": "int64", "n_skipped": "int64",
                       **{c: ("int64" if c.startswith("_n") else "str") for c in _PAIR_COLUMNS}})


#: The kept answer holds the later touchpoints as plain columns (a column of lists would not read
#: back exactly from the cache's Parquet, and a warm report would query again).
_PAIR_COLUMNS = ("_tp1", "_n1", "_tp2", "_n2")


def _flat_pairs(pairs) -> dict:
    pairs = list(pairs) + [("", 0)] * (2 - len(pairs))
    return {"_tp1": pairs[0][0], "_n1": pairs[0][1], "_tp2": pairs[1][0], "_n2": pairs[1][1]}


def _with_pairs(kept: pd.DataFrame) -> pd.DataFrame:
    """The kept answer with its plain columns as ``later_touchpoints``: ``(touchpoint, customers)`` pairs."""
    out = kept.drop(columns=list(_PAIR_COLUMNS))
    out["later_touchpoints"] = [[(str(t), int(n)) for t, n in ((a, m), (b, k)) if t]
                                for a, m, b, k in kept[list(_PAIR_COLUMNS)].itertuples(index=False)]
    return out
