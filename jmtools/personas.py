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
    "persona_sizes",
    "attribute_profile",
    "persona_kpis",
    "typical_events",
    "behaviour_features",
    "suggest_personas",
    "ClusterSuggestion",
    "cluster_agreement",
    "PersonaCard",
    "KPI_FORMULAS",
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
    parts = []
    if spec.rule is not None:
        parts.append(spec.rule.to_ibis(table, persona=spec.name))
    if spec.cluster is not None:
        _cluster_column_or_fail(table, cluster_col, spec)
        parts.append(table[cluster_col].cast("string") == str(spec.cluster))
    cond = parts[0] if len(parts) == 1 else parts[0] & parts[1]
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
.jm-persona table td{padding:1px 10px 1px 0;text-align:left;background:none;border:none}
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
                    numbers.append((_KPI_LABELS.get(r.kpi, r.kpi), _fmt_kpi(r.kpi, r.value),
                                    f"n = {int(r.n):,}"))
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


_KPI_LABELS = {"conversion": "conversion", "order_value": "order value", "csat": "CSAT (1–5)",
               "csat_top2": "CSAT 4–5", "nps": "NPS", "ces": "CES (1–7)"}


def _fmt_kpi(kpi: str, value: float) -> str:
    if kpi in ("conversion", "csat_top2"):
        return f"{value:.0%}"
    if kpi == "nps":
        return f"{value:+.0f}".replace("-", "−")
    if kpi == "order_value":
        return f"{value:,.0f}"
    return f"{value:.2f}"


# ---------------------------------------------------------------------------------------------
# Profiles from data
# ---------------------------------------------------------------------------------------------

def _assignment_frame(assignment, customer_col: str):
    """pandas assignment with ``persona`` as a categorical that includes NO_PERSONA last."""
    import pandas as pd
    if _is_ibis(assignment):
        assignment = assignment.to_pandas()
    _require_columns(assignment, [customer_col, "persona"], "assignment")
    persona = assignment["persona"]
    names = list(persona.cat.categories) if isinstance(persona.dtype, pd.CategoricalDtype) \
        else list(dict.fromkeys(persona.dropna().astype(str)))
    names = [n for n in names if n != NO_PERSONA]
    if isinstance(persona.dtype, pd.CategoricalDtype) and list(persona.cat.categories) == names:
        labels = persona.cat.add_categories(NO_PERSONA).fillna(NO_PERSONA)  # fast path
    else:
        labels = pd.Categorical(persona.astype(object).where(persona.notna(), NO_PERSONA)
                                .astype(str), categories=names + [NO_PERSONA])
    return pd.DataFrame({customer_col: assignment[customer_col],
                         "persona": pd.Categorical(labels)}).reset_index(drop=True)


def persona_sizes(assignment, *, customer_col: str = "customer_id"):
    """Size and share of each persona, with a 95% Wilson interval on the share.

    Parameters
    ----------
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.

    Returns
    -------
    pandas.DataFrame
        ``persona`` (file order, then ``(no persona)``; personas with nobody stay as rows with
        n = 0), ``n``, ``share`` = n / total, ``ci_low``, ``ci_high``, ``total``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": list("abcd"), "age": [20, 25, 50, None]})
    >>> persona_sizes(assign_personas(df, {"Young": "age < 30", "Old": "age > 80"}))
            persona  n  share  ci_low  ci_high  total
    0         Young  2    0.5    0.15   0.8500      4
    1           Old  0    0.0    0.00   0.4899      4
    2  (no persona)  2    0.5    0.15   0.8500      4
    """
    import pandas as pd
    from jmtools.stats import wilson_interval
    a = _assignment_frame(assignment, customer_col)
    counts = a["persona"].value_counts(sort=False).reindex(a["persona"].cat.categories,
                                                          fill_value=0)
    total = len(a)
    n = counts.to_numpy()
    low, high = wilson_interval(n, [total] * len(n))
    out = pd.DataFrame({"persona": pd.Categorical(counts.index, categories=counts.index),
                        "n": n.astype("int64"), "share": n / total if total else n * float("nan"),
                        "ci_low": low, "ci_high": high, "total": total})
    return out.round({"ci_low": 4, "ci_high": 4})


def _attribute_columns(customers, customer_col, attributes, skip=("cluster",)):
    if attributes is None:
        return [c for c in customers.columns if c != customer_col and c not in skip]
    _require_columns(customers, list(attributes), "customer")
    return list(attributes)


def attribute_profile(customers, assignment, *, customer_col: str = "customer_id",
                      attributes: Sequence[str] | None = None, max_levels: int = 8,
                      n_boot: int = 1000, seed: int = 0):
    """Each persona's attribute distributions against the whole customer base.

    Numbers get the persona mean (bootstrap 95% interval) and a standardised difference from
    the base mean; text and true/false attributes get the share of each level (Wilson 95%
    interval) and its lift over the base share.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer.
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.
    attributes : list of str, optional
        Which attributes; default all but the id (and ``cluster``).
    max_levels : int, default 8
        Text attributes keep their most frequent levels; the rest are pooled as ``(other)``.
    n_boot, seed : int
        Bootstrap resamples and seed for the intervals on means.

    Returns
    -------
    pandas.DataFrame
        One row per persona × attribute (× level): ``persona`` (with ``(no persona)``),
        ``attribute``, ``kind`` (``number``/``level``), ``level`` (None for numbers),
        ``n`` (persona customers with a value), ``value`` (mean, or share of the level),
        ``ci_low``, ``ci_high``, ``base_value`` (same statistic over all customers),
        ``base_n``, ``difference`` (numbers: (mean − base mean) / base sd; levels:
        share − base share), ``lift`` (levels: share / base share; NaN for numbers).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": list("abcd"), "age": [20, 30, 50, 60],
    ...                    "region": ["n", "n", "s", "n"]})
    >>> a = assign_personas(df, {"Young": "age < 40", "Old": "age >= 40"})
    >>> p = attribute_profile(df, a)
    >>> p[p.persona == "Young"][["attribute", "level", "n", "value", "base_value", "lift"]]
      attribute level  n  value  base_value      lift
    0       age   NaN  2   25.0       40.00       NaN
    1    region     n  2    1.0        0.75  1.333333
    2    region     s  2    0.0        0.25  0.000000
    """
    import numpy as np
    import pandas as pd
    from jmtools.stats import bootstrap_ci, wilson_interval
    _check_ids(customers, customer_col)
    a = _assignment_frame(assignment, customer_col)
    cols = _attribute_columns(customers, customer_col, attributes)
    data = customers[[customer_col, *cols]].merge(a, on=customer_col, how="inner",
                                                  validate="one_to_one")
    kinds = _schema_of(customers)
    rows = []
    for col in cols:
        values = data[col]
        if kinds.get(col) == "number":
            x = values.astype("float64")
            base = x.dropna()
            sd = base.std(ddof=1) if len(base) > 1 else np.nan
            for persona, grp in x.groupby(data["persona"], observed=False, sort=True):
                g = grp.dropna().to_numpy()
                mean = float(g.mean()) if g.size else np.nan
                low, high = bootstrap_ci(g, n_boot=n_boot, seed=seed)
                diff = (mean - base.mean()) / sd if sd and sd == sd and sd > 0 else np.nan
                rows.append((persona, col, "number", None, int(g.size), mean, low, high,
                             float(base.mean()) if len(base) else np.nan, int(len(base)),
                             diff, np.nan))
        else:
            if kinds.get(col) == "time":
                continue
            lv = values.astype(object).where(values.notna(), None)
            lv = lv.map(lambda v: None if v is None else str(v))
            top = lv.dropna().value_counts().index[:max_levels].tolist()
            lv = lv.where(lv.isin(top) | lv.isna(), "(other)")
            levels = top + (["(other)"] if (lv == "(other)").any() else [])
            has = lv.notna()
            base_n = int(has.sum())
            for persona, grp in lv.groupby(data["persona"], observed=False, sort=True):
                g = grp.dropna()
                for level in levels:
                    k, base_k = int((g == level).sum()), int((lv == level).sum())
                    share = k / len(g) if len(g) else np.nan
                    base_share = base_k / base_n if base_n else np.nan
                    low, high = wilson_interval(k, len(g))
                    rows.append((persona, col, "level", level, int(len(g)), share, low, high,
                                 base_share, base_n, share - base_share,
                                 share / base_share if base_share else np.nan))
    out = pd.DataFrame(rows, columns=["persona", "attribute", "kind", "level", "n", "value",
                                      "ci_low", "ci_high", "base_value", "base_n", "difference",
                                      "lift"])
    out["persona"] = pd.Categorical(out["persona"], categories=a["persona"].cat.categories)
    order = {c: i for i, c in enumerate(cols)}
    out = out.sort_values(["persona", "attribute"], key=lambda s: s.map(order)
                          if s.name == "attribute" else s, kind="stable")
    return out.reset_index(drop=True)


#: Formulas shown with the KPIs.
KPI_FORMULAS = {
    "conversion": "customers with ≥ 1 order (or conversion event) ÷ customers",
    "order_value": "mean order amount (orders of the persona's customers)",
    "csat": "mean CSAT answer (1–5)",
    "csat_top2": "share of CSAT answers 4–5",
    "nps": "% promoters (9–10) − % detractors (0–6)",
    "ces": "mean effort answer (1–7, lower is easier)",
}


def persona_kpis(assignment, *, orders=None, surveys=None, events=None,
                 conversion_event: str | Sequence[str] | None = None,
                 customer_col: str = "customer_id", amount_col: str = "amount",
                 metric_col: str = "metric", score_col: str = "score", event_col: str = "event",
                 n_boot: int = 1000, seed: int = 0):
    """Key KPIs per persona — conversion, order value, CSAT, NPS, CES — with n and 95% intervals.

    Parameters
    ----------
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.
    orders : pandas.DataFrame, optional
        Canonical orders (``customer_id``, ``amount``): conversion (≥ 1 order) and order value.
    surveys : pandas.DataFrame, optional
        Canonical surveys (``metric`` in csat / nps / ces, ``score``).
    events : pandas.DataFrame, optional
        With ``conversion_event``: conversion = did that event at least once (used when
        ``orders`` is not given).
    conversion_event : str or list of str, optional

    Returns
    -------
    pandas.DataFrame
        One row per persona (file order, then ``(no persona)``, then ``All customers``) × KPI:
        ``persona``, ``kpi`` (``conversion``, ``order_value``, ``csat``, ``csat_top2``, ``nps``,
        ``ces`` — those the data allows), ``value``, ``n`` (customers for conversion; orders for
        order value; answers for surveys), ``ci_low``, ``ci_high`` (Wilson for shares, bootstrap
        for means and NPS), ``base_value`` (all customers), ``formula``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": ["P", "P", None],
    ...                   "n_personas": [1, 1, 0]})
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "c"], "amount": [10.0, 30.0, 5.0]})
    >>> k = persona_kpis(a, orders=orders)
    >>> k[["persona", "kpi", "value", "n"]].round(3)
             persona          kpi   value  n
    0              P   conversion   0.500  2
    1              P  order_value  20.000  2
    2   (no persona)   conversion   1.000  1
    3   (no persona)  order_value   5.000  1
    4  All customers   conversion   0.667  3
    5  All customers  order_value  15.000  3
    """
    import numpy as np
    import pandas as pd
    a = _assignment_frame(assignment, customer_col)
    groups = list(a["persona"].cat.categories) + ["All customers"]
    member = {g: a.loc[a["persona"] == g, customer_col] for g in groups[:-1]}
    member["All customers"] = a[customer_col]
    rows = []
    converted = _converted(a, orders, events, conversion_event, customer_col, event_col)
    for g in groups:
        ids = member[g]
        if converted is not None:
            rows.append(_share_row(g, "conversion", int(converted.reindex(ids).sum()), len(ids)))
        if orders is not None:
            amounts = _frame(orders, [customer_col, amount_col])
            amounts = amounts.loc[amounts[customer_col].isin(ids), amount_col].astype(float)
            rows.append(_mean_row(g, "order_value", amounts.to_numpy(), n_boot, seed))
        if surveys is not None:
            rows.extend(_survey_rows(g, surveys, ids, customer_col, metric_col, score_col,
                                     n_boot, seed))
    out = pd.DataFrame(rows, columns=["persona", "kpi", "value", "n", "ci_low", "ci_high"])
    out["persona"] = pd.Categorical(out["persona"], categories=groups)
    base = out[out.persona == "All customers"].set_index("kpi")["value"]
    out["base_value"] = out["kpi"].map(base).astype(float)
    out["formula"] = out["kpi"].map(KPI_FORMULAS)
    out["value"] = out["value"].astype(float)
    return out.reset_index(drop=True)


def _frame(table, columns):
    if _is_ibis(table):
        return table.select(*columns).to_pandas()
    _require_columns(table, columns, "input")
    return table[columns]


def _converted(a, orders, events, conversion_event, customer_col, event_col):
    if orders is not None:
        who = set(_frame(orders, [customer_col])[customer_col])
    elif events is not None and conversion_event is not None:
        wanted = [conversion_event] if isinstance(conversion_event, str) else \
            list(conversion_event)
        ev = _frame(events, [customer_col, event_col])
        who = set(ev.loc[ev[event_col].isin(wanted), customer_col])
    else:
        return None
    return a.set_index(a.columns[0])[[]].assign(c=lambda d: d.index.isin(list(who)))["c"]


def _share_row(group, kpi, k, n):
    from jmtools.stats import wilson_interval
    low, high = wilson_interval(k, n)
    return (group, kpi, k / n if n else float("nan"), int(n), low, high)


def _mean_row(group, kpi, values, n_boot, seed, scale=1.0):
    import numpy as np
    from jmtools.stats import bootstrap_ci
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    low, high = bootstrap_ci(values, n_boot=n_boot, seed=seed)
    return (group, kpi, float(values.mean()) if values.size else float("nan"), int(values.size),
            low, high)


def _survey_rows(group, surveys, ids, customer_col, metric_col, score_col, n_boot, seed):
    import numpy as np
    s = _frame(surveys, [customer_col, metric_col, score_col])
    s = s[s[customer_col].isin(ids)]
    rows = []
    metrics = set(_frame(surveys, [metric_col])[metric_col].dropna().unique())
    if "csat" in metrics:
        x = s.loc[s[metric_col] == "csat", score_col].astype(float).dropna().to_numpy()
        rows.append(_mean_row(group, "csat", x, n_boot, seed))
        rows.append(_share_row(group, "csat_top2", int((x >= 4).sum()), x.size))
    if "nps" in metrics:
        x = s.loc[s[metric_col] == "nps", score_col].astype(float).dropna().to_numpy()
        points = np.where(x >= 9, 100.0, np.where(x <= 6, -100.0, 0.0))
        rows.append(_mean_row(group, "nps", points, n_boot, seed))
    if "ces" in metrics:
        x = s.loc[s[metric_col] == "ces", score_col].astype(float).dropna().to_numpy()
        rows.append(_mean_row(group, "ces", x, n_boot, seed))
    return rows


def typical_events(events, assignment, *, customer_col: str = "customer_id",
                   event_col: str = "event", touchpoints: Mapping[str, str] | None = None,
                   min_customers: int = 5, top: int | None = 10):
    """The events (or touchpoints) most typical of each persona: reach and lift over the base.

    Reach = share of the persona's customers who did the event at least once; lift = reach ÷
    reach among all customers. Lift 2 means "twice as common as in the whole base".

    Parameters
    ----------
    events : pandas.DataFrame or ibis Table
        Canonical events (``customer_id``, ``event``), or any table with ``event_col``
        (e.g. a ``touchpoint`` column from the evidence table).
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.
    touchpoints : mapping touchpoint → regex, optional
        E.g. ``journey.touchpoint_regexes()``: events are mapped to touchpoints (full match,
        first touchpoint in order wins; unmatched events are dropped and counted in
        ``unmatched_events``) and the profile is by touchpoint.
    min_customers : int, default 5
        Hide items fewer persona customers did (small counts give wild lifts).
    top : int or None, default 10
        Keep the items with the highest lift per persona (None keeps all).

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``item`` (event or touchpoint), ``n`` (persona customers who did it),
        ``n_persona``, ``share``, ``ci_low``, ``ci_high`` (Wilson), ``base_n``, ``base_share``
        (all customers), ``lift``, ``rank`` (1 = most typical). ``attrs["unmatched_events"]``
        counts events mapped to no touchpoint.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "persona": ["P", "P", "Q", "Q"],
    ...                   "n_personas": 1})
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d"],
    ...                    "event": ["app_open", "view", "app_open", "view", "view"]})
    >>> typical_events(ev, a, min_customers=1)[["persona", "item", "n", "share", "lift"]].round(3)
      persona      item  n  share   lift
    0       P  app_open  2    1.0  2.000
    1       P      view  1    0.5  0.667
    2       Q      view  2    1.0  1.333
    """
    import numpy as np
    import pandas as pd
    from jmtools.stats import wilson_interval
    a = _assignment_frame(assignment, customer_col)
    pairs = _distinct_pairs(events, customer_col, event_col)
    unmatched = 0
    if touchpoints is not None:
        pairs, unmatched = _to_touchpoints(pairs, touchpoints, event_col)
    pairs = pairs.merge(a, on=customer_col, how="inner")
    total = len(a)
    base = pairs.groupby(event_col, observed=True)[customer_col].nunique()
    sizes = a["persona"].value_counts(sort=False)
    counts = pairs.groupby(["persona", event_col], observed=True)[customer_col].nunique()
    out = counts.rename("n").reset_index().rename(columns={event_col: "item"})
    out["n_persona"] = out["persona"].map(sizes).astype("int64")
    out["share"] = out["n"] / out["n_persona"]
    low, high = wilson_interval(out["n"].to_numpy(), out["n_persona"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    out["base_n"] = out["item"].map(base).astype("int64")
    out["base_share"] = out["base_n"] / total
    out["lift"] = out["share"] / out["base_share"]
    out = out[out["n"] >= min_customers]
    out = out.sort_values(["persona", "lift", "n", "item"], ascending=[True, False, False, True])
    out["rank"] = out.groupby("persona", observed=True).cumcount() + 1
    if top is not None:
        out = out[out["rank"] <= top]
    out = out.reset_index(drop=True)
    out.attrs["unmatched_events"] = int(unmatched)
    return out


def _distinct_pairs(events, customer_col, event_col):
    if _is_ibis(events):
        return events.select(customer_col, event_col).distinct().to_pandas()
    _require_columns(events, [customer_col, event_col], "events")
    return events[[customer_col, event_col]].drop_duplicates()


def _to_touchpoints(pairs, touchpoints, event_col):
    import re
    compiled = [(name, re.compile(rx)) for name, rx in touchpoints.items()]
    names = pairs[event_col].dropna().unique()
    lookup = {}
    for ev in names:
        lookup[ev] = next((tp for tp, rx in compiled if rx.fullmatch(str(ev))), None)
    mapped = pairs.assign(**{event_col: pairs[event_col].map(lookup)})
    unmatched = int(mapped[event_col].isna().sum())
    return mapped.dropna(subset=[event_col]).drop_duplicates(), unmatched


# ---------------------------------------------------------------------------------------------
# Personas suggested by behaviour (clustering)
# ---------------------------------------------------------------------------------------------

def behaviour_features(customers, *, events=None, orders=None, surveys=None,
                       customer_col: str = "customer_id", event_col: str = "event",
                       amount_col: str = "amount", metric_col: str = "metric",
                       score_col: str = "score", attributes: Sequence[str] | None = None,
                       max_levels: int = 8, min_event_customers: int = 5):
    """One row per customer of attribute and behaviour features, ready for clustering.

    Features (raw, readable units; :func:`suggest_personas` scales them):

    - numeric attributes as they are; dates as ``<name>_days`` (days before the latest date);
      text and true/false attributes one-hot as ``<name>=<level>`` (most frequent
      ``max_levels`` levels);
    - ``event:<name>`` — how many times the customer did the event (events done by at least
      ``min_event_customers`` customers), and ``events_total``;
    - ``orders_n``, ``order_value_mean`` (0 when no order);
    - ``<metric>_mean`` per survey metric (csat, nps, ces…).

    Missing numeric values are filled with the column median (and counted in
    ``attrs["filled"]``: feature → count). Text attributes whose ``max_levels`` most frequent
    values cover less than half the customers (ids, unparsed dates, free text) are left out and
    listed in ``attrs["skipped"]`` with the reason.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_col`` (customers' order), one float column per feature.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "age": [20, None], "app": [True, False]})
    >>> e = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["view", "view", "buy"]})
    >>> behaviour_features(c, events=e, min_event_customers=1)
                  age  app=True  app=False  event:buy  event:view  events_total
    customer_id
    a            20.0       1.0        0.0        0.0         2.0           2.0
    b            20.0       0.0        1.0        1.0         0.0           1.0
    """
    import numpy as np
    import pandas as pd
    _check_ids(customers, customer_col)
    ids = pd.Index(customers[customer_col], name=customer_col)
    kinds = _schema_of(customers)
    parts, filled, skipped = [], {}, {}
    for col in _attribute_columns(customers, customer_col, attributes):
        values = customers[col].set_axis(ids)
        kind = kinds.get(col)
        if kind == "number":
            parts.append(values.astype("float64").rename(col))
        elif kind == "time":
            days = (values.max() - values).dt.total_seconds() / 86400
            parts.append(days.rename(f"{col}_days"))
        elif kind in ("text", "bool"):
            lv = values.astype(object).where(values.notna(), None).map(
                lambda v: None if v is None else str(v))
            counts = lv.dropna().value_counts()
            if kind == "text" and counts.iloc[:max_levels].sum() < 0.5 * counts.sum():
                skipped[col] = (f"{len(counts)} distinct values: an identifier, date or free "
                                "text rather than a category")
                continue
            for level in counts.index[:max_levels]:
                parts.append((lv == level).astype("float64").rename(f"{col}={level}"))
    if events is not None:
        ev = _frame(events, [customer_col, event_col])
        counts = ev.groupby([customer_col, event_col]).size().unstack(fill_value=0)
        reach = (counts > 0).sum()
        counts = counts.loc[:, reach[reach >= min_event_customers].index]
        counts = counts.reindex(ids, fill_value=0).astype("float64")
        counts.columns = [f"event:{c}" for c in counts.columns]
        parts.extend(counts[c] for c in counts.columns)
        total = ev.groupby(customer_col).size().reindex(ids, fill_value=0).astype("float64")
        parts.append(total.rename("events_total"))
    if orders is not None:
        od = _frame(orders, [customer_col, amount_col])
        grp = od.groupby(customer_col)[amount_col]
        parts.append(grp.size().reindex(ids, fill_value=0).astype("float64").rename("orders_n"))
        parts.append(grp.mean().reindex(ids).fillna(0.0).astype("float64")
                     .rename("order_value_mean"))
    if surveys is not None:
        sv = _frame(surveys, [customer_col, metric_col, score_col])
        means = sv.groupby([customer_col, metric_col])[score_col].mean().unstack()
        for metric in means.columns:
            parts.append(means[metric].reindex(ids).astype("float64").rename(f"{metric}_mean"))
    if not parts:
        raise ParameterError("customers", "no usable columns", expected="attributes, events, "
                             "orders or surveys to build features from")
    out = pd.concat(parts, axis=1)
    for col in out.columns:
        n_missing = int(out[col].isna().sum())
        if n_missing:
            filled[col] = n_missing
            median = out[col].median()
            out[col] = out[col].fillna(0.0 if np.isnan(median) else median)
    out.attrs["filled"] = filled
    out.attrs["skipped"] = skipped
    return out


@dataclass
class ClusterSuggestion:
    """Result of :func:`suggest_personas`: labels, the criterion per k, and plain-words profiles.

    Attributes
    ----------
    k : int
        Number of groups chosen.
    criterion : str
        How ``k`` was chosen, in words.
    labels : pandas.DataFrame
        ``customer_id``, ``cluster`` (0 = largest group).
    scores : pandas.DataFrame
        ``k``, ``silhouette``, ``stability`` (NaN unless the stability criterion ran),
        ``inertia``, ``chosen`` — one row per k tried.
    profile : pandas.DataFrame
        ``cluster``, ``feature``, ``cluster_mean``, ``base_mean``, ``z`` (difference in base
        standard deviations), ``n`` (customers in the cluster).
    summary : pandas.DataFrame
        ``cluster``, ``n``, ``share``, ``description`` (plain words from the most distinguishing
        features), ``rule`` (a readable rule over customer attributes approximating the
        cluster, or None), ``rule_precision``, ``rule_recall``.
    """

    k: int
    criterion: str
    labels: Any
    scores: Any
    profile: Any
    summary: Any
    customer_col: str = "customer_id"
    features_used: list = field(default_factory=list)
    features_dropped: dict = field(default_factory=dict)

    def card(self, cluster: int, *, name: str | None = None, use: str = "rule",
             **fields) -> PersonaCard:
        """Turn a cluster into a persona card in one step.

        Parameters
        ----------
        cluster : int
        name : str, optional
            Default ``"Cluster <id>"``.
        use : {"rule", "cluster"}, default "rule"
            ``"rule"``: the card selects customers with the readable attribute rule found for
            the cluster (it works on new customers; precision/recall are in :attr:`summary`);
            ``"cluster"``: the card selects by ``cluster: <id>`` (needs the labels column).
        **fields
            Any other card field (goals, quote, …).
        """
        if use not in ("rule", "cluster"):
            raise ParameterError("use", use, expected=["rule", "cluster"])
        rows = self.summary[self.summary["cluster"] == cluster]
        if rows.empty:
            raise ParameterError("cluster", cluster,
                                 expected=[str(c) for c in self.summary["cluster"]])
        row = rows.iloc[0]
        if use == "rule" and not row["rule"]:
            raise ParameterError("use", use, expected="'cluster' for this cluster",
                                 fix="no attribute rule describes this cluster well; pass "
                                     "use='cluster'")
        numbers = [("customers", f"{int(row['n']):,}", f"{row['share']:.0%} of all")]
        if use == "rule":
            numbers.append(("rule precision", f"{row['rule_precision']:.0%}",
                            f"recall {row['rule_recall']:.0%}"))
        card = PersonaCard(name=name or f"Cluster {cluster}",
                           rule=row["rule"] if use == "rule" else None,
                           cluster=int(cluster) if use == "cluster" else None,
                           backstory=f"Suggested by clustering: {row['description']}.",
                           evidence="measured", numbers=tuple(numbers))
        return _replace(card, **fields) if fields else card

    def cards(self, *, use: str = "rule") -> list[PersonaCard]:
        """One card per cluster (clusters without a usable rule fall back to ``cluster:``)."""
        return [self.card(int(r.cluster), use=use if (use == "cluster" or r.rule) else "cluster")
                for r in self.summary.itertuples()]

    def agreement(self, truth, *, truth_col: str = "persona"):
        """Agreement with known groups; see :func:`cluster_agreement`."""
        return cluster_agreement(self.labels, truth, customer_col=self.customer_col,
                                 truth_col=truth_col)


def suggest_personas(customers, *, events=None, orders=None, surveys=None,
                     features=None, k: int | None = None, k_range: Sequence[int] = range(2, 9),
                     seed: int = 0, criterion: str = "stability", silhouette_sample: int = 3000,
                     customer_col: str = "customer_id", rule_attributes: Sequence[str] | None
                     = None, rule_depth: int = 2, **feature_options) -> ClusterSuggestion:
    """Suggest personas by clustering customers on behaviour and attributes (k-means, seeded).

    Features come from :func:`behaviour_features` (or pass ``features``); counts are
    log-transformed (``log1p``) and every feature standardised, so no unit dominates. Features
    unrelated to every other feature (largest |correlation| < ``MIN_CORRELATION``, e.g. an
    attribute assigned at random) are left out, and each group of columns (the levels of one
    attribute, all event counts, orders, survey means) is weighted to the variance of a single
    feature, so thirty event counts cannot outvote one strong attribute.

    **Criterion for the number of groups** (``criterion``): for each k in ``k_range``
    k-means runs with ``n_init=N_INIT`` and ``random_state=seed``.

    - ``"stability"`` (default): the largest k whose groups are reproducible — k-means on
      ``STABILITY_PAIRS`` pairs of random ``STABILITY_FRACTION`` subsamples label all customers
      alike (mean adjusted Rand index ≥ ``STABILITY_MIN``); if no k is, the most stable k.
      Persona work wants the finest grouping the data supports, and stability says when a
      split is real rather than an accident of the sample.
    - ``"silhouette"``: the k with the highest mean silhouette (on a seeded sample of up to
      ``silhouette_sample`` customers); it tends to prefer 2 coarse groups.

    Both measures are reported per k in :attr:`ClusterSuggestion.scores`. Pass ``k`` to fix
    it instead. Clusters are numbered by size (0 = largest).

    Each cluster gets a plain-words description from its most distinguishing features
    (largest standardised difference from the base), and a readable rule over customer
    attributes (a depth-``rule_depth`` decision tree; its precision and recall against the
    cluster are reported), so :meth:`ClusterSuggestion.card` turns it into a persona card.

    Parameters
    ----------
    customers : pandas.DataFrame
    events, orders, surveys : pandas.DataFrame, optional
        Canonical tables for behaviour features.
    features : pandas.DataFrame, optional
        Precomputed features (index = customer id); skips :func:`behaviour_features`.
    k : int, optional
    k_range : sequence of int, default 2..8
    seed : int, default 0
    criterion : {"stability", "silhouette"}, default "stability"
    silhouette_sample : int, default 3000
    rule_attributes : list of str, optional
        Attributes the suggested rules may use (default: all customer attributes).
    rule_depth : int, default 2
        Conditions per rule (at most).
    **feature_options
        Passed to :func:`behaviour_features` (``attributes``, ``event_col``…).

    Returns
    -------
    ClusterSuggestion

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> c = pd.DataFrame({"customer_id": [f"c{i}" for i in range(60)],
    ...                   "age": np.r_[rng.normal(25, 2, 30), rng.normal(60, 2, 30)]})
    >>> s = suggest_personas(c, seed=0)
    >>> s.k, s.summary["n"].tolist()
    (2, [30, 30])
    """
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if features is None:
        features = behaviour_features(customers, events=events, orders=orders, surveys=surveys,
                                      customer_col=customer_col, **feature_options)
    X, used, dropped = _scaled(features)
    dropped = {**features.attrs.get("skipped", {}), **dropped}
    n = len(X)
    ks = [k] if k is not None else [int(x) for x in k_range if 2 <= int(x) < n]
    if not ks:
        raise ParameterError("k_range", list(k_range), expected=f"values between 2 and {n - 1}")
    if criterion not in ("stability", "silhouette"):
        raise ParameterError("criterion", criterion, expected=["stability", "silhouette"])
    from threadpoolctl import threadpool_limits
    rows, fits = [], {}
    sample = min(silhouette_sample, n)
    # One thread: the same numbers on every machine, and far faster on a busy one
    # (k-means' OpenMP threads oversubscribe shared cores).
    with threadpool_limits(limits=1):
        for kk in ks:
            model = KMeans(n_clusters=kk, n_init=N_INIT, random_state=seed).fit(X)
            sil = float(silhouette_score(X, model.labels_, sample_size=sample,
                                         random_state=seed)) \
                if len(set(model.labels_)) > 1 else float("nan")
            stab = _stability(X, kk, seed) if k is None and criterion == "stability" \
                else float("nan")
            rows.append((kk, sil, stab, float(model.inertia_)))
            fits[kk] = model.labels_
    scores = pd.DataFrame(rows, columns=["k", "silhouette", "stability", "inertia"])
    best = k if k is not None else _choose_k(scores, criterion)
    scores["chosen"] = scores["k"] == best
    raw = fits[best]
    order = pd.Series(raw).value_counts().index.tolist()  # relabel: 0 = largest
    labels = np.array([order.index(x) for x in raw])
    label_frame = pd.DataFrame({customer_col: features.index.to_numpy(), "cluster": labels})
    profile = _cluster_profile(features[used], labels)
    summary = _cluster_summary(profile, labels, customers, label_frame, customer_col,
                               rule_attributes, rule_depth, seed)
    if k is not None:
        how = "fixed by the caller"
    elif criterion == "silhouette":
        how = (f"highest mean silhouette over k = {ks[0]}..{ks[-1]} (k-means, n_init={N_INIT}, "
               f"seed {seed}, silhouette on {sample} customers)")
    else:
        how = (f"largest k in {ks[0]}..{ks[-1]} whose groups are reproducible: mean adjusted "
               f"Rand index ≥ {STABILITY_MIN} between k-means runs on {STABILITY_PAIRS} pairs "
               f"of random {STABILITY_FRACTION:.0%} subsamples (seed {seed}); if none is, the "
               "most stable k")
    criterion = how
    return ClusterSuggestion(k=best, criterion=criterion, labels=label_frame, scores=scores,
                             profile=profile, summary=summary, customer_col=customer_col,
                             features_used=used, features_dropped=dropped)


#: k-means restarts per k.
N_INIT = 5

#: Stability criterion: pairs of subsamples, their size, and the mean ARI that counts as
#: "reproducible groups".
STABILITY_PAIRS = 5
STABILITY_FRACTION = 0.8
STABILITY_MIN = 0.95

#: Features whose largest absolute correlation with any feature of another group is below this
#: carry no group structure (e.g. a region assigned at random) and are left out of clustering.
MIN_CORRELATION = 0.1


def _feature_group(col: str) -> str:
    if col.startswith("event:") or col == "events_total":
        return "events"
    if col in ("orders_n", "order_value_mean"):
        return "orders"
    if col.endswith("_mean"):
        return "surveys"
    return col.split("=", 1)[0]


def _stability(X, k: int, seed: int) -> float:
    """Mean ARI between k-means fits on pairs of random subsamples, compared on all rows."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    rng = np.random.default_rng([seed, k])
    n = len(X)
    size = max(int(STABILITY_FRACTION * n), k)
    values = []
    for _ in range(STABILITY_PAIRS):
        labels = []
        for _ in range(2):
            idx = rng.choice(n, size, replace=False)
            model = KMeans(n_clusters=k, n_init=3, random_state=int(rng.integers(2**31 - 1)))
            labels.append(model.fit(X[idx]).predict(X))
        values.append(adjusted_rand_score(*labels))
    return float(np.mean(values))


def _choose_k(scores, criterion: str) -> int:
    if criterion == "silhouette":
        return int(scores.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]["k"])
    stable = scores[scores["stability"] >= STABILITY_MIN]
    if len(stable):
        return int(stable["k"].max())
    return int(scores.sort_values(["stability", "k"], ascending=[False, True]).iloc[0]["k"])


def _scaled(features):
    """Clustering matrix: log1p on counts, standardise, drop unrelated features, and weight
    each group (one attribute's levels; all event counts; orders; surveys) to a total
    variance of 1, so many columns of one kind cannot outvote a single strong attribute.

    Returns the matrix, the kept column names and a dict of dropped column → reason.
    """
    import numpy as np
    X = features.to_numpy(dtype=float).copy()
    cols = list(features.columns)
    for j, col in enumerate(cols):
        if col.startswith("event:") or col in ("events_total", "orders_n"):
            X[:, j] = np.log1p(np.clip(X[:, j], 0, None))
    sd = X.std(axis=0)
    dropped = {c: "constant" for c, v in zip(cols, sd) if v == 0}
    sd[sd == 0] = 1.0
    X = (X - X.mean(axis=0)) / sd
    groups = np.array([_feature_group(c) for c in cols])
    if X.shape[1] > 2:
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.abs(np.nan_to_num(np.corrcoef(X, rowvar=False)))
        for j, col in enumerate(cols):
            other = groups != groups[j]
            if other.any() and corr[j, other].max() < MIN_CORRELATION and col not in dropped:
                dropped[col] = f"unrelated to every other feature (|r| < {MIN_CORRELATION})"
    keep = np.array([c not in dropped for c in cols])
    if not keep.any():
        keep[:] = True
        dropped = {}
    X, groups = X[:, keep], groups[keep]
    sizes = {g: int((groups == g).sum()) for g in set(groups)}
    weights = np.array([1 / np.sqrt(sizes[g]) for g in groups])
    return X * weights, [c for c, k in zip(cols, keep) if k], dropped


def _cluster_profile(features, labels):
    import numpy as np
    import pandas as pd
    base_mean = features.mean()
    base_sd = features.std(ddof=0).replace(0, np.nan)
    rows = []
    for c in sorted(set(labels)):
        sub = features[labels == c]
        means = sub.mean()
        z = (means - base_mean) / base_sd
        for f in features.columns:
            rows.append((int(c), f, float(means[f]), float(base_mean[f]),
                         float(z[f]) if z[f] == z[f] else 0.0, int(len(sub))))
    return pd.DataFrame(rows, columns=["cluster", "feature", "cluster_mean", "base_mean", "z",
                                       "n"])


def _describe(feature: str, cm: float, bm: float, z: float) -> str:
    more = z > 0
    if "=" in feature and not feature.startswith("event:"):
        attr, level = feature.split("=", 1)
        if level in ("True", "False"):
            if level == "False":
                cm, bm = 1 - cm, 1 - bm
            return f"{cm:.0%} are {attr.replace('_', ' ')} (vs {bm:.0%} overall)"
        return f"{cm:.0%} have {attr.replace('_', ' ')} {level} (vs {bm:.0%} overall)"
    if feature.startswith("event:"):
        ev = feature[len("event:"):]
        return (f"{'more' if more else 'fewer'} '{ev}' events ({cm:.2g} vs {bm:.2g} per "
                "customer)")
    if feature.endswith("_days"):
        name = feature[:-len("_days")].replace("_", " ")
        return (f"{'earlier' if more else 'more recent'} {name} ({cm:.0f} vs {bm:.0f} days "
                "before the latest overall)")
    words = {"events_total": "events", "orders_n": "orders", "order_value_mean": "order value"}
    label = words.get(feature, feature.replace("_", " "))
    return f"{'higher' if more else 'lower'} {label} ({cm:.3g} vs {bm:.3g} overall)"


def _cluster_summary(profile, labels, customers, label_frame, customer_col, rule_attributes,
                     rule_depth, seed, n_features: int = 3):
    import pandas as pd
    rows = []
    total = len(labels)
    for c, grp in profile.groupby("cluster", sort=True):
        top = grp.reindex(grp["z"].abs().sort_values(ascending=False).index)
        top = top[top["z"].abs() >= 0.3]
        top = top[~top["feature"].map(_feature_group).duplicated()].head(n_features)
        words = "; ".join(_describe(r.feature, r.cluster_mean, r.base_mean, r.z)
                          for r in top.itertuples()) or "close to the average customer"
        target = (labels == c)
        rule, precision, recall = _rule_for(customers, label_frame, target, customer_col,
                                            rule_attributes, rule_depth, seed)
        rows.append((int(c), int(target.sum()), target.sum() / total, words, rule, precision,
                     recall))
    return pd.DataFrame(rows, columns=["cluster", "n", "share", "description", "rule",
                                       "rule_precision", "rule_recall"])


def _rule_for(customers, label_frame, target, customer_col, rule_attributes, depth, seed):
    """Readable rule for one cluster: the best leaf of a shallow decision tree (by F1), checked
    by running the rule text through the rule engine."""
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier
    data = customers.set_index(customer_col).loc[label_frame[customer_col]]
    attrs = rule_attributes or [c for c in data.columns if c != "cluster"]
    kinds = _schema_of(data)
    X, cols = _rule_matrix(data, attrs, kinds)
    if X is None:
        return None, float("nan"), float("nan")
    tree = DecisionTreeClassifier(max_depth=depth, random_state=seed, min_samples_leaf=5,
                                  class_weight="balanced").fit(X, target)
    frame = data.reset_index()

    def score(conditions):
        text = " and ".join(conditions)
        try:
            mask = parse_rule(text).mask(frame).to_numpy()
        except RuleError:
            return text, 0.0, 0.0, -1.0
        tp = int((mask & target).sum())
        precision = tp / mask.sum() if mask.sum() else 0.0
        recall = tp / target.sum() if target.sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return text, precision, recall, f1

    best, best_conds = (None, float("nan"), float("nan"), -1.0), []
    for conditions in _leaf_paths(tree.tree_, cols):
        if conditions:
            got = score(conditions)
            if got[3] > best[3]:
                best, best_conds = got, conditions
    changed = True
    while changed and len(best_conds) > 1:  # drop conditions that do not earn their place
        changed = False
        for i in range(len(best_conds)):
            shorter = best_conds[:i] + best_conds[i + 1:]
            got = score(shorter)
            if got[3] >= best[3] - 0.01:
                best, best_conds, changed = got, shorter, True
                break
    if best[3] < 0.5:  # not a usable description of the cluster
        return None, best[1], best[2]
    return best[0], float(best[1]), float(best[2])


def _rule_matrix(data, attrs, kinds):
    import numpy as np
    cols, mats = [], []
    for a in attrs:
        kind = kinds.get(a)
        if not a.isidentifier():
            continue
        if kind == "number":
            x = data[a].astype("float64")
            mats.append(x.fillna(x.median()).to_numpy())
            whole = bool(x.dropna().mod(1).eq(0).all())
            cols.append(("number", a, whole))
        elif kind in ("text", "bool"):
            vals = data[a].astype(object)
            for level in vals.dropna().value_counts().index[:8]:
                mats.append((vals == level).to_numpy(dtype=float))
                cols.append((kind, a, level))
    if not mats:
        return None, []
    return np.column_stack(mats), cols


def _leaf_paths(tree, cols):
    """Conditions (rule text) leading to each leaf whose majority class is 'in the cluster'."""
    import numpy as np
    out = []

    def walk(node, conds):
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:
            value = tree.value[node][0]
            if len(value) > 1 and value[1] > value[0]:
                out.append(list(conds))
            return
        kind, attr, level = cols[tree.feature[node]]
        thr = float(tree.threshold[node])
        if kind == "number":
            t = int(np.floor(thr)) if level else _nice(thr)  # whole numbers: x <= 3.5 → x <= 3
            walk(left, conds + [f"{attr} <= {t}"])
            walk(right, conds + [f"{attr} > {t}"])
        else:
            if kind == "bool":
                flag = bool(level)
                walk(left, conds + [f"{attr} == {not flag}"])
                walk(right, conds + [f"{attr} == {flag}"])
            else:
                walk(left, conds + [f"{attr} != {level!r}"])
                walk(right, conds + [f"{attr} == {level!r}"])
    walk(0, [])
    return [_merge_conditions(c) for c in out]


def _nice(x: float):
    """A readable threshold: few significant digits, integers without decimals."""
    for digits in (2, 3, 4, 6):
        v = float(f"{x:.{digits}g}")
        if abs(v - x) <= abs(x) * 0.02 + 1e-9:
            return int(v) if v == int(v) else v
    return round(x, 4)


def _merge_conditions(conds):
    """Keep the tightest bound per attribute and direction; keep order of first appearance."""
    seen, out = {}, []
    for c in conds:
        attr, op, val = c.split(" ", 2)
        key = (attr, op) if op in ("<=", ">") else (attr, op, val)
        if key in seen and op in ("<=", ">"):
            i = seen[key]
            old = float(out[i].split(" ", 2)[2])
            new = float(val)
            keep = min(old, new) if op == "<=" else max(old, new)
            out[i] = f"{attr} {op} {_nice(keep)}"
            continue
        seen[key] = len(out)
        out.append(c)
    return out


def cluster_agreement(labels, truth, *, customer_col: str = "customer_id",
                      truth_col: str = "persona", label_col: str = "cluster"):
    """Agreement between clusters and known groups: adjusted Rand index and a cross-table.

    Parameters
    ----------
    labels : pandas.DataFrame
        ``customer_col`` and ``label_col`` (e.g. :attr:`ClusterSuggestion.labels`, or an
        assignment with ``label_col="persona"``).
    truth : pandas.DataFrame
        ``customer_col`` and ``truth_col`` (e.g. the planted persona of each customer).

    Returns
    -------
    pandas.DataFrame
        One row: ``ari`` (adjusted Rand index: 1 = same grouping, ≈ 0 = chance),
        ``n`` (customers in both), ``n_clusters``, ``n_truth`` (groups). The cross-table
        (truth × cluster counts) is in ``attrs["crosstab"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> lab = pd.DataFrame({"customer_id": list("abcd"), "cluster": [0, 0, 1, 1]})
    >>> tru = pd.DataFrame({"customer_id": list("abcd"), "persona": ["x", "x", "y", "y"]})
    >>> cluster_agreement(lab, tru)
       ari  n  n_clusters  n_truth
    0  1.0  4           2        2
    """
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score
    _require_columns(labels, [customer_col, label_col], "labels")
    _require_columns(truth, [customer_col, truth_col], "truth")
    left = labels[[customer_col, label_col]].set_axis([customer_col, "_label"], axis=1)
    right = truth[[customer_col, truth_col]].set_axis([customer_col, "_truth"], axis=1)
    both = left.merge(right, on=customer_col, how="inner")
    lab = both["_label"].astype(object).where(both["_label"].notna(), NO_PERSONA).astype(str)
    tru = both["_truth"].astype(object).where(both["_truth"].notna(), NO_PERSONA).astype(str)
    ari = float(adjusted_rand_score(tru, lab)) if len(both) else float("nan")
    out = pd.DataFrame({"ari": [round(ari, 6)], "n": [len(both)], "n_clusters": [lab.nunique()],
                        "n_truth": [tru.nunique()]})
    out.attrs["crosstab"] = pd.crosstab(tru.rename(truth_col), lab.rename(label_col))
    return out
