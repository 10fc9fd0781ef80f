"""The native e-mail, IPv6, passport, birth-date and masked-value passes against patterns.py.

``_native.find_structured`` runs every structured family; this file checks the ones outside the
digit-group pass (``_native/structured_extra.c``) on their own: the native findings of their
recognizers must equal, in order, what ``_find_emails``, ``_find_ipv6``, ``_find_passports``,
``_find_dobs`` and ``_find_masked`` return under ``find_structured``'s gating. The digit-group
pass also reports "dob" (a date glued to 생); once the core has that pass, its findings are
expected at its place in the order, taken from ``find_structured`` itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.corpus import generate
from jikimi.detect import native, patterns
from jikimi.detect.context import RECORD_SEPARATOR
from jikimi.detect.keywords import BIRTH_GATE

core = native.core()
pytestmark = pytest.mark.skipif(core is None, reason="native scan core not built")

RECS = frozenset({"email", "ipv6", "kr_passport", "dob", "masked"})


# whether the core has the digit-group pass (whose "dob" findings then count too)
_CLUSTER_DOBS = core is not None and any(f[4] == "dob" for f in core.find_structured("87.03.09생"))


def _want(text: str) -> list[tuple[Any, ...]]:
    if _CLUSTER_DOBS:
        found = patterns.find_structured(text)
    else:
        found = patterns._find_emails(text) if "@" in text else []
        if ":" in text:
            found += patterns._find_ipv6(text)
        if any("0" <= c <= "9" for c in text):
            found += patterns._find_passports(text)
            found += patterns._find_dobs(text)
            found += patterns._find_masked(text)
    return [tuple(f[:5]) for f in found if f.recognizer in RECS]


def _got(text: str) -> list[tuple[Any, ...]]:
    assert core is not None
    return [tuple(f) for f in core.find_structured(text) if f[4] in RECS]


def _check(text: str) -> None:
    assert _got(text) == _want(text), f"differs on {text!r}"


_CORPUS = [r["text"] for r in generate(3000, seed=29)]


def test_corpus_records() -> None:
    bad = [t for t in _CORPUS if _got(t) != _want(t)]
    assert not bad, f"{len(bad)} records differ, first: {bad[0]!r}"


def test_corpus_joined() -> None:
    for i in range(0, len(_CORPUS), 200):
        _check(RECORD_SEPARATOR.join(_CORPUS[i : i + 200]))


@pytest.mark.parametrize(
    "text",
    [
        # e-mail: labels given back to the TLD, a local part cut by the window, two '@'
        "x a@b.cc.1 ",
        "a@b.cc.dd",
        "ab.cd.ef@foo.com x@ab.cd.ef@foo.com",
        "a.@b.com",
        "a_@b.com",
        "a@b-.com",
        "a@-b.com",
        "a@b.c",
        "a@b.abcdefghijklmnopqrstuvwxy",
        "a@b.abcdefghijklmnopqrstuvwx",
        "a@b.com-",
        "a@b.com1",
        "a@b.comé",
        "." + "a" * 70 + "@b.com",
        "a" * 63 + "@b.com",
        "b" + "a" * 63 + "@b.com",
        "x@" + "a" * 63 + ".com",
        "x@" + "a" * 64 + ".com",
        "x@" + "a." * 130 + "com",
        "é@b.com",
        "-a@b.com",
        "a@b.com@c.kr",
        "@@a@b.co",
        # IPv6: "::" forms, 8 groups, dotted suffixes, a newline before the colon, the 40 limit
        "IP ::1",
        "::1",
        "IP ::",
        "fe80::1",
        "fe80\n::1 ",
        "\n::1",
        "\n::ffff",
        "x\n::ffff",
        "IP\n::1",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        ":1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:",
        "::ffff:1.2.3.4",
        "접속 ::ffff:192.168.0.1 확인",
        "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::ffff:1.2.3.4567",
        "::ffff:1234.5.6.7",
        "::ffff:1.2.3.",
        "a:b::c:1.2.3",
        "::1.2.3.4:5",
        "IP:2001:db8:f70b:c5d4:aefa::55c2, 담당",
        "IP:b26d:99a3:a6c4:133a:154d:d89e:28d6:7186",
        "IP::1",
        "시간:12:30:45",
        "x:1:2:3:4:5:6:7:8",
        "x::1:2:3:4:5:6:7:8",
        "12345::1",
        "abcd::ffff:0",
        "g1::1",
        "1::1g",
        "1::1.",
        "1::1:",
        "x" + "1:" * 30 + ":1",
        "1" * 45 + "::1",
        "::1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7::",
        "1:2:3:4::5:6:7:8",
        "IP 12:30:45",
        # passports: gate windows, seen starts, lookahead at the window end
        "여권 M12345678",
        "여권 M123A4567",
        "passport: S12345678 R12345678",
        "xM12345678 여권",
        "PP No m12345678",
        "여권" + " " * 40 + "M12345678",
        "여권" + " " * 31 + "M123456789",
        "여권 여권 M12345678 여권",
        "Passport" + " " * 32 + "D12345678 9",
        # dates of birth
        "생년월일 1987.03.09",
        "생일 87년 3월 9일",
        "생일 87년 3월 9일생",
        "1987년생",
        "87년생 생일",
        "생일: 870309",
        "생일 19870309",
        "생일 2000.02.29 1900.02.29",
        "생일 1987.3.09생",
        "생일 1987. 3. 9",
        "생일 1987.3/9",
        "생일 123년생",
        "생일 1.1987.03.09",
        "생일 1987.03.091",
        "DOB 1987-13-01",
        "출생 1987년 03월 09일 생일",
        "생년월일 1987 년 3 월 9 일",
        "생년월일 " + "x" * 20 + "1987.03.09",
        "1987.03.09 " + "y" * 29 + "생일",
        "태어난 날 91/2/3",
        "born 2024/02/30",
        "생일 870229",
        "생일 250101",
        "생일 260101",
        "년생일생출생 870309 87.03.09",
        "생일 ٣1987.03.09",
        "생일 ²87년 3월 9일",
        # masked values
        "900101-1******",
        "900101-5●●●●●●",
        "900101-1*******",
        "900101-1******●",
        "주문 010-****-1234",
        "010-1234-****",
        "010-123-●●●●",
        "010 ○○○ 1234",
        "010-*****-1234",
        "010-1234-*****",
        "1234-56**-****-1234",
        "1234-******-12345",
        "1234-******-123456",
        "1234-******-1234*",
        "1234 ****** 1234",
        "1234-56**-****-1234 1234-xxxxxx-1234",
        "1900101-1******",
        "٣900101-1******",
        "***" * 12 + "900101-1******",
        "010-" + "*" * 9 + "-1234",
    ],
)
def test_examples(text: str) -> None:
    _check(text)


_EMAIL_PIECES = [
    "a",
    "Z",
    "0",
    "9",
    "_",
    "%",
    "+",
    "-",
    ".",
    "@",
    "@",
    "com",
    "co",
    "kr",
    "x1",
    "é",
    " ",
    "a" * 30,
    "b" * 61,
    "example",
    ".com",
    "\n",
    "\0",
    "-a",
    "가",
]
_IPV6_PIECES = [
    ":",
    ":",
    "::",
    "0",
    "1",
    "f",
    "ff",
    "abcd",
    "ABCD",
    "12345",
    "fffff",
    "g",
    ".",
    "1.2.3.4",
    "192.168.0.1",
    "1234",
    "\n",
    " ",
    "x",
    "IP",
    "ip주소",
    "주문번호",
    "\0",
    "db8",
    "fe80",
    "0db8:",
    "7",
]
_PASSPORT_PIECES = [
    "여권",
    "passport",
    "Passport",
    "PASSPORT",
    "PP No",
    "PP no",
    "PP ",
    "M",
    "S",
    "R",
    "O",
    "D",
    "m",
    "d",
    "x",
    "A",
    "12345678",
    "123",
    "4567",
    "0",
    "1",
    " ",
    " " * 8,
    " " * 20,
    "번호",
    "주문번호",
    "\0",
    "-",
    ":",
]
_DOB_PIECES = [
    *BIRTH_GATE.pattern.split("|"),
    "생",
    "년",
    "월",
    "일",
    " ",
    " ",
    "1987",
    "2000",
    "1900",
    "87",
    "25",
    "26",
    "03",
    "3",
    "09",
    "9",
    "29",
    "02",
    "13",
    "31",
    ".",
    "-",
    "/",
    "19870309",
    "870309",
    "0229",
    "1231",
    "1332",
    "0",
    "x" * 10,
    "\0",
    "²",
    "주문번호",
    "생년월일은",
]
_MASK_PIECES = [
    "*",
    "●",
    "○",
    "x",
    "X",
    "***",
    "●●●●",
    "******",
    "-",
    "‐",
    "－",
    " ",
    "010",
    "011",
    "012",
    "900101",
    "1",
    "5",
    "12",
    "1234",
    "12345",
    "56",
    "\0",
    "٣",
    "—",
]
_ALL_PIECES = _EMAIL_PIECES + _IPV6_PIECES + _PASSPORT_PIECES + _DOB_PIECES + _MASK_PIECES


def _texts(pieces: list[str], size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=size).map("".join)


def _run(chars: str, lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=chars, min_size=lo, max_size=hi)


def _near(chars: str, lo: int, hi: int, wide_lo: int, wide_hi: int) -> st.SearchStrategy[str]:
    """Mostly a length the pattern accepts, sometimes one around it."""
    ok = _run(chars, lo, hi)
    return st.one_of(ok, ok, ok, _run(chars, wide_lo, wide_hi))


def _joined(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


def _one(*choices: str) -> st.SearchStrategy[str]:
    return st.sampled_from(choices)


# near-misses of each shape: the parts vary around the lengths and classes the patterns accept
_EMAILS = _joined(
    _texts(_EMAIL_PIECES, 3),
    _near("aZ09._%+-", 1, 8, 0, 70),
    _one("@", "@", "@", "@@", ""),
    st.lists(_near("ab0Z-", 1, 6, 0, 66), min_size=1, max_size=4).map(".".join),
    _one(".", ".", ".", "", ".."),
    _near("abcXYZ", 2, 4, 0, 26),
    _texts(_EMAIL_PIECES, 3),
)
_HEXTET = st.one_of(_near("0123456789abcdefABCDEF", 1, 4, 0, 5), _one("", "g"))
_HEXTETS = st.lists(_HEXTET, min_size=0, max_size=5).map(":".join)
_IPV6S = _joined(
    _texts(_IPV6_PIECES, 3),
    st.one_of(
        st.lists(_HEXTET, min_size=1, max_size=10).map(":".join),
        st.lists(_HEXTET, min_size=7, max_size=9).map(":".join),
        _joined(_HEXTETS, _one("::", "::", ":::", ":"), _HEXTETS),
    ),
    _one("", "", "", ".1.2.3", ".1.2.3.4", "1.2.3.4", ".256.0.0.1"),
    _texts(_IPV6_PIECES, 3),
)
_GATE_FILL = _run(" :.\n\0x", 0, 45)
_PASSPORT_ID = _joined(
    _one(*"MSRODmsrodMXA"), _near("0123456789", 8, 8, 7, 10), _one("", "", "", "A", "1")
)
_PASSPORT_ID_B = _joined(
    _one(*"MSRODmsrod"),
    _run("0123456789", 3, 3),
    _one("A", "z", "1"),
    _near("0123456789", 4, 4, 3, 5),
)
_PASSPORT_GATES = _one(*patterns._PASSPORT_GATE.pattern.split("|"))
_PASSPORT_IDS = st.one_of(_PASSPORT_ID, _PASSPORT_ID_B)
_PASSPORTS = _joined(
    _texts(_PASSPORT_PIECES, 3),
    st.one_of(
        _joined(_PASSPORT_GATES, _GATE_FILL, _PASSPORT_IDS),
        _joined(_PASSPORT_IDS, _GATE_FILL, _PASSPORT_GATES),
    ),
    _texts(_PASSPORT_PIECES, 3),
)
_DATE = _joined(
    _one("1987", "87", "2000", "1900", "19", "123", "2024", "0"),
    _one(".", "-", "/", "년", " 년", "", ". "),
    _one("", " "),
    _one("3", "03", "13", "0", "12", "123", "02"),
    _one(".", "-", "/", "월", " 월 ", "", "."),
    _one("", " "),
    _one("9", "09", "29", "30", "31", "00", "123", "1"),
    _one("생", "일", " 일", "", "0", ".", "일생"),
)
_BIRTH_GATES = _one(*BIRTH_GATE.pattern.split("|"))
_DOBS = _joined(
    _texts(_DOB_PIECES, 3),
    st.one_of(
        _joined(_BIRTH_GATES, _GATE_FILL, _DATE), _joined(_DATE, _GATE_FILL, _BIRTH_GATES), _DATE
    ),
    _texts(_DOB_PIECES, 3),
)
_MASK = "*●○xX"
_MSEP = _one("-", "‐", "－", " ", "-", " ", "—", "")
_DIGITS = "0123456789"
_MASKED = _joined(
    _texts(_MASK_PIECES, 3),
    st.one_of(
        _joined(_near(_DIGITS, 6, 6, 5, 7), _MSEP, _run(_DIGITS, 1, 1), _near(_MASK, 6, 6, 5, 7)),
        _joined(
            _one("010", "011", "016", "019", "012", "01"),
            _MSEP,
            st.one_of(
                _joined(_near(_MASK, 3, 4, 2, 5), _MSEP, _near(_DIGITS, 4, 4, 3, 5)),
                _joined(_near(_DIGITS, 3, 4, 2, 5), _MSEP, _near(_MASK, 4, 4, 3, 5)),
            ),
        ),
        _joined(
            _near(_DIGITS, 4, 4, 3, 5),
            _MSEP,
            st.one_of(
                _joined(_run(_DIGITS, 2, 2), _run(_MASK, 2, 2), _MSEP, _run(_MASK, 4, 4)),
                _near(_MASK, 6, 6, 5, 7),
            ),
            _MSEP,
            _near(_DIGITS, 4, 5, 3, 6),
        ),
    ),
    _one("", "", "", "*", "●", "1", " "),
    _texts(_MASK_PIECES, 3),
)

_SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(text=st.one_of(_texts(_EMAIL_PIECES), _EMAILS))
def test_generated_email(text: str) -> None:
    _check(text)


@_SETTINGS
@given(text=st.one_of(_texts(_IPV6_PIECES), _IPV6S))
def test_generated_ipv6(text: str) -> None:
    _check(text)


@_SETTINGS
@given(text=st.one_of(_texts(_PASSPORT_PIECES), _PASSPORTS))
def test_generated_passport(text: str) -> None:
    _check(text)


@_SETTINGS
@given(text=st.one_of(_texts(_DOB_PIECES), _DOBS))
def test_generated_dob(text: str) -> None:
    _check(text)


@_SETTINGS
@given(text=st.one_of(_texts(_MASK_PIECES), _MASKED))
def test_generated_masked(text: str) -> None:
    _check(text)


@_SETTINGS
@given(
    text=st.lists(
        st.one_of(_texts(_ALL_PIECES, 10), _EMAILS, _IPV6S, _PASSPORTS, _DOBS, _MASKED), max_size=4
    ).map("".join)
)
def test_generated_mixed(text: str) -> None:
    _check(text)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=80))
def test_arbitrary_unicode(text: str) -> None:
    _check(text)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="0123456789abcdefABCDEFgx:.@ -/*●년월일생\n\0", max_size=80))
def test_arbitrary_relevant_characters(text: str) -> None:
    _check(text)
