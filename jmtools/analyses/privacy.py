"""Mask personal data in customer quotes before anyone reads them.

Quotes from feedback, tickets and surveys end up in notebooks, HTML reports and
spreadsheets that travel by e-mail. Before a quote is shown, these kinds of
personal data are replaced by a placeholder (searched in this order):

============  ==================================================================  =====================
kind          what is found                                                       placeholder
============  ==================================================================  =====================
customer_id   a word equal to a customer or account id of the loaded tables       ``[customer id]``
              (``ids=``, :func:`known_ids`: the feedback's own ids, the customer
              table's, and columns named like an account, such as the export's
              ids before ``loading.yaml`` mapped another column)
email         ``ann@example.com`` and obfuscated forms: ``ann[at]example[dot]com``, ``[email]``
              ``ann (at) example (dot) com``, ``ann at example dot com``,
              ``ann dot lee at example dot com``
iban          an IBAN, with or without spaces, that passes the ISO 13616           ``[iban]``
              mod-97 check (one that fails it, IBAN-shaped, is an ``[account]``:
              :func:`~jmtools.analyses._account_ids.iban_shaped`, D266)
code          a device's, SIM card's or secret number *after the word that names   ``[code]``
              it* ("IMEI 351029190361754", "PUK: 12569005", "ICCID
              8948…", "PIN is 4711", "CVV 123"; 3 digits or more)
card          13–19 digits, single spaces, dashes, dots or slashes between         ``[card]``
              digits, that pass the Luhn check (or 16 digits in four groups)
account       a sort code or bank account / routing number *after words that      ``[account]``
              say so* ("sort code 12-34-56", "account no. 12345678"); a customer
              account or contract code after such words ("acct AB1234",
              "customer no. 7781234", "Kundennummer 4711081", "numéro client
              AB123456") or with its own prefix (``ACC-00093``, ``KD-12345``)
dob           a date *after words that say it is a birth date* ("DOB",            ``[date of birth]``
              "date of birth", "born on", "birthday is")
nhs_number    a health service number: 10 digits, 3-3-4 with spaces or unbroken,       ``[nhs number]``
              passing the modulus-11 check (:func:`nhs_ok`; ``943 476 5919``), not
              after words that say phone; after "NHS number", "NHS No", "CHI" any
              10 digits in 3-3-4 or unbroken (a mistyped one too)
plate         a licence plate *after the word naming it* ("Kennzeichen M-AB    ``[plate]``
              1234", "Nummernschild W-12345A", "registration AB12 CDE", "kenteken
              12-ABC-3"; :mod:`~jmtools.analyses._phones`)
phone         9–15 digits written in groups (``+44 20 7946 0958``,                 ``[phone]``
              ``(555) 123-4567``, ``06.12.34.56.78``); an area code, a slash and the
              number (``089/8694669``, ``089 / 123456``); an unbroken mobile number
              (``01511234567``, ``0612345678``); an unbroken run only with a
              ``+``/``00`` prefix or after words that say phone ("call me on
              07700900123", "Tel.", "Handy", "Ruf an", "Rückruf unter", "tél.")
address       a house number, one to three words and a street word                ``[address]``
              ("221B Baker Street", "12 elm road"), with a flat, town and
              postcode that follow; a UK postcode on its own
name          a name after an introduction: "my/his/her name is …", "the          ``[name]``
              agent's name was …", "name: …", a title ("Mr/Mrs/Ms/Dr …",
              "Herr/Frau", "M./Mme/Monsieur", "Mevrouw/Meneer/Dhr./Mevr."),
              "spoke to/with …", "sprach mit", "parlé à", "sprak met", "ask for
              …", "named …", "handled by …"; after a role, one or two words ("engineer Sean
              Murphy", "an agent called Sarah", "Techniker Klaus Becker",
              "conseillère Marie Dubois"); after a sign-off ("Regards,", "Thanks",
              "Cheers", "Viele Grüße", "Cordialement", "Met vriendelijke groet")
              when the name ends its clause ("Regards, Maria Rossi", "Thanks,
              Jonas.") or, with no comma, its line ("Kind regards Maria Rossi"); a
              given name signing the text ("… - Tom", a last line "Jane", a last
              sentence "… coverage. Anna Kowalska."). A
              Capitalised word, or a given name in lower case ("the engineer sean
              murphy", "spoke to sarah"); a second name after "and/und/et/en/&"
              ("engineers Sean Murphy and Klaus Becker"). After a relation with a
              possessive ("my mother Sarah Kowalski", "our son Tom", "meine Mutter
              Anna") or a patient, client or customer ("Patient James Okonkwo",
              "the patient Okonkwo"; capitalised, only a given name follows: not
              "Patient Transport"); hospital staff ("Sister O'Brien", "receptionist
              Karen"). A known given name with a Capitalised surname anywhere
              ("… on [phone]. Fatima O'Brien"), not a place's ("St James
              Hospital", "Queen Elizabeth", "Charlotte Douglas Airport"); in
              Title Case Text only with a surname that is no listed word nor
              ends like a noun. Two or three Capitalised words just before a
              phone or an address ("Wanjiru Kamau, 12 Elm Road"), not a firm's
              ("British Gas on …"). A surname the data set names in full
              elsewhere, wherever it stands (:func:`mask_quotes`,
              :func:`known_names`: "Okonkwo was rude to my mother")
============  ==================================================================  =====================

Deliberately **kept** readable, because a reader needs them and they identify nobody:
ticket, case, order, incident, booking and other references (``ticket 12345678``,
``INC0012345``, ``order #112-1234567-1234567``, ``SCH-2025-004512``, "Bestellnummer …",
"Az. 0123/456789"), IP addresses, percentages, money amounts
(``$1,299.00``, ``1.299,00 EUR``), dates and times, versions and plain numbers. These are
protected before phone, account and address numbers are searched.

Masking is a best effort on free text, not a guarantee: a name nobody introduces and no
surname follows ("Sarah was rude", "Thanks Jonas for the help"), a surname alone that no other text
of the data set names in full (or that stands alone more often than in names), a full name whose
given name is none of :data:`~jmtools.analyses._given_names.GIVEN_NAMES` ("Wanjiru Kamau" unless a
relation, a role, a phone or an address marks it), a full name in Title Case Text whose given name is
unlisted or an everyday word, a lower-case name that is no common given name
("the agent xiaoming"), or any capital after a role in Title Case Text is not found; an id too
plain to tell from a number (under 4 characters, or under 6 digits only) is found only where words
introduce it. Weekdays, months, the words of common journey stages and touchpoints ("Checkout",
"Support desk") and the assistants and brands people talk to or thank ("Alexa", "United") are
never a name; your own product or stage name after an introduction ("Thanks, Zappy.") is masked
unless given in ``keep``. Themes are modelled on masked text
(:mod:`jmtools.analyses.themes`), so their labels and terms show no more than the quotes. Do
not publish raw feedback; see :mod:`jmtools.analyses.disclosure` for pseudonymised customer
ids and small-group suppression in reports.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

from jmtools.analyses._account_ids import ID_COLUMN, account_codes, iban_said, iban_shaped, id_set, id_spans, known_ids
from jmtools.analyses._person_names import PLAIN_WORDS, name_spans
from jmtools.analyses._phones import PHONE_WORDS, mobile_runs, plate_spans, slash_phones
from jmtools.analyses._surnames import outside as _outside, surnames as _surnames, words_re as _words_re
from jmtools.core.errors import ParameterError

__all__ = ["PII_KINDS", "PLACEHOLDERS", "find_pii", "mask_text", "mask_quotes", "known_ids", "known_names", "ID_COLUMN",
           "iban_ok", "luhn_ok", "nhs_ok", "surnames_masked"]

#: The kinds of personal data that are masked, in the order they are searched.
PII_KINDS = ("customer_id", "email", "iban", "code", "card", "account", "dob", "nhs_number", "plate", "phone", "address", "name")

#: What each kind is replaced with.
PLACEHOLDERS = {"customer_id": "[customer id]", "email": "[email]", "iban": "[iban]", "code": "[code]", "card": "[card]", "account": "[account]",
                "dob": "[date of birth]", "nhs_number": "[nhs number]", "plate": "[plate]", "phone": "[phone]", "address": "[address]", "name": "[name]"}

_I = re.IGNORECASE
_AT = r"(?:@|\s*[\[({<]\s*at\s*[\])}>]\s*)"
_DOT = r"(?:\.|\s*[\[({<]\s*dot\s*[\])}>]\s*)"
_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+-]*"
_EMAIL = re.compile(   # any letter (tom.müller@bäckerei.de) and a last label up to DNS's 63 (.consulting) (D252)
    r"(?<![\w.+-])[^\W_][\w.%+-]*(?:" + _DOT + r"[^\W_][\w.%+-]*)*" + _AT
    + r"[^\W_][\w-]*(?:" + _DOT + r"[^\W_][\w-]*)*" + _DOT + r"[^\W\d_]{2,63}(?![^\W\d_])", _I)
# "jane at example dot com": plain words only when both "at" and "dot" are written out
_EMAIL_WORDS = re.compile(r"(?<![\w.+-])" + _LOCAL + r"(?:\s+dot\s+" + _LOCAL + r")*\s+at\s+[A-Za-z0-9-]+"
                          r"(?:\s+dot\s+[A-Za-z0-9-]+)*\s+dot\s+[A-Za-z]{2,6}\b", _I)
# contiguous, or in groups of four separated by single spaces (as printed)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}"
                   r"(?: [A-Za-z0-9]{1,4})?)(?![A-Za-z0-9])")
#: IBAN length per country (ISO 13616 registry, the countries most customers write from).
IBAN_LENGTHS = dict(AD=24, AE=23, AL=28, AT=20, AZ=28, BA=20, BE=16, BG=22, BH=22, BR=29, CH=21,
                    CR=22, CY=28, CZ=24, DE=22, DK=18, DO=28, EE=20, EG=29, ES=24, FI=18, FO=18,
                    FR=27, GB=22, GE=22, GI=23, GL=18, GR=27, GT=28, HR=21, HU=28, IE=22, IL=23,
                    IS=26, IT=27, JO=30, KW=30, KZ=20, LB=28, LI=21, LT=20, LU=20, LV=21, MC=27,
                    MD=24, ME=22, MK=19, MR=27, MT=31, MU=30, NL=18, NO=15, PK=24, PL=28, PS=29,
                    PT=25, QA=29, RO=24, RS=22, SA=24, SE=24, SI=19, SK=24, SM=27, TN=24, TR=26,
                    UA=29, VG=24, XK=20)
# 13-19 digits, one space, dash, dot or slash allowed between digits
_CARD = re.compile(r"(?<![\w.,/-])\d(?:[ ./-]?\d){12,18}(?![\w]|[.,/-]\d)")
_GROUPED16 = re.compile(r"^\d{4}([ ./-])\d{4}\1\d{4}\1\d{4}$")
_PHONE = re.compile(r"(?<![\w+.,/-])(?:\+|00)?\(?\d[\d \t().-]{6,40}\d(?![\w])")
_PHONE_WORDS = PHONE_WORDS
_CARD_WORDS = re.compile(r"\b(?:card|visa|master ?card|amex|credit|debit|karte|carte|tarjeta|kaart)", _I)
# a device's or SIM card's number, or a secret code, after the word that names it (D178)
_CODE = re.compile(
    r"\b(?:imei(?:sv)?|meid|iccid|sim(?:[ -]?card)?[ -]?(?:number|no\.?|nr\.?|serial)|puk2?|pin2?(?:[ -]?code)?|"
    r"pass(?:code|word)|security[ -]code|cvv2?|cvc)\s*(?:code|number|num|no\.?|nr\.?|#)?\s*(?:is|was|:|=|#|-)?\s*"
    r"(?:is\s*)?(\d(?:[ -]?\d){2,21})(?![\w])", _I)
_ACCOUNT = re.compile(
    r"\b(?:sort[ -]?code|s/c|bsb)\s*(?:is|:|-|#|no\.?|number)?\s*(?:is\s*)?(\d{2}[ -]?\d{2}[ -]?\d{2})\b"
    r"|\b(?:(?:bank\s+)?account|acct|a/c|routing|iban)\s*(?:number|num|no\.?|#)?\s*(?:is|:|#)?\s*"
    r"(?:is\s*)?(\d(?:[ -]?\d){5,16})\b", _I)
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
         r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"\.?,?\s+\d{2,4}"
         r"|" + _MONTHS + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{2,4})")
_DOB = re.compile(r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|birthday"
                  r"(?:\s+is)?)\s*(?:is|:|-)?\s*(?:on\s+)?(" + _DATE + r")", _I)
_STREET_ANY = (r"street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|crescent|cres|terrace|"
               r"highway|hwy|parkway|pkwy")
_STREET_CAP = (r"Drive|Dr|Way|Close|Court|Ct|Place|Pl|Square|Sq|Gardens|Grove|Row|Hill|Walk|Mews|"
               r"Green|Park")
# A 10-digit health service number: 3-3-4 (one space or dash between groups) or unbroken (D212)
_NHS = re.compile(r"(?<![\w+.,/-])\d{3}([ -]?)\d{3}\1\d{4}(?![\w]|[.,/-]\d)")
_NHS_WORDS = re.compile(r"\b(?:nhs|chi|h\s?&\s?c|health(?:\s+and\s+care|\s+service)?)\s*(?:number|num|no\.?|nr\.?|#|id)?"
                        r"\s*(?:is|was|:|-)?\s*(?:is\s*)?\Z", _I)
_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
_ADDRESS = re.compile(
    r"(?<![\w.,/-])\d{1,5}[A-Za-z]?,?\s+(?P<words>(?:[A-Za-z][A-Za-z'-]+\s+){1,3})"
    r"(?:(?i:" + _STREET_ANY + r")|" + _STREET_CAP + r")\b\.?"
    r"(?:,?\s+(?i:apt|apartment|flat|unit|suite)\.?\s*#?\w+)?"
    r"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?"
    r"(?:,?\s+(?:" + _POSTCODE + r"|[A-Z]{2}\s\d{5}(?:-\d{4})?|\d{5}))?")
_POSTCODE_ALONE = re.compile(r"(?<![\w-])[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}(?![\w-])")
# Look-alikes that stay readable: protected before phone, account and address numbers.
_REF = re.compile(
    r"(?<!\w)(?=[a-z])(?:tickets?|case|orders?|incident|inc|ref|reference|booking|confirmation|conf|claim|"
    r"invoice|tracking|flight|flt|req|request|complaint|reservation|pnr|receipt|transaction|"
    r"parcel|shipment|item|sku|model|serial|policy|membership|loyalty|member|tag|bag|"
    r"vorgang(?:snummer)?|bestell(?:ung|nummer)|auftrag(?:snummer)?|rechnung(?:snummer)?|aktenzeichen|az\.?|"
    r"schadens?(?:nummer)?|sendung(?:snummer)?|buchung(?:snummer)?|police(?:nnummer)?|versicherungsschein(?:nummer)?|"
    r"commande|dossier|facture|sinistre|r[ée]f[ée]rence|bestel(?:ling|nummer)|factuur|zaak(?:nummer)?|referentie)"
    r"(?:\s*(?:nos?\.?|nr\.?|numbers?|nums?|ids?|codes?|refs?))?\s*[:#]?\s*#?\s*"
    r"(?:[A-Za-z]{0,4}-?\d[\w-]*(?: \d[\w-]*)?)"                             # the reference
    r"(?:\s*(?:,|and|&|/)\s*:?\s*#?\s*[A-Za-z]{0,4}-?\d[\w-]*(?: \d[\w-]*)?)*", _I)  # a list of them
_PROTECT = re.compile(
    r"#\s?[A-Za-z]{0,4}-?\d[\w-]*"                                              # #100234, #INC-123
    r"|\b(?:INC|REQ|CS|CASE|TKT|CHG|RITM|PRB|SR)[-]?\d{4,}\b"                   # INC0012345
    r"|(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\d.])"                 # IPv4[:port]
    r"|(?<![\w.])(?:\d+[.,])*\d+\s?%"                                           # 45% 12.5 %
    r"|(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?!\d)"     # ISO date [time]
    r"|(?<!\d)(?<!\d[/.-])\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?!\d|[/.-]\d)"  # no 06.12.34.56.78
    r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)"                                   # time
    r"|[$€£¥]\s?\d[\d,.]*"                                                     # $1,299.00
    r"|(?<![\d.,])\d{1,3}(?:[ ,.]\d{3})*(?:[.,]\d{1,2})?\s?(?:EUR|USD|GBP|CHF|euros?|dollars?|"
    r"pounds?|bucks)\b"
    r"|(?<![\d.])\d[\d,]*\.\d{1,2}(?![\d.])"                                    # 129.99
    r"|(?<![\d.])\b(?!0\d(?:\.\d\d){4}\b)[vV]?\d{1,2}\.\d{1,3}(?:\.\d{1,3})+\b", _I)                                             # versions


def luhn_ok(digits: str) -> bool:
    """True when a string of digits passes the Luhn check (payment card numbers).

    Examples
    --------
    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0 and len(digits) > 0


def iban_ok(candidate: str) -> bool:
    """True when ``candidate`` (spaces allowed) is an IBAN passing the ISO 13616 mod-97 check.

    Examples
    --------
    >>> iban_ok("GB82 WEST 1234 5698 7654 32"), iban_ok("GB82 WEST 1234 5698 7654 33")
    (True, False)
    """
    s = re.sub(r"[\s-]", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s) or IBAN_LENGTHS.get(s[:2]) != len(s):
        return False
    digits = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(digits) % 97 == 1


def nhs_ok(digits: str) -> bool:
    """True when ten digits (spaces and dashes allowed) pass the NHS number's modulus-11 check:
    the first nine weighted 10 down to 2, and the tenth is 11 minus the sum's remainder (11 reads 0,
    10 is never issued). Scotland's CHI numbers use the same check.

    Examples
    --------
    >>> nhs_ok("943 476 5919"), nhs_ok("943 476 5918")
    (True, False)
    """
    d = [int(c) for c in digits if c.isdigit()]
    if len(d) != 10 or len(re.sub(r"[\d\s-]", "", digits)):
        return False
    check = 11 - sum(w * x for w, x in zip(range(10, 1, -1), d)) % 11
    return check != 10 and check % 11 == d[9]


def _nhs_spans(text: str, protected) -> list[tuple[int, int]]:
    """NHS numbers: ten digits after words that say so ("NHS No 418 720 5160", whatever the check
    says), or written with spaces or unbroken, passing :func:`nhs_ok` and not after words that say
    phone (those, and "555-123-4567", stay phones)."""
    out = []
    for m in _NHS.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        said = bool(_NHS_WORDS.search(before))
        if said or (m.group(1) != "-" and nhs_ok(m.group()) and not _PHONE_WORDS.search(before)
                    and all(m.end() <= s or m.start() >= e for s, e in protected)):
            out.append(m.span())
    return out


def _iban_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The candidate cut to its country's IBAN length, if that passes the check."""
    positions = [i for i in range(start, end) if text[i].isalnum()]
    n = IBAN_LENGTHS.get(text[start:start + 2].upper(), 0)
    if n and len(positions) >= n and iban_ok(text[start:positions[n - 1] + 1]):
        return start, positions[n - 1] + 1
    return None


def _is_card(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    seps = set(re.sub(r"\d", "", candidate))
    return len(seps) <= 1 and (luhn_ok(digits) or bool(_GROUPED16.match(candidate)))


def _said_phone(text: str, start: int, candidate: str) -> bool:
    """An unbroken run of digits the words before it call a phone ("Called from 4915123456704"),
    with no word of cards among them and a phone's length (at most 15 digits): a phone that passes the
    Luhn check by chance, not a card. Longer runs stay cards (no phone is that long)."""
    before = text[max(0, start - 40):start]
    return (candidate.isdigit() and len(candidate) <= 15 and bool(_PHONE_WORDS.search(before))
            and not _CARD_WORDS.search(before))


def _is_phone(text: str, start: int, end: int) -> bool:
    candidate = text[start:end]
    digits = re.sub(r"\D", "", candidate)
    if not 9 <= len(digits) <= 15:
        return False
    # A phone is written in groups; a long unbroken run is an id unless it has a '+'/'00'
    # prefix or the words before it say phone ("call me on 07700900123").
    grouped = bool(re.search(r"[\s().-]", candidate))
    if grouped or candidate.startswith(("+", "00")):
        return True
    return bool(_PHONE_WORDS.search(text[max(0, start - 40):start]))


def _trim_phone(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop unbalanced parentheses and separators the greedy pattern swallowed."""
    span = text[start:end]
    while span and (span[-1] in " .-(" or (span[-1] == ")" and span.count("(") < span.count(")"))):
        span, end = span[:-1], end - 1
    while span and (span[0] in " .-)" or (span[0] == "(" and ")" not in span)):
        span, start = span[1:], start + 1
    return start, end


def _phone_parts(text: str, start: int, end: int, ok, depth: int = 0) -> list[tuple[int, int]]:
    """The phone numbers in a candidate run of digits: the whole run, or (when it is not
    one, e.g. a ticket number followed by a phone, or two phones) its parts split at a gap."""
    if ok(start, end):
        return [(start, end)]
    gaps = [m.start() + start for m in re.finditer(r"\s+", text[start:end])]
    if depth > 3 or not gaps:
        return []
    for gap in gaps:                           # the longest phone that ends the run, then the rest
        s, e = _trim_phone(text, gap, end)
        if ok(s, e):
            return _phone_parts(text, *_trim_phone(text, start, gap), ok, depth + 1) + [(s, e)]
    for gap in reversed(gaps):                 # else the longest that starts it
        s, e = _trim_phone(text, start, gap)
        if ok(s, e):
            return [(s, e)]
    return []


def _address(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _ADDRESS.finditer(text):
        words = m.group("words").split()
        if any(w.lower() in PLAIN_WORDS for w in words):
            continue
        out.append((m.start(), m.end()))
    return out + [(m.start(), m.end()) for m in _POSTCODE_ALONE.finditer(text)]


def _check_kinds(kinds) -> list[str]:
    kinds = list(kinds)
    for kind in kinds:
        if kind not in PII_KINDS:
            raise ParameterError("kinds", kind, expected=list(PII_KINDS))
    return kinds


def find_pii(text: str, *, kinds: Iterable[str] = PII_KINDS, keep: Iterable[str] = (),
             ids: Iterable[str] = (), names: Iterable[str] = ()) -> list[tuple[str, int, int]]:
    """Locate personal data in ``text``.

    Parameters
    ----------
    text : str
        Free text (a quote, a ticket, a comment).
    kinds : iterable of str, default all of :data:`PII_KINDS`
        Which kinds to look for.
    keep : iterable of str
        Words that are never a name (your brand, product and stage names: "talk to Zappy").
    ids : iterable of str
        Customer and account ids of the loaded tables (:func:`known_ids`): a word equal to one
        is a ``customer_id``, whatever words stand before it.
    names : iterable of str
        Surnames the data set names in full elsewhere (:func:`known_names`, lower case): a
        Capitalised word equal to one is a ``name`` wherever it stands ("Okonkwo was rude").

    Returns
    -------
    list of (kind, start, end)
        Non-overlapping spans in text order; ``text[start:end]`` is the match.

    Examples
    --------
    >>> find_pii("Mail me at ann@example.com or call +44 20 7946 0958")
    [('email', 11, 26), ('phone', 35, 51)]
    >>> find_pii("Ticket 12345678 from 10.0.0.12 at 45% off")
    []
    """
    kinds = _check_kinds(kinds)
    if not isinstance(text, str):
        return []
    taken: list[tuple[str, int, int]] = []

    def free(start: int, end: int, spans=None) -> bool:
        spans = [(s, e) for _, s, e in taken] if spans is None else spans
        return all(end <= s or start >= e for s, e in spans)

    def add(kind: str, spans) -> None:
        for start, end in spans:
            if free(start, end):
                taken.append((kind, start, end))

    refs = [(m.start(), m.end()) for m in _REF.finditer(text)]
    protected = refs + [(m.start(), m.end()) for m in _PROTECT.finditer(text)]
    if "email" in kinds:
        add("email", [(m.start(), m.end()) for p in (_EMAIL, _EMAIL_WORDS) for m in p.finditer(text)])
    if "customer_id" in kinds and ids:
        add("customer_id", id_spans(text, id_set(ids), protected))
    if "iban" in kinds:
        add("iban", [s for m in _IBAN.finditer(text) if (s := _iban_span(text, m.start(), m.end()))])
    if "account" in kinds:      # a mistyped IBAN, after the word or not: whole, before a card or phone takes part (D257, D266)
        add("account", iban_said(text) + iban_shaped(text, IBAN_LENGTHS, protected))
    if "code" in kinds:
        add("code", [m.span(1) for m in _CODE.finditer(text)])
    if "card" in kinds:   # a card written in groups is a card even after "flight" or "order #"
        add("card", [(m.start(), m.end()) for m in _CARD.finditer(text) if _is_card(m.group())
                     and (free(m.start(), m.end(), refs) or not m.group().isdigit())
                     and not _said_phone(text, m.start(), m.group())])
    if "account" in kinds:
        add("account", [m.span(1) if m.group(1) else m.span(2) for m in _ACCOUNT.finditer(text)])
        add("account", account_codes(text, protected))
    if "dob" in kinds:
        add("dob", [m.span(1) for m in _DOB.finditer(text)])
    if "nhs_number" in kinds:
        add("nhs_number", _nhs_spans(text, protected))
    if "plate" in kinds:
        add("plate", plate_spans(text))
    if "phone" in kinds:
        add("phone", slash_phones(text, protected) + mobile_runs(text, protected))
        ok = lambda s, e: free(s, e, protected) and _is_phone(text, s, e)  # noqa: E731
        add("phone", [span for m in _PHONE.finditer(text)
                      for span in _phone_parts(text, *_trim_phone(text, m.start(), m.end()), ok)])
    if "address" in kinds:
        add("address", [(s, e) for s, e in _address(text) if free(s, s + 1, protected)])
    if "name" in kinds:
        contacts = [s for k, s, _ in taken if k in ("phone", "address")]
        add("name", name_spans(text, frozenset(w.lower() for w in keep), names=frozenset(names), contacts=contacts))
    return sorted(taken, key=lambda t: t[1])


def mask_text(text, *, kinds: Iterable[str] = PII_KINDS, keep: Iterable[str] = (),
              ids: Iterable[str] = (), names: Iterable[str] = ()) -> str:
    """Replace personal data by placeholders (see the table in :mod:`jmtools.analyses.privacy`).

    Parameters
    ----------
    text : str
        The text to mask. Missing values (None, NaN) are returned unchanged.
    kinds : iterable of str, default all of :data:`PII_KINDS`
        Which kinds to mask.
    keep : iterable of str
        Words that are never masked as a name (brand, product and stage names).
    ids : iterable of str
        Customer and account ids of the loaded tables (:func:`known_ids`), masked wherever a
        word equals one.
    names : iterable of str
        Surnames the data set names in full elsewhere (:func:`known_names`), masked wherever
        they stand Capitalised.

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
    >>> mask_text("Her name is Jane Doe, she lives at 12 Elm Road, DOB 03/04/1985")
    'Her name is [name], she lives at [address], DOB [date of birth]'
    """
    if not isinstance(text, str):
        return text
    if kinds is PII_KINDS and not ids and not names:
        return _masked(text, _every_kind(text, tuple(keep)))
    return _masked(text, find_pii(text, kinds=kinds, keep=keep, ids=ids, names=names))


@functools.lru_cache(maxsize=1 << 14)
def _every_kind(text: str, keep: tuple) -> tuple:
    """``find_pii(text, keep=keep)``, remembered: themes read a text's surnames, then mask it (D241)."""
    return tuple(find_pii(text, keep=keep))


def _masked(text: str, spans) -> str:
    """``text`` with each (kind, start, end) of ``spans`` replaced by its placeholder."""
    out, last = [], 0
    for kind, start, end in spans:
        out += [text[last:start], PLACEHOLDERS[kind]]
        last = end
    return "".join(out + [text[last:]])


def mask_quotes(quotes, *, kinds: Iterable[str] = PII_KINDS, keep: Iterable[str] = (),
                ids: Iterable[str] = (), names: Iterable[str] | None = None):
    """Mask every text of a pandas Series (or any iterable of strings).

    Parameters
    ----------
    quotes : pandas.Series or iterable of str
        The texts. The input is not modified.
    kinds : iterable of str, default all of :data:`PII_KINDS`
        Which kinds to mask.
    keep : iterable of str
        Words that are never masked as a name (brand, product and stage names).
    ids : iterable of str
        Customer and account ids of the loaded tables (:func:`known_ids`).
    names : iterable of str, optional
        Surnames masked wherever they stand Capitalised (see :func:`mask_text`); by default those
        the quotes themselves name in full (:func:`known_names`).

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
    kinds, keep, ids = tuple(_check_kinds(kinds)), tuple(keep), id_set(ids)
    texts = list(quotes)
    spans = {t: find_pii(t, kinds=kinds, keep=keep, ids=ids) for t in set(texts) if isinstance(t, str)}
    if names is None:
        names = _surnames(spans, keep) if "name" in kinds else frozenset()
    if names := frozenset(w.lower() for w in names):
        word = _words_re(names)
        spans.update({t: find_pii(t, kinds=kinds, keep=keep, ids=ids, names=names) for t, found in spans.items()
                      if any(m.group()[0].isupper() and _outside(m, found) for m in word(t))})   # a surname not masked yet
    def one(t):
        return _masked(t, spans[t]) if isinstance(t, str) else t

    if hasattr(quotes, "map") and hasattr(quotes, "index"):
        return quotes.map(one)
    return [one(t) for t in texts]


def known_names(texts: Iterable[str], *, keep: Iterable[str] = ()) -> frozenset[str]:
    """The surnames a data set names in full: the last word of each name of two or more
    Capitalised words found in ``texts``, when it stands in a name found at least as often as
    anywhere else in them (alone, in lower case); lower case. Given to ``names=``, a Capitalised
    word equal to one is masked wherever it stands ("Okonkwo was rude to my mother", D227).

    Parameters
    ----------
    texts : iterable of str
        The data set's texts (feedback, tickets, survey comments).
    keep : iterable of str
        Words that are never a name.

    Returns
    -------
    frozenset of str

    Examples
    --------
    >>> sorted(known_names(["Regards, Emily Okonkwo", "Okonkwo was rude", "Love it"]))
    ['okonkwo']
    >>> mask_quotes(["Regards, Emily Okonkwo", "Okonkwo was rude"])
    ['Regards, [name]', '[name] was rude']
    """
    keep = tuple(keep)
    return _surnames({t: find_pii(t, keep=keep) for t in set(texts) if isinstance(t, str)}, keep)


def surnames_masked(texts: Iterable[str], *, keep: Iterable[str] = ()) -> list:
    """``texts`` with only the surnames the data set names in full (:func:`known_names`) masked
    where they stand alone ("[name] was rude"), the rest as it was: for a pipeline that masks
    each text by itself later (:mod:`jmtools.analyses.themes`; D227).

    Parameters
    ----------
    texts : iterable of str
        The data set's texts (missing values pass through).
    keep : iterable of str
        Words that are never a name.

    Returns
    -------
    list
        The texts, in order.

    Examples
    --------
    >>> surnames_masked(["Regards, Emily Okonkwo", "Okonkwo was rude"])
    ['Regards, Emily Okonkwo', '[name] was rude']
    """
    texts, keep = list(texts), tuple(keep)
    spans = {t: _every_kind(t, keep) for t in set(texts) if isinstance(t, str)}
    names = _surnames(spans, keep)
    if not names:
        return texts
    word, out = _words_re(names), {}
    for t, found in spans.items():
        if any(m.group()[0].isupper() and _outside(m, found) for m in word(t)):
            new = [(k, s, e) for k, s, e in find_pii(t, keep=keep, names=names) if k == "name" and (k, s, e) not in found]
            out[t] = _masked(t, new)
    return [out.get(t, t) if isinstance(t, str) else t for t in texts]
