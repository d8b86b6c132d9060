"""What a checked answer says back: a hint that names the misconception, or why it matters.

A :class:`Feedback` is what :func:`jmtools.teaching.check` returns. It shows itself in a
notebook (HTML, or plain text under papermill and in a terminal) and carries the facts as
attributes, so tests and facilitators can read them: ``ok``, ``code`` (the misconception the
hint addresses, :data:`HINTS`) and ``message``.

The hints point at the *mistake*, never at the answer: "you counted customers who did both
steps, in any order — a funnel is ordered", not "the answer is 222".
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass

from jmtools.core.errors import JmtoolsError

__all__ = ["Feedback", "HINTS", "hint", "right", "CheckFailed", "STRICT_ENV", "strict_from_env"]

#: The environment variable that makes every ``lesson.check`` raise :class:`CheckFailed` on an
#: answer that is not right (``1``, ``true``, ``yes`` or ``on``): for unattended runs, where a
#: papermill exit code must say whether every check passed.
STRICT_ENV = "JMTOOLS_TEACHING_STRICT"

#: Misconception code → (short name, hint text). ``{…}`` fields are filled with the facts of
#: the answer checked (numbers from the data, names of the world). FACILITATOR.md lists them.
HINTS: dict[str, tuple[str, str]] = {
    "unanswered": (
        "not answered yet",
        "Replace the `...` with your answer ({form}) and run the cell again."),
    "format": (
        "answer format",
        "The answer should be {form}; got {got}."),
    "not-available": (
        "not available on this data",
        "This exercise needs {needs}, which this data folder (or the persona you follow) does not "
        "have. Skip it, follow another persona, or run the "
        "notebook on a sample world that has them (data_dir = \"sample:ecommerce\")."),
    "empty-selection": (
        "an empty selection",
        "Your answer is {why}. Loosen the filter (a persona, a step, n >= min_n…) or read the "
        "table before selecting from it."),
    "unknown-name": (
        "a name the data does not know",
        "{name!r} is not one of the {kind} of this world.{suggestion}"),
    "unordered-funnel": (
        "steps counted in any order",
        "You counted the customers who did both steps, in any order. A funnel is ordered: a "
        "customer counts at a step only if it came after the previous step, in time. Count with "
        "funnels.funnel(evidence, steps=[first, second], level=...), which keeps that order."),
    "next-only": (
        "only the very next step",
        "You counted the customers who went straight from one to the other. The question asks "
        "for the second step at any time after the first, as a funnel counts it."),
    "small-group": (
        "a group too small to compare",
        "That value rests on n = {n} — fewer than {min_n}. With so few customers one or two "
        "people swing it: its 95% interval runs from {low} to {high}. Look at the n column "
        "first and compare only groups with enough customers."),
    "hidden-group": (
        "a group whose numbers are not shown",
        "That group's numbers are not shown: fewer than {m} customers are behind them, or its size "
        "would give a smaller group's back. What cannot be read, or rests on so few customers, "
        "cannot be compared: choose among the groups whose n is shown and large enough."),
    "interval-certainty": (
        "a point estimate read as certain",
        "{facts} The 95% interval ({interval}) includes {value}: the data is consistent with "
        "both. A difference inside the interval can be chance — what can you honestly conclude?"),
    "interval-verdict": (
        "read the verdict from the interval",
        "{facts} Which of the three the data supports is read from the 95% interval of {what}, not "
        "from the two values alone: an interval that includes {value} cannot tell them apart; one "
        "that lies wholly above or wholly below it gives the direction. Find that interval "
        "({where}) and read it that way."),
    "how-sure": (
        "no interval",
        "And how sure are you? A share without its 95% interval reads as certain. Answer {form}."),
    "lexicon-feeling": (
        "a lexicon score read as a feeling",
        "The lexicon score ({score}, on its −1..+1 scale) counts words — {words} — and cannot "
        "hear politeness or sarcasm. It is not the customer's own judgement. What did this customer tell you "
        "directly (the rating, their survey answers)? Read the text, too."),
    "reach-vs-conversion": (
        "reach read as conversion",
        "That is reach: the share of everyone who started that got this far ({value}). "
        "Conversion is the share of those who reached the previous step (n ÷ n_prev). Reach "
        "says how many make it; conversion says where they are lost."),
    "drop-off-vs-conversion": (
        "lost read as went on",
        "That is the share lost (drop-off = 1 − conversion = {value}); the question asks for the "
        "share that went on."),
    "conversion-vs-drop-off": (
        "went on read as lost",
        "That is the share that went on (conversion, {value}); the question asks for the share "
        "lost (1 − conversion), and its interval."),
    "count-vs-share": (
        "the most customers, not the largest share",
        "The step that loses the most customers ({value}) is not always the one that loses the "
        "largest share: a big step can lose many people while keeping most of them. Compare the "
        "drop-off rate (lost ÷ reached the previous step)."),
    "events-vs-customers": (
        "rows counted instead of customers",
        "You counted {what}, not customers. One busy customer leaves many rows; count distinct "
        "customer_id."),
    "journey-order": (
        "stages out of order",
        "The same names, but not in the journey's order. A journey map reads left to right in "
        "the order customers live it; funnels and charts follow that order (journey.stage_names)."),
    "missing-items": (
        "something missing",
        "{count} missing. {nudge}"),
    "extra-items": (
        "one too many",
        "{items} should not be in the list. {nudge}"),
    "everyone-not-persona": (
        "everyone instead of the persona",
        "That is the value for all customers. The question is about {persona} only: keep that "
        "persona's rows (the persona column, or pipeline.run(..., persona=...))."),
    "assumption-not-evidence": (
        "an assumption read as evidence",
        "{what} comes from the journey file — what the team wrote or assumed — not from the "
        "data. Use what the data shows."),
    "no-evidence": (
        "a place with no evidence",
        "There is no evidence at {where} (n = 0): nothing was measured there, so the data "
        "cannot say anything about it."),
    "share-not-count": (
        "a share where a count was asked",
        "The question asks how many customers (a whole number), not what share."),
    "percent": (
        "a percentage where a share was asked",
        "Write shares between 0 and 1: 25 % is 0.25."),
    "rule-error": (
        "a rule the kit cannot read",
        "{error}"),
    "selects-nobody": (
        "a rule that selects nobody",
        "Your rule selects no customer. Look at the values the columns really take "
        "(customers.describe(), customers[column].value_counts())."),
    "monolith": (
        "one persona for everybody",
        "Your rule selects {share} of all customers. A persona is one group among several, "
        "never the whole base: add the conditions that make this persona different."),
    "copied-rule": (
        "the journey file's own rule",
        "That is the journey file's rule for {persona}, exactly as written there, so this check "
        "cannot tell whether you worked it out or copied it. If you copied it: close the file, and "
        "write the rule from the card and the columns' values. If you worked it out yourself "
        "(careful work can land on the same text), well done: write it as you would put it "
        "(another way to write a boundary, or the conditions in the card's order), run the check "
        "again, and tell your teacher which line of the card each condition comes from."),
    "too-broad": (
        "a rule that selects too many",
        "Your rule selects {n}, but only {precision} of them are {persona}'s: at least three "
        "quarters should be. Add a condition the card's demographics suggest."),
    "too-narrow": (
        "a rule that selects too few",
        "Your rule finds {recall} of {persona}'s customers{n}; it should find at least three "
        "quarters of them. {which}"),
    "rice-formula": (
        "a RICE factor missing or misplaced",
        "RICE = reach × impact × confidence ÷ effort (confidence as a fraction: 80 % is 0.8). "
        "Your number is what you get {variant}."),
    "assumed-scores": (
        "ranked by assumed scores",
        "That order follows scores the team typed into the journey file ({by}) — estimates "
        "from a workshop. The question asks for the order by value at stake, computed from the "
        "data: customers affected × lift needed × order value."),
    "lowest-first": (
        "the lowest first",
        "That is the order reversed: put the highest value at stake first."),
    "baseline-period": (
        "the wrong period for a baseline",
        "That is {which}. A baseline is measured before the change: only customers who started "
        "before {split}."),
    "rounded": (
        "bounds rounded too far",
        "Right stage, and close: but a bound lies more than 0.01 from the interval of the share "
        "lost. Give each bound as a share with two decimals (0.71, not 0.7)."),
    "no-lesson": (
        "the first cells have not run",
        "This cell needs the lesson made in the first cells of this notebook, and they have not "
        "run since the notebook was opened or the kernel restarted. Click this cell, choose "
        "Run ▸ Run All Above Selected Cell, then run this cell again."),
    "wrong": (
        "not this one",
        "Not this one. {nudge}"),
}


#: Feedback codes that are neither right nor a mistake: shown in grey, with "…", not ✗.
_NEUTRAL = ("unanswered", "no-lesson", "copied-rule")


@dataclass(frozen=True)
class Feedback:
    """The result of checking one answer.

    Attributes
    ----------
    exercise : str
        The exercise id (``"4.2"``).
    ok : bool
        True when the answer is right (the object is truthy then).
    message : str
        The hint (``ok`` False) or why the answer matters (``ok`` True).
    code : str
        The misconception the hint addresses (a key of :data:`HINTS`); ``""`` when right.
    """

    exercise: str
    ok: bool
    message: str
    code: str = ""

    def __bool__(self) -> bool:
        return self.ok

    @property
    def title(self) -> str:
        """One line: ✓/✗, the exercise and what kind of feedback this is."""
        if self.ok:
            return f"✓ Exercise {self.exercise}: right."
        if self.code == "unanswered":
            return f"… Exercise {self.exercise}: not answered yet."
        if self.code == "no-lesson":
            return f"… Exercise {self.exercise}: run the cells above first."
        if self.code == "copied-rule":
            return f"… Exercise {self.exercise}: that is the journey file's own rule."
        return f"✗ Exercise {self.exercise}: not yet — hint ({HINTS.get(self.code, ('',))[0]})."

    def __str__(self) -> str:
        label = "Why this matters: " if self.ok else ""
        return f"{self.title}\n{label}{self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour, bg = (("#116329", "#dafbe1") if self.ok else
                      ("#57606a", "#f6f8fa") if self.code in _NEUTRAL else
                      ("#7d4e00", "#fff8c5"))
        label = "<b>Why this matters:</b> " if self.ok else ""
        return (f'<div class="jm-feedback" data-ok="{str(self.ok).lower()}" data-code="{self.code}" '
                f'style="border-left:4px solid {colour};background:{bg};padding:8px 12px;'
                f'margin:4px 0;border-radius:4px;font-family:system-ui,sans-serif;line-height:1.45">'
                f'<div style="color:{colour};font-weight:600">{html.escape(self.title)}</div>'
                f'<div>{label}{html.escape(self.message)}</div></div>')


def hint(exercise: str, code: str, **facts) -> Feedback:
    """A not-yet :class:`Feedback` whose message is the hint for ``code``, filled with ``facts``.

    Examples
    --------
    >>> print(hint("4.3", "percent"))
    ✗ Exercise 4.3: not yet — hint (a percentage where a share was asked).
    Write shares between 0 and 1: 25 % is 0.25.
    >>> hint("4.3", "percent").ok, hint("4.3", "percent").code
    (False, 'percent')
    """
    return Feedback(exercise, False, HINTS[code][1].format(**facts), code)


def right(exercise: str, why: str, extra: str = "") -> Feedback:
    """A right :class:`Feedback`: why it matters, after ``extra`` (e.g. what else was accepted).

    Examples
    --------
    >>> bool(right("0.1", "A map reads in the customer's order."))
    True
    """
    return Feedback(exercise, True, " ".join(p.strip() for p in (extra, why) if p and p.strip()))


class CheckFailed(JmtoolsError, AssertionError):
    """Strict mode: a checked answer is not right (the run stops, its exit code says so).

    Raised by :meth:`jmtools.teaching.Lesson.check` with ``strict=True``, or when
    :data:`STRICT_ENV` is set, for every feedback that is not ✓ except ``not-available`` (an
    exercise this data or persona cannot pose is said, not failed). ``feedback`` is the
    :class:`Feedback`.

    Examples
    --------
    >>> err = CheckFailed(hint("4.3", "percent"))
    >>> print(err)
    ✗ Exercise 4.3: not yet — hint (a percentage where a share was asked).
    Write shares between 0 and 1: 25 % is 0.25.
      Fix: correct the answer of 4.3 (strict mode, JMTOOLS_TEACHING_STRICT, stops at the first check that is not right)
    >>> err.feedback.code
    'percent'
    """

    def __init__(self, feedback: Feedback):
        self.feedback = feedback
        super().__init__(f"{feedback}\n  Fix: correct the answer of {feedback.exercise} (strict mode, "
                         f"{STRICT_ENV}, stops at the first check that is not right)")

    def __reduce__(self):
        return (type(self), (self.feedback,))


def strict_from_env() -> bool:
    """Whether :data:`STRICT_ENV` asks for strict checking (``1``, ``true``, ``yes``, ``on``).

    Examples
    --------
    >>> os.environ[STRICT_ENV] = "1"; strict_from_env()
    True
    >>> del os.environ[STRICT_ENV]; strict_from_env()
    False
    """
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}
