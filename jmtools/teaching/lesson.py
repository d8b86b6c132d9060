"""The lesson: one data folder, the persona a learner follows, and what the exercises compute.

A :class:`Lesson` is made once at the top of every teaching notebook::

    lesson = Lesson(data_dir, persona=persona)    # persona "": the journey's first persona
    run = lesson.run                              # = pipeline.run(data_dir, persona=…)
    lesson.ask("4.2")                             # the question, with this world's names
    lesson.check("4.2", answer_4_2)               # a hint, or why it matters

Everything an exercise is checked against is computed here from the data, when first needed,
and kept: nothing is read from the answer key of the sample worlds, so the track works the
same on a regenerated world or on the learners' own data.
"""

from __future__ import annotations

import html
from functools import cached_property
from pathlib import Path

import pandas as pd

from jmtools import pipeline
from jmtools.analyses import funnels, kpis
from jmtools.analyses.sentiment import score_texts
from jmtools.core.errors import ParameterError
from jmtools.core.vocabulary import ALL
from jmtools.evidence import prepare
from jmtools.personas import assign_personas, persona_kpis
from jmtools.report.steps import show_dates_only
from jmtools.sources import World, missing_table
from jmtools.teaching import exercises
from jmtools.teaching.classroom import scratch_folder
from jmtools.teaching.feedback import CheckFailed, Feedback, hint, strict_from_env
from jmtools.teaching.iterate import before_after, check_split, middle_date

__all__ = ["Lesson", "Question", "STEP_TABLES", "lesson_in"]

#: The tables each step's notebook reads (``Lesson(..., step=N)`` checks them first): every entry
#: is a table, or a tuple of tables any one of which will do.
STEP_TABLES: dict[int, tuple] = {
    0: ("events",),
    1: ("events", "customers", ("surveys", "orders")),
    2: ("events", "customers", "surveys"),
    3: ("surveys", "feedback"),
    4: ("events", "customers", "surveys"),
    5: ("events", "customers"),
    6: ("orders",),
    7: ("events", "customers"),
}


class Question:
    """An exercise's question, shown as HTML in a notebook and as text elsewhere."""

    def __init__(self, exercise, text: str):
        self.exercise, self.text = exercise, text

    def __str__(self) -> str:
        stars = "★" * self.exercise.stars + "☆" * (3 - self.exercise.stars)
        return (f"Exercise {self.exercise.id} {stars} — {self.exercise.title}\n{self.text}\n"
                f"Answer with: {self.exercise.form}")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        stars = "★" * self.exercise.stars + "☆" * (3 - self.exercise.stars)
        return (f'<div class="jm-question" style="border-left:4px solid #4c78a8;background:#f3f7fb;'
                f'padding:8px 12px;margin:4px 0;border-radius:4px;font-family:system-ui,sans-serif;'
                f'line-height:1.45"><div style="font-weight:600">Exercise {self.exercise.id} '
                f'<span style="color:#b08800">{stars}</span> — {html.escape(self.exercise.title)}</div>'
                f'<div>{html.escape(self.text)}</div><div style="color:#57606a;font-size:90%">'
                f'Answer with: {html.escape(self.exercise.form)}</div></div>')


def _require_tables(world: World, step: int) -> None:
    """Stop when ``world`` lacks a table step ``step`` reads, naming what to add."""
    if step not in STEP_TABLES:
        raise ParameterError("step", step, expected=[str(k) for k in STEP_TABLES])
    def usable(kind: str) -> bool:            # a file with only a header, or every row rejected: none
        loaded = world.tables.get(kind)
        return loaded is not None and getattr(loaded.accounting, "rows_used", 1) > 0

    missing = [need if isinstance(need, tuple) else (need,) for need in STEP_TABLES[step]
               if not any(usable(t) for t in (need if isinstance(need, tuple) else (need,)))]
    if not missing:
        return
    wanted = " and ".join(alt[0] if len(alt) == 1 else "either " + " or ".join(alt) for alt in missing)
    fixes = " ".join(_why_not(world, alt) for alt in missing)
    it = "them" if len(missing) > 1 or len(missing[0]) > 1 else "it"
    raise ParameterError("data_dir", str(world.folder),
                         expected=f"a data folder with rows of {wanted}: step {step} of the track reads {it}",
                         fix=f"{fixes} Or follow the track on a bundled world: data_dir = "
                             f"\"sample:ecommerce\" or \"sample:b2b\".")


def _why_not(world: World, alternatives: tuple) -> str:
    """Why none of ``alternatives`` can be read: a file without rows (each rejected row's reason
    is in ``world.accounting``), or no file, with the columns to add."""
    said = []
    for kind in alternatives:
        loaded = world.tables.get(kind)
        if loaded is None:
            said.append(missing_table(kind)[:-1] if not said else "or " + missing_table(kind).split(" — ", 1)[1][:-1])
            continue
        acc = loaded.accounting
        if not acc.rows_read:
            said.append(f"{acc.source} has a header but no rows")
            continue
        top = acc.reasons.iloc[0] if acc.rows_rejected and len(acc.reasons) else None
        why = "" if top is None else (f": {int(top['n']):,} with {top['reason']} in column {top['column']}, "
                                      f"from line {top['lines'][0]} — {top['fix']}")
        said.append(f"{acc.source} has no row to use ({acc.rows_read:,} read, {acc.rows_rejected:,} rejected{why})")
    return "; ".join(said) + "."


def _require_persona(persona: str, names: list) -> None:
    """Stop when ``persona`` is not one of the journey's personas: the track follows one persona
    from its card (step 1) to its backlog (step 6), so "all" (every customer, which the reports
    accept) is refused here, and the message lists the personas only."""
    if persona in names:
        return
    fix = (f"the track follows one persona from its card (step 1) to its backlog (step 6), so it "
           f"cannot follow all customers at once; choose one of them, or leave persona = \"\" to "
           f"follow the journey's first ({names[0]})" if str(persona).strip().lower() == ALL else "")
    raise ParameterError("persona", persona, expected=names, fix=fix)


class Lesson:
    """A data folder, the persona the learner follows, and the exercises' checker.

    Parameters
    ----------
    data : str, Path, jmtools.sources.World or jmtools.pipeline.Findings
        A data folder (``"sample:ecommerce"`` names a bundled sample world), a loaded world,
        or a run of :func:`jmtools.pipeline.run` for one persona (then it is reused).
    persona : str, default ""
        The persona followed through the track; ``""`` is the journey's first persona. One of
        the journey's personas: ``"all"``, which the reports accept, is refused (the track
        follows one persona from its card to its backlog).
    split : str, optional
        Step 7: the day a change went live (YYYY-MM-DD, leaving customers first seen before and
        after it: :func:`jmtools.teaching.iterate.check_split`); default the middle of the
        period in which the customers were first seen (:func:`jmtools.teaching.iterate.middle_date`).
    min_n : int, default :data:`jmtools.pipeline.MIN_N`
        Fewest customers behind a number before it counts as too few to compare.
    step : int, optional
        The step's notebook (0–7): stop first, naming each missing file and its columns, when
        the folder lacks a table the step reads (:data:`STEP_TABLES`), rather than in a cell
        half-way through.

    Examples
    --------
    >>> lesson = Lesson("sample:b2b")
    >>> lesson.persona, lesson.journey.stage_names[0]
    ('SMB Owner Sam', 'Initial inquiry')
    >>> lesson.check("0.1", ...).code
    'unanswered'
    """

    def __init__(self, data="sample:ecommerce", *, persona: str = "", split: str = "",
                 min_n: int = pipeline.MIN_N, step: int | None = None):
        given = data if isinstance(data, pipeline.Findings) else None
        self.world: World = given.world if given else pipeline.load(data)
        if self.world.journey is None:
            raise ParameterError("data_dir", str(self.world.folder),
                                 expected="a data folder with a journey.yaml",
                                 fix="add the journey file, or start from a sample world")
        if step is not None:
            _require_tables(self.world, step)
        names = list(self.world.journey.persona_names)
        if not names:
            raise ParameterError("persona", persona, expected="a journey with at least one persona",
                                 fix="add personas with a rule to journey.yaml (step 1)")
        self.persona = persona or (given.focus.persona if given and not given.focus.everyone else names[0])
        _require_persona(self.persona, names)
        pipeline.resolve_focus(self.world.journey, self.persona)
        self.min_n = int(min_n)
        self.step = step
        self._split = split
        if given is not None and given.focus.persona == self.persona:
            self.__dict__["run"] = given
        if split:
            self.split                      # a day that cannot be read, or leaves a period empty: stop here

    def __repr__(self) -> str:
        return (f"<Lesson: {self.journey.name!r}, following {self.persona}; "
                f"data {self.world.folder}>")

    # ------------------------------------------------------------------ exercises
    def ask(self, exercise_id: str) -> Question:
        """The question of an exercise, with this world's names and numbers."""
        ex = exercises.get(exercise_id)
        return Question(ex, exercises.question(ex, self))

    def check(self, exercise_id: str, answer, *, strict: bool | None = None) -> Feedback:
        """Check an answer against the data; see :func:`jmtools.teaching.check`.

        Parameters
        ----------
        exercise_id : str
            ``"<step>.<n>"``, e.g. ``"4.2"``.
        answer : object
            The learner's answer; ``...`` or None means not answered yet.
        strict : bool, optional
            Raise :class:`~jmtools.teaching.feedback.CheckFailed` when the answer is not right
            (an exercise ``not-available`` on this data is still only said), so an unattended
            run fails; default: the environment variable ``JMTOOLS_TEACHING_STRICT``.

        Examples
        --------
        >>> lesson = Lesson("sample:b2b")
        >>> lesson.check("0.1", lesson.journey.stage_names).ok
        True
        >>> lesson.check("0.1", ..., strict=True)
        Traceback (most recent call last):
        ...
        jmtools.teaching.feedback.CheckFailed: … Exercise 0.1: not answered yet.
        ...
        """
        feedback = exercises.check(exercise_id, answer, self)
        if (strict_from_env() if strict is None else strict) and not feedback.ok \
                and feedback.code != "not-available":
            raise CheckFailed(feedback)
        return feedback

    def show_dates_only(self, about: str = "funnel") -> str | None:
        """Where the track shows a funnel: say, as notebook 02 does, that the event log has
        dates only — how many customers have two or more stages (and touchpoints) on one day,
        and the order assumed within a day; with ``about="loops"``, where it shows detours,
        that loops and detours are found between days
        (:func:`jmtools.report.steps.show_dates_only`; no figure is recorded).

        Returns
        -------
        str or None
            The sentence shown; None, and nothing shown, when the events carry times.

        Examples
        --------
        >>> Lesson("sample:b2b").show_dates_only() is None
        True
        """
        return show_dates_only(self.evidence, record=lambda *args, **kwargs: None, about=about)

    def output_folder(self, folder: str = "") -> Path:
        """Where the step's notebook writes its files (step 6 the backlog, step 7 the next map):
        ``folder`` when given (made when missing), else one folder per user and step, the same
        at every run (:func:`jmtools.teaching.classroom.scratch_folder`).

        Examples
        --------
        >>> lesson = Lesson("sample:b2b", step=6)
        >>> lesson.output_folder().name, lesson.output_folder() == lesson.output_folder()
        ('06_prioritisation', True)
        """
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            return Path(folder)
        return scratch_folder(exercises.STEPS[self.step][0] if self.step in exercises.STEPS else "lesson")

    # ----------------------------------------------------------------- the data
    @property
    def journey(self):
        """The journey file of the data folder."""
        return self.world.journey

    @cached_property
    def run(self):
        """:func:`jmtools.pipeline.run` for the persona followed (computed once)."""
        return pipeline.run(self.world, persona=self.persona, min_n=self.min_n)

    @cached_property
    def evidence(self):
        """Events tied to touchpoints, stages and personas (the run's, when it exists)."""
        if "run" in self.__dict__:
            return self.run.evidence
        return prepare(self.world.events, self.journey, customers=self.world.customers)

    @cached_property
    def events(self) -> pd.DataFrame:
        """The prepared events as pandas (one row per event, ``persona`` included)."""
        return self.evidence.to_pandas()

    def table(self, kind: str) -> pd.DataFrame | None:
        """A loaded table as pandas (``"surveys"``, ``"orders"``…), or None when absent."""
        loaded = self.world.tables.get(kind)
        return None if loaded is None else loaded.to_pandas()

    @cached_property
    def customers(self) -> pd.DataFrame:
        """The customer table."""
        if "customers" not in self.world.tables:
            raise ParameterError("data_dir", str(self.world.folder), expected="a customers table")
        return self.table("customers")

    @cached_property
    def assignment(self) -> pd.DataFrame:
        """``customer_id, persona, n_personas`` of every customer in the customer table."""
        return assign_personas(self.customers, self.journey)

    @cached_property
    def stage_funnel(self) -> pd.DataFrame:
        """The stage funnel by persona (strict, ordered), personas in file order."""
        return funnels.funnel(self.evidence, steps=self.evidence.mapped_stages or None, by="persona")

    @cached_property
    def persona_kpis(self) -> pd.DataFrame:
        """:func:`jmtools.personas.persona_kpis` on the customer table."""
        orders, surveys = self.world.tables.get("orders"), self.world.tables.get("surveys")
        return persona_kpis(self.assignment, orders=orders.table if orders else None,
                            surveys=surveys.table if surveys else None)

    @cached_property
    def touchpoint_kpis(self) -> pd.DataFrame | None:
        """Survey KPIs per touchpoint and persona (None without surveys)."""
        if "surveys" not in self.world.tables:
            return None
        return kpis.touchpoint_kpis(self.world.tables["surveys"], evidence=self.evidence, by="persona")

    @cached_property
    def lexicon(self) -> pd.DataFrame | None:
        """The feedback with its lexicon score (VADER compound, ``score``), or None."""
        feedback = self.table("feedback")
        if feedback is None:
            return None
        return feedback.assign(score=score_texts(feedback["text"].tolist(), n_jobs=1))

    @cached_property
    def split(self) -> pd.Timestamp:
        """Step 7: the day that separates "before" from "after"."""
        return check_split(self._split, self.evidence) if self._split else middle_date(self.evidence)

    @cached_property
    def periods(self) -> pd.DataFrame:
        """Step 7: the stage funnel by persona of the customers first seen before and after."""
        return before_after(self.evidence, self.split, steps=self.evidence.mapped_stages or None)


class _NoLesson:
    """What :func:`lesson_in` gives when the notebook's first cells have not run: its ``ask`` and
    ``check`` say so, as feedback, instead of a NameError."""

    def ask(self, exercise_id: str) -> Feedback:
        return hint(exercises.get(exercise_id).id, "no-lesson")

    def check(self, exercise_id: str, answer=None) -> Feedback:
        return hint(exercises.get(exercise_id).id, "no-lesson")


def lesson_in(namespace: dict, name: str = "lesson"):
    """The :class:`Lesson` a teaching notebook made in its first cells, read from the notebook's
    variables (``globals()``); when those cells have not run (the notebook was just opened, the
    kernel restarted, a cell run out of order), a stand-in whose ``ask`` and ``check`` say to run
    the cells above first, rather than a bare ``NameError``. Nothing is kept between calls.

    Parameters
    ----------
    namespace : dict
        The notebook's variables: ``globals()`` in an exercise cell.
    name : str, default "lesson"
        The variable the notebook's first cells assign the lesson to.

    Returns
    -------
    Lesson or stand-in
        The lesson; or an object whose ``ask`` and ``check`` return the ``no-lesson`` feedback.

    Examples
    --------
    >>> print(lesson_in({}).check("0.1", ["Awareness"]))
    … Exercise 0.1: run the cells above first.
    This cell needs the lesson made in the first cells of this notebook, and they have not run since the notebook was opened or the kernel restarted. Click this cell, choose Run ▸ Run All Above Selected Cell, then run this cell again.
    >>> lesson = Lesson("sample:b2b")
    >>> lesson_in({"lesson": lesson}) is lesson
    True
    """
    found = namespace.get(name)
    return found if isinstance(found, Lesson) else _NoLesson()
