"""Benchmark: jmtools' engine path vs the same questions hand-written in DuckDB SQL (and retentioneering).

One run times, for generated e-commerce worlds of ~1M and ~10M events (Parquet):

    load (validate, type, count)  →  evidence (events → touchpoint/stage, sorted once per
    customer)  →  stage funnel  →  event transitions  →  time between stages

three ways, each in a fresh subprocess (so peak memory is that of one pipeline):

- ``jmtools``   — ``load_events`` → ``prepare`` → ``funnel`` / ``transitions`` / ``time_between_stages``;
- ``duckdb``    — the same results written by hand in DuckDB SQL (no validation, no accounting);
- ``retentioneering`` (optional, ``--peer``) — the open-source clickstream peer on the same data,
  installed only in ``benchmarks/.venv`` (created on first use) and run there with
  ``RETENTIONEERING_NO_TRACK=1``; its questions are the closest it offers (funnel over events
  renamed to stages, transition counts, median transition time between stages).

It prints the median of ``--runs`` runs per phase (runs of the engines interleaved), the ratio
jmtools / DuckDB in elapsed time and in CPU time (all threads; steadier on a shared machine), the
peak resident memory of each pipeline, and checks that jmtools and the SQL give identical numbers.
Imports happen before the clock starts in every worker.
``--big`` also runs jmtools on a ~100M-event Parquet world (one run) to show it completes.

Usage::

    python benchmarks/bench_engine.py                      # 1M and 10M, 3 runs, jmtools vs DuckDB
    python benchmarks/bench_engine.py --peer               # + retentioneering
    python benchmarks/bench_engine.py --sizes 1 --runs 5   # only 1M events
    python benchmarks/bench_engine.py --big                # + 100M events, one run
    python benchmarks/bench_engine.py --sizes 10 --memory-limit 1GB   # DuckDB capped (spills)

Worlds are generated once into ``benchmarks/out/`` (git-ignored). No network at run time
(except ``pip`` creating the peer's venv the first time ``--peer`` is used).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PEER_VENV = HERE / ".venv"
EVENTS_PER_CUSTOMER = 12.45          # e-commerce world: measured on the committed sample
PHASES = ["load", "evidence", "funnel", "transitions", "time_between"]


# ----------------------------------------------------------------------------- worlds

def world(millions: float) -> Path:
    """Folder with an e-commerce world of about ``millions`` million events (generated once).

    Worlds of 100M events and more are the 10M world replicated (customer ids suffixed with
    the copy number), written by DuckDB: simulating them would take an hour here.
    """
    customers = int(round(millions * 1_000_000 / EVENTS_PER_CUSTOMER))
    folder = OUT / f"ecommerce_{millions:g}m"
    if millions >= 100 and not (folder / "events.parquet").exists():
        return replicate(world(10), folder, int(round(millions / 10)))
    if not (folder / "events.parquet").exists():
        sys.path.insert(0, str(ROOT))
        from jmtools.sample_worlds import generate_world

        print(f"generating {folder.name} ({customers:,} customers)…", flush=True)
        generate_world("ecommerce", folder, customers=customers, fmt="parquet", chunk_customers=100_000)
    return folder


def replicate(source: Path, folder: Path, copies: int) -> Path:
    """``copies`` copies of the source world's events, each with its own customer ids."""
    import shutil

    import duckdb

    print(f"writing {folder.name}: {copies} copies of {source.name}…", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "journey.yaml", folder / "journey.yaml")
    con = duckdb.connect(config={"threads": 2, "memory_limit": "4GB",   # 1GB: out of memory (DuckDB 1.5)
                                 "temp_directory": str(OUT / "duckdb_tmp")})
    src = str(source / "events.parquet").replace("'", "''")
    dst = str(folder / "events.parquet").replace("'", "''")
    con.execute(f"""COPY (SELECT customer_id || '-' || c AS customer_id, * EXCLUDE (customer_id)
                          FROM range({copies}) r(c), read_parquet('{src}'))
                    TO '{dst}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)""")
    return folder


def mapping_rows(folder: Path, events: list[str]):
    """(event, touchpoint, stage, stage_index) for each event name, from the journey's patterns."""
    sys.path.insert(0, str(ROOT))
    from jmtools.evidence import map_events
    from jmtools.journey import Journey

    m = map_events(events, Journey.load(folder / "journey.yaml"))
    m = m.astype(object).where(m.notna(), None)
    return [(r.event, r.touchpoint, r.stage, None if r.stage_index is None else int(r.stage_index))
            for r in m.itertuples(index=False)]


# ----------------------------------------------------------------------------- workers

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU seconds (all threads of the process) per phase."""

    def __init__(self):
        self.times, self.cpu = {}, {}

    def start(self):
        self._t, self._c = time.perf_counter(), time.process_time()

    def stop(self, phase):
        self.times[phase] = time.perf_counter() - self._t
        self.cpu[phase] = time.process_time() - self._c


def worker_jmtools(folder: Path, threads: int, memory_limit: str | None) -> dict:
    import ibis

    from jmtools.core.engine import set_default_connection
    from jmtools.evidence import prepare
    from jmtools.analyses.funnels import funnel, time_between_stages, transitions
    from jmtools.journey import Journey
    from jmtools.sources import load_events

    import pandas  # noqa: F401  (imports before the clock starts, in both workers)

    opts = {"threads": threads, "temp_directory": str(OUT / "duckdb_tmp")}
    if memory_limit:
        opts["memory_limit"] = memory_limit
    set_default_connection(ibis.duckdb.connect(**opts))
    journey = Journey.load(folder / "journey.yaml")
    clock = Clock()
    clock.start()
    ev = load_events(folder / "events.parquet", optional=False)
    clock.stop("load")
    clock.start()
    e = prepare(ev, journey)
    clock.stop("evidence")
    clock.start()
    f = funnel(e)
    clock.stop("funnel")
    clock.start()
    tr = transitions(e)
    clock.stop("transitions")
    clock.start()
    tb = time_between_stages(e)
    clock.stop("time_between")
    result = {"funnel": f["n"].tolist(),
              "transitions": sorted([a, b, int(n), int(c)] for a, b, n, c in
                                    zip(tr.from_step, tr.to_step, tr.n, tr.n_customers)),
              "time_between": [[int(n), round(float(m), 6), round(float(p), 6)]
                               for n, m, p in zip(tb.n, tb.median_s, tb.p90_s)],
              "rows": ev.accounting.rows_used}
    return {"times": clock.times, "cpu": clock.cpu, "peak_mb": _peak_mb(), "result": result}


def worker_duckdb(folder: Path, threads: int, memory_limit: str | None) -> dict:
    import duckdb

    config = {"threads": threads, "temp_directory": str(OUT / "duckdb_tmp")}
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(config=config)
    con.execute("SET TimeZone = 'UTC'")
    mapping_rows(folder, ["warm-up"])            # imports before the clock starts, in both workers
    path = str(folder / "events.parquet").replace("'", "''")
    clock = Clock()
    clock.start()
    con.execute(f"""CREATE TABLE ev AS SELECT customer_id, "timestamp", event, file_row_number AS _row
                    FROM read_parquet('{path}', file_row_number = true)""")
    clock.stop("load")
    clock.start()
    names = [r[0] for r in con.execute("SELECT DISTINCT event FROM ev").fetchall()]
    con.execute("CREATE TABLE map (event VARCHAR, touchpoint VARCHAR, stage VARCHAR, stage_index BIGINT)")
    rows = mapping_rows(folder, names)
    con.execute("INSERT INTO map VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(rows)),
                [v for r in rows for v in r])
    con.execute("""CREATE TABLE prep AS
        SELECT e.customer_id, e."timestamp", e.event, m.touchpoint, m.stage, m.stage_index,
               row_number() OVER w AS position,
               lead(e.event) OVER w AS next_event,
               epoch(lead(e."timestamp") OVER w) - epoch(e."timestamp") AS time_to_next_s
        FROM ev e LEFT JOIN map m USING (event)
        WINDOW w AS (PARTITION BY e.customer_id ORDER BY e."timestamp", e._row)""")
    clock.stop("evidence")
    stages = [r[0] for r in con.execute(
        "SELECT DISTINCT stage, stage_index FROM map WHERE stage IS NOT NULL ORDER BY stage_index").fetchall()]
    all_stages = _journey_stages(folder)
    ctes = _chain_sql(all_stages)
    clock.start()
    counts = con.execute(ctes + " " + " UNION ALL ".join(
        f"SELECT {i}, count(*) FROM s{i}" for i in range(1, len(all_stages) + 1)) + " ORDER BY 1").fetchall()
    clock.stop("funnel")
    clock.start()
    tr = con.execute("""SELECT event, next_event, count(*), count(DISTINCT customer_id) FROM prep
                        WHERE next_event IS NOT NULL GROUP BY ALL""").fetchall()
    clock.stop("transitions")
    clock.start()
    tb = con.execute(ctes + " " + " UNION ALL ".join(
        f"SELECT {i}, count(*), median(epoch(t) - epoch(pt)), quantile_cont(epoch(t) - epoch(pt), 0.9) FROM s{i}"
        for i in range(2, len(all_stages) + 1)) + " ORDER BY 1").fetchall()
    clock.stop("time_between")
    del stages
    result = {"funnel": [int(n) for _, n in counts],
              "transitions": sorted([a, b, int(n), int(c)] for a, b, n, c in tr),
              "time_between": [[int(n), round(float(m), 6), round(float(p), 6)] for _, n, m, p in tb],
              "rows": con.execute("SELECT count(*) FROM ev").fetchone()[0]}
    return {"times": clock.times, "cpu": clock.cpu, "peak_mb": _peak_mb(), "result": result}


def _journey_stages(folder: Path) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from jmtools.journey import Journey

    return Journey.load(folder / "journey.yaml").stage_names


def _chain_sql(stages: list[str]) -> str:
    """The strict funnel by hand: s_k = first event of stage k after the position reached at k-1."""
    q = lambda s: "'" + s.replace("'", "''") + "'"
    parts = [f"s1 AS (SELECT customer_id, min(position) AS p, min(\"timestamp\") AS t FROM prep "
             f"WHERE stage = {q(stages[0])} GROUP BY customer_id)"]
    for i, s in enumerate(stages[1:], start=2):
        parts.append(f"s{i} AS (SELECT e.customer_id, min(e.position) AS p, min(e.\"timestamp\") AS t, "
                     f"min(s.t) AS pt FROM prep e JOIN s{i - 1} s ON e.customer_id = s.customer_id "
                     f"WHERE e.stage = {q(s)} AND e.position > s.p GROUP BY e.customer_id)")
    return "WITH " + ", ".join(parts)


PEER_CODE = r'''
import json, os, resource, sys, time
os.environ["RETENTIONEERING_NO_TRACK"] = "1"
import pandas as pd
folder, mapping = sys.argv[1], json.loads(sys.argv[2])
stages = json.loads(sys.argv[3])
import retentioneering as rete
times, cpu = {}, {}
t = time.perf_counter()
df = pd.read_parquet(os.path.join(folder, "events.parquet"), columns=["customer_id", "timestamp", "event"])
stream = rete.Eventstream(df, schema={"path_cols": ["customer_id"]})
times["load"] = time.perf_counter() - t
t = time.perf_counter()
staged = stream.rename_events({e: s for e, s in mapping.items() if s})
times["evidence"] = time.perf_counter() - t
t = time.perf_counter()
f = staged.funnel_data(steps=stages)
times["funnel"] = time.perf_counter() - t
t = time.perf_counter()
tr = stream.transition_graph_data(edge_weight="count")
times["transitions"] = time.perf_counter() - t
t = time.perf_counter()
tm = staged.transition_graph_data(edge_weight="time_median")
times["time_between"] = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "peak_mb": peak,
                  "result": {"funnel": [int(s["unique_paths"]) for s in f["steps"]]}}))
'''


def ensure_peer_venv() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print("creating benchmarks/.venv with retentioneering (first run only)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "retentioneering"], check=True,
                       env={**os.environ, "RETENTIONEERING_NO_TRACK": "1"})
    return python


def run_peer(folder: Path) -> dict:
    python = ensure_peer_venv()
    import pyarrow.parquet as pq

    names = sorted(set(pq.read_table(folder / "events.parquet", columns=["event"]).column(0).to_pylist()))
    mapping = {e: s for e, _, s, _ in mapping_rows(folder, names)}
    out = subprocess.run([str(python), "-c", PEER_CODE, str(folder), json.dumps(mapping),
                          json.dumps(_journey_stages(folder))],
                         capture_output=True, text=True, env={**os.environ, "RETENTIONEERING_NO_TRACK": "1"})
    if out.returncode != 0:
        raise RuntimeError(f"retentioneering failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_worker(kind: str, folder: Path, threads: int, memory_limit: str | None) -> dict:
    if kind == "retentioneering":
        return run_peer(folder)
    cmd = [sys.executable, str(Path(__file__)), "--worker", kind, "--folder", str(folder),
           "--threads", str(threads)] + (["--memory-limit", memory_limit] if memory_limit else [])
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report

def summarise(runs: list[dict]) -> dict:
    out = {"peak_mb": max(r["peak_mb"] for r in runs), "result": runs[-1]["result"]}
    for key in ("times", "cpu"):
        if all(key in r for r in runs):
            med = {p: statistics.median(r[key][p] for r in runs) for p in PHASES}
            med["total"] = statistics.median(sum(r[key][p] for p in PHASES) for r in runs)
            out[key] = med
    return out


def table(size: str, res: dict[str, dict]) -> str:
    kinds = list(res)
    others = [k for k in kinds if k != "jmtools"]
    head = (f"{'phase':<14}" + "".join(f"{k + ' wall':>22}" for k in kinds)
            + "".join(f"{'jm/' + k[:6] + ' wall':>16}" for k in others)
            + "".join(f"{'jm/' + k[:6] + ' cpu':>15}" for k in others if "cpu" in res[k]))
    lines = [f"\n== {size} events (median of runs; wall = elapsed, cpu = CPU seconds of all threads) ==", head]
    for p in PHASES + ["total"]:
        row = f"{p:<14}" + "".join(f"{res[k]['times'][p]:>21.2f}s" for k in kinds)
        row += "".join(f"{res['jmtools']['times'][p] / res[k]['times'][p]:>15.2f}×" for k in others)
        row += "".join(f"{res['jmtools']['cpu'][p] / res[k]['cpu'][p]:>14.2f}×" for k in others if "cpu" in res[k])
        lines.append(row)
    lines.append(f"{'peak memory':<14}" + "".join(f"{res[k]['peak_mb']:>19.0f} MB" for k in kinds))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10", help="world sizes in millions of events, comma separated")
    ap.add_argument("--runs", type=int, default=3, help="runs per engine and size (median reported)")
    ap.add_argument("--peer", action="store_true", help="also time retentioneering (one run per size)")
    ap.add_argument("--big", action="store_true", help="also run jmtools once on ~100M events")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit for both engines, e.g. 1GB")
    ap.add_argument("--json", default=str(OUT / "bench_engine.json"))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        fn = {"jmtools": worker_jmtools, "duckdb": worker_duckdb}[args.worker]
        print(json.dumps(fn(Path(args.folder), args.threads, args.memory_limit)))
        return 0
    report = {}
    ok = True
    sizes = [float(s) for s in args.sizes.split(",")] + ([100.0] if args.big else [])
    for size in sizes:
        folder = world(size)
        runs = 1 if size >= 100 else args.runs
        kinds = ["jmtools"] if size >= 100 else ["jmtools", "duckdb"]
        raw_runs = {k: [] for k in kinds}
        for _ in range(runs):                  # interleaved, so that load from other work hits both
            for kind in kinds:
                raw_runs[kind].append(run_worker(kind, folder, args.threads, args.memory_limit))
        res = {k: summarise(v) for k, v in raw_runs.items()}
        if args.peer and size < 100:
            try:
                res["retentioneering"] = summarise([run_peer(folder)])
            except Exception as exc:           # report, do not hide: the table says it failed
                print(f"retentioneering failed on {size:g}M: {exc}", file=sys.stderr)
        label = f"{res['jmtools']['result']['rows']:,}"
        print(table(label, res), flush=True)
        if "duckdb" in res:
            same = res["jmtools"]["result"] == res["duckdb"]["result"]
            ok &= same
            print(f"identical results jmtools vs hand-written SQL: {same}")
        if "retentioneering" in res:
            rf = res["retentioneering"]["result"]["funnel"]
            print(f"retentioneering funnel (its own semantics): {rf}; jmtools strict funnel: "
                  f"{res['jmtools']['result']['funnel']}")
        report[f"{size:g}M"] = {k: {"times": v["times"], "cpu": v.get("cpu"), "peak_mb": v["peak_mb"]}
                                for k, v in res.items()}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"\nwritten {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
