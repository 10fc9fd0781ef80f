"""The local file keyring: one SQLite database, every secret in it wrapped.

Why this shape:

* **Keys stay home.** ``keyring.db`` lives under ``JIKIMI_HOME`` (or ``$XDG_DATA_HOME/jikimi``,
  default ``~/.local/share/jikimi``), mode 0600 in a 0700 directory; a keyring that others can read
  is refused, not "fixed" silently, because it may already have leaked. The keys are PIPA's
  "additional information" (Art. 28-4, Decree 29-5): stored apart from the pseudonymised data,
  with their own access rights, destroyable when no longer needed.
* **Nothing in clear.** Named keys are wrapped by the KEK (passphrase + scrypt, or a PKCS#11
  token) with AES-256-GCM-SIV and associated data binding key id, version and purpose
  (:mod:`jikimi.keys.envelope`). A wrapped check value makes a wrong passphrase a clear error.
* **Purpose separation.** ``current(purpose, name)`` creates ``purpose/name`` v1 on first use;
  the purpose is stored, authenticated by the AAD, and checked again by
  :func:`~jikimi.keys.base.key_material`, so a token key can never encrypt.
* **Rotation.** ``rotate`` adds a version; ``current`` returns the newest, ``get`` any version
  that was not destroyed, so data protected before a rotation can still be revealed.
* **Millions of subjects.** Per-subject keys (crypto-shredding) are one row each, wrapped with
  AES-SIV under a single subject-wrapping key that the KEK wraps once - scrypt or an HSM call per
  subject would not scale. Batches cost one SQL query; unwrapped keys sit in a bounded LRU.
* **Forgetting is final.** ``forget_subject`` zeroes and deletes the row with
  ``secure_delete``, checkpoints the WAL, records the destruction under an HMAC pseudonym, and
  blocks later re-creation unless the caller explicitly says ``allow_recreate=True``.
* **Stable, meaningless subject ids.** ``subject_id_for`` is a keyed hash of the normalised
  identifier: the same person maps to the same id across runs and files, and the id reveals
  nothing without the keyring.

Large processors (100k+ subjects) need documented key-management procedures under the Safety
Measures Standard (PIPC Notice 2026-9); this module supplies the mechanics those procedures name:
generation, storage, rotation, use restriction and destruction, each leaving a record.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import json
import os
import re
import shlex
import sqlite3
import stat
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from jikimi.keys.base import (
    KeyHandle,
    KeyNotFound,
    KeyRef,
    KeyringError,
    KeyringUnlockError,
    Purpose,
    SubjectForgotten,
    SubjectKeyring,
    UnwrapError,
    key_material,
)
from jikimi.keys.envelope import (
    Kek,
    PassphraseKek,
    ScryptParams,
    SubjectKeyWrapper,
    encode_aad,
    key_aad,
    new_data_key,
)

FORMAT_VERSION = 1
DB_NAME = "keyring.db"
HOME_ENV = "JIKIMI_HOME"
PASSPHRASE_ENV = "JIKIMI_PASSPHRASE"
DEFAULT_CACHE_SIZE = 100_000

SUBJECT_KEY_PREFIX = "subject/"
_FORGET_LOG_KEY = "forget-log"  # name of the pinned SUBJECT_ID key that pseudonymises the log

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CHECK_AAD = encode_aad("check")
_SWK_AAD = encode_aad("subject-wrapping-key", "1")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keys (
    key_id     TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    purpose    TEXT    NOT NULL,
    wrapped    BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('active', 'retired', 'destroyed')),
    PRIMARY KEY (key_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subjects (
    subject_id TEXT    PRIMARY KEY,
    wrapped    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS destroyed_subjects (
    id           INTEGER PRIMARY KEY,
    pseudonym    TEXT NOT NULL,
    destroyed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS destroyed_subjects_pseudonym ON destroyed_subjects (pseudonym);
"""

# --- paths and permissions ---------------------------------------------------------------------


def default_home() -> Path:
    """``$JIKIMI_HOME``, else ``$XDG_DATA_HOME/jikimi``, else ``~/.local/share/jikimi``."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(os.path.expanduser(env))
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path(os.path.expanduser("~/.local/share"))
    return base / "jikimi"


def _check_private(path: Path, *, directory: bool) -> None:
    """Refuse a keyring path that group or others can access (readable keys may have leaked;
    only the owner should decide to fix the mode)."""
    if os.name != "posix":  # pragma: no cover - mode bits mean nothing elsewhere
        return
    # the home directory may be a link (homes on other mounts); the key files themselves may not:
    # a link's target is someone else's to change, so it is refused, not followed
    st = path.stat() if directory else path.lstat()
    if stat.S_ISLNK(st.st_mode):
        raise PermissionError(f"{path} is a symbolic link; keyring files must be real files")
    if st.st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user (uid {st.st_uid}); keyring files must be yours")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        want = "700" if directory else "600"
        raise PermissionError(
            f"{path} is accessible by group/others (mode {mode:03o}); keyring files must be "
            f"private to their owner. Fix with: chmod {want} {shlex.quote(str(path))}"
        )


def _pseudonym(log_secret: bytes, subject_id: str) -> str:
    """The destruction-log name of a subject: HMAC-SHA256 under the pinned forget-log key,
    128 bits in hex. Lets the keyring recognise a forgotten subject without storing its id."""
    return hmac.digest(log_secret, subject_id.encode("utf-8"), "sha256")[:16].hex()


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- identifier normalisation --------------------------------------------------------------------

_DIGIT_TYPES = frozenset(
    {
        "KR_RRN",
        "KR_FRN",
        "CREDIT_CARD",
        "KR_BANK_ACCOUNT",
        "KR_HEALTH_INSURANCE",
        "PHONE_NUMBER",
        "KR_BRN",
        "KR_CRN",
        "KR_POSTAL_CODE",
        "DATE_OF_BIRTH",
    }
)
_COMPACT_TYPES = frozenset({"KR_PASSPORT", "KR_DRIVER_LICENSE", "KR_VEHICLE_PLATE"})
_SEPARATORS_RE = re.compile(r"[\s\-./]+")
_SPACES_RE = re.compile(r"\s+")


def normalize_identifier(value: str, entity_type: str) -> str:
    """Canonical form of an identifier so formatting differences do not split one person into
    several subjects: digits only for numbers (``+82 10-...`` becomes ``010...``), lowercase for
    e-mail, canonical IP text, upper-case without separators for passport/licence/plate numbers,
    and NFC with collapsed spaces for names, addresses and anything else."""
    text = unicodedata.normalize("NFC", value).strip()
    if entity_type in _DIGIT_TYPES:
        digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii())
        if entity_type == "PHONE_NUMBER":
            if text.startswith("+82"):
                digits = "0" + digits[2:].lstrip("0")
            elif digits.startswith("0082"):
                digits = "0" + digits[4:].lstrip("0")
        out = digits
    elif entity_type == "EMAIL_ADDRESS":
        out = text.lower()
    elif entity_type == "IP_ADDRESS":
        try:
            out = ipaddress.ip_address(text.strip("[]")).compressed
        except ValueError:
            out = text.lower()
    elif entity_type in _COMPACT_TYPES:
        out = _SEPARATORS_RE.sub("", text).upper()
    else:
        out = _SPACES_RE.sub(" ", text)
    if not out:
        raise ValueError(f"empty identifier after normalisation for {entity_type}")
    return out


# --- the keyring -------------------------------------------------------------------------------


class LocalKeyring:
    """A :class:`~jikimi.keys.base.Keyring` in one SQLite file; see the module docstring.

    The KEK comes from ``kek`` (e.g. a :class:`~jikimi.keys.pkcs11.Pkcs11Kek`), else
    ``passphrase``, else ``$JIKIMI_PASSPHRASE``; with none of them this raises
    :class:`KeyringError` (a library never prompts; the CLI may). Safe for several threads of
    one process (one connection behind a lock) and for several processes (SQLite WAL with
    write transactions taken up-front, so two creators of the same key agree on one).
    """

    def __init__(
        self,
        home: Path | None = None,
        *,
        passphrase: str | None = None,
        kek: Kek | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        _owns_kek: bool = False,
    ) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / DB_NAME
        self._lock = threading.RLock()
        self._cache: OrderedDict[str, KeyHandle] = OrderedDict()
        self._cache_size = max(0, cache_size)
        self._named: dict[tuple[str, int], KeyHandle] = {}
        self._sid_key: KeyHandle | None = None
        self._log_key: bytes | None = None
        self._owns_kek = _owns_kek and kek is not None
        self._kek_obj = kek
        self._conn: sqlite3.Connection | None = None

        secret = passphrase if passphrase is not None else os.environ.get(PASSPHRASE_ENV)
        if kek is None and not secret:
            raise KeyringError(
                f"no key-encryption key for the keyring at {self.path}: pass passphrase=..., set "
                f"{PASSPHRASE_ENV}, or select an HSM with JIKIMI_KEYS=pkcs11:token=<label>;"
                "object=<key label> and JIKIMI_PKCS11_PIN"
            )
        self._prepare_files()
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        try:
            self._configure(conn)
            self._conn = conn
            self._kek = self._open_or_create(kek, secret)
        except BaseException:
            conn.close()
            self._conn = None
            if self._owns_kek:
                self._close_kek()
            raise

    # -- set-up -------------------------------------------------------------------------------

    def _prepare_files(self) -> None:
        if not self.home.exists():
            self.home.mkdir(parents=True, mode=0o700)
            os.chmod(self.home, 0o700)
        _check_private(self.home, directory=True)
        if not self.path.exists():
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(fd)
            except FileExistsError:  # another process won the race; fine
                pass
        for path in (
            self.path,
            self.path.with_name(DB_NAME + "-wal"),
            self.path.with_name(DB_NAME + "-shm"),
        ):
            if path.exists():
                _check_private(path, directory=False)

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a key handed out must survive a power cut, or data protected with it is lost.
        conn.execute("PRAGMA synchronous=FULL")
        # Deleted content (forgotten subjects, destroyed versions) is overwritten with zeros.
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA cache_size=-65536")
        # SQLite gives -wal/-shm the main file's mode; enforce it in case of an odd VFS.
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(DB_NAME + suffix)
            if side.exists() and stat.S_IMODE(side.stat().st_mode) & 0o077:
                os.chmod(side, 0o600)

    def _meta(self) -> dict[str, bytes]:
        conn = self._db()
        rows = conn.execute("SELECT name, value FROM meta").fetchall()
        return {str(name): bytes(value) for name, value in rows}

    def _open_or_create(self, kek: Kek | None, secret: str | None) -> Kek:
        conn = self._db()
        conn.executescript(_SCHEMA)
        meta = self._meta()
        if not meta:
            conn.execute("BEGIN IMMEDIATE")
            try:
                meta = self._meta()
                if not meta:
                    kek = kek if kek is not None else PassphraseKek(secret or "")
                    self._initialise(kek)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            meta = self._meta()
        version = int(meta["format_version"].decode())
        if version > FORMAT_VERSION:
            raise KeyringError(
                f"{self.path} has keyring format {version}; this jikimi reads up to {FORMAT_VERSION}"
            )
        kind = meta["kek_kind"].decode()
        stored_id = meta["kek_id"].decode()
        if kek is None:
            if kind != PassphraseKek.kind_name:
                raise KeyringError(
                    f"{self.path} is sealed by a {kind} key ({stored_id}); open it with that KEK "
                    "(e.g. JIKIMI_KEYS=pkcs11:... and JIKIMI_PKCS11_PIN), not a passphrase"
                )
            params = ScryptParams(
                n=int(meta["scrypt_n"].decode()),
                r=int(meta["scrypt_r"].decode()),
                p=int(meta["scrypt_p"].decode()),
            )
            kek = PassphraseKek(secret or "", salt=meta["scrypt_salt"], params=params)
        elif kek.kind != kind or kek.kek_id != stored_id:
            raise KeyringError(
                f"{self.path} is sealed by {kind} key {stored_id}; the supplied KEK is "
                f"{kek.kind} {kek.kek_id}"
            )
        try:
            kek.unwrap(meta["check"], _CHECK_AAD)
            swk = kek.unwrap(meta["swk"], _SWK_AAD)
        except UnwrapError:
            what = "wrong passphrase" if kind == PassphraseKek.kind_name else "wrong token key"
            raise KeyringUnlockError(
                f"cannot unlock the keyring at {self.path}: {what} (the check value does not "
                "authenticate)"
            ) from None
        self._subjects = SubjectKeyWrapper(swk)
        return kek

    def _initialise(self, kek: Kek) -> None:
        conn = self._db()
        meta: dict[str, bytes] = {
            "format_version": str(FORMAT_VERSION).encode(),
            "kek_kind": kek.kind.encode(),
            "kek_id": kek.kek_id.encode(),
            "created_at": _now_iso().encode(),
            "check": kek.wrap(new_data_key(), _CHECK_AAD),
            "swk": kek.wrap(new_data_key(SubjectKeyWrapper.KEY_BYTES), _SWK_AAD),
        }
        if isinstance(kek, PassphraseKek):
            meta["scrypt_salt"] = kek.salt
            meta["scrypt_n"] = str(kek.params.n).encode()
            meta["scrypt_r"] = str(kek.params.r).encode()
            meta["scrypt_p"] = str(kek.params.p).encode()
        conn.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", meta.items())

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise KeyringError("the keyring is closed")
        return self._conn

    # -- lifecycle ----------------------------------------------------------------------------

    def _close_kek(self) -> None:
        close = getattr(self._kek_obj, "close", None)
        if callable(close):
            close()

    def close(self) -> None:
        """Close the database, drop every cached key; idempotent."""
        with self._lock:
            conn, self._conn = self._conn, None
            self._cache.clear()
            self._named.clear()
            self._sid_key = None
            self._log_key = None
            if conn is not None:
                conn.close()
                if self._owns_kek:
                    self._close_kek()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"LocalKeyring({str(self.path)!r}, {state})"

    @property
    def kek_id(self) -> str:
        return self._kek.kek_id

    # -- named keys ---------------------------------------------------------------------------

    @staticmethod
    def _key_id(purpose: Purpose, name: str) -> str:
        if purpose is Purpose.SUBJECT:
            raise ValueError("per-subject keys come from subject_key()/subject_keys()")
        if not _NAME_RE.fullmatch(name):
            raise ValueError(
                f"invalid key name {name!r}: 1-64 characters of A-Z a-z 0-9 . _ - "
                "starting with a letter or digit"
            )
        return f"{purpose.value}/{name}"

    def _handle(self, key_id: str, version: int, purpose_value: str, wrapped: bytes) -> KeyHandle:
        cached = self._named.get((key_id, version))
        if cached is not None:
            return cached
        purpose = Purpose(purpose_value)
        if key_id.split("/", 1)[0] != purpose.value:
            raise KeyringError(f"keyring row {key_id}@v{version} claims purpose {purpose.value}")
        material = self._kek.unwrap(wrapped, key_aad(key_id, version, purpose))
        handle = KeyHandle(KeyRef(key_id, version, purpose), material)
        self._named[(key_id, version)] = handle
        return handle

    def _insert_version(self, key_id: str, purpose: Purpose) -> KeyRef:
        conn = self._db()
        row = conn.execute("SELECT MAX(version) FROM keys WHERE key_id = ?", (key_id,)).fetchone()
        version = int(row[0] or 0) + 1
        wrapped = self._kek.wrap(new_data_key(), key_aad(key_id, version, purpose))
        conn.execute(
            "UPDATE keys SET state = 'retired' WHERE key_id = ? AND state = 'active'", (key_id,)
        )
        conn.execute(
            "INSERT INTO keys (key_id, version, purpose, wrapped, created_at, state) "
            "VALUES (?, ?, ?, ?, ?, 'active')",
            (key_id, version, purpose.value, wrapped, _now_iso()),
        )
        return KeyRef(key_id, version, purpose)

    def _newest(self, key_id: str) -> tuple[int, str, bytes] | None:
        row = (
            self._db()
            .execute(
                "SELECT version, purpose, wrapped FROM keys WHERE key_id = ? AND state = 'active' "
                "ORDER BY version DESC LIMIT 1",
                (key_id,),
            )
            .fetchone()
        )
        return None if row is None else (int(row[0]), str(row[1]), bytes(row[2]))

    def current(self, purpose: Purpose, name: str = "default") -> KeyHandle:
        """The newest version of ``purpose/name``; v1 with fresh random material on first use."""
        key_id = self._key_id(purpose, name)
        with self._lock:
            conn = self._db()
            found = self._newest(key_id)
            if found is None:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    found = self._newest(key_id)
                    if found is None:
                        self._insert_version(key_id, purpose)
                        found = self._newest(key_id)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            assert found is not None
            version, purpose_value, wrapped = found
            return self._handle(key_id, version, purpose_value, wrapped)

    def get(self, key_id: str, version: int) -> KeyHandle:
        """Any version that was not destroyed; ``subject/<id>`` (version 1) names a subject key."""
        if key_id.startswith(SUBJECT_KEY_PREFIX):
            if version != 1:
                raise KeyNotFound(f"subject keys have only version 1, not {key_id}@v{version}")
            return self.subject_key(key_id[len(SUBJECT_KEY_PREFIX) :], create=False)
        with self._lock:
            cached = self._named.get((key_id, version))
            if cached is not None:
                return cached
            row = (
                self._db()
                .execute(
                    "SELECT purpose, wrapped FROM keys WHERE key_id = ? AND version = ? "
                    "AND state != 'destroyed'",
                    (key_id, version),
                )
                .fetchone()
            )
            if row is None:
                raise KeyNotFound(f"no key {key_id}@v{version} in {self.path}")
            return self._handle(key_id, version, str(row[0]), bytes(row[1]))

    def rotate(
        self, purpose: Purpose, name: str = "default", *, allow_relink: bool = False
    ) -> KeyRef:
        """Add a new version; older versions are marked retired but stay readable.

        Rotating a ``subject_id`` key changes every subject id, which breaks linkage across runs
        and lets a forgotten person reappear under a new id; it is refused unless
        ``allow_relink=True``. The forget-log key is pinned and never rotates.
        """
        key_id = self._key_id(purpose, name)
        if purpose is Purpose.SUBJECT_ID:
            if name == _FORGET_LOG_KEY:
                raise ValueError("the forget-log key is pinned; it cannot be rotated")
            if not allow_relink:
                raise ValueError(
                    f"rotating {key_id} changes every subject id (old pseudonyms stop matching, "
                    "forgotten subjects could return under new ids); pass allow_relink=True if "
                    "that is intended"
                )
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                ref = self._insert_version(key_id, purpose)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if purpose is Purpose.SUBJECT_ID:
                self._sid_key = None
            return ref

    def destroy_version(self, key_id: str, version: int) -> None:
        """Destroy one retired version of a named key (its wrapped material is zeroed; data
        protected under it becomes unrevealable). The active version cannot be destroyed -
        rotate first."""
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT state FROM keys WHERE key_id = ? AND version = ?", (key_id, version)
                ).fetchone()
                if row is None or row[0] == "destroyed":
                    raise KeyNotFound(f"no key {key_id}@v{version} in {self.path}")
                if row[0] == "active":
                    raise ValueError(f"{key_id}@v{version} is the active version; rotate first")
                conn.execute(
                    "UPDATE keys SET wrapped = zeroblob(length(wrapped)) "
                    "WHERE key_id = ? AND version = ?",
                    (key_id, version),
                )
                conn.execute(
                    "UPDATE keys SET wrapped = X'', state = 'destroyed' "
                    "WHERE key_id = ? AND version = ?",
                    (key_id, version),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._named.pop((key_id, version), None)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def list_keys(self) -> list[KeyRef]:
        """Every non-destroyed named key version (subject keys are counted by
        :meth:`subject_count`, not listed: there may be millions)."""
        with self._lock:
            rows = (
                self._db()
                .execute(
                    "SELECT key_id, version, purpose FROM keys WHERE state != 'destroyed' "
                    "ORDER BY key_id, version"
                )
                .fetchall()
            )
        return [KeyRef(str(k), int(v), Purpose(str(p))) for k, v, p in rows]

    # -- subject ids --------------------------------------------------------------------------

    def subject_id_for(self, identifier_value: str, entity_type: str) -> str:
        """A stable pseudonymous subject id: HMAC-SHA256 under the ``subject_id/default`` key of
        the entity type and normalised identifier, truncated to 128 bits, base32 (26 chars).

        The same person gets the same id across runs and files; without the keyring the id
        reveals nothing and cannot be recomputed from a guessed RRN or phone number."""
        with self._lock:
            if self._sid_key is None:
                self._sid_key = self.current(Purpose.SUBJECT_ID)
            secret = key_material(self._sid_key, Purpose.SUBJECT_ID)
        message = encode_aad(
            "subject-id", entity_type, normalize_identifier(identifier_value, entity_type)
        )
        digest = hmac.digest(secret, message, "sha256")[:16]
        return base64.b32encode(digest).decode("ascii").rstrip("=").lower()

    def _log_secret(self) -> bytes:
        if self._log_key is None:
            key_id = self._key_id(Purpose.SUBJECT_ID, _FORGET_LOG_KEY)
            self.current(Purpose.SUBJECT_ID, _FORGET_LOG_KEY)  # ensures v1 exists
            self._log_key = key_material(self.get(key_id, 1), Purpose.SUBJECT_ID)
        return self._log_key

    def _pseudonym(self, subject_id: str) -> str:
        return _pseudonym(self._log_secret(), subject_id)

    # -- subject keys -------------------------------------------------------------------------

    @staticmethod
    def _check_subject_id(subject_id: str) -> None:
        if not subject_id or len(subject_id) > 256 or not subject_id.isprintable():
            raise ValueError("a subject id is 1-256 printable characters")

    def _cache_put(self, subject_id: str, handle: KeyHandle) -> None:
        if self._cache_size == 0:
            return
        self._cache[subject_id] = handle
        self._cache.move_to_end(subject_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _fetch(self, ids: list[str]) -> dict[str, KeyHandle]:
        rows = (
            self._db()
            .execute(
                "SELECT subject_id, wrapped FROM subjects "
                "WHERE subject_id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
            .fetchall()
        )
        out: dict[str, KeyHandle] = {}
        for sid, wrapped in rows:
            sid = str(sid)
            material = self._subjects.unwrap(bytes(wrapped), sid)
            out[sid] = KeyHandle(KeyRef(SUBJECT_KEY_PREFIX + sid, 1, Purpose.SUBJECT), material)
        return out

    def forgotten_subjects(self, subject_ids: Iterable[str]) -> set[str]:
        """Which of ``subject_ids`` were forgotten (callers can drop their records up front)."""
        with self._lock:
            pseud = {self._pseudonym(sid): sid for sid in dict.fromkeys(subject_ids)}
            if not pseud:
                return set()
            rows = (
                self._db()
                .execute(
                    "SELECT DISTINCT pseudonym FROM destroyed_subjects "
                    "WHERE pseudonym IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(pseud)),),
                )
                .fetchall()
            )
        return {pseud[str(r[0])] for r in rows}

    def subject_keys(
        self, ids: Sequence[str], create: bool = True, *, allow_recreate: bool = False
    ) -> dict[str, KeyHandle]:
        """Keys for a batch of subjects: one SQL query for those not in the LRU cache, and - when
        ``create`` and some are new - one write transaction that re-checks, consults the
        destruction log and inserts all new rows at once.

        With ``create=False`` unknown ids are simply absent from the result. A forgotten id
        raises :class:`SubjectForgotten` (nothing is created) unless ``allow_recreate=True``.
        """
        unique = list(dict.fromkeys(ids))
        for sid in unique:
            self._check_subject_id(sid)
        with self._lock:
            result: dict[str, KeyHandle] = {}
            missing: list[str] = []
            for sid in unique:
                handle = self._cache.get(sid)
                if handle is None:
                    missing.append(sid)
                else:
                    self._cache.move_to_end(sid)
                    result[sid] = handle
            if missing:
                fetched = self._fetch(missing)
                for sid, handle in fetched.items():
                    self._cache_put(sid, handle)
                result.update(fetched)
                missing = [sid for sid in missing if sid not in fetched]
            if missing and create:
                result.update(self._create_subjects(missing, allow_recreate))
        return result

    def _create_subjects(self, missing: list[str], allow_recreate: bool) -> dict[str, KeyHandle]:
        log_secret = self._log_secret()  # before BEGIN: may itself write the forget-log key
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            todo = missing
            if not allow_recreate:
                pseud = {_pseudonym(log_secret, sid): sid for sid in todo}
                rows = conn.execute(
                    "SELECT DISTINCT pseudonym FROM destroyed_subjects "
                    "WHERE pseudonym IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(pseud)),),
                ).fetchall()
                if rows:
                    forgotten = tuple(sorted(pseud[str(r[0])] for r in rows))
                    shown = ", ".join(forgotten[:5]) + (" ..." if len(forgotten) > 5 else "")
                    raise SubjectForgotten(
                        f"{len(forgotten)} subject(s) were forgotten and will not be re-keyed "
                        f"({shown}); pass allow_recreate=True only if the subject's data may "
                        "lawfully be processed again",
                        forgotten,
                    )
            created: dict[str, KeyHandle] = {}
            now = int(time.time())
            rows_out = []
            fresh = new_data_key(32 * len(todo))
            for i, sid in enumerate(todo):
                material = fresh[32 * i : 32 * i + 32]
                rows_out.append((sid, self._subjects.wrap(material, sid), now))
                created[sid] = KeyHandle(
                    KeyRef(SUBJECT_KEY_PREFIX + sid, 1, Purpose.SUBJECT), material
                )
            rows_out.sort()  # key order: B-tree inserts touch neighbouring pages
            # OR IGNORE: another process may have created some of these since our first read
            # (BEGIN IMMEDIATE serialises writers, so its rows are visible now); its keys win.
            inserted = conn.executemany(
                "INSERT OR IGNORE INTO subjects (subject_id, wrapped, created_at) VALUES (?, ?, ?)",
                rows_out,
            ).rowcount
            if inserted != len(rows_out):
                created = self._fetch(todo)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for sid, handle in created.items():
            self._cache_put(sid, handle)
        return created

    def subject_key(
        self, subject_id: str, *, create: bool = True, allow_recreate: bool = False
    ) -> KeyHandle:
        """The subject's key, created on first use; :class:`SubjectForgotten` (a
        :class:`KeyNotFound`) once forgotten, even with ``create=True``."""
        found = self.subject_keys([subject_id], create, allow_recreate=allow_recreate)
        handle = found.get(subject_id)
        if handle is not None:
            return handle
        if self.forgotten_subjects([subject_id]):
            raise SubjectForgotten(f"subject {subject_id} was forgotten", (subject_id,))
        raise KeyNotFound(f"no key for subject {subject_id}")

    def forget_subject(self, subject_id: str) -> bool:
        """Crypto-shred a subject: zero and delete its key row (``secure_delete`` zeroes the
        freed page space), record the destruction under an HMAC pseudonym (never the raw id),
        checkpoint and truncate the WAL so no copy of the old page stays there, and evict the
        cache. Recorded even if no key existed, so a "forget me" before processing also blocks
        later keying. Returns True if a key was destroyed."""
        self._check_subject_id(subject_id)
        with self._lock:
            pseudonym = self._pseudonym(subject_id)
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    "UPDATE subjects SET wrapped = zeroblob(length(wrapped)) WHERE subject_id = ?",
                    (subject_id,),
                )
                existed = cur.rowcount > 0
                conn.execute("DELETE FROM subjects WHERE subject_id = ?", (subject_id,))
                conn.execute(
                    "INSERT INTO destroyed_subjects (pseudonym, destroyed_at) VALUES (?, ?)",
                    (pseudonym, _now_iso()),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._cache.pop(subject_id, None)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return existed

    def subject_count(self) -> int:
        """Number of live per-subject keys."""
        with self._lock:
            return int(self._db().execute("SELECT COUNT(*) FROM subjects").fetchone()[0])

    def destruction_log(self) -> list[tuple[str, str]]:
        """``(pseudonym, destroyed_at)`` records of forgotten subjects, oldest first: the
        evidence of destruction PIPA asks for, without the identity it destroyed."""
        with self._lock:
            rows = (
                self._db()
                .execute("SELECT pseudonym, destroyed_at FROM destroyed_subjects ORDER BY id")
                .fetchall()
            )
        return [(str(p), str(t)) for p, t in rows]


if TYPE_CHECKING:

    def _conforms(ring: LocalKeyring) -> SubjectKeyring:  # mypy checks the protocol match
        return ring


__all__ = [
    "DB_NAME",
    "DEFAULT_CACHE_SIZE",
    "FORMAT_VERSION",
    "LocalKeyring",
    "default_home",
    "normalize_identifier",
]
