"""Command-line options that are numbers with bounds: argparse refuses what the functions would.

Each type reads the text, checks it with the package's one wording
(:func:`jmtools.core.errors.whole_number`, :func:`~jmtools.core.errors.seconds_above_zero`)
and turns a :class:`~jmtools.core.errors.ParameterError` into argparse's own error, so
``jmtools batch --workers 0`` stops with "argument --workers: …" and exit code 2, never a
traceback or a silent default.
"""

from __future__ import annotations

import argparse

from jmtools.core.errors import ParameterError, seconds_above_zero, whole_number

__all__ = ["workers", "cell_seconds"]


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


def cell_seconds(text: str) -> float:
    """``--timeout``: seconds a cell may run, a finite number above 0.

    Examples
    --------
    >>> cell_seconds("600")
    600.0
    >>> cell_seconds("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number of seconds above 0 — got 'nan' (default 600)
    """
    try:
        return seconds_above_zero("--timeout", float(text))
    except (ValueError, ParameterError):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0 — got {text!r} (default 600)") from None
