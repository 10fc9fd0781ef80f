"""Key management: where jikimi's keys live, how they are wrapped, rotated and destroyed.

The data may travel; the keys stay home. :func:`open_keyring` is the one entry point the rest of
jikimi uses: a :class:`LocalKeyring` (one SQLite file under ``JIKIMI_HOME``) sealed by a
passphrase KEK, or - with ``JIKIMI_KEYS=pkcs11:token=<label>;object=<key>`` - by an AES key that
never leaves a PKCS#11 token. :mod:`jikimi.keys.pkcs11` is imported lazily so python-pkcs11 stays
an optional dependency (``pip install 'jikimi[hsm]'``).
"""

from __future__ import annotations

import os
from pathlib import Path

from jikimi.keys.base import (
    KeyHandle,
    KeyNotFound,
    KeyRef,
    Keyring,
    KeyringError,
    KeyringUnlockError,
    Purpose,
    SubjectForgotten,
    SubjectKeyring,
    UnwrapError,
    key_material,
)
from jikimi.keys.envelope import (
    AesGcmSivKek,
    Kek,
    PassphraseKek,
    ScryptParams,
    SubjectKeyWrapper,
    insecure_fast_scrypt_for_tests,
    new_data_key,
)
from jikimi.keys.local import LocalKeyring, default_home, normalize_identifier

KEYS_ENV = "JIKIMI_KEYS"


def open_keyring(home: Path | None = None, passphrase: str | None = None) -> LocalKeyring:
    """Open (or create on first use) the keyring the environment selects.

    ``JIKIMI_KEYS`` unset, empty or ``local``: a passphrase-sealed local keyring (passphrase
    argument, else ``JIKIMI_PASSPHRASE``). ``JIKIMI_KEYS=pkcs11:token=...;object=...
    [?module-path=...]``: the same local file sealed by a PKCS#11 key (PIN from
    ``JIKIMI_PKCS11_PIN``; the key must already exist on the token). Returns the concrete
    :class:`LocalKeyring`, which satisfies :class:`Keyring` and adds the batch subject API.
    """
    spec = os.environ.get(KEYS_ENV, "").strip()
    if spec in ("", "local"):
        return LocalKeyring(home, passphrase=passphrase)
    if spec.startswith("pkcs11:"):
        from jikimi.keys.pkcs11 import Pkcs11Kek

        kek = Pkcs11Kek.from_uri(spec)
        try:
            return LocalKeyring(home, kek=kek, _owns_kek=True)
        except BaseException:
            kek.close()
            raise
    raise KeyringError(f"{KEYS_ENV}={spec!r} is not understood; use 'local' or 'pkcs11:token=...'")


__all__ = [
    "KEYS_ENV",
    "AesGcmSivKek",
    "Kek",
    "KeyHandle",
    "KeyNotFound",
    "KeyRef",
    "Keyring",
    "KeyringError",
    "KeyringUnlockError",
    "LocalKeyring",
    "PassphraseKek",
    "Purpose",
    "ScryptParams",
    "SubjectForgotten",
    "SubjectKeyWrapper",
    "SubjectKeyring",
    "UnwrapError",
    "default_home",
    "insecure_fast_scrypt_for_tests",
    "key_material",
    "new_data_key",
    "normalize_identifier",
    "open_keyring",
]
