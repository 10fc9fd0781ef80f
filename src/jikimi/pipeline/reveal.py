"""Reveal: turn protected values back into originals, at home, with a stated purpose, logged.

Only reversible operators can be revealed: ``encrypt`` output (``jk1.…``, self-describing, so
the key version is found from the value itself) and, when the caller says so, ``fpe`` output
(which keeps the original's shape and therefore cannot name its key). Keyed tokens
(``TYPE_…``) are one-way HMACs by design: nothing — not even the key holder — can reverse them,
and reveal says so instead of failing obscurely. Every reveal attempt is appended to the access
log *before* the value is returned; values of forgotten data subjects stay unrecoverable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from jikimi.audit.access_log import AccessLog, access_event
from jikimi.audit.log import AuditLog
from jikimi.keys.base import KeyHandle, KeyNotFound, Keyring, Purpose
from jikimi.transform.crypto import DecryptError, ciphertext_info, decrypt, fpe_reveal

CIPHERTEXT = re.compile(r"jk1\.(?:siv|gcm)\.[A-Za-z0-9_]{1,64}\.[A-Za-z0-9_~%/\-]{1,256}\.[0-9]{1,9}\.[A-Za-z0-9_\-]+")
TOKEN = re.compile(r"\b[A-Z][A-Z_]*_[A-Z2-7]{22}\b")


class RevealError(Exception):
    """Why a value could not be revealed; never contains the value."""


@dataclass(slots=True)
class RevealReport:
    revealed: int = 0
    forgotten: int = 0
    failed: int = 0
    one_way_tokens: int = 0


def _lookup(keyring: Keyring) -> Callable[[str, int], KeyHandle]:
    return keyring.get


def reveal_value(
    value: str,
    keyring: Keyring,
    log: AccessLog | AuditLog,
    *,
    purpose: str,
    entity_type: str | None = None,
    fpe: bool = False,
) -> str:
    """One protected value back to its original (see module doc for what can be revealed)."""
    if not purpose.strip():
        raise RevealError("a purpose is required to reveal anything")
    value = value.strip()
    if fpe:
        if entity_type is None:
            raise RevealError("an fpe value does not name its type: pass the entity type")
        key = keyring.current(Purpose.FPE)
        log.append(access_event("reveal", purpose=purpose, key_id=key.key_id, key_version=key.version, detail=f"fpe {entity_type}"))
        try:
            return fpe_reveal(value, entity_type, key)
        except ValueError as exc:
            raise RevealError(f"not an fpe value of {entity_type}: {exc}") from None
    if TOKEN.fullmatch(value):
        raise RevealError(
            "this is a keyed token (HMAC): one-way by design, it cannot be revealed by anyone. "
            "Use a reversible operator (encrypt or fpe) in the policy for values you need back."
        )
    try:
        info = ciphertext_info(value)
    except DecryptError as exc:
        raise RevealError(str(exc)) from None
    subject = info.key_id.split("/", 1)[1] if info.key_id.startswith("subject/") else None
    try:
        plain = decrypt(value, _lookup(keyring))
    except KeyNotFound:
        log.append(access_event("reveal", purpose=purpose, decision="deny", key_id=info.key_id, key_version=info.version, subject=subject, detail="key destroyed or unknown"))
        raise RevealError(
            f"the key {info.key_id}@v{info.version} does not exist (a forgotten data subject's "
            "values are unrecoverable by design)"
        ) from None
    except DecryptError as exc:
        log.append(access_event("reveal", purpose=purpose, decision="error", key_id=info.key_id, key_version=info.version, subject=subject, detail="decryption failed"))
        raise RevealError(str(exc)) from None
    log.append(access_event("reveal", purpose=purpose, key_id=info.key_id, key_version=info.version, subject=subject, count=1, detail=info.entity_type))
    return plain


def reveal_text(
    text: str, keyring: Keyring, log: AccessLog | AuditLog, *, purpose: str, report: RevealReport
) -> str:
    """Every ``jk1`` ciphertext inside ``text`` replaced by its original where possible."""

    def one(m: re.Match[str]) -> str:
        try:
            out = reveal_value(m.group(), keyring, log, purpose=purpose)
        except RevealError as exc:
            if "does not exist" in str(exc):
                report.forgotten += 1
            else:
                report.failed += 1
            return m.group()
        report.revealed += 1
        return out

    report.one_way_tokens += len(TOKEN.findall(text))
    return CIPHERTEXT.sub(one, text)
