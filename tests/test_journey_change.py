"""An opportunity's change date, target and measured outcome: validated with located errors,
kept through the YAML round trip (comments, unquoted dates) and the workshop workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jmtools.core.errors import JourneyError
from jmtools.journey import Journey, Outcome
from jmtools.journey.workbook import write_workbook
from jmtools.journey.workbook_read import read_workbook

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "journeys" / "ecommerce.yaml"
CHANGE = """    change_date: 2026-06-01
    target:
      touchpoint: Checkout
      persona: Budget Ben
      to: Order confirmation
"""


def _with_change(text: str = CHANGE) -> str:
    src = TEMPLATE.read_text()
    anchor = "    scores: {impact: 3, effort: 1, reach: 1200, confidence: 0.8, ease: 8}\n"
    assert anchor in src
    return src.replace(anchor, anchor + text, 1)


def test_change_and_target_are_read():
    j = Journey.from_yaml(_with_change())
    o = j.opportunities[0]
    assert o.change_date == dt.date(2026, 6, 1)
    assert (o.target.touchpoint, o.target.persona, o.target.to, o.target.measure) == (
        "Checkout", "Budget Ben", "Order confirmation", "conversion")
    assert o.outcome is None


@pytest.mark.parametrize("wrong, path, hint", [
    ("touchpoint: Checkout", "touchpoint: Chekout", "did you mean 'Checkout'?"),
    ("persona: Budget Ben", "persona: Budget Bn", "did you mean 'Budget Ben'?"),
    ("to: Order confirmation", "to: Nowhere", "use one of"),
])
def test_unknown_names_in_the_target_are_located(wrong, path, hint):
    with pytest.raises(JourneyError) as err:
        Journey.from_yaml(_with_change(CHANGE.replace(wrong, path)))
    problem = err.value.problems[0]
    assert problem.path.startswith("opportunities[0].target.") and hint in problem.fix
    assert problem.line is not None and problem.line > 270


def test_bad_dates_and_statuses_are_located():
    with pytest.raises(JourneyError, match="change_date"):
        Journey.from_yaml(_with_change(CHANGE.replace("2026-06-01", "2026-13-01")))
    with pytest.raises(JourneyError, match="improved"):
        Journey.from_yaml(_with_change(CHANGE + "    outcome: {status: great, measured_on: 2026-12-01, measure: x}\n"))


def test_outcome_written_back_keeps_comments_and_plain_dates(tmp_path):
    path = tmp_path / "journey.yaml"
    path.write_text(_with_change())
    j = Journey.load(path)
    j.opportunities[0].outcome = Outcome(status="improved", measured_on=dt.date(2026, 12, 1),
                                         measure="conversion Checkout → Order confirmation (Budget Ben)",
                                         before=0.31, after=0.47, effect=0.16, ci_low=0.08, ci_high=0.24,
                                         n_before=240, n_after=250)
    j.save()
    text = path.read_text()
    assert "# version of the journey file format" in text
    assert "change_date: 2026-06-01\n" in text and "measured_on: 2026-12-01\n" in text
    again = Journey.load(path)
    assert again == j
    again.opportunities[1].title = "Lower the threshold"          # another edit: dates stay dates
    again.save()
    assert "measured_on: 2026-12-01\n" in path.read_text() and "'2026" not in path.read_text()


def test_workbook_round_trip_keeps_change_target_and_outcome(tmp_path):
    j = Journey.from_yaml(_with_change(CHANGE + "    outcome: {status: no detectable change, measured_on: "
                                               "2026-12-01, measure: conversion, effect: -0.012, ci_low: -0.09, "
                                               "ci_high: 0.07, p_value: 0.77, n_before: 200, n_after: 210}\n"))
    book = write_workbook(j, tmp_path / "map.xlsx")
    result = read_workbook(book)
    assert result.journey == j and result.changes == []
    o = result.journey.opportunities[0]
    assert o.outcome.effect == -0.012 and o.outcome.n_after == 210 and o.target.to == "Order confirmation"
