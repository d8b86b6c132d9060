"""Which rated rows a sentiment calibration is fitted and measured on.

Rows that share a group, or the same text, share a fold (:func:`fold_groups`); a world with more
than :data:`MAX_FITTED` rated texts is calibrated on a seeded sample of whole fold groups
(:func:`sampled_rows`), and :func:`fitted_rows` puts anything given per rated text on those rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MAX_FITTED", "fold_groups", "sampled_rows", "fitted_rows"]

#: Most rated texts a model is fitted and measured on: beyond it, a seeded sample of whole fold
#: groups (repeats and groups stay together). At 10M events a world holds ~180,000 rated
#: texts; fitted on all of them, the calibration and complaint classifier took minutes of a
#: report (docs/decisions.md D267).
MAX_FITTED = 20_000


def fold_groups(texts: list, groups=None) -> np.ndarray:
    """A code per row (0, 1, … in order of first appearance): rows that share a group, or the
    same text (ignoring case and surrounding space), share a code, so they fall in one fold.

    Real feedback repeats itself: the same review listed twice, "Love it!" from many people.
    A repeated text split across folds is scored by a model that learned it, and held-out
    precision is overstated (Alexa reviews: 0.595 with repeats split, 0.49 kept together).

    Examples
    --------
    >>> fold_groups(["ok", "bad", " OK", "meh"]).tolist()
    [0, 1, 0, 2]
    >>> fold_groups(["a", "b", "c", "b"], groups=["r1", "r2", "r3", "r1"]).tolist()
    [0, 0, 1, 0]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    same_text = pd.factorize(pd.Series([t.strip().casefold() for t in texts], dtype=object))[0]
    if groups is None or not len(texts):
        return same_text.astype(int)
    same_group = pd.factorize(pd.Series(list(groups), dtype=object).astype(str))[0]
    n_g, n_t = same_group.max() + 1, same_text.max() + 1
    links = coo_matrix((np.ones(len(texts)), (same_group, n_g + same_text)), shape=(n_g + n_t,) * 2)
    component = connected_components(links, directed=False)[1]
    return pd.factorize(component[same_group])[0]


def fitted_rows(calibration, values) -> np.ndarray:
    """``values`` (one per rated text given to :func:`calibrate_sentiment`) on the rows the
    calibration was fitted and measured on: all of them, or its sample of :data:`MAX_FITTED`.

    Examples
    --------
    >>> from jmtools.analyses.calibration import calibrate_sentiment
    >>> texts = [f"{w} {i}" for i, w in enumerate(["broke again", "love it daily"] * 150)]
    >>> cal = calibrate_sentiment(texts, [-2.0, 2.0] * 150)
    >>> len(fitted_rows(cal, np.arange(300))) == len(cal.held_out["score"])
    True
    """
    values = np.asarray(values)
    rows = calibration.held_out.get("rows") if calibration.held_out else None
    return values if rows is None else values[rows]


def sampled_rows(texts: list, groups, seed: int) -> np.ndarray | None:
    """Rows of a seeded sample of whole fold groups holding at most :data:`MAX_FITTED` texts
    (None: there are no more than that).

    Examples
    --------
    >>> from collections import Counter
    >>> texts = [f"text {i % 30_000}" for i in range(45_000)]    # 15,000 of them said twice
    >>> rows = sampled_rows(texts, None, seed=0)
    >>> said, taken = Counter(texts), Counter(texts[i] for i in rows)
    >>> len(rows), all(taken[t] == said[t] for t in taken)      # a repeated text whole or not at all
    (20000, True)
    """
    if len(texts) <= MAX_FITTED:
        return None
    codes = fold_groups(texts, groups)
    sizes = np.bincount(codes)
    order = np.random.default_rng(seed).permutation(len(sizes))
    taken = order[np.cumsum(sizes[order]) <= MAX_FITTED]
    return np.flatnonzero(np.isin(codes, taken if len(taken) else order[:1]))
