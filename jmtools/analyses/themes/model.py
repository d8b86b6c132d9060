"""The theme model: TF-IDF + NMF, a measured number of themes, merged and split themes.

- :func:`vectorise` turns texts into TF-IDF weights over their terms (:mod:`.text`);
- :func:`choose_k` measures each candidate number of themes on the data: *stability* (the
  adjusted Rand index between the themes of all texts and the themes found again on
  ``n_subsamples`` random 80% subsamples, on the texts both contain) and *coherence* (the
  mean normalised pointwise mutual information, NPMI, of each theme's top ten terms over
  the texts), and keeps the number with the highest ``stability + coherence``;
- :func:`refine` merges near-duplicate themes (term profiles with a cosine similarity of at
  least ``merge_above``) and themes that are one reason said in several ways (they share
  :data:`LEAD_SHARED` leading words, :func:`shared_leads`; docs/decisions.md D208), and splits a theme holding more than ``max_share`` of the texts
  (and more than 1.5 times an even share) into two (a second NMF on its texts), when both
  halves keep at least 10% of it and would not be merged again;
- :func:`theme_stability` reports, per final theme, how well its texts are found together
  again on the subsamples (Jaccard overlap with the best-matching subsample theme).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from jmtools.analyses.themes.text import _analyser, _stock_counts
from jmtools.core.errors import DataError, Problem

__all__ = ["K_CANDIDATES", "CHOOSE_ON", "LEAD_IN", "LEAD_HOLD", "LEAD_SHARED", "shared_leads", "vectorise", "nmf", "assign", "npmi_coherence", "choose_k", "centroids",
           "refine", "theme_stability", "theme_order"]

#: Candidate numbers of themes tried by ``n_themes="auto"`` (capped by the data).
K_CANDIDATES = (4, 5, 6, 8, 10, 12, 15)


def vectorise(texts: list[str], *, min_df, max_features, stock=frozenset(), brand_words=(), pii_words=frozenset()):
    """TF-IDF weights (texts × terms) over normalised words and phrases, and the terms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    min_df = min(min_df, len(texts))
    vec = TfidfVectorizer(analyzer=_analyser(stock, brand_words, pii_words), min_df=min_df,
                          max_df=0.95 if len(texts) >= 20 else 1.0, sublinear_tf=True,
                          max_features=max_features)
    try:
        x = vec.fit_transform(texts)
    except ValueError:
        raise DataError([_no_words(texts, vec.build_analyzer(), min_df, stock, brand_words)]) from None
    return x, vec.get_feature_names_out()


def _no_words(texts: list[str], analyse, min_df: int, stock, brand_words) -> Problem:
    """Why ``texts`` gave no term: none has a word left, or no word is in ``min_df`` of them;
    what the stock sentences took (D144)."""
    terms = [set(analyse(t)) for t in texts]
    empty = sum(not t for t in terms)
    counts = _stock_counts(texts, stock, brand_words)
    stock_said = (f"; {counts['stock sentences left out']:,} stock sentences (recurring at 3 or more places) "
                  "were left out of texts that say something else" if counts["stock sentences left out"] else "")
    if empty == len(texts):
        return Problem(f"none of the {len(texts):,} texts has a word to build themes from once stop words and "
                       f"words that say how strongly, not what about ('great', 'awful', 'thanks') are left "
                       f"out{stock_said}", source="feedback",
                       fix="read them as they are: they say how customers feel, not about what")
    df = Counter(w for t in terms for w in t)
    if len(texts) >= 20 and any(n >= min_df for n in df.values()):     # every shared word is in > 95% of them
        alike = len({t.strip().casefold() for t in texts})
        return Problem(f"the {len(texts):,} texts ({alike:,} different) give nothing to tell themes apart: "
                       f"every word they share is in more than 95% of them{stock_said}",
                       source="feedback", fix="read them as they are (the quotes and counts say it)")
    return Problem(f"the {len(texts):,} texts share no word to build themes from: no word of theirs is in "
                   f"{min_df} of them ({empty:,} have no word left once stop words are left out{stock_said})",
                   source="feedback", fix=f"lower min_df (now {min_df}), or give more feedback")


def nmf(x, k: int, seed: int, *, quick: bool = False):
    """W (texts × themes) and H (themes × terms) of a seeded NMF."""
    from sklearn.decomposition import NMF

    k = max(1, min(k, x.shape[0], x.shape[1]))
    model = NMF(n_components=k, init="nndsvda", random_state=seed,
                max_iter=200 if quick else 600, tol=1e-4 if quick else 1e-5)
    with np.errstate(invalid="ignore"):   # a fit to rounding error: sqrt of a tiny negative, said as a warning
        return model.fit_transform(x), model.components_


def assign(w: np.ndarray) -> np.ndarray:
    """Strongest theme per text, −1 for a text with no weight."""
    return np.where(w.max(axis=1) > 0, w.argmax(axis=1), -1) if w.size else np.full(len(w), -1)


def _subsamples(n: int, seed: int, n_subsamples: int, share: float = 0.8) -> list[np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    return [np.sort(rng.choice(n, int(share * n), replace=False)) for _ in range(n_subsamples)]


def _ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


def npmi_coherence(x, h: np.ndarray, top: int = 10) -> float:
    """Mean NPMI of each theme's top terms' pairs, from texts containing them (−1..1)."""
    present = (x > 0).astype(np.float64).tocsc()
    n = x.shape[0]
    scores = []
    for row in h:
        idx = np.argsort(-row)[:top]
        idx = idx[row[idx] > 0]
        sub = present[:, idx]
        df = np.asarray(sub.sum(axis=0)).ravel() / n
        co = (sub.T @ sub).toarray() / n
        for i in range(len(idx)):
            for j in range(i + 1, len(idx)):
                if co[i, j] == 0:
                    scores.append(-1.0)
                elif co[i, j] >= 1:
                    scores.append(1.0)
                else:
                    scores.append(np.log(co[i, j] / (df[i] * df[j])) / -np.log(co[i, j]))
    return float(np.mean(scores)) if scores else 0.0


#: Texts on which the number of themes is measured (a seeded sample of larger data).
CHOOSE_ON = 3000


def choose_k(x, *, seed: int, max_themes: int, n_subsamples: int = 3):
    """Measure each candidate number of themes; return (best k, table of measurements).

    On more than :data:`CHOOSE_ON` texts the measurement runs on a seeded sample of that size.
    """
    import pandas as pd

    if x.shape[0] > CHOOSE_ON:
        x = x[np.sort(np.random.default_rng(seed + 2).choice(x.shape[0], CHOOSE_ON, replace=False))]
    cap = max(2, min(max_themes, x.shape[0] // 20, x.shape[1] // 2))
    ks = sorted({k for k in K_CANDIDATES if k <= cap} or {min(cap, 2)})
    subs = _subsamples(x.shape[0], seed, n_subsamples)
    rows = []
    for k in ks:
        w, h = nmf(x, k, seed, quick=True)
        full = assign(w)
        stab = [_ari(full[s], assign(nmf(x[s], k, seed, quick=True)[0])) for s in subs]
        rows.append({"k": k, "stability": float(np.mean(stab)), "coherence": npmi_coherence(x, h)})
    table = pd.DataFrame(rows)
    table["score"] = table["stability"] + table["coherence"]
    best = int(table.loc[table["score"].idxmax(), "k"])
    table["chosen"] = table["k"] == best
    return best, table


def centroids(x, labels: np.ndarray, themes: list[int]) -> np.ndarray:
    """Mean TF-IDF profile of each theme's texts (themes × terms)."""
    out = np.zeros((len(themes), x.shape[1]))
    for i, t in enumerate(themes):
        rows = np.flatnonzero(labels == t)
        if len(rows):
            out[i] = np.asarray(x[rows].mean(axis=0)).ravel()
    return out


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na and nb else 0.0


#: A theme's *leading* words are in at least this share of its texts ...
LEAD_IN = 0.5
#: ... and a word leads a reason when the themes it leads hold at least this share of the texts using it
#: ("flight", in half the texts of many airline themes and spread over all, leads none).
LEAD_HOLD = 0.8
#: Themes sharing at least this many leading words are one reason said in several ways.
LEAD_SHARED = 2


def shared_leads(x, labels: np.ndarray, themes: list, words: np.ndarray | None = None) -> np.ndarray:
    """How many leading words each pair of ``themes`` shares (themes × themes, 0 on the diagonal).

    A word leads a theme when it is in at least :data:`LEAD_IN` of the theme's texts, and counts
    when it leads two themes or more but not all of them, and the themes it leads hold at
    least :data:`LEAD_HOLD` of all the texts using it: the word lives in those themes
    ("valuation" and "surveyor" in three phrasings of one complaint), not everywhere ("flight"). ``words`` marks the single-word columns of ``x`` (a phrase repeats
    its words); None: every column.

    Examples
    --------
    >>> from scipy.sparse import csr_matrix
    >>> x = csr_matrix(np.array([[1, 1, 1, 0, 0], [1, 1, 0, 1, 0], [1, 1, 0, 1, 0], [0, 0, 0, 0, 1],
    ...                          [1, 1, 1, 0, 0], [0, 0, 0, 0, 1]]))
    >>> shared_leads(x, np.array([0, 1, 1, 2, 0, 2]), [0, 1, 2])
    array([[0, 2, 0],
           [2, 0, 0],
           [0, 0, 0]])
    """
    present = (x > 0).tocsc()
    if words is not None:
        present = present[:, np.flatnonzero(words)]
    counts = np.vstack([np.asarray(present[labels == t].sum(axis=0)).ravel() for t in themes])
    sizes = np.array([max(int((labels == t).sum()), 1) for t in themes])
    lead = counts >= LEAD_IN * sizes[:, None]
    total = np.asarray(present.sum(axis=0)).ravel()
    n_lead = lead.sum(axis=0)          # a word leading every theme is what all the texts are about
    lives = ((counts * lead).sum(axis=0) >= LEAD_HOLD * total) & (n_lead >= 2) & (n_lead < len(themes))
    both = lead[:, lives].astype(int)
    out = both @ both.T
    np.fill_diagonal(out, 0)
    return out


def _one_reason(x, labels, words, merge_above, only=None):
    """The pair of themes most alike that is one theme: (cosine, shared leading words, pair) or None;
    ``only``: that pair, or None."""
    themes = [t for t in np.unique(labels) if t >= 0]
    prof = centroids(x, labels, themes)
    shared = shared_leads(x, labels, themes, words)
    best = None
    for i in range(len(themes)):
        for j in range(i + 1, len(themes)):
            if only is not None and {themes[i], themes[j]} != set(only):
                continue
            c = _cosine(prof[i], prof[j])
            if (c >= merge_above or shared[i, j] >= LEAD_SHARED) and (best is None or c > best[0]):
                best = (c, int(shared[i, j]), (themes[i], themes[j]))
    return best


def refine(x, labels: np.ndarray, *, seed: int, max_share: float, merge_above: float, words=None):
    """Merge near-duplicate themes and one reason said in several ways, split dominant ones;
    return (labels, notes). ``words`` marks the single-word columns of ``x`` (:func:`shared_leads`)."""
    labels = labels.copy()
    notes: dict = {"merged": [], "split": [], "dominant": [], "one reason": []}
    while True:                                     # merge the most similar pair, repeat
        best = _one_reason(x, labels, words, merge_above)
        if best is None:
            break
        a, b = best[2]
        keep, gone = (a, b) if (labels == a).sum() >= (labels == b).sum() else (b, a)
        labels[labels == gone] = keep
        notes["merged"].append(round(best[0], 3))
        if best[0] < merge_above:
            notes["one reason"].append(best[1])
    for _ in range(3):                              # split a dominant theme, at most 3 times
        themed = labels >= 0
        sizes = {t: int((labels == t).sum()) for t in np.unique(labels[themed])}
        big = max(sizes, key=sizes.get) if sizes else None
        # dominant: above max_share and well above an even share (a third of three themes is not)
        limit = max(max_share, 1.5 / max(len(sizes), 1))
        if big is None or sizes[big] <= limit * themed.sum() or sizes[big] < 20:
            break
        rows = np.flatnonzero(labels == big)
        sub = assign(nmf(x[rows], 2, seed)[0])
        part = np.bincount(sub[sub >= 0], minlength=2)
        halves = labels.copy()
        halves[rows[sub == 1]] = labels.max() + 1
        if part.min() < 0.1 * len(rows) or _one_reason(x, halves, words, merge_above, (big, labels.max() + 1)):
            notes["dominant"].append(sizes[big] / themed.sum())     # too uneven, or its halves are one theme
            break
        labels = halves
        notes["split"].append(sizes[big] / themed.sum())
    return labels, notes


def theme_stability(x, labels: np.ndarray, *, k: int, seed: int, n_subsamples: int = 3) -> dict:
    """Per theme: mean best Jaccard overlap of its texts with a theme found on a subsample
    (NaN when a subsample would hold fewer texts than themes: too few texts to measure it)."""
    found = {t: [] for t in np.unique(labels) if t >= 0}
    if int(0.8 * x.shape[0]) < max(k, 2):
        return {t: float("nan") for t in found}
    subs = _subsamples(x.shape[0], seed, n_subsamples)
    for s in subs:
        again = assign(nmf(x[s], k, seed, quick=True)[0])
        mine = labels[s]
        for t in found:
            here = mine == t
            if not here.any():
                continue
            cands = np.unique(again[here])
            found[t].append(max(((here & (again == c)).sum() / (here | (again == c)).sum())
                                for c in cands))
    return {t: float(np.mean(v)) if v else float("nan") for t, v in found.items()}


def theme_order(raw: np.ndarray) -> dict:
    """Map model theme id → theme number (1 = most texts; ties by id)."""
    ids, sizes = np.unique(raw[raw >= 0], return_counts=True)
    ranked = sorted(zip(ids, sizes), key=lambda p: (-p[1], p[0]))
    return {int(t): i + 1 for i, (t, _) in enumerate(ranked)}
