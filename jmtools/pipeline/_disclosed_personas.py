"""Persona profiles (notebook 01) through the disclosure rule: a persona of 1–4 customers is
listed, its numbers are not.

Notebook 01 profiles personas from the customer table itself (sizes, attributes, KPIs,
typical events), without :func:`~jmtools.pipeline.run`. The sizes are one row of a grid beside
the customer table's total, so they take the complementary rule
(:func:`~jmtools.pipeline._disclosed.disclosed_shares`); the other tables lose the numbers of
the small personas' rows (:func:`disclosed_persona_rows`), and of any row counting 1–4
customers (an event done by 2 customers of a large persona).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, suppress_small_cells
from jmtools.core.vocabulary import NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.pipeline._disclosed import FEWER, _blank, _few, _few_counts, disclosed_shares

__all__ = ["disclosed_persona_rows", "disclosed_persona_counts", "disclosed_by_persona", "disclosed_levels",
           "disclosed_overlaps", "disclosed_crosstab", "disclosed_coverage", "SOME_PERSONA",
           "size_protectors", "hidden_personas"]


#: KPIs of :func:`~jmtools.personas.persona_kpis` that are shares: value × n counts a group.
_SHARE_KPIS = ("conversion", "csat_top2")


def disclosed_persona_rows(frame: pd.DataFrame | None, small, *, count_col: str | None = None,
                           keep=("base_value", "base_n", "base_share", "total", "rank"),
                           min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """Rows of the ``small`` personas (and rows whose ``count_col`` is 1 to ``min_group − 1``)
    without their numbers.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        A table with a ``persona`` column (:func:`~jmtools.personas.persona_kpis`,
        :func:`~jmtools.personas.attribute_profile`, :func:`~jmtools.personas.typical_events`).
    small : collection of str
        Personas of 1 to ``min_group − 1`` customers
        (:func:`~jmtools.pipeline._disclosed.small_personas`).
    count_col : str, optional
        A column counting the customers behind a row (``n`` of typical events, ``n_customers``
        of KPIs). A KPI that is a share (conversion, share of CSAT 4–5) whose numerator is 1 to
        ``min_group − 1`` is hidden too.
    keep : sequence of str
        Numeric columns that describe everybody (the base) or an order, left as they are.

    Returns
    -------
    pandas.DataFrame or None
        A copy with every other numeric column missing in those rows, ``suppressed`` (bool)
        and ``attrs["note"]`` ("" when nothing was hidden). A frame already through the rule
        (``disclosed_steps``, ``disclosed_shares``…) keeps the rows it marked ``suppressed``
        and its note, before this one.

    Examples
    --------
    >>> k = pd.DataFrame({"persona": ["Ben", "Tiny", "Ben"], "kpi": ["nps", "nps", "csat"],
    ...                   "value": [20.0, -50.0, 4.1], "n": [300, 3, 280], "base_value": [15.0] * 3})
    >>> out = disclosed_persona_rows(k, {"Tiny"})
    >>> out["value"].tolist(), out["base_value"].tolist()
    ([20.0, nan, 4.1], [15.0, 15.0, 15.0])
    >>> out.attrs["note"]
    '1 persona of fewer than 5 customers is listed without its numbers.'
    """
    if frame is None:
        return None
    mine = frame["persona"].astype(object).isin(set(small)).to_numpy()
    few = np.zeros(len(frame), bool)
    if count_col is not None:
        few = _few(frame, count_col, min_group)
    if "kpi" in frame:                  # a share of 1–4 (2 of 40 converted) names those customers
        k = (frame["value"].astype(float) * frame["n"].astype(float)).round().to_numpy()
        few |= frame["kpi"].isin(_SHARE_KPIS).to_numpy() & _few_counts(k, min_group)
    hidden = mine | few
    out = frame.copy()
    out["suppressed"] = hidden | (frame["suppressed"].to_numpy(bool) if "suppressed" in frame else False)
    _blank(out, [c for c in out.columns if c not in keep and c != "suppressed"
                 and pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])], hidden)
    k = len(set(frame.loc[mine, "persona"])) if mine.any() else 0
    parts = [f"{k} persona{'s' if k != 1 else ''} of fewer than {min_group} customers "
             f"{'are' if k != 1 else 'is'} listed without {'their' if k != 1 else 'its'} numbers"] if k else []
    extra = int((few & ~mine).sum())
    if extra:
        parts.append(f"{extra} row{'s' if extra != 1 else ''} of fewer than {min_group} customers "
                     f"{'are' if extra != 1 else 'is'} shown without numbers")
    note = "; ".join(parts) + "." if parts else ""
    out.attrs = {**frame.attrs, "note": " ".join(x for x in (frame.attrs.get("note", ""), note) if x)}
    return out


#: Numeric columns of notebook 01's tables that describe everybody (the base) or an order.
_BASE_COLS = ("base_value", "base_n", "base_share", "total", "rank")


def disclosed_persona_counts(frame: pd.DataFrame | None, sizes, *,
                             persona_cols=("persona",)) -> pd.DataFrame | None:
    """Rows of personas whose size is hidden only to protect a smaller one, without their numbers.

    :func:`~jmtools.pipeline._disclosed.disclosed_shares` hides the size of a persona of 1–4
    customers and of the smallest other, since the customer table's total minus the sizes
    shown would give the small one away. That other persona's rows elsewhere lose their counts
    (``n`` of its attributes and conversion, ``n_persona`` of its typical events) and also their
    rates, means and intervals: a share shown without its n breaks the rule that every number
    carries its n, and a few shares with their intervals give the n back (0.05, 0.35 and 0.4 of
    one persona, 1 to 3 decimals, are multiples of 1/20). Columns describing the whole base
    (``base_value``…) stay. ``sizes``: the persona sizes shown beside it, raw or through
    ``disclosed_shares``, or a sequence of them (the union of their protectors,
    :func:`size_protectors`). Returns a copy with ``suppressed`` True in those rows;
    ``attrs["counts_hidden"]`` lists their positions and ``attrs["note"]`` says why.

    Examples
    --------
    >>> sizes = pd.DataFrame({"persona": ["Tiny", "Ben", "Maya"], "n": [None, None, 900.0],
    ...                       "suppressed": [True, True, False]})
    >>> sizes.attrs["few_rows"] = [0]                  # Tiny: 1–4 customers; Ben hidden to protect it
    >>> k = pd.DataFrame({"persona": ["Ben", "Maya"], "kpi": ["conversion"] * 2, "value": [0.2, 0.3],
    ...                   "n": [40, 900], "base_value": [0.25] * 2})
    >>> out = disclosed_persona_counts(k, sizes)
    >>> out["n"].tolist(), out["value"].tolist(), out["base_value"].tolist(), out["suppressed"].tolist()
    ([nan, 900.0], [nan, 0.3], [0.25, 0.25], [True, False])
    >>> out.attrs["note"]
    'The size of 1 persona is not shown so that the total does not reveal a smaller one: its numbers are left out too.'
    >>> raw = pd.DataFrame({"persona": ["Tiny", "Ben", "Maya"], "n_customers": [3, 40, 900]})
    >>> disclosed_persona_counts(k, [raw])["suppressed"].tolist()      # raw sizes: Ben protects Tiny
    [True, False]
    """
    if frame is None:
        return None
    guard = size_protectors(sizes)
    out = frame.copy()
    hit = np.zeros(len(frame), bool)
    for col in persona_cols:
        hit |= frame[col].astype(str).isin(guard).to_numpy()
    _blank(out, [c for c in out.columns if c not in _BASE_COLS and c != "suppressed"
                 and pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])], hit)
    out["suppressed"] = (frame["suppressed"].to_numpy(bool) if "suppressed" in frame else False) | hit
    k = len({p for col in persona_cols for p in frame.loc[hit, col].astype(str)} & guard)
    note = "" if not k else (f"The size of {k} persona{'s' if k != 1 else ''} is not shown so that the total "
                             f"does not reveal a smaller one: {'its' if k == 1 else 'their'} numbers are left out too.")
    out.attrs = {**frame.attrs, "note": " ".join(x for x in (frame.attrs.get("note", ""), note) if x),
                 "counts_hidden": np.flatnonzero(hit).tolist()}
    return out


def disclosed_by_persona(frame: pd.DataFrame | None, sizes, *,
                         count_col: str | None = None, min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """A table split by persona, shown where the persona sizes are: the rows of a persona of 1 to
    ``min_group − 1`` customers, and of the group whose size is hidden to protect it, keep their
    place, not their numbers.

    The rule of notebook 01 and the worksheets in one call: :func:`disclosed_persona_rows` (the
    small personas, and rows whose ``count_col`` is 1–4) then :func:`disclosed_persona_counts`
    (the group :func:`size_protectors` names: its funnel's first step, its furthest steps and
    its customers at a touchpoint add up to its size). Rows without a persona are the customers
    in no persona and those missing from the customer table: hidden when either group is.
    ``step_index`` keeps its value (an order, not a count); rows the frame already marked
    ``suppressed`` stay so, with their note.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        A table with a ``persona`` column (a funnel, furthest step, times, detours or loops
        ``by="persona"``). Without that column it is returned as it is.
    sizes : pandas.DataFrame, sequence of them, or None
        The persona sizes shown beside it: :func:`~jmtools.personas.persona_sizes` (``n``) or
        ``Evidence.persona_sizes`` (``n_customers``), raw or through
        :func:`~jmtools.pipeline._disclosed.disclosed_shares`; several tables (both, as step 1
        of the teaching track shows them): the personas hidden in any of them. None or empty
        (no personas): nothing to hide.
    count_col : str, optional
        A column counting the customers behind a row (:func:`disclosed_persona_rows`).
    min_group : int, default 5

    Returns
    -------
    pandas.DataFrame or None
        A copy with ``suppressed`` (bool), ``attrs["note"]`` and ``attrs["counts_hidden"]``.

    Examples
    --------
    >>> sizes = pd.DataFrame({"persona": ["Lou", "Thea", "Ben", "(no persona)"],
    ...                       "n_customers": [3, 20, 900, 0]})
    >>> f = pd.DataFrame({"persona": ["Lou", "Thea", "Ben"], "step_index": [1, 1, 1], "n": [3, 20, 900]})
    >>> out = disclosed_by_persona(f, sizes)             # Thea's 20 would give Lou's 3 back
    >>> out["n"].tolist(), out["step_index"].tolist(), out["suppressed"].tolist()
    ([nan, nan, 900.0], [1, 1, 1], [True, True, False])
    >>> table = sizes.rename(columns={"n_customers": "n"}).assign(n=[3, 20, 900, 50])  # (no persona) protects
    >>> [disclosed_by_persona(f, s)["suppressed"].tolist() for s in (table, [table, sizes])]
    [[True, False, False], [True, True, False]]
    """
    tables = _size_tables(sizes, min_group)
    if frame is None or not tables or "persona" not in frame:
        return frame
    small = _small_in(tables)
    hidden = small | size_protectors(tables, min_group=min_group)
    nobody = next((g for g in (NO_PERSONA, NOT_IN_CUSTOMERS) if g in hidden), NO_PERSONA)
    named = frame.assign(persona=frame["persona"].astype(object).where(frame["persona"].notna(), nobody))
    rows = disclosed_persona_rows(named, small, count_col=count_col, min_group=min_group)
    out = disclosed_persona_counts(rows, tables)
    out["persona"] = frame["persona"]
    if "step_index" in frame:
        out["step_index"] = frame["step_index"]
    return out


def hidden_personas(sizes, *, min_group: int = MIN_GROUP) -> set:
    """The personas :func:`disclosed_by_persona` shows without numbers beside ``sizes``: those of
    1 to ``min_group − 1`` customers and those whose size is hidden to protect one.

    Examples
    --------
    >>> sizes = pd.DataFrame({"persona": ["Lou", "Thea", "Ben", "(no persona)"],
    ...                       "n_customers": [3, 20, 900, 0]})
    >>> sorted(hidden_personas(sizes))
    ['Lou', 'Thea']
    """
    tables = _size_tables(sizes, min_group)
    return _small_in(tables) | size_protectors(tables, min_group=min_group)


def _small_in(tables: list) -> set:
    """The personas of 1–4 customers in any of the size tables (their ``attrs["few_rows"]``)."""
    return {str(p) for s in tables for p in s["persona"].iloc[list(s.attrs.get("few_rows", ()))]}


def _size_tables(sizes, min_group: int) -> list:
    """The size tables given (one or several, None skipped), each through the disclosure rule."""
    tables = [sizes] if isinstance(sizes, pd.DataFrame) else [s for s in sizes or () if s is not None]
    return [s if "suppressed" in s else disclosed_shares(s, "n" if "n" in s else "n_customers", numbers=(),
                                                         min_group=min_group) for s in tables]


def disclosed_levels(profile: pd.DataFrame | None, min_group: int = MIN_GROUP) -> pd.DataFrame | None:
    """An attribute profile (:func:`~jmtools.personas.attribute_profile`) without the levels held by
    1 to ``min_group − 1`` customers, of a persona or of the whole base.

    A level's customers are its share × ``n`` (``base_value`` × ``base_n`` for the base). The
    levels of one attribute add up to the group's size, which is shown, so the smallest other
    levels go too until the hidden ones count ``min_group``
    (:func:`~jmtools.pipeline._disclosed.disclosed_shares`). A persona's hidden level loses
    ``value``, its interval, ``difference`` and ``lift``; a base level hidden loses
    ``base_value`` in every persona's row, with ``difference`` and ``lift`` (they would give it).

    Examples
    --------
    >>> p = pd.DataFrame({"persona": ["Ben"] * 3, "attribute": ["channel"] * 3, "kind": ["level"] * 3,
    ...                   "level": ["search", "social", "mail"], "n": [100] * 3, "value": [0.6, 0.37, 0.03],
    ...                   "base_value": [0.5, 0.3, 0.2], "base_n": [1000] * 3, "difference": [0.1, 0.07, -0.17]})
    >>> out = disclosed_levels(p)
    >>> out["value"].tolist(), out["suppressed"].tolist()
    ([0.6, nan, nan], [False, True, True])
    >>> out.attrs["note"]
    '2 attribute levels of a persona held by fewer than 5 customers, or that would reveal one, are shown without numbers.'
    """
    if profile is None:
        return None
    out = profile.copy()
    hidden = out["suppressed"].to_numpy(bool).copy() if "suppressed" in out else np.zeros(len(out), bool)
    levels = (out["kind"] == "level").to_numpy() & out["n"].notna().to_numpy()
    own, said, total = np.zeros(len(out), bool), [], 0
    for count, by, where, cols in (
            (out["value"] * out["n"], ["persona", "attribute"], levels, ("value", "ci_low", "ci_high")),
            (out["base_value"] * out["base_n"], ["attribute"], (out["kind"] == "level").to_numpy(), ("base_value",))):
        cells = out.loc[where].assign(_k=count[where].round(), _g=out.loc[where, by].astype(str).agg("\x1f".join, axis=1))
        if "persona" not in by:                    # the base: one row per level, not per persona
            cells = cells.drop_duplicates(["attribute", "level"])
        grid = disclosed_shares(cells, "_k", by="_g", numbers=(), min_group=min_group)
        keys = set(map(tuple, grid.loc[grid["suppressed"], by + ["level"]].astype(str).to_numpy()))
        hit = out[by + ["level"]].astype(str).apply(tuple, axis=1).isin(keys).to_numpy() & where
        _blank(out, (*cols, "difference", "lift"), hit)
        own |= hit
        if "persona" in by:                        # a small persona's levels: already said
            keys -= set(map(tuple, out.loc[hidden, by + ["level"]].astype(str).to_numpy()))
        k = len(keys)
        total += k
        if k:
            said.append(f"{k} attribute level{'s' if k != 1 else ''} "
                        f"{'of a persona' if 'persona' in by else 'of all customers'}")
    out["suppressed"] = hidden | own
    note = "" if not said else (f"{' and '.join(said)} held by fewer than {min_group} customers, or that would "
                                f"reveal one, {'is' if total == 1 else 'are'} shown without numbers.")
    out.attrs = {**profile.attrs, "note": " ".join(x for x in (profile.attrs.get("note", ""), note) if x)}
    return out


def disclosed_overlaps(overlaps: pd.DataFrame | None, check: pd.DataFrame | None = None, *,
                       sizes: pd.DataFrame | None = None, min_group: int = MIN_GROUP):
    """Persona overlaps (:func:`~jmtools.personas.persona_overlaps`) and rule checks
    (:func:`~jmtools.personas.check_personas`) without counts of 1 to ``min_group − 1`` customers,
    read off or by subtraction.

    An overlap of 1–4 customers loses ``n_both`` and its shares, a persona rule selecting 1–4
    customers its ``n_a``/``n_b``; a check row of 1–4 customers loses ``n`` and its message
    says "fewer than 5 customers" in place of the count. A rule's count (``n_a``/``n_b``, and
    ``share_of_a``/``share_of_b``, which give it back beside ``n_both``) also goes where it
    would reveal a hidden group: a persona that lost 1–4 of its rule's customers to one kept
    before it (its rule's count minus its size, shown, gives them), and, with ``sizes``
    (:func:`~jmtools.pipeline._disclosed.disclosed_shares` of the persona sizes), a persona
    whose size is hidden (its rule's count is its size when no earlier persona took any; the
    check's ``ok`` row loses ``n`` too). Returns both, copied; the overlaps'
    ``attrs["counts_hidden"]`` lists the rows shown with a rule's count hidden
    (:func:`~jmtools.report.steps.not_shown` says "not shown" there).

    Examples
    --------
    >>> o = pd.DataFrame({"persona_a": ["Ben"], "persona_b": ["Maya"], "n_both": [3], "n_a": [900],
    ...                   "n_b": [700], "share_of_a": [0.003], "share_of_b": [0.004], "kept_by": ["Ben"]})
    >>> c = pd.DataFrame({"persona": ["Ben"], "n": [3], "message": ["3 customers are also selected by 'Maya'"]})
    >>> o2, c2 = disclosed_overlaps(o, c)
    >>> o2[["n_both", "n_a", "n_b", "share_of_a"]].values.tolist(), c2["message"].iloc[0]
    ([[nan, 900.0, nan, nan]], "fewer than 5 customers are also selected by 'Maya'")
    """
    guard = set() if sizes is None else set(sizes.loc[sizes["suppressed"].to_numpy(bool), "persona"].astype(str))
    out = None if overlaps is None else overlaps.copy()
    if out is not None:
        few = _few(overlaps, "n_both", min_group)
        for cols in (("n_both", "share_of_a", "share_of_b"), ("n_a",), ("n_b",)):
            _blank(out, cols, _few(overlaps, cols[0], min_group))
        if "kept_by" in overlaps:                  # 1–4 of b's rule went to a: b's count − b's size
            lost = overlaps["persona_b"].where(overlaps["kept_by"] == overlaps["persona_a"], overlaps["persona_a"])
            guard |= set(lost[few].astype(str))
        ruled = np.zeros(len(out), bool)
        for side in ("a", "b"):
            hit = overlaps[f"persona_{side}"].astype(str).isin(guard).to_numpy()
            _blank(out, (f"n_{side}", f"share_of_{side}"), hit)
            ruled |= hit
        out["suppressed"] = few
        out.attrs = {**overlaps.attrs, "counts_hidden": np.flatnonzero(ruled & ~few).tolist()}  # "not shown"
    checked = None if check is None else check.copy()
    if checked is not None:
        hit = _few(check, "n", min_group)
        ok = (check["check"] == "ok").to_numpy() if "check" in check else np.zeros(len(check), bool)
        _blank(checked, ("n",), hit | (ok & check["persona"].astype(str).isin(guard).to_numpy()))
        if hit.any():
            checked["message"] = checked["message"].astype(object).where(
                ~hit, checked["message"].astype(str).str.replace(r"^\d+ customers?", f"{FEWER} customers", regex=True))
    return out, checked


def disclosed_crosstab(crosstab: pd.DataFrame, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """A count table (personas × suggested clusters) without its cells of 1 to ``min_group − 1``
    customers, and the cells that would reveal them from a row's or a column's total
    (:func:`~jmtools.analyses.disclosure.suppress_small_cells` along rows and along columns; a
    cell hidden by one only adds to the other's hidden total, itself 5 or more).

    Examples
    --------
    >>> t = pd.DataFrame({0: [796, 2, 30], 1: [2, 1012, 40], 2: [100, 200, 300]}, index=["Maya", "Nina", "Ben"])
    >>> out = disclosed_crosstab(t)
    >>> out.values.tolist()
    [[796.0, nan, nan], [nan, 1012.0, nan], [nan, nan, 300.0]]
    >>> out.attrs["note"]
    '6 cells are hidden: 2 of fewer than 5 customers, 4 more so that the totals do not reveal them.'
    """
    cells = crosstab.rename_axis(index="_r", columns="_c").stack().rename("_n").reset_index()
    hidden = np.zeros(len(cells), bool)
    few = int(((cells["_n"] > 0) & (cells["_n"] < min_group)).sum())
    for row, col in (("_r", "_c"), ("_c", "_r")):     # each line's hidden cells count 0 or 5 or more
        grid = suppress_small_cells(cells, row_col=row, column_col=col, n_col="_n", customers_col="_n",
                                    min_n=min_group)
        hidden |= grid["suppressed"].to_numpy(bool)
    out = cells.assign(_n=cells["_n"].astype(float).mask(hidden)).pivot(index="_r", columns="_c", values="_n")
    out = out.reindex(index=crosstab.index, columns=crosstab.columns).rename_axis(
        index=crosstab.index.name, columns=crosstab.columns.name)
    k = int(hidden.sum())
    out.attrs = {"note": "" if not k else (f"{k} cell{'s' if k != 1 else ''} {'are' if k != 1 else 'is'} hidden: "
                                           f"{few} of fewer than {min_group} customers, {k - few} more so that "
                                           "the totals do not reveal them.")}
    return out


#: The coverage row that pools exactly one and several personas (:func:`disclosed_coverage`).
SOME_PERSONA = "at least one persona"


def disclosed_coverage(coverage: pd.DataFrame, min_group: int = MIN_GROUP, *, sizes=None) -> pd.DataFrame:
    """Persona coverage (one persona, no persona, several personas) with no row of 1 to
    ``min_group − 1`` customers, read off directly or as the total minus the rows shown.

    Customers in several personas are assigned to one of them, so when they are 1–4 they are
    pooled with those in exactly one: that row becomes :data:`SOME_PERSONA` (their sum), the
    "several personas" row keeps its place without numbers, and "no persona" — the blind spot
    a persona step is about — stays exact. Any other row of 1–4 customers is hidden with the
    complementary rule (:func:`~jmtools.pipeline._disclosed.disclosed_shares`).

    When the persona ``sizes`` shown beside it hide "(no persona)" to protect a smaller persona
    (:func:`size_protectors`), its count goes here too, with the row that gives it back (one
    persona, or the pooled row: the total minus it).

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``coverage, n`` (``share``, ``total``): :func:`~jmtools.personas.coverage_report`.
    min_group : int, default 5
    sizes : pandas.DataFrame or sequence of them, optional
        The persona sizes shown with it (raw or disclosed).

    Returns
    -------
    pandas.DataFrame
        A copy with ``suppressed``, ``attrs["few_rows"]`` (positions of rows of 1–4 customers)
        and ``attrs["note"]``.

    Examples
    --------
    >>> c = pd.DataFrame({"coverage": ["one persona", "no persona", "several personas"], "n": [3899, 98, 3],
    ...                   "share": [0.97475, 0.0245, 0.00075], "total": 4000})
    >>> out = disclosed_coverage(c)
    >>> out[["coverage", "n", "suppressed"]].values.tolist()
    [['at least one persona', 3902.0, False], ['no persona', 98.0, False], ['several personas', nan, True]]
    >>> s = pd.DataFrame({"persona": ["Lou", "Ben", "(no persona)"], "n": [3, 3899, 98]})
    >>> disclosed_coverage(c, sizes=s)[["coverage", "n"]].values.tolist()   # 98 protects Lou
    [['at least one persona', nan], ['no persona', nan], ['several personas', nan]]
    """
    out = _pooled_coverage(coverage, min_group)
    if NO_PERSONA not in size_protectors(sizes, min_group=min_group):
        return out
    names = coverage["coverage"].astype(str).to_numpy()
    hide = np.isin(names, ["one persona", "no persona"]) | out["suppressed"].to_numpy(bool)
    _blank(out, ("n", "share"), hide)
    out["suppressed"] = hide
    note = (f"How many customers match no persona is not shown here: that count protects a persona of fewer "
            f"than {min_group} customers in the persona sizes, so it is hidden wherever it could be read back.")
    out.attrs = {**out.attrs, "hidden_rows": int(hide.sum()),
                 "note": " ".join(x for x in (out.attrs.get("note", ""), note) if x)}
    return out


def size_protectors(sizes, *, min_group: int = MIN_GROUP) -> set:
    """The groups whose size is hidden, in a table of persona sizes, only to protect a smaller one.

    The one choice every table of sizes and every report makes
    (:func:`~jmtools.pipeline._disclosed.disclosed_shares`): "(no persona)" first whenever it
    has customers, else the smallest other persona. A persona report reads it to know whether
    its own size would give a smaller persona's back; the coverage, whether its no-persona
    count must go.

    Parameters
    ----------
    sizes : pandas.DataFrame or sequence of them
        One row per group: ``persona`` and ``n`` (customer table) or ``n_customers`` (with
        events); raw, or already through ``disclosed_shares`` (its ``suppressed`` and
        ``attrs["few_rows"]`` are read then). Several tables: the union.
    min_group : int, default 5

    Examples
    --------
    >>> s = pd.DataFrame({"persona": ["Lou", "Ben", "Walt", "(no persona)"], "n": [3, 1055, 900, 98]})
    >>> size_protectors(s)
    {'(no persona)'}
    >>> size_protectors(s.assign(n=[3, 1055, 900, 0]))        # everyone in a persona: Walt
    {'Walt'}
    """
    if sizes is None:
        return set()
    if not isinstance(sizes, pd.DataFrame):
        return set().union(*(size_protectors(s, min_group=min_group) for s in sizes if s is not None))
    if "suppressed" not in sizes:
        sizes = disclosed_shares(sizes, "n" if "n" in sizes else "n_customers", numbers=(), min_group=min_group)
    more = sizes["suppressed"].to_numpy(bool).copy()
    more[[i for i in sizes.attrs.get("few_rows", ()) if i < len(more)]] = False
    return set(sizes.loc[more, "persona"].astype(str))


def _pooled_coverage(coverage: pd.DataFrame, min_group: int) -> pd.DataFrame:
    """:func:`disclosed_coverage` without ``sizes``: rows of 1–4 pooled or hidden."""
    names = coverage["coverage"].astype(str).to_numpy()
    few = _few(coverage, "n", min_group)
    several, one = names == "several personas", names == "one persona"
    if not (few & several).any() or (few & ~several).any() or not one.any():
        return disclosed_shares(coverage, "n", numbers=("share",), min_group=min_group)
    out = coverage.copy()
    pooled = float(coverage.loc[one | several, "n"].sum())
    out["n"] = out["n"].astype(float)
    out.loc[one, ["coverage", "n"]] = [SOME_PERSONA, pooled]
    if "share" in out:
        out.loc[one, "share"] = pooled / float(coverage["total"].iloc[0]) if "total" in out else np.nan
    out.loc[several, [c for c in ("n", "share") if c in out]] = np.nan
    out["suppressed"] = several
    out.attrs = {**coverage.attrs, "few_rows": np.flatnonzero(several).tolist(), "hidden_rows": 1,
                 "note": f"Fewer than {min_group} customers match several personas: they are counted with "
                         f"those in exactly one persona (\"{SOME_PERSONA}\"), so that no total reveals them."}
    return out
