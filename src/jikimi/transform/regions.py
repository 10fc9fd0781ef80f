"""Read the 시/도 and 시/군/구 out of a Korean address, using the detector's region table.

Why here: address generalisation (``서울특별시 종로구 세종대로 209`` → ``서울특별시 종로구`` →
``서울특별시``) and address surrogates (keep the 시/군/구, invent the road) both need the two
top levels of an address in canonical spelling. The table itself belongs to the detector and may
still change, so it is read only through its public loaders
(:func:`jikimi.detect.addresses.load_admin_regions` and :func:`~jikimi.detect.addresses.sido_names`).

Rules: the 시/도 is the first word when it is a 시/도 name in any accepted spelling (full, short,
``서울시``, old ``강원도``/``전라북도``), returned in full. The 시/군/구 is the next word (or the
first, when no 시/도 is written), matched against the table: ``성남시 분당구`` (two words) before
``성남시`` (one word, a 시 that has 일반구), and ``성남 분당구`` (a 시 written without 시). A
시/군/구 that moved (``경상북도 군위군``, ``former`` in the table) is reported under its current
시/도. Without a written 시/도, the 시/도 is inferred only when the 시/군/구 name is unique
(``강남구`` → 서울; ``중구`` stays without a 시/도). ``광주시`` alone is 경기도 광주시 unless a
구 of 광주광역시 follows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from jikimi.detect.addresses import load_admin_regions, sido_names


class Region(NamedTuple):
    """The top two levels of an address; ``None`` where the address does not say (or the table
    cannot tell)."""

    sido: str | None
    sigungu: str | None


_SPLIT = re.compile(r"[\s,]+")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, list[tuple[str, str, str]]], frozenset[str]]:
    """(spelling → full 시/도, sigungu-or-시 name → [(sido, sigungu, status)], 시 names with 구)."""
    names = sido_names()
    by_name: dict[str, list[tuple[str, str, str]]] = {}
    si_with_gu: set[str] = set()
    for r in load_admin_regions():
        if not r.sigungu:
            continue
        by_name.setdefault(r.sigungu, []).append((r.sido_full, r.sigungu, r.status))
        if " " in r.sigungu:
            si = r.sigungu.split()[0]
            si_with_gu.add(si)
            entry = (r.sido_full, si, r.status)
            lst = by_name.setdefault(si, [])
            if entry not in lst:
                lst.append(entry)
    return names, by_name, frozenset(si_with_gu)


def _pick(cands: list[tuple[str, str, str]], sido: str | None) -> tuple[str | None, str] | None:
    """Choose among table rows for one 시/군/구 name given the written 시/도 (if any)."""
    if sido is not None:
        same = [c for c in cands if c[0] == sido]
        if same:
            row = same[0]
            if row[2] == "former":
                # moved to another 시/도 (군위군 → 대구): report where it is now
                now = [c for c in cands if c[2] != "former" and c[1] == row[1]]
                if len(now) == 1:
                    return now[0][0], now[0][1]
            return row[0], row[1]
        return None
    live = [c for c in cands if c[2] != "former"] or cands
    sidos = {c[0] for c in live}
    return (live[0][0] if len(sidos) == 1 else None), live[0][1]


def parse_region(address: str) -> Region:
    """The 시/도 (full name) and 시/군/구 (as in the table) of ``address``; see module doc."""
    names, by_name, si_with_gu = _tables()
    words = [w for w in _SPLIT.split(address.strip()) if w]
    if not words:
        return Region(None, None)
    sido: str | None = None
    i = 0
    if words[0] in names and not (words[0] == "광주시" and not _gwangju_gu_follows(words)):
        sido = names[words[0]]
        i = 1
        if sido == "세종특별자치시":
            return Region(sido, None)
    w1 = words[i] if i < len(words) else ""
    w2 = words[i + 1] if i + 1 < len(words) else ""
    tries: list[str] = []
    if w1 and w2:
        tries.append(f"{w1} {w2}")
        if w1 + "시" in si_with_gu:
            tries.append(f"{w1}시 {w2}")  # "성남 분당구"
    if w1:
        tries.append(w1)
    for name in tries:
        cands = by_name.get(name)
        if cands:
            picked = _pick(cands, sido)
            if picked is not None:
                return Region(picked[0] if picked[0] is not None else sido, picked[1])
    return Region(sido, None)


def _gwangju_gu_follows(words: list[str]) -> bool:
    """``광주시 서구 …`` is 광주광역시; ``광주시 오포읍 …`` is 경기도 광주시."""
    _, by_name, _ = _tables()
    nxt = words[1] if len(words) > 1 else ""
    return any(c[0] == "광주광역시" for c in by_name.get(nxt, []))
