"""How the prepared events are stored: narrow, with integer codes, labelled on read.

The evidence table is what every later question reads, so it is kept as small as the
questions allow: the touchpoint as a small integer code (``_tp``, 1-based in file order) and
the stage as its 1-byte journey index (``stage_index``), never as repeated strings. Events get
their codes from one ``CASE`` over the event names (no join), or, for logs with very many
event names, from a join to a small integer lookup. :func:`labelled` puts the names back as
a projection over the stored table (a ``CASE`` on the codes), so ``Evidence.events`` keeps
every column it promises while the funnel reads the codes directly.
"""

from __future__ import annotations

from jmtools.core.engine import small_table

__all__ = ["CASE_LIMIT", "code_events", "stage_of_code", "with_names", "to_codes", "labelled"]

#: Most event names mapped with a ``CASE``; beyond, a join to a small lookup table.
CASE_LIMIT = 300


def code_events(t, mapping, rules, stages):
    """``t`` with ``_tp`` (int16 touchpoint code) and ``stage_index`` (int8) of each event's
    default touchpoint (``mapping``: ``event``, ``touchpoint`` per distinct name)."""
    code = {r.name: i for i, r in enumerate(rules, start=1)}
    stage_of = {r.name: stages.index(r.stage) + 1 for r in rules}
    hits = mapping.dropna(subset=["touchpoint"])
    if len(hits) > CASE_LIMIT:
        import pandas as pd

        lookup = pd.DataFrame({"_ev": hits["event"].astype(str),
                               "_tpc": [code[n] for n in hits["touchpoint"]],
                               "_sic": [stage_of[n] for n in hits["touchpoint"]]})
        lk = small_table(lookup.astype({"_tpc": "int16", "_sic": "int8"}), like=t)
        j = t.left_join(lk, t.event == lk._ev).drop("_ev")
        return j.rename(_tp="_tpc", stage_index="_sic")
    by_tp: dict[str, list] = {}
    hits = hits.sort_values("n_events", ascending=False) if "n_events" in hits else hits
    for event, tp in zip(hits["event"], hits["touchpoint"]):   # most frequent first: fewer tests
        by_tp.setdefault(tp, []).append(str(event))
    t = t.mutate(_tp=_cases([(t.event.isin(names), code[tp]) for tp, names in by_tp.items()], "int16"))
    return t.mutate(stage_index=stage_of_code(t._tp, rules, stages))


def stage_of_code(tp, rules, stages):
    """The 1-byte stage index of a touchpoint code (integer comparisons only)."""
    codes: dict[int, list] = {}
    for i, r in enumerate(rules, start=1):
        codes.setdefault(stages.index(r.stage) + 1, []).append(i)
    return _cases([(tp.isin(c), s) for s, c in sorted(codes.items())], "int8")


def _cases(pairs, dtype):
    import ibis

    if not pairs:
        return ibis.null(dtype)
    return ibis.cases(*[(c, ibis.literal(v, dtype)) for c, v in pairs], else_=ibis.null(dtype))


def with_names(t, rules, stages):
    """Add string ``touchpoint`` and ``stage`` from the codes (for the row-by-row conditions)."""
    return t.mutate(touchpoint=_names(t._tp, [r.name for r in rules]),
                    stage=_names(t.stage_index, stages))


def to_codes(t, rules, stages):
    """Codes back from the (condition-resolved) names; drops the string columns."""
    import ibis

    tp = _cases([(t.touchpoint == ibis.literal(r.name, "string"), i)
                 for i, r in enumerate(rules, start=1)], "int16")
    st = _cases([(t.stage == ibis.literal(s, "string"), i) for i, s in enumerate(stages, start=1)], "int8")
    return t.mutate(_tp=tp, stage_index=st).drop("touchpoint", "stage")


def _names(code, names):
    import ibis

    if not names:
        return ibis.null("string")
    return ibis.cases(*[(code == i, ibis.literal(n, "string")) for i, n in enumerate(names, start=1)],
                      else_=ibis.null("string"))


def labelled(core, rules, stages, columns):
    """The public view of the stored table: names for the codes, the promised types and order.

    ``columns`` is the public column order (``touchpoint`` and ``stage`` included).
    """
    names = {"touchpoint": _names(core._tp, [r.name for r in rules]),
             "stage": _names(core.stage_index, stages),
             "stage_index": core.stage_index.cast("int64"),
             "position": core.position.cast("int64")}
    return core.select(**{c: names[c] if c in names else core[c] for c in columns})
