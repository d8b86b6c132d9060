"""Value at stake in the pipeline (report, batch, workshop): each persona's customers are worth
that persona's own order value, as in notebook 05 — not the mean over every order.

Planted: two personas whose orders differ a hundredfold; only the small spenders drop at Middle.
A won-back small spender brings a small order, so the report's value at stake is that persona's
customers × lift × its own mean order, checked against plain pandas on the same files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline

JOURNEY = """\
jmtools: 1
name: Two spenders
personas:
  - name: Small
    rule: 'plan == "small"'
  - name: Big
    rule: 'plan == "big"'
stages:
  - name: Start
  - name: Middle
  - name: End
touchpoints:
  - {name: Begin, stage: Start, channel: digital, events: [start]}
  - {name: Mid, stage: Middle, channel: digital, events: [middle]}
  - {name: Finish, stage: End, channel: digital, events: [end]}
pain_points:
  - {id: mid-hurts, title: Middle is hard, stage: Middle, severity: 4}
opportunities:
  - id: fix-mid
    title: Make Middle easy
    pain_points: [mid-hurts]
    scores: {impact: 2, effort: 2, reach: 100, confidence: 0.5, ease: 5}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    rng = np.random.default_rng(7)
    out = tmp_path_factory.mktemp("two_spenders")
    customers, events, orders = [], [], []
    t0 = pd.Timestamp("2026-01-05 09:00")
    for i in range(240):
        cid, plan = f"c{i:03d}", ("small" if i % 2 else "big")
        customers.append({"customer_id": cid, "plan": plan})
        t = t0 + pd.Timedelta(hours=i)
        events.append((cid, t, "start"))
        events.append((cid, t + pd.Timedelta(hours=1), "middle"))
        goes_on = rng.random() < (0.35 if plan == "small" else 0.9)
        if goes_on:
            events.append((cid, t + pd.Timedelta(hours=2), "end"))
            amount = float(rng.uniform(8, 12)) if plan == "small" else float(rng.uniform(900, 1100))
            orders.append({"order_id": f"o{i:03d}", "customer_id": cid,
                           "timestamp": t + pd.Timedelta(hours=2), "amount": round(amount, 2)})
    pd.DataFrame(customers).to_csv(out / "customers.csv", index=False)
    pd.DataFrame(events, columns=["customer_id", "timestamp", "event"]).to_csv(out / "events.csv", index=False)
    pd.DataFrame(orders).to_csv(out / "orders.csv", index=False)
    (out / "journey.yaml").write_text(JOURNEY)
    return out


def _mean_order(folder, plan: str) -> float:
    """Plain pandas: the mean order amount of one plan's customers."""
    orders = pd.read_csv(folder / "orders.csv").merge(pd.read_csv(folder / "customers.csv"), on="customer_id")
    return float(orders.loc[orders["plan"] == plan, "amount"].mean())


def test_a_personas_report_values_its_customers_at_its_own_order_value(folder):
    f = pipeline.run(folder, persona="Small", n_themes=2)
    row = f.backlog.set_index("id").loc["fix-mid"]
    small = _mean_order(folder, "small")
    parts = pd.DataFrame(row["stake_parts"])
    assert len(parts) and (parts["persona"] == "Small").all()
    assert parts["order_value"].to_numpy() == pytest.approx(small)
    expected = float((parts["customers"] * parts["lift"]).sum()) * small
    assert row["value_at_stake"] == pytest.approx(expected)
    # the order value the report says it used is the persona's, with its own n
    used = f.order_value.set_index("persona").loc["Small"]
    assert used["order_value"] == pytest.approx(small)
    orders = pd.read_csv(folder / "orders.csv").merge(pd.read_csv(folder / "customers.csv"), on="customer_id")
    assert int(used["n"]) == int((orders["plan"] == "small").sum())


def test_the_report_for_all_values_each_personas_customers_at_its_order_value(folder):
    f = pipeline.run(folder, n_themes=2)
    row = f.backlog.set_index("id").loc["fix-mid"]
    parts = pd.DataFrame(row["stake_parts"])
    means = {"Small": _mean_order(folder, "small"), "Big": _mean_order(folder, "big")}
    assert len(parts) and set(parts["persona"]) <= set(means)
    for part in parts.itertuples():
        assert part.order_value == pytest.approx(means[part.persona])
    assert row["value_at_stake"] == pytest.approx(float((parts["customers"] * parts["lift"]
                                                         * parts["persona"].map(means)).sum()))


def test_the_report_says_the_order_value_it_used(folder):
    from jmtools.report.stake import order_values_used

    f = pipeline.run(folder, persona="Small", n_themes=2)
    said = order_values_used(f.order_value, f.backlog, f.focus.persona)
    small = _mean_order(folder, "small")
    assert f"{small:,.2f}" in said and "of Small's customers" in said
    everyone = pipeline.run(folder, n_themes=2)
    said = order_values_used(everyone.order_value, everyone.backlog, "all")
    assert said.startswith("Average order value used, each persona's own") and f"Small {small:,.2f}" in said
