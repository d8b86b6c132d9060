"""The ``jmtools`` command line: one thin layer over the package's functions.

Exit codes: 0 success; 1 the input is invalid or a run failed (the message says where and
how to fix it); 2 the command line itself is wrong.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from jmtools import __version__
from jmtools.cli._budget import add_time_limit, time_budget
from jmtools.cli.diff import add_diff
from jmtools.cli.discover import add_discover
from jmtools.cli.map import add_map_command
from jmtools.cli.report import add_batch, add_demo, add_report
from jmtools.cli.teaching import add_teaching
from jmtools.core.errors import JmtoolsError, JourneyError, ParameterError
from jmtools.core.resources import data_dir, journey_templates, notebooks_dir, resolve_data_dir
from jmtools.core.yamlbounds import MAX_YAML_BYTES
from jmtools.evidence import fit_problems, prepare
from jmtools.journey import Journey, load_persona_library, schema_problems
from jmtools.personas import check_personas
from jmtools.sample_worlds import WORLDS, generate_world, truths_dir
from jmtools.sources import load_world, missing_table

__all__ = ["main", "build_parser"]


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="check journey and persona library files",
                       description="Validate journey files (and shared persona library files). "
                                   "Exit code 0 only when every file is valid.")
    p.add_argument("files", nargs="+", metavar="FILE", help="journey YAML files")
    p.add_argument("--schema", action="store_true",
                   help="also check each file against the published JSON Schema")
    p.add_argument("--data", metavar="FOLDER",
                   help="also check the file against this data folder (or sample:ecommerce / "
                        "sample:b2b): every persona rule against the customer table (unknown "
                        "attributes, wrong types, rules that select nobody) and the touchpoints "
                        "against the event log (event names several touchpoints claim, "
                        "touchpoints and stages that receive no event, unmatched names, "
                        "date-only event kinds)")
    add_time_limit(p)
    p.set_defaults(handler=_validate)


def _validate(args) -> int:

    failed = 0
    for name in args.files:
        try:
            if _is_library(Path(name)):
                lib = load_persona_library(name)
                print(f"ok  {name}: persona library, {len(lib.personas)} personas")
                continue
            j = Journey.load(name)
            if args.schema:
                problems = schema_problems(name)
                if problems:
                    raise JourneyError(problems, source=name)
            for warning in j.warnings():  # valid, but probably not what was meant
                print(f"warning  {warning}", file=sys.stderr)
            cards = j.personas_resolved()
            warned = 0
            if args.data:
                fits, warned = _data_fit(name, j, args.data)
                if not fits:
                    failed += 1
                    continue
            print(f"ok  {name}: {len(j.stages)} stages, {len(j.touchpoints)} touchpoints, "
                  f"{len(cards)} personas, {len(j.pain_points)} pain points, "
                  f"{len(j.opportunities)} opportunities"
                  + (f" — {warned} warning{'s' if warned != 1 else ''} about the data above"
                     if warned else ""))
        except (JourneyError, ParameterError) as err:
            failed += 1
            print(f"INVALID  {err}", file=sys.stderr)
    if failed:
        print(f"{failed} of {len(args.files)} files are invalid", file=sys.stderr)
    return 1 if failed else 0


def _data_fit(name: str, journey: Journey, folder: str) -> tuple[bool, int]:
    """Check ``journey`` against the tables in ``folder``: persona rules against the customer
    table, touchpoints against the event log. Returns (no errors, number of warnings)."""
    world = load_world(resolve_data_dir(folder), None)
    if "customers" not in world.tables and "events" not in world.tables:
        raise ParameterError("--data", folder, expected="a data folder with an event log or a "
                             "customer table", fix="add events.csv (customer_id, timestamp, event) "
                             "or customers.csv (customer_id and the attributes the rules name)")
    ok, warned = True, 0
    if "customers" in world.tables and journey.personas:
        found = check_personas(world.tables["customers"].to_pandas(), journey, errors="report")
        bad = found[found["severity"] == "error"]
        shown = (found["severity"] == "warning") & (found["check"] != "precedence")  # said above
        for row in found[shown].itertuples():
            warned += 1
            print(f"warning  {name}: persona {row.persona!r}: {row.message}", file=sys.stderr)
        for row in bad.itertuples():
            print(f"INVALID  {name}: persona {row.persona!r}: {row.message}\n  Fix: {row.fix}",
                  file=sys.stderr)
        ok = bad.empty
    elif journey.personas:  # the journey may be right; its rules just cannot be checked here
        print(f"note  {name}: persona rules not checked against {folder}: "
              + missing_table("customers", fills="to check them"),
              file=sys.stderr)
    if "events" in world.tables:
        for row in fit_problems(prepare(world.tables["events"], journey)).itertuples():
            warned += row.severity == "warning"
            fix = f"\n  Fix: {row.fix}" if row.fix and row.severity == "warning" else ""
            print(f"{row.severity}  {name}: {row.message}{fix}", file=sys.stderr)
    else:
        print(f"note  {name}: no event log in {folder}: touchpoints not checked", file=sys.stderr)
    return ok, warned


def _is_library(path: Path) -> bool:
    """A persona library has personas and no stages at its top level."""
    if not path.is_file():  # a folder or a device (/dev/zero): let the loader say so
        return False
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_YAML_BYTES + 1).decode("utf-8")
        head = [line.split(":")[0] for line in text.splitlines()
                if line and not line[0].isspace() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError):
        return False
    return "personas" in head and "stages" not in head


def _add_new(sub) -> None:

    names = sorted(journey_templates())
    p = sub.add_parser("new", help="start a journey project from a template",
                       description="Create FOLDER with journey.yaml (from a template), the "
                                   "parameterised notebooks and a data/ folder to fill.")
    p.add_argument("folder", metavar="FOLDER", help="folder to create (must not hold a journey.yaml)")
    p.add_argument("--template", "-t", default="ecommerce", choices=names,
                   help="journey template (default: ecommerce)")
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


def _add_sample_data(sub) -> None:
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



#: Sub-command registrations, in the order ``--help`` lists them.
COMMANDS = [add_demo, add_report, add_batch, _add_validate, _add_new, _add_sample_data,
            add_map_command, add_discover, add_teaching, add_diff]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command."""

    parser = argparse.ArgumentParser(
        prog="jmtools", description="Customer journey maps computed from evidence.")
    parser.add_argument("--version", action="version", version=f"jmtools {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def _argv_command(argv) -> str:
    """The sub-command's name as typed (for messages)."""
    words = sys.argv[1:] if argv is None else list(argv)
    return next((w for w in words if not w.startswith("-")), "")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        with time_budget(getattr(args, "time_limit", None), command=_argv_command(argv)):
            return int(args.handler(args) or 0)
    except JmtoolsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
