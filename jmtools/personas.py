"""Personas linked to data: rules, assignment, validation, profiles, suggested clusters, cards.

A persona selects its customers with a **rule** — a small, safe expression over customer
attributes — or with a **cluster id** from :func:`suggest_personas`.

The rule language
-----------------
Python-like expressions, parsed with :mod:`ast` into an allow-listed tree and never evaluated
with ``eval``:

- attributes by name (``age``, ``region``), numbers, ``"text"``, ``True``/``False``
- comparisons ``== != < <= > >=``, chained (``18 <= age < 30``)
- ``and``, ``or``, ``not`` and parentheses
- ``region in ["north", "east"]``, ``region not in [...]``
- arithmetic ``+ - * / %`` on numbers (``spend / orders > 50``)
- null checks ``phone is None`` / ``phone is not None``
- a date attribute compared with an ISO date text (``signup_date >= "2025-01-01"``)

Missing values follow SQL: a comparison with a missing value is unknown, and a customer whose
rule is unknown is not selected (``age > 40`` does not select customers with no age, and nor does
``not age > 40``). Division by zero gives a missing value. The same tree compiles to a pandas mask
(:meth:`Rule.mask`) and to an Ibis boolean expression (:meth:`Rule.to_ibis`), so a rule selects the
same customers on DuckDB, Spark or a warehouse.

Customers in several personas
-----------------------------
:func:`assign_personas` gives each customer at most one persona: the **first persona in file
order** whose rule selects them. How many customers several personas claim is reported
(``n_personas`` per customer, :func:`coverage_report`, :func:`persona_overlaps`), never hidden.
"""

from __future__ import annotations

import ast
import html
import operator
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from jmtools.errors import DataError, ParameterError, Problem, suggest

__all__ = [
    "NO_PERSONA",
    "RuleError",
    "Rule",
    "parse_rule",
    "persona_filter",
    "persona_masks",
    "assign_personas",
    "coverage_report",
    "persona_overlaps",
    "check_personas",
    "PersonaCard",
]

#: Label of customers whom no persona selects (in reports; ``persona`` is missing in assignments).
NO_PERSONA = "(no persona)"

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


def _kind(node: _Node, schema, rule, persona) -> str:
    def fail(msg, fix=""):
        raise RuleError(msg, rule=rule, position=node.pos, persona=persona, fix=fix)

    k = node.kind
    if k == "attr":
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


# ---------------------------------------------------------------------------------------------
# Persona specs: journeys, cards, dicts or {name: rule}
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    name: str
    rule: Rule | None
    cluster: Any = None


def _specs(personas) -> list[_Spec]:
    """Normalise personas (a Journey, cards, dicts, or a mapping name → rule) to specs."""
    if hasattr(personas, "personas_resolved"):
        personas = personas.personas_resolved()
    if isinstance(personas, Mapping):
        personas = [{"name": k, "rule": v} for k, v in personas.items()]
    if isinstance(personas, (str, bytes)) or not isinstance(personas, Iterable):
        raise ParameterError("personas", personas, expected="a list of persona cards, a Journey "
                             "or a mapping name → rule")
    specs, seen, problems = [], set(), []
    for i, p in enumerate(personas):
        get = p.get if isinstance(p, Mapping) else (lambda key, _p=p: getattr(_p, key, None))
        name, text, cluster = get("name"), get("rule"), get("cluster")
        if not name:
            raise ParameterError(f"personas[{i}].name", name, expected="a non-empty name")
        if name in seen:
            raise ParameterError(f"personas[{i}].name", name, expected="a name used once",
                                 fix="give each persona its own name")
        seen.add(name)
        if text is None and cluster is None:
            problems.append(Problem(f"persona {name!r} has neither a rule nor a cluster, so it "
                                    "selects no customers", column=f"personas[{name}]",
                                    fix='add rule: "<condition>" or cluster: <id>'))
            continue
        try:
            rule = parse_rule(text, persona=name) if text is not None else None
        except RuleError as err:
            problems.extend(err.problems)
            continue
        specs.append(_Spec(str(name), rule, cluster))
    if problems:
        raise DataError(problems, source="personas")
    return specs


def _is_ibis(data) -> bool:
    return type(data).__module__.startswith("ibis.")


def _require_columns(data, columns: Sequence[str], what: str) -> None:
    have = list(data.columns)
    for col in columns:
        if col not in have:
            hint = suggest(col, have)
            raise ParameterError(f"{what} column", col, expected=f"a column of the {what} table "
                                 f"({', '.join(map(str, have[:12]))})",
                                 fix=f"did you mean {hint!r}?" if hint else
                                 f"pass the right name, e.g. {what}_col=...")


def _spec_mask(spec: _Spec, customers, cluster_col: str):
    """pandas bool Series: who this persona selects."""
    import pandas as pd
    mask = pd.Series(True, index=customers.index)
    if spec.rule is not None:
        mask &= spec.rule.mask(customers, persona=spec.name)
    if spec.cluster is not None:
        _cluster_column_or_fail(customers, cluster_col, spec)
        labels = customers[cluster_col]
        mask &= labels.notna() & (labels.astype(str) == str(spec.cluster))
    return mask


def _spec_ibis(spec: _Spec, table, cluster_col: str):
    import ibis
    cond = ibis.literal(True)
    if spec.rule is not None:
        cond = cond & spec.rule.to_ibis(table, persona=spec.name)
    if spec.cluster is not None:
        _cluster_column_or_fail(table, cluster_col, spec)
        cond = cond & (table[cluster_col].cast("string") == str(spec.cluster))
    return cond.fill_null(False)


def _cluster_column_or_fail(data, cluster_col, spec):
    if cluster_col not in data.columns:
        raise DataError([Problem(
            f"persona {spec.name!r} selects cluster {spec.cluster!r}, but the customers table "
            f"has no {cluster_col!r} column", column=f"personas[{spec.name}].cluster",
            fix="add the cluster labels first: customers.merge(suggestion.labels, "
                "on='customer_id'), where suggestion = suggest_personas(...)")],
            source="customers")


def _check_ids(customers, customer_col: str) -> None:
    _require_columns(customers, [customer_col], "customer")
    if _is_ibis(customers):
        return
    ids = customers[customer_col]
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        examples = ", ".join(map(repr, dup.unique()[:5].tolist()))
        raise DataError([Problem(f"{dup.nunique()} customer ids appear more than once "
                                 f"(e.g. {examples})", column=customer_col, source="customers",
                                 fix="keep one row per customer (drop or merge duplicates)")])


# ---------------------------------------------------------------------------------------------
# Selection, assignment, coverage
# ---------------------------------------------------------------------------------------------

def persona_filter(table, rule: str | Rule, *, persona: str | None = None):
    """Rows of ``table`` (pandas or Ibis) that ``rule`` selects; same kind out as in.

    Parameters
    ----------
    table : pandas.DataFrame or ibis Table
        Customers (one row per customer, attribute columns).
    rule : str or Rule
        A persona rule (see the module docs for the language).
    persona : str, optional
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame or ibis Table
        The selected rows, all columns, input order kept.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": [20, 50, None]})
    >>> persona_filter(df, "age > 40 or age is None").customer_id.tolist()
    ['b', 'c']
    """
    parsed = rule if isinstance(rule, Rule) else parse_rule(rule, persona=persona)
    if _is_ibis(table):
        return table.filter(parsed.to_ibis(table, persona=persona).fill_null(False))
    return table.loc[parsed.mask(table, persona=persona)]


def persona_masks(customers, personas, *, customer_col: str = "customer_id",
                  cluster_col: str = "cluster"):
    """One boolean column per persona (file order): does the persona select the customer?

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer.
    personas : Journey, list of cards/dicts, or mapping name → rule
        The personas, in file order.
    customer_col : str, default "customer_id"
    cluster_col : str, default "cluster"
        Column holding cluster labels, used by personas defined by ``cluster``.

    Returns
    -------
    pandas.DataFrame
        ``customer_col`` then one bool column per persona, one row per customer in input order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b"], "age": [20, 50]})
    >>> persona_masks(df, {"Young": "age < 30", "Any": "age > 0"})
      customer_id  Young   Any
    0           a   True  True
    1           b  False  True
    """
    import pandas as pd
    _check_ids(customers, customer_col)
    specs = _specs(personas)
    cols = {s.name: _spec_mask(s, customers, cluster_col).to_numpy() for s in specs}
    out = pd.DataFrame({customer_col: customers[customer_col].to_numpy(), **cols})
    return out


def assign_personas(customers, personas, *, customer_col: str = "customer_id",
                    cluster_col: str = "cluster"):
    """Give each customer at most one persona: the first in file order whose rule selects them.

    Parameters
    ----------
    customers : pandas.DataFrame or ibis Table
        One row per customer with the attributes the rules name.
    personas : Journey, list of persona cards or dicts, or mapping name → rule
        In file order; that order decides ties (see Notes).
    customer_col : str, default "customer_id"
    cluster_col : str, default "cluster"
        Column with cluster labels, for personas defined by ``cluster: <id>``.

    Returns
    -------
    pandas.DataFrame or ibis Table (same kind as ``customers``)
        One row per customer, input order: ``customer_col``; ``persona`` (the persona name;
        missing when no persona selects the customer; a pandas Categorical whose categories are
        the persona names in file order); ``n_personas`` (how many personas select the customer).

    Notes
    -----
    Policy for customers in several personas: the first persona in file order wins, and
    ``n_personas`` > 1 records the overlap. See :func:`coverage_report` and
    :func:`persona_overlaps` for the counts. Rules follow SQL null logic on both engines.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": [20, 50, 70]})
    >>> assign_personas(df, {"Young": "age < 30", "Older": "age >= 45", "Senior": "age >= 65"})
      customer_id persona  n_personas
    0           a   Young           1
    1           b   Older           1
    2           c   Older           2
    """
    if _is_ibis(customers):
        return _assign_ibis(customers, personas, customer_col, cluster_col)
    import numpy as np
    import pandas as pd
    masks = persona_masks(customers, personas, customer_col=customer_col, cluster_col=cluster_col)
    names = [c for c in masks.columns if c != customer_col]
    matrix = masks[names].to_numpy(dtype=bool).reshape(len(masks), len(names))
    n = matrix.sum(axis=1)
    first = np.where(n > 0, matrix.argmax(axis=1) if names else 0, -1)
    persona = pd.Categorical.from_codes(first, categories=names) if names else \
        pd.Categorical([None] * len(masks), categories=[])
    return pd.DataFrame({customer_col: masks[customer_col], "persona": persona,
                         "n_personas": n.astype("int64")})


def _assign_ibis(table, personas, customer_col, cluster_col):
    import ibis
    _check_ids(table, customer_col)
    specs = _specs(personas)
    conds = [(_spec_ibis(s, table, cluster_col), s.name) for s in specs]
    if not conds:
        persona = ibis.null("string")
        n = ibis.literal(0, "int64")
    else:
        persona = ibis.cases(*conds, else_=ibis.null("string"))
        n = sum((c.cast("int64") for c, _ in conds[1:]), conds[0][0].cast("int64"))
    return table.select(table[customer_col], persona=persona, n_personas=n.cast("int64"))


def coverage_report(assignment, *, customer_col: str = "customer_id"):
    """How many customers are in exactly one persona, in none, in several.

    Parameters
    ----------
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.

    Returns
    -------
    pandas.DataFrame
        ``coverage`` (``one persona``, ``no persona``, ``several personas``; all three rows
        always), ``n`` customers, ``share`` of all customers, ``total`` customers.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "age": [20, 50, 70, None]})
    >>> a = assign_personas(df, {"Young": "age < 30", "Older": "age >= 45", "Senior": "age >= 65"})
    >>> coverage_report(a)
               coverage  n  share  total
    0       one persona  2   0.50      4
    1        no persona  1   0.25      4
    2  several personas  1   0.25      4
    """
    import pandas as pd
    if _is_ibis(assignment):
        assignment = assignment.to_pandas()
    n = assignment["n_personas"]
    total = len(assignment)
    counts = [int((n == 1).sum()), int((n == 0).sum()), int((n > 1).sum())]
    return pd.DataFrame({"coverage": ["one persona", "no persona", "several personas"],
                         "n": counts,
                         "share": [c / total if total else float("nan") for c in counts],
                         "total": total})


def persona_overlaps(customers, personas, *, customer_col: str = "customer_id",
                     cluster_col: str = "cluster"):
    """Customers selected by both personas of each pair (file order, every pair listed).

    Returns
    -------
    pandas.DataFrame
        ``persona_a``, ``persona_b`` (a before b in file order), ``n_both``, ``n_a``, ``n_b``,
        ``share_of_a`` = n_both / n_a, ``share_of_b`` = n_both / n_b (NaN when 0),
        ``kept_by`` (the persona the customers in both are assigned to: ``persona_a``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": [20, 50, 70]})
    >>> persona_overlaps(df, {"Older": "age >= 45", "Senior": "age >= 65"})
      persona_a persona_b  n_both  n_a  n_b  share_of_a  share_of_b kept_by
    0     Older    Senior       1    2    1         0.5         1.0   Older
    """
    import numpy as np
    import pandas as pd
    masks = persona_masks(customers, personas, customer_col=customer_col, cluster_col=cluster_col)
    names = [c for c in masks.columns if c != customer_col]
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = int((masks[a] & masks[b]).sum())
            na, nb = int(masks[a].sum()), int(masks[b].sum())
            rows.append((a, b, both, na, nb, both / na if na else np.nan,
                         both / nb if nb else np.nan, a))
    return pd.DataFrame(rows, columns=["persona_a", "persona_b", "n_both", "n_a", "n_b",
                                       "share_of_a", "share_of_b", "kept_by"])


def check_personas(customers, personas, *, customer_col: str = "customer_id",
                   cluster_col: str = "cluster", errors: str = "raise"):
    """Check persona rules against the data: syntax, attributes, types, empty, overlapping.

    Parameters
    ----------
    customers : pandas.DataFrame
    personas : Journey, list of cards/dicts, or mapping name → rule
    errors : {"raise", "report"}, default "raise"
        ``"raise"``: raise :class:`~jmtools.errors.DataError` listing every error (bad syntax,
        unknown attribute with "did you mean", mismatched types, a persona that selects nobody);
        overlaps are warnings and never raise. ``"report"``: return every finding as rows.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``persona``, ``check`` (``syntax``, ``attribute``, ``type``,
        ``selects nobody``, ``overlap``, ``ok``), ``severity`` (``error``, ``warning``, ``ok``),
        ``n`` (customers selected, or in the overlap), ``message``, ``fix``. Personas with no
        problem get one ``ok`` row with their size.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b"], "age": [20, 50]})
    >>> check_personas(df, {"Young": "age < 30", "Old": "age > 40", "Any": "age > 0",
    ...                     "Kids": "age < 12"}, errors="report")[["persona", "check", "n"]]
      persona           check  n
    0   Young         overlap  1
    1     Old         overlap  1
    2     Any         overlap  1
    3     Any         overlap  1
    4    Kids  selects nobody  0
    >>> check_personas(df, {"Kids": "agee < 12"})
    Traceback (most recent call last):
    ...
    jmtools.errors.DataError: personas: persona 'Kids': 'agee < 12' — unknown attribute 'agee' at column 1
        agee < 12
        ^
      Fix: did you mean 'age'? customer attributes are: age, customer_id
    """
    import pandas as pd
    if errors not in ("raise", "report"):
        raise ParameterError("errors", errors, expected=["raise", "report"])
    _check_ids(customers, customer_col)
    findings, masks = _check_each(customers, personas, cluster_col)
    names = list(masks)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = int((masks[a] & masks[b]).sum())
            if both:
                for who, other in ((a, b), (b, a)):
                    kept = a
                    findings.append((who, "overlap", "warning", both,
                                     f"{both} customers are also selected by {other!r}; they are "
                                     f"assigned to {kept!r} (first in file order)",
                                     "tighten one rule if the personas should not share "
                                     "customers"))
    flagged = {f[0] for f in findings}
    for name, mask in masks.items():
        if name not in flagged:
            findings.append((name, "ok", "ok", int(mask.sum()), "", ""))
    order = {n: i for i, n in enumerate(_names_in_order(personas))}
    report = pd.DataFrame(findings, columns=["persona", "check", "severity", "n", "message",
                                             "fix"])
    report = report.sort_values("persona", key=lambda s: s.map(order), kind="stable")
    report = report.reset_index(drop=True)
    bad = report[report.severity == "error"]
    if errors == "raise" and len(bad):
        raise DataError([Problem(f"persona {r.persona!r}: {r.message}", fix=r.fix,
                                 source="personas")
                         for r in bad.itertuples()], source="personas")
    return report


def _names_in_order(personas) -> list[str]:
    if hasattr(personas, "personas_resolved"):
        personas = personas.personas_resolved()
    if isinstance(personas, Mapping):
        return list(personas)
    return [p["name"] if isinstance(p, Mapping) else p.name for p in personas]


def _check_each(customers, personas, cluster_col):
    """Findings for rule errors and empty personas, and the masks of the valid ones."""
    if hasattr(personas, "personas_resolved"):
        personas = personas.personas_resolved()
    items = ([{"name": k, "rule": v} for k, v in personas.items()]
             if isinstance(personas, Mapping) else list(personas))
    findings, masks = [], {}
    for p in items:
        get = p.get if isinstance(p, Mapping) else (lambda key, _p=p: getattr(_p, key, None))
        name = get("name")
        text = get("rule")
        try:
            if text is not None:
                parse_rule(text, persona=name)
        except RuleError as err:
            findings.append((name, "syntax", "error", 0, err.problems[0].message, err.fix))
            continue
        try:
            (spec,) = _specs([{"name": name, "rule": text, "cluster": get("cluster")}])
            mask = _spec_mask(spec, customers, cluster_col)
        except RuleError as err:
            kind = "attribute" if err.attribute else "type"
            findings.append((name, kind, "error", 0, err.problems[0].message, err.fix))
            continue
        except DataError as err:
            for prob in err.problems:
                findings.append((name, "rule", "error", 0, prob.message, prob.fix))
            continue
        n = int(mask.sum())
        if n == 0:
            findings.append((name, "selects nobody", "error", 0,
                             f"the rule selects none of the {len(customers)} customers",
                             "check the values the rule compares with (e.g. "
                             "customers[col].value_counts())"))
        masks[name] = mask
    return findings, masks


# ---------------------------------------------------------------------------------------------
# Persona card (display)
# ---------------------------------------------------------------------------------------------

_CARD_FIELDS = ("name", "rule", "cluster", "backstory", "goals", "motivations", "desires",
                "pain_points", "demographics", "quote", "evidence")

_CARD_CSS = """
.jm-persona{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:760px;
 border:1px solid #d0d7de;border-radius:10px;padding:16px 18px;margin:6px 0;background:#fff;
 color:#1f2328;line-height:1.4;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.jm-persona .jm-head{display:flex;gap:14px;align-items:center}
.jm-persona .jm-avatar{flex:none;width:52px;height:52px;border-radius:50%;background:#4c78a8;
 color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600;font-size:20px}
.jm-persona h3{margin:0;font-size:20px}
.jm-persona .jm-badge{display:inline-block;font-size:11px;padding:1px 7px;border-radius:9px;
 margin-left:6px;vertical-align:middle;background:#eef1f4;color:#57606a;font-weight:500}
.jm-persona .jm-badge.measured{background:#dafbe1;color:#116329}
.jm-persona .jm-badge.reported{background:#ddf4ff;color:#0550ae}
.jm-persona .jm-badge.assumed{background:#fff8c5;color:#7d4e00}
.jm-persona .jm-rule{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;
 color:#57606a;margin-top:3px;word-break:break-word}
.jm-persona blockquote{margin:12px 0 6px;padding:4px 12px;border-left:4px solid #4c78a8;
 color:#424a53;font-style:italic}
.jm-persona .jm-numbers{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
.jm-persona .jm-num{background:#f6f8fa;border-radius:6px;padding:5px 10px;min-width:90px}
.jm-persona .jm-num b{display:block;font-size:16px}
.jm-persona .jm-num span{font-size:11px;color:#57606a}
.jm-persona .jm-grid{display:grid;grid-template-columns:1fr 1fr;gap:4px 18px}
.jm-persona h4{margin:10px 0 2px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;
 color:#57606a}
.jm-persona ul{margin:0;padding-left:18px}
.jm-persona table{border-collapse:collapse;font-size:13px}
.jm-persona td{padding:1px 10px 1px 0}
.jm-persona .jm-empty{color:#8c959f;font-style:italic}
"""


@dataclass(frozen=True)
class PersonaCard:
    """A persona card: who, why, and the data rule that selects their customers.

    Renders as an HTML card in JupyterLab and in reports (``_repr_html_``; all text is escaped),
    and converts to the journey file's persona mapping (:meth:`to_dict`).

    Parameters
    ----------
    name : str
    rule : str, optional
        Rule over customer attributes (see the module docs).
    cluster : int or str, optional
        Cluster id from :func:`suggest_personas` (customers need a ``cluster`` column).
    backstory, quote : str
    goals, motivations, desires, pain_points : sequence of str
    demographics : mapping of str to str
    evidence : {"measured", "reported", "assumed"}, default "assumed"
    numbers : sequence of (label, value, detail)
        Facts shown on the card, e.g. ``("customers", "412", "21% of 1,960")``;
        see :meth:`with_profile`.

    Examples
    --------
    >>> card = PersonaCard("Budget <Ben>", rule="age < 30", goals=["Cheap & durable shoes"])
    >>> "Budget &lt;Ben&gt;" in card._repr_html_() and "<Ben>" not in card._repr_html_()
    True
    >>> card.to_dict()
    {'name': 'Budget <Ben>', 'rule': 'age < 30', 'goals': ['Cheap & durable shoes'], 'evidence': 'assumed'}
    """

    name: str
    rule: str | None = None
    cluster: Any = None
    backstory: str = ""
    goals: Sequence[str] = ()
    motivations: Sequence[str] = ()
    desires: Sequence[str] = ()
    pain_points: Sequence[str] = ()
    demographics: Mapping[str, Any] = field(default_factory=dict)
    quote: str = ""
    evidence: str = "assumed"
    numbers: Sequence[tuple] = ()

    @classmethod
    def from_persona(cls, persona, **changes) -> "PersonaCard":
        """Card from a journey ``Persona``, a dict or another card (duck-typed on field names)."""
        get = persona.get if isinstance(persona, Mapping) else \
            (lambda key, _p=persona: getattr(_p, key, None))
        values = {}
        for key in _CARD_FIELDS:
            value = get(key)
            if value is not None:
                values[key] = _plain(value)
        values.update(changes)
        return cls(**values)

    def to_dict(self) -> dict:
        """The card as a journey-file persona mapping (empty fields left out)."""
        out = {}
        for key in _CARD_FIELDS:
            value = getattr(self, key)
            if value is None or (value == "" or (hasattr(value, "__len__") and len(value) == 0)
                                 and key != "evidence"):
                continue
            out[key] = list(value) if isinstance(value, tuple) else \
                dict(value) if isinstance(value, Mapping) else value
        return out

    def with_profile(self, sizes=None, kpis=None) -> "PersonaCard":
        """Copy of the card showing its size and KPIs from :func:`persona_sizes` /
        :func:`persona_kpis` (rows for this persona are picked by name)."""
        numbers = list(self.numbers)
        if sizes is not None:
            row = sizes[sizes["persona"].astype(str) == self.name]
            if len(row):
                r = row.iloc[0]
                numbers.append(("customers", f"{int(r['n']):,}",
                                f"{r['share']:.0%} of {int(r['total']):,}"))
        if kpis is not None:
            rows = kpis[kpis["persona"].astype(str) == self.name]
            for r in rows.itertuples():
                if r.n > 0 and r.value == r.value:
                    numbers.append((r.kpi, _fmt_kpi(r.kpi, r.value), f"n = {int(r.n):,}"))
        return _replace(self, numbers=tuple(numbers))

    def to_html(self) -> str:
        """The card as a self-contained HTML fragment (inline CSS, no scripts, escaped text)."""
        e = _esc
        initials = "".join(w[0] for w in str(self.name).split()[:2]).upper() or "?"
        evidence = str(self.evidence or "assumed")
        parts = [f"<style>{_CARD_CSS}</style>", '<div class="jm-persona">',
                 '<div class="jm-head">', f'<div class="jm-avatar">{e(initials)}</div><div>',
                 f'<h3>{e(self.name)}<span class="jm-badge {e(evidence)}">{e(evidence)}'
                 '</span></h3>']
        if self.rule:
            parts.append(f'<div class="jm-rule">rule: {e(self.rule)}</div>')
        if self.cluster is not None:
            parts.append(f'<div class="jm-rule">cluster: {e(self.cluster)}</div>')
        parts.append("</div></div>")
        if self.quote:
            parts.append(f"<blockquote>“{e(self.quote)}”</blockquote>")
        if self.numbers:
            parts.append('<div class="jm-numbers">')
            for label, value, detail in self.numbers:
                parts.append(f'<div class="jm-num"><b>{e(value)}</b><span>{e(label)}'
                             f'{" · " + e(detail) if detail else ""}</span></div>')
            parts.append("</div>")
        if self.backstory:
            parts.append(f"<p>{e(self.backstory)}</p>")
        parts.append('<div class="jm-grid">')
        for title, items in (("Goals", self.goals), ("Motivations", self.motivations),
                             ("Desires", self.desires), ("Pain points", self.pain_points)):
            body = "".join(f"<li>{e(i)}</li>" for i in items) if items else \
                '<li class="jm-empty">not written yet</li>'
            parts.append(f"<div><h4>{title}</h4><ul>{body}</ul></div>")
        parts.append("</div>")
        if self.demographics:
            rows = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>"
                           for k, v in self.demographics.items())
            parts.append(f"<h4>Demographics</h4><table>{rows}</table>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _plain(value):
    if isinstance(value, (list, tuple)):
        return tuple(_plain_item(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return value


def _plain_item(v):
    if isinstance(v, Mapping) and "text" in v:
        return str(v["text"])
    return str(getattr(v, "text", v))


def _replace(card, **changes):
    from dataclasses import replace
    return replace(card, **changes)


def _fmt_kpi(kpi: str, value: float) -> str:
    if kpi in ("conversion", "csat_top2"):
        return f"{value:.0%}"
    if kpi == "nps":
        return f"{value:+.0f}"
    if kpi == "order_value":
        return f"{value:,.0f}"
    return f"{value:.2f}"
