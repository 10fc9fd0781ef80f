"""KR_ADDRESS: the native find_addresses against addresses.find_addresses (differential tests).

tests/test_native.py compares every recognizer on the labeled corpus and on generic generated
text. This file aims at the choice points of the address matcher, where a hand-written matcher
can part from the regexes: the branch road variants (``12길``, ``77번길``, ``26다길``, ``12길길``),
``-부번`` and ``번지`` undone by the lookahead after the number, ``B1층`` shortened to ``B1``, the
40-character limit inside a reference item, units after a reference item, region words cut by
the 40-character window before the anchor, longer region words given up for shorter ones when
the final lookahead fails, the conditional group (``성남`` only before a 구), and the score
arithmetic (bit-identical floats).

Sources of text: every Hangul string literal of tests/test_addresses.py, focused cases below,
address-shaped text generated from the region table passed to the core (seeded, so a failure
is reproducible), a hypothesis strategy over the same pieces, and bench.corpus records for
several seeds.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_support import assert_same, hangul_literals, native_raw, python_raw

from bench.corpus import generate
from jikimi.detect import addresses, native
from jikimi.detect.context import RECORD_SEPARATOR

core = native.core()
pytestmark = pytest.mark.skipif(core is None, reason="native scan core not built")

TABLES = addresses.native_tables()


def _py(text: str) -> list[tuple[Any, ...]]:
    return python_raw(addresses.find_addresses, text)


def _c(text: str) -> list[tuple[Any, ...]]:
    return native_raw("find_addresses", text)


def _assert_same(texts: list[str]) -> None:
    assert_same(addresses.find_addresses, "find_addresses", texts)


# ---------------------------------------------------------------------------------------------
# the tables handed to the core


def test_tables_describe_the_patterns() -> None:
    words = TABLES["addr.context_words"]
    assert all(addresses._CONTEXT.fullmatch(w) for w in words)
    assert {"받는 곳", "받는곳", "보내실 곳", "보내실곳", "주소"} <= set(words)
    counters = re.compile(f"[0-9{addresses._COUNTERS}]")
    assert all(counters.match(c) for c in TABLES["addr.counters"])
    assert "5" in TABLES["addr.counters"] and "명" in TABLES["addr.counters"]
    assert set(TABLES["addr.reference_end"]) == set("동가리로읍면트라션텔워딩츠슬운을")
    assert set(TABLES["addr.levels"]) == set(addresses._LEVELS)


# ---------------------------------------------------------------------------------------------
# the literals of the address tests


LITERALS = hangul_literals("test_addresses.py")


def test_literals_of_the_address_tests() -> None:
    assert len(LITERALS) > 100
    _assert_same(LITERALS)


@pytest.mark.parametrize("sep", ["", " ", "\n", ", ", RECORD_SEPARATOR])
def test_literals_joined(sep: str) -> None:
    _assert_same([sep.join(LITERALS[i : i + 20]) for i in range(0, len(LITERALS), 20)])


def test_literals_behind_fillers() -> None:
    """Each literal shifted behind fillers, so the 40-character window and the 30-character
    context window cut it everywhere."""
    texts = []
    for lit in LITERALS[::3]:
        for k in range(0, 45, 4):
            texts += [f"{'가' * k}{lit}", f"{' ' * k}{lit}", f"주소 {'x' * k}{lit}"]
    _assert_same(texts)


# ---------------------------------------------------------------------------------------------
# focused cases

FOCUSED = [
    # 번지 and -부번 undone by the lookahead after the number
    "서울 강남구 역삼동 123번지5",
    "서울 강남구 역삼동 123번지번지",
    "서울 강남구 역삼동 123-45번지6",
    "서울 강남구 역삼동 12-123456",
    "서울 강남구 역삼동 12-5-3",
    "서울 강남구 역삼동 123번 출구",
    "서울 강남구 역삼동 123번",
    "서울 강남구 역삼동 12.5",
    "서울 강남구 역삼동 12,5",
    "서울 강남구 역삼동 123456",
    "서울 강남구 역삼동 0123",
    # branch roads: every variant of [가-하]?번?길
    "서울 강남구 테헤란로12길길 34",
    "서울 강남구 테헤란로 12번길 34",
    "서울 강남구 테헤란로 12가번길 34",
    "서울 강남구 테헤란로 12번번길 34",
    "서울 강남구 테헤란로 12345길 34",
    "서울 강남구 테헤란로12길 지하 3",
    "서울 강남구 역삼동12길 3",
    "서울 역삼동 12다길",  # the branch road is given up: 12 is the number, 다 passes the lookahead
    "서울 테헤란로 12다길 가",
    # units: B1층 shortened to B1, 1호선, codes
    "서울 강남구 테헤란로 152, B1층5",
    "서울 강남구 테헤란로 152, B1층선",
    "서울 강남구 테헤란로 152, 1호선",
    "서울 강남구 테헤란로 152, 101동-1",
    "서울 강남구 테헤란로 152, A-101호, B동, 제3층, 지하 2층",
    "서울 강남구 테헤란로 152, 101동,1203호 3층,4층,5층",
    "서울 강남구 테헤란로 152 , 101-1203",
    "서울 강남구 테헤란로 152 ,101-1203A",
    "서울 강남구 테헤란로 152 호반베르디움 101동 1203호",
    "서울 강남구 테헤란로 152 가나다라마바사아자차카타파하가나다라마바사 101동",
    "서울 강남구 테헤란로 152 가나다라마바사아자차카타파하가나다라마바 101동",
    # reference items: the 40-character limit, the last-character lookbehind, late units
    "서울 강남구 테헤란로 152 (역삼동, " + "가" * 39 + ")",
    "서울 강남구 테헤란로 152 (역삼동, " + "가" * 40 + ")",
    "서울 강남구 테헤란로 152 (역삼동,\n가)",
    "서울 강남구 테헤란로 152 ( 래미안아파트 )",
    "서울 강남구 테헤란로 152 (세종로1)",
    "서울 강남구 테헤란로 152 (역삼동) 101동 1203호",
    "서울 강남구 테헤란로 152 (역삼동)101동, 1203호, 3층, 4층, 5층",
    "서울 강남구 테헤란로 152, 3층 (역삼동) 301호",
    # region words: glued, spaced, short 시 names, the conditional group, whole words
    "성남 분당구 정자일로 95",
    "성남 정자일로 95",
    "성남시 정자일로 95",
    "서울특별시강남구 테헤란로 152",
    "서울특별시강남구테헤란로 152",
    "서울특별시   강남구   테헤란로 152",
    "집중구 테헤란로 152",
    "x중구 테헤란로 152",
    "광주 북구 용봉로 77",
    "경기 광주시 오포읍 문형로 31",
    "양평군   양평읍   중앙로77번길 12",
    "양평군 양평읍가나다라마바사 중앙로 12",
    "양평군 동가나 역삼로 12",
    "세종 도움6로 11",
    "세종 역삼동 11",
    "세종시 역삼동 11",
    # anchor words rejected by find_addresses
    "강남구로 3명",
    "서울 강남구로 3",
    "서울 대로 3",
    "서울 종로 1가 12",
    "서울 추가 12",
    "서울 101동 12",
    "서울 2순환로 146",
    "서울 역삼동 산 12-3",
    "서울 테헤란로 산 12",
    "서울 테헤란로 지하 12",
    "서울 역삼동 지하 12",
    "서울 세종로 12번지",
    # no region word: a keyword within 30 characters, or a 호
    "주소: 역삼동 123",
    "역삼동 123, 101호",
    "받는 곳 테헤란로 152",
    "보내실곳" + " " * 27 + "테헤란로 152",
    "보내실곳" + " " * 26 + "테헤란로 152",
]


@pytest.mark.parametrize("text", FOCUSED)
def test_focused(text: str) -> None:
    assert _c(text) == _py(text)


def test_window_cuts_region_words() -> None:
    """The road name grows one character at a time, so the 40-character window before the
    anchor ends inside each region word in turn (a cut word may still be a shorter one)."""
    levels = TABLES["addr.levels"]
    regions = sorted(levels, key=lambda w: (-len(w), w))[:40] + TABLES["addr.si_short"]
    rng = random.Random(5)
    texts = []
    for k in range(20, 42):
        for _ in range(12):
            words = [rng.choice(regions) for _ in range(rng.randint(1, 4))]
            sep = rng.choice([" ", "", "  "])
            texts.append(
                sep.join(words) + " " + "테" * k + rng.choice(["로 12", "동 12-3", "리 5"])
            )
    _assert_same(texts)


def test_glued_region_words() -> None:
    """Region words and 읍/면/동 words glued or spaced in any order: the 읍/면/동 group takes at
    most 7 characters of a word (possessive), a trie word may start right after it, and longer
    region words are given up for shorter ones when the final lookahead fails."""
    words = [*TABLES["addr.levels"], *TABLES["addr.si_short"]]
    subs = [
        "역삼동",
        "대치1동",
        "동",
        "면",
        "읍",
        "오포읍",
        "대산면",
        "가동",
        "구동",
        "시동",
        "도면",
    ]
    anchors = ["테헤란로", "로", "역삼동", "동", "가술리", "종로1가", "대로", "1로"]
    rng = random.Random(11)
    texts = []
    for _ in range(5000):
        parts = [
            rng.choice([*words, *subs, "가", "나", "1", "x", "중"])
            for _ in range(rng.randint(1, 7))
        ]
        text = "".join(p + rng.choice(["", "", " ", "  "]) for p in parts)
        if rng.random() < 0.3:
            text = "가" * rng.randint(0, 20) + text
        text += rng.choice(["", " "]) + rng.choice(anchors) + rng.choice([" ", ""])
        texts.append(
            text + rng.choice(["12", "12-3", "12번지", "산 12"]) + rng.choice(["", ", 101호", "에"])
        )
    assert sum(1 for t in texts if _py(t)) > 1000
    _assert_same(texts)


# ---------------------------------------------------------------------------------------------
# generated address-shaped text

_LEVELS: dict[str, int] = TABLES["addr.levels"]
_SIDO = sorted(w for w, m in _LEVELS.items() if m & 1)
_SI = sorted(w for w, m in _LEVELS.items() if m & 2) + TABLES["addr.si_short"]
_GU = sorted(w for w, m in _LEVELS.items() if m & 4)
_SUB = ["대산면", "오포읍", "역삼동", "동", "읍", "면", "면12345678", "동1", "읍내"]
_ROADS = [
    "테헤란로", "세종대로", "중앙로", "대로", "2순환로", "을지로", "종로", "동성로2길", "로",
    "길", "도움6로", "강남구로", "중구로", "세종로", "학성로39번길", "서울시로", "성남로",
]  # fmt: skip
_DONGS = [
    "역삼동", "우동", "가술리", "종로1가", "을지로3가", "추가", "101동", "동", "리", "가", "3가",
    "역삼1동", "동동",
]  # fmt: skip
_UNITS = [
    "101동", "1203호", "3층", "B1층", "B1", "b2", "B-101호", "A동", "A-12호", "A12층", "지하 1층",
    "지하1층", "제101동", "제1203호", "101-1203호", "12345동", "123456호", "B1층5", "1호선",
    "A동5", "101동-", "지하 0층", "B0", "제제1동",
]  # fmt: skip
_BUILDINGS = ["래미안아파트", "누리캐슬", "호반베르디움", "A", "AB", "가" * 20, "가" * 21, "12동"]
_REFS = [
    "세종로", "영천동", "삼평동, 에이치스퀘어", "우: 03154", "세종로1", "래미안아파트", "아파트 1",
    "삼동,", "동 " + "가" * 39, "동 " + "가" * 40, "동(", "동\n)", "1동",
]  # fmt: skip
_TAILS = [
    "", "", "명", "시", "층", "호", ".5", ",3", "-3", "km", "에", "에서", "로", " ", ".", "번 출구",
    "가", "~", "A",
]  # fmt: skip
_LEADS = ["주소: ", "배송지 ", "받는 곳:", "보내실곳 ", "자택은 ", "가나다 ", "\0", "\n"]


def _sep(rng: random.Random) -> str:
    return rng.choice(["", " ", " ", " ", "  ", "\n", ","])


def _units(rng: random.Random) -> str:
    out = rng.choice(_UNITS)
    for _ in range(rng.randint(0, 4)):
        out += rng.choice(["", ",", ", ", " "]) + rng.choice(_UNITS)
    return out


def _address(rng: random.Random) -> str:
    out = ""
    for words, p in ((_SIDO, 0.5), (_SI, 0.5), (_GU, 0.5), (_SUB, 0.3)):
        if rng.random() < p:
            out += rng.choice(words) + _sep(rng)
    out += rng.choice(_ROADS + _DONGS)
    if rng.random() < 0.3:
        out += rng.choice(["", " "]) + rng.choice(["12", "1", "1234", "12345"])
        out += (
            rng.choice(["", "다", "번", "길"])
            + rng.choice(["", "번"])
            + rng.choice(["길", "길길", ""])
        )
    out += rng.choice(["", "", " ", "지하", "지하 ", " 지하 ", " 산", "산 ", "  "])
    numbers = ["1", "12", "123", "1234", "12345", "123456", "0", "01", str(rng.randint(1, 99999))]
    out += rng.choice(numbers) if rng.random() < 0.9 else ""
    if rng.random() < 0.4:
        out += "-" + rng.choice(["1", "12", "12345", "123456", "0", ""])
    if rng.random() < 0.2:
        out += rng.choice(["번지", "번", "번지번지", "번길"])
    out += rng.choice(_TAILS)
    if rng.random() < 0.5:
        out += rng.choice([", ", ",", " ", " , ", " ,", "  ", ""])
        r = rng.random()
        if r < 0.5:
            out += _units(rng)
        elif r < 0.7:
            out += rng.choice(["101-1203", "1-1", "12345-1", "1234-123456", "101-1203A", "0-1"])
        else:
            out += rng.choice(_BUILDINGS) + rng.choice([" ", ""]) + _units(rng)
    if rng.random() < 0.3:
        out += rng.choice(["", " "]) + "(" + rng.choice(["", " "]) + rng.choice(_REFS)
        out += rng.choice([")", ")", "", " )"])
    if rng.random() < 0.2:
        out += rng.choice(["", " "]) + _units(rng)
    return out


def _text(rng: random.Random) -> str:
    out = ""
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.3:
            out += rng.choice([*_LEADS, "x" * rng.randint(1, 50), "가" * rng.randint(1, 45)])
        out += _address(rng) + rng.choice(["", " ", "에 살아요", "로 보내주세요", ", ", "\n", "\0"])
    return out


@pytest.mark.parametrize("seed", range(4))
def test_generated_addresses(seed: int) -> None:
    rng = random.Random(seed)
    texts = [_text(rng) for _ in range(5000)]
    assert sum(1 for t in texts if _py(t)) > 500  # the generator does reach addresses
    _assert_same(texts)


_PIECES = [
    *_SIDO[:8], *_SI[:12], *_GU[:12], *_SUB, *_ROADS, *_DONGS, *_UNITS, *_TAILS, *_LEADS,
    *"0123456789", "-", " ", " ", ",", "(", ")", "번지", "지하", "산", "길", "12길", "번길",
]  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_pieces(text: str) -> None:
    assert _c(text) == _py(text)


# ---------------------------------------------------------------------------------------------
# the benchmark corpus


@pytest.mark.parametrize("seed", [1, 2, 3, 11])
def test_bench_corpus(seed: int) -> None:
    texts = [r["text"] for r in generate(20000, seed=seed)]
    _assert_same(texts)
    _assert_same([RECORD_SEPARATOR.join(texts[i : i + 500]) for i in range(0, len(texts), 500)])
