"""The Journey file: one YAML document that is the single source of truth for a map.

A journey lists its stages in order, the touchpoints of each stage (with the event-name
patterns that hit them), the personas it is for, the lanes of the map (actions, thoughts,
feelings, service-blueprint lanes), pain points and opportunities. Every claim carries an
evidence label: *measured* (from data), *reported* (customers said so) or *assumed*
(a workshop's belief).

Loading never runs code from the file (YAML tags are refused), validates everything at
once, and reports each problem with file, line, path inside the document and a fix.
Saving writes back into the loaded document, so comments and key order written by a
person survive a load → change → save cycle.

This module holds the pydantic models and the :class:`Journey` with its queries; reading
and writing YAML live in :mod:`jmtools.journey.yamlio`, the cross-reference checks in
:mod:`jmtools.journey.checks`, and how Jupyter shows a journey in
:mod:`jmtools.journey.display`.

See ``docs/contracts.md`` for the format and ``jmtools/schema/journey.schema.json`` for
its JSON Schema (``Journey.json_schema()``).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PrivateAttr,
                      Tag, model_serializer, model_validator)

from jmtools.core.errors import JourneyError, ParameterError, Problem, suggest
from jmtools.core.metrics import EMOTION_DOMAIN
from jmtools.core.vocabulary import ALL, NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.journey.change import Outcome, Target, target_problems
from jmtools.journey.checks import (_check_regex, _duplicates, _known, _opportunity_problems,
                                    _rest_problems, _rule_problem, _rule_warning, schema_problems)
from jmtools.journey._quick import quick_journey as _quick_journey
from jmtools.journey.display import display_bundle
from jmtools.journey.yamlio import (_dates_into_doc, _full_document, _merge, _parse_yaml, _problem,
                                    _read_text, _validate_model, _yaml)

__all__ = [
    "Claim", "Persona", "PersonaRef", "Stage", "Touchpoint", "PainPoint", "Opportunity",
    "Journey", "PersonaLibrary", "LANES", "OPPORTUNITY_STATUSES", "RESERVED_PERSONA_NAMES",
    "load_journey",
    "load_persona_library", "schema_problems",
]

EvidenceLabel = Literal["measured", "reported", "assumed"]
ChannelKind = Literal["digital", "physical", "interpersonal"]
Initiator = Literal["customer", "company"]


def _not_bool(value: Any) -> Any:
    """YAML's true/false are not numbers here (true would read as 1, silently)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return value


_NoBool = BeforeValidator(_not_bool)
Occurrence = Union[Literal["any", "first", "repeat"], Annotated[int, Field(ge=1, le=1000), _NoBool]]
OpportunityStatus = Literal["idea", "planned", "in progress", "done", "dropped"]
OPPORTUNITY_STATUSES = ("idea", "planned", "in progress", "done", "dropped")

#: Names a persona cannot take: the persona selector and the labels of customers in no persona.
RESERVED_PERSONA_NAMES = {ALL: "every customer (persona='all')",
                          NO_PERSONA: "customers no persona selects",
                          NOT_IN_CUSTOMERS: "customers missing from the customer table"}

#: Lanes a stage can carry, in the order a map shows them.
LANES = ("actions", "thoughts", "feelings", "frontstage", "backstage", "support")

Emotion = Annotated[float, Field(ge=EMOTION_DOMAIN[0], le=EMOTION_DOMAIN[1]), _NoBool]
Score = Annotated[float, Field(allow_inf_nan=False), _NoBool]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True,
                              use_attribute_docstrings=True)


class Claim(_Model):
    """A statement on the map with its evidence label.

    In YAML a plain string is a claim with evidence ``assumed``.

    Examples
    --------
    >>> Claim.model_validate("Compares prices on two sites")
    Claim(text='Compares prices on two sites', evidence='assumed', source=None, personas=[])
    """

    text: Text
    """What the map says."""
    evidence: EvidenceLabel = "assumed"
    """measured (from data) · reported (customers said it) · assumed (workshop belief)."""
    source: str | None = None
    """Where the evidence comes from (a study, a table, a dashboard)."""
    personas: list[str] = []
    """Personas this claim is about; empty means all."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        return {"text": data} if isinstance(data, str) else data

    @model_serializer(mode="wrap")
    def _short(self, handler):
        data = handler(self)
        return data["text"] if isinstance(data, dict) and set(data) == {"text"} else data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        return {"anyOf": [{"type": "string", "minLength": 1}, handler(core_schema)]}


class Persona(_Model):
    """A persona card: who the journey is for, and the data rule that selects them."""

    name: Text
    rule: str | None = None
    """Expression over customer attributes, e.g. ``age < 30 and price_sensitivity >= 0.6``."""
    cluster: int | None = None
    """Behavioural cluster id, for personas suggested by clustering."""
    rest: bool = False
    """``true`` for "everyone else": the customers no earlier persona's rule selects (a customer
    whose earlier rules are unknown because an attribute is missing counts as not selected, so
    belongs here). Written instead of ``rule``, on the last persona only."""
    backstory: str | None = None
    goals: list[Claim] = []
    motivations: list[Claim] = []
    desires: list[Claim] = []
    pain_points: list[Claim] = []
    demographics: dict[str, str | int | float] = {}
    quote: str | None = None
    evidence: EvidenceLabel = "assumed"


class PersonaRef(_Model):
    """A reference to a persona in a shared library file: ``path/to/library.yaml#Name``."""

    ref: Annotated[str, Field(pattern=r"^[^#]+#.+$")]

    @property
    def file(self) -> str:
        return self.ref.split("#", 1)[0]

    @property
    def name(self) -> str:
        return self.ref.split("#", 1)[1]


def _persona_kind(value: Any) -> str:
    if isinstance(value, PersonaRef) or (isinstance(value, dict) and "ref" in value):
        return "ref"
    return "card"


PersonaEntry = Annotated[Union[Annotated[Persona, Tag("card")], Annotated[PersonaRef, Tag("ref")]],
                         Discriminator(_persona_kind)]


class Stage(_Model):
    """A stage of the journey, in order, with the customer's goal and the map's lanes."""

    name: Text
    goal: str | None = None
    """What the customer wants to achieve in this stage."""
    description: str | None = None
    owner: str | None = None
    exit: bool = False
    """True for a stage of customers leaving (Cancel, Churn): counted as leaving, never a funnel step."""
    optional: bool = False
    """True for a stage many never need (a claim, a return): said beside the funnel, never a step of it."""
    emotion: Emotion | dict[str, Emotion] | None = None
    """Assumed emotion (−2..+2) from a workshop: one number, or one per persona name."""
    actions: list[Claim] = []
    thoughts: list[Claim] = []
    feelings: list[Claim] = []
    frontstage: list[Claim] = []
    backstage: list[Claim] = []
    support: list[Claim] = []


class Touchpoint(_Model):
    """A place where customer and business meet, and the events that hit it."""

    name: Text
    stage: Text
    channel: ChannelKind
    direct: bool = True
    """False for indirect touchpoints (review sites, a friend's advice)."""
    events: list[Text] = []
    """Regular expressions matched against the whole event name."""
    moment_of_truth: bool = False
    owner: str | None = None
    description: str | None = None
    evidence: EvidenceLabel = "assumed"
    occurrence: Occurrence = "any"
    """Which of a customer's matching events count here: ``any`` (default), ``first``,
    ``repeat`` (the second and later) or a number n (only the n-th). Counted per customer over
    the events this touchpoint's patterns match, in time order."""
    after: Text | None = None
    """A stage the customer must have reached before an event counts here (an earlier stage)."""
    initiated_by: Initiator = "customer"
    """``company`` for contacts the business starts (mailings, notifications, ads shown): they
    open a funnel but never count as a customer's detour, loop or abandonment."""

    @property
    def conditional(self) -> bool:
        """True when the touchpoint counts only some of the events its patterns match."""
        return self.occurrence != "any" or self.after is not None


class PainPoint(_Model):
    """Where it hurts, with the evidence for believing so."""

    id: Slug
    title: Text
    stage: Text
    touchpoint: str | None = None
    description: str | None = None
    personas: list[str] = []
    severity: Annotated[int, Field(ge=1, le=5), _NoBool] | None = None
    evidence: EvidenceLabel = "assumed"
    source: str | None = None


class Opportunity(_Model):
    """Something the business could change, linked to the pain points it relieves."""

    id: Slug
    title: Text
    description: str | None = None
    pain_points: list[str] = []
    owner: str | None = None
    status: OpportunityStatus = "idea"
    target_date: dt.date | None = None
    scores: dict[str, Score] = {}
    """Inputs of the scoring frameworks: impact, effort, reach, confidence, ease…"""
    evidence: EvidenceLabel = "assumed"
    change_date: dt.date | None = None
    """The first day the change was live: comparisons of its outcome split here."""
    target: Target | None = None
    """Where the change acts and for whom (touchpoint, persona, to, measure)."""
    outcome: Outcome | None = None
    """What the comparison around ``change_date`` measured (written by jmtools)."""


class PersonaLibrary(_Model):
    """A file of persona cards shared by several journeys."""

    jmtools: Literal[1] = 1
    name: str | None = None
    description: str | None = None
    personas: list[Persona] = Field(min_length=1)


class Journey(_Model):
    """A journey map: stages, touchpoints, personas, lanes, pain points and opportunities.

    Examples
    --------
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... stages:
    ...   - name: Browse
    ...   - name: Buy
    ... touchpoints:
    ...   - {name: Shop page, stage: Browse, channel: digital, events: ["view_.*"]}
    ... ''')
    >>> j.stage_names
    ['Browse', 'Buy']
    >>> j.stage_of("Shop page")
    'Browse'
    """

    jmtools: Literal[1] = 1
    """Version of the journey file format."""
    name: Text
    owner: str | None = None
    version: str | int | None = None
    updated: dt.date | None = None
    description: str | None = None
    tags: list[str] = []
    personas: list[PersonaEntry] = []
    stages: list[Stage] = Field(min_length=1)
    touchpoints: list[Touchpoint] = []
    pain_points: list[PainPoint] = []
    opportunities: list[Opportunity] = []

    _path: Path | None = PrivateAttr(default=None)
    _doc: Any = PrivateAttr(default=None)
    _text: str | None = PrivateAttr(default=None)
    _libraries: dict = PrivateAttr(default_factory=dict)

    # ---------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: str | Path) -> "Journey":
        """Load and validate a journey file; raise :class:`JourneyError` listing every problem."""
        path = Path(path)
        text = _read_text(path)
        return cls._from_text(text, source=str(path), path=path)

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> "Journey":
        """Parse and validate journey YAML given as a string."""
        return cls._from_text(text, source=source, path=None)

    @classmethod
    def _from_text(cls, text: str, *, source: str, path: Path | None) -> "Journey":
        if (quick := _quick_journey(cls, text, source, path)) is not None:  # libyaml could tell
            return quick
        doc = _parse_yaml(text, source)
        journey = _validate_model(cls, doc, source)
        journey._path, journey._doc, journey._text = path, doc, text
        _dates_into_doc(journey, doc)
        problems = journey._cross_check(doc=doc, source=source)
        if problems:
            raise JourneyError(problems, source=source)
        return journey

    _document = _full_document   # the YAML document, read in full on first need

    def check(self) -> list[Problem]:
        """Return the problems of cross-references (unknown stages, bad regexes, duplicates…)."""
        source = str(self._path) if self._path else "<journey>"
        return self._cross_check(doc=self._document(), source=source)

    def warnings(self) -> list[Problem]:
        """Return what is valid but probably not meant: persona rules that mix ``and`` and ``or``
        without parentheses (each says how it is read and how to write it).

        Examples
        --------
        >>> j = Journey.from_yaml("name: D\\nstages: [{name: A}]\\n"
        ...                       "personas: [{name: P, rule: 'a == 1 or b == 2 and c == 3'}]")
        >>> print(j.warnings()[0].message)
        persona 'P' rule 'a == 1 or b == 2 and c == 3' mixes 'and' and 'or' without parentheses: read as a == 1 or (b == 2 and c == 3) (column 18)
        """
        source = str(self._path) if self._path else "<journey>"
        found = []
        for i, entry in enumerate(self.personas):
            warning = isinstance(entry, Persona) and entry.rule and _rule_warning(entry.rule,
                                                                                    entry.name)
            if warning:
                found.append(_problem(self._document(), source, ("personas", i, "rule"), *warning))
        return found

    # ----------------------------------------------------------------- saving
    def to_yaml(self) -> str:
        """Return the journey as YAML text, keeping the loaded file's comments and order."""
        from ruamel.yaml.comments import CommentedMap

        data = self.model_dump(mode="python", exclude_unset=True)
        data = {"jmtools": 1, **data}
        doc = self._document()
        doc = doc if isinstance(doc, CommentedMap) else CommentedMap()
        changes: list = []
        self._doc = _merge(doc, data, changes)
        if not changes and self._text is not None:
            return self._text  # unchanged: the file exactly as its author wrote it
        out = io.StringIO()
        _yaml().dump(self._doc, out)
        self._text = out.getvalue()
        return self._text

    def save(self, path: str | Path | None = None) -> Path:
        """Validate, then write the journey (to where it was loaded from by default).

        The file is written atomically: a failed write leaves the old file in place.
        """
        target = Path(path) if path is not None else self._path
        if target is None:
            raise JourneyError([Problem("the journey has no file to save to",
                                        fix="pass a path: journey.save('journey.yaml')")])
        problems = self.check()
        if problems:
            raise JourneyError(problems, source=str(target))
        text = self.to_yaml()
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        self._path = target
        return target

    @classmethod
    def json_schema(cls) -> dict:
        """Return the JSON Schema of the journey file format."""
        schema = cls.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = "jmtools/journey.schema.json"
        return schema

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Journey):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # mutable

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter shows a journey as its map (the hook of :mod:`jmtools.journey.display`)."""
        return display_bundle(self)

    # ---------------------------------------------------------------- queries
    @property
    def path(self) -> Path | None:
        """The file this journey was loaded from or last saved to."""
        return self._path

    @property
    def stage_names(self) -> list[str]:
        """Stage names in journey order."""
        return [s.name for s in self.stages]

    @property
    def touchpoint_names(self) -> list[str]:
        """Touchpoint names in file order."""
        return [t.name for t in self.touchpoints]

    def stage(self, name: str) -> Stage:
        """Return the stage called ``name``."""
        return self.stages[self._index(self.stage_names, name, "stage")]

    def touchpoint(self, name: str) -> Touchpoint:
        """Return the touchpoint called ``name``."""
        return self.touchpoints[self._index(self.touchpoint_names, name, "touchpoint")]

    def stage_of(self, touchpoint: str) -> str:
        """Return the stage name of a touchpoint."""
        return self.touchpoint(touchpoint).stage

    def touchpoint_regexes(self) -> dict[str, str]:
        """Return touchpoint name → one regex matching the whole event name.

        Examples
        --------
        >>> j = Journey(name="x", stages=[{"name": "S"}],
        ...             touchpoints=[{"name": "T", "stage": "S", "channel": "digital",
        ...                           "events": ["a", "b_.*"]}])
        >>> j.touchpoint_regexes()
        {'T': '^(?:(?:a)|(?:b_.*))$'}
        """
        return {t.name: "^(?:" + "|".join(f"(?:{p})" for p in t.events) + ")$"
                for t in self.touchpoints if t.events}

    def personas_resolved(self) -> list[Persona]:
        """Return the persona cards, with references into library files resolved."""
        cards = []
        for entry in self.personas:
            if isinstance(entry, Persona):
                cards.append(entry)
            else:
                cards.append(self._library(entry.file).personas[
                    [p.name for p in self._library(entry.file).personas].index(entry.name)])
        return cards

    @property
    def persona_names(self) -> list[str]:
        """Persona names in file order (references resolved by name, without loading)."""
        return [p.name for p in self.personas]

    def assumed_emotion(self, stage: str, persona: str | None = None) -> float | None:
        """Return the workshop's assumed emotion for a stage (and persona), or None."""
        value = self.stage(stage).emotion
        if isinstance(value, dict):
            return value.get(persona) if persona is not None else None
        return value

    def _library(self, file: str) -> PersonaLibrary:
        base = self._path.parent if self._path else Path.cwd()
        target = (base / file).resolve()
        if target not in self._libraries:
            self._libraries[target] = load_persona_library(target)
        return self._libraries[target]

    @staticmethod
    def _index(names: list[str], name: str, kind: str) -> int:
        if name in names:
            return names.index(name)
        hint = suggest(name, names)
        raise ParameterError(kind, name, expected=names,
                             fix=f"did you mean {hint!r}?" if hint else "")

    # ------------------------------------------------------------ validation
    def _cross_check(self, *, doc: Any, source: str) -> list[Problem]:
        found: list[tuple[tuple, str, str]] = []
        add = lambda path, msg, fix: found.append((path, msg, fix))  # noqa: E731
        stages = self.stage_names
        for key, names in (("stages", stages), ("touchpoints", self.touchpoint_names),
                           ("personas", [getattr(p, "name", "x") for p in self.personas])):
            for i in [i for i, name in enumerate(names) if not name.strip()]:
                add((key, i, "name"), f"the name is blank ({names[i]!r})", "type a name")
        _duplicates(stages, "stages", "name", "stage name", add)
        _duplicates(self.touchpoint_names, "touchpoints", "name", "touchpoint name", add)
        _duplicates([p.id for p in self.pain_points], "pain_points", "id", "pain point id", add)
        _duplicates([o.id for o in self.opportunities], "opportunities", "id", "opportunity id", add)
        personas = self._check_personas(add)
        _duplicates(personas, "personas", "name", "persona name", add)
        for i, t in enumerate(self.touchpoints):
            _known(t.stage, stages, ("touchpoints", i, "stage"), "stage", add)
            for k, pattern in enumerate(t.events):
                _check_regex(pattern, ("touchpoints", i, "events", k), add, t.name)
            if t.after is not None and _known(t.after, stages, ("touchpoints", i, "after"),
                                              "stage", add) and t.stage in stages:
                if stages.index(t.after) >= stages.index(t.stage):
                    add(("touchpoints", i, "after"),
                        f"touchpoint '{t.name}' waits for stage '{t.after}', which does not come "
                        f"before its own stage '{t.stage}'",
                        f"name a stage before '{t.stage}' "
                        f"({', '.join(stages[:stages.index(t.stage)]) or 'there is none'}) "
                        "or remove after:")
        for i, s in enumerate(self.stages):
            if isinstance(s.emotion, dict):
                for key in s.emotion:
                    _known(key, personas, ("stages", i, "emotion", key), "persona", add)
            for lane in LANES:
                for k, claim in enumerate(getattr(s, lane)):
                    for name in claim.personas:
                        _known(name, personas, ("stages", i, lane, k, "personas"), "persona", add)
        tp_stage = {t.name: t.stage for t in self.touchpoints}
        for i, p in enumerate(self.pain_points):
            _known(p.stage, stages, ("pain_points", i, "stage"), "stage", add)
            if p.touchpoint is not None:
                if _known(p.touchpoint, list(tp_stage), ("pain_points", i, "touchpoint"),
                          "touchpoint", add) and tp_stage[p.touchpoint] != p.stage:
                    add(("pain_points", i, "touchpoint"),
                        f"touchpoint '{p.touchpoint}' belongs to stage '{tp_stage[p.touchpoint]}', "
                        f"not to '{p.stage}'",
                        f"set stage: {tp_stage[p.touchpoint]} or name a touchpoint of '{p.stage}'")
            for name in p.personas:
                _known(name, personas, ("pain_points", i, "personas"), "persona", add)
        _opportunity_problems(self.opportunities, [p.id for p in self.pain_points], add)
        target_problems(list(enumerate(o.target for o in self.opportunities)), self.touchpoint_names,
                        stages, personas, add)
        return [_problem(doc, source, path, msg, fix) for path, msg, fix in found]

    def _check_personas(self, add) -> list[str]:
        names, cards = [], []
        for i, entry in enumerate(self.personas):
            names.append(entry.name)
            cards.append(entry)
            if entry.name in RESERVED_PERSONA_NAMES:
                add(("personas", i, "ref" if isinstance(entry, PersonaRef) else "name"),
                    f"persona name '{entry.name}' is taken: reports use it for "
                    f"{RESERVED_PERSONA_NAMES[entry.name]}",
                    f"rename the persona, e.g. '{entry.name.strip('()').capitalize()} shoppers'")
            if isinstance(entry, PersonaRef):
                try:
                    library = self._library(entry.file)
                except JourneyError as err:
                    add(("personas", i, "ref"), f"persona library '{entry.file}' cannot be used: "
                        + err.problems[0].message, err.problems[0].fix or "fix the library file")
                    continue
                available = [p.name for p in library.personas]
                if _known(entry.name, available, ("personas", i, "ref"),
                          f"persona in {entry.file}", add):
                    cards[-1] = library.personas[available.index(entry.name)]
            elif entry.rule is not None and not entry.rest:
                problem = _rule_problem(entry.rule)
                if problem:
                    add(("personas", i, "rule"), *problem)
        for i, message, fix in _rest_problems(cards):
            add(("personas", i, "ref" if isinstance(self.personas[i], PersonaRef) else "rest"),
                message, fix)
        return names


def load_journey(path: str | Path) -> Journey:
    """Load and validate a journey file (same as :meth:`Journey.load`)."""
    return Journey.load(path)


def load_persona_library(path: str | Path) -> PersonaLibrary:
    """Load and validate a shared persona library file."""
    path = Path(path)
    source = str(path)
    doc = _parse_yaml(_read_text(path), source)
    library = _validate_model(PersonaLibrary, doc, source)
    found: list = []
    _duplicates([p.name for p in library.personas], "personas", "name", "persona name",
                lambda *a: found.append(a))
    for i, p in enumerate(library.personas):
        problem = p.rule is not None and not p.rest and _rule_problem(p.rule)
        if problem:
            found.append((("personas", i, "rule"), *problem))
    found += [(("personas", i, "rest"), message, fix)
              for i, message, fix in _rest_problems(library.personas, positions=False)]
    if found:
        raise JourneyError([_problem(doc, source, *f) for f in found], source=source)
    return library
