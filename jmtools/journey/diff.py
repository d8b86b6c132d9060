"""What changed between two journeys, item by item: the change list of a workbook import.

:func:`diff_journeys` matches stages, touchpoints and personas by name, pain points and
opportunities by id, and claims within a lane by their text; ``_describe`` turns one change
into the line a person reads in the report of
:func:`~jmtools.journey.workbook_read.read_workbook`.
"""

from __future__ import annotations

from jmtools.journey.claims import format_claim
from jmtools.journey.workbook import _ABOUT_FIELDS, _CLAIM_FIELDS, _PERSONA_CLAIMS

__all__ = ["diff_journeys"]


def diff_journeys(old, new) -> list[dict]:
    """List what changed between two journeys, item by item.

    Stages, touchpoints and personas are matched by name, pain points and opportunities by
    id, claims within a lane by their text.

    Returns
    -------
    list of dict
        Keys ``section`` (journey, stage, touchpoint, persona, pain point, opportunity),
        ``item`` (name or id), ``field``, ``change`` (added, removed, changed, moved),
        ``old`` and ``new`` (plain values; None where not applicable).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> a = Journey.from_yaml("name: D\\nstages: [{name: S, actions: [Look]}]")
    >>> b = Journey.from_yaml("name: D\\nstages: [{name: S, actions: [Look, Buy]}]")
    >>> diff_journeys(a, b)
    [{'section': 'stage', 'item': 'S', 'field': 'actions', 'change': 'added', 'old': None, 'new': 'Buy'}]
    """
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    changes: list[dict] = []
    for key in _ABOUT_FIELDS:
        if a.get(key) != b.get(key):
            changes.append(_change("journey", a["name"] if key != "name" else "", key,
                                   "changed", a.get(key), b.get(key)))
    sections = (("stages", "stage", "name"), ("touchpoints", "touchpoint", "name"),
                ("personas", "persona", None), ("pain_points", "pain point", "id"),
                ("opportunities", "opportunity", "id"))
    for key, section, ident in sections:
        changes += _diff_items(a[key], b[key], section, ident)
    return changes


def _change(section, item, fld, change, old, new) -> dict:
    return {"section": section, "item": item, "field": fld, "change": change, "old": old,
            "new": new}


def _ident(item: dict, ident: str | None) -> str:
    if ident:
        return item[ident]
    return item.get("name") or item["ref"].split("#", 1)[1]


def _diff_items(old: list, new: list, section: str, ident: str | None) -> list[dict]:
    a = {_ident(x, ident): x for x in old}
    b = {_ident(x, ident): x for x in new}
    out = [_change(section, k, "", "removed", _summary(a[k]), None) for k in a if k not in b]
    out += [_change(section, k, "", "added", None, _summary(b[k])) for k in b if k not in a]
    common_a = [k for k in a if k in b]
    common_b = [k for k in b if k in a]
    if common_a != common_b:
        out.append(_change(section, "", "order", "moved", common_a, common_b))
    for k in common_b:
        for fld in b[k]:
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
    if c["change"] == "moved":
        return f"{where}: order {c['old']} → {c['new']}"
    return f"{where}: {c['old']!r} → {c['new']!r}"
