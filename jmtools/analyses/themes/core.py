"""The themes run: select, model, label, count and quote (see :mod:`jmtools.analyses.themes`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

import warnings

from jmtools.analyses.calibration import calibrate_sentiment, complaint_mask, fitted_rows, rating_valence
from jmtools.analyses.complaints import COMPLAINT_SOURCE, complaint_channel, fit_complaints, fit_praise  # noqa: F401
from jmtools.analyses.language import detect_language, languages_read
from jmtools.analyses.sentiment import fault_requests, score_texts
from jmtools.analyses.textprep import handle_words, own_words
from jmtools.analyses.themes.model import (assign, centroids, choose_k, nmf, refine, theme_order,
                                           theme_stability, vectorise)
from jmtools.analyses.themes.labels import _CLEAR, _labels, distinct_quotes, quote_scores
from jmtools.analyses.themes.text import (_ids_masked, _masked, _sentences, _stock_counts, pii_context_words,
                                          stock_sentences)
from jmtools.core.errors import DataError, ParameterError, Problem, suggest, whole_number
from jmtools.core.vocabulary import NO_PERSONA

__all__ = ["POLARITIES", "NEGATIVE_BELOW", "POSITIVE_ABOVE", "CONTENT_CLEAR", "MAX_SHARE", "N_THEMES", "Themes",
           "find_themes", "themes_at", "themes_for"]

#: Which feedback to theme.
POLARITIES = ("negative", "positive", "all")

#: Sentiment cut-offs (VADER's conventional ±0.05): negative ≤ −0.05, positive ≥ 0.05.
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05

#: A theme holding more than this share of the themed texts is split, or flagged.
MAX_SHARE = 0.35

#: Default number of themes: NMF components, then near-duplicates merged and dominant themes
#: split. Chosen over ``"auto"`` by measurement (``benchmarks/bench_themes_k.py``,
#: docs/decisions.md D24): as good or better at recovering planted themes, 1.4–4× less CPU.
N_THEMES = 10

@dataclass
class Themes:
    """The result of :func:`find_themes`: four tidy frames and the run's accounting.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per theme, largest first: ``theme`` (1, 2, …), ``label``,
        ``top_terms`` (list), ``top_phrases`` (list), ``n`` (texts assigned),
        ``share`` (of all the texts chosen — every complaint, say — those in no theme
        included: :func:`~jmtools.analyses.themes.share_basis` says it), ``n_customers`` (distinct customers, when the
        feedback has a customer column), ``mean_sentiment``, ``top_stage``,
        ``top_touchpoint``, ``top_persona`` (where the theme is most frequent),
        ``quotes`` (list of masked representative quotes) and ``stability`` (how well the
        theme's texts are found together again on 80% subsamples, 0..1).
    documents : pandas.DataFrame
        One row per themed text: the id, customer, stage, touchpoint and persona columns
        present, ``sentiment`` (the text score), ``theme`` (0 = unassigned), ``label``,
        ``weight`` (the text's similarity to its theme as a share of its similarity to
        all themes), ``quote`` (masked text), ``strength`` (cosine similarity of the
        text's TF-IDF to its theme's profile) and ``quote_score`` (strength × coverage of
        the theme's top terms × enough content, plus 1.5 when the text is clearly its theme's:
        at least 1.5 times as similar to it as to any other; quotes are the highest, D215).
    counts : pandas.DataFrame
        ``theme, label, dimension`` (stage / touchpoint / persona), ``value``, ``n``,
        ``n_customers`` (distinct customers who wrote those texts; NaN without a customer
        column), ``n_value`` (themed texts at that value), ``share`` (n ÷ n_value) — every
        theme × value pair, zeros kept, in journey order when given.
    quotes : pandas.DataFrame
        ``theme, label, rank, weight`` and the id / stage / touchpoint / persona
        columns, ``quote`` (masked).
    polarity : str
        Which feedback was themed ("negative", "positive" or "all").
    accounting : dict
        ``rows_in``, ``rows_used``, ``dropped`` (reason → count), ``polarity from``
        (rows decided by rating / by text / by a request not in English, D266), ``requests not in English``
        (unrated requests to correct, fix or refund per language: complaints), ``polarity check`` (the calibration report:
        complaint recall and precision on rated rows) when made, ``complaint check`` (the
        complaint classifier beside the cut, held out, with n and 95% intervals, and which
        decides; for complaints when a calibration was made) or ``praise check`` (the same
        for praise), ``text scorer`` (what decides the rows without a rating), ``languages``
        (texts no score read, per language; "" for the rest), ``choice of n_themes``
        (the measurements per candidate number) with ``n_themes="auto"``, texts left
        unassigned, ``stock sentences left out`` (of texts that say something else), ``texts of
        stock sentences only (kept whole)``, ``words said only beside personal data (left out)``,
        ``merged themes`` (of them ``merged as one reason (shared leading words)``), ``split themes``
        and ``warnings`` (dominant themes).
    """

    summary: pd.DataFrame
    documents: pd.DataFrame
    counts: pd.DataFrame
    quotes: pd.DataFrame
    accounting: dict = field(default_factory=dict)
    polarity: str = "negative"

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        cols = ["theme", "label", "n", "share", "top_stage", "top_touchpoint"]
        return self.summary[[c for c in cols if c in self.summary]].to_html(index=False)


def _check_cols(frame: pd.DataFrame, cols: dict[str, str | None]) -> None:
    for role, col in cols.items():
        if col is not None and col not in frame.columns:
            hint = suggest(col, [str(c) for c in frame.columns])
            raise ParameterError(role, col, expected="a column of the feedback table",
                                 fix=f"did you mean {hint!r}?" if hint else
                                 f"columns are: {', '.join(map(str, frame.columns))}")


def find_themes(feedback: pd.DataFrame, *, n_themes: int | str = N_THEMES, polarity: str = "negative",
                text_col: str = "text", sentiment_col: str = "sentiment",
                id_col: str | None = "feedback_id", stage_col: str | None = "stage",
                touchpoint_col: str | None = "touchpoint", persona_col: str | None = "persona",
                customer_col: str | None = "customer_id", rating_col: str | None = "rating",
                rating_scale=(1, 5),
                stages: Sequence[str] | None = None, seed: int = 0, min_df: int = 2,
                max_features: int = 5000, n_terms: int = 8, n_quotes: int = 3,
                scorer=None, brand_words: Sequence[str] = (), customer_ids=(), max_themes: int = 15,
                max_share: float = MAX_SHARE, merge_above: float = 0.5,
                stability: bool = True) -> Themes:
    """Group feedback texts into themes (TF-IDF + NMF), label them, count them, quote them.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Canonical feedback (``text`` plus optional ``stage``, ``touchpoint`` and a
        ``persona`` column joined from the persona assignment). Not modified.
    n_themes : int or "auto", default :data:`N_THEMES` (10)
        Number of themes (NMF components) before near-duplicates are merged, or "auto":
        measured on the data (stability across 80% subsamples + coherence, see
        :mod:`jmtools.analyses.themes.model`), at most ``max_themes`` — slower, and no better
        at finding planted themes (docs/decisions.md D24). Fewer when there are fewer texts
        or terms.
    polarity : {"negative", "positive", "all"}, default "negative"
        Which feedback to theme. A row with a rating is a complaint when its rating is
        below the scale's midpoint (praise above); an unrated row, or one rated at the
        midpoint, by its text score
        (``sentiment_col``, or scored) against a cut calibrated on the rated rows
        (:mod:`jmtools.analyses.calibration`), else :data:`NEGATIVE_BELOW` / :data:`POSITIVE_ABOVE`.
        An unrated text in a language the scoring cannot read (VADER reads English; a model
        calibrated on ratings the languages it learned, :mod:`jmtools.analyses.language`) is
        neither, and counted ("not in English (no rating)").
    text_col, sentiment_col, id_col, customer_col, stage_col, touchpoint_col, persona_col : str
        Column roles. Optional roles whose column is absent are skipped; a missing
        ``sentiment_col`` is scored (by the calibrated model when ratings make one
        measurably better, else VADER or ``scorer``) when polarity needs it.
    rating_col : str or None, default "rating"
        Ratings given with the text (used when the column exists).
    rating_scale : (low, high), default (1, 5)
    stages : list of str, optional
        Stage order (the journey's ``stage_names``); counts keep every stage, in order.
    seed : int, default 0
        Seed of the NMF start, so the same data gives the same themes.
    min_df : int, default 2
        A term must appear in at least this many texts.
    max_features, n_terms, n_quotes : int
        Vocabulary size, terms listed per theme, quotes kept per theme.
    scorer : callable, optional
        Text scorer for :func:`jmtools.analyses.sentiment.score_texts`.
    brand_words : sequence of str
        Your brand and product words, left out of terms and labels (handles that appear in
        1% of the texts are left out too).
    customer_ids : iterable of str, optional
        The customer table's ids (``customers["customer_id"]``). A word of a text equal to
        one, or to an id of the feedback itself (``customer_col`` and the columns named like
        an account, :func:`jmtools.analyses.privacy.known_ids`), reads ``[customer id]`` in
        every quote, term and label.
    max_themes : int, default 15
    max_share : float, default :data:`MAX_SHARE` (0.35)
        A theme holding more of the themed texts is split in two when its halves differ
        (term profiles less similar than ``merge_above``); otherwise it is kept whole and
        flagged (a warning, ``accounting["warnings"]``).
    merge_above : float, default 0.5
        Themes whose term profiles have at least this cosine similarity are merged; so are themes
        sharing two leading words (one reason said in several ways,
        :func:`~jmtools.analyses.themes.model.shared_leads`; docs/decisions.md D208).
    stability : bool, default True
        Measure each theme's stability on three 80% subsamples (``summary["stability"]``).

    Returns
    -------
    Themes
        ``summary``, ``documents``, ``counts``, ``quotes`` and ``accounting``.

    Examples
    --------
    >>> texts = (["hidden fees at checkout, shipping cost was a shock"] * 4
    ...          + ["no size chart on the product page, sizes run small"] * 4)
    >>> fb = pd.DataFrame({"text": texts, "sentiment": -0.5,
    ...                    "stage": ["Decision"] * 4 + ["Consideration"] * 4})
    >>> th = find_themes(fb, n_themes=2, id_col=None, touchpoint_col=None, persona_col=None)
    >>> th.summary[["theme", "n", "top_stage"]]
       theme  n      top_stage
    0      1  4       Decision
    1      2  4  Consideration
    """
    if polarity not in POLARITIES:
        raise ParameterError("polarity", polarity, expected=list(POLARITIES))
    if n_themes != "auto" and (not isinstance(n_themes, (int, np.integer)) or isinstance(n_themes, bool)
                               or n_themes < 1):
        raise ParameterError("n_themes", n_themes, expected="a whole number ≥ 1 or 'auto'",
                             fix=f"pass e.g. {N_THEMES} (the default), or 'auto' to measure it on the data")
    for name, value, low in (("seed", seed, 0), ("min_df", min_df, 1), ("max_features", max_features, 1),
                             ("n_terms", n_terms, 1), ("n_quotes", n_quotes, 0), ("max_themes", max_themes, 1)):
        whole_number(name, value, at_least=low)
    _check_cols(feedback, {"text_col": text_col})
    feedback = _ids_masked(feedback, text_col, customer_ids, customer_col, brand_words)   # no id (D157), no known surname (D227)
    feedback = feedback.assign(**{text_col: feedback[text_col].map(own_words)})   # no quoted reply or signature (D188)
    roles = {r: c for r, c in (("id", id_col), ("customer_id", customer_col), ("stage", stage_col),
                               ("touchpoint", touchpoint_col), ("persona", persona_col))
             if c is not None and c in feedback.columns}
    place = next((c for r, c in roles.items() if r in ("touchpoint", "stage")), None)
    stock = stock_sentences(feedback, text_col=text_col, place_col=place)
    pii_words = pii_context_words(feedback, text_col=text_col, place_col=place)   # carries personal data (D208)
    frame, accounting = _select(feedback, text_col, sentiment_col, polarity, scorer, rating_col,
                                rating_scale, seed, brand_words)
    frame = _drop_stock_flips(frame, text_col, polarity, stock, scorer, accounting)
    if frame.empty:
        raise DataError([Problem(f"no {polarity if polarity != 'all' else ''} feedback text to "
                                 f"group into themes (of {accounting['rows_in']} rows: "
                                 f"{accounting['dropped']})", source="feedback", column=text_col,
                                 fix="check the text column, or use polarity='all'")])
    texts = frame[text_col].tolist()
    brands = [*brand_words, *handle_words([_masked(t, brand_words) for t in texts])]  # no e-mail domain
    x, terms = vectorise(texts, min_df=min_df, max_features=max_features, stock=stock,
                         brand_words=brands, pii_words=pii_words)
    if n_themes == "auto":
        k, accounting["choice of n_themes"] = choose_k(x, seed=seed, max_themes=max_themes)
    else:
        k = int(n_themes)
    raw = assign(nmf(x, k, seed)[0])
    raw, notes = refine(x, raw, seed=seed, max_share=max_share, merge_above=merge_above,
                        words=np.array([" " not in t for t in terms]))
    order = theme_order(raw)                                 # largest theme first → 1
    theme = np.array([order.get(int(r), 0) for r in raw], dtype=int)
    ids = sorted(order, key=order.get)
    prof = centroids(x, raw, ids)
    labels, top_terms, top_phrases = _labels(prof, terms, [order[i] for i in ids], n_terms)
    strength, share = _strength(x, prof, theme)
    documents = _documents(frame, roles, text_col, theme, share, labels, brands)
    documents["strength"] = np.round(strength, 6)
    documents["quote_score"] = np.round(quote_scores(x, prof, theme, texts, strength), 6)
    accounting["unassigned (no known term)"] = int((theme == 0).sum())
    accounting.update(_stock_counts(texts, stock, brands))            # what the stock sentences took (D144)
    accounting["words said only beside personal data (left out)"] = sorted(pii_words)
    accounting["merged themes"], accounting["split themes"] = len(notes["merged"]), len(notes["split"])
    accounting["merged as one reason (shared leading words)"] = len(notes["one reason"])
    quotes = _quotes(documents, roles, n_quotes)
    counts = _counts(documents, roles, labels, stages)
    summary = _summary(documents, counts, labels, top_terms, top_phrases, quotes, roles)
    if stability and len(summary):
        by_raw = theme_stability(x, raw, k=max(k, len(ids)), seed=seed)
        summary["stability"] = summary["theme"].map({order[r]: v for r, v in by_raw.items()})
    _warn_dominant(summary, max_share, accounting)
    return Themes(summary, documents, counts, quotes, accounting, polarity)


def _strength(x, prof: np.ndarray, theme: np.ndarray):
    """Cosine similarity of each text to its theme's profile, and its share of all themes'."""
    from sklearn.preprocessing import normalize

    sims = np.asarray((normalize(x) @ normalize(prof).T)) if prof.size else np.zeros((x.shape[0], 0))
    own = np.where(theme > 0, sims[np.arange(len(theme)), np.maximum(theme - 1, 0)], 0.0) \
        if sims.shape[1] else np.zeros(len(theme))
    share = np.where(theme > 0, own / np.maximum(sims.sum(axis=1), 1e-12), 0.0)
    return own, share


def _warn_dominant(summary: pd.DataFrame, max_share: float, accounting: dict) -> None:
    limit = max(max_share, 1.5 / max(len(summary), 1))      # a half of two themes is not dominant
    themed = int(summary["n"].sum())
    big = summary[summary["n"] > limit * themed]
    accounting["warnings"] = [
        f"theme {r.theme} ({r.label!r}) holds {r.n / themed:.0%} of the {themed:,} texts in a theme (more "
        f"than {max_share:.0%}) and could not be split into different themes: read its quotes, or "
        "pass brand_words= if its label names your brand or product" for r in big.itertuples()]
    for message in accounting["warnings"]:
        warnings.warn(message, UserWarning, stacklevel=3)


def _select(feedback, text_col, sentiment_col, polarity, scorer, rating_col, rating_scale, seed,
            brand_words):
    text = feedback[text_col]
    blank = text.isna() | text.map(lambda t: not isinstance(t, str) or not t.strip())
    frame = feedback.loc[~blank].copy()
    rated = (rating_valence(frame[rating_col], scale=rating_scale)
             if rating_col is not None and rating_col in frame.columns else np.full(len(frame), np.nan))
    calibration, given = None, sentiment_col in frame.columns
    language = detect_language(frame[text_col])
    # VADER (and a model calibrated beside it) reads English only; a score given or a scorer brought reads all
    foreign = np.zeros(len(frame), bool) if given or scorer else (language != "en") & (language != "")
    if given:
        sentiment = pd.to_numeric(frame[sentiment_col], errors="coerce")
    else:
        ok = np.isfinite(rated)
        if scorer is None and polarity != "all" and ok.sum() >= 100:
            calibration = calibrate_sentiment(frame.loc[ok, text_col].astype(str).tolist(), rated[ok],
                                              seed=seed, brand_words=brand_words)
            scorer = calibration.scorer         # a model fitted on ratings reads the languages rated well
            foreign &= ~np.isin(language, list(languages_read(
                fitted_rows(calibration, language[ok]), fitted_rows(calibration, rated[ok]),
                calibration.held_out["score"]) if calibration.use_calibrated else ()))
        sentiment = pd.Series(score_texts(frame[text_col].where(~foreign), scorer=scorer, n_jobs=1),
                              index=frame.index)
    frame["sentiment"] = sentiment
    declared = complaint_channel(frame) if polarity != "all" else np.zeros(len(frame), bool)
    frame["_rated"] = np.isfinite(rated) & (rated != 0) & ~declared   # by its rating (midpoint: text)
    frame["_declared"] = declared           # a complaint log's row is a complaint whatever its words (D163)
    check = (None if calibration is None or polarity == "all"
             else fit_complaints(calibration) if polarity == "negative" else fit_praise(calibration))
    if polarity == "all":
        keep = pd.Series(True, index=frame.index)
    else:
        keep = pd.Series(complaint_mask(rated, sentiment.to_numpy(dtype=float), calibration=calibration,
                                        polarity=polarity, texts=frame[text_col].tolist()),
                         index=frame.index)
        keep = keep | declared if polarity == "negative" else keep & ~declared
    unread = (foreign & ~frame["_rated"].to_numpy() & ~declared if polarity != "all"
              else np.zeros(len(frame), bool))
    asked = unread & fault_requests(frame[text_col].tolist())    # "Bitte korrigieren …": a complaint, read (D266)
    unread &= ~asked
    dropped = {"blank text": int(blank.sum()), **({"not in English (no rating)": int(unread.sum())}
                                                   if unread.any() else {})}
    unread_languages = pd.Series(language[unread]).value_counts().to_dict() if unread.any() else {}
    if polarity != "all":
        dropped[f"not {polarity}"] = int((~keep & ~unread).sum())
    used = (keep & ~unread).to_numpy()
    out = frame.loc[used]
    accounting = {"rows_in": len(feedback), "rows_used": len(out), "dropped": dropped,
                  "polarity from": {"rating": int(out["_rated"].sum()),
                                    "text": int((~out["_rated"] & ~out["_declared"]).sum()) - int(asked[used].sum()),
                                    **({"request": int(asked[used].sum())} if asked[used].any() else {}),
                                    **({"source": int(out["_declared"].sum())} if declared.any() else {})},
                  "languages": pd.Series(np.where(foreign, language, "")).value_counts().to_dict(),
                  "unread languages": unread_languages,
                  "requests not in English": pd.Series(language[asked]).value_counts().to_dict()}
    if calibration is not None:
        accounting["polarity check"] = calibration.report.copy()   # the calibration is shared
        accounting["polarity check note"] = calibration.reason
    if check is not None:
        accounting[f"{_CHECK[polarity]} check"] = check.report.copy()
        accounting[f"{_CHECK[polarity]} check note"] = check.reason
    if polarity != "all":
        cut = {"negative": (calibration.negative_cut if calibration else NEGATIVE_BELOW),
               "positive": (calibration.positive_cut if calibration else POSITIVE_ABOVE)}[polarity]
        accounting["text cut"] = float(cut)
        accounting["text scorer"] = _text_scorer(check, calibration, scorer,
                                                 sentiment_col if given else None)
    return out, accounting


#: The accounting's name of each polarity's classifier check.
_CHECK = {"negative": "complaint", "positive": "praise"}


def _text_scorer(check, calibration, scorer, sentiment_col) -> str:
    """What decides the unrated rows, in words: the classifier, the calibrated model, the
    user's column, VADER or the scorer brought."""
    if check is not None and check.used:
        score = "the calibrated model's score" if calibration.use_calibrated else "VADER's score"
        return f"a {_CHECK[check.polarity]} classifier fitted on the ratings (with {score})"
    if calibration is not None and calibration.use_calibrated:
        return "a model calibrated on the ratings"
    if sentiment_col is not None:
        return f"the scores in column {sentiment_col!r}"
    if scorer is None or calibration is not None:
        return "VADER"
    return getattr(scorer, "name", type(scorer).__name__)


#: A text whose own sentences (without stock sentences) score at least this clearly the
#: other way is left out of the polarity its stock opener gave it ("Nothing special.
#: Comfortable and light, perfect for long runs." is praise, not a complaint).
CONTENT_CLEAR = 0.7


def _drop_stock_flips(frame, text_col, polarity, stock, scorer, accounting):
    if polarity == "all" or not stock or frame.empty:
        return frame
    by_text = frame[~frame["_rated"] & ~frame["_declared"]]    # a rating or a complaint source decides
    content = by_text[text_col].map(lambda t: ". ".join(p for p in _sentences(_masked(t)) if p not in stock))
    whole = by_text[text_col].map(lambda t: ". ".join(_sentences(_masked(t))))
    changed = content[(content != whole) & (content != "")]
    if changed.empty:
        return frame
    distinct = pd.unique(changed)
    score = dict(zip(distinct, score_texts(pd.Series(distinct), scorer=scorer, n_jobs=1)))
    cs = changed.map(score)
    flip = cs >= CONTENT_CLEAR if polarity == "negative" else cs <= -CONTENT_CLEAR
    accounting["dropped"][f"{polarity} only by a stock sentence"] = int(flip.sum())
    accounting["rows_used"] -= int(flip.sum())
    accounting["polarity from"]["text"] -= int(flip.sum())     # each was decided by its text: the parts add up
    return frame.drop(index=flip[flip].index)


def _documents(frame, roles, text_col, theme, share, labels, brands=()) -> pd.DataFrame:
    out = pd.DataFrame({r: frame[c].to_numpy() for r, c in roles.items()}, index=frame.index)
    out = out.rename(columns={"id": "feedback_id"})
    out["sentiment"] = frame["sentiment"].to_numpy()
    out["theme"] = theme
    out["label"] = [labels[int(t)] for t in theme]
    out["weight"] = np.round(share, 6)
    keep = tuple(brands)                       # the model read these same masked texts
    out["quote"] = frame[text_col].astype(str).map(lambda t: _masked(t, keep)).to_numpy()
    return out.reset_index(drop=True)


def _quotes(documents: pd.DataFrame, roles, n_quotes: int) -> pd.DataFrame:
    keep = [c for c in ("feedback_id", "customer_id", "stage", "touchpoint", "persona") if c in documents]
    ranked = (documents[documents["theme"] > 0]
              .sort_values(["theme", "quote_score", "strength", "quote"],
                           ascending=[True, False, False, True], kind="stable"))
    parts = []
    for _, grp in ranked.groupby("theme", sort=True):
        # a text clearly of its theme, even a near-repeat, before one unlike the others because
        # it reads as another theme (D215); those only when too few are clear
        clear = grp["quote_score"] >= _CLEAR
        chosen = distinct_quotes(grp.loc[clear, "quote"].tolist(), n_quotes)
        chosen += [q for q in distinct_quotes(grp.loc[~clear, "quote"].tolist(), n_quotes)
                   if q not in chosen][:n_quotes - len(chosen)]
        order = {q: i for i, q in enumerate(chosen)}
        part = grp[grp["quote"].isin(order)].drop_duplicates("quote")
        parts.append(part.iloc[part["quote"].map(order).argsort()])
    picked = pd.concat(parts) if parts else ranked.iloc[0:0].copy()
    picked["rank"] = picked.groupby("theme").cumcount() + 1
    return picked[["theme", "label", "rank", "weight", *keep, "quote"]].reset_index(drop=True)


def _counts(documents: pd.DataFrame, roles, labels, stages) -> pd.DataFrame:
    themes = sorted(t for t in labels if t > 0)
    parts = []
    for dim in ("stage", "touchpoint", "persona"):
        if dim not in roles:
            continue
        missing = NO_PERSONA if dim == "persona" else "(none)"
        values = documents[dim].astype(object).where(documents[dim].notna(), missing)
        seen = list(pd.unique(values))
        order = ([s for s in stages] + [v for v in sorted(map(str, seen)) if v not in stages]
                 if dim == "stage" and stages is not None else sorted(map(str, seen)))
        grid = pd.MultiIndex.from_product([themes, order], names=["theme", "value"])
        n = pd.Series(1, index=pd.MultiIndex.from_arrays([documents["theme"], values.astype(str)],
                                                         names=["theme", "value"]))
        n = n.groupby(level=[0, 1]).sum().reindex(grid, fill_value=0)
        n_value = values.astype(str)[documents["theme"] > 0].value_counts().reindex(order,
                                                                                     fill_value=0)
        part = n.rename("n").reset_index()
        part["n_customers"] = _customers_per_cell(documents, values, grid)
        part["n_value"] = part["value"].map(n_value).astype(int)
        part["dimension"] = dim
        parts.append(part)
    cols = ["theme", "label", "dimension", "value", "n", "n_customers", "n_value", "share"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["label"] = out["theme"].map(labels)
    out["share"] = np.where(out["n_value"] > 0, out["n"] / out["n_value"].where(out["n_value"] > 0, 1),
                            np.nan)
    return out[cols]


def _customers_per_cell(documents: pd.DataFrame, values: pd.Series, grid) -> np.ndarray:
    """Distinct customers per theme × value of ``grid`` (NaN without a customer column)."""
    if "customer_id" not in documents:
        return np.full(len(grid), np.nan)
    who = pd.DataFrame({"theme": documents["theme"].to_numpy(), "value": values.astype(str).to_numpy(),
                        "customer_id": documents["customer_id"].to_numpy()})
    n = who.groupby(["theme", "value"])["customer_id"].nunique()
    return n.reindex(grid, fill_value=0).to_numpy(dtype=float)


def _summary(documents, counts, labels, top_terms, top_phrases, quotes, roles) -> pd.DataFrame:
    themed = documents[documents["theme"] > 0]
    rows = []
    for theme in sorted(t for t in labels if t > 0):
        docs = themed[themed["theme"] == theme]
        row = {"theme": theme, "label": labels[theme], "top_terms": top_terms[theme],
               "top_phrases": top_phrases[theme], "n": len(docs),
               "share": len(docs) / len(documents) if len(documents) else np.nan,   # of all, themed or not
               "n_customers": (int(docs["customer_id"].nunique()) if "customer_id" in docs
                               else np.nan),
               "mean_sentiment": float(docs["sentiment"].mean()) if len(docs) else np.nan}
        for dim in ("stage", "touchpoint", "persona"):
            sub = counts[(counts["theme"] == theme) & (counts["dimension"] == dim)]
            row[f"top_{dim}"] = (sub.sort_values("n", ascending=False, kind="stable")["value"].iloc[0]
                                 if len(sub) and sub["n"].max() > 0 else None)
        row["quotes"] = quotes.loc[quotes["theme"] == theme, "quote"].tolist()
        rows.append(row)
    return pd.DataFrame(rows)


def themes_at(themes: Themes, *, stage: str | None = None, touchpoint: str | None = None,
              persona: str | None = None, min_n: int = 1) -> pd.DataFrame:
    """Themes of the texts at one stage / touchpoint / persona, most frequent first.

    Returns
    -------
    pandas.DataFrame
        ``theme, label, n`` (texts there in the theme), ``share`` (of the themed texts
        there), ``top_terms``.

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["hidden fees shock", "hidden fees again", "slow delivery",
    ...                             "slow delivery again"], "sentiment": -0.5,
    ...                    "stage": ["Decision", "Decision", "Post", "Post"]})
    >>> th = find_themes(fb, n_themes=2, min_df=1)
    >>> themes_at(th, stage="Post")[["label", "n", "share"]]
               label  n  share
    0  slow delivery  2    1.0
    """
    whole_number("min_n", min_n, fix="pass 1 to list every theme with a text here")
    docs = _where(themes.documents[themes.documents["theme"] > 0], stage, touchpoint, persona)
    n = docs.groupby("theme").size()
    out = n[n >= min_n].rename("n").reset_index()
    out["share"] = out["n"] / max(len(docs), 1)
    out = out.sort_values(["n", "theme"], ascending=[False, True], kind="stable")
    out["label"] = out["theme"].map(dict(zip(themes.summary["theme"], themes.summary["label"])))
    out["top_terms"] = out["theme"].map(dict(zip(themes.summary["theme"],
                                                 themes.summary["top_terms"])))
    return out[["theme", "label", "n", "share", "top_terms"]].reset_index(drop=True)


def themes_for(themes: Themes, *, persona: str | None = None, stage: str | None = None,
               touchpoint: str | None = None, stages: Sequence[str] | None = None,
               n_quotes: int = 3) -> Themes:
    """The same themes (same numbers and labels), counted and quoted on a subset of the texts.

    A report on one persona uses the themes found on everybody's feedback, so its themes
    and its pain points speak the same words, and shows that persona's texts only: its
    counts, shares, where they are and its quotes. Themes none of its texts chose are left
    out; the summary is ordered by the subset's counts.

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["hidden fees shock", "hidden fees again", "slow delivery",
    ...                             "slow delivery again"], "sentiment": -0.5,
    ...                    "persona": ["Ben", "Ben", "Maya", "Ben"]})
    >>> th = find_themes(fb, n_themes=2, min_df=1, id_col=None)
    >>> themes_for(th, persona="Maya").summary[["label", "n", "share"]]
               label  n  share
    0  slow delivery  1    1.0
    """
    whole_number("n_quotes", n_quotes, at_least=0, fix="pass 0 for no quotes, or e.g. 3")
    docs = _where(themes.documents, stage, touchpoint, persona)
    docs = docs.reset_index(drop=True)
    chosen = set(docs.loc[docs["theme"] > 0, "theme"])
    s = themes.summary[themes.summary["theme"].isin(chosen)]
    labels = {0: "(unassigned)", **dict(zip(s["theme"], s["label"]))}
    top_terms = dict(zip(s["theme"], s["top_terms"]))
    top_phrases = dict(zip(s["theme"], s["top_phrases"]))
    roles = {c: c for c in ("stage", "touchpoint", "persona") if c in docs}
    quotes = _quotes(docs, roles, n_quotes)
    counts = _counts(docs, roles, labels, stages)
    summary = _summary(docs, counts, labels, top_terms, top_phrases, quotes, roles)
    if len(summary):
        summary = summary.sort_values(["n", "theme"], ascending=[False, True],
                                      kind="stable").reset_index(drop=True)
    else:
        summary = themes.summary.iloc[0:0].copy()
    accounting = {"rows_in": len(themes.documents), "rows_used": len(docs),
                  "filter": {k: v for k, v in (("persona", persona), ("stage", stage),
                                               ("touchpoint", touchpoint)) if v is not None}}
    return Themes(summary, docs, counts, quotes, accounting, themes.polarity)


def _where(docs: pd.DataFrame, stage, touchpoint, persona) -> pd.DataFrame:
    """The documents at this stage, touchpoint and persona (None: any)."""
    for dim, value in (("stage", stage), ("touchpoint", touchpoint), ("persona", persona)):
        if value is None:
            continue
        if dim not in docs:
            raise ParameterError(dim, value, expected=f"no {dim} filter: the feedback had no {dim}")
        docs = docs[docs[dim] == value]
    return docs
