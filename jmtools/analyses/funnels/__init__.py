"""Funnels, furthest stage, time between stages, transitions, paths, loops and detours.

Every function takes the :class:`~jmtools.evidence.Evidence` from
:func:`jmtools.evidence.prepare` and answers with an aggregation over its prepared
event table, as an Ibis expression that runs where the data lives; only the small result
comes back, as a tidy pandas DataFrame with ``n`` and 95% intervals (Wilson) for rates.

Funnel semantics (the strict, ordered funnel): a customer reaches step *k* when they
have events e1 < e2 < … < ek in time order with step *j* at event ej, each the **first
occurrence after the previous step**; equal timestamps are ordered by input row. An
unordered "did each step at all" count gives different, larger numbers.

``level`` chooses what a step is: a journey ``"stage"`` (default), a ``"touchpoint"``, or a
raw ``"event"`` name. ``by`` splits the results by customer-level columns of the prepared
table (``"persona"``, or any customer attribute joined in); groups and steps with nobody
stay as rows with n = 0, in journey order.

The package's modules, one job each: :mod:`~jmtools.analyses.funnels.steps` (the funnel and
the furthest step), :mod:`~jmtools.analyses.funnels.timing` (time between steps),
:mod:`~jmtools.analyses.funnels.lost` (where the lost were last seen),
:mod:`~jmtools.analyses.funnels.exits` (what comes before leaving at an exit stage) and
:mod:`~jmtools.analyses.funnels.paths` (transitions, paths, detours, loops),
:mod:`~jmtools.analyses.funnels.rounds` (how often customers come back to a touchpoint that repeats); what they share
(checks, by-groups, zero rows, Wilson intervals) is in ``_common``. Import the public names
from here.
"""

from __future__ import annotations

from jmtools.analyses.funnels._common import LEVELS, parse_steps
from jmtools.analyses.funnels.paths import (RepeatBuyers, busiest_steps, detours, largest_detours, loops,
                                            repeat_buyers_unmarked, top_paths, transitions)
from jmtools.analyses.funnels.lost import last_seen
from jmtools.analyses.funnels.exits import REACHED_SHARE, before_leaving
from jmtools.analyses.funnels.rounds import REPEAT_COLUMNS, asked_families, repeat_families, repeat_visits
from jmtools.analyses.funnels.skips import open_lost, skipped_steps
from jmtools.analyses.funnels.steps import customer_reach, funnel, furthest_stage, off_funnel_reach
from jmtools.analyses.funnels.timing import duration_words, time_between_stages

__all__ = [
    "funnel",
    "furthest_stage",
    "customer_reach",
    "off_funnel_reach",
    "skipped_steps",
    "open_lost",
    "last_seen",
    "before_leaving",
    "REACHED_SHARE",
    "time_between_stages",
    "duration_words",
    "transitions",
    "top_paths",
    "detours",
    "loops",
    "REPEAT_COLUMNS",
    "repeat_families",
    "asked_families",
    "repeat_visits",
    "RepeatBuyers",
    "repeat_buyers_unmarked",
    "busiest_steps",
    "largest_detours",
    "LEVELS",
    "parse_steps",
]
