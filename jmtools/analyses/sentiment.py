"""Score feedback text for sentiment: pluggable scorer, VADER by default.

:func:`score_texts` turns any sequence of texts into one score per text in
[−1, 1] (VADER's *compound* score by default). It is built for large feedback
tables:

- **duplicates are scored once** — texts are factorised first, so "Great!"
  written by 40,000 customers costs one call;
- **batches** — the scorer receives lists of ``batch_size`` unique texts, so a
  heavier model (a transformer, a hosted-in-house classifier) can batch its work;
- **process-parallel where it helps** — with ``n_jobs`` > 1 and at least
  ``min_parallel`` unique texts, batches are spread over worker processes
  (VADER is pure Python and holds the GIL, so threads would not help);
- missing, empty or blank texts score NaN (no evidence), never 0 (neutral).

Bring a better model by passing any callable ``scorer(list_of_str) -> sequence
of float`` whose values lie in [−1, 1]; it must be picklable (a module-level
function or a class instance) to run in parallel, otherwise it runs in this
process with a warning.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
import warnings
from typing import Callable, Iterable, Sequence

import numpy as np

from jmtools.core.errors import DataError, MissingDependencyError, ParameterError, Problem, whole_number

__all__ = ["LONG_TEXT", "FAULT_REQUEST", "FAULT_ELSEWHERE", "VaderScorer", "fault_requests", "score_texts", "resolve_n_jobs",
           "vader_scores"]

#: Scorer type: a list of texts in, one score in [−1, 1] per text out.
Scorer = Callable[[list], Sequence[float]]

_ANALYZER = None  # one VADER analyzer per process, built on first use


def _vader_analyzer():
    global _ANALYZER
    if _ANALYZER is None:
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError as exc:  # pragma: no cover - vaderSentiment is a core dependency
            raise MissingDependencyError("vaderSentiment", "Scoring feedback text") from exc
        _ANALYZER = SentimentIntensityAnalyzer()
    return _ANALYZER


_POLITE = r"(?:please|pls|plz|kindly)"
_FIX = r"(?:correct|fix|repair|refund|reimburse|rectify|resolve|reverse|sort\s+out|compensate)"
_DE_FIX = r"(?:korrigieren|berichtigen|richtigstellen|(?:zu)?r(?:ü|ue)ckerstatten|erstatten|gutschreiben|beheben|reparieren)"
_FR_FIX = r"(?:corriger|rectifier|rembourser|r[ée]parer|r[ée]gulariser)"
_ES_FIX = r"(?:corrij(?:a|an)|corregir|rectifi(?:que|quen|car)|reembols(?:e|en|ar)|arregl(?:e|en|ar)|devolver|devuelv(?:a|an))"
_NL_FIX = r"(?:corrigeren|rechtzetten|terugbetalen|terugstorten|herstellen|repareren|crediteren)"
#: The same requests in German, French, Spanish and Dutch (D266): "Bitte korrigieren Sie die Rechnung",
#: "bitte die Rechnung erstatten", "Veuillez corriger", "por favor corrija", "graag corrigeren".
FAULT_ELSEWHERE = (
    rf"\bbitte[\s,]+(?:\w+\s+){{0,4}}?{_DE_FIX}\b", rf"\b{_DE_FIX}\s+sie\s+(?:\w+\s+){{0,3}}?bitte\b",
    r"\b(?:ich|wir)\s+(?:m(?:ö|oe)chten?|will|wollen|brauchen?|verlangen|fordern|bitten\s+um)\s+(?:\w+\s+){0,2}?"
    r"(?:r(?:ü|ue)ck)?(?:erstattung|gutschrift|korrektur|berichtigung)\b|\bbitte\s+um\s+(?:\w+\s+)?(?:r(?:ü|ue)ck)?"
    r"(?:erstattung|gutschrift|korrektur|berichtigung)\b|\bmuss\s+(?:korrigiert|berichtigt|erstattet|behoben)\s+werden\b",
    rf"\b(?:veuillez|merci\s+de|pourriez[\s-]vous|pouvez[\s-]vous|pri[èe]re\s+de)\s+(?:\w+\s+){{0,2}}?{_FR_FIX}\b",
    r"\b(?:je|nous)\s+(?:demande|demandons|souhaite|souhaitons|veux|voulons|exige|exigeons)\s+(?:un|une|le|la)\s+"
    r"(?:remboursement|correction|avoir|rectification)\b",
    rf"\bpor\s+favor[\s,]+(?:\w+\s+){{0,2}}?{_ES_FIX}\b|\b(?:puede|pueden|podr[íi]an?)\s+(?:\w+\s+)?{_ES_FIX}\b",
    r"\b(?:quiero|queremos|necesito|exijo|solicito|pido)\s+(?:un|el|una|la)\s+(?:reembolso|correcci[óo]n|devoluci[óo]n)\b",
    rf"\b(?:graag|gelieve|alstublieft|alsjeblieft|a\.u\.b\.?|aub)[\s,]+(?:\w+\s+){{0,3}}?{_NL_FIX}\b",
    rf"\b(?:kunt|kunnen|wilt)\s+(?:u|jullie)\s+(?:\w+\s+){{0,3}}?{_NL_FIX}\b",
    r"\b(?:ik|wij|we)\s+(?:wil|willen|eis|eisen|vraag|vragen)\s+(?:graag\s+)?(?:een|mijn|ons)\s+"
    r"(?:terugbetaling|correctie|creditnota)\b",
)
#: A request to put right something that is wrong (D261): "please correct it", "can you fix …",
#: "fix it please", "we want a refund", "needs to be fixed"; in German, French, Spanish and Dutch
#: too (:data:`FAULT_ELSEWHERE`, D266). Calm or not, it is a complaint.
FAULT_REQUEST = re.compile("|".join((
    rf"\b{_POLITE}[\s,]+(?:\w+ly\s+)?{_FIX}\b(?!\s+me\b)",             # not "please correct me if …"
    rf"\b(?:can|could|would|will)\s+(?:you|u|someone|somebody|anyone)\s+(?:{_POLITE}\s+)?(?:\w+ly\s+)?{_FIX}\b",
    rf"\b{_FIX}\s+(?:it|this|that|them)\b[\s,]*{_POLITE}\b",
    r"\b(?:i|we)\s+(?:want|need|would\s+like|'d\s+like|demand|expect|request|deserve)\s+(?:(?:a|an|my|our|the|"
    r"full)\s+)*(?:refund|correction|credit\s+note|reimbursement)\b",
    r"\b(?:needs?|has|have)\s+to\s+be\s+(?:fixed|corrected|refunded|repaired|resolved|sorted)\b",
    *FAULT_ELSEWHERE,
)), re.IGNORECASE)


def fault_requests(texts) -> np.ndarray:
    """Which texts ask the company to correct, fix or refund something (:data:`FAULT_REQUEST`).

    A request about a fault is a complaint however politely it is put (D261): an unrated one is a
    complaint and never praise (:func:`jmtools.analyses.calibration.complaint_mask`), its valence at
    most the complaint cut's (:func:`jmtools.analyses.valence.feedback_valence`), though VADER reads
    its "please" (+1.3) or "kindly" (+2.2) as positive. Thanks and questions are not requests:
    "Thanks for fixing it so fast", "How do I correct my address?".

    Examples
    --------
    >>> fault_requests(["Our invoice shows 952.91 EUR, not 860. Please correct it.",
    ...                 "Can you please refund the double charge?", "Thanks for fixing it so fast!",
    ...                 "How do I correct my billing address?", None]).tolist()
    [True, True, False, False, False]
    """
    return np.array([isinstance(t, str) and bool(FAULT_REQUEST.search(t)) for t in texts], dtype=bool)


#: Texts longer than this (characters) are scored by VADER in pieces of at most this length.
LONG_TEXT = 4000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def vader_scores(text: str) -> dict:
    """VADER's ``compound``, ``pos``, ``neg`` and ``neu`` of ``text``; a text longer than
    :data:`LONG_TEXT` characters in pieces (whole sentences where they fit), each piece's
    scores weighted by its words.

    VADER's negation rule reads every word of the text again for each word, so its time grows
    with the square of the length: a 115 KB comment took 40 seconds, all of a report's
    other work a few. Pieces keep it linear. A text of up to :data:`LONG_TEXT` characters (any
    review, post or survey answer) is scored whole, exactly as VADER scores it.

    Examples
    --------
    >>> short = "The checkout was awful."
    >>> vader_scores(short) == _vader_analyzer().polarity_scores(short)
    True
    >>> long = "The checkout was awful. " * 400            # 9,600 characters: three pieces
    >>> len(_pieces(long)), vader_scores(long)["compound"] < -0.9
    (3, True)
    """
    if len(text) <= LONG_TEXT:
        return dict(_short_scores(text))
    analyzer = _vader_analyzer()
    pieces = _pieces(text)
    scores = [analyzer.polarity_scores(p) for p in pieces]
    weights = np.array([max(len(p.split()), 1) for p in pieces], dtype=float)
    weights /= weights.sum()
    return {k: float(sum(w * sc[k] for w, sc in zip(weights, scores))) for k in ("neg", "neu", "pos", "compound")}


@functools.lru_cache(maxsize=1 << 15)
def _short_scores(text: str) -> dict:
    """VADER's scores of a text of up to :data:`LONG_TEXT` characters, remembered: a report
    scores the same texts (and the same sentences) several times — the calibration, the
    complaint classifier's sentences, the unrated rows (3,772 calls for 832 texts in the
    e-commerce sample). VADER reads only the text, so a remembered score is the same."""
    return _vader_analyzer().polarity_scores(text)


def _pieces(text: str) -> list[str]:
    """``text`` in pieces of at most :data:`LONG_TEXT` characters: sentences packed together, a
    longer sentence cut at spaces (or anywhere, if it has none)."""
    out, current = [], ""
    for sentence in (s for s in _SENTENCE_END.split(text) if s.strip()):
        while len(sentence) > LONG_TEXT:
            cut = sentence.rfind(" ", 0, LONG_TEXT)
            cut = cut if cut > 0 else LONG_TEXT
            out.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if current and len(current) + 1 + len(sentence) > LONG_TEXT:
            out.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current.strip():
        out.append(current)
    return out or [text[:LONG_TEXT]]


class VaderScorer:
    """The default scorer: VADER's compound score in [−1, 1].

    VADER (Hutto & Gilbert, 2014) is a lexicon- and rule-based model tuned for
    short, informal English text; its lexicon ships inside the ``vaderSentiment``
    package, so it runs offline. The *compound* score sums the valences of the
    words (with negation, intensifiers, "but", capitals and punctuation rules)
    and normalises the sum into [−1, 1].

    Examples
    --------
    >>> scores = VaderScorer()(["I love these shoes", "The checkout was awful"])
    >>> scores[0] > 0.5, scores[1] < -0.4
    (True, True)
    """

    name = "vader"

    def __call__(self, texts: list) -> list[float]:
        return [vader_scores(t)["compound"] for t in texts]

    def __repr__(self) -> str:
        return "VaderScorer()"


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Number of worker processes for ``n_jobs`` (None → 1, −1 → all cores).

    Examples
    --------
    >>> resolve_n_jobs(None), resolve_n_jobs(1)
    (1, 1)
    >>> resolve_n_jobs(-1) == (os.cpu_count() or 1)
    True
    """
    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 or n_jobs < -1:
        raise ParameterError("n_jobs", n_jobs, expected="a positive int, -1 (all cores) or None")
    return (os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)


def _score_batch(args):
    scorer, batch = args
    return np.asarray(scorer(batch), dtype=float)


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _picklable(obj) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:  # noqa: BLE001 - any pickling failure means "not picklable"
        return False
    return True


def _run_batches(scorer: Scorer, batches: list[list], workers: int) -> list[np.ndarray]:
    if workers <= 1 or len(batches) <= 1:
        return [_score_batch((scorer, b)) for b in batches]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(workers, len(batches))) as pool:
        return list(pool.map(_score_batch, [(scorer, b) for b in batches]))


def _check_scores(scores: np.ndarray, n_expected: int, scorer) -> None:
    if scores.shape != (n_expected,):
        raise ParameterError("scorer", scorer, expected=(
            f"a callable returning one score per text ({n_expected} texts, got shape "
            f"{scores.shape})"))
    bad = np.isfinite(scores) & ((scores < -1) | (scores > 1))
    if bad.any():
        raise DataError([Problem(
            f"the text scorer returned {int(bad.sum())} scores outside [-1, 1] "
            f"(e.g. {scores[bad][0]!r})",
            fix="rescale your scorer's output to [-1, 1] (like VADER's compound score)",
            source=repr(scorer))])


#: What to pass as ``batch_size`` (:func:`score_texts`, and the functions that pass it on).
_BATCH_FIX = "pass how many unique texts each scorer call takes, e.g. 5000"


def score_texts(texts: Iterable, *, scorer: Scorer | None = None, n_jobs: int | None = -1,
                batch_size: int = 5000, min_parallel: int = 20_000) -> np.ndarray:
    """Score each text for sentiment in [−1, 1]; duplicates are scored once.

    Parameters
    ----------
    texts : iterable of str
        A list, array or pandas Series. None, NaN, empty and blank texts score NaN.
    scorer : callable, optional
        ``scorer(list_of_texts) -> sequence of float`` in [−1, 1]. Default
        :class:`VaderScorer` (VADER compound score).
    n_jobs : int or None, default -1
        Worker processes; -1 uses every core, 1 or None stays in this process.
    batch_size : int, default 5000
        Unique texts per scorer call (and per task sent to a worker).
    min_parallel : int, default 20000
        Below this many unique texts everything runs in this process (starting
        workers would cost more than it saves).

    Returns
    -------
    numpy.ndarray of float
        One score per input text, in input order.

    Raises
    ------
    ParameterError
        Bad ``n_jobs``/``batch_size``, or a scorer returning the wrong number of scores.
    DataError
        The scorer returned values outside [−1, 1].

    Examples
    --------
    >>> s = score_texts(["Great service!", "Great service!", None, "  ", "Terrible, slow delivery"])
    >>> [round(float(x), 3) for x in s]
    [0.659, 0.659, nan, nan, -0.477]
    >>> score_texts(["a", "b", "a"], scorer=lambda batch: [0.5 if t == "a" else -0.5 for t in batch])
    array([ 0.5, -0.5,  0.5])
    """
    import pandas as pd

    whole_number("batch_size", batch_size, fix=_BATCH_FIX)
    workers = resolve_n_jobs(n_jobs)
    scorer = VaderScorer() if scorer is None else scorer
    if not callable(scorer):
        raise ParameterError("scorer", scorer, expected="a callable taking a list of texts")
    values = pd.Series(list(texts) if not isinstance(texts, pd.Series) else texts, dtype=object)
    blank = values.isna() | values.map(lambda t: not isinstance(t, str) or not t.strip())
    codes, uniques = pd.factorize(values.where(~blank), use_na_sentinel=True)
    uniques = [str(u) for u in uniques]
    if workers > 1 and len(uniques) >= min_parallel and not _picklable(scorer):
        warnings.warn(f"scorer {scorer!r} cannot be pickled, so it runs in one process; "
                      "define it at module level to score in parallel", RuntimeWarning,
                      stacklevel=2)
        workers = 1
    if len(uniques) < min_parallel:
        workers = 1
    size = batch_size if workers == 1 else min(batch_size, -(-len(uniques) // (4 * workers)))
    parts = _run_batches(scorer, _batches(uniques, max(size, 1)), workers)
    unique_scores = np.concatenate(parts) if parts else np.empty(0)
    _check_scores(unique_scores, len(uniques), scorer)
    out = np.full(len(values), np.nan)
    seen = codes >= 0
    out[seen] = unique_scores[codes[seen]]
    return out
