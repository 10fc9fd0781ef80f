"""A key-encryption key that lives inside a PKCS#11 token (HSM, smart card, SoftHSM2).

The KEK is an AES-256 key generated *on* the token with ``CKA_SENSITIVE=TRUE`` and
``CKA_EXTRACTABLE=FALSE``: the token does the wrapping and the key material never exists in this
process, so copying ``keyring.db`` elsewhere yields nothing without the token and its PIN - the
"separate storage, separate access rights" of PIPA Art. 28-4 made physical.

Mechanism: ``CKM_AES_GCM`` through ``C_Encrypt``/``C_Decrypt`` with a random 96-bit nonce and the
slot's associated data (key id, version, purpose). SoftHSM2 2.6 supports both ``CKM_AES_GCM`` and
``CKM_AES_KEY_WRAP_PAD``, but key-wrap mechanisms operate on key *objects* and carry no AAD;
GCM wraps our 32-byte data keys directly and authenticates the slot binding. A random nonce is
safe for well over 2**32 wraps per KEK, orders of magnitude more than a keyring performs.
Blob layout: ``0x02 || nonce(12) || ciphertext || tag(16)``.

Configuration: module path (default SoftHSM2's ``/usr/lib/softhsm/libsofthsm2.so``), token label,
key label, and the user PIN from ``JIKIMI_PKCS11_PIN`` (never from a file or argv by default).
``JIKIMI_KEYS=pkcs11:token=<label>;object=<key label>?module-path=<path>`` (RFC 7512 attribute
names) selects it in :func:`jikimi.keys.open_keyring`.

``python-pkcs11`` (>= 0.9, the first release that passes AES-GCM parameters) is an optional
dependency (``pip install 'jikimi[hsm]'``); it is imported only when a PKCS#11 KEK is opened.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jikimi.keys.base import KeyringError, UnwrapError
from jikimi.keys.envelope import FORMAT_PKCS11_GCM

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
DEFAULT_KEY_LABEL = "jikimi-kek"
PIN_ENV = "JIKIMI_PKCS11_PIN"

_NONCE_BYTES = 12
_TAG_BYTES = 16


def _import_pkcs11() -> Any:
    try:
        import pkcs11
    except ImportError:
        raise KeyringError(
            "the PKCS#11 KEK needs python-pkcs11: pip install 'jikimi[hsm]' "
            "(and a PKCS#11 module, e.g. apt-get install softhsm2)"
        ) from None
    if not hasattr(pkcs11.mechanisms, "GCMParams"):
        raise KeyringError("the PKCS#11 KEK needs python-pkcs11 >= 0.9 (AES-GCM parameters)")
    return pkcs11


class Pkcs11Kek:
    """AES-256-GCM wrapping done by a non-extractable AES key on a PKCS#11 token.

    One session is opened per KEK and guarded by a lock (PKCS#11 sessions must not be used by
    two threads at once). ``create=True`` generates the key on the token if no key carries
    ``key_label``; otherwise a missing key is an error, so a typo never silently creates a new
    KEK that would leave the old keyring unopenable.
    """

    kind_name = "pkcs11-aes-gcm"

    def __init__(
        self,
        token_label: str,
        key_label: str = DEFAULT_KEY_LABEL,
        *,
        module_path: str | None = None,
        pin: str | None = None,
        create: bool = False,
    ) -> None:
        self.module_path = module_path or DEFAULT_MODULE
        self.token_label = token_label
        self.key_label = key_label
        pin = pin if pin is not None else os.environ.get(PIN_ENV)
        if not pin:
            raise KeyringError(
                f"no PIN for PKCS#11 token {token_label!r}: set the {PIN_ENV} environment variable"
            )
        if not Path(self.module_path).exists():
            raise KeyringError(
                f"PKCS#11 module {self.module_path} not found; install it "
                "(SoftHSM2: apt-get install softhsm2) or pass module_path / module-path="
            )
        p11 = _import_pkcs11()
        self._p11 = p11
        self._lock = threading.Lock()
        try:
            lib = p11.lib(self.module_path)
            token = lib.get_token(token_label=token_label)
        except p11.exceptions.NoSuchToken:
            raise KeyringError(
                f"no PKCS#11 token labelled {token_label!r} in {self.module_path} "
                "(for SoftHSM2 check SOFTHSM2_CONF)"
            ) from None
        except p11.exceptions.PKCS11Error as exc:
            raise KeyringError(f"cannot load PKCS#11 module {self.module_path}: {exc!r}") from None
        try:
            self._session = token.open(rw=True, user_pin=pin)
        except p11.exceptions.PKCS11Error as exc:
            raise KeyringError(
                f"cannot log in to PKCS#11 token {token_label!r}: {type(exc).__name__} "
                f"(check {PIN_ENV})"
            ) from None
        try:
            self._key = self._find_or_create(create)
        except BaseException:
            self._session.close()
            raise

    def _find_or_create(self, create: bool) -> Any:
        p11 = self._p11
        attr = p11.Attribute
        try:
            key = self._session.get_key(
                object_class=p11.ObjectClass.SECRET_KEY,
                key_type=p11.KeyType.AES,
                label=self.key_label,
            )
        except p11.exceptions.NoSuchKey:
            if not create:
                raise KeyringError(
                    f"no AES key labelled {self.key_label!r} on PKCS#11 token "
                    f"{self.token_label!r}; create it with Pkcs11Kek(..., create=True)"
                ) from None
            return self._session.generate_key(
                p11.KeyType.AES,
                256,
                label=self.key_label,
                store=True,
                template={
                    attr.SENSITIVE: True,
                    attr.EXTRACTABLE: False,
                    attr.ENCRYPT: True,
                    attr.DECRYPT: True,
                    attr.WRAP: False,
                    attr.UNWRAP: False,
                },
            )
        except p11.exceptions.MultipleObjectsReturned:
            raise KeyringError(
                f"several AES keys are labelled {self.key_label!r} on token {self.token_label!r}; "
                "labels must be unique"
            ) from None
        if key[attr.EXTRACTABLE] or not key[attr.SENSITIVE]:
            raise KeyringError(
                f"PKCS#11 key {self.key_label!r} is extractable or not sensitive; jikimi only uses "
                "KEKs whose material cannot leave the token"
            )
        return key

    @classmethod
    def from_uri(cls, uri: str, *, pin: str | None = None, create: bool = False) -> Pkcs11Kek:
        """Parse ``pkcs11:token=...;object=...?module-path=...`` (RFC 7512 names; ``key`` and
        ``module`` accepted as aliases). The PIN is never read from the URI's ``pin-value`` -
        it comes from ``JIKIMI_PKCS11_PIN`` so it does not end up in shell history."""
        if not uri.startswith("pkcs11:"):
            raise ValueError(f"not a pkcs11: URI: {uri!r}")
        path, _, query = uri[len("pkcs11:") :].partition("?")
        fields: dict[str, str] = {}
        for part in [*path.split(";"), *query.split("&")]:
            if not part:
                continue
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"malformed pkcs11 URI attribute {part!r}")
            fields[name.strip().lower()] = unquote(value)
        if "pin-value" in fields:
            raise ValueError(f"do not put the PIN in the URI; set {PIN_ENV}")
        token = fields.get("token")
        if not token:
            raise ValueError("the pkcs11 URI needs token=<label>")
        return cls(
            token,
            fields.get("object") or fields.get("key") or DEFAULT_KEY_LABEL,
            module_path=fields.get("module-path") or fields.get("module"),
            pin=pin,
            create=create,
        )

    def __repr__(self) -> str:
        return f"Pkcs11Kek({self.kek_id})"

    @property
    def kek_id(self) -> str:
        return f"pkcs11:token={self.token_label};object={self.key_label}"

    @property
    def kind(self) -> str:
        return self.kind_name

    def _params(self, nonce: bytes, aad: bytes) -> Any:
        return self._p11.mechanisms.GCMParams(nonce, aad, _TAG_BYTES * 8)

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        with self._lock:
            ct = self._key.encrypt(
                data_key,
                mechanism=self._p11.Mechanism.AES_GCM,
                mechanism_param=self._params(nonce, aad),
            )
        return bytes([FORMAT_PKCS11_GCM]) + nonce + bytes(ct)

    def unwrap(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[0] != FORMAT_PKCS11_GCM:
            raise UnwrapError("not a jikimi PKCS#11 wrapped key (unknown format)")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        try:
            with self._lock:
                out = self._key.decrypt(
                    blob[1 + _NONCE_BYTES :],
                    mechanism=self._p11.Mechanism.AES_GCM,
                    mechanism_param=self._params(nonce, aad),
                )
        except self._p11.exceptions.PKCS11Error:
            # Tokens report a GCM tag failure variously (SoftHSM2: CKR_GENERAL_ERROR).
            raise UnwrapError(
                "the PKCS#11 KEK did not authenticate the wrapped key: wrong token key, or the "
                "blob was tampered with or moved to another key slot"
            ) from None
        return bytes(out)

    def close(self) -> None:
        """Log out and close the session (the key stays on the token)."""
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()


# --- SoftHSM2 helpers (tests, demos) -----------------------------------------------------------


def softhsm_unavailable_reason(module_path: str = DEFAULT_MODULE) -> str | None:
    """Why SoftHSM2 tests cannot run here, or None if they can."""
    if shutil.which("softhsm2-util") is None:
        return "softhsm2-util not found (apt-get install -y softhsm2)"
    if not Path(module_path).exists():
        return f"{module_path} not found (apt-get install -y softhsm2)"
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        return "python-pkcs11 not installed (pip install python-pkcs11)"
    return None


@dataclass(frozen=True, slots=True)
class SoftHsmToken:
    """A SoftHSM2 token initialised in a private directory."""

    conf: Path
    label: str
    pin: str
    module_path: str = DEFAULT_MODULE


def init_softhsm_token(
    directory: Path,
    label: str = "jikimi-test",
    *,
    pin: str = "1234",
    so_pin: str = "5678",
    set_env: bool = True,
) -> SoftHsmToken:
    """Initialise a SoftHSM2 token whose files live under ``directory`` (for tests and demos).

    Writes ``directory/softhsm2.conf``, runs ``softhsm2-util --init-token --free``, and with
    ``set_env`` points ``SOFTHSM2_CONF`` at it. SoftHSM2 reads the variable when the module is
    first loaded in a process, so set it up before any Pkcs11Kek is opened.
    """
    directory = Path(directory)
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True, mode=0o700)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    util = shutil.which("softhsm2-util")
    if util is None:
        raise KeyringError("softhsm2-util not found: apt-get install -y softhsm2")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    proc = subprocess.run(
        [util, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise KeyringError(f"softhsm2-util --init-token failed: {proc.stderr.strip()}")
    if set_env:
        os.environ["SOFTHSM2_CONF"] = str(conf)
    return SoftHsmToken(conf=conf, label=label, pin=pin)


__all__ = [
    "DEFAULT_KEY_LABEL",
    "DEFAULT_MODULE",
    "PIN_ENV",
    "Pkcs11Kek",
    "SoftHsmToken",
    "init_softhsm_token",
    "softhsm_unavailable_reason",
]
