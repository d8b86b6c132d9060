"""Reading an edited workshop workbook back into a Journey, with every problem located.

:func:`read_workbook` reads the sheets that
:func:`~jmtools.journey.workbook.write_workbook` wrote (and a workshop edited) into a plain
journey document, validates it, and reports each problem by sheet and cell (``Map!C5``)
with a fix. Its :class:`WorkbookImport` also lists what changed
(:func:`~jmtools.journey.diff.diff_journeys`) compared with the file given as ``base`` or
with the hidden snapshot the workbook keeps of the journey it was exported from.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from jmtools.core.errors import DataError, JourneyError, Problem, suggest
from jmtools.core.spreadsheet import formula_cells
from jmtools.journey.claims import _lines, parse_claims
from jmtools.journey.diff import _describe, diff_journeys
from jmtools.journey._workbook_header import header_problems
from jmtools.journey.model import Journey
from jmtools.journey.workbook import (_ABOUT_FIELDS, _CLAIM_FIELDS, _DERIVED, _OPP_COLUMNS,
                                      _PAIN_COLUMNS, _PERSONA_CLAIMS, _PERSONA_COLUMNS,
                                      _SCORE_PREFIX, _SNAPSHOT, _SNAPSHOT_MARK, _TP_COLUMNS,
                                      MAP_ROWS, SHEETS, _derived_value)

__all__ = ["read_workbook", "WorkbookImport"]


@dataclass
class WorkbookImport:
    """The result of :func:`read_workbook`: the journey and what changed.

    Attributes
    ----------
    journey : Journey
        The map as the workbook holds it (validated).
    changes : list of dict
        One dict per change (see :func:`~jmtools.journey.diff.diff_journeys`); empty when
        nothing changed.
    warnings : list of str
        Things the import ignored or guessed, each located by sheet and cell.
    compared_with : str
        What the changes are relative to.
    """

    journey: Any
    changes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    compared_with: str = ""

    def to_frame(self):
        """The changes as a frame: section, item, field, change, old, new."""
        import pandas as pd

        return pd.DataFrame(self.changes, columns=["section", "item", "field", "change",
                                                   "old", "new"])

    def __str__(self) -> str:
        head = (f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''} "
                f"compared with {self.compared_with}" if self.changes else
                f"no changes compared with {self.compared_with}")
        lines = [head] + [f"  {_describe(c)}" for c in self.changes]
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) > 1 else ''}:")
            lines += [f"  {w}" for w in self.warnings]
        return "\n".join(lines)


def read_workbook(path: str | Path, *, base=None, journey_path: str | Path | None = None
                  ) -> WorkbookImport:
    """Read an edited workbook back into a Journey.

    The workbook is one written by :func:`~jmtools.journey.workbook.write_workbook`.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.
    base : Journey or str or Path, optional
        What to compare with for the change report (default: the snapshot the workbook
        keeps of the journey it was exported from).
    journey_path : str or Path, optional
        Where the journey file will live; persona library references (``ref:``) are
        resolved relative to it (default: the base file's path, else the workbook's folder).

    Returns
    -------
    WorkbookImport
        ``journey``, ``changes``, ``warnings`` and ``compared_with``; ``str()`` of it is the
        report to show a person.

    Raises
    ------
    JourneyError
        Listing every problem with sheet and cell (e.g. ``Map!C5``) and a fix. A cell that
        holds a formula (typed as ``=…``, ``+…``, ``-…`` or ``@…``) is such a problem: it is
        never read as empty. Text the workbook shows as typed (``'=x`` in Excel, or what
        :func:`~jmtools.journey.workbook.write_workbook` wrote) reads back unchanged.
    """
    path = Path(path)
    wb = _open(path)
    reader = _Reader(wb, str(path))
    doc = reader.document()
    journey = reader.validate(doc, Journey)
    if isinstance(base, (str, Path)):
        base = Journey.load(base)
    target = Path(journey_path) if journey_path else (
        base.path if base is not None and base.path else path.with_name("journey.yaml"))
    journey._path = target  # persona refs resolve next to the journey file
    reader.cross_check(journey)
    if base is None:
        base, compared = reader.snapshot(Journey), "the journey as exported into the workbook"
    else:
        compared = str(base.path) if base.path else "the given journey"
    if base is None:
        return WorkbookImport(journey, [], reader.warnings,
                              "nothing (the workbook holds no snapshot; pass base=)")
    return WorkbookImport(journey, diff_journeys(base, journey), reader.warnings, compared)


def _open(path: Path):
    from openpyxl import load_workbook

    if not path.exists():
        raise DataError([Problem("workbook not found", source=str(path),
                                 fix="check the path of the .xlsx file")])
    try:
        return load_workbook(path)  # not data_only: a typed formula must be seen, not blanked
    except Exception as err:  # openpyxl raises many kinds for a file that is not xlsx
        raise DataError([Problem(f"not an Excel workbook (.xlsx): {type(err).__name__}: {err}",
                                 source=str(path),
                                 fix="save the file as Excel Workbook (.xlsx)")]) from None


class _Reader:
    """Reads the sheets into a plain journey document, collecting located problems."""

    def __init__(self, wb, source: str):
        self.wb, self.source = wb, source
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.where: dict[tuple, str] = {}  # document path → "Sheet!A1"
        self.derived_rows: dict[str, int] = {}  # grey reference rows of the Map sheet
        missing = [s for s in ("Map",) if s not in wb.sheetnames]
        if missing:
            raise JourneyError([Problem(f"sheet '{missing[0]}' is missing (sheets: "
                                        f"{', '.join(wb.sheetnames)})", source=source,
                                        fix="import a workbook written by 'jmtools map -o "
                                            "MAP.xlsx' and keep its sheet names")])

    def problem(self, where: str, message: str, fix: str) -> None:
        sheet, _, cell = where.partition("!")
        row = re.sub(r"\D", "", cell.split(" ")[0]) if cell else ""
        self.problems.append(Problem(message, fix=fix, source=self.source,
                                     line=int(row) if row else None, column=where))

    # document
    def document(self) -> dict:
        self._refuse_formulas()
        doc: dict = {"jmtools": 1}
        doc.update(self._about())
        doc["stages"] = self._stages()
        tables = (("personas", "Personas", self._persona), ("touchpoints", "Touchpoints", self._tp),
                  ("pain_points", "Pain points", self._pain),
                  ("opportunities", "Opportunities", self._opp))
        for key, sheet, parse in tables:
            rows = self._table(sheet)
            if rows:
                doc[key] = [parse(row, f"{sheet}!{n}", doc, i) for i, (n, row) in enumerate(rows)]
        self._check_derived(doc)
        if self.problems:
            raise JourneyError(self.problems, source=self.source)
        return doc

    def _refuse_formulas(self) -> None:
        """A formula typed into the map is an error at its cell, never an empty cell."""
        for where, text in formula_cells(self.wb, SHEETS):
            shown = text if len(text) <= 40 else text[:39] + "…"
            self.problem(where, f"the cell holds a formula ({shown}); the map keeps text, "
                         "not formulas",
                         "type the text without the leading '=' (or '+', '-', '@'), or start "
                         "it with an apostrophe (') so the spreadsheet keeps it as text")
        if self.problems:
            raise JourneyError(self.problems, source=self.source)

    def _check_derived(self, doc: dict) -> None:
        """Say so when a grey reference row disagrees with its sheet (the sheet counts)."""
        ws = self.wb["Map"]
        data = {"touchpoints": [{"channel": "", **t} for t in doc.get("touchpoints", [])],
                "pain_points": [{"id": "", "title": "", **p} for p in doc.get("pain_points", [])]}
        sheet = {"touchpoints": "Touchpoints", "pain_points": "Pain points"}
        for key, r in self.derived_rows.items():
            for c in range(2, ws.max_column + 1):
                name = ws.cell(1, c).value
                if _blank(name):
                    continue
                shown = "\n".join(_lines(ws.cell(r, c).value))
                expected = "\n".join(_lines(_derived_value(key, str(name).strip(), data)))
                if shown != expected:
                    self.warnings.append(
                        f"Map!{ws.cell(r, c).column_letter}{r}: the grey '{sheet[key]}' row "
                        f"differs from the {sheet[key]} sheet; the sheet is what counts (the row "
                        "is for reference only)")

    def _about(self) -> dict:
        if "About" not in self.wb.sheetnames:
            self.problem("About", "sheet 'About' is missing: the journey has no name",
                         "add the About sheet back (name, owner, version, updated…)")
            return {}
        out = {}
        ws = self.wb["About"]
        for row in ws.iter_rows(min_row=1, max_col=2):
            key, value = (str(row[0].value).strip() if row[0].value else ""), row[1].value
            if key in _ABOUT_FIELDS:
                self.where[(key,)] = f"About!B{row[0].row}"
            if key not in _ABOUT_FIELDS or _blank(value):
                continue
            if key == "tags":
                out[key] = [t.strip() for t in str(value).split(",") if t.strip()]
            elif key == "updated":
                out[key] = _date(value, f"About!B{row[0].row}", self)
            elif key == "version":
                out[key] = value if isinstance(value, int) else str(value).strip()
            else:
                out[key] = str(value).strip()
            self.where[(key,)] = f"About!B{row[0].row}"
        return out

    def _stages(self) -> list[dict]:
        ws = self.wb["Map"]
        titles = {v: k for k, v in MAP_ROWS.items()} | {k: k for k in MAP_ROWS}
        derived = set(_DERIVED.values())
        rows = {}
        for r in range(2, ws.max_row + 1):
            title = ws.cell(r, 1).value
            title = str(title).strip() if title is not None else ""
            if title in titles:
                rows[titles[title]] = r
            elif title in derived:
                self.derived_rows[next(k for k, v in _DERIVED.items() if v == title)] = r
            elif title:
                hint = suggest(title, list(MAP_ROWS.values()))
                self.warnings.append(f"Map!A{r}: row '{title}' is not a lane of the map and was "
                                     "ignored" + (f" (did you mean '{hint}'?)" if hint else ""))
        stages = []
        for c in range(2, ws.max_column + 1):
            name = ws.cell(1, c).value
            letter = ws.cell(1, c).column_letter
            if _blank(name):
                if any(not _blank(ws.cell(r, c).value) for r in rows.values()):
                    self.problem(f"Map!{letter}1", "a column has content but no stage name",
                                 "type the stage name in row 1, or delete the column")
                continue
            stage = {"name": str(name).strip()}
            self.where[("stages", len(stages))] = f"Map!{letter}1"
            for key, r in rows.items():
                where = f"Map!{letter}{r}"
                self.where[("stages", len(stages), key)] = where
                value = self._stage_value(key, ws.cell(r, c).value, where)
                if value not in (None, []):
                    stage[key] = value
            stages.append(stage)
        if not stages:
            self.problem("Map!B1", "the Map sheet has no stage columns",
                         "put stage names in row 1 from column B on")
        return stages

    def _stage_value(self, key: str, value, where: str):
        if key in _CLAIM_FIELDS:
            return self._claims(value, where)
        if key == "emotion":
            return self._emotion(value, where)
        return None if _blank(value) else str(value).strip()

    def _claims(self, value, where: str) -> list:
        found: list = []
        claims = parse_claims(value, where=where, problems=found, warnings=self.warnings)
        for w, message, fix in found:
            self.problem(w, message, fix)
        return [c["text"] if set(c) == {"text"} else c for c in claims]

    def _emotion(self, value, where: str):
        if _blank(value):
            return None
        if isinstance(value, (bool, dt.date, dt.datetime, dt.time)):
            shown = str(value).upper() if isinstance(value, bool) else f"a date ({value})"
            self.problem(where, f"expected a number from -2 to 2 — got {shown}",
                         "write a number such as -1 or 0.5 (format the cell as a number)")
            return None
        if isinstance(value, (int, float)):
            return float(value)
        lines = _lines(value)
        if len(lines) == 1 and ":" not in lines[0]:
            return self._number(lines[0], where)
        out = {}
        for line in lines:
            name, sep, number = line.rpartition(":")
            if not sep or not name.strip():
                self.problem(where, f"emotion line {line!r} is not 'Persona: number'",
                             "write one number (-2…2) or one 'Persona: number' per line")
                continue
            out[name.strip()] = self._number(number, where)
        return out

    def _number(self, text, where: str):
        try:
            return float(str(text).strip().replace("−", "-").replace(",", "."))
        except ValueError:
            self.problem(where, f"expected a number from -2 to 2 — got {text!r}",
                         "write a number such as -1 or 0.5")
            return None

    def _table(self, sheet: str) -> list[tuple[int, dict]]:
        if sheet not in self.wb.sheetnames:
            self.warnings.append(f"sheet '{sheet}' is missing: the journey keeps none of them")
            return []
        ws = self.wb[sheet]
        header = [str(c.value).strip() if c.value is not None else "" for c in ws[1]]
        rows = []
        for r in range(2, ws.max_row + 1):
            values = {h: ws.cell(r, j + 1).value for j, h in enumerate(header) if h}
            if all(_blank(v) for v in values.values()):
                continue
            rows.append((r, {h: v for h, v in values.items()}))
        self._check_header(sheet, header)
        for j, message, fix in header_problems(sheet, header) if rows else ():
            self.problem(f"{sheet}!{ws.cell(1, j + 1).column_letter}1", message, fix)
        return rows

    def _check_header(self, sheet: str, header: list[str]) -> None:
        known = {"Touchpoints": _TP_COLUMNS, "Personas": _PERSONA_COLUMNS,
                 "Pain points": _PAIN_COLUMNS, "Opportunities": _OPP_COLUMNS}[sheet]
        for j, h in enumerate(header):
            if h and h not in known and not (sheet == "Opportunities" and
                                             h.startswith(_SCORE_PREFIX)):
                hint = suggest(h, known)
                letter = self.wb[sheet].cell(1, j + 1).column_letter
                self.warnings.append(f"{sheet}!{letter}1: column '{h}' is not part of the "
                                     "journey and was ignored"
                                     + (f" (did you mean '{hint}'?)" if hint else ""))

    def _cell(self, where: str, col: str) -> str:
        sheet, _, row = where.partition("!")
        header = [c.value for c in self.wb[sheet][1]]
        letter = self.wb[sheet].cell(1, header.index(col) + 1).column_letter if col in header \
            else "?"
        return f"{sheet}!{letter}{row}"

    def _text(self, row: dict, col: str):
        value = row.get(col)
        return None if _blank(value) else str(value).strip()

    def _list(self, row: dict, col: str, sep: str = ",") -> list[str]:
        value = self._text(row, col)
        if value is None:
            return []
        parts = value.split("\n") if sep == "\n" else re.split(r"[,\n]", value)
        return [p.strip() for p in parts if p.strip()]

    def _bool(self, row: dict, col: str, where: str, default: bool):
        value = row.get(col)
        if _blank(value):
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "y", "1", "x"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
        self.problem(self._cell(where, col), f"expected TRUE or FALSE — got {value!r}",
                     "write TRUE or FALSE")
        return default

    def _put(self, out: dict, row: dict, cols, where: str, key: str, index: int) -> dict:
        for col in cols:
            value = self._text(row, col)
            if value is not None:
                out[col] = value
            self.where[(key, index, col)] = self._cell(where, col)
        self.where[(key, index)] = self._cell(where, cols[0])
        return out

    def _tp(self, row: dict, where: str, doc: dict, i: int) -> dict:
        out = self._put({}, row, ["name", "stage", "channel", "owner", "description", "evidence",
                                  "after", "initiated_by", "occurrence"], where, "touchpoints", i)
        occurrence = out.get("occurrence")
        if occurrence is not None and re.fullmatch(r"\d{1,6}(\.0+)?", occurrence):
            out["occurrence"] = int(float(occurrence))   # a number cell: the model checks the range
        out["direct"] = self._bool(row, "direct", where, True)
        out["moment_of_truth"] = self._bool(row, "moment_of_truth", where, False)
        if out["direct"]:
            del out["direct"]
        if not out["moment_of_truth"]:
            del out["moment_of_truth"]
        events = self._list(row, "events", sep="\n")
        if events:
            out["events"] = events
        self.where[("touchpoints", i, "events")] = self._cell(where, "events")
        return out

    def _persona(self, row: dict, where: str, doc: dict, i: int) -> dict:
        ref = self._text(row, "ref")
        if ref:
            self.where[("personas", i)] = self._cell(where, "ref")
            self.where[("personas", i, "ref")] = self._cell(where, "ref")
            return {"ref": ref}
        out = self._put({}, row, ["name", "rule", "backstory", "quote", "evidence"], where,
                        "personas", i)
        cluster = row.get("cluster")
        if not _blank(cluster):
            out["cluster"] = self._int(cluster, self._cell(where, "cluster"))
        if self._bool(row, "rest", where, False):
            out["rest"] = True
        for key in _PERSONA_CLAIMS:
            claims = self._claims(row.get(key), self._cell(where, key))
            if claims:
                out[key] = claims
        demo = self._pairs(row, "demographics", where, "age: 22-29")
        if demo:
            out["demographics"] = demo
        return out

    def _pairs(self, row: dict, col: str, where: str, example: str) -> dict:
        """A cell of ``key: value`` lines as a dict (numbers read as numbers)."""
        out = {}
        for line in self._list(row, col, sep="\n"):
            name, sep, value = line.partition(":")
            if not sep:
                self.problem(self._cell(where, col), f"{col} line {line!r} is not 'key: value'",
                             f"write one 'key: value' per line, e.g. {example}")
                continue
            out[name.strip()] = _scalar(value.strip())
        return out

    def _pain(self, row: dict, where: str, doc: dict, i: int) -> dict:
        out = self._put({}, row, ["id", "title", "stage", "touchpoint", "evidence", "source",
                                  "description"], where, "pain_points", i)
        personas = self._list(row, "personas")
        if personas:
            out["personas"] = personas
        severity = row.get("severity")
        if not _blank(severity):
            out["severity"] = self._int(severity, self._cell(where, "severity"))
        self.where[("pain_points", i, "severity")] = self._cell(where, "severity")
        return out

    def _opp(self, row: dict, where: str, doc: dict, i: int) -> dict:
        out = self._put({}, row, ["id", "title", "owner", "status", "evidence", "description"],
                        where, "opportunities", i)
        pains = self._list(row, "pain_points")
        if pains:
            out["pain_points"] = pains
        self.where[("opportunities", i, "pain_points")] = self._cell(where, "pain_points")
        for key in ("target_date", "change_date"):
            if not _blank(row.get(key)):
                out[key] = _date(row[key], self._cell(where, key), self)
        for key, example in (("target", "touchpoint: Checkout"), ("outcome", "status: improved")):
            pairs = self._pairs(row, key, where, example)
            if pairs:
                out[key] = {k: str(v) if key == "target" or k in ("measure", "status") else v
                            for k, v in pairs.items()}
            self.where[("opportunities", i, key)] = self._cell(where, key)
        scores = {}
        for col, value in row.items():
            if col.startswith(_SCORE_PREFIX) and not _blank(value):
                try:
                    number = float(value)
                    if isinstance(value, bool) or not math.isfinite(number):
                        raise ValueError(value)
                    scores[col[len(_SCORE_PREFIX):].strip()] = number
                except (TypeError, ValueError):
                    self.problem(self._cell(where, col), f"expected a number — got {value!r}",
                                 "write a number, or leave the cell empty")
        if scores:
            out["scores"] = scores
        return out

    def _int(self, value, where: str):
        try:
            if isinstance(value, bool):
                raise TypeError("TRUE/FALSE is not a number")
            number = float(value)
            if number.is_integer():
                return int(number)
        except (TypeError, ValueError):
            pass
        self.problem(where, f"expected a whole number — got {value!r}", "write e.g. 3")
        return None

    # validation
    def validate(self, doc: dict, cls):
        try:
            return cls.model_validate(doc)
        except ValidationError as err:
            problems = []
            for e in err.errors():
                loc = tuple(p for p in e["loc"] if isinstance(p, int) or p in _KNOWN_KEYS)
                if "occurrence" in loc:
                    loc = loc[:loc.index("occurrence") + 1]
                    e = dict(e, msg="occurrence must be any, first, repeat or a whole number n "
                                    "from 1 to 1000 (only the n-th event)", type="occurrence")
                got = "the cell is empty" if e["type"] == "missing" else f"got {e.get('input')!r}"
                problems.append(Problem(f"{e['msg']} — {got}", fix=_fix_for(e), source=self.source,
                                        column=self._locate(loc)))
            raise JourneyError(_unique(problems), source=self.source) from None

    def cross_check(self, journey) -> None:
        problems = []
        for p in journey.check():
            loc = tuple(int(x) if x.isdigit() else x
                        for x in re.findall(r"[A-Za-z_]+|\d+", p.path or ""))
            problems.append(Problem(p.message, fix=p.fix, source=self.source,
                                    column=self._locate(loc)))
        if problems:
            raise JourneyError(problems, source=self.source)

    def _locate(self, loc: tuple) -> str:
        for k in range(len(loc), 0, -1):
            if loc[:k] in self.where:
                return self.where[loc[:k]]
        return ".".join(map(str, loc)) or "workbook"

    def snapshot(self, cls):
        if _SNAPSHOT not in self.wb.sheetnames:
            return None
        ws = self.wb[_SNAPSHOT]
        if ws.cell(1, 1).value != _SNAPSHOT_MARK:
            return None
        text = "".join(str(ws.cell(r, 1).value or "") for r in range(2, ws.max_row + 1))
        try:
            return cls.model_validate_json(text)
        except Exception:  # a damaged snapshot only loses the change report
            self.warnings.append("the hidden snapshot sheet is damaged; changes cannot be listed")
            return None


_KNOWN_KEYS = {"stages", "touchpoints", "personas", "pain_points", "opportunities", "name",
               "owner", "version", "updated", "description", "tags", "goal", "emotion", "stage",
               "channel", "evidence", "status", "severity", "id", "title", "ref", "rule",
               "events", "target_date", "scores", "text", "source", *MAP_ROWS, "quote",
               "backstory", "cluster", "rest", "demographics", "occurrence", "after",
               "initiated_by", *_PERSONA_CLAIMS, "change_date", "target", "outcome"}


def _fix_for(e: dict) -> str:
    if e["type"] == "occurrence":
        return "write first, repeat, any or a number such as 2"
    if e["type"] == "literal_error":
        return f"use {e.get('ctx', {}).get('expected', 'one of the listed values')}"
    if "emotion" in map(str, e["loc"]):
        return "emotions run from -2 to 2"
    if e["type"] == "string_pattern_mismatch":
        return "use lower-case letters, digits, '-' and '_' (e.g. hidden-fees)"
    if e["type"] == "missing":
        return "fill in this cell"
    return "correct the cell"


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p.column not in seen:
            seen.add(p.column)
            out.append(p)
    return out


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _scalar(text: str):
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _date(value, where: str, reader: _Reader):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        reader.problem(where, f"expected a date (YYYY-MM-DD) — got {value!r}",
                       "write the date as 2027-03-31")
        return None
