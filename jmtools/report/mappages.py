"""The journey map on paper: landscape pages on which its text stays legible.

A report prints the map on a landscape page of its own (``@page map`` in the report's
stylesheet). A map with many lanes is taller than wide, and scaled onto one landscape page its
11 px text would print at 4 pt. Such a map is printed as several landscape pages instead, each
a run of lanes that prints its text at 8 pt or more: what customers go through (the lanes down
to the emotion curve) and where it hurts and what the company does (the lanes after), each
drawn with columns as wide as the page allows at that size. Lanes with nothing in them at any
stage are left out on paper, and the first part says which. The parts are in the interactive
report for print only (the exporter hides them on screen and
leaves them out of the static variant); the screen shows the whole map.
"""

from __future__ import annotations

from numbers import Real

from jmtools.analyses.mapcells import MAP_LANES, map_cells
from jmtools.charts.emotions import _friction
from jmtools.charts.journeymap import LABEL_WIDTH, journey_map, map_size
from jmtools.report.wording import caption

__all__ = ["LANDSCAPE_PX", "MIN_PRINT_SCALE", "print_scale", "print_parts", "part_columns", "empty_lanes",
           "lanes_of", "map_caption", "screen_and_paper"]

#: What a landscape A4 page holds for the map, in CSS px at 96 dpi: 277 mm less the frame's
#: border and padding across, and the print stylesheet's 140 mm cap of the first map page
#: (which also holds the section's heading) down; measured in the PDF, not assumed.
LANDSCAPE_PX = (1015, 529)

#: Smallest scale at which the map's 11 px text prints at 8 pt (11 px is 8.25 pt), the least
#: a reader can read on paper.
MIN_PRINT_SCALE = 8 / 8.25

#: The lane that ends the first printed part (what customers go through).
_SPLIT_AFTER = "emotion"


def print_scale(width: float, height: float) -> float:
    """The scale a chart of ``width`` × ``height`` px gets on the landscape map page.

    Examples
    --------
    >>> round(print_scale(1070, 1342), 2), print_scale(900, 500)
    (0.39, 1.0)
    """
    return min(1.0, LANDSCAPE_PX[0] / width, LANDSCAPE_PX[1] / height)


def print_parts(journey, whole, *, evidence=None, persona=None, cells=None,
                usermeta=None) -> list:
    """The map in parts for landscape pages, or ``[]`` when ``whole`` prints legibly as it is.

    Parameters
    ----------
    journey : Journey
        The map.
    whole : altair.LayerChart
        The map as the report shows it (:func:`jmtools.charts.journeymap.journey_map`).
    evidence, persona
        As given to :func:`~jmtools.charts.journeymap.journey_map`.
    cells : pandas.DataFrame, optional
        The cells ``whole`` was drawn from (``map_cells(journey, evidence=evidence,
        persona=persona)``), when the caller has them: each part draws its lanes' rows of
        them instead of computing the map's content again.
    usermeta : mapping or callable, optional
        More ``usermeta`` entries of each part (e.g. its caption), or a function of the part's
        lanes (a list of lane names) that returns them: a caption that speaks of the lanes the
        part shows (:func:`map_caption`).

    Returns
    -------
    list of altair.LayerChart
        Each marked ``usermeta["print"] = True``, titled with the part it shows; empty lanes
        (:func:`empty_lanes`) are in none of them, and the first part's caption names them.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: A, goal: Look}, {name: B}]")
    >>> print_parts(j, journey_map(j))
    []
    """
    if print_scale(_size(whole.width), _size(whole.height)) >= MIN_PRINT_SCALE:
        return []
    if cells is None:
        cells = map_cells(journey, evidence=evidence, persona=persona)
    lanes = list(cells["lane"].cat.categories)
    cut = lanes.index(_SPLIT_AFTER) + 1 if _SPLIT_AFTER in lanes[:-1] else (len(lanes) + 1) // 2
    if cut >= len(lanes):
        return []
    empty = empty_lanes(cells)
    through, hurts = ([lane for lane in part if lane not in empty] for part in (lanes[:cut], lanes[cut:]))
    column, label = part_columns(len(journey.stages))
    least = min(MIN_PRINT_SCALE, print_scale(label + column * max(len(journey.stages), 1), 1))
    name = journey.name + (f" — {persona}" if isinstance(persona, str) else "")

    def draw(chosen, title, note="") -> object:
        more = dict(usermeta(list(chosen)) if callable(usermeta) else usermeta or {})
        if note:
            more["caption"] = f"{more['caption']} {note}" if more.get("caption") else note
        return journey_map(journey, persona=persona, cells=lanes_of(cells, chosen), title=title,
                           column_width=column, label_width=label, usermeta={"print": True, **more})

    def size(chosen) -> tuple[float, float]:       # what draw(chosen) measures, not drawn
        return map_size(lanes_of(cells, chosen), column_width=column, label_width=label)

    groups = (_fitting(through, size, first=True, least=least)
              + _fitting(hurts, size, first=not through, least=least))
    themes = ["what customers go through" if g[0] in through else
              "where it hurts and what the company does" for g in groups]
    return [draw(g, f"{name}: {theme} ({i} of {len(groups)})", "" if i > 1 else _not_printed(empty))
            for i, (g, theme) in enumerate(zip(groups, themes), start=1)]


def part_columns(stages: int) -> tuple[int, int]:
    """The (column, lane-title) widths in px of a printed part of a map with ``stages`` stages:
    columns as wide as a landscape page allows at :data:`MIN_PRINT_SCALE` (120 to 400 px),
    narrower lane titles (down to 110 px) and then narrower columns (down to 80 px) when there
    are too many stages for that.

    Examples
    --------
    >>> part_columns(4), part_columns(8), part_columns(14)
    ((224, 150), (117, 110), (80, 110))
    """
    room, stages = LANDSCAPE_PX[0] / MIN_PRINT_SCALE, max(stages, 1)
    label = LABEL_WIDTH if room - LABEL_WIDTH >= _MIN_COLUMN_PX * stages else \
        max(_MIN_LABEL_PX, int(room - _MIN_COLUMN_PX * stages))
    return int(min(400, max(80, (room - label) / stages))), label


#: The narrowest stage column and lane-title column a printed part is given before its text
#: has to print below 8 pt (:func:`part_columns`).
_MIN_COLUMN_PX, _MIN_LABEL_PX = 120, 110


def empty_lanes(cells) -> list:
    """The lanes of a cells frame with nothing in them at any stage (a map always draws the goal,
    touchpoint, action, emotion and pain-point lanes, empty or not); on paper they are left out.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> empty_lanes(map_cells(Journey.from_yaml("name: Demo\\nstages: [{name: A, goal: Look}]")))
    ['touchpoints', 'actions', 'emotion', 'pain_points']
    """
    filled = set(cells["lane"].astype(str))
    every = list(cells["lane"].cat.categories)
    return [] if not filled else [lane for lane in every if lane not in filled]


def _not_printed(lanes) -> str:
    """The sentence under the first printed part that names the empty lanes left out."""
    if not lanes:
        return ""
    names = [MAP_LANES[lane] for lane in lanes]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Not printed, empty at every stage: the {listed} lane{'s' if len(names) > 1 else ''}."


#: Height left for the first part under the section's heading and introduction on its page.
_FIRST_PX = 400


def _fitting(lanes: list, size, *, first: bool = False, least: float = MIN_PRINT_SCALE) -> list[list]:
    """``lanes`` cut, in order, into runs that each print at ``least`` or more on a landscape
    page (:data:`MIN_PRINT_SCALE`, or less when the page's width allows no more: a map with
    very many stages; a lane too tall for a page on its own stands alone); with ``first`` the
    first run shares its page with the section's heading (:data:`_FIRST_PX` high).
    ``size(run)`` is the (width, height) in px of the part drawn from ``run``: only the parts
    kept are drawn (:func:`~jmtools.charts.journeymap.map_size` measures the rest)."""
    groups, current = [], []
    for lane in lanes:
        width, height = map(_size, size(current + [lane]))
        room = _FIRST_PX if first and not groups else LANDSCAPE_PX[1]
        scale = min(print_scale(width, height), room / height)
        if current and scale < least:
            groups.append(current)
            current = [lane]
        else:
            current = current + [lane]
    return groups + ([current] if current else [])


def lanes_of(cells, lanes):
    """The rows of a cells frame in ``lanes``: what :func:`~jmtools.analyses.mapcells.map_cells`
    returns when asked for those lanes only (same rows, order, types and ``attrs``).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: A, goal: Look, emotion: 1}]")
    >>> part = lanes_of(map_cells(j), ["emotion"])
    >>> list(part["lane"].cat.categories), part.equals(map_cells(j, lanes=["emotion"]))
    (['emotion'], True)
    """
    part = cells[cells["lane"].isin(lanes)].reset_index(drop=True)
    part["lane"] = part["lane"].cat.set_categories(list(lanes))
    part.attrs = {key: list(value) if isinstance(value, list) else value
                  for key, value in cells.attrs.items()}
    return part


def _size(value) -> float:
    """A chart's width or height as :func:`journey_map` sets it (1 when it is not a number),
    read from the chart without converting it to a spec."""
    return float(value) if isinstance(value, Real) and value else 1.0


def screen_and_paper(journey, evidence=None, persona=None) -> list:
    """The captioned screen map followed by its print-only pages, drawn from one set of cells.

    Parameters
    ----------
    journey : Journey
        The journey to draw.
    evidence : optional
        Measured evidence for the map's emotion and KPI lanes, and the ranked pain points for
        its pain-point lane (as :func:`map_cells` takes it; the caption then says so).
    persona : str, optional
        The persona drawn; None for all customers.

    Returns
    -------
    list of altair.Chart
        The whole map first, then the parts printed on landscape pages (none when it fits one).

    Examples
    --------
    >>> from jmtools.journey import load_journey
    >>> from jmtools.core.resources import sample_worlds
    >>> charts = screen_and_paper(load_journey(sample_worlds()["ecommerce"] / "journey.yaml"))
    >>> charts[0].usermeta["caption"] == caption("journey_map")
    True
    """
    cells = map_cells(journey, evidence=evidence, persona=persona)
    ranked = (evidence or {}).get("pain_points") is not None   # the lane holds the ranked pain points
    emotion = (evidence or {}).get("emotion")
    behaviour = emotion is not None and {"n", "sources"} <= set(emotion.columns) and _friction(emotion)

    company = bool(cells.loc[cells["lane"] == "touchpoints", "series"].fillna("").str.contains("company").any())

    def meta(lanes) -> dict:
        return {"caption": map_caption(lanes, ranked=ranked, behaviour=behaviour, company=company)}

    whole = journey_map(journey, persona=persona, cells=cells,
                        usermeta=meta(list(cells["lane"].cat.categories)))
    return [whole, *print_parts(journey, whole, persona=persona, cells=cells, usermeta=meta)]


def map_caption(lanes, *, ranked: bool = False, behaviour: bool = False, company: bool = False) -> str:
    """The caption under a map, or under a printed part of it, that shows ``lanes``: what its
    columns, rows and badges mean, then (``company``: touchpoints the company starts are drawn, in
    a dashed outline, D210) a sentence for those, one for the emotion lane (``behaviour``: its
    measured curve is friction from behaviour only, not a feeling) and (``ranked``: the lane holds
    the pain points of "Where it hurts") one for the pain-point lane, each only when that lane is drawn.

    Examples
    --------
    >>> map_caption(["goal", "emotion", "pain_points"]) == caption("journey_map")
    True
    >>> map_caption(["pain_points", "opportunities"], ranked=True).split(". ")[-1]
    'Pain-point lane: the pain points ranked in “Where it hurts” (#1 first), each with the evidence found for it there.'
    >>> "lane" in map_caption(["goal", "touchpoints"], ranked=True)
    False
    >>> map_caption(["emotion"], behaviour=True).split(". ")[-1][:60]
    'Emotion lane: solid line friction measured from behaviour on'
    >>> map_caption(["touchpoints"], company=True).split(". ")[-1]
    'A dashed outline marks a touchpoint the company starts (initiated_by: company), not the customer.'
    >>> "dashed outline" in map_caption(["goal", "emotion"], company=True)
    False
    """
    lanes = set(lanes)
    return " ".join([caption("journey_map_rows")]
                    + ([caption("journey_map_company")] if company and "touchpoints" in lanes else [])
                    + ([caption("journey_map_emotion_behaviour" if behaviour else "journey_map_emotion")]
                       if "emotion" in lanes else [])
                    + ([caption("journey_map_pains")] if ranked and "pain_points" in lanes else []))
