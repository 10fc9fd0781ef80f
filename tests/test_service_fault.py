"""Crash safety: ``kill -9`` the service under load, restart it, and check that every
acknowledged request is in the audit log, the log verifies, and no client got a wrong answer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from service_support import free_port

SERVER = r"""
import os, sys, uvicorn
from pathlib import Path
from jikimi.service.app import create_app
from jikimi.service.settings import Settings
home = Path(os.environ["JIKIMI_HOME"])
app = create_app(Settings(home=home))
tok = home / "engineer.token"
if not tok.exists():
    st = app.state.jikimi
    pid = st.tokens.create_principal("engineer", ["data_engineer", "auditor"], region="KR")
    tok.write_text(st.tokens.issue_token(pid, ttl=3600)[1])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def _start(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, JIKIMI_HOME=str(home), JIKIMI_PASSPHRASE="fault test passphrase")
    env.pop("JIKIMI_AUDIT_DB", None)
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died")
    proc.kill()
    raise RuntimeError("service did not start")


def test_kill_9_under_load(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    port = free_port()
    proc = _start(home, port)
    token = (home / "engineer.token").read_text()
    url = f"http://127.0.0.1:{port}"
    acked: list[tuple[int, str, str]] = []  # (log index, value, token returned)
    errors = 0
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=5,
                          headers={"Authorization": f"Bearer {token}"}) as c:
            i = 0
            while not stop.is_set():
                value = f"010-{n:04d}-{i:04d}"
                i += 1
                try:
                    r = c.post("/v1/tokenize", json={"entity_type": "PHONE_NUMBER",
                                                      "values": [value]})
                except httpx.HTTPError:
                    with lock:
                        errors += 1
                    time.sleep(0.05)
                    continue
                if r.status_code == 200:
                    body = r.json()
                    with lock:
                        acked.append((body["log_index"], value, body["values"][0]))
                else:
                    with lock:
                        errors += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    proc.send_signal(signal.SIGKILL)  # kill -9 mid-load
    proc.wait(timeout=10)
    killed_at = len(acked)
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert killed_at > 50, "the load did not get going"
    assert errors > 0  # clients saw the crash as errors

    proc = _start(home, port)
    try:
        with httpx.Client(base_url=url, timeout=10,
                          headers={"Authorization": f"Bearer {token}"}) as c:
            sample = acked[:: max(1, len(acked) // 50)]
            r = c.post("/v1/tokenize", json={"entity_type": "PHONE_NUMBER",
                                              "values": [v for _, v, _ in sample]})
            assert r.status_code == 200
            # never a wrong answer: every acknowledged token is what the service computes now
            assert r.json()["values"] == [t for _, _, t in sample]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)

    from jikimi.audit import SqliteStore, parse_vkey, verify_store

    store = SqliteStore(home / "audit" / "log.db")
    try:
        size, _ = store.tree()
        assert all(idx < size for idx, _, _ in acked)  # no acknowledged request lost
        entries = {i: json.loads(d) for i, d in store.get_entries(0, size)}
        for idx, _, _ in acked:
            e = entries[idx]
            assert e["action"] == "tokenize" and e["decision"] == "allow"
            assert e["handler"] == "engineer" and e["count"] == 1
        assert len({idx for idx, _, _ in acked}) == len(acked)  # one entry per acknowledgement
        vkey = parse_vkey((home / "audit" / "log.vkey").read_text().strip())
        report = verify_store(store, [vkey], full=True)
        assert report.ok, report.problems
    finally:
        store.close()
