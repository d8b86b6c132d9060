"""Event patterns: refused before use when RE2 lacks them or they can backtrack badly."""

import pytest

from jmtools.core.errors import ParameterError
from jmtools.core.patterns import (MAX_PATTERN_CHARS, MAX_UNBOUNDED_REPEATS, compile_pattern,
                                   linear_engine, pattern_problem)

@pytest.fixture
def no_re2(monkeypatch):
    """Match as on a machine without google-re2: Python's re after the backtracking check."""
    monkeypatch.setattr("jmtools.core.patterns.linear_engine", lambda: None)


@pytest.mark.usefixtures("no_re2")
@pytest.mark.parametrize("pattern", [r"(a+)+", r"(a*)*", r"(a|a)+", r"(a|aa)*", r"(\w+\s?)+",
                                     r"(?:x[0-9]{1,3})+", r"(a?a?)+"])
def test_nested_quantifiers_are_refused(pattern):
    message, fix = pattern_problem(pattern)
    assert "backtracking" in message and "rewrite" in fix


@pytest.mark.usefixtures("no_re2")
def test_too_many_unbounded_quantifiers():
    assert pattern_problem(".*" * MAX_UNBOUNDED_REPEATS) is None
    assert "unbounded" in pattern_problem(".*" * (MAX_UNBOUNDED_REPEATS + 1))[0]


def test_long_and_invalid_patterns():
    assert "limit" in pattern_problem("a" * (MAX_PATTERN_CHARS + 1))[0]
    assert "not a valid regular expression" in pattern_problem("cart(")[0]
    assert pattern_problem("(" * 450 + "a" + ")" * 450) is None  # deep but harmless


def test_compile_pattern_names_whose_pattern_it_is():
    with pytest.raises(ParameterError) as info:
        compile_pattern(r"(?<=x)y", name="touchpoint 'Cart' events")
    assert "touchpoint 'Cart' events" in str(info.value) and "lookbehind" in str(info.value)


def test_compile_pattern_matches_the_whole_name():
    rx = compile_pattern("^(?:(?:size_chart_.*)|(?:product_view))$")
    assert rx.fullmatch("size_chart_open") and rx.fullmatch("product_view")
    assert not rx.fullmatch("product_view_2")


def test_without_re2_the_fallback_refuses_catastrophic_patterns_and_matches_the_rest(no_re2):
    import re

    with pytest.raises(ParameterError, match="backtracking"):
        compile_pattern(r"(a+)+$", name="touchpoint 'X' events")
    rx = compile_pattern("^(?:(?:size_chart_.*)|(?:product_view))$")
    assert isinstance(rx, re.Pattern) and rx.fullmatch("size_chart_open")


def test_with_re2_the_same_patterns_are_accepted_and_linear():
    if linear_engine() is None:
        pytest.skip("google-re2 is not installed here")
    assert pattern_problem(r"(a+)+$") is None
    assert compile_pattern(r"(a+)+$").fullmatch("a" * 5000 + "!") is None
