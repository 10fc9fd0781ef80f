"""Structured-identifier recognizers: exact spans on positives, silence on hard negatives,
property tests on embedding and on arbitrary input."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jikimi import scan
from jikimi.detect import validators as v


def spans(text: str, **kw: object) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in scan(text, **kw)]  # type: ignore[arg-type]


POSITIVE = [
    ("주민등록번호는 610622-1363549입니다", "KR_RRN", "610622-1363549"),
    ("주민번호: 7206262837181", "KR_RRN", "7206262837181"),
    ("주민등록번호 220314-3894005 (2022년 출생)", "KR_RRN", "220314-3894005"),
    ("고객 RRN 140220–4382720 확인", "KR_RRN", "140220–4382720"),
    ("외국인등록번호 880827-5381186", "KR_FRN", "880827-5381186"),
    ("외국인번호는 890209-6240996 입니다", "KR_FRN", "890209-6240996"),
    ("법인등록번호 110111-8425129", "KR_CRN", "110111-8425129"),
    ("사업자등록번호: 309-12-71856", "KR_BRN", "309-12-71856"),
    ("공급자 637-81-61642 (주)가나", "KR_BRN", "637-81-61642"),
    ("여권번호 M70318452", "KR_PASSPORT", "M70318452"),
    ("여권 No. M512K3088 발급일 2023.01.02", "KR_PASSPORT", "M512K3088"),
    ("운전면허번호 11-19-482761-30", "KR_DRIVER_LICENSE", "11-19-482761-30"),
    ("면허번호는 서울 96-104823-41 입니다", "KR_DRIVER_LICENSE", "서울 96-104823-41"),
    ("카드번호 9410-8209-8015-9178", "CREDIT_CARD", "9410-8209-8015-9178"),
    ("결제 카드 4590940619865822 승인", "CREDIT_CARD", "4590940619865822"),
    ("AMEX 3762 778246 22179", "CREDIT_CARD", "3762 778246 22179"),
    ("환불계좌: 국민은행 472101-04-182736", "KR_BANK_ACCOUNT", "472101-04-182736"),
    ("우리은행 1002-483-719264로 입금", "KR_BANK_ACCOUNT", "1002-483-719264"),
    ("토스뱅크 계좌 1000-4827-3190", "KR_BANK_ACCOUNT", "1000-4827-3190"),
    ("건강보험증 번호 30591847206", "KR_HEALTH_INSURANCE", "30591847206"),
    ("휴대폰 010-4821-7390으로 연락", "PHONE_NUMBER", "010-4821-7390"),
    ("010 4821 7390", "PHONE_NUMBER", "010 4821 7390"),
    ("01048217390로 문자", "PHONE_NUMBER", "01048217390"),
    ("국제전화 +82 10-4821-7390", "PHONE_NUMBER", "+82 10-4821-7390"),
    ("+82-2-734-5821", "PHONE_NUMBER", "+82-2-734-5821"),
    ("사무실 02-734-5821", "PHONE_NUMBER", "02-734-5821"),
    ("(02) 734-5821", "PHONE_NUMBER", "(02) 734-5821"),
    ("031-8012-4476", "PHONE_NUMBER", "031-8012-4476"),
    ("070-7513-2290", "PHONE_NUMBER", "070-7513-2290"),
    ("안심번호 0505-312-4478", "PHONE_NUMBER", "0505-312-4478"),
    ("고객센터 1588-2411", "PHONE_NUMBER", "1588-2411"),
    ("011-423-6619", "PHONE_NUMBER", "011-423-6619"),
    ("보호자 휴대폰 01767479519 진단서", "PHONE_NUMBER", "01767479519"),
    ("010.4821.7390", "PHONE_NUMBER", "010.4821.7390"),
    ("메일은 hong.gildong@naver.com으로", "EMAIL_ADDRESS", "hong.gildong@naver.com"),
    ("E-mail: a_b+tag@sub.example.co.kr.", "EMAIL_ADDRESS", "a_b+tag@sub.example.co.kr"),
    ("접속 IP 203.0.113.7에서", "IP_ADDRESS", "203.0.113.7"),
    ("IPv6 2001:db8::8a2e:370:7334 접속", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),
    ("차량번호 12가3456", "KR_VEHICLE_PLATE", "12가3456"),
    ("157머4021 차량이 입차", "KR_VEHICLE_PLATE", "157머4021"),
    ("서울 32바 1234 택시", "KR_VEHICLE_PLATE", "서울 32바 1234"),
    ("우편번호 06236", "KR_POSTAL_CODE", "06236"),
    ("(우) 63309 제주", "KR_POSTAL_CODE", "63309"),
    # the pre-2015 NNN-NNN codes: with postcode context, or directly before an address
    ("우편번호 135-080", "KR_POSTAL_CODE", "135-080"),
    ("출국일 2025/04/12 [497-480] 대구광역시 달서구 월성동", "KR_POSTAL_CODE", "497-480"),
    ("과태료 고지서 발송지: [473-275] 서울 관악구 봉천로 46", "KR_POSTAL_CODE", "473-275"),
    ("[436-363] 경기도 고양시 일산동구", "KR_POSTAL_CODE", "436-363"),
    ("690-170 제주특별자치도 제주시", "KR_POSTAL_CODE", "690-170"),
    ("생년월일: 1987년 3월 9일", "DATE_OF_BIRTH", "1987년 3월 9일"),
    ("생년월일 1987.03.09", "DATE_OF_BIRTH", "1987.03.09"),
    ("DOB 2001-11-30", "DATE_OF_BIRTH", "2001-11-30"),
    ("87.03.09생", "DATE_OF_BIRTH", "87.03.09생"),
    ("생년월일 1946년 8월 2일생", "DATE_OF_BIRTH", "1946년 8월 2일생"),
    ("생년월일 420307", "DATE_OF_BIRTH", "420307"),
    ("저는 87년생이에요", "DATE_OF_BIRTH", "87년생"),
    ("주민번호 900101-1******", "KR_RRN", "900101-1******"),
    ("010-****-1234로 연락", "PHONE_NUMBER", "010-****-1234"),
]


@pytest.mark.parametrize(("text", "etype", "value"), POSITIVE)
def test_positive(text: str, etype: str, value: str) -> None:
    assert (etype, value) in spans(text)


NEGATIVE = [
    "주문번호 8801234567890 배송 시작",  # 13-digit order number (EAN-like)
    "결제금액 1,588,000원",
    "주문일 2024.01.02 배송",
    "버전 1.2.3.4 배포",
    "v2.10.3 릴리스",
    "2024-03-05 14:22:31 로그인",
    "SKU M123A4567 재고",
    "영하 12도 3500m 고지",
    "주문번호 123-45-67890",
    "010-482-17390",  # wrong grouping
    "02-0123-4567",  # subscriber starts with 0
    "069-123-4567",  # no such area code
    "9410 8209 8015 9179",  # Luhn fails
    "12카3456",  # 카 is not a plate syllable
    "27-19-482761-30",  # no licence region 27
    "송장번호 14827319054",
    "총 1588-2411개",
    "M1234567",
    "X12345678",
    "생일 축하해요 1987년 2월 30일",
    "회의는 3층 회의실",
    "우편번호 64123",
    # a bare NNN-NNN is some other number: no postcode context, no address after it
    "번호 123-456 입니다",
    "재고 135-080 확인",
    "사건번호 123-456 서울중앙지법",  # a reference-number label, even before a region name
    "코드 912-345 서울",  # 8xx and 9xx were never postcodes
    "[012-345] 서울특별시",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text: str) -> None:
    assert spans(text) == []


def test_plain_birth_date_is_not_personal() -> None:
    assert spans("작성일 1987.03.09") == []


def test_crn_beats_rrn_lookalike_with_context() -> None:
    assert spans("법인등록번호 110111-8425129") == [("KR_CRN", "110111-8425129")]


def test_date_then_phone_split() -> None:
    assert spans("생년월일 1987.03.09 010-4821-7390") == [
        ("DATE_OF_BIRTH", "1987.03.09"),
        ("PHONE_NUMBER", "010-4821-7390"),
    ]


def test_entity_filter_is_subset_of_full_scan() -> None:
    text = "주민번호 610622-1363549, 연락처 010-4821-7390, hong@naver.com"
    full = spans(text)
    assert spans(text, entities=["PHONE_NUMBER"]) == [s for s in full if s[0] == "PHONE_NUMBER"]
    assert spans(text, entities="KR_RRN,EMAIL_ADDRESS") == [
        s for s in full if s[0] in ("KR_RRN", "EMAIL_ADDRESS")
    ]


def test_unknown_entity_rejected() -> None:
    with pytest.raises(ValueError, match="unknown entity type"):
        scan("x", entities=["NOPE"])


# ---------------------------------------------------------------------------------------------
# property tests

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
filler = st.text(alphabet=st.one_of(HANGUL, st.sampled_from(" ,.")), max_size=40)


@st.composite
def rrns(draw: st.DrawFn) -> str:
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2020, 10, 4)))
    g = (1 if born.year < 2000 else 3) + draw(st.integers(0, 1))
    place = draw(st.integers(0, 95))
    serial = draw(st.integers(0, 999))
    first = f"{born:%y%m%d}{g}{place:02d}{serial:03d}"
    return f"{first[:6]}-{first[6:]}{v.rrn_check_digit(first)}"


@st.composite
def cards(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["4", "51", "55", "9410", "3551"]))
    body = prefix + "".join(str(draw(st.integers(0, 9))) for _ in range(15 - len(prefix)))
    n = body + str(v.luhn_check_digit(body))
    return " ".join(n[i : i + 4] for i in range(0, 16, 4))


@st.composite
def phones(draw: st.DrawFn) -> str:
    mid = draw(st.integers(1000, 9999))
    last = draw(st.integers(0, 9999))
    sep = draw(st.sampled_from(["-", " ", "‐"]))
    return f"010{sep}{mid}{sep}{last:04d}"


@st.composite
def brns(draw: st.DrawFn) -> str:
    first = f"{draw(st.integers(101, 999))}{draw(st.integers(1, 99)):02d}{draw(st.integers(1, 9999)):04d}"
    d = first + str(v.brn_check_digit(first))
    return f"{d[:3]}-{d[3:5]}-{d[5:]}"


EMBED = [
    (rrns(), "KR_RRN", "주민등록번호 "),
    (cards(), "CREDIT_CARD", "카드번호 "),
    (phones(), "PHONE_NUMBER", "연락처 "),
    (brns(), "KR_BRN", "사업자등록번호 "),
]


@pytest.mark.parametrize(("strategy", "etype", "label"), EMBED, ids=[e[1] for e in EMBED])
def test_embedded_identifier_found_with_exact_span(strategy: st.SearchStrategy[str], etype: str, label: str) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(before=filler, value=strategy, particle=st.sampled_from(["", "은", "으로", "입니다", " ", ".", "이에요"]), after=filler)
    def check(before: str, value: str, particle: str, after: str) -> None:
        prefix = before + " " + label
        text = prefix + value + particle + " " + after
        found = [f for f in scan(text) if f.entity_type == etype]
        assert [(f.start, f.end) for f in found] == [(len(prefix), len(prefix) + len(value))]

    check()


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_scan_never_raises_on_arbitrary_unicode(text: str) -> None:
    for f in scan(text, min_score=0.0):
        assert 0 <= f.start < f.end <= len(text)
        assert 0.0 <= f.score <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789-. +()@:가나다년월일생주민번호연락처계좌은행 abAM*"), max_size=120))
def test_scan_never_raises_on_identifier_like_noise(text: str) -> None:
    fs = scan(text, min_score=0.0)
    ends = [(f.start, f.end) for f in fs]
    assert ends == sorted(ends)
    assert all(a[1] <= b[0] for a, b in pairwise(ends))  # no overlaps after resolution


def test_ipv6_opening_a_line_is_found() -> None:
    """An IPv6 address right after a line break, compressed form first (``\\n::ffff:…``): the
    token reader must not take the line break for part of the address."""
    from jikimi import scan

    text = "접속 기록\n::ffff:abcd 서버"
    found = [(f.entity_type, text[f.start : f.end]) for f in scan(text)]
    assert found == [("IP_ADDRESS", "::ffff:abcd")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("접속 IP ::ffff:192.168.0.1 확인", "::ffff:192.168.0.1"),
        ("NAT64 64:ff9b::192.0.2.33 경유", "64:ff9b::192.0.2.33"),
        ("주소 1:2:3:4:5:6:10.0.0.1 입니다", "1:2:3:4:5:6:10.0.0.1"),
    ],
)
def test_ipv6_with_a_dotted_ipv4_tail_is_one_address(text: str, value: str) -> None:
    """IPv4-mapped and embedded forms are found whole, as IPv6 (the token reader used to stop at
    the tail's first digits and reject the token, leaving only the IPv4 part)."""
    from jikimi import scan

    found = [(f.entity_type, text[f.start : f.end], f.recognizer) for f in scan(text)]
    assert found == [("IP_ADDRESS", value, "ipv6")]


@pytest.mark.parametrize("text", ["값 ::ffff:1.2.3.4567 끝", "값 a:b::c:1.2.3 끝", "12:30:45.123"])
def test_ipv6_dotted_tail_look_alikes_are_not_ipv6(text: str) -> None:
    from jikimi import scan

    assert not [f for f in scan(text, min_score=0.0) if f.recognizer == "ipv6"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("VPN 허용 IP:2001:db8:f70b:c5d4:aefa::55c2, 담당", "2001:db8:f70b:c5d4:aefa::55c2"),
        ("IP:b26d:99a3:a6c4:133a:154d:d89e:28d6:7186 허용", "b26d:99a3:a6c4:133a:154d:d89e:28d6:7186"),
    ],
)
def test_ipv6_after_a_label_colon_is_found(text: str, value: str) -> None:
    """A label glued to the address by its colon (``IP:2001:db8::1``): the colon is the label's,
    not a leading empty group (the token was rejected for the letter before it)."""
    from jikimi import scan

    found = [(f.entity_type, text[f.start : f.end]) for f in scan(text)]
    assert found == [("IP_ADDRESS", value)]
