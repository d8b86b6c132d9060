"""A persona's slow step is compared with each other persona that has enough customers (D258).

The B2B tester's M5: "Slow step at Integrate — Mid-market 23.2 days (n=91) vs 11.6 days other
personas (n=185)" pooled SMB (8.8 days, n=161) with Enterprise (76.3 days, n=24, fewer than
``min_n``), which hid that the slowest group was another one. Planted here: three personas' waits,
log-normal; the signals are plain numpy's mean and sd of log hours per persona.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.painpoints import compare_signals, detect_pain_points, slow_step_signal

PLANTED = {"SMB": (8.8, 161), "Mid-market": (23.2, 91), "Enterprise": (76.3, 24)}     # days, customers


def _waits(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {p: np.exp(rng.normal(np.log(days * 24), 0.6, n)) for p, (days, n) in PLANTED.items()}


def _signals(waits: dict) -> pd.DataFrame:
    everyone = np.concatenate(list(waits.values()))
    rows = [(p, len(h), float(np.log(h).mean()), float(np.log(h).std(ddof=1))) for p, h in waits.items()]
    rows.append((None, len(everyone), float(np.log(everyone).mean()), float(np.log(everyone).std(ddof=1))))
    times = pd.DataFrame(rows, columns=["persona", "n", "mean_log_h", "sd_log"]).assign(
        from_step="Integrate", to_step="Purchase", median_h=np.nan, p90_h=np.nan)
    return slow_step_signal(times)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_other_personas_baseline_leaves_out_a_group_below_min_n_and_says_it_is_slower(seed):
    waits = _waits(seed)
    ev = compare_signals(_signals(waits), min_n=30)
    mm = ev[(ev["persona"] == "Mid-market") & (ev["versus"] == "other personas")].iloc[0]
    smb = waits["SMB"]
    assert mm["baseline_n"] == len(smb)                                        # not 161 + 24 pooled
    assert mm["baseline"] == pytest.approx(float(np.exp(np.log(smb).mean())))  # SMB's geometric mean alone
    assert mm["value"] == pytest.approx(float(np.exp(np.log(waits["Mid-market"]).mean())))
    assert bool(mm["flagged"])
    ent = float(np.exp(np.log(waits["Enterprise"]).mean())) / 24
    assert mm["worse_below_min_n"] == f"worse still but fewer than 30 to compare: Enterprise {ent:,.1f} days (n=24)"
    smb_row = ev[(ev["persona"] == "SMB") & (ev["versus"] == "other personas")].iloc[0]
    assert smb_row["baseline_n"] == len(waits["Mid-market"]) and not smb_row["flagged"]


def test_the_pain_point_says_the_smaller_slower_group():
    found = detect_pain_points(_signals(_waits(1)), min_n=30)
    row = found.table[found.table["title"] == "Slow step at Integrate"].iloc[0]
    assert row["personas"] == ["Mid-market"]
    assert "vs 8." in row["evidence"] and "other personas (n=161)" in row["evidence"]
    assert "worse still but fewer than 30 to compare: Enterprise" in row["evidence"]


def test_a_smaller_group_that_is_faster_is_not_named_and_min_n_1_pools_everyone():
    waits = _waits(1)
    waits["Enterprise"] = waits["Enterprise"] / 20                             # now the fastest
    ev = compare_signals(_signals(waits), min_n=30)
    mm = ev[(ev["persona"] == "Mid-market") & (ev["versus"] == "other personas")].iloc[0]
    assert mm["worse_below_min_n"] == "" and mm["baseline_n"] == 161
    ev1 = compare_signals(_signals(_waits(1)), min_n=1)                        # every group meets min_n
    mm1 = ev1[(ev1["persona"] == "Mid-market") & (ev1["versus"] == "other personas")].iloc[0]
    assert mm1["baseline_n"] == 185 and mm1["worse_below_min_n"] == ""
