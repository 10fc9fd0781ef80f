"""Check digits and structural checks for Korean identifiers.

Each function takes digits only (separators already removed) and answers one question cheaply;
recognizers call them on the few candidates a pattern found. Algorithms and their sources are in
``shared/reference/korean-identifiers.md`` (sections in brackets below). python-stdnum covers RRN
and Luhn (tests cross-check against it) but not the post-2020 RRN rule, the legacy alien-number
rule, the BRN check digit or CRNs, so they are written here.
"""

from __future__ import annotations

import datetime as _dt
import time as _time

_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
RRN_RANDOM_ERA = _dt.date(2020, 10, 5)
"""From this date new RRNs keep only the sex/century digit; the rest is random [§1]."""

_CENTURY = {9: 1800, 0: 1800, 1: 1900, 2: 1900, 3: 2000, 4: 2000, 5: 1900, 6: 1900, 7: 2000, 8: 2000}
_FRN_G = "5678"
_RRN_G = "012349"


_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_date(year: int, month: int, day: int) -> bool:
    """A real calendar date (leap years included); plain arithmetic, no datetime object."""
    if not (1 <= month <= 12 and 1 <= day and 1 <= year <= 9999):
        return False
    if month == 2 and day == 29:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS[month]


_today_key = -1
_today = (0, 0, 0)


def _today_tuple() -> tuple[int, int, int]:
    """Today as (y, m, d), recomputed once a day: validators run millions of times."""
    global _today_key, _today
    key = int(_time.time() // 3600)
    if key != _today_key:
        t = _dt.date.today()
        _today_key, _today = key, (t.year, t.month, t.day)
    return _today


def birth_date(digits: str) -> _dt.date | None:
    """The birth date encoded in a 13-digit RRN/FRN (YYMMDD + century digit G), or None."""
    ymd = _birth_ymd(digits)
    return None if ymd is None else _dt.date(*ymd)


def _birth_ymd(digits: str) -> tuple[int, int, int] | None:
    if len(digits) < 7 or not digits[:7].isdigit():
        return None
    y = _CENTURY[ord(digits[6]) - 48] + int(digits[:2])
    m, d = int(digits[2:4]), int(digits[4:6])
    return (y, m, d) if valid_date(y, m, d) else None


def _weighted(digits: str) -> int:
    d = [ord(c) - 48 for c in digits[:12]]
    return (
        2 * d[0] + 3 * d[1] + 4 * d[2] + 5 * d[3] + 6 * d[4] + 7 * d[5]
        + 8 * d[6] + 9 * d[7] + 2 * d[8] + 3 * d[9] + 4 * d[10] + 5 * d[11]
    )


def rrn_check_digit(first12: str) -> int:
    """RRN check digit for numbers assigned before 5 Oct 2020: (11 − S mod 11) mod 10 [§1]."""
    return (11 - _weighted(first12) % 11) % 10


def frn_check_digit(first12: str) -> int:
    """Legacy (unofficial) alien-registration check digit: (13 − S mod 11) mod 10 [§2]."""
    return (13 - _weighted(first12) % 11) % 10


_RANDOM_ERA = (2020, 10, 5)


def _not_future(ymd: tuple[int, int, int], today: _dt.date | None) -> bool:
    return ymd <= ((today.year, today.month, today.day) if today else _today_tuple())


def rrn_kind(digits: str, *, today: _dt.date | None = None) -> str | None:
    """Classify a 13-digit RRN candidate.

    Returns ``"checksum"`` (structure, date and pre-2020 check digit all valid),
    ``"random_era"`` (valid date on or after 5 Oct 2020 with G 3/4: the tail is random by law, so
    the check digit cannot apply), ``"format"`` (valid structure and date, check digit fails:
    possible for numbers re-assigned after Oct 2020, rare) or None (not an RRN).
    """
    if len(digits) != 13 or not digits.isdigit() or digits[6] not in _RRN_G:
        return None
    born = _birth_ymd(digits)
    if born is None or not _not_future(born, today):
        return None
    if rrn_check_digit(digits) == ord(digits[12]) - 48 and int(digits[7:9]) <= 95:
        # birthplace codes 00–95 were the ones in use before the random era [§1]
        return "checksum"
    if born >= _RANDOM_ERA and digits[6] in "34":
        return "random_era"
    return "format"


def frn_kind(digits: str, *, today: _dt.date | None = None) -> str | None:
    """Classify a 13-digit alien registration number candidate.

    The checksum was never published and real numbers are known to fail it [§2, §18.1], so a
    passing checksum (legacy or RRN formula) only raises confidence: ``"checksum"`` or
    ``"format"``; None when the structure or date is impossible.
    """
    if len(digits) != 13 or not digits.isdigit() or digits[6] not in _FRN_G:
        return None
    born = _birth_ymd(digits)
    if born is None or not _not_future(born, today):
        return None
    check = ord(digits[12]) - 48
    legacy_ok = (
        int(digits[7:9]) % 2 == 0
        and digits[11] in "6789"
        and frn_check_digit(digits) == check
    )
    if legacy_ok or rrn_check_digit(digits) == check:
        return "checksum"
    return "format"


_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> int:
    """Business registration number check digit [§3]."""
    total = sum(int(d) * w for d, w in zip(first9, _BRN_WEIGHTS))
    total += int(first9[8]) * 5 // 10
    return (10 - total % 10) % 10


def brn_valid(digits: str) -> bool:
    """10 digits, office code ≥ 101, type code ≠ 00, serial ≠ 0000, check digit ok [§3]."""
    return (
        len(digits) == 10
        and digits.isdigit()
        and int(digits[:3]) >= 101
        and digits[3:5] != "00"
        and digits[5:9] != "0000"
        and brn_check_digit(digits) == int(digits[9])
    )


def brn_is_individual(digits: str) -> bool:
    """Type codes 01–79 and 90–99 belong to sole proprietors, whose BRN is personal data [§3]."""
    code = int(digits[3:5])
    return 1 <= code <= 79 or code >= 90


def crn_check_digit(first12: str) -> int:
    """Corporate registration number check digit: weights 1,2,… on plain products [§4]."""
    d = [ord(c) - 48 for c in first12[:12]]
    total = sum(d[0::2]) + 2 * sum(d[1::2])
    return (10 - total % 10) % 10


def crn_valid(digits: str) -> bool:
    return len(digits) == 13 and digits.isdigit() and crn_check_digit(digits) == int(digits[12])


def luhn_ok(digits: str) -> bool:
    """Luhn mod-10 check over all digits (the last one is the check digit) [§10]."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` pass Luhn."""
    for d in range(10):
        if luhn_ok(payload + str(d)):
            return d
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def card_brand(digits: str) -> str | None:
    """Issuer family from the IIN and length, or None for ranges no card scheme uses [§10]."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= two <= 55 or 2221 <= four <= 2720) and n == 16:
        return "mastercard"
    if two in (34, 37) and n == 15:
        return "amex"
    if 3528 <= four <= 3589 and n == 16:
        return "jcb"
    if two == 62 and 16 <= n <= 19:
        return "unionpay"
    if (two == 36 and n == 14) or (300 <= int(digits[:3]) <= 305 and n == 14):
        return "diners"
    if digits[0] == "9" and n == 16:
        return "kr_domestic"
    if (digits.startswith("6011") or two == 65) and n == 16:
        return "discover"
    return None
