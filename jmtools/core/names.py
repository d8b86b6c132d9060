"""Names that look alike: letters from other scripts that read as Latin ones.

A stage typed as ``Вuy`` (Cyrillic В) and another as ``Buy`` look the same on screen but are two
names to a computer; a "did you mean 'Buy'?" hint would show a string identical to what was
typed. :func:`skeleton` maps look-alike letters to the Latin letter they resemble (after Unicode
NFKC normalisation), and :func:`spell_out` names the letters that differ.
"""

from __future__ import annotations

import unicodedata

__all__ = ["skeleton", "spell_out", "look_alike"]

# Cyrillic and Greek letters that are drawn like Latin ones in common fonts.
_CONFUSABLE = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i",
    "ј": "j", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ρ": "p", "κ": "k",
})


def skeleton(name: str) -> str:
    """``name`` with look-alike letters replaced by the Latin ones they resemble.

    Examples
    --------
    >>> skeleton("Вuy") == skeleton("Buy") == "Buy"
    True
    >>> skeleton("ben") == skeleton("Ben")
    False
    """
    return unicodedata.normalize("NFKC", name).translate(_CONFUSABLE)


def look_alike(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ but read the same (see :func:`skeleton`).

    Examples
    --------
    >>> look_alike("Buy", "Вuy"), look_alike("Buy", "Buy"), look_alike("Buy", "Bye")
    (True, False, False)
    """
    return a != b and skeleton(a) == skeleton(b)


def spell_out(name: str) -> str:
    """The letters of ``name`` outside ASCII, with their position and Unicode name.

    Examples
    --------
    >>> spell_out("Вuy")
    "'Вuy' has В (U+0412 CYRILLIC CAPITAL LETTER VE) at position 1"
    >>> spell_out("Buy")
    "'Buy' is plain ASCII"
    """
    odd = [f"{ch} (U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')}) at position {i + 1}"
           for i, ch in enumerate(name) if ord(ch) > 127][:5]
    return f"{name!r} has {', '.join(odd)}" if odd else f"{name!r} is plain ASCII"
