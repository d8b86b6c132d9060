"""The e-commerce world with a planted change: the no-change twin is the plain world with a
change date; the fix raises Budget Ben's chance to order at payment by the planted amount from
the date on, and nobody else's; the truths and the journey file say so."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from jmtools.core.errors import ParameterError
from jmtools.journey import Journey
from jmtools.sample_worlds import CHANGE_DATE, change_truths, generate_change_world, generate_world

N, SEED = 3000, 5


def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def _order_after_payment(folder):
    """Per true persona and period (by the time of checkout_payment): share who ordered."""
    events = pd.read_parquet(folder / "events.parquet")
    who = pd.read_csv(folder / "customer_personas.csv").set_index("customer_id")["persona"]
    paid = events[events["event"] == "checkout_payment"].groupby("customer_id")["timestamp"].min()
    ordered = set(events.loc[events["event"] == "order_placed", "customer_id"])
    frame = pd.DataFrame({"persona": who.reindex(paid.index).to_numpy(),
                          "after": paid.to_numpy() >= np.datetime64(CHANGE_DATE),
                          "ordered": paid.index.isin(ordered)})
    return frame.groupby(["persona", "after"])["ordered"].agg(["mean", "size"])


def test_no_change_twin_is_the_plain_world_with_a_change_date(tmp_path):
    twin = generate_change_world(tmp_path / "none", effect=0, customers=N, seed=SEED,
                                 truths_file=tmp_path / "keys" / "none.json")
    generate_world("ecommerce", tmp_path / "plain", customers=N, seed=SEED)
    for name in ("events.parquet", "customers.csv", "surveys.csv", "feedback.csv", "orders.csv", "tickets.csv"):
        assert _md5(tmp_path / "none" / name) == _md5(tmp_path / "plain" / name), name
    opp = Journey.load(tmp_path / "none" / "journey.yaml").opportunities[0]
    assert (opp.id, str(opp.change_date), opp.target.touchpoint, opp.target.persona, opp.target.to) == (
        "show-fees-early", CHANGE_DATE, "Checkout", "Budget Ben", "Order confirmation")
    assert not (tmp_path / "none" / "truths.json").exists()          # the answer key stays apart
    truths = json.loads((tmp_path / "keys" / "none.json").read_text())
    assert truths["change"]["kind"] == "no change"
    assert all(m["effect"] == 0 for m in truths["change"]["measures"].values())
    assert "## The planted change (no change)" in (tmp_path / "keys" / "none.md").read_text()
    assert "planted change" not in (tmp_path / "none" / "README.md").read_text()


def test_the_fix_moves_bens_chance_to_order_by_the_planted_amount(tmp_path):
    out = generate_change_world(tmp_path / "fix", effect=0.25, customers=N, seed=SEED,
                                truths_file=tmp_path / "fix.json")
    assert out["change"] == json.loads((tmp_path / "fix.json").read_text())["change"]
    shares = _order_after_payment(tmp_path / "fix")
    for (persona, after), row in shares.iterrows():
        expected = {"Budget Ben": 0.40, "Marathon Maya": 0.88, "New Runner Nina": 0.85,
                    "Weekend Walter": 0.85}[persona] + (0.25 if persona == "Budget Ben" and after else 0)
        sd = (expected * (1 - expected) / row["size"]) ** 0.5
        assert abs(row["mean"] - expected) < 4 * sd, (persona, after, row["mean"], expected)
    truth = change_truths(0.25)["measures"]
    assert truth["payment_to_order"] == {"before": 0.4, "after": 0.65, "effect": 0.25}
    assert truth["checkout_to_order"]["effect"] == pytest.approx(0.25 * 0.85 * 0.90)


def test_bad_options_are_named(tmp_path):
    with pytest.raises(ParameterError, match="^effect"):
        generate_change_world(tmp_path, effect=0.9)
    with pytest.raises(ParameterError, match="^date"):
        generate_change_world(tmp_path, date="2027-06-01")
    with pytest.raises(ParameterError, match="^customers"):
        generate_change_world(tmp_path, customers=0)
