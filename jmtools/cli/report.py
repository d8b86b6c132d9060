"""The ``report`` command of the ``jmtools`` command line, and the notebook parameters
(``-p NAME VALUE``, ``-f FILE``) it shares with ``batch`` (:mod:`jmtools.cli.batch`).

:func:`add_report` registers the sub-command on the parser that
:func:`jmtools.cli.main.build_parser` builds; the handler returns the exit code:
0 success, 1 the report failed (the message names notebook, cell and partial output),
2 the command line is wrong (unknown parameter, bad value).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jmtools.cli._budget import seconds
from jmtools.cli._help import ParagraphFormatter
from jmtools.core.cachedir import evidence_cache_for_kernels
from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.resources import SAMPLE_PREFIX
from jmtools.core.yamlbounds import MAX_YAML_BYTES, short, yaml_bounds_problem
from jmtools import report as report_pkg      # its names load late: pandas only when a report runs
from jmtools.report.html import export_html, prepare_exporter
from jmtools.report.pdf import export_pdf
from jmtools.report.parameters import _PATH_SUFFIXES
from jmtools.report.runner import check_parameters, parse_value, read_parameters, run_notebook

__all__ = ["add_report"]


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
    return _absolute_paths(check_parameters(declared, values, notebook=notebook),
                           notebook_dir=os.path.dirname(os.path.abspath(notebook)))


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


def _absolute_paths(values: dict, notebook_dir: str | None = None) -> dict:
    """Path parameters given on the command line mean paths from where the user stands.

    The kernel runs in the notebook's folder (so a relative path in a notebook means the same
    as in JupyterLab); a relative path typed on the command line (``-p data_dir data/b2b``) is
    made absolute from here when it exists here, or when it exists neither here nor from
    ``notebook_dir`` (a typo: the kernel's message then names the path the user meant and its
    closest neighbour). A path that exists only from the notebook's folder
    (``-p data_dir ../data/b2b``), a sample world (``sample:b2b``) and other values pass through
    unchanged.
    """
    out = dict(values)
    for name, value in values.items():
        if not (name.endswith(_PATH_SUFFIXES) and isinstance(value, str) and value
                and not os.path.isabs(value) and not value.startswith(SAMPLE_PREFIX)):
            continue
        there = notebook_dir is not None and os.path.exists(os.path.join(notebook_dir, value))
        if os.path.exists(value) or not there:
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
        formatter_class=ParagraphFormatter,
        epilog="example:\n  jmtools report notebooks/00_journey_report.ipynb "
               "-p persona 'Budget Ben' -o reports/ben.html --static")
    p.add_argument("notebook", metavar="NOTEBOOK", help="parameterised notebook (.ipynb)")
    _param_args(p)
    p.add_argument("-o", "--out", metavar="HTML",
                   help="report file (default: reports/<notebook name>.html), or a folder to "
                        "write <notebook name>.html in; the executed notebook is written next "
                        "to it as .ipynb")
    p.add_argument("--static", action="store_true",
                   help="also write <name>.static.html with PNG charts and no script (e-mail)")
    p.add_argument("--pdf", action="store_true",
                   help="also print <name>.pdf with headless Chromium (/usr/bin/chromium, offline)")
    p.add_argument("--list-parameters", action="store_true",
                   help="print the declared parameters with types, defaults and help, and exit")
    _cell_timeout(p)
    p.add_argument("--no-cache", action="store_true",
                   help="compute everything and keep nothing: by default the prepared evidence and "
                        "the results no persona changes (valence, pain-point signals, complaint "
                        "themes) are kept in $JMTOOLS_EVIDENCE_CACHE (default "
                        "~/.cache/jmtools/evidence, the batch's folder; 8 entries) and read again "
                        "while the data files, the journey and jmtools are unchanged; so is each "
                        "chart compiled for the notebook, read again for the same chart")
    p.set_defaults(handler=_usage_errors(_report))


def _cell_timeout(p) -> None:
    """``--timeout SECONDS``: the time limit of each notebook cell (0: none)."""
    p.add_argument("--timeout", type=seconds, default=600, metavar="SECONDS",
                   help="stop a cell that runs longer than this, naming it (default 600; 0: no limit)")


def _report_file(out: str | None, notebook: str) -> Path:
    """The report's HTML file: ``-o`` as given when it ends in .html, in the folder ``-o``
    names (an existing folder, or a path ending in /) as ``<notebook name>.html``; checked
    before the notebook runs."""
    name = f"{Path(notebook).stem}.html"
    if out is None:
        return Path("reports") / name
    path = Path(out)
    if path.is_dir() or out.endswith(("/", os.sep)):
        return path / name
    if path.suffix.lower() not in (".html", ".htm"):
        raise ParameterError("--out", out, expected="a report file ending in .html, or a folder",
                             fix=f"-o {path.with_suffix('.html')} (the executed notebook, --static "
                                 "and --pdf files are written beside it)")
    return path


def _report(args) -> int:
    if args.list_parameters:
        for param in read_parameters(args.notebook).values():
            print(param.describe())
        return 0
    params = _parameters(args.notebook, args)
    html = _report_file(args.out, args.notebook)
    executed = html.with_suffix(".ipynb")
    wrong = report_pkg.job_problems(report_pkg.Job(Path(args.notebook).stem, args.notebook, params))
    if wrong:               # a persona or segment typo refused before a kernel starts, as batch does (D257)
        raise DataError(wrong)
    warming = prepare_exporter()     # nbconvert's imports while the kernel runs
    with evidence_cache_for_kernels(not args.no_cache):
        run = run_notebook(args.notebook, executed, parameters=params, timeout=args.timeout)
    warming.join()
    export_html(executed, html)
    print(f"report: {html}  ({run.duration_s:.1f} s; executed notebook {executed})")
    if args.static:
        static = html.with_name(f"{html.stem}.static.html")
        export_html(executed, static, static=True)
        print(f"static: {static}")
    if args.pdf:
        print(f"pdf: {export_pdf(html, html.with_suffix('.pdf'))}")
    return 0
