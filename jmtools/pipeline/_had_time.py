"""A funnel's drop-off among the customers who had time to go on (D209, D221).

The funnel counts a customer who reached a stage shortly before the data's end, and has not gone
on yet, as lost. The drop-off pain point leaves such customers out (D209); the headline's biggest
loss, the funnel's chart and notebook 02's largest drop-off read the same counts from here, so that
every drop-off share a report shows is one measure (D221).
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.compare import OPEN_COLUMNS, still_open_steps
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.pipeline._disclosed import step_loss


def open_rows(evidence, funnel: pd.DataFrame, persona: str | None = "") -> pd.DataFrame:
    """The pairs of ``funnel``'s steps (the journey's stages) whose drop-off counts 5 or more
    customers still open at the data's end (:func:`~jmtools.analyses.compare.still_open_steps`):
    for all customers (``persona`` ""), one persona, or every persona (None); none where some group
    has 1–4 open there (a persona's count beside everyone's would give it back, D199). Empty for
    a funnel of other steps.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    funnel : pandas.DataFrame
        A funnel of the journey's stages (:func:`jmtools.analyses.funnels.funnel`).
    persona : str or None
        "" all customers, a persona's name, or None for every persona's rows.

    Returns
    -------
    pandas.DataFrame
        Rows of :data:`~jmtools.analyses.compare.OPEN_COLUMNS`.

    Examples
    --------
    >>> from jmtools.analyses.funnels import funnel
    >>> from jmtools.evidence import prepare
    >>> t = pd.Timestamp("2024-01-01")          # 20 pay the day after they join; 6 join on the last day
    >>> ev = pd.DataFrame({"customer_id": [f"c{i}" for i in range(20)] * 2 + list("uvwxyz"),
    ...                    "event": ["join"] * 20 + ["pay"] * 20 + ["join"] * 6,
    ...                    "timestamp": [t + pd.Timedelta(days=i) for i in range(20)]
    ...                    + [t + pd.Timedelta(days=i + 1) for i in range(20)]
    ...                    + [t + pd.Timedelta(days=20, hours=h) for h in range(6)]})
    >>> j = {"stages": ["Join", "Pay"], "touchpoints": [
    ...     {"name": "Form", "stage": "Join", "events": ["join"]},
    ...     {"name": "Payment", "stage": "Pay", "events": ["pay"]}]}
    >>> e = prepare(ev, j)
    >>> open_rows(e, funnel(e))[["from_step", "step", "left_out", "open"]]
      from_step step  left_out  open
    0      Join  Pay         6     6
    """
    if funnel.empty or not set(funnel["step"]) <= set(evidence.stages):
        return pd.DataFrame(columns=list(OPEN_COLUMNS))
    opened = still_open_steps(evidence, steps=list(dict.fromkeys(funnel["step"])))
    mine = opened["persona"].ne("") if persona is None else opened["persona"].eq(persona)
    return opened[mine & ~opened["small_persona"] & opened["open"].ge(MIN_GROUP)].reset_index(drop=True)


def had_time(funnel: pd.DataFrame, opened: pd.DataFrame) -> pd.DataFrame:
    """``funnel`` with ``n_prev``, ``drop_off`` and ``drop_off_rate`` of the customers who had time
    to go on: at each step with a row of ``opened`` (:func:`open_rows`; matched on ``persona`` too
    when both have it), its ``left_out`` come off ``n_prev`` and its ``open`` off ``drop_off``. The
    funnel's own counts stay in ``n_prev_all``, ``drop_off_all``, ``drop_off_rate_all``; ``open``
    and ``left_out`` are 0 where nobody is left out (and at a step of 1–4 customers).

    Parameters
    ----------
    funnel : pandas.DataFrame
        A (disclosed) funnel of the journey's stages.
    opened : pandas.DataFrame
        :func:`open_rows` of the same funnel.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2], "step": ["Join", "Pay"], "n": [20, 12], "n_prev": [20, 20],
    ...                   "drop_off": [0, 8], "drop_off_rate": [0.0, 0.4]})
    >>> o = pd.DataFrame({"step": ["Pay"], "left_out": [6], "open": [5]})
    >>> had_time(f, o)[["step", "n_prev", "drop_off", "drop_off_rate", "n_prev_all", "drop_off_all"]]
       step  n_prev  drop_off  drop_off_rate  n_prev_all  drop_off_all
    0  Join      20         0       0.000000          20             0
    1   Pay      14         3       0.214286          20             8
    """
    keys = ["step", "persona"] if "persona" in funnel and "persona" in opened else ["step"]
    counts = opened[[*keys, "left_out", "open"]].astype({k: object for k in keys})
    out = funnel.reset_index(drop=True).astype({k: object for k in keys}).merge(counts, on=keys, how="left")
    shown = out["drop_off"].notna() if "suppressed" not in out else out["drop_off"].notna() & ~out["suppressed"]
    for c in ("left_out", "open"):
        out[c] = out[c].where(shown, 0).fillna(0).astype(int)
    out = out.assign(n_prev_all=out["n_prev"], drop_off_all=out["drop_off"], drop_off_rate_all=out["drop_off_rate"])
    n = out["n_prev"] - out["left_out"]
    out["n_prev"], out["drop_off"] = n, out["drop_off"] - out["open"]
    out["drop_off_rate"] = out["drop_off_rate"].where(out["open"].eq(0), out["drop_off"] / n.where(n > 0))
    out.attrs = dict(funnel.attrs)
    return out.set_index(funnel.index) if len(out) == len(funnel) else out


def loss_had_time(funnel: pd.DataFrame, opened: pd.DataFrame) -> dict | None:
    """:func:`~jmtools.pipeline.step_loss` over :func:`had_time`'s counts: the step where the largest
    share of those who had time to go on do not (ties: the earlier step). Where some are left out
    there, ``all`` holds the funnel's own ``n_prev``, ``drop_off`` and ``drop_off_rate`` and
    ``open``, ``left_out`` their counts; else ``all`` is None (the funnel's counts are the loss's)."""
    counted = had_time(funnel, opened)
    loss = step_loss(counted)
    if loss is None:
        return None
    row = counted[counted["step"] == loss["to"]].iloc[0]
    if loss["hidden"] or not row["open"]:
        return loss | {"open": 0, "left_out": 0, "all": None}
    return loss | {"open": int(row["open"]), "left_out": int(row["left_out"]),
                   "all": {"n_prev": int(row["n_prev_all"]), "drop_off": int(row["drop_off_all"]),
                           "drop_off_rate": float(row["drop_off_rate_all"])}}
