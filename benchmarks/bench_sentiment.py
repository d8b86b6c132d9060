"""Benchmark: scoring feedback texts with jmtools.analyses.sentiment.score_texts vs a plain VADER loop.

Both engines score the *same* texts in one run; the script prints the median
wall time of several runs, texts per second and the speed-up, and checks that
both give identical scores.

The texts imitate a feedback table: 20% short stock phrases ("Great service"),
40% comments repeated from a pool of n/10 templated comments, 40% one-off
comments (about half the texts are distinct). The share of distinct texts is
printed, because the speed-up from deduplication depends on it; ``--unique``
makes every text distinct, to measure parallelism alone.

The machine may be shared: besides wall time the script prints the CPU seconds
used (this process plus its workers), which contention does not inflate.

Usage::

    python benchmarks/bench_sentiment.py                 # 1,000,000 texts, 3 runs
    python benchmarks/bench_sentiment.py --n 50000 --repeats 2   # quick
    python benchmarks/bench_sentiment.py --unique        # no duplicates at all
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

OPENERS = ["", "Honestly,", "Overall", "To be fair,", "Well,", "Sadly", "Wow,", "Meh.", "Ok so",
           "I must say", "Again", "Frankly,"]
SUBJECTS = ["the checkout", "delivery", "the size chart", "customer support", "the app",
            "the product page", "returns", "the website", "shipping", "the running shoes",
            "payment", "the order tracking", "the sales call", "the proposal", "onboarding",
            "the invoice", "the e-signature", "the webinar", "the store staff", "the reviews"]
VERBS = ["was", "is", "felt", "seemed", "has been", "was really", "is not", "was not at all",
         "turned out", "was super"]
ADJECTIVES = ["great", "awful", "slow", "confusing", "easy", "helpful", "terrible", "fine",
              "fast", "frustrating", "excellent", "broken", "clear", "disappointing", "smooth",
              "annoying", "perfect", "late", "useless", "ok"]
ENDINGS = ["", ".", "!", "!!", " :)", " :(", ", would not recommend.", ", will buy again!",
           ", thanks.", ". Fix it please.", " but the price was fair.", " and I waited 3 days."]
STOCK = ["Great service", "Thanks!", "Too slow", "ok", "Love it", "Never again", "Fine",
         "Good", "Bad experience", "Fast delivery, love it"]


def make_texts(n: int, *, unique: bool = False, seed: int = 0) -> list[str]:
    """n feedback-like texts; with ``unique`` every text is distinct."""
    rng = np.random.default_rng(seed)
    parts = [rng.integers(0, len(p), n) for p in (OPENERS, SUBJECTS, VERBS, ADJECTIVES, ENDINGS)]
    texts = [f"{OPENERS[a]} {SUBJECTS[b]} {VERBS[c]} {ADJECTIVES[d]}{ENDINGS[e]}".strip()
             for a, b, c, d, e in zip(*parts)]
    if unique:
        return [f"{t} (order {i})" for i, t in enumerate(texts)]
    # 20% stock phrases, 40% comments repeated from a pool of n/10, 40% one-off comments
    pool = texts[: max(1, n // 10)]
    kind = rng.choice(3, n, p=[0.2, 0.4, 0.4])
    pick = rng.integers(0, len(pool), n)
    stock = rng.integers(0, len(STOCK), n)
    return [STOCK[s] if k == 0 else pool[p] if k == 1 else f"{t} Order {i}."
            for i, (k, p, s, t) in enumerate(zip(kind, pick, stock, texts))]


def plain_vader(texts: list[str]) -> np.ndarray:
    """The baseline: VADER's analyzer called once per text in a plain loop."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return np.array([sia.polarity_scores(t)["compound"] for t in texts])


def _cpu() -> float:
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, repeats: int):
    times, cpus, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), _cpu()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return statistics.median(times), times, statistics.median(cpus), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="number of texts (default 1M)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per engine (median reported)")
    ap.add_argument("--n-jobs", type=int, default=2, help="worker processes for jmtools")
    ap.add_argument("--unique", action="store_true", help="every text distinct (no duplicates)")
    args = ap.parse_args(argv)

    from jmtools.analyses.sentiment import score_texts

    texts = make_texts(args.n, unique=args.unique)
    distinct = len(set(texts))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before: {load:.2f}")
    print(f"texts: {args.n:,}  distinct: {distinct:,} ({distinct / args.n:.1%})  "
          f"cores: {os.cpu_count()}  repeats: {args.repeats}", flush=True)
    engines = [("plain VADER loop", lambda: plain_vader(texts)),
               ("jmtools n_jobs=1 (dedup only)", lambda: score_texts(texts, n_jobs=1)),
               (f"jmtools n_jobs={args.n_jobs} (dedup + processes)",
                lambda: score_texts(texts, n_jobs=args.n_jobs))]
    # runs are interleaved (plain, dedup, parallel, plain, …) so that a change in the
    # machine's load during the benchmark hits every engine alike
    walls = {name: [] for name, _ in engines}
    cpus = {name: [] for name, _ in engines}
    results = {}
    for _ in range(args.repeats):
        for name, fn in engines:
            _, (wall,), cpu, results[name] = timed(fn, 1)
            walls[name].append(wall)
            cpus[name].append(cpu)
    rows = []
    for name, _ in engines:
        med = statistics.median(walls[name])
        rows.append((name, med, walls[name]))
        print(f"  {name:<40} median {med:8.2f} s  ({args.n / med:>10,.0f} texts/s)  "
              f"cpu {statistics.median(cpus[name]):7.2f} s  runs: "
              + ", ".join(f"{t:.2f}" for t in walls[name]), flush=True)
    base = rows[0][1]
    ref = results[rows[0][0]]
    for name, med, _ in rows[1:]:
        same = np.array_equal(results[name], ref)
        print(f"  speed-up {name:<40} {base / med:5.2f}×   identical scores: {same}")
        if not same:
            print("ERROR: scores differ from the plain loop", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
