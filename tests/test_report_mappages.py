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


_EIGHT_STAGES = """
name: Energy supply
stages:
  - {name: Compare tariffs, emotion: 0}
  - {name: Sign up, emotion: 1}
  - {name: Switch-over, emotion: 0}
  - {name: Smart meter install, emotion: -1}
  - {name: Monthly bill, emotion: -1}
  - {name: Pay, emotion: 0}
  - {name: Payment difficulty, emotion: -2, optional: true}
  - {name: Move house / Leave, emotion: 0, exit: true}
touchpoints:
  - {name: Tariff comparison, stage: Compare tariffs, channel: digital, events: [compared]}
  - {name: Sign-up form, stage: Sign up, channel: digital, events: [signed]}
  - {name: Switch completed, stage: Switch-over, channel: physical, events: [switched]}
  - {name: Install appointment, stage: Smart meter install, channel: physical, events: [booked]}
  - {name: Missed visit, stage: Smart meter install, channel: physical, events: [missed]}
  - {name: Meter installed, stage: Smart meter install, channel: physical, events: [installed]}
  - {name: Bill, stage: Monthly bill, channel: physical, events: [billed]}
  - {name: Payment, stage: Pay, channel: digital, events: [paid]}
  - {name: Reminder, stage: Payment difficulty, channel: physical, events: [reminded]}
  - {name: Leaving, stage: Move house / Leave, channel: interpersonal, events: [left]}
pain_points:
  - {id: missed, title: Engineers miss smart meter appointments, stage: Smart meter install,
     severity: 4, evidence: reported}
opportunities:
  - {id: texts, title: Text reminder and 2-hour slot for meter visits, pain_points: [missed],
     scores: {impact: 3, effort: 2, reach: 800, confidence: 0.6}}
"""


def test_an_eight_stage_map_without_goals_or_actions_prints_on_two_pages():
    """An 8-stage journey with no goals or actions printed as six near-empty pages, one lane each
    (its columns, at least 120 px, made every run wider than the page at 8 pt, so no two lanes
    were ever put together), two of them only the empty goal and action lanes. Lanes with
    nothing in them are now left out on paper, said so under the first page, and the columns
    narrowed to fit: one page for what customers go through, one for where it hurts."""
    from jmtools.report.mappages import screen_and_paper

    journey = Journey.from_yaml(_EIGHT_STAGES)
    whole, *parts = screen_and_paper(journey)
    assert {"goal", "actions"} <= set(map_cells(journey)["lane"].cat.categories)  # on screen, empty
    assert [p.to_dict()["title"]["text"].split(": ", 1)[1] for p in parts] == [
        "what customers go through (1 of 2)", "where it hurts and what the company does (2 of 2)"]
    for part in parts:
        spec = part.to_dict()
        assert _scale(part) >= MIN_PRINT_SCALE, _scale(part)
        drawn = {t for layer in spec["layer"] for t in _texts(spec, layer)}
        assert not drawn & {"Customer goal", "Actions (does)"}
    first, second = (p.usermeta["caption"] for p in parts)
    assert first.endswith("Not printed, empty at every stage: the Customer goal and Actions (does) "
                          "lanes."), first
    assert "Not printed" not in second and "Not printed" not in whole.usermeta["caption"]


def test_lanes_share_a_page_even_when_the_map_is_wider_than_a_page_at_8_pt():
    """With more stages than a landscape page holds at 8 pt, the parts print at the scale the
    width allows, and lanes are still put together up to that scale (not one lane a page)."""
    stages = ", ".join(f"{{name: Stage {i}, goal: Goal {i}, emotion: 0}}" for i in range(1, 13))
    touchpoints = ", ".join(f"{{name: Page {i}, stage: Stage {i}, channel: digital, events: [e{i}]}}"
                            for i in range(1, 13))
    journey = Journey.from_yaml(f"name: Wide\nstages: [{stages}]\ntouchpoints: [{touchpoints}]\n"
                                "pain_points: [{id: p, title: Slow, stage: Stage 2, severity: 3}]")
    parts = print_parts(journey, journey_map(journey))
    assert len(parts) == 2, [p.title.text for p in parts]   # goal … emotion | pain points
    least = min(_scale(p) for p in parts)
    assert 0.9 < least < MIN_PRINT_SCALE   # 12 columns of 80 px: 7.8 pt


def test_a_behaviour_only_emotion_lane_is_called_friction_not_a_feeling():
    """A permit office's map (no survey, no feedback) said "Emotion lane: solid line measured from
    data" and its legend "measured", beside rows of what customers "think and feel": the lane's
    measured line is friction from behaviour (never above 0). Caption and legend now say so; a
    curve that rests on feedback keeps the words it had."""
    import json

    import numpy as np
    import pandas as pd

    from jmtools.analyses.emotions import emotion_curve
    from jmtools.report.mappages import screen_and_paper
    from jmtools.report.wording import caption

    journey = Journey.from_yaml("name: Permit\nstages: [{name: Apply, emotion: 1}, {name: Decision, emotion: 1}]")
    ev = pd.DataFrame({"customer_id": [f"c{i}" for i in range(40)] * 2, "persona": pd.NA,
                       "stage": pd.Categorical(["Apply"] * 40 + ["Decision"] * 40, categories=["Apply", "Decision"],
                                               ordered=True),
                       "timestamp": pd.Timestamp("2026-01-01"), "touchpoint": pd.NA,
                       "valence": [-1.0] * 10 + [0.0] * 70, "source": "behaviour", "evidence": "measured"})
    ev["persona"] = ev["persona"].astype("string")
    ev["obs_id"] = np.arange(len(ev))
    did = emotion_curve(ev, n_boot=100)
    assert did["valence"].max() <= 0                                  # friction: never above 0
    heard = emotion_curve(ev.assign(source=np.where(ev["obs_id"] < 3, "feedback", "behaviour"),
                                    evidence="reported"), n_boot=100)
    [friction] = screen_and_paper(journey, evidence={"emotion": did})
    [feeling] = screen_and_paper(journey, evidence={"emotion": heard})
    assert "friction measured from behaviour only" in friction.usermeta["caption"]
    assert "measured from data" not in friction.usermeta["caption"]
    assert "friction measured from behaviour" in json.dumps(friction.to_dict(), ensure_ascii=False)
    assert feeling.usermeta["caption"] == caption("journey_map")
    assert "friction" not in json.dumps(feeling.to_dict(), ensure_ascii=False)


def test_the_caption_says_what_the_dashed_outline_means_where_the_company_starts_a_touchpoint(ecommerce_world):
    """D207 outlined the touchpoints the company starts and gave the legend an entry, but the map's
    caption, which says what everything else on the map means, was silent about it. It now says what
    the dashed outline marks when such a touchpoint is drawn (the whole map, and each printed part
    that shows the touchpoint lane), and nothing more otherwise."""
    import json

    from jmtools.report.mappages import screen_and_paper
    from jmtools.report.wording import caption

    said = "A dashed outline marks a touchpoint the company starts (initiated_by: company), not the customer."
    text = (ecommerce_world.folder / "journey.yaml").read_text(encoding="utf-8")
    plain = Journey.from_yaml(text)
    assert not any(t.initiated_by == "company" for t in plain.touchpoints)
    marked = Journey.from_yaml(text.replace("events: [social_ad_click],",
                                            "events: [social_ad_click], initiated_by: company,"))
    assert [t.name for t in marked.touchpoints if t.initiated_by == "company"] == ["Social ad"]
    before, *_ = screen_and_paper(plain, persona="Budget Ben")
    assert before.usermeta["caption"] == caption("journey_map") and "outline" not in before.usermeta["caption"]
    whole, *parts = screen_and_paper(marked, persona="Budget Ben")
    assert whole.usermeta["caption"] == caption("journey_map_rows") + " " + said + " " + caption("journey_map_emotion")
    lanes = list(map_cells(marked, persona="Budget Ben")["lane"].cat.categories)
    told = []
    for part in parts:
        spec = part.to_dict()
        drawn = {t for layer in spec["layer"] for t in _texts(spec, layer)}
        outlined = "started by the company" in json.dumps(spec)   # the part draws the outline and its legend
        told.append(said in spec["usermeta"]["caption"])
        assert told[-1] == ("touchpoints" in {lane for lane in lanes if _lane_title(lane) in drawn}) == outlined
    assert told.count(True) == 1
