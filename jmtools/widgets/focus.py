"""The focus picker: choose persona and segment, re-run the chain, redraw the report's sections.

:class:`FocusPicker` holds exactly the two notebook parameters that choose whom a run is about
(``persona`` and ``segment``, see :class:`jmtools.pipeline.Focus`). On a change it runs
:func:`jmtools.pipeline.run` on a world prepared once per segment (:func:`~jmtools.pipeline.prepare_world`),
then calls the registered callbacks and redraws the given section functions (for example
:func:`jmtools.report.sections.how_far`) into its output. A segment rule with an error is shown
inline with its fix; the findings and charts shown before are kept. Each run reads the journey
file again when it changed since the last run (an editor saved into it), so the focus shown is
always the one the saved journey gives. After a save (:meth:`FocusPicker.journey_saved`) the focus
shown is run again at once when the save changed only what a run reads (assumed emotions, scores,
owners, persona cards): about a second, the world stays prepared. A changed persona rule needs the
data prepared again (seconds to tens of seconds): the picker says so and shows a Refresh button.
"""

from __future__ import annotations

import dataclasses
import html
import time
from pathlib import Path
from typing import Callable, Iterable

import ipywidgets as w
import pandas as pd

from jmtools import pipeline
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.core.vocabulary import ALL, ALL_TITLE
from jmtools.journey import Journey
from jmtools.widgets._common import USER_ERRORS, error_area

__all__ = ["FocusPicker"]


class FocusPicker(w.VBox):
    """A persona dropdown and a segment box that re-run the pipeline and redraw sections.

    Parameters
    ----------
    data : jmtools.pipeline.Prepared, jmtools.sources.World, str or Path
        A prepared world (its segment is the starting segment), a loaded world or a data folder.
    sections : iterable of callable, optional
        Functions of a :class:`~jmtools.pipeline.Findings` that display something, e.g.
        ``[sections.how_far, sections.feelings]``; redrawn into :attr:`output` on each change.
    persona : str, default "all"
        The persona chosen first.
    segment : str, optional
        The segment rule to start with (ignored when ``data`` is prepared: its segment is used).
    assignment : pandas.DataFrame, optional
        ``customer_id, persona`` given from outside, passed to ``prepare_world``.
    **options
        Options of :func:`jmtools.pipeline.run` that do not depend on the world
        (``min_n``, ``min_effect``, ``n_quotes``).

    Examples
    --------
    >>> from jmtools.core.resources import data_dir
    >>> seen = []
    >>> picker = FocusPicker(data_dir() / "b2b", sections=[lambda f: seen.append(f.focus.label)])
    >>> picker.parameters
    {'persona': 'all', 'segment': ''}
    >>> picker.persona.value = "SMB Owner Sam"
    >>> picker.parameters, seen
    ({'persona': 'SMB Owner Sam', 'segment': ''}, ['all customers', 'SMB Owner Sam'])
    >>> picker.segment.value = "regoin == 'DACH'"
    >>> "did you mean 'region'?" in picker.errors.text, picker.parameters["segment"]
    (True, '')
    """

    def __init__(self, data, *, sections: Iterable[Callable] = (), persona: str = ALL,
                 segment: str = "", assignment: pd.DataFrame | None = None, **options):
        start = time.perf_counter()
        first = data if isinstance(data, pipeline.Prepared) else pipeline.prepare_world(
            pipeline.load(data), segment=segment, assignment=assignment)
        self._world, self._assignment, self._options = first.world, assignment, options
        self._prepared = {first.segment: first}
        self._how = {k: first.options[k] for k in ("n_themes", "seed")}  # as every segment is prepared
        self._journey_text = _file_text(first.world.journey)  # what the focus was prepared from
        self._prepare_seconds = None if data is first else time.perf_counter() - start   # what Refresh costs
        self._sections, self._callbacks = list(sections), []
        names = list(first.world.journey.persona_names)
        self.persona = w.Dropdown(options=[(ALL_TITLE, ALL), *[(n, n) for n in names]],
                                  value=persona if persona in names else ALL,
                                  description="Persona")
        self.segment = w.Text(value=first.segment, description="Segment", continuous_update=False,
                              placeholder='a rule over customer attributes, e.g. region == "north"',
                              layout=w.Layout(width="100%", max_width="520px"))
        self.persona.add_class("jm-persona")
        self.segment.add_class("jm-segment")
        self.errors, self.status, self.output = error_area(), w.HTML(), w.Output()
        self.saved_note = w.HTML()   # what became of the last save: counted, or Refresh to count it
        self.note = w.HTML()   # a line for the caller (the workshop's edits not saved yet)
        self.refresh_button = w.Button(description="Refresh", icon="refresh", layout=w.Layout(display="none", min_width="110px", flex="0 0 auto"),
                                       tooltip="Read the saved journey, prepare the data again, recount")
        self.refresh_button.add_class("jm-refresh")
        self.refresh_button.on_click(lambda _b: self._refresh())
        self.findings: pipeline.Findings | None = None
        self._parameters = {"persona": ALL, "segment": first.segment}
        super().__init__([w.HBox([self.persona, self.segment]), self.errors, self.status, self.output,
                          w.HBox([self.saved_note, self.refresh_button]), self.note])   # last: above editors
        self.add_class("jm-focus-picker")
        self.select(persona=persona)
        self.persona.observe(self._picked, names="value")
        self.segment.observe(self._picked, names="value")

    # ------------------------------------------------------------------ state
    @property
    def parameters(self) -> dict:
        """The notebook parameters of the findings shown: ``{"persona": …, "segment": …}``."""
        return dict(self._parameters)

    @property
    def value(self) -> dict:
        """Same as :attr:`parameters` (the JSON state of every editor is ``.value``)."""
        return self.parameters

    def on_change(self, callback: Callable) -> Callable:
        """Call ``callback(findings)`` after each successful re-run (usable as a decorator)."""
        self._callbacks.append(callback)
        return callback

    def select(self, *, persona: str | None = None, segment: str | None = None) -> pipeline.Findings:
        """Run the chain for this focus and redraw; an error is shown inline, then raised.

        The journey file is read again first when it changed since the last run (an edit
        saved in the workshop), so the numbers are those of the journey as saved.

        Returns
        -------
        jmtools.pipeline.Findings
        """
        persona = self._parameters["persona"] if persona is None else persona
        segment = self._parameters["segment"] if segment is None else segment.strip()
        try:
            self._reread_journey()
            findings = pipeline.run(self._prepared_for(segment), persona=persona, **self._options)
        except USER_ERRORS as err:
            self.errors.show(err)  # the findings and charts shown before stay
            raise
        self.findings, self._parameters = findings, {"persona": persona, "segment": segment}
        self.errors.show("")
        self.refresh_button.layout.display, self.saved_note.value = "none", ""   # the journey as saved counts
        self._said = f"<span class='jm-focus'>{findings.focus.label}</span>: {_size_words(findings)}"
        self.status.value = self._said
        self._redraw(findings)
        return findings

    def journey_saved(self, path) -> None:
        """Count a save in the focus shown, or say that Refresh will.

        A save that changed only what a run reads (assumed emotions, scores, owners, statuses,
        persona cards) is counted at once: the focus is run again on the world as prepared.
        A changed persona rule assigns customers anew, so the data must be prepared again:
        that waits for the Refresh button (or the next focus chosen), and the note under the
        focus says the numbers shown still count the rule as it was.
        """
        where = html.escape(str(path))
        if self._reread_journey(prepare=False):
            try:
                self.select()
            except USER_ERRORS:
                return  # shown in the error area by select()
            self.saved_note.value = (f"<i class='jm-saved-note'>Edits saved to {where}: counted in "
                                     "the numbers above.</i>")
            return
        took = "" if self._prepare_seconds is None else f": about {self._prepare_seconds:.0f} s here"
        self.saved_note.value = (f"<b class='jm-saved-note'>Edits saved to {where}; a persona rule changed, "
                                 f"so the numbers above still count the rule as it was. Refresh recounts "
                                 f"them (the data is prepared again{took}).</b>")
        self.refresh_button.layout.display = None

    def _refresh(self) -> None:
        self.saved_note.value = "<i class='jm-saved-note'>Recounting…</i>"
        try:
            self.select()
        except USER_ERRORS:
            pass  # shown in the error area by select()

    def _reread_journey(self, prepare: bool = True) -> bool:
        """Take the journey file again when its text changed since it was read.

        When what preparing the data reads of it is unchanged, the new journey is put into
        the worlds prepared (no work). Otherwise they are dropped, to be prepared again, or,
        with ``prepare=False``, nothing changes and False is returned.
        """
        text = _file_text(self._world.journey)
        if text is None or text == self._journey_text:
            return True
        journey = Journey.load(self._world.journey.path)
        key = _prepared_from(journey)
        if all(_prepared_from(p.world.journey) == key for p in self._prepared.values()):
            self._prepared = {segment: dataclasses.replace(p, world=dataclasses.replace(p.world, journey=journey))
                              for segment, p in self._prepared.items()}   # copies: one given stays as given
        elif not prepare:
            return False
        else:
            self._prepared = {}
        self._world = dataclasses.replace(self._world, journey=journey)
        self._journey_text = text
        return True

    def _prepared_for(self, segment: str) -> pipeline.Prepared:
        if segment not in self._prepared:
            start = time.perf_counter()
            self._prepared[segment] = pipeline.prepare_world(
                self._world, segment=segment, assignment=self._assignment, **self._how)
            self._prepare_seconds = time.perf_counter() - start
        return self._prepared[segment]

    def _picked(self, _change) -> None:
        try:
            self.select(persona=self.persona.value, segment=self.segment.value)
        except USER_ERRORS:
            pass  # shown in the error area by select()

    def _redraw(self, findings: pipeline.Findings) -> None:
        if self._sections:
            self.output.outputs = ()  # the previous focus's charts
            with self.output:
                for section in self._sections:
                    section(findings)
        for callback in self._callbacks:
            callback(findings)


#: Persona card fields only a run reads (what the card says); the rule, cluster and order assign.
_CARD_ONLY = ("backstory", "goals", "motivations", "desires", "pain_points", "quote", "evidence")


def _prepared_from(journey) -> dict:
    """What preparing the data reads of a journey: all of it but the assumed emotions, the
    opportunities and the persona cards' words, which only :func:`jmtools.pipeline.run` reads."""
    data = journey.model_dump(mode="json")
    data.pop("opportunities", None)
    for stage in data.get("stages", []):
        stage.pop("emotion", None)
    for card in data.get("personas", []):
        for key in _CARD_ONLY:
            card.pop(key, None)
    return data


def _file_text(journey) -> str | None:
    """The text of the file ``journey`` was loaded from (None: no file, or it is gone)."""
    path = getattr(journey, "path", None)
    try:
        return Path(path).read_text(encoding="utf-8") if path is not None else None
    except OSError:
        return None


def _size_words(findings) -> str:
    """The focus's customers with events, as its report words them: a persona of 1–4 customers,
    or one whose size would give a smaller persona's back, has no number (docs/decisions.md)."""
    if findings.focus_protects:
        return "size not shown (it would give back a smaller persona's size)"
    if findings.focus_hidden:
        return f"fewer than {MIN_GROUP} customers with events (not shown)"
    return f"{findings.n_customers:,} customers with events"
