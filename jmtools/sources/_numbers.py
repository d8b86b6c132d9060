"""Numbers written the way local exports write them (12,50; 1.234,50; €61.09; 61.09 EUR;
1'234.50): recognised from the values of a column a plain reading refused, and read with the
decimal separator the column shows (used by :mod:`jmtools.sources._duckdb`).

The decimal separator is taken from the data: a comma followed by one, two or four and more
digits (12,5 or 12,50) shows a decimal comma, a dot so followed a decimal dot; with both in one
column, the values stay rejected with a fix that says why, and so do values such as 1,234 (a
thousand, or one and a bit?) when nothing else tells, except in an amount of money, which has
no third decimal. A currency written beside the number is dropped when the
column holds one currency only.
"""

from __future__ import annotations

from jmtools.sources._times import ReadAs
from jmtools.sources._values import is_placeholder, lit, q

__all__ = ["DECIMALS", "decimal_read_as", "infer_number_form", "number_sql"]

#: What ``decimal=`` may be: the decimal separator of a table's numbers written as text.
DECIMALS = (",", ".")

_SPACES = " \u00a0\u202f'\u2019"                    # thousands: a space, no-break spaces, apostrophes
_CURRENCY = "[\u20ac$\u00a3\u00a5\u20b9]|[A-Z]{3}"   # € $ £ ¥ ₹, or a code such as EUR
_SAME = {"\u20ac": "EUR", "$": "USD", "\u00a3": "GBP"}
_NUMBER = (f"^(?:{_CURRENCY})?\\s*([-+]?[0-9][0-9.,{_SPACES}]*?)\\s*(?:{_CURRENCY})?$")


#: A value that shows its decimal separator: not followed by exactly three digits (12,50), or
#: after thousands groups (1.234,5).
_EVIDENCE = {d: (f"[-+]?[0-9]+{'[.]' if d == '.' else d}([0-9]{{1,2}}|[0-9]{{4,}})|"
                 f"[-+]?[0-9]{{1,3}}([{t}{_SPACES}][0-9]{{3}})+{'[.]' if d == '.' else d}[0-9]+")
             for d, t in ((",", "."), (".", ","))}


def _grouped(thousands: str, decimal: str) -> str:
    d = "[.]" if decimal == "." else decimal
    return (f"[-+]?[0-9]{{1,3}}([{thousands}][0-9]{{3}})+({d}[0-9]+)?|[-+]?[0-9]+({d}[0-9]+)?")


def _thousands(decimal: str) -> str:
    return ("." if decimal == "," else ",") + _SPACES


def number_sql(text: str, decimal: str) -> str:
    """SQL: ``text`` as a number whose decimal separator is ``decimal`` ("," or "."), with
    thousands separators and one currency mark around it allowed; NULL when it is not one."""
    n = f"regexp_extract({text}, {lit(_NUMBER)}, 1)"
    thousands = _thousands(decimal)
    plain = f"regexp_replace({n}, {lit('[' + thousands + ']')}, '', 'g')"
    if decimal == ",":
        plain = f"replace({plain}, ',', '.')"
    return (f"CASE WHEN regexp_full_match({n}, {lit(_grouped(thousands, decimal))}) "
            f"THEN TRY_CAST({plain} AS DOUBLE) END")


def infer_number_form(raw, view: str, column: str, canonical: str) -> ReadAs:
    """Look at the values of the number column ``column`` and say how to read those a plain
    reading refused: ``ReadAs.formats`` is ``(decimal separator,)``, or empty with a ``fix``.

    One pass over the column, made only after a load refused some of its values.
    """
    s = "_v"
    n = f"regexp_extract({s}, {lit(_NUMBER)}, 1)"
    comma = f"regexp_full_match({n}, {lit(_EVIDENCE[','])})"
    dot = f"regexp_full_match({n}, {lit(_EVIDENCE['.'])})"
    mark = f"nullif(regexp_extract({s}, {lit('(' + _CURRENCY + ')')}, 1), '')"
    refused = f"TRY_CAST({s} AS DOUBLE) IS NULL AND {n} <> ''"
    row = raw.execute(
        f"SELECT count(*) FILTER (WHERE {comma}), "
        f"count(*) FILTER (WHERE {dot}), count(*) FILTER (WHERE {refused}), "
        f"list(DISTINCT {mark}) FILTER (WHERE {refused} AND {mark} IS NOT NULL), "
        f"count(*) FILTER (WHERE {refused} AND regexp_full_match({n}, '[-+]?[0-9]{{1,3}}(,[0-9]{{3}})+')), "
        f"count(*) FILTER (WHERE regexp_full_match({s}, '(?i)(promoter|passive|detractor)s?')) "
        f"FROM (SELECT TRIM(CAST({q(column)} AS VARCHAR)) AS {s} FROM {q(view)}) "
        f"WHERE {s} IS NOT NULL AND NOT {is_placeholder(s)}").fetchone()
    n_comma, n_dot, n_refused, marks, n_thousand_only, n_nps_words = row
    if n_nps_words:                # the category, not the answer: 0-10 cannot be made up from it
        return ReadAs(fix=f"{n_nps_words:,} values of {canonical} are NPS categories (Promoter, Passive, "
                          "Detractor), not the 0-10 answer the score and the emotion curve need: export the "
                          "answer itself (the survey tool's raw 0-10 column)")
    if not n_refused:
        return ReadAs()
    marks = sorted(set(marks or ()))
    currencies = sorted({_SAME.get(m, m) for m in marks})
    if len(currencies) > 1:
        return ReadAs(fix=f"{canonical} is written in several currencies ({', '.join(marks)}): convert the "
                          "amounts to one currency before loading, or split the file by currency")
    if n_comma and n_dot:
        return ReadAs(fix=f"some values of {canonical} have a decimal comma (12,50) and others a decimal dot "
                          "(12.50): write every number with a dot as the decimal separator")
    if n_comma:
        decimal, how = ",", "with a decimal comma (12,50 is 12.5; a dot or a space separates thousands)"
    elif n_dot or not n_thousand_only or canonical == "amount":   # money has no third decimal
        decimal, how = ".", "with a decimal dot (a comma, a space or an apostrophe separates thousands)"
    else:
        return ReadAs(fix=f"values of {canonical} such as 1,234 could be a thousand or one and a bit: no "
                          "value has a decimal separator to tell; write numbers with a dot as the decimal "
                          "separator and no thousands separator")
    if currencies:
        how += f", the currency ({', '.join(marks)}) left out"
    return ReadAs((decimal,), f"{n_refused:,} value{'s' if n_refused > 1 else ''} of {canonical} read {how}")


def decimal_read_as(spec, mapping: dict, types: dict, decimal) -> dict:
    """``{column: ReadAs}`` reading each number column of ``spec`` that the input holds as text
    with ``decimal`` as its decimal separator (``decimal=``; ``decimal:`` in loading.yaml): the
    other mark, spaces and apostrophes then separate thousands, so ``1.200`` is 1200 with a
    comma. Columns the input stores as numbers are read as stored. ``{}`` without ``decimal``.

    Examples
    --------
    >>> from jmtools.sources._spec import SPECS
    >>> decimal_read_as(SPECS["orders"], {"amount": "Betrag"}, {"Betrag": "VARCHAR"}, ",")["amount"].formats
    (',',)
    >>> decimal_read_as(SPECS["orders"], {"amount": "amount"}, {"amount": "DOUBLE"}, ",")
    {}
    """
    if decimal is None:
        return {}
    return {c.name: ReadAs(formats=(decimal,), note=f"{c.name} read with {decimal!r} as the decimal separator "
                                                    f"(decimal: {decimal!r}); 1{'.' if decimal == ',' else ','}200 "
                                                    "is twelve hundred")
            for c in spec.columns if c.kind == "float" and c.name in mapping
            and str(types.get(mapping[c.name], "")).upper() == "VARCHAR"}
