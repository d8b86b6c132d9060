"""A clinic world with one planted slow segment, shared by the segment tests (D217)."""

from __future__ import annotations

import numpy as np
import pandas as pd

JOURNEY = """\
jmtools: 1
name: Clinic
personas:
  - name: Older
    rule: 'age_band == "75+"'
  - name: Others
    rest: true
stages:
  - name: Referral
  - name: Booking
  - name: Visit
touchpoints:
  - {name: Letter, stage: Referral, channel: physical, events: [referred]}
  - {name: Booked, stage: Booking, channel: physical, events: [booked]}
  - {name: Attended, stage: Visit, channel: interpersonal, events: [attended]}
"""
SEGMENT = 'clinic == "Derm" and source == "GP"'


def clinic_world(folder, *, slow: bool, seed: int = 7, n: int = 900):
    """``n`` patients; referral → booking 2–5 days for all; booking → visit about 30 days, and
    with ``slow`` about 90 days for the clinic "Derm" GP referrals. ``lottery`` is a coin drawn
    apart from everything (a segment with nothing planted)."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY)
    customers = pd.DataFrame({"customer_id": [f"P{i:04d}" for i in range(n)],
                              "clinic": rng.choice(["Derm", "Cardio", "ENT"], n),
                              "source": rng.choice(["GP", "Self"], n, p=[0.7, 0.3]),
                              "age_band": rng.choice(["75+", "40-74"], n, p=[0.3, 0.7]),
                              "lottery": rng.choice(["win", "lose"], n, p=[0.2, 0.8])})
    events = []
    for r in customers.itertuples():
        referred = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 100)))
        booked = referred + pd.Timedelta(hours=float(rng.uniform(48, 120)))
        days = 90 if slow and r.clinic == "Derm" and r.source == "GP" else 30
        attended = booked + pd.Timedelta(days=float(days * np.exp(rng.normal(0, 0.25))))
        events += [(r.customer_id, "referred", referred), (r.customer_id, "booked", booked),
                   (r.customer_id, "attended", attended)]
    pd.DataFrame(events, columns=["customer_id", "event", "timestamp"]).to_csv(folder / "events.csv", index=False)
    customers.to_csv(folder / "customers.csv", index=False)
    return folder


def pandas_geomean(folder, inside: bool, segment=("Derm", "GP")) -> tuple[float, int]:
    """Geometric mean wait (hours) from booked to attended, and n, by plain pandas."""
    ev = pd.read_csv(folder / "events.csv", parse_dates=["timestamp"])
    cu = pd.read_csv(folder / "customers.csv")
    chosen = set(cu.loc[(cu["clinic"] == segment[0]) & (cu["source"] == segment[1]), "customer_id"])
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    hours = (wide["attended"] - wide["booked"]).dt.total_seconds() / 3600
    hours = hours[hours.index.isin(chosen) == inside]
    return float(np.exp(np.log(hours).mean())), len(hours)
