"""The journey-map canvas's evidence: the first steps of the chain and the analyses it draws."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd

from jmtools.analyses import emotions
from jmtools.analyses.kpis import conversion_kpis, stage_kpis
from jmtools.analyses.mapcells import map_cells
from jmtools.core.vocabulary import ALL
from jmtools.evidence import prepare
from jmtools.pipeline._chain import (_KPI_FRAME, MAP_KPIS, _assign, _behaviour_evidence,
                                     _emotion_evidence, load)
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.pipeline._disclosed_grid import disclosed_curve, disclosed_kpis
from jmtools.pipeline._findings import touchpoint_customers

__all__ = ["map_evidence", "map_cells_for", "map_disclosure_note"]


# --------------------------------------------------------------------- the map's evidence
def map_evidence(data, journey=None, *, kpis: Sequence[str] = MAP_KPIS,
                 n_boot: int = 1000) -> dict:
    """Measured evidence for the journey-map canvas, for all customers and every persona.

    Runs the first steps of the chain (load, personas, evidence) and the analyses the
    canvas draws: the emotion curve from surveys and feedback (without either, from
    behaviour), stage conversion from events (Wilson intervals) and survey KPIs per stage —
    each for all customers and per persona, from whichever of those tables exist.

    Parameters
    ----------
    data : str, Path or jmtools.sources.World
        A data folder (or ``"sample:<name>"``) or a loaded world.
    journey : Journey, str or Path, optional
        The map (default ``journey.yaml`` in the folder, or the world's journey).
    kpis : sequence of str, default :data:`MAP_KPIS`
        KPIs to keep (``conversion``, ``reached`` and names of
        :data:`jmtools.analyses.kpis.KPI_FORMULAS`).
    n_boot : int, default 1000
        Bootstrap resamples of the intervals.

    Returns
    -------
    dict
        ``{"emotion": frame, "kpis": frame, "touchpoints": frame}`` (a key is left out when the
        data has no table for it), ready for ``journey_map(..., evidence=...)``. ``kpis`` has
        ``persona, stage, metric, kpi, value, n, ci_low, ci_high``; ``touchpoints`` has
        ``touchpoint, n_customers, persona`` (customers with an event there, all and per persona).
    """
    world = load(data, journey)
    journey = world.journey if journey is None or isinstance(journey, (str, Path)) else journey
    tables = {kind: loaded.to_pandas() for kind, loaded in world.tables.items() if kind != "events"}
    assignment = _assign(tables.get("customers"), journey, None)
    out, frames, prepared = {}, [], None
    if "events" in world.tables:
        prepared = prepare(world.tables["events"], journey, customers=world.tables.get("customers"))
        frames.append(conversion_kpis(prepared, by_persona=assignment is not None))
    ev = _emotion_evidence(tables, journey, assignment)
    ev = ev if ev is not None and len(ev) else _behaviour_evidence(tables, journey, assignment, prepared)
    if ev is not None and len(ev):           # surveys and feedback naming no step: behaviour (D132)
        out["emotion"] = disclosed_curve(emotions.emotion_curve(  # no customer table: "all" only
            ev, journey=journey, n_boot=n_boot, personas=None if assignment is not None else []))
    if "surveys" in tables and {"stage", "touchpoint"} & set(tables["surveys"].columns):  # else no step: no cell
        frames.append(_survey_kpis(world, journey, prepared, assignment is not None))
    if prepared is not None:                 # touchpoints with events are measured (D151), per persona too
        who = [ALL, *(journey.persona_names if assignment is not None else [])]
        out["touchpoints"] = pd.concat([touchpoint_customers(prepared, p).assign(persona=p) for p in who],
                                       ignore_index=True)
    if frames:
        table = pd.concat([f for f in frames if len(f)], ignore_index=True)
        shown = disclosed_kpis(table[table["kpi"].isin(kpis)].reset_index(drop=True))
        out["kpis"] = shown[~shown["suppressed"]].reset_index(drop=True)   # no cell says "hidden"
        out["kpis"].attrs = dict(shown.attrs)
    return out


def map_disclosure_note(evidence: dict | None, min_group: int = MIN_GROUP) -> str:
    """What :func:`map_evidence` left out so that no group of fewer than ``min_group``
    customers is drawn ("" if nothing).

    Examples
    --------
    >>> k = pd.DataFrame({"persona": ["all"], "kpi": ["nps"], "n": [40]})
    >>> k.attrs["hidden_rows"] = 3
    >>> map_disclosure_note({"kpis": k})
    'No group of fewer than 5 customers is drawn (a customer counts once, however many answers they gave): 3 KPI cells are left out.'
    """
    evidence = evidence or {}
    points = int(getattr(evidence.get("emotion"), "attrs", {}).get("hidden_points", 0))
    cells = int(getattr(evidence.get("kpis"), "attrs", {}).get("hidden_rows", 0))
    parts = ([f"{points} emotion point{'s are' if points != 1 else ' is'} drawn without numbers"]
             if points else []) + ([f"{cells} KPI cell{'s are' if cells != 1 else ' is'} left out"]
                                   if cells else [])
    if not parts:
        return ""
    return (f"No group of fewer than {min_group} customers is drawn (a customer counts once, however "
            f"many answers they gave): {'; '.join(parts)}.")


def map_cells_for(data, journey=None, *, persona=None, lanes=None) -> pd.DataFrame:
    """The journey map's cells with measured evidence, as ``jmtools map --data`` draws them."""
    world = load(data, journey)
    return map_cells(world.journey, evidence=map_evidence(world), persona=persona, lanes=lanes)


def _survey_kpis(world, journey, prepared, by_persona: bool) -> pd.DataFrame:
    surveys = world.tables["surveys"]
    parts = [stage_kpis(surveys, journey=journey).assign(persona=ALL)]
    if by_persona and prepared is not None:
        parts.append(stage_kpis(surveys, journey=journey, evidence=prepared, by="persona"))
    k = pd.concat(parts, ignore_index=True)
    k = k[k["persona"].notna()].assign(persona=lambda d: d["persona"].astype(str),
                                       stage=lambda d: d["stage"].astype(str))
    return k[_KPI_FRAME]
