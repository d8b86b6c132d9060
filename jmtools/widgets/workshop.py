"""The workshop notebook's two calls: a working copy of the journey, and every editor at once.

:func:`working_copy` gives the journey file the editors save to, so the bundled sample world is
never edited in place; :func:`workshop` puts the focus picker above the three editors, which
follow each new focus and keep what was typed and not saved yet.
"""

from __future__ import annotations

import html
import re
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
        not exist yet is created as a copy of the source. An existing one is kept when it maps
        the same journey (same name, same stages in the same order), so a second session
        continues where the first stopped. An existing file of *another* journey (a copy made
        for other data) is left as it is and never edited: the copy is made (or continued)
        beside it under a name tied to this data, ``<save_to stem>_<data folder>.yaml``, and a
        note says so.

    Returns
    -------
    Path
        The file to load and save (absolute).

    Raises
    ------
    ParameterError
        The source does not exist; it references a persona library by a relative path (a copy
        elsewhere would lose it: edit it in place instead); or both ``save_to`` and the name
        tied to this data hold other journeys.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "mine.yaml"
    >>> working_copy("sample:b2b", save_to=target) == target, target.exists()
    (True, True)
    >>> working_copy("sample:ecommerce", save_to=target).name
    mine.yaml holds another journey (...), not a copy of .../ecommerce/journey.yaml (...); it is left as it is.
    Edits are saved to mine_ecommerce.yaml instead, a copy of ... (made now).
    To keep editing mine.yaml, set journey_file=... and save_to=''.
    'mine_ecommerce.yaml'
    """
    source = Path(journey_file) if journey_file else resolve_data_dir(data_dir) / "journey.yaml"
    if not source.is_file():
        raise ParameterError("journey_file", str(source), expected="an existing journey YAML file",
                             fix="give journey_file, or a data_dir holding journey.yaml")
    if not save_to:
        return source.resolve()
    journey = Journey.load(source)
    target = Path(save_to).resolve()
    if target.exists() and not _same_journey(target, journey):
        tied = target.with_name(f"{target.stem}_{_data_tag(source)}{target.suffix or '.yaml'}")
        if tied.exists() and not _same_journey(tied, journey):
            raise ParameterError(
                "save_to", str(save_to), expected=f"a working copy of {journey.name!r} ({source})",
                fix=f"{target.name} and {tied.name} hold other journeys; give save_to a new file name "
                    f"(it is made as a copy of {source}), or save_to='' to edit {source} in place")
        print(_other_journey_note(target, tied, source, journey))
        target = tied
    if target.exists():
        return target
    refs = [p.ref for p in journey.personas if hasattr(p, "ref")]
    if refs and target.parent != source.resolve().parent:
        raise ParameterError("save_to", str(save_to),
                             expected="a file next to the journey (it references " + refs[0] + ")",
                             fix=f"save_to='' edits {source} in place, or save next to it")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _same_journey(path: Path, journey: Journey) -> bool:
    """True when the file at ``path`` maps the same journey: its name and stages (which no editor
    changes). A file that cannot be read as a journey raises its own error, naming the line."""
    held = Journey.load(path)
    return held.name == journey.name and list(held.stage_names) == list(journey.stage_names)


def _data_tag(source: Path) -> str:
    """A file-name part for the data a journey file belongs to: its folder, or its own stem."""
    name = source.resolve().parent.name if source.stem == "journey" else source.stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "data"


def _other_journey_note(target: Path, tied: Path, source: Path, journey: Journey) -> str:
    held, source = Journey.load(target), source.resolve()
    kept = "continued" if tied.exists() else "made now"
    return (f"{target.name} holds another journey ({held.name!r}), not a copy of {source} "
            f"({journey.name!r}); it is left as it is.\nEdits are saved to {tied.name} instead, a copy "
            f"of {source} ({kept}).\nTo keep editing {target.name}, set journey_file={str(target)!r} "
            "and save_to=''.")


def workshop(data_dir: str | Path, journey_path: str | Path, *, persona: str = ALL,
             segment: str = "", sections=()) -> w.VBox:
    """The focus picker above the curve editor, priority board and persona editor.

    Choosing another persona or segment re-runs the pipeline (on a world prepared once), redraws
    ``sections``, and the editors follow the new focus (its measured curve, pain points,
    customers). What was typed and not saved yet is kept, never dropped: the board's inputs and
    the persona cards stay as edited; the assumed emotions edited for one persona are kept aside
    while another is the focus and come back with it. A line under the focus names what is not
    saved yet. A save is counted in the focus shown at once when it changed only what a run reads
    (emotions, scores, owners, card words: about a second); a changed persona rule needs the data
    prepared again, which the picker's Refresh button does, saying what it costs.

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
    tabs = editors(picker.findings, journey_path)
    box = w.VBox([picker, tabs])
    box.add_class("jm-workshop")
    box.unsaved = picker.note

    def say_unsaved() -> None:
        held = [f"{title} ({'; '.join(editor.pending)})"
                for title, editor in zip(tabs.titles, tabs.children) if editor.pending]
        picker.note.value = "" if not held else (
            "<div class='jm-unsaved' style='color:#7d4e00'>Not saved yet (kept across focus changes; "
            f"each tab's Save writes its own): {html.escape('; '.join(held))}</div>")

    def refocus(findings) -> None:
        for editor in tabs.children:
            editor.refocus(findings)
        say_unsaved()

    def saved(path, editor) -> None:
        picker.journey_saved(path)
        say_unsaved()
        if picker.refresh_button.layout.display != "none" and isinstance(editor.status, w.HTML):
            editor.status.value += (" — the numbers above still count the rule as it was: "
                                    "<b>Refresh</b>, above these tabs, recounts them")

    for editor in tabs.children:
        editor.on_save(lambda path, e=editor: saved(path, e))
    picker.on_change(refocus)
    return box
