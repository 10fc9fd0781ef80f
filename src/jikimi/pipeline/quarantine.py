"""The quarantine: records that could not be fully protected, kept encrypted, never in clear.

Fail closed means a bad record is withheld from the output — but silently dropping it would
lose data. So it goes here: one line per record, the original bytes and the reason, encrypted
with AES-256-GCM under the keyring's quarantine key (which never leaves home), so the file can
sit next to the protected dataset without exposing anything. ``open_quarantine`` reads it back
for the data owner to repair and re-run.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jikimi.keys.base import KeyHandle, Keyring, Purpose, key_material

QUARANTINE_NAME = "quarantine.jsonl.enc"
_PREFIX = b"jkq1"
_AAD = b"jikimi/quarantine/v1"


def seal(entry: dict[str, Any], key: KeyHandle) -> bytes:
    """One encrypted line: ``jkq1.<key id>.<version>.<base64url(nonce ‖ ciphertext)>``."""
    nonce = os.urandom(12)
    ct = AESGCM(key_material(key, Purpose.QUARANTINE)).encrypt(nonce, orjson.dumps(entry), _AAD)
    payload = base64.urlsafe_b64encode(nonce + ct).rstrip(b"=")
    return b".".join([_PREFIX, key.key_id.encode(), str(key.version).encode(), payload])


def unseal(line: bytes, keyring: Keyring) -> dict[str, Any]:
    parts = line.strip().split(b".")
    if len(parts) != 4 or parts[0] != _PREFIX:
        raise ValueError("not a jikimi quarantine line")
    key = keyring.get(parts[1].decode(), int(parts[2]))
    raw = base64.urlsafe_b64decode(parts[3] + b"=" * (-len(parts[3]) % 4))
    data = AESGCM(key_material(key, Purpose.QUARANTINE)).decrypt(raw[:12], raw[12:], _AAD)
    entry: dict[str, Any] = orjson.loads(data)
    return entry


def entry(source: str, line: int, reason: str, raw: bytes | None, field: str | None = None) -> dict[str, Any]:
    return {
        "source": source,
        "line": line,
        "field": field,
        "reason": reason,
        "raw": base64.b64encode(raw).decode() if raw is not None else None,
    }


def open_quarantine(path: Path, keyring: Keyring) -> Iterator[dict[str, Any]]:
    """Decrypt a quarantine file (for the data owner, with the home keyring)."""
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield unseal(line, keyring)
