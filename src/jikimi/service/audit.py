"""The service's view of the audit log: append decisions (fail closed) and serve the C2SP
read API (checkpoint, tiles, entry bundles, proofs).

The service codes against one small idea - ``append(event) -> index`` - so the storage can be
the Merkle :class:`jikimi.audit.log.AuditLog` (the default: group-committed, signed
checkpoints, tiles) or, for embedding and tests, anything else with that method. Read-API calls
on a log without tiles answer 501.

Events use only the fields of :func:`jikimi.audit.access_event` (the Merkle log refuses
others): who (principal name and id), from where (client address), action, purpose, decision,
key id/version, subject (committed, never in clear) and a ``detail`` string carrying the token
id, job id, policies, obligations and reasons - never a token secret, key material or a value.
"""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import Future
from typing import Any, Protocol, Required, TypedDict

from starlette.concurrency import run_in_threadpool

from jikimi.audit import access_event

TILE_PATH_RE = re.compile(
    r"tile/(?:(?:[0-9]|[1-5][0-9]|6[0-3])|entries)/(?:x[0-9]{3}/){0,6}[0-9]{3}"
    r"(?:\.p/(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]))?"
)
"""A C2SP tile or entry-bundle path, and nothing else (no ``..``, no absolute paths, no
encodings): paths are matched against this before anything is looked up."""


class LogUnavailable(Exception):
    """The audit log could not record an event: the request must fail closed."""


class Appender(Protocol):
    def append(self, event: dict[str, Any]) -> Any: ...


class ServiceLog:
    """Wraps the configured log; counts appends; converts failures into :class:`LogUnavailable`.

    ``index`` is the log's own index when it returns one (the Merkle log does); for a plain
    appender without indexes, a per-process counter is used and documented as such."""

    def __init__(self, log: Appender) -> None:
        self.log = log
        self._lock = threading.Lock()
        self._count = 0
        self.failures = 0
        self.merkle = hasattr(log, "inclusion_proof") and hasattr(log, "store")

    def append(self, event: dict[str, Any]) -> int:
        try:
            idx = self.log.append(event)
        except Exception as exc:  # noqa: BLE001 - any failure to record = fail closed
            raise self._failed(exc) from None
        return self._counted(idx)

    async def append_async(self, event: dict[str, Any]) -> int:
        """:meth:`append` for async handlers: waits for the group commit without holding a
        worker thread when the log can hand out a future (the Merkle log can)."""
        try:
            submit = getattr(self.log, "submit", None)
            if callable(submit):
                fut: Future[Any] = submit(event)
                idx = await asyncio.wrap_future(fut)
            else:
                idx = await run_in_threadpool(self.log.append, event)
        except Exception as exc:  # noqa: BLE001 - any failure to record = fail closed
            raise self._failed(exc) from None
        return self._counted(idx)

    def _failed(self, exc: Exception) -> LogUnavailable:
        with self._lock:
            self.failures += 1
        return LogUnavailable(type(exc).__name__)

    def _counted(self, idx: Any) -> int:
        with self._lock:
            self._count += 1
            if isinstance(idx, int):
                return idx
            return self._count - 1

    @property
    def appended(self) -> int:
        return self._count

    # -- read API (Merkle log only) -----------------------------------------------------------

    def _require(self) -> Any:
        if not self.merkle:
            raise NotImplementedError("this audit log has no tiles or proofs")
        return self.log

    def checkpoint(self) -> str:
        return str(self._require().checkpoint())

    def size(self) -> int:
        return int(self._require().size)

    def checkpoint_size(self) -> int:
        from jikimi.audit.checkpoint import parse_body
        from jikimi.audit.note import parse_note

        return parse_body(parse_note(self.checkpoint()).text).size

    def tile(self, path: str) -> bytes:
        """Bytes of ``tile/...`` as of the latest checkpoint; LookupError if absent, ValueError
        if the path is not a canonical C2SP tile path."""
        from jikimi.audit.tiles import (
            TILE_WIDTH,
            encode_bundle,
            entries_path,
            parse_path,
            tile_path,
            tile_width,
        )

        if not TILE_PATH_RE.fullmatch(path):
            raise ValueError("not a tile path")
        kind, index, width = parse_path(path)
        canonical = (
            entries_path(index, width) if kind == "entries" else tile_path(int(kind), index, width)
        )
        if canonical != path:
            raise ValueError("not a canonical tile path")
        log = self._require()
        size = self.checkpoint_size()
        level = 0 if kind == "entries" else int(kind)
        have = tile_width(size, level, index)
        if have == 0 or (width == TILE_WIDTH and have < TILE_WIDTH) or (
            width < TILE_WIDTH and have < width
        ):
            raise LookupError("no such tile at the current checkpoint")
        if kind == "entries":
            start = index * TILE_WIDTH
            return encode_bundle(d for _, d in log.store.get_entries(start, start + width))
        return bytes(log.store.fetch_tile(level, index, width)[: width * 32])

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return list(self._require().inclusion_proof(index, size))

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        return list(self._require().consistency_proof(old, new))

    def entries(self, start: int, end: int) -> list[dict[str, Any]]:
        return list(self._require().read(start, end))


class EventFields(TypedDict, total=False):
    """The fields of :func:`event` after the action (who, from where, the outcome, and what
    was involved), for callers that pass them through."""

    handler: Required[str]
    source: Required[str]
    decision: Required[str]
    purpose: str | None
    key_id: str | None
    key_version: int | None
    subject: str | None
    count: int | None
    details: dict[str, Any] | None


def event(
    action: str,
    *,
    handler: str,
    source: str,
    decision: str,
    purpose: str | None = None,
    key_id: str | None = None,
    key_version: int | None = None,
    subject: str | None = None,
    count: int | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An access event for the log; ``details`` become ``k=v`` pairs in ``detail``."""
    detail = None
    if details:
        parts = []
        for k, v in details.items():
            if v is None or v == "" or v == [] or v == {}:
                continue
            if isinstance(v, dict):
                v = ",".join(f"{a}={b}" if b is not True else str(a) for a, b in v.items())
            elif isinstance(v, list | tuple):
                v = ",".join(str(x) for x in v)
            parts.append(f"{k}={v}")
        detail = "; ".join(parts)[:4000] or None
    return access_event(
        action,
        purpose=purpose or None,
        decision=decision,
        key_id=key_id,
        key_version=key_version,
        subject=subject,
        count=count,
        detail=detail,
        handler=handler,
    ) | {"source": source}
