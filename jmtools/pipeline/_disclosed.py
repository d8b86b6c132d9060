"""No group under :data:`~jmtools.analyses.disclosure.MIN_GROUP` customers leaves the chain with its numbers.

``min_n`` says how many observations a finding needs to count as evidence; a user may set it
low (2, say) to explore. What a report may *disclose* has its own floor,
:data:`~jmtools.analyses.disclosure.MIN_GROUP` (5 customers), applied here, once, for every
report and notebook that reads a :class:`~jmtools.pipeline.Findings`:

- the rule counts **distinct customers** wherever the data has customer ids: a signal backed by
  six survey answers from two customers is two customers
  (:func:`~jmtools.analyses.disclosure.customers_behind`); without ids it counts rows (fewer
  rows than 5, fewer customers too);
- pain points are compared with ``min_n`` raised to the floor (:func:`disclosure_floor`); a
  persona of 1–4 customers is never flagged (:func:`small_personas`), nor a comparison with
  fewer than 5 customers on either side (:func:`disclosed_comparisons`), so the evidence text
  (``n=…`` per persona), customers affected and stakes do not describe them;
- an emotion-curve point of 1–4 distinct customers loses its numbers (emotion, interval, n,
  sources), and at the same stage the smallest other persona points go too until the hidden
  ones count 5, because the "all customers" point is shown beside them
  (:func:`~jmtools.analyses.disclosure.suppress_small_cells`);
- a survey KPI answered by 1–4 customers loses its value, interval and n.

:func:`disclosure_note` words what was hidden, for the report to show once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import (FUNNEL_GROUPS, MIN_GROUP, customers_behind, protecting_rows,
                                         suppress_small_cells, suppression_note)
from jmtools.core.errors import ParameterError
from jmtools.core.stats import wilson_interval
from jmtools.core.vocabulary import ALL, NO_PERSONA, with_article

__all__ = ["disclosure_floor", "small_personas", "disclosed_comparisons", "disclosed_rows", "disclosed_funnel",
           "disclosed_steps", "disclosure_note", "FEWER", "OTHER", "step_loss", "loss_rates", "disclosed_table",
           "disclosed_shares", "disclosed_paths"]

#: What a table shows in place of a count of 1 to 4 customers.
FEWER = f"fewer than {MIN_GROUP}"
#: The row that pools the rows of 1–4 customers each (:func:`disclosed_table`).
OTHER = f"other (fewer than {MIN_GROUP} customers each)"


def disclosure_floor(min_n: int, min_group: int = MIN_GROUP) -> int:
    """The ``min_n`` pain points are compared with: never below ``min_group``.

    Examples
    --------
    >>> disclosure_floor(2), disclosure_floor(30)
    (5, 30)
    """
    return max(int(min_n), int(min_group))


def small_personas(assignment: pd.DataFrame | None, evidence=None,
                   min_group: int = MIN_GROUP) -> set:
    """Personas of 1 to ``min_group − 1`` customers: in the customer table, or with events.

    Examples
    --------
    >>> sorted(small_personas(pd.DataFrame({"customer_id": list("abcdefg"),
    ...                                     "persona": ["Ben"] * 5 + ["Tiny"] * 2})))
    ['Tiny']
    """
    counts = []
    if assignment is not None:
        counts.append(assignment["persona"].dropna().value_counts())
    sizes = getattr(evidence, "persona_sizes", None)
    if sizes is not None and getattr(evidence, "n_events", 0):
        counts.append(sizes.set_index("persona")["n_customers"])
    return {p for c in counts for p, n in c.items() if 0 < n < min_group}


def disclosed_comparisons(comparisons: pd.DataFrame, small: set,
                          min_group: int = MIN_GROUP) -> pd.DataFrame:
    """The comparisons of ``small`` personas, and those with fewer than ``min_group`` distinct
    customers on either side, never flagged (so never in a pain point's text).

    A signal's ``n`` may count answers or texts, not customers: six survey answers from two
    customers are two customers. The rule reads ``n_customers`` and ``baseline_customers``
    (distinct customers; :func:`~jmtools.analyses.painpoints.compare_signals`) where the data
    has customer ids, else ``n`` and ``baseline_n`` (fewer rows, fewer customers). Returns a
    copy with ``attrs["few_customers"]``: comparisons unflagged for that reason alone.

    Examples
    --------
    >>> c = pd.DataFrame({"persona": ["Ben", "Tiny", "Maya"], "flagged": [True] * 3,
    ...                   "counts": [True] * 3, "n": [40, 9, 6], "n_customers": [40.0, 9.0, 2.0],
    ...                   "baseline_n": [90] * 3, "baseline_customers": [80.0] * 3})
    >>> out = disclosed_comparisons(c, {"Tiny"})
    >>> out["flagged"].tolist(), out.attrs["few_customers"]
    ([True, False, False], 1)
    """
    mine = comparisons["persona"].isin(small).to_numpy() if small else np.zeros(len(comparisons), bool)
    few = (customers_behind(comparisons, "n_customers", "n") < min_group) \
        | (customers_behind(comparisons, "baseline_customers", "baseline_n") < min_group)
    few_only = few & ~mine & comparisons["flagged"].to_numpy(dtype=bool)
    hide = mine | few
    out = comparisons.assign(flagged=comparisons["flagged"] & ~hide, counts=comparisons["counts"] & ~hide)
    out.attrs = {**comparisons.attrs, "few_customers": int(few_only.sum())}
    return out


def disclosed_rows(frame: pd.DataFrame | None, numbers, *, min_group: int = MIN_GROUP,
                   label: tuple[str, str] | None = None) -> pd.DataFrame | None:
    """A table with its rows of 1 to ``min_group − 1`` customers hidden (rows of nobody kept).

    Customers are ``n_customers`` where the table has it, else ``n``
    (:func:`~jmtools.analyses.disclosure.customers_behind`). For tables whose rows are not
    summed elsewhere (a trend per period, a slope per stage); a grid beside its total goes
    through :func:`disclosed_curve`.

    Parameters
    ----------
    frame : pandas.DataFrame or None
    numbers : sequence of str
        Columns made missing in hidden rows (those absent are skipped).
    min_group : int, default 5
    label : (str, str), optional
        A text column and the word it shows in hidden rows (``("direction", "hidden")``).

    Returns
    -------
    pandas.DataFrame or None
        A copy with ``suppressed`` (bool) and ``attrs["hidden_rows"]`` and ``attrs["note"]``
        (:func:`~jmtools.analyses.disclosure.suppression_note`).

    Examples
    --------
    >>> t = pd.DataFrame({"stage": ["A", "B", "C"], "valence": [0.2, -1.0, None], "n": [12, 9, 0],
    ...                   "n_customers": [12, 2, 0]})
    >>> out = disclosed_rows(t, ["valence", "n", "n_customers"])
    >>> out["valence"].tolist(), out["suppressed"].tolist(), out.attrs["note"]
    ([0.2, nan, nan], [False, True, False], '1 group with fewer than 5 customers is listed without its numbers.')
    """
    if frame is None:
        return None
    hidden = _few_counts(customers_behind(frame), min_group)
    out = frame.copy()
    out["suppressed"] = hidden
    _blank(out, numbers, hidden)
    if label is not None and hidden.any():
        out[label[0]] = out[label[0]].astype(object).mask(hidden, label[1])
    out.attrs = {**frame.attrs, "hidden_rows": int(hidden.sum()),
                 "note": suppression_note(int(hidden.sum()), min_group)}
    return out


def disclosed_funnel(funnel: pd.DataFrame) -> pd.DataFrame:
    """The funnel of a focus of 1 to 4 customers: its steps kept, every number missing.

    Returns a copy with ``suppressed`` True on every row (the step names and order stay, so
    a report can say which funnel it does not show).

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2], "step": ["A", "B"], "n": [3, 1], "conversion": [1.0, 0.33]})
    >>> out = disclosed_funnel(f)
    >>> bool(out["n"].isna().all()), out["step"].tolist(), bool(out["suppressed"].all())
    (True, ['A', 'B'], True)
    """
    out = funnel.copy()
    for col in out.columns:
        if col not in ("step_index", "step", "persona") and pd.api.types.is_numeric_dtype(out[col]) \
                and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = np.nan
    out["suppressed"] = True
    return out


#: Funnel columns that give away a step's count (the count itself, or it beside the previous one).
_STEP_NUMBERS = ("n", "conversion", "ci_low", "ci_high", "drop_off", "drop_off_rate", "rate_from_start")
#: Funnel columns that give away the previous step's count.
_AFTER_NUMBERS = ("n_prev", "conversion", "ci_low", "ci_high", "drop_off", "drop_off_rate")


def disclosed_steps(funnel: pd.DataFrame | None, min_group: int = MIN_GROUP, *,
                    also=None) -> pd.DataFrame | None:
    """A funnel whose steps reached by 1 to ``min_group − 1`` customers keep their place, not their numbers.

    A step of 1–4 customers loses ``n``, its conversion and interval, drop-off and share of
    step 1 (the drop-off is the previous count minus its own); the step after it loses what
    reads its count (``n_prev``, conversion, interval, drop-off). A group (``n_customers``) of
    1–4 loses its size, and so does a first step's ``n_prev`` of 1–4 (the customers it starts
    from, when none of them reached it). A step nobody reached stays 0. Works on one group's funnel or one
    split ``by`` persona (the rule reads each row).

    ``also`` (one bool per row) hides more steps the same way: those that would give a smaller
    group's count back from the funnel for all customers
    (:func:`~jmtools.pipeline._disclosed_grid.persona_grid_hidden`, decision D79). Their
    ``step_index`` values (with their persona, and period, in a funnel split by them) are listed
    in ``attrs["protecting"]``: they are not "fewer than 5".
    When a group's first step is hidden, its shares of the first step are hidden too, and so is its
    ``n_prev`` (the first step's own count); when it is hidden to protect another group, so is the
    group's size (``n_customers``, which the first step equals when everyone reaches it).

    Returns
    -------
    pandas.DataFrame or None
        A copy with ``suppressed`` (bool: the step's count is hidden); ``attrs["hidden_steps"]``
        counts them and ``attrs["note"]`` says so ("" when none). Without anything hidden the
        numbers keep their types.

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2, 3], "step": ["A", "B", "C"], "n": [20, 2, 0],
    ...                   "n_customers": [20] * 3, "n_prev": [20, 20, 2],
    ...                   "conversion": [1.0, 0.1, 0.0], "drop_off": [0, 18, 2]})
    >>> out = disclosed_steps(f)
    >>> out[["n", "n_prev", "conversion", "drop_off", "suppressed"]].values.tolist()
    [[20.0, 20.0, 1.0, 0.0, False], [nan, 20.0, nan, nan, True], [0.0, nan, nan, nan, False]]
    >>> out.attrs["note"]
    '1 funnel step reached by fewer than 5 customers is shown as "fewer than 5", without its numbers.'
    >>> g = f.assign(n=[0, 0, 0], n_prev=[3, 0, 0], n_customers=[3] * 3)   # 3 customers, none started
    >>> disclosed_steps(g)[["n", "n_prev", "n_customers"]].iloc[0].tolist()
    [0.0, nan, nan]
    """
    if funnel is None:
        return None
    out = funnel.copy()
    few = _few(funnel, "n", min_group)
    index = funnel["step_index"].to_numpy()
    protecting = (np.asarray(also, dtype=bool) & ~few) if also is not None else np.zeros(len(funnel), bool)
    small = few | protecting
    after = (_few(funnel, "n_prev", min_group) | np.r_[False, small[:-1]]) & (index > 1)
    group = _few(funnel, "n_customers", min_group)
    start = (_few(funnel, "n_prev", min_group) | small) & (index == 1)      # a first step's n_prev is its n
    funnel_of = np.cumsum(index == 1)                                          # which group's funnel a row is in
    first_hidden = pd.Series(small & (index == 1)).groupby(funnel_of).transform("any").to_numpy()
    size = group | pd.Series(protecting & (index == 1)).groupby(funnel_of).transform("any").to_numpy()
    out["suppressed"] = small
    for hide, cols in ((small, _STEP_NUMBERS), (after, _AFTER_NUMBERS), (size, ("n_customers",)),
                       (start, ("n_prev",)), (first_hidden, ("rate_from_start",))):
        _blank(out, cols, hide)
    k, more = int(few.sum()), int(protecting.sum())
    note = "" if not k else (
        f"{k} funnel step{'' if k == 1 else 's'} reached by fewer than {min_group} customers "
        f"{'is' if k == 1 else 'are'} shown as \"fewer than {min_group}\", without "
        f"{'its' if k == 1 else 'their'} numbers.")
    if more:
        note = (note + " " if note else "") + (
            f"{more} {'more ' if k else ''}step{'s are' if more != 1 else ' is'} shown as \"hidden\": with the "
            f"funnel for all customers, {'they' if more != 1 else 'it'} would give back a smaller group's count.")
    groups = [c for c in FUNNEL_GROUPS if c in funnel]       # a funnel by persona (and period): whose step
    who = funnel[groups].astype(object).to_numpy()[protecting]
    keys = ([(*map(str, g), int(i)) for g, i in zip(who, index[protecting])] if groups
            else [int(i) for i in index[protecting]])
    out.attrs = {**funnel.attrs, "hidden_steps": k + more, "min_group": min_group, "note": note,
                 "protecting": keys}
    return out


def step_loss(funnel: pd.DataFrame, min_group: int = MIN_GROUP) -> dict | None:
    """The step where the largest share does not go on (ties: the earlier step), of a disclosed funnel.

    A step of 1 to ``min_group − 1`` customers after a step of ``n_prev`` shown customers
    loses at least ``(n_prev − min_group + 1) / n_prev``: it is ranked by that bound, and
    returned with ``hidden`` True, ``drop_off`` None and that bound as ``drop_off_rate``, so a
    report can say "fewer than 5 of n_prev go on" rather than name a smaller loss elsewhere.
    A step hidden to protect a smaller group (``attrs["protecting"]``) has no such bound and is
    not ranked.

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2, 3], "step": ["A", "B", "C"], "n": [20.0, 18.0, None],
    ...                   "n_prev": [20.0, 20.0, 18.0], "drop_off": [0.0, 2.0, None],
    ...                   "drop_off_rate": [0.0, 0.1, None], "suppressed": [False, False, True]})
    >>> loss = step_loss(f)
    >>> loss["to"], loss["hidden"], round(loss["drop_off_rate"], 3)
    ('C', True, 0.778)
    """
    rate = loss_rates(funnel, min_group)
    steps = funnel.loc[rate.index]
    if not len(steps) or not (steps["n_prev"].fillna(0) > 0).any():
        return None
    if rate.isna().all():
        return None
    w = steps.assign(_rate=rate).sort_values(["_rate", "step_index"], ascending=[False, True]).iloc[0]
    before = funnel.loc[funnel["step_index"] == w["step_index"] - 1, "step"].iloc[0]
    shut = bool(w.get("suppressed", False))
    return {"from": before, "to": w["step"], "drop_off": None if shut else int(w["drop_off"]),
            "n_prev": int(w["n_prev"]), "drop_off_rate": float(w["_rate"]), "hidden": shut}


def loss_rates(funnel: pd.DataFrame, min_group: int = MIN_GROUP) -> pd.Series:
    """The share lost at each step after the first (``step_index`` > 1) of a disclosed funnel, to
    rank losses by: a step shown, its ``drop_off_rate``; a step of 1 to ``min_group − 1``
    customers, the least it loses, ``(n_prev − min_group + 1) / n_prev``; a step hidden to protect
    a smaller group (:func:`~jmtools.analyses.disclosure.protecting_rows`), missing (no bound holds).

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2, 3], "n_prev": [20.0, 20.0, 18.0],
    ...                   "drop_off_rate": [0.0, 0.1, None], "suppressed": [False, False, True]})
    >>> loss_rates(f).round(3).tolist()
    [0.1, 0.778]
    >>> f.attrs["protecting"] = [3]
    >>> loss_rates(f).tolist()
    [0.1, nan]
    """
    later = (funnel["step_index"] > 1).to_numpy()
    steps = funnel[later]
    hidden = steps["suppressed"].to_numpy(bool) if "suppressed" in steps else np.zeros(len(steps), bool)
    bound = (steps["n_prev"] - (min_group - 1)) / steps["n_prev"].where(steps["n_prev"] > 0)
    return steps["drop_off_rate"].astype(float).mask(hidden, bound).mask(protecting_rows(funnel)[later])


def disclosed_table(frame: pd.DataFrame, customers_col: str, *, by=None, pool: str | None = None,
                    within: str | None = None, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """A table of moves, paths or loops without its rows backed by 1 to ``min_group − 1`` customers.

    Such rows are left out. With ``pool`` (a text column, e.g. ``"path"``) and rows that hold
    different customers (each customer has one path), the rows left out of a group (``by``)
    become one row :data:`OTHER` whose ``customers_col`` is their sum, when that sum is
    ``min_group`` or more (its other numbers are missing); else they stay out. Rows that may
    share customers (detours, loops, transitions) are never pooled: their sum would count a
    customer twice.

    Parameters
    ----------
    frame : pandas.DataFrame
    customers_col : str
        The column counting the customers behind a row (``n`` of paths and loops,
        ``n_customers`` of detours and transitions).
    by : str, optional
        The group column (``"persona"``); pooling is per group.
    pool : str, optional
        The text column that names the pooled row.
    within : str, optional
        A column whose rows share a total shown beside them (``from_step``: each move shows
        ``n_from``, the moves out of its step). Per value (and group) with a row left out, the
        smallest other row is left out too, so that the total minus the rows shown is backed by
        ``min_group`` distinct customers or more. The rows may share customers (one customer
        makes two of the moves left out), so their sum can overstate the customers left out;
        the largest row left out cannot, and every other row has ``min_group`` or more.

    Returns
    -------
    pandas.DataFrame
        The rows shown (and pooled rows), in the frame's order, with ``attrs["hidden_rows"]``
        (rows left out or pooled), ``attrs["pooled_rows"]`` and ``attrs["note"]``.

    Examples
    --------
    >>> t = pd.DataFrame({"persona": ["Ben"] * 3 + ["Maya"] * 2, "path": ["A", "A → B", "B", "A", "C"],
    ...                   "n": [30, 3, 4, 12, 1]})
    >>> out = disclosed_table(t, "n", by="persona", pool="path")
    >>> out.values.tolist()
    [['Ben', 'A', 30.0], ['Ben', 'other (fewer than 5 customers each)', 7.0], ['Maya', 'A', 12.0]]
    >>> out.attrs["note"]
    '3 rows backed by fewer than 5 customers each are not shown: 2 are pooled into "other (fewer than 5 customers each)", 1 is left out.'
    >>> m = pd.DataFrame({"from_step": ["A"] * 3, "to_step": ["B", "C", "D"], "n_customers": [30, 6, 2],
    ...                   "n_from": [38] * 3})                      # 38 − 30 − 6 would give the 2
    >>> disclosed_table(m, "n_customers", within="from_step")["to_step"].tolist()
    ['B']
    >>> m = pd.DataFrame({"from_step": ["A"] * 4, "to_step": ["B", "C", "D", "E"],
    ...                   "n_customers": [30, 9, 3, 2]})            # 3 + 2 may be the same 3 customers
    >>> disclosed_table(m, "n_customers", within="from_step")["to_step"].tolist()
    ['B']
    """
    if customers_col not in frame:
        raise ParameterError("customers_col", customers_col, expected=[str(c) for c in frame.columns])
    hidden = few = _few(frame, customers_col, min_group)
    if within is not None:
        keys = (frame[[within, *([by] if by else [])]].astype(str).agg("\x1f".join, axis=1).to_numpy()
                if len(frame) else np.array([], dtype=object))   # no row (nobody moved): no key, not a 2-D frame
        hidden = few.copy()
        who = pd.to_numeric(frame[customers_col], errors="coerce").fillna(0).to_numpy(float)
        for key in pd.unique(keys[few]):                  # the largest row left out: 5 or more
            others = np.flatnonzero((keys == key) & ~few & (who > 0))
            if len(others):
                hidden[others[np.lexsort((others, who[others]))[0]]] = True
    shown = frame[~hidden]
    pooled, parts = 0, []
    if pool is not None and hidden.any():
        small = frame[hidden]
        for key, rows in (small.groupby(by, sort=False, dropna=False) if by else [(None, small)]):
            total = pd.to_numeric(rows[customers_col]).sum()
            if total >= min_group:
                row = {**({by: [key]} if by else {}), pool: [OTHER], customers_col: [float(total)]}
                parts.append(pd.DataFrame(row))
                pooled += len(rows)
    out = pd.concat([shown, *parts], ignore_index=True) if parts else shown.reset_index(drop=True)
    if parts and by:                               # each pooled row after its group's rows
        order = {g: i for i, g in enumerate(dict.fromkeys(frame[by]))}
        out = out.sort_values(by, key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
    k, more = int(few.sum()), int((hidden & ~few).sum())
    note = _table_note(k, pooled, min_group)
    if more:
        note = note[:-1] + (f"; {more} more {'is' if more == 1 else 'are'} left out so that the rows shown and "
                            f"their total do not reveal {'it' if k == 1 else 'them'}.")
    out.attrs = {**frame.attrs, "hidden_rows": k + more, "pooled_rows": pooled, "note": note}
    return out


def disclosed_paths(paths: pd.DataFrame, *, by=None, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Most common paths (:func:`~jmtools.analyses.funnels.top_paths`) without the paths of 1 to
    ``min_group − 1`` customers: pooled into :data:`OTHER` (ranked last, its share of the group
    with a Wilson interval) when they hold ``min_group`` or more together (:func:`disclosed_table`).

    Examples
    --------
    >>> p = pd.DataFrame({"rank": [1, 2, 3], "path": ["A", "A → B", "B"], "n_steps": [1, 2, 1],
    ...                   "n": [30, 3, 4], "n_customers": [40] * 3, "share": [.75, .075, .1]})
    >>> out = disclosed_paths(p)
    >>> out[["rank", "path", "n", "share"]].values.tolist()[1]
    [4, 'other (fewer than 5 customers each)', 7.0, 0.175]
    """
    out = disclosed_table(paths, "n", by=by, pool="path", min_group=min_group)
    pooled = (out["path"] == OTHER).to_numpy()
    if not pooled.any():
        return out
    keys = out[by] if by else pd.Series(0, index=out.index)
    src = paths[by] if by else pd.Series(0, index=paths.index)
    total = keys.map(paths.groupby(src)["n_customers"].first())
    out.loc[pooled, "n_customers"] = total[pooled]
    out.loc[pooled, "rank"] = keys[pooled].map(paths.groupby(src)["rank"].max() + 1)
    out.loc[pooled, "share"] = out.loc[pooled, "n"] / out.loc[pooled, "n_customers"]
    bounds = [wilson_interval(int(k), int(n)) for k, n in out.loc[pooled, ["n", "n_customers"]].to_numpy()]
    if "ci_low" in out:
        out.loc[pooled, ["ci_low", "ci_high"]] = bounds
    out["rank"] = out["rank"].astype("int64")
    return out


def disclosed_shares(frame: pd.DataFrame, count_col: str = "n", *, by=None,
                     numbers=("share", "ci_low", "ci_high"), min_group: int = MIN_GROUP,
                     first=(NO_PERSONA,), label: str = "persona", people_col: str | None = None) -> pd.DataFrame:
    """Rows that split a group's customers (how far each gets): those of 1 to ``min_group − 1``
    customers lose their numbers, and so do the smallest others of the group until the hidden
    ones count ``min_group`` (the group's size is shown: it minus the rest would give them away;
    :func:`~jmtools.analyses.disclosure.suppress_small_cells`).

    Rows whose ``label`` is in ``first`` are chosen first to protect a smaller row: by default
    the "(no persona)" size, so that no persona is chosen while customers in no persona can
    protect (a persona's own report prints its size). Whoever shows the coverage hides the
    no-persona count then too (:func:`~jmtools.pipeline.disclosed_coverage` with ``sizes=``;
    :func:`~jmtools.pipeline.size_protectors` names the rows chosen).

    Returns a copy with ``count_col`` and ``numbers`` missing in ``suppressed`` rows,
    ``attrs["note"]`` and ``attrs["few_rows"]`` (positions of the rows hidden for their own
    1–4 customers; the other suppressed rows are hidden because they would reveal them).

    ``people_col``: where a row's count is not of people (journeys per claim, D253), the column of
    the customers behind it; the rule then reads that count, and both are hidden together.

    Examples
    --------
    >>> t = pd.DataFrame({"step": ["(none)", "A", "B"], "n": [2, 30, 9], "share": [.05, .73, .22]})
    >>> out = disclosed_shares(t)
    >>> out["n"].tolist(), out["suppressed"].tolist()
    ([nan, 30.0, nan], [True, False, True])
    >>> out.attrs["note"]
    "1 row of fewer than 5 customers is shown without numbers, and 1 more so that the group's total does not reveal it."
    >>> s = pd.DataFrame({"persona": ["Lou", "Ben", "Walt", "(no persona)"], "n": [3, 1055, 900, 98]})
    >>> disclosed_shares(s, numbers=())["suppressed"].tolist()   # (no persona) protects Lou, not Walt
    [True, False, False, True]
    >>> claims = pd.DataFrame({"persona": ["A", "B", "(no persona)"], "n": [9, 40, 30], "people": [3, 30, 25]})
    >>> disclosed_shares(claims, numbers=(), people_col="people")[["n", "people"]].isna().all(axis=1).tolist()
    [True, False, True]
    """
    cells = frame.assign(_row=frame[by].astype(str) if by else "", _col=np.arange(len(frame)))
    ahead = (frame[label].astype(str).isin([str(x) for x in first]).to_numpy()
             if label in frame and len(first) else None)
    grid = suppress_small_cells(cells, row_col="_row", column_col="_col", n_col=count_col,
                                customers_col=people_col or count_col, min_n=min_group, first=ahead)
    hidden = grid["suppressed"].to_numpy(bool)
    out = frame.copy()
    out["suppressed"] = hidden
    _blank(out, (count_col, *numbers, *([people_col] if people_col else [])), hidden)
    why = grid["suppressed_why"]
    small, more = int((why == "fewer customers").sum()), int((why == "reveals another").sum())
    note = "" if not hidden.any() else (
        f"{small} row{'s' if small != 1 else ''} of fewer than {min_group} customers "
        f"{'are' if small != 1 else 'is'} shown without numbers" + (
            f", and {more} more so that the group's total does not reveal {'it' if small == 1 else 'them'}"
            if more else "") + ".")
    out.attrs = {**frame.attrs, "hidden_rows": int(hidden.sum()), "note": note,
                 "few_rows": np.flatnonzero((why == "fewer customers").to_numpy()).tolist()}
    return out


def _table_note(k: int, pooled: int, min_group: int) -> str:
    if not k:
        return ""
    head = (f"{k} row{'s' if k != 1 else ''} backed by fewer than {min_group} customers each "
            f"{'are' if k != 1 else 'is'} not shown")
    if not pooled:
        return head + "."
    rest = k - pooled
    tail = f", {rest} {'is' if rest == 1 else 'are'} left out" if rest else ""
    return head + f": {pooled} {'is' if pooled == 1 else 'are'} pooled into \"{OTHER}\"{tail}."


def _few(frame: pd.DataFrame, col: str, min_group: int) -> np.ndarray:
    """Rows whose ``col`` counts 1 to ``min_group − 1`` (False where the column is absent)."""
    if col not in frame:
        return np.zeros(len(frame), bool)
    return _few_counts(pd.to_numeric(frame[col], errors="coerce"), min_group)


def _few_counts(counts, min_group: int) -> np.ndarray:
    """Which ``counts`` are 1 to ``min_group − 1`` (missing: no)."""
    n = np.asarray(counts, dtype=float)
    return (np.nan_to_num(n) > 0) & (n < min_group)


def _blank(out: pd.DataFrame, columns, hidden) -> None:
    """Make ``columns`` of ``out`` (those it has) missing in ``hidden`` rows, in place; nothing
    hidden: the columns keep their types."""
    if not np.any(hidden):
        return
    for col in columns:
        if col in out:
            out[col] = out[col].astype(float).mask(hidden)


def disclosure_note(min_n: int, curve: pd.DataFrame | None, small: set = frozenset(),
                    kpis: pd.DataFrame | None = None, min_group: int = MIN_GROUP,
                    few_customers: int = 0, hidden_focus: str = "", funnel_steps: int = 0,
                    focus_protects: bool = False, many: str = "customers") -> str:
    """What the report hides so that no group of fewer than ``min_group`` customers is shown ("" if nothing);
    ``many`` names what a group counts, "accounts" with an actor column (D256, D262).

    ``few_customers``: comparisons not made because a side had fewer than ``min_group``
    distinct customers although it had enough answers or texts
    (``attrs["few_customers"]`` of :func:`disclosed_comparisons`). ``hidden_focus``: the name
    of the report's persona when it has 1 to ``min_group − 1`` customers, or (``focus_protects``)
    when its size is hidden in the persona sizes to protect a smaller persona's. ``funnel_steps``:
    steps of the focus's funnel reached by 1 to ``min_group − 1`` customers
    (``attrs["hidden_steps"]`` of :func:`disclosed_steps`).

    Examples
    --------
    >>> disclosure_note(2, None)
    'No group of fewer than 5 customers is shown (a customer counts once, however many answers or texts they wrote): pain points are compared only where each side has 5 or more (min_n = 2 was raised to 5 for them).'
    >>> disclosure_note(30, None)
    ''
    >>> disclosure_note(30, None, few_customers=2)  # doctest: +ELLIPSIS
    '... 2 pain-point comparisons with fewer than 5 customers on a side are not made.'
    >>> disclosure_note(30, None, few_customers=1, many="accounts")
    'No group of fewer than 5 accounts is shown (an account counts once, however many answers or texts its users wrote): 1 pain-point comparison with fewer than 5 accounts on a side is not made.'
    """
    parts = []
    if hidden_focus:
        why = (f"{hidden_focus}'s size would give back the size of a smaller persona (hidden in the persona "
               "sizes)" if focus_protects else f"{hidden_focus} has fewer than {min_group} customers")
        hidden = ("its size, funnel and the map's measured numbers are" if focus_protects else
                  "its size, funnel, survey KPIs, emotion curve and map numbers are")
        parts.append(f"{why}, so {hidden} not shown")
    if min_n < min_group:
        parts.append(f"pain points are compared only where each side has {min_group} or more "
                     f"(min_n = {min_n} was raised to {min_group} for them)")
    if small:
        parts.append(f"{len(small)} persona{'s' if len(small) != 1 else ''} of fewer than {min_group} "
                     f"customers {'are' if len(small) != 1 else 'is'} not compared for pain points")
    if few_customers:
        one = few_customers == 1
        parts.append(f"{few_customers} pain-point comparison{'' if one else 's'} with fewer than "
                     f"{min_group} customers on a side {'is' if one else 'are'} not made")
    if funnel_steps:
        one = funnel_steps == 1
        parts.append(f"{funnel_steps} funnel step{'' if one else 's'} reached by fewer than {min_group} "
                     f"customers (or that would reveal such a group) {'is' if one else 'are'} shown without "
                     f"{'its' if one else 'their'} numbers")
    hidden = int(curve.attrs.get("hidden_points", 0)) if curve is not None else 0
    if hidden:
        parts.append(f"{hidden} point{'s' if hidden != 1 else ''} of the emotion curve "
                     f"{'are' if hidden != 1 else 'is'} left out (a persona of fewer than {min_group} "
                     "customers at a stage, or one that would reveal it)")
    rows = int(kpis.attrs.get("hidden_rows", 0)) if kpis is not None else 0
    if rows:
        parts.append(f"{rows} survey KPI{'s' if rows != 1 else ''} {'are' if rows != 1 else 'is'} shown as "
                     f"hidden (fewer than {min_group} customers answered, or one that would reveal such a group)")
    if not parts:
        return ""
    once = ("a customer counts once, however many answers or texts they wrote" if many == "customers" else
            f"{with_article(many.removesuffix('s'))} counts once, however many answers or texts its users wrote")
    said = f"No group of fewer than {min_group} customers is shown ({once}): " + "; ".join(parts) + "."
    return said if many == "customers" else said.replace(f"{min_group} customers", f"{min_group} {many}")
