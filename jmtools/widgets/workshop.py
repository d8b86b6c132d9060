"""The workshop notebook's two calls: a working copy of the journey, and every editor at once.

:func:`working_copy` gives the journey file the editors save to, so the bundled sample world is
never edited in place; :func:`workshop` puts the focus picker above the three editors and rebuilds
the editors for each new focus.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import ipywidgets as w

from jmtools import pipeline
from jmtools.core.errors import ParameterError
from jmtools.core.resources import resolve_data_dir
from jmtools.core.vocabulary import ALL
from jmtools.journey import Journey
from jmtools.widgets import editors
from jmtools.widgets.focus import FocusPicker

__all__ = ["working_copy", "workshop"]


def working_copy(data_dir: str | Path, journey_file: str | Path = "",
                 save_to: str | Path = "") -> Path:
    """The journey file a workshop edits: ``save_to``, copied from the source the first time.

    Parameters
    ----------
    data_dir : str or Path
        The data folder (or ``"sample:<name>"``); its ``journey.yaml`` is the source unless
        ``journey_file`` is given.
    journey_file : str or Path, optional
        The source journey file.
    save_to : str or Path, optional
        Where edits are saved. Empty: the source itself (edited in place). A file that does
        not exist yet is created as a copy of the source; an existing one is kept, so a second
        session continues where the first stopped.

    Returns
    -------
    Path
        The file to load and save.

    Raises
    ------
    ParameterError
        The source does not exist, or it references a persona library by a relative path
        (a copy elsewhere would lose it: edit it in place instead).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "mine.yaml"
    >>> working_copy("sample:b2b", save_to=target) == target, target.exists()
    (True, True)
    """
    source = Path(journey_file) if journey_file else resolve_data_dir(data_dir) / "journey.yaml"
    if not source.is_file():
        raise ParameterError("journey_file", str(source), expected="an existing journey YAML file",
                             fix="give journey_file, or a data_dir holding journey.yaml")
    if not save_to:
        return source
    target = Path(save_to)
    if target.exists():
        return target
    journey = Journey.load(source)
    refs = [p.ref for p in journey.personas if hasattr(p, "ref")]
    if refs and target.resolve().parent != source.resolve().parent:
        raise ParameterError("save_to", str(save_to),
                             expected="a file next to the journey (it references " + refs[0] + ")",
                             fix=f"save_to='' edits {source} in place, or save next to it")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def workshop(data_dir: str | Path, journey_path: str | Path, *, persona: str = ALL,
             segment: str = "", sections=()) -> w.VBox:
    """The focus picker above the curve editor, priority board and persona editor.

    Choosing another persona or segment re-runs the pipeline (on a world prepared once), redraws
    ``sections`` and rebuilds the editors for the new focus; each editor saves to
    ``journey_path``.

    Parameters
    ----------
    data_dir : str or Path
        Data folder or ``"sample:<name>"``.
    journey_path : str or Path
        The journey file (see :func:`working_copy`).
    persona, segment : str
        The focus to start with (the notebook parameters of the same names).
    sections : iterable of callable
        Section functions of :mod:`jmtools.report.sections` to redraw for each focus.

    Returns
    -------
    ipywidgets.VBox
        ``children[0]`` is the :class:`~jmtools.widgets.FocusPicker`, ``children[1]`` the
        editors' tabs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = working_copy("sample:b2b", save_to=pathlib.Path(tempfile.mkdtemp()) / "j.yaml")
    >>> box = workshop("sample:b2b", path)
    >>> [type(c).__name__ for c in box.children]
    ['FocusPicker', 'Tab']
    """
    world = pipeline.load(data_dir, journey_path)
    picker = FocusPicker(world, sections=sections, persona=persona, segment=segment)
    box = w.VBox([picker, editors(picker.findings, journey_path)])
    box.add_class("jm-workshop")

    def rebuild(findings):
        box.children = (picker, editors(findings, journey_path))

    picker.on_change(rebuild)
    return box
