"""The ``batch`` and ``demo`` commands of the ``jmtools`` command line: many reports in
parallel processes (:mod:`jmtools.report.batch`), with an index.

Each ``add_*`` function registers one sub-command on the parser that
:func:`jmtools.cli.main.build_parser` builds; handlers return the exit code: 0 success,
1 a report failed (the summary says which and why), 2 the command line is wrong. Notebook
parameters are read as ``jmtools report`` reads them (:mod:`jmtools.cli.report`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from jmtools.cli._help import ParagraphFormatter
from jmtools.cli._options import out_folder, workers
from jmtools.cli.report import _cell_timeout, _param_args, _parameters, _usage_errors
from jmtools.core.errors import ParameterError
from jmtools.core.resources import data_dir, project_root
from jmtools.report import batch  # run_batch looked up at call time: tests replace it
from jmtools.sample_worlds import WORLDS, generate_world

__all__ = ["add_batch", "add_demo", "DEMO_NOTEBOOK"]

#: The end-to-end report notebook the demo runs, relative to the project root.
DEMO_NOTEBOOK = "notebooks/00_journey_report.ipynb"


def add_batch(sub) -> None:
    """Register ``jmtools batch``."""
    p = sub.add_parser(
        "batch", help="run a report for every persona (or a YAML list) in parallel",
        description="Run one report per persona of a journey file (plus one for all customers), "
                    "or every report listed in a YAML config, in parallel processes. A failing "
                    "report does not stop the others; the summary says which failed and why. "
                    "Writes <name>.html, <name>.static.html, <name>.json (key figures), "
                    "index.html and history.jsonl. Every report's persona, segment and data paths "
                    "are checked before any kernel starts: a wrong one fails that report alone, "
                    "named by config file, line and key; so does a persona whose rule cannot run "
                    "on the customer table, named by the journey file and line of its rule (the "
                    "other reports leave it out). Exit code 1 when any report failed.",
        formatter_class=ParagraphFormatter,
        epilog="examples:\n"
               "  jmtools batch notebooks/00_journey_report.ipynb --journey data/ecommerce/"
               "journey.yaml -p data_dir data/ecommerce --out reports/ecommerce\n"
               "  jmtools batch --config weekly.yaml\n"
               "  jmtools batch --config weekly.yaml -p data_dir exports/2026-49   # in every report\n\n"
               "config file (relative paths start from the folder holding it: notebook, out,\n"
               "personas_from and parameters named *_dir, *_file, *_path, *_folder):\n"
               "  notebook: notebooks/00_journey_report.ipynb\n"
               "  out: reports/weekly\n"
               "  parameters: {data_dir: data, journey_file: journey.yaml}\n"
               "  reports:\n"
               "    - name: Budget Ben\n"
               "      parameters: {persona: Budget Ben}\n"
               "  personas_from: journey.yaml   # optional")
    p.add_argument("notebook", nargs="?", metavar="NOTEBOOK", help="report notebook")
    p.add_argument("--journey", metavar="YAML", help="one report per persona of this journey")
    p.add_argument("--config", metavar="YAML", help="batch config listing the reports (its relative "
                   "paths start from its own folder)")
    _param_args(p)
    p.add_argument("--persona-parameter", default="persona", metavar="NAME",
                   help="notebook parameter that selects the persona (default: persona)")
    p.add_argument("--out", type=out_folder, metavar="DIR", help="output folder (default: reports/)")
    p.add_argument("--workers", type=workers, metavar="N", help="parallel processes, 1 or more (default: CPU count)")
    p.add_argument("--no-static", action="store_true", help="skip the static (e-mail) variants")
    p.add_argument("--pdf", action="store_true", help="also print each report to PDF (headless Chromium)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _cell_timeout(p)
    p.set_defaults(handler=_usage_errors(_batch))


def _batch(args) -> int:
    workers, static = args.workers, not args.no_static
    if args.config:
        _config_alone(args)
        cfg = batch.load_batch_config(args.config)
        jobs, out = [_given(job, args) for job in cfg["jobs"]], args.out or cfg["out"] or "reports"
        try:
            out_folder(str(out))
        except argparse.ArgumentTypeError as err:
            raise ParameterError("out", str(out), expected="a folder", fix=f"{err} in {args.config}") from None
        workers = workers or cfg["workers"]
        static = static and cfg["static"]
    elif args.notebook and args.journey:
        params = _parameters(args.notebook, args)
        jobs = batch.persona_jobs(args.journey, notebook=args.notebook, parameters=params,
                                  persona_param=args.persona_parameter)
        out = args.out or "reports"
    else:
        raise ParameterError("batch", "no reports", expected="NOTEBOOK with --journey, or --config",
                             fix="jmtools batch NOTEBOOK --journey journey.yaml, or "
                                 "jmtools batch --config batch.yaml")
    result = batch.run_batch(jobs, out, workers=workers, static=static, pdf=args.pdf,
                             progress=not args.no_progress, timeout=args.timeout)
    print(result.summary())
    return 1 if result.failed else 0


def _config_alone(args) -> None:
    """``--config`` names the notebook and every report: a NOTEBOOK, ``--journey`` or
    ``--persona-parameter`` beside it would be ignored, so it is refused."""
    beside = [name for name, given in (("NOTEBOOK", args.notebook), ("--journey", args.journey),
                                       ("--persona-parameter", args.persona_parameter != "persona"))
              if given]
    if beside:
        raise ParameterError("--config", args.config, expected=f"--config without {' or '.join(beside)}",
                             fix="the config names the notebook and each report's persona; drop "
                                 f"{' and '.join(beside)}, or drop --config for one report per persona")


def _given(job, args):
    """``job`` with the command line's ``-p``/``-f`` values over its config values (the command
    line wins, in every report); those values are no longer located in the config file."""
    if not (args.parameter or args.parameters_file):
        return job
    values = _parameters(job.notebook, args)
    origin = job.origin
    if origin:
        origin = {**origin, "keys": {k: v for k, v in origin.get("keys", {}).items() if k not in values}}
    return dataclasses.replace(job, parameters={**job.parameters, **values}, origin=origin)


def add_demo(sub) -> None:
    """Register ``jmtools demo``."""
    p = sub.add_parser(
        "demo", help="sample data → every persona's report → index.html",
        description="The main job: take the bundled sample worlds (generating them if they are "
                    "missing), run the end-to-end journey report for every persona and for all "
                    "customers of each world in parallel, and write the reports with an index. "
                    "Prints where the index is.")
    p.add_argument("--out", type=out_folder, default="reports", metavar="DIR", help="output folder (default: reports/)")
    p.add_argument("--worlds", nargs="+", metavar="WORLD", help="worlds to report on "
                   "(default: every bundled world: ecommerce b2b)")
    p.add_argument("--workers", type=workers, metavar="N", help="parallel processes, 1 or more (default: CPU count)")
    p.add_argument("--no-static", action="store_true", help="skip the static (e-mail) variants")
    p.add_argument("--pdf", action="store_true", help="also print each report to PDF (headless Chromium)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=_usage_errors(_demo))


def _world_dirs(names: list[str] | None, out: Path) -> dict[str, Path]:
    chosen = names or list(WORLDS)
    for name in chosen:
        if name not in WORLDS:
            raise ParameterError("--worlds", name, expected=list(WORLDS))
    dirs = {}
    for name in chosen:
        folder = data_dir() / name
        if not (folder / "journey.yaml").exists():
            folder = out / "data" / name
            if not (folder / "journey.yaml").exists():
                print(f"generating the {name} sample world in {folder} …", file=sys.stderr)
                generate_world(name, folder)
        dirs[name] = folder.resolve()
    return dirs


_WORLD_TITLES = {"ecommerce": "E-commerce", "b2b": "B2B"}


def _demo(args) -> int:
    out = Path(args.out)
    notebook = str(project_root() / DEMO_NOTEBOOK)
    jobs = []
    for world, folder in _world_dirs(args.worlds, out).items():
        for job in batch.persona_jobs(folder / "journey.yaml", notebook=notebook,
                                      parameters={"data_dir": str(folder)},
                                      prefix=f"{_WORLD_TITLES.get(world, world)} · "):
            jobs.append(job)
    print(f"running {len(jobs)} reports ({', '.join(j.name for j in jobs)}) …", file=sys.stderr)
    result = batch.run_batch(jobs, out, workers=args.workers, static=not args.no_static,
                             progress=not args.no_progress, title="jmtools demo: journey reports",
                             **({"pdf": True} if args.pdf else {}))
    print(result.summary())
    index = Path(result.index).resolve()
    print(f"\nOpen the reports: {index.as_uri()}")
    return 1 if result.failed else 0
