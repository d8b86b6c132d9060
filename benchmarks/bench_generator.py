"""Benchmark of the sample-world generator: throughput (events/s) and peak memory (RSS).

Each run happens in a fresh child process that generates an e-commerce world as Parquet into a
temporary directory and reports its own wall time and peak resident set size, so runs do not
share memory or caches. Smaller sizes are run several times and the median is printed; the big
size (default 10M events) once.

Also measured, for scale: the peak RSS of a child that only imports the generator (the floor),
the effect of the chunk size (memory bound vs. speed) at the small size, and the plain floor of
writing the same events with one ``pyarrow.parquet.write_table`` call (generator / plain ratio).
Results are also written as JSON (``benchmarks/out/bench_generator.json`` by default).

Usage::

    python benchmarks/bench_generator.py                 # 1M ×3, then 10M ×1
    python benchmarks/bench_generator.py --events 2e6 --small 2e5 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    import pandas, pyarrow.parquet
    from jmtools.sample_worlds import generate_world, _world
    _world("ecommerce")
    customers, chunk, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    t0 = time.perf_counter()
    summary = generate_world("ecommerce", out, customers=customers, fmt="parquet",
                             chunk_customers=chunk, seed=7) if customers else None
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    write_s = 0.0
    if customers:   # the plain floor: rewrite the same events table with one pyarrow call
        table = pyarrow.parquet.read_table(summary["paths"]["events"])
        t1 = time.perf_counter()
        pyarrow.parquet.write_table(table, out + "/plain.parquet", compression="zstd")
        write_s = time.perf_counter() - t1
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "write_s": write_s,
                      "events": summary["rows"]["events"] if summary else 0,
                      "chunks": summary["chunks"] if summary else 0}))
""")


def run_child(customers: int, chunk: int) -> dict:
    """Generate ``customers`` in a fresh interpreter; return its timing and peak memory."""
    with tempfile.TemporaryDirectory(prefix="jm-bench-") as out:
        done = subprocess.run([sys.executable, "-c", CHILD, str(customers), str(chunk), out],
                              capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"benchmark child failed ({customers} customers, chunk {chunk}):\n"
                         + done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def events_per_customer(chunk: int) -> float:
    probe = run_child(20_000, chunk)
    return probe["events"] / 20_000


def report(label: str, runs: list[dict], floor_mb: float) -> dict:
    secs = statistics.median(r["seconds"] for r in runs)
    write = statistics.median(r["write_s"] for r in runs)
    events = runs[0]["events"]
    peak = statistics.median(r["peak_mb"] for r in runs)
    row = {"label": label, "runs": len(runs), "events": events, "seconds": secs,
           "events_per_s": events / secs, "peak_rss_mb": peak,
           "above_floor_mb": peak - floor_mb, "chunks": runs[0]["chunks"],
           "plain_write_s": write, "ratio_to_plain_write": secs / write if write else None}
    print(f"{label:<28} {len(runs):>4} {events:>12,} {secs:>9.2f} {events / secs:>12,.0f} "
          f"{peak:>9.0f} {peak - floor_mb:>9.0f} {runs[0]['chunks']:>7} {write:>8.2f} "
          f"{secs / write if write else float('nan'):>7.1f}")
    return row


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=float, default=10e6, help="events of the big run")
    parser.add_argument("--small", type=float, default=1e6, help="events of the repeated runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the small size")
    parser.add_argument("--chunk", type=int, default=25_000, help="customers per chunk")
    parser.add_argument("--json", default=str(Path(__file__).parent / "out" /
                                               "bench_generator.json"),
                        help="where to write the results (JSON)")
    args = parser.parse_args(argv)

    rate = events_per_customer(args.chunk)
    floor = run_child(0, args.chunk)["peak_mb"]
    print(f"e-commerce world: {rate:.1f} events per customer; interpreter + imports (numpy, "
          f"pandas, pyarrow, generator) peak "
          f"{floor:.0f} MB\n")
    print(f"{'run':<28} {'n':>4} {'events':>12} {'median s':>9} {'events/s':>12} "
          f"{'peak MB':>9} {'+floor':>9} {'chunks':>7} {'plain s':>8} {'ratio':>7}")
    rows = []
    small_customers = math.ceil(args.small / rate)
    for chunk in sorted({5_000, args.chunk, 100_000}):
        runs = [run_child(small_customers, chunk) for _ in range(args.repeat)]
        rows.append(report(f"{args.small:,.0f} ev, chunk {chunk:,}", runs, floor))
    big = run_child(math.ceil(args.events / rate), args.chunk)
    rows.append(report(f"{args.events:,.0f} ev, chunk {args.chunk:,}", [big], floor))
    small_row = next(r for r in rows if r["label"].endswith(f"chunk {args.chunk:,}"))
    print(f"\nbig / small: {big['events'] / small_row['events']:.1f}× the events, "
          f"{rows[-1]['seconds'] / small_row['seconds']:.1f}× the time, "
          f"{rows[-1]['peak_rss_mb'] / small_row['peak_rss_mb']:.2f}× the peak memory")
    print("plain s: one pyarrow write_table of the same events (the I/O floor); ratio = "
          "generator time / plain time")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
