"""Helpers of the signal builders (:mod:`jmtools.analyses.painpoints.signals`): each row's
place (stage, touchpoint, persona), each touchpoint's stage, and the customers a funnel step
loses who go on all the same (read by the drop-off, D169).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.painpoints._common import ALL, _col
from jmtools.core.errors import DataError, ParameterError, Problem


def _keys(frame, stage_col, touchpoint_col, persona_col, what) -> pd.DataFrame:
    stage = _col(frame, stage_col, "stage_col", what)
    tp = _col(frame, touchpoint_col, "touchpoint_col", what, required=False)
    persona = _col(frame, persona_col, "persona_col", what, required=False)
    return pd.DataFrame({
        "stage": stage.astype(object).to_numpy(),
        "touchpoint": (tp.astype(object).where(tp.notna(), None).to_numpy() if tp is not None
                       else np.full(len(frame), None, dtype=object)),
        "persona": (persona.astype(object).where(persona.notna(), None).to_numpy()
                    if persona is not None else np.full(len(frame), ALL, dtype=object)),
    }, index=frame.index)


def _stage_lookup(journey) -> dict[str, str]:
    if journey is None:
        raise ParameterError("journey", None, expected="the Journey, to find each touchpoint's stage",
                             fix="pass journey=... for touchpoint-level results")
    if isinstance(journey, dict):
        return dict(journey)
    return {t.name: t.stage for t in journey.touchpoints}


def _went_on(rows, lost, skips, step_col, index_col, persona_col) -> np.ndarray:
    """Per funnel row (step *k* ≥ 2): its ``n_skipped`` in ``skips``, which must count the same
    customers lost (a step nobody is lost at needs no row)."""
    keys = ([persona_col] if persona_col else []) + ["step_index", "step"]
    for col in (*keys, "n_lost", "n_skipped"):
        _col(skips, col, "skips", "skips")
    left = pd.DataFrame({**({persona_col: rows[persona_col].to_numpy()} if persona_col else {}),
                         "step_index": rows[index_col].to_numpy(), "step": rows[step_col].to_numpy(),
                         "_lost": lost.to_numpy()})
    got = left.merge(skips[[*keys, "n_lost", "n_skipped"]], on=keys, how="left")
    got["n_skipped"] = got["n_skipped"].where(got["_lost"] > 0, 0)
    bad = got["n_skipped"].isna() | ((got["_lost"] > 0) & (got["n_lost"] != got["_lost"]))
    if bad.any():
        first = got[bad].iloc[0]
        raise DataError([Problem(f"the skips do not match the funnel at {int(bad.sum())} steps (first "
                                 f"{first['step']!r}: {int(first['_lost'])} lost in the funnel, "
                                 f"{first['n_lost']} in the skips)", source="skips", column="n_lost",
                                 fix="pass funnels.skipped_steps(evidence, steps=..., by=...) with the "
                                     "funnel's own steps and groups")])
    return got["n_skipped"].to_numpy(dtype=float)
