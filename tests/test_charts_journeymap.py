"""The journey-map canvas: the chart spec (structure) of jmtools.charts.journeymap."""

from __future__ import annotations

import importlib
import inspect
import json

import pandas as pd
import pytest

from jmtools.analyses.mapcells import MAP_LANES, map_cells
from jmtools.charts.journeymap import journey_map, journey_mimebundle, map_chart
from jmtools.core.errors import ParameterError
from jmtools.journey import Journey
from test_mapcells import JOURNEY, KPIS, _emotion


@pytest.fixture
def journey() -> Journey:
    return Journey.from_yaml(JOURNEY)


def _layers(spec, data=None):
    """Leaf layers of a layered spec, each with the data it inherits from its parent."""
    for layer in spec.get("layer", []):
        own = layer.get("data", data)
        if "layer" in layer:
            yield from _layers(layer, own)
        else:
            yield {**layer, "data": own}


def _texts(spec, field):
    data = spec["datasets"]
    return [row[field] for layer in _layers(spec) for row in data.get(layer["data"]["name"], [])
            if layer["mark"]["type"] == "text"
            and layer["encoding"].get("text", {}).get("field") == field]


def test_chart_structure(journey):
    chart = journey_map(journey, evidence={"emotion": _emotion(journey), "kpis": KPIS})
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Running shoes online"
    assert "version 3" in spec["title"]["subtitle"]
    marks = [layer["mark"]["type"] for layer in _layers(spec)]
    assert {"rect", "text", "point", "line", "rule"} <= set(marks)
    # all positions are raw pixels, inside the declared canvas
    for layer in _layers(spec):
        for channel in ("x", "y"):
            if channel in layer.get("encoding", {}):
                assert layer["encoding"][channel]["scale"] is None
    stages_shown = [t.split("\n")[0] for t in _texts(spec, "name")]
    assert stages_shown == journey.stage_names
    lanes = list(map_cells(journey, evidence={"kpis": KPIS})["lane"].cat.categories)
    titles = [t.replace("\n", " ") for t in _texts(spec, "text") if isinstance(t, str)]
    assert [t for t in titles if t in MAP_LANES.values()] == [MAP_LANES[k] for k in lanes]
    json.dumps(spec)  # serialisable (no NaN, no numpy types)


def test_chart_geometry_has_no_overlaps(journey):
    """Items of a cell stack downwards and stay inside their column and lane."""
    cells = map_cells(journey, evidence={"kpis": KPIS})
    chart = map_chart(cells, column_width=180)
    spec = chart.to_dict()
    rows = [r for layer in _layers(spec) if layer["mark"]["type"] == "text"
            for r in spec["datasets"][layer["data"]["name"]] if "wrapped" in r]
    placed = cells[(cells["lane"] != "emotion") & cells["stage"].notna()]
    assert len(rows) == len(placed)
    footer = [t for t in _texts(spec, "text") if t.startswith("Not tied to a stage")]
    assert footer and "Loyalty programme" in footer[0]
    lh = round(11 * 1.35)
    by_cell: dict = {}
    for r in rows:
        by_cell.setdefault((r["lane"], r["stage"]), []).append(r)
    for (lane, stage), items in by_cell.items():
        if stage is None:
            continue
        column = cells["stage"].cat.categories.get_loc(stage)
        left = 150 + column * 180
        for a, b in zip(items, items[1:]):
            assert b["y"] >= a["y"] + a["wrapped"].count("\n") * lh + lh
        for r in items:
            assert left <= r["x"] < left + 180
            longest = max(len(line) for line in r["wrapped"].split("\n"))
            assert r["x"] - left + longest * 11 * 0.6 <= 180 + 1
    rects = [r for layer in _layers(spec) if layer["mark"]["type"] == "rect"
             for r in spec["datasets"][layer["data"]["name"]]]
    assert max(r["y2"] for r in rects) <= spec["height"]
    assert max(r["x2"] for r in rects) == spec["width"] == 150 + 3 * 180


def test_long_text_wraps_and_lane_grows():
    long = "word " * 60
    j = Journey.from_yaml(f"name: L\nstages: [{{name: A, actions: ['{long.strip()}']}}, {{name: B}}]")
    spec = map_chart(map_cells(j, lanes=["actions"])).to_dict()
    wrapped = [t for t in _texts(spec, "wrapped")][0]
    assert wrapped.count("\n") >= 8
    assert all(len(line) <= 35 for line in wrapped.split("\n"))
    assert spec["height"] > 8 * round(11 * 1.35)


@pytest.mark.parametrize("column_width", [80, 100, 120, 160, 230])
def test_stage_headers_break_only_between_words(column_width):
    """D235: at a printed part's narrow columns "Begutachtung" was drawn "Begutachtun|g"; a header
    now breaks between words only, shrinks a little or is cut with "…", its full name the tooltip."""
    names = ["Meldung", "Begutachtung", "Entscheidung", "Schadensregulierungsentscheidung",
             "Post-purchase and returns"]
    j = Journey.model_validate({"name": "H", "stages": [{"name": n} for n in names]})
    spec = map_chart(map_cells(j, lanes=["actions"]), column_width=column_width).to_dict()
    rows = {r["stage"]: r for layer in _layers(spec) for r in spec["datasets"].get(layer["data"]["name"], [])
            if layer["mark"]["type"] == "text" and "stage" in r and "name" in r}
    assert list(rows) == names
    for name, r in rows.items():
        lines = r["name"].split("\n")
        words = [w for line in lines for w in line.split()]
        cut = [w for w in words if w.endswith("…")]
        assert len(words) == len(name.split())                    # no word split over two lines
        assert all(w in name.split() for w in words if w not in cut)
        assert all(any(full.startswith(w[:-1]) for full in name.split()) for w in cut)
        room = column_width - 36                                  # the header's text room, in px
        assert all(len(line) * r["size"] * 0.62 <= room or line in cut for line in lines), (name, lines)
        assert r["size"] >= 11
    if column_width >= 120:
        assert rows["Meldung"]["name"] == "Meldung" and rows["Meldung"]["size"] == 13
        assert rows["Begutachtung"]["name"] == "Begutachtung"
    header_tooltips = [layer["encoding"].get("tooltip") for layer in _layers(spec)
                       if layer["encoding"].get("text", {}).get("field") == "name"]
    assert header_tooltips == [[{"field": "stage", "type": "nominal"}]]


def test_eight_stages_many_touchpoints_render(tmp_path):
    stages = [{"name": f"Stage {i}", "goal": f"Goal number {i} of the customer"} for i in range(8)]
    tps = [{"name": f"Touchpoint {i}-{k}", "stage": f"Stage {i}", "channel": "digital"}
           for i in range(8) for k in range(6)]
    j = Journey.model_validate({"name": "Wide", "stages": stages, "touchpoints": tps})
    chart = journey_map(j)
    spec = chart.to_dict()
    assert spec["width"] == 150 + 8 * 230
    from jmtools.render.offline import chart_to_png

    png = chart_to_png(chart, scale=1)
    import struct

    width, height = struct.unpack(">II", png[16:24])
    assert width >= spec["width"] and height >= spec["height"]


def test_map_chart_refuses_other_frames():
    with pytest.raises(ParameterError, match="map_cells"):
        map_chart(pd.DataFrame({"lane": ["a"], "stage": ["b"]}))


def test_persona_compare_title(journey):
    spec = journey_map(journey, persona=["Budget Ben", "Marathon Maya"]).to_dict()
    assert spec["title"]["text"] == "Running shoes online — Budget Ben vs Marathon Maya"
    curves = [r for layer in _layers(spec) if layer["mark"]["type"] == "line"
              for r in spec["datasets"][layer["data"]["name"]]]
    assert {r["curve"] for r in curves} == {"Budget Ben", "Marathon Maya"}


def test_layout_options_are_checked(journey):
    with pytest.raises(ParameterError, match="column_width >= 80"):
        journey_map(journey, column_width=20)
    spec = journey_map(journey, column_width=300, font_size=13).to_dict()
    assert spec["width"] == 150 + 3 * 300


def test_service_blueprint_lines_between_their_lanes(journey):
    spec = journey_map(journey, lanes=["frontstage", "backstage", "support"]).to_dict()
    labels = [t for t in _texts(spec, "text") if t.startswith("line of")]
    assert labels == ["line of visibility", "line of internal interaction"]
    spec = journey_map(journey, lanes=["backstage", "frontstage"]).to_dict()
    assert not [t for t in _texts(spec, "text") if t.startswith("line of")]


def test_a_persona_keeps_its_colour_on_every_map(journey):
    def colours(spec):
        for layer in _layers(spec):
            scale = layer.get("encoding", {}).get("color", {}).get("scale")
            if scale and layer["encoding"]["color"].get("legend") is not None:
                return dict(zip(scale["domain"], scale["range"]))

    both = colours(journey_map(journey).to_dict())
    maya = colours(journey_map(journey, persona="Marathon Maya").to_dict())
    assert maya == {"Marathon Maya": both["Marathon Maya"]}
    assert both["Budget Ben"] != both["Marathon Maya"]
    bare = Journey.from_yaml("name: B\nstages: [{name: A, emotion: 1}]")
    assert colours(journey_map(bare).to_dict()) == {"All customers": "#3b3b3b"}


def test_journey_mimebundle_is_the_display_hook(journey):
    """Jupyter's display of a Journey resolves this dotted name at display time."""
    module, _, name = "jmtools.charts.journeymap:journey_mimebundle".partition(":")
    hook = getattr(importlib.import_module(module), name)
    assert hook is journey_mimebundle
    assert list(inspect.signature(hook).parameters) == ["journey"]
    bundle = hook(journey)
    assert bundle["image/svg+xml"].startswith("<svg")
    assert "Awareness" in bundle["image/svg+xml"] and "Pain points" in bundle["image/svg+xml"]
    assert bundle["text/plain"] == ("<Journey Running shoes online: 3 stages, 4 touchpoints, "
                                    "2 personas>")


def test_a_map_that_cannot_be_drawn_says_why(journey, monkeypatch):
    import jmtools.charts.journeymap as jm

    def broken(*args, **kwargs):
        raise ValueError("no room")

    monkeypatch.setattr(jm, "journey_map", broken)
    assert journey_mimebundle(journey) == {
        "text/plain": "<Journey Running shoes online: 3 stages, 4 touchpoints, 2 personas>\n"
                      "(the map could not be drawn: ValueError: no room)"}


def test_journey_shows_its_map_in_jupyter(journey):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(journey)
    assert data["image/svg+xml"].startswith("<svg")


def test_map_size_and_map_chart_share_one_layout(journey):
    """``map_size`` measures what ``map_chart`` draws: its layout defaults are the same objects
    (one set of module constants, so they cannot drift), and the sizes agree at the defaults and
    away from them."""
    from jmtools.charts import journeymap
    from jmtools.charts.journeymap import map_size

    defaults = {"column_width": journeymap.COLUMN_WIDTH, "label_width": journeymap.LABEL_WIDTH,
                "font_size": journeymap.FONT_SIZE, "emotion_height": journeymap.EMOTION_HEIGHT}
    for function in (map_chart, map_size):
        params = inspect.signature(function).parameters
        assert {k: params[k].default for k in defaults} == defaults
    cells = map_cells(journey, evidence={"kpis": KPIS})
    for layout in ({}, {"column_width": 317}, {"column_width": 140, "label_width": 90, "font_size": 14,
                                               "emotion_height": 60}):
        chart = map_chart(cells, **layout)
        assert map_size(cells, **layout) == (chart.width, chart.height)
    assert map_size(cells, column_width=317)[0] > map_size(cells)[0]
    with pytest.raises(ParameterError, match="categorical 'lane'"):
        map_size(cells.astype({"lane": str}))


def test_the_emotion_lane_title_keeps_clear_of_its_tick_labels(journey):
    """A printed part of an 8-stage map has a 110 px lane-title column, where "Emotion curve" ran
    into the lane's "+2": the title now wraps short of the tick labels (unchanged at 150 px)."""
    cells = map_cells(journey, evidence={"emotion": _emotion(journey)})
    titles = {w: [t for t in _texts(map_chart(cells, label_width=w).to_dict(), "text")
                  if t.replace("\n", " ") == "Emotion curve"] for w in (110, 150)}
    assert titles == {110: ["Emotion\ncurve"], 150: ["Emotion curve"]}


def test_a_curve_is_not_drawn_across_a_stage_without_evidence(journey):
    """A behaviour-only folder measures nothing at a company-only or optional stage: the map's solid
    "measured" line ran straight through such stages (a permit world: Upload documents −0.2 to
    Decision 0 across three stages of n = 0). Each stroke of the line now joins neighbouring stages
    only. Oracle: the stages with evidence, from the evidence frame with plain pandas."""
    stages = journey.stage_names
    evidence = pd.DataFrame({"stage": stages, "persona": "all", "mean": [-0.1, None, 0.0][:len(stages)],
                             "n": [1885, 0, 1452][:len(stages)], "ci_low": [-0.2, None, -0.1][:len(stages)],
                             "ci_high": [0.0, None, 0.1][:len(stages)]})
    measured = [stages.index(s) for s in evidence.loc[evidence["n"] > 0, "stage"]]
    assert measured == [0, 2]                                  # a stage between them has no evidence
    spec = map_chart(map_cells(journey, evidence={"emotion": evidence})).to_dict()
    lines = [layer for layer in _layers(spec) if layer["mark"]["type"] == "line"]
    assert lines
    for layer in lines:
        rows = pd.DataFrame(spec["datasets"][layer["data"]["name"]])
        details = layer["encoding"]["detail"]
        fields = [d["field"] for d in (details if isinstance(details, list) else [details])]
        strokes = rows.groupby(fields)["order"].apply(sorted)
        drawn = rows.loc[rows["series"] == "measured", "order"].tolist()
        assert sorted(drawn) == measured                       # each measured stage keeps its point
        for orders in strokes:                                 # no stroke skips a stage
            assert all(b - a == 1 for a, b in zip(orders, orders[1:])), orders


_COMPANY = """\
name: Mortgage
stages: [{name: Apply, emotion: 1}, {name: Documents}, {name: Valuation}]
touchpoints:
  - {name: Form, stage: Apply, channel: digital}
  - {name: Advisor call, stage: Apply, channel: interpersonal, initiated_by: company, moment_of_truth: true}
  - {name: Request letter, stage: Documents, channel: physical, initiated_by: company}
  - {name: Upload, stage: Documents, channel: digital}
  - {name: Valuation completed, stage: Valuation, channel: physical, initiated_by: company}
"""


def _outlines(spec):
    return [layer for layer in _layers(spec) if layer["mark"]["type"] == "rect"
            and layer["encoding"].get("stroke", {}).get("field") == "kind"]


def test_touchpoints_the_company_starts_are_outlined_with_a_legend_entry():
    """D207 (the mortgage tester's fault 10): the bank's letters, call and valuation record looked
    like the customers' own touchpoints. Each now has a dashed outline and the legend says what it
    means; the customers' touchpoints are drawn as before."""
    j = Journey.from_yaml(_COMPANY)
    spec = journey_map(j).to_dict()
    (outline,) = _outlines(spec)
    rows = spec["datasets"][outline["data"]["name"]]
    company = sorted(t.name for t in j.touchpoints if t.initiated_by == "company")   # from the journey
    assert sorted(r["text"] for r in rows) == company == ["Advisor call", "Request letter", "Valuation completed"]
    assert outline["mark"]["strokeDash"] == [4, 2] and outline["mark"]["fillOpacity"] == 0
    assert outline["encoding"]["stroke"]["legend"]["title"] == "touchpoint"
    assert outline["encoding"]["stroke"]["scale"]["domain"] == ["started by the company (initiated_by: company)"]
    texts = {r["text"]: r for layer in _layers(spec) if layer["mark"]["type"] == "text"
             for r in spec["datasets"].get(layer["data"]["name"], []) if r.get("lane") == "touchpoints"}
    for r in rows:                      # the outline holds its item's text (and badge), in its own column
        t = texts[r["text"]]
        assert r["xo"] < t["bx"] < t["x"] < r["xo2"] and r["oy"] < t["y"] < t["y"] + t["h"] < r["oy2"]
    # a journey of customers' touchpoints only: no outline, no legend entry, the items as before
    plain = Journey.from_yaml(_COMPANY.replace(", initiated_by: company", ""))
    before = journey_map(plain).to_dict()
    assert _outlines(before) == []
    assert _texts(before, "wrapped") == _texts(spec, "wrapped")


@pytest.mark.parametrize("column_width", [80, 100, 120, 160, 230])
def test_cell_items_break_only_between_words(column_width):
    """D239: a cell's item was wrapped with long words broken ("Schadensregulierungsentschei|dung",
    "Versicherungs|nehmer"); it breaks between words only now, as the stage headers do (D235), a long
    word shrinking the item or cut with "…", the full text the item's tooltip."""
    items = ["Meldet den Schaden telefonisch beim Versicherungsnehmerservice",
             "Schadensregulierungsentscheidung abwarten", "Pays", "Reads the post-purchase e-mail twice",
             "Wartet auf die Begutachtung durch den Sachverständigen"]
    j = Journey.model_validate({"name": "H", "stages": [{"name": "Meldung", "actions": items}]})
    spec = map_chart(map_cells(j, lanes=["actions"]), column_width=column_width).to_dict()
    rows = {r["text"]: r for layer in _layers(spec) for r in spec["datasets"].get(layer["data"]["name"], [])
            if layer["mark"]["type"] == "text" and "wrapped" in r}
    assert list(rows) == items
    room = column_width - 2 * 8 - 12                               # the item's text room, in px
    for text, r in rows.items():
        lines = r["wrapped"].split("\n")
        words = [w for line in lines for w in line.split()]
        cut = [w for w in words if w.endswith("…")]
        assert len(words) == len(text.split()), (text, lines)      # no word split over two lines
        assert all(w in text.split() for w in words if w not in cut)
        assert all(any(full.startswith(w[:-1]) for full in text.split()) for w in cut)
        assert all(len(line) * r["size"] * 0.62 <= room or line in cut for line in lines), (text, lines)
        assert 9 <= r["size"] <= 11
    assert rows["Pays"]["wrapped"] == "Pays" and rows["Pays"]["size"] == 11
    item_layers = [layer for layer in _layers(spec) if layer["encoding"].get("text", {}).get("field") == "wrapped"]
    assert [layer["encoding"]["size"] for layer in item_layers] == [{"field": "size", "type": "quantitative",
                                                                      "scale": None, "legend": None}]
    assert {"field": "text", "type": "nominal", "title": "item"} in item_layers[0]["encoding"]["tooltip"]
