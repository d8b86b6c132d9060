"""Benchmark: persona assignment and profiling — jmtools vs the same questions in plain engines.

Generates ``--customers`` synthetic customers (numpy, seeded; attributes like the e-commerce
sample world) and times, ``--runs`` times each:

- ``assign (ibis→duckdb)`` — ``assign_personas`` on an Ibis table over DuckDB, then customers and
  overlaps counted per persona in the engine, vs ``duckdb SQL``: the same CASE WHEN (first
  persona) and sum of matches (``n_personas``) written by hand;
- ``assign (pandas)``      — ``assign_personas`` on a pandas frame, vs ``pandas``: boolean masks
  written by hand and ``numpy.select``;
- ``sizes``                — ``persona_sizes`` (with Wilson intervals) vs ``value_counts``.

Prints the median per phase, the ratio jmtools / plain, and checks the numbers are identical.

Usage::

    python benchmarks/bench_personas.py                       # 1M customers, 3 runs
    python benchmarks/bench_personas.py --customers 200000 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time

RULES = {
    "Budget Ben": "age < 30 and price_sensitivity >= 0.6",
    "Marathon Maya": "runs_per_week >= 4",
    "New Runner Nina": "runs_per_week <= 1 and age >= 30",
    "Weekend Walter": "runs_per_week >= 2 and runs_per_week <= 3 and age >= 30",
    "App Shopper": "device == 'mobile' and acquisition_channel in ['social', 'influencer']",
}
SQL = """
SELECT persona, count(*) AS n, sum(n_personas) AS n_personas FROM (
  SELECT (CASE WHEN age < 30 AND price_sensitivity >= 0.6 THEN 1 ELSE 0 END
        + CASE WHEN runs_per_week >= 4 THEN 1 ELSE 0 END
        + CASE WHEN runs_per_week <= 1 AND age >= 30 THEN 1 ELSE 0 END
        + CASE WHEN runs_per_week >= 2 AND runs_per_week <= 3 AND age >= 30 THEN 1 ELSE 0 END
        + CASE WHEN device = 'mobile' AND acquisition_channel IN ('social', 'influencer')
               THEN 1 ELSE 0 END) AS n_personas,
  CASE
    WHEN age < 30 AND price_sensitivity >= 0.6 THEN 'Budget Ben'
    WHEN runs_per_week >= 4 THEN 'Marathon Maya'
    WHEN runs_per_week <= 1 AND age >= 30 THEN 'New Runner Nina'
    WHEN runs_per_week >= 2 AND runs_per_week <= 3 AND age >= 30 THEN 'Weekend Walter'
    WHEN device = 'mobile' AND acquisition_channel IN ('social', 'influencer') THEN 'App Shopper'
  END AS persona FROM customers) GROUP BY persona
"""


def make_customers(n: int, seed: int = 0):
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, n).astype(float)
    age[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame({
        "customer_id": pd.array([f"C{i:08d}" for i in range(n)], dtype="str"),
        "age": age,
        "price_sensitivity": rng.random(n).round(2),
        "runs_per_week": rng.integers(0, 8, n),
        "device": rng.choice(["mobile", "desktop"], n),
        "acquisition_channel": rng.choice(["social", "influencer", "search", "newsletter"], n),
    })


def timed(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def plain_pandas(df):
    import numpy as np
    import pandas as pd
    age = df["age"]
    conds = [(age < 30) & (df["price_sensitivity"] >= 0.6), df["runs_per_week"] >= 4,
             (df["runs_per_week"] <= 1) & (age >= 30),
             (df["runs_per_week"] >= 2) & (df["runs_per_week"] <= 3) & (age >= 30),
             (df["device"] == "mobile") & df["acquisition_channel"].isin(["social", "influencer"])]
    label = np.select(conds, list(RULES), default="")
    return pd.Series(label).replace("", None).value_counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import duckdb
    import ibis
    from jmtools import personas as P

    df = make_customers(args.customers)
    con = duckdb.connect()
    con.register("customers", df)
    icon = ibis.duckdb.from_connection(con)
    table = icon.table("customers")

    def jm_ibis():
        a = P.assign_personas(table, RULES)
        return a.group_by("persona").agg(n=a.count(), n_personas=a.n_personas.sum()).to_pandas()

    def sql():
        return con.execute(SQL).df()

    rows = []
    t_jm, got = timed(jm_ibis, args.runs)
    t_sql, want = timed(sql, args.runs)
    key = ["persona", "n", "n_personas"]
    same = all(sorted(zip(g.persona.fillna("-"), g.n.astype(int), g.n_personas.astype(int)))
               == sorted(zip(want.persona.fillna("-"), want.n.astype(int),
                             want.n_personas.astype(int))) for g in [got])
    rows.append(("assign (ibis→duckdb)", t_jm, t_sql, same))

    t_jm, got = timed(lambda: P.assign_personas(df, RULES), args.runs)
    t_pd, want = timed(lambda: plain_pandas(df), args.runs)
    counts = got["persona"].value_counts()
    same = all(int(counts.get(k, 0)) == int(want.get(k, 0)) for k in RULES)
    rows.append(("assign (pandas)", t_jm, t_pd, same))

    t_jm, sizes = timed(lambda: P.persona_sizes(got), args.runs)
    t_pd, vc = timed(lambda: got["persona"].value_counts(dropna=False), args.runs)
    same = all(int(sizes.set_index("persona").loc[k, "n"]) == int(vc.get(k, 0)) for k in RULES)
    rows.append(("sizes", t_jm, t_pd, same))

    print(f"{args.customers:,} customers, {len(RULES)} personas, median of {args.runs} runs")
    print(f"{'phase':<24}{'jmtools s':>11}{'plain s':>10}{'ratio':>8}  identical")
    for name, a, b, ok in rows:
        print(f"{name:<24}{a:>11.3f}{b:>10.3f}{a / b:>8.2f}  {ok}")


if __name__ == "__main__":
    main()
