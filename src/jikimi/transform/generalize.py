"""Generalisation of quasi-identifiers and per-subject date shifting.

``generalize(value, type, level)`` replaces a value by a coarser one that many people share,
the standard treatment of quasi-identifiers (birth dates, postal codes, addresses) before
k-anonymity is measured. Levels (the names the protection policy uses; the first is the
default and the mildest):

| entity type | level | output |
|---|---|---|
| DATE_OF_BIRTH | ``year`` | ``1987`` |
| | ``decade`` | ``1980s`` |
| | ``age_band`` | ``30-39`` (10-year band of the age today) |
| | ``month`` | ``1987-03`` |
| KR_ADDRESS | ``sigungu`` | ``서울특별시 종로구`` (with its 시/도: ``중구`` alone is in six cities) |
| | ``sido`` | ``서울특별시`` |
| KR_POSTAL_CODE | ``3`` | ``062`` (시/도 + 시/군/구 digit, §12) |
| | ``2`` | ``06`` (시/도) |
| KR_RRN, KR_FRN | ``birth_year_sex`` | ``1961년생 남`` (from YYMMDD and the 7th digit) |
| | ``none`` | empty string |

A level that needs more than the value says (``month`` of ``87년생``) falls back to the next
coarser one that it does say; a value that cannot be read (no 시/도 in the address for
``sido``) raises :class:`OperatorError`, so the caller can redact instead of guessing.
For a birth year alone, ``age_band`` uses the age reached this calendar year (연 나이).

``dateshift(value, subject_key)`` moves a date by a per-subject offset of 1..``max_days`` days
forwards or backwards, derived by HMAC from the data subject's key: all dates of one person
move together (intervals, order and weekdays-apart survive, so treatment timelines stay
analysable), different people move differently, and forgetting the subject's key makes the
offset unrecoverable. The date is written back in its own format.
"""

from __future__ import annotations

import datetime as dt

from jikimi.keys.base import KeyHandle, Purpose
from jikimi.transform._common import OperatorError, derive_subkey, seeded_drbg
from jikimi.transform.dates import parse_date
from jikimi.transform.regions import parse_region

GENERALIZE_LEVELS: dict[str, tuple[str, ...]] = {
    "DATE_OF_BIRTH": ("year", "decade", "age_band", "month"),
    "KR_ADDRESS": ("sigungu", "sido"),
    "KR_POSTAL_CODE": ("3", "2"),
    "KR_RRN": ("birth_year_sex", "none"),
    "KR_FRN": ("birth_year_sex", "none"),
}
"""Levels per type; first = default. The policy file validates ``level`` against this table."""

_CENTURY = {"9": 1800, "0": 1800, "1": 1900, "2": 1900, "5": 1900, "6": 1900,
            "3": 2000, "4": 2000, "7": 2000, "8": 2000}


def generalize(
    value: str, entity_type: str, level: str | None = None, *, today: dt.date | None = None
) -> str:
    """``value`` at generalisation ``level`` (empty/None = the type's default); see module doc."""
    levels = GENERALIZE_LEVELS.get(entity_type)
    if levels is None:
        raise OperatorError(f"generalize is not defined for {entity_type}")
    lvl = level or levels[0]
    if lvl not in levels:
        raise OperatorError(
            f"generalize: level {lvl!r} is not one of {', '.join(levels)} for {entity_type}"
        )
    if entity_type == "DATE_OF_BIRTH":
        return _birth_date(value, lvl, today or dt.date.today())
    if entity_type == "KR_ADDRESS":
        return _address(value, lvl)
    if entity_type == "KR_POSTAL_CODE":
        digits = "".join(ch for ch in value if "0" <= ch <= "9")
        if len(digits) not in (5, 6):
            raise OperatorError("generalize: a KR_POSTAL_CODE value needs 5 (or old 6) digits")
        return digits[: int(lvl)]
    return _rrn(value, lvl, entity_type)


def _birth_date(value: str, level: str, today: dt.date) -> str:
    p = parse_date(value, today=today)
    if p is None:
        raise OperatorError("generalize: cannot read this DATE_OF_BIRTH value as a date")
    if level == "month":
        return f"{p.year:04d}-{p.month:02d}" if p.month else f"{p.year:04d}"
    if level == "year":
        return f"{p.year:04d}"
    if level == "decade":
        return f"{p.year // 10 * 10}s"
    if p.day:
        age = today.year - p.year - ((today.month, today.day) < (p.month, p.day))
    elif p.month:
        age = today.year - p.year - (today.month < p.month)
    else:
        age = today.year - p.year  # 연 나이: the age reached this calendar year
    if age < 0:
        raise OperatorError("generalize: this DATE_OF_BIRTH lies in the future")
    lo = age // 10 * 10
    return f"{lo}-{lo + 9}"


def _address(value: str, level: str) -> str:
    r = parse_region(value)
    if level == "sido":
        if r.sido is None:
            raise OperatorError("generalize: no recognisable 시/도 in this KR_ADDRESS value")
        return r.sido
    parts = [p for p in (r.sido, r.sigungu) if p]
    if not parts:
        raise OperatorError("generalize: no recognisable 시/도 or 시/군/구 in this KR_ADDRESS value")
    return " ".join(parts)


def _rrn(value: str, level: str, entity_type: str) -> str:
    digits = "".join(ch for ch in value if "0" <= ch <= "9")
    if len(digits) != 13:
        raise OperatorError(f"generalize: a {entity_type} value needs 13 digits")
    if level == "none":
        return ""
    g = digits[6]
    year = _CENTURY[g] + int(digits[:2])
    sex = "남" if int(g) % 2 == 1 else "여"
    return f"{year}년생 {sex}"


# ---------------------------------------------------------------------------------------------
# date shifting


def date_offset(subject_key: KeyHandle, max_days: int = 365) -> int:
    """The subject's day offset: nonzero, uniform in ``[-max_days, -1] ∪ [1, max_days]``."""
    if isinstance(max_days, bool) or not isinstance(max_days, int) or max_days < 1:
        raise ValueError("max_days must be a positive int")
    sub = derive_subkey(subject_key, (Purpose.DATESHIFT, Purpose.SUBJECT), "dateshift/offset")
    rng = seeded_drbg(sub, f"days<={max_days}")
    k = rng.below(2 * max_days)
    return k - max_days if k < max_days else k - max_days + 1


def dateshift(value: str, subject_key: KeyHandle, max_days: int = 365) -> str:
    """``value`` moved by the subject's offset, written in its own format (see module doc)."""
    p = parse_date(value)
    if p is None or p.precision != "day":
        raise OperatorError("dateshift: the value is not a full date (year, month and day)")
    try:
        shifted = p.date() + dt.timedelta(days=date_offset(subject_key, max_days))
    except OverflowError:
        raise OperatorError("dateshift: the shifted date is out of range") from None
    return p.render(shifted)
