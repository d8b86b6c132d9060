"""The one input check every chart function makes on the frame it is given."""

from __future__ import annotations

from typing import Sequence

from jmtools.core.errors import DataError, Problem


def require_columns(frame, cols: Sequence[str], what: str, fix: str) -> None:
    """Raise :class:`DataError` when ``frame`` lacks any of ``cols`` or has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "curve", "pass emotion_curve(...)")
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "n"], "curve", "pass emotion_curve(...)")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.DataError: curve: curve lacks columns n
      Fix: pass emotion_curve(...)
    """
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError([Problem(f"{what} lacks columns {', '.join(missing)}", fix=fix,
                                 source=what)])
    if len(frame) == 0:
        raise DataError([Problem(f"{what} is empty: nothing to draw", fix=fix, source=what)])
