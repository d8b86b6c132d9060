"""The ``new`` and ``sample-data`` commands of the ``jmtools`` command line.

``jmtools new FOLDER`` starts a journey project from a template (journey.yaml, the notebooks
and a data/ folder to fill); ``jmtools sample-data`` regenerates or scales the seeded sample
worlds and their answer keys. Handlers return the exit code.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from jmtools.cli._budget import add_time_limit
from jmtools.core.errors import ParameterError
from jmtools.core.resources import data_dir, journey_templates, notebooks_dir
from jmtools.journey import Journey
from jmtools.sample_worlds import WORLDS, generate_world, truths_dir

__all__ = ["add_new", "add_sample_data"]


def add_new(sub) -> None:
    """Register ``jmtools new``."""
    names = sorted(journey_templates())
    p = sub.add_parser("new", help="start a journey project from a template",
                       description="Create FOLDER with journey.yaml (from a template), the "
                                   "parameterised notebooks and a data/ folder to fill.")
    p.add_argument("folder", metavar="FOLDER", help="folder to create (must not hold a journey.yaml)")
    p.add_argument("--template", "-t", default="ecommerce", choices=names, metavar="NAME",
                   help=f"journey template: {', '.join(names)} (default: ecommerce)")
    p.add_argument("--name", help="name of the new journey (default: the template's)")
    p.add_argument("--force", action="store_true", help="overwrite an existing journey.yaml")
    p.set_defaults(handler=_new)


def _new(args) -> int:

    folder = Path(args.folder)
    target = folder / "journey.yaml"
    if target.exists() and not args.force:
        print(f"error: {target} already exists\n  Fix: choose another folder or pass --force",
              file=sys.stderr)
        return 1
    (folder / "data").mkdir(parents=True, exist_ok=True)
    journey = Journey.load(journey_templates()[args.template])
    if args.name:
        journey.name = args.name
    journey.save(target)
    notebooks = folder / "notebooks"
    notebooks.mkdir(exist_ok=True)
    copied = []
    for nb in sorted(notebooks_dir().glob("[0-9]*.ipynb")):
        if not (notebooks / nb.name).exists():
            shutil.copy2(nb, notebooks / nb.name)
            copied.append(nb.name)
    readme = folder / "data" / "README.md"
    if not readme.exists():
        readme.write_text(_DATA_README, encoding="utf-8")
    print(f"created {folder}/ from template '{args.template}':\n"
          f"  journey.yaml      edit stages, touchpoints (event patterns), personas (data rules)\n"
          f"  data/             put your exports here (see data/README.md)\n"
          f"  notebooks/        {len(copied)} notebooks; they run on the bundled sample world "
          f"(data_dir = \"sample:ecommerce\") until you set data_dir = \"../data\" and "
          f"journey_file = \"../journey.yaml\" in their parameters cell\n"
          f"next: jmtools validate {target}\n"
          f"      jupyter lab {notebooks / '06_workshop.ipynb'}   (edit the map together)")
    return 0


_DATA_README = """# Your data

Put your exports here; any of these may be CSV, Parquet or Excel. Column names can differ:
map them when loading (`columns={"customer_id": "user"}`).

| file | required columns | optional |
|---|---|---|
| customers | customer_id | attributes used by persona rules (age, region, …) |
| events | customer_id, timestamp, event | session_id, channel, value |
| surveys | customer_id, timestamp, metric (csat/nps/ces), score | touchpoint, stage |
| feedback | feedback_id, customer_id, timestamp, text | touchpoint, stage, source |
| orders | order_id, customer_id, timestamp, amount | items, status |
| tickets | ticket_id, customer_id, timestamp | topic, channel, touchpoint, stage |

Event names are matched to touchpoints by the `events:` patterns in journey.yaml.

The notebooks in ../notebooks/ read the bundled sample world until you point them here: set
`data_dir = "../data"` and `journey_file = "../journey.yaml"` in their parameters cell (or pass
`-p data_dir data -p journey_file journey.yaml` to `jmtools report` from this project's folder).
`data_dir = "sample:ecommerce"` or `"sample:b2b"` always names a bundled sample world.
"""


def add_sample_data(sub) -> None:
    """Register ``jmtools sample-data``."""
    p = sub.add_parser("sample-data", help="regenerate or scale the sample worlds",
                       description="Generate the seeded sample worlds (customers, events, surveys, "
                                   "feedback, orders, tickets and their planted truths).")
    p.add_argument("--world", default="all", help="ecommerce, b2b or all (default: all)")
    p.add_argument("--customers", type=int, default=None,
                   help="number of customers (default: the size of the bundled sample)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    p.add_argument("--out", default=None,
                   help="output folder; one sub-folder per world (default: the bundled data/)")
    p.add_argument("--truths", default=None, metavar="DIR",
                   help="folder for the answer keys (<world>.json and .md: the planted truths, kept "
                        "out of the data folders); default: OUT/truths, or the bundled "
                        "jmtools/sample_worlds/truths/ without --out")
    p.add_argument("--format", dest="fmt", default="sample", choices=["sample", "parquet"],
                   help="sample: CSV + Parquet events as bundled; parquet: every table as "
                        "Parquet, streamed in bounded memory (for big worlds)")
    add_time_limit(p)
    p.set_defaults(handler=_sample_data)


def _sample_data(args) -> int:

    worlds = list(WORLDS) if args.world == "all" else [args.world]
    for world in worlds:
        if world not in WORLDS:
            raise ParameterError("--world", world, expected=[*WORLDS, "all"])
    out = Path(args.out) if args.out else data_dir()
    keys = Path(args.truths) if args.truths else (out / "truths" if args.out else truths_dir())
    for world in worlds:
        summary = generate_world(world, out / world, customers=args.customers, seed=args.seed,
                                 fmt=args.fmt, truths_file=keys / f"{world}.json")
        rows = summary.get("rows", {})
        counts = ", ".join(f"{k} {v:,}" for k, v in rows.items())
        print(f"{world}: {out / world}  ({counts}); answer key: {summary['paths']['truths']}")
    return 0
