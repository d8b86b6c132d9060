"""How often customers come back, compared between personas with the pain points' care.

:func:`jmtools.analyses.funnels.repeat_visits` counts, per customer, the times they had a
touchpoint that repeats (a follow-up attendance, a repeat order). :func:`repeat_signal` reads its
per-persona rows as a signal, so :func:`~jmtools.analyses.painpoints.compare_signals` tells a
persona that comes back clearly more often than the other personas by the rule pain points follow
(``min_n`` customers on both sides, Cohen's *d* ≥ ``min_effect``, z ≥ 1.96). It is no pain-point
signal (:func:`~jmtools.analyses.painpoints.collect_signals` does not build it): coming back is good
news in a shop and a burden in a clinic; the reports say it as a fact beside the funnel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.painpoints._common import SIGNAL_COLUMNS, _col, _none

__all__ = ["REPEAT_SIGNAL", "repeat_signal"]

#: The name of the signal :func:`repeat_signal` builds.
REPEAT_SIGNAL = "repeat visits"


def repeat_signal(visits: pd.DataFrame, *, persona_col: str = "persona") -> pd.DataFrame:
    """The per-persona rows of :func:`jmtools.analyses.funnels.repeat_visits` as a signal.

    One row per repeating touchpoint and persona (rows without a persona are left out: the
    customers in no persona are no persona to compare), ``kind`` "mean": ``n`` customers with
    the touchpoint's family, their ``mean`` times and ``sd``; ``higher_is_worse`` marks the
    direction compared (more visits), not a judgement; unit ``"visits"``.

    Parameters
    ----------
    visits : pandas.DataFrame
        :func:`jmtools.analyses.funnels.repeat_visits` with ``by="persona"``.
    persona_col : str, default "persona"

    Returns
    -------
    pandas.DataFrame
        A signals frame (:data:`~jmtools.analyses.painpoints.SIGNAL_COLUMNS`), kind ``"mean"``.

    Examples
    --------
    >>> v = pd.DataFrame({"persona": ["A", "B", None], "touchpoint": ["Follow-up"] * 3,
    ...                   "stage": ["Care"] * 3, "n": [40, 60, 3], "mean": [5.5, 3.6, 4.0],
    ...                   "sd": [1.4, 1.1, 1.0]})
    >>> repeat_signal(v)[["persona", "touchpoint", "n", "mean", "unit"]]
      persona touchpoint   n  mean    unit
    0       A  Follow-up  40   5.5  visits
    1       B  Follow-up  60   3.6  visits
    """
    for c in ("touchpoint", "stage", "n", "mean", "sd"):
        _col(visits, c, c, REPEAT_SIGNAL)
    rows = visits[_col(visits, persona_col, "persona_col", REPEAT_SIGNAL).notna()]
    out = pd.DataFrame({"stage": rows["stage"].to_numpy(), "touchpoint": rows["touchpoint"].to_numpy(),
                        "persona": rows[persona_col].astype(object).to_numpy(),
                        "n": rows["n"].astype(int).to_numpy(), "mean": rows["mean"].astype(float).to_numpy(),
                        "sd": rows["sd"].astype(float).to_numpy()})
    out = out.assign(signal=REPEAT_SIGNAL, kind="mean", count=0, n_customers=out["n"].astype(float),
                     n_skipped=np.nan, count_all=np.nan, n_all=np.nan, n_open=np.nan, higher_is_worse=True,
                     log=False, unit="visits")
    out["touchpoint"] = _none(out["touchpoint"])
    return out[SIGNAL_COLUMNS]
