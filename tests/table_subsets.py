"""Data folders holding only some of the canonical tables, cut from the e-commerce sample world.

Real first data sets rarely hold every table: behaviour only (events and orders), surveys only,
feedback only… The report, the map, the batch and the notebooks must run on each. The tests
build these folders with :func:`make_subset` — the journey file plus the chosen tables of
``data/ecommerce``, restricted to its first :data:`N_CUSTOMERS` customers (in customer-id order)
so that every run stays quick. Files are copied row for row (CSV text unchanged).
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "ecommerce"
N_CUSTOMERS = 300

#: Subset name → the tables its folder holds.
SUBSETS = {
    "events": ("events",),
    "surveys": ("surveys",),
    "feedback": ("feedback",),
    "events+orders": ("events", "orders"),
    "events+customers": ("events", "customers"),
    "surveys+feedback": ("surveys", "feedback"),
    "customers+orders": ("customers", "orders"),  # nothing measures emotion: the assumed curve only
}

#: The sentence start a section shows when the folder lacks each table (jmtools.sources.missing_table).
MISSING = {"events": "No events in this folder — add events.csv with columns customer_id, timestamp, event",
           "customers": "No customer table in this folder — add customers.csv with columns customer_id",
           "surveys": "No survey scores in this folder — add surveys.csv with columns customer_id, "
                      "timestamp, touchpoint or stage, metric, score",
           "feedback": "No feedback texts in this folder — add feedback.csv with columns feedback_id, "
                       "customer_id, timestamp, text, touchpoint or stage",
           "orders": "No orders in this folder — add orders.csv with columns order_id, customer_id, "
                     "timestamp, amount"}


def available() -> bool:
    """True when the e-commerce sample world is generated."""
    return (SOURCE / "journey.yaml").exists() and (SOURCE / "customers.csv").exists()


def _kept_ids() -> set[str]:
    import pandas as pd

    ids = pd.read_csv(SOURCE / "customers.csv", usecols=["customer_id"], dtype=str)["customer_id"]
    return set(sorted(ids)[:N_CUSTOMERS])


def make_subset(name: str, dest: str | Path) -> Path:
    """Write the folder of subset ``name`` (:data:`SUBSETS`) into ``dest``; return ``dest``."""
    import pandas as pd

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE / "journey.yaml", dest / "journey.yaml")
    keep = _kept_ids()
    for kind in SUBSETS[name]:
        source = next(SOURCE / f"{kind}{s}" for s in (".parquet", ".csv") if (SOURCE / f"{kind}{s}").exists())
        if source.suffix == ".parquet":
            frame = pd.read_parquet(source)
            frame[frame["customer_id"].astype(str).isin(keep)].to_parquet(dest / source.name, index=False)
        else:
            frame = pd.read_csv(source, dtype=str, keep_default_na=False)
            frame[frame["customer_id"].isin(keep)].to_csv(dest / source.name, index=False)
    return dest


def missing(name: str) -> list[str]:
    """The tables of :data:`MISSING` that subset ``name`` lacks."""
    return [kind for kind in MISSING if kind not in SUBSETS[name]]


# ------------------------------------------------------------------ reading what a report shows
def shown_text(displayed) -> str:
    """The text of what an in-process run displayed (Markdown and HTML objects, escapes undone)."""
    import html
    import re

    texts = [str(obj.data) for obj in displayed if hasattr(obj, "data") and not hasattr(obj, "to_dict")]
    return html.unescape(re.sub(r"\\([\\`*_\[\]|~])", r"\1", "\n".join(texts)))


def shown_charts(displayed) -> list[dict]:
    """The Vega-Lite specs of the charts an in-process run displayed."""
    return [obj.to_dict() for obj in displayed if hasattr(obj, "to_dict")]


def report_text(page: str) -> str:
    """The text a reader sees in an exported report: no scripts, styles or tags, one space apart."""
    import html
    import re

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def report_specs(page: str) -> list[dict]:
    """The chart specs an interactive report draws (its ``jm-specs`` script)."""
    import json
    import re

    found = re.search(r'<script[^>]*\bid="jm-specs"[^>]*>(.*?)</script>', page, flags=re.S)
    return json.loads(found.group(1)) if found else []


def title_of(spec: dict) -> str:
    """A chart's title; in an exported report a chart drawn at the page's width has its title as
    page text and keeps it as the spec's ``description``."""
    title = spec.get("title", "")
    return str(title.get("text", "") if isinstance(title, dict) else title) or str(spec.get("description", ""))


def emotion_lane_series(map_spec: dict) -> set[str]:
    """The kinds of emotion curve (``assumed``, ``measured``) a journey-map spec draws."""
    data = [row for rows in map_spec.get("datasets", {}).values() for row in rows]
    return {row["series"] for row in data if row.get("lane") == "emotion" and row.get("series")}
