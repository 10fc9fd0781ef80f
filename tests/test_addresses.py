"""KR_ADDRESS recognizer: exact spans (docs/spans.md) on road-name and lot-number addresses in
every 시/도, silence on city mentions and look-alikes, the bundled region table, and speed.

Every address here is invented: real road and district names, made-up building numbers.
Run this file as a script to print the throughput of ``find_addresses``:
``python tests/test_addresses.py``.
"""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi.detect import addresses
from jikimi.detect.addresses import (
    RECOGNIZER,
    SIDO_ALIASES,
    find_addresses,
    load_admin_regions,
    sido_names,
)
from jikimi.detect.engine import Scanner
from jikimi.detect.finding import Finding

REPORTED = 0.5  # the engine's default threshold


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_addresses(text) if f.score >= REPORTED]


def only(text: str) -> Finding:
    found = [f for f in find_addresses(text) if f.score >= REPORTED]
    assert len(found) == 1, [text[f.start : f.end] for f in found]
    return found[0]


# ---------------------------------------------------------------------------------------------
# road-name addresses in all 17 시/도, full and short forms

ROAD = [
    # 서울
    ("서울특별시 종로구 세종대로 209, 3층 301호 (세종로)로 보내주세요",
     "서울특별시 종로구 세종대로 209, 3층 301호 (세종로)"),
    ("저는 서울 강남구 테헤란로 152에 살아요", "서울 강남구 테헤란로 152"),
    ("서울시 마포구 월드컵북로 396 으로 오세요", "서울시 마포구 월드컵북로 396"),
    # 부산
    ("부산광역시 해운대구 해운대로 264", "부산광역시 해운대구 해운대로 264"),
    ("부산 동래구 충렬대로 237, 5층", "부산 동래구 충렬대로 237, 5층"),
    # 대구
    ("대구광역시 수성구 달구벌대로 2450", "대구광역시 수성구 달구벌대로 2450"),
    ("대구 중구 동성로2길 80에서 봐요", "대구 중구 동성로2길 80"),
    # 인천
    ("인천광역시 연수구 송도과학로 16, 101동 1203호", "인천광역시 연수구 송도과학로 16, 101동 1203호"),
    ("인천 남동구 인주대로 585", "인천 남동구 인주대로 585"),
    # 광주
    ("광주광역시 북구 용봉로 77", "광주광역시 북구 용봉로 77"),
    ("광주 서구 치평로 20, 113동 2002호,", "광주 서구 치평로 20, 113동 2002호"),
    # 대전
    ("대전광역시 유성구 대학로 99", "대전광역시 유성구 대학로 99"),
    ("대전 서구 둔산로 100입니다", "대전 서구 둔산로 100"),
    # 울산
    ("울산광역시 남구 삼산로 274", "울산광역시 남구 삼산로 274"),
    ("울산 중구 학성로39번길 28", "울산 중구 학성로39번길 28"),
    # 세종 (no 시/군/구)
    ("세종특별자치시 한누리대로 2130", "세종특별자치시 한누리대로 2130"),
    ("세종 도움6로 11", "세종 도움6로 11"),
    ("세종시 갈매로 477", "세종시 갈매로 477"),
    # 경기
    ("경기도 성남시 분당구 판교역로 235", "경기도 성남시 분당구 판교역로 235"),
    ("경기 수원시 영통구 광교로 145로 이사", "경기 수원시 영통구 광교로 145"),
    ("경기 광주시 오포읍 문형로 31", "경기 광주시 오포읍 문형로 31"),
    ("경기도 양평군 양평읍 중앙로77번길 12", "경기도 양평군 양평읍 중앙로77번길 12"),
    # 강원 (current and old name)
    ("강원특별자치도 춘천시 중앙로 1", "강원특별자치도 춘천시 중앙로 1"),
    ("강원도 원주시 원일로 41, 102동 2302호", "강원도 원주시 원일로 41, 102동 2302호"),
    ("강원 강릉시 강릉대로 33", "강원 강릉시 강릉대로 33"),
    # 충북
    ("충청북도 청주시 흥덕구 2순환로 146, 우편번호 28583", "충청북도 청주시 흥덕구 2순환로 146"),
    ("충북 충주시 으뜸로 21", "충북 충주시 으뜸로 21"),
    # 충남
    ("충청남도 천안시 서북구 불당대로 15, 117동 203호", "충청남도 천안시 서북구 불당대로 15, 117동 203호"),
    ("충남 아산시 배방로 266, 연락처 010-5138-2167", "충남 아산시 배방로 266"),
    # 전북 (current and old name)
    ("전북특별자치도 전주시 완산구 효자로 225", "전북특별자치도 전주시 완산구 효자로 225"),
    ("전라북도 익산시 인북로 32", "전라북도 익산시 인북로 32"),
    ("전북 군산시 조촌로 323-15", "전북 군산시 조촌로 323-15"),
    # 전남
    ("전라남도 목포시 영산로 71", "전라남도 목포시 영산로 71"),
    ("전남 여수시 좌수영로 165", "전남 여수시 좌수영로 165"),
    # 경북
    ("경상북도 포항시 남구 포스코대로 402", "경상북도 포항시 남구 포스코대로 402"),
    ("경북 경주시 태종로 699", "경북 경주시 태종로 699"),
    # 경남
    ("경상남도 창원시 의창구 중앙대로 151", "경상남도 창원시 의창구 중앙대로 151"),
    ("경남 김해시 김해대로 2401", "경남 김해시 김해대로 2401"),
    # 제주
    ("제주특별자치도 제주시 첨단로 242 (영평동)", "제주특별자치도 제주시 첨단로 242 (영평동)"),
    ("제주 서귀포시 중정로 105", "제주 서귀포시 중정로 105"),
    ("제주도 제주시 연삼로 473", "제주도 제주시 연삼로 473"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "span"), ROAD)
def test_road_name_addresses(text: str, span: str) -> None:
    assert spans(text) == [span]


def test_every_sido_full_and_short_form_is_covered() -> None:
    covered = {s.split()[0] for _, s in ROAD}
    for r in load_admin_regions():
        assert r.sido_full in covered, r.sido_full
        assert r.sido_short in covered, r.sido_short


# ---------------------------------------------------------------------------------------------
# lot-number addresses

LOT = [
    ("경상남도 창원시 의창구 대산면 가술리 323-4", "경상남도 창원시 의창구 대산면 가술리 323-4"),
    ("서울특별시 강남구 역삼동 123-45번지", "서울특별시 강남구 역삼동 123-45번지"),
    ("서울시 강남구 삼성동 159-1번지 래미안아파트 101동 1203호로 보내주세요",
     "서울시 강남구 삼성동 159-1번지 래미안아파트 101동 1203호"),
    ("부산광역시 해운대구 우동 1234-5", "부산광역시 해운대구 우동 1234-5"),
    ("강원 평창군 대관령면 횡계리 산 12-3", "강원 평창군 대관령면 횡계리 산 12-3"),
    ("인천 강화군 강화읍 관청리 산677-17 전화번호 010-1177-1350", "인천 강화군 강화읍 관청리 산677-17"),
    ("서울 종로구 종로1가 12-3", "서울 종로구 종로1가 12-3"),
    ("서울특별시 중구 을지로3가 45", "서울특별시 중구 을지로3가 45"),
    ("서울특별시 종로구 세종로 289번지", "서울특별시 종로구 세종로 289번지"),  # 법정동 세종로
    ("인천 연수구 송도동 24-5 3층", "인천 연수구 송도동 24-5 3층"),
    ("대구 군위군 군위읍 동부리 809-7, 연락처 010-8638-8446", "대구 군위군 군위읍 동부리 809-7"),
    ("경기도 용인시 수지구 죽전동 514-4 누리캐슬 803호", "경기도 용인시 수지구 죽전동 514-4 누리캐슬 803호"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "span"), LOT)
def test_lot_number_addresses(text: str, span: str) -> None:
    assert spans(text) == [span]


# ---------------------------------------------------------------------------------------------
# starting at 시/군/구, details, reference items, boundaries

FORMS = [
    # no 시/도 written: the span starts at the 시/군/구
    ("강남구 테헤란로 152", "강남구 테헤란로 152"),
    ("성남시 분당구 정자일로 95", "성남시 분당구 정자일로 95"),
    ("수원 영통구 광교로 145", "수원 영통구 광교로 145"),
    ("창원시 의창구 중앙대로 151", "창원시 의창구 중앙대로 151"),
    ("해운대구 우동 1234-5 에 있어요", "해운대구 우동 1234-5"),
    ("기장군 기장읍 대라리 764-18번지", "기장군 기장읍 대라리 764-18번지"),
    # branch roads
    ("서울 강남구 테헤란로12길 34", "서울 강남구 테헤란로12길 34"),
    ("서울 강남구 테헤란로 12길 34", "서울 강남구 테헤란로 12길 34"),
    ("서울 관악구 난곡로26다길 7", "서울 관악구 난곡로26다길 7"),
    # 지하 building numbers and basement floors
    ("서울 중구 세종대로 지하 2", "서울 중구 세종대로 지하 2"),
    ("대구광역시 달서구 월배로 지하 307, 16층 앞", "대구광역시 달서구 월배로 지하 307, 16층"),
    ("서울 강남구 테헤란로 152, B1층", "서울 강남구 테헤란로 152, B1층"),
    ("서울 강남구 테헤란로 152, 지하 1층", "서울 강남구 테헤란로 152, 지하 1층"),
    # detail parts
    ("서울 서초구 반포대로 58 101동 1203호", "서울 서초구 반포대로 58 101동 1203호"),
    ("서울 강남구 테헤란로 152, 제101동 제1203호", "서울 강남구 테헤란로 152, 제101동 제1203호"),
    ("경기 성남시 분당구 판교역로 235, 101-1203", "경기 성남시 분당구 판교역로 235, 101-1203"),
    ("서울 강남구 테헤란로 152 강남파이낸스센터 20층", "서울 강남구 테헤란로 152 강남파이낸스센터 20층"),
    ("서울 송파구 올림픽로 300, 302호", "서울 송파구 올림픽로 300, 302호"),
    ("서울 강남구 역삼동 테헤란로 152, B1층", "서울 강남구 역삼동 테헤란로 152, B1층"),
    # reference items
    ("경기 성남시 분당구 판교역로 235 (삼평동, 에이치스퀘어)",
     "경기 성남시 분당구 판교역로 235 (삼평동, 에이치스퀘어)"),
    ("서울특별시 강남구 테헤란로 152(역삼동)에서", "서울특별시 강남구 테헤란로 152(역삼동)"),
    ("서울 서초구 반포대로 58, 101동 1203호 (반포동, 래미안아파트)입니다",
     "서울 서초구 반포대로 58, 101동 1203호 (반포동, 래미안아파트)"),
    ("경기도 화성시 동탄대로 537 (영천동) 102동 1203호로", "경기도 화성시 동탄대로 537 (영천동) 102동 1203호"),
    # a postal code in brackets is not a reference item
    ("서울특별시 종로구 세종대로 209 (우: 03154)", "서울특별시 종로구 세종대로 209"),
    # glued region words, labels and brackets around
    ("서울특별시강남구 테헤란로 152", "서울특별시강남구 테헤란로 152"),
    ("주소:서울 강남구 테헤란로 152", "서울 강남구 테헤란로 152"),
    ("(서울특별시 강남구 테헤란로 152)", "서울특별시 강남구 테헤란로 152"),
    ("'서울 강남구 테헤란로 152'", "서울 강남구 테헤란로 152"),
    ("[06236] 서울 강남구 테헤란로 152", "서울 강남구 테헤란로 152"),
    ("서울특별시\n강남구 테헤란로 152", "강남구 테헤란로 152"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "span"), FORMS)
def test_forms_details_and_boundaries(text: str, span: str) -> None:
    assert spans(text) == [span]


PARTICLES = [
    ("서울특별시 종로구 세종대로 209에서 만나요", "서울특별시 종로구 세종대로 209"),
    ("서울 강남구 테헤란로 152, 301호로 보내주세요", "서울 강남구 테헤란로 152, 301호"),
    ("서울 강남구 테헤란로 152로 보내주세요", "서울 강남구 테헤란로 152"),
    ("서울 강남구 테헤란로 152으로 보내주세요", "서울 강남구 테헤란로 152"),
    ("서울 강남구 테헤란로 152는 회사예요", "서울 강남구 테헤란로 152"),
    ("서울 강남구 테헤란로 152의 3층", "서울 강남구 테헤란로 152"),
    ("서울 강남구 역삼동 123-45번지에 살아요", "서울 강남구 역삼동 123-45번지"),
    ("경기 성남시 분당구 판교역로 235 (삼평동)으로", "경기 성남시 분당구 판교역로 235 (삼평동)"),
    ("서울 강남구 테헤란로 152.", "서울 강남구 테헤란로 152"),
    ("서울 강남구 테헤란로 152, 그리고", "서울 강남구 테헤란로 152"),
    ("서울 강남구 테헤란로 152 ", "서울 강남구 테헤란로 152"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "span"), PARTICLES)
def test_span_stops_before_particles_and_punctuation(text: str, span: str) -> None:
    assert spans(text) == [span]


def test_two_addresses_in_one_text() -> None:
    text = (
        "퀵 배송 - 출발 충청북도 청주시 흥덕구 2순환로 지하 29 4층 205호 → "
        "도착 강원특별자치도 원주시 원일로 41, 102동 2302호"
    )
    assert spans(text) == [
        "충청북도 청주시 흥덕구 2순환로 지하 29 4층 205호",
        "강원특별자치도 원주시 원일로 41, 102동 2302호",
    ]


def test_short_city_name_only_before_its_gu() -> None:
    # 성남, 수원…(a 시 with 일반구) may drop 시 before its 구; 전주 alone is also "last week"
    assert spans("경기 성남 분당구 판교역로 235") == ["경기 성남 분당구 판교역로 235"]
    assert spans("전주 완산구 효자로 225") == ["전주 완산구 효자로 225"]
    assert spans("전주시 효자로 225") == ["전주시 효자로 225"]
    assert spans("지난 전주 테헤란로 152에서 만났다") == []
    # a 군 is never shortened: 예산, 음성, 영양 are ordinary words
    assert spans("예산 테헤란로 152") == []
    assert spans("충남 예산군 예산읍 천변로 100") == ["충남 예산군 예산읍 천변로 100"]


def test_without_region_needs_context_or_unit() -> None:
    assert spans("테헤란로 152") == []
    assert spans("배송지: 테헤란로 152") == ["테헤란로 152"]
    assert spans("주소 역삼동 123-45") == ["역삼동 123-45"]
    assert spans("테헤란로 152, 301호") == ["테헤란로 152, 301호"]
    # a 읍/면 word alone is not a region: the span starts at the road or 리
    assert spans("자택 주소 대산면 가술리 323-4") == ["가술리 323-4"]


# ---------------------------------------------------------------------------------------------
# negatives

NEGATIVE = [
    "서울에서 만나요",
    "서울 강남구에 살아요",
    "서울 강남구 테헤란로에서 만나요",
    "강남구청 민원실 3층",
    "부산 여행 3일차",
    "v2.0 릴리스, 버전 5.7.24로 업데이트하면 돼",
    "3층 회의실",
    "101동 1203호",
    "학교로 3시까지 와",
    "서울 강남구로 3명 이동",
    "경기도 수원시로 10 km 이동",
    "2번 출구로 나와서 오른쪽",
    "활동 2건, 참가 12명, 우리 1팀",
    "서울 종로구 삼청동 2024년 봄",
    "서울 중구 명동 10시에 만나",
    "서울 강남구 삼성동 1번 출구에서",
    "서울 강남구 역삼동 3층 카페",
    "부산으로 010-1234-5678 연락 주세요",
    "주문번호 2024-0012 처리 완료",
    "서울 2호선 강남역",
    "서울 강남구 테헤란로 2.5km 구간",
    "출구로 010-4821 방향",
    "서울 강남구 대로 3개",
    "성수동 카페거리 2곳",
    "전주 효자로 225번 버스",
    "인제 테헤란로 가요",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negatives(text: str) -> None:
    assert spans(text) == []


# ---------------------------------------------------------------------------------------------
# scores and the recognizer contract


def test_scores() -> None:
    full = only("서울특별시 종로구 세종대로 209")
    household = only("서울특별시 종로구 세종대로 209, 3층 301호")
    floor = only("서울특별시 종로구 세종대로 209, 3층")
    lot = only("서울특별시 강남구 역삼동 123-45")
    district = only("강남구 테헤란로 152")
    assert 0.6 <= full.score < household.score <= 1.0
    assert full.score < floor.score < household.score
    assert 0.6 <= lot.score
    assert 0.6 <= district.score <= full.score
    for f in (full, household, floor, lot, district):
        assert f.entity_type == "KR_ADDRESS"
        assert f.recognizer == "kr_address"
        assert f.field is None


def test_recognizer_contract() -> None:
    assert RECOGNIZER.name == "kr_address"
    assert RECOGNIZER.entity_types == frozenset({"KR_ADDRESS"})
    assert RECOGNIZER.find is find_addresses
    assert find_addresses("") == []


def test_findings_are_plain_immutable_findings() -> None:
    text = "서울 강남구 테헤란로 152"
    f = find_addresses(text)[0]
    assert isinstance(f, Finding)
    assert f == Finding("KR_ADDRESS", 0, len(text), f.score, "kr_address")
    assert f.to_dict(text)["value"] == text
    with pytest.raises(AttributeError):
        f.start = 3  # type: ignore[misc]


def test_engine_keeps_addresses_and_drops_bare_mentions() -> None:
    scanner = Scanner(recognizers=[RECOGNIZER])
    text = "서울 강남구에 살아요. 새 주소는 서울 강남구 테헤란로 152, 301호입니다."
    found = scanner.scan(text)
    assert [text[f.start : f.end] for f in found] == ["서울 강남구 테헤란로 152, 301호"]


ALPHABET = "서울특별시강남구테헤란로역삼동가리길면읍산지하번호층제 ,-()0123456789\n.AB에서로"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_spans_are_well_formed_on_any_text(text: str) -> None:
    prev_end = 0
    for f in find_addresses(text):
        assert prev_end <= f.start < f.end <= len(text)
        assert 0.0 <= f.score <= 1.0
        value = text[f.start : f.end]
        assert value == value.strip(" ,\n")
        assert value[-1].isalnum() or value[-1] == ")"
        prev_end = f.end


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([s for _, s in ROAD + LOT]),
    st.sampled_from(["", "주소: ", "배송지는 ", "고객님 ", "(", "\n"]),
    st.sampled_from(["", "입니다", "으로 보내주세요", "에서", ".", ")", " 010-4821-7390"]),
)
def test_embedded_addresses_keep_their_span(addr: str, before: str, after: str) -> None:
    text = before + addr + after
    assert spans(text) == [addr]


# ---------------------------------------------------------------------------------------------
# the bundled region table


def test_region_table_has_all_17_sido() -> None:
    rows = load_admin_regions()
    full = {r.sido_full for r in rows}
    assert len(full) == 17
    assert {r.sido_short for r in rows} == {
        "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기",
        "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주",
    }  # fmt: skip
    assert "강원특별자치도" in full and "전북특별자치도" in full
    assert {r.status for r in rows} <= {"current", "new", "former"}


def test_region_table_sigungu_counts() -> None:
    current = [r for r in load_admin_regions() if r.status == "current"]
    # 기초자치단체 (자치구, 시, 군) per 시/도: 일반구 rows "성남시 분당구" count once per 시
    units: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for r in current:
        name = r.sigungu.split()[0] if r.sigungu else ""
        if (r.sido_full, name) not in seen:
            seen.add((r.sido_full, name))
            units[r.sido_short] += 1
    assert units == {
        "서울": 25, "부산": 16, "대구": 9, "인천": 10, "광주": 5, "대전": 5, "울산": 5,
        "세종": 1, "경기": 31, "강원": 18, "충북": 11, "충남": 15, "전북": 14, "전남": 22,
        "경북": 22, "경남": 18, "제주": 2,
    }  # fmt: skip
    sigungu = {(r.sido_short, r.sigungu) for r in current}
    assert ("경기", "성남시 분당구") in sigungu
    assert ("경남", "창원시 마산합포구") in sigungu
    assert ("대구", "군위군") in sigungu
    assert ("세종", "") in sigungu


def test_sido_names_include_short_and_old_forms() -> None:
    names = sido_names()
    assert names["서울"] == names["서울시"] == names["서울특별시"] == "서울특별시"
    assert names["강원도"] == "강원특별자치도"
    assert names["전라북도"] == "전북특별자치도"
    assert names["제주도"] == "제주특별자치도"
    assert set(SIDO_ALIASES.values()) <= {r.sido_full for r in load_admin_regions()}


# ---------------------------------------------------------------------------------------------
# speed


def realistic_records(n: int, seed: int = 7) -> list[str]:
    """~150-character records of customer-service Korean, every second one with an address."""
    rnd = random.Random(seed)
    forms = [
        "서울특별시 종로구 세종대로 {n}, {f}층 {h}호 (세종로)",
        "경기 성남시 분당구 판교역로 {n}",
        "부산광역시 해운대구 우동 {n}-{m}번지",
        "강남구 테헤란로{b}길 {n}",
        "서울시 마포구 월드컵북로 {n}, {d}동 {h}호",
        "경상남도 창원시 의창구 대산면 가술리 {n}-{m}",
        "대전 유성구 대학로 {n}",
        "인천광역시 연수구 송도동 {n}-{m} {f}층",
        "제주특별자치도 서귀포시 중앙로 {n} (서귀동)",
        "충남 천안시 서북구 불당대로 {n}, {d}동 {h}호",
    ]
    before = ["배송지는 ", "주소: ", "고객님 주소는 ", "자택 주소 ", "새 주소로 변경 요청: ", ""]
    after = [
        "으로 보내주세요.",
        "입니다.",
        " 에서 수령 예정",
        "로 이사했습니다.",
        ". 부재 시 경비실",
    ]
    filler = [
        "안녕하세요", "고객님", "주문하신", "상품이", "오늘", "발송되었습니다", "문의사항은", "연락", "주세요", "감사합니다", "배송",
        "예정일은", "다음주", "월요일입니다", "확인", "부탁드립니다", "회의는", "오후", "3시에", "진행합니다", "담당자", "과장", "활동",
        "보고서", "2건", "관리", "시스템", "가동", "참가", "인원", "12명", "추가", "요청", "학교로", "가는", "길", "2번",
        "출구로", "나와서", "오른쪽", "서울에서", "만나요", "부산", "여행", "3일차", "강남구청", "민원실", "3층", "회의실", "버전",
        "2.0", "업데이트", "결제", "금액", "15,000원", "전화", "010-4821-7390", "이메일", "hong@example.com",
    ]  # fmt: skip
    out = []
    for i in range(n):
        body = " ".join(rnd.choice(filler) for _ in range(40))
        if i % 2:
            addr = rnd.choice(forms).format(
                n=rnd.randint(1, 999), m=rnd.randint(1, 99), f=rnd.randint(1, 20),
                h=rnd.randint(101, 1504), d=rnd.randint(101, 120), b=rnd.randint(1, 99),
            )  # fmt: skip
            body = rnd.choice(before) + addr + rnd.choice(after) + " " + body
        out.append(body[:150])
    return out


def throughput(records: list[str], repeat: int = 5) -> float:
    """Best MB/s (UTF-8 bytes) of ``find_addresses`` over ``records``, one call per record."""
    size = sum(len(r.encode()) for r in records)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for r in records:
            find_addresses(r)
        best = min(best, time.perf_counter() - t0)
    return size / best / 1e6


def test_realistic_records_are_found() -> None:
    records = realistic_records(400)
    found = [len(find_addresses(r)) for r in records]
    assert found == [i % 2 for i in range(400)]


def test_throughput_sanity() -> None:
    # The target is >= 120 MB/s on one core (run this file as a script); this only catches a
    # gross regression, such as a pattern that backtracks over whole texts, on a loaded machine.
    assert throughput(realistic_records(2000), repeat=3) > 15


if __name__ == "__main__":
    recs = realistic_records(20000)
    size = sum(len(r.encode()) for r in recs)
    print(f"{len(recs)} records, {size / len(recs):.0f} bytes/record, module {addresses.__name__}")
    print(f"find_addresses: {throughput(recs, repeat=15):.1f} MB/s (best of 15)")
