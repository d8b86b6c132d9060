"""The journey-map canvas: the whole map as one picture.

Compute and draw stay apart:

- :func:`jmtools.analyses.mapcells.map_cells` turns a :class:`~jmtools.journey.Journey`
  (plus optional measured evidence) into a tidy *cells* frame;
- :func:`map_chart` lays that frame out as a grid (stages as columns in journey order, lanes
  as rows in the chosen order) and returns an Altair chart; it never displays anything;
- :func:`journey_map` does both in one call, and :func:`journey_mimebundle` is what Jupyter
  shows for a journey (its map as SVG, drawn offline).

Evidence labels are drawn as a badge in front of every item: ● measured, ◆ reported,
○ assumed. The emotion lane shows the workshop's assumed curve (dashed) next to the curve
measured from data (solid, with its 95% interval and n), one colour per persona. The
pixel layout lives in :mod:`jmtools.charts._journeymap_geometry`; colours, fonts and badges
in :mod:`jmtools.charts.theme`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from jmtools.analyses.mapcells import map_cells
from jmtools.charts._journeymap_geometry import MapGeometry
from jmtools.charts.theme import MAP_COLORS, MAP_FONT, use_theme
from jmtools.core.errors import MissingDependencyError, ParameterError

__all__ = ["map_chart", "map_size", "journey_map", "journey_mimebundle"]

#: The map's layout defaults in px (pt for the font), written once for :func:`map_chart` and
#: :func:`map_size`, so that what is measured is what is drawn.
COLUMN_WIDTH, LABEL_WIDTH, FONT_SIZE, EMOTION_HEIGHT = 230, 150, 11, 150


def map_chart(cells, *, title: str | None = None, subtitle: str | None = None,
              column_width: int = COLUMN_WIDTH, label_width: int = LABEL_WIDTH, font_size: int = FONT_SIZE,
              emotion_height: int = EMOTION_HEIGHT, usermeta: Mapping[str, Any] | None = None):
    """Draw a cells frame (from :func:`~jmtools.analyses.mapcells.map_cells`) as the
    journey-map grid.

    Stages are columns in the frame's stage order, lanes are rows in its lane order. Text
    is wrapped to the column width; each lane grows to its tallest cell, so nothing
    overlaps however many items a cell holds. Every item has an evidence badge (● measured,
    ◆ reported, ○ assumed) and a tooltip with its full text, evidence, source and persona.

    Parameters
    ----------
    cells : pandas.DataFrame
        The output of :func:`~jmtools.analyses.mapcells.map_cells`.
    title, subtitle : str, optional
        Chart title and subtitle.
    column_width : int, default 230
        Width of a stage column in pixels (8 stages ≈ 2000 px wide).
    label_width : int, default 150
        Width of the lane-title column.
    font_size : int, default 11
        Size of item text; headers are a little larger.
    emotion_height : int, default 150
        Height of the emotion-curve lane.
    usermeta : mapping, optional
        More entries for the spec's ``usermeta`` (which always holds
        ``{"jmtools": "journey-map"}``, how reports recognise a map), e.g. a caption.

    Returns
    -------
    altair.LayerChart
        A chart with one layer per element (grid, headers, badges, text, curve).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: A, emotion: 1}, {name: B}]")
    >>> chart = map_chart(map_cells(j), title="Demo")
    >>> spec = chart.to_dict()
    >>> spec["title"]["text"], len(spec["layer"]) > 3
    ('Demo', True)
    """
    import altair as alt

    use_theme()
    geo = _geometry(cells, column_width, label_width, font_size, emotion_height)
    layers = [geo.backgrounds(), geo.lane_titles(), geo.stage_headers(), *geo.guides(),
              *geo.blueprint_lines(), *geo.items(), *geo.curves(), *geo.footer()]
    layers = [layer for layer in layers if layer is not None]
    # One construction with every top-level property: each chained call (.properties(),
    # .resolve_scale(), .configure_*()) on a layered chart copies every layer twice more.
    return alt.LayerChart(
        layer=layers, width=geo.width, height=geo.height,
        usermeta={"jmtools": "journey-map", **(usermeta or {})},  # reports print it apart
        title=alt.TitleParams(title or "Journey map", subtitle=subtitle or _SUBTITLE,
                              anchor="start", fontSize=18, subtitleFontSize=11,
                              subtitleColor=MAP_COLORS["subtitle"], font=MAP_FONT,
                              subtitleFont=MAP_FONT),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(
            color="independent", shape="independent", fill="independent",
            stroke="independent", strokeDash="independent")),
        config=alt.Config(view=alt.ViewConfig(stroke=None), legend=alt.LegendConfig(
            orient="bottom", labelFont=MAP_FONT, titleFont=MAP_FONT, labelFontSize=11,
            titleFontSize=11, symbolStrokeWidth=1.5, labelLimit=400)))


def map_size(cells, *, column_width: int = COLUMN_WIDTH, label_width: int = LABEL_WIDTH,
             font_size: int = FONT_SIZE, emotion_height: int = EMOTION_HEIGHT) -> tuple[int, int]:
    """The width and height in px of the map :func:`map_chart` draws from ``cells`` with this
    layout, without drawing it (the report's print pages try many runs of lanes for size).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> cells = map_cells(Journey.from_yaml("name: Demo\\nstages: [{name: A, emotion: 1}, {name: B}]"))
    >>> chart = map_chart(cells, column_width=200)
    >>> map_size(cells, column_width=200) == (chart.width, chart.height)
    True
    """
    geo = _geometry(cells, column_width, label_width, font_size, emotion_height)
    return geo.width, geo.height


def _geometry(cells, column_width, label_width, font_size, emotion_height) -> MapGeometry:
    """The layout of ``cells`` that :func:`map_chart` draws and :func:`map_size` measures."""
    for col in ("lane", "stage"):
        if col not in cells.columns or not hasattr(cells[col], "cat"):
            raise ParameterError("cells", f"a frame without categorical '{col}'",
                                 expected="the frame returned by map_cells()")
    return MapGeometry(cells, column_width, label_width, font_size, emotion_height)


_SUBTITLE = "Evidence of each item: ● measured from data · ◆ reported by customers · ○ assumed"


def journey_map(journey, *, evidence: Mapping[str, Any] | None = None,
                persona: str | Sequence[str] | None = None, lanes: Sequence[str] | None = None,
                title: str | None = None, cells=None, **layout):
    """The journey-map canvas of ``journey``: :func:`~jmtools.analyses.mapcells.map_cells`
    then :func:`map_chart`.

    Parameters
    ----------
    journey : Journey
        The map to draw.
    evidence, persona, lanes
        See :func:`~jmtools.analyses.mapcells.map_cells`.
    title : str, optional
        Chart title (default: the journey's name, and the persona).
    cells : pandas.DataFrame, optional
        What ``map_cells(journey, evidence=evidence, persona=persona, lanes=lanes)`` returns,
        when the caller already has it (a report draws the same cells on screen and on
        paper); drawn as given.
    **layout
        ``column_width``, ``label_width``, ``font_size``, ``emotion_height`` and ``usermeta``
        of :func:`map_chart`.

    Returns
    -------
    altair.LayerChart
        The canvas; export it with :func:`jmtools.render.offline.save_chart`.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: Look, goal: Find shoes}, {name: Buy}]")
    >>> journey_map(j).to_dict()["title"]["text"]
    'Demo'
    """
    if cells is None:
        cells = map_cells(journey, evidence=evidence, persona=persona, lanes=lanes)
    if title is None:
        title = journey.name
        if isinstance(persona, str):
            title += f" — {persona}"
        elif persona is not None and len(persona) > 1:
            title += " — " + " vs ".join(persona)
    meta = [x for x in (journey.owner and f"owner {journey.owner}",
                        journey.version is not None and f"version {journey.version}",
                        journey.updated and f"updated {journey.updated:%Y-%m-%d}") if x]
    subtitle = _SUBTITLE + (f"   ·   {', '.join(meta)}" if meta else "")
    return map_chart(cells, title=title, subtitle=subtitle, **layout)


def journey_mimebundle(journey) -> dict:
    """What Jupyter shows for a Journey: its map as SVG (rendered offline) plus a text line.

    SVG renders in JupyterLab, VS Code, nbconvert HTML and on GitHub without any JavaScript
    or network. A map that cannot be drawn shows the reason instead of failing the cell.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: A}, {name: B}]")
    >>> bundle = journey_mimebundle(j)
    >>> sorted(bundle), bundle["text/plain"]
    (['image/svg+xml', 'text/plain'], '<Journey Demo: 2 stages, 0 touchpoints, 0 personas>')
    """
    text = (f"<Journey {journey.name}: {len(journey.stages)} stages, "
            f"{len(journey.touchpoints)} touchpoints, {len(journey.personas)} personas>")
    try:
        return {"image/svg+xml": _svg(journey_map(journey)), "text/plain": text}
    except Exception as err:  # show why instead of breaking the notebook cell
        return {"text/plain": f"{text}\n(the map could not be drawn: {type(err).__name__}: "
                              f"{err})"}


def _svg(chart) -> str:
    """The chart as SVG, rendered offline by vl-convert (as
    :func:`jmtools.render.offline.chart_to_svg` does; a display hook sits below the render
    layer, so it calls vl-convert itself)."""
    try:
        import vl_convert
    except ImportError as exc:  # pragma: no cover - vl-convert is a core dependency
        raise MissingDependencyError("vl-convert-python", "Exporting charts") from exc
    return vl_convert.vegalite_to_svg(chart.to_dict())
