"""Building blocks of the sample-world simulations (numpy, vectorised per chunk of customers).

A world simulates one chunk of customers at a time: every customer carries a clock
(integer seconds since 1970, naive UTC), and each step of the journey advances the clocks of
the customers who take it and records an event for each of them. Because a customer's clock
only moves forward, the order of emission is the time order, and a stable sort by
(customer, time) gives each customer's event log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Timeline",
    "Collector",
    "lognormal_s",
    "epoch_s",
    "bernoulli",
    "score_from_valence",
    "DAY",
    "HOUR",
    "MINUTE",
]

MINUTE = 60
HOUR = 3600
DAY = 86400
_EPOCH = dt.datetime(1970, 1, 1)


def epoch_s(when: dt.datetime) -> int:
    """Seconds since 1970-01-01 of a naive UTC datetime."""
    return int((when - _EPOCH).total_seconds())


def lognormal_s(rng: np.random.Generator, n: int, median_s, sigma: float = 0.6) -> np.ndarray:
    """Durations in whole seconds (at least 1) with the given median (scalar or per row)."""
    raw = np.asarray(median_s, dtype=float) * np.exp(sigma * rng.standard_normal(n))
    return np.maximum(np.rint(raw), 1).astype(np.int64)


def bernoulli(rng: np.random.Generator, p) -> np.ndarray:
    """One coin per row: True with probability ``p`` (array of per-row probabilities)."""
    p = np.asarray(p, dtype=float)
    return rng.random(p.shape[0]) < p


#: How a latent valence (−2..+2) becomes an answer on each survey scale:
#: (centre, slope, noise sd, low, high). CES runs the other way (higher = more effort).
_SCALE_MAP = {
    "csat": (3.3, 0.9, 0.75, 1, 5),
    "nps": (7.2, 1.5, 1.3, 0, 10),
    "ces": (3.4, -1.2, 0.9, 1, 7),
    "stars": (3.5, 0.9, 0.7, 1, 5),
}


def score_from_valence(rng: np.random.Generator, valence: np.ndarray, metric: str) -> np.ndarray:
    """Integer survey answers whose mean follows the valence of the experience."""
    centre, slope, sd, low, high = _SCALE_MAP[metric]
    raw = centre + slope * valence + sd * rng.standard_normal(valence.shape[0])
    return np.clip(np.rint(raw), low, high).astype(np.int64)


class Timeline:
    """Per-customer clocks and the events emitted for one chunk.

    Parameters
    ----------
    start_s : array of int
        Each customer's clock at the start (seconds since 1970).
    """

    def __init__(self, start_s: np.ndarray):
        self.clock = np.asarray(start_s, dtype=np.int64).copy()
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]] = []

    def emit(self, idx: np.ndarray, code: int, gap_s, value=None) -> np.ndarray:
        """Advance the clocks of ``idx`` by ``gap_s`` (≥ 1 s) and record event ``code``.

        Returns the event times (seconds), aligned with ``idx``.
        """
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size == 0:
            return np.empty(0, dtype=np.int64)
        self.clock[idx] += np.maximum(np.asarray(gap_s, dtype=np.int64), 1)
        times = self.clock[idx].copy()
        values = None if value is None else np.broadcast_to(
            np.asarray(value, dtype=float), idx.shape).copy()
        self._parts.append((idx, times, np.full(idx.size, code, dtype=np.int16), values))
        return times

    def emit_at(self, idx: np.ndarray, code: int, when_s: np.ndarray, value=None) -> np.ndarray:
        """Record ``code`` at ``when_s``, or one second after the clock if that is later."""
        idx = np.asarray(idx, dtype=np.int64)
        gap = np.maximum(np.asarray(when_s, dtype=np.int64) - self.clock[idx], 1)
        return self.emit(idx, code, gap, value)

    def record(self, idx: np.ndarray, code: int, when_s, value=None) -> np.ndarray:
        """Record ``code`` at exactly ``when_s`` without moving the clocks.

        For what happens to a customer on the company's schedule (a mailing sent to many
        customers at one moment) or beside their own path (a click on that mailing).
        """
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size == 0:
            return np.empty(0, dtype=np.int64)
        times = np.broadcast_to(np.asarray(when_s, dtype=np.int64), idx.shape).copy()
        values = None if value is None else np.broadcast_to(
            np.asarray(value, dtype=float), idx.shape).copy()
        self._parts.append((idx, times, np.full(idx.size, code, dtype=np.int16), values))
        return times

    def wait(self, idx: np.ndarray, gap_s) -> None:
        """Advance the clocks of ``idx`` without an event (a pause between sessions)."""
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size:
            self.clock[idx] += np.maximum(np.asarray(gap_s, dtype=np.int64), 0)

    def repeat(self, rng, idx, counts, steps) -> None:
        """Emit the block ``steps`` [(code, median gap s), …] ``counts[i]`` times for ``idx[i]``."""
        idx = np.asarray(idx, dtype=np.int64)
        counts = np.asarray(counts)
        for k in range(int(counts.max()) if counts.size else 0):
            who = idx[counts > k]
            for code, median in steps:
                self.emit(who, code, lognormal_s(rng, who.size, median))

    def events(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(customer position, time s, event code, value) sorted by customer then time."""
        if not self._parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0, np.int16), np.empty(0, float)
        cust = np.concatenate([p[0] for p in self._parts])
        time = np.concatenate([p[1] for p in self._parts])
        code = np.concatenate([p[2] for p in self._parts])
        value = np.concatenate([p[3] if p[3] is not None else np.full(p[0].size, np.nan)
                                for p in self._parts])
        order = np.lexsort((time, cust))
        return cust[order], time[order], code[order], value[order]


def _column(value, n: int) -> np.ndarray:
    if value is None:
        return np.full(n, None, dtype=object)
    if np.isscalar(value):
        return np.full(n, value)
    arr = np.asarray(value)
    if arr.shape != (n,):
        raise ValueError(f"column has {arr.shape} rows, expected {n}")
    return arr


@dataclass
class Collector:
    """Rows of one table, gathered as column arrays from several steps of a simulation."""

    columns: tuple[str, ...]
    _parts: list[dict] = field(default_factory=list)

    def add(self, **cols) -> None:
        """Add rows: every column as an array (or a scalar, broadcast to the rows)."""
        n = max(np.size(v) for v in cols.values() if not np.isscalar(v) and v is not None)
        if n == 0:
            return
        missing = set(self.columns) - set(cols)
        if missing:
            raise KeyError(f"missing columns {sorted(missing)}")
        self._parts.append({c: _column(cols[c], n) for c in self.columns})

    def arrays(self, sort_by: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
        """All rows as column arrays, sorted stably by ``sort_by`` (first key first)."""
        if not self._parts:
            return {c: np.empty(0, dtype=object) for c in self.columns}
        out = {c: np.concatenate([p[c] for p in self._parts]) for c in self.columns}
        if sort_by:
            order = np.lexsort(tuple(out[k] for k in reversed(sort_by)))
            out = {c: v[order] for c, v in out.items()}
        return out
