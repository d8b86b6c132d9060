"""Benchmark: a fixed number of themes (10) against the measured one (``n_themes="auto"``).

Runs :func:`jmtools.analyses.themes.find_themes` both ways on text whose themes are known and
prints, per data set and setting: the themes found, how well they recover the planted themes
(adjusted Rand index and normalised mutual information with the planted theme of each text,
homogeneity — a found theme holds one planted theme — and completeness — a planted theme
stays in one found theme —, and how many planted themes have a found theme with a Jaccard
overlap ≥ 0.5), the share of texts left unassigned, and CPU-seconds (median of interleaved
repeats, user + system time of this process).

Data sets:

- the bundled sample worlds with feedback (``sample:ecommerce``, ``sample:b2b``; the grocery
  world has no feedback): each text's planted theme is the theme whose sentence it contains
  (``jmtools.sample_worlds.<world>.THEMES``); complaints and praise are themed separately, as
  notebook 04 does;
- generated text with 3, 6 and 12 planted themes of unequal sizes, brand handles, URLs and
  contraction stubs around them (seeded, made here; ``--draws`` data sets each);
- small files: 100 feedback rows drawn from each sample world, and 100 generated texts with
  6 planted themes;
- optionally a real corpus: ``--airline PATH`` (Twitter US Airline Sentiment, ``Tweets.csv``,
  kept outside the repository): negative tweets, the people's complaint reason as the theme.

Usage::

    python benchmarks/bench_themes_k.py [--repeats 3] [--draws 3] [--airline PATH] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import warnings

import numpy as np
import pandas as pd

SETTINGS = (10, "auto")

_TOPICS = [line.split(", ") for line in """\
refund, money back, refund request, reimbursed, refund form, still waiting
parcel, courier, tracking number, delivered late, left at door, driver
password, login, locked out, reset link, account access, two factor
invoice, billing error, charged twice, wrong amount, statement, overcharged
app crashes, update, freezes, android, bug, screen goes blank
hold music, call centre, waited hours, agent, phone queue, hung up
size, too small, fit, exchange, sizing guide, tight
discount code, voucher, promo, coupon expired, code rejected, offer
battery, charger, overheats, drains fast, charging port, power
cancel subscription, auto renewal, membership, cancellation fee, renewed, trial
seat, legroom, recline, aisle, cabin, armrest
packaging, damaged box, broken item, crushed, dented, leaking
""".strip().splitlines()]
_FILLER = ["really", "again", "today", "honestly", "this week", "every time", "so", "still",
           "customer", "service", "order", "experience"]
_NOISE = ["@AcmeShop", "@acmeshop", "RT @sam: @AcmeShop", "#AcmeShop", ""]
_TAILS = ["", " https://t.co/a1B2c3", " I've had enough", " don't bother", " we're done", ""]


def generated(k: int, n: int = 800, seed: int = 0) -> pd.DataFrame:
    """``n`` complaint texts over ``k`` planted themes (sizes falling as 1/rank), with noise."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, k + 1)
    truth = rng.choice(k, n, p=weights / weights.sum())
    rows = []
    for i, t in enumerate(truth):
        words = list(rng.choice(_TOPICS[t], 3, replace=False))
        filler = list(rng.choice(_FILLER, 2, replace=False))
        body = " ".join(rng.permutation(words + filler))
        rows.append({"feedback_id": f"g{i}", "text": f"{rng.choice(_NOISE)} {body}.{rng.choice(_TAILS)}",
                     "sentiment": -0.6, "truth": f"t{t}"})
    return pd.DataFrame(rows)


def sample_world(name: str) -> dict[str, pd.DataFrame]:
    """The world's feedback with persona and planted theme, split into complaints and praise."""
    import importlib

    from jmtools.personas import assign_personas
    from jmtools.sources import load_world

    world = load_world(f"sample:{name}")
    themes = importlib.import_module(f"jmtools.sample_worlds.{name}").THEMES
    fb = world.feedback.to_pandas()
    who = assign_personas(world.customers.to_pandas(), world.journey)
    fb = fb.merge(who[["customer_id", "persona"]].astype({"persona": object}), on="customer_id", how="left")
    by_sentence = {s: t.id for t in themes.values() for s in t.sentences}

    def planted(text: str):
        hits = {tid for s, tid in by_sentence.items() if s in text}
        return hits.pop() if len(hits) == 1 else None

    fb["truth"] = fb["text"].astype(str).map(planted)
    return {f"{name} complaints": fb.assign(_polarity="negative"),
            f"{name} praise": fb.assign(_polarity="positive")}


def airline(path: str) -> pd.DataFrame:
    t = pd.read_csv(path)
    t = t[(t["airline_sentiment"] == "negative") & t["negativereason"].notna()
          & (t["negativereason"] != "Can't Tell")]
    return pd.DataFrame({"feedback_id": [f"a{i}" for i in range(len(t))], "text": t["text"].astype(str),
                         "sentiment": -0.6, "truth": t["negativereason"].to_numpy()})


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def run_once(data: pd.DataFrame, setting, seed: int = 0):
    from jmtools.analyses.themes import find_themes

    polarity = data["_polarity"].iloc[0] if "_polarity" in data else "negative"
    given = data.drop(columns=[c for c in ("truth", "_polarity") if c in data])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = _cpu()
        th = find_themes(given, n_themes=setting, polarity=polarity, seed=seed)
        cpu = _cpu() - t0
    return th, cpu


def agreement(th, data: pd.DataFrame) -> dict:
    from sklearn.metrics import (adjusted_rand_score, completeness_score, homogeneity_score,
                                 normalized_mutual_info_score)

    docs = th.documents.merge(data[["feedback_id", "truth"]], on="feedback_id")
    docs = docs[docs["truth"].notna()]
    themed = docs[docs["theme"] > 0]
    a, b = themed["truth"].astype(str), themed["theme"]
    recovered, planted = 0, 0
    for _, grp in docs.groupby("truth"):
        if len(grp) < 10:
            continue
        planted += 1
        mine = set(grp["feedback_id"])
        best = max((len(mine & set(g["feedback_id"])) / len(mine | set(g["feedback_id"]))
                    for _, g in themed.groupby("theme")), default=0.0)
        recovered += best >= 0.5
    return {"texts": len(docs), "themes": int(len(th.summary)),
            "ARI": adjusted_rand_score(a, b), "NMI": normalized_mutual_info_score(a, b),
            "homog": homogeneity_score(a, b), "compl": completeness_score(a, b),
            "recovered": f"{recovered}/{planted}",
            "unassigned": float((docs["theme"] == 0).mean()),
            "k_chosen": (int(th.accounting["choice of n_themes"].query("chosen")["k"].iloc[0])
                         if "choice of n_themes" in th.accounting else None)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="interleaved runs per setting (CPU median)")
    ap.add_argument("--airline", help="path of Tweets.csv (Twitter US Airline Sentiment)")
    ap.add_argument("--only", nargs="*", help="data set names to run (default: all)")
    ap.add_argument("--draws", type=int, default=3, help="generated data sets per number of planted themes")
    args = ap.parse_args(argv)

    sets: dict[str, pd.DataFrame] = {}
    for world in ("ecommerce", "b2b"):
        sets.update(sample_world(world))
    for k in (3, 6, 12):
        for draw in range(args.draws):
            sets[f"generated k={k} #{draw}"] = generated(k, seed=100 * k + draw)
    for world in ("ecommerce", "b2b"):                  # a small feedback file: 100 rows
        for draw in range(args.draws):
            full = sets[f"{world} complaints"]
            sets[f"{world} complaints, 100 rows #{draw}"] = full.sample(100, random_state=draw)
    for draw in range(args.draws):
        sets[f"generated k=6, 100 texts #{draw}"] = generated(6, n=100, seed=600 + draw)
    if args.airline:
        sets["airline (real)"] = airline(args.airline)
    if args.only:
        sets = {k: v for k, v in sets.items() if any(o in k for o in args.only)}

    rows = []
    for name, data in sets.items():
        cpu = {s: [] for s in SETTINGS}
        result = {}
        for _ in range(args.repeats):
            for s in SETTINGS:                       # interleaved: 10, auto, 10, auto, …
                th, c = run_once(data, s)
                cpu[s].append(c)
                result[s] = th
        for s in SETTINGS:
            row = {"data": name, "n_themes": s, **agreement(result[s], data),
                   "cpu_s": float(np.median(cpu[s]))}
            rows.append(row)
            print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    table = pd.DataFrame(rows)
    table["data"] = table["data"].str.replace(r" #\d+$", "", regex=True)     # draws → one row, means
    table["recovered"] = table["recovered"].map(
        lambda r: int(r.split("/")[0]) / int(r.split("/")[1]) if r.split("/")[1] != "0" else np.nan)
    summary = (table.groupby(["data", "n_themes"], sort=False)
               .agg(runs=("ARI", "size"), themes=("themes", "mean"), ARI=("ARI", "mean"), NMI=("NMI", "mean"),
                    homog=("homog", "mean"), compl=("compl", "mean"), recovered=("recovered", "mean"),
                    cpu_s=("cpu_s", "median"))
               .reset_index())
    print("\nmeans over draws (recovered: share of planted themes with a found theme of Jaccard >= 0.5)")
    with pd.option_context("display.width", 200):
        print(summary.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
