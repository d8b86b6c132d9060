"""Charts of pain points, themes and priorities: structure of the specs, and a real render."""

import datetime as dt

import pandas as pd
import pytest

from jmtools.charts.painpoints import (QUADRANT_COLORS, SOURCE_COLORS, pain_points_chart,
                                       priority_matrix_chart, themes_chart)
from jmtools.core.errors import DataError, ParameterError


@pytest.fixture
def table():
    return pd.DataFrame({
        "rank": [2, 1, 3], "pain_point_id": ["b", "a", "c"],
        "title": ["Slow delivery", "Hidden fees at checkout", "Loops at cart"],
        "stage": ["Post", "Decision", "Decision"], "touchpoint": ["Delivery", "Checkout", None],
        "source": ["journey file", "journey file + detected", "detected"],
        "score": [1.0, 2.5, 0.4], "signals": [[], ["drop-off", "negative valence"], ["loops"]],
        "evidence": ["no signal", "Ben: drop-off 60% (n=400) vs 15% other personas (n=1,200)",
                     "Sam: loops 40% (n=300) vs 8% other personas (n=900)"],
        "personas": [[], ["Ben"], ["Sam", "Nina"]], "recurs": [False, False, True],
        "themes": [[], ["hidden fees (n=40)"], []],
        "quotes": [[], ["Fee at the end! mail [email]"], []]})


@pytest.fixture
def backlog():
    from jmtools.analyses.priorities import prioritise, opportunities_frame

    opps = opportunities_frame([
        {"id": "show-fees", "title": "Show fees early", "pain_points": ["a"], "owner": "Checkout squad",
         "status": "planned", "target_date": "2027-01-31",
         "scores": {"impact": 3, "effort": 1, "reach": 1000, "confidence": 0.8, "ease": 8}},
        {"id": "paypal", "title": "Offer PayPal", "pain_points": ["a", "c"], "owner": "Payments",
         "scores": {"impact": 1, "effort": 3, "reach": 500, "confidence": 0.5, "ease": 4}},
        {"id": "twin", "title": "Same spot", "pain_points": [], "owner": None,
         "scores": {"impact": 1, "effort": 3, "reach": 50, "confidence": 0.5, "ease": 4}}])
    pain = pd.DataFrame({"pain_point_id": ["a", "c"], "customers_affected": [400, 300],
                         "lift_needed": [0.3, 0.1]})
    return prioritise(opps, pain, order_value=80.0)


def _layers(spec):
    return spec["layer"] if "layer" in spec else [spec]


def test_pain_points_chart_spec(table):
    spec = pain_points_chart(table).to_dict()
    bars, inside, text = spec["layer"]
    assert bars["mark"]["type"] == "bar" and text["mark"]["type"] == inside["mark"]["type"] == "text"
    assert bars["encoding"]["y"]["sort"] == ["1. Hidden fees at checkout", "2. Slow delivery",
                                             "3. Loops at cart"]
    colour = bars["encoding"]["color"]["scale"]
    assert dict(zip(colour["domain"], colour["range"])) == {k: SOURCE_COLORS[k] for k in colour["domain"]}
    titles = [t["title"] for t in bars["encoding"]["tooltip"]]
    assert {"Evidence", "Personas affected", "A customer said", "Feedback themes"} <= set(titles)
    rows = spec["datasets"][spec["data"]["name"]] if "datasets" in spec else None
    rows = rows or next(iter(spec["datasets"].values()))
    by_label = {r["label"]: r for r in rows}
    assert by_label["3. Loops at cart"]["who"] == "Sam, Nina (recurs)"
    assert by_label["2. Slow delivery"]["who"] == "no persona stands out"
    assert "n=400" in by_label["1. Hidden fees at checkout"]["evidence"]
    assert by_label["1. Hidden fees at checkout"]["place"] == "Decision / Checkout"
    assert by_label["3. Loops at cart"]["place"] == "Decision"
    assert len(pain_points_chart(table, top=2).to_dict()["layer"][0]["encoding"]["y"]["sort"]) == 2


def test_pain_points_chart_names_wrap_whole_and_the_axis_fits_the_data(table):
    """Names were cut at 48 characters with a 320 px label column: on a 360 px phone the names
    took the width and the bars and personas were cut off."""
    import json

    long = table.assign(title=["Some deliveries take more than a week", "Returns need a printed "
                               "label and refunds are slow", "Customers felt worse at post-purchase / review request"],
                        score=[1.0, 3.27, 0.4])
    spec = pain_points_chart(long).to_dict()
    bars, inside, text = spec["layer"]
    axis = bars["encoding"]["y"]["axis"]
    assert axis["labelLimit"] <= 160
    lines = json.loads(axis["labelExpr"].split("[datum.label]")[0])
    for label in bars["encoding"]["y"]["sort"]:
        assert len(lines[label]) <= 3 and all(len(line) <= 24 for line in lines[label])
        assert " ".join(lines[label]) == label                   # whole words, nothing cut
    rows = next(iter(spec["datasets"].values()))
    assert "1. Returns need a printed label and refunds are slow" in {r["label"] for r in rows}  # tooltip: full
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 4.0]
    # the personas: in the long bar, after the short ones, never wider than half the plot
    assert inside["mark"]["color"] == "white" and inside["transform"] == [{"filter": "datum.inside"}]
    assert text["mark"]["limit"] == inside["mark"]["limit"] == {"expr": "width / 2 - 8"}
    assert {r["label"]: r["inside"] for r in rows} == {
        "1. Returns need a printed label and refunds are slow": True,
        "2. Some deliveries take more than a week": False,
        "3. Customers felt worse at post-purchase / review request": False}


def test_pain_points_chart_refuses_bad_input(table):
    with pytest.raises(DataError, match="empty"):
        pain_points_chart(table.iloc[0:0])
    with pytest.raises(DataError, match="lacks columns"):
        pain_points_chart(table.drop(columns="score"))
    with pytest.raises(ParameterError):
        pain_points_chart(table, top=0)


def test_themes_chart_spec():
    from jmtools.analyses.themes import find_themes

    texts = (["hidden fees at checkout, shipping cost shock"] * 6
             + ["no size chart on the product page, sizing guess"] * 5)
    fb = pd.DataFrame({"text": texts, "sentiment": -0.6,
                       "stage": ["Decision"] * 6 + ["Consideration"] * 5,
                       "persona": ["Ben"] * 6 + ["Nina"] * 5})
    th = find_themes(fb, n_themes=2, id_col=None, touchpoint_col=None,
                     stages=["Awareness", "Consideration", "Decision"])
    spec = themes_chart(th).to_dict()
    left, right = spec["hconcat"]
    bars, hidden_words = left["layer"]
    assert bars["mark"]["type"] == "bar" and hidden_words["mark"]["type"] == "text"
    assert bars["encoding"]["y"]["sort"][0].startswith("1. ")
    assert spec["datasets"][hidden_words["data"]["name"]] == []        # not suppressed: nothing hidden
    rect, grey, label = right["layer"]
    assert spec["datasets"][grey["data"]["name"]] == [] and "grey" not in spec["title"]["subtitle"]
    assert rect["encoding"]["x"]["sort"] == ["Awareness", "Consideration", "Decision"]
    assert spec["title"]["text"] == "What customers complain about"
    assert spec["title"]["subtitle"].startswith("Negative feedback")
    praise = find_themes(fb.assign(sentiment=0.6), n_themes=2, id_col=None, touchpoint_col=None,
                         polarity="positive")
    praise_spec = themes_chart(praise).to_dict()
    assert praise_spec["title"]["text"] == "What customers praise"
    assert praise_spec["title"]["subtitle"].startswith("Positive feedback")
    persona = themes_chart(th, dimension="persona").to_dict()
    assert persona["hconcat"][1]["layer"][0]["encoding"]["x"]["sort"] == ["Ben", "Nina"]
    with pytest.raises(DataError, match="no counts by touchpoint"):
        themes_chart(th, dimension="touchpoint")
    with pytest.raises(ParameterError):
        themes_chart(th, dimension="week")
    with pytest.raises(ParameterError, match="counts"):
        themes_chart(th.summary)


def test_priority_matrix_spec(backlog):
    spec = priority_matrix_chart(backlog).to_dict()
    layers = spec["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in layers]
    assert marks == ["rule", "rule", "text", "text", "circle", "text", "text"]
    bubbles = layers[4]
    assert bubbles["encoding"]["size"]["field"] == "size"
    assert bubbles["encoding"]["color"]["scale"]["domain"] == list(QUADRANT_COLORS)
    tips = {t["title"] for t in bubbles["encoding"]["tooltip"]}
    assert {"Owner", "Relieves pain points", "Target date", "Value at stake", "RICE", "ICE"} <= tips
    data = pd.DataFrame(spec["datasets"][bubbles["data"]["name"]])
    fees = data.set_index("label").loc["show-fees"]
    assert fees["owner"] == "Checkout squad" and fees["target_date"] == "2027-01-31"
    assert fees["size"] == pytest.approx(400 * 0.3 * 80) and fees["quadrant"] == "quick win"
    assert data.set_index("label").loc["paypal", "pain_points"] == "a; c"
    # two bubbles at the same point are drawn 13 px apart along the diagonal, each label with its
    # bubble (the bubble and label layers carry the offsets), and the tooltip says so
    twins = data[data["label"].isin(["paypal", "twin"])].set_index("label")
    assert sorted(twins["dx"]) == [-6.5, 6.5] and (twins["dx"] == twins["dy"]).all()
    assert twins.loc["paypal", "drawn"] == "a little apart from twin, which has the same impact and effort"
    assert (data.loc[~data["label"].isin(["paypal", "twin"]), "dx"] == 0).all()
    for layer in (bubbles, *layers[5:]):
        assert layer["mark"]["xOffset"] == {"expr": "datum.dx"} and layer["mark"]["yOffset"] == {"expr": "datum.dy"}
    assert "Drawn" in tips
    corner_text = [r["text"] for layer in layers[2:4] for r in spec["datasets"][layer["data"]["name"]]]
    assert sorted(corner_text) == ["Big bets", "Fill-ins", "Money pits", "Quick wins"]
    assert "impact ≥ 1 is high, effort ≥ 3 is high" in spec["title"]["subtitle"]


def test_priority_matrix_needs_quadrants(backlog):
    with pytest.raises(DataError, match="lacks columns"):
        priority_matrix_chart(backlog.drop(columns="quadrant"))
    no_size = priority_matrix_chart(backlog, size=None).to_dict()
    assert no_size["layer"][4]["encoding"]["size"] == {"value": 200}


def test_charts_render_to_png(table, backlog, tmp_path):
    import vl_convert as vlc

    for name, chart in (("pain", pain_points_chart(table)), ("matrix", priority_matrix_chart(backlog))):
        png = vlc.vegalite_to_png(chart.to_dict(), scale=1)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
        (tmp_path / f"{name}.png").write_bytes(png)


def test_dates_and_lists_formatted():
    from jmtools.charts.painpoints import _text

    assert _text(dt.date(2027, 1, 31)) == "2027-01-31"
    assert _text(["a", "b"]) == "a; b" and _text(None) == "" and _text(float("nan")) == ""
    assert _text("x" * 10, 5) == "xxxx…"


def _grid_counts():
    """Theme × stage counts with an empty cell, a cell of 1 text, a hidden one and large ones."""
    summary = pd.DataFrame({"theme": [1, 2], "label": ["hidden fees", "slow delivery"], "n": [60, 30],
                            "share": [0.67, 0.33], "top_terms": [["fees"], ["delivery"]],
                            "quotes": [[], []]})
    counts = pd.DataFrame({
        "theme": [1, 1, 1, 2, 2, 2], "label": ["hidden fees"] * 3 + ["slow delivery"] * 3,
        "dimension": "stage", "value": ["Browse", "Decision", "Post"] * 2,
        "n": [0.0, 59.0, 1.0, None, 0.0, 25.0], "n_value": [0.0, 59.0, None, None, 0.0, None],
        "share": [None, 1.0, None, None, None, None],
        "suppressed": [False, False, False, True, False, False],
        "hidden": ["", "", "", "fewer than 5 customers", "", ""]})
    return summary, counts


def test_theme_heat_map_draws_empty_cells_white():
    from jmtools.charts.painpoints import EMPTY_COLOR, HIDDEN_COLOR

    summary, counts = _grid_counts()
    spec = themes_chart(summary, counts=counts).to_dict()
    rect, grey, label = spec["hconcat"][1]["layer"]
    colour = rect["encoding"]["color"]
    assert colour["condition"] == {"test": "datum.n == 0", "value": EMPTY_COLOR}
    assert colour["field"] == "n" and EMPTY_COLOR not in (HIDDEN_COLOR, "#ffffff00")
    assert rect["encoding"]["stroke"]["condition"]["test"] == "datum.n == 0"
    assert sorted(r["n"] for r in spec["datasets"][rect["data"]["name"]]) == [0, 0, 1, 25, 59]
    assert all(r["n"] > 0 for r in spec["datasets"][label["data"]["name"]])   # no "0" written


def test_theme_heat_map_renders_empty_cells_white_and_small_ones_blue():
    """A real render (vl-convert, SVG): each heat-map cell's fill, read by its label."""
    import re

    import vl_convert as vlc

    from jmtools.charts.painpoints import EMPTY_COLOR, HIDDEN_COLOR

    summary, counts = _grid_counts()
    svg = vlc.vegalite_to_svg(themes_chart(summary, counts=counts).to_dict())
    marks = re.findall(r'<path aria-label="([^"]*)"[^>]*aria-roledescription="rect mark"[^>]*'
                       r'fill="([^"]+)"', svg)
    fill = {(re.search(r"theme: (\d)", label).group(1), re.search(r"stage: (\w+)", label).group(1)): f
            for label, f in marks}
    assert len(fill) == 6
    assert fill[("1", "Browse")] == fill[("2", "Decision")] == EMPTY_COLOR    # 0 customers
    assert fill[("1", "Post")] not in (EMPTY_COLOR, HIDDEN_COLOR)             # 1 text: pale blue
    assert fill[("2", "Browse")] == HIDDEN_COLOR


def test_priority_matrix_without_quadrants_or_value(backlog):
    """D156: one opportunity has no quadrant (no median of one point), and a value at stake of 0
    everywhere (no orders) sizes nothing: no quadrant lines, corner names or colour legend, equal
    bubbles without a size legend, and the subtitle says why."""
    from jmtools.analyses.priorities import impact_effort

    one = impact_effort(backlog.head(1).drop(columns=["quadrant", "impact_threshold", "effort_threshold"]))
    spec = priority_matrix_chart(one.assign(value_at_stake=0.0)).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["circle", "text", "text"]
    bubbles = spec["layer"][0]["encoding"]
    assert bubbles["size"] == {"value": 200} and "field" not in bubbles["color"]
    assert spec["title"]["subtitle"] == ("No quadrants: fewer than 3 opportunities to split at their medians; "
                                         "equal bubbles (no value at stake to size them by)")
    sized = priority_matrix_chart(backlog).to_dict()["layer"][4]["encoding"]
    assert sized["size"]["field"] == "size" and sized["color"]["field"] == "quadrant"
    # the chart's data holds no NaN (a kernel cannot send it: "Out of range float values are not
    # JSON compliant"), and the tooltip says why there is no quadrant
    import json

    data = [row for rows in spec["datasets"].values() for row in rows]
    json.dumps(spec, allow_nan=False)
    assert {row["quadrant"] for row in data if "quadrant" in row and "label" in row} == {"none (too few to split)"}


def test_bubbles_at_one_point_each_keep_their_label_beside_them():
    """The tester's matrix: three opportunities at effort 2, impact 1, one more at effort 3. Their
    labels went below, stacked under the group, and the first bubble (drawn up and left) read as
    unlabelled: each now stands beside its own bubble, one line apart — on the left, as the
    bubble at effort 3 is close on the right (D167)."""
    from jmtools.analyses.priorities import impact_effort

    b = impact_effort(pd.DataFrame({
        "id": ["show-fees", "more-payment", "comparison", "carrier", "returns"],
        "title": list("ABCDE"), "impact": [3, 1, 1, 1, 1], "effort": [1, 2, 2, 2, 3],
        "owner": ["X"] * 5, "pain_points": [["p"]] * 5,
        "value_at_stake": [26000.0, 6300.0, 0.0, 0.0, 0.0]}))
    spec = priority_matrix_chart(b).to_dict()
    right, below, left = spec["layer"][5:]
    assert below["mark"]["align"] == "center" and left["mark"]["align"] == "right"
    assert left["mark"]["dx"] == {"expr": "-(sqrt(scale('size', datum.size) / PI) + 3)"}
    beside = {r["label"]: r for r in spec["datasets"][left["data"]["name"]]}
    assert {"more-payment", "comparison", "carrier"} <= set(beside)
    shifts = sorted(beside[k]["dy"] for k in ("more-payment", "comparison", "carrier"))
    assert all(b - a >= 11 for a, b in zip(shifts, shifts[1:]))    # 11 px text: no two lines overlap
    assert all(beside[k]["label_y"] == 1 for k in ("more-payment", "comparison", "carrier"))
