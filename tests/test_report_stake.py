"""report.stake: a value at stake with no lift to win back is "not estimated", not 0 (D181)."""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.priorities import value_at_stake
from jmtools.report.stake import stake_cells, stake_total

OPPS = pd.DataFrame({"rank": [1, 2], "id": ["sim-fix", "bill-clarity"],
                     "pain_points": [["sim-late"], ["bill-shock"]]})


def test_an_opportunity_whose_pain_points_have_no_lift_is_not_estimated_and_the_total_says_so():
    pps = pd.DataFrame({"pain_point_id": ["sim-late", "bill-shock"], "stage": ["Activate", "First bill"],
                        "customers_affected": [583, 120], "lift_needed": [float("nan"), float("nan")]})
    backlog = value_at_stake(OPPS, pps, order_value=304.33)
    assert stake_cells(backlog).tolist() == ["not estimated (no lift)"] * 2
    assert stake_total(backlog).startswith("Value at stake across all 2 opportunities: not estimated — no pain "
                                           "point they relieve has a lift to win back")
    assert "0 customers of 0 pain points" not in stake_total(backlog)


def test_an_estimated_value_stays_a_number_beside_one_not_estimated():
    pps = pd.DataFrame({"pain_point_id": ["sim-late", "bill-shock"], "stage": ["Activate", "First bill"],
                        "customers_affected": [583, 120], "lift_needed": [0.2, float("nan")]})
    backlog = value_at_stake(OPPS, pps, order_value=100.0)
    want = f"{583 * 0.2 * 100.0:,.0f}"
    assert stake_cells(backlog).tolist() == [want, "not estimated (no lift)"]
    assert stake_total(backlog).startswith(f"Value at stake across all 2 opportunities: {want}, each customer counted once")
