"""The teaching track's helpers: a lesson on a data folder, exercises that check themselves,
the before/after comparison of step 7, and printable worksheets.

The notebooks in ``notebooks/teaching/`` call this package; the logic lives here so that the
notebooks stay short::

    from jmtools.teaching import Lesson
    lesson = Lesson("sample:ecommerce")        # follows the journey's first persona
    lesson.ask("4.2")                          # the question, with this world's names
    lesson.check("4.2", 222)                   # Feedback: a hint, or why it matters

Answers are checked against values computed from the data when the check runs — never against
stored answers — so the track works on a regenerated world or on the learners' own data. A
wrong answer gets a hint that names the misconception (:data:`HINTS`), not the answer. What the
notebooks and worksheets show goes through the disclosure rule (:mod:`jmtools.teaching.disclosed`).
"""

from jmtools.teaching.exercises import EXERCISES, STEPS, check, get, hidden_card, persona_cards, pick
from jmtools.teaching.feedback import HINTS, CheckFailed, Feedback
from jmtools.teaching.iterate import (before_after, change_at, difference_interval, middle_date,
                                      next_version, still_open_note)
from jmtools.teaching.lesson import Lesson, Question, lesson_in
from jmtools.teaching.disclosed import change_hidden, figure, readable, shown, shown_coverage, shown_funnel
from jmtools.teaching.restart import explain_name_errors
from jmtools.teaching.plain import (change_table, pain_points_table, show_change, show_pain_points, show_whole,
                                    whole_table)

__all__ = ["Lesson", "Question", "lesson_in", "persona_cards", "Feedback", "CheckFailed", "HINTS", "EXERCISES", "STEPS",
           "check", "get",
           "hidden_card", "before_after", "change_at", "difference_interval", "middle_date",
           "next_version", "still_open_note", "pick", "shown", "shown_coverage", "shown_funnel", "change_hidden", "readable",
           "figure", "explain_name_errors", "change_table", "pain_points_table", "show_change", "show_pain_points",
           "show_whole", "whole_table"]

explain_name_errors()                   # in a notebook: a cell run before the cells above says what to do
