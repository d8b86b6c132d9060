"""Whom a run is about (:class:`Focus`) and what it found (:class:`Findings`): the types at
the two ends of the chain (:mod:`jmtools.pipeline._chain`), which reports read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from jmtools.analyses import emotions, funnels
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.compare import company_only_reach
from jmtools.core.engine import kept_answer, to_pandas
from jmtools.core.errors import ParameterError
from jmtools.core.stats import wilson_interval
from jmtools.core.vocabulary import ALL, ALL_LABEL, NOT_IN_CUSTOMERS, focus_label
from jmtools.pipeline._disclosed import protecting_rows
from jmtools.pipeline._had_time import loss_had_time, open_rows
from jmtools.pipeline._repeats import repeat_visits_compared
from jmtools.sources import IdOverlap, World, id_overlap

__all__ = ["Focus", "resolve_focus", "require_members", "customer_ids_apart", "Findings", "touchpoint_customers"]


# ------------------------------------------------------------------------------ focus
@dataclass(frozen=True)
class Focus:
    """Whom a run is about: every customer, one persona, optionally within a segment.

    Attributes
    ----------
    persona : str
        A persona of the journey, or ``"all"``.
    segment : str
        A rule over customer attributes (written like a persona rule), or ``""`` for none.
    label : str
        How reports name the focus (``"all customers"``, ``"Budget Ben in segment …"``).
    """

    persona: str = ALL
    segment: str = ""
    label: str = ALL_LABEL

    @property
    def everyone(self) -> bool:
        """True when the focus is every customer (no single persona)."""
        return self.persona == ALL


def resolve_focus(journey, persona: str = ALL, segment: str = "", *, many: str = "customers") -> Focus:
    """Check ``persona`` against the journey and build the :class:`Focus`; ``many`` names the
    journeys of its label, "all accounts" (:func:`jmtools.core.vocabulary.focus_label`, D262).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... stages: [{name: Browse}, {name: Buy}]
    ... personas: [{name: Ben, rule: "age < 30"}]
    ... ''')
    >>> resolve_focus(j, "Ben").label
    'Ben'
    >>> resolve_focus(j, "Bne")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: ...
    """
    if journey is None:
        raise ParameterError("journey_file", None, expected="a journey YAML (there is none in the data folder)")
    names = list(journey.persona_names)
    if persona != ALL and persona not in names:
        raise ParameterError("persona", persona, expected=[ALL, *names])
    return Focus(persona=persona, segment=segment or "", label=focus_label(persona, segment, many=many))


def require_members(journey, persona: str, assignment) -> None:
    """Stop, with what to check, when ``persona`` selects no customer of ``assignment``.

    A notebook about one persona whose rule matches nobody (``region == "nort"``) would show
    empty tables and stop in a chart with nothing to draw; this says so first, naming the rule
    and the customers it was run on. Nothing happens for ``"all"``, without an assignment, or
    when the persona has customers (an assignment from a personas file may name personas the
    journey does not).

    Parameters
    ----------
    journey : Journey
    persona : str
    assignment : pandas.DataFrame or None
        ``customer_id, persona`` (:func:`jmtools.personas.assign_personas`).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... stages: [{name: Browse}, {name: Buy}]
    ... personas: [{name: Ben, rule: "age < 30"}, {name: Ann, rule: "age > 300"}]
    ... ''')
    >>> a = pd.DataFrame({"customer_id": ["a", "b"], "persona": ["Ben", None]})
    >>> require_members(j, "Ben", a)
    >>> require_members(j, "Ann", a)
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: ...
    """
    if persona == ALL or assignment is None or (assignment["persona"] == persona).any():
        return
    with_members = list(dict.fromkeys(assignment["persona"].dropna()))    # a personas file may name others
    raise _no_members_error(journey, persona, with_members, len(assignment))


def _no_members_error(journey, persona: str, with_members: list, n_customers: int) -> ParameterError:
    """The error :func:`require_members` raises: ``persona`` selects none of ``n_customers``
    customers; ``with_members`` are the personas that select some (the choices offered)."""
    card = next((c for c in journey.personas_resolved() if c.name == persona), None)
    if card is None:                          # a name neither the journey nor the assignment has
        return ParameterError("persona", persona, expected=[ALL, *with_members])
    rule = f" ({card.rule})" if getattr(card, "rule", None) else ""
    return ParameterError("persona", persona, expected="a persona with customers: "
                          + ", ".join(repr(p) for p in [ALL, *with_members]),
                          fix=f"its rule{rule} selects none of the {n_customers:,} customers: check it "
                              "against the customer table (jmtools validate JOURNEY --data FOLDER), or choose "
                              "another persona")


def customer_ids_apart(events, customers) -> IdOverlap | None:
    """Why fewer than half the customers with events are in the customer table; None otherwise.

    The two tables' ids are compared by :func:`jmtools.sources.id_overlap` (D145): the same
    ids written another way (case, leading zeros, a prefix) or different ids. Reports word it
    with ``sentence(quote=False)`` and ``fix`` (:func:`jmtools.report.wording.ids_words`,
    D154): no id is quoted.

    Parameters
    ----------
    events : jmtools.evidence.Evidence, a loaded event table, an Ibis table or pandas.DataFrame
        The customers with events (``customer_id``). From an evidence prepared with the
        customer table, its persona sizes tell first whether most are missing, so nothing is
        queried when they are not.
    customers : pandas.DataFrame, a loaded table or None
        The customer table (``customer_id``); a loaded table is read only when needed.

    Returns
    -------
    jmtools.sources.IdOverlap or None
        Counted over every customer with events; None without a customer table or events.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["7", "8", "9"], "event": "view",
    ...                    "timestamp": pd.Timestamp("2024-01-01 10:00")})
    >>> customers = pd.DataFrame({"customer_id": ["C-007", "C-008", "C-009"], "age": [20, 30, 40]})
    >>> j = {"stages": ["Browse"], "touchpoints": [{"name": "Site", "stage": "Browse", "events": ["view"]}],
    ...      "personas": [{"name": "Young", "rule": "age < 25"}]}
    >>> customer_ids_apart(prepare(ev, j, customers=customers), customers).sentence(quote=False)
    '0 of 3 customers with events are in the customer table: the ids seem to be the same, written with a prefix or leading zeros around the same number'
    >>> customer_ids_apart(ev, customers.assign(customer_id=["7", "8", "x"])) is None     # 2 of 3 meet
    True
    """
    sizes = getattr(events, "persona_sizes", None)
    if customers is None or events is None:
        return None
    if sizes is not None:                            # an evidence: its sizes say whether to look
        total = int(events.n_customers)
        if sizes.loc[sizes["persona"] == NOT_IN_CUSTOMERS, "n_customers"].sum() <= 0.5 * total:
            return None
        events = events.events
    known = customers if isinstance(customers, pd.DataFrame) else customers.to_pandas()   # as the report reads it
    found = id_overlap(_distinct_ids(events), _distinct_ids(known))
    return found if found.share < 0.5 else None


def _distinct_ids(table):
    """The distinct ``customer_id`` of a frame, a loaded table or an Ibis table (queried there)."""
    if isinstance(table, pd.DataFrame):
        return table["customer_id"].drop_duplicates()
    table = getattr(table, "table", table)           # a loaded table: its Ibis table
    return to_pandas(table.select("customer_id").distinct())["customer_id"]


# ----------------------------------------------------------------------------- findings
@dataclass
class Findings:
    """Every result of one run of the chain, as tidy frames.

    Attributes
    ----------
    world : jmtools.sources.World
        The loaded tables, with their accounting.
    journey : jmtools.journey.Journey
    focus : Focus
    tables : dict of str to pandas.DataFrame
        The loaded non-event tables (restricted to the segment, if one is set).
    assignment : pandas.DataFrame
        ``customer_id, persona`` of every customer in the customer table.
    evidence : jmtools.evidence.Evidence
        Events mapped to touchpoints and stages, sorted once per customer.
    funnel_all, funnel : pandas.DataFrame
        Stage funnel of every customer, and of the focus (the same frame for ``"all"``; 1–4
        customers: steps without numbers, ``suppressed``). A step reached by 1–4 customers
        keeps its row without its numbers, and so does what reads its count on the next step
        (``suppressed``; :func:`~jmtools.pipeline._disclosed.disclosed_steps`).
    emotion_evidence, curve, moments, assumed, gap : pandas.DataFrame
        Step 3: valence evidence (surveys and feedback; without either, behaviour — see
        :attr:`curve_basis`; None without any), the emotion curve, moments of truth, the
        workshop's assumed curve and its gap to the measured one.
    kpis : pandas.DataFrame
        Survey KPIs per stage for the focus (rows with n = 0 kept).
    signals : pandas.DataFrame
    pain_points : jmtools.analyses.painpoints.PainPoints
    themes : jmtools.analyses.themes.Themes or None
        Complaint themes found on everybody's feedback (so every persona's report uses the
        same words); ``themes_error`` says why there are none.
    themes_focus : jmtools.analyses.themes.Themes or None
        The same themes recounted on the focus.
    opportunities, backlog : pandas.DataFrame
        The journey file's opportunities, and the backlog ranked for the focus.
    order_value : pandas.DataFrame or None
        Average order value (with n and interval) when orders exist.
    """

    world: World
    journey: Any
    focus: Focus
    tables: dict
    assignment: pd.DataFrame | None
    evidence: Any
    funnel_all: pd.DataFrame
    funnel: pd.DataFrame
    emotion_evidence: pd.DataFrame | None
    curve: pd.DataFrame | None
    moments: pd.DataFrame | None
    assumed: pd.DataFrame
    gap: pd.DataFrame | None
    kpis: pd.DataFrame | None
    signals: pd.DataFrame
    pain_points: Any
    themes: Any
    themes_error: Exception | None
    themes_focus: Any
    opportunities: pd.DataFrame
    order_value: pd.DataFrame | None
    backlog: pd.DataFrame
    segment_customers: int | None = None
    options: dict = field(default_factory=dict)
    persona_errors: dict = field(default_factory=dict)
    """Persona name → the error of a rule that cannot run on this customer table; those
    personas are left out of this run (their customers count as having no persona)."""
    cases: Any = None
    """With a case column, what counting per case did (:class:`jmtools.sources.cases.Cases`):
    every figure counts journeys (claims, orders…) of :attr:`Cases.n_customers` customers (D238)."""
    actors: Any = None
    """With an actor column (``loading.yaml``: ``events: {actor: user_id}``), the accounts, their
    users and the answers moved to them (:class:`jmtools.sources.actors.Actors`); None without (D256)."""
    relationship_kpis: pd.DataFrame | None = None
    """Scores of the focus's survey answers that name no stage or touchpoint (an NPS tool's
    export), as :func:`jmtools.analyses.kpis.relationship_kpis` gives them, disclosed as
    :attr:`kpis`; None when every answer names a step (D132)."""

    # ------------------------------------------------------------ headline figures
    @cached_property
    def ids_apart(self) -> IdOverlap | None:
        """Why most customers with events are not in the customer table (the ids written
        another way, or other ids), or None when most are (:func:`customer_ids_apart`)."""
        if self.evidence is None or self.world is None:
            return None
        customers = self.tables.get("customers") if self.cases is not None else None   # per journey (D238)
        return customer_ids_apart(self.evidence, customers if customers is not None
                                  else self.world.tables.get("customers"))

    @property
    def n_people(self) -> int:
        """The customers behind the focus's journeys: :attr:`n_customers` without a case column;
        with one (D238), the customers whose journeys (claims…) the focus counts."""
        if self.cases is None:
            return self.n_customers
        if self.focus.everyone or self.assignment is None:
            return int(self.cases.n_customers) if self.focus.everyone else 0
        keys = self.assignment.loc[self.assignment["persona"] == self.focus.persona, "customer_id"]
        return self.cases.customers_of(keys)

    @property
    def n_customers(self) -> int:
        """Customers with events in the focus (journeys, with a case column: D238)."""
        if self.focus.everyone or self.evidence.persona_sizes is None:  # no customer table: no persona
            return int(self.evidence.n_customers) if self.focus.everyone else 0
        sizes = self.evidence.persona_sizes.set_index("persona")["n_customers"]
        return int(sizes.get(self.focus.persona, 0))

    @property
    def focus_hidden(self) -> bool:
        """True for a persona of 1–4 customers: its size, funnel, KPIs, curve, map not shown."""
        return bool(self.options.get("focus_hidden", False))

    @property
    def focus_protects(self) -> bool:
        """True for a persona whose size is hidden in the persona sizes to protect a smaller
        persona's (:func:`~jmtools.pipeline.size_protectors`): hidden like one of 1–4 customers."""
        return bool(self.options.get("focus_protects", False))

    @property
    def reached_last(self) -> dict | None:
        """Share of the focus who reached the last stage, with n and CI (None: 1–4 customers).

        ``hidden``: the count is not shown; ``protects``: hidden because, beside the funnel for
        all customers, it would give a smaller group's count back (then ``started`` may be None
        too), not because fewer than 5 reached it."""
        if self.focus_hidden or self.funnel.empty:
            return None
        first, finished = self.funnel["n"].iloc[0], self.funnel["n"].iloc[-1]
        started = None if pd.isna(first) else int(first)
        protects = started is None or (pd.isna(finished) and bool(protecting_rows(self.funnel)[-1]))
        hidden = bool(pd.isna(finished)) or started is None     # 1–4 customers reached it: "fewer than 5"
        low, high = (None, None) if hidden else wilson_interval(int(finished), started)
        return {"stage": str(self.funnel["step"].iloc[-1]), "started": started, "hidden": hidden,
                "protects": bool(protects), "finished": None if hidden else int(finished),
                "share": None if hidden or not started else int(finished) / started,
                "ci": (low, high) if started and not hidden else None}

    @property
    def curve_focus(self) -> pd.DataFrame:
        """The emotion curve of the focus only."""
        if self.curve is None:
            return pd.DataFrame(columns=list(emotions.CURVE_COLUMNS))
        return self.curve[self.curve["persona"] == self.focus.persona]

    @property
    def curve_basis(self) -> str:
        """What the emotion curve rests on: ``"customers"`` (surveys, feedback), ``"behaviour"``
        (no surveys or feedback: abandonment, errors, repeated contacts) or ``"assumed"`` (no
        evidence at all: only the workshop's curve)."""
        if self.curve is None:
            return "assumed"
        return "behaviour" if set(self.emotion_evidence["source"].unique()) == {"behaviour"} else "customers"

    @property
    def lowest_emotion(self):
        """The lowest measured point of the focus's emotion curve (a row), or None: of the points
        with enough evidence (not ``low_evidence``) when there are any, else of those of at least
        :data:`~jmtools.analyses.disclosure.MIN_GROUP` customers; a point of 1–4 is never the
        headline (one customer's answer would be)."""
        measured = self.curve_focus.dropna(subset=["valence"])
        if "n" in measured:
            measured = measured[measured["n"] >= MIN_GROUP]
        if "low_evidence" in measured and (~measured["low_evidence"].astype(bool)).any():
            measured = measured[~measured["low_evidence"].astype(bool)]
        return measured.loc[measured["valence"].idxmin()] if len(measured) else None

    @property
    def biggest_loss(self) -> dict | None:
        """The step where the largest share of the focus does not go on (ties: the earlier step),
        among the customers who had time to go on (:func:`~jmtools.pipeline._had_time.loss_had_time`
        over :attr:`still_open`; ``all``: the funnel's own counts, which take those still open as
        lost; D221)."""
        return None if self.focus_hidden else loss_had_time(self.funnel, self.still_open)  # hidden: 1–4

    @property
    def still_open(self) -> pd.DataFrame:
        """The focus's pairs of funnel stages whose drop-off counts 5 or more customers who may still
        go on (:func:`~jmtools.pipeline._had_time.open_rows`); empty for a hidden focus (D199, D209)."""
        if self.focus_hidden:
            return open_rows(self.evidence, self.funnel.iloc[:0])
        return open_rows(self.evidence, self.funnel, "" if self.focus.everyone else self.focus.persona)

    @property
    def left(self) -> list[dict]:
        """Per exit stage of the journey (``exit: true``): how many of the focus's customers with
        events reached it (an event there), ``n`` of ``of`` with Wilson ``ci``; ``n`` None when
        1–4 (not shown). Empty without exit stages or for a hidden focus."""
        empty = self.evidence.empty
        unfed = set() if empty is None else set(empty.loc[empty["kind"] == "stage", "name"])
        stages = [s for s in self.evidence.exit_stages if s not in unfed]   # no event mapped: no 0 said
        of = self.n_customers
        if self.focus_hidden or not stages or not of:
            return []
        by = None if self.focus.everyone else "persona"
        out = []
        for stage in stages:
            f = funnels.funnel(self.evidence, steps=[stage], by=by)
            f = f if by is None else f[f["persona"] == self.focus.persona]
            out.append({"stage": stage, **_share_row(int(f["n"].sum()) if len(f) else 0, of)})
        return out

    @cached_property
    def repeat_visits(self) -> pd.DataFrame:
        """Times per customer at each touchpoint that repeats, for all customers and per persona,
        each persona against the others as pain points are judged (the run's ``min_n`` and
        ``min_effect``): :func:`~jmtools.pipeline._repeats.repeat_visits_compared`."""
        return repeat_visits_compared(self.evidence, min_n=self.options.get("min_n_compared", 30),
                                      min_effect=self.options.get("min_effect", 0.2))

    @property
    def optional(self) -> list[dict]:
        """Per stage the journey marks ``optional: true`` (and gives events): how many of the
        focus's customers reached it, ``n`` of ``of`` — the customers counted at ``after``, the
        stage before it (the default funnel's stage, or the optional stage before it in a run;
        None: of all customers with events) — with Wilson ``ci``; ``n`` None when 1–4. The count is
        the default funnel's strict chain up to the stage before, continued through the run of
        optional stages, so ``of`` is the funnel's own count there. Empty without such stages or
        for a hidden focus."""
        empty = self.evidence.empty
        unfed = set() if empty is None else set(empty.loc[empty["kind"] == "stage", "name"])
        marked = [s for s in self.evidence.optional_stages if s not in unfed]
        if self.focus_hidden or not marked or not self.n_customers:
            return []
        by = None if self.focus.everyone else "persona"
        out, stages, mapped = [], list(self.evidence.stages), set(self.evidence.mapped_stages)
        for run in _runs(stages, marked):
            before = [s for s in stages[:stages.index(run[0])] if s in mapped]   # the funnel up to it
            steps = before + run
            f = funnels.funnel(self.evidence, steps=steps, by=by)
            f = f if by is None else f[f["persona"] == self.focus.persona]
            counts = [int(v) for v in f.sort_values("step_index")["n"]]
            of = counts[len(before) - 1:] if before else [self.n_customers] + counts
            for k, stage in enumerate(run):
                out.append({"stage": stage, "after": steps[len(before) + k - 1] if before or k else None,
                            **_share_row(counts[k + len(before)], of[k]),
                            "elsewhere": self._off_funnel(steps[:len(before) + k], stage, by)})
        return out

    def _off_funnel(self, steps: list, stage: str, by) -> dict | None:
        """The focus's customers with an event at the optional ``stage`` by where they were in the
        funnel ``steps`` (:func:`jmtools.analyses.funnels.off_funnel_reach`): ``n_any``, ``n_after``
        (counted at ``stage`` after the last of ``steps``), ``n_later`` (reached the last of ``steps``
        only after it), ``n_never`` (never counted there) and ``small``: some part is 1–4 (on a
        persona's report: in some persona, whose count everyone's and the others' would give back,
        D199). None without a stage before it."""
        if not steps:
            return None
        split = "persona" if "persona" in self.evidence.columns else None
        rows = funnels.off_funnel_reach(self.evidence, steps=steps, stage=stage, by=split)
        rows = rows.assign(n_later=rows["n_before"] - rows["n_never"])
        parts = ["n_after", "n_later", "n_never"]
        mine = rows if by is None else rows[rows["persona"] == self.focus.persona]
        got = {c: int(mine[c].sum()) for c in ["n_any", *parts]}
        judged = rows[parts].to_numpy() if by else [[got[c] for c in parts]]
        return {**got, "small": any(0 < v < MIN_GROUP for r in judged for v in r)}

    @property
    def skipped(self) -> pd.DataFrame:
        """The focus's funnel steps that lose customers who go on all the same: ``step``, ``before``
        (the step before), ``n_lost``, ``n_skipped`` (with an event of their own at a later step,
        :func:`jmtools.analyses.funnels.skipped_steps`), ``later``, ``later_touchpoints`` (what they
        did there, D222); only steps where at least
        :data:`~jmtools.analyses.disclosure.MIN_GROUP` customers, and a fifth of those lost, go on.
        Empty for a funnel of the user's own steps, a hidden focus or hidden steps."""
        fun = self.funnel
        cols = ["step", "before", "n_lost", "n_skipped", "later", "later_touchpoints"]
        if self.focus_hidden or len(fun) < 3 or not set(fun["step"]) <= set(self.evidence.stages):
            return pd.DataFrame(columns=cols)
        by = None if self.focus.everyone else "persona"
        out = funnels.skipped_steps(self.evidence, steps=list(fun["step"]), by=by)
        if by:
            out = out[out["persona"] == self.focus.persona]
        shown = set(fun.loc[~fun["suppressed"].astype(bool), "step"]) if "suppressed" in fun else set(fun["step"])
        steps = list(fun["step"])
        out = out[(out["n_skipped"] >= MIN_GROUP) & (out["n_skipped"] >= 0.2 * out["n_lost"]) & out["step"].isin(shown)]
        return out.assign(before=[steps[k - 2] for k in out["step_index"]])[cols].reset_index(drop=True)

    @property
    def contact_only(self) -> pd.DataFrame | None:
        """The focus's funnel steps where some customers got a contact the company started
        (``initiated_by: company``: a push, a reminder) at a stage where customers act but took no
        step of their own there, so that the funnel does not count them there (D243;
        :func:`jmtools.analyses.compare.company_only_reach`): ``step``, ``before`` (the step before,
        None at the first), ``n_prev`` (counted there), ``n_funnel``, ``n_contact_only``. None
        without such contacts, for a funnel of the user's own steps, or a hidden focus; steps the
        funnel hides are left out."""
        fun = self.funnel
        if (self.focus_hidden or fun.empty or not self.evidence.company_touchpoints
                or not set(fun["step"]) <= set(self.evidence.stages)):
            return None
        by = None if self.focus.everyone else "persona"
        out = company_only_reach(self.evidence, steps=list(fun["step"]), by=by)
        if by:
            out = out[out["persona"] == self.focus.persona]
        steps = list(fun["step"])
        before, n_prev = dict(zip(steps, [None, *steps[:-1]])), dict(zip(steps, fun["n_prev"]))
        out = out.assign(before=out["from_step"].map(before), n_prev=out["from_step"].map(n_prev))
        shown = set(fun.loc[~fun["suppressed"].astype(bool), "step"]) if "suppressed" in fun else set(fun["step"])
        out = out[(out["n_contact_only"] > 0) & out["from_step"].isin(shown)]
        return out.rename(columns={"from_step": "step"})[
            ["step", "before", "n_prev", "n_funnel", "n_contact_only"]].reset_index(drop=True)

    @property
    def kpis_shown(self) -> pd.DataFrame | None:
        """KPI rows that have answers (n > 0), those hidden for having 1–4 included (``suppressed``)."""
        if self.kpis is None:
            return None
        hidden = self.kpis["suppressed"] if "suppressed" in self.kpis else False
        return self.kpis[(self.kpis["n"] > 0) | hidden]

    @property
    def accounting(self) -> pd.DataFrame:
        """One row per loaded table: file, rows read, used, rejected and why
        (:meth:`jmtools.sources.World.accounting_table`). Per case (D238, D253), the rows that
        belong to no case are not used but ``left out`` (``why left out`` says why): read = used +
        rejected + left out."""
        table = self.world.accounting_table()
        if self.cases is None:
            return table
        left = self.cases.left_out()
        n = table["table"].map(lambda kind: left.get(kind, (0, ""))[0]).astype("int64")
        table["used"] = table["used"] - n
        at = table.columns.get_loc("why rejected") + 1
        table.insert(at, "left out", n)
        table.insert(at + 1, "why left out", table["table"].map(lambda kind: left.get(kind, (0, "–"))[1]))
        return table

    @property
    def unmatched_share(self) -> float:
        """Share of events that match no touchpoint of the journey."""
        unmatched = self.evidence.unmatched
        return float(unmatched["share_of_events"].sum()) if len(unmatched) else 0.0

    @property
    def map_evidence(self) -> dict:
        """The focus's evidence for the journey-map canvas: emotion curve, KPIs and the ranked
        pain points (the pain-point lane draws them with the evidence found for each)."""
        kpis = self.kpis_shown
        if kpis is not None and "suppressed" in kpis:
            kpis = kpis[~kpis["suppressed"]]             # the canvas has no cell for "hidden"
        return {"emotion": self.curve_focus, "kpis": kpis, "pain_points": self.pain_points.table,
                "touchpoints": None if self.focus_hidden else self.touchpoint_customers}

    @property
    def touchpoint_customers(self) -> pd.DataFrame:
        """Per touchpoint with events: how many of the focus's customers have an event there
        (``touchpoint``, ``n_customers``), most first; the map badges those touchpoints measured."""
        seen = touchpoint_customers(self.evidence, ALL if self.focus.everyone else str(self.focus.persona))
        if self.cases is not None:           # the map's cells say what they count (D253)
            seen.attrs["counts"] = (self.cases.name, self.cases.plural)
        elif self.actors is not None:        # an account's journey, its users acting (D256, D262)
            seen.attrs["counts"] = (self.actors.journey_name, self.actors.journeys)
        return seen


def touchpoint_customers(evidence, persona: str = ALL) -> pd.DataFrame:
    """Per touchpoint with events: how many customers (of ``persona``; :data:`ALL`: everyone)
    have an event there, ``touchpoint`` and ``n_customers``, most first (none for a persona
    without a customer table); kept beside a cached evidence (D151, D155)."""
    if persona != ALL and "persona" not in evidence.columns:   # no customer table
        return pd.DataFrame({"touchpoint": pd.Series(dtype=object), "n_customers": pd.Series(dtype="int64")})

    def count():
        t = evidence.events
        if persona != ALL:
            t = t.filter(t.persona == persona)
        t = t.filter(t.touchpoint.notnull())
        got = to_pandas(t.group_by("touchpoint").agg(n_customers=t.customer_id.nunique()))
        return got.sort_values(["n_customers", "touchpoint"], ascending=[False, True], ignore_index=True)
    return kept_answer(evidence, ("touchpoints", persona), count)


def _share_row(n: int, of: int) -> dict:
    """``n`` of ``of`` as a report row: ``n``, ``of``, ``share`` and its Wilson 95% ``ci``; ``n``,
    ``share`` and ``ci`` None for 1–4 customers (not shown), ``share`` and ``ci`` None when ``of`` is 0.

    Examples
    --------
    >>> _share_row(40, 100)["share"], _share_row(3, 100)["n"], _share_row(0, 0)["ci"]
    (0.4, None, None)
    """
    shown = not 0 < n < MIN_GROUP
    low, high = wilson_interval(n, of) if shown and of else (None, None)
    return {"n": n if shown else None, "of": of, "share": n / of if shown and of else None,
            "ci": (float(low), float(high)) if shown and of else None}


def _runs(stages: list, marked: list) -> list[list]:
    """The marked stages in runs of neighbours, in journey order.

    Examples
    --------
    >>> _runs(["Buy", "Claim", "Settle", "Renew", "Complain"], ["Claim", "Settle", "Complain"])
    [['Claim', 'Settle'], ['Complain']]
    """
    runs: list[list] = []
    for i, stage in enumerate(stages):
        if stage in marked:
            if runs and i and stages[i - 1] == runs[-1][-1]:
                runs[-1].append(stage)
            else:
                runs.append([stage])
    return runs
