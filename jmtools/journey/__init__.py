"""The journey file: the model, its YAML round trip, the workshop workbook and the diff.

``from jmtools.journey import Journey`` is the usual entry. The modules, one job each:

- :mod:`~jmtools.journey.model` — the pydantic models and :class:`Journey` with its queries;
- :mod:`~jmtools.journey.yamlio` — reading, locating and writing back the YAML;
- :mod:`~jmtools.journey.checks` — cross-reference checks and the JSON Schema check;
- :mod:`~jmtools.journey.display` — the hook that draws a journey in Jupyter;
- :mod:`~jmtools.journey.claims` — a claim as one line of text (workbook cells);
- :mod:`~jmtools.journey.workbook` — the workshop workbook and :func:`write_workbook
  <jmtools.journey.workbook.write_workbook>`;
- :mod:`~jmtools.journey.workbook_read` — :func:`read_workbook`, back into a Journey;
- :mod:`~jmtools.journey.change` — an opportunity's target and measured outcome;
- :mod:`~jmtools.journey.diff` — :func:`diff_journeys`, what changed (renames recognised);
- :mod:`~jmtools.journey.revisions` — a journey file as it was in a git revision.

This layer imports nothing above :mod:`jmtools.core`. The diff and the workbook reader are
imported on first use (``jmtools.journey.diff_journeys``): reading a journey does not need them.
"""

from jmtools.core.lazy import lazy_names

from jmtools.journey.change import OUTCOME_STATUSES, Outcome, Target
from jmtools.journey.claims import format_claim, parse_claims
from jmtools.journey.model import (LANES, OPPORTUNITY_STATUSES, Claim, Journey, Opportunity,
                                   PainPoint, Persona, PersonaLibrary, PersonaRef, Stage,
                                   Touchpoint, load_journey, load_persona_library,
                                   schema_problems)

__all__ = [
    "Claim", "Persona", "PersonaRef", "Stage", "Touchpoint", "PainPoint", "Opportunity",
    "Journey", "PersonaLibrary", "LANES", "OPPORTUNITY_STATUSES", "load_journey",
    "load_persona_library", "schema_problems", "read_workbook", "diff_journeys",
    "WorkbookImport", "parse_claims", "format_claim", "Target", "Outcome", "OUTCOME_STATUSES",
]

_HOME = {"diff_journeys": "diff", "read_workbook": "workbook_read", "WorkbookImport": "workbook_read"}

__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__)
