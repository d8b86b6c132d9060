"""Signal builders: engine-shaped frames in, signals frames out, counted where customers are."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jmtools.analyses import painpoints as pp
from jmtools.core.errors import DataError, ParameterError

from painpoints_cases import PERSONAS, STAGES, funnel_frame, shoe_journey, times_frame


@pytest.fixture(scope="module")
def journey():
    return shoe_journey()


def test_dropoff_counted_where_customers_left():
    sig = pp.dropoff_signal(funnel_frame())
    ben = sig[(sig["persona"] == "Ben")].set_index("stage")
    assert list(ben.index) == STAGES[:-1]
    # Ben reaches Decision with 1000*0.7*0.6 = 420 and 168 go on: 252 lost
    assert ben.loc["Decision", "n"] == 420 and ben.loc["Decision", "count"] == 252
    every = sig[sig["persona"] == pp.ALL].set_index("stage")
    assert every.loc["Decision", "n"] == 1260 and every.loc["Decision", "count"] == 252 + 2 * 63


def test_complaints_count_customers_once():
    tickets = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "stage": ["Post"] * 4,
                            "touchpoint": ["Returns", "Returns", "Returns", "Delivery"],
                            "persona": ["X", "X", "Y", "Y"]})
    reached = pd.DataFrame({"stage": ["Post", "Post"], "persona": ["X", "Y"], "entered": [10, 20]})
    sig = pp.complaint_signal(tickets, reached).set_index(["stage", "touchpoint", "persona"])
    assert sig.loc[("Post", None, "X"), "count"] == 1 and sig.loc[("Post", None, "Y"), "count"] == 2
    assert sig.loc[("Post", None, "all"), "count"] == 3 and sig.loc[("Post", None, "all"), "n"] == 30
    assert sig.loc[("Post", "Returns", "all"), "count"] == 2
    with pytest.raises(DataError, match="no reach count"):
        pp.complaint_signal(tickets.assign(stage="Nowhere"), reached)


def test_slow_step_lognormal_reading():
    t = times_frame(everybody=True)
    no_persona = t[t["persona"] == "Ben"].assign(persona=None)
    with_none = pp.slow_step_signal(pd.concat([t, no_persona]))
    assert set(with_none["persona"]) == {*PERSONAS, "all"}
    assert with_none[with_none["persona"] == "all"]["n"].iloc[0] == 1200
    sig = pp.slow_step_signal(t)
    row = sig[(sig["persona"] == "Ben") & (sig["stage"] == "Consideration")].iloc[0]
    assert row["mean"] == pytest.approx(math.log(200))
    assert row["sd"] == pytest.approx(math.log(3) / 1.2815515655446004)
    every = sig[(sig["persona"] == "all") & (sig["stage"] == "Consideration")].iloc[0]
    assert every["n"] == 900 and every["mean"] == pytest.approx(math.log(200))


def test_detours_capped_and_touchpoint_funnel(journey):
    d = pd.DataFrame({"from_step": ["Checkout", "Checkout"], "to_step": ["Cart", "Product page"],
                      "n_customers": [80, 60], "n_at_from": [100, 100]})
    sig = pp.detour_signal(d, journey=journey)
    assert sig["count"].tolist() == [100] and sig["stage"].tolist() == ["Decision"]
    f = pd.DataFrame({"step_index": [1, 2], "step": ["Cart", "Checkout"], "n": [100, 30],
                      "n_prev": [100, 100]})
    sig = pp.dropoff_signal(f, level="touchpoint", journey=journey, persona_col=None)
    assert sig[["stage", "touchpoint", "count", "n"]].values.tolist() == [["Decision", "Cart", 70, 100]]
    with pytest.raises(ParameterError, match="journey"):
        pp.dropoff_signal(f, level="touchpoint", persona_col=None)


def _waits(rita_h: float) -> pd.DataFrame:
    """Delivery → Restock waits: Rita's median against two other personas at 218 h."""
    rows = [("Rita", rita_h), ("Fiona", 218.0), ("Dev", 218.0)]
    return pd.DataFrame({"persona": [p for p, _ in rows], "from_step": "Delivery", "step": "Restock",
                         "n": 300, "median_h": [h for _, h in rows], "p90_h": [h * 1.1 for _, h in rows]})


def test_a_wait_known_to_the_day_counts_only_when_it_differs_by_a_day_or_more():
    """The grocery world's `delivered` has dates only: Rita's 234 h against 218 h (16 h, inside
    the missing time of day) was counted as a *measured* slow step; 260 h (42 h more) still is."""
    def rita(hours, stages):
        sig = pp.slow_step_signal(_waits(hours), date_only_stages=stages)
        ev = pp.compare_signals(sig)
        return ev[(ev["persona"] == "Rita") & (ev["versus"] == "other personas")].iloc[0]

    assert rita(234.0, ())["flagged"]                      # times with hours: a real difference
    near = rita(234.0, {"Delivery"})
    assert near["unit"] == "hours, to the day" and not near["flagged"]
    assert rita(260.0, {"Restock"})["flagged"]             # the next stage is dated: more than a day


def test_the_stages_with_a_date_only_event_come_from_the_evidence():
    from jmtools.analyses.painpoints.signals import _date_only_stages
    from types import SimpleNamespace
    ev = SimpleNamespace(date_only=pd.DataFrame({"event": ["delivered"], "n_events": [9]}),
                         mapping=pd.DataFrame({"event": ["delivered", "delivered", "view"],
                                               "stage": ["Delivery", "Repeat order", "Browse"]}))
    assert _date_only_stages(ev) == {"Delivery", "Repeat order"}
    assert _date_only_stages(SimpleNamespace(date_only=None, mapping=None)) == set()


def test_tickets_at_a_stage_no_event_reaches_are_counted_out_not_fatal():
    """A folder whose events reach only some stages (or has no events at all) but whose tickets
    name the others: the complaint rate has no customers to divide by there, and collect_signals
    stopped the whole report ("complaints at stages with no reach count"). Those tickets are now
    left out and counted; the tickets at reached stages still give their signal, equal to it
    computed on them alone."""
    from jmtools.evidence import prepare

    ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["view", "pay", "view"],
                       "timestamp": pd.date_range("2026-01-01", periods=3, freq="h")})
    j = {"stages": ["Browse", "Buy", "After"], "touchpoints": [
        {"name": "Site", "stage": "Browse", "events": ["view"]},
        {"name": "Checkout", "stage": "Buy", "events": ["pay"]},
        {"name": "Returns", "stage": "After", "events": ["return"]}]}
    tickets = pd.DataFrame({"customer_id": ["a", "b", "a", "b"], "stage": ["Browse", "After", "After", None],
                            "touchpoint": [None, "Returns", None, None]})
    sig = pp.collect_signals(prepare(ev, j), tickets=tickets)
    assert sig.attrs["dropped"] == {"tickets without stage or touchpoint": 1,
                                    "tickets at stages no customer's events reach": 2}
    got = sig[sig["signal"] == "complaints"]
    alone = pp.collect_signals(prepare(ev, j), tickets=tickets.iloc[:1])
    pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                  alone[alone["signal"] == "complaints"].reset_index(drop=True))
    assert set(got["stage"]) == {"Browse"}
    none = pp.collect_signals(prepare(ev.iloc[:0], j), tickets=tickets)     # no events at all
    assert (none["signal"] != "complaints").all()
