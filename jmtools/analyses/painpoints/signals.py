"""Signals: what the data says about each stage and touchpoint, per persona.

Each builder turns one analysis frame (the funnel, the emotion evidence, tickets, times
between stages, loops, detours) into a signals frame
(:data:`~jmtools.analyses.painpoints.SIGNAL_COLUMNS`): one row per stage or touchpoint and
persona, with ``count`` and ``n`` (rates) or ``n``, ``mean`` and ``sd`` (observations), plus
rows for persona ``"all"``. :func:`collect_signals` builds every one from the prepared
evidence; :func:`combine_signals` stacks them for
:func:`~jmtools.analyses.painpoints.detect_pain_points`.
"""

from __future__ import annotations

from typing import Collection, Sequence

import numpy as np
import pandas as pd

from jmtools.analyses import funnels
from jmtools.analyses.compare import still_open_steps
from jmtools.analyses.painpoints._common import ALL, DAY_HOURS, SIGNAL_COLUMNS, _col, _none, _pool
from jmtools.analyses.painpoints._signal_parts import (_complaints_placed, _customers_unknown, _date_only_stages,
                                                      _had_time, _keys, _open_hidden, _stage_lookup,
                                                      _went_on)
from jmtools.core.errors import DataError, ParameterError, Problem

#: The drop-off's counts of everyone, beside those of the customers who had time to go on (D209).
_ALL_COUNTS = ("count_all", "n_all", "n_open")

__all__ = [
    "rate_signal",
    "observation_signal",
    "dropoff_signal",
    "valence_signal",
    "complaint_signal",
    "slow_step_signal",
    "loop_signal",
    "detour_signal",
    "collect_signals",
    "combine_signals",
]

def rate_signal(frame: pd.DataFrame, *, signal: str, count_col: str, n_col: str,
                stage_col: str = "stage", touchpoint_col: str | None = "touchpoint",
                persona_col: str | None = "persona", unit: str = "share",
                skipped_col: str | None = None, all_cols: Sequence[str] | None = None) -> pd.DataFrame:
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
    skipped_col : str, optional
        Customers counted apart from ``count`` and said beside it (the drop-off's customers who
        skip a stage and go on); summed like the counts into ``n_skipped`` (else missing).
    all_cols : (str, str, str), optional
        The drop-off's counts of everyone and its customers still open (D209): summed like the counts
        into ``count_all``, ``n_all`` and ``n_open`` (else missing).

    Returns
    -------
    pandas.DataFrame
        A signals frame (:data:`~jmtools.analyses.painpoints.SIGNAL_COLUMNS`), kind ``"rate"``.

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
    skipped = (pd.to_numeric(_col(frame, skipped_col, "skipped_col", signal), errors="coerce")
               if skipped_col is not None else pd.Series(np.nan, index=frame.index))
    data = keys.assign(count=count.to_numpy(), n=n.to_numpy(), n_skipped=skipped.to_numpy(),
                       **{c: (frame[a].to_numpy(dtype=float) if all_cols else np.nan)
                          for c, a in zip(_ALL_COUNTS, all_cols or _ALL_COUNTS)})
    parts = [data]
    if persona_col is not None and persona_col in frame.columns:
        parts.append(data.assign(persona=ALL))
    data = pd.concat(parts, ignore_index=True)
    data = data[data["persona"].notna()]
    out = (data.groupby(["stage", "touchpoint", "persona"], dropna=False, sort=False)
           [["count", "n", "n_skipped", *_ALL_COUNTS]].sum(min_count=1).reset_index())
    out = out.assign(signal=signal, kind="rate", higher_is_worse=True, log=False, unit=unit)
    out["mean"] = out["count"] / out["n"].where(out["n"] > 0)
    out["sd"] = np.sqrt(out["mean"] * (1 - out["mean"]))
    out["count"], out["n"] = out["count"].astype(int), out["n"].astype(int)
    out["n_customers"] = out["n"].astype(float)          # a rate's n counts customers
    out["touchpoint"] = _none(out["touchpoint"])
    return out[SIGNAL_COLUMNS]


def observation_signal(frame: pd.DataFrame, *, signal: str, value_col: str,
                       stage_col: str = "stage", touchpoint_col: str | None = "touchpoint",
                       persona_col: str | None = "persona", higher_is_worse: bool = False,
                       log: bool = False, unit: str = "mean",
                       levels: Sequence[str] = ("stage", "touchpoint"),
                       customer_col: str | None = "customer_id") -> pd.DataFrame:
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
    customer_col : str or None, default "customer_id"
        Who made each observation; when the frame has it, ``n_customers`` counts the distinct
        customers of each unit (one customer may give many answers), else it is missing.

    Returns
    -------
    pandas.DataFrame
        A signals frame (:data:`~jmtools.analyses.painpoints.SIGNAL_COLUMNS`), kind
        ``"mean"``: ``n``, ``mean`` and ``sd`` of each unit's observations (of their
        logarithm when ``log``), ``n_customers`` their distinct customers.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                    "stage": ["Decision", "Decision", "Awareness"],
    ...                    "touchpoint": ["Checkout", "Checkout", None],
    ...                    "valence": [-1.5, -1.0, 1.0]})
    >>> observation_signal(ev, signal="negative valence", value_col="valence")[
    ...     ["stage", "touchpoint", "persona", "n", "n_customers"]]
           stage touchpoint persona  n  n_customers
    0   Decision       None     all  2          1.0
    1  Awareness       None     all  1          1.0
    2   Decision   Checkout     all  2          1.0
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
    who = _col(frame, customer_col, "customer_col", signal, required=False)
    data = keys.assign(value=value.to_numpy(),
                       _who=who.to_numpy(dtype=object) if who is not None else None)
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
    g = data.groupby(["stage", "touchpoint", "persona"], dropna=False, sort=False)
    out = g["value"].agg(n="count", mean="mean", sd="std").reset_index()
    out["n_customers"] = (g["_who"].nunique().to_numpy(dtype=float) if who is not None
                          else np.nan)             # no ids: unknown, the rule then reads n
    out["touchpoint"] = _none(out["touchpoint"])
    out = out.assign(signal=signal, kind="mean", count=0, n_skipped=np.nan,
                     higher_is_worse=higher_is_worse, log=log, unit=unit, **dict.fromkeys(_ALL_COUNTS, np.nan))
    return out[SIGNAL_COLUMNS]


def dropoff_signal(funnel: pd.DataFrame, *, level: str = "stage", journey=None,
                   step_col: str = "step", n_col: str = "n", prev_col: str = "n_prev",
                   index_col: str = "step_index", persona_col: str | None = "persona",
                   skips: pd.DataFrame | None = None, still_open: pd.DataFrame | None = None) -> pd.DataFrame:
    """Drop-off: customers who reached a step, never reached the next one, and go no further.

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
    skips : pandas.DataFrame, optional
        :func:`jmtools.analyses.funnels.skipped_steps` of the same steps and groups: of the
        customers lost before step *k*, ``n_skipped`` take a later step of their own all the
        same. They skipped step *k* and did not stop: they leave ``count`` and are counted in
        ``n_skipped`` (D169). Without it, every customer lost counts.
    still_open : pandas.DataFrame, optional
        :func:`jmtools.analyses.compare.still_open_steps` of the same steps (a stage funnel): per step
        and persona (``""`` for a funnel without persona) the customers counted at the step before
        who reached it too recently to judge (``left_out``), those of them not at the step (``open``)
        and those going on all the same (``open_skipped``). They leave ``n`` and ``count`` (and
        ``n_skipped``): the drop-off is measured on the customers who had time to go on (D209).

    Returns
    -------
    pandas.DataFrame
        A rate signal: ``count`` = customers lost after the step (who go no further, with
        ``skips``), ``n`` = reached it, ``n_skipped`` = lost but going on (missing without ``skips``),
        each without the customers still open; ``count_all``, ``n_all`` with them, ``n_open`` how many.

    Examples
    --------
    >>> f = pd.DataFrame({"step_index": [1, 2, 3], "step": ["Browse", "Cart", "Pay"],
    ...                   "n": [100, 80, 20], "n_prev": [100, 100, 80]})
    >>> dropoff_signal(f, persona_col=None)[["stage", "count", "n"]]
        stage  count    n
    0  Browse     20  100
    1    Cart     60   80
    >>> s = pd.DataFrame({"step_index": [2, 3], "step": ["Cart", "Pay"], "n_lost": [20, 60],
    ...                   "n_skipped": [15, 0]})      # 15 of the 20 never carted but paid
    >>> dropoff_signal(f, persona_col=None, skips=s)[["stage", "count", "n", "n_skipped"]]
        stage  count    n  n_skipped
    0  Browse      5  100       15.0
    1    Cart     60   80        0.0
    >>> o = pd.DataFrame({"step": ["Pay"], "persona": [""], "left_out": [30], "open": [25],
    ...                   "open_skipped": [0]})          # 25 of the 60 carted too recently to judge
    >>> dropoff_signal(f, persona_col=None, still_open=o)[["stage", "count", "n", "count_all", "n_open"]]
        stage  count   n  count_all  n_open
    0  Browse     20 100       20.0     0.0
    1    Cart     35  50       60.0    25.0
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
    if skips is not None:      # lost but going on: they skipped the next step, they did not stop
        frame["_skipped"] = _went_on(rows, frame["_lost"], skips, step_col, index_col,
                                     persona_col if has_persona else None)
        frame["_lost"] -= frame["_skipped"]
    _had_time(frame, rows, still_open, step_col, persona_col if has_persona else None, skips is not None)
    tp_col = None
    if level == "touchpoint":
        lookup = _stage_lookup(journey)
        frame["touchpoint"] = frame["stage"]
        frame["stage"] = frame["touchpoint"].map(lookup)
        tp_col = "touchpoint"
    return _open_hidden(rate_signal(frame, signal="drop-off", count_col="_lost", n_col="_entered",
                                    stage_col="stage", touchpoint_col=tp_col,
                                    persona_col="persona" if has_persona else None,
                                    skipped_col="_skipped" if skips is not None else None,
                                    all_cols=("_count_all", "_n_all", "_open")), frame)


def valence_signal(evidence: pd.DataFrame, *, value_col: str = "valence",
                   stage_col: str = "stage", touchpoint_col: str | None = "touchpoint",
                   persona_col: str | None = "persona",
                   levels: Sequence[str] = ("stage", "touchpoint"),
                   customer_col: str | None = "customer_id") -> pd.DataFrame:
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
                              levels=levels, customer_col=customer_col)


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
                     persona_col: str | None = "persona",
                     date_only_stages: Collection[str] = (), step_col: str = "step") -> pd.DataFrame:
    """Slow steps: time from reaching a stage to reaching the next one.

    Takes :func:`jmtools.analyses.funnels.time_between_stages` (``from_step``, ``n`` per
    persona, and ``mean_log_h``, ``sd_log``: the mean and standard deviation of every
    customer's log-hours). Durations are compared on a log scale, the value shown is their
    geometric mean. A frame without those two columns is read as log-normal from ``median_h``
    and ``p90_h``: mean of log-hours = log(median), standard deviation =
    (log p90 − log median) ÷ 1.2816 (a median that jumps between the few values of times
    recorded to the quarter hour is then taken for a difference: prefer the measured
    columns). The time is counted at the stage the customers were
    waiting in (``from_step``). For raw per-customer durations use
    :func:`observation_signal` with ``log=True``. A time from or to one of
    ``date_only_stages`` (stages with an event recorded by its date only) is known to the day:
    its unit is :data:`~jmtools.analyses.painpoints._common.DAY_HOURS`, and a difference under
    24 hours is then not evidence.

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
    mean, sd = np.log(median), (np.log(p90) - np.log(median)) / 1.2815515655446004
    if {"mean_log_h", "sd_log"} <= set(times.columns):        # measured on every customer's time
        ok = (n > 0) & times["mean_log_h"].notna()
        mean, sd = times["mean_log_h"].astype(float), times["sd_log"].astype(float)
    keys = _keys(times, from_col, None, persona_col, "times")[ok]
    mean, sd = mean[ok], sd[ok]
    out = keys.assign(n=n[ok].astype(int).to_numpy(), mean=mean.to_numpy(), sd=sd.to_numpy())
    if persona_col is not None and persona_col in times.columns:
        # everybody, including customers in no persona; then only named personas
        out = pd.concat([out[out["persona"].notna()], _pooled_all(out)], ignore_index=True)
    out["n_customers"] = out["n"].astype(float)          # one waiting time per customer
    out = out.assign(signal="slow step", kind="mean", count=0, n_skipped=np.nan, higher_is_worse=True,
                     log=True, unit="hours", **dict.fromkeys(_ALL_COUNTS, np.nan)).reset_index(drop=True)
    if date_only_stages:
        nxt = dict(zip(times[from_col], _col(times, step_col, "step_col", "times")))
        days = out["stage"].map(lambda s: s in date_only_stages or nxt.get(s) in date_only_stages)
        out.loc[days.astype(bool), "unit"] = DAY_HOURS
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

    Takes :func:`jmtools.analyses.funnels.detours` at touchpoint level. The count is the
    customers who went back from the touchpoint to any earlier one (``n_back_from``: a customer
    who went back to two places counts once); a table without that column sums the places,
    capped at the customers who were at the touchpoint (an upper bound).

    Examples
    --------
    >>> d = pd.DataFrame({"from_step": ["Checkout", "Checkout"], "to_step": ["Cart", "Product"],
    ...                   "n_customers": [20, 10], "n_at_from": [100, 100]})
    >>> detour_signal(d, journey={"Checkout": "Decision"}, persona_col=None)[["count", "n"]]
       count    n
    0     30  100
    >>> d["n_back_from"] = 24                         # 6 of them went back to both places
    >>> detour_signal(d, journey={"Checkout": "Decision"}, persona_col=None)[["count", "n"]]
       count    n
    0     24  100
    """
    lookup = _stage_lookup(journey)
    has_persona = persona_col is not None and persona_col in detours.columns
    keys = ([persona_col] if has_persona else []) + [from_col]
    _col(detours, from_col, "from_col", "detours")
    once = "n_back_from" in detours.columns and count_col == "n_customers"
    agg = detours.groupby(keys, sort=False, dropna=False).agg(
        _count=("n_back_from", "max") if once else (count_col, "sum"), _n=(n_col, "max")).reset_index()
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
        persona from the evidence. At an exit or optional stage (no step of the funnel) the
        share is of the customers seen there: an event or a ticket there. Tickets with
        neither stage nor touchpoint, naming a stage the journey lacks or at a stage no
        customer's events reach are left out and counted in ``attrs["dropped"]``.

    Returns
    -------
    pandas.DataFrame
        A signals frame; ``attrs["dropped"]`` counts tickets left out per reason,
        ``attrs["complaints_read"]`` the tickets given and ``attrs["off_funnel"]`` per exit or
        optional stage its ``rows``, ``customers`` complaining, customers ``seen`` and those
        ``with_event`` there: the tickets given are those counted plus those left out.

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
    by = persona_col if persona_col in evidence.columns else None
    pcol = by
    steps = getattr(evidence, "mapped_stages", None) or None   # stages the file gives no event: no signal
    f = funnels.funnel(evidence, steps=steps, by=by)
    lookup = dict(evidence.touchpoint_stage)
    skips = funnels.skipped_steps(evidence, steps=steps, by=by)   # kept: a persona's report reads it too
    opened = still_open_steps(evidence, steps=list(dict.fromkeys(f["step"])))   # kept: the funnel's note
    parts = [dropoff_signal(f, persona_col=pcol, skips=skips, still_open=opened)]
    if steps is None or len(steps) >= 2:      # one stage with events: no step to be slow between
        parts.append(slow_step_signal(funnels.time_between_stages(evidence, steps=steps, by=by),
                                      persona_col=pcol, date_only_stages=_date_only_stages(evidence)))
    parts += [loop_signal(funnels.loops(evidence, by=by), journey=lookup, persona_col=pcol),
              detour_signal(funnels.detours(evidence, by=by), journey=lookup, persona_col=pcol)]
    if emotion is not None:
        parts.append(valence_signal(emotion, persona_col=persona_col if persona_col in emotion
                                    else None, customer_col=customer_col))
    dropped, off = {}, {}
    if tickets is not None and len(tickets):
        reached = f.rename(columns={"step": "stage", "n": "entered"})
        t, reached, dropped, off = _complaints_placed(evidence, tickets, reached, lookup, by, persona_col,
                                                      customer_col)
        if len(t):
            parts.append(complaint_signal(t, reached, customer_col=customer_col, persona_col=pcol))
    out = combine_signals(*parts)
    out.attrs.update(dropped=dropped, complaints_read=0 if tickets is None else len(tickets), off_funnel=off)
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
    parts = [p if "n_customers" in p.columns else _customers_unknown(p) for p in parts]
    parts = [p.assign(**{c: np.nan for c in ("n_skipped", *_ALL_COUNTS) if c not in p.columns}) for p in parts]
    for part in parts:
        missing = [c for c in SIGNAL_COLUMNS if c not in part.columns]
        if missing:
            raise ParameterError("signals", f"a frame without {missing}",
                                 expected="frames made by the *_signal functions")
    return pd.concat([p[SIGNAL_COLUMNS] for p in parts], ignore_index=True)
