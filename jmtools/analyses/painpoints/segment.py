"""A segment beside the rest: the signals of the customers outside a segment (D217, D228).

A report on a segment (``segment='clinic == "Dermatology"'``) prepares the evidence of the
segment's customers only, so its comparisons are between its own personas and stages. What
makes the segment itself stand out, a step its customers wait much longer at than everyone
else, lose more customers at, or feel worse about, needs the same signals of the customers
outside it: :func:`outside_signal` builds them, and
:func:`~jmtools.analyses.painpoints.compare_signals` (``outside=``) compares the segment's rows
of persona ``"all"`` with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses import funnels
from jmtools.analyses.compare import still_open_steps
from jmtools.analyses.painpoints._common import OUTSIDE, SIGNAL_COLUMNS, _ratio_interval
from jmtools.analyses.painpoints._signal_parts import _date_only_stages
from jmtools.analyses.painpoints.detection import compare_signals
from jmtools.analyses.painpoints.signals import (combine_signals, dropoff_signal, slow_step_signal,
                                                 valence_signal)

__all__ = ["outside_signal", "segment_waits", "WAIT_COLUMNS"]

#: Columns of :func:`segment_waits`.
WAIT_COLUMNS = ["from_step", "n", "wait_h", "n_outside", "wait_outside_h", "ratio", "ci_low", "ci_high",
                "effect", "z", "slower"]


def outside_signal(rest, evidence, *, steps=None, level: str = "stage",
                   emotion: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The signals of the customers outside a segment, on the segment's own steps.

    The slow step (D217) and, over the segment's stage funnel, the drop-off (counted as the
    segment's is: those who skip and go on apart, D169, those who reached a step too recently
    to judge left out, D209), and with ``emotion`` the negative valence (D228): each a row of
    persona ``"all"`` per step, stage or touchpoint, built by the function that builds the
    segment's own.

    Parameters
    ----------
    rest : jmtools.evidence.Evidence
        The prepared evidence of every customer with events outside the segment (no personas
        needed: one row per step, persona ``"all"``).
    evidence : jmtools.evidence.Evidence
        The segment's: its funnel steps (the stages its events map to) are timed and counted for
        ``rest`` too, and a wait from or to a stage it knows to the day only is known to the day.
    steps, level
        Other funnel steps (as :func:`jmtools.analyses.funnels.time_between_stages` takes
        them); default: the stages the segment's events map to. Only a stage funnel gives a
        drop-off.
    emotion : pandas.DataFrame, optional
        The valence evidence of the customers outside the segment (surveys and feedback,
        :func:`jmtools.analyses.emotions.emotion_evidence` without personas).

    Returns
    -------
    pandas.DataFrame or None
        A signals frame (:data:`~jmtools.analyses.painpoints.SIGNAL_COLUMNS`), or None where
        nobody outside the segment has an event.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "c"],
    ...                    "event": ["view", "pay"] * 3,
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00",
    ...                                                 "2024-01-01 10:00", "2024-01-01 14:00",
    ...                                                 "2024-01-01 10:00", "2024-01-03 10:00"])})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> seg = prepare(ev[ev["customer_id"] == "c"], j)
    >>> out = outside_signal(prepare(ev[ev["customer_id"] != "c"], j), seg)
    >>> out[["signal", "stage", "persona", "count", "n"]].values.tolist()
    [['slow step', 'Browse', 'all', 0, 2], ['drop-off', 'Browse', 'all', 0, 2]]
    >>> round(float(out["mean"].iloc[0]), 3)
    0.693
    """
    if not rest.n_events:
        return None
    steps = steps or (getattr(evidence, "mapped_stages", None) if level == "stage" else None) or None
    parts = [_slow_steps(rest, evidence, steps, level)]
    if level == "stage":
        f = funnels.funnel(rest, steps=steps)
        parts.append(dropoff_signal(f, persona_col=None, skips=funnels.skipped_steps(rest, steps=steps),
                                    still_open=still_open_steps(rest, steps=list(dict.fromkeys(f["step"])))))
    if emotion is not None and len(emotion):
        parts.append(valence_signal(emotion.drop(columns="persona", errors="ignore"), persona_col=None))
    if all(p is None for p in parts):
        return None
    return combine_signals(*parts)[SIGNAL_COLUMNS]


def _slow_steps(rest, evidence, steps, level: str) -> pd.DataFrame | None:
    """The slow-step signal of ``rest`` on ``steps`` (None without two steps to wait between)."""
    if steps is not None and len(steps) < 2:
        return None
    out = slow_step_signal(funnels.time_between_stages(rest, steps=steps, level=level), persona_col=None,
                           date_only_stages=_date_only_stages(evidence))
    return out[SIGNAL_COLUMNS]


def segment_waits(inside, outside, *, steps=None, level: str = "stage", min_n: int = 30,
                  min_effect: float = 0.2) -> pd.DataFrame:
    """Each step's wait of a segment's customers beside everyone outside it, as the pain points read it.

    The wait of each customer from reaching a funnel step to reaching the next, compared on
    the logarithm (the slow-step signal, D214) between the segment and the customers outside
    it (D217): the geometric means, their ratio with its 95% interval (Welch's), and whether
    the segment is slower by the rule a pain point needs (at least ``min_n`` on each side,
    z ≥ 1.96 and Cohen's d ≥ ``min_effect``).

    Parameters
    ----------
    inside, outside : jmtools.evidence.Evidence
        The segment's prepared evidence and that of every customer outside it.
    steps, level
        As :func:`outside_signal` (default: the stages the segment's events map to).
    min_n, min_effect
        As :func:`~jmtools.analyses.painpoints.detect_pain_points`.

    Returns
    -------
    pandas.DataFrame
        :data:`WAIT_COLUMNS`, one row per step waited in (``from_step``): ``n`` customers of the
        segment with a wait and their geometric mean ``wait_h`` (hours), the same outside
        (``n_outside``, ``wait_outside_h``), ``ratio`` of the two with ``ci_low`` and
        ``ci_high``, ``effect``, ``z`` and ``slower``; empty without two steps.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> hours = [1, 2, 1, 2, 1, 2, 6, 12, 6, 12, 6, 12]
    >>> ev = pd.DataFrame({"customer_id": [c for i in range(12) for c in (f"c{i}", f"c{i}")],
    ...                    "event": ["view", "pay"] * 12,
    ...                    "timestamp": [t for h in hours for t in (pd.Timestamp("2024-01-01 09:30"),
    ...                                  pd.Timestamp("2024-01-01 09:30") + pd.Timedelta(hours=h))]})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> slow = ev["customer_id"].isin([f"c{i}" for i in range(6, 12)])
    >>> w = segment_waits(prepare(ev[slow], j), prepare(ev[~slow], j), min_n=5)
    >>> w[["from_step", "n", "n_outside", "slower"]].values.tolist(), round(float(w["ratio"].iloc[0]), 3)
    ([['Browse', 6, 6, True]], 6.0)
    """
    steps = steps or (getattr(inside, "mapped_stages", None) if level == "stage" else None) or None
    mine = _slow_steps(inside, inside, steps, level) if inside.n_events else None
    rest = _slow_steps(outside, inside, steps, level) if outside.n_events else None
    if mine is None or rest is None:
        return pd.DataFrame(columns=WAIT_COLUMNS)
    c = compare_signals(mine, min_n=min_n, min_effect=min_effect, outside=rest)
    c = c[c["versus"] == OUTSIDE].reset_index(drop=True)
    bounds = [_ratio_interval(v, b, z) for v, b, z in zip(c["value"], c["baseline"], c["z"])]
    ratio, low, high = (np.array(x, dtype=float).reshape(len(c)) for x in zip(*bounds)) if bounds else ([],) * 3
    out = pd.DataFrame({"from_step": c["stage"], "n": c["n"], "wait_h": c["value"], "n_outside": c["baseline_n"],
                        "wait_outside_h": c["baseline"], "ratio": ratio, "ci_low": low, "ci_high": high,
                        "effect": c["effect"], "z": c["z"], "slower": c["flagged"].astype(bool)})
    return out[WAIT_COLUMNS]
