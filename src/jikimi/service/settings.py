"""Service settings: where the keyring, the service database and the audit log live, and the
limits that keep one client from exhausting the service."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jikimi.keys.local import default_home

_SCHEMA_RE = re.compile(r"[a-z_][a-z0-9_]{0,50}")


@dataclass(slots=True)
class Settings:
    """Everything :func:`jikimi.service.app.create_app` needs.

    ``db_url`` defaults to ``sqlite:///<home>/service.db``; a ``postgresql://`` URL selects
    PostgreSQL, and ``db_schema`` then isolates this service's tables (and, as
    ``<schema>_audit``, its audit log) in one schema. ``keyring`` and ``audit_log`` may be
    passed in already opened (tests, embedding); otherwise they are opened from ``home``.
    """

    home: Path = field(default_factory=default_home)
    db_url: str | None = field(default=None, repr=False)  # may embed a database password
    db_schema: str | None = None
    audit_db: str | None = field(default=None, repr=False)
    audit_schema: str | None = None
    policy_dir: Path | None = None
    passphrase: str | None = field(default=None, repr=False)
    keyring: Any = None
    audit_log: Any = None
    max_body_bytes: int = 1 << 20
    max_batch: int = 10_000
    replay_window: float = 300.0
    token_cache_ttl: float = 5.0
    policy_check_interval: float = 1.0
    thread_limit: int = 64
    switch_interval: float = 0.0005
    close_on_shutdown: bool = True
    """Close keyring, log and database at ASGI shutdown (off for harnesses that run the
    lifespan once per request, e.g. schemathesis over ASGI)."""

    def __post_init__(self) -> None:
        for name in ("db_schema", "audit_schema"):
            v = getattr(self, name)
            if v is not None and not _SCHEMA_RE.fullmatch(v):
                raise ValueError(f"{name} must match {_SCHEMA_RE.pattern}")

    @property
    def is_postgres(self) -> bool:
        return (self.db_url or "").startswith(("postgresql", "postgres:"))

    def resolved_db_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / 'service.db'}"

    def resolved_audit(self) -> tuple[str, str | None]:
        """(location, schema) of the audit log: PostgreSQL beside the service database when that
        is PostgreSQL, else ``<home>/audit/log.db``."""
        if self.audit_db:
            return self.audit_db, self.audit_schema
        if self.is_postgres and self.db_url:
            dsn = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", self.db_url)
            return dsn, self.audit_schema or f"{self.db_schema or 'jikimi'}_audit"
        return str(self.home / "audit" / "log.db"), None
