"""What the teaching track shows: its tables through the disclosure rule, in notebooks and on paper.

The track's notebooks and printed worksheets show the same numbers, through the rule of the
reports (docs/decisions.md D53, D70, D73): no group of 1–4 customers with its numbers, and no
number of the group whose size step 1 hides so that the total does not give a smaller persona's
away (:func:`~jmtools.pipeline.size_protectors`). That group's funnel starts with its size, so
its whole funnel goes; so do its other rows split by persona (a few shares with their intervals
give their n back). Both call these functions::

    from jmtools.teaching import figure, readable, shown, shown_funnel

    typical = shown(lesson, table, count_col="n")          # a table with a persona column
    funnel = shown_funnel(lesson, lesson.stage_funnel)     # a funnel by persona
    display(readable(funnel))                              # hidden numbers say why, in words
    figure(funnel_chart, funnel[funnel["persona"] == me], about="The funnel")   # or a sentence
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, protecting_rows
from jmtools.core.errors import ParameterError
from jmtools.core.vocabulary import ALL
from jmtools.personas import persona_sizes
from jmtools.pipeline import (disclosed_by_persona, disclosed_coverage, disclosed_persona_rows,
                              disclosed_persona_steps, disclosed_shares, disclosed_steps, funnel_grid_hidden,
                              size_protectors, small_personas, with_fewer)
from jmtools.report.present import md
from jmtools.report.steps import not_shown
from jmtools.report.wording import HIDDEN_CELL

__all__ = ["shown_sizes", "hidden_personas", "shown", "shown_coverage", "shown_funnel", "change_hidden",
           "readable", "figure", "nothing_to_draw"]

#: The column of :func:`shown_funnel` that marks a step reached by 1–4 customers ("fewer than 5").
FEW = "_few"


def shown_sizes(lesson) -> pd.DataFrame | None:
    """The persona sizes of the customer table as step 1 shows them (notebook 01's ``sizes``).

    A persona of 1–4 customers, and the group whose size would give it back, without numbers
    (:func:`~jmtools.pipeline.disclosed_shares`). None without a customer table.

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> bool(shown_sizes(Lesson("sample:b2b"))["suppressed"].any())
    False
    """
    if "customers" not in lesson.world.tables:
        return None
    return disclosed_shares(persona_sizes(lesson.assignment), "n")


def hidden_personas(lesson) -> tuple[set, set]:
    """The personas the track shows without numbers: (those of 1–4 customers, those whose size
    step 1 hides to protect one of them).

    Both read the customer table and the customers with events (the two sizes step 1 shows),
    like a persona's own report (:func:`~jmtools.pipeline.run`). Either set may hold
    ``"(no persona)"``.

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> hidden_personas(Lesson("sample:b2b"))
    (set(), set())
    """
    if "customers" not in lesson.world.tables:
        return set(), set()
    return small_personas(lesson.assignment, lesson.evidence), size_protectors(_sizes(lesson))


def _sizes(lesson) -> list:
    """The two persona sizes of step 1: in the customer table, and with events (none without the table)."""
    if "customers" not in lesson.world.tables:
        return []
    return [persona_sizes(lesson.assignment), lesson.evidence.persona_sizes]


def shown(lesson, frame: pd.DataFrame | None, *, count_col: str | None = None) -> pd.DataFrame | None:
    """A table with a ``persona`` column as the track shows it: the rows of a persona of 1–4
    customers, of 1–4 customers (``count_col``), and of a persona whose size step 1 hides to
    protect a smaller one keep their place, not their numbers.

    :func:`~jmtools.pipeline.disclosed_by_persona` with both sizes of step 1 (customer table and
    with events). A missing persona (customers in no persona, or not in the customer table) is
    hidden when "(no persona)" or "(not in customer table)" is; the ``persona`` column is
    returned as it came (a categorical one stays categorical). A frame already through the rule
    (``disclosed_steps``, ``disclosed_table``) keeps its ``suppressed`` rows and its note.

    Parameters
    ----------
    lesson : jmtools.teaching.Lesson
    frame : pandas.DataFrame or None
        Rows split by persona (typical events, KPIs per touchpoint, survey respondents, detours).
    count_col : str, optional
        The column counting the customers behind a row.

    Returns
    -------
    pandas.DataFrame or None
        A copy with ``suppressed`` (bool) and ``attrs["note"]`` (what was hidden, and why).

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> lesson = Lesson("sample:b2b")
    >>> t = pd.DataFrame({"persona": pd.Categorical(["SMB Owner Sam", None]), "customers": [40, 3]})
    >>> out = shown(lesson, t, count_col="customers")
    >>> out["customers"].tolist(), out["suppressed"].tolist(), out.attrs["note"]
    ([40.0, nan], [False, True], '1 row of fewer than 5 customers is shown without numbers.')
    """
    sizes = _sizes(lesson)
    if not sizes:                                             # no customer table: no persona to hide
        return disclosed_persona_rows(frame, set(), count_col=count_col)
    return disclosed_by_persona(frame, sizes, count_col=count_col)


def shown_coverage(lesson) -> pd.DataFrame | None:
    """Customers with events per persona situation (``Evidence.coverage``: one persona, no persona,
    several, not in the customer table) as step 1 shows the coverage: no row of 1–4 customers, nor
    the count that gives a persona of 1–4 back beside the persona sizes
    (:func:`~jmtools.pipeline.disclosed_coverage`).

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> shown_coverage(Lesson("sample:b2b"))[["coverage", "suppressed"]].values.tolist()[:2]
    [['one persona', False], ['no persona', False]]
    """
    coverage = lesson.evidence.coverage
    if coverage is None:
        return None
    total = coverage.assign(total=int(lesson.evidence.n_customers))    # the share of a pooled row reads it
    return disclosed_coverage(total, sizes=_sizes(lesson) or None)


def shown_funnel(lesson, funnel: pd.DataFrame | None) -> pd.DataFrame | None:
    """A funnel split by persona (or one persona's, or before/after of one) as the track shows it.

    The funnel of a persona of 1–4 customers, and of one whose size step 1 hides to protect a
    smaller one, keeps its steps, not a number (its first step is its size), as a persona's own
    report shows it (:func:`~jmtools.pipeline._disclosed.disclosed_funnel`; :func:`shown`). In
    the others, a step reached by 1–4 customers keeps its place, not its numbers, nor does the
    rate that reads it (:func:`~jmtools.pipeline.disclosed_steps`). The cells of a grid beside a
    total go as the funnel grid hides them (decisions D79, D81): every persona's funnel (stages or
    touchpoints) beside the funnel for all customers, and a persona's periods (before/after)
    beside the persona's own funnel; a step hidden there reads "hidden", not "fewer than 5".

    Returns
    -------
    pandas.DataFrame or None
        A copy with ``suppressed`` (the step's numbers are hidden), ``_few`` (bool: the step's
        count is 1–4, read "fewer than 5" by :func:`readable`; a hidden persona's steps read "not
        shown") and ``attrs["note"]``; ``step_index`` keeps its value.

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> lesson = Lesson("sample:b2b")
    >>> f = pd.DataFrame({"persona": ["SMB Owner Sam"] * 2, "step_index": [1, 2], "step": ["A", "B"],
    ...                   "n": [40, 3], "n_prev": [40, 40], "n_customers": [40, 40],
    ...                   "conversion": [1, 0.075]})
    >>> out = shown_funnel(lesson, f)
    >>> out["n"].tolist(), out["_few"].tolist()
    ([40.0, nan], [False, True])
    """
    if funnel is None:
        return None
    rows = shown(lesson, funnel) if "persona" in funnel else funnel
    protect = _beside_the_total(lesson, funnel)
    steps = disclosed_steps(rows, also=protect)       # a hidden persona's steps: no count left to read
    hidden = steps["suppressed"].to_numpy(bool)
    few = hidden & ~protecting_rows(steps)            # hidden beside a total: "hidden", not "fewer than 5"
    before = rows["suppressed"].to_numpy(bool) if "suppressed" in rows else False
    out = steps.assign(suppressed=hidden | before, **{FEW: few})
    out.attrs["note"] = " ".join(x for x in (steps.attrs["note"], rows.attrs.get("note", "")) if x)
    return out


def _beside_the_total(lesson, funnel: pd.DataFrame):
    """The steps to hide so that a funnel by persona, beside the total it adds up to, gives no small
    group back (D79, D81); None without a ``persona`` column.

    Every persona's funnel (steps 0, 4, 5: stages; step 4: touchpoints along a path) sits beside the
    funnel for all customers, its groups' sum, as a customer is in one persona only (checked: the
    groups hold every customer with events; a selection of personas has no total here). Before/after
    funnels (step 7) sit beside each persona's own funnel: :func:`_periods_beside`."""
    if "persona" not in funnel:
        return None
    if "period" in funnel:
        return _periods_beside(lesson, funnel)
    groups = funnel.groupby("persona", dropna=False, sort=False, observed=True)
    if (funnel.duplicated(["persona", "step_index"]).any() or "n_customers" not in funnel
            or groups["n_customers"].first().sum() != lesson.evidence.n_customers):
        return None
    overall = funnel.groupby("step_index", as_index=False)["n"].sum()
    small, protects = hidden_personas(lesson)
    return protecting_rows(disclosed_persona_steps(funnel, overall, hidden=small | protects))


def _periods_beside(lesson, funnel: pd.DataFrame) -> np.ndarray:
    """Before/after funnels by persona (step 7): per persona, the periods are the cells of a funnel
    grid beside the persona's own funnel, their sum, which steps 4 and 5 show
    (:func:`~jmtools.pipeline.funnel_grid_hidden`). Their sizes (``n_customers``) are a grid beside
    the persona's size: a period whose size is hidden keeps no first step. A stage those steps hide
    beside the funnel for all customers is hidden in both periods (they would add up to it). A
    persona shown without numbers anyway is left to :func:`shown`."""
    small, protects = hidden_personas(lesson)
    stages = shown_funnel(lesson, lesson.stage_funnel)
    gone = (stages["suppressed"] & ~stages[FEW]).to_numpy(bool)
    aside = set(zip(stages["persona"].astype(object)[gone], stages["step"][gone]))
    out = np.zeros(len(funnel), bool)
    for persona, at in funnel.groupby("persona", sort=False, observed=True).indices.items():
        if persona in small | protects:
            continue
        rows = funnel.iloc[at]
        first = (rows["step_index"] == 1).to_numpy()
        already = np.array([(persona, step) in aside for step in rows["step"]], dtype=bool)
        sizes = rows[first].assign(n=rows["n_customers"][first])          # each period's, beside the persona's
        already[first] |= _periods_grid(sizes, np.zeros(len(sizes), bool))
        out[at] = _periods_grid(rows, already)
    return out


def _periods_grid(rows: pd.DataFrame, already: np.ndarray) -> np.ndarray:
    """:func:`~jmtools.pipeline.funnel_grid_hidden` of one persona's periods (``rows``) beside their sum."""
    total = rows.groupby("step_index", as_index=False)["n"].sum()
    grid = pd.concat([total.assign(persona=ALL),
                      rows[["step_index", "n"]].assign(persona=rows["period"].astype(str).to_numpy())],
                     ignore_index=True)
    return funnel_grid_hidden(grid, already=np.r_[np.zeros(len(total), bool), already])[len(total):]


def change_hidden(at_step: pd.DataFrame, persona: str) -> str:
    """Why a before/after change at one step is not shown ("" when it is): ``at_step`` holds the rows
    of that step in a funnel from :func:`shown_funnel`, one per period.

    A count of 1–4 there or at the stage before would come back from the conversions compared, and
    so would a count hidden beside the persona's funnel (its periods add up to it); a persona
    whose size step 1 hides shows no funnel at all (:func:`shown_funnel`).

    Examples
    --------
    >>> at = pd.DataFrame({"step": ["Buy"] * 2, "n": [12.0, None], "n_prev": [40.0, 38.0],
    ...                    "suppressed": [False, True], "_few": [False, True]})
    >>> change_hidden(at, "Ben")  # doctest: +ELLIPSIS
    "Buy: fewer than 5 of Ben's customers in a period, there or at the stage before..."
    >>> change_hidden(at.assign(n=12.0, suppressed=False, _few=False), "Ben")
    ''
    >>> change_hidden(at.assign(n=12.0, n_prev=[40.0, None], suppressed=False, _few=False), "Ben")
    ... # doctest: +ELLIPSIS
    "Buy: a count of Ben's customers in a period, there or at the stage before, is not shown (fewer than 5..."
    """
    if not at_step[["n", "n_prev"]].isna().any(axis=None):
        return ""
    gone = at_step["suppressed"].to_numpy(bool) & ~at_step[FEW].to_numpy(bool)
    if (gone & ~protecting_rows(at_step)).any():
        return (f"{persona}'s funnel is not shown, before or after: it starts with {persona}'s size, which "
                f"step 1 hides (fewer than {MIN_GROUP} customers, or a size that would give a smaller "
                "persona's back).")
    step = at_step["step"].iloc[0]
    if at_step[FEW].any():
        return (f"{step}: fewer than {MIN_GROUP} of {persona}'s customers in a period, there or at the stage "
                "before — the change is not shown (its conversions would give that count away).")
    return (f"{step}: a count of {persona}'s customers in a period, there or at the stage before, is not "
            f"shown (fewer than {MIN_GROUP}, or a count that beside {persona}'s funnel would give a smaller "
            "group's back) — the change is not shown (its conversions would give that count away).")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table from :func:`shown` or :func:`shown_funnel` for reading: every hidden number says
    "not shown", and a funnel step of 1–4 customers "fewer than 5" (its n and conversion).

    Examples
    --------
    >>> f = pd.DataFrame({"step": ["A", "B", "A"], "n": [40.0, None, None], "conversion": [1.0, None, None],
    ...                   "suppressed": [False, True, True], "_few": [False, True, False]})
    >>> readable(f)[["n", "conversion"]].values.tolist()
    [[40.0, 1.0], ['fewer than 5', 'fewer than 5'], ['not shown', 'not shown']]
    """
    out = not_shown(frame.drop(columns=[FEW], errors="ignore"))
    if FEW in frame:
        few = with_fewer(out.assign(suppressed=frame[FEW].to_numpy(bool)))
        out = few.assign(suppressed=frame["suppressed"])
        mine = protecting_rows(frame) & frame["suppressed"].to_numpy(bool)
        out.loc[mine] = out.loc[mine].replace(HIDDEN_CELL, "hidden")     # one word across a protecting row
        out = _previous_hidden(out)
    out.attrs = {**frame.attrs}
    return out


#: The columns of a funnel step that read the step before it (its count, and what is computed from it).
DERIVED = ("n_prev", "conversion", "ci_low", "ci_high", "drop_off", "drop_off_rate")


def _previous_hidden(out: pd.DataFrame) -> pd.DataFrame:
    """A funnel step shown after a hidden one: its ``n_prev`` (the hidden count) and what is
    computed from it (:data:`DERIVED`) say what the hidden step says, not a blank."""
    if not {"step_index", "n", "n_prev"} <= set(out.columns):
        return out
    groups = [c for c in ("persona", "period") if c in out]
    previous = (out.groupby(groups, sort=False, dropna=False, observed=True)["n"].shift(1) if groups
                else out["n"].shift(1))
    words = previous.where(previous.map(lambda v: isinstance(v, str)))
    lost = out["n_prev"].isna() & words.notna() & ~out["suppressed"].to_numpy(bool)
    if not lost.any():
        return out
    out = out.astype({c: object for c in DERIVED if c in out})
    for col in [c for c in DERIVED if c in out]:
        blank = lost & out[col].isna()
        out.loc[blank, col] = words[blank]
    return out


def figure(chart, frame: pd.DataFrame, *, about: str, needs: str | None = None, **options):
    """``chart(frame, **options)`` when the rule left a number in ``frame`` to draw; else a sentence
    (Markdown) saying that ``about`` is not drawn, and why (the frame's note).

    ``needs`` names the column the chart draws (``"conversion"`` for a conversion chart): then a
    number must be left there, past a funnel's first step (its conversion is 1 by definition), or
    the chart would be an empty frame of axes.

    Examples
    --------
    >>> f = pd.DataFrame({"n": [None], "suppressed": [True]})
    >>> f.attrs["note"] = "Its size protects a smaller one."
    >>> figure(print, f, about="The funnel of Thea").data
    'The funnel of Thea is not drawn: Its size protects a smaller one.'
    >>> g = pd.DataFrame({"step_index": [1, 2], "conversion": [1.0, None], "suppressed": [False, False]})
    >>> figure(print, g, about="The conversion chart", needs="conversion").data
    'The conversion chart is not drawn: nothing is left to draw.'
    """
    drawn = frame.drop(columns=[FEW], errors="ignore")
    if not nothing_to_draw(drawn, needs):
        return chart(drawn, **options)
    why = frame.attrs.get("note") or "nothing is left to draw."
    return md("{about} is not drawn: {why}", about=about, why=why)


def nothing_to_draw(frame: pd.DataFrame, needs: str | None = None) -> bool:
    """True when the disclosure rule left ``frame`` no number to draw: every row suppressed, or
    (``needs``) no number in that column of a row shown past a funnel's first step.

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2], "conversion": [1.0, None], "suppressed": [False, False]})
    >>> nothing_to_draw(f), nothing_to_draw(f, "conversion")
    (False, True)
    >>> nothing_to_draw(f, "conversoin")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: needs must be one of ... — got 'conversoin' ...
    """
    if needs is not None and needs not in frame:
        raise ParameterError("needs", needs, expected=[str(c) for c in frame.columns],
                             fix="name the column the chart draws, e.g. needs=\"conversion\"")
    shown = ~frame["suppressed"].to_numpy(bool) if "suppressed" in frame else np.ones(len(frame), bool)
    if needs is not None:
        past = (frame["step_index"] > 1).to_numpy() if "step_index" in frame else True
        shown &= pd.to_numeric(frame[needs], errors="coerce").notna().to_numpy() & past
    return not shown.any()
