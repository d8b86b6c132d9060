"""What a comparison compares: one row per customer and measure, and the groups they fall in.

The observation frame is the common shape of every number a before/after or test/control
comparison looks at (:data:`OBSERVATION_COLUMNS`):

==============  =================================================  =======================
``measure``     ``value``                                          timed at (``timestamp``)
==============  =================================================  =======================
conversion      1 if the customer went on to ``step``, else 0      reaching ``from_step``
time            hours from ``from_step`` to ``step`` (converters)  reaching ``from_step``
csat, ces, nps  the survey answer at ``step`` (a stage or a        the answer
                touchpoint)
emotion         the valence (−2..+2) of one piece of evidence      the evidence
==============  =================================================  =======================

The groups are added as a ``group`` column by one of three splits: :func:`split_by_date`
(two periods of one folder, around a change date), :func:`stack_groups` (two folders) and
:func:`split_by_customers` (customers who saw a change against those who did not).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from jmtools.analyses.funnels import customer_reach
from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.core.stats import still_open
from jmtools.core.vocabulary import NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.evidence import journey_layout

__all__ = ["OBSERVATION_COLUMNS", "MEASURES", "step_observations", "score_observations",
           "emotion_observations", "split_by_date", "split_by_customers", "stack_groups"]

#: Columns of every observation frame.
OBSERVATION_COLUMNS = ["measure", "customer_id", "persona", "from_step", "step", "timestamp",
                       "value"]
#: The measures, in the order comparison tables list them.
MEASURES = ("conversion", "time", "csat", "nps", "ces", "emotion")
_SCORE_METRICS = ("csat", "nps", "ces")


def _frame(rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    persona = out["persona"].astype(object)
    out["persona"] = persona.where(persona.notna() & ~persona.isin([NO_PERSONA, NOT_IN_CUSTOMERS]), None)
    out["timestamp"] = pd.to_datetime(out["timestamp"])
    return out[OBSERVATION_COLUMNS].reset_index(drop=True)


def step_observations(evidence, *, steps=None, level: str = "stage", follow_up: bool = True) -> pd.DataFrame:
    """Conversion (went on or not) and time to the next step, one row per customer and step.

    Uses the strict ordered funnel (:func:`jmtools.analyses.funnels.customer_reach`) of the
    customers' own steps: a contact the company started (a touchpoint marked ``initiated_by:
    company``, a mailing) does not reach a stage where customers act — a customer mailed in March who first came in
    July reaches it in July, and one who was only mailed is not counted there. A step that names
    a touchpoint or an event is taken as named ("received → acted"). The customers counted are
    those :func:`~jmtools.analyses.funnels.funnel` counts (one rule, D243).

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
        Prepared with customers, for a ``persona`` per row (else it is None).
    steps : list of str, optional
        Funnel steps; default the stages that receive events.
    level : {"stage", "touchpoint", "event", "any"}, default "stage"
        As in :func:`~jmtools.analyses.funnels.funnel`.
    follow_up : bool, default True
        Leave out, per pair of steps, the customers who reached ``from_step`` within the
        follow-up window (:func:`jmtools.core.stats.follow_up_window`: the time within which 99%
        of those who went on did so) before the data's end (its latest event) — when any of them
        has not gone on yet: they are still open, not lost (D190). Each persona waits its own
        time (:func:`jmtools.core.stats.still_open`'s ``groups``, D261): one of which 5 or more went
        on its own window, one of which none did is left out whole; a persona of 1–4 and
        customers of none take everyone's. False keeps everyone.

    Returns
    -------
    pandas.DataFrame
        :data:`OBSERVATION_COLUMNS` (``persona`` None for customers without one): a
        ``conversion`` row (value 1 or 0) for every customer who reached ``from_step``, and a
        ``time`` row (hours) for those who went on to ``step``; ``timestamp`` is when the
        customer reached ``from_step``. ``attrs["open"]`` lists the pairs with customers left
        out as still open: ``from_step``, ``step``, ``window_hours``, ``share``, ``since`` (everyone's
        window and cut-off: the customers who reached ``from_step`` after it are left out), ``end``,
        ``left_out`` and ``open`` (those of them who had not gone on), ``personas``: per persona, its
        ``[left_out, open]``, and ``by_group``: per persona waiting its own time, its ``[since,
        window_hours, went]`` (:func:`~jmtools.core.stats.still_open`; empty when every persona takes
        everyone's window, D261).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["view", "pay", "view"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 12:00",
    ...                                                 "2024-01-03 08:00"])})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> step_observations(prepare(ev, j))[["measure", "customer_id", "from_step", "step", "value"]]
          measure customer_id from_step step  value
    0  conversion           a    Browse  Pay    1.0
    1  conversion           b    Browse  Pay    0.0
    2        time           a    Browse  Pay    2.0
    """
    steps = [steps] if isinstance(steps, str) else steps
    if steps is None:
        steps = evidence.mapped_stages if level == "stage" else \
            list(evidence.touchpoints) if level == "touchpoint" else None
    if not steps:
        raise ParameterError("steps", steps, expected="at least two funnel steps",
                             fix="pass steps=[...] (stage, touchpoint or event names in order)")
    has_persona = "persona" in evidence.columns
    reach = customer_reach(evidence, steps=steps, level=level, by="persona" if has_persona else None)
    if not has_persona:
        reach["persona"] = None
    conv, time, opened = [], [], []
    end = _data_end(evidence) if follow_up else None
    for k in range(2, len(steps) + 1):
        prev = reach[reach["step_index"] == k - 1]
        nxt = reach.loc[reach["step_index"] == k, ["customer_id", "timestamp"]]
        pair = prev.merge(nxt, on="customer_id", how="left", suffixes=("", "_next"))
        if end is not None:
            pair = _followed_up(pair, end, _shown(steps[k - 2]), _shown(steps[k - 1]), opened)
        went = pair["timestamp_next"].notna()
        base = {"customer_id": pair["customer_id"], "persona": pair["persona"],
                "from_step": _shown(steps[k - 2]), "step": _shown(steps[k - 1]),
                "timestamp": pair["timestamp"]}
        conv.append(pd.DataFrame({**base, "measure": "conversion", "value": went.astype(float)}))
        hours = (pair["timestamp_next"] - pair["timestamp"]).dt.total_seconds() / 3600
        time.append(pd.DataFrame({**base, "measure": "time", "value": hours})[went.to_numpy()])
    out = _frame(pd.concat(conv + time, ignore_index=True) if conv else {c: [] for c in OBSERVATION_COLUMNS})
    out.attrs["open"] = opened
    return out


def _data_end(evidence):
    """The data's end: the latest event of the prepared evidence (None without one)."""
    end = evidence.events["timestamp"].max().execute()
    return None if end is None or pd.isna(end) else pd.Timestamp(end)


def _followed_up(pair: pd.DataFrame, end, from_step: str, step: str, still_open_rows: list) -> pd.DataFrame:
    """``pair`` without the customers who reached ``from_step`` within the follow-up window before
    ``end``, when any of them has not gone on (D190); the left-out counts appended to ``still_open_rows``."""
    persona = pair["persona"].astype(object)
    groups = persona.where(persona.notna() & ~persona.isin([NO_PERSONA, NOT_IN_CUSTOMERS]), None)
    found = still_open(pair["timestamp"], pair["timestamp_next"], end, groups=groups)   # each persona's wait (D261)
    if found is None:
        return pair
    recent = found.pop("recent")
    left = pair[recent]
    waiting = left["timestamp_next"].isna()
    found["personas"] = {str(p): [int(len(g)), int(waiting[g.index].sum())]     # a persona's note (D199)
                         for p, g in left.groupby("persona", sort=True)}
    still_open_rows.append({"from_step": from_step, "step": step, **found})
    return pair[~recent]


def _shown(step: str) -> str:
    """A step as readers see it: without the ``touchpoint:`` (``stage:``, ``event:``) prefix."""
    kind, _, name = str(step).partition(":")
    return name if name and kind in ("stage", "touchpoint", "event") else str(step)


def _personas_of(frame: pd.DataFrame, personas) -> pd.Series:
    if personas is None:
        return frame["persona"] if "persona" in frame else pd.Series(None, index=frame.index, dtype=object)
    if not {"customer_id", "persona"} <= set(personas.columns):
        raise DataError([Problem(f"personas needs columns 'customer_id' and 'persona' — got "
                                 f"{', '.join(map(str, personas.columns))}", source="personas",
                                 fix="pass the output of jmtools.personas.assign_personas")])
    lookup = personas.drop_duplicates("customer_id").set_index("customer_id")["persona"]
    return frame["customer_id"].map(lookup)


def score_observations(surveys: pd.DataFrame, *, journey, personas: pd.DataFrame | None = None,
                       level: str = "stage") -> pd.DataFrame:
    """Survey answers (CSAT, NPS, CES) as observations at their stage or touchpoint.

    Parameters
    ----------
    surveys : pandas.DataFrame
        Canonical surveys: ``customer_id``, ``timestamp``, ``metric``, ``score`` and a
        ``stage`` or ``touchpoint``.
    journey : Journey or dict
        Maps touchpoints to stages.
    personas : pandas.DataFrame, optional
        ``customer_id, persona`` (:func:`jmtools.personas.assign_personas`).
    level : {"stage", "touchpoint"}, default "stage"
        Where the answers are compared.

    Returns
    -------
    pandas.DataFrame
        :data:`OBSERVATION_COLUMNS`, ``measure`` the metric, ``step`` the stage or touchpoint,
        ``from_step`` None; answers of other metrics and without a place are left out.

    Examples
    --------
    >>> sv = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": pd.to_datetime(["2024-01-01"] * 2),
    ...                    "touchpoint": ["Checkout"] * 2, "metric": ["csat", "nps"], "score": [4, 9]})
    >>> j = {"stages": ["Buy"], "touchpoints": [{"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
    >>> score_observations(sv, journey=j)[["measure", "step", "value"]]
      measure step  value
    0    csat  Buy    4.0
    1     nps  Buy    9.0
    """
    if level not in ("stage", "touchpoint"):
        raise ParameterError("level", level, expected=["stage", "touchpoint"])
    need = {"customer_id", "timestamp", "metric", "score"}
    missing = sorted(need - set(surveys.columns))
    if missing:
        raise DataError([Problem(f"surveys lack column(s) {', '.join(missing)}", source="surveys",
                                 column=missing[0], fix="pass the canonical survey table "
                                 "(customer_id, timestamp, metric, score, touchpoint or stage)")])
    _, tps = journey_layout(journey)
    tp_stage = {name: stage for name, stage, _ in tps}
    place = surveys[level] if level in surveys else pd.Series(None, index=surveys.index, dtype=object)
    if level == "stage" and "touchpoint" in surveys:
        place = place.where(place.notna(), surveys["touchpoint"].map(tp_stage))
    keep = surveys["metric"].isin(_SCORE_METRICS) & place.notna() & surveys["score"].notna()
    rows = surveys[keep]
    return _frame({"measure": rows["metric"].astype(str), "customer_id": rows["customer_id"].astype(str),
                   "persona": _personas_of(rows, personas), "from_step": None,
                   "step": place[keep].astype(str), "timestamp": rows["timestamp"],
                   "value": rows["score"].astype(float)})


def emotion_observations(emotion_evidence: pd.DataFrame, *, level: str = "stage") -> pd.DataFrame:
    """Emotion evidence (:func:`jmtools.analyses.emotions.emotion_evidence`) as observations.

    Returns
    -------
    pandas.DataFrame
        :data:`OBSERVATION_COLUMNS` with ``measure`` = ``"emotion"``, ``value`` the valence and
        ``step`` the stage (or touchpoint); rows without that place are left out.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": ["a"], "timestamp": pd.to_datetime(["2024-01-01"]),
    ...                    "stage": ["Buy"], "touchpoint": ["Checkout"], "persona": ["Ben"],
    ...                    "valence": [-1.0]})
    >>> emotion_observations(ev)[["measure", "persona", "step", "value"]]
       measure persona step  value
    0  emotion     Ben  Buy   -1.0
    """
    if level not in ("stage", "touchpoint"):
        raise ParameterError("level", level, expected=["stage", "touchpoint"])
    rows = emotion_evidence[emotion_evidence[level].notna() & emotion_evidence["valence"].notna()]
    return _frame({"measure": "emotion", "customer_id": rows["customer_id"].astype(str),
                   "persona": rows["persona"] if "persona" in rows else None, "from_step": None,
                   "step": rows[level].astype(str), "timestamp": rows["timestamp"],
                   "value": rows["valence"].astype(float)})


def _timestamp(value, name: str) -> pd.Timestamp:
    try:
        if isinstance(value, str):  # ISO only: "June" is not a date
            return pd.Timestamp(dt.date.fromisoformat(value.strip()[:10]))
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, expected="a date (YYYY-MM-DD)",
                             fix="write the date as 2026-06-01") from None


def split_by_date(observations: pd.DataFrame, date, *, before_days: int | None = None,
                  after_days: int | None = None, gap_days: int = 0,
                  labels: tuple[str, str] = ("before", "after")) -> pd.DataFrame:
    """Two periods of one folder: observations timed before ``date``, and from ``date`` on.

    Parameters
    ----------
    observations : pandas.DataFrame
        An observation frame (:data:`OBSERVATION_COLUMNS`).
    date : str, date or Timestamp
        The change date: the first day of the second period.
    before_days, after_days : int, optional
        Length of each window in days (default: everything on that side).
    gap_days : int, default 0
        Days after ``date`` left out (while the change rolls out).
    labels : (str, str), default ("before", "after")
        The ``group`` values.

    Returns
    -------
    pandas.DataFrame
        The observations inside the windows with a ``group`` column (a copy); ``attrs["split"]``
        says what was compared and how many observations fell outside.

    Examples
    --------
    >>> obs = pd.DataFrame({"measure": "csat", "customer_id": ["a", "b", "c"], "persona": None,
    ...                     "from_step": None, "step": "Buy", "value": [3.0, 4.0, 5.0],
    ...                     "timestamp": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
    >>> split_by_date(obs, "2024-02-01", before_days=10)["group"].tolist()
    ['after', 'after']
    """
    for name, value in (("before_days", before_days), ("after_days", after_days), ("gap_days", gap_days)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                  or value < 0):
            raise ParameterError(name, value, expected="a whole number of days (0 or more)",
                                 fix="use e.g. 28, or leave it out for every day on that side")
    start = _timestamp(date, "date")
    t = observations["timestamp"]
    after_from = start + pd.Timedelta(days=gap_days)
    before = t < start
    if before_days is not None:
        before &= t >= start - pd.Timedelta(days=before_days)
    after = t >= after_from
    if after_days is not None:
        after &= t < after_from + pd.Timedelta(days=after_days)
    out = observations[before | after].copy()
    out["group"] = np.where(before[before | after], labels[0], labels[1])
    out.attrs["split"] = {"kind": "periods", "date": str(start.date()), "labels": list(labels),
                          "before_days": before_days, "after_days": after_days, "gap_days": gap_days,
                          "left_out": int((~(before | after)).sum())}
    return out


def split_by_customers(observations: pd.DataFrame, customers, *,
                       labels: tuple[str, str] = ("control", "test")) -> pd.DataFrame:
    """Two groups of customers: those in ``customers`` (test) against all others (control).

    Examples
    --------
    >>> obs = pd.DataFrame({"measure": "csat", "customer_id": ["a", "b"], "persona": None,
    ...                     "from_step": None, "step": "Buy", "value": [3.0, 4.0],
    ...                     "timestamp": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    >>> split_by_customers(obs, ["b"])["group"].tolist()
    ['control', 'test']
    """
    chosen = set(map(str, customers))
    if not chosen:
        raise ParameterError("customers", [], expected="the ids of at least one customer who saw the change",
                             fix="pass the customer_id values of the test group")
    out = observations.copy()
    out["group"] = np.where(out["customer_id"].astype(str).isin(chosen), labels[1], labels[0])
    out.attrs["split"] = {"kind": "customers", "labels": list(labels), "test_customers": len(chosen)}
    return out


def stack_groups(a: pd.DataFrame, b: pd.DataFrame, *,
                 labels: tuple[str, str] = ("before", "after")) -> pd.DataFrame:
    """Two folders (or any two observation frames) as two groups: ``a`` the baseline.

    Examples
    --------
    >>> obs = pd.DataFrame({"measure": "csat", "customer_id": ["a"], "persona": None, "from_step": None,
    ...                     "step": "Buy", "value": [3.0], "timestamp": pd.to_datetime(["2024-01-01"])})
    >>> stack_groups(obs, obs)["group"].tolist()
    ['before', 'after']
    """
    out = pd.concat([a.assign(group=labels[0]), b.assign(group=labels[1])], ignore_index=True)
    out.attrs["split"] = {"kind": "folders", "labels": list(labels)}
    return out


def _check_columns(observations: pd.DataFrame, group_col: str) -> None:
    missing = [c for c in ["measure", "customer_id", "persona", "from_step", "step", "value", group_col]
               if c not in observations.columns]
    if missing:
        near = suggest(missing[0], observations.columns)
        raise ParameterError("observations" if missing[0] != group_col else "group_col", missing[0],
                             expected="a column of the observations "
                                      f"({', '.join(map(str, observations.columns))})",
                             fix=(f"did you mean {near!r}? " if near else "")
                             + "build them with step_observations() and split_by_date() (or the others)")

