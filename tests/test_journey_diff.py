"""What changed between two journeys: the change list against a hand-written oracle."""

from __future__ import annotations

from jmtools.journey import Claim
from jmtools.journey.diff import diff_journeys
from journey_samples import journey  # fixture


def test_diff_oracle_on_claims(journey):
    other = journey.model_copy(deep=True)
    other.stages[1].feelings = []
    other.stages[2].actions = [*other.stages[2].actions, Claim(text="Pays")]
    changes = diff_journeys(journey, other)
    assert changes == [
        {"section": "stage", "item": "Consideration", "field": "feelings", "change": "removed",
         "old": "Unsure [measured]", "new": None},
        {"section": "stage", "item": "Decision", "field": "actions", "change": "added",
         "old": None, "new": "Pays"}]


# ------------------------------------------------------------------ renames, on every template
import copy  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from jmtools.journey import Journey  # noqa: E402
from jmtools.journey.diff import changes_frame, changes_text  # noqa: E402

TEMPLATES = sorted((Path(__file__).resolve().parents[1] / "templates" / "journeys").glob("*.yaml"))


def _rename(doc: dict, section: str, old: str, new: str) -> None:
    """Rename an item of ``doc`` (a dumped journey) and every reference to it, as a person
    editing the file by hand would."""
    key = "id" if section in ("pain_points", "opportunities") else "name"
    for item in doc[section]:
        if item.get(key) == old:
            item[key] = new
    swap = lambda v: new if v == old else v  # noqa: E731
    if section == "stages":
        for t in doc["touchpoints"]:
            t["stage"], t["after"] = swap(t["stage"]), swap(t.get("after"))
        for p in doc["pain_points"]:
            p["stage"] = swap(p["stage"])
    if section == "touchpoints":
        for p in doc["pain_points"]:
            p["touchpoint"] = swap(p.get("touchpoint"))
    if section == "personas":
        for p in doc["pain_points"]:
            p["personas"] = [swap(x) for x in p["personas"]]
        for s in doc["stages"]:
            if isinstance(s.get("emotion"), dict):
                s["emotion"] = {swap(k): v for k, v in s["emotion"].items()}
            for lane in ("actions", "thoughts", "feelings", "frontstage", "backstage", "support"):
                for c in s.get(lane, []):
                    if isinstance(c, dict):
                        c["personas"] = [swap(x) for x in c.get("personas", [])]
    if section == "pain_points":
        for o in doc["opportunities"]:
            o["pain_points"] = [swap(x) for x in o["pain_points"]]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_renames_are_recognised_on_every_template(path):
    old = Journey.load(path)
    doc = old.model_dump(mode="json", exclude_none=True)
    stage = old.stages[1].name
    touchpoint = next(t.name for t in old.touchpoints if any(p.touchpoint == t.name for p in old.pain_points)) \
        if any(p.touchpoint for p in old.pain_points) else old.touchpoints[0].name
    persona = old.persona_names[0]
    pain = next(p.id for p in old.pain_points if any(p.id in o.pain_points for o in old.opportunities))
    _rename(doc, "stages", stage, stage + " (renamed)")
    _rename(doc, "touchpoints", touchpoint, touchpoint + " 2")
    _rename(doc, "personas", persona, persona + " Jr")
    _rename(doc, "pain_points", pain, pain + "-v2")
    first = doc["opportunities"][0]
    first["status"] = "done" if first.get("status") != "done" else "dropped"
    first["scores"] = {**first.get("scores", {}), "impact": 0.25}
    doc["stages"].append({"name": "Come back (new)", "goal": "Return next season"})
    gone = doc["touchpoints"].pop()
    new = Journey.model_validate(copy.deepcopy(doc))
    changes = diff_journeys(old, new)
    got = {(c["section"], c["item"], c["field"], c["change"]) for c in changes}
    assert got == {
        ("stage", stage + " (renamed)", "", "renamed"),
        ("touchpoint", touchpoint + " 2", "", "renamed"),
        ("persona", persona + " Jr", "", "renamed"),
        ("pain point", pain + "-v2", "", "renamed"),
        ("opportunity", first["id"], "status", "changed"),
        ("opportunity", first["id"], "scores", "changed"),
        ("stage", "Come back (new)", "", "added"),
        ("touchpoint", gone["name"], "", "removed"),
    }, changes
    renamed = {c["old"]: c["new"] for c in changes if c["change"] == "renamed"}
    assert renamed[stage] == stage + " (renamed)"
    text = changes_text(changes, old="v1", new="v2")
    assert text.startswith("8 changes from v1 to v2") and f"stage '{stage}' renamed to" in text
    assert list(changes_frame(changes).columns) == ["section", "item", "field", "change", "old", "new"]
    # without rename detection the same edit is one removed and one added per rename
    plain = diff_journeys(old, new, renames=False)
    assert not [c for c in plain if c["change"] == "renamed"]
    assert ("stage", stage, "", "removed") in {(c["section"], c["item"], c["field"], c["change"]) for c in plain}


def test_two_different_items_are_not_a_rename(journey):
    other = journey.model_copy(deep=True)
    doc = other.model_dump(mode="json", exclude_none=True)
    doc["pain_points"] = [p for p in doc["pain_points"] if p["id"] != "hidden-fees"]
    doc["opportunities"] = [{**o, "pain_points": [x for x in o["pain_points"] if x != "hidden-fees"]}
                            for o in doc["opportunities"]]
    doc["pain_points"].append({"id": "slow-wifi", "title": "The shop's wifi drops", "stage": "Awareness",
                               "severity": 1, "evidence": "assumed"})
    changes = diff_journeys(journey, Journey.model_validate(doc))
    kinds = {(c["item"], c["change"]) for c in changes if c["section"] == "pain point"}
    assert ("hidden-fees", "removed") in kinds and ("slow-wifi", "added") in kinds
