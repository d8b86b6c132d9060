"""Benchmark: what counting per case costs (D238) — ``pipeline.prepare_world`` on a claims world with
``events: {case: claim_no}`` and without it, and the figures that change.

The world is tests/case_world.py's (customers with 1–3 claims, the last perhaps open), generated once
per size into ``--out`` (default: the system's temporary folder), written with and without the
case option. Runs are interleaved (per customer, per case, per customer, …) in one process without
an evidence cache; printed are the medians of wall and CPU seconds (this process) and, once, the
journeys and customers, the funnel's last stage, the still-open window and the waits.

Usage::

    python benchmarks/bench_cases.py --customers 400,4000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _figures(prepared) -> dict:
    from case_world import STAGES
    from jmtools.analyses.compare import still_open_steps
    from jmtools.analyses.funnels import funnel, time_between_stages

    ev = prepared.evidence
    fun = funnel(ev, steps=STAGES)
    opened = still_open_steps(ev, steps=STAGES)
    waits = time_between_stages(ev, steps=STAGES)
    return {"journeys": int(ev.n_customers),
            "customers": prepared.cases.n_customers if prepared.cases else int(ev.n_customers),
            "reach_last": f"{int(fun['n'].iloc[-1])}/{int(fun['n'].iloc[0])}",
            "open_window_h": [round(float(h), 1) for h in opened.loc[opened["persona"] == "", "window_hours"]],
            "open": [int(n) for n in opened.loc[opened["persona"] == "", "open"]],
            "median_wait_h": [round(float(h), 1) for h in waits["median_h"]]}


def main(argv=None) -> None:
    from case_world import write_world
    from jmtools import pipeline

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", default="400,4000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=tempfile.gettempdir())
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    for n in [int(x) for x in args.customers.split(",")]:
        folders = {"per customer": write_world(Path(args.out) / f"cases_{n}_pc", n=n, per_case=False),
                   "per case": write_world(Path(args.out) / f"cases_{n}", n=n)}
        times = {k: [] for k in folders}
        shown = {}
        for _ in range(args.runs):
            for name, folder in folders.items():
                prepared, wall, cpu = _timed(lambda f=folder: pipeline.prepare_world(str(f), cache_dir=None))
                times[name].append((wall, cpu))
                shown.setdefault(name, _figures(prepared))
        for name, runs in times.items():
            print(f"{n:>6} customers  {name:<13} wall {statistics.median(w for w, _ in runs):6.2f} s  "
                  f"cpu {statistics.median(c for _, c in runs):6.2f} s  {shown[name]}")


if __name__ == "__main__":
    main()
