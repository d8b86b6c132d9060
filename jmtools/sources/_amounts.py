"""Order amounts written in a currency's minor unit (Stripe writes ``6109`` for €61.09): read as
written they make every order value a hundred times too large, and nothing in the file says so.
``amount_unit="cents"`` divides them; a note suggests it when the amounts look like cents (used
by :mod:`jmtools.sources._duckdb`)."""

from __future__ import annotations

from jmtools.core.errors import ParameterError
from jmtools.sources._values import lit, q

__all__ = ["AMOUNT_UNITS", "THOUSANDS_HINT", "amount_divisor", "amount_notes", "thousands_notes"]

#: What ``amount_unit`` may be, with the number of such units in one unit of the currency:
#: ``cents`` for hundredths (Stripe's EUR, USD, GBP…), ``thousandths`` for currencies with three
#: decimals (KWD, BHD, JOD, OMR, TND), ``units`` for amounts as written (the default).
AMOUNT_UNITS = {"units": 1, "cents": 100, "thousandths": 1000}
#: Currencies without a minor unit (Stripe writes whole yen): whole amounts there are no hint.
ZERO_DECIMAL = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
                "VUV", "XAF", "XOF", "XPF")
#: Rows whose written amounts are looked at (decimals or not); the numbers of all are checked.
LOOK = 10_000
HINT = ("every amount is a whole number of 100 or more written without decimals, and the file has a "
        "currency column: if the amounts are in cents (Stripe writes them so), every order value is 100 "
        "times too large; then write amount_unit: cents under orders in loading.yaml (amount_unit='cents' "
        "in Python)")

THOUSANDS_HINT = ("every amount written with a dot has three digits after it (such as 1.200): if the dot "
                  "separates thousands (German, French), those amounts were read 1,000 times too small; then "
                  "write decimal: \",\" under orders in loading.yaml (decimal=',' in Python)")


def amount_divisor(unit) -> int:
    """The number ``amount_unit`` divides amounts by.

    Examples
    --------
    >>> amount_divisor("cents"), amount_divisor(None)
    (100, 1)
    """
    if unit is None:
        return 1
    if not isinstance(unit, str) or unit.strip().lower() not in AMOUNT_UNITS:
        raise ParameterError("amount_unit", unit, expected=list(AMOUNT_UNITS),
                             fix="cents when the amounts are hundredths of the currency (Stripe: 6109 "
                                 "for 61.09), thousandths for three-decimal currencies (KWD), units or "
                                 "nothing for amounts as written")
    return AMOUNT_UNITS[unit.strip().lower()]


def amount_notes(raw, table: str, view: str, mapping: dict, types: dict, unit) -> list[str]:
    """Divide the kept ``amount`` of ``table`` as ``unit`` says, with a note; without a unit,
    :data:`HINT` when the amounts look like cents: the first :data:`LOOK` of ``view`` (the
    input) written without decimals, and every kept amount a whole number of 100 or more, in
    a currency that has cents. Only for inputs with a currency column: two small queries."""
    divisor = amount_divisor(unit)
    if divisor > 1:
        n, fraction = raw.execute(f"SELECT count(amount), count(*) FILTER (WHERE amount <> floor(amount)) "
                                  f"FROM {q(table)}").fetchone()
        raw.execute(f"UPDATE {q(table)} SET amount = amount / {divisor}")
        return [f"{n:,} amounts divided by {divisor} (amount_unit: {unit})" + (
            f"; {fraction:,} of them have decimals, which amounts in {unit} do not have: check amount_unit"
            if fraction else "")]
    if unit is not None or "currency" not in mapping or "amount" not in mapping:
        return []
    col, stored = q(mapping["amount"]), types[mapping["amount"]].upper()
    if stored == "VARCHAR":                 # written without decimals: looked at in the first rows
        other = f"NOT regexp_full_match(TRIM({col}), '[0-9]+') AND NULLIF(TRIM({col}), '') IS NOT NULL"
    elif not (stored.endswith("INT") or stored in ("INTEGER", "HUGEINT")):
        return []                           # stored with decimals (a DOUBLE): not cents
    else:
        other = "false"
    if raw.execute(f"SELECT 1 FROM (SELECT {col} FROM {q(view)} LIMIT {LOOK}) WHERE {other} LIMIT 1").fetchone():
        return []
    found = raw.execute(f"SELECT count(*), count(*) FILTER (WHERE amount < 100 OR amount <> floor(amount)), "
                        f"count(*) FILTER (WHERE list_contains([{', '.join(map(lit, ZERO_DECIMAL))}], "
                        f"upper(TRIM(currency)))) FROM {q(table)}").fetchone()
    return [HINT] if found[0] and not found[1] and found[2] < found[0] else []


def thousands_notes(raw, view: str, mapping: dict, types: dict, decimal) -> list[str]:
    """:data:`THOUSANDS_HINT` when, among the first :data:`LOOK` amounts of ``view`` (the input,
    written as text), some have a dot and every one with a dot or a comma is whole groups of three
    digits after a dot (``1.200``, ``12.500.000``): German amounts written without decimals, read
    as 1.2 unless ``decimal`` says so. One small query; nothing when ``decimal`` is given."""
    if decimal is not None or "amount" not in mapping or str(types[mapping["amount"]]).upper() != "VARCHAR":
        return []
    col = q(mapping["amount"])
    grouped, marked = raw.execute(
        f"SELECT count(*) FILTER (WHERE regexp_full_match(v, '[-+]?[0-9]{{1,3}}([.][0-9]{{3}})+')), "
        f"count(*) FILTER (WHERE contains(v, '.') OR contains(v, ',')) "
        f"FROM (SELECT TRIM({col}) AS v FROM {q(view)} LIMIT {LOOK}) WHERE v <> ''").fetchone()
    return [THOUSANDS_HINT] if grouped and grouped == marked else []
