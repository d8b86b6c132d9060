"""Bounds on rules and formulas: nesting depth and number size (see :mod:`jmtools.core.expressions`).

A 1,900-deep rule would exhaust Python's recursion and ``9**9**9`` would overflow; both are
refused with a message naming the limit. The depth is counted before :func:`ast.parse` (open
brackets, cheap and linear) and after it (the tree, without recursion).
"""

from __future__ import annotations

import ast

#: Helpers of :mod:`jmtools.core.expressions`, which re-exports the limits.
__all__: list[str] = []

#: Deepest nesting of brackets and operators in a rule or formula.
MAX_EXPRESSION_DEPTH = 100
#: Largest number a rule or formula may write (or compute from numbers alone, e.g. ``9**9**9``).
MAX_NUMBER = 1e308
#: Longest formula text accepted. A chain such as ``a + b + c + …`` counts as one level in a
#: formula (it is converted and evaluated in a loop), so formulas may be longer than rules.
MAX_FORMULA_CHARS = 4000
#: Operators a formula chains left to right without recursion.
CHAIN_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.FloorDiv)


def _too_big(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return value.bit_length() > 1024 or abs(value) > MAX_NUMBER
    return not abs(value) <= MAX_NUMBER  # also inf and nan


def _short_number(value) -> str:
    text = repr(value)  # ast.parse refuses integers of more than 4,300 digits
    return text if len(text) <= 24 else f"{text[:10]}…({len(text)} digits)"


def _depth_problem(text: str, tree: ast.AST | None = None, *,
                   flat_chains: bool = False) -> str | None:
    """Why ``text`` (or its parsed ``tree``) nests too deeply to handle, or None.

    Before parsing, a cheap count of open brackets keeps :func:`ast.parse` itself safe; after,
    the tree's depth is measured without recursion (with ``flat_chains``, the left operand of
    a chained ``+ - * / % //`` stays at its parent's level).
    """
    if tree is None:
        depth = deepest = 0
        for ch in text:
            depth += (ch in "([{") - (ch in ")]}")
            deepest = max(deepest, depth)
    else:
        deepest, todo = 0, [(tree, 1)]
        while todo and deepest <= MAX_EXPRESSION_DEPTH:
            node, d = todo.pop()
            deepest = max(deepest, d)
            todo.extend((c, d if flat_chains and _chained(node, c) else d + 1)
                        for c in ast.iter_child_nodes(node)
                        if not isinstance(c, (ast.expr_context, ast.operator, ast.cmpop,
                                              ast.unaryop, ast.boolop)))
    if deepest > MAX_EXPRESSION_DEPTH:
        return f"nests more than {MAX_EXPRESSION_DEPTH} levels deep (the limit)"
    return None


def _chained(parent: ast.AST, child: ast.AST) -> bool:
    return (isinstance(parent, ast.BinOp) and child is parent.left
            and isinstance(child, ast.BinOp) and isinstance(child.op, CHAIN_OPERATORS))


def _parse_bounded(text: str, fail, *, flat_chains: bool = False) -> ast.Expression:
    """:func:`ast.parse` of ``text`` after and before the depth checks; ``fail(message)`` raises.

    A RecursionError of :func:`ast.parse` itself (a chain longer than the stack allows) is
    reported through ``fail`` too.
    """
    problem = _depth_problem(text)
    if problem:
        fail(problem)
    try:
        tree = ast.parse(text, mode="eval")
    except (RecursionError, MemoryError):
        fail(f"nests more than {MAX_EXPRESSION_DEPTH} levels deep (the limit)")
    problem = _depth_problem(text, tree, flat_chains=flat_chains)
    if problem:
        fail(problem)
    return tree


def _power(base: float, exponent: float) -> float | None:
    """``base ** exponent`` of two numbers (inf when it overflows), or None when numpy should
    decide (0 to a negative power, a negative base to a fractional one)."""
    try:
        value = base ** exponent
    except OverflowError:
        return float("inf")
    except (ZeroDivisionError, ValueError):
        return None
    return None if isinstance(value, complex) else float(value)


def _short_text(text: str) -> str:
    return text if len(text) <= 60 else text[:60] + "…"
