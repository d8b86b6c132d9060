"""A time budget for commands that work through data: stop with a plain message, never hang.

``jmtools map --data``, ``validate --data``, ``discover`` and ``sample-data`` read whole tables
and may meet an input far larger than intended. Each takes ``--time-limit SECONDS`` (default
:data:`DEFAULT_SECONDS`; 0 turns it off); when it runs out the command stops and says what to do.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from jmtools.core.errors import JmtoolsError

__all__ = ["DEFAULT_SECONDS", "TimeLimitExceeded", "add_time_limit", "seconds", "time_budget"]

#: Default budget of a command, in seconds.
DEFAULT_SECONDS = 1800


class TimeLimitExceeded(JmtoolsError):
    """A command ran out of its ``--time-limit``."""


def seconds(text: str) -> float:
    """``--time-limit``'s value: a finite number of seconds ≥ 0 (argparse says so otherwise).

    Examples
    --------
    >>> seconds("90")
    90.0
    >>> seconds("inf")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number of seconds, 0 or more (0: no limit) — got 'inf'
    """
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= _MAX_SECONDS):
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds, 0 or more (0: no limit) — got {text!r}")
    return value


_MAX_SECONDS = 10 ** 8  # about three years: beyond what a timer can hold everywhere


def add_time_limit(parser, default: float = DEFAULT_SECONDS) -> None:
    """Give a sub-command the ``--time-limit SECONDS`` option."""
    parser.add_argument("--time-limit", type=seconds, default=default, metavar="SECONDS",
                        help=f"stop with a message after this many seconds (default {default:g}; "
                             "0: no limit)")


@contextmanager
def time_budget(seconds, *, command: str):
    """Raise :class:`TimeLimitExceeded` inside the block after ``seconds`` (None or 0: no limit).

    Works in the main thread of a Unix process (where the command line runs); elsewhere the
    block runs without a limit.

    Examples
    --------
    >>> with time_budget(0, command="map"):
    ...     pass
    """
    usable = (seconds and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def stop(signum, frame):
        raise TimeLimitExceeded(
            f"jmtools {command} stopped after its time limit of {seconds:g} s. Fix: run it on a "
            "sample of the data first, or allow more time with --time-limit SECONDS "
            "(0: no limit)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
