"""Reading one Excel sheet into a frame of text (D146, D191).

The header is row 1, or the row below title rows (one value at most) and below rows of labels
merged across columns over groups of columns (``Vorgang`` over A:B): those are skipped and said
in a note. ``read_options: {skip: N}`` skips N rows exactly; the other ``read_options`` are
DuckDB's CSV options and are refused for a sheet, never ignored. Formula cells give their
stored value (:mod:`jmtools.sources._formulas`); a text column whose every value is a day
written ``dd.mm.yyyy`` is read as dates, said in a note. When the columns a load names are not
in the header, :func:`header_hint` looks for the row they are on.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

from jmtools.core.errors import DataError, Problem, suggest
from jmtools.sources._date_cells import dates_alone
from jmtools.sources._formulas import formula_kinds, formula_notes, has_formulas
from jmtools.sources._headers import unique_names

__all__ = ["read_excel_sheet", "header_hint", "EXCEL_OPTIONS"]

#: The ``read_options`` an Excel sheet takes (the others are DuckDB's CSV options).
EXCEL_OPTIONS = ("skip",)
_LOOK = 20                                  # rows searched for the header
_DAY_FIRST = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}( \d{1,2}:\d{2}(:\d{2})?)?")


def read_excel_sheet(path: Path, sheet, read_options: dict, dates: bool = True):
    """The sheet ``sheet`` of ``path`` as (text frame, header row, notes, repeated names).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> wb = Workbook(); ws = wb.active
    >>> ws["A1"] = "Export"; ws.merge_cells("A1:C1")
    >>> ws["A2"] = "Case"; ws.merge_cells("A2:B2")
    >>> for row in (["id", "kind", "received"], ["A-1", "private", "03.01.2025"]):
    ...     ws.append(row)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "people.xlsx"; wb.save(path)
    >>> frame, header_row, notes, _ = read_excel_sheet(path, None, {})
    >>> header_row, list(frame.columns), frame.loc[0, "received"]
    (3, ['id', 'kind', 'received'], '2025-01-03')
    """
    skip = _skip(path, read_options)
    frame, kinds = _sheet(path, sheet)
    name = _sheet_name(path, sheet)
    if frame.empty:
        raise DataError([Problem(f"the sheet is empty — sheet {name!r} has no cells", source=path.name,
                                 fix="put the header in row 1 and the rows below it, or pick another "
                                     "sheet with sheet: <name>")])
    if skip is not None:
        if skip >= len(frame):
            raise DataError([Problem(f"read_options skip: {skip} skips every row of sheet {name!r} "
                                     f"({len(frame)} rows)", source=path.name, path="read_options.skip",
                                     fix="give the number of rows above the header (the header on "
                                         "row 3: skip: 2)")])
        top, notes = skip, ([f"row{'s 1–' + str(skip) if skip > 1 else ' 1'} of sheet {name!r} "
                             f"skipped (read_options skip: {skip})"] if skip else [])
    else:
        top, notes = _top(path, name, frame)
    header, repeated = unique_names(["" if _blank(v) else str(v).strip() for v in frame.iloc[top]])
    body = frame.iloc[top + 1:].reset_index(drop=True)
    body.columns = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
    if kinds is not None:
        notes += formula_notes(kinds, list(body.columns), top)
    body = body.astype("string")
    if dates:
        notes += _day_first(body)
    return body, top + 1, notes, repeated


def _skip(path: Path, read_options: dict):
    other = [k for k in read_options if k not in EXCEL_OPTIONS]
    if other:
        raise DataError([Problem(
            f"read_options {k}: {read_options[k]!r} is a CSV option (DuckDB read_csv); it does not "
            "apply to an Excel sheet", source=path.name, path=f"read_options.{k}",
            fix=f"leave {k} out: a sheet's read_options take skip only (skip: 2 when the header is on "
                "row 3); pick the sheet with sheet: <name>") for k in other])
    skip = read_options.get("skip")
    if skip is None:
        return None
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise DataError([Problem(f"read_options skip: {skip!r} is not a number of rows", source=path.name,
                                 path="read_options.skip", fix="skip: 2 when the header is on row 3")])
    return skip


def _sheet(path: Path, sheet):
    import pandas as pd

    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, header=None)
        kinds = None                            # formula cells: their stored value or a blank (D146)
        if path.suffix.lower() in (".xlsx", ".xlsm") and has_formulas(path):
            kinds = formula_kinds(frame, pd.read_excel(
                path, sheet_name=sheet or 0, dtype=object, header=None, engine_kwargs={"data_only": False}))
        frame = dates_alone(path, sheet, frame)     # a cell formatted as a date alone: its date (D185)
    except zipfile.BadZipFile as exc:       # cut short, or another file named .xlsx (D264)
        raise DataError([Problem(f"the workbook cannot be read — it is damaged or no Excel file ({exc})",
                                 source=path.name, fix="export it again as .xlsx, or as CSV")]) from None
    except (ValueError, IndexError, KeyError) as exc:
        names = _sheet_names(path)
        if sheet is None or not names:
            raise DataError([Problem(f"the workbook cannot be read — {exc}", source=path.name,
                                     fix="export it again as .xlsx, or as CSV")]) from None
        near = suggest(str(sheet), names) if isinstance(sheet, str) else None
        raise DataError([Problem(f"the workbook has no sheet {sheet!r} — its sheets are "
                                 f"{', '.join(map(repr, names))}", source=path.name, path="sheet",
                                 fix=f"did you mean sheet: {near}?" if near else
                                 f"sheet: {names[0]} (a name above, or its number from 0)")]) from None
    return frame, kinds


def _sheet_names(path: Path) -> list[str]:
    import pandas as pd

    try:
        with pd.ExcelFile(path) as book:
            return [str(s) for s in book.sheet_names]
    except Exception:  # noqa: BLE001 — not a workbook at all: no names to offer
        return []


def _sheet_name(path: Path, sheet) -> str:
    if isinstance(sheet, str):
        return sheet
    names = _sheet_names(path)
    return names[sheet or 0] if len(names) > (sheet or 0) else str(sheet or 0)


def _top(path: Path, name: str, frame) -> tuple[int, list[str]]:
    """The 0-based header row and a note on the rows above it: title rows, then rows whose every
    value is a label merged across columns (a group header), when the row below reads as a header."""
    top, notes = _title_rows(frame), []
    groups = _group_rows(path, name, frame, top) if _header_like(frame.iloc[top]) else 0
    if top or groups:
        said = []
        title = next((str(v).strip() for v in frame.iloc[:top].to_numpy().ravel() if _filled(v)), "")
        if top:
            said.append(f"a title: {title[:60]!r}" if title else "empty")
        if groups:
            labels = [str(v).strip() for v in frame.iloc[top:top + groups].to_numpy().ravel() if _filled(v)]
            said.append("labels merged over groups of columns: " + ", ".join(map(repr, labels[:4])))
        top += groups
        notes.append(f"row{'s 1–' + str(top) if top > 1 else ' 1'} above the header skipped "
                     f"({'; '.join(said)}); the header is row {top + 1} of sheet {name!r}"
                     + (f" — to say so in loading.yaml: read_options: {{skip: {top}}}" if groups else ""))
    return top, notes


def _group_rows(path: Path, name: str, frame, top: int) -> int:
    """How many rows from ``top`` hold only labels merged across two or more columns, with a
    header below them; 0 when not so (or the workbook's merged cells cannot be read)."""
    row = frame.iloc[top]
    if row.map(_filled).all():                  # merged ranges leave blank cells: none, no group row
        return 0
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=False, data_only=True)
        ranges = list(book[name].merged_cells.ranges)
        book.close()
    except Exception:  # noqa: BLE001 — an .xls, or an odd workbook: read as before
        return 0
    starts = {(r.min_row - 1, r.min_col - 1) for r in ranges if r.max_col > r.min_col}
    groups = 0
    for i in range(top, min(len(frame) - 1, top + 3)):
        filled = [j for j, v in enumerate(frame.iloc[i]) if _filled(v)]
        if not filled or not all((i, j) in starts for j in filled):
            break
        groups += 1
    if groups and _header_like(frame.iloc[top + groups]):
        return groups
    return 0


def _header_like(row) -> bool:
    filled = [v for v in row if _filled(v)]
    return len(filled) >= 2 and all(isinstance(v, str) and not _looks_like_value(v) for v in filled)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _filled(value) -> bool:
    return not _blank(value) and str(value).strip() != ""


def _title_rows(frame, look: int = _LOOK) -> int:
    """How many rows above the header hold a title (one value at most, or none): counted only
    when the row after them reads as a header — two or more names, all text, none a number or
    a date — so a one-column table, or a header with blanks over data, is read from row 1."""
    rows = frame.iloc[:look].to_numpy()
    for i, row in enumerate(rows):
        filled = [v for v in row if _filled(v)]
        if len(filled) <= 1:
            continue
        if i == 0 or not _header_like(row):
            return 0
        return i
    return 0


def _looks_like_value(text: str) -> bool:
    """A number or a date written as text (12, 3.5, 2024-03-01, 09.03.2024): not a column name."""
    return bool(re.fullmatch(r"[-+]?[\d.,:/ T-]+", text.strip()))


def _day_first(body) -> list[str]:
    """Text columns whose every value is a day written dd.mm.yyyy (a time may follow) rewritten
    as ISO dates in place, one note each; a value that is no real day leaves its column text."""
    import pandas as pd

    notes = []
    for col in body.columns:
        values = body[col].dropna().str.strip()
        values = values[values != ""]
        if values.empty or not values.str.fullmatch(_DAY_FIRST).all():
            continue
        timed = values.str.contains(":")
        read = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        for has_time, fmt in ((False, "%d.%m.%Y"), (True, "%d.%m.%Y %H:%M"), (True, "%d.%m.%Y %H:%M:%S")):
            part = values[(timed == has_time) & read.isna()]
            if not part.empty:
                read.update(pd.to_datetime(part, format=fmt, errors="coerce"))
        if read.isna().any():
            continue
        iso = read.dt.strftime("%Y-%m-%d").where(~timed, read.dt.strftime("%Y-%m-%d %H:%M:%S"))
        body.loc[iso.index, col] = iso
        notes.append(f"column {col!r}: {len(values):,} days written dd.mm.yyyy (e.g. {values.iloc[0]!r}) "
                     "read as dates, day first")
    return notes


def header_hint(err: DataError, src, sheet, kind: str, normalise) -> DataError:
    """``err`` with a fix naming the row of the sheet its missing columns are on, when ``src``
    is an Excel file whose header is lower than the row read (else ``err`` itself); names are
    compared as written and through ``normalise`` (``Customer ID`` is ``customer_id``)."""
    path = Path(src) if isinstance(src, (str, Path)) else None
    if path is None or path.suffix.lower() not in (".xlsx", ".xlsm", ".xls") or not path.is_file():
        return err
    named = {p.column for p in err.problems if p.column and "not in the input" in p.message}
    wanted = named or {p.column for p in err.problems if p.column and p.message.startswith("required column")}
    if not wanted:
        return err
    try:
        frame, _ = _sheet(path, sheet)
    except DataError:
        return err
    for i, row in enumerate(frame.iloc[:_LOOK].to_numpy()):
        names = {str(v).strip() for v in row if _filled(v)}
        seen = names | {normalise(n) for n in names}
        if all(w in seen or normalise(w) in seen for w in wanted):
            fix = (f"the header seems to be on row {i + 1} of sheet {_sheet_name(path, sheet)!r}: write "
                   f"read_options: {{skip: {i}}} under {kind}: in loading.yaml (in Python, "
                   f"read_options={{'skip': {i}}})")
            return DataError([dataclasses.replace(p, fix=fix, line=i + 1) if p.column in wanted else p
                              for p in err.problems])
    return err
