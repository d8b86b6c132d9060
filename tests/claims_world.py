"""A seeded insurer's claims world with planted document rounds and claims still open (D242).

Claims reported over 200 days from 2026-01-05; the export is cut at :data:`CUT`, so the claims of the
last weeks are still open wherever they stand. Meldung → Unterlagen (the insurer asks for documents,
the customer uploads a burst of 1–3 files) → Gutachten (optional, a third) → Entscheidung (the
customer accepts the settlement) → Zahlung and Abschluss (the insurer's own steps).

Planted, per claim (columns of the truth :func:`claims_events` returns):

- ``rounds``: the document rounds the customer had — each one a burst of uploads after the insurer's
  request "Unterlagen angefordert"; household claims are asked again 0–3 times (a mean of 1.5
  more rounds), motor claims 0–1 times (0.2). A fifth of customers send a second burst a day later
  *unasked*: no new round. A tenth of those asked again never answer the last request.
- ``stop``: where a planted leaver stops — ``"Meldung"`` (never uploads), ``"Unterlagen"`` (no
  decision after the uploads), ``"Entscheidung"`` (accepts, and nothing follows: never paid);
  ``""`` for a claim that goes the whole way (paid 5–20 days after the acceptance, closed 2–6
  days later) unless the cut comes first.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

START, CUT = pd.Timestamp("2026-01-05 08:00"), pd.Timestamp("2026-07-20 00:00")

JOURNEY = """\
jmtools: 1
name: Schaden
personas:
  - {name: Hausrat, rule: "line == 'home'"}
  - {name: Kfz, rule: "line == 'motor'"}
stages:
  - name: Meldung
  - name: Unterlagen
  - name: Gutachten
    optional: true
  - name: Entscheidung
  - name: Zahlung
  - name: Abschluss
touchpoints:
  - {name: Schadenmeldung, stage: Meldung, channel: digital, events: [claim_reported]}
  - {name: Unterlagen angefordert, stage: Unterlagen, channel: digital, events: [documents_requested],
     initiated_by: company}
  - {name: Upload, stage: Unterlagen, channel: digital, events: [document_uploaded]}
  - {name: Gutachtertermin, stage: Gutachten, channel: interpersonal, events: [assessor_visit]}
  - {name: Annahme, stage: Entscheidung, channel: digital, events: [settlement_accepted]}
  - {name: Auszahlung, stage: Zahlung, channel: digital, events: [payment_issued], initiated_by: company}
  - {name: Abschlussschreiben, stage: Abschluss, channel: physical, events: [claim_closed], initiated_by: company}
"""


def claims_events(*, seed: int = 242, n: int = 900) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events (``customer_id``, ``event``, ``timestamp``; nothing after :data:`CUT`) and the
    truth per claim (``customer_id``, ``line``, ``rounds`` planted, ``stop``)."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for i in range(n):
        cid, line = f"S{i:04d}", "home" if i % 2 else "motor"
        t = START + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 200)))
        u = rng.random()
        stop = "Meldung" if u < 0.06 else "Unterlagen" if u < 0.11 else "Entscheidung" if u < 0.14 else ""
        rows += [(cid, "claim_reported", t), (cid, "documents_requested", t + pd.Timedelta(hours=20))]
        t += pd.Timedelta(days=float(rng.uniform(2, 5)))
        rounds = 0
        if stop != "Meldung":
            again = int(rng.integers(0, 4)) if line == "home" else int(rng.random() < 0.2)
            for k in range(again + 1):
                if k:                                          # the insurer asks again
                    t += pd.Timedelta(days=float(rng.uniform(3, 8)))
                    rows.append((cid, "documents_requested", t))
                    if k == again and rng.random() < 0.1:     # the last request is never answered
                        stop = "Unterlagen"
                        break
                    t += pd.Timedelta(days=float(rng.uniform(1, 6)))
                rounds += 1
                for f in range(int(rng.integers(1, 4))):      # a burst of files: one round
                    rows.append((cid, "document_uploaded", t + pd.Timedelta(minutes=3 * f)))
                if rng.random() < 0.2:                        # more files a day later, unasked: same round
                    t += pd.Timedelta(days=1)
                    rows.append((cid, "document_uploaded", t))
        if stop in ("", "Entscheidung"):
            if rng.random() < 1 / 3:
                t += pd.Timedelta(days=float(rng.uniform(4, 12)))
                rows.append((cid, "assessor_visit", t))
            t += pd.Timedelta(days=float(rng.uniform(5, 15)))
            rows.append((cid, "settlement_accepted", t))
            if not stop:
                t += pd.Timedelta(days=float(rng.uniform(5, 20)))
                rows.append((cid, "payment_issued", t))
                rows.append((cid, "claim_closed", t + pd.Timedelta(days=float(rng.uniform(2, 6)))))
        truth.append((cid, line, rounds, stop))
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    ev["timestamp"] = ev["timestamp"].dt.floor("s")
    ev = ev[ev["timestamp"] <= CUT].sort_values(["customer_id", "timestamp"], kind="stable").reset_index(drop=True)
    return ev, pd.DataFrame(truth, columns=["customer_id", "line", "rounds", "stop"])


def write_claims_world(folder: Path, **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write ``journey.yaml``, ``events.csv`` and ``customers.csv`` (``line``) to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ev, truth = claims_events(**kw)
    (folder / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    ev.to_csv(folder / "events.csv", index=False)
    truth[["customer_id", "line"]].to_csv(folder / "customers.csv", index=False)
    return ev, truth
