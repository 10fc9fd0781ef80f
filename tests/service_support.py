"""Shared fixtures for the service tests (no tests here): a service per database backend -
SQLite in a temporary home, and the machine's PostgreSQL in a schema unique to the run, dropped
afterwards - with one principal and token per role."""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PG_URL = os.environ.get("JIKIMI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

PRINCIPALS: dict[str, dict[str, Any]] = {
    "admin": {"roles": ["admin", "auditor"], "region": "KR"},
    "engineer": {"roles": ["data_engineer"], "region": "KR", "team": "ml"},
    "officer": {"roles": ["reid_officer"], "region": "KR", "team": "risk", "clearance": 3},
    "officer_abroad": {"roles": ["reid_officer"], "region": "US", "team": "risk"},
    "privacy": {"roles": ["privacy_officer"], "region": "KR"},
    "auditor": {"roles": ["auditor"], "region": "KR"},
    "analyst": {"roles": ["analyst"], "region": "KR"},
    "nobody": {"roles": [], "region": "KR"},
}


def pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3) as c:
            c.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - depends on the machine
        return f"PostgreSQL not reachable at {PG_URL}: {exc}"


def drop_pg_schemas(*schemas: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as c:
        for s in schemas:
            c.execute(f'DROP SCHEMA IF EXISTS "{s}" CASCADE')


def free_port() -> int:
    """A loopback port nobody listens on now (for servers started as subprocesses)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_headers(token: str, **extra: str) -> dict[str, str]:
    """Authorization plus replay-protection headers (a new nonce each call)."""
    return {
        "Authorization": f"Bearer {token}",
        "X-Jikimi-Nonce": secrets.token_urlsafe(18),
        "X-Jikimi-Timestamp": str(int(time.time())),
        **extra,
    }


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


@dataclass
class Svc:
    client: Any
    state: Any
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    backend: str = "sqlite"

    def h(self, who: str, **extra: str) -> dict[str, str]:
        return auth(self.tokens[who], **extra)

    def f(self, who: str, **extra: str) -> dict[str, str]:
        return fresh_headers(self.tokens[who], **extra)


def make_settings(backend: str, home: Path, **kw: Any) -> tuple[Any, list[str]]:
    from jikimi.service.settings import Settings

    if backend == "postgresql":
        schema = "jk_test_" + uuid.uuid4().hex[:12]
        return Settings(home=home, db_url=PG_URL, db_schema=schema, **kw), [
            schema, schema + "_audit"]
    return Settings(home=home, **kw), []


def populate(state: Any) -> tuple[dict[str, str], dict[str, str]]:
    tokens, ids = {}, {}
    for name, spec in PRINCIPALS.items():
        pid = state.tokens.create_principal(
            name, spec["roles"], team=spec.get("team", ""), region=spec["region"],
            clearance=spec.get("clearance", 0))
        _, tok, _ = state.tokens.issue_token(pid, ttl=3600)
        tokens[name], ids[name] = tok, pid
    return tokens, ids


@pytest.fixture
def keyring_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from jikimi.keys import insecure_fast_scrypt_for_tests

    for var in ("JIKIMI_PASSPHRASE", "JIKIMI_KEYS", "JIKIMI_HOME", "JIKIMI_AUDIT_DB"):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("JIKIMI_HOME", str(home))
    with insecure_fast_scrypt_for_tests():
        yield home


def open_service(backend: str, home: Path, **kw: Any) -> tuple[Svc, list[str]]:
    from fastapi.testclient import TestClient

    from jikimi.keys import LocalKeyring
    from jikimi.service.app import create_app

    keyring = LocalKeyring(home, passphrase="service test passphrase")
    settings, schemas = make_settings(backend, home, keyring=keyring, **kw)
    app = create_app(settings)
    state = app.state.jikimi
    tokens, ids = populate(state)
    client = TestClient(app)
    client.__enter__()
    return Svc(client, state, tokens, ids, backend), schemas


@pytest.fixture(params=["sqlite", "postgresql"])
def svc(request: pytest.FixtureRequest, keyring_home: Path) -> Iterator[Svc]:
    if request.param == "postgresql":
        reason = pg_available()
        if reason:
            pytest.skip(reason)
    s, schemas = open_service(request.param, keyring_home)
    try:
        yield s
    finally:
        s.client.__exit__(None, None, None)
        s.state.keyring.close()
        if schemas:
            drop_pg_schemas(*schemas)


class LiveServer:
    """A uvicorn server for ``app`` in a thread on a random loopback port (for clients that need
    a real socket: RemoteKeyring, schemathesis over HTTP)."""

    def __init__(self, app: Any) -> None:
        import socket
        import threading

        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
