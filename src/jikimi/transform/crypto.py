"""Reversible operators: format-preserving encryption (FF1) and authenticated encryption.

``fpe``/``fpe_reveal``: FF1 (NIST SP 800-38G Rev. 1, :mod:`jikimi.transform.ff1`) under the FPE
key's subkey for the entity type, with the entity type as tweak. Digits are encrypted as
digits and every other character (``-``, spaces, the passport's letters, the plate's Hangul
syllable, a licence's region name) stays in place, so ``900101-1234567`` becomes another
``dddddd-ddddddd``. Phone numbers keep their routing prefix (``010``, ``02``, ``+82 10``) in
clear and encrypt the subscriber digits only, so the result is still read as a phone number.
Names (PERSON) are encrypted over the 11,172 Hangul syllables. FF1 needs
``radix ** length >= 1,000,000``: at least 6 digits or 2 syllables; shorter values (5-digit
postal codes, one-syllable names, 15XX-XXXX representative numbers) raise
:class:`OperatorError` so the caller can fall back to ``token`` or ``surrogate``. Note: FPE
output is an arbitrary digit string of the right shape and may pass a validator by chance
(about 1 in 10 for Luhn); when a protected dataset must contain no valid identifiers, use
``surrogate`` or ``encrypt``.

``encrypt``/``decrypt``: AES-256-SIV (``deterministic=True``: equal values give equal
ciphertexts, so joins work; RFC 5297) or AES-256-GCM (``deterministic=False``: a fresh random
96-bit nonce per value, so equal values are unlinkable; at most ~2^32 encryptions per key
version keep the nonce-collision risk below 2^-32). The output is text-safe and
self-describing::

    jk1.<alg>.<entity type>.<key id>.<key version>.<base64url payload>

``alg`` is ``siv`` or ``gcm``; the key id is percent-encoded except ``/`` (``.`` too, so a dot
only ever separates fields and a plain regex finds ciphertexts in text). Everything before the
payload is the associated data, so changing the entity type, key id, version or algorithm in
the header makes decryption fail rather than return a value under a wrong label. The SIV and
GCM keys are distinct subkeys of the key handle (``encrypt/aes-256-siv``,
``encrypt/aes-256-gcm``): one key, one algorithm. Accepted keys: ``ENCRYPT`` keys and
per-subject ``SUBJECT`` keys (crypto-shredding: forgetting the subject destroys every value).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote, unquote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV

from jikimi.keys.base import KeyHandle, Purpose
from jikimi.transform._common import OperatorError, derive_subkey, phone_prefix_len

if TYPE_CHECKING:
    from jikimi.transform.ff1 import FF1

# ---------------------------------------------------------------------------------------------
# FF1

FPE_DIGIT_TYPES = frozenset({
    "KR_RRN", "KR_FRN", "KR_DRIVER_LICENSE", "KR_PASSPORT", "CREDIT_CARD", "KR_BANK_ACCOUNT",
    "KR_HEALTH_INSURANCE", "PHONE_NUMBER", "KR_BRN", "KR_CRN", "KR_POSTAL_CODE",
    "KR_VEHICLE_PLATE",
})
"""Types whose digits FF1 encrypts (radix 10); PERSON uses the Hangul alphabet instead."""


def _ff1(key: KeyHandle, entity_type: str) -> FF1:
    if entity_type == "PERSON":
        hangul = True
    elif entity_type in FPE_DIGIT_TYPES:
        hangul = False
    else:
        raise OperatorError(
            f"fpe is not defined for {entity_type}; use token, surrogate or encrypt"
        )
    return _ff1_cached(derive_subkey(key, Purpose.FPE, entity_type), hangul)


@lru_cache(maxsize=64)
def _ff1_cached(subkey: bytes, hangul: bool) -> FF1:
    """One FF1 instance per (subkey, alphabet).

    Why cache: building an FF1 runs the AES key schedule and, for the 11,172-syllable Hangul
    alphabet, indexes the whole alphabet (~4 ms); the instance also caches its per-length and
    per-tweak state. Keyed by the derived per-type subkey (never the parent key), and FPE keys
    are few and long-lived, so 64 entries cover every key version in use.
    """
    from jikimi.transform.ff1 import DIGITS, FF1, HANGUL  # lazy: built by a sibling module

    return FF1(subkey, HANGUL if hangul else DIGITS)


def _fpe(value: str, entity_type: str, key: KeyHandle, *, reveal: bool) -> str:
    from jikimi.transform.ff1 import decrypt_preserving, encrypt_preserving

    ff1 = _ff1(key, entity_type)
    head, body = "", value
    if entity_type == "PHONE_NUMBER":
        # keep the routing prefix in clear: cut after its last digit
        p = phone_prefix_len(value)
        seen = 0
        for i, ch in enumerate(value):
            if "0" <= ch <= "9":
                seen += 1
                if seen == p:
                    head, body = value[: i + 1], value[i + 1 :]
                    break
    n = sum(1 for ch in body if ch in ff1)
    if n < ff1.min_len:
        unit = "Hangul syllables" if entity_type == "PERSON" else "digits"
        raise OperatorError(
            f"fpe: this {entity_type} value has {n} {unit} to encrypt, FF1 needs at least "
            f"{ff1.min_len} (NIST SP 800-38G minimum domain); use token or surrogate instead"
        )
    op = decrypt_preserving if reveal else encrypt_preserving
    return head + op(ff1, body, entity_type.encode("ascii"))


def fpe(value: str, entity_type: str, key: KeyHandle) -> str:
    """Format-preserving encryption of ``value`` (see module doc); undo with :func:`fpe_reveal`."""
    return _fpe(value, entity_type, key, reveal=False)


def fpe_reveal(value: str, entity_type: str, key: KeyHandle) -> str:
    """The original value of an :func:`fpe` output (same key version and entity type)."""
    return _fpe(value, entity_type, key, reveal=True)


# ---------------------------------------------------------------------------------------------
# AES-SIV / AES-GCM

PREFIX = "jk1"
_ENCRYPT_PURPOSES = (Purpose.ENCRYPT, Purpose.SUBJECT)
_TYPE_RE = re.compile(r"[A-Za-z0-9_]{1,64}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]+")
_KID_RE = re.compile(r"[A-Za-z0-9_~%/-]{1,256}")
_NONCE = 12


class DecryptError(OperatorError):
    """A ciphertext is malformed, was altered, or does not match the key. The message never
    contains the ciphertext (it may be attacker-controlled) nor the key."""


class CiphertextInfo(NamedTuple):
    """The header of a ``jk1`` ciphertext: safe to log."""

    alg: str
    entity_type: str
    key_id: str
    version: int


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _siv(key: KeyHandle) -> AESSIV:
    k = derive_subkey(key, _ENCRYPT_PURPOSES, "encrypt/aes-256-siv/1") + derive_subkey(
        key, _ENCRYPT_PURPOSES, "encrypt/aes-256-siv/2"
    )
    return AESSIV(k)  # 64 bytes: AES-256-SIV (RFC 5297)


def _gcm(key: KeyHandle) -> AESGCM:
    return AESGCM(derive_subkey(key, _ENCRYPT_PURPOSES, "encrypt/aes-256-gcm"))


def encrypt(value: str, entity_type: str, key: KeyHandle, *, deterministic: bool) -> str:
    """Encrypt ``value``; the result is a ``jk1.…`` string that :func:`decrypt` reverses.

    ``deterministic=True`` uses AES-SIV (equal inputs → equal outputs, for joins);
    ``False`` uses AES-GCM with a random nonce (equal inputs are unlinkable).
    """
    if not _TYPE_RE.fullmatch(entity_type):
        raise OperatorError("encrypt: the entity type must be 1-64 characters of [A-Za-z0-9_]")
    alg = "siv" if deterministic else "gcm"
    kid = quote(key.key_id, safe="/").replace(".", "%2E")  # "." only ever separates fields
    header = f"{PREFIX}.{alg}.{entity_type}.{kid}.{key.version}"
    ad = header.encode("ascii")
    pt = value.encode("utf-8")
    if deterministic:
        payload = _siv(key).encrypt(pt, [ad])
    else:
        nonce = os.urandom(_NONCE)
        payload = nonce + _gcm(key).encrypt(nonce, pt, ad)
    return f"{header}.{_b64e(payload)}"


def _parse(text: str) -> tuple[CiphertextInfo, str, str]:
    """(info, header text, payload text) of a ciphertext, or DecryptError."""
    if not isinstance(text, str):
        raise DecryptError("not a jikimi ciphertext: expected a str")
    parts = text.split(".", 3)
    if len(parts) != 4 or parts[0] != PREFIX:
        raise DecryptError(
            "not a jikimi ciphertext: expected jk1.<alg>.<type>.<key id>.<version>.<payload>"
        )
    _, alg, etype, rest = parts
    if alg not in ("siv", "gcm"):
        raise DecryptError("not a jikimi ciphertext: unknown algorithm field")
    if not _TYPE_RE.fullmatch(etype):
        raise DecryptError("not a jikimi ciphertext: bad entity-type field")
    tail = rest.rsplit(".", 2)
    if len(tail) != 3:
        raise DecryptError("not a jikimi ciphertext: missing key id, version or payload")
    kid_q, ver, payload = tail
    if not _KID_RE.fullmatch(kid_q) or not ver.isascii() or not ver.isdigit() or len(ver) > 9:
        raise DecryptError("not a jikimi ciphertext: bad key id or version field")
    if not _B64URL_RE.fullmatch(payload):
        raise DecryptError("not a jikimi ciphertext: payload is not base64url")
    header = text[: len(text) - len(payload) - 1]
    return CiphertextInfo(alg, etype, unquote(kid_q), int(ver)), header, payload


def ciphertext_info(text: str) -> CiphertextInfo:
    """Read the header of a ``jk1`` ciphertext without decrypting (for reveal policies)."""
    return _parse(text)[0]


def decrypt(text: str, keyring_lookup: Callable[[str, int], KeyHandle]) -> str:
    """The value inside an :func:`encrypt` output.

    ``keyring_lookup(key_id, version)`` returns the key version named in the header (e.g.
    ``keyring.get``); its own errors (``KeyNotFound`` for a forgotten subject) propagate.
    Malformed input, a wrong key or any altered byte raise :class:`DecryptError`.
    """
    info, header, payload = _parse(text)
    key = keyring_lookup(info.key_id, info.version)
    if key.key_id != info.key_id or key.version != info.version:
        raise DecryptError("the keyring returned a different key version than the header names")
    try:
        raw = _b64d(payload)
    except (binascii.Error, ValueError):
        raise DecryptError("not a jikimi ciphertext: payload is not base64url") from None
    ad = header.encode("ascii")
    try:
        if info.alg == "siv":
            if len(raw) < 16:
                raise DecryptError("not a jikimi ciphertext: payload too short")
            pt = _siv(key).decrypt(raw, [ad])
        else:
            if len(raw) < _NONCE + 16:
                raise DecryptError("not a jikimi ciphertext: payload too short")
            pt = _gcm(key).decrypt(raw[:_NONCE], raw[_NONCE:], ad)
    except InvalidTag:
        raise DecryptError(
            "authentication failed: wrong key, or the ciphertext or its header was altered"
        ) from None
    try:
        return pt.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - authenticated, so only our own bug
        raise DecryptError("decrypted bytes are not UTF-8") from None
