"""The grocery sample world: its shape, and every planted truth recovered by plain pandas.

Everything here reads the COMMITTED files of data/grocery/ with pandas alone (the journey
only as data, through tests/oracles.py) and compares with the answer key
(jmtools/sample_worlds/truths/grocery.json); nothing calls a jmtools analysis. tests/test_sample_worlds.py checks that the committed copy is what the
generator makes.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jmtools.core.vocabulary import NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.journey import Journey
from jmtools.sample_worlds import generate_world, load_truths
from jmtools.sample_worlds import grocery
from oracles import (conditional_touchpoints, funnel_with_occurrence, persona_labels,
                     stage_reach)

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "data" / "grocery"
ANSWER_H = 47


@pytest.fixture(scope="module")
def truths() -> dict:
    return load_truths("grocery")


@pytest.fixture(scope="module")
def journey():
    return Journey.load(FOLDER / "journey.yaml")


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return pd.read_parquet(FOLDER / "events.parquet")


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "customers.csv", dtype={"customer_id": str})


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "orders.csv", dtype={"customer_id": str},
                       parse_dates=["timestamp"])


@pytest.fixture(scope="module")
def true_personas() -> pd.Series:
    frame = pd.read_csv(FOLDER / "customer_personas.csv", dtype=str)
    return frame.set_index("customer_id")["persona"]


@pytest.fixture(scope="module")
def group_of(customers, journey, events) -> pd.Series:
    """customer_id → persona by the journey's rules (first wins), no persona, or not listed."""
    label, _ = persona_labels(customers, [(p.name, p.rule) for p in journey.personas_resolved()])
    listed = pd.Series(label.fillna(NO_PERSONA).to_numpy(), index=customers["customer_id"])
    ids = pd.Index(events["customer_id"].unique())
    return listed.reindex(ids).fillna(NOT_IN_CUSTOMERS)


# ------------------------------------------------------------------------- shape, files
def test_behaviour_only_files(truths):
    names = {p.name for p in FOLDER.iterdir()}
    assert names == {"README.md", "journey.yaml", "customers.csv",
                     "customer_personas.csv", "events.parquet", "orders.csv"}
    assert set(truths["tables"]) == {"customers", "customer_personas", "events", "orders"}
    assert truths["shape"]["absent"] == ["surveys", "feedback", "tickets"]
    readme = (FOLDER / "README.md").read_text()
    assert "no** `surveys`, `feedback` or `tickets` file" in readme
    assert "surveys.csv" not in readme and "### `feedback" not in readme


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    def files(folder):
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    a = generate_world("grocery", tmp_path / "a", customers=400, seed=5, chunk_customers=150)
    generate_world("grocery", tmp_path / "b", customers=400, seed=5, chunk_customers=150)
    generate_world("grocery", tmp_path / "c", customers=400, seed=6, chunk_customers=150)
    assert a["chunks"] == 3 and set(a["rows"]) == {"customers", "customer_personas", "events",
                                                   "orders"}
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a")["events.parquet"] != files(tmp_path / "c")["events.parquet"]


def test_no_stale_table_of_another_world_is_left(tmp_path):
    generate_world("b2b", tmp_path, customers=20)
    assert (tmp_path / "surveys.csv").exists()
    generate_world("grocery", tmp_path, customers=60, fmt="parquet")
    left = {p.name for p in tmp_path.iterdir()}
    assert not {n for n in left if n.split(".")[0] in ("surveys", "feedback", "tickets")}
    assert {"customers.parquet", "orders.parquet", "events.parquet"} <= left
    assert not (tmp_path / "orders.csv").exists()


# --------------------------------------------------------------------------- journey
def test_journey_loads_on_the_model_and_splits_the_repeated_events(journey, truths):
    assert (FOLDER / "journey.yaml").read_bytes() == \
        (ROOT / "templates" / "journeys" / "grocery.yaml").read_bytes()
    assert journey.stage_names == truths["stages"] == truths["funnel"]["stages"]
    tps = {t.name: t for t in journey.touchpoints}
    assert (tps["First order"].occurrence, tps["Repeat order"].occurrence) == ("first", "repeat")
    assert tps["Repeat shopping"].after == "Delivery"
    company = {e for t in journey.touchpoints if t.initiated_by == "company" for e in t.events}
    assert company == set(truths["company_initiated"]["events"])
    for event, expected in truths["overlaps"]["events"].items():
        assert [t.name for t in journey.touchpoints
                if any(re.fullmatch(p, event) for p in t.events)] == expected


def test_every_touchpoint_and_stage_gets_events_only_app_error_is_unmatched(events, journey,
                                                                             truths):
    tagged = conditional_touchpoints(events, journey)
    assert set(tagged["touchpoint"].dropna()) == set(journey.touchpoint_names)
    unmatched = events.loc[tagged["touchpoint"].isna(), "event"]
    assert set(unmatched) == set(truths["unmatched_events"]["events"]) == {"app_error"}
    assert len(unmatched) == truths["unmatched_events"]["rows"] > 0
    orders = tagged[events["event"] == "order_placed"]["touchpoint"]
    first = events[events["event"] == "order_placed"].groupby("customer_id").cumcount() == 0
    assert orders[first].eq("First order").all() and orders[~first].eq("Repeat order").all()


# ------------------------------------------------------------------------------ personas
def test_rules_are_exact_and_leave_a_quarter_without_persona(customers, true_personas,
                                                             journey, truths):
    label, hits = persona_labels(customers, [(p.name, p.rule)
                                             for p in journey.personas_resolved()])
    assert hits.max() == 1                                  # the rules do not overlap
    by_rule = label.fillna(NO_PERSONA).to_numpy()
    assert (by_rule == true_personas.loc[customers["customer_id"]].to_numpy()).all()
    share = (by_rule == NO_PERSONA).mean()
    assert share == pytest.approx(truths["personas"]["no_persona"]["share"], abs=1e-4)
    assert 0.2 < share < 0.3
    for item in truths["personas"]["items"]:
        assert (by_rule == item["name"]).sum() == item["n"]


def test_customers_missing_from_the_customer_table(events, customers, orders, true_personas,
                                                   truths):
    t = truths["missing_customers"]
    missing = set(events["customer_id"]) - set(customers["customer_id"])
    assert missing == set(t["ids"]) and len(missing) == t["n"] > 0
    assert t["share_of_customers_with_events"] == pytest.approx(
        len(missing) / events["customer_id"].nunique(), abs=1e-4)
    assert 0.02 < t["share_of_customers_with_events"] < 0.04
    assert events["customer_id"].isin(missing).sum() == t["events"]
    assert missing <= set(true_personas.index) and orders["customer_id"].isin(missing).any()
    assert set(customers["customer_id"]) | missing == set(true_personas.index)


# --------------------------------------------------------------- first and repeat orders
def test_first_order_and_repeat_rate_per_persona(events, group_of, truths):
    placed = events[events["event"] == "order_placed"].groupby("customer_id").size()
    n_orders = placed.reindex(group_of.index, fill_value=0)
    frame = pd.DataFrame({"group": group_of, "first": n_orders >= 1, "repeat": n_orders >= 2})
    by = frame.groupby("group")
    first_rate = by["first"].mean()
    repeat_rate = frame[frame["first"]].groupby("group")["repeat"].mean()
    for group, row in truths["first_order"]["by_group"].items():
        assert by.size()[group] == row["customers"]
        assert first_rate[group] == pytest.approx(row["rate"], abs=1e-4)
        if row["expected_rate"] is not None:
            assert abs(first_rate[group] - row["expected_rate"]) < 0.06, group
    for group, row in truths["repeat_purchase"]["by_group"].items():
        assert frame.loc[frame["first"], "group"].eq(group).sum() == row["n_first"]
        assert repeat_rate[group] == pytest.approx(row["rate"], abs=1e-4)
        if row["expected_rate"] is not None:
            assert abs(repeat_rate[group] - row["expected_rate"]) < 0.07, group
    personas = [p["name"] for p in truths["personas"]["items"]]
    assert repeat_rate[personas].idxmax() == truths["repeat_purchase"]["persona_highest"]
    assert repeat_rate["Family Fiona"] > repeat_rate["Deal Hunter Dev"] + 0.15 > \
        repeat_rate["Retired Rita"] + 0.3


def test_orders_are_the_order_placed_events(events, orders, truths):
    placed = events[events["event"] == "order_placed"]
    merged = placed.merge(orders, on=["customer_id", "timestamp"], validate="one_to_one")
    assert len(merged) == len(placed) == len(orders) == truths["orders"]["orders"]
    assert np.allclose(merged["value"], merged["amount"])
    assert orders["amount"].sum() == pytest.approx(truths["orders"]["revenue"], abs=0.01)


def test_funnel_with_repeat_stage_equals_the_planted_reach(events, journey, group_of, truths):
    """Strict stage order, touchpoints by occurrence/after, per group, with and without the
    company's mailings; a first-match mapping that ignores the conditions loses the stages."""
    for group in truths["groups"]["names"]:
        ids = group_of.index[group_of == group]
        for company, key in ((False, "reach"), (True, "reach_with_company_events")):
            got = funnel_with_occurrence(events, journey, company=company, customers=ids)
            assert dict(zip(got["step"], got["n"])) == truths["funnel"][key][group], (group, key)
    reach = truths["funnel"]["reach"]
    for group, row in reach.items():
        assert row["Repeat order"] == truths["repeat_purchase"]["by_group"][group]["n_repeat"]
        assert row["First order"] == truths["first_order"]["by_group"][group]["n_first"]
    naive = stage_reach(events, journey)        # first touchpoint whose pattern matches wins
    assert naive["Browse"] == naive["Repeat order"] == 0


# ------------------------------------------------------------------------------ mailings
def _answers(events: pd.DataFrame, sent: str, answer: str) -> pd.DataFrame:
    """Each answer with the mailing of its kind it follows (the latest before it)."""
    sends = events.loc[events["event"] == sent, ["customer_id", "timestamp"]]
    answers = events.loc[events["event"] == answer, ["customer_id", "timestamp"]]
    return pd.merge_asof(answers.sort_values("timestamp"),
                         sends.rename(columns={"timestamp": "sent_at"}).sort_values("sent_at"),
                         left_on="timestamp", right_on="sent_at", by="customer_id",
                         direction="backward", allow_exact_matches=False)


def test_mailing_answers_per_persona(events, group_of, truths):
    kinds = {v["kind"]: (sent, v["response"]) for sent, v in truths["mailings"]["events"].items()}
    totals = {}
    for kind, (sent, answer) in kinds.items():
        matched = _answers(events, sent, answer)
        lag_h = (matched["timestamp"] - matched["sent_at"]).dt.total_seconds() / 3600
        assert matched["sent_at"].notna().all() and (lag_h <= ANSWER_H).all(), kind
        assert not matched.duplicated(["customer_id", "sent_at"]).any(), kind
        n_sent = events[events["event"] == sent]["customer_id"].map(group_of).value_counts()
        n_resp = matched["customer_id"].map(group_of).value_counts()
        for group, rows in truths["mailings"]["by_group"].items():
            assert n_sent.get(group, 0) == rows[kind]["sent"], (kind, group)
            assert n_resp.get(group, 0) == rows[kind]["responses"], (kind, group)
        totals[kind] = (n_sent, n_resp)
    sent = sum(s for s, _ in totals.values())
    rate = sum(r for _, r in totals.values()) / sent
    best = truths["mailings"]["responsive_persona"]
    personas = [p["name"] for p in truths["personas"]["items"]]
    assert rate[personas].idxmax() == best
    assert rate[best] > 4 * rate.drop([best, NOT_IN_CUSTOMERS]).max()
    assert abs(rate[best] - truths["mailings"]["expected_rate"][best]) < 0.05


def test_company_mailings_go_out_in_bulk_also_after_purchases(events, truths):
    schedule = {"newsletter_sent": (3, 9), "push_sent": (5, 10), "reminder_email_sent": (None, 18)}
    first_order = events[events["event"] == "order_placed"].groupby("customer_id")[
        "timestamp"].min()
    for event, c in truths["company_initiated"]["campaigns"].items():
        sent = events[events["event"] == event]
        per_time = sent.groupby("timestamp").size()
        assert len(per_time) == c["timestamps"] and len(sent) == c["rows"], event
        assert (per_time.min(), per_time.max()) == (c["recipients_min"], c["recipients_max"])
        assert not sent.duplicated(["customer_id", "timestamp"]).any()
        weekday, hour = schedule[event]
        stamps = per_time.index
        assert (stamps.hour == hour).all() and (stamps.minute == 0).all() \
            and (stamps.second == 0).all()
        if weekday is not None:
            assert (stamps.day_of_week == weekday).all()
            assert per_time.median() > 100                  # many customers, one timestamp
        after = sent["timestamp"] > sent["customer_id"].map(first_order)
        assert after.sum() == c["sent_after_first_order"] > 0


# --------------------------------------------------------------------------- date only
def test_delivered_is_date_only_and_sorts_before_that_days_tracking(events, truths):
    t = truths["date_only"]
    assert t["event"] == grocery.DATE_ONLY_EVENT
    delivered = events[events["event"] == t["event"]]
    assert len(delivered) == t["rows"] == t["rows_at_midnight"]
    assert (delivered["timestamp"] == delivered["timestamp"].dt.normalize()).all()
    day = events["timestamp"].dt.normalize()
    key = events["customer_id"] + "|" + day.astype(str)
    same_day = key.isin(set(key[events["event"] == t["event"]])) & \
        (events["event"] != t["event"])
    assert same_day.sum() == t["same_day_rows_after"] > 0
    tracking = events[events["event"] == "order_tracking_view"]
    assert key[tracking.index].isin(set(key[delivered.index])).all()
    assert (tracking["timestamp"].dt.hour < 12).all()       # before the afternoon parcel …
    position = pd.Series(np.arange(len(events)), index=events.index)
    first_pos = position[delivered.index].groupby(key[delivered.index]).min()
    assert (position[tracking.index] > key[tracking.index].map(first_pos)).all()  # … sorted after
    placed = events[events["event"] == "order_placed"].groupby("customer_id").size()
    assert delivered.groupby("customer_id").size().equals(placed)


# ----------------------------------------------------------------- the funnel oracle
TINY = {
    "stages": ["Aware", "Buy", "Again"],
    "touchpoints": [
        {"name": "Mail", "stage": "Aware", "events": ["mail_sent"], "initiated_by": "company"},
        {"name": "Ad", "stage": "Aware", "events": ["ad"]},
        {"name": "Second", "stage": "Again", "events": ["order"], "occurrence": 2},
        {"name": "Late view", "stage": "Again", "events": ["view"], "after": "Buy"},
        {"name": "First", "stage": "Buy", "events": ["order"], "occurrence": "first"},
        {"name": "View", "stage": "Aware", "events": ["view"]},
    ],
}


def _tiny_events(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).assign(
        timestamp=lambda d: pd.to_datetime(d["timestamp"]))


def test_oracle_occurrence_after_company_and_ties_by_hand():
    ev = _tiny_events([
        ("a", "2026-01-01 09:00", "mail_sent"),   # company: Aware
        ("a", "2026-01-01 10:00", "view"),        # before Buy: View
        ("a", "2026-01-02 00:00", "order"),       # 1st order: First (date only, midnight)
        ("a", "2026-01-02 08:00", "view"),        # after Buy: Late view
        ("a", "2026-01-03 10:00", "order"),       # 2nd: Second
        ("a", "2026-01-04 10:00", "order"),       # 3rd: no touchpoint (occurrence 2 only)
        ("b", "2026-01-01 10:00", "order"),       # tie: input order puts order before ad …
        ("b", "2026-01-01 10:00", "ad"),
        ("b", "2026-01-01 11:00", "order"),       # … so Aware comes after Buy's first order
        ("c", "2026-01-01 09:00", "mail_sent"),   # only received a mailing
    ])
    tagged = conditional_touchpoints(ev, TINY)
    assert tagged["touchpoint"].fillna("-").tolist() == [
        "Mail", "View", "First", "Late view", "Second", "-", "First", "Ad", "Second", "Mail"]
    assert tagged["stage"].fillna("-").tolist()[:6] == ["Aware", "Aware", "Buy", "Again",
                                                        "Again", "-"]
    got = funnel_with_occurrence(ev, TINY)
    assert got["n"].tolist() == [3, 1, 1]          # b's Buy comes before Aware: stops there
    assert funnel_with_occurrence(ev, TINY, company=False)["n"].tolist() == [2, 1, 1]
    # D243's one rule: Aware has the customers' own Ad and View, so c (only mailed) reaches no step
    assert funnel_with_occurrence(ev, TINY, own_steps=True)["n"].tolist() == [2, 1, 1]
    billed = {**TINY, "stages": [*TINY["stages"], "Billed"], "touchpoints": [
        *TINY["touchpoints"], {"name": "Bill", "stage": "Billed", "events": ["bill"], "initiated_by": "company"}]}
    with_bill = pd.concat([ev, _tiny_events([("a", "2026-01-05 10:00", "bill")])], ignore_index=True)
    # a company-only stage is still reached by the company's contact (D177): a is billed after Again
    assert funnel_with_occurrence(with_bill, billed, own_steps=True)["n"].tolist() == [2, 1, 1, 1]
    assert funnel_with_occurrence(with_bill, billed, company=False)["n"].tolist() == [2, 1, 1, 0]
    shuffled = ev.iloc[[9, 5, 1, 0, 3, 2, 4, 6, 7, 8]]   # a's rows reordered, b's tie kept
    assert funnel_with_occurrence(shuffled, TINY)["n"].tolist() == [3, 1, 1]
    by_event = funnel_with_occurrence(ev, TINY, steps=["view", "order"], level="event")
    assert by_event["n"].tolist() == [1, 1]
    nobody = funnel_with_occurrence(ev, TINY, customers=["zzz"])
    assert nobody["n"].tolist() == [0, 0, 0]
