"""Deterministic labeled corpus of synthetic Korean text with personal data, for the scan bench.

Usage::

    python bench/corpus.py --records 20000 --seed 7 -o bench/out/corpus.jsonl

Each output line is ``{"id", "domain", "text", "spans": [{"start", "end", "entity_type"}]}`` with
code-point offsets (``end`` exclusive). A span gets ``"masked": true`` when the value is written
partly masked (``900101-1******``, ``010-****-1234``, ``김*수``); such values are still partial
personal data (reference §"General") and are labeled, but the bench can report them apart.

Gold spans follow ``docs/spans.md``: the value as written, separators included, and never the
label, colon, particle, honorific, bracket or sentence punctuation around it. Identifier values
are generated to pass the checks in ``jikimi.detect.validators`` (RRN checksum or post-2020
random era, FRN, BRN, CRN, Luhn, calendar dates), in the forms listed in
``shared/reference/korean-identifiers.md``. Every value is synthetic and every name an invented
combination of a surname and given-name syllables.

The corpus also holds hard negatives that must stay unlabeled: order, receipt and tracking
numbers (13-digit and 3-2-5), amounts, plain dates without a birth context, version strings,
timestamps, product codes shaped like passports, EAN-13 barcodes starting 880, words beginning
with a surname syllable and bare city names.

Records are independent: record ``i`` depends only on ``(seed, i)``, so a larger corpus starts
with the records of a smaller one generated with the same seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from jikimi.detect.validators import (
    brn_check_digit,
    brn_valid,
    crn_check_digit,
    crn_valid,
    frn_check_digit,
    frn_kind,
    luhn_check_digit,
    luhn_ok,
    rrn_check_digit,
    rrn_kind,
)
from jikimi.entities import ALL_ENTITIES

# ---------------------------------------------------------------------------------------------
# Rendering machinery
# ---------------------------------------------------------------------------------------------


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Value:
    """A generated value; ``trailing`` is plain text written right after it (outside the span)."""

    text: str
    masked: bool = False
    trailing: str = ""


@dataclass(slots=True)
class Ctx:
    """Per-template state: the random source and choices shared between slots (the bank)."""

    rng: random.Random
    state: dict[str, Any] = field(default_factory=dict)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq: Sequence[T]) -> T:
        return self.rng.choice(seq)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))


def _weighted(ctx: Ctx, table: Sequence[tuple[str, float]]) -> str:
    return ctx.rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


UNICODE_DASHES = ("‐", "‑", "–", "—", "－")


def _sep(ctx: Ctx, table: Sequence[tuple[str, float]]) -> str:
    s = _weighted(ctx, table)
    return ctx.pick(UNICODE_DASHES) if s == "U" else s


# Digit readings: 0 영(ㅇ) 1 일(ㄹ) 2 이 3 삼(ㅁ) 4 사 5 오 6 육(ㄱ) 7 칠(ㄹ) 8 팔(ㄹ) 9 구
_DIGIT_CODA = {
    "0": "c",
    "1": "l",
    "2": "",
    "3": "c",
    "4": "",
    "5": "",
    "6": "c",
    "7": "l",
    "8": "l",
    "9": "",
}
_LATIN_CODA = {
    "l": "l",
    "r": "l",
    "m": "c",
    "n": "c",
    "k": "c",
    "t": "c",
    "p": "c",
    "b": "c",
    "d": "c",
    "g": "c",
}


def _coda(text: str) -> str:
    """Final consonant class of the text so far: "" none, "l" ㄹ, "c" another consonant."""
    s = text.rstrip(")]}\"' ")
    if not s:
        return ""
    ch = s[-1]
    code = ord(ch) - 0xAC00
    if 0 <= code < 11172:
        jong = code % 28
        return "" if jong == 0 else ("l" if jong == 8 else "c")
    if ch.isdigit():
        return _DIGIT_CODA.get(ch, "")
    return _LATIN_CODA.get(ch.lower(), "")


# particle token -> (form after a consonant, form after a vowel); 으로 also takes 로 after ㄹ.
PARTICLES = {
    "으로": ("으로", "로"),
    "은": ("은", "는"),
    "이": ("이", "가"),
    "을": ("을", "를"),
    "과": ("과", "와"),
    "이에요": ("이에요", "예요"),
    "이라": ("이라", "라"),
    "이고": ("이고", "고"),
    "이야": ("이야", "야"),
    "이며": ("이며", "며"),
    "이랑": ("이랑", "랑"),
}


def particle(before: str, token: str) -> str:
    after_cons, after_vowel = PARTICLES[token]
    coda = _coda(before)
    if token == "으로":
        return after_cons if coda == "c" else after_vowel
    return after_cons if coda else after_vowel


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

# Hangul-level surname shares (%), reference §14; same-spelling Hanja surnames are merged.
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("김", 21.5),
    ("이", 14.7),
    ("박", 8.4),
    ("최", 4.7),
    ("정", 4.3 + 0.5),
    ("강", 2.4 + 0.2),
    ("조", 2.1 + 0.8),
    ("윤", 2.1),
    ("장", 2.0),
    ("임", 1.7 + 0.5),
    ("한", 1.6),
    ("오", 1.5),
    ("서", 1.5),
    ("신", 1.5 + 0.6),
    ("권", 1.4),
    ("황", 1.4),
    ("안", 1.4),
    ("송", 1.4),
    ("전", 1.1 + 0.5),
    ("홍", 1.1),
    ("유", 1.3),
    ("류", 0.5),
    ("고", 0.9),
    ("문", 0.9),
    ("양", 0.9),
    ("손", 0.9),
    ("배", 0.8),
    ("백", 0.8),
    ("허", 0.7),
    ("남", 0.6),
    ("심", 0.6),
    ("노", 0.6),
    ("하", 0.5),
    ("곽", 0.5),
    ("성", 0.5),
    ("차", 0.5),
    ("주", 0.5),
    ("우", 0.4),
    ("구", 0.4),
    ("민", 0.4),
    ("진", 0.3),
    ("나", 0.3),
    ("지", 0.3),
    ("엄", 0.3),
    ("채", 0.25),
    ("원", 0.25),
    ("천", 0.25),
    ("방", 0.2),
    ("공", 0.2),
    ("현", 0.2),
    ("변", 0.2),
    ("함", 0.2),
    ("염", 0.15),
    ("여", 0.15),
    ("추", 0.15),
    ("도", 0.15),
    ("소", 0.15),
    ("석", 0.15),
    ("선", 0.15),
    ("설", 0.1),
    ("마", 0.1),
    ("길", 0.1),
    ("연", 0.1),
    ("위", 0.1),
    ("표", 0.1),
    ("명", 0.1),
    ("기", 0.05),
    ("반", 0.05),
    ("라", 0.05),
    ("왕", 0.05),
    ("금", 0.05),
    ("옥", 0.05),
    ("육", 0.05),
    ("인", 0.05),
    ("맹", 0.05),
    ("제", 0.05),
    ("모", 0.05),
    ("탁", 0.05),
    ("국", 0.05),
    ("어", 0.04),
    ("은", 0.04),
    ("편", 0.04),
    ("용", 0.04),
    ("예", 0.04),
    ("경", 0.04),
    ("봉", 0.04),
    ("태", 0.04),
    ("목", 0.04),
    ("형", 0.04),
    ("피", 0.03),
    ("두", 0.03),
    ("빈", 0.03),
    ("승", 0.03),
    # Two-syllable surnames, boosted well above their census share so they appear often.
    ("남궁", 0.5),
    ("황보", 0.4),
    ("제갈", 0.3),
    ("선우", 0.3),
    ("독고", 0.2),
    ("사공", 0.2),
    ("서문", 0.15),
)
SURNAMES: frozenset[str] = frozenset(s for s, _ in _SURNAMES)

GIVEN_FIRST = tuple(
    "민서지현도하예수유은준시윤채태승재성동상영정혜희경진주원연"
    "소다나아우건한세가규보미선인종철광병명용혁기효장솔봄찬범온"
)
GIVEN_LAST = tuple(
    "준연우윤민현서진호훈빈율원희영아린은경석수철혁환찬범솔결"
    "온람나주하희혜정미숙순옥자선남식규용태성욱진완택균엽섭린"
)

ROM_SURNAMES = (
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Han",
    "Oh",
    "Seo",
    "Shin",
    "Kwon",
    "Hwang",
    "Ahn",
    "Song",
    "Hong",
    "Yoo",
    "Ko",
    "Moon",
    "Yang",
    "Son",
    "Bae",
    "Baek",
    "Heo",
    "Nam",
    "Shim",
    "Noh",
)
ROM_GIVEN = (
    "Minjun",
    "Seoyeon",
    "Jihoon",
    "Jiwoo",
    "Hyunwoo",
    "Yuna",
    "Dohyun",
    "Soyeon",
    "Eunji",
    "Jaehyun",
    "Sumin",
    "Yejin",
    "Taeyang",
    "Hana",
    "Jisoo",
    "Seungmin",
    "Hyejin",
    "Donghyun",
    "Minseo",
    "Joon",
    "Haeun",
    "Sangwoo",
    "Yerin",
    "Kyungsoo",
    "Jinwoo",
    "Boram",
    "Sol",
    "Chanwoo",
    "Dayeon",
    "Yoonho",
)
WEST_FIRST = (
    "John",
    "Emily",
    "Michael",
    "Sarah",
    "David",
    "Laura",
    "James",
    "Olivia",
    "Daniel",
    "Sophie",
    "Thomas",
    "Grace",
    "Lucas",
    "Hannah",
    "Ethan",
    "Chloe",
    "Nathan",
    "Megan",
    "Oliver",
    "Rachel",
    "Anna",
    "Dmitri",
    "Nguyen",
    "Aisha",
)
WEST_LAST = (
    "Smith",
    "Walker",
    "Bennett",
    "Carter",
    "Hughes",
    "Morgan",
    "Turner",
    "Parker",
    "Collins",
    "Reed",
    "Foster",
    "Howard",
    "Brooks",
    "Price",
    "Ward",
    "Sanders",
    "Petrov",
    "Tran",
    "Rahman",
    "Silva",
    "Meyer",
    "Dubois",
    "Rossi",
    "Tanaka",
)


def _korean_name(ctx: Ctx) -> tuple[str, str]:
    surname = _weighted(ctx, _SURNAMES)
    r = ctx.rng.random()
    if r < 0.12:
        given = ctx.pick(GIVEN_LAST)
    elif r < 0.975:
        given = ctx.pick(GIVEN_FIRST) + ctx.pick(GIVEN_LAST)
    else:
        given = ctx.pick(GIVEN_FIRST) + ctx.pick(GIVEN_FIRST) + ctx.pick(GIVEN_LAST)
    return surname, given


def gen_person(ctx: Ctx, variant: str) -> Value:
    if variant == "en":
        r = ctx.rng.random()
        if r < 0.45:
            return Value(f"{ctx.pick(WEST_FIRST)} {ctx.pick(WEST_LAST)}")
        if r < 0.8:
            return Value(f"{ctx.pick(ROM_GIVEN)} {ctx.pick(ROM_SURNAMES)}")
        return Value(f"{ctx.pick(ROM_SURNAMES)} {ctx.pick(ROM_GIVEN)}")
    if variant == "passport":
        return Value(f"{ctx.pick(ROM_SURNAMES).upper()} {ctx.pick(ROM_GIVEN).upper()}")
    surname, given = _korean_name(ctx)
    if variant == "masked" or (variant == "" and ctx.chance(0.01)):
        mark = ctx.pick(("*", "*", "○", "O"))
        if len(given) >= 2:
            return Value(surname + mark + given[1:], masked=True)
        return Value(surname + mark, masked=True)
    return Value(surname + given)


# ---------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------

_SEP_ID = (("-", 0.78), ("", 0.12), (" ", 0.05), ("U", 0.05))


def _rand_date(ctx: Ctx, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=ctx.rng.randrange((end - start).days + 1))


_RANDOM_ERA = dt.date(2020, 10, 5)
_LATEST = dt.date(2024, 12, 31)


def _rrn_digits(ctx: Ctx, new_era: bool) -> str:
    if new_era:
        born = _rand_date(ctx, _RANDOM_ERA, _LATEST)
        g = ctx.pick("34")
        return born.strftime("%y%m%d") + g + ctx.digits(6)
    born = _rand_date(ctx, dt.date(1935, 1, 1), _RANDOM_ERA - dt.timedelta(days=1))
    g = ctx.pick("12") if born.year < 2000 else ctx.pick("34")
    first12 = born.strftime("%y%m%d") + g + f"{ctx.rng.randrange(96):02d}" + ctx.digits(3)
    return first12 + str(rrn_check_digit(first12))


def gen_rrn(ctx: Ctx, variant: str) -> Value:
    if variant == "masked" or (variant == "" and ctx.chance(0.03)):
        d = _rrn_digits(ctx, False)
        tail = ctx.pick(("******", "*" * 6, "XXXXXX"))
        return Value(d[:6] + "-" + d[6] + tail, masked=True)
    new_era = variant == "new" or (variant == "" and ctx.chance(0.2))
    d = _rrn_digits(ctx, new_era)
    return Value(d[:6] + _sep(ctx, _SEP_ID) + d[6:])


def gen_frn(ctx: Ctx, variant: str) -> Value:
    born = _rand_date(ctx, dt.date(1950, 1, 1), dt.date(2019, 12, 31))
    g = ctx.pick("56") if born.year < 2000 else ctx.pick("78")
    office = f"{ctx.rng.randrange(0, 99, 2):02d}"
    first12 = born.strftime("%y%m%d") + g + office + ctx.digits(2) + ctx.pick("6789")
    # Real alien numbers are known to fail the unofficial legacy check [§2]; keep some of those.
    check = frn_check_digit(first12) if ctx.chance(0.9) else ctx.rng.randrange(10)
    d = first12 + str(check)
    return Value(d[:6] + _sep(ctx, _SEP_ID) + d[6:])


_CRN_OFFICES = (
    "1101",
    "1101",
    "1301",
    "1345",
    "1201",
    "1601",
    "1701",
    "1801",
    "1358",
    "2841",
    "1744",
    "1946",
    "2011",
    "1311",
    "1501",
    "1611",
    "1111",
    "1623",
    "1150",
    "1147",
)
_CRN_KINDS = ("11", "11", "11", "11", "12", "21", "31", "71", "41", "81")


def gen_crn(ctx: Ctx, variant: str) -> Value:
    first12 = ctx.pick(_CRN_OFFICES) + ctx.pick(_CRN_KINDS) + ctx.digits(6)
    d = first12 + str(crn_check_digit(first12))
    return Value(d[:6] + _sep(ctx, _SEP_ID) + d[6:])


def gen_brn(ctx: Ctx, variant: str) -> Value:
    office = str(ctx.rng.randrange(101, 1000))
    kind = _weighted(ctx, (("ind", 0.6), ("exempt", 0.1), ("corp", 0.22), ("other", 0.08)))
    if kind == "ind":
        code = f"{ctx.rng.randrange(1, 80):02d}"
    elif kind == "exempt":
        code = str(ctx.rng.randrange(90, 100))
    elif kind == "corp":
        code = ctx.pick(("81", "85", "86", "87", "88"))
    else:
        code = ctx.pick(("80", "82", "83", "84", "89"))
    serial = f"{ctx.rng.randrange(1, 10000):04d}"
    first9 = office + code + serial
    d = first9 + str(brn_check_digit(first9))
    sep = _sep(ctx, (("-", 0.85), ("", 0.1), ("U", 0.05)))
    return Value(f"{d[:3]}{sep}{d[3:5]}{sep}{d[5:]}")


def gen_passport(ctx: Ctx, variant: str) -> Value:
    letter = _weighted(ctx, (("M", 0.85), ("S", 0.08), ("R", 0.03), ("O", 0.02), ("D", 0.02)))
    if ctx.chance(0.5):
        return Value(letter + ctx.digits(8))
    return Value(letter + ctx.digits(3) + ctx.pick("ABCDEFGHJKLMNPRSTUVWXYZ") + ctx.digits(4))


_LICENCE_REGIONS = {
    "11": "서울",
    "12": "부산",
    "13": "경기",
    "14": "강원",
    "15": "충북",
    "16": "충남",
    "17": "전북",
    "18": "전남",
    "19": "경북",
    "20": "경남",
    "21": "제주",
    "22": "대구",
    "23": "인천",
    "24": "광주",
    "25": "대전",
    "26": "울산",
    "28": "경기북부",
}


def gen_licence(ctx: Ctx, variant: str) -> Value:
    serial = ctx.digits(6)
    tail = ctx.digits(1) + _weighted(ctx, (("0", 0.5), ("1", 0.35), ("2", 0.15)))
    if variant == "old" or (variant == "" and ctx.chance(0.2)):
        name = ctx.pick([n for c, n in _LICENCE_REGIONS.items() if c != "28"])
        year = f"{ctx.rng.randrange(75, 114) % 100:02d}"
        gap = ctx.pick((" ", " ", ""))
        return Value(f"{name}{gap}{year}-{serial}-{tail}")
    code = ctx.pick(tuple(_LICENCE_REGIONS))
    year = f"{ctx.rng.randrange(80, 125) % 100:02d}"
    s = _sep(ctx, (("-", 0.86), ("", 0.06), (" ", 0.05), ("U", 0.03)))
    return Value(f"{code}{s}{year}{s}{serial}{s}{tail}")


_CARD_PREFIXES: tuple[tuple[str, int, float], ...] = (
    ("9410", 16, 0.18),
    ("9430", 16, 0.06),
    ("9490", 16, 0.04),
    ("4", 16, 0.25),
    ("51", 16, 0.05),
    ("53", 16, 0.06),
    ("55", 16, 0.04),
    ("2221", 16, 0.02),
    ("37", 15, 0.05),
    ("34", 15, 0.03),
    ("3551", 16, 0.06),
    ("3589", 16, 0.02),
    ("62", 16, 0.07),
    ("4", 13, 0.0),
    ("36", 14, 0.02),
    ("6011", 16, 0.02),
)


def _card_digits(ctx: Ctx, amex: bool) -> str:
    if amex:
        prefix, length = ctx.pick(("34", "37")), 15
    else:
        choice = ctx.rng.choices(_CARD_PREFIXES, weights=[w for _, _, w in _CARD_PREFIXES])[0]
        prefix, length = choice[0], choice[1]
    payload = prefix + ctx.digits(length - 1 - len(prefix))
    return payload + str(luhn_check_digit(payload))


def _group_card(d: str, sep: str) -> str:
    if len(d) in (14, 15):  # Amex 4-6-5, Diners 4-6-4
        groups = [d[:4], d[4:10], d[10:]]
    else:
        groups = [d[i : i + 4] for i in range(0, len(d), 4)]
    return sep.join(groups)


def gen_card(ctx: Ctx, variant: str) -> Value:
    d = _card_digits(ctx, amex=variant == "amex")
    if variant == "masked" or (variant == "" and ctx.chance(0.02)):
        sep = ctx.pick(("-", " "))
        if len(d) == 16:
            masked = d[:6] + "******" + d[12:]
            return Value(_group_card(masked, sep), masked=True)
        masked = d[:4] + "*" * 6 + d[10:]
        return Value(_group_card(masked, sep), masked=True)
    sep = _sep(ctx, (("-", 0.5), (" ", 0.3), ("", 0.16), ("U", 0.04)))
    return Value(_group_card(d, sep))


# Bank layouts (reference §9): (Korean aliases, English alias, layout function).
def _acct_kb(ctx: Ctx) -> list[str]:
    return [
        ctx.digits(4) + ctx.pick(("01", "02", "04", "05", "24", "25", "26")),
        ctx.digits(2),
        ctx.digits(6),
    ]


def _acct_shinhan(ctx: Ctx) -> list[str]:
    return [str(ctx.rng.randrange(100, 162)), ctx.digits(3), ctx.digits(6)]


def _acct_woori(ctx: Ctx) -> list[str]:
    return [ctx.pick(("1002", "1005", "1006")), ctx.digits(3), ctx.digits(6)]


def _acct_hana(ctx: Ctx) -> list[str]:
    return [ctx.digits(3), ctx.digits(6), ctx.digits(3) + ctx.pick(("07", "08", "04", "05"))]


def _acct_nh(ctx: Ctx) -> list[str]:
    return [
        ctx.pick(("301", "302", "305", "306", "312", "317")),
        ctx.digits(4),
        ctx.digits(4),
        ctx.digits(2),
    ]


def _acct_nh_local(ctx: Ctx) -> list[str]:
    return [ctx.digits(6), ctx.pick(("51", "52", "55", "56")), ctx.digits(6)]


def _acct_ibk(ctx: Ctx) -> list[str]:
    return [
        ctx.digits(3),
        ctx.digits(6),
        ctx.pick(("01", "02", "03", "04", "06", "07", "13")),
        ctx.digits(3),
    ]


def _acct_kakao(ctx: Ctx) -> list[str]:
    lead = _weighted(ctx, (("3333", 0.8), ("3355", 0.07), ("3388", 0.07), ("7979", 0.06)))
    return [lead, ctx.digits(2), ctx.digits(7)]


def _acct_toss(ctx: Ctx) -> list[str]:
    return [ctx.pick(("100", "150")) + ctx.digits(1), ctx.digits(4), ctx.digits(4)]


def _acct_kbank(ctx: Ctx) -> list[str]:
    d = ctx.pick(("1002", "1005")) + ctx.digits(8)
    return [d[:3], d[3:6], d[6:]]


def _acct_sc(ctx: Ctx) -> list[str]:
    return [ctx.digits(3), ctx.pick(("10", "20", "30")), ctx.digits(6)]


def _acct_mg(ctx: Ctx) -> list[str]:
    return ["9" + ctx.digits(3), ctx.digits(4), ctx.digits(4), ctx.digits(1)]


BANKS: dict[str, tuple[tuple[str, ...], str, Callable[[Ctx], list[str]]]] = {
    "kb": (("국민은행", "KB국민은행", "KB국민", "국민"), "KB Kookmin Bank", _acct_kb),
    "shinhan": (("신한은행", "신한"), "Shinhan Bank", _acct_shinhan),
    "woori": (("우리은행", "우리"), "Woori Bank", _acct_woori),
    "hana": (("하나은행", "하나"), "Hana Bank", _acct_hana),
    "nh": (("농협은행", "NH농협은행", "농협", "NH농협"), "NH Bank", _acct_nh),
    "nh_local": (("지역농협", "단위농협", "농축협"), "NH local co-op", _acct_nh_local),
    "ibk": (("IBK기업은행", "기업은행", "IBK"), "IBK Industrial Bank", _acct_ibk),
    "kakao": (("카카오뱅크", "카뱅"), "KakaoBank", _acct_kakao),
    "toss": (("토스뱅크", "토스"), "Toss Bank", _acct_toss),
    "kbank": (("케이뱅크",), "K Bank", _acct_kbank),
    "sc": (("SC제일은행", "제일은행"), "SC First Bank", _acct_sc),
    "mg": (("새마을금고", "MG새마을금고"), "MG Saemaul Geumgo", _acct_mg),
}
_BANK_WEIGHTS = (
    ("kb", 0.18),
    ("shinhan", 0.15),
    ("woori", 0.12),
    ("hana", 0.1),
    ("nh", 0.1),
    ("nh_local", 0.04),
    ("ibk", 0.08),
    ("kakao", 0.1),
    ("toss", 0.05),
    ("kbank", 0.03),
    ("sc", 0.02),
    ("mg", 0.03),
)


def _bank(ctx: Ctx) -> str:
    if "bank" not in ctx.state:
        ctx.state["bank"] = _weighted(ctx, _BANK_WEIGHTS)
    bank: str = ctx.state["bank"]
    return bank


def gen_account(ctx: Ctx, variant: str) -> Value:
    groups = BANKS[_bank(ctx)][2](ctx)
    sep = _sep(ctx, (("-", 0.8), ("", 0.15), (" ", 0.03), ("U", 0.02)))
    return Value(sep.join(groups))


def gen_health(ctx: Ctx, variant: str) -> Value:
    return Value(str(ctx.rng.randrange(1, 10)) + ctx.digits(10))


_AREA_CODES = (
    "031",
    "032",
    "033",
    "041",
    "042",
    "043",
    "044",
    "051",
    "052",
    "053",
    "054",
    "055",
    "061",
    "062",
    "063",
    "064",
)
_REP_PREFIXES = (
    "1522",
    "1533",
    "1544",
    "1566",
    "1577",
    "1588",
    "1599",
    "1600",
    "1644",
    "1661",
    "1666",
    "1670",
    "1688",
    "1800",
    "1811",
    "1833",
    "1855",
    "1877",
    "1899",
)
_PHONE_SEP = (("-", 0.74), (" ", 0.08), (".", 0.07), ("", 0.07), ("U", 0.04))


def _sub(ctx: Ctx, n: int) -> str:
    """A subscriber block that never starts with 0."""
    return str(ctx.rng.randrange(1, 10)) + ctx.digits(n - 1)


def _phone_mobile(ctx: Ctx) -> str:
    s = _sep(ctx, _PHONE_SEP)
    if ctx.chance(0.04):
        pre = ctx.pick(("011", "016", "017", "018", "019"))
        return f"{pre}{s}{_sub(ctx, ctx.pick((3, 4)))}{s}{ctx.digits(4)}"
    return f"010{s}{_sub(ctx, 4)}{s}{ctx.digits(4)}"


def _phone_land(ctx: Ctx) -> str:
    s = _sep(ctx, _PHONE_SEP)
    seoul = ctx.chance(0.45)
    area = "02" if seoul else ctx.pick(_AREA_CODES)
    mid = _sub(ctx, ctx.pick((3, 4)))
    if ctx.chance(0.12):
        gap = ctx.pick((" ", "", " "))
        return f"({area}){gap}{mid}-{ctx.digits(4)}"
    return f"{area}{s}{mid}{s}{ctx.digits(4)}"


def _phone_intl(ctx: Ctx) -> str:
    mobile = ctx.chance(0.75)
    head = _weighted(
        ctx,
        (
            ("+82 ", 0.45),
            ("+82-", 0.25),
            ("+82", 0.1),
            ("0082-", 0.1),
            ("+82 (0)", 0.05),
            ("82-", 0.05),
        ),
    )
    if mobile:
        s = ctx.pick(("-", "-", " ", ""))
        return f"{head}10{s}{_sub(ctx, 4)}{s}{ctx.digits(4)}"
    area = ctx.pick(("2", "2", "31", "51", "32", "42", "64"))
    s = ctx.pick(("-", " "))
    return f"{head}{area}{s}{_sub(ctx, ctx.pick((3, 4)))}{s}{ctx.digits(4)}"


def _phone_other(ctx: Ctx) -> str:
    s = _sep(ctx, (("-", 0.9), ("", 0.05), (" ", 0.05)))
    kind = _weighted(ctx, (("070", 0.5), ("050", 0.3), ("080", 0.2)))
    if kind == "070":
        return f"070{s}{_sub(ctx, 4)}{s}{ctx.digits(4)}"
    if kind == "050":
        return _phone_safe(ctx)
    return f"080{s}{_sub(ctx, 3)}{s}{ctx.digits(4)}"


def _phone_safe(ctx: Ctx) -> str:
    s = ctx.pick(("-", "-", "-", " "))
    pre = ctx.pick(("0502", "0503", "0504", "0505", "0506", "0507", "0508"))
    mid = _sub(ctx, 4) if pre == "0507" else _sub(ctx, ctx.pick((3, 4)))
    return f"{pre}{s}{mid}{s}{ctx.digits(4)}"


def gen_phone(ctx: Ctx, variant: str) -> Value:
    if variant == "" and ctx.chance(0.015):
        variant = "masked"
    if variant == "masked":
        s = ctx.pick(("-", "-", " "))
        if ctx.chance(0.6):
            return Value(f"010{s}****{s}{ctx.digits(4)}", masked=True)
        return Value(f"010{s}{_sub(ctx, 4)}{s}****", masked=True)
    if variant == "rep":
        return Value(f"{ctx.pick(_REP_PREFIXES)}{ctx.pick(('-', '-', '-', ' '))}{ctx.digits(4)}")
    if variant == "":
        variant = _weighted(
            ctx, (("mobile", 0.58), ("land", 0.25), ("intl", 0.08), ("other", 0.09))
        )
    fn = {
        "mobile": _phone_mobile,
        "land": _phone_land,
        "intl": _phone_intl,
        "safe": _phone_safe,
        "other": _phone_other,
    }[variant]
    return Value(fn(ctx))


_EMAIL_DOMAINS = (
    ("naver.com", 0.35),
    ("gmail.com", 0.2),
    ("hanmail.net", 0.1),
    ("daum.net", 0.08),
    ("kakao.com", 0.07),
    ("nate.com", 0.05),
    ("hanbit-corp.co.kr", 0.04),
    ("mirae.example.kr", 0.03),
    ("samsong.co.kr", 0.03),
    ("univ.ac.kr", 0.03),
    ("korea.kr", 0.02),
)


def gen_email(ctx: Ctx, variant: str) -> Value:
    given = ctx.pick(ROM_GIVEN).lower()
    sur = ctx.pick(ROM_SURNAMES).lower()
    style = ctx.rng.randrange(7)
    if style == 0:
        local = f"{given}.{sur}"
    elif style == 1:
        local = f"{sur}{given}{ctx.rng.randrange(70, 100)}"
    elif style == 2:
        local = f"{sur}_{given[:2]}{ctx.digits(2)}"
    elif style == 3:
        local = f"{given}{ctx.digits(ctx.pick((2, 4)))}"
    elif style == 4:
        local = f"{sur[0]}{given}"
    elif style == 5:
        local = f"{given}-{sur}"
    else:
        local = f"{sur}.{given}+{ctx.pick(('shop', 'news', 'work'))}"
    return Value(f"{local}@{_weighted(ctx, _EMAIL_DOMAINS)}")


def gen_ip(ctx: Ctx, variant: str) -> Value:
    v6 = variant == "v6" or (variant == "" and ctx.chance(0.2))
    if not v6:
        kind = ctx.rng.randrange(4)
        if kind == 0:
            return Value(f"192.168.{ctx.rng.randrange(256)}.{ctx.rng.randrange(1, 255)}")
        if kind == 1:
            return Value(
                f"10.{ctx.rng.randrange(256)}.{ctx.rng.randrange(256)}.{ctx.rng.randrange(1, 255)}"
            )
        first = ctx.pick(("203", "211", "175", "121", "58", "112", "221", "1", "61", "218"))
        rest = ".".join(str(ctx.rng.randrange(256)) for _ in range(2))
        return Value(f"{first}.{rest}.{ctx.rng.randrange(1, 255)}")
    groups = [ctx.rng.randrange(65536) for _ in range(8)]
    if ctx.chance(0.6):
        groups[0], groups[1] = 0x2001, 0x0DB8
    if ctx.chance(0.7):
        start = ctx.rng.randrange(2, 6)
        for i in range(start, min(7, start + ctx.rng.randrange(2, 4))):
            groups[i] = 0
    # Never end in "::": a trailing colon is ambiguous next to the text that follows.
    groups[7] = groups[7] or 1
    addr = ipaddress.IPv6Address(b"".join(g.to_bytes(2, "big") for g in groups))
    return Value(addr.exploded if ctx.chance(0.1) else addr.compressed)


_PLATE_PRIVATE = tuple("가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주")
_PLATE_REGIONS = (
    "서울",
    "부산",
    "대구",
    "인천",
    "광주",
    "대전",
    "울산",
    "세종",
    "경기",
    "강원",
    "충북",
    "충남",
    "전북",
    "전남",
    "경북",
    "경남",
    "제주",
)


def gen_plate(ctx: Ctx, variant: str) -> Value:
    kind = _weighted(ctx, (("new", 0.42), ("old", 0.33), ("regional", 0.17), ("rental", 0.08)))
    num = ctx.digits(4)
    if kind == "regional":
        cls = str(ctx.rng.randrange(70, 98)) if ctx.chance(0.5) else f"{ctx.rng.randrange(10, 70)}"
        syl = ctx.pick(("아", "바", "사", "자", "배"))
        region = ctx.pick(_PLATE_REGIONS)
        if ctx.chance(0.55):
            return Value(f"{region} {cls}{syl} {num}")
        return Value(f"{region}{cls}{syl}{num}")
    if kind == "new":
        cls = str(ctx.rng.randrange(100, 700))
        syl = ctx.pick(_PLATE_PRIVATE)
    elif kind == "old":
        cls = f"{ctx.rng.randrange(1, 70):02d}"
        syl = ctx.pick(_PLATE_PRIVATE)
    else:
        cls = (
            str(ctx.rng.randrange(10, 70)) if ctx.chance(0.5) else str(ctx.rng.randrange(100, 700))
        )
        syl = ctx.pick(("하", "허", "호"))
    gap = _weighted(ctx, (("", 0.7), (" ", 0.3)))
    return Value(f"{cls}{syl}{gap}{num}")


_BIRTH_FROM = dt.date(1940, 1, 1)
_BIRTH_TO = dt.date(2008, 12, 31)


def gen_dob(ctx: Ctx, variant: str) -> Value:
    if variant == "recent":
        d = _rand_date(ctx, dt.date(2015, 1, 1), _LATEST)
    else:
        d = _rand_date(ctx, _BIRTH_FROM, _BIRTH_TO)
    y, m, day = d.year, d.month, d.day
    if variant == "iso":
        return Value(f"{y}-{m:02d}-{day:02d}")
    if variant == "saeng":
        return Value(f"{y % 100:02d}년생" if ctx.chance(0.65) else f"{y}년생")
    forms: tuple[tuple[str, float], ...] = (
        ("ko", 0.26),
        ("ko0", 0.05),
        ("ko_tight", 0.05),
        ("dot", 0.17),
        ("dot_sp", 0.06),
        ("iso", 0.14),
        ("slash", 0.05),
        ("yy_dot", 0.05),
        ("ymd8", 0.04),
        ("ymd6", 0.03),
        ("saeng", 0.06),
        ("ko_saeng", 0.02),
        ("ko_short", 0.02),
    )
    if variant == "num":
        forms = (("dot", 0.4), ("iso", 0.3), ("slash", 0.1), ("yy_dot", 0.1), ("ymd8", 0.1))
    f = _weighted(ctx, forms)
    if f == "ko":
        return Value(f"{y}년 {m}월 {day}일")
    if f == "ko0":
        return Value(f"{y}년 {m:02d}월 {day:02d}일")
    if f == "ko_tight":
        return Value(f"{y}년{m}월{day}일")
    if f == "ko_saeng":
        return Value(f"{y}년 {m}월 {day}일생")
    if f == "ko_short":
        return Value(f"{y % 100:02d}년 {m}월 {day}일")
    if f == "dot":
        return Value(f"{y}.{m:02d}.{day:02d}", trailing="." if ctx.chance(0.15) else "")
    if f == "dot_sp":
        # The standard dotted notation ends with a dot; the span stops at the last digit.
        return Value(f"{y}. {m}. {day}", trailing=".")
    if f == "iso":
        return Value(f"{y}-{m:02d}-{day:02d}")
    if f == "slash":
        return Value(f"{y}/{m:02d}/{day:02d}")
    if f == "yy_dot":
        return Value(f"{y % 100:02d}.{m:02d}.{day:02d}")
    if f == "ymd8":
        return Value(f"{y}{m:02d}{day:02d}")
    if f == "ymd6":
        return Value(f"{y % 100:02d}{m:02d}{day:02d}")
    return Value(f"{y % 100:02d}년생" if ctx.chance(0.7) else f"{y}년생")


# First two digits of 5-digit postal codes per 시/도 (reference §12).
_POSTAL_PREFIX = tuple([f"{i:02d}" for i in range(1, 10)] + [str(i) for i in range(10, 64)])


def gen_postal(ctx: Ctx, variant: str) -> Value:
    if variant == "old" or (variant == "" and ctx.chance(0.04)):
        return Value(f"{ctx.rng.randrange(100, 800)}-{ctx.digits(3)}")
    return Value(ctx.pick(_POSTAL_PREFIX) + ctx.digits(3))


# ---------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------

# 시/도: (official name, other written forms, [(시/군/구, roads, 동)], (군/시, 읍/면, 리) rural)
_District = tuple[str, tuple[str, ...], tuple[str, ...]]
_REGIONS: tuple[
    tuple[str, tuple[str, ...], tuple[_District, ...], tuple[str, str, str] | None], ...
] = (
    (
        "서울특별시",
        ("서울", "서울시"),
        (
            (
                "종로구",
                ("세종대로", "율곡로", "자하문로", "창경궁로"),
                ("세종로", "청운동", "내수동"),
            ),
            (
                "강남구",
                ("테헤란로", "도산대로", "언주로", "선릉로"),
                ("역삼동", "삼성동", "대치동"),
            ),
            ("마포구", ("월드컵로", "양화로", "독막로"), ("서교동", "망원동", "합정동")),
            ("송파구", ("올림픽로", "송파대로", "백제고분로"), ("잠실동", "가락동", "문정동")),
            ("관악구", ("관악로", "남부순환로", "봉천로"), ("봉천동", "신림동")),
            ("노원구", ("동일로", "노해로", "상계로"), ("상계동", "중계동")),
        ),
        None,
    ),
    (
        "부산광역시",
        ("부산", "부산시"),
        (
            ("해운대구", ("해운대로", "센텀중앙로", "좌동순환로"), ("우동", "중동", "좌동")),
            ("부산진구", ("중앙대로", "서면로", "가야대로"), ("부전동", "전포동")),
            ("사하구", ("낙동대로", "다대로"), ("하단동", "괴정동")),
        ),
        ("기장군", "기장읍", "대라리"),
    ),
    (
        "대구광역시",
        ("대구", "대구시"),
        (
            ("수성구", ("달구벌대로", "동대구로", "수성로"), ("범어동", "만촌동")),
            ("중구", ("국채보상로", "중앙대로"), ("동인동", "삼덕동")),
            ("달서구", ("월배로", "성서공단로"), ("상인동", "월성동")),
        ),
        ("군위군", "군위읍", "동부리"),
    ),
    (
        "인천광역시",
        ("인천", "인천시"),
        (
            ("연수구", ("컨벤시아대로", "송도과학로", "먼우금로"), ("송도동", "연수동")),
            ("남동구", ("인주대로", "예술로"), ("구월동", "논현동")),
            ("부평구", ("부평대로", "경원대로"), ("부평동", "산곡동")),
        ),
        ("강화군", "강화읍", "관청리"),
    ),
    (
        "광주광역시",
        ("광주", "광주시"),
        (
            ("서구", ("상무대로", "치평로"), ("치평동", "쌍촌동")),
            ("북구", ("용봉로", "서하로"), ("용봉동", "운암동")),
            ("남구", ("봉선로", "서문대로"), ("봉선동", "주월동")),
        ),
        None,
    ),
    (
        "대전광역시",
        ("대전", "대전시"),
        (
            ("유성구", ("대학로", "엑스포로", "유성대로"), ("궁동", "봉명동", "도룡동")),
            ("서구", ("둔산로", "계룡로"), ("둔산동", "탄방동")),
            ("중구", ("중앙로", "대종로"), ("은행동", "대흥동")),
        ),
        None,
    ),
    (
        "울산광역시",
        ("울산", "울산시"),
        (
            ("남구", ("삼산로", "번영로"), ("삼산동", "달동")),
            ("중구", ("학성로", "종가로"), ("성남동", "태화동")),
        ),
        ("울주군", "삼남읍", "교동리"),
    ),
    (
        "세종특별자치시",
        ("세종", "세종시"),
        (("", ("한누리대로", "도움6로", "갈매로", "보듬3로"), ("어진동", "나성동", "보람동")),),
        ("", "연서면", "봉암리"),
    ),
    (
        "경기도",
        ("경기",),
        (
            ("수원시 영통구", ("광교중앙로", "매영로", "봉영로"), ("이의동", "매탄동")),
            ("성남시 분당구", ("판교역로", "불정로", "황새울로"), ("정자동", "삼평동", "백현동")),
            ("고양시 일산동구", ("중앙로", "호수로"), ("장항동", "마두동")),
            ("용인시 수지구", ("포은대로", "수지로"), ("풍덕천동", "죽전동")),
            ("화성시", ("동탄대로", "병점로"), ("반송동", "병점동")),
        ),
        ("양평군", "양서면", "용담리"),
    ),
    (
        "강원특별자치도",
        ("강원", "강원도"),
        (
            ("춘천시", ("중앙로", "공지로", "스포츠타운길"), ("효자동", "석사동")),
            ("원주시", ("원일로", "시청로"), ("무실동", "단계동")),
            ("강릉시", ("경강로", "하슬라로"), ("교동", "포남동")),
        ),
        ("평창군", "대관령면", "횡계리"),
    ),
    (
        "충청북도",
        ("충북",),
        (
            ("청주시 상당구", ("상당로", "대성로"), ("북문로", "용암동")),
            ("청주시 흥덕구", ("가로수로", "2순환로"), ("복대동", "가경동")),
            ("충주시", ("충주대로", "봉현로"), ("연수동", "칠금동")),
        ),
        ("괴산군", "청천면", "사담리"),
    ),
    (
        "충청남도",
        ("충남",),
        (
            ("천안시 서북구", ("불당대로", "쌍용대로"), ("불당동", "쌍용동")),
            ("아산시", ("배방로", "온천대로"), ("온천동", "모종동")),
            ("공주시", ("웅진로", "금벽로"), ("신관동", "옥룡동")),
        ),
        ("예산군", "덕산면", "사동리"),
    ),
    (
        "전북특별자치도",
        ("전북", "전라북도"),
        (
            ("전주시 완산구", ("팔달로", "기린대로"), ("효자동", "중앙동")),
            ("익산시", ("인북로", "무왕로"), ("영등동", "모현동")),
            ("군산시", ("조촌로", "대학로"), ("나운동", "조촌동")),
        ),
        ("완주군", "봉동읍", "장기리"),
    ),
    (
        "전라남도",
        ("전남",),
        (
            ("목포시", ("영산로", "하당로"), ("상동", "옥암동")),
            ("여수시", ("좌수영로", "시청로"), ("학동", "문수동")),
            ("순천시", ("중앙로", "연향로"), ("연향동", "조례동")),
        ),
        ("해남군", "송지면", "송호리"),
    ),
    (
        "경상북도",
        ("경북",),
        (
            ("포항시 남구", ("포스코대로", "희망대로"), ("대잠동", "상도동")),
            ("경주시", ("태종로", "알천북로"), ("황성동", "동천동")),
            ("구미시", ("송정대로", "구미중앙로"), ("송정동", "원평동")),
            ("안동시", ("경동로", "퇴계로"), ("옥동", "송현동")),
        ),
        ("의성군", "안계면", "용기리"),
    ),
    (
        "경상남도",
        ("경남",),
        (
            ("창원시 의창구", ("중앙대로", "원이대로"), ("용호동", "팔용동")),
            ("김해시", ("가야로", "김해대로"), ("내동", "삼계동")),
            ("진주시", ("진주대로", "남강로"), ("평거동", "충무공동")),
        ),
        ("창원시 의창구", "대산면", "가술리"),
    ),
    (
        "제주특별자치도",
        ("제주", "제주도"),
        (
            ("제주시", ("연삼로", "중앙로", "노형로"), ("노형동", "연동", "이도이동")),
            ("서귀포시", ("중정로", "일주동로"), ("서귀동", "법환동")),
        ),
        ("제주시", "애월읍", "애월리"),
    ),
)
REGION_TOKENS: frozenset[str] = frozenset(
    [r[0] for r in _REGIONS]
    + [f for r in _REGIONS for f in r[1]]
    + [d[0].split()[0] for r in _REGIONS for d in r[2] if d[0]]
)
_BUILDINGS = (
    "한빛아파트",
    "푸른마을아파트",
    "새솔빌라",
    "미래타워",
    "햇살오피스텔",
    "은하맨션",
    "초록빌",
    "하늘채아파트",
    "도담빌딩",
    "누리캐슬",
    "솔숲아파트",
    "별빛타운",
)


def _address_detail(ctx: Ctx) -> str:
    r = ctx.rng.random()
    if r < 0.3:
        return ""
    if r < 0.45:
        return f", {ctx.rng.randrange(1, 25)}층"
    if r < 0.75:
        return f", {ctx.rng.randrange(101, 120)}동 {ctx.rng.randrange(1, 25)}{ctx.rng.randrange(1, 5):02d}호"
    if r < 0.85:
        return f" {ctx.rng.randrange(2, 12)}층 {ctx.rng.randrange(2, 12)}{ctx.rng.randrange(1, 10):02d}호"
    if r < 0.92:
        return f", {ctx.rng.randrange(1, 6)}0{ctx.rng.randrange(1, 9)}호"
    return f", 지하 {ctx.rng.randrange(1, 3)}층"


def gen_address(ctx: Ctx, variant: str) -> Value:
    official, forms, districts, rural = ctx.rng.choice(_REGIONS)
    sido = official if ctx.chance(0.6) else ctx.pick(forms)
    sigungu, roads, dongs = ctx.rng.choice(districts)
    lot = ctx.chance(0.25)
    omit_sido = ctx.chance(0.08) and bool(sigungu)
    if lot and rural is not None and ctx.chance(0.5):
        gun, myeon, ri = rural
        head = " ".join(p for p in (sido, gun, myeon, ri) if p)
        if omit_sido and gun:
            head = f"{gun} {myeon} {ri}"
        num = f"{'산' if ctx.chance(0.1) else ''}{ctx.rng.randrange(1, 900)}"
        if ctx.chance(0.5):
            num += f"-{ctx.rng.randrange(1, 30)}"
        if ctx.chance(0.3):
            num += "번지"
        return Value(f"{head} {num}")
    if lot:
        head = " ".join(p for p in (sido, sigungu, ctx.pick(dongs)) if p)
        if omit_sido:
            head = head[len(sido) + 1 :]
        num = f"{ctx.rng.randrange(1, 1500)}"
        if ctx.chance(0.6):
            num += f"-{ctx.rng.randrange(1, 60)}"
        if ctx.chance(0.35):
            num += "번지"
        detail = ""
        if ctx.chance(0.4):
            detail = (
                f" {ctx.pick(_BUILDINGS)} {ctx.rng.randrange(1, 12)}0{ctx.rng.randrange(1, 6)}호"
            )
        return Value(f"{head} {num}{detail}")
    road = ctx.pick(roads)
    r = ctx.rng.random()
    if r < 0.15 and not road.endswith("길"):
        road = f"{road}{ctx.rng.randrange(1, 80)}길"
    elif r < 0.25 and not road.endswith("길"):
        road = f"{road}{ctx.rng.randrange(10, 200)}번길"
    building = f"{'지하 ' if ctx.chance(0.04) else ''}{ctx.rng.randrange(1, 400)}"
    if ctx.chance(0.15):
        building += f"-{ctx.rng.randrange(1, 40)}"
    head = " ".join(p for p in (sido, sigungu, road) if p)
    if omit_sido:
        head = head[len(sido) + 1 :]
    text = f"{head} {building}{_address_detail(ctx)}"
    if variant != "noref":
        rr = ctx.rng.random()
        if rr < 0.22:
            text += f" ({ctx.pick(dongs)})"
        elif rr < 0.32:
            text += f" ({ctx.pick(dongs)}, {ctx.pick(_BUILDINGS)})"
    return Value(text)


GENERATORS: dict[str, Callable[[Ctx, str], Value]] = {
    "KR_RRN": gen_rrn,
    "KR_FRN": gen_frn,
    "KR_PASSPORT": gen_passport,
    "KR_DRIVER_LICENSE": gen_licence,
    "CREDIT_CARD": gen_card,
    "KR_BANK_ACCOUNT": gen_account,
    "KR_HEALTH_INSURANCE": gen_health,
    "PHONE_NUMBER": gen_phone,
    "EMAIL_ADDRESS": gen_email,
    "PERSON": gen_person,
    "KR_ADDRESS": gen_address,
    "IP_ADDRESS": gen_ip,
    "KR_VEHICLE_PLATE": gen_plate,
    "DATE_OF_BIRTH": gen_dob,
    "KR_POSTAL_CODE": gen_postal,
    "KR_BRN": gen_brn,
    "KR_CRN": gen_crn,
}
assert set(GENERATORS) == set(ALL_ENTITIES)

# ---------------------------------------------------------------------------------------------
# Fillers (never labeled) — including the hard negatives
# ---------------------------------------------------------------------------------------------


def _no_identifier(d: str) -> bool:
    """True when a 13-digit string passes no RRN/FRN/CRN checksum (a clean hard negative)."""
    return not (rrn_kind(d) == "checksum" or frn_kind(d) == "checksum" or crn_valid(d))


def fill_order13(ctx: Ctx) -> str:
    while True:
        if ctx.chance(0.5):
            d = _rand_date(ctx, dt.date(2022, 1, 1), _LATEST).strftime("%y%m%d") + ctx.digits(7)
        else:
            d = ctx.pick("12356789") + ctx.digits(12)
        if _no_identifier(d):
            return d


def fill_order325(ctx: Ctx) -> str:
    while True:
        d = str(ctx.rng.randrange(100, 1000)) + ctx.digits(7)
        if not brn_valid(d):
            return f"{d[:3]}-{d[3:5]}-{d[5:]}"


def fill_tracking(ctx: Ctx) -> str:
    while True:
        if ctx.chance(0.5):
            d = ctx.pick("3456") + ctx.digits(11)
            return d
        d = "6" + ctx.digits(12)
        if _no_identifier(d) and not luhn_ok(d):
            return d if ctx.chance(0.6) else f"{d[:4]}-{d[4:8]}-{d[8:]}"


def fill_ean(ctx: Ctx) -> str:
    while True:
        payload = "880" + ctx.digits(9)
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(payload))
        d = payload + str((10 - total % 10) % 10)
        if _no_identifier(d):
            return d


def fill_amount(ctx: Ctx) -> str:
    r = ctx.rng.random()
    if r < 0.55:
        return f"{ctx.rng.randrange(1, 5000) * 100:,}원"
    if r < 0.7:
        return f"{ctx.pick(('1,588,000', '1,577,000', '15,880,000', '1,644,000', '10,104,000'))}원"
    if r < 0.82:
        return f"{ctx.pick(_REP_PREFIXES)}{ctx.digits(4)}원"
    if r < 0.92:
        return f"₩{ctx.rng.randrange(1, 3000) * 1000:,}"
    return f"{ctx.rng.randrange(1, 99)}만 {ctx.rng.randrange(1, 9)}천원"


def fill_date_plain(ctx: Ctx) -> str:
    d = _rand_date(ctx, dt.date(2019, 1, 1), dt.date(2025, 12, 31))
    f = ctx.rng.randrange(6)
    if f == 0:
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if f == 1:
        return d.isoformat()
    if f == 2:
        return f"{d.year}년 {d.month}월 {d.day}일"
    if f == 3:
        return f"{d.month}월 {d.day}일"
    if f == 4:
        return f"{d.year % 100:02d}.{d.month:02d}.{d.day:02d}"
    return f"{d.year}/{d.month:02d}/{d.day:02d}"


def fill_timestamp(ctx: Ctx) -> str:
    d = _rand_date(ctx, dt.date(2022, 1, 1), _LATEST)
    return (
        f"{d.isoformat()} {ctx.rng.randrange(24):02d}:{ctx.rng.randrange(60):02d}:"
        f"{ctx.rng.randrange(60):02d}"
    )


def fill_version(ctx: Ctx) -> str:
    r = ctx.rng.random()
    if r < 0.4:
        return "v" + ".".join(str(ctx.rng.randrange(0, 20)) for _ in range(4))
    if r < 0.7:
        return f"{ctx.rng.randrange(1, 6)}.{ctx.rng.randrange(0, 15)}.{ctx.rng.randrange(0, 30)}"
    return ".".join(str(ctx.rng.randrange(0, 13)) for _ in range(4))


def fill_sku(ctx: Ctx) -> str:
    letter = ctx.pick("MSRODM")
    if ctx.chance(0.5):
        return letter + ctx.digits(3) + ctx.pick("ABCDEFGHJKLMNPRSTUVWXYZ") + ctx.digits(4)
    return letter + ctx.digits(8)


def fill_time(ctx: Ctx) -> str:
    if ctx.chance(0.6):
        return f"{ctx.rng.randrange(8, 22):02d}:{ctx.pick(('00', '10', '20', '30', '40', '50'))}"
    return f"{ctx.pick(('오전', '오후'))} {ctx.rng.randrange(1, 12)}시"


def _f(*options: str) -> Callable[[Ctx], str]:
    return lambda ctx: ctx.pick(options)


def _bank_ko(ctx: Ctx) -> str:
    return ctx.pick(BANKS[_bank(ctx)][0])


def _bank_en(ctx: Ctx) -> str:
    return BANKS[_bank(ctx)][1]


FILLERS: dict[str, Callable[[Ctx], str]] = {
    "order13": fill_order13,
    "order325": fill_order325,
    "tracking": fill_tracking,
    "ean": fill_ean,
    "amount": fill_amount,
    "date_plain": fill_date_plain,
    "timestamp": fill_timestamp,
    "version": fill_version,
    "sku": fill_sku,
    "time": fill_time,
    "bank": _bank_ko,
    "bank_en": _bank_en,
    "approval": lambda ctx: ctx.digits(8),
    "otp": lambda ctx: ctx.digits(6),
    "ext": lambda ctx: ctx.digits(4),
    "last4": lambda ctx: ctx.digits(4),
    "empno": lambda ctx: f"E{ctx.rng.randrange(2015, 2025)}-{ctx.digits(4)}",
    "pccc": lambda ctx: "P" + ctx.digits(12),
    "expiry": lambda ctx: f"{ctx.rng.randrange(1, 13):02d}/{ctx.rng.randrange(25, 31)}",
    "count": lambda ctx: str(ctx.rng.randrange(2, 13)),
    "day": lambda ctx: str(ctx.rng.randrange(1, 29)),
    "age": lambda ctx: str(ctx.rng.randrange(3, 95)),
    "usd": lambda ctx: f"${ctx.rng.randrange(5, 2000)}.{ctx.digits(2)}",
    "tongsin": lambda ctx: (
        f"{ctx.rng.randrange(2015, 2025)}-{ctx.pick(('서울강남', '경기성남', '부산해운대'))}-{ctx.digits(4)}"
    ),
    "sex": _f("남", "여", "M", "F"),
    "symptom": _f("두통", "복통", "발열", "기침", "어지럼증", "허리 통증", "무릎 통증"),
    "relation": _f("배우자", "자녀", "부", "모", "형제"),
    "dept": _f(
        "영업팀",
        "인사팀",
        "재무팀",
        "개발팀",
        "고객지원팀",
        "물류센터",
        "민원실",
        "총무과",
        "기획실",
    ),
    "title": _f("대리", "과장", "차장", "부장", "팀장", "주임", "사원", "실장", "이사"),
    "company": _f(
        "(주)한빛상사",
        "푸른솔유통",
        "미래테크(주)",
        "주식회사 도담",
        "하늘물산",
        "정원식품",
        "이음소프트",
        "강산건설(주)",
        "새봄커머스",
        "누리로지스",
    ),
    "courier": _f("CJ대한통운", "한진택배", "롯데택배", "우체국택배", "로젠택배"),
    "visa": _f("E-9", "F-4", "D-2", "E-7", "F-6", "H-2"),
    "product": _f(
        "무선 이어폰",
        "유기농 사과 5kg",
        "에어프라이어",
        "러닝화 270mm",
        "생수 2L x 12",
        "노트북 파우치",
    ),
    "city": _f("서울", "부산", "대구", "인천", "광주", "대전", "제주", "수원", "강릉"),
    "hon": _f("님", "님", "고객님", "회원님", " 고객님", " 님"),
}

# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------
# {TYPE} or {TYPE:variant}: labeled value; {~name}: unlabeled filler; {:} label separator
# (": ", ":", " "); <은>, <으로>…: particle chosen by the preceding sound.

CS = (
    "안녕하세요 {PERSON}{~hon}, 문의하신 건 확인 후 {PHONE_NUMBER:mobile}<으로> 연락드리겠습니다.",
    "고객명{:}{PERSON} / 연락처{:}{PHONE_NUMBER} / 이메일{:}{EMAIL_ADDRESS}",
    "회원님의 이메일 주소 {EMAIL_ADDRESS}<으로> 인증 메일을 보냈습니다.",
    "상담 요청 - 성함 {PERSON}, 휴대폰 {PHONE_NUMBER:mobile}, 주문번호 {~order13}",
    "{PERSON} 고객님, 환불 금액 {~amount}<이> {~bank} 계좌 {KR_BANK_ACCOUNT}<으로> 입금될 예정입니다.",
    "본인 확인을 위해 생년월일 {DATE_OF_BIRTH}<과> 휴대폰 번호 {PHONE_NUMBER:mobile}<을> 말씀해 주세요.",
    "고객센터 {PHONE_NUMBER:rep}<으로> 문의 주시면 빠르게 안내해 드리겠습니다.",
    "본인인증 실패: 입력하신 주민번호 {KR_RRN}<은> 명의자 정보와 일치하지 않습니다.",
    "로그인 알림 {~timestamp} 접속 IP {IP_ADDRESS} ({~city})",
    "{PERSON}님께서 등록하신 배송지 {KR_ADDRESS}<으로> 교환 상품이 발송됩니다.",
    "CS 메모: 고객 {PERSON}, 카드 {CREDIT_CARD} 결제 취소 요청, 승인번호 {~approval}",
    "비밀번호 재설정 링크를 {EMAIL_ADDRESS}<으로> 보내드렸어요.",
    "담당자{:}{PERSON} {~title} (내선 {~ext}), 회신은 {EMAIL_ADDRESS}<으로> 부탁드립니다.",
    "고객님, 등록된 차량 {KR_VEHICLE_PLATE}의 주차 정산이 완료되었습니다.",
    "우편번호 {KR_POSTAL_CODE}, 주소 {KR_ADDRESS}<으로> 청구서가 발송됩니다.",
    "{PERSON} 회원님 비밀번호가 변경되었습니다. 본인이 아니라면 {PHONE_NUMBER:rep}<으로> 연락 주세요.",
    "상담 이력: {~date_plain} 통화, 고객 연락처 {PHONE_NUMBER}, 주소 변경 요청({KR_ADDRESS:noref})",
    "인증번호가 {PHONE_NUMBER:mobile}<으로> 발송되었습니다. 인증번호는 {~otp}입니다.",
    "Mobile 인증{:}{PHONE_NUMBER:intl} / E-mail{:}{EMAIL_ADDRESS}",
    "사업자 회원 가입 신청: 상호 {~company}, 대표자 {PERSON}, 사업자등록번호 {KR_BRN}",
    "주문번호 {~order13} 건 환불 계좌{:}{~bank} {KR_BANK_ACCOUNT} (예금주 {PERSON})",
    "반품 접수 - 운송장번호 {~tracking}, 수거지 {KR_ADDRESS}",
    "렌터카 예약 확인: 운전자 {PERSON} 님, 운전면허번호 {KR_DRIVER_LICENSE}",
    "{PERSON} 님 명의 확인 완료, 생년월일 {DATE_OF_BIRTH:num} 일치합니다.",
    "법인 고객 확인 - 법인등록번호 {KR_CRN}, 담당 {PERSON} 대리",
    "통화 녹취 요약: 고객({PERSON}) 요청으로 연락처를 {PHONE_NUMBER}<으로> 변경함.",
)
CS_NEG = (
    "고객님 문의하신 내용 확인했습니다. 이번 주 안으로 처리해 드리겠습니다.",
    "불편을 드려 죄송합니다, 고객님. 정부 지침에 따라 {~date_plain}부터 정책이 변경됩니다.",
    "주문번호 {~order13}<은> 결제 금액 {~amount}<으로> {~date_plain}에 접수되었습니다.",
    "앱 버전 {~version} 이상에서 로그인 오류가 해결되었습니다. 최근 업데이트를 확인해 주세요.",
    "접수번호 {~order325} 처리 완료 ({~timestamp})",
)

MED = (
    "환자명{:}{PERSON}, 생년월일{:}{DATE_OF_BIRTH}, 주민등록번호{:}{KR_RRN}",
    "{PERSON} 환자 ({~age}세, {~sex}) {~symptom}<을> 호소하며 내원함.",
    "건강보험증 번호 {KR_HEALTH_INSURANCE} 확인, 피보험자 {PERSON}",
    "보호자 {PERSON}({~relation}) 연락처 {PHONE_NUMBER}",
    "{~date_plain} 외래 진료. 담당의 {PERSON} 원장. 다음 예약은 {~date_plain} {~time}.",
    "외국인 환자 등록: 외국인등록번호 {KR_FRN}, 연락처 {PHONE_NUMBER:mobile}",
    "진료비 {~amount} 카드({CREDIT_CARD}) 결제 완료.",
    "환자 주소{:}{KR_ADDRESS}, 우편번호 {KR_POSTAL_CODE}",
    "간호기록: {~time} V/S 측정, BP 120/80, {PERSON} 간호사 확인",
    "증번호 {KR_HEALTH_INSURANCE}<으로> 자격 조회 결과 정상입니다.",
    "처방전 발행 - 환자 {PERSON}(생년월일 {DATE_OF_BIRTH:num}), 처방의 {PERSON} 선생님",
    "입원 수속: {PERSON} 님, 주민번호 {KR_RRN}, 긴급연락처 {PHONE_NUMBER}",
    "검사 결과는 {EMAIL_ADDRESS}<으로> 전송해 드렸습니다.",
    "{PERSON} 님({DATE_OF_BIRTH:saeng}) 고혈압 약 복용 중",
    "건강보험 가입자 {PERSON}, 세대주 {PERSON}, 증번호 {KR_HEALTH_INSURANCE}",
    "진단서 발급 요청 - 성명 {PERSON}, 주민등록번호 {KR_RRN}, 주소 {KR_ADDRESS}",
    "출생 등록: 신생아 주민등록번호 {KR_RRN:new}, 보호자 {PERSON}",
    "요양기관 사업자번호 {KR_BRN}, 대표자 {PERSON} 원장",
    "진료 예약 문자: {PERSON}님, {~date_plain} {~time} 예약되었습니다. 문의 {PHONE_NUMBER:land}",
    "Patient {PERSON:en}, DOB {DATE_OF_BIRTH:iso}, phone {PHONE_NUMBER:intl}",
    "보호자 연락처{:}{PHONE_NUMBER:mobile} ({PERSON} 보호자)",
    "국내거소신고번호 {KR_FRN} 확인 후 진료비 감면 대상 아님",
    "의무기록 열람 로그 - 사용자 {PERSON}, 접속 IP {IP_ADDRESS}, {~timestamp}",
    "피보험자 {PERSON} 님의 건강보험 증번호는 {KR_HEALTH_INSURANCE}입니다.",
    "응급실 내원: 환자 {PERSON}, 생일 {DATE_OF_BIRTH}, 보호자 휴대폰 {PHONE_NUMBER:mobile}",
    "구급차 {KR_VEHICLE_PLATE} 도착, 이송 환자 {PERSON} 님",
)
MED_NEG = (
    "혈압 130/85, 체온 36.8도, 투약 후 경과 관찰",
    "{~date_plain} 처방 변경: 아모디핀 5mg → 10mg, EMR 버전 {~version} 업데이트 후 기록",
    "이번 주 진료 시간은 {~time}까지이며 정부 지침에 따라 마스크 착용 바랍니다.",
    "검체 번호 {~order13}, 채취 {~timestamp}",
)

HR = (
    "신규 입사자 {PERSON}({~dept}) 주민등록번호 {KR_RRN}, 급여계좌 {~bank} {KR_BANK_ACCOUNT}",
    "인사기록카드 - 성명{:}{PERSON}, 생년월일{:}{DATE_OF_BIRTH}, 주소{:}{KR_ADDRESS}",
    "{PERSON} 과장님 연락처는 {PHONE_NUMBER:mobile}입니다.",
    "{PERSON} {~title}<이> {~date_plain}자로 {~dept}<으로> 발령되었습니다.",
    "급여 이체 계좌 변경: {~bank} {KR_BANK_ACCOUNT}, 예금주 {PERSON}",
    "운전직 지원자 {PERSON}, 운전면허번호 {KR_DRIVER_LICENSE}, 1종 보통",
    "해외출장자 여권번호{:}{KR_PASSPORT} ({PERSON}, 영문성명 {PERSON:passport})",
    "사내 메일 {EMAIL_ADDRESS}<으로> 연말정산 서류를 제출해 주세요.",
    "외국인 근로자 {PERSON:en} 외국인등록번호 {KR_FRN}",
    "회의 참석자: {PERSON}, {PERSON}, {PERSON} (총 3명)",
    "퇴사자 {PERSON} 씨의 우편 수령지는 {KR_ADDRESS}입니다.",
    "비상연락망 - {PERSON} 팀장 {PHONE_NUMBER}, {PERSON} 대리 {PHONE_NUMBER}",
    "면접 일정 안내: {PERSON}님, {~date_plain} {~time} 본사 3층 회의실",
    "통근버스 등록 차량 {KR_VEHICLE_PLATE} ({PERSON} 차장)",
    "프리랜서 계약 - 사업자번호 {KR_BRN}, 대표 {PERSON}",
    "연말정산 부양가족: {PERSON}(배우자, 주민번호 {KR_RRN}), {PERSON}(자녀, 주민번호 {KR_RRN:new})",
    "급여명세서 발송 완료 - {PERSON} 사원, 실지급액 {~amount}",
    "재직증명서 발급 - 성명 {PERSON}, 주민등록번호 {KR_RRN}, 입사일 {~date_plain}",
    "{PERSON} 부장({EMAIL_ADDRESS}) 참조로 보고서 공유드립니다.",
    "법인 정보: 법인등록번호 {KR_CRN}, 사업자등록번호 {KR_BRN}",
    "건강검진 대상자 {PERSON}, 건강보험증 번호 {KR_HEALTH_INSURANCE}",
    "채용 지원서 - 이름 {PERSON} / 생일 {DATE_OF_BIRTH} / 휴대전화 {PHONE_NUMBER:mobile} / 이메일 {EMAIL_ADDRESS}",
    "원격근무 VPN 허용 IP{:}{IP_ADDRESS}, 담당 {PERSON} 주임",
    "사원증 재발급 신청 - {PERSON} 사원, 생년월일 {DATE_OF_BIRTH}, 자택 {PHONE_NUMBER:land}",
    "경조사 안내: {PERSON} 대리 부친상, 빈소 {KR_ADDRESS}",
    "주차 등록 차량번호 {KR_VEHICLE_PLATE}, 직원명 {PERSON}",
)
HR_NEG = (
    "이번 분기 인사평가는 {~date_plain}까지 제출 바랍니다. 정부 지원금 신청 건 포함.",
    "사번 {~empno} 연차 {~count}일 승인, 잔여 연차 확인 바랍니다.",
    "신청 마감은 {~date_plain}이며 장소는 본사 대회의실입니다.",
    "인사시스템 {~version} 배포 완료 ({~timestamp})",
)

FIN = (
    "입금 계좌{:}{~bank} {KR_BANK_ACCOUNT} (예금주{:}{PERSON})",
    "{PERSON}님 {~bank} 계좌({KR_BANK_ACCOUNT})<으로> {~amount} 이체가 완료되었습니다.",
    "카드번호 {CREDIT_CARD}, 유효기간 {~expiry}, 할부 {~count}개월",
    "신용카드 {CREDIT_CARD}<으로> {~amount} 결제 승인 (승인번호 {~approval})",
    "대출 신청인 {PERSON}, 주민등록번호 {KR_RRN}, 연소득 {~amount}",
    "계좌번호 {KR_BANK_ACCOUNT}<으로> 환불해 주세요.",
    "가상계좌 {~bank} {KR_BANK_ACCOUNT}, 입금기한 {~date_plain}",
    "체크카드 {CREDIT_CARD:masked} 사용 {~amount}",
    "세금계산서 - 공급자 사업자등록번호 {KR_BRN}, 상호 {~company}, 대표자 {PERSON}",
    "법인 계좌 개설: 법인등록번호 {KR_CRN}, 사업자번호 {KR_BRN}, 대표 {PERSON}",
    "해외송금 수취인 {PERSON:en}, 여권번호 {KR_PASSPORT}",
    "{~bank} 인터넷뱅킹 로그인 알림: {~timestamp}, IP {IP_ADDRESS}",
    "보험금 청구 - 피보험자 {PERSON}, 생년월일 {DATE_OF_BIRTH}, 지급계좌 {~bank} {KR_BANK_ACCOUNT}",
    "송금 받을 계좌: {~bank} {KR_BANK_ACCOUNT} 예금주 {PERSON}",
    "증권 계좌 개설 고객 {PERSON}, 연락처 {PHONE_NUMBER}, 주소 {KR_ADDRESS}",
    "아멕스 카드 {CREDIT_CARD:amex} 결제 취소 요청",
    "대출 상담 예약: {PERSON} 고객님, 상담원 직통 {PHONE_NUMBER:land}",
    "자동이체 등록 - 출금계좌 {~bank} {KR_BANK_ACCOUNT}, 출금일 매월 {~day}일",
    "외국인 고객 계좌 개설: 외국인등록증 번호 {KR_FRN}, 성명 {PERSON:en}",
    "카드 분실 신고 접수: {PERSON}님 카드 {CREDIT_CARD}, 재발급 주소 {KR_ADDRESS}",
    "개인사업자 대출 - 대표자 {PERSON}, 사업자등록번호 {KR_BRN}, 휴대폰 {PHONE_NUMBER:mobile}",
    "계좌 {KR_BANK_ACCOUNT}({~bank}) 예금주 확인: {PERSON}",
    "본인확인 수단: 운전면허증 {KR_DRIVER_LICENSE}, 발급 {~date_plain}",
    "법인카드 발급 - 법인등록번호 {KR_CRN}, 사용자 {PERSON} {~title}",
    "실명확인 완료 ({PERSON} 고객, 주민번호 {KR_RRN})",
)
FIN_NEG = (
    "이번 달 카드 결제 예정 금액은 {~amount}입니다. 결제일 {~date_plain}.",
    "거래번호 {~order13}, 거래일시 {~timestamp}, 금액 {~amount}",
    "환율 1,352.40원, 코스피 2,650.12 마감 (전일 대비 +0.8%)",
    "영수증 번호 {~order325}, 승인 금액 {~amount}",
    "송금 한도는 1일 {~amount}입니다. 최대 한도 변경은 영업점에서 신청하세요.",
)

CHAT = (
    "ㅇㅇ 내 번호 {PHONE_NUMBER:mobile}<이야> 문자 줘",
    "메일 {EMAIL_ADDRESS}<으로> 보내줘~",
    "{PERSON} 씨 오늘 회의 몇 시예요?",
    "계좌 {~bank} {KR_BANK_ACCOUNT}<으로> 보내줘 ㅎㅎ",
    "주소 알려줄게 {KR_ADDRESS} 여기로 와",
    "ㅋㅋ 차 번호 {KR_VEHICLE_PLATE} 맞지? 주차장에서 기다릴게",
    "{PERSON} 님이 {PERSON} 님을 초대했습니다.",
    "생일 {DATE_OF_BIRTH}<이라> 케이크 예약함",
    "오빠 나 {DATE_OF_BIRTH:saeng}<이야> ㅋㅋ",
    "카톡 말고 메일로 줘: {EMAIL_ADDRESS}",
    "집 전화 {PHONE_NUMBER:land}<으로> 걸어봐",
    "[{~time}] {PERSON} 대리: 자료 {EMAIL_ADDRESS}<으로> 보냈어요",
    "이 번호로 연락 주세요 {PHONE_NUMBER} - {PERSON} 드림",
    "나 폰 바꿨어 {PHONE_NUMBER:mobile} 저장해줘",
    "엄마 주민번호 {KR_RRN} 맞아? 서류에 써야 돼",
    "송금했어! {~bank} {KR_BANK_ACCOUNT} 예금주 {PERSON} 맞지?",
    "{PERSON}님 {~time}까지 오세요~",
    "IP {IP_ADDRESS}<으로> 접속 안 돼요 ㅠㅠ",
    "{PERSON} 선배 결혼식 주소: {KR_ADDRESS}",
    "ㅎㅇ 나 {PERSON}<이야> 번호 바뀜 {PHONE_NUMBER:mobile}",
    "면허증 번호 {KR_DRIVER_LICENSE} 이거 맞아?",
    "여권번호 {KR_PASSPORT} 항공권 예약할 때 넣어줘",
    "우편번호 {KR_POSTAL_CODE} 맞는지 확인 좀",
    "카드 {CREDIT_CARD}<으로> 결제했어 ㅋㅋ",
    "{PERSON}{~hon} 안녕하세요 택배 {KR_ADDRESS}<으로> 보내주세요",
    "외국인등록번호 {KR_FRN} 보내드려요, 서류에 써주세요",
)
CHAT_NEG = (
    "서울에서 만나요! 이번 주말 어때요?",
    "내일 강남에서 봐 ㅋㅋ 2시 어때",
    "택배 송장번호 {~tracking} 조회해봐",
    "버전 {~version}<으로> 업데이트하면 돼",
    "정말 이번엔 고객님들 반응 좋네요",
    "등반대는 영하 12도 3500m 고지에서 야영했대",
    "오늘 {~city} 날씨 완전 좋다 ㅎㅎ 한번 가볼까",
)

SHOP = (
    "주문번호 {~order13} / 수령인 {PERSON} / 연락처 {PHONE_NUMBER:mobile}",
    "배송지{:}(우) {KR_POSTAL_CODE} {KR_ADDRESS}",
    "[{KR_POSTAL_CODE}] {KR_ADDRESS}, 받는 분 {PERSON}, {PHONE_NUMBER}",
    "안심번호 {PHONE_NUMBER:safe}<으로> 배송기사님이 연락드립니다.",
    "{PERSON} 고객님의 상품이 {~date_plain} 배송 완료되었습니다. 운송장 {~tracking}",
    "결제 금액 {~amount}, 카드 {CREDIT_CARD:masked}",
    "판매자 정보: 상호 {~company} / 대표자 {PERSON} / 사업자등록번호 {KR_BRN} / 통신판매업 신고 {~tongsin}",
    "고객센터 {PHONE_NUMBER:rep} (평일 09:00~18:00)",
    "수령인 {PERSON:masked} / 연락처 {PHONE_NUMBER:masked}",
    "반품 회수지: {KR_ADDRESS}, 연락처 {PHONE_NUMBER}",
    "무통장입금 계좌 {~bank} {KR_BANK_ACCOUNT} 예금주 {~company}",
    "{PERSON}님, 주문하신 {~product}<이> 출고되었습니다. 도착 예정 {~date_plain}",
    "배송 메모: 부재 시 경비실에 맡겨주세요. 연락처 {PHONE_NUMBER:mobile}",
    "해외직구 통관: 개인통관고유부호 {~pccc}, 수취인 {PERSON}, 휴대폰 {PHONE_NUMBER}",
    "주문자 이메일 {EMAIL_ADDRESS}<으로> 영수증이 발송되었습니다.",
    "퀵 배송 - 출발 {KR_ADDRESS:noref} → 도착 {KR_ADDRESS}",
    "정기배송 결제카드 {CREDIT_CARD} 등록 완료",
    "납품 차량 {KR_VEHICLE_PLATE} 입차 {~time}, 기사 {PERSON} 님",
    "구매회원 {~company}(사업자번호 {KR_BRN}) 세금계산서 발행 메일 {EMAIL_ADDRESS}",
    "새벽배송 주소지 {KR_ADDRESS:noref}<으로> 변경 요청 ({PERSON} 님)",
    "렌터카 대여 - 운전면허증 번호 {KR_DRIVER_LICENSE}, 차량 {KR_VEHICLE_PLATE}",
    "받는 분{:}{PERSON} / 주소{:}{KR_ADDRESS} / 우편번호{:}{KR_POSTAL_CODE}",
    "배송 기사 {PERSON} 님 연락처 {PHONE_NUMBER:safe}",
    "환불 계좌 등록: {~bank} {KR_BANK_ACCOUNT} ({PERSON} 님 명의)",
    "면세점 구매 - 여권번호 {KR_PASSPORT}, 출국일 {~date_plain}",
)
SHOP_NEG = (
    "상품코드 {~sku} ({~product}) 재고 {~count}개",
    "바코드 {~ean} 상품 입고 완료",
    "주문일 {~date_plain}, 주문번호 {~order325}",
    "1+1 이벤트! 정가 {~amount} → 할인가 {~amount}",
    "총 {~count}건 중 {~count}건 배송 완료, 택배사 {~courier}",
    "{~product} 모델명 {~sku}, 정가 {~amount}",
    "운송장번호 {~tracking} ({~courier}) {~timestamp} 집하 완료",
)

GOV = (
    "신청인 성명{:}{PERSON} 주민등록번호{:}{KR_RRN} 주소{:}{KR_ADDRESS} 전화번호{:}{PHONE_NUMBER}",
    "민원 접수번호 {~order325} - 신청인 {PERSON}, 연락처 {PHONE_NUMBER:mobile}",
    "전입신고: 세대주 {PERSON}, 새 주소 {KR_ADDRESS}",
    "여권 발급 신청 - 여권번호 {KR_PASSPORT}, 발급일 {~date_plain}, 기간만료일 {~date_plain}",
    "자동차 등록번호 {KR_VEHICLE_PLATE} 소유자 {PERSON}, 과태료 {~amount}",
    "운전면허증 갱신 안내: 면허번호 {KR_DRIVER_LICENSE}, 적성검사 기간 {~date_plain}~{~date_plain}",
    "외국인등록증 재발급: 외국인등록번호 {KR_FRN}, 체류자격 {~visa}",
    "사업자등록증 - 등록번호 {KR_BRN}, 상호 {~company}, 대표자 {PERSON}, 생년월일 {DATE_OF_BIRTH}",
    "법인등기부등본 - 법인등록번호 {KR_CRN}, 본점 {KR_ADDRESS}",
    "우편번호 {KR_POSTAL_CODE} {KR_ADDRESS:noref} {PERSON} 귀하",
    "주민등록표 등본 - 성명 {PERSON}, 주민번호 {KR_RRN:new}, 출생 {DATE_OF_BIRTH:recent}",
    "국민신문고 답변: {PERSON} 님, 요청하신 사항은 {~dept}에서 처리 예정입니다.",
    "주정차 위반 차량 {KR_VEHICLE_PLATE}, 위반장소 {KR_ADDRESS:noref} 앞",
    "기초연금 신청 - 신청인 {PERSON}(생년월일 {DATE_OF_BIRTH}), 입금계좌 {~bank} {KR_BANK_ACCOUNT}",
    "건강보험 자격득실확인서 - 가입자 {PERSON}, 증번호 {KR_HEALTH_INSURANCE}",
    "민원인 이메일 {EMAIL_ADDRESS}, 휴대전화 {PHONE_NUMBER:mobile}",
    "출생신고서 - 자녀 성명 {PERSON}, 출생일 {DATE_OF_BIRTH:recent}, 부 {PERSON}, 모 {PERSON}",
    "공공와이파이 접속 기록 {~timestamp} {IP_ADDRESS}",
    "국내거소신고증 번호 {KR_FRN} 확인 완료 (재외동포 {PERSON:en})",
    "{PERSON} 주무관(☎ {PHONE_NUMBER:land}) 담당",
    "Passport No. {KR_PASSPORT} / 영문성명 {PERSON:passport} / 국적 대한민국",
    "복지 급여 계좌 변경: {~bank} {KR_BANK_ACCOUNT} (예금주 {PERSON})",
    "과태료 고지서 발송지: [{KR_POSTAL_CODE}] {KR_ADDRESS}",
    "법인 설립등기 완료, 법인번호 {KR_CRN}<은> 등기사항전부증명서에서 확인하세요.",
    "의료급여 수급자 {PERSON}, 건강보험증 번호 {KR_HEALTH_INSURANCE}, 주소 {KR_ADDRESS}",
    "외국인 주민 {PERSON:en}, 외국인등록번호 {KR_FRN}, 연락처 {PHONE_NUMBER}",
)
GOV_NEG = (
    "정부24 서비스 점검: {~date_plain} {~time}~{~time}, 버전 {~version} 적용",
    "서울에서 열리는 박람회에 많은 참여 바랍니다. 이번 행사는 무료입니다.",
    "민원 처리 기한은 접수일({~date_plain})로부터 {~count}일입니다.",
    "조사 결과 발표는 {~date_plain} 예정이며 신청 접수번호는 {~order13}입니다.",
    "{~city} 지역 한파 특보: 영하 12도 3500m 이상 고지대 입산 통제",
)

EN = (
    "Dear {PERSON:en}, your order will be delivered to {KR_ADDRESS}.",
    "Please call me at {PHONE_NUMBER:intl} or email {EMAIL_ADDRESS}.",
    "My passport number is {KR_PASSPORT} and my date of birth is {DATE_OF_BIRTH:iso}.",
    "Contact: {PERSON:en}, Mobile {PHONE_NUMBER:intl}, E-mail {EMAIL_ADDRESS}",
    "Login from IP {IP_ADDRESS} at {~timestamp} was blocked.",
    "Resident registration number: {KR_RRN}",
    "Your card {CREDIT_CARD} has been charged {~usd}.",
    "Server {IP_ADDRESS:v6} is unreachable, please check the firewall.",
    "Driver's license no. {KR_DRIVER_LICENSE}, issued to {PERSON:en}.",
    "Alien registration number {KR_FRN} (residence card) verified.",
    "Business registration no. {KR_BRN}, corporate registration number {KR_CRN}.",
    "Hi {PERSON:en}, thanks for reaching out. We'll reply to {EMAIL_ADDRESS} shortly.",
    "Vehicle {KR_VEHICLE_PLATE} was parked at the B2 level.",
    "Bank transfer to {~bank_en} account no. {KR_BANK_ACCOUNT}, holder {PERSON:en}.",
    "Health insurance card number: {KR_HEALTH_INSURANCE}",
    "Postal code {KR_POSTAL_CODE}, {KR_ADDRESS}",
    "DOB: {DATE_OF_BIRTH:iso} / Name: {PERSON:en}",
    "Customer service: {PHONE_NUMBER:rep} (nationwide)",
    "Mr. {PERSON:en} asked us to update his phone to {PHONE_NUMBER:intl}.",
    "Access log: user {EMAIL_ADDRESS} from {IP_ADDRESS}",
)
EN_NEG = (
    "Card ending {~last4} charged {~usd}.",
    "Release {~version} fixes the login bug; build finished {~timestamp}.",
    "Order {~order13} shipped on {~date_plain}.",
    "See you in Seoul next week!",
)

MIX = (
    "Name{:}{PERSON} / 연락처{:}{PHONE_NUMBER} / Email{:}{EMAIL_ADDRESS}",
    "고객 email은 {EMAIL_ADDRESS}<이고> phone은 {PHONE_NUMBER:mobile}입니다",
    "DOB {DATE_OF_BIRTH} / 주민번호 {KR_RRN}",
    "Shipping address: {KR_ADDRESS} / 수령인 {PERSON}",
    "Card No. {CREDIT_CARD} 결제 완료, amount {~amount}",
    "server log: {~timestamp} user={EMAIL_ADDRESS} ip={IP_ADDRESS} status=200",
    "Passport {KR_PASSPORT} · 여권 만료일 {~date_plain}",
    "TEL {PHONE_NUMBER:land} FAX {PHONE_NUMBER:land}",
    "사업자등록번호(BRN): {KR_BRN} / CEO {PERSON}",
    "H.P. {PHONE_NUMBER:mobile} / 자택 {PHONE_NUMBER:land}",
    "Account: {~bank} {KR_BANK_ACCOUNT} (예금주 {PERSON})",
    "plate# {KR_VEHICLE_PLATE} / 차주 {PERSON}",
    "{PERSON} 님 VIP 등급 업그레이드 완료 (member since {~date_plain})",
    "RRN {KR_RRN} (Jumin) 확인 필요",
    "ARC {KR_FRN} / Mobile {PHONE_NUMBER:mobile}",
    "IPv6 {IP_ADDRESS:v6}에서 비정상 로그인 감지",
    "우편번호(zip) {KR_POSTAL_CODE}",
    "NHI card 증번호 {KR_HEALTH_INSURANCE} / 가입자 {PERSON}",
    "CRN(법인등록번호) {KR_CRN} / 대표 {PERSON}",
    "License {KR_DRIVER_LICENSE} (운전면허) / DOB {DATE_OF_BIRTH:iso}",
)
MIX_NEG = (
    "SKU {~sku} · EAN {~ean} · 가격 {~amount}",
    "build {~version} deployed at {~timestamp} (서울 리전)",
)

DOMAINS: dict[str, tuple[tuple[str, ...], tuple[str, ...], float]] = {
    "customer_support": (CS, CS_NEG, 0.15),
    "medical": (MED, MED_NEG, 0.12),
    "hr": (HR, HR_NEG, 0.12),
    "finance": (FIN, FIN_NEG, 0.14),
    "chat": (CHAT, CHAT_NEG, 0.13),
    "ecommerce": (SHOP, SHOP_NEG, 0.14),
    "public_sector": (GOV, GOV_NEG, 0.12),
    "english": (EN, EN_NEG, 0.04),
    "mixed": (MIX, MIX_NEG, 0.04),
}

TOKEN_RE = re.compile(r"\{([A-Z_]+)(?::(\w+))?\}|\{~(\w+)\}|\{:\}|<([가-힣]+)>")
_LABEL_SEPS = ((": ", 0.5), (" ", 0.3), (":", 0.12), (" : ", 0.08))


def template_types(template: str) -> set[str]:
    return {m.group(1) for m in TOKEN_RE.finditer(template) if m.group(1)}


def render(template: str, ctx: Ctx) -> tuple[str, list[dict[str, Any]]]:
    """Fill one template; returns the text and its gold spans (offsets relative to the text)."""
    buf: list[str] = []
    length = 0
    spans: list[dict[str, Any]] = []
    pos = 0

    def emit(s: str) -> None:
        nonlocal length
        buf.append(s)
        length += len(s)

    for m in TOKEN_RE.finditer(template):
        emit(template[pos : m.start()])
        pos = m.end()
        etype, variant, filler, josa = m.group(1), m.group(2), m.group(3), m.group(4)
        if etype:
            value = GENERATORS[etype](ctx, variant or "")
            span: dict[str, Any] = {
                "start": length,
                "end": length + len(value.text),
                "entity_type": etype,
            }
            if value.masked:
                span["masked"] = True
            spans.append(span)
            emit(value.text)
            emit(value.trailing)
        elif filler:
            emit(FILLERS[filler](ctx))
        elif josa:
            emit(particle("".join(buf[-3:]), josa))
        else:
            emit(_weighted(ctx, _LABEL_SEPS))
    emit(template[pos:])
    return "".join(buf), spans


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------

_FOCUS_P = 0.45
"""Share of template picks that first choose an entity type uniformly, so rare types keep up."""
_NEG_P = 0.16
"""Share of template picks that take a hard-negative template."""


def _by_type() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {t: {} for t in ALL_ENTITIES}
    for name, (templates, _neg, _w) in DOMAINS.items():
        for t in templates:
            for etype in template_types(t):
                out[etype].setdefault(name, []).append(t)
    return out


_BY_TYPE = _by_type()
_DOMAIN_NAMES = tuple(DOMAINS)
_DOMAIN_WEIGHTS = tuple(w for _t, _n, w in DOMAINS.values())
_DOMAIN_TYPES = {d: tuple(t for t in ALL_ENTITIES if d in _BY_TYPE[t]) for d in DOMAINS}


def make_record(index: int, seed: int) -> dict[str, Any]:
    rng = random.Random(f"jikimi-bench:{seed}:{index}")
    domain = rng.choices(_DOMAIN_NAMES, weights=_DOMAIN_WEIGHTS)[0]
    templates, negatives, _w = DOMAINS[domain]
    n = rng.choices((1, 2, 3, 4), weights=(0.45, 0.35, 0.15, 0.05))[0]
    joiner = "\n" if domain == "chat" or rng.random() < 0.25 else " "
    parts: list[str] = []
    spans: list[dict[str, Any]] = []
    offset = 0
    for k in range(n):
        r = rng.random()
        if r < _NEG_P:
            template = rng.choice(negatives)
        elif r < _NEG_P + _FOCUS_P:
            etype = rng.choice(_DOMAIN_TYPES[domain])
            template = rng.choice(_BY_TYPE[etype][domain])
        else:
            template = rng.choice(templates)
        text, tspans = render(template, Ctx(rng))
        if k:
            parts.append(joiner)
            offset += len(joiner)
        for s in tspans:
            s["start"] += offset
            s["end"] += offset
        spans.extend(tspans)
        parts.append(text)
        offset += len(text)
    return {"id": f"s{seed}-{index:06d}", "domain": domain, "text": "".join(parts), "spans": spans}


def generate(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` labeled records; the same ``(n, seed)`` always gives the same records."""
    return [make_record(i, seed) for i in range(n)]


def write_jsonl(records: Sequence[dict[str, Any]], path: Path) -> int:
    """Write records as UTF-8 JSON lines; returns the number of bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def type_counts(records: Sequence[dict[str, Any]]) -> Counter[str]:
    return Counter(s["entity_type"] for r in records for s in r["spans"])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--output", type=Path, default=Path("bench/out/corpus.jsonl"))
    args = ap.parse_args(argv)
    records = generate(args.records, args.seed)
    size = write_jsonl(records, args.output)
    counts = type_counts(records)
    print(
        f"wrote {len(records)} records, {size / 1e6:.2f} MB, "
        f"{sum(counts.values())} spans -> {args.output}",
        file=sys.stderr,
    )
    n_templates = sum(len(t) + len(ng) for t, ng, _w in DOMAINS.values())
    print(f"{n_templates} templates in {len(DOMAINS)} domains", file=sys.stderr)
    for etype in ALL_ENTITIES:
        print(f"  {etype:<20} {counts[etype]:>6}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
