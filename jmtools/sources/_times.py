"""Times written the way spreadsheets and local exports write them (09.03.2024 18:56,
3/9/2024 6:56 PM, 9-Mar-24): recognised from the values of a column the ISO reading
refused, and read with the formats that fit (used by :mod:`jmtools.sources._duckdb`).

Day and month are told apart by the data: a first number above 12 means the day comes
first, a second number above 12 the month. Dotted dates are day first, as they are written.
When nothing tells the order, the values stay rejected, with a fix that says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from jmtools.sources._values import is_placeholder, lit, q

__all__ = ["ReadAs", "infer_time_formats", "time_formats_sql"]

_CLOCK = r"(\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(\s*[AaPp][Mm])?)?"
_CLOCKS = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p", " %I:%M%p",
           " %I:%M:%S%p")
#: numbers separated by the separator: (first, second, year)
_NUMERIC = {".": "dots", "/": "slashes", "-": "dashes"}
_NAMED = {  # month names (English): the order is in the words
    "day month year": (r"[0-9]{1,2}[ -][A-Za-z]{3,9}[ -]([0-9]{4}|[0-9]{2})",
                       ("%d %b %y", "%d %b %Y", "%d %B %y", "%d %B %Y", "%d-%b-%y", "%d-%b-%Y",
                        "%d-%B-%y", "%d-%B-%Y")),
    "month day, year": (r"[A-Za-z]{3,9} [0-9]{1,2},? [0-9]{4}",
                        ("%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y")),
}


@dataclass
class ReadAs:
    """How the refused values of one time column are read: ``formats`` (strptime codes, tried
    in order after ISO 8601), the ``note`` that says so, or a ``fix`` when they cannot be read."""

    formats: tuple = ()
    note: str = ""
    fix: str = ""


def _numeric_pattern(sep: str) -> str:
    s = "[.]" if sep == "." else sep
    return f"([0-9]{{1,2}}){s}([0-9]{{1,2}}){s}([0-9]{{4}}|[0-9]{{2}})"


def _numeric_formats(sep: str, day_first: bool) -> tuple:
    order = ("%d", "%m") if day_first else ("%m", "%d")
    dates = [sep.join((*order, y)) for y in ("%y", "%Y")]   # %y first: %Y reads 24 as year 24
    return tuple(d + c for d in dates for c in _CLOCKS)


#: Epoch numbers as written, by the ``time_format`` that reads them (1970-2100 seconds: 9-10 digits).
_EPOCHS = {"unix": "[0-9]{9,10}([.][0-9]+)?", "unix_ms": "[0-9]{12,13}", "unix_us": "[0-9]{15,16}"}


def infer_time_formats(raw, view: str, column: str, canonical: str, table: str = "events") -> ReadAs:
    """Look at the values of ``column`` that ISO 8601 does not read and say how to read them.

    One pass over the column, made only after a load refused some of its values. Returns a
    :class:`ReadAs` with no formats when the values fit no known way of writing times; its fix
    names ``table`` in the ``loading.yaml`` line to write.
    """
    t = "_v"
    refused = (f"{t} IS NOT NULL AND TRY_CAST({t} AS TIMESTAMPTZ) IS NULL AND NOT {is_placeholder(t)}")
    parts, keys = [], []
    for sep, name in _NUMERIC.items():
        m = f"regexp_full_match({t}, {lit(_numeric_pattern(sep) + _CLOCK)})"
        a = f"TRY_CAST(regexp_extract({t}, {lit('^' + _numeric_pattern(sep))}, 1) AS INTEGER)"
        b = f"TRY_CAST(regexp_extract({t}, {lit('^' + _numeric_pattern(sep))}, 2) AS INTEGER)"
        parts += [f"count(*) FILTER (WHERE {m})", f"max({a}) FILTER (WHERE {m})",
                  f"max({b}) FILTER (WHERE {m})", f"arg_max({t}, {a}) FILTER (WHERE {m})",
                  f"arg_max({t}, {b}) FILTER (WHERE {m})"]
        keys += [(name, k) for k in ("n", "a", "b", "a_ex", "b_ex")]
    for name, (pattern, _) in _NAMED.items():
        parts.append(f"count(*) FILTER (WHERE regexp_full_match({t}, {lit(pattern + _CLOCK)}))")
        keys.append((name, "n"))
    for unit, digits in _EPOCHS.items():        # 1709999999: epoch numbers (JSON lines, Mixpanel)
        parts.append(f"count(*) FILTER (WHERE regexp_full_match({t}, {lit(digits)}))")
        keys.append((unit, "n"))
    row = raw.execute(f"SELECT {', '.join(parts)} FROM (SELECT TRIM(CAST({q(column)} AS VARCHAR)) AS {t} "
                      f"FROM {q(view)}) WHERE {refused}").fetchone()
    found = {}
    for (name, k), v in zip(keys, row):
        found.setdefault(name, {})[k] = v
    formats, notes, fixes = [], [], []
    for sep, name in _NUMERIC.items():
        f = found[name]
        if not f["n"]:
            continue
        written = sep.join(("day", "month", "year"))
        if f["a"] > 12 and f["b"] > 12:
            fixes.append(f"some dates written with {name} have a first number above 12 and others a second: the "
                         "column mixes day-first and month-first dates; "
                         "write them as ISO 8601 (2024-03-09T18:56:00)")
            continue
        if f["a"] > 12 or (sep == "." and f["b"] <= 12):
            day_first, why = True, (f"{f['a_ex']} has a first number above 12" if f["a"] > 12
                                    else "dates with dots are written day first")
        elif f["b"] > 12:
            day_first, why = False, f"{f['b_ex']} has a second number above 12"
            written = sep.join(("month", "day", "year"))
        else:
            fixes.append(f"{f['n']:,} dates written with {name} could be day{sep}month{sep}year or month{sep}day{sep}year: "
                         "no value has a number above 12 to tell which; write them "
                         f"as ISO 8601 (2024-03-09T18:56:00), or give the order: time_format=\"%d{sep}%m{sep}%Y "
                         "%H:%M\" to the loader, or for a report under the table's name in the data folder's "
                         f"loading.yaml: {table}: {{time_format: \"%d{sep}%m{sep}%Y %H:%M\"}}")
            continue
        formats += _numeric_formats(sep, day_first)
        notes.append(f"{f['n']:,} value{'s' if f['n'] > 1 else ''} of {canonical} read as "
                     f"{written} ({why})")
    for name, (_, fmts) in _NAMED.items():
        n = found[name]["n"]
        if n:
            formats += [d + c for d in fmts for c in _CLOCKS]
            notes.append(f"{n:,} value{'s' if n > 1 else ''} of {canonical} read as {name} "
                         "with the month's English name")
    fixes += [f"{found[unit]['n']:,} values of {canonical} are epoch numbers ({what}): pass "
              f"time_format=\"{unit}\" to the loader, or for a report under the table's name in the data "
              f"folder's loading.yaml: {table}: {{time_format: {unit}}}"
              for unit, what in (("unix", "seconds"), ("unix_ms", "milliseconds"), ("unix_us", "microseconds"))
              if found[unit]["n"]]
    return ReadAs(tuple(formats), "; ".join(notes), "; ".join(fixes))


def time_formats_sql(text: str, formats: tuple) -> str:
    """SQL: ``text`` read with the first of ``formats`` that fits it, else NULL."""
    return f"try_strptime({text}, [{', '.join(lit(f) for f in formats)}])"
