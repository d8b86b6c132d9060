"""The persona editor: a persona's card and data rule, with a live count of its customers.

:class:`PersonaEditor` is a thin view over :func:`jmtools.personas.persona_filter`: every edit
of the rule recounts the customers it selects (and their share of the customers in the
customer table); a rule error is shown inline with its fix, as
:class:`jmtools.personas.RuleError` words it, and a rule that mixes ``and`` and ``or``
without parentheses gets a warning saying how it is read. A ``rest: true`` persona has no
rule: it is shown as "everyone else" and counts the customers no earlier persona (as edited)
selects (:func:`jmtools.personas.persona_masks`). Save writes
the card into the journey file through :meth:`jmtools.journey.Journey.save` (comments kept, one
changed field = one changed line). A persona that is a reference into a shared library file is
shown read-only, with the library file to edit.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w
import pandas as pd

from jmtools.core.errors import ParameterError
from jmtools.journey import Journey, Persona, PersonaRef
from jmtools.core.expressions import parse_rule
from jmtools.personas import persona_filter, persona_masks
from jmtools.widgets._common import (USER_ERRORS, SaveHooks, as_saved, error_area, journey_path,
                                     quietly, saved)

__all__ = ["PersonaEditor", "CARD_TEXTS", "CARD_LISTS"]

#: Card fields edited as one line or a paragraph of text.
CARD_TEXTS = ("rule", "backstory", "quote")
#: Card fields edited as a list of claims, one per line (a claim's evidence label is kept
#: while its text is unchanged).
CARD_LISTS = ("goals", "motivations", "desires", "pain_points")
_EVIDENCE = ("measured", "reported", "assumed")


class PersonaEditor(SaveHooks, w.VBox):
    """Pick a persona, edit its card and rule, see how many customers the rule selects.

    Parameters
    ----------
    journey : jmtools.journey.Journey
        The journey whose personas are edited; the cards start from what its file
        (``journey_path``, else where it was loaded from) holds now.
    customers : pandas.DataFrame
        The customer table the rules are counted on (one row per customer).
    persona : str, optional
        The persona shown first; default the journey's first.
    journey_path : str or Path, optional
        The file Save writes to; default where ``journey`` was loaded from.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... personas: [{name: Young, rule: "age < 30", goals: [Cheap shoes]}]
    ... stages: [{name: Browse}]
    ... ''')
    >>> ed = PersonaEditor(j, pd.DataFrame({"customer_id": list("abcd"), "age": [20, 25, 40, 50]}))
    >>> ed.count
    {'n': 2, 'of': 4, 'share': 0.5}
    >>> ed.set(rule="age < 100").count["n"]
    4
    >>> ed.set(rule="aeg < 30").count, "did you mean 'age'?" in ed.errors.text
    (None, True)
    >>> ed.set(rule="age < 30", goals="Cheap shoes\\nFast delivery").value["card"]["goals"]
    ['Cheap shoes', 'Fast delivery']
    >>> ed.set(rule="age < 30 or age > 60 and age < 99").warning_text.splitlines()[0]
    "'age < 30 or age > 60 and age < 99' — mixes 'and' and 'or' without parentheses: read as age < 30 or (age > 60 and age < 99) at column 22"
    """

    def __init__(self, journey: Journey, customers: pd.DataFrame, *, persona: str | None = None,
                 journey_path: str | Path | None = None):
        journey = as_saved(journey, journey_path)
        names = list(journey.persona_names)
        if not names:
            raise ParameterError("journey", journey.name, expected="a journey with personas",
                                 fix="add a persona under 'personas:' in the journey file")
        if persona is not None and persona not in names:
            raise ParameterError("persona", persona, expected=names)
        self._journey, self._customers, self._path = journey, customers, journey_path
        self._drafts: dict[str, dict] = {}
        self._saved: dict[str, dict] = {}  # each card as the file holds it: a save writes what differs
        self.count: dict | None = None
        self.picker = w.Dropdown(options=names, value=persona or names[0], description="Persona")
        wide = dict(width="100%", max_width="640px")     # fits a narrow output area too
        self.fields = {"rule": w.Text(description="Rule", continuous_update=True,
                                      placeholder='e.g. age < 30 and region == "north"', layout=w.Layout(**wide)),
                       "backstory": w.Textarea(description="Backstory", layout=w.Layout(**wide)),
                       "quote": w.Text(description="Quote", layout=w.Layout(**wide))}
        self.fields.update({k: w.Textarea(description=k.replace("_", " ").capitalize(),
                                          placeholder="one per line", layout=w.Layout(**wide))
                            for k in CARD_LISTS})
        self.fields["evidence"] = w.Dropdown(options=list(_EVIDENCE), description="Evidence")
        self.counter, self.note, self.status = w.HTML(), w.HTML(), w.HTML()
        self.warning, self.warning_text = w.HTML(), ""
        self.warning.add_class("jm-warning")
        self.errors = error_area()
        self.counter.add_class("jm-count")
        self.fields["rule"].add_class("jm-rule")
        self.save_button = w.Button(description="Save to journey file", icon="save")
        self.save_button.add_class("jm-save")
        self.save_button.on_click(quietly(self.save))
        super().__init__([self.picker, self.note, self.fields["rule"], self.counter, self.warning,
                          self.errors,
                          *[f for k, f in self.fields.items() if k != "rule"],
                          w.HBox([self.save_button, self.status])])
        self.add_class("jm-persona-editor")
        self._show(self.picker.value)
        self.picker.observe(lambda ch: self._show(ch["new"]), names="value")
        for key, field in self.fields.items():
            field.observe(lambda ch, k=key: self._edited(k, ch["new"]), names="value")

    @classmethod
    def from_findings(cls, findings, journey_path: str | Path | None = None) -> "PersonaEditor":
        """The editor over a run's journey and customers (the segment's, if one is set)."""
        persona = None if findings.focus.everyone else findings.focus.persona
        return cls(findings.journey, findings.tables["customers"], persona=persona,
                   journey_path=journey_path)

    # ------------------------------------------------------------------ state
    @property
    def value(self) -> dict:
        """JSON state: the persona chosen and its card as edited (field → text or list)."""
        return {"persona": self.picker.value, "card": dict(self._drafts[self.picker.value])}

    @property
    def unsaved(self) -> dict:
        """Per persona, the card fields changed here and not saved yet (field → new value)."""
        out = {name: {k: v for k, v in draft.items() if v != self._saved[name].get(k)}
               for name, draft in self._drafts.items()}
        return {name: changes for name, changes in out.items() if changes}

    @property
    def pending(self) -> list[str]:
        """What is not saved yet, in words: per persona, the card fields changed."""
        return [f"{name}: {', '.join(changes)}" for name, changes in self.unsaved.items()]

    def refocus(self, findings) -> "PersonaEditor":
        """Follow a new focus: its customers (the segment's) and its persona; drafts are kept."""
        self._customers = findings.tables["customers"]
        persona = None if findings.focus.everyone else findings.focus.persona
        if persona is not None and persona != self.picker.value:
            self.picker.value = persona   # shows its card, as edited if it was
        else:
            self._recount()
        return self

    @property
    def is_reference(self) -> bool:
        """True when the persona shown is a reference into a shared library file."""
        return isinstance(self._entry(self.picker.value), PersonaRef)

    def set(self, **fields) -> "PersonaEditor":
        """Edit fields as the controls do: ``rule=``, ``quote=``, ``goals="a\\nb"``…"""
        for key, value in fields.items():
            self.fields[key].value = value
        return self

    def _entry(self, name: str):
        return self._journey.personas[self._journey.persona_names.index(name)]

    def _show(self, name: str) -> None:
        if name not in self._drafts:
            self._drafts[name] = self._card_of(name)
            self._saved[name] = dict(self._drafts[name])
        draft, ref = self._drafts[name], self.is_reference
        for key, field in self.fields.items():
            value = draft.get(key)
            field.value = "\n".join(value) if key in CARD_LISTS else (value or ("assumed" if key == "evidence" else ""))
            field.disabled = ref
        self.save_button.disabled = ref
        self.fields["rule"].layout.display = "none" if draft.get("rest") else None
        entry = self._entry(name)
        self.note.value = (_REST_NOTE if draft.get("rest") else "") if not ref else (
            f"<div class='jm-note'><b>{html.escape(name)}</b> is a reference to "
            f"<code>{html.escape(entry.ref)}</code>: its card lives in the shared library file "
            f"<code>{html.escape(str(self._library_file(entry)))}</code>, which other journeys use "
            "too. Edit the card there; this journey only names it.</div>")
        self.status.value = ""
        self._recount()

    def _card_of(self, name: str) -> dict:
        entry = self._entry(name)
        try:
            card = entry if isinstance(entry, Persona) else self._journey.personas_resolved()[
                self._journey.persona_names.index(name)]
        except USER_ERRORS as err:
            self.errors.show(err)
            return {"rule": "", "evidence": "assumed"}
        out = {k: getattr(card, k) or "" for k in CARD_TEXTS}
        out.update({k: [c.text for c in getattr(card, k)] for k in CARD_LISTS})
        out["evidence"] = card.evidence
        if card.rest:
            out["rest"] = True
        return out

    def _library_file(self, entry: PersonaRef) -> Path:
        base = self._journey.path.parent if self._journey.path else Path.cwd()
        return (base / entry.file).resolve()

    def _edited(self, key: str, value) -> None:
        if key in CARD_LISTS:
            value = [line.strip() for line in value.splitlines() if line.strip()]
        self._drafts[self.picker.value][key] = value
        self.status.value = ""
        if key == "rule":
            self._recount()

    def _recount(self) -> None:
        """Count the customers the rule selects; a rule error is shown with its fix."""
        rule, name = self._drafts[self.picker.value].get("rule") or "", self.picker.value
        total = len(self._customers)
        self._warn(rule)
        if self._drafts[name].get("rest"):
            self._count_rest(name, total)
            return
        if not rule.strip():
            self.count = None
            self.errors.show("")
            self.counter.value = "<i>No rule: no customer is selected by a rule.</i>"
            return
        try:
            n = len(persona_filter(self._customers, rule, persona=name))
        except USER_ERRORS as err:
            self.count = None
            self.counter.value = "<span class='jm-count-value'>—</span> customers match"
            self.errors.show(err)
            return
        self._counted(n, total, "customers match")

    def _counted(self, n: int, total: int, what: str) -> None:
        self.count = {"n": n, "of": total, "share": n / total if total else None}
        share = f" ({n / total:.1%} of {total:,} customers in the customer table)" if total else ""
        self.counter.value = f"<span class='jm-count-value'>{n:,}</span> {what}{share}"
        self.errors.show("")

    def _count_rest(self, name: str, total: int) -> None:
        """Everyone else: the customers no earlier persona's rule (as edited here) selects."""
        names = self._journey.persona_names
        try:
            earlier = [{"name": n, "cluster": getattr(c, "cluster", None),
                        "rule": (self._drafts[n].get("rule") or None) if n in self._drafts
                        else getattr(c, "rule", None)}
                       for n, c in zip(names, self._journey.personas_resolved())][:names.index(name)]
            masks = persona_masks(self._customers, [*earlier, {"name": name, "rest": True}])
        except USER_ERRORS as err:
            self.count = None
            self.counter.value = "<span class='jm-count-value'>—</span> customers are everyone else"
            self.errors.show(err)
            return
        self._counted(int(masks[name].sum()), total, "customers are everyone else")

    def _warn(self, rule: str) -> None:
        """Show how a rule mixing and/or is read (a warning: the rule still counts)."""
        try:
            warnings = parse_rule(rule).warnings if rule.strip() else ()
        except USER_ERRORS:
            warnings = ()
        self.warning_text = str(warnings[0]).removeprefix("persona rule: ") if warnings else ""
        self.warning.value = "" if not warnings else (
            '<div class="jm-warning" style="color:#7d4e00;white-space:pre-wrap;'
            f'font-family:monospace;font-size:90%">{html.escape(self.warning_text)}</div>')

    # ------------------------------------------------------------------- save
    def save(self, path: str | Path | None = None) -> Path:
        """Write the card of the persona shown into the journey file; errors shown and raised.

        Only the fields changed in this editor are written (:attr:`unsaved`): a field saved
        meanwhile by another editor is never written back.
        """
        name = self.picker.value

        def write() -> Path:
            if self.is_reference:
                entry = self._entry(name)
                raise ParameterError("persona", name, expected="a persona card written in this journey",
                                     fix=f"it is a reference ({entry.ref}): edit the card in "
                                         f"{self._library_file(entry)}")
            draft = self._drafts[name]
            if draft.get("rule"):
                persona_filter(self._customers, draft["rule"], persona=name)  # a rule that counts
            target = journey_path(self._journey, path or self._path)
            journey = Journey.load(target)
            _write_card(journey.personas[journey.persona_names.index(name)],
                        self.unsaved.get(name, {}))
            journey.save(target)
            self._saved[name] = dict(draft)
            return target

        return saved(self, write)


_REST_NOTE = ("<div class='jm-note'><b>Everyone else</b> (<code>rest: true</code>): this persona "
              "has no rule; it selects every customer no persona before it selects.</div>")


def _write_card(card: Persona, draft: dict) -> None:
    """Put the fields of ``draft`` (those edited) into ``card``, touching only those that changed."""
    if isinstance(card, PersonaRef):
        raise ParameterError("persona", card.name, expected="a persona card written in this journey",
                             fix=f"edit the card in the library file {card.file}")
    for key in (k for k in CARD_TEXTS if k in draft):
        new = (draft.get(key) or "").strip() or None
        if new != getattr(card, key):
            setattr(card, key, new)
            if new is None:
                card.model_fields_set.discard(key)  # removed from the file, not written as null
    for key in (k for k in CARD_LISTS if k in draft):
        old = getattr(card, key)
        lines = draft.get(key) or []
        if lines != [c.text for c in old]:
            kept = {c.text: c for c in old}  # an unchanged claim keeps its evidence label
            setattr(card, key, [kept.get(text, text) for text in lines])
            if not lines:
                card.model_fields_set.discard(key)
    if draft.get("evidence") and draft["evidence"] != card.evidence:
        card.evidence = draft["evidence"]
