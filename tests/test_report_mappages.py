"""jmtools.report.mappages: a tall journey map prints as two landscape pages with legible text."""

from __future__ import annotations

from jmtools.analyses.mapcells import map_cells
from jmtools.charts.journeymap import journey_map
from jmtools.journey import Journey
from jmtools.report.mappages import MIN_PRINT_SCALE, print_parts, print_scale


def _scale(chart) -> float:
    spec = chart.to_dict()
    return print_scale(spec["width"], spec["height"])


def test_a_tall_map_prints_in_parts_whose_text_is_8_pt_or_more(ecommerce_world):
    """Two parts printed the pain points at 6 pt; each part is now a run of lanes that fits a
    landscape page with its 11 px text at 8 pt or more."""
    journey = ecommerce_world.journey
    whole = journey_map(journey, persona="Budget Ben")
    assert _scale(whole) < MIN_PRINT_SCALE  # the sample map is tall: 4 pt text on one page
    parts = print_parts(journey, whole, persona="Budget Ben")
    lanes = list(map_cells(journey, persona="Budget Ben")["lane"].cat.categories)
    cut = lanes.index("emotion") + 1
    assert MIN_PRINT_SCALE * 11 * 0.75 >= 8 and len(parts) >= 3
    shown = []
    for part in parts:
        spec = part.to_dict()
        assert spec["usermeta"] == {"jmtools": "journey-map", "print": True}
        assert _scale(part) >= MIN_PRINT_SCALE, _scale(part)
        drawn = {t for layer in spec["layer"] for t in _texts(spec, layer)}
        shown.append([lane for lane in lanes if _lane_title(lane) in drawn])
    assert [lane for part in shown for lane in part] == lanes          # every lane once, in order
    assert not any(set(part) & set(lanes[:cut]) and set(part) & set(lanes[cut:]) for part in shown)
    assert parts[0].to_dict()["title"]["text"].endswith(f"what customers go through (1 of {len(parts)})")


def test_a_map_that_fits_one_landscape_page_is_printed_whole():
    journey = Journey.from_yaml("name: Demo\nstages: [{name: A, goal: Look}, {name: B, goal: Buy}]")
    assert print_parts(journey, journey_map(journey)) == []


def _lane_title(lane: str) -> str:
    from jmtools.analyses.mapcells import MAP_LANES

    return MAP_LANES[lane]


def _texts(spec, layer):
    """Every text value of a layer's data (the lane titles are data of the canvas)."""
    data = layer.get("data", {})
    rows = spec.get("datasets", {}).get(data.get("name"), []) if isinstance(data, dict) else []
    return [v for row in rows for v in row.values() if isinstance(v, str)]


def test_a_part_drawn_from_the_whole_cells_equals_the_map_of_its_lanes(ecommerce_world):
    import pandas as pd

    from jmtools.report.mappages import lanes_of

    journey = ecommerce_world.journey
    cells = map_cells(journey, persona="Budget Ben")
    lanes = list(cells["lane"].cat.categories)
    for chosen in (lanes[:3], lanes[3:], [lanes[-1], lanes[0]]):
        part, own = lanes_of(cells, chosen), map_cells(journey, persona="Budget Ben", lanes=chosen)
        if chosen[0] == lanes[-1]:  # another order: rows follow it in map_cells only
            assert set(part["lane"]) == set(own["lane"])
            continue
        pd.testing.assert_frame_equal(part, own)
        assert part.attrs == own.attrs


def test_print_parts_from_given_cells_are_the_same_charts(ecommerce_world):
    journey = ecommerce_world.journey
    cells = map_cells(journey, persona="Budget Ben")
    whole = journey_map(journey, persona="Budget Ben")
    assert journey_map(journey, persona="Budget Ben", cells=cells).to_dict() == whole.to_dict()
    given = print_parts(journey, whole, persona="Budget Ben", cells=cells, usermeta={"caption": "c"})
    own = print_parts(journey, whole, persona="Budget Ben")
    assert len(given) == len(own) >= 3
    for a, b in zip(given, own):
        spec = a.to_dict()
        assert spec.pop("usermeta") == {"jmtools": "journey-map", "print": True, "caption": "c"}
        expected = b.to_dict()
        expected.pop("usermeta")
        assert spec == expected


def test_runs_of_lanes_are_sized_without_drawing_and_cut_as_the_drawn_parts(ecommerce_world, monkeypatch):
    """The print pages are cut from measured sizes (map_size), the same cut as from drawn charts;
    only the parts kept are drawn."""
    from jmtools.charts.journeymap import map_size
    from jmtools.report import mappages

    journey = ecommerce_world.journey
    cells = map_cells(journey, persona="Budget Ben")
    lanes = list(cells["lane"].cat.categories)
    for column in (120, 181, 400):
        def drawn(chosen):
            chart = journey_map(journey, persona="Budget Ben", cells=mappages.lanes_of(cells, chosen),
                                column_width=column)
            return chart.width, chart.height

        def measured(chosen):
            return map_size(mappages.lanes_of(cells, chosen), column_width=column)

        for chosen in (lanes, lanes[:2], lanes[4:]):
            assert measured(chosen) == drawn(chosen)
        for first in (True, False):
            assert mappages._fitting(lanes, measured, first=first) == mappages._fitting(lanes, drawn, first=first)
    calls = []
    monkeypatch.setattr(mappages, "journey_map", lambda *a, **k: calls.append(1) or journey_map(*a, **k))
    parts = print_parts(journey, journey_map(journey, persona="Budget Ben"), persona="Budget Ben", cells=cells)
    assert len(calls) == len(parts) >= 3


def test_each_printed_part_explains_only_the_lanes_it_shows(ecommerce_world):
    """In the PDF, the caption under every map page said what the emotion and pain-point lanes
    mean, under pages that show neither; each part's caption now speaks of its own lanes, and
    the screen map's of all of them."""
    import pandas as pd

    from jmtools.report.mappages import screen_and_paper
    from jmtools.report.wording import caption

    journey = ecommerce_world.journey
    ranked = pd.DataFrame({"rank": [1, 2], "stage": ["Decision", "Consideration"],
                           "title": ["Delivery fee appears only at payment", "No size chart"],
                           "evidence_label": ["measured", "assumed"], "personas": [["Budget Ben"], []],
                           "severity": [5, 4], "evidence": ["drop-off 40% (n=650)", "no signal"]})
    whole, *parts = screen_and_paper(journey, evidence={"pain_points": ranked}, persona="Budget Ben")
    pains, emotion = "Pain-point lane:", "Emotion lane:"
    assert whole.usermeta["caption"].endswith(caption("journey_map_pains")) and len(parts) >= 3
    assert whole.usermeta["caption"] == caption("journey_map") + " " + caption("journey_map_pains")
    lanes = list(map_cells(journey, persona="Budget Ben")["lane"].cat.categories)
    for part in parts:
        spec = part.to_dict()
        drawn = {t for layer in spec["layer"] for t in _texts(spec, layer)}
        shown = {lane for lane in lanes if _lane_title(lane) in drawn}
        text = spec["usermeta"]["caption"]
        assert text.startswith("Columns: stages in journey order; rows:"), text
        assert (pains in text) == ("pain_points" in shown), (shown, text)
        assert (emotion in text) == ("emotion" in shown), (shown, text)
