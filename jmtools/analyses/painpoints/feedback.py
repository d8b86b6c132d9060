"""Feedback on the pain points: themes, the count of negative texts, and masked quotes.

Each feedback theme at a touchpoint goes to the journey pain point there whose title and
description share most words with the theme's terms (:func:`_theme_owner`); detected pain
points take every negative text at their place. With a focus persona, only its customers'
texts are read.
"""

from __future__ import annotations

import re

import pandas as pd

from jmtools.analyses.calibration import rating_valence
from jmtools.analyses.painpoints._common import _col
from jmtools.analyses.privacy import known_ids, mask_quotes
from jmtools.analyses.themes import distinct_quotes
from jmtools.core.errors import ParameterError

__all__: list[str] = []

_WORD = re.compile(r"[a-z]+")
_STOP = {"the", "a", "an", "and", "or", "of", "on", "in", "at", "to", "is", "are", "only", "too",
         "no", "not", "few", "some", "more", "than", "with", "for", "page", "step", "it", "its"}


def _stems(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(str(text).lower()):
        if w in _STOP or len(w) < 3:
            continue
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[: -len(suffix)]
                break
        out.add(w)
    return out


def _theme_owner(table: pd.DataFrame, summary: pd.DataFrame) -> dict:
    """(theme, stage, touchpoint) → row index of the journey pain point sharing most words."""
    owners = {}
    terms = {r.theme: _stems(" ".join(list(r.top_terms) + list(r.top_phrases) + [r.label]))
             for r in summary.itertuples()}
    for (stage, tp), rows in table.groupby(["stage", "touchpoint"], dropna=False, sort=False):
        journey_rows = rows[rows["source"] != "detected"]
        if journey_rows.empty:
            continue
        words = {i: _stems(f"{r.title} {r.description}") for i, r in journey_rows.iterrows()}
        for theme, tw in terms.items():
            best = max(words, key=lambda i: (len(words[i] & tw), -i))
            if len(words[best] & tw):
                owners[(theme, stage, None if pd.isna(tp) else tp)] = best
    return owners


def _attach_feedback(table: pd.DataFrame, themes, feedback: pd.DataFrame | None, n_quotes: int,
                     persona: str | None = None):
    table = table.copy()
    table["themes"] = [[] for _ in range(len(table))]
    table["quotes"] = [[] for _ in range(len(table))]
    table["n_feedback"] = 0
    docs = themes.documents if themes is not None else feedback
    if docs is None or table.empty:
        return table
    if "quote" not in docs.columns:
        _col(docs, "text", "feedback", "feedback")
        docs = docs.assign(quote=mask_quotes(docs["text"].astype(str), ids=known_ids(docs)))  # its own ids too (D157)
    if themes is not None and themes.polarity == "negative":
        pass                      # already the complaints (a rated row by its rating, see find_themes)
    elif "sentiment" in docs.columns:
        negative = pd.to_numeric(docs["sentiment"], errors="coerce") < 0
        if "rating" in docs.columns:          # a rating decides its row: 1-2 stars is a complaint
            rated = pd.Series(rating_valence(docs["rating"]), index=docs.index)
            negative = negative.where(rated.isna() | (rated == 0), rated < 0)  # midpoint: the text
        docs = docs[negative]
    if persona is not None:
        if "persona" not in docs.columns:
            raise ParameterError("feedback", "texts without a persona column",
                                 expected="feedback joined with the persona assignment",
                                 fix="merge customer_id → persona into the feedback first")
        docs = docs[docs["persona"] == persona]
    if themes is not None:
        order = ["quote_score", "strength"] if "quote_score" in docs else ["strength", "sentiment"]
        docs = docs.sort_values(order, ascending=[False, "quote_score" in docs], kind="stable")
    elif "sentiment" in docs.columns:
        docs = docs.sort_values("sentiment", kind="stable")
    owners = _theme_owner(table, themes.summary) if themes is not None else {}
    labels = (dict(zip(themes.summary["theme"], themes.summary["label"]))
              if themes is not None else {})
    out_themes, out_quotes, out_n = [], [], []
    for i, row in table.iterrows():
        here = docs[docs["stage"] == row["stage"]] if "stage" in docs else docs.iloc[0:0]
        if row["touchpoint"] and "touchpoint" in here:
            here = here[here["touchpoint"] == row["touchpoint"]]
        if themes is not None and row["source"] != "detected":
            mine = [t for (t, s, tp), owner in owners.items() if owner == i
                    and s == row["stage"] and tp == (row["touchpoint"] or None)]
            here = here[here["theme"].isin(mine)]
        if row["personas"] and "persona" in here and here["persona"].isin(row["personas"]).any():
            quotes_from = here[here["persona"].isin(row["personas"])]
        else:
            quotes_from = here
        out_quotes.append(distinct_quotes(quotes_from["quote"].drop_duplicates().tolist(), n_quotes))
        key = "theme" if themes is not None else "label"
        if key in here and len(here):
            counts = here[here[key].map(lambda t: t not in (0, "(unassigned)"))][key].value_counts()
            out_themes.append([f"{labels.get(k, k)} (n={v})" for k, v in counts.head(3).items()])
            out_n.append(int(counts.sum()))
        else:
            out_themes.append([])
            out_n.append(0)
    table["themes"], table["quotes"], table["n_feedback"] = out_themes, out_quotes, out_n
    return table
