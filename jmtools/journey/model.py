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

See ``docs/contracts.md`` for the format and ``jmtools/schema/journey.schema.json`` for
its JSON Schema (``Journey.json_schema()``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag,
                      ValidationError, model_serializer, model_validator)

from jmtools.core.errors import JourneyError, Problem, suggest
from jmtools.core.metrics import EMOTION_DOMAIN

__all__ = [
    "Claim", "Persona", "PersonaRef", "Stage", "Touchpoint", "PainPoint", "Opportunity",
    "Journey", "PersonaLibrary", "LANES", "OPPORTUNITY_STATUSES", "load_journey",
    "load_persona_library", "schema_problems",
]

EvidenceLabel = Literal["measured", "reported", "assumed"]
ChannelKind = Literal["digital", "physical", "interpersonal"]
OpportunityStatus = Literal["idea", "planned", "in progress", "done", "dropped"]
OPPORTUNITY_STATUSES = ("idea", "planned", "in progress", "done", "dropped")

#: Lanes a stage can carry, in the order a map shows them.
LANES = ("actions", "thoughts", "feelings", "frontstage", "backstage", "support")

Emotion = Annotated[float, Field(ge=EMOTION_DOMAIN[0], le=EMOTION_DOMAIN[1])]
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


class PainPoint(_Model):
    """Where it hurts, with the evidence for believing so."""

    id: Slug
    title: Text
    stage: Text
    touchpoint: str | None = None
    description: str | None = None
    personas: list[str] = []
    severity: Annotated[int, Field(ge=1, le=5)] | None = None
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
    scores: dict[str, float] = {}
    """Inputs of the scoring frameworks: impact, effort, reach, confidence, ease…"""
    evidence: EvidenceLabel = "assumed"


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
        doc = _parse_yaml(text, source)
        journey = _validate_model(cls, doc, source)
        journey._path, journey._doc, journey._text = path, doc, text
        _dates_into_doc(journey, doc)
        problems = journey._cross_check(doc=doc, source=source)
        if problems:
            raise JourneyError(problems, source=source)
        return journey

    def check(self) -> list[Problem]:
        """Return the problems of cross-references (unknown stages, bad regexes, duplicates…)."""
        source = str(self._path) if self._path else "<journey>"
        return self._cross_check(doc=self._doc, source=source)

    # ----------------------------------------------------------------- saving
    def to_yaml(self) -> str:
        """Return the journey as YAML text, keeping the loaded file's comments and order."""
        from ruamel.yaml.comments import CommentedMap

        data = self.model_dump(mode="python", exclude_unset=True)
        data = {"jmtools": 1, **data}
        doc = self._doc if isinstance(self._doc, CommentedMap) else CommentedMap()
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
        """Jupyter shows a journey as its map (drawn by :mod:`jmtools.canvas`, offline)."""
        from jmtools.canvas import journey_mimebundle

        return journey_mimebundle(self)

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
        from jmtools.core.errors import ParameterError
        raise ParameterError(kind, name, expected=names,
                             fix=f"did you mean {hint!r}?" if hint else "")

    # ------------------------------------------------------------ validation
    def _cross_check(self, *, doc: Any, source: str) -> list[Problem]:
        found: list[tuple[tuple, str, str]] = []
        add = lambda path, msg, fix: found.append((path, msg, fix))  # noqa: E731
        stages = self.stage_names
        _duplicates(stages, "stages", "name", "stage name", add)
        _duplicates(self.touchpoint_names, "touchpoints", "name", "touchpoint name", add)
        _duplicates([p.id for p in self.pain_points], "pain_points", "id", "pain point id", add)
        _duplicates([o.id for o in self.opportunities], "opportunities", "id", "opportunity id", add)
        personas = self._check_personas(add)
        _duplicates(personas, "personas", "name", "persona name", add)
        for i, t in enumerate(self.touchpoints):
            _known(t.stage, stages, ("touchpoints", i, "stage"), "stage", add)
            for k, pattern in enumerate(t.events):
                _check_regex(pattern, ("touchpoints", i, "events", k), add)
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
        ids = [p.id for p in self.pain_points]
        for i, o in enumerate(self.opportunities):
            for ref in o.pain_points:
                _known(ref, ids, ("opportunities", i, "pain_points"), "pain point id", add)
        return [_problem(doc, source, path, msg, fix) for path, msg, fix in found]

    def _check_personas(self, add) -> list[str]:
        names = []
        for i, entry in enumerate(self.personas):
            names.append(entry.name)
            if isinstance(entry, PersonaRef):
                try:
                    library = self._library(entry.file)
                except JourneyError as err:
                    add(("personas", i, "ref"), f"persona library '{entry.file}' cannot be used: "
                        + err.problems[0].message, err.problems[0].fix or "fix the library file")
                    continue
                available = [p.name for p in library.personas]
                _known(entry.name, available, ("personas", i, "ref"),
                       f"persona in {entry.file}", add)
            elif entry.rule is not None:
                problem = _rule_problem(entry.rule)
                if problem:
                    add(("personas", i, "rule"), *problem)
        return names


def _dates_into_doc(journey: "Journey", doc: Any) -> None:
    """Dates were read as text; put date objects back so a re-written file keeps them unquoted."""
    if journey.updated is not None:
        doc["updated"] = journey.updated
    for i, opportunity in enumerate(journey.opportunities):
        if opportunity.target_date is not None:
            doc["opportunities"][i]["target_date"] = opportunity.target_date


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
        problem = p.rule is not None and _rule_problem(p.rule)
        if problem:
            found.append((("personas", i, "rule"), *problem))
    if found:
        raise JourneyError([_problem(doc, source, *f) for f in found], source=source)
    return library


def schema_problems(path: str | Path) -> list[Problem]:
    """Check a journey file against the published JSON Schema (as other tools would).

    Returns
    -------
    list of Problem
        Empty when the file conforms.
    """
    import json

    import jsonschema

    path = Path(path)
    schema = json.loads((Path(__file__).resolve().parents[1] / "schema" / "journey.schema.json").read_text())
    doc = _parse_yaml(_read_text(path), str(path))
    validator = jsonschema.Draft202012Validator(schema)
    return [_problem(doc, str(path), tuple(e.absolute_path), f"JSON Schema: {e.message}",
                     "see jmtools/schema/journey.schema.json")
            for e in sorted(validator.iter_errors(_plain(doc)), key=lambda e: list(map(str, e.path)))]


# ------------------------------------------------------------------ helpers
def _yaml():
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.Constructor = _constructor()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never wrap: one claim per line keeps diffs small
    y.preserve_quotes = True
    return y


_CONSTRUCTOR = None


def _constructor():
    """Round-trip constructor that leaves dates as text, so validation can locate bad ones."""
    global _CONSTRUCTOR
    if _CONSTRUCTOR is None:
        from ruamel.yaml.constructor import RoundTripConstructor

        class DatesAsText(RoundTripConstructor):
            pass

        DatesAsText.add_constructor("tag:yaml.org,2002:timestamp",
                                    RoundTripConstructor.construct_yaml_str)
        _CONSTRUCTOR = DatesAsText
    return _CONSTRUCTOR


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JourneyError([Problem("file not found", source=str(path),
                                    fix="check the path (relative paths start at the "
                                        f"current folder {Path.cwd()})")]) from None
    except UnicodeDecodeError as err:
        raise JourneyError([Problem(f"not UTF-8 text (byte {err.start})", source=str(path),
                                    fix="save the file as UTF-8")]) from None


def _parse_yaml(text: str, source: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = " ".join(x for x in (err.context, err.problem) if x)
        duplicate = type(err).__name__ == "DuplicateKeyError"
        fix = ("keep one of the two entries with this key" if duplicate else
               "check indentation, colons and brackets near this line")
        raise JourneyError([Problem(f"YAML {'duplicate key' if duplicate else 'syntax error'}: "
                                    f"{what}", source=source,
                                    line=mark.line + 1 if mark else None, fix=fix)]) from None
    except YAMLError as err:
        raise JourneyError([Problem(f"YAML error: {err}", source=source)]) from None
    if doc is None:
        raise JourneyError([Problem("the file is empty", source=source,
                                    fix="start from a template: jmtools new FOLDER --template ecommerce")])
    tagged = list(_tagged_nodes(doc, ()))
    if tagged:
        raise JourneyError([_problem(doc, source, path, "YAML tag '{}' is not allowed".format(
                                         tag.replace("tag:yaml.org,2002:", "!!")),
                                     "remove the tag: journey files hold plain data only")
                            for path, tag in tagged])
    if not isinstance(doc, dict):
        kind = "list" if isinstance(doc, list) else type(doc).__name__
        raise JourneyError([Problem(f"the document must be a mapping of keys (name, stages, …), "
                                    f"got a {kind}", source=source, line=1,
                                    fix="start the file with 'name: …' and 'stages:'")])
    return doc


def _tagged_nodes(node: Any, path: tuple):
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    if isinstance(value, str) and value:
        yield path, value
        return
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _tagged_nodes(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _tagged_nodes(v, path + (i,))


def _validate_model(cls, doc: Any, source: str):
    try:
        return cls.model_validate(_plain(doc))
    except ValidationError as err:
        problems = [_pydantic_problem(doc, source, e, cls) for e in err.errors()]
        raise JourneyError(_unique(problems), source=source) from None


def _plain(node: Any) -> Any:
    """ruamel containers → plain dicts/lists, so validation sees ordinary Python data."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:  # a value failing a union is reported once, by its first branch
        key = (p.line, p.path)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


_TYPE_WORDS = {"list_type": "a list", "dict_type": "a mapping", "string_type": "text",
               "int_type": "a whole number", "int_parsing": "a whole number",
               "float_type": "a number", "float_parsing": "a number", "bool_type": "true or false",
               "bool_parsing": "true or false", "date_type": "a date (YYYY-MM-DD)",
               "date_parsing": "a date (YYYY-MM-DD)", "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
               "model_type": "a mapping", "model_attributes_type": "a mapping"}


def _pydantic_problem(doc: Any, source: str, e: dict, cls) -> Problem:
    loc, kind, got = e["loc"], e["type"], e.get("input")
    path = _doc_path(doc, loc)
    field = str(loc[-1]) if loc else ""
    if kind == "missing":
        return _problem(doc, source, path + ((field,) if path[-1:] != (field,) else ()),
                        f"required key '{field}' is missing",
                        f"add '{field}: …' here (see docs/contracts.md)")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(cls, loc)
        hint = suggest(field, allowed)
        fix = f"did you mean '{hint}'?" if hint else f"remove it; allowed keys: {', '.join(allowed)}"
        return _problem(doc, source, path, f"unknown key '{field}'", fix)
    if kind == "literal_error":
        options = e.get("ctx", {}).get("expected", "")
        options_list = re.findall(r"'([^']*)'", options)
        hint = suggest(str(got), options_list) if options_list else None
        fix = f"did you mean '{hint}'?" if hint else f"use one of {options}"
        return _problem(doc, source, path, f"must be one of {options} — got {got!r}", fix)
    if kind == "string_pattern_mismatch" and field in ("id", "ref"):
        fix = ("use lower-case letters, digits, '-' and '_' (e.g. hidden-fees)" if field == "id"
               else "write 'path/to/library.yaml#Persona name'")
        return _problem(doc, source, path, f"{field} {got!r} has the wrong form", fix)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        words = {"ge": "at least", "le": "at most", "gt": "above", "lt": "below"}
        bound = ", ".join(f"{words.get(k, k)} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}"
                          for k, v in e.get("ctx", {}).items())
        fix = (f"emotions run from {EMOTION_DOMAIN[0]:g} to {EMOTION_DOMAIN[1]:g}"
               if "emotion" in map(str, loc) else f"use a value that is {bound}")
        return _problem(doc, source, path, f"value {got!r} is out of range ({bound})", fix)
    if kind == "too_short":
        return _problem(doc, source, path, f"'{field}' must not be empty",
                        "add at least one entry")
    want = _TYPE_WORDS.get(kind)
    if want:
        return _problem(doc, source, path, f"expected {want} — got {got!r}",
                        f"write {want} here")
    return _problem(doc, source, path, f"{e['msg']} — got {got!r}", "correct the value")


def _allowed_keys(cls, loc: tuple) -> list[str]:
    model = cls
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        if part == "card":
            model = Persona
            continue
        if part == "ref":
            model = PersonaRef
            continue
        info = model.model_fields.get(part)
        model = _model_of(info.annotation) if info else None
    return list(model.model_fields) if model else []


def _model_of(annotation) -> type | None:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _doc_path(doc: Any, loc: Iterable) -> tuple:
    """Keep the parts of a pydantic location that exist in the document (drops union tags)."""
    path, node = [], doc
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not part.startswith(
                ("function-", "union[", "list[", "dict[", "json-or-python")) and part not in (
                "card", "ref", "str", "int", "float", "bool", "date", "Claim", "float-dict"):
            path.append(part)  # a missing key: the line of its parent
            break
    return tuple(path)


def _line_of(doc: Any, path: tuple) -> int | None:
    node, line = doc, None
    for part in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and part in node:
                line = lc.key(part)[0] + 1 if lc else line
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                line = lc.item(part)[0] + 1 if lc else line
                node = node[part]
            else:
                break
        except (KeyError, TypeError, AttributeError):
            break
    return line


def _path_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem(doc: Any, source: str, path: tuple, message: str, fix: str) -> Problem:
    line = _line_of(doc, path) if doc is not None else None
    return Problem(message, fix=fix, source=source, line=line or 1, path=_path_text(path) or None)


def _duplicates(names: list[str], key: str, field: str, what: str, add) -> None:
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in first:
            add((key, i, field), f"duplicate {what} '{name}' (first used at {key}[{first[name]}])",
                f"give every {what.split(' ')[0]} {'a unique ' + field}")
        else:
            first[name] = i


def _known(value: str, options: list[str], path: tuple, what: str, add) -> bool:
    if value in options:
        return True
    hint = suggest(value, options)
    listed = ", ".join(repr(o) for o in options) or "none defined"
    add(path, f"unknown {what} '{value}'",
        f"did you mean '{hint}'?" if hint else f"use one of: {listed}")
    return False


def _check_regex(pattern: str, path: tuple, add) -> None:
    try:
        re.compile(pattern)
    except re.error as err:
        add(path, f"event pattern {pattern!r} is not a valid regular expression: {err.msg}"
            + (f" at position {err.pos}" if err.pos is not None else ""),
            "escape special characters with a backslash (e.g. 'cart\\.view') or fix the brackets")


def _rule_problem(rule: str) -> tuple[str, str] | None:
    """Syntax check of a persona rule → (message, fix), or None when it parses.

    The checks that need data (attributes exist, rule selects someone) live in
    :func:`jmtools.personas.check_personas`.
    """
    from jmtools.core.expressions import RuleError, parse_rule

    try:
        parse_rule(rule)
    except RuleError as err:
        where = f" at column {err.position + 1}" if err.position is not None else ""
        return (f"persona rule {rule!r}: {err.message}{where}",
                err.fix or "write an expression such as: age >= 45 and channel == \"store\"")
    return None


def _merge(node: Any, new: Any, changes: list) -> Any:
    """Write ``new`` (plain data) into the loaded document, keeping what did not change.

    Every replaced or removed value is appended to ``changes``.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(new, dict):
        target = node if isinstance(node, CommentedMap) else CommentedMap()
        for key in [k for k in target if k not in new]:
            del target[key]
            changes.append(key)
        for key, value in new.items():
            if key not in target or not _same(target[key], value):
                target[key] = _merge(target.get(key), value, changes)
                changes.append(key)
        return target
    if isinstance(new, list):
        if isinstance(node, CommentedSeq) and len(node) == len(new):
            for i, value in enumerate(new):
                if not _same(node[i], value):
                    node[i] = _merge(node[i], value, changes)
                    changes.append(i)
            return node
        changes.append(None)
        seq = CommentedSeq(_merge(None, v, changes) for v in new)
        if isinstance(node, CommentedSeq) and len(node) and all(
                isinstance(v, (str, int, float)) for v in new) and node.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(node, str) and isinstance(new, str) and node == new:
        return node
    return new


def _same(old: Any, new: Any) -> bool:
    """Equal as data: dates read as text equal their date, 1 equals 1.0, booleans stay booleans."""
    if isinstance(new, dict):
        return isinstance(old, dict) and set(old) == set(new) and all(
            _same(old[k], v) for k, v in new.items())
    if isinstance(new, list):
        return isinstance(old, list) and len(old) == len(new) and all(
            _same(o, v) for o, v in zip(old, new))
    if isinstance(new, dt.date) and isinstance(old, str):
        return old == new.isoformat()  # dates are read as text (see _constructor)
    if isinstance(new, bool) or isinstance(old, bool):
        return isinstance(old, bool) and isinstance(new, bool) and old == new
    if isinstance(new, (int, float)) and isinstance(old, (int, float)):
        return float(old) == float(new)
    return type(_plain(old)) is type(new) and _plain(old) == new
