"""Pain points: where the journey hurts, for whom, and why we believe it.

Step 5 of the method. Pain points are *detected* from signals in the data and
*merged* with the ones the team wrote in the journey file (assumed), so every row
says where it comes from and what evidence it has.

The flow is (:func:`jmtools.pipeline.run` runs it from a world)::

    found = pipeline.run("data/ecommerce").pain_points   # everything below, at once
    found.table                                 # the ranked table, one row per pain point
    found.evidence                              # every comparison behind it, with n

or, step by step, from the engine's frames (frames in, frames out)::

    signals = combine_signals(
        dropoff_signal(funnel, skips=skips),    # customers who stop (skips: funnels.skipped_steps)
        valence_signal(emotion_evidence),       # negative feelings (surveys, text)
        complaint_signal(tickets, reached),     # complaint volume per customer reached
        slow_step_signal(times),                # time to the next stage
        loop_signal(loops, journey=journey),    # loops ...
        detour_signal(detours, journey=journey))  # ... and detours
    # (collect_signals(evidence, emotion=..., tickets=...) builds all of them)
    found = detect_pain_points(signals, journey=journey, themes=themes)

**How a signal becomes evidence.** Each signal is measured per unit (a stage, or a
touchpoint) and persona, and compared with two baselines:

- *other personas* at the same unit (does this persona suffer more here?);
- *other units* for the same persona (is this stage worse than the rest of the journey?).

A comparison counts as evidence when it is worse than its baseline, significant
(two-sided z ≥ 1.96: a two-proportion z-test for rates, Welch's z for means) and at
least a small effect (``min_effect``, default 0.2): Cohen's *h* for rates
(2·asin√p − 2·asin√p₀) and Cohen's *d* for means (difference ÷ pooled standard
deviation; times are compared on a log scale). Units with fewer than ``min_n``
observations are reported but never flagged.

Loops, detours and slow steps are compared only with the other personas (their level
differs between steps by design); drop-off, negative valence and complaints with both
(``unit_contrast``).

**Score.** What counts for the score is a persona worse than the other personas, and
persona ``"all"`` (everybody) worse than at the other stages or touchpoints. The score of
a place for a persona is the sum over its signals of the largest counted effect size
(capped at 2 per signal; loops and detours weigh half, :data:`SIGNAL_WEIGHTS`); a pain
point's score is the largest over its personas. It
ranks the table; ties (two pain points written for the same touchpoint) are broken by
the negative feedback in their own themes, then by the journey file's severity.
The personas *affected* are, for each flagged signal, those worse there than the
other personas; when no persona stands out (the pain hits everybody), those worse
there than at their other stages. A pain point *recurs* when two or more personas are affected.

**One persona's report** (``persona="Budget Ben"``). The same comparisons, read for that
persona alone: every comparison of the persona that is significantly worse counts (against
the other personas, and against its own other stages or touchpoints), the score, customers
and evidence are the persona's, feedback and quotes are its customers', and the other
personas the place also hurts are named at the end. Where the persona feels significantly
*better* than the other personas, its contact volume (complaints, loops, detours) is not
read as pain. Journey pain points written for other personas only, with no signal for it,
are left out.

**Evidence shown once.** At a touchpoint, signals measured per touchpoint come from that
touchpoint; stage-only signals (drop-off, slow step) come from the stage. Two pain points
resting on the same comparisons show them on the one with most negative feedback in its own
themes; the other says "shares … evidence with …" and keeps its own feedback.

**Where it lives.** Import from this package (``from jmtools.analyses.painpoints import
detect_pain_points``); the modules, bottom to top:

- :mod:`~jmtools.analyses.painpoints.signals` — the signal builders, :func:`collect_signals`
  and :func:`combine_signals`;
- :mod:`~jmtools.analyses.painpoints.places` — one place read as a pain point: its
  comparisons, score, personas affected, value at stake and evidence in words;
- :mod:`~jmtools.analyses.painpoints.focus` — one persona's report;
- :mod:`~jmtools.analyses.painpoints.segment` — a segment beside the customers outside it;
- :mod:`~jmtools.analyses.painpoints.feedback` — themes and quotes attached to pain points;
- :mod:`~jmtools.analyses.painpoints.repeats` — how often customers come back, read as a signal
  the same comparisons judge (no pain point: the reports say it beside the funnel);
- :mod:`~jmtools.analyses.painpoints.detection` — the comparisons, :class:`PainPoints` and
  :func:`detect_pain_points` (merging the journey file's pain points, sharing one place's
  customers, showing each comparison once, ranking);
- ``_common`` — the names and columns they share.
"""

from jmtools.analyses.painpoints._common import (ALL, EVIDENCE_COLUMNS, OUTSIDE, SIGNAL_COLUMNS, SIGNALS,
                                                 TABLE_COLUMNS)
from jmtools.analyses.painpoints.detection import (UNIT_CONTRAST, PainPoints, compare_signals,
                                                   detect_pain_points)
from jmtools.analyses.painpoints.focus import CONTACT_SIGNALS
from jmtools.analyses.painpoints.places import SIGNAL_WEIGHTS
from jmtools.analyses.painpoints.repeats import REPEAT_SIGNAL, repeat_signal
from jmtools.analyses.painpoints.segment import WAIT_COLUMNS, outside_signal, segment_waits
from jmtools.analyses.painpoints.signals import (collect_signals, combine_signals,
                                                 complaint_signal, detour_signal, dropoff_signal,
                                                 loop_signal, observation_signal, rate_signal,
                                                 slow_step_signal, valence_signal)

__all__ = [
    "SIGNALS", "ALL", "OUTSIDE", "SIGNAL_COLUMNS", "TABLE_COLUMNS", "EVIDENCE_COLUMNS", "UNIT_CONTRAST",
    "SIGNAL_WEIGHTS",
    "PainPoints",
    "rate_signal", "observation_signal", "dropoff_signal", "valence_signal", "complaint_signal",
    "slow_step_signal", "loop_signal", "detour_signal", "collect_signals", "combine_signals", "compare_signals", "detect_pain_points",
    "REPEAT_SIGNAL", "repeat_signal",
    "outside_signal", "segment_waits", "WAIT_COLUMNS",
]
