"""The YAML side of the journey file: read, parse, locate, validate, write back.

:class:`~jmtools.journey.model.Journey` loads and saves through these helpers; they know
ruamel.yaml and pydantic, not the journey's fields. Parsing refuses YAML tags (a journey
file holds plain data, never code), reads dates as text so a bad one can be located, and
turns every pydantic error into a :class:`~jmtools.core.errors.Problem` with file, line,
path inside the document and a fix. Writing merges the new data into the loaded document
(:func:`_merge`), so comments and key order written by a person survive a
load → change → save cycle.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, Tag, ValidationError

from jmtools.core.errors import JourneyError, Problem, suggest
from jmtools.core.metrics import EMOTION_DOMAIN
from jmtools.core.resources import suggest_path
from jmtools.core.yamlbounds import MAX_YAML_BYTES, short, yaml_bounds_problem

#: Helpers for the modules of :mod:`jmtools.journey`; nothing here is public.
__all__: list[str] = []


# -------------------------------------------------------------------------- reading
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
    """The file's text, read only when it is a regular file and at most MAX_YAML_BYTES long
    (a folder, a device such as /dev/zero or a huge file is a located error, not a hang)."""
    try:
        if path.exists() and not path.is_file():
            raise JourneyError([Problem("not a file (a folder or a device)", source=str(path),
                                        fix="give the path of a journey YAML file")])
        with open(path, "rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise JourneyError([Problem(f"the file is larger than {MAX_YAML_BYTES:,} bytes",
                                        source=str(path),
                                        fix="a journey file is a few kilobytes: check the path")])
        return data.decode("utf-8")
    except PermissionError as err:
        raise JourneyError([Problem(f"cannot read the file ({err.strerror})", source=str(path),
                                    fix="check the file's permissions")]) from None
    except FileNotFoundError:
        near = suggest_path(path)
        raise JourneyError([Problem("file not found", source=str(path),
                                    fix=(f"did you mean {near!r}? " if near else "")
                                        + "check the path (relative paths start at the "
                                        f"current folder {Path.cwd()})")]) from None
    except UnicodeDecodeError as err:
        raise JourneyError([Problem(f"not UTF-8 text (byte {err.start})", source=str(path),
                                    fix="save the file as UTF-8")]) from None


def _parse_yaml(text: str, source: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    too_big = yaml_bounds_problem(text, source)
    if too_big:
        raise JourneyError([too_big])
    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = " ".join(x for x in (err.context, err.problem) if x)
        duplicate = type(err).__name__ == "DuplicateKeyError"
        fix = ("keep one of the two entries with this key" if duplicate else
               "check indentation, colons and brackets near this line")
        raise JourneyError([Problem(f"YAML {'duplicate key' if duplicate else 'syntax error'}: "
                                    f"{short(what)}", source=source,
                                    line=mark.line + 1 if mark else None, fix=fix)]) from None
    except YAMLError as err:
        raise JourneyError([Problem(f"YAML error: {short(err)}", source=source,
                                    fix="save the file as plain UTF-8 text: no control characters "
                                        "(such as NUL) and no tabs for indentation")]) from None
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
    if isinstance(node, (bytes, bytearray)):  # !!binary: decoded bytes would pass for text
        yield path, "tag:yaml.org,2002:binary"
        return
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


def _full_document(journey) -> Any:
    """The journey's YAML document as the round-trip reader reads it, read on first need
    (locating a problem, saving with the file's comments) when the journey was read quickly
    (:mod:`jmtools.journey._quick`)."""
    if journey._doc is None and journey._text is not None:
        doc = _parse_yaml(journey._text, str(journey._path) if journey._path else "<journey>")
        _dates_into_doc(type(journey).model_validate(_plain(doc)), doc)   # the dates as loaded
        journey._doc = doc
    return journey._doc


# ----------------------------------------------------------------------- validating
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
    if field == "occurrence" or (len(loc) > 1 and loc[-2] == "occurrence"):
        return _problem(doc, source, path[:path.index("occurrence") + 1] if "occurrence" in path
                        else path, f"occurrence must be any, first, repeat or a whole number n "
                        f"from 1 to 1000 (only the n-th event) — got {short(repr(got))}",
                        "write occurrence: first, occurrence: repeat or e.g. occurrence: 2")
    if kind == "literal_error":
        options = e.get("ctx", {}).get("expected", "")
        options_list = re.findall(r"'([^']*)'", options)
        hint = suggest(str(got), options_list) if options_list else None
        fix = f"did you mean '{hint}'?" if hint else f"use one of {options}"
        return _problem(doc, source, path, f"must be one of {options} — got {short(repr(got))}", fix)
    if kind == "string_pattern_mismatch" and field in ("id", "ref"):
        fix = ("use lower-case letters, digits, '-' and '_' (e.g. hidden-fees)" if field == "id"
               else "write 'path/to/library.yaml#Persona name'")
        return _problem(doc, source, path, f"{field} {short(repr(got))} has the wrong form", fix)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        words = {"ge": "at least", "le": "at most", "gt": "above", "lt": "below"}
        bound = ", ".join(f"{words.get(k, k)} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}"
                          for k, v in e.get("ctx", {}).items())
        fix = (f"emotions run from {EMOTION_DOMAIN[0]:g} to {EMOTION_DOMAIN[1]:g}"
               if "emotion" in map(str, loc) else f"use a value that is {bound}")
        return _problem(doc, source, path, f"value {short(repr(got))} is out of range ({bound})", fix)
    if kind == "too_short":
        return _problem(doc, source, path, f"'{field}' must not be empty",
                        "add at least one entry")
    if kind == "finite_number" or isinstance(got, bool):
        return _problem(doc, source, path, f"expected a finite number — got {short(repr(got))}",
                        "write a number such as 3 (not .nan, .inf, true or false)")
    want = _TYPE_WORDS.get(kind)
    if want:
        return _problem(doc, source, path, f"expected {want} — got {short(repr(got))}",
                        f"write {want} here")
    return _problem(doc, source, path, f"{e['msg']} — got {short(repr(got))}", "correct the value")


def _allowed_keys(cls, loc: tuple) -> list[str]:
    model, tags = cls, {}
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        if part in tags:  # the branch of a tagged union (a persona card or a reference)
            model = tags[part]
            continue
        info = model.model_fields.get(part)
        model = _model_of(info.annotation) if info else None
        tags = _tagged_models(info.annotation) if info else {}
    return list(model.model_fields) if model else []


def _model_of(annotation) -> type | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _tagged_models(annotation) -> dict[str, type]:
    """Tag → model of each branch of a tagged union in ``annotation`` (``Tag("card")``…)."""
    found: dict[str, type] = {}
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated and _model_of(args[0]) is args[0]:
        found.update({m.tag: args[0] for m in args[1:] if isinstance(m, Tag)})
    for arg in args:
        found.update(_tagged_models(arg))
    return found


# ------------------------------------------------------------------------- locating
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


# -------------------------------------------------------------------------- writing
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
    if isinstance(new, float) and new.is_integer():
        return int(new)   # the model holds 3.0 for a file's 3: written back as 3, as a person writes it
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


def _dates_into_doc(journey, doc: Any) -> None:
    """Dates were read as text; put date objects back so a re-written file keeps them unquoted."""
    if journey.updated is not None:
        doc["updated"] = journey.updated
    for i, opportunity in enumerate(journey.opportunities):
        for key in ("target_date", "change_date"):
            if getattr(opportunity, key) is not None:
                doc["opportunities"][i][key] = getattr(opportunity, key)
        if opportunity.outcome is not None:
            doc["opportunities"][i]["outcome"]["measured_on"] = opportunity.outcome.measured_on
