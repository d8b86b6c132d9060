"""Where the customers a funnel loses were last seen acting, and what the company sent them after.

A loss between two stages says how many do not go on, not what happened to them. The last own
event of each customer lost there — a step of theirs, or an event the journey does not map — is
where they were last seen acting; the contacts the company started after it (``initiated_by:
company``: a letter asking for documents, a reminder, a monthly newsletter) are what they were sent
then, without an answer. A contact is never where a customer was *seen*: a broadcast keeps going
after a customer has stopped (D258); a request they never answered is said as what followed their
last step (D203).
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.funnels._common import _by_list, _check_evidence, _company_rows, _steps, _table
from jmtools.analyses.funnels.steps import _reach
from jmtools.core.engine import kept_answer, to_pandas

__all__ = ["last_seen"]

#: Columns of :func:`last_seen`, after the ``by`` columns.
LAST_SEEN_COLUMNS = ["step_index", "step", "touchpoint", "company", "n", "n_lost", "n_then",
                     "then_touchpoint", "then_contacts"]


def last_seen(evidence, *, steps=None, by=None) -> pd.DataFrame:
    """Per step of the strict stage funnel, where the customers it loses there were last seen acting.

    A customer is lost at step *k* when the funnel counts them at step *k*−1 and not at *k*
    (:func:`~jmtools.analyses.funnels.funnel`). Where they were last seen acting is their last own
    event (latest in time, ties: the later input row): a touchpoint not marked ``initiated_by:
    company``, or an event no touchpoint maps; a customer with no own event at all, their last
    event. The contacts the company started after it are counted as what followed (D258).

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    steps : list of str, optional
        Stage names in order (default: the evidence's stages).
    by : str or list of str, optional
        Group columns of the evidence (``"persona"``): counted per group.

    Returns
    -------
    pandas.DataFrame
        The by columns first (if any), then ``step_index`` (2 … number of steps), ``step``,
        ``touchpoint`` (of the last own event; missing: an event the journey does not map),
        ``company`` (True: a touchpoint marked ``initiated_by: company``, only for customers with
        no own event), ``n`` (customers lost at the step last seen there), ``n_lost`` (all
        customers lost at the step), ``n_then`` (of the ``n``, those the company contacted after
        it), ``then_touchpoint`` (the commonest first such contact; missing when none) and
        ``then_contacts`` (how many such contacts they were sent in all); per group and
        step the commonest touchpoint first (ties: file order). Steps that lose nobody have no row.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "b", "c", "c"],
    ...                    "event": ["apply", "ask_docs", "decide", "apply", "ask_docs", "ask_docs", "apply", "call"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-02-01", "2024-01-02",
    ...                                                 "2024-01-06", "2024-01-20", "2024-01-03", "2024-01-04"])})
    >>> j = {"stages": ["Apply", "Decision"], "touchpoints": [
    ...     {"name": "Form", "stage": "Apply", "events": ["apply"]},
    ...     {"name": "Document letter", "stage": "Apply", "events": ["ask_docs"], "initiated_by": "company"},
    ...     {"name": "Letter", "stage": "Decision", "events": ["decide"]}]}
    >>> last_seen(prepare(ev, j))[["step", "touchpoint", "n", "n_lost", "n_then", "then_touchpoint", "then_contacts"]]
           step touchpoint  n  n_lost  n_then  then_touchpoint  then_contacts
    0  Decision       Form  1       2       1  Document letter              2
    1  Decision        NaN  1       2       0              NaN              0

    ``b`` and ``c`` never get a decision: ``b`` was last seen acting on the form, then asked for
    documents twice; ``c`` at an event (``call``) the journey does not map.
    """
    _check_evidence(evidence)
    steps = _steps(evidence, steps, "stage")
    by = _by_list(evidence, by)
    return kept_answer(evidence, ("last_seen", tuple(steps), tuple(by)), lambda: _last_seen(evidence, steps, by))


def _last_seen(evidence, steps: list, by: list) -> pd.DataFrame:
    if len(steps) < 2:                  # one step loses nobody
        return pd.DataFrame(columns=[*by, *LAST_SEEN_COLUMNS]).astype({"touchpoint": "str", "step": "str",
                                                                       "then_touchpoint": "str"})
    rows = _lost_rows(evidence, steps, by)
    got = to_pandas(rows.group_by([*by, "step_index", "tp", "then_tp", "after"]).agg(n=rows.customer_id.nunique()))
    names = list(evidence.touchpoints)
    coded = _table(evidence, by) is getattr(evidence, "narrow", None)
    for col in ("tp", "then_tp"):
        got[col] = _touchpoint_names(evidence, got[col], coded)
    got["n"] = got["n"].astype("int64")
    got["after"] = got["after"].fillna(0).astype("int64")
    got = _per_touchpoint(got, [*by, "step_index"])
    order = {name: i for i, name in enumerate(names)}
    company = set(getattr(evidence, "company_touchpoints", None) or [])
    got = got.assign(touchpoint=got["tp"].astype("str"),             # missing: NaN, as Parquet reads it back
                     _o=[order.get(v, len(names)) if isinstance(v, str) else len(names) for v in got["tp"]])
    got["company"] = got["touchpoint"].isin(company)
    got["n_lost"] = got.groupby([*by, "step_index"], dropna=False)["n"].transform("sum").astype("int64")
    got["step"] = [steps[int(k) - 1] for k in got["step_index"]]
    got = got.sort_values([*by, "step_index", "n", "_o"], ascending=[True] * len(by) + [True, False, True],
                          kind="stable", na_position="last")
    return got[[*by, *LAST_SEEN_COLUMNS]].astype({"step_index": "int64"}).reset_index(drop=True)


def _lost_rows(evidence, steps: list, by: list):
    """One row per customer lost at a step: ``step_index``, ``tp`` (their last own event's
    touchpoint code or name; their last event's when they have no own event), ``then_tp`` (the
    first contact the company started after it) and ``after`` (how many such contacts followed)."""
    import ibis

    keys = ["customer_id", *by]
    reach = _reach(evidence, steps, "stage", by)
    lost = [reach[k - 2].select(*keys).anti_join(reach[k - 1].select("customer_id"), "customer_id")
            .mutate(step_index=ibis.literal(k, "int64")) for k in range(2, len(steps) + 1)]
    t = _table(evidence, by)
    co = _company_rows(evidence, t)
    t = t.select("customer_id", "position", tp=t._tp if t is getattr(evidence, "narrow", None) else t.touchpoint,
                 co=ibis.literal(False) if co is None else co)
    ends = t.group_by("customer_id").agg(_own=t.position.max(where=~t.co), _last=t.position.max())
    ends = ends.select(_c=ends.customer_id, _at=ibis.coalesce(ends._own, ends._last))
    x = t.join(ends, t.customer_id == ends._c)
    later = x.filter(x.co & (x.position > x._at))
    later = later.group_by(_a="customer_id").agg(after=later.position.count(), _first=later.position.min())
    at = x.filter(x.position == x._at).select("tp", _b="customer_id")
    then = t.select(_d="customer_id", _p="position", then_tp="tp")
    who = at.left_join(later, at._b == later._a)
    who = who.left_join(then, (who._b == then._d) & (who._first == then._p))
    union = ibis.union(*lost) if len(lost) > 1 else lost[0]
    j = union.join(who, union.customer_id == who._b)
    return j.select(*keys, "step_index", "tp", "then_tp", "after")


def _touchpoint_names(evidence, col: pd.Series, coded: bool) -> list:
    """Touchpoint names of a column: of the narrow table's codes (1 … number of touchpoint rules;
    none: an event the journey does not map) when ``coded``, else the names themselves."""
    if not coded:
        return [v if isinstance(v, str) else None for v in col]
    codes = [r.name for r in getattr(evidence, "rules", None) or []] or list(evidence.touchpoints)
    return [codes[int(c) - 1] if pd.notna(c) and 0 < int(c) <= len(codes) else None for c in col]


def _per_touchpoint(got: pd.DataFrame, group: list) -> pd.DataFrame:
    """Rows per (group, touchpoint, first contact after, contacts after) to one row per group and
    touchpoint: ``n``, ``n_then`` (of them, customers the company contacted after), the commonest
    first contact ``then_touchpoint`` (ties: the first met) and the number of contacts after
    (``then_contacts``)."""
    keys = [*group, "tp"]
    out = []
    for key, g in got.groupby(keys, dropna=False, sort=False):
        had = g[g["after"] > 0]
        firsts = had.groupby("then_tp", dropna=False, sort=False)["n"].sum()
        out.append((*key, int(g["n"].sum()), int(had["n"].sum()),
                    firsts.idxmax() if len(firsts) else None,
                    int((had["after"] * had["n"]).sum())))
    return pd.DataFrame(out, columns=[*keys, "n", "n_then", "then_tp", "then_contacts"]).astype(
        {"n": "int64", "n_then": "int64", "then_contacts": "int64"}).assign(
        then_touchpoint=lambda d: d["then_tp"].astype("str"))
