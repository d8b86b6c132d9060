"""Below "Left at <exit stage>": the touchpoints whose customers left more often (D211).

The subscription log of tests/churn_world.py written as a data folder with two personas; the note's
counts are plain pandas' (each customer's events before leaving), for all customers and for a persona;
nothing is said when no touchpoint differs.
"""

from __future__ import annotations

import pytest

from churn_world import churn_events, plain_walk, write_folder
from jmtools import pipeline
from jmtools.report import funnel_notes
from test_report_funnel_notes import _shown as shown


def _shown(findings, monkeypatch) -> str:
    return shown(findings, monkeypatch, funnel_notes.show_left)


def _folder(tmp_path_factory, **options):
    ev = churn_events(11, n=900, **options)
    root = tmp_path_factory.mktemp("churn")
    return root, ev, write_folder(root, ev)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return _folder(tmp_path_factory)


def _pct(k, n):
    return f"{k / n:.1%}"


@pytest.mark.parametrize("persona", ["all", "Large"])
def test_the_note_says_who_left_after_a_failed_payment_as_plain_pandas(folder, monkeypatch, persona):
    root, ev, customers = folder
    mine = ev if persona == "all" else ev[ev["customer_id"].isin(customers.loc[customers["size"] == "large",
                                                                             "customer_id"])]
    want = plain_walk(mine).set_index("touchpoint").loc["Payment failed"]
    n_met, left_met = int(want["n_met"]), int(want["left_met"])
    n_not, left_not = int(want["n"]) - n_met, int(want["n_left"]) - left_met
    text = _shown(pipeline.run(root, persona=persona), monkeypatch)
    assert "**Left at Churn**" in text and "> **Before leaving at Churn**" in text
    left_all = mine.loc[mine["event"] == "cancel", "customer_id"].nunique()
    assert int(want["n_left"]) < left_all                # some left with nothing before: not compared
    assert (f"among the {int(want['n']):,} customers who had reached **Pay** themselves (as "
            f"{int(want['n_left']):,} of the {left_all:,} who left had, before leaving):") in text
    assert (f"{left_met:,} of the {n_met:,} who got *Payment failed* (Keep), a contact the company started, "
            f"left ({_pct(left_met, n_met)}, 95% CI ") in text
    assert f"against {left_not:,} of the {n_not:,} who did not ({_pct(left_not, n_not)}, 95% CI " in text
    assert "Newsletter" not in text                  # no effect planted: not said
    assert "An association, not a cause" in text
    said = text.split("Before leaving", 1)[1]
    assert said.count(" who did not ") <= funnel_notes.MAX_BEFORE_LEAVING


def test_nothing_is_said_when_no_touchpoint_differs(tmp_path_factory, monkeypatch):
    root, _, _ = _folder(tmp_path_factory, effect=0.1)
    text = _shown(pipeline.run(root), monkeypatch)
    assert "**Left at Churn**" in text and "Before leaving" not in text
