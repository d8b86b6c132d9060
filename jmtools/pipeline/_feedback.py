"""The pipeline's feedback step: complaint themes found once on everybody's feedback (so every
persona's report uses the same words), and the share of them one focus sees."""

from __future__ import annotations

import pandas as pd

from jmtools.analyses import emotions, themes
from jmtools.analyses.complaints import complaint_channel
from jmtools.analyses.privacy import known_ids
from jmtools.core.errors import DataError
from jmtools.core.vocabulary import NO_CUSTOMER

__all__ = ["complaints_placed", "feedback_themes", "placed", "themes_of_focus", "without_customer"]


def placed(frame, journey):
    """``frame`` (surveys, feedback, tickets) with its stage and touchpoint written as the journey
    names them — any case or spacing, a stage from the touchpoint — as the emotion curve reads
    them, so that the KPIs, the complaint signal and the themes count the same rows at the same
    places; unchanged when it names no place the journey has (the data section says so)."""
    if frame is None:
        return None
    try:
        return emotions.journey_places(journey, frame)
    except DataError:         # not one known name: the emotion evidence says so, located
        return frame


def complaints_placed(tables, journey):
    """The tickets and the feedback rows from a complaint channel (D163), placed on the journey: what
    the complaint signal counts. An unrated complaint is no point of the emotion curve (D176), so
    this is where it weighs on a step; rows naming no step of the journey count in the themes, and
    the signal counts them as left out (D186)."""
    tickets, feedback = placed(tables.get("tickets"), journey), tables.get("feedback")
    if feedback is None or not complaint_channel(feedback).any():
        return tickets
    mine = placed(feedback[complaint_channel(feedback)], journey)
    keep = [c for c in ("customer_id", "timestamp", "stage", "touchpoint") if c in mine]
    return mine[keep] if tickets is None else pd.concat([tickets, mine[keep]], ignore_index=True)


def feedback_themes(tables, assignment, journey, n_themes: int, seed: int):
    """Complaint themes of everybody's feedback, and the error that stopped them (or None)."""
    feedback = tables.get("feedback")
    if feedback is None:
        return None, None
    feedback = (feedback.merge(assignment, on="customer_id", how="left") if assignment is not None
                else feedback.assign(persona=None))  # no customer table: nobody is in a persona
    if "customer_id" in feedback:        # a store review: about the product, no persona's (D244)
        feedback = feedback.assign(persona=feedback["persona"].astype(object).where(
            feedback["customer_id"].notna(), NO_CUSTOMER))
    feedback = placed(feedback, journey)   # a stage from the touchpoint (a review tagged only by touchpoint)
    ids = known_ids(tables.get("customers"))   # a text quoting a customer's id reads [customer id] (D157)
    try:  # everybody's feedback, so that every persona's report uses the same words
        return themes.find_themes(feedback, stages=journey.stage_names, n_themes=n_themes,
                                  seed=seed, customer_ids=ids), None
    except DataError as err:
        return None, err


def themes_of_focus(found_themes, focus, journey):
    """The themes as one focus sees them: all of them, or the persona's share."""
    if found_themes is None or focus.everyone:
        return found_themes
    return themes.themes_for(found_themes, persona=focus.persona, stages=journey.stage_names)


def without_customer(world) -> int:
    """How many feedback rows of ``world`` name no customer (store reviews): they count in the
    report for all customers only (D244).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> without_customer(load_world("sample:b2b"))
    0
    """
    loaded = world.tables.get("feedback")
    if loaded is None:
        return 0
    frame = loaded.to_pandas()
    return int(frame["customer_id"].isna().sum()) if "customer_id" in frame else 0
