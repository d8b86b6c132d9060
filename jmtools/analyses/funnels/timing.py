"""Time between funnel steps: from reaching one step of the strict funnel to reaching the next.

In a log of dates only (:attr:`Evidence.dates_only <jmtools.evidence.Evidence.dates_only>`)
every time is a whole number of days, 0 meaning the same day; the frame says so
(``whole_days``) and :func:`duration_words` writes such times as "same day", "2 days".

Uses the same chain as :func:`~jmtools.analyses.funnels.funnel` (one query gives both, kept on
the evidence), so the customers timed at step *k* are exactly those the funnel counts there.
"""

from __future__ import annotations

import math

from jmtools.analyses.funnels._common import _by_list, _check_evidence, _complete, _groups, _steps
from jmtools.analyses.funnels.steps import _chain
from jmtools.core.errors import ParameterError

__all__ = ["time_between_stages", "duration_words"]


def time_between_stages(evidence, *, steps=None, level: str = "stage", by=None):
    """Time from reaching each funnel step to reaching the next (strict ordered funnel).

    For the customers who reach step *k*, the time between the event where they reached
    step *k − 1* and the event where they reached step *k*.

    Returns
    -------
    pandas.DataFrame
        One row per group and step from the second on: the ``by`` columns, ``step_index``,
        ``from_step``, ``step``, ``n`` (customers with a time), ``median_s``, ``p90_s``
        (exact, linear interpolation), ``mean_s``, ``median_h``, ``p90_h`` (hours),
        ``mean_log_h`` and ``sd_log`` (mean and standard deviation of the natural logarithm of
        the time in hours, a time under a minute counted as a minute: what
        :func:`~jmtools.analyses.painpoints.slow_step_signal` compares), and
        ``whole_days`` (True when the event log has dates only: the times are counted in
        whole days — 0 is "same day" — and have no precision below a day).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "event": ["view", "pay"] * 2,
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00",
    ...                                                 "2024-01-01 10:00", "2024-01-01 13:00"])})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> time_between_stages(prepare(ev, j))[["from_step", "step", "n", "median_h", "p90_h"]]
      from_step step  n  median_h  p90_h
    0    Browse  Pay  2       2.0    2.8
    """
    _check_evidence(evidence)
    steps = _steps(evidence, steps, level)
    if len(steps) < 2:
        raise ParameterError("steps", steps, expected="at least two steps")
    by = _by_list(evidence, by)
    res = _chain(evidence, steps, level, by)
    res = res[res["step_index"] > 1]
    groups = _groups(evidence, by)
    out = _complete(evidence, res, by, steps, groups, ["n"])
    out = out[out["step_index"] > 1].copy()
    out["from_step"] = out["step_index"].map(lambda i: steps[i - 2])
    for c in ("median_s", "p90_s", "mean_s", "mean_log_s", "sd_log"):
        out[c] = out[c].astype(float)
    out["median_h"] = out["median_s"] / 3600
    out["p90_h"] = out["p90_s"] / 3600
    out["mean_log_h"] = out.pop("mean_log_s") - math.log(3600)
    out["whole_days"] = getattr(evidence, "dates_only", None) is not None
    cols = [*by, "step_index", "from_step", "step", "n", "median_s", "p90_s", "mean_s", "median_h", "p90_h",
            "mean_log_h", "sd_log", "whole_days"]
    return out[cols].reset_index(drop=True)


def duration_words(seconds, *, whole_days: bool = False) -> str:
    """A time between steps in words, no more precise than the data.

    With ``whole_days`` (a log of dates only) the time is rounded to whole days and 0 is
    "same day"; otherwise it is given in minutes, hours or days. Missing: "".

    Examples
    --------
    >>> duration_words(0.0, whole_days=True), duration_words(86400.0, whole_days=True)
    ('same day', '1 day')
    >>> duration_words(2.6 * 86400, whole_days=True), duration_words(5400.0)
    ('3 days', '1.5 h')
    >>> duration_words(float("nan"))
    ''
    """
    import math

    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    if whole_days:
        days = int(round(float(seconds) / 86400))
        return "same day" if days == 0 else f"{days:,} day{'s' if days != 1 else ''}"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
