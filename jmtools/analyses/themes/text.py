"""Theme text: masked, normalised sentences, stock sentences left out, words and phrases.

Before any theme model reads a text its personal data is masked
(:func:`jmtools.analyses.privacy.mask_text`: customer ids the tables know, names, e-mails,
phones, IBANs, cards, account numbers, addresses, dates of birth), the placeholders left out of its words like numbers, so that no label, term or
quote can carry what the quotes hide (docs/decisions.md D131). It is then normalised
(:func:`jmtools.analyses.textprep.normalise_text`: no web addresses, handles, retweet markers or
contraction stubs, and no brand or product words), split into sentences, and stock sentences
— openers and closers that recur at many places — are dropped from texts that say something
else (a text made of stock sentences only keeps them). A text's terms are its words
and two-word phrases of adjacent words (letters of any script: "zurück", "réglé") within a
sentence, without English stop words, :data:`STOCK_WORDS` and the function words of the text's
own language (:mod:`jmtools.analyses.language`: "die", "und", "ist" of a German text).
"""

from __future__ import annotations

import functools
import re
from collections import Counter

import pandas as pd

from jmtools.analyses.language import FUNCTION_WORDS, _language
from jmtools.analyses.privacy import PLACEHOLDERS, known_ids, mask_quotes, mask_text, surnames_masked
from jmtools.analyses.textprep import Normaliser

__all__ = ["STOCK_WORDS", "PII_CONTEXT_SHARE", "stock_sentences", "pii_context_words"]

#: Words that say how strongly someone feels, not what about: intensifiers, stock verdicts,
#: politeness and generic verbs. They are left out of theme terms (with English stop words),
#: so themes and labels are made of what the text is about ("delivery fee", "size chart").
STOCK_WORDS = frozenset("""
really very quite bit little slightly totally absolutely just also still again even overall
honestly definitely simply truly literally actually please thanks thank fix fixing fixed
improve improved need needs needed got get gets getting gave give given made make makes went
go going come came want wanted hope hoped keep let lot lots thing things way time times
experience process part whole frustrating frustrated terrible awful worst bad poor
disappointed disappointing disappointment annoying annoyed shame unacceptable acceptable
great good nice excellent love loved lovely happy amazing perfect fine okay ok special
fantastic brilliant super impressed letdown mixed feelings average better best worse wow
pleased satisfied unhappy horrible sad glad cool decent rubbish ridiculous honest sure
recommend recommended highly
did does doing done would could should will shall can may might must having
""".split())

_SENTENCE = re.compile(r"[.!?;]+(?:\s+|$)|\n+")
_EMAIL = re.compile(r"\S+@\S+")
_NUMBER = re.compile(r"[+(]?\d[\d ()+-]*")
#: A reference code: letters and digits joined, with "-", "/" or "_" or none ("SCH-2025-004512",
#: "POL-88123", "INC0012345", "ab/12/345"), or "#" and digits ("#12345"); it holds at least
#: :data:`_REF_DIGITS` digits, so "mp3", "covid-19" and "4g" are words (D234).
_REFERENCE = re.compile(r"(?<![\w#/-])#?[^\W_]+(?:[-/_][^\W_]+)*(?![\w#/@-])")
#: Fewest digits a code of letters and digits holds to be a reference (D234).
_REF_DIGITS = 3
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
#: What a placeholder reads as in a sentence: no word, and no phrase is made across it (D229).
_GAP = "¤"
#: Words that name the personal data a placeholder stands for or lead up to it, per kind of
#: :data:`~jmtools.analyses.privacy.PLACEHOLDERS` (the words privacy's rules read, and a form's field
#: names): "address [address]", "mobile [phone]", "NHS No [nhs number]", "born [date of birth]",
#: "Patient [name]", "on behalf of my mother [name]", "Kind regards [name]", "please reply to [address]",
#: "e-mail me at [email]", "sort code [account]", "PIN [code]", "card ending [card]", "IBAN: [iban]",
#: "customer no [customer id]", "licence plate [plate]". A run of them right before a placeholder goes with it; the same word
#: elsewhere ("the wrong address") stays (D229).
_CUE_WORDS = {
    "customer_id": "customer client account acct id ref reference membership kundennummer",
    "email": "email mail address write contact reach",
    "iban": "iban bank account details",
    "code": "imei imeisv meid iccid sim serial puk pin passcode password security cvv cvc code",
    "card": "card credit debit visa mastercard master amex ending karte carte",
    "account": "sort code account bank acct routing bsb",
    "dob": "dob date birth born birthday birthdate",
    "nhs_number": "nhs chi health service",
    "plate": "licence license plate number registration reg vehicle car kennzeichen kfz amtliches nummernschild "
             "kenteken immatriculation",
    "phone": "phone telephone tel mobile cell cellphone landline text sms whatsapp call ring reach contact "
             "nummer rufnummer telefon handy mobil festnetz ruf rückruf fax",
    "address": "address postcode zip live lives living home reply send post",
    "name": "name named patient client customer service user mr mrs ms miss mx dr prof sir madam herr frau "
            "mme monsieur madame regards sincerely faithfully cheers kind best warm wishes spoke speak talked handled "
            "behalf writing mother mum mom father dad son daughter wife husband partner brother sister grandmother "
            "grandfather grandson granddaughter carer friend neighbour colleague late elderly",
}
#: Linking words inside such a run ("my mobile number is [phone]"); abbreviations may end in a dot.
_CUE_LINKS = "no nr num number numbers is was are on at me my our his her their your of the to for by with e"
_CUE_ABBR = "no nr num tel dr mr mrs ms prof dob acct ref"
_CUE_RUN = re.compile(
    r"(?:\b(?:(?:" + "|".join(_CUE_ABBR.split()) + r")\b\.?|(?:"
    + "|".join(sorted({w for ws in _CUE_WORDS.values() for w in ws.split()} | set(_CUE_LINKS.split()), key=len,
                      reverse=True))
    + r")\b)[\s:#,=/()'-]*)+(?=" + "|".join(re.escape(p) for p in PLACEHOLDERS.values()) + ")")


def _masked(text: str, keep=()) -> str:
    """``text`` with its personal data masked (:func:`~jmtools.analyses.privacy.mask_text`),
    remembered: a themes run masks each distinct text once for its stock sentences, its model
    and its quotes, and the praise run after the complaints run finds them masked.

    >>> _masked("Love it. Regards, Maria Rossi")
    'Love it. Regards, [name]'
    """
    return _masked_once(text, tuple(keep))


@functools.lru_cache(maxsize=1 << 16)
def _masked_once(text: str, keep: tuple) -> str:
    return mask_text(text, keep=keep)


def _ids_masked(feedback: pd.DataFrame, text_col: str, customer_ids=(),
                customer_col: str | None = "customer_id", keep=()) -> pd.DataFrame:
    """``feedback`` (a copy) whose texts show no customer or account id the tables know: the
    feedback's own (``customer_id`` and columns named like an account,
    :func:`~jmtools.analyses.privacy.known_ids`) and ``customer_ids`` (the customer table's),
    each read as ``[customer id]`` before anything else reads the text (docs/decisions.md D157);
    and a surname the texts name in full elsewhere where it stands alone (``keep``: never names; D227).

    >>> fb = pd.DataFrame({"customer_id": ["ACC-00012"], "text": ["re ACC-00012: no engineer"]})
    >>> _ids_masked(fb, "text")["text"].tolist()
    ['re [customer id]: no engineer']
    """
    own = [customer_col] if customer_col in feedback.columns else []
    ids = (known_ids(feedback) | known_ids(feedback, columns=own)
           | known_ids(pd.DataFrame({"customer_id": list(customer_ids)})))
    if ids:
        feedback = feedback.assign(**{text_col: mask_quotes(feedback[text_col], kinds=["customer_id"], ids=ids)})
    texts = feedback[text_col]
    masked = surnames_masked(texts, keep=keep)   # "[name] was rude" when the data names Okonkwo in full (D227)
    changed = [a != b for a, b in zip(texts, masked) if isinstance(a, str)]
    return feedback.assign(**{text_col: pd.Series(masked, index=feedback.index, dtype=texts.dtype)}) if any(changed) else feedback


def _no_references(text: str) -> str:
    """``text`` with each reference code ("SCH-2025-004512", "POL-88123", "INC0012345", "#12345")
    read as a gap: no word of it ("sch", "pol") and no phrase across it (D234).

    >>> _no_references("claim sch-2025-004512 and pol-88123, ticket #12345, inc0012345; mp3 and covid-19 stay")
    'claim ¤ and ¤, ticket ¤, ¤; mp3 and covid-19 stay'
    """
    return _REFERENCE.sub(lambda m: _GAP if _is_reference(m.group()) else m.group(), text)


def _is_reference(token: str) -> bool:
    """Whether a token of letters and digits is a reference code: "#" and digits, or letters and at
    least :data:`_REF_DIGITS` digits that start with a letter or are joined by "-", "/" or "_"."""
    digits = sum(c.isdigit() for c in token)
    if token.startswith("#"):
        return token[1:].isdigit()
    letters = any(c.isalpha() for c in token)
    return letters and digits >= _REF_DIGITS and (token[0].isalpha() or any(c in "-/_" for c in token))


def _sentences(text) -> list[str]:
    """Sentences of a text, lower case, single-spaced, without end punctuation; a reference code
    ("SCH-2025-004512", "#12345") reads as a gap like masked data (D234); e-mail addresses
    and numbers become ``@`` and ``#`` (so "call me on …" repeats as one sentence), a mask
    placeholder becomes ``¤`` with the words that name what it hides (:data:`_CUE_WORDS`: "mobile
    [phone]", "NHS No. [nhs number]"), so "[name]" is no word and no word of the masked data's
    form is either (D229).

    >>> _sentences("Regards, [name]. Call me on 0770 900123!")
    ['¤', 'call me on #']
    >>> _sentences("Still waiting. Patient [name], NHS No. [nhs number], mobile [phone]. Wrong address sent.")
    ['still waiting', '¤ , ¤ , ¤', 'wrong address sent']
    """
    return list(_sentences_of(str(text)))


@functools.lru_cache(maxsize=1 << 18)
def _sentences_of(text: str) -> tuple:
    """:func:`_sentences`, remembered for the newest 2^18 texts: the theme chain reads each text
    about six times (stock sentences, content, labels, quotes, words beside personal data)."""
    masked = _PLACEHOLDER.sub(f" {_GAP} ", _CUE_RUN.sub(" ", _no_references(text.lower())))
    parts = (" ".join(_NUMBER.sub("# ", _EMAIL.sub("@", p)).split()).strip(" ,:-.")
             for p in _SENTENCE.split(masked))
    return tuple(p for p in parts if p)


def stock_sentences(feedback: pd.DataFrame, *, text_col: str = "text",
                    place_col: str | None = "touchpoint", min_places: int = 3,
                    min_texts: int = 3) -> frozenset:
    """Sentences that recur across many places: stock openers and closers, not topics.

    A sentence (lower case, single-spaced, personal data masked) is *stock* when it occurs in at least
    ``min_texts`` texts spread over at least ``min_places`` different values of
    ``place_col`` (touchpoints, or stages): "Nothing special.", "Please fix this." A
    complaint about one thing stays at its place. Without a place column nothing is stock.

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["Please fix this. Hidden fees.", "Slow delivery. Please fix this.",
    ...                             "Please fix this. No size chart.", "Hidden fees!"],
    ...                    "touchpoint": ["Checkout", "Delivery", "Product page", "Checkout"]})
    >>> sorted(stock_sentences(fb, min_texts=2))
    ['please fix this']
    """
    if place_col is None or place_col not in feedback.columns or text_col not in feedback.columns:
        return frozenset()
    rows = [(sent, place) for text, place in zip(feedback[text_col], feedback[place_col])
            if isinstance(text, str) for sent in set(_sentences(_masked(text)))]
    if not rows:
        return frozenset()
    pairs = pd.DataFrame(rows, columns=["sentence", "place"])
    g = pairs.groupby("sentence")["place"].agg(["size", "nunique"])
    return frozenset(g[(g["size"] >= min_texts) & (g["nunique"] >= min_places)].index)


#: A word: two or more letters of any script ("zurück", "unmöglich", "réglé", "straße"), no digits.
_WORD = re.compile(r"[^\W\d_]{2,}")


@functools.lru_cache(maxsize=16)
def _stop_words(english: frozenset, language: str) -> frozenset:
    """English stop and stock words, and the function words of the text's own language."""
    return english | FUNCTION_WORDS.get(language, frozenset())


#: A word is said only beside masked personal data when at least this share of the sentences
#: holding it hold the same kind of placeholder (:func:`pii_context_words`).
PII_CONTEXT_SHARE = 0.9


def pii_context_words(feedback: pd.DataFrame, *, text_col: str = "text", place_col: str | None = "touchpoint",
                      min_places: int = 3, share: float = PII_CONTEXT_SHARE, max_kind_share: float = 0.5) -> frozenset:
    """Words said only beside masked personal data, at many places: what carries an IBAN, a phone or
    a name onto any complaint ("please refund to IBAN [iban]", "I spoke to [name] at the branch"),
    not what the complaint is about.

    A word is one when at least ``share`` of the sentences holding it hold the same kind of
    placeholder (:data:`~jmtools.analyses.privacy.PLACEHOLDERS`), those sentences are at
    ``min_places`` different values of ``place_col`` or more (like a stock sentence,
    :func:`stock_sentences`: a complaint about one thing stays at its place), and that kind is in
    at most ``max_kind_share`` of all sentences (beside what every sentence holds, every word
    would be). Measured on the texts themselves, no word list: "refund" said in its own sentences
    stays a word ("re [customer id]: charged twice" at one place keeps "charged"). Without a place
    column no word is one (docs/decisions.md D208).

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["Valuation delay. Refund to IBAN GB82 WEST 1234 5698 7654 32",
    ...                             "Rate went up, refund to IBAN DE89370400440532013000",
    ...                             "App crashes refund to IBAN GB33 BUKB 2020 1555 5555 55",
    ...                             "Valuation late", "Rate changed", "App crashes"],
    ...                    "stage": ["Valuation", "Offer", "Documents", "Valuation", "Offer", "Documents"]})
    >>> sorted(pii_context_words(fb, place_col="stage"))   # "IBAN" goes with its placeholder (D229)
    ['refund']
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    if place_col is None or place_col not in feedback.columns or text_col not in feedback.columns:
        return frozenset()
    n_word, n_beside, n_kind, places, n_sentences = Counter(), Counter(), Counter(), {}, 0
    for text, place in zip(feedback[text_col], feedback[place_col]):
        if not isinstance(text, str):
            continue
        for part in _SENTENCE.split(_masked(text).lower()):
            words = set(_WORD.findall(" ".join(_sentences(part)))) - ENGLISH_STOP_WORDS - STOCK_WORDS
            if not words:
                continue
            kinds = set(_PLACEHOLDER.findall(part))
            n_sentences += 1
            n_kind.update(kinds)
            n_word.update(words)
            for pair in ((w, k) for w in words for k in kinds):
                n_beside[pair] += 1
                places.setdefault(pair, set()).add(place)
    common = {k for k, n in n_kind.items() if n > max_kind_share * n_sentences}
    return frozenset(w for (w, k), n in n_beside.items()
                     if k not in common and n >= share * n_word[w] and len(places[w, k]) >= min_places)


def _analyser(stock: frozenset, brand_words=(), pii_words=frozenset()):
    """Words and two-word phrases of a masked, normalised text, within sentences, without stop
    or stock words, leaving out stock sentences (:func:`stock_sentences`) — unless the text is
    made of nothing else: then they are what it says (a survey's fixed answers, a form's options;
    docs/decisions.md D144), and leaving out ``pii_words`` (said only beside masked personal data,
    :func:`pii_context_words`; D208). Masked before it is normalised: normalising drops "@handles", which
    would leave "john.doe .com" of an e-mail.

    >>> analyse = _analyser(frozenset({"please fix this", "slow delivery"}))
    >>> analyse("Please fix this. Hidden fees.")
    ['hidden', 'fees', 'hidden fees']
    >>> analyse("Slow delivery. Please fix this.")
    ['slow', 'delivery', 'slow delivery']
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    english = ENGLISH_STOP_WORDS | STOCK_WORDS | frozenset(pii_words)
    normalise = Normaliser(brand_words)
    keep = tuple(brand_words)

    def analyse(text: str) -> list[str]:
        out: list[str] = []
        stop = _stop_words(english, _language(text))   # a German text's "die", "und", "ist" too
        sentences = _sentences(normalise(_masked(text, keep)))
        for sentence in [x for x in sentences if x not in stock] or sentences:   # all stock: all it says
            for part in sentence.split(_GAP):                           # no phrase across masked data
                tokens = _WORD.findall(part)
                out += [w for w in tokens if w not in stop]
                out += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])      # adjacent words only
                         if a not in stop and b not in stop]
        return out
    return analyse


def _stock_counts(texts, stock: frozenset, brand_words=()) -> dict:
    """How the stock sentences met ``texts``: sentences left out of texts that say something
    else, and texts made of stock sentences only (kept whole: they are what those texts say).

    >>> _stock_counts(["Please fix this. Hidden fees.", "Please fix this.", "Slow."], frozenset({"please fix this"}))
    {'stock sentences left out': 1, 'texts of stock sentences only (kept whole)': 1}
    """
    normalise, keep, left, only = Normaliser(brand_words), tuple(brand_words), 0, 0
    for text in texts:
        sentences = _sentences(normalise(_masked(text, keep)))
        n = sum(x in stock for x in sentences)
        only += bool(sentences) and n == len(sentences)
        left += n if n < len(sentences) else 0
    return {"stock sentences left out": left, "texts of stock sentences only (kept whole)": only}

