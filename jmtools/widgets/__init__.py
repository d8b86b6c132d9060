"""Editors as widgets: thin views over the pipeline and chart functions a batch run uses.

Each editor holds plain JSON state (``.value``) named like the notebook parameters, draws with
the same functions as the report, shows every error inline (never a traceback, never
swallowed), and saves into the journey file through :meth:`jmtools.journey.Journey.save`, so
comments survive and one change is a one-line diff.

- :class:`CurveEditor` — drag the assumed emotion per stage over the measured curve (anywidget).
- :class:`PriorityBoard` — score, own and track opportunities; a live priority matrix.
- :class:`PersonaEditor` — edit a persona card and its data rule; a live count of customers.
- :class:`FocusPicker` — choose persona and segment; re-runs the pipeline, redraws sections.
"""

from __future__ import annotations

from jmtools.widgets.board import PriorityBoard
from jmtools.widgets.curve import CurveEditor
from jmtools.widgets.focus import FocusPicker
from jmtools.widgets.personas import PersonaEditor

__all__ = ["CurveEditor", "PriorityBoard", "PersonaEditor", "FocusPicker"]
