"""An independent check of the disclosure rule's subtraction (issue 15): from the tables a notebook
shows, no total minus a selection of the group counts shown gives a group of 1–4 customers.

Plain arithmetic over what is on screen: a table of one row per group (persona sizes, coverage)
gives its counts by label; "not shown" and missing cells are not numbers.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

LABELS = ("persona", "coverage")
COUNTS = ("n", "n_customers")


def shown_counts(frames) -> dict:
    """Every count of a whole group in ``frames`` (tables of one row per group), keyed
    ``"<table>:<label>=<group>"``; table is the frame's position."""
    shown = {}
    for i, frame in enumerate(frames):
        if not isinstance(frame, pd.DataFrame):
            continue
        label = next((c for c in LABELS if c in frame), None)
        count = next((c for c in COUNTS if c in frame), None)
        if label is None or count is None or frame[label].duplicated().any():
            continue
        for key, v in zip(frame[label].astype(str), frame[count]):
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and v == v:
                shown[f"{i}:{label}={key}"] = int(v)
    return shown


def assert_no_group_by_subtraction(totals, shown: dict, min_group: int = 5) -> None:
    """No ``total − (sum of a subset of the shown counts)`` is 1 to ``min_group − 1``, for each total."""
    assert shown, "no group counts found among the tables shown"
    labels = sorted(shown)
    for total in {int(t) for t in totals}:
        for k in range(1, len(labels) + 1):
            for chosen in itertools.combinations(labels, k):
                rest = total - sum(shown[c] for c in chosen)
                assert not 0 < rest < min_group, (total, chosen, rest)
