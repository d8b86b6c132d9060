"""Benchmark: loading an event log as JSON lines against the same log as CSV.

Times ``load_events`` (read, validate, type, count; :mod:`jmtools.sources._jsonl` for JSON lines)
on one log written three ways: CSV, flat JSON lines (``{"customer_id", "timestamp", "event",
…}``) and Mixpanel's raw export (``{"event", "properties": {"time": epoch s, "distinct_id",
…}}``, read with ``columns=`` and ``time_format="unix"``). Each load runs in a fresh
subprocess (imports before the clock), the formats interleaved, ``--runs`` rounds; it prints
the median CPU time (all threads), elapsed time and peak resident memory per format, and
checks that every format keeps the same rows.

Usage::

    python benchmarks/bench_jsonl.py                       # 1M generated events, 3 runs
    python benchmarks/bench_jsonl.py --events 200000 --runs 5
    python benchmarks/bench_jsonl.py --from events.parquet # a log of your own (Parquet or CSV)

Files are written to a temporary folder (``--out`` to choose) and left there for reuse.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER = r"""
import json, resource, sys, time
from jmtools.sources import load_events
path, fmt = sys.argv[1], sys.argv[2]
options = ({"columns": {"customer_id": "properties.distinct_id", "timestamp": "properties.time"},
            "time_format": "unix"} if fmt == "mixpanel" else {})
cpu, wall = time.process_time(), time.perf_counter()
ev = load_events(path, **options)
a = ev.accounting
out = {"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall,
       "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "rows": [a.rows_read, a.rows_used, a.rows_rejected]}
print(json.dumps(out))
"""


def generate(n: int):
    """A seeded log of ``n`` events (about 12 per customer), as a pandas frame."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    customers = rng.integers(1, max(n // 12, 2), n)
    start = pd.Timestamp("2024-03-01").value // 10**9
    seconds = np.sort(rng.integers(0, 90 * 86400, n)) + start
    events = np.array(["home_view", "product_view", "add_to_cart", "checkout_start", "purchase"])
    channel = np.array(["app", "web", "search", "email"])
    value = np.where(rng.random(n) < 0.1, np.round(rng.gamma(2, 60, n), 2), np.nan)
    return pd.DataFrame({"customer_id": [f"C{c:07d}" for c in customers],
                         "timestamp": pd.to_datetime(seconds, unit="s"),
                         "event": events[rng.integers(0, len(events), n)],
                         "session_id": [f"C{c:07d}-S{s:03d}" for c, s in zip(customers, rng.integers(1, 9, n))],
                         "channel": channel[rng.integers(0, len(channel), n)], "value": value})


def write(frame, out: Path) -> dict:
    """The log as CSV, flat JSON lines and Mixpanel JSON lines under ``out``."""
    import pandas as pd

    paths = {"csv": out / "events.csv", "jsonl": out / "events.jsonl", "mixpanel": out / "mixpanel.jsonl"}
    if all(p.exists() for p in paths.values()):
        return paths
    frame.to_csv(paths["csv"], index=False, date_format="%Y-%m-%dT%H:%M:%S")
    seconds = (frame["timestamp"] - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    with open(paths["jsonl"], "w") as flat, open(paths["mixpanel"], "w") as mixpanel:
        for i, r in enumerate(frame.itertuples(index=False)):
            row = {"customer_id": r.customer_id, "timestamp": r.timestamp.strftime("%Y-%m-%dT%H:%M:%S"),
                   "event": r.event, "session_id": r.session_id, "channel": r.channel}
            props = {"time": int(seconds.iloc[i]), "distinct_id": r.customer_id, "$insert_id": f"{i:016x}",
                     "session_id": r.session_id, "channel": r.channel}
            if r.value == r.value:
                row["value"] = props["value"] = r.value
            flat.write(json.dumps(row) + "\n")
            mixpanel.write(json.dumps({"event": r.event, "properties": props}) + "\n")
    return paths


def run(path: Path, fmt: str) -> dict:
    done = subprocess.run([sys.executable, "-c", WORKER, str(path), fmt], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--from", dest="source", help="a Parquet or CSV event log to write out instead")
    parser.add_argument("--out", help="folder for the files (default: a new one in the temporary folder)")
    args = parser.parse_args(argv)
    import pandas as pd

    out = Path(args.out or tempfile.mkdtemp(prefix="jm-bench-jsonl-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.source:
        frame = (pd.read_parquet(args.source) if args.source.endswith((".parquet", ".pq"))
                 else pd.read_csv(args.source, parse_dates=["timestamp"]))
    else:
        frame = generate(args.events)
    paths = write(frame, out)
    results: dict[str, list] = {fmt: [] for fmt in paths}
    for _ in range(args.runs):                 # interleaved: a slow moment hits every format
        for fmt, path in paths.items():
            results[fmt].append(run(path, fmt))
    print(f"{len(frame):,} events; files in {out}; median of {args.runs} interleaved runs, fresh process each")
    print(f"{'format':10} {'MB':>8} {'CPU s':>8} {'wall s':>8} {'peak MB':>8}  rows read/used/rejected")
    base = statistics.median(r["cpu_s"] for r in results["csv"])
    for fmt, rs in results.items():
        cpu = statistics.median(r["cpu_s"] for r in rs)
        print(f"{fmt:10} {paths[fmt].stat().st_size / 1e6:8.0f} {cpu:8.2f} "
              f"{statistics.median(r['wall_s'] for r in rs):8.2f} {statistics.median(r['peak_mb'] for r in rs):8.0f}"
              f"  {rs[0]['rows']}  (CPU ×{cpu / base:.2f} of CSV)")
    rows = {fmt: rs[0]["rows"] for fmt, rs in results.items()}
    assert len({tuple(r) for r in rows.values()}) == 1, f"formats keep different rows: {rows}"


if __name__ == "__main__":
    main()
