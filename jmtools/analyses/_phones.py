"""Phone numbers as German, Austrian, Swiss and other European writers put them, and licence
plates after the words naming them — what :mod:`jmtools.analyses.privacy` masks as ``[phone]``
and ``[plate]`` (docs/decisions.md D233).

- **Words that say phone** (:data:`PHONE_WORDS`), in English, German, French and Dutch: "call me
  on", "Tel.", "Tel.:", "Telefon", "Handy", "Mobil", "Festnetz", "Ruf an", "Rückruf unter", "Fax",
  "Meine Nummer", "tél.", "portable", "bel me"… An unbroken run of 9–15 digits after them is a phone.
- **An area code, a slash and the number** (:func:`slash_phones`), as in German-speaking
  countries: ``089/8694669``, ``089 / 123456``, ``0221/12 34 56``, ``(089) / 1234567``, ``+49 (0)89/1234567``,
  ``0664/1234567``: an area code that starts with 0 (or a country code), 8–15 digits in all.
- **A mobile number written unbroken** (:func:`mobile_runs`), without words: Germany's 015x/016x/017x
  (``01511234567``), Austria's, the Netherlands' and France's 06/07 (``0612345678``), the UK's 07
  (``07700900123``), Belgium's 045–049; 10–12 digits. Grouped forms (``0151 123 4567``,
  ``06-12345678``, ``06 12 34 56 78``, ``06.12.34.56.78``, ``+49 171 1234567``) were phones already.
- **A licence plate after the word naming it** (:func:`plate_spans`): "Kennzeichen",
  "Kfz-Kennzeichen", "amtliches Kennzeichen", "Nummernschild", "licence/license plate", "number plate",
  "registration", "reg", "kenteken", "immatriculation", then a plate as it is written — German
  ``M-AB 1234``, ``B-KL 775``, ``HH XY 42E``; Austrian ``W-12345A``, ``GU 123 AB``; Swiss ``ZH 123456``;
  British ``AB12 CDE``, ``A123 BCD``, ``ABC 123D``; French ``AB-123-CD``; Dutch ``12-ABC-3``: capital
  letters and digits, both, three or more. Without such a word nothing is a plate ("M-AB 1234" alone, "registration
  took 3 days").

Look-alikes stay readable: references (``SCH-2025-004512``, ``POL-12345678``), dates
(``12.03.2025``, ``01/11/2026``), amounts, times, percentages, IP addresses — the spans
:mod:`~jmtools.analyses.privacy` protects are passed in as ``protected``.
"""

from __future__ import annotations

import re

__all__ = ["PHONE_WORDS", "slash_phones", "mobile_runs", "plate_spans"]

_I = re.IGNORECASE

#: Words that say the number after them is a phone (English, German, French, Dutch), at most 25
#: characters before it and no sentence end between.
PHONE_WORDS = re.compile(
    r"(?:\b(?:call(?:ed)?|phone|tel|telephone|mobile|cell(?:phone)?|number|text|sms|whats ?app|"
    r"ring|reach me|contact me|fax|"
    r"telefon(?:nummer)?|handy(?:nummer)?|mobil(?:nummer|funk)?|festnetz(?:nummer)?|rufnummer|nummer|"
    r"durchwahl|ruf(?:en\s+sie)?(?:\s+mich)?\s+an|anrufen|rückruf|erreichbar|"
    r"t[ée]l[ée]phone|portable|num[ée]ro|appele[zr]|rappele[zr]|"
    r"bel(?:\s+me|\s+mij)?|bellen|telefoonnummer|mobiel(?:nummer)?)\b|\bt[ée]l\.?)[^.!?\n]{0,25}$", _I)

# An area code starting with 0 (or a country code, with "(0)"), a slash, then the number (D233)
_SLASH = re.compile(
    r"(?<![\w+.,/-])(?:(?:\+|00)\d{1,3} ?(?:\(0\) ?)?\d{1,5}|\(?0\d{1,5}\)?) ?/ ?\d(?:[ -]?\d){3,11}"
    r"(?![\w]|[.,/-]\d)")
# An unbroken mobile number: DE 015x-017x, AT/NL/FR 06, FR/UK/CH 07, BE 045-049 (D233)
_MOBILE = re.compile(r"(?<![\w+.,/-])0(?:1[5-7]\d{7,9}|[67]\d{8,10}|4[5-9]\d{7})(?![\w]|[.,/-]\d)")

# The words naming a licence plate, then what may join them to it ("ist", ":", "number is")
_PLATE_CUE = (r"(?i:kennzeichens?|nummernschild(?:es)?|\blicen[cs]e[ -]?plate|\bnumber[ -]?plate|\bplate"
              r"|\bregistration(?:[ -]?(?:number|no\b\.?|mark|plate))?|\breg\b\.?(?:[ -]?(?:no\b\.?|number|mark))?"
              r"|\bvrn|\bkenteken|\bimmatriculation|\bplaque)"
              r"(?:\s*(?:[:#=(]|(?i:is|was|ist|lautet|war|est|number|nr\b\.?|no\b\.?)\b))*\s*")
_PLATE = re.compile(
    _PLATE_CUE + r"(?P<plate>(?<![\w-])(?:"
    r"[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2}[- ]?\d{1,4}[EH]?"       # DE: M-AB 1234, B-KL 775, HH XY 42E
    r"|[A-Z]{1,2}[- ]\d{1,6}[- ]?[A-Z]{1,3}"             # AT: W-12345A, GU 123 AB
    r"|[A-Z]{2}\d{2} ?[A-Z]{3}"                          # UK since 2001: AB12 CDE
    r"|[A-Z]\d{1,3} ?[A-Z]{3}|[A-Z]{3} ?\d{1,3}[A-Z]"    # UK prefix, suffix: A123 BCD, ABC 123D
    r"|[A-Z]{1,3}[- ]?\d{1,6}|\d{1,4}[- ]?[A-Z]{1,3}"    # UK dateless, CH ZH 123456, ES 1234 ABC
    r"|[A-Z0-9]{1,3}-[A-Z0-9]{1,3}-[A-Z0-9]{1,3}"        # FR AB-123-CD, NL 12-ABC-3
    r")(?![\w]|-\w))")

#: What the words naming a plate contain, to skip texts without one before the search.
_PLATE_STEMS = ("kennzeichen", "nummernschild", "plate", "reg", "vrn", "kenteken", "immatriculation", "plaque")


def _free(start: int, end: int, protected) -> bool:
    return all(end <= s or start >= e for s, e in protected)


def slash_phones(text: str, protected=()) -> list[tuple[int, int]]:
    """Phone numbers written with an area code, a slash and the number, 8–15 digits; a trailing
    group that is a protected look-alike (a time, a date) is left off.

    Examples
    --------
    >>> text = "Tel. 089/7251719, Ruf an: 030 / 12 34 56 78 ab 14:30, am 01/11/2026"
    >>> [text[s:e] for s, e in slash_phones(text, [(52, 57), (62, 72)])]
    ['089/7251719', '030 / 12 34 56 78']
    """
    if "/" not in text:
        return []
    out = []
    for m in _SLASH.finditer(text):
        start, end = m.span()
        while not _free(start, end, protected) and re.search(r"[ -]\d+$", text[start:end]):
            end = start + re.search(r"[ -]\d+$", text[start:end]).start()
        if _free(start, end, protected) and 8 <= sum(c.isdigit() for c in text[start:end]) <= 15:
            out.append((start, end))
    return out


def mobile_runs(text: str, protected=()) -> list[tuple[int, int]]:
    """Mobile numbers written as one run of digits with their national prefix (015x–017x,
    06, 07, 045–049), not inside a protected reference.

    Examples
    --------
    >>> text = "Handy 01511234567, mobiel 0612345678, order 0612345678"
    >>> [text[s:e] for s, e in mobile_runs(text, [(38, 54)])]
    ['01511234567', '0612345678']
    """
    return [m.span() for m in _MOBILE.finditer(text) if _free(*m.span(), protected)]


def plate_spans(text: str) -> list[tuple[int, int]]:
    """Licence plates after the words naming them: capital letters and digits, both, three or more
    ("plate A4" is paper).

    Examples
    --------
    >>> text = "Kennzeichen M-AB 1234, reg AB12 CDE; registration took 3 days; M-AB 1234"
    >>> [text[s:e] for s, e in plate_spans(text)]
    ['M-AB 1234', 'AB12 CDE']
    """
    low = text.lower()
    if not any(w in low for w in _PLATE_STEMS):
        return []
    out = []
    for m in _PLATE.finditer(text):
        plate = m.group("plate")
        if any(c.isdigit() for c in plate) and any(c.isalpha() for c in plate) and sum(c.isalnum() for c in plate) > 2:
            out.append(m.span("plate"))
    return out
