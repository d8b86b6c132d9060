"""jmtools.report.present: escaped text and tables, chart data checked against plain computations."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jmtools.report.present import (backlog_chart, esc, funnel_chart, headline_cards, html_table,
                                    md, number, pain_point_chart)

EVIL = '<script>alert(1)</script><img src="http://x/y.png" onerror="z()"> *a* [l](http://x)'


def test_text_from_data_is_never_markup():
    for text in (esc(EVIL), md("{q}", q=EVIL).data,
                 html_table(pd.DataFrame({"quote": [EVIL]})).data,
                 headline_cards([{"label": EVIL, "value": EVIL, "note": EVIL}]).data):
        assert "<script" not in text and "<img" not in text
        assert "&lt;script&gt;" in text


def test_markdown_syntax_in_values_is_escaped_but_the_template_is_not():
    out = md("**{name}**", name="*x* [link](http://e)").data
    assert out.startswith("**") and "\\*x\\*" in out and "\\[link\\]" in out


@pytest.mark.parametrize("value, kw, text", [
    (0.1234, {"unit": "%"}, "12.3%"), (1234567, {}, "1,234,567"), (-0.5, {"digits": 2}, "−0.50"),
    (0.25, {"signed": True}, "+0.2"), (None, {}, "–"), (float("nan"), {}, "–"), (pd.NA, {}, "–"),
    (3.0, {"unit": "h"}, "3.0 h"),
])
def test_number(value, kw, text):
    assert number(value, **kw) == text


def test_table_formats_and_truncates():
    df = pd.DataFrame({"a": range(60), "share": [0.5] * 60})
    html = html_table(df, columns={"share": "share of customers"}, formats={"share": "%"},
                      max_rows=10).data
    assert html.count("<tr>") == 11 and "50.0%" in html and "50 more rows" in html
    assert "<th>a</th>" not in html and "share of customers" in html


def test_funnel_chart_shares_and_intervals_match_a_plain_computation():
    from jmtools.core.stats import wilson_interval

    f = pd.DataFrame({"step_index": [1, 2, 3], "step": ["A", "B", "C"], "n": [200, 90, 30]})
    everyone = f.assign(n=[1000, 600, 300])
    spec = funnel_chart(f, compare=everyone, label="Ben").to_dict()
    data = pd.DataFrame(next(iter(spec["datasets"].values())))  # the one dataset of the layers
    ben = data[data.group == "Ben"].set_index("step")
    assert ben.loc["C", "share"] == pytest.approx(30 / 200)
    low, high = wilson_interval(30, 200)
    assert (ben.loc["C", "ci_low"], ben.loc["C", "ci_high"]) == pytest.approx((low, high))
    assert data[data.group == "all customers"].set_index("step").loc["B", "share"] == 0.6
    assert list(data.step.unique()) == ["A", "B", "C"]  # journey order kept



#: The permit export's funnel (/tmp/hH48_work/bau): customers reaching each stage and those still open at
#: the stage before at the data's end (D221).
PERMIT = pd.DataFrame({"step_index": [1, 2, 3, 4], "step": ["Apply", "Upload documents", "Site inspection", "Decision"],
                       "n": [2000, 1885, 1504, 1452], "open": [0, 11, 181, 52], "rate_from_start": [1, .9425, .752, .726]})


def _label_rows(spec) -> list[dict]:
    """Every bar label of the funnel chart: its lines and where its text starts (share of the axis)."""
    data = next(iter(spec["datasets"].values()))
    return [{"lines": r["text"] if isinstance(r["text"], list) else [r["text"]], "x": r["text_x"], "step": r["step"]}
            for r in data]


@pytest.mark.parametrize("compare", [False, True])
def test_funnel_labels_need_no_more_room_right_of_the_plot_than_the_first_steps(compare):
    """On a 390 px phone "94% (n=1,885; +11 open)" ran past the chart's right edge (D225): the page fits
    a chart to its width in one pass, so only a label whose end does not move with the plot's width
    (the first step's, at 100%) is sure to fit. Those still open go on a second line: at any plot width
    (150 px on a phone, 520 in print) no line of a label, at 11 px text, ends further right than the
    first step's."""
    spec = funnel_chart(PERMIT, compare=PERMIT if compare else None, label="Private applicant").to_dict()
    rows = _label_rows(spec)
    by_step = {r["step"]: r["lines"] for r in rows}
    assert by_step["Upload documents"] == ["94% (n=1,885)", "+11 open"]
    assert by_step["Site inspection"] == ["75% (n=1,504)", "+181 open"] and by_step["Apply"] == ["100% (n=2,000)"]
    px = 11 * 0.62                                                     # a character of 11 px sans-serif
    for width in (150, 520):
        first = max(r["x"] * width + len(r["lines"][0]) * px for r in rows if r["step"] == "Apply")
        for r in rows:
            assert max(r["x"] * width + len(line) * px for line in r["lines"]) <= first, (width, r)
    text_layers = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "text"]
    assert {layer["mark"].get("dy", 0) for layer in text_layers} == {0, -6}   # two lines: centred on the bar


def test_funnel_labels_with_nobody_open_are_one_line_as_before():
    spec = funnel_chart(PERMIT.assign(open=0)).to_dict()
    assert [r["lines"] for r in _label_rows(spec)] == [["100% (n=2,000)"], ["94% (n=1,885)"], ["75% (n=1,504)"],
                                                       ["73% (n=1,452)"]]
    assert sum(layer.get("mark", {}).get("type") == "text" for layer in spec["layer"]) == 1


def test_a_segments_long_name_in_the_funnel_legend_is_wrapped_not_cut():
    """The hospital report for segment ``clinic == "Dermatology" and referral_source == "GP"`` drew its
    funnel legend as "all customers in segment clini…", on a phone and in the PDF (D225): the name is
    broken into lines of at most 36 characters (about 250 px of 11 px text), every word kept."""
    import json

    name = 'all customers in segment clinic == "Dermatology" and referral_source == "GP"'
    legend = funnel_chart(PERMIT.assign(open=0), label=name).to_dict()["layer"][0]["encoding"]["color"]["legend"]
    assert legend["labelLimit"] == 0                                   # nothing cut
    lines = json.loads(legend["labelExpr"].split("[datum.label]")[0])[name]
    assert " ".join(lines) == name and max(map(len, lines)) <= 36 and len(lines) == 3

def test_backlog_chart_labels_points_that_share_a_place():
    b = pd.DataFrame({"rank": [1, 2, 3], "title": ["a", "b", "c"], "impact": [2.0, 1.0, 1.0],
                      "effort": [1.0, 2.0, 2.0], "quadrant": ["quick win", "big bet", "big bet"],
                      "value_at_stake": [10.0, None, 5.0]})
    spec = backlog_chart(b).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["label"] for r in rows] == ["#1", "#2", "#3"]  # each its own label, drawn apart
    assert [(r["dx"], r["dy"]) for r in rows] == [(0.0, 0.0), (-6.5, -6.5), (6.5, 6.5)]
    assert [(r["impact"], r["effort"]) for r in rows] == [(2.0, 1.0), (1.0, 2.0), (1.0, 2.0)]  # true values
    assert [r["drawn"] for r in rows] == [
        "at its impact and effort", "a little apart from #3, which has the same impact and effort",
        "a little apart from #2, which has the same impact and effort"]
    assert [r["value_at_stake"] for r in rows] == [10.0, 0.0, 5.0]


def _scene_items(node, role):
    """The items of every mark with ``role`` in a Vega scenegraph (vl_convert)."""
    if not isinstance(node, dict):
        return []
    found = list(node.get("items", [])) if node.get("role") == role else []
    for item in node.get("items", []):
        for child in item.get("items", []) if isinstance(item, dict) else []:
            found += _scene_items(child, role)
    return found


def test_backlog_chart_at_phone_width_shows_every_bubble_whole_and_apart_with_readable_axis():
    """The grocery sample's Family Fiona: #1 and #2 both at (2, 2), the largest values. Drawn at a
    phone's plot width (the report's chart fits a 390 px screen at about 250 px), every bubble lies
    inside the plot, the two at one place are both visible with their own labels, and the effort
    labels do not run together (before: bubbles on the plot's corner, one under the other, and
    eleven labels 25 px apart: "0.00.2", "1.82.0")."""
    vlc = pytest.importorskip("vl_convert")
    b = pd.DataFrame({"rank": [1, 2, 3], "title": ["a", "b", "c"], "impact": [2.0, 2.0, 1.0],
                      "effort": [2.0, 2.0, 1.0], "quadrant": ["big bet", "big bet", "fill-in"],
                      "value_at_stake": [7840.0, 0.0, 0.0]})
    width, height = 250, 300
    scene = vlc.vegalite_to_scenegraph(backlog_chart(b).properties(width=width, height=height).to_dict())
    root = scene["scenegraph"]
    bubbles = [i for i in _scene_items(root, "mark") if "size" in i and "text" not in i]
    labels = [i for i in _scene_items(root, "mark") if "text" in i]
    assert len(bubbles) == 3 and sorted(i["text"] for i in labels) == ["#1", "#2", "#3"]
    for bubble in bubbles:
        r = math.sqrt(bubble["size"] / math.pi)
        assert r <= bubble["x"] <= width - r and r <= bubble["y"] <= height - r, bubble
    first, second = sorted(bubbles, key=lambda i: -i["size"])[:2]
    assert math.dist((first["x"], first["y"]), (second["x"], second["y"])) >= 13
    by_text = {i["text"]: i for i in labels}
    assert abs(by_text["#1"]["y"] - by_text["#2"]["y"]) >= 12  # labels one under the other, not on top
    ticks = [i for i in _scene_items(root, "axis-label") if i["x"] >= 0]  # effort (impact: left of x = 0)
    xs = sorted(i["x"] for i in ticks)
    assert 3 <= len(xs) <= 7 and min(b - a for a, b in zip(xs, xs[1:])) >= 35, [i["text"] for i in ticks]
    axis = backlog_chart(b).to_dict()["layer"][0]["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"expr": "ceil(width/60)"} and axis["labelSeparation"] > 0


def test_pain_point_chart_keeps_rank_order_and_top():
    t = pd.DataFrame({"rank": [2, 1, 3], "title": ["b", "a", "c"], "stage": ["S"] * 3,
                      "customers_affected": [5.0, None, 7.0], "evidence_label": ["measured"] * 3})
    spec = pain_point_chart(t, top=2).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["#1 a", "#2 b"]
    rows = next(iter(spec["datasets"].values()))
    assert [r["customers_affected"] for r in rows] == [None, 5.0]  # missing stays missing


def test_pain_point_bars_follow_rank_and_assumed_items_get_no_bar():
    """Bar length is the ranking score (rank 1 longest); an assumed item is a hollow marker, unsized."""
    t = pd.DataFrame({"rank": [1, 2, 3], "title": ["a", "b", "c"], "stage": ["S"] * 3,
                      "score": [3.0, 2.0, 0.0], "customers_affected": [50.0, 400.0, 68.0],
                      "evidence_label": ["measured", "measured", "assumed"]})
    chart = pain_point_chart(t)
    spec = chart.to_dict()
    data = pd.DataFrame(chart.data)
    assert list(data.sort_values("rank")["bar"].fillna(-1)) == [3.0, 2.0, -1]
    bars, _, _, marker, words = spec["layer"]
    assert bars["encoding"]["x"]["field"] == "bar" and marker["mark"]["filled"] is False
    assert "assumed, not in the data" in set(data["note"])


#: The Budget Ben report's pain points (demo): the scores and titles the user saw.
_BEN = pd.DataFrame({
    "rank": [1, 2, 3, 4, 5], "stage": ["Decision"] * 2 + ["Post-purchase"] * 3,
    "title": ["Delivery fee appears only at payment", "Few payment options",
              "Customers felt worse, complaints at post-purchase",
              "Customers felt worse at post-purchase / review request",
              "Complaints at post-purchase / support"],
    "score": [3.27, 3.27, 0.98, 0.5, 0.23], "customers_affected": [456.0, 111.0, 144.0, 74.0, 144.0],
    "evidence_label": ["measured"] * 5})


def _label_lines(expr: str) -> dict:
    import json

    return json.loads(expr.split("[datum.label]")[0])


def test_pain_point_axis_fits_the_longest_bar_and_names_are_whole():
    """The demo's axis ran to 6 for a longest bar of 3.3 (doubled for the count labels), and
    "#3 Customers felt worse, complaints at post- …" was cut on its second line."""
    chart = pain_point_chart(_BEN, top=5)
    spec = chart.to_dict()
    bars = spec["layer"][0]
    top = bars["encoding"]["x"]["scale"]["domain"][1]
    assert 3.27 <= top < 3.27 * 1.5, top                                   # "nice" 4, not 6.54
    lines = _label_lines(bars["encoding"]["y"]["axis"]["labelExpr"])
    for rank, title in zip(_BEN["rank"], _BEN["title"]):
        wrapped = lines[f"#{rank} {title}"]
        assert len(wrapped) <= 3 and all(len(line) <= 24 for line in wrapped), wrapped
        assert " ".join(wrapped) == f"#{rank} {title}"                       # every word drawn
    tips = [t["field"] if isinstance(t, dict) else t.split(":")[0] for t in bars["encoding"]["tooltip"]]
    assert "title" in tips                                                  # and the full name on hover
    inside, outside = spec["layer"][1], spec["layer"][2]
    data = pd.DataFrame(chart.data)
    assert data.loc[data["bar"] >= top / 2, "rank"].tolist() == [1, 2]      # counts drawn inside long bars
    assert inside["mark"]["color"] == "white" and outside["mark"]["align"] == "left"
    assert inside["mark"]["limit"] == outside["mark"]["limit"] == {"expr": "width / 2 - 8"}  # never past the plot


def test_the_number_beside_a_pain_point_bar_is_the_one_its_length_shows():
    """Budget Ben's #1 and #2 have one score (3.27): equal bars were labelled "456 customers" and
    "111 customers". Each label is now the bar's own value, so labels and lengths agree."""
    chart = pain_point_chart(_BEN, top=5)
    data = pd.DataFrame(chart.data).sort_values("rank")
    labels = data["note"].astype(float)
    assert list(labels) == [round(b, 2) for b in data["bar"]]
    assert (labels / data["bar"]).round(2).nunique() == 1                 # proportional, one factor
    assert labels.iloc[0] == labels.iloc[1] == 3.27


def test_a_table_of_more_than_three_columns_is_cards_on_a_phone():
    """At 360 px the funnel table (stage, customers, conversion, its interval, from start) put n
    and the intervals off to the side; tables of more than 3 columns are cards there too."""
    funnel = pd.DataFrame({"step": ["Awareness"], "n": [466], "conversion": [1.0], "ci_low": [0.99],
                           "ci_high": [1.0], "rate_from_start": [1.0]})
    assert 'class="jm-table jm-cards"' in html_table(funnel).data
    assert 'class="jm-table"' in html_table(funnel[["step", "n", "conversion"]]).data


def test_a_tiny_share_is_never_shown_as_zero_or_all():
    """1 customer of 4,000 is "<0.1%" in a report's tables and sentences, not a false 0.0%."""
    import pandas as pd

    from jmtools.report.present import html_table
    from jmtools.report.wording import percent

    shown = html_table(pd.DataFrame({"share": [1 / 4000, 0.0, 3999 / 4000]}), formats={"share": "%"}).data
    assert "&lt;0.1%" in shown and ">0.0%<" in shown and "&gt;99.9%" in shown
    assert [percent(x) for x in (1 / 4000, 0.0, 3999 / 4000)] == ["<0.1%", "0.0%", ">99.9%"]
    assert percent(-1 / 4000, signed=True) == "−0.0%"     # a change keeps its sign


def test_backlog_chart_without_orders_or_enough_opportunities_drops_size_and_colour():
    """D156: the report's chart said "Circle area: order value at stake" with a legend "value at
    stake 0" on a folder without orders, and coloured its one opportunity "big bet". Without a
    value at stake the circles have one size and no size legend; without quadrants one colour and
    no colour legend; the caption and the section's sentence say why."""
    from jmtools.report.present import backlog_caption
    from jmtools.report.problem_sections import _ranked_how

    one = pd.DataFrame({"rank": [1], "title": ["Text reminder"], "impact": [3.0], "effort": [2.0],
                        "quadrant": [None], "impact_threshold": [float("nan")],
                        "effort_threshold": [float("nan")], "rice": [720.0]})
    enc = backlog_chart(one).to_dict()["layer"][0]["encoding"]
    assert enc["size"] == {"value": 200} and enc["color"] == {"value": "#2f5d8a"}
    text = backlog_caption(one)
    assert "order value at stake" not in text and "Colour: quadrant" not in text
    assert "Circles all have one size: without orders there is no value at stake to size them by." in text
    assert "fewer than 3 opportunities have impact and effort, too few to split into quadrants" in text
    assert _ranked_how(one) == ("Ranked by RICE. No quadrants: 1 opportunity has impact and effort, and "
                                "quadrants split at the median of 3 or more.")
    valued = pd.DataFrame({"title": ["a", "b", "c"], "impact": [3.0, 1.0, 2.0], "effort": [2.0, 3.0, 1.0],
                           "quadrant": ["big bet", "money pit", "quick win"], "value_at_stake": [10.0, 0.0, 5.0]})
    enc = backlog_chart(valued).to_dict()["layer"][0]["encoding"]
    assert enc["size"]["field"] == "value_at_stake" and enc["color"]["field"] == "quadrant"
    assert "Circle area: order value at stake." in backlog_caption(valued)
    with_nothing = backlog_chart(valued.drop(columns="value_at_stake")).to_dict()["layer"][0]["encoding"]
    assert with_nothing["size"] == {"value": 200}


def test_a_quiet_reported_pain_point_s_label_says_what_its_table_row_says():
    """Utility world (D184): the bar label of "Engineers miss smart meter appointments" said
    "reported, no measure in the data" while its row said "1,522 customers have events at this
    stage …; none of the signals measured here is significantly worse". The label now says that no
    measured signal is worse there, with the row's count (1–4 as "fewer than 5"), on lines that
    fit a phone's plot."""
    t = pd.DataFrame({"rank": [1, 2, 3, 4, 5], "title": ["a", "b", "c", "d", "e"], "stage": ["S"] * 5,
                      "score": [0.7, 0.0, 0.0, 0.0, 0.0], "customers_affected": [2627.0] + [None] * 4,
                      "evidence_label": ["measured", "reported", "reported", "assumed", "reported"],
                      "customers_with_events": [None, 1522.0, 3.0, None, 0.0]}, index=[10, 11, 12, 13, 14])
    chart = pain_point_chart(t)
    notes = pd.DataFrame(chart.data).set_index("rank")["note"]
    said = {rank: " ".join(note.split("\n")) for rank, note in notes.items()}
    assert said[2] == "reported: no measured signal is worse here; 1,522 customers have events here"
    assert said[3].endswith("; fewer than 5 customers have events here")
    assert said[4] == "assumed, not in the data"
    assert said[5] == "reported: no customer has events here in the data"
    assert not any("no measure in the data" in s for s in said.values())
    assert all(len(line) <= 30 for note in notes for line in note.split("\n"))
    words = chart.to_dict()["layer"][4]["mark"]
    assert words["lineBreak"] == "\n" and words["limit"] == {"expr": "width - 12"}
    without = pain_point_chart(t.drop(columns="customers_with_events"))   # a table that counts nothing
    assert pd.DataFrame(without.data).set_index("rank")["note"][2].replace("\n", " ") == \
        "reported: no measured signal is worse here"
