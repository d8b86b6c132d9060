"""The names the pain point modules share: signals, the persona of everybody, the columns
of each frame, and three small helpers (a column by its role, missing touchpoints as
``None``, several groups pooled into one).

Import the public names from :mod:`jmtools.analyses.painpoints`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jmtools.core.errors import ParameterError, suggest
from jmtools.core.stats import Z95
from jmtools.core.vocabulary import ALL  # noqa: F401  (used by the package's modules)

#: Signal names used by the builders, in the order the evidence lists them.
SIGNALS = ("drop-off", "negative valence", "complaints", "slow step", "loops", "detours")


#: The persona label of rows that pool every customer.


#: The unit of a waiting time that starts or ends at a stage some of whose events are recorded
#: with their date only (docs/decisions.md): hours, but known to the day, so a difference under
#: a day between two groups is not evidence (it can come from the missing time of day).
DAY_HOURS = "hours, to the day"


#: What a segment's own rows are compared with: every customer with events outside the segment
#: (``compare_signals(…, outside=…)``; docs/decisions.md D217). The ``versus`` of those comparisons.
OUTSIDE = "customers outside the segment"


#: Columns of a signals frame (what the builders return, what the detector reads).
#: ``n`` counts what the signal counts (customers for rates, observations — survey answers,
#: feedback texts — for means); ``n_customers`` the distinct customers behind it (missing where
#: the data has no customer ids), which the disclosure rule reads (docs/decisions.md);
#: ``n_skipped`` (drop-off only, else missing) the customers the funnel loses after the stage who
#: take a later step of their own all the same: they skip a stage, and ``count`` leaves them out (D169);
#: ``count_all``, ``n_all`` and ``n_open`` (drop-off only, else missing): ``count`` and ``n`` count only
#: the customers who had time to go on, leaving out those who reached the stage within the follow-up
#: window before the data's end where some of them may still go on (D190, D209); ``count_all`` and
#: ``n_all`` count everyone, and ``n_open`` is how many of those left out had not gone on (the funnel's
#: "may still go on"; 0 where nobody is left out).
SIGNAL_COLUMNS = ["signal", "kind", "stage", "touchpoint", "persona", "count", "n", "n_customers",
                  "n_skipped", "count_all", "n_all", "n_open", "mean", "sd", "higher_is_worse", "log", "unit"]


#: Columns of :attr:`~jmtools.analyses.painpoints.PainPoints.table`.
TABLE_COLUMNS = ["rank", "pain_point_id", "title", "stage", "touchpoint", "source", "evidence_label",
                 "score", "signals", "evidence", "personas", "n_personas", "recurs",
                 "customers_affected", "lift_needed", "lift_basis", "stake", "themes", "n_feedback",
                 "quotes", "severity", "description"]


#: Columns of :attr:`~jmtools.analyses.painpoints.PainPoints.evidence`.
EVIDENCE_COLUMNS = ["stage", "touchpoint", "persona", "signal", "unit", "level", "value", "n",
                    "n_customers", "n_skipped", "n_all", "n_open", "baseline", "baseline_n", "baseline_customers", "versus", "effect",
                    "z", "flagged", "counts", "worse_below_min_n"]


def _ratio_interval(value: float, baseline: float, z: float) -> tuple[float, float, float]:
    """A log-scale comparison's ratio of geometric means ``value / baseline`` and its 95% interval,
    from the z the comparison made (Welch's: the log difference over its standard error); NaN
    where there is none (D217)."""
    if not (value > 0 and baseline > 0) or not np.isfinite(z) or z == 0:
        return np.nan, np.nan, np.nan
    diff = math.log(value / baseline)
    half = Z95 * abs(diff / z)
    return value / baseline, math.exp(diff - half), math.exp(diff + half)


def _col(frame: pd.DataFrame, col: str | None, role: str, what: str, *, required=True):
    if col is None:
        return None
    if col not in frame.columns:
        if not required:
            return None
        hint = suggest(col, [str(c) for c in frame.columns])
        raise ParameterError(role, col, expected=f"a column of the {what} frame",
                             fix=f"did you mean {hint!r}?" if hint else
                             f"columns are: {', '.join(map(str, frame.columns))}")
    return frame[col]


def _none(col: pd.Series) -> pd.Series:
    """Missing touchpoints as None (stage-level units), whatever the input dtype."""
    return pd.Series([None if pd.isna(v) else v for v in col], index=col.index, dtype=object)


def _pool(grp: pd.DataFrame) -> tuple[float, float, int]:
    """Mean, standard deviation and n of several groups pooled together."""
    return _pool_values(grp["n"].to_numpy(), grp["mean"].to_numpy(dtype=float),
                        grp["sd"].to_numpy(dtype=float), (grp["kind"] == "rate").to_numpy())


def _pool_values(n: np.ndarray, mean: np.ndarray, sd: np.ndarray,
                 rate: np.ndarray) -> tuple[float, float, int]:
    """:func:`_pool` on arrays (one element per group): the comparisons call it hundreds of
    times, where a frame per call costs more than the arithmetic."""
    keep = n > 0
    n, mean, sd, rate = n[keep], mean[keep], sd[keep], rate[keep]
    total = int(n.sum())
    if total == 0:
        return np.nan, np.nan, 0
    m = float((mean * n).sum() / total)
    if rate.all():
        return m, math.sqrt(m * (1 - m)), total
    within = float(((n - 1) * np.nan_to_num(sd, nan=0.0) ** 2).sum())
    between = float((n * (mean - m) ** 2).sum())
    return m, math.sqrt((within + between) / (total - 1)) if total > 1 else np.nan, total
