"""Rows that hold no data, told apart from broken ones (D213): a survey's non-answers ("Don't
know"), a spreadsheet's blank rows and its totals footer.

Each is counted under its own name and set aside — not a rejection (no fix is owed), not a row
used — so that rows read = used + rejected + not data (:class:`~jmtools.sources.Accounting`).
Used by :mod:`jmtools.sources._duckdb`: :func:`not_data_checks` puts the checks first among a
load's rules, so that a blank row is not also called "missing event".
"""

from __future__ import annotations

from jmtools.sources._read import ROW
from jmtools.sources._values import is_placeholder, lit, q

__all__ = ["NON_ANSWERS", "TOTAL_WORDS", "not_data_checks", "non_answer_list"]

#: Answers that survey tools and standard questionnaires offer for "no answer" — don't know, not
#: sure, no opinion, not applicable, prefer not to say — in English, German, French, Spanish and
#: Dutch, compared lower case with ’ read as '. A survey export writes them in the score column
#: (the NHS Friends and Family Test's "Don't know"); ``non_answers:`` in loading.yaml names more.
NON_ANSWERS = (
    "don't know", "dont know", "do not know", "not sure", "unsure", "can't say", "cannot say",
    "no opinion", "not applicable", "n/a", "na", "n.a.", "prefer not to say", "rather not say",
    "declined", "weiß nicht", "weiss nicht", "keine angabe", "k.a.", "k. a.", "keine meinung",
    "ne sais pas", "je ne sais pas", "sans opinion", "ne se prononce pas", "nsp", "non applicable",
    "no sé", "no se", "ns/nc", "no aplica", "weet niet", "geen mening", "niet van toepassing")

#: What the first cell of a totals footer says (its other cells blank or numbers).
TOTAL_WORDS = ("total", "totals", "grand total", "sum", "summe", "gesamt", "gesamtsumme", "total général")

#: A totals row's other cells: a number, with a unit or one word after it ("39035 events", "12.5 %").
_COUNT = r"[-+]?[0-9][0-9.,' ]*(\s*[%€$£]|\s+\w+)?"

#: A legacy footer in one cell: the total word set about with marks and followed by its count
#: ("*** Summe: 34708 Datensätze", "-- Total: 12 rows --"); compared lower case (D235).
_DECORATED = (r"[^\w]*(" + "|".join(TOTAL_WORDS) + r")\s*[:=]?\s*([-+]?[0-9][0-9.,' ]*(\s*[%€$£]|\s+\S+)?)?[^\w]*")

_NO_ANSWER_FIX = ""       # nothing to fix: a non-answer is an answer option, counted as no answer


def non_answer_list(extra=None) -> tuple[str, ...]:
    """:data:`NON_ANSWERS` and ``extra`` (``non_answers:`` of loading.yaml), as compared.

    Examples
    --------
    >>> non_answer_list(["Unsure (99)", "99"])[-2:]
    ('unsure (99)', '99')
    """
    said = [_folded(str(v)) for v in (extra or ())]
    return tuple(dict.fromkeys([*NON_ANSWERS, *said]))


def _folded(text: str) -> str:
    return " ".join(text.replace("’", "'").strip().lower().split())


def _folded_sql(expr: str) -> str:
    return f"lower(trim(replace(CAST({expr} AS VARCHAR), '’', '''')))"


def not_data_checks(rules, raw, view: str, spec, mapping: dict, opened, non_answers=None) -> None:
    """Put first among ``rules.checks`` the checks of rows that hold no data, and set
    ``rules.skipped`` to how many there are: a rejected row's code below it is a row set aside.

    - surveys: a score that is a non-answer (:func:`non_answer_list`), and a blank score in a row
      that names its metric (a long survey's unanswered question: the wide form's blank cell);
    - a CSV or Excel file: a row whose every cell is blank ("blank row"), and a row whose first
      cell says total (:data:`TOTAL_WORDS`) with every other cell blank or a number, perhaps
      with its unit ("39035 events"): a "totals row"; so is a legacy footer whose first cell
      holds the word set about with marks and its count ("*** Summe: 34708 Datensätze").
    """
    first: list[tuple] = []
    if spec.kind == "surveys" and "score" in mapping:
        words = non_answer_list(non_answers)
        raw_score = q("_t_score")
        said = f"list_contains([{', '.join(map(lit, words))}], {_folded_sql(raw_score)})"
        text = f"NULLIF(TRIM(CAST({raw_score} AS VARCHAR)), '')"
        if "metric" in mapping:     # a long survey's blank score is the wide form's blank answer (D257)
            named = f"NULLIF(TRIM(CAST({q('_t_metric')} AS VARCHAR)), '') IS NOT NULL"
            said = f"({said} OR ({named} AND ({text} IS NULL OR {is_placeholder(text)})))"
        first.append((f"{raw_score} IS NOT NULL AND {said}" if "metric" not in mapping else said,
                      "no answer", "score", f"COALESCE({text}, '(blank)')", _NO_ANSWER_FIX))
    if opened.lines in ("csv", "excel"):
        cols = [r[0] for r in raw.execute(f"DESCRIBE SELECT * FROM {q(view)}").fetchall() if r[0] != ROW]
        cells = [f"NULLIF(TRIM(CAST({q(c)} AS VARCHAR)), '')" for c in cols]
        if cells:
            # every row is read here: the first cell decides alone for nearly all of them (a blank
            # row starts blank, a totals row with a short first cell), and the
            # other cells are read only for the few it lets through (a CASE evaluates a branch
            # only for the rows that reach it)
            lead, longest = cells[0], max(map(len, TOTAL_WORDS))
            rest = " AND ".join(f"{c} IS NULL" for c in cells[1:]) or "TRUE"
            rules.inner.append(f"CASE WHEN {lead} IS NOT NULL THEN false ELSE {rest} END AS _jm_blank")
            rules.inner.append(f"CAST({q(cols[0])} AS VARCHAR) AS _jm_first")
            others = " AND ".join(f"({c} IS NULL OR regexp_full_match({c}, {lit(_COUNT)}))"
                                  for c in cells[1:]) or "TRUE"
            folded = _folded_sql(q(cols[0]))
            rules.inner.append(f"CASE WHEN length(CAST({q(cols[0])} AS VARCHAR)) > {longest + 40} THEN false "
                               f"WHEN list_contains([{', '.join(map(lit, TOTAL_WORDS))}], {folded}) "
                               f"OR regexp_full_match({folded}, {lit(_DECORATED)}) THEN {others} "
                               "ELSE false END AS _jm_total")
            first.append(("_jm_blank", "blank row", None, "''", ""))
            first.append(("_jm_total", "totals row", None, "_jm_first", ""))
    rules.checks[:0] = first
    rules.skipped = len(first)
