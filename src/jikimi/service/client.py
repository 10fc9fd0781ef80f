"""``RemoteKeyring``: the keyring interface ``protect`` uses, served by the home key service.

``jikimi protect --keys https://home.example/`` runs the same pipeline as with the local
keyring; keys come from the service instead of a local file:

* named keys (token, fpe, encrypt, surrogate, subject-id, quarantine): ``/v1/keys/datakey``
  hands out the key wrapped, ``/v1/keys/unwrap`` releases it - a policy decision logged with
  this job's id (``X-Jikimi-Job``, one per RemoteKeyring unless given);
* per-subject keys: one ``/v1/keys/subjects`` + one ``/v1/keys/unwrap`` per chunk of records
  (the protect pipeline asks for a whole chunk at once), never one request per record;
* released keys sit in a **data-key cache** bounded by time (``ttl`` seconds) and by uses
  (``max_uses`` hand-outs per release), so throughput does not collapse into round trips while
  a stolen process memory image holds keys only briefly. After either bound the key is
  released again (and logged again).

Subject ids are computed here with the released ``subject_id`` key, by the same construction as
:meth:`jikimi.keys.LocalKeyring.subject_id_for`, so local and remote runs link the same people.

Transport: the standard library's ``http.client`` with one keep-alive connection (no extra
dependency); HTTPS verifies the server certificate by default; an ``ssl_context`` with a client
certificate gives mutual TLS. Errors carry the HTTP status and the service's message - never the
token or key material.
"""

from __future__ import annotations

import base64
import hmac
import http.client
import json
import secrets
import ssl
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from jikimi.keys.base import (
    KeyHandle,
    KeyNotFound,
    KeyRef,
    KeyringError,
    Purpose,
    SubjectForgotten,
    SubjectKeyring,
    key_material,
)
from jikimi.keys.envelope import encode_aad
from jikimi.keys.local import normalize_identifier

DEFAULT_TTL = 300.0
DEFAULT_MAX_USES = 100_000
UNWRAP_CHUNK = 5000


class RemoteKeyringError(KeyringError):
    """The service refused or failed a request; ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class _Entry:
    handle: KeyHandle
    expires: float
    uses: int


class RemoteKeyring:
    """A :class:`~jikimi.keys.base.SubjectKeyring` backed by ``jikimi serve`` (see module doc)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        job_id: str | None = None,
        ttl: float = DEFAULT_TTL,
        max_uses: int = DEFAULT_MAX_USES,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        prefetch_subjects: bool = True,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KeyringError(f"--keys needs an http(s) URL of a jikimi service, not {url!r}")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            # the bearer token and released key material would cross the network in clear
            raise KeyringError("--keys over plain http is allowed only to this machine; use https")
        self.url = url
        self.job_id = job_id or f"job-{uuid.uuid4().hex[:16]}"
        self.ttl = ttl
        self.max_uses = max_uses
        self.prefetch_subjects = prefetch_subjects
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._base = parts.path.rstrip("/")
        self._timeout = timeout
        self._ssl = ssl_context
        self._token = token
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.RLock()
        self._cache: dict[tuple[str, ...], _Entry] = {}
        self._forgotten: set[str] = set()
        self.releases = 0
        self.requests = 0
        self._warmer: ThreadPoolExecutor | None = None
        self._sid: list[Any] | None = None  # [expires, subject-id key, uses left]

    def __repr__(self) -> str:  # never the token
        return f"RemoteKeyring({self.url!r}, job={self.job_id})"

    # -- transport ----------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout,
                    context=self._ssl or ssl.create_default_context())
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port,
                                                        timeout=self._timeout)
        return self._conn

    def _call(self, method: str, path: str, body: Any = None, *, fresh: bool = False) -> Any:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "X-Jikimi-Job": self.job_id,
            "Accept": "application/json",
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        with self._lock:
            for attempt in (0, 1):
                if fresh:
                    headers["X-Jikimi-Nonce"] = secrets.token_urlsafe(18)
                    headers["X-Jikimi-Timestamp"] = str(int(time.time()))
                conn = self._connection()
                try:
                    conn.request(method, self._base + path, body=data, headers=headers)
                    resp = conn.getresponse()
                    raw = resp.read()
                    status = resp.status
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    self._conn = None
                    if attempt:  # one reconnect (keep-alive closed by a restarted service)
                        raise RemoteKeyringError(
                            f"key service {self.url} unreachable: {type(exc).__name__}") from None
            self.requests += 1
        if status >= 400:
            try:
                detail = json.loads(raw).get("detail", "")
            except (ValueError, AttributeError):
                detail = ""
            if status == 404:
                raise KeyNotFound(f"key service: {detail or 'not found'}")
            raise RemoteKeyringError(f"key service answered {status}: {detail}", status)
        return json.loads(raw)

    # -- cache --------------------------------------------------------------------------------

    def _take(self, key: tuple[str, ...]) -> KeyHandle | None:
        e = self._cache.get(key)
        if e is None:
            return None
        if e.uses <= 0 or time.monotonic() >= e.expires:
            del self._cache[key]
            return None
        e.uses -= 1
        return e.handle

    def _put(self, key: tuple[str, ...], handle: KeyHandle) -> None:
        if len(self._cache) > 1_000_000:
            self._cache.clear()
        self._cache[key] = _Entry(handle, time.monotonic() + self.ttl, self.max_uses - 1)

    def clear_cache(self) -> None:
        """Drop every released key now (e.g. at the end of a job), after stopping warm-ups
        that could put keys back."""
        self._stop_warming()
        with self._lock:
            self._cache.clear()
            self._sid = None

    def _release(self, blobs: list[str]) -> list[KeyHandle]:
        out: list[KeyHandle] = []
        for i in range(0, len(blobs), UNWRAP_CHUNK):
            res = self._call("POST", "/v1/keys/unwrap", {"wrapped": blobs[i : i + UNWRAP_CHUNK]},
                             fresh=True)
            out.extend(self._handle(k) for k in res["keys"])
        self.releases += len(out)
        return out

    @staticmethod
    def _handle(k: dict[str, Any]) -> KeyHandle:
        material = base64.urlsafe_b64decode(k["key"] + "=" * (-len(k["key"]) % 4))
        return KeyHandle(KeyRef(k["key_id"], int(k["version"]), Purpose(k["purpose"])), material)

    def _named(self, body: dict[str, Any]) -> KeyHandle:
        res = self._call("POST", "/v1/keys/datakey", body)
        return self._release([res["wrapped"]])[0]

    # -- Keyring ------------------------------------------------------------------------------

    def current(self, purpose: Purpose, name: str = "default") -> KeyHandle:
        key = ("current", purpose.value, name)
        with self._lock:
            h = self._take(key)
            if h is None:
                h = self._named({"purpose": purpose.value, "name": name})
                self._put(key, h)
                self._put(("get", h.key_id, str(h.version)), h)
            return h

    def get(self, key_id: str, version: int) -> KeyHandle:
        if key_id.startswith("subject/"):
            if version != 1:
                raise KeyNotFound(f"subject keys have only version 1, not {key_id}@v{version}")
            return self.subject_key(key_id[len("subject/"):], create=False)
        key = ("get", key_id, str(version))
        with self._lock:
            h = self._take(key)
            if h is None:
                h = self._named({"key_id": key_id, "version": version})
                self._put(key, h)
            return h

    def rotate(self, purpose: Purpose, name: str = "default") -> KeyRef:
        res = self._call("POST", "/v1/keys/rotate", {"purpose": purpose.value, "name": name},
                         fresh=True)
        with self._lock:
            self._cache.pop(("current", purpose.value, name), None)
            if purpose is Purpose.SUBJECT_ID:
                self._sid = None
        return KeyRef(res["key_id"], int(res["version"]), Purpose(res["purpose"]))

    def list_keys(self) -> list[KeyRef]:
        return [KeyRef(k["key_id"], int(k["version"]), Purpose(k["purpose"]))
                for k in self._call("GET", "/v1/keys")]

    def forget_subject(self, subject_id: str) -> bool:
        """Needs a privacy officer's token (the default policy), with a ticket in practice -
        use the service API directly for that; this keeps the Keyring interface complete."""
        res = self._call("POST", "/v1/subjects/forget", {"subject_id": subject_id}, fresh=True)
        with self._lock:
            self._cache.pop(("subject", subject_id), None)
            self._forgotten.add(subject_id)
        return bool(res["destroyed"])

    # -- SubjectKeyring -----------------------------------------------------------------------

    def _fetch_subjects(self, ids: list[str], create: bool) -> None:
        """Subject keys created (``create``) and released in one request (``release``: the
        service decides and logs the release exactly as ``/v1/keys/unwrap`` would)."""
        res = self._call("POST", "/v1/keys/subjects", {"ids": ids, "create": create,
                                                       "release": True}, fresh=True)
        self._forgotten.update(res["forgotten"])
        for sid, k in res["released"].items():
            self._put(("subject", sid), self._handle(k))
        self.releases += len(res["released"])

    def subject_keys(self, ids: Sequence[str], create: bool = True) -> dict[str, KeyHandle]:
        unique = list(dict.fromkeys(ids))
        with self._lock:
            out: dict[str, KeyHandle] = {}
            missing = []
            for sid in unique:
                h = self._take(("subject", sid))
                if h is None:
                    missing.append(sid)
                else:
                    out[sid] = h
            for i in range(0, len(missing), UNWRAP_CHUNK):
                self._fetch_subjects(missing[i : i + UNWRAP_CHUNK], create)
            for sid in missing:
                h = self._take(("subject", sid))
                if h is not None:
                    out[sid] = h
            forgotten = tuple(sorted(s for s in missing if s in self._forgotten))
        if forgotten and create:
            raise SubjectForgotten(
                f"{len(forgotten)} subject(s) were forgotten and will not be re-keyed", forgotten)
        return out

    def subject_key(self, subject_id: str, *, create: bool = True) -> KeyHandle:
        found = self.subject_keys([subject_id], create=False) if not create else None
        if found is None:
            found = self.subject_keys([subject_id], create=True)
        h = found.get(subject_id)
        if h is not None:
            return h
        if subject_id in self._forgotten:
            raise SubjectForgotten(f"subject {subject_id} was forgotten", (subject_id,))
        raise KeyNotFound(f"no key for subject {subject_id}")

    def forgotten_subjects(self, subject_ids: Iterable[str]) -> set[str]:
        """Which ids were forgotten. With ``prefetch_subjects`` (default) the same request also
        creates and releases the others' keys, because protect asks for them right after: one
        round trip pair per chunk instead of two."""
        ids = list(dict.fromkeys(subject_ids))
        with self._lock:
            unknown = [s for s in ids if s not in self._forgotten
                       and ("subject", s) not in self._cache]
            for i in range(0, len(unknown), UNWRAP_CHUNK):
                chunk = unknown[i : i + UNWRAP_CHUNK]
                if self.prefetch_subjects:
                    self._fetch_subjects(chunk, True)
                else:
                    res = self._call("POST", "/v1/keys/subjects", {"ids": chunk, "create": False})
                    self._forgotten.update(res["forgotten"])
            return {s for s in ids if s in self._forgotten}

    def warm_subjects(self, subject_ids: Sequence[str]) -> None:
        """Start fetching (creating) these subjects' keys in the background and return at once.

        Why: protect scans a chunk in slices and calls this after each slice, so the round trip
        for one slice overlaps the scan of the next instead of stalling the job (the service
        is another process, and the socket wait releases the GIL). Nothing depends on it
        succeeding: a failure here is dropped, and the synchronous
        :meth:`forgotten_subjects`/:meth:`subject_keys` that follow fetch again and raise."""
        ids = list(dict.fromkeys(subject_ids))
        if not ids or not self.prefetch_subjects:
            return
        if self._warmer is None:
            self._warmer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jikimi-keys")
        self._warmer.submit(self._warm, ids)

    def _warm(self, ids: list[str]) -> None:
        try:
            self.forgotten_subjects(ids)
        except (RemoteKeyringError, KeyNotFound, KeyringError, OSError, ValueError):
            pass  # the synchronous call after it repeats the request and reports the failure

    def _subject_id_secret(self) -> bytes:
        """The subject-id key, asked for once per record: a lock-free fast path, because a
        background :meth:`warm_subjects` fetch holds the cache lock for its whole round trip and
        the scan must not wait on it. Same TTL and max-uses bounds as the cache (a use count
        raced by two threads may be off by a few; it only shortens or stretches the reuse)."""
        cached = self._sid
        if cached is not None and cached[2] > 0 and time.monotonic() < cached[0]:
            cached[2] -= 1
            secret: bytes = cached[1]
            return secret
        with self._lock:
            handle = self.current(Purpose.SUBJECT_ID)
            secret = key_material(handle, Purpose.SUBJECT_ID)
            # take over the cache entry's own budget (expiry and remaining uses) so the fast
            # path never stretches a release beyond the TTL and max-uses it was given
            entry = self._cache.get(("current", Purpose.SUBJECT_ID.value, "default"))
            if entry is not None and entry.handle is handle:
                self._sid = [entry.expires, secret, entry.uses]
                entry.uses = 0
            else:
                self._sid = None
        return secret

    def subject_id_for(self, identifier_value: str, entity_type: str) -> str:
        """Same construction as :meth:`jikimi.keys.LocalKeyring.subject_id_for`."""
        secret = self._subject_id_secret()
        message = encode_aad(
            "subject-id", entity_type, normalize_identifier(identifier_value, entity_type)
        )
        digest = hmac.digest(secret, message, "sha256")[:16]
        return base64.b32encode(digest).decode("ascii").rstrip("=").lower()

    def _stop_warming(self) -> None:
        # queued warm-ups are dropped (they would release keys for records never written);
        # one already on the wire finishes first
        if self._warmer is not None:
            self._warmer.shutdown(wait=True, cancel_futures=True)
            self._warmer = None

    def close(self) -> None:
        self._stop_warming()
        with self._lock:
            self._cache.clear()
            self._sid = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if TYPE_CHECKING:

    def _conforms(ring: RemoteKeyring) -> SubjectKeyring:  # mypy checks the protocol match
        return ring


__all__ = ["DEFAULT_MAX_USES", "DEFAULT_TTL", "RemoteKeyring", "RemoteKeyringError"]
