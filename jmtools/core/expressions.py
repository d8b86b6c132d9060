"""Safe expressions over the columns of a table: rules (conditions) and formulas (scores).

One parser serves both. The text is parsed with :mod:`ast` and converted into an allow-listed
tree (never evaluated with ``eval``); anything outside the grammar is refused.

- A **rule** (:func:`parse_rule`) is a condition over customer attributes, as persona rules and
  segments are written: comparisons (chained), ``and``/``or``/``not``, ``in [...]``,
  ``is None``, ``+ - * / %`` on numbers. It is checked against the attributes' types and
  evaluated to a pandas mask (SQL null logic) or an Ibis boolean expression (DuckDB, Spark,
  warehouses), which select the same rows. Problems raise :class:`RuleError`, located by
  column in the rule text. :mod:`jmtools.personas` re-exports these names.
- A **formula** (:func:`parse_formula`) is arithmetic over numeric columns (``+ - * / // %
  **``, parentheses and ``min, max, abs, log, log10, sqrt, exp, round``), evaluated with numpy:
  ``x / 0`` gives ±inf or NaN. :func:`jmtools.analyses.priorities.custom_score` adds one as a
  score column. Problems raise :class:`~jmtools.core.errors.ParameterError`.

The evaluation itself lives in :mod:`jmtools.core._expression_eval`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Mapping

from jmtools.core._expression_bounds import (CHAIN_OPERATORS, MAX_EXPRESSION_DEPTH,
                                             MAX_FORMULA_CHARS, MAX_NUMBER, _depth_problem,
                                             _parse_bounded, _power, _short_number, _short_text,
                                             _too_big)
from jmtools.core._expression_eval import (FORMULA_FUNCTIONS, _as_bool_series, _formula_values,
                                           _checked, _to_ibis, _to_pandas, schema_of)
from jmtools.core._expression_hints import (SEGMENT_RULE, rule_place, _HINTS, _excerpt, KEYWORD_HINTS, RuleWarning, _type_fix,
                                            precedence_warning, sql_fix, sql_rewrite,
                                            formula_syntax_fix, syntax_fix)
from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = ["RuleError", "RuleWarning", "Rule", "parse_rule", "MAX_RULE_CHARS", "MAX_EXPRESSION_DEPTH",
           "MAX_NUMBER", "MAX_FORMULA_CHARS", "Formula", "parse_formula", "FORMULA_FUNCTIONS", "schema_of",
           "SEGMENT_RULE"]

#: Longest rule or formula text accepted (a guard against pathological input).
MAX_RULE_CHARS = 2000


class RuleError(DataError):
    """A persona rule is wrong: bad syntax, a disallowed construct, an unknown attribute or
    mismatched types. Carries ``rule``, ``position`` (0-based offset in the rule text, or None),
    ``persona`` and ``attribute`` so a journey loader can relocate it in its file.

    Examples
    --------
    >>> try:
    ...     parse_rule("age >> 3")
    ... except RuleError as err:
    ...     print(err.position)
    4
    """

    def __init__(self, message: str, *, rule: str, position: int | None = None,
                 fix: str = "", persona: str | None = None, attribute: str | None = None,
                 source: str | None = None):
        self.rule, self.position, self.persona = rule, position, persona
        self.attribute, self.message, self.fix = attribute, message, fix
        shown, caret = _excerpt(rule, position)
        text = f"{shown!r} — {message}"
        if position is not None:
            text += f" at column {position + 1}\n    {shown}\n    {' ' * caret}^"
        where = source or rule_place(persona)
        super().__init__([Problem(text, fix=fix, source=where)])
        self.source = source

    def __reduce__(self):
        return (_rebuild_rule_error, (self.message, self.rule, self.position, self.fix,
                                      self.persona, self.attribute, self.source))


def _rebuild_rule_error(message, rule, position, fix, persona, attribute, source):
    return RuleError(message, rule=rule, position=position, fix=fix, persona=persona,
                     attribute=attribute, source=source)


@dataclass(frozen=True)
class _Node:
    """One node of a parsed expression. ``kind`` is one of: attr lit and or not neg cmp arith
    in notin isnull notnull (rules and formulas), pos call refused (formulas only). ``value`` is
    the attribute name, the literal, the operator symbol, the tuple of values after ``in``, the
    function name, or what a formula refused; ``pos`` the 0-based offset in the text."""

    kind: str
    args: tuple = ()
    value: Any = None
    pos: int = 0


# ---------------------------------------------------------------------------------------------
# Parsing: ast → allow-listed tree, one converter for both grammars
# ---------------------------------------------------------------------------------------------

_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_FORMULA_ARITH = {**_ARITH, ast.Pow: "**", ast.FloorDiv: "//"}


class _Converter:
    """ast → :class:`_Node` for one text. A grammar (subclass) sets the arithmetic operators,
    the literals it accepts and what becomes of every other construct (:meth:`other`)."""

    operators: Mapping[type, str] = {}  # subclasses also define limit(msg, fix, at)

    def __init__(self, text: str, shift: int = 0):
        self.text, self.shift = text, shift

    def convert(self, node: ast.AST) -> _Node:
        pos = _offset(node, self.text, self.shift)
        if isinstance(node, ast.BinOp) and type(node.op) in self.operators:
            return self.chain(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.convert(node.operand)
            if inner.kind == "lit" and isinstance(inner.value, (int, float)) \
                    and not isinstance(inner.value, bool):
                return _Node("lit", value=-inner.value, pos=pos)
            return _Node("neg", (inner,), pos=pos)
        if isinstance(node, ast.Name):
            return _Node("attr", value=node.id, pos=pos)
        if isinstance(node, ast.Constant) and self.accepts(node.value):
            if _too_big(node.value):
                self.limit(f"the number {_short_number(node.value)} is larger than {MAX_NUMBER:g}"
                           " (the limit)", "write a smaller number", pos)
            return _Node("lit", value=self.literal(node.value), pos=pos)
        return self.other(node, pos)

    def chain(self, node: ast.BinOp) -> _Node:
        """``a + b - c …`` converted in a loop, left operand first (no recursion per term)."""
        spine = [node]
        while isinstance(getattr(spine[-1].left, "op", None), CHAIN_OPERATORS) \
                and type(spine[-1].left.op) in self.operators:
            spine.append(spine[-1].left)
        out = self.convert(spine[-1].left)
        for op in reversed(spine):
            out = _Node("arith", (out, self.convert(op.right)), value=self.operators[type(op.op)],
                        pos=_offset(op, self.text, self.shift))
        return out

    def accepts(self, value) -> bool:
        raise NotImplementedError

    def literal(self, value):
        return value

    def other(self, node: ast.AST, pos: int) -> _Node:
        raise NotImplementedError


def _offset(node: ast.AST, text: str, shift: int) -> int:
    col = getattr(node, "col_offset", 0) or 0
    return len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore")) + shift


def _operator_offset(node: ast.BinOp, text: str, shift: int) -> int:
    end = len(text.encode("utf-8")[:node.left.end_col_offset].decode("utf-8", errors="ignore"))
    while end < len(text) and text[end] in " )":
        end += 1
    return end + shift


# ---------------------------------------------------------------------------------------------
# Rules: grammar, parse, type checks
# ---------------------------------------------------------------------------------------------

class _RuleGrammar(_Converter):
    """Conditions; a refused construct raises :class:`RuleError` at once, located."""

    operators = _ARITH

    def __init__(self, text: str, original: str, shift: int, persona: str | None):
        super().__init__(text, shift)
        self.original, self.persona = original, persona

    def fail(self, msg: str, fix: str, at: int):
        raise RuleError(msg, rule=self.original, position=at, persona=self.persona, fix=fix)
    limit = fail

    def accepts(self, value) -> bool:
        return value is None or isinstance(value, (bool, int, float, str))

    def other(self, node: ast.AST, pos: int) -> _Node:
        if isinstance(node, ast.BoolOp):
            return _Node("and" if isinstance(node.op, ast.And) else "or",
                         tuple(self.convert(v) for v in node.values), pos=pos)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return _Node("not", (self.convert(node.operand),), pos=pos)
            if isinstance(node.op, ast.UAdd):
                return self.convert(node.operand)
            self.fail(f"'{type(node.op).__name__}' is not allowed",
                      _HINTS.get(type(node.op), ""), pos)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BinOp):
            self.fail(f"operator '{type(node.op).__name__}' is not allowed",
                      _HINTS.get(type(node.op), ""), _operator_offset(node, self.text, self.shift))
        if isinstance(node, ast.Constant):
            self.fail(f"the constant {node.value!r} is not allowed",
                      "use numbers, \"text\", True/False", pos)
        what = type(node).__name__
        self.fail(f"'{ast.get_source_segment(self.text, node) or what}' ({what}) is not allowed",
                  _HINTS.get(type(node), "use attributes, numbers, \"text\", comparisons, "
                             "and/or/not, in [...], is None, + - * / %"), pos)

    def compare(self, node: ast.Compare) -> _Node:
        parts = []
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            at = _offset(left, self.text, self.shift)
            if isinstance(op, (ast.In, ast.NotIn)):
                parts.append(self.membership(op, left, right, at))
            elif isinstance(op, (ast.Is, ast.IsNot)):
                if not (isinstance(right, ast.Constant) and right.value is None):
                    self.fail("'is' is only for missing values", "write 'x is None' or "
                              "'x is not None'; compare values with '=='",
                              _offset(right, self.text, self.shift))
                parts.append(_Node("isnull" if isinstance(op, ast.Is) else "notnull",
                                   (self.convert(left),), pos=at))
            else:
                lhs, rhs = self.convert(left), self.convert(right)
                if (lhs.kind == "lit" and lhs.value is None) \
                        or (rhs.kind == "lit" and rhs.value is None):
                    self.fail("comparing with None is never true",
                              "write 'x is None' or 'x is not None'", at)
                parts.append(_Node("cmp", (lhs, rhs), value=_CMP[type(op)], pos=at))
            left = right
        return parts[0] if len(parts) == 1 else _Node("and", tuple(parts), pos=parts[0].pos)

    def membership(self, op: ast.cmpop, left: ast.AST, right: ast.AST, at: int) -> _Node:
        if not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
            self.fail("'in' needs a list of values", "write e.g. region in [\"north\", \"east\"]",
                      _offset(right, self.text, self.shift))
        values = []
        for elt in right.elts:
            lit = self.convert(elt)
            if lit.kind != "lit" or lit.value is None:
                self.fail("a list after 'in' may hold only numbers, \"text\" or True/False",
                          "to test for missing values write 'x is None'",
                          _offset(elt, self.text, self.shift))
            values.append(lit.value)
        if not values:
            self.fail("the list after 'in' is empty", "list at least one value",
                      _offset(right, self.text, self.shift))
        return _Node("in" if isinstance(op, ast.In) else "notin", (self.convert(left),),
                     value=tuple(values), pos=at)


@dataclass(frozen=True)
class Rule:
    """A parsed persona rule: the text, an allow-listed tree and the attributes it names.

    Build one with :func:`parse_rule`.

    Examples
    --------
    >>> import pandas as pd
    >>> rule = parse_rule('age >= 45 and channel == "store"')
    >>> sorted(rule.attributes)
    ['age', 'channel']
    >>> df = pd.DataFrame({"age": [50, 30, None], "channel": ["store", "store", "store"]})
    >>> rule.mask(df).tolist()
    [True, False, False]
    >>> parse_rule("age > 60 or age < 30 and channel == 'store'").warnings[0].message
    "mixes 'and' and 'or' without parentheses: read as age > 60 or (age < 30 and channel == 'store')"
    """

    text: str
    tree: _Node = field(repr=False)
    attributes: frozenset = field(default_factory=frozenset)
    warnings: tuple = field(default=(), repr=False, compare=False)
    """:class:`RuleWarning` s: the rule is valid but may not say what was meant (``and`` and
    ``or`` mixed without parentheses)."""

    def check(self, schema: Mapping[str, str], *, persona: str | None = None) -> None:
        """Check attribute names and types against ``schema`` (attribute → kind).

        Kinds are ``number``, ``text``, ``bool``, ``time`` (see :func:`schema_of`).
        Raises :class:`RuleError` naming the first problem, with "did you mean".
        """
        kind = _kind(self.tree, schema, self.text, persona)
        if kind not in ("bool", "null"):
            raise RuleError(f"is a {kind} value, not a condition", rule=self.text, position=0,
                            persona=persona, fix="compare it, e.g. 'age >= 45' or "
                            "'region == \"north\"'")

    def mask(self, customers, *, persona: str | None = None):
        """Boolean pandas Series (index of ``customers``): True where the rule selects."""
        _checked(self, customers, persona)
        result = _to_pandas(self.tree, customers)
        return _as_bool_series(result, customers.index)

    def to_ibis(self, table, *, persona: str | None = None):
        """Ibis boolean expression over ``table``; nulls mean "not selected" in a filter."""
        _checked(self, table, persona)
        return _to_ibis(self.tree, table)


def parse_rule(text: str, *, persona: str | None = None) -> Rule:
    """Parse a persona rule into an allow-listed tree (never evaluated with ``eval``).

    Parameters
    ----------
    text : str
        The rule, e.g. ``'age >= 45 and channel == "store"'``.
    persona : str, optional
        Persona name, used in error messages.

    Returns
    -------
    Rule

    Raises
    ------
    RuleError
        Syntax errors and disallowed constructs, with the 0-based ``position`` in ``text``.

    Examples
    --------
    >>> parse_rule("18 <= age < 30 and region in ['north', 'east']").attributes == {"age", "region"}
    True
    >>> try:
    ...     parse_rule("age = 30")
    ... except RuleError as err:
    ...     print(err)
    persona rule: 'age = 30' — invalid syntax: '=' is spelled differently in rules at column 5
        age = 30
            ^
      Fix: write '==' for '=': age == 30
    """
    if not isinstance(text, str) and text is not None:
        raise RuleError(f"is not text — got {type(text).__name__} {text!r}"[:120], rule=str(text),
                        persona=persona, fix='write the rule as text, e.g. "age >= 45"')
    if text is None or not text.strip():
        raise RuleError("is empty", rule=str(text), persona=persona,
                        fix='write a condition such as \'age >= 45 and channel == "store"\'')
    if len(text) > MAX_RULE_CHARS:
        deep = _depth_problem(text)
        raise RuleError(deep or f"is {len(text)} characters long (limit {MAX_RULE_CHARS})",
                        rule=text[:60] + "…", persona=persona, fix="shorten the rule")
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    stripped = flat.lstrip()
    shift = len(flat) - len(stripped)

    def too_deep(message):
        raise RuleError(message, rule=_short_text(text), persona=persona,
                        fix="write a flatter rule: fewer brackets, 'not' and operators nested")
    try:
        tree = _parse_bounded(stripped, too_deep)
    except SyntaxError as err:
        sql = sql_fix(flat, _parses)
        if sql:
            raise RuleError(f"invalid syntax: {sql[1]!r} is spelled differently in rules",
                            rule=text, position=sql[0], persona=persona, fix=sql[2]) from None
        pos = max((err.offset or 1) - 1, 0) + shift
        msg = "invalid syntax" + (f" ({err.msg})" if err.msg != "invalid syntax" else "")
        raise RuleError(msg, rule=text, position=min(pos, len(text)),
                        persona=persona, fix=syntax_fix(stripped)) from None
    try:
        node = _RuleGrammar(stripped, text, shift, persona).convert(tree.body)
    except RuleError as err:  # e.g. 'x is not null', 'x in ("a")': answer in rule spelling
        sql = sql_fix(flat, _parses)
        if sql is None:
            raise
        raise RuleError(err.message, rule=text, position=err.position, persona=persona,
                        fix=sql[2]) from None
    warning = precedence_warning(tree.body, stripped, shift, text, persona)
    return Rule(text=text, tree=node, attributes=frozenset(_names(node)),
                warnings=(warning,) if warning else ())


def _parses(text: str) -> bool:
    try:
        parse_rule(text)
    except RuleError:
        return False
    return True


def _names(node: _Node):
    if node.kind == "attr":
        yield node.value
    for child in node.args:
        yield from _names(child)


def _lit_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


def _kind(node: _Node, schema, rule, persona) -> str:
    def fail(msg, fix=""):
        raise RuleError(msg, rule=rule, position=node.pos, persona=persona, fix=fix)

    k = node.kind
    if k == "attr":
        if node.value not in schema and node.value.lower() in KEYWORD_HINTS:
            rewritten, changes = sql_rewrite(rule.replace("\n", " "))
            raise RuleError(f"unknown attribute {node.value!r}", rule=rule, position=node.pos,
                            persona=persona, attribute=node.value,
                            fix=KEYWORD_HINTS[node.value.lower()]
                            + (f": {rewritten}" if changes and rewritten else ""))
        if node.value not in schema:
            hint = suggest(node.value, schema)
            listed = ", ".join(sorted(schema)[:12]) + (" …" if len(schema) > 12 else "")
            raise RuleError(f"unknown attribute {node.value!r}", rule=rule, position=node.pos,
                            persona=persona, attribute=node.value,
                            fix=(f"did you mean {hint!r}? " if hint else "")
                            + f"customer attributes are: {listed}")
        return schema[node.value]
    if k == "lit":
        return _lit_kind(node.value)
    if k in ("and", "or", "not"):
        for child in node.args:
            ck = _kind(child, schema, rule, persona)
            if ck != "bool":
                raise RuleError(f"'{k}' needs conditions on both sides, got a {ck} value",
                                rule=rule, position=child.pos, persona=persona,
                                fix="compare the value, e.g. 'age >= 45'")
        return "bool"
    if k == "neg":
        if _kind(node.args[0], schema, rule, persona) != "number":
            fail("'-' needs a number")
        return "number"
    if k == "arith":
        kinds = [_kind(a, schema, rule, persona) for a in node.args]
        if kinds != ["number", "number"]:
            fail(f"'{node.value}' needs numbers on both sides, got {kinds[0]} and {kinds[1]}",
                 "arithmetic works on numeric attributes only")
        return "number"
    if k in ("isnull", "notnull"):
        _kind(node.args[0], schema, rule, persona)
        return "bool"
    if k in ("in", "notin"):
        left = _kind(node.args[0], schema, rule, persona)
        for v in node.value:
            if not _compatible(left, _lit_kind(v), v):
                fail(f"compares a {left} value with {v!r} ({_lit_kind(v)})",
                     _type_fix(left))
        return "bool"
    if k == "cmp":
        lk, rk = (_kind(a, schema, rule, persona) for a in node.args)
        lit = next((a.value for a in node.args if a.kind == "lit"), None)
        ok = lk == rk or _compatible(lk, rk, lit) or _compatible(rk, lk, lit)
        if not ok or "other" in (lk, rk):
            fail(f"compares a {lk} value with a {rk} value", _type_fix(lk if lk != "lit" else rk))
        if node.value not in ("==", "!=") and "bool" in (lk, rk):
            fail(f"'{node.value}' does not order True/False", "use '==' or '!='")
        return "bool"
    fail(f"unsupported construct {k!r}")  # pragma: no cover


def _compatible(attr_kind: str, lit_kind: str, value) -> bool:
    if attr_kind == lit_kind:
        return True
    if attr_kind == "time" and lit_kind == "text":
        import pandas as pd
        try:
            pd.Timestamp(value)
        except (ValueError, TypeError):
            return False
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Formulas: grammar, parse, evaluate
# ---------------------------------------------------------------------------------------------

class _FormulaGrammar(_Converter):
    """Arithmetic and :data:`FORMULA_FUNCTIONS`. A refused construct becomes a ``refused`` node
    that raises when evaluation reaches it, so problems are reported in evaluation order."""

    operators = _FORMULA_ARITH

    def accepts(self, value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    def literal(self, value):
        return float(value)

    def limit(self, msg: str, fix: str, at: int):
        raise ParameterError("formula", _short_text(self.text),
                             expected=f"numbers up to {MAX_NUMBER:g}",
                             fix=f"{msg} at column {at + 1}; {fix}")

    def convert(self, node: ast.AST) -> _Node:
        out = super().convert(node)  # number ** number is computed now: 9**9**9 is refused here
        if out.kind == "arith" and out.value == "**" and all(a.kind == "lit" for a in out.args):
            value = _power(*(a.value for a in out.args))
            if value is not None and _too_big(value):
                self.limit(f"'**' gives a number larger than {MAX_NUMBER:g} (the limit)",
                           "use a smaller exponent", out.pos)
            return out if value is None else _Node("lit", value=value, pos=out.pos)
        return out

    def other(self, node: ast.AST, pos: int) -> _Node:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return _Node("pos", (self.convert(node.operand),), pos=pos)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in FORMULA_FUNCTIONS and not node.keywords:
            return _Node("call", tuple(self.convert(a) for a in node.args), value=node.func.id,
                         pos=pos)
        named = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        what = (type(node).__name__ if not named else f"function {node.func.id!r}"
                if node.func.id not in FORMULA_FUNCTIONS else
                f"a named argument in {node.func.id}() ({node.keywords[0].arg}=…)")
        return _Node("refused", value=what, pos=pos)


@dataclass(frozen=True)
class Formula:
    """A parsed score formula: the text and its allow-listed tree.

    Build one with :func:`parse_formula`.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_formula("impact * 10 / effort").values(pd.DataFrame({"impact": [3], "effort": [2]}))
    array([15.])
    """

    text: str
    tree: _Node = field(repr=False)

    def values(self, frame):
        """Evaluate over the columns of ``frame`` (a pandas DataFrame) with numpy.

        Returns a float array with one value per row, or a float when the formula names no
        column. Division by zero gives ±inf or NaN. Raises
        :class:`~jmtools.core.errors.ParameterError` for the first problem met, left to right:
        an unknown column (with "did you mean"), a construct outside the grammar, or a
        function given wrong arguments.
        """
        import numpy as np

        columns = {str(c): c for c in frame.columns}
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _formula_values(self.tree, frame, columns, self.text)


def parse_formula(formula: str) -> Formula:
    """Parse a score formula: numbers, column names, ``+ - * / // % **``, parentheses and the
    functions of :data:`FORMULA_FUNCTIONS` (never evaluated with ``eval``).

    Parameters
    ----------
    formula : str
        For example ``"value_at_stake / effort"`` or ``"rice * min(ice / 100, 1)"``.

    Returns
    -------
    Formula

    Raises
    ------
    ParameterError
        An empty text or a syntax error (with its column). Names and constructs are checked
        when the formula is evaluated (:meth:`Formula.values`).

    Examples
    --------
    >>> parse_formula("rice * min(ice / 100, 1)").text
    'rice * min(ice / 100, 1)'
    >>> parse_formula("reach * * 2")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: formula must be a valid arithmetic formula — got 'reach * * 2'
      Fix: check the formula near column 9
    """
    if not isinstance(formula, str) or not formula.strip():
        raise ParameterError("formula", formula, expected="a non-empty formula text")
    text = formula.strip()
    if len(text) > MAX_FORMULA_CHARS:
        raise ParameterError("formula", _short_text(text),
                             expected=f"a formula of at most {MAX_FORMULA_CHARS} characters",
                             fix=f"shorten the formula (it has {len(text)} characters)")

    def too_deep(message):
        raise ParameterError("formula", _short_text(text),
                             expected=f"at most {MAX_EXPRESSION_DEPTH} levels of nesting",
                             fix=f"the formula {message}; write it flatter")
    try:
        tree = _parse_bounded(text, too_deep, flat_chains=True)
    except SyntaxError as err:
        raise ParameterError("formula", _short_text(formula), expected="a valid arithmetic formula",
                             fix=formula_syntax_fix(text, err.offset)) from None
    return Formula(text=formula, tree=_FormulaGrammar(text).convert(tree.body))

