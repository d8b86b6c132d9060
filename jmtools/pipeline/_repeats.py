"""How often customers come back, per persona and for all, compared with the pain points' care.

:func:`repeat_visits_compared` puts :func:`jmtools.analyses.funnels.repeat_visits` for all
customers and per persona in one table, reads each persona against the other personas as
pain-point signals are read (:func:`jmtools.analyses.painpoints.compare_signals`: ``min_n``
customers on both sides, Cohen's *d* ≥ ``min_effect``, z ≥ 1.96), and hides what the disclosure
rule hides: a persona's row of 1–4 customers, and those that beside the row for all customers would
give such a group back (:func:`~jmtools.pipeline._disclosed_grid.persona_grid_hidden`, the customers
in no persona counted as one more group). Notebook 02 shows the table; the report says the
personas that come back clearly more often.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses import funnels
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.painpoints import compare_signals, repeat_signal
from jmtools.core.vocabulary import ALL
from jmtools.pipeline._disclosed import _blank
from jmtools.pipeline._disclosed_grid import persona_grid_hidden

__all__ = ["REPEAT_COMPARED_COLUMNS", "repeat_visits_compared"]

#: The columns of :func:`repeat_visits_compared`.
REPEAT_COMPARED_COLUMNS = ["persona", *funnels.REPEAT_COLUMNS, "baseline", "baseline_n", "effect", "z", "higher",
                           "suppressed"]
_NUMBERS = ["n", "n_again", "share_again", "again_low", "again_high", "visits", "mean", "sd", "ci_low", "ci_high",
            "baseline", "baseline_n", "effect", "z"]


def repeat_visits_compared(evidence, *, min_n: int = 30, min_effect: float = 0.2) -> pd.DataFrame:
    """Times per customer at each touchpoint that repeats, for all customers (persona ``"all"``)
    then per persona, each persona against the other personas.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    min_n : int, default 30
        Fewest customers on each side of a comparison (never below 5; the pipeline's ``MIN_N``).
    min_effect : float, default 0.2
        Smallest Cohen's *d* that counts (the pipeline's ``MIN_EFFECT``).

    Returns
    -------
    pandas.DataFrame
        :data:`REPEAT_COMPARED_COLUMNS`: the columns of :func:`jmtools.analyses.funnels.repeat_visits`
        and, on a persona's row, the other personas' mean (``baseline``) and customers
        (``baseline_n``), ``effect`` (Cohen's *d*), ``z`` and ``higher`` (clearly more visits than
        the other personas). Rows of the customers in no persona are left out (one more group in the
        disclosure's grid). A hidden row (``suppressed``) has no numbers and is never ``higher``;
        ``attrs["hidden"]`` lists the touchpoints where some row is hidden (the other personas'
        customers, beside all customers, would then give it back: say no baseline count there).
        Empty when the journey marks no repeat.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> days = pd.date_range("2024-01-01", periods=6, freq="30D")
    >>> ev = pd.DataFrame({"customer_id": [f"o{i}" for i in range(40) for _ in range(6)]
    ...                    + [f"y{i}" for i in range(40) for _ in range(3)], "event": "visit",
    ...                    "timestamp": [*days] * 40 + [*days[:3]] * 40})
    >>> customers = pd.DataFrame({"customer_id": [f"o{i}" for i in range(40)] + [f"y{i}" for i in range(40)],
    ...                           "age": [80] * 40 + [30] * 40})
    >>> j = {"stages": ["First", "Again"], "touchpoints": [
    ...     {"name": "First visit", "stage": "First", "events": ["visit"], "occurrence": "first"},
    ...     {"name": "Follow-up", "stage": "Again", "events": ["visit"], "occurrence": "repeat"}],
    ...     "personas": [{"name": "Older", "rule": "age >= 75"}, {"name": "Younger", "rule": "age < 75"}]}
    >>> out = repeat_visits_compared(prepare(ev, j, customers=customers))
    >>> out[["persona", "n", "mean", "baseline", "higher"]]
       persona   n  mean  baseline  higher
    0      all  80   4.5       NaN   False
    1    Older  40   6.0       3.0    True
    2  Younger  40   3.0       6.0   False
    """
    every = funnels.repeat_visits(evidence).assign(persona=ALL)
    if every.empty:
        return pd.DataFrame(columns=REPEAT_COMPARED_COLUMNS)
    parts = [every]
    if getattr(evidence, "personas", None):
        per = funnels.repeat_visits(evidence, by="persona")
        per = per[per["persona"].notna()]
        cmp = compare_signals(repeat_signal(per), min_n=max(int(min_n), MIN_GROUP), min_effect=min_effect,
                              unit_contrast=())
        cmp = cmp[cmp["versus"] == "other personas"].rename(columns={"flagged": "higher"})
        parts.append(per.merge(cmp[["touchpoint", "persona", "baseline", "baseline_n", "effect", "z", "higher"]],
                               on=["touchpoint", "persona"], how="left"))
    out = pd.concat(parts, ignore_index=True)
    out["persona"] = out["persona"].astype(object)
    out["higher"] = out["higher"].astype(object).where(out["higher"].notna(), False).astype(bool) \
        if "higher" in out else False
    hidden = persona_grid_hidden(out, out["touchpoint"].to_numpy(), count="n") if len(parts) > 1 \
        else np.zeros(len(out), bool)
    out = out.reindex(columns=REPEAT_COMPARED_COLUMNS)
    out["suppressed"] = hidden
    out["higher"] = out["higher"].fillna(False).astype(bool) & ~hidden
    _blank(out, _NUMBERS, hidden)
    out.attrs["hidden"] = sorted(set(out.loc[hidden, "touchpoint"]))
    return out
