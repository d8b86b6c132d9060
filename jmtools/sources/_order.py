"""Event logs exported newest first: rows with the same time are taken oldest first.

A warehouse export sorted ``ORDER BY event_time DESC`` and written to the minute lists a
customer's cart and checkout of one minute as checkout, then cart. The row number breaks
timestamp ties (:func:`jmtools.sources.load_events`), so taken as it is it reverses every such
pair, and the funnel, paths and transitions with it. When a customer's rows go back in time in
the file, the row numbers are turned around, so that ties keep the order the export had before
it was reversed (used by :mod:`jmtools.sources._duckdb`).
"""

from __future__ import annotations

from jmtools.sources._values import q

__all__ = ["oldest_first", "newest_first", "SAMPLE_ROWS", "MIN_PAIRS", "BACKWARD_SHARE"]

#: The first rows of the log that are looked at.
SAMPLE_ROWS = 200_000
#: Pairs of a customer's consecutive rows with different times needed to tell an order.
MIN_PAIRS = 20
#: Share of those pairs that must go back in time for the log to count as newest first.
BACKWARD_SHARE = 0.9


def oldest_first(raw, table: str) -> list[str]:
    """Turn the row numbers of the staged events ``table`` around when it lists each customer's
    events newest first and some of them share a time; return the note that says so.

    One window over the first :data:`SAMPLE_ROWS` rows decides; the turn-around is one update,
    made only for such logs. A log without ties is left alone: the times alone order it.
    """
    forward, backward, ties = _steps(raw, table)
    pairs = forward + backward
    if pairs < MIN_PAIRS or backward < BACKWARD_SHARE * pairs or not ties:
        return []
    raw.execute(f"UPDATE {q(table)} SET _row = (SELECT max(_row) FROM {q(table)}) + 1 - _row")
    share = backward / pairs
    return [f"each customer's events are listed newest first ({share:.0%} of a customer's consecutive rows "
            "go back in time): events with the same time are taken in the reverse of the file's order, "
            "oldest first"]


def _steps(raw, table: str, ts: str = "timestamp") -> tuple[int, int, int]:
    """Consecutive rows of a customer (in the first :data:`SAMPLE_ROWS`) whose time ``ts`` goes
    forward, back, or stays."""
    return raw.execute(
        f"SELECT count(*) FILTER (WHERE d > 0), count(*) FILTER (WHERE d < 0), count(*) FILTER (WHERE d = 0) "
        f"FROM (SELECT sign(epoch_us({ts}) - epoch_us(lag({ts}) OVER (PARTITION BY customer_id ORDER BY _row))) AS d "
        f"FROM {q(table)} WHERE _row <= {SAMPLE_ROWS})").fetchone()


def newest_first(raw, table: str, ts: str = "timestamp") -> bool:
    """The staged ``table`` lists each customer's rows newest first (as :func:`oldest_first`
    decides, ties or not).

    Examples
    --------
    >>> import duckdb
    >>> raw = duckdb.connect()
    >>> _ = raw.execute("CREATE TABLE t AS SELECT 'c' || (i % 5) AS customer_id, "
    ...                 "TIMESTAMP '2024-01-01' - INTERVAL (i) HOUR AS timestamp, i AS _row FROM range(100) r(i)")
    >>> newest_first(raw, "t")
    True
    """
    forward, backward, _ = _steps(raw, table, ts)
    pairs = forward + backward
    return pairs >= MIN_PAIRS and backward >= BACKWARD_SHARE * pairs
