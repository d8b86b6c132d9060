"""Rows whose id repeats an earlier row's and whose values differ from it (D179).

A table with unique ids (customers, orders, survey answers) keeps the first row of each id and
rejects the rest as ``duplicate <id>``. A repeated row that says the same is harmless; one that
says something else (a second account of a household with another payment method) makes every
persona size depend on which row the export happened to list first. The loader's notes say how
many of the rejected rows differ from the row kept, and in which columns.
"""

from __future__ import annotations

from jmtools.sources._values import q

__all__ = ["differing_duplicates"]


def differing_duplicates(raw, table: str, spec, columns: list[str], codes: list[int], base: int) -> list[str]:
    """A note (a list of one, or none) on the rows rejected as a repeated ``spec.unique`` (``_rc =
    base - 1``, when ``codes``, the rejection codes found, hold it) that differ from the row kept
    for their id (``_rc`` NULL or from ``base``) in any of ``columns``.

    Examples
    --------
    >>> import duckdb
    >>> from jmtools.sources._spec import SPECS
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', 'card', 1, NULL), "
    ...                 "('a', 'cash', 2, 9), ('b', 'card', 3, NULL), ('b', 'card', 4, 9)) "
    ...                 "v(customer_id, pay, _row, _rc)")
    >>> print(*differing_duplicates(con, "t", SPECS["customers"], ["customer_id", "pay"], [9], 10))
    1 of the 2 rows rejected as a repeated customer_id differs from the row kept for it (pay 1): the first row's values are used; merge or drop such rows before loading if another should count
    """
    dup_code, key = base - 1, [spec.unique, *spec.unique_per]
    if dup_code not in codes or not spec.unique:
        return []
    columns = [c for c in columns if c not in key]
    if not columns:
        return []
    differs = [f"d.{q(c)} IS DISTINCT FROM k.{q(c)}" for c in columns]
    counts = ", ".join(f"count(*) FILTER (WHERE {d})" for d in differs)
    on = " AND ".join(f"d.{q(c)} = k.{q(c)}" for c in key)
    n, n_diff, *per = raw.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {' OR '.join(differs)}), {counts} "
        f"FROM {q(table)} d JOIN {q(table)} k ON {on} AND (k._rc IS NULL OR k._rc >= {int(base)}) "
        f"WHERE d._rc = {int(dup_code)}").fetchone()
    if not n_diff:
        return []
    where = ", ".join(f"{c} {int(k):,}" for c, k in sorted(zip(columns, per), key=lambda p: -p[1]) if k)
    return [f"{int(n_diff):,} of the {int(n):,} rows rejected as a repeated {key[0]} "
            f"differ{'s' if n_diff == 1 else ''} from the row kept for it ({where}): the first row's values "
            "are used; merge or drop such rows before loading if another should count"]
