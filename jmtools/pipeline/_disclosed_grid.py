"""The persona grid: a persona's numbers shown beside the total for all customers (decision D78).

Per place (a stage, a touchpoint, a stage's KPI) the persona cells and the "all customers"
total form one row of a grid. A cell of 1 to ``MIN_GROUP − 1`` customers is hidden, and so are
others until the total minus what is shown gives no small group back. Each persona's report
shows its own cells of the same grid, so the reports read together disclose no more than the
report for all customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, customers_behind, suppress_small_cells, suppression_note
from jmtools.core.vocabulary import ALL, NO_PERSONA
from jmtools.pipeline._disclosed import _blank, _few_counts, disclosed_steps

__all__ = ["persona_grid_hidden", "funnel_grid_hidden", "disclosed_persona_steps", "disclosed_beside_funnel",
           "disclosed_beside_hidden_counts", "disclosed_curve", "disclosed_kpis"]

#: Curve columns that describe the customers of a point.
_CURVE_NUMBERS = ("valence", "n", "n_customers", "n_evidence", "ci_low", "ci_high")


def disclosed_curve(curve: pd.DataFrame | None, min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """The emotion curve with points of 1 to ``min_group − 1`` customers hidden (and what reveals them).

    Per stage (per touchpoint for a curve by touchpoint), the persona points are a row of a
    grid beside the "all customers" point
    (:func:`~jmtools.analyses.disclosure.suppress_small_cells`). Returns a copy with ``suppressed`` (bool) and ``attrs["hidden_points"]``; the rows stay,
    their numbers are missing and ``sources`` says "hidden".

    Examples
    --------
    >>> c = pd.DataFrame({"persona": ["all", "Ben", "Tiny", "all", "Ben", "Tiny"],
    ...                   "stage": ["A", "A", "A", "B", "B", "B"], "valence": [0.1] * 6,
    ...                   "n": [50, 47, 3, 40, 40, 0], "n_customers": [50, 47, 3, 40, 40, 0],
    ...                   "sources": ["s"] * 6})
    >>> out = disclosed_curve(c)
    >>> out[["persona", "stage", "n", "suppressed"]].values.tolist()[:3]
    [['all', 'A', 50.0, False], ['Ben', 'A', nan, True], ['Tiny', 'A', nan, True]]
    >>> out.attrs["hidden_points"]
    2
    """
    if curve is None:
        return None
    place = curve["stage"].astype(str)             # a touchpoint curve: one row per touchpoint
    if "touchpoint" in curve:
        place = place + "\x1f" + curve["touchpoint"].astype(object).where(curve["touchpoint"].notna(), "").astype(str)
    hidden = pd.Series(persona_grid_hidden(curve, place, min_group=min_group), index=curve.index)
    out = curve.copy()
    out.attrs = {**curve.attrs, "hidden_points": int(hidden.sum()), "min_group": min_group}
    out["suppressed"] = hidden.to_numpy()
    if not hidden.any():                      # nothing hidden: the numbers keep their types
        return out
    _blank(out, _CURVE_NUMBERS, hidden.to_numpy())
    if "sources" in out:
        out["sources"] = out["sources"].astype(object).mask(hidden.to_numpy(), "hidden")
    return out


def persona_grid_hidden(frame: pd.DataFrame, place, *, min_group: int = MIN_GROUP,
                        count: str | None = None) -> np.ndarray:
    """Which persona rows of ``frame`` to hide: per place, the persona cells beside the "all
    customers" row (:data:`~jmtools.core.vocabulary.ALL`) form a grid row.

    A cell of 1 to ``min_group − 1`` customers is hidden, and so are others until the hidden
    ones hold ``min_group`` or more (:func:`~jmtools.analyses.disclosure.suppress_small_cells`):
    the total minus the cells shown then gives no small group back. The customers of the
    place in no persona (the total minus the personas' cells, when positive) are one more cell,
    never shown and hidden first, so a small group among them counts too. Each persona's own
    report shows its rows of this same grid, so the reports read together give back no more
    than the report for all customers (decision D78).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``persona`` and ``n_customers`` (or ``n``) per row; the "all" rows are the totals.
    place : sequence
        One key per row naming its place (a stage, a stage and KPI, a funnel step…).
    count : str, optional
        The column counting a cell's customers (default ``n_customers``, else ``n``; a funnel's
        is ``n``, the customers reaching the step).

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> f = pd.DataFrame({"persona": ["all", "A", "B", "all", "A", "B"], "stage": list("xxxyyy"),
    ...                   "n": [50, 47, 3, 40, 33, 0]})
    >>> persona_grid_hidden(f, f["stage"]).tolist()   # y: 7 customers in no persona
    [False, True, True, False, False, False]
    """
    who = count or ("n_customers" if "n_customers" in frame else "n")
    place = np.asarray(place, dtype=object)
    mine = (frame["persona"].astype(object) != ALL).to_numpy()
    counts = pd.to_numeric(frame[who], errors="coerce").fillna(0).to_numpy(dtype=float)
    cells = pd.DataFrame({"_place": place[mine], "persona": frame["persona"].astype(object).to_numpy()[mine],
                          who: counts[mine], "_i": np.flatnonzero(mine), "_first": False})
    totals = pd.Series(counts[~mine], index=place[~mine]).groupby(level=0).max()
    rest = (totals - cells.groupby("_place")[who].sum().reindex(totals.index, fill_value=0)).clip(lower=0)
    rest = rest[rest > 0]
    if len(rest):
        cells = pd.concat([cells, pd.DataFrame({"_place": rest.index, "persona": NO_PERSONA, who: rest.to_numpy(),
                                                "_i": -1, "_first": True})], ignore_index=True)
    hidden = np.zeros(len(frame), bool)
    if not len(cells):
        return hidden
    grid = suppress_small_cells(cells, row_col="_place", column_col="persona", n_col=who, customers_col=who,
                                min_n=min_group, first=cells["_first"].to_numpy(bool))
    rows = grid.loc[grid["suppressed"] & (grid["_i"] >= 0), "_i"].to_numpy(dtype=int)
    hidden[rows] = True
    return hidden


def disclosed_kpis(kpis: pd.DataFrame | None, min_group: int = MIN_GROUP, *,
                   also=None) -> pd.DataFrame | None:
    """Survey KPIs with the rows of 1 to ``min_group − 1`` customers hidden.

    Customers are ``n_customers`` (distinct customers who answered) where the frame has it,
    else ``n`` (answers: fewer answers, fewer customers). ``also`` (one bool per row) hides
    more rows: those that would give another one back (:func:`persona_grid_hidden`). Returns a copy with ``suppressed``
    (bool); ``value``, ``ci_low``, ``ci_high``, ``n`` and ``n_customers`` are missing in
    suppressed rows, ``attrs["hidden_rows"]`` counts them and ``attrs["note"]`` says so.

    Examples
    --------
    >>> k = pd.DataFrame({"stage": ["A", "B", "C", "D"], "kpi": ["nps"] * 4,
    ...                   "value": [20.0, -100.0, None, 10.0], "n": [40, 2, 0, 12],
    ...                   "n_customers": [38, 2, 0, 3],
    ...                   "ci_low": [5.0, -100.0, None, 0.0], "ci_high": [35.0, 0.0, None, 30.0]})
    >>> out = disclosed_kpis(k)
    >>> out["value"].tolist()[:2], out["suppressed"].tolist(), out.attrs["hidden_rows"]
    ([20.0, nan], [False, True, False, True], 2)
    """
    if kpis is None:
        return None
    few = _few_counts(customers_behind(kpis, "n_customers", "n"), min_group)
    hidden = few | np.asarray(also, dtype=bool) if also is not None else few
    more = int((hidden & ~few).sum())
    out = kpis.copy()
    out["suppressed"] = hidden
    note = suppression_note(int(few.sum()), min_group)
    if more:
        note = (note + " " if note else "") + (f"{more} more KPI{'s are' if more != 1 else ' is'} hidden so that "
                                              "the total for all customers gives no small group back.")
    out.attrs = {**kpis.attrs, "hidden_rows": int(hidden.sum()), "min_group": min_group, "note": note}
    _blank(out, ("value", "ci_low", "ci_high", "n", "n_customers"), hidden)
    return out


def funnel_grid_hidden(grid: pd.DataFrame, *, min_group: int = MIN_GROUP, already=None) -> np.ndarray:
    """Which persona steps of a funnel grid to hide so that, beside the funnel for all customers,
    neither a step's count nor its drop-off gives a group of 1 to ``min_group − 1`` back.

    The counts reaching each step form one grid (:func:`persona_grid_hidden`, by ``n``). A
    persona's drop-off at a step is its previous count minus its own, so it is hidden with
    either; the drop-offs form a second grid beside the total drop-off. Where the drop-offs
    hidden there add up to 1 to ``min_group − 1`` (the total minus those shown), the smallest
    shown drop-off's step is hidden too, until none does (decision D79).

    Parameters
    ----------
    grid : pandas.DataFrame
        ``persona``, ``step_index`` and ``n`` (customers reaching the step), the rows of each
        group in step order; the "all" rows (:data:`~jmtools.core.vocabulary.ALL`) are the
        funnel for all customers.
    already : sequence of bool, optional
        One per row: cells shown nowhere anyway (the steps of a persona whose report hides its
        funnel). They count among the hidden cells, as the customers in no persona do.

    Returns
    -------
    numpy.ndarray of bool
        One per row: its count (and what reads it) is hidden. The "all" rows never are.

    Examples
    --------
    >>> g = pd.DataFrame({"persona": ["all"] * 2 + ["A"] * 2 + ["B"] * 2 + ["C"] * 2 + ["Lou"] * 2,
    ...                   "step_index": [1, 2] * 5, "n": [64, 52, 30, 29, 20, 12, 10, 9, 4, 2]})
    >>> h = funnel_grid_hidden(g)   # Lou's 4, and C's 10 beside them; C and Lou lose 3 at step 2
    >>> g.loc[h, ["persona", "step_index"]].values.tolist()   # so A's and B's drop-offs there go too
    [['A', 2], ['B', 2], ['C', 1], ['C', 2], ['Lou', 1], ['Lou', 2]]
    >>> n = pd.DataFrame({"persona": ["all"] * 2 + ["A"] * 2 + [None] * 2, "step_index": [1, 2] * 3,
    ...                   "n": [50, 40, 30, 22, 20, 18]})
    >>> funnel_grid_hidden(n).any()     # the customers in no persona lose 2, shown: nothing to hide
    np.False_
    """
    base = np.zeros(len(grid), bool) if already is None else np.asarray(already, dtype=bool)
    hidden = base.copy()          # the cells left in the grid; those hidden anyway fall into its remainder
    hidden[~base] = persona_grid_hidden(grid[~base], grid["step_index"][~base], min_group=min_group, count="n")
    persona = grid["persona"].astype(object).fillna(NO_PERSONA).to_numpy()   # no persona: one group, too
    index = grid["step_index"].to_numpy()
    n = pd.to_numeric(grid["n"], errors="coerce").fillna(0).to_numpy(dtype=float)
    later = np.r_[False, index[1:] > 1] & np.r_[False, persona[1:] == persona[:-1]]
    drop = np.where(later, np.r_[0.0, n[:-1]] - n, 0.0)
    mine = persona != ALL
    for _ in range(len(grid)):                     # each pass hides one more step; none left: done
        added = False
        for k in np.unique(index[later]):          # in step order: a step hidden before counts here
            unknown = mine & later & (hidden | np.r_[False, hidden[:-1]])
            at = index == k
            total = drop[at & ~mine].max(initial=0.0)
            rest = total - drop[at & mine & ~unknown].sum()
            if not 0 < rest < min_group:
                continue
            shown = np.flatnonzero(at & mine & ~unknown & (drop > 0))
            if not len(shown):
                continue
            pick = shown[np.argmin(drop[shown])]
            hidden[pick] = added = True
        if not added:
            return hidden
    return hidden


def disclosed_persona_steps(by: pd.DataFrame | None, overall: pd.DataFrame | None, *, hidden=frozenset(),
                            min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """A funnel split by persona through :func:`~jmtools.pipeline._disclosed.disclosed_steps`,
    with the steps that, beside the funnel for all customers (``overall``), would give a smaller
    group back hidden too (:func:`funnel_grid_hidden`).

    Parameters
    ----------
    by : pandas.DataFrame or None
        :func:`~jmtools.analyses.funnels.funnel` with ``by="persona"``, raw. Without a
        ``persona`` column it goes through ``disclosed_steps`` alone.
    overall : pandas.DataFrame or None
        The same funnel for all customers, raw (None: no grid).
    hidden : set of str
        Personas shown without numbers anyway (:func:`~jmtools.pipeline.hidden_personas`).

    Returns
    -------
    pandas.DataFrame or None
        As ``disclosed_steps``; ``attrs["protecting"]`` lists the (persona, step index) pairs
        hidden for the grid (:func:`~jmtools.pipeline._disclosed.protecting_rows`).

    Examples
    --------
    >>> all_ = pd.DataFrame({"step_index": [1, 2], "step": ["A", "B"], "n": [64, 52]})
    >>> by = pd.DataFrame({"persona": ["A", "A", "B", "B", "Lou", "Lou"], "step_index": [1, 2] * 3,
    ...                    "step": ["A", "B"] * 3, "n": [30, 29, 30, 21, 4, 2]})
    >>> out = disclosed_persona_steps(by, all_, hidden={"Lou"})   # 64 − 30 − 30 would be Lou's 4
    >>> out["suppressed"].tolist(), out.attrs["protecting"]
    ([True, False, False, True, True, True], [('A', 1), ('B', 2)])
    """
    if by is None or overall is None or "persona" not in by:
        return disclosed_steps(by, min_group)
    persona = by["persona"].astype(object)
    grid = pd.concat([overall[["step_index", "n"]].assign(persona=ALL),
                      by[["step_index", "n"]].assign(persona=persona.to_numpy())], ignore_index=True)
    already = np.r_[np.zeros(len(overall), bool), persona.isin(set(hidden)).to_numpy()]
    protect = funnel_grid_hidden(grid, min_group=min_group, already=already)[len(overall):]
    return disclosed_steps(by, min_group, also=protect & ~already[len(overall):])


def disclosed_beside_funnel(frame: pd.DataFrame | None, funnel: pd.DataFrame | None) -> pd.DataFrame | None:
    """A furthest-step or time-between table shown beside a disclosed funnel: nothing the funnel
    hides comes back from it.

    A time-between row (``from_step``) for step *k* counts the customers reaching *k* (the
    funnel's ``n``): hidden where the funnel hides step *k*. A furthest-step row for step *k*
    counts those reaching *k* but not *k + 1* (``n`` at *k* minus ``n`` at *k + 1*; the last step:
    its ``n``; step 0: the group minus step 1): hidden where either count is hidden. Rows match
    by ``persona`` (where both have it) and ``step_index``.

    Returns
    -------
    pandas.DataFrame or None
        A copy; the rows hidden here lose every number but ``step_index`` and are marked
        ``suppressed``; ``attrs["note"]`` says how many.

    Examples
    --------
    >>> fun = pd.DataFrame({"persona": ["A"] * 3, "step_index": [1, 2, 3], "n": [40.0, None, 12.0],
    ...                     "suppressed": [False, True, False]})
    >>> far = pd.DataFrame({"persona": ["A"] * 4, "step_index": [0, 1, 2, 3], "n": [0, 9, 19, 12]})
    >>> disclosed_beside_funnel(far, fun)["n"].tolist()   # 1 and 2 read the hidden step 2
    [0.0, nan, nan, 12.0]
    """
    if frame is None or funnel is None or "suppressed" not in funnel or not len(frame):
        return frame
    key = ["persona"] if "persona" in frame and "persona" in funnel else []
    shut = funnel.loc[funnel["suppressed"].to_numpy(bool), key + ["step_index"]]
    hidden_at = {tuple(r) for r in shut.astype({"step_index": int}).astype(object).itertuples(index=False)}
    rows = frame[key + ["step_index"]].astype(object).itertuples(index=False)
    if "from_step" in frame:
        gone = [tuple(r) in hidden_at for r in rows]
    else:
        gone = [any((*r[:-1], int(r[-1]) + d) in hidden_at for d in (0, 1)) for r in rows]
    return _without_numbers(frame, np.asarray(gone, dtype=bool), "the funnel hides a step {they} would give back")


def disclosed_beside_hidden_counts(frame: pd.DataFrame | None, funnel: pd.DataFrame | None,
                                   counts: pd.DataFrame | None, *, count_col: str) -> pd.DataFrame | None:
    """A table of customers per touchpoint (a loop's ``n_visitors``, a detour's ``n_at_from``) shown
    beside a disclosed funnel by persona: a row whose count equals a count the funnel hides for the
    same persona loses its numbers (decision D81).

    A touchpoint's visitors can be its stage's reach (a stage whose customers all pass one
    touchpoint); where they are for every persona shown, a reader takes the hidden persona's
    visitors for its hidden reach, and the total gives the smaller group back by subtraction.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        ``persona`` and ``count_col`` per row.
    funnel : pandas.DataFrame or None
        The funnel by persona as shown (``suppressed`` marks its hidden steps).
    counts : pandas.DataFrame or None
        The same funnel, raw (its ``n``), row for row.

    Returns
    -------
    pandas.DataFrame or None
        As :func:`disclosed_beside_funnel`.

    Examples
    --------
    >>> raw = pd.DataFrame({"persona": ["A", "A", "B", "B"], "step_index": [1, 2, 1, 2], "n": [98, 84, 50, 40]})
    >>> shown = raw.assign(suppressed=[False, True, False, False])
    >>> loops = pd.DataFrame({"persona": ["A", "A", "B"], "step": ["Home", "Product", "Product"],
    ...                       "n_visitors": [60, 84, 40], "n": [9, 67, 20]})
    >>> disclosed_beside_hidden_counts(loops, shown, raw, count_col="n_visitors")["n"].tolist()
    [9.0, nan, 20.0]
    """
    if (frame is None or funnel is None or counts is None or "suppressed" not in funnel or not len(frame)
            or "persona" not in frame or "persona" not in counts):
        return frame
    shut = funnel["suppressed"].to_numpy(bool)
    hidden = set(zip(counts["persona"].astype(object)[shut], pd.to_numeric(counts["n"])[shut]))
    gone = [(p, v) in hidden for p, v in zip(frame["persona"].astype(object), pd.to_numeric(frame[count_col]))]
    return _without_numbers(frame, np.asarray(gone, dtype=bool), "{they} would give back a count the funnel hides")


def _without_numbers(frame: pd.DataFrame, gone: np.ndarray, why: str) -> pd.DataFrame:
    """A copy of ``frame`` whose ``gone`` rows lose every number but ``step_index`` and are marked
    ``suppressed``; the note counts those newly hidden and says ``why`` ("{they}": it, they)."""
    before = frame["suppressed"].to_numpy(bool) if "suppressed" in frame else np.zeros(len(frame), bool)
    more = gone & ~before
    out = frame.copy()
    out["suppressed"] = before | gone
    numbers = [c for c in frame.columns if c not in ("step_index", "suppressed")
               and pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    _blank(out, numbers, more)
    k = int(more.sum())
    if k:
        said = (f"{k} more row{'s' if k != 1 else ''} {'are' if k != 1 else 'is'} shown without numbers: "
                + why.format(they="they" if k != 1 else "it") + ".")
        out.attrs = {**frame.attrs, "note": " ".join(x for x in (frame.attrs.get("note", ""), said) if x)}
    return out
