"""One error hierarchy, split by what the user must fix.

Every error message has the shape ``what is wrong — what was received — Fix: …``
and keeps its facts as attributes, so a notebook or a batch runner can act on
them. All errors pickle (batch reports run in worker processes).

- :class:`DataError` — a file, table or journey document is wrong (fix the data).
- :class:`ParameterError` — a function or notebook parameter is wrong (fix the call).
- :class:`ReportError` — a notebook run failed (read the partial output).
- :class:`MissingDependencyError` — an optional package is not installed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, asdict
from typing import Iterable, Sequence

__all__ = [
    "JmtoolsError",
    "Problem",
    "DataError",
    "JourneyError",
    "ParameterError",
    "ReportError",
    "MissingDependencyError",
    "suggest",
    "format_lines",
    "whole_number",
    "time_limit",
]

#: How many line numbers or examples a message lists before "(+N more)".
MAX_LISTED = 5


def suggest(name: str, options: Iterable[str]) -> str | None:
    """Return the option closest to ``name``, or None when nothing is close.

    Examples
    --------
    >>> suggest("timestmp", ["customer_id", "timestamp", "event"])
    'timestamp'
    >>> suggest("zzz", ["customer_id"]) is None
    True
    """
    options = [str(o) for o in options]
    lowered = {o.lower(): o for o in options}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def format_lines(lines: Sequence[int], limit: int = MAX_LISTED) -> str:
    """Format line numbers as ``12, 40, 41 (+3 more)``.

    Examples
    --------
    >>> format_lines([12, 40, 41, 97, 130, 150, 151])
    '12, 40, 41, 97, 130 (+2 more)'
    """
    shown = ", ".join(str(n) for n in lines[:limit])
    rest = len(lines) - limit
    return f"{shown} (+{rest} more)" if rest > 0 else shown


@dataclass(frozen=True)
class Problem:
    """One located problem in an input.

    Attributes
    ----------
    message : str
        What is wrong, and what was received.
    fix : str
        What the user should do about it.
    source : str or None
        The file (or table) name.
    line : int or None
        1-based line of the file where the problem is (first one if several).
    column : str or None
        Column name, for tables.
    lines : tuple of int
        All affected lines, when the problem repeats.
    path : str or None
        Path inside a document, such as ``stages[2].name`` (journey files).
    """

    message: str
    fix: str = ""
    source: str | None = None
    line: int | None = None
    column: str | None = None
    lines: tuple[int, ...] = field(default_factory=tuple)
    path: str | None = None

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line is not None and not self.lines:
            where += f":{self.line}"
        text = f"{where}: {self.message}"
        detail = []
        if self.column:
            detail.append(f"column '{self.column}'")
        if self.path:
            detail.append(f"path '{self.path}'")
        if self.lines:
            detail.append(f"line{'s' if len(self.lines) > 1 else ''} {format_lines(list(self.lines))}")
        if detail:
            text += f" [{'; '.join(detail)}]"
        if self.fix:
            text += f"\n  Fix: {self.fix}"
        return text

    def to_dict(self) -> dict:
        """Return the problem as a JSON-serialisable dict."""
        d = asdict(self)
        d["lines"] = list(self.lines)
        return d


class JmtoolsError(Exception):
    """Base class of every error jmtools raises on purpose.

    In a notebook (IPython) such an error is shown as its message and the line of the user's
    own code that led to it, not as a traceback through the kit's modules: the message already
    says what is wrong and how to fix it (:meth:`_render_traceback_`). Other exceptions, and
    ``%debug``, keep the full traceback.
    """

    def _render_traceback_(self) -> list[str]:
        """The lines IPython shows for this error: its name and message, then where it was
        called from in the user's code (the last frame outside jmtools, when there is one).

        Examples
        --------
        >>> try:
        ...     raise ParameterError("top_n", 0, expected="a whole number, 1 or more")
        ... except ParameterError as err:
        ...     first, where = err._render_traceback_()
        >>> first
        'ParameterError: top_n must be a whole number, 1 or more — got 0'
        >>> where.startswith("  (raised at ") and where.endswith('raise ParameterError("top_n", 0, '
        ...                                                      'expected="a whole number, 1 or more"))')
        True
        """
        import linecache
        import os

        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
        caller, tb = None, self.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if not os.path.abspath(name).startswith(package) and "IPython" not in name:
                caller = tb
            elif caller is not None:
                break
            tb = tb.tb_next
        lines = [f"{type(self).__name__}: {self}"]
        if caller is not None:
            name, line = caller.tb_frame.f_code.co_filename, caller.tb_lineno
            code = _without_comment(linecache.getline(name, line).strip())
            where = "your cell" if "ipykernel" in name or name.startswith("<ipython-input") else name
            lines.append(f"  (raised at {where}, line {line}{': ' + code if code else ''})")
        return lines


def _without_comment(code: str) -> str:
    """One line of code without its trailing comment (a ``#`` inside a string is kept).

    Examples
    --------
    >>> _without_comment('lesson = Lesson(data_dir, step=7)  # the tables of step 7')
    'lesson = Lesson(data_dir, step=7)'
    >>> _without_comment('run(persona="#1 fan")')
    'run(persona="#1 fan")'
    """
    import io
    import tokenize

    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                return code[:tok.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):    # a line of a longer statement: as it is
        pass
    return code


class DataError(JmtoolsError, ValueError):
    """Input data is wrong: lists every located :class:`Problem`.

    Examples
    --------
    >>> err = DataError([Problem("12 rows have an unparseable timestamp", fix="use ISO 8601",
    ...                          source="events.csv", column="timestamp", lines=(3, 9))])
    >>> print(err)
    events.csv: 12 rows have an unparseable timestamp [column 'timestamp'; lines 3, 9]
      Fix: use ISO 8601
    """

    def __init__(self, problems: Sequence[Problem] | str, *, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, source=source)]
        self.problems: list[Problem] = list(problems)
        self.source = source or (self.problems[0].source if self.problems else None)
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        head = f"{len(self.problems)} problems in {self.source or 'the input'}:"
        return "\n".join([head] + [f"- {p}".replace("\n", "\n  ") for p in self.problems])

    def __reduce__(self):
        return (type(self), (self.problems,), {"source": self.source})

    def __setstate__(self, state):
        self.__dict__.update(state)


class JourneyError(DataError):
    """A journey file (YAML) is not valid; each problem names file, line and path."""


class ParameterError(JmtoolsError, ValueError):
    """A parameter passed by the caller is wrong.

    Examples
    --------
    >>> print(ParameterError("channel", "web", expected=["digital", "physical"]))
    channel must be one of 'digital', 'physical' — got 'web'
      Fix: pass one of the listed values
    """

    def __init__(self, name: str, value: object, *, expected: Sequence[str] | str = "",
                 fix: str = ""):
        self.name, self.value, self.expected = name, value, expected
        if isinstance(expected, str):
            want = expected
            hint = None
        else:
            want = "one of " + ", ".join(repr(e) for e in expected)
            hint = suggest(str(value), [str(e) for e in expected])
        self.fix = fix or (f"did you mean {hint!r}?" if hint and hint != value else
                           "pass one of the listed values" if not isinstance(expected, str) else "")
        msg = f"{name} must be {want} — got {value!r}"
        super().__init__(msg + (f"\n  Fix: {self.fix}" if self.fix else ""))

    def __reduce__(self):
        return (_rebuild, (type(self), self.__dict__.copy(), str(self)))


class ReportError(JmtoolsError, RuntimeError):
    """A notebook report failed; carries notebook, cell and the partial output path."""

    def __init__(self, message: str, *, notebook: str | None = None, cell: int | None = None,
                 execution_count: int | None = None, output_path: str | None = None,
                 ename: str | None = None, evalue: str | None = None):
        self.notebook, self.cell, self.execution_count = notebook, cell, execution_count
        self.output_path, self.ename, self.evalue = output_path, ename, evalue
        super().__init__(message)

    def __reduce__(self):
        return (_rebuild, (type(self), self.__dict__.copy(), str(self)))


class MissingDependencyError(JmtoolsError, ImportError):
    """An optional package is needed for this call and is not installed."""

    def __init__(self, package: str, purpose: str, *, extra: str | None = None, fix: str | None = None):
        self.package, self.purpose, self.extra = package, purpose, extra
        how = fix or (f'pip install "jmtools[{extra}]"' if extra else f"pip install {package}")
        super().__init__(f"{purpose} needs the {'program' if fix else 'package'} '{package}', which is not "
                         f"installed\n  Fix: {how}")

    def __reduce__(self):
        return (_rebuild, (type(self), self.__dict__.copy(), str(self)))


def whole_number(name: str, value, *, at_least: int | None = 1, at_most: int | None = None,
                 fix: str = "") -> int:
    """``value`` if it is a whole number in bounds, else a :class:`ParameterError` naming
    ``name``, the value and what is allowed (True, 2.5 and "7" are not whole numbers;
    ``at_least=None``: no lower bound).

    Examples
    --------
    >>> whole_number("top", 12)
    12
    >>> whole_number("top", 0, fix="pass e.g. 12")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: top must be a whole number, 1 or more — got 0
      Fix: pass e.g. 12
    """
    import numbers

    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if whole and (at_least is None or value >= at_least) and (at_most is None or value <= at_most):
        return int(value)
    allowed = ("a whole number" + (f", {at_most} or less" if at_most is not None else "")
               if at_least is None else f"a whole number from {at_least} to {at_most}"
               if at_most is not None else f"a whole number, {at_least} or more")
    raise ParameterError(name, value, expected=allowed, fix=fix)


def time_limit(name: str, value, *, fix: str = "") -> float | None:
    """``value`` as a time limit in seconds: None or 0 for no limit, else a finite number above 0;
    anything else a :class:`ParameterError`.

    Examples
    --------
    >>> time_limit("timeout", 600), time_limit("timeout", 0)
    (600.0, None)
    >>> time_limit("timeout", float("nan"))
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: timeout must be a number of seconds, 0 or more (0: no limit) — got nan
    """
    import math
    import numbers

    if value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool) and value == 0):
        return None
    if not (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and value > 0):
        raise ParameterError(name, value, expected="a number of seconds, 0 or more (0: no limit)", fix=fix)
    return float(value)


def _rebuild(cls, state, message):
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err
