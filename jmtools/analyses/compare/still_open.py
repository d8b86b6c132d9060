"""Customers still open at the data's end, per pair of funnel steps, counted as the funnel counts them.

The follow-up window and the cut-off are those of :func:`~jmtools.analyses.compare.step_observations`
(D190: the time within which 99% of those who went on did so, on the customers' own steps); who is
left out is counted on the funnel's own reach (:func:`jmtools.analyses.funnels.open_lost`, a company's
contact reaching a stage included), so that the funnel's note, the drop-off pain point and its note
all subtract the same customers from the same counts (D209).
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.compare.observations import step_observations
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.funnels import open_lost
from jmtools.core.engine import kept_answer

__all__ = ["OPEN_COLUMNS", "still_open_steps"]

#: Columns of :func:`still_open_steps`, with their types (times as ISO text, so that a kept frame
#: reads back exactly).
OPEN_COLUMNS = {"from_step": str, "step": str, "window_hours": "float64", "share": "float64", "since": str,
                "end": str, "left_out": "int64", "open": "int64", "open_skipped": "int64", "persona": str,
                "small_persona": bool, "own_cutoff": bool, "none_went_on": bool}


def still_open_steps(evidence, *, steps) -> pd.DataFrame:
    """Per pair of stage steps with customers still open at the data's end: who the funnel counts there
    who may still go on, for all customers and per persona.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    steps : list of str
        The funnel's stages, in order.

    Returns
    -------
    pandas.DataFrame
        :data:`OPEN_COLUMNS`: a row for all customers (``persona`` "") and one per group of the
        evidence's ``persona`` column, per pair (``from_step``, ``step``) that
        :func:`~jmtools.analyses.compare.step_observations` lists in ``attrs["open"]``: its
        ``window_hours``, ``share``, ``since`` and ``end`` (ISO text); ``left_out`` — customers the funnel
        counts at ``from_step`` who reached it after ``since``; ``open`` — of them, those it does not
        count at ``step``; ``open_skipped`` — of those, the ones who take a later step of their own
        all the same (D169); ``small_persona`` — some group has 1–4 open there, so that a persona's
        count beside everyone's would give another's back (D199); ``own_cutoff`` — a persona's row:
        it waits its own time, its ``since`` and ``window_hours`` its own; all customers' row: some
        persona does, so its count sums cut-offs other than its ``since`` (D261); ``none_went_on`` —
        a persona's row: none of its customers went on within the data, so all are left out and
        its ``window_hours`` is no measured wait. Kept beside a cached evidence (kind ``open``): a
        second report runs no query for it.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> days = pd.to_timedelta([0, 2, 10, 12, 20, 22, 30, 32, 40, 42, 50, 52, 60], "D")
    >>> ev = pd.DataFrame({"customer_id": list("aabbccddeeffg"), "event": ["join", "pay"] * 6 + ["join"],
    ...                    "timestamp": pd.Timestamp("2024-01-01") + days})
    >>> j = {"stages": ["Join", "Pay"], "touchpoints": [
    ...     {"name": "Form", "stage": "Join", "events": ["join"]},
    ...     {"name": "Payment", "stage": "Pay", "events": ["pay"]}]}
    >>> still_open_steps(prepare(ev, j), steps=["Join", "Pay"])[["from_step", "step", "left_out", "open"]]
      from_step step  left_out  open
    0      Join  Pay         1     1
    """
    return kept_answer(evidence, ("open", tuple(steps), "by persona"), lambda: _count(evidence, list(steps)))


def _count(evidence, steps: list) -> pd.DataFrame:
    pairs = step_observations(evidence, steps=steps).attrs["open"] if len(steps) >= 2 else []
    by = ["persona"] if "persona" in evidence.columns else []
    counted = (open_lost(evidence, since={r["step"]: _cutoff(r) for r in pairs}, steps=steps, by=by)
               if pairs else pd.DataFrame(columns=[*by, "step", "n_recent", "n_open", "n_open_skipped"]))
    rows = []
    for r in pairs:
        r.pop("personas", None)
        own = r.pop("by_group", {})             # a persona's own cut-off, window and how many went on (D261)
        mine = counted[counted["step"] == r["step"]]
        base = {**r, "left_out": int(mine["n_recent"].sum()), "open": int(mine["n_open"].sum()),
                "open_skipped": int(mine["n_open_skipped"].sum()), "none_went_on": False}
        if not base["open"]:        # every customer the funnel counts there went on: nothing to leave out
            continue
        small = bool(by) and bool(((mine["n_open"] > 0) & (mine["n_open"] < MIN_GROUP)).any())
        rows.append({**base, "persona": "", "small_persona": False, "own_cutoff": bool(own)})
        rows += [{**base, **_own(own.get(str(m["persona"]))), "persona": str(m["persona"]),
                  "left_out": int(m["n_recent"]), "open": int(m["n_open"]),
                  "open_skipped": int(m["n_open_skipped"]), "small_persona": small}
                 for m in mine.to_dict("records") if by and pd.notna(m["persona"])]
    out = pd.DataFrame(rows, columns=list(OPEN_COLUMNS))
    out["since"], out["end"] = out["since"].map(_iso), out["end"].map(_iso)
    return out.astype(OPEN_COLUMNS)


def _cutoff(pair: dict):
    """The cut-off :func:`~jmtools.analyses.funnels.open_lost` takes for ``pair`` (a row of
    ``step_observations``' ``attrs["open"]``): everyone's, or per persona where some wait their own time."""
    own = pair.get("by_group") or {}
    return {"": pair["since"], **{g: c[0] for g, c in own.items()}} if own else pair["since"]


def _own(cut) -> dict:
    """A persona's row's cut-off columns: its own (``still_open``'s ``by_group`` entry) or none (everyone's)."""
    if cut is None:
        return {"own_cutoff": False}
    return {"since": cut[0], "window_hours": cut[1], "own_cutoff": True, "none_went_on": not cut[2]}


def _iso(t) -> str:
    return pd.Timestamp(t).isoformat()
