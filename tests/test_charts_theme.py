"""The one theme and how report charts are validated (jmtools.charts.theme)."""

from __future__ import annotations

import altair as alt
import pytest

from jmtools.charts.theme import validated_whole


def test_a_chart_built_within_validated_whole_has_the_same_spec():
    def build():
        base = alt.Chart(alt.Data(values=[{"a": 1, "b": "x"}]))
        return alt.layer(base.mark_bar().encode(x=alt.X("a:Q", title="A"), y="b:N"),
                         base.mark_text().encode(x="a:Q", text="b:N")).properties(
            width=200, title=alt.TitleParams("T", subtitle="s")).configure_view(stroke=None)

    with validated_whole():
        quiet = build()
    assert quiet.to_dict() == build().to_dict()


def test_a_bad_piece_is_still_refused_when_the_chart_is_shown_and_the_setting_comes_back():
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        alt.TitleParams("T", fontSize="big")   # refused as it is built, outside the block
    with pytest.raises(ZeroDivisionError), validated_whole():
        title = alt.TitleParams("T", fontSize="big")      # not refused here ...
        1 / 0
    assert alt.utils.schemapi.DEBUG_MODE is True
    chart = alt.Chart(alt.Data(values=[{"a": 1}]), title=title).mark_bar().encode(x="a:Q")
    with pytest.raises(alt.utils.schemapi.SchemaValidationError, match="fontSize"):
        chart.to_dict()                                   # ... but when the whole is validated
