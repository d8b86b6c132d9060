"""Benchmark: the empathy map's quotes, surnames learned on every call vs learned once (D239).

Draws the cells of every persona × stage (and the whole journey) of a small journey from the
same seeded quotes, ``--quotes`` of them, twice: each call learning the surnames itself
(``names`` not given), and with ``known_names`` run once and given to every call. Prints the
CPU seconds (process time) of each way, the median of ``--runs`` interleaved runs, and checks
that both give identical cells.

Usage::

    python benchmarks/bench_empathy.py                 # 1,000 quotes, 5 runs
    python benchmarks/bench_empathy.py --quotes 5000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from jmtools.analyses.empathy import empathy_cells
from jmtools.analyses.privacy import known_names
from jmtools.journey import Journey

JOURNEY = Journey.from_yaml("""
name: Bench
personas: [{name: Ben}, {name: Maya}]
stages: [{name: Look}, {name: Buy}, {name: Use}]
""")


def quotes(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    said = ["{s} was rude at the till", "Thanks, {f} {s}", "Ask {s} about the fees", "Great blog post",
            "Fees again. Regards, {f} {s}. Call 07700 900123", "Took ages to pay, mail me at a@b.com"]
    surnames = ["Okonkwo", "Schulz", "Nakamura", "Baptiste", "Kowalski", "Fernandes", "Lindqvist", "Moreau"]
    words = "the parcel came late and the box was wet so I asked twice about my refund".split()
    texts = [rng.choice(said).format(s=rng.choice(surnames), f=rng.choice(["Emily", "Tom"]))
             + " " + " ".join(rng.choice(words, rng.integers(3, 15))) + f" (order {i})" for i in range(n)]
    return pd.DataFrame({"text": texts, "stage": rng.choice(JOURNEY.stage_names, n),
                         "persona": rng.choice(["Ben", "Maya"], n), "source": "feedback"})


def maps(q: pd.DataFrame, names=None) -> list[pd.DataFrame]:
    return [empathy_cells(JOURNEY, persona=p, stage=s, quotes=q, names=names)
            for p in ("Ben", "Maya") for s in (*JOURNEY.stage_names, None)]


def learned_each_call(q):
    return maps(q)


def learned_once(q):
    return maps(q, names=known_names(q["text"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quotes", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    q = quotes(args.quotes)
    results, cpu = {}, {"each call": [], "once": []}
    for _ in range(args.runs):
        for label, fn in (("each call", learned_each_call), ("once", learned_once)):
            start = time.process_time()
            results[label] = fn(q)
            cpu[label].append(time.process_time() - start)
    same = all(a.equals(b) for a, b in zip(results["each call"], results["once"]))
    calls = len(results["once"])
    for label, secs in cpu.items():
        print(f"{calls} maps from {args.quotes:,} quotes, names learned {label}: "
              f"median {statistics.median(secs):.3f} CPU-s over {args.runs} runs")
    masked = sum(t.count("[name]") for c in results["once"] for t in c["text"])
    print(f"identical cells: {same}; '[name]' shown {masked} times")


if __name__ == "__main__":
    main()
