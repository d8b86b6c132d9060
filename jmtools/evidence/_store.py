"""How the prepared events are stored: narrow, with integer codes, labelled on read.

The evidence table is what every later question reads, so it is kept as small as the
questions allow: the event name and the next event's name as small integer codes (``_ev``,
``_nx``: 1-based in the order of :attr:`Evidence.event_names`, which is name order), the
touchpoint as a code (``_tp``, 1-based in file order) and the stage as its 1-byte journey
index (``stage_index``), never as repeated strings. Events get their codes from one ``CASE``
over the event names (no join), or, for logs with very many event names, from a join to a
small integer lookup. :func:`labelled` puts the names back as a projection over the stored
table, so ``Evidence.events`` keeps every column it promises while funnels, transitions and
paths group the codes and name only their small results.
"""

from __future__ import annotations

from jmtools.core.engine import small_table

__all__ = ["CASE_LIMIT", "code_events", "event_code_type", "by_code", "with_names", "to_codes",
           "labelled", "decode_events"]

#: Most event names mapped with a ``CASE`` (and named with a list lookup); beyond, a join to a
#: small lookup table.
CASE_LIMIT = 300


def event_code_type(n_names: int) -> str:
    """The integer type of the event codes for ``n_names`` distinct names.

    Examples
    --------
    >>> event_code_type(30), event_code_type(40_000)
    ('int16', 'int32')
    """
    return "int16" if n_names < 2**15 else "int32"


def code_events(t, mapping, rules, stages, names):
    """``t`` with ``_ev`` (the event name's code: 1-based in ``names``), ``_tp`` (int16
    touchpoint code) and ``stage_index`` (int8) of each event's default touchpoint
    (``mapping``: ``event``, ``touchpoint`` per distinct name)."""
    ev_type = event_code_type(len(names))
    ev_code = {n: i for i, n in enumerate(names, start=1)}
    code = {r.name: i for i, r in enumerate(rules, start=1)}
    stage_of = {r.name: stages.index(r.stage) + 1 for r in rules}
    tp_of = dict(zip(mapping["event"].astype(object), mapping["touchpoint"]))
    if len(names) > CASE_LIMIT:
        import pandas as pd

        tps = [tp_of.get(n) for n in names]
        lookup = pd.DataFrame({"_evn": list(names), "_evc": list(ev_code.values()),
                               "_tpc": pd.array([code[tp] if isinstance(tp, str) else None for tp in tps],
                                                dtype="Int16"),
                               "_sic": pd.array([stage_of[tp] if isinstance(tp, str) else None for tp in tps],
                                                dtype="Int8")})
        lk = small_table(lookup.astype({"_evc": ev_type}), like=t)
        j = t.left_join(lk, t.event == lk._evn).drop("_evn")
        return j.rename(_ev="_evc", _tp="_tpc", stage_index="_sic")
    order = mapping.sort_values("n_events", ascending=False) if "n_events" in mapping else mapping
    frequent = [str(e) for e in order["event"] if e in ev_code]          # most frequent first: fewer tests
    t = t.mutate(_ev=_cases([(t.event == e, ev_code[e]) for e in frequent], ev_type))
    tp_code = {ev_code[e]: tp_of.get(e) for e in frequent if isinstance(tp_of.get(e), str)}
    return t.mutate(_tp=by_code(t._ev, {c: code[tp] for c, tp in tp_code.items()}, len(names), "int16"),
                    stage_index=by_code(t._ev, {c: stage_of[tp] for c, tp in tp_code.items()},
                                        len(names), "int8"))


def by_code(code, values: dict, size: int, dtype: str):
    """The value of each integer code ``1..size`` in ``values`` (absent codes and a null code:
    null), as one lookup in an array literal: a constant-time index per row on every engine,
    where a ``CASE`` of ``IN`` lists costs a test per branch (DuckDB even plans each ``IN`` list
    as a join).

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"c": [1, 3, None, 2]}, schema={"c": "int16"})
    >>> t.mutate(v=by_code(t.c, {1: 7, 3: 9}, 3, "int8")).to_pandas()["v"].tolist()
    [7.0, 9.0, nan, nan]
    """
    import ibis

    if not values or size < 1:
        return ibis.null(dtype)
    # a trailing null that no code reaches: Spark (ANSI) calls element_at of an array without
    # nulls never null, so a null code read its -1 placeholder and took the last value (D250)
    table = ibis.literal([values.get(i) for i in range(1, size + 1)] + [None], type=f"array<{dtype}>")
    return table[(code - 1).cast("int32")]      # Spark's element_at takes an INT


def _cases(pairs, dtype):
    import ibis

    if not pairs:
        return ibis.null(dtype)
    return ibis.cases(*[(c, ibis.literal(v, dtype)) for c, v in pairs], else_=ibis.null(dtype))


def with_names(t, rules, stages, names):
    """Add string ``event``, ``touchpoint`` and ``stage`` from the codes (for the row-by-row
    conditions)."""
    t = decode_events(t, names, event="_ev")
    return t.mutate(touchpoint=_names(t._tp, [r.name for r in rules]),
                    stage=_names(t.stage_index, stages))


def to_codes(t, rules, stages):
    """Codes back from the (condition-resolved) names; drops the string columns."""
    import ibis

    tp = _cases([(t.touchpoint == ibis.literal(r.name, "string"), i)
                 for i, r in enumerate(rules, start=1)], "int16")
    st = _cases([(t.stage == ibis.literal(s, "string"), i) for i, s in enumerate(stages, start=1)], "int8")
    return t.mutate(_tp=tp, stage_index=st).drop("touchpoint", "stage", "event")


def _names(code, names):
    import ibis

    if not names:
        return ibis.null("string")
    return ibis.cases(*[(code == i, ibis.literal(n, "string")) for i, n in enumerate(names, start=1)],
                      else_=ibis.null("string"))


def decode_events(t, names, **columns):
    """``t`` with a string column per ``name=code_column``: the event name of each code.

    Up to :data:`CASE_LIMIT` names, an index into a list of the names (no join); beyond, a
    join to a small lookup table per column.

    Examples
    --------
    >>> import ibis
    >>> from jmtools.core.engine import to_pandas
    >>> t = ibis.memtable({"_ev": [2, 1, None]}).cast({"_ev": "int16"})
    >>> to_pandas(decode_events(t, ["buy", "view"], event="_ev"))["event"].tolist()
    ['view', 'buy', nan]
    """
    import ibis

    if len(names) <= CASE_LIMIT:
        if not names:
            return t.mutate(**{c: ibis.null("string") for c in columns})
        listed = ibis.literal([*names, None], type="array<string>")     # a null code stays null on Spark (by_code)
        return t.mutate(**{c: listed[t[code].cast("int32") - 1] for c, code in columns.items()})
    import pandas as pd

    order = list(t.columns)
    for c, code in columns.items():
        lk = small_table(pd.DataFrame({"_dc": range(1, len(names) + 1), "_dn": list(names)})
                         .astype({"_dc": t[code].type().to_pandas()}), like=t)
        t = t.left_join(lk, t[code] == lk._dc).drop("_dc").rename(**{c: "_dn"})
        order.append(c)
    return t.select(*order)


def labelled(core, rules, stages, columns, names):
    """The public view of the stored table: names for the codes, the promised types and order.

    ``columns`` is the public column order (``event``, ``touchpoint``, ``stage`` and
    ``next_event`` included); ``names`` the event names of the codes.
    """
    t = decode_events(core, names, event="_ev", next_event="_nx")
    named = {"touchpoint": _names(t._tp, [r.name for r in rules]),
             "stage": _names(t.stage_index, stages),
             "stage_index": t.stage_index.cast("int64"),
             "position": t.position.cast("int64")}
    return t.select(**{c: named[c] if c in named else t[c] for c in columns})
