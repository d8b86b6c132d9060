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
"""

from __future__ import annotations

from jmtools.sources._values import lit

__all__ = ["DATED", "dated_row", "day_or_utc", "no_time_written"]

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


def day_or_utc(local: str, tz: str, *, alone: str = "FALSE", kind: str | None = None) -> str:
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
    return (f"CASE WHEN {midnight} AND ({alone}{whole_kind}) THEN CAST({local} AS TIMESTAMP) "
            f"ELSE timezone('UTC', timezone({lit(tz)}, {local})) END")
