"""Re-identification risk: measure k-anonymity, l-diversity, t-closeness and prosecutor /
journalist / marketer risk of a table, and generalise it until it meets targets.

Why in jikimi: PIPC's pseudonymisation guideline asks for a risk review before data leaves
(privacy models k-anonymity, l-diversity and t-closeness are its references), and a table of
ages, 시/군/구 and 성별 can single people out after every direct identifier is gone.
See :mod:`jikimi.risk.api` for the entry points and :mod:`jikimi.risk.mondrian` for the
local-recoding alternative to the lattice search.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from jikimi._lazy import lazy_exports

if TYPE_CHECKING:
    from jikimi.risk.api import (
        AnonymizationReport,
        RiskReport,
        Targets,
        TargetsNotMet,
        anonymize,
        enforce,
        fix,
        measure,
    )
    from jikimi.risk.mondrian import MondrianReport, mondrian

# Imported on first use (PEP 562), so that ``jikimi.risk.cli``, which the ``jikimi`` command
# registers, does not import pyarrow and numpy with every command.
_EXPORTS: dict[str, str] = {
    "AnonymizationReport": "api", "RiskReport": "api", "Targets": "api", "TargetsNotMet": "api",
    "anonymize": "api", "enforce": "api", "fix": "api", "measure": "api",
    "MondrianReport": "mondrian", "mondrian": "mondrian",
}  # fmt: skip


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)


class _Package(types.ModuleType):
    """``jikimi.risk.mondrian`` is the function, not its submodule, as when this package
    imported it eagerly: the import system binds a submodule to its package once loaded, and
    the submodule is now loaded after the package (by whoever needs it first)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "mondrian" and isinstance(value, types.ModuleType):
            value = value.mondrian
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "AnonymizationReport",
    "MondrianReport",
    "RiskReport",
    "Targets",
    "TargetsNotMet",
    "anonymize",
    "enforce",
    "fix",
    "measure",
    "mondrian",
]
