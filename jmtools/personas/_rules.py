"""Persona rules: a small, safe expression language over customer attributes.

Parsed with :mod:`ast` into an allow-listed tree (never evaluated with ``eval``), checked against
the attributes' types, and compiled to a pandas mask (SQL null logic) and to an Ibis boolean
expression (DuckDB, Spark, warehouses). The public names are re-exported by :mod:`jmtools.personas`.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field
from typing import Any, Mapping

from jmtools.core.errors import DataError, Problem, suggest

__all__ = ["RuleError", "Rule", "parse_rule", "MAX_RULE_CHARS"]

#: Longest rule text accepted (a guard against pathological input).
MAX_RULE_CHARS = 2000


# ---------------------------------------------------------------------------------------------
# Rule language: parse (ast → allow-listed tree)
# ---------------------------------------------------------------------------------------------

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
        text = f"{rule!r} — {message}"
        if position is not None:
            text += f" at column {position + 1}\n    {rule}\n    {' ' * position}^"
        where = source or (f"persona {persona!r} rule" if persona else "persona rule")
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
    kind: str                 # attr lit and or not neg cmp arith in notin isnull notnull
    args: tuple = ()
    value: Any = None         # attribute name, literal, operator symbol, or tuple of values
    pos: int = 0


_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_HINTS = {
    ast.BitAnd: "write 'and' instead of '&'", ast.BitOr: "write 'or' instead of '|'",
    ast.Invert: "write 'not' instead of '~'", ast.Call: "function calls are not allowed; "
    "use comparisons, 'in [...]', 'is None'", ast.Attribute: "write the attribute name alone "
    "(no dots)", ast.Subscript: "indexing is not allowed; name an attribute",
    ast.Pow: "'**' is not allowed; use * + - / %", ast.FloorDiv: "'//' is not allowed; use '/'",
}


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
    """

    text: str
    tree: _Node = field(repr=False)
    attributes: frozenset = field(default_factory=frozenset)

    def check(self, schema: Mapping[str, str], *, persona: str | None = None) -> None:
        """Check attribute names and types against ``schema`` (attribute → kind).

        Kinds are ``number``, ``text``, ``bool``, ``time`` (see :func:`_schema_of`).
        Raises :class:`RuleError` naming the first problem, with "did you mean".
        """
        kind = _kind(self.tree, schema, self.text, persona)
        if kind not in ("bool", "null"):
            raise RuleError(f"is a {kind} value, not a condition", rule=self.text, position=0,
                            persona=persona, fix="compare it, e.g. 'age >= 45' or "
                            "'region == \"north\"'")

    def mask(self, customers, *, persona: str | None = None):
        """Boolean pandas Series (index of ``customers``): True where the rule selects."""
        self.check(_schema_of(customers), persona=persona)
        result = _to_pandas(self.tree, customers)
        return _as_bool_series(result, customers.index)

    def to_ibis(self, table, *, persona: str | None = None):
        """Ibis boolean expression over ``table``; nulls mean "not selected" in a filter."""
        self.check(_schema_of(table), persona=persona)
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
    >>> parse_rule("age = 30")
    Traceback (most recent call last):
    ...
    jmtools.personas.RuleError: persona rule: 'age = 30' — invalid syntax at column 5
        age = 30
            ^
      Fix: compare with '==' (a single '=' assigns)
    """
    if not isinstance(text, str) or not text.strip():
        raise RuleError("is empty", rule=str(text), persona=persona,
                        fix='write a condition such as \'age >= 45 and channel == "store"\'')
    if len(text) > MAX_RULE_CHARS:
        raise RuleError(f"is {len(text)} characters long (limit {MAX_RULE_CHARS})",
                        rule=text[:60] + "…", persona=persona, fix="shorten the rule")
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    stripped = flat.lstrip()
    shift = len(flat) - len(stripped)
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        pos = max((err.offset or 1) - 1, 0) + shift
        for token in ("&&", "||"):
            if token in text:
                pos = text.index(token)
        msg = "invalid syntax" + (f" ({err.msg})" if err.msg != "invalid syntax" else "")
        raise RuleError(msg, rule=text, position=min(pos, len(text)),
                        persona=persona, fix=_syntax_fix(stripped)) from None
    node = _convert(tree.body, stripped, text, shift, persona)
    return Rule(text=text, tree=node, attributes=frozenset(_names(node)))


def _syntax_fix(text: str) -> str:
    if "=" in text.replace("==", "").replace("!=", "").replace("<=", "").replace(">=", ""):
        return "compare with '==' (a single '=' assigns)"
    if "&&" in text or "||" in text:
        return "write 'and' / 'or'"
    words = set(text.replace("(", " ").replace(")", " ").split())
    if words & {"AND", "OR", "NOT", "And", "Or", "Not"}:
        return "write and / or / not in lower case"
    if words & {"IN", "IS", "NULL", "In", "Is"}:
        return "write in / is None in lower case, e.g. 'region in [\"north\"]', 'age is None'"
    return ("use attributes, numbers, \"text\", comparisons, and/or/not, in [...], "
            "is None, + - * / % and parentheses")


def _offset(node: ast.AST, text: str, shift: int) -> int:
    col = getattr(node, "col_offset", 0) or 0
    return len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore")) + shift


def _convert(node: ast.AST, text: str, original: str, shift: int, persona) -> _Node:
    pos = _offset(node, text, shift)

    def conv(child):
        return _convert(child, text, original, shift, persona)

    def fail(msg, fix="", at=pos):
        raise RuleError(msg, rule=original, position=at, persona=persona, fix=fix)

    if isinstance(node, ast.BoolOp):
        return _Node("and" if isinstance(node.op, ast.And) else "or",
                     tuple(conv(v) for v in node.values), pos=pos)
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return _Node("not", (conv(node.operand),), pos=pos)
        if isinstance(node.op, ast.USub):
            inner = conv(node.operand)
            if inner.kind == "lit" and isinstance(inner.value, (int, float)) \
                    and not isinstance(inner.value, bool):
                return _Node("lit", value=-inner.value, pos=pos)
            return _Node("neg", (inner,), pos=pos)
        if isinstance(node.op, ast.UAdd):
            return conv(node.operand)
        fail(f"'{type(node.op).__name__}' is not allowed", _HINTS.get(type(node.op), ""))
    if isinstance(node, ast.Compare):
        return _convert_compare(node, conv, fail, text, shift)
    if isinstance(node, ast.BinOp):
        if type(node.op) in _ARITH:
            return _Node("arith", (conv(node.left), conv(node.right)),
                         value=_ARITH[type(node.op)], pos=pos)
        fail(f"operator '{type(node.op).__name__}' is not allowed", _HINTS.get(type(node.op), ""),
             at=_operator_offset(node, text, shift))
    if isinstance(node, ast.Name):
        return _Node("attr", value=node.id, pos=pos)
    if isinstance(node, ast.Constant):
        if node.value is None or isinstance(node.value, (bool, int, float, str)):
            return _Node("lit", value=node.value, pos=pos)
        fail(f"the constant {node.value!r} is not allowed", "use numbers, \"text\", True/False")
    what = type(node).__name__
    fail(f"'{ast.get_source_segment(text, node) or what}' ({what}) is not allowed",
         _HINTS.get(type(node), "use attributes, numbers, \"text\", comparisons, and/or/not, "
                    "in [...], is None, + - * / %"))


def _convert_compare(node: ast.Compare, conv, fail, text, shift) -> _Node:
    parts = []
    left = node.left
    for op, right in zip(node.ops, node.comparators):
        at = _offset(left, text, shift)
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
                fail("'in' needs a list of values", "write e.g. region in [\"north\", \"east\"]",
                     at=_offset(right, text, shift))
            values = []
            for elt in right.elts:
                lit = conv(elt)
                if lit.kind != "lit" or lit.value is None:
                    fail("a list after 'in' may hold only numbers, \"text\" or True/False",
                         "to test for missing values write 'x is None'",
                         at=_offset(elt, text, shift))
                values.append(lit.value)
            if not values:
                fail("the list after 'in' is empty", "list at least one value",
                     at=_offset(right, text, shift))
            parts.append(_Node("in" if isinstance(op, ast.In) else "notin", (conv(left),),
                               value=tuple(values), pos=at))
        elif isinstance(op, (ast.Is, ast.IsNot)):
            if not (isinstance(right, ast.Constant) and right.value is None):
                fail("'is' is only for missing values", "write 'x is None' or 'x is not None'; "
                     "compare values with '=='", at=_offset(right, text, shift))
            parts.append(_Node("isnull" if isinstance(op, ast.Is) else "notnull", (conv(left),),
                               pos=at))
        else:
            lhs, rhs = conv(left), conv(right)
            if (lhs.kind == "lit" and lhs.value is None) or (rhs.kind == "lit" and rhs.value is None):
                fail("comparing with None is never true", "write 'x is None' or 'x is not None'",
                     at=at)
            parts.append(_Node("cmp", (lhs, rhs), value=_CMP[type(op)], pos=at))
        left = right
    return parts[0] if len(parts) == 1 else _Node("and", tuple(parts), pos=parts[0].pos)


def _operator_offset(node: ast.BinOp, text: str, shift: int) -> int:
    end = len(text.encode("utf-8")[:node.left.end_col_offset].decode("utf-8", errors="ignore"))
    while end < len(text) and text[end] in " )":
        end += 1
    return end + shift


def _names(node: _Node):
    if node.kind == "attr":
        yield node.value
    for child in node.args:
        yield from _names(child)


# ---------------------------------------------------------------------------------------------
# Rule language: types against a schema
# ---------------------------------------------------------------------------------------------

def _schema_of(data) -> dict[str, str]:
    """Attribute → kind (number, text, bool, time, other) of a pandas frame or an Ibis table."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        api = pd.api.types
        out = {}
        for name, dtype in data.dtypes.items():
            if api.is_bool_dtype(dtype):
                out[str(name)] = "bool"
            elif api.is_numeric_dtype(dtype):
                out[str(name)] = "number"
            elif api.is_datetime64_any_dtype(dtype):
                out[str(name)] = "time"
            elif api.is_string_dtype(dtype) or dtype == object \
                    or isinstance(dtype, pd.CategoricalDtype):
                out[str(name)] = "text"
            else:
                out[str(name)] = "other"
        return out
    schema = data.schema()
    out = {}
    for name, dtype in schema.items():
        if dtype.is_boolean():
            out[name] = "bool"
        elif dtype.is_numeric():
            out[name] = "number"
        elif dtype.is_timestamp() or dtype.is_date():
            out[name] = "time"
        elif dtype.is_string():
            out[name] = "text"
        else:
            out[name] = "other"
    return out


def _lit_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


_KEYWORD_HINTS = {"true": "write True (capital T)", "false": "write False (capital F)",
                  "null": "test for missing values with 'x is None'",
                  "none": "test for missing values with 'x is None' (capital N)",
                  "nan": "test for missing values with 'x is None'"}


def _kind(node: _Node, schema, rule, persona) -> str:
    def fail(msg, fix=""):
        raise RuleError(msg, rule=rule, position=node.pos, persona=persona, fix=fix)

    k = node.kind
    if k == "attr":
        if node.value not in schema and node.value.lower() in _KEYWORD_HINTS:
            raise RuleError(f"unknown attribute {node.value!r}", rule=rule, position=node.pos,
                            persona=persona, attribute=node.value,
                            fix=_KEYWORD_HINTS[node.value.lower()])
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


def _type_fix(kind: str) -> str:
    return {"number": "compare numbers with numbers (no quotes): age >= 45",
            "text": 'put text values in quotes: region == "north"',
            "bool": "compare with True or False",
            "time": 'compare dates with an ISO date in quotes: signup_date >= "2025-01-01"'}.get(
        kind, "compare values of the same kind")


# ---------------------------------------------------------------------------------------------
# Rule language: compile to pandas (SQL three-valued logic) and to Ibis
# ---------------------------------------------------------------------------------------------

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge, "+": operator.add, "-": operator.sub,
        "*": operator.mul, "/": operator.truediv, "%": operator.mod}


def _to_pandas(node: _Node, df):
    import numpy as np
    import pandas as pd

    k = node.kind
    if k == "attr":
        col = df[node.value]
        if pd.api.types.is_bool_dtype(col.dtype):
            return col.astype("boolean")
        return col
    if k == "lit":
        return node.value
    if k in ("and", "or"):
        parts = [_as_boolean(_to_pandas(a, df), df.index) for a in node.args]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if k == "and" else (out | p)
        return out
    if k == "not":
        return ~_as_boolean(_to_pandas(node.args[0], df), df.index)
    if k == "neg":
        return -_numeric(_to_pandas(node.args[0], df))
    if k == "arith":
        left, right = (_numeric(_to_pandas(a, df)) for a in node.args)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _OPS[node.value](left, right)
            if node.value == "%":  # SQL engines: remainder keeps the dividend's sign
                out = np.fmod(left, right)
        if node.value in ("/", "%"):  # SQL: x / 0 is NULL
            zero = right == 0
            if isinstance(zero, pd.Series):
                out = out.mask(zero)
            elif zero:
                out = out * np.nan
        return out
    if k in ("isnull", "notnull"):
        val = _to_pandas(node.args[0], df)
        missing = val.isna() if isinstance(val, pd.Series) else pd.Series(val is None,
                                                                           index=df.index)
        return _as_boolean(missing if k == "isnull" else ~missing, df.index)
    if k in ("in", "notin"):
        val = _to_pandas(node.args[0], df)
        values = _coerce_values(val, node.value)
        hit = val.isin(values)
        out = _as_boolean(hit if k == "in" else ~hit, df.index)
        out[val.isna().to_numpy()] = pd.NA
        return out
    if k == "cmp":
        left, right = (_to_pandas(a, df) for a in node.args)
        left, right = _align_time(left, right)
        res = _OPS[node.value](left, right)
        out = _as_boolean(res, df.index)
        for side in (left, right):
            if isinstance(side, pd.Series):
                out[side.isna().to_numpy()] = pd.NA
        return out
    raise AssertionError(k)  # pragma: no cover


def _numeric(val):
    import pandas as pd
    if isinstance(val, pd.Series):
        return val.astype("float64")
    return float(val)


def _coerce_values(series, values):
    import pandas as pd
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [pd.Timestamp(v) for v in values]
    return list(values)


def _align_time(left, right):
    import pandas as pd
    for a, b in ((left, right), (right, left)):
        if isinstance(a, pd.Series) and pd.api.types.is_datetime64_any_dtype(a.dtype) \
                and isinstance(b, str):
            ts = pd.Timestamp(b)
            if getattr(a.dt, "tz", None) is not None and ts.tz is None:
                ts = ts.tz_localize(a.dt.tz)
            return (a, ts) if a is left else (ts, a)
    return left, right


def _as_boolean(val, index):
    import pandas as pd
    if isinstance(val, pd.Series):
        return val.astype("boolean") if val.dtype != "boolean" else val.copy()
    return pd.Series(pd.array([val] * len(index), dtype="boolean"), index=index)


def _as_bool_series(val, index):
    return _as_boolean(val, index).fillna(False).astype(bool)


def _to_ibis(node: _Node, t):
    import ibis

    k = node.kind
    if k == "attr":
        return t[node.value]
    if k == "lit":
        return ibis.literal(node.value)
    if k in ("and", "or"):
        parts = [_to_ibis(a, t) for a in node.args]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if k == "and" else (out | p)
        return out
    if k == "not":
        return ~_to_ibis(node.args[0], t)
    if k == "neg":
        return -_to_ibis(node.args[0], t)
    if k == "arith":
        left, right = (_to_ibis(a, t) for a in node.args)
        left = left.cast("float64")
        right = right.cast("float64")
        out = _OPS[node.value](left, right)
        if node.value in ("/", "%"):  # SQL engines differ on x/0 (NULL vs error): make it NULL
            out = ibis.ifelse(right == 0, ibis.null("float64"), out)
        return out
    if k == "isnull":
        return _to_ibis(node.args[0], t).isnull()
    if k == "notnull":
        return _to_ibis(node.args[0], t).notnull()
    if k in ("in", "notin"):
        val = _to_ibis(node.args[0], t)
        values = list(node.value)
        if val.type().is_temporal():
            import pandas as pd
            values = [pd.Timestamp(v).to_pydatetime() for v in values]
        return val.isin(values) if k == "in" else val.notin(values)
    if k == "cmp":
        left, right = (_to_ibis(a, t) for a in node.args)
        if left.type().is_temporal() and right.type().is_string():
            right = right.cast(left.type())
        elif right.type().is_temporal() and left.type().is_string():
            left = left.cast(right.type())
        return _OPS[node.value](left, right)
    raise AssertionError(k)  # pragma: no cover
