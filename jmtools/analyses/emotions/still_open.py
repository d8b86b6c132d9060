"""Behaviour too recent to judge: customers still open at the data's end (D190, D196).

A customer's behaviour at a stage reads as abandonment when the stage is the furthest they
reached. At the end of an export, that includes customers whose next step is simply not due
yet. :func:`open_at_end` finds the behaviour reached within a stage's follow-up window before
the data's end; the curve (:func:`~jmtools.analyses.emotions.emotion_curve`) and the trend
(:mod:`jmtools.analyses.emotions.trend`) leave it out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, count_words
from jmtools.analyses.funnels import duration_words
from jmtools.core.stats import FOLLOW_UP_SHARE, still_open

__all__ = ["open_at_end"]

_OPEN_COLUMNS = ["stage", "next_stage", "window_hours", "since", "end", "left_out", "open"]


def open_at_end(evidence: pd.DataFrame, persona: str | None = None) -> pd.DataFrame:
    """Behaviour evidence too recent to judge: the customers still open at the data's end (D190).

    The follow-up window of a stage is the time within which 99% of the customers who went on to a
    later stage did so (:func:`jmtools.core.stats.follow_up_window`, from the customer's first event
    at the stage to their first at the next, as a funnel step is timed: a stage visited every month
    is reached at its first visit, D198). Behaviour at a stage first reached within that window
    before the data's end (the latest behaviour evidence)
    is left out of a trend over time and of the curve when some of it reads as abandonment —
    whoever had not gone on there may still go on, and counting them as lost makes the last
    periods look worse (D190) and the stage's level worse than it is (D196). All of that recent
    behaviour is left out, that of customers who went on too, so the fast finishers do not
    flatter it.

    Parameters
    ----------
    evidence : pandas.DataFrame
        Output of :func:`~jmtools.analyses.emotions.emotion_evidence`; only ``source ==
        "behaviour"`` rows are read.
    persona : str, optional
        Count only this persona's customers (``evidence["persona"]``): its report's note (D199).
        The window, the cut-off and what is left out stay those of all customers — the rule the
        curve applies — so a stage is listed when the rule leaves out some of the persona's
        behaviour there, and ``attrs["rows"]`` is the same as without it.

    Returns
    -------
    pandas.DataFrame
        One row per stage with behaviour left out: ``stage``, ``next_stage`` (the commonest next
        stage), ``window_hours``, ``since`` (rows after it are left out), ``end``, ``left_out``
        (pieces of evidence) and ``open`` (of them, the customers who had not gone on), of the
        persona's customers when one is named;
        ``attrs["rows"]`` the index labels left out and ``attrs["note"]`` a sentence per stage; for a
        persona, ``attrs["unsaid"]`` lists the stages where some persona (or the customers in none) has
        1–4 of all customers' open ones: the sentence says no count there, as beside all customers' it
        would give theirs back by subtraction (D209).

    Examples
    --------
    >>> t = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(40) * 5, "D")
    >>> ev = pd.DataFrame({"customer_id": [f"c{i}" for i in range(40)] * 2, "source": "behaviour",
    ...     "stage": pd.Categorical(["A"] * 40 + ["B"] * 40, categories=["A", "B"], ordered=True),
    ...     "timestamp": list(t) + list(t + pd.Timedelta(days=10)), "valence": 0.0})
    >>> ev = ev.drop(index=[78, 79])                  # c38 and c39 have not reached B (yet)
    >>> ev.loc[[38, 39], "valence"] = -1.0              # read as abandoned at A
    >>> open_at_end(ev)[["stage", "next_stage", "window_hours", "left_out", "open"]]
      stage next_stage  window_hours  left_out  open
    0     A          B         240.0         2     2
    >>> ev["persona"] = ["P"] * 39 + ["Q"] + ["P"] * 38       # c39 is Q's: Q's note counts only c39
    >>> q = open_at_end(ev, persona="Q")
    >>> q[["stage", "left_out", "open"]], q.attrs["unsaid"]          # P's 1 open beside Q's: not said
    (  stage  left_out  open
    0     A         1     1, ['A'])
    """
    beh = evidence[evidence["source"].eq("behaviour") & evidence["timestamp"].notna()] \
        if {"source", "timestamp"} <= set(evidence.columns) else evidence.iloc[:0]
    if "obs_id" in beh:               # a piece of evidence once, though its customer is in several personas
        beh = beh.drop_duplicates("obs_id")
    mine = np.ones(len(beh), dtype=bool) if persona is None else beh["customer_id"].isin(
        set(evidence.loc[evidence["persona"].eq(persona), "customer_id"]) if "persona" in evidence else ()).to_numpy()
    rows, dropped, unsaid = [], [], []
    if len(beh):
        end = pd.Timestamp(beh["timestamp"].max())
        # arrival to arrival, as a funnel step is timed: a stage visited every month is reached
        # at its first visit, not its last (D198)
        first = beh["first_seen"].fillna(beh["timestamp"]) if "first_seen" in beh else beh["timestamp"]
        order = beh.assign(_k=beh["stage"].cat.codes, _first=first, _mine=mine).sort_values(["customer_id", "_k"])
        nxt = order.groupby("customer_id", sort=False)[["_first", "stage"]].shift(-1)
        if "carried_on" in order:     # carried on by the company's contacts alone: their first is the next step (D242)
            nxt, end = _carried(order, nxt, end)
        for stage, g in order.groupby("stage", observed=True, sort=True):
            found = still_open(g["_first"], nxt.loc[g.index, "_first"], end)   # the rule of D190
            went = nxt.loc[g.index, "stage"].notna().to_numpy()
            # of those not gone on, the ones the curve reads as abandoned
            abandoned = found["recent"] & ~went & (g["valence"] < 0).to_numpy() if found else np.zeros(len(g), bool)
            if abandoned.any():
                counted = found["recent"] & g["_mine"].to_numpy()      # everyone's, or the persona's (D199)
                if counted.any():
                    rows.append((stage, nxt.loc[g.index, "stage"][went].mode().iloc[0], found["window_hours"],
                                 found["since"], end, int(counted.sum()), int((abandoned & counted).sum())))
                    if persona is not None and _small_group(evidence, g["customer_id"][abandoned]):
                        unsaid.append(stage)
                dropped += list(g.index[found["recent"]])
    if "obs_id" in beh and dropped:   # and every copy of it left out
        dropped = list(evidence.index[evidence["obs_id"].isin(beh.loc[dropped, "obs_id"])])
    out = pd.DataFrame(rows, columns=_OPEN_COLUMNS)
    whose = "" if persona is None else f" of {persona}"
    out.attrs.update(rows=dropped, unsaid=unsaid, note=" ".join(
        (f"Some customers{whose} who reached {r.stage} after {r.since:%d %b %Y} had not gone on by the data's end "
         f"({r.end:%d %b %Y}): they may still go on. How many is not said here, as beside all customers' count it "
         f"would give back another group's count of fewer than {MIN_GROUP}. The curve and its trend leave them out "
         f"at {r.stage}, with all recent behaviour there"
         if r.stage in unsaid else
         f"{count_words(r.open)} of the {count_words(r.left_out)} customers{whose} who reached {r.stage} "
         f"after {r.since:%d %b %Y} had not gone on by the data's end ({r.end:%d %b %Y}): they may still go on. "
         f"The curve and its trend leave all {count_words(r.left_out)} out at {r.stage}")
        + f" — {FOLLOW_UP_SHARE:.0%} of those who went on from there did so within "
          f"{duration_words(r.window_hours * 3600)}." for r in out.itertuples()))
    return out


def _carried(order: pd.DataFrame, nxt: pd.DataFrame, end: pd.Timestamp) -> tuple[pd.DataFrame, pd.Timestamp]:
    """``nxt`` (each row's next own stage and when the customer first reached it) with, where there is
    none, the company's first contact at a later stage that carried the journey on (``carried_on``,
    D231): an insurer's payment after the customer's decision is how the claim goes on, so the follow-up
    window of the decision is timed to it, and a decision not followed within it reads as still open,
    not stopped (D242). Its stage is the first later one where no customer acts (no row of anyone's).
    The data's end is then the latest of both."""
    carried = pd.to_datetime(order["carried_on"])
    use = nxt["_first"].isna() & carried.notna()
    if not use.any():
        return nxt, end
    stages = list(order["stage"].cat.categories)
    acting = set(order["stage"].astype(object).dropna())
    after = {s: next((t for t in stages[i + 1:] if t not in acting), None) for i, s in enumerate(stages)}
    nxt = nxt.copy()
    nxt.loc[use, "_first"] = carried[use]
    nxt.loc[use, "stage"] = order.loc[use, "stage"].astype(object).map(after)
    return nxt, max(end, pd.Timestamp(carried.max()))


def _small_group(evidence: pd.DataFrame, opened: pd.Series) -> bool:
    """Whether some persona (or the customers in none) has 1–4 of the customers ``opened`` (still open at a
    stage): a persona's count beside all customers' would give theirs back by subtraction (D199, D209)."""
    if "persona" not in evidence:
        return False
    whose = evidence.loc[evidence["customer_id"].isin(set(opened)), ["customer_id", "persona"]].drop_duplicates()
    sizes = whose["persona"].astype(object).fillna("").value_counts()
    return bool(((sizes > 0) & (sizes < MIN_GROUP)).any())


def _followed_up(evidence: pd.DataFrame) -> pd.DataFrame:
    """``evidence`` without the behaviour :func:`open_at_end` leaves out."""
    return evidence.drop(index=open_at_end(evidence).attrs["rows"])
