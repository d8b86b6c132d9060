"""The map as an Excel workbook for workshops: its layout and :func:`write_workbook`.

:func:`write_workbook` writes one sheet of lanes × stages (*Map*) plus *Touchpoints*,
*Personas*, *Pain points*, *Opportunities* and *About* sheets. People edit it in a workshop
(Excel, LibreOffice, Google Sheets); :func:`~jmtools.journey.workbook_read.read_workbook`
turns it back into a :class:`~jmtools.journey.Journey` and reports precisely what changed
(:func:`~jmtools.journey.diff.diff_journeys`), with every problem located by sheet and cell.

A cell of the *Map* sheet holds one claim per line, written as
:mod:`jmtools.journey.claims` describes::

    Asks a friend for advice [reported | source: interviews 2026-10 | personas: Budget Ben]
    Sees an ad

The emotion row holds one number (−2…+2) or one ``Persona: number`` per line.

The workbook keeps a hidden snapshot of the journey as it was exported, so the change
report works even when the original file is not at hand.

No text becomes a formula: every text cell, the hidden snapshot's included, is a string cell
(:func:`jmtools.core.spreadsheet.protect_workbook`), so a title such as ``=HYPERLINK(…)``
is shown and read back as typed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jmtools.core.errors import ParameterError
from jmtools.core.metrics import CHANNEL_KINDS, EVIDENCE_LABELS
from jmtools.core.spreadsheet import protect_workbook
from jmtools.journey.claims import format_claim
from jmtools.journey.model import OPPORTUNITY_STATUSES

__all__ = ["SHEETS", "MAP_ROWS", "write_workbook"]

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
               "occurrence", "after", "initiated_by", "evidence", "description"]
_PERSONA_COLUMNS = ["name", "ref", "rule", "cluster", "rest", "backstory", "goals",
                    "motivations", "desires", "pain_points", "demographics", "quote",
                    "evidence"]
_PAIN_COLUMNS = ["id", "title", "stage", "touchpoint", "personas", "severity", "evidence",
                 "source", "description"]
_OPP_COLUMNS = ["id", "title", "pain_points", "owner", "status", "target_date", "evidence",
                "description", "change_date", "target", "outcome"]
_SCORE_PREFIX = "score: "
_STANDARD_SCORES = ("impact", "effort", "reach", "confidence", "ease")
_ABOUT_FIELDS = ["name", "owner", "version", "updated", "description", "tags"]
_PERSONA_CLAIMS = ("goals", "motivations", "desires", "pain_points")


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
    >>> from jmtools.journey.workbook_read import read_workbook
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
    protect_workbook(wb)  # every text is a string cell: nothing in the map runs as a formula
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
        width = 14 if col.startswith(_SCORE_PREFIX) or col in ("direct", "severity", "rest") else 30
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

    choices = {"evidence": EVIDENCE_LABELS, "channel": CHANNEL_KINDS,
               "status": OPPORTUNITY_STATUSES, "direct": ("TRUE", "FALSE"),
               "moment_of_truth": ("TRUE", "FALSE"), "rest": ("TRUE", "FALSE"), "severity": ("1", "2", "3", "4", "5")}
    stage_list = ",".join(journey.stage_names)
    plain = not any('"' in name or "," in name for name in journey.stage_names)
    if ws.title != "Personas" and len(stage_list) < 250 and plain:  # a '"' would end the list
        choices["stage"] = journey.stage_names
        choices["after"] = journey.stage_names
    choices["occurrence"] = ("any", "first", "repeat", "2", "3")
    choices["initiated_by"] = ("customer", "company")
    for j, col in enumerate(columns, start=1):
        if col in choices:
            options = ",".join(choices[col])
            dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                showErrorMessage=False)
            letter = get_column_letter(j)
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)


def _tp_row(t: dict) -> dict:
    """A touchpoint as a sheet row; the default conditions (any, customer) stay blank."""
    return {**t, "events": "\n".join(t["events"]) or None,
            "occurrence": None if t.get("occurrence", "any") == "any" else t["occurrence"],
            "initiated_by": None if t.get("initiated_by", "customer") == "customer"
            else t["initiated_by"]}


def _persona_row(p: dict) -> dict:
    if "ref" in p:
        name = p["ref"].split("#", 1)[1]
        return {"name": name, "ref": p["ref"]}
    row = {k: p.get(k) for k in _PERSONA_COLUMNS if k in p}
    row["rest"] = True if p.get("rest") else None  # written on the one "everyone else" persona
    for key in _PERSONA_CLAIMS:
        row[key] = "\n".join(format_claim(c) for c in p.get(key, [])) or None
    row["demographics"] = "\n".join(f"{k}: {v}" for k, v in p.get("demographics", {}).items()) \
        or None
    return row


def _pain_row(p: dict) -> dict:
    return {**p, "personas": ", ".join(p["personas"]) or None}


def _opp_row(o: dict) -> dict:
    row = {**o, "pain_points": ", ".join(o["pain_points"]) or None}
    for key in ("target_date", "change_date"):
        if o.get(key):
            row[key] = dt.date.fromisoformat(o[key])
    for key in ("target", "outcome"):  # one "key: value" per line; the outcome is jmtools's
        row[key] = "\n".join(f"{k}: {v}" for k, v in (o.get(key) or {}).items()
                             if v is not None) or None
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
