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

from pathlib import Path

from jmtools.widgets.board import PriorityBoard
from jmtools.widgets.curve import CurveEditor
from jmtools.widgets.focus import FocusPicker
from jmtools.widgets.personas import PersonaEditor

__all__ = ["CurveEditor", "PriorityBoard", "PersonaEditor", "FocusPicker", "editors"]


def editors(findings, journey_path: str | Path | None = None):
    """The three journey-file editors of a run, in tabs: curve, priorities, personas.

    Parameters
    ----------
    findings : jmtools.pipeline.Findings
        From :func:`jmtools.pipeline.run`; the editors show its focus persona.
    journey_path : str or Path, optional
        The file they save to; default the run's journey file.

    Returns
    -------
    ipywidgets.Tab
        Children :class:`CurveEditor`, :class:`PriorityBoard`, :class:`PersonaEditor` (the
        last only when the run has a customer table and personas).

    Examples
    --------
    >>> from jmtools.core.resources import data_dir
    >>> from jmtools import pipeline
    >>> tabs = editors(pipeline.run(data_dir() / "b2b", persona="SMB Owner Sam"))
    >>> [type(c).__name__ for c in tabs.children]
    ['CurveEditor', 'PriorityBoard', 'PersonaEditor']
    """
    import ipywidgets as w

    children = [CurveEditor.from_findings(findings, journey_path),
                PriorityBoard.from_findings(findings, journey_path)]
    titles = ["Emotion curve", "Priorities"]
    if "customers" in findings.tables and findings.journey.persona_names:
        children.append(PersonaEditor.from_findings(findings, journey_path))
        titles.append("Personas")
    return w.Tab(children=children, titles=titles)
