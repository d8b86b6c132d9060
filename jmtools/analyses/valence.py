"""Turn every kind of evidence into *valence*, the emotion scale −2 … +2.

Each function takes one kind of evidence and returns a copy of it with three
added columns — ``valence`` (float in −2..+2), ``source`` (where the value came
from) and ``evidence`` (its label: ``reported`` by customers, ``measured`` from
behaviour, ``assumed`` in a workshop). Rows that cannot give a value are
removed, counted per reason in ``result.attrs["dropped"]`` and announced with a
warning, so rows in = rows used + rows dropped.

The mappings, all on the scale −2 (very negative) … 0 (neutral) … +2 (very positive):

================  ===========================================================  ==========
evidence          mapping                                                      label
================  ===========================================================  ==========
survey score      linear from the metric's declared scale: the worst answer    reported
                  → −2, the best → +2, the midpoint → 0.
                  ``v = −2 + 4·(score − low)/(high − low)``; for scales where
                  lower is better (CES) ``v = 2 − 4·(score − low)/(high − low)``.
                  CSAT 1–5: 1→−2, 2→−1, 3→0, 4→+1, 5→+2. CES 1–7: 1→+2, 4→0,
                  7→−2. NPS 0–10 by band, as NPS is read (D232): detractors
                  0–6 → −2, passives 7–8 → 0, promoters 9–10 → +2, so a
                  mean valence is the answers' NPS ÷ 50, with its sign.
feedback          the rating given with the text when there is one (stars 1–5:  reported
                  1→−2 … 5→+2; thumbs ±1; :mod:`jmtools.analyses.calibration`);
                  otherwise ``v = 2 × score``, the text score in [−1, 1]: a
                  model calibrated on the rated rows when it beats VADER, else
                  VADER's compound (:mod:`jmtools.analyses.sentiment`). The
                  column ``used`` says which. A lexicon score of 0 is often not
                  neutral (a text with no lexicon word scores 0). VADER reads
                  English only: an unrated text in another language
                  (:mod:`jmtools.analyses.language`) has no valence, unless the
                  calibrated model learned its language from ratings. An unrated
                  row from a complaint channel (``source``, D163) has none
                  either: it says what went wrong, not how it felt (D176).
behaviour         per customer and stage reached, 0 (nothing went wrong) minus  measured
(opt-in)          1 for each rule that fires, floored at −2: *abandonment*
                  (the stage is the furthest the customer reached, not the
                  last, and the company did not carry the journey on past it,
                  D231), *errors* (an error event at
                  the stage), *repeated contacts* (two or more contact events
                  at the stage). Behaviour can only pull a curve down: a smooth
                  visit is neutral, not delight.
workshop value    kept as entered (must lie in −2..+2): stage ``emotion:`` in  assumed
                  the journey file, a number or a mapping persona → number.
================  ===========================================================  ==========
"""

from __future__ import annotations

import re
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from jmtools.analyses._valence_rules import carried_on_at, company_codes, fault_asked, journey_went_on, nps_valence
from jmtools.analyses.calibration import NEGATIVE_AT_OR_BELOW, calibrate_sentiment, fitted_rows, rating_valence
from jmtools.analyses.complaints import complaint_channel
from jmtools.analyses.language import detect_language, languages_read
from jmtools.analyses.sentiment import _BATCH_FIX, score_texts
from jmtools.analyses.textprep import own_words
from jmtools.core.errors import DataError, ParameterError, Problem, suggest, whole_number
from jmtools.core.metrics import EMOTION_DOMAIN, SCALES, Scale
from jmtools.core.patterns import compile_pattern
from jmtools.core.vocabulary import ALL

__all__ = ["score_to_valence", "resolve_scales", "survey_valence", "text_valence", "feedback_valence",
           "behaviour_valence", "assumed_valence", "BEHAVIOUR_RULES", "CONTACT_PATTERN",
           "CONTACT_CLOSE_PATTERN", "ALL_PERSONAS", "COMPLAINT_UNRATED"]

#: Why an unrated row from a complaint channel (``source``, D163) has no valence (D176).
COMPLAINT_UNRATED = "from a complaint channel (no rating)"

#: Behaviour rules a user can opt into.
BEHAVIOUR_RULES = ("abandonment", "errors", "repeated_contacts")

#: Default contact events: contact/support/ticket/call/chat/complaint events that open a
#: contact (names ending in _end, _close(d), _resolved or _closed are the same contact ending).
CONTACT_PATTERN = r"(?i).*(contact|support|ticket|call|chat|complain).*"
#: Events that match :data:`CONTACT_PATTERN` but close a contact rather than open one.
CONTACT_CLOSE_PATTERN = r"(?i).*_(end|ended|close|closed|resolved)"

#: Persona name used for "every customer" (the overall curve).
ALL_PERSONAS = ALL

_LOW, _HIGH = EMOTION_DOMAIN


def score_to_valence(score, scale: Scale):
    """Map survey scores on ``scale`` linearly onto −2..+2 (NPS by band, D232).

    Parameters
    ----------
    score : float or array-like
        Scores on the scale (not checked here; :func:`survey_valence` checks).
    scale : jmtools.core.metrics.Scale
        The declared scale; ``higher_is_better=False`` reverses the mapping.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> score_to_valence([1, 2, 3, 4, 5], SCALES["csat"]).tolist()
    [-2.0, -1.0, 0.0, 1.0, 2.0]
    >>> score_to_valence([0, 6, 7, 8, 9, 10], SCALES["nps"]).tolist()
    [-2.0, -2.0, 0.0, 0.0, 2.0, 2.0]
    >>> score_to_valence([1, 4, 7], SCALES["ces"]).tolist()
    [2.0, 0.0, -2.0]
    """
    x = np.asarray(score, dtype=float)
    frac = (x - scale.low) / (scale.high - scale.low)
    v = _LOW + (_HIGH - _LOW) * frac if scale.higher_is_better else _HIGH - (_HIGH - _LOW) * frac
    v = nps_valence(x) if scale.name == "nps" else v
    return float(v) if v.ndim == 0 else v


def resolve_scales(scales: Mapping | None = None) -> dict[str, Scale]:
    """The default scales (``jmtools.core.metrics.SCALES``) updated with the caller's.

    Parameters
    ----------
    scales : mapping, optional
        metric → :class:`~jmtools.core.metrics.Scale`, ``(low, high)`` or
        ``(low, high, higher_is_better)``. Metric names are case-insensitive.

    Examples
    --------
    >>> s = resolve_scales({"CSAT": (1, 7), "ease": (1, 10, True)})
    >>> s["csat"], s["ease"].high
    (Scale(name='csat', low=1, high=7, higher_is_better=True), 10)
    """
    out = dict(SCALES)
    for name, spec in (scales or {}).items():
        key = str(name).lower()
        if isinstance(spec, Scale):
            out[key] = Scale(key, spec.low, spec.high, spec.higher_is_better)
        elif isinstance(spec, (tuple, list)) and len(spec) in (2, 3):
            out[key] = Scale(key, *spec)
        else:
            raise ParameterError(f"scales[{name!r}]", spec,
                                 expected="a Scale, (low, high) or (low, high, higher_is_better)")
        if not out[key].high > out[key].low:
            raise ParameterError(f"scales[{name!r}]", spec, expected="low < high")
    return out


def _positions(mask) -> str:
    pos = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(p) for p in pos[:5])
    return shown + (f" (+{len(pos) - 5} more)" if len(pos) > 5 else "")


def _require(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        hint = suggest(missing[0], frame.columns)
        raise DataError([Problem(
            f"no column {missing[0]!r} (columns: {', '.join(map(str, frame.columns))})",
            fix=(f"did you mean {hint!r}? pass it as the matching *_col argument" if hint else
                 "rename the column or pass its name as the matching *_col argument"),
            source=what, column=missing[0])])


def _finish(frame: pd.DataFrame, keep, dropped: dict[str, int], what: str) -> pd.DataFrame:
    out = frame.loc[np.asarray(keep)].reset_index(drop=True)
    dropped = {k: int(v) for k, v in dropped.items() if v}
    out.attrs["dropped"] = dropped
    if dropped:
        detail = "; ".join(f"{n} {reason}" for reason, n in dropped.items())
        warnings.warn(f"{what}: {sum(dropped.values())} rows dropped ({detail}) from the emotion curve", UserWarning,
                      stacklevel=3)
    return out


def survey_valence(surveys: pd.DataFrame, *, scales: Mapping | None = None,
                   metric_col: str = "metric", score_col: str = "score",
                   metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Valence of survey answers (CSAT, CES, NPS and custom scales).

    Parameters
    ----------
    surveys : pandas.DataFrame
        Canonical surveys table (``metric``, ``score`` and e.g. ``customer_id``,
        ``timestamp``, ``stage``/``touchpoint``); not modified.
    scales : mapping, optional
        Extra or overriding scales per metric, see :func:`resolve_scales`.
    metric_col, score_col : str
        Column roles.
    metrics : sequence of str, optional
        Use only these metrics (others are dropped and counted); default all.

    Returns
    -------
    pandas.DataFrame
        The input rows with a usable score, plus ``valence`` (−2..+2), ``source``
        (``survey:<metric>``) and ``evidence`` (``reported``). Rows with a missing
        score are dropped and counted in ``attrs["dropped"]``.

    Raises
    ------
    DataError
        A metric has no declared scale, or scores lie outside their scale.

    Examples
    --------
    >>> s = pd.DataFrame({"metric": ["csat", "nps", "ces", "CSAT7"], "score": [4, 10, 6, 7]})
    >>> survey_valence(s, scales={"csat7": (1, 7)})[["metric", "valence", "source"]].round(4)
      metric  valence        source
    0   csat   1.0000   survey:csat
    1    nps   2.0000    survey:nps
    2    ces  -1.3333    survey:ces
    3  CSAT7   2.0000  survey:csat7
    """
    _require(surveys, [metric_col, score_col], "surveys")
    table = resolve_scales(scales)
    metric = surveys[metric_col].astype("string").str.strip().str.lower()
    score = pd.to_numeric(surveys[score_col], errors="coerce")
    _check_metrics(metric, table, metric_col)
    low, high, better = (metric.map({k: getattr(sc, a) for k, sc in table.items()})
                         for a in ("low", "high", "higher_is_better"))
    low, high = low.astype(float), high.astype(float)
    _check_range(metric, score, low, high, score_col)
    frac = (score - low) / (high - low)
    out = surveys.copy()
    out["valence"] = np.where(metric.eq("nps").fillna(False).to_numpy(dtype=bool), nps_valence(score),   # by band (D232)
                              np.where(better.astype("boolean").fillna(True),
                                       _LOW + (_HIGH - _LOW) * frac, _HIGH - (_HIGH - _LOW) * frac))
    out["source"] = ("survey:" + metric.fillna("?")).astype(str)
    out["evidence"] = "reported"
    keep = score.notna() & metric.notna()
    wanted = keep & (metric.isin([m.lower() for m in metrics]) if metrics is not None else True)
    dropped = {"missing metric": int(metric.isna().sum()),
               "missing score": int((score.isna() & metric.notna()).sum()),
               "metric not selected": int((keep & ~wanted).sum())}
    return _finish(out, wanted.fillna(False).to_numpy(dtype=bool), dropped, "surveys")


def _check_metrics(metric: pd.Series, table: Mapping[str, Scale], metric_col: str) -> None:
    unknown = sorted(set(metric.dropna()) - set(table))
    if not unknown:
        return
    hint = suggest(unknown[0], table)
    more = f" (and {len(unknown) - 1} more: {', '.join(unknown[1:4])})" if len(unknown) > 1 else ""
    raise DataError([Problem(
        f"no scale declared for metric {unknown[0]!r}{more}; known: {', '.join(sorted(table))}",
        fix=(f"did you mean {hint!r}? " if hint else "")
        + f"declare it, e.g. scales={{{unknown[0]!r}: (1, 5)}} (low, high[, higher_is_better])",
        source="surveys", column=metric_col)])


def _check_range(metric, score, low, high, score_col: str) -> None:
    outside = score.notna() & ((score < low) | (score > high))
    if not outside.any():
        return
    first = outside.to_numpy().nonzero()[0][0]
    raise DataError([Problem(
        f"{int(outside.sum())} scores lie outside their metric's scale "
        f"(row {first}: {metric.iloc[first]} = {score.iloc[first]:g}, scale "
        f"{low.iloc[first]:g}..{high.iloc[first]:g}; rows {_positions(outside)})",
        fix="correct the scores, or declare the metric's real scale with scales={...}",
        source="surveys", column=score_col)])


def text_valence(score):
    """Valence of a text score in [−1, 1]: ``2 × score``.

    Examples
    --------
    >>> text_valence([-1.0, -0.25, 0.0, 0.8]).tolist()
    [-2.0, -0.5, 0.0, 1.6]
    """
    v = np.asarray(score, dtype=float) * _HIGH
    return float(v) if v.ndim == 0 else v


def feedback_valence(feedback: pd.DataFrame, *, text_col: str = "text", rating_col: str | None = "rating",
                     rating_scale=(1, 5), calibrate: bool = True, scorer=None,
                     n_jobs: int | None = -1, batch_size: int = 5000, seed: int = 0,
                     brand_words: Sequence[str] = ()) -> pd.DataFrame:
    """Valence of feedback: from the row's rating when it has one, else from its text.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Canonical feedback table; not modified.
    text_col : str, default "text"
    rating_col : str or None, default "rating"
        Ratings given with the text (stars, CSAT, thumbs; see
        :func:`jmtools.analyses.calibration.rating_valence`). Used when the column exists;
        None ignores it.
    rating_scale : (low, high) or (low, high, higher_is_better), default (1, 5)
    calibrate : bool, default True
        Fit a text model on the rated rows and use it for the unrated ones when it is
        measurably better than VADER (:func:`jmtools.analyses.calibration.calibrate_sentiment`).
    scorer, n_jobs, batch_size
        Passed to :func:`jmtools.analyses.sentiment.score_texts`; a ``scorer`` replaces both
        VADER and the calibration for unrated rows.
    seed : int, default 0
        Seed of the calibration's folds.
    brand_words : sequence of str
        Brand and product words the calibrated model leaves out.

    Returns
    -------
    pandas.DataFrame
        Rows with a rating or a non-blank text, plus ``sentiment`` (the text score in [−1, 1], NaN without
        text; an unrated request to correct, fix or refund at most the complaint cut: D261), ``valence``,
        ``used`` ("rating", "text (VADER)", "text (calibrated)", "text (<scorer>)" or, for such a request in a
        language no score reads, "text (request, German)": the cut itself, D266; what the valence was computed from),
        ``source`` (``feedback``) and ``evidence`` (``reported``). Rows with neither are
        dropped and counted in ``attrs["dropped"]``, and so are unrated texts in a language
        other than English (:func:`jmtools.analyses.language.detect_language`) that the
        text score cannot read: VADER reads English only, a model calibrated on the ratings
        the languages it learned (:func:`~jmtools.analyses.language.languages_read`), a
        scorer you bring every text; and unrated rows whose ``source`` names a complaint channel
        (:data:`COMPLAINT_UNRATED`). ``attrs["languages"]`` counts the texts with words no score
        read (a complaint channel's too: D234), per language ("" for the rest; empty when every
        text was read);
        ``attrs["calibration"]`` holds the calibration report (VADER and the model side by
        side) when one was made, and ``attrs["used"]`` counts rows per ``used``. An unrated request to correct,
        fix or refund in German, French, Spanish or Dutch is kept (a complaint), not counted as left out.

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["Love it", "Hate the slow delivery"]})
    >>> feedback_valence(fb)[["sentiment", "valence", "used"]]
       sentiment  valence          used
    0     0.6369   1.2738  text (VADER)
    1    -0.5719  -1.1438  text (VADER)
    >>> fb = pd.DataFrame({"text": ["it has never worked.", "ok"], "rating": [1, None]})
    >>> feedback_valence(fb)[["sentiment", "valence", "used"]]
       sentiment  valence          used
    0      0.000   -2.000        rating
    1      0.296    0.592  text (VADER)
    """
    whole_number("seed", seed, at_least=0, fix="pass any whole number from 0, e.g. 0")
    whole_number("batch_size", batch_size, fix=_BATCH_FIX)
    _require(feedback, [text_col], "feedback")
    text = feedback[text_col].map(own_words)   # an e-mail's own words: no quoted reply, no signature
    blank = (text.isna() | text.map(lambda t: not isinstance(t, str) or not t.strip())).to_numpy()
    rated = np.full(len(feedback), np.nan)
    if rating_col is not None and rating_col in feedback.columns:
        rated = rating_valence(feedback[rating_col], scale=rating_scale)
    has_rating = np.isfinite(rated)
    calibration = None
    text_used = f"text ({getattr(scorer, 'name', type(scorer).__name__)})" if scorer else "text (VADER)"
    # the lexicon (and a model calibrated beside it) reads English only; a scorer brought reads all (D143)
    language = detect_language(text) if scorer is None else np.full(len(text), "", dtype=object)
    # a complaint channel's row says something went wrong, not how it felt: its words (often an agent's
    # note: "agent promised credit note" reads as praise) are no feeling; its rating, where given, is (D176)
    complaint = complaint_channel(feedback) & ~has_rating & ~blank
    other = ~blank & (language != "en") & (language != "")      # a complaint's language is said too (D234)
    foreign = other & ~complaint
    if scorer is None and calibrate and has_rating.any():
        train = has_rating & ~blank        # a model fitted on ratings learns every language rated
        calibration = calibrate_sentiment(text[train].astype(str).tolist(), rated[train], seed=seed,
                                          brand_words=brand_words)
        if calibration.use_calibrated:
            scorer, text_used = calibration.scorer, calibration.scorer_name
            read = list(languages_read(fitted_rows(calibration, language[train]), fitted_rows(calibration, rated[train]),
                                       calibration.held_out["score"]))
            foreign, other = foreign & ~np.isin(language, read), other & ~np.isin(language, read)
    asked, elsewhere, said = fault_asked(text, language, foreign, rated)   # "Bitte korrigieren": no score reads it, a
    foreign, other = foreign & ~elsewhere, other & ~elsewhere                 # complaint by its words all the same (D266)
    scores = score_texts(text.where(~foreign & ~complaint & ~elsewhere), scorer=scorer, n_jobs=n_jobs, batch_size=batch_size)
    cut = calibration.negative_cut if calibration is not None else NEGATIVE_AT_OR_BELOW   # "Please correct it.": a
    scores = np.where(asked, np.fmin(scores, cut), scores)   # complaint (D261); unscored: the cut itself
    out = feedback.copy()
    out["sentiment"], out["valence"] = scores, np.where(has_rating, rated, text_valence(scores))
    out["used"] = np.where(has_rating, "rating", np.where(elsewhere, said, text_used))
    out["source"], out["evidence"] = "feedback", "reported"
    keep = has_rating | (~blank & ~foreign & ~complaint)
    result = _finish(out, keep, {"blank text": int((~keep & blank).sum()),
                                 "not in English (no rating)": int((~keep & foreign).sum()),
                                 COMPLAINT_UNRATED: int(complaint.sum())}, "feedback")
    result.attrs["used"] = result["used"].value_counts().to_dict()
    unread = np.where(other, language, "")[~blank]        # texts per language no text score read
    result.attrs["languages"] = pd.Series(unread).value_counts().to_dict() if other.any() else {}
    if calibration is not None:
        result.attrs["calibration"] = calibration.report.copy()   # the calibration is shared
        result.attrs["calibration_reason"] = calibration.reason
    return result


def _rule_list(rules) -> list[str]:
    rules = [rules] if isinstance(rules, str) else list(rules)
    for r in rules:
        if r not in BEHAVIOUR_RULES:
            raise ParameterError("rules", r, expected=list(BEHAVIOUR_RULES))
    return rules


def behaviour_valence(events: pd.DataFrame, stages: Sequence[str], *,
                      rules: Sequence[str] = BEHAVIOUR_RULES,
                      error_pattern: str = r"(?i).*(error|fail|declin|timeout).*",
                      contact_pattern: str = CONTACT_PATTERN,
                      contact_close_pattern: str | None = CONTACT_CLOSE_PATTERN,
                      repeat_threshold: int = 2, customer_col: str = "customer_id",
                      time_col: str = "timestamp", event_col: str = "event",
                      stage_col: str = "stage", company: pd.DataFrame | None = None) -> pd.DataFrame:
    """Valence from behaviour (opt-in): one row per customer and stage reached.

    Parameters
    ----------
    events : pandas.DataFrame
        Events with a stage per event (the prepared events of
        :mod:`jmtools.evidence`, or raw events with a ``stage`` column). Events
        with no stage are dropped and counted.
    stages : sequence of str
        Stage names in journey order (``journey.stage_names``).
    rules : sequence of str, default all
        Which of ``abandonment``, ``errors``, ``repeated_contacts`` to apply.
    error_pattern, contact_pattern : str
        Regular expressions (full match, RE2 syntax like the journey's event patterns) for
        error events and for contact events (default :data:`CONTACT_PATTERN`).
    contact_close_pattern : str or None
        Contact events that close a contact rather than open one (default
        :data:`CONTACT_CLOSE_PATTERN`: ``support_chat_start`` counts, ``support_chat_end``
        does not); None counts every contact event.
    repeat_threshold : int, default 2
        Contact events at one stage from which contacts count as repeated.
    customer_col, time_col, event_col, stage_col : str
        Column roles.
    company : pandas.DataFrame, optional
        The company's own contacts (``customer_col``, ``stage_col``, optionally ``first_seen``): a
        journey they carry on past the customer's furthest stage is not abandoned there (D231).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id``, ``stage`` (ordered categorical), ``timestamp``
        (the customer's last event at that stage), ``first_seen`` (their first event there),
        ``events`` (count),
        ``abandoned``, ``error``, ``repeated_contact`` (booleans; False when the
        rule is not applied), ``carried_on`` (where the company carried the journey on past the
        row's stage: its first contact at a later stage; else NaT, D242), ``valence`` = max(−2,
        −(number of rules that fire)), ``source`` (``behaviour``) and ``evidence`` (``measured``).

    Examples
    --------
    >>> ev = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b", "b", "b"],
    ...     "timestamp": pd.to_datetime(["2026-01-01"] * 6) + pd.to_timedelta(range(6), "h"),
    ...     "event": ["view", "payment_error", "buy", "view", "contact_us", "contact_us"],
    ...     "stage": ["Browse", "Buy", "Buy", "Browse", "Browse", "Browse"]})
    >>> out = behaviour_valence(ev, ["Browse", "Buy"])
    >>> out[["customer_id", "stage", "abandoned", "error", "repeated_contact", "valence"]]
      customer_id   stage  abandoned  error  repeated_contact  valence
    0           a  Browse      False  False             False      0.0
    1           a     Buy      False   True             False     -1.0
    2           b  Browse       True  False              True     -2.0
    """
    whole_number("repeat_threshold", repeat_threshold, fix="pass e.g. 2: two or more contacts count as repeated")
    rules = _rule_list(rules)
    _require(events, [customer_col, time_col, event_col, stage_col], "events")
    stage = _checked_stages(events[stage_col].astype("string"), list(stages), stage_col)
    ev = pd.DataFrame({"customer_id": events[customer_col].astype("string"),
                       "timestamp": events[time_col], "event": events[event_col].astype("string"),
                       "stage": stage})
    no_stage = int(ev["stage"].isna().sum())
    ev = ev[ev["stage"].notna()]
    codes, names = pd.factorize(ev["event"].fillna(""))     # match each event name once
    names = pd.Series(names, dtype="string")
    err_rx = compile_pattern(error_pattern, name="error_pattern")
    contact_rx = compile_pattern(contact_pattern, name="contact_pattern")
    close_rx = (compile_pattern(contact_close_pattern, name="contact_close_pattern")
                if contact_close_pattern else None)
    is_err = np.array([bool(err_rx.fullmatch(n)) for n in names], dtype=bool)
    is_contact = np.array([bool(contact_rx.fullmatch(n)) and not (close_rx and close_rx.fullmatch(n))
                           for n in names], dtype=bool)
    ev = ev.assign(_err=is_err[codes] if len(names) else np.zeros(len(ev), bool),
                   _contact=is_contact[codes] if len(names) else np.zeros(len(ev), bool))
    out = ev.groupby(["customer_id", "stage"], observed=True, sort=True).agg(
        timestamp=("timestamp", "max"), first_seen=("timestamp", "min"), events=("event", "size"),
        _err=("_err", "any"),
        _contacts=("_contact", "sum")).reset_index()
    codes = pd.Series(out["stage"].cat.codes, index=out.index)
    furthest = codes.groupby(out["customer_id"]).transform("max")
    contacts = company_codes(company, stages, customer_col, stage_col)
    went = journey_went_on(codes, out["customer_id"], contacts, len(stages))
    out["abandoned"] = ("abandonment" in rules) & (codes == furthest) & (furthest < len(stages) - 1) & ~went
    out["carried_on"] = carried_on_at(codes, out["customer_id"], contacts).where(went)
    out["error"] = ("errors" in rules) & out.pop("_err").astype(bool)
    out["repeated_contact"] = ("repeated_contacts" in rules) & (
        out.pop("_contacts") >= repeat_threshold)
    fired = out[["abandoned", "error", "repeated_contact"]].sum(axis=1)
    out["valence"] = np.maximum(_LOW, -fired.astype(float)) + 0.0  # no -0.0
    out["source"] = "behaviour"
    out["evidence"] = "measured"
    return _finish(out, np.ones(len(out), dtype=bool),
                   {"event without stage": no_stage}, "events")


def _checked_stages(stage: pd.Series, stages: list[str], stage_col: str) -> pd.Categorical:
    """Stage names as an ordered categorical in journey order; unknown names are an error."""
    if len(set(stages)) != len(stages) or not stages:
        raise ParameterError("stages", stages, expected="unique stage names in journey order")
    unknown = sorted(set(stage.dropna()) - set(stages))
    if unknown:
        hint = suggest(unknown[0], stages)
        raise DataError([Problem(
            f"stage {unknown[0]!r} is not a stage of the journey ({', '.join(stages)})",
            fix=f"did you mean {hint!r}?" if hint else "map events to the journey's stage names",
            source="events", column=stage_col)])
    return pd.Categorical(stage, categories=stages, ordered=True)


def _stage_emotions(journey) -> list[tuple[str, object]]:
    """(stage, emotion) pairs in journey order from a Journey or a mapping."""
    if isinstance(journey, Mapping):
        return list(journey.items())
    pairs = []
    for st in getattr(journey, "stages", []):
        if isinstance(st, Mapping):
            pairs.append((st["name"], st.get("emotion")))
        else:
            pairs.append((st.name, getattr(st, "emotion", None)))
    return pairs


def _check_assumed(value, where: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not (_LOW <= v <= _HIGH):
        raise DataError([Problem(
            f"assumed emotion must be a number from {_LOW:g} to {_HIGH:g} — got {value!r}",
            fix="enter the workshop's emotion on the −2..+2 scale", source="journey",
            column=where)])
    return v


def assumed_valence(journey, *, personas: Sequence[str] | None = None) -> pd.DataFrame:
    """The workshop's assumed emotion per stage and persona, labelled ``assumed``.

    Parameters
    ----------
    journey : jmtools.journey.Journey or mapping
        A Journey (its stages' ``emotion``) or a mapping stage → number or
        stage → {persona: number}, in journey order.
    personas : sequence of str, optional
        Persona names to spell out; default: the journey's personas and every
        persona named in the emotions. A single number applies to every persona.

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``stage`` (ordered categorical, every stage), ``valence``
        (NaN where the workshop gave none), ``source`` (``workshop``) and
        ``evidence`` (``assumed``). Persona ``"all"`` is the stage's number, or
        the mean over personas when the workshop gave one per persona.

    Examples
    --------
    >>> assumed_valence({"Browse": 1, "Buy": {"Ben": -1, "Maya": 0}, "Return": None})
      persona   stage  valence    source evidence
    0     all  Browse      1.0  workshop  assumed
    1     all     Buy     -0.5  workshop  assumed
    2     all  Return      NaN  workshop  assumed
    3     Ben  Browse      1.0  workshop  assumed
    4     Ben     Buy     -1.0  workshop  assumed
    5     Ben  Return      NaN  workshop  assumed
    6    Maya  Browse      1.0  workshop  assumed
    7    Maya     Buy      0.0  workshop  assumed
    8    Maya  Return      NaN  workshop  assumed
    """
    pairs = _stage_emotions(journey)
    stages = [s for s, _ in pairs]
    named = [p for _, e in pairs if isinstance(e, Mapping) for p in e]
    if personas is None:
        personas = [*getattr(journey, "persona_names", []), *named]
    names = list(dict.fromkeys(personas))
    rows = []
    for persona in [ALL_PERSONAS, *names]:
        for i, (stage, emotion) in enumerate(pairs):
            where = f"stages[{i}].emotion"
            if isinstance(emotion, Mapping):
                vals = {p: _check_assumed(v, f"{where}.{p}") for p, v in emotion.items()}
                v = (float(np.mean(list(vals.values()))) if persona == ALL_PERSONAS and vals
                     else vals.get(persona, np.nan))
            else:
                v = np.nan if emotion is None else _check_assumed(emotion, where)
            rows.append((persona, stage, v))
    out = pd.DataFrame(rows, columns=["persona", "stage", "valence"])
    out["stage"] = pd.Categorical(out["stage"], categories=stages, ordered=True)
    out["valence"] = out["valence"].astype(float)
    out["source"] = "workshop"
    out["evidence"] = "assumed"
    return out
