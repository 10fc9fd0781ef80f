"""Bearer tokens: issued once, stored as hashes, revocable, expiring, bound to roles and region.

Token format: ``jk_<id>_<secret>`` - ``id`` (16 hex) is a public lookup key, ``secret`` 32
random bytes in base64url. The database stores ``sha256(token)`` only; the comparison is
constant-time (:func:`hmac.compare_digest`). A malformed, unknown, expired, revoked or
disabled token is the same 401 to the client (no oracle telling which part was wrong); the
audit log gets the precise reason and the token *id* (never the secret).

Authentication is on every request, so verified tokens are cached in memory for a few seconds
(``cache_ttl``); revoking through this process evicts at once, other processes see it within
``cache_ttl``. Expiry is re-checked on every request against the cached expiry time.

Replay protection for sensitive requests (reveal, decrypt, detokenize, unwrap, forget, rotate,
admin changes): the client sends ``X-Jikimi-Nonce`` (unique) and ``X-Jikimi-Timestamp`` (Unix
seconds); a timestamp outside the window or a nonce already stored is refused, so a captured
request cannot be sent again. Nonces live in the database, so the check holds across service
processes and restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jikimi.policy.access import PrincipalInfo
from jikimi.service.db import Principal, RequestNonce, Token

TOKEN_RE = re.compile(r"jk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
ROLE_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
REGION_RE = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,8})?|")
DEFAULT_TOKEN_TTL = 30 * 24 * 3600
MAX_TOKEN_TTL = 366 * 24 * 3600


class AuthError(Exception):
    """Authentication failed; ``reason`` is for the audit log only, never for the client."""

    def __init__(self, reason: str, token_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.token_id = token_id


class ReplayError(Exception):
    """A sensitive request's nonce was seen before or its timestamp is outside the window."""


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: the policy principal plus the token that proved it."""

    principal: PrincipalInfo
    token_id: str
    name: str


@dataclass(slots=True)
class _Cached:
    secret_hash: str
    caller: Caller
    expires_at: float
    checked_at: float


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def new_token() -> tuple[str, str]:
    """(token id, full token)."""
    tid = secrets.token_hex(8)
    secret = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode("ascii")
    return tid, f"jk_{tid}_{secret}"


def _roles(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(str(r) for r in json.loads(text))


def check_roles(roles: list[str]) -> list[str]:
    bad = [r for r in roles if not ROLE_RE.fullmatch(r)]
    if bad:
        raise ValueError("role names are 1-64 characters of a-z 0-9 _ starting with a letter")
    return sorted(set(roles))


class TokenStore:
    """Principals and tokens in the service database, with the verification cache."""

    def __init__(self, engine: Engine, *, cache_ttl: float = 5.0) -> None:
        self.engine = engine
        self.cache_ttl = cache_ttl
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self._revocations = 0

    # -- management ---------------------------------------------------------------------------

    def create_principal(
        self,
        name: str,
        roles: list[str],
        *,
        team: str = "",
        region: str = "",
        clearance: int = 0,
    ) -> str:
        if not NAME_RE.fullmatch(name):
            raise ValueError("a principal name is 1-128 characters of A-Z a-z 0-9 . _ @ -")
        if not REGION_RE.fullmatch(region):
            raise ValueError("a region is an ISO 3166 code such as KR or KR-11")
        pid = "p_" + secrets.token_hex(8)
        with Session(self.engine) as s, s.begin():
            s.add(
                Principal(
                    id=pid,
                    name=name,
                    roles=json.dumps(check_roles(roles)),
                    team=team,
                    region=region,
                    clearance=clearance,
                    created_at=time.time(),
                    disabled=False,
                )
            )
        return pid

    def principal_by_name(self, name: str) -> str | None:
        with Session(self.engine) as s:
            p = s.scalar(select(Principal).where(Principal.name == name))
            return None if p is None else p.id

    def list_principals(self) -> list[dict[str, object]]:
        with Session(self.engine) as s:
            return [
                {
                    "id": p.id,
                    "name": p.name,
                    "roles": list(_roles(p.roles)),
                    "team": p.team,
                    "region": p.region,
                    "clearance": p.clearance,
                    "disabled": p.disabled,
                }
                for p in s.scalars(select(Principal).order_by(Principal.name))
            ]

    def issue_token(
        self,
        principal_id: str,
        *,
        ttl: float = DEFAULT_TOKEN_TTL,
        roles: list[str] | None = None,
        region: str | None = None,
        description: str = "",
        now: float | None = None,
    ) -> tuple[str, str, float]:
        """(token id, token, expires_at). The token is returned here and never again."""
        if not 0 < ttl <= MAX_TOKEN_TTL:
            raise ValueError(f"a token lives between 1 second and {MAX_TOKEN_TTL} seconds")
        if region is not None and not REGION_RE.fullmatch(region):
            raise ValueError("a region is an ISO 3166 code such as KR or KR-11")
        now = time.time() if now is None else now
        with Session(self.engine) as s, s.begin():
            p = s.get(Principal, principal_id)
            if p is None:
                raise KeyError("no such principal")
            have = set(_roles(p.roles))
            if roles is not None:
                roles = check_roles(roles)
                if not set(roles) <= have:
                    raise ValueError("a token cannot carry roles its principal does not have")
            tid, token = new_token()
            s.add(
                Token(
                    id=tid,
                    principal_id=principal_id,
                    secret_hash=hash_token(token),
                    roles=None if roles is None else json.dumps(roles),
                    region=p.region if region is None else region,
                    description=description[:256],
                    created_at=now,
                    expires_at=now + ttl,
                    revoked_at=None,
                )
            )
        return tid, token, now + ttl

    def revoke(self, token_id: str) -> bool:
        with Session(self.engine) as s, s.begin():
            t = s.get(Token, token_id)
            found = t is not None and t.revoked_at is None
            if t is not None and t.revoked_at is None:
                t.revoked_at = time.time()
        with self._lock:
            self._cache.pop(token_id, None)
            self._revocations += 1  # a load already in flight must not cache the token again
        return found

    def token_principal(self, token_id: str) -> str | None:
        with Session(self.engine) as s:
            t = s.get(Token, token_id)
            return None if t is None else t.principal_id

    # -- verification -------------------------------------------------------------------------

    def authenticate_cached(self, header: str | None) -> Caller | None:
        """The caller if the token is in the verification cache (no I/O: safe on the event
        loop); None when the database must be asked; :class:`AuthError` when the cached entry
        already says no."""
        if not header:
            raise AuthError("missing bearer token")
        scheme, _, token = header.partition(" ")
        m = TOKEN_RE.fullmatch(token.strip()) if scheme.lower() == "bearer" else None
        if m is None:
            return None  # let authenticate() produce the precise reason
        now = time.time()
        with self._lock:
            cached = self._cache.get(m.group(1))
        if cached is None or now - cached.checked_at > self.cache_ttl:
            return None
        if not hmac.compare_digest(cached.secret_hash, hash_token(token.strip())):
            raise AuthError("wrong token secret", m.group(1))
        if now >= cached.expires_at:
            raise AuthError("expired token", m.group(1))
        return cached.caller

    def authenticate(self, header: str | None) -> Caller:
        """The caller of an ``Authorization: Bearer ...`` header, or :class:`AuthError`."""
        if not header:
            raise AuthError("missing bearer token")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthError("not a bearer token")
        m = TOKEN_RE.fullmatch(token.strip())
        if m is None:
            raise AuthError("malformed token")
        tid = m.group(1)
        digest = hash_token(token.strip())
        now = time.time()
        with self._lock:
            cached = self._cache.get(tid)
        if cached is None or now - cached.checked_at > self.cache_ttl:
            cached = self._load(tid, now)
        if not hmac.compare_digest(cached.secret_hash, digest):
            raise AuthError("wrong token secret", tid)
        if now >= cached.expires_at:
            raise AuthError("expired token", tid)
        return cached.caller

    def _load(self, tid: str, now: float) -> _Cached:
        with self._lock:
            generation = self._revocations
        with Session(self.engine) as s:
            t = s.get(Token, tid)
            if t is None:
                raise AuthError("unknown token", tid)
            if t.revoked_at is not None:
                raise AuthError("revoked token", tid)
            p = s.get(Principal, t.principal_id)
            if p is None or p.disabled:
                raise AuthError("principal disabled", tid)
            roles = _roles(t.roles) if t.roles is not None else _roles(p.roles)
            info = PrincipalInfo(p.id, roles, p.team, t.region, p.clearance)
            cached = _Cached(t.secret_hash, Caller(info, tid, p.name), t.expires_at, now)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            if generation == self._revocations:  # no revocation raced this load
                self._cache[tid] = cached
        return cached

    # -- replay protection --------------------------------------------------------------------

    def check_nonce(
        self, principal_id: str, nonce: str | None, timestamp: str | None, *, window: float
    ) -> None:
        """Record ``nonce``; :class:`ReplayError` if missing, reused, or the timestamp is stale."""
        if not nonce or not timestamp:
            raise ReplayError("X-Jikimi-Nonce and X-Jikimi-Timestamp are required")
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,128}", nonce):
            raise ReplayError("X-Jikimi-Nonce must be 16-128 characters of A-Z a-z 0-9 _ -")
        try:
            ts = float(timestamp)
        except ValueError:
            raise ReplayError("X-Jikimi-Timestamp must be Unix seconds") from None
        now = time.time()
        if not abs(now - ts) <= window:
            raise ReplayError("request timestamp outside the accepted window")
        try:
            with Session(self.engine) as s, s.begin():
                s.add(RequestNonce(nonce=nonce, principal_id=principal_id, seen_at=now))
        except IntegrityError:
            raise ReplayError("replayed request (nonce already used)") from None
        if secrets.randbelow(256) == 0:  # amortised clean-up of nonces no timestamp can reuse
            with Session(self.engine) as s, s.begin():
                s.execute(delete(RequestNonce).where(RequestNonce.seen_at < now - 2 * window))


__all__ = [
    "AuthError",
    "Caller",
    "ReplayError",
    "TokenStore",
    "hash_token",
    "new_token",
]
