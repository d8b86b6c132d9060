"""Customer attributes written as amounts of money (``€14,99``, ``$1,044.01``, ``1.817,64 EUR``):
found among the text columns a plain reading leaves text, and read value by value with the
decimal separator each value shows (used by :mod:`jmtools.sources._duckdb`; D136).

A value shows its decimal separator as the order amounts' rule says (D95): a comma or dot
followed by one, two or four and more digits, or after thousands groups. A value that shows
none (``1,044``, ``1.200``) is read with the separator the column's other values show, else
with a decimal dot (``1.200`` is 1.2, ``1,044`` is 1044: money has no third decimal); a note
says so for the values read with three decimals (``1.200`` as 1.2), which may be whole amounts,
and not for those read as thousands (``£65,000``; D205); ``decimal=`` reads every value with
the separator given. A column is read so
when at least nine in ten of its values read as amounts and one shows a currency or a decimal
separator; codes written with a leading zero (``01234``), phone numbers (``+49 30 …``) and
formula-looking cells stay text, and a value of an amount column that does not read is left
blank, counted and located by the load.
"""

from __future__ import annotations

from dataclasses import dataclass

from jmtools.sources._values import cleaned_once, is_placeholder, lit, missing_to_null, q

__all__: list[str] = []

_SPACES = " \u00a0\u202f'\u2019"
_CODES = ("EUR", "USD", "GBP", "CHF", "JPY", "CNY", "INR", "AUD", "CAD", "NZD", "SEK", "NOK", "DKK",
          "PLN", "CZK", "HUF", "RON", "BGN", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW", "TRY", "ILS")
_MARK = "[\u20ac$\u00a3\u00a5\u20b9]|" + "|".join(_CODES)
_SAME = {"\u20ac": "EUR", "$": "USD", "\u00a3": "GBP"}
#: A currency before or after, an optional minus, digits with separators (no '+': phone numbers).
_VALUE = f"^({_MARK})?\\s*(-?[0-9][0-9.,{_SPACES}]*?)\\s*({_MARK})?$"
_SHOWS = {d: (f"-?[0-9]+{e}([0-9]{{1,2}}|[0-9]{{4,}})|-?[0-9]{{1,3}}([{t}{_SPACES}][0-9]{{3}})+{e}[0-9]+")
          for d, e, t in ((",", ",", "."), (".", "[.]", ","))}
_NAMES = {",": "a decimal comma", ".": "a decimal dot"}
_ALONE = {"[.]": ".", ",": ","}  # a lone separator before three digits (1.200, 1,200): its pattern, itself
_SHARE = 0.9                     # of a column's values that must read as amounts


@dataclass(frozen=True)
class _Amounts:
    """How one text column is read as amounts: the SQL of its value, and the load's note."""

    sql: str
    note: str


def _read(n: str, decimal: str) -> str:
    """SQL: the number text ``n`` read with ``decimal`` as its decimal separator, or NULL."""
    thousands = ("." if decimal == "," else ",") + _SPACES
    d = "[.]" if decimal == "." else ","
    grouped = f"-?[0-9]{{1,3}}([{thousands}][0-9]{{3}})+({d}[0-9]+)?|-?[0-9]+({d}[0-9]+)?"
    plain = f"regexp_replace({n}, {lit('[' + thousands + ']')}, '', 'g')"
    if decimal == ",":
        plain = f"replace({plain}, ',', '.')"
    return f"CASE WHEN regexp_full_match({n}, {lit(grouped)}) THEN TRY_CAST({plain} AS DOUBLE) END"


def _value_sql(text: str, usual: str, decimal: str | None) -> str:
    """SQL: the amount ``text`` holds; a value that shows no separator is read with ``usual``."""
    n = f"regexp_extract({text}, {lit(_VALUE)}, 2)"
    if decimal:
        return _read(n, decimal)
    other = "," if usual == "." else "."
    return (f"CASE WHEN regexp_full_match({n}, {lit(_SHOWS[','])}) THEN {_read(n, ',')} "
            f"WHEN regexp_full_match({n}, {lit(_SHOWS['.'])}) THEN {_read(n, '.')} "
            f"ELSE coalesce({_read(n, usual)}, {_read(n, other)}) END")


def _amount_columns(raw, view: str, cols: list[str], header_again: str | None = None,
                   decimal: str | None = None) -> dict[str, _Amounts]:
    """``{column: _Amounts}`` for the text columns ``cols`` whose values are amounts of money.

    One pass over the columns. ``header_again``: SQL of a row that repeats the header (left out).

    Examples
    --------
    >>> import duckdb
    >>> raw = duckdb.connect()
    >>> _ = raw.execute("CREATE VIEW v AS SELECT * FROM (VALUES ('€14,99', 'Free', '01234'), "
    ...                 "('€1.817,64', 'Team', '10115')) t(mrr, plan, zip)")
    >>> found = _amount_columns(raw, "v", ["mrr", "plan", "zip"])
    >>> sorted(found)
    ['mrr']
    >>> raw.execute(f"SELECT {found['mrr'].sql} FROM v").fetchall()
    [(14.99,), (1817.64,)]
    """
    if not cols:
        return {}
    parts = []
    for i in range(len(cols)):
        t, n, mark = f"_t{i}", f"_n{i}", f"_mark{i}"       # computed once: :func:`cleaned_once`
        shows = {d: f"regexp_full_match({n}, {lit(_SHOWS[d])})" for d in _SHOWS}
        parts += [f"count({t})", f"count(*) FILTER (WHERE {_read(n, ',')} IS NOT NULL OR {_read(n, '.')} IS NOT NULL)",
                  f"count(*) FILTER (WHERE {shows[',']})", f"count(*) FILTER (WHERE {shows['.']})",
                  f"list(DISTINCT {mark}) FILTER (WHERE {mark} IS NOT NULL)",
                  f"count(*) FILTER (WHERE regexp_matches(TRIM({t}), '^[+-]?0[0-9]'))"]
        for d in _ALONE:                    # 1.200 and 1,200 apart: only one of them can be misread
            alone = f"regexp_full_match({n}, '-?[0-9]{{1,3}}{d}[0-9]{{3}}')"
            parts += [f"list({t}) FILTER (WHERE {alone})[1:1]", f"count(*) FILTER (WHERE {alone})"]
    values = cleaned_once(view, cols, header_again, _n=f"regexp_extract({{t}}, {lit(_VALUE)}, 2)",
                          _mark=f"coalesce(nullif(regexp_extract({{t}}, {lit(_VALUE)}, 1), ''), "
                                f"nullif(regexp_extract({{t}}, {lit(_VALUE)}, 3), ''))")
    row = raw.execute(f"SELECT {', '.join(parts)} FROM {values}").fetchone()
    out = {}
    width = 6 + 2 * len(_ALONE)
    for i, c in enumerate(cols):
        filled, read, comma, dot, marks, zeros, *alone = row[i * width:(i + 1) * width]
        if not read or zeros or read < _SHARE * filled or not (comma or dot or marks):
            continue
        usual = decimal or ("," if comma and not dot else ".")
        # a lone 1,200 beside a decimal dot is twelve hundred (money has no third decimal): no doubt;
        # a lone 1.200 read with a decimal dot is 1.2, which may be a thousands dot (D205)
        example, n_alone = alone[2 * list(_ALONE.values()).index(usual):][:2]
        text = missing_to_null(q(c))
        out[c] = _Amounts(_value_sql(text, usual, decimal),
                          _note(c, read, comma, dot, sorted(set(marks or ())), example, n_alone, usual, decimal))
    return out


def _note(column, read, comma, dot, marks, example, n_alone, usual, decimal) -> str:
    """The load's note on an amount column: how many, which convention, which currencies."""
    if decimal:
        how = f"with {decimal!r} as the decimal separator (decimal: {decimal!r})"
    elif comma and dot:
        how = (f"value by value: {comma:,} with a decimal comma (12,50), {dot:,} with a decimal dot "
               "(12.50), as each is written")
    else:
        how = f"with {_NAMES[usual]}"
    note = f"column {column!r} holds amounts: {read:,} value{'s' if read > 1 else ''} read as numbers {how}"
    currencies = sorted({_SAME.get(m, m) for m in marks})
    if len(currencies) > 1:
        note += (f"; the currencies are mixed ({', '.join(marks)}), so these numbers are not comparable "
                 "with each other: convert them to one currency, or keep the currency in its own column "
                 "and compare within it")
    elif marks:
        note += f", the currency ({', '.join(marks)}) left out"
    if n_alone and not decimal:
        other = "," if usual == "." else "."
        note += (f"; {n_alone:,} value{'s' if n_alone > 1 else ''} such as {example[0]!r} show no decimal "
                 f"separator and {'were' if n_alone > 1 else 'was'} read with {_NAMES[usual]}"
                 + (" as the column's other values are" if comma or dot else "") + f" (1{usual}200 is 1.2); ")
        if comma or dot:                # the other values show it: decimal= would misread them
            note += f"if one is a whole amount, write it with its decimals (1{other}200{usual}00)"
        else:
            note += (f"if they are whole amounts with a thousands {_NAMES[usual].split()[-1]} (1{usual}200 twelve "
                     f"hundred), give decimal: {other!r} under customers in loading.yaml (decimal= in Python)")
    return note


def _unread_check(source: str, text: str, typed: str) -> tuple[str, str, str]:
    """(condition, reason, fix) of a value of the amount column ``source`` (as the input names
    it) that does not read: ``text`` and ``typed`` are the SQL of its text and its number."""
    return (f"{text} IS NOT NULL AND {typed} IS NULL AND NOT {is_placeholder(text)}",
            f"not an amount, unlike the other values of column {source!r}",
            "write an amount such as 14.99, 14,99, €1.234,50 or 1,234.50 USD (a currency before or after, "
            "no formula, no '+'), or leave the cell empty")
