"""Protection policy: what ``protect`` does with each entity type or column (``jikimi.toml``).

The defaults follow PIPA by risk tier, so an empty policy is already a safe one:

* tier 1, unique identifiers (PIPA Art. 24; RRN Art. 24-2): reversible encryption under the
  data subject's own key — never in clear, and erasable by ``forget``;
* tier 2, card/account/health numbers (Safety Measures Standard, PIPC Notice 2026-9, which
  requires them encrypted): reversible encryption under the subject's key;
* tier 3, direct identifiers: consistent pseudonyms (keyed tokens, realistic surrogates for
  names), so joins and counts still work (PIPA Art. 2(1-2), pseudonymization);
* tier 4, quasi-identifiers: generalization (birth date → year, postal code → 3 digits).

A policy file may change any of this within limits that keep the file safe: unknown keys are
errors with their line number, and combinations that would let a unique identifier leave in
clear (``keep`` or ``mask`` on a tier-1 type) are refused. Parsing is ``tomllib``; line numbers
come from a small locator because ``tomllib`` does not report them.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jikimi.entities import ALL_ENTITIES, ENTITY_TYPES, get_entity
from jikimi.transform.generalize import GENERALIZE_LEVELS

OPERATORS = (
    "redact", "mask", "label", "token", "fpe", "encrypt", "surrogate", "generalize", "dateshift",
    "keep",
)
"""Every operator name a policy may use (``keep`` leaves the value as it is)."""

REVERSIBLE = frozenset({"fpe", "encrypt"})
TIER1_FORBIDDEN = frozenset({"keep", "mask"})
"""Operators that would leave a unique identifier (or part of it) in clear."""

FPE_TYPES = frozenset({
    "KR_RRN", "KR_FRN", "KR_DRIVER_LICENSE", "KR_PASSPORT", "CREDIT_CARD", "KR_BANK_ACCOUNT",
    "KR_HEALTH_INSURANCE", "PHONE_NUMBER", "KR_BRN", "KR_CRN", "PERSON",
})
DEFAULT_IDENTIFIER_PRIORITY: tuple[str, ...] = (
    "KR_RRN", "KR_FRN", "KR_PASSPORT", "KR_DRIVER_LICENSE", "PHONE_NUMBER", "EMAIL_ADDRESS",
    "PERSON+DATE_OF_BIRTH",
)
"""Which identifier names the data subject of a record, strongest first (issue: RRN > FRN >
passport > phone > email > name+DOB)."""

class PolicyError(ValueError):
    """A policy file problem, with the file and line where it was found."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = path or "<policy>"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


@dataclass(frozen=True, slots=True)
class Rule:
    """What to do with one entity type (or one column)."""

    operator: str
    deterministic: bool = True
    level: str | None = None
    allow_clear: bool = False
    source: str = "default"
    """Where the rule came from: ``default`` (tier), ``type-default``, or ``file:LINE``."""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"operator": self.operator, "source": self.source}
        if self.operator == "encrypt":
            d["deterministic"] = self.deterministic
        if self.level is not None:
            d["level"] = self.level
        if self.allow_clear:
            d["allow_clear"] = True
        return d


@dataclass(frozen=True, slots=True)
class ColumnRule:
    rule: Rule
    entity_type: str | None
    """The entity type the column holds (every non-empty cell is treated as one), or None to
    scan the column's cells like free text."""


@dataclass(frozen=True)
class RiskTargets:
    """What a protected table must achieve before it may be written (``[risk]``)."""

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    k: int
    l: float | None
    t: float | None
    max_suppression: float
    allow_below_target: bool
    hierarchies: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "quasi_identifiers": list(self.quasi_identifiers), "sensitive": list(self.sensitive),
            "k": self.k, "l": self.l, "t": self.t, "max_suppression": self.max_suppression,
            "allow_below_target": self.allow_below_target, "hierarchies": self.hierarchies,
        }


@dataclass(frozen=True)
class ProtectionPolicy:
    """The effective policy: one rule per entity type, optional column rules, scan options."""

    rules: Mapping[str, Rule]
    columns: Mapping[str, ColumnRule] = field(default_factory=dict)
    min_score: float = 0.5
    fields: tuple[str, ...] = ()
    identifier_priority: tuple[str, ...] = DEFAULT_IDENTIFIER_PRIORITY
    risk: RiskTargets | None = None
    source: str | None = None
    digest: str = ""
    """SHA-256 of the policy file bytes (empty for the built-in default), for the manifest."""

    def rule_for(self, entity_type: str) -> Rule:
        return self.rules[entity_type]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source or "built-in defaults",
            "digest": self.digest or None,
            "min_score": self.min_score,
            "fields": list(self.fields),
            "identifier_priority": list(self.identifier_priority),
            "risk": self.risk.to_dict() if self.risk else None,
            "entities": {name: r.to_dict() for name, r in self.rules.items()},
            "columns": {
                name: {**c.rule.to_dict(), "entity_type": c.entity_type}
                for name, c in self.columns.items()
            },
        }


def default_rule(entity_type: str) -> Rule:
    """The taxonomy's default operator for the type (see :mod:`jikimi.entities`), with the
    mildest generalization level and deterministic encryption (joins keep working)."""
    e = get_entity(entity_type)
    op = e.default_operator
    level = GENERALIZE_LEVELS[entity_type][0] if op == "generalize" else None
    return Rule(operator=op, level=level, source=f"tier-{e.tier} default")


def default_policy() -> ProtectionPolicy:
    return ProtectionPolicy(rules={name: default_rule(name) for name in ALL_ENTITIES})


# ---------------------------------------------------------------------------------------------
# loading

_TOP_KEYS = {"defaults", "entities", "columns", "subjects", "scan", "risk"}
_RULE_KEYS = {"operator", "deterministic", "level", "allow_clear", "entity"}
_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"\.]+)\s*=")


def _locate(text: str) -> dict[tuple[str, ...], int]:
    """Line numbers of table headers and keys: (table parts..., key) → 1-based line."""
    where: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for no, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line)
        if m:
            table = tuple(p.strip().strip('"') for p in m.group(1).split("."))
            where.setdefault(table, no)
            continue
        k = _KEY.match(line)
        if k:
            parts = tuple(p.strip('"') for p in k.group(1).split("."))
            where.setdefault(table + parts, no)
    return where


def load_policy(path: str | Path | None) -> ProtectionPolicy:
    """Read ``jikimi.toml`` (None → built-in defaults) and validate it against the rules above."""
    if path is None:
        return default_policy()
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise PolicyError(f"cannot read policy: {exc.strerror}", path=str(p)) from None
    return parse_policy(raw.decode("utf-8", errors="strict"), source=str(p), digest=hashlib.sha256(raw).hexdigest())


def parse_policy(text: str, *, source: str = "<policy>", digest: str = "") -> ProtectionPolicy:
    lines = _locate(text)

    def err(msg: str, *key: str) -> PolicyError:
        line = None
        for n in range(len(key), 0, -1):
            line = lines.get(tuple(key[:n]))
            if line is not None:
                break
        return PolicyError(msg, path=source, line=line)

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"not valid TOML: {exc}", path=source) from None

    for k in doc:
        if k not in _TOP_KEYS:
            raise err(f"unknown section [{k}] (known: {', '.join(sorted(_TOP_KEYS))})", k)

    rules = {name: default_rule(name) for name in ALL_ENTITIES}
    defaults = doc.get("defaults", {})
    _expect_table(defaults, "defaults", err)
    for key, val in defaults.items():
        m = re.fullmatch(r"tier([1-4])", key)
        if not m:
            raise err(f"unknown key defaults.{key} (use tier1 … tier4)", "defaults", key)
        tier = int(m.group(1))
        op = _operator(val, err, "defaults", key)
        for name, e in ENTITY_TYPES.items():
            if e.tier == tier and e.default_operator != "generalize":
                src = f"{source}:{lines.get(('defaults', key))}"
                rules[name] = _check(name, Rule(op, source=src), err, "defaults", key)

    entities = doc.get("entities", {})
    _expect_table(entities, "entities", err)
    for name, spec in entities.items():
        if name not in ENTITY_TYPES:
            raise err(f"unknown entity type {name!r}", "entities", name)
        _expect_table(spec, f"entities.{name}", err, "entities", name)
        rules[name] = _check(name, _rule(spec, err, ("entities", name), source, lines), err, "entities", name)

    columns: dict[str, ColumnRule] = {}
    cols = doc.get("columns", {})
    _expect_table(cols, "columns", err)
    for col, spec in cols.items():
        _expect_table(spec, f"columns.{col}", err, "columns", col)
        etype = spec.get("entity")
        if etype is not None and etype not in ENTITY_TYPES:
            raise err(f"unknown entity type {etype!r} for column {col!r}", "columns", col, "entity")
        rule = _rule(spec, err, ("columns", col), source, lines)
        if etype is not None:
            rule = _check(etype, rule, err, "columns", col)
        elif rule.operator in ("keep", "mask") and not rule.allow_clear:
            raise err(
                f"{rule.operator} on column {col!r} would leave whatever it holds in clear; "
                "name its entity, or set allow_clear = true (unique identifiers stay protected)",
                "columns", col,
            )
        columns[col] = ColumnRule(rule, etype)

    scan = doc.get("scan", {})
    _expect_table(scan, "scan", err)
    min_score = 0.5
    fields: tuple[str, ...] = ()
    for key, val in scan.items():
        if key == "min_score":
            if not isinstance(val, (int, float)) or not 0 <= val <= 1:
                raise err("scan.min_score must be a number in [0, 1]", "scan", key)
            min_score = float(val)
        elif key == "fields":
            if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
                raise err("scan.fields must be a list of field paths", "scan", key)
            fields = tuple(val)
        else:
            raise err(f"unknown key scan.{key} (known: min_score, fields)", "scan", key)

    priority = DEFAULT_IDENTIFIER_PRIORITY
    subjects = doc.get("subjects", {})
    _expect_table(subjects, "subjects", err)
    for key, val in subjects.items():
        if key != "identifier_priority":
            raise err(f"unknown key subjects.{key} (known: identifier_priority)", "subjects", key)
        if not isinstance(val, list) or not val:
            raise err("subjects.identifier_priority must be a non-empty list", "subjects", key)
        for item in val:
            for part in str(item).split("+"):
                if part not in ENTITY_TYPES:
                    raise err(f"unknown entity type {part!r} in identifier_priority", "subjects", key)
        priority = tuple(str(x) for x in val)

    risk_targets = _risk(doc.get("risk", {}), err)

    return ProtectionPolicy(
        rules=rules, columns=columns, min_score=min_score, fields=fields,
        identifier_priority=priority, risk=risk_targets, source=source, digest=digest,
    )


def _risk(risk: Any, err: Any) -> RiskTargets | None:
    """``[risk]``: the re-identification targets ``protect`` must meet on tables (PIPC's
    pseudonymization guidelines expect a risk review before data is shared or moved)."""
    _expect_table(risk, "risk", err)
    if not risk:
        return None
    known = {"quasi_identifiers", "sensitive", "k", "l", "t", "max_suppression", "allow_below_target", "hierarchies"}
    for key in risk:
        if key not in known:
            raise err(f"unknown key risk.{key} (known: {', '.join(sorted(known))})", "risk", key)
    def names(key: str) -> tuple[str, ...]:
        val = risk.get(key, [])
        if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
            raise err(f"risk.{key} must be a list of column names", "risk", key)
        return tuple(val)
    qis = names("quasi_identifiers")
    if not qis:
        raise err("risk needs quasi_identifiers (the columns that single people out together)", "risk")
    k = risk.get("k", 5)
    if not isinstance(k, int) or isinstance(k, bool) or k < 2:
        raise err("risk.k must be an integer >= 2", "risk", "k")
    l_val = risk.get("l")
    if l_val is not None and (not isinstance(l_val, (int, float)) or l_val < 1):
        raise err("risk.l must be a number >= 1", "risk", "l")
    t_val = risk.get("t")
    if t_val is not None and (not isinstance(t_val, (int, float)) or not 0 < t_val <= 1):
        raise err("risk.t must be a number in (0, 1]", "risk", "t")
    sup = risk.get("max_suppression", 0.05)
    if not isinstance(sup, (int, float)) or not 0 <= sup < 1:
        raise err("risk.max_suppression must be a number in [0, 1)", "risk", "max_suppression")
    allow = risk.get("allow_below_target", False)
    if not isinstance(allow, bool):
        raise err("risk.allow_below_target must be true or false", "risk", "allow_below_target")
    sens = names("sensitive")
    if (l_val is not None or t_val is not None) and not sens:
        raise err("risk.l and risk.t need the sensitive columns (risk.sensitive)", "risk")
    hier = risk.get("hierarchies", {})
    if not isinstance(hier, dict) or not all(isinstance(v, str) for v in hier.values()):
        raise err("risk.hierarchies maps a column to a hierarchy name or CSV path", "risk", "hierarchies")
    return RiskTargets(qis, sens, k, None if l_val is None else float(l_val), None if t_val is None else float(t_val), float(sup), allow, dict(hier))


def _expect_table(val: Any, name: str, err: Any, *key: str) -> None:
    if not isinstance(val, dict):
        raise err(f"[{name}] must be a table", *(key or (name,)))


def _operator(val: Any, err: Any, *key: str) -> str:
    if not isinstance(val, str) or val not in OPERATORS:
        raise err(f"unknown operator {val!r} (known: {', '.join(OPERATORS)})", *key)
    return val


def _rule(spec: dict[str, Any], err: Any, key: tuple[str, ...], source: str, lines: dict[tuple[str, ...], int]) -> Rule:
    for k in spec:
        if k not in _RULE_KEYS:
            raise err(f"unknown key {'.'.join(key)}.{k} (known: {', '.join(sorted(_RULE_KEYS))})", *key, k)
    if "operator" not in spec:
        raise err(f"{'.'.join(key)} needs an operator", *key)
    op = _operator(spec["operator"], err, *key, "operator")
    det = spec.get("deterministic", True)
    if not isinstance(det, bool):
        raise err("deterministic must be true or false", *key, "deterministic")
    if "deterministic" in spec and op != "encrypt":
        raise err(f"deterministic applies only to the encrypt operator, not {op!r}", *key, "deterministic")
    level = spec.get("level")
    if level is not None and not isinstance(level, (str, int)):
        raise err("level must be a string", *key, "level")
    allow = spec.get("allow_clear", False)
    if not isinstance(allow, bool):
        raise err("allow_clear must be true or false", *key, "allow_clear")
    line = lines.get(key)
    return Rule(op, det, None if level is None else str(level), allow, f"{source}:{line}" if line else source)


def _check(entity_type: str, rule: Rule, err: Any, *key: str) -> Rule:
    """Refuse combinations that are unsafe or impossible for the entity type."""
    e = get_entity(entity_type)
    op = rule.operator
    if e.tier == 1 and op in TIER1_FORBIDDEN:
        raise err(
            f"{entity_type} is a unique identifier (PIPA Art. 24): {op!r} would leave it in "
            "clear; use encrypt, fpe, redact, token, surrogate, label or generalize",
            *key,
        )
    if op == "keep" and e.tier < 4 and not rule.allow_clear:
        raise err(f"keep leaves {entity_type} in clear; set allow_clear = true to mean it", *key)
    if op == "fpe" and entity_type not in FPE_TYPES:
        raise err(f"fpe needs a numeric or Hangul value; not possible for {entity_type}", *key)
    if op == "dateshift" and entity_type != "DATE_OF_BIRTH":
        raise err(f"dateshift applies to dates, not {entity_type}", *key)
    if op == "generalize":
        levels = GENERALIZE_LEVELS.get(entity_type)
        if levels is None:
            raise err(f"no generalization hierarchy for {entity_type}", *key)
        level = rule.level or levels[0]
        if level not in levels:
            raise err(f"level {level!r} is not one of {', '.join(levels)} for {entity_type}", *key, "level")
        rule = replace(rule, level=level)
    elif rule.level is not None:
        raise err(f"level applies only to generalize, not {op!r}", *key, "level")
    return rule
