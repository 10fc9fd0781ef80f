"""names.find_persons in C against the Python reference, on focused cases (differential tests).

tests/test_native.py compares the two on the labeled corpus and on generated text; this file adds
the cases the names recognizer is made of: every Korean example sentence of tests/test_names.py
(alone, cut at every position, joined to its neighbours by a record separator or a line break),
larger corpora, hand-picked edge cases of the scan pattern (cue trie and its follow lookahead,
label lookbehinds, Latin names with re's backtracking, list gaps) and text generated from the
recognizer's own word lists.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from native_support import assert_same, hangul_literals, native_raw, python_raw

from bench.corpus import generate
from jikimi.detect import names, native
from jikimi.detect.context import RECORD_SEPARATOR

core = native.core()
pytestmark = pytest.mark.skipif(core is None, reason="native scan core not built")


def _py(text: str) -> list[tuple[Any, ...]]:
    return python_raw(names.find_persons, text)


def _c(text: str) -> list[tuple[Any, ...]]:
    return native_raw("find_persons", text)


def _assert_same(texts: list[str]) -> None:
    assert_same(names.find_persons, "find_persons", texts)


_LITERALS = hangul_literals("test_names.py")


def test_literals_found() -> None:
    assert len(_LITERALS) > 300
    assert any(_py(t) for t in _LITERALS)


def test_literals() -> None:
    _assert_same(_LITERALS)


@pytest.mark.parametrize("sep", [RECORD_SEPARATOR, "\n", " ", ", ", ""])
def test_literals_joined(sep: str) -> None:
    _assert_same([sep.join(_LITERALS[max(0, i - 1) : i + 2]) for i in range(len(_LITERALS))])


def test_literals_cut() -> None:
    texts = [t[:k] for t in _LITERALS for k in range(len(t))]
    texts += [t[k:] for t in _LITERALS for k in range(1, len(t))]
    _assert_same(texts)


@pytest.mark.parametrize(
    ("old", "new"),
    [(" ", ""), (" ", "  "), (" ", "\n"), (" ", "\0"), (" ", "\t")]
    + [(":", "："), (":", ": "), (", ", ",")],
)
def test_literals_respaced(old: str, new: str) -> None:
    _assert_same([t.replace(old, new) for t in _LITERALS])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_big_corpus(seed: int) -> None:
    records = [r["text"] for r in generate(20000, seed=seed)]
    _assert_same(records)
    _assert_same([RECORD_SEPARATOR.join(records[i : i + 500]) for i in range(0, len(records), 500)])


# --- the parts of the scan pattern and of the readers, one by one -------------------------

# fmt: off
_EDGE = [
    # cue trie: the longest cue that the follow lookahead allows, split cues, 님 hosts
    "김민준님", "김민준님께", "김민준님께서", "김민준님이", "김민준님과", "김민준님네", "김민준님딸",
    "김민준선생님", "김민준선생", "김민준선생이", "김민준선생다", "김민준고객님", "김민준 객님",
    "김현회원님", "김현회원님이", "김 회원님", "김현 님", "김현   님", "김현  님", "김민준 님\0이",
    "박지훈선임연구원님", "박지훈 선임연구원이", "박지훈 선임연구소", "박지훈 수간호사님",
    "이서연 씨", "이서연씨가", "이서연씨름", "최유진 양이", "장수아 양이 대표로 장수아 양이",
    "김민준이 과장으로", "남궁민준이 과장", "김민준은 대리", "김명준나 대리",
    # masks
    "김*수", "홍○동", "이ㅇㅇ", "김**", "K*m", "김X수 님", "AX수 님", "홍OO", "김Ｏ수",
    # labels: particles, colons, parentheses, two-word labels, windows
    "성명: 김민준", "성명:김민준", "성명 : 김민준", "성명：김민준", "성명(한글): 김민준",
    "성명(영문) Kim", "성명(국문) 김민준", "성명 한글) 김민준", "이름은 김민준", "이름이 김민준",
    "제 이름은 김민준입니다", "예금주 확인: 김민준", "주문자 정보: 홍길동", "받는 분: 김민준",
    "보내는 사람 김민준", "받는 분께 김민준", "성명\n김민준", "성명\0김민준", "성명\n\n김민준",
    "고객명 김민준, 이서연 및 박지훈", "참석 김민준, 이서연", "참석자: 김민준 과장, 이서연 대리",
    "성명 김민준과 이서연", "성명 김민준하고 이서연이랑 박지훈", "성명 김민준 그리고 이서연",
    "성명 김민준 / 이서연 / 박지훈", "성명 김민준·이서연、박지훈", "성명 김민준 대리, 이서연",
    "담당자 김민준 과장 , 이서연", "성명 김민준 및이서연", "성명 김민준 /", "성명 김민준 ",
    "성명 표현,", "성명 표현 이미", "성명 박명세숙,", "성함 선우동미진,", "보호자 남아 20.12.11",
    "성명 강수 주민등록번호", "성명 정서 원장", "성명 정자가", "대상자: 소아, 성인",
    # self-introductions and copulas
    "나 김민준이야", "저 이서연입니다", "저는 김민준입니다", "나는 노철이야", "나 천재야", "저 주부예요",
    # titles before and after, anchoring, role modifiers, noun cues
    "(이식 고객,", "(신규 고객,", "정성지혁 선배", "이식 환자", "- 정성지혁 선배", "부양가족: 봉훈(배우자, ",
    # Latin names
    "Mr. Kim", "Mr Kim Min-jun", "Dear Jane Doe", "Name: JANE DOE", "Name: KIM MIN-JUN",
    "Name: KIM MIN-JUNa", "Name: KIM MIN-JUN LEE", "Name: KIM MIN JUN SEO", "Name: KIM-LEE MIN",
    "Name: KIM-LEE MIN-SEO JUN-HO", "Name: KI", "Name: KIM", "Name: KIM-", "Name: Jane D.",
    "Name: Jane D. Doe", "Name: John A. Smith Card", "Name: Jane Doe Card ending 1234",
    "Name: Jane Doe Smith ending", "Name: Jane Doe Smith 1234", "Name: Jane Doe Smith Jr",
    "Name: Mary-Ann O'Neil", "Name: Mary-ann O’neil", "Name: Customer", "Dear Valued Customer",
    "From: Kim Min", "From Kim Min", "To: Jane", "Cc: Jane Doe", "issued to Jane Doe",
    "delivered to Seoul", "sent to 김민준", "김민준, 영문성명 KIM MINJUN", "(안주, 영문성명 AN JU)",
    "고객\n김민준, 영문명 Kim Minjun", "환자 patient Kim", "Patient: Lee", "Sincerely, Jane",
    "주민 Kim Min-jun", "외국인 JOHN SMITH", "CEO Jane", "Hi Jane", "holder JANE DOE",
    # texts that end or start inside a pattern
    " ", "", "김", "김민", " 김", "김민준 ", "성명", "성명 ", "성명:", "Name:", "Name: ", "\0김민준 님",
    "김민준\0님", "김민준 \0님", "성명 김민준\0, 이서연",
]
# fmt: on


def test_edge_cases() -> None:
    _assert_same(_EDGE)
    _assert_same([a + sep + b for a in _EDGE[::3] for b in _EDGE[1::4] for sep in ("", " ", "\0")])


def test_long_lists_and_runs() -> None:
    rng = random.Random(3)
    given = sorted(g for g, k in names.GIVEN_CLASS.items() if k == 1)
    surnames = sorted(s for s, share in names.SURNAME_SHARE.items() if share >= 1.0)

    def name() -> str:
        return rng.choice(surnames) + rng.choice(given) + rng.choice(given)

    texts = [
        label + sep.join(name() for _ in range(k))
        for sep in [", ", " 및 ", "과 ", " 과장, ", " 대리 / ", "·", " 그리고 ", "하고 "]
        for k in (5, 29, 30, 31, 45)  # _read_list_more reads at most 30 more
        for label in ["성명 ", "참석자: ", "명단 ", "저는 "]
    ]
    texts += ["성명 " + "김" * k for k in range(1, 20)]
    texts += ["성명 김민준" + " " * k + "님" for k in range(6)]
    texts += ["김" + "민" * k + " 님" for k in range(1, 16)]
    texts += ["Name: " + " ".join(["KIM"] * k) for k in range(1, 6)]
    _assert_same(texts)
    _assert_same([RECORD_SEPARATOR.join(texts) * 3])


def test_edge_cases_found_something() -> None:
    assert sum(1 for t in _EDGE if _py(t)) > 100


# --- text generated from the recognizer's word lists ----------------------------------------


def _word_lists() -> dict[str, list[str]]:
    return {
        "surname": sorted(names.SURNAME_SHARE),
        "given": sorted(names.GIVEN_CLASS),
        "after": sorted(names._AFTER),
        "before": sorted(names._BEFORE),
        "latin": sorted(names._LATIN_CUES),
        "stop": sorted(names.STOP_WORDS),
        "nonname": sorted(names.NON_NAMES),
        "rest": sorted({*names._PARTICLES, *names._COPULAS, *names._CONJ}),
        "field": list(names._FIELD_NEXT),
    }


_LISTS = _word_lists()
# fmt: off
_SEPS = [", ", ",", " ,", " 및 ", "및", " 그리고 ", "/", " / ", "·", "、", " ", "  ", "와 ", "하고 "]
_GAPS = ["", " ", " ", "  ", "   ", "\n", "\0", ":", ": ", "(", "：", "\t", "\r\n", ", ", ") ", "] "]
_MISC = [
    "받는 분", "보내는 사람", "나", "저는", "제 이름은", "영문성명", "issued to", "To", "From",
    "객님", "원님", "생님", "Jane Doe", "KIM MIN-JUN", "LEE SEO-YEON JI", "John A. Smith",
    "Card ending", "1234", "20.12.11", "-", "~", ".", "!", "입니다", "이야", "(한글)", "확인", "정보",
]
# fmt: on


def _segment(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        name = rng.choice(_LISTS["surname"]) + "".join(
            rng.choice(_LISTS["given"]) for _ in range(rng.choice([1, 2, 2, 3]))
        )
        if rng.random() < 0.1:
            k = rng.randrange(1, len(name))
            name = name[:k] + rng.choice(names.MASK_CHARS) + name[k + 1 :]
        return name + (rng.choice(_LISTS["rest"]) if rng.random() < 0.4 else "")
    for key, upto in (("before", 0.42), ("after", 0.52), ("latin", 0.56), ("stop", 0.62)):
        if r < upto:
            return rng.choice(_LISTS[key])
    if r < 0.64:
        return rng.choice(_LISTS["nonname"])
    if r < 0.67:
        return rng.choice(_LISTS["field"])
    if r < 0.8:
        return rng.choice(_SEPS)
    return rng.choice(_MISC)


def test_generated_from_word_lists() -> None:
    rng = random.Random(11)
    texts = [
        "".join(_segment(rng) + rng.choice(_GAPS) for _ in range(rng.randint(1, 14)))
        for _ in range(20000)
    ]
    assert sum(1 for t in texts[:2000] if _py(t)) > 500
    _assert_same(texts)


# fmt: off
_PIECES = [
    "김", "이", "박", "남궁", "선우", "민준", "서연", "준", "고", "회", "선", "님", "씨", "양", "군",
    "고객님", "회원님", "과장", "선생님", "환자", "대리", "성명", "이름", "예금주", "담당자", "보호자",
    "은", "는", "이", "가", "과", "와", "입니다", "이야", "저는", "나", "및", "그리고", ",", "/", "·",
    " ", " ", " ", ":", "(", ")", "]", "\n", "\0", "\t", "：", "*", "○", "X", "O", "ㅇ", "Mr.", "Kim",
    "KIM", "MIN-JUN", "Jane", "Doe", "Name", "Dear", "To", "to", "issued", "A.", "표현", "정보", "확인",
    "분", "받는", "한글", "영문성명", "주민등록번호", "1", "-", "'", "’",
]
# fmt: on


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_generated_pieces(text: str) -> None:
    assert _c(text) == _py(text)


def test_chain_of_qualified_labels_is_read_without_recursion() -> None:
    """성명 (한글) (한글) … Kim: the label is looked up past every qualifier, in a loop (the
    Python reference once recursed per qualifier and ran out of stack on hostile input)."""
    from jikimi.detect import names, native

    text = "성명" + " 한글)" * 2000 + " Kim"
    want = [tuple(f[:5]) for f in names.find_persons(text)]
    assert want and want[0][0] == "PERSON"
    core = native.core()
    if core is not None:
        assert [tuple(f) for f in core.find_persons(text)] == want
