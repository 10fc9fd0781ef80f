"""Realistic, consistent fake values that can never be a real person's identifier.

``surrogate(value, type, key)`` draws a fake value of the same kind from a DRBG seeded with
HMAC(surrogate key's subkey for the type, normalised value): the same value under the same key
always gets the same surrogate (joins and co-reference survive: every mention of 김민준 in a
dataset becomes the same fake name), different keys give unrelated surrogates, and the mapping
is one-way. Draws use only integer arithmetic over HMAC output (no :mod:`random`), and all
tables are frozen in this module rather than read from the detector's data files, so a
surrogate never changes across Python or jikimi versions unless ``SURROGATE_VERSION`` changes.
Where the input has a layout (separators, digit grouping), the surrogate keeps it; when the
digit count is not the expected one, the canonical grouping is used.

How each surrogate is fake by construction (``jikimi.detect.validators`` and ``jikimi.scan``
reject every one; ``tests/test_transform.py`` checks this):

| type | construction | why it cannot be real |
|---|---|---|
| KR_RRN | ``YYMMDD-GNNNNNC``, MM = 13–19, G = 1–4, C ≠ RRN and ≠ CRN check digit | no 13th–19th month, so no birth date; the check digit fails as well |
| KR_FRN | as RRN with G = 5–8, C ≠ legacy-ARN, RRN and CRN check digits | same |
| KR_CRN | digits 3–4 = 13–99, C ≠ CRN check digit | check digit fails; digits 1–6 are no date, so it is no RRN/FRN either |
| KR_BRN | ``XXX-XX-XXXXX`` with office ≥ 101, type 01–79, C ≠ BRN check digit | check digit fails (§3) |
| CREDIT_CARD | IIN ``9999``, last digit ≠ Luhn check digit, later groups start with 2–9 | fails Luhn (§10); no group reads as a 15XX or 050X phone |
| KR_PASSPORT | type letter ``X`` + the input's old/new layout | no passport type X (§5: M, S, R, O, D) |
| KR_DRIVER_LICENSE | region code ``27``: ``27-YY-NNNNNN-CD`` | code 27 is unused (§6) |
| PHONE_NUMBER | routing prefix kept, subscriber part starts with ``0`` | §8: a landline subscriber part never starts with 0; for 010 the middle blocks 0000–1999 are withheld from assignment (MSIT allocation, reported in 2018), so 010-0XXX is never a subscriber |
| KR_BANK_ACCOUNT | first group starts ``00`` | no layout of the KFTC table (§9) starts with 00; banks publish no check digits, so this is the best available |
| KR_HEALTH_INSURANCE | 11 digits starting with ``000`` | jikimi's recognizer never accepts a leading 0 (and no phone number starts 000); §7 has no official format, so best available |
| KR_VEHICLE_PLATE | use syllable from 카 타 파 차 커 터 퍼 처 코 토 포 초 쿠 투 푸 추 | none is in the list of plate use syllables (§11) |
| KR_POSTAL_CODE | first two digits 64–99 (old six-digit form: leading 0) | §12 allocates only 01–63 |
| IP_ADDRESS | 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737); 2001:db8::/32 (RFC 3849) | documentation ranges, never routed |
| EMAIL_ADDRESS | ``<romanised name><digits>@example.com/.net/.org`` | RFC 2606 / RFC 6761 reserved domains (``example.kr`` is not reserved) |
| PERSON | surname by 2015-census share (§14) + given name of the input's length | a name is not unique: it may match someone, but it is unlinked to the input |
| KR_ADDRESS | input's 시/도 and 시/군/구 + invented road name and number | the road is drawn from made-up syllables; the region is generalisation-level only |
| DATE_OF_BIRTH | a date in 1940–2005 written in the input's format | unlinked to the input |
"""

from __future__ import annotations

import ipaddress
import re
from itertools import accumulate

from jikimi.detect import validators as _v
from jikimi.keys.base import KeyHandle, Purpose
from jikimi.transform._common import (
    Drbg,
    OperatorError,
    derive_subkey,
    normalize,
    phone_prefix_len,
    seeded_drbg,
)
from jikimi.transform.basic import COMPOUND_SURNAMES
from jikimi.transform.regions import parse_region

SURROGATE_VERSION = 1
"""Part of the subkey label: bump it to change surrogate tables deliberately."""

# ---------------------------------------------------------------------------------------------
# frozen tables

_SURNAME_TABLE = """
김 2150 이 1470 박 840 최 470 정 480 강 255 조 290 윤 210 장 205 임 210
한 160 오 150 서 150 신 200 권 140 황 140 안 140 송 140 전 150 홍 110
유 100 류 40 고 90 문 90 양 90 손 90 배 80 백 70 허 60 남 60 심 50 노 50 하 50 곽 40
성 40 차 40 주 40 우 40 구 40 민 35
진 33 나 30 지 30 엄 29 채 26 원 25 천 24 방 23 공 18 현 18 변 16 함 15 염 14 여 14
추 13 도 11 소 11 석 10 선 10 설 10 마 10 길 10 연 10 위 10 표 10 명 10
기 5 반 5 라 5 왕 5 금 5 옥 5 육 5 인 5 맹 4 제 4 모 4 탁 4 국 4 어 4 은 4 편 3 용 3
예 3 경 3 봉 3 사 3 부 2 가 2 복 2 태 2 목 2 형 2 피 2 두 2 호 2 빈 2 동 2 승 2
남궁 4 황보 2 제갈 1 선우 1 독고 1 사공 1 서문 1
"""
"""Hangul surname → share in hundredths of a percent: reference §14 (2015 census), Hanja
variants with one Hangul spelling summed (조 趙+曺, 정 鄭+丁, …); bands beyond rank 20 are
the reference's approximate bands."""

_SURNAME_PAIRS = _SURNAME_TABLE.split()
SURNAMES: tuple[str, ...] = tuple(_SURNAME_PAIRS[0::2])
_SURNAME_CUM: tuple[int, ...] = tuple(accumulate(int(w) for w in _SURNAME_PAIRS[1::2]))

GIVEN_SYLLABLES: tuple[str, ...] = tuple(
    "민준서연지현우수영진은윤혜정희호성훈석재원동하예유주도시아"
    "나다채린빈율건태경미선숙철용혁규상승한찬환소온결람별솔슬"
    "인종기범광명세효란애"
)
"""Common given-name syllables (general knowledge; uniform draw, no repeats within a name)."""

_ROAD_SYLLABLES: tuple[str, ...] = tuple(
    "가나다라마바사아자하솔빛별새한누리온결숲들꽃봄샘늘람루미소은달해물밭터골길뫼내여울"
)
"""Syllables for invented road names (``가람로``, ``솔빛길``): plausible, not taken from any
road register."""

_LATIN_GIVEN = (
    "Minjun", "Seoyeon", "Jiho", "Haeun", "Doyun", "Jiwoo", "Eunji", "Hyunwoo", "Sora",
    "Taeyang", "Yuna", "Junho", "Subin", "Dahye", "Sungmin", "Jiyoung",
)
_LATIN_SURNAME = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim")
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
_IPV4_NETS = ("192.0.2", "198.51.100", "203.0.113")
_IPV6_DOC = 0x20010DB8 << 96
_PLATE_FAKE = tuple("카타파차커터퍼처코토포초쿠투푸추")
_PLATE = re.compile(
    r"(?P<region>(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주) ?)?"
    r"(?P<cls>[0-9]{2,3})(?P<s1> ?)(?P<syl>[가-힣])(?P<s2> ?)(?P<num>[0-9]{4})"
)
_PASSPORT_NEW = re.compile(r"[A-Za-z][0-9]{3}[A-Za-z][0-9]{4}")

# check digits: the published formulas (reference §1–§4, §10), shared with the detector so a
# surrogate is built to fail exactly the checks the scanner applies
_rrn_check = _v.rrn_check_digit
_frn_check = _v.frn_check_digit
_crn_check = _v.crn_check_digit
_brn_check = _v.brn_check_digit
_luhn_check = _v.luhn_check_digit


def _digit_not_in(rng: Drbg, bad: set[int]) -> str:
    return str(rng.choice([d for d in range(10) if d not in bad]))


# ---------------------------------------------------------------------------------------------
# layout


def _place(value: str, digits: str, groups: tuple[int, ...]) -> str:
    """Write ``digits`` into the digit positions of ``value`` (keeping its separators), or in
    the canonical ``groups`` joined by ``-`` when the digit counts differ."""
    if sum(1 for ch in value if "0" <= ch <= "9") == len(digits):
        it = iter(digits)
        return "".join(next(it) if "0" <= ch <= "9" else ch for ch in value)
    out, i = [], 0
    for g in groups:
        out.append(digits[i : i + g])
        i += g
    return "-".join(out)


# ---------------------------------------------------------------------------------------------
# generators, one per type: (value, rng) -> surrogate


def _rrn_like(rng: Drbg, g_digits: str, foreign: bool) -> str:
    yy = rng.digits(2)
    mm = str(rng.between(13, 19))
    dd = f"{rng.between(1, 28):02d}"
    body = yy + mm + dd + rng.choice(g_digits) + rng.digits(5)
    bad = {_rrn_check(body), _crn_check(body)}
    if foreign:
        bad.add(_frn_check(body))
    return body + _digit_not_in(rng, bad)


def _s_rrn(value: str, rng: Drbg) -> str:
    return _place(value, _rrn_like(rng, "1234", False), (6, 7))


def _s_frn(value: str, rng: Drbg) -> str:
    return _place(value, _rrn_like(rng, "5678", True), (6, 7))


def _s_crn(value: str, rng: Drbg) -> str:
    body = (
        str(rng.between(11, 28)) + str(rng.between(13, 99)) + rng.choice(("11", "12", "13", "14"))
        + rng.digits(6)
    )
    return _place(value, body + _digit_not_in(rng, {_crn_check(body)}), (6, 7))


def _s_brn(value: str, rng: Drbg) -> str:
    body = str(rng.between(101, 899)) + f"{rng.between(1, 79):02d}" + f"{rng.between(1, 9999):04d}"
    return _place(value, body + _digit_not_in(rng, {_brn_check(body)}), (3, 2, 5))


def _s_card(value: str, rng: Drbg) -> str:
    n = sum(1 for ch in value if "0" <= ch <= "9")
    n = n if 12 <= n <= 19 else 16
    # the first digit of each later 4-digit group is 2-9: a space-separated "1588 …" or
    # "0505 …" group would otherwise read as a phone number on its own
    body = "9999" + "".join(
        str(rng.between(2, 9)) if i % 4 == 0 else rng.digits(1) for i in range(n - 5)
    )
    groups = {15: (4, 6, 5), 14: (4, 6, 4)}.get(n, (4,) * (n // 4) + ((n % 4,) if n % 4 else ()))
    return _place(value, body + _digit_not_in(rng, {_luhn_check(body)}), groups)


def _s_passport(value: str, rng: Drbg) -> str:
    v = value.strip()
    if _PASSPORT_NEW.fullmatch(v):
        return "X" + rng.digits(3) + chr(65 + rng.below(26)) + rng.digits(4)
    return "X" + rng.digits(8)


def _s_license(value: str, rng: Drbg) -> str:
    body = "27" + rng.digits(2) + rng.digits(6) + rng.digits(1) + str(rng.below(3))
    v = value.strip()
    if v[:1].isdigit():
        return _place(v, body, (2, 2, 6, 2))
    return _place("", body, (2, 2, 6, 2))  # region-name form → numeric form


def _s_phone(value: str, rng: Drbg) -> str:
    p = phone_prefix_len(value)
    out, k = [], 0
    for ch in value:
        if "0" <= ch <= "9":
            out.append(ch if k < p else "0" if k == p else rng.digits(1))
            k += 1
        else:
            out.append(ch)
    if k <= p:
        raise OperatorError("surrogate: this PHONE_NUMBER value has no subscriber digits")
    return "".join(out)


def _s_account(value: str, rng: Drbg) -> str:
    n = sum(1 for ch in value if "0" <= ch <= "9")
    n = n if 10 <= n <= 14 else 12
    return _place(value, "00" + rng.digits(n - 2), (3, 3, n - 6))


def _s_health(value: str, rng: Drbg) -> str:
    # "000": not "0" alone, which would make 11 digits such as 042-1017-0195 a landline shape
    return _place(value, "000" + rng.digits(8), (11,))


def _s_plate(value: str, rng: Drbg) -> str:
    m = _PLATE.fullmatch(value.strip())
    cls_len = len(m["cls"]) if m else 2
    cls = f"{rng.between(1, 69):02d}" if cls_len == 2 else str(rng.between(100, 699))
    syl = rng.choice(_PLATE_FAKE)
    num = rng.digits(4)
    if m is None:
        return f"{cls}{syl}{num}"
    return f"{m['region'] or ''}{cls}{m['s1']}{syl}{m['s2']}{num}"


def _s_postal(value: str, rng: Drbg) -> str:
    n = sum(1 for ch in value if "0" <= ch <= "9")
    if n == 6:
        return _place(value, "0" + rng.digits(5), (3, 3))
    return str(rng.between(64, 99)) + rng.digits(3)


def _s_ip(value: str, rng: Drbg) -> str:
    if ":" in value:
        return ipaddress.IPv6Address(_IPV6_DOC | rng.below(1 << 96)).compressed
    return f"{rng.choice(_IPV4_NETS)}.{rng.between(1, 254)}"


def _given(rng: Drbg, n: int) -> str:
    out: list[str] = []
    while len(out) < n:
        s = rng.choice(GIVEN_SYLLABLES)
        if s not in out:
            out.append(s)
    return "".join(out)


def _s_person(value: str, rng: Drbg) -> str:
    compact = "".join(value.split())
    if any("가" <= ch <= "힣" for ch in compact):
        sur_len = 2 if len(compact) >= 3 and compact[:2] in COMPOUND_SURNAMES else 1
        given_len = min(max(len(compact) - sur_len, 1), 4)
        return rng.weighted(SURNAMES, _SURNAME_CUM) + _given(rng, given_len)
    words = value.split()
    if len(words) >= 2:
        return f"{rng.choice(_LATIN_GIVEN)} {rng.choice(_LATIN_SURNAME)}"
    return rng.choice(_LATIN_GIVEN)


def _s_email(value: str, rng: Drbg) -> str:
    given = rng.choice(_LATIN_GIVEN).lower()
    sur = rng.choice(_LATIN_SURNAME).lower()
    sep = rng.choice((".", "_", ""))
    return f"{given}{sep}{sur}{rng.between(1, 999)}@{rng.choice(_EMAIL_DOMAINS)}"


def _s_address(value: str, rng: Drbg) -> str:
    region = parse_region(value)
    road = rng.choice(_ROAD_SYLLABLES) + rng.choice(_ROAD_SYLLABLES) + rng.choice(("로", "길"))
    parts = [p for p in (region.sido, region.sigungu) if p]
    parts += [road, str(rng.between(1, 199))]
    return " ".join(parts)


def _s_dob(value: str, rng: Drbg) -> str:
    import datetime as dt

    from jikimi.transform.dates import parse_date

    parsed = parse_date(value)
    if parsed is None:
        raise OperatorError("surrogate: cannot read this DATE_OF_BIRTH value as a date")
    start = dt.date(1940, 1, 1)
    d = start + dt.timedelta(days=rng.below((dt.date(2005, 12, 31) - start).days + 1))
    return parsed.render(d)


_GENERATORS = {
    "KR_RRN": _s_rrn,
    "KR_FRN": _s_frn,
    "KR_CRN": _s_crn,
    "KR_BRN": _s_brn,
    "CREDIT_CARD": _s_card,
    "KR_PASSPORT": _s_passport,
    "KR_DRIVER_LICENSE": _s_license,
    "PHONE_NUMBER": _s_phone,
    "KR_BANK_ACCOUNT": _s_account,
    "KR_HEALTH_INSURANCE": _s_health,
    "KR_VEHICLE_PLATE": _s_plate,
    "KR_POSTAL_CODE": _s_postal,
    "IP_ADDRESS": _s_ip,
    "PERSON": _s_person,
    "EMAIL_ADDRESS": _s_email,
    "KR_ADDRESS": _s_address,
    "DATE_OF_BIRTH": _s_dob,
}
SURROGATE_TYPES = frozenset(_GENERATORS)


def surrogate(value: str, entity_type: str, key: KeyHandle) -> str:
    """A consistent fake ``entity_type`` value for ``value`` (see the module table).

    A draw equal to the input (a fake name that happens to be the real one) is redrawn from
    the same stream, so the output is still deterministic.
    """
    gen = _GENERATORS.get(entity_type)
    if gen is None:
        raise OperatorError(f"surrogate is not defined for {entity_type}")
    norm = normalize(value, entity_type)
    rng = seeded_drbg(derive_subkey(key, Purpose.SURROGATE, f"surrogate/v{SURROGATE_VERSION}/{entity_type}"), norm)
    out = gen(value, rng)
    for _ in range(8):
        if normalize(out, entity_type) != norm:
            break
        out = gen(value, rng)
    return out
