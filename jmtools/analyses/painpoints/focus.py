"""One persona's report (``detect_pain_points(..., persona="Budget Ben")``).

The same comparisons, read for that persona alone: every comparison of the persona that is
significantly worse counts (against the other personas, and against its own other stages or
touchpoints); where it feels significantly *better* than the other personas, its contact
volume (:data:`CONTACT_SIGNALS`) is not read as pain. Journey pain points written for other
personas only, with no signal for it, are left out; the other personas a place also hurts
are named at the end of its evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.painpoints.places import (_affected, _detected_rows, _place, _row_from,
                                                _slug, _specific, _table_frame, _title)
from jmtools.core.stats import Z95

__all__ = ["CONTACT_SIGNALS"]

#: Signals that measure how much customers do (contact support, come back, go back):
#: read as pain only where the persona does not feel better than the other personas.
CONTACT_SIGNALS = ("complaints", "loops", "detours")


def _feels_better(mine: pd.DataFrame, min_effect: float) -> set:
    """Places (stage, touchpoint) where the persona's valence is significantly better than
    the other personas' there (the mirror image of a flag: effect ≤ −min_effect, z ≤ −1.96)."""
    val = mine[(mine["signal"] == "negative valence") & (mine["versus"] == "other personas")]
    good = val[(val["effect"] <= -min_effect) & (val["z"] <= -Z95)]  # an empty side has NaN effect
    return set(zip(good["stage"], good["touchpoint"]))


def _focus_rows(evidence: pd.DataFrame, journey, persona: str, *, min_effect: float) -> pd.DataFrame:
    """The pain point rows of one persona: its own comparisons count, nobody else's."""
    mine = evidence[evidence["persona"] == persona].copy()
    better = _feels_better(mine, min_effect)
    contact = mine["signal"].isin(CONTACT_SIGNALS)
    at_better = [(s, t) in better for s, t in zip(mine["stage"], mine["touchpoint"])]
    mine["counts"] = mine["flagged"] & ~(contact & np.array(at_better, dtype=bool))
    rows, covered = [], set()
    for pp in (journey.pain_points if journey is not None else []):
        here = _place(mine, pp.stage, pp.touchpoint)
        if here["counts"].any():
            row = _row_from(here, pp.stage, pp.touchpoint)
            row.update(source="journey file + detected", evidence_label="measured",
                       _label=pp.evidence)
            covered.update((pp.stage, t) for t in here.loc[here["counts"], "touchpoint"])
        elif pp.personas and persona not in pp.personas:
            continue                       # written for other personas, and not seen for this one
        else:
            row = {"stage": pp.stage, "touchpoint": pp.touchpoint, "score": 0.0, "signals": [],
                   "evidence": f"not seen for {persona}: no signal in the data at this "
                               f"{'touchpoint' if pp.touchpoint else 'stage'}",
                   "personas": [persona] if persona in pp.personas else [],
                   "customers_affected": np.nan, "lift_needed": np.nan, "lift_basis": "",
                   "stake": []}
            row.update(source="journey file", evidence_label=pp.evidence)
        row["evidence"] = _also_hurts(row["evidence"], evidence, pp.stage, pp.touchpoint, persona)
        row.update(pain_point_id=pp.id, title=pp.title, severity=pp.severity,
                   description=pp.description or "")
        rows.append(row)
    for d in _detected_rows(mine):
        if (d["stage"], d["touchpoint"]) in covered or any(
                r["stage"] == d["stage"] and r["touchpoint"] == d["touchpoint"] for r in rows):
            continue
        d["evidence"] = _also_hurts(d["evidence"], evidence, d["stage"], d["touchpoint"], persona)
        rows.append({**d, "pain_point_id": _slug(d["stage"], d["touchpoint"]),
                     "title": _title(d["signals"], d["stage"], d["touchpoint"]),
                     "source": "detected", "evidence_label": "measured", "severity": None,
                     "description": ""})
    return _table_frame(rows, journey)


def _also_hurts(text: str, evidence: pd.DataFrame, stage, touchpoint, persona: str) -> str:
    """Append the other personas the same place hurts (from their own comparisons)."""
    others = [p for p in _affected(_specific(_place(evidence, stage, touchpoint)))
              if p != persona]
    return text + (f"; also hurts: {', '.join(others)}" if others else "")
