"""The emotion curve: valence per persona and stage (or touchpoint), beside the assumed curve.

:func:`emotion_curve` turns the evidence frame of
:func:`~jmtools.analyses.emotions.emotion_evidence` into one point per persona × stage (or
touchpoint) with its n, a percentile bootstrap 95% interval and a ``low_evidence`` flag;
:func:`assumed_gap` sets that curve beside the workshop's assumptions. The bootstrap helpers
here are shared with :mod:`jmtools.analyses.emotions.trend`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.analyses.emotions.evidence import _touchpoint_stages
from jmtools.analyses.emotions.still_open import open_at_end
from jmtools.analyses.valence import ALL_PERSONAS
from jmtools.core.errors import DataError, ParameterError, Problem, whole_number
from jmtools.core.metrics import EVIDENCE_LABELS
from jmtools.core.stats import bootstrap_ci, wilson_interval

__all__ = ["CURVE_COLUMNS", "emotion_curve", "assumed_gap", "from_behaviour"]

#: Columns of :func:`emotion_curve` (``touchpoint`` only with ``by="touchpoint"``).
CURVE_COLUMNS = ["persona", "stage", "touchpoint", "valence", "n", "n_customers", "n_evidence",
                 "ci_low", "ci_high", "low_evidence", "evidence", "sources"]

_STATISTICS = {"mean": np.mean, "median": np.median}


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
    if vals.size and not vals.any() and set(grp["source"]) == {"behaviour"}:
        low = _no_friction_low(vals.size)
    return {"valence": float(fn(vals)) if vals.size else np.nan, "n": int(vals.size),
            "n_customers": int(grp["customer_id"].nunique()), "n_evidence": int(len(grp)),
            "ci_low": low, "ci_high": high,
            "evidence": _label(grp["evidence"]), "sources": _sources(grp["source"])}


def _no_friction_low(n: int) -> float:
    """Lower 95% bound of a behaviour score when none of ``n`` customers met friction.

    Behaviour only pulls down (0 to −2 per customer and stage): resampling n zeros gives the
    interval 0 to 0, which claims more than was seen. What is known is that the share of
    customers with friction is at most Wilson's upper bound for 0 of n, each at worst −2.

    Examples
    --------
    >>> round(_no_friction_low(205), 3)
    -0.037
    """
    return -2 * float(wilson_interval(0, n)[1])


def _persona_frames(evidence: pd.DataFrame, personas, journey=None) -> list[tuple[str, pd.DataFrame]]:
    known = sorted(evidence["persona"].dropna().unique())
    if personas is None and journey is not None and getattr(journey, "persona_names", None):
        personas = [*journey.persona_names, *[p for p in known if p not in journey.persona_names]]
    wanted = known if personas is None else [p for p in personas if p != ALL_PERSONAS]
    frames = [(ALL_PERSONAS, evidence.drop_duplicates("obs_id"))]
    frames += [(p, evidence[evidence["persona"] == p]) for p in wanted]
    return frames


def _check_options(statistic, min_n, by, unit="customer", n_boot=1, seed=0):
    if unit not in ("customer", "evidence"):
        raise ParameterError("unit", unit, expected=["customer", "evidence"])
    if statistic not in _STATISTICS:
        raise ParameterError("statistic", statistic, expected=list(_STATISTICS))
    whole_number("min_n", min_n, fix="pass e.g. 30: fewer customers than that make a point thin evidence")
    whole_number("n_boot", n_boot, fix="pass e.g. 2000 bootstrap resamples")
    whole_number("seed", seed, at_least=0, fix="pass any whole number from 0, e.g. 0")
    if by not in ("stage", "touchpoint"):
        raise ParameterError("by", by, expected=["stage", "touchpoint"])


def _company_only(journey) -> list[str]:
    """The journey's stages where only the company acts (every touchpoint there ``initiated_by:
    company``): a behaviour curve has no point there, and its end is not where customers stop (D242)."""
    who: dict = {}
    for t in getattr(journey, "touchpoints", None) or []:
        get = t.get if isinstance(t, dict) else (lambda k, d=None, t=t: getattr(t, k, d))
        who.setdefault(str(get("stage")), set()).add(get("initiated_by", "customer") or "customer")
    return [s for s, w in who.items() if w == {"company"}]


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
        Output of :func:`~jmtools.analyses.emotions.emotion_evidence` (``stage`` an
        ordered categorical). Behaviour too recent to judge is not used: at a stage where some
        customers reached within its follow-up window before the data's end have not gone on
        (they read as abandoning, yet may still go on), all behaviour there within the window
        is left out (:func:`~jmtools.analyses.emotions.open_at_end`, D196).
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
        counts it. ``attrs["still_open"]`` says what behaviour was left out as still open
        ("" when none).

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
    _check_options(statistic, min_n, by, unit, n_boot, seed)
    if not isinstance(evidence.get("stage", pd.Series(dtype=object)).dtype, pd.CategoricalDtype):
        raise DataError([Problem("evidence needs 'stage' as an ordered categorical (journey order)",
                                 fix="build it with jmtools.analyses.emotions.emotion_evidence(journey, ...)",
                                 source="evidence", column="stage")])
    opened = open_at_end(evidence)           # behaviour too recent to judge (D196)
    evidence = evidence.drop(index=opened.attrs["rows"])
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
    out.attrs.update(statistic=statistic, min_n=min_n, by=by, unit=unit, still_open=opened.attrs["note"],
                     company_stages=_company_only(journey))
    if by == "touchpoint":
        out.attrs["without_touchpoint"] = int(
            evidence.drop_duplicates("obs_id")["touchpoint"].isna().sum())
    return out if by == "touchpoint" else out.drop(columns="touchpoint")


# --------------------------------------------------------------------------- assumed vs measured
def from_behaviour(curve: pd.DataFrame) -> pd.Series:
    """Which points of a curve were measured from behaviour only (friction, never above 0).

    Parameters
    ----------
    curve : pandas.DataFrame
        Output of :func:`emotion_curve` (its ``sources`` column, e.g. ``behaviour (n=40)``).

    Returns
    -------
    pandas.Series of bool
        True where every piece of evidence of the point is behaviour; False without evidence,
        where a survey score or feedback text counts too, or when the curve has no ``sources``.

    Examples
    --------
    >>> curve = pd.DataFrame({"sources": ["behaviour (n=40)", "feedback (n=3), behaviour (n=40)", ""]})
    >>> from_behaviour(curve).tolist()
    [True, False, False]
    """
    if "sources" not in curve:
        return pd.Series(False, index=curve.index)
    return curve["sources"].astype("string").fillna("").str.fullmatch(r"behaviour \(n=\d+\)").astype(bool)


def assumed_gap(curve: pd.DataFrame, assumed: pd.DataFrame) -> pd.DataFrame:
    """Where the workshop's assumed curve and the measured curve disagree, per stage.

    Parameters
    ----------
    curve : pandas.DataFrame
        Stage-level output of :func:`emotion_curve`; through the disclosure rule, its
        ``suppressed`` column is kept in the result.
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
        ``no evidence``, ``no assumption``, ``not shown``: a point the disclosure rule hid,
        which was measured). A point measured from behaviour only (:func:`from_behaviour`) is
        friction, not a feeling, and cannot be above 0: it is never set against the assumed
        feeling (``gap`` and ``agrees`` NA); its verdict says only what behaviour shows,
        ``behaviour cannot tell (friction seen)`` (the interval lies below 0) or
        ``behaviour cannot tell (no friction seen)``.

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
    >>> hidden = curve.assign(valence=[-1.2, np.nan, np.nan], n=[40, np.nan, 0],
    ...                       suppressed=[False, True, False])
    >>> assumed_gap(hidden, assumed)["verdict"].tolist()
    ['assumed too high', 'not shown', 'no evidence']
    >>> did = curve.assign(sources=["behaviour (n=40)", "behaviour (n=40)", ""], valence=[-0.3, 0.0, np.nan],
    ...                    ci_low=[-0.4, -0.05, np.nan], ci_high=[-0.2, 0.0, np.nan])
    >>> assumed_gap(did, assumed)["verdict"].tolist()
    ['behaviour cannot tell (friction seen)', 'behaviour cannot tell (no friction seen)', 'no evidence']
    """
    if "touchpoint" in curve.columns:
        raise ParameterError("curve", "a touchpoint-level curve",
                             expected="a stage-level curve (emotion_curve(..., by='stage'))")
    a = assumed[["persona", "stage", "valence"]].rename(columns={"valence": "assumed"})
    a = a.assign(stage=a["stage"].astype(str), persona=a["persona"].astype(str))
    base = a[a["persona"] == ALL_PERSONAS].drop(columns="persona").rename(
        columns={"assumed": "_all"})
    out = curve.rename(columns={"valence": "measured"})[
        ["persona", "stage", "measured", "n", "ci_low", "ci_high", "low_evidence",
         *(["suppressed"] if "suppressed" in curve else [])]]
    key = out.assign(_stage=out["stage"].astype(str), _persona=out["persona"].astype(str))
    key = key.merge(a.rename(columns={"stage": "_stage", "persona": "_persona"}),
                    on=["_persona", "_stage"], how="left")
    key = key.merge(base.rename(columns={"stage": "_stage"}), on="_stage", how="left")
    key["assumed"] = key["assumed"].fillna(key.pop("_all"))
    did = from_behaviour(curve).to_numpy(bool)   # friction (≤ 0) is no measure of a feeling: not compared
    key["gap"] = (key["measured"] - key["assumed"]).where(~did)
    inside = (key["assumed"] >= key["ci_low"]) & (key["assumed"] <= key["ci_high"])
    both = key["measured"].notna() & key["assumed"].notna() & ~did
    key["agrees"] = inside.astype("boolean").where(both)
    hidden = key["suppressed"].fillna(False).to_numpy(bool) if "suppressed" in key else False
    key["verdict"] = np.select(
        [key["assumed"].isna(), key["measured"].isna() & hidden, key["measured"].isna(),
         did & (key["ci_high"] < 0), did, inside, key["gap"] < 0],
        ["no assumption", "not shown", "no evidence", "behaviour cannot tell (friction seen)",
         "behaviour cannot tell (no friction seen)", "agrees", "assumed too high"], "assumed too low")
    return key.drop(columns=["_stage", "_persona"]).reset_index(drop=True)
