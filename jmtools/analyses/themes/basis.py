"""The sentences a report says of a themes run: which texts were themed as complaints (or praise)
and why, and what the themes' shares are of."""

from __future__ import annotations

import numpy as np

from jmtools.analyses.language import LANGUAGES
from jmtools.analyses.themes.core import _CHECK, Themes

__all__ = ["polarity_basis", "share_basis"]


#: What the texts of each polarity are called in a sentence.
_WHAT = {"negative": "complaints", "positive": "praise texts", "all": "texts"}


def share_basis(themes: Themes) -> str:
    """One sentence for a report: what a theme's share is of, and how many texts fit no theme.

    A theme's ``share`` is of every text chosen (every complaint, say), those in no theme included:
    a reader takes "40%" of the complaints, not of the 47 that found a theme.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.analyses.themes import find_themes
    >>> fb = pd.DataFrame({"text": ["hidden fees shock", "hidden fees again", "slow delivery",
    ...                             "slow delivery again", "awful"], "sentiment": -0.5})
    >>> th = find_themes(fb, n_themes=2, min_df=1, id_col=None, stage_col=None, touchpoint_col=None,
    ...                  persona_col=None, stability=False)
    >>> th.summary["share"].tolist()
    [0.4, 0.4]
    >>> print(share_basis(th))
    Shares are of all 5 complaints; 1 of them fits no theme (it has none of a theme's words).
    """
    docs = themes.documents
    total, none = len(docs), int((docs["theme"] == 0).sum()) if "theme" in docs else 0
    what = _WHAT.get(themes.polarity, "texts")
    said = f"Shares are of all {total:,} {what}"
    if not none:
        return said + "; each fits a theme."
    return said + (f"; 1 of them fits no theme (it has none of a theme's words)." if none == 1 else
                   f"; {none:,} of them fit no theme (they have none of a theme's words).")


def polarity_basis(themes: Themes, *, subset: Themes | None = None) -> str:
    """One sentence for a report: which texts were themed as complaints (or praise), and why.

    Parameters
    ----------
    themes : Themes
        From :func:`find_themes`: where the texts were chosen.
    subset : Themes, optional
        The report's own texts (:func:`themes_for`) when ``themes`` were found on everybody's
        feedback: the counts are then said to be everybody's, and a second sentence says how
        many of them are the report's.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.analyses.themes import find_themes, themes_for
    >>> fb = pd.DataFrame({"text": ["hidden fees shock", "hidden fees again", "awful slow delivery",
    ...                             "slow delivery, bad", "fees, sadly", "lovely"],
    ...                    "rating": [1, 2, None, None, 3, 5], "persona": list("AABBAB")})
    >>> th = find_themes(fb, n_themes=2, min_df=1, id_col=None)
    >>> print(polarity_basis(th))
    Complaints here are 2 texts rated below the middle of the scale and 3 texts without a rating, or rated at the middle, whose text scores at or below −0.05 (VADER).
    >>> print(polarity_basis(th, subset=themes_for(th, persona="A")))
    Complaints across all customers are 2 texts rated below the middle of the scale and 3 texts without a rating, or rated at the middle, whose text scores at or below −0.05 (VADER). This report's customers wrote 3 of them.
    """
    text = _basis(themes, "here" if subset is None else "across all customers")
    if subset is None:
        return text
    return text + f" This report's customers wrote {subset.accounting['rows_used']:,} of them."


def _basis(themes: Themes, where_said: str) -> str:
    """The sentence of :func:`polarity_basis` about ``themes`` ("… here are …")."""
    acc = themes.accounting
    if themes.polarity == "all" or "polarity from" not in acc:
        return f"Every text with words is themed ({acc.get('rows_used', len(themes.documents)):,})."
    negative = themes.polarity == "negative"
    what, side, where, found = (("Complaints", "below", "at or below", "complaints") if negative
                                else ("Praise", "above", "at or above", "praise"))
    by = acc["polarity from"]
    clf = acc.get(f"{_CHECK[themes.polarity]} check")
    classified = clf is not None and bool(clf.loc[clf["method"] == "classifier", "used"].any())
    cut = f"{acc['text cut']:+.2f}".replace("-", "−")
    source = (f"{by['source']:,} texts from a complaint channel (their source says so), "
              if by.get("source") and negative else "")
    if source and not by["rating"] and not by["text"]:
        return (f"{what} {where_said} are the {by['source']:,} texts from a complaint channel (their source "
                "says so): each counts as a complaint, whatever its words or rating.")
    text = (f"{what} {where_said} are {source}{by['rating']:,} texts rated {side} the middle of the scale and "
            f"{by['text']:,} texts without a rating, or rated at the middle, "
            + (f"that {acc['text scorer']} finds to be {found}" if classified else
               f"whose text scores {where} {cut} ({acc['text scorer']})"))
    check = acc.get("polarity check")
    if check is not None and check["used"].any() and (clf is not None or negative):
        n_rated = int(check[check["used"]].iloc[0]["n_rated"])
        row = (clf[clf["used"]] if clf is not None else check[check["used"]]).iloc[0]
        if np.isfinite(row["recall"]) and np.isfinite(row["precision"]):
            text += f"; on the {n_rated:,} rated texts, held out, it finds " + _held_out_words(row, found)
    return text + "." + _unread(acc, found)


def _unread(acc: dict, found: str) -> str:
    """' 54 texts not in English and without a rating are left out of the themes (German 30, …): …' or '',
    and the unrated requests to correct, fix or refund in another language, read by their words (D266)."""
    return _unread_left_out(acc, found) + _asked(acc.get("requests not in English", {}), found)


def _asked(langs: dict, found: str) -> str:
    """' 12 texts not in English and without a rating ask to correct, fix or refund (German 12): complaints.'"""
    n = sum(langs.values())
    if not n:
        return ""
    named = ", ".join(f"{LANGUAGES.get(c, c)} {k:,}" for c, k in sorted(langs.items(), key=lambda p: -p[1]))
    return (f" {n:,} text{'s' if n != 1 else ''} not in English and without a rating ask{'s' if n == 1 else ''} to "
            f"correct, fix or refund ({named}): {'complaints' if n != 1 else 'a complaint'} by {'their' if n != 1 else 'its'}"
            f" words{', not ' + found if found != 'complaints' else ''}.")


def _unread_left_out(acc: dict, found: str) -> str:
    n = int(acc.get("dropped", {}).get("not in English (no rating)", 0))
    if not n:
        return ""
    langs = {c: k for c, k in acc.get("unread languages", {}).items() if c}
    named = ", ".join(f"{LANGUAGES.get(c, c)} {k:,}" for c, k in sorted(langs.items(), key=lambda p: -p[1]))
    return (f" {n:,} text{'s' if n != 1 else ''} not in English and without a rating {'are' if n != 1 else 'is'} "
            f"left out of the themes{f' ({named})' if named else ''}: the lexicon reads English only, so it cannot tell "
            f"whether {'they are' if n != 1 else 'it is'} {found}; a rating, or a feedback source naming a "
            "complaint channel, would decide.")


def _held_out_words(row, found: str) -> str:
    """'80% (95% CI 78–82%) of the 1,482 complaints at 70% precision (68–72%, 1,700 flagged)',
    the intervals where the row has them."""
    if "n_complaints" not in row or not np.isfinite(row.get("recall_ci_low", np.nan)):
        return f"{row['recall']:.0%} of the {found} at {row['precision']:.0%} precision"
    return (f"{row['recall']:.0%} (95% CI {row['recall_ci_low']:.0%}–{row['recall_ci_high']:.0%}) "
            f"of the {int(row['n_complaints']):,} {found} at {row['precision']:.0%} precision "
            f"({row['precision_ci_low']:.0%}–{row['precision_ci_high']:.0%}, "
            f"{int(row['n_flagged']):,} flagged)")
