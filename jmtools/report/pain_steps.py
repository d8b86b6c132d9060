"""What notebook 04 shows and writes: themes, ranked pain points, their charts and CSV.

Everything here discloses the same, whether displayed or written to a file
(:mod:`jmtools.report.quotes`, :mod:`jmtools.analyses.disclosure`): quotes are signed by
pseudonyms, never customer ids; a theme, a heat-map cell or a count of fewer than
:data:`~jmtools.analyses.disclosure.MIN_GROUP` (5) customers is hidden, and a note under the
table or chart says how many and why. :mod:`jmtools.report.steps` re-exports these, so a
notebook cell reads ``from jmtools.report.steps import show_themes_chart``.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, customers_behind, suppress_small_groups
from jmtools.analyses.themes import share_basis
from jmtools.charts.painpoints import pain_points_chart, themes_chart
from jmtools.core.spreadsheet import write_csv
from jmtools.core.vocabulary import share_text
from jmtools.report.present import html_table, md, number
from jmtools.report.quotes import disclosed_themes, quoted_pain_points, quoted_themes
from jmtools.report.record import record
from jmtools.core.errors import whole_number

__all__ = ["write_pain_points", "show_themes", "show_theme_accounting", "show_themes_chart", "PAIN_POINT_COLUMNS", "show_pain_points",
           "show_pain_points_chart", "show_pain_point_evidence", "COMPARISON_COLUMNS", "show_comparisons",
           "record_pain_point_figures"]


def write_pain_points(table: pd.DataFrame, path: str | os.PathLike, themes=None, *,
                      min_group: int = MIN_GROUP) -> Path:
    """Write the ranked pain points to CSV as the notebook shows them; return the path.

    The file travels further than the notebook, so it discloses no more:
    quotes signed by pseudonyms and dropped where fewer than ``min_group`` customers wrote
    them, a theme's count and ``customers_affected`` left out below ``min_group``
    (:func:`jmtools.report.quotes.quoted_pain_points`), and ``stake`` written as
    ``persona: customers`` with counts below ``min_group`` written as ``fewer than 5``.
    List columns are joined with ``"; "``. Text a spreadsheet would run as a formula gets a
    leading ``'`` (:func:`jmtools.core.spreadsheet.write_csv`).

    Parameters
    ----------
    table : pandas.DataFrame
        ``pipeline.run(...).pain_points.table``.
    path : path-like
    themes : jmtools.analyses.themes.Themes, optional
        The complaint themes (who wrote each quote), as for :func:`show_pain_points`.
    min_group : int, default :data:`jmtools.analyses.disclosure.MIN_GROUP` (5)

    Examples
    --------
    >>> import tempfile, os
    >>> table = pd.DataFrame({"rank": [1, 2], "pain_point_id": ["fees", "=cmd()"],
    ...     "personas": [["Ben", "Maya"], []], "themes": [["fees (n=8)"], ["late (n=2)"]],
    ...     "quotes": [["too dear"], ["still waiting"]], "n_feedback": [8, 2],
    ...     "stage": ["Decision", "Delivery"], "touchpoint": ["Checkout", None],
    ...     "customers_affected": [120.0, 3.0],
    ...     "stake": [[{"persona": "Ben", "customers": 120, "lift": 0.1}], []]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     print(write_pain_points(table, os.path.join(d, "p.csv")).read_text())
    rank,pain_point_id,personas,themes,quotes,n_feedback,stage,touchpoint,customers_affected,stake
    1,fees,Ben; Maya,fees (n=8),“too dear”,8,Decision,Checkout,120.0,Ben: 120
    2,'=cmd(),,late,,2,Delivery,,,
    <BLANKLINE>
    """
    empty = {"stage": None, "touchpoint": None, "personas": [[]] * len(table), "themes": [[]] * len(table),
             "quotes": [[]] * len(table), "n_feedback": 0}
    filled = table.assign(**{c: v for c, v in empty.items() if c not in table})  # partial: nothing to hide
    flat = quoted_pain_points(filled, themes, min_group=min_group)[list(table.columns)]
    if "stake" in flat:
        flat["stake"] = flat["stake"].map(lambda parts: [
            f"{p['persona']}: {_disclosed_count(p.get('customers'), min_group)}" for p in parts or []])
    for col in ("signals", "personas", "themes", "quotes", "stake"):
        if col in flat:
            flat[col] = flat[col].map(lambda items: "; ".join(map(str, items or [])))
    write_csv(flat, path)
    return Path(path)


def _disclosed_count(n, min_group: int) -> str:
    """A count of customers as an export may show it: ``fewer than 5`` below the minimum."""
    if n is None or n != n:
        return "unknown"
    return f"fewer than {min_group}" if 0 < n < min_group else f"{n:,.0f}"


def show_themes(themes, *, top: int | None = None, quotes: bool = True,
                min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Show the themes' summary as the report does: quotes signed by pseudonyms, small themes hidden.

    A theme written by fewer than ``min_group`` customers keeps its label but not its counts or
    quotes, and a note under the table says how many were hidden
    (:func:`jmtools.report.quotes.quoted_themes`); quotes name their writer by a pseudonym,
    never by the customer id.

    Parameters
    ----------
    themes : jmtools.analyses.themes.Themes
    top : int, optional
        Show only the ``top`` largest themes.
    quotes : bool, default True
        Include the quotes column.
    min_group : int, default :data:`jmtools.analyses.disclosure.MIN_GROUP` (5)

    Returns
    -------
    pandas.DataFrame
        The table shown (displayed with whole-number counts, "hidden" where suppressed,
        shares as percentages and quotes one per line).

    Examples
    --------
    >>> from jmtools.analyses.themes import find_themes
    >>> fb = pd.DataFrame({"text": [f"hidden delivery fee at checkout {w}" for w in "abcdef"],
    ...                    "sentiment": -0.5, "customer_id": list("ABCDEF")})
    >>> th = find_themes(fb, n_themes=1, id_col=None, stage_col=None, touchpoint_col=None,
    ...                  persona_col=None, stability=False)
    >>> shown = show_themes(th, min_group=7)  # doctest: +ELLIPSIS
    <...>
    <...>
    >>> shown[["n", "n_customers", "quotes"]]
        n  n_customers quotes
    0 NaN          NaN   None
    """
    from IPython.display import display

    shown = quoted_themes(themes, top=top, min_group=min_group)
    cols = [c for c in ("theme", "label", "n", "share", "n_customers", "top_stage", "top_touchpoint",
                        "top_persona", "stability", "quotes") if c in shown and (quotes or c != "quotes")]
    table = shown[cols].round(2)
    display(_styled(table, hidden=shown["suppressed"], counts=("n", "n_customers"), percent=("share",)))
    display(md("{shares}", shares=share_basis(themes)))        # of all the texts chosen, those in no theme said
    if shown.attrs.get("note"):
        display(md("{note}", note=shown.attrs["note"]))
    return table


def _styled(table: pd.DataFrame, *, hidden: pd.Series, counts=(), percent=()):
    """``table`` as displayed: counts as whole numbers, "hidden" in the ``hidden`` rows'
    missing cells ("–" elsewhere: not measured), lists as text (quotes one per line), shares
    as percentages; every text HTML-escaped."""
    fmt = {c: "{:,.0f}" for c in counts if c in table}
    fmt.update({c: _whole_percent for c in percent if c in table})
    fmt.update({c: _list_text for c in table.columns if c not in fmt and table[c].dtype == object})
    rest = [c for c in table.columns if c not in fmt]
    styled = (table.style.format(precision=2, na_rep="–", escape="html", subset=rest)
              .format(fmt, na_rep="–", escape="html", subset=list(fmt)))
    rows = table.index[hidden.reindex(table.index, fill_value=False).to_numpy(dtype=bool)]
    if len(rows):
        styled = styled.format(fmt, na_rep="hidden", escape="html", subset=pd.IndexSlice[rows, list(fmt)])
    text = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    return styled.set_properties(subset=text, **{"text-align": "left"}).set_table_styles(
        [{"selector": "th", "props": "text-align: left"}]).hide(axis="index")


def _whole_percent(share) -> str:
    return share_text(float(share), digits=0)       # "<1%", never a false 0%


def _list_text(items) -> str:
    if items is None:
        return "–"
    if not isinstance(items, (list, tuple)):
        return str(items)                                   # text: escaped by the Styler
    joiner = "<br>" if any(str(i).startswith("“") for i in items) else "; "      # quotes: one a line
    return joiner.join(html.escape(str(i)) for i in items) or "–"


def show_theme_accounting(themes) -> dict:
    """Show how the feedback step chose its texts: rows read, left out and why, themed, and the
    held-out checks of the text score — as tables, with thousands separators, n and intervals.

    Parameters
    ----------
    themes : jmtools.analyses.themes.Themes
        From :func:`jmtools.analyses.themes.find_themes` (``pipeline.run(...).pain_points.themes``).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"rows"`` (``step``, ``texts``, ``how``: read − left out = themed) and, when the text
        score was checked on rated texts, ``"checks"`` (``method``, ``recall``,
        ``recall_95ci``, ``n``, ``precision``, ``precision_95ci``, ``n_flagged``, ``decides``).

    Examples
    --------
    >>> from jmtools.analyses.themes import find_themes
    >>> fb = pd.DataFrame({"text": ["hidden fees shock", "hidden fees again", "awful slow delivery",
    ...                             "slow delivery, bad", "", "lovely"], "rating": [1, 2, None, None, 3, 5]})
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the tables, as text outside a notebook
    ...     shown = show_theme_accounting(find_themes(fb, n_themes=2, min_df=1, id_col=None))
    >>> shown["rows"][["step", "texts"]]
                                 step  texts
    0                      rows read      6
    1         left out: blank text      1
    2       left out: not negative      1
    3             themed as complaints      4
    4   · decided by their rating      2
    5     · decided by their text      2
    """
    from IPython.display import display

    acc, shown = themes.accounting, {}
    shown["rows"] = _theme_rows(themes)
    display(html_table(shown["rows"], caption="Feedback texts, from the rows read to the themed "
                                              f"{_KIND.get(themes.polarity, 'texts')}"))
    check = acc.get(f"{_KIND_CHECK.get(themes.polarity, '')} check")
    if check is not None and "recall_ci_low" in check:
        shown["checks"] = _held_out_checks(check)
        n_rated = int(acc["polarity check"]["n_rated"].iloc[0]) if "polarity check" in acc else None
        kind = _KIND[themes.polarity]
        display(html_table(shown["checks"], columns={
            "method": "method", "recall": "recall", "recall_95ci": "95% CI", "n": f"n {kind}",
            "precision": "precision", "precision_95ci": "95% CI", "n_flagged": "n flagged",
            "decides": "decides"}, formats={c: _percent for c in ("recall", "precision")},
                           caption="Held-out check on "
                                   + (f"{n_rated:,} rated texts" if n_rated else "the rated texts")
                                   + ": recall (share of the rated "
                                   f"{_KIND[themes.polarity]} found) and precision (share of the "
                                   "flagged texts that are)"))
    notes = [acc[k] for k in ("polarity check note", f"{_KIND_CHECK.get(themes.polarity)} check note")
             if acc.get(k)]
    if notes:
        display(md("\n".join("- {n%d}" % i for i in range(len(notes))),
                   **{f"n{i}": n for i, n in enumerate(notes)}))
    return shown


def _percent(share) -> str:
    return number(share, unit="%", digits=0)


_KIND = {"negative": "complaints", "positive": "praise", "all": "texts"}
_KIND_CHECK = {"negative": "complaint", "positive": "praise"}
_LEFT_OUT = {"blank text": "no words to theme",
             "not negative": "rated above the middle of the scale, or unrated and scored above the cut",
             "not positive": "rated below the middle of the scale, or unrated and scored below the cut",
             "negative only by a stock sentence": "its only negative words are a stock phrase",
             "not in English (no rating)": "the text score reads English only (docs/decisions.md D143)"}


def _theme_rows(themes) -> pd.DataFrame:
    """The rows table of :func:`show_theme_accounting`: read − left out = themed."""
    acc = themes.accounting
    rows = [("rows read", acc.get("rows_in", len(themes.documents)), "feedback rows given")]
    rows += [(f"left out: {why}", n, _LEFT_OUT.get(why, "")) for why, n in acc.get("dropped", {}).items()]
    rows.append((f"themed as {_KIND.get(themes.polarity, 'texts')}", acc.get("rows_used", len(themes.documents)),
                 "rows read − rows left out"))
    by, side = acc.get("polarity from"), "below" if themes.polarity == "negative" else "above"
    if by is not None and "text cut" in acc:
        cut = number(acc["text cut"], digits=2, signed=True)
        rows += [("· a complaint by their source", by["source"], "the feedback's source names a complaint "
                  "channel: a complaint whatever its words")] if by.get("source") else []
        rows += [("· decided by their rating", by["rating"], f"rated {side} the middle of the scale"),
                 ("· decided by their text", by["text"], f"no rating, or rated at the middle; text score "
                  f"{'at or below' if side == 'below' else 'at or above'} {cut} ({acc.get('text scorer')})")]
        rows += [("· a request to correct, fix or refund", by["request"], "no rating, not in English: a complaint "
                  "by its words (docs/decisions.md D266)")] if by.get("request") else []
    if acc.get("unassigned (no known term)"):
        rows.append(("· in no theme (no known term)", acc["unassigned (no known term)"], ""))
    return pd.DataFrame(rows, columns=["step", "texts", "how"])


def _held_out_checks(check: pd.DataFrame) -> pd.DataFrame:
    """The checks table of :func:`show_theme_accounting`: one row per method, with 95% CIs."""
    def ci(low, high) -> list:
        return [f"{_percent(a)}–{_percent(b)}"
                for a, b in zip(check[low], check[high])]

    names = {"cut": "the calibrated cut", "classifier": "a classifier of the texts"}
    return pd.DataFrame({
        "method": check["method"].map(lambda m: names.get(m, m)), "recall": check["recall"],
        "recall_95ci": ci("recall_ci_low", "recall_ci_high"), "n": check["n_complaints"].astype(int),
        "precision": check["precision"], "precision_95ci": ci("precision_ci_low", "precision_ci_high"),
        "n_flagged": check["n_flagged"].astype(int),
        "decides": check["used"].map({True: "yes", False: "no"})})


#: The ranked pain points' columns notebook 04 shows.
PAIN_POINT_COLUMNS = ["rank", "pain_point_id", "title", "stage", "touchpoint", "source", "score", "signals",
                      "personas", "recurs", "customers_affected", "themes"]


def show_pain_points(table: pd.DataFrame, themes=None, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Show the ranked pain points; a theme written by fewer than ``min_group`` customers at a
    pain point is listed without its count, and a note says so.

    Parameters
    ----------
    table : pandas.DataFrame
        ``pipeline.run(...).pain_points.table``.
    themes : jmtools.analyses.themes.Themes, optional
        The complaint themes (who wrote what); without them a count is kept when it is at
        least ``min_group`` texts (see :func:`jmtools.report.quotes.quoted_pain_points`).
    min_group : int, default :data:`jmtools.analyses.disclosure.MIN_GROUP` (5)

    Returns
    -------
    pandas.DataFrame
        The table shown: :data:`PAIN_POINT_COLUMNS` that exist (displayed with lists as text
        and customers affected as a whole number, "–" where unknown or hidden).

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [1], "title": ["Hidden fees"], "stage": ["Decision"],
    ...                       "touchpoint": ["Checkout"], "personas": [[]], "score": [2.345],
    ...                       "themes": [["fees (n=8)", "late (n=2)"]], "n_feedback": [10], "quotes": [[]]})
    >>> shown = show_pain_points(table)  # doctest: +ELLIPSIS
    <...>
    <...>
    >>> shown["themes"][0]
    ['fees (n=8)', 'late']
    """
    from IPython.display import display

    readable = quoted_pain_points(table, themes, min_group=min_group)
    shown = readable[[c for c in PAIN_POINT_COLUMNS if c in readable]].round(2)
    hidden = (readable["customers_affected"].isna() & table["customers_affected"].notna()
              if "customers_affected" in table else pd.Series(False, index=table.index))
    display(_styled(shown, hidden=hidden, counts=("customers_affected",)))
    _show_notes(readable.attrs.get("affected_note", ""), _theme_counts_note(table, readable, min_group))
    return shown


def show_pain_points_chart(table: pd.DataFrame, themes=None, *, top: int = 12,
                           min_group: int = MIN_GROUP):
    """Display the ranked pain points' chart with what :func:`show_pain_points` discloses.

    The tooltips show the same themes (counts below ``min_group`` customers left out) and a
    quote signed by a pseudonym, none for a pain point of fewer customers
    (:func:`jmtools.report.quotes.quoted_pain_points`); a note under the chart says so.

    Returns
    -------
    altair.LayerChart
        The chart displayed (:func:`jmtools.charts.painpoints.pain_points_chart`).

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [1], "title": ["Hidden fees"], "stage": ["Decision"],
    ...     "touchpoint": ["Checkout"], "source": ["detected"], "score": [2.5],
    ...     "evidence": ["drop-off 60% (n=400)"], "personas": [["Ben"]],
    ...     "themes": [["fees (n=3)"]], "quotes": [["Too dear"]], "n_feedback": [3]})
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the chart and its note, as text outside a notebook
    ...     chart = show_pain_points_chart(table)
    >>> data = next(iter(chart.to_dict()["datasets"].values()))[0]
    >>> data["themes"], data["quote"]
    ('fees', '')
    """
    from IPython.display import display

    readable = quoted_pain_points(table, themes, min_group=min_group)
    chart = pain_points_chart(readable, top=top)
    display(chart)
    _show_notes(readable.attrs.get("note", ""), readable.attrs.get("affected_note", ""),
                _theme_counts_note(table, readable, min_group))
    return chart


def _theme_counts_note(table: pd.DataFrame, readable: pd.DataFrame, min_group: int) -> str:
    """The note for themes listed without their count ("" when none lost it)."""
    if any(a != b for a, b in zip(table["themes"], readable["themes"])):
        return f"A theme written by fewer than {min_group} customers at a pain point is listed without its count."
    return ""


def _show_notes(*notes: str) -> None:
    """Display the non-empty notes as one paragraph under a table or chart (nothing when none)."""
    from IPython.display import display

    if any(notes):
        display(md("{note}", note=" ".join(n for n in notes if n)))


def show_themes_chart(themes, *, dimension: str = "stage", title: str | None = None,
                      min_group: int = MIN_GROUP):
    """Display the themes' chart with small themes and small cells hidden, and a note.

    A theme written by fewer than ``min_group`` customers has no bar; a heat-map cell
    written by 1 to ``min_group − 1`` customers is grey without a number, and so is any cell
    that would let a theme's total give it away
    (:func:`jmtools.report.quotes.disclosed_themes`). The note under the chart says how many
    were hidden and why.

    Parameters
    ----------
    themes : jmtools.analyses.themes.Themes
    dimension : {"stage", "touchpoint", "persona"}, default "stage"
    title : str, optional
    min_group : int, default :data:`jmtools.analyses.disclosure.MIN_GROUP` (5)

    Returns
    -------
    altair.HConcatChart or None
        The chart displayed (:func:`jmtools.charts.painpoints.themes_chart`); None, with a
        sentence saying why, when no text has a ``dimension`` (feedback naming no stage).

    Examples
    --------
    >>> from jmtools.analyses.themes import find_themes
    >>> fb = pd.DataFrame({"text": [f"hidden delivery fee at checkout {w}" for w in "abcdefghijklmnop"],
    ...                    "sentiment": -0.5, "customer_id": list("ABCDEFGHIJKLMNOP"),
    ...                    "stage": ["Decision"] * 6 + ["Payment"] * 5 + ["Delivery"] * 3 + ["Returns"] * 2})
    >>> th = find_themes(fb, n_themes=1, id_col=None, touchpoint_col=None, persona_col=None,
    ...                  stability=False)
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the chart and its note, as text outside a notebook
    ...     chart = show_themes_chart(th)
    >>> grey = chart.hconcat[1].layer[1].data           # the heat map's hidden cells
    >>> grey["value"].tolist()                          # Payment too: hidden cells may share customers
    ['Delivery', 'Payment', 'Returns']
    >>> grey["why"].tolist()
    ['fewer than 5 customers', 'would reveal a small cell (theme total)', 'fewer than 5 customers']
    """
    from IPython.display import display

    if not len(themes.counts) or not (themes.counts["dimension"] == dimension).any():
        why = ("no feedback text names a stage or touchpoint" if dimension != "persona"
               else "no customer who wrote has a persona")
        display(md("No chart of the themes by {d}: {why}; the table above gives each theme's size.",
                   d=dimension, why=why))   # said, not a crash (D132)
        return None
    shown = disclosed_themes(themes, min_group=min_group)
    chart = themes_chart(shown, dimension=dimension, title=title)
    display(chart)
    _show_notes(shown.summary.attrs.get("note", ""), shown.counts.attrs["notes"].get(dimension, ""))
    return chart


def show_pain_point_evidence(table: pd.DataFrame, themes=None, *, top: int = 3,
                             min_group: int = MIN_GROUP) -> None:
    """Print the evidence, themes and quotes of the ``top`` ranked pain points.

    Quotes are signed by their writer's pseudonym, never the customer id, and the quotes of a
    pain point whose complaints come from fewer than ``min_group`` customers are not printed
    (a note says how many); see :func:`jmtools.report.quotes.quoted_pain_points`.

    Parameters
    ----------
    table : pandas.DataFrame
        ``pipeline.run(...).pain_points.table``.
    themes : jmtools.analyses.themes.Themes, optional
        The complaint themes (``pipeline.run(...).pain_points.themes``): who wrote each quote.
    top : int, default 3
    min_group : int, default :data:`jmtools.analyses.disclosure.MIN_GROUP` (5)

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [1, 2], "title": ["Hidden fees", "Late parcel"],
    ...                       "source": ["detected", "detected"], "stage": ["Decision", "Delivery"],
    ...                       "touchpoint": ["Checkout", None], "personas": [[], []],
    ...                       "evidence": ["drop-off 40% (n=200)", "slow step (n=90)"],
    ...                       "themes": [["fees (n=8)"], ["late (n=2)"]], "n_feedback": [8, 2],
    ...                       "quotes": [["Shipping cost came as a surprise"], ["Still waiting"]]})
    >>> show_pain_point_evidence(table)
    #1 Hidden fees  [detected]
       evidence: drop-off 40% (n=200)
       themes:   fees (n=8)
       quote:    “Shipping cost came as a surprise”
    <BLANKLINE>
    #2 Late parcel  [detected]
       evidence: slow step (n=90)
       themes:   late
       quote:    (not shown: fewer than 5 customers)
    <BLANKLINE>
    The quotes of 1 pain point written by fewer than 5 customers are not shown.
    """
    whole_number("top", top, fix="pass e.g. 3")
    shown = quoted_pain_points(table.head(top), themes, min_group=min_group)
    for row, original in zip(shown.itertuples(), table.head(top).itertuples()):
        print(f"#{row.rank} {row.title}  [{row.source}]")
        print("   evidence:", row.evidence)
        print("   themes:  ", "; ".join(row.themes) or "—")
        for quote in row.quotes:
            print("   quote:   ", quote)
        if original.quotes and not row.quotes:
            print(f"   quote:    (not shown: fewer than {min_group} customers)")
        print()
    if shown.attrs.get("note"):
        print(shown.attrs["note"])


#: The columns of a comparison notebook 04 shows under the top pain point.
COMPARISON_COLUMNS = ["stage", "touchpoint", "persona", "signal", "value", "n", "baseline", "baseline_n",
                      "versus", "effect", "z", "counts"]


def show_comparisons(first: pd.Series, evidence: pd.DataFrame, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Show the comparisons worse than their baseline at a pain point's stage (and touchpoint).

    A comparison whose group or baseline counts fewer than ``min_group`` customers (possible
    when the notebook's ``min_n`` is set below it, or when few customers wrote many answers:
    distinct customers are read from ``n_customers`` and ``baseline_customers`` where the
    evidence has them) keeps its labels but not its numbers, and a note says how many
    (:func:`jmtools.analyses.disclosure.suppress_small_groups`).

    Parameters
    ----------
    first : pandas.Series
        A row of the ranked pain points (``stage``, ``touchpoint``).
    evidence : pandas.DataFrame
        ``pipeline.run(...).pain_points.evidence``.
    min_group : int, default :data:`jmtools.analyses.disclosure.MIN_GROUP` (5)

    Returns
    -------
    pandas.DataFrame
        The rows shown (:data:`COMPARISON_COLUMNS`, rounded to 3 digits, ``suppressed``).

    Examples
    --------
    >>> ev = pd.DataFrame({"stage": ["Decision"] * 3, "touchpoint": [None, "Checkout", "Cart"],
    ...     "persona": ["Ben", "Maya", "Ben"], "signal": ["drop-off"] * 3, "value": [0.7, 0.6, 0.5],
    ...     "n": [567, 3, 90], "baseline": [0.3] * 3, "baseline_n": [1579, 40, 90], "versus": ["other personas"] * 3,
    ...     "effect": [0.8, 0.5, 0.4], "z": [16.8, 2.1, 2.0], "counts": [True] * 3, "flagged": [True] * 3})
    >>> shown = show_comparisons(pd.Series({"stage": "Decision", "touchpoint": "Checkout"}), ev)  # doctest: +ELLIPSIS
    <...>
    <...>
    >>> shown[["persona", "n", "value", "suppressed"]]
      persona      n  value  suppressed
    0     Ben  567.0    0.7       False
    1    Maya    NaN    NaN        True
    """
    from IPython.display import display

    here = evidence[(evidence["stage"] == first["stage"]) & evidence["flagged"]]
    if first.get("touchpoint"):
        here = here[here["touchpoint"].isna() | (here["touchpoint"] == first["touchpoint"])]
    rows = here[COMPARISON_COLUMNS].round(3).reset_index(drop=True)
    smaller = pd.Series(np.minimum(customers_behind(here, "n_customers", "n"),
                                   customers_behind(here, "baseline_customers", "baseline_n")), name="smaller")
    shown = suppress_small_groups(rows.assign(smaller=smaller), n_col="smaller", min_n=min_group,
                                  columns=["value", "n", "baseline", "baseline_n", "effect", "z"])
    shown = shown.drop(columns="smaller")
    display(_styled(shown.drop(columns="suppressed"), hidden=shown["suppressed"], counts=("n", "baseline_n")))
    _show_notes(shown.attrs.get("note", ""))
    return shown


def record_pain_point_figures(persona: str, table: pd.DataFrame, themes, positive=None) -> None:
    """Key figures of notebook 04: pain points (with evidence), the top one (its title, and its
    id as ``top_pain_point_id``), the largest complaint theme and the praise themes.

    Parameters
    ----------
    persona : str
        The notebook's persona.
    table : pandas.DataFrame
        The ranked pain points (``pipeline.run(...).pain_points.table``).
    themes, positive : Themes, optional
        The complaint themes and the praise themes (``find_themes``); ``positive`` may be None.
    
    Examples
    --------
    >>> table = pd.DataFrame({"pain_point_id": ["fees"], "title": ["Hidden fees"], "source": ["detected"],
    ...                       "personas": [["Ben"]], "score": [3.2]})
    >>> record_pain_point_figures("all", table, None)
    """
    record("persona", persona, label="Persona")
    record("n_pain_points", int(len(table)), label="Pain points")
    record("n_with_evidence", int((table["source"] != "journey file").sum()),
           label="Pain points with evidence in the data")
    if len(table):
        top = table.iloc[0]
        # readers see the title (as notebook 00 records it); the id stays for scripts
        record("top_pain_point", str(top.get("title") or top["pain_point_id"]), label="Top pain point",
               headline=True)
        record("top_pain_point_id", str(top["pain_point_id"]), label="Id of the top pain point")
        record("top_pain_point_personas", list(top["personas"]), label="Personas affected")
        record("top_pain_point_score", round(float(top["score"]), 4), label="Score of the top pain point")
    if themes is not None and len(themes.summary):
        record("top_theme", str(themes.summary.iloc[0]["label"]), label="Largest complaint theme",
               n=int(themes.summary.iloc[0]["n"]))
    if positive is not None and len(positive.summary):
        record("praise_themes", [f"{r.label} @ {r.top_touchpoint} ({r.top_persona})"
                                 for r in positive.summary.itertuples()], label="Praise themes")
