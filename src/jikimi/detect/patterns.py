"""Recognizers for structured identifiers: numbers, codes, e-mail, IP, plates, birth dates.

Why one tokenizer instead of a regex per type: in CPython every regex is a separate pass over
the text, and a pass over Korean text costs about as much as the rest of the scan. Nearly all
structured identifiers are runs of digit groups, so one pass (:data:`_CLUSTER`) collects each
run of digit groups joined by single separators, and plain Python then classifies each run by its
group shape (``(6, 7)`` → RRN/FRN/CRN, ``(3, 4, 4)`` → phone, …) and validates the few
candidates with checksums and calendars. Space-joined runs are split back into smaller windows
when the whole run means nothing (``1987.03.09 010-4821-7390``). The other families (e-mail,
IPv6, plates, passports, Korean-style dates) have their own patterns, gated by cheap substring
tests so they cost nothing on texts that cannot contain them. The choice of Python ``re`` over
Hyperscan/RE2 is measured in ``bench/engine_choice.py`` (see docs/benchmarks.md).

Scores follow one scale: a checksum-valid, well-grouped number scores ≥ 0.85 alone; shapes
without a public check digit need a context word (they score < 0.5 without one, and the engine
drops them); labels of reference numbers (주문번호, 송장번호, …) pull ambiguous shapes down.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from jikimi.detect import validators as v
from jikimi.detect.context import DEFAULT_WINDOW, window
from jikimi.detect.finding import Finding
from jikimi.detect.keywords import BIRTH_GATE, NEGATIVE_KEY, context_types
from jikimi.detect.registry import Recognizer

_DASHES = "-‐‑–—－"
_SCAN = re.compile(r"(?P<plate>[0-9]{2,3} ?[가-힣] ?[0-9]{4})|[0-9][-‐‑–—－./ 0-9]*[0-9]")
"""The one pass over the text: vehicle plates, or a run of digits and single separators."""
_DOUBLE_SEP = re.compile(r"[^0-9]{2}")
_SUB_CLUSTER = re.compile(r"[0-9]+(?:[-‐‑–—－./ ][0-9]+)*")
_SPLIT_KEEP = re.compile(r"([^0-9])")
_HAS_DIGIT = re.compile(r"[0-9]")
_LATIN_BEFORE = re.compile(r"[A-Za-z_#]")
_VERSION_BEFORE = re.compile(
    r"(?:버전|version|Version|VERSION|ver\.?|Ver\.?|릴리스|release|build|[vV])\s*[:=]?\s*$"
)
_PAREN_AREA_BEFORE = re.compile(r"\((0[0-9]{1,3})\) ?$")

# ---------------------------------------------------------------------------------------------
# phone numbers [§8]
_AREA = frozenset(
    ["031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055", "061", "062", "063", "064"]
)
_LEGACY_MOBILE = frozenset({"011", "016", "017", "018", "019"})


def _phone_kind(groups: list[str]) -> str | None:
    """Classify digit groups (trunk 0 restored) as a Korean phone family, or None.

    Group sizes are enforced: ``010-482-17390`` is not a phone even though libphonenumber would
    normalise it, because real numbers are never written that way.
    """
    shape = tuple(len(g) for g in groups)
    first = groups[0]
    if len(groups) == 1:
        d = first
        if len(d) == 11 and d.startswith("010"):
            return "mobile_plain"
        if len(d) in (10, 11) and d[:3] in _LEGACY_MOBILE:
            return "legacy_plain"
        if len(d) in (10, 11) and d[:3] in _AREA and d[3] != "0":
            return "landline_plain"
        if len(d) in (9, 10) and d.startswith("02") and d[2] != "0":
            return "landline_plain"
        if len(d) == 11 and d.startswith("070"):
            return "voip_plain"
        return None
    if len(groups) == 2:
        if shape == (4, 4) and first[:2] in ("15", "16", "18"):
            return "representative"
        return None
    if len(groups) != 3:
        return None
    mid, last = groups[1], groups[2]
    if len(last) != 4:
        return None
    if first == "010":
        return "mobile" if len(mid) == 4 else None
    if first in _LEGACY_MOBILE:
        return "mobile" if len(mid) in (3, 4) else None
    if first == "02" or first in _AREA:
        return "landline" if len(mid) in (3, 4) and mid[0] != "0" else None
    if first == "070":
        return "voip" if len(mid) == 4 else None
    if len(first) == 4 and first.startswith("050"):
        return "personal" if len(mid) in (3, 4) else None
    if first in ("080", "060"):
        return "business" if len(mid) in (3, 4) else None
    return None


_PHONE_SCORE = {
    # kind: (without context, with context)
    "mobile": (0.85, 0.97),
    "mobile_plain": (0.7, 0.92),
    # 011/016-019 unbroken: rare now, and such a run is as often some other number
    "legacy_plain": (0.4, 0.92),
    "landline": (0.8, 0.95),
    "landline_plain": (0.4, 0.85),
    "voip": (0.8, 0.95),
    "voip_plain": (0.45, 0.85),
    "personal": (0.8, 0.95),
    "business": (0.6, 0.9),
    "representative": (0.3, 0.8),
}

# ---------------------------------------------------------------------------------------------
# bank accounts [§9]: (group shape, allowed first-group prefixes or None)
_BANK_LAYOUTS: tuple[tuple[tuple[int, ...], tuple[str, ...] | None], ...] = (
    ((6, 2, 6), None),  # KB국민, 지역농축협
    ((3, 2, 4, 3), None),  # old KB
    ((3, 3, 6), None),  # 신한, 케이뱅크
    ((3, 2, 6), None),  # old 신한/조흥, SC제일
    ((4, 3, 6), ("1002", "1005", "1006")),  # 우리
    ((3, 6, 5), None),  # 하나
    ((3, 4, 4, 2), None),  # NH농협은행
    ((3, 6, 2, 3), None),  # IBK기업
    ((4, 2, 7), ("3333", "3355", "3388", "7777", "7979")),  # 카카오뱅크
    ((4, 4, 4), ("100", "150")),  # 토스뱅크 (prefix of the first group)
    ((4, 4, 4, 1), ("9",)),  # 새마을금고
    ((3, 6, 3), None),  # 부산/대구 and others
    ((4, 2, 6), None),
    ((3, 2, 5), None),  # 3-2-5 accounts exist, but BRNs share the shape: context decides
)


_INTL_BEFORE = re.compile(r"(?:\+|00)82[ -]?(?:\(0\)[ -]?)?$")


def _international(text: str, start: int, groups: list[str]) -> tuple[int, str] | None:
    """Korean numbers in international form; returns (span start, phone kind) or None."""
    plus = start > 0 and text[start - 1] == "+"
    first = groups[0]
    rest: list[str] | None = None
    if first == "0082" or (first == "82" and (plus or _Ctx(text, start, start + 1).has("PHONE_NUMBER"))):
        rest = ["0" + groups[1], *groups[2:]] if len(groups) > 1 else None
    elif plus and first.startswith("82") and len(first) > 2:
        rest = ["0" + first[2:], *groups[1:]]
    elif first.startswith("0082") and len(first) > 4:
        rest = ["0" + first[4:], *groups[1:]]
    if rest is not None:
        kind = _phone_kind(rest)
        if kind is not None and kind != "representative":
            return (start - 1 if plus else start), kind
        return None
    m = _INTL_BEFORE.search(text, max(0, start - 10), start)
    if m is not None and first[0] != "0":
        kind = _phone_kind(["0" + first, *groups[1:]])
        if kind is not None and kind != "representative":
            return m.start(), kind
    return None


def _bank_layout_match(groups: list[str]) -> bool:
    shape = tuple(len(g) for g in groups)
    for layout, prefixes in _BANK_LAYOUTS:
        if shape == layout and (prefixes is None or groups[0].startswith(prefixes)):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# driver's licences [§6]
_LICENSE_REGION_CODES = frozenset(f"{c}" for c in list(range(11, 27)) + [28])
_LICENSE_REGION_NAMES = {
    "서울": "11", "부산": "12", "경기": "13", "강원": "14", "충북": "15", "충남": "16",
    "전북": "17", "전남": "18", "경북": "19", "경남": "20", "제주": "21", "대구": "22",
    "인천": "23", "광주": "24", "대전": "25", "울산": "26", "경기북부": "28",
}
_LICENSE_NAME_BEFORE = re.compile(
    "(" + "|".join(sorted(_LICENSE_REGION_NAMES, key=len, reverse=True)) + r") ?$"
)

# ---------------------------------------------------------------------------------------------
# postal codes [§12]
_POSTAL_SIDO_AFTER = re.compile(
    r"[ ,)\]]{0,3}(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충청|충북|충남|전라|전북|전남|경상|경북|경남|제주"
    r"|[가-힣]{1,5}[시군구](?= ))"
)


def _postal_prefix_ok(d: str) -> bool:
    return 1 <= int(d[:2]) <= 63


_OLD_POSTAL_AREAS = "1234567"
"""First digits of the 6-digit codes used 1988-2015 (100-xxx 서울 ... 799-xxx 경북): 0, 8 and 9
were never allocated, so 012-345 or 912-345 is some other number."""


def _old_postal(text: str, end: int, first: str, ctx: _Ctx) -> bool:
    """Whether an ``NNN-NNN`` run is a pre-2015 postal code.

    Postal context (우편번호, (우), 주소) is enough, as before. Without it, the code must directly
    precede an address (``[497-480] 대구광역시 달서구``, ``(우)`` often dropped in old data), start
    with an allocated area digit, and not sit under a reference-number label (사건번호 123-456 서울
    중앙지법): a bare digit pair elsewhere is not reported.
    """
    if ctx.has("KR_POSTAL_CODE"):
        return True
    if first[0] not in _OLD_POSTAL_AREAS:
        return False
    return _POSTAL_SIDO_AFTER.match(text, end, min(len(text), end + 12)) is not None and not ctx.negative


class _Ctx:
    """The context around one candidate span: computed once, on first use, by one search."""

    __slots__ = ("_types", "end", "start", "text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self._types: frozenset[str] | None = None

    def _get(self) -> frozenset[str]:
        if self._types is None:
            lo, hi = window(self.text, self.start, self.end, DEFAULT_WINDOW, DEFAULT_WINDOW // 3)
            self._types = context_types(self.text, lo, self.start, self.end, hi)
        return self._types

    def has(self, entity: str) -> bool:
        return entity in self._get()

    @property
    def negative(self) -> bool:
        return NEGATIVE_KEY in self._get()


def _f(entity: str, start: int, end: int, score: float, rec: str) -> Finding:
    return Finding(entity, start, end, min(score, 1.0), rec)


def _score(ctx: _Ctx, entity: str, base: float, with_ctx: float, *, ambiguous: bool = True) -> float:
    """Context raises a shape's score; a reference-number label lowers an ambiguous one."""
    if ctx.has(entity):
        return with_ctx
    if ambiguous and ctx.negative:
        return base * 0.3
    return base


def _classify(text: str, start: int, end: int, groups: list[str], seps: str) -> tuple[list[Finding], bool]:
    """Interpret one window of digit groups. Returns (findings, consumed).

    ``consumed`` says the window is a known non-identifier shape (a date, a timestamp part, a
    version string) so its parts must not be re-tried as smaller identifiers.
    """
    out: list[Finding] = []
    shape = tuple(map(len, groups))
    digits = "".join(groups)
    n = len(digits)
    ctx = _Ctx(text, start, end)

    if "." in seps or "/" in seps:
        return _classify_dotted(text, start, end, groups, seps, ctx)

    first = groups[0]
    # international forms: "+82 10-…", "+82-2-…", "+8242 …", "0082-10…", "+82 (0)10-…"
    if first[0] == "8" or first.startswith("0082") or (start and text[start - 1] in "+) "):
        intl = _international(text, start, groups)
        if intl is not None:
            p_start, intl_kind = intl
            out.append(_f("PHONE_NUMBER", p_start, end, max(_PHONE_SCORE[intl_kind][0], 0.85), "kr_phone"))
            return out, True

    if first[0] == "0" or shape == (4, 4):
        kind = _phone_kind(groups)
        if kind is not None:
            lo, hi = _PHONE_SCORE[kind]
            amb = kind.endswith("plain") or kind == "representative"
            out.append(_f("PHONE_NUMBER", start, end, _score(ctx, "PHONE_NUMBER", lo, hi, ambiguous=amb), "kr_phone"))
    if len(groups) == 2 and (shape == (3, 4) or shape == (4, 4)) and start and text[start - 1] in " )":
        # "(02) 734-5821": the area code is in parentheses just before the run
        m = _PAREN_AREA_BEFORE.search(text, max(0, start - 8), start)
        if m and _phone_kind([m.group(1), *groups]) in ("landline", "mobile", "voip", "personal"):
            out.append(_f("PHONE_NUMBER", m.start(), end, _score(ctx, "PHONE_NUMBER", 0.8, 0.95, ambiguous=False), "kr_phone"))

    if n == 13:
        if shape == (6, 7) or shape == (13,):
            _classify_13(text, start, end, digits, shape == (6, 7), ctx, out)
    elif n == 10:
        if (shape == (3, 2, 5) or shape == (10,)) and v.brn_valid(digits):
            base, hi = (0.7, 0.95) if len(groups) == 3 else (0.3, 0.9)
            out.append(_f("KR_BRN", start, end, _score(ctx, "KR_BRN", base, hi), "kr_brn"))
        elif shape == (2, 6, 2):
            m = _LICENSE_NAME_BEFORE.search(text, max(0, start - 6), start)
            if m:
                out.append(_f("KR_DRIVER_LICENSE", m.start(), end, _score(ctx, "KR_DRIVER_LICENSE", 0.85, 0.97), "kr_license"))
    elif n == 12:
        if (shape == (2, 2, 6, 2) or shape == (12,)) and first[:2] in _LICENSE_REGION_CODES:
            base, hi = (0.7, 0.95) if len(groups) == 4 else (0.25, 0.88)
            out.append(_f("KR_DRIVER_LICENSE", start, end, _score(ctx, "KR_DRIVER_LICENSE", base, hi), "kr_license"))
    elif n == 11:
        if shape == (11,) and first[0] != "0" and ctx.has("KR_HEALTH_INSURANCE"):
            out.append(_f("KR_HEALTH_INSURANCE", start, end, 0.88, "kr_nhi"))
    elif n == 5:
        if shape == (5,) and _postal_prefix_ok(digits):
            after = _POSTAL_SIDO_AFTER.match(text, end, min(len(text), end + 12)) is not None
            if after or ctx.has("KR_POSTAL_CODE"):
                out.append(_f("KR_POSTAL_CODE", start, end, 0.88, "kr_postal"))
    elif n == 6 and shape == (3, 3) and seps in _DASHES and _old_postal(text, end, first, ctx):
        out.append(_f("KR_POSTAL_CODE", start, end, 0.8, "kr_postal"))
    if n >= 14 and shape in _CARD_SHAPES and v.luhn_ok(digits):
        grouped = len(groups) > 1
        if v.card_brand(digits) is not None:
            base, hi = (0.85, 1.0) if grouped else (0.55, 0.95)
        else:
            base, hi = (0.3, 0.75) if grouped else (0.15, 0.6)
        out.append(_f("CREDIT_CARD", start, end, _score(ctx, "CREDIT_CARD", base, hi), "card"))
    if 10 <= n <= 14 and (len(groups) == 1 or _bank_layout_match(groups)) and ctx.has("KR_BANK_ACCOUNT"):
        # a bank's layout, or an unbroken run; other groupings (a timestamp "2024-03-05 10")
        # are not accounts even next to a bank name
        sc = 0.86 if len(groups) > 1 else 0.72
        if ctx.negative:
            sc *= 0.4
        out.append(_f("KR_BANK_ACCOUNT", start, end, sc, "kr_account"))
    return out, bool(out)


_CARD_SHAPES = frozenset({(4, 4, 4, 4), (16,), (4, 6, 5), (15,), (4, 6, 4), (14,), (4, 4, 4, 4, 3), (19,)})
_RRN_SCORES = {"checksum": (0.85, 1.0), "random_era": (0.45, 0.92), "format": (0.3, 0.75)}
_FRN_SCORES = {"checksum": (0.8, 1.0), "format": (0.4, 0.85)}


def _classify_13(text: str, start: int, end: int, digits: str, grouped: bool, ctx: _Ctx, out: list[Finding]) -> None:
    """13 digits: an RRN, an alien registration number, or a corporate number (its look-alike)."""
    g = digits[6]
    if g in "012349":
        rk = v.rrn_kind(digits)
        if rk is not None:
            base, hi = _RRN_SCORES[rk]
            out.append(_f("KR_RRN", start, end, _score(ctx, "KR_RRN", base if grouped else base * 0.75, hi), "kr_rrn"))
    else:
        fk = v.frn_kind(digits)
        if fk is not None:
            base, hi = _FRN_SCORES[fk]
            sc = _score(ctx, "KR_FRN", base if grouped else base * 0.75, hi)
            if ctx.has("KR_RRN") and not ctx.has("KR_FRN"):
                sc = max(sc, 0.7 if fk == "checksum" else 0.55)
            out.append(_f("KR_FRN", start, end, sc, "kr_frn"))
    if v.crn_valid(digits):
        out.append(_f("KR_CRN", start, end, _score(ctx, "KR_CRN", 0.4, 0.98), "kr_crn"))


def _classify_dotted(
    text: str, start: int, end: int, groups: list[str], seps: str, ctx: _Ctx
) -> tuple[list[Finding], bool]:
    """Dotted or slashed runs: IPv4 addresses, dotted phones, dates (never identifiers)."""
    n_groups = len(groups)
    if n_groups == 4 and seps == "..." and all(len(g) <= 3 for g in groups):
        if all(int(g) <= 255 and (g == "0" or g[0] != "0") for g in groups):
            if _VERSION_BEFORE.search(text, max(0, start - 12), start):
                return [], True
            # a dotted quad of small numbers without IP context reads as a version
            small = all(int(g) <= 20 for g in groups[1:])
            sc = _score(ctx, "IP_ADDRESS", 0.35 if small else 0.75, 0.95, ambiguous=False)
            return [_f("IP_ADDRESS", start, end, sc, "ipv4")], True
        return [], True
    if n_groups == 3 and seps == "..":
        kind = _phone_kind(groups)
        if kind in ("mobile", "landline", "voip", "personal"):
            lo, hi = _PHONE_SCORE[kind]
            return [_f("PHONE_NUMBER", start, end, _score(ctx, "PHONE_NUMBER", lo, hi, ambiguous=False), "kr_phone")], True
    # dates, version strings and other dotted/slashed numbers are not identifiers; birth
    # dates are found near birth keywords, except a date glued to 생 ("87.03.09생")
    if n_groups == 3 and end < len(text) and text[end] == "생" and seps[0] == seps[1]:
        y, mo, d = groups
        if len(y) in (2, 4) and v.valid_date(_year(y), int(mo), int(d)):
            return [_f("DATE_OF_BIRTH", start, end + 1, 0.9, "dob")], True
    return [], n_groups >= 2 and " " not in seps


def _scan_clusters(text: str) -> list[Finding]:
    found: list[Finding] = []
    n_text = len(text)
    for m in _SCAN.finditer(text):
        s, e = m.span()
        if m.lastgroup == "plate":
            f = _plate(text, s, e, m)
            if f is not None:
                found.append(f)
            continue
        if e - s < 5:
            continue
        if s and _LATIN_BEFORE.match(text, s - 1):
            continue
        if e < n_text and text[e].isascii() and text[e].isalpha():
            continue
        raw = m.group()
        if _DOUBLE_SEP.search(raw):
            # "1987. 3. 9" or "2024.01.02. 010-…": split where two separators meet
            for sub in _SUB_CLUSTER.finditer(raw):
                if sub.end() - sub.start() >= 5:
                    _cluster(text, s + sub.start(), s + sub.end(), sub.group(), found)
        else:
            _cluster(text, s, e, raw, found)
    return found


def _cluster(text: str, s: int, e: int, raw: str, found: list[Finding]) -> None:
    parts = _SPLIT_KEEP.split(raw)
    groups = parts[0::2]
    seps = parts[1::2]
    if " " not in seps:
        found.extend(_classify(text, s, e, groups, "".join(seps))[0])
        return
    # space-joined: try windows that start and end at spaces, longest first, left to right
    offs = []
    pos = s
    for g in groups:
        offs.append(pos)
        pos += len(g) + 1
    cut = [0] + [i + 1 for i, sp in enumerate(seps) if sp == " "] + [len(groups)]
    segs = len(cut) - 1
    i = 0
    while i < segs:
        for j in range(segs, i, -1):
            a, b = cut[i], cut[j]
            ws = offs[a]
            we = offs[b - 1] + len(groups[b - 1])
            if we - ws < 5:
                continue
            res, consumed = _classify(text, ws, we, groups[a:b], "".join(seps[a : b - 1]))
            if res or consumed:
                found.extend(res)
                i = j
                break
        else:
            i += 1


# ---------------------------------------------------------------------------------------------
# patterns outside the digit-group tokenizer

_EMAIL = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)


def _find_emails(text: str) -> list[Finding]:
    if "@" not in text:
        return []
    out = []
    pos = 0
    while True:
        at = text.find("@", pos)
        if at < 0:
            break
        lo = max(0, at - 64)
        for m in _EMAIL.finditer(text, lo, min(len(text), at + 256)):
            if m.start() <= at < m.end():
                s = m.start()
                # the local part must not continue to the left (we started the window mid-run)
                if s > 0 and (text[s - 1].isascii() and (text[s - 1].isalnum() or text[s - 1] in "._%+-")):
                    break
                out.append(_f("EMAIL_ADDRESS", s, m.end(), 0.95, "email"))
                break
        pos = at + 1
    return out


_IPV6_COLON = re.compile(r":(?=[0-9A-Fa-f:])")
_IPV6_TOKEN_LEFT = re.compile(r"[0-9A-Fa-f:]*\Z")  # \Z: "$" would also match before a "\n"
_IPV6_TOKEN_RIGHT = re.compile(r"[0-9A-Fa-f:]*:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f:]*")
"""The token from a colon on: with a dotted IPv4 tail (``::ffff:192.0.2.1``) when one follows a
colon, else the hex/colon run. Tried in that order: a run followed by an optional tail never
took the tail, because the run had already eaten its first digits."""


def _find_ipv6(text: str) -> list[Finding]:
    """IPv6 tokens, found from their colons (a literal, so the pass is cheap)."""
    out = []
    done = -1
    for m in _IPV6_COLON.finditer(text):
        c = m.start()
        if c < done:
            continue
        left = _IPV6_TOKEN_LEFT.search(text, max(0, c - 40), c)
        s = left.start() if left else c
        right = _IPV6_TOKEN_RIGHT.match(text, c)
        e = right.end() if right else c + 1
        done = e
        if text.startswith(":", s) and not text.startswith("::", s):
            s += 1  # a label's colon ("IP:2001:db8::1"), not the address's
        cand = text[s:e]
        # "::" or the full 8 groups (6 and a dotted IPv4 tail): a clock (12:30:45) never passes
        if ("::" not in cand and cand.count(":") != (6 if "." in cand else 7)) or len(cand) < 3:
            continue
        if (s and (text[s - 1].isalnum() and text[s - 1].isascii())) or (
            e < len(text) and text[e].isascii() and (text[e].isalnum() or text[e] in ".:")
        ):
            continue
        try:
            ipaddress.IPv6Address(cand)
        except ValueError:
            continue
        ctx = _Ctx(text, s, e)
        if cand in ("::", "::1") and not ctx.has("IP_ADDRESS"):
            continue
        out.append(_f("IP_ADDRESS", s, e, _score(ctx, "IP_ADDRESS", 0.85, 0.97, ambiguous=False), "ipv6"))
    return out


# passports [§5]: format-only, so only searched near a passport keyword
_PASSPORT_GATE = re.compile(r"여권|passport|Passport|PASSPORT|PP No|PP no")
_PASSPORT = re.compile(r"[MSRODmsrod](?:[0-9]{8}|[0-9]{3}[A-Za-z][0-9]{4})(?![A-Za-z0-9])")


def _find_passports(text: str) -> list[Finding]:
    out = []
    seen: set[int] = set()
    for g in _PASSPORT_GATE.finditer(text):
        for m in _PASSPORT.finditer(text, max(0, g.start() - 12), min(len(text), g.end() + 40)):
            s = m.start()
            if s in seen or (s and text[s - 1].isascii() and text[s - 1].isalnum()):
                continue
            seen.add(s)
            ctx = _Ctx(text, s, m.end())
            out.append(_f("KR_PASSPORT", s, m.end(), _score(ctx, "KR_PASSPORT", 0.35, 0.93), "kr_passport"))
    return out


# vehicle plates [§11] (matched by the main pass, checked here)
_PLATE_USE = frozenset("가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자하허호배")
_PLATE_REGIONS = ("서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원",
                  "충북", "충남", "전북", "전남", "경북", "경남", "제주")
_PLATE_PARTS = re.compile(r"([0-9]{2,3}) ?([가-힣]) ?([0-9]{4})")
_PLATE_REGION_BEFORE = re.compile("(" + "|".join(_PLATE_REGIONS) + r") ?$")
_PLATE_PARTICLE_AFTER = re.compile(r"(?:이|가|은|는|을|를|으로|로|와|과|의|에|도|번|차|입니다|이에요|예요|[^가-힣A-Za-z0-9]|$)")


def _is_hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _plate(text: str, s: int, e: int, m: re.Match[str]) -> Finding | None:
    pm = _PLATE_PARTS.fullmatch(m.group())
    assert pm is not None
    cls, syl, _ = pm.groups()
    if syl not in _PLATE_USE or (len(cls) == 3 and cls[0] == "0"):
        return None
    if e < len(text) and (text[e].isdigit() or not _PLATE_PARTICLE_AFTER.match(text, e)):
        return None
    if s and text[s - 1].isdigit():
        return None
    region = _PLATE_REGION_BEFORE.search(text, max(0, s - 3), s)
    if region is not None and region.start() and _is_hangul(text[region.start() - 1]):
        region = None  # "…서울32바" glued to a word: not a region prefix
    if region is None and s and (_is_hangul(text[s - 1]) or text[s - 1].isalnum()):
        return None
    if region is not None:
        s = region.start()
    ctx = _Ctx(text, s, e)
    base = 0.9 if region is not None else 0.72
    return _f("KR_VEHICLE_PLATE", s, e, _score(ctx, "KR_VEHICLE_PLATE", base, 0.95, ambiguous=False), "kr_plate")


# dates of birth [§16]: only near a birth keyword, so the patterns run on small windows
_DOB_KO = re.compile(r"([0-9]{4}|[0-9]{2}) ?년 ?(?:([0-9]{1,2}) ?월 ?([0-9]{1,2}) ?일|(생))")
_DOB_NUM = re.compile(
    r"((?:19|20)[0-9]{2}|[0-9]{2})([.\-/]) ?([0-9]{1,2})\2 ?([0-9]{1,2})(?![0-9])"
    r"|((?:19|20)[0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])(?![0-9])"
    r"|([0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])(?![0-9])"
)
_DOB_BEFORE, _DOB_AFTER = 40, 24


def _year(y: str) -> int:
    """Two-digit years: 00–25 read as 2000s, the rest as 1900s (a birth date, not a future one)."""
    if len(y) == 4:
        return int(y)
    yy = int(y)
    return 2000 + yy if yy <= 25 else 1900 + yy


def _find_dobs(text: str) -> list[Finding]:
    """Dates count as birth dates only with birth context (a plain date is not personal data)."""
    out: list[Finding] = []
    seen: set[int] = set()
    for g in BIRTH_GATE.finditer(text):
        lo = max(0, g.start() - _DOB_BEFORE)
        hi = min(len(text), g.end() + _DOB_AFTER)
        for m in _DOB_KO.finditer(text, lo, hi):
            s = m.start()
            if s in seen or (s and text[s - 1].isdigit()):
                continue
            y, mo, d, saeng = m.groups()
            if saeng is None:
                if not v.valid_date(_year(y), int(mo), int(d)):
                    continue
                if not (text.startswith("생", m.end()) or _Ctx(text, s, m.end()).has("DATE_OF_BIRTH")):
                    continue
            seen.add(s)
            e = m.end() + (1 if saeng is None and text.startswith("생", m.end()) else 0)
            out.append(_f("DATE_OF_BIRTH", s, e, 0.85 if saeng else 0.9, "dob"))
        for m in _DOB_NUM.finditer(text, lo, hi):
            s = m.start()
            if s in seen or (s and text[s - 1] in "0123456789.-/"):
                continue
            if m.group(1):
                y, mo, d = m.group(1), m.group(3), m.group(4)
            elif m.group(5):
                y, mo, d = m.group(5), m.group(6), m.group(7)
            else:
                y, mo, d = m.group(8), m.group(9), m.group(10)
            e = m.end()
            if not v.valid_date(_year(y), int(mo), int(d)):
                continue
            glued = text.startswith("생", e)
            if glued or _Ctx(text, s, e).has("DATE_OF_BIRTH"):
                seen.add(s)
                out.append(_f("DATE_OF_BIRTH", s, e + glued, 0.9 if m.group(8) is None else 0.8, "dob"))
    return out


# masked identifiers: "900101-1******", "010-****-1234" are partial PII and still reported
_MASK_GATE = re.compile(r"[*●○xX]{3}")
_M = "[*●○xX]"
_D = "[-‐‑–—－ ]"
_MASKED = re.compile(
    rf"(?P<rrn>[0-9]{{6}}{_D}[0-9]{_M}{{6}})(?![0-9*])"
    rf"|(?P<phone>01[016789]{_D}(?:{_M}{{3,4}}{_D}[0-9]{{4}}|[0-9]{{3,4}}{_D}{_M}{{4}}))(?![0-9*])"
    rf"|(?P<card>[0-9]{{4}}(?P<csep>{_D})(?:[0-9]{{2}}{_M}{{2}}(?P=csep){_M}{{4}}|{_M}{{6}})(?P=csep)[0-9]{{4,5}})(?![0-9*])"
)


def _find_masked(text: str) -> list[Finding]:
    out = []
    seen: set[int] = set()
    for g in _MASK_GATE.finditer(text):
        for m in _MASKED.finditer(text, max(0, g.start() - 16), min(len(text), g.end() + 16)):
            s = m.start()
            if s in seen or (s and text[s - 1].isdigit()):
                continue
            seen.add(s)
            kind = m.lastgroup
            if kind == "phone":
                out.append(_f("PHONE_NUMBER", s, m.end(), 0.7, "masked"))
            elif kind == "card":
                out.append(_f("CREDIT_CARD", s, m.end(), 0.75, "masked"))
            else:
                g7 = m.group()[7]
                out.append(_f("KR_FRN" if g7 in "5678" else "KR_RRN", s, m.end(), 0.7, "masked"))
    return out


def find_structured(text: str) -> list[Finding]:
    """All structured-identifier candidates in ``text`` (overlaps resolved by the engine)."""
    out: list[Finding] = _find_emails(text) if "@" in text else []
    if ":" in text:
        out.extend(_find_ipv6(text))
    if _HAS_DIGIT.search(text) is None:
        return out
    out.extend(_scan_clusters(text))
    out.extend(_find_passports(text))
    out.extend(_find_dobs(text))
    out.extend(_find_masked(text))
    return out


_TYPES = frozenset({
    "KR_RRN", "KR_FRN", "KR_CRN", "KR_BRN", "KR_PASSPORT", "KR_DRIVER_LICENSE", "CREDIT_CARD",
    "KR_BANK_ACCOUNT", "KR_HEALTH_INSURANCE", "PHONE_NUMBER", "EMAIL_ADDRESS", "IP_ADDRESS",
    "KR_VEHICLE_PLATE", "DATE_OF_BIRTH", "KR_POSTAL_CODE",
})

RECOGNIZERS: list[Recognizer] = [Recognizer("kr_structured", _TYPES, find_structured)]


def _native_cluster_tables() -> dict[str, Any]:
    """Tables of the digit-group pass (:func:`_scan_clusters`) for the native core
    (``_native/structured.c``). Patterns are hand-written matchers there; the data is here,
    including the words written inside three patterns, taken from their source."""

    def words(pattern: re.Pattern[str], before: str, after: str) -> list[str]:
        """The alternatives of a pattern written ``before + "w1|w2|…" + after``, where the C
        matcher implements ``before`` and ``after`` by hand; ``w\\.?`` gives ``w.`` and ``w``, a
        class of letters ``[vV]`` gives each letter."""
        src = pattern.pattern
        if not (src.startswith(before) and src.endswith(after)):
            raise ValueError(f"pattern {src!r} changed shape: update _native/structured.c")
        out: list[str] = []
        for alt in src[len(before) : len(src) - len(after)].split("|"):
            if re.fullmatch(r"\[\w+\]", alt):
                out.extend(alt[1:-1])
                continue
            base, dot = (alt[:-3], True) if alt.endswith(r"\.?") else (alt, False)
            if not base or re.escape(base) != base:
                raise ValueError(f"pattern {src!r}: {alt!r} is not a word: update structured.c")
            out.extend([base + ".", base] if dot else [base])
        return out

    return {
        "clusters.area": sorted(_AREA),
        "clusters.legacy_mobile": sorted(_LEGACY_MOBILE),
        "clusters.phone_score": {kind: list(sc) for kind, sc in _PHONE_SCORE.items()},
        "clusters.bank_layouts": [
            (list(shape), None if prefixes is None else list(prefixes))
            for shape, prefixes in _BANK_LAYOUTS
        ],
        "clusters.card_shapes": [list(shape) for shape in sorted(_CARD_SHAPES)],
        "clusters.rrn_scores": {kind: list(sc) for kind, sc in _RRN_SCORES.items()},
        "clusters.frn_scores": {kind: list(sc) for kind, sc in _FRN_SCORES.items()},
        "clusters.license_region_codes": sorted(_LICENSE_REGION_CODES),
        "clusters.license_region_names": sorted(_LICENSE_REGION_NAMES),
        "clusters.old_postal_areas": _OLD_POSTAL_AREAS,
        "clusters.dashes": _DASHES,
        "clusters.plate_use": "".join(sorted(_PLATE_USE)),
        "clusters.plate_regions": list(_PLATE_REGIONS),
        "clusters.postal_sido": words(
            _POSTAL_SIDO_AFTER, r"[ ,)\]]{0,3}(?:", r"|[가-힣]{1,5}[시군구](?= ))"
        ),
        "clusters.plate_particles": words(_PLATE_PARTICLE_AFTER, "(?:", "|[^가-힣A-Za-z0-9]|$)"),
        "clusters.version_words": words(_VERSION_BEFORE, "(?:", r")\s*[:=]?\s*$"),
    }


def _native_extra_tables() -> dict[str, Any]:
    """Tables of e-mail, IPv6, passports, dates of birth and masked values for the native core
    (``_native/structured_extra.c``): the gates' keywords (plain alternations of literals, tried
    in their order as the regex does) and the mask character classes."""

    def literals(gate: re.Pattern[str]) -> list[str]:
        words = gate.pattern.split("|")
        if any(set(w) & set("\\.^$*+?{}[]()") for w in words):
            raise ValueError(f"gate {gate.pattern!r} is not an alternation of literals")
        return words

    if _MASK_GATE.pattern != _M + "{3}":
        raise ValueError("the masked-value gate and pattern must share one character class")
    return {
        "extra.passport_gate": literals(_PASSPORT_GATE),
        "extra.birth_gate": literals(BIRTH_GATE),
        "extra.mask_chars": _M[1:-1],
        "extra.mask_seps": _D[1:-1],
    }


def native_tables() -> dict[str, Any]:
    """This module's tables for the native scan core (see :mod:`jikimi.detect.native`)."""
    return {**_native_cluster_tables(), **_native_extra_tables()}
