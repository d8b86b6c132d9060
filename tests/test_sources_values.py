"""Tests of jmtools.sources._values: placeholders, blanks and whole numbers in ids (D92, D230)."""

import itertools
import re
import unicodedata

import duckdb
import pytest

from jmtools.sources._values import PLACEHOLDERS, missing_to_null

#: What DuckDB's TRIM drops: the space separators of every script (tab and newline stay).
SPACES = "".join(chr(i) for i in range(0x3001) if unicodedata.category(chr(i)) == "Zs")


def reference(x, whole):
    """The rule, in plain Python: a placeholder (8 bytes at most, with the spaces around it) is
    no value; with ``whole``, a value ending in .0 that is a whole number is that number; else
    the value, trimmed when it holds a space, NULL when empty."""
    if x is None:
        return None
    t = x.strip(SPACES)
    if len(x.encode()) <= 8 and t in PLACEHOLDERS:
        return None
    if whole and x.endswith(".0") and re.fullmatch(r"-?[0-9]+[.]0", t):
        return t[:-2]
    return (t if " " in x else x) or None


def _values():
    pads = ["", " ", "  ", "   ", "\u00a0", "\u3000", "\t", " \u00a0"]
    cores = [*PLACEHOLDERS, "C0000001", "C000001", "1234567", "101.0", "-7.0", "2.5", "v1.0", "12.00",
             "NAN", "nulls", "N/ A", "", "ü", "é1.0", "(null)x"]
    vals = [left + core + right for core in cores for left, right in itertools.product(pads, pads)]
    return vals + [None, "", " ", "\u00a0", "x y", " 101.0 ", "101.0 "]


@pytest.mark.parametrize("whole", [False, True])
def test_missing_to_null_equals_the_rule_on_padded_placeholders_ids_and_numbers(whole):
    values = _values()
    got = duckdb.sql(f"SELECT {missing_to_null('x', whole=whole)} FROM unnest(?) WITH ORDINALITY AS t(x, i) "
                     "ORDER BY i", params=[values]).fetchall()
    expected = [reference(v, whole) for v in values]
    assert [g[0] for g in got] == expected
    # planted truths: the rule's edges are in the set
    assert reference("  NULL  ", whole) is None and reference("   NULL   ", whole) == "NULL"
    assert reference("N/A\u00a0", whole) is None and reference("\tN/A", whole) == "\tN/A"



class _Recording:
    """A DuckDB connection that keeps the SQL of every statement it runs."""

    def __init__(self, con):
        self.con, self.sql = con, []

    def execute(self, sql, *args):
        self.sql.append(sql)
        return self.con.execute(sql, *args)


def test_type_and_amount_checks_write_each_column_s_cleaning_once():
    """D248: the load's type inference and amount detection read a column many times; its
    cleaned value (placeholders made NULL) is computed once per column, not once per check (a
    customers file's check query was 95 KB, 0.13 CPU-s of DuckDB planning for 4,000 rows); the
    answers are those of each check on the cleaned values, written out by hand."""
    from jmtools.sources._duckdb import _infer_extra
    from jmtools.sources._money import _amount_columns
    from jmtools.sources._values import q

    raw = _Recording(duckdb.connect())
    raw.con.execute("CREATE TABLE v AS SELECT * FROM (VALUES ('2024-03-01', ' N/A ', '€14,99', '01234', 'north'), "
                    "('2024-03-02 10:00', '7', '€1.817,64', '10115', 'n/a'), ('-', '12', '€9,00', '80331', 'south'))"
                    " t(signup, visits, mrr, zip, region)")
    cols = ["signup", "visits", "mrr", "zip", "region"]
    types = _infer_extra(raw, "v", cols, codes=True)
    amounts = _amount_columns(raw, "v", [c for c in cols if types[c] == "VARCHAR"])
    assert types == {"signup": "TIMESTAMP", "visits": "BIGINT", "mrr": "VARCHAR", "zip": "VARCHAR",
                     "region": "VARCHAR"}
    assert sorted(amounts) == ["mrr"]
    assert raw.con.execute(f"SELECT {amounts['mrr'].sql} FROM v").fetchall() == [(14.99,), (1817.64,), (9.0,)]
    assert len(raw.sql) == 2
    for sql in raw.sql:
        for c in cols:
            if q(c) in sql:
                assert sql.count(missing_to_null(q(c))) == 1, (c, len(sql))
