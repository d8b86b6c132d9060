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
