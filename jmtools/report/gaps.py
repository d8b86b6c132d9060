"""What a step notebook shows where the data leaves a section with nothing to draw (D156).

A chart function refuses an empty frame with a developer's error ("trend is empty: nothing to
draw  Fix: pass the output of …"): right for a caller who passed the wrong frame, wrong for a
notebook user whose data simply holds nothing for that section. These functions draw when there
is something to draw, and otherwise say in plain words why there is nothing and what to add, so
the notebook goes on: notebook 03's trend over time, notebook 01's persona sections without
persona cards.
"""

from __future__ import annotations

import pandas as pd

from jmtools.charts.emotions import sentiment_trend_chart
from jmtools.core.vocabulary import ALL
from jmtools.report.present import md
from jmtools.report.unplaced import unplaced_rows

__all__ = ["trend_gap", "show_sentiment_trend", "no_personas_note", "show_no_personas"]


def trend_gap(trend: pd.DataFrame | None, *, tables=None, persona: str = ALL) -> str:
    """Why there is no trend over time to draw, in plain words with what to add; empty when there is one.

    Parameters
    ----------
    trend : pandas.DataFrame or None
        :func:`jmtools.analyses.emotions.sentiment_trend` (disclosed or not); None when there was no
        evidence to compute it from.
    tables : mapping, optional
        Table kind → DataFrame or :class:`~jmtools.sources.LoadedTable` (``World.tables``), to say
        whether survey answers or feedback texts were there but named no stage or touchpoint.
    persona : str, default "all"

    Returns
    -------
    str
        Empty when ``trend`` has a period with evidence (or one hidden as a small group).

    Examples
    --------
    >>> sv = pd.DataFrame({"customer_id": ["a"], "metric": "nps", "score": [9]})
    >>> print(trend_gap(None, tables={"surveys": sv}))
    No trend over time: no survey answer or feedback text names a stage or touchpoint of the journey, and there are no events to measure behaviour from. To see one, give the answers or texts a stage or touchpoint column (docs/data.md), or add events.csv.
    >>> print(trend_gap(pd.DataFrame({"n": []}), persona="Budget Ben"))
    No trend over time for Budget Ben: none of the evidence placed on the journey has a date. To see one, add dated survey answers or feedback texts (a timestamp column) that name a stage or touchpoint.
    """
    if trend is not None and len(trend):
        hidden = trend["suppressed"].fillna(False).astype(bool) if "suppressed" in trend else False
        if ((pd.to_numeric(trend["n"], errors="coerce") > 0) | hidden).any():
            return ""
    who = "" if persona == ALL else f" for {persona}"
    if trend is None and unplaced_rows(tables or {}):
        return (f"No trend over time{who}: no survey answer or feedback text names a stage or touchpoint of the "
                "journey, and there are no events to measure behaviour from. To see one, give the answers or texts "
                "a stage or touchpoint column (docs/data.md), or add events.csv.")
    if trend is None:
        return (f"No trend over time{who}: nothing in this folder measures emotion. To see one, add surveys.csv or "
                "feedback.csv naming a stage or touchpoint, or events.csv (docs/data.md).")
    return (f"No trend over time{who}: none of the evidence placed on the journey has a date. To see one, add dated "
            "survey answers or feedback texts (a timestamp column) that name a stage or touchpoint.")


def show_sentiment_trend(trend: pd.DataFrame | None, *, slopes: pd.DataFrame | None = None, tables=None,
                         persona: str = ALL, display=None):
    """Notebook 03's section 8: the trend chart, or why there is none (:func:`trend_gap`).

    Parameters
    ----------
    trend, tables, persona
        As for :func:`trend_gap`.
    slopes : pandas.DataFrame, optional
        :func:`jmtools.analyses.emotions.trend_slopes`, for the panels' titles.
    display : callable, optional
        How to show (default IPython's ``display``).

    Returns
    -------
    altair.FacetChart or None
        The chart shown, or None when a sentence was shown instead.

    Examples
    --------
    >>> shown = []
    >>> show_sentiment_trend(None, display=shown.append) is None, shown[0].data[:18]
    (True, 'No trend over time')
    """
    if display is None:
        from IPython.display import display
    why = trend_gap(trend, tables=tables, persona=persona)
    if why:
        display(md("{why}", why=why))
        return None
    chart = sentiment_trend_chart(trend, slopes=slopes)
    display(chart)
    return chart


def no_personas_note(journey, customers: pd.DataFrame | None) -> str:
    """Why notebook 01 has no persona to check, assign or profile, and what to add; empty when
    the journey names personas.

    Parameters
    ----------
    journey : Journey
    customers : pandas.DataFrame or None
        The customer table (its attributes are named as what a rule can use).

    Returns
    -------
    str

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> j = SimpleNamespace(persona_names=[])
    >>> print(no_personas_note(j, pd.DataFrame({"customer_id": [1], "fuel": ["gas"], "payment_method": ["dd"]})))
    The journey file names no personas, so there is no card to show and nothing to check, assign or profile (sections 1 to 4). Add personas to the journey file, each with a name and a rule over the customer attributes (fuel, payment_method), for example rule: fuel == 'gas'; section 5 below suggests groups from the data.
    """
    if journey.persona_names:
        return ""
    said = "The journey file names no personas, so there is no card to show and nothing to check, assign or profile"
    if customers is None:
        return said + " (add a customer table and personas to the journey file to see them)."
    attrs = [str(c) for c in customers.columns if c != "customer_id"]
    example = ""
    if attrs and customers[attrs[0]].dropna().size:
        value = customers[attrs[0]].dropna().iloc[0]
        example = f", for example rule: {attrs[0]} == {value!r}" if isinstance(value, str) else \
            f", for example rule: {attrs[0]} >= {value!r}"
    return (f"{said} (sections 1 to 4). Add personas to the journey file, each with a name and a rule over the "
            f"customer attributes ({', '.join(attrs[:8])}{', …' if len(attrs) > 8 else ''}){example}; section 5 "
            "below suggests groups from the data.")


def show_no_personas(journey, customers: pd.DataFrame | None, *, display=None) -> bool:
    """Show :func:`no_personas_note` when the journey names no personas; True then.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> show_no_personas(SimpleNamespace(persona_names=["Ben"]), None, display=print)
    False
    """
    note = no_personas_note(journey, customers)
    if not note:
        return False
    if display is None:
        from IPython.display import display
    display(md("{note}", note=note))   # attribute names and values come from the data: escaped
    return True
