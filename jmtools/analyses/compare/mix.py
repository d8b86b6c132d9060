"""Who was counted at a step: customers who got there through a contact the company started.

A conversion from a step compares the customers counted at that step in two groups. When one
group holds many more customers whom a mailing, a push or an ad shown (``initiated_by:
company``) brought to the step — a mass mailing in one period, say, to people who never
answer — its conversion falls although nothing changed for the others: the change measured is
in who was counted, not in what they met. :func:`company_contacts` lists the company's contacts
of an evidence; :func:`reach_mix` says, per step and group, how many of the customers counted
got there through one, and :func:`mix_changes` which steps differ between the groups.
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.compare.observations import _shown
from jmtools.analyses.compare.twosample import two_proportions
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.funnels.steps import _contact_only_counts
from jmtools.core.engine import kept_answer, to_pandas
from jmtools.core.errors import ParameterError
from jmtools.core.stats import wilson_interval

__all__ = ["MIX_POINTS", "company_contacts", "reach_mix", "mix_changes", "share_words", "company_only_reach"]

#: Two groups whose shares of customers brought to a step by the company differ by this much or
#: more (in share points, 0.10 = 10 points) are said to have been counted differently.
MIX_POINTS = 0.10


def company_contacts(evidence) -> pd.DataFrame | None:
    """The contacts the company started, one row per customer and time.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence

    Returns
    -------
    pandas.DataFrame or None
        ``customer_id`` and ``timestamp`` of every event at a touchpoint marked
        ``initiated_by: company``; None when the journey marks none.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["mail", "view", "view"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> j = {"stages": ["Aware", "Browse"], "touchpoints": [
    ...     {"name": "Mail", "stage": "Aware", "events": ["mail"], "initiated_by": "company"},
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]}]}
    >>> company_contacts(prepare(ev, j))
      customer_id  timestamp
    0           a 2024-01-01
    """
    company = list(getattr(evidence, "company_touchpoints", None) or [])
    if not company:
        return None
    t = evidence.events
    sent = to_pandas(t.filter(t.touchpoint.isin(company)).select("customer_id", "timestamp").distinct())
    sent["customer_id"] = sent["customer_id"].astype(str)
    return sent.sort_values(["customer_id", "timestamp"], kind="stable").reset_index(drop=True)


def company_only_reach(evidence, *, steps=None, level: str = "stage", by=None) -> pd.DataFrame:
    """Per step: the customers the funnel counts there, and how many got a contact the company
    started there but took no step of their own, so that no funnel counts them there (D243).

    A stage where customers act is reached by the customer's own step, in the report's funnel
    and in a comparison alike (:func:`~jmtools.analyses.funnels.customer_reach`); a stage whose
    every touchpoint is the company's (a bill, an ad shown) by the company's contact. A mailing,
    a push or a reminder at a stage where customers act therefore brings nobody there: the
    customers it reached who did not act are counted here, beside the funnel's count, so that a
    reader knows the contact was made. They are the customers counted at the step before (at the
    first step: anyone) who got such a contact at the stage after the step before, and whom the
    funnel does not count at the stage. The rule is the same at the first step: a customer whom
    only a mailing met there is in no step of the funnel, and is counted here.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    steps, level
        As in :func:`~jmtools.analyses.compare.step_observations`.
    by : str or list of str, optional
        Group columns of the evidence (``"persona"``): counted per group.

    Returns
    -------
    pandas.DataFrame
        The by columns first (if any), then ``from_step`` (as readers see it), ``n_funnel``
        (customers the funnel counts) and ``n_contact_only`` (got the company's contact there
        and took no step of their own: not counted; 0 for steps that are not stages, and at a
        stage where only the company acts); one row per group and step, in funnel order.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aaabbb"), "event": ["view", "push", "buy"] + ["view", "push", "open"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"] * 2)})
    >>> j = {"stages": ["Visit", "Try", "Buy"], "touchpoints": [
    ...     {"name": "Site", "stage": "Visit", "events": ["view"]},
    ...     {"name": "Push", "stage": "Try", "events": ["push"], "initiated_by": "company"},
    ...     {"name": "App", "stage": "Try", "events": ["open"]},
    ...     {"name": "Shop", "stage": "Buy", "events": ["buy"]}]}
    >>> company_only_reach(prepare(ev, j))
      from_step  n_funnel  n_contact_only
    0     Visit         2               0
    1       Try         1               1
    2       Buy         0               0

    ``a`` got the push at Try and never opened the app: not counted at Try, nor at Buy after it
    (the strict funnel); ``b`` opened it, and is counted by that step.
    """
    steps = [steps] if isinstance(steps, str) else steps
    if steps is None:
        steps = evidence.mapped_stages if level == "stage" else \
            list(evidence.touchpoints) if level == "touchpoint" else None
    by = [by] if isinstance(by, str) else list(by or [])
    return kept_answer(evidence, ("contacts", tuple(steps or ()), level, tuple(by)),
                       lambda: _company_only_reach(evidence, steps, level, by))


def _company_only_reach(evidence, steps: list, level: str, by: list) -> pd.DataFrame:
    out = _contact_only_counts(evidence, steps, level, by)
    out.insert(len(by), "from_step", [_shown(s) for s in out.pop("step")])
    return out


def reach_mix(split: pd.DataFrame, contacts: pd.DataFrame | None, *, group_col: str = "group") -> pd.DataFrame:
    """Per step and group: the customers counted at the step (its conversion's n) and how many of
    them got there through a contact the company started.

    A conversion observation is timed when the customer reached ``from_step``; the customer got
    there through the company's contact when one of ``contacts`` has that customer and that time.

    Parameters
    ----------
    split : pandas.DataFrame
        Observations with a group column (:func:`~jmtools.analyses.compare.split_by_date` and the
        others); only the ``conversion`` rows are read.
    contacts : pandas.DataFrame or None
        :func:`company_contacts`, with a ``group`` column when each group has its own data (two
        folders). None: no contact the company started, and an empty frame is returned.
    group_col : str, default "group"

    Returns
    -------
    pandas.DataFrame
        ``from_step``, ``group``, ``n`` (customers counted), ``n_company``, ``share`` with Wilson
        ``ci_low``, ``ci_high``; steps in the order they first appear, the split's baseline group
        first.

    Examples
    --------
    >>> obs = pd.DataFrame({"measure": "conversion", "customer_id": ["a", "b", "c"],
    ...                     "from_step": "Aware", "group": ["before", "after", "after"],
    ...                     "timestamp": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-02"])})
    >>> sent = pd.DataFrame({"customer_id": ["b"], "timestamp": pd.to_datetime(["2024-02-01"])})
    >>> reach_mix(obs, sent)[["from_step", "group", "n", "n_company", "share"]]
      from_step   group  n  n_company  share
    0     Aware  before  1          0    0.0
    1     Aware   after  2          1    0.5
    """
    if group_col not in split.columns:
        raise ParameterError("group_col", group_col,
                             expected=f"a column of the split ({', '.join(map(str, split.columns))})", fix="pass the output of split_by_date(), stack_groups() or split_by_customers()")
    columns = ["from_step", group_col, "n", "n_company", "share", "ci_low", "ci_high"]
    conv = split[split["measure"] == "conversion"]
    if contacts is None or not len(conv):
        return pd.DataFrame(columns=columns)
    keys = ["customer_id", "timestamp", *([group_col] if group_col in contacts else [])]
    flagged = contacts[keys].drop_duplicates().assign(_company=True)
    rows = conv[["customer_id", "timestamp", "from_step", group_col]].astype({"customer_id": str})
    rows = rows.merge(flagged, on=keys, how="left")
    rows["_company"] = rows["_company"].fillna(False).astype(bool)
    out = rows.groupby(["from_step", group_col], sort=False).agg(n=("_company", "size"),
                                                                 n_company=("_company", "sum")).reset_index()
    labels = list(split.attrs.get("split", {}).get("labels", [])) + list(dict.fromkeys(out[group_col]))
    order = {g: i for i, g in enumerate(dict.fromkeys(labels))}          # the split's baseline first
    steps = {s: i for i, s in enumerate(dict.fromkeys(conv["from_step"]))}
    out = out.assign(_s=out["from_step"].map(steps), _g=out[group_col].map(order))
    out = out.sort_values(["_s", "_g"], kind="stable").drop(columns=["_s", "_g"]).reset_index(drop=True)
    out["n_company"] = out["n_company"].astype("int64")
    out["share"] = out["n_company"] / out["n"]
    low, high = wilson_interval(out["n_company"].to_numpy(), out["n"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    return out[columns]


def mix_changes(mix: pd.DataFrame, *, points: float = MIX_POINTS, group_col: str = "group") -> pd.DataFrame:
    """The steps whose customers the company brought in shares differing by ``points`` or more
    between the two groups (the first group in ``mix`` is the baseline).

    Returns
    -------
    pandas.DataFrame
        ``from_step``; ``group_a``, ``n_a``, ``n_company_a``, ``share_a`` of the baseline;
        ``group_b``, ``n_b``, ``n_company_b``, ``share_b`` of the other group; ``points``
        (share_b − share_a) with its 95% interval ``ci_low``, ``ci_high`` (Newcombe's, from the
        two shares' Wilson intervals). The largest difference first.

    Examples
    --------
    >>> mix = pd.DataFrame({"from_step": ["Aware", "Aware"], "group": ["before", "after"], "n": [200, 300],
    ...                     "n_company": [20, 180], "share": [0.1, 0.6]})
    >>> mix_changes(mix)[["from_step", "share_a", "share_b", "points"]]
      from_step  share_a  share_b  points
    0     Aware      0.1      0.6     0.5
    >>> mix_changes(mix)[["ci_low", "ci_high"]].round(3).values.tolist()
    [[0.425, 0.564]]
    """
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 <= points <= 1:
        raise ParameterError("points", points, expected="a share difference between 0 and 1",
                             fix="pass e.g. 0.10 (10 points)")
    columns = ["from_step", "group_a", "n_a", "n_company_a", "share_a", "group_b", "n_b", "n_company_b",
               "share_b", "points", "ci_low", "ci_high"]
    groups = list(dict.fromkeys(mix[group_col])) if len(mix) else []
    if len(groups) != 2:
        return pd.DataFrame(columns=columns)
    a = mix[mix[group_col] == groups[0]].set_index("from_step")
    b = mix[mix[group_col] == groups[1]].set_index("from_step")
    both = a.index.intersection(b.index, sort=False)
    out = pd.DataFrame({"from_step": both, "group_a": groups[0], "n_a": a.loc[both, "n"].to_numpy(),
                        "n_company_a": a.loc[both, "n_company"].to_numpy(), "share_a": a.loc[both, "share"].to_numpy(),
                        "group_b": groups[1], "n_b": b.loc[both, "n"].to_numpy(),
                        "n_company_b": b.loc[both, "n_company"].to_numpy(), "share_b": b.loc[both, "share"].to_numpy()})
    out["points"] = out["share_b"] - out["share_a"]
    out = out[out["points"].abs() >= points - 1e-12]
    diffs = [two_proportions(int(r.n_company_a), int(r.n_a), int(r.n_company_b), int(r.n_b))
             for r in out.itertuples()]
    out = out.assign(ci_low=[d.ci_low for d in diffs], ci_high=[d.ci_high for d in diffs])
    return out.reindex(out["points"].abs().sort_values(ascending=False, kind="stable").index)[columns] \
        .reset_index(drop=True)


def share_words(k: int, n: int, *, min_group: int = MIN_GROUP) -> str:
    """``k`` of ``n`` as a whole percent, or in words when ``k`` or ``n − k`` is 1 to
    ``min_group − 1`` customers (their number could be read back from the percent and ``n``).

    Examples
    --------
    >>> share_words(1218, 2030), share_words(3, 1970), share_words(1967, 1970), share_words(0, 1970)
    ('60%', 'fewer than 5', 'all but fewer than 5', '0%')
    """
    if 0 < k < min_group:
        return f"fewer than {min_group}"
    if 0 < n - k < min_group:
        return f"all but fewer than {min_group}"
    return f"{k / n:.0%}"
