"""The system description: a typed view of ``system.yaml`` and its validation.

Why a JSON Schema *and* Python checks: the schema (``schema/system.schema.json``) documents the
format for operators and other tools, and catches types, enums and unknown keys (typos such as
``use_area`` would otherwise silently drop a high-impact area). A few rules cannot be said
clearly in a schema, such as "each compute stage gives exactly one estimation method", so they
are checked here. Every problem is reported as ``field.path: what was expected, what was found``
and all problems are reported at once, so an operator fixes a file in one pass.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped, unused-ignore]

LISTED_AREAS: tuple[str, ...] = (
    "energy", "drinking_water", "healthcare", "medical_device", "nuclear",
    "biometric_investigation", "rights_decisions", "transport", "public_decisions",
    "student_assessment",
)
"""AI Basic Act Art. 2(4)(a)-(j) [A1]; ``other`` is accepted but is not a listed area."""

UNIQUE_IDS = frozenset({"rrn", "passport", "drivers_license", "alien_registration"})
"""PIPA Art. 24 unique identifiers: a closed set of four [P9][P31]."""

SENSITIVE = frozenset({
    "beliefs", "union_party", "political_views", "health", "sex_life", "genetic",
    "criminal_record", "biometric", "race_ethnicity",
})
"""PIPA Art. 23 and its decree [P8][P30]. ``biometric`` here means identifying biometrics."""

ENCRYPT_AT_REST = frozenset(
    {"rrn", "passport", "drivers_license", "alien_registration", "card_number",
     "account_number", "biometric"}
)
"""The Safety Measures Standard Art. 7(2) items [S1] (reference section 5, item 3)."""


_Loader: Any = type("_Loader", (yaml.SafeLoader,), {})
"""Safe loader that also reads YAML 1.2 floats such as ``1e26`` and ``3.5e8`` as numbers
(PyYAML follows YAML 1.1, where they are strings) - compute figures are written that way."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


class DescriptionError(ValueError):
    """An invalid system description; ``errors`` lists every problem with its field path."""

    def __init__(self, source: str, errors: list[FieldError]) -> None:
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{source}: invalid system description ({len(errors)} problem(s)):\n{lines}")


@dataclass(frozen=True, slots=True, order=True)
class FieldError:
    """One problem: the dotted field path (``transfers[0].basis``) and a message."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class DomesticAgent:
    name: str
    address: str = ""
    appointed_in_writing: bool = False
    reported: bool = False


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    role: str
    korean_address_or_office: bool
    prior_year_revenue_krw: float | None = None
    ai_service_revenue_krw: float | None = None
    avg_daily_korean_users: int | None = None
    fined_for_ignoring_order: bool = False
    prior_notice_offences: int = 0
    domestic_agent: DomesticAgent | None = None


@dataclass(frozen=True, slots=True)
class ThirdPartyModel:
    provider: str
    unchanged: bool
    model: str = ""


@dataclass(frozen=True, slots=True)
class AISystem:
    purpose: str
    use_areas: tuple[str, ...]
    name: str = ""
    significant_impact: bool = True
    fully_automated_final_decision: bool = False
    generative: bool = False
    output_media: tuple[str, ...] = ()
    realistic_synthetic_media: bool = False
    internal_use_only: bool = False
    ai_use_obvious: bool = False
    national_security_only: bool = False
    affects_korea: bool = True
    third_party_model: ThirdPartyModel | None = None


@dataclass(frozen=True, slots=True)
class ComputeRun:
    """One training stage; exactly one of the three estimation methods is filled in."""

    stage: str = "pretraining"
    flops: float | None = None
    parameters: float | None = None
    tokens: float | None = None
    accelerator: str | None = None
    count: int | None = None
    days: float | None = None
    utilization: float | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Training:
    state_of_the_art: bool = False
    broad_serious_risk: bool = False
    compute: tuple[ComputeRun, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonalData:
    used: bool = False
    categories: tuple[str, ...] = ()
    pseudonymized: bool = False
    purpose: str | None = None
    subjects_count: int | None = None
    combines_other_controllers: bool = False
    manifests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Transfer:
    destination: str
    items: tuple[str, ...]
    basis: str
    recipient: str = ""
    mode: str | None = None
    separate_consent: bool = False
    legal_reference: str = ""
    disclosed_in_privacy_policy: bool = False
    contract_safeguards: bool = False
    certification: str = ""
    certified_since: dt.date | None = None
    measures_abroad: bool = False
    onward_transfer: bool = False
    manifests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EvidenceRefs:
    checkpoints: tuple[str, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()
    """(name, path-or-URL) pairs, sorted by name."""


@dataclass(frozen=True, slots=True)
class SystemDescription:
    """A validated description; ``base_dir`` resolves the relative evidence paths in it."""

    operator: Operator
    system: AISystem
    name: str = ""
    training: Training = field(default_factory=Training)
    personal_data: PersonalData = field(default_factory=PersonalData)
    transfers: tuple[Transfer, ...] = ()
    evidence: EvidenceRefs = field(default_factory=EvidenceRefs)
    base_dir: Path = field(default_factory=Path)
    source: str = "<description>"

    @property
    def title(self) -> str:
        return self.name or self.system.name or self.system.purpose


@lru_cache(maxsize=1)
def system_schema() -> dict[str, Any]:
    """The bundled JSON Schema (package data)."""
    text = resources.files("jikimi.assess").joinpath("schema/system.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _plain(obj: Any) -> Any:
    # YAML turns 2025-01-01 into a date; the schema (and JSON) speak strings
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    return obj


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _join(base: str, key: str) -> str:
    return key if base == "(top level)" else f"{base}.{key}"


def _show(v: Any) -> str:
    s = json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= 60 else s[:57] + "..."


_TYPE_WORDS = {
    "object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
    "integer": "a whole number", "boolean": "true or false", "null": "null",
}


def _describe(err: ValidationError) -> list[FieldError]:
    where = _path(err.absolute_path)
    v, sch, inst = err.validator, err.schema, err.instance
    hint = f" ({sch['description']})" if isinstance(sch, dict) and "description" in sch else ""
    if v == "required":
        missing = [k for k in err.validator_value if isinstance(inst, dict) and k not in inst]
        return [FieldError(_join(where, k), "required field is missing") for k in missing]
    if v == "additionalProperties":
        known = sorted(sch.get("properties", {}))
        extra = sorted(k for k in inst if k not in sch.get("properties", {}))
        if not known:
            return [FieldError(_join(where, k), f"unexpected value {_show(inst[k])}") for k in extra]
        return [
            FieldError(_join(where, k), f"unknown field (expected one of: {', '.join(known)})")
            for k in extra
        ]
    if v == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        want = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types)
        return [FieldError(where, f"expected {want}, got {_show(inst)}")]
    if v == "enum":
        opts = ", ".join(str(x) for x in err.validator_value)
        return [FieldError(where, f"expected one of: {opts}; got {_show(inst)}")]
    if v == "const":
        return [FieldError(where, f"expected {_show(err.validator_value)}, got {_show(inst)}")]
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sym = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}[v]
        return [FieldError(where, f"expected a number {sym} {err.validator_value}, got {_show(inst)}")]
    if v == "pattern":
        return [FieldError(where, f"expected text matching {err.validator_value}{hint}, got {_show(inst)}")]
    if v == "minItems":
        return [FieldError(where, f"expected at least {err.validator_value} item(s), got none")]
    if v == "uniqueItems":
        return [FieldError(where, f"expected each item once, got duplicates in {_show(inst)}")]
    if v == "minLength":
        return [FieldError(where, "expected a non-empty string")]
    if v == "propertyNames":
        return [FieldError(where, f"expected lower_snake_case names, got {_show(inst)}")]
    return [FieldError(where, err.message)]


_METHODS = (("flops",), ("parameters", "tokens"), ("accelerator", "count", "days", "utilization"))


def _check_runs(data: dict[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    runs = data.get("training", {}).get("compute", [])
    for i, run in enumerate(runs if isinstance(runs, list) else []):
        if not isinstance(run, dict):
            continue
        where = f"training.compute[{i}]"
        touched = [m for m in _METHODS if any(k in run for k in m)]
        if len(touched) != 1:
            errs.append(FieldError(where, (
                "expected exactly one method: flops; parameters + tokens; or accelerator + count"
                f" + days + utilization (got {'none' if not touched else ' and '.join('+'.join(m) for m in touched)})"
            )))
            continue
        for k in touched[0]:
            if k not in run:
                errs.append(FieldError(f"{where}.{k}", f"required with {', '.join(touched[0])}"))
    return errs


def _check_dates(data: dict[str, Any]) -> list[FieldError]:
    errs = []
    for i, t in enumerate(data.get("transfers", []) or []):
        if isinstance(t, dict) and isinstance(t.get("certified_since"), str):
            try:
                dt.date.fromisoformat(t["certified_since"])
            except ValueError:
                errs.append(FieldError(f"transfers[{i}].certified_since",
                                       f"expected a date YYYY-MM-DD, got {_show(t['certified_since'])}"))
    return errs


def validate(data: Any) -> list[FieldError]:
    """All problems in a parsed description, sorted by field path (empty when valid)."""
    data = _plain(data)
    if not isinstance(data, dict):
        return [FieldError("(top level)", f"expected a mapping, got {_show(data)}")]
    errs: list[FieldError] = []
    for e in Draft202012Validator(system_schema()).iter_errors(data):
        errs.extend(_describe(e))
    if not errs:
        errs = _check_runs(data) + _check_dates(data)
    return sorted(set(errs))


def _tup(v: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in v) if v else ()


def parse_description(data: Any, *, base_dir: Path | None = None, source: str = "<description>") -> SystemDescription:
    """Validate and convert a parsed YAML/JSON document into a :class:`SystemDescription`."""
    errs = validate(data)
    if errs:
        raise DescriptionError(source, errs)
    d = _plain(data)
    op = d["operator"]
    agent = op.get("domestic_agent")
    operator = Operator(
        name=op["name"], role=op["role"], korean_address_or_office=op["korean_address_or_office"],
        prior_year_revenue_krw=op.get("prior_year_revenue_krw"),
        ai_service_revenue_krw=op.get("ai_service_revenue_krw"),
        avg_daily_korean_users=op.get("avg_daily_korean_users"),
        fined_for_ignoring_order=op.get("fined_for_ignoring_order", False),
        prior_notice_offences=op.get("prior_notice_offences", 0),
        domestic_agent=DomesticAgent(**agent) if agent else None,
    )
    sy = d["system"]
    tpm = sy.get("third_party_model")
    system = AISystem(
        purpose=sy["purpose"], use_areas=_tup(sy["use_areas"]), name=sy.get("name", ""),
        significant_impact=sy.get("significant_impact", True),
        fully_automated_final_decision=sy.get("fully_automated_final_decision", False),
        generative=sy.get("generative", False), output_media=_tup(sy.get("output_media")),
        realistic_synthetic_media=sy.get("realistic_synthetic_media", False),
        internal_use_only=sy.get("internal_use_only", False),
        ai_use_obvious=sy.get("ai_use_obvious", False),
        national_security_only=sy.get("national_security_only", False),
        affects_korea=sy.get("affects_korea", True),
        third_party_model=ThirdPartyModel(**tpm) if tpm else None,
    )
    tr = d.get("training", {})
    training = Training(
        state_of_the_art=tr.get("state_of_the_art", False),
        broad_serious_risk=tr.get("broad_serious_risk", False),
        compute=tuple(ComputeRun(**r) for r in tr.get("compute", [])),
    )
    pd = d.get("personal_data", {})
    cats = _tup(pd.get("categories"))
    manifests = _tup(pd.get("manifests"))
    personal = PersonalData(
        used=pd.get("used", bool(cats or manifests)), categories=cats,
        pseudonymized=pd.get("pseudonymized", False), purpose=pd.get("purpose"),
        subjects_count=pd.get("subjects_count"),
        combines_other_controllers=pd.get("combines_other_controllers", False),
        manifests=manifests,
    )
    transfers = tuple(
        Transfer(
            destination=t["destination"], items=_tup(t["items"]), basis=t["basis"],
            recipient=t.get("recipient", ""), mode=t.get("mode"),
            separate_consent=t.get("separate_consent", False),
            legal_reference=t.get("legal_reference", ""),
            disclosed_in_privacy_policy=t.get("disclosed_in_privacy_policy", False),
            contract_safeguards=t.get("contract_safeguards", False),
            certification=t.get("certification", ""),
            certified_since=dt.date.fromisoformat(t["certified_since"]) if t.get("certified_since") else None,
            measures_abroad=t.get("measures_abroad", False),
            onward_transfer=t.get("onward_transfer", False), manifests=_tup(t.get("manifests")),
        )
        for t in d.get("transfers", [])
    )
    ev = d.get("evidence", {})
    evidence = EvidenceRefs(
        checkpoints=_tup(ev.get("checkpoints")),
        documents=tuple(sorted((str(k), str(v)) for k, v in (ev.get("documents") or {}).items())),
    )
    return SystemDescription(
        operator=operator, system=system, name=d.get("name", ""), training=training,
        personal_data=personal, transfers=transfers, evidence=evidence,
        base_dir=base_dir or Path("."), source=source,
    )


def load_description(path: str | Path) -> SystemDescription:
    """Read a YAML (or JSON) description file; YAML syntax errors name the line."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise DescriptionError(str(p), [FieldError("(file)", f"cannot read: {exc.strerror or exc}")]) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise DescriptionError(str(p), [FieldError(where, f"YAML syntax error: {problem}")]) from None
    return parse_description(data, base_dir=p.resolve().parent, source=str(p))
