"""Evaluation of parsed expressions: a rule to pandas or Ibis, a formula to numpy.

The trees come from :mod:`jmtools.core.expressions` (``_Node``: ``kind``, ``args``, ``value``,
``pos``); this module only walks them. Two numeric semantics live here on purpose:

- **rules** follow SQL, so pandas and every engine select the same customers: a comparison
  with a missing value is unknown, ``x / 0`` and ``x % 0`` are missing, ``%`` keeps the
  dividend's sign;
- **formulas** follow numpy, as score columns always have: ``x / 0`` is ±inf (``0 / 0`` NaN)
  and ``%`` takes the divisor's sign.

pandas and numpy are imported inside the functions, so importing a parser stays light.
"""

from __future__ import annotations

import json
import operator
import re

from jmtools.core.errors import DataError, ParameterError, suggest

__all__ = ["schema_of", "FORMULA_FUNCTIONS"]

#: Functions a formula may call, in the order error messages list them.
FORMULA_FUNCTIONS = ("min", "max", "abs", "log", "log10", "sqrt", "exp", "round")

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge, "+": operator.add, "-": operator.sub,
        "*": operator.mul, "/": operator.truediv, "%": operator.mod, "**": operator.pow,
        "//": operator.floordiv}


# ---------------------------------------------------------------------------------------------
# Kinds of columns (what a rule's types are checked against)
# ---------------------------------------------------------------------------------------------

def schema_of(data) -> dict[str, str]:
    """Attribute → kind (number, text, bool, time, other) of a pandas frame or an Ibis table.

    Examples
    --------
    >>> import pandas as pd
    >>> schema_of(pd.DataFrame({"age": [30], "region": ["north"], "member": [True]}))
    {'age': 'number', 'region': 'text', 'member': 'bool'}
    """
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


#: A number written as text: a currency before or after, a minus, digits with thousands
#: separators and a decimal comma or dot (what the customer loader reads as an amount, D136).
_NUMBER_TEXT = re.compile("^(?:[\u20ac$\u00a3\u00a5\u20b9]|[A-Z]{3}\\s)?\\s*-?[0-9][0-9.,\\s'\u2019]*?"
                          "\\s*(?:[\u20ac$\u00a3\u00a5\u20b9]|\\s[A-Z]{3})?$")


def _checked(rule, data, persona) -> None:
    """``rule.check`` on the schema of ``data`` (a frame or an Ibis table). When the rule
    compares a text attribute with a number and most of its values are numbers written as text
    (``€14,99``, ``1.234,50``), the fix says so and how to load them as numbers, instead of
    "put text values in quotes" (D136).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.core.expressions import RuleError, parse_rule
    >>> try:
    ...     _checked(parse_rule("mrr > 10"), pd.DataFrame({"mrr": ["€14,99", "€9,99"]}), None)
    ... except RuleError as err:
    ...     print(err.fix[:46])
    'mrr' holds numbers written as text (2 of 2 va
    """
    schema = schema_of(data)
    try:
        rule.check(schema, persona=persona)
    except DataError as err:
        message = getattr(err, "message", "")
        if not (message.startswith("compares a text value with") and "number" in message):
            raise
        fix = next(filter(None, (_numbers_as_text(data, a) for a in sorted(rule.attributes)
                                 if schema.get(a) == "text")), None)
        if not fix:
            raise
        raise type(err)(message, rule=err.rule, position=err.position, fix=fix, persona=err.persona,
                        attribute=err.attribute, source=err.source) from None


def _numbers_as_text(data, attribute: str, n: int = 2000) -> str | None:
    """The fix for a text ``attribute`` whose values (the first ``n``) are mostly numbers
    written as text; None when it holds words."""
    if hasattr(data, "execute"):          # an Ibis table: a sample, not the whole column
        values = data.select(attribute).filter(data[attribute].notnull()).limit(n).execute()[attribute]
    else:
        values = data[attribute].dropna().head(n)
    values = [str(v).strip() for v in values if str(v).strip()]
    numbers = [v for v in values if _NUMBER_TEXT.match(v)]
    if not values or len(numbers) * 2 <= len(values):
        return None
    others = list(dict.fromkeys(v for v in values if not _NUMBER_TEXT.match(v)))[:3]
    codes = [v for v in numbers if re.match("-?0[0-9]", v)]
    if codes:                   # 01234: a code kept as text on purpose, compared as text
        return (f"{attribute!r} holds codes written with a leading zero ({codes[0]!r}), kept as text so "
                f"that the zero stays: compare it with text in quotes, e.g. {attribute} == \"{codes[0]}\"")
    said = (f"{attribute!r} holds numbers written as text ({len(numbers):,} of {len(values):,} values read "
            f"like {numbers[0]!r}), so it is compared as text")
    if others:  # words among the numbers keep the column text, however the table is loaded
        words = ", ".join(map(repr, others))
        return (said + f": some of its values are not numbers ({words}); blank them in the file, or have them read as "
                f"missing with read_options: {{nullstr: {json.dumps(others, ensure_ascii=False)}}} under customers in "
                "loading.yaml (docs/bring-your-own-data.md); a frame can be converted first "
                "(pandas.to_numeric(..., errors=\"coerce\"))")
    return (said + ": load the customers with jmtools.sources.load_customers (a report's data folder is "
            "read so), which reads amounts such as €14,99, 1.234,50 or $1,044.01 as numbers; whole amounts "
            "with a thousands dot (1.200) need decimal: \",\" under customers in loading.yaml "
            "(docs/bring-your-own-data.md). A frame can also be converted first (pandas.to_numeric on the "
            "column without its currency)")


# ---------------------------------------------------------------------------------------------
# Rules: to pandas (SQL three-valued logic)
# ---------------------------------------------------------------------------------------------

def _to_pandas(node, df):
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


# ---------------------------------------------------------------------------------------------
# Rules: to Ibis (DuckDB, Spark, warehouses)
# ---------------------------------------------------------------------------------------------

def _to_ibis(node, t):
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
# Formulas: to numpy (score columns)
# ---------------------------------------------------------------------------------------------

def _numpy():
    import numpy
    return numpy


#: min, max and round are module-level lambdas (argument errors quote ``<lambda>()``); the other
#: functions are numpy's own (:func:`_function`), so importing a parser does not import numpy.
_LAMBDAS = {"min": lambda *a: _reduce(_numpy().fmin, a),
            "max": lambda *a: _reduce(_numpy().fmax, a),
            "round": lambda x, nd=0: _numpy().round(x, int(nd))}


def _function(name: str):
    """The callable of one of :data:`FORMULA_FUNCTIONS`."""
    return _LAMBDAS[name] if name in _LAMBDAS else getattr(_numpy(), name)


def _reduce(fn, args):
    if not args:
        raise ValueError("needs at least one argument")
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


def _numeric_column(values, name: str, formula: str):
    """A column as floats; text, dates or durations are refused (they would become NaN or
    nanoseconds)."""
    import pandas as pd

    api = pd.api.types
    numbers = None
    if not (api.is_datetime64_any_dtype(values) or api.is_timedelta64_dtype(values)):
        numbers = pd.to_numeric(values, errors="coerce")
        bad = values.notna() & numbers.isna()
        if not bad.any():
            return numbers.to_numpy(dtype=float)
        example = values[bad].iloc[0]
    else:
        example = values.dropna().iloc[0] if values.notna().any() else values.dtype
    raise ParameterError("formula", formula, expected="names of numeric columns",
                         fix=f"column {name!r} holds values that are not numbers (e.g. "
                             f"{str(example)[:40]!r}); use a numeric column")


def _formula_values(node, frame, columns: dict, formula: str):
    """Float array (or a float) of a formula tree over ``frame``; ``columns`` maps name → label.

    Problems are raised as met, left to right: an unknown name, a refused construct, a function
    given wrong arguments.
    """
    k = node.kind
    if k == "lit":
        return node.value
    if k == "attr":
        if node.value not in columns:
            hint = suggest(node.value, list(columns))
            raise ParameterError("formula", formula, expected="names of numeric columns",
                                 fix=(f"unknown name {node.value!r}; did you mean {hint!r}?"
                                      if hint else f"unknown name {node.value!r}; columns are: "
                                      + ", ".join(columns)))
        return _numeric_column(frame[columns[node.value]], node.value, formula)
    if k == "arith":  # a chain a + b - c … is evaluated in a loop, left to right
        spine = [node]
        while spine[-1].args[0].kind == "arith" and spine[-1].args[0].value != "**":
            spine.append(spine[-1].args[0])
        out = _formula_values(spine[-1].args[0], frame, columns, formula)
        for op in reversed(spine):
            right = _formula_values(op.args[1], frame, columns, formula)
            # numpy's power: 0 ** -1 is inf, (-8) ** 0.5 is nan, never an exception
            out = (_numpy().power(_numpy().float64(out), right) if op.value == "**"
                   else _OPS[op.value](_numpy().float64(out) if isinstance(out, float) else out,
                                       right))   # numpy's: 1 / 0 is inf, never an exception
        return out
    if k in ("neg", "pos"):
        unary = operator.neg if k == "neg" else operator.pos
        return unary(_formula_values(node.args[0], frame, columns, formula))
    if k == "call":
        args = [_formula_values(a, frame, columns, formula) for a in node.args]
        try:
            return _function(node.value)(*args)
        except (TypeError, ValueError) as err:
            raise ParameterError("formula", formula, expected="valid function arguments",
                                 fix=f"{node.value}(): {err}") from None
    if k == "refused":
        raise ParameterError("formula", formula, expected="arithmetic over column names",
                             fix=f"{node.value} is not allowed; use + - * / // % **, parentheses "
                                 f"and {', '.join(FORMULA_FUNCTIONS)}")
    raise AssertionError(k)  # pragma: no cover
