"""Re-identification risk: measure k-anonymity, l-diversity, t-closeness and prosecutor /
journalist / marketer risk of a table, and generalise it until it meets targets.

Why in jikimi: PIPC's pseudonymisation guideline asks for a risk review before data leaves
(privacy models k-anonymity, l-diversity and t-closeness are its references), and a table of
ages, 시/군/구 and 성별 can single people out after every direct identifier is gone.
See :mod:`jikimi.risk.api` for the entry points and :mod:`jikimi.risk.mondrian` for the
local-recoding alternative to the lattice search.
"""

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
