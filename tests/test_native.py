"""The native scan core against the Python recognizers it reproduces (differential tests).

The Python recognizers are the reference: for every text, each native recognizer must return
exactly the raw findings (type, span, score, recognizer name) its Python counterpart returns, on
the labeled corpus (single records and records joined the way the engine joins them) and on
generated text built from the pieces the recognizers react to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_support import native_raw, python_raw

from bench.corpus import generate
from jikimi.detect import addresses, names, native, patterns
from jikimi.detect.context import RECORD_SEPARATOR

core = native.core()
pytestmark = pytest.mark.skipif(core is None, reason="native scan core not built")

PAIRS: dict[str, tuple[Callable[[str], list[Any]], str]] = {
    "structured": (patterns.find_structured, "find_structured"),
    "persons": (names.find_persons, "find_persons"),
    "addresses": (addresses.find_addresses, "find_addresses"),
}


def _py(fn: Callable[[str], list[Any]], text: str) -> list[tuple[Any, ...]]:
    return python_raw(fn, text)


def _native(name: str, text: str) -> list[tuple[Any, ...]]:
    return native_raw(PAIRS[name][1], text)


def _check(name: str, text: str) -> None:
    want = _py(PAIRS[name][0], text)
    got = _native(name, text)
    assert got == want, f"{name} differs on {text!r}"


_CORPUS = [r["text"] for r in generate(3000, seed=29)]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_corpus_records(name: str) -> None:
    bad = [t for t in _CORPUS if _native(name, t) != _py(PAIRS[name][0], t)]
    assert not bad, f"{len(bad)} records differ, first: {bad[0]!r}"


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_corpus_joined(name: str) -> None:
    for i in range(0, len(_CORPUS), 200):
        _check(name, RECORD_SEPARATOR.join(_CORPUS[i : i + 200]))


_PIECES = [
    *"0123456789", *"0123456789", "-", ".", "/", " ", " ", ",", ":", "(", ")", "+", "@", "*",
    "○", "\n", "\0", "\t", "a", "Z", "x", "v", "M", "82", "010", "02", "1588", "9", "0082",
    "김", "이", "박", "최", "남궁", "선우", "민준", "서연", "지훈", "님", "씨", "고객님", "과장",
    "선생님", "환자", "성명", "이름", "예금주", "담당자", "은", "는", "이", "가", "을", "의",
    "입니다", "저는", "나", "및", ",", "서울특별시", "강남구", "테헤란로", "12길", "역삼동", "번지",
    "101동", "1203호", "서울", "부산", "경기도", "성남시", "분당구", "로", "길", "동", "리", "가",
    "산", "지하", "층", "주소", "연락처", "전화", "계좌", "은행", "카드", "주민등록번호", "외국인",
    "여권", "passport", "운전면허", "생년월일", "생", "년", "월", "일", "우편번호", "(우)",
    "차량번호", "12가", "가3456", "주문번호", "버전", "IP", "::", "fe80", "abc", "@example.com",
    "Mr.", "Kim", "Jane", "Doe", "Name", "Dear", "정부", "이번", "표현", "정보", "확인",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@pytest.mark.parametrize("name", sorted(PAIRS))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_generated(name: str, text: str) -> None:
    _check(name, text)


@pytest.mark.parametrize("name", sorted(PAIRS))
@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_arbitrary_unicode(name: str, text: str) -> None:
    _check(name, text)


@pytest.mark.parametrize(
    ("entities", "min_score"), [(None, 0.5), (None, 0.0), ("PERSON,KR_RRN,PHONE_NUMBER", 0.7)]
)
def test_engine_scan_many(entities: str | None, min_score: float) -> None:
    """The whole engine: overlap resolution, score threshold and entity selection included."""
    from jikimi.detect.engine import Scanner
    from jikimi.detect.recognizers import default_recognizers

    assert core is not None
    ref = Scanner(entities=entities, min_score=min_score, recognizers=default_recognizers())
    mask = native.entity_mask(ref.entities)
    texts = _CORPUS[:1500]
    assert core.scan_many(texts, min_score, mask) == ref.scan_many(texts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(texts, max_size=5))
def test_batch_equals_one_by_one(batch: list[str]) -> None:
    """Scanning records together never changes a record's findings (no context, label or
    window reaches into a neighbouring record), in the Python engine and in the core."""
    from jikimi.detect.engine import Scanner
    from jikimi.detect.recognizers import default_recognizers

    for scanner in (Scanner(min_score=0.0), Scanner(min_score=0.0, recognizers=default_recognizers())):
        assert scanner.scan_many(batch) == [scanner.scan(t) for t in batch]
