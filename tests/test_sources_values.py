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

