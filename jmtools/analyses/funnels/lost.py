"""Where the customers a funnel loses were last seen: the touchpoint of each one's last event.

A loss between two stages says how many do not go on, not what happened to them. The last event of
each customer lost there — their own step, or a contact the company started (a letter asking for
documents, a reminder; ``initiated_by: company``), or an event the journey does not map — is
where their journey, as the data knows it, ends. When most of them end on one touchpoint, that is
where to look: a loop of document requests, a letter nobody answers (D203).
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.funnels._common import _by_list, _check_evidence, _steps, _table
from jmtools.analyses.funnels.steps import _reach
from jmtools.core.engine import kept_answer, to_pandas

__all__ = ["last_seen"]

#: Columns of :func:`last_seen`, after the ``by`` columns.
LAST_SEEN_COLUMNS = ["step_index", "step", "touchpoint", "company", "n", "n_lost"]


def last_seen(evidence, *, steps=None, by=None) -> pd.DataFrame:
    """Per step of the strict stage funnel, where the customers it loses there were last seen.

    A customer is lost at step *k* when the funnel counts them at step *k*−1 and not at *k*
    (:func:`~jmtools.analyses.funnels.funnel`). Their last event is their latest in time (ties:
    the later input row), whatever it is: an own step, a contact the company started, an event
    no touchpoint maps.

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
        ``touchpoint`` (of the last event; missing: an event the journey does not map), ``company``
        (True: a touchpoint marked ``initiated_by: company``), ``n`` (customers lost at the step
        whose last event is there) and ``n_lost`` (all customers lost at the step); per group and
        step the commonest touchpoint first (ties: file order). Steps that lose nobody have no row.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c", "c"],
    ...                    "event": ["apply", "ask_docs", "decide", "apply", "ask_docs", "apply", "call"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-02-01",
    ...                                                 "2024-01-02", "2024-01-06", "2024-01-03", "2024-01-04"])})
    >>> j = {"stages": ["Apply", "Decision"], "touchpoints": [
    ...     {"name": "Form", "stage": "Apply", "events": ["apply"]},
    ...     {"name": "Document letter", "stage": "Apply", "events": ["ask_docs"], "initiated_by": "company"},
    ...     {"name": "Letter", "stage": "Decision", "events": ["decide"]}]}
    >>> last_seen(prepare(ev, j))
       step_index      step       touchpoint  company  n  n_lost
    0           2  Decision  Document letter     True  1       2
    1           2  Decision              NaN    False  1       2

    ``b`` and ``c`` never get a decision: ``b`` was last seen when asked for documents, ``c`` at an
    event (``call``) the journey does not map.
    """
    _check_evidence(evidence)
    steps = _steps(evidence, steps, "stage")
    by = _by_list(evidence, by)
    return kept_answer(evidence, ("last_seen", tuple(steps), tuple(by)), lambda: _last_seen(evidence, steps, by))


def _last_seen(evidence, steps: list, by: list) -> pd.DataFrame:
    import ibis

    if len(steps) < 2:                  # one step loses nobody
        return pd.DataFrame(columns=[*by, *LAST_SEEN_COLUMNS]).astype({"touchpoint": "str", "step": "str"})
    keys = ["customer_id", *by]
    reach = _reach(evidence, steps, "stage", by)
    lost = [reach[k - 2].select(*keys).anti_join(reach[k - 1].select("customer_id"), "customer_id")
            .mutate(step_index=ibis.literal(k, "int64")) for k in range(2, len(steps) + 1)]
    t = _table(evidence, by)
    narrow = t is getattr(evidence, "narrow", None)
    tp = t._tp if narrow else t.touchpoint
    ends = t.group_by("customer_id").agg(_last=t.position.max())
    last = t.join(ends, (t.customer_id == ends.customer_id) & (t.position == ends._last)) \
        .select(_c=t.customer_id, tp=tp)
    rows = ibis.union(*lost) if len(lost) > 1 else lost[0]
    j = rows.join(last, rows.customer_id == last._c)
    got = to_pandas(j.group_by([*by, "step_index", "tp"]).agg(n=j.customer_id.nunique()))
    names = list(evidence.touchpoints)
    if narrow:              # codes 1 … number of touchpoint rules; none: an event the journey does not map
        codes = [r.name for r in getattr(evidence, "rules", None) or []] or names
        got["tp"] = [codes[int(c) - 1] if pd.notna(c) and 0 < int(c) <= len(codes) else None for c in got["tp"]]
    order = {name: i for i, name in enumerate(names)}
    company = set(getattr(evidence, "company_touchpoints", None) or [])
    got = got.assign(touchpoint=got["tp"].astype("str"),             # missing: NaN, as Parquet reads it back
                     _o=[order.get(v, len(names)) if isinstance(v, str) else len(names) for v in got["tp"]])
    got["company"] = got["touchpoint"].isin(company)
    got["n"] = got["n"].astype("int64")
    group = [*by, "step_index"]
    got["n_lost"] = got.groupby(group, dropna=False)["n"].transform("sum").astype("int64")
    got["step"] = [steps[int(k) - 1] for k in got["step_index"]]
    got = got.sort_values([*by, "step_index", "n", "_o"], ascending=[True] * len(by) + [True, False, True],
                          kind="stable", na_position="last")
    return got[[*by, *LAST_SEEN_COLUMNS]].astype({"step_index": "int64"}).reset_index(drop=True)
