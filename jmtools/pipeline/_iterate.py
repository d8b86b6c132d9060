"""Step 7 on a data folder: before/after, test/control, and "did the opportunity work?".

The chain is the one of :func:`jmtools.pipeline.run` up to the evidence (load, segment,
personas, events → stages, emotion evidence); what differs is the end: observations per
customer (:mod:`jmtools.analyses.compare`), split into two groups, compared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from jmtools.analyses import compare as cmp
from jmtools.analyses.disclosure import MIN_GROUP, count_words
from jmtools.analyses.funnels import duration_words
from jmtools.core.errors import DataError, ParameterError
from jmtools.core.vocabulary import ALL
from jmtools.journey import Journey, Outcome, Target
from jmtools.personas import persona_filter, persona_sizes
from jmtools.pipeline._chain import (_assign, _emotion_evidence, _evidence, _usable_personas, load,
                                     resolve_focus, select)
from jmtools.pipeline._disclosed_compare import disclosed_comparison
from jmtools.pipeline._findings import _no_members_error
from jmtools.sources import World
from jmtools.sources.cases import case_option

__all__ = ["Comparison", "observe", "compare_periods", "compare_folders", "compare_groups",
           "measure_opportunity", "opportunity_steps"]

_SCORES = ("csat", "nps", "ces")


@dataclass
class Comparison:
    """A before/after or test/control comparison and what it rests on.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`jmtools.analyses.compare.compare`: one row per measure, persona and step.
    observations : pandas.DataFrame
        The observations with their ``group``.
    split : dict
        What was compared (``kind``: periods, folders or customers; labels; dates) and ``open``:
        the customers left out as still open at the data's end, per pair of steps
        (``attrs["open"]`` of :func:`jmtools.analyses.compare.step_observations`; with the
        ``group`` for two folders).
    journey : Journey
    outcome : Outcome or None
        For :func:`measure_opportunity`: what is written next to the opportunity.
    sizes : list of pandas.DataFrame
        The persona sizes of the data compared (with events, and in the customer table; of both
        folders for :func:`compare_folders`): which personas :meth:`disclosed_table` hides.
    persona_errors : dict
        Persona name → the error its rule gives on the customer table: left out, its customers
        compared in no persona (:func:`jmtools.report.steps.show_personas_left_out` says so).
    mix : pandas.DataFrame or None
        Per step and group, the customers counted and how many a contact the company started
        brought there (:func:`jmtools.analyses.compare.reach_mix`; empty without such contacts).
    funnel_only : pandas.DataFrame or None
        Per step, the customers counted there (as the report's funnel counts them) and how many
        more got a contact the company started there but took no step of their own, so neither
        counts them (:func:`jmtools.analyses.compare.company_only_reach`, both groups together;
        only the steps where some are; None without such contacts).
    """

    table: pd.DataFrame
    observations: pd.DataFrame
    split: dict
    journey: Any
    outcome: Any = None
    options: dict = field(default_factory=dict)
    sizes: list = field(default_factory=list)
    persona_errors: dict = field(default_factory=dict)
    mix: Any = None
    funnel_only: Any = None

    @property
    def mix_changes(self) -> pd.DataFrame:
        """The steps whose customers a contact the company started brought there in shares that
        differ between the groups by :data:`jmtools.analyses.compare.MIX_POINTS` or more
        (:func:`jmtools.analyses.compare.mix_changes` of :attr:`mix`): a change in conversion from
        such a step may be a change in who was counted (a mass mailing in one period), not in
        what customers met.

        Examples
        --------
        >>> compare_periods("sample:ecommerce", "2026-06-01", measures=["conversion"]).mix_changes.empty
        True
        """
        return cmp.mix_changes(self.mix if self.mix is not None else pd.DataFrame())

    def still_open_words(self) -> list[str]:
        """One sentence per pair of steps whose comparison left customers out as still open at the
        data's end (:attr:`split` ``open``, D190): how many, since when, and the follow-up window.

        Examples
        --------
        >>> compare_periods("sample:ecommerce", "2026-06-01", measures=["ces"]).still_open_words()
        []
        """
        out = []
        for r in self.split.get("open", []):
            folder = f" ({r['group']})" if r.get("group") else ""
            out.append(f"{count_words(r['open'])} of the {count_words(r['left_out'])} customers who reached "
                       f"{r['from_step']} after {_cutoff_words(r)}{folder} had not reached {r['step']} by the "
                       f"data's end ({r['end']:%d %b %Y}): still open, not lost. Conversion and time from "
                       f"{r['from_step']} leave all {count_words(r['left_out'])} out — the follow-up window is "
                       f"{duration_words(r['window_hours'] * 3600)}, the time within which "
                       f"{r['share']:.0%} of those who reached {r['step']} did so.")
        return out

    @property
    def likely_real(self) -> pd.DataFrame:
        """Rows whose change is likely real (improved or worse), with their numbers (:attr:`table`)."""
        return self.table[self.table["verdict"].str.endswith("likely real")]

    def disclosed_table(self, min_group: int = MIN_GROUP) -> pd.DataFrame:
        """:attr:`table` as it may be shown: no group of 1 to ``min_group − 1`` customers, read off
        or by subtraction.

        A side of 1–4 customers (or of 1–4 going on, for a conversion), every row of a persona of
        1–4 customers and of the group whose size :attr:`sizes` hide to protect it, and the
        persona rows whose count the row for all customers would give back lose their numbers;
        their text says why (:func:`~jmtools.pipeline._disclosed_compare.disclosed_comparison`).

        Parameters
        ----------
        min_group : int, default 5

        Returns
        -------
        pandas.DataFrame
            The table's columns with the hidden numbers missing, ``suppressed`` (bool),
            ``attrs["hidden_rows"]`` and ``attrs["note"]`` ("" when nothing is hidden).

        Examples
        --------
        >>> c = compare_periods("sample:ecommerce", "2026-06-01", measures=["ces"])
        >>> shown = c.disclosed_table()
        >>> bool((shown["n_a"].dropna().between(1, 4)).any()), int(shown["suppressed"].sum()) > 0
        (False, True)
        >>> shown.attrs["note"].startswith(f"{shown.attrs['hidden_rows']} comparisons are shown without")
        True
        """
        return disclosed_comparison(self.table, self.sizes, min_group=min_group)

    @property
    def empty_personas(self) -> list[str]:
        """The journey's personas whose rule selects no customer of the data compared: they have
        no row in :attr:`table` (personas whose rule cannot run are in :attr:`persona_errors`).

        Examples
        --------
        >>> compare_periods("sample:ecommerce", "2026-06-01", measures=["ces"]).empty_personas
        []
        """
        if not self.sizes:
            return []
        n = pd.concat(self.sizes).groupby("persona")["n"].sum()
        return [p for p in self.journey.persona_names if p not in self.persona_errors and n.get(p, 0) == 0]

    def require_members(self, persona: str) -> None:
        """Stop, naming the rule, when ``persona`` (the focus of a notebook) is one of
        :attr:`empty_personas`, as :func:`jmtools.pipeline.require_members` does for a run.

        Examples
        --------
        >>> compare_periods("sample:ecommerce", "2026-06-01", measures=["ces"]).require_members("Budget Ben")
        """
        empty = self.empty_personas
        if persona in empty:
            with_members = [p for p in self.journey.persona_names if p not in empty and p not in self.persona_errors]
            raise _no_members_error(self.journey, persona, with_members, self.customers_checked)

    @property
    def customers_checked(self) -> int:
        """How many customers the persona rules ran on (the largest customer table compared): the
        n behind :attr:`empty_personas`.

        Examples
        --------
        >>> compare_periods("sample:ecommerce", "2026-06-01", measures=["ces"]).customers_checked
        4000
        """
        return max((int(s["total"].max()) for s in self.sizes if len(s) and "total" in s), default=0)

    def nothing_compared(self) -> str:
        """Why there is no comparison at all, in plain words with n and what would make one; empty
        when :attr:`table` has a row (a data folder where every customer stays at one step of the
        journey: no conversion from one step to the next, no time between steps).

        Examples
        --------
        >>> compare_periods("sample:ecommerce", "2026-06-01", measures=["ces"]).nothing_compared()
        ''
        """
        if len(self.table):
            return ""
        what = {"periods": f"before and after {self.split.get('date')}",
                "folders": f"between {self.split.get('before')} and {self.split.get('after')}",
                }.get(self.split.get("kind"), "between the two groups")
        n = self.customers_checked
        among = f" (customers in the customer table: {count_words(n)})" if n else ""
        if self.observations.empty:
            return (f"Nothing to compare {what}: no customer goes on from one step of the journey to a later one, "
                    f"so there is no conversion and no time between steps to measure{among}. A comparison needs "
                    "events at two or more stages for the same customers (or survey scores naming a step), in "
                    "both groups.")
        return (f"Nothing to compare {what}: no measure has observations in both groups{among}. A comparison "
                "needs customers of each group at the same step.")

    def summary(self) -> str:
        """One line per verdict: how many rows, and the clearest rows in words (:meth:`disclosed_table`);
        :meth:`nothing_compared` when there is no row."""
        if not len(self.table):
            return self.nothing_compared()
        table = self.disclosed_table()
        counts = table["verdict"].value_counts()
        head = ", ".join(f"{counts[v]} {v}" for v in cmp.VERDICTS if v in counts)
        real = table[table["verdict"].str.endswith("likely real")]
        mixed = [f"Who was counted changed at {r.from_step}: contacts the company started brought "
                 f"{cmp.share_words(int(r.n_company_b), int(r.n_b))} of {int(r.n_b):,} customers there in "
                 f"{r.group_b}, against {cmp.share_words(int(r.n_company_a), int(r.n_a))} of {int(r.n_a):,} "
                 f"in {r.group_a}; a change in conversion or time from it may be one of who was counted"
                 for r in self.mix_changes.itertuples() if min(r.n_a, r.n_b) >= MIN_GROUP]
        clearest = [f"  {who}: {text}" for who, text in zip(real["persona"], real["text"])]
        own = [f"Counted by their own steps at {step}: {text}" for step, text in self.funnel_only_words()]
        return "\n".join([f"{len(table)} comparisons: {head}", *clearest, *mixed, *own])

    def funnel_only_words(self) -> list[tuple[str, str]]:
        """Each step where a contact the company started reached customers who took no step of
        their own there, in words (:attr:`funnel_only`, D243): counts of 1–4 customers said as
        "fewer than 5".

        Examples
        --------
        >>> c = compare_periods("sample:grocery", "2026-03-10", measures=["conversion"], personas=False)
        >>> c.funnel_only_words()[0][0]
        'Restock'
        >>> print(c.funnel_only_words()[0][1])  # doctest: +NORMALIZE_WHITESPACE
        1,134 customers reached it by a step of their own, as the journey report's funnel counts them;
        666 more got a contact the company started there (a mailing, a reminder) but took no step of
        their own there, and neither counts them.
        """
        if self.funnel_only is None:
            return []
        return [(r.from_step, f"{count_words(r.n_funnel)} customers reached it by a step of their own, as the "
                 f"journey report's funnel counts them; {count_words(r.n_contact_only)} more got a contact the "
                 f"company started there (a mailing, a reminder) but took no step of their own there, and "
                 f"neither counts them.")
                for r in self.funnel_only.itertuples()]


def _funnel_only(parts) -> pd.DataFrame | None:
    """:func:`jmtools.analyses.compare.company_only_reach` of one folder or two (summed per
    step), only the steps where a company's contact reached customers who took no step there."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    both = pd.concat(parts)[["from_step", "n_funnel", "n_contact_only"]]
    both = both.groupby("from_step", sort=False, as_index=False).sum()
    return both[both["n_contact_only"] > 0].reset_index(drop=True)


def observe(data, *, journey=None, segment: str = "", steps=None, level: str = "stage",
            measures=None, assignment: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Any]:
    """Every observation of a data folder: conversion and time per step, survey answers, emotion.

    Parameters
    ----------
    data : str, Path or jmtools.sources.World
        A data folder (or ``"sample:ecommerce"``).
    journey : str or Path, optional
        The journey file (default ``journey.yaml`` in the folder).
    segment : str, optional
        A rule over customer attributes: only these customers.
    steps, level
        The funnel (default: the stages), as in :func:`jmtools.analyses.funnels.funnel`.
    measures : list of str, optional
        Which of :data:`jmtools.analyses.compare.MEASURES` (default all the data allows).
    assignment : pandas.DataFrame, optional
        ``customer_id, persona`` given from outside (default: the journey's rules).

    Returns
    -------
    (pandas.DataFrame, Journey)
        The observations (:data:`jmtools.analyses.compare.OBSERVATION_COLUMNS`) and the journey.
    """
    obs, j, _, _, _, _ = _observe(data, journey=journey, segment=segment, steps=steps, level=level,
                               measures=measures, assignment=assignment)
    return obs, j


def _refuse_per_case(world: World, what: str) -> None:
    """Refuse a world whose event log names a case column (D238) for ``what``, which does not count per
    case yet (the comparisons of :mod:`jmtools.pipeline._iterate`)."""
    if case_option(world) is not None:
        raise ParameterError("case", case_option(world)[0], expected=f"unset for {what}, which does not count "
                             "per case yet",
                             fix="per-case journeys are counted by pipeline.run() and the report (notebooks 00, "
                                 "04, 05) only; remove `case:` from loading.yaml to compare per customer")


def _observe(data, *, journey=None, segment: str = "", steps=None, level: str = "stage", measures=None,
             assignment: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Any, list, dict, Any, Any]:
    """:func:`observe`, the persona sizes of the folder (with events when its evidence is
    prepared, and in the customer table): what the comparison's disclosure reads, the
    personas whose rule cannot run on the customer table (their customers are in no persona),
    the contacts the company started (:func:`jmtools.analyses.compare.company_contacts`) and,
    when there are any, the funnel's counts beside the customers' own
    (:func:`jmtools.analyses.compare.company_only_reach`)."""
    measures = _measures(measures)
    world = load(data, journey)
    _refuse_per_case(world, "a comparison (compare_periods, compare_folders, compare_groups, measure_opportunity)")
    tables, events, _ = select(world, resolve_focus(world.journey, ALL, segment))
    world, broken = _usable_personas(world, tables.get("customers"), assignment)
    j = world.journey
    personas = _assign(tables.get("customers"), j, assignment)
    sizes = [] if personas is None else [persona_sizes(personas)]
    parts, contacts, own = [], None, None
    if {"conversion", "time"} & set(measures) and "events" in world.tables:
        evidence = _evidence(events, j, tables.get("customers"), assignment, whole=world if segment else None)
        sizes += [evidence.persona_sizes] if evidence.persona_sizes is not None else []
        contacts = cmp.company_contacts(evidence) if "conversion" in measures else None
        prefixed = steps and any(str(s).startswith(("stage:", "touchpoint:", "event:")) for s in steps)
        parts.append(cmp.step_observations(evidence, steps=steps, level="any" if prefixed else level))
        if contacts is not None and len(contacts):
            own = cmp.company_only_reach(evidence, steps=steps, level="any" if prefixed else level)
    if set(_SCORES) & set(measures) and "surveys" in tables:
        parts.append(cmp.score_observations(tables["surveys"], journey=j, personas=personas,
                                            level="touchpoint" if level == "touchpoint" else "stage"))
    if "emotion" in measures and ("surveys" in tables or "feedback" in tables):
        emotion = _emotion_evidence(tables, j, personas)
        parts.append(cmp.emotion_observations(emotion, level="touchpoint" if level == "touchpoint"
                                              else "stage"))
    if not parts:
        raise DataError("the folder has no events, surveys or feedback to compare", source=str(data))
    still_open = [r for p in parts for r in p.attrs.get("open", [])]
    obs = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    obs = obs[obs["measure"].isin(measures)].reset_index(drop=True)
    obs.attrs["open"] = still_open
    return obs, j, sizes, broken, contacts, own


def _measures(measures) -> list[str]:
    measures = list(cmp.MEASURES) if measures is None else [measures] if isinstance(measures, str) \
        else list(measures)
    for m in measures:
        if m not in cmp.MEASURES:
            raise ParameterError("measures", m, expected=list(cmp.MEASURES))
    return measures


def _options(options: dict) -> dict:
    allowed = {"personas", "alpha", "min_n", "power", "min_change", "n_boot", "seed"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ParameterError(unknown[0], options[unknown[0]], expected=sorted(allowed))
    return options


def compare_periods(data, change_date, *, journey=None, segment: str = "", before_days: int | None = None,
                    after_days: int | None = None, gap_days: int = 0, steps=None, level: str = "stage",
                    measures=None, assignment=None, **options) -> Comparison:
    """Before and after ``change_date`` in one data folder.

    Parameters
    ----------
    data, journey, segment, steps, level, measures, assignment
        As for :func:`observe`.
    change_date : str or date
        The first day of the second period.
    before_days, after_days, gap_days : int, optional
        Windows around the date (:func:`jmtools.analyses.compare.split_by_date`).
    **options
        ``personas``, ``alpha``, ``min_n``, ``power``, ``min_change``, ``n_boot``, ``seed`` of
        :func:`jmtools.analyses.compare.compare`.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> c = compare_periods("sample:ecommerce", "2026-06-01", measures=["conversion"], personas=False)
    >>> c.table["label"].iloc[0]
    'conversion Awareness → Consideration'
    """
    options = _options(options)
    obs, j, sizes, broken, contacts, own = _observe(data, journey=journey, segment=segment, steps=steps,
                                                    level=level, measures=measures, assignment=assignment)
    split = cmp.split_by_date(obs, change_date, before_days=before_days, after_days=after_days,
                              gap_days=gap_days)
    split.attrs["split"]["open"] = obs.attrs["open"]
    return Comparison(cmp.compare(split, journey=j, **options), split, split.attrs["split"], j,
                      options=options, sizes=sizes, persona_errors=broken, mix=cmp.reach_mix(split, contacts),
                      funnel_only=_funnel_only([own]))


def compare_folders(before, after, *, journey=None, segment: str = "", steps=None, level: str = "stage",
                    measures=None, labels=("before", "after"), **options) -> Comparison:
    """Two data folders (e.g. last quarter's export and this quarter's), the first the baseline.

    Both are read with the same journey: ``journey`` if given, else the first folder's.

    Examples
    --------
    >>> c = compare_folders("sample:ecommerce", "sample:ecommerce", measures=["csat"], personas=False)
    >>> set(c.table["verdict"])
    {'no detectable change'}
    """
    options = _options(options)
    obs_a, j, sizes_a, broken, sent_a, own_a = _observe(before, journey=journey, segment=segment, steps=steps,
                                                        level=level, measures=measures)
    obs_b, _, sizes_b, broken_b, sent_b, own_b = _observe(after, journey=journey or j.path, segment=segment,
                                                          steps=steps, level=level, measures=measures)
    split = cmp.stack_groups(obs_a, obs_b, labels=tuple(labels))
    split.attrs["split"].update(before=str(before), after=str(after), open=[
        {**r, "group": g} for o, g in ((obs_a, labels[0]), (obs_b, labels[1])) for r in o.attrs["open"]])
    sent = [s.assign(group=g) for s, g in ((sent_a, labels[0]), (sent_b, labels[1])) if s is not None]
    return Comparison(cmp.compare(split, journey=j, **options), split, split.attrs["split"], j,
                      options=options, sizes=sizes_a + sizes_b, persona_errors={**broken_b, **broken},
                      mix=cmp.reach_mix(split, pd.concat(sent, ignore_index=True) if sent else None),
                      funnel_only=_funnel_only([own_a, own_b]))


def compare_groups(data, test, *, journey=None, segment: str = "", steps=None, level: str = "stage",
                   measures=None, labels=("control", "test"), **options) -> Comparison:
    """Customers who saw a change (``test``) against those who did not, over the same time.

    ``test`` is a rule over customer attributes (``"saw_new_checkout == True"``) or a list of
    customer ids.
    """
    options = _options(options)
    obs, j, sizes, broken, contacts, own = _observe(data, journey=journey, segment=segment, steps=steps,
                                                    level=level, measures=measures)
    if isinstance(test, str):
        customers = load(data, journey).tables.get("customers")
        if customers is None:
            raise ParameterError("test", test, expected="a list of customer ids (the folder has no "
                                 "customer table for a rule)", fix="add customers.csv, or pass ids")
        test = persona_filter(customers.to_pandas(), test, persona="test")["customer_id"].astype(str)
    split = cmp.split_by_customers(obs, list(test), labels=tuple(labels))
    split.attrs["split"]["open"] = obs.attrs["open"]
    return Comparison(cmp.compare(split, journey=j, **options), split, split.attrs["split"], j,
                      options=options, sizes=sizes, persona_errors=broken, mix=cmp.reach_mix(split, contacts),
                      funnel_only=_funnel_only([own]))


# ------------------------------------------------------------------ did the opportunity work?
def opportunity_steps(journey, opportunity: str) -> tuple[Target, list[str], str]:
    """The target of an opportunity, the funnel steps that measure it and who it is for.

    The touchpoint is the target's (default: the touchpoint, else the stage, of the first pain
    point it relieves); going on is reaching ``target.to`` (default: the next stage).

    Examples
    --------
    >>> from jmtools.core.resources import templates_dir
    >>> j = Journey.load(templates_dir() / "journeys" / "ecommerce.yaml")
    >>> opportunity_steps(j, "show-fees-early")[1:]
    (['touchpoint:Checkout', 'stage:Post-purchase'], 'all')
    """
    opp = _opportunity(journey, opportunity)
    target = opp.target or Target()
    start = target.touchpoint
    pains = {p.id: p for p in journey.pain_points}
    first = next((pains[p] for p in opp.pain_points if p in pains), None)
    if start is None and first is not None:
        start = first.touchpoint
    where = f"touchpoint:{start}" if start else f"stage:{first.stage if first else journey.stage_names[0]}"
    stage = journey.stage_of(start) if start else (first.stage if first else journey.stage_names[0])
    if target.to is not None:
        to = f"touchpoint:{target.to}" if target.to in journey.touchpoint_names else f"stage:{target.to}"
    else:
        later = journey.stage_names[journey.stage_names.index(stage) + 1:]
        if not later:
            raise ParameterError("target.to", None, expected="a later touchpoint or stage",
                                 fix=f"'{stage}' is the last stage: set target.to in the journey file")
        to = f"stage:{later[0]}"
    return target, [where, to], target.persona or ALL


def _opportunity(journey, opportunity: str):
    ids = [o.id for o in journey.opportunities]
    if opportunity not in ids:
        raise ParameterError("opportunity", opportunity, expected=ids)
    return journey.opportunities[ids.index(opportunity)]


_STATUS = {"improved, likely real": "improved", "worse, likely real": "worse", "too few": "too few"}


def measure_opportunity(data, opportunity: str, *, journey=None, measured_on=None,
                        before_days: int | None = None, after_days: int | None = None,
                        gap_days: int = 0, alpha: float = 0.05, min_n: int = 30, save: bool = True,
                        assignment=None, seed: int = 0) -> Comparison:
    """Did the opportunity work? Compare around its ``change_date`` and write the outcome.

    One pre-declared measure (the opportunity's ``target``, :func:`opportunity_steps`), for its
    persona, before and after its ``change_date``: one test, so no adjustment across a table.
    The result is written next to the opportunity (``outcome``: status, effect, interval, date
    measured) and the journey file saved, keeping its comments.

    Parameters
    ----------
    data : str, Path or World
        The data folder (its ``journey.yaml`` unless ``journey`` is given).
    opportunity : str
        The opportunity's id.
    measured_on : date, optional
        The date written as ``measured_on`` (default today).
    before_days, after_days, gap_days : int, optional
        Windows around the change date.
    alpha, min_n : float, int
        Level of the test; fewest customers in each period.
    save : bool, default True
        Write the outcome into the journey file.

    Returns
    -------
    Comparison
        With ``outcome`` (:class:`jmtools.journey.Outcome`) and a one-row ``table``.
    """
    world = load(data, journey)
    j = world.journey
    opp = _opportunity(j, opportunity)
    if opp.change_date is None:
        raise ParameterError("opportunity", opportunity, expected="an opportunity with a change_date",
                             fix=f"add 'change_date: YYYY-MM-DD' to opportunity '{opportunity}' in "
                                 f"{j.path or 'the journey file'}")
    target, steps, persona = opportunity_steps(j, opportunity)
    measure = target.measure
    obs, _, sizes, _, _, _ = _observe(world, steps=steps if measure in ("conversion", "time") else None,
                                level="stage" if measure in ("conversion", "time") else "touchpoint",
                                measures=[measure], assignment=assignment)
    if measure not in ("conversion", "time") and target.touchpoint:
        obs = obs[obs["step"] == target.touchpoint]
    if persona != ALL:
        obs = obs[obs["persona"] == persona]
    split = cmp.split_by_date(obs, opp.change_date, before_days=before_days, after_days=after_days,
                              gap_days=gap_days)
    table = cmp.compare(split, personas=False, alpha=alpha, min_n=min_n, seed=seed, journey=j)
    if table.empty:
        raise DataError(f"no customer of {persona!r} reached {steps[0].split(':', 1)[1]} in {data}",
                        source=str(data))
    row = table.iloc[0]
    table = table.assign(persona=persona)
    outcome = Outcome(**_outcome(row, persona, measured_on))
    opp.outcome = outcome
    if save:
        j.save()
    return Comparison(table, split, split.attrs["split"], j, outcome=outcome,
                      options={"opportunity": opportunity, "steps": steps}, sizes=sizes)


def _outcome(row, persona: str, measured_on) -> dict:
    number = lambda v: None if pd.isna(v) else round(float(v), 6)  # noqa: E731
    values = {"status": _STATUS.get(row["verdict"], "no detectable change"),
              "measured_on": measured_on or dt.date.today(),
              "measure": f"{row['label']} ({persona if persona != ALL else 'all customers'})",
              "before": number(row["value_a"]), "after": number(row["value_b"]),
              "effect": number(row["diff"]), "ci_low": number(row["ci_low"]),
              "ci_high": number(row["ci_high"]), "p_value": number(row["p_value"]),
              "n_before": int(row["n_a"]), "n_after": int(row["n_b"])}
    return {k: v for k, v in values.items() if v is not None}


def _cutoff_words(pair: dict) -> str:
    """When a pair of :attr:`Comparison.split`'s ``open`` leaves out those who reached its first step:
    one date, or each persona's where some wait their own time (``by_group``, D261) and the dates differ."""
    day = f"{pd.Timestamp(pair['since']):%d %b %Y}"
    own = pair.get("by_group") or {}
    if not own:
        return day
    said = [f"{g}: none reached {pair['step']} within the data, all left out" if not went else
            f"{g}: {pd.Timestamp(since):%d %b %Y}" for g, (since, _, went) in sorted(own.items())]
    if all(w.endswith(day) for w in said):
        return day
    return f"their persona's cut-off ({'; '.join(said)}; others: {day})"
