"""The one chain that produces every number: load → focus → personas → evidence → analyses.

Reading :func:`run` top to bottom tells the whole run::

    world      = load_world(folder, journey)           # sources: validated, rejected rows counted
    focus      = resolve_focus(journey, persona, segment)
    tables     = select(world, focus)                  # the segment's customers only, if one is set
                                                       # (select_outside: everyone else's events)
    assignment = assign_personas(customers, journey)   # customer → persona (first rule that selects)
    evidence   = prepare(events, journey, customers)   # events → touchpoint → stage, sorted once
    funnel     → emotion curve → KPIs → pain points → themes → backlog

Every notebook, the report, the ``map`` command and the batch call this module; none of
them re-implements a step. :func:`run` returns a :class:`Findings` holding every result
frame; :func:`map_evidence` adds the per-persona frames the journey-map canvas draws.

Step 7 (test, implement, iterate) ends the same chain differently: :func:`compare_periods`,
:func:`compare_folders` and :func:`compare_groups` compare two groups of customers on every
measure, and :func:`measure_opportunity` writes whether an opportunity worked into the
journey file.

The persona selector is one keyword everywhere: ``persona=`` takes a persona's name or
``"all"`` (:data:`jmtools.core.vocabulary.ALL`) for every customer.
"""

from jmtools.pipeline._chain import (MAP_KPIS, MIN_EFFECT, MIN_N, N_THEMES, SEED, Findings, Focus,
                                     Prepared, load, prepare_evidence, prepare_world, relieving,
                                     resolve_focus, run, select, select_outside)
from jmtools.pipeline._iterate import (Comparison, compare_folders, compare_groups, compare_periods,
                                       measure_opportunity, observe, opportunity_steps)
from jmtools.pipeline._disclosed import (disclosed_paths, disclosed_rows, disclosed_shares, disclosed_steps,
                                        disclosed_table, loss_rates, protecting_rows)
from jmtools.pipeline._disclosed_grid import (disclosed_beside_funnel, disclosed_beside_hidden_counts,
                                             disclosed_curve, disclosed_kpis, disclosed_persona_steps,
                                             funnel_grid_hidden)
from jmtools.pipeline._disclosed_reading import hidden_as_text, with_fewer
from jmtools.pipeline._disclosed_personas import (disclosed_by_persona, disclosed_coverage,
                                                  disclosed_crosstab, disclosed_levels, disclosed_overlaps,
                                                  disclosed_persona_counts, disclosed_persona_rows, hidden_personas,
                                                  size_protectors)
from jmtools.pipeline._disclosed import OTHER, small_personas
from jmtools.pipeline._findings import customer_ids_apart, require_members
from jmtools.pipeline._repeats import REPEAT_COMPARED_COLUMNS, repeat_visits_compared
from jmtools.pipeline._had_time import had_time, open_rows
from jmtools.pipeline._feedback import without_customer
from jmtools.pipeline._map import map_cells_for, map_disclosure_note, map_evidence

__all__ = ["Focus", "Findings", "Prepared", "prepare_world", "prepare_evidence", "run", "resolve_focus",
           "require_members", "customer_ids_apart", "OTHER",
           "load", "select", "select_outside",
           "relieving", "map_evidence", "map_cells_for", "map_disclosure_note", "disclosed_curve",
           "disclosed_rows", "disclosed_steps", "disclosed_table", "disclosed_paths", "disclosed_shares",
           "disclosed_kpis", "with_fewer", "hidden_as_text", "disclosed_persona_rows", "small_personas",
           "disclosed_persona_counts", "disclosed_levels", "disclosed_overlaps", "disclosed_crosstab", "disclosed_coverage",
           "size_protectors", "disclosed_by_persona", "protecting_rows", "loss_rates", "hidden_personas",
           "disclosed_persona_steps", "disclosed_beside_funnel", "funnel_grid_hidden",
           "disclosed_beside_hidden_counts",
           "MAP_KPIS", "MIN_N", "N_THEMES", "SEED",
           "MIN_EFFECT", "Comparison", "observe", "compare_periods", "compare_folders", "compare_groups",
           "measure_opportunity", "opportunity_steps", "REPEAT_COMPARED_COLUMNS", "repeat_visits_compared",
           "open_rows", "had_time", "without_customer"]
