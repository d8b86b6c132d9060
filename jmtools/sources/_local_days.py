"""Dates alone under ``tz=``: a value that holds only a date is that day, not an instant (D126).

With ``tz="Europe/Berlin"`` a time of day is local and converted to UTC (``2024-03-02 10:00``
→ ``09:00``). A date alone (``2024-03-02``) is a calendar day, not the instant the day begins
there: converted, it became ``2024-03-01 23:00`` — the day before, and no longer at 00:00, so
the evidence step no longer saw its kind as date-only (D15, D122). Such a value is kept as
that day at 00:00, as the rest of the kit reads days (:mod:`jmtools.evidence._days`).

A value is a day when it reads as 00:00 local time and either is written without a time of
day (``2024-03-02``, ``02.03.2024``, a ``DATE`` column, a whole Excel date number, a value read
by a ``time_format``'s date part, D125), or, in an event log, belongs to an event kind whose
every value reads as 00:00 (``2024-03-02 00:00:00``, a midnight timestamp of a frame or
Parquet file: the kind D15 calls date-only). Every other value is converted as before.

Without a zone the same knowledge is kept per row (D140): an event log some of whose values are
written as a date alone gets the column :data:`DATED` (true on those rows), so that the evidence
step places them as it places a date-only kind's events, even inside a kind that has times.

Twice a year a zone's clock jumps (D147). A local time in the hour skipped in spring
(``29.03.2026 02:30`` in Berlin) does not exist: it is read as the first time that does (03:00,
01:00 UTC), so it stays between the times written before and after it, and a note counts it. A
local time in the hour that happens twice in autumn (``25.10.2026 02:40``) is read as its first
occurrence (summer time, 00:40 UTC), with a note too: nothing in the value says which was meant —
unless the order of the file does (D185): a customer's ``02:50`` then ``02:10`` in that hour is
02:50 summer time, then 02:10 winter time (01:10 UTC), and the note says how many were read so.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

from jmtools.sources._order import newest_first
from jmtools.sources._values import lit, q

__all__ = ["DATED", "dated_row", "day_or_utc", "no_time_written", "local_to_utc", "clock_notes"]

#: The event log's column that marks the rows whose time was written as a date alone (D140):
#: present only when some row is; read by :func:`jmtools.evidence.prepare`.
DATED = "_dated"


def no_time_written(text: str) -> str:
    """SQL: the text ``text`` writes no time of day (no ``h:mm``).

    Examples
    --------
    >>> import duckdb
    >>> duckdb.sql("SELECT " + no_time_written("'2024-03-02'") + ", "
    ...            + no_time_written("'2024-03-02 00:00'")).fetchone()
    (True, False)
    """
    return f"NOT regexp_matches({text}, '[0-9]:[0-9]')"


def dated_row(typed: str, alone: str) -> str:
    """SQL: the row's time ``typed`` (naive UTC) is a date alone: it is 00:00 and ``alone``
    (SQL over the text as written, e.g. :func:`no_time_written`) holds. ``alone`` is evaluated
    only for the rows at 00:00, so a log with times pays one comparison a row.

    Examples
    --------
    >>> import duckdb
    >>> rows = "(VALUES ('2024-03-02'), ('2024-03-02 00:00:00'), ('2024-03-02 14:31:07')) v(t)"
    >>> sql = dated_row("CAST(t AS TIMESTAMP)", no_time_written("t"))
    >>> [r[0] for r in duckdb.sql(f"SELECT {sql} FROM {rows}").fetchall()]
    [True, False, False]
    """
    return f"CASE WHEN {typed} = date_trunc('day', {typed}) THEN coalesce({alone}, FALSE) ELSE FALSE END"


def local_to_utc(local: str, tz: str) -> str:
    """SQL: the local time ``local`` (a naive ``TIMESTAMP`` in ``tz``) as naive UTC (D147).

    A time the clock skips (spring) is the first time after the gap that exists; a time the
    clock shows twice (autumn) is its first occurrence.

    Examples
    --------
    >>> import duckdb
    >>> at = lambda t: duckdb.sql("SELECT " + local_to_utc(f"TIMESTAMP '{t}'", "Europe/Berlin")).fetchone()[0]
    >>> [str(at(t)) for t in ("2026-03-29 01:50", "2026-03-29 02:30", "2026-03-29 03:10")]
    ['2026-03-29 00:50:00', '2026-03-29 01:00:00', '2026-03-29 01:10:00']
    >>> [str(at(t)) for t in ("2026-10-25 02:40", "2026-10-25 03:00", "2026-07-01 12:00")]
    ['2026-10-25 00:40:00', '2026-10-25 02:00:00', '2026-07-01 10:00:00']
    """
    z, l = lit(tz), "_l"                # a lambda: the value is read once, however often used
    utc = f"timezone('UTC', timezone({z}, {l}))"          # DuckDB: the zone's standard offset
    earlier = f"{utc} - {_shift(l, z)}"        # the clock shows l twice: this is the first
    return (f"list_transform([{local}], lambda {l}: CASE WHEN NOT {_near_change(l, tz)} THEN {utc} "
            f"WHEN {_skipped(l, z)} THEN {_gap_end(l, z, utc)} WHEN {_twice(l, z)} THEN {earlier} "
            f"ELSE {utc} END)[1]")


@lru_cache(maxsize=16)
def _change_days(tz: str) -> tuple[int, ...]:
    """Days since 1970-01-01 near which the clock of ``tz`` jumps, 1900–2100 (from Python's
    zone data, checked at each midnight UTC): every local day a jump between two UTC midnights
    can fall on."""
    from zoneinfo import ZoneInfo

    zone, start = ZoneInfo(tz), datetime(1900, 1, 1, tzinfo=timezone.utc)
    epoch, days, before = (start - datetime(1970, 1, 1, tzinfo=timezone.utc)).days, set(), None
    for i in range(201 * 366):
        now = (start + timedelta(days=i)).astimezone(zone).utcoffset()
        if before is not None and now != before:
            days.update(range(epoch + i - 2, epoch + i + 2))
        before = now
    return tuple(sorted(days))


def _near_change(l: str, tz: str) -> str:
    """SQL: ``l`` falls on a calendar day (month and day, any year) near which the clock of ``tz``
    jumps in some year of 1970–2100 — a cheap superset the exact checks then decide; a list of
    day numbers cost a second per million values, this costs nothing measurable."""
    codes = _change_codes(tz)
    return f"((month({l}) * 32 + day({l})) IN ({', '.join(map(str, codes))}))" if codes else "FALSE"


@lru_cache(maxsize=16)
def _change_codes(tz: str) -> tuple[int, ...]:
    """``month * 32 + day`` of the days :func:`_change_days` lists in 1970–2100."""
    epoch = datetime(1970, 1, 1)
    return tuple(sorted({(epoch + timedelta(days=d)).month * 32 + (epoch + timedelta(days=d)).day
                         for d in _change_days(tz) if 0 <= d <= 47482}))


def _gap_end(l: str, z: str, utc: str) -> str:
    """SQL: the instant the clock jumps over the skipped local time ``l``. The time after the
    jump is the hour (the day, or the minute after the hour: older rules) ``l`` falls in plus
    the jump, taken when it exists and the second before it shows a time before ``l``."""
    jump = f"(timezone({z}, timezone({z}, {l})) - {l})"
    whens = []
    for start in (f"date_trunc('hour', {l})", f"date_trunc('day', {l})",
                  f"(date_trunc('hour', {l}) + INTERVAL 1 MINUTE)"):
        end = f"({start} + {jump})"
        at = f"timezone('UTC', timezone({z}, {end}))"
        whens.append(f"WHEN {end} > {l} AND NOT {_skipped(end, z)} AND "
                     f"timezone({z}, timezone('UTC', {at} - INTERVAL 1 SECOND)) < {l} THEN {at}")
    return f"CASE {' '.join(whens)} ELSE {utc} END"


def _skipped(l: str, z: str) -> str:
    """SQL: no instant shows the local time ``l`` (the clock jumps over it)."""
    return f"(timezone({z}, timezone({z}, {l})) <> {l})"


def _shift(l: str, z: str) -> str:
    """SQL: how much larger the offset was three hours before the instant DuckDB reads ``l`` as."""
    x = f"timezone({z}, {l})"
    return f"({_offset(f'({x} - INTERVAL 3 HOUR)', z)} - ({l} - timezone('UTC', {x})))"


def _offset(instant: str, z: str) -> str:
    """SQL: the zone's offset (an interval) at ``instant`` (a ``TIMESTAMPTZ``)."""
    return f"(timezone({z}, {instant}) - timezone('UTC', {instant}))"


def _twice(l: str, z: str) -> str:
    """SQL: the clock shows ``l`` twice (an earlier instant, with a larger offset, shows it too)."""
    utc = f"timezone('UTC', timezone({z}, {l}))"
    return (f"CASE WHEN {_shift(l, z)} > INTERVAL 0 SECOND "
            f"THEN timezone({z}, timezone('UTC', {utc} - {_shift(l, z)})) = {l} ELSE FALSE END")


def _clock(local: str, tz: str) -> str:
    """SQL: 1 when ``local`` is a time the clock skips, 2 when it shows it twice, else NULL."""
    z, l = lit(tz), "_l"
    return (f"list_transform([{local}], lambda {l}: CASE WHEN NOT {_near_change(l, tz)} THEN NULL "
            f"WHEN {_skipped(l, z)} THEN 1 WHEN {_twice(l, z)} THEN 2 END)[1]")


def clock_notes(raw, table: str, flags: list, tz: str, lines) -> list[str]:
    """Notes on the kept rows of ``table`` whose local time the clock skips or shows twice (D147),
    after reading as the second of the two each repeated time the file's order places so (D185,
    :func:`_read_second`).

    ``flags`` names the table's flag columns (``"_tz_timestamp"``: 1 skipped, 2 twice; from
    :func:`day_or_utc` with ``flag=True``); ``lines(rows)`` gives the function that turns an
    input row into its file line.
    """
    notes = []
    for flag in flags:
        column = flag.strip('"')[len("_tz_"):]
        _read_second(raw, table, flag, column, tz)
        found = raw.execute(f"SELECT least({flag}, 2), count(*), count(*) FILTER (WHERE {flag} = 3), "
                            f"list(_row ORDER BY _row)[1:3], arg_min({q(column)}, _row) FROM {table} "
                            f"WHERE {flag} IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
        line_of = lines([int(r) for *_, rows, _ in found for r in rows])
        for code, n, second, rows, first in found:
            s, where = "s" if n > 1 else "", ", ".join(str(line_of(int(r))) for r in rows) + (" …" if n > 3 else "")
            day, start, end = _clock_change(first, tz)
            notes.append(
                f"{n:,} value{s} of {column} in the hour the clock skips when summer time begins in {tz} "
                f"(line{s} {where}): no such local time exists, so each is read as the first time after "
                f"the jump (on {day} the clock went from {start} to {end}: {start[:3]}30 → {end}) and keeps "
                "its order with the times around it"
                if code == 1 else
                f"{n:,} value{s} of {column} in the hour the clock shows twice when summer time ends in {tz} "
                f"({start}–{end} on {day}) (line{s} {where}): " + _twice_words(n, second, start, end, tz, first))
    return notes


def _clock_change(utc, tz: str) -> tuple[str, str, str]:
    """The day and the hour of the clock change of ``tz`` nearest after ``utc`` (naive UTC of a
    value read in the skipped or repeated hour): ``(day, start, end)`` as local times, the hour
    skipped in spring (``start`` is when the clock jumps to ``end``), or the hour shown twice in
    autumn.

    Examples
    --------
    >>> _clock_change(datetime(2025, 3, 30, 1, 0), "Europe/London")
    ('2025-03-30', '01:00', '02:00')
    >>> _clock_change(datetime(2026, 3, 29, 1, 0), "Europe/Berlin")
    ('2026-03-29', '02:00', '03:00')
    >>> _clock_change(datetime(2026, 10, 25, 0, 40), "Europe/Berlin")
    ('2026-10-25', '02:00', '03:00')
    >>> _clock_change(datetime(2025, 10, 26, 1, 20), "Europe/London")    # read as the second
    ('2025-10-26', '01:00', '02:00')
    """
    from zoneinfo import ZoneInfo

    zone, at = ZoneInfo(tz), utc.replace(tzinfo=timezone.utc) - timedelta(hours=3)
    step = timedelta(minutes=1)
    for _ in range(27 * 60):          # a value read as the second of the two is after the change
        before, after = (at - step).astimezone(zone), at.astimezone(zone)
        if before.utcoffset() != after.utcoffset():
            shift = after.utcoffset() - before.utcoffset()
            low, high = (after - shift, after) if shift > timedelta(0) else (after, after - shift)
            return (after.strftime("%Y-%m-%d"), low.strftime("%H:%M"),
                    (high.replace(tzinfo=None)).strftime("%H:%M"))
        at += step
    return utc.strftime("%Y-%m-%d"), "", ""


def _twice_words(n: int, second: int, start: str = "02:00", end: str = "03:00", tz: str = "",
                 first=None) -> str:
    """How the ``n`` repeated local times were read, ``second`` of them as the second of the two;
    ``start``–``end`` the repeated hour, ``first`` (naive UTC) a value read in it."""
    summer = ""
    if tz and first is not None:
        from zoneinfo import ZoneInfo

        at = first.replace(tzinfo=timezone.utc)
        off = max((at + timedelta(hours=h)).astimezone(ZoneInfo(tz)).utcoffset() for h in (-2, 0, 2))
        hours, minutes = divmod(abs(int(off.total_seconds())) // 60, 60)
        summer = f" ({'+' if off >= timedelta(0) else '-'}{hours:02d}:{minutes:02d})"
    offset = f"; an export that writes the offset{summer or ' (+01:00)'} or UTC leaves nothing to guess"
    if not second:
        return ("each is read as the first of the two (summer time): neither the value nor the order "
                "of its customer's rows in the file tells otherwise" + offset)
    rest = n - second
    return (f"{second:,} read as the second of the two (winter time): in the order of the file, its "
            f"customer's times had already gone back within that hour ({start[:3]}50, then {start[:3]}10)"
            + (f", the other {rest:,} as the first (summer time), nothing telling otherwise" if rest else "")
            + offset)


def _read_second(raw, table: str, flag: str, column: str, tz: str) -> None:
    """Read as the second of the two the repeated local times whose customer's rows, in the
    order of the file, have already gone back within that hour (D185): ``02:50`` then ``02:10``
    on the night the clock goes back is 02:50 summer time, then 02:10 winter time. The rows of a
    customer are in the file's order when their times outside the repeated hour only go forward,
    in the reverse order when they only go back (a log exported newest first); a customer with
    no such pair follows the whole log (:func:`jmtools.sources._order.newest_first`), and one whose
    times go both ways cannot tell: its repeated times stay the first of the two. The rows read
    so get flag 3 and the later instant."""
    cols = {r[0] for r in raw.execute(f"DESCRIBE {table}").fetchall()}
    if "customer_id" not in cols or not raw.execute(
            f"SELECT count(*) FROM {table} WHERE {flag} = 2").fetchone()[0]:
        return
    ts, z = q(column), lit(tz)
    local = f"timezone({z}, timezone('UTC', {ts}))"
    default = -1 if newest_first(raw, table.strip('"'), ts) else 1
    way = (f"SELECT customer_id, CASE WHEN count(d) FILTER (WHERE d < 0) = 0 AND count(d) FILTER (WHERE d > 0) > 0 THEN 1 "
           f"WHEN count(d) FILTER (WHERE d > 0) = 0 AND count(d) FILTER (WHERE d < 0) > 0 THEN -1 "
           f"WHEN count(d) FILTER (WHERE d <> 0) = 0 THEN {default} END AS w FROM ("
           f"SELECT customer_id, sign(epoch_us({ts}) - epoch_us(lag({ts}) OVER (PARTITION BY customer_id "
           f"ORDER BY _row))) AS d FROM {table} WHERE {flag} IS DISTINCT FROM 2 AND customer_id IN "
           f"(SELECT customer_id FROM {table} WHERE {flag} = 2)) GROUP BY customer_id")
    twice = (f"SELECT t._row, t.customer_id, {ts} AS ts, CAST({local} AS DATE) AS day, "
             f"t._row * coalesce(w.w, {default}) AS o FROM {table} t LEFT JOIN ({way}) w USING (customer_id) "
             f"WHERE {flag} = 2 AND (w.w IS NOT NULL OR w.customer_id IS NULL)")
    back = ("ts < max(ts) OVER (PARTITION BY customer_id, day ORDER BY o "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)")
    later = ("SELECT _row FROM (SELECT _row, bool_or(coalesce(back, FALSE)) OVER (PARTITION BY customer_id, "
             f"day ORDER BY o ROWS UNBOUNDED PRECEDING) AS second FROM (SELECT *, {back} AS back FROM ({twice}))) "
             "WHERE second")
    raw.execute(f"UPDATE {table} SET {ts} = timezone('UTC', timezone({z}, {local})), {flag} = 3 "
                f"WHERE _row IN ({later})")


def day_or_utc(local: str, tz: str, *, alone: str = "FALSE", kind: str | None = None,
               flag: bool = False) -> str:
    """SQL: the local time ``local`` (in ``tz``) as naive UTC, unless it is a day.

    Parameters
    ----------
    local : str
        SQL of a naive ``TIMESTAMP`` read as written (local time in ``tz``).
    tz : str
        The IANA zone of ``local``.
    alone : str, default "FALSE"
        SQL: the value was written as a date alone (:func:`no_time_written`, a ``DATE``
        column…); at 00:00 it is its day.
    kind : str, optional
        SQL of the event name (the event log only): a value of a kind whose every value
        reads as 00:00 is its day too (one window over the kind).
    flag : bool, default False
        Return instead SQL of 1 when ``local`` (not a day) is a time the clock skips, 2 when
        the clock shows it twice, else NULL (:func:`local_to_utc`).

    Returns
    -------
    str
        SQL of a naive ``TIMESTAMP``: a day stays ``local`` (that day, 00:00); any other time
        is converted from ``tz`` to UTC.

    Examples
    --------
    >>> import duckdb
    >>> ts = "TIMESTAMP '2024-03-02 00:00:00'"
    >>> duckdb.sql("SELECT " + day_or_utc(ts, "Europe/Berlin") + ", "
    ...            + day_or_utc(ts, "Europe/Berlin", alone="TRUE")).fetchone()
    (datetime.datetime(2024, 3, 1, 23, 0), datetime.datetime(2024, 3, 2, 0, 0))
    >>> rows = "(VALUES ('delivered', TIMESTAMP '2024-03-02'), ('track', TIMESTAMP '2024-03-02'), ('track', TIMESTAMP '2024-03-02 09:00')) v(e, t)"
    >>> duckdb.sql(f"SELECT e, {day_or_utc('t', 'America/New_York', kind='e')} AS utc FROM {rows} "
    ...            "ORDER BY e, t").fetchall()[:2]
    [('delivered', datetime.datetime(2024, 3, 2, 0, 0)), ('track', datetime.datetime(2024, 3, 2, 5, 0))]
    """
    midnight = f"({local} = date_trunc('day', {local}))"
    whole_kind = f" OR coalesce(bool_and({midnight}) OVER (PARTITION BY {kind}), FALSE)" if kind else ""
    day = f"{midnight} AND ({alone}{whole_kind})"
    if flag:
        return f"CASE WHEN {day} THEN NULL ELSE {_clock(local, tz)} END"
    return f"CASE WHEN {day} THEN CAST({local} AS TIMESTAMP) ELSE {local_to_utc(local, tz)} END"
