"""A data folder whose survey and feedback exports name no stage or touchpoint (docs/decisions.md D132).

An NPS tool exports a respondent id, the customer, a ``Score`` and a date; a help desk exports a
ticket's text and satisfaction, without the journey's places. :func:`stageless_world` writes the
events and customers of the e-commerce sample's first :data:`table_subsets.N_CUSTOMERS`
customers beside such a survey file (planted scores, known NPS) read through ``metrics: {nps:
Score}`` in ``loading.yaml``, and the sample's feedback of those customers without its stage
and touchpoint columns.
"""

from __future__ import annotations

from pathlib import Path

from table_subsets import SOURCE, available, make_subset

__all__ = ["PLANTED", "available", "planted_nps", "stageless_world"]

#: Score → answers planted (one answer per customer): 25 promoters, 15 passives, 60 detractors.
PLANTED = {10: 15, 9: 10, 8: 9, 7: 6, 6: 10, 5: 10, 3: 15, 1: 15, 0: 10}


def planted_nps(scores) -> tuple[float, int]:
    """The NPS of ``scores`` and their number, in plain pandas."""
    import pandas as pd

    s = pd.Series(list(scores), dtype=float)
    return 100 * ((s >= 9).mean() - (s <= 6).mean()), len(s)


def stageless_world(folder: Path) -> Path:
    """Write the folder (events, customers, stage-less NPS answers and feedback) and return it."""
    import pandas as pd

    folder = make_subset("events+customers", folder)
    ids = sorted(pd.read_csv(folder / "customers.csv", usecols=["customer_id"], dtype=str)["customer_id"])
    scores = [s for s, k in PLANTED.items() for _ in range(k)]
    pd.DataFrame({"Response ID": [f"r{i}" for i in range(len(scores))],
                  "Customer": ids[:len(scores)], "Score": scores,
                  "Created At": [f"2026-09-{1 + i % 28:02d}T10:00:00Z" for i in range(len(scores))],
                  }).to_csv(folder / "surveys.csv", index=False)
    feedback = pd.read_csv(SOURCE / "feedback.csv", dtype=str, keep_default_na=False)
    feedback = feedback[feedback["customer_id"].isin(set(ids))]
    feedback.drop(columns=["stage", "touchpoint"]).to_csv(folder / "feedback.csv", index=False)
    (folder / "loading.yaml").write_text(
        "surveys:\n  columns: {customer_id: Customer, timestamp: Created At}\n  metrics: {nps: Score}\n",
        encoding="utf-8")
    return folder
