"""Customer and account ids in free text: the ids the loaded tables know, and account codes
that words introduce — what :mod:`jmtools.analyses.privacy` masks as ``[customer id]`` and
``[account]`` (docs/decisions.md D157).

A word equal to a known id (the feedback's own ``customer_id``, the customer table's, and the
ids of columns named like an account — the export's ids before ``loading.yaml`` mapped another
column to ``customer_id``) is a customer id, wherever it stands. An id too plain to tell from a
count, a year or an amount (under 4 characters, no digit, fewer than 6 digits and nothing else) is
not looked for: such an id is found only where words introduce it. Words that introduce an
account or contract code — "account", "acct", "acc", "a/c", "customer no", "contract no",
"Kundennummer", "Vertragsnummer", "numéro client", "klantnummer" — and codes whose own prefix says
account or customer (``ACC-00093``, ``CUST00012``, ``KD-12345``) give an ``[account]``; a date,
amount, percentage or reference that stays readable is never one.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

__all__ = ["ID_COLUMN", "known_ids", "id_set", "id_spans", "account_codes", "iban_said", "iban_shaped"]

_I = re.IGNORECASE
# A customer's account or contract code after words that say so (English, German, French,
# Dutch): "acc ACC-00093", "customer no. K-88231", "Kundennummer 4711081", "n° client AB1234"
_ACCOUNT_CODE = re.compile(
    r"(?:\b(?:accounts?|acct|acc|customer|client|contract)(?:\s+(?:number|num|no|nr|id|ref)\b\.?)?|\ba/c"
    r"|\b(?:kunden|vertrags|klant|contract|konto|rekening)-?(?:nummer|nr\b\.?)|\bkd\.?-?nr\b\.?"
    r"|\bvertragskonto(?:nummer)?|\bnum[ée]ro\s+(?:de\s+)?(?:client|contrat|compte)"
    r"|\bn°\s*(?:de\s+)?(?:client|contrat))"
    r"\s*(?:(?:is|ist|est|lautet)\s+|:\s*|#\s*|=\s*)?(?P<code>[A-Za-z0-9](?:[\w/-]*[A-Za-z0-9])?)(?![\w]|[.,]\d)", _I)
# A code whose own prefix says customer or account: "ACC-00093", "CUST00012", "KD-12345"
_ACCOUNT_PREFIXED = re.compile(r"(?<![\w-])(?i:acc|acct|cust|kd|kdnr|knr|cid)[-_#]?\d{3,}(?:[-/]?\w+)*(?![\w-])")

#: What the words and prefixes above start with, to skip texts without one before the search.
_CODE_STEMS = ("acc", "a/c", "cust", "client", "contract", "kunden", "vertrag", "klant", "konto", "rekening",
               "kd", "knr", "cid", "num", "n°")

#: Columns whose values are a customer's id or account: ``customer_id``, ``account``,
#: ``account_no``, ``client_number``, ``kundennummer``… (a case, ticket or order id is no such column).
ID_COLUMN = re.compile(r"(?:customer|client|account|acct|acc|contract|household|kunden?|vertrags?|klant)"
                       r"(?:[_ -]?(?:id|no|nr|number|num|nummer|ref|key|code))?", _I)
_TOKEN = re.compile(r"[A-Za-z0-9](?:[\w-]*[A-Za-z0-9])?")


def _id_key(value) -> str | None:
    """An id as it is looked for in text (case folded), or None when it is too plain to tell
    from a count, a year or an amount: under 4 characters, no digit, or under 6 digits only."""
    text = str(value).strip()
    if len(text) < 4 or not any(c.isdigit() for c in text) or not _TOKEN.fullmatch(text):
        return None
    return None if text.isdigit() and len(text) < 6 else text.casefold()


def known_ids(*tables, columns: Iterable[str] | None = None) -> frozenset:
    """The customer and account ids of loaded tables, for ``mask_text(..., ids=)``.

    Parameters
    ----------
    *tables : pandas.DataFrame or None
        The tables whose ids a text may quote: the feedback itself, the customer table. None
        is skipped.
    columns : iterable of str, optional
        The id columns; by default ``customer_id`` and every column named like a customer or
        account id (:data:`ID_COLUMN`: ``account``, ``account_no``, ``kundennummer``…) whose
        values hardly repeat (at least half of them distinct: a ``contract`` column of
        "12-month" and "24-month" is a category), so that the ids an export had before
        ``loading.yaml`` mapped another column to ``customer_id`` are found too.

    Returns
    -------
    frozenset of str
        The ids, case folded; ids too plain to tell from a number in a sentence (under 4
        characters, no digit, or fewer than 6 digits and nothing else) are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> fb = pd.DataFrame({"customer_id": ["12", "13"], "account": ["ACC-00012", "ACC-00013"],
    ...                    "feedback_id": ["CC-1", "CC-2"], "text": ["x", "y"]})
    >>> sorted(known_ids(fb, pd.DataFrame({"customer_id": ["C0000099"]})))
    ['acc-00012', 'acc-00013', 'c0000099']
    """
    found = set()
    for table in tables:
        if table is None:
            continue
        names = [c for c in table.columns if (str(c) in columns if columns is not None
                                              else ID_COLUMN.fullmatch(str(c)))]
        for name in names:
            values = table[name].dropna().astype(str)
            distinct = values.unique()
            if columns is None and name != "customer_id" and len(distinct) < 0.5 * len(values):
                continue          # a category ("12-month" contracts), not an id: ids hardly repeat
            found.update(k for v in distinct if (k := _id_key(v)))
    return frozenset(found)


def id_set(ids) -> frozenset:
    """``ids`` as :func:`id_spans` looks for them: case folded, the too plain ones left out
    (remembered for a frozenset, such as :func:`known_ids` gives, so a run keys it once).

    Examples
    --------
    >>> sorted(id_set(["ACC-00012", "12", "2024", "C0000099"]))
    ['acc-00012', 'c0000099']
    """
    if not ids:
        return frozenset()
    if isinstance(ids, _Keyed):      # keyed already: every text of a run asks again (find_pii)
        return ids
    return _keyed(ids if isinstance(ids, frozenset) else frozenset(map(str, ids)))


class _Keyed(frozenset):
    """A frozenset of ids keyed by :func:`id_set` (keying them again would give the same)."""

    __slots__ = ()


@functools.lru_cache(maxsize=8)
def _keyed(ids: frozenset) -> frozenset:
    return _Keyed(k for v in ids if (k := _id_key(v)))


def id_spans(text: str, ids: frozenset, protected=()) -> list[tuple[int, int]]:
    """Where words of ``text`` are a known id (``ids`` from :func:`id_set`), any case; an id
    of digits only is not looked for inside the ``protected`` spans (a reference, amount or
    date that stays readable: "order 1234567").

    Examples
    --------
    >>> id_spans("re ACC-00093: charged twice", id_set(["acc-00093"]))
    [(3, 12)]
    """
    out = []
    for m in _TOKEN.finditer(text):
        if m.group().casefold() in ids and (not m.group().isdigit() or all(
                m.end() <= s or m.start() >= e for s, e in protected)):
            out.append(m.span())
    return out


#: An IBAN-shaped number right after the word IBAN (its check digits wrong, or it would be an
#: ``[iban]``): a mistyped bank account number, masked whole, never in part as a phone (D257).
#: Its groups of four are parted by one kind of gap throughout: a space, a no-break space (as
#: copied from a PDF or a web page) or a hyphen.
_IBAN_SHAPE = (r"([A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}|(?P<gap>[ \u00a0\u202f-])[A-Za-z0-9]{4}"
               r"(?:(?P=gap)[A-Za-z0-9]{4}){1,6}(?:(?P=gap)[A-Za-z0-9]{1,4})?))(?![A-Za-z0-9])")
_IBAN_SAID = re.compile(r"\biban\s*(?:number|num|no\.?|nr\.?|#)?\s*(?:is|:|#|-)?\s*(?:is\s*)?" + _IBAN_SHAPE, re.I)
#: An IBAN-shaped number anywhere (D266): a registry country, two check digits, then the country's
#: length give or take one character (a digit mistyped, dropped or doubled) of which ten or more are digits.
_IBAN_ANY = re.compile(r"(?<![\w.,/#-])" + _IBAN_SHAPE)


def iban_said(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has an IBAN-shaped number right after the word IBAN (:data:`_IBAN_SAID`).

    Examples
    --------
    >>> text = "IBAN DE43 1001 0010 1234 5678 90"
    >>> [text[s:e] for s, e in iban_said(text)]
    ['DE43 1001 0010 1234 5678 90']
    """
    return [m.span(1) for m in _IBAN_SAID.finditer(text)]


def iban_shaped(text: str, lengths: dict, protected=()) -> list[tuple[int, int]]:
    """Where ``text`` has an IBAN-shaped number, its check digits right or wrong (D266): two letters
    of a country of ``lengths`` (its IBAN length, ISO 13616), two digits, and that many letters and
    digits give or take one, ten or more of them digits after the check digits, not wholly inside
    one of the ``protected`` spans (a reference that words name stays readable; one running past it
    is masked whole, not in part as a card). Written without the word IBAN, a mistyped one is a
    bank account number all the same, never in part a phone.

    Examples
    --------
    >>> text = "pay into DE89 3704 0044 0532 0130 01 please, not DE12 ORDER 4411 or AB12 3456 7890 1234 56"
    >>> [text[s:e] for s, e in iban_shaped(text, {"DE": 22})]
    ['DE89 3704 0044 0532 0130 01']
    """
    out = []
    for m in _IBAN_ANY.finditer(text):
        body = re.sub(r"[\W_]", "", m.group(1))
        n = lengths.get(body[:2].upper(), 0)
        if (n and abs(len(body) - n) <= 1 and sum(c.isdigit() for c in body[4:]) >= 10
                and not any(s <= m.start(1) and m.end(1) <= e for s, e in protected)):
            out.append(m.span(1))
    return out


def account_codes(text: str, protected=()) -> list[tuple[int, int]]:
    """Where ``text`` has an account or contract code after words that say so, or a code
    prefixed ACC-/CUST-/KD-; a code after the words must have a digit and four letters or
    digits (five when only digits: "account 2019" is a year), and is not inside the
    ``protected`` spans (a date, amount, percentage or reference that stays readable).

    Examples
    --------
    >>> text = "acct AB1234, re ACC-00093, Kundennummer 4711081, account 3 times"
    >>> [text[s:e] for s, e in account_codes(text)]
    ['AB1234', '4711081', 'ACC-00093']
    """
    low = text.lower()
    if not any(w in low for w in _CODE_STEMS):
        return []
    out = []
    for m in _ACCOUNT_CODE.finditer(text):
        code, (start, end) = m.group("code"), m.span("code")
        alnum = re.sub(r"\W|_", "", code)
        if (len(alnum) >= 4 and any(c.isdigit() for c in code) and not (code.isdigit() and len(code) < 5)
                and all(end <= s or start >= e for s, e in protected)):
            out.append((start, end))
    return out + [m.span() for m in _ACCOUNT_PREFIXED.finditer(text)]
