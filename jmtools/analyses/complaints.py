"""Complaint and praise classifiers fitted on the user's own rated rows, used only where they beat the cut.

:func:`jmtools.analyses.calibration.complaint_mask` decides an unrated row by its text score
against a cut calibrated on the rated rows. A classifier trained *for* the question "is this a
complaint?" (or "is this praise?") can be more precise at the same recall, because it reads
more than one score:

- the words and word pairs of the normalised text (TF-IDF, :mod:`jmtools.analyses.textprep`)
  and its character 2–5-grams (misspellings, "!!!", "worked" inside "never worked"), each
  scaled by how much more often it occurs in complaints than in the other rated rows (its
  naive-Bayes log-count ratio, learned on the training rows: "NB-SVM", a strong baseline for
  short sentiment text);
- VADER's four scores, whether VADER read the text as exactly 0, negation words, ``!`` and
  ``?``, the length; and VADER per sentence (the most negative, the most positive, the last
  one, the share of negative and of positive sentences: "Love the sound. Stopped working
  after a week." is a 2-star review whose overall score is positive).

Its probability is averaged with the text score the rows already have (the calibrated
model's or VADER's), each first turned into its rank among the rated rows' held-out scores,
so the two are on one scale. Everything is fitted on the rated rows only (scikit-learn
logistic regression with balanced class weights, seeded folds, CPU, seconds).

:func:`fit_complaints` (and :func:`fit_praise`, the same for praise) measures it on the same
held-out folds as the cut (each score made by a model that did not see the row; the cut
chosen on one half of the folds, recall and precision counted on the other) and uses it for
the unrated rows only when it is more precise than the cut on *both* halves at the same
recall (at most :data:`RECALL_SLACK` lower). The recall and precision it reports are those
held-out numbers, never the fit on the rows it learned from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jmtools.analyses.calibration import (MIN_DISTINCT, Calibration, _cut_for_recall, _held_out_counts,
                                          _vader_rows, held_out_flags)
from jmtools.analyses.sentiment import vader_scores
from jmtools.analyses.textprep import Normaliser
from jmtools.core.stats import wilson_interval

__all__ = ["COMPLAINT_SOURCE", "complaint_channel", "ComplaintClassifier", "ComplaintCheck", "fit_complaints",
           "fit_praise"]

#: A feedback ``source`` naming a complaint channel (a complaint log, a contact centre's complaints):
#: its rows are complaints whatever their words or rating, never praise (D163), and without a
#: rating they are left off the emotion curve (D176).
COMPLAINT_SOURCE = (r"(?i)complain|grievance|beschwerde|reklamation|r[ée]clamation|plainte|reclamo|queja|"
                    r"klacht|reclama[cç][aã]o|skarg|reklamacj")

#: What each polarity's classifier finds, in words.
_FINDS = {"negative": "complaint", "positive": "praise"}

#: Negation words counted as a feature (after contractions are written out).
NEGATIONS = frozenset({"not", "no", "never", "nothing", "none", "nobody", "cannot", "without",
                       "hardly", "neither", "nor"})
#: The classifier may find this much less of the complaints (or praise) than the cut (or than
#: the target recall, when the cut finds more) and still replace it when it is more precise.
RECALL_SLACK = 0.02
#: Count added to every term in each class when its naive-Bayes log-count ratio is learned.
NB_ALPHA = 1.0
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def complaint_channel(frame: pd.DataFrame, source_col: str = "source") -> np.ndarray:
    """Which rows of ``frame`` come from a complaint channel: ``source_col`` matches
    :data:`COMPLAINT_SOURCE` (all False without that column).

    Examples
    --------
    >>> complaint_channel(pd.DataFrame({"source": ["Complaint log", "app review", None]})).tolist()
    [True, False, False]
    """
    if source_col not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[source_col].astype("string").str.contains(COMPLAINT_SOURCE, na=False).to_numpy(dtype=bool)


def _sentence_scores(text: str, whole: float) -> list:
    parts = [p for p in _SENTENCE.split(text) if p.strip()]
    cs = ([vader_scores(p)["compound"] for p in parts] if len(parts) > 1
          else [whole])                                  # one sentence: the text's own score
    return [min(cs), max(cs), cs[-1], sum(c <= -0.05 for c in cs) / len(cs),   # shares: as np.mean
            sum(c >= 0.05 for c in cs) / len(cs), min(len(cs), 10) / 10]


def _dense_features(texts: list, vader: dict, normalise) -> np.ndarray:
    """VADER's four scores, zero flag, negations, ! and ?, length, and the per-sentence scores."""
    rows = []
    for t in texts:
        compound, pos, neg, neu = vader[t]
        words = normalise(t).lower().split()
        negations = sum(w in NEGATIONS for w in words)
        rows.append([compound, pos, neg, neu, float(compound == 0), min(negations, 3) / 3,
                     float("!" in t), float("?" in t), np.log1p(len(words)) / 5,
                     *_sentence_scores(t, compound)])
    return np.array(rows, dtype=float).reshape(len(texts), 15)


@dataclass
class _Rows:
    """Label-free features of some texts: hashed word and character counts, dense features."""

    words: object
    chars: object
    dense: np.ndarray

    def take(self, mask) -> "_Rows":
        return _Rows(self.words[mask], self.chars[mask], self.dense[mask])


def _idf(counts, min_df: int) -> np.ndarray:
    """Smoothed inverse document frequency of each hashed term in ``counts`` (the training
    rows); terms in fewer than ``min_df`` rows get 0."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])   # CSR: one entry per row and term
    return np.where(df >= min_df, np.log((1 + counts.shape[0]) / (1 + df)) + 1, 0.0)


def _tfidf(counts, idf: np.ndarray):
    """Sub-linear TF-IDF of hashed counts, each row scaled to unit length."""
    from sklearn.preprocessing import normalize

    x = counts.copy()
    x.data = (1 + np.log(x.data)) * idf[x.indices]
    return normalize(x, copy=False)


def _log_count_ratio(x, target: np.ndarray, alpha: float = NB_ALPHA) -> np.ndarray:
    """Naive-Bayes log-count ratio of each column of ``x`` (CSR, the training rows): log of the
    share of the target rows' terms it is against the same share among the other rows,
    counting rows where it is non-zero, with ``alpha`` added to every column's count.

    Examples
    --------
    >>> from scipy import sparse
    >>> x = sparse.csr_matrix(np.array([[1.0, 0, 1], [1, 0, 0], [0, 1, 1]]))
    >>> _log_count_ratio(x, np.array([True, True, False])).round(3).tolist()
    [0.916, -0.875, -0.182]
    """
    def share(rows):
        present = rows.indices[rows.data > 0]
        counts = alpha + np.bincount(present, minlength=x.shape[1])
        return counts / counts.sum()

    target = np.asarray(target, bool)
    return np.log(share(x[target])) - np.log(share(x[~target]))


def _scaled(x, ratio: np.ndarray):
    """Each column of ``x`` (CSR) multiplied by its log-count ratio."""
    x.data = x.data * ratio[x.indices]
    return x


class ComplaintClassifier:
    """Is a text a complaint? Logistic regression on words, characters and VADER features.

    ``fit(texts, complaint)`` on rated rows (``complaint``: rating below the midpoint);
    ``decision(texts)`` gives a number that is higher for more complaint-like texts.
    Each word and character feature is scaled by its naive-Bayes log-count ratio on the
    training rows (``log_count_ratio``: above 0 for terms found more in complaints), so the
    regression starts from what each term says alone (NB-SVM).
    ``embed=`` (optional) is a callable turning a list of texts into one vector each (for
    example a sentence-embedding model you installed; jmtools ships and downloads none):
    the vectors are added to the features. Words
    (and word pairs) and character 2–5-grams are hashed (no vocabulary to store, so the texts
    are read once however many folds are fitted), then weighted by TF-IDF learned on the
    training rows (terms in fewer than two of them get no weight).

    Examples
    --------
    >>> bad = [f"it never worked {i}" for i in range(30)]
    >>> good = [f"works every day {i}" for i in range(30)]
    >>> clf = ComplaintClassifier().fit(bad + good, [True] * 30 + [False] * 30)
    >>> d = clf.decision(["it never worked again", "works every day, love it"])
    >>> bool(d[0] > 0 > d[1])
    True
    """

    def __init__(self, *, C: float = 1.0, brand_words=(), n_features: int = 2 ** 18, embed=None):
        self.C, self.brand_words, self.n_features = C, tuple(brand_words), n_features
        self.embed = embed
        self.model = self._idf = self.log_count_ratio = None
        self._vader: dict = {}

    def featurise(self, texts) -> _Rows:
        """The label-free features of ``texts`` (computed once, sliced per fold)."""
        from sklearn.feature_extraction.text import HashingVectorizer

        texts = [str(t) for t in texts]
        normalise = Normaliser(self.brand_words)
        self._vader.update(_vader_rows([t for t in dict.fromkeys(texts) if t not in self._vader]))
        clean = [normalise(t).lower() for t in texts]
        common = dict(alternate_sign=False, norm=None, n_features=self.n_features, lowercase=False)
        words = HashingVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", **common)
        chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common)
        dense = _dense_features(texts, self._vader, normalise)
        if self.embed is not None:       # e.g. sentence embeddings from a model you installed
            dense = np.hstack([dense, np.asarray(self.embed(texts), dtype=float).reshape(len(texts), -1)])
        return _Rows(words.transform(clean).tocsr(), chars.transform(clean).tocsr(), dense)

    def _matrix(self, rows: _Rows, tfidf=None):
        """The model's features of ``rows``; ``tfidf``: their word and character TF-IDF, when
        already computed (it is scaled in place)."""
        from scipy import sparse

        words, chars = tfidf or (_tfidf(rows.words, self._idf[0]), _tfidf(rows.chars, self._idf[1]))
        if self.log_count_ratio is not None:
            words, chars = (_scaled(x, r) for x, r in zip((words, chars), self.log_count_ratio))
        return sparse.hstack([words, chars, sparse.csr_matrix(rows.dense)]).tocsr()

    def fit_rows(self, rows: _Rows, complaint) -> "ComplaintClassifier":
        """Fit on featurised rows (:meth:`featurise`) and whether each is a complaint."""
        from sklearn.linear_model import LogisticRegression

        complaint = np.asarray(complaint, bool)
        min_df = 1 if rows.dense.shape[0] < 20 else 2
        self._idf = (_idf(rows.words, min_df), _idf(rows.chars, min_df))
        tfidf = tuple(_tfidf(c, idf) for c, idf in zip((rows.words, rows.chars), self._idf))
        self.log_count_ratio = tuple(_log_count_ratio(x, complaint) for x in tfidf)
        # liblinear shuffles with NumPy's global generator unless seeded: the same data gave
        # coefficients differing by up to 7e-6 between processes
        self.model = _fit_present(LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                                     dual=True, max_iter=5000, random_state=0),
                                  self._matrix(rows, tfidf), complaint)
        return self

    def fit(self, texts, complaint) -> "ComplaintClassifier":
        """Fit on texts and whether each is a complaint (booleans)."""
        return self.fit_rows(self.featurise(texts), complaint)

    def decision_rows(self, rows: _Rows) -> np.ndarray:
        """Higher for more complaint-like rows (the model's log-odds)."""
        return self.model.decision_function(self._matrix(rows))

    def decision(self, texts) -> np.ndarray:
        """Higher for more complaint-like texts (the model's log-odds)."""
        return self.decision_rows(self.featurise(texts))

    def __repr__(self) -> str:
        return f"ComplaintClassifier(C={self.C})"


def _fit_present(model, x, target):
    """``model`` fitted on the columns of ``x`` (CSR) that hold a value in some row, its
    coefficients then spread back over every column (0 for the others).

    Of the 2^18 hashed word and 2^18 character columns a few thousand occur in the rated
    texts; liblinear's dual solver leaves a column without values at 0 and never reads it
    (each row's features are its stored values, in column order, which this keeps), so
    the fitted model is the same as one fitted on every column, coefficient for
    coefficient (tests/test_complaints.py), and the solver does not size its work by the
    columns that are empty.
    """
    present = np.unique(x.indices)
    model.fit(x[:, present], target)
    coef = np.zeros((model.coef_.shape[0], x.shape[1]), dtype=model.coef_.dtype)
    coef[:, present] = model.coef_
    model.coef_, model.n_features_in_ = coef, x.shape[1]
    return model


def _rank(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Share of ``reference`` at or below each value (0..1): scores of any scale on one scale."""
    ref = np.sort(np.asarray(reference, float))
    return np.searchsorted(ref, np.asarray(values, float), side="right") / max(len(ref), 1)


def _toward(text_scores, polarity: str) -> np.ndarray:
    """Text scores turned so that higher means more of ``polarity`` (lower is worse: complaints)."""
    score = np.asarray(text_scores, float)
    return -score if polarity == "negative" else score


@dataclass
class ComplaintCheck:
    """A complaint (or praise) classifier, measured on held-out rated rows, and whether it is used.

    Attributes
    ----------
    used : bool
        True when it was more precise than the calibrated cut on both held-out halves at no
        lower recall: unrated rows are then decided by it.
    classifier : ComplaintClassifier
        Fitted on every rated row (target: a complaint, or praise).
    cut : float
        Combined scores (0..1, higher is more complaint-like, or praise-like) at or above it
        are complaints (praise); chosen on the rated rows to find ``target_recall`` of them.
    report : pandas.DataFrame
        One row per method (``cut``, ``classifier``), held out: ``recall`` with its 95% Wilson
        interval (``recall_ci_low``, ``recall_ci_high``) over ``n_complaints`` rated complaints
        (for praise: the rated texts of praise), ``precision`` with its interval over
        ``n_flagged`` texts it flags, ``precision_halves`` (each half's), ``used``.
    reason : str
        One sentence: which decides the unrated rows and why.
    polarity : str
        "negative" (complaints) or "positive" (praise).
    flags : pandas.DataFrame
        One row per rated text (in the calibration's order): ``target`` (a rated complaint, or
        praise), ``fold``, and whether the ``cut`` and the ``classifier`` flagged it, each
        by a cut chosen on the other half of the folds (:func:`~jmtools.analyses.calibration.
        held_out_flags`). ``report`` counts these; recount them to measure another label.
    """

    used: bool
    classifier: ComplaintClassifier
    cut: float
    report: pd.DataFrame
    reason: str
    _text_ref: np.ndarray
    _model_ref: np.ndarray
    polarity: str = "negative"
    flags: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def score(self, texts, text_scores) -> np.ndarray:
        """Combined score (0..1, higher: more complaint-like, or praise-like) of texts given their
        text scores (−1..1, lower is worse)."""
        model = _rank(self._model_ref, self.classifier.decision(texts))
        text = _rank(self._text_ref, _toward(text_scores, self.polarity))
        return (model + text) / 2

    def complaints(self, texts, text_scores) -> np.ndarray:
        """Which of the texts are complaints (praise, for a praise check), by the combined
        score and cut."""
        return self.score(texts, text_scores) >= self.cut


def fit_complaints(calibration: Calibration, *, C: float = 1.0, embed=None) -> ComplaintCheck | None:
    """Fit the complaint classifier on the calibration's rated rows; measure it held out.

    Computed once per calibration (kept on it, ``calibration.complaint_check``): the themes of
    every persona's report share it. With ``embed`` it is fitted anew on every call and not kept.

    Parameters
    ----------
    calibration : Calibration
        From :func:`jmtools.analyses.calibration.calibrate_sentiment` (its rated rows, folds and
        held-out text scores are reused).
    C : float, default 1.0
        Inverse regularisation strength of the logistic regression.
    embed : callable, optional
        Texts → one vector each, added to the classifier's features (:class:`ComplaintClassifier`).

    Returns
    -------
    ComplaintCheck or None
        None when the rated rows are too few, hold fewer than
        :data:`~jmtools.analyses.calibration.MIN_DISTINCT` different texts, or lack complaints
        or non-complaints.

    Examples
    --------
    >>> from jmtools.analyses.calibration import calibrate_sentiment
    >>> rng = np.random.default_rng(0)
    >>> bad, good = ["it never worked", "stopped after a week"], ["works daily", "sounds great"]
    >>> texts = [str(rng.choice(bad if i % 3 == 0 else good)) + f" {i}" for i in range(300)]
    >>> cal = calibrate_sentiment(texts, [-2.0 if i % 3 == 0 else 2.0 for i in range(300)])
    >>> check = fit_complaints(cal)
    >>> check.report[["method", "recall", "precision"]].round(2)
           method  recall  precision
    0         cut    0.81        1.0
    1  classifier    0.83        1.0
    >>> check.used, fit_complaints(cal) is check
    (False, True)
    """
    return _fit_check(calibration, "negative", C, embed)


def fit_praise(calibration: Calibration, *, C: float = 1.0, embed=None) -> ComplaintCheck | None:
    """Fit the praise classifier on the calibration's rated rows; measure it held out.

    The mirror of :func:`fit_complaints`: the target is a rating above the scale's midpoint,
    the cut it must beat finds ``target_recall`` of the rated praise, and it decides unrated
    rows (:func:`~jmtools.analyses.calibration.complaint_mask` with ``polarity="positive"``)
    only when more precise on both held-out halves. Kept on the calibration
    (``calibration.praise_check``); parameters and result as :func:`fit_complaints`.

    Examples
    --------
    >>> from jmtools.analyses.calibration import calibrate_sentiment
    >>> texts = [f"{w} {i}" for i, w in enumerate(["broke again", "love it daily"] * 150)]
    >>> cal = calibrate_sentiment(texts, [-2.0, 2.0] * 150)
    >>> check = fit_praise(cal)
    >>> check.polarity, int(check.report["n_complaints"].iloc[0]), fit_praise(cal) is check
    ('positive', 150, True)
    """
    return _fit_check(calibration, "positive", C, embed)


_KEPT = {"negative": "complaint_check", "positive": "praise_check"}


def _fit_check(calibration: Calibration, polarity: str, C: float, embed) -> ComplaintCheck | None:
    kept = getattr(calibration, _KEPT[polarity])
    if embed is None and kept is not None or not calibration.held_out:
        return kept
    data = calibration.held_out
    texts, y, fold_id = data["texts"], data["y"], data["fold_id"]
    target_rows = y < 0 if polarity == "negative" else y > 0
    text_oof = _toward(data["score"], polarity)              # higher: more of the polarity
    if (len(texts) < data["min_rated"] or data.get("distinct", MIN_DISTINCT) < MIN_DISTINCT
            or target_rows.all() or not target_rows.any()):     # canned answers: too few texts to learn
        return None
    make = lambda: ComplaintClassifier(C=C, brand_words=data["brand_words"], embed=embed)  # noqa: E731
    reader = make()
    reader._vader = data["vader"]            # VADER's scores of these texts, already computed
    rows = reader.featurise(texts)
    model_oof = _out_of_fold(make, rows, target_rows, fold_id)
    if model_oof is None:
        return None
    combined = (_rank(model_oof, model_oof) + _rank(text_oof, text_oof)) / 2
    target = data["target_recall"]
    cut_row, clf_row = (_measured("cut", -text_oof, target_rows, fold_id, target),
                        _measured("classifier", -combined, target_rows, fold_id, target))
    used = (all(a > b for a, b in zip(clf_row["precision_halves"], cut_row["precision_halves"]))
            and clf_row["recall"] >= min(cut_row["recall"], target) - RECALL_SLACK)
    report = pd.DataFrame([cut_row, clf_row])
    report["used"] = report["method"] == ("classifier" if used else "cut")
    check = ComplaintCheck(used, make().fit_rows(rows, target_rows),
                           -_cut_for_recall(-combined, target_rows, target), report,
                           _reason(used, cut_row, clf_row, len(texts), _FINDS[polarity]),
                           text_oof, model_oof, polarity,
                           pd.DataFrame({"target": target_rows, "fold": fold_id,
                                         "cut": held_out_flags(-text_oof, target_rows, fold_id, target),
                                         "classifier": held_out_flags(-combined, target_rows, fold_id,
                                                                      target)}))
    if embed is None:
        setattr(calibration, _KEPT[polarity], check)
    return check


def _out_of_fold(make, rows: _Rows, negative: np.ndarray, fold_id: np.ndarray):
    """Each row's classifier score from a model fitted on the other folds (None: a fold's
    training rows hold one class only)."""
    out = np.full(len(negative), np.nan)
    for f in np.unique(fold_id):
        train = fold_id != f
        if negative[train].all() or not negative[train].any():
            return None
        out[~train] = make().fit_rows(rows.take(train), negative[train]).decision_rows(rows.take(~train))
    return out


def _measured(method, score, negative, fold_id, target) -> dict:
    tp, fp, fn, halves = _held_out_counts(score, negative, fold_id, target)
    (r_low, p_low), (r_high, p_high) = wilson_interval(np.array([tp, tp]), np.array([tp + fn, tp + fp]))
    return {"method": method, "recall": tp / (tp + fn) if tp + fn else float("nan"),
            "recall_ci_low": float(r_low), "recall_ci_high": float(r_high), "n_complaints": tp + fn,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "precision_ci_low": float(p_low), "precision_ci_high": float(p_high), "n_flagged": tp + fp,
            "precision_halves": halves}


def _reason(used, cut, clf, n, finds="complaint") -> str:
    side = (f"classifier {clf['recall']:.0%} recall at {clf['precision']:.0%} precision, the cut "
            f"{cut['recall']:.0%} at {cut['precision']:.0%}; held out on {n} rated texts")
    if used:
        return (f"a {finds} classifier decides unrated texts: it is more precise on both held-out "
                f"halves ({side})")
    return (f"the calibrated cut decides unrated texts: the {finds} classifier is not more precise "
            f"on both held-out halves ({side})")
