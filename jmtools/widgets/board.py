"""The priority board: score, own and track the opportunities; the priority matrix follows live.

:class:`PriorityBoard` is a thin view over :func:`jmtools.analyses.priorities.prioritise` and
:func:`jmtools.charts.painpoints.priority_matrix_chart`, called with the run's pain points and
order value exactly as :func:`jmtools.pipeline.run` calls them. Save writes the scores, owner and
status of the opportunities that changed into the journey file through
:meth:`jmtools.journey.Journey.save`: one changed score is a one-line diff.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import ipywidgets as w
import pandas as pd

from jmtools.analyses.priorities import RICE_IMPACTS, STATUSES, opportunities_frame, prioritise
from jmtools.charts.painpoints import priority_matrix_chart
from jmtools.core.vocabulary import ALL
from jmtools.journey import Journey
from jmtools.pipeline import relieving
from jmtools.widgets._common import (USER_ERRORS, SaveHooks, as_saved, error_area, journey_path, number,
                                     quietly, saved)

__all__ = ["PriorityBoard", "SCORE_INPUTS"]

#: The score inputs the board edits, and the bounds prioritise() accepts for each:
#: (min, max, step); impact is chosen from the RICE scale.
SCORE_INPUTS = {"impact": None, "effort": (0.05, 120.0, 0.25), "confidence": (0.01, 1.0, 0.05),
                "reach": (0.0, 1e9, 10.0)}
_IMPACT_WORDS = {3.0: "massive", 2.0: "high", 1.0: "medium", 0.5: "low", 0.25: "minimal"}


class PriorityBoard(SaveHooks, w.VBox):
    """One row per opportunity (scores, owner, status) and the live priority matrix.

    Parameters
    ----------
    opportunities : pandas.DataFrame
        From :func:`jmtools.analyses.priorities.opportunities_frame` (``findings.opportunities``).
    pain_points : pandas.DataFrame, optional
        The ranked pain points (``findings.pain_points.table``), for the value at stake.
    order_value : pandas.DataFrame or float, optional
        ``findings.order_value``; with pain points, the backlog is ranked by value at stake,
        otherwise by RICE (as the pipeline does).
    persona : str, default "all"
        For a persona, the matrix shows the opportunities relieving its pain points.
    journey_path : str or Path, optional
        The journey file Save writes to. When it exists, each opportunity's scores, owner and
        status start from what it holds now (an edit saved after ``opportunities`` was made
        is shown, never written back).

    Examples
    --------
    >>> from jmtools.analyses.priorities import opportunities_frame
    >>> opps = opportunities_frame([
    ...     {"id": "a", "title": "A", "scores": {"impact": 2, "effort": 1, "reach": 100, "confidence": 0.5}},
    ...     {"id": "b", "title": "B", "scores": {"impact": 1, "effort": 4, "reach": 900, "confidence": 1}}])
    >>> board = PriorityBoard(opps)
    >>> board.backlog()[["rank", "id", "rice"]].values.tolist()
    [[1, 'b', 225.0], [2, 'a', 100.0]]
    >>> board.set("a", effort=0.25).backlog()[["rank", "id", "rice"]].values.tolist()
    [[1, 'a', 400.0], [2, 'b', 225.0]]
    >>> board.value["opportunities"]["a"]
    {'impact': 2.0, 'effort': 0.25, 'confidence': 0.5, 'reach': 100.0, 'owner': '', 'status': 'idea'}
    """

    def __init__(self, opportunities: pd.DataFrame, *, pain_points: pd.DataFrame | None = None,
                 order_value=None, persona: str = ALL, journey_path: str | Path | None = None):
        self._opportunities = opportunities.copy()
        self._pains, self._order_value, self.persona = pain_points, order_value, persona
        self._path = journey_path
        self._state = _saved_states(opportunities, journey_path)
        self._saved = {k: dict(v) for k, v in self._state.items()}  # a save writes what differs
        self.chart = w.Output(layout=w.Layout(min_height="120px"))
        self.figure = None  # the priority matrix last drawn (an altair chart)
        self.errors = error_area()
        self.status = w.HTML()
        self.save_button = w.Button(description="Save to journey file", icon="save",
                                    tooltip="Write scores, owners and statuses into the journey file")
        self.save_button.add_class("jm-save")
        self.save_button.on_click(quietly(self.save))
        self._inputs: dict = {}
        self._bounds: dict = {}   # per opportunity, the range each number box accepts
        self.notes: dict[str, _FieldNote] = {}   # per opportunity: input out of range, said beside it
        rows = [_header()] + [self._row(row) for row in opportunities.to_dict("records")]
        super().__init__([*rows, w.HBox([self.save_button, self.status]), self.errors, self.chart])
        self.add_class("jm-priority-board")
        self.redraw()

    @classmethod
    def from_findings(cls, findings, journey_path: str | Path | None = None) -> "PriorityBoard":
        """The board of a run: its opportunities, pain points, order value and focus persona."""
        return cls(findings.opportunities, pain_points=findings.pain_points.table,
                   order_value=findings.order_value, persona=findings.focus.persona,
                   journey_path=journey_path if journey_path is not None else findings.journey.path)

    # ------------------------------------------------------------------ state
    @property
    def value(self) -> dict:
        """JSON state: the persona and, per opportunity id, its score inputs, owner and status."""
        return {"persona": self.persona, "opportunities": {k: dict(v) for k, v in self._state.items()}}

    @property
    def unsaved(self) -> dict:
        """Per opportunity id, the inputs changed here and not saved yet (input → new value)."""
        out = {oid: {k: v for k, v in state.items() if v != self._saved[oid][k]}
               for oid, state in self._state.items()}
        return {oid: changes for oid, changes in out.items() if changes}

    @property
    def pending(self) -> list[str]:
        """What is not saved yet, in words: per opportunity, the inputs changed."""
        return [f"{oid}: {', '.join(changes)}" for oid, changes in self.unsaved.items()]

    def refocus(self, findings) -> "PriorityBoard":
        """Follow a new focus (its pain points, order value, persona); the inputs stay as edited."""
        self._pains, self._order_value = findings.pain_points.table, findings.order_value
        self.persona = findings.focus.persona
        if set(findings.opportunities["id"]) == set(self._state):
            self._opportunities = findings.opportunities.copy()
        self.redraw()
        return self

    def set(self, opportunity: str, **values) -> "PriorityBoard":
        """Change one opportunity's inputs (``impact=``, ``effort=``, ``owner=``…) as the controls do."""
        for key, value in values.items():
            self._inputs[opportunity][key].value = value
        return self

    def opportunities(self) -> pd.DataFrame:
        """The opportunities frame with the board's inputs applied."""
        out = self._opportunities.copy()
        for key in [*SCORE_INPUTS, "owner", "status"]:
            values = out["id"].map(lambda i, k=key: self._state[i][k])
            if key in SCORE_INPUTS:
                out[key] = values.astype(float)
            else:  # the frame's own dtype, so an unchanged board gives the run's backlog exactly
                out[key] = values.map(lambda v: v or None).astype(out[key].dtype)
        return out

    def backlog(self) -> pd.DataFrame:
        """The ranked backlog, computed as :func:`jmtools.pipeline.run` computes it."""
        pains = self._pains
        at_stake = self._order_value is not None and pains is not None and len(pains) > 0
        backlog = prioritise(self.opportunities(), pains if at_stake else None,
                             order_value=self._order_value if at_stake else None,
                             by=None)   # value at stake, RICE or ICE: as the pipeline ranks
        return backlog if self.persona == ALL or pains is None else relieving(backlog, pains)

    def redraw(self) -> None:
        """Recompute the backlog and draw the matrix; an error is shown and the last chart kept."""
        try:
            backlog = self.backlog()
            figure = (priority_matrix_chart(backlog, size="value_at_stake" if "value_at_stake" in backlog
                                            else None) if len(backlog) else None)
        except USER_ERRORS as err:
            self.errors.show(err)
            return
        self.errors.show("")
        self.chart.outputs, self.figure = (), figure
        if figure is None:
            self.chart.append_stdout(f"No opportunity relieves the pain points of {self.persona}.\n")
        else:
            self.chart.append_display_data(figure)

    def _changed(self, opportunity: str, key: str, value) -> None:
        low, high = self._bounds[opportunity].get(key, (None, None))
        if low is not None and value is not None and not low <= value <= high:
            kept = min(max(value, low), high)
            self._inputs[opportunity][key].value = kept   # comes back here with the value kept
            self.notes[opportunity].say(key, f"{key}: typed {_num(value)}, allowed "
                                             f"{_num(low)}–{_num(high)}; kept {_num(kept)}")
            return
        self.notes[opportunity].say(key, "")
        self._state[opportunity][key] = value
        self.status.value = ""
        self.redraw()

    # ------------------------------------------------------------------- save
    def save(self, path: str | Path | None = None) -> Path:
        """Write the scores, owners and statuses changed here into the journey file.

        Only the inputs changed in this board are written (:attr:`unsaved`): a value saved
        meanwhile by another editor is never written back. Errors are shown and raised.
        """
        def write() -> Path:
            target = journey_path(None, path or self._path)
            journey = Journey.load(target)
            changes = self.unsaved
            for opportunity in journey.opportunities:
                if opportunity.id in changes:
                    _write(opportunity, changes[opportunity.id])
            journey.save(target)
            self._saved = {k: dict(v) for k, v in self._state.items()}
            return target

        return saved(self, write)

    # ------------------------------------------------------------------- rows
    def _row(self, row: dict) -> w.HBox:
        oid, state = row["id"], self._state[row["id"]]
        inputs = {"impact": _impact_input(state["impact"])}
        self._bounds[oid] = {}
        for key, (low, high, step) in ((k, b) for k, b in SCORE_INPUTS.items() if b):
            value = state[key]   # a value the file holds outside the bounds stays allowed
            self._bounds[oid][key] = (min(low, value if value is not None else low), max(high, value or 0))
            inputs[key] = w.FloatText(   # not bounded: the browser would clamp without a word
                value=low if value is None else value, step=step, disabled=value is None,
                layout=w.Layout(width="90px"), tooltip="not scored in the journey file" if value is None else
                f"{key}: {_num(self._bounds[oid][key][0])}–{_num(self._bounds[oid][key][1])}")
        inputs["owner"] = w.Text(value=state["owner"], placeholder="owner", continuous_update=False,
                                 layout=w.Layout(width="160px"))
        inputs["status"] = w.Dropdown(options=list(STATUSES), value=state["status"],
                                      layout=w.Layout(width="120px"))
        for key, control in inputs.items():
            control.observe(lambda ch, k=key: self._changed(oid, k, ch["new"]), names="value")
            control.add_class(f"jm-{key}")
        self._inputs[oid], self.notes[oid] = inputs, _FieldNote()
        label = w.HTML(f"<b>{_escape(oid)}</b><br><small>{_escape(row.get('title') or '')}</small>",
                       layout=w.Layout(width="220px"))
        return w.VBox([w.HBox([label, *inputs.values()]), self.notes[oid]])


class _FieldNote(w.HTML):
    """What became of an input out of range, under its row: ``text`` holds it as plain text."""

    text = ""

    def say(self, key: str, words: str) -> None:
        """Say ``words`` for the input ``key`` (empty: the input is fine now), keeping the others'."""
        self.__dict__.setdefault("_said", {})[key] = words
        lines = [t for t in self._said.values() if t]
        self.text = "\n".join(lines)
        self.value = "" if not lines else (
            '<div class="jm-field-note" style="color:#7d4e00;font-size:90%;margin-left:224px">'
            + "<br>".join(html.escape(t) for t in lines) + "</div>")


# --------------------------------------------------------------------------- helpers
def _num(value: float) -> str:
    """A bound or an input as a person writes it: 120, 0.05, 1,000,000,000."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _escape(text: str) -> str:
    return html.escape(str(text))


def _row_state(row: dict) -> dict:
    state = {key: number(row.get(key)) for key in SCORE_INPUTS}
    state["owner"] = row.get("owner") or ""
    state["status"] = row.get("status") or "idea"
    return state


def _saved_states(opportunities: pd.DataFrame, path) -> dict:
    """Each opportunity's inputs, from the journey file as it is now when there is one."""
    states = {row["id"]: _row_state(row) for row in opportunities.to_dict("records")}
    if path is not None and Path(path).is_file():
        for row in opportunities_frame(as_saved(None, path)).to_dict("records"):
            if row["id"] in states:
                states[row["id"]] = _row_state(row)
    return states


def _impact_input(value) -> w.Dropdown:
    options = [(f"{v:g} — {_IMPACT_WORDS[v]}", v) for v in RICE_IMPACTS]
    if value is None:
        options.insert(0, ("— not scored", None))
    elif value not in RICE_IMPACTS:
        options.append((f"{value:g} — not on the RICE scale", value))
    return w.Dropdown(options=options, value=value, layout=w.Layout(width="130px"))


def _header() -> w.HBox:
    widths = [("opportunity", "220px"), ("impact", "130px"), ("effort (months)", "90px"),
              ("confidence", "90px"), ("reach", "90px"), ("owner", "160px"), ("status", "120px")]
    return w.HBox([w.HTML(f"<b>{name}</b>", layout=w.Layout(width=width)) for name, width in widths])


def _write(opportunity, changes: dict) -> None:
    """Put the board's changed inputs into one opportunity of the journey, touching nothing else."""
    scores = dict(opportunity.scores)
    for key in SCORE_INPUTS:
        new = changes.get(key)
        if new is not None and (key not in scores or not math.isclose(scores[key], new)):
            scores[key] = new
    if scores != opportunity.scores:
        opportunity.scores = scores
    owner = changes["owner"] or None if "owner" in changes else opportunity.owner
    if owner != opportunity.owner:
        opportunity.owner = owner
        if owner is None:
            opportunity.model_fields_set.discard("owner")  # removed from the file, not null
    if "status" in changes and changes["status"] != opportunity.status:
        opportunity.status = changes["status"]
