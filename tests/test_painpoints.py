"""The pain point package as a whole: its public names, the contract of the builders and of
detection (columns, inputs unchanged, errors), and real engine output through the chain.

Each module has its own tests: test_painpoints_signals.py, _detection, _focus, _feedback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses import painpoints as pp
from jmtools.core.errors import DataError, ParameterError

from painpoints_cases import (funnel_frame, loops_frame, shoe_journey, shoe_signals, ticket_frame,
                              times_frame, valence_frame)


@pytest.fixture(scope="module")
def journey():
    return shoe_journey()


@pytest.fixture(scope="module")
def signals(journey):
    return shoe_signals(journey)


def test_public_names():
    for name in pp.__all__:
        assert hasattr(pp, name)


def test_signal_builders_contract(journey):
    f = funnel_frame()
    reached = f.rename(columns={"step": "stage", "n": "entered"})
    inputs = {"funnel": f, "valence": valence_frame(), "tickets": ticket_frame(),
              "times": times_frame(), "loops": loops_frame()}
    copies = {k: v.copy() for k, v in inputs.items()}
    outs = [pp.dropoff_signal(inputs["funnel"]), pp.valence_signal(inputs["valence"]),
            pp.complaint_signal(inputs["tickets"], reached), pp.slow_step_signal(inputs["times"]),
            pp.loop_signal(inputs["loops"], journey=journey)]
    for k, v in inputs.items():
        pd.testing.assert_frame_equal(v, copies[k])
    for out in outs:
        assert out.columns.tolist() == pp.SIGNAL_COLUMNS
        assert out["persona"].map(lambda p: isinstance(p, str)).all()
        assert (out["n"] >= 0).all() and out["touchpoint"].map(lambda t: t is None or isinstance(t, str)).all()
    found = pp.detect_pain_points(pp.combine_signals(*outs), journey=journey)
    assert found.table.columns.tolist() == pp.TABLE_COLUMNS
    assert found.evidence.columns.tolist() == pp.EVIDENCE_COLUMNS


def test_inputs_unchanged_and_bad_input(signals):
    before = signals.copy()
    pp.detect_pain_points(signals)
    pd.testing.assert_frame_equal(signals, before)
    with pytest.raises(ParameterError, match="min_n"):
        pp.detect_pain_points(signals, min_n=0)
    with pytest.raises(ParameterError, match="did you mean 'step'"):
        pp.dropoff_signal(funnel_frame(), step_col="stp")
    bad = pd.DataFrame({"stage": ["A"], "c": [5], "n": [3]})
    with pytest.raises(DataError, match="larger than n"):
        pp.rate_signal(bad, signal="x", count_col="c", n_col="n", persona_col=None)
    with pytest.raises(ParameterError, match="frames made by"):
        pp.combine_signals(pd.DataFrame({"a": [1]}))


def test_engine_funnel_feeds_detection():
    """Real engine output (jmtools.analyses.funnels) goes straight into the signal builders."""
    from jmtools.evidence import prepare
    from jmtools.analyses.funnels import funnel, loops

    rng = np.random.default_rng(4)
    rows = []
    for c in range(400):
        persona = "Ben" if c % 2 else "Maya"
        t = pd.Timestamp("2026-01-01") + pd.Timedelta(minutes=c)
        steps = ["view", "cart", "pay"]
        if rng.random() < (0.7 if persona == "Ben" else 0.1):
            steps = ["view", "cart"]
        for k, e in enumerate(steps):
            rows.append({"customer_id": f"c{c}", "event": e, "timestamp": t + pd.Timedelta(seconds=k),
                         "persona": persona})
    j = {"stages": ["Browse", "Cart", "Pay"], "touchpoints": [
        {"name": "Site", "stage": "Browse", "events": ["view"]},
        {"name": "Basket", "stage": "Cart", "events": ["cart"]},
        {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    ev = prepare(pd.DataFrame(rows), j)
    f = funnel(ev, by="persona")
    sig = pp.combine_signals(pp.dropoff_signal(f),
                             pp.loop_signal(loops(ev, by="persona"), journey={"Site": "Browse",
                                                                              "Basket": "Cart",
                                                                              "Checkout": "Pay"}))
    found = pp.detect_pain_points(sig)
    top = found.table.iloc[0]
    assert top["stage"] == "Cart" and top["personas"] == ["Ben"]
    lost = f[(f["persona"] == "Ben") & (f["step"] == "Pay")]
    assert top["customers_affected"] == int(lost["n_prev"].iloc[0])
