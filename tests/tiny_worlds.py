"""Tiny worlds: data folders where every customer has the same one or two events (docs/decisions.md D182).

An outside tester ran the notebooks on 30 customers who each only "visit", or "visit then add to
cart", on a journey of five stages: the notebooks stopped with tracebacks. :func:`tiny_world` writes
such folders, by shape (:data:`SHAPES`), so the tests can run the notebooks and ``jmtools report``
on them and check that each analysis with too little data says what is missing instead.

Every folder holds a five-stage journey (two personas whose rules run, one whose column the
customer table lacks), ``customers.csv`` and ``events.csv``; some hold a few survey answers
and feedback texts.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SHAPES", "UNRUNNABLE", "tiny_world"]

#: The persona whose rule names a column the customer table lacks.
UNRUNNABLE = "Marathon Mo"

JOURNEY = """\
jmtools: 1
name: Tiny shop
personas:
  - name: Young Yara
    rule: "age < 30"
  - name: Older Otto
    rule: "age >= 30"
  - name: {unrunnable}
    rule: "runs_per_week >= 4"
stages:
  - {{name: Awareness, emotion: 1}}
  - {{name: Visit, emotion: 0}}
  - {{name: Cart, emotion: 0}}
  - {{name: Checkout, emotion: -1}}
  - {{name: After, emotion: 1}}
touchpoints:
  - {{name: Ad, stage: Awareness, channel: digital, events: [ad_click]}}
  - {{name: Home page, stage: Visit, channel: digital, events: [visit, home_view]}}
  - {{name: Basket, stage: Cart, channel: digital, events: [add_to_cart]}}
  - {{name: Payment, stage: Checkout, channel: digital, events: [checkout_start]}}
  - {{name: Support, stage: After, channel: interpersonal, events: [support_chat]}}
""".format(unrunnable=UNRUNNABLE)

#: The journey's one pain point, in the shapes that hold one (the others: none to rank).
PAIN_POINT = """\
pain_points:
  - {id: slow-page, title: Slow home page, stage: Visit, touchpoint: Home page, severity: 3}
"""

#: Shape → (customers, events of customer i (a function of i), what the folder holds beyond customers
#: and events: "surveys", "feedback", "pain point" (in the journey file)).
SHAPES = {
    # every customer one same event
    "one_event": (30, lambda i: ["visit"], ()),
    # "visit" or "visit then add to cart"
    "two_events": (30, lambda i: ["visit"] if i % 2 else ["visit", "add_to_cart"], ("pain point",)),
    # two events, both in the one stage every customer reaches
    "one_stage": (30, lambda i: ["visit", "home_view"][: 1 + i % 2], ()),
    # two events, a few survey answers and feedback texts
    "with_answers": (30, lambda i: ["visit"] if i % 2 else ["visit", "add_to_cart"],
                     ("surveys", "feedback", "pain point")),
    # one customer
    "one_customer": (1, lambda i: ["visit", "add_to_cart"], ()),
}


def tiny_world(shape: str, folder) -> Path:
    """Write the tiny world ``shape`` (:data:`SHAPES`) into ``folder``; return the folder."""
    import pandas as pd

    n, events_of, extra = SHAPES[shape]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "journey.yaml").write_text(JOURNEY + (PAIN_POINT if "pain point" in extra else ""), encoding="utf-8")
    ids = [f"C{i:03d}" for i in range(1, n + 1)]
    pd.DataFrame({"customer_id": ids, "age": [22 + (i * 7) % 40 for i in range(n)],
                  "region": ["North" if i % 3 else "South" for i in range(n)]}
                 ).to_csv(folder / "customers.csv", index=False)
    rows = [(c, f"2026-{5 + i % 3:02d}-{1 + i % 27:02d} 10:{j:02d}:00", e)
            for i, c in enumerate(ids) for j, e in enumerate(events_of(i))]
    pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).to_csv(folder / "events.csv", index=False)
    if "surveys" in extra:
        pd.DataFrame({"survey_id": [f"S{i}" for i in range(4)], "customer_id": ids[:4],
                      "timestamp": [f"2026-05-0{1 + i} 11:00:00" for i in range(4)],
                      "touchpoint": "Home page", "stage": "Visit", "metric": "csat", "score": [2, 3, 4, 2]}
                     ).to_csv(folder / "surveys.csv", index=False)
    if "feedback" in extra:
        texts = ["The page was slow to load.", "Could not find the basket.", "Nice shoes."]
        pd.DataFrame({"feedback_id": [f"F{i}" for i in range(3)], "customer_id": ids[:3],
                      "timestamp": [f"2026-05-0{1 + i} 12:00:00" for i in range(3)], "text": texts,
                      "touchpoint": "Home page", "stage": "Visit"}).to_csv(folder / "feedback.csv", index=False)
    return folder
