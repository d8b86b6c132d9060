"""Which touchpoint each event counts for: patterns, then ``occurrence`` and ``after``.

A touchpoint's patterns say which event names can count for it; its ``occurrence``
(``first``, ``repeat``, a number n) and ``after`` (an earlier stage) say which of a
customer's matching events do. An event counts for the first touchpoint in file order whose
pattern matches and whose conditions hold, so one event name (``order_placed``) can feed a
"First order" and a "Repeat order" touchpoint.

Most journeys have no conditions; then each event name has one touchpoint and the mapping is
a small lookup joined once. Only names some conditional touchpoint can claim are decided row
by row, on the engine, after events are sorted per customer:

- ``occurrence`` counts, per customer and in time order, the events the touchpoint's patterns
  match (``row_number`` over customer × "matches");
- ``after: S`` needs the customer's first event that counts for stage ``S``. Stages named by
  ``after`` are settled one at a time in journey order: when jmtools decides where a customer
  reached ``S``, touchpoints waiting for ``S`` or a later stage do not count yet. ``after``
  must name an earlier stage than the touchpoint's own, so this order always exists.

Date-only event kinds (every timestamp of the name at midnight, while other events carry a
time of day) are sorted after the customer's last timed event of that day at their stage
(else first in a day whose timed events are all at later stages, else at the end of the day):
an event recorded "on 2024-03-02" happened some time that day, not before everything else, and
with the rest of its stage's events of that day.
"""

from __future__ import annotations

from dataclasses import dataclass

from jmtools.core.errors import ParameterError
from jmtools.core.patterns import compile_pattern
from jmtools.evidence._store import by_code

__all__ = ["TouchpointRule", "MappingPlan", "journey_layout", "touchpoint_rules", "candidates", "plan_mapping",
           "resolve_conditions", "resolve_occurrences", "overlap_report", "empty_report", "empty_in_data", "describe_rule",
           "exit_stages", "optional_stages"]

_OCCURRENCES = ("any", "first", "repeat")
_INITIATORS = ("customer", "company")


@dataclass(frozen=True)
class TouchpointRule:
    """One touchpoint as the evidence step uses it.

    Attributes
    ----------
    name, stage : str
    regex : str
        One regular expression matching the whole event name.
    occurrence : str or int
        ``"any"``, ``"first"``, ``"repeat"`` or n (only the n-th matching event).
    after : str or None
        A stage the customer must have reached first.
    initiated_by : str
        ``"customer"`` or ``"company"``.
    """

    name: str
    stage: str
    regex: str
    occurrence: object = "any"
    after: str | None = None
    initiated_by: str = "customer"

    @property
    def conditional(self) -> bool:
        """True when only some of the matching events count here."""
        return self.occurrence != "any" or self.after is not None


def _regex(patterns) -> str:
    return "^(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$"


def touchpoint_rules(journey) -> tuple[list[str], list[TouchpointRule]]:
    """Stage names in order and every touchpoint with events, as :class:`TouchpointRule`.

    ``journey`` is a :class:`jmtools.journey.Journey` or a dict with ``stages`` and
    ``touchpoints`` (``name``, ``stage``, ``events`` and optionally ``occurrence``, ``after``,
    ``initiated_by``).

    Examples
    --------
    >>> stages, rules = touchpoint_rules({"stages": ["Buy", "Rebuy"], "touchpoints": [
    ...     {"name": "First", "stage": "Buy", "events": ["order"], "occurrence": "first"},
    ...     {"name": "Again", "stage": "Rebuy", "events": ["order"], "occurrence": "repeat"}]})
    >>> [(r.name, r.occurrence, r.conditional) for r in rules]
    [('First', 'first', True), ('Again', 'repeat', True)]
    """
    if hasattr(journey, "stage_names") and hasattr(journey, "touchpoint_regexes"):
        stages = list(journey.stage_names)
        rules = [TouchpointRule(t.name, t.stage, _regex(t.events), t.occurrence, t.after,
                                t.initiated_by) for t in journey.touchpoints if t.events]
        return stages, rules
    if isinstance(journey, dict):
        stages = [s if isinstance(s, str) else s["name"] for s in journey.get("stages", [])]
        rules = []
        for t in journey.get("touchpoints", []):
            if not t.get("events"):
                continue
            rule = TouchpointRule(t["name"], t["stage"], _regex(t["events"]),
                                  t.get("occurrence", "any"), t.get("after"),
                                  t.get("initiated_by", "customer"))
            _check_rule(rule, stages)
            rules.append(rule)
        return stages, rules
    raise ParameterError("journey", type(journey).__name__,
                         expected="a jmtools.journey.Journey (Journey.load(path)) or a dict")


def _check_rule(rule: TouchpointRule, stages: list[str]) -> None:
    occ = rule.occurrence
    if not (occ in _OCCURRENCES or (isinstance(occ, int) and not isinstance(occ, bool) and occ >= 1)):
        raise ParameterError(f"touchpoint {rule.name!r} occurrence", occ,
                             expected="'any', 'first', 'repeat' or a whole number from 1")
    if rule.initiated_by not in _INITIATORS:
        raise ParameterError(f"touchpoint {rule.name!r} initiated_by", rule.initiated_by,
                             expected=list(_INITIATORS))
    if rule.after is not None and (rule.after not in stages or rule.stage not in stages
                                   or stages.index(rule.after) >= stages.index(rule.stage)):
        raise ParameterError(f"touchpoint {rule.name!r} after", rule.after,
                             expected=f"a stage before {rule.stage!r}")


def journey_layout(journey) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Stage names in order and (touchpoint, stage, full-match regex) in file order.

    ``journey`` is a :class:`jmtools.journey.Journey`, or a dict with ``stages`` (names or
    ``{"name": …}``) and ``touchpoints`` (``{"name", "stage", "events"}``) for quick tests.

    Examples
    --------
    >>> stages, tps = journey_layout({"stages": ["Browse", "Buy"],
    ...     "touchpoints": [{"name": "Shop", "stage": "Browse", "events": ["view_.*"]}]})
    >>> stages, tps
    (['Browse', 'Buy'], [('Shop', 'Browse', '^(?:(?:view_.*))$')])
    """
    stages, rules = touchpoint_rules(journey)
    return stages, [(r.name, r.stage, r.regex) for r in rules]


def candidates(names, rules) -> dict:
    """Event name → indexes (file order) of the touchpoints whose patterns fully match it.

    Examples
    --------
    >>> _, rules = touchpoint_rules({"stages": ["S"], "touchpoints": [
    ...     {"name": "A", "stage": "S", "events": ["pay.*"]},
    ...     {"name": "B", "stage": "S", "events": ["pay"]}]})
    >>> candidates(["pay", "payout", "x"], rules)
    {'pay': [0, 1], 'payout': [0], 'x': []}
    """
    compiled = [compile_pattern(r.regex, name=f"touchpoint {r.name!r} events") for r in rules]
    return {name: [i for i, rx in enumerate(compiled) if rx.fullmatch(str(name))] for name in names}


@dataclass
class MappingPlan:
    """How each event name is mapped: its default touchpoint and the conditional ones first."""

    cands: dict
    default: dict
    branches: dict

    @property
    def conditional(self) -> bool:
        """True when some event must be decided row by row."""
        return any(self.branches.values())


def plan_mapping(names, rules) -> MappingPlan:
    """Per event name: the first unconditional matching touchpoint (the default) and, per
    conditional touchpoint, the names it can claim before that default.

    Examples
    --------
    >>> _, rules = touchpoint_rules({"stages": ["Buy", "Rebuy"], "touchpoints": [
    ...     {"name": "First", "stage": "Buy", "events": ["order"], "occurrence": "first"},
    ...     {"name": "Again", "stage": "Rebuy", "events": ["order"]}]})
    >>> p = plan_mapping(["order", "view"], rules)
    >>> p.default, p.branches
    ({'order': 1, 'view': None}, {0: ['order']})
    """
    cands = candidates(names, rules)
    default, branches = {}, {i: [] for i, r in enumerate(rules) if r.conditional}
    for name, idx in cands.items():
        first = next((i for i in idx if not rules[i].conditional), None)
        default[name] = first
        for i in idx:
            if first is not None and i >= first:
                break
            branches[i].append(name)
    return MappingPlan(cands, default, branches)


def _counted_names(plan, i) -> tuple:
    """The event names touchpoint ``i``'s ``occurrence`` counts over (those its patterns match)."""
    return tuple(sorted(n for n, idx in plan.cands.items() if i in idx))


def _taken_by(plan, rules, name) -> int | None:
    """The touchpoint (index) by which every ``name`` event is taken, in file order: the first
    without conditions, or the later of a ``first``/``repeat`` pair counting the same names
    without ``after`` (each customer's first such event and every later one); None when some
    events may be left to later touchpoints or to none."""
    seen = set()
    for i in plan.cands.get(name, []):
        r = rules[i]
        if not r.conditional:
            return i
        if r.after is None and (r.occurrence in ("first", "repeat") or r.occurrence == 1):
            kind = "repeat" if r.occurrence == "repeat" else "first"
            seen.add((_counted_names(plan, i), kind))
            if (_counted_names(plan, i), "first" if kind == "repeat" else "repeat") in seen:
                return i
    return None


def _listed(rules, idx) -> str:
    """Touchpoints by name with their conditions: "'A' (occurrence: first) and 'B' (…)"."""
    said = [repr(rules[i].name) + (f" ({describe_rule(rules[i])})" if rules[i].conditional else "")
            for i in idx]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def resolve_conditions(t, stages, rules, plan):
    """Re-decide ``touchpoint``, ``stage``, ``stage_index`` row by row where conditions apply.

    ``t`` is the sorted event table (``customer_id``, ``event``, ``position`` and the default
    ``touchpoint``). Returns the table with the three columns replaced, same column order.
    """
    import ibis

    active = [i for i in sorted(plan.branches) if plan.branches[i]]
    if not active:
        return t
    cols = list(t.columns)
    t = t.mutate(_tp0=t.touchpoint)
    occ, occ_of = {}, {}                      # one counter per distinct set of matched names
    for i in active:
        if rules[i].occurrence == "any":
            continue
        key = _counted_names(plan, i)
        if key not in occ:
            occ[key] = f"_occ{len(occ)}"
            w = ibis.window(group_by=[t.customer_id, t.event.isin(list(key))], order_by=t.position)
            t = t.mutate(**{occ[key]: ibis.row_number().over(w) + 1})
        occ_of[i] = occ[key]
    stage_of = {r.name: r.stage for r in rules}

    def tp_expr(tab, known):
        branches = []
        for i in active:
            r = rules[i]
            cond = tab.event.isin(plan.branches[i])
            if r.occurrence == "first":
                cond = cond & (tab[occ_of[i]] == 1)
            elif r.occurrence == "repeat":
                cond = cond & (tab[occ_of[i]] >= 2)
            elif r.occurrence != "any":
                cond = cond & (tab[occ_of[i]] == int(r.occurrence))
            if r.after is not None:
                if r.after not in known:
                    continue
                reach = tab[known[r.after]]
                cond = cond & reach.notnull() & (tab.position > reach.fill_null(0))
            branches.append((cond, ibis.literal(r.name, "string")))
        return ibis.cases(*branches, else_=tab._tp0) if branches else tab._tp0

    def stage_expr(tp):
        pairs = [(tp == ibis.literal(n, "string"), ibis.literal(s, "string"))
                 for n, s in stage_of.items()]
        return ibis.cases(*pairs, else_=ibis.null("string"))

    known = {}
    waits = sorted({rules[i].after for i in active if rules[i].after}, key=stages.index)
    for k, stage in enumerate(waits):
        t = t.mutate(**{f"_tpw{k}": tp_expr(t, known)})
        hit = ibis.cases((stage_expr(t[f"_tpw{k}"]) == stage, t.position), else_=ibis.null("int64"))
        t = t.mutate(**{f"_reach{k}": hit.min().over(ibis.window(group_by=t.customer_id))})
        known[stage] = f"_reach{k}"
    t = t.mutate(touchpoint=tp_expr(t, known))
    t = t.mutate(stage=stage_expr(t.touchpoint))
    index = [(t.stage == ibis.literal(s, "string"), ibis.literal(i, "int64"))
             for i, s in enumerate(stages, start=1)]
    t = t.mutate(stage_index=ibis.cases(*index, else_=ibis.null("int64")))
    return t.select(*cols)


def resolve_occurrences(t, window, stages, rules, plan, codes):
    """How ``occurrence`` conditions alone decide each event's touchpoint, over event codes.

    Each counter is a running count over ``window``: the customer's events up to this one
    (``rows=(None, 0)``), in the order of the one sort that gives ``position``, so the sort is
    shared and no name is decoded. ``codes``: event name → its code (``_ev``).

    Returns
    -------
    tuple
        ``(counters, decide)``: the counter columns (name → window expression over ``t``), and
        ``decide(table)`` giving the touchpoint code and stage index of a table with ``_ev``,
        the default touchpoint code ``_tp`` and those counters. None when some condition has
        ``after`` (decided by :func:`resolve_conditions` on the sorted table).

    Examples
    --------
    >>> import ibis
    >>> stages, rules = touchpoint_rules({"stages": ["Buy", "Rebuy"], "touchpoints": [
    ...     {"name": "First", "stage": "Buy", "events": ["order"], "occurrence": "first"},
    ...     {"name": "Again", "stage": "Rebuy", "events": ["order"], "occurrence": "repeat"}]})
    >>> t = ibis.memtable({"c": ["a", "a", "a"], "i": [1, 2, 3], "_ev": [1, 2, 1], "_tp": [None] * 3},
    ...                   schema={"c": "string", "i": "int64", "_ev": "int16", "_tp": "int16"})
    >>> w = ibis.window(group_by=t.c, order_by=t.i, rows=(None, 0))
    >>> counters, decide = resolve_occurrences(t, w, stages, rules, plan_mapping(["order", "view"], rules),
    ...                                        {"order": 1, "view": 2})
    >>> s = t.mutate(**counters)
    >>> tp, si = decide(s)
    >>> s.mutate(tp=tp, si=si).order_by("i").to_pandas()[["tp", "si"]].fillna(0).astype(int).values.tolist()
    [[1, 1], [0, 0], [2, 2]]
    """
    active = [i for i in sorted(plan.branches) if plan.branches[i]]
    if any(rules[i].after is not None for i in active):
        return None
    counted = {}                              # one counter per distinct set of matched names
    for i in active:
        if rules[i].occurrence != "any":
            counted.setdefault(tuple(codes[n] for n in _counted_names(plan, i) if n in codes),
                               f"_occ{len(counted)}")
    # a filtered count, not a sum of 0/1: DuckDB sums integers as 128-bit, ~1 CPU-s at 10M (D250)
    counters = {name: t.count(where=_code_in(t._ev, key)).over(window) for key, name in counted.items()}

    def decide(tab):
        import ibis

        branches = []
        for i in active:
            r = rules[i]
            cond = _code_in(tab._ev, [codes[n] for n in plan.branches[i] if n in codes])
            if r.occurrence != "any":
                occ = tab[counted[tuple(codes[n] for n in _counted_names(plan, i) if n in codes)]]
                cond = cond & ((occ >= 2) if r.occurrence == "repeat" else
                               (occ == (1 if r.occurrence == "first" else int(r.occurrence))))
            branches.append((cond, ibis.literal(i + 1, "int16")))
        tp = ibis.cases(*branches, else_=tab._tp) if branches else tab._tp
        stage_of = {k: stages.index(r.stage) + 1 for k, r in enumerate(rules, start=1)}
        return tp, by_code(tp, stage_of, len(rules), "int8")

    return counters, decide


def _code_in(code, values):
    import ibis

    return code.isin(list(values)) if values else ibis.literal(False)


def describe_rule(rule: TouchpointRule) -> str:
    """A touchpoint's conditions in the words of the journey file (empty when none).

    Examples
    --------
    >>> describe_rule(TouchpointRule("Again", "Rebuy", "^(?:order)$", "repeat", "Buy"))
    'occurrence: repeat, after: Buy'
    """
    parts = []
    if rule.occurrence != "any":
        parts.append(f"occurrence: {rule.occurrence}")
    if rule.after is not None:
        parts.append(f"after: {rule.after}")
    return ", ".join(parts)


def overlap_report(plan, rules, counts):
    """Event names matched by more than one touchpoint, with who gets them and who never does.

    Parameters
    ----------
    plan : MappingPlan
    rules : list of TouchpointRule
    counts : dict
        Event name → number of events.

    Returns
    -------
    pandas.DataFrame
        ``event``, ``n_events``, ``touchpoints`` (all whose patterns match, file order),
        ``counts_for`` (those that can receive it), ``never_for`` (matching but shadowed by an
        earlier touchpoint without conditions), ``by_design`` (True when no touchpoint is
        shadowed: the conditions share the events out), ``fix``.

    Examples
    --------
    >>> _, rules = touchpoint_rules({"stages": ["S"], "touchpoints": [
    ...     {"name": "A", "stage": "S", "events": ["pay.*"]},
    ...     {"name": "B", "stage": "S", "events": ["pay"]}]})
    >>> plan = plan_mapping(["pay"], rules)
    >>> overlap_report(plan, rules, {"pay": 4})[["event", "counts_for", "never_for", "by_design"]]
      event counts_for never_for  by_design
    0   pay          A         B      False
    """
    import pandas as pd

    rows = []
    for name, idx in plan.cands.items():
        if len(idx) < 2:
            continue
        first = _taken_by(plan, rules, name)
        gets = [i for i in idx if first is None or i <= first]
        never = [i for i in idx if i not in gets]
        if never and first == plan.default[name]:
            fix = (f"'{rules[first].name}' (earlier in the file) takes every {name} event, so "
                   f"{', '.join(repr(rules[i].name) for i in never)} never get(s) one: make the "
                   f"patterns disjoint, or give '{rules[first].name}' occurrence: or after: so "
                   "it counts only some of them")
        elif never:                       # an earlier first/repeat pair takes them all (D187)
            fix = (f"{_listed(rules, gets)}, earlier in the file, take all {int(counts.get(name, 0)):,} "
                   f"{name} events between them (each customer's first and every later one), so "
                   f"{', '.join(repr(rules[i].name) for i in never)} never get(s) one: "
                   + _pair_fix([name], rules[gets[0]].name, several=len(never) > 1))
        else:
            fix = "shared out by the touchpoints' occurrence/after conditions, as intended"
        rows.append((name, int(counts.get(name, 0)), ", ".join(rules[i].name for i in idx),
                     ", ".join(rules[i].name for i in gets), ", ".join(rules[i].name for i in never),
                     not never, fix))
    out = pd.DataFrame(rows, columns=["event", "n_events", "touchpoints", "counts_for",
                                      "never_for", "by_design", "fix"])
    return out.sort_values(["by_design", "n_events", "event"], ascending=[True, False, True],
                           ignore_index=True)


def empty_report(stages, rules, plan, received, counts=None):
    """Touchpoints and stages that receive no event at all, with the reason and the fix.

    Parameters
    ----------
    stages : list of str
    rules : list of TouchpointRule
    plan : MappingPlan
    received : dict
        Touchpoint name → events it received.
    counts : dict, optional
        Event name → number of events: then a touchpoint whose events earlier touchpoints take
        says how many they take.

    Returns
    -------
    pandas.DataFrame
        ``kind`` (``"touchpoint"`` or ``"stage"``), ``name``, ``stage``, ``why``, ``fix``.
    """
    import pandas as pd

    rows = []
    for i, r in enumerate(rules):
        if received.get(r.name, 0):
            continue
        names = [n for n, idx in plan.cands.items() if i in idx]
        cover = {n: _taken_by(plan, rules, n) for n in names}
        hidden = bool(names) and all(c is not None and c < i for c in cover.values())
        earlier = sorted({j for n in names for j in plan.cands[n]
                          if j < i and (cover[n] is None or j <= cover[n])})
        if not names:
            why, fix = ("no event name in the data matches its patterns",
                        "point its events: patterns at names in the log (jmtools validate lists "
                        "the unmatched names)")
        elif hidden and all(cover[n] == plan.default[n] for n in names):
            taker = sorted({rules[plan.default[n]].name for n in names})
            why = (f"its patterns match {', '.join(names[:5])}, but every one of those events "
                   f"goes to {', '.join(map(repr, taker))}, earlier in the file")
            fix = "make the patterns disjoint, or give the earlier touchpoint occurrence: or after:"
        elif hidden:                # an earlier first/repeat pair (and maybe others) takes them all (D187)
            n_events = "" if counts is None else f"{sum(int(counts.get(n, 0)) for n in names):,} "
            why = (f"its patterns match {', '.join(names[:5])}, but {_listed(rules, earlier)}, earlier in "
                   f"the file, take every one of those {n_events}events between them (each customer's "
                   "first and every later one)")
            fix = _pair_fix(names, rules[earlier[0]].name)
        elif not r.conditional:     # earlier conditions happened to take every one here
            why = (f"its patterns match {', '.join(names[:5])}, but every such event in this data met "
                   f"the conditions of {_listed(rules, earlier)}, earlier in the file")
            fix = "check those conditions against the data, e.g. with jmtools.analyses.funnels.funnel"
        else:
            why = (f"its patterns match {', '.join(names[:5])}, but no such event meets its "
                   f"conditions ({describe_rule(r)})")
            fix = "check the conditions against the data, e.g. with jmtools.analyses.funnels.funnel"
        rows.append(("touchpoint", r.name, r.stage, why, fix))
    with_events = {r.stage for r in rules if received.get(r.name, 0)}
    for s in stages:
        if s in with_events:
            continue
        own = [r.name for r in rules if r.stage == s]
        why = ("no touchpoint of this stage has events: patterns" if not own else
               f"none of its touchpoints ({', '.join(own)}) receives an event")
        rows.append(("stage", s, s, why, "any funnel or share for this stage is 0 because of the "
                     "journey file, not because customers did not get there: fix its touchpoints"))
    return pd.DataFrame(rows, columns=["kind", "name", "stage", "why", "fix"])


def _pair_fix(names, before: str, *, several: bool = False) -> str:
    """How to feed a touchpoint whose events an earlier first/repeat pair takes: drop the names,
    or give it a condition and put it before the pair (the first whose conditions hold wins)."""
    its, it, they = ("their", "them", "they take") if several else ("its", "it", "it takes")
    return (f"drop {', '.join(names[:5])} from {its} events: (the earlier touchpoints already count "
            f"{'it' if len(names) == 1 else 'them'}), or give {it} occurrence: or after: and move {it} "
            f"before '{before}' in the file so {they} the events {its} "
            f"condition{'s' if several else ''} select{'' if several else 's'}")


def empty_in_data(empty, names, rules):
    """The rows of ``empty`` (:func:`empty_report` of a part of the data: a segment's customers)
    that are empty in the whole data too: no event name of ``names`` (the whole log's) can reach
    the touchpoint, or no touchpoint of the stage. A step the part's customers never reached,
    while others did, is a measured 0 for them, not a fault of the journey file.

    Examples
    --------
    >>> import pandas as pd
    >>> _, rules = touchpoint_rules({"stages": ["Use", "Cancel"], "touchpoints": [
    ...     {"name": "App", "stage": "Use", "events": ["open"]},
    ...     {"name": "Churn", "stage": "Cancel", "events": ["cancelled"]}]})
    >>> part = empty_report(["Use", "Cancel"], rules, plan_mapping(["open"], rules), {"App": 3})
    >>> part["name"].tolist()
    ['Churn', 'Cancel']
    >>> empty_in_data(part, ["open", "cancelled"], rules)["name"].tolist()
    []
    >>> empty_in_data(part, ["open"], rules)["name"].tolist()
    ['Churn', 'Cancel']
    """
    plan = plan_mapping(list(names), rules)
    can = {i for name, idx in plan.cands.items() for i in idx
           if plan.default[name] == i or name in plan.branches.get(i, [])}
    fed = {r.name for i, r in enumerate(rules) if i in can}
    fed_stages = {r.stage for r in rules if r.name in fed}
    keep = [(r.kind == "touchpoint" and r.name not in fed) or (r.kind == "stage" and r.name not in fed_stages)
            for r in empty.itertuples()]
    return empty[keep].reset_index(drop=True)


def exit_stages(journey) -> list:
    """The stages a journey marks ``exit: true`` (customers leaving), in journey order.

    Examples
    --------
    >>> exit_stages({"stages": ["Use", {"name": "Cancel", "exit": True}], "touchpoints": []})
    ['Cancel']
    >>> exit_stages({"stages": ["Use", "Cancel"], "touchpoints": []})
    []
    """
    return _marked(journey, "exit")


def optional_stages(journey) -> list:
    """The stages a journey marks ``optional: true`` (many customers never need them: a claim, a
    return), in journey order.

    Examples
    --------
    >>> optional_stages({"stages": ["Buy", {"name": "Claim", "optional": True}, "Renew"], "touchpoints": []})
    ['Claim']
    """
    return _marked(journey, "optional")


def _marked(journey, flag: str) -> list:
    stages = journey.get("stages", []) if isinstance(journey, dict) else getattr(journey, "stages", [])
    return [(s.get("name") if isinstance(s, dict) else s.name) for s in stages
            if (s.get(flag, False) if isinstance(s, dict) else getattr(s, flag, False))]
