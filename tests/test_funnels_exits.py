"""funnels.before_leaving: the share who left among those who met a touchpoint before leaving (D211).

An outside tester's SaaS world planted churn after a failed payment (61.8% against 13.3%) that the
kit surfaced nowhere. The seeded log of tests/churn_world.py plants the same, with the traps: a
notice after leaving, customers with nothing before leaving, a log of dates only whose failed
payment and cancellation share a day. Counts are a plain pandas walk of each customer's events.
"""

from __future__ import annotations

import pandas as pd
import pytest

from churn_world import churn_events, customers_of, journey_dict, plain_walk
from jmtools.analyses.funnels import REACHED_SHARE, before_leaving, funnel
from jmtools.core.errors import ParameterError
from jmtools.evidence import prepare

COUNTS = ["from_stage", "n", "n_left", "n_met", "left_met"]


def _check(got: pd.DataFrame, want: pd.DataFrame):
    merged = got.merge(want, on="touchpoint", how="outer", suffixes=("", "_pandas"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[["touchpoint", "_merge"]]
    for c in COUNTS:
        assert merged[c].tolist() == merged[f"{c}_pandas"].tolist(), c
    assert (got["n_not"] == got["n"] - got["n_met"]).all()
    assert (got["left_not"] == got["n_left"] - got["left_met"]).all()


@pytest.mark.parametrize("seed", [2, 5])
def test_counts_are_a_plain_walk_of_each_customers_events(seed):
    ev = churn_events(seed)
    got = before_leaving(prepare(ev, journey_dict()))
    _check(got, plain_walk(ev))
    assert set(got["stage"]) == {"Churn"} and (got["from_stage"] == "Pay").all()
    top = got.iloc[0]                               # the planted effect first, a contact the company started
    assert top["touchpoint"] == "Payment failed" and top["company"] and top["shown"]
    assert top["diff_low"] > 0.3 and top["share_met"] > 0.45 and top["share_not"] < 0.2
    # no effect planted: sent at any time, it reaches those who stay for longer than those who leave, so
    # it reads as less leaving (the comparison's bias runs that way), never as more
    news = got.set_index("touchpoint").loc["Newsletter"]
    assert news["diff_low"] < 0
    # the orphans (nothing before leaving) left but reached no stage: not among those compared
    assert top["n_left_all"] - top["n_left"] == 3
    assert "Cancellation" not in set(got["touchpoint"])     # the exit stage's own touchpoints are not compared


def test_a_notice_after_leaving_does_not_count():
    ev = churn_events(3)
    got = before_leaving(prepare(ev, journey_dict())).set_index("touchpoint").loc["Payment failed"]
    first_cancel = ev[ev["event"] == "cancel"].groupby("customer_id")["timestamp"].min()
    failed = ev[ev["event"] == "failed"]
    after = failed[failed["timestamp"] > failed["customer_id"].map(first_cancel)]
    assert after["customer_id"].nunique() > 5            # planted: notices after leaving
    anytime = failed["customer_id"].nunique()
    assert got["n_met"] == anytime - after["customer_id"].nunique()


def test_many_customers_with_nothing_before_leaving_compare_everyone():
    """When more than 1 in 20 who left reached no stage before leaving, every customer is compared."""
    ev = churn_events(4, orphans=40)
    got = before_leaving(prepare(ev, journey_dict()))
    want = plain_walk(ev)
    assert (want["from_stage"] == "").all()
    _check(got, want)
    assert (got["n"] == ev["customer_id"].nunique()).all() and (got["n_left"] == got["n_left_all"]).all()


def test_a_log_of_dates_only_counts_only_earlier_days():
    """Dates only: events of one day are ordered by assumption, so a failed payment on the day of the
    cancellation is not counted as before it; one a day earlier is."""
    ev = churn_events(6, dates=True)
    evidence = prepare(ev, journey_dict())
    assert evidence.dates_only is not None
    got = before_leaving(evidence)
    _check(got, plain_walk(ev, dates=True))
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    same_day = int((wide["failed"] == wide["cancel"]).sum())
    assert same_day >= 5                                           # planted
    counted_by_order = plain_walk(ev, dates=False).set_index("touchpoint").loc["Payment failed", "left_met"]
    assert got.set_index("touchpoint").loc["Payment failed", "left_met"] == counted_by_order - same_day


def test_by_persona_counts_each_persona_within_itself():
    ev = churn_events(2)
    customers = customers_of(ev)
    got = before_leaving(prepare(ev, journey_dict(), customers=customers), by="persona")
    for persona, size in (("Small", "small"), ("Large", "large")):
        mine = ev[ev["customer_id"].isin(customers.loc[customers["size"] == size, "customer_id"])]
        _check(got[got["persona"] == persona].drop(columns="persona"), plain_walk(mine))


def test_small_cells_are_not_shown_and_the_reach_matches_the_funnel():
    ev = churn_events(2, n=120)
    evidence = prepare(ev, journey_dict())
    got = before_leaving(evidence)
    cells = pd.concat([got["left_met"], got["n_met"] - got["left_met"], got["left_not"],
                       got["n_not"] - got["left_not"]], axis=1)
    small = cells.apply(lambda c: c.between(1, 4)).any(axis=1) | (got[["n_met", "n_not"]].min(axis=1) < 5)
    assert small.any() and (got["shown"] == ~small).all()
    # everyone who left is counted at the exit stage as "Left at" counts them
    assert got["n_left_all"].iloc[0] == int(funnel(evidence, steps=["Churn"])["n"].iloc[0])
    assert 0 < REACHED_SHARE < 1


def test_no_exit_stage_no_rows_and_an_unknown_stage_is_refused():
    ev = churn_events(2, n=60)
    j = journey_dict()
    j["stages"][-1].pop("exit")
    evidence = prepare(ev, j)
    assert before_leaving(evidence).empty
    with pytest.raises(ParameterError, match="stages"):
        before_leaving(evidence, stages=["Gone"])
    assert len(before_leaving(evidence, stages=["Churn"])) > 0       # any stage may be asked for
