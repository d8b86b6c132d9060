"""Event-name patterns that always finish: checked before use, matched in bounded time.

Journey files map event names to touchpoints with user-written regular expressions. Python's
:mod:`re` backtracks, so a pattern such as ``(a+)+$`` takes minutes on a 30-character name;
DuckDB evaluates the same patterns with RE2, which runs in linear time but knows fewer
constructs. So a pattern must be one RE2 accepts, and it is matched here:

- with ``re2`` (the ``google-re2`` package) when it is installed — linear time;
- otherwise with :mod:`re`, after :func:`pattern_problem` has refused the constructs that RE2
  does not support (backreferences, lookaround, atomic groups, possessive quantifiers,
  conditionals) and the nested quantifiers that make backtracking explode (a repeated group
  that contains a quantifier or overlapping alternatives: ``(a+)+``, ``(a*)*``, ``(a|a)+``,
  ``(\\w+\\s?)+``). The check walks Python's own parse of the pattern, so it is linear itself.

:func:`compile_pattern` is the one place Python compiles a journey pattern for matching.
"""

from __future__ import annotations

from jmtools.core.errors import ParameterError

__all__ = ["MAX_PATTERN_CHARS", "MAX_UNBOUNDED_REPEATS", "pattern_problem", "compile_pattern",
           "linear_engine"]

#: Longest event pattern accepted (the check and the match stay small).
MAX_PATTERN_CHARS = 1000
#: Most ``*``, ``+`` or ``{n,}`` in one pattern when matching without RE2 (each one multiplies
#: the backtracking work by the length of the name).
MAX_UNBOUNDED_REPEATS = 8

_FIX_NESTED = ("rewrite without a quantifier inside a repeated group, e.g. '(a+)+' → 'a+', "
               "'(\\w+\\s?)+' → '[\\w\\s]+', '(a|aa)+' → 'a+'")
_UNSUPPORTED = {"GROUPREF": "a backreference (\\1, (?P=name))",
                "GROUPREF_EXISTS": "a conditional group ((?(1)…))",
                "ASSERT": "a lookahead or lookbehind ((?=…), (?<=…))",
                "ASSERT_NOT": "a negative lookahead or lookbehind ((?!…), (?<!…))",
                "ATOMIC_GROUP": "an atomic group ((?>…))",
                "POSSESSIVE_REPEAT": "a possessive quantifier (*+, ++, ?+)"}
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def linear_engine():
    """The ``re2`` module when ``google-re2`` is installed, else None.

    Examples
    --------
    >>> linear_engine() is None or hasattr(linear_engine(), "compile")
    True
    """
    try:
        import re2
    except ImportError:
        return None
    return re2


def pattern_problem(pattern: str) -> tuple[str, str] | None:
    """Why ``pattern`` cannot be used as an event pattern → ``(message, fix)``, or None.

    Examples
    --------
    >>> pattern_problem("size_chart_.*") is None
    True
    >>> pattern_problem("(a)\\\\1")[0]
    'uses a backreference (\\\\1, (?P=name)), which RE2 (DuckDB) does not support'
    >>> problem = pattern_problem("(a+)+$")  # refused only where no linear-time engine exists
    >>> problem is None if linear_engine() is not None else problem[0].startswith("nests a quantifier")
    True
    """
    import re
    from re import _parser  # Python's own parser: linear in the pattern's length

    if len(pattern) > MAX_PATTERN_CHARS:
        return (f"is {len(pattern)} characters long (limit {MAX_PATTERN_CHARS})",
                "shorten the pattern or split it over several entries of events:")
    try:
        parsed = _parser.parse(pattern)
    except re.error as err:
        where = f" at position {err.pos}" if err.pos is not None else ""
        return (f"is not a valid regular expression: {err.msg}{where}",
                "escape special characters with a backslash (e.g. 'cart\\.view') or fix the "
                "brackets")
    except RecursionError:
        return ("nests groups too deeply", "remove nested parentheses")
    try:
        return _walk(parsed, repeated=False, count=[0], linear=linear_engine() is not None)
    except RecursionError:
        return ("nests groups too deeply", "remove nested parentheses")


def _walk(items, *, repeated: bool, count: list, linear: bool):
    for op, av in items:
        name = str(op)
        if name in _UNSUPPORTED:
            return (f"uses {_UNSUPPORTED[name]}, which RE2 (DuckDB) does not support",
                    "write the pattern without it; events: patterns are matched on the whole "
                    "event name, so lookaround is rarely needed")
        found = None
        if name in _REPEATS:
            low, high, body = av
            if not linear and repeated:
                return ("nests a quantifier inside a repeated group (catastrophic backtracking)",
                        _FIX_NESTED)
            if not linear and str(high) == "MAXREPEAT":
                count[0] += 1
                if count[0] > MAX_UNBOUNDED_REPEATS:
                    return (f"has more than {MAX_UNBOUNDED_REPEATS} unbounded quantifiers "
                            "(*, +, {n,})", "merge neighbouring '.*' into one")
            found = _walk(body, repeated=repeated or high != 1, count=count, linear=linear)
        elif name == "BRANCH":
            alternatives = av[1]
            if not linear and repeated and _may_overlap(alternatives):
                return ("repeats alternatives that can match the same text (catastrophic "
                        "backtracking)", _FIX_NESTED)
            for alt in alternatives:
                found = found or _walk(alt, repeated=repeated, count=count, linear=linear)
        elif name == "SUBPATTERN":
            found = _walk(av[-1], repeated=repeated, count=count, linear=linear)
        if found:
            return found
    return None


def _may_overlap(alternatives) -> bool:
    """True unless every alternative starts with a different literal character."""
    firsts = []
    for alt in alternatives:
        if not alt or str(alt[0][0]) != "LITERAL":
            return True
        firsts.append(alt[0][1])
    return len(set(firsts)) < len(firsts)


def compile_pattern(pattern: str, *, name: str = "pattern", fix: str = ""):
    """Compile ``pattern`` for matching in bounded time (an object with ``fullmatch``).

    Uses ``re2`` when installed, else :mod:`re` after :func:`pattern_problem`.

    Raises
    ------
    ParameterError
        The pattern is refused; ``name`` says whose pattern it is (e.g. "touchpoint 'Cart'").

    Examples
    --------
    >>> bool(compile_pattern("^(?:(?:view_.*))$").fullmatch("view_shoe"))
    True
    """
    problem = pattern_problem(pattern)
    if problem:
        raise ParameterError(name, pattern[:200],
                             expected="a regular expression RE2 can run (linear time)",
                             fix=f"the pattern {problem[0]}; {fix or problem[1]}")
    engine = linear_engine()
    if engine is not None:
        return engine.compile(pattern)
    import re

    return re.compile(pattern)
