"""Surnames a data set names in full, for :func:`jmtools.analyses.privacy.known_names` (D227): the
last word of each full name found, kept when it stands in a name found at least as often as
anywhere else in the texts (so "Hue" of one "Philip Hue" among many "Philips Hue" is no surname).
"""

from __future__ import annotations

import re

from jmtools.analyses._given_names import EVERYDAY_GIVEN, GIVEN_NAMES
from jmtools.analyses._person_names import PLAIN_WORDS

__all__ = ["surnames", "words_re", "outside"]

_I = re.IGNORECASE


def words_re(words):
    """A function giving the matches of any of ``words`` (lower case) as a whole word in a text, in
    any case; texts holding none, most of them, are passed over by a quicker search first."""
    alternatives = "|".join(map(re.escape, sorted(words)))
    exact, quick = re.compile(r"(?<![\w'’-])(?:" + alternatives + r")(?![\w-])", _I), re.compile(alternatives)
    return lambda text: exact.finditer(text) if quick.search(text.lower()) else iter(())


def outside(m, found) -> bool:
    """True when the match ``m`` stands in no name span of ``found`` (``find_pii``'s answer)."""
    return not any(k == "name" and s <= m.start() and m.end() <= e for k, s, e in found)


def surnames(spans: dict, keep) -> frozenset[str]:
    """:func:`~jmtools.analyses.privacy.known_names` from each distinct text's spans (``{text: find_pii(text)}``)."""
    full, inside = set(), {}
    for text, found in spans.items():
        for kind, s, e in found:
            words = re.findall(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*", text[s:e])
            if kind == "name" and len(words) > 1 and all(w[0].isupper() for w in words):
                full.add(re.sub(r"['’]s$", "", words[-1].lower()))   # "Okonkwo's" is Okonkwo
    drop = {w.lower() for w in keep} | PLAIN_WORDS | GIVEN_NAMES | EVERYDAY_GIVEN
    full = {w for w in full if len(w) > 2 and w not in drop}
    if not full:
        return frozenset()
    word = words_re(full)
    for text, found in spans.items():
        for m in word(text):
            inside.setdefault(m.group().lower(), [0, 0])[not outside(m, found)] += 1
    return frozenset(w for w in full if (n := inside.get(w, [0, 0]))[1] >= n[0])
