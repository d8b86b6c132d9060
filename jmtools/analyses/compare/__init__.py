"""Before/after and test/control: did a change work, for whom, and how sure can we be?

Step 7 of the method. The flow is::

    obs   = pd.concat([step_observations(evidence),                # conversion, time
                       score_observations(surveys, journey=j, personas=assignment),
                       emotion_observations(emotion_evidence)])
    split = split_by_date(obs, "2026-06-01")     # or stack_groups(a, b), split_by_customers(obs, ids)
    table = compare(split, journey=j)            # one row per measure × persona × step

Every row carries both values, the difference with its 95% interval, an effect size, the
test that suits the kind of number (:mod:`~jmtools.analyses.compare.twosample`), a
Benjamini–Hochberg q-value across the table, a power statement
(:mod:`~jmtools.analyses.compare.power`) and a verdict in words: "improved, likely real", or
"no detectable change with 412 and 398 customers — you would need about 1,600 per group to
see a change of 5.0 points".

The modules, one job each: :mod:`~jmtools.analyses.compare.observations` (what is compared,
and the three splits), :mod:`~jmtools.analyses.compare.twosample` (the tests),
:mod:`~jmtools.analyses.compare.power` (sample sizes) and
:mod:`~jmtools.analyses.compare.table` (the table and its verdicts) and
:mod:`~jmtools.analyses.compare.mix` (how many of the customers counted at a step a contact the
company started brought there, in each group) and :mod:`~jmtools.analyses.compare.still_open` (who may
still go on at the data's end, counted as the funnel counts them). Import the public names from here.
"""

from __future__ import annotations

from jmtools.analyses.compare.mix import (MIX_POINTS, company_contacts, company_only_reach, mix_changes,
                                          reach_mix, share_words)
from jmtools.analyses.compare.observations import (MEASURES, OBSERVATION_COLUMNS,
                                                   emotion_observations, score_observations,
                                                   split_by_customers, split_by_date, stack_groups,
                                                   step_observations)
from jmtools.analyses.compare.still_open import OPEN_COLUMNS, still_open_steps
from jmtools.analyses.compare.power import (cohen_h, detectable_change, effect_for_change,
                                            n_per_group, power_at)
from jmtools.analyses.compare.table import (BETTER, COMPARISON_COLUMNS, MIN_CHANGE, VERDICTS,
                                            compare, compare_cell)
from jmtools.analyses.compare.twosample import (Difference, bh_adjust, two_means, two_medians,
                                                two_nps, two_proportions)

__all__ = [
    "OBSERVATION_COLUMNS", "MEASURES", "COMPARISON_COLUMNS", "VERDICTS", "MIN_CHANGE", "BETTER",
    "step_observations", "score_observations", "emotion_observations",
    "split_by_date", "split_by_customers", "stack_groups",
    "compare", "compare_cell",
    "Difference", "two_proportions", "two_means", "two_nps", "two_medians", "bh_adjust",
    "power_at", "n_per_group", "cohen_h", "effect_for_change", "detectable_change",
    "MIX_POINTS", "company_contacts", "reach_mix", "mix_changes", "share_words",
    "company_only_reach", "OPEN_COLUMNS", "still_open_steps",
]
