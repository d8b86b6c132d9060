"""A disclosed frame for reading: the numbers the rule hid say so in words, not NaN.

The disclosure rule (:mod:`jmtools.pipeline._disclosed`) leaves hidden numbers missing and
marks their rows ``suppressed``; a table a person reads says why a cell is empty.
:func:`hidden_as_text` is the one way to write that text; :func:`with_fewer` ("fewer than 5"
over a funnel step's count) and :func:`jmtools.report.steps.not_shown` ("not shown") call it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.pipeline._disclosed import FEWER, protecting_rows

__all__ = ["with_fewer", "hidden_as_text"]


def with_fewer(frame: pd.DataFrame, columns=("n", "conversion"), *, text: str = FEWER) -> pd.DataFrame:
    """A disclosed frame for reading: in ``suppressed`` rows, ``columns`` say ``text`` ("fewer than 5").

    The other hidden numbers stay missing (a table shows "–"). :func:`hidden_as_text` with
    ``overwrite=True``. A funnel's steps hidden to protect a smaller group
    (``attrs["protecting"]``, their ``step_index``) say "hidden": they are not fewer than 5.

    Examples
    --------
    >>> f = pd.DataFrame({"step": ["A", "B"], "n": [20.0, None], "conversion": [1.0, None],
    ...                   "suppressed": [False, True]})
    >>> with_fewer(f)[["n", "conversion"]].values.tolist()
    [[20.0, 1.0], ['fewer than 5', 'fewer than 5']]
    """
    mine = protecting_rows(frame)
    if not mine.any():
        return hidden_as_text(frame, text, columns=columns, overwrite=True)
    few = hidden_as_text(frame.assign(suppressed=frame["suppressed"].to_numpy(bool) & ~mine), text,
                         columns=columns, overwrite=True)
    out = hidden_as_text(few.assign(suppressed=mine), "hidden", columns=columns, overwrite=True)
    return out.assign(suppressed=frame["suppressed"].to_numpy())


def hidden_as_text(frame: pd.DataFrame, text: str, *, columns=None, overwrite: bool = False) -> pd.DataFrame:
    """A copy of a disclosed frame whose hidden numbers say ``text``, for reading.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame through the disclosure rule: its hidden rows are marked ``suppressed``, or
        listed in ``attrs["counts_hidden"]`` (positions), or its hidden cells are just missing.
    text : str
        What the cells say (``FEWER``; the report's "not shown").
    columns : sequence of str, optional
        The columns written in (those the frame has); default every number column (not booleans).
    overwrite : bool, default False
        True: every cell of ``columns`` in a row marked ``suppressed`` says ``text``, whatever it
        holds (a claim about the row: "fewer than 5"; no row without that column). False: only
        missing cells say ``text``, in rows marked ``suppressed`` or listed in
        ``attrs["counts_hidden"]``, and in every row of a frame without a ``suppressed`` column;
        the numbers shown stay.

    Returns
    -------
    pandas.DataFrame
        A copy; a column written in becomes ``object``, the others keep their types.

    Examples
    --------
    >>> f = pd.DataFrame({"persona": ["Ben", "Tiny"], "n": [40.0, None], "total": [50, 50],
    ...                   "suppressed": [False, True]})
    >>> hidden_as_text(f, "hidden")[["n", "total"]].values.tolist()
    [[40.0, 50], ['hidden', 50]]
    >>> hidden_as_text(f, "hidden", columns=["total"], overwrite=True)["total"].tolist()
    [50, 'hidden']
    """
    out = frame.copy()
    marked = "suppressed" in out
    rows = np.array(out["suppressed"], dtype=bool) if marked else np.full(len(out), not overwrite)
    if not overwrite:
        rows[[i for i in frame.attrs.get("counts_hidden", ()) if i < len(rows)]] = True
    if columns is None:
        columns = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])
                   and not pd.api.types.is_bool_dtype(out[c])]
    for col in columns:
        if col not in out:
            continue
        cells = rows if overwrite else rows & out[col].isna().to_numpy()
        if cells.any():
            out[col] = out[col].astype(object).mask(cells, text)
    return out
