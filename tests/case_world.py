"""A seeded claims world: customers with 1–3 claims, the last one perhaps still open (D238).

Each policyholder's claims follow one another (30–150 days apart); a claim goes Meldung →
Unterlagen → Entscheidung → Abschluss with planted waits of a few days each, or stops earlier.
A share of the customers' last claim started 1–4 days before the export's end and is still open.
Planted traps: portal logins without a claim number (no journey holds them), one claim number
held by two customers, a CSAT answer after each closed claim (which must go to that claim, not to
the customer's next one) and some answers before a customer's first claim (they go to the first),
customers of the customer table without any claim. :func:`plain_journeys` is the plain pandas
oracle: one row per (customer, claim) with its furthest stage and first time at each stage.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

STAGES = ["Meldung", "Unterlagen", "Entscheidung", "Abschluss"]
EVENTS = ["claim_reported", "docs_uploaded", "decision_accepted", "claim_closed"]
#: Planted waits from each stage to the next, in days (uniform between the two).
WAITS = [(1, 5), (2, 10), (1, 3)]
END = pd.Timestamp("2025-12-31 18:00")
SHARED = "K-SHARED"

JOURNEY_YAML = """jmtools: 1
name: Schadenfall
personas:
  - {name: Basis, rule: "plan == 'basic'"}
  - {name: Premium, rule: "plan == 'premium'"}
stages:
  - {name: Meldung}
  - {name: Unterlagen}
  - {name: Entscheidung}
  - {name: Abschluss}
touchpoints:
  - {name: Schadenmeldung, stage: Meldung, channel: digital, events: [claim_reported]}
  - {name: Upload, stage: Unterlagen, channel: digital, events: [docs_uploaded]}
  - {name: Entscheid, stage: Entscheidung, channel: digital, events: [decision_accepted]}
  - {name: Abschlussbrief, stage: Abschluss, channel: digital, events: [claim_closed]}
"""


def claims_world(seed: int = 7, n: int = 400, *, without_claims: int = 40):
    """``(events, customers, surveys)``: the event log with ``claim_no`` (blank for logins)."""
    rng = np.random.default_rng(seed)
    events, surveys, customers = [], [], []
    claim = 0
    for c in range(n + without_claims):
        cid = f"P{c:04d}"
        customers.append((cid, "premium" if rng.random() < 0.35 else "basic"))
        if c >= n:
            continue
        k = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
        open_last = rng.random() < 0.25
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=int(rng.integers(0, 24 * 200)))
        if rng.random() < 0.1:   # an answer before any claim: it goes to the first
            surveys.append((cid, start - pd.Timedelta(days=3), "csat", int(rng.integers(1, 6)), "Meldung"))
        for j in range(k):
            claim += 1
            no = SHARED if c in (1, 2) and j == 0 else f"K{claim:05d}"
            last = j == k - 1
            if last and open_last:
                start = END - pd.Timedelta(hours=int(rng.integers(24, 96)))
                reach = 1 + int(rng.random() < 0.3)
            else:
                reach = int(rng.choice([1, 2, 3, 4], p=[0.05, 0.1, 0.05, 0.8]))
            t = start
            for s in range(reach):
                if s:
                    t = t + pd.Timedelta(hours=int(rng.integers(24 * WAITS[s - 1][0], 24 * WAITS[s - 1][1])))
                if t >= END:
                    break
                events.append((cid, t, EVENTS[s], no))
            if reach == 4:
                surveys.append((cid, t + pd.Timedelta(days=1), "csat", int(rng.integers(1, 6)), "Abschluss"))
            if rng.random() < 0.1:
                events.append((cid, start + pd.Timedelta(hours=2), "portal_login", ""))
            start = t + pd.Timedelta(days=int(rng.integers(30, 150)))
            if start > END - pd.Timedelta(days=20):
                break
    ev = pd.DataFrame(events, columns=["customer_id", "timestamp", "event", "claim_no"])
    ev = ev.sample(frac=1, random_state=seed).reset_index(drop=True)     # an export is not sorted
    cu = pd.DataFrame(customers, columns=["customer_id", "plan"])
    sv = pd.DataFrame(surveys, columns=["customer_id", "timestamp", "metric", "score", "stage"])
    return ev, cu, sv


def write_world(folder, seed: int = 7, n: int = 400, *, per_case: bool = True, case_name: str = "claim") -> Path:
    """The world as a data folder (CSV, ``journey.yaml``, ``loading.yaml`` naming the case column
    and what one case is called, ``case_name``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ev, cu, sv = claims_world(seed, n)
    ev.to_csv(folder / "events.csv", index=False)
    cu.to_csv(folder / "customers.csv", index=False)
    sv.to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(JOURNEY_YAML, encoding="utf-8")
    if per_case:
        (folder / "loading.yaml").write_text(f"events:\n  case: claim_no\n  case_name: {case_name}\n", encoding="utf-8")
    return folder


def plain_journeys(events: pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, claim) with events: ``customer``, ``claim``, ``furthest`` (1–4) and the
    first time at each stage (``t_Meldung``…); logins without a claim number left out."""
    ev = events[events["claim_no"].fillna("").astype(str).str.strip() != ""].copy()
    ev["stage"] = ev["event"].map(dict(zip(EVENTS, range(1, 5))))
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    first = ev.pivot_table(index=["customer_id", "claim_no"], columns="stage", values="timestamp", aggfunc="min")
    first.columns = [f"t_{STAGES[int(s) - 1]}" for s in first.columns]
    out = first.reset_index().rename(columns={"customer_id": "customer", "claim_no": "claim"})
    out["furthest"] = ev.groupby(["customer_id", "claim_no"])["stage"].max().to_numpy()
    return out


def journey_dict() -> dict:
    """The journey as a mapping (for :func:`jmtools.evidence.prepare`)."""
    import yaml

    return yaml.safe_load(JOURNEY_YAML)
