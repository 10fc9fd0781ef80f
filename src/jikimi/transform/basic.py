"""Keyless operators: ``redact``, ``mask`` and ``label`` (with a per-document :class:`Labeler`).

Why keyless: these lose information on purpose and need no secret, so they are the fallback
when no key may be used (or when a key-based operator refuses a value, e.g. a one-syllable
name for FPE). ``mask`` keeps a documented part per type, the way Korean receipts and web
pages conventionally print such values (``010-****-7390``, ``900101-*******``); everything
it hides becomes ``*`` one for one and separators stay, so the layout survives.

| entity type | kept | example |
|---|---|---|
| PHONE_NUMBER | routing prefix (country + area/service code) and the last 4 digits | ``010-****-7390`` |
| KR_RRN, KR_FRN | the 6-digit birth-date part | ``900101-*******`` |
| CREDIT_CARD | first 4 and last 4 digits | ``9410-****-****-9178`` |
| EMAIL_ADDRESS | first character of the local part and the whole domain | ``h***@naver.com`` |
| PERSON | the surname (two syllables for 남궁, 황보, 제갈, 선우, 독고, 사공, 서문) | ``김**`` |
| anything else | the last 2 non-separator characters | ``***-**-***56`` |
"""

from __future__ import annotations

import hashlib
import os

from jikimi.transform._common import normalize, phone_prefix_len

MASK_CHAR = "*"
SEPARATORS = frozenset(" \t-‐‑–—－./:()+,_@")
"""Characters ``mask`` never hides: they carry layout, not identity."""

COMPOUND_SURNAMES = frozenset({"남궁", "황보", "제갈", "선우", "독고", "사공", "서문"})
"""Two-syllable surnames (reference §14)."""


def redact(value: str) -> str:
    """Drop the value entirely. The strongest operator: nothing of it remains."""
    del value
    return ""


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _keep_digits(value: str, keep: set[int], char: str) -> str:
    """Mask every ASCII digit whose ordinal (among the digits) is not in ``keep``."""
    out = []
    k = 0
    for ch in value:
        if _is_digit(ch):
            out.append(ch if k in keep else char)
            k += 1
        else:
            out.append(ch)
    return "".join(out)


def _keep_last(value: str, n: int, char: str) -> str:
    """Mask all non-separator characters except the last ``n`` of them."""
    total = sum(1 for ch in value if ch not in SEPARATORS)
    out = []
    k = 0
    for ch in value:
        if ch in SEPARATORS:
            out.append(ch)
        else:
            out.append(ch if k >= total - n else char)
            k += 1
    return "".join(out)


def mask(value: str, entity_type: str, *, char: str = MASK_CHAR) -> str:
    """Hide part of ``value`` with ``char``, keeping the per-type part in the module table."""
    n_digits = sum(1 for ch in value if _is_digit(ch))
    if entity_type == "PHONE_NUMBER" and n_digits:
        p = phone_prefix_len(value)
        rest = n_digits - p
        last = 4 if rest >= 7 else rest // 2
        return _keep_digits(value, set(range(p)) | set(range(n_digits - last, n_digits)), char)
    if entity_type in ("KR_RRN", "KR_FRN") and n_digits:
        return _keep_digits(value, set(range(min(6, n_digits))), char)
    if entity_type == "CREDIT_CARD" and n_digits >= 8:
        return _keep_digits(value, set(range(4)) | set(range(n_digits - 4, n_digits)), char)
    if entity_type == "EMAIL_ADDRESS" and "@" in value:
        local, _, domain = value.rpartition("@")
        return local[:1] + char * (len(local) - 1) + "@" + domain
    if entity_type == "PERSON":
        return _mask_name(value, char)
    return _keep_last(value, 2, char)


def _mask_name(value: str, char: str) -> str:
    compact = "".join(ch for ch in value if not ch.isspace())
    if compact and all("가" <= ch <= "힣" for ch in compact):
        keep = 2 if len(compact) >= 3 and compact[:2] in COMPOUND_SURNAMES else 1
    else:
        keep = 1  # Latin and other scripts: the first letter only
    out = []
    k = 0
    for ch in value:
        if ch.isspace():
            out.append(ch)
        else:
            out.append(ch if k < keep else char)
            k += 1
    return "".join(out)


def label(entity_type: str, n: int) -> str:
    """The placeholder ``<TYPE_n>``: says what was there and which one, nothing more."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError("label numbers start at 1")
    return f"<{entity_type}_{n}>"


class Labeler:
    """Numbers distinct values per entity type within one document (or record).

    The same value (after :func:`~jikimi.transform._common.normalize`, so ``010-4821-7390`` and
    ``01048217390`` are one value) gets the same number; the first new value of a type is 1.
    Use a fresh Labeler per document: numbers are meant to be meaningful only inside it.

    Why values are kept only as keyed hashes: a Labeler lives as long as its document and may
    be logged or pickled by accident; it holds BLAKE2b digests under a random per-instance key,
    so it never holds the personal data itself and its digests cannot be matched across
    documents.
    """

    __slots__ = ("_key", "_seen")

    def __init__(self) -> None:
        self._key = os.urandom(16)
        self._seen: dict[str, dict[bytes, int]] = {}

    def __repr__(self) -> str:
        return f"Labeler({len(self)} values)"

    def __len__(self) -> int:
        return sum(len(v) for v in self._seen.values())

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Labeler is per document and is not meant to be pickled")

    def label(self, entity_type: str, value: str) -> str:
        """``<TYPE_n>`` for ``value``: the number it already has, or the next free one."""
        digest = hashlib.blake2b(
            normalize(value, entity_type).encode("utf-8"), key=self._key, digest_size=16
        ).digest()
        seen = self._seen.setdefault(entity_type, {})
        n = seen.get(digest)
        if n is None:
            n = seen[digest] = len(seen) + 1
        return label(entity_type, n)
