"""The native digit-group pass (structured.c, validators.c) against patterns._scan_clusters.

The core exposes only the whole ``find_structured``, so these tests compare it with the Python
one on texts where no other family of patterns.find_structured can fire (no ``@``, no ``:``, no
passport or birth keyword, no mask characters): on those texts everything found comes from
``_scan_clusters``. Generated texts are built from the shapes the pass classifies (grouped digit
runs with every separator, checksum-valid RRN/FRN/CRN/BRN/card numbers, plates, international and
parenthesised phones, dotted quads after version words, dates glued to 생, postal codes before
addresses) and the context words that change their scores.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.corpus import generate
from jikimi.detect import keywords, native, patterns
from jikimi.detect.context import RECORD_SEPARATOR

core = native.core()
pytestmark = pytest.mark.skipif(core is None, reason="native scan core not built")


def _clusters_only(text: str) -> bool:
    """No family other than the digit-group pass can report anything in ``text``."""
    return not (
        "@" in text
        or ":" in text
        or patterns._PASSPORT_GATE.search(text)
        or keywords.BIRTH_GATE.search(text)
        or patterns._MASK_GATE.search(text)
    )


def _check(text: str) -> None:
    want = [tuple(f[:5]) for f in patterns.find_structured(text)]
    assert core is not None
    got: list[tuple[Any, ...]] = [tuple(f) for f in core.find_structured(text)]
    assert got == want, f"differs on {text!r}"


_CORPUS = [t for t in (r["text"] for r in generate(3000, seed=29)) if _clusters_only(t)]


def test_filter_leaves_a_corpus() -> None:
    assert len(_CORPUS) > 500


def test_corpus_records() -> None:
    assert core is not None
    bad = [
        t
        for t in _CORPUS
        if [tuple(f) for f in core.find_structured(t)]
        != [tuple(f[:5]) for f in patterns.find_structured(t)]
    ]
    assert not bad, f"{len(bad)} records differ, first: {bad[0]!r}"


def test_corpus_joined() -> None:
    for i in range(0, len(_CORPUS), 100):
        _check(RECORD_SEPARATOR.join(_CORPUS[i : i + 100]))


# ---------------------------------------------------------------------------------------------
# generated text

_D = "0123456789"
_SEPS = ["-", ".", "/", " ", "‐", "‑", "–", "—", "－", "  ", ". ", "-/", " - "]


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=_D, min_size=n, max_size=n)


def _rrn_weighted(s: str) -> int:
    return sum(int(c) * w for c, w in zip(s, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)))


def _luhn_complete(payload: str) -> str:
    for d in _D:
        s = payload + d
        total = 0
        for i, ch in enumerate(reversed(s)):
            x = int(ch) * (2 if i % 2 else 1)
            total += x - 9 if x > 9 else x
        if total % 10 == 0:
            return s
    raise AssertionError("unreachable")


@st.composite
def _id13(draw: st.DrawFn) -> str:
    """RRN/FRN/CRN look-alikes: birth dates around today, every G digit, either check rule."""
    days = draw(st.sampled_from([-2, -1, 0, 1, 2, -400, -9000, -30000, -45000]))
    born = dt.date.today() + dt.timedelta(days=days)
    s = born.strftime("%y%m%d") + draw(st.sampled_from(_D)) + draw(_digits(5))
    w = _rrn_weighted(s)
    crn = sum(int(c) for c in s[0::2]) + 2 * sum(int(c) for c in s[1::2])
    s += draw(
        st.sampled_from(
            [str((11 - w % 11) % 10), str((13 - w % 11) % 10), str((10 - crn % 10) % 10), "0"]
        )
    )
    return draw(st.sampled_from([s, s[:6] + "-" + s[6:], s[:6] + " " + s[6:]]))


@st.composite
def _brn(draw: st.DrawFn) -> str:
    d = draw(_digits(9))
    total = sum(int(c) * w for c, w in zip(d, (1, 3, 7, 1, 3, 7, 1, 3, 5))) + int(d[8]) * 5 // 10
    s = d + str((10 - total % 10) % 10)
    return draw(
        st.sampled_from([s, s[:3] + "-" + s[3:5] + "-" + s[5:], s[:2] + "-" + s[2:8] + "-" + s[8:]])
    )


@st.composite
def _card(draw: st.DrawFn) -> str:
    shape = draw(
        st.sampled_from(
            [(4, 4, 4, 4), (16,), (4, 6, 5), (15,), (4, 6, 4), (14,), (4, 4, 4, 4, 3), (19,)]
        )
    )
    prefix = draw(
        st.sampled_from(
            [
                "4",
                "51",
                "2221",
                "2720",
                "34",
                "37",
                "3528",
                "62",
                "36",
                "300",
                "9",
                "6011",
                "65",
                "1",
            ]
        )
    )
    c = _luhn_complete(prefix + draw(_digits(sum(shape) - 1 - len(prefix))))
    parts, i = [], 0
    for k in shape:
        parts.append(c[i : i + k])
        i += k
    return draw(st.sampled_from(["-", " ", ""])).join(parts)


@st.composite
def _run(draw: st.DrawFn) -> str:
    """A run of digit groups with any separators (the plain shapes of _classify)."""
    groups = draw(
        st.lists(
            st.one_of(
                st.text(alphabet=_D, min_size=1, max_size=13),
                st.sampled_from(
                    [
                        "010",
                        "02",
                        "031",
                        "011",
                        "070",
                        "0505",
                        "080",
                        "82",
                        "0082",
                        "821012345678",
                        "1588",
                        "1234",
                        "5678",
                        "255",
                        "192",
                        "0",
                        "00",
                        "87",
                        "03",
                        "09",
                        "2024",
                    ]
                ),
            ),
            min_size=1,
            max_size=6,
        )
    )
    out = groups[0]
    for g in groups[1:]:
        out += draw(st.sampled_from(_SEPS)) + g
    return out


@st.composite
def _plate(draw: st.DrawFn) -> str:
    return (
        draw(_digits(draw(st.sampled_from([2, 3]))))
        + draw(st.sampled_from(["", " "]))
        + draw(st.sampled_from("가나다하허호배김힣"))
        + draw(st.sampled_from(["", " "]))
        + draw(_digits(4))
    )


_WORDS = [
    # context words of the types this pass reports, and reference-number labels
    "연락처 ",
    "전화 ",
    "계좌 ",
    "은행 ",
    "카드 ",
    "주민등록번호 ",
    "주민 ",
    "외국인 ",
    "법인번호 ",
    "사업자 ",
    "운전면허 ",
    "건강보험 ",
    "우편번호 ",
    "(우)",
    "주소 ",
    "차량번호 ",
    "IP ",
    "주문번호 ",
    # what the matchers look at around a run
    "버전 ",
    "version",
    "ver.",
    "v",
    "V=",
    "build ",
    "릴리스\t",
    "서울",
    "경기북부",
    "부산 ",
    "제주",
    "세종",
    "대구광역시 달서구",
    "강남구 ",
    "수원시 ",
    "수원시청",
    "가나다라마바시 ",
    "충청",
    "서울\n",
    "경기북부\n",
    "이",
    "으로",
    "입니다",
    "예요",
    "번",
    "다",
    "생",
    "생 ",
    "+",
    "+82 ",
    "+82-",
    "0082-",
    "+82 (0)",
    "(0)",
    "(",
    ")",
    "(02) ",
    "(031)",
    "[",
    "]",
    ",",
    " ",
    "  ",
    "\n",
    "\t",
    "\0",
    "a",
    "Z",
    "_",
    "#",
    "١",
    "²",
    "\u3000",
]
_pieces = st.one_of(_run(), _id13(), _brn(), _card(), _plate(), st.sampled_from(_WORDS))
_texts = st.lists(_pieces, max_size=12).map("".join).filter(_clusters_only)


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(text=_texts)
def test_generated(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(text=st.text(alphabet=_D + "-./ 가82+()\n\0－–", max_size=60).filter(_clusters_only))
def test_digit_soup(text: str) -> None:
    _check(text)


# ---------------------------------------------------------------------------------------------
# fixed cases


def _rrn_for(day: dt.date, g: str, tail: str = "12345") -> str:
    s = day.strftime("%y%m%d") + g + tail
    return s + str((11 - _rrn_weighted(s) % 11) % 10)


@pytest.mark.parametrize("days", [-1, 0, 1])
@pytest.mark.parametrize("g", ["3", "4", "7", "8"])
def test_birth_date_against_today(days: int, g: str) -> None:
    """A birth date after today is no birth date, on both sides (local time, as Python)."""
    num = _rrn_for(dt.date.today() + dt.timedelta(days=days), g)
    for text in (num, num[:6] + "-" + num[6:], "주민등록번호 " + num[:6] + "-" + num[6:]):
        _check(text)


@pytest.mark.parametrize(
    "text",
    [
        "연락처 010-4821-7390",
        "+82 10-4821-7390",
        "+82-2-734-5821",
        "+8242 123 4567",
        "0082-10-4821-7390",
        "+82 (0)10-4821-7390",
        "(02) 734-5821",
        "(031)734-5821",
        "전화 82-10-4821-7390",
        "1987.03.09 010-4821-7390",
        "2024.01.02. 010-4821-7390",
        "1987. 3. 9",
        "87.03.09생",
        "87/03/09생",
        "서버 192.168.0.1",
        "버전 1.2.3.4",
        "ver. 10.0.0.1",
        "010.4821.7390",
        "휴대폰 01767479519",
        "0113456789",
        "주문번호 01767479519",
        "+82 1767479519",
        "0167479519 1",
        "[497-480] 대구광역시 달서구",
        "사건번호 123-456 서울 중앙지법",
        "(우) 06236 서울특별시",
        "서울 11-123456-78",
        "경기북부 28-123456-78",
        "11-22-333333-44",
        "운전면허 112233333344",
        "계좌 110-123-456789",
        "입금 계좌 3333-01-1234567",
        "국민은행 123456-01-123456",
        "카드 4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "사업자등록번호 123-45-67890",
        "서울 12가 3456",
        "12가3456입니다",
        "김서울32바1234",
        "차량 123호4567",
        "012가3456",
        "x1987.03.09",
        "#12345678",
        "12345678a",
        # "[시군구](?= )": the lookahead needs the space; "$" also matches before a final newline
        "497-480 수원시청",
        "497-480 수원시 청",
        "06236 강남구에",
        "06236 강남구 ",
        "서울\n12가3456",
        "서울 \n12가3456",
        "서울\n11-123456-78",
        "ver\n1.2.3.4",
    ],
)
def test_cases(text: str) -> None:
    assert _clusters_only(text)
    _check(text)
