"""Empathy map: what a persona says, thinks, does and feels — per stage or across the journey.

:func:`empathy_cells` collects the content (compute): *thinks* from the stage's thoughts,
*does* from its actions, *feels* from its feelings, and *says* from customers' own words —
quotes passed in (e.g. feedback texts of the persona's customers, masked for personal data)
and the persona card's quote. :func:`empathy_chart` draws the four quadrants;
:func:`empathy_map` does both.
"""

from __future__ import annotations

import textwrap
from typing import Sequence

from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = ["QUADRANTS", "EMPATHY_COLUMNS", "empathy_cells", "empathy_chart", "empathy_map",
           "feedback_quotes"]

#: Quadrants in drawing order (top-left, top-right, bottom-left, bottom-right) with titles.
QUADRANTS = {"says": "Says", "thinks": "Thinks", "does": "Does", "feels": "Feels"}

#: Columns of the frame :func:`empathy_cells` returns.
EMPATHY_COLUMNS = ["quadrant", "stage", "item", "text", "evidence", "source"]

_LANE_OF = {"thinks": "thoughts", "does": "actions", "feels": "feelings"}


def empathy_cells(journey, *, persona: str | None, stage: str | None = None, quotes=None,
                  max_quotes: int = 3, text_col: str = "text", stage_col: str = "stage",
                  persona_col: str = "persona"):
    """The content of an empathy map for one persona, at one stage or across the journey.

    Parameters
    ----------
    journey : Journey
        The map.
    persona : str or None
        The persona (claims about other personas are left out); None when the journey has
        no personas.
    stage : str, optional
        One stage; default every stage (items keep their stage).
    quotes : pandas.DataFrame, optional
        Customers' own words for *says*: a ``text`` column and optionally ``stage``,
        ``persona`` and ``source``; rows are used in the given order (rank them first).
        Texts are masked for e-mail addresses, phone and card numbers.
    max_quotes : int, default 3
        Quotes shown per stage.
    text_col, stage_col, persona_col : str
        Column roles in ``quotes``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EMPATHY_COLUMNS`: ``quadrant`` (ordered categorical of
        :data:`QUADRANTS`), ``stage`` (ordered categorical in journey order; missing for
        the persona's card quote), ``item`` (position within quadrant), ``text``,
        ``evidence`` (measured / reported / assumed) and ``source``.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... personas: [{name: Ben, quote: "Cheap, please."}]
    ... stages:
    ...   - {name: Buy, actions: [Pays], thoughts: [Is it safe?],
    ...      feelings: [{text: Nervous, evidence: reported}]}
    ... ''')
    >>> empathy_cells(j, persona="Ben")[["quadrant", "stage", "text", "evidence"]]
      quadrant stage            text  evidence
    0     says   NaN  “Cheap, please.”   assumed
    1   thinks   Buy     Is it safe?   assumed
    2     does   Buy            Pays   assumed
    3    feels   Buy         Nervous  reported
    """
    import pandas as pd

    stages = _stages(journey, stage)
    card = _persona_card(journey, persona)
    rows = []
    if card is not None and card.quote and stage is None:
        said = card.quote.strip().strip('"“”')
        rows.append(("says", None, f"“{said}”", card.evidence, "persona card"))
    if quotes is not None:
        rows += _quote_rows(journey, quotes, persona, stages, max_quotes, text_col, stage_col,
                            persona_col)
    for quadrant, lane in _LANE_OF.items():
        for s in stages:
            for claim in getattr(journey.stage(s), lane):
                if not claim.personas or persona in claim.personas:
                    rows.append((quadrant, s, claim.text, claim.evidence, claim.source or ""))
    out = pd.DataFrame(rows, columns=["quadrant", "stage", "text", "evidence", "source"])
    out["quadrant"] = pd.Categorical(out["quadrant"], categories=list(QUADRANTS), ordered=True)
    out["stage"] = pd.Categorical(out["stage"], categories=journey.stage_names, ordered=True)
    out = out.sort_values(["quadrant"], kind="stable").reset_index(drop=True)
    out.insert(2, "item", out.groupby("quadrant", observed=True).cumcount())
    return out[EMPATHY_COLUMNS]


def _stages(journey, stage) -> list[str]:
    if stage is None:
        return list(journey.stage_names)
    if stage not in journey.stage_names:
        raise ParameterError("stage", stage, expected=journey.stage_names)
    return [stage]


def _persona_card(journey, persona):
    names = journey.persona_names
    if persona is None:
        if names:
            raise ParameterError("persona", None, expected=names,
                                 fix="an empathy map is about one persona: pass persona=…")
        return None
    if persona not in names:
        raise ParameterError("persona", persona, expected=names or
                             "a persona of the journey (this journey declares none)")
    return journey.personas_resolved()[names.index(persona)]


def _quote_rows(journey, quotes, persona, stages, max_quotes, text_col, stage_col, persona_col):
    from jmtools.analyses.privacy import mask_text

    if text_col not in quotes.columns:
        hint = suggest(text_col, list(quotes.columns))
        raise DataError([Problem(f"column '{text_col}' is missing from the quotes",
                                 fix=f"pass text_col={hint!r}" if hint else
                                 "pass a frame with the customers' words in a 'text' column",
                                 source="quotes", column=text_col)])
    if not isinstance(max_quotes, int) or max_quotes < 0:
        raise ParameterError("max_quotes", max_quotes, expected="a whole number >= 0")
    frame = quotes[quotes[text_col].notna()]
    if persona is not None and persona_col in frame.columns:
        frame = frame[frame[persona_col] == persona]
    rows = []
    per_stage: dict = {}
    for rec in frame.to_dict("records"):
        s = rec.get(stage_col) if stage_col in frame.columns else None
        s = str(s) if s is not None and s == s else None
        if s is not None and s not in journey.stage_names:
            continue  # quotes of stages not on the journey are not this map's
        if s is not None and s not in stages or (s is None and len(stages) == 1):
            continue
        if per_stage.get(s, 0) >= max_quotes:
            continue
        per_stage[s] = per_stage.get(s, 0) + 1
        text = " ".join(mask_text(str(rec[text_col])).split())
        rows.append(("says", s, f"“{text}”", "reported", str(rec.get("source") or "")))
    return rows


# ----------------------------------------------------------------------------- draw
def empathy_chart(cells, *, title: str | None = None, quadrant_width: int = 360,
                  font_size: int = 11, show_stage: bool | None = None):
    """Draw an empathy-map frame (from :func:`empathy_cells`) as four quadrants.

    Parameters
    ----------
    cells : pandas.DataFrame
        The output of :func:`empathy_cells`.
    title : str, optional
        Chart title.
    quadrant_width : int, default 360
        Width of each quadrant in pixels; heights grow with the content.
    font_size : int, default 11
    show_stage : bool, optional
        Prefix items with their stage (default: when the items span several stages).

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: D\\npersonas: [{name: Ben}]\\nstages: [{name: S, actions: [Pays]}]")
    >>> spec = empathy_chart(empathy_cells(j, persona="Ben"), title="Ben").to_dict()
    >>> spec["title"]["text"], spec["width"]
    ('Ben', 720)
    """
    import altair as alt
    import pandas as pd

    from jmtools.canvas import _COLORS, _FILLS, _FONT, _SHAPES, _px
    from jmtools.charts.theme import use_theme

    use_theme()

    if "quadrant" not in cells.columns or not hasattr(cells["quadrant"], "cat"):
        raise ParameterError("cells", "a frame without categorical 'quadrant'",
                             expected="the frame returned by empathy_cells()")
    if show_stage is None:
        show_stage = cells["stage"].dropna().nunique() > 1
    lh, pad, badge = round(font_size * 1.35), 12, 12
    chars = max(10, int((quadrant_width - 2 * pad - badge) / (font_size * 0.6)))
    items, heights = [], {}
    for q in QUADRANTS:
        y = 0
        for rec in cells[cells["quadrant"] == q].to_dict("records"):
            stage = rec["stage"] if isinstance(rec["stage"], str) else None
            label = f"{stage}: {rec['text']}" if show_stage and stage else rec["text"]
            lines = textwrap.wrap(label, chars) or [""]
            items.append({"quadrant": q, "dy": y, "wrapped": "\n".join(lines),
                          "text": rec["text"], "stage": stage or "", "evidence": rec["evidence"],
                          "source": rec["source"]})
            y += len(lines) * lh + 5
        heights[q] = max(y, lh) + 2 * pad + lh + 6
    top_h = max(heights["says"], heights["thinks"], 120)
    bottom_h = max(heights["does"], heights["feels"], 120)
    origin = {"says": (0, 0), "thinks": (quadrant_width, 0), "does": (0, top_h),
              "feels": (quadrant_width, top_h)}
    for it in items:
        x0, y0 = origin[it["quadrant"]]
        it.update(x=x0 + pad + badge, y=y0 + pad + lh + 6 + it["dy"], bx=x0 + pad + 4,
                  by=y0 + pad + lh + 6 + it["dy"] + lh / 2 - 1)
    boxes = pd.DataFrame([{"x": x, "x2": x + quadrant_width, "y": y,
                           "y2": y + (top_h if y == 0 else bottom_h),
                           "title": QUADRANTS[q], "tx": x + pad, "ty": y + pad,
                           "fill": "#f7f8fa" if q in ("says", "feels") else "#ffffff"}
                          for q, (x, y) in origin.items()])
    width, height = 2 * quadrant_width, top_h + bottom_h
    layers = [
        alt.Chart(boxes).mark_rect(stroke="#9aa5b1", strokeWidth=1.2).encode(
            x=_px("x"), x2="x2:Q", y=_px("y"), y2="y2:Q", fill=alt.Fill("fill:N", scale=None)),
        alt.Chart(boxes).mark_text(align="left", baseline="top", font=_FONT,
                                   fontSize=font_size + 3, fontWeight="bold",
                                   color="#30475e").encode(x=_px("tx"), y=_px("ty"),
                                                           text="title:N"),
    ]
    if items:
        frame = pd.DataFrame(items)
        tooltip = ["text:N", "stage:N", "evidence:N", "source:N"]
        layers.append(alt.Chart(frame).mark_text(
            align="left", baseline="top", lineBreak="\n", font=_FONT, fontSize=font_size,
            color="#222", lineHeight=lh).encode(x=_px("x"), y=_px("y"), text="wrapped:N",
                                                tooltip=tooltip))
        domain = ["measured", "reported", "assumed"]
        legend = alt.Legend(title="evidence", orient="bottom")
        layers.append(alt.Chart(frame).mark_point(size=45, strokeWidth=1.5, opacity=1).encode(
            x=_px("bx"), y=_px("by"), tooltip=tooltip,
            shape=alt.Shape("evidence:N", scale=alt.Scale(domain=domain, range=[
                _SHAPES[d] for d in domain]), legend=legend),
            fill=alt.Fill("evidence:N", scale=alt.Scale(domain=domain, range=[
                _FILLS[d] for d in domain]), legend=legend),
            stroke=alt.Stroke("evidence:N", scale=alt.Scale(domain=domain, range=[
                _COLORS[d] for d in domain]), legend=legend)))
    else:
        layers.append(alt.Chart(pd.DataFrame([{"x": pad, "y": top_h + bottom_h / 2}])).mark_text(
            align="left", text="Nothing recorded yet for this persona and stage",
            font=_FONT, fontStyle="italic", color="#888").encode(x=_px("x"), y=_px("y")))
    return alt.layer(*layers).properties(
        width=width, height=height,
        title=alt.TitleParams(title or "Empathy map", anchor="start", fontSize=16, font=_FONT),
    ).resolve_scale(shape="independent", fill="independent",
                    stroke="independent").configure_view(stroke=None)


def empathy_map(journey, *, persona: str | None, stage: str | None = None, quotes=None,
                max_quotes: int = 3, **layout):
    """The empathy map of a persona (at one stage, or across the journey) as a chart.

    Parameters
    ----------
    journey, persona, stage, quotes, max_quotes
        See :func:`empathy_cells`.
    **layout
        ``quadrant_width``, ``font_size``, ``show_stage`` of :func:`empathy_chart`.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: D\\npersonas: [{name: Ben}]\\nstages: [{name: S}]")
    >>> empathy_map(j, persona="Ben", stage="S").to_dict()["title"]["text"]
    'Empathy map — Ben · S'
    """
    cells = empathy_cells(journey, persona=persona, stage=stage, quotes=quotes,
                          max_quotes=max_quotes)
    who = " · ".join(x for x in (persona, stage) if x) or journey.name
    return empathy_chart(cells, title=f"Empathy map — {who}", **layout)


def feedback_quotes(feedback, *, personas=None, journey=None, customer_col: str = "customer_id",
                    time_col: str = "timestamp", text_col: str = "text"):
    """Turn a feedback table into quotes for :func:`empathy_cells`: most recent first.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Canonical feedback (``customer_id``, ``timestamp``, ``text`` and ``stage`` or a
        ``touchpoint`` of the journey).
    personas : pandas.DataFrame, optional
        ``customer_id``, ``persona`` (e.g. from :func:`jmtools.personas.assign_personas`).
    journey : Journey, optional
        Gives the stage of each touchpoint when the feedback has no ``stage`` column.
    customer_col, time_col, text_col : str
        Column roles in ``feedback``.

    Returns
    -------
    pandas.DataFrame
        ``text``, ``stage``, ``persona`` (missing without ``personas``), ``source``
        (``feedback <id>`` when there is a ``feedback_id``), newest first; the input is
        not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> fb = pd.DataFrame({"feedback_id": ["F1", "F2"], "customer_id": ["a", "b"],
    ...                    "timestamp": pd.to_datetime(["2026-01-01", "2026-02-01"]),
    ...                    "text": ["Old", "New"], "stage": ["Buy", "Buy"]})
    >>> feedback_quotes(fb, personas=pd.DataFrame({"customer_id": ["a"], "persona": ["Ben"]}))
      text stage persona      source
    0  New   Buy     NaN  feedback F2
    1  Old   Buy     Ben  feedback F1
    """
    import pandas as pd

    for col in (customer_col, text_col):
        if col not in feedback.columns:
            raise DataError([Problem(f"column '{col}' is missing from the feedback",
                                     fix=f"pass {('customer_col' if col == customer_col else 'text_col')}"
                                         f"=<the column>", source="feedback", column=col)])
    out = feedback.copy()
    if "stage" not in out.columns:
        if journey is None or "touchpoint" not in out.columns:
            raise DataError([Problem("the feedback has neither a 'stage' nor a 'touchpoint' "
                                     "column", fix="add one, or pass journey= with touchpoints",
                                     source="feedback", column="stage")])
        stage_of = {t.name: t.stage for t in journey.touchpoints}
        out["stage"] = out["touchpoint"].map(stage_of)
    if personas is not None:
        out = out.merge(personas[[customer_col, "persona"]], on=customer_col, how="left")
        out["persona"] = out["persona"].astype(object)
    else:
        out["persona"] = None
    if time_col in out.columns:
        out = out.sort_values(time_col, ascending=False, kind="stable")
    out["source"] = ("feedback " + out["feedback_id"].astype(str)
                     if "feedback_id" in out.columns else "feedback")
    return out.rename(columns={text_col: "text"})[["text", "stage", "persona", "source"]] \
        .reset_index(drop=True)
