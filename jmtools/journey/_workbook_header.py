"""The header row of a workbook's table sheets, checked before its rows are read.

A required column that a workshop renamed (``Name``), deleted or typed twice would otherwise
make every row of the sheet look as if that cell were empty, or let one copy silently win.
"""

from __future__ import annotations

from jmtools.core.errors import suggest
from jmtools.journey.workbook import _OPP_COLUMNS, _PAIN_COLUMNS, _PERSONA_COLUMNS, _TP_COLUMNS

#: The columns :func:`~jmtools.journey.workbook.write_workbook` writes on each table sheet.
COLUMNS = {"Touchpoints": _TP_COLUMNS, "Personas": _PERSONA_COLUMNS,
           "Pain points": _PAIN_COLUMNS, "Opportunities": _OPP_COLUMNS}
#: Columns a table sheet must keep when it has rows.
REQUIRED = {"Touchpoints": ("name", "stage", "channel"), "Personas": ("name",),
            "Pain points": ("id", "title", "stage"), "Opportunities": ("id", "title")}


def header_problems(sheet: str, header: list[str]) -> list[tuple[int, str, str]]:
    """(0-based column, message, fix) for each column named twice and each required column
    missing from ``header`` (the cell texts of row 1).

    Examples
    --------
    >>> for j, message, fix in header_problems("Personas", ["Name", "rule", "rule"]):
    ...     print(j, message, "|", fix)
    2 column 'rule' appears twice in the header (first in column 2) | delete one of the two columns, or give it back its own name
    0 the Personas sheet has no column 'name' (found 'Name') | rename 'Name' back to 'name'
    """
    found = []
    for j, name in enumerate(header):
        if name and header.index(name) < j:
            found.append((j, f"column '{name}' appears twice in the header (first in column "
                             f"{header.index(name) + 1})",
                          "delete one of the two columns, or give it back its own name"))
    strangers = [h for h in header if h and h not in COLUMNS[sheet]]
    for name in REQUIRED[sheet]:
        if name in header:
            continue
        hint = suggest(name, strangers)
        found.append((header.index(hint) if hint else len(header),
                      f"the {sheet} sheet has no column '{name}'" + (f" (found '{hint}')" if hint else ""),
                      f"rename '{hint}' back to '{name}'" if hint else
                      f"add a column named '{name}' in row 1 (the header the workbook was written with)"))
    return found
