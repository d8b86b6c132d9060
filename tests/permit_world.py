"""A seeded building-permit log cut off mid-process, for the follow-up window's tests (D190).

Applications over 18 months from 2025-01-01; the upload 1–5 days after applying; a decision 20–120
days after the upload for a share ``rate(month of the upload)``; nothing after :data:`CUT`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

START, CUT = pd.Timestamp("2025-01-01"), pd.Timestamp("2026-06-30")


def permit_events(rate=lambda month: 0.85, *, seed: int = 1, n: int = 3000) -> pd.DataFrame:
    """``customer_id``, ``event`` (apply, upload, decide), ``timestamp`` (whole seconds)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        t = START + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 545)))
        up = t + pd.Timedelta(days=float(rng.uniform(1, 5)))
        rows += [(f"c{i}", "apply", t), (f"c{i}", "upload", up)]
        if rng.random() < rate((up - START).days / 30.4):
            rows.append((f"c{i}", "decide", up + pd.Timedelta(days=float(rng.uniform(20, 120)))))
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    ev["timestamp"] = ev["timestamp"].dt.floor("s")
    return ev[ev["timestamp"] <= CUT].reset_index(drop=True)


#: The permit office's journey: apply, upload documents, a decision letter (no personas).
STAGES_YAML = """name: Permits
stages:
  - name: Apply
  - name: Upload
  - name: Decision
touchpoints:
  - {name: Portal, stage: Apply, channel: digital, events: [apply]}
  - {name: Documents, stage: Upload, channel: digital, events: [upload]}
  - {name: Letter, stage: Decision, channel: physical, events: [decide]}
"""
#: :data:`STAGES_YAML` with two personas by applicant kind (``customers.csv``'s ``kind``).
JOURNEY_YAML = STAGES_YAML + """personas:
  - {name: Private, rule: "kind == 'private'"}
  - {name: Firm, rule: "kind == 'firm'"}
"""


def permit_folder(root, ev: pd.DataFrame, *, firms: float = 0.3, seed: int = 4) -> pd.DataFrame:
    """Write ``ev`` as ``events.csv`` with ``customers.csv`` (``customer_id``, ``kind``: a share ``firms``
    of "firm", else "private") and :data:`JOURNEY_YAML` into ``root``; returns the customers."""
    ids = sorted(ev["customer_id"].unique())
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame({"customer_id": ids,
                              "kind": np.where(rng.random(len(ids)) < firms, "firm", "private")})
    ev.to_csv(root / "events.csv", index=False)
    customers.to_csv(root / "customers.csv", index=False)
    (root / "journey.yaml").write_text(JOURNEY_YAML, encoding="utf-8")
    return customers


def own_cutoffs(reached: pd.Series, went_on: pd.Series, group: pd.Series, end) -> pd.Series:
    """Plain pandas: per customer (the index), the time after which reaching the step is too recent to
    judge, each group waiting its own time (D261): a group of which 5 or more went on, the 99% quantile of
    its own waits; of which none went on, all of it (before its first); else everyone's 99% quantile."""
    wait_h = (went_on - reached).dt.total_seconds() / 3600
    every = end - pd.Timedelta(hours=float(np.quantile(wait_h.dropna(), 0.99)))
    cut = pd.Series(every, index=reached.index)
    for g in group.dropna().unique():
        mine = (group == g) & reached.notna()
        waits = wait_h[mine].dropna()
        if len(waits) >= 5:
            cut[mine] = end - pd.Timedelta(hours=float(np.quantile(waits, 0.99)))
        elif not len(waits):
            cut[mine] = reached[mine].min() - pd.Timedelta(hours=1)
    return cut
