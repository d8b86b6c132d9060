"""The one Altair theme of jmtools, registered under the name ``jmtools``, and every colour,
font and evidence badge the charts draw with.

Chart functions call :func:`use_theme` before building a chart, so a notebook, a batch
report and a test all draw with the same fonts, sizes and colours. Colours are the
Okabe–Ito palette (distinguishable with the common colour-vision deficiencies). The
journey-map and empathy-map canvases draw with :data:`MAP_FONT` and :data:`MAP_COLORS`;
every item on them carries an evidence badge (:data:`EVIDENCE_SHAPES`,
:data:`EVIDENCE_FILLS`, :data:`EVIDENCE_COLORS`).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

__all__ = ["THEME_NAME", "PALETTE", "PERSONA_PALETTE", "ALL_CUSTOMERS_COLOR", "SEQUENTIAL",
           "DIVERGING", "FONT", "MAP_FONT", "MAP_COLORS", "EVIDENCE_COLORS", "EVIDENCE_FILLS",
           "EVIDENCE_SHAPES", "theme_config", "use_theme", "validated_whole"]

#: Name under which the theme is registered with Altair.
THEME_NAME = "jmtools"

#: Categorical colours (Okabe–Ito), in the order series are drawn.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

#: Colours of personas' curves: the palette without black, so a persona never looks like
#: "All customers" (a persona keeps the colour of its place in the journey).
PERSONA_PALETTE = [c for c in PALETTE if c != "#000000"]

#: "All customers" is drawn dark grey beside the personas' colours.
ALL_CUSTOMERS_COLOR = "#3b3b3b"

#: Sequential scheme for counts and rates (Vega scheme name).
SEQUENTIAL = "blues"

#: Diverging scheme for signed values such as emotion (Vega scheme name).
DIVERGING = "redblue"

#: Font stack; system fonts only, so reports render offline.
FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"

#: Font stack of the journey-map and empathy-map canvases. DejaVu first: it has every glyph
#: the map uses (★ ● ◆ ○ −). With the theme's Helvetica/Arial stack, vl-convert falls back
#: per line and draws lines with ★ in bold.
MAP_FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

#: Colours of the canvases, by role: ``ink`` (stage header, lane titles, blueprint lines,
#: quadrant titles), ``lane_title`` (background of the lane-title column), ``band`` and
#: ``band_alt`` (alternating lane backgrounds, quadrant fills), ``grid`` (cell borders),
#: ``frame`` (the zero line of the emotion lane, quadrant borders), ``guide`` (other
#: emotion levels), ``guide_label``, ``stage_number``, ``stage_name``, ``text`` (items),
#: ``value_label`` (numbers on the emotion curve), ``halo`` (behind those numbers),
#: ``note`` (placeholders), ``footer`` (items tied to no stage), ``subtitle``.
MAP_COLORS = {
    "ink": "#30475e",
    "lane_title": "#e8ecf1",
    "band": "#f7f8fa",
    "band_alt": "#ffffff",
    "grid": "#c9d1da",
    "frame": "#9aa5b1",
    "guide": "#e3e7ec",
    "guide_label": "#6b7785",
    "stage_number": "#9fb3c8",
    "stage_name": "white",
    "text": "#222",
    "value_label": "#333",
    "halo": "white",
    "note": "#888",
    "footer": "#555",
    "subtitle": "#555",
}

#: Evidence badges drawn in front of every item on a map: ● measured, ◆ reported, ○ assumed
#: (keys are :data:`jmtools.core.metrics.EVIDENCE_LABELS`).
EVIDENCE_SHAPES = {"measured": "circle", "reported": "diamond", "assumed": "circle"}
#: Fill of each evidence badge (assumed is hollow).
EVIDENCE_FILLS = {"measured": "#1b7837", "reported": "#2166ac", "assumed": "#ffffff"}
#: Outline of each evidence badge.
EVIDENCE_COLORS = {"measured": "#1b7837", "reported": "#2166ac", "assumed": "#8c8c8c"}


def theme_config() -> dict:
    """The theme as a Vega-Lite config dict.

    Examples
    --------
    >>> theme_config()["config"]["range"]["category"][0]
    '#0072B2'
    """
    axis = {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 11, "titleFontSize": 12,
            "titleFontWeight": "normal", "gridColor": "#e6e6e6", "domainColor": "#888888",
            "tickColor": "#888888", "labelColor": "#333333", "titleColor": "#333333"}
    return {"config": {
        "font": FONT,
        "view": {"continuousWidth": 480, "continuousHeight": 300, "stroke": None},
        "background": "white",
        "padding": 8,
        "title": {"font": FONT, "fontSize": 15, "fontWeight": "normal", "anchor": "start",
                  "color": "#222222", "subtitleColor": "#555555", "subtitleFontSize": 12},
        "axis": axis,
        "axisX": {"labelAngle": 0},
        "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 11, "titleFontSize": 12,
                   "titleFontWeight": "normal", "orient": "right"},
        "header": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12},
        "range": {"category": PALETTE, "heatmap": {"scheme": SEQUENTIAL},
                  "diverging": {"scheme": DIVERGING}},
        "bar": {"color": PALETTE[0]},
        "line": {"color": PALETTE[0], "strokeWidth": 2},
        "point": {"color": PALETTE[0], "size": 40},
        "rule": {"color": "#555555"},
        "text": {"font": FONT, "fontSize": 11, "color": "#333333"},
    }}


def use_theme() -> None:
    """Register the jmtools theme with Altair (once) and enable it, with the offline renderer.

    The renderer ``jmtools`` (:mod:`jmtools.render.notebook`, found through its entry point)
    replaces Altair's default, which loads Vega from a CDN; a renderer the user chose is kept.

    Examples
    --------
    >>> import altair as alt
    >>> use_theme()
    >>> alt.theme.active
    'jmtools'
    """
    import altair as alt

    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme_config)
    if alt.theme.active != THEME_NAME:
        alt.theme.enable(THEME_NAME)
    if alt.renderers.active == "default":
        try:
            alt.renderers.enable(THEME_NAME)
        except ValueError:  # jmtools used from a source tree without install: no entry point
            pass



@contextmanager
def validated_whole():
    """Within the block (or the function it decorates), Altair does not validate each piece of
    a chart as it is built — encodings, titles, configs, each once more per chained call — only
    the whole specification, when the chart is shown or converted (``to_dict()``), as always.

    The specification is the same (the report's charts were compared byte for byte); what is
    lost is only an earlier, more local error for a piece that does not fit the schema, which
    the whole-spec check still refuses. Used by the report's sections, which build a chart and
    show it at once. Altair's setting is restored afterwards.

    Examples
    --------
    >>> import altair as alt
    >>> with validated_whole():
    ...     chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q")
    >>> chart.to_dict()["mark"]["type"], alt.utils.schemapi.DEBUG_MODE
    ('bar', True)
    """
    import altair as alt

    with alt.utils.schemapi.debug_mode(False):
        yield


# In a notebook kernel (or where Altair is already in use) importing any chart module switches the
# theme and the offline renderer on, so plain Altair charts made later render offline too. The
# command line loads neither, and stays free of Altair until it draws.
if "ipykernel" in sys.modules or "altair" in sys.modules:
    use_theme()
