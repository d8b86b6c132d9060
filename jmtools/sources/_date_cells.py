"""Workbook cells formatted as a date alone are dates, not times at 00:00 (D185).

pandas reads every date or time cell of a workbook as a ``datetime``: a cell formatted
``yyyy-mm-dd`` (a date) and one formatted ``yyyy-mm-dd hh:mm`` holding 00:00 (an event at
midnight) both became ``2024-03-02 00:00:00``, the text of a time, so the rows the sheet wrote
as dates were never marked ``_dated`` (D140) and sorted at 00:00, before that day's timed events.
The cell's number format tells them apart (openpyxl's ``is_datetime``: "date", "datetime" or
"time"): a cell at 00:00 whose format shows no time of day is written back as its date alone;
every other cell stays as pandas read it. The sheet is read a second time, in openpyxl's
read-only mode and for the columns holding a value at 00:00 only, and only then.
"""

from __future__ import annotations

import datetime
from pathlib import Path

__all__ = ["dates_alone"]


def _midnight(value) -> bool:
    return isinstance(value, datetime.datetime) and value.time() == datetime.time(0)


def dates_alone(path: Path, sheet, frame):
    """``frame`` (the sheet as pandas read it, ``header=None``, ``dtype=object``) with each cell
    at 00:00 whose number format is a date alone replaced by that ``date``.

    Examples
    --------
    >>> import datetime, tempfile, pandas as pd
    >>> from openpyxl import Workbook
    >>> book = Workbook()
    >>> book.active.append(["timestamp"])
    >>> for format in ("yyyy-mm-dd", "yyyy-mm-dd hh:mm"):
    ...     book.active.append([datetime.datetime(2024, 3, 2)])
    ...     book.active.cell(book.active.max_row, 1).number_format = format
    >>> path = Path(tempfile.mkdtemp()) / "dates.xlsx"
    >>> book.save(path)
    >>> frame = pd.read_excel(path, dtype=object, header=None)
    >>> dates_alone(path, None, frame)[0].astype("string").tolist()
    ['timestamp', '2024-03-02', '2024-03-02 00:00:00']
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return frame
    columns = [j for j in range(frame.shape[1]) if frame.iloc[:, j].map(_midnight).any()]
    if not columns:
        return frame
    from openpyxl import load_workbook
    from openpyxl.styles.numbers import is_datetime

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        cells = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet or 0]
        frame = frame.copy()
        for row in cells.iter_rows(min_col=min(columns) + 1, max_col=max(columns) + 1):
            for cell in row:
                at = (getattr(cell, "row", None) or 0) - 1, (getattr(cell, "column", None) or 0) - 1
                if (at[1] in columns and at[0] < len(frame) and _midnight(cell.value)
                        and is_datetime(cell.number_format) == "date"):
                    frame.iat[at] = cell.value.date()
    finally:
        book.close()
    return frame
