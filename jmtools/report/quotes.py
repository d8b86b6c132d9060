"""Customer quotes and theme counts as a report or notebook may show them: pseudonymous
authors, no small groups.

The report (:mod:`jmtools.report.sections`) and notebook 04 (:mod:`jmtools.report.steps`)
show the same quotes the same way, following :mod:`jmtools.analyses.disclosure`:

- a quote names its author by a pseudonym (:func:`~jmtools.analyses.disclosure.pseudonymise`),
  never by the customer id: ``“Missing size chart.” (C-7547e74dc2)``;
- a group written by fewer than ``min_group`` customers (default
  :data:`~jmtools.analyses.disclosure.MIN_GROUP`, 5) keeps its label but not its numbers or
  quotes, and the frame's ``attrs["note"]`` says how many were hidden and why.

:func:`quoted_themes` does it for the rows of a :class:`~jmtools.analyses.themes.Themes`
summary, :func:`quoted_pain_points` for the quotes of a ranked pain-point table, and
:func:`disclosed_themes` for a whole ``Themes`` before it is charted: its summary as
:func:`quoted_themes` shows it and its theme × stage / touchpoint / persona counts with the
cells of fewer than ``min_group`` customers hidden
(:func:`~jmtools.analyses.disclosure.suppress_small_cells`).
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from jmtools.analyses.disclosure import (MIN_GROUP, hide_small_counts, pseudonymise, suppress_small_cells,
                                        suppress_small_groups)
from jmtools.core.errors import whole_number

__all__ = ["quoted_themes", "quoted_pain_points", "disclosed_themes"]


def _signed(quote: str, writer, key) -> str:
    """“quote” (pseudonym of its writer), or “quote” when the writer is not known."""
    if writer is None or (not isinstance(writer, str) and pd.isna(writer)):
        return f"“{quote}”"
    return f"“{quote}” ({pseudonymise(str(writer), key=key)})"


def quoted_themes(themes, *, top: int | None = None, min_group: int = MIN_GROUP,
                  key: str | bytes | None = None) -> pd.DataFrame:
    """The themes' summary with signed quotes and small themes suppressed.

    Parameters
    ----------
    themes : jmtools.analyses.themes.Themes
        From :func:`~jmtools.analyses.themes.find_themes` (or ``themes_for``).
    top : int, optional
        Keep the ``top`` largest themes (before suppression counts its rows).
    min_group : int, default :data:`~jmtools.analyses.disclosure.MIN_GROUP` (5)
        A theme written by fewer customers keeps its label; ``n``, ``share``, ``n_customers``
        and ``quotes`` are blanked. Feedback without a customer column cannot count customers:
        then a theme of fewer texts than ``min_group`` is blanked (it has fewer customers too).
    key : str or bytes, optional
        Pseudonym key (default: one random key per process).

    Returns
    -------
    pandas.DataFrame
        ``themes.summary`` with ``quotes`` as lists of “text” (pseudonym) strings (None when
        suppressed), ``suppressed`` (bool) and ``attrs["note"]``.

    Examples
    --------
    >>> from jmtools.analyses.themes import find_themes
    >>> fees = [f"hidden delivery fee at checkout, a shock {w}" for w in "again today sadly so yes ugh".split()]
    >>> sizes = [f"no size chart on the product page {w}" for w in ("again", "today", "sadly")]
    >>> fb = pd.DataFrame({"text": fees + sizes, "sentiment": -0.5,
    ...                    "customer_id": [f"C{i:04d}" for i in range(9)]})
    >>> shown = quoted_themes(find_themes(fb, n_themes=2, id_col=None, stage_col=None,
    ...                                   touchpoint_col=None, persona_col=None), key="k")
    >>> shown[["n", "n_customers", "suppressed"]]
         n  n_customers  suppressed
    0  6.0          6.0       False
    1  NaN          NaN        True
    >>> shown["quotes"][0][0]
    '“hidden delivery fee at checkout, a shock again” (C-6d0f15d2b3)'
    >>> shown.attrs["note"]
    '1 group with fewer than 5 customers is listed without its numbers.'
    """
    if top is not None:
        whole_number("top", top, fix="pass e.g. 10, or None for all")
    summary, quotes = themes.summary, themes.quotes
    if "customer_id" in quotes and len(quotes):      # each quote row names the customer who wrote it
        named = quotes.sort_values(["theme", "rank"])
        named = named.assign(shown=[_signed(q, c, key) for q, c in zip(named["quote"], named["customer_id"])])
        lists = named.groupby("theme")["shown"].agg(list)
        shown = summary.assign(quotes=summary["theme"].map(lists).map(
            lambda qs: qs if isinstance(qs, list) else []))
    else:
        shown = summary.assign(quotes=summary["quotes"].map(lambda qs: [f"“{q}”" for q in qs]))
    if top is not None:
        shown = shown.head(top)
    known = "n_customers" in shown and shown["n_customers"].notna().any()
    # without customer ids a theme of fewer texts than min_group still has fewer customers
    return suppress_small_groups(shown, n_col="n_customers" if known else "n", min_n=min_group,
                                 columns=[c for c in ("n", "share", "n_customers", "quotes") if c in shown])


_COUNTED = re.compile(r"^(?P<label>.*) \(n=(?P<n>\d+)\)$")


def quoted_pain_points(table: pd.DataFrame, themes=None, *, min_group: int = MIN_GROUP,
                       key: str | bytes | None = None) -> pd.DataFrame:
    """The ranked pain points with signed quotes; quotes of small groups hidden.

    A pain point's quotes come from the complaints at its stage (and touchpoint) in its
    themes (``table["themes"]``, "label (n=…)"), from its personas' customers when they wrote
    some (as :func:`jmtools.analyses.painpoints.detect_pain_points` picks them). When fewer than
    ``min_group`` customers wrote those complaints, the quotes are dropped and the count of
    each theme written by fewer than ``min_group`` customers there is left out.

    Parameters
    ----------
    table : pandas.DataFrame
        ``pipeline.run(...).pain_points.table`` (``stage``, ``touchpoint``, ``personas``,
        ``themes``, ``quotes``, ``n_feedback``).
    themes : jmtools.analyses.themes.Themes, optional
        The complaint themes the table was made with; their ``documents`` say who wrote each
        quote. Without them (or without a customer column) quotes are unsigned, a pain
        point with fewer than ``min_group`` complaint texts loses its quotes and a theme with
        fewer texts its count.
    min_group : int, default 5
    key : str or bytes, optional
        Pseudonym key (default: one random key per process).

    Returns
    -------
    pandas.DataFrame
        A copy with ``quotes`` (signed strings), ``themes`` and ``writers`` (customers who
        wrote the pain point's complaints, when known), ``customers_affected`` missing where
        it is below ``min_group`` (but not 0), ``attrs["note"]`` (quotes hidden) and
        ``attrs["affected_note"]`` (counts of customers affected hidden).

    Examples
    --------
    >>> table = pd.DataFrame({"stage": ["Decision", "Delivery"], "touchpoint": ["Checkout", None],
    ...                       "personas": [[], []], "themes": [["fees (n=6)"], ["late (n=2)"]],
    ...                       "quotes": [["fee at payment"], ["parcel was late"]], "n_feedback": [6, 2]})
    >>> out = quoted_pain_points(table)
    >>> out["quotes"].tolist(), out["themes"].tolist()
    ([['“fee at payment”'], []], [['fees (n=6)'], ['late']])
    >>> out.attrs["note"]
    'The quotes of 1 pain point written by fewer than 5 customers are not shown.'
    """
    docs = getattr(themes, "documents", None)
    signable = docs is not None and "customer_id" in docs and len(docs)
    if signable:
        order = ["quote_score", "strength"] if "quote_score" in docs else ["strength"]
        docs = docs.sort_values(order, ascending=False, kind="stable")     # best quote first
    out = table.copy()
    quotes, labels, writers, hidden = [], [], [], 0
    for row in table.itertuples():
        counted = [(m.group("label"), int(m.group("n"))) if m else (t, None)
                   for t in row.themes for m in [_COUNTED.match(t)]]
        if signable:
            place = docs[docs["stage"] == row.stage] if "stage" in docs else docs
            if row.touchpoint and "touchpoint" in place:
                place = place[place["touchpoint"] == row.touchpoint]
            if row.personas and "persona" in place and place["persona"].isin(row.personas).any():
                place = place[place["persona"].isin(row.personas)]
            who = place.drop_duplicates("quote").set_index("quote")["customer_id"].to_dict()
            shown = [_signed(q, who.get(q), key) for q in row.quotes]     # its best-ranked writer
            here = place[place["label"].isin([lab for lab, _ in counted])]
            n_writers = int(here["customer_id"].nunique())
            per_theme = here.groupby("label")["customer_id"].nunique().to_dict()
            counted = [(lab, n if per_theme.get(lab, 0) >= min_group else None) for lab, n in counted]
        else:                     # fewer texts than min_group: fewer customers too
            n_writers = None
            shown = [f"“{q}”" for q in row.quotes]
            counted = [(lab, n if n is not None and n >= min_group else None) for lab, n in counted]
        small = (n_writers if n_writers is not None else int(row.n_feedback)) < min_group
        if small and row.quotes:
            hidden += 1
            shown = []
        quotes.append(shown)
        labels.append([lab if n is None else f"{lab} (n={n})" for lab, n in counted])
        writers.append(n_writers)
    out["quotes"], out["themes"], out["writers"] = quotes, labels, writers
    out.attrs["note"] = (f"The quotes of {hidden} pain point{'s' if hidden != 1 else ''} written by "
                         f"fewer than {min_group} customers are not shown." if hidden else "")
    few = 0
    if "customers_affected" in out:
        out["customers_affected"], few = hide_small_counts(out["customers_affected"], min_group)
    out.attrs["affected_note"] = (f"{few} pain point{'s' if few != 1 else ''} met by fewer than {min_group} "
                                  f"customers {'are' if few != 1 else 'is'} listed without that count."
                                  if few else "")
    return out


def disclosed_themes(themes, *, min_group: int = MIN_GROUP, key: str | bytes | None = None):
    """A copy of ``themes`` safe to chart: small themes and small cells hidden, quotes signed.

    The summary is :func:`quoted_themes`'s (a theme of fewer than ``min_group`` customers
    keeps its label, not its numbers). In ``counts``, per dimension, a theme × value cell
    written by 1 to ``min_group − 1`` customers loses ``n``, ``n_customers`` and ``share``,
    and so do the cells that would let a theme's total give it away; columns holding a hidden
    cell lose their total (``n_value``) (:func:`~jmtools.analyses.disclosure.suppress_small_cells`).
    One customer can write in several cells of a theme (at two stages), so the cells hidden in a
    theme are not summed: beside its small cells, its smallest other cell of ``min_group``
    customers or more is hidden (``shared_customers``).

    Parameters
    ----------
    themes : jmtools.analyses.themes.Themes
    min_group : int, default :data:`~jmtools.analyses.disclosure.MIN_GROUP` (5)
    key : str or bytes, optional
        Pseudonym key for the quotes (default: one random key per process).

    Returns
    -------
    jmtools.analyses.themes.Themes
        ``summary`` with ``suppressed``; ``counts`` with ``suppressed``, ``suppressed_why``
        and ``hidden`` (why, in words; "" when shown). ``summary.attrs["note"]`` says
        which themes were hidden, ``counts.attrs["notes"]`` (per dimension) which cells. ``documents`` and ``quotes`` are left out (empty): they
        name customers.

    Examples
    --------
    >>> from jmtools.analyses.themes import find_themes
    >>> fb = pd.DataFrame({"text": [f"hidden delivery fee at checkout {w}" for w in "abcdefgh"],
    ...                    "sentiment": -0.5, "customer_id": list("ABCDEFGH"),
    ...                    "stage": ["Decision"] * 6 + ["Delivery"] * 2})
    >>> th = find_themes(fb, n_themes=1, id_col=None, touchpoint_col=None, persona_col=None,
    ...                  stability=False)
    >>> shown = disclosed_themes(th)
    >>> shown.counts[["value", "n", "hidden"]]
          value   n                                   hidden
    0  Decision NaN  would reveal a small cell (theme total)
    1  Delivery NaN                   fewer than 5 customers
    >>> shown.counts.attrs["notes"]["stage"]
    '2 cells are hidden (grey): 1 written by fewer than 5 customers, 1 more so that totals do not reveal it.'
    """
    summary = quoted_themes(themes, min_group=min_group, key=key)
    parts, notes = [], {}
    for dim, cells in themes.counts.groupby("dimension", sort=False):
        part = suppress_small_cells(cells, row_col="theme", column_col="value", min_n=min_group,
                                    column_totals=["n_value", "share"],    # a customer writes at several stages
                                    shared_customers=True)
        notes[dim] = part.attrs["note"]
        parts.append(part)
    counts = pd.concat(parts) if parts else themes.counts.assign(suppressed=False, suppressed_why="")
    why = {"fewer customers": f"fewer than {min_group} customers",
           "reveals another": "would reveal a small cell (theme total)", "": ""}
    counts["hidden"] = counts["suppressed_why"].map(why)
    counts.attrs = {"notes": notes, "min_n": min_group}
    return dataclasses.replace(themes, summary=summary, counts=counts,
                               documents=themes.documents.iloc[0:0], quotes=themes.quotes.iloc[0:0])
