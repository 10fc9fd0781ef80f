"""The key vocabulary every other module uses: purposes, references and opaque key handles.

Design rules, after Tink: a key is bound to one purpose at creation and is never usable for
another (a tokenization key cannot encrypt); callers hold opaque handles whose ``repr`` shows the
key id and version but never material; the material leaves a handle only through the module-
private accessor that the operators in :mod:`jikimi.transform` call.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, runtime_checkable


class Purpose(str, Enum):
    """What a key may be used for. One key, one purpose."""

    TOKEN = "token"  # keyed HMAC tokens (one-way, deterministic)
    FPE = "fpe"  # FF1 format-preserving encryption (reversible)
    ENCRYPT = "encrypt"  # AES-SIV / AES-GCM (reversible)
    SUBJECT = "subject"  # per-data-subject keys (crypto-shredding)
    SUBJECT_ID = "subject_id"  # keyed hash that turns an identifier into a subject id
    SURROGATE = "surrogate"  # seeds realistic fake values
    DATESHIFT = "dateshift"  # per-subject date offsets
    QUARANTINE = "quarantine"  # encrypts records that could not be processed


@dataclass(frozen=True, slots=True)
class KeyRef:
    """Names one version of one key; safe to print, log and put in manifests."""

    key_id: str
    version: int
    purpose: Purpose

    def __str__(self) -> str:
        return f"{self.key_id}@v{self.version}"


_SUBKEY_CACHE = 256
"""Sub-keys kept per handle (labels are per entity type and use, so a handful in practice)."""


@dataclass(frozen=True, slots=True)
class KeyHandle:
    """An opaque key. ``repr`` and ``str`` never show the material."""

    ref: KeyRef
    _material: bytes = field(repr=False)
    # the derived sub-keys by label: the same few labels (one per entity type) are derived for
    # every value a run protects; kept as long as the material itself, never shown
    _subkeys: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def __repr__(self) -> str:
        return f"KeyHandle({self.ref.key_id}@v{self.ref.version}, {self.ref.purpose.value})"

    __str__ = __repr__

    @property
    def key_id(self) -> str:
        return self.ref.key_id

    @property
    def version(self) -> int:
        return self.ref.version

    @property
    def purpose(self) -> Purpose:
        return self.ref.purpose

    def subkey(self, label: str, length: int = 32) -> bytes:
        """A sub-key for one use inside this key's purpose (e.g. one entity type), derived with
        HMAC-SHA256 as an HKDF-Expand step; the parent material never leaves."""
        if length > 32:
            raise ValueError("subkey length is at most 32 bytes")
        key = self._subkeys.get(label)
        if key is None:
            key = hmac.digest(self._material, b"jikimi/subkey/" + label.encode(), "sha256")
            if len(self._subkeys) < _SUBKEY_CACHE:
                self._subkeys[label] = key
        return key[:length]


def key_material(handle: KeyHandle, purpose: Purpose) -> bytes:
    """Raw material for the operators; refuses a key of another purpose (misuse is an error,
    not a silent cross-use)."""
    if handle.purpose is not purpose:
        raise PermissionError(
            f"key {handle.ref} is a {handle.purpose.value} key; it cannot be used for {purpose.value}"
        )
    return handle._material


class KeyNotFound(LookupError):
    """The key id/version is unknown, or (for subject keys) was destroyed by ``forget``."""


@runtime_checkable
class Keyring(Protocol):
    """Where keys live: the local file keyring, an HSM-backed keyring, or the home service."""

    def current(self, purpose: Purpose, name: str = "default") -> KeyHandle:
        """The newest version of the named key for ``purpose``, created on first use."""

    def get(self, key_id: str, version: int) -> KeyHandle:
        """A specific version (old versions stay usable for reveal after rotation)."""

    def rotate(self, purpose: Purpose, name: str = "default") -> KeyRef:
        """Add a new version; new output uses it from now on."""

    def subject_key(self, subject_id: str, *, create: bool = True) -> KeyHandle:
        """The per-data-subject key; raises :class:`KeyNotFound` once forgotten."""

    def forget_subject(self, subject_id: str) -> bool:
        """Destroy a subject's key (crypto-shredding). True if a key existed."""

    def list_keys(self) -> list[KeyRef]:
        """Every key version (never material)."""


@runtime_checkable
class SubjectKeyring(Keyring, Protocol):
    """A keyring that also derives subject ids and serves subject keys in batches (what the
    protect pipeline needs at scale; :class:`jikimi.keys.LocalKeyring` is one)."""

    def subject_keys(self, ids: Sequence[str], create: bool = True) -> dict[str, KeyHandle]:
        """Keys for many subjects in one round trip; unknown ids are absent when not creating."""

    def subject_id_for(self, identifier_value: str, entity_type: str) -> str:
        """Stable keyed pseudonymous subject id of an identifier value of ``entity_type``."""

    def forgotten_subjects(self, subject_ids: Iterable[str]) -> set[str]:
        """Which of ``subject_ids`` were forgotten (so their records can be withheld)."""


class SubjectForgotten(KeyNotFound):
    """The subject was forgotten (crypto-shredded). Raised even when the caller asked to create a
    key, so a later protect run cannot silently resurrect the subject under a fresh key;
    ``subject_ids`` lists the forgotten ids of the request (pseudonymous ids, never raw values)."""

    def __init__(self, message: str, subject_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.subject_ids = subject_ids


class KeyringError(Exception):
    """A keyring cannot be used as asked (no key-encryption key configured, wrong passphrase,
    wrong or missing HSM key, unknown file format). Messages say what to do and never carry key
    material or the cryptography library's internals."""


class KeyringUnlockError(KeyringError):
    """The key-encryption key does not open this keyring: wrong passphrase or wrong HSM key."""


class UnwrapError(KeyringError):
    """A wrapped key did not authenticate: wrong key-encryption key, a tampered blob, or a blob
    moved to another slot (the associated data binds key id, version and purpose)."""
