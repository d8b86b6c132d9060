"""Step 7 — test, implement, iterate — with what the kit has today.

The kit has no experiment tracking yet. What it can do honestly, and what the teaching track
uses, is:

- **a baseline and a before/after comparison**: the funnel of the customers who started
  before a date beside the funnel of those who started on or after it
  (:func:`before_after`), and the change at one step with a 95% interval of the difference
  (:func:`change_at`, Newcombe's method from two Wilson intervals);
- **the next version of the map**: a copy of the journey file whose assumed emotions are
  replaced by the measured values where they disagree (:func:`next_version`), to compare with
  :func:`jmtools.journey.diff_journeys`.

A before/after comparison is not an experiment: other things change between the periods
(season, campaigns, who arrives). It can show that nothing measurable changed, or that
something did; it cannot say why.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import pandas as pd

from jmtools.analyses import funnels
from jmtools.analyses.compare.twosample import two_proportions
from jmtools.analyses.disclosure import count_words
from jmtools.core.engine import to_pandas
from jmtools.core.errors import ParameterError
from jmtools.core.stats import still_open, wilson_interval
from jmtools.journey import Journey
from jmtools.widgets.curve import CurveEditor

__all__ = ["PERIODS", "middle_date", "check_split", "before_after", "still_open_note", "difference_interval",
           "change_at", "next_version"]

#: The two periods, in order.
PERIODS = ("before", "after")


def _first_seen(t, company):
    """Per row of ``t``, when its customer was first seen: the customer's first event that is not a
    contact the company started (``company``: those touchpoints) — a mailing sent in March to a
    customer who first came in July does not date them in March; a customer with nothing else is
    dated by the company's first contact."""
    first = t.timestamp.min().over(group_by=t.customer_id)
    if not company:
        return first
    own = t.touchpoint.isnull() | ~t.touchpoint.isin(list(company))
    return t.timestamp.min(where=own).over(group_by=t.customer_id).fill_null(first)


def _first_seen_days(evidence) -> pd.Series:
    """When each customer of ``evidence`` was first seen (see :func:`before_after`)."""
    t = evidence.events
    t = t.mutate(_first=_first_seen(t, getattr(evidence, "company_touchpoints", None)))
    return to_pandas(t.group_by("customer_id").agg(first=t._first.min()))["first"]


def middle_date(evidence) -> pd.Timestamp:
    """The day that splits the customers in two halves by when they were first seen (their first
    event that is not a contact the company started, see :func:`before_after`).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> from jmtools.evidence import prepare
    >>> w = load_world("sample:b2b")
    >>> middle_date(prepare(w.events, w.journey)).strftime("%Y-%m-%d")
    '2025-11-07'
    """
    return pd.Timestamp(_first_seen_days(evidence).median()).normalize()


def check_split(split, evidence) -> pd.Timestamp:
    """``split`` as a day that leaves customers on both sides: after the first day a customer was
    first seen, and no later than the last; else a :class:`ParameterError` saying which days the
    data covers (a date that cannot be read, or one with no "before" or no "after" period).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> from jmtools.evidence import prepare
    >>> w = load_world("sample:b2b")
    >>> ev = prepare(w.events, w.journey)
    >>> check_split("2025-11-07", ev).strftime("%Y-%m-%d")
    '2025-11-07'
    >>> check_split("2030-01-01", ev)
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: split must be a date YYYY-MM-DD from ... to ... (...) — got '2030-01-01'
      Fix: 2030-01-01 is after the last day a customer was first seen (...): no customer ...
    """
    first = _first_seen_days(evidence)
    low, high = first.min().normalize() + pd.Timedelta(days=1), first.max().normalize()
    expected = (f"a date YYYY-MM-DD from {low:%Y-%m-%d} to {high:%Y-%m-%d} (the customers were first seen "
                f"from {first.min():%Y-%m-%d} to {first.max():%Y-%m-%d})")
    middle = f"or leave split = \"\" for the middle ({middle_date(evidence):%Y-%m-%d})"
    try:
        when = pd.Timestamp(split)
    except (ValueError, TypeError, OverflowError):
        when = pd.NaT
    if pd.isna(when):
        raise ParameterError("split", split, expected=expected,
                             fix=f"write the day the change went live as YYYY-MM-DD, {middle}")
    if low <= when <= high:
        return when
    side = ("after the last day a customer was first seen", "“after”") if when > high else \
           ("on or before the first day a customer was first seen", "“before”")
    edge = first.max() if when > high else first.min()
    raise ParameterError("split", split, expected=expected,
                         fix=f"{when:%Y-%m-%d} is {side[0]} ({edge:%Y-%m-%d}): no customer is in the "
                             f"{side[1]} period, so there is nothing to compare; choose a day in that range, "
                             f"{middle}")


def _split(split) -> pd.Timestamp:
    try:
        return pd.Timestamp(split)
    except (ValueError, TypeError):
        raise ParameterError("split", split, expected="a date, e.g. '2026-06-01'") from None


def before_after(evidence, split, *, by="persona", level: str = "stage", steps=None) -> pd.DataFrame:
    """The funnel of two cohorts: customers first seen before ``split``, and on or after it.

    A customer is first seen at their first event that is not a contact the company started
    (``initiated_by: company``: a mailing, a push): a mailing does not date a customer's arrival.
    A customer with only such contacts is dated by the first of them.

    A late cohort has not had the time to go on: per pair of steps, the customers who reached
    the first step within the follow-up window before the data's end (its latest event; the
    window is the time within which 99% of those who went on did so,
    :func:`jmtools.core.stats.still_open`) are left out of the conversion into the next step
    when any of them has not gone on yet — those who went on too, so that the late period is
    not flattered by its fast finishers (D190, D196). :func:`still_open_note` says how many.

    Parameters
    ----------
    evidence : Evidence
        From :func:`jmtools.evidence.prepare` (``customers=`` for a ``persona`` column).
    split : str or datetime
        The day the change went live.
    by : str, list of str or None, default "persona"
        Customer columns to split by as well.
    level, steps
        As in :func:`jmtools.analyses.funnels.funnel`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~jmtools.analyses.funnels.funnel` with ``period`` ("before",
        "after"; an ordered categorical) after the ``by`` columns. At a step where customers
        are left out as still open, ``n_prev`` and ``n`` count only the others (``conversion``,
        its interval and ``drop_off`` follow); ``rate_from_start`` stays the share of everyone.
        ``attrs["open"]``: a record (dict) per group, period and step with customers left out
        (``step``, ``from_step``, ``left_out``, ``open``, ``window_hours``, ``share``, ``since``, ``end``).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> from jmtools.evidence import prepare
    >>> w = load_world("sample:b2b")
    >>> f = before_after(prepare(w.events, w.journey), "2025-11-07", by=None)
    >>> f.groupby("period", observed=True)["n_customers"].first().tolist()
    [297, 303]
    """
    when = _split(split)
    t = evidence.events
    first = _first_seen(t, getattr(evidence, "company_touchpoints", None))
    cohort = evidence.with_events(t.mutate(period=(first < when).ifelse(*PERIODS)))
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    frame = funnels.funnel(cohort, steps=steps, level=level, by=[*keys, "period"])
    frame, opened = _followed_up(cohort, frame, steps=steps, level=level, by=[*keys, "period"])
    frame["period"] = pd.Categorical(frame["period"], categories=list(PERIODS), ordered=True)
    cols = [frame[k].astype(object).where(frame[k].notna(), None) for k in keys]
    group = pd.Series(list(zip(*cols)) if keys else [()] * len(frame), index=frame.index)
    order = group.map({g: i for i, g in enumerate(dict.fromkeys(group))})   # groups as funnel() orders them
    out = (frame.assign(_g=order).sort_values(["_g", "period", "step_index"], kind="stable")
           .drop(columns="_g").reset_index(drop=True))
    out.attrs["open"] = opened.to_dict("records")   # records, not a frame: pandas compares attrs when concatenating
    return out


def _followed_up(cohort, frame: pd.DataFrame, *, steps, level, by) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame`` (the cohorts' funnel) with, per pair of steps, the customers still open at the data's
    end left out of ``n_prev`` and ``n`` (:func:`jmtools.core.stats.still_open`), and those left out
    per group, period and step."""
    reach = funnels.customer_reach(cohort, steps=steps, level=level, by=by)
    end = cohort.events["timestamp"].max().execute()
    rows = []
    for k in sorted(reach["step_index"].unique())[1:] if end is not None else []:
        prev = reach[reach["step_index"] == k - 1]
        pair = prev.merge(reach.loc[reach["step_index"] == k, ["customer_id", "timestamp"]], on="customer_id",
                          how="left", suffixes=("", "_next"))
        found = still_open(pair["timestamp"], pair["timestamp_next"], end)
        if found is None:
            continue
        recent = pair[found.pop("recent")]
        counts = (recent.assign(left_out=1, went=recent["timestamp_next"].notna().astype(int))
                  .groupby(by, dropna=False, observed=True)[["left_out", "went"]].sum().reset_index())
        counts["open"] = counts["left_out"] - counts["went"]
        rows.append(counts.assign(step_index=k, from_step=prev["step"].iloc[0], window_hours=found["window_hours"],
                                  share=found["share"], since=found["since"], end=found["end"]))
    columns = [*by, "step_index", "from_step", "left_out", "went", "open", "window_hours", "share", "since", "end"]
    opened = pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)
    if not rows:
        return frame, opened.drop(columns="went").assign(step=pd.Series(dtype=object), share=pd.Series(dtype=float))
    hit = frame.merge(opened, on=[*by, "step_index"], how="left")[["left_out", "went"]].fillna(0).astype(int)
    frame = frame.assign(n_prev=frame["n_prev"] - hit["left_out"].to_numpy(), n=frame["n"] - hit["went"].to_numpy())
    frame["conversion"] = (frame["n"] / frame["n_prev"]).where(frame["n_prev"] > 0)
    frame["ci_low"], frame["ci_high"] = wilson_interval(frame["n"].to_numpy(), frame["n_prev"].to_numpy())
    frame["drop_off"] = frame["n_prev"] - frame["n"]
    frame["drop_off_rate"] = 1 - frame["conversion"]
    steps_at = frame.drop_duplicates("step_index").set_index("step_index")["step"]
    return frame, opened.assign(step=opened["step_index"].map(steps_at)).drop(columns="went")


def still_open_note(frame: pd.DataFrame, group=None, *, group_col: str = "persona") -> str:
    """What :func:`before_after` left out as still open at the data's end, in words ("" when nothing).

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`before_after`.
    group : str, optional
        The value of ``group_col`` to say it for (a persona); default every group together.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> from jmtools.evidence import prepare
    >>> w = load_world("sample:ecommerce")
    >>> still_open_note(before_after(prepare(w.events, w.journey), "2025-06-01", by=None))
    ''
    """
    opened = pd.DataFrame(frame.attrs.get("open") or [])
    if opened.empty:
        return ""
    if group is not None and group_col in opened:
        opened = opened[opened[group_col] == group]
    said = []
    for (step_index, step), rows in opened.groupby(["step_index", "step"], sort=True):
        per = rows.groupby("period", observed=True)[["left_out", "open"]].sum()
        if not per["left_out"].sum():
            continue
        r = rows.iloc[0]
        first, later = (count_words(int(per["left_out"].get(p, 0))) for p in PERIODS)
        said.append(f"{r['from_step']} → {step}: {count_words(int(per['left_out'].sum()))} customers reached "
                    f"{r['from_step']} after {r['since']:%d %b %Y} ({first} first seen before the split, {later} "
                    f"on or after it) and "
                    f"{count_words(int(per['open'].sum()))} of them had not gone on by the data's end "
                    f"({r['end']:%d %b %Y}); {r['share']:.0%} of those who went on did so within {r['window_hours'] / 24:,.0f} "
                    "days, so they may still go on. They are left out of that conversion — those who went on "
                    "too, so that the late period is not flattered by its fast finishers.")
    return ("**Still open at the data's end.** " + " ".join(said)) if said else ""




def difference_interval(k1, n1, k2, n2) -> tuple[float, float, float]:
    """The difference of two shares, ``k2/n2 − k1/n1``, with its 95% interval (Newcombe).

    Newcombe's hybrid score interval combines the two Wilson intervals; it behaves well for
    small groups and shares near 0 or 1.

    Examples
    --------
    >>> d, low, high = difference_interval(40, 100, 60, 100)
    >>> round(d, 2), round(low, 3), round(high, 3)
    (0.2, 0.061, 0.328)
    """
    if not (n1 and n2):
        return math.nan, math.nan, math.nan
    d = two_proportions(k1, n1, k2, n2)
    return d.diff, d.ci_low, d.ci_high


def change_at(frame: pd.DataFrame, step: str, *, group=None, group_col: str = "persona") -> dict:
    """Conversion into ``step`` before and after, and the change with its 95% interval.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`before_after`.
    step : str
        A step of the funnel (not the first: conversion is from the previous step).
    group : str, optional
        The value of ``group_col`` to read (a persona); default the frame has no groups.

    Returns
    -------
    dict
        ``step``, ``before`` and ``after`` (each ``{"n_prev", "n", "conversion", "ci_low",
        "ci_high"}``), ``difference`` (after − before), ``ci_low``, ``ci_high`` and
        ``verdict``: "better" or "worse" when the interval excludes 0, else "no evidence".

    Examples
    --------
    >>> f = pd.DataFrame({"period": ["before", "before", "after", "after"], "step_index": [1, 2, 1, 2],
    ...                   "step": ["Browse", "Buy"] * 2, "n": [100, 40, 100, 60], "n_prev": [100] * 4})
    >>> c = change_at(f, "Buy")
    >>> round(c["difference"], 2), c["verdict"]
    (0.2, 'better')
    """
    rows = frame if group is None else frame[frame[group_col] == group]
    rows = rows[rows["step"] == step]
    if rows.empty or int(rows["step_index"].iloc[0]) == 1:
        raise ParameterError("step", step, expected=list(frame.loc[frame["step_index"] > 1, "step"].unique()))
    out = {"step": step}
    for period in PERIODS:
        r = rows[rows["period"] == period]
        n_prev, n = (int(r["n_prev"].iloc[0]), int(r["n"].iloc[0])) if len(r) else (0, 0)
        low, high = wilson_interval(n, n_prev)
        out[period] = {"n_prev": n_prev, "n": n, "conversion": n / n_prev if n_prev else math.nan,
                       "ci_low": low, "ci_high": high}
    d, low, high = difference_interval(out["before"]["n"], out["before"]["n_prev"],
                                       out["after"]["n"], out["after"]["n_prev"])
    verdict = "better" if low > 0 else "worse" if high < 0 else "no evidence"
    out.update(difference=d, ci_low=low, ci_high=high, verdict=verdict)
    return out


def next_version(findings, path, *, stages=None, step: float = 0.1,
                 updated: dt.date | None = None) -> Path:
    """Write the next version of the journey: measured emotions where the assumed ones disagree.

    The journey file of ``findings`` is copied to ``path``; for the focus persona, each stage
    whose assumed emotion disagrees with the measured curve (``findings.gap``: outside the 95%
    interval, enough evidence) gets the measured value, rounded to ``step`` — through the
    emotion-curve editor, so the file keeps its comments. ``version`` goes up by one and
    ``updated`` is set.

    Parameters
    ----------
    findings : jmtools.pipeline.Findings
        A run for one persona (:func:`jmtools.pipeline.run`).
    path : str or Path
        The new file.
    stages : list of str, optional
        The stages to update; default every stage that disagrees.
    updated : datetime.date, optional
        Default today.

    Returns
    -------
    pathlib.Path
    """
    source = getattr(findings.journey, "path", None)
    if source is None:
        raise ParameterError("findings", "a journey without a file",
                             expected="a run on a journey loaded from a file")
    target = Path(path)
    if target.resolve() == Path(source).resolve():
        raise ParameterError("path", str(path), expected="a new file (the old version is kept)")
    gap = findings.gap[(findings.gap["persona"] == findings.focus.persona)]
    wrong = gap[gap["verdict"].isin(["assumed too high", "assumed too low"]) & ~gap["low_evidence"]]
    chosen = list(wrong["stage"]) if stages is None else list(stages)
    measured = gap.set_index("stage")["measured"]
    for stage in chosen:          # unknown, or hidden (fewer than 5 customers): refused, no file written
        if stage not in measured.index or pd.isna(measured[stage]):
            raise ParameterError("stages", stage, expected=[s for s in measured.index if pd.notna(measured[s])],
                                 fix="choose a stage whose measured emotion the report shows")
    shutil.copyfile(source, target)
    editor = CurveEditor(Journey.load(target), persona=findings.focus.persona,
                         measured=findings.curve_focus, journey_path=target)
    for stage in chosen:
        editor.set_assumed(stage, round(round(float(measured[stage]) / step) * step, 6))
        if editor.error:
            raise ParameterError("stages", stage, expected="stages with a measured value", fix=editor.error)
    editor.save()
    journey = Journey.load(target)
    old = journey.version
    journey.version = str(int(old) + 1) if str(old).isdigit() else f"{old or 0}+1"
    journey.updated = updated or dt.date.today()
    journey.save(target)
    return target
