"""AI Basic Act and PIPA assessment (``jikimi assess``).

Tells an AI operator which duties of Korea's AI Basic Act and PIPA apply to its system, with the
article and source behind each one, and ties each duty to evidence jikimi produced (protect
manifests, audit-log checkpoints). The law is kept as data in ``rules/*.yaml`` so it can be
reviewed and cited; the engine is deterministic and takes "today" as an input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jikimi._lazy import lazy_exports

if TYPE_CHECKING:
    from jikimi.assess.engine import Assessment, assess, knowledge_base
    from jikimi.assess.model import (
        DescriptionError,
        FieldError,
        SystemDescription,
        load_description,
        parse_description,
    )

# Imported on first use (PEP 562), so that ``jikimi.assess.cli``, which the ``jikimi`` command
# registers, does not import the engine (YAML, JSON Schema, the policy) with every command.
_EXPORTS: dict[str, str] = {
    "Assessment": "engine", "assess": "engine", "knowledge_base": "engine",
    "DescriptionError": "model", "FieldError": "model", "SystemDescription": "model",
    "load_description": "model", "parse_description": "model",
}  # fmt: skip


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)


__all__ = [
    "Assessment", "DescriptionError", "FieldError", "SystemDescription", "assess", "knowledge_base",
    "load_description", "parse_description",
]
