"""The engine: deterministic overlap resolution and batch scanning equal to one-by-one scanning."""

from __future__ import annotations

import random
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi import Finding, Scanner, scan
from jikimi.detect.engine import resolve_overlaps
from jikimi.entities import ALL_ENTITIES, ENTITY_TYPES, PipaCategory, get_entity, resolve_entities


def test_taxonomy_complete() -> None:
    required = {
        "KR_RRN", "KR_FRN", "KR_PASSPORT", "KR_DRIVER_LICENSE", "CREDIT_CARD", "KR_BANK_ACCOUNT",
        "KR_HEALTH_INSURANCE", "PHONE_NUMBER", "EMAIL_ADDRESS", "PERSON", "KR_ADDRESS",
        "IP_ADDRESS", "KR_VEHICLE_PLATE", "DATE_OF_BIRTH", "KR_POSTAL_CODE", "KR_BRN", "KR_CRN",
    }
    assert required <= set(ALL_ENTITIES)
    for name in ("KR_RRN", "KR_FRN", "KR_PASSPORT", "KR_DRIVER_LICENSE"):
        e = get_entity(name)
        assert e.tier == 1 and e.category is PipaCategory.UNIQUE_IDENTIFIER
        assert e.default_operator in ("encrypt", "redact")  # tier 1 never leaves in clear
    for e in ENTITY_TYPES.values():
        assert e.label_ko and e.label_en and 1 <= e.tier <= 4
    assert get_entity("DATE_OF_BIRTH").category is PipaCategory.QUASI_IDENTIFIER


def test_resolve_entities() -> None:
    assert resolve_entities(None) == frozenset(ALL_ENTITIES)
    assert resolve_entities("KR_RRN, PHONE_NUMBER") == {"KR_RRN", "PHONE_NUMBER"}


def test_overlap_longest_then_score_then_priority() -> None:
    a = Finding("PHONE_NUMBER", 0, 13, 0.9)
    b = Finding("KR_BANK_ACCOUNT", 0, 14, 0.6)
    assert resolve_overlaps([a, b]) == [b]  # longest wins
    c = Finding("KR_RRN", 5, 19, 0.85)
    d = Finding("KR_CRN", 5, 19, 0.95)
    assert resolve_overlaps([c, d]) == [d]  # same span: higher score
    e = Finding("KR_RRN", 5, 19, 0.9)
    f = Finding("KR_CRN", 5, 19, 0.9)
    assert resolve_overlaps([e, f]) == [f]  # tie: type priority (CRN suppresses RRN look-alike)
    assert resolve_overlaps([f, e]) == [f]  # order of input does not matter


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20), st.sampled_from(ALL_ENTITIES), st.floats(0, 1)), max_size=12))
def test_overlap_resolution_is_order_independent(items: list[tuple[int, int, str, float]]) -> None:
    fs = [Finding(t, s, s + n, sc) for s, n, t, sc in items]
    out = resolve_overlaps(fs)
    shuffled = fs[:]
    random.Random(len(fs)).shuffle(shuffled)
    assert resolve_overlaps(shuffled) == out
    assert all(a.end <= b.start for a, b in pairwise(out))


SAMPLES = [
    "주민등록번호 610622-1363549",
    "주민번호",  # context at the end of one record must not leak into the next
    "7206262837181",
    "연락처 010-4821-7390, 메일 a@b.co.kr",
    "",
    "김민준 고객님 서울특별시 종로구 세종대로 209, 3층",
    "생년월일",
    "1987.03.09",
]


def test_scan_many_equals_scan() -> None:
    sc = Scanner()
    assert sc.scan_many(SAMPLES) == [sc.scan(t) for t in SAMPLES]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SAMPLES) | st.text(max_size=60), max_size=8))
def test_scan_many_equals_scan_property(texts: list[str]) -> None:
    sc = Scanner()
    assert sc.scan_many(texts) == [sc.scan(t) for t in texts]


def test_min_score_filters() -> None:
    text = "여권번호 없이 M70318452 하나"
    low = scan(text, min_score=0.0)
    assert any(f.entity_type == "KR_PASSPORT" for f in low)
    assert all(f.score >= 0.9 for f in scan(text, min_score=0.9))


def test_finding_never_holds_the_value() -> None:
    f = scan("연락처 010-4821-7390")[0]
    assert "4821" not in repr(f)
    assert "value" not in f.to_dict()
    assert f.to_dict("연락처 010-4821-7390")["value"] == "010-4821-7390"
