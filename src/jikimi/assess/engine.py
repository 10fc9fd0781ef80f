"""The assessment engine: system description + knowledge base + evidence -> duties.

Why it is built this way:

* The law lives in data (``rules/*.yaml``), each rule with its article, effective date, sources
  and a condition over named *facts*. The engine's job is only to derive those facts from the
  description (what is high-impact, who needs a domestic agent, is the compute over 10^26) and to
  evaluate the rules, so a lawyer can review the rules without reading Python.
* "Today" is an input. Effective dates, grace periods and certification lifetimes are evaluated
  against it, so a test (or an auditor re-running an old report) gets the same answer every time.
* Where the reference marks the law UNVERIFIED or OPEN, the duty carries an ``unsettled`` note and
  the report says so rather than picking an answer.
* Output ordering is fixed (law, then the rule files' article order) so reports diff cleanly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from jikimi.assess.compute import ComputeEstimate, estimate
from jikimi.assess.conditions import Condition, FactValue, compile_condition
from jikimi.assess.evidence import (
    CheckpointRef,
    DocumentRef,
    ManifestCheck,
    check_document,
    check_manifest,
    read_checkpoint,
)
from jikimi.assess.model import (
    ENCRYPT_AT_REST,
    LISTED_AREAS,
    SENSITIVE,
    UNIQUE_IDS,
    SystemDescription,
    Transfer,
)

LAW_ORDER = ("ai_basic_act", "pipa", "safety_standard")
OBLIGATIONS = ("mandatory", "best_efforts", "principle", "info")
ENFORCEMENT_KINDS = ("fine", "surcharge", "order")

AGENT_REVENUE_KRW = 1_000_000_000_000
AGENT_AI_REVENUE_KRW = 10_000_000_000
AGENT_DAILY_USERS = 1_000_000
"""AI Basic Act Art. 36; Decree Art. 29 thresholds [A2]."""

LOG_2Y_SUBJECTS = 50_000
"""Safety Measures Standard Art. 8: 2-year log retention from 50,000 subjects [S1]."""

PURPOSES_28_2 = ("statistics", "scientific_research", "public_archiving")
EU_EEA = frozenset(
    ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"]
)
EU_EQUIVALENCE_FROM = dt.date(2025, 9, 16)
"""PIPC equivalence finding for the EU/EEA, excluding RRNs and personal credit data [P16][P17]."""
EU_EXCLUDED_ITEMS = ("rrn", "credit_data")
CERTIFICATION_YEARS = 5
"""Certification-based recognitions can run up to 5 years [P13]."""
SURCHARGE_RATE = 0.03
SURCHARGE_RATE_AGGRAVATED = 0.10
SURCHARGE_AGGRAVATED_FROM = dt.date(2026, 9, 11)
SURCHARGE_NO_REVENUE_KRW = 2_000_000_000
UPCOMING_WINDOW_DAYS = 180


class KnowledgeBaseError(ValueError):
    """A rule file that breaks the knowledge-base contract (e.g. a rule without a citation)."""


# -- knowledge base ---------------------------------------------------------------------------


def _read_yaml(rel: str) -> Any:
    return yaml.safe_load(resources.files("jikimi.assess").joinpath(rel).read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class Source:
    tag: str
    title: str
    url: str
    path: str = ""

    def to_dict(self) -> dict[str, str]:
        d = {"tag": self.tag, "title": self.title, "url": self.url}
        if self.path:
            d["path"] = self.path
        return d


@dataclass(frozen=True, slots=True)
class Rule:
    """One duty (or informational point) of the knowledge base."""

    id: str
    law: str
    law_en: str
    law_ko: str
    article: str
    obligation: str
    effective: dt.date | None
    sources: tuple[str, ...]
    when: Condition
    title: Mapping[str, str]
    statement: Mapping[str, str]
    evidence: tuple[str, ...] = ()
    deemed_met_when: Condition | None = None
    grace: str | None = None
    enforcement: Mapping[str, Any] | None = None
    unsettled: tuple[Mapping[str, Any], ...] = ()
    file: str = ""

    @property
    def citation(self) -> str:
        return f"{self.law_en} {self.article}"


@dataclass(frozen=True)
class KnowledgeBase:
    as_of: dt.date
    sources: Mapping[str, Source]
    grace_periods: Mapping[str, Mapping[str, Any]]
    pinned_versions: tuple[Mapping[str, Any], ...]
    areas: Mapping[str, Mapping[str, Any]]
    rules: tuple[Rule, ...]

    def cite(self, tags: Iterable[str]) -> list[dict[str, str]]:
        return [self.sources[t].to_dict() for t in tags]


FACT_NAMES: tuple[str, ...] = (
    "aiba_in_scope", "listed_area", "uses_other_area", "high_impact", "generative",
    "transparency_exempt", "realistic_synthetic_media", "internal_use_only", "safety_duty",
    "compute_at_or_above_threshold", "domestic_agent_required", "foreign_operator",
    "unchanged_third_party_deployment", "role", "fully_automated_final_decision",
    "significant_impact", "use_areas", "categories", "pd_used", "pd_sensitive", "pd_unique_ids",
    "pd_rrn", "pd_pseudonymized", "pd_purpose_28_2", "pd_encrypt_items", "pd_log_2y",
    "combines_other_controllers", "has_transfers", "transfers_by_contract", "transfers_onward",
)
"""Every name a rule condition may use; anything else is a load-time error."""

_EVIDENCE_KINDS = ("manifest", "checkpoint", "agent", "transfer_record")


def _date(v: Any) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def _bilingual(v: Any, what: str) -> dict[str, str]:
    if not isinstance(v, dict) or not v.get("en") or not v.get("ko"):
        raise KnowledgeBaseError(f"{what} needs non-empty 'en' and 'ko' texts")
    return {"en": str(v["en"]), "ko": str(v["ko"])}


def _parse_rule(r: dict[str, Any], law: dict[str, Any], fname: str, sources: Mapping[str, Source],
                grace: Mapping[str, Any]) -> Rule:
    rid = r.get("id")
    where = f"{fname}: rule {rid or '(no id)'}"
    for key in ("id", "article", "obligation", "sources", "when", "title", "statement"):
        if not r.get(key):
            raise KnowledgeBaseError(f"{where}: missing {key!r} (no rule without a citation)")
    if "effective" not in r:
        raise KnowledgeBaseError(f"{where}: missing 'effective' (a date, or null when in force and undated)")
    tags = tuple(str(t) for t in r["sources"])
    unknown = [t for t in tags if t not in sources]
    if unknown:
        raise KnowledgeBaseError(f"{where}: unknown source tag(s) {unknown}")
    if r["obligation"] not in OBLIGATIONS:
        raise KnowledgeBaseError(f"{where}: obligation must be one of {OBLIGATIONS}")
    for ev in r.get("evidence", []):
        if ev not in _EVIDENCE_KINDS and not str(ev).startswith("doc:"):
            raise KnowledgeBaseError(f"{where}: unknown evidence kind {ev!r}")
    if r.get("grace") and r["grace"] not in grace:
        raise KnowledgeBaseError(f"{where}: unknown grace period {r['grace']!r}")
    enf = r.get("enforcement")
    if enf is not None:
        if enf.get("kind") not in ENFORCEMENT_KINDS or not enf.get("sources"):
            raise KnowledgeBaseError(f"{where}: enforcement needs a kind {ENFORCEMENT_KINDS} and sources")
        bad = [t for t in enf["sources"] if t not in sources]
        if bad:
            raise KnowledgeBaseError(f"{where}: unknown enforcement source tag(s) {bad}")
    uns = tuple(r.get("unsettled", []))
    for u in uns:
        _bilingual(u, f"{where}: unsettled note")
        if not u.get("sources") or any(t not in sources for t in u["sources"]):
            raise KnowledgeBaseError(f"{where}: unsettled note needs known source tags")
    try:
        when = compile_condition(str(r["when"]), FACT_NAMES)
        deemed = compile_condition(str(r["deemed_met_when"]), FACT_NAMES) if r.get("deemed_met_when") else None
    except ValueError as exc:
        raise KnowledgeBaseError(f"{where}: {exc}") from None
    return Rule(
        id=str(rid), law=str(law["id"]), law_en=str(law["en"]), law_ko=str(law["ko"]),
        article=str(r["article"]), obligation=str(r["obligation"]), effective=_date(r["effective"]),
        sources=tags, when=when, title=_bilingual(r["title"], f"{where}: title"),
        statement=_bilingual(r["statement"], f"{where}: statement"),
        evidence=tuple(str(e) for e in r.get("evidence", [])), deemed_met_when=deemed,
        grace=r.get("grace"), enforcement=enf, unsettled=uns, file=fname,
    )


def load_rules_from(files: Iterable[tuple[str, str]], sources: Mapping[str, Source],
                    grace: Mapping[str, Any]) -> tuple[Rule, ...]:
    """Parse rule files given as (name, text) pairs; shared by the loader and the tests."""
    rules: list[Rule] = []
    for fname, text in files:
        doc = yaml.safe_load(text)
        law = doc.get("law") if isinstance(doc, dict) else None
        if not isinstance(law, dict) or law.get("id") not in LAW_ORDER or not law.get("en") or not law.get("ko"):
            raise KnowledgeBaseError(f"{fname}: needs a 'law' with id in {LAW_ORDER}, 'en' and 'ko'")
        for r in doc.get("rules") or []:
            rules.append(_parse_rule(r, law, fname, sources, grace))
    ids = [r.id for r in rules]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise KnowledgeBaseError(f"duplicate rule ids: {dup}")
    order = {law: i for i, law in enumerate(LAW_ORDER)}
    return tuple(sorted(rules, key=lambda r: order[r.law]))  # stable: keeps file order within a law


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The bundled knowledge base (rules, sources, areas), loaded and checked once."""
    src = _read_yaml("data/sources.yaml")
    sources = {str(k): Source(str(k), v["title"], v["url"], v.get("path", "")) for k, v in src["sources"].items()}
    grace = {str(k): dict(v) for k, v in src["grace_periods"].items()}
    rule_dir = resources.files("jikimi.assess").joinpath("rules")
    files = sorted((p.name, p.read_text("utf-8")) for p in rule_dir.iterdir() if p.name.endswith(".yaml"))
    return KnowledgeBase(
        as_of=_date(src["as_of"]) or dt.date.min, sources=sources, grace_periods=grace,
        pinned_versions=tuple(src["pinned_versions"]),
        areas=_read_yaml("data/areas.yaml")["areas"],
        rules=load_rules_from(files, sources, grace),
    )


# -- classification ---------------------------------------------------------------------------


def _note(en: str, ko: str, sources: Iterable[str]) -> dict[str, Any]:
    return {"en": en, "ko": ko, "sources": list(sources)}


@dataclass
class HighImpact:
    high_impact: bool
    listed_area: bool
    areas: list[dict[str, Any]]
    reasons: list[str]
    unsettled: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"high_impact": self.high_impact, "listed_area": self.listed_area, "areas": self.areas,
                "reasons": self.reasons, "unsettled": self.unsettled}


def classify_high_impact(desc: SystemDescription, kb: KnowledgeBase, in_scope: bool) -> HighImpact:
    """Art. 2(4): a listed use area and possible serious effect on life, safety or rights."""
    sysd = desc.system
    listed = [a for a in sysd.use_areas if a in LISTED_AREAS]
    areas = [{"id": a, "letter": kb.areas[a]["letter"], "en": kb.areas[a]["en"], "ko": kb.areas[a]["ko"],
              **({"note_en": kb.areas[a]["note_en"], "note_ko": kb.areas[a]["note_ko"]} if "note_en" in kb.areas[a] else {})}
             for a in LISTED_AREAS if a in listed]
    reasons: list[str] = []
    unsettled: list[dict[str, Any]] = []
    hi = bool(listed) and sysd.significant_impact and in_scope
    if not in_scope:
        reasons.append("outside the AI Basic Act (national-security-only use or no effect on Korea, Art. 4)")
    elif not listed:
        reasons.append("no Art. 2(4)(a)-(j) use area declared")
    elif not sysd.significant_impact:
        reasons.append("listed area, but declared unable to seriously affect life, safety or rights")
    else:
        letters = ", ".join(f"({a['letter']}) {a['en']}" for a in areas)
        reasons.append(f"Art. 2(4) use area {letters} and may seriously affect life, safety or rights")
    if hi and not sysd.fully_automated_final_decision:
        unsettled.append(_note(
            "MSIT's Jan 2026 guidance reportedly also requires a fully automated final decision; this "
            "system's final decision is not fully automated. That reading is a press summary only, so "
            "the statutory test (listed area + serious effect) is applied and the question is unsettled.",
            "과기정통부 2026년 1월 지침은 최종 결정의 완전 자동화를 추가 요건으로 한다고 보도되었으나 이 시스템은 "
            "완전 자동화가 아니다. 이는 언론 요약뿐이므로 법률 요건(열거 영역 + 중대한 영향)을 적용하며 해당 여부는 미확정이다.",
            ["A10", "A1"]))
    if in_scope and "other" in sysd.use_areas and not listed:
        unsettled.append(_note(
            "No decree provision adding areas under Art. 2(4)(k) was found; whether 'other' uses become "
            "high-impact is OPEN.",
            "제2조제4호카목에 따른 추가 영역을 정한 시행령 조항이 확인되지 않아 그 밖의 영역이 고영향이 될지는 미확정이다.",
            ["A2"]))
    return HighImpact(hi, bool(listed), areas, reasons, unsettled)


@dataclass
class AgentTest:
    required: bool
    foreign_operator: bool
    triggers: list[dict[str, Any]]
    unknown: list[str]
    appointed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"required": self.required, "foreign_operator": self.foreign_operator,
                "triggers": self.triggers, "unknown_figures": self.unknown, "appointed": self.appointed,
                "thresholds": {"prior_year_revenue_krw": AGENT_REVENUE_KRW,
                               "ai_service_revenue_krw": AGENT_AI_REVENUE_KRW,
                               "avg_daily_korean_users": AGENT_DAILY_USERS,
                               "fined_for_ignoring_order": True}}


def domestic_agent_test(desc: SystemDescription, in_scope: bool) -> AgentTest:
    """Art. 36; Decree Art. 29: foreign operator and any one threshold."""
    op = desc.operator
    foreign = not op.korean_address_or_office
    triggers: list[dict[str, Any]] = []
    unknown: list[str] = []
    tests: list[tuple[str, float | int | None, float | int]] = [
        ("prior_year_revenue_krw", op.prior_year_revenue_krw, AGENT_REVENUE_KRW),
        ("ai_service_revenue_krw", op.ai_service_revenue_krw, AGENT_AI_REVENUE_KRW),
        ("avg_daily_korean_users", op.avg_daily_korean_users, AGENT_DAILY_USERS),
    ]
    for name, value, threshold in tests:
        if value is None:
            unknown.append(name)
        elif value >= threshold:
            triggers.append({"test": name, "value": value, "threshold": threshold})
    if op.fined_for_ignoring_order:
        triggers.append({"test": "fined_for_ignoring_order", "value": True, "threshold": True})
    agent = op.domestic_agent
    appointed = agent is not None and agent.appointed_in_writing and agent.reported
    return AgentTest(foreign and bool(triggers) and in_scope, foreign, triggers, unknown if foreign else [], appointed)


# -- facts -----------------------------------------------------------------------------------


def build_facts(desc: SystemDescription, hi: HighImpact, comp: ComputeEstimate, agent: AgentTest,
                in_scope: bool, safety: bool) -> dict[str, FactValue]:
    """The named facts rule conditions are evaluated over (see FACT_NAMES)."""
    s, pd = desc.system, desc.personal_data
    cats = set(pd.categories) | {i for t in desc.transfers for i in t.items}
    facts: dict[str, FactValue] = {
        "aiba_in_scope": in_scope,
        "listed_area": hi.listed_area,
        "uses_other_area": "other" in s.use_areas,
        "high_impact": hi.high_impact,
        "generative": s.generative,
        "transparency_exempt": s.internal_use_only or s.ai_use_obvious,
        "realistic_synthetic_media": s.realistic_synthetic_media,
        "internal_use_only": s.internal_use_only,
        "safety_duty": safety,
        "compute_at_or_above_threshold": comp.at_or_above_threshold,
        "domestic_agent_required": agent.required,
        "foreign_operator": agent.foreign_operator,
        "unchanged_third_party_deployment": (
            desc.operator.role == "user_operator" and s.third_party_model is not None
            and s.third_party_model.unchanged),
        "role": desc.operator.role,
        "fully_automated_final_decision": s.fully_automated_final_decision,
        "significant_impact": s.significant_impact,
        "use_areas": tuple(s.use_areas),
        "categories": tuple(sorted(cats)),
        "pd_used": pd.used or bool(desc.transfers),
        "pd_sensitive": bool(cats & SENSITIVE),
        "pd_unique_ids": bool(cats & UNIQUE_IDS),
        "pd_rrn": "rrn" in cats,
        "pd_pseudonymized": pd.pseudonymized,
        "pd_purpose_28_2": pd.purpose in PURPOSES_28_2,
        "pd_encrypt_items": bool(cats & ENCRYPT_AT_REST),
        "pd_log_2y": (pd.used or bool(desc.transfers)) and (
            (pd.subjects_count or 0) >= LOG_2Y_SUBJECTS or bool(cats & (UNIQUE_IDS | SENSITIVE))),
        "combines_other_controllers": pd.combines_other_controllers,
        "has_transfers": bool(desc.transfers),
        "transfers_by_contract": any(t.basis == "contract" for t in desc.transfers),
        "transfers_onward": any(t.onward_transfer for t in desc.transfers),
    }
    assert set(facts) == set(FACT_NAMES)
    return facts


# -- evidence --------------------------------------------------------------------------------


@dataclass
class EvidenceIndex:
    manifests: list[ManifestCheck] = field(default_factory=list)
    checkpoints: list[CheckpointRef] = field(default_factory=list)
    documents: dict[str, DocumentRef] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"manifests": [m.to_dict() for m in self.manifests],
                "checkpoints": [c.to_dict() for c in self.checkpoints],
                "documents": [d.to_dict() for _, d in sorted(self.documents.items())]}


def _resolve(base: Path, ref: str) -> Path:
    p = Path(ref)
    return p if p.is_absolute() else base / p


def collect_evidence(desc: SystemDescription) -> EvidenceIndex:
    """Check every manifest, checkpoint and document the description points to."""
    refs = list(desc.personal_data.manifests) + [m for t in desc.transfers for m in t.manifests]
    seen: dict[str, None] = {}
    for r in refs:
        seen.setdefault(r, None)
    idx = EvidenceIndex()
    for r in seen:
        mc = check_manifest(_resolve(desc.base_dir, r))
        mc.path = r
        idx.manifests.append(mc)
    for r in desc.evidence.checkpoints:
        cp = read_checkpoint(_resolve(desc.base_dir, r))
        cp.path = r
        idx.checkpoints.append(cp)
    for name, ref in desc.evidence.documents:
        idx.documents[name] = check_document(name, ref, desc.base_dir)
    return idx


# -- transfers -------------------------------------------------------------------------------


def assess_transfer(i: int, t: Transfer, today: dt.date, manifests: Mapping[str, ManifestCheck]) -> dict[str, Any]:
    """PIPA Art. 28-8 basis check for one transfer, and items that may not go by its route."""
    problems: list[str] = []
    notes: list[str] = []
    unsettled: list[dict[str, Any]] = []
    blocked: list[str] = []
    sources = ["P12"]
    valid = False
    if t.basis == "consent":
        valid = t.separate_consent
        if not valid:
            problems.append("consent route needs separate consent to the transfer abroad")
        if set(t.items) & (SENSITIVE | UNIQUE_IDS):
            notes.append("sensitive data and unique identifiers also need their own separate consent or "
                         "legal basis (PIPA Arts. 23, 24)")
            sources += ["P8", "P9"]
    elif t.basis == "law_or_treaty":
        valid = bool(t.legal_reference.strip())
        if not valid:
            problems.append("law-or-treaty route needs the law or treaty named (legal_reference)")
    elif t.basis == "contract":
        sources.append("P15")
        if t.mode in ("provision", "remote_access"):
            problems.append(f"contract route covers outsourcing or storage, not {t.mode} "
                            "(provision incl. remote access needs another basis)")
        elif t.mode is None:
            notes.append("mode not given; the contract route covers only outsourcing or storage")
        if not t.disclosed_in_privacy_policy:
            problems.append("contract route requires disclosure in the privacy policy or notice to data subjects")
        valid = t.mode not in ("provision", "remote_access") and t.disclosed_in_privacy_policy
        if not t.contract_safeguards:
            problems.append("the contract must cover safety measures, grievance handling and other protections")
    elif t.basis == "certification":
        sources.append("P13")
        valid = bool(t.certification.strip()) and t.measures_abroad
        if not t.certification.strip():
            problems.append("certification route needs the recipient's PIPC-recognised certification named")
        if not t.measures_abroad:
            problems.append("certification route also needs the protective measures abroad in place")
        if t.certified_since is not None:
            try:
                lapse = t.certified_since.replace(year=t.certified_since.year + CERTIFICATION_YEARS)
            except ValueError:  # 29 Feb
                lapse = t.certified_since.replace(year=t.certified_since.year + CERTIFICATION_YEARS, day=28)
            if today >= lapse:
                valid = False
                problems.append(f"certification-based recognition runs up to {CERTIFICATION_YEARS} years; "
                                f"recognised since {t.certified_since.isoformat()}, so it may have lapsed on {lapse.isoformat()}")
    elif t.basis == "equivalence":
        sources += ["P16", "P17"]
        in_eu = t.destination in EU_EEA
        valid = in_eu and today >= EU_EQUIVALENCE_FROM
        if not in_eu:
            problems.append(f"no PIPC equivalence finding is known for {t.destination}; only the EU/EEA is "
                            "recognised (from 16 Sep 2025)")
        elif today < EU_EQUIVALENCE_FROM:
            problems.append("the EU/EEA equivalence finding applies from 16 Sep 2025")
        if in_eu:
            blocked = [x for x in EU_EXCLUDED_ITEMS if x in t.items]
            for x in blocked:
                problems.append(f"{x} may not go by the EU/EEA equivalence route (RRNs and personal credit data are excluded)")
            if {"card_number", "account_number"} & set(t.items):
                unsettled.append(_note(
                    "Whether card or account numbers count as 'personal credit data' excluded from the EU "
                    "equivalence route is not settled in the reference.",
                    "카드번호·계좌번호가 EU 동등성 인정에서 제외되는 '개인신용정보'에 해당하는지는 참조 자료에서 확정되지 않았다.",
                    ["P16", "P17"]))
    if "rrn" in t.items:
        sources.append("P10")
        notes.append("RRNs may be processed only on a statutory basis (PIPA Art. 24-2) and must leave encrypted")
        unsettled.append(_note(
            "Whether RRNs encrypted under keys kept in Korea still count as RRNs transferred abroad is not "
            "settled in the reference; treated as transferred.",
            "국내에 보관된 키로 암호화된 주민등록번호도 국외 이전된 주민등록번호로 보는지는 참조 자료에서 확정되지 않았으며 이전된 것으로 취급한다.",
            ["P10", "P12"]))
    for ref in t.manifests:
        mc = manifests.get(ref)
        if mc is None:
            continue
        if not mc.ok:
            problems.append(f"linked manifest {ref} failed its checks: {'; '.join(mc.problems)}")
        undeclared = sorted(mc.categories_found - set(t.items))
        if undeclared:
            problems.append(f"manifest {ref} shows {', '.join(undeclared)} in the data, not listed in items")
        if mc.tier1_in_clear:
            problems.append(f"manifest {ref}: tier-1 identifiers may have left in clear")
    if t.onward_transfer:
        notes.append("onward transfers from the recipient follow the same rules (PIPA Art. 28-11)")
        sources.append("P7")
    ok = valid and not problems
    return {
        "index": i, "destination": t.destination, "recipient": t.recipient, "mode": t.mode,
        "basis": t.basis, "items": list(t.items), "basis_valid": valid, "ok": ok,
        "blocked_items": blocked, "problems": problems, "notes": notes, "unsettled": unsettled,
        "article": "PIPA Art. 28-8", "sources": sorted(set(sources), key=sources.index),
    }


# -- duties ----------------------------------------------------------------------------------


def _evidence_for(kind: str, idx: EvidenceIndex, desc: SystemDescription, agent: AgentTest,
                  transfers_ok: bool) -> dict[str, Any]:
    if kind == "manifest":
        good_m = [m for m in idx.manifests if m.ok]
        if good_m:
            return {"kind": kind, "status": "found",
                    "refs": [f"{m.path} (sha256 {m.sha256})" for m in good_m]}
        if idx.manifests:
            return {"kind": kind, "status": "invalid",
                    "refs": [f"{m.path}: {'; '.join(m.problems)}" for m in idx.manifests]}
        return {"kind": kind, "status": "missing", "refs": [],
                "detail": "no jikimi protect manifest listed (personal_data.manifests)"}
    if kind == "checkpoint":
        good_c = [c for c in idx.checkpoints if c.ok]
        if good_c:
            return {"kind": kind, "status": "found", "refs": [c.citation() for c in good_c]}
        if idx.checkpoints:
            return {"kind": kind, "status": "invalid", "refs": [c.citation() for c in idx.checkpoints]}
        return {"kind": kind, "status": "missing", "refs": [],
                "detail": "no audit-log checkpoint listed (evidence.checkpoints)"}
    if kind == "agent":
        a = desc.operator.domestic_agent
        if a is None:
            return {"kind": kind, "status": "missing", "refs": [], "detail": "no domestic agent declared"}
        if not agent.appointed:
            return {"kind": kind, "status": "invalid", "refs": [a.name],
                    "detail": "agent must be appointed in writing and reported"}
        return {"kind": kind, "status": "found", "refs": [f"{a.name} ({a.address})".replace(" ()", "")]}
    if kind == "transfer_record":
        if not desc.transfers:
            return {"kind": kind, "status": "missing", "refs": []}
        return {"kind": kind, "status": "found" if transfers_ok else "invalid",
                "refs": [f"transfers[{i}]: {t.destination} via {t.basis}" for i, t in enumerate(desc.transfers)],
                **({} if transfers_ok else {"detail": "see transfer_findings"})}
    name = kind.removeprefix("doc:")
    doc = idx.documents.get(name)
    if doc is None:
        return {"kind": kind, "status": "missing", "refs": [],
                "detail": f"no document listed under evidence.documents.{name}"}
    status = {"found": "found", "cited_url": "found", "missing": "invalid"}[doc.status]
    ref = doc.ref + (f" (sha256 {doc.sha256})" if doc.sha256 else "")
    return {"kind": kind, "status": status, "refs": [ref],
            **({"detail": "file not found"} if doc.status == "missing" else {})}


def _overall(items: list[dict[str, Any]]) -> str:
    if not items:
        return "n/a"
    st = {i["status"] for i in items}
    if st == {"found"}:
        return "found"
    if "found" in st:
        return "partial"
    return "invalid" if "invalid" in st else "missing"


@dataclass
class Assessment:
    """Everything ``jikimi assess`` reports; ``to_dict`` is the ``--json`` output."""

    description: SystemDescription
    today: dt.date
    kb: KnowledgeBase
    high_impact: HighImpact
    compute: ComputeEstimate
    safety: dict[str, Any]
    agent: AgentTest
    facts: dict[str, FactValue]
    duties: list[dict[str, Any]]
    transfer_findings: list[dict[str, Any]]
    fines_exposure: list[dict[str, Any]]
    evidence: EvidenceIndex
    unsettled: list[dict[str, Any]]
    warnings: list[str]
    notes: list[dict[str, Any]]

    @property
    def problems(self) -> bool:
        """True when something needs fixing (drives the CLI's exit code 1)."""
        return (any(not t["ok"] for t in self.transfer_findings)
                or any(not m.ok for m in self.evidence.manifests)
                or any(d["status"] in ("missing", "incomplete", "failed") and d["obligation"] == "mandatory"
                       for d in self.duties))

    def to_dict(self) -> dict[str, Any]:
        d = self.description
        return {
            "kind": "jikimi.assess/v1",
            "system": {"name": d.title, "source": d.source, "operator": d.operator.name,
                       "role": d.operator.role},
            "today": self.today.isoformat(),
            "knowledge_base": {"as_of": self.kb.as_of.isoformat(),
                               "pinned_versions": [
                                   {**v, "effective": str(v["effective"])} for v in self.kb.pinned_versions]},
            "high_impact": self.high_impact.high_impact,
            "high_impact_areas": [a["id"] for a in self.high_impact.areas] if self.high_impact.high_impact else [],
            "high_impact_detail": self.high_impact.to_dict(),
            "generative": d.system.generative,
            "compute_flops": self.compute.flops,
            "compute_method": self.compute.method,
            "compute": self.compute.to_dict(),
            "safety_duty": self.safety["applies"],
            "safety_detail": self.safety,
            "domestic_agent_required": self.agent.required,
            "domestic_agent": self.agent.to_dict(),
            "duties": self.duties,
            "transfer_findings": self.transfer_findings,
            "fines_exposure": self.fines_exposure,
            "evidence": self.evidence.to_dict(),
            "unsettled": self.unsettled,
            "warnings": self.warnings,
            "notes": self.notes,
        }


def _grace_info(kb: KnowledgeBase, name: str | None, today: dt.date) -> dict[str, Any] | None:
    if not name:
        return None
    g = kb.grace_periods[name]
    end = _date(g["earliest_end"]) or today
    return {"id": name, "start": str(g["start"]), "earliest_end": end.isoformat(), "status": g["status"],
            "in_grace": today < end, "en": g["text_en"], "ko": g["text_ko"], "sources": list(g["sources"])}


def _fine_amount(schedule: list[int] | None, offences: int) -> int | None:
    if not schedule:
        return None
    return int(schedule[min(offences, len(schedule) - 1)])


def assess(desc: SystemDescription, today: dt.date | None = None, kb: KnowledgeBase | None = None) -> Assessment:
    """Run the assessment for ``today`` (default: the real date) with the bundled knowledge base."""
    kb = kb or knowledge_base()
    today = today or dt.date.today()
    sysd = desc.system
    in_scope = sysd.affects_korea and not sysd.national_security_only
    hi = classify_high_impact(desc, kb, in_scope)
    comp = estimate(desc.training.compute)
    tr = desc.training
    safety_applies = in_scope and comp.at_or_above_threshold and tr.state_of_the_art and tr.broad_serious_risk
    safety = {
        "applies": safety_applies,
        "criteria": {"compute_at_or_above_1e26": comp.at_or_above_threshold,
                     "state_of_the_art": tr.state_of_the_art,
                     "broad_serious_risk": tr.broad_serious_risk},
        "threshold_flops": comp.threshold, "article": "AI Basic Act Art. 32; Enforcement Decree Art. 24",
        "sources": ["A1", "A2", "A8"],
    }
    agent = domestic_agent_test(desc, in_scope)
    facts = build_facts(desc, hi, comp, agent, in_scope, safety_applies)
    idx = collect_evidence(desc)
    by_path = {m.path: m for m in idx.manifests}
    tfind = [assess_transfer(i, t, today, by_path) for i, t in enumerate(desc.transfers)]
    transfers_ok = all(t["ok"] for t in tfind)

    warnings: list[str] = []
    unsettled: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    duties: list[dict[str, Any]] = []
    fines: list[dict[str, Any]] = []
    grace_used: set[str] = set()

    for rule in kb.rules:
        applies, why = rule.when.evaluate(facts)
        in_force = rule.effective is None or rule.effective <= today
        deemed = False
        if applies and rule.deemed_met_when is not None:
            deemed, deemed_why = rule.deemed_met_when.evaluate(facts)
            if deemed:
                why = why + deemed_why
        ev_items = [_evidence_for(k, idx, desc, agent, transfers_ok) for k in rule.evidence] if applies else []
        ev_status = _overall(ev_items)
        if not applies:
            status = "not_applicable"
        elif rule.obligation == "info":
            status = "info"
        elif not in_force:
            status = "upcoming"
        elif deemed:
            status = "deemed_met"
        elif ev_status in ("found", "n/a"):
            status = "evidenced"
        elif ev_status == "partial":
            status = "incomplete"
        elif ev_status == "invalid":
            status = "failed"
        else:
            status = "missing"
        grace = _grace_info(kb, rule.grace, today) if applies else None
        if grace:
            grace_used.add(rule.grace or "")
        duty = {
            "id": rule.id, "law": rule.law_en, "law_ko": rule.law_ko, "article": rule.article,
            "citation": rule.citation, "obligation": rule.obligation,
            "title": dict(rule.title), "statement": dict(rule.statement),
            "applies": applies, "status": status, "why": why,
            "evidence": ev_items, "evidence_status": ev_status if applies else "n/a",
            "effective": rule.effective.isoformat() if rule.effective else None,
            "in_force": in_force,
            "due": (rule.effective.isoformat() if rule.effective and not in_force else
                    ("in force" if applies else None)),
            "grace_period": grace,
            "enforcement": dict(rule.enforcement) if rule.enforcement else None,
            "unsettled": [dict(u) for u in rule.unsettled] if applies else [],
            "sources": kb.cite(rule.sources),
        }
        duties.append(duty)
        if applies:
            for u in rule.unsettled:
                unsettled.append({"rule": rule.id, "en": u["en"], "ko": u["ko"], "sources": list(u["sources"])})
            if rule.effective and rule.effective > today and (rule.effective - today).days <= UPCOMING_WINDOW_DAYS:
                warnings.append(f"{rule.id} ({rule.citation}) takes effect on {rule.effective.isoformat()}, "
                                f"in {(rule.effective - today).days} days")
            if rule.effective and kb.as_of < rule.effective <= today:
                warnings.append(f"{rule.id} ({rule.citation}) took effect on {rule.effective.isoformat()}, after "
                                f"this knowledge base was compiled ({kb.as_of.isoformat()}); check the final text")
        enf = rule.enforcement
        if applies and in_force and not deemed and enf and status in ("missing", "incomplete", "failed"):
            entry: dict[str, Any] = {"duty": rule.id, "citation": rule.citation, "kind": enf["kind"],
                                     "what_en": enf.get("what_en", ""), "what_ko": enf.get("what_ko", ""),
                                     "sources": list(enf["sources"])}
            if enf["kind"] == "fine":
                amount = _fine_amount(enf.get("schedule_krw"), desc.operator.prior_notice_offences
                                      if rule.id == "AIBA-31-ADVANCE-NOTICE" else 0)
                entry.update(max_krw=enf["max_krw"], amount_krw=amount,
                             schedule_krw=enf.get("schedule_krw"), note_en=enf.get("note_en", ""),
                             note_ko=enf.get("note_ko", ""), grace_period=grace,
                             enforceable_now=not (grace and grace["in_grace"]))
                fines.append(entry)
            elif enf["kind"] == "surcharge":
                fines.append(_surcharge(entry, desc, today))
    for t in tfind:
        if not t["ok"]:
            fines.append(_surcharge({"duty": "PIPA-28-8-TRANSFER-BASIS", "citation": "PIPA Art. 28-8",
                                     "kind": "surcharge", "transfer": t["index"],
                                     "what_en": f"transfer {t['index']} to {t['destination']}: unlawful transfer abroad",
                                     "what_ko": f"이전 {t['index']} ({t['destination']}): 위법한 국외 이전",
                                     "sources": ["P7", "P27"]}, desc, today))
            unsettled.extend({"rule": f"transfer[{t['index']}]", **u} for u in t["unsettled"])
        else:
            unsettled.extend({"rule": f"transfer[{t['index']}]", **u} for u in t["unsettled"])
    for u in hi.unsettled:
        unsettled.append({"rule": "AI Basic Act Art. 2(4)", **u})
    for name in sorted(grace_used):
        g = _grace_info(kb, name, today)
        assert g is not None
        unsettled.append({"rule": f"grace:{name}", "en": g["en"], "ko": g["ko"], "sources": g["sources"]})
        if not g["in_grace"]:
            warnings.append(f"the AI Basic Act grace period ran at least until {g['earliest_end']}; it may have "
                            "ended (extension status OPEN as of the knowledge base) - fines may now apply")
    if comp.flops is not None and (comp.at_or_above_threshold or (comp.ratio or 0) >= 0.1):
        unsettled.append({"rule": "AIBA-32 compute counting", "en": (
            "Compute counting follows the draft MSIT notice (all training compute incl. preprocessing and "
            "fine-tuning; theoretical, empirical or hardware estimates); the final text is UNVERIFIED."),
            "ko": "연산량 산정은 과기정통부 고시 초안(전처리·미세조정 포함, 이론·실측·하드웨어 추정)에 따르며 최종 고시는 미확인이다.",
            "sources": ["A8"]})
    if comp.at_or_above_threshold and not hi.high_impact:
        notes.append(_note(
            "Some media call 10^26-FLOP models 'high-impact AI'; in law they are a separate safety category "
            "(Art. 32), while high-impact is defined by use (Art. 2(4)).",
            "일부 언론은 10^26 FLOPs 모델을 '고영향 인공지능'이라 부르나 법률상 이는 별도의 안전성 범주(제32조)이며 고영향은 이용 영역(제2조제4호)으로 정해진다.",
            ["A11", "A16", "A1", "A2"]))
    if comp.at_or_above_threshold and not safety_applies and in_scope:
        notes.append(_note(
            "Training compute is at or above 10^26 FLOPs, but the safety duty also needs state-of-the-art "
            "technology and a risk of broad, serious impact (Decree Art. 24); at least one is declared false.",
            "학습 연산량이 10^26 FLOPs 이상이나 안전성 의무는 최첨단 기술과 광범위·중대한 영향 위험도 요구하며(시행령 제24조) 그중 하나 이상이 해당 없음으로 신고되었다.",
            ["A2"]))
    if agent.foreign_operator and not agent.required and agent.unknown and in_scope:
        warnings.append("foreign operator with unknown figures (" + ", ".join(agent.unknown) +
                        "): the domestic-agent test could not be completed")
    for m in idx.manifests:
        extra = sorted(m.categories_found - set(facts["categories"] or ()))  # type: ignore[arg-type]
        if extra:
            warnings.append(f"manifest {m.path} shows {', '.join(extra)} in the data, but personal_data.categories "
                            "does not list it; duties were assessed on the declared categories")
    if sysd.third_party_model and sysd.third_party_model.unchanged and desc.operator.role == "developer":
        warnings.append("third_party_model.unchanged is set, but the operator is a developer; the deemed-met "
                        "rule (Decree Art. 27) applies only to user-operators")
    if (today - kb.as_of).days > 365:
        warnings.append(f"the knowledge base is as of {kb.as_of.isoformat()}, more than a year before {today.isoformat()}")
    seen: set[tuple[str, str]] = set()
    uniq = []
    for u in unsettled:
        key = (u["rule"], u["en"])
        if key not in seen:
            seen.add(key)
            uniq.append(u)
    return Assessment(desc, today, kb, hi, comp, safety, agent, facts, duties, tfind, fines, idx, uniq,
                      warnings, notes)


def _surcharge(entry: dict[str, Any], desc: SystemDescription, today: dt.date) -> dict[str, Any]:
    """A PIPA surcharge cap: potential exposure if the lawful basis cannot be shown [P7][P27]."""
    rev = desc.operator.prior_year_revenue_krw
    entry.update(
        exposure="potential",
        rate=SURCHARGE_RATE,
        max_krw=(rev * SURCHARGE_RATE) if rev is not None else None,
        note_en=("PIPA surcharge up to 3% of total revenue (unrelated revenue excludable; KRW 2bn if "
                 "revenue is incalculable)" + (
                     "; from 11 Sep 2026 up to 10% for repeated wilful or grossly negligent breaches, 10M+ "
                     "victims, or breaches after an ignored order" if today >= SURCHARGE_AGGRAVATED_FROM else "")),
        note_ko=("전체 매출액의 3% 이하 과징금(위반과 무관한 매출 제외 가능, 산정 곤란 시 20억 원)" + (
            "; 2026년 9월 11일부터 3년 내 반복 고의·중과실, 1천만 명 이상 피해, 명령 불이행 후 위반 시 10% 이하"
            if today >= SURCHARGE_AGGRAVATED_FROM else "")),
        no_revenue_cap_krw=SURCHARGE_NO_REVENUE_KRW,
    )
    if today >= SURCHARGE_AGGRAVATED_FROM:
        entry["aggravated_rate"] = SURCHARGE_RATE_AGGRAVATED
        entry["unsettled_en"] = "A KRW 5bn cap where there is no revenue is reported but UNVERIFIED [P33]."
        entry["unsettled_ko"] = "매출이 없는 경우 50억 원 상한이 보도되었으나 미확인이다 [P33]."
        entry["sources"] = sorted(set(entry["sources"]) | {"P23", "P24"})
    return entry
