"""De-identification operators (jikimi.transform): shapes, determinism, reversibility,
invalid-by-construction surrogates, generalisation, date shifting, and no leaks in errors."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import pickle
import re
from collections import Counter
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi import scan
from jikimi import transform as T
from jikimi.detect import validators as v
from jikimi.keys.base import KeyHandle, KeyRef, Purpose
from jikimi.transform import surrogates as S
from jikimi.transform import tokens as tokens_module
from jikimi.transform.basic import COMPOUND_SURNAMES
from jikimi.transform.dates import parse_date
from jikimi.transform.regions import parse_region


def key(purpose: Purpose, material: bytes | None = None, key_id: str | None = None) -> KeyHandle:
    return KeyHandle(KeyRef(key_id or f"{purpose.value}/test", 1, purpose), material or os.urandom(32))


FIXED = bytes(range(32))
OTHER = bytes(range(1, 33))


@pytest.fixture
def tk() -> KeyHandle:
    return key(Purpose.TOKEN)


@pytest.fixture
def fk() -> KeyHandle:
    # the FF1 module is written by a sibling; without it the fpe tests are skipped
    pytest.importorskip("jikimi.transform.ff1", reason="FF1 module (transform/ff1.py) not present")
    return key(Purpose.FPE)


@pytest.fixture
def ek() -> KeyHandle:
    return key(Purpose.ENCRYPT)


@pytest.fixture
def sk() -> KeyHandle:
    return key(Purpose.SURROGATE)


# ---------------------------------------------------------------------------------------------
# redact, mask, label


def test_redact() -> None:
    assert T.redact("김민준") == ""


MASKS = [
    ("010-4821-7390", "PHONE_NUMBER", "010-****-7390"),
    ("01048217390", "PHONE_NUMBER", "010****7390"),
    ("02-734-5821", "PHONE_NUMBER", "02-***-5821"),
    ("+82 10-4821-7390", "PHONE_NUMBER", "+82 10-****-7390"),
    ("1588-2411", "PHONE_NUMBER", "1588-**11"),
    ("900101-1234567", "KR_RRN", "900101-*******"),
    ("9001011234567", "KR_RRN", "900101*******"),
    ("880827-5381186", "KR_FRN", "880827-*******"),
    ("9410 8209 8015 9178", "CREDIT_CARD", "9410 **** **** 9178"),
    ("9410-8209-8015-9178", "CREDIT_CARD", "9410-****-****-9178"),
    ("hong@naver.com", "EMAIL_ADDRESS", "h***@naver.com"),
    ("김민준", "PERSON", "김**"),
    ("김철", "PERSON", "김*"),
    ("남궁민수", "PERSON", "남궁**"),
    ("John Smith", "PERSON", "J*** *****"),
    ("309-12-71856", "KR_BRN", "***-**-***56"),
    ("M70318452", "KR_PASSPORT", "*******52"),
    ("06236", "KR_POSTAL_CODE", "***36"),
]


@pytest.mark.parametrize(("value", "etype", "expected"), MASKS)
def test_mask_table(value: str, etype: str, expected: str) -> None:
    out = T.mask(value, etype)
    assert out == expected
    assert len(out) == len(value)


def test_label_and_labeler() -> None:
    assert T.label("PERSON", 1) == "<PERSON_1>"
    with pytest.raises(ValueError):
        T.label("PERSON", 0)
    lab = T.Labeler()
    assert lab.label("PERSON", "김민준") == "<PERSON_1>"
    assert lab.label("PERSON", "이서연") == "<PERSON_2>"
    assert lab.label("PERSON", "김 민준") == "<PERSON_1>"  # same value after normalisation
    assert lab.label("PHONE_NUMBER", "010-4821-7390") == "<PHONE_NUMBER_1>"
    assert lab.label("PHONE_NUMBER", "01048217390") == "<PHONE_NUMBER_1>"
    assert lab.label("PHONE_NUMBER", "+82 10-4821-7390") == "<PHONE_NUMBER_1>"
    assert len(lab) == 3
    assert "김민준" not in repr(lab)
    with pytest.raises(TypeError):
        pickle.dumps(lab)
    # a fresh labeler (another document) starts again at 1
    assert T.Labeler().label("PERSON", "이서연") == "<PERSON_1>"


# ---------------------------------------------------------------------------------------------
# token

TOKEN_RE = re.compile(r"(?P<t>[A-Z_]+)_(?P<b>[A-Z2-7]{22})")


def test_token_shape_and_normalisation(tk: KeyHandle) -> None:
    a = T.token("010-4821-7390", "PHONE_NUMBER", tk)
    m = TOKEN_RE.fullmatch(a)
    assert m is not None and m["t"] == "PHONE_NUMBER"
    assert len(a) == len("PHONE_NUMBER_") + 22
    assert T.token("01048217390", "PHONE_NUMBER", tk) == a
    assert T.token("+82 10-4821-7390", "PHONE_NUMBER", tk) == a
    assert T.token("0082-10-4821-7390", "PHONE_NUMBER", tk) == a
    assert T.token("610622-1363549", "KR_RRN", tk) == T.token("6106221363549", "KR_RRN", tk)
    assert T.token("Hong@Naver.com", "EMAIL_ADDRESS", tk) == T.token("hong@naver.com ", "EMAIL_ADDRESS", tk)
    assert T.token("서울 96-104823-41", "KR_DRIVER_LICENSE", tk) == T.token(
        "11-96-104823-41", "KR_DRIVER_LICENSE", tk
    )
    assert T.token("2001:DB8:0::1", "IP_ADDRESS", tk) == T.token("2001:db8::1", "IP_ADDRESS", tk)
    assert T.token("1987. 3. 9.", "DATE_OF_BIRTH", tk) == T.token("1987-03-09", "DATE_OF_BIRTH", tk)


def test_token_fixed_length_per_type(tk: KeyHandle) -> None:
    lengths = {len(T.token(val, "PERSON", tk)) for val in ("김", "김민준", "남궁민수", "John Smith")}
    assert lengths == {len("PERSON_") + 22}


def test_token_deterministic_per_key_and_type() -> None:
    k1, k1b, k2 = key(Purpose.TOKEN, FIXED), key(Purpose.TOKEN, FIXED), key(Purpose.TOKEN, OTHER)
    assert T.token("김민준", "PERSON", k1) == T.token("김민준", "PERSON", k1b)
    assert T.token("김민준", "PERSON", k1) != T.token("김민준", "PERSON", k2)
    # per-type subkeys: the same digits as two types give unrelated suffixes
    a = T.token("1104827319", "KR_BANK_ACCOUNT", k1).split("_")[-1]
    b = T.token("1104827319", "KR_HEALTH_INSURANCE", k1).split("_")[-1]
    assert a != b


def test_token_is_one_way_and_documented() -> None:
    doc = tokens_module.__doc__ or ""
    assert "one-way" in doc and "no reveal" in doc
    assert not any(name.endswith(("reveal", "decrypt", "untoken")) for name in dir(tokens_module))


def test_token_refuses_other_purpose() -> None:
    with pytest.raises(PermissionError):
        T.token("김민준", "PERSON", key(Purpose.ENCRYPT))


# ---------------------------------------------------------------------------------------------
# fpe

FPE_VALUES = [
    ("900101-1234567", "KR_RRN"),
    ("880827-5381186", "KR_FRN"),
    ("110111-8425129", "KR_CRN"),
    ("309-12-71856", "KR_BRN"),
    ("9410 8209 8015 9178", "CREDIT_CARD"),
    ("110-482-731905", "KR_BANK_ACCOUNT"),
    ("14827319054", "KR_HEALTH_INSURANCE"),
    ("M70318452", "KR_PASSPORT"),
    ("M512K3088", "KR_PASSPORT"),
    ("서울 96-104823-41", "KR_DRIVER_LICENSE"),
    ("서울 32바 1234", "KR_VEHICLE_PLATE"),
    ("김민준", "PERSON"),
    ("남궁민수", "PERSON"),
    ("김민", "PERSON"),
]


def _shape(s: str) -> str:
    return "".join("d" if c.isdigit() else "h" if "가" <= c <= "힣" else c for c in s)


@pytest.mark.parametrize(("value", "etype"), FPE_VALUES)
def test_fpe_roundtrip_and_shape(value: str, etype: str, fk: KeyHandle) -> None:
    out = T.fpe(value, etype, fk)
    assert out != value
    assert _shape(out) == _shape(value)
    assert T.fpe_reveal(out, etype, fk) == value
    assert T.fpe(value, etype, fk) == out  # deterministic


def test_fpe_phone_keeps_routing_prefix(fk: KeyHandle) -> None:
    for value, prefix in (("010-4821-7390", "010-"), ("02-734-5821", "02-"), ("+82 10-4821-7390", "+82 10-")):
        out = T.fpe(value, "PHONE_NUMBER", fk)
        assert out.startswith(prefix) and _shape(out) == _shape(value) and out != value
        assert T.fpe_reveal(out, "PHONE_NUMBER", fk) == value


def test_fpe_key_and_type_matter() -> None:
    a = T.fpe("900101-1234567", "KR_RRN", key(Purpose.FPE, FIXED))
    assert a == T.fpe("900101-1234567", "KR_RRN", key(Purpose.FPE, FIXED))
    assert a != T.fpe("900101-1234567", "KR_RRN", key(Purpose.FPE, OTHER))
    assert a != T.fpe("900101-1234567", "KR_FRN", key(Purpose.FPE, FIXED))


@pytest.mark.parametrize(
    ("value", "etype"),
    [("김", "PERSON"), ("06236", "KR_POSTAL_CODE"), ("1588-2411", "PHONE_NUMBER"),
     ("hong@naver.com", "EMAIL_ADDRESS"), ("서울특별시 종로구 세종대로 209", "KR_ADDRESS"),
     ("John", "PERSON")],
)
def test_fpe_refuses_with_clear_error(value: str, etype: str, fk: KeyHandle) -> None:
    with pytest.raises(T.OperatorError) as exc:
        T.fpe(value, etype, fk)
    msg = str(exc.value)
    assert value not in msg and etype in msg
    assert "token" in msg  # tells the caller what to fall back to


def test_fpe_refuses_other_purpose() -> None:
    with pytest.raises(PermissionError):
        T.fpe("900101-1234567", "KR_RRN", key(Purpose.TOKEN))


# ---------------------------------------------------------------------------------------------
# encrypt / decrypt

CT_RE = re.compile(r"jk1\.(siv|gcm)\.[A-Z_]+\.[A-Za-z0-9_~%/-]+\.[0-9]+\.[A-Za-z0-9_-]+")


@pytest.mark.parametrize("deterministic", [True, False])
@pytest.mark.parametrize("value", ["900101-1234567", "김민준", "", "a" * 1000, "서울특별시 종로구 세종대로 209"])
def test_encrypt_roundtrip(value: str, deterministic: bool, ek: KeyHandle) -> None:
    ct = T.encrypt(value, "KR_RRN", ek, deterministic=deterministic)
    assert CT_RE.fullmatch(ct)
    assert ct.split(".")[1] == ("siv" if deterministic else "gcm")
    assert T.decrypt(ct, lambda kid, ver: ek) == value
    if value:
        assert value not in ct


def test_encrypt_determinism(ek: KeyHandle) -> None:
    siv = [T.encrypt("900101-1234567", "KR_RRN", ek, deterministic=True) for _ in range(3)]
    gcm = [T.encrypt("900101-1234567", "KR_RRN", ek, deterministic=False) for _ in range(3)]
    assert len(set(siv)) == 1 and len(set(gcm)) == 3
    other = key(Purpose.ENCRYPT)
    assert T.encrypt("900101-1234567", "KR_RRN", other, deterministic=True) != siv[0]
    assert T.encrypt("900101-1234567", "KR_FRN", ek, deterministic=True).split(".")[-1] != siv[0].split(".")[-1]


def test_encrypt_header_and_lookup(ek: KeyHandle) -> None:
    k = key(Purpose.ENCRYPT, key_id="tenant.a/encrypt key")
    ct = T.encrypt("x", "PERSON", k, deterministic=True)
    assert CT_RE.fullmatch(ct) and ct.count(".") == 5
    info = T.ciphertext_info(ct)
    assert info == T.CiphertextInfo("siv", "PERSON", "tenant.a/encrypt key", 1)
    asked: list[tuple[str, int]] = []

    def lookup(kid: str, ver: int) -> KeyHandle:
        asked.append((kid, ver))
        return k

    assert T.decrypt(ct, lookup) == "x"
    assert asked == [("tenant.a/encrypt key", 1)]


def test_subject_keys_encrypt_too() -> None:
    subj = key(Purpose.SUBJECT)
    ct = T.encrypt("900101-1234567", "KR_RRN", subj, deterministic=False)
    assert T.decrypt(ct, lambda kid, ver: subj) == "900101-1234567"
    with pytest.raises(PermissionError):
        T.encrypt("x", "KR_RRN", key(Purpose.TOKEN), deterministic=True)


def _flip(s: str, i: int) -> str:
    return s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1 :]


@pytest.mark.parametrize("deterministic", [True, False])
def test_tampering_detected(deterministic: bool, ek: KeyHandle) -> None:
    ct = T.encrypt("900101-1234567", "KR_RRN", ek, deterministic=deterministic)
    head, _, payload = ct.rpartition(".")

    def lookup(kid: str, ver: int) -> KeyHandle:
        return ek

    bad = [
        f"{head}.{_flip(payload, 5)}",
        f"{head}.{_flip(payload, len(payload) - 2)}",
        ct.replace(".KR_RRN.", ".KR_FRN."),  # relabelled
        ct.replace(".siv.", ".gcm.") if deterministic else ct.replace(".gcm.", ".siv."),
    ]
    for b in bad:
        with pytest.raises(T.DecryptError) as exc:
            T.decrypt(b, lookup)
        assert "900101" not in str(exc.value) and payload[:10] not in str(exc.value)
    with pytest.raises(T.DecryptError):
        T.decrypt(ct, lambda kid, ver: key(Purpose.ENCRYPT))  # wrong key material
    # a keyring that answers with another version is caught
    v2 = KeyHandle(KeyRef(ek.key_id, 2, Purpose.ENCRYPT), os.urandom(32))
    with pytest.raises(T.DecryptError):
        T.decrypt(ct, lambda kid, ver: v2)


@pytest.mark.parametrize(
    "text",
    ["", "secret-value-123", "jk1", "jk1.siv", "jk1.xyz.KR_RRN.k.1.AAAA", "jk1.siv.KR_RRN.k.x.AAAA",
     "jk2.siv.KR_RRN.k.1.AAAA", "jk1.siv.KR_RRN.k.1.AA==", "jk1.siv.KR_RRN.k.1.", "jk1.siv.KR_RRN.k.1.AAAA",
     "jk1.gcm.KR_RRN.k.1.AAAAAAAA", "jk1.siv.KR RRN.k.1.AAAA", "jk1.siv.KR_RRN.비밀.1.AAAA"],
)
def test_malformed_ciphertexts(text: str, ek: KeyHandle) -> None:
    with pytest.raises(T.DecryptError) as exc:
        T.decrypt(text, lambda kid, ver: ek)
    msg = str(exc.value)
    if len(text) > 3:
        assert text not in msg
    assert "비밀" not in msg and "secret" not in msg


# ---------------------------------------------------------------------------------------------
# surrogate

SURROGATE_INPUTS = {
    "KR_RRN": ["610622-1363549", "6106221363549", "140220-4382720"],
    "KR_FRN": ["880827-5381186", "0109307121770"],
    "KR_CRN": ["110111-8425129"],
    "KR_BRN": ["309-12-71856", "3091271856"],
    "CREDIT_CARD": ["9410 8209 8015 9178", "4590-9406-1986-5822", "3762 778246 22179", "9410820980159178"],
    "KR_PASSPORT": ["M70318452", "M512K3088"],
    "KR_DRIVER_LICENSE": ["11-19-482761-30", "서울 96-104823-41", "111948276130"],
    "KR_HEALTH_INSURANCE": ["14827319054"],
    "KR_VEHICLE_PLATE": ["서울 32바 1234", "12가3456", "157머4021"],
    "KR_POSTAL_CODE": ["06236"],
    "PHONE_NUMBER": ["010-4821-7390", "02-734-5821", "031-8012-4476", "+82 10-4821-7390"],
    "KR_BANK_ACCOUNT": ["110-482-731905", "3333-04-8217391"],
}
CONTEXT = {
    "KR_RRN": "주민등록번호: {} 입니다", "KR_FRN": "외국인등록번호 {}", "KR_CRN": "법인등록번호 {}",
    "KR_BRN": "사업자등록번호 {}", "CREDIT_CARD": "신용카드 번호 {} 결제", "KR_PASSPORT": "여권번호 {}",
    "KR_DRIVER_LICENSE": "운전면허번호 {}", "KR_HEALTH_INSURANCE": "건강보험증 번호 {}",
    "KR_VEHICLE_PLATE": "차량번호 {} 입차", "KR_POSTAL_CODE": "우편번호 {}", "PHONE_NUMBER": "연락처 {}",
    "KR_BANK_ACCOUNT": "신한은행 계좌 {}",
}
UNIQUE = ("KR_RRN", "KR_FRN", "KR_CRN")
N_KEYS = 150


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


@pytest.fixture(scope="module")
def many_surrogates() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {t: [] for t in SURROGATE_INPUTS}
    for _ in range(N_KEYS):
        k = key(Purpose.SURROGATE)
        for t, vals in SURROGATE_INPUTS.items():
            out[t].extend(T.surrogate(val, t, k) for val in vals)
    return out


def test_unique_identifier_surrogates_fail_validators(many_surrogates: dict[str, list[str]]) -> None:
    for t in ("KR_RRN", "KR_FRN", "KR_CRN"):
        for s in many_surrogates[t]:
            d = _digits(s)
            assert len(d) == 13
            assert v.rrn_kind(d) is None, (t, s)
            assert v.frn_kind(d) is None, (t, s)
            assert not v.crn_valid(d), (t, s)
            assert v.birth_date(d) is None
    for s in many_surrogates["KR_RRN"]:
        assert s[6 + ("-" in s)] in "1234" and 13 <= int(s[2:4]) <= 19
    for s in many_surrogates["KR_FRN"]:
        assert s[6 + ("-" in s)] in "5678"
    for s in many_surrogates["KR_BRN"]:
        assert len(_digits(s)) == 10 and not v.brn_valid(_digits(s))
    for s in many_surrogates["CREDIT_CARD"]:
        assert _digits(s).startswith("9999") and not v.luhn_ok(_digits(s))
    for s in many_surrogates["KR_PASSPORT"]:
        assert re.fullmatch(r"X(\d{8}|\d{3}[A-Z]\d{4})", s)
        assert not re.fullmatch(r"[MSROD](\d{8}|\d{3}[A-Z]\d{4})", s)
    for s in many_surrogates["KR_DRIVER_LICENSE"]:
        assert re.fullmatch(r"27-?\d{2}-?\d{6}-?\d{2}", s)
    for s in many_surrogates["KR_VEHICLE_PLATE"]:
        syl = [c for c in s if "가" <= c <= "힣" and c not in "서울"][-1]
        assert syl not in "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자하허호배"
    for s in many_surrogates["KR_POSTAL_CODE"]:
        assert len(s) == 5 and int(s[:2]) >= 64
    for s in many_surrogates["KR_HEALTH_INSURANCE"]:
        assert len(s) == 11 and s.startswith("000")
    for s in many_surrogates["KR_BANK_ACCOUNT"]:
        assert s.startswith("00")


def test_surrogate_check_digit_formulas_match_validators() -> None:
    import random

    rng = random.Random(7)
    for _ in range(500):
        d = "".join(rng.choice("0123456789") for _ in range(12))
        assert S._rrn_check(d) == v.rrn_check_digit(d)
        assert S._frn_check(d) == v.frn_check_digit(d)
        assert S._crn_check(d) == v.crn_check_digit(d)
        assert S._brn_check(d[:9]) == v.brn_check_digit(d[:9])
        assert S._luhn_check(d[:15]) == v.luhn_check_digit(d[:15])


def test_scan_does_not_report_surrogates_as_real(many_surrogates: dict[str, list[str]]) -> None:
    """A protected dataset holds no valid identifiers: even next to their context words, the
    surrogates are not reported as their type (nor, for 13-digit numbers, as any of RRN/FRN/
    CRN) with score >= 0.5. Phones (010-0XXX: an unassigned block the detector does not know)
    and bank accounts (no public check digit) are excluded by design."""
    checked = [t for t in SURROGATE_INPUTS if t not in ("PHONE_NUMBER", "KR_BANK_ACCOUNT")]
    for t in checked:
        forbidden = set(UNIQUE) if t in UNIQUE else {t}
        for s in many_surrogates[t]:
            text = CONTEXT[t].format(s)
            hits = [f for f in scan(text, min_score=0.5) if f.entity_type in forbidden]
            assert not hits, (t, s, hits)


def test_landline_surrogates_not_detected(many_surrogates: dict[str, list[str]]) -> None:
    for s in many_surrogates["PHONE_NUMBER"]:
        if not s.startswith(("010", "+82")):
            assert not scan(CONTEXT["PHONE_NUMBER"].format(s), min_score=0.5), s


def test_phone_surrogates_keep_prefix_and_use_zero_block(sk: KeyHandle) -> None:
    for value, prefix in (("010-4821-7390", "010-0"), ("02-734-5821", "02-0"), ("+82 10-4821-7390", "+82 10-0"),
                          ("01048217390", "0100")):
        s = T.surrogate(value, "PHONE_NUMBER", sk)
        assert s.startswith(prefix) and _shape(s) == _shape(value)


def test_other_surrogates_in_reserved_ranges(sk: KeyHandle) -> None:
    docs = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
    for i in range(50):
        for ip in (f"10.0.0.{i}", f"2001:4860::{i}"):
            addr = ipaddress.ip_address(T.surrogate(ip, "IP_ADDRESS", sk))
            assert any(addr in n for n in docs)
        mail = T.surrogate(f"user{i}@naver.com", "EMAIL_ADDRESS", sk)
        assert re.fullmatch(r"[a-z._]+\d+@example\.(com|net|org)", mail)


def test_person_surrogates(sk: KeyHandle) -> None:
    names = [T.surrogate(f"김민{chr(0xAC00 + i)}", "PERSON", sk) for i in range(3000)]
    assert all(re.fullmatch(r"[가-힣]{3,4}", n) for n in names)
    surnames = Counter(n[:2] if n[:2] in COMPOUND_SURNAMES else n[0] for n in names)
    assert surnames["김"] / len(names) == pytest.approx(2150 / S._SURNAME_CUM[-1], abs=0.03)
    assert surnames.most_common(2)[0][0] == "김" and surnames.most_common(2)[1][0] == "이"
    assert set(surnames) <= set(S.SURNAMES)
    assert len(T.surrogate("김철", "PERSON", sk)) == 2
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", T.surrogate("John Smith", "PERSON", sk))


def test_compound_surnames_are_possible() -> None:
    found = set()
    for i in range(40000):
        n = T.surrogate(f"이름{i}", "PERSON", key(Purpose.SURROGATE, FIXED))
        if n[:2] in ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문"):
            found.add(n[:2])
            break
    assert found


def test_address_and_date_surrogates(sk: KeyHandle) -> None:
    a = T.surrogate("서울특별시 종로구 세종대로 209, 3층 301호 (세종로)", "KR_ADDRESS", sk)
    assert re.fullmatch(r"서울특별시 종로구 [가-힣]{2}[로길] \d{1,3}", a)
    b = T.surrogate("경기도 성남시 분당구 판교역로 235", "KR_ADDRESS", sk)
    assert b.startswith("경기도 성남시 분당구 ")
    assert parse_region(b) == parse_region("경기도 성남시 분당구 판교역로 235")
    for value, pattern in (
        ("1987년 3월 9일", r"\d{4}년 \d{1,2}월 \d{1,2}일"),
        ("1987.03.09", r"\d{4}\.\d{2}\.\d{2}"),
        ("1987. 3. 9.", r"\d{4}\. \d{1,2}\. \d{1,2}\."),
        ("87년생", r"\d{2}년생"),
        ("1946년 8월 2일생", r"\d{4}년 \d{1,2}월 \d{1,2}일생"),
    ):
        s = T.surrogate(value, "DATE_OF_BIRTH", sk)
        assert re.fullmatch(pattern, s), (value, s)
        p = parse_date(s)
        assert p is not None and 1940 <= p.year <= 2005


def test_surrogate_consistency() -> None:
    k1, k1b, k2 = (key(Purpose.SURROGATE, m) for m in (FIXED, FIXED, OTHER))
    for t, vals in SURROGATE_INPUTS.items():
        for val in vals:
            a = T.surrogate(val, t, k1)
            assert a == T.surrogate(val, t, k1b)
            assert a != val
            assert a != T.surrogate(val, t, k2) or t == "KR_POSTAL_CODE"
    # the same person written two ways gets one surrogate
    assert T.surrogate("010-4821-7390", "PHONE_NUMBER", k1)[-9:] == T.surrogate(
        "+82 10-4821-7390", "PHONE_NUMBER", k1
    )[-9:]
    assert T.surrogate("김 민준", "PERSON", k1) == T.surrogate("김민준", "PERSON", k1)


PINNED: dict[str, str] = {
    "KR_RRN": "781607-4533783",
    "KR_FRN": "901804-6158761",
    "KR_CRN": "189814-7574483",
    "KR_BRN": "376-56-14979",
    "CREDIT_CARD": "9999 4934 3858 4276",
    "KR_PASSPORT": "X83371765",
    "KR_DRIVER_LICENSE": "27-01-016552-52",
    "KR_HEALTH_INSURANCE": "00051192483",
    "KR_VEHICLE_PLATE": "서울 47토 9417",
    "KR_POSTAL_CODE": "71682",
    "PHONE_NUMBER": "010-0756-4049",
    "KR_BANK_ACCOUNT": "000-323-969118",
    "PERSON": "문시용",
}
"""Surrogates of the first SURROGATE_INPUTS value per type (and 김민준) under key FIXED."""


def test_surrogate_pinned_output() -> None:
    """Surrogates must not drift across versions: datasets protected earlier must still join."""
    k = key(Purpose.SURROGATE, FIXED)
    got = {t: T.surrogate(vals[0], t, k) for t, vals in SURROGATE_INPUTS.items()}
    got["PERSON"] = T.surrogate("김민준", "PERSON", k)
    assert got == PINNED




def test_surrogate_refuses_unknown_type_and_purpose(sk: KeyHandle) -> None:
    with pytest.raises(T.OperatorError):
        T.surrogate("x", "NOT_A_TYPE", sk)
    with pytest.raises(PermissionError):
        T.surrogate("김민준", "PERSON", key(Purpose.TOKEN))


# ---------------------------------------------------------------------------------------------
# generalize

TODAY = dt.date(2026, 6, 1)
GENERALIZE = [
    ("1987년 3월 9일", "DATE_OF_BIRTH", "year", "1987"),
    ("1987.03.09", "DATE_OF_BIRTH", "decade", "1980s"),
    ("1987-03-09", "DATE_OF_BIRTH", "age_band", "30-39"),
    ("1996-06-02", "DATE_OF_BIRTH", "age_band", "20-29"),  # turns 30 tomorrow
    ("1996-06-01", "DATE_OF_BIRTH", "age_band", "30-39"),  # 30 today
    ("1987. 3. 9.", "DATE_OF_BIRTH", "month", "1987-03"),
    ("87년생", "DATE_OF_BIRTH", "month", "1987"),  # falls back to the year
    ("87년생", "DATE_OF_BIRTH", "age_band", "30-39"),  # 연 나이 39
    ("1946년 8월 2일생", "DATE_OF_BIRTH", "", "1946"),  # default level
    ("서울특별시 종로구 세종대로 209, 3층 301호 (세종로)", "KR_ADDRESS", "sigungu", "서울특별시 종로구"),
    ("서울특별시 종로구 세종대로 209", "KR_ADDRESS", "sido", "서울특별시"),
    ("서울 강남구 테헤란로 152", "KR_ADDRESS", "sigungu", "서울특별시 강남구"),
    ("강남구 테헤란로 152", "KR_ADDRESS", "sido", "서울특별시"),  # unique 구 name
    ("중구 세종대로 110", "KR_ADDRESS", "sigungu", "중구"),  # 중구 is in six cities
    ("경기도 성남시 분당구 판교역로 235", "KR_ADDRESS", "sigungu", "경기도 성남시 분당구"),
    ("성남 분당구 판교역로 235", "KR_ADDRESS", "sigungu", "경기도 성남시 분당구"),
    ("경상남도 창원시 의창구 대산면 가술리 323-4", "KR_ADDRESS", "sido", "경상남도"),
    ("강원도 춘천시 중앙로 1", "KR_ADDRESS", "sido", "강원특별자치도"),  # old name
    ("경상북도 군위군 군위읍 1", "KR_ADDRESS", "sigungu", "대구광역시 군위군"),  # moved 2023
    ("광주시 오포읍 1", "KR_ADDRESS", "sigungu", "경기도 광주시"),
    ("광주시 서구 상무대로 1", "KR_ADDRESS", "sigungu", "광주광역시 서구"),
    ("세종특별자치시 한누리대로 2130", "KR_ADDRESS", "sigungu", "세종특별자치시"),
    ("06236", "KR_POSTAL_CODE", "3", "062"),
    ("06236", "KR_POSTAL_CODE", "2", "06"),
    ("135-080", "KR_POSTAL_CODE", "3", "135"),
    ("610622-1363549", "KR_RRN", "birth_year_sex", "1961년생 남"),
    ("140220-4382720", "KR_RRN", "birth_year_sex", "2014년생 여"),
    ("7206262837181", "KR_RRN", "", "1972년생 여"),
    ("610622-1363549", "KR_RRN", "none", ""),
    ("880827-5381186", "KR_FRN", "birth_year_sex", "1988년생 남"),
]


@pytest.mark.parametrize(("value", "etype", "level", "expected"), GENERALIZE)
def test_generalize_table(value: str, etype: str, level: str, expected: str) -> None:
    assert T.generalize(value, etype, level, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "etype", "level"),
    [("010-4821-7390", "PHONE_NUMBER", ""), ("김민준", "PERSON", ""), ("1987-03-09", "DATE_OF_BIRTH", "week"),
     ("내일 봐요", "DATE_OF_BIRTH", "year"), ("세종대로 209", "KR_ADDRESS", "sido"),
     ("중구 세종대로 110", "KR_ADDRESS", "sido"), ("1234", "KR_POSTAL_CODE", "3"),
     ("610622-136354", "KR_RRN", "birth_year_sex"), ("2099-01-01", "DATE_OF_BIRTH", "age_band")],
)
def test_generalize_errors(value: str, etype: str, level: str) -> None:
    with pytest.raises(T.OperatorError) as exc:
        T.generalize(value, etype, level, today=TODAY)
    assert value not in str(exc.value)


def test_generalize_levels_match_policy() -> None:
    policy = pytest.importorskip("jikimi.policy.protection")
    assert policy.GENERALIZE_LEVELS == T.GENERALIZE_LEVELS


# ---------------------------------------------------------------------------------------------
# dateshift


def test_dateshift_consistent_per_subject_and_format_preserving() -> None:
    subj = key(Purpose.SUBJECT, FIXED)
    off = T.date_offset(subj)
    assert off != 0 and -365 <= off <= 365
    base = dt.date(1987, 3, 9)
    new = base + dt.timedelta(days=off)
    cases = [
        ("1987-03-09", f"{new:%Y-%m-%d}"),
        ("1987.03.09", f"{new:%Y.%m.%d}"),
        ("1987/03/09", f"{new:%Y/%m/%d}"),
        ("19870309", f"{new:%Y%m%d}"),
        ("870309", f"{new:%y%m%d}"),
        ("87.03.09", f"{new:%y.%m.%d}"),
        ("1987. 3. 9.", f"{new.year}. {new.month}. {new.day}."),
        ("1987년 3월 9일", f"{new.year}년 {new.month}월 {new.day}일"),
        ("1987년3월9일", f"{new.year}년{new.month}월{new.day}일"),
        ("1987-03-09T10:30:00", f"{new:%Y-%m-%d}T10:30:00"),
        ("1987년 3월 9일생", f"{new.year}년 {new.month}월 {new.day}일생"),
    ]
    for value, expected in cases:
        assert T.dateshift(value, subj) == expected, value
    # intervals between one subject's dates survive
    a = parse_date(T.dateshift("2024-01-01", subj))
    b = parse_date(T.dateshift("2024-03-15", subj))
    assert a is not None and b is not None
    assert (b.date() - a.date()).days == (dt.date(2024, 3, 15) - dt.date(2024, 1, 1)).days


def test_dateshift_differs_between_subjects_and_keys() -> None:
    offsets = {T.date_offset(key(Purpose.SUBJECT, bytes([i]) * 32)) for i in range(40)}
    assert len(offsets) > 30
    assert all(1 <= abs(o) <= 365 for o in offsets)
    assert all(1 <= abs(T.date_offset(key(Purpose.SUBJECT), 7)) <= 7 for _ in range(50))
    # DATESHIFT keys work too; other purposes are refused
    assert T.dateshift("2024-01-01", key(Purpose.DATESHIFT))
    with pytest.raises(PermissionError):
        T.dateshift("2024-01-01", key(Purpose.TOKEN))


@pytest.mark.parametrize("value", ["87년생", "1987년 3월", "어제", "2024-02-30", ""])
def test_dateshift_refuses_partial_or_bad_dates(value: str) -> None:
    with pytest.raises(T.OperatorError) as exc:
        T.dateshift(value, key(Purpose.SUBJECT))
    if value:
        assert value not in str(exc.value)


# ---------------------------------------------------------------------------------------------
# nothing leaks


def test_no_value_or_key_material_in_errors_or_reprs() -> None:
    material = os.urandom(32)
    secret = "910101-1234567"
    bad_date = "1987-02-30"
    texts: list[str] = []
    for p in Purpose:
        h = key(p, material)
        texts += [repr(h), str(h)]
        calls: list[Callable[[], object]] = [
            partial(T.token, secret, "KR_RRN", h),
            partial(T.fpe, secret, "KR_RRN", h),
            partial(T.fpe, "김", "PERSON", h),
            partial(T.encrypt, secret, "KR_RRN", h, deterministic=True),
            partial(T.encrypt, secret, "bad type!", h, deterministic=True),
            partial(T.surrogate, secret, "KR_RRN", h),
            partial(T.surrogate, secret, "EMAIL?", h),
            partial(T.dateshift, bad_date, h),
            partial(T.decrypt, "jk1.siv.KR_RRN.k.1." + "A" * 36, partial(_const, h)),
        ]
        for call in calls:
            try:
                texts.append(str(call()))
            except Exception as exc:  # noqa: BLE001 - every error message is checked
                texts += [str(exc), repr(exc)]
    texts.append(repr(T.Labeler()))
    blob = "\n".join(texts)
    assert secret not in blob and bad_date not in blob
    assert material.hex() not in blob and repr(material) not in blob


def _const(h: KeyHandle, kid: str, ver: int) -> KeyHandle:
    return h


def test_normalize_examples() -> None:
    assert T.normalize("+82 (0)10-4821-7390", "PHONE_NUMBER") == "01048217390"
    assert T.normalize("82-10-4821-7390", "PHONE_NUMBER") == "01048217390"
    assert T.normalize("m512k3088", "KR_PASSPORT") == "M512K3088"
    assert T.normalize("서울 32바 1234", "KR_VEHICLE_PLATE") == "서울32바1234"
    assert T.normalize("  John   SMITH ", "PERSON") == "john smith"


# --- properties --------------------------------------------------------------------------------

_EK = key(Purpose.ENCRYPT, FIXED)
_SK = key(Purpose.SURROGATE, FIXED)


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=200), deterministic=st.booleans())
def test_encrypt_roundtrip_property(value: str, deterministic: bool) -> None:
    ct = T.encrypt(value, "PERSON", _EK, deterministic=deterministic)
    assert T.decrypt(ct, partial(_const, _EK)) == value


@settings(max_examples=200, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=6, max_size=19), sep=st.sampled_from(["", "-", " "]))
def test_fpe_roundtrip_property(digits: str, sep: str) -> None:
    pytest.importorskip("jikimi.transform.ff1", reason="FF1 module (transform/ff1.py) not present")
    fk = key(Purpose.FPE, FIXED)
    value = digits[:3] + sep + digits[3:]
    out = T.fpe(value, "KR_BANK_ACCOUNT", fk)
    assert _shape(out) == _shape(value)
    assert T.fpe_reveal(out, "KR_BANK_ACCOUNT", fk) == value


@settings(max_examples=300, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_rrn_frn_crn_surrogates_invalid_for_any_input(digits: str) -> None:
    for t in UNIQUE:
        d = _digits(T.surrogate(digits[:6] + "-" + digits[6:], t, _SK))
        assert v.rrn_kind(d) is None and v.frn_kind(d) is None and not v.crn_valid(d)
    assert not v.brn_valid(_digits(T.surrogate(digits[:10], "KR_BRN", _SK)))
    assert not v.luhn_ok(_digits(T.surrogate(digits + "123", "CREDIT_CARD", _SK)))
