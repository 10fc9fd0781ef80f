"""Policies: what ``protect`` does with each entity (protection) and, later, who may reveal
what (access, Cedar)."""

from jikimi.policy.protection import (
    OPERATORS,
    ColumnRule,
    PolicyError,
    ProtectionPolicy,
    Rule,
    default_policy,
    load_policy,
    parse_policy,
)

__all__ = [
    "OPERATORS",
    "ColumnRule",
    "PolicyError",
    "ProtectionPolicy",
    "Rule",
    "default_policy",
    "load_policy",
    "parse_policy",
]
