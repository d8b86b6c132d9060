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

__all__ = ["workers"]


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

