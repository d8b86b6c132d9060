"""The emotion-curve editor: drag the workshop's assumed emotion beside the measured curve.

:class:`CurveEditor` is a thin view: the measured curve is a :class:`~jmtools.pipeline.Findings`'
``curve`` (what the report draws), and Save writes the assumed values into the stages'
``emotion`` of the journey file through :meth:`jmtools.journey.Journey.save`, so comments and
key order survive and one changed stage is a one-line diff.

How a value is written (``Stage.emotion`` is one number, or one per persona name):

- editing ``"all"``: a stage with one number keeps one number; a stage with one value per
  persona is shown (their mean, as the report does) but *locked*: choose a persona to edit it;
- editing a persona: a per-persona mapping gets that persona's key (added or changed); a stage
  with one number becomes a mapping that keeps the number for every other persona;
- clearing a value removes it (the key, or ``emotion`` itself when nothing is left).
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from jmtools.core.errors import ParameterError
from jmtools.core.metrics import EMOTION_DOMAIN
from jmtools.core.vocabulary import ALL, ALL_TITLE
from jmtools.journey import Journey
from jmtools.widgets._common import (NOT_SAVED, USER_ERRORS, SaveHooks, as_saved, error_text,
                                     journey_path, number, saved_words)
from jmtools.widgets._curve_assets import CSS, ESM, STEP

__all__ = ["CurveEditor"]


class CurveEditor(SaveHooks, anywidget.AnyWidget):
    """Edit the assumed emotion per stage, drawn over the measured emotion curve.

    Parameters
    ----------
    journey : jmtools.journey.Journey
        The journey whose stages are edited. The starting values are those its file holds now
        (``journey_path``, else where it was loaded from), so an editor built after a save
        shows the saved values; a journey with no file starts from its own values.
    persona : str, default "all"
        Whose assumed emotion is edited: ``"all"`` or a persona of the journey (the notebook
        parameter of the same name).
    measured : pandas.DataFrame, optional
        The emotion curve of that persona (``stage, valence, ci_low, ci_high, n,
        low_evidence``), e.g. ``findings.curve_focus``.
    journey_path : str or Path, optional
        The file Save writes to; default where ``journey`` was loaded from.

    Attributes
    ----------
    stages : list of str
        Stage names in journey order (x axis).
    measured : list of dict
        ``stage, valence, ci_low, ci_high, n, low_evidence`` per measured stage.
    assumed : dict
        Stage → assumed value (−2..+2, steps of 0.5 when dragged) or None.
    locked : list of str
        Stages shown read-only (one value per persona while editing ``"all"``).
    persona, status, error : str
        The persona edited, the last save, and the error to fix (empty when none).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... personas: [{name: Ben}, {name: Maya}]
    ... stages:
    ...   - {name: Browse, emotion: 1}
    ...   - {name: Buy, emotion: {Ben: -1, Maya: 1}}
    ... ''')
    >>> ed = CurveEditor(j)
    >>> ed.assumed, ed.locked
    ({'Browse': 1.0, 'Buy': 0.0}, ['Buy'])
    >>> ed.set_assumed("Browse", 1.5).value
    {'persona': 'all', 'assumed': {'Browse': 1.5, 'Buy': 0.0}}
    >>> ed.set_assumed("Browse", 3).error.splitlines()[0]
    "assumed emotion at 'Browse' must be between -2 and +2 — got 3"
    >>> CurveEditor(j, persona="Ben").assumed
    {'Browse': 1.0, 'Buy': -1.0}
    """

    _esm = ESM
    _css = CSS

    stages = traitlets.List(traitlets.Unicode()).tag(sync=True)
    measured = traitlets.List(traitlets.Dict()).tag(sync=True)
    assumed = traitlets.Dict().tag(sync=True)
    locked = traitlets.List(traitlets.Unicode()).tag(sync=True)
    persona = traitlets.Unicode(ALL).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, journey: Journey, *, persona: str = ALL, measured=None,
                 journey_path: str | Path | None = None, **kwargs):
        journey = as_saved(journey, journey_path)
        names = list(journey.persona_names)
        if persona != ALL and persona not in names:
            raise ParameterError("persona", persona, expected=[ALL, *names])
        self._journey = journey
        self._path = journey_path
        self._good: dict = {}
        self._aside: dict[str, dict] = {}   # per persona, edits not saved while another was the focus
        super().__init__(stages=list(journey.stage_names), measured=_measured_rows(measured),
                         assumed=_assumed_of(journey, persona), locked=_locked(journey, persona),
                         persona=persona, **kwargs)
        self._good = dict(self.assumed)
        self._saved = dict(self.assumed)  # what the file holds: a save writes only what differs
        self.observe(self._check, names="assumed")
        self.on_msg(self._message)

    @classmethod
    def from_findings(cls, findings, journey_path: str | Path | None = None) -> "CurveEditor":
        """The editor for the focus persona of a run: its measured curve and the journey file.

        Parameters
        ----------
        findings : jmtools.pipeline.Findings
            From :func:`jmtools.pipeline.run`; the persona edited is ``findings.focus.persona``.
        journey_path : str or Path, optional
            The file Save writes to; default the journey file of the run.
        """
        return cls(findings.journey, persona=findings.focus.persona,
                   measured=findings.curve_focus, journey_path=journey_path)

    # ------------------------------------------------------------------ state
    @property
    def value(self) -> dict:
        """The editor's state as JSON: ``persona`` (the notebook parameter) and ``assumed``."""
        return {"persona": self.persona, "assumed": dict(self.assumed)}

    @property
    def unsaved(self) -> list[str]:
        """The stages whose assumed value was changed here and not saved yet."""
        return [s for s in self.stages if self.assumed.get(s) != self._saved.get(s)]

    @property
    def pending(self) -> list[str]:
        """What is not saved yet, in words: per persona, the stages (kept aside ones too)."""
        held = {**self._aside, self.persona: {s: self.assumed.get(s) for s in self.unsaved}}
        return [f"{ALL_TITLE.lower() if name == ALL else name}: {', '.join(stages)}"
                for name, stages in held.items() if stages]

    def refocus(self, findings) -> "CurveEditor":
        """Follow a new focus: its persona's assumed values and measured curve.

        Values changed here and not saved are kept: those of the persona left are put aside
        and shown again (still unsaved) when it is the focus again.
        """
        persona = findings.focus.persona
        if persona != self.persona:
            if self.unsaved:
                self._aside[self.persona] = {s: self.assumed.get(s) for s in self.unsaved}
            journey = as_saved(self._journey, self._path)
            saved = _assumed_of(journey, persona)
            assumed = {**saved, **self._aside.pop(persona, {})}
            self._journey, self._saved, self._good = journey, saved, dict(assumed)
            self.locked, self.persona, self.assumed = _locked(journey, persona), persona, assumed
            self.error, self.status = "", ""
        self.measured = _measured_rows(findings.curve_focus)
        return self

    def set_assumed(self, stage: str, value: float | None) -> "CurveEditor":
        """Set (or clear, with None) the assumed emotion of one stage; errors go to ``error``."""
        self.assumed = {**self.assumed, stage: value}
        return self

    def _check(self, change) -> None:
        try:
            self._validate(change["new"])
        except USER_ERRORS as err:
            self.assumed = dict(self._good)  # the rejected value is not kept
            self.error = error_text(err)
            return
        self._good = dict(change["new"])
        self.error, self.status = "", ""

    def _validate(self, assumed: dict) -> None:
        low, high = EMOTION_DOMAIN
        for stage, value in assumed.items():
            if stage not in self.stages:
                raise ParameterError("stage", stage, expected=list(self.stages))
            if stage in self.locked and value != self._good.get(stage):
                raise ParameterError(
                    "persona", self.persona, expected="a persona, to edit a stage with one value per persona",
                    fix=f"stage {stage!r} has one assumed emotion per persona: "
                        "choose the persona to edit (CurveEditor(journey, persona=…))")
            if value is not None and (number(value) is None or not low <= float(value) <= high):
                raise ValueError(f"assumed emotion at {stage!r} must be between {low:g} and "
                                 f"+{high:g} — got {value}\n  Fix: drag the point, or use a value "
                                 f"in steps of {STEP:g} from {low:g} to +{high:g}")

    # ------------------------------------------------------------------- save
    def save(self, path: str | Path | None = None) -> Path:
        """Write the assumed values into the journey file's stages and save it.

        The file is read again and only the stages whose value was changed in this editor
        are written (:attr:`unsaved`), so a value saved meanwhile by another editor is never
        written back; :meth:`jmtools.journey.Journey.save` keeps comments and key order.
        Errors are shown in the widget (``error``, and ``status`` says "not saved") and raised.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        try:
            target = journey_path(self._journey, path or self._path)
            journey = Journey.load(target)
            changed = set(self.unsaved) - set(self.locked)
            for stage in journey.stages:
                if stage.name in changed:
                    _write_emotion(journey, stage, self.persona, self.assumed[stage.name])
            journey.save(target)
        except USER_ERRORS as err:
            self.error, self.status = error_text(err), NOT_SAVED
            raise
        self._saved = dict(self.assumed)
        self.error, self.status = "", saved_words(target)
        return self._told(target)

    def _message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "save":
            try:
                self.save()
            except USER_ERRORS:
                pass  # shown in the widget's error area by save()


# --------------------------------------------------------------------------- helpers
def _measured_rows(curve) -> list[dict]:
    if curve is None:
        return []
    rows = []
    for r in curve.to_dict("records"):
        if number(r.get("valence")) is None:
            continue
        rows.append({"stage": str(r["stage"]), "valence": number(r["valence"]),
                     "ci_low": number(r.get("ci_low")), "ci_high": number(r.get("ci_high")),
                     "n": int(r.get("n") or 0), "low_evidence": bool(r.get("low_evidence"))})
    return rows


def _assumed_of(journey, persona: str) -> dict:
    out = {}
    for stage in journey.stages:
        emotion = stage.emotion
        if isinstance(emotion, dict):
            values = list(emotion.values())
            out[stage.name] = (emotion.get(persona) if persona != ALL else
                               sum(values) / len(values) if values else None)
        else:
            out[stage.name] = emotion
    return {k: number(v) for k, v in out.items()}


def _locked(journey, persona: str) -> list[str]:
    return [] if persona != ALL else [s.name for s in journey.stages if isinstance(s.emotion, dict)]


def _write_emotion(journey, stage, persona: str, value) -> None:
    """Put ``value`` (None clears) for ``persona`` into ``stage.emotion``, changing nothing else."""
    old = stage.emotion
    if old is None and value is None:
        return
    if persona == ALL:
        new = value
    elif old is None or isinstance(old, dict):
        new = dict(old or {})  # a persona already there keeps its place in the mapping
    elif value is not None and float(value) == float(old):
        new = old
    else:  # one number for everyone becomes one per persona; the others keep the number
        new = {name: old for name in journey.persona_names}
    if isinstance(new, dict):
        if value is None:
            new.pop(persona, None)
        else:
            new[persona] = value
    if new == {} or new is None:
        if "emotion" in stage.model_fields_set:
            stage.emotion = None
            stage.model_fields_set.discard("emotion")  # removed from the file, not written as null
    elif new != old:
        stage.emotion = new
