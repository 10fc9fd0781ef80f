"""AI Basic Act and PIPA assessment (``jikimi assess``).

Tells an AI operator which duties of Korea's AI Basic Act and PIPA apply to its system, with the
article and source behind each one, and ties each duty to evidence jikimi produced (protect
manifests, audit-log checkpoints). The law is kept as data in ``rules/*.yaml`` so it can be
reviewed and cited; the engine is deterministic and takes "today" as an input.
"""

from __future__ import annotations

from jikimi.assess.engine import Assessment, assess, knowledge_base
from jikimi.assess.model import (
    DescriptionError,
    FieldError,
    SystemDescription,
    load_description,
    parse_description,
)

__all__ = [
    "Assessment", "DescriptionError", "FieldError", "SystemDescription", "assess", "knowledge_base",
    "load_description", "parse_description",
]
