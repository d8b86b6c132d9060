"""The annotations of a parameters cell, read without running it (for :mod:`jmtools.report.runner`).

:func:`members` names the types (and ``Literal`` values) a parameter's annotation allows,
:func:`member_ok` checks a value against one of them and :func:`parse_as` reads
command-line text as one of them.

A number may carry bounds: ``Annotated[int, Ge[1]]`` allows whole numbers of at least 1
(``Le[n]``: at most n). Its member is written ``"int ≥ 1"``. Bounds are whole numbers ≥ 0
in square brackets, because plain papermill's inspection reads an annotation only when it
holds letters, digits, ``_``, brackets, commas and spaces (no ``(``, ``-``, ``.`` or quotes).
"""

from __future__ import annotations

import ast
import functools

from jmtools.core.yamlbounds import yaml_bounds_problem

TRUE = {"true", "yes", "y", "1", "on"}
FALSE = {"false", "no", "n", "0", "off"}

ALIASES = {"List": "list", "Dict": "dict", "Tuple": "list", "tuple": "list", "Sequence": "list",
           "Mapping": "dict", "Any": "object", "NoneType": "None"}


@functools.lru_cache(maxsize=256)
def members(annotation: str) -> tuple[str, ...]:
    """Type names of the members of an annotation written in a parameters cell."""
    try:
        node = ast.parse(annotation.strip() or "object", mode="eval").body
    except SyntaxError:
        return ("object",)
    out: list[str] = []

    def walk(n) -> None:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, ast.Constant) and (n.value is None or isinstance(n.value, str)):
            if n.value is None:
                out.append("None")
            else:
                out.extend(members(n.value))          # a quoted forward reference
        elif isinstance(n, ast.Subscript):
            name = type_name(n.value)
            args = n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]
            if name == "Optional":
                walk(args[0])
                out.append("None")
            elif name == "Literal":                     # the allowed values: "'auto'"
                out.extend(repr(a.value) if isinstance(a, ast.Constant) else repr(a.id)
                           for a in args if isinstance(a, (ast.Constant, ast.Name)))
            elif name == "Union":
                for a in args:
                    walk(a)
            elif name == "Annotated":                   # a type and its bounds: "int ≥ 1"
                inner = members(ast.unparse(args[0]))
                out.extend(k + _bounds_text(args[1:]) if k in ("int", "float") else k for k in inner)
            else:
                out.append(ALIASES.get(name, name))
        else:
            name = type_name(n)
            out.append(ALIASES.get(name, name))

    walk(node)
    return tuple(dict.fromkeys(out)) or ("object",)


_BOUND_SIGNS = {"Ge": "≥", "Le": "≤"}


def _bounds_text(nodes) -> str:
    """``Ge[1]``, ``Le[50]`` as ``" ≥ 1 ≤ 50"`` (other metadata ignored)."""
    out = ""
    for n in nodes:
        if isinstance(n, ast.Subscript) and type_name(n.value) in _BOUND_SIGNS:
            value = n.slice
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
                value = ast.Constant(-value.operand.value) if isinstance(value.operand, ast.Constant) else value
            if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) \
                    and not isinstance(value.value, bool):
                out += f" {_BOUND_SIGNS[type_name(n.value)]} {value.value}"
    return out


def split_bounds(kind: str) -> tuple[str, float | None, float | None]:
    """A member's type and bounds: ``"int ≥ 1 ≤ 50"`` → ``("int", 1, 50)``.

    Examples
    --------
    >>> split_bounds("int ≥ 1"), split_bounds("str")
    (('int', 1, None), ('str', None, None))
    """
    parts = kind.split(" ")
    if len(parts) < 3 or parts[1] not in ("≥", "≤"):
        return kind, None, None
    low = high = None
    for sign, number in zip(parts[1::2], parts[2::2]):
        value = float(number) if "." in number else int(number)
        low, high = (value, high) if sign == "≥" else (low, value)
    return parts[0], low, high


def type_name(node) -> str:
    """The name of a type in an annotation's syntax tree (``typing.Union`` → ``Union``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):                 # typing.Optional, t.Union
        return node.attr
    return "object"


CHECKS = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
          "list": (list, tuple), "dict": (dict,)}


def literal_value(kind: str):
    """The value of a ``Literal`` member (``"'auto'"`` → ``"auto"``); a sentinel for a type name."""
    if kind[:1] not in ("'", '"') and not kind.lstrip("-").replace(".", "", 1).isdigit() \
            and kind not in ("True", "False"):
        return NOT_LITERAL
    return ast.literal_eval(kind)


NOT_LITERAL = object()


def member_ok(kind: str, value) -> bool:
    """Whether ``value`` (not None) is of the type named ``kind`` (or is that ``Literal``
    value); unknown names accept any."""
    literal = literal_value(kind)
    if literal is not NOT_LITERAL:
        return type(value) is type(literal) and value == literal
    kind, low, high = split_bounds(kind)
    if low is not None or high is not None:
        return member_ok(kind, value) and (low is None or value >= low) and (high is None or value <= high)
    want = CHECKS.get(kind)
    if want is None:
        return kind != "None"
    if kind in ("int", "float") and isinstance(value, bool):
        return False
    return isinstance(value, want)


#: Union members are tried in this order (``str`` last: it takes any text).
PARSE_ORDER = {"int": 0, "float": 1, "bool": 2, "str": 9}


def parse_as(kind: str, text: str):
    """``text`` read as the type (or ``Literal`` value) ``kind``; ValueError when it is not one."""
    literal = literal_value(kind)
    if literal is not NOT_LITERAL:
        if text.strip() != str(literal):
            raise ValueError(text)
        return literal
    base, low, high = split_bounds(kind)
    if base != kind:
        value = parse_as(base, text)
        if not member_ok(kind, value):
            raise ValueError(text)
        return value
    if kind == "str":
        return text
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        low = text.strip().lower()
        if low in TRUE | FALSE:
            return low in TRUE
        raise ValueError(text)
    from ruamel.yaml import YAML

    too_big = yaml_bounds_problem(text)
    if too_big:
        raise ValueError(too_big.message)
    return YAML(typ="safe", pure=True).load(text)
