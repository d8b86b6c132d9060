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


def test_a_step_every_one_who_left_had_met_first_is_no_difference(tmp_path, monkeypatch):
    """D211 left it listed: a renewal reminder sent before every cancellation (and to most who stay)
    read "… left (…) against 0 of the … who did not: every one who left had got it first". A step on
    the way to leaving is no difference: named once as such, never in the list; the planted failed
    payment keeps its place and its plain-pandas counts."""
    import numpy as np
    import pandas as pd

    from churn_world import JOURNEY_YAML, customers_of

    ev = churn_events(11, n=900)
    rng = np.random.default_rng(5)
    cancel = ev[ev["event"] == "cancel"].groupby("customer_id")["timestamp"].min()
    paid = ev.loc[ev["event"] == "pay"].groupby("customer_id")["timestamp"].min()
    remind = [(c, "remind", cancel[c] - pd.Timedelta(hours=12)) for c in cancel.index if c in paid.index]
    remind += [(c, "remind", t + pd.Timedelta(days=300)) for c, t in paid.items()
               if c not in cancel.index and rng.random() < 0.9]
    assert len(remind) > 400
    ev = pd.concat([ev, pd.DataFrame(remind, columns=ev.columns)], ignore_index=True)
    ev.to_csv(tmp_path / "events.csv", index=False)
    customers_of(ev).to_csv(tmp_path / "customers.csv", index=False)
    (tmp_path / "journey.yaml").write_text(JOURNEY_YAML.replace(
        "  - {name: Renewal,", "  - {name: Renewal reminder, stage: Keep, channel: digital, events: [remind], "
        "initiated_by: company}\n  - {name: Renewal,"), encoding="utf-8")
    text = _shown(pipeline.run(tmp_path), monkeypatch)
    listed = text.split("> **Before leaving at Churn**", 1)[1].split("Every one who left", 1)[0]
    assert "*Payment failed*" in listed and "Renewal reminder" not in listed
    assert "Every one who left had first got *Renewal reminder*: a step on the way to leaving" in text   # a contact
    assert "every one who left had got it first" not in text
