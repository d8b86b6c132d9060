"""Plain words and one number format for everything a report reader sees.

Analysis modules name things for analysts (``negative valence``, ``top2box``,
``persona coverage``); a report is read by people who were not in the workshop. This
module holds the glossary that turns the one into the other, and the formats every
section uses: shares are always percentages (``83.8%``, never ``0.838``), emotion is a
signed number on −2..+2 with words for its direction, and every estimate says its
``n`` and 95% interval the same way.

Examples
--------
>>> plain("Budget Ben: negative valence +0.69 (n=113) vs +1.03 other personas (n=1,074)")
'Budget Ben: emotion +0.69 on −2..+2 (n=113) vs +1.03 other personas (n=1,074)'
>>> percent(0.838), feeling(-0.9)
('83.8%', 'customers felt bad here')
"""

from __future__ import annotations

import math
import re
from typing import Any

from jmtools.core.errors import ParameterError
from jmtools.core.vocabulary import share_text

__all__ = ["GLOSSARY", "CAPTIONS", "plain", "percent", "emotion", "feeling", "compared", "interval",
           "coverage_sentence", "caption", "listed", "NOT_SHOWN", "NOT_SHOWN_PROTECTS",
           "not_shown_template", "HIDDEN_CELL", "loss_words", "open_words", "later_words", "reached_words",
           "ids_words", "Unit", "CUSTOMERS", "unit_of", "curve_introduction",
           "CURVE_INTRODUCTIONS", "CURVE_HEADINGS"]

class Unit:
    """What a report's counts count, named once (D253): customers, or with a case column
    (``loading.yaml``: ``events: {case: claim_no, case_name: claim}``, D238) one journey per claim.

    ``one``/``many`` are the sentences' noun ("45 of the 494 claims that had time to go on"),
    ``who`` its relative pronoun, ``heading`` what a table's column or a chart's axis says
    ("journeys (claims)"). With an actor column (D256) the journey is an account's: "accounts".
    ``per_case`` says whether a journey is other than one customer's, a case column's (D238) or an
    account's with its users as actors (D256): it is given, never read from the noun, so a case named
    "customer" still counts per case (D260).

    Examples
    --------
    >>> CUSTOMERS.of(1), CUSTOMERS.of(1200), CUSTOMERS.who, CUSTOMERS.per_case
    ('1 customer', '1,200 customers', 'who', False)
    >>> claims = Unit("claim", "claims", heading="journeys (claims)", per_case=True)
    >>> claims.of(42), claims.who, claims.heading
    ('42 claims', 'that', 'journeys (claims)')
    >>> Unit("customer", "customers", per_case=True).per_case, Unit("account", "accounts").per_case
    (True, False)
    """

    __slots__ = ("one", "many", "heading", "per_case")

    def __init__(self, one: str = "customer", many: str = "customers", *, heading: str | None = None,
                 per_case: bool = False) -> None:
        self.one, self.many = one, many
        self.heading = heading or many
        self.per_case = bool(per_case)

    @property
    def who(self) -> str:
        """``who`` for customers, ``that`` for claims, orders, admissions."""
        return "that" if self.per_case else "who"

    @property
    def everyone(self) -> str:
        """How a report names all of them: ``"all customers"``, ``"all accounts"`` (D262)."""
        return f"all {self.many}"

    def of(self, n: Any) -> str:
        """``n`` with the noun: ``"1 claim"``, ``"1,200 claims"``."""
        return f"{int(n):,} {self.one if int(n) == 1 else self.many}"

    def __repr__(self) -> str:
        return f"Unit({self.one!r}, {self.many!r}{', per_case=True' if self.per_case else ''})"


#: The unit of a report without a case column: every sentence counts customers.
CUSTOMERS = Unit()


def unit_of(findings: Any) -> Unit:
    """The unit of ``findings``' counts: :data:`CUSTOMERS`, or per case its ``Findings.cases``'
    name ("claim", "claims"; tables and axes "journeys (claims)"), per case whatever the name, or
    with an actor column the journey's name from ``Findings.actors`` ("account", "accounts", D256).

    Examples
    --------
    >>> unit_of(object()) is CUSTOMERS
    True
    """
    cases = getattr(findings, "cases", None)
    if cases is not None:
        return Unit(cases.name, cases.plural, heading=cases.unit, per_case=True)
    actors = getattr(findings, "actors", None)                       # the account's journey (D256)
    return CUSTOMERS if actors is None else Unit(actors.journey_name, actors.journeys, per_case=True)


#: Analyst term → the words a report uses for it (also shown in the report's glossary notes).
GLOSSARY = {
    "negative valence": "emotion",
    "valence": "emotion",
    "top-2-box": "share of 4–5",
    "top2box": "share of 4–5",
    "low effort": "share of low effort",
    "drop-off": "drop-off",
    "one persona": "match exactly one persona",
    "no persona": "match no persona",
    "several personas": "match several personas",
    "at least one persona": "match at least one persona",
    "not in customer table": "are missing from the customer table",
}

_SIGNED = r"[+\-−]?\d+(?:\.\d+)?"
_RULES = [
    # "negative valence +0.69" names a mean emotion, not a negative number: say so.
    (re.compile(rf"\bnegative valence ({_SIGNED})"), r"emotion \1 on −2..+2"),
    (re.compile(r"(?<![\w.])-(?=\d)"), "−"),
    (re.compile(r"\bNegative valence\b"), "Customers felt worse"),
    (re.compile(r"\bnegative valence\b"), "customers felt worse"),
    (re.compile(r"\bvalence\b"), "emotion"),
    (re.compile(r"\bCSAT top-2-box\b"), "CSAT, share of 4–5"),
    (re.compile(r"\bCES low effort\b"), "CES, share of low effort"),
]


def plain(text: Any) -> str:
    """Reword analyst terms in a sentence (evidence, titles) for readers; numbers are kept.

    Examples
    --------
    >>> plain("Negative valence, complaints at post-purchase")
    'Customers felt worse, complaints at post-purchase'
    >>> plain("CES low effort 4%")
    'CES, share of low effort 4%'
    """
    out = str(text)
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    return out


def _missing(value) -> bool:
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or value != value
    except (TypeError, ValueError):
        return True


def percent(share: Any, *, digits: int = 1, signed: bool = False) -> str:
    """A share (0..1) as a percentage: the only way a report shows a share.

    Examples
    --------
    >>> percent(0.25), percent(None), percent(0.05, signed=True, digits=0), percent(0.0004)
    ('25.0%', '–', '+5%', '<0.1%')
    """
    if _missing(share):
        return "–"
    text = (f"{float(share) * 100:+.{digits}f}%" if signed      # a change: a true 0 stays "+0.0%"
            else share_text(float(share), digits=digits))        # never a false 0.0% or 100.0%
    return text.replace("-", "−")


def emotion(value: Any) -> str:
    """An emotion score on −2..+2, signed with a true minus.

    Examples
    --------
    >>> emotion(-0.456), emotion(1)
    ('−0.46', '+1.00')
    """
    return "–" if _missing(value) else f"{float(value):+.2f}".replace("-", "−")


def feeling(value: Any) -> str:
    """What an emotion score means in words (for headline sentences; no jargon).

    Examples
    --------
    >>> [feeling(v) for v in (-1.2, -0.3, 0.1, 0.8)]
    ['customers felt bad here', 'customers felt slightly bad here', 'customers felt neutral here', 'customers felt good here']
    """
    if _missing(value):
        return "no measure of how customers felt"
    v = float(value)
    word = ("bad" if v <= -0.5 else "slightly bad" if v < -0.15 else "neutral" if v <= 0.15
            else "slightly good" if v < 0.5 else "good")
    return f"customers felt {word} here"


def compared(mine: Any, other: Any, *, kind: str = "share", who: str = "all customers") -> str:
    """How a figure compares with the same figure for another group, in words.

    ``kind`` is ``"share"`` (percentage points), ``"emotion"`` (points on −2..+2) or
    ``"friction"`` (the same scale measured from behaviour only: more or less friction, never a
    feeling).

    Examples
    --------
    >>> compared(0.75, 0.5)
    'all customers 50.0% (+25.0 points)'
    >>> compared(-0.9, -0.2, kind="emotion")
    'all customers −0.20 (these customers felt worse)'
    >>> compared(-0.9, -0.2, kind="friction")
    'all customers −0.20 (more friction)'
    """
    if _missing(mine) or _missing(other):
        return ""
    if kind in ("emotion", "friction"):
        diff = float(mine) - float(other)
        if kind == "friction":          # behaviour can only pull the curve down: friction, not feeling
            how = "more friction" if diff < -0.05 else "less friction" if diff > 0.05 else "about the same friction"
            return f"{who} {emotion(other)} ({how})"
        how = "worse" if diff < -0.05 else "better" if diff > 0.05 else "about the same"
        return f"{who} {emotion(other)} (these customers felt {how})"
    diff = (float(mine) - float(other)) * 100
    return f"{who} {percent(other)} ({diff:+.1f} points)".replace("-", "−")


def interval(low: Any, high: Any, *, n: Any = None, kind: str = "share") -> str:
    """``95% CI a–b, n=…`` in the format of ``kind`` (``"share"`` or ``"emotion"``).

    Examples
    --------
    >>> interval(0.2, 0.3, n=400), interval(-1.1, -0.8, n=151, kind="emotion")
    ('95% CI 20.0%–30.0%, n=400', '95% CI −1.10 to −0.80, n=151')
    """
    parts = []
    if not (_missing(low) or _missing(high)):
        parts.append(f"95% CI {percent(low)}–{percent(high)}" if kind == "share"
                     else f"95% CI {emotion(low)} to {emotion(high)}")
    if not _missing(n):
        parts.append(f"n={int(n):,}")
    return ", ".join(parts)


def coverage_sentence(coverage, total: int, min_group: int = 5, *, unit: Unit = CUSTOMERS) -> str:
    """The persona coverage of the customers with events, said plainly.

    ``coverage`` has columns ``coverage, n`` (:attr:`jmtools.evidence.Evidence.coverage`),
    possibly through :func:`~jmtools.pipeline.disclosed_shares`: a row of 1 to
    ``min_group − 1`` customers says "fewer than 5", and a row hidden so that the total does
    not reveal it says "the rest", without numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"coverage": ["one persona", "no persona"], "n": [3899, 101]})
    >>> coverage_sentence(c, 4000)
    'Of the 4,000 customers with events, 3,899 (97.5%) match exactly one persona and 101 (2.5%) match no persona.'
    >>> c = pd.DataFrame({"coverage": ["one persona", "no persona", "several personas"],
    ...                   "n": [3899, None, None], "suppressed": [False, True, True]})
    >>> c.attrs["few_rows"] = [2]
    >>> coverage_sentence(c, 4000)  # doctest: +NORMALIZE_WHITESPACE
    'Of the 4,000 customers with events, 3,899 (97.5%) match exactly one persona; the rest match no persona
    and fewer than 5 match several personas (not shown, so that no group of fewer than 5 customers can be
    picked out).'
    >>> c = pd.DataFrame({"coverage": ["one persona", "no persona", "several personas"],
    ...                   "n": [None, None, 6], "suppressed": [True, True, False]})
    >>> coverage_sentence(c, 4000)  # doctest: +NORMALIZE_WHITESPACE
    'Of the 4,000 customers with events, 6 (0.1%) match several personas; the rest match exactly one persona
    or no persona (not shown, so that no group of fewer than 5 customers can be picked out).'
    """
    hidden = coverage["suppressed"].to_numpy(bool) if "suppressed" in coverage else [False] * len(coverage)
    few = set(coverage.attrs.get("few_rows", []))
    parts, quiet, rest = [], [], []
    for i, (r, hide) in enumerate(zip(coverage.itertuples(), hidden)):
        words = GLOSSARY.get(r.coverage, r.coverage)
        if hide and i in few:
            quiet.append(f"fewer than {min_group} {words}")
        elif hide:
            rest.append(words if not rest else words.removeprefix("match "))
        elif r.n:
            parts.append(f"{int(r.n):,} ({percent(r.n / total if total else None)}) {words}")
    if rest:                                  # rows hidden together: one "the rest", not a count each
        quiet.insert(0, "the rest " + " or ".join(rest))
    whom = f"Of the {unit.of(total)} with events" if total != 1 else f"Of the 1 {unit.one} with events"  # D195
    said = f"{whom}, {listed(parts)}" if parts else whom
    if not quiet:
        return said + "."
    return (f"{said}{';' if parts else ','} {listed(quiet)} (not shown, so that no group of fewer than "
            f"{min_group} {unit.many} can be picked out).")


_MAP_ROWS = ("Columns: stages in journey order; rows: what customers do, think and feel, and what the "
             "company does. The badge before each item says its evidence (key above the map).")
_MAP_EMOTION = "Emotion lane: solid line measured from data, dashed line assumed in the workshop."

#: What position, length, colour and shape mean in each chart of a report: one short caption
#: printed once beside the chart (it replaces the chart's own subtitle in reports).
CAPTIONS = {
    "funnel": "Bar length: share of the customers who started the journey that reached each stage "
              "(n beside the bar). Thin black line: 95% interval.",
    "funnel_compared": "Bar length: share of the customers who started the journey that reached each "
                       "stage (n beside the bar). Dark bars: these customers; light bars: all customers. "
                       "Thin black line: 95% interval.",
    "emotion_curve": "Height: how customers felt at each stage, from −2 (very bad) to +2 (very good). "
                     "Solid line: measured, with its 95% interval shaded; dashed line: assumed in the "
                     "workshop. Dot area: how many customers it rests on; a hollow dot rests on too few. "
                     "Red rings: moments of truth.",
    "emotion_behaviour": "Measured from behaviour only: per customer and stage, 0 for a smooth visit, −1 "
                         "for each of leaving the journey there, an error, repeated contacts. Height: the "
                         "mean, −2 to 0, with its 95% interval shaded; dot area: customers; dashed line: "
                         "assumed in the workshop. Red rings: moments of truth.",
    "emotion_panels": "One small chart per persona: its curve in colour over all customers' curve in grey. "
                      "Height: how customers felt, −2 (very bad) to +2 (very good); shaded band: 95% "
                      "interval; dashed: assumed in the workshop.",
    "emotion_panels_behaviour": "One small chart per persona: its curve in colour over all customers' curve in "
                                "grey. Measured from behaviour only: height is friction in what customers "
                                "did, 0 for a smooth visit down to −2, not how they felt; shaded band: 95% "
                                "interval; dashed: assumed in the workshop.",
    "assumed_curve": "Height: how the workshop assumed customers feel at each stage, −2 (very bad) to +2 "
                     "(very good). Dashed, because nothing in this data measures it.",
    "pain_points": "Bar length: the priority score that ranks the list, so #1 is the longest. Colour: the "
                   "evidence (measured or reported). Beside each bar: its score; the customers who met it are in the table. A hollow circle "
                   "without a bar has no score from the data: assumed, or reported where no measured signal "
                   "is worse; the words beside it say which.",
    # the note under a pain point table whose evidence says "typical wait" (D235)
    "typical_wait": "A typical wait is the geometric mean of the customers' waits: an average taken on a log "
                    "scale, so that a few very long waits do not pull it up. It is usually shorter than the "
                    "plain average.",
    "backlog": "Position: effort across, impact up, so quick wins sit top left. Circle area: order value "
               "at stake. Colour: quadrant. #n: the opportunity's rank in the table below. Circles with the "
               "same impact and effort are drawn a little apart, each with its #n.",
    "journey_map": _MAP_ROWS + " " + _MAP_EMOTION,
    # a printed part of the map says only what its lanes need (jmtools.report.mappages.map_caption)
    "journey_map_rows": _MAP_ROWS,
    "journey_map_emotion": _MAP_EMOTION,
    "journey_map_emotion_behaviour": "Emotion lane: solid line friction measured from behaviour only (0 where "
                                     "none was seen, down to −2), not a feeling; dashed line the feeling "
                                     "assumed in the workshop.",
    "journey_map_company": "A dashed outline marks a touchpoint the company starts (initiated_by: company), "
                           "not the customer.",
    "journey_map_pains": "Pain-point lane: the pain points ranked in \u201cWhere it hurts\u201d (#1 first), each "
                         "with the evidence found for it there.",
    "comparison": "Dot: the change from before to after; line: its 95% interval; dashed line: no change. "
                  "Colour: the verdict (a real improvement, a real worsening, or could be chance).",
    "kpi_trend": "Dots: the figure in each report run, in run order. Grey line: the average of the shaded "
                 "baseline runs; dashed lines: the limits normal variation stays within. A red dot is a "
                 "signal: a change bigger than chance.",
}


#: What the report's emotion section opens with, by what its curve is measured from (D200): a
#: behaviour-only curve is friction (0 to −2), never a feeling (D194); otherwise the −2..+2 scale.
CURVE_INTRODUCTIONS = {
    "feeling": "The emotion curve puts survey scores and feedback text on one scale from −2 (very negative) to "
               "+2 (very positive),\naveraged per customer and stage. The dashed line is what the team assumed "
               "in the workshop; hollow points rest on\nfew customers.",
    "behaviour": "Nothing here measured how customers feel at a stage: the curve is friction in what customers "
                 "did, on a scale from 0 (no friction seen) to −2 (most friction), averaged per customer and "
                 "stage. The dashed line is the feeling the team assumed in the workshop; hollow points rest "
                 "on few customers.",
}

#: :data:`CURVE_INTRODUCTIONS` for a world counted per case (D253): ``{one}``/``{many}`` name the unit.
_COUNTED_INTRODUCTIONS = {
    "feeling": "The emotion curve puts survey scores and feedback text on one scale from −2 (very negative) to "
               "+2 (very positive),\naveraged per {one} and stage (each answer counts for the {one} the customer "
               "was in). The dashed line is what the team assumed in the workshop; hollow points rest on\nfew {many}.",
    "behaviour": "Nothing here measured how customers feel at a stage: the curve is friction in what customers "
                 "did, on a scale from 0 (no friction seen) to −2 (most friction), averaged per {one} and "
                 "stage. The dashed line is the feeling the team assumed in the workshop; hollow points rest "
                 "on few {many}.",
}


def curve_introduction(said: str, *, unit: Unit = CUSTOMERS) -> str:
    """The curve section's introduction (:data:`CURVE_INTRODUCTIONS`), averaged per ``unit``:
    per claim when the world counts per case (D253).

    Examples
    --------
    >>> curve_introduction("feeling") == CURVE_INTRODUCTIONS["feeling"]
    True
    >>> "averaged per claim and stage" in curve_introduction("feeling", unit=Unit("claim", "claims", per_case=True))
    True
    """
    if not unit.per_case:
        return CURVE_INTRODUCTIONS[said]
    return _COUNTED_INTRODUCTIONS[said].format(one=unit.one, many=unit.many)


#: The curve section's heading, printed by the section above its introduction (D210): the first,
#: or the second where the curve is friction from behaviour alone (D207).
CURVE_HEADINGS = {
    "feeling": "How customers feel along the way",
    "behaviour": "Where customers meet friction along the way",
}


#: The captions of charts whose bars count journeys, for a world counted per case (D253):
#: ``{many}`` is the unit's plural (:class:`Unit`).
_COUNTED_CAPTIONS = {
    "funnel": "Bar length: of the {many} that started the journey, the share that reached each stage "
              "(n beside the bar). Thin black line: 95% interval.",
    "funnel_compared": "Bar length: of the {many} that started the journey, the share that reached each "
                       "stage (n beside the bar). Dark bars: these {many}; light bars: all {many}. "
                       "Thin black line: 95% interval.",
    "emotion_curve": "Height: how customers felt at each stage, from −2 (very bad) to +2 (very good). "
                     "Solid line: measured, with its 95% interval shaded; dashed line: assumed in the "
                     "workshop. Dot area: how many {many} it rests on; a hollow dot rests on too few. "
                     "Red rings: moments of truth.",
    "emotion_behaviour": "Measured from behaviour only: per {one} and stage, 0 for a smooth visit, −1 "
                         "for each of leaving the journey there, an error, repeated contacts. Height: the "
                         "mean, −2 to 0, with its 95% interval shaded; dot area: {many}; dashed line: "
                         "assumed in the workshop. Red rings: moments of truth.",
}


def caption(key: str, *, unit: Unit = CUSTOMERS) -> str:
    """The caption that explains the encoding of the report chart ``key`` (see :data:`CAPTIONS`);
    a funnel's names ``unit`` when it counts claims (D253).

    Examples
    --------
    >>> caption("backlog").split(".")[0]
    'Position: effort across, impact up, so quick wins sit top left'
    >>> caption("funnel", unit=Unit("claim", "claims", per_case=True)).split(" (")[0]
    'Bar length: of the claims that started the journey, the share that reached each stage'
    """
    if key not in CAPTIONS:
        raise ParameterError("key", key, expected=sorted(CAPTIONS))
    if unit.per_case and key in _COUNTED_CAPTIONS:
        return _COUNTED_CAPTIONS[key].format(one=unit.one, many=unit.many)
    return CAPTIONS[key]


def listed(items, last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c`` (``last`` is "and" or "or").

    Examples
    --------
    >>> listed(["#2"]), listed(["#2", "#3"]), listed(["a", "b", "c"], "or")
    ('#2', '#2 and #3', 'a, b or c')
    """
    items = list(items)
    return f" {last} ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + f" {last} " + items[-1]


#: The Markdown template a report shows in place of the numbers of a focus of 1–4 customers
#: (``md(NOT_SHOWN, who=..., what="its funnel is", m=5)``; the values are escaped by ``md``).
NOT_SHOWN = ("> **{who}: fewer than {m} customers — {what} not shown.** No group of fewer than {m} "
             "customers is shown, so that no one of them can be picked out; the report for all "
             "customers has these numbers for everyone.")
#: The same for a persona whose size is hidden to protect a smaller one's (``Findings.focus_protects``).
NOT_SHOWN_PROTECTS = ("> **{who}: {what} not shown.** Its size would give back, with the report for all "
                      "customers, the size of a persona of fewer than {m} customers, and no group of fewer "
                      "than {m} customers is shown, so that no one of them can be picked out.")


def not_shown_template(protects: bool, *, hidden: str = "customers", everyone: str = "all customers") -> str:
    """:data:`NOT_SHOWN`, or :data:`NOT_SHOWN_PROTECTS` for a persona that protects a smaller one; ``hidden``
    names what a group has fewer than 5 of (accounts; customers per case) and ``everyone`` the report for all (D262).

    Examples
    --------
    >>> not_shown_template(True).startswith("> **{who}: {what} not shown.**")
    True
    >>> not_shown_template(False, hidden="accounts", everyone="all accounts").count("accounts")
    3
    """
    text = NOT_SHOWN_PROTECTS if protects else NOT_SHOWN
    return (text.replace("report for all customers", f"report for {everyone}")
            .replace("{m} customers", "{m} " + hidden))


#: What a table cell shows in place of a number the disclosure rule hides (its note says why).
HIDDEN_CELL = "not shown"


def loss_words(loss: dict, min_group: int = 5, *, ci: str = "", unit: Unit = CUSTOMERS) -> str:
    """How many of those at a step do not go on (:attr:`Findings.biggest_loss`), in words.

    A step reached by 1 to ``min_group − 1`` customers (``hidden``) says so, without its count.

    Examples
    --------
    >>> loss_words({"drop_off": 18, "n_prev": 20, "drop_off_rate": 0.9, "hidden": False})
    '18 of 20 customers (90.0%) do not go on'
    >>> loss_words({"drop_off": None, "n_prev": 20, "drop_off_rate": 0.8, "hidden": True})
    'fewer than 5 of 20 customers go on (so at least 80.0% do not)'

    Where customers still open at the data's end are left out (``all``, D221), both counts:

    >>> loss_words({"drop_off": 20, "n_prev": 140, "drop_off_rate": 20 / 140, "hidden": False, "open": 18,
    ...             "all": {"drop_off": 38, "n_prev": 188, "drop_off_rate": 38 / 188}}, ci="95% CI 9.4%–21.0%")
    "20 of the 140 customers who had time to go on (14.3%; 95% CI 9.4%–21.0%) do not; counting the 18 still open at the data's end as lost, 38 of 188 (20.2%)"

    ``ci``: the share's interval as the headline gives it (:func:`jmtools.report.headline.loss_interval`,
    D225); this module computes none (the report command starts without pandas). ``unit``: what the
    funnel counts (:func:`unit_of`; claims per case, D253):

    >>> loss_words({"drop_off": 18, "n_prev": 20, "drop_off_rate": 0.9, "hidden": False,
    ...             "open": 2, "all": {"drop_off": 20, "n_prev": 22, "drop_off_rate": 20 / 22}},
    ...            unit=Unit("claim", "claims", per_case=True)).split(" (")[0]
    '18 of the 20 claims that had time to go on'
    """
    if loss.get("hidden"):
        return (f"fewer than {min_group} of {unit.of(loss['n_prev'])} go on (so at least "
                f"{percent((loss['n_prev'] - min_group + 1) / loss['n_prev'])} do not)")
    share = f"({percent(loss['drop_off_rate'])}{'; ' + ci if ci else ''})"
    if loss.get("all"):
        return (f"{loss['drop_off']:,} of the {unit.of(loss['n_prev'])} {unit.who} had time to go on "
                f"{share} do not; {open_words(loss)}")
    return f"{loss['drop_off']:,} of {unit.of(loss['n_prev'])} {share} do not go on"


def open_words(loss: dict) -> str:
    """What the funnel says of a loss whose customers still open are left out (``loss["all"]``):
    "counting the 181 still open at the data's end as lost, 381 of 1,885 (20.2%)" (D221).

    Examples
    --------
    >>> open_words({"open": 181, "all": {"drop_off": 381, "n_prev": 1885, "drop_off_rate": 381 / 1885}})
    "counting the 181 still open at the data's end as lost, 381 of 1,885 (20.2%)"
    """
    every = loss["all"]
    return (f"counting the {loss['open']:,} still open at the data's end as lost, {every['drop_off']:,} of "
            f"{every['n_prev']:,} ({percent(every['drop_off_rate'])})")


def later_words(later: str, touchpoints, min_group: int = 5, *, unit: Unit = CUSTOMERS) -> str:
    """Where customers a funnel loses at a step go on all the same, and what they did there
    (:attr:`Findings.skipped`: ``later`` and ``later_touchpoints``), so that a reader can judge
    whether it is a step forward (D222): a missed appointment is none.

    Counts of 1 to ``min_group − 1`` are said "fewer than …"; the others in ``unit`` (D262).

    Examples
    --------
    >>> later_words("Stage 3", [("DNA", 185), ("Attended (repeat)", 3)])
    'most of them Stage 3 — DNA: 185 customers; Attended (repeat): fewer than 5'
    >>> later_words("Renew", [])
    'most of them Renew'
    """
    said = "; ".join(f"{name}: " + (f"fewer than {min_group}" if 0 < n < min_group else unit.of(n))
                     for name, n in list(touchpoints or [])[:2])
    return f"most of them {later}" + (f" — {said}" if said else "")


def reached_words(reached: dict, min_group: int = 5, *, unit: Unit = CUSTOMERS) -> tuple[str, str]:
    """The value and note of the "reached the last stage" card (:attr:`Findings.reached_last`),
    counted in ``unit`` (accounts, claims: D262).

    Examples
    --------
    >>> reached_words({"share": 0.5, "ci": (0.3, 0.7), "started": 20, "hidden": False})
    ('50.0%', '95% CI 30.0%–70.0%, n=20')
    >>> reached_words({"share": None, "ci": None, "started": 20, "hidden": True})
    ('fewer than 5', 'of 20 customers: not shown, so that no one of them can be picked out')
    >>> reached_words({"share": None, "ci": None, "started": None, "hidden": True, "protects": True})[0]
    'hidden'
    """
    if reached.get("protects"):
        return "hidden", f"not shown: with the funnel for all {unit.many} it would give a smaller group's count back"
    if reached.get("hidden"):
        return (f"fewer than {min_group}",
                f"of {unit.of(reached['started'])}: not shown, so that no one of them can be picked out")
    low, high = reached["ci"] or (None, None)
    return percent(reached["share"]), f"95% CI {percent(low)}–{percent(high)}, n={reached['started']:,}"


def ids_words(ids, *, persona: str | None = None) -> str:
    """What a report says when most customers with events are not in the customer table
    (:attr:`Findings.ids_apart <jmtools.pipeline.Findings.ids_apart>`, D145, D154): how many
    are, how the ids seem to differ, what that does to the personas, and the fix. No id is
    quoted (reports pseudonymise them; ``jmtools validate --data`` shows example pairs).

    Parameters
    ----------
    ids : jmtools.sources.IdOverlap
    persona : str, optional
        The report's persona: then it is said that its rule is not the cause.

    Examples
    --------
    >>> from jmtools.sources import id_overlap
    >>> print(ids_words(id_overlap(["1", "2"], ["C-001", "C-002"])))
    0 of 2 customers with events are in the customer table: the ids seem to be the same, \
written with a prefix or leading zeros around the same number. Until they meet, no persona can \
be told for the 2 customers missing from the customer table. Fix: export both tables with the ids \
written the same way (the same prefix and zeros), or convert one of them before loading.
    >>> print(ids_words(id_overlap(["a1", "b2", "c3"], ["x", "a1"]), persona="Ben"))
    1 of 3 customers with events are in the customer table; the two tables seem to use different \
customer ids. A persona rule reads the customer table, so it cannot select the 2 customers missing \
from it: Ben's size comes from the ids, not from its rule. Fix: export the customer table with \
the ids of the events.
    """
    missing = ids.n - ids.matched
    whom = f"the {missing:,} customer{'' if missing == 1 else 's'} missing from"
    effect = (f"Until they meet, no persona can be told for {whom} the customer table." if persona is None
              else f"A persona rule reads the customer table, so it cannot select {whom} it: "
              f"{persona}'s size comes from the ids, not from its rule.")
    return f"{ids.sentence(quote=False)}. {effect} Fix: {ids.fix}."
