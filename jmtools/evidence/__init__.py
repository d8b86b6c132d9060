"""Evidence: events mapped to touchpoints and stages, customers to personas, sorted once.

:func:`prepare` joins the journey file to the data:

1. each distinct event name is matched, in Python, against the touchpoints' patterns
   (full match, first touchpoint in file order wins) — a small lookup table, so the
   mapping is the same on every engine and costs one join;
2. customers are given a persona by :func:`jmtools.personas.assign_personas` (first
   persona in file order whose rule selects them; overlaps counted);
3. events are sorted once per customer — by ``timestamp``, ties by input row order —
   and each gets its ``position``, the ``next_event`` and ``time_to_next_s``. The result is
   stored where the data lives (a DuckDB table, a cached Spark frame), so that every later
   question (funnels, transitions, paths) is a cheap aggregation over it.

What did not fit is reported, never dropped silently: event names no touchpoint matches
(:attr:`Evidence.unmatched`), customers in no or several personas
(:attr:`Evidence.coverage`), events of customers missing from the customer table.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from jmtools.core.engine import as_table, to_pandas
from jmtools.core.engine import materialize as _materialize
from jmtools.core.errors import ParameterError
from jmtools.core.vocabulary import nobody_label
from jmtools.evidence._days import (AFTER_ALL, DatesOnly, date_only_kinds, date_only_place, dates_only_of,
                                   earliest_stages, few_dated_kinds, journey_keys)
from jmtools.evidence._fit import FIT_COLUMNS, fit_problems
from jmtools.evidence._personas import _assign, _coverage, _journey_personas, _require
from jmtools.evidence._rules import (TouchpointRule, candidates, describe_rule, empty_report, exit_stages,
                                     journey_layout, optional_stages, overlap_report, plan_mapping,
                                     resolve_conditions, resolve_occurrences, touchpoint_rules)
from jmtools.evidence._store import code_events, labelled, to_codes, with_names
from jmtools.sources._local_days import DATED
from jmtools.sources.actors import ACTOR

__all__ = ["Evidence", "prepare", "map_events", "journey_layout", "touchpoint_rules",
           "TouchpointRule", "PREPARED_COLUMNS", "fit_problems", "FIT_COLUMNS", "DatesOnly"]

#: Columns of the prepared event table, in order (``persona`` only when customers are given).
PREPARED_COLUMNS = ["customer_id", "timestamp", "event", "touchpoint", "stage", "stage_index",
                    "position", "next_event", "time_to_next_s"]
#: The code columns of the stored narrow table (:attr:`Evidence.core`) that the events name.
_CODES = ("_ev", "_nx", "_tp")


@dataclass
class Evidence:
    """Events tied to the journey, ready for analysis.

    Attributes
    ----------
    events : ibis.Table
        The prepared events: ``customer_id``, ``timestamp``, ``event``, ``touchpoint``,
        ``stage``, ``stage_index`` (1-based journey order; null when unmatched),
        ``position`` (1-based order of the event within its customer), ``next_event``,
        ``time_to_next_s`` (seconds to the customer's next event), ``persona`` when
        customers were given, and the customer columns given as ``segments``. Stored once
        where the data lives. The event log's optional columns (``channel``, ``session_id``,
        ``value``…) are not stored with it when the log has its input row number (``_row``,
        as loaded by :func:`jmtools.sources.load_events`): :meth:`with_event_columns` reads
        them from the log when asked (:attr:`event_columns` lists them).
    stages : list of str
        Stage names in journey order.
    touchpoints : list of str
        Touchpoint names in file order.
    touchpoint_stage : dict
        Touchpoint → its stage.
    mapping : pandas.DataFrame
        One row per distinct event name: ``event``, ``touchpoint``, ``stage``, ``n_events``; an
        event that conditions share out has a row per touchpoint, in journey then file order.
    unmatched : pandas.DataFrame
        Events that count for no touchpoint: ``event``, ``n_events``, ``share_of_events``,
        ``reason`` (no pattern matches, or the matching touchpoints' conditions exclude them).
    coverage : pandas.DataFrame or None
        Customers per persona situation (``one persona``, ``no persona``, ``several personas``,
        ``not in customer table``): ``coverage``, ``n``, ``share``.
    personas : list of str
        Persona names in file order (empty without customers).
    persona_sizes : pandas.DataFrame or None
        ``persona``, ``n_customers`` (customers with events), in file order, then
        ``"(no persona)"`` and ``"(not in customer table)"`` (:mod:`jmtools.core.vocabulary`).
    n_events, n_customers : int
        Size of the prepared table.
    overlaps : pandas.DataFrame
        Event names matched by more than one touchpoint: ``event``, ``n_events``,
        ``touchpoints``, ``counts_for``, ``never_for``, ``by_design``, ``fix``.
    empty : pandas.DataFrame
        Touchpoints and stages that receive no event: ``kind``, ``name``, ``stage``, ``why``,
        ``fix``. A funnel's 0 for such a stage comes from the journey file, not from customers.
    date_only : pandas.DataFrame
        Event names recorded with dates only (every timestamp at midnight while other events
        have times), and names with times some of whose rows were written as a date alone
        (``2024-03-02`` among ``2024-03-02 14:31:07``, as the loader saw them: ``_dated``,
        D140): ``event``, ``n_events``, ``n_dated`` (the rows read as dates; ``n_events`` for a
        name of dates only). Each such row is sorted after the customer's last timed event of
        its day at its stage, else first in a day of later stages only, else last; several of
        one place in journey order (as in a log of dates only); a row with a time, 00:00:00 included, keeps
        its time. Names with only 1 or 2 events, all at midnight and none written as a date
        alone, are not listed and stay at midnight, but their ties there are in journey order
        too (after the timed events of that instant), never in row order.
    dates_only : DatesOnly or None
        Set when every event is at midnight (a log of dates only, e.g. read from date
        strings): the customers with events of two or more stages on one day, whose order
        within that day is assumed — events of one day are taken in journey order (company
        contacts first, then stage, touchpoint, event name), never in file row order. None when the log carries times.
    rules : list of TouchpointRule
        The touchpoints with their conditions and initiator.
    event_names : list of str
        The distinct event names in name order: the event codes of :attr:`core` (``_ev``,
        ``_nx``) are 1-based positions in this list.
    core : ibis.Table
        The stored table behind :attr:`events`, narrow: the event and next event as codes
        ``_ev`` and ``_nx`` (1-based in :attr:`event_names`), the touchpoint as a code ``_tp``
        (1-based in :attr:`touchpoints` order), the stage only as ``stage_index``; no names.
        :attr:`events` is a projection of it that puts the names back.
    answers : dict
        Results already computed from this evidence (the funnel chain per steps and groups),
        so that a funnel and the time between its steps are computed once.
    event_columns : list of str
        The event log's optional columns left out of :attr:`events` and :attr:`core`
        (read back by :meth:`with_event_columns`).
    source : ibis.Table, callable or None
        The event log they are read from (with its ``_row``), or a function that returns it
        (a cached evidence reads the log only when asked); None without such columns.
    """

    events: object
    stages: list
    touchpoints: list
    touchpoint_stage: dict
    mapping: object
    unmatched: object
    coverage: object = None
    personas: list = field(default_factory=list)
    persona_sizes: object = None
    n_events: int = 0
    n_customers: int = 0
    journey: object = None
    overlaps: object = None
    empty: object = None
    date_only: object = None
    dates_only: object = None
    rules: list = field(default_factory=list)
    event_names: list = field(default_factory=list)
    core: object = None
    event_columns: list = field(default_factory=list)
    source: object = field(default=None, repr=False, compare=False)
    answers: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _core_events: object = field(default=None, init=False, repr=False, compare=False)

    @property
    def narrow(self):
        """The stored narrow table (:attr:`core`) when :attr:`events` is still its projection;
        None for a copy given other events, whose analyses must read those events."""
        return self.core if self.core is not None and self.events is self._core_events else None

    @property
    def mapped_stages(self) -> list:
        """The stages of default funnels: in journey order, those that receive at least one event
        and are neither :attr:`exit_stages` nor ``optional: true``. A stage the journey file gives no event (:attr:`empty`) is
        left out, so that its 0 is never shown as measured."""
        empty = set() if self.empty is None else set(self.empty.loc[self.empty["kind"] == "stage", "name"])
        apart = {*self.exit_stages, *self.optional_stages}   # said beside the funnel
        return [s for s in self.stages if s not in empty and s not in apart]

    @property
    def exit_stages(self) -> list:
        """Stages of customers leaving (``exit: true`` in the journey file), in journey order."""
        return exit_stages(self.journey)

    @property
    def optional_stages(self) -> list:
        """Stages many customers never need (``optional: true``), in journey order."""
        return optional_stages(self.journey)

    def dates_only_for(self, persona: str):
        """:attr:`dates_only` counted among ``persona``'s customers (a persona report's funnel
        is theirs, so its bound is too); None when the log carries times, or when customers
        have no persona (no customer table given: whose customers they are cannot be known).

        Examples
        --------
        >>> import pandas as pd
        >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "event": ["pay", "view"] * 2,
        ...                    "timestamp": pd.to_datetime(["2024-01-01"] * 3 + ["2024-01-02"])})
        >>> customers = pd.DataFrame({"customer_id": ["a", "b"], "age": [25, 40]})
        >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
        ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
        ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}],
        ...     "personas": {"Young": "age < 30", "Older": "age >= 30"}}
        >>> e = prepare(ev, j, customers=customers)
        >>> e.dates_only.n_ambiguous, e.dates_only_for("Young").n_ambiguous, e.dates_only_for("Older")
        (1, 1, DatesOnly(n_ambiguous=0, n_customers=1, n_ambiguous_touchpoints=0))
        >>> prepare(ev, j).dates_only_for("Young") is None
        True
        """
        if self.dates_only is None or self.core is None or "persona" not in self.core.columns:
            return None
        sizes = self.persona_sizes
        n = int(sizes.loc[sizes["persona"] == persona, "n_customers"].sum()) if sizes is not None else 0
        return dates_only_of(self.core.filter(self.core.persona == persona), n)

    @property
    def nobody(self) -> str:
        """The name of its customers without a persona (:func:`~jmtools.core.vocabulary.nobody_label`)."""
        n = {} if self.coverage is None else dict(zip(self.coverage["coverage"], self.coverage["n"]))
        return nobody_label(n.get("no persona"), n.get("not in customer table"))

    @property
    def company_touchpoints(self) -> list:
        """Touchpoints the company starts (``initiated_by: company``), in file order."""
        return [r.name for r in self.rules if r.initiated_by == "company"]

    def with_events(self, events) -> "Evidence":
        """A copy whose events are ``events`` (e.g. with a derived column to split by).

        The copy has no stored narrow table (:attr:`core`) and no remembered answers, so that
        every analysis of it reads the new events, never the original's.

        Examples
        --------
        >>> import pandas as pd
        >>> from jmtools.evidence import prepare
        >>> ev = prepare(pd.DataFrame({"customer_id": ["a", "b"], "event": ["view", "view"],
        ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])}),
        ...     {"stages": ["Browse"], "touchpoints": [{"name": "Site", "stage": "Browse",
        ...                                             "events": ["view"]}]})
        >>> t = ev.events
        >>> cohort = ev.with_events(t.mutate(week=t.timestamp.week_of_year()))
        >>> "week" in cohort.events.columns, cohort.core is None
        (True, True)
        """
        return dataclasses.replace(self, events=events, core=None)

    def with_event_columns(self, *columns) -> "Evidence":
        """A copy whose events also have the event log's optional ``columns`` (all of
        :attr:`event_columns` when none are named), read from the log by its row number.

        The stored table leaves them out, so that a large log is held in memory once; this
        joins them back for the analyses that need them (a copy, like :meth:`with_events`).

        Examples
        --------
        >>> import pandas as pd
        >>> from jmtools.evidence import prepare
        >>> from jmtools.sources import load_events
        >>> log = load_events(pd.DataFrame({"customer_id": ["a", "a"], "event": ["view", "buy"],
        ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"]), "channel": ["web", "app"]}))
        >>> ev = prepare(log, {"stages": ["Browse"], "touchpoints": [{"name": "Site",
        ...                     "stage": "Browse", "events": ["view"]}]})
        >>> ev.event_columns, "channel" in ev.events.columns
        (['channel'], False)
        >>> ev.with_event_columns("channel").to_pandas()[["event", "channel"]]
          event channel
        0  view     web
        1   buy     app
        """
        names = list(columns) or list(self.event_columns)
        unknown = [c for c in names if c not in self.event_columns]
        if unknown:
            raise ParameterError("columns", unknown[0], expected=list(self.event_columns) or
                                 "none: the event log has no optional columns left out")
        if not names:
            return self
        src = self.source() if callable(self.source) else self.source
        side = src.select(_sr="_row", **{c: src[c] for c in names})
        t = self.events
        joined = t.left_join(side, t._row == side._sr).drop("_sr")
        return self.with_events(joined.select(*t.columns, *names))

    def _link_core(self) -> "Evidence":
        """Mark :attr:`events` as the projection of :attr:`core` (where both were built together).

        A copy made with other events (``dataclasses.replace``) is not linked, so its analyses
        read its own events, and it starts with no remembered answers."""
        self._core_events = self.events
        return self

    @property
    def columns(self) -> list:
        """The column names of :attr:`events`."""
        return list(self.events.columns)

    @property
    def table(self):
        """The prepared event table (same as :attr:`events`)."""
        return self.events

    def to_pandas(self):
        """The prepared events as pandas, sorted by customer and position (small data only)."""
        t = self.events.order_by(["customer_id", "position"])
        cols = [c for c in t.columns if c != "_row"]
        return to_pandas(t.select(cols))

    @property
    def match_rate(self) -> float:
        """Share of events that map to a touchpoint."""
        unmatched = int(self.unmatched["n_events"].sum()) if len(self.unmatched) else 0
        return 1 - unmatched / self.n_events if self.n_events else float("nan")

    def __repr__(self) -> str:
        return (f"<Evidence: {self.n_events:,} events of {self.n_customers:,} customers; "
                f"{self.match_rate:.1%} of events on a touchpoint; {len(self.stages)} stages, "
                f"{len(self.touchpoints)} touchpoints, {len(self.personas)} personas>")


def map_events(event_names, journey):
    """Map event names to (touchpoint, stage): the first touchpoint whose pattern fully matches.

    Touchpoints' ``occurrence`` and ``after`` conditions are not applied here: they depend on
    each customer's history, so :func:`prepare` decides them event by event.

    Returns
    -------
    pandas.DataFrame
        ``event``, ``touchpoint``, ``stage``, ``stage_index`` (1-based; missing when unmatched).

    Examples
    --------
    >>> j = {"stages": ["Browse", "Buy"], "touchpoints": [
    ...     {"name": "Product page", "stage": "Browse", "events": ["product_.*"]},
    ...     {"name": "Checkout", "stage": "Buy", "events": ["checkout", "pay"]}]}
    >>> map_events(["product_view", "pay", "login"], j)
              event    touchpoint   stage  stage_index
    0  product_view  Product page  Browse            1
    1           pay      Checkout     Buy            2
    2         login           NaN     NaN         <NA>
    """
    import pandas as pd

    stages, rules = touchpoint_rules(journey)
    names = list(event_names)
    cands = candidates(names, rules)
    rows = []
    for name in names:
        hit = rules[cands[name][0]] if cands[name] else None
        rows.append((name, hit.name if hit else None, hit.stage if hit else None,
                     stages.index(hit.stage) + 1 if hit else None))
    out = pd.DataFrame(rows, columns=["event", "touchpoint", "stage", "stage_index"])
    out["stage_index"] = out["stage_index"].astype("Int64")
    return out


def prepare(events, journey, *, customers=None, personas=None, segments=None,
            materialize: bool = True) -> Evidence:
    """Tie events to the journey's touchpoints and stages and customers to personas.

    Parameters
    ----------
    events : LoadedTable, ibis.Table, pandas or Spark DataFrame
        Canonical events (``customer_id``, ``timestamp``, ``event``; ``_row`` breaks timestamp ties
        when present, as :func:`jmtools.sources.load_events` provides; otherwise ties are broken
        by event name).
    journey : Journey or dict
        Stages in order and touchpoints with their event patterns.
    customers : LoadedTable, ibis.Table or DataFrame, optional
        Canonical customers; with it, each event gets its customer's ``persona``.
    personas : optional
        Anything :func:`jmtools.personas.assign_personas` accepts; default: the journey's personas.
    segments : str or list of str, optional
        Customer columns to carry onto every event (``"region"``), so that analyses can split
        ``by=`` them like by persona.
    materialize : bool, default True
        Store the prepared table once (DuckDB table / cached Spark frame).

    Returns
    -------
    Evidence

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["view", "pay", "ping"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05",
    ...                                                 "2024-01-02 09:00"])})
    >>> j = {"stages": ["Browse", "Buy"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
    >>> e = prepare(ev, j)
    >>> e.to_pandas()[["customer_id", "event", "stage", "position", "next_event", "time_to_next_s"]]
      customer_id event   stage  position next_event  time_to_next_s
    0           a  view  Browse         1        pay           300.0
    1           a   pay     Buy         2        NaN             NaN
    2           b  ping     NaN         1        NaN             NaN
    >>> e.unmatched[["event", "n_events", "share_of_events"]]
      event  n_events  share_of_events
    0  ping         1         0.333333
    """
    t = as_table(events, name="events")
    _require(t, ["customer_id", "timestamp", "event"], "events")
    stages, rules = touchpoint_rules(journey)
    if not stages:
        raise ParameterError("journey", "no stages", expected="a journey with at least one stage")
    alone = {"_dated": t[DATED].ifelse(1, 0).sum()} if DATED in t.columns else {}   # D140
    counts = to_pandas(t.group_by("event").agg(
        n_events=t.count(), _midnight=(t.timestamp.truncate("D") == t.timestamp).sum(), **alone))
    counts = counts.sort_values("event", ignore_index=True)      # one order on every engine
    plan = plan_mapping(counts["event"].tolist(), rules)
    date_only, few = date_only_kinds(counts), few_dated_kinds(counts)
    all_days = bool(len(counts)) and bool((counts["_midnight"].fillna(0) == counts["n_events"]).all())
    rows = not all_days and bool(alone) and bool(counts["_dated"].fillna(0).sum())
    counts = counts.drop(columns=["_midnight", *alone])
    mapping = _default_mapping(counts, plan, rules, stages)
    event_names = [str(e) for e in counts["event"] if isinstance(e, str)]
    joined = code_events(t, mapping, rules, stages, event_names)

    assignment, coverage, names = None, None, []
    persona_rules = personas if personas is not None else _journey_personas(journey)
    if customers is not None and persona_rules:
        assignment, names = _assign(customers, persona_rules)
        a = assignment.select("customer_id", "persona").rename(_cid="customer_id")
        joined = joined.left_join(a, joined.customer_id == a._cid).drop("_cid")
    segments = [segments] if isinstance(segments, str) else list(segments or [])
    if segments:
        if customers is None:
            raise ParameterError("segments", segments, expected="customers= as well (segments are "
                                 "customer columns)")
        ct = as_table(customers, name="customers")
        _require(ct, ["customer_id", *segments], "customers")
        seg = ct.select("customer_id", *segments).rename(_sid="customer_id")
        joined = joined.left_join(seg, joined.customer_id == seg._sid).drop("_sid")

    codes = {e: i for i, e in enumerate(event_names, start=1)}
    # occurrence conditions alone are running counts in the one sort, on every engine (D240,
    # D250); ``after`` needs the sorted table
    in_sort = (plan.conditional
               and not any(rules[i].after for i, names in plan.branches.items() if names))
    optional = _optional_columns(t, segments)
    whole = date_only.loc[date_only["n_dated"] == date_only["n_events"], "event"]
    day_kinds = list(codes.values()) if all_days else [codes[e] for e in whole if e in codes]
    core = _sort_once(joined, day_kinds, leave_out=optional, shift=not all_days, rows=rows,
                      journey=journey_keys(joined, plan, rules, stages, event_names),
                      few=[codes[e] for e in few if e in codes],
                      stage=earliest_stages(joined, plan, rules, stages, event_names),
                      occurrences=(lambda t, w: resolve_occurrences(t, w, stages, rules, plan, codes))
                      if in_sort else None)
    if plan.conditional and not in_sort:
        named = resolve_conditions(with_names(core, rules, stages, event_names), stages, rules, plan)
        core = to_codes(named, rules, stages).select(*core.columns)
    if materialize:
        core = _materialize(core, name="evidence")
    public = [c for c in PREPARED_COLUMNS] + [c for c in core.columns if c not in PREPARED_COLUMNS
                                               and c not in _CODES]
    prepared = labelled(core, rules, stages, public, event_names)
    if plan.conditional:
        mapping = _conditional_mapping(core, rules, stages, event_names)
        file_order = {r.name: i for i, r in enumerate(rules)}   # two touchpoints of one stage: file order
        mapping = (mapping.assign(_tp=mapping["touchpoint"].map(file_order))
                   .sort_values(["event", "stage_index", "_tp"], ignore_index=True).drop(columns="_tp"))
    n_events = int(mapping["n_events"].sum())
    n_customers = int(to_pandas(core.filter(core.position == 1).count()))
    sizes = None
    if assignment is not None:
        coverage, sizes = _coverage(core, assignment, names, n_customers)
    unmatched = _unmatched(mapping, plan, rules, n_events)
    received = mapping.groupby("touchpoint")["n_events"].sum().to_dict()
    by_name = dict(zip(counts["event"], counts["n_events"]))
    return Evidence(prepared, stages, [r.name for r in rules], {r.name: r.stage for r in rules},
                    mapping, unmatched, coverage, names, sizes, n_events, n_customers, journey,
                    overlaps=overlap_report(plan, rules, by_name),
                    empty=empty_report(stages, rules, plan, received, by_name), date_only=date_only,
                    dates_only=dates_only_of(core, n_customers) if all_days else None,
                    rules=rules, event_names=event_names, core=core, event_columns=optional,
                    source=t if optional else None)._link_core()


def _optional_columns(t, segments) -> list:
    """The event log's own optional columns (``channel``, ``session_id``…), left out of the
    stored table when the log's row number (``_row``) can read them back; else none."""
    if "_row" not in t.columns:
        return []
    fixed = {*PREPARED_COLUMNS, "persona", "_row", DATED, ACTOR, *_CODES, *segments}   # actors: D256
    return [c for c in t.columns if c not in fixed]


def _conditional_mapping(core, rules, stages, names):
    """``event``, ``touchpoint``, ``stage``, ``stage_index``, ``n_events`` per combination the
    conditions gave: counted over the stored codes, named on the small result."""
    import pandas as pd

    got = to_pandas(core.group_by(["_ev", "_tp", "stage_index"]).agg(n_events=core.count()))

    def name(codes, labels):
        return [labels[int(c) - 1] if pd.notna(c) else None for c in codes]

    out = pd.DataFrame({"event": name(got["_ev"], names),
                        "touchpoint": name(got["_tp"], [r.name for r in rules]),
                        "stage": name(got["stage_index"], stages),
                        "stage_index": _as_read(got["stage_index"]),
                        "n_events": got["n_events"].astype("int64")})
    return out


def _as_read(codes):
    """Stage indexes as a table of them reads into pandas: whole numbers, floats when any is missing."""
    values = codes.astype("float64").to_numpy()
    return values if codes.isna().any() else values.astype("int64")


def _default_mapping(counts, plan, rules, stages):
    """One row per event name: its first unconditional touchpoint (or none)."""
    import pandas as pd

    tp = [rules[plan.default[e]] if plan.default[e] is not None else None for e in counts["event"]]
    out = pd.DataFrame({"event": counts["event"],
                        "touchpoint": [r.name if r else None for r in tp],
                        "stage": [r.stage if r else None for r in tp],
                        "stage_index": [stages.index(r.stage) + 1 if r else None for r in tp],
                        "n_events": counts["n_events"]})
    out["stage_index"] = out["stage_index"].astype("Int64")
    return out


def _unmatched(mapping, plan, rules, n_events):
    out = mapping[mapping["touchpoint"].isna()][["event", "n_events"]].copy()

    def reason(name):
        idx = plan.cands.get(name, [])
        if not idx:
            return "no touchpoint's pattern matches it"
        return "matches " + "; ".join(f"'{rules[i].name}' ({describe_rule(rules[i])})"
                                      for i in idx) + " but not the conditions"

    out["reason"] = [reason(e) for e in out["event"]]
    out = out.sort_values(["n_events", "event"], ascending=[False, True], ignore_index=True)
    out["share_of_events"] = out["n_events"] / n_events if n_events else float("nan")
    return out[["event", "n_events", "share_of_events", "reason"]]


def _sort_once(t, date_only=(), leave_out=(), shift=True, journey=(None, 1), few=(), stage=None,
               rows=False, occurrences=None):
    """Add position, the next event's code ``_nx`` and time_to_next_s with one window sort per
    customer.

    Returns the narrow stored columns: the event as its code ``_ev`` (``date_only`` are codes),
    the touchpoint as its code ``_tp``, no names (:func:`jmtools.evidence._store.labelled`
    adds them on read), without the columns ``leave_out``; ``_row`` is kept only to read those
    back (after the sort, ``position`` is the order). Codes follow name order, so ties without
    ``_row`` still sort by name.

    Date-only event names (codes ``date_only``) sort right after the customer's last timed event
    of that day at their ``stage`` (before other events of its second, D127), else at the end of their day (``shift``; :mod:`._days`; in a log
    of dates only nothing is shifted); a negative time to the next event is unknown (null). Date-only events of one
    day sort by the ``journey`` key (``(key, size)`` of :func:`jmtools.evidence._days.journey_keys`)
    before the row number, so that their order never depends on the file's row order; in a
    log of dates only the day and that key are one integer (day × size + key). So do the ``few``
    date-only names too rare to be shifted, at midnight: after the timed events of that
    instant (whose ties stay in row order), in journey order among themselves. With ``rows``,
    the rows ``_dated`` marks (a time written as a date alone, D140) are placed as date-only
    names' events are, whatever their name. ``occurrences(t, window)``, when given, returns the
    running counters over ``window`` (the same sort) and how they decide the touchpoint code and
    stage index (:func:`jmtools.evidence._rules.resolve_occurrences`).
    """
    import ibis

    key, ties, by = t.timestamp, [], t._row if "_row" in t.columns else t._ev
    if date_only and not shift:              # every time a day: the day and the journey key in one
        jkey, size = journey
        key = (t.timestamp.epoch_seconds() // 86400) * size + jkey
    elif date_only or few or rows:
        day = t._ev.isin(list(date_only)) if date_only else ibis.literal(False)
        day = day | t[DATED].fill_null(False) if rows else day       # rows written as dates (D140)
        ties = [ibis.ifelse(day | t._ev.isin(list(few)) if few else day, journey[0], 0)]
        if date_only or rows:                # right after its anchor (D122, D127): columns first
            own = by.cast("int64").fill_null(AFTER_ALL - 1)
            own = ibis.ifelse(t._ev.isin(list(few)), AFTER_ALL, own) if few else own  # a few: after their instant
            t = t.mutate(_tie=ties[0], _day=day, _own=own,
                         **({} if stage is None else {"_st": stage}))
            t = date_only_place(t, t._day, None if stage is None else t._st, t._own)
            key, ties, by = t._key, [t._after, t._tie], t._row if "_row" in t.columns else t._ev
    order = [key, *ties, by]
    w = ibis.window(group_by=t.customer_id, order_by=order)
    nxt_ts = t.timestamp.lead().over(w)
    secs = (nxt_ts.epoch_seconds() - t.timestamp.epoch_seconds()).cast("float64")
    if (date_only or rows) and shift:
        secs = ibis.ifelse(secs < 0, ibis.null("float64"), secs)
    extra = [c for c in t.columns if c not in PREPARED_COLUMNS and c not in leave_out
             and c not in ("persona", "_row", DATED, "_key", "_tie", "_after", "_day", "_own", "_st", *_CODES)]
    if "_row" in t.columns and leave_out:     # the row number reads the left-out columns back
        extra.append("_row")
    counters, decide = ({}, None) if occurrences is None else \
        occurrences(t, ibis.window(group_by=t.customer_id, order_by=order, rows=(None, 0)))
    cols = dict(customer_id=t.customer_id, timestamp=t.timestamp, _ev=t._ev,
                _tp=t._tp, stage_index=t.stage_index,
                position=(ibis.row_number().over(w) + 1).cast("int32"),
                _nx=t._ev.lead().over(w), time_to_next_s=secs)
    if "persona" in t.columns:
        cols["persona"] = t.persona
    out = t.select(**cols, **{c: t[c] for c in extra}, **counters)
    if decide is None:
        return out
    tp, stage_index = decide(out)              # the counters are columns of the sorted rows
    return out.mutate(_tp=tp, stage_index=stage_index).drop(*counters)
