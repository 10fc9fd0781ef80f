"""jikimi (지킴이): Korean personal data for AI on any cloud, protected by safeguards.

The data may travel; the keys and the control stay home. The library API comes first; the CLI
(``jikimi``) and the home service are thin layers over it.
"""

from jikimi.detect import DEFAULT_MIN_SCORE, Finding, Scanner, scan
from jikimi.entities import ALL_ENTITIES, ENTITY_TYPES, EntityType, PipaCategory

__version__ = "0.1.0"

__all__ = [
    "ALL_ENTITIES",
    "DEFAULT_MIN_SCORE",
    "ENTITY_TYPES",
    "EntityType",
    "Finding",
    "PipaCategory",
    "Scanner",
    "__version__",
    "scan",
]
