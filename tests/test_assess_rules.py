"""The knowledge base: every rule cites its law, article and sources; conditions are safe."""

from __future__ import annotations

import datetime as dt

import pytest

from jikimi.assess.conditions import ConditionError, compile_condition, evaluate
from jikimi.assess.engine import FACT_NAMES, KnowledgeBaseError, knowledge_base, load_rules_from

KB = knowledge_base()


def test_rules_loaded() -> None:
    assert len(KB.rules) >= 30
    assert {r.law for r in KB.rules} == {"ai_basic_act", "pipa", "safety_standard"}


@pytest.mark.parametrize("rule", KB.rules, ids=lambda r: r.id)
def test_every_rule_has_a_citation(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.id and rule.law_en and rule.law_ko
    assert rule.article.strip()
    assert rule.sources, "no rule without a source"
    for tag in rule.sources:
        src = KB.sources[tag]
        assert src.url.startswith("http"), tag
    assert rule.title["en"] and rule.title["ko"]
    assert rule.statement["en"] and rule.statement["ko"]
    assert rule.obligation in ("mandatory", "best_efforts", "principle", "info")
    assert rule.effective is None or isinstance(rule.effective, dt.date)
    if rule.enforcement:
        assert rule.enforcement["sources"]
    for u in rule.unsettled:
        assert u["en"] and u["ko"] and u["sources"]


def test_ai_basic_act_dates_match_reference() -> None:
    # in force 22 Jan 2026 [A1]; vulnerable groups from 21 Jul 2026 (Act 21311)
    eff = {r.id: r.effective for r in KB.rules}
    assert eff["AIBA-31-ADVANCE-NOTICE"] == dt.date(2026, 1, 22)
    assert eff["AIBA-35-VULNERABLE-GROUPS"] == dt.date(2026, 7, 21)
    assert eff["PIPA-37-2-AUTOMATED-DECISION"] == dt.date(2024, 3, 15)
    assert eff["SMS-7-ENCRYPTION"] == dt.date(2026, 7, 1)
    assert eff["PIPA-BREACH-2026"] == dt.date(2026, 9, 11)
    assert eff["PIPA-ISMS-P-2027"] == dt.date(2027, 7, 1)


def _rule_file(**over: object) -> str:
    import yaml

    rule = {"id": "X-1", "article": "Art. 1", "obligation": "mandatory", "effective": None,
            "sources": ["A1"], "when": "high_impact", "title": {"en": "t", "ko": "ㅌ"},
            "statement": {"en": "s", "ko": "ㅅ"}}
    rule.update(over)
    rule = {k: v for k, v in rule.items() if v != "__drop__"}
    return yaml.safe_dump({"law": {"id": "pipa", "en": "PIPA", "ko": "개인정보 보호법"}, "rules": [rule]},
                          allow_unicode=True)


@pytest.mark.parametrize("field", ["article", "sources", "id", "when", "statement"])
def test_rule_without_citation_is_rejected(field: str) -> None:
    with pytest.raises(KnowledgeBaseError):
        load_rules_from([("t.yaml", _rule_file(**{field: "__drop__"}))], KB.sources, KB.grace_periods)


def test_unknown_source_tag_and_fact_rejected() -> None:
    with pytest.raises(KnowledgeBaseError, match="unknown source"):
        load_rules_from([("t.yaml", _rule_file(sources=["Z9"]))], KB.sources, KB.grace_periods)
    with pytest.raises(KnowledgeBaseError, match="unknown fact"):
        load_rules_from([("t.yaml", _rule_file(when="high_impactt"))], KB.sources, KB.grace_periods)
    with pytest.raises(KnowledgeBaseError, match="effective"):
        load_rules_from([("t.yaml", _rule_file(effective="__drop__"))], KB.sources, KB.grace_periods)
    assert load_rules_from([("t.yaml", _rule_file())], KB.sources, KB.grace_periods)[0].id == "X-1"


def test_condition_language() -> None:
    facts = {"a": True, "b": False, "n": 5, "s": "developer", "l": ("x", "y"), "z": None}
    assert evaluate("a and not b", facts)
    assert evaluate("n >= 5 and n < 6", facts)
    assert evaluate("s == 'developer' or b", facts)
    assert evaluate("'x' in l and 'q' not in l", facts)
    assert evaluate("s in ['developer', 'user_operator']", facts)
    assert not evaluate("z >= 1", facts)  # missing figures never meet a threshold
    assert evaluate("not (a and b)", facts)
    cond = compile_condition("a and (b or n > 3)", facts.keys())
    ok, why = cond.evaluate(facts)
    assert ok and why == ["a = true", "b = false", "n = 5"]


@pytest.mark.parametrize("text", ["__import__('os')", "a and", "a +", "", "(a", "open()", "a.__class__"])
def test_condition_rejects_code(text: str) -> None:
    with pytest.raises(ConditionError):
        compile_condition(text, {"a"})


def test_fact_names_cover_rule_conditions() -> None:
    used = set().union(*(r.when.names for r in KB.rules))
    assert used <= set(FACT_NAMES)
