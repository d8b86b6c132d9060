"""Free-text feedback whose wording and sentiment follow the simulated experience.

A comment is an opener whose tone follows the valence of the experience, a sentence about one
named theme (containing that theme's key words, so TF-IDF/NMF can find it), and sometimes a
closer. A few comments carry personal data (e-mail, phone, card number) for masking tests; all
of it is fictional: ``example.com``/``example.org`` addresses, Ofcom drama phone numbers and
payment-network test card numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Theme", "valence_bucket", "compose", "pii_tail", "PII_KINDS"]

#: Valence (−2..+2) → bucket 0 (very negative) … 4 (very positive).
_EDGES = np.array([-1.2, -0.4, 0.4, 1.2])

_OPENERS = (
    ("Really frustrating.", "Terrible experience.", "Very disappointed.", "Honestly awful.",
     "Worst part of the whole process."),
    ("Not great.", "A bit annoying.", "Could be better.", "Slightly disappointed.",
     "Not impressed."),
    ("It was okay.", "Fine overall.", "Nothing special.", "Average experience.", "Mixed feelings."),
    ("Pretty good.", "Good experience.", "Happy with it.", "Nice.", "Works well."),
    ("Absolutely love it!", "Excellent!", "Fantastic experience!", "Brilliant, thank you!",
     "Amazing, really impressed!"),
)
_CLOSERS = (
    ("I would not go through this again.", "Please fix this.", "Very poor.", "Shame."),
    ("Please improve this.", "Hope it gets better.", "A bit of a letdown."),
    ("", "That's all.", "Overall acceptable."),
    ("Would recommend.", "Thanks!", "Keep it up."),
    ("Will definitely be back!", "Great job, thank you!", "Highly recommend!"),
)

_FIRST = ("alex", "sam", "jo", "chris", "kim", "lee", "pat", "robin", "max", "nico")
_LAST = ("smith", "jones", "khan", "meyer", "rossi", "novak", "silva", "berg")
_CARDS = ("4111 1111 1111 1111", "5555 5555 5555 4444", "4000 0566 5566 5556",
          "3782 822463 10005")

PII_KINDS = ("email", "phone", "card")


@dataclass(frozen=True)
class Theme:
    """A named feedback theme at one touchpoint, with the key words its sentences contain."""

    id: str
    title: str
    touchpoint: str
    sentiment: str  # "negative" | "positive"
    keywords: tuple[str, ...]
    sentences: tuple[str, ...]

    def check(self) -> None:
        """Every sentence names at least one key word (so a theme is findable by its words)."""
        for s in self.sentences:
            if not any(k in s.lower() for k in self.keywords):
                raise ValueError(f"theme {self.id}: sentence lacks a key word: {s!r}")


def valence_bucket(valence: np.ndarray) -> np.ndarray:
    """Valence −2..+2 → tone bucket 0..4."""
    return np.searchsorted(_EDGES, np.asarray(valence, dtype=float), side="right")


def compose(rng: np.random.Generator, buckets: np.ndarray, themes: list[Theme]) -> list[str]:
    """One comment per row: opener in the row's tone, a sentence of its theme, maybe a closer."""
    texts = []
    u = rng.random((len(themes), 4))
    for (b, theme), (r1, r2, r3, r4) in zip(zip(buckets, themes), u):
        opener = _OPENERS[b][int(r1 * len(_OPENERS[b]))]
        sentence = theme.sentences[int(r2 * len(theme.sentences))]
        closer = _CLOSERS[b][int(r3 * len(_CLOSERS[b]))] if r4 < 0.6 else ""
        texts.append(" ".join(part for part in (opener, sentence, closer) if part))
    return texts


def pii_tail(rng: np.random.Generator, kind: str) -> str:
    """A sentence carrying fictional personal data of ``kind`` (email, phone or card)."""
    if kind == "email":
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        domain = rng.choice(["example.com", "example.org"])
        return f"You can reach me at {first}.{last}{rng.integers(1, 99)}@{domain}."
    if kind == "phone":
        if rng.random() < 0.5:
            return f"Call me back on +44 7700 900{rng.integers(0, 1000):03d}."
        return f"My number is 020 7946 0{rng.integers(0, 1000):03d}, please call."
    if kind == "card":
        return f"My card {rng.choice(_CARDS)} was charged twice."
    raise ValueError(kind)
