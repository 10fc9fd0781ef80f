"""All de-identification operators in one place (the modules beside this one hold the code).

Each operator is a small pure function over one value (a finding's span, see docs/spans.md)
plus, where a secret is involved, a :class:`~jikimi.keys.base.KeyHandle` — never raw key bytes.
Keys are checked for their purpose before use (a token key cannot encrypt) and every keyed
operator works on a per-entity-type (or per-use) subkey.

| operator | reversible | deterministic | key purpose | module |
|---|---|---|---|---|
| ``redact`` | no | yes | — | :mod:`.basic` |
| ``mask`` | no | yes | — | :mod:`.basic` |
| ``label`` / ``Labeler`` | no | per document | — | :mod:`.basic` |
| ``token`` | no (one-way HMAC) | yes | TOKEN | :mod:`.tokens` |
| ``fpe`` / ``fpe_reveal`` | yes | yes | FPE | :mod:`.crypto` |
| ``encrypt`` / ``decrypt`` | yes | SIV yes, GCM no | ENCRYPT or SUBJECT | :mod:`.crypto` |
| ``surrogate`` | no | yes | SURROGATE | :mod:`.surrogates` |
| ``generalize`` | no | yes | — | :mod:`.generalize` |
| ``dateshift`` | with the key | per subject | SUBJECT or DATESHIFT | :mod:`.generalize` |

Errors are :class:`OperatorError` (a ``ValueError``) with messages that never contain the
value or key material; a wrong-purpose key is a ``PermissionError``.
"""

from __future__ import annotations

from jikimi.transform._common import OperatorError, normalize
from jikimi.transform.basic import Labeler, label, mask, redact
from jikimi.transform.crypto import (
    CiphertextInfo,
    DecryptError,
    ciphertext_info,
    decrypt,
    encrypt,
    fpe,
    fpe_reveal,
)
from jikimi.transform.generalize import GENERALIZE_LEVELS, date_offset, dateshift, generalize
from jikimi.transform.surrogates import SURROGATE_TYPES, surrogate
from jikimi.transform.tokens import token, tokenizer

__all__ = [
    "GENERALIZE_LEVELS",
    "SURROGATE_TYPES",
    "CiphertextInfo",
    "DecryptError",
    "Labeler",
    "OperatorError",
    "ciphertext_info",
    "date_offset",
    "dateshift",
    "decrypt",
    "encrypt",
    "fpe",
    "fpe_reveal",
    "generalize",
    "label",
    "mask",
    "normalize",
    "redact",
    "surrogate",
    "token",
    "tokenizer",
]
