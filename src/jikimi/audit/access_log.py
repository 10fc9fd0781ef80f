"""The local access log: one JSON line per reveal, key release, rotation or erasure.

The fields follow what PIPC's Safety Measures Standard (Notice 2026-9, see
``shared/reference/korean-law.md`` §3) asks of access records — who (handler id), when, from
where, which data subject, what task — plus purpose, decision and the key id/version used. Data
subjects appear only as their keyed pseudonym, and values never appear at all. Each append is
flushed and fsynced before the caller proceeds, so an acknowledged action is on disk.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import threading
from pathlib import Path
from typing import Any

import orjson

SCHEMA = "jikimi.access/v1"


def access_event(
    action: str,
    *,
    purpose: str | None = None,
    decision: str = "allow",
    key_id: str | None = None,
    key_version: int | None = None,
    subject: str | None = None,
    count: int | None = None,
    detail: str | None = None,
    handler: str | None = None,
) -> dict[str, Any]:
    """One access record (canonical key order, no personal data)."""
    try:
        user = handler or getpass.getuser()
    except (KeyError, OSError):
        user = handler or f"uid:{os.getuid()}"
    return {
        "schema": SCHEMA,
        "ts": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        "handler": user,
        "source": socket.gethostname(),
        "action": action,
        "purpose": purpose,
        "decision": decision,
        "key_id": key_id,
        "key_version": key_version,
        "subject": subject,
        "count": count,
        "detail": detail,
    }


class AccessLog:
    """Append-only JSON lines at ``path`` (mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, event: dict[str, Any]) -> None:
        line = orjson.dumps(event, option=orjson.OPT_SORT_KEYS) + b"\n"
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as f:
            return [orjson.loads(x) for x in f if x.strip()]
