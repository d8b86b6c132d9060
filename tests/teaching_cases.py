"""Shared by the tests of jmtools.teaching: one lesson per sample world (built once per
process), and plain-pandas facts about the e-commerce world read from its files.

The oracles here read the committed files with pandas and tests/oracles.py (the journey only as
data); the lesson's own frames are used only where a test is about a misconception, not a key.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import yaml

from jmtools.core.resources import data_dir
from oracles import persona_labels

ECOMMERCE = data_dir() / "ecommerce"


@functools.lru_cache(maxsize=None)
def lesson(world: str = "ecommerce", persona: str = ""):
    """A :class:`jmtools.teaching.Lesson` on a bundled sample world (built once)."""
    from jmtools.teaching import Lesson

    return Lesson(f"sample:{world}", persona=persona)


@functools.lru_cache(maxsize=None)
def raw(folder: Path = ECOMMERCE) -> dict:
    """The world's files as pandas: events, customers, surveys, feedback; the journey as data."""
    doc = yaml.safe_load((folder / "journey.yaml").read_text(encoding="utf-8"))
    out = {"events": pd.read_parquet(folder / "events.parquet"),
           "customers": pd.read_csv(folder / "customers.csv", dtype={"customer_id": str}),
           "journey": doc}
    for table in ("surveys", "feedback"):
        if (folder / f"{table}.csv").exists():
            out[table] = pd.read_csv(folder / f"{table}.csv", dtype={"customer_id": str})
    label, _ = persona_labels(out["customers"], [(p["name"], p["rule"]) for p in doc["personas"]])
    out["persona"] = pd.Series(label.to_numpy(), index=out["customers"]["customer_id"])
    return out


def ids_of(persona: str, folder: Path = ECOMMERCE) -> set:
    """Customer ids the journey's rules give to ``persona`` (first rule in file order wins)."""
    p = raw(folder)["persona"]
    return set(p[p == persona].index)
