"""Optional stages (``optional: true``) and customers the funnel does not count (D150).

An outside tester's insurer: Claim and Settle are stages most customers never need, and as steps
of the funnel they made "not claiming" the biggest loss and counted only claimants as renewing
(94 where 315 renewed); 242 customers who came through a broker (no event at Discover) were left
out of every figure without a word.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from inprocess import run_cells
from jmtools import pipeline
from jmtools.evidence._fit import fit_problems
from table_subsets import shown_text

NB00 = Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb"

JOURNEY = """\
jmtools: 1
name: Insurance
stages:
  - name: Discover
  - name: Buy
  - name: Claim
  - name: Settle
  - name: Renew
touchpoints:
  - {name: Calculator, stage: Discover, channel: digital, events: [calculator]}
  - {name: Contract, stage: Buy, channel: digital, events: [bought]}
  - {name: Claim form, stage: Claim, channel: interpersonal, events: [claimed]}
  - {name: Payout, stage: Settle, channel: physical, events: [paid_out]}
  - {name: Renewal, stage: Renew, channel: digital, events: [renewed]}
"""
STAGE = {"calculator": "Discover", "bought": "Buy", "claimed": "Claim", "paid_out": "Settle", "renewed": "Renew"}


def _world(folder: Path, optional: bool) -> pd.DataFrame:
    """300 customers: 40 come through a broker (no Discover); of the rest most buy; a third of the
    buyers claim, most claimants are paid out, and 60% of buyers renew, claim or not; 11 claim
    before buying (a claim out of order)."""
    import numpy as np

    rng = np.random.default_rng(11)
    folder.mkdir()
    text = JOURNEY
    if optional:
        text = text.replace("  - name: Claim\n", "  - name: Claim\n    optional: true\n") \
                   .replace("  - name: Settle\n", "  - name: Settle\n    optional: true\n")
    (folder / "journey.yaml").write_text(text)
    rows = []
    for c in range(300):
        cid, t = f"k{c:03d}", pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=3 * c)
        if c >= 40:
            rows.append((cid, "calculator", t))
        if c < 11:
            rows.append((cid, "claimed", t - pd.Timedelta(days=3)))
        if rng.random() < 0.8:
            rows.append((cid, "bought", t + pd.Timedelta(days=1)))
            if rng.random() < 0.35:
                rows.append((cid, "claimed", t + pd.Timedelta(days=40)))
                if rng.random() < 0.8:
                    rows.append((cid, "paid_out", t + pd.Timedelta(days=60)))
            if rng.random() < 0.6:
                rows.append((cid, "renewed", t + pd.Timedelta(days=365)))
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    events.to_csv(folder / "events.csv", index=False)
    return events


def _chain(events: pd.DataFrame, steps) -> int:
    """Plain pandas: customers whose events pass ``steps`` in order (strict, each after the last)."""
    n = 0
    for _, part in events.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
        k = 0
        for event in part["event"]:
            if k < len(steps) and STAGE[event] == steps[k]:
                k += 1
        n += k == len(steps)
    return n


def test_optional_stages_are_said_beside_the_funnel_not_required_by_it(tmp_path):
    events = _world(tmp_path / "ins", optional=True)
    f = pipeline.run(tmp_path / "ins")
    assert f.funnel["step"].tolist() == ["Discover", "Buy", "Renew"]
    assert f.funnel["n"].tolist() == [_chain(events, ["Discover"]), _chain(events, ["Discover", "Buy"]),
                                      _chain(events, ["Discover", "Buy", "Renew"])]
    at_buy = _chain(events, ["Discover", "Buy"])
    claim = _chain(events, ["Discover", "Buy", "Claim"])
    settle = _chain(events, ["Discover", "Buy", "Claim", "Settle"])
    assert [(r["stage"], r["after"], r["n"], r["of"]) for r in f.optional] == [
        ("Claim", "Buy", claim, at_buy), ("Settle", "Claim", settle, claim)]
    low, high = f.optional[0]["ci"]
    assert low < claim / at_buy < high
    assert "Claim" not in set(fit_problems(f.evidence)["subject"])        # marked: no hint
    drops = f.signals[f.signals["signal"] == "drop-off"]
    assert not {"Claim", "Settle"} & set(drops["stage"])                  # not claiming is no drop-off


def test_unmarked_a_claim_stage_is_a_step_and_a_hint_says_how_to_mark_it(tmp_path):
    events = _world(tmp_path / "ins", optional=False)
    f = pipeline.run(tmp_path / "ins")
    assert f.funnel["step"].tolist() == ["Discover", "Buy", "Claim", "Settle", "Renew"]
    assert f.funnel["n"].iloc[-1] == _chain(events, ["Discover", "Buy", "Claim", "Settle", "Renew"])
    fit = fit_problems(f.evidence)
    hint = fit[fit["kind"] == "optional stage?"]
    assert hint["subject"].tolist() == ["Claim"] and "optional: true" in hint["fix"].iloc[0]
    assert f.optional == []


@pytest.mark.parametrize("optional", [True, False])
def test_the_report_says_whom_the_funnel_does_not_count_and_each_optional_stage(tmp_path, optional):
    events = _world(tmp_path / "ins", optional=optional)
    text = shown_text(run_cells(NB00, {"data_dir": str(tmp_path / "ins")}).displayed)
    customers = events["customer_id"].nunique()
    out = customers - events.loc[events["event"] == "calculator", "customer_id"].nunique()   # the broker's
    assert out > 30 and (f"Customers the funnel does not count**: {out} ({out / customers:.1%}) of the "
                         f"{customers:,} customers with events have no event at **Discover**, its first step") in text
    said = f"reached by {_chain(events, ['Discover', 'Buy', 'Claim']):,} of the " \
           f"{_chain(events, ['Discover', 'Buy']):,} customers counted at Buy ("
    assert (("**Claim, an optional stage**: " + said) in text) == optional
    assert "The journey file maps no event to them" not in text                # optional is not unmapped
