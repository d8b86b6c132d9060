"""Evidence: event → touchpoint → stage mapping, personas, the prepared per-customer table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.core.errors import DataError, ParameterError
from jmtools.evidence import PREPARED_COLUMNS, journey_layout, map_events, prepare
from jmtools.sources import load_customers, load_events

JOURNEY = {
    "stages": ["Browse", "Buy"],
    "touchpoints": [
        {"name": "Product page", "stage": "Browse", "events": ["product_.*"]},
        {"name": "Size chart", "stage": "Browse", "events": ["product_size"]},   # shadowed
        {"name": "Checkout", "stage": "Buy", "events": ["checkout", "pay"]},
    ],
}


def events():
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:00", "2024-01-01 10:30",
                                     "2024-01-02 09:00", "2024-01-02 09:00:30", "2024-01-03"], format="ISO8601"),
        "event": ["product_view", "product_size", "pay", "login", "checkout", "newsletter"],
    })


def test_first_touchpoint_in_file_order_wins_and_match_is_full():
    m = map_events(["product_size", "xproduct_view", "pay", "paypal"], JOURNEY)
    assert m["touchpoint"].tolist()[:1] == ["Product page"]
    assert m["touchpoint"].isna().tolist() == [False, True, False, True]
    assert m["stage_index"].tolist()[:1] == [1]


def test_prepared_table_positions_next_and_time_to_next():
    e = prepare(load_events(events()), JOURNEY)
    df = e.to_pandas()
    assert list(df.columns[:len(PREPARED_COLUMNS)]) == PREPARED_COLUMNS
    a = df[df.customer_id == "a"]
    assert a["position"].tolist() == [1, 2, 3]
    assert a["event"].tolist() == ["product_view", "product_size", "pay"]   # tie kept in input order
    assert a["next_event"].tolist()[:2] == ["product_size", "pay"]
    assert a["time_to_next_s"].tolist()[:2] == [0.0, 1800.0]
    assert np.isnan(a["time_to_next_s"].iloc[2])
    assert df.loc[df.event == "pay", "stage_index"].iloc[0] == 2
    # oracle: plain pandas sort + shift
    ref = events().assign(_r=range(6)).sort_values(["customer_id", "timestamp", "_r"])
    ref_next = ref.groupby("customer_id")["event"].shift(-1)
    assert df["next_event"].fillna("-").tolist() == ref_next.fillna("-").tolist()


def test_unmatched_events_are_reported_with_counts():
    e = prepare(events(), JOURNEY)
    assert e.unmatched["event"].tolist() == ["login", "newsletter"]
    assert e.unmatched["n_events"].tolist() == [1, 1]
    assert e.match_rate == pytest.approx(4 / 6)
    assert e.n_events == 6 and e.n_customers == 3


def test_personas_come_from_assign_personas_with_coverage():
    cust = pd.DataFrame({"customer_id": ["a", "b", "d"], "age": [25, 70, 40]})
    e = prepare(events(), JOURNEY, customers=load_customers(cust),
                personas={"Young": "age < 30", "Adult": "age >= 18", "Senior": "age >= 65"})
    df = e.to_pandas()
    per = df.drop_duplicates("customer_id").set_index("customer_id")["persona"]
    assert per["a"] == "Young" and per["b"] == "Adult" and pd.isna(per["c"])   # first in file order
    cov = e.coverage.set_index("coverage")["n"]
    # a: Young+Adult (several), b: Adult+Senior (several), c: not in the customer table
    assert cov["several personas"] == 2 and cov["not in customer table"] == 1 and cov["one persona"] == 0
    assert e.persona_sizes["persona"].tolist() == ["Young", "Adult", "Senior", "(no persona)",
                                                   "(not in customer table)"]
    assert e.persona_sizes.set_index("persona")["n_customers"]["(not in customer table)"] == 1
    assert e.persona_sizes["n_customers"].sum() == e.n_customers
    assert e.persona_sizes["n_customers"].tolist() == [1, 1, 0, 0, 1]


def test_journey_object_from_a_file(tmp_path):
    from jmtools.journey import Journey

    path = tmp_path / "j.yaml"
    path.write_text(
        "jmtools: 1\nname: Shoes\nstages:\n  - name: Browse\n  - name: Buy\n"
        "touchpoints:\n  - name: Product page\n    stage: Browse\n    channel: digital\n"
        "    events: ['product_.*']\n  - name: Checkout\n    stage: Buy\n    channel: digital\n"
        "    events: [checkout, pay]\n")
    j = Journey.load(path)
    stages, tps = journey_layout(j)
    assert stages == ["Browse", "Buy"] and [t[0] for t in tps] == ["Product page", "Checkout"]
    assert prepare(events(), j).touchpoint_stage == {"Product page": "Browse", "Checkout": "Buy"}


def test_errors_name_what_is_missing():
    with pytest.raises(DataError, match="timestamp"):
        prepare(events().rename(columns={"timestamp": "time"}), JOURNEY)
    with pytest.raises(ParameterError, match="journey"):
        prepare(events(), ["Browse"])
    with pytest.raises(ParameterError, match="stage"):
        prepare(events(), {"stages": [], "touchpoints": []})


def test_input_frame_is_not_mutated():
    df = events()
    before = df.copy()
    prepare(df, JOURNEY)
    pd.testing.assert_frame_equal(df, before)


def _many_names_world(n_names=40, n_customers=60, seed=3):
    rng = np.random.default_rng(seed)
    names = [f"ev_{i:02d}" for i in range(n_names)]
    rows = [(f"c{c}", pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=int(m)), names[int(k)])
            for c in range(n_customers) for m, k in zip(np.sort(rng.integers(0, 500, 8)),
                                                        rng.integers(0, n_names, 8))]
    journey = {"stages": ["A", "B", "C"], "touchpoints": [
        {"name": "Low", "stage": "A", "events": ["ev_0.*"]},
        {"name": "Mid", "stage": "B", "events": ["ev_1.*", "ev_2[0-4]"]},
        {"name": "High", "stage": "C", "events": ["ev_3.*"]}]}
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]), journey


def test_event_names_are_stored_as_codes_and_named_on_read(monkeypatch):
    """The stored table holds event codes (no name strings); the events view, funnels and paths
    give the same answers whether codes are named by a list lookup or, for logs with very many
    event names, by a join (forced here with a tiny limit)."""
    from jmtools.analyses.funnels import funnel, loops, top_paths, transitions
    from jmtools.evidence import _store

    ev, journey = _many_names_world()
    listed = prepare(ev, journey)
    core = listed.core.schema()
    assert {"_ev", "_nx"} <= set(core) and "event" not in core and "next_event" not in core
    assert str(core["_ev"]) == "int16" and listed.event_names == sorted(ev["event"].unique())

    monkeypatch.setattr(_store, "CASE_LIMIT", 2)
    joined = prepare(ev, journey)
    pd.testing.assert_frame_equal(listed.to_pandas(), joined.to_pandas())
    o = ev.sort_values(["customer_id", "timestamp", "event"]).assign(   # oracle: ties by name
        nxt=lambda d: d.groupby("customer_id")["event"].shift(-1)).dropna(subset=["nxt"])
    oracle = o.groupby(["event", "nxt"]).size().rename("n").reset_index()
    got = transitions(listed).rename(columns={"from_step": "event", "to_step": "nxt"})[["event", "nxt", "n"]]
    pd.testing.assert_frame_equal(got.sort_values(["event", "nxt"], ignore_index=True),
                                  oracle.sort_values(["event", "nxt"], ignore_index=True), check_dtype=False)
    steps = listed.event_names[:3]
    for fn, kw in [(transitions, {}), (transitions, {"level": "touchpoint", "collapse_repeats": True}),
                   (top_paths, {"level": "event", "max_steps": 3}), (loops, {"level": "stage"}),
                   (funnel, {"steps": steps, "level": "event"})]:
        pd.testing.assert_frame_equal(fn(listed, **kw), fn(joined, **kw))


def test_the_stored_table_holds_no_optional_event_column_and_no_row_number_it_does_not_need():
    plain = prepare(load_events(events()), JOURNEY)
    assert "_row" not in plain.core.columns and plain.event_columns == []
    wide = prepare(load_events(events().assign(channel=list("wwaawa"), value=range(6))), JOURNEY)
    assert wide.event_columns == ["channel", "value"]
    assert {"channel", "value"}.isdisjoint(wide.core.columns) and "_row" in wide.core.columns
    df = wide.with_event_columns().to_pandas()
    ref = events().assign(channel=list("wwaawa"), value=range(6), _r=range(6))
    ref = ref.sort_values(["customer_id", "timestamp", "_r"])          # oracle: plain pandas
    assert df["channel"].tolist() == ref["channel"].tolist()
    assert df["value"].tolist() == ref["value"].tolist()
    pd.testing.assert_frame_equal(df.drop(columns=["channel", "value"]), plain.to_pandas())
