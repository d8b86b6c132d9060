"""Checks of a journey file beyond its types: duplicates, unknown names, regexes, rules, schema.

:meth:`Journey._cross_check <jmtools.journey.model.Journey>` walks the journey and calls
these helpers; each reports through ``add(path, message, fix)`` so the caller can locate the
problem in the file. :func:`schema_problems` checks a file against the published JSON
Schema, as other tools would.
"""

from __future__ import annotations

import json
from pathlib import Path

from jmtools.core.errors import Problem, suggest
from jmtools.core.expressions import RuleError, parse_rule
from jmtools.core.metrics import RICE_IMPACTS
from jmtools.core.names import look_alike, skeleton, spell_out
from jmtools.core.patterns import pattern_problem
from jmtools.journey.yamlio import _parse_yaml, _plain, _problem, _read_text

__all__ = ["schema_problems"]


def schema_problems(path: str | Path) -> list[Problem]:
    """Check a journey file against the published JSON Schema (as other tools would).

    Returns
    -------
    list of Problem
        Empty when the file conforms.
    """
    import jsonschema

    path = Path(path)
    schema = json.loads((Path(__file__).resolve().parents[1] / "schema" / "journey.schema.json").read_text())
    doc = _parse_yaml(_read_text(path), str(path))
    validator = jsonschema.Draft202012Validator(schema)
    return [_problem(doc, str(path), tuple(e.absolute_path), f"JSON Schema: {e.message}",
                     "see jmtools/schema/journey.schema.json")
            for e in sorted(validator.iter_errors(_plain(doc)), key=lambda e: list(map(str, e.path)))]


def _duplicates(names: list[str], key: str, field: str, what: str, add) -> None:
    first: dict[str, int] = {}
    shapes: dict[str, tuple[str, int]] = {}
    for i, name in enumerate(names):
        if name in first:
            add((key, i, field), f"duplicate {what} '{name}' (first used at {key}[{first[name]}])",
                f"give every {what.split(' ')[0]} {'a unique ' + field}")
            continue
        first[name] = i
        other = shapes.setdefault(skeleton(name), (name, i))
        if other[0] != name:
            add((key, i, field), f"{what} '{name}' looks the same as '{other[0]}' ({key}[{other[1]}]) but "
                                 f"is another name: {spell_out(name)}",
                "retype the name with the same letters as the other one (e.g. Latin letters only), "
                "or make the two names visibly different")


def _known(value: str, options: list[str], path: tuple, what: str, add) -> bool:
    if value in options:
        return True
    hint = suggest(value, options)
    listed = ", ".join(repr(o) for o in options) or "none defined"
    if hint and look_alike(value, hint):  # the hint would look identical to what was typed
        add(path, f"unknown {what} '{value}': it looks like '{hint}' but {spell_out(value)}",
            f"retype it as '{hint}' with Latin letters")
        return False
    add(path, f"unknown {what} '{value}'",
        f"did you mean '{hint}'?" if hint else f"use one of: {listed}")
    return False


def _check_regex(pattern: str, path: tuple, add, touchpoint: str = "") -> None:
    problem = pattern_problem(pattern)
    if problem:
        whose = f"touchpoint {touchpoint!r}: " if touchpoint else ""
        add(path, f"{whose}event pattern {pattern[:200]!r} {problem[0]}", problem[1])


def _opportunity_problems(opportunities: list, pain_point_ids: list[str], add) -> None:
    """Each opportunity names known pain points, and its RICE inputs are on RICE's scales."""
    for i, o in enumerate(opportunities):
        for ref in o.pain_points:
            _known(ref, pain_point_ids, ("opportunities", i, "pain_points"), "pain point id", add)
        _rice_problems(o.id, o.scores, ("opportunities", i, "scores"), add)


def _rice_problems(opportunity_id: str, scores: dict, path: tuple, add) -> None:
    """An opportunity with reach, impact, confidence and effort is scored with RICE by every
    report; each input off RICE's scale is reported here, with its line, not by the report."""
    if not all(isinstance(scores.get(k), (int, float)) for k in ("reach", "impact", "confidence",
                                                                   "effort")):
        return
    said = (f"opportunity '{opportunity_id}' has reach, impact, confidence and effort, so RICE "
            "scores it: ")
    if float(scores["impact"]) not in RICE_IMPACTS:
        add((*path, "impact"), said + f"impact {scores['impact']:g} is not on the RICE scale",
            "write impact as 3 (massive), 2 (high), 1 (medium), 0.5 (low) or 0.25 (minimal)")
    if not 0 < scores["confidence"] <= 1:
        add((*path, "confidence"), said + f"confidence {scores['confidence']:g} is not a "
            "fraction in (0, 1]", "write a share: 80% is 0.8")
    if not scores["effort"] > 0:
        add((*path, "effort"), said + f"effort {scores['effort']:g} is not above 0",
            "write the effort in person-months, more than 0")
    if scores["reach"] < 0:
        add((*path, "reach"), said + f"reach {scores['reach']:g} is below 0",
            "write how many people it reaches per period, 0 or more")


def _rule_problem(rule: str) -> tuple[str, str] | None:
    """Syntax check of a persona rule → (message, fix), or None when it parses.

    The checks that need data (attributes exist, rule selects someone) live in
    :func:`jmtools.personas.check_personas`.
    """
    try:
        parse_rule(rule)
    except RuleError as err:
        where = f" at column {err.position + 1}" if err.position is not None else ""
        return (f"persona rule {rule!r}: {err.message}{where}",
                err.fix or "write an expression such as: age >= 45 and channel == \"store\"")
    return None




def _rule_warning(rule: str, persona: str) -> tuple[str, str] | None:
    """(message, fix) when a rule that parses may not say what was meant, else None."""
    try:
        warnings = parse_rule(rule).warnings
    except RuleError:
        return None
    if not warnings:
        return None
    w = warnings[0]
    return (f"persona {persona!r} rule {rule!r} {w.message} (column {w.position + 1})", w.fix)


def _rest_problems(cards, *, positions: bool = True) -> list[tuple[int, str, str]]:
    """(index, message, fix) for ``rest: true`` personas written wrongly.

    A rest persona selects everyone no earlier persona selects: it has no rule and no cluster,
    there is at most one, and (``positions``: in a journey, not a library) it comes last.
    """
    found = []
    rests = [i for i, c in enumerate(cards) if getattr(c, "rest", False)]
    for i in rests:
        card = cards[i]
        for key in ("rule", "cluster"):
            if getattr(card, key, None) is not None:
                found.append((i, f"persona '{card.name}' has rest: true and a {key} "
                                 f"({getattr(card, key)!r}); a rest persona selects everyone no "
                                 f"earlier persona selects, so it takes no {key}",
                              f"remove the {key} (keep rest: true), or remove rest: true"))
    if not positions:
        return found
    for i in rests[1:]:
        found.append((i, f"persona '{cards[i].name}' is a second rest persona (the first is "
                         f"'{cards[rests[0]].name}'); only one persona can be everyone else",
                      "keep rest: true on one persona, the last"))
    if rests and rests[0] != len(cards) - 1:
        later = cards[rests[0] + 1:]
        after = ", ".join(f"'{c.name}'" for c in later) + (" comes" if len(later) == 1 else " come")
        found.append((rests[0], f"persona '{cards[rests[0]].name}' has rest: true but is not the "
                                f"last persona ({after} after it); everyone else means the "
                                "customers no persona before it selects",
                      "move it to the end of the personas list"))
    return found
