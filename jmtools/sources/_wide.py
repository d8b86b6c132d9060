"""Survey exports with one column per question (Qualtrics, SurveyMonkey, Typeform, Google Forms,
an NPS tool's ``Score`` column): turned into one row per answer, ``metric`` and ``score``, from
the ``metrics`` option (``{"nps": "Q1", "csat": "Q2"}``; used by :mod:`jmtools.sources._duckdb`)."""

from __future__ import annotations

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.sources._read import ROW
from jmtools.sources._values import lit, q

__all__ = ["answers_per_row"]


def answers_per_row(raw, view: str, metrics, label: str, scales) -> tuple[str, str, int]:
    """A view of ``view`` with one row per answer: the columns ``metrics`` names become the
    rows' ``metric`` and ``score`` (a blank answer is no row); the other columns repeat, and so
    does the file line, so that a rejected answer names its respondent's line. Returns the
    view's name and the note that says what was done.

    Raises
    ------
    jmtools.core.errors.ParameterError
        ``metrics`` is not a mapping of metric names to column names.
    jmtools.core.errors.DataError
        A named column is not in the input (with the closest name), a metric has no scale, or
        the input has its own ``metric`` or ``score`` column.
    """
    if not isinstance(metrics, dict) or not metrics or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metrics.items()):
        raise ParameterError("metrics", metrics, expected="a mapping of metric names to the columns that "
                             "hold their answers, e.g. {'nps': 'Q1', 'csat': 'Q2'}")
    cols = [r[0] for r in raw.execute(f"DESCRIBE SELECT * FROM {q(view)}").fetchall() if r[0] != ROW]
    problems = []
    for metric, col in metrics.items():
        if col not in cols:
            near = suggest(col, cols)
            problems.append(Problem(f"metrics names the column {col!r} for {metric}, which the input does "
                                    "not have", source=label, column=col,
                                    fix=(f"did you mean {near!r}? " if near else "") + "the input has "
                                    + ", ".join(map(repr, cols[:12])) + (" …" if len(cols) > 12 else "")))
        if metric.lower() not in (scales or {}):
            problems.append(Problem(f"metrics names {metric!r}, which has no scale", source=label,
                                    fix="use nps, csat or ces, or give its scale with scales= "
                                        f"(e.g. {{{metric!r}: [1, 5]}})"))
    own = [c for c in cols if c.strip().lower() in ("metric", "score") and c not in metrics.values()]
    if own:
        problems.append(Problem(f"the input has its own {', '.join(map(repr, own))} column: it is already "
                                "one row per answer", source=label, fix="leave metrics out, or rename that column"))
    if problems:
        raise DataError(problems, source=label)
    names = list(metrics.values())
    as_text = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in names)
    which = "CASE _jm_col " + " ".join(f"WHEN {lit(c)} THEN {lit(m)}" for m, c in metrics.items()) + " END"
    order = "CASE _jm_col " + " ".join(f"WHEN {lit(c)} THEN {i}" for i, c in enumerate(names)) + " END"
    out = view + "_answers"
    raw.execute(f"CREATE OR REPLACE TEMP VIEW {q(out)} AS SELECT * EXCLUDE (_jm_col), {which} AS metric FROM "
                f"(UNPIVOT (SELECT * REPLACE ({as_text}) FROM {q(view)}) ON {', '.join(q(c) for c in names)} "
                f"INTO NAME _jm_col VALUE score) WHERE NULLIF(TRIM(score), '') IS NOT NULL "
                f"ORDER BY {ROW}, {order}")
    rows, answers = raw.execute(f"SELECT (SELECT count(*) FROM {q(view)}), (SELECT count(*) FROM {q(out)})").fetchone()
    return out, (f"{rows:,} rows of the file read as {answers:,} answers (rows read counts answers): "  # D195
                 "one row per answer, from the columns " + ", ".join(f"{c!r} ({m})" for m, c in metrics.items())
                 + "; a blank answer is no row"), rows
