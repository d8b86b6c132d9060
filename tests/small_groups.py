"""A sample world with a persona of a few customers who each write many survey answers: the
shape the disclosure rule must hold against (docs/decisions.md D28, D31 and the customer count).

Built outside the repository (a temporary copy of data/ecommerce): ``loud_persona_world``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
LOUD = "Loud Lou"


def loud_persona_world(folder: Path, *, customers: int = 3, answers_each: int = 10, talkers: int | None = None,
                       name: str = LOUD, stage: str = "Consideration",
                       touchpoint: str = "Product page") -> Path:
    """A copy of the e-commerce world in ``folder`` whose first persona, ``name``, holds
    ``customers`` customers who answered a survey at ``stage``; the first ``talkers`` of them (default
    all) each give ``answers_each`` CSAT answers of 1 there, and none of them any other answer or
    text. Returns the folder (None without the sample world)."""
    source = ROOT / "data" / "ecommerce"
    if not (source / "events.parquet").exists():
        return None
    shutil.copytree(source, folder)
    surveys = pd.read_csv(folder / "surveys.csv")
    table = pd.read_csv(folder / "customers.csv")
    asked = surveys.loc[surveys["stage"] == stage, "customer_id"].drop_duplicates().sort_values()
    chosen = list(asked.head(customers))
    table.assign(loud=table["customer_id"].isin(chosen)).to_csv(folder / "customers.csv", index=False)
    talking = chosen[:customers if talkers is None else talkers]
    n = len(talking) * answers_each
    loud = pd.DataFrame({"survey_id": [f"L{i:05d}" for i in range(n)],
                         "customer_id": [c for c in talking for _ in range(answers_each)],
                         "timestamp": [f"2026-{6 + i % 3:02d}-{1 + i % 27:02d} 10:00:00" for i in range(n)],
                         "touchpoint": touchpoint, "stage": stage, "metric": "csat", "score": 1})
    kept = surveys[~surveys["customer_id"].isin(chosen)]
    pd.concat([kept, loud], ignore_index=True).to_csv(folder / "surveys.csv", index=False)
    feedback = pd.read_csv(folder / "feedback.csv")
    feedback[~feedback["customer_id"].isin(chosen)].to_csv(folder / "feedback.csv", index=False)
    journey = (folder / "journey.yaml").read_text(encoding="utf-8")
    (folder / "journey.yaml").write_text(journey.replace(
        "personas:\n  - name: Budget Ben",
        f"personas:\n  - name: {name}\n    rule: \"loud == True\"\n  - name: Budget Ben", 1), encoding="utf-8")
    return folder


THIN = "Thin Thea"


def thin_end_world(folder: Path, *, customers: int = 20, reach_last: int = 2, name: str = THIN) -> Path:
    """A copy of the e-commerce world in ``folder`` whose first persona, ``name``, holds
    ``customers`` customers who all reach the third stage of the strict stage funnel, of whom
    only ``reach_last`` reach the last (the shape of a funnel step of 1–4 customers inside a
    persona large enough to be shown). Returns the folder (None without the sample world)."""
    from jmtools.analyses.funnels import customer_reach
    from jmtools.pipeline import prepare_evidence

    source = ROOT / "data" / "ecommerce"
    if not (source / "events.parquet").exists():
        return None
    shutil.copytree(source, folder)
    reach = customer_reach(prepare_evidence(folder)[0])
    furthest = reach.groupby("customer_id")["step_index"].max().sort_index()
    last = int(furthest.max())
    chosen = [*furthest[furthest == last].index[:reach_last],
              *furthest[furthest == last - 1].index[:customers - reach_last]]
    table = pd.read_csv(folder / "customers.csv")
    table.assign(thin=table["customer_id"].isin(chosen)).to_csv(folder / "customers.csv", index=False)
    journey = (folder / "journey.yaml").read_text(encoding="utf-8")
    (folder / "journey.yaml").write_text(journey.replace(
        "personas:\n  - name: Budget Ben",
        f"personas:\n  - name: {name}\n    rule: \"thin == True\"\n  - name: Budget Ben", 1), encoding="utf-8")
    return folder


def built(builder, folder: Path, **options) -> Path:
    """``builder(folder, **options)`` (a world above), or the test skipped without the sample world."""
    import pytest

    made = builder(folder, **options)
    if made is None:
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    return made


def loud_and_thin_world(folder: Path) -> Path:
    """:func:`thin_end_world` with :data:`LOUD` before :data:`THIN`: 3 customers outside Thin Thea
    (the first 3 by id). Thin Thea (20) is then the smallest other persona, whose size is hidden
    so that the total does not give Loud Lou's 3 away. Returns the folder (None without the sample)."""
    if thin_end_world(folder) is None:
        return None
    table = pd.read_csv(folder / "customers.csv")
    chosen = list(table.loc[~table["thin"], "customer_id"].sort_values().head(3))
    table.assign(loud=table["customer_id"].isin(chosen)).to_csv(folder / "customers.csv", index=False)
    journey = (folder / "journey.yaml").read_text(encoding="utf-8")
    (folder / "journey.yaml").write_text(journey.replace(
        "personas:\n", f"personas:\n  - name: {LOUD}\n    rule: \"loud == True\"\n", 1), encoding="utf-8")
    return folder


RORY = "Rest Rory"


def everyone_in_a_persona_world(folder: Path, *, base=None) -> Path:
    """``base(folder)`` (default :func:`loud_persona_world`: Loud Lou, 3 customers) with a last
    persona, :data:`RORY`, that takes every customer no persona before it selects (``rest:
    true``, 98 customers): nobody is in no persona, so no "(no persona)" row can protect Lou's
    size; the smallest other persona does (Rory; Thin Thea with ``base=loud_and_thin_world``).
    Returns the folder (None without the sample world)."""
    if (base or loud_persona_world)(folder) is None:
        return None
    lines = (folder / "journey.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("personas:\n")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() and not lines[i].startswith(" "))
    lines.insert(end, f"  - {{name: {RORY}, rest: true}}\n")
    (folder / "journey.yaml").write_text("".join(lines), encoding="utf-8")
    return folder
