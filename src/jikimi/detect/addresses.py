"""KR_ADDRESS recognizer: Korean road-name (도로명) and lot-number (지번) postal addresses.

Method: find an anchor, then expand. Every address reported here has a number right after a
road name or a legal neighbourhood name: ``세종대로 209``, ``테헤란로12길 34``, ``역삼동 123-45``,
``가술리 산 12``, ``종로1가 12``. Two compiled patterns do nearly all the work:

1. :data:`_ANCHOR` is the only pattern searched over the text. It starts with a five-character
   class (``로 길 동 리 가``), which CPython's ``re`` skips through at several hundred MB/s, and
   exits at once unless a digit (or ``지하``/``산``) follows. Where it matches it parses, in the
   same C call, the branch road (``12길``, ``77번길``), ``지하``/``산``, the number with ``-부번``
   and ``번지``, the detail part (``, 101동 1203호``, ``3층``, ``B1층``, ``101-1203``, a building
   name before units) and a directly following reference item (``(세종로)``,
   ``(삼성동, 래미안아파트)``). A number followed by a counter (``3시``, ``2명``, ``1번 출구``,
   ``2.5km``) or a leading zero (``로 010-…``) is not an anchor.
2. :data:`_LEFT` is matched once per anchor on the *reversed* text before it: the anchor word,
   then optionally a 읍/면(/동) word, a 구, a 시/군 and a 시/도, each a trie-shaped alternation
   of the names in the bundled table ``data/admin_regions.tsv`` (all 17 시/도 in full, short and
   old forms — 강원도, 전라북도, 서울시… — and every 시/군/구). Reading right to left turns
   "how far back does the address start" into one anchored match instead of a loop over words.

Python only checks the anchor word (``101동`` is a unit, ``강남구로 3명`` a particle, ``추가 1``
not a ``N가``) and sets the score. An address needs a region word (시/도 or 시/군/구) before the
road or neighbourhood; without one it is reported only with a 호 unit or an address keyword
(주소, 배송지, …) just before it. A region alone (``서울 강남구에 살아요``) is never reported.

Scores: road-name address with two region levels (시/도 + 시/군/구, or 시 + 구) 0.8, with one
0.7 (세종, which has no 시/군/구, counts as complete); lot-number address 0.7 / 0.65 (시/군/구
only) / 0.6 (시/도 only), +0.05 with 번지; without a region 0.4 / 0.3, +0.2 with a keyword.
Then +0.15 with a 호 (the address names a household), +0.05 with 동/층 only, +0.05 with a
reference item; capped at 0.97.

Why hand-written: no Korean address parser library or model is available offline, and an NER
model costs about 100x the time of this anchor-and-expand scan (``python
tests/test_addresses.py`` prints the throughput; ~130 MB/s of UTF-8 on one core). Spans follow
docs/spans.md: from the first region word through the number, detail and reference item, never
a trailing particle, comma or space.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

from jikimi.detect.context import RECORD_SEPARATOR
from jikimi.detect.finding import Finding
from jikimi.detect.registry import Recognizer

ENTITY = "KR_ADDRESS"
NAME = "kr_address"

# ---------------------------------------------------------------------------------------------
# the region table


class AdminRegion(NamedTuple):
    """One row of ``data/admin_regions.tsv``.

    ``sigungu`` is a 자치구/시/군 name, ``"시 구"`` for a 일반구 of a large city (``"성남시 분당구"``),
    or ``""`` for 세종특별자치시. ``status`` is ``current``, ``new`` (created in 2026) or
    ``former`` (moved to another 시/도).
    """

    sido_full: str
    sido_short: str
    sigungu: str
    status: str


ADMIN_TABLE = "admin_regions.tsv"

SIDO_ALIASES: dict[str, str] = {
    "서울시": "서울특별시",
    "부산시": "부산광역시",
    "대구시": "대구광역시",
    "인천시": "인천광역시",
    "광주시": "광주광역시",  # also 경기도 광주시: the table has both
    "대전시": "대전광역시",
    "울산시": "울산광역시",
    "세종시": "세종특별자치시",
    "강원도": "강원특별자치도",  # name until 2023-06-11
    "전라북도": "전북특별자치도",  # name until 2024-01-17
    "제주도": "제주특별자치도",
}
"""Written forms of a 시/도 other than its full and short names, mapped to the full name."""


@lru_cache(maxsize=1)
def load_admin_regions() -> tuple[AdminRegion, ...]:
    """All rows of the bundled 시/도 → 시/군/구 table (comments and header skipped)."""
    raw = resources.files("jikimi.detect").joinpath("data").joinpath(ADMIN_TABLE).read_text("utf-8")
    rows: list[AdminRegion] = []
    for line in raw.splitlines():
        if not line or line.startswith(("#", "sido_full\t")):
            continue
        full, short, sigungu, status = line.split("\t")
        rows.append(AdminRegion(full, short, sigungu, status))
    return tuple(rows)


def sido_names() -> dict[str, str]:
    """Every accepted written form of a 시/도 (full, short, alias) → its full name."""
    out: dict[str, str] = {}
    for r in load_admin_regions():
        out[r.sido_full] = r.sido_full
        out[r.sido_short] = r.sido_full
    out.update(SIDO_ALIASES)
    return out


# Levels of the words that make up an address, left to right. A word may have several levels
# (광주 is a 시/도 and a 시 of 경기도), kept as a bit mask.
_SIDO, _SI, _GU = 0, 1, 2


def _region_levels() -> dict[str, int]:
    levels: dict[str, int] = {}

    def add(word: str, level: int) -> None:
        levels[word] = levels.get(word, 0) | (1 << level)

    for word in sido_names():
        add(word, _SIDO)
    for r in load_admin_regions():
        parts = r.sigungu.split()
        for part in parts:
            add(part, _GU if part.endswith("구") else _SI)
    return levels


_LEVELS = _region_levels()
_SI_SHORT = frozenset(r.sigungu.split()[0][:-1] for r in load_admin_regions() if " " in r.sigungu)
"""성남, 수원, 창원…: a 시 with 일반구 written without 시, accepted only right before its 구
(``성남 분당구``); 군 and other 시 names are not shortened (예산, 음성, 영양 are also words)."""


def _score_table(complete: float, sigungu: float, sido: float) -> list[float]:
    """Score by the mask of region levels found: two or more levels, a 시/군/구 only, a 시/도 only."""
    return [
        0.0 if m == 0 else complete if m & (m - 1) else sigungu if m & 6 else sido for m in range(8)
    ]


_ROAD_SCORE = _score_table(0.8, 0.7, 0.7)
_LOT_SCORE = _score_table(0.7, 0.65, 0.6)
_REGION_END = frozenset("시군구도")


def _trie_regex(words: list[str]) -> str:
    """A regex alternation of ``words`` factored as a trie: CPython's ``re`` tries alternatives
    one by one, so sharing prefixes keeps a failed match to a few character comparisons."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(trie)


def _left_pattern() -> re.Pattern[str]:
    """Matched on the reversed text before an anchor: the anchor word, then the region words."""

    def level(bit: int, extra: frozenset[str] = frozenset()) -> str:
        words = {w for w, m in _LEVELS.items() if m & bit} | extra
        return _trie_regex(sorted(w[::-1] for w in words))

    si, si_or_short = level(1 << _SI), level(1 << _SI, _SI_SHORT)
    return re.compile(
        r"([가-힣0-9]++)"  # 1: the road or 동/리/가 name
        r"(?: +([읍면동][가-힣0-9]{1,6}+))?"  # 2: 읍/면 (or 동 before a road name)
        rf"(?: *({level(1 << _GU)}))?"  # 3: 구; spaces optional: 서울특별시강남구 is written too
        rf"(?: *((?(3){si_or_short}|{si})))?"  # 4: 시/군, "성남" only before a 구
        rf"(?: *({level(1 << _SIDO)}))?"  # 5: 시/도
        r"(?![가-힣0-9])"  # a whole word: not 중구 in 집중구
    )


_LEFT = _left_pattern()


# ---------------------------------------------------------------------------------------------
# patterns

# A number directly followed by one of these is a count, time, amount, floor… not an address.
_COUNTERS = (
    "명시분초개년월일회차살세원배대장권쪽위등건곳층호인주천만억박학기조반팀편점종가길A-Za-z%~/:"
)

_UNIT = (
    r"(?:제?[1-9][0-9]{0,4}+[동층호]"  # 101동, 3층, 1203호
    r"|[1-9][0-9]{0,3}+-[1-9][0-9]{0,4}+호"  # 101-1203호
    r"|[A-Za-z]동|[A-Za-z]-?[1-9][0-9]{0,4}+[층호]|[Bb][1-9]층?"  # A동, B-101호, B1(층)
    r"|지하 ?[1-9]층)"
    r"(?![0-9A-Za-z선-])"  # not 1호선, not part of a longer code
)
_UNITS = rf"{_UNIT}(?:,? ?{_UNIT}){{0,3}}"
_DETAIL = (
    r"(?:(?: ?, ?| )("
    # the detail part: ", 3층 301호", ", 101-1203", " 래미안아파트 101동 1203호"
    + _UNITS
    + r"|[1-9][0-9]{0,3}+-[1-9][0-9]{0,4}+(?![0-9A-Za-z-])"
    + rf"|[가-힣A-Za-z][가-힣A-Za-z0-9]{{1,19}}+ {_UNITS}))?"
)
_REFERENCE = (
    # the reference item: "(세종로)", "(삼성동, 래미안아파트)": a 동/리/가/로 or a building first
    r"( ?\( ?[가-힣][가-힣0-9]*+(?<=[동가리로읍면트라션텔워딩츠슬운을])(?:[ ,][^()\n]{0,40})?\))?"
)
_ANCHOR = re.compile(
    r"[로길동리가]"  # end of a road name, or of a 동/리/N가 name
    r"(?= ?[0-9지산])"  # cheap early exit for the many 로/가/리/동 not followed by a number
    r"( ?[0-9]{1,4}+[가-하]?번?길)?"  # branch road: 테헤란로12길, 중앙로77번길, 난곡로26다길
    r"( ?(?:지하|산) ?| ?)"  # 지하 (road) or 산 (lot) before the number
    r"[1-9][0-9]{0,4}+(?:-[0-9]{1,5}+)?"  # building or lot number, -부번
    r"(번지)?"
    rf"(?![0-9{_COUNTERS}]|번(?!지)|[.,][0-9]|-[0-9])"
    + _DETAIL
    + _REFERENCE
    # units written after the reference item: "동탄대로 537 (영천동) 102동 1203호"
    + rf"(?:(?<=\)) ?({_UNITS}))?"
)
"""The only pattern searched over the whole text: it starts with a 5-character class, which
``re`` scans fast; the rest runs only where one of those characters is followed by a number."""
_SEARCH = _ANCHOR.search
_CONTEXT = re.compile(r"주소|거주지|배송지|자택|도로명|지번|소재지|수령지|받는 ?곳|보내실 ?곳")
_CONTEXT_WINDOW = 30
_WINDOW = 40
"""Characters before the anchor searched for region words."""


def find_addresses(text: str) -> list[Finding]:
    """Every road-name or lot-number address in ``text`` with its score (see module doc).

    One function on purpose: this loop runs for every anchor in every scanned text, and a call
    per candidate costs a measurable share of the throughput.
    """
    search = _SEARCH
    m = search(text)
    if m is None:
        return []
    out: list[Finding] = []
    levels = _LEVELS
    while m is not None:
        a = m.start()  # the 로/길/동/리/가 character
        nxt = a + 1
        suffix = text[a]
        # the road or 동/리/가 name and the region words before it, read right to left
        lo = a - _WINDOW if a > _WINDOW else 0
        left = _LEFT.match(text[a : lo - 1 : -1] if lo else text[a::-1])
        if left is None:
            m = search(text, nxt)
            continue
        w, _sub, gu, si, sido = left.groups()  # w: the anchor word, reversed
        if len(w) < 2 or (w[-1] <= "9" and suffix != "로" and suffix != "길"):
            m = search(text, nxt)  # 101동 is a unit; 2순환로 is a road
            continue
        branch, prefix, bunji, detail, ref, late = m.groups()
        if (suffix == "로" or suffix == "길") and bunji is None:  # 세종로 12번지: a 법정동
            if (
                "산" in prefix
                or w == "로대"  # 대로 alone
                or (w[1] in _REGION_END and w[:0:-1] in levels)  # 강남구로 3명: a particle
            ):
                m = search(text, nxt)
                continue
            road = True
        else:
            if branch is not None or "지" in prefix or (suffix == "가" and w[1] > "9"):
                m = search(text, nxt)  # 가 only as 종로1가, 을지로3가 — not 추가, 참가
                continue
            road = False
        found = 0
        if gu is not None:
            found = 4
        if si is not None:
            found |= 2
        if sido is not None:
            found |= 1
        start = nxt - left.end() if found else nxt - len(w)
        if found:
            score = (_ROAD_SCORE if road else _LOT_SCORE)[found]
            if found == 1 and road and text.startswith("세종", start):
                score = 0.8  # 세종특별자치시 has no 시/군/구: a 시/도 alone is complete
        else:
            score = 0.4 if road else 0.3
        if bunji is not None:
            score += 0.05

        if late is not None:
            detail = late if detail is None else detail + late
        if detail is not None:
            score += 0.15 if "호" in detail else 0.05
        if ref is not None:
            score += 0.05
        end = m.end()
        if not found:
            clo = start - _CONTEXT_WINDOW if start > _CONTEXT_WINDOW else 0
            sep = text.rfind(RECORD_SEPARATOR, clo, start)
            if _CONTEXT.search(text, clo if sep < 0 else sep + 1, start):
                score += 0.2
            elif score < 0.5:
                m = search(text, nxt)
                continue
        score = min(score, 0.97)
        out.append(Finding(ENTITY, start, end, score, NAME))
        m = search(text, end)
    return out


RECOGNIZER = Recognizer(NAME, frozenset({ENTITY}), find_addresses)


def _class_members(char_class: str) -> str:
    """Every character the regex character class ``char_class`` (``[...]``) matches, in code
    point order. Only the characters the class names, those of its ranges and ASCII are tried
    (a class of literals and ranges can match no other), not the whole BMP: this runs at every
    start of the native core."""
    inner = char_class[1:-1]
    if char_class[:1] != "[" or char_class[-1:] != "]" or inner.startswith("^"):
        raise ValueError(f"{char_class!r} is not a class of literals and ranges")
    if re.search(r"\\[A-Za-z]", inner):
        raise ValueError(f"{char_class!r} uses a class escape: list its characters instead")
    tried = set(map(chr, range(128))) | set(inner)
    for lo, hi in re.findall(r"(.)-(.)", inner):
        tried.update(map(chr, range(ord(lo), ord(hi) + 1)))
    return "".join(re.findall(char_class, "".join(sorted(tried))))


def _literal_alternatives(pattern: str) -> list[str]:
    """The strings matched by an alternation of literals where `` ?`` is the only operator."""
    out: list[str] = []
    for alt in pattern.split("|"):
        parts = alt.split(" ?")
        variants = [""]
        for i, part in enumerate(parts):
            variants = [v + sp + part for v in variants for sp in (("", " ") if i else ("",))]
        out.extend(variants)
    assert not any(re.escape(v) != v.replace(" ", "\\ ") for v in out), "not a literal alternation"
    return out


def native_tables() -> dict[str, Any]:
    """The tables and character classes the native core's find_addresses needs (native.py)."""
    lookbehind = re.search(r"\(\?<=(\[[^\]]+\])\)", _REFERENCE)
    assert lookbehind is not None
    return {
        "addr.levels": dict(_LEVELS),  # region word -> bit mask of its levels
        "addr.level_bits": [1 << _SIDO, 1 << _SI, 1 << _GU],
        "addr.si_short": sorted(_SI_SHORT),
        "addr.road_score": list(_ROAD_SCORE),
        "addr.lot_score": list(_LOT_SCORE),
        "addr.region_end": "".join(sorted(_REGION_END)),
        "addr.counters": _class_members(f"[0-9{_COUNTERS}]"),
        "addr.reference_end": _class_members(lookbehind.group(1)),
        "addr.context_words": _literal_alternatives(_CONTEXT.pattern),
        "addr.window": _WINDOW,
        "addr.context_window": _CONTEXT_WINDOW,
    }
