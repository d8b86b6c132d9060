"""What every exercise's judge shares: reading an answer, raising a hint, formatting facts.

A judge (``judge(lesson, answer) -> str``) returns a short remark when the answer is right, and
raises :class:`Hint` with a misconception code (:data:`jmtools.teaching.feedback.HINTS`) and
the facts its text needs when it is not. :func:`jmtools.teaching.exercises.check` turns both
into a :class:`~jmtools.teaching.feedback.Feedback`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.core.errors import suggest
from jmtools.teaching.disclosed import hidden_personas

__all__ = ["Exercise", "Hint", "NoRows", "pick", "blank", "shown", "disclosed", "size_shown", "number",
           "share", "count", "name", "names", "choice", "UNCLEAR", "pct", "fmt", "interval_text", "close"]


class NoRows(str):
    """What :func:`pick` gives back for an empty selection: a sentence saying why, not an error.

    A :func:`jmtools.teaching.check` of it answers with the exercise's own reason when the
    exercise is not available for this persona, else with hint ``"empty-selection"``.
    """


def pick(frame, col: str, *, lowest: str | None = None, highest: str | None = None, empty=None):
    """The ``col`` value of the row of ``frame`` with the lowest ``lowest`` (or the highest
    ``highest``; else the first row), or ``empty`` — by default a :class:`NoRows` sentence —
    when no row is left to pick from.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"stage": ["A", "B"], "valence": [0.4, -0.3]})
    >>> pick(f, "stage", lowest="valence")
    'B'
    >>> print(pick(f[f["valence"] > 1], "stage", lowest="valence"))
    no rows to pick the stage from: the selection is empty (0 of the rows it started from)
    >>> pick(f.iloc[:0], "stage", empty="none")
    'none'
    """
    by = lowest or highest
    rows = frame if by is None else frame[frame[by].notna()]
    if rows.empty:
        return empty if empty is not None else NoRows(
            f"no rows to pick the {col} from: the selection is empty (0 of the rows it started from)")
    at = rows.index[0] if by is None else rows[by].idxmin() if lowest else rows[by].idxmax()
    value = rows.loc[at, col]
    return value.item() if hasattr(value, "item") else value


def shown(*counts) -> bool:
    """True when no count is 1 to ``MIN_GROUP − 1`` customers: 0 or 5 or more, a number the track
    may show, or confirm when a learner's answer equals it (docs/decisions.md D53, D56).

    Examples
    --------
    >>> shown(0, 12), shown(12, 3)
    (True, False)
    """
    return not any(0 < int(c) < MIN_GROUP for c in counts)


def disclosed(needs: str, *counts) -> None:
    """Raise the ``not-available`` hint (it needs ``needs``) when a count an exercise would check, or
    say back, is 1 to ``MIN_GROUP − 1`` customers: an answer judged right would confirm it."""
    if not shown(*counts):
        raise Hint("not-available", needs=f"{needs} (fewer are not shown, nor confirmed by a check)")


def size_shown(lesson) -> None:
    """Raise the ``not-available`` hint when step 1 hides the size of the persona followed to protect a
    smaller persona's: the track shows none of its numbers (its funnel starts with that size), so no
    check confirms them (:func:`~jmtools.teaching.disclosed.hidden_personas`)."""
    if lesson.persona in hidden_personas(lesson)[1]:
        raise Hint("not-available", needs=f"a persona whose numbers the track shows ({lesson.persona}'s "
                                          "size is hidden so that the total does not give a smaller "
                                          "persona's away, and with it its funnel and its other numbers)")


class Hint(Exception):
    """Raised by a judge: the answer shows the misconception ``code``; ``facts`` fill its text."""

    def __init__(self, code: str, **facts):
        super().__init__(code)
        self.code = code
        self.facts = facts


@dataclass(frozen=True)
class Exercise:
    """One exercise of the teaching track.

    Attributes
    ----------
    id : str
        ``"<step>.<n>"``, e.g. ``"4.2"`` (step 0 is the opening notebook).
    step : int
        The step of the method (0 for the opening notebook).
    title : str
        A few words, for lists and worksheets.
    stars : int
        Difficulty, 1 to 3 (rising within a notebook).
    form : str
        How to write the answer ("an integer", "a stage name"…).
    ask : callable
        ``ask(lesson) -> str``: the question, with this world's names and numbers.
    judge : callable
        ``judge(lesson, answer) -> str`` (a remark when right) or raises :class:`Hint`.
    why : str
        Why it matters, shown when the answer is right.
    needs : tuple of str
        Tables of the data folder the exercise needs (``"surveys"``, ``"feedback"``…).
    """

    id: str
    step: int
    title: str
    stars: int
    form: str
    ask: Callable[[Any], str]
    judge: Callable[[Any, Any], str]
    why: str
    needs: tuple = field(default_factory=tuple)


def blank(answer) -> bool:
    """True for an answer not given yet: ``...``, None or empty text.

    Examples
    --------
    >>> blank(...), blank(None), blank("  "), blank(0), blank([])
    (True, True, True, False, False)
    """
    return answer is Ellipsis or answer is None or (isinstance(answer, str) and not answer.strip())


def number(answer, form: str) -> float:
    """The answer as a float, or a ``format`` hint.

    Examples
    --------
    >>> number("0.25", "a share"), number(3, "a count")
    (0.25, 3.0)
    """
    if isinstance(answer, bool):
        raise Hint("format", form=form, got=repr(answer))
    if isinstance(answer, numbers.Real):
        value = float(answer)
    elif isinstance(answer, str):
        text = answer.strip().rstrip("%").strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise Hint("format", form=form, got=repr(answer)) from None
        if answer.strip().endswith("%"):
            raise Hint("percent")
    else:
        raise Hint("format", form=form, got=repr(answer))
    if math.isnan(value):
        raise Hint("format", form=form, got=repr(answer))
    return value


def share(answer, form: str = "a share between 0 and 1") -> float:
    """The answer as a share in [0, 1]; a percentage (1 < x ≤ 100) gets the ``percent`` hint."""
    value = number(answer, form)
    if 1 < value <= 100:
        raise Hint("percent")
    if not 0 <= value <= 1:
        raise Hint("format", form=form, got=repr(answer))
    return value


def count(answer, form: str = "a whole number of customers") -> int:
    """The answer as a whole number; a share (0 < x < 1) gets the ``share-not-count`` hint."""
    value = number(answer, form)
    if 0 < value < 1:
        raise Hint("share-not-count")
    if value < 0 or value != int(value):
        raise Hint("format", form=form, got=repr(answer))
    return int(value)


def name(answer, known, kind: str, form: str = "", *, unlisted: str = "") -> str:
    """The answer as one of ``known`` (case and spacing forgiven), or an ``unknown-name`` hint: "did
    you mean", else the names — or, when listing them would give the answer (``unlisted``), where to
    read them.

    Examples
    --------
    >>> name(" checkout", ["Cart", "Checkout"], "touchpoints")
    'Checkout'
    """
    if not isinstance(answer, str):
        raise Hint("format", form=form or f"one of the {kind}, as text", got=repr(answer))
    wanted = " ".join(answer.split()).casefold()
    for k in known:
        if " ".join(str(k).split()).casefold() == wanted:
            return k
    near = suggest(answer, [str(k) for k in known])
    raise Hint("unknown-name", name=answer, kind=kind,
               suggestion=f" Did you mean {near!r}?" if near else f" {unlisted}" if unlisted else
               f" They are: {', '.join(map(str, known))}.")


def names(answer, known, kind: str, form: str, *, unlisted: str = "") -> list[str]:
    """The answer as a list of names from ``known``: a single name becomes a list of one, and
    names written in one text, separated by commas, a list of them.

    Examples
    --------
    >>> names("cart, checkout", ["Cart", "Checkout"], "touchpoints", "a list")
    ['Cart', 'Checkout']
    """
    if isinstance(answer, str):
        answer = [part for part in answer.split(",") if part.strip()] if "," in answer else [answer]
    if not isinstance(answer, (list, tuple, set, frozenset)):
        raise Hint("format", form=form, got=repr(answer))
    return [name(a, known, kind, form, unlisted=unlisted) for a in answer]


def choice(answer, options: dict[str, tuple[str, ...]], form: str) -> str:
    """The answer as one of the ``options`` keys, each with its accepted spellings.

    Examples
    --------
    >>> choice("No evidence.", {"no evidence": ("no evidence", "can't tell")}, "a word")
    'no evidence'

    One rule for every three-way question: a word that names none of the options on its own
    (:data:`UNCLEAR`: "no", "none"…) is asked again, with the options, never guessed.

    >>> choice("none", {"no evidence": ("no difference",)}, "a word")
    Traceback (most recent call last):
    jmtools.teaching._judge.Hint: format
    """
    if isinstance(answer, str):
        text = " ".join(answer.replace("’", "'").strip().rstrip(".!").split()).casefold()
        for key, spellings in options.items():
            if text == key or text in spellings:
                return key
        if text in UNCLEAR:
            raise Hint("format", form=form, got=f"{answer!r}, which does not say which of them")
    raise Hint("format", form=form, got=repr(answer))


#: Answers to a three-way question that could mean more than one option ("no": smaller, or no
#: evidence?): :func:`choice` asks again instead of guessing.
UNCLEAR = frozenset({"no", "none", "nope", "not", "maybe", "n/a", "nothing", "neither"})


def close(a: float, b: float, tol: float) -> bool:
    """``a`` within ``tol`` of ``b`` (absolute), NaN never close."""
    return not (math.isnan(a) or math.isnan(b)) and abs(a - b) <= tol


def pct(x: float, digits: int = 1) -> str:
    """A share as a percentage for hints: ``pct(0.2539) == '25.4 %'``."""
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{digits}f} %"


def fmt(x: float, digits: int = 2) -> str:
    """A number for hints: ``fmt(1.23456) == '1.23'``, integers without decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.{digits}f}"


def interval_text(low: float, high: float, *, as_pct: bool = False) -> str:
    """``'0.71 to 0.78'`` (or in percent)."""
    f = pct if as_pct else fmt
    return f"{f(low)} to {f(high)}"
