"""The entity taxonomy: what kinds of personal data jikimi knows, and how much each one matters.

Every other module keys on these names, so they are a public, stable interface: renaming one is
a breaking change (DESIGN.md, "Interfaces other tools rely on"). Where Microsoft Presidio has a
name for a type we use it, so findings can be compared and exchanged with Presidio pipelines;
Korean-only types carry a ``KR_`` prefix.

The PIPA category and risk tier drive the protection defaults of ``jikimi protect``:

* tier 1 — unique identifiers (고유식별정보, PIPA Art. 24, Enforcement Decree Art. 19): RRN,
  alien registration, passport and driver's licence numbers. Art. 24-2 forbids processing RRNs
  without a statutory basis and requires encryption at rest, so these never leave in clear.
* tier 2 — financial and medical identifiers (card, account, health-insurance numbers): the
  Safety Measures Standard (PIPC Notice 2026-9) requires card and account numbers encrypted.
* tier 3 — direct identifiers and contact data: names, phones, e-mail, addresses, plates.
* tier 4 — quasi-identifiers (birth dates, postal codes) and business identifiers: harmless
  alone, identifying in combination; generalised rather than removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PipaCategory(str, Enum):
    """How PIPA and the PIPC safety-measures standard classify a kind of data."""

    UNIQUE_IDENTIFIER = "unique_identifier"  # 고유식별정보, PIPA Art. 24
    FINANCIAL = "financial"  # card/account numbers, Notice 2026-9 encryption duty
    MEDICAL = "medical"  # health-insurance numbers (health data: PIPA Art. 23)
    CONTACT = "contact"  # phone, e-mail
    DIRECT_IDENTIFIER = "direct_identifier"  # name, address, plate, IP
    QUASI_IDENTIFIER = "quasi_identifier"  # birth date, postal code
    BUSINESS = "business"  # BRN/CRN; sole-proprietor BRNs are personal data


@dataclass(frozen=True, slots=True)
class EntityType:
    """One kind of personal data. ``name`` is the stable identifier used in every output."""

    name: str
    label_ko: str
    label_en: str
    category: PipaCategory
    tier: int
    default_operator: str
    priority: int
    """Tie-breaker when two findings cover the same span with the same score: higher wins.
    Checksum-backed types outrank shape-only ones (a valid CRN beats an RRN look-alike)."""


def _e(
    name: str, ko: str, en: str, cat: PipaCategory, tier: int, op: str, prio: int
) -> EntityType:
    return EntityType(name, ko, en, cat, tier, op, prio)


_C = PipaCategory
ENTITY_TYPES: dict[str, EntityType] = {
    e.name: e
    for e in (
        _e("KR_RRN", "주민등록번호", "Resident registration number", _C.UNIQUE_IDENTIFIER, 1, "encrypt", 95),
        _e("KR_FRN", "외국인등록번호", "Alien registration number", _C.UNIQUE_IDENTIFIER, 1, "encrypt", 94),
        _e("KR_PASSPORT", "여권번호", "Passport number", _C.UNIQUE_IDENTIFIER, 1, "encrypt", 80),
        _e("KR_DRIVER_LICENSE", "운전면허번호", "Driver's licence number", _C.UNIQUE_IDENTIFIER, 1, "encrypt", 85),
        _e("CREDIT_CARD", "카드번호", "Payment card number", _C.FINANCIAL, 2, "encrypt", 90),
        _e("KR_BANK_ACCOUNT", "계좌번호", "Bank account number", _C.FINANCIAL, 2, "encrypt", 60),
        _e("KR_HEALTH_INSURANCE", "건강보험증번호", "Health-insurance number", _C.MEDICAL, 2, "encrypt", 55),
        _e("PHONE_NUMBER", "전화번호", "Phone number", _C.CONTACT, 3, "token", 70),
        _e("EMAIL_ADDRESS", "이메일 주소", "E-mail address", _C.CONTACT, 3, "token", 99),
        _e("PERSON", "성명", "Person name", _C.DIRECT_IDENTIFIER, 3, "surrogate", 50),
        _e("KR_ADDRESS", "주소", "Postal address", _C.DIRECT_IDENTIFIER, 3, "generalize", 45),
        _e("IP_ADDRESS", "IP 주소", "IP address", _C.DIRECT_IDENTIFIER, 3, "token", 75),
        _e("KR_VEHICLE_PLATE", "자동차 등록번호", "Vehicle registration plate", _C.DIRECT_IDENTIFIER, 3, "token", 65),
        _e("DATE_OF_BIRTH", "생년월일", "Date of birth", _C.QUASI_IDENTIFIER, 4, "generalize", 40),
        _e("KR_POSTAL_CODE", "우편번호", "Postal code", _C.QUASI_IDENTIFIER, 4, "generalize", 30),
        _e("KR_BRN", "사업자등록번호", "Business registration number", _C.BUSINESS, 4, "token", 88),
        _e("KR_CRN", "법인등록번호", "Corporate registration number", _C.BUSINESS, 4, "token", 96),
    )
}

ALL_ENTITIES: tuple[str, ...] = tuple(ENTITY_TYPES)


def get_entity(name: str) -> EntityType:
    """Look up an entity type; an unknown name is a usage error that names the valid ones."""
    try:
        return ENTITY_TYPES[name]
    except KeyError:
        raise ValueError(
            f"unknown entity type {name!r}; known types: {', '.join(ALL_ENTITIES)}"
        ) from None


def resolve_entities(names: object) -> frozenset[str]:
    """Normalise a user's entity selection (None = all) and reject unknown names early."""
    if names is None:
        return frozenset(ALL_ENTITIES)
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    if not isinstance(names, (list, tuple, set, frozenset)):
        raise TypeError("entities must be None, a comma-separated string or a collection of names")
    return frozenset(get_entity(str(n).strip()).name for n in names)
