"""Benchmark: ``funnels.loops`` against the strongest DuckDB SQL for the same question.

The question (every report asks it for its pain-point signals): per touchpoint, how many
customers come to it and how many come back to it after leaving it within one round (a
round ends at an order: ``occurrence`` on a touchpoint), leaving out the company's own
contacts and the touchpoints that exist to be repeated. Both sides start from the same
prepared table (the evidence's narrow table: integer codes, one row per event, in each
customer's order), built once and not timed, so that only the question is compared; loading
and preparing are compared by ``bench_floor.py``.

- ``jmtools`` — ``loops(evidence, level="touchpoint")`` (names joined back, shares, intervals);
- ``sql``     — the fastest of :data:`VARIANTS`, written as a DuckDB user would: one window
  (the next touchpoint and the running count of orders, on one sort) keeps each visit's last
  event, then two small group-bys. ``--explore`` times every variant.

Runs are interleaved in one process (jmtools, sql, jmtools, …); printed are the medians of
wall and CPU seconds (all threads) and the jmtools / SQL ratios, and whether the counts are
identical.

Usage (data stays outside the repository)::

    python benchmarks/bench_loops.py --data /path/to/world --runs 5    # events.* + journey.yaml
    python benchmarks/bench_loops.py --sizes 1,10 --runs 5              # generated grocery worlds
    python benchmarks/bench_loops.py --sizes 1 --explore

Grocery is the sample world whose journey marks its orders (rounds); worlds are generated
once into ``--out`` (default: the system's temporary folder).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EVENTS_PER_CUSTOMER = 30.0          # grocery: about 30 events per customer (generate_world's docstring)

#: Formulations of the question in SQL. ``{t}`` is the prepared table, ``{company}``,
#: ``{ends}`` and ``{repeating}`` lists of touchpoint codes (``-1`` when empty), ``{rnd}`` the
#: round of an event over window ``w`` (the orders before it; ``0`` when no touchpoint ends one).
VARIANTS = {
    # one window: the next touchpoint and the orders so far; a visit is kept as its last event
    "lead_one_window": """
        WITH s AS (
            SELECT customer_id, _tp AS tp, lead(_tp) OVER w AS nxt,
                   {rnd} AS rnd
            FROM {t} WHERE _tp IS NOT NULL AND _tp NOT IN ({company})
            WINDOW w AS (PARTITION BY customer_id ORDER BY position)),
        v AS (SELECT customer_id, tp, rnd, count(*) AS v FROM s
              WHERE nxt IS DISTINCT FROM tp AND tp NOT IN ({repeating}) GROUP BY ALL),
        c AS (SELECT customer_id, tp, max(v) AS v, sum(v) FILTER (WHERE v > 1) AS lv FROM v GROUP BY ALL)
        SELECT tp, count(*) AS n_visitors, count(*) FILTER (WHERE v > 1) AS n,
               sum(lv) FILTER (WHERE v > 1) AS loop_visits FROM c GROUP BY tp""",
    # the same with QUALIFY (no filter after the window's subquery)
    "lead_qualify": """
        WITH v AS (
            SELECT customer_id, tp, rnd, count(*) AS v FROM (
                SELECT customer_id, _tp AS tp, {rnd} AS rnd
                FROM {t} WHERE _tp IS NOT NULL AND _tp NOT IN ({company})
                WINDOW w AS (PARTITION BY customer_id ORDER BY position)
                QUALIFY lead(_tp) OVER w IS DISTINCT FROM _tp)
            WHERE tp NOT IN ({repeating}) GROUP BY ALL),
        c AS (SELECT customer_id, tp, max(v) AS v, sum(v) FILTER (WHERE v > 1) AS lv FROM v GROUP BY ALL)
        SELECT tp, count(*) AS n_visitors, count(*) FILTER (WHERE v > 1) AS n,
               sum(lv) FILTER (WHERE v > 1) AS loop_visits FROM c GROUP BY tp""",
    # gaps and islands: two row numbers (two sorts), runs grouped
    "islands": """
        WITH s AS (
            SELECT customer_id, _tp AS tp,
                   row_number() OVER (PARTITION BY customer_id ORDER BY position)
                   - row_number() OVER (PARTITION BY customer_id, _tp ORDER BY position) AS run,
                   sum(CAST(_tp IN ({ends}) AS INT)) OVER (PARTITION BY customer_id ORDER BY position)
                   - CAST(_tp IN ({ends}) AS INT) AS rnd
            FROM {t} WHERE _tp IS NOT NULL AND _tp NOT IN ({company})),
        r AS (SELECT customer_id, tp, max(rnd) AS rnd FROM s WHERE tp NOT IN ({repeating})
              GROUP BY customer_id, tp, run),
        v AS (SELECT customer_id, tp, rnd, count(*) AS v FROM r GROUP BY ALL),
        c AS (SELECT customer_id, tp, max(v) AS v, sum(v) FILTER (WHERE v > 1) AS lv FROM v GROUP BY ALL)
        SELECT tp, count(*) AS n_visitors, count(*) FILTER (WHERE v > 1) AS n,
               sum(lv) FILTER (WHERE v > 1) AS loop_visits FROM c GROUP BY tp""",
}
FLOOR = "lead_one_window"


def world(millions: float, out: Path) -> Path:
    """A generated grocery world of about ``millions`` million events (made once under ``out``)."""
    sys.path.insert(0, str(HERE))
    from bench_floor import world as generated

    return generated(millions, out, kind="grocery", per_customer=EVENTS_PER_CUSTOMER)


def prepared(folder: Path, threads: int):
    """The evidence of ``folder`` (not timed) and what the SQL author knows: the table's name and
    the touchpoint codes of the company's contacts, of the round ends and of the repeated ones."""
    import ibis

    sys.path.insert(0, str(ROOT))
    from jmtools.analyses.funnels.paths import _repeating, _round_ends
    from jmtools.core.engine import set_default_connection
    from jmtools.evidence import prepare
    from jmtools.journey import Journey
    from jmtools.sources import load_events

    set_default_connection(ibis.duckdb.connect(threads=threads))
    events = next(p for p in sorted(folder.glob("events.*")) if p.suffix in (".parquet", ".csv", ".gz"))
    evidence = prepare(load_events(events, optional=False), Journey.load(folder / "journey.yaml"))
    code = {name: i + 1 for i, name in enumerate(evidence.touchpoints)}
    codes = lambda names: ", ".join(str(code[n]) for n in names) or "-1"
    knows = {"t": evidence.narrow.op().name, "company": codes(evidence.company_touchpoints),
             "ends": codes(_round_ends(evidence)), "repeating": codes(_repeating(evidence))}
    knows["rnd"] = ("0" if knows["ends"] == "-1" else
                    "sum(CAST(_tp IN ({ends}) AS INT)) OVER w - CAST(_tp IN ({ends}) AS INT)".format(**knows))
    return evidence, knows, code


def run_jmtools(evidence):
    from jmtools.analyses.funnels import loops

    r = loops(evidence, level="touchpoint")
    return {str(s): (int(v), int(n)) for s, v, n in zip(r["step"], r["n_visitors"], r["n"])}


def run_sql(con, sql, names):
    rows = con.execute(sql).fetchall()
    return {names[tp]: (int(v), int(n)) for tp, v, n, _ in rows}


def timed(fn):
    c, t = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def bench(folder: Path, runs: int, threads: int, variants: list[str]) -> list[str]:
    from jmtools.core.engine import default_connection

    evidence, knows, code = prepared(folder, threads)
    con = default_connection().con
    names = {c: n for n, c in code.items()}
    sql = {v: VARIANTS[v].format(**knows) for v in variants}
    times = {k: [] for k in ["jmtools", *variants]}
    results = {}
    for _ in range(runs):                      # interleaved
        out, wall, cpu = timed(lambda: run_jmtools(evidence))
        results["jmtools"] = out
        times["jmtools"].append((wall, cpu))
        for v in variants:
            out, wall, cpu = timed(lambda: run_sql(con, sql[v], names))
            results[v] = out
            times[v].append((wall, cpu))
    ref = results["jmtools"]
    rows = evidence.narrow.count().execute()
    lines = [f"\n== loops at touchpoint level, {folder.name}: {rows:,} events (median of {runs} interleaved runs) ==",
             f"{'':<18}{'wall s':>9}{'cpu s':>9}{'jm/x wall':>11}{'jm/x cpu':>10}  identical counts"]
    med = {k: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for k, t in times.items()}
    for k, (w, c) in med.items():
        ratio = "" if k == "jmtools" else f"{med['jmtools'][0] / w:>10.2f}×{med['jmtools'][1] / c:>9.2f}×"
        lines.append(f"{k:<18}{w:>9.3f}{c:>9.3f}{ratio:>21}  {results[k] == ref}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="a world folder (events.parquet or events.csv, journey.yaml)")
    ap.add_argument("--sizes", default="1", help="generated grocery worlds, millions of events, comma separated")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--explore", action="store_true", help="time every SQL formulation, not only the fastest")
    ap.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "jmtools-bench"))
    args = ap.parse_args(argv)
    variants = list(VARIANTS) if args.explore else [FLOOR]
    folders = [Path(args.data)] if args.data else [world(float(s), Path(args.out)) for s in args.sizes.split(",")]
    identical = True
    for folder in folders:
        lines = bench(folder, args.runs, args.threads, variants)
        identical &= all(line.endswith("True") for line in lines[2:])
        print("\n".join(lines), flush=True)
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
