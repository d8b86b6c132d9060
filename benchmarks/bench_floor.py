"""Benchmark: jmtools against the strongest DuckDB SQL for the same questions (DuckDB's floor).

The questions: load the event log → map events to journey stages → strict stage funnel and
time between stages → event transitions (pairs, transitions, customers). Three pipelines run in
fresh subprocesses, interleaved (jmtools, floor SQL, old SQL, jmtools, …), on the same data:

- ``jmtools``  — ``load_events`` → ``prepare`` → ``funnel`` / ``transitions`` /
  ``time_between_stages`` (validation, accounting, every column the analyses promise);
- ``floor``    — the fastest SQL found for the same answers, written as a DuckDB user would,
  independently of jmtools' plan (:data:`FLOOR_SQL`, chosen among :data:`VARIANTS` with
  ``--explore``): the event name is read as an ENUM, stages are a ``CASE`` to a 1-byte index,
  the strict funnel and the time between stages come from one chain over the stage-mapped
  events only, and transitions from one window over 1-byte event codes;
- ``old``      — the earlier hand-written baseline of ``bench_engine.py`` (it follows jmtools'
  own plan: a 9-column windowed table with names joined in, funnel chain built twice), kept as
  a second column only;
- ``retentioneering`` (``--rete-python PATH``) — the open-source peer in its own virtual
  environment (``benchmarks/bench_retentioneering.py``, ``RETENTIONEERING_NO_TRACK=1``).

Each worker times its own questions (imports before the clock); the parent reads every child's
CPU seconds and peak RSS from ``os.wait4`` (all threads, the whole process). Reported: medians
of the runs, jmtools / floor ratios of wall, CPU and peak RSS, with the old baseline beside it,
and a check that every pipeline gives identical numbers. ``--memory-limit 1GB`` caps DuckDB
(both sides) and reports the spill: the peak size of the DuckDB temporary folder.

Usage (data stays outside the repository; generated worlds go to ``--out``)::

    python benchmarks/bench_floor.py --sizes 1,10 --runs 3
    python benchmarks/bench_floor.py --data /path/to/world        # events.parquet + journey.yaml
    python benchmarks/bench_floor.py --sizes 1 --explore           # time every SQL formulation
    python benchmarks/bench_floor.py --sizes 10 --rete-python /work/wt/_retevenv/bin/python
    python benchmarks/bench_floor.py --data big/ --runs 1 --memory-limit 1GB
    python benchmarks/bench_floor.py --sizes 10 --dates-only       # the same world, dates only

``--dates-only`` runs on a copy of each world with every time cut to its date (written once
under ``--out``): jmtools then takes one customer's events of a day in journey order (D45), and
the floor SQL does the same with the ENUM of event names declared in that order, so that
``ORDER BY ts, event, rn`` is the whole rule.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EVENTS_PER_CUSTOMER = 12.45          # e-commerce world: measured on the committed sample
DEFAULT_OUT = Path(tempfile.gettempdir()) / "jmtools-bench"


# ----------------------------------------------------------------------------- data

def world(millions: float, out: Path, kind: str = "ecommerce", per_customer: float = EVENTS_PER_CUSTOMER) -> Path:
    """Folder with a generated world (``kind``, about ``per_customer`` events per customer) of
    about ``millions`` million events (made once)."""
    folder = out / f"{kind}_{millions:g}m"
    if not (folder / "events.parquet").exists():
        sys.path.insert(0, str(ROOT))
        from jmtools.sample_worlds import generate_world

        customers = int(round(millions * 1_000_000 / per_customer))
        print(f"generating {folder} ({customers:,} customers)…", flush=True)
        generate_world(kind, folder, customers=customers, fmt="parquet", chunk_customers=100_000)
    return folder


def knowledge(folder: Path) -> dict:
    """What the SQL author knows about the data before writing a query (not timed): the event
    names with their stage index (from the journey's patterns), the journey's stages, and the
    event names recorded with dates only (every timestamp at midnight), which sort at day end."""
    import duckdb

    sys.path.insert(0, str(ROOT))
    from jmtools.evidence import map_events
    from jmtools.journey import Journey

    journey = Journey.load(folder / "journey.yaml")
    path = _sql_path(folder)
    rows = duckdb.sql(f"""SELECT event, count(*) = count(*) FILTER (date_trunc('day', "timestamp") = "timestamp")
                          FROM read_parquet({path}) GROUP BY event ORDER BY event""").fetchall()
    names = [r[0] for r in rows]
    m = map_events(names, journey)
    stage_of = {e: (None if s is None or str(s) == "<NA>" else int(s))
                for e, s in zip(m["event"], m["stage_index"].astype(object).where(m["stage_index"].notna(), None))}
    midnight = [e for e, whole in rows if whole]
    dates_only = bool(names) and len(midnight) == len(names)
    date_only = [] if dates_only else [
        e for e in midnight if duckdb.sql(f"SELECT count(*) FROM read_parquet({path}) WHERE event = ?",
                                          params=[e]).fetchone()[0] >= 3]
    return {"events": journey_order(names, journey) if dates_only else names, "stage_of": stage_of,
            "stages": list(journey.stage_names), "date_only": date_only, "dates_only": dates_only}


def journey_order(names: list[str], journey) -> list[str]:
    """Event names in the order a log of dates only takes them within one day (D45): contacts
    the company starts first, then the earliest stage of the touchpoints whose pattern matches
    the name, then the first of those touchpoints in file order, then the name; names no
    touchpoint matches last."""
    from jmtools.evidence._rules import candidates, touchpoint_rules

    stages, rules = touchpoint_rules(journey)
    stage_of = [stages.index(r.stage) for r in rules]
    last = (True, len(stages), len(rules))

    def key(name):
        idx = cands[name]
        first = min(idx, key=lambda i: (stage_of[i], i)) if idx else None
        return (*((rules[first].initiated_by != "company", stage_of[first], first) if idx else last), name)

    cands = candidates(names, rules)
    return sorted(names, key=key)


def dates_only_world(folder: Path, out: Path) -> Path:
    """A copy of the world's events with every time cut to its date (rows in the same order),
    made once under ``out`` (outside the repository), with the same journey file."""
    import duckdb

    target = out / f"{folder.name}_dates"
    if not (target / "events.parquet").exists():
        print(f"writing {target}: the events of {folder} with dates only…", flush=True)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "journey.yaml", target / "journey.yaml")
        con = duckdb.connect(config={"threads": 2, "preserve_insertion_order": True})
        con.execute("SET enable_progress_bar = false")     # not a global option in DuckDB 1.x
        tmp = target / "events.parquet.part"
        con.execute(f"""COPY (SELECT * REPLACE (CAST(CAST("timestamp" AS DATE) AS TIMESTAMP) AS "timestamp")
                              FROM read_parquet({_sql_path(folder)})) TO '{str(tmp).replace("'", "''")}'
                        (FORMAT parquet)""")
        tmp.rename(target / "events.parquet")
    return target


def _sql_path(folder: Path) -> str:
    return "'" + str(folder / "events.parquet").replace("'", "''") + "'"


# ----------------------------------------------------------------------------- the floor SQL

def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _stage_case(k: dict, col: str = "event") -> str:
    """``CASE`` from event name to its 1-byte stage index (NULL: no stage)."""
    by_stage: dict[int, list[str]] = {}
    for e, s in k["stage_of"].items():
        if s is not None:
            by_stage.setdefault(s, []).append(e)
    whens = " ".join(f"WHEN {col} IN ({', '.join(map(_lit, names))}) THEN {s}"
                     for s, names in sorted(by_stage.items()))
    return f"CAST(CASE {whens} END AS UTINYINT)"


def _order_cols(k: dict, p: str = "") -> list[str]:
    """Time order of events: date-only event kinds at the end of their day. In a log of dates
    only, the day, then the event name's rank in journey order (:func:`journey_order`): the ENUM
    is declared in that order, so the event itself is that rank (as text: a ``CASE``)."""
    if k.get("dates_only"):
        return [f"{p}ts", f"{p}event" if k.get("enum") else _journey_rank(k, f"{p}event")]
    if not k["date_only"]:
        return [f"{p}ts"]
    names = ", ".join(map(_lit, k["date_only"]))
    return [f"CASE WHEN {p}event IN ({names}) THEN {p}ts + INTERVAL 86399 SECOND ELSE {p}ts END"]


def _journey_rank(k: dict, col: str) -> str:
    whens = " ".join(f"WHEN {_lit(e)} THEN {i}" for i, e in enumerate(k["events"]))
    return f"CAST(CASE {col} {whens} END AS UTINYINT)"


def _order_key(k: dict, p: str = "") -> str:
    """The ``ORDER BY`` list of the time order, without the row tie-breaker."""
    return ", ".join(_order_cols(k, p))


def _order_struct(k: dict, p: str = "") -> str:
    """The time order and the row as one comparable value (a struct compares field by field)."""
    fields = [f"'k{i}': {c}" for i, c in enumerate(_order_cols(k, p))]
    return "{" + ", ".join([*fields, f"'r': {p}rn"]) + "}"


def sql_load(k: dict, path: str, how: str) -> list[str]:
    """Load: the three columns plus the file row (tie-breaker), as a table."""
    if how == "enum":
        names = ", ".join(map(_lit, k["events"]))
        return [f"CREATE TYPE ev_name AS ENUM ({names})",
                f"""CREATE TABLE ev AS SELECT customer_id, "timestamp" AS ts, CAST(event AS ev_name) AS event,
                    file_row_number AS rn FROM read_parquet({path}, file_row_number = true)"""]
    return [f"""CREATE TABLE ev AS SELECT customer_id, "timestamp" AS ts, event, file_row_number AS rn
                FROM read_parquet({path}, file_row_number = true)"""]


def sql_stage(k: dict, how: str) -> list[str]:
    """The stage-mapped events only, with a 1-byte stage index (and a position, for ``pos``)."""
    key = _order_key(k)
    case = _stage_case(k)
    if how == "pos":
        return [f"""CREATE TABLE st AS SELECT customer_id, ts, s,
                    row_number() OVER (PARTITION BY customer_id ORDER BY {key}, rn) AS pos
                    FROM (SELECT customer_id, ts, rn, event, {case} AS s FROM ev) WHERE s IS NOT NULL"""]
    if how == "struct":
        return [f"""CREATE TABLE st AS SELECT customer_id, ts, {_order_struct(k)} AS o, s
                    FROM (SELECT customer_id, ts, rn, event, {case} AS s FROM ev) WHERE s IS NOT NULL"""]
    return []                                  # "inline": the chain reads ev directly


def sql_chain(k: dict, how: str) -> str:
    """Strict funnel and time between stages in one query: s_k is the first event of stage k
    after the event that reached stage k − 1; one aggregate gives n, median and p90 per step."""
    n = len(k["stages"])
    if how == "pos":
        src, first, later, after = "st", "min(pos) AS p", "min(e.pos) AS p", "e.pos > prev.p"
        cond = "e.s = {i}"
    elif how == "struct":
        src, first, later, after = "st", "min(o) AS p", "min(e.o) AS p", "e.o > prev.p"
        cond = "e.s = {i}"
    else:
        key = _order_struct(k, "e.")
        src = "ev"
        first = later = f"min({key}) AS p"
        after = f"{key} > prev.p"
        cond = _stage_case(k, "e.event") + " = {i}"
    parts = [f"s1 AS (SELECT e.customer_id, {first}, min(e.ts) AS t FROM {src} e "
             f"WHERE {cond.format(i=1)} GROUP BY e.customer_id)"]
    for i in range(2, n + 1):
        parts.append(f"s{i} AS (SELECT e.customer_id, {later}, min(e.ts) AS t, any_value(prev.t) AS pt "
                     f"FROM {src} e JOIN s{i - 1} prev ON e.customer_id = prev.customer_id "
                     f"WHERE {cond.format(i=i)} AND {after} GROUP BY e.customer_id)")
    steps = " UNION ALL ".join(
        [f"SELECT 1 AS k, NULL::DOUBLE AS d FROM s1"]
        + [f"SELECT {i}, epoch(t) - epoch(pt) FROM s{i}" for i in range(2, n + 1)])
    return (f"WITH {', '.join(parts)} SELECT k, count(*) AS n, median(d), quantile_cont(d, 0.9) "
            f"FROM ({steps}) GROUP BY k ORDER BY k")


def sql_transitions(k: dict, how: str) -> str:
    """Event → next event of the same customer: transitions and customers per pair."""
    key = _order_key(k)
    nxt = f"SELECT customer_id, event, lead(event) OVER (PARTITION BY customer_id ORDER BY {key}, rn) AS nxt FROM ev"
    if how == "twolevel":
        return (f"SELECT event, nxt, sum(c) AS n, count(*) AS n_customers FROM ("
                f"SELECT customer_id, event, nxt, count(*) AS c FROM ({nxt}) WHERE nxt IS NOT NULL "
                f"GROUP BY ALL) GROUP BY ALL")
    return (f"SELECT event, nxt, count(*) AS n, count(DISTINCT customer_id) AS n_customers "
            f"FROM ({nxt}) WHERE nxt IS NOT NULL GROUP BY ALL")


#: Formulations tried with ``--explore`` (load, stage table, chain, transitions).
VARIANTS = {
    "text/pos/distinct": ("text", "pos", "distinct"),
    "text/struct/distinct": ("text", "struct", "distinct"),
    "text/inline/twolevel": ("text", "inline", "twolevel"),
    "enum/pos/distinct": ("enum", "pos", "distinct"),
    "enum/struct/distinct": ("enum", "struct", "distinct"),
    "enum/struct/twolevel": ("enum", "struct", "twolevel"),
    "enum/inline/distinct": ("enum", "inline", "distinct"),
    "enum/inline/twolevel": ("enum", "inline", "twolevel"),
}
#: The fastest formulation (see the module docstring and ``--explore``).
FLOOR_SQL = "enum/struct/distinct"


def floor_statements(k: dict, path: str, variant: str = FLOOR_SQL) -> dict[str, list[str]]:
    """The floor's SQL per phase: ``load``, ``stages``, ``funnel_time``, ``transitions``."""
    load, stage, trans = VARIANTS[variant]
    k = {**k, "enum": load == "enum"}
    return {"load": sql_load(k, path, load), "stages": sql_stage(k, stage),
            "funnel_time": [sql_chain(k, stage)], "transitions": [sql_transitions(k, trans)]}


# ----------------------------------------------------------------------------- workers

def _connect_duckdb(threads: int, memory_limit: str | None, temp: str):
    import duckdb

    config = {"threads": threads, "temp_directory": temp}
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(config=config)
    con.execute("SET TimeZone = 'UTC'")
    return con


def worker_floor(folder: Path, k: dict, threads: int, memory_limit: str | None, temp: str,
                 variant: str = FLOOR_SQL) -> dict:
    con = _connect_duckdb(threads, memory_limit, temp)
    sql = floor_statements(k, _sql_path(folder), variant)
    times = {}
    results = {}
    c_all, t_all = time.process_time(), time.perf_counter()
    for phase, statements in sql.items():
        t = time.perf_counter()
        for s in statements:
            cur = con.execute(s)
        if phase in ("funnel_time", "transitions"):
            results[phase] = cur.fetchall()
        times[phase] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t_all
    times["cpu"] = time.process_time() - c_all
    rows = con.execute("SELECT count(*) FROM ev").fetchone()[0]
    stages = k["stages"]
    ft = {r[0]: r for r in results["funnel_time"]}
    result = {"funnel": [int(ft[i][1]) if i in ft else 0 for i in range(1, len(stages) + 1)],
              "transitions": sorted([str(a), str(b), int(n), int(c)] for a, b, n, c in results["transitions"]),
              "time_between": [[int(ft[i][1]), round(float(ft[i][2]), 6), round(float(ft[i][3]), 6)]
                               if i in ft else [0, None, None] for i in range(2, len(stages) + 1)],
              "rows": int(rows)}
    return {"times": times, "result": result}


def worker_jmtools(folder: Path, k: dict, threads: int, memory_limit: str | None, temp: str) -> dict:
    import ibis
    import pandas  # noqa: F401  (imports before the clock starts)

    from jmtools.analyses.funnels import funnel, time_between_stages, transitions
    from jmtools.core.engine import set_default_connection
    from jmtools.evidence import prepare
    from jmtools.journey import Journey
    from jmtools.sources import load_events

    opts = {"threads": threads, "temp_directory": temp}
    if memory_limit:
        opts["memory_limit"] = memory_limit
    set_default_connection(ibis.duckdb.connect(**opts))
    journey = Journey.load(folder / "journey.yaml")
    times = {}
    c_all, t_all = time.process_time(), time.perf_counter()
    t = t_all
    ev = load_events(folder / "events.parquet", optional=False)
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    e = prepare(ev, journey)
    times["stages"] = time.perf_counter() - t
    t = time.perf_counter()
    f = funnel(e)
    tb = time_between_stages(e)
    times["funnel_time"] = time.perf_counter() - t
    t = time.perf_counter()
    tr = transitions(e)
    times["transitions"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t_all
    times["cpu"] = time.process_time() - c_all
    result = {"funnel": [int(n) for n in f["n"]],
              "transitions": sorted([a, b, int(n), int(c)] for a, b, n, c in
                                    zip(tr.from_step, tr.to_step, tr.n, tr.n_customers)),
              "time_between": [[int(n), round(float(m), 6), round(float(p), 6)]
                               for n, m, p in zip(tb.n, tb.median_s, tb.p90_s)],
              "rows": int(ev.accounting.rows_used)}
    return {"times": times, "result": result}


def worker_old(folder: Path, k: dict, threads: int, memory_limit: str | None, temp: str) -> dict:
    """The earlier baseline of bench_engine.py (jmtools' own plan written in SQL)."""
    sys.path.insert(0, str(HERE))
    import bench_engine

    bench_engine.OUT = Path(temp).parent
    out = bench_engine.worker_duckdb(folder, threads, memory_limit)
    times = {"load": out["times"]["load"], "stages": out["times"]["evidence"],
             "funnel_time": out["times"]["funnel"] + out["times"]["time_between"],
             "transitions": out["times"]["transitions"]}
    times["total"] = sum(times.values())
    times["cpu"] = sum(out["cpu"].values())
    return {"times": times, "result": out["result"]}


WORKERS = {"jmtools": worker_jmtools, "floor": worker_floor, "old": worker_old}
PHASES = ["load", "stages", "funnel_time", "transitions", "total"]


def _dir_size(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def run_child(cmd: list[str], env: dict, temp: str | None = None) -> dict:
    """Run one worker process; add its CPU seconds and peak RSS (os.wait4) and peak spill."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    spill = [0]
    stop = threading.Event()

    def watch():
        while not stop.wait(0.25):
            if temp and os.path.isdir(temp):
                spill[0] = max(spill[0], _dir_size(temp))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out_text = proc.stdout.read()
    err_text = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed ({' '.join(cmd[:4])} …):\n{err_text[-3000:]}")
    out = json.loads(out_text.strip().splitlines()[-1])
    out["process_wall"] = time.perf_counter() - t
    out["cpu"] = usage.ru_utime + usage.ru_stime
    out["peak_mb"] = usage.ru_maxrss / 1024
    out["spill_mb"] = spill[0] / 2**20
    return out


def set_up(args, out: Path) -> list:
    """Generate the worlds (once) and read what the SQL author knows about each, in a child
    process: the parent stays small, since on Linux a child's peak RSS (``ru_maxrss``) starts
    from the parent's resident size when it forks — a parent that had read a world in DuckDB
    gave every pipeline the same 530 MB peak at 1M events."""
    cmd = [sys.executable, str(Path(__file__)), "--setup", "--out", str(out), "--sizes", args.sizes]
    cmd += [a for d in args.data for a in ("--data", d)] + (["--dates-only"] if args.dates_only else [])
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, check=True)
    *said, last = done.stdout.strip().splitlines()
    print(*said, sep="\n", flush=True) if said else None       # "generating …"
    return [(Path(f), k) for f, k in json.loads(last)]


def run_worker(kind: str, folder: Path, k: dict, args, variant: str | None = None) -> dict:
    temp = tempfile.mkdtemp(prefix=f"jm-bench-{kind}-", dir=args.out)
    try:
        if kind == "retentioneering":
            cmd = [args.rete_python, str(HERE / "bench_retentioneering.py"), str(folder), json.dumps(k)]
            env = {**os.environ, "RETENTIONEERING_NO_TRACK": "1"}
            env.pop("PYTHONPATH", None)
        else:
            cmd = [sys.executable, str(Path(__file__)), "--worker", kind, "--folder", str(folder),
                   "--threads", str(args.threads), "--temp", temp, "--knowledge", json.dumps(k)]
            cmd += ["--memory-limit", args.memory_limit] if args.memory_limit else []
            cmd += ["--variant", variant] if variant else []
            root = args.before if kind == "before" else str(ROOT)
            cmd[1:4] = [cmd[1], "--worker", "jmtools" if kind == "before" else kind]
            env = {**os.environ, "PYTHONPATH": root}
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # imports read compiled bytecode, as on a
            compileall.compile_dir(Path(root) / "jmtools", quiet=1)  # user's machine (D83)
        return run_child(cmd, env, temp)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


# ----------------------------------------------------------------------------- report

def summarise(runs: list[dict]) -> dict:
    med = lambda key: statistics.median(r[key] for r in runs)
    return {"wall": med("wall"), "cpu": med("cpu"), "peak_mb": med("peak_mb"),
            "cpu_timed": statistics.median(r.get("cpu_timed", r["cpu"]) for r in runs),
            "spill_mb": max(r["spill_mb"] for r in runs), "process_wall": med("process_wall"),
            "phases": {p: statistics.median(r["times"][p] for r in runs) for p in PHASES},
            "result": runs[-1]["result"], "runs": len(runs)}


def table(label: str, res: dict) -> str:
    kinds = list(res)
    lines = [f"\n== {label} (medians of {res['jmtools']['runs']} interleaved runs; wall = timed questions, "
             "cpu = CPU-s of the whole process, peak = max RSS) =="]
    head = f"{'':<14}" + "".join(f"{k:>16}" for k in kinds)
    lines.append(head)
    for p in PHASES:
        lines.append(f"{p + ' s':<14}" + "".join(f"{res[k]['phases'][p]:>16.2f}" for k in kinds))
    lines.append(f"{'process wall s':<14}" + "".join(f"{res[k]['process_wall']:>16.2f}" for k in kinds))
    lines.append(f"{'cpu s':<14}" + "".join(f"{res[k]['cpu']:>16.2f}" for k in kinds))
    lines.append(f"{'cpu timed s':<14}" + "".join(f"{res[k]['cpu_timed']:>16.2f}" for k in kinds))
    lines.append(f"{'peak MB':<14}" + "".join(f"{res[k]['peak_mb']:>16.0f}" for k in kinds))
    lines.append(f"{'spill MB':<14}" + "".join(f"{res[k]['spill_mb']:>16.0f}" for k in kinds))
    lines.append("ratios jmtools / baseline:")
    for other in [k for k in kinds if k != "jmtools"]:
        r = res[other]
        j = res["jmtools"]
        lines.append(f"  vs {other:<16} wall {j['phases']['total'] / r['phases']['total']:.2f}×   "
                     f"cpu {j['cpu'] / r['cpu']:.2f}× (timed {j['cpu_timed'] / r['cpu_timed']:.2f}×)   peak {j['peak_mb'] / r['peak_mb']:.2f}×"
                     + (f"   spill {j['spill_mb'] / r['spill_mb']:.2f}×" if r["spill_mb"] > 1 else ""))
    return "\n".join(lines)


def compare_results(res: dict) -> list[str]:
    out = []
    ref = res["jmtools"]["result"]
    for kind, r in res.items():
        if kind == "jmtools":
            continue
        mine = r["result"]
        keys = [key for key in ("funnel", "transitions", "time_between", "rows") if key in mine]
        same = {key: mine[key] == ref[key] for key in keys}
        out.append(f"identical results jmtools vs {kind}: {all(same.values())} "
                   f"({', '.join(f'{key}={v}' for key, v in same.items())})")
    return out


def explore(folder: Path, k: dict, args) -> None:
    """Time every SQL formulation (interleaved, median of ``args.runs``) and check they agree."""
    runs = {v: [] for v in VARIANTS}
    for _ in range(args.runs):
        for v in VARIANTS:
            runs[v].append(run_worker("floor", folder, k, args, variant=v))
    results = set()
    print(f"\n{'variant':<24}" + "".join(f"{p:>13}" for p in PHASES) + f"{'cpu':>9}{'peak MB':>9}")
    for v, rs in runs.items():
        s = summarise(rs)
        results.add(json.dumps(s["result"], sort_keys=True))
        print(f"{v:<24}" + "".join(f"{s['phases'][p]:>13.2f}" for p in PHASES)
              + f"{s['cpu']:>9.2f}{s['peak_mb']:>9.0f}")
    print(f"all formulations agree: {len(results) == 1}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", action="append", default=[], help="folder with events.parquet and journey.yaml")
    ap.add_argument("--sizes", default="", help="generated world sizes in millions of events, e.g. 1,10")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="where generated worlds and spill go")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kinds", default="jmtools,floor,old", help="pipelines, comma separated")
    ap.add_argument("--rete-python", default=None, help="python of a venv with retentioneering")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit for every pipeline, e.g. 1GB")
    ap.add_argument("--before", default=None, help="a checkout of jmtools to time as kind 'before' "
                    "(e.g. main, to measure a change)")
    ap.add_argument("--explore", action="store_true", help="time every SQL formulation instead")
    ap.add_argument("--dates-only", action="store_true", help="run on a copy of each world whose "
                    "times are cut to dates (made once under --out); same day in journey order")
    ap.add_argument("--json", default=None, help="write the summary here")
    for hidden in ("--worker", "--folder", "--temp", "--knowledge", "--variant"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    ap.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.setup:
        out = Path(args.out)
        folders = [Path(d) for d in args.data] + [world(float(s), out) for s in args.sizes.split(",") if s]
        if args.dates_only:
            folders = [dates_only_world(f, out) for f in folders]
        print(json.dumps([[str(f), knowledge(f)] for f in folders]))
        return 0
    if args.worker:
        fn = WORKERS[args.worker]
        extra = {"variant": args.variant} if args.variant else {}
        out = fn(Path(args.folder), json.loads(args.knowledge), int(args.threads), args.memory_limit,
                 args.temp, **extra)
        out["wall"] = out["times"]["total"]
        out["cpu_timed"] = out["times"].pop("cpu")      # the questions only (all threads), no imports
        print(json.dumps(out))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    setup = set_up(args, out)                   # (folder, knowledge) per world, made in a child
    kinds = [x for x in args.kinds.split(",") if x]
    report, ok = {}, True
    for folder, k in setup:
        if args.explore:
            explore(folder, k, args)
            continue
        raw = {kind: [] for kind in kinds}
        for _ in range(args.runs):                       # interleaved: load from others hits all
            for kind in kinds:
                raw[kind].append(run_worker(kind, folder, k, args))
        res = {kind: summarise(v) for kind, v in raw.items()}
        if args.rete_python:
            try:
                r = run_worker("retentioneering", folder, k, args)
                r["wall"] = r["times"]["total"]
                res["retentioneering"] = summarise([r])
            except Exception as exc:                     # say it failed, never hide it
                print(f"retentioneering failed on {folder.name}: {exc}", file=sys.stderr)
        label = f"{folder.name}: {res['jmtools']['result']['rows']:,} events"
        print(table(label, res), flush=True)
        for line in compare_results(res):
            print(line)
            ok &= "True" in line.split(":")[1] if "retentioneering" not in line else True
        report[str(folder)] = {kind: {key: v[key] for key in ("wall", "cpu", "cpu_timed", "peak_mb", "spill_mb", "phases")}
                               for kind, v in res.items()}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
