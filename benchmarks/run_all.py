"""Run every benchmark once at a modest size and print each one's table of ratios.

    make bench                       # quick sizes, a few minutes
    python benchmarks/run_all.py --full   # the sizes named in the issues (10M events, 1M texts; long)

Each script compares jmtools with the plain engine (and a peer where one is named) in one run,
reports medians of several runs and prints ratios; see each script's --help.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUICK = {
    "bench_generator.py": ["--events", "1000000", "--small", "200000", "--repeat", "3"],
    "bench_engine.py": ["--sizes", "1", "--runs", "3"],
    "bench_sentiment.py": ["--n", "100000", "--repeats", "3"],
    "bench_personas.py": ["--runs", "3"],
    "bench_report.py": ["--runs", "2"],
}
FULL = {
    "bench_generator.py": ["--events", "10000000"],
    "bench_engine.py": ["--sizes", "1,10", "--runs", "3", "--peer"],
    "bench_sentiment.py": ["--n", "1000000", "--repeats", "3"],
    "bench_personas.py": ["--runs", "5"],
    "bench_report.py": ["--runs", "3"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the sizes named in the issues")
    parser.add_argument("--only", help="run only the scripts whose names contain this text")
    args = parser.parse_args(argv)
    plan = FULL if args.full else QUICK
    failed = []
    for script, options in plan.items():
        if args.only and args.only not in script:
            continue
        print(f"\n=== {script} {' '.join(options)}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *options])
        print(f"--- {script}: exit {code}, {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
