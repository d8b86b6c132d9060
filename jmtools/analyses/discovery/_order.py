"""Order the items of a discovered journey and cut them into stages (pandas / numpy only).

*Order* — pairwise precedence: for two items a and b done by the same customers, the share
of those customers who did a first (ties count half, shrunk towards ½ by one pseudo-customer
each way). An item's ``precedence`` is the mean, over every other item it shares customers
with, of the share of customers who did the *other* item first: 0 = always first, 1 = always
last. Unlike a position in the whole path, it is not pulled forward by customers who stop
early, because each pair is compared only within customers who did both.

*Stages* — the ordered items are cut into contiguous groups that maximise the modularity
of the transition graph (how often customers go from one item straight to another,
both directions added): items customers move between a lot end up in one stage. Dynamic
programming finds the best cut for each number of stages exactly; without a number given,
the count with the highest modularity in the allowed range wins (ties: fewer stages).
"""

from __future__ import annotations

import numpy as np
import pandas as pd



def precedence(items: list, pairs: pd.DataFrame) -> pd.Series:
    """Precedence score (0 first … 1 last) of each item; NaN when it shares no customer.

    ``pairs`` has ``a``, ``b`` (items), ``n``, ``n_before``, ``n_tie``.
    """
    p = pairs[(pairs["a"] != pairs["b"]) & pairs["a"].isin(items) & pairs["b"].isin(items)]
    p = p.groupby(["a", "b"], as_index=False)[["n", "n_before", "n_tie"]].sum()
    p["after"] = (p["n"] - p["n_before"] - p["n_tie"] + 0.5 * p["n_tie"] + 1) / (p["n"] + 2)
    score = p.groupby("a")["after"].mean()
    return pd.Series([score.get(i, np.nan) for i in items], index=range(len(items)), dtype=float)


def weights(items: list, moves: pd.DataFrame) -> np.ndarray:
    """Symmetric matrix of transition counts between items (self-moves dropped)."""
    index = {item: i for i, item in enumerate(items)}
    w = np.zeros((len(items), len(items)))
    for a, b, n in moves[["a", "b", "n"]].itertuples(index=False):
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None and i != j:
            w[i, j] += n
            w[j, i] += n
    return w


def _segment_scores(w: np.ndarray) -> np.ndarray:
    """Modularity contribution of every contiguous segment [i, j) of the ordered items."""
    k = len(w)
    total = w.sum()
    cum = np.zeros((k + 1, k + 1))
    cum[1:, 1:] = w.cumsum(0).cumsum(1)
    deg = np.concatenate([[0.0], w.sum(1).cumsum()])
    score = np.full((k + 1, k + 1), -np.inf)
    for i in range(k):
        for j in range(i + 1, k + 1):
            inside = cum[j, j] - cum[i, j] - cum[j, i] + cum[i, i]
            score[i, j] = inside / total - ((deg[j] - deg[i]) / total) ** 2
    return score


def _variance_scores(values: np.ndarray) -> np.ndarray:
    """Minus the within-segment sum of squares of ``values`` (a fallback without transitions)."""
    k = len(values)
    score = np.full((k + 1, k + 1), -np.inf)
    for i in range(k):
        for j in range(i + 1, k + 1):
            seg = values[i:j]
            score[i, j] = -float(((seg - seg.mean()) ** 2).sum())
    return score


def _best_cut(score: np.ndarray, n_groups: int) -> tuple[float, list[int]]:
    """The best split of the items into ``n_groups`` contiguous segments: (value, labels)."""
    k = score.shape[0] - 1
    best = np.full((n_groups + 1, k + 1), -np.inf)
    back = np.zeros((n_groups + 1, k + 1), dtype=int)
    best[0, 0] = 0.0
    for g in range(1, n_groups + 1):
        for j in range(g, k + 1):
            options = best[g - 1, g - 1:j] + score[g - 1:j, j]
            at = int(np.argmax(options))
            best[g, j], back[g, j] = options[at], at + g - 1
    labels, j = [0] * k, k
    for g in range(n_groups, 0, -1):
        i = back[g, j]
        labels[i:j] = [g - 1] * (j - i)
        j = i
    return float(best[n_groups, k]), labels


def cut_stages(w: np.ndarray, order_values: np.ndarray, *, n_stages: int | None,
               bounds: tuple[int, int]) -> tuple[list[int], pd.DataFrame]:
    """Stage label (0-based) of each ordered item, and the score of every stage count tried.

    Returns the labels and a frame ``n_stages``, ``score``, ``method`` ("modularity", or
    "spread" when customers never move between two items), ``chosen``.
    """
    k = len(w)
    connected = w.sum() > 0
    score = _segment_scores(w) if connected else _variance_scores(order_values)
    if n_stages is not None:
        tries = [min(n_stages, k)]
    elif connected:
        tries = list(range(min(bounds[0], k), min(bounds[1], k) + 1))
    else:  # without moves, more stages always spread less: keep the fewest allowed
        tries = [min(bounds[0], k)]
    results = {g: _best_cut(score, g) for g in tries}
    best = max(tries, key=lambda g: (round(results[g][0], 9), -g))
    table = pd.DataFrame({"n_stages": tries, "score": [results[g][0] for g in tries],
                          "method": "modularity" if connected else "spread",
                          "chosen": [g == best for g in tries]})
    return results[best][1], table
