"""The tamper-evident audit log: batched, durable appends into an RFC 9162 tree with signed
C2SP checkpoints. Drop-in for :class:`jikimi.audit.access_log.AccessLog` (``append(event)``).

Why it is built this way:

* **Acknowledged means durable.** ``append`` returns only after the batch holding the entry has
  committed (entries, tiles and tree size in one transaction). Callers on many threads are
  group-committed by one writer thread, so one fsync covers many appends.
* **Checkpoints never run ahead of the data.** A group commit's checkpoint is written in the
  same transaction as the batch it covers (one fsync), so after any crash every stored
  checkpoint is a prefix of the durable tree.
* **Integration is O(1) amortised per entry.** The right edge of the tree (a compact range plus
  the partial tile of each level) is kept in memory and rebuilt from tiles on open or when
  another writer (thread or process) moved the tree; every interior node is hashed exactly once.
* **Entries carry no personal data.** An entry is canonical JSON (sorted keys, UTF-8, schema
  ``jikimi.audit/v1``) with the PIPC access-record fields. A data subject appears only as a salted
  HMAC commitment keyed by that subject's own key: whoever holds the key can test whether an
  entry concerns the subject, and once ``forget`` destroys the key nobody can — the entry bytes,
  and so every proof and checkpoint, stay unchanged.

Keys: the log's Ed25519 signing key is a C2SP signer key in ``$JIKIMI_HOME/audit/log.key`` (mode
0600, created on first use; or pass ``key_path``); its vkey is written next to it as
``log.vkey``. The SQLite database is ``$JIKIMI_HOME/audit/log.db`` unless ``db`` is given (a path
or a ``postgresql://`` DSN).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import re
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Self

import orjson

from jikimi.audit import merkle
from jikimi.audit.checkpoint import Checkpoint
from jikimi.audit.note import Signer
from jikimi.audit.store import Store, open_store
from jikimi.audit.tiles import (
    MAX_ENTRY,
    TILE_HEIGHT,
    TILE_WIDTH,
    TileCache,
    TileHashReader,
    write_tiles,
)

SCHEMA = "jikimi.audit/v1"
FIELDS = (
    "schema", "ts", "handler", "source", "action", "purpose", "decision",
    "key_id", "key_version", "subject", "subject_state", "count", "detail",
)  # fmt: skip
REQUIRED = ("ts", "handler", "source", "action", "decision")
COMMIT_LABEL = "audit/subject-commitment"

SubjectCommitter = Callable[[str], "str | None"]
"""``commit(subject_id)`` -> commitment string, or None when the subject has no key (never keyed,
or forgotten): then nothing about the subject is recorded."""


class AuditError(ValueError):
    """An event cannot be logged (missing fields, personal data where none may be, too large)."""


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def commitment(subject_key: bytes, subject_id: str, nonce: bytes | None = None) -> str:
    """``c1:<nonce>:<HMAC(K_subject, label || nonce || id)>``. Salted so two entries about the
    same subject are not linkable without the key."""
    n = os.urandom(16) if nonce is None else nonce
    mac = hmac.new(subject_key, b"jikimi/audit/subject/v1\x00" + n + subject_id.encode(), hashlib.sha256)
    return f"c1:{_b64(n)}:{_b64(mac.digest())}"


def commitment_matches(value: str, subject_key: bytes, subject_id: str) -> bool:
    """Does the commitment ``value`` name ``subject_id``? (needs the subject's key)."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "c1":
        return False
    nonce = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
    return hmac.compare_digest(commitment(subject_key, subject_id, nonce), value)


def keyring_committer(keyring: Any) -> SubjectCommitter:
    """A committer using ``keyring.subject_key(id, create=False)`` (a :class:`Keyring`)."""
    from jikimi.keys.base import KeyNotFound

    def commit(subject_id: str) -> str | None:
        try:
            handle = keyring.subject_key(subject_id, create=False)
        except KeyNotFound:
            return None
        return commitment(handle.subkey(COMMIT_LABEL), subject_id)

    return commit


def normalize_event(event: dict[str, Any], committer: SubjectCommitter | None) -> dict[str, Any]:
    """Turn an access event (from :func:`jikimi.audit.access_event` or JSON) into a log entry."""
    unknown = set(event) - set(FIELDS)
    if unknown:
        raise AuditError(f"unknown audit fields: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {k: event.get(k) for k in FIELDS}
    out["schema"] = SCHEMA
    if out["handler"] is None:
        try:
            out["handler"] = getpass.getuser()
        except (KeyError, OSError):
            out["handler"] = f"uid:{os.getuid()}"
    if out["source"] is None:
        out["source"] = socket.gethostname()
    if out["ts"] is None:
        import datetime as dt

        out["ts"] = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    if out["decision"] is None:
        out["decision"] = "allow"
    missing = [k for k in REQUIRED if not out[k]]
    if missing:
        raise AuditError(f"audit event lacks {', '.join(missing)}")
    subject = out["subject"]
    state = event.get("subject_state")
    if subject is not None and state != "committed":
        if not isinstance(subject, str):
            raise AuditError("subject must be a subject id string")
        c = committer(subject.removeprefix("subject/")) if committer is not None else None
        out["subject"], out["subject_state"] = (c, "committed") if c else (None, "unkeyed")
    elif subject is not None and not re.fullmatch(r"c1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+", str(subject)):
        raise AuditError("a committed subject must be a c1: commitment")
    return out


def encode_entry(entry: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    data = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
    if len(data) > MAX_ENTRY:
        raise AuditError(f"audit entry of {len(data)} bytes exceeds {MAX_ENTRY}")
    return data


class _Edge:
    """Right edge of the tree: compact range (perfect subtrees, left to right) and the
    rightmost partial tile row of every level."""

    __slots__ = ("rows", "size", "stack")

    def __init__(self, size: int, stack: list[tuple[int, bytes]], rows: list[list[bytes]]) -> None:
        self.size = size
        self.stack = stack
        self.rows = rows

    def copy(self) -> _Edge:
        return _Edge(self.size, list(self.stack), [list(r) for r in self.rows])

    @classmethod
    def load(cls, store: Store, size: int) -> _Edge:
        reader = TileHashReader(store.fetch_tile, size)
        stack, pos = [], 0
        for h in range(size.bit_length() - 1, -1, -1):
            if size >> h & 1:
                stack.append((h, reader.perfect_hash(h, pos >> h)))
                pos += 1 << h
        rows = []
        level = 0
        while size >> (TILE_HEIGHT * level):
            n = size >> (TILE_HEIGHT * level)
            w = n % TILE_WIDTH
            rows.append(reader.tile_hashes(level, n // TILE_WIDTH)[0][:w] if w else [])
            level += 1
        return cls(size, stack, rows)

    def _record(self, height: int, h: bytes, dirty: dict[tuple[int, int], bytes | None]) -> None:
        level = height // TILE_HEIGHT
        while len(self.rows) <= level:
            self.rows.append([])
        row = self.rows[level]
        # hashes at this level before this one: floor(size_after_leaf / 256**level) - 1
        tidx = ((self.size + 1) >> (TILE_HEIGHT * level)) - 1 >> TILE_HEIGHT
        row.append(h)
        if len(row) == TILE_WIDTH:
            dirty[(level, tidx)] = b"".join(row)
            self.rows[level] = []
        else:
            dirty[(level, tidx)] = None

    def add(self, leaf: bytes, dirty: dict[tuple[int, int], bytes | None]) -> None:
        self._record(0, leaf, dirty)
        height, cur, stack = 0, leaf, self.stack
        while stack and stack[-1][0] == height:
            cur = merkle.node_hash(stack.pop()[1], cur)
            height += 1
            if height % TILE_HEIGHT == 0:
                self._record(height, cur, dirty)
        stack.append((height, cur))
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return merkle.EMPTY_ROOT
        cur = self.stack[-1][1]
        for _, h in reversed(self.stack[:-1]):
            cur = merkle.node_hash(h, cur)
        return cur

    def tiles(self, dirty: dict[tuple[int, int], bytes | None]) -> dict[tuple[int, int], bytes]:
        out: dict[tuple[int, int], bytes] = {}
        for (level, idx), data in dirty.items():
            out[(level, idx)] = data if data is not None else b"".join(self.rows[level])
        return out


class _Pending:
    __slots__ = ("entry", "future")

    def __init__(self, entry: bytes) -> None:
        self.entry = entry
        self.future: Future[int] = Future()


def default_dir(home: Path | None = None) -> Path:
    from jikimi.keys.local import default_home

    return (home or default_home()) / "audit"


def _default_origin() -> str:
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"
    return f"{host}/jikimi-audit"


def load_or_create_signer(key_path: Path, origin: str | None = None) -> Signer:
    """The log key: read the signer key file, or create it (0600) with ``log.vkey`` beside it."""
    if key_path.exists():
        mode = key_path.stat().st_mode
        if mode & 0o077:
            # a readable signing key lets anyone forge checkpoints: refuse it, like the keyring
            raise AuditError(
                f"log key {key_path} is readable by group or others (mode {mode & 0o777:o}); "
                f"run: chmod 600 {key_path}"
            )
        signer = Signer.from_skey(key_path.read_text())
        if origin is not None and signer.name != origin:
            raise AuditError(f"log key {key_path} is for origin {signer.name!r}, not {origin!r}")
        return signer
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    signer = Signer.generate(origin or _default_origin())
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(signer.skey + "\n")
        f.flush()
        os.fsync(f.fileno())
    key_path.with_suffix(".vkey").write_text(signer.vkey + "\n")
    return signer


class AuditLog:
    """Batched durable append API over a :class:`Store`, signing checkpoints with ``signer``."""

    def __init__(
        self,
        store: Store,
        signer: Signer,
        *,
        committer: SubjectCommitter | None = None,
        max_batch: int = 8192,
        on_checkpoint: Callable[[int, str], None] | None = None,
    ) -> None:
        self.store = store
        self.signer = signer
        self.origin = signer.name
        self.committer = committer
        self.max_batch = max_batch
        self.on_checkpoint = on_checkpoint
        self.cache = TileCache(4096)
        self._wlock = threading.Lock()
        self._cv = threading.Condition()
        self._queue: list[_Pending] = []
        self._thread: threading.Thread | None = None
        self._closing = False
        size, _ = store.tree()
        self._edge = _Edge.load(store, size)

    @classmethod
    def open(
        cls,
        db: str | Path | None = None,
        *,
        home: Path | None = None,
        key_path: Path | None = None,
        origin: str | None = None,
        keyring: Any = None,
        schema: str | None = None,
        **kw: Any,
    ) -> AuditLog:
        """Open (creating if needed) the log: ``db`` is a SQLite path or a PostgreSQL DSN
        (default ``$JIKIMI_HOME/audit/log.db``, or ``$JIKIMI_AUDIT_DB``)."""
        d = default_dir(home)
        loc = db or os.environ.get("JIKIMI_AUDIT_DB") or d / "log.db"
        signer = load_or_create_signer(key_path or d / "log.key", origin)
        committer = keyring_committer(keyring) if keyring is not None else None
        return cls(open_store(loc, schema), signer, committer=committer, **kw)

    # --- appending ---------------------------------------------------------------------------

    def encode(self, event: dict[str, Any]) -> bytes:
        return encode_entry(normalize_event(event, self.committer))

    def append(self, event: dict[str, Any]) -> int:
        """Log one event; returns its index once it is durable (group-committed)."""
        return self.submit(event).result()

    def submit(self, event: dict[str, Any]) -> Future[int]:
        """Queue one event for the next group commit without waiting: the future resolves to
        its index once it is durable (or to the commit's error).

        Why: an asyncio service awaits this future (``asyncio.wrap_future``) instead of parking
        a worker thread per request on :meth:`append`; the thread hop and the GIL hand-offs
        between dozens of parked threads were most of a decision's latency under load."""
        p = _Pending(self.encode(event))
        with self._cv:
            if self._closing:
                raise AuditError("audit log is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._writer, name="jikimi-audit", daemon=True)
                self._thread.start()
            self._queue.append(p)
            self._cv.notify()
        return p.future

    def append_many(self, events: Iterable[dict[str, Any]]) -> range:
        """Log many events in as few durable batches as ``max_batch`` allows."""
        return self.append_entries([self.encode(e) for e in events])

    def append_entries(self, entries: Sequence[bytes]) -> range:
        """Low level: append already-canonical entry bytes (one checkpoint at the end)."""
        if not entries:
            return range(self._edge.size, self._edge.size)
        first = -1
        last = 0
        for i in range(0, len(entries), self.max_batch):
            chunk = entries[i : i + self.max_batch]
            r = self._commit(chunk, publish=i + self.max_batch >= len(entries))
            first = r.start if first < 0 else first
            last = r.stop
        return range(first, last)

    def _writer(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._closing:
                    self._cv.wait()
                if not self._queue:
                    return
                batch = self._queue[: self.max_batch]
                del self._queue[: len(batch)]
            # from here a waiter can no longer cancel (an asyncio handler that is cancelled
            # cancels its future); an entry whose waiter already left is still committed - the
            # log may hold a decision nobody acted on, never the reverse
            waiting = [p.future.set_running_or_notify_cancel() for p in batch]
            try:
                r = self._commit([p.entry for p in batch])
            except BaseException as exc:  # noqa: BLE001 - reported to every waiter; writer keeps serving
                for p, w in zip(batch, waiting):
                    if w:
                        p.future.set_exception(exc)
                continue
            for i, (p, w) in enumerate(zip(batch, waiting)):
                if w:
                    p.future.set_result(r.start + i)

    def _commit(self, entries: Sequence[bytes], publish: bool = True) -> range:
        for e in entries:
            if len(e) > MAX_ENTRY:
                raise AuditError(f"audit entry of {len(e)} bytes exceeds {MAX_ENTRY}")
        with self._wlock:
            with self.store.write_txn() as tx:
                size = tx.size()
                if size != self._edge.size:  # another writer moved the tree
                    self._edge = _Edge.load(self.store, size)
                edge = self._edge.copy()
                dirty: dict[tuple[int, int], bytes | None] = {}
                lh = merkle.leaf_hash
                for e in entries:
                    edge.add(lh(e), dirty)
                root = edge.root()
                tx.put_entries(size, entries)
                tx.put_tiles(edge.tiles(dirty))
                tx.set_tree(edge.size, root)
                # the checkpoint commits with the entries it covers (one fsync, not two)
                note = Checkpoint(self.origin, edge.size, root).sign(self.signer) if publish else None
                if note is not None:
                    tx.add_checkpoint(edge.size, note)
            self._edge = edge  # committed: durable from here on
            if note is not None and self.on_checkpoint is not None:
                self.on_checkpoint(edge.size, note)
            return range(size, edge.size)

    def _publish(self, size: int, root: bytes) -> str:
        note = Checkpoint(self.origin, size, root).sign(self.signer)
        self.store.add_checkpoint(size, note)
        if self.on_checkpoint is not None:
            self.on_checkpoint(size, note)
        return note

    def checkpoint(self, publish: bool = False) -> str:
        """The latest signed checkpoint (signing one for the current durable size if none
        covers it yet, or if ``publish``)."""
        size, root = self.store.tree()
        latest = self.store.latest_checkpoint()
        if publish or latest is None or latest[0] < size:
            return self._publish(size, root or merkle.EMPTY_ROOT)
        return latest[1]

    def close(self) -> None:
        with self._cv:
            self._closing = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join()
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading and proving -----------------------------------------------------------------

    @property
    def size(self) -> int:
        return self.store.tree()[0]

    def reader(self, size: int | None = None) -> TileHashReader:
        return TileHashReader(self.store.fetch_tile, self.size if size is None else size, self.cache)

    def root(self, size: int | None = None) -> bytes:
        r = self.reader(size)
        return merkle.root_hash(r, r.size)

    def entry(self, index: int) -> bytes:
        rows = self.store.get_entries(index, index + 1)
        if not rows:
            raise IndexError(f"no audit entry {index}")
        return rows[0][1]

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        r = self.reader(size)
        return merkle.inclusion_proof(r, index, r.size)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        r = self.reader(new)
        return merkle.consistency_proof(r, old, r.size)

    def read(self, start: int = 0, end: int | None = None) -> list[dict[str, Any]]:
        """Decoded entries (AccessLog-compatible ``read``)."""
        stop = self.size if end is None else end
        return [orjson.loads(d) for _, d in self.store.get_entries(start, stop)]

    def find_subject(self, subject_id: str, subject_key: bytes) -> list[int]:
        """Indexes of entries that commit to ``subject_id`` (needs the subject's audit subkey)."""
        out = []
        for i, d in self.store.get_entries(0, self.size):
            s = orjson.loads(d).get("subject")
            if isinstance(s, str) and commitment_matches(s, subject_key, subject_id):
                out.append(i)
        return out

    def write_tiles(self, out: Path) -> int:
        """Write the C2SP tiles tree for the latest checkpoint into ``out``."""
        note = self.checkpoint()
        from jikimi.audit.checkpoint import parse_body
        from jikimi.audit.note import parse_note

        size = parse_body(parse_note(note).text).size

        def entries(a: int, b: int) -> list[bytes]:
            return [d for _, d in self.store.get_entries(a, b)]

        return write_tiles(out, size, note, self.store.fetch_tile, entries)
