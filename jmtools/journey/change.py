"""What a change is and what it did: an opportunity's target and its measured outcome.

An opportunity that has gone live carries the date of the change and what it targets, so a
comparison can run around that date; the comparison writes its result next to the
opportunity, so the backlog closes the loop::

    opportunities:
      - id: show-fees-early
        title: Show the delivery fee on the product page and in the cart
        status: done
        change_date: 2026-06-01          # the first day with the change
        target:                          # where it acts and for whom (all optional)
          touchpoint: Checkout
          persona: Budget Ben
          to: Order confirmation         # "went on" means reaching this (default: the next stage)
          measure: conversion            # conversion | time | csat | nps | ces | emotion
        outcome:                         # written by jmtools.pipeline.measure_opportunity
          status: improved               # improved | worse | no detectable change | too few
          measured_on: 2026-12-01
          measure: conversion Checkout → Order confirmation (Budget Ben)
          before: 0.31
          after: 0.47
          effect: 0.16
          ci_low: 0.08
          ci_high: 0.24
          p_value: 0.0001
          n_before: 260
          n_after: 270
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from jmtools.journey.checks import _known

__all__ = ["Target", "Outcome", "CHANGE_MEASURES", "OUTCOME_STATUSES", "target_problems"]

#: What an opportunity's outcome can be measured on.
CHANGE_MEASURES = ("conversion", "time", "csat", "nps", "ces", "emotion")
#: The status of a measured outcome.
OUTCOME_STATUSES = ("improved", "worse", "no detectable change", "too few")

Measure = Literal["conversion", "time", "csat", "nps", "ces", "emotion"]
Status = Literal["improved", "worse", "no detectable change", "too few"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True,
                              use_attribute_docstrings=True)


class Target(_Model):
    """Where a change acts and for whom, so that its outcome can be measured.

    Examples
    --------
    >>> Target(touchpoint="Checkout", persona="Budget Ben").measure
    'conversion'
    """

    touchpoint: str | None = None
    """The touchpoint the change was made at (default: the first stage's customers)."""
    persona: str | None = None
    """The persona it is for (default: every customer)."""
    to: str | None = None
    """A later touchpoint or stage: reaching it counts as going on (default: the next stage)."""
    measure: Measure = "conversion"
    """conversion (default) · time (to ``to``) · csat, nps, ces (answers at the touchpoint) ·
    emotion (evidence at the touchpoint)."""


class Outcome(_Model):
    """What the comparison around the change date measured (written by jmtools, not by hand).

    Examples
    --------
    >>> Outcome(status="improved", measured_on="2026-12-01", measure="conversion",
    ...         effect=0.16, ci_low=0.08, ci_high=0.24).measured_on
    datetime.date(2026, 12, 1)
    """

    status: Status
    """improved · worse · no detectable change · too few (customers to tell)."""
    measured_on: dt.date
    measure: str
    """What was compared, in words."""
    before: float | None = None
    after: float | None = None
    effect: float | None = None
    """after − before, in the measure's units (a rate as a share: 0.16 = 16 points)."""
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    n_before: int | None = None
    n_after: int | None = None


def target_problems(targets: list, touchpoints: list[str], stages: list[str], personas: list[str],
                    add) -> None:
    """Report targets naming unknown touchpoints, personas or steps (``add(path, message, fix)``).

    ``targets`` is a list of ``(opportunity index, Target or None)``.
    """
    for i, target in targets:
        if target is None:
            continue
        if target.touchpoint is not None:
            _known(target.touchpoint, touchpoints, ("opportunities", i, "target", "touchpoint"),
                   "touchpoint", add)
        if target.persona is not None:
            _known(target.persona, personas, ("opportunities", i, "target", "persona"), "persona", add)
        if target.to is not None:
            _known(target.to, [*touchpoints, *stages], ("opportunities", i, "target", "to"),
                   "touchpoint or stage", add)
