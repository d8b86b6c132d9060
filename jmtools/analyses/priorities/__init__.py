"""Opportunities and their priority: impact–effort, RICE, ICE, value at stake, custom formulas.

An *opportunity* is something the business could change; it relieves one or more
pain points and has an owner, a status and a target date. Opportunities come from
the journey file (``opportunities:``) and can be added in a notebook with
:func:`add_opportunity`. Each scoring function adds columns to a copy of the
opportunities frame and never changes its input.

Formulas, as shown to users:

- **Impact–effort quadrant**: *high impact* means ``impact >= impact_threshold``,
  *high effort* means ``effort >= effort_threshold`` (thresholds default to the
  median over the opportunities scored when there are 3 or more; with fewer, no
  quadrant). Quick win = high impact, low effort; big bet = high impact, high
  effort; fill-in = low impact, low effort; money pit = low impact, high effort.
- **RICE** = reach × impact × confidence ÷ effort, with impact on the scale
  3 (massive), 2 (high), 1 (medium), 0.5 (low), 0.25 (minimal), confidence a
  fraction (1.0, 0.8, 0.5 for 100/80/50 %) and effort in person-months.
- **ICE** = impact × confidence × ease, each on 1–10. A confidence given as a
  fraction (0–1, as RICE uses) is read as tenths: 0.8 → 8.
- **Value at stake** = Σ over the linked pain points of (customers affected ×
  lift needed) × order value: the revenue recovered if the pain point's customers
  behaved like the baseline. Customers affected and lift needed come from the
  detected pain points (:func:`jmtools.analyses.painpoints.detect_pain_points`), order value
  from the orders (:func:`average_order_value`); every input is listed in the
  ``value_assumptions`` column. Opportunities that relieve the same pain point claim the
  value of the same customers: a total over several opportunities counts each pain point's
  customers once (:func:`total_value_at_stake`, a union), never the sum of the column.
- **Custom formulas** over the score columns, e.g. ``"value_at_stake / effort"``,
  evaluated safely (arithmetic and a few functions only, see :func:`custom_score`).

The package, one job per module: ``opportunities`` (the opportunities frame, adding one, writing
the backlog back into the journey file), ``frameworks`` (impact–effort, RICE, ICE, custom
formulas), ``stake`` (order value, value at stake) and ``backlog`` (prioritise, rank, export).
Import the names from here.
"""

from __future__ import annotations

from jmtools.analyses.priorities.backlog import (RANKED_BY, export_backlog, prioritise, rank_backlog,
                                                 relieving)
from jmtools.analyses.priorities.frameworks import (MIN_FOR_QUADRANTS, QUADRANTS, RICE_IMPACTS,
                                                    custom_score, ice, impact_effort, rice)
from jmtools.analyses.priorities.opportunities import (OPPORTUNITY_COLUMNS, STATUSES,
                                                       add_opportunity, opportunities_frame,
                                                       write_back)
from jmtools.analyses.priorities.stake import average_order_value, total_value_at_stake, value_at_stake

__all__ = [
    "MIN_FOR_QUADRANTS", "OPPORTUNITY_COLUMNS", "QUADRANTS", "RANKED_BY", "RICE_IMPACTS", "STATUSES",
    "opportunities_frame", "add_opportunity", "impact_effort", "rice", "ice",
    "average_order_value", "value_at_stake", "custom_score", "rank_backlog",
    "prioritise", "export_backlog", "write_back", "relieving", "total_value_at_stake",
]
