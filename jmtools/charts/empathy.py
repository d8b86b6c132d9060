"""Empathy map chart: the four quadrants (says, thinks, does, feels) of one persona.

:func:`empathy_chart` draws a frame of :func:`jmtools.analyses.empathy.empathy_cells`;
:func:`empathy_map` computes and draws in one call. Every item has the evidence badge of
the journey map (● measured, ◆ reported, ○ assumed).
"""

from __future__ import annotations

import textwrap

from jmtools.analyses.empathy import QUADRANTS, empathy_cells
from jmtools.charts._pixels import px
from jmtools.charts.theme import (EVIDENCE_COLORS, EVIDENCE_FILLS, EVIDENCE_SHAPES, MAP_COLORS,
                                  MAP_FONT, use_theme)
from jmtools.core.errors import ParameterError
from jmtools.core.metrics import EVIDENCE_LABELS

__all__ = ["empathy_chart", "empathy_map"]


def empathy_chart(cells, *, title: str | None = None, quadrant_width: int = 360,
                  font_size: int = 11, show_stage: bool | None = None):
    """Draw an empathy-map frame (from :func:`~jmtools.analyses.empathy.empathy_cells`) as four
    quadrants.

    Parameters
    ----------
    cells : pandas.DataFrame
        The output of :func:`~jmtools.analyses.empathy.empathy_cells`.
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
                           "fill": MAP_COLORS["band" if q in ("says", "feels") else "band_alt"]}
                          for q, (x, y) in origin.items()])
    width, height = 2 * quadrant_width, top_h + bottom_h
    layers = [
        alt.Chart(boxes).mark_rect(stroke=MAP_COLORS["frame"], strokeWidth=1.2).encode(
            x=px("x"), x2="x2:Q", y=px("y"), y2="y2:Q", fill=alt.Fill("fill:N", scale=None)),
        alt.Chart(boxes).mark_text(align="left", baseline="top", font=MAP_FONT,
                                   fontSize=font_size + 3, fontWeight="bold",
                                   color=MAP_COLORS["ink"]).encode(x=px("tx"), y=px("ty"),
                                                                   text="title:N"),
    ]
    if items:
        frame = pd.DataFrame(items)
        tooltip = ["text:N", "stage:N", "evidence:N", "source:N"]
        layers.append(alt.Chart(frame).mark_text(
            align="left", baseline="top", lineBreak="\n", font=MAP_FONT, fontSize=font_size,
            color=MAP_COLORS["text"], lineHeight=lh).encode(x=px("x"), y=px("y"),
                                                            text="wrapped:N", tooltip=tooltip))
        domain = list(EVIDENCE_LABELS)
        legend = alt.Legend(title="evidence", orient="bottom")
        layers.append(alt.Chart(frame).mark_point(size=45, strokeWidth=1.5, opacity=1).encode(
            x=px("bx"), y=px("by"), tooltip=tooltip,
            shape=alt.Shape("evidence:N", scale=alt.Scale(domain=domain, range=[
                EVIDENCE_SHAPES[d] for d in domain]), legend=legend),
            fill=alt.Fill("evidence:N", scale=alt.Scale(domain=domain, range=[
                EVIDENCE_FILLS[d] for d in domain]), legend=legend),
            stroke=alt.Stroke("evidence:N", scale=alt.Scale(domain=domain, range=[
                EVIDENCE_COLORS[d] for d in domain]), legend=legend)))
    else:
        layers.append(alt.Chart(pd.DataFrame([{"x": pad, "y": top_h + bottom_h / 2}])).mark_text(
            align="left", text="Nothing recorded yet for this persona and stage",
            font=MAP_FONT, fontStyle="italic", color=MAP_COLORS["note"]).encode(
            x=px("x"), y=px("y")))
    return alt.layer(*layers).properties(
        width=width, height=height,
        title=alt.TitleParams(title or "Empathy map", anchor="start", fontSize=16, font=MAP_FONT),
    ).resolve_scale(shape="independent", fill="independent",
                    stroke="independent").configure_view(stroke=None)


def empathy_map(journey, *, persona: str | None, stage: str | None = None, quotes=None,
                max_quotes: int = 3, names=None, **layout):
    """The empathy map of a persona (at one stage, or across the journey) as a chart.

    Parameters
    ----------
    journey, persona, stage, quotes, max_quotes, names
        See :func:`~jmtools.analyses.empathy.empathy_cells` (``names``: surnames learned once,
        for several maps drawn from the same quotes).
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
                          max_quotes=max_quotes, names=names)
    who = " · ".join(x for x in (persona, stage) if x) or journey.name
    return empathy_chart(cells, title=f"Empathy map — {who}", **layout)

