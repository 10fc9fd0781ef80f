"""Envelope encryption: random data keys wrapped by a key-encryption key (KEK).

Every key jikimi uses (token, FPE, encrypt keys, the subject-wrapping key) is 32 random bytes that
only ever touch disk wrapped by a KEK. The KEK is either derived from a passphrase (scrypt) or
lives inside a PKCS#11 token and never leaves it (:mod:`jikimi.keys.pkcs11`). Keeping wrapped keys
and the unwrapping secret apart is what PIPA Art. 28-4 and Decree 29-5 ask of "additional
information" (stored separately, separate access rights) and what the Safety Measures Standard's
key-management procedures expect for large processors.

Wrapping algorithm: **AES-256-GCM-SIV** (RFC 8452), not AES-KW (RFC 3394/5649), because

* GCM-SIV authenticates *associated data* natively. The AAD binds key id, version and purpose, so
  a wrapped key copied into another slot (e.g. an ``encrypt`` key re-labelled as a ``token`` key,
  or v1 swapped for v2) fails to unwrap. AES-KW has no AAD; binding would need a per-slot KEK
  derivation on top.
* Its tag is 128 bits, against AES-KW's 64-bit integrity check value.
* It is nonce-misuse resistant: if the random 96-bit nonce ever repeated, an attacker would learn
  only that the same key was wrapped twice under the same AAD - no forgery, no keystream reuse as
  with plain GCM. Random nonces are therefore safe far beyond the wraps a keyring ever does.

The cost is 12 bytes of nonce per blob and the need for OpenSSL >= 3.2 (the ``cryptography`` wheels
bundle it). Blob layout: ``0x01 || nonce(12) || ciphertext(len(key)) || tag(16)``; the leading
byte names the format so it can evolve.

Per-subject keys are wrapped differently (see :class:`SubjectKeyWrapper`): not by the KEK - a
scrypt-derived KEK is deliberately slow and an HSM round trip per subject would not scale to
millions - but by one "subject-wrapping key" that is itself wrapped by the KEK once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV, AESSIV
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from jikimi.keys.base import Purpose, UnwrapError

DATA_KEY_BYTES = 32
"""Length of every data key (AES-256 / HMAC-SHA256 strength)."""

FORMAT_GCM_SIV = 0x01
FORMAT_PKCS11_GCM = 0x02
FORMAT_SUBJECT_SIV = 0x03

_NONCE_BYTES = 12
_TAG_BYTES = 16


def new_data_key(length: int = DATA_KEY_BYTES) -> bytes:
    """Fresh key material from the OS CSPRNG (``os.urandom``); never derived, never reused."""
    return os.urandom(length)


def encode_aad(*parts: str) -> bytes:
    """Length-prefixed encoding of AAD fields, so no two different field lists give the same
    bytes (plain joining would let ``("a/b", "c")`` collide with ``("a", "b/c")``)."""
    out = bytearray(b"jikimi/aad/v1")
    for part in parts:
        raw = part.encode("utf-8")
        out += struct.pack(">I", len(raw))
        out += raw
    return bytes(out)


def key_aad(key_id: str, version: int, purpose: Purpose) -> bytes:
    """Associated data for a named key: a wrapped key only unwraps in its own slot."""
    return encode_aad("key", key_id, str(version), purpose.value)


@runtime_checkable
class Kek(Protocol):
    """A key-encryption key. ``kek_id`` is a non-secret name stored with the keyring so a keyring
    opened with the wrong kind of KEK gets a clear error rather than an authentication failure;
    ``kind`` says which implementation sealed it."""

    @property
    def kek_id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        """Encrypt and authenticate ``data_key`` bound to ``aad``."""
        ...

    def unwrap(self, blob: bytes, aad: bytes) -> bytes:
        """Inverse of :meth:`wrap`; raises :class:`UnwrapError` if ``blob`` or ``aad`` differ."""
        ...


class AesGcmSivKek:
    """A KEK held in process memory as raw AES-256 material (the passphrase KEK after scrypt;
    also handy for tests). See the module docstring for why GCM-SIV."""

    def __init__(self, key: bytes, kek_id: str, kind: str = "raw-aes-gcm-siv") -> None:
        if len(key) != 32:
            raise ValueError("an AES-256-GCM-SIV KEK takes exactly 32 bytes")
        self._aead = AESGCMSIV(key)
        self._kek_id = kek_id
        self._kind = kind

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._kind}:{self._kek_id})"

    @property
    def kek_id(self) -> str:
        return self._kek_id

    @property
    def kind(self) -> str:
        return self._kind

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return bytes([FORMAT_GCM_SIV]) + nonce + self._aead.encrypt(nonce, data_key, aad)

    def unwrap(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[0] != FORMAT_GCM_SIV:
            raise UnwrapError("not a jikimi AES-GCM-SIV wrapped key (unknown format)")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[1 + _NONCE_BYTES :], aad)
        except InvalidTag:
            # ``from None``: the caller needs "wrong KEK or tampered", not a cryptography traceback.
            raise UnwrapError(
                "wrapped key did not authenticate: wrong key-encryption key, or the blob was "
                "tampered with or moved to another key slot"
            ) from None


# --- scrypt parameters -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt cost parameters, stored (with the salt) in the keyring so it reopens identically.

    Default n=2**15, r=8, p=1: 32 MiB of memory and about 85 ms per derivation on the 2-core
    development machine (measured 2026: n=2**14 35 ms, 2**15 85 ms, 2**16 170 ms, 2**17 340 ms).
    The derivation runs once per keyring open, so the cost is paid by the user once and by an
    offline guesser once per guess. Raise ``n`` for a keyring that guards many subjects.
    """

    n: int = 2**15
    r: int = 8
    p: int = 1


_PRODUCTION_MIN_N = 2**15
_scrypt_floor = _PRODUCTION_MIN_N
_scrypt_default = ScryptParams()


@contextlib.contextmanager
def insecure_fast_scrypt_for_tests(n: int = 2**4) -> Iterator[None]:
    """TEST HOOK: make new passphrase KEKs use (and accept) a tiny scrypt cost.

    The only way to get a cheap scrypt: production code can neither choose it by accident nor
    open a keyring that was created with it outside this context (the floor check refuses it).
    """
    global _scrypt_floor, _scrypt_default
    saved = (_scrypt_floor, _scrypt_default)
    _scrypt_floor, _scrypt_default = n, ScryptParams(n=n, r=8, p=1)
    try:
        yield
    finally:
        _scrypt_floor, _scrypt_default = saved


def default_scrypt_params() -> ScryptParams:
    """The parameters a new passphrase keyring gets (the test hook may lower them)."""
    return _scrypt_default


class PassphraseKek:
    """KEK derived from a passphrase with scrypt and a random 16-byte salt; the derived key
    wraps with AES-256-GCM-SIV. The passphrase is NFC-normalised first so the same Korean
    passphrase typed on different systems (composed vs. decomposed Hangul) derives the same key.
    """

    kind_name = "passphrase-scrypt"

    def __init__(
        self,
        passphrase: str,
        *,
        salt: bytes | None = None,
        params: ScryptParams | None = None,
    ) -> None:
        if not passphrase:
            raise ValueError("the passphrase must not be empty")
        params = params or _scrypt_default
        if params.n < _scrypt_floor or params.r < 1 or params.p < 1:
            raise ValueError(
                f"scrypt parameters n={params.n}, r={params.r}, p={params.p} are below the minimum "
                f"(n >= {_scrypt_floor}); cheap settings exist only for tests"
            )
        self.salt = salt if salt is not None else os.urandom(16)
        if len(self.salt) < 16:
            raise ValueError("the scrypt salt must be at least 16 bytes")
        self.params = params
        derived = Scrypt(salt=self.salt, length=32, n=params.n, r=params.r, p=params.p).derive(
            unicodedata.normalize("NFC", passphrase).encode("utf-8")
        )
        kek_id = "scrypt-" + hashlib.sha256(b"jikimi/kek-id/" + self.salt).hexdigest()[:16]
        self._inner = AesGcmSivKek(derived, kek_id, self.kind_name)

    def __repr__(self) -> str:
        return f"PassphraseKek({self._inner.kek_id}, n={self.params.n})"

    @property
    def kek_id(self) -> str:
        return self._inner.kek_id

    @property
    def kind(self) -> str:
        return self.kind_name

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        return self._inner.wrap(data_key, aad)

    def unwrap(self, blob: bytes, aad: bytes) -> bytes:
        return self._inner.unwrap(blob, aad)


class SubjectKeyWrapper:
    """Wraps per-subject keys with AES-SIV (RFC 5297, 512-bit key = AES-256) and the subject id
    as associated data.

    AES-SIV needs no nonce - deterministic encryption is harmless here because every plaintext is
    a fresh random key - so a row is only ``0x03 || 16-byte SIV || 32-byte key`` (49 bytes), and
    it costs about 1.3 us per key, which is what lets one SQLite file hold millions of subjects.
    The subject id in the AAD stops a wrapped key being copied to another subject's row.
    """

    KEY_BYTES = 64

    def __init__(self, key: bytes) -> None:
        if len(key) != self.KEY_BYTES:
            raise ValueError("the subject-wrapping key takes exactly 64 bytes (AES-256-SIV)")
        self._siv = AESSIV(key)

    def __repr__(self) -> str:
        return "SubjectKeyWrapper(AES-256-SIV)"

    _AAD_PREFIX = encode_aad("subject")

    @classmethod
    def aad(cls, subject_id: str) -> bytes:
        """``encode_aad("subject", subject_id)``, with the constant prefix precomputed (this runs
        once per subject key, millions of times)."""
        raw = subject_id.encode("utf-8")
        return cls._AAD_PREFIX + struct.pack(">I", len(raw)) + raw

    def wrap(self, subject_key: bytes, subject_id: str) -> bytes:
        return bytes([FORMAT_SUBJECT_SIV]) + self._siv.encrypt(subject_key, [self.aad(subject_id)])

    def unwrap(self, blob: bytes, subject_id: str) -> bytes:
        if len(blob) < 1 + _TAG_BYTES or blob[0] != FORMAT_SUBJECT_SIV:
            raise UnwrapError("not a jikimi subject-key blob (unknown format)")
        try:
            return self._siv.decrypt(blob[1:], [self.aad(subject_id)])
        except InvalidTag:
            raise UnwrapError(
                "subject key did not authenticate: tampered row or a row moved to another subject"
            ) from None
