"""Hostile input finishes quickly with a short, located error: patterns, YAML, expressions.

Each hostile case runs under a 20-second alarm — a guard against a hang, not a speed claim.
"""

from __future__ import annotations

import contextlib
import signal
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from jmtools.core import expressions as E
from jmtools.core.errors import DataError, JmtoolsError, JourneyError, ParameterError
from jmtools.core.patterns import compile_pattern, linear_engine, pattern_problem
from jmtools.core.yamlbounds import MAX_YAML_ALIASES, MAX_YAML_DEPTH, yaml_bounds_problem
from jmtools.evidence import map_events
from jmtools.journey import Journey, load_persona_library
from jmtools.report.batch import load_batch_config

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


@contextlib.contextmanager
def no_hang(seconds: int = 20):
    def alarm(*_):
        raise TimeoutError(f"still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def journey_text(pattern: str) -> str:
    return textwrap.dedent(f"""\
        name: Hostile
        stages:
          - name: Browse
        touchpoints:
          - name: Shop
            stage: Browse
            channel: digital
            events: ['{pattern}']
        """)


# --- patterns ----------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a*)*", r"(a|a)+", r"(\w+\s?)+"])
def test_catastrophic_pattern_is_refused_or_linear(pattern):
    name = "a" * 30 + "!"
    with no_hang():
        if linear_engine() is not None:
            assert not compile_pattern(pattern).fullmatch(name)
        else:
            assert "catastrophic backtracking" in pattern_problem(pattern)[0]
            with pytest.raises(ParameterError, match="RE2"):
                map_events([name], {"stages": ["S"], "touchpoints": [
                    {"name": "T", "stage": "S", "events": [pattern]}]})


@pytest.mark.parametrize("pattern, what", [(r"(a)\1", "backreference"),
                                           (r"a(?=b)", "lookahead"), (r"a(?<!b)", "lookbehind"),
                                           (r"(?>a)", "atomic"), (r"a*+", "possessive")])
def test_constructs_re2_lacks_are_refused(pattern, what):
    assert what in pattern_problem(pattern)[0]


@pytest.mark.parametrize("pattern", ["product_view", "size_chart_.*", "(view|click)_page",
                                     "checkout(_step_[0-9]+)?", "(?i)cart_.*", "[a-z]+_(a|b)"])
def test_ordinary_patterns_pass(pattern):
    assert pattern_problem(pattern) is None


def test_journey_load_locates_a_hostile_pattern(tmp_path):
    if linear_engine() is not None:
        pytest.skip("re2 runs nested quantifiers in linear time")
    path = tmp_path / "journey.yaml"
    path.write_text(journey_text("(a+)+$"))
    with no_hang(), pytest.raises(JourneyError) as info:
        Journey.load(path)
    text = str(info.value)
    assert "journey.yaml:8" in text and "touchpoint 'Shop'" in text and "(a+)+$" in text
    assert "Fix:" in text


# --- YAML ----------------------------------------------------------------------------------

def check_short(err: Exception) -> None:
    text = str(err)
    assert len(text) < 1000
    assert "lol" not in text
    assert "aliases" in text


def test_billion_laughs_journey(tmp_path):
    path = tmp_path / "journey.yaml"
    path.write_text(BILLION_LAUGHS)
    with no_hang(), pytest.raises(JourneyError) as info:
        Journey.load(path)
    check_short(info.value)


def test_billion_laughs_persona_library(tmp_path):
    path = tmp_path / "library.yaml"
    path.write_text(BILLION_LAUGHS)
    with no_hang(), pytest.raises(JourneyError) as info:
        load_persona_library(path)
    check_short(info.value)


def test_billion_laughs_batch_config(tmp_path):
    path = tmp_path / "batch.yaml"
    path.write_text(BILLION_LAUGHS)
    with no_hang(), pytest.raises(DataError) as info:
        load_batch_config(path)
    check_short(info.value)


def test_too_many_aliases_and_too_deep():
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_YAML_ALIASES + 1)) + "]\n"
    assert "more than 100 aliases" in yaml_bounds_problem(many).message
    deep = "a: " + "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5) + "\n"
    assert "deeper" in yaml_bounds_problem(deep).message


def test_a_few_aliases_still_load(tmp_path):
    path = tmp_path / "batch.yaml"
    path.write_text("notebook: r.ipynb\nparameters: &p {persona: A}\n"
                    "reports:\n  - {name: A, parameters: *p}\n")
    assert [j.parameters for j in load_batch_config(path)["jobs"]] == [{"persona": "A"}]


# --- expressions -------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", ["(" * 1900 + "age" + ")" * 1900, "-" * 1900 + "age",
                                  "not " * 450 + "vip"])
def test_deep_rule_gives_a_limit_message(rule):
    with no_hang(), pytest.raises(E.RuleError) as info:
        E.parse_rule(rule)
    assert "levels deep (the limit)" in str(info.value)
    assert len(str(info.value)) < 1000


def test_huge_numbers_in_rules_and_formulas():
    with pytest.raises(E.RuleError, match="'\\*\\*' is not allowed"):
        E.parse_rule("age > 9**9**9")
    with pytest.raises(E.RuleError, match="larger than 1e\\+308"):
        E.parse_rule("age > 1" + "0" * 400)
    with no_hang(), pytest.raises(ParameterError, match="larger than 1e\\+308 \\(the limit\\)"):
        E.parse_formula("9**9**9")
    with pytest.raises(ParameterError, match="larger than 1e\\+308"):
        E.parse_formula("impact * 1" + "0" * 1000)


@pytest.mark.parametrize("formula", ["(" * 1900 + "a" + ")" * 1900, "-" * 1900 + "a",
                                     "+".join(["a"] * 100_000)])
def test_deep_or_long_formula_is_a_parameter_error(formula):
    with no_hang(), pytest.raises(ParameterError) as info:
        E.parse_formula(formula)
    assert "limit" in str(info.value) or "at most" in str(info.value)
    assert len(str(info.value)) < 1000


def test_numbers_behave_like_numpy():
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    assert E.parse_formula("2**10 + a").values(frame).tolist() == [1025.0, 1026.0]
    assert E.parse_formula("0**-1").values(frame) == float("inf")
    assert E.parse_formula(" + ".join(["a"] * 600)).values(frame).tolist() == [600.0, 1200.0]


def test_every_bound_error_is_a_jmtools_error():
    for call in (lambda: E.parse_rule("-" * 500 + "x"), lambda: E.parse_formula("9**9**9"),
                 lambda: compile_pattern(r"(a)\1")):
        with pytest.raises(JmtoolsError):
            call()


@pytest.mark.parametrize("target", ["folder", "/dev/zero", "huge"])
def test_a_folder_a_device_or_a_huge_file_given_as_a_journey_is_a_located_error(tmp_path, target, capsys):
    """Never a hang (reading /dev/zero) and never an IsADirectoryError traceback."""
    from jmtools.cli.main import main

    if target == "folder":
        path = tmp_path
    elif target == "huge":
        path = tmp_path / "big.yaml"
        path.write_bytes(b"# " + b"x" * 6_000_000 + b"\n")
    else:
        path = Path(target)
        if not path.exists():
            pytest.skip("no /dev/zero here")
    with no_hang(20):
        assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err) < 1000
    assert "not a file" in err or "larger than" in err
