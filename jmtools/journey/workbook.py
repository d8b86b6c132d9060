"""The map as an Excel workbook for workshops, and the way back into the Journey file.

:func:`write_workbook` writes one sheet of lanes × stages (*Map*) plus *Touchpoints*,
*Personas*, *Pain points*, *Opportunities* and *About* sheets. People edit it in a workshop
(Excel, LibreOffice, Google Sheets); :func:`read_workbook` turns it back into a
:class:`~jmtools.journey.Journey` and reports precisely what changed
(:func:`diff_journeys`), with every problem located by sheet and cell.

How a cell of the *Map* sheet holds claims: one claim per line; a line may end with tags
in square brackets — the evidence label, ``source:`` and ``personas:``, separated by ``|``::

    Asks a friend for advice [reported | source: interviews 2026-10 | personas: Budget Ben]
    Sees an ad

A line without tags is an *assumed* claim for every persona. The emotion row holds one
number (−2…+2) or one ``Persona: number`` per line.

The workbook keeps a hidden snapshot of the journey as it was exported, so the change
report works even when the original file is not at hand.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jmtools.core.errors import DataError, JourneyError, ParameterError, Problem, suggest
from jmtools.core.metrics import CHANNEL_KINDS, EVIDENCE_LABELS

__all__ = ["SHEETS", "MAP_ROWS", "write_workbook", "read_workbook", "diff_journeys",
           "WorkbookImport", "parse_claims", "format_claim"]

#: Sheet names, in workbook order.
SHEETS = ("Map", "Touchpoints", "Personas", "Pain points", "Opportunities", "About")

#: Rows of the Map sheet: stage field → row title.
MAP_ROWS = {
    "goal": "Customer goal",
    "description": "Description",
    "owner": "Owner",
    "emotion": "Emotion (assumed, −2…+2)",
    "actions": "Actions (does)",
    "thoughts": "Thoughts (thinks)",
    "feelings": "Feelings (feels)",
    "frontstage": "Frontstage",
    "backstage": "Backstage",
    "support": "Support processes",
}
_CLAIM_FIELDS = ("actions", "thoughts", "feelings", "frontstage", "backstage", "support")
_DERIVED = {"touchpoints": "Touchpoints — edit in the Touchpoints sheet",
            "pain_points": "Pain points — edit in the Pain points sheet"}
_SNAPSHOT = "_jmtools"
_SNAPSHOT_MARK = "jmtools journey snapshot v1"
_CHUNK = 30000  # an Excel cell holds at most 32,767 characters

_TP_COLUMNS = ["name", "stage", "channel", "direct", "moment_of_truth", "owner", "events",
               "evidence", "description"]
_PERSONA_COLUMNS = ["name", "ref", "rule", "cluster", "backstory", "goals", "motivations",
                    "desires", "pain_points", "demographics", "quote", "evidence"]
_PAIN_COLUMNS = ["id", "title", "stage", "touchpoint", "personas", "severity", "evidence",
                 "source", "description"]
_OPP_COLUMNS = ["id", "title", "pain_points", "owner", "status", "target_date", "evidence",
                "description"]
_SCORE_PREFIX = "score: "
_STANDARD_SCORES = ("impact", "effort", "reach", "confidence", "ease")
_ABOUT_FIELDS = ["name", "owner", "version", "updated", "description", "tags"]
_PERSONA_CLAIMS = ("goals", "motivations", "desires", "pain_points")


# ------------------------------------------------------------------------ claim text
def format_claim(claim: Any) -> str:
    """One line of a Map cell for a claim: its text, then tags when it has any.

    Examples
    --------
    >>> format_claim({"text": "Asks a friend", "evidence": "reported", "personas": ["Ben"]})
    'Asks a friend [reported | personas: Ben]'
    >>> format_claim("Sees an ad")
    'Sees an ad'
    """
    data = claim if isinstance(claim, dict) else (
        {"text": claim} if isinstance(claim, str) else claim.model_dump())
    tags = []
    evidence = data.get("evidence") or "assumed"
    if evidence != "assumed":
        tags.append(evidence)
    if data.get("source"):
        tags.append(f"source: {data['source']}")
    if data.get("personas"):
        tags.append("personas: " + ", ".join(data["personas"]))
    text = " ".join(str(data["text"]).split())
    if not tags and text.endswith("]"):
        tags.append("assumed")  # so a text ending in brackets is not read as tags
    return text + (f" [{' | '.join(tags)}]" if tags else "")


_TAGS = re.compile(r"^(?P<text>.*?)\s*\[(?P<tags>[^\[\]]*)\]\s*$", re.S)


def parse_claims(value: Any, *, where: str = "", problems: list | None = None,
                 warnings: list | None = None) -> list[dict]:
    """Parse a Map cell into claims (dicts with text and, when given, evidence/source/personas).

    Examples
    --------
    >>> parse_claims("Sees an ad\\n• Asks a friend [reported | source: interviews]")
    [{'text': 'Sees an ad'}, {'text': 'Asks a friend', 'evidence': 'reported', 'source': 'interviews'}]
    """
    problems = [] if problems is None else problems
    warnings = [] if warnings is None else warnings
    claims = []
    for k, raw in enumerate(_lines(value), start=1):
        claim = _parse_line(raw, f"{where} line {k}", problems, warnings)
        if claim:
            claims.append(claim)
    return claims


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    out = []
    for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = re.sub(r"^\s*(?:[•·▪‣◦*]|-\s)\s*", "", line).strip()
        if line:
            out.append(line)
    return out


def _parse_line(line: str, where: str, problems: list, warnings: list) -> dict | None:
    match = _TAGS.match(line)
    if not match:
        return {"text": line}
    claim: dict = {"text": match["text"].strip()}
    bad = []
    for token in [t.strip() for t in match["tags"].split("|") if t.strip()]:
        key, sep, val = token.partition(":")
        key, val = key.strip().lower(), val.strip()
        if not sep and key in EVIDENCE_LABELS:
            claim["evidence"] = key
        elif sep and key == "evidence" and val in EVIDENCE_LABELS:
            claim["evidence"] = val
        elif sep and key == "source" and val:
            claim["source"] = val
        elif sep and key in ("personas", "persona") and val:
            claim["personas"] = [p.strip() for p in val.split(",") if p.strip()]
        else:
            bad.append(token)
    if bad and len(bad) == len([t for t in match["tags"].split("|") if t.strip()]):
        hint = suggest(bad[0], list(EVIDENCE_LABELS))
        warnings.append(f"{where}: '[{match['tags']}]' is not a tag list, kept as part of the "
                        f"text" + (f" (did you mean [{hint}]?)" if hint else
                                   " (tags look like [reported | source: … | personas: …])"))
        return {"text": line}
    if bad:
        problems.append((where, f"unknown tag(s) {', '.join(map(repr, bad))} in {line!r}",
                         "tags are an evidence label (measured, reported, assumed), "
                         "'source: …' and 'personas: A, B', separated by |"))
    if not claim["text"]:
        problems.append((where, f"a claim has tags but no text: {line!r}",
                         "write the claim before the [tags]"))
        return None
    return claim


# -------------------------------------------------------------------------------- write
def write_workbook(journey, path: str | Path) -> Path:
    """Write the map as an Excel workbook that a workshop can edit and import back.

    Parameters
    ----------
    journey : Journey
        The map.
    path : str or Path
        Output ``.xlsx`` file (missing folders are created).

    Returns
    -------
    Path
        The written file. Sheets: :data:`SHEETS` (plus a hidden snapshot sheet).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: Browse, actions: [Looks]}]")
    >>> out = write_workbook(j, pathlib.Path(tempfile.mkdtemp()) / "map.xlsx")
    >>> result = read_workbook(out)
    >>> result.journey == j, result.changes
    (True, [])
    """
    from openpyxl import Workbook

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ParameterError("workbook path", str(path), expected="a file name ending in .xlsx")
    data = journey.model_dump(mode="json", exclude_none=False)
    wb = Workbook()
    wb.remove(wb.active)
    _map_sheet(wb.create_sheet("Map"), journey, data)
    _table_sheet(wb.create_sheet("Touchpoints"), _TP_COLUMNS,
                 [_tp_row(t) for t in data["touchpoints"]], journey)
    _table_sheet(wb.create_sheet("Personas"), _PERSONA_COLUMNS,
                 [_persona_row(p) for p in data["personas"]], journey)
    _table_sheet(wb.create_sheet("Pain points"), _PAIN_COLUMNS,
                 [_pain_row(p) for p in data["pain_points"]], journey)
    score_keys = list(_STANDARD_SCORES) + sorted(
        {k for o in data["opportunities"] for k in o["scores"]} - set(_STANDARD_SCORES))
    _table_sheet(wb.create_sheet("Opportunities"),
                 _OPP_COLUMNS + [_SCORE_PREFIX + k for k in score_keys],
                 [_opp_row(o) for o in data["opportunities"]], journey)
    _about_sheet(wb.create_sheet("About"), data)
    _snapshot_sheet(wb.create_sheet(_SNAPSHOT), journey)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "head": (Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="30475E")),
        "lane": (Font(bold=True, color="30475E"), PatternFill("solid", fgColor="E8ECF1")),
        "derived": (Font(italic=True, color="808080"), PatternFill("solid", fgColor="F4F4F4")),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


def _style(cell, kind: str, styles) -> None:
    cell.font, cell.fill = styles[kind]
    cell.alignment = styles["wrap"]


def _map_sheet(ws, journey, data) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    st = _styles()
    ws.cell(1, 1, "Stage →")
    _style(ws.cell(1, 1), "head", st)
    ws.column_dimensions["A"].width = 28
    for j, stage in enumerate(data["stages"], start=2):
        _style(ws.cell(1, j, stage["name"]), "head", st)
        ws.column_dimensions[get_column_letter(j)].width = 38
        for i, key in enumerate(MAP_ROWS, start=2):
            cell = ws.cell(i, j, _map_value(key, stage))
            cell.alignment = st["wrap"]
    for i, (key, title) in enumerate(MAP_ROWS.items(), start=2):
        _style(ws.cell(i, 1, title), "lane", st)
        lines = max([1] + [len(str(ws.cell(i, j).value or "").split("\n")) +
                           len(str(ws.cell(i, j).value or "")) // 45
                           for j in range(2, len(data["stages"]) + 2)])
        ws.row_dimensions[i].height = min(400, 15 * lines + 4)
    ws.cell(2, 1).comment = Comment(_MAP_HELP, "jmtools", width=420, height=260)
    base = len(MAP_ROWS) + 3
    for k, (key, title) in enumerate(_DERIVED.items()):
        _style(ws.cell(base + k, 1, title), "derived", st)
        for j, stage in enumerate(data["stages"], start=2):
            cell = ws.cell(base + k, j, _derived_value(key, stage["name"], data))
            _style(cell, "derived", st)
    ws.freeze_panes = "B2"


_MAP_HELP = ("One claim per line. End a line with tags in square brackets to give its "
             "evidence, source and personas, e.g.\n"
             "Asks a friend [reported | source: interviews | personas: Budget Ben]\n"
             "A line without tags is assumed, for every persona.\n"
             "Emotion: one number from -2 to 2, or one 'Persona: number' per line.\n"
             "Add a stage by adding a column; reorder stages by moving columns.\n"
             "The grey rows at the bottom are shown for reference only.")


_TAG_COLORS = {"measured": "1B7837", "reported": "2166AC", "assumed": "808080"}


def _rich_claims(claims: list):
    """Claim lines with their [tags] in small coloured italics (green measured, blue reported)."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    parts: list = []
    for k, claim in enumerate(claims):
        line = format_claim(claim)
        text = claim if isinstance(claim, str) else claim["text"]
        text = " ".join(str(text).split())
        head, tags = line[:len(text)], line[len(text):]
        parts.append(("\n" if k else "") + head)
        if tags:
            evidence = "assumed" if isinstance(claim, str) else claim.get("evidence") or "assumed"
            parts.append(TextBlock(InlineFont(color=_TAG_COLORS[evidence], i=True, sz=9), tags))
    return CellRichText(parts) if any(not isinstance(x, str) for x in parts) else "".join(parts)


def _map_value(key: str, stage: dict):
    value = stage.get(key)
    if key in _CLAIM_FIELDS:
        return _rich_claims(value) if value else None
    if key == "emotion" and isinstance(value, dict):
        return "\n".join(f"{name}: {_num(v)}" for name, v in value.items()) or None
    if key == "emotion" and value is not None:
        return _num(value)
    return value


def _num(value):
    return int(value) if float(value).is_integer() else value


def _derived_value(key: str, stage: str, data: dict) -> str | None:
    if key == "touchpoints":
        items = [f"{t.get('name')} ({t.get('channel')})" for t in data["touchpoints"]
                 if t.get("stage") == stage]
    else:
        items = [f"{p.get('title')} [{p.get('id')}]" for p in data["pain_points"]
                 if p.get("stage") == stage]
    return "\n".join(items) or None


def _table_sheet(ws, columns: list[str], rows: list[dict], journey) -> None:
    from openpyxl.utils import get_column_letter

    st = _styles()
    for j, col in enumerate(columns, start=1):
        _style(ws.cell(1, j, col), "head", st)
        width = 14 if col.startswith(_SCORE_PREFIX) or col in ("direct", "severity") else 30
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, row in enumerate(rows, start=2):
        for j, col in enumerate(columns, start=1):
            value = row.get(col)
            cell = ws.cell(i, j, value)
            cell.alignment = st["wrap"]
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B2"
    _validations(ws, columns, journey, max(len(rows) + 200, 500))


def _validations(ws, columns: list[str], journey, last_row: int) -> None:
    """Drop-down lists for the columns with fixed choices (stage names, labels…)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from jmtools.journey import OPPORTUNITY_STATUSES

    choices = {"evidence": EVIDENCE_LABELS, "channel": CHANNEL_KINDS,
               "status": OPPORTUNITY_STATUSES, "direct": ("TRUE", "FALSE"),
               "moment_of_truth": ("TRUE", "FALSE"), "severity": ("1", "2", "3", "4", "5")}
    stage_list = ",".join(journey.stage_names)
    if ws.title != "Personas" and len(stage_list) < 250:
        choices["stage"] = journey.stage_names
    for j, col in enumerate(columns, start=1):
        if col in choices:
            options = ",".join(choices[col])
            dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                showErrorMessage=False)
            letter = get_column_letter(j)
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)


def _tp_row(t: dict) -> dict:
    return {**t, "events": "\n".join(t["events"]) or None}


def _persona_row(p: dict) -> dict:
    if "ref" in p:
        name = p["ref"].split("#", 1)[1]
        return {"name": name, "ref": p["ref"]}
    row = {k: p.get(k) for k in _PERSONA_COLUMNS if k in p}
    for key in _PERSONA_CLAIMS:
        row[key] = "\n".join(format_claim(c) for c in p.get(key, [])) or None
    row["demographics"] = "\n".join(f"{k}: {v}" for k, v in p.get("demographics", {}).items()) \
        or None
    return row


def _pain_row(p: dict) -> dict:
    return {**p, "personas": ", ".join(p["personas"]) or None}


def _opp_row(o: dict) -> dict:
    row = {**o, "pain_points": ", ".join(o["pain_points"]) or None}
    if o.get("target_date"):
        row["target_date"] = dt.date.fromisoformat(o["target_date"])
    for key, value in o["scores"].items():
        row[_SCORE_PREFIX + key] = _num(value)
    return row


def _about_sheet(ws, data: dict) -> None:
    st = _styles()
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 80
    for i, key in enumerate(_ABOUT_FIELDS, start=1):
        _style(ws.cell(i, 1, key), "lane", st)
        value = data.get(key)
        if key == "tags":
            value = ", ".join(value) or None
        elif key == "updated" and value:
            value = dt.date.fromisoformat(value)
        cell = ws.cell(i, 2, value)
        cell.alignment = st["wrap"]
        if key == "updated":
            cell.number_format = "yyyy-mm-dd"
    note = len(_ABOUT_FIELDS) + 2
    ws.cell(note, 1, "How to edit")
    ws.cell(note, 2, _MAP_HELP + "\nImport back: jmtools map --import THIS.xlsx -o journey.yaml")
    ws.cell(note, 2).alignment = st["wrap"]


def _snapshot_sheet(ws, journey) -> None:
    text = journey.model_dump_json()
    ws.cell(1, 1, _SNAPSHOT_MARK)
    for k in range(0, len(text), _CHUNK):
        ws.cell(2 + k // _CHUNK, 1, text[k:k + _CHUNK])
    ws.sheet_state = "hidden"


# --------------------------------------------------------------------------------- read
@dataclass
class WorkbookImport:
    """The result of :func:`read_workbook`: the journey and what changed.

    Attributes
    ----------
    journey : Journey
        The map as the workbook holds it (validated).
    changes : list of dict
        One dict per change (see :func:`diff_journeys`); empty when nothing changed.
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
    """Read a workbook written by :func:`write_workbook` (and edited) back into a Journey.

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
        Listing every problem with sheet and cell (e.g. ``Map!C5``) and a fix.
    """
    from jmtools.journey import Journey

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
        return load_workbook(path, data_only=True)
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
        out = self._put({}, row, ["name", "stage", "channel", "owner", "description", "evidence"],
                        where, "touchpoints", i)
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
        for key in _PERSONA_CLAIMS:
            claims = self._claims(row.get(key), self._cell(where, key))
            if claims:
                out[key] = claims
        demo = {}
        for line in self._list(row, "demographics", sep="\n"):
            name, sep, value = line.partition(":")
            if not sep:
                self.problem(self._cell(where, "demographics"),
                             f"demographics line {line!r} is not 'key: value'",
                             "write one 'key: value' per line, e.g. age: 22-29")
                continue
            demo[name.strip()] = _scalar(value.strip())
        if demo:
            out["demographics"] = demo
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
        if not _blank(row.get("target_date")):
            out["target_date"] = _date(row["target_date"], self._cell(where, "target_date"), self)
        scores = {}
        for col, value in row.items():
            if col.startswith(_SCORE_PREFIX) and not _blank(value):
                try:
                    scores[col[len(_SCORE_PREFIX):].strip()] = float(value)
                except (TypeError, ValueError):
                    self.problem(self._cell(where, col), f"expected a number — got {value!r}",
                                 "write a number, or leave the cell empty")
        if scores:
            out["scores"] = scores
        return out

    def _int(self, value, where: str):
        try:
            number = float(value)
            if number.is_integer():
                return int(number)
        except (TypeError, ValueError):
            pass
        self.problem(where, f"expected a whole number — got {value!r}", "write e.g. 3")
        return None

    # validation
    def validate(self, doc: dict, cls):
        from pydantic import ValidationError

        try:
            return cls.model_validate(doc)
        except ValidationError as err:
            problems = []
            for e in err.errors():
                loc = tuple(p for p in e["loc"] if isinstance(p, int) or p in _KNOWN_KEYS)
                problems.append(Problem(f"{e['msg']} — got {e.get('input')!r}",
                                        fix=_fix_for(e), source=self.source,
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
               "backstory", "cluster", "demographics", *_PERSONA_CLAIMS}


def _fix_for(e: dict) -> str:
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


# --------------------------------------------------------------------------------- diff
def diff_journeys(old, new) -> list[dict]:
    """List what changed between two journeys, item by item.

    Stages, touchpoints and personas are matched by name, pain points and opportunities by
    id, claims within a lane by their text.

    Returns
    -------
    list of dict
        Keys ``section`` (journey, stage, touchpoint, persona, pain point, opportunity),
        ``item`` (name or id), ``field``, ``change`` (added, removed, changed, moved),
        ``old`` and ``new`` (plain values; None where not applicable).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> a = Journey.from_yaml("name: D\\nstages: [{name: S, actions: [Look]}]")
    >>> b = Journey.from_yaml("name: D\\nstages: [{name: S, actions: [Look, Buy]}]")
    >>> diff_journeys(a, b)
    [{'section': 'stage', 'item': 'S', 'field': 'actions', 'change': 'added', 'old': None, 'new': 'Buy'}]
    """
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    changes: list[dict] = []
    for key in _ABOUT_FIELDS:
        if a.get(key) != b.get(key):
            changes.append(_change("journey", a["name"] if key != "name" else "", key,
                                   "changed", a.get(key), b.get(key)))
    sections = (("stages", "stage", "name"), ("touchpoints", "touchpoint", "name"),
                ("personas", "persona", None), ("pain_points", "pain point", "id"),
                ("opportunities", "opportunity", "id"))
    for key, section, ident in sections:
        changes += _diff_items(a[key], b[key], section, ident)
    return changes


def _change(section, item, fld, change, old, new) -> dict:
    return {"section": section, "item": item, "field": fld, "change": change, "old": old,
            "new": new}


def _ident(item: dict, ident: str | None) -> str:
    if ident:
        return item[ident]
    return item.get("name") or item["ref"].split("#", 1)[1]


def _diff_items(old: list, new: list, section: str, ident: str | None) -> list[dict]:
    a = {_ident(x, ident): x for x in old}
    b = {_ident(x, ident): x for x in new}
    out = [_change(section, k, "", "removed", _summary(a[k]), None) for k in a if k not in b]
    out += [_change(section, k, "", "added", None, _summary(b[k])) for k in b if k not in a]
    common_a = [k for k in a if k in b]
    common_b = [k for k in b if k in a]
    if common_a != common_b:
        out.append(_change(section, "", "order", "moved", common_a, common_b))
    for k in common_b:
        for fld in b[k]:
            if a[k].get(fld) == b[k][fld]:
                continue
            if fld in _CLAIM_FIELDS + _PERSONA_CLAIMS and section in ("stage", "persona"):
                out += _diff_claims(a[k].get(fld) or [], b[k][fld] or [], section, k, fld)
            else:
                out.append(_change(section, k, fld, "changed", a[k].get(fld), b[k][fld]))
    return out


def _diff_claims(old: list, new: list, section: str, item: str, fld: str) -> list[dict]:
    a = {c["text"]: c for c in map(_claim_dict, old)}
    b = {c["text"]: c for c in map(_claim_dict, new)}
    out = [_change(section, item, fld, "removed", format_claim(a[t]), None) for t in a if t not in b]
    out += [_change(section, item, fld, "added", None, format_claim(b[t])) for t in b if t not in a]
    out += [_change(section, item, fld, "changed", format_claim(a[t]), format_claim(b[t]))
            for t in b if t in a and a[t] != b[t]]
    if [t for t in a if t in b] != [t for t in b if t in a]:
        out.append(_change(section, item, fld, "moved", [t for t in a if t in b],
                           [t for t in b if t in a]))
    return out


def _claim_dict(claim) -> dict:
    """A dumped claim as a dict with defaults filled (a plain string is an assumed claim)."""
    data = {"text": claim} if isinstance(claim, str) else dict(claim)
    return {"evidence": "assumed", "source": None, "personas": [], **data}


def _summary(item: dict) -> str:
    return item.get("title") or item.get("name") or item.get("ref") or ""


def _describe(c: dict) -> str:
    where = " · ".join(x for x in (f"{c['section']} '{c['item']}'" if c["item"] else c["section"],
                                   c["field"]) if x)
    if c["change"] == "added":
        return f"{where}: added {c['new']!r}"
    if c["change"] == "removed":
        return f"{where}: removed {c['old']!r}"
    if c["change"] == "moved":
        return f"{where}: order {c['old']} → {c['new']}"
    return f"{where}: {c['old']!r} → {c['new']!r}"
