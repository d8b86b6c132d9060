"""Load files and in-memory frames through DuckDB: read, validate, type and count in SQL.

Files are read by DuckDB itself (CSV as text, so that every value can be checked and
located; Parquet with its own types); nothing large passes through pandas. Each row gets
its input position, each rejected row a reason, and the kept rows are stored once as a
DuckDB table.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from jmtools.core.engine import unique_name
from jmtools.core.errors import ParameterError, suggest
from jmtools.sources._accounting import REASON_COLUMNS, Accounting, LoadedTable
from jmtools.sources._amounts import amount_notes, thousands_notes
from jmtools.sources._constants import CONSTANT, with_constants
from jmtools.sources._duplicates import differing_duplicates
from jmtools.sources._headers import check_repeated
from jmtools.sources._jsonl import open_input
from jmtools.sources._local_days import DATED, clock_notes, dated_row, day_or_utc, no_time_written
from jmtools.sources._money import _amount_columns, _unread_check
from jmtools.sources._names import normalise_name, resolve_columns
from jmtools.sources._not_data import not_data_checks
from jmtools.sources._numbers import decimal_read_as, number_sql
from jmtools.sources._order import oldest_first
from jmtools.sources._part_files import with_partition
from jmtools.sources._read import FILE_KINDS, ROW, parquet_error
from jmtools.sources._reread import put_fixes, refused_columns
from jmtools.sources._spec import NEGATIVE_AMOUNT, WITHOUT_CUSTOMER, TableSpec
from jmtools.sources._stitch import (device_sql, never_check, resolve_stitch, stitch_notes, stitched,
                                     without_customer_note)
from jmtools.sources._storage import check_storage
from jmtools.sources._survey_scales import off_scale_fix, other_scale_rule, other_scales
from jmtools.sources._times import time_formats_sql
from jmtools.sources._values import (blank_to_null, cleaned_once, from_serial, is_placeholder, lit, missing_to_null, q,
                                     serial, serial_notes, star_notes, stars)
from jmtools.sources._wide import answers_per_row

__all__ = ["load_duckdb", "resolve_columns", "normalise_name", "FILE_KINDS"]
TIME_FIX = ('write times as ISO 8601 (2024-03-01T14:05:00); dates such as 09.03.2024 18:56, '
            '3/13/2024 6:56 PM or 9-Mar-24 are read as they are when the column shows which number is the '
            'day. Or give the format: time_format="%d/%m/%Y %H:%M" to the loader (DuckDB strptime codes; '
            '"unix", "unix_ms" or "unix_us" for epoch seconds, milliseconds or microseconds), or for a '
            'report the same under the '
            'table\'s name in the data folder\'s loading.yaml, e.g. orders: {time_format: "%d/%m/%Y %H:%M"} '
            '(docs/bring-your-own-data.md)')
RATING_FIX = ("a rating is a number (4 or 4.5), stars (★★★★, 4/5, 4 stars) or good/bad (👍/👎); other "
              "words are left blank, and the text still counts for its themes")
#: Epoch numbers a ``time_format`` names, with the units per second.
EPOCHS = {"unix": 1, "unix_ms": 1_000, "unix_us": 1_000_000}
_TS_WITH_OFFSET = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?)$"


# ---------------------------------------------------------------- typing and rules

class _Rules:
    """Per canonical column: the typed SQL expression, and the rejection checks over it.

    The load is two nested SELECTs: the inner one parses every value once (typed column
    ``"x"`` and its trimmed text ``"_t_x"``), the outer one evaluates the checks on those
    columns. ``names`` are the kept (outer) columns.
    """

    def __init__(self):
        self.inner: list[str] = []
        self.names: list[str] = []
        self.checks: list[tuple[str, str, str, str, str]] = []  # (cond, reason, column, raw, fix)
        self.blanks: list[tuple[str, str, str, str, str]] = []  # the same, for optional columns
        self.dated: str | None = None     # SQL: the event's time was written as a date alone (D140)
        self.clocks: list[str] = []  # "_tz_<time column>": 1 a local time the clock skips, 2 one it repeats
        self.skipped = 0     # the first checks are of rows that hold no data: set aside, not rejected (D213)
        self.carried: tuple = ()   # columns the staged table keeps for a note only (identity stitching, D244)

    def add(self, cond: str, reason: str, column: str, raw: str, fix: str = "") -> None:
        self.checks.append((cond, reason, column, raw, fix))

    def blank(self, cond: str, reason: str, column: str, raw: str, fix: str = "") -> None:
        """A value of an optional column that cannot be read: the row is kept with the value
        left blank, and counted (:func:`_account`)."""
        self.blanks.append((cond, reason, column, raw, fix))


def _typed_column(rules: _Rules, canonical: str, kind: str, required: bool, src: str,
                  src_type: str, *, time_format: str | None, tz: str | None,
                  serials: bool = False, formats: tuple = (), fix: str = "", kind_by: str | None = None,
                  dated: bool = False) -> None:
    col = q(src)
    is_text = src_type.upper() == "VARCHAR"
    raw = q("_t_" + canonical)
    typed = q(canonical)
    as_text = col if is_text else f"CAST({col} AS VARCHAR)"
    text = missing_to_null(as_text) if is_text and kind == "id" else blank_to_null(as_text)
    if kind == "id":               # 101.0, a whole number written by a float column (pandas, Excel)
        whole = missing_to_null(as_text, whole=True) if is_text else (
            f"CASE WHEN ends_with({as_text}, '.0') AND regexp_full_match({as_text}, '-?[0-9]+[.]0') "
            f"THEN left({as_text}, -2) ELSE {text} END")
    rules.inner.append((text if is_text else col) + f" AS {raw}")
    raw_text = raw if is_text else f"CAST({raw} AS VARCHAR)"
    if not required:            # optional: a value that cannot be read is left blank, the row kept
        rules = _Optional(rules)
    if kind == "id":
        expr = whole
    elif kind == "str":
        expr = text if is_text else f"CAST({col} AS VARCHAR)"
    elif kind in ("float", "int"):
        sql_type = "DOUBLE" if kind == "float" else "BIGINT"
        expr = f"TRY_CAST({text} AS {sql_type})" if is_text else f"CAST({col} AS {sql_type})"
        if src_type.upper() == "BOOLEAN":     # a thumbs rating kept as True/False: the ends of 1–5 (D98)
            expr = f"CASE WHEN {col} THEN 5.0::DOUBLE WHEN NOT {col} THEN 1.0::DOUBLE END"
        if formats and kind == "float":      # 12,50 / €61.09 / 1.234,50: as the column's values showed
            expr = number_sql(text, formats[0])
        if is_text and kind == "float":        # 'nan' / 'NaN' written for no value (NaN = NaN here)
            expr = f"NULLIF({expr}, 'NaN'::DOUBLE)"
        if is_text and canonical == "rating":  # 4/5, 4 stars, ★★★★: the number of stars
            expr = f"CASE WHEN {expr} IS NOT NULL THEN {expr} ELSE {stars(text)} END"
        if is_text:
            rules.add(f"{raw} IS NOT NULL AND {typed} IS NULL AND NOT {is_placeholder(raw)}",
                      f"unparseable {canonical}", canonical,
                      raw_text, fix or (RATING_FIX if canonical == "rating" else
                                        f"{canonical} must be a {'number' if kind == 'float' else 'whole number'}; "
                                        "use a dot as decimal separator and no thousands separator"))
            if kind == "float" and not formats:   # 1.299 beside 12,50: a thousands dot, not 1.299
                rules.add(f"{typed} IS NOT NULL AND regexp_matches({raw_text}, '^[-+]?[0-9]{{1,3}}([.][0-9]{{3}})+$') "
                          f"AND bool_or(regexp_matches({raw_text}, '^[-+]?[0-9]*,[0-9]+$')) OVER ()",
                          f"ambiguous {canonical} (a thousands separator?)", canonical, raw_text,
                          f"other values of {canonical} use a decimal comma (12,50), so a dot here may "
                          "separate thousands (1.299 = 1299): write numbers with a dot as the decimal "
                          "separator and no thousands separator")
        if kind == "int":  # a cast to BIGINT rounds: 2.5 items would silently become 3
            rules.add(f"{typed} IS NOT NULL AND TRY_CAST({raw_text} AS DOUBLE) <> {typed}",
                      f"{canonical} not a whole number", canonical, raw_text,
                      f"{canonical} counts things: write a whole number such as 2")
        if kind == "float":  # NaN, inf and overflowing literals (1e309) would poison every mean
            rules.add(f"{typed} IS NOT NULL AND (isnan({typed}) OR isinf({typed}))",
                      f"non-finite {canonical} (NaN or infinity)", canonical, raw_text,
                      f"{canonical} must be a finite number; remove NaN, inf and values beyond ±1e308")
    else:
        seen: list = []      # the local times converted from tz: the clock may skip or repeat them (D147)
        expr = _timestamp_expr(col, text, src_type, time_format, tz, kind_by, seen)
        if formats:            # 09.03.2024 18:56, 3/9/2024 6:56 PM: as the column's values showed
            parsed = time_formats_sql(text, formats)
            seen.append((parsed, {"alone": no_time_written(text), "kind": kind_by}))
            local = day_or_utc(parsed, tz, **seen[-1][1]) if tz else parsed
            expr = f"COALESCE({expr}, {local})"
        if serials and is_text and not time_format:   # a whole number: a date cell, its day (D126)
            seen.append((f"CASE WHEN {serial(text)} THEN {from_serial(text, None)} END",
                         {"alone": f"regexp_full_match({text}, '[0-9]+')"}))
            stamp = (day_or_utc(seen[-1][0], tz, **seen[-1][1])
                     if tz else from_serial(text, None))   # no window: it would read every row as a number
            expr = f"CASE WHEN {serial(text)} THEN {stamp} ELSE {expr} END"
        if tz and seen:      # the kept table carries it as _tz_<column>; counted by clock_notes
            rules.clocks.append(q("_tz_" + canonical))
            rules.inner.append("COALESCE(" + ", ".join(day_or_utc(v, tz, **o, flag=True) for v, o in seen)
                               + f") AS {rules.clocks[-1]}")
        stored = src_type.upper()
        if time_format in EPOCHS:   # a number far out of range (milliseconds read as seconds)
            rules.add(f"{raw} IS NOT NULL AND {typed} IS NULL AND TRY_CAST({raw_text} AS DOUBLE) IS NOT NULL",
                      f"implausible {canonical} (before 1900 or after 2100)", canonical, raw_text,
                      f"as {time_format} these numbers are no time in 1900–2100: check the unit (unix: "
                      "seconds, unix_ms: milliseconds, unix_us: microseconds)")
        if is_text or time_format in EPOCHS:
            rules.add(f"{raw} IS NOT NULL AND {typed} IS NULL AND NOT {is_placeholder(raw_text)}",
                      f"unparseable {canonical}", canonical, raw_text, fix or TIME_FIX)
        elif not (stored.startswith("TIMESTAMP") or stored == "DATE"):  # e.g. int64 seconds in Parquet
            rules.add(f"{raw} IS NOT NULL AND {typed} IS NULL",
                      f"{canonical} stored as {stored}, not as a time", canonical, raw_text,
                      "pass time_format='unix' (seconds), 'unix_ms' or 'unix_us' for epoch numbers, or store "
                      "the column as a timestamp")
        rules.add(f"{typed} < TIMESTAMP '1900-01-01' OR {typed} >= TIMESTAMP '2101-01-01'",
                  f"implausible {canonical} (before 1900 or after 2100)", canonical, raw_text,
                  "check the time unit (seconds vs milliseconds) or the format")
        alone = _written_alone(raw, time_format) if dated and is_text else None
        if alone:              # which rows are dates alone, as the text shows (D140)
            rules.dated = dated_row(typed, alone)
        rules.add(f"{typed} = TIMESTAMP '1970-01-01 00:00:00'",      # an unknown time written as 0
                  f"{canonical} at 1970-01-01 00:00:00 (time zero of Unix clocks: a missing time)", canonical,
                  raw_text, "leave the time blank where the export does not know it")
    if required:                   # a placeholder that did not parse is a missing value too
        missing = (f"({raw} IS NULL OR ({typed} IS NULL AND {is_placeholder(raw_text)}))"
                   if is_text and kind in ("float", "int", "timestamp") else f"{raw} IS NULL")
        rules.checks.insert(0, (missing, f"missing {canonical}", canonical, "NULL",
                                f"every row needs a value in {canonical}"))
    else:
        rules = rules.rules
    rules.inner.append(f"{expr} AS {typed}")
    rules.names.append(canonical)


class _Optional:
    """:class:`_Rules` seen by an optional column: its checks become blanks (the value left
    blank and counted, the row kept; :func:`_stage`)."""

    def __init__(self, rules: _Rules):
        self.rules = rules

    def add(self, cond: str, reason: str, column: str, raw: str, fix: str = "") -> None:
        self.rules.blank(cond, reason, column, raw, fix)


def _date_part(time_format: str) -> str | None:
    """The date of a ``time_format`` that writes the date first and then the time of day, or None.

    Examples
    --------
    >>> _date_part("%Y-%m-%d %H:%M:%S"), _date_part("%d/%m/%Y %I:%M %p"), _date_part("%Y%m%dT%H%M")
    ('%Y-%m-%d', '%d/%m/%Y', '%Y%m%d')
    >>> _date_part("%H:%M %d.%m.%Y"), _date_part("%Y-%m-%d"), _date_part("%Y-%m-%dT%H:%M:%S%z")
    (None, None, '%Y-%m-%d')
    """
    import re

    at = re.search(r"%[HIMSpfz]", time_format)          # the first directive of the time of day
    day = time_format[:at.start()].rstrip(" T,") if at else ""
    return day if "%" in day else None


def _written_alone(text: str, time_format) -> str | None:
    """SQL: the text ``text`` of a time was written as a date alone — no time of day, or (with a
    ``time_format`` that has a date part) read by that date part only (D125); None when no value
    can be: a format of epoch numbers, of the time first, or of dates only (every value a day)."""
    if not time_format:
        return no_time_written(text)
    if time_format in EPOCHS or not _date_part(time_format):
        return None
    return f"try_strptime({text}, {lit(time_format)}) IS NULL"


def _timestamp_expr(col: str, text: str, src_type: str, time_format, tz, kind_by=None, seen=None) -> str:
    """SQL of the column's naive UTC time; with ``tz``, a value that is a day stays that day
    (:func:`jmtools.sources._local_days.day_or_utc`, D126). ``seen`` gets each local time
    converted, with its options."""
    t = src_type.upper()

    def to_utc(e, alone="FALSE"):
        if seen is not None:
            seen.append((e, {"alone": alone, "kind": kind_by}))
        return day_or_utc(e, tz, alone=alone, kind=kind_by) if tz else e
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        return f"timezone('UTC', {col})"
    if t.startswith("TIMESTAMP") or t == "DATE":
        return to_utc(f"CAST({col} AS TIMESTAMP)", alone="TRUE" if t == "DATE" else "FALSE")
    if time_format in EPOCHS:     # far beyond 1900-2100: no time (a rejected row), not an overflow
        x = f"(TRY_CAST({text} AS DOUBLE) / {EPOCHS[time_format]})"
        return f"CASE WHEN abs({x}) < 4102444800 THEN timezone('UTC', to_timestamp({x})) END"
    if time_format:
        whole = f"try_strptime({text}, {lit(time_format)})"
        parsed, alone = whole, "FALSE" if re.search(r"%[HIMSpfzTRXc]", time_format) else "TRUE"
        day = _date_part(time_format)
        if day:     # a value with its date only ("2024-03-02" under "%Y-%m-%d %H:%M"): that day, 00:00
            parsed, alone = f"COALESCE({whole}, try_strptime({text}, {lit(day)}))", f"{whole} IS NULL"
        if "%z" in time_format or "%Z" in time_format:
            return f"timezone('UTC', {parsed})"
        return to_utc(parsed, alone)
    if tz:
        return (f"CASE WHEN regexp_matches({text}, {lit(_TS_WITH_OFFSET)}) "
                f"THEN timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ)) "
                f"ELSE {to_utc(f'TRY_CAST({text} AS TIMESTAMP)', no_time_written(text))} END")
    return f"timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ))"


def _survey_rules(rules: _Rules, scales: dict, seen: dict) -> None:
    metric, score = q("metric"), q("score")
    names = ", ".join(lit(m) for m in scales)
    rules.inner = [f"lower(NULLIF(TRIM(CAST({e.rsplit(' AS ', 1)[0]} AS VARCHAR)), '')) AS {metric}"
                   if e.endswith(f"AS {metric}") else e for e in rules.inner]
    rules.add(f"{metric} NOT IN ({names})", "unknown metric", "metric", metric,
              f"metric must be one of {', '.join(scales)}; declare others with scales={{'name': (low, high)}}")
    for m, found in seen.items():       # a CSAT on 1–10: none of it scored on 1–5 (D175)
        rules.add(*other_scale_rule(m, found, scales[m]))
    for m, s in scales.items():
        rules.add(f"{metric} = {lit(m)} AND {score} IS NOT NULL AND ({score} < {s.low} OR {score} > {s.high})",
                  f"{m} score outside {s.low}–{s.high}", "score", f"CAST({score} AS VARCHAR)", off_scale_fix(m))


def _infer_extra(raw, view: str, cols: list[str], header_again: str | None = None,
                 codes: bool = False) -> dict[str, str]:
    """For text columns that are not canonical: the narrowest type every value casts to (rows
    that repeat the header, ``header_again``, left out); with ``codes``, a column with a value
    written with a leading zero (``01234``: a postcode, a code) stays text."""
    if not cols:
        return {}
    checks = []
    for i in range(len(cols)):
        t = f"_t{i}"                  # the column's value, N/A, NULL, - … made NULL (PLACEHOLDERS)
        code = f" AND count(CASE WHEN regexp_matches(TRIM({t}), '^[+-]?0[0-9]') THEN 1 END) = 0" if codes else ""
        for typ in ("BIGINT", "DOUBLE", "BOOLEAN", "TIMESTAMP"):
            if typ == "BIGINT":  # TRY_CAST('0.84' AS BIGINT) rounds to 1: require whole numbers
                checks.append(f"count({t}) = count(CASE WHEN TRY_CAST({t} AS DOUBLE) = "
                              f"TRY_CAST({t} AS BIGINT) THEN 1 END){code}")
            else:
                checks.append(f"count({t}) = count(TRY_CAST({t} AS {typ})){code if typ == 'DOUBLE' else ''}")
    row = raw.execute(f"SELECT {', '.join(checks)} FROM {cleaned_once(view, cols, header_again)}").fetchone()
    out = {}
    for i, c in enumerate(cols):
        ok = row[i * 4:(i + 1) * 4]
        out[c] = next((typ for typ, good in zip(("BIGINT", "DOUBLE", "BOOLEAN", "TIMESTAMP"), ok)
                       if good), "VARCHAR")
    return out


_WORDS = {"BIGINT": "whole number", "DOUBLE": "number", "BOOLEAN": "true/false value", "TIMESTAMP": "time"}


# ---------------------------------------------------------------- the load

def load_duckdb(src, spec: TableSpec, *, con, columns=None, time_format=None, tz=None,
                encoding=None, sheet=None, scales=None, read_options=None, metrics=None, constants=None,
                amount_unit=None, decimal=None, source_name: str | None = None, optional=True,
                non_answers=None, stitch=None, keep_anonymous=False, _is_view: bool = False,
                partition: dict | None = None) -> LoadedTable:
    """Load ``src`` into a DuckDB table of kind ``spec``; see :func:`jmtools.sources.load_events`
    (``partition``: a part file's ``key=value`` folders, typed, as columns; D264)."""
    raw = con.con
    name = unique_name(spec.kind)
    opened = open_input(raw, src, view=name + "_raw", encoding=encoding, sheet=sheet,
                        read_options=read_options or {}, is_view=_is_view, dates=not time_format)
    view, label = opened.view, source_name or opened.label
    view = with_partition(raw, view, partition, label) if partition else view
    named, repeated = check_repeated(opened.repeated, spec, {"columns": columns, "metrics": metrics}, optional,
                                     label, opened.header_line, normalise_name)
    columns, metrics = named["columns"], named["metrics"]
    file_rows = None                        # the file's rows, when they are not the rows read (D195)
    if metrics is not None:                 # one column per question: one row per answer
        view, note, file_rows = answers_per_row(raw, view, metrics, label, scales)
        opened.notes.append(note)
    if constants is not None:               # one value for a column the file lacks
        view, columns, note = with_constants(raw, view, constants, spec, columns, [
            r[0] for r in raw.execute(f"DESCRIBE SELECT * FROM {q(view)}").fetchall() if r[0] != ROW],
            label, normalise_name)
        opened.notes.append(note)
    described = raw.execute(f"DESCRIBE SELECT * FROM {q(view)}").fetchall()
    types = {r[0]: r[1] for r in described if r[0] != ROW}
    mapping, notes = resolve_columns(list(types), spec, columns, label, optional)
    notes = opened.notes + repeated + notes
    _check_tz(raw, tz, time_format)
    device = resolve_stitch(stitch, list(types), label) if stitch else None   # D244

    check_storage(spec, mapping, types, label)
    extras = [c for c in mapping if spec.column(c) is None]
    if opened.lines == "excel" and not time_format:
        notes.extend(serial_notes(raw, view, spec, mapping, types))
    notes.extend(star_notes(raw, view, spec, mapping, types))
    named = _header_again(spec, mapping, types) if opened.lines in ("csv", "excel") else []
    header_again = " AND ".join(f"TRIM({q(src)}) = {lit(src.strip())}" for _, src in named) or None
    texts = [mapping[c] for c in extras if types[mapping[c]].upper() == "VARCHAR" and mapping[c] not in (partition or ())
             and (opened.lines or spec.kind == "customers")]    # typed input: only what persona rules read
    inferred = _infer_extra(raw, view, texts, header_again, codes=not opened.lines or spec.kind == "customers")
    amounts = _amount_columns(raw, view, [s for s in texts if inferred[s] == "VARCHAR"], header_again,
                              decimal) if spec.kind == "customers" else {}    # €14,99 / $1,044.01 (D136)
    if not opened.lines:     # a frame or Parquet read with dtype=str: ages as text made every persona rule fail
        notes.extend(f"column {s!r} holds text whose every value is a {_WORDS[inferred[s]]}: read as such"
                     for s in texts if inferred[s] != "VARCHAR")
    read_as = decimal_read_as(spec, mapping, types, decimal)   # decimal=: as the user says
    while True:       # a row counts its first refused value only: a column is seen once the one before is read
        rules, inner = _build(raw, view, spec, mapping, types, opened, extras, inferred, time_format=time_format,
                              tz=tz, scales=scales, read_as=read_as, amounts=amounts, non_answers=non_answers,
                              device=device, keep_anonymous=keep_anonymous)
        table = _stage(raw, inner, name, rules, spec, src if opened.label != "DuckDB table" else None)
        found = refused_columns(raw, view, table, rules, spec, mapping, times=not time_format, known=read_as)
        read_as.update(found)
        if not any(r.formats for r in found.values()):
            put_fixes(rules, read_as)
            break
        raw.execute(f"DROP TABLE {q(table)}")     # read again, with the formats the values fit
    notes.extend([r.note for r in read_as.values() if r.note] + [a.note for a in amounts.values()])
    if device:           # rows stitched, devices shared, devices never identified (D244)
        never = next((i for i, c in enumerate(rules.checks) if c[1] == never_check(device)[1]), None)
        notes.extend(stitch_notes(raw, table, device, f"(_rc IS NULL OR _rc > {len(rules.checks)})",
                                  never, keep_anonymous))
    if tz:
        notes.append(f"timestamps read as local time in {tz} and converted to UTC; a date alone "
                     "stays its day" + (" (so do event kinds recorded at 00:00 only)" if spec.kind == "events" else ""))
    accounting = _account(raw, table, inner, label, spec, rules, opened, notes)
    accounting.notes.extend(clock_notes(raw, q(table), rules.clocks, tz, lambda rows: _lines(opened, rows, [])))
    if spec.kind == "events":                 # a log exported newest first: ties oldest first
        accounting.notes.extend(oldest_first(raw, table))
    if spec.kind == "orders":                 # amounts in cents or with thousands dots: a note when they look so
        accounting.notes.extend(amount_notes(raw, table, view, mapping, types, amount_unit)
                                + thousands_notes(raw, view, mapping, types, decimal))
    for made in (view, opened.view + "_answers"):
        if made != opened.view:
            raw.execute(f"DROP VIEW IF EXISTS {q(made)}")
    if opened.lines in ("csv", "json"):       # the text copy of the file is no longer needed
        raw.execute(f"DROP TABLE IF EXISTS {q(opened.view)}")
    keep = [c for c in spec.names if c in mapping] + [c for c in extras]   # the canonical order
    if spec.kind == "events":
        keep.append("_row")
    if rules.dated and DATED not in rules.names and raw.execute(      # only when some row is (D140)
            f"SELECT count(*) FROM {q(table)} WHERE {DATED}").fetchone()[0]:
        keep.append(DATED)
    ibis_table = con.table(table).select(*keep)
    if spec.kind in WITHOUT_CUSTOMER and "customer_id" in mapping:     # store reviews (D244)
        accounting.notes.extend(without_customer_note(raw, table, label))
    accounting.rows_in_file = file_rows
    return LoadedTable(spec.kind, ibis_table, accounting)


def _header_again(spec: TableSpec, mapping: dict, types: dict) -> list:
    """The first three text columns: (canonical, source) pairs whose names make a header line."""
    return [(c.name, mapping[c.name]) for c in spec.columns if c.name in mapping
            and types[mapping[c.name]].upper() == "VARCHAR" and not mapping[c.name].startswith(CONSTANT)][:3]


def _build(raw, view: str, spec: TableSpec, mapping: dict, types: dict, opened, extras: list,
           inferred: dict, *, time_format, tz, scales, read_as: dict, amounts: dict, non_answers=None,
           device: str | None = None, keep_anonymous: bool = False):
    """The checks and the typed ``SELECT`` of one load (``read_as``: how a time or number
    column's values were found to be written, :func:`jmtools.sources._reread.refused_columns`)."""
    rules = _Rules()      # under tz, an event kind whose every value is at 00:00 keeps its days (D126)
    kind_by = q(mapping["event"]) if tz and spec.kind == "events" and "event" in mapping else None
    for col in spec.columns:
        if col.name in mapping:
            found = read_as.get(col.name)
            _typed_column(rules, col.name, col.kind, col.required, mapping[col.name],
                          types[mapping[col.name]], time_format=time_format, tz=tz,
                          serials=opened.lines == "excel", formats=found.formats if found else (),
                          fix=found.fix if found else "", kind_by=kind_by,
                          dated=spec.kind == "events" and col.name == "timestamp")
    if spec.kind == "surveys":
        _survey_rules(rules, scales, other_scales(raw, view, mapping, scales))
    if spec.kind == "orders" and "amount" in mapping:
        rules.add(f"{q('amount')} < 0", NEGATIVE_AMOUNT[0], "amount", q("amount"), NEGATIVE_AMOUNT[1])
    # files joined together repeat their header line: a row, not data (its text would make
    # every extra column text, and a persona rule on age fail)
    named = _header_again(spec, mapping, types) if opened.lines in ("csv", "excel") else []
    if named:
        rules.checks.insert(0, (" AND ".join(f"{q('_t_' + n)} = {lit(src.strip())}" for n, src in named),
                                "the header line repeated", named[0][0], q("_t_" + named[0][0]),
                                "files joined together repeat their header: delete the repeated "
                                "header lines"))
    for c in extras:
        s = mapping[c]
        typ = inferred.get(s)
        if s in amounts:      # an amount column: a value that does not read is blanked and located
            rules.inner += [f"{amounts[s].sql} AS {q(c)}", f"{missing_to_null(q(s))} AS {q('_t_' + c)}"]
            cond, reason, fix = _unread_check(s, q("_t_" + c), q(c))
            rules.blank(cond, reason, c, q("_t_" + c), fix)
        else:
            rules.inner.append(f"TRY_CAST(NULLIF(TRIM({q(s)}), '') AS {typ}) AS {q(c)}"
                               if typ and typ != "VARCHAR" else f"{q(s)} AS {q(c)}")
        rules.names.append(c)
    not_data_checks(rules, raw, view, spec, mapping, opened, non_answers)   # no answer, blank, totals
    if device:
        rules.inner.append(device_sql(device, types[device]))
    inner = f"SELECT {', '.join(rules.inner)}, {_row_number(raw, view, opened)} AS _row FROM {q(view)}"
    if "customer_id" in mapping:
        inner = stitched(rules, inner, spec.kind, mapping, types, device, keep_anonymous)
    return rules, inner


def _row_number(raw, view: str, opened) -> str:
    """SQL of the input row number: 4 bytes (UINTEGER) when the input has fewer than 2^32 rows,
    which files and frames say without a scan (Parquet from its metadata); else BIGINT."""
    if opened.label != "DuckDB table":             # a view over any query would run it: not asked
        n = raw.execute(f"SELECT count(*) FROM {q(view)}").fetchone()[0]
        if n < 2**32:
            return f"CAST({ROW} AS UINTEGER)"
    return ROW


def _check_tz(raw, tz, time_format) -> None:
    if tz:
        known = [r[0] for r in raw.execute("SELECT name FROM pg_timezone_names()").fetchall()]
        if tz not in known:
            raise ParameterError("tz", tz, expected="an IANA time zone such as 'Europe/Berlin'",
                                 fix=f"did you mean {suggest(tz, known)!r}?" if suggest(tz, known)
                                 else "see the list in pg_timezone_names()")
    if time_format and time_format not in EPOCHS:
        try:
            raw.execute(f"SELECT try_strptime('2024-01-01', {lit(time_format)})").fetchall()
        except Exception as exc:
            raise ParameterError("time_format", time_format,
                                 expected="a strptime format such as '%d/%m/%Y %H:%M'",
                                 fix=str(exc).splitlines()[0]) from None


def _stage(raw, inner: str, name: str, rules: _Rules, spec: TableSpec, path) -> str:
    """Create the table of typed rows; ``_rc`` is the index of the failed check (NULL: row kept;
    ``len(rules.checks)``: a duplicate id), the only column added to every row (the reasons'
    examples are fetched later, for the few rejected rows)."""
    import duckdb

    base = len(rules.checks) + 1              # codes from here: a blanked value, the row kept
    whens = [f"WHEN {c[0]} THEN {i}" for i, c in enumerate(rules.checks)]
    # each check of an optional column is computed once, as a column "_bj": it blanks the value
    # and gives the row's code (when no check rejects the row)
    whens += [f"WHEN _b{j} THEN {base + j}" for j in range(len(rules.blanks))]
    code = f"CAST(CASE {' '.join(whens)} END AS UTINYINT)" if whens else "CAST(NULL AS UTINYINT)"
    blanked: dict[str, list[str]] = {}
    for j, (_, _, column, _, _) in enumerate(rules.blanks):
        blanked.setdefault(column, []).append(f"_b{j}")
    kept = ", ".join(f"CASE WHEN {' OR '.join(blanked[n])} THEN NULL ELSE {q(n)} END AS {q(n)}"
                     if n in blanked else q(n) for n in rules.names)
    if rules.blanks:
        flags = ", ".join(f"coalesce({b[0]}, false) AS _b{j}" for j, b in enumerate(rules.blanks))
        inner = f"SELECT *, {flags} FROM ({inner})"
    dated = f", {rules.dated} AS {DATED}" if rules.dated and DATED not in rules.names else ""
    carried = "".join(", " + q(c) for c in rules.carried)
    sql = (f"SELECT {kept}, _row, {code} AS _rc{dated}{''.join(', ' + c for c in rules.clocks)}{carried} "
           f"FROM ({inner})")
    order = " ORDER BY _row" if rules.carried else ""    # a stitch's join keeps no order (D244)
    if spec.unique in rules.names:        # an optional id (survey_id) the input lacks: nothing to check
        key, keeps = q(spec.unique), f"(_rc IS NULL OR _rc >= {base})"
        sql = (f"SELECT * EXCLUDE (_n) REPLACE (CASE WHEN {keeps} AND {key} IS NOT NULL AND _n > 1 "
               f"THEN {len(rules.checks)} ELSE _rc END AS _rc) FROM ("
               f"SELECT *, row_number() OVER (PARTITION BY {', '.join(map(q, (spec.unique, *spec.unique_per)))}, "
               f"{keeps} ORDER BY _row) AS _n "
               f"FROM ({sql}))")
        order = " ORDER BY _row"
    try:
        raw.execute(f"CREATE TABLE {q(name)} AS {sql}{order}")
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:  # Parquet read lazily
        if not isinstance(path, (str, os.PathLike)):
            raise
        raise parquet_error(exc, Path(path)) from None
    return name


_FIXES = {"duplicate": "ids must be unique; the first row with each id is kept",
          "structural": "check quoting and the number of delimiters on these lines"}


def _account(raw, table: str, inner: str, label: str, spec: TableSpec, rules: _Rules, opened,
             notes):
    import pandas as pd

    structural = opened.structural
    rows = raw.execute(
        f"SELECT _rc, count(*) AS n, list(DISTINCT _row ORDER BY _row)[1:5] AS rows FROM {q(table)} "
        f"WHERE _rc IS NOT NULL GROUP BY _rc ORDER BY n DESC, _rc").fetchall()
    total = raw.execute(f"SELECT count(*) FROM {q(table)}").fetchone()[0]
    per = f" for each {', '.join(spec.unique_per)}" if spec.unique_per else ""
    checks = list(rules.checks) + [(None, f"duplicate {spec.unique}", spec.unique, q(spec.unique or "_row"),
                                    _FIXES["duplicate"].replace("must be unique", f"must be unique{per}"))]
    by_kind: dict[str, list] = {}
    for line, kind, text in structural:
        by_kind.setdefault(kind, []).append((line, text))
    line_of = _lines(opened, [int(r) for _, _, rws in rows for r in rws],
                     [i[0] for items in by_kind.values() for i in items[:5]])
    records, skipped, base = [], [], len(rules.checks) + 1
    for rc, n, rws in rows:
        if rc >= base:                # a value left blank, the row kept
            _, reason, column, _, fix = rules.blanks[rc - base]
            lines = [line_of(r) for r in rws]
            notes.append(f"{int(n):,} value{'s' if n > 1 else ''} of {column} left blank, the "
                         f"row{'s' if n > 1 else ''} kept: {reason} (line{'s' if n > 1 else ''} "
                         f"{', '.join(map(str, lines))}{' …' if n > len(lines) else ''}); {fix}")
            continue
        _, reason, column, bad, fix = checks[rc]
        found = dict(raw.execute(f"SELECT _row, CAST({bad} AS VARCHAR) FROM ({inner}) "
                                 f"WHERE _row IN ({', '.join(str(int(r)) for r in rws)})").fetchall())
        (skipped if rc < rules.skipped else records).append(
            (reason, column, int(n), [line_of(r) for r in rws], [found.get(r) for r in rws], fix))
    for kind, items in by_kind.items():            # a JSON file names its own kinds and fixes
        records.append((f"malformed line ({kind.lower() if kind.isupper() else kind})", None, len(items),
                        [line_of(None, i[0]) for i in items[:5]], [i[1].strip() for i in items[:5]],
                        getattr(opened, "fixes", {}).get(kind, _FIXES["structural"])))
    notes += differing_duplicates(raw, table, spec, rules.names, [rc for rc, _, _ in rows], base)   # D179
    reasons = pd.DataFrame(records, columns=REASON_COLUMNS)
    rejected = int(reasons["n"].sum()) if len(reasons) else 0
    set_aside = sum(r[2] for r in skipped)
    if any(rc < base for rc, _, _ in rows):
        raw.execute(f"DELETE FROM {q(table)} WHERE _rc < {base}")
    if opened.lines not in ("csv", "excel", "json") and len(reasons):
        notes.append("row numbers are 1-based positions in the input (it has no file lines)")
    return Accounting(label, spec.kind, rows_read=int(total) + len(structural),
                      rows_used=int(total) - (rejected - len(structural)) - set_aside, rows_rejected=rejected,
                      reasons=reasons, notes=notes, rows_skipped=set_aside,
                      skipped=pd.DataFrame(skipped, columns=REASON_COLUMNS))


def _lines(opened, rows: list[int], malformed: list[int]):
    """``line_of(row)`` / ``line_of(None, duckdb_line)``: the file line where a record starts.

    Records are lines unless a quoted value spans lines or blank lines are skipped; then the
    CSV file itself says where each listed record starts (:class:`~jmtools.sources._lines.CsvLines`).
    """
    offset = opened.header_line if opened.lines in ("csv", "excel") else 0   # header line
    structural = opened.structural
    exact_rows, exact_bad = {}, {}
    if opened.csv_lines is not None and (rows or malformed) and not opened.csv_lines.simple():
        exact_rows, exact_bad = opened.csv_lines.locate(rows, malformed)

    def line_of(row, duck_line=None) -> int:
        if row is None:
            return exact_bad.get(duck_line, duck_line)
        if row in exact_rows:
            return exact_rows[row]
        line = row + offset
        for bad_line, _, _ in structural:          # sorted ascending
            if bad_line <= line:
                line += 1
        return line
    return line_of
