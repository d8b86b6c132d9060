"""The ``jmtools`` command line: one thin layer over the package's functions.

Exit codes: 0 success; 1 the input is invalid or a run failed (the message says where and
how to fix it); 2 the command line itself is wrong.

Each command lives in its own module, listed in :data:`COMMANDS`. A run imports only the module
of the command it runs, so ``jmtools report`` does not load what ``validate``, ``map`` or
``batch`` need (pandas, the evidence engine, widgets); ``jmtools --help`` imports them all to
list them (decision D29). A mistyped command or option is answered with the closest name
("did you mean 'report'?") and what exists, exit code 2 (decision D39).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import warnings

from jmtools import __version__, _plain
from jmtools.cli._budget import time_budget
from jmtools.core.errors import JmtoolsError, suggest

__all__ = ["main", "build_parser", "COMMANDS"]

#: Each sub-command, in the order ``--help`` lists them: the module that defines it and the
#: function there that registers it on the sub-parsers.
COMMANDS = {
    "demo": ("jmtools.cli.batch", "add_demo"),
    "report": ("jmtools.cli.report", "add_report"),
    "batch": ("jmtools.cli.batch", "add_batch"),
    "validate": ("jmtools.cli.validate", "add_validate"),
    "new": ("jmtools.cli.project", "add_new"),
    "sample-data": ("jmtools.cli.project", "add_sample_data"),
    "map": ("jmtools.cli.map", "add_map_command"),
    "discover": ("jmtools.cli.discover", "add_discover"),
    "teaching": ("jmtools.cli.teaching", "add_teaching"),
    "diff": ("jmtools.cli.diff", "add_diff"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command, or with ``command`` only.

    Parameters
    ----------
    command : str, optional
        One of :data:`COMMANDS`: only its module is imported and only it is registered.

    Examples
    --------
    >>> build_parser("validate").parse_args(["validate", "journey.yaml"]).files
    ['journey.yaml']
    """

    parser = argparse.ArgumentParser(
        prog="jmtools", description="Customer journey maps computed from evidence.")
    parser.add_argument("--version", action="version", version=f"jmtools {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, (module, register) in COMMANDS.items():
        if command in (None, name):
            getattr(importlib.import_module(module), register)(sub)
    return parser


def _argv_command(argv) -> str:
    """The sub-command's name as typed: the module to import, and the name messages use."""
    words = sys.argv[1:] if argv is None else list(argv)
    return next((w for w in words if not w.startswith("-")), "")


def _usage_error(parser: argparse.ArgumentParser, message: str, fix: str) -> int:
    """Print ``parser``'s usage and a located message on stderr; the exit code of a wrong
    command line."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}\n  Fix: {fix}", file=sys.stderr)
    return 2


def _unknown_command(command: str) -> int:
    """``jmtools reprot``: the closest command, and every command (their modules stay unloaded)."""
    hint = suggest(command, COMMANDS)
    return _usage_error(
        argparse.ArgumentParser(prog="jmtools", usage="jmtools [-h] [--version] COMMAND ..."),
        f"unknown command {command!r}" + (f" — did you mean {hint!r}?" if hint else ""),
        f"use one of the commands: {', '.join(COMMANDS)} (jmtools --help says what each does)")


def _unrecognized(parser: argparse.ArgumentParser, command: str, extra: list[str]) -> int:
    """Arguments the command does not take: the closest option of that command, or the list."""
    sub = next((a.choices[command] for a in parser._actions
                if isinstance(a, argparse._SubParsersAction) and command in a.choices), parser)
    helps = f"{sub.prog} --help"
    options = sorted({o for a in sub._actions for o in a.option_strings if o.startswith("--")})
    word = next((w.split("=", 1)[0] for w in extra if w.startswith("-")), None)
    if word is None:
        return _usage_error(sub, f"unexpected argument{'s' if len(extra) > 1 else ''} "
                                 f"{' '.join(map(repr, extra))}",
                            f"{sub.prog} takes the arguments shown above ({helps} explains "
                            "them); quote a value that contains spaces")
    hint = suggest(word, options)
    return _usage_error(sub, f"unknown option {word!r}" + (f" — did you mean {hint!r}?" if hint
                                                            else ""),
                        f"use one of {sub.prog}'s options: {', '.join(options)} ({helps} "
                        "explains them)")


@contextlib.contextmanager
def _plain_warnings():
    """The kit's own warnings said on one line ("note: …") while a command runs, not as Python
    prints them (a file path, a line number and a line of source the user never wrote)."""
    shown = warnings.showwarning
    warnings.showwarning = _plain(shown)
    try:
        yield
    finally:
        warnings.showwarning = shown


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     code = main(["reprot", "notebook.ipynb"])
    >>> code, err.getvalue().splitlines()[1]
    (2, "jmtools: error: unknown command 'reprot' — did you mean 'report'?")
    """
    command = _argv_command(argv)
    if command and command not in COMMANDS:
        return _unknown_command(command)
    parser = build_parser(command or None)
    args, extra = parser.parse_known_args(argv)
    if extra:
        return _unrecognized(parser, command, extra)
    if not hasattr(args, "handler"):
        parser.print_help()  # no command given: the parser holds them all
        return 2
    try:
        with time_budget(getattr(args, "time_limit", None), command=command), _plain_warnings():
            return int(args.handler(args) or 0)
    except JmtoolsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
