"""Tests for jmtools.core.expressions: the one parser behind persona rules and score formulas."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from jmtools.core import expressions as E
from jmtools.core.errors import ParameterError


@pytest.fixture
def frame():
    return pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5"],
        "age": [22.0, 35.0, None, 67.0, 41.0],
        "spend": [100.0, 0.0, 250.0, -80.0, 40.0],
        "orders": [2, 0, 5, 3, 0],
        "region": ["north", "south", None, "north", "east"],
        "member": [True, False, True, False, True],
        "signup_date": pd.to_datetime(["2024-01-05", "2025-02-01", "2023-07-30", "2025-06-01",
                                       "2024-12-31"]),
    })


def test_personas_re_exports_the_same_objects():
    from jmtools import personas as P

    assert P.parse_rule is E.parse_rule and P.RuleError is E.RuleError and P.Rule is E.Rule
    assert P.MAX_RULE_CHARS == E.MAX_RULE_CHARS


def test_importing_the_parser_stays_light():
    code = ("import sys, jmtools.core.expressions; "
            "print(sorted(m for m in ('pandas', 'numpy', 'ibis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- located syntax errors ---------------------------------------------------------------------

@pytest.mark.parametrize("text, position", [
    ("age = 30", 4),
    ("  age = 30", 6),            # leading blanks count: the caret points into the text as given
    ("age > 30\nand = 3", 13),    # a line break counts as one column
    ("age > 30 && member", 9),
    ("age >> 3", 4),
    ("(age > 3", 0),
])
def test_rule_syntax_errors_are_located(text, position):
    with pytest.raises(E.RuleError) as info:
        E.parse_rule(text)
    err = info.value
    assert err.position == position
    assert f"at column {position + 1}" in str(err)
    caret = next(line for line in str(err).splitlines() if line.strip() == "^")
    assert caret.index("^") - 4 == position and text in str(err)


def test_formula_syntax_error_names_the_column():
    with pytest.raises(ParameterError, match="near column 9") as info:
        E.parse_formula("reach * * 2")
    assert info.value.name == "formula" and info.value.value == "reach * * 2"


@pytest.mark.parametrize("text", ["", "   ", None, 3])
def test_empty_input_is_refused_by_both(text):
    with pytest.raises(E.RuleError, match="empty|not text"):
        E.parse_rule(text)
    with pytest.raises(ParameterError, match="non-empty"):
        E.parse_formula(text)


# --- what is refused ------------------------------------------------------------------------

@pytest.mark.parametrize("text, position, fix", [
    ("__import__('os').system('x')", 0, "function calls"),
    ("age.__class__ == 1", 0, "no dots"),
    ("region.upper() == 'NORTH'", 0, "function calls"),
    ("(lambda: 1)() > 0", 0, "function calls"),
    ("lambda: age", 0, ""),
    ("age[0] > 1", 0, "indexing"),
    ("[a for a in age]", 0, ""),
    ("age ** 2 > 1", 4, "'**'"),
    ("age // 2 > 1", 4, "'//'"),
    ("age > b'x'", 6, "True/False"),
])
def test_rule_refuses_calls_attributes_lambdas_and_dunders(text, position, fix):
    with pytest.raises(E.RuleError) as info:
        E.parse_rule(text)
    assert info.value.position == position and fix in info.value.fix
    assert "not allowed" in info.value.message


def test_rule_refuses_unknown_names_when_checked(frame):
    rule = E.parse_rule("age > 3 and __class__ == 1 or regoin == 'x'")
    assert rule.attributes == {"age", "__class__", "regoin"}
    with pytest.raises(E.RuleError) as info:
        rule.mask(frame)
    assert info.value.attribute == "__class__" and info.value.position == 12
    assert "customer attributes are: age, customer_id" in info.value.fix
    with pytest.raises(E.RuleError, match="did you mean 'region'"):
        E.parse_rule("regoin == 'x'").mask(frame)


@pytest.mark.parametrize("formula, fix", [
    ("__import__('os').system('x')", "Call is not allowed"),
    ("__import__('os')", "function '__import__' is not allowed"),
    ("impact.__class__", "Attribute is not allowed"),
    ("(lambda: 1)()", "Call is not allowed"),
    ("lambda: impact", "Lambda is not allowed"),
    ("impact[0]", "Subscript is not allowed"),
    ("impact if effort else 0", "IfExp is not allowed"),
    ("impact > effort", "Compare is not allowed"),
    ("impact and effort", "BoolOp is not allowed"),
    ("'text'", "Constant is not allowed"),
    ("True", "Constant is not allowed"),
    ("round(impact, ndigits=1)", "a named argument in round() (ndigits=…) is not allowed"),
    ("impact & effort", "BinOp is not allowed"),
])
def test_formula_refuses_everything_but_arithmetic(formula, fix):
    parsed = E.parse_formula(formula)   # refusals surface when evaluation reaches them
    with pytest.raises(ParameterError, match="arithmetic over column names") as info:
        parsed.values(pd.DataFrame({"impact": [1.0], "effort": [2.0]}))
    assert fix in info.value.fix
    assert "use + - * / // % **, parentheses and min, max, abs, log, log10, sqrt, exp, round" \
        in info.value.fix


def test_formula_unknown_name_suggests():
    frame = pd.DataFrame({"reach": [1.0], "impact": [2.0]})
    with pytest.raises(ParameterError, match="unknown name 'raech'; did you mean 'reach'"):
        E.parse_formula("raech * 2").values(frame)
    with pytest.raises(ParameterError, match="columns are: reach, impact"):
        E.parse_formula("__builtins__").values(frame)


def test_formula_reports_the_first_problem_in_evaluation_order():
    frame = pd.DataFrame({"reach": [1.0]})
    with pytest.raises(ParameterError, match="at least one argument"):
        E.parse_formula("max() + open(1)").values(frame)
    with pytest.raises(ParameterError, match="did you mean 'reach'"):
        E.parse_formula("raech + open(1)").values(frame)
    with pytest.raises(ParameterError, match="function 'open'"):
        E.parse_formula("open(raech)").values(frame)


# --- huge inputs ----------------------------------------------------------------------------

def test_rule_length_cap():
    longest = "age > 1" + " " * (E.MAX_RULE_CHARS - len("age > 1"))
    assert E.parse_rule(longest).attributes == {"age"}
    with pytest.raises(E.RuleError) as info:
        E.parse_rule(longest + " ")
    err = info.value
    assert err.position is None and err.fix == "shorten the rule"
    assert f"is {E.MAX_RULE_CHARS + 1} characters long (limit {E.MAX_RULE_CHARS})" in str(err)
    assert err.rule == longest[:60] + "…"


def test_formula_has_no_length_cap():
    frame = pd.DataFrame({"impact": [1.0, 2.0]})
    formula = " + ".join(["impact"] * 300)      # 2,700 characters
    assert len(formula) > E.MAX_RULE_CHARS
    assert E.parse_formula(formula).values(frame).tolist() == [300.0, 600.0]


# --- division by zero and remainders --------------------------------------------------------

def test_rule_division_by_zero_is_missing_like_sql(frame):
    for text in ("spend / orders >= 0", "not spend / orders >= 0", "spend % orders >= 0",
                 "spend / 0 >= 0"):
        selected = frame.customer_id[E.parse_rule(text).mask(frame)].tolist()
        assert "c2" not in selected and "c5" not in selected, text
    # remainder keeps the dividend's sign (SQL), -80 % 3 == -2
    assert E.parse_rule("spend % 3 == -2").mask(frame).tolist() == [False, False, False, True,
                                                                     False]


def test_formula_division_by_zero_is_inf_or_nan():
    frame = pd.DataFrame({"a": [1.0, -1.0, 0.0, -80.0], "b": [0.0, 0.0, 0.0, 3.0]})
    got = E.parse_formula("a / b").values(frame)
    assert got[:3].tolist()[:2] == [np.inf, -np.inf] and np.isnan(got[2])
    # remainder takes the divisor's sign (numpy), -80 % 3 == 1
    assert E.parse_formula("a % b").values(frame)[3] == 1.0


# --- pandas and Ibis select the same rows ---------------------------------------------------

PARITY = [
    "age >= 40", "not age >= 40", "age is None or region is None", "18 <= age < 40",
    "region in ['north', 'east']", "region not in ['north']", "spend / orders > 20",
    "spend % 3 == -2", "-spend > 0", "spend - orders * 10 >= 50", "member and age > 30",
    "member == False", "signup_date >= '2025-01-01'", "signup_date in ['2024-12-31']",
    "(age > 60 or region == 'south') and not member",
]


@pytest.mark.parametrize("text", PARITY)
def test_pandas_and_ibis_select_the_same_rows(frame, text):
    import ibis

    rule = E.parse_rule(text)
    table = ibis.memtable(frame)
    by_ibis = table.filter(rule.to_ibis(table)).to_pandas().customer_id.tolist()
    by_pandas = frame.customer_id[rule.mask(frame)].tolist()
    assert sorted(by_ibis) == sorted(by_pandas)


def test_schema_of_pandas_and_ibis_agree(frame):
    import ibis

    kinds = E.schema_of(frame)
    assert kinds == {"customer_id": "text", "age": "number", "spend": "number",
                     "orders": "number", "region": "text", "member": "bool", "signup_date": "time"}
    assert E.schema_of(ibis.memtable(frame)) == kinds


# --- errors ---------------------------------------------------------------------------------

def test_rule_error_pickles_with_its_facts(frame):
    with pytest.raises(E.RuleError) as info:
        E.parse_rule("age > 3 and regoin == 'x'", persona="Ben").mask(frame, persona="Ben")
    back = pickle.loads(pickle.dumps(info.value))
    assert str(back) == str(info.value)
    assert (back.position, back.persona, back.attribute) == (12, "Ben", "regoin")
    assert str(back).startswith("persona 'Ben' rule: ")


def test_formula_results_are_floats():
    frame = pd.DataFrame({"impact": [3, 1], "effort": [2, 4]})
    assert E.parse_formula("impact * 10 / effort").values(frame).tolist() == [15.0, 2.5]
    assert E.parse_formula("round(sqrt(16) / 3, 2)").values(frame) == pytest.approx(1.33)
    assert E.parse_formula("max(impact, effort, 3)").values(frame).tolist() == [3.0, 4.0]


# --- bounds: nesting depth and number size ---------------------------------------------------

def test_rule_nesting_limit_is_named():
    ok = "(" * 50 + "age > 1" + ")" * 50
    assert E.parse_rule(ok).attributes == {"age"}
    with pytest.raises(E.RuleError, match=f"more than {E.MAX_EXPRESSION_DEPTH} levels"):
        E.parse_rule("not " * (E.MAX_EXPRESSION_DEPTH + 5) + "vip")


def test_formula_number_limit_is_named():
    with pytest.raises(ParameterError, match="the limit"):
        E.parse_formula("2 ** 5000")
    with pytest.raises(ParameterError, match="at most 4000 characters"):
        E.parse_formula("a + " * 2000 + "a")


# --- rules as people write them: SQL spellings ----------------------------------------------

SQL = [  # (as written, 0-based position of the first SQL spelling, the rule in rule spelling)
    ("phone IS NOT NULL", 6, "phone is not None"),
    ("phone IS NULL", 6, "phone is None"),
    ("age <> 30", 4, "age != 30"),
    ("region IN ('north', 'east')", 7, "region in ['north', 'east']"),
    ("region NOT IN ('north')", 7, "region not in ['north']"),
    ("age = 30", 4, "age == 30"),
    ("age > 30 AND member", 9, "age > 30 and member"),
    ("age > 30 Or member", 9, "age > 30 or member"),
    ("NOT member", 0, "not member"),
    ("phone = NULL", 6, "phone is None"),
    ("phone <> NULL", 6, "phone is not None"),
    ("age BETWEEN 18 AND 30", 0, "18 <= age <= 30"),
    ("age NOT BETWEEN 18 AND 30", 0, "not (18 <= age <= 30)"),
    ("region LIKE 'north'", 0, "region == 'north'"),
    ("region LIKE 'nor%'", 0, "(region >= 'nor' and region < 'nos')"),
    ("region NOT LIKE 'nor%'", 0, "not (region >= 'nor' and region < 'nos')"),
    ("member = TRUE AND phone IS NOT NULL", 7, "member == True and phone is not None"),
    ("age > 3 && member", 8, "age > 3 and member"),
    ("phone is not null", 13, "phone is not None"),        # valid Python, refused by the grammar
    ('region in ("north")', 11, 'region in ["north"]'),      # one value in brackets is no list
    ("region == 'IS NOT NULL' AND age = 3", 24, "region == 'IS NOT NULL' and age == 3"),
]


@pytest.fixture
def people():
    return pd.DataFrame({"age": [22.0, 35.0, None], "phone": ["1", None, "3"],
                         "region": ["north", "nordic", None], "member": [True, False, True]})


@pytest.mark.parametrize("text, position, rewritten", SQL)
def test_sql_spellings_are_answered_with_the_rule_rewritten(people, text, position, rewritten):
    with pytest.raises(E.RuleError) as info:
        E.parse_rule(text, persona="P")
    err = info.value
    assert err.position == position and f"at column {position + 1}" in str(err)
    assert err.fix.endswith(f": {rewritten}")
    fixed = E.parse_rule(rewritten)                   # the rewrite is a rule that runs
    assert fixed.warnings == () and len(fixed.mask(people)) == 3


def test_is_not_null_no_longer_gets_the_lower_case_hint():
    with pytest.raises(E.RuleError) as info:
        E.parse_rule("x IS NOT NULL")
    assert info.value.fix == "write 'is not None' for 'IS NOT NULL': x is not None"
    assert "'IS NOT NULL' is spelled differently in rules" in info.value.message


def test_the_rewrite_selects_what_the_sql_selects(people):
    import duckdb
    for sql, rule in [("region LIKE 'nor%'", "region >= 'nor' and region < 'nos'"),
                      ("age BETWEEN 20 AND 30", "20 <= age <= 30"),
                      ("phone IS NOT NULL AND region <> 'north'",
                       "phone is not None and region != 'north'")]:
        with pytest.raises(E.RuleError) as info:
            E.parse_rule(sql)
        rewritten = info.value.fix.split(": ", 1)[1]
        assert E.parse_rule(rewritten).text == rewritten
        got = E.parse_rule(rewritten).mask(people).tolist()
        want = duckdb.sql(f"select coalesce({sql}, false) as m from people").df().m.tolist()
        assert got == want == E.parse_rule(rule).mask(people).tolist(), sql


def test_like_without_a_rule_spelling_says_so():
    for text in ("region LIKE '%th'", "region LIKE 'n_rth'", "region ILIKE 'north'"):
        with pytest.raises(E.RuleError) as info:
            E.parse_rule(text)
        assert info.value.position == 0 and "no pattern matching" in info.value.fix
        assert "in [" in info.value.fix


@pytest.mark.parametrize("text", [
    "x IN (", "x IN ()", "x IN ((1, 2)", "__import__('os').system('echo hi') AND 1",
    "x LIKE 'a%'; DROP TABLE customers", "x = = 1", "x IS NOT NULL IS NOT NULL",
    "'IN (' = 1", "x <> <> 1", "AND AND", "x BETWEEN AND", "(" * 150 + "a AND b" + ")" * 150,
    "a AND " * 400 + "a", "x LIKE '\U0010ffff%'",
])
def test_hostile_sql_like_input_is_a_rule_error_never_a_crash(text):
    with pytest.raises(E.RuleError) as info:
        E.parse_rule(text)
    assert info.value.fix or "characters long" in info.value.message


# --- rules as people write them: and / or without parentheses ------------------------------

@pytest.mark.parametrize("text, read, position", [
    ("a == 1 or b == 2 and c == 3", "a == 1 or (b == 2 and c == 3)", 17),
    ("a and b or c", "(a and b) or c", 2),
    ("a or (b) and c", "a or ((b) and c)", 9),
    ("not (a or b and c)", "not (a or (b and c))", 12),
    ("a or b and c or d and (e or f and g)", "a or (b and c) or (d and (e or (f and g)))", 7),
    ("  a or\nb and c", "a or (b and c)", 9),
])
def test_mixed_and_or_warns_how_it_is_read(text, read, position):
    import ast
    rule = E.parse_rule(text, persona="P")
    (warning,) = rule.warnings
    assert warning.message == f"mixes 'and' and 'or' without parentheses: read as {read}"
    assert warning.position == position and text[position:position + 3] == "and"
    assert warning.fix.startswith(f"write {read} to keep this reading")
    assert "persona 'P' rule" in str(warning) and "Fix:" in str(warning)
    assert ast.dump(ast.parse(read, mode="eval")) == ast.dump(ast.parse(" ".join(text.split()),
                                                                         mode="eval"))
    assert E.parse_rule(read).warnings == ()          # written out, it says one thing


@pytest.mark.parametrize("text", ["a or (b and c)", "(a or b) and c", "a and b and c",
                                  "a or b or c", "not a and b", "((a and b)) or c",
                                  "x == 'a or b and c'", "18 <= age < 30 or age is None"])
def test_no_warning_when_the_reading_is_written_out(text):
    assert E.parse_rule(text).warnings == ()


def test_mixed_and_or_still_follows_python_precedence(frame):
    rule = E.parse_rule("age > 60 or region == 'north' and member")
    expected = (frame.age > 60) | ((frame.region == "north") & frame.member)
    assert rule.mask(frame).tolist() == expected.tolist() and rule.warnings


def test_a_long_mixed_chain_warns_without_recursion():
    text = " or ".join(f"a{i} and b" for i in range(150))
    (warning,) = E.parse_rule(text).warnings
    assert warning.message.count("(") == 150 and warning.position == 3
