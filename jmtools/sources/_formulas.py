"""Formula cells of a sheet: read as the value the spreadsheet stored, never as their text (D146).

A workbook saved by a spreadsheet program stores each formula's last value beside it; pandas
reads that value (openpyxl's ``data_only=True``). A workbook written by another tool and never
opened in one (openpyxl, a reporting server) stores only the formula: its value is no value.
Nothing here computes a formula. A formula cell with a stored value is read as that value; one
without is left blank, so a column a table needs rejects its row as missing. Both are counted
per column, with the first cells, in the load's notes: before, such a cell was read as the
formula's text (``=E4/12`` a text attribute, ``="Tarifrechner geöffnet"`` an unknown event).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

__all__ = ["has_formulas", "formula_kinds", "formula_notes"]

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def has_formulas(path: Path) -> bool:
    """The workbook at ``path`` holds a formula cell in some sheet (its XML has an ``<f>``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> wb = Workbook(); wb.active.append([1, "=A1*2"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "f.xlsx"; wb.save(path)
    >>> has_formulas(path)
    True
    """
    try:
        with zipfile.ZipFile(path) as book:
            return any(_FORMULA_TAG.search(book.read(name)) for name in book.namelist()
                       if name.startswith("xl/worksheets/") and name.endswith(".xml"))
    except (OSError, zipfile.BadZipFile, KeyError):
        return False


def formula_kinds(values, written):
    """Which cells of a sheet are formulas, and whether each has a stored value.

    Parameters
    ----------
    values : pandas.DataFrame
        The sheet as pandas reads it (each formula's stored value; NaN where none is stored).
    written : pandas.DataFrame
        The same sheet read with ``data_only=False`` (each formula's text).

    Returns
    -------
    pandas.DataFrame
        The shape of ``values``: ``"value"`` for a formula read as its stored value, ``"none"``
        for one without (it stays blank in ``values``), else ``""``.

    Examples
    --------
    >>> import pandas as pd
    >>> values = pd.DataFrame([[1, 2.0, None]])
    >>> formula_kinds(values, pd.DataFrame([[1, "=A1*2", "=B1/12"]])).iloc[0].tolist()
    ['', 'value', 'none']
    """
    import pandas as pd

    if written.shape != values.shape:
        return pd.DataFrame("", index=values.index, columns=values.columns)
    formula = written.map(lambda v: isinstance(v, str) and v.startswith("="))
    return formula.map(lambda f: "value" if f else "").mask(formula & values.isna(), "none")


def formula_notes(kinds, header: list[str], top: int, shown: int = 3) -> list[str]:
    """One note per column with formula cells below the header row ``top`` (0-based): how
    many were read as their stored value, how many had none and were left blank, the first
    cells (``C5``) of each.

    Examples
    --------
    >>> import pandas as pd
    >>> kinds = pd.DataFrame([["", ""], ["", "none"], ["", "value"], ["", "none"]])
    >>> formula_notes(kinds, ["Kunde", "Beitrag"], 0)[0]  # doctest: +ELLIPSIS
    "column 'Beitrag': 2 formula cells hold no stored value (B2, B4): left blank, never read as ...
    """
    from openpyxl.utils import get_column_letter

    notes = []
    body = kinds.iloc[top + 1:]
    for j, name in enumerate(header):
        column = body.iloc[:, j]
        cells = {k: [f"{get_column_letter(j + 1)}{i + 1}" for i in column.index[column == k]]
                 for k in ("none", "value")}
        if cells["none"]:
            n = len(cells["none"])
            notes.append(f"column {name!r}: {n:,} formula cell{'s hold' if n > 1 else ' holds'} no stored value "
                         f"({_first(cells['none'], shown)}): left blank, never read as the formula's text — "
                         "the workbook was written by a tool that stores formulas without their values; open "
                         "and save it in a spreadsheet program, or export the column as values")
        if cells["value"]:
            n = len(cells["value"])
            notes.append(f"column {name!r}: {n:,} formula cell{'s' if n > 1 else ''} read as the value the "
                         f"spreadsheet stored ({_first(cells['value'], shown)}); nothing was recalculated")
    return notes


def _first(cells: list[str], shown: int) -> str:
    return ", ".join(cells[:shown]) + (f" and {len(cells) - shown:,} more" if len(cells) > shown else "")
