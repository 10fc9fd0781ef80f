"""Context words: the evidence around a candidate that turns a shape into a finding.

Korean glues particles and compounds onto keywords (``주민등록번호는``, ``입금계좌로``,
``연락처:``), so keywords are matched as substrings, never on word boundaries. English
keywords are matched case-insensitively. One compiled alternation per keyword set keeps the
cost to a single C-level search of a short window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

DEFAULT_WINDOW = 30
"""Characters before a candidate searched for a keyword (after: a third of it)."""

RECORD_SEPARATOR = "\x00"
"""The engine scans many records joined by this character at once; context never crosses it."""


@cache
def keyword_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive alternation, longest keyword first."""
    alts = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in alts), re.IGNORECASE)


def has_context(
    text: str,
    start: int,
    end: int,
    words: Iterable[str] | re.Pattern[str],
    *,
    before: int = DEFAULT_WINDOW,
    after: int | None = None,
) -> bool:
    """True when a keyword occurs shortly before ``start`` or shortly after ``end``."""
    pat = words if isinstance(words, re.Pattern) else keyword_pattern(tuple(words))
    lo, hi = window(text, start, end, before, before // 3 if after is None else after)
    if pat.search(text, lo, start):
        return True
    return hi > end and pat.search(text, end, hi) is not None


def window(text: str, start: int, end: int, before: int, after: int) -> tuple[int, int]:
    """The context window around ``text[start:end]``, clamped to the record it belongs to."""
    lo = max(0, start - before)
    sep = text.rfind(RECORD_SEPARATOR, lo, start)
    if sep >= 0:
        lo = sep + 1
    hi = min(len(text), end + after)
    sep = text.find(RECORD_SEPARATOR, end, hi)
    if sep >= 0:
        hi = sep
    return lo, hi
