"""A segment's charts name it in their title (jmtools.charts.titles, D239)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from jmtools.charts import funnels
from jmtools.charts.titles import SEGMENT_CHARS, for_segment, name_segment, segment_line

LONG = 'age < 30 and region in ["north", "south"] and plan == "premium" and channel != "app"'


def _chart(**props):
    return alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q").properties(**props)


@pytest.mark.parametrize("rule", ["x == 1", 'clinic == "Derm" and source == "GP"', LONG, "a" * 80,
                                  "region in ['north',   'south']"])
def test_a_segment_line_is_short_and_cut_between_words(rule):
    line = segment_line(rule)
    shown = line.removeprefix("Segment: ")
    assert len(shown) <= SEGMENT_CHARS
    flat = " ".join(rule.split())
    if len(flat) <= SEGMENT_CHARS:
        assert shown == flat
    else:
        assert shown.endswith("…")
        kept = shown[:-1]
        assert flat.startswith(kept)
        if " " in flat[:SEGMENT_CHARS]:                      # cut where a word ends, never inside one
            assert flat[len(kept):].lstrip(",;")[:1] == " "


@pytest.mark.parametrize("title", ["How far customers get", ["Line one", "Line two"],
                                   alt.TitleParams(text="Funnel", anchor="start", fontSize=14), alt.Undefined])
def test_the_title_keeps_its_lines_and_settings_and_adds_the_segment(title):
    chart = _chart() if title is alt.Undefined else _chart(title=title)
    got = name_segment(chart, "age < 30").to_dict()["title"]
    before = [] if title is alt.Undefined else (
        [title.text] if isinstance(title, alt.TitleParams) else [title] if isinstance(title, str) else title)
    assert got["text"] == [*before, "Segment: age < 30"]
    if isinstance(title, alt.TitleParams):
        assert (got["anchor"], got["fontSize"]) == ("start", 14)
    assert "title" not in chart.to_dict() or chart.to_dict()["title"] != got     # the input is not changed


def test_no_segment_leaves_charts_and_functions_as_they_are():
    chart = _chart(title="x")
    assert name_segment(chart, "") is chart
    assert for_segment(funnels, "") is funnels
    assert for_segment(funnels.funnel_chart, "") is funnels.funnel_chart


def test_a_module_wrapped_names_the_segment_on_every_chart_function_and_keeps_its_constants():
    wrapped = for_segment(funnels, LONG)
    assert wrapped.OPEN_TIP == funnels.OPEN_TIP and wrapped.open_end is funnels.open_end   # a part, no chart
    f = pd.DataFrame({"step": ["Visit", "Buy"], "step_index": [1, 2], "share": [0.5, 0.5], "ci_low": [0.4, 0.4],
                      "ci_high": [0.6, 0.6], "n": [5, 5], "n_customers": [10, 10]})
    spec = wrapped.furthest_stage_chart(f).to_dict()
    assert spec["title"]["text"] == ["How far customers get", segment_line(LONG)]
    assert spec["usermeta"]["jmtools_fit"] is True              # still fitted to its output
    assert wrapped.furthest_stage_chart.__name__ == "furthest_stage_chart"
