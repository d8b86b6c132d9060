"""sources: rows rejected as a repeated id are said to differ from the row kept, per column (D179)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.sources import load_customers, load_surveys


def _households(seed: int) -> pd.DataFrame:
    """300 households, a third listed twice (a second account), some of those with another
    payment method or region on the second row."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(300):
        pay, region = rng.choice(["card", "cash", "direct debit"]), rng.choice(["north", "south"])
        rows.append((f"H{h}", pay, region))
        if h % 3 == 0:
            rows.append((f"H{h}", rng.choice(["card", "cash", "direct debit"]) if rng.random() < 0.5 else pay,
                         region if rng.random() < 0.8 else "east"))
    return pd.DataFrame(rows, columns=["customer_id", "payment_method", "region"]).sample(frac=1, random_state=seed)


def test_repeated_ids_that_disagree_with_the_row_kept_are_counted_per_column_as_plain_pandas():
    frame = _households(4)
    notes = load_customers(frame).accounting.notes
    said = [n for n in notes if "rows rejected as a repeated customer_id" in n]
    first = frame.drop_duplicates("customer_id").set_index("customer_id")
    later = frame[frame.duplicated("customer_id")]
    differ = later[["payment_method", "region"]].ne(first.loc[later["customer_id"], ["payment_method", "region"]].values)
    n_diff = int(differ.any(axis=1).sum())
    assert 10 < n_diff < len(later) == 100
    assert said == [f"{n_diff} of the 100 rows rejected as a repeated customer_id differ from the row kept for it "
                    f"(payment_method {int(differ['payment_method'].sum())}, region {int(differ['region'].sum())}): "
                    "the first row's values are used; merge or drop such rows before loading if another should count"]


def test_repeated_ids_that_agree_get_no_note_and_the_rejection_is_unchanged():
    frame = pd.DataFrame({"customer_id": ["a", "a", "b"], "segment": ["x", "x", "y"]})
    table = load_customers(frame)
    assert not [n for n in table.accounting.notes if "repeated" in n]
    assert table.accounting.rows_rejected == 1


def test_a_survey_answer_repeated_per_metric_with_another_score_is_said():
    frame = pd.DataFrame({"customer_id": ["a", "a", "a"], "timestamp": ["2026-01-01"] * 3,
                          "metric": ["csat", "csat", "nps"], "score": [4, 2, 9], "survey_id": ["s1", "s1", "s1"]})
    said = [n for n in load_surveys(frame).accounting.notes if "repeated survey_id" in n]
    assert said and said[0].startswith("1 of the 1 rows") and "(score 1)" in said[0]
