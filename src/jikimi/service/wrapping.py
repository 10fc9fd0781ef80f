"""Envelope wrapping of data keys for transport: keys leave the service only wrapped, and come
out of a wrapped blob only through an authorized, logged ``unwrap``.

A blob is ``jkw1.<wrapping key version>.<key id>.<key version>.<purpose>.<base64url>``: the
payload is AES-256-GCM-SIV (:class:`jikimi.keys.envelope.AesGcmSivKek`) under a subkey of the
keyring's ``encrypt/service-wrap`` key, with associated data binding key id, version and
purpose, so a blob relabelled as another key fails to unwrap. The wrapping key rotates like any
other key (``POST /v1/keys/rotate``); old blobs keep unwrapping under their version.

Why not hand out the keyring's own KEK-wrapped rows: the KEK may be an HSM key that never wraps
for export, and a leaked transport blob must not be usable against the keyring file.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from jikimi.keys.base import KeyHandle, Keyring, Purpose
from jikimi.keys.envelope import AesGcmSivKek, encode_aad
from jikimi.transform._common import derive_subkey

WRAP_KEY_NAME = "service-wrap"
DATA_PURPOSE = "data"
_BLOB_RE = re.compile(
    r"jkw1\.([0-9]{1,9})\.([A-Za-z0-9_~%/-]{1,256})\.([0-9]{1,9})\.([a-z_]{1,32})\.([A-Za-z0-9_-]{40,200})"
)


class WrapError(ValueError):
    """A blob is malformed or does not authenticate (message never contains the blob)."""


@dataclass(frozen=True, slots=True)
class Unwrapped:
    key_id: str
    version: int
    purpose: str
    material: bytes


def _kek(handle: KeyHandle) -> AesGcmSivKek:
    return _kek_cached(derive_subkey(handle, Purpose.ENCRYPT, "jikimi/service/wrap"),
                       str(handle.ref))


@lru_cache(maxsize=16)
def _kek_cached(subkey: bytes, name: str) -> AesGcmSivKek:
    """One AEAD object per wrapping-key version (building it runs the AES key schedule, which
    would otherwise dominate wrapping thousands of subject keys per request)."""
    return AesGcmSivKek(subkey, name)


def _aad(key_id: str, version: int, purpose: str) -> bytes:
    return encode_aad("service-wrap", key_id, str(version), purpose)


def wrap(keyring: Keyring, material: bytes, key_id: str, version: int, purpose: str) -> str:
    wk = keyring.current(Purpose.ENCRYPT, WRAP_KEY_NAME)
    blob = _kek(wk).wrap(material, _aad(key_id, version, purpose))
    kid = quote(key_id, safe="/").replace(".", "%2E")
    payload = base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii")
    return f"jkw1.{wk.version}.{kid}.{version}.{purpose}.{payload}"


def parse(blob: str) -> tuple[int, str, int, str, bytes]:
    m = _BLOB_RE.fullmatch(blob)
    if m is None:
        raise WrapError("not a jikimi wrapped key (jkw1.<v>.<key id>.<version>.<purpose>.<data>)")
    try:
        raw = base64.urlsafe_b64decode(m.group(5) + "=" * (-len(m.group(5)) % 4))
    except (binascii.Error, ValueError):
        raise WrapError("wrapped key payload is not base64url") from None
    return int(m.group(1)), unquote(m.group(2)), int(m.group(3)), m.group(4), raw


def unwrap(keyring: Keyring, blob: str) -> Unwrapped:
    from jikimi.keys.base import KeyNotFound, UnwrapError

    wv, key_id, version, purpose, raw = parse(blob)
    try:
        wk = keyring.get(f"{Purpose.ENCRYPT.value}/{WRAP_KEY_NAME}", wv)
        material = _kek(wk).unwrap(raw, _aad(key_id, version, purpose))
    except (KeyNotFound, UnwrapError):
        raise WrapError("wrapped key does not authenticate (tampered, relabelled or unknown)") from None
    return Unwrapped(key_id, version, purpose, material)


def purpose_of(purpose: str) -> Purpose | None:
    try:
        return Purpose(purpose)
    except ValueError:
        return None
