"""The exercises of the teaching track, and the one function that checks an answer.

Each exercise (:class:`~jmtools.teaching._judge.Exercise`) has an id ``"<step>.<n>"`` — step 0
is the opening notebook, steps 1–7 follow the method — a question written from the lesson's
data (:func:`question`) and a judge. :func:`check` never raises for a wrong or missing answer:
it returns a :class:`~jmtools.teaching.feedback.Feedback` whose hint names the misconception
(see :data:`jmtools.teaching.feedback.HINTS`), so a notebook with empty answers runs to the end.
"""

from __future__ import annotations

from jmtools.core.errors import ParameterError, suggest
from jmtools.teaching import _early, _late
from jmtools.teaching._judge import Exercise, Hint, NoRows, blank, pick
from jmtools.teaching.feedback import Feedback, hint, right

__all__ = ["EXERCISES", "STEPS", "get", "question", "check", "hidden_card", "persona_cards", "pick"]

#: Exercise id → exercise, in the track's order.
EXERCISES: dict[str, Exercise] = {ex.id: ex for ex in [*_early.EXERCISES, *_late.EXERCISES]}

#: Step number → (notebook stem, title): the method's seven steps after the opening notebook.
STEPS = {0: ("00_start_here", "Start here"), 1: ("01_personas", "Personas"),
         2: ("02_touchpoints", "Touchpoints"), 3: ("03_emotional_journey", "The emotional journey"),
         4: ("04_data_integration", "Data integration"),
         5: ("05_patterns_and_pain_points", "Patterns and pain points"),
         6: ("06_prioritisation", "Prioritisation"),
         7: ("07_test_implement_iterate", "Test, implement, iterate")}

hidden_card = _early.hidden_card
persona_cards = _early.persona_cards


def get(exercise_id: str) -> Exercise:
    """The exercise of an id (``"4.2"``); a ParameterError lists the ids when unknown.

    Examples
    --------
    >>> get("4.2").title
    'In what order?'

    An unknown id suggests the nearest exercise of the same step (its notebook):

    >>> try:
    ...     get("0.3")
    ... except ParameterError as err:
    ...     print(err.fix)
    did you mean '0.2'? (the exercises of notebook 00_start_here are 0.1, 0.2)
    """
    key = str(exercise_id).strip()
    if key not in EXERCISES:
        raise ParameterError("exercise_id", exercise_id, expected=list(EXERCISES), fix=_nearest(key))
    return EXERCISES[key]


def _nearest(key: str) -> str:
    """"did you mean" for an unknown exercise id: the nearest of its step's ids (``"0.3"`` → 0.2), else
    the closest spelling; "" (the listed values) when nothing is near."""
    step, _, n = key.partition(".")
    mine = [e for e in EXERCISES if e.split(".")[0] == step]
    if mine and n.isdigit():
        near = min(mine, key=lambda e: abs(int(e.split(".")[1]) - int(n)))
        return (f"did you mean {near!r}? (the exercises of notebook {STEPS[int(step)][0]} are "
                f"{', '.join(mine)})")
    near = suggest(key, EXERCISES)
    return f"did you mean {near!r}?" if near else ""


def question(exercise: Exercise, lesson) -> str:
    """The question with this world's names; what is missing from the data, when it is."""
    try:
        return exercise.ask(lesson)
    except Hint as h:
        return hint(exercise.id, h.code, **h.facts).message


def check(exercise_id: str, answer, lesson) -> Feedback:
    """Check ``answer`` to an exercise against values computed from ``lesson``'s data.

    Parameters
    ----------
    exercise_id : str
        ``"<step>.<n>"``, e.g. ``"4.2"`` (:data:`EXERCISES`).
    answer : object
        The learner's answer; ``...`` or None means not answered yet.
    lesson : jmtools.teaching.Lesson
        The data and the persona followed.

    Returns
    -------
    Feedback
        ``ok`` True with why it matters, or a hint naming the misconception (``code``).

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> lesson = Lesson("sample:b2b")
    >>> check("0.1", list(reversed(lesson.journey.stage_names)), lesson).code
    'journey-order'
    >>> check("0.1", lesson.journey.stage_names, lesson).ok
    True
    """
    ex = get(exercise_id)
    try:
        ex.ask(lesson)
    except Hint as h:                 # not available for this persona or data: say why, whatever the answer
        return hint(ex.id, h.code, **h.facts)
    if blank(answer):
        return hint(ex.id, "unanswered", form=ex.form)
    if isinstance(answer, NoRows):
        return hint(ex.id, "empty-selection", why=str(answer))
    try:
        remark = ex.judge(lesson, answer)
    except Hint as h:
        return hint(ex.id, h.code, **h.facts)
    return right(ex.id, ex.why, remark)
