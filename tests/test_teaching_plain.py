"""jmtools.teaching.plain: the numbers of the track in plain words (whole customers, rounded shares)."""

from __future__ import annotations

import re

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
