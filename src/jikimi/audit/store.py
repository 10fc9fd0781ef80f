"""Durable storage for the audit log: SQLite (embedded default) and PostgreSQL, one interface.

Layout (the same in both):

* ``tree`` — one row: the integrated size and root. Updated in the same transaction as the
  entries and tiles of a batch, so the size never runs ahead of durable data;
* ``entries`` — ``(idx, data)``: the canonical entry bytes;
* ``tiles`` — ``(level, idx, hashes)``: the C2SP tiles, 256 hashes per full tile (immutable once
  full; the rightmost partial tile of each level is rewritten as it grows), so proofs read
  O(log n) rows and never rehash leaves;
* ``checkpoints`` — ``(size, note)``: signed checkpoints, written only after the batch they cover
  committed.

Writers serialise on a database lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``SELECT … FOR
UPDATE`` on the tree row), which is what makes concurrent threads and processes safe: each
writer re-reads the size under the lock and integrates on top of it. SQLite runs in WAL mode with
``synchronous=FULL`` so a commit is on disk when acknowledged; PostgreSQL relies on its default
``synchronous_commit=on``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class StoreError(RuntimeError):
    """The store cannot be opened or is inconsistent (e.g. a damaged database file)."""


class WriteTxn(ABC):
    """A write transaction holding the log's write lock."""

    @abstractmethod
    def size(self) -> int: ...

    @abstractmethod
    def put_entries(self, start: int, entries: Sequence[bytes]) -> None: ...

    @abstractmethod
    def put_tiles(self, tiles: dict[tuple[int, int], bytes]) -> None: ...

    @abstractmethod
    def set_tree(self, size: int, root: bytes) -> None: ...

    @abstractmethod
    def add_checkpoint(self, size: int, note: str) -> None:
        """Store a signed checkpoint in the same transaction as the entries it covers: one
        durable write (one fsync) per group commit instead of two."""


class Store(ABC):
    """Backend interface used by :class:`jikimi.audit.log.AuditLog` and the verifier."""

    def __init__(self) -> None:
        self.lock = threading.RLock()

    @abstractmethod
    def write_txn(self) -> Any:
        """Context manager yielding a :class:`WriteTxn`; commits on normal exit."""

    @abstractmethod
    def tree(self) -> tuple[int, bytes | None]: ...

    @abstractmethod
    def get_tile(self, level: int, index: int) -> bytes | None: ...

    @abstractmethod
    def get_entries(self, start: int, end: int) -> list[tuple[int, bytes]]: ...

    @abstractmethod
    def add_checkpoint(self, size: int, note: str) -> None: ...

    @abstractmethod
    def checkpoints(self) -> list[tuple[int, str]]: ...

    @abstractmethod
    def latest_checkpoint(self) -> tuple[int, str] | None: ...

    @abstractmethod
    def bytes_used(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...

    def fetch_tile(self, level: int, index: int, width: int) -> bytes:
        data = self.get_tile(level, index)
        if data is None or len(data) < width * 32:
            have = 0 if data is None else len(data) // 32
            raise StoreError(f"tile {level}/{index} has {have} hashes, the tree needs {width}")
        return data[: width * 32]


_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS tree (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, root BLOB);
INSERT OR IGNORE INTO tree (id, size, root) VALUES (1, 0, NULL);
CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tiles (level INTEGER NOT NULL, idx INTEGER NOT NULL, hashes BLOB NOT NULL,
    PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);
"""


class _SqliteTxn(WriteTxn):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def size(self) -> int:
        return int(self.conn.execute("SELECT size FROM tree WHERE id = 1").fetchone()[0])

    def put_entries(self, start: int, entries: Sequence[bytes]) -> None:
        self.conn.executemany(
            "INSERT INTO entries (idx, data) VALUES (?, ?)", zip(range(start, start + len(entries)), entries)
        )

    def put_tiles(self, tiles: dict[tuple[int, int], bytes]) -> None:
        self.conn.executemany(
            "INSERT INTO tiles (level, idx, hashes) VALUES (?, ?, ?) "
            "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
            [(lv, ix, h) for (lv, ix), h in tiles.items()],
        )

    def set_tree(self, size: int, root: bytes) -> None:
        self.conn.execute("UPDATE tree SET size = ?, root = ? WHERE id = 1", (size, root))

    def add_checkpoint(self, size: int, note: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO checkpoints (size, note) VALUES (?, ?)", (size, note))


class _SqlStore(Store):
    """The read queries both SQL backends share; only the parameter placeholder differs
    (``?`` for sqlite3, ``%s`` for psycopg)."""

    P = "?"
    conn: Any

    def add_checkpoint(self, size: int, note: str) -> None:
        # the backend's transaction writes it: one INSERT per backend, shared with group commits
        with self.write_txn() as tx:
            tx.add_checkpoint(size, note)

    def tree(self) -> tuple[int, bytes | None]:
        with self.lock:
            row = self.conn.execute("SELECT size, root FROM tree WHERE id = 1").fetchone()
        if row is None:
            raise StoreError("the audit tree row is missing: database damaged")
        return int(row[0]), None if row[1] is None else bytes(row[1])

    def get_tile(self, level: int, index: int) -> bytes | None:
        p = self.P
        with self.lock:
            row = self.conn.execute(
                f"SELECT hashes FROM tiles WHERE level = {p} AND idx = {p}", (level, index)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def get_entries(self, start: int, end: int) -> list[tuple[int, bytes]]:
        p = self.P
        with self.lock:
            rows = self.conn.execute(
                f"SELECT idx, data FROM entries WHERE idx >= {p} AND idx < {p} ORDER BY idx", (start, end)
            ).fetchall()
        return [(int(i), d.encode() if isinstance(d, str) else bytes(d)) for i, d in rows]

    def checkpoints(self) -> list[tuple[int, str]]:
        with self.lock:
            rows = self.conn.execute("SELECT size, note FROM checkpoints ORDER BY size").fetchall()
        return [(int(s), str(n)) for s, n in rows]

    def latest_checkpoint(self) -> tuple[int, str] | None:
        with self.lock:
            row = self.conn.execute(
                "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1"
            ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))


class SqliteStore(_SqlStore):
    """The embedded default: one SQLite file (mode 0600) in WAL mode, ``synchronous=FULL``."""

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            self.conn = sqlite3.connect(
                str(self.path), timeout=60, isolation_level=None, check_same_thread=False
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.executescript(_SQLITE_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"audit database {self.path} cannot be opened: {exc}") from None

    @contextmanager
    def write_txn(self) -> Iterator[WriteTxn]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTxn(self.conn)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def bytes_used(self) -> int:
        with self.lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
            psize = self.conn.execute("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(psize)

    def close(self) -> None:
        with self.lock:
            self.conn.close()


_PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS tree (id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL, root BYTEA);
INSERT INTO tree (id, size, root) VALUES (1, 0, NULL) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS entries (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS tiles (level INTEGER NOT NULL, idx BIGINT NOT NULL, hashes BYTEA NOT NULL,
    PRIMARY KEY (level, idx));
CREATE TABLE IF NOT EXISTS checkpoints (size BIGINT PRIMARY KEY, note TEXT NOT NULL);
"""


class _PgTxn(WriteTxn):
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def size(self) -> int:
        row = self.conn.execute("SELECT size FROM tree WHERE id = 1 FOR UPDATE").fetchone()
        if row is None:
            raise StoreError("the audit tree row is missing: database damaged")
        return int(row[0])

    def put_entries(self, start: int, entries: Sequence[bytes]) -> None:
        with self.conn.cursor() as cur, cur.copy("COPY entries (idx, data) FROM STDIN") as cp:
            for i, e in enumerate(entries):
                cp.write_row((start + i, e))

    def put_tiles(self, tiles: dict[tuple[int, int], bytes]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO tiles (level, idx, hashes) VALUES (%s, %s, %s) "
                "ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
                [(lv, ix, h) for (lv, ix), h in tiles.items()],
            )

    def set_tree(self, size: int, root: bytes) -> None:
        self.conn.execute("UPDATE tree SET size = %s, root = %s WHERE id = 1", (size, root))

    def add_checkpoint(self, size: int, note: str) -> None:
        self.conn.execute(
            "INSERT INTO checkpoints (size, note) VALUES (%s, %s) ON CONFLICT DO NOTHING", (size, note)
        )


class PostgresStore(_SqlStore):
    """PostgreSQL backend (psycopg 3). ``schema`` isolates one log per schema."""

    P = "%s"

    def __init__(self, dsn: str, schema: str = "jikimi_audit") -> None:
        super().__init__()
        try:
            import psycopg
        except ImportError:  # pragma: no cover - dependency is declared
            raise StoreError("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from None
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise StoreError(f"invalid schema name {schema!r}")
        self.schema = schema
        try:
            self.conn = psycopg.connect(dsn, autocommit=True)
            self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            self.conn.execute(f"SET search_path TO {schema}")
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (schema,))
                for stmt in _PG_SCHEMA.split(";"):
                    if stmt.strip():
                        self.conn.execute(stmt)
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL audit store cannot be opened: {exc}") from None

    @contextmanager
    def write_txn(self) -> Iterator[WriteTxn]:
        with self.lock, self.conn.transaction():
            yield _PgTxn(self.conn)

    def bytes_used(self) -> int:
        total = 0
        with self.lock:
            for t in ("tree", "entries", "tiles", "checkpoints"):
                got = self.conn.execute("SELECT pg_total_relation_size(%s)", (f"{self.schema}.{t}",)).fetchone()
                total += int(got[0]) if got else 0
        return total

    def drop(self) -> None:
        """Drop the whole schema (tests)."""
        with self.lock:
            self.conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def open_store(location: str | Path, schema: str | None = None) -> Store:
    """A PostgreSQL DSN (``postgresql://…``) or a SQLite file path."""
    loc = str(location)
    if loc.startswith(("postgresql://", "postgres://", "host=")):
        return PostgresStore(loc, schema or os.environ.get("JIKIMI_AUDIT_SCHEMA", "jikimi_audit"))
    return SqliteStore(Path(loc))
