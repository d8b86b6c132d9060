"""Theme labels (phrases before words) and quotes (content before strength).
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

__all__ = ["QUOTE_TERMS", "QUOTE_MIN_TERMS", "QUOTE_MAX_CHARS", "QUOTE_MARGIN", "quote_scores",
           "distinct_quotes"]

#: Terms a quote should carry to show what its theme is about (the theme's top terms).
QUOTE_TERMS = 10
#: Content terms (words and phrases) from which a quote is long enough to say something.
QUOTE_MIN_TERMS = 6
#: Characters beyond which a quote is too long to read at a glance.
QUOTE_MAX_CHARS = 400
#: A text is clearly its theme's when its similarity to the theme's profile is at least this many
#: times its similarity to any other theme's (D215): a text the model put in one theme but that
#: reads as another is no quote of it, however long and full of terms it is.
QUOTE_MARGIN = 1.5
#: What a clear text scores above every unclear one (the most the product below can reach).
_CLEAR = 1.5


def quote_scores(x, prof: np.ndarray, theme: np.ndarray, texts, strength: np.ndarray) -> np.ndarray:
    """How well each text shows its theme: first whether it clearly belongs to it (similarity to
    its theme's profile at least :data:`QUOTE_MARGIN` times that to any other theme's: 1.5 added,
    D215), then strength × (½ + coverage of the theme's top terms) × enough content ("problems."
    and "order # 317" say nothing) × not too long.

    Examples
    --------
    Two themes; the second text sits in theme 1 but reads as theme 2, and is the longest:

    >>> from scipy.sparse import csr_matrix
    >>> x = csr_matrix([[1.0, 0.0], [0.3, 1.0], [0.0, 1.0]])
    >>> prof = np.array([[0.65, 0.5], [0.0, 1.0]])
    >>> scores = quote_scores(x, prof, np.array([1, 1, 2]), ["car park full", "car park, waiting " * 5,
    ...                                                      "waiting"], np.array([0.79, 0.9, 1.0]))
    >>> bool(scores[0] > scores[1])
    True
    """
    x = x.tocsr()
    n_terms = np.diff(x.indptr)
    coverage = np.zeros(len(theme))
    tops = {t: np.argsort(-prof[t - 1])[:QUOTE_TERMS] for t in np.unique(theme) if t > 0}
    for i, t in enumerate(theme):
        if t <= 0:
            continue
        top = tops[t]
        weights = prof[t - 1, top]
        have = np.isin(top, x.indices[x.indptr[i]:x.indptr[i + 1]])
        coverage[i] = weights[have].sum() / max(weights.sum(), 1e-12)
    content = np.minimum(1.0, n_terms / QUOTE_MIN_TERMS)
    length = np.array([min(1.0, QUOTE_MAX_CHARS / max(len(str(t)), 1)) for t in texts])
    return strength * (0.5 + coverage) * content * length + _CLEAR * _clear_of_theme(x, prof, theme)


def _clear_of_theme(x, prof: np.ndarray, theme: np.ndarray) -> np.ndarray:
    """Whether each text is clearly its theme's: its cosine similarity to its theme's profile is
    positive and at least :data:`QUOTE_MARGIN` times its similarity to every other theme's.

    Examples
    --------
    >>> from scipy.sparse import csr_matrix
    >>> x = csr_matrix([[1.0, 0.0], [0.3, 1.0], [1.0, 1.0], [0.0, 0.0]])
    >>> _clear_of_theme(x, np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1, 1, 2, 0])).tolist()
    [True, False, False, False]
    """
    from sklearn.preprocessing import normalize

    theme = np.asarray(theme)
    if not prof.size or not len(theme):
        return np.zeros(len(theme), dtype=bool)
    sims = np.asarray(normalize(x) @ normalize(prof).T)
    rows, own_col = np.arange(len(theme)), np.maximum(theme - 1, 0)
    own = sims[rows, own_col]
    others = sims.copy()
    others[rows, own_col] = -np.inf
    best_other = others.max(axis=1) if sims.shape[1] > 1 else np.zeros(len(theme))
    return (theme > 0) & (own > 0) & (own >= QUOTE_MARGIN * np.maximum(best_other, 0))


def _labels(h: np.ndarray, terms: np.ndarray, order: np.ndarray, n_terms: int):
    labels, top_terms, top_phrases = {0: "(unassigned)"}, {0: []}, {0: []}
    # a label names what sets a theme apart: weight in the theme × share of the term's
    # weight that falls in this theme (a term every theme uses says little)
    own = h / np.maximum(h.sum(axis=0, keepdims=True), 1e-12)
    for comp, theme in enumerate(order):
        ranked = [terms[i] for i in np.argsort(-h[comp], kind="stable") if h[comp, i] > 0]
        words = [t for t in ranked if " " not in t][:n_terms]
        phrases = [t for t in ranked if " " in t][:max(3, n_terms // 2)]
        score = h[comp] * own[comp]
        distinct = [terms[i] for i in np.argsort(-score, kind="stable") if score[i] > 0]
        chosen = _label_parts(distinct[:n_terms])
        labels[int(theme)], top_terms[int(theme)] = " · ".join(chosen), words
        top_phrases[int(theme)] = phrases
    return labels, top_terms, top_phrases


def _label_parts(ranked: list[str], size: int = 3) -> list[str]:
    """Up to ``size`` top terms, a phrase replacing the single words inside it.

    >>> _label_parts(["delivery", "slow", "slow delivery", "late", "courier"])
    ['slow delivery', 'late', 'courier']
    """
    chosen: list[str] = []
    for term in ranked:
        parts = set(term.split())
        overlap = [c for c in chosen if parts & set(c.split())]
        if not overlap:
            if len(chosen) < size:
                chosen.append(term)
        elif " " in term and all(" " not in c for c in overlap):
            at = chosen.index(overlap[0])
            chosen = [c for c in chosen if c not in overlap]
            chosen.insert(at, term)
    return chosen


def distinct_quotes(quotes: Sequence[str], k: int, *, max_overlap: float = 0.6) -> list[str]:
    """Up to ``k`` quotes in the given order, skipping near-repeats of one already chosen.

    Two quotes are near-repeats when their word sets overlap by more than ``max_overlap``
    (Jaccard). If fewer than ``k`` distinct ones exist, near-repeats fill the rest.

    Examples
    --------
    >>> distinct_quotes(["Ugh. Hidden fees at checkout.", "Awful. Hidden fees at checkout.",
    ...                  "No PayPal option."], 2)
    ['Ugh. Hidden fees at checkout.', 'No PayPal option.']
    """
    import re

    words = [set(re.findall(r"[a-z0-9]+", str(q).lower())) for q in quotes]
    chosen: list[int] = []
    for i, w in enumerate(words):
        if len(chosen) == k:
            break
        if quotes[i] in [quotes[j] for j in chosen]:
            continue
        if all(len(w & words[j]) / max(len(w | words[j]), 1) <= max_overlap for j in chosen):
            chosen.append(i)
    for i in range(len(quotes)):
        if len(chosen) >= k:
            break
        if i not in chosen and quotes[i] not in [quotes[j] for j in chosen]:
            chosen.append(i)
    return [quotes[i] for i in chosen]
