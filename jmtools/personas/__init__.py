"""Personas linked to data: rules, assignment, validation, profiles, suggested clusters, cards.

A persona selects its customers with a **rule** — a small, safe expression over customer
attributes — or with a **cluster id** from :func:`suggest_personas`.

The rule language
-----------------
Python-like expressions, parsed with :mod:`ast` into an allow-listed tree and never evaluated
with ``eval`` (the parser and evaluator live in :mod:`jmtools.core.expressions`, shared with score
formulas; ``RuleError``, ``Rule`` and ``parse_rule`` are re-exported here):

- attributes by name (``age``, ``region``), numbers, ``"text"``, ``True``/``False``
- comparisons ``== != < <= > >=``, chained (``18 <= age < 30``)
- ``and``, ``or``, ``not`` and parentheses
- ``region in ["north", "east"]``, ``region not in [...]``
- arithmetic ``+ - * / %`` on numbers (``spend / orders > 50``)
- null checks ``phone is None`` / ``phone is not None``
- a date attribute compared with an ISO date text (``signup_date >= "2025-01-01"``)

Missing values follow SQL: a comparison with a missing value is unknown, and a customer whose
rule is unknown is not selected (``age > 40`` does not select customers with no age, and nor does
``not age > 40``). Division by zero gives a missing value. The same tree compiles to a pandas mask
(:meth:`Rule.mask`) and to an Ibis boolean expression (:meth:`Rule.to_ibis`), so a rule selects the
same customers on DuckDB, Spark or a warehouse.

``and`` binds tighter than ``or`` (as in Python and SQL): ``a or b and c`` is read as
``a or (b and c)``; such a rule is valid but carries a :class:`RuleWarning` saying so
(:attr:`Rule.warnings`, ``check_personas``, ``Journey.warnings()``, ``jmtools validate``).
SQL spellings (``IS NOT NULL``, ``<>``, ``IN (…)``, ``=``, ``AND``, ``BETWEEN``, ``LIKE 'a%'``)
are refused with the rule rewritten in rule spelling as the fix.

Customers in several personas
-----------------------------
:func:`assign_personas` gives each customer at most one persona: the **first persona in file
order** whose rule selects them. How many customers several personas claim is reported
(``n_personas`` per customer, :func:`coverage_report`, :func:`persona_overlaps`), never hidden.

Everyone else
-------------
The last persona may say ``rest: true`` instead of a rule: it selects every customer no earlier
persona selects (an earlier rule that is unknown for a customer — a missing attribute — does
not select them, so they are in the rest). It never overlaps, and with it no customer of the
customer table is left without a persona.
"""

from __future__ import annotations

from jmtools.core.expressions import MAX_RULE_CHARS, Rule, RuleError, RuleWarning, parse_rule
from jmtools.personas._assign import (NO_PERSONA, assign_personas, check_personas,
                                      coverage_report, persona_filter, persona_masks,
                                      persona_overlaps, runnable_personas)
from jmtools.personas._cards import PersonaCard
from jmtools.personas._cluster_summary import cluster_agreement
from jmtools.personas._clusters import (MIN_CORRELATION, N_INIT, STABILITY_FRACTION,
                                        STABILITY_MIN, STABILITY_PAIRS, VARIES_ICC, VARIES_P,
                                        ClusterSuggestion, suggest_personas)
from jmtools.personas._features import (ONCE_SHARE, TENURE_SPREAD, behaviour_features,
                                        company_event_patterns)
from jmtools.personas._identifiers import BIRTH_NAMES, left_out_attributes, left_out_note
from jmtools.personas._profiles import (KPI_FORMULAS, attribute_profile, persona_kpis,
                                        persona_sizes, strongest_features, typical_events)

__all__ = [
    "NO_PERSONA",
    "RuleError",
    "RuleWarning",
    "Rule",
    "parse_rule",
    "persona_filter",
    "persona_masks",
    "assign_personas",
    "coverage_report",
    "persona_overlaps",
    "check_personas",
    "runnable_personas",
    "persona_sizes",
    "attribute_profile",
    "left_out_attributes",
    "left_out_note",
    "BIRTH_NAMES",
    "strongest_features",
    "persona_kpis",
    "typical_events",
    "behaviour_features",
    "company_event_patterns",
    "suggest_personas",
    "ClusterSuggestion",
    "cluster_agreement",
    "PersonaCard",
    "KPI_FORMULAS",
    "MAX_RULE_CHARS",
    "N_INIT",
    "STABILITY_PAIRS",
    "STABILITY_FRACTION",
    "STABILITY_MIN",
    "MIN_CORRELATION",
    "TENURE_SPREAD",
    "ONCE_SHARE",
    "VARIES_P",
    "VARIES_ICC",
]

# Public classes answer to the package name (tracebacks, reprs, pickles); RuleError and Rule are
# defined in jmtools.core.expressions and keep answering to jmtools.personas, as they always have.
for _cls in (RuleError, RuleWarning, Rule, PersonaCard, ClusterSuggestion):
    _cls.__module__ = __name__
del _cls
