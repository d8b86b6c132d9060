"""State shared by the steps of one chunk's simulation: timeline and table rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jmtools.sample_worlds._engine import Collector, Timeline, score_from_valence
from jmtools.sample_worlds._text import PII_KINDS, Theme, compose, pii_tail, valence_bucket

__all__ = ["ChunkState", "Effect"]

_SURVEY_COLS = ("cust", "timestamp", "touchpoint", "stage", "metric", "score")
# Columns starting with "_" are truth material, not written to the table.
_FEEDBACK_COLS = ("cust", "timestamp", "text", "touchpoint", "stage", "source", "rating",
                  "_theme", "_pii", "_valence")
_TICKET_COLS = ("cust", "timestamp", "closed_timestamp", "topic", "channel", "touchpoint",
                "stage", "text", "_pii")
_ORDER_COLS = ("cust", "timestamp", "amount", "items", "status", "currency")


@dataclass(frozen=True)
class Effect:
    """A planted change: from ``from_s`` on, persona ``persona``'s chance of ``step`` moves by
    ``delta`` (clipped to 0..1), e.g. the chance to order once at payment."""

    step: str
    persona: int
    from_s: int
    delta: float


class ChunkState:
    """Everything one chunk's simulation writes to: a timeline and the row collectors.

    Parameters
    ----------
    rng : numpy Generator
    persona : array of int
        True persona index per customer of the chunk.
    start_s : array of int
        Each customer's first moment (seconds since 1970).
    stage_of : dict
        Touchpoint name → stage name (from the world's journey).
    themes : dict
        Theme id → :class:`Theme` of the world's feedback.
    pii_rate : float
        Share of feedback comments and tickets that carry fictional personal data.
    effect : Effect, optional
        A planted change (:meth:`adjust` applies it).
    """

    def __init__(self, rng, persona, start_s, stage_of: dict, themes: dict, pii_rate: float,
                 effect: Effect | None = None):
        self.rng = rng
        self.persona = persona
        self.n = persona.size
        self.tl = Timeline(start_s)
        self.stage_of = stage_of
        self.themes = themes
        self.pii_rate = pii_rate
        self.effect = effect
        self.surveys = Collector(_SURVEY_COLS)
        self.feedback = Collector(_FEEDBACK_COLS)
        self.tickets = Collector(_TICKET_COLS)
        self.orders = Collector(_ORDER_COLS)

    def of(self, table: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Per-persona parameter ``table[persona]`` for customers ``idx``."""
        return np.asarray(table)[self.persona[idx]]

    def adjust(self, step: str, idx: np.ndarray, p) -> np.ndarray:
        """Chances ``p`` of ``step`` for customers ``idx``, moved by the planted effect for its
        persona when their clock has reached its date (unchanged without one: same draws)."""
        e = self.effect
        if e is None or e.step != step:
            return p
        hit = (self.persona[idx] == e.persona) & (self.tl.clock[idx] >= e.from_s)
        return np.where(hit, np.clip(np.asarray(p, dtype=float) + e.delta, 0.0, 1.0), p)

    def coin(self, idx: np.ndarray, p) -> np.ndarray:
        """The subset of ``idx`` for which a coin with probability ``p`` (per row) lands."""
        p = np.broadcast_to(np.asarray(p, dtype=float), idx.shape)
        return idx[self.rng.random(idx.size) < p]

    def survey(self, idx, when_s, touchpoint: str, metric: str, valence) -> np.ndarray:
        """Answers of ``metric`` at ``touchpoint``, following ``valence``; returns the scores."""
        scores = score_from_valence(self.rng, np.asarray(valence, dtype=float), metric)
        if idx.size:
            self.surveys.add(cust=idx, timestamp=when_s, touchpoint=touchpoint,
                             stage=self.stage_of[touchpoint], metric=metric, score=scores)
        return scores

    def comment(self, idx, when_s, touchpoint: str, valence, themes: list[Theme], source: str,
                rating=None) -> None:
        """Free-text feedback rows: tone from ``valence``, one theme per row."""
        if idx.size == 0:
            return
        texts = compose(self.rng, valence_bucket(valence), themes)
        texts, pii = self._with_pii(texts)
        rating = np.full(idx.size, -1) if rating is None else np.asarray(rating)
        self.feedback.add(cust=idx, timestamp=when_s, text=np.array(texts, dtype=object),
                          touchpoint=touchpoint, stage=self.stage_of[touchpoint], source=source,
                          rating=rating, _theme=np.array([t.id for t in themes], dtype=object),
                          _pii=pii, _valence=np.asarray(valence, dtype=float))

    def comments(self, idx, when, touchpoint, valence, rating, choices, *,
                 source: str = "survey_comment", always: bool = False) -> None:
        """Comments of some respondents (negative ones more often), themed by tone and persona.

        ``choices`` maps "negative"/"positive" to [(theme id, probability per row or None), …]:
        the first theme is chosen with its probability (always when None), else the second.
        """
        valence = np.asarray(valence, dtype=float)
        p = np.ones(idx.size) if always else np.where(valence < -0.3, 0.6, 0.35)
        sel = self.rng.random(idx.size) < p
        chosen = []
        for v, u, row in zip(valence[sel], self.rng.random(int(sel.sum())), np.flatnonzero(sel)):
            options = choices["negative" if v < 0.0 else "positive"]
            first_id, first_p = options[0]
            prob = 1.0 if first_p is None else float(np.asarray(first_p)[row])
            chosen.append(self.themes[first_id if (len(options) == 1 or u < prob)
                                      else options[1][0]])
        r = None if rating is None else np.asarray(rating)[sel]
        self.comment(idx[sel], np.asarray(when)[sel], touchpoint, valence[sel], chosen, source, r)

    def ticket(self, idx, when_s, closed_s, topic, channel: str, touchpoint: str,
               texts: list[str]) -> None:
        """Support tickets (with a small share of personal data in the text)."""
        if idx.size == 0:
            return
        texts, pii = self._with_pii(texts)
        self.tickets.add(cust=idx, timestamp=when_s, closed_timestamp=closed_s, topic=topic,
                         channel=channel, touchpoint=touchpoint,
                         stage=self.stage_of[touchpoint], text=np.array(texts, dtype=object),
                         _pii=pii)

    def order(self, idx, when_s, amount, items, status, currency: str = "EUR") -> None:
        """Orders (or signed contracts) with their amounts."""
        if idx.size:
            self.orders.add(cust=idx, timestamp=when_s, amount=np.round(amount, 2), items=items,
                            status=status, currency=currency)

    def _with_pii(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        hit = self.rng.random(len(texts)) < self.pii_rate
        kinds = self.rng.integers(0, len(PII_KINDS), len(texts))
        pii = np.array([PII_KINDS[k] if h else "" for h, k in zip(hit, kinds)], dtype=object)
        out = [f"{t} {pii_tail(self.rng, k)}" if k else t for t, k in zip(texts, pii)]
        return out, pii

    def tables(self) -> tuple[dict, dict]:
        """Tables (sorted by customer, then time) and the per-row stats the truths need."""
        key = ("cust", "timestamp")
        t = {"surveys": self.surveys.arrays(sort_by=key),
             "feedback": self.feedback.arrays(sort_by=key),
             "orders": self.orders.arrays(sort_by=key),
             "tickets": self.tickets.arrays(sort_by=key)}
        who = {name: self.persona[cols["cust"].astype(np.int64)] for name, cols in t.items()}
        stats = {
            "survey_persona": who["surveys"],
            "survey_touchpoint": t["surveys"]["touchpoint"].astype(object),
            "survey_metric": t["surveys"]["metric"].astype(object),
            "survey_score": t["surveys"]["score"].astype(np.int64),
            "fb_persona": who["feedback"],
            "fb_touchpoint": t["feedback"]["touchpoint"].astype(object),
            "fb_theme": t["feedback"]["_theme"].astype(object),
            "fb_pii": t["feedback"]["_pii"].astype(object),
            "fb_valence": t["feedback"]["_valence"].astype(float),
            "tk_persona": who["tickets"],
            "tk_topic": t["tickets"]["topic"].astype(object),
            "tk_pii": t["tickets"]["_pii"].astype(object),
            "order_persona": who["orders"],
            "order_amount": t["orders"]["amount"].astype(float),
        }
        return t, stats
