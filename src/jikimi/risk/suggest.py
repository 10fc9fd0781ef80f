"""Which columns are quasi-identifiers, and which hierarchy fits each one.

A quasi-identifier is not personal data on its own (an age, a 시/군/구) but combines with
others to single people out — Sweeney's 87 % of Americans unique on ZIP, birth date and sex.
The scanner's column classification (:func:`jikimi.detect.columns.classify_column`) already
tells addresses, postal codes and birth dates from a sample of cells; what it cannot see —
ages, sex, occupation, event dates have no pattern of their own — is read from the header
(Korean and English names) and from the values. Columns the scanner types as direct
identifiers (주민등록번호, phone, e-mail, names…) are reported as such: they must be removed or
pseudonymised, not generalised, so they are never proposed as QIs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from jikimi.detect.columns import classify_column
from jikimi.risk.hierarchies import occupation_major
from jikimi.transform.dates import parse_date

SAMPLE = 200
VALUE_SHARE = 0.8
"""Share of sampled non-empty values that must fit a value rule (sex, age, date, occupation)."""

_NAME_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("birth_date", re.compile(r"생년월일|생일|출생|birth|dob", re.IGNORECASE)),
    ("postal_code", re.compile(r"우편번호|zip|postal|postcode", re.IGNORECASE)),
    ("address", re.compile(r"주소|거주지|소재지|address|addr", re.IGNORECASE)),
    ("age", re.compile(r"나이|연령|^age$|_age$|^age_", re.IGNORECASE)),
    ("sex", re.compile(r"성별|^sex$|gender", re.IGNORECASE)),
    ("occupation", re.compile(r"직업|직종|occupation|^job", re.IGNORECASE)),
    ("date", re.compile(r"일자|날짜|일시|입원일|퇴원일|진료일|date|_dt$", re.IGNORECASE)),
)

_ENTITY_HIERARCHY = {
    "KR_ADDRESS": "address",
    "KR_POSTAL_CODE": "postal_code",
    "DATE_OF_BIRTH": "birth_date",
}
DIRECT_IDENTIFIERS = frozenset(
    {
        "KR_RRN",
        "KR_FRN",
        "KR_PASSPORT",
        "KR_DRIVER_LICENSE",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "PERSON",
        "CREDIT_CARD",
        "KR_BANK_ACCOUNT",
        "KR_HEALTH_INSURANCE",
        "KR_VEHICLE_PLATE",
        "IP_ADDRESS",
        "KR_BRN",
        "KR_CRN",
    }
)
_SEX_VALUES = frozenset({"남", "여", "남자", "여자", "남성", "여성", "m", "f", "male", "female"})


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A column's proposed role: ``quasi_identifier`` (with a hierarchy name) or
    ``direct_identifier`` (remove or pseudonymise before measuring)."""

    column: str
    role: str
    hierarchy: str | None
    reason: str


def _sample(values: Sequence[Any]) -> list[str]:
    out = []
    for v in values:
        if v is None or not str(v).strip():
            continue
        out.append(str(v).strip())
        if len(out) >= SAMPLE:
            break
    return out


def _share(values: list[str], test: Any) -> float:
    if not values:
        return 0.0
    ok = 0
    for v in values:
        try:
            ok += bool(test(v))
        except (ValueError, KeyError):
            pass
    return ok / len(values)


def _job_title(v: str) -> bool:
    """A job title we can class (bare numbers are KSCO codes only under an 직업 header)."""
    return not v[:1].isdigit() and bool(occupation_major(v))


def _is_age(v: str) -> bool:
    return v.isdigit() and 0 <= int(v) <= 120


def classify(name: str, values: Sequence[Any]) -> Suggestion | None:
    """The suggestion for one column (``None``: not a QI as far as we can tell)."""
    sample = _sample(values)
    profile = classify_column(name, sample)
    if profile.entity_type in _ENTITY_HIERARCHY:
        h = _ENTITY_HIERARCHY[profile.entity_type]
        return Suggestion(
            name,
            "quasi_identifier",
            h,
            f"scanner: {profile.share:.0%} of sampled cells are {profile.entity_type}",
        )
    if profile.entity_type in DIRECT_IDENTIFIERS:
        return Suggestion(
            name,
            "direct_identifier",
            None,
            f"scanner: {profile.share:.0%} of sampled cells are {profile.entity_type}",
        )
    for hierarchy, pattern in _NAME_RULES:
        if pattern.search(name):
            return Suggestion(
                name, "quasi_identifier", hierarchy, f"column name matches {hierarchy}"
            )
    if sample and _share(sample, lambda v: v.lower() in _SEX_VALUES) >= VALUE_SHARE:
        return Suggestion(name, "quasi_identifier", "sex", "values are 남/여 (M/F)")
    if (
        sample
        and _share(sample, lambda v: parse_date(v) is not None and len(v) >= 6) >= VALUE_SHARE
    ):
        return Suggestion(name, "quasi_identifier", "date", "values are dates")
    if sample and _share(sample, _job_title) >= VALUE_SHARE:
        return Suggestion(name, "quasi_identifier", "occupation", "values are job titles")
    return None


def suggest(table: pa.Table) -> list[Suggestion]:
    """Suggestions for every column of ``table`` that looks like a QI or a direct identifier.

    Only the first :data:`SAMPLE` non-empty values of each column are read.
    """
    out = []
    for name in table.column_names:
        col = table.column(name).slice(0, SAMPLE * 5).to_pylist()
        s = classify(name, col)
        if s is not None:
            out.append(s)
    return out


def hierarchy_for(name: str, values: Sequence[Any]) -> str:
    """The hierarchy to use for a QI column the user named without one (``suppress`` when
    nothing fits: the column can then only be kept or blanked)."""
    s = classify(name, values)
    if s is not None and s.hierarchy is not None:
        return s.hierarchy
    sample = _sample(values)
    if sample and _share(sample, _is_age) >= VALUE_SHARE:
        return "age"
    return "suppress"
