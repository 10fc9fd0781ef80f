"""The service database: principals, their bearer tokens, and seen request nonces.

Why a database of its own (and not the keyring file): the keyring holds keys and nothing else,
sealed by the KEK; the service's bookkeeping - who may call it, which tokens exist, which nonces
were already used - changes far more often and must be shareable by several service processes.
SQLite is the embedded default; PostgreSQL (``--db postgresql://...``) is for production.

Tokens are stored only as SHA-256 hashes of the full token string: tokens are 256-bit random
values, so a fast hash is enough (no dictionary to guess from) and a stolen database yields no
usable token. Times are Unix seconds as floats, identical on SQLite and PostgreSQL.

The schema is created and upgraded by Alembic (``jikimi/service/migrations``), never by
``create_all``, so a production database is migrated the same way the tests create theirs.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Principal(Base):
    """A caller of the service: a person or a job runner, with roles and attributes."""

    __tablename__ = "principals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    roles: Mapped[str] = mapped_column(Text)  # JSON list of role names
    team: Mapped[str] = mapped_column(String(128), default="")
    region: Mapped[str] = mapped_column(String(16), default="")
    clearance: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Float)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class Token(Base):
    """A bearer token of a principal: shown once, stored as a hash, revocable, expiring.

    ``roles`` may narrow the principal's roles for this token; ``region`` is the region the
    token is used from, which policies see as the requester's region."""

    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    roles: Mapped[str | None] = mapped_column(Text, nullable=True)
    region: Mapped[str] = mapped_column(String(16), default="")
    description: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class RequestNonce(Base):
    """A nonce already used by a sensitive request (replay protection)."""

    __tablename__ = "request_nonces"

    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[float] = mapped_column(Float, index=True)


def normalize_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy would otherwise pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for many short transactions from a thread pool.

    SQLite: WAL (readers never block the writer), ``busy_timeout`` so concurrent writers wait
    instead of failing, ``synchronous=FULL`` so an acknowledged write survives a crash.
    PostgreSQL: a pool sized for the service's worker threads, with pre-ping so a restarted
    database does not surface as errors."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema with Alembic (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("jikimi.service").joinpath("migrations"))
    )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


__all__ = [
    "Base",
    "Principal",
    "RequestNonce",
    "Token",
    "make_engine",
    "migrate",
    "normalize_url",
]
