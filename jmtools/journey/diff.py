"""What changed between two journeys, item by item, renames included.

:func:`diff_journeys` matches stages, touchpoints and personas by name, pain points and
opportunities by id, and claims within a lane by their text. An item that disappears while
another appears with similar content in the same section is a *rename* (a stage called
"Consideration" in one version and "Evaluation" in the next, with the same goal, lanes and
touchpoints), not one removed and one added; references that follow the rename (the
touchpoints of a renamed stage, the pain points of a renamed touchpoint) are not listed as
changes of their own.

:func:`changes_frame` and :func:`changes_text` give the list as a table and as text;
``_describe`` is the line a person reads (also in the report of
:func:`~jmtools.journey.workbook_read.read_workbook`).
"""

from __future__ import annotations

import difflib
import json

from jmtools.journey.claims import format_claim
from jmtools.journey.workbook import _ABOUT_FIELDS, _CLAIM_FIELDS, _PERSONA_CLAIMS

__all__ = ["diff_journeys", "changes_frame", "changes_text", "describe_change", "CHANGE_COLUMNS",
           "RENAME_SIMILARITY"]

#: Columns of :func:`changes_frame` (the keys of every change).
CHANGE_COLUMNS = ["section", "item", "field", "change", "old", "new"]
#: How similar (0..1: the share of filled fields that agree, texts counted by how much of
#: them is shared) a removed and an added item must be to be called a rename.
RENAME_SIMILARITY = 0.6
#: Sections in the order they are compared: key, readable name, identifier.
_SECTIONS = (("stages", "stage", "name"), ("touchpoints", "touchpoint", "name"),
             ("personas", "persona", None), ("pain_points", "pain point", "id"),
             ("opportunities", "opportunity", "id"))


def diff_journeys(old, new, *, renames: bool = True) -> list[dict]:
    """List what changed between two journeys, item by item.

    Stages, touchpoints and personas are matched by name, pain points and opportunities by
    id, claims within a lane by their text. With ``renames`` (default), a removed and an
    added item of one section whose content (without the name) is at least
    :data:`RENAME_SIMILARITY` alike are paired as a rename (the most alike first), and the
    references that follow it are not listed.

    Returns
    -------
    list of dict
        Keys ``section`` (journey, stage, touchpoint, persona, pain point, opportunity),
        ``item`` (name or id; the new one for a rename), ``field``, ``change`` (added, removed,
        renamed, changed, moved), ``old`` and ``new`` (plain values; None where not applicable).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> a = Journey.from_yaml("name: D\\nstages: [{name: S, actions: [Look]}]")
    >>> b = Journey.from_yaml("name: D\\nstages: [{name: S, actions: [Look, Buy]}]")
    >>> diff_journeys(a, b)
    [{'section': 'stage', 'item': 'S', 'field': 'actions', 'change': 'added', 'old': None, 'new': 'Buy'}]
    >>> c = Journey.from_yaml("name: D\\nstages: [{name: Shop, actions: [Look]}]")
    >>> diff_journeys(a, c)
    [{'section': 'stage', 'item': 'Shop', 'field': '', 'change': 'renamed', 'old': 'S', 'new': 'Shop'}]
    """
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    changes: list[dict] = []
    for key in _ABOUT_FIELDS:
        if a.get(key) != b.get(key):
            changes.append(_change("journey", a["name"] if key != "name" else "", key,
                                   "changed", a.get(key), b.get(key)))
    maps: dict[str, dict] = {}
    for key, _, ident in _SECTIONS:  # renames first: later sections name earlier ones
        olds = [_translated(key, item, maps) for item in a[key]]
        maps[key] = _renames(olds, b[key], ident, key, a, b) if renames else {}
    for key, section, ident in _SECTIONS:
        olds = [_translated(key, item, maps) for item in a[key]]
        changes += _diff_items(olds, b[key], section, ident, maps[key])
    return changes


def _change(section, item, fld, change, old, new) -> dict:
    return {"section": section, "item": item, "field": fld, "change": change, "old": old,
            "new": new}


def _ident(item: dict, ident: str | None) -> str:
    if ident:
        return item[ident]
    return item.get("name") or item["ref"].split("#", 1)[1]


# ------------------------------------------------------------------------------ renames
def _translated(key: str, item: dict, maps: dict) -> dict:
    """An old item with its references renamed as the sections before it were."""
    stages, tps, personas = maps.get("stages", {}), maps.get("touchpoints", {}), maps.get("personas", {})
    pains = maps.get("pain_points", {})
    out = dict(item)
    if key == "stages" and personas:
        if isinstance(out.get("emotion"), dict):
            out["emotion"] = {personas.get(k, k): v for k, v in out["emotion"].items()}
        for lane in _CLAIM_FIELDS:
            out[lane] = [c if isinstance(c, str) else {**c, "personas": [personas.get(p, p) for p in
                                                                         c.get("personas", [])]}
                         for c in out.get(lane, [])]
    if key == "touchpoints":
        for fld in ("stage", "after"):
            out[fld] = stages.get(out.get(fld), out.get(fld))
    if key == "pain_points":
        out["stage"] = stages.get(out["stage"], out["stage"])
        out["touchpoint"] = tps.get(out.get("touchpoint"), out.get("touchpoint"))
        out["personas"] = [personas.get(p, p) for p in out.get("personas", [])]
    if key == "opportunities":
        out["pain_points"] = [pains.get(p, p) for p in out.get("pain_points", [])]
        if out.get("target"):
            t = dict(out["target"])
            t["touchpoint"] = tps.get(t.get("touchpoint"), t.get("touchpoint"))
            t["persona"] = personas.get(t.get("persona"), t.get("persona"))
            t["to"] = tps.get(t.get("to"), stages.get(t.get("to"), t.get("to")))
            out["target"] = t
    return out


_PLURAL = {"stage": "stages", "touchpoint": "touchpoints", "persona": "personas",
           "pain point": "pain points", "opportunity": "opportunities"}


def _content(item: dict, ident: str | None, key: str, journey: dict) -> dict:
    """The item without its name; a stage also by the touchpoints that sit in it."""
    rest = {k: v for k, v in item.items() if k != (ident or "name")}
    if key == "stages":
        rest["_touchpoints"] = sorted(t["name"] for t in journey["touchpoints"]
                                      if t["stage"] == item["name"])
    if key == "personas" and "ref" in item:
        rest = {"ref": item["ref"].split("#", 1)[0]}
    return rest


def _similarity(a: dict, b: dict, alone: bool) -> float:
    """How alike two items are, 0..1: the mean over the fields either one fills (equal: 1,
    texts: how much of the text is shared, otherwise 0). Two items that fill nothing are alike
    only when they are the one removed and the one added item of their section (``alone``)."""
    filled = [k for k in dict.fromkeys([*a, *b]) if a.get(k) not in (None, [], {}, "")
              or b.get(k) not in (None, [], {}, "")]
    if not filled:
        return 1.0 if alone else 0.0
    score = 0.0
    for k in filled:
        x, y = a.get(k), b.get(k)
        if x == y:
            score += 1.0
        elif isinstance(x, (str, list, dict)) and isinstance(y, (str, list, dict)):
            tx, ty = (v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str) for v in (x, y))
            score += difflib.SequenceMatcher(None, tx, ty).ratio()
    return score / len(filled)


def _renames(old: list, new: list, ident, key: str, a: dict, b: dict) -> dict:
    """Old name → new name for removed/added pairs that are alike enough (most alike first)."""
    olds = {_ident(x, ident): x for x in old}
    news = {_ident(x, ident): x for x in new}
    gone = [k for k in olds if k not in news]
    came = [k for k in news if k not in olds]
    alone = len(gone) == 1 and len(came) == 1
    scored = []
    for g in gone:
        for c in came:
            ratio = _similarity(_content(olds[g], ident, key, a), _content(news[c], ident, key, b), alone)
            if ratio >= RENAME_SIMILARITY:
                scored.append((ratio, difflib.SequenceMatcher(None, g, c).ratio(), g, c))
    pairs: dict[str, str] = {}
    for _, _, g, c in sorted(scored, reverse=True):
        if g not in pairs and c not in pairs.values():
            pairs[g] = c
    return pairs


# ------------------------------------------------------------------------------- items
def _diff_items(old: list, new: list, section: str, ident: str | None, renamed: dict) -> list[dict]:
    a = {renamed.get(_ident(x, ident), _ident(x, ident)): x for x in old}
    b = {_ident(x, ident): x for x in new}
    was = {v: k for k, v in renamed.items()}
    out = [_change(section, was[k], "", "renamed", was[k], k) for k in b if k in was]
    out += [_change(section, k, "", "removed", _summary(a[k]), None) for k in a if k not in b]
    out += [_change(section, k, "", "added", None, _summary(b[k])) for k in b if k not in a]
    for change in out:
        if change["change"] == "renamed":
            change["item"] = change["new"]
    common_a = [k for k in a if k in b]
    common_b = [k for k in b if k in a]
    if common_a != common_b:
        out.append(_change(section, "", "order", "moved", common_a, common_b))
    for k in common_b:
        for fld in b[k]:
            if fld == (ident or "name") or (fld == "ref" and k in was):
                continue
            if a[k].get(fld) == b[k][fld]:
                continue
            if fld in _CLAIM_FIELDS + _PERSONA_CLAIMS and section in ("stage", "persona"):
                out += _diff_claims(a[k].get(fld) or [], b[k][fld] or [], section, k, fld)
            else:
                out.append(_change(section, k, fld, "changed", a[k].get(fld), b[k][fld]))
    return out


def _diff_claims(old: list, new: list, section: str, item: str, fld: str) -> list[dict]:
    a = {c["text"]: c for c in map(_claim_dict, old)}
    b = {c["text"]: c for c in map(_claim_dict, new)}
    out = [_change(section, item, fld, "removed", format_claim(a[t]), None) for t in a if t not in b]
    out += [_change(section, item, fld, "added", None, format_claim(b[t])) for t in b if t not in a]
    out += [_change(section, item, fld, "changed", format_claim(a[t]), format_claim(b[t]))
            for t in b if t in a and a[t] != b[t]]
    if [t for t in a if t in b] != [t for t in b if t in a]:
        out.append(_change(section, item, fld, "moved", [t for t in a if t in b],
                           [t for t in b if t in a]))
    return out


def _claim_dict(claim) -> dict:
    """A dumped claim as a dict with defaults filled (a plain string is an assumed claim)."""
    data = {"text": claim} if isinstance(claim, str) else dict(claim)
    return {"evidence": "assumed", "source": None, "personas": [], **data}


def _summary(item: dict) -> str:
    return item.get("title") or item.get("name") or item.get("ref") or ""


def _describe(c: dict) -> str:
    where = " · ".join(x for x in (f"{c['section']} '{c['item']}'" if c["item"] else c["section"],
                                   c["field"]) if x)
    if c["change"] == "added":
        return f"{where}: added {c['new']!r}"
    if c["change"] == "removed":
        return f"{where}: removed {c['old']!r}"
    if c["change"] == "renamed":
        return f"{c['section']} '{c['old']}' renamed to '{c['new']}'"
    if c["change"] == "moved":
        return f"{where}: order {c['old']} → {c['new']}"
    return f"{where}: {c['old']!r} → {c['new']!r}"


def describe_change(change: dict) -> str:
    """One change as the line a person reads.

    Examples
    --------
    >>> describe_change({"section": "opportunity", "item": "fees", "field": "status",
    ...                  "change": "changed", "old": "planned", "new": "done"})
    "opportunity 'fees' · status: 'planned' → 'done'"
    """
    return _describe(change)


def changes_frame(changes: list[dict]):
    """The changes as a table: :data:`CHANGE_COLUMNS`, one row per change.

    Examples
    --------
    >>> changes_frame([{"section": "stage", "item": "B", "field": "", "change": "renamed",
    ...                 "old": "A", "new": "B"}])[["section", "change", "old", "new"]]
      section   change old new
    0   stage  renamed   A   B
    """
    import pandas as pd

    return pd.DataFrame(changes, columns=CHANGE_COLUMNS)


def changes_text(changes: list[dict], *, old: str = "the old version", new: str = "the new version") -> str:
    """The changes as lines a person reads, grouped by section, with a count first.

    Examples
    --------
    >>> print(changes_text([{"section": "stage", "item": "B", "field": "", "change": "renamed",
    ...                      "old": "A", "new": "B"}], old="v1", new="v2"))
    1 change from v1 to v2
    stages:
      stage 'A' renamed to 'B'
    """
    if not changes:
        return f"no changes from {old} to {new}"
    lines = [f"{len(changes)} change{'s' if len(changes) != 1 else ''} from {old} to {new}"]
    for section in ("journey", *[s for _, s, _ in _SECTIONS]):
        mine = [c for c in changes if c["section"] == section]
        if mine:
            lines.append(_PLURAL.get(section, section) + ":")
            lines += [f"  {_describe(c)}" for c in mine]
    return "\n".join(lines)
