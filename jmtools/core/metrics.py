"""Scales and formulas of the journey metrics (CSAT, NPS, CES) and the emotion scale.

Formulas, as shown to users:

- CSAT: mean score on 1–5, and top-2-box = share of answers 4 or 5.
- NPS: % promoters (9–10) − % detractors (0–6), from −100 to +100.
- CES: mean effort on 1–7 (lower is easier), and share of low-effort answers (1–3).
- Emotion (valence): −2 (very negative) … +2 (very positive).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Scale", "SCALES", "EMOTION_DOMAIN", "EVIDENCE_LABELS", "CHANNEL_KINDS", "RICE_IMPACTS"]

#: The emotion axis, declared once; every chart reads its domain from here.
EMOTION_DOMAIN = (-2.0, 2.0)

#: Evidence labels on every claim of a map.
EVIDENCE_LABELS = ("measured", "reported", "assumed")

#: Channel kinds of a touchpoint.
CHANNEL_KINDS = ("digital", "physical", "interpersonal")

#: The RICE impact scale (massive, high, medium, low, minimal): the journey file's check and
#: the RICE score read it from here.
RICE_IMPACTS = (3.0, 2.0, 1.0, 0.5, 0.25)


@dataclass(frozen=True)
class Scale:
    """A survey scale: inclusive bounds and whether higher is better.

    Examples
    --------
    >>> SCALES["csat"].contains(7)
    False
    """

    name: str
    low: int
    high: int
    higher_is_better: bool = True

    def contains(self, score: float) -> bool:
        """True when ``score`` lies on the scale."""
        return self.low <= score <= self.high


#: Default scales; a user can declare others (e.g. CSAT on 1–7) when loading surveys.
SCALES = {
    "csat": Scale("csat", 1, 5),
    "nps": Scale("nps", 0, 10),
    "ces": Scale("ces", 1, 7, higher_is_better=False),
}
