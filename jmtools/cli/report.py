"""The ``report``, ``batch`` and ``demo`` commands of the ``jmtools`` command line.

Each ``add_*`` function registers one sub-command on the parser that
:func:`jmtools.cli.main.build_parser` builds; handlers return the exit code:
0 success, 1 a report failed (the message names notebook, cell and partial output),
2 the command line is wrong (unknown parameter, bad value).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.resources import data_dir, project_root
from jmtools.core.yamlbounds import MAX_YAML_BYTES, short, yaml_bounds_problem
from jmtools.report import batch  # run_batch looked up at call time: tests replace it
from jmtools.report.html import export_html
from jmtools.report.pdf import export_pdf
from jmtools.report.runner import check_parameters, parse_value, read_parameters, run_notebook
from jmtools.sample_worlds import WORLDS, generate_world

__all__ = ["add_report", "add_batch", "add_demo", "DEMO_NOTEBOOK"]

#: The end-to-end report notebook the demo runs, relative to the project root.
DEMO_NOTEBOOK = "notebooks/00_journey_report.ipynb"


def _param_args(p) -> None:
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"),
                   help="set a declared notebook parameter; VALUE is converted to the declared "
                        "type (repeatable). Unknown names are refused. Relative paths for "
                        "parameters named *_dir, *_file, *_path are taken from the current folder; "
                        "-p data_dir sample:b2b names a bundled sample world.")
    p.add_argument("-f", "--parameters-file", metavar="YAML",
                   help="YAML mapping of parameter values (typed as written)")


def _parameters(notebook: str, args) -> dict:
    declared = read_parameters(notebook)
    values = {}
    if args.parameters_file:
        values.update(_parameters_file(args.parameters_file, notebook))
    for name, text in args.parameter:
        if name not in declared:
            check_parameters(declared, {name: text}, notebook=notebook)  # raises, listing names
        try:
            values[name] = parse_value(declared[name], text)
        except ParameterError:
            check_parameters(declared, {name: text}, notebook=notebook)  # the error naming the notebook
            raise
    return _absolute_paths(check_parameters(declared, values, notebook=notebook))


def _parameters_file(path: str, notebook: str) -> dict:
    """The values of a ``-f`` file: a YAML mapping of parameter names to values (empty: none).

    A path that cannot be read is a wrong command line (:class:`ParameterError`, exit code 2);
    a file that is not such a mapping is invalid input (:class:`DataError` naming the file and
    line, exit code 1). Names and value types are checked against the notebook afterwards.
    """
    text = _file_text(path)
    values = _yaml_values(text, path)
    if values is None:
        return {}
    if not isinstance(values, dict):
        got = "a list" if isinstance(values, list) else repr(values)
        raise DataError([Problem(
            f"a parameters file must be a mapping of parameter names to values — got {got}",
            source=path, line=_yaml_nodes(text).start_mark.line + 1,
            fix=f"write one `name: value` per line, e.g. `persona: Budget Ben` (jmtools report "
                f"{notebook} --list-parameters lists the names)")])
    names = [k for k in values if not isinstance(k, str)]
    if names:
        lines = tuple(k.start_mark.line + 1 for k, _ in _yaml_nodes(text).value
                      if k.tag not in _TEXT_TAGS)
        raise DataError([Problem(
            f"parameter names must be text — got {', '.join(repr(k) for k in names)}",
            source=path, line=lines[0] if len(lines) == 1 else None,
            lines=lines if len(lines) > 1 else (),
            fix=f"use the notebook's parameter names (jmtools report {notebook} "
                "--list-parameters lists them); quote a name that YAML reads as a number, "
                "true/false or null")])
    return values


#: Tags of mapping keys that are names: text, and the ``<<`` merge key.
_TEXT_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:merge")


def _file_text(path: str) -> str:
    try:
        if Path(path).exists() and not Path(path).is_file():  # a folder, or /dev/zero
            raise IsADirectoryError(21, "not a regular file: a folder or a device")
        with open(path, "rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise DataError([Problem(f"a parameters file must be at most {MAX_YAML_BYTES:,} "
                                     "bytes — this one is larger", source=path,
                                     fix="keep only `name: value` lines for the notebook's "
                                         "parameters")])
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError([Problem(f"a parameters file must be UTF-8 text — got byte "
                                 f"0x{err.object[err.start]:02x} at offset {err.start}",
                                 source=path, fix="save the file as UTF-8")]) from None
    except OSError as err:
        raise ParameterError("--parameters-file", path, expected="a readable YAML file",
                             fix=f"check the path ({err.strerror}); a relative path starts at "
                                 f"the current folder {Path.cwd()}") from None


def _yaml_values(text: str, path: str):
    """The YAML document in ``text``, typed as written; a located DataError when it is not YAML."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    too_big = yaml_bounds_problem(text, path)
    if too_big:
        raise DataError([too_big])
    try:
        return YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        duplicate = type(err).__name__ == "DuplicateKeyError"
        what = " ".join(x for x in (err.context, err.problem) if x)
        raise DataError([Problem(
            f"a parameters file must be valid YAML — got a "
            f"{'duplicate key' if duplicate else 'syntax error'}: {short(what)}", source=path,
            line=mark.line + 1 if mark else None,
            fix="keep one of the two entries with this key" if duplicate else
                "check indentation, colons, quotes and brackets near this line")]) from None
    except YAMLError as err:
        raise DataError([Problem(f"a parameters file must be valid YAML — got: {short(err)}",
                                 source=path, fix="check the file's YAML")]) from None


def _yaml_nodes(text: str):
    """The YAML document in ``text`` as nodes, which know their lines (for messages)."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).compose(text)


_PATH_SUFFIXES = ("_dir", "_file", "_path", "_folder")


def _absolute_paths(values: dict) -> dict:
    """Path parameters given on the command line mean paths from where the user stands.

    The kernel runs in the notebook's folder (so a relative path in a notebook means the same
    as in JupyterLab); a relative path typed on the command line (``-p data_dir data/b2b``) is
    made absolute when it exists from here. Other values (``-p data_dir sample:b2b``, a path
    that does not exist here) pass through unchanged.
    """
    out = dict(values)
    for name, value in values.items():
        if name.endswith(_PATH_SUFFIXES) and isinstance(value, str) and value \
                and not os.path.isabs(value) and os.path.exists(value):
            out[name] = os.path.abspath(value)
    return out


def _usage_errors(handler):
    """ParameterError means the command line is wrong: exit code 2."""
    def wrapped(args) -> int:
        try:
            return handler(args)
        except ParameterError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    wrapped.__doc__ = handler.__doc__
    return wrapped


def add_report(sub) -> None:
    """Register ``jmtools report``."""
    p = sub.add_parser(
        "report", help="run one report notebook and export offline HTML",
        description="Run NOTEBOOK with papermill (kernel python3) using only its declared "
                    "parameters, then export a self-contained HTML report that opens offline "
                    "(with --static, a variant with image charts and no script for e-mail; with --pdf, a PDF). Exit code 1 when a "
                    "cell fails (the message names In [n] and the partial notebook), 2 when a "
                    "parameter is unknown or has the wrong type.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  jmtools report notebooks/00_journey_report.ipynb "
               "-p persona 'Budget Ben' -o reports/ben.html --static")
    p.add_argument("notebook", metavar="NOTEBOOK", help="parameterised notebook (.ipynb)")
    _param_args(p)
    p.add_argument("-o", "--out", metavar="HTML",
                   help="report file (default: reports/<notebook name>.html); the executed "
                        "notebook is written next to it as .ipynb")
    p.add_argument("--static", action="store_true",
                   help="also write <name>.static.html with PNG charts and no script (e-mail)")
    p.add_argument("--pdf", action="store_true",
                   help="also print <name>.pdf with headless Chromium (/usr/bin/chromium, offline)")
    p.add_argument("--list-parameters", action="store_true",
                   help="print the declared parameters with types, defaults and help, and exit")
    p.add_argument("--timeout", type=float, default=600, help="seconds per cell (default 600)")
    p.set_defaults(handler=_usage_errors(_report))


def _report(args) -> int:
    if args.list_parameters:
        for param in read_parameters(args.notebook).values():
            print(param.describe())
        return 0
    params = _parameters(args.notebook, args)
    html = Path(args.out or Path("reports") / f"{Path(args.notebook).stem}.html")
    executed = html.with_suffix(".ipynb")
    run = run_notebook(args.notebook, executed, parameters=params, timeout=args.timeout)
    export_html(executed, html)
    print(f"report: {html}  ({run.duration_s:.1f} s; executed notebook {executed})")
    if args.static:
        static = html.with_name(f"{html.stem}.static.html")
        export_html(executed, static, static=True)
        print(f"static: {static}")
    if args.pdf:
        print(f"pdf: {export_pdf(html, html.with_suffix('.pdf'))}")
    return 0


def add_batch(sub) -> None:
    """Register ``jmtools batch``."""
    p = sub.add_parser(
        "batch", help="run a report for every persona (or a YAML list) in parallel",
        description="Run one report per persona of a journey file (plus one for all customers), "
                    "or every report listed in a YAML config, in parallel processes. A failing "
                    "report does not stop the others; the summary says which failed and why. "
                    "Writes <name>.html, <name>.static.html, <name>.json (key figures), "
                    "index.html and history.jsonl. Exit code 1 when any report failed.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  jmtools batch notebooks/00_journey_report.ipynb --journey data/ecommerce/"
               "journey.yaml -p data_dir data/ecommerce --out reports/ecommerce\n"
               "  jmtools batch --config weekly.yaml\n\n"
               "config file:\n"
               "  notebook: notebooks/00_journey_report.ipynb\n"
               "  out: reports/weekly\n"
               "  parameters: {data_dir: ../data/ecommerce}\n"
               "  reports:\n"
               "    - name: Budget Ben\n"
               "      parameters: {persona: Budget Ben}\n"
               "  personas_from: ../data/ecommerce/journey.yaml   # optional")
    p.add_argument("notebook", nargs="?", metavar="NOTEBOOK", help="report notebook")
    p.add_argument("--journey", metavar="YAML", help="one report per persona of this journey")
    p.add_argument("--config", metavar="YAML", help="batch config listing the reports")
    _param_args(p)
    p.add_argument("--persona-parameter", default="persona",
                   help="notebook parameter that selects the persona (default: persona)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: reports/)")
    p.add_argument("--workers", type=int, help="parallel processes (default: CPU count)")
    p.add_argument("--no-static", action="store_true", help="skip the static (e-mail) variants")
    p.add_argument("--pdf", action="store_true", help="also print each report to PDF (headless Chromium)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--timeout", type=float, default=600, help="seconds per cell (default 600)")
    p.set_defaults(handler=_usage_errors(_batch))


def _batch(args) -> int:
    workers, static = args.workers, not args.no_static
    if args.config:
        cfg = batch.load_batch_config(args.config)
        jobs, out = cfg["jobs"], args.out or cfg["out"] or "reports"
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


def add_demo(sub) -> None:
    """Register ``jmtools demo``."""
    p = sub.add_parser(
        "demo", help="sample data → every persona's report → index.html",
        description="The main job: take the bundled sample worlds (generating them if they are "
                    "missing), run the end-to-end journey report for every persona and for all "
                    "customers of each world in parallel, and write the reports with an index. "
                    "Prints where the index is.")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports/)")
    p.add_argument("--worlds", nargs="+", metavar="WORLD", help="worlds to report on "
                   "(default: every bundled world: ecommerce b2b)")
    p.add_argument("--workers", type=int, help="parallel processes (default: CPU count)")
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
