"""SQL for single values as exports write them: quoting, blanks and placeholders for no value,
Excel's date numbers, ratings written as stars.

Package-private (D260): the loaders of :mod:`jmtools.sources` share these names (``_duckdb``,
``_money``, ``_times``…); no module outside the package imports them (``tests/test_layers.py``)."""

from __future__ import annotations

from jmtools.sources._spec import TableSpec

__all__ = ["q", "lit", "blank_to_null", "PLACEHOLDERS", "is_placeholder", "missing_to_null", "cleaned_once", "SERIAL_RANGE",
           "serial", "from_serial", "THUMBS", "THUMBS_HINT", "stars", "star_notes", "serial_notes"]


def q(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def lit(value: str) -> str:
    """Quote an SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def blank_to_null(expr: str) -> str:
    """SQL: ``expr`` without surrounding spaces, NULL when empty (trims only values with a space)."""
    return (f"CASE WHEN contains({expr}, ' ') THEN NULLIF(TRIM({expr}), '') "
            f"ELSE NULLIF({expr}, '') END")


#: Written for "no value" by exports (SQL tools, pandas, MySQL's ``\\N``, spreadsheets): read as
#: missing in ids, numbers and times; text columns keep them (a region may be called NA).
PLACEHOLDERS = ("NULL", "null", "Null", "\\N", "N/A", "n/a", "NA", "#N/A", "#NA", "NaN", "nan",
                "None", "none", "-", "--", "<NA>", "NaT", "(null)")
_LONGEST = max(len(v.encode()) for v in PLACEHOLDERS)     # bytes, as DuckDB's strlen counts


def is_placeholder(text: str) -> str:
    """SQL: the trimmed text ``text`` is one of :data:`PLACEHOLDERS`.

    A function, not ``IN (…)``: DuckDB turns a long ``IN`` list into a join, whose parallel
    output does not keep the file's row order (a survey table came back in another order
    one run in three, and with it every bootstrap interval)."""
    return f"list_contains([{', '.join(lit(v) for v in PLACEHOLDERS)}], {text})"


def missing_to_null(expr: str, whole: bool = False) -> str:
    """SQL: :func:`blank_to_null` of ``expr``, and NULL for a :data:`PLACEHOLDERS` value (of up to
    8 bytes with what TRIM drops around it); with ``whole``, 101.0 (a whole number a float column
    wrote) is 101.

    Each branch reads the column itself and the cleaned text is made once. A value is trimmed
    (TRIM drops spaces of any script, ' ' the only ASCII one) and looked up only when it could be a
    placeholder: when it holds a space, when it is no longer than the longest placeholder, or,
    up to two bytes longer, when it holds a letter beyond ASCII (a no-break space is two bytes).
    So an id such as ``C0000001`` pays two length tests, not a trim and a lookup (1.0 of 2.7 CPU-s
    loading 10M events, D230). The number test is made only for values ending in .0. Numbers and
    times need no lookup (a placeholder does not parse: the checks ask).

    Examples
    --------
    >>> import duckdb
    >>> values = ["C0000001", " N/A ", "  NULL  ", "   NULL   ", "N/A\u00a0", "nan", "101.0", " 101.0", "", None]
    >>> duckdb.sql(f"SELECT {missing_to_null('x', whole=True)} FROM unnest(?) AS t(x)",
    ...            params=[values]).fetchall()
    [('C0000001',), (None,), (None,), ('NULL',), (None,), (None,), ('101',), ('101',), (None,), (None,)]
    """
    trimmed, n = f"TRIM({expr})", f"strlen({expr})"
    number = (f"WHEN ends_with({expr}, '.0') AND regexp_full_match({trimmed}, '-?[0-9]+[.]0') "
              f"THEN left({trimmed}, -2) " if whole else "")
    spaced = (f"CASE WHEN {n} <= {_LONGEST + 2} AND {is_placeholder(trimmed)} THEN NULL "
              f"{number}ELSE NULLIF({trimmed}, '') END")
    short = f"CASE WHEN {is_placeholder(trimmed)} THEN NULL {number}ELSE NULLIF({expr}, '') END"
    return (f"CASE WHEN contains({expr}, ' ') THEN {spaced} "
            f"WHEN {n} <= {_LONGEST} OR ({n} <= {_LONGEST + 2} AND {n} <> length({expr})) THEN {short} "
            f"{number}ELSE NULLIF({expr}, '') END")


#: Excel's date numbers (days since 1899-12-30, the fraction the time of day) read as times:
#: 1970-01-01 to 2099-12-31 only, so that a year (2024) or a count stays a rejected value.
SERIAL_RANGE = (25569, 73051)


def serial(text: str) -> str:
    """SQL: ``text`` is an Excel date number (a cell formatted as a number, not a date)."""
    return (f"(regexp_full_match({text}, '[0-9]{{5}}([.][0-9]+)?') AND "
            f"TRY_CAST({text} AS DOUBLE) >= {SERIAL_RANGE[0]} AND TRY_CAST({text} AS DOUBLE) < {SERIAL_RANGE[1]})")


def from_serial(text: str, tz) -> str:
    """SQL: the Excel date number ``text`` as a timestamp, to the millisecond; local time in
    ``tz`` when given (Excel stores no zone)."""
    stamp = (f"make_timestamp(CAST(round((TRY_CAST({text} AS DOUBLE) - {SERIAL_RANGE[0]}) * 86400000) "
             "AS BIGINT) * 1000)")
    return f"timezone('UTC', timezone({lit(tz)}, {stamp}))" if tz else stamp


#: A rating written in words a review export uses: 4/5, 4.5 / 5, 4 stars, ★★★★☆, ⭐⭐⭐⭐.
_STAR_FORMS = (r"[0-9]+([.][0-9]+)? ?/ ?5", r"(?i)[0-9]+([.][0-9]+)? ?stars?", "[\u2605\u2b50\ufe0f]+\u2606*")


#: A thumbs or good/bad rating (Zendesk's CSAT, app feedback): the ends of the 1–5 scale.
THUMBS = {5: ("good", "satisfied", "thumbs up", "positive", "true", "\U0001f44d"),   # true: a liked flag
          1: ("bad", "unsatisfied", "dissatisfied", "thumbs down", "negative", "false", "\U0001f44e")}


def _thumbs(text: str) -> str:
    """SQL: ``WHEN`` branches giving 5 and 1 for a rating of :data:`THUMBS`."""
    word = f"regexp_replace(lower({text}), '[\ufe0f\U0001f3fb-\U0001f3ff]', '', 'g')"   # 👍🏽: any skin tone
    return " ".join(f"WHEN list_contains([{', '.join(lit(w) for w in words)}], {word}) THEN {n}.0"
                    for n, words in THUMBS.items())


def stars(text: str) -> str:
    """SQL: the number of stars of a rating written as in :data:`_STAR_FORMS`, or 5 and 1 for a
    rating of :data:`THUMBS`; else NULL."""
    number = f"TRY_CAST(regexp_extract({text}, '^[0-9]+([.][0-9]+)?') AS DOUBLE)"
    stars = f"CAST(length(regexp_replace({text}, '[^\u2605\u2b50]', '', 'g')) AS DOUBLE)"
    return (f"CASE WHEN regexp_full_match({text}, {lit(_STAR_FORMS[0])}) "
            f"OR regexp_full_match({text}, {lit(_STAR_FORMS[1])}) THEN {number} "
            f"WHEN regexp_full_match({text}, {lit(_STAR_FORMS[2])}) THEN {stars} {_thumbs(text)} END")


#: The end of the loader's note on ratings written good/bad; the report says it under the emotion curve.
THUMBS_HINT = ("read as 5 and 1 on the 1–5 scale, the ends of it: where they are many, the emotion "
               "curve lies further from 0 than star ratings of the same experiences would put it")


def star_notes(raw, view: str, spec: TableSpec, mapping: dict, types: dict) -> list[str]:
    """Notes counting the ratings read from stars or "4/5", and those read from good/bad
    (:data:`THUMBS_HINT`; feedback tables are small)."""
    src = mapping.get("rating")
    if spec.kind == "feedback" and src is not None and types[src].upper() == "BOOLEAN":    # True/False
        thumbs = raw.execute(f"SELECT count({q(src)}) FROM {q(view)}").fetchone()[0]
        plural = "s" if thumbs > 1 else ""
        return [f"{thumbs:,} rating{plural} kept as true/false (liked or not) {THUMBS_HINT}"] if thumbs else []
    if spec.kind != "feedback" or src is None or types[src].upper() != "VARCHAR":
        return []
    t = f"TRIM({q(src)})"
    n, thumbs = raw.execute(f"SELECT count(*), count(CASE {_thumbs(t)} END) FROM {q(view)} "
                            f"WHERE TRY_CAST({t} AS DOUBLE) IS NULL AND {stars(t)} IS NOT NULL").fetchone()
    notes = []
    if n > thumbs:
        notes.append(f"{n - thumbs:,} rating{'s' if n - thumbs > 1 else ''} written as stars or out of 5 "
                     "(4/5, 4 stars, ★★★★) read as the number of stars")
    if thumbs:
        notes.append(f"{thumbs:,} rating{'s' if thumbs > 1 else ''} written as good/bad or thumbs up/down "
                     + THUMBS_HINT)
    return notes


def serial_notes(raw, view: str, spec: TableSpec, mapping: dict, types: dict) -> list[str]:
    """A note per time column of a sheet with cells that are Excel date numbers."""
    notes = []
    for col in spec.columns:
        src = mapping.get(col.name)
        if col.kind != "timestamp" or src is None or types[src].upper() != "VARCHAR":
            continue
        n = raw.execute(f"SELECT count(*) FROM {q(view)} WHERE {serial(f'TRIM({q(src)})')}").fetchone()[0]
        if n:
            notes.append(f"{n:,} value{'s' if n > 1 else ''} of {col.name} read as Excel date "
                         "numbers (days since 1899-12-30): format the column as dates in the sheet "
                         "if they are something else")
    return notes


def cleaned_once(view: str, cols: list[str], header_again: str | None = None, **more: str) -> str:
    """SQL: a subquery of ``view`` whose column ``_t{i}`` is ``cols[i]`` with its placeholders
    made NULL (:func:`missing_to_null`), written once, so that checks reading a column many times
    do not repeat it (a check query of 95 KB took DuckDB 0.13 CPU-s to plan for 4,000 rows,
    D248). ``more``: further columns ``{name}{i}``, SQL templates of ``{t}`` (the cleaned value),
    computed from the cleaned value once too. Rows that repeat the header (``header_again``) are
    left out.

    Examples
    --------
    >>> import duckdb
    >>> raw = duckdb.connect()
    >>> _ = raw.execute("CREATE VIEW v AS SELECT * FROM (VALUES (' N/A ', '7'), ('12', 'x')) t(a, b)")
    >>> values = cleaned_once("v", ["a", "b"], _len="length({t})")
    >>> raw.execute(f"SELECT count(_t0), max(_t1), max(_len1) FROM {values}").fetchall()
    [(1, 'x', 1)]
    """
    inner = [f"{missing_to_null(q(c))} AS _t{i}" for i, c in enumerate(cols)]
    outer = [f"_t{i}" for i in range(len(cols))]
    outer += [f"{sql.replace('{t}', f'_t{i}')} AS {name}{i}"
              for name, sql in more.items() for i in range(len(cols))]
    where = f" WHERE NOT coalesce({header_again}, false)" if header_again else ""
    return f"(SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {q(view)}{where}))"
