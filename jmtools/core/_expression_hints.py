"""Rules as people write them elsewhere: SQL spellings answered in jmtools spelling, mixed
``and``/``or`` named (see :mod:`jmtools.core.expressions`).

- :func:`sql_rewrite` turns the SQL habits of a rule (``IS NOT NULL``, ``<>``, ``IN (…)``,
  ``=``, ``AND``, ``BETWEEN``, ``LIKE``) into the rule language, keeping the rest of the text
  as written, so an error can show the author's own rule rewritten.
- :func:`precedence_warning` flags ``a or b and c``: valid, read as ``a or (b and c)``
  (``and`` binds tighter, as in Python and SQL), and often not what was meant.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

#: Helpers of :mod:`jmtools.core.expressions`, which re-exports :class:`RuleWarning`.
__all__ = ["RuleWarning", "precedence_warning", "sql_rewrite", "sql_fix", "syntax_fix", "typographic_fix",
           "formula_syntax_fix", "TYPOGRAPHIC", "SEGMENT_RULE", "rule_place"]


#: The ``persona`` a report's segment rule is checked under: said as "segment rule" (D257).
SEGMENT_RULE = "<segment>"


def rule_place(persona: str | None) -> str:
    """Where a rule is written, for its messages: ``persona 'P' rule``, ``segment rule`` or ``persona rule``.

    Examples
    --------
    >>> rule_place("Fans"), rule_place(SEGMENT_RULE), rule_place(None)
    ("persona 'Fans' rule", 'segment rule', 'persona rule')
    """
    if persona == SEGMENT_RULE:
        return "segment rule"
    return f"persona {persona!r} rule" if persona else "persona rule"


@dataclass(frozen=True)
class RuleWarning:
    """A rule that is valid but may not say what its author meant.

    Attributes
    ----------
    message : str
        What the rule does, e.g. how it is read.
    rule : str
        The rule as written.
    position : int or None
        0-based offset in the rule text.
    fix : str
        How to write it so it says one thing.
    persona : str or None
        The persona whose rule it is.

    Examples
    --------
    >>> from jmtools.core.expressions import parse_rule
    >>> print(parse_rule("a == 1 or b == 2 and c == 3", persona="P").warnings[0])
    persona 'P' rule: 'a == 1 or b == 2 and c == 3' — mixes 'and' and 'or' without parentheses: read as a == 1 or (b == 2 and c == 3) at column 18
        a == 1 or b == 2 and c == 3
                         ^
      Fix: write a == 1 or (b == 2 and c == 3) to keep this reading, or put the parentheses where you mean them
    """

    message: str
    rule: str
    position: int | None = None
    fix: str = ""
    persona: str | None = None

    def __str__(self) -> str:
        text = f"{self.rule!r} — {self.message}"
        if self.position is not None:
            text += f" at column {self.position + 1}\n    {self.rule}\n    {' ' * self.position}^"
        where = rule_place(self.persona)
        return f"{where}: {text}" + (f"\n  Fix: {self.fix}" if self.fix else "")


# ---------------------------------------------------------------------------------------------
# and / or without parentheses
# ---------------------------------------------------------------------------------------------

def _chars(text: str, col: int) -> int:
    """Character offset of the UTF-8 byte offset ``col`` of ``text`` (what :mod:`ast` gives)."""
    return len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))


def _parenthesised(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` (a balanced expression) sits directly inside ``( … )``."""
    before, after = text[:start].rstrip(), text[end:].lstrip()
    return before.endswith("(") and after.startswith(")")


def precedence_warning(tree: ast.AST, text: str, shift: int, rule: str,
                       persona: str | None) -> RuleWarning | None:
    """The warning for ``and`` inside ``or`` without parentheses, or None.

    ``tree`` was parsed from ``text`` (one line), which starts at ``shift`` in ``rule``.
    """
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for child in node.values:
                if isinstance(child, ast.BoolOp) and isinstance(child.op, ast.And):
                    start = _chars(text, child.col_offset)
                    end = _chars(text, child.end_col_offset)
                    if not _parenthesised(text, start, end):
                        keyword = _chars(text, child.values[0].end_col_offset)
                        keyword += re.search(r"\band\b", text[keyword:]).start()
                        spans.append((start, end, keyword))
    if not spans:
        return None
    inserts = sorted([(s, "(") for s, _, _ in spans] + [(e, ")") for _, e, _ in spans],
                     key=lambda p: (p[0], p[1] == "("), reverse=True)
    read = text
    for at, mark in inserts:
        read = read[:at] + mark + read[at:]
    return RuleWarning(f"mixes 'and' and 'or' without parentheses: read as {read}",
                       rule=rule, position=min(k for _, _, k in spans) + shift, persona=persona,
                       fix=f"write {read} to keep this reading, or put the parentheses where "
                           "you mean them")


# ---------------------------------------------------------------------------------------------
# SQL spellings
# ---------------------------------------------------------------------------------------------

_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_NAME = r"(?P<x>[^\W\d]\w*)"            # a name of any script: prämie BETWEEN …
_VALUE = r"[^\s()]+"


def _mask(text: str) -> str:
    """``text`` with the inside of every quoted text blanked, same length (no match in it)."""
    return _STRING.sub(lambda m: m.group(0)[0] + "\0" * (len(m.group(0)) - 2) + m.group(0)[-1],
                       text)


def _closing(masked: str, opening: int) -> int | None:
    depth = 0
    for i in range(opening, len(masked)):
        depth += (masked[i] == "(") - (masked[i] == ")")
        if depth == 0:
            return i
    return None


def _between(m, text):
    x, lo, hi = m["x"], text[m.start("lo"):m.end("lo")], text[m.start("hi"):m.end("hi")]
    out = f"{lo} <= {x} <= {hi}"
    return f"not ({out})" if m["not"] else out


def _like(m, text):
    x, quoted = m["x"], text[m.start("pat"):m.end("pat")]
    inner, q = quoted[1:-1], quoted[0]
    if m["op"].lower() == "ilike":
        return None
    if not re.search(r"[%_]", inner):
        return f"{x} {'!=' if m['not'] else '=='} {quoted}"
    prefix = inner[:-1]
    if inner.endswith("%") and prefix and not re.search(r"[%_]", prefix) \
            and ord(prefix[-1]) < 0x10FFFF:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        out = f"{x} >= {q}{prefix}{q} and {x} < {q}{upper}{q}"
        return f"not ({out})" if m["not"] else f"({out})"
    return None


def _null(m, text):
    return "is None" if m["op"] in ("=", "==") else "is not None"


#: (SQL pattern on the masked text, replacement: text, or a function of (match, text) that
#: returns the text or None when jmtools has no spelling for it). Earlier entries win where
#: two overlap.
_SQL = [
    (re.compile(_NAME + r"\s+(?P<not>NOT\s+)?BETWEEN\s+(?P<lo>" + _VALUE + r")\s+AND\s+(?P<hi>"
                + _VALUE + r")", re.I), _between),
    (re.compile(_NAME + r"\s+(?P<not>NOT\s+)?(?P<op>I?LIKE)\s+(?P<pat>'\0*'|\"\0*\")", re.I),
     _like),
    (re.compile(r"\bIS\s+NOT\s+NULL\b", re.I), "is not None"),
    (re.compile(r"\bIS\s+NULL\b", re.I), "is None"),
    (re.compile(r"(?P<op>==|!=|<>|(?<![<>!=])=(?!=))\s*\bNULL\b", re.I), _null),
    (re.compile(r"<>"), "!="),
    (re.compile(r"(?<![<>!=])=(?!=)"), "=="),
    (re.compile(r"&&"), "and"),
    (re.compile(r"\|\|"), "or"),
    (re.compile(r"\b(?:AND|OR|NOT|IN|IS)\b", re.I), lambda m, text: m.group(0).lower()),
    (re.compile(r"\bTRUE\b"), "True"),
    (re.compile(r"\bFALSE\b"), "False"),
]


def _edits(text: str) -> list[tuple[int, int, str | None]]:
    """Non-overlapping (start, end, replacement or None) for the SQL spellings in ``text``."""
    masked = _mask(text)
    edits: list[tuple[int, int, str | None]] = []

    def add(start, end, new):
        if new != text[start:end] and all(end <= s or start >= e for s, e, _ in edits):
            edits.append((start, end, new))

    for m in re.finditer(r"\b(?P<not>NOT\s+)?IN\s*\(", masked, re.I):  # IN (…) → in […]
        close = _closing(masked, m.end() - 1)
        if close is not None and masked[m.end():close].strip():
            add(m.start(), m.end(), ("not in [" if m["not"] else "in ["))
            add(close, close + 1, "]")
    for pattern, new in _SQL:
        for m in pattern.finditer(masked):
            add(m.start(), m.end(), new(m, text) if callable(new) else new)
    return sorted(edits)


def _padded(text: str, start: int, end: int, new: str) -> str:
    """``new`` with a space where a keyword would otherwise touch a neighbouring word."""
    if new[:1].isalpha() and start > 0 and (text[start - 1].isalnum() or text[start - 1] in ")'\""):
        new = " " + new
    if new[-1:].isalpha() and end < len(text) and (text[end].isalnum() or text[end] in "('\""):
        new += " "
    return new


def sql_rewrite(text: str) -> tuple[str | None, list[tuple[int, str, str | None]]]:
    """The rule with its SQL spellings in jmtools spelling, and what changed.

    Returns
    -------
    (str or None, list of (position, SQL text, jmtools text or None))
        The rewritten rule (None when some SQL has no jmtools spelling: then that change's
        jmtools text is None), and the changes in text order. No change: ``(text, [])``.

    Examples
    --------
    >>> sql_rewrite("age >= 30 AND phone IS NOT NULL")[0]
    'age >= 30 and phone is not None'
    >>> sql_rewrite("region IN ('north', 'east') and tier <> 'gold'")[0]
    "region in ['north', 'east'] and tier != 'gold'"
    >>> sql_rewrite("name LIKE 'Ann%'")[0]
    "(name >= 'Ann' and name < 'Ano')"
    """
    edits = _edits(text)
    out, changes, complete = text, [], True
    for start, end, new in reversed(edits):
        changes.append((start, text[start:end], new))
        if new is None:
            complete = False
            continue
        out = out[:start] + _padded(text, start, end, new) + out[end:]
    return (out if complete else None), changes[::-1]


def _shown(old: str, new: str | None) -> tuple[str, str | None]:
    """How one change is named in a message: ``'IN (...)'`` → ``'in [...]'``."""
    old = " ".join(old.split())
    return (old + "...)", new + "...]") if new in ("in [", "not in [") else (old, new)


def sql_fix(text: str, valid) -> tuple[int, str, str] | None:
    """(position, SQL spelling, fix) for a rule written with SQL spellings, or None.

    ``valid(rewritten)`` says whether the rewritten rule parses; a rewrite that does not is
    not offered as the fix (the caller's own message stands).
    """
    rewritten, changes = sql_rewrite(text)
    shown = [(pos, *_shown(old, new)) for pos, old, new in changes if new != "]"]
    if not shown:
        return None
    missing = [(pos, old) for pos, old, new in shown if new is None]
    if missing:
        return missing[0][0], missing[0][1], (
            f"jmtools rules have no pattern matching ({', '.join(repr(o) for _, o in missing)}): "
            "list the values, e.g. name in [\"Ann\", \"Anna\"], or add a column with the "
            "answer to the customer table")
    if not valid(rewritten):
        return None
    said = ", ".join(f"{new!r} for {old!r}" for _, old, new in shown)
    case = " (keywords in lower case, as in Python)" if any(
        new == old.lower() for _, old, new in shown) else ""
    return shown[0][0], shown[0][1], f"write {said}{case}: {rewritten}"


#: Characters word processors and spreadsheets type instead of plain quotes and operators.
TYPOGRAPHIC = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2212": "-",
               "\u2013": "-", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u00d7": "*"}


def typographic_fix(text: str) -> str | None:
    """The text with plain quotes and operators, when it holds typographic ones; else None.

    Examples
    --------
    >>> typographic_fix("region == \u2018north\u2019 and age \u2265 30")
    "type plain quotes and operators (a word processor changed them): region == 'north' and age >= 30"
    """
    if not any(c in text for c in TYPOGRAPHIC):
        return None
    plain = "".join(TYPOGRAPHIC.get(c, c) for c in text)
    return f"type plain quotes and operators (a word processor changed them): {plain}"


def formula_syntax_fix(text: str, offset: int | None) -> str:
    """The fix for a formula that does not parse: typographic characters, a spreadsheet's
    leading '=', or where to look."""
    if text.startswith("="):
        return "write the formula without the leading '=' (it is not a spreadsheet cell)"
    return typographic_fix(text) or f"check the formula near column {max(offset or 1, 1)}"


def syntax_fix(text: str) -> str:
    """The fix for a syntax error that has no SQL rewrite: the habit it most likely is."""
    typed = typographic_fix(text)
    if typed:
        return typed
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


#: Fixes for names that are keywords elsewhere (JSON, SQL, pandas), when no attribute has them.
KEYWORD_HINTS = {"true": "write True (capital T)", "false": "write False (capital F)",
                 "null": "test for missing values with 'x is None'",
                 "none": "test for missing values with 'x is None' (capital N)",
                 "nan": "test for missing values with 'x is None'"}


#: Fixes for constructs a rule refuses, by :mod:`ast` class.
_HINTS = {
    ast.BitAnd: "write 'and' instead of '&'", ast.BitOr: "write 'or' instead of '|'",
    ast.Invert: "write 'not' instead of '~'", ast.Call: "function calls are not allowed; "
    "use comparisons, 'in [...]', 'is None'", ast.Attribute: "write the attribute name alone "
    "(no dots)", ast.Subscript: "indexing is not allowed; name an attribute",
    ast.Pow: "'**' is not allowed; use * + - / %", ast.FloorDiv: "'//' is not allowed; use '/'",
}


def _type_fix(kind: str) -> str:
    return {"number": "compare numbers with numbers (no quotes): age >= 45",
            "text": 'put text values in quotes: region == "north"',
            "bool": "compare with True or False",
            "time": 'compare dates with an ISO date in quotes: signup_date >= "2025-01-01"'}.get(
        kind, "compare values of the same kind")


def _excerpt(rule: str, position: int | None, width: int = 70) -> tuple[str, int]:
    """The rule as shown in a message: whole when short, else ``width`` characters each side
    of ``position`` (or its start) with "…" — and where the caret goes in it."""
    if len(rule) <= 2 * width:
        return rule, position or 0
    at = position if position is not None else 0
    start = max(0, at - width)
    end = min(len(rule), max(at, start) + width)
    head = "…" if start > 0 else ""
    return head + rule[start:end] + ("…" if end < len(rule) else ""), at - start + len(head)
