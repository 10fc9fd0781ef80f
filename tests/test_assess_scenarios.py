"""Scenario table for ``jikimi assess``: expected classifications, duties and citations.

Each row is a realistic system; the expectations come from the project's legal reference
(shared/reference/korean-law.md). The last test checks that every rule of the knowledge base is
reached by at least one scenario, so no rule is dead data.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from jikimi.assess import assess, knowledge_base, parse_description

TODAY = dt.date(2026, 9, 1)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


BASE: dict[str, Any] = {
    "operator": {"name": "Op", "role": "developer", "korean_address_or_office": True},
    "system": {"purpose": "test system", "use_areas": ["other"]},
}
FOREIGN = {"korean_address_or_office": False}
PD_BASIC = {"used": True, "categories": ["name", "contact"], "subjects_count": 1000}


@dataclass
class S:
    id: str
    over: dict[str, Any]
    hi: bool = False
    gen: bool = False
    safety: bool = False
    agent: bool = False
    applies: set[str] = field(default_factory=set)
    not_applies: set[str] = field(default_factory=set)
    status: dict[str, str] = field(default_factory=dict)
    today: dt.date = TODAY
    transfer_ok: list[bool] | None = None
    blocked: list[list[str]] | None = None
    agent_trigger: str | None = None
    unsettled_rule: str | None = None


AIBA_HI = {"AIBA-3-2-EXPLANATION", "AIBA-33-SELF-ASSESSMENT", "AIBA-34-RISK-PLAN",
           "AIBA-34-EXPLANATION-PLAN", "AIBA-34-USER-PROTECTION", "AIBA-34-HUMAN-OVERSIGHT",
           "AIBA-34-RECORDS", "AIBA-34-PUBLICATION", "AIBA-35-RIGHTS-IMPACT",
           "AIBA-35-VULNERABLE-GROUPS", "AIBA-31-ADVANCE-NOTICE"}


def _area(area: str, **sys: Any) -> dict[str, Any]:
    return {"system": {"use_areas": [area], **sys}}


SCENARIOS = [
    S("hiring_screener_foreign_firm",
      {"operator": {**FOREIGN, "prior_year_revenue_krw": 1.2e12},
       "system": {"use_areas": ["rights_decisions"], "fully_automated_final_decision": True},
       "personal_data": PD_BASIC},
      hi=True, agent=True, agent_trigger="prior_year_revenue_krw",
      applies=AIBA_HI | {"AIBA-36-DOMESTIC-AGENT", "PIPA-37-2-AUTOMATED-DECISION"}),
    S("hiring_screener_human_final_decision",
      {"system": {"use_areas": ["rights_decisions"], "fully_automated_final_decision": False}},
      hi=True, applies=AIBA_HI, not_applies={"PIPA-37-2-AUTOMATED-DECISION", "AIBA-36-DOMESTIC-AGENT"},
      unsettled_rule="AI Basic Act Art. 2(4)"),
    S("loan_model_eu_storage",
      {"system": {"use_areas": ["rights_decisions"]},
       "personal_data": {"used": True, "categories": ["name", "rrn", "credit_data"], "pseudonymized": True,
                         "purpose": "statistics"},
       "transfers": [{"destination": "IE", "items": ["rrn", "credit_data", "employment"], "basis": "equivalence",
                      "mode": "storage"}]},
      hi=True, applies={"PIPA-24-UNIQUE-ID", "PIPA-24-2-RRN", "PIPA-28-2-PSEUDONYMIZED", "PIPA-28-8-TRANSFER-BASIS",
                        "SMS-7-ENCRYPTION", "SMS-8-ACCESS-LOG-2Y"},
      not_applies={"PIPA-28-2-PURPOSE", "SMS-8-ACCESS-LOG"},
      transfer_ok=[False], blocked=[["rrn", "credit_data"]]),
    S("customer_chatbot_generative",
      {"system": {"generative": True, "output_media": ["text"]}, "personal_data": PD_BASIC},
      gen=True, applies={"AIBA-31-ADVANCE-NOTICE", "AIBA-31-OUTPUT-MARKING", "AIBA-2-4-K-OPEN",
                         "PIPA-36-37-ERASURE", "PIPA-BREACH-72H", "SMS-8-ACCESS-LOG"},
      not_applies={"AIBA-31-SYNTHETIC-MEDIA", "AIBA-34-RISK-PLAN", "SMS-8-ACCESS-LOG-2Y"},
      unsettled_rule="AIBA-2-4-K-OPEN"),
    S("image_generator_realistic",
      {"system": {"generative": True, "output_media": ["image", "video"], "realistic_synthetic_media": True}},
      gen=True, applies={"AIBA-31-ADVANCE-NOTICE", "AIBA-31-OUTPUT-MARKING", "AIBA-31-SYNTHETIC-MEDIA"}),
    S("internal_only_tool",
      {"system": {"generative": True, "internal_use_only": True, "realistic_synthetic_media": True}},
      gen=True, not_applies={"AIBA-31-ADVANCE-NOTICE", "AIBA-31-OUTPUT-MARKING", "AIBA-31-SYNTHETIC-MEDIA"}),
    S("obvious_ai_assistant",
      {"system": {"generative": True, "ai_use_obvious": True}},
      gen=True, not_applies={"AIBA-31-ADVANCE-NOTICE", "AIBA-31-OUTPUT-MARKING"}),
    S("medical_device_diagnosis", _area("medical_device"), hi=True, applies=AIBA_HI),
    S("frontier_scale_model",
      {"operator": {**FOREIGN, "avg_daily_korean_users": 2_000_000},
       "system": {"generative": True},
       "training": {"state_of_the_art": True, "broad_serious_risk": True, "compute": [{"flops": 2e26}]}},
      gen=True, safety=True, agent=True, agent_trigger="avg_daily_korean_users",
      applies={"AIBA-32-SAFETY-RISK", "AIBA-32-SAFETY-REPORT", "AIBA-36-DOMESTIC-AGENT"},
      unsettled_rule="AIBA-32 compute counting"),
    S("frontier_compute_not_state_of_the_art",
      {"training": {"state_of_the_art": False, "broad_serious_risk": True, "compute": [{"flops": 3e26}]}},
      not_applies={"AIBA-32-SAFETY-RISK"}),
    S("large_but_below_threshold",
      {"training": {"state_of_the_art": True, "broad_serious_risk": True,
                    "compute": [{"parameters": 4e11, "tokens": 1.5e13}]}},  # 3.6e25
      not_applies={"AIBA-32-SAFETY-RISK", "AIBA-32-SAFETY-REPORT"}),
    S("user_operator_unchanged_third_party_model",
      {"operator": {"role": "user_operator"},
       "system": {"use_areas": ["rights_decisions"],
                  "third_party_model": {"provider": "Vendor", "unchanged": True}}},
      hi=True, applies=AIBA_HI,
      status={"AIBA-34-RISK-PLAN": "deemed_met", "AIBA-34-EXPLANATION-PLAN": "deemed_met",
              "AIBA-34-USER-PROTECTION": "deemed_met", "AIBA-34-HUMAN-OVERSIGHT": "missing"}),
    S("user_operator_modified_model",
      {"operator": {"role": "user_operator"},
       "system": {"use_areas": ["rights_decisions"],
                  "third_party_model": {"provider": "Vendor", "unchanged": False}}},
      hi=True, status={"AIBA-34-RISK-PLAN": "missing"}),
    S("national_security_only",
      {"system": {"use_areas": ["biometric_investigation"], "national_security_only": True, "generative": True}},
      gen=True, not_applies=AIBA_HI | {"AIBA-31-OUTPUT-MARKING"}),
    S("no_effect_on_korea",
      {"operator": {**FOREIGN, "prior_year_revenue_krw": 5e12},
       "system": {"use_areas": ["rights_decisions"], "affects_korea": False}},
      not_applies=AIBA_HI | {"AIBA-36-DOMESTIC-AGENT"}),
    S("energy_grid_balancing", _area("energy"), hi=True, applies=AIBA_HI),
    S("drinking_water_plant", _area("drinking_water"), hi=True, applies=AIBA_HI),
    S("nuclear_plant_monitoring", _area("nuclear"), hi=True, applies=AIBA_HI),
    S("police_face_matching", _area("biometric_investigation"), hi=True, applies=AIBA_HI),
    S("rail_signalling", _area("transport"), hi=True, applies=AIBA_HI),
    S("welfare_eligibility", _area("public_decisions"), hi=True, applies=AIBA_HI),
    S("school_essay_grading", _area("student_assessment"), hi=True, applies=AIBA_HI),
    S("hospital_triage", _area("healthcare"), hi=True, applies=AIBA_HI),
    S("listed_area_without_serious_effect",
      _area("healthcare", significant_impact=False),
      applies={"AIBA-33-SELF-ASSESSMENT"}, not_applies={"AIBA-34-RISK-PLAN", "AIBA-3-2-EXPLANATION"}),
    S("foreign_ai_revenue_threshold",
      {"operator": {**FOREIGN, "ai_service_revenue_krw": 1.5e10}}, agent=True,
      agent_trigger="ai_service_revenue_krw", applies={"AIBA-36-DOMESTIC-AGENT"}),
    S("foreign_fined_before",
      {"operator": {**FOREIGN, "fined_for_ignoring_order": True}}, agent=True,
      agent_trigger="fined_for_ignoring_order"),
    S("foreign_below_thresholds",
      {"operator": {**FOREIGN, "prior_year_revenue_krw": 9e11, "ai_service_revenue_krw": 9e9,
                    "avg_daily_korean_users": 999_999}},
      not_applies={"AIBA-36-DOMESTIC-AGENT"}),
    S("domestic_conglomerate",
      {"operator": {"prior_year_revenue_krw": 5e12, "avg_daily_korean_users": 9_000_000}},
      not_applies={"AIBA-36-DOMESTIC-AGENT"}),
    S("health_records_research",
      {"personal_data": {"used": True, "categories": ["name", "health", "genetic"], "pseudonymized": True,
                         "purpose": "scientific_research"}},
      applies={"PIPA-23-SENSITIVE", "PIPA-28-2-PSEUDONYMIZED", "PIPA-28-4-SAFEGUARDS",
               "PIPA-28-5-NO-REIDENTIFICATION", "PIPA-28-7-RIGHTS-EXCEPTIONS", "SMS-8-ACCESS-LOG-2Y"},
      not_applies={"PIPA-28-2-PURPOSE", "PIPA-24-UNIQUE-ID"}),
    S("pseudonymized_for_service",
      {"personal_data": {"used": True, "categories": ["name"], "pseudonymized": True,
                         "purpose": "service_provision"}},
      applies={"PIPA-28-2-PURPOSE"}),
    S("data_combination_project",
      {"personal_data": {"used": True, "categories": ["name"], "pseudonymized": True, "purpose": "statistics",
                         "combines_other_controllers": True}},
      applies={"PIPA-28-3-COMBINATION"}),
    S("card_fraud_model",
      {"personal_data": {"used": True, "categories": ["card_number"], "subjects_count": 100}},
      applies={"SMS-7-ENCRYPTION", "SMS-8-ACCESS-LOG"}, not_applies={"SMS-8-ACCESS-LOG-2Y"}),
    S("large_customer_base_logs",
      {"personal_data": {"used": True, "categories": ["name"], "subjects_count": 50_000}},
      applies={"SMS-8-ACCESS-LOG-2Y"}, not_applies={"SMS-8-ACCESS-LOG"}),
    S("us_outsourcing_with_onward_transfer",
      {"personal_data": PD_BASIC,
       "transfers": [{"destination": "US", "items": ["name"], "basis": "contract", "mode": "outsourcing",
                      "disclosed_in_privacy_policy": True, "contract_safeguards": True, "onward_transfer": True}]},
      applies={"PIPA-28-8-TRANSFER-BASIS", "PIPA-28-8-CONTRACT-TERMS", "PIPA-28-9-SUSPENSION",
               "PIPA-28-10-OPEN", "PIPA-28-11-ONWARD"},
      transfer_ok=[True]),
    S("contract_route_for_provision",
      {"transfers": [{"destination": "SG", "items": ["name"], "basis": "contract", "mode": "provision",
                      "disclosed_in_privacy_policy": True, "contract_safeguards": True}]},
      transfer_ok=[False]),
    S("lapsed_certification",
      {"transfers": [{"destination": "JP", "items": ["name"], "basis": "certification", "certification": "ISMS-P",
                      "measures_abroad": True, "certified_since": "2020-03-01"}]},
      transfer_ok=[False]),
    S("consent_not_separate",
      {"transfers": [{"destination": "US", "items": ["name"], "basis": "consent", "separate_consent": False}]},
      transfer_ok=[False]),
    S("treaty_based_transfer",
      {"transfers": [{"destination": "US", "items": ["name"], "basis": "law_or_treaty",
                      "legal_reference": "mutual legal assistance treaty"}]},
      transfer_ok=[True]),
    S("equivalence_claimed_for_us",
      {"transfers": [{"destination": "US", "items": ["name"], "basis": "equivalence"}]},
      transfer_ok=[False], blocked=[[]]),
    S("vulnerable_groups_before_july_2026",
      {"system": {"use_areas": ["rights_decisions"]}}, hi=True, today=dt.date(2026, 5, 1),
      status={"AIBA-35-VULNERABLE-GROUPS": "upcoming", "AIBA-35-RIGHTS-IMPACT": "missing"}),
    S("isms_p_after_july_2027",
      {"personal_data": PD_BASIC}, today=dt.date(2027, 8, 1),
      applies={"PIPA-ISMS-P-2027", "PIPA-BREACH-2026"},
      status={"PIPA-ISMS-P-2027": "missing", "PIPA-BREACH-2026": "missing"}),
    S("breach_rules_before_september_2026",
      {"personal_data": PD_BASIC}, today=dt.date(2026, 8, 1),
      status={"PIPA-BREACH-2026": "upcoming", "PIPA-ISMS-P-2027": "upcoming", "PIPA-BREACH-72H": "missing"}),
    S("no_personal_data_model",
      {"system": {"use_areas": ["transport"]}}, hi=True,
      not_applies={"PIPA-36-37-ERASURE", "PIPA-BREACH-72H", "SMS-8-ACCESS-LOG", "SMS-8-ACCESS-LOG-2Y"}),
]


def run(s: S) -> dict[str, Any]:
    desc = parse_description(_merge(BASE, s.over), source=s.id)
    return assess(desc, today=s.today).to_dict()


def test_table_is_big_enough() -> None:
    assert len(SCENARIOS) >= 30
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.id)
def test_scenario(s: S) -> None:
    d = run(s)
    assert d["high_impact"] is s.hi
    assert d["generative"] is s.gen
    assert d["safety_duty"] is s.safety
    assert d["domestic_agent_required"] is s.agent
    if s.hi:
        assert d["high_impact_areas"]
    duties = {x["id"]: x for x in d["duties"]}
    applying = {k for k, x in duties.items() if x["applies"]}
    assert s.applies <= applying, s.applies - applying
    assert not (s.not_applies & applying), s.not_applies & applying
    for rid, st in s.status.items():
        assert duties[rid]["status"] == st, (rid, duties[rid]["status"])
    for x in d["duties"]:  # every duty carries its citation
        assert x["article"] and x["law"] and x["sources"]
        assert all(src["url"].startswith("http") for src in x["sources"])
        if x["applies"]:
            assert x["why"], x["id"]
    if s.transfer_ok is not None:
        assert [t["ok"] for t in d["transfer_findings"]] == s.transfer_ok
    if s.blocked is not None:
        assert [t["blocked_items"] for t in d["transfer_findings"]] == s.blocked
    if s.agent_trigger:
        assert s.agent_trigger in [t["test"] for t in d["domestic_agent"]["triggers"]]
    if s.unsettled_rule:
        assert s.unsettled_rule in [u["rule"] for u in d["unsettled"]]


def test_every_rule_is_reachable() -> None:
    reached: set[str] = set()
    for s in SCENARIOS:
        reached |= {x["id"] for x in run(s)["duties"] if x["applies"]}
    all_ids = {r.id for r in knowledge_base().rules}
    assert all_ids - reached == set()


def test_deterministic_output() -> None:
    s = SCENARIOS[0]
    assert run(s) == run(s)
    ids = [x["id"] for x in run(s)["duties"]]
    assert ids == [r.id for r in knowledge_base().rules]


def test_fines_for_missing_notice_and_agent_follow_decree_schedule() -> None:
    d = run(S("x", {"operator": {**FOREIGN, "prior_year_revenue_krw": 2e12, "prior_notice_offences": 1},
                    "system": {"generative": True}}))
    fines = {f["duty"]: f for f in d["fines_exposure"] if f["kind"] == "fine"}
    assert fines["AIBA-31-ADVANCE-NOTICE"]["amount_krw"] == 10_000_000  # 2nd offence
    assert fines["AIBA-36-DOMESTIC-AGENT"]["amount_krw"] == 20_000_000
    assert all(f["max_krw"] == 30_000_000 for f in fines.values())
    assert all(f["enforceable_now"] is False for f in fines.values())  # grace period, 2026
    later = assess(parse_description(_merge(BASE, {"system": {"generative": True}})), today=dt.date(2027, 3, 1))
    f2 = next(f for f in later.fines_exposure if f["duty"] == "AIBA-31-ADVANCE-NOTICE")
    assert f2["enforceable_now"] is True
    assert any("grace period" in w for w in later.warnings)


def test_evidenced_duties_carry_no_fine() -> None:
    over = {"system": {"generative": True},
            "evidence": {"documents": {"advance_notice": "https://example.org/notice"}}}
    d = run(S("x", over))
    assert not [f for f in d["fines_exposure"] if f["duty"] == "AIBA-31-ADVANCE-NOTICE"]
    duty = next(x for x in d["duties"] if x["id"] == "AIBA-31-ADVANCE-NOTICE")
    assert duty["status"] == "evidenced"


def test_media_confusion_note_for_frontier_compute() -> None:
    d = run(SCENARIOS[8])
    assert any("separate safety category" in n["en"] for n in d["notes"])


def test_effective_date_passing_after_knowledge_base_is_warned() -> None:
    d = run(S("x", {"personal_data": PD_BASIC}, today=dt.date(2026, 9, 20)))
    assert any("PIPA-BREACH-2026" in w and "after this knowledge base" in w for w in d["warnings"])
    d = run(S("x", {"personal_data": PD_BASIC}, today=dt.date(2026, 9, 1)))
    assert any("PIPA-BREACH-2026" in w and "takes effect" in w for w in d["warnings"])
