"""Text that a spreadsheet must never run as a formula (CSV / formula injection).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel, LibreOffice and Google Sheets as a formula, so a pain-point title such as
``=HYPERLINK("http://x","y")`` would become a live link, and worse payloads can run
commands. Following OWASP's CSV-injection guidance, every CSV and ``.xlsx`` file jmtools
writes passes its text through this module. The decision, per format:

* **CSV** has no types, so text that a spreadsheet would run is prefixed with a single quote
  (``'=x``), as OWASP recommends. :func:`csv_text` adds it and :func:`csv_untext` removes
  exactly what :func:`csv_text` added: text that already starts with quotes followed by a
  dangerous character gets one more quote, so ``csv_untext(csv_text(t)) == t`` for every
  text ``t`` (``'=x`` stays ``'=x``, ``-2 stars`` stays ``-2 stars``). :func:`write_csv`
  also ends rows with ``\r\n`` (RFC 4180), so that a carriage return inside a text is
  quoted and cannot start a new row of its own.
* **xlsx** cells have a type. Text is written as a string cell (``data_type "s"``, never
  ``"f"``) with Excel's *quote prefix* flag (the hidden ``'`` Excel shows in the formula bar
  when someone types ``'=x``), so editing the cell later keeps it text. The value itself is
  not changed, so reading the workbook back needs no undoing at all: ``=x`` reads as ``=x``.

Numbers stay numbers: only text is touched, and text that is a plain number (``-2``,
``+1.5``, ``-3e2``) is not a formula and is written unchanged. :func:`formula_cells` finds
the cells of a workbook that hold a formula (typed in by someone), so an import can report
them by sheet and cell instead of reading them as empty.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["DANGEROUS_STARTS", "is_formula_like", "csv_text", "csv_untext", "csv_frame",
           "write_csv", "text_cell", "protect_workbook", "formula_cells"]

#: First characters that make a spreadsheet read text as a formula (OWASP).
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(text) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula.

    Examples
    --------
    >>> [is_formula_like(t) for t in ["=1+1", "-1+1", "@SUM(A1)", "\\t=1", "-2", "ok", 3]]
    [True, True, True, True, False, False, False]
    """
    if not isinstance(text, str) or not text.startswith(DANGEROUS_STARTS):
        return False
    return not _PLAIN_NUMBER.fullmatch(text)


def csv_text(value):
    """``value`` made safe for a CSV cell: dangerous text gets a leading ``'``; others unchanged.

    Examples
    --------
    >>> csv_text('=HYPERLINK("http://x","y")'), csv_text("-2 stars"), csv_text(-2)
    ('\\'=HYPERLINK("http://x","y")', "'-2 stars", -2)
    >>> csv_text("'=x"), csv_text("'quoted")
    ("''=x", "'quoted")
    """
    if not isinstance(value, str):
        return value
    return "'" + value if is_formula_like(value.lstrip("'")) else value


def csv_untext(value):
    """Undo :func:`csv_text` exactly (for reading back a CSV jmtools wrote).

    Examples
    --------
    >>> [csv_untext(csv_text(t)) for t in ["=x", "'=x", "'quoted", "-2 stars", "-2"]]
    ['=x', "'=x", "'quoted", '-2 stars', '-2']
    """
    if isinstance(value, str) and value.startswith("'") and is_formula_like(
            value[1:].lstrip("'")):
        return value[1:]
    return value


def csv_frame(frame):
    """A copy of ``frame`` with every text cell and column name passed through :func:`csv_text`.

    Examples
    --------
    >>> import pandas as pd
    >>> csv_frame(pd.DataFrame({"title": ["=1+1", "fine"], "n": [-2, 3]})).values.tolist()
    [["'=1+1", -2], ['fine', 3]]
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith(("string", "str")):
            values = out[col].astype(object)
            first = values.map(lambda v: v[:1] if isinstance(v, str) else "")
            risky = first.isin(DANGEROUS_STARTS + ("'",))  # only these can change
            if risky.any():
                values[risky] = values[risky].map(csv_text)
            out[col] = values
    out.columns = [csv_text(c) for c in out.columns]
    return out


def write_csv(frame, path):
    """Write ``frame`` (without its index) as a CSV no spreadsheet runs formulas from.

    Text passes through :func:`csv_frame`; rows end with ``\r\n``, which makes the
    ``csv`` module quote every text holding a carriage return or a line feed (with ``\n``
    alone a bare ``\r`` would be written unquoted and read as a new row).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> frame = pd.DataFrame({"title": ["@SUM(A1)", "a\\rb"], "n": [-1, 2]})
    >>> path = write_csv(frame, os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> path.read_bytes()
    b'title,n\\r\\n\\'@SUM(A1),-1\\r\\n"a\\rb",2\\r\\n'
    """
    csv_frame(frame).to_csv(path, index=False, lineterminator="\r\n")
    return Path(path)


def text_cell(cell):
    """Make an openpyxl cell that holds text a string cell, flagged as text if formula-like.

    Assign the value first, then call this: openpyxl types any text starting with ``=`` as a
    formula (``data_type "f"``); this sets it back to ``"s"`` and sets Excel's quote-prefix
    flag when the text starts with a dangerous character. Other values are left alone.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> cell = text_cell(Workbook().active.cell(1, 1, "=1+1"))
    >>> cell.value, cell.data_type, cell.quotePrefix
    ('=1+1', 's', True)
    """
    value = cell.value
    if isinstance(value, str) or type(value).__name__ == "CellRichText":
        cell.data_type = "s"
        if is_formula_like(str(value)):
            cell.quotePrefix = True
    return cell


def protect_workbook(wb):
    """Apply :func:`text_cell` to every cell of every sheet (hidden ones too); return ``wb``.

    Call it just before saving a workbook built with openpyxl or pandas.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> wb = Workbook()
    >>> wb.active["A1"] = "@SUM(A1)"
    >>> protect_workbook(wb).active["A1"].data_type
    's'
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text_cell(cell)
    return wb


def formula_cells(wb, sheets=None) -> list[tuple[str, str]]:
    """The cells holding a formula, as ``("Sheet!C7", "=SUM(A1)")`` pairs in reading order.

    ``wb`` must be loaded with ``load_workbook(path)`` (not ``data_only=True``, which turns
    a formula into its cached value, or into nothing when no spreadsheet computed it).

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> wb = Workbook()
    >>> wb.active.title = "Map"
    >>> wb.active["C7"] = "=SUM(A1:A2)"
    >>> formula_cells(wb)
    [('Map!C7', '=SUM(A1:A2)')]
    """
    found = []
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    text = getattr(cell.value, "text", cell.value)  # array formulas
                    text = str(text) if str(text).startswith("=") else f"={text}"
                    found.append((f"{ws.title}!{cell.coordinate}", text))
    return found
