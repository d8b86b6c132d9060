"""Pain points: where the journey hurts, for whom, and why we believe it.

Step 5 of the method. Pain points are *detected* from signals in the data and
*merged* with the ones the team wrote in the journey file (assumed), so every row
says where it comes from and what evidence it has.

The flow is::

    found = pain_points_from_world(load_world("data/ecommerce"))   # everything below, at once
    found.table                                 # the ranked table, one row per pain point
    found.evidence                              # every comparison behind it, with n

or, step by step, from the engine's frames (frames in, frames out)::

    signals = combine_signals(
        dropoff_signal(funnel),                 # customers lost between stages
        valence_signal(emotion_evidence),       # negative feelings (surveys, text)
        complaint_signal(tickets, reached),     # complaint volume per customer reached
        slow_step_signal(times),                # time to the next stage
        loop_signal(loops, journey=journey),    # loops ...
        detour_signal(detours, journey=journey))  # ... and detours
    # (collect_signals(evidence, emotion=..., tickets=...) builds all of them)
    found = detect_pain_points(signals, journey=journey, themes=themes)

**How a signal becomes evidence.** Each signal is measured per unit (a stage, or a
touchpoint) and persona, and compared with two baselines:

- *other personas* at the same unit (does this persona suffer more here?);
- *other units* for the same persona (is this stage worse than the rest of the journey?).

A comparison counts as evidence when it is worse than its baseline, significant
(two-sided z ≥ 1.96: a two-proportion z-test for rates, Welch's z for means) and at
least a small effect (``min_effect``, default 0.2): Cohen's *h* for rates
(2·asin√p − 2·asin√p₀) and Cohen's *d* for means (difference ÷ pooled standard
deviation; times are compared on a log scale). Units with fewer than ``min_n``
observations are reported but never flagged.

Loops, detours and slow steps are compared only with the other personas (their level
differs between steps by design); drop-off, negative valence and complaints with both
(``unit_contrast``).

**Score.** What counts for the score is a persona worse than the other personas, and
persona ``"all"`` (everybody) worse than at the other stages or touchpoints. The score of
a place for a persona is the sum over its signals of the largest counted effect size
(capped at 2 per signal; loops and detours weigh half, :data:`SIGNAL_WEIGHTS`); a pain
point's score is the largest over its personas. It
ranks the table; ties (two pain points written for the same touchpoint) are broken by
the negative feedback in their own themes, then by the journey file's severity.
The personas *affected* are, for each flagged signal, those worse there than the
other personas; when no persona stands out (the pain hits everybody), those worse
there than at their other stages. A pain point *recurs* when two or more personas are affected.

**One persona's report** (``focus="Budget Ben"``). The same comparisons, read for that
persona alone: every comparison of the persona that is significantly worse counts (against
the other personas, and against its own other stages or touchpoints), the score, customers
and evidence are the persona's, feedback and quotes are its customers', and the other
personas the place also hurts are named at the end. Where the persona feels significantly
*better* than the other personas, its contact volume (complaints, loops, detours) is not
read as pain. Journey pain points written for other personas only, with no signal for it,
are left out.

**Evidence shown once.** At a touchpoint, signals measured per touchpoint come from that
touchpoint; stage-only signals (drop-off, slow step) come from the stage. Two pain points
resting on the same comparisons show them on the one with most negative feedback in its own
themes; the other says "shares … evidence with …" and keeps its own feedback.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.core.stats import Z95

__all__ = [
    "SIGNALS", "ALL", "SIGNAL_COLUMNS", "TABLE_COLUMNS", "EVIDENCE_COLUMNS", "UNIT_CONTRAST",
    "SIGNAL_WEIGHTS",
    "PainPoints",
    "rate_signal", "observation_signal", "dropoff_signal", "valence_signal", "complaint_signal",
    "slow_step_signal", "loop_signal", "detour_signal", "collect_signals", "combine_signals", "detect_pain_points",
]

#: Signal names used by the builders, in the order the evidence lists them.
SIGNALS = ("drop-off", "negative valence", "complaints", "slow step", "loops", "detours")

#: The persona label of rows that pool every customer.
ALL = "all"

#: Columns of a signals frame (what the builders return, what the detector reads).
SIGNAL_COLUMNS = ["signal", "kind", "stage", "touchpoint", "persona", "count", "n", "mean", "sd",
                  "higher_is_worse", "log", "unit"]

#: Columns of :attr:`PainPoints.table`.
TABLE_COLUMNS = ["rank", "pain_point_id", "title", "stage", "touchpoint", "source", "evidence_label",
                 "score", "signals", "evidence", "personas", "n_personas", "recurs",
                 "customers_affected", "lift_needed", "lift_basis", "stake", "themes", "n_feedback",
                 "quotes", "severity", "description"]

#: Columns of :attr:`PainPoints.evidence`.
EVIDENCE_COLUMNS = ["stage", "touchpoint", "persona", "signal", "unit", "level", "value", "n",
                    "baseline", "baseline_n", "versus", "effect", "z", "flagged", "counts"]

_CAP = 2.0

#: Weight of each signal in the score. Revisiting a page or going back a step is often
#: ordinary browsing, so loops and detours count half; every other signal counts fully.
SIGNAL_WEIGHTS = {"loops": 0.5, "detours": 0.5}


# ============================================================ signal builders
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


def rate_signal(frame: pd.DataFrame, *, signal: str, count_col: str, n_col: str,
                stage_col: str = "stage", touchpoint_col: str | None = "touchpoint",
                persona_col: str | None = "persona", unit: str = "share") -> pd.DataFrame:
    """A signal that is a share of customers: ``count`` of ``n`` had the bad outcome.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per stage (or touchpoint) and persona with the two counts. Rows of one
        key are summed. A missing persona column means every row is persona ``"all"``;
        otherwise an ``"all"`` row pooling every row is added.
    signal : str
        Its name (e.g. ``"drop-off"``).
    count_col, n_col : str
        Customers with the bad outcome, and customers exposed (``count <= n``).
    stage_col, touchpoint_col, persona_col : str
        Column roles (the touchpoint column is optional: stage-level signal).
    unit : str
        How the value is read ("share").

    Returns
    -------
    pandas.DataFrame
        A signals frame (:data:`SIGNAL_COLUMNS`), kind ``"rate"``.

    Examples
    --------
    >>> f = pd.DataFrame({"stage": ["Decision"] * 2, "persona": ["Ben", "Maya"],
    ...                   "lost": [60, 15], "entered": [100, 100]})
    >>> rate_signal(f, signal="drop-off", count_col="lost", n_col="entered")[
    ...     ["persona", "count", "n"]]
      persona  count    n
    0     Ben     60  100
    1    Maya     15  100
    2     all     75  200
    """
    keys = _keys(frame, stage_col, touchpoint_col, persona_col, signal)
    count = pd.to_numeric(_col(frame, count_col, "count_col", signal), errors="coerce")
    n = pd.to_numeric(_col(frame, n_col, "n_col", signal), errors="coerce")
    bad = count.isna() | n.isna() | (count < 0) | (count > n)
    if bad.any():
        raise DataError([Problem(f"{int(bad.sum())} rows of the {signal} signal have counts that "
                                 f"are missing, negative or larger than n", source=signal,
                                 column=count_col, lines=tuple(int(i) + 2 for i in
                                                               np.flatnonzero(bad.to_numpy())[:20]),
                                 fix=f"'{count_col}' must be between 0 and '{n_col}'")])
    data = keys.assign(count=count.to_numpy(), n=n.to_numpy())
    parts = [data]
    if persona_col is not None and persona_col in frame.columns:
        parts.append(data.assign(persona=ALL))
    data = pd.concat(parts, ignore_index=True)
    data = data[data["persona"].notna()]
    out = (data.groupby(["stage", "touchpoint", "persona"], dropna=False, sort=False)
           [["count", "n"]].sum().reset_index())
    out = out.assign(signal=signal, kind="rate", higher_is_worse=True, log=False, unit=unit)
    out["mean"] = out["count"] / out["n"].where(out["n"] > 0)
    out["sd"] = np.sqrt(out["mean"] * (1 - out["mean"]))
    out["count"], out["n"] = out["count"].astype(int), out["n"].astype(int)
    out["touchpoint"] = _none(out["touchpoint"])
    return out[SIGNAL_COLUMNS]


def _none(col: pd.Series) -> pd.Series:
    """Missing touchpoints as None (stage-level units), whatever the input dtype."""
    return pd.Series([None if pd.isna(v) else v for v in col], index=col.index, dtype=object)


def observation_signal(frame: pd.DataFrame, *, signal: str, value_col: str,
                       stage_col: str = "stage", touchpoint_col: str | None = "touchpoint",
                       persona_col: str | None = "persona", higher_is_worse: bool = False,
                       log: bool = False, unit: str = "mean",
                       levels: Sequence[str] = ("stage", "touchpoint")) -> pd.DataFrame:
    """A signal measured by one value per observation (a valence, a duration).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per observation with stage, optional touchpoint and persona.
    signal : str
        Its name (e.g. ``"negative valence"``).
    value_col : str
        The measured value; missing values are left out.
    higher_is_worse : bool, default False
        False for valence (low is bad), True for durations.
    log : bool, default False
        Compare on a log scale (durations); the value shown is then the median.
    unit : str
        How the value is read ("valence", "hours").
    levels : sequence of {"stage", "touchpoint"}
        Stage-level units (all observations of a stage) and/or touchpoint-level units
        (observations with a touchpoint).

    Returns
    -------
    pandas.DataFrame
        A signals frame (:data:`SIGNAL_COLUMNS`), kind ``"mean"``: ``n``, ``mean`` and
        ``sd`` of each unit's observations (of their logarithm when ``log``).

    Examples
    --------
    >>> ev = pd.DataFrame({"stage": ["Decision", "Decision", "Awareness"],
    ...                    "touchpoint": ["Checkout", "Checkout", None],
    ...                    "valence": [-1.5, -1.0, 1.0]})
    >>> observation_signal(ev, signal="negative valence", value_col="valence")[
    ...     ["stage", "touchpoint", "persona", "n"]]
           stage touchpoint persona  n
    0   Decision       None     all  2
    1  Awareness       None     all  1
    2   Decision   Checkout     all  2
    """
    for level in levels:
        if level not in ("stage", "touchpoint"):
            raise ParameterError("levels", level, expected=["stage", "touchpoint"])
    keys = _keys(frame, stage_col, touchpoint_col, persona_col, signal)
    value = pd.to_numeric(_col(frame, value_col, "value_col", signal), errors="coerce")
    if log and (value <= 0).any():
        raise DataError([Problem(f"{int((value <= 0).sum())} values of the {signal} signal are "
                                 "≤ 0 and cannot be compared on a log scale", source=signal,
                                 column=value_col, fix="drop zero durations or pass log=False")])
    data = keys.assign(value=value.to_numpy())
    data = data[data["value"].notna()]
    if persona_col is not None and persona_col in frame.columns:
        data = pd.concat([data, data.assign(persona=ALL)], ignore_index=True)
    data = data[data["persona"].notna()]
    parts = []
    if "stage" in levels:
        parts.append(data.assign(touchpoint=None))
    if "touchpoint" in levels:
        parts.append(data[data["touchpoint"].notna()])
    data = pd.concat(parts, ignore_index=True)
    if log:
        data["value"] = np.log(data["value"])
    g = data.groupby(["stage", "touchpoint", "persona"], dropna=False, sort=False)["value"]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["touchpoint"] = _none(out["touchpoint"])
    out = out.assign(signal=signal, kind="mean", count=0, higher_is_worse=higher_is_worse,
                     log=log, unit=unit)
    return out[SIGNAL_COLUMNS]


def _stage_lookup(journey) -> dict[str, str]:
    if journey is None:
        raise ParameterError("journey", None, expected="the Journey, to find each touchpoint's stage",
                             fix="pass journey=... for touchpoint-level results")
    if isinstance(journey, dict):
        return dict(journey)
    return {t.name: t.stage for t in journey.touchpoints}


def dropoff_signal(funnel: pd.DataFrame, *, level: str = "stage", journey=None,
                   step_col: str = "step", n_col: str = "n", prev_col: str = "n_prev",
                   index_col: str = "step_index",
                   persona_col: str | None = "persona") -> pd.DataFrame:
    """Drop-off: customers who reached a step and never reached the next one.

    Parameters
    ----------
    funnel : pandas.DataFrame
        The strict funnel of :func:`jmtools.analyses.funnels.funnel` (one row per persona and
        step, steps in order: ``step_index``, ``step``, ``n`` reached, ``n_prev`` reached
        the step before). The customers lost between step *k − 1* and step *k*
        (``n_prev − n``) are counted at step *k − 1*, where they left.
    level : {"stage", "touchpoint"}, default "stage"
        What the steps are; touchpoint steps need ``journey`` (or a dict touchpoint →
        stage) to know their stage.

    Returns
    -------
    pandas.DataFrame
        A rate signal: ``count`` = customers lost after the step, ``n`` = reached it.

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2, 3], "step": ["Browse", "Cart", "Pay"],
    ...                   "n": [100, 80, 20], "n_prev": [100, 100, 80]})
    >>> dropoff_signal(f, persona_col=None)[["stage", "count", "n"]]
        stage  count    n
    0  Browse     20  100
    1    Cart     60   80
    """
    if level not in ("stage", "touchpoint"):
        raise ParameterError("level", level, expected=["stage", "touchpoint"])
    for col, role in ((step_col, "step_col"), (n_col, "n_col"), (prev_col, "prev_col"),
                      (index_col, "index_col")):
        _col(funnel, col, role, "funnel")
    has_persona = persona_col is not None and persona_col in funnel.columns
    f = funnel.sort_values(([persona_col] if has_persona else []) + [index_col], kind="stable")
    group = f.groupby(persona_col, sort=False, dropna=False) if has_persona else None
    prev_step = group[step_col].shift(1) if has_persona else f[step_col].shift(1)
    rows = f[f[index_col] > 1].assign(_at=prev_step[f[index_col] > 1])
    lost = pd.to_numeric(rows[prev_col]) - pd.to_numeric(rows[n_col])
    frame = pd.DataFrame({"stage": rows["_at"].to_numpy(), "_lost": lost.to_numpy(),
                          "_entered": pd.to_numeric(rows[prev_col]).to_numpy()})
    if has_persona:
        frame["persona"] = rows[persona_col].to_numpy()
    tp_col = None
    if level == "touchpoint":
        lookup = _stage_lookup(journey)
        frame["touchpoint"] = frame["stage"]
        frame["stage"] = frame["touchpoint"].map(lookup)
        tp_col = "touchpoint"
    return rate_signal(frame, signal="drop-off", count_col="_lost", n_col="_entered",
                       stage_col="stage", touchpoint_col=tp_col,
                       persona_col="persona" if has_persona else None)


def valence_signal(evidence: pd.DataFrame, *, value_col: str = "valence",
                   stage_col: str = "stage", touchpoint_col: str | None = "touchpoint",
                   persona_col: str | None = "persona",
                   levels: Sequence[str] = ("stage", "touchpoint")) -> pd.DataFrame:
    """Negative valence: the emotion evidence (−2..+2) per stage and touchpoint.

    Takes the observation rows of :func:`jmtools.analyses.emotions.emotion_evidence` (or any frame
    with a valence per observation). Low is worse.

    Examples
    --------
    >>> ev = pd.DataFrame({"stage": ["A", "A", "B"], "valence": [-1.0, -2.0, 1.0]})
    >>> valence_signal(ev, touchpoint_col=None, persona_col=None)["n"].tolist()
    [2, 1]
    """
    return observation_signal(evidence, signal="negative valence", value_col=value_col,
                              stage_col=stage_col, touchpoint_col=touchpoint_col,
                              persona_col=persona_col, higher_is_worse=False, unit="valence",
                              levels=levels)


def complaint_signal(tickets: pd.DataFrame, reached: pd.DataFrame, *,
                     customer_col: str = "customer_id", stage_col: str = "stage",
                     touchpoint_col: str | None = "touchpoint",
                     persona_col: str | None = "persona", n_col: str = "entered") -> pd.DataFrame:
    """Complaint volume: share of the customers who reached a stage who complained there.

    Parameters
    ----------
    tickets : pandas.DataFrame
        Complaints (support tickets, or negative feedback) with customer, stage, optional
        touchpoint and persona. A customer counts once per stage (and per touchpoint).
    reached : pandas.DataFrame
        Customers who reached each stage (and persona), e.g. the funnel's ``entered``.
        Touchpoint-level shares use the customers who reached the touchpoint's stage.

    Returns
    -------
    pandas.DataFrame
        A rate signal per stage and per touchpoint.

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": ["a", "a", "b"], "stage": ["Post"] * 3,
    ...                   "touchpoint": ["Returns"] * 3})
    >>> r = pd.DataFrame({"stage": ["Post"], "entered": [10]})
    >>> complaint_signal(t, r, persona_col=None)[["stage", "touchpoint", "count", "n"]]
      stage touchpoint  count   n
    0  Post       None      2  10
    1  Post    Returns      2  10
    """
    has_persona = persona_col is not None and persona_col in tickets.columns \
        and persona_col in reached.columns
    pcol = persona_col if has_persona else None
    keys = _keys(tickets, stage_col, touchpoint_col, pcol, "tickets")
    keys["customer"] = _col(tickets, customer_col, "customer_col", "tickets").to_numpy()
    keys = keys[keys["persona"].notna()]  # no persona: counted in the pooled "all" row only
    base = _keys(reached, stage_col, None, pcol, "reached")
    base["n"] = pd.to_numeric(_col(reached, n_col, "n_col", "reached"), errors="coerce").to_numpy()
    base = base.groupby(["stage", "persona"], dropna=False)["n"].sum()
    parts = []
    for level in ("stage", "touchpoint"):
        k = keys.assign(touchpoint=None) if level == "stage" else keys[keys["touchpoint"].notna()]
        c = (k.drop_duplicates(["customer", "stage", "touchpoint", "persona"])
             .groupby(["stage", "touchpoint", "persona"], dropna=False, sort=False).size()
             .rename("count").reset_index())
        parts.append(c)
    counts = pd.concat(parts, ignore_index=True)
    counts["n"] = [base.get((s, p), np.nan) for s, p in zip(counts["stage"], counts["persona"])]
    missing = counts["n"].isna()
    if missing.any():
        raise DataError([Problem(f"complaints at stages with no reach count: "
                                 f"{sorted(set(counts.loc[missing, 'stage'].astype(str)))}",
                                 source="reached", column=stage_col,
                                 fix="give the number of customers who reached every stage")])
    counts["count"] = np.minimum(counts["count"], counts["n"])
    counts["touchpoint"] = _none(counts["touchpoint"])
    out = rate_signal(counts, signal="complaints", count_col="count", n_col="n",
                      persona_col="persona" if has_persona else None)
    if has_persona:  # the pooled "all" row must count each customer once
        every = complaint_signal(tickets, reached.groupby(stage_col, as_index=False)[n_col].sum(),
                                 customer_col=customer_col, stage_col=stage_col,
                                 touchpoint_col=touchpoint_col, persona_col=None, n_col=n_col)
        out = pd.concat([out[out["persona"] != ALL], every], ignore_index=True)
    return out


def slow_step_signal(times: pd.DataFrame, *, from_col: str = "from_step",
                     median_col: str = "median_h", p90_col: str = "p90_h", n_col: str = "n",
                     persona_col: str | None = "persona") -> pd.DataFrame:
    """Slow steps: time from reaching a stage to reaching the next one.

    Takes :func:`jmtools.analyses.funnels.time_between_stages` (``from_step``, ``n``, ``median_h``,
    ``p90_h`` per persona). Durations are compared on a log scale, reading each group as
    log-normal: mean of log-hours = log(median), standard deviation =
    (log p90 − log median) ÷ 1.2816. The time is counted at the stage the customers were
    waiting in (``from_step``). For raw per-customer durations use
    :func:`observation_signal` with ``log=True``.

    Examples
    --------
    >>> t = pd.DataFrame({"from_step": ["Qualify", "Propose"], "n": [50, 40],
    ...                   "median_h": [96.0, 12.0], "p90_h": [300.0, 40.0]})
    >>> out = slow_step_signal(t, persona_col=None)
    >>> out[["stage", "n", "unit"]], round(float(out["mean"].iloc[0]), 3)   # log(96)
    (     stage   n   unit
    0  Qualify  50  hours
    1  Propose  40  hours, 4.564)
    """
    median = pd.to_numeric(_col(times, median_col, "median_col", "times"), errors="coerce")
    p90 = pd.to_numeric(_col(times, p90_col, "p90_col", "times"), errors="coerce")
    n = pd.to_numeric(_col(times, n_col, "n_col", "times"), errors="coerce").fillna(0)
    ok = (median > 0) & (p90 >= median) & (n > 0)
    keys = _keys(times, from_col, None, persona_col, "times")[ok]
    mean = np.log(median[ok])
    sd = (np.log(p90[ok]) - mean) / 1.2815515655446004
    out = keys.assign(n=n[ok].astype(int).to_numpy(), mean=mean.to_numpy(), sd=sd.to_numpy())
    if persona_col is not None and persona_col in times.columns:
        # everybody, including customers in no persona; then only named personas
        out = pd.concat([out[out["persona"].notna()], _pooled_all(out)], ignore_index=True)
    out = out.assign(signal="slow step", kind="mean", count=0, higher_is_worse=True, log=True,
                     unit="hours").reset_index(drop=True)
    out["touchpoint"] = _none(out["touchpoint"])
    return out[SIGNAL_COLUMNS]


def _pooled_all(out: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for stage, grp in out.groupby("stage", sort=False):
        m, sd, n = _pool(grp.assign(kind="mean"))
        rows.append({"stage": stage, "touchpoint": None, "persona": ALL, "n": n, "mean": m, "sd": sd})
    return pd.DataFrame(rows)


def loop_signal(loops: pd.DataFrame, *, journey=None, step_col: str = "step",
                count_col: str = "n", n_col: str = "n_visitors",
                persona_col: str | None = "persona") -> pd.DataFrame:
    """Loops: share of the customers at a touchpoint who came back to it after leaving.

    Takes :func:`jmtools.analyses.funnels.loops` at touchpoint level (``step``, ``n_visitors``,
    ``n`` looping customers, per persona); ``journey`` (or a dict touchpoint → stage)
    gives each touchpoint's stage.

    Examples
    --------
    >>> l = pd.DataFrame({"step": ["Cart"], "n": [30], "n_visitors": [100]})
    >>> loop_signal(l, journey={"Cart": "Decision"}, persona_col=None)[
    ...     ["stage", "touchpoint", "count", "n"]]
          stage touchpoint  count    n
    0  Decision       Cart     30  100
    """
    lookup = _stage_lookup(journey)
    step = _col(loops, step_col, "step_col", "loops")
    frame = loops.assign(_stage=step.map(lookup), _tp=step)
    return rate_signal(frame[frame["_stage"].notna()], signal="loops", count_col=count_col,
                       n_col=n_col, stage_col="_stage", touchpoint_col="_tp",
                       persona_col=persona_col)


def detour_signal(detours: pd.DataFrame, *, journey=None, from_col: str = "from_step",
                  count_col: str = "n_customers", n_col: str = "n_at_from",
                  persona_col: str | None = "persona") -> pd.DataFrame:
    """Detours: share of the customers at a touchpoint who went back to an earlier one.

    Takes :func:`jmtools.analyses.funnels.detours` at touchpoint level. A customer who went back
    to two different places is counted twice, so the count is capped at the customers
    who were at the touchpoint.

    Examples
    --------
    >>> d = pd.DataFrame({"from_step": ["Checkout", "Checkout"], "to_step": ["Cart", "Product"],
    ...                   "n_customers": [20, 10], "n_at_from": [100, 100]})
    >>> detour_signal(d, journey={"Checkout": "Decision"}, persona_col=None)[["count", "n"]]
       count    n
    0     30  100
    """
    lookup = _stage_lookup(journey)
    has_persona = persona_col is not None and persona_col in detours.columns
    keys = ([persona_col] if has_persona else []) + [from_col]
    _col(detours, from_col, "from_col", "detours")
    agg = detours.groupby(keys, sort=False, dropna=False).agg(
        _count=(count_col, "sum"), _n=(n_col, "max")).reset_index()
    agg["_count"] = np.minimum(agg["_count"], agg["_n"])
    agg["_stage"] = agg[from_col].map(lookup)
    return rate_signal(agg[agg["_stage"].notna()], signal="detours", count_col="_count",
                       n_col="_n", stage_col="_stage", touchpoint_col=from_col,
                       persona_col=persona_col if has_persona else None)


def collect_signals(evidence, *, emotion: pd.DataFrame | None = None,
                    tickets: pd.DataFrame | None = None, persona_col: str = "persona",
                    customer_col: str = "customer_id") -> pd.DataFrame:
    """Every signal at once, from the engine's prepared evidence (plus emotion and tickets).

    Runs :func:`jmtools.analyses.funnels.funnel`, :func:`~jmtools.analyses.funnels.time_between_stages`,
    :func:`~jmtools.analyses.funnels.loops` and :func:`~jmtools.analyses.funnels.detours` (touchpoint level)
    by persona when the evidence has personas, and turns them, the emotion evidence
    (:func:`jmtools.analyses.emotions.emotion_evidence`) and the tickets into signals.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
        From :func:`jmtools.evidence.prepare` (with customers, for personas).
    emotion : pandas.DataFrame, optional
        Valence per observation.
    tickets : pandas.DataFrame, optional
        Canonical tickets; their stage comes from ``stage`` or from ``touchpoint``, their
        persona from the evidence. Tickets with neither stage nor touchpoint are left out
        and counted in ``attrs["dropped"]``.

    Returns
    -------
    pandas.DataFrame
        A signals frame; ``attrs["dropped"]`` counts tickets left out.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"],
    ...                    "event": ["view", "pay", "view", "view", "pay"],
    ...                    "timestamp": pd.date_range("2026-01-01", periods=5, freq="h")})
    >>> j = {"stages": ["Browse", "Buy"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
    >>> sig = collect_signals(prepare(ev, j))
    >>> sig[sig["signal"] == "drop-off"][["stage", "persona", "count", "n"]]
        stage persona  count  n
    0  Browse     all      1  3
    """
    from jmtools.analyses import funnels
    from jmtools.core.engine import to_pandas

    by = persona_col if persona_col in evidence.events.columns else None
    pcol = by
    f = funnels.funnel(evidence, by=by)
    lookup = dict(evidence.touchpoint_stage)
    parts = [dropoff_signal(f, persona_col=pcol),
             slow_step_signal(funnels.time_between_stages(evidence, by=by), persona_col=pcol),
             loop_signal(funnels.loops(evidence, by=by), journey=lookup, persona_col=pcol),
             detour_signal(funnels.detours(evidence, by=by), journey=lookup, persona_col=pcol)]
    if emotion is not None:
        parts.append(valence_signal(emotion, persona_col=persona_col if persona_col in emotion
                                    else None))
    dropped = {}
    if tickets is not None and len(tickets):
        t = tickets.copy()
        stage = t["stage"] if "stage" in t else pd.Series(None, index=t.index, dtype=object)
        if "touchpoint" in t:
            stage = stage.where(stage.notna(), t["touchpoint"].map(lookup))
        t["stage"] = stage
        dropped["tickets without stage or touchpoint"] = int(t["stage"].isna().sum())
        t = t[t["stage"].notna()]
        if by is not None and persona_col not in t:
            who = to_pandas(evidence.events.select(customer_col, persona_col).distinct())
            t = t.merge(who.drop_duplicates(customer_col), on=customer_col, how="left")
        reached = f.rename(columns={"step": "stage", "n": "entered"})
        parts.append(complaint_signal(t, reached, customer_col=customer_col,
                                      persona_col=pcol))
    out = combine_signals(*parts)
    out.attrs["dropped"] = dropped
    return out


def combine_signals(*signals: pd.DataFrame) -> pd.DataFrame:
    """Stack signal frames (``None`` entries are skipped) into one signals frame.

    Examples
    --------
    >>> a = rate_signal(pd.DataFrame({"stage": ["S"], "c": [1], "n": [2]}), signal="x",
    ...                 count_col="c", n_col="n", persona_col=None)
    >>> len(combine_signals(a, None, a))
    2
    """
    parts = [s for s in signals if s is not None]
    if not parts:
        raise ParameterError("signals", "nothing", expected="at least one signals frame")
    for part in parts:
        missing = [c for c in SIGNAL_COLUMNS if c not in part.columns]
        if missing:
            raise ParameterError("signals", f"a frame without {missing}",
                                 expected="frames made by the *_signal functions")
    return pd.concat([p[SIGNAL_COLUMNS] for p in parts], ignore_index=True)


# ============================================================ comparisons
def _pool(grp: pd.DataFrame) -> tuple[float, float, int]:
    """Mean, standard deviation and n of several groups pooled together."""
    grp = grp[grp["n"] > 0]
    n = int(grp["n"].sum())
    if n == 0:
        return np.nan, np.nan, 0
    m = float((grp["mean"] * grp["n"]).sum() / n)
    if (grp["kind"] == "rate").all():
        return m, math.sqrt(m * (1 - m)), n
    within = float(((grp["n"] - 1) * grp["sd"].fillna(0) ** 2).sum())
    between = float((grp["n"] * (grp["mean"] - m) ** 2).sum())
    return m, math.sqrt((within + between) / (n - 1)) if n > 1 else np.nan, n


def _compare(kind, a, b, worse_sign):
    """Effect size (worse > 0) and z of group a = (mean, sd, n) against baseline b."""
    (ma, sa, na), (mb, sb, nb) = a, b
    if not (na and nb) or np.isnan(ma) or np.isnan(mb):
        return np.nan, np.nan
    if kind == "rate":
        effect = (2 * math.asin(math.sqrt(ma)) - 2 * math.asin(math.sqrt(mb))) * worse_sign
        pooled = (ma * na + mb * nb) / (na + nb)
        se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        z = (ma - mb) * worse_sign / se if se > 0 else (np.inf if effect > 0 else 0.0)
        return effect, z
    if np.isnan(sa) or np.isnan(sb) or na < 2 or nb < 2:
        return np.nan, np.nan
    sd = math.sqrt(((na - 1) * sa**2 + (nb - 1) * sb**2) / (na + nb - 2))
    se = math.sqrt(sa**2 / na + sb**2 / nb)
    diff = (ma - mb) * worse_sign
    effect = diff / sd if sd > 0 else (np.inf if diff > 0 else 0.0)
    z = diff / se if se > 0 else (np.inf if diff > 0 else 0.0)
    return effect, z


def _shown(mean: float, log: bool) -> float:
    """The value a reader sees: the mean, or for log-scale signals the geometric mean."""
    return float(np.exp(mean)) if log and not np.isnan(mean) else mean


#: Signals also compared across stages/touchpoints by default. Loops, detours and
#: waiting times differ between steps by design, so they count only against other personas.
UNIT_CONTRAST = ("drop-off", "negative valence", "complaints")


def _evidence(signals: pd.DataFrame, *, min_n: int, min_effect: float,
              unit_contrast: Sequence[str]) -> pd.DataFrame:
    rows = []
    sig = signals.copy()
    sig["level"] = np.where(sig["touchpoint"].isna(), "stage", "touchpoint")
    sig["key"] = [f"{s}\x1f{'' if t is None else t}" for s, t in zip(sig["stage"], sig["touchpoint"])]
    for (name, level), grp in sig.groupby(["signal", "level"], sort=False):
        kind, log = grp["kind"].iloc[0], bool(grp["log"].iloc[0])
        worse = 1 if bool(grp["higher_is_worse"].iloc[0]) else -1
        for r in grp.itertuples(index=False):
            pools = {}
            if r.persona != ALL:
                pools["other personas"] = grp[(grp["key"] == r.key) & (grp["persona"] != r.persona)
                                              & (grp["persona"] != ALL)]
            if name in unit_contrast:
                pools[f"other {level}s"] = grp[(grp["key"] != r.key) & (grp["persona"] == r.persona)]
            for versus, pool in pools.items():
                base = _pool(pool)
                effect, z = _compare(kind, (r.mean, r.sd, r.n), base, worse)
                flagged = bool(r.n >= min_n and base[2] >= min_n and effect >= min_effect
                               and z >= Z95)
                counts = (versus == "other personas") == (r.persona != ALL)
                rows.append((r.stage, r.touchpoint, r.persona, name, r.unit, level,
                             _shown(r.mean, log), int(r.n), _shown(base[0], log), base[2], versus,
                             effect, z, flagged, flagged and counts))
    out = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    out["touchpoint"] = _none(out["touchpoint"])
    return out


# ============================================================ detection
@dataclass
class PainPoints:
    """The result of :func:`detect_pain_points`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per pain point, best first (:data:`TABLE_COLUMNS`): ``rank``,
        ``pain_point_id`` (the journey's id, or ``detected-<stage>[-<touchpoint>]``),
        ``title``, ``stage``, ``touchpoint``, ``source`` ("detected", "journey file",
        "journey file + detected"), ``evidence_label`` (measured / reported / assumed),
        ``score``, ``signals`` (signals that count), ``evidence`` (the numbers in words,
        with n), ``personas`` (affected), ``n_personas``, ``recurs``,
        ``customers_affected``, ``lift_needed``, ``lift_basis`` (inputs of value at
        stake), ``stake`` (the same per persona: list of ``{persona, customers, lift}``),
        ``themes`` (feedback themes there, with counts), ``n_feedback`` (negative
        feedback in those themes), ``quotes`` (masked), ``severity`` (journey file, 1–5),
        ``description``.
    evidence : pandas.DataFrame
        Every comparison (:data:`EVIDENCE_COLUMNS`): per stage/touchpoint, persona and
        signal the ``value`` with ``n``, the ``baseline`` with ``baseline_n`` and what it
        is (``versus``), the ``effect`` size, ``z``, whether it is significantly worse
        (``flagged``) and whether it ``counts`` for the score (a persona against the other
        personas; persona ``"all"`` against the other stages or touchpoints).
    settings : dict
        ``min_n``, ``min_effect``, ``z``, ``unit_contrast``.
    signals : pandas.DataFrame or None
        The signals the detection read (set by :func:`pain_points_from_world`).
    themes : jmtools.analyses.themes.Themes or None
        The feedback themes used (set by :func:`pain_points_from_world`).
    """

    table: pd.DataFrame
    evidence: pd.DataFrame
    settings: dict = field(default_factory=dict)
    signals: pd.DataFrame | None = None
    themes: object = None

    def top(self, k: int = 5) -> pd.DataFrame:
        """The first ``k`` rows of the ranked table."""
        return self.table.head(k)


def _specific(here: pd.DataFrame) -> pd.DataFrame:
    """Per signal, persona and comparison keep the touchpoint-level row over the stage-level one."""
    if here.empty:
        return here
    order = here.assign(_o=(here["level"] == "stage").astype(int),
                        _v=here["versus"] == "other personas").sort_values("_o", kind="stable")
    return order.drop_duplicates(["signal", "persona", "_v"]).drop(columns=["_o", "_v"])


def _score(here: pd.DataFrame) -> float:
    """Largest over personas of the sum over signals of the best counted effect (capped)."""
    counted = here[here["counts"]]
    if counted.empty:
        return 0.0
    weight = counted["signal"].map(lambda s: SIGNAL_WEIGHTS.get(s, 1.0))
    best = counted.assign(effect=counted["effect"].clip(upper=_CAP) * weight).groupby(
        ["persona", "signal"])["effect"].max()
    return float(best.groupby(level=0).sum().max())


def _fmt(value, unit) -> str:
    if unit == "share":
        return f"{value:.0%}"
    if unit == "hours":
        if value < 1:
            return f"{value * 60:.0f} min"
        return f"{value:,.0f} h" if value < 72 else f"{value / 24:,.1f} days"
    return f"{value:+.2f}" if unit == "valence" else f"{value:.3g}"


def _describe(rows: pd.DataFrame, limit: int = 6) -> str:
    parts = []
    rows = rows.sort_values("effect", ascending=False)
    for r in rows.head(limit).itertuples(index=False):
        who = "" if r.persona == ALL else f"{r.persona}: "
        parts.append(f"{who}{r.signal} {_fmt(r.value, r.unit)} (n={r.n:,}) vs "
                     f"{_fmt(r.baseline, r.unit)} {r.versus} (n={r.baseline_n:,})")
    more = len(rows) - limit
    return "; ".join(parts) + (f"; (+{more} more in .evidence)" if more > 0 else "")


def _slug(*parts) -> str:
    text = "-".join(str(p) for p in parts if p)
    return "detected-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def detect_pain_points(signals: pd.DataFrame, *, journey=None, themes=None,
                       feedback: pd.DataFrame | None = None, min_n: int = 30,
                       min_effect: float = 0.2, n_quotes: int = 3,
                       unit_contrast: Sequence[str] = UNIT_CONTRAST,
                       personas: Sequence[str] | None = None,
                       focus: str | None = None) -> PainPoints:
    """Detect pain points from signals, merge the journey's own, rank them with their evidence.

    Parameters
    ----------
    signals : pandas.DataFrame
        From :func:`combine_signals` (or one builder).
    journey : jmtools.journey.Journey, optional
        Its ``pain_points`` are merged: a journey pain point takes the evidence at its
        stage and touchpoint (a stage-level one: its whole stage); a detected place no
        journey pain point covers gets its own row.
    themes : jmtools.analyses.themes.Themes, optional
        Feedback themes (negative polarity). Each theme at a touchpoint goes to the journey
        pain point there whose title and description share most words with the theme's
        terms; it gives that pain point its themes, feedback count and quotes, and breaks
        ties between pain points with the same signals.
    feedback : pandas.DataFrame, optional
        Without ``themes``: feedback (``stage``, ``touchpoint``, optional ``persona``,
        ``sentiment``, and ``quote`` or ``text`` — masked here) for quotes, most negative
        first, and theme labels if it has a ``label`` column.
    min_n : int, default 30
        Fewest observations on each side of a comparison for it to count.
    min_effect : float, default 0.2
        Smallest effect size (Cohen's h or d) that counts.
    n_quotes : int, default 3
        Quotes per pain point.
    unit_contrast : sequence of str
        Signals also compared with the other stages/touchpoints (:data:`UNIT_CONTRAST`).
    personas : list of str, optional
        Only these personas may be listed as affected (default: all in the signals).
    focus : str, optional
        A persona to report on (see :func:`_focus_rows`): pain points are ranked by that
        persona's own comparisons (against the other personas, and against its other
        stages or touchpoints), counts and evidence are its own, and the feedback, themes
        and quotes are its customers'. A journey pain point that names other personas
        only and has no signal for it is left out; one that names it (or nobody) without
        a signal stays, marked "not seen for <persona>". Contact-volume signals
        (complaints, loops, detours) do not count where the persona feels significantly
        *better* than the other personas (they ask, come back, and like it).

    Returns
    -------
    PainPoints
        ``table`` (ranked) and ``evidence`` (every comparison).

    Examples
    --------
    >>> funnel = pd.DataFrame({"persona": ["Ben"] * 3 + ["Maya"] * 3,
    ...                        "step_index": [1, 2, 3] * 2, "step": ["Browse", "Pay", "Done"] * 2,
    ...                        "n": [400, 300, 120, 400, 300, 255],
    ...                        "n_prev": [400, 400, 300, 400, 400, 300]})
    >>> found = detect_pain_points(dropoff_signal(funnel))
    >>> found.table[["rank", "stage", "personas", "recurs", "customers_affected"]]
       rank stage personas  recurs  customers_affected
    0     1   Pay    [Ben]   False               300.0
    """
    if min_n < 1:
        raise ParameterError("min_n", min_n, expected="a whole number ≥ 1")
    signals = combine_signals(signals)
    evidence = _evidence(signals, min_n=min_n, min_effect=min_effect,
                         unit_contrast=tuple(unit_contrast))
    if personas is not None:
        evidence = evidence[evidence["persona"].isin([*personas, ALL])].reset_index(drop=True)
    if focus is None:
        detected = _detected_rows(evidence)
        table = _merge_journey(detected, evidence, journey)
    else:
        known = sorted((set(evidence["persona"]) | set(getattr(journey, "persona_names", None) or []))
                       - {ALL})
        if focus not in known:
            raise ParameterError("focus", focus, expected=known,
                                 fix=f"did you mean {suggest(str(focus), known)!r}?"
                                 if suggest(str(focus), known) else "")
        table = _focus_rows(evidence, journey, focus, min_effect=min_effect)
    table = _attach_feedback(table, themes, feedback, n_quotes, persona=focus)
    table = _share_place(table)
    table = _shared_evidence(table)
    table = table.sort_values(["score", "n_feedback", "severity_sort", "stage_order"],
                              ascending=[False, False, False, True], kind="stable")
    table = table.reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return PainPoints(table[TABLE_COLUMNS], evidence,
                      {"min_n": min_n, "min_effect": min_effect, "z": Z95,
                       "unit_contrast": tuple(unit_contrast), "focus": focus},
                      signals=signals, themes=themes)


def _detected_rows(evidence: pd.DataFrame) -> list[dict]:
    rows = []
    counted = evidence[evidence["counts"]]
    for (stage, tp), _ in counted.groupby(["stage", "touchpoint"], dropna=False, sort=False):
        tp = None if pd.isna(tp) else tp
        here = evidence[(evidence["stage"] == stage) & _same_tp(evidence["touchpoint"], tp)]
        rows.append(_row_from(here, stage, tp))
    return rows


def _same_tp(col: pd.Series, tp) -> pd.Series:
    return col.isna() if tp is None else (col == tp)


def _row_from(here: pd.DataFrame, stage, tp) -> dict:
    here = _specific(here)
    counted = here[here["counts"]]
    personas = _affected(here)
    customers, lift, basis, stake = _stake(here, personas)
    names = set(counted["signal"])
    return {"stage": stage, "touchpoint": tp, "score": _score(here),
            "signals": [s for s in SIGNALS if s in names] + sorted(names - set(SIGNALS)),
            "evidence": _describe(_shown_rows(here, personas)),
            "_rows": _shown_rows(here, personas),
            "personas": personas, "customers_affected": customers, "lift_needed": lift,
            "lift_basis": basis, "stake": stake}


def _shown_rows(here: pd.DataFrame, personas: list[str]) -> pd.DataFrame:
    """The comparisons that count, plus the per-persona ones that name the affected personas."""
    counted = here[here["counts"]]
    extra = here[here["flagged"] & ~here["counts"] & here["persona"].isin(personas)
                 & ~here["persona"].isin(counted["persona"])]
    return pd.concat([counted, extra])


def _affected(here: pd.DataFrame) -> list[str]:
    """Per counted signal: the personas worse there than the other personas; if none stands
    out (the pain hits everybody), those worse there than at their other stages. Union,
    most affected first (by the sum of their effect sizes)."""
    strength: dict[str, float] = {}
    flagged = here[here["flagged"] & (here["persona"] != ALL)]
    for name in set(here.loc[here["counts"], "signal"]):
        sig = flagged[flagged["signal"] == name]
        standout = sig[sig["versus"] == "other personas"]
        for r in (standout if len(standout) else sig).itertuples():
            strength[r.persona] = strength.get(r.persona, 0.0) + min(r.effect, _CAP)
    return sorted(strength, key=lambda p: (-strength[p], p))


def _stake(here: pd.DataFrame, personas: list[str]):
    """Customers affected and lift needed for value at stake (drop-off first).

    The drop-off personas are chosen like the affected ones, for the drop-off signal alone;
    each uses its comparison with the other personas when it stands out, else with the
    other stages. Without a persona, everybody (persona "all") against the other stages.
    """
    drop = here[(here["signal"] == "drop-off") & here["flagged"]]
    if len(drop):
        who = _affected(drop.assign(counts=True))
        if who:
            rows = drop[drop["persona"].isin(who)].assign(
                _p=lambda d: d["versus"] != "other personas").sort_values("_p", kind="stable")
            rows = rows.drop_duplicates("persona").drop(columns="_p")
        else:
            rows = drop[drop["persona"] == ALL].head(1)
        n = float(rows["n"].sum())
        lift = float(((rows["value"] - rows["baseline"]) * rows["n"]).sum() / n) if n else np.nan
        basis = "; ".join(f"{'' if r.persona == ALL else r.persona + ': '}drop-off "
                          f"{r.value:.0%} (n={r.n:,}) vs {r.baseline:.0%} {r.versus} "
                          f"(n={r.baseline_n:,})" for r in rows.itertuples())
        stake = [{"persona": r.persona, "customers": int(r.n), "lift": float(r.value - r.baseline)}
                 for r in rows.itertuples()]
        return n, lift, basis, stake
    rates = here[here["unit"] == "share"]
    if len(rates):
        who = rates[rates["persona"].isin(personas)] if personas else rates[rates["persona"] == ALL]
        who = who.sort_values("n", ascending=False).drop_duplicates("persona")
        stake = [{"persona": r.persona, "customers": int(r.n), "lift": None}
                 for r in who.itertuples()]
        return float(who["n"].sum()), np.nan, "", stake
    return np.nan, np.nan, "", []


def _merge_journey(detected: list[dict], evidence: pd.DataFrame, journey) -> pd.DataFrame:
    rows, used = [], set()
    for pp in (journey.pain_points if journey is not None else []):
        match = [i for i, d in enumerate(detected) if d["stage"] == pp.stage
                 and (pp.touchpoint is None or d["touchpoint"] in (None, pp.touchpoint))]
        used.update(match)
        if match:
            row = _row_from(_place(evidence, pp.stage, pp.touchpoint), pp.stage, pp.touchpoint)
            row["_label"] = pp.evidence
            source, label = "journey file + detected", "measured"
        else:
            row = {"stage": pp.stage, "touchpoint": pp.touchpoint, "score": 0.0, "signals": [],
                   "evidence": "no signal in the data at this stage/touchpoint",
                   "personas": list(pp.personas), "customers_affected": np.nan,
                   "lift_needed": np.nan, "lift_basis": "", "stake": []}
            source, label = "journey file", pp.evidence
        row.update(pain_point_id=pp.id, title=pp.title, source=source, evidence_label=label,
                   severity=pp.severity, description=pp.description or "")
        rows.append(row)
    for i, d in enumerate(detected):
        if i in used:
            continue
        where = d["stage"] + (f" / {d['touchpoint']}" if d["touchpoint"] else "")
        rows.append({**d, "pain_point_id": _slug(d["stage"], d["touchpoint"]),
                     "title": f"{', '.join(d['signals'])} at {where}".capitalize(),
                     "source": "detected", "evidence_label": "measured", "severity": None,
                     "description": ""})
    return _table_frame(rows, journey)


def _table_frame(rows: list[dict], journey) -> pd.DataFrame:
    stages = list(journey.stage_names) if journey is not None else []
    table = pd.DataFrame(rows, columns=[c for c in TABLE_COLUMNS if c not in
                                        ("rank", "themes", "quotes", "n_personas", "recurs",
                                         "n_feedback")] + ["_rows", "_label"])
    table["n_personas"] = table["personas"].map(len).astype(int)
    table["recurs"] = table["n_personas"] >= 2
    table["severity_sort"] = pd.to_numeric(table["severity"], errors="coerce").fillna(0)
    order = {s: i for i, s in enumerate(stages)}
    table["stage_order"] = table["stage"].map(lambda s: order.get(s, len(order)))
    return table


def _share_place(table: pd.DataFrame) -> pd.DataFrame:
    """Journey pain points written for the same stage and touchpoint share one measured place:
    split its customers between them by their own complaint themes (with one text added to
    each, so a handful of texts does not give one of them everything; equally without any),
    so value at stake does not count the same customers twice."""
    table = table.copy()
    confirmed = table[table["source"] == "journey file + detected"]
    keys = confirmed["stage"].astype(str) + "\x1f" + confirmed["touchpoint"].astype(str)
    for _, idx in confirmed.groupby(keys).groups.items():
        if len(idx) < 2:
            continue
        votes = table.loc[idx, "n_feedback"].astype(float)
        # one text more for each (add-one smoothing): two texts against none is not 100 %
        weights = (votes + 1) / (votes + 1).sum()
        for i in idx:
            w = float(weights[i])
            others = ", ".join(table.loc[j, "pain_point_id"] for j in idx if j != i)
            table.at[i, "customers_affected"] = table.at[i, "customers_affected"] * w
            table.at[i, "stake"] = [{**e, "customers": e["customers"] * w} for e in table.at[i, "stake"]]
            how = ("by their complaint themes (texts + 1 each)" if votes.sum() > 0
                   else "equally (no themes)")
            table.at[i, "lift_basis"] = ((table.at[i, "lift_basis"] + "; ") if table.at[i, "lift_basis"]
                                         else "") + f"customers shared with {others} {how}: {w:.0%}"
    return table


#: Signals that measure how much customers do (contact support, come back, go back):
#: read as pain only where the persona does not feel better than the other personas.
CONTACT_SIGNALS = ("complaints", "loops", "detours")


def _feels_better(mine: pd.DataFrame, min_effect: float) -> set:
    """Places (stage, touchpoint) where the persona's valence is significantly better than
    the other personas' there (the mirror image of a flag: effect ≤ −min_effect, z ≤ −1.96)."""
    val = mine[(mine["signal"] == "negative valence") & (mine["versus"] == "other personas")]
    good = val[(val["effect"] <= -min_effect) & (val["z"] <= -Z95)
               & (val["n"] >= 1) & (val["baseline_n"] >= 1)]
    return {(r.stage, r.touchpoint) for r in good.itertuples()}


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
        where = d["stage"] + (f" / {d['touchpoint']}" if d["touchpoint"] else "")
        d["evidence"] = _also_hurts(d["evidence"], evidence, d["stage"], d["touchpoint"], persona)
        rows.append({**d, "pain_point_id": _slug(d["stage"], d["touchpoint"]),
                     "title": f"{', '.join(d['signals'])} at {where}".capitalize(),
                     "source": "detected", "evidence_label": "measured", "severity": None,
                     "description": ""})
    return _table_frame(rows, journey)


def _place(evidence: pd.DataFrame, stage, touchpoint) -> pd.DataFrame:
    """The comparisons behind a pain point at ``stage`` (and ``touchpoint``).

    At a touchpoint, a signal measured per touchpoint (valence, complaints, loops) is taken
    from that touchpoint only; a signal measured per stage only (drop-off, slow step)
    comes from the stage, and is shared with the stage's other pain points."""
    here = evidence[evidence["stage"] == stage]
    if touchpoint:
        per_tp = set(evidence.loc[evidence["touchpoint"].notna(), "signal"])
        here = here[(here["touchpoint"] == touchpoint)
                    | (here["touchpoint"].isna() & ~here["signal"].isin(per_tp))]
    return here


def _also_hurts(text: str, evidence: pd.DataFrame, stage, touchpoint, persona: str) -> str:
    """Append the other personas the same place hurts (from their own comparisons)."""
    others = [p for p in _affected(_specific(_place(evidence, stage, touchpoint)))
              if p != persona]
    return text + (f"; also hurts: {', '.join(others)}" if others else "")


def _shared_evidence(table: pd.DataFrame) -> pd.DataFrame:
    """Each measured comparison is shown once. Journey pain points at one place (stage, or
    stage and touchpoint) that rest on the same comparisons show them on the pain point
    with most negative feedback in its own themes (then the higher score and severity);
    the others say whose evidence they share and keep what is their own."""
    table = table.copy()
    order = table.sort_values(["n_feedback", "score", "severity_sort"], ascending=False,
                              kind="stable").index
    shown: dict[tuple, int] = {}          # comparison → row that shows it
    for i in order:
        rows = table.at[i, "_rows"]
        if table.at[i, "source"] != "journey file + detected" or not isinstance(rows, pd.DataFrame):
            continue
        own, shared = [], {}
        for r in rows.itertuples(index=False):
            key = (r.stage, r.touchpoint, r.persona, r.signal, r.versus)
            if key in shown:
                shared.setdefault(shown[key], []).append(r)
            else:
                shown[key] = i
                own.append(r)
        if not shared:
            continue
        text = _describe(pd.DataFrame(own, columns=rows.columns)) if own else ""
        for j, rs in shared.items():
            tps = {r.touchpoint for r in rs if not pd.isna(r.touchpoint)}
            where = next(iter(tps)) if len(tps) == 1 else f"{rs[0].stage} stage"
            names = ", ".join(dict.fromkeys(r.signal for r in rs))
            text += ("; " if text else "") + (f"shares {where} evidence ({names}) "
                                              f"with \u201c{table.at[j, 'title']}\u201d")
        if not own:
            n = int(table.at[i, "n_feedback"])
            text += f"; its own: {n:,} negative texts in its themes" if n else \
                "; no evidence of its own"
            if not n:   # nothing measured is its own: keep the journey file's label
                table.at[i, "evidence_label"] = table.at[i, "_label"] or "assumed"
        also = re.search(r"; also hurts: .*$", str(table.at[i, "evidence"]))
        table.at[i, "evidence"] = text + (also.group(0) if also else "")
    return table


_WORD = re.compile(r"[a-z]+")
_STOP = {"the", "a", "an", "and", "or", "of", "on", "in", "at", "to", "is", "are", "only", "too",
         "no", "not", "few", "some", "more", "than", "with", "for", "page", "step", "it", "its"}


def _stems(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(str(text).lower()):
        if w in _STOP or len(w) < 3:
            continue
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[: -len(suffix)]
                break
        out.add(w)
    return out


def _theme_owner(table: pd.DataFrame, summary: pd.DataFrame) -> dict:
    """(theme, stage, touchpoint) → row index of the journey pain point sharing most words."""
    owners = {}
    terms = {r.theme: _stems(" ".join(list(r.top_terms) + list(r.top_phrases) + [r.label]))
             for r in summary.itertuples()}
    for (stage, tp), rows in table.groupby(["stage", "touchpoint"], dropna=False, sort=False):
        journey_rows = rows[rows["source"] != "detected"]
        if journey_rows.empty:
            continue
        words = {i: _stems(f"{r.title} {r.description}") for i, r in journey_rows.iterrows()}
        for theme, tw in terms.items():
            best = max(words, key=lambda i: (len(words[i] & tw), -i))
            if len(words[best] & tw):
                owners[(theme, stage, None if pd.isna(tp) else tp)] = best
    return owners


def _attach_feedback(table: pd.DataFrame, themes, feedback: pd.DataFrame | None, n_quotes: int,
                     persona: str | None = None):
    table = table.copy()
    table["themes"] = [[] for _ in range(len(table))]
    table["quotes"] = [[] for _ in range(len(table))]
    table["n_feedback"] = 0
    docs = themes.documents if themes is not None else feedback
    if docs is None or table.empty:
        return table
    from jmtools.analyses.privacy import mask_quotes
    from jmtools.analyses.themes import distinct_quotes

    if "quote" not in docs.columns:
        _col(docs, "text", "feedback", "feedback")
        docs = docs.assign(quote=mask_quotes(docs["text"].astype(str)))
    if "sentiment" in docs.columns:
        docs = docs[pd.to_numeric(docs["sentiment"], errors="coerce") < 0]
    if persona is not None:
        if "persona" not in docs.columns:
            raise ParameterError("feedback", "texts without a persona column",
                                 expected="feedback joined with the persona assignment",
                                 fix="merge customer_id → persona into the feedback first")
        docs = docs[docs["persona"] == persona]
    if themes is not None:
        docs = docs.sort_values(["strength", "sentiment"], ascending=[False, True], kind="stable")
    elif "sentiment" in docs.columns:
        docs = docs.sort_values("sentiment", kind="stable")
    owners = _theme_owner(table, themes.summary) if themes is not None else {}
    labels = (dict(zip(themes.summary["theme"], themes.summary["label"]))
              if themes is not None else {})
    out_themes, out_quotes, out_n = [], [], []
    for i, row in table.iterrows():
        here = docs[docs["stage"] == row["stage"]] if "stage" in docs else docs.iloc[0:0]
        if row["touchpoint"] and "touchpoint" in here:
            here = here[here["touchpoint"] == row["touchpoint"]]
        if themes is not None and row["source"] != "detected":
            mine = [t for (t, s, tp), owner in owners.items() if owner == i
                    and s == row["stage"] and tp == (row["touchpoint"] or None)]
            here = here[here["theme"].isin(mine)]
        if row["personas"] and "persona" in here and here["persona"].isin(row["personas"]).any():
            quotes_from = here[here["persona"].isin(row["personas"])]
        else:
            quotes_from = here
        out_quotes.append(distinct_quotes(quotes_from["quote"].drop_duplicates().tolist(), n_quotes))
        key = "theme" if themes is not None else "label"
        if key in here and len(here):
            counts = here[here[key].map(lambda t: t not in (0, "(unassigned)"))][key].value_counts()
            out_themes.append([f"{labels.get(k, k)} (n={v})" for k, v in counts.head(3).items()])
            out_n.append(int(counts.sum()))
        else:
            out_themes.append([])
            out_n.append(0)
    table["themes"], table["quotes"], table["n_feedback"] = out_themes, out_quotes, out_n
    return table
