"""The one Altair theme of jmtools, registered under the name ``jmtools``.

Chart functions call :func:`use_theme` before building a chart, so a notebook, a batch
report and a test all draw with the same fonts, sizes and colours. Colours are the
Okabe–Ito palette (distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

__all__ = ["THEME_NAME", "PALETTE", "SEQUENTIAL", "DIVERGING", "FONT", "theme_config", "use_theme"]

#: Name under which the theme is registered with Altair.
THEME_NAME = "jmtools"

#: Categorical colours (Okabe–Ito), in the order series are drawn.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

#: Sequential scheme for counts and rates (Vega scheme name).
SEQUENTIAL = "blues"

#: Diverging scheme for signed values such as emotion (Vega scheme name).
DIVERGING = "redblue"

#: Font stack; system fonts only, so reports render offline.
FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"


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
    """Register the jmtools theme with Altair (once) and enable it.

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
