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

The package's modules, one job each: :mod:`~jmtools.analyses.emotions.evidence` (the
evidence frame), :mod:`~jmtools.analyses.emotions.curve` (the curve and its gap to the
assumptions), :mod:`~jmtools.analyses.emotions.moments` (moments of truth) and
:mod:`~jmtools.analyses.emotions.trend` (over time). Import the public names from here.
"""

from __future__ import annotations

from jmtools.analyses.emotions.curve import CURVE_COLUMNS, assumed_gap, emotion_curve, from_behaviour
from jmtools.analyses.emotions.evidence import (EVIDENCE_COLUMNS, complaint_note, emotion_evidence, feeling_basis,
                                               journey_name_notes, journey_places)
from jmtools.analyses.emotions.moments import MOMENT_KINDS, moments_of_truth
from jmtools.analyses.emotions.still_open import open_at_end
from jmtools.analyses.emotions.trend import sentiment_trend, trend_slopes

__all__ = [
    "EVIDENCE_COLUMNS",
    "feeling_basis",
    "complaint_note",
    "CURVE_COLUMNS",
    "MOMENT_KINDS",
    "emotion_evidence",
    "journey_name_notes",
    "journey_places",
    "emotion_curve",
    "moments_of_truth",
    "assumed_gap",
    "from_behaviour",
    "sentiment_trend",
    "trend_slopes",
    "open_at_end",
]
