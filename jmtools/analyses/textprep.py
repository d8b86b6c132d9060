"""Customer text made ready for models: what is noise in a tweet or a review is removed.

:func:`normalise_text` is applied before any text model of jmtools reads a text (the
calibrated sentiment of :mod:`jmtools.analyses.calibration`, the themes of
:mod:`jmtools.analyses.themes`); quotes shown to people keep the original words.

It removes what says nothing about the customer's experience and what breaks tokenisers:

- HTML entities are decoded (``&amp;`` → ``&``), then markup is removed: a script or style
  block whole, any other tag (``<img src=x onerror=…>``, ``<b>``) leaving the text around it
  (``<3`` and ``price < 50`` are not tags and stay);
- web addresses (``http://t.co/x``, ``www.shop.com/a``) are removed;
- retweet markers (``RT @user:``) and ``via @user`` are removed, then every ``@handle``;
- a hashtag keeps its word (``#fail`` → ``fail``);
- contractions are written out (``don't`` → ``do not``, ``I've`` → ``I have``), so no
  tokeniser is left with stubs such as ``don``, ``ve`` or ``ll``;
- the user's own brand and product words are removed (``brand_words=``), as are the
  handles' words when they name a brand (:func:`handle_words` finds them).

Before that, and before a quote is masked and shown, :func:`own_words` keeps what the writer
wrote of a support e-mail or ticket: its HTML as lines of text, without the reply chain it
quotes ("On Mon, … wrote:") and without the signature under a sign-off line.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from typing import Iterable, Sequence

__all__ = ["normalise_text", "own_words", "Normaliser", "handle_words", "CONTRACTIONS"]

#: Contraction endings written out (after the apostrophe is normalised to ').
CONTRACTIONS = {"n't": " not", "'ve": " have", "'re": " are", "'ll": " will", "'m": " am",
                "'d": " would", "'s": ""}

_MARKUP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|</?[a-z][^<>]{0,500}>", re.I | re.S)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|co|io|ly)/\S*", re.I)
_RT = re.compile(r"\b(?:RT|MT|via)\s+@\w+:?", re.I)
_HANDLE = re.compile(r"@\w+")
_HASH = re.compile(r"#(\w)")
_APOS = re.compile(r"[\u2018\u2019\u02bc`´]")
_SPECIAL = {"can't": "can not", "won't": "will not", "shan't": "shall not", "ain't": "is not",
            "cannot": "can not", "y'all": "you all", "let's": "let us"}
_SPECIAL_RE = re.compile(r"\b(" + "|".join(map(re.escape, _SPECIAL)) + r")\b", re.I)
_CONTRACTION = re.compile(r"(?<=\w)(n't|'ve|'re|'ll|'m|'d|'s)\b", re.I)
# apostrophe-less forms people type: dont, didnt, cant, ive, im, wont, isnt, ...
_BARE = {"dont": "do not", "didnt": "did not", "doesnt": "does not", "cant": "can not",
         "couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not", "isnt": "is not",
         "wasnt": "was not", "arent": "are not", "werent": "were not", "hasnt": "has not",
         "havent": "have not", "hadnt": "had not", "wont": "will not", "ive": "I have",
         "im": "I am", "youre": "you are", "theyre": "they are", "thats": "that is"}
_BARE_RE = re.compile(r"\b(" + "|".join(_BARE) + r")\b", re.I)
_SPACE = re.compile(r"\s+")
# e-mail and ticket bodies (own_words): line-breaking tags, the quoted reply chain, the signature
_HTML = re.compile(r"</?(?:html|body|p|div|br|span|blockquote|table|td|tr|li|ul|ol|h[1-6]|b|i|a|font)\b[^<>]{0,500}>", re.I)
_BREAK = re.compile(r"<(?:br|/?p|/?div|/?blockquote|/?tr|/?li|/?h[1-6]|/?table|hr)\b[^<>]{0,500}>", re.I)
_QUOTED = re.compile(
    r"<blockquote\b|^[ \t]*(?:On\b[^\n]{4,300}?\bwrote:|Am\b[^\n]{4,300}?\bschrieb[^\n]{0,80}:"
    r"|Le\b[^\n]{4,300}?\ba écrit\s*:|El\b[^\n]{4,300}?\bescribió:|Op\b[^\n]{4,300}?\bschreef[^\n]{0,80}:"
    r"|-{2,}\s*(?:Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}"
    r"|From:[^\n]*\n[ \t]*(?:Sent|Date|Gesendet|Envoyé):)", re.I | re.M)
_SIGN_OFF = re.compile(
    r"(?:(?:kind |best |warm |many )?regards|best(?: wishes)?|thanks(?: again)?|thank you|cheers|sincerely|"
    r"yours(?: sincerely| truly)?|mit freundlichen grüßen|viele grüße|cordialement|"
    r"met vriendelijke groet(?:en)?|saludos)[ \t]*[,.!]?", re.I)


def _brand_pattern(words: Iterable[str]):
    words = sorted({w.strip().lower() for w in words if w and w.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<![\w@#])#?(?:" + "|".join(re.escape(w) for w in words)
                      + r")(?:['\u2019]s)?(?!\w)",
                      re.I)


def normalise_text(text, *, brand_words: Sequence[str] = (), _brand=None) -> str:
    """A text without web addresses, handles, retweet markers, contraction stubs and brand words.

    Parameters
    ----------
    text : str
        A customer's text; anything else (None, NaN) gives "".
    brand_words : sequence of str
        Your brand and product names ("Acme", "Acme Pay"); matched case-insensitively as
        whole words (with or without a leading ``#``) and removed.

    Returns
    -------
    str
        The normalised text, single-spaced; the case of the remaining words is kept.

    Examples
    --------
    >>> normalise_text("RT @bob: @AcmeAir I've waited 3 hrs &amp; don't get it http://t.co/x #fail",
    ...                brand_words=["acmeair"])
    'I have waited 3 hrs & do not get it fail'
    >>> normalise_text("Acme Pay didnt work, can't pay", brand_words=["Acme Pay"])
    'did not work, can not pay'
    >>> normalise_text('<img src=x onerror=alert(1)> payment <b>failed</b>; I <3 it, price < 50')
    'payment failed ; I <3 it, price < 50'
    """
    if not isinstance(text, str):
        return ""
    t = _MARKUP.sub(" ", html.unescape(own_words(text)))
    t = _URL.sub(" ", t)
    t = _RT.sub(" ", t)
    pattern = _brand if _brand is not None else _brand_pattern(brand_words)
    if pattern is not None:
        t = pattern.sub(" ", t)
    t = _HANDLE.sub(" ", t)
    t = _HASH.sub(r"\1", t)
    t = _APOS.sub("'", t)
    t = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(1).lower()], t)
    t = _CONTRACTION.sub(lambda m: CONTRACTIONS[m.group(1).lower()], t)
    t = _BARE_RE.sub(lambda m: _BARE[m.group(1).lower()], t)
    return _SPACE.sub(" ", t).strip()


def own_words(text):
    r"""What the writer wrote of an e-mail or ticket body: HTML as lines of text, without the
    reply chain it quotes and the signature under a sign-off line.

    A text holding HTML tags (``<p>``, ``<br>``, ``<div>``…) gets a line break for each
    line-breaking tag, loses every other of those tags and has its entities decoded
    (``&lt;`` → ``<``); plain text keeps its characters. Then everything from the first line
    that opens a quoted reply ("On Mon, 4 Mar 2026 at 10:02 Anna <a@b.io> wrote:", "Am … schrieb …:",
    "Le … a écrit :", "-----Original Message-----", an Outlook "From: … / Sent: …" header, a
    ``<blockquote>``) is cut, and a last line saying only a sign-off ("Regards,", "Thanks",
    "Viele Grüße") with at most six lines under it (name, title, company, phone) is cut with
    them: names, phone numbers and the company's agents' replies are neither theme words nor
    quotes. A text that is all quote keeps its words; anything but text is returned as is.

    Parameters
    ----------
    text : str
        A feedback or ticket text.

    Returns
    -------
    str

    Examples
    --------
    >>> own_words("<p>Hi,</p><p>SSO login fails.</p><p>Regards,<br>Jonas Tanaka<br>Tel: +49 30 1234567</p>"
    ...           "<div class='gmail_quote'>On Tue, Apr 14, 2026 at 01:23 Priya Shah &lt;s@acme.io&gt; wrote:"
    ...           "<blockquote>Thanks for reaching out!</blockquote></div>")
    'Hi,\nSSO login fails.'
    >>> own_words("The export fails.\n\nOn Mon, 2 Mar 2026, Tom <t@x.io> wrote:\n> Can you send a screenshot?")
    'The export fails.'
    >>> own_words("Thanks, that fixed it!")
    'Thanks, that fixed it!'
    """
    if not isinstance(text, str):
        return text
    t = text
    if _HTML.search(t):
        t = _MARKUP.sub(" ", _BREAK.sub("\n", t))
        t = html.unescape(t)
    cut = _QUOTED.search(t)
    if cut and t[:cut.start()].strip():
        t = t[:cut.start()]
    t = "\n".join(line.strip() for line in t.strip().splitlines() if not line.lstrip().startswith(">"))
    t = re.sub(r"\n{2,}", "\n", t)
    lines = t.split("\n")
    for i in range(len(lines) - 1, 0, -1):                 # the last sign-off line with a signature under it
        if _SIGN_OFF.fullmatch(lines[i]) and _signature(lines[i + 1:]):
            t = "\n".join(lines[:i])
            break
    t = t.strip()
    return t if t and not _QUOTED.match(t) else text        # all quote: nothing of its own to cut it to


def _signature(lines: list) -> bool:
    """Whether the lines under a sign-off are a signature: at most six short lines (a name, a
    title, a company, a phone number), none ending a sentence."""
    return len(lines) <= 6 and all(len(x) <= 60 and not x.rstrip().endswith((".", "!", "?")) for x in lines)


@functools.lru_cache(maxsize=1 << 16)
def _normalised(text: str, brand_words: tuple) -> str:
    """:func:`normalise_text`, remembered: a calibration normalises the same texts once per
    fold and per model."""
    return normalise_text(text, _brand=_brand_pattern_of(brand_words))


@functools.lru_cache(maxsize=64)
def _brand_pattern_of(brand_words: tuple):
    return _brand_pattern(brand_words)


class Normaliser:
    """:func:`normalise_text` with fixed ``brand_words``, compiled once; picklable.

    Examples
    --------
    >>> Normaliser(["acme"])("Acme's app isn't working")
    'app is not working'
    """

    def __init__(self, brand_words: Sequence[str] = ()):
        self.brand_words = tuple(brand_words)

    def __call__(self, text) -> str:
        return _normalised(text, self.brand_words) if isinstance(text, str) else ""

    def __repr__(self) -> str:
        return f"Normaliser({list(self.brand_words)!r})"


def handle_words(texts: Iterable, *, min_share: float = 0.01) -> list[str]:
    """The words of @handles that appear in at least ``min_share`` of the texts: brands.

    Customers address a brand by its handle (``@AcmeAir``) and name it in words too
    ("acmeair"); a handle in 1% of the texts is the brand, not a person.

    Examples
    --------
    >>> handle_words(["@AcmeAir late again", "@acmeair lost bag", "@bob thanks", "fine"],
    ...              min_share=0.5)
    ['acmeair']
    """
    texts = [t for t in texts if isinstance(t, str)]
    if not texts:
        return []
    seen = Counter(h for t in texts for h in {m.group()[1:].lower() for m in _HANDLE.finditer(t)})
    return sorted(h for h, n in seen.items() if n / len(texts) >= min_share)
