"""The emotion curve, computed from evidence, beside the workshop's assumptions.

Step 3 of the method. The flow is::

    evidence = emotion_evidence(journey, surveys=..., feedback=..., personas=...)
    curve    = emotion_curve(evidence, min_n=10)          # per persona × stage, n, 95% CI
    moments  = moments_of_truth(curve)                     # lowest, sharpest drop, peak, end
    gap      = assumed_gap(curve, assumed_valence(journey))
    trend    = sentiment_trend(evidence, freq="M")         # is a stage getting better or worse?

Every value is on the emotion scale −2..+2 (:mod:`jmtools.analyses.valence` documents how
each kind of evidence is mapped). Every point carries its n, a percentile
bootstrap 95% interval (:func:`jmtools.core.stats.bootstrap_ci`), a ``low_evidence``
flag when n is below ``min_n`` (flagged, never hidden), its evidence label and
its sources. Stages are an ordered categorical in journey order; a stage without
evidence stays as a row with n = 0. Persona ``"all"`` is every customer (each
piece of evidence counted once even when a customer belongs to several personas).
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.core.metrics import EVIDENCE_LABELS
from jmtools.analyses.valence import ALL_PERSONAS

__all__ = [
    "EVIDENCE_COLUMNS",
    "CURVE_COLUMNS",
    "MOMENT_KINDS",
    "emotion_evidence",
    "emotion_curve",
    "moments_of_truth",
    "assumed_gap",
    "sentiment_trend",
    "trend_slopes",
]

#: Columns of :func:`emotion_evidence`.
EVIDENCE_COLUMNS = ["customer_id", "timestamp", "stage", "touchpoint", "persona", "valence",
                    "source", "evidence", "obs_id"]

#: Columns of :func:`emotion_curve` (``touchpoint`` only with ``by="touchpoint"``).
CURVE_COLUMNS = ["persona", "stage", "touchpoint", "valence", "n", "n_customers", "n_evidence",
                 "ci_low", "ci_high", "low_evidence", "evidence", "sources"]

#: Kinds of moments of truth, in the order they are reported.
MOMENT_KINDS = ("lowest", "sharpest drop", "peak", "end")

_STATISTICS = {"mean": np.mean, "median": np.median}


# --------------------------------------------------------------------------- evidence
def _stages_of(journey) -> list[str]:
    if isinstance(journey, (list, tuple)):
        return list(journey)
    return list(journey.stage_names)


def _touchpoint_stages(journey) -> dict[str, str]:
    return {t.name: t.stage for t in getattr(journey, "touchpoints", [])}


def _resolve_stage(frame: pd.DataFrame, journey, what: str, stage_col: str,
                   touchpoint_col: str) -> tuple[pd.Series, pd.Series]:
    """Stage and touchpoint per row; stage from the touchpoint where only that is given."""
    stages = _stages_of(journey)
    tp_stage = _touchpoint_stages(journey)
    n = len(frame)
    tp = (frame[touchpoint_col].astype("string") if touchpoint_col in frame
          else pd.Series(pd.NA, index=frame.index, dtype="string"))
    st = (frame[stage_col].astype("string") if stage_col in frame
          else pd.Series(pd.NA, index=frame.index, dtype="string"))
    problems = []
    for name, values, known, role in ((stage_col, st, stages, "stage"),
                                      (touchpoint_col, tp, list(tp_stage), "touchpoint")):
        unknown = sorted(set(values.dropna()) - set(known))
        if unknown and (role == "stage" or tp_stage):
            hint = suggest(unknown[0], known)
            problems.append(Problem(
                f"{len(unknown)} {role} name(s) are not in the journey: "
                f"{', '.join(map(repr, unknown[:5]))} (journey {role}s: {', '.join(known)})",
                fix=(f"did you mean {hint!r}? " if hint else "")
                + f"use the journey's {role} names, or add the {role} to the journey file",
                source=what, column=name))
    if problems:
        raise DataError(problems)
    from_tp = tp.map(tp_stage).astype("string") if tp_stage else st.iloc[:0].reindex(st.index)
    conflict = st.notna() & from_tp.notna() & (st != from_tp)
    if conflict.any():
        i = int(np.flatnonzero(conflict.to_numpy(dtype=bool))[0])
        raise DataError([Problem(
            f"{int(conflict.sum())} rows give a stage that differs from their touchpoint's stage "
            f"(row {i}: stage {st.iloc[i]!r}, touchpoint {tp.iloc[i]!r} is in {from_tp.iloc[i]!r})",
            fix="correct the stage or touchpoint, or leave the stage empty to take it from the "
                "touchpoint", source=what, column=stage_col)])
    stage = st.fillna(from_tp) if n else st
    return stage, tp


def _as_pandas(table):
    """A pandas DataFrame from a DataFrame, a LoadedTable, an Ibis table or a Spark DataFrame."""
    if table is None or isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "events") and hasattr(table, "stages"):  # jmtools.evidence.Evidence
        table = table.events
    if hasattr(table, "to_pandas"):
        return table.to_pandas()
    if hasattr(table, "toPandas"):
        return table.toPandas()
    raise ParameterError("table", type(table).__name__,
                         expected="a pandas DataFrame, a LoadedTable, an Ibis or Spark table")


def _valenced(name: str, frame, journey, **kw) -> pd.DataFrame:
    """Valence rows of one table (computed unless the table already has ``valence``)."""
    from jmtools.analyses import valence as v

    if "valence" in frame.columns:
        out = frame.copy()
        out.attrs["dropped"] = {}
        out["source"] = out["source"] if "source" in out else name
        out["evidence"] = out["evidence"] if "evidence" in out else "reported"
        return out
    if name == "surveys":
        return v.survey_valence(frame, scales=kw["scales"], metrics=kw["metrics"])
    if name == "feedback":
        return v.feedback_valence(frame, scorer=kw["scorer"], n_jobs=kw["n_jobs"])
    return v.behaviour_valence(frame, _stages_of(journey), rules=kw["rules"],
                               customer_col=kw["customer_col"], time_col=kw["time_col"],
                               stage_col=kw["stage_col"])


def _attach_personas(ev: pd.DataFrame, personas, persona_col: str,
                     customer_col: str) -> pd.DataFrame:
    if personas is None:
        ev["persona"] = ev.pop("_persona") if "_persona" in ev else pd.NA
        return ev
    if not {customer_col, "persona"} <= set(personas.columns):
        raise DataError([Problem(
            f"personas table needs columns '{customer_col}' and 'persona' — got "
            f"{', '.join(map(str, personas.columns))}",
            fix="pass the output of jmtools.personas.assign_personas (customer_id, persona)",
            source="personas")])
    table = personas[[customer_col, "persona"]].dropna().drop_duplicates()
    table = table.assign(**{customer_col: table[customer_col].astype("string")})
    ev = ev.drop(columns=["_persona"], errors="ignore")
    return ev.merge(table.rename(columns={customer_col: "customer_id"}), on="customer_id",
                    how="left")


def _evidence_part(name: str, table: pd.DataFrame, journey, *, customer_col, time_col,
                   stage_col, touchpoint_col, persona_col, **kw) -> tuple[pd.DataFrame, dict]:
    """One table's evidence rows in the common shape, and its dropped-row counts."""
    if customer_col not in table.columns:
        hint = suggest(customer_col, table.columns)
        raise DataError([Problem(f"no column {customer_col!r}", source=name, column=customer_col,
                                 fix=f"did you mean {hint!r}?" if hint else "pass customer_col=")])
    rows = _valenced(name, table, journey, customer_col=customer_col, time_col=time_col,
                     stage_col=stage_col, **kw)
    behaviour = name == "behaviour"
    stage, tp = _resolve_stage(rows, journey, name, "stage" if behaviour else stage_col,
                               touchpoint_col)
    cust, time = ("customer_id", "timestamp") if behaviour else (customer_col, time_col)
    part = pd.DataFrame({
        "customer_id": rows[cust].astype("string"),
        "timestamp": pd.to_datetime(rows[time]) if time in rows else pd.NaT,
        "stage": stage, "touchpoint": tp, "valence": rows["valence"].astype(float),
        "source": rows["source"].astype("string"), "evidence": rows["evidence"].astype("string")})
    if persona_col and persona_col in rows.columns:
        part["_persona"] = rows[persona_col].astype("string")
    reasons = dict(rows.attrs.get("dropped", {}))
    reasons["no stage or touchpoint"] = int(part["stage"].isna().sum())
    reasons["no valence"] = int((part["stage"].notna() & part["valence"].isna()).sum())
    keep = part["stage"].notna() & part["valence"].notna()
    return part[keep], {k: v for k, v in reasons.items() if v}


def _with_tickets(events, tickets, journey, *, customer_col, time_col, stage_col,
                  touchpoint_col) -> pd.DataFrame | None:
    """Events plus one ``ticket_opened`` contact event per support ticket, at its stage."""
    if tickets is None:
        return events
    stage, _ = _resolve_stage(tickets, journey, "tickets", stage_col, touchpoint_col)
    extra = pd.DataFrame({customer_col: tickets[customer_col].astype("string"),
                          time_col: pd.to_datetime(tickets[time_col]),
                          "event": "ticket_opened", stage_col: stage})
    if events is None:
        return extra
    keep = events[[customer_col, time_col, "event", stage_col]]
    return pd.concat([keep, extra], ignore_index=True)


def emotion_evidence(journey, *, surveys: pd.DataFrame | None = None,
                     feedback: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                     tickets: pd.DataFrame | None = None,
                     behaviour_rules: Sequence[str] | None = None,
                     personas: pd.DataFrame | None = None, persona_col: str = "persona",
                     scales: Mapping | None = None, metrics: Sequence[str] | None = None,
                     scorer=None, n_jobs: int | None = -1, customer_col: str = "customer_id",
                     time_col: str = "timestamp", stage_col: str = "stage",
                     touchpoint_col: str = "touchpoint") -> pd.DataFrame:
    """Stack every piece of measured or reported evidence as one valence per row.

    Parameters
    ----------
    journey : jmtools.journey.Journey or list of str
        Gives the stage order (and, for a Journey, the stage of each touchpoint).
    surveys, feedback : pandas.DataFrame, optional
        Canonical tables (a :class:`~jmtools.sources.LoadedTable`, Ibis or Spark
        table is brought to pandas first — these tables are small). A table that
        already has a ``valence`` column is used as is (bring your own mapping);
        otherwise :mod:`jmtools.analyses.valence` maps it.
    events : pandas.DataFrame, optional
        Events with a stage per event (e.g. ``jmtools.evidence.prepare(...)``, or its
        ``.events``); used only when ``behaviour_rules`` is given.
    tickets : pandas.DataFrame, optional
        Support tickets (``customer_id``, ``timestamp``, ``stage``/``touchpoint``); with
        ``behaviour_rules`` each ticket is a contact at its stage (``ticket_opened``),
        so two tickets at one stage are repeated contacts.
    behaviour_rules : sequence of str, optional
        Opt into behaviour evidence: any of ``abandonment``, ``errors``,
        ``repeated_contacts`` (see :func:`jmtools.analyses.valence.behaviour_valence`).
    personas : pandas.DataFrame, optional
        ``customer_id``, ``persona`` (from ``jmtools.personas.assign_personas``);
        or leave None and keep a ``persona_col`` column in the tables.
    scales, metrics
        Survey scales and metric selection (:func:`jmtools.analyses.valence.survey_valence`).
    scorer, n_jobs
        Text scorer and processes (:func:`jmtools.analyses.sentiment.score_texts`).
    customer_col, time_col, stage_col, touchpoint_col : str
        Column roles in the input tables.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``timestamp``, ``stage`` (ordered categorical, journey order),
        ``touchpoint``, ``persona`` (NA when the customer has none), ``valence``,
        ``source``, ``evidence`` and ``obs_id`` (one id per piece of evidence; a
        customer in two personas gives two rows with the same id).
        ``attrs["dropped"]`` counts rows not used, per table and reason.

    Examples
    --------
    >>> surveys = pd.DataFrame({"customer_id": ["a", "b"], "metric": ["csat", "csat"],
    ...     "score": [5, 2], "stage": ["Buy", None], "touchpoint": [None, "Cart"],
    ...     "timestamp": pd.to_datetime(["2026-01-02", "2026-01-03"])})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:   # one row has no stage
    ...     warnings.simplefilter("always")
    ...     ev = emotion_evidence(["Browse", "Buy"], surveys=surveys)
    >>> print(caught[0].message)
    evidence without a stage was not used: surveys: 1 rows
    >>> ev[["customer_id", "stage", "valence", "source", "evidence"]]
      customer_id stage  valence       source  evidence
    0           a   Buy      2.0  survey:csat  reported
    >>> ev.attrs["dropped"]
    {'surveys': {'no stage or touchpoint': 1}}
    """
    stages = _stages_of(journey)
    behaviour = None
    if behaviour_rules:
        behaviour = _with_tickets(_as_pandas(events), _as_pandas(tickets), journey,
                                  customer_col=customer_col, time_col=time_col,
                                  stage_col=stage_col, touchpoint_col=touchpoint_col)
    tables = {"surveys": _as_pandas(surveys), "feedback": _as_pandas(feedback),
              "behaviour": behaviour}
    personas = _as_pandas(personas)
    if all(t is None for t in tables.values()):
        raise ParameterError("surveys/feedback/events", None,
                             expected="at least one evidence table",
                             fix="pass surveys=, feedback= or events= with behaviour_rules=")
    parts, dropped = [], {}
    kw = dict(scales=scales, metrics=metrics, scorer=scorer, n_jobs=n_jobs, rules=behaviour_rules,
              customer_col=customer_col, time_col=time_col, stage_col=stage_col,
              touchpoint_col=touchpoint_col, persona_col=persona_col if personas is None else None)
    for name, table in tables.items():
        if table is not None:
            part, dropped[name] = _evidence_part(name, table, journey, **kw)
            parts.append(part)
    ev = pd.concat(parts, ignore_index=True)
    ev["obs_id"] = np.arange(len(ev))
    ev = _attach_personas(ev, personas, persona_col, customer_col)
    ev["stage"] = pd.Categorical(ev["stage"], categories=stages, ordered=True)
    ev["persona"] = ev["persona"].astype("string")
    ev = ev[EVIDENCE_COLUMNS].reset_index(drop=True)
    ev.attrs["dropped"] = {k: v for k, v in dropped.items() if v}
    lost = {k: v for k, v in dropped.items() if v.get("no stage or touchpoint")}
    if lost:
        warnings.warn("evidence without a stage was not used: " + "; ".join(
            f"{k}: {v['no stage or touchpoint']} rows" for k, v in lost.items()), UserWarning,
            stacklevel=2)
    return ev


# --------------------------------------------------------------------------- curve
def _label(evidence: pd.Series) -> str:
    present = set(evidence.dropna())
    return "+".join(lbl for lbl in EVIDENCE_LABELS if lbl in present)


def _sources(source: pd.Series) -> str:
    counts = source.value_counts()
    return ", ".join(f"{s} (n={c})" for s, c in counts.items())


#: Above this many resampled values (n × n_boot) the bootstrap runs on counts per value.
_BOOT_CELLS = 20_000_000


def _bootstrap(vals: np.ndarray, statistic: str, n_boot: int, seed: int) -> tuple[float, float]:
    """Percentile bootstrap interval; large samples resample counts, not values.

    Up to ``_BOOT_CELLS`` resampled values this is :func:`jmtools.core.stats.bootstrap_ci`.
    Beyond, drawing n values with replacement is the same as drawing multinomial counts
    for each distinct value, so the values are put on a 0.001 grid (the emotion scale
    has 4,001 such points) and each resample is a vector of counts — memory grows with
    n_boot × 4,001 instead of n_boot × n. The grid shifts any value by at most 0.0005.
    """
    from jmtools.core.stats import bootstrap_ci

    if vals.size * n_boot <= _BOOT_CELLS:
        return bootstrap_ci(vals, _STATISTICS[statistic], n_boot=n_boot, seed=seed)
    grid, counts = np.unique(np.round(vals, 3), return_counts=True)
    draws = np.random.default_rng(seed).multinomial(vals.size, counts / vals.size, size=n_boot)
    if statistic == "mean":
        stats = draws @ grid / vals.size
    else:
        cum = np.cumsum(draws, axis=1)
        stats = grid[np.argmax(cum >= vals.size / 2, axis=1)]
    return float(np.quantile(stats, 0.025)), float(np.quantile(stats, 0.975))


def _summary(grp: pd.DataFrame, statistic: str, n_boot: int, seed: int, unit: str) -> dict:
    if unit == "customer":
        vals = grp.groupby("customer_id", sort=False)["valence"].mean().to_numpy(dtype=float)
    else:
        vals = grp["valence"].to_numpy(dtype=float)
    fn = _STATISTICS[statistic]
    low, high = _bootstrap(vals, statistic, n_boot, seed)
    return {"valence": float(fn(vals)) if vals.size else np.nan, "n": int(vals.size),
            "n_customers": int(grp["customer_id"].nunique()), "n_evidence": int(len(grp)),
            "ci_low": low, "ci_high": high,
            "evidence": _label(grp["evidence"]), "sources": _sources(grp["source"])}


def _persona_frames(evidence: pd.DataFrame, personas, journey=None) -> list[tuple[str, pd.DataFrame]]:
    known = sorted(evidence["persona"].dropna().unique())
    if personas is None and journey is not None and getattr(journey, "persona_names", None):
        personas = [*journey.persona_names, *[p for p in known if p not in journey.persona_names]]
    wanted = known if personas is None else [p for p in personas if p != ALL_PERSONAS]
    frames = [(ALL_PERSONAS, evidence.drop_duplicates("obs_id"))]
    frames += [(p, evidence[evidence["persona"] == p]) for p in wanted]
    return frames


def _check_options(statistic, min_n, by, unit="customer"):
    if unit not in ("customer", "evidence"):
        raise ParameterError("unit", unit, expected=["customer", "evidence"])
    if statistic not in _STATISTICS:
        raise ParameterError("statistic", statistic, expected=list(_STATISTICS))
    if not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ParameterError("min_n", min_n, expected="a positive int")
    if by not in ("stage", "touchpoint"):
        raise ParameterError("by", by, expected=["stage", "touchpoint"])


def _cells(evidence: pd.DataFrame, by: str, journey) -> list[tuple]:
    """(stage, touchpoint) cells in journey order, including cells without evidence."""
    stages = list(evidence["stage"].cat.categories)
    if by == "stage":
        return [(s, None) for s in stages]
    tps = _touchpoint_stages(journey) if journey is not None else {}
    seen = evidence[["stage", "touchpoint"]].dropna().drop_duplicates()
    for s, t in seen.itertuples(index=False):
        tps.setdefault(t, s)
    cells = [(s, t) for s in stages for t in tps if tps[t] == s]
    return cells


def emotion_curve(evidence: pd.DataFrame, *, by: str = "stage", personas: Sequence[str] | None = None,
                  statistic: str = "mean", unit: str = "customer", min_n: int = 10,
                  journey=None, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """The emotion curve: valence per persona and stage (or touchpoint), with n and 95% CI.

    Parameters
    ----------
    evidence : pandas.DataFrame
        Output of :func:`emotion_evidence` (``stage`` an ordered categorical).
    by : {"stage", "touchpoint"}, default "stage"
        One point per stage, or per touchpoint (touchpoints grouped in stage order).
    personas : sequence of str, optional
        Personas to include besides ``"all"``, in this order; default the journey's
        personas (when ``journey`` is given) then any other persona in the evidence,
        sorted. A persona without evidence gets rows with n = 0.
    statistic : {"mean", "median"}, default "mean"
        The point's value; the interval is the bootstrap interval of the same statistic.
    unit : {"customer", "evidence"}, default "customer"
        What one observation is. ``"customer"``: each customer's evidence at the
        point is averaged first, so a customer who answered CSAT, CES and wrote a
        comment counts once and the interval resamples customers (the independent
        units — pieces from one customer are correlated, and treating them as
        independent makes intervals too narrow). ``"evidence"``: every piece counts.
    min_n : int, default 10
        Points with fewer observations (``n``) are flagged ``low_evidence`` (still shown).
    journey : jmtools.journey.Journey, optional
        Gives the persona order, and with ``by="touchpoint"`` lists touchpoints
        without evidence as rows with n = 0.
    n_boot, seed : int
        Bootstrap resamples and seed (same data → same interval).

    Returns
    -------
    pandas.DataFrame
        ``persona`` (``"all"`` first), ``stage`` (ordered categorical), ``touchpoint``
        (with ``by="touchpoint"``), ``valence``, ``n`` (observations: customers or
        pieces of evidence, see ``unit``), ``n_customers``, ``n_evidence``, ``ci_low``,
        ``ci_high`` (95%), ``low_evidence`` (n < min_n),
        ``evidence`` (labels present, e.g. ``measured+reported``; empty when n = 0)
        and ``sources`` (e.g. ``feedback (n=30), survey:csat (n=12)``). Every stage
        appears for every persona, in journey order. With ``by="touchpoint"``,
        evidence that names only a stage cannot be placed; ``attrs["without_touchpoint"]``
        counts it.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("abcd"), "timestamp": pd.NaT,
    ...     "stage": pd.Categorical(["Buy", "Buy", "Buy", "Browse"],
    ...                             categories=["Browse", "Buy", "Return"], ordered=True),
    ...     "touchpoint": pd.NA, "persona": ["Ben", "Ben", "Maya", "Maya"],
    ...     "valence": [-1.0, -2.0, 1.0, 2.0], "source": "survey:csat",
    ...     "evidence": "reported", "obs_id": range(4)})
    >>> curve = emotion_curve(ev, min_n=2)
    >>> curve[["persona", "stage", "valence", "n", "low_evidence", "sources"]].round(2)
      persona   stage  valence  n  low_evidence            sources
    0     all  Browse     2.00  1          True  survey:csat (n=1)
    1     all     Buy    -0.67  3         False  survey:csat (n=3)
    2     all  Return      NaN  0          True
    3     Ben  Browse      NaN  0          True
    4     Ben     Buy    -1.50  2         False  survey:csat (n=2)
    5     Ben  Return      NaN  0          True
    6    Maya  Browse     2.00  1          True  survey:csat (n=1)
    7    Maya     Buy     1.00  1          True  survey:csat (n=1)
    8    Maya  Return      NaN  0          True
    """
    _check_options(statistic, min_n, by, unit)
    if not isinstance(evidence.get("stage", pd.Series(dtype=object)).dtype, pd.CategoricalDtype):
        raise DataError([Problem("evidence needs 'stage' as an ordered categorical (journey order)",
                                 fix="build it with jmtools.analyses.emotions.emotion_evidence(journey, ...)",
                                 source="evidence", column="stage")])
    cells = _cells(evidence, by, journey)
    rows = []
    for persona, frame in _persona_frames(evidence, personas, journey):
        key = ["stage"] if by == "stage" else ["stage", "touchpoint"]
        groups = {k if isinstance(k, tuple) else (k,): g for k, g in
                  frame.groupby(key, observed=True, sort=False)}
        for stage, tp in cells:
            grp = groups.get((stage,) if by == "stage" else (stage, tp), frame.iloc[:0])
            rows.append({"persona": persona, "stage": stage, "touchpoint": tp,
                         **_summary(grp, statistic, n_boot, seed, unit)})
    out = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    out["stage"] = pd.Categorical(out["stage"], categories=evidence["stage"].cat.categories,
                                  ordered=True)
    out["low_evidence"] = out["n"] < min_n
    out = out.astype({"n": int, "n_customers": int, "n_evidence": int, "low_evidence": bool})
    out.attrs.update(statistic=statistic, min_n=min_n, by=by, unit=unit)
    if by == "touchpoint":
        out.attrs["without_touchpoint"] = int(
            evidence.drop_duplicates("obs_id")["touchpoint"].isna().sum())
    return out if by == "touchpoint" else out.drop(columns="touchpoint")


# --------------------------------------------------------------------------- moments of truth
def _fmt(v: float) -> str:
    return f"{v:+.2f}".replace("-", "−")


def _point_text(r) -> str:
    ci = (f"95% CI {_fmt(r.ci_low)} to {_fmt(r.ci_high)}, " if pd.notna(r.ci_low) else "")
    flag = "; little evidence, treat with care" if r.low_evidence else ""
    return f"{_fmt(r.valence)} ({ci}n={r.n}{flag})"


def _moments_one(persona: str, pts: pd.DataFrame, where: str, min_drop: float) -> list[dict]:
    """Moments of truth of one persona's curve (points with evidence, in journey order)."""
    name = "all customers" if persona == ALL_PERSONAS else persona
    out = []

    def add(kind, r, text, change=np.nan):
        out.append({"persona": persona, "kind": kind, "stage": r.stage,
                    **({"touchpoint": r.touchpoint} if where == "touchpoint" else {}),
                    "valence": r.valence, "change": change, "n": r.n, "ci_low": r.ci_low,
                    "ci_high": r.ci_high, "low_evidence": r.low_evidence, "explanation": text})

    label = (lambda r: f"{r.stage} · {r.touchpoint}") if where == "touchpoint" else (
        lambda r: str(r.stage))
    lowest = pts.loc[pts["valence"].idxmin()]
    add("lowest", lowest, f"Lowest point for {name}: {label(lowest)} at {_point_text(lowest)}.")
    steps = pts["valence"].diff()
    if len(pts) > 1 and steps.min() <= -min_drop:
        i = steps.idxmin()
        r, prev = pts.loc[i], pts.loc[pts.index[pts.index.get_loc(i) - 1]]
        add("sharpest drop", r, f"Sharpest drop for {name}: from {label(prev)} "
            f"({_fmt(prev.valence)}) to {label(r)} ({_point_text(r)}), a change of "
            f"{_fmt(steps[i])}.", change=float(steps[i]))
    peak = pts.loc[pts["valence"].idxmax()]
    add("peak", peak, f"Peak for {name}: {label(peak)} at {_point_text(peak)}. By the peak–end "
        "rule, people judge an experience largely by its most intense moment and its end.")
    end = pts.iloc[-1]
    add("end", end, f"End of the journey for {name}: {label(end)} at {_point_text(end)}; the "
        "last feeling is the one customers remember (peak–end rule).")
    return out


def moments_of_truth(curve: pd.DataFrame, *, include_low_evidence: bool = False,
                     min_drop: float = 0.25) -> pd.DataFrame:
    """Moments of truth per persona: lowest point, sharpest drop, peak and end.

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`emotion_curve` (by stage or by touchpoint).
    include_low_evidence : bool, default False
        By default only points with enough evidence (not ``low_evidence``) can be
        moments; when a persona has none, its points with any evidence are used
        and the moments are flagged ``low_evidence``.
    min_drop : float, default 0.25
        A fall between consecutive points smaller than this (on the −2..+2 scale)
        is not reported as the sharpest drop; a curve that only rises or dips a
        little has none.

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``kind`` (lowest, sharpest drop, peak, end), ``stage``
        (``touchpoint`` too for a touchpoint curve), ``valence``, ``change`` (the
        drop from the previous point with evidence, for *sharpest drop*), ``n``,
        ``ci_low``, ``ci_high``, ``low_evidence`` and ``explanation`` (a sentence
        for tooltips and reports). A persona without any evidence has no rows.

    Examples
    --------
    >>> curve = pd.DataFrame({"persona": "all", "stage": pd.Categorical(
    ...     ["A", "B", "C", "D"], categories=list("ABCD"), ordered=True),
    ...     "valence": [1.0, -1.5, -0.5, 0.5], "n": [30, 30, 2, 30],
    ...     "ci_low": [0.8, -1.7, -1.0, 0.2], "ci_high": [1.2, -1.3, 0.0, 0.8],
    ...     "low_evidence": [False, False, True, False]})
    >>> moments_of_truth(curve)[["kind", "stage", "valence", "change"]]
                kind stage  valence  change
    0         lowest     B     -1.5     NaN
    1  sharpest drop     B     -1.5    -2.5
    2           peak     A      1.0     NaN
    3            end     D      0.5     NaN
    """
    where = "touchpoint" if "touchpoint" in curve.columns else "stage"
    rows = []
    for persona, pts in curve.groupby("persona", sort=False, observed=True):
        pts = pts[pts["n"] > 0]
        strong = pts if include_low_evidence else pts[~pts["low_evidence"]]
        pts = strong if len(strong) else pts
        if len(pts):
            rows += _moments_one(persona, pts.reset_index(drop=True), where, min_drop)
    cols = ["persona", "kind", "stage", *(["touchpoint"] if where == "touchpoint" else []),
            "valence", "change", "n", "ci_low", "ci_high", "low_evidence", "explanation"]
    out = pd.DataFrame(rows, columns=cols)
    out["stage"] = pd.Categorical(out["stage"], categories=curve["stage"].cat.categories,
                                  ordered=True)
    return out


# --------------------------------------------------------------------------- assumed vs measured
def assumed_gap(curve: pd.DataFrame, assumed: pd.DataFrame) -> pd.DataFrame:
    """Where the workshop's assumed curve and the measured curve disagree, per stage.

    Parameters
    ----------
    curve : pandas.DataFrame
        Stage-level output of :func:`emotion_curve`.
    assumed : pandas.DataFrame
        ``persona``, ``stage``, ``valence`` (:func:`jmtools.analyses.valence.assumed_valence`).
        Personas missing there use the ``"all"`` assumption.

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``stage``, ``measured``, ``n``, ``ci_low``, ``ci_high``,
        ``low_evidence``, ``assumed``, ``gap`` (measured − assumed), ``agrees``
        (the assumed value lies inside the 95% interval; NA without both values)
        and ``verdict`` (``assumed too high``, ``assumed too low``, ``agrees``,
        ``no evidence``, ``no assumption``).

    Examples
    --------
    >>> curve = pd.DataFrame({"persona": "all", "stage": pd.Categorical(["A", "B", "C"],
    ...     categories=list("ABC"), ordered=True), "valence": [-1.2, 0.9, np.nan],
    ...     "n": [40, 40, 0], "ci_low": [-1.5, 0.6, np.nan], "ci_high": [-0.9, 1.2, np.nan],
    ...     "low_evidence": [False, False, True]})
    >>> assumed = pd.DataFrame({"persona": "all", "stage": ["A", "B", "C"],
    ...                         "valence": [1.0, 1.0, 0.0]})
    >>> assumed_gap(curve, assumed)[["stage", "measured", "assumed", "gap", "verdict"]]
      stage  measured  assumed  gap            verdict
    0     A      -1.2      1.0 -2.2  assumed too high
    1     B       0.9      1.0 -0.1            agrees
    2     C       NaN      0.0  NaN        no evidence
    """
    if "touchpoint" in curve.columns:
        raise ParameterError("curve", "a touchpoint-level curve",
                             expected="a stage-level curve (emotion_curve(..., by='stage'))")
    a = assumed[["persona", "stage", "valence"]].rename(columns={"valence": "assumed"})
    a = a.assign(stage=a["stage"].astype(str), persona=a["persona"].astype(str))
    base = a[a["persona"] == ALL_PERSONAS].drop(columns="persona").rename(
        columns={"assumed": "_all"})
    out = curve.rename(columns={"valence": "measured"})[
        ["persona", "stage", "measured", "n", "ci_low", "ci_high", "low_evidence"]]
    key = out.assign(_stage=out["stage"].astype(str), _persona=out["persona"].astype(str))
    key = key.merge(a.rename(columns={"stage": "_stage", "persona": "_persona"}),
                    on=["_persona", "_stage"], how="left")
    key = key.merge(base.rename(columns={"stage": "_stage"}), on="_stage", how="left")
    key["assumed"] = key["assumed"].fillna(key.pop("_all"))
    key["gap"] = key["measured"] - key["assumed"]
    inside = (key["assumed"] >= key["ci_low"]) & (key["assumed"] <= key["ci_high"])
    both = key["measured"].notna() & key["assumed"].notna()
    key["agrees"] = inside.astype("boolean").where(both)
    key["verdict"] = np.select(
        [key["assumed"].isna(), key["measured"].isna(), inside, key["gap"] < 0],
        ["no assumption", "no evidence", "agrees", "assumed too high"], "assumed too low")
    return key.drop(columns=["_stage", "_persona"]).reset_index(drop=True)


# --------------------------------------------------------------------------- over time
def _persona_subset(evidence: pd.DataFrame, persona: str) -> pd.DataFrame:
    if persona == ALL_PERSONAS:
        return evidence.drop_duplicates("obs_id")
    known = sorted(evidence["persona"].dropna().unique())
    if persona not in known:
        raise ParameterError("persona", persona, expected=[ALL_PERSONAS, *known])
    return evidence[evidence["persona"] == persona]


def sentiment_trend(evidence: pd.DataFrame, *, freq: str = "M", persona: str = ALL_PERSONAS,
                    unit: str = "customer", min_n: int = 10, n_boot: int = 1000,
                    seed: int = 0) -> pd.DataFrame:
    """Valence per stage and period (month by default): is a stage getting better or worse?

    Parameters
    ----------
    evidence : pandas.DataFrame
        Output of :func:`emotion_evidence` (rows without a timestamp are not used).
    freq : str, default "M"
        A pandas period alias: ``"M"`` month, ``"W"`` week, ``"Q"`` quarter.
    persona : str, default "all"
    unit : {"customer", "evidence"}, default "customer"
        As in :func:`emotion_curve`: average each customer's evidence in the
        period first, or count every piece.
    min_n : int, default 10
        Periods with fewer observations are flagged ``low_evidence``.
    n_boot, seed : int
        Bootstrap resamples and seed.

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``stage`` (ordered categorical), ``period`` (the period's start,
        a timestamp), ``valence`` (mean), ``n`` (observations, see ``unit``), ``ci_low``, ``ci_high``,
        ``low_evidence``; every stage × period between the first and last
        evidence, with n = 0 where a stage had none.

    Examples
    --------
    >>> ev = pd.DataFrame({"customer_id": list("abc"), "obs_id": range(3), "persona": pd.NA,
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-03-02"]),
    ...     "stage": pd.Categorical(["A", "A", "B"], categories=["A", "B"], ordered=True),
    ...     "valence": [1.0, 0.0, -1.0], "source": "feedback", "evidence": "reported"})
    >>> sentiment_trend(ev)[["stage", "period", "valence", "n"]]
      stage     period  valence  n
    0     A 2026-01-01      0.5  2
    1     A 2026-02-01      NaN  0
    2     A 2026-03-01      NaN  0
    3     B 2026-01-01      NaN  0
    4     B 2026-02-01      NaN  0
    5     B 2026-03-01     -1.0  1
    """
    _check_options("mean", min_n, "stage", unit)
    ev = _persona_subset(evidence, persona)
    ev = ev[ev["timestamp"].notna()]
    try:
        period = pd.to_datetime(ev["timestamp"]).dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise ParameterError("freq", freq, expected="a pandas period alias such as 'M', 'W', 'Q'") from exc
    stages = list(evidence["stage"].cat.categories)
    periods = (pd.period_range(period.min(), period.max(), freq=freq) if len(period)
               else pd.PeriodIndex([], freq=freq))
    groups = {k: g for k, g in ev.assign(_p=period).groupby(["stage", "_p"], observed=True)}
    rows = []
    for stage in stages:
        for p in periods:
            grp = groups.get((stage, p), ev.iloc[:0])
            if unit == "customer":
                grp = grp.groupby("customer_id", sort=False)[["valence"]].mean()
            vals = grp["valence"].to_numpy(dtype=float)
            low, high = _bootstrap(vals, "mean", n_boot, seed)
            rows.append((persona, stage, p.start_time, vals.mean() if vals.size else np.nan,
                         vals.size, low, high))
    out = pd.DataFrame(rows, columns=["persona", "stage", "period", "valence", "n", "ci_low",
                                      "ci_high"])
    out["stage"] = pd.Categorical(out["stage"], categories=stages, ordered=True)
    out["period"] = pd.to_datetime(out["period"])
    out["n"] = out["n"].astype(int)
    out["low_evidence"] = out["n"] < min_n
    out.attrs.update(unit=unit, min_n=min_n, freq=freq)
    return out


def trend_slopes(evidence: pd.DataFrame, *, persona: str = ALL_PERSONAS,
                 unit_days: float = 30.4375) -> pd.DataFrame:
    """Linear trend of valence per stage: change per month, with a 95% interval.

    Ordinary least squares of each piece of evidence's valence on its time; the
    interval is slope ± 1.96 standard errors (normal approximation).

    Parameters
    ----------
    evidence : pandas.DataFrame
        Output of :func:`emotion_evidence`.
    persona : str, default "all"
    unit_days : float, default 30.4375
        Length of the time unit of the slope (a mean month).

    Returns
    -------
    pandas.DataFrame
        ``persona``, ``stage``, ``slope_per_month``, ``ci_low``, ``ci_high``, ``n``
        and ``direction`` (``improving`` / ``worsening`` when the interval
        excludes 0, else ``no clear trend``; ``too little evidence`` below 3 points).

    Examples
    --------
    >>> t = pd.to_datetime("2026-01-01") + pd.to_timedelta(np.arange(60) * 3, "D")
    >>> ev = pd.DataFrame({"obs_id": range(60), "persona": pd.NA, "timestamp": t,
    ...     "stage": pd.Categorical(["A"] * 60, categories=["A", "B"], ordered=True),
    ...     "valence": np.linspace(-1, 1, 60)})
    >>> trend_slopes(ev)[["stage", "n", "direction"]]
      stage   n           direction
    0     A  60           improving
    1     B   0  too little evidence
    """
    from jmtools.core.stats import Z95

    ev = _persona_subset(evidence, persona)
    ev = ev[ev["timestamp"].notna()]
    rows = []
    for stage in evidence["stage"].cat.categories:
        g = ev[ev["stage"] == stage]
        x = (pd.to_datetime(g["timestamp"]) - pd.Timestamp("1970-01-01")).dt.total_seconds()
        x, y = x.to_numpy() / 86400 / unit_days, g["valence"].to_numpy(dtype=float)
        slope = lo = hi = np.nan
        if len(x) >= 3 and np.ptp(x) > 0:
            xc = x - x.mean()
            slope = float((xc * (y - y.mean())).sum() / (xc ** 2).sum())
            resid = y - y.mean() - slope * xc
            se = float(np.sqrt((resid ** 2).sum() / (len(x) - 2) / (xc ** 2).sum()))
            lo, hi = slope - Z95 * se, slope + Z95 * se
        direction = ("too little evidence" if np.isnan(slope) else "improving" if lo > 0
                     else "worsening" if hi < 0 else "no clear trend")
        rows.append((persona, stage, slope, lo, hi, len(x), direction))
    out = pd.DataFrame(rows, columns=["persona", "stage", "slope_per_month", "ci_low", "ci_high",
                                      "n", "direction"])
    out["stage"] = pd.Categorical(out["stage"], categories=evidence["stage"].cat.categories,
                                  ordered=True)
    return out
