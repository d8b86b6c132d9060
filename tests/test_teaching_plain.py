"""jmtools.teaching.plain: the numbers of the track in plain words (whole customers, rounded shares)."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from jmtools.teaching import Lesson, before_after, change_at, change_table, pain_points_table


@pytest.fixture(scope="module")
def run():
    return Lesson("sample:ecommerce", step=5).run


def test_customers_affected_are_whole_and_the_shared_place_is_said(run):
    pains = run.pain_points.table
    table = pain_points_table(pains)
    assert all(isinstance(v, int) or v == "–" for v in table["customers_affected"])
    fractional = pains["customers_affected"].dropna() % 1 != 0
    assert fractional.any()                       # two pain points share Decision · Checkout (D167)
    shared = pains.loc[fractional[fractional].index, "pain_point_id"].tolist()
    note = table.attrs["note"]
    assert all(pid in note for pid in shared) and "estimated shares, rounded to whole customers" in note
    place = round(pains.loc[fractional[fractional].index, "customers_affected"].sum())
    assert f"the {place:,} customers there" in note    # the place's customers, whole: the shares add up to it
    assert (table["score"].dropna() == table["score"].dropna().round(2)).all()


def test_a_change_reads_as_percentages_and_a_verdict():
    lesson = Lesson("sample:ecommerce", step=7)
    periods = before_after(lesson.evidence, lesson.split)
    change = change_at(periods, "Decision", group=lesson.persona)
    table = change_table(change)
    shown = table.to_string()
    assert not re.search(r"\d\.\d{4,}", shown), shown            # no 0.19332591292677448
    assert list(table.index) == ["before", "after", "after − before"]
    assert table.loc["before", "reached Decision"] == change["before"]["n"]
    assert table.loc["before", "conversion"] == f"{change['before']['conversion']:.1%}".replace("%", " %")
    words = {"better": "Better", "worse": "Worse", "no evidence": "No evidence of a change"}[change["verdict"]]
    assert table.attrs["verdict"].startswith(words)


def test_a_table_of_long_texts_is_shown_whole_and_wraps():
    """Notebook 01's check table ended its message and fix in "..." (pandas cuts a cell at 50
    characters), and notebook 07's map diff showed a dict per stage, cut: "{'Budget Ben': 0.0,
    'Marathon Maya': 1.0, 'New...". show_whole shows each cell whole, wrapped in its column."""
    from unittest import mock

    from jmtools.teaching import show_whole, whole_table

    fix = "tighten one rule if the personas should not share customers"
    message = "fewer than 5 customers are also selected by 'Marathon Maya'; they are assigned to 'Budget Ben'"
    old = {"Budget Ben": 0.0, "Marathon Maya": 1.0, "New Runner Nina": -1.0, "Weekend Walter": 1.0 / 3}
    frame = pd.DataFrame({"message": [message, ""], "fix": [fix, ""], "old": [old, 1.0], "n": [5, 7]})
    with pd.option_context("display.max_colwidth", 50):     # pandas' default (a test before may set another)
        assert "..." in frame._repr_html_() and fix not in frame._repr_html_()   # what a learner saw
    table = whole_table(frame)
    assert table["old"].tolist() == ["Budget Ben: 0.0; Marathon Maya: 1.0; New Runner Nina: -1.0; "
                                     "Weekend Walter: 0.3333", 1.0]
    assert table["n"].tolist() == [5, 7] and frame["old"][0] is old     # numbers kept; the frame untouched
    with mock.patch("IPython.display.display") as display:
        show_whole(frame)
    (bundle,), kw = display.call_args
    assert kw == {"raw": True}
    for kind in ("text/plain", "text/html"):
        shown = html.unescape(bundle[kind])
        assert fix in shown and message in shown and "..." not in shown and "{'" not in shown, kind
    assert bundle["text/html"].count('<td style="white-space:normal;') == 2 * 3     # the long texts wrap
    frame["check"] = ["overlap", "ok"]                                        # a word: one line, unbroken
    with mock.patch("IPython.display.display") as display:
        show_whole(frame)
    page = display.call_args[0][0]["text/html"]
    assert page.count('<td style="white-space:nowrap;') == 2 and page.count("<td>") == 2   # n: as pandas puts it
