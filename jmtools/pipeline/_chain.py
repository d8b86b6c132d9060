"""The chain itself (see :mod:`jmtools.pipeline`): focus, selection, evidence, analyses.

Its two ends, :class:`Focus` and :class:`Findings`, are in :mod:`jmtools.pipeline._findings`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jmtools.analyses import emotions, funnels, kpis, painpoints, priorities, themes, valence
from jmtools.analyses.priorities import relieving
from jmtools.core.engine import as_table, to_pandas
from jmtools.core.errors import ParameterError, whole_number
from jmtools.core.expressions import SEGMENT_RULE, RuleError
from jmtools.core.vocabulary import ALL
from jmtools.evidence import prepare
from jmtools.evidence._rules import empty_in_data
from jmtools.personas import assign_personas, persona_filter, persona_sizes, runnable_personas
from jmtools.pipeline._disclosed import (disclosed_comparisons, disclosed_funnel, disclosed_steps, disclosure_floor,
                                        disclosure_note, protecting_rows, small_personas)
from jmtools.pipeline._disclosed_grid import (disclosed_curve, disclosed_kpis, disclosed_persona_steps,
                                             persona_grid_hidden)
from jmtools.pipeline._answers_cache import kept_answers
from jmtools.pipeline._disclosed_personas import size_protectors
from jmtools.pipeline._cache import cache_dir_from_env, cached_evidence
from jmtools.pipeline._cases_cache import cached_journeys
from jmtools.pipeline._feedback import complaints_placed, feedback_themes, placed, themes_of_focus
from jmtools.pipeline._findings import Findings, Focus, resolve_focus
from jmtools.pipeline._quiet_places import with_place_reach
from jmtools.pipeline._shared_cache import cached_shared
from jmtools.pipeline._tables_cache import cached_tables
from jmtools.sources import SPECS, World, load_world
from jmtools.sources.actors import users_only, world_tables
from jmtools.sources.cases import case_option, journeys_of, keyed_by_case, moved_per_case, with_journey_keys

__all__ = ["Focus", "Findings", "Prepared", "prepare_world", "prepare_evidence", "run", "resolve_focus",
           "load", "select", "select_outside", "relieving", "MAP_KPIS", "MIN_N", "N_THEMES", "SEED", "MIN_EFFECT"]

#: The run's defaults, declared once: the notebooks' parameters cells use the same values
#: (tests/test_notebook_parameters.py checks them).
MIN_N = 30        # fewest customers or answers behind a number before it is flagged as thin
N_THEMES = themes.N_THEMES  # complaint themes the theme model finds (10; docs/decisions.md D24)
SEED = 0          # seed of every random step (theme model, clustering)
MIN_EFFECT = 0.2  # smallest effect size (Cohen's h or d) that counts as pain-point evidence

#: KPIs of :func:`jmtools.analyses.kpis.stage_kpis` the journey-map canvas shows by default.
MAP_KPIS = ("conversion", "reached", "csat_mean", "nps", "ces_mean")
_KPI_FRAME = ["persona", "stage", "metric", "kpi", "value", "n", "ci_low", "ci_high", "n_customers"]


# ---------------------------------------------------------------------------- the chain
@dataclass
class Prepared:
    """The half of the chain that does not depend on the persona: loaded, selected, prepared.

    A batch of reports on one world (every persona) prepares once and runs each focus from
    here (:func:`run` accepts it in place of a folder); the numbers are the same as a run
    from the folder.
    """

    world: World
    segment: str
    tables: dict
    assignment: pd.DataFrame | None
    evidence: Any
    emotion_evidence: pd.DataFrame | None
    signals: pd.DataFrame
    themes: Any
    themes_error: Exception | None
    segment_customers: int | None
    options: dict
    grids: dict = field(default_factory=dict)
    """Every persona's results beside the total's, before the privacy rule: ``curve`` (the
    emotion curve at :data:`MIN_N`), ``kpi_total`` and ``kpi_personas`` (stage KPIs); each a
    frame, or None when the world cannot give it. A focus takes its rows (:func:`run`)."""
    comparisons: dict = field(default_factory=dict)
    persona_errors: dict = field(default_factory=dict)
    outside: pd.DataFrame | None = None
    """In a segment's run, the slow-step, drop-off and valence signals of every customer with events
    outside the segment (:func:`_outside_signals`), which the segment's own rows are compared with
    (D217, D228)."""
    cases: Any = None
    """With a case column (``loading.yaml``: ``events: {case: claim_no}``), what counting per case
    did (:class:`jmtools.sources.cases.Cases`): every table counts journeys; None without (D238)."""
    actors: Any = None
    """With an actor column (``loading.yaml``: ``events: {actor: user_id}``), the accounts, their
    users and the answers moved to them (:class:`jmtools.sources.actors.Actors`); None without (D256)."""

    def compared(self, *, min_n: int, min_effect: float) -> pd.DataFrame:
        """The signals' comparisons for these thresholds, computed once and kept."""
        key = (min_n, min_effect)
        if key not in self.comparisons:
            self.comparisons[key] = painpoints.compare_signals(self.signals, min_n=min_n,
                                                               min_effect=min_effect, outside=self.outside)
        return self.comparisons[key]


def prepare_world(data, *, journey=None, segment: str = "", n_themes: int | str = N_THEMES,
                  seed: int = SEED, assignment: pd.DataFrame | None = None, cache_dir=None) -> Prepared:
    """Load, restrict to the segment, assign personas, prepare evidence, find themes — once.

    Parameters are those of :func:`run` that do not depend on the persona, and ``cache_dir``:
    a folder where the prepared evidence is kept between runs (default: the environment
    variable ``JMTOOLS_EVIDENCE_CACHE``, which :func:`jmtools.report.run_batch` sets; none
    when unset). It is reused while the event and customer files and the journey's mapping are
    unchanged (see :mod:`jmtools.pipeline._cache`). The results that do not depend on the
    persona (valence evidence, signals, every persona's emotion curve and KPIs, themes) are kept there too, reused while every table
    file, the journey and the options are unchanged (:mod:`jmtools.pipeline._shared_cache`).

    Returns
    -------
    Prepared
    """
    folder = cache_dir if cache_dir is not None else cache_dir_from_env()
    world = load(data, journey, defer=folder is not None and assignment is None)
    given = assignment
    world, tables, events, n_segment, broken, cases, actors = _restricted(world, segment, given, folder)
    if cases is not None and given is not None:   # a given customer → persona: each of their journeys
        given = with_journey_keys(given, cases)
    journey = world.journey
    assignment = _assign(tables.get("customers"), journey, given)
    evidence = _cached_evidence(world, tables, events, segment, given, cache_dir)[0]

    def compute():
        felt = _emotion_evidence(tables, journey, assignment)  # surveys, feedback: what customers say
        placed_felt = felt is not None and len(felt) > 0   # rows naming no step are no curve (D132)
        emotion_ev = felt if placed_felt else _behaviour_evidence(tables, journey, assignment, evidence)
        tickets = complaints_placed(tables, journey)           # with a complaint log's rows (D176)
        signals = painpoints.collect_signals(evidence, emotion=felt, tickets=tickets)
        curve = (None if emotion_ev is None or not len(emotion_ev)
                 else emotions.emotion_curve(emotion_ev, journey=journey, min_n=MIN_N))
        frames = {"emotion": emotion_ev, "signals": signals, "curve": curve,
                  "outside": _outside_signals(world, tables, evidence, cases) if segment else None,
                  **_kpi_grid(tables, journey, evidence, assignment)}
        return frames, *feedback_themes(tables, assignment, journey, n_themes, seed)

    if given is not None or folder is None:          # a given assignment is not part of the key
        frames, found_themes, theme_error = compute()
    else:
        frames, found_themes, theme_error = cached_shared(
            folder, world, journey, segment or "", {"n_themes": n_themes, "seed": seed}, compute)
    return Prepared(world=world, segment=segment or "", tables=tables, assignment=assignment,
                    evidence=evidence, emotion_evidence=frames["emotion"], signals=frames["signals"],
                    themes=found_themes, themes_error=theme_error, segment_customers=n_segment,
                    options={"n_themes": n_themes, "seed": seed, "assignment": given is not None},
                    grids={n: frames[n] for n in ("curve", "kpi_total", "kpi_personas", "kpi_relationship")},
                    persona_errors=broken, outside=frames["outside"], cases=cases, actors=actors)


def run(data, *, journey=None, persona: str = ALL, segment: str = "", min_n: int = MIN_N,
        n_themes: int | str = N_THEMES, seed: int = SEED, min_effect: float = MIN_EFFECT, n_quotes: int = 3,
        assignment: pd.DataFrame | None = None, funnel_steps=None) -> Findings:
    """Run the whole chain on a world for one focus and return every result.

    Parameters
    ----------
    data : str, Path, jmtools.sources.World or Prepared
        A data folder (tables named ``events``, ``customers``, ``surveys``…; ``"sample:b2b"``
        names a bundled sample world, :func:`jmtools.core.resources.resolve_data_dir`), a
        loaded world, or the output of :func:`prepare_world` (then ``journey``, ``segment``,
        ``n_themes``, ``seed`` and ``assignment`` were fixed when it was prepared).
    journey : str or Path, optional
        The journey YAML; default ``journey.yaml`` inside the folder (ignored for a world).
    persona : str, default "all"
        The persona to report on, or ``"all"`` for every customer.
    segment : str, optional
        A rule over customer attributes (like a persona rule): only those customers count.
    min_n : int, default :data:`MIN_N` (30)
        Groups with fewer observations are flagged (emotion curve) or not compared (pain points).
        Whatever its value, no group of fewer than
        :data:`~jmtools.analyses.disclosure.MIN_GROUP` (5) customers is shown: pain points
        are compared with at least 5 on each side, and emotion-curve points of 1–4 customers
        lose their numbers (``Findings.options["disclosure_note"]`` says what was hidden).
    n_themes : int or "auto", default :data:`N_THEMES` (10)
        Complaint themes to find, at most (near-duplicates are merged); ``"auto"`` measures
        the number on the data (stability across subsamples and coherence,
        :func:`jmtools.analyses.themes.find_themes`): slower, and it recovered planted themes
        less well than 10 on the sample worlds and generated text (docs/decisions.md D24).
    seed : int, default :data:`SEED` (0)
        Seed of the theme model.
    min_effect : float, default :data:`MIN_EFFECT` (0.2)
        Smallest effect size that counts as pain-point evidence.
    n_quotes : int, default 3
        Quotes kept per pain point.
    assignment : pandas.DataFrame, optional
        ``customer_id, persona`` given from outside (e.g. a CRM export); default: the
        journey's persona rules.
    funnel_steps : str or list of str, optional
        The report's funnel: stage, touchpoint or event names in order (a string separates
        them with commas; ``"touchpoint:Checkout"`` when a name is two kinds), in strict order
        like :func:`jmtools.analyses.funnels.funnel` with ``level="any"``. Default: the stages.

    Returns
    -------
    Findings

    Examples
    --------
    >>> f = run("sample:b2b", persona="SMB Owner Sam")
    >>> f.focus.label, f.funnel["step"].iloc[0]
    ('SMB Owner Sam', 'Initial inquiry')
    """
    whole_number("min_n", min_n, fix=f"pass e.g. {MIN_N}: groups with fewer are thin evidence")
    shared = _shared(data, persona, journey=journey, segment=segment, n_themes=n_themes, seed=seed,
                     assignment=assignment)
    if persona in shared.persona_errors:  # this persona's own rule is broken: its report fails alone
        raise shared.persona_errors[persona]
    journey = shared.world.journey
    many = shared.cases.plural if shared.cases is not None else getattr(shared.actors, "journeys", "customers")
    focus = resolve_focus(journey, persona, shared.segment, many=many)    # "all accounts", "all claims" (D262)
    small = small_personas(shared.assignment, shared.evidence) | _small_people(shared)
    protects = _protects_smaller(shared, focus)   # its size would give a smaller persona's back
    funnel_all, funnel, protecting = _funnels(shared.evidence, focus, funnels.parse_steps(funnel_steps),
                                              hidden=small | _protectors(shared))
    curve, moments = _curve(shared.grids.get("curve"), focus, min_n)
    assumed = valence.assumed_valence(journey)
    gap = None if curve is None else emotions.assumed_gap(curve, assumed)
    kpi = _kpis(shared.grids, focus)
    compared_n = disclosure_floor(min_n)    # no comparison, hence no evidence text, under 5 customers
    hidden_focus = focus.persona if focus.persona in small or protects else ""   # a report about 1–4 customers
    # steps of 1–4, and those that would give one back beside the funnel for all customers: no numbers
    funnel = disclosed_funnel(funnel) if hidden_focus else disclosed_steps(funnel, also=protecting)
    compared = disclosed_comparisons(shared.compared(min_n=compared_n, min_effect=min_effect), small)
    found = painpoints.detect_pain_points(shared.signals, journey=journey, themes=shared.themes,
                                          min_n=compared_n, min_effect=min_effect, n_quotes=n_quotes,
                                          persona=focus.persona, comparisons=compared)
    if not hidden_focus:  # a journey pain point no signal confirms: its place's customers with events (D177)
        found.table = with_place_reach(found.table, shared.evidence, None if focus.everyone else focus.persona)
    themes_focus = themes_of_focus(shared.themes, focus, journey)
    opportunities = priorities.opportunities_frame(journey)
    order_value, backlog = _backlog(opportunities, found.table, shared.tables, focus, shared.assignment)
    return Findings(world=shared.world, journey=journey, focus=focus, tables=shared.tables,
                    assignment=shared.assignment, evidence=shared.evidence, funnel_all=disclosed_steps(funnel_all),
                    funnel=funnel, emotion_evidence=shared.emotion_evidence, curve=curve,
                    moments=moments, assumed=assumed, gap=gap, kpis=kpi, signals=shared.signals,
                    relationship_kpis=_relationship(shared.grids, focus),
                    pain_points=found, themes=shared.themes, themes_error=shared.themes_error,
                    themes_focus=themes_focus, opportunities=opportunities,
                    order_value=order_value, backlog=backlog,
                    segment_customers=shared.segment_customers,
                    options={"min_n": min_n, "min_n_compared": compared_n, "min_effect": min_effect,
                             "n_quotes": n_quotes, "focus_hidden": bool(hidden_focus), "focus_protects": protects,
                             "disclosure_note": disclosure_note(min_n, curve, small, kpi, hidden_focus=hidden_focus,
                                                                many=getattr(shared.actors, "journeys", "customers"), focus_protects=protects,
                                                                few_customers=compared.attrs["few_customers"],
                                                                funnel_steps=funnel.attrs.get("hidden_steps", 0)),
                             **shared.options},
                    persona_errors=dict(shared.persona_errors), cases=shared.cases, actors=shared.actors)


def _outside_signals(world: World, tables: dict, evidence, cases=None) -> pd.DataFrame | None:
    """The signals of every customer with events outside a segment (D217, D228): ``tables`` are
    the segment's (its customer table holds the segment's customers), ``evidence`` its own. Their
    surveys and feedback are those of every customer outside the segment, scored as the segment's
    own are (without personas); with ``cases``, journeys outside the segment's (D238)."""
    if "events" not in world.tables or "customers" not in tables:
        return None
    ids = tables["customers"]["customer_id"]
    if cases is None:
        rest = prepare(_events_apart(world, ids), world.journey)
        whole = {kind: t for kind, t in world_tables(world)[0].items() if kind in ("surveys", "feedback")}
    else:                                  # every journey of the world, then those outside the segment's
        whole, everyone, _, _, _ = _select(world, resolve_focus(world.journey, ALL, ""))
        t = everyone()
        rest = prepare(t.filter(~t.customer_id.isin(list(ids))), world.journey)
    said = {kind: t[~t["customer_id"].isin(set(ids))].reset_index(drop=True)
            for kind in ("surveys", "feedback") if kind in whole
            for t in [whole[kind]] if "customer_id" in t.columns}
    return painpoints.outside_signal(rest, evidence, emotion=_emotion_evidence(said, world.journey, None))


def _events_apart(world: World, ids):
    """The events of the customers whose ids are not ``ids``."""
    t = world.tables["events"].table
    return t.filter(~t.customer_id.isin(list(ids)))


def _protects_smaller(shared, focus) -> bool:
    """True for a persona whose size the report for all customers and notebook 01 hide only to
    protect a smaller persona's (:func:`~jmtools.pipeline.size_protectors`, the choice their
    tables make: with events and in the customer table): its own report must not print it."""
    return not focus.everyone and focus.persona in _protectors(shared)


def _protectors(shared) -> set:
    """The personas whose sizes are hidden to protect a smaller persona's (none without personas);
    per case, the customers' sizes too (D253)."""
    if shared.assignment is None:
        return set()
    people = [] if shared.cases is None else [persona_sizes(shared.cases.people(shared.assignment))]
    return set(size_protectors([shared.evidence.persona_sizes, persona_sizes(shared.assignment), *people]))


def _small_people(shared) -> set:
    """Per case (D253), the personas of 1–4 customers, however many journeys (claims) they have:
    D79's rule counts people."""
    if shared.cases is None or shared.assignment is None:
        return set()
    return small_personas(shared.cases.people(shared.assignment))


def prepare_evidence(data, *, journey=None, segment: str = "", cache_dir=None):
    """Only the evidence step of :func:`prepare_world`, through the cache: what a batch runs
    once before its reports (each then reads the evidence from ``cache_dir``).

    Returns
    -------
    (jmtools.evidence.Evidence, str)
        The evidence and the cache status: ``"hit"``, ``"miss"`` or ``"off"``.
    """
    folder = cache_dir if cache_dir is not None else cache_dir_from_env()
    world = load(data, journey, defer=folder is not None)
    world, tables, events, _, _, _, _ = _restricted(world, segment, None, folder)
    return _cached_evidence(world, tables, events, segment, None, cache_dir)


def _restricted(world: World, segment: str, given, folder=None):
    """The world restricted to the segment, without personas whose rule cannot run here; the
    events as a function that reads them (a deferred event file is read only when called).
    The other tables come from the cache ``folder`` when it has them."""
    if given is None:
        cached_tables(folder, world)
    tables, events, n_segment, cases, actors = _select(world, resolve_focus(world.journey, ALL, segment), folder)
    world, broken = _usable_personas(world, tables.get("customers"), given)
    return world, tables, events, n_segment, broken, cases, actors


def _cached_evidence(world, tables, events, segment, given, cache_dir):
    def compute():
        return _evidence(events(), world.journey, tables.get("customers"), given,
                         whole=world if segment else None)

    folder = cache_dir if cache_dir is not None else cache_dir_from_env()
    if given is not None or folder is None:          # a given assignment is not part of the key
        return compute(), "off"
    return cached_evidence(folder, world, world.journey, segment or "", compute, answers=kept_answers)


def _shared(data, persona: str, **options) -> Prepared:
    """``data`` prepared: as given, or by :func:`prepare_world` with ``options``."""
    if not isinstance(data, Prepared):
        deferred = cache_dir_from_env() is not None and options.get("assignment") is None
        world = load(data, options["journey"], defer=deferred)
        resolve_focus(world.journey, persona, options["segment"])  # a typo fails before any work
        return prepare_world(world, **options)
    fixed = {"journey": None, "segment": data.segment, "n_themes": data.options["n_themes"],
             "seed": data.options["seed"], "assignment": None}
    defaults = {"journey": None, "segment": "", "n_themes": N_THEMES, "seed": SEED, "assignment": None}
    for name, value in options.items():
        if value is None or (not isinstance(value, pd.DataFrame) and value in (defaults[name], fixed[name])):
            continue
        raise ParameterError(name, value, expected=f"the value the world was prepared with ({fixed[name]!r})",
                             fix=f"pass {name}= to prepare_world(), or run from the data folder")
    return data


# ------------------------------------------------------------------------------ steps
def load(data, journey=None, *, defer: bool = False) -> World:
    """A loaded world: ``data`` itself if it is one, else :func:`jmtools.sources.load_world`
    (a folder, or ``"sample:<name>"`` for a bundled sample world). ``defer=True`` reads each
    table file only when its rows are used (never, when the run's caches have them)."""
    if isinstance(data, World):
        return data
    return load_world(data, journey or None, defer=tuple(SPECS) if defer else ())


def select_outside(world: World, focus: Focus):
    """The events (Ibis) of every customer with events outside the focus's segment, those missing
    from the customer table too: what a segment is compared with (D217). None without a segment
    or an event table.

    Examples
    --------
    >>> w = load("sample:b2b")
    >>> rest = select_outside(w, resolve_focus(w.journey, ALL, 'employees > 500'))
    >>> seg = select(w, resolve_focus(w.journey, ALL, 'employees > 500'))[1]
    >>> int(rest.count().execute()) + int(seg.count().execute()) == int(w.events.table.count().execute())
    True
    """
    if not focus.segment or "events" not in world.tables:
        return None
    tables, _, _, _ = _segment_selected(world, focus)
    return _events_apart(world, tables["customers"]["customer_id"])


def select(world: World, focus: Focus) -> tuple[dict, Any, int | None]:
    """The non-event tables as pandas and the events as Ibis, restricted to the segment.

    Returns ``(tables, events, customers_in_segment)``; the last is None without a segment. Per
    customer even when the event log names a case column (notebook 02 says so; D238).
    """
    tables, events, n, _ = _segment_selected(world, focus)
    return tables, events(), n


def _select(world: World, focus: Focus, folder=None):
    """:func:`select` with the events as a function that reads them when called, and per case
    when the event log names a case column (:func:`jmtools.sources.cases.per_case`, D238): the
    one row per journey that needs comes from the cache ``folder`` when it has it (D253)."""
    tables, events, n, actors = _segment_selected(world, focus)
    per = case_option(world)
    if per is None:
        return tables, events, n, None, actors
    journeys, no_case = cached_journeys(folder, world, focus.segment or "", lambda: journeys_of(events(), per[0]))
    tables, cases = moved_per_case(tables, journeys, no_case, per[0], name=per[1])
    return tables, lambda: keyed_by_case(events(), per[0]), n, cases, actors


def _segment_selected(world: World, focus: Focus):
    tables, actors = world_tables(world)

    def events():
        return world.tables["events"].table if "events" in world.tables else as_table(_NO_EVENTS)
    if not focus.segment:
        return tables, events, None, actors
    if "customers" not in tables:
        raise ParameterError("segment", focus.segment, expected="a customer table to apply it to",
                             fix="add customers.csv to the data folder, or leave segment empty")
    try:
        chosen = persona_filter(tables["customers"], focus.segment, persona=SEGMENT_RULE)["customer_id"]
    except RuleError as err:
        raise users_only(err, world) from None
    if len(chosen) == 0:
        raise ParameterError("segment", focus.segment, expected="a rule that selects at least one customer",
                             fix=f"loosen the rule: none of the {len(tables['customers']):,} "
                                 "customers in the customer table matches it")
    keep = set(chosen)
    tables = {kind: t[t["customer_id"].isin(keep)].reset_index(drop=True) for kind, t in tables.items()}

    def in_segment():
        t = events()
        return t.filter(t.customer_id.isin(list(chosen)))
    return tables, in_segment, len(chosen), actors


#: The event log of a folder without one: every step runs, and counts no event.
_NO_EVENTS = pd.DataFrame({"customer_id": pd.Series(dtype="string"), "event": pd.Series(dtype="string"),
                           "timestamp": pd.Series(dtype="datetime64[us]")})


def _usable_personas(world: World, customers, given) -> tuple[World, dict]:
    """The world without personas whose rule cannot run here (see ``runnable_personas``)."""
    if given is not None or customers is None or world.journey is None or not world.journey.personas:
        return world, {}
    journey, broken = runnable_personas(world.journey, customers)
    broken = {name: users_only(err, world) for name, err in broken.items()}   # a user's column (D256)
    return (dataclasses.replace(world, journey=journey) if broken else world), broken


def _assign(customers, journey, given) -> pd.DataFrame | None:
    if given is not None:
        return given[["customer_id", "persona"]]
    if customers is None or not journey.personas:
        return None
    return assign_personas(customers, journey)[["customer_id", "persona"]]


def _evidence(events, journey, customers, given, whole=None):
    """Prepared evidence; personas from the journey's rules, or joined from a given assignment.

    ``whole``: the world, when ``events`` are a segment's: a step that no customer of the segment
    reached but others did is then a measured 0 in its funnels, not a step the journey file
    gives no event (:func:`jmtools.evidence._rules.empty_in_data`)."""
    if given is None:
        evidence = prepare(events, journey, customers=customers)
    else:
        import ibis

        pairs = given[["customer_id", "persona"]].astype({"persona": object}).dropna()
        lookup = ibis.memtable(pairs.drop_duplicates("customer_id").rename(columns={"customer_id": "_cid"}))
        evidence = prepare(events.left_join(lookup, events.customer_id == lookup._cid).drop("_cid"), journey)
    if whole is not None and "events" in whole.tables and evidence.empty is not None and len(evidence.empty):
        t = whole.tables["events"].table
        names = to_pandas(t.select("event").distinct())["event"].dropna().astype(str)
        evidence.empty = empty_in_data(evidence.empty, names, evidence.rules)
    return evidence


def _funnels(evidence, focus: Focus, steps=None, hidden=frozenset()) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                              np.ndarray | None]:
    """The funnel for all customers, the focus's, and which of the focus's steps to hide so that
    the funnel for all customers minus the personas' gives no small group back (D79). The
    ``hidden`` personas' reports show no funnel: their customers are hidden cells already."""
    level = "any" if steps else "stage"
    steps = steps or evidence.mapped_stages or None
    funnel_all = funnels.funnel(evidence, steps=steps, level=level)
    if focus.everyone:
        return funnel_all, funnel_all, None
    if "persona" not in evidence.columns:  # no customer table: nobody is in a persona
        return funnel_all, funnel_all.iloc[:0].assign(persona=pd.Series(dtype=object)), None
    by = funnels.funnel(evidence, steps=steps, level=level, by="persona")
    mine = (by["persona"] == focus.persona).to_numpy()
    if focus.persona in hidden:
        return funnel_all, by[mine].reset_index(drop=True), None
    protected = protecting_rows(disclosed_persona_steps(by, funnel_all, hidden=hidden))
    return funnel_all, by[mine].reset_index(drop=True), protected[mine]


def _emotion_evidence(tables, journey, assignment) -> pd.DataFrame | None:
    surveys, feedback = tables.get("surveys"), tables.get("feedback")
    if surveys is None and feedback is None:
        return None
    return emotions.emotion_evidence(journey, surveys=surveys, feedback=feedback, personas=assignment)


def _behaviour_evidence(tables, journey, assignment, evidence) -> pd.DataFrame | None:
    """Without surveys and feedback, the curve rests on behaviour (abandonment, errors, repeated
    contacts: ``measured``, source ``behaviour``); without events either, there is none."""
    if evidence is None or not evidence.n_events:
        return None
    return emotions.emotion_evidence(journey, events=evidence, tickets=tables.get("tickets"),
                                     behaviour_rules=list(valence.BEHAVIOUR_RULES), personas=assignment)


def _curve(grid, focus: Focus, min_n: int):
    """The focus's emotion curve from every persona's (computed at :data:`MIN_N`): ``min_n``
    only flags points (``low_evidence``), so the grid serves any."""
    if grid is None:
        return None, None
    grid = grid.assign(low_evidence=grid["n"] < min_n)
    grid.attrs = {**grid.attrs, "min_n": min_n}
    curve = disclosed_curve(grid)
    if not focus.everyone:    # the report for all customers' grid: what it hides, no persona shows (D78)
        mine = curve[curve["persona"].astype(object).isin([ALL, focus.persona])]
        curve = mine.reset_index(drop=True)
        curve.attrs = {**mine.attrs, "hidden_points": int(mine["suppressed"].sum())}
    return curve, emotions.moments_of_truth(curve)


def _kpi_grid(tables, journey, evidence, assignment) -> dict:
    """Stage KPIs of every customer (``kpi_total``) and of each persona (``kpi_personas``; None
    without personas), before the privacy rule: what no focus changes."""
    surveys = tables.get("surveys")
    grids = {"kpi_total": None, "kpi_personas": None, "kpi_relationship": None}
    if surveys is None:
        return grids
    if assignment is not None and not evidence.n_events:   # no events to take personas from
        surveys = surveys.merge(assignment, on="customer_id", how="left")
    # answers that name no step (an NPS tool's export): scored over all of them, per persona too (D132);
    # an answer naming a stage the journey lacks ('1st bill') is no relationship answer (D175)
    overall = kpis.relationship_kpis(surveys)
    if len(overall):
        grids["kpi_relationship"] = pd.concat(
            [overall.assign(persona=ALL)] + ([kpis.relationship_kpis(surveys, evidence=evidence, by="persona")]
                                             if assignment is not None else []), ignore_index=True)
    surveys = placed(surveys, journey)        # DECISION or "decision " is the journey's Decision
    if not {"stage", "touchpoint"} & set(surveys.columns):
        return grids                           # no answer placed: the data section says so
    grids["kpi_total"] = kpis.stage_kpis(surveys, journey=journey, evidence=evidence)
    if assignment is not None:
        grids["kpi_personas"] = kpis.stage_kpis(surveys, journey=journey, evidence=evidence, by="persona")
    return grids


def _kpis(grids, focus: Focus) -> pd.DataFrame | None:
    total, personas = grids.get("kpi_total"), grids.get("kpi_personas")
    if total is None:
        return None
    if focus.everyone:
        return disclosed_kpis(total)
    if personas is None:
        return disclosed_kpis(pd.DataFrame(columns=_KPI_FRAME))
    grid = pd.concat([total.assign(persona=ALL), personas], ignore_index=True)  # beside the total (D78)
    hidden = persona_grid_hidden(grid, grid["stage"].astype(str) + "\x1f" + grid["kpi"].astype(str))
    mine = (grid["persona"] == focus.persona).to_numpy()
    return disclosed_kpis(grid[mine].reset_index(drop=True), also=hidden[mine])


def _relationship(grids, focus: Focus) -> pd.DataFrame | None:
    """The focus's scores of answers that name no step, disclosed as the stage KPIs are (D78)."""
    grid = grids.get("kpi_relationship")
    if grid is None:
        return None
    if focus.everyone:
        return disclosed_kpis(grid[grid["persona"] == ALL].reset_index(drop=True))
    grid = grid[grid["persona"].notna()].reset_index(drop=True)
    hidden = persona_grid_hidden(grid, grid["kpi"].astype(str))
    mine = (grid["persona"] == focus.persona).to_numpy()
    return disclosed_kpis(grid[mine].reset_index(drop=True), also=hidden[mine])


def _backlog(opportunities, pains: pd.DataFrame, tables, focus: Focus, assignment=None):
    """Rank the opportunities; for one persona, keep those relieving its pain points.

    A won-back customer of a persona is worth that persona's mean order (notebook 05 alike):
    the order values hold a row per persona beside the one for all customers."""
    orders = tables.get("orders")
    # no order with an amount (every row rejected, say): no value at stake, as without orders
    usable = orders is not None and "amount" in orders and orders["amount"].notna().any()
    order_value = priorities.average_order_value(orders, personas=assignment) if usable else None
    at_stake = order_value is not None and len(pains) > 0
    backlog = priorities.prioritise(opportunities, pains if at_stake else None,
                                    order_value=order_value if at_stake else None,
                                    by=None)   # value at stake, RICE or ICE: what was computed
    return order_value, backlog if focus.everyone else relieving(backlog, pains)
