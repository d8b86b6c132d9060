"""Mask personal data in customer quotes before anyone reads them.

Quotes from feedback, tickets and surveys end up in notebooks, HTML reports and
spreadsheets that travel by e-mail. Before a quote is shown, three kinds of
personal data are replaced by a placeholder:

- **e-mail addresses** → ``[email]``
- **payment card numbers** (13–19 digits, optionally grouped by spaces or
  dashes, that pass the Luhn check, or any 16 digits written as four groups of
  four) → ``[card]``
- **phone numbers** (9–15 digits with the usual separators, an optional ``+``
  country code and area code in parentheses) → ``[phone]``

What is deliberately *not* masked: money amounts (``$129.99``, ``1,299.00 EUR``),
dates and times (``2026-11-01``, ``01/11/2026 14:05``), short order or ticket
numbers (``#123456``), percentages and plain numbers. Dates and amounts are
protected before phone numbers are searched, so ``2026-11-01 14:05`` is never
read as a phone number.

Masking is a best effort on free text, not a guarantee: names and street
addresses are not detected. Do not publish raw feedback.
"""

from __future__ import annotations

import re
from typing import Iterable

from jmtools.core.errors import ParameterError

__all__ = ["PII_KINDS", "PLACEHOLDERS", "find_pii", "mask_text", "mask_quotes"]

#: The kinds of personal data that are masked, in the order they are searched.
PII_KINDS = ("email", "card", "phone")

#: What each kind is replaced with.
PLACEHOLDERS = {"email": "[email]", "card": "[card]", "phone": "[phone]"}

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 13-19 digits, single spaces or dashes allowed between digits.
_CARD = re.compile(r"(?<![\d\w])\d(?:[ -]?\d){12,18}(?![\d\w])")
_GROUPED16 = re.compile(r"^\d{4}([ -])\d{4}\1\d{4}\1\d{4}$")
# Phone candidates: optional +, digits with separators (space . - / parentheses).
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().-]{6,22}\d(?![\w])")
# Things that look numeric but are not personal: protected before phone search.
_PROTECT = re.compile(
    r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?!\d)"      # ISO date [time]
    r"|(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?!\d)"  # d/m/y [time]
    r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)"                                # time
    r"|[$€£¥]\s?\d[\d,]*(?:\.\d+)?"                                          # $1,299.00
    r"|(?<![\d.])\d[\d,]*\.\d{1,2}(?![\d.])"                                 # 129.99 (EUR)
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return _luhn_ok(digits) or bool(_GROUPED16.match(candidate))


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 9 <= len(digits) <= 15:
        return False
    # A phone is written in groups; a long unbroken run without '+' is an id, not a phone.
    grouped = bool(re.search(r"[\s().-]", candidate))
    return grouped or candidate.startswith(("+", "00"))


def find_pii(text: str, *, kinds: Iterable[str] = PII_KINDS) -> list[tuple[str, int, int]]:
    """Locate personal data in ``text``.

    Parameters
    ----------
    text : str
        Free text (a quote, a ticket, a comment).
    kinds : iterable of str, default all of :data:`PII_KINDS`
        Which kinds to look for.

    Returns
    -------
    list of (kind, start, end)
        Non-overlapping spans in text order; ``text[start:end]`` is the match.

    Examples
    --------
    >>> find_pii("Mail me at ann@example.com or call +44 20 7946 0958")
    [('email', 11, 26), ('phone', 35, 51)]
    """
    kinds = list(kinds)
    for kind in kinds:
        if kind not in PII_KINDS:
            raise ParameterError("kinds", kind, expected=list(PII_KINDS))
    if not isinstance(text, str):
        return []
    taken: list[tuple[str, int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for _, s, e in taken)

    if "email" in kinds:
        taken += [("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if "card" in kinds:
        taken += [("card", m.start(), m.end()) for m in _CARD.finditer(text)
                  if free(m.start(), m.end()) and _is_card(m.group())]
    if "phone" in kinds:
        protected = [(m.start(), m.end()) for m in _PROTECT.finditer(text)]
        for m in _PHONE.finditer(text):
            start, end = _trim_phone(text, m.start(), m.end())
            if any(not (end <= s or start >= e) for s, e in protected):
                continue
            if free(start, end) and _is_phone(text[start:end]):
                taken.append(("phone", start, end))
    return sorted(taken, key=lambda t: t[1])


def _trim_phone(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop unbalanced parentheses and separators the greedy pattern swallowed."""
    span = text[start:end]
    while span and (span[-1] in " .-(" or (span[-1] == ")" and span.count("(") < span.count(")"))):
        span, end = span[:-1], end - 1
    while span and (span[0] in " .-)" or (span[0] == "(" and ")" not in span)):
        span, start = span[1:], start + 1
    return start, end


def mask_text(text, *, kinds: Iterable[str] = PII_KINDS) -> str:
    """Replace e-mail addresses, card numbers and phone numbers by placeholders.

    Parameters
    ----------
    text : str
        The text to mask. Missing values (None, NaN) are returned unchanged.
    kinds : iterable of str, default all of :data:`PII_KINDS`
        Which kinds to mask.

    Returns
    -------
    str
        The text with each match replaced by its :data:`PLACEHOLDERS` entry.

    Examples
    --------
    >>> mask_text("Card 4111 1111 1111 1111 charged $129.99 on 2026-11-01, mail bob@shop.io")
    'Card [card] charged $129.99 on 2026-11-01, mail [email]'
    >>> mask_text("Call me on (555) 123-4567 about order #100234")
    'Call me on [phone] about order #100234'
    """
    if not isinstance(text, str):
        return text
    out, last = [], 0
    for kind, start, end in find_pii(text, kinds=kinds):
        out += [text[last:start], PLACEHOLDERS[kind]]
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_quotes(quotes, *, kinds: Iterable[str] = PII_KINDS):
    """Mask every text of a pandas Series (or any iterable of strings).

    Parameters
    ----------
    quotes : pandas.Series or iterable of str
        The texts. The input is not modified.
    kinds : iterable of str, default all of :data:`PII_KINDS`
        Which kinds to mask.

    Returns
    -------
    pandas.Series or list of str
        A Series (same index and name) when given a Series, else a list.

    Examples
    --------
    >>> import pandas as pd
    >>> mask_quotes(pd.Series(["ok", "x@y.com said hi"])).tolist()
    ['ok', '[email] said hi']
    """
    kinds = tuple(kinds)
    if hasattr(quotes, "map") and hasattr(quotes, "index"):
        return quotes.map(lambda t: mask_text(t, kinds=kinds))
    return [mask_text(t, kinds=kinds) for t in quotes]
