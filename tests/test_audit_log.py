"""The durable log on SQLite and on the real PostgreSQL server: appends, proofs from stored
tiles, checkpoints, subject commitments, concurrency, tiles export and tamper detection."""

from __future__ import annotations

import contextlib
import http.server
import multiprocessing
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import orjson
import pytest

from jikimi.audit import AccessLog, AuditLog, access_event, merkle
from jikimi.audit.checkpoint import Checkpoint, open_checkpoint
from jikimi.audit.log import AuditError, commitment, commitment_matches, load_or_create_signer
from jikimi.audit.note import Signer
from jikimi.audit.store import PostgresStore, SqliteStore, Store
from jikimi.audit.verify import verify_store, verify_tiles

PG_DSN = os.environ.get("JIKIMI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_DSN, connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s: Store = SqliteStore(tmp_path / "log.db")
        yield s
        s.close()
        return
    if not _pg_available():
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}")
    schema = f"jikimi_audit_test_{uuid.uuid4().hex[:12]}"
    pg = PostgresStore(PG_DSN, schema)
    yield pg
    dropper = PostgresStore(PG_DSN, schema)
    dropper.drop()
    dropper.close()
    with contextlib.suppress(Exception):
        pg.close()


@pytest.fixture
def signer() -> Signer:
    return Signer.generate("test.example/audit")


def _events(n: int, tag: str = "") -> list[dict[str, object]]:
    return [access_event("reveal", purpose="test", key_id="k", key_version=1, count=i, detail=f"{tag}{i}") for i in range(n)]


def test_append_prove_checkpoint(store: Store, signer: Signer) -> None:
    seen: list[tuple[int, str]] = []
    log = AuditLog(store, signer, max_batch=300, on_checkpoint=lambda s, n: seen.append((s, n)))
    assert log.append(access_event("protect", purpose="de-identification")) == 0
    r = log.append_many(_events(1000))
    assert (r.start, r.stop) == (1, 1001)
    leaves = [merkle.leaf_hash(d) for _, d in store.get_entries(0, 1001)]
    assert log.root() == merkle.root_from_leaf_hashes(leaves) == store.tree()[1]
    for size in (1, 255, 256, 257, 700, 1001):
        assert log.root(size) == merkle.root_from_leaf_hashes(leaves[:size])
        for i in {0, size - 1, size // 2}:
            merkle.verify_inclusion(i, size, leaves[i], log.inclusion_proof(i, size), log.root(size))
        for m in (0, 1, size // 3, size):
            merkle.verify_consistency(m, size, log.root(m), log.root(size), log.consistency_proof(m, size))
    # one checkpoint after append(), one after append_many (not one per internal chunk)
    assert [s for s, _ in seen] == [1, 1001]
    cp = open_checkpoint(log.checkpoint(), [signer.verifier], signer.name)
    assert (cp.size, cp.root) == (1001, log.root())
    rows = log.read()
    assert rows[1]["schema"] == "jikimi.audit/v1" and rows[1]["detail"] == "0"
    assert verify_store(store, [signer.verifier]).ok


def test_reopen_continues_tree(tmp_path: Path, signer: Signer) -> None:
    for k in range(3):
        with AuditLog(SqliteStore(tmp_path / "l.db"), signer) as log:
            log.append_many(_events(300 + k))
    with AuditLog(SqliteStore(tmp_path / "l.db"), signer) as log:
        leaves = [merkle.leaf_hash(d) for _, d in log.store.get_entries(0, log.size)]
        assert log.size == 903 and log.root() == merkle.root_from_leaf_hashes(leaves)
        assert verify_store(log.store, [signer.verifier]).ok


def test_entries_are_canonical_and_subjects_committed(tmp_path: Path, signer: Signer) -> None:
    keys = {"subj-1": os.urandom(32)}

    def committer(sid: str) -> str | None:
        k = keys.get(sid)
        return None if k is None else commitment(k, sid)

    log = AuditLog(SqliteStore(tmp_path / "l.db"), signer, committer=committer)
    log.append(access_event("reveal", purpose="support", subject="subject/subj-1"))
    log.append(access_event("reveal", purpose="support", subject="subj-1"))
    log.append(access_event("forget", purpose="erasure", subject="subj-2"))
    raw = [d for _, d in log.store.get_entries(0, 3)]
    assert all(b"subj-" not in d for d in raw)  # never in clear
    assert raw[0] == orjson.dumps(orjson.loads(raw[0]), option=orjson.OPT_SORT_KEYS)
    e0, e1, e2 = (orjson.loads(d) for d in raw)
    assert e0["subject_state"] == "committed" and e0["subject"] != e1["subject"]  # salted
    assert commitment_matches(e0["subject"], keys["subj-1"], "subj-1")
    assert not commitment_matches(e0["subject"], os.urandom(32), "subj-1")
    assert e2["subject"] is None and e2["subject_state"] == "unkeyed"
    root = log.root()
    del keys["subj-1"]  # forget: key destroyed, entries unchanged, proofs still valid
    assert log.root() == root
    merkle.verify_inclusion(0, 3, merkle.leaf_hash(raw[0]), log.inclusion_proof(0), root)
    with pytest.raises(AuditError, match="unknown audit fields"):
        log.append({"action": "x", "name": "홍길동"})
    with pytest.raises(AuditError, match="lacks"):
        log.append({"action": ""})
    log.close()


def test_keyring_commitment_and_forget(tmp_path: Path, signer: Signer, monkeypatch: pytest.MonkeyPatch) -> None:
    from jikimi.audit.log import COMMIT_LABEL, keyring_committer
    from jikimi.keys import LocalKeyring  # type: ignore[attr-defined]

    monkeypatch.setenv("JIKIMI_PASSPHRASE", "test-pass")
    try:
        kr = LocalKeyring(tmp_path / "home")
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"LocalKeyring not constructible here: {exc}")
    sid = kr.subject_id_for("900101-1234567", "KR_RRN")
    key = kr.subject_key(sid).subkey(COMMIT_LABEL)
    log = AuditLog(SqliteStore(tmp_path / "l.db"), signer, committer=keyring_committer(kr))
    log.append(access_event("reveal", purpose="support", subject=sid))
    assert log.find_subject(sid, key) == [0]
    kr.forget_subject(sid)
    log.append(access_event("forget", purpose="erasure", subject=sid))
    assert orjson.loads(log.entry(1))["subject_state"] == "unkeyed"
    log.close()


def test_accesslog_compatible_append(tmp_path: Path, signer: Signer) -> None:
    log = AuditLog(SqliteStore(tmp_path / "l.db"), signer)
    for sink in (log, AccessLog(tmp_path / "a.jsonl")):
        sink.append(access_event("rotate", purpose="key rotation", key_id="tok", key_version=2))
        assert sink.read()[-1]["action"] == "rotate"
    log.close()


def test_threads_share_batches(store: Store, signer: Signer) -> None:
    log = AuditLog(store, signer)
    out: list[int] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        for i in range(50):
            idx = log.append(access_event("reveal", purpose="t", detail=f"{t}-{i}"))
            with lock:
                out.append(idx)

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(out) == list(range(400))
    details = {log.read()[i]["detail"] for i in range(400)}
    assert len(details) == 400
    assert verify_store(store, [signer.verifier]).ok
    log.close()


def _proc_writer(db: str, skey: str, tag: int) -> None:
    with AuditLog(SqliteStore(db), Signer.from_skey(skey), max_batch=7) as log:
        for i in range(0, 120, 12):
            log.append_many(_events(12, f"p{tag}-{i}-"))


def test_processes_never_corrupt_tree(tmp_path: Path, signer: Signer) -> None:
    db = str(tmp_path / "l.db")
    SqliteStore(db).close()
    ctx = multiprocessing.get_context("spawn")
    ps = [ctx.Process(target=_proc_writer, args=(db, signer.skey, t)) for t in range(3)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(60)
        assert p.exitcode == 0
    st = SqliteStore(db)
    assert st.tree()[0] == 360
    rep = verify_store(st, [signer.verifier])
    assert rep.ok, rep.problems
    assert len(st.checkpoints()) >= 3


def test_postgres_processes(store: Store, signer: Signer) -> None:
    if not isinstance(store, PostgresStore):
        pytest.skip("PostgreSQL only")
    logs = [AuditLog(PostgresStore(PG_DSN, store.schema), signer) for _ in range(3)]
    ts = [threading.Thread(target=lg.append_many, args=(_events(200, f"{k}-"),)) for k, lg in enumerate(logs)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert store.tree()[0] == 600
    assert verify_store(store, [signer.verifier]).ok
    for lg in logs:
        lg.close()


def test_tiles_dir_and_http(tmp_path: Path, signer: Signer) -> None:
    log = AuditLog(SqliteStore(tmp_path / "l.db"), signer)
    log.append_many(_events(70000 // 100))
    old = log.checkpoint()
    log.append_many(_events(66000 // 100 + 700))
    out = tmp_path / "tiles"
    log.write_tiles(out)
    assert (out / "checkpoint").read_text() == log.checkpoint()
    assert (out / "tile/0/000").stat().st_size == 8192
    assert (out / "tile/1/000.p/8").stat().st_size == 8 * 32
    assert (out / "tile/entries/008.p/12").exists()
    rep = verify_tiles(str(out), [signer.verifier], saved=[old], entries=[0, 699, 2059], full=True)
    assert rep.ok, rep.problems
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        rep = verify_tiles(url, [signer.verifier], saved=[old], entries=[5], full=True)
        assert rep.ok, rep.problems
    finally:
        httpd.shutdown()
    log.close()


# --- tampering ---------------------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path: Path, signer: Signer) -> tuple[Path, str]:
    db = tmp_path / "l.db"
    with AuditLog(SqliteStore(db), signer) as log:
        log.append_many(_events(600))
        saved = log.checkpoint()
        log.append_many(_events(100, "b"))
    return db, saved


def _verify(db: Path, signer: Signer, saved: str) -> list[str]:
    st = SqliteStore(db)
    try:
        return verify_store(st, [signer.verifier], saved=[saved]).problems
    finally:
        st.close()


def _sql(db: Path, *stmts: str) -> None:
    c = sqlite3.connect(db)
    for s in stmts:
        c.execute(s)
    c.commit()
    c.close()


def test_detects_changed_entry(filled: tuple[Path, str], signer: Signer) -> None:
    db, saved = filled
    _sql(db, "UPDATE entries SET data = replace(data, 'test', 'TEST') WHERE idx = 17")
    probs = _verify(db, signer, saved)
    assert any("entry 17 changed" in p for p in probs), probs


def test_detects_removed_entry(filled: tuple[Path, str], signer: Signer) -> None:
    db, saved = filled
    _sql(db, "DELETE FROM entries WHERE idx = 300")
    assert any("entry 300 is missing" in p for p in _verify(db, signer, saved))


def test_detects_reordered_entries(filled: tuple[Path, str], signer: Signer) -> None:
    db, saved = filled
    _sql(db, "UPDATE entries SET idx = -1 WHERE idx = 3", "UPDATE entries SET idx = 3 WHERE idx = 9",
         "UPDATE entries SET idx = 9 WHERE idx = -1")  # fmt: skip
    assert any("3, 9 are reordered" in p for p in _verify(db, signer, saved))


def test_detects_rewritten_tree_and_fork(filled: tuple[Path, str], signer: Signer, tmp_path: Path) -> None:
    db, saved = filled
    # an insider rewrites history consistently (entries, tiles, tree) and re-signs with the log key
    other = tmp_path / "fork.db"
    with AuditLog(SqliteStore(other), signer) as log:
        log.append_many(_events(700, "forged"))
    probs = _verify(other, signer, saved)
    assert any("fork or rewritten history" in p for p in probs), probs
    # a forked checkpoint: same size as the saved one, different root
    cp = open_checkpoint(saved, [signer.verifier])
    fork = Checkpoint(cp.origin, cp.size, merkle.leaf_hash(b"x")).sign(signer)
    probs = _verify(db, signer, fork)
    assert any("fork" in p for p in probs), probs


def test_detects_truncation(filled: tuple[Path, str], signer: Signer) -> None:
    db, saved = filled
    _sql(db, "DELETE FROM entries WHERE idx >= 500", "UPDATE tree SET size = 500")
    probs = _verify(db, signer, saved)
    assert any("truncated" in p for p in probs), probs
    # the attacker also deletes the newer checkpoints: the auditor's saved one still catches it
    _sql(db, "DELETE FROM checkpoints WHERE size > 500")
    with AuditLog(SqliteStore(db), signer) as log:
        log.checkpoint(publish=True)
    probs = _verify(db, signer, saved)
    assert any("truncated or rolled back" in p for p in probs), probs


def test_detects_damaged_file(filled: tuple[Path, str], signer: Signer) -> None:
    db, saved = filled
    _sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    with open(db, "r+b") as f:
        f.truncate(4096)
    try:
        probs = _verify(db, signer, saved)
    except Exception as exc:  # noqa: BLE001 - opening may already fail
        probs = [str(exc)]
    assert probs and any("damaged" in p or "malformed" in p or "cannot" in p for p in probs), probs


def test_detects_altered_tiles_and_forged_checkpoint(filled: tuple[Path, str], signer: Signer) -> None:
    db, saved = filled
    _sql(db, "UPDATE tiles SET hashes = zeroblob(length(hashes)) WHERE level = 1")
    assert any("tree hashes altered" in p for p in _verify(db, signer, saved))
    mallory = load_or_create_signer(db.parent / "m.key", signer.name)
    assert mallory.vkey != signer.vkey
    _sql(db, f"UPDATE checkpoints SET note = '{Checkpoint(signer.name, 700, merkle.EMPTY_ROOT).sign(mallory)}'")
    assert any("checkpoint" in p and "trusted key" in p for p in _verify(db, signer, saved))


def test_a_cancelled_waiter_does_not_stop_the_writer(tmp_path: Path, signer: Signer) -> None:
    """An asyncio handler that is cancelled cancels its future; the writer must commit the
    entry anyway and keep serving everyone else (it used to die on the cancelled future)."""
    log = AuditLog(SqliteStore(tmp_path / "log.db"), signer)
    try:
        log.append(access_event("warm-up", decision="allow"))
        with log._cv:  # the writer cannot take the queue until both are in it
            gone = log.submit(access_event("left", decision="allow"))
            assert gone.cancel()
            kept = log.submit(access_event("kept", decision="allow"))
        assert kept.result(timeout=10) >= 1
        assert log.append(access_event("after", decision="allow")) == kept.result() + 1
        assert [e["action"] for e in log.read(0, log.size)] == ["warm-up", "left", "kept", "after"]
    finally:
        log.close()
