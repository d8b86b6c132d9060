"""Command-line options that are numbers with bounds: argparse refuses what the functions would.

Each type reads the text, checks it with the package's one wording
(:func:`jmtools.core.errors.whole_number`) and turns a
:class:`~jmtools.core.errors.ParameterError` into argparse's own error, so
``jmtools batch --workers 0`` stops with "argument --workers: …" and exit code 2, never a
traceback or a silent default. Seconds (``--timeout``, ``--time-limit``) are read by
:func:`jmtools.cli._budget.seconds` (0: no limit).
"""

from __future__ import annotations

import argparse

from jmtools.core.errors import ParameterError, whole_number

__all__ = ["workers", "out_folder"]


def workers(text: str) -> int:
    """``--workers``: a whole number of processes, 1 or more.

    Examples
    --------
    >>> workers("2")
    2
    >>> workers("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number, 1 or more — got '0' (leave --workers out for one per CPU)
    """
    try:
        return whole_number("--workers", int(text))
    except (ValueError, ParameterError):
        raise argparse.ArgumentTypeError(
            f"must be a whole number, 1 or more — got {text!r} (leave --workers out for one per CPU)") from None



def out_folder(text: str) -> str:
    """``--out``: a folder the reports can be written in — one that exists, or can be made
    (a file of that name, or a folder without write permission, is refused before any report
    runs).

    Examples
    --------
    >>> import tempfile, os
    >>> here = tempfile.mkdtemp()
    >>> out_folder(os.path.join(here, "reports")) == os.path.join(here, "reports")
    True
    >>> open(os.path.join(here, "x.html"), "w").close()
    >>> out_folder(os.path.join(here, "x.html"))
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a folder — ...x.html is a file (name a folder; it is made when missing)
    """
    import os

    path = os.path.abspath(text)
    if os.path.exists(path) and not os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"must be a folder — {text} is a file (name a folder; "
                                         "it is made when missing)")
    existing = path
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing) or not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot be written — {existing} is not a folder you may "
                                         "write in (name another folder)")
    return text
