"""Themes in feedback text: what customers complain (or rave) about, where and who.

:func:`find_themes` groups feedback into themes with scikit-learn:

1. keep the feedback of the chosen polarity — negative (sentiment ≤ −0.05, VADER's
   usual cut-off), positive (≥ 0.05) or all; the sentiment comes from a column, or is
   scored with :func:`jmtools.analyses.sentiment.score_texts` when the column is absent; a text
   whose polarity comes only from a stock sentence (its own sentences score clearly the
   other way, :data:`CONTENT_CLEAR`) is left out and counted;
2. turn each text into TF-IDF weights over words and two-word phrases of adjacent words
   within a sentence (English stop words and :data:`STOCK_WORDS` removed, and *stock
   sentences* — "Nothing special.", "Please fix this." — that recur at three or more
   touchpoints, :func:`stock_sentences`; sub-linear term frequency, terms in at least
   ``min_df`` texts);
3. factorise the TF-IDF matrix with NMF (non-negative matrix factorisation,
   ``nndsvda`` start, seeded) into ``n_themes`` themes: each theme is a weighted set
   of terms, each text a weighted mix of themes;
4. assign each text to its strongest theme (texts with no known term stay
   *unassigned*, and are counted), label each theme by its most distinctive terms
   (weight in the theme × the share of the term's weight that falls in this theme),
   preferring phrases ("shipping cost") over the words inside them, and count texts per
   stage, touchpoint and persona;
5. pick the most representative quotes (strongest weight in the theme) and mask
   e-mail addresses, phone and card numbers in them (:mod:`jmtools.analyses.privacy`).

Same data and seed → same themes, labels and quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.analyses.privacy import mask_quotes
from jmtools.analyses.sentiment import score_texts
from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.core.vocabulary import NO_PERSONA

__all__ = ["POLARITIES", "NEGATIVE_BELOW", "POSITIVE_ABOVE", "STOCK_WORDS", "CONTENT_CLEAR", "Themes",
           "find_themes", "themes_at", "themes_for", "stock_sentences", "distinct_quotes"]

#: Which feedback to theme.
POLARITIES = ("negative", "positive", "all")

#: Sentiment cut-offs (VADER's conventional ±0.05): negative ≤ −0.05, positive ≥ 0.05.
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05

#: Words that say how strongly someone feels, not what about: intensifiers, stock verdicts,
#: politeness and generic verbs. They are left out of theme terms (with English stop words),
#: so themes and labels are made of what the text is about ("delivery fee", "size chart").
STOCK_WORDS = frozenset("""
really very quite bit little slightly totally absolutely just also still again even overall
honestly definitely simply truly literally actually please thanks thank fix fixing fixed
improve improved need needs needed got get gets getting gave give given made make makes went
go going come came want wanted hope hoped keep let lot lots thing things way time times
experience process part whole frustrating frustrated terrible awful worst bad poor
disappointed disappointing disappointment annoying annoyed shame unacceptable acceptable
great good nice excellent love loved lovely happy amazing perfect fine okay ok special
fantastic brilliant super impressed letdown mixed feelings average better best worse wow
pleased satisfied unhappy horrible sad glad cool decent rubbish ridiculous honest sure
recommend recommended highly
""".split())


@dataclass
class Themes:
    """The result of :func:`find_themes`: four tidy frames and the run's accounting.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per theme, largest first: ``theme`` (1, 2, …), ``label``,
        ``top_terms`` (list), ``top_phrases`` (list), ``n`` (texts assigned),
        ``share`` (of the themed texts), ``mean_sentiment``, ``top_stage``,
        ``top_touchpoint``, ``top_persona`` (where the theme is most frequent),
        ``quotes`` (list of masked representative quotes).
    documents : pandas.DataFrame
        One row per themed text: the id, stage, touchpoint and persona columns
        present, ``sentiment``, ``theme`` (0 = unassigned), ``label``, ``weight``
        (share of the text's NMF weight on its theme), ``quote`` (masked text) and
        ``strength`` (the text's NMF weight on its theme; quotes are the strongest).
    counts : pandas.DataFrame
        ``theme, label, dimension`` (stage / touchpoint / persona), ``value``, ``n``,
        ``n_value`` (themed texts at that value), ``share`` (n ÷ n_value) — every
        theme × value pair, zeros kept, in journey order when given.
    quotes : pandas.DataFrame
        ``theme, label, rank, weight`` and the id / stage / touchpoint / persona
        columns, ``quote`` (masked).
    polarity : str
        Which feedback was themed ("negative", "positive" or "all").
    accounting : dict
        ``rows_in``, ``rows_used``, ``dropped`` (reason → count), texts left unassigned,
        and themes dropped because no text chose them.
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


def _polarity_mask(sentiment: pd.Series, polarity: str) -> pd.Series:
    if polarity == "negative":
        return sentiment <= NEGATIVE_BELOW
    if polarity == "positive":
        return sentiment >= POSITIVE_ABOVE
    return sentiment.notna() | True


def find_themes(feedback: pd.DataFrame, *, n_themes: int = 8, polarity: str = "negative",
                text_col: str = "text", sentiment_col: str = "sentiment",
                id_col: str | None = "feedback_id", stage_col: str | None = "stage",
                touchpoint_col: str | None = "touchpoint", persona_col: str | None = "persona",
                stages: Sequence[str] | None = None, seed: int = 0, min_df: int = 2,
                max_features: int = 5000, n_terms: int = 8, n_quotes: int = 3,
                scorer=None) -> Themes:
    """Group feedback texts into themes (TF-IDF + NMF), label them, count them, quote them.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Canonical feedback (``text`` plus optional ``stage``, ``touchpoint`` and a
        ``persona`` column joined from the persona assignment). Not modified.
    n_themes : int, default 8
        Number of themes (NMF components); fewer when there are fewer texts or terms.
    polarity : {"negative", "positive", "all"}, default "negative"
        Which feedback to theme (see :data:`NEGATIVE_BELOW`, :data:`POSITIVE_ABOVE`).
    text_col, sentiment_col, id_col, stage_col, touchpoint_col, persona_col : str
        Column roles. Optional roles whose column is absent are skipped; a missing
        ``sentiment_col`` is scored with VADER (or ``scorer``) when polarity needs it.
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
    if not isinstance(n_themes, (int, np.integer)) or n_themes < 1:
        raise ParameterError("n_themes", n_themes, expected="a whole number ≥ 1")
    _check_cols(feedback, {"text_col": text_col})
    roles = {r: c for r, c in (("id", id_col), ("stage", stage_col),
                               ("touchpoint", touchpoint_col), ("persona", persona_col))
             if c is not None and c in feedback.columns}
    place = next((c for r, c in roles.items() if r in ("touchpoint", "stage")), None)
    stock = stock_sentences(feedback, text_col=text_col, place_col=place)
    frame, accounting = _select(feedback, text_col, sentiment_col, polarity, scorer)
    frame = _drop_stock_flips(frame, text_col, polarity, stock, scorer, accounting)
    if frame.empty:
        raise DataError([Problem(f"no {polarity if polarity != 'all' else ''} feedback text to "
                                 f"group into themes (of {accounting['rows_in']} rows: "
                                 f"{accounting['dropped']})", source="feedback", column=text_col,
                                 fix="check the text column, or use polarity='all'")])
    docs, terms, weights, h = _factorise(frame[text_col].tolist(), n_themes=int(n_themes),
                                         seed=seed, min_df=min_df, max_features=max_features,
                                         stock=stock)
    assigned = weights.max(axis=1) > 0
    raw = np.where(assigned, weights.argmax(axis=1), -1)
    order = _theme_order(raw, h.shape[0])                         # largest theme first → 1
    theme = np.where(raw >= 0, order[np.maximum(raw, 0)], 0)
    share = np.where(assigned, weights.max(axis=1) / np.maximum(weights.sum(axis=1), 1e-12), 0)
    labels, top_terms, top_phrases = _labels(h, terms, order, n_terms)
    empty = [t for t in labels if t > 0 and not (theme == t).any()]
    for t in empty:  # a component no text chose: not a theme anyone wrote about
        del labels[t], top_terms[t], top_phrases[t]
    accounting["themes without texts (dropped)"] = len(empty)
    documents = _documents(frame, roles, text_col, theme, share, labels)
    documents["strength"] = np.round(weights.max(axis=1), 6)
    accounting["unassigned (no known term)"] = int((theme == 0).sum())
    quotes = _quotes(documents, roles, n_quotes)
    counts = _counts(documents, roles, labels, stages)
    summary = _summary(documents, counts, labels, top_terms, top_phrases, quotes, roles)
    return Themes(summary, documents, counts, quotes, accounting, polarity)


def _select(feedback, text_col, sentiment_col, polarity, scorer):
    text = feedback[text_col]
    blank = text.isna() | text.map(lambda t: not isinstance(t, str) or not t.strip())
    frame = feedback.loc[~blank].copy()
    if sentiment_col in frame.columns:
        sentiment = pd.to_numeric(frame[sentiment_col], errors="coerce")
    else:
        sentiment = pd.Series(score_texts(frame[text_col], scorer=scorer, n_jobs=1),
                              index=frame.index)
    frame["sentiment"] = sentiment
    keep = _polarity_mask(sentiment, polarity).fillna(False).astype(bool)
    dropped = {"blank text": int(blank.sum())}
    if polarity != "all":
        dropped[f"not {polarity}"] = int((~keep).sum())
    out = frame.loc[keep]
    return out, {"rows_in": len(feedback), "rows_used": len(out), "dropped": dropped}


#: A text whose own sentences (without stock sentences) score at least this clearly the
#: other way is left out of the polarity its stock opener gave it ("Nothing special.
#: Comfortable and light, perfect for long runs." is praise, not a complaint).
CONTENT_CLEAR = 0.7


def _drop_stock_flips(frame, text_col, polarity, stock, scorer, accounting):
    if polarity == "all" or not stock or frame.empty:
        return frame
    content = frame[text_col].map(lambda t: ". ".join(p for p in _sentences(t) if p not in stock))
    whole = frame[text_col].map(lambda t: ". ".join(_sentences(t)))
    changed = content[(content != whole) & (content != "")]
    if changed.empty:
        return frame
    distinct = pd.unique(changed)
    score = dict(zip(distinct, score_texts(pd.Series(distinct), scorer=scorer, n_jobs=1)))
    cs = changed.map(score)
    flip = cs >= CONTENT_CLEAR if polarity == "negative" else cs <= -CONTENT_CLEAR
    accounting["dropped"][f"{polarity} only by a stock sentence"] = int(flip.sum())
    accounting["rows_used"] -= int(flip.sum())
    return frame.drop(index=flip[flip].index)


_RE = __import__("re")
_SENTENCE = _RE.compile(r"[.!?;]+(?:\s+|$)|\n+")
_EMAIL = _RE.compile(r"\S+@\S+")
_NUMBER = _RE.compile(r"[+(]?\d[\d ()+-]*")


def _sentences(text) -> list[str]:
    """Sentences of a text, lower case, single-spaced, without end punctuation; e-mail
    addresses and numbers become ``@`` and ``#`` (so "call me on …" repeats as one sentence)."""
    parts = (" ".join(_NUMBER.sub("# ", _EMAIL.sub("@", p)).split()).strip(" ,:-.")
             for p in _SENTENCE.split(str(text).lower()))
    return [p for p in parts if p]


def stock_sentences(feedback: pd.DataFrame, *, text_col: str = "text",
                    place_col: str | None = "touchpoint", min_places: int = 3,
                    min_texts: int = 3) -> frozenset:
    """Sentences that recur across many places: stock openers and closers, not topics.

    A sentence (lower case, single-spaced) is *stock* when it occurs in at least
    ``min_texts`` texts spread over at least ``min_places`` different values of
    ``place_col`` (touchpoints, or stages): "Nothing special.", "Please fix this." A
    complaint about one thing stays at its place. Without a place column nothing is stock.

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["Please fix this. Hidden fees.", "Slow delivery. Please fix this.",
    ...                             "Please fix this. No size chart.", "Hidden fees!"],
    ...                    "touchpoint": ["Checkout", "Delivery", "Product page", "Checkout"]})
    >>> sorted(stock_sentences(fb, min_texts=2))
    ['please fix this']
    """
    if place_col is None or place_col not in feedback.columns or text_col not in feedback.columns:
        return frozenset()
    rows = [(sent, place) for text, place in zip(feedback[text_col], feedback[place_col])
            if isinstance(text, str) for sent in set(_sentences(text))]
    if not rows:
        return frozenset()
    pairs = pd.DataFrame(rows, columns=["sentence", "place"])
    g = pairs.groupby("sentence")["place"].agg(["size", "nunique"])
    return frozenset(g[(g["size"] >= min_texts) & (g["nunique"] >= min_places)].index)


def _analyser(stock: frozenset):
    """Words and two-word phrases of a text, within sentences, without stop or stock words,
    leaving out stock sentences (:func:`stock_sentences`)."""
    import re

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = ENGLISH_STOP_WORDS | STOCK_WORDS
    word = re.compile(r"[a-z][a-z]+")

    def analyse(text: str) -> list[str]:
        out: list[str] = []
        for sentence in _sentences(text):
            if sentence in stock:
                continue
            tokens = word.findall(sentence)
            out += [w for w in tokens if w not in stop]
            out += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])      # adjacent words only
                     if a not in stop and b not in stop]
        return out
    return analyse


def _factorise(texts: list[str], *, n_themes, seed, min_df, max_features, stock=frozenset()):
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    min_df = min(min_df, len(texts))
    vec = TfidfVectorizer(analyzer=_analyser(stock), min_df=min_df,
                          max_df=0.95 if len(texts) >= 20 else 1.0, sublinear_tf=True,
                          max_features=max_features)
    try:
        x = vec.fit_transform(texts)
    except ValueError:
        raise DataError([Problem(f"the {len(texts)} texts share no words to build themes from",
                                 source="feedback", fix="lower min_df, or give more feedback")]) \
            from None
    k = max(1, min(n_themes, x.shape[0], x.shape[1]))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=600, tol=1e-5)
    w = model.fit_transform(x)
    return x, vec.get_feature_names_out(), w, model.components_


def _theme_order(raw: np.ndarray, k: int) -> np.ndarray:
    """Map NMF component → theme number (1 = most texts; ties by component)."""
    sizes = np.bincount(raw[raw >= 0], minlength=k)
    ranked = sorted(range(k), key=lambda c: (-sizes[c], c))
    order = np.empty(k, dtype=int)
    order[ranked] = np.arange(1, k + 1)
    return order


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


def _documents(frame, roles, text_col, theme, share, labels) -> pd.DataFrame:
    out = pd.DataFrame({r: frame[c].to_numpy() for r, c in roles.items()}, index=frame.index)
    out = out.rename(columns={"id": "feedback_id"})
    out["sentiment"] = frame["sentiment"].to_numpy()
    out["theme"] = theme
    out["label"] = [labels[int(t)] for t in theme]
    out["weight"] = np.round(share, 6)
    out["quote"] = mask_quotes(frame[text_col].astype(str)).to_numpy()
    return out.reset_index(drop=True)


def _quotes(documents: pd.DataFrame, roles, n_quotes: int) -> pd.DataFrame:
    keep = [c for c in ("feedback_id", "stage", "touchpoint", "persona") if c in documents]
    ranked = (documents[documents["theme"] > 0]
              .sort_values(["theme", "strength", "weight", "quote"],
                           ascending=[True, False, False, True], kind="stable"))
    parts = []
    for _, grp in ranked.groupby("theme", sort=True):
        chosen = distinct_quotes(grp["quote"].tolist(), n_quotes)
        order = {q: i for i, q in enumerate(chosen)}
        part = grp[grp["quote"].isin(order)].drop_duplicates("quote")
        parts.append(part.iloc[part["quote"].map(order).argsort()])
    picked = pd.concat(parts) if parts else ranked.iloc[0:0].copy()
    picked["rank"] = picked.groupby("theme").cumcount() + 1
    return picked[["theme", "label", "rank", "weight", *keep, "quote"]].reset_index(drop=True)


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
        part["n_value"] = part["value"].map(n_value).astype(int)
        part["dimension"] = dim
        parts.append(part)
    cols = ["theme", "label", "dimension", "value", "n", "n_value", "share"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["label"] = out["theme"].map(labels)
    out["share"] = np.where(out["n_value"] > 0, out["n"] / out["n_value"].where(out["n_value"] > 0, 1),
                            np.nan)
    return out[cols]


def _summary(documents, counts, labels, top_terms, top_phrases, quotes, roles) -> pd.DataFrame:
    themed = documents[documents["theme"] > 0]
    rows = []
    for theme in sorted(t for t in labels if t > 0):
        docs = themed[themed["theme"] == theme]
        row = {"theme": theme, "label": labels[theme], "top_terms": top_terms[theme],
               "top_phrases": top_phrases[theme], "n": len(docs),
               "share": len(docs) / len(themed) if len(themed) else np.nan,
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
