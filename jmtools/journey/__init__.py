"""The journey file: the model, its YAML round trip, the workshop workbook and the diff.

``from jmtools.journey import Journey`` is the usual entry; the model lives in
:mod:`jmtools.journey.model`. This layer imports nothing above :mod:`jmtools.core`.
"""

from jmtools.journey.model import (LANES, OPPORTUNITY_STATUSES, Claim, Journey, Opportunity,
                                   PainPoint, Persona, PersonaLibrary, PersonaRef, Stage,
                                   Touchpoint, load_journey, load_persona_library,
                                   schema_problems)

__all__ = [
    "Claim", "Persona", "PersonaRef", "Stage", "Touchpoint", "PainPoint", "Opportunity",
    "Journey", "PersonaLibrary", "LANES", "OPPORTUNITY_STATUSES", "load_journey",
    "load_persona_library", "schema_problems",
]
