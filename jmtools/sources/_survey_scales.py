"""Survey answers asked on another scale than the kit's (a CSAT on 1–10): found, or converted.

Without a declaration, a metric whose answers clearly lie on a wider scale (every score a whole
number from 0 to 10, and many of them off the kit's scale) is not scored on the kit's scale from
its in-range tail: every answer of it is rejected, counted and located, with the scale seen and
how to declare it (:func:`other_scales`). ``asked_on: {csat: [1, 10]}`` (in ``loading.yaml``, or
``asked_on=`` of :func:`jmtools.sources.load_surveys`) declares it: the answers are checked on
that scale and converted linearly to the kit's (:func:`converted_scores`), and a note says so.

A metric asked the other way round (a 1–7 "How easy was it?" where 7 is easy, read as CES where 7
is the most effort) is declared with ``reverse: [ces]`` (:func:`reversed_metrics`): its answers
are turned round, ``low + high − score``, before any conversion (:func:`turned_scores`), and a
note says so (:func:`reverse_note`). Undeclared, a CES question whose wording asks about ease
gets a note saying how to declare it (:func:`ease_hint`); it is never turned round unasked (D195).
"""

from __future__ import annotations

import functools
import operator
import re

from jmtools.core.engine import to_pandas
from jmtools.core.errors import ParameterError
from jmtools.core.metrics import SCALES, Scale
from jmtools.sources._values import lit, q

__all__ = ["other_scales", "other_scales_ibis", "other_scale_words", "off_scale_fix", "other_scale_rule",
           "asked_scales", "converted_scores", "conversion_note", "reversed_metrics", "turned_scores",
           "reverse_note", "ease_hint"]

#: Share of a metric's answers off the kit's scale from which the answers are read as another scale.
SHARE_OFF = 0.05


def _fmt(x: float) -> str:
    return f"{x:g}"


def _undeclared(scales: dict) -> dict[str, Scale]:
    """The kit's metrics read on the kit's own scale (none declared by the caller)."""
    return {m: s for m, s in scales.items() if SCALES.get(m) == s}


def _wider(seen: tuple, fractions, s: Scale) -> bool:
    """Whether a metric's answers (``seen``: low, high, off the scale, answers) lie on another
    scale: whole numbers from 0 to 10, at least 5 and :data:`SHARE_OFF` of them off ``s``."""
    low, high, off, n = seen
    return bool(n) and not fractions and low >= 0 and high <= 10 and off >= 5 and off >= SHARE_OFF * n


def other_scales(raw, view: str, mapping: dict, scales: dict) -> dict[str, tuple]:
    """``{metric: (low seen, high seen, answers off the scale, answers)}`` for the kit's metrics
    whose answers lie on another scale (:func:`_wider`), in a DuckDB load; metrics the caller
    declared a scale for are taken as declared."""
    if "metric" not in mapping or "score" not in mapping:
        return {}
    mine = _undeclared(scales)
    if not mine:
        return {}
    score = f"TRY_CAST(REPLACE(TRIM(CAST({q(mapping['score'])} AS VARCHAR)), ',', '.') AS DOUBLE)"
    metric = f"lower(TRIM(CAST({q(mapping['metric'])} AS VARCHAR)))"
    off = " OR ".join(f"({metric} = {lit(m)} AND ({score} < {s.low} OR {score} > {s.high}))"
                      for m, s in mine.items())
    rows = raw.execute(
        f"SELECT {metric} AS m, min({score}), max({score}), count(CASE WHEN {off} THEN 1 END), "
        f"count({score}), count(CASE WHEN {score} <> round({score}) THEN 1 END) FROM {q(view)} "
        f"WHERE {metric} IN ({', '.join(lit(m) for m in mine)}) GROUP BY 1").fetchall()
    return {m: tuple(seen) for m, *seen, fractions in rows if _wider(tuple(seen), fractions, mine[m])}


def other_scales_ibis(table, metric, score, scales: dict) -> dict[str, tuple]:
    """:func:`other_scales` for a table in another engine (Spark): ``metric`` and ``score`` are
    typed columns of ``table`` (metric lower-case, score a number); the same rule, run there."""
    mine = _undeclared(scales)
    if not mine:
        return {}
    t = table.select(m=metric, s=score)
    t = t.filter(t.m.isin(list(mine)))
    off = [(t.m == m) & ((t.s < s.low) | (t.s > s.high)) for m, s in mine.items()]
    seen = to_pandas(t.group_by("m").agg(
        low=t.s.min(), high=t.s.max(), off=functools.reduce(operator.or_, off).ifelse(1, 0).sum(),
        n=t.s.count(), fractions=(t.s != t.s.round()).ifelse(1, 0).sum()))
    return {r.m: (float(r.low), float(r.high), int(r.off), int(r.n)) for r in seen.itertuples()
            if _wider((r.low, r.high, r.off, r.n), r.fractions, mine[r.m])}


def other_scale_words(m: str, seen: tuple, scale: Scale) -> tuple[str, str]:
    """The reason and the fix said of every answer of metric ``m`` seen on another scale."""
    low, high, off, n = seen
    side = f"above {scale.high}" if high > scale.high else f"below {scale.low}"
    reason = (f"{m} answers lie on {_fmt(low)}–{_fmt(high)}, not {scale.low}–{scale.high} "
              f"({off:,} of {n:,} {side}): none scored")
    fix = (f"declare the scale it was asked on: asked_on: {{{m}: [{_fmt(low)}, {_fmt(high)}]}} under "
           f"surveys: in loading.yaml converts the answers to {scale.low}–{scale.high} (the report says "
           f"how); load_surveys(scales={{{m!r}: ({_fmt(low)}, {_fmt(high)})}}) keeps them on "
           f"{_fmt(low)}–{_fmt(high)}")
    return reason, fix


def off_scale_fix(m: str) -> str:
    """The fix said of a single answer off metric ``m``'s scale (in every engine)."""
    return (f"check the scale: if {m} was asked on another, declare it (asked_on: {{{m}: [low, high]}} "
            f"under surveys: in loading.yaml, or scales={{{m!r}: (low, high)}} when loading)")


def other_scale_rule(m: str, seen: tuple, scale: Scale) -> tuple[str, str, str, str, str]:
    """The DuckDB load's check (condition, reason, column, value, fix) that rejects every answer
    of metric ``m`` seen on another scale."""
    reason, fix = other_scale_words(m, seen, scale)
    score = q("score")
    return f"{q('metric')} = {lit(m)} AND {score} IS NOT NULL", reason, "score", f"CAST({score} AS VARCHAR)", fix


def asked_scales(asked_on) -> dict[str, Scale]:
    """``{metric: Scale}`` of ``asked_on`` (``{"csat": [1, 10]}``), checked: a metric of the kit
    other than NPS (defined on 0–10 only), whole-number bounds, low < high.

    Examples
    --------
    >>> asked_scales({"CSAT": [1, 10]})
    {'csat': Scale(name='csat', low=1, high=10, higher_is_better=True)}
    """
    if asked_on is None:
        return {}
    if not isinstance(asked_on, dict):
        raise ParameterError("asked_on", asked_on, expected="a mapping {metric: [low, high]}",
                             fix="e.g. asked_on={'csat': [1, 10]} (asked_on: {csat: [1, 10]} in loading.yaml)")
    out = {}
    for name, bounds in asked_on.items():
        m = str(name).strip().lower()
        if m not in SCALES or m == "nps":
            raise ParameterError(f"asked_on[{name!r}]", name, expected=[x for x in SCALES if x != "nps"],
                                 fix="NPS is defined on 0–10 only; another metric keeps its own scale with "
                                     "load_surveys(scales={name: (low, high)})")
        if not (isinstance(bounds, (list, tuple)) and len(bounds) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in bounds) and bounds[0] < bounds[1]):
            raise ParameterError(f"asked_on[{name!r}]", bounds, expected="[low, high], whole numbers, low < high",
                                 fix=f"e.g. asked_on: {{{m}: [1, 10]}}")
        out[m] = Scale(m, bounds[0], bounds[1], SCALES[m].higher_is_better)
    return out


def converted_scores(table, asked: dict[str, Scale]):
    """``table`` with the scores of each metric in ``asked`` moved linearly onto the kit's scale:
    ``kit.low + (kit.high − kit.low)·(score − low)/(high − low)`` (1–10 → 1–5: 10 is 5, 1 is 1)."""
    import ibis

    score = table.score.cast("float64")
    for m, s in asked.items():
        kit = SCALES[m]
        moved = kit.low + (kit.high - kit.low) * (score - s.low) / (s.high - s.low)
        score = ibis.ifelse(table.metric == m, moved, score)
    return table.mutate(score=score)


def conversion_note(m: str, s: Scale) -> str:
    """What a converted metric's scores mean (the note a report shows where the file was read).

    Examples
    --------
    >>> conversion_note("csat", Scale("csat", 1, 10))
    'CSAT asked on 1–10 (asked_on), converted to 1–5 as 1 + 4·(score − 1)/9: a mean of 4 is 7.75 on 1–10, and the share of 4–5 is the share of answers 8–10'
    """
    kit = SCALES[m]
    span, width = kit.high - kit.low, s.high - s.low

    def back(v):  # a score on the kit's scale, on the asked one
        return s.low + width * (v - kit.low) / span

    if m == "csat":
        top = next(v for v in range(s.low, s.high + 1) if kit.low + span * (v - s.low) / width >= kit.high - 1)
        share = f"the share of {kit.high - 1}–{kit.high} is the share of answers {top}–{s.high}"
    else:
        cut = kit.low + span // 3
        last = max(v for v in range(s.low, s.high + 1) if kit.low + span * (v - s.low) / width <= cut)
        share = f"the share of low effort ({kit.low}–{cut}) is the share of answers {s.low}–{last}"
    return (f"{m.upper()} asked on {s.low}–{s.high} (asked_on), converted to {kit.low}–{kit.high} as "
            f"{kit.low} + {span}·(score − {s.low})/{width}: a mean of {kit.high - 1} is "
            f"{_fmt(round(back(kit.high - 1), 2))} on {s.low}–{s.high}, and {share}")


def reversed_metrics(reverse) -> list[str]:
    """The kit's metrics of ``reverse`` (``["ces"]``), checked: a list of CSAT or CES (NPS is
    defined with 10 as the promoter's answer only), each once.

    Examples
    --------
    >>> reversed_metrics(["CES"])
    ['ces']
    """
    if reverse is None:
        return []
    if not isinstance(reverse, (list, tuple)):
        raise ParameterError("reverse", reverse, expected="a list of metrics, e.g. ['ces']",
                             fix="reverse=['ces'] (reverse: [ces] in loading.yaml) when 7 means the least effort")
    out = []
    for name in reverse:
        m = str(name).strip().lower()
        if m not in SCALES or m == "nps":
            raise ParameterError("reverse", name, expected=[x for x in SCALES if x != "nps"],
                                 fix="NPS is defined with 10 as the most likely to recommend; name csat or ces")
        out += [m] if m not in out else []
    return out


def turned_scores(table, metrics: list[str], asked: dict[str, Scale]):
    """``table`` with the scores of each metric in ``metrics`` turned round on the scale it was
    asked on (``asked``, else the kit's): ``low + high − score`` (on 1–7, 7 is 1 and 2 is 6)."""
    import ibis

    score = table.score.cast("float64")
    for m in metrics:
        s = asked.get(m, SCALES[m])
        score = ibis.ifelse(table.metric == m, s.low + s.high - score, score)
    return table.mutate(score=score)


def reverse_note(m: str, s: Scale) -> str:
    """What a metric turned round means (the note a report shows where the file was read).

    Examples
    --------
    >>> reverse_note("ces", SCALES["ces"])
    'CES asked the other way round (reverse: 7 is the least effort), turned round as 8 − score: an answer of 7 is read as 1, and the share of low effort (1–3) is the share of answers 5–7'
    """
    kit = SCALES[m]
    top = s.low + s.high
    if (s.low, s.high) != (kit.low, kit.high):
        share = f"the conversion to {kit.low}–{kit.high} reads the turned answers"
        meaning = f"{s.high} is the {'least effort' if m == 'ces' else 'least satisfied'}"
    elif m == "ces":
        cut = s.low + (s.high - s.low) // 3     # the kit's low effort, on the scale asked
        share = f"the share of low effort ({kit.low}–{kit.low + (kit.high - kit.low) // 3}) is the share of answers {top - cut}–{s.high}"
        meaning = f"{s.high} is the least effort"
    else:
        share = f"the share of {kit.high - 1}–{kit.high} is the share of answers {s.low}–{top - (s.high - 1)}"
        meaning = f"{s.low} is the most satisfied"
    return (f"{m.upper()} asked the other way round (reverse: {meaning}), turned round as {top} − score: "
            f"an answer of {s.high} is read as {s.low}, and {share}")


#: Words of a question about ease (high = easy), the other way round from effort.
_EASE = re.compile(r"\b(easy|easily|ease|easier|easiest|simple)\b", re.IGNORECASE)


def ease_hint(metrics: dict | None, reverse: list[str]) -> str | None:
    """A note when the column read as CES (``metrics={"ces": column}``) asks about ease and
    ``reverse`` does not name CES: the kit reads CES as effort, the highest answer the most.

    Examples
    --------
    >>> ease_hint({"ces": "How easy was setup? (1-7)"}, [])[:60]
    "CES is read as effort (7 = the most effort), but 'How easy w"
    >>> ease_hint({"ces": "How easy was setup? (1-7)"}, ["ces"]) is None
    True
    """
    column = {str(k).strip().lower(): v for k, v in (metrics or {}).items()}.get("ces")
    if not isinstance(column, str) or "ces" in reverse or not _EASE.search(column):
        return None
    return (f"CES is read as effort (7 = the most effort), but {column!r} asks about ease: if its highest "
            f"answer means the easiest, declare reverse: [ces] under surveys: in loading.yaml "
            f"(load_surveys(reverse=['ces'])) and the answers are turned round")
