"""The bench corpus generator: deterministic, valid identifiers, spans per docs/spans.md."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import REGION_TOKENS, SURNAMES, generate
from jikimi.detect.validators import (
    brn_valid,
    card_brand,
    crn_valid,
    frn_kind,
    luhn_ok,
    rrn_kind,
    valid_date,
)
from jikimi.entities import ALL_ENTITIES

N = 3000
SEED = 7

DASH = "-‐‑–—－"
SEP = f"[{DASH} ]?"
PARTICLES = set("은는이가을를로와과에의도")


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return generate(N, SEED)


def _values(records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    return [(r, s, r["text"][s["start"] : s["end"]]) for r in records for s in r["spans"]]


def _digits(v: str) -> str:
    return re.sub(r"\D", "", v)


# --- determinism -----------------------------------------------------------------------------


def test_deterministic_for_a_seed() -> None:
    assert generate(300, SEED) == generate(300, SEED)


def test_prefix_stable_and_seed_matters() -> None:
    assert generate(100, SEED) == generate(300, SEED)[:100]
    assert [r["text"] for r in generate(50, SEED)] != [r["text"] for r in generate(50, SEED + 1)]


def test_record_shape(records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    for r in records:
        assert set(r) == {"id", "domain", "text", "spans"}
        assert isinstance(r["text"], str) and r["text"]
        for s in r["spans"]:
            assert set(s) <= {"start", "end", "entity_type", "masked"}
            assert s["entity_type"] in ALL_ENTITIES


# --- coverage --------------------------------------------------------------------------------


def test_every_type_is_covered(records: list[dict[str, Any]]) -> None:
    counts = Counter(s["entity_type"] for r in records for s in r["spans"])
    # 20k records give >= ~1,000 of each; a 3k sample must already have a fair share.
    for etype in ALL_ENTITIES:
        assert counts[etype] >= 60, (etype, counts[etype])


def test_every_domain_and_hard_negatives_present(records: list[dict[str, Any]]) -> None:
    domains = Counter(r["domain"] for r in records)
    assert set(domains) >= {
        "customer_support",
        "medical",
        "hr",
        "finance",
        "chat",
        "ecommerce",
        "public_sector",
        "english",
        "mixed",
    }
    assert sum(1 for r in records if not r["spans"]) > N * 0.03
    text = "\n".join(r["text"] for r in records)
    for marker in ("주문번호", "바코드 880", "상품코드", "버전", "서울에서 만나요", "정부", "이번"):
        assert marker in text, marker


# --- span geometry ---------------------------------------------------------------------------


def test_spans_in_bounds_sorted_and_disjoint(records: list[dict[str, Any]]) -> None:
    for r in records:
        prev_end = 0
        for s in sorted(r["spans"], key=lambda s: s["start"]):
            assert 0 <= s["start"] < s["end"] <= len(r["text"])
            assert s["start"] >= prev_end, r
            prev_end = s["end"]


_END_OK = {
    "DATE_OF_BIRTH": re.compile(r".*[0-9일생]"),
    "KR_ADDRESS": re.compile(r".*([0-9호층]|번지|\))"),
    "PERSON": re.compile(r".*[가-힣A-Za-z]"),
}


def test_spans_follow_span_rules(records: list[dict[str, Any]]) -> None:
    for r, s, v in _values(records):
        text, etype = r["text"], s["entity_type"]
        assert v == v.strip(), (etype, v)
        # Only a phone span may open with a parenthesis: "(02) 734-5821" (docs/spans.md).
        assert v[0] not in "([{\"'«:" or (etype == "PHONE_NUMBER" and v[0] == "("), (etype, v)
        assert v[-1] not in ".,;:!?\"'»", (etype, v)
        if v.endswith(")"):
            assert etype == "KR_ADDRESS" and v.count("(") == v.count(")"), v
        end_rule = _END_OK.get(etype)
        if end_rule is not None and not s.get("masked"):
            assert end_rule.fullmatch(v), (etype, v)
        elif not s.get("masked"):
            assert v[-1].isascii() and v[-1].isalnum(), (etype, v)
        if etype not in ("PERSON", "KR_ADDRESS"):
            assert v[-1] not in PARTICLES, (etype, v)
        # The value is not glued to more of itself: no digit/letter run continues across the edge.
        before = text[s["start"] - 1] if s["start"] else ""
        after = text[s["end"]] if s["end"] < len(text) else ""
        if v[0].isdigit():
            assert not before.isdigit(), (etype, text)
        if v[-1].isdigit():
            assert not after.isdigit(), (etype, text)
        if v[-1].isascii() and v[-1].isalpha():
            assert not (after.isascii() and after.isalnum()), (etype, text)
        if etype == "PERSON":
            # Never the honorific/title: a Korean name is not followed by more of the same word
            # except a cue such as 님/씨/고객님 or a particle.
            assert not v.endswith(("님", "씨")), v


# --- every value passes its validator --------------------------------------------------------

PASSPORT_RE = re.compile(r"[MSROD](\d{8}|\d{3}[A-Z]\d{4})")
LICENCE_CODES = "11|12|13|14|15|16|17|18|19|20|21|22|23|24|25|26|28"
LICENCE_NAMES = "서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산"
LICENCE_RE = re.compile(
    rf"(?:(?:{LICENCE_NAMES}) ?\d{{2}}-\d{{6}}-\d{{2}})|(?:(?:{LICENCE_CODES}){SEP}\d{{2}}{SEP}"
    rf"\d{{6}}{SEP}\d{{2}})"
)
PLATE_SYL = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자하허호배"
PLATE_RE = re.compile(
    r"(?:(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주)\s?)?"
    rf"(?:\d{{2}}|[1-9]\d{{2}})\s?[{PLATE_SYL}]\s?\d{{4}}"
)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
PHONE_NATIONAL = re.compile(
    r"010[1-9]\d{7}|01[16789][1-9]\d{6,7}|02[1-9]\d{6,7}|0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])[1-9]"
    r"\d{6,7}|070[1-9]\d{7}|050[2-8][1-9]\d{6,7}|080[1-9]\d{6}|1[568]\d{6}"
)


def _phone_ok(v: str) -> bool:
    s = v.replace("(0)", "")
    intl = re.match(r"(\+82|0082|82)", s)
    d = _digits(s)
    if intl:
        d = "0" + d[len(_digits(intl.group(1))) :]
    return PHONE_NATIONAL.fullmatch(d) is not None


def _dob_ok(v: str) -> bool:
    m = re.fullmatch(r"(\d{2}|\d{4})년생", v)
    if m:
        return True
    m = re.fullmatch(r"(\d{2}|\d{4})년 ?(\d{1,2})월 ?(\d{1,2})일생?", v)
    if not m:
        m = re.fullmatch(r"(\d{4}|\d{2})[./-] ?(\d{1,2})[./-] ?(\d{1,2})", v)
    if not m:
        m = re.fullmatch(r"(\d{4}|\d{2})(\d{2})(\d{2})", v)
    if not m:
        return False
    y, mo, d = (int(g) for g in m.groups())
    year = y if y > 99 else 1900 + y
    return valid_date(year, mo, d) and year <= dt.date.today().year


def _person_ok(v: str, masked: bool) -> bool:
    if re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+|[A-Z]+ [A-Z]+", v):
        return True
    if masked:
        return re.fullmatch(r"[가-힣]{1,2}[*○O][가-힣]{0,2}", v) is not None
    if not re.fullmatch(r"[가-힣]{2,5}", v):
        return False
    return v[:2] in SURNAMES and len(v) >= 3 or v[:1] in SURNAMES


def _address_ok(v: str) -> bool:
    first = v.split()[0]
    rural_heads = {
        "기장군",
        "군위군",
        "강화군",
        "울주군",
        "양평군",
        "평창군",
        "괴산군",
        "예산군",
        "완주군",
        "해남군",
        "의성군",
    }
    return (first in REGION_TOKENS or first in rural_heads) and re.search(r"\d", v) is not None


def _valid(etype: str, v: str, masked: bool) -> bool:
    d = _digits(v)
    if masked:
        if etype == "KR_RRN":
            return re.fullmatch(r"\d{6}-\d[*X]{6}", v) is not None and valid_date(
                1900 + int(v[:2]), int(v[2:4]), int(v[4:6])
            )
        if etype == "PHONE_NUMBER":
            return re.fullmatch(r"010[- ](\*{4}[- ]\d{4}|[1-9]\d{3}[- ]\*{4})", v) is not None
        if etype == "CREDIT_CARD":
            return re.fullmatch(r"[\d*]{4}([- ][\d*]{4,6}){2,3}", v) is not None
        if etype == "PERSON":
            return _person_ok(v, True)
        return False
    if etype == "KR_RRN":
        return re.fullmatch(rf"\d{{6}}{SEP}\d{{7}}", v) is not None and rrn_kind(d) in (
            "checksum",
            "random_era",
        )
    if etype == "KR_FRN":
        return re.fullmatch(rf"\d{{6}}{SEP}\d{{7}}", v) is not None and frn_kind(d) is not None
    if etype == "KR_CRN":
        return re.fullmatch(rf"\d{{6}}{SEP}\d{{7}}", v) is not None and crn_valid(d)
    if etype == "KR_BRN":
        return re.fullmatch(rf"\d{{3}}{SEP}\d{{2}}{SEP}\d{{5}}", v) is not None and brn_valid(d)
    if etype == "CREDIT_CARD":
        if not (luhn_ok(d) and card_brand(d) is not None):
            return False
        if len(d) == 15:
            return re.fullmatch(rf"\d{{4}}{SEP}\d{{6}}{SEP}\d{{5}}", v) is not None
        return True
    if etype == "KR_PASSPORT":
        return PASSPORT_RE.fullmatch(v) is not None
    if etype == "KR_DRIVER_LICENSE":
        return LICENCE_RE.fullmatch(v) is not None
    if etype == "KR_BANK_ACCOUNT":
        return 10 <= len(d) <= 14 and re.fullmatch(rf"\d+({SEP}\d+)*", v) is not None
    if etype == "KR_HEALTH_INSURANCE":
        return re.fullmatch(r"\d{11}", v) is not None
    if etype == "PHONE_NUMBER":
        return _phone_ok(v)
    if etype == "EMAIL_ADDRESS":
        return v.isascii() and EMAIL_RE.fullmatch(v) is not None
    if etype == "IP_ADDRESS":
        try:
            ipaddress.ip_address(v)
        except ValueError:
            return False
        return True
    if etype == "KR_VEHICLE_PLATE":
        return PLATE_RE.fullmatch(v) is not None
    if etype == "DATE_OF_BIRTH":
        return _dob_ok(v)
    if etype == "KR_POSTAL_CODE":
        if re.fullmatch(r"\d{3}-\d{3}", v):
            return True
        return re.fullmatch(r"\d{5}", v) is not None and 1 <= int(v[:2]) <= 63
    if etype == "PERSON":
        return _person_ok(v, False)
    if etype == "KR_ADDRESS":
        return _address_ok(v)
    raise AssertionError(etype)


def test_every_gold_value_is_valid(records: list[dict[str, Any]]) -> None:
    bad = [
        (s["entity_type"], v)
        for _r, s, v in _values(records)
        if not _valid(s["entity_type"], v, bool(s.get("masked")))
    ]
    assert not bad, bad[:20]


def test_identifier_forms_are_varied(records: list[dict[str, Any]]) -> None:
    vals = _values(records)
    rrn = [_digits(v) for _r, s, v in vals if s["entity_type"] == "KR_RRN" and not s.get("masked")]
    kinds = Counter(rrn_kind(d) for d in rrn)
    assert kinds["checksum"] > 0 and kinds["random_era"] > 0
    passports = [v for _r, s, v in vals if s["entity_type"] == "KR_PASSPORT"]
    assert any(v[1:].isdigit() for v in passports) and any(not v[1:].isdigit() for v in passports)
    licences = [v for _r, s, v in vals if s["entity_type"] == "KR_DRIVER_LICENSE"]
    assert any(not v[0].isdigit() for v in licences) and any(v[0].isdigit() for v in licences)
    cards = [_digits(v) for _r, s, v in vals if s["entity_type"] == "CREDIT_CARD"]
    assert {"amex", "visa", "kr_domestic", "mastercard"} <= {card_brand(c) for c in cards}
    ips = [v for _r, s, v in vals if s["entity_type"] == "IP_ADDRESS"]
    assert {ipaddress.ip_address(v).version for v in ips} == {4, 6}
    phones = [v for _r, s, v in vals if s["entity_type"] == "PHONE_NUMBER"]
    for prefix in ("010", "02", "070", "050", "+82", "(0", "15"):
        assert any(p.startswith(prefix) for p in phones), prefix
    names = [v for _r, s, v in vals if s["entity_type"] == "PERSON"]
    assert any(v[:2] in SURNAMES for v in names)
    assert sum(1 for _r, s, _v in vals if s.get("masked")) > 0


def test_unlabeled_13_digit_numbers_are_not_identifiers(records: list[dict[str, Any]]) -> None:
    """Hard negatives (orders, barcodes, tracking) must not pass an RRN/FRN/CRN checksum."""
    pattern = re.compile(rf"(?<!\d)\d{{6}}[{DASH}]?\d{{7}}(?!\d)")
    for r in records:
        covered = [(s["start"], s["end"]) for s in r["spans"]]
        for m in pattern.finditer(r["text"]):
            if any(a < m.end() and m.start() < b for a, b in covered):
                continue
            d = _digits(m.group())
            assert rrn_kind(d) != "checksum" and frn_kind(d) != "checksum" and not crn_valid(d), (
                m.group(),
                r["text"],
            )
