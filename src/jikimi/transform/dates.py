"""Parse the date spellings found in Korean data and write a date back in the same spelling.

Why: ``dateshift`` must return ``1987. 3. 9.`` for ``1987. 3. 9.`` and ``1987-03-09`` for
``1987-03-09`` (a shifted date in another format would stand out and break parsers downstream),
and ``generalize``/``surrogate`` need the year, month and day of a birth date however written.
Spellings (reference §16): ``1987년 3월 9일`` (spaces optional), ``1987.03.09``,
``1987. 3. 9.``, ``1987-03-09``, ``1987/03/09``, ``87.03.09``, ``19870309``, ``870309``,
year-month ``1987년 3월`` and year-only ``87년생``; a trailing ``생`` or time part
(``T10:00:00``) is kept as written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_KO = re.compile(
    r"(?P<y>\d{4}|\d{2})(?P<a>\s*)년(?P<b>\s*)(?P<m>\d{1,2})(?P<c>\s*)월"
    r"(?:(?P<e>\s*)(?P<d>\d{1,2})(?P<f>\s*)일)?"
)
_SEP = re.compile(
    r"(?P<y>\d{4}|\d{2})(?P<s>[.\-/])(?P<sp> ?)(?P<m>\d{1,2})(?P=s)(?P=sp)(?P<d>\d{1,2})(?!\d)"
)
_COMPACT = re.compile(r"(?P<y>(?:1[89]|20)\d{2}|\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")
_YEAR = re.compile(r"(?P<y>\d{4}|\d{2})(?P<a>\s*)년")


def full_year(y: str, today: dt.date | None = None) -> int:
    """Four-digit year; a two-digit one is taken as the latest year not after today's."""
    if len(y) == 4:
        return int(y)
    now = (today or dt.date.today()).year
    yy = int(y)
    year = now - now % 100 + yy
    return year if year <= now else year - 100


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date and how it was written. ``month``/``day`` are 0 when the spelling lacks them."""

    year: int
    month: int
    day: int
    style: str  # "ko", "sep", "compact", "year"
    lead: str
    tail: str
    year_digits: int
    pad: bool
    parts: tuple[str, ...]  # style-specific separators, in order

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def date(self) -> dt.date:
        """The full date; only for ``precision == "day"``."""
        return dt.date(self.year, self.month, self.day)

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def render(self, d: dt.date) -> str:
        """``d`` written exactly the way this date was written (same separators, padding,
        year width, surrounding text)."""
        y = f"{d.year % 100:02d}" if self.year_digits == 2 else f"{d.year:04d}"
        m = f"{d.month:02d}" if self.pad else str(d.month)
        day = f"{d.day:02d}" if self.pad else str(d.day)
        p = self.parts
        if self.style == "ko":
            body = f"{y}{p[0]}년{p[1]}{m}{p[2]}월"
            if self.day:
                body += f"{p[3]}{day}{p[4]}일"
        elif self.style == "sep":
            s, sp = p[0], p[1]
            body = f"{y}{s}{sp}{m}{s}{sp}{day}"
        elif self.style == "compact":
            body = f"{y}{d.month:02d}{d.day:02d}"
        else:
            body = f"{y}{p[0]}년"
        return self.lead + body + self.tail


def _pad(m: str, d: str | None, default: bool) -> bool:
    raws = [m] if d is None else [m, d]
    if any(r.startswith("0") for r in raws):
        return True
    if any(len(r) == 1 for r in raws):
        return False
    return default


def parse_date(value: str, *, today: dt.date | None = None) -> ParsedDate | None:
    """The date in ``value`` (which must start with it, after spaces), or None.

    Returns None for impossible dates (``87.13.09``, 30 February) and for text after the date
    that starts with a digit (``2024-03-051`` is not a date).
    """
    stripped = value.lstrip()
    lead = value[: len(value) - len(stripped)]
    m = _KO.match(stripped)
    if m is not None:
        g = m.groupdict()
        tail = stripped[m.end() :]
        if g["d"] is None and tail[:1].isdigit():
            return None
        year = full_year(g["y"], today)
        month = int(g["m"])
        day = int(g["d"]) if g["d"] is not None else 0
        if not _valid(year, month, day or 1):
            return None
        parts = (g["a"], g["b"], g["c"], g["e"] or "", g["f"] or "")
        pad = _pad(g["m"], g["d"], False)
        return ParsedDate(year, month, day, "ko", lead, tail, len(g["y"]), pad, parts)
    m = _SEP.match(stripped)
    if m is not None:
        g = m.groupdict()
        year, month, day = full_year(g["y"], today), int(g["m"]), int(g["d"])
        if not _valid(year, month, day):
            return None
        return ParsedDate(
            year, month, day, "sep", lead, stripped[m.end() :], len(g["y"]),
            _pad(g["m"], g["d"], True), (g["s"], g["sp"]),
        )
    m = _COMPACT.match(stripped)
    if m is not None and (len(stripped) == m.end() or not stripped[m.end()].isdigit()):
        g = m.groupdict()
        year, month, day = full_year(g["y"], today), int(g["m"]), int(g["d"])
        if not _valid(year, month, day):
            return None
        return ParsedDate(year, month, day, "compact", lead, stripped[m.end() :], len(g["y"]), True, ())
    m = _YEAR.match(stripped)
    if m is not None:
        return ParsedDate(
            full_year(m["y"], today), 0, 0, "year", lead, stripped[m.end() :], len(m["y"]),
            False, (m["a"],),
        )
    return None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
