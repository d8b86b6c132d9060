"""Sentiment calibrated on the user's own ratings, and the complaint/praise split.

What "feeling" is computed from, in this order (every row says which, ``used``):

1. **the rating** the customer gave with the text (stars, CSAT, thumbs), when there is one
   (:func:`rating_valence`): the customer said it, no model can know better;
2. otherwise **the text**, scored by
   - a model *calibrated on the rows that carry a rating* — TF-IDF words and word pairs of
     the normalised text (:mod:`jmtools.analyses.textprep`) plus VADER's four scores, fed
     to a ridge regression (scikit-learn, seeded, CPU, seconds) — but only when it is
     *measurably better*: its cross-validated correlation with the ratings beats plain
     VADER's by at least ``min_gain`` overall and in every fold (:func:`calibrate_sentiment`);
   - else **VADER** (or the ``scorer=`` you bring). A lexicon score of 0 is often *not*
     neutral: VADER gives 0 to texts with no lexicon word ("it has never worked.",
     "don't buy this thing."), about a quarter of real review sentences.

Complaints (and praise) are split the same way (:func:`complaint_mask`): a rated row is a
complaint when its rating is below the scale's midpoint; an unrated row when its text score
is at or below a cut *calibrated on the rated rows* to find ``target_recall`` of their
complaints (the most precise cut that does); with no ratings at all, VADER's conventional
−0.05. The recall and precision
of the cut are measured on rated rows the model did not see, and reported. For complaints and
for praise alike, a classifier fitted on the rated rows (:mod:`jmtools.analyses.complaints`)
replaces the cut where it is measured more precise on held-out rows.

A calibration is computed once per input (the newest few are remembered): a report's valence
and its complaint themes share it.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.analyses._calibration_rows import MAX_FITTED, fitted_rows, fold_groups, sampled_rows
from jmtools.analyses.sentiment import VaderScorer, fault_requests, vader_scores
from jmtools.analyses.textprep import Normaliser
from jmtools.core.errors import DataError, ParameterError, Problem

__all__ = ["THUMBS", "MIN_DISTINCT", "MAX_FITTED", "fitted_rows", "NEGATIVE_AT_OR_BELOW", "POSITIVE_AT_OR_ABOVE", "rating_valence",
           "CalibratedScorer", "Calibration", "calibrate_sentiment", "complaint_mask",
           "held_out_flags"]

#: Thumbs and yes/no ratings: text (lower case) → valence on −2..+2. A thumb says which
#: side, not how strongly: ±1.
THUMBS = {"up": 1.0, "down": -1.0, "thumbs up": 1.0, "thumbs down": -1.0, "thumbs_up": 1.0,
          "thumbs_down": -1.0, "👍": 1.0, "👎": -1.0, "yes": 1.0, "no": -1.0, "true": 1.0,
          "false": -1.0, "positive": 1.0, "negative": -1.0, "like": 1.0, "dislike": -1.0}

#: Fewest different rated texts (repeats and groups counted once) a model is calibrated on: canned
#: answers repeated ("Great, love it" ×100) teach it one text per fold, and leave folds empty.
MIN_DISTINCT = 20

#: Text-score cut-offs when no rating calibrates them (VADER's conventional ±0.05).
NEGATIVE_AT_OR_BELOW = -0.05
POSITIVE_AT_OR_ABOVE = 0.05


def rating_valence(ratings, *, scale=(1, 5)) -> np.ndarray:
    """Ratings on the emotion scale −2..+2 (NaN where there is no rating).

    Parameters
    ----------
    ratings : array-like
        Numbers on ``scale`` (stars, CSAT, NPS, …) or thumbs (:data:`THUMBS`: "up"/"down",
        True/False, "yes"/"no", 👍/👎). Missing values give NaN.
    scale : (low, high) or (low, high, higher_is_better), default (1, 5)
        The rating scale: ``low`` → −2, ``high`` → +2, linear between (as for surveys).

    Returns
    -------
    numpy.ndarray of float

    Raises
    ------
    DataError
        A rating is neither a number on the scale nor a thumb.

    Examples
    --------
    >>> rating_valence([1, 3, 5, None]).tolist()
    [-2.0, 0.0, 2.0, nan]
    >>> rating_valence(["up", "down", True, "👎"]).tolist()
    [1.0, -1.0, 1.0, -1.0]
    >>> rating_valence([0, 10], scale=(0, 10)).tolist()
    [-2.0, 2.0]
    """
    low, high, better = _scale(scale)
    values = pd.Series(list(ratings) if not isinstance(ratings, pd.Series) else ratings.to_numpy(),
                       dtype=object)
    missing = values.isna()
    thumbs = values.map(lambda v: THUMBS.get(str(v).strip().lower()) if isinstance(v, (str, bool, np.bool_))
                        else None)
    number = pd.to_numeric(values.where(thumbs.isna()), errors="coerce")
    bad = ~missing & thumbs.isna() & (number.isna() | (number < low) | (number > high))
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError([Problem(
            f"{int(bad.sum())} ratings are neither a number from {low:g} to {high:g} nor a thumb "
            f"(row {first}: {values.iloc[first]!r})",
            fix="pass rating_scale=(low, high) for your scale, or map the values to numbers "
                "or to 'up'/'down'", source="feedback", column="rating")])
    frac = (number - low) / (high - low)
    v = -2 + 4 * frac if better else 2 - 4 * frac
    return np.where(thumbs.notna(), thumbs.astype(float), v.astype(float))


def _scale(scale):
    if not isinstance(scale, (tuple, list)) or len(scale) not in (2, 3):
        raise ParameterError("rating_scale", scale,
                             expected="(low, high) or (low, high, higher_is_better)")
    low, high = float(scale[0]), float(scale[1])
    if not high > low:
        raise ParameterError("rating_scale", scale, expected="low < high, e.g. (1, 5)")
    return low, high, bool(scale[2]) if len(scale) == 3 else True


class CalibratedScorer:
    """A text scorer fitted on rated rows: ``scorer(list_of_texts) -> scores in [−1, 1]``.

    TF-IDF (words and word pairs of :func:`~jmtools.analyses.textprep.normalise_text`,
    sub-linear counts, words in at least two texts) plus VADER's compound, positive,
    negative and neutral scores, into a ridge regression of the rating's valence ÷ 2.
    Picklable, so :func:`~jmtools.analyses.sentiment.score_texts` can run it in parallel.
    """

    name = "calibrated"

    def __init__(self, *, alpha: float = 1.0, brand_words: Sequence[str] = (),
                 max_features: int = 50_000):
        self.alpha, self.max_features = alpha, max_features
        self.brand_words = tuple(brand_words)
        self.vectorizer = self.model = None
        self.n_fitted = 0
        self._cache: dict = {}
        self._analysed: dict | None = None   # text → its terms, shared by the folds of _calibrate

    def _vader(self, texts: list) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        self._cache.update(_vader_rows(missing))
        return np.array([self._cache[t] for t in texts], dtype=float).reshape(-1, 4)

    def _words(self, min_df: int):
        """The TF-IDF vectorizer of words and word pairs, unfitted."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(preprocessor=lambda t, n=Normaliser(self.brand_words): n(t).lower(),
                               ngram_range=(1, 2), min_df=min_df, sublinear_tf=True,
                               max_features=self.max_features, token_pattern=r"(?u)\b\w+\b")

    def _features(self, texts: list, fit: bool):
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        min_df = 2 if len(texts) >= 20 else 1
        if fit:
            # the terms of each text, found once for every fold (_calibrate): the same counts,
            # vocabulary and weights as the vectorizer's own analysis of the same texts
            self.vectorizer = (self._words(min_df) if self._analysed is None else TfidfVectorizer(
                analyzer=self._analysed.__getitem__, min_df=min_df, sublinear_tf=True,
                max_features=self.max_features))
            try:
                words = self.vectorizer.fit_transform(texts)
            except ValueError:     # no word in min_df texts (emoji, one-off words): VADER's scores only
                self.vectorizer, words = None, sparse.csr_matrix((len(texts), 0))
        else:
            words = (self.vectorizer.transform(texts) if self.vectorizer is not None
                     else sparse.csr_matrix((len(texts), 0)))
        return sparse.hstack([words, sparse.csr_matrix(self._vader(texts))]).tocsr()

    def fit(self, texts: Sequence[str], target) -> "CalibratedScorer":
        """Fit on texts and their target in [−1, 1] (a rating's valence ÷ 2)."""
        from sklearn.linear_model import Ridge

        texts = [str(t) for t in texts]
        self.model = Ridge(alpha=self.alpha).fit(self._features(texts, True), np.asarray(target, float))
        self.n_fitted = len(texts)
        return self

    def __call__(self, texts: list) -> np.ndarray:
        if self.model is None:
            raise ParameterError("scorer", self, expected="a fitted CalibratedScorer",
                                 fix="call .fit(texts, target) or use calibrate_sentiment()")
        return np.clip(self.model.predict(self._features([str(t) for t in texts], False)), -1, 1)

    def __getstate__(self):  # the preprocessor lambda is rebuilt on unpickling
        state = dict(self.__dict__, _cache={}, _analysed=None)
        if self.vectorizer is not None:
            vec = state["vectorizer"] = _copy_vectorizer(self.vectorizer)
            vec.preprocessor = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.vectorizer is not None:
            self.vectorizer.preprocessor = lambda t, n=Normaliser(self.brand_words): n(t).lower()

    def __repr__(self) -> str:
        return f"CalibratedScorer(fitted on {self.n_fitted} rated texts)"


def _vader_rows(texts) -> dict:
    """text → VADER's (compound, pos, neg, neu)."""
    out = {}
    for t in texts:
        r = vader_scores(t)
        out[t] = (r["compound"], r["pos"], r["neg"], r["neu"])
    return out


def _copy_vectorizer(vec):
    import copy

    pre, vec.preprocessor = vec.preprocessor, None
    try:
        return copy.deepcopy(vec)
    finally:
        vec.preprocessor = pre


@dataclass
class Calibration:
    """What :func:`calibrate_sentiment` measured, and the scorer and cuts to use.

    Attributes
    ----------
    use_calibrated : bool
        True when the calibrated model is measurably better than VADER: use it for unrated rows.
    scorer : callable
        The text scorer for unrated rows: the :class:`CalibratedScorer` (fitted on every rated
        row) when ``use_calibrated``, else VADER.
    negative_cut, positive_cut : float
        Text scores at or below ``negative_cut`` are complaints, at or above ``positive_cut``
        praise (calibrated on the rated rows for ``scorer``).
    report : pandas.DataFrame
        One row per scorer (``vader``, ``calibrated``): ``method``, ``n_rated``, ``r`` (Pearson
        correlation with the ratings, cross-validated for the model), ``r_min_fold``,
        ``zero_share`` (texts scored exactly 0), ``negative_cut``, ``recall``, ``precision``
        (complaints among rated rows, cut chosen on other folds), ``used``.
    reason : str
        One sentence: what is used and why.
    held_out : dict
        The rated rows, their folds and held-out text scores (``texts``, ``y``, ``fold_id``,
        ``score``, …), for :func:`jmtools.analyses.complaints.fit_complaints`.
    complaint_check : ComplaintCheck or None
        The complaint classifier once :func:`~jmtools.analyses.complaints.fit_complaints` has
        fitted it (once per calibration); :func:`complaint_mask` uses it when it is ``used``.
    praise_check : ComplaintCheck or None
        The same for praise (:func:`~jmtools.analyses.complaints.fit_praise`).
    """

    use_calibrated: bool
    scorer: object
    negative_cut: float
    positive_cut: float
    report: pd.DataFrame
    reason: str
    folds: list = field(default_factory=list, repr=False)
    held_out: dict = field(default_factory=dict, repr=False)
    complaint_check: object = field(default=None, repr=False)
    praise_check: object = field(default=None, repr=False)

    @property
    def scorer_name(self) -> str:
        return "text (calibrated)" if self.use_calibrated else "text (VADER)"


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _cut_for_recall(score: np.ndarray, positive: np.ndarray, target: float) -> float:
    """The lowest cut c with share(score[positive] <= c) >= target.

    Precision falls as the cut rises, so this is also the most precise cut that finds
    ``target`` of the complaints. Maximising recall at precision ≥ 0.7 instead was measured
    and rejected: it spends precision down to the floor (airline tweets: recall 0.99 at
    precision 0.70 held out, against 0.80 at 0.90) and cannot help where precision at
    recall 0.8 is below 0.7 (review snippets, Alexa reviews): there only a better score can.
    """
    if not positive.any():
        return NEGATIVE_AT_OR_BELOW
    return float(np.quantile(score[positive], target, method="higher"))


def held_out_flags(score, negative, fold_id, target: float = 0.8) -> np.ndarray:
    """Which rows a cut flags when it is chosen on the other half of the folds.

    The rows are split by fold into two halves (even and odd fold numbers); on each half the
    most precise cut that finds ``target`` of its complaints is chosen
    (the lowest score cut reaching that recall), and it flags the rows of the *other* half.
    Every row is thus flagged by a cut that did not see it; the recall and precision the
    package reports are counted from these flags, and any other count (another label, a
    subset of rows) can be made from the same flags.

    Parameters
    ----------
    score : array-like of float
        Held-out scores, lower is more complaint-like.
    negative : array-like of bool
        Whether each row is a complaint (its rating is below the midpoint).
    fold_id : array-like of int
        Each row's fold.
    target : float, default 0.8
        Share of the picking half's complaints the cut must find.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> score = np.array([-0.9, -0.7, 0.4, 0.8, -0.8, -0.6, 0.5, 0.9])
    >>> bad = score < 0
    >>> held_out_flags(score, bad, np.array([0, 0, 0, 0, 1, 1, 1, 1])).tolist()
    [True, True, False, False, True, False, False, False]
    """
    score, negative, fold_id = (np.asarray(score, float), np.asarray(negative, bool),
                                np.asarray(fold_id))
    flags = np.zeros(len(score), dtype=bool)
    halves = [fold_id % 2 == 0, fold_id % 2 == 1]
    for pick, test in (halves, halves[::-1]):
        flags[test] = score[test] <= _cut_for_recall(score[pick], negative[pick], target)
    return flags


def _held_out_halves(score, negative, fold_id, target) -> list:
    """(tp, fp, fn) on each half of the folds, of a cut chosen on the other half."""
    hit = held_out_flags(score, negative, fold_id, target)
    return [(int((hit & negative & test).sum()), int((hit & ~negative & test).sum()),
             int((~hit & negative & test).sum()))
            for test in (fold_id % 2 == 1, fold_id % 2 == 0)]


def _held_out_counts(score, negative, fold_id, target) -> tuple:
    """(tp, fp, fn) of a cut chosen on half of the folds, counted on the other half, summed
    over both halves; and each half's precision (0 where it flags nothing)."""
    halves = _held_out_halves(score, negative, fold_id, target)
    tp, fp, fn = (sum(h[i] for h in halves) for i in range(3))
    return tp, fp, fn, [h[0] / (h[0] + h[1]) if h[0] + h[1] else 0.0 for h in halves]


def _held_out_recall(score, negative, fold_id, target):
    """Recall and precision of a cut chosen on half of the folds, measured on the other half."""
    tp, fp, fn, _ = _held_out_counts(score, negative, fold_id, target)
    return (tp / (tp + fn) if tp + fn else float("nan"), tp / (tp + fp) if tp + fp else float("nan"))


#: Calibrations remembered (the newest few): a report's valence and its themes ask for the
#: same one, and it is fitted once.
_REMEMBERED: "OrderedDict[str, Calibration]" = OrderedDict()
_REMEMBER = 4


def _key(texts: list, y: np.ndarray, *args) -> str:
    digest = hashlib.sha1()
    for t in texts:
        digest.update(t.encode("utf-8", "surrogatepass") + b"\x00")
    digest.update(np.ascontiguousarray(y, dtype=float).tobytes())
    digest.update(repr(args).encode())
    return digest.hexdigest()


def calibrate_sentiment(texts, valence, *, seed: int = 0, folds: int = 5, min_rated: int = 100,
                        min_gain: float = 0.05, target_recall: float = 0.8,
                        brand_words: Sequence[str] = (), vader_scores=None,
                        groups=None) -> Calibration:
    """Fit a text model on rated rows; keep it only where it measurably beats VADER.

    Computed once per input: the same texts, ratings and options give back the same
    :class:`Calibration` (the newest few are remembered), so a report's valence and its
    complaint themes share one fit.

    Parameters
    ----------
    texts : sequence of str
        Texts of the rows that carry a rating.
    valence : array-like
        Their rating's valence on −2..+2 (:func:`rating_valence`).
    seed : int, default 0
        Seed of the fold split.
    folds : int, default 5
        Cross-validation folds.
    min_rated : int, default 100
        Below this many rated texts no model is fitted (VADER is used); nor on fewer than
        :data:`MIN_DISTINCT` different texts (canned answers repeated), said in ``reason``.
    min_gain : float, default 0.05
        The model is used when its cross-validated correlation with the ratings is at least
        this much above VADER's, and above it in every fold.
    target_recall : float, default 0.8
        Share of the rated complaints (valence < 0) the complaint cut must find.
    brand_words : sequence of str
        Brand and product words left out of the model's vocabulary.
    vader_scores : array-like, optional
        VADER compound scores of ``texts`` if already computed.
    groups : array-like, optional
        A group per text (e.g. the review a sentence comes from): a group's texts stay in one
        fold, so the model is never measured on a sentence whose neighbours it learned from.
        Repeated texts (the same words, ignoring case) always share a fold, with or without
        groups.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> bad = ["it never worked", "does not connect", "stopped after a week", "no sound at all"]
    >>> good = ["works every day", "sound fills the room", "set up in a minute", "kids use it daily"]
    >>> texts = [str(rng.choice(bad if i % 2 else good)) + f" {i}" for i in range(300)]
    >>> cal = calibrate_sentiment(texts, [-2.0 if i % 2 else 2.0 for i in range(300)])
    >>> cal.use_calibrated, bool(cal.report.set_index("method").loc["calibrated", "r"] > 0.9)
    (True, True)
    >>> calibrate_sentiment(texts, [-2.0 if i % 2 else 2.0 for i in range(300)]) is cal
    True
    """
    texts = [str(t) for t in texts]
    y = np.asarray(valence, dtype=float) / 2.0
    if len(texts) != len(y):
        raise ParameterError("valence", f"{len(y)} values", expected=f"one per text ({len(texts)})")
    if not 0 < target_recall < 1:
        raise ParameterError("target_recall", target_recall, expected="a share between 0 and 1")
    key = _key(texts, y, seed, folds, min_rated, min_gain, target_recall, tuple(brand_words),
               None if vader_scores is None else np.asarray(vader_scores, float).tobytes(),
               None if groups is None else tuple(map(str, groups)))
    if key not in _REMEMBERED:
        _REMEMBERED[key] = _calibrate(texts, y, seed, folds, min_rated, min_gain, target_recall,
                                      tuple(brand_words), vader_scores, groups)
        while len(_REMEMBERED) > _REMEMBER:
            _REMEMBERED.popitem(last=False)
    _REMEMBERED.move_to_end(key)
    return _REMEMBERED[key]


def _calibrate(texts, y, seed, folds, min_rated, min_gain, target_recall, brand_words,
               vader_scores, groups) -> Calibration:
    n_given, rows_fitted = len(texts), sampled_rows(texts, groups, seed)
    if rows_fitted is not None:
        texts, y = [texts[i] for i in rows_fitted], y[rows_fitted]
        vader_scores = None if vader_scores is None else np.asarray(vader_scores, float)[rows_fitted]
        groups = None if groups is None else [list(groups)[i] for i in rows_fitted]
    cache = _vader_rows(dict.fromkeys(texts))
    vader = (np.asarray(vader_scores, float) if vader_scores is not None
             else np.array([cache[t][0] for t in texts], dtype=float))
    negative = y < 0
    n = len(texts)
    codes = fold_groups(texts, groups)
    distinct = int(codes.max()) + 1 if n else 0          # texts that differ (and groups): a fold holds some
    k = max(1, min(folds, max(2, n // 20), distinct))
    fold_id = (np.random.default_rng(seed).permutation(codes.max() + 1) % k)[codes] if n else codes
    rows = [_row("vader", n, vader, y, [_pearson(vader[fold_id == f], y[fold_id == f])
                                       for f in range(k)], negative, fold_id, target_recall)]
    model_ok = n >= min_rated and distinct >= MIN_DISTINCT and bool((y < 0).any() and (y > 0).any())
    oof = np.full(n, np.nan)
    if model_ok:
        # every text's words and word pairs, found once: each fold's vectorizer reads them
        analyse = CalibratedScorer(brand_words=brand_words)._words(1).build_analyzer()
        analysed = {t: analyse(t) for t in dict.fromkeys(texts)}
        for f in range(k):
            train = fold_id != f
            fitted = CalibratedScorer(brand_words=brand_words)
            fitted._cache, fitted._analysed = cache, analysed
            fitted.fit(np.array(texts, dtype=object)[train], y[train])
            oof[~train] = fitted([t for t, m in zip(texts, ~train) if m])
        rows.append(_row("calibrated", n, oof, y, [_pearson(oof[fold_id == f], y[fold_id == f])
                                                   for f in range(k)], negative, fold_id, target_recall))
    report = pd.DataFrame(rows)
    use, reason = _decide(report, n, min_rated, min_gain, distinct, y)
    if rows_fitted is not None:
        reason += (f" (fitted and measured on a seeded sample of {n:,} of the {n_given:,} rated texts; "
                   f"more hardly changes a text model, and it keeps a big world's report to minutes)")
    report["used"] = report["method"] == ("calibrated" if use else "vader")
    report = report.drop(columns="_fold_r")
    scorer = VaderScorer()
    if use:
        scorer = CalibratedScorer(brand_words=brand_words)
        scorer._cache = cache
        scorer.fit(texts, y)
        scorer._cache = {}
    score = oof if use else vader
    cut = _cut_for_recall(score, negative, target_recall) if negative.any() else NEGATIVE_AT_OR_BELOW
    pos = y > 0
    pcut = (float(np.quantile(score[pos], 1 - target_recall, method="lower")) if pos.any()
            else POSITIVE_AT_OR_ABOVE)
    held_out = dict(texts=texts, y=y, fold_id=fold_id, score=score, vader=cache,
                    brand_words=brand_words, target_recall=target_recall, min_rated=min_rated,
                    distinct=distinct, rows=rows_fitted, n_given=n_given)
    return Calibration(use, scorer, cut, max(pcut, np.nextafter(cut, 2)), report, reason,
                       list(range(k)), held_out)


def _row(method, n, score, y, fold_r, negative, fold_id, target):
    recall, precision = (_held_out_recall(score, negative, fold_id, target) if n and negative.any()
                         else (float("nan"), float("nan")))
    return {"method": method, "n_rated": n, "r": _pearson(score, y),
            "r_min_fold": float(np.nanmin(fold_r)) if np.isfinite(fold_r).any() else float("nan"),
            "zero_share": float(np.mean(score == 0)) if n else float("nan"),
            "negative_cut": _cut_for_recall(score, negative, target) if negative.any() else np.nan,
            "recall": recall, "precision": precision, "_fold_r": fold_r}


def _decide(report: pd.DataFrame, n: int, min_rated: int, min_gain: float, distinct: int,
            y: np.ndarray) -> tuple[bool, str]:
    if "calibrated" not in set(report["method"]):
        why = (f"{n} rated texts are too few to calibrate on (at least {min_rated} are needed)" if n < min_rated
               else f"the {n} rated texts hold only {distinct} different texts (at least {MIN_DISTINCT} are "
                    "needed)" if distinct < MIN_DISTINCT
               else f"no rated text is {'below' if (y > 0).any() else 'above'} the midpoint (complaints and "
                    "praise are both needed)")
        return False, f"VADER is used for unrated texts: {why}"
    vader, model = (report.set_index("method").loc[m] for m in ("vader", "calibrated"))
    gain = model["r"] - vader["r"]
    every_fold = all(a > b for a, b in zip(model["_fold_r"], vader["_fold_r"]))
    if gain >= min_gain and every_fold:
        return True, (f"the model calibrated on {n} rated texts is used for unrated texts: it agrees "
                      f"with the ratings better than VADER (r = {model['r']:.2f} vs {vader['r']:.2f}, "
                      f"cross-validated, better in every fold)")
    return False, (f"VADER is used for unrated texts: the model calibrated on {n} rated texts is not "
                   f"measurably better (r = {model['r']:.2f} vs {vader['r']:.2f}; needs +{min_gain:.2f} "
                   "and every fold better)")


def complaint_mask(valence_from_rating, text_score, *, calibration: Calibration | None = None,
                   polarity: str = "negative", texts=None) -> np.ndarray:
    """Which rows are complaints (``polarity="negative"``) or praise (``"positive"``).

    A row with a rating is decided by its rating (valence < 0 complaint, > 0 praise); a row
    without one, or rated at the scale's midpoint (valence 0: "3 of 5" says neither, and
    "Slightly disappointed. The pricing is unclear." often comes with it), by its text score
    against the calibrated cut (or VADER's ±0.05 without a calibration) — or by the
    calibration's complaint (praise) classifier when it was fitted and measured more precise
    (``calibration.complaint_check``, :func:`jmtools.analyses.complaints.fit_complaints`;
    ``calibration.praise_check``, :func:`~jmtools.analyses.complaints.fit_praise`; needs
    ``texts``). Given ``texts``, an unrated text without a letter (only emoji or punctuation,
    which VADER scores 0 and the cut would call a complaint) is neither, and an unrated request
    to correct, fix or refund something (:func:`~jmtools.analyses.sentiment.fault_requests`) is a
    complaint and never praise, whatever its score (D261).

    Examples
    --------
    >>> complaint_mask([-2.0, np.nan, 1.0, np.nan, 0.0], [0.5, -0.3, -0.9, 0.2, -0.4]).tolist()
    [True, True, False, False, True]
    >>> complaint_mask([np.nan], [0.2], polarity="positive").tolist()
    [True]
    >>> calm = ["Our invoice shows 952.91 EUR. Please correct it.", "Thanks, all sorted!"]
    >>> complaint_mask([np.nan, np.nan], [0.45, 0.5], texts=calm).tolist()
    [True, False]
    """
    if polarity not in ("negative", "positive"):
        raise ParameterError("polarity", polarity, expected=["negative", "positive"])
    rated = np.asarray(valence_from_rating, dtype=float)
    score = np.asarray(text_score, dtype=float)
    neg_cut = calibration.negative_cut if calibration is not None else NEGATIVE_AT_OR_BELOW
    pos_cut = calibration.positive_cut if calibration is not None else POSITIVE_AT_OR_ABOVE
    decided = np.isfinite(rated) & (rated != 0)
    negative = polarity == "negative"
    by_text = score <= neg_cut if negative else score >= pos_cut
    check = (None if calibration is None
             else calibration.complaint_check if negative else calibration.praise_check)
    if check is not None and check.used and texts is not None and (~decided).any():
        undecided = np.flatnonzero(~decided)
        by_text[undecided] = check.complaints([str(texts[i]) for i in undecided], score[undecided])
    if texts is not None:         # "👍", "❤️❤️", "...": no word for the lexicon or the model to read
        by_text &= np.array([bool(_LETTER.search(str(t))) for t in texts], dtype=bool)
        fault = fault_requests(list(texts))    # "Please correct it.": a complaint however calm (D261)
        by_text = by_text | fault if negative else by_text & ~fault
    return np.where(decided, rated < 0 if negative else rated > 0, by_text)


#: A letter of any script: a text without one (emoji, punctuation) says nothing a lexicon reads.
_LETTER = re.compile(r"[^\W\d_]")
