"""Shared pieces of the operators: the error type, value normalisation, key derivation, a DRBG.

Why a module of its own: tokens, labels and surrogates must all agree on when two spellings
are "the same value" (``010-4821-7390`` and ``01048217390``), and every keyed operator must
check the key's purpose the same way before deriving a per-entity-type subkey.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from typing import TypeVar

from jikimi.keys.base import KeyHandle, Purpose, key_material

T = TypeVar("T")


class OperatorError(ValueError):
    """An operator cannot transform a value (wrong type, too short, unparseable, tampered).

    Messages name the entity type and the reason, never the value or any key material: they
    end up in logs and quarantine reports that may leave home.
    """


# ---------------------------------------------------------------------------------------------
# keys


def derive_subkey(
    handle: KeyHandle, purposes: Purpose | tuple[Purpose, ...], label: str, length: int = 32
) -> bytes:
    """The per-use subkey ``label`` of ``handle`` after checking the key's purpose.

    ``KeyHandle.subkey`` itself does not check the purpose; this does, so a token key used for
    encryption (or any other cross-use) is a :class:`PermissionError`, not a silent success.
    ``purposes`` may list several: per-subject keys (``SUBJECT``) legitimately serve both
    ``encrypt`` and ``dateshift``, each under its own subkey label, so the two uses never share
    key bytes.
    """
    allowed = purposes if isinstance(purposes, tuple) else (purposes,)
    if handle.purpose not in allowed:
        # key_material raises the standard PermissionError (naming the key, never material)
        key_material(handle, allowed[0])
    key_material(handle, handle.purpose)
    return handle.subkey(label, length)


# ---------------------------------------------------------------------------------------------
# normalisation

NUMERIC_TYPES = frozenset({
    "KR_RRN", "KR_FRN", "CREDIT_CARD", "KR_BANK_ACCOUNT", "KR_HEALTH_INSURANCE", "KR_BRN",
    "KR_CRN", "KR_POSTAL_CODE", "PHONE_NUMBER", "KR_DRIVER_LICENSE",
})
"""Types whose identity is their digits: separators and spacing never change who is meant."""

LICENSE_REGION_CODES: dict[str, str] = {
    "서울": "11", "부산": "12", "경기": "13", "강원": "14", "충북": "15", "충남": "16",
    "전북": "17", "전남": "18", "경북": "19", "경남": "20", "제주": "21", "대구": "22",
    "인천": "23", "광주": "24", "대전": "25", "울산": "26", "경기북부": "28",
}
"""Pre-2014 driver's-licence region names → numeric codes (reference §6), so that
``서울 96-104823-41`` and ``11-96-104823-41`` normalise alike."""

_WS = re.compile(r"\s+")


def _ascii_digits(s: str) -> str:
    return "".join(ch for ch in s if "0" <= ch <= "9")


def national_phone_digits(value: str) -> str:
    """The digits of a Korean phone number in national form (trunk ``0`` restored).

    ``+82 10-4821-7390``, ``0082-10-4821-7390``, ``+82 (0)10…`` and ``010-4821-7390`` all give
    ``01048217390``: one subscriber, one identity.
    """
    v = unicodedata.normalize("NFKC", value)
    d = _ascii_digits(v)
    rest: str | None = None
    if d.startswith("0082"):
        rest = d[4:]
    elif d.startswith("82"):
        # "+82…" or a bare "82-10-…": domestic numbers start with the trunk 0 (or 1 for 15XX
        # representative numbers), never with 8
        rest = d[2:]
    if rest is None:
        return d
    return rest if rest.startswith("0") else "0" + rest


def phone_prefix_len(value: str) -> int:
    """How many of the ASCII digits of ``value`` are its routing prefix, not the subscriber.

    The prefix is the country code (``82``/``0082``, when written) plus the area or service
    code in national form (reference §8): ``02`` (Seoul), ``050X`` (personal numbers), ``15XX``
    / ``16XX`` / ``18XX`` (representative numbers), otherwise three digits (``010``, ``031``,
    ``070``…). ``mask`` keeps it, ``surrogate`` keeps it and ``fpe`` leaves it in clear, so the
    output still reads as the same kind of number.
    """
    d = _ascii_digits(value)
    cc = 4 if d.startswith("0082") else 2 if d.startswith("82") else 0
    nat = d[cc:]
    trunk_missing = cc > 0 and not nat.startswith("0")
    n = "0" + nat if trunk_missing else nat
    if n.startswith("02"):
        area = 2
    elif n.startswith("050") or n[:2] in ("15", "16", "18"):
        area = 4
    else:
        area = 3
    return min(len(d), cc + area - (1 if trunk_missing else 0))


def normalize(value: str, entity_type: str) -> str:
    """The canonical form two spellings of one value share; input to tokens, labels, surrogates.

    Numbers keep digits only (phones in national form, licence region names as codes);
    passports are upper-case alphanumerics; plates lose their spaces; IP addresses take their
    canonical ``ipaddress`` form; birth dates become ISO ``YYYY-MM-DD`` when they parse; names
    drop the spaces inside Hangul (``김 민준`` = ``김민준``); everything else is NFC, case-folded,
    with runs of whitespace collapsed.
    """
    if entity_type == "PHONE_NUMBER":
        return national_phone_digits(value)
    if entity_type == "KR_DRIVER_LICENSE":
        v = unicodedata.normalize("NFKC", value).strip()
        for name in sorted(LICENSE_REGION_CODES, key=len, reverse=True):
            if v.startswith(name):
                return LICENSE_REGION_CODES[name] + _ascii_digits(v[len(name) :])
        return _ascii_digits(v)
    if entity_type in NUMERIC_TYPES:
        return _ascii_digits(unicodedata.normalize("NFKC", value))
    if entity_type == "KR_PASSPORT":
        return "".join(ch for ch in unicodedata.normalize("NFKC", value).upper() if ch.isalnum())
    if entity_type == "KR_VEHICLE_PLATE":
        return _WS.sub("", unicodedata.normalize("NFC", value))
    if entity_type == "IP_ADDRESS":
        import ipaddress

        v = value.strip()
        try:
            return ipaddress.ip_address(v).compressed
        except ValueError:
            return v.casefold()
    if entity_type == "DATE_OF_BIRTH":
        from jikimi.transform.dates import parse_date

        parsed = parse_date(value)
        if parsed is not None:
            return parsed.iso()
    text = _WS.sub(" ", unicodedata.normalize("NFC", value)).strip().casefold()
    if entity_type == "PERSON" and any("가" <= ch <= "힣" for ch in text):
        return text.replace(" ", "")
    return text


# ---------------------------------------------------------------------------------------------
# deterministic randomness


class Drbg:
    """A deterministic random stream: HMAC-SHA256 in counter mode under a 32-byte seed.

    Why not :class:`random.Random`: Python guarantees only ``random()`` to be reproducible
    across versions, not ``choice``/``randrange``; surrogates must stay identical across
    Python upgrades, or a dataset protected last year stops joining with this year's. Every
    draw here is plain integer arithmetic over HMAC output, so it never changes.
    """

    __slots__ = ("_buf", "_counter", "_seed")

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0
        self._buf = b""

    def __repr__(self) -> str:
        return "Drbg(<seeded>)"

    def _take(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._buf += hmac.digest(self._seed, self._counter.to_bytes(8, "big"), "sha256")
            self._counter += 1
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def below(self, n: int) -> int:
        """Uniform integer in ``[0, n)`` by rejection sampling (no modulo bias)."""
        if n <= 1:
            return 0
        bits = (n - 1).bit_length()
        mask = (1 << bits) - 1
        nbytes = (bits + 7) // 8
        while True:
            x = int.from_bytes(self._take(nbytes), "big") & mask
            if x < n:
                return x

    def between(self, lo: int, hi: int) -> int:
        """Uniform integer in ``[lo, hi]``."""
        return lo + self.below(hi - lo + 1)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.below(len(seq))]

    def digits(self, n: int) -> str:
        return "".join(chr(48 + self.below(10)) for _ in range(n))

    def weighted(self, items: Sequence[T], cumulative: Sequence[int]) -> T:
        """Draw from ``items`` with integer weights given as a running total."""
        r = self.below(cumulative[-1])
        return items[bisect_right(cumulative, r)]


def seeded_drbg(subkey: bytes, normalized: str) -> Drbg:
    """A DRBG seeded by HMAC(subkey, normalized value): same value + key → same stream."""
    return Drbg(hmac.digest(subkey, normalized.encode("utf-8"), "sha256"))
