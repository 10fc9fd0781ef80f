"""Keyed tokens: deterministic, one-way pseudonyms such as ``PHONE_NUMBER_K3JQ…``.

``token(value, type, key)`` is ``TYPE_`` followed by the first 22 characters (110 bits) of the
upper-case, unpadded base32 of HMAC-SHA256 under the token key's subkey for ``type``, over the
normalised value (digits only for numbers, NFC + casefold for text; see
:func:`~jikimi.transform._common.normalize`).

Why this shape:

* deterministic per key and type, so joins, counts and group-bys over protected data still
  work, and ``010-4821-7390`` and ``01048217390`` get the same token;
* one-way: there is no reveal. HMAC cannot be inverted, and the key never leaves home, so
  guessing small domains (a phone number has ~10^8 values) needs the key; anyone holding the
  key can confirm a guess, which is why token keys are home-only. Use ``encrypt`` or ``fpe``
  when a value must come back;
* a per-type subkey, so the same digits as a phone and as an account number give unrelated
  tokens (no cross-type linkage);
* recognisably synthetic and fixed length per type: a reader or a model sees at once that
  this is a stand-in, and no real identifier has this form; 110 bits make collisions
  negligible (birthday bound ~2^55 values per type);
* base32 upper-case letters and digits only: safe in CSV, JSON, file names and tokenizers.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable

from jikimi.keys.base import KeyHandle, Purpose
from jikimi.transform._common import derive_subkey, normalize

TOKEN_CHARS = 22
"""Base32 characters after the ``TYPE_`` prefix (22 × 5 = 110 bits)."""


def token(value: str, entity_type: str, key: KeyHandle) -> str:
    """The keyed token of ``value``; see the module documentation for the construction."""
    return tokenizer(entity_type, key)(value)


def tokenizer(entity_type: str, key: KeyHandle) -> Callable[[str], str]:
    """:func:`token` with the key checked and the subkey derived once, for batches (the
    service tokenizes up to thousands of values of one type per request)."""
    sub = derive_subkey(key, Purpose.TOKEN, entity_type)
    prefix = f"{entity_type}_"

    def one(value: str) -> str:
        mac = hmac.digest(sub, normalize(value, entity_type).encode("utf-8"), "sha256")
        # base32 encodes 5-byte groups independently, so the first 15 bytes give exactly the
        # first 24 characters of the whole MAC's encoding (and cost under half as much)
        return prefix + base64.b32encode(mac[:15]).decode("ascii")[:TOKEN_CHARS]

    return one
