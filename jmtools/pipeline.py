"""The one chain: load a world → assign personas → prepare evidence → every analysis.

Work in progress of the restructure: the two chain functions below were moved here verbatim
from the canvas and the pain-point module; they become steps of :func:`run`.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from jmtools.analyses.emotions import emotion_curve, emotion_evidence
from jmtools.analyses.funnels import funnel
from jmtools.analyses.kpis import stage_kpis
from jmtools.analyses.painpoints import PainPoints, collect_signals, detect_pain_points
from jmtools.analyses.sentiment import score_texts
from jmtools.analyses.themes import find_themes
from jmtools.analyses.valence import text_valence
from jmtools.core.errors import ParameterError
from jmtools.evidence import prepare
from jmtools.personas import assign_personas
from jmtools.sources import load_world

__all__ = ["MAP_KPIS", "map_evidence", "pain_points_from_world"]


# ------------------------------------------------------------- evidence from data
#: KPIs of :func:`jmtools.analyses.kpis.stage_kpis` the canvas shows by default.
MAP_KPIS = ("conversion", "reached", "csat_mean", "nps", "ces_mean")


def map_evidence(data, journey, *, kpis: Sequence[str] = MAP_KPIS, n_boot: int = 1000):
    """Compute the measured evidence of the canvas from a data folder (or loaded world).

    Runs the package's analyses: the emotion curve from surveys and feedback
    (:func:`jmtools.analyses.emotions.emotion_curve`), stage conversion from events
    (:func:`jmtools.analyses.funnels.funnel`, Wilson intervals) and survey KPIs per stage
    (:func:`jmtools.analyses.kpis.stage_kpis`) — each for all customers and per persona.

    Parameters
    ----------
    data : str, Path or jmtools.sources.World
        Folder with the canonical tables (``events``, ``customers``, ``surveys``,
        ``feedback``…), or a world loaded with :func:`jmtools.sources.load_world`.
    journey : Journey
        The map (stages, touchpoints, persona rules).
    kpis : sequence of str, default :data:`MAP_KPIS`
        KPIs to keep (``conversion``, ``reached``, and names of
        :data:`jmtools.analyses.kpis.KPI_FORMULAS`).
    n_boot : int, default 1000
        Bootstrap resamples of the intervals.

    Returns
    -------
    dict
        ``{"emotion": frame, "kpis": frame}`` (a key is left out when the data has no
        table for it), ready for ``journey_map(..., evidence=...)``. ``kpis`` has
        ``persona, stage, metric, kpi, value, n, ci_low, ci_high``.
    """
    world = load_world(data, journey) if not hasattr(data, "tables") else data
    table = lambda kind: world.tables[kind].to_pandas() if kind in world.tables else None  # noqa
    customers, surveys, feedback = table("customers"), table("surveys"), table("feedback")
    personas = None
    if customers is not None and journey.personas:
        personas = assign_personas(customers, journey)[["customer_id", "persona"]]
    out = {}
    if surveys is not None or feedback is not None:
        ev = emotion_evidence(journey, surveys=surveys, feedback=feedback, personas=personas)
        out["emotion"] = emotion_curve(ev, journey=journey, n_boot=n_boot)
    frames = []
    prepared = None
    if "events" in world.tables:
        prepared = prepare(world.tables["events"], journey,
                           customers=world.tables.get("customers"))
        frames.append(_conversion(prepared, personas is not None))
    if surveys is not None:
        frames.append(_survey_kpis(world, journey, prepared, personas is not None))
    if frames:
        table = pd.concat([f for f in frames if len(f)], ignore_index=True)
        out["kpis"] = table[table["kpi"].isin(kpis)].reset_index(drop=True)
    return out


_KPI_FRAME = ["persona", "stage", "metric", "kpi", "value", "n", "ci_low", "ci_high"]


def _conversion(prepared, by_persona: bool):
    parts = [funnel(prepared).assign(persona="all")]
    if by_persona:
        parts.append(funnel(prepared, by="persona"))
    f = pd.concat(parts, ignore_index=True)
    f = f[f["persona"].notna()]
    first = f["step_index"] == 1
    out = pd.DataFrame({"persona": f["persona"].astype(str), "stage": f["step"].astype(str),
                        "metric": "conversion",
                        "kpi": first.map({True: "reached", False: "conversion"}),
                        "value": f["n"].where(first, f["conversion"]).astype(float),
                        "n": f["n_prev"].where(~first, f["n_customers"]),
                        "ci_low": f["ci_low"].where(~first), "ci_high": f["ci_high"].where(~first)})
    return out[_KPI_FRAME]


def _survey_kpis(world, journey, prepared, by_persona: bool):
    surveys = world.tables["surveys"]
    parts = [stage_kpis(surveys, journey=journey).assign(persona="all")]
    if by_persona and prepared is not None:
        parts.append(stage_kpis(surveys, journey=journey, evidence=prepared, by="persona"))
    k = pd.concat(parts, ignore_index=True)
    k = k[k["persona"].notna()].assign(persona=lambda d: d["persona"].astype(str),
                                       stage=lambda d: d["stage"].astype(str))
    return k[_KPI_FRAME]



def pain_points_from_world(world, *, personas: pd.DataFrame | None = None, n_themes: int = 8,
                           seed: int = 0, min_n: int = 30, min_effect: float = 0.2,
                           n_quotes: int = 3, scorer=None, focus: str | None = None) -> PainPoints:
    """The whole step 5 on a loaded world: evidence, emotion, themes, signals, detection.

    Parameters
    ----------
    world : jmtools.sources.World
        From :func:`jmtools.sources.load_world` (with its journey).
    personas : pandas.DataFrame, optional
        ``customer_id``, ``persona``; default: the journey's persona rules
        (:func:`jmtools.personas.assign_personas`).
    n_themes, seed
        Passed to :func:`jmtools.analyses.themes.find_themes` (negative feedback).
    min_n, min_effect, n_quotes, focus
        Passed to :func:`detect_pain_points` (``focus``: a persona's own report).
    scorer : callable, optional
        Text scorer for feedback sentiment (VADER by default).

    Returns
    -------
    PainPoints
        With ``signals`` and ``themes`` set.
    """
    journey = world.journey
    if journey is None:
        raise ParameterError("world", world, expected="a world loaded with its journey file",
                             fix="load_world(folder, journey='journey.yaml')")
    customers = world.customers.to_pandas() if world.customers is not None else None
    if personas is None and customers is not None and journey.personas:
        personas = assign_personas(customers, journey)[["customer_id", "persona"]]
    events = world.events.table
    if personas is not None:
        import ibis

        personas = personas[["customer_id", "persona"]].astype({"persona": object}).dropna()
        lookup = ibis.memtable(personas.drop_duplicates("customer_id")
                               .rename(columns={"customer_id": "_cid"}))
        events = events.left_join(lookup, events.customer_id == lookup._cid).drop("_cid")
    evidence = prepare(events, journey)
    feedback = world.feedback.to_pandas() if world.feedback is not None else None
    if feedback is not None:  # score the texts once, for the emotion curve and the themes
        feedback["sentiment"] = score_texts(feedback["text"], scorer=scorer, n_jobs=1)
        feedback["valence"] = text_valence(feedback["sentiment"].to_numpy())
    surveys = world.surveys.to_pandas() if world.surveys is not None else None
    emotion = None
    if feedback is not None or surveys is not None:
        emotion = emotion_evidence(journey, surveys=surveys, feedback=feedback,
                                   personas=personas, scorer=scorer, n_jobs=1)
    themes = None
    if feedback is not None:
        if personas is not None:
            feedback = feedback.merge(personas, on="customer_id", how="left")
        themes = find_themes(feedback, n_themes=n_themes, seed=seed,
                             stages=journey.stage_names, scorer=scorer)
    tickets = world.tickets.to_pandas() if world.tickets is not None else None
    signals = collect_signals(evidence, emotion=emotion, tickets=tickets)
    return detect_pain_points(signals, journey=journey, themes=themes, min_n=min_n,
                              min_effect=min_effect, n_quotes=n_quotes, focus=focus)


