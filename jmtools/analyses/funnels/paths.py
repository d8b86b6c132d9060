"""Where customers go next: transitions, the most common paths, detours and loops.

Every function orders each customer's steps (events, touchpoints or stages) by position and
counts moves between them: :func:`transitions` (step → next step), :func:`top_paths` (the
first steps of each customer), :func:`detours` (moves back against journey order) and
:func:`loops` (coming back to a step after leaving it).

Where the evidence has its stored narrow table (:attr:`Evidence.narrow`), the steps are its
integer codes (event, touchpoint, stage) and only the small counted results get their names.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from jmtools.analyses.funnels._common import (_by_list, _check_evidence, _company_rows, _level_col,
                                              _order_groups, _table, _wilson)
from jmtools.core.engine import kept_answer, small_table, to_pandas
from jmtools.core.errors import ParameterError, whole_number
from jmtools.sources.actors import ACTOR

__all__ = ["transitions", "top_paths", "detours", "loops", "RepeatBuyers", "repeat_buyers_unmarked",
           "busiest_steps", "largest_detours"]

_PATH_SEP = " → "
#: pandas' type for text (what names read from the engine get).
_TEXT = pd.Series(["text"]).dtype


class _Steps:
    """The table a path question reads and how it names a step at ``level``.

    With the stored narrow table, ``col`` is an integer code column (``_ev``, ``_tp``,
    ``stage_index``; ``nxt_col`` the next event's ``_nx``) and ``names`` the names of codes
    1, 2, …; otherwise the prepared events with the name columns and ``names`` None.
    """

    def __init__(self, evidence, level, by):
        col = _level_col(level)
        t = _table(evidence, by)
        self.coded = t is not evidence.events
        if self.coded:
            col, names = {"event": ("_ev", evidence.event_names),
                          "touchpoint": ("_tp", evidence.touchpoints),
                          "stage": ("stage_index", evidence.stages)}[level]
            self.names = list(names)
            self.nxt_col, self.tp_col = ("_nx" if level == "event" else None), "_tp"
        else:
            self.names = None
            self.nxt_col, self.tp_col = ("next_event" if level == "event" else None), "touchpoint"
        self.table, self.col, self.touchpoints = t, col, list(evidence.touchpoints)

    def value(self, name, touchpoint=False):
        """How ``name`` (a step at this level, or a touchpoint) is stored in the table."""
        if not self.coded:
            return name
        names = self.touchpoints if touchpoint else self.names
        return names.index(name) + 1

    def label(self, frame, *cols):
        """``frame`` with the step columns ``cols`` named (codes → names), in place."""
        if self.coded:
            lookup = dict(enumerate(self.names, start=1))
            for c in cols:
                frame[c] = pd.Series([None if pd.isna(v) else lookup[int(v)] for v in frame[c]],
                                     index=frame.index, dtype=_TEXT)
        return frame


def _customer_steps(evidence, level, by):
    """The steps at ``level`` of the customers' own events (the company's contacts,
    ``initiated_by: company``, left out): ``(table, steps, round)``.

    Events at no step are left out; they end no round, having no touchpoint. ``round`` is None
    when the journey marks no round (no touchpoint counts occurrences, e.g. an order); else the
    expression of each event's round, the orders before it (an order is in the round it ends),
    to be computed by the caller beside its own window on the same sort.
    """
    st = _Steps(evidence, level, by)
    t = st.table
    company = _company_rows(evidence, t)
    if company is not None:
        t = t.filter(~company)
    s = t.filter(t[st.col].notnull())
    s = s.mutate(node=s[st.col])
    end = _round_end(evidence, s, st)
    if end is None:
        return s, st, None
    end = end.cast("int64")
    return s, st, end.cumsum(group_by=s.customer_id, order_by=s.position) - end


def _who(t) -> list:
    """Whose own sequence a visit belongs to: the customer, or each actor of the customer's
    journey when the event log names its actors (a user of an account, D256)."""
    return [t.customer_id, t[ACTOR]] if ACTOR in t.columns else [t.customer_id]


def _round_end(evidence, s, st):
    """Per row of ``s``, whether it ends a round (an event at a touchpoint counting occurrences:
    an order); None when the journey marks no round."""
    ends = _round_ends(evidence)
    if not ends:
        return None
    return s[st.tp_col].isin([st.value(r, touchpoint=True) for r in ends]).fill_null(False)


def _sequence(evidence, level, collapse_repeats, by=()):
    """Per customer, the ordered steps at ``level`` with the next one: customer_id, by…, node, nxt, k.

    Returns ``(table, steps)``: ``steps`` (:class:`_Steps`) says whether node and nxt are codes and
    names them.
    """
    import ibis

    st = _Steps(evidence, level, by)
    t = st.table
    col = st.col
    if level == "event" and not collapse_repeats:
        return t.mutate(node=t[col], nxt=t[st.nxt_col], k=t.position.cast("int64")), st
    s = t.filter(t[col].notnull())
    w = ibis.window(group_by=s.customer_id, order_by=s.position)
    s = s.mutate(node=s[col], nxt=s[col].lead().over(w), _prev=s[col].lag().over(w))
    if collapse_repeats:
        s = s.filter(s._prev.isnull() | (s._prev != s.node))
        w2 = ibis.window(group_by=s.customer_id, order_by=s.position)
        s = s.mutate(nxt=s.node.lead().over(w2))
    w3 = ibis.window(group_by=s.customer_id, order_by=s.position)
    return s.mutate(k=(ibis.row_number().over(w3) + 1).cast("int64")).drop("_prev"), st


def _pair_counts(s, keys):
    """Per ``keys`` group of ``s``: ``n`` (rows) and ``n_customers`` (distinct non-null customers).

    Counted in two levels — rows per group and customer first, then those per group — instead of
    an exact distinct count per group: the engine can write the first level's groups to disk when
    they do not fit its memory limit (DuckDB cannot for a grouped distinct count), and the
    numbers are the same.
    """
    per = s.group_by([*keys, "customer_id"]).agg(_c=s.count())
    return per.group_by(keys).agg(n=per._c.sum(), n_customers=per.customer_id.count())


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
    _check_evidence(evidence)
    by = _by_list(evidence, by)
    s, st = _sequence(evidence, level, collapse_repeats, by=by)
    s = s.filter(s.nxt.notnull())
    res = to_pandas(_pair_counts(s, [*by, "node", "nxt"]))
    res = st.label(res, "node", "nxt").rename(columns={"node": "from_step", "nxt": "to_step"})
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
    _check_evidence(evidence)
    whole_number("max_steps", max_steps, fix="pass e.g. 5: the first steps of each customer's path")
    whole_number("top", top, fix="pass e.g. 10: the most common paths")
    by = _by_list(evidence, by)
    s, st = _sequence(evidence, level, collapse_repeats, by=by)
    head = s.filter(s.k <= max_steps + 1)
    cols = [f"s{i}" for i in range(1, max_steps + 1)]
    aggs = {c: head.node.max(where=head.k == i) for i, c in enumerate(cols, start=1)}
    aggs["_more"] = ((head.k == max_steps + 1) & head.node.notnull()).any()
    per = head.group_by(["customer_id", *by]).agg(**aggs)
    res = to_pandas(per.group_by([*by, *cols, "_more"]).agg(n=per.count()))
    res = _paths(st.label(res, *cols), cols, by)
    res["n_customers"] = res.groupby(by, dropna=False)["n"].transform("sum") if by else res["n"].sum()
    res = res.sort_values([*by, "n", "path"], ascending=[True] * len(by) + [False, True])
    res["rank"] = res.groupby(by, dropna=False).cumcount() + 1 if by else range(1, len(res) + 1)
    res = res[res["rank"] <= top].copy()
    res["share"] = res["n"] / res["n_customers"]
    res = _wilson(res, "n", "n_customers")
    res = _order_groups(evidence, res, by) if by else res
    return res[[*by, "rank", "path", "n_steps", "n", "n_customers", "share", "ci_low", "ci_high"]] \
        .reset_index(drop=True)


def _paths(res, cols, by):
    """Each row's path text and number of steps from its step columns, counts summed per path
    (a path whose first step has no name has no text, as in SQL)."""
    steps = res[cols].to_numpy(object)
    res["path"] = [None if pd.isna(row[0]) else
                   _PATH_SEP.join(str(v) for v in row if not pd.isna(v)) + (_PATH_SEP + "…" if more else "")
                   for row, more in zip(steps, res["_more"])]
    res["n_steps"] = res[cols].notna().sum(axis=1).astype("int64")
    return res.groupby([*by, "path", "n_steps"], dropna=False, as_index=False)["n"].sum()


def detours(evidence, *, level: str = "touchpoint", by=None):
    """Backward moves against journey order (e.g. from checkout back to the product page).

    A detour is a transition (repeats collapsed) to a step of an earlier stage than the
    one the customer is at (``level="touchpoint"``: e.g. Cart → Product page; moves between
    touchpoints of the same stage are not detours, since a stage does not order them).
    Only the customer's own steps count: touchpoints with ``initiated_by: company`` (a
    mailing sent after a purchase) are left out, so they make neither detours nor loops. An
    event at a touchpoint that counts occurrences (``occurrence: first``, ``repeat`` or n: a
    step the journey expects customers to repeat, like an order) ends a round: the first move
    back after it — out of the order, or out of the delivery or tracking that followed it — is
    shopping again (a new round), not a detour, at every level. A move into an order (the next
    visit begins with one) goes on in the round, wherever the order sits in the journey: it is
    no detour (e.g. Tracking → Repeat order in a journey whose tracking follows the order).
    A move to or from a stage the journey puts off the way (``optional: true``, ``exit: true``)
    is no detour either: a payment plan agreed and paid off, a claim filed after renewing, a last
    bill after leaving.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``from_step``, ``to_step``, ``n`` (backward transitions),
        ``n_customers`` (customers who made it), ``n_back_from`` (customers who went back from
        ``from_step`` to any earlier step: a customer who went back to two places counts once),
        ``n_at_from`` (customers who were at ``from_step``), ``share`` = n_customers / n_at_from
        with Wilson ``ci_low``, ``ci_high``. Sorted by n_customers, descending.

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
    _check_evidence(evidence)
    by = _by_list(evidence, by)
    import ibis

    order = _journey_rank(evidence, level)
    s, st = _visits(evidence, level, by)
    rank = small_table(pd.DataFrame({"_n": [st.value(n) for n in order], "_r": list(order.values())}),
                       like=evidence.events)
    s = s.join(rank, s.node == rank._n).drop("_n").rename(_from_r="_r")
    s = s.join(rank, s.nxt == rank._n).drop("_n").rename(_to_r="_r")
    rounds = "_round" in s.columns
    # placing an order goes on in the round, wherever the order sits in the journey: no move back
    back = s.filter((s._to_r < s._from_r) & ~s._into_order if rounds else s._to_r < s._from_r)
    apart = _apart_nodes(evidence, level, order)   # optional and exit stages: off the way, no detour
    if apart:
        codes = [st.value(n) for n in apart]
        back = back.filter(~back.node.isin(codes) & ~back.nxt.isin(codes))
    if rounds:                       # orders placed since the customer's last move back: a new round
        back = back.mutate(_before=back._round.lag().over(ibis.window(group_by=_who(back),
                                                                      order_by=back.position)))
        back = back.filter(back._round <= back._before.fill_null(0))   # a column first: Spark needs it
    # one query: moves per customer, then per move and per step moved back from (each customer once)
    per = back.group_by([*by, "node", "nxt", "customer_id"]).agg(_c=back.count())
    pairs = per.group_by([*by, "node", "nxt"]).agg(n=per._c.sum(), n_customers=per.customer_id.count())
    froms = per.group_by([*by, "node", "customer_id"]).agg()
    froms = froms.group_by([*by, "node"]).agg(n_back_from=froms.customer_id.count())
    res = to_pandas(pairs.join(froms, [*by, "node"]).select(*by, "node", "nxt", "n", "n_customers", "n_back_from"))
    t = st.table
    at = to_pandas(t.filter(t[st.col].notnull())
                   .group_by([*by, st.col]).agg(n_at_from=t.customer_id.nunique()))
    res = st.label(res, "node", "nxt").rename(columns={"node": "from_step", "nxt": "to_step"})
    at = st.label(at, st.col).rename(columns={st.col: "from_step"})
    res = res.merge(at, on=[*by, "from_step"], how="left")
    res["share"] = res["n_customers"] / res["n_at_from"]
    res = _wilson(res, "n_customers", "n_at_from")
    res = res.sort_values([*by, "n_customers", "from_step", "to_step"],
                          ascending=[True] * len(by) + [False, True, True])
    res = _order_groups(evidence, res, by) if by else res
    return res[[*by, "from_step", "to_step", "n", "n_customers", "n_back_from", "n_at_from", "share", "ci_low",
                "ci_high"]].reset_index(drop=True)


def _visits(evidence, level, by):
    """Per customer, the first event of each visit (a run of one step) at ``level``, without the
    company's contacts: customer_id, by…, position, node, nxt (the next visit's step) and, when
    the journey marks rounds, ``_round``: the orders (events at touchpoints counting occurrences)
    before the next visit — the orders placed up to the move from this visit to the next — and
    ``_into_order``: whether the next visit begins with an order."""
    import ibis

    s, st, round_ = _customer_steps(evidence, level, by)
    s = s.mutate(_prev=s.node.lag().over(ibis.window(group_by=_who(s), order_by=s.position)),
                 **({} if round_ is None else {"_round": round_}))
    s = s.filter(s._prev.isnull() | (s._prev != s.node))
    w = ibis.window(group_by=_who(s), order_by=s.position)
    cols = {"nxt": s.node.lead().over(w)}
    if round_ is not None:
        cols["_round"] = s._round.lead().over(w)
        cols["_into_order"] = _round_end(evidence, s, st).lead().over(w).fill_null(False)
    return s.mutate(**cols).drop("_prev"), st


def _round_ends(evidence) -> list[str]:
    """Touchpoints whose events end a customer's round (they count occurrences: an order); going
    back after one starts a new round, at every level."""
    return sorted(r.name for r in getattr(evidence, "rules", []) if r.occurrence != "any")


def _later_rounds(evidence) -> list[str]:
    """Touchpoints that take a customer's second and later occurrences (``occurrence: repeat`` or
    a number above 1): without one, a second order matches nothing and its round is not told
    apart from the first (``occurrence: first`` alone ends only the first round)."""
    return [r.name for r in getattr(evidence, "rules", [])
            if r.occurrence == "repeat" or (isinstance(r.occurrence, int) and r.occurrence >= 2)]


def _repeating(evidence) -> list[str]:
    """Touchpoints that exist to be repeated (``occurrence: repeat``): coming back is no loop."""
    return [r.name for r in getattr(evidence, "rules", []) if r.occurrence == "repeat"]


def _apart_nodes(evidence, level, order) -> list:
    """The steps of ``order`` at a stage the journey puts off the customers' way: ``optional:
    true`` (a claim, a payment plan: met any time, left back to the main path) or ``exit: true``
    (a last bill after leaving). A move to or from one is no detour (D164)."""
    apart = {*getattr(evidence, "optional_stages", []), *getattr(evidence, "exit_stages", [])}
    if not apart:
        return []
    stage_of = (lambda n: n) if level == "stage" else evidence.touchpoint_stage.get
    return [n for n in order if stage_of(n) in apart]


def _journey_rank(evidence, level):
    if level == "stage":
        return {s: i for i, s in enumerate(evidence.stages)}
    if level == "touchpoint":
        st = {s: i for i, s in enumerate(evidence.stages)}
        return {tp: st[evidence.touchpoint_stage[tp]] for tp in evidence.touchpoints}
    raise ParameterError("level", level, expected=["stage", "touchpoint"])


def loops(evidence, *, level: str = "touchpoint", by=None):
    """Customers who come back to a step after leaving it (loops), per step.

    The company's own contacts (``initiated_by: company``) are left out, and so are
    touchpoints that exist to be repeated (``occurrence: repeat``, e.g. repeat orders). An
    event at a touchpoint that counts occurrences (an order: ``occurrence: first``, ``repeat``
    or n) ends the customer's round, at every level, and a visit to a step is in the round of
    its last event: coming back to a step, a stage or an event in the next round (shopping again
    after an order) is not a loop, nor is a stage that holds an order and its delivery met again
    at the next order; ``mean_visits`` counts the visits of the rounds that loop.

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
    _check_evidence(evidence)
    by = _by_list(evidence, by)
    import ibis

    s, st, round_ = _customer_steps(evidence, level, by)   # visits in two rounds (around an order): no loop
    # a visit is a run of one step, kept as its last event (the next step differs): it is in the
    # round of that event, so a visit holding an order and what follows it (its delivery, in the
    # same stage) is not split, nor met again. One window: the next step and the round together.
    s = s.mutate(_nxt=s.node.lead().over(ibis.window(group_by=_who(s), order_by=s.position)),
                 _r=ibis.literal(0) if round_ is None else round_)
    runs = s.filter(s._nxt.isnull() | (s._nxt != s.node))
    if level == "touchpoint" and _repeating(evidence):   # out once they have ended their rounds
        runs = runs.filter(~runs.node.isin([st.value(r) for r in _repeating(evidence)]))
    who = [c.get_name() for c in _who(runs)]             # each actor's own visits (D256)
    per_round = runs.group_by([*who, *by, "node", "_r"]).agg(v=runs.count())
    visits = per_round.group_by([*who, *by, "node"]).agg(
        v=per_round.v.max(), _lv=per_round.v.sum(where=per_round.v > 1))
    if len(who) > 1:                                     # a customer loops when one of its actors does
        visits = visits.group_by(["customer_id", *by, "node"]).agg(v=visits.v.max(), _lv=visits._lv.sum())
    res = to_pandas(visits.group_by([*by, "node"]).agg(
        n_visitors=visits.count(), n=(visits.v > 1).sum(),
        _loop_visits=visits._lv.sum(where=visits.v > 1)))
    res = st.label(res, "node").rename(columns={"node": "step"})
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


class RepeatBuyers(NamedTuple):
    """:func:`repeat_buyers_unmarked`: ``n`` customers placed an order no touchpoint takes, of
    ``total`` customers with an order; ``marked``: whether some touchpoint takes later orders."""

    n: int
    total: int
    marked: bool


def repeat_buyers_unmarked(evidence, orders, *, customers=None) -> RepeatBuyers | None:
    """Customers who placed an order that no touchpoint of the journey takes.

    Without a touchpoint that takes a customer's later occurrences (``occurrence: repeat``, or a
    number above 1), a second order matches nothing (or the same touchpoint as the first), and
    what the customer does after it is not told apart from the first round: :func:`loops` and
    :func:`detours` count it as going back. The orders table tells whether such customers exist:
    those with two or more orders and no event at a touchpoint that takes later orders, and,
    when only numbered ones do (``occurrence: 2``), those with more orders than the highest one.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    orders : pandas.DataFrame or None
        The orders (``customer_id``; one row per order).
    customers : iterable of str, optional
        Only these customers (a persona's).

    Returns
    -------
    RepeatBuyers or None
        ``(n, total, marked)``; None without orders or when every later order is taken.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["pay", "pay", "pay"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-02"])})
    >>> j = {"stages": ["Pay"], "touchpoints": [{"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"]})
    >>> repeat_buyers_unmarked(prepare(ev, j), orders)
    RepeatBuyers(n=1, total=2, marked=False)
    >>> j["touchpoints"][0]["occurrence"] = "first"          # the second order still matches nothing
    >>> repeat_buyers_unmarked(prepare(ev, j), orders).n
    1
    >>> j["touchpoints"].append({"name": "Reorder", "stage": "Pay", "events": ["pay"], "occurrence": "repeat"})
    >>> repeat_buyers_unmarked(prepare(ev, j), orders) is None
    True
    """
    if orders is None or len(orders) == 0:
        return None
    ids = orders["customer_id"].dropna().astype(str)
    if customers is not None:
        ids = ids[ids.isin(set(map(str, customers)))]
    per = ids.value_counts()
    later = _later_rounds(evidence)
    unmarked = per >= 2
    if later:
        reached = set(kept_answer(evidence, ("reached", tuple(later)), lambda: to_pandas(
            evidence.events.filter(evidence.events.touchpoint.isin(later)).select("customer_id").distinct()))
            ["customer_id"].astype(str))
        numbered = [r.occurrence for r in getattr(evidence, "rules", []) if r.name in later]
        most = None if "repeat" in numbered else max(numbered)
        unmarked = (unmarked & ~per.index.isin(reached)) | ((per > most) if most is not None else False)
    n = int(unmarked.sum())
    return RepeatBuyers(n, int(len(per)), bool(later)) if n else None


def busiest_steps(transitions: pd.DataFrame, top: int) -> list:
    """The ``top`` steps with the most transitions out of them, in the frame's order.

    Parameters
    ----------
    transitions : pandas.DataFrame
        Output of :func:`transitions` for one group (``from_step``, ``n``).
    top : int
        How many steps to keep.

    Returns
    -------
    list
        Step names, in their order of first appearance in ``transitions``.

    Examples
    --------
    >>> f = pd.DataFrame({"from_step": ["a", "a", "b", "c"], "n": [3, 1, 5, 1]})
    >>> busiest_steps(f, 2)
    ['a', 'b']
    """
    totals = transitions.groupby("from_step", sort=False)["n"].sum()
    keep = set(totals.sort_values(ascending=False).index[:top])
    return [s for s in dict.fromkeys(transitions["from_step"]) if s in keep]


def largest_detours(detours: pd.DataFrame, top: int, *, move_col: str = "move") -> list:
    """The ``top`` detours reaching the most customers (summed over groups), largest first.

    Parameters
    ----------
    detours : pandas.DataFrame
        Output of :func:`detours` with a ``move`` column naming each detour
        (e.g. ``"Checkout → Site"``) and ``n_customers``.
    top : int
        How many detours to keep.
    move_col : str, default "move"
        The column naming each detour.

    Returns
    -------
    list
        Detour names, the one with the most customers first.

    Examples
    --------
    >>> f = pd.DataFrame({"move": ["x", "y", "x"], "n_customers": [2, 3, 2]})
    >>> largest_detours(f, 1)
    ['x']
    """
    biggest = detours.groupby(move_col, sort=False)["n_customers"].sum().sort_values(ascending=False)
    return list(biggest.index[:top])
