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


def clinic_world(folder, *, slow: bool, seed: int = 7, n: int = 900, drop: float | None = None, older_drop: float = 0.0,
                 feel: bool | None = None):
    """``n`` patients; referral → booking 2–5 days for all; booking → visit about 30 days, and
    with ``slow`` about 90 days for the clinic "Derm" GP referrals. ``lottery`` is a coin drawn
    apart from everything (a segment with nothing planted). Every patient is lost after booking
    (no visit) with a chance of 5% when ``drop`` is given, ``drop`` more in the segment and
    ``older_drop`` more for persona "Older" (D228). With ``feel`` set, 60% of those
    who visit answer a CSAT (1–5) there: those of the segment worse when ``feel`` is True, all
    alike when False."""
    rng = np.random.default_rng(seed)
    more = np.random.default_rng(seed + 1000)      # draws of the D228 plants: the D217 world stays as it was
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY)
    customers = pd.DataFrame({"customer_id": [f"P{i:04d}" for i in range(n)],
                              "clinic": rng.choice(["Derm", "Cardio", "ENT"], n),
                              "source": rng.choice(["GP", "Self"], n, p=[0.7, 0.3]),
                              "age_band": rng.choice(["75+", "40-74"], n, p=[0.3, 0.7]),
                              "lottery": rng.choice(["win", "lose"], n, p=[0.2, 0.8])})
    events, answers = [], []
    for r in customers.itertuples():
        referred = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 100)))
        booked = referred + pd.Timedelta(hours=float(rng.uniform(48, 120)))
        inside = r.clinic == "Derm" and r.source == "GP"
        days = 90 if slow and inside else 30
        attended = booked + pd.Timedelta(days=float(days * np.exp(rng.normal(0, 0.25))))
        events += [(r.customer_id, "referred", referred), (r.customer_id, "booked", booked)]
        lost = drop is not None and more.random() < 0.05 + drop * inside + older_drop * (r.age_band == "75+")
        if lost:
            continue
        events.append((r.customer_id, "attended", attended))
        if feel is not None and more.random() < 0.6:
            p = [0.3, 0.3, 0.2, 0.1, 0.1] if feel and inside else [0.05, 0.05, 0.2, 0.35, 0.35]
            answers.append((f"S{r.customer_id}", r.customer_id, attended + pd.Timedelta(hours=2), "Attended",
                            "Visit", "csat", int(more.choice([1, 2, 3, 4, 5], p=p))))
    pd.DataFrame(events, columns=["customer_id", "event", "timestamp"]).to_csv(folder / "events.csv", index=False)
    customers.to_csv(folder / "customers.csv", index=False)
    if feel is not None:
        pd.DataFrame(answers, columns=["survey_id", "customer_id", "timestamp", "touchpoint", "stage", "metric",
                                       "score"]).to_csv(folder / "surveys.csv", index=False)
    return folder


def pandas_lost(folder, segment=("Derm", "GP")) -> dict:
    """Per side (True: the segment), patients who booked and of them those with no visit, by plain pandas."""
    ev = pd.read_csv(folder / "events.csv")
    cu = pd.read_csv(folder / "customers.csv")
    chosen = set(cu.loc[(cu["clinic"] == segment[0]) & (cu["source"] == segment[1]), "customer_id"])
    booked = set(ev.loc[ev["event"] == "booked", "customer_id"])
    went = set(ev.loc[ev["event"] == "attended", "customer_id"])
    return {side: (len({c for c in booked if (c in chosen) == side}),
                   len({c for c in booked - went if (c in chosen) == side})) for side in (True, False)}


def pandas_csat(folder, segment=("Derm", "GP")) -> dict:
    """Per side, the mean valence of the CSAT answers (1–5 read as −2..+2) and their number, by plain pandas."""
    sv = pd.read_csv(folder / "surveys.csv")
    cu = pd.read_csv(folder / "customers.csv")
    chosen = set(cu.loc[(cu["clinic"] == segment[0]) & (cu["source"] == segment[1]), "customer_id"])
    inside = sv["customer_id"].isin(chosen)
    return {side: (float((sv.loc[inside == side, "score"] - 3).mean()), int((inside == side).sum()))
            for side in (True, False)}


def pandas_geomean(folder, inside: bool, segment=("Derm", "GP")) -> tuple[float, int]:
    """Geometric mean wait (hours) from booked to attended, and n, by plain pandas."""
    ev = pd.read_csv(folder / "events.csv", parse_dates=["timestamp"])
    cu = pd.read_csv(folder / "customers.csv")
    chosen = set(cu.loc[(cu["clinic"] == segment[0]) & (cu["source"] == segment[1]), "customer_id"])
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    hours = (wide["attended"] - wide["booked"]).dt.total_seconds() / 3600
    hours = hours[hours.index.isin(chosen) == inside]
    return float(np.exp(np.log(hours).mean())), len(hours)
