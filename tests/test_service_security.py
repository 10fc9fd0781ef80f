"""Security behaviour of the service: tokens (missing, malformed, expired, revoked, wrong
role), size limits, malformed JSON, tile path traversal, replay, fail-closed logging, and no
secrets in responses or log entries."""

from __future__ import annotations

import time

import pytest
from service_support import Svc, fresh_headers

pytest_plugins = ["service_support"]

TOK_BODY = {"entity_type": "PHONE_NUMBER", "values": ["010-4821-7390"]}


def _last(svc: Svc) -> dict:
    size = svc.state.log.size()
    return svc.state.log.entries(size - 1, size)[0]


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer jk_nope",
                                    "Bearer jk_0123456789abcdef_" + "A" * 43])
def test_bad_tokens_are_401_and_logged(svc: Svc, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    before = svc.state.log.size()
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"detail": "invalid or missing bearer token"}
    assert svc.state.log.size() == before + 1
    e = _last(svc)
    assert e["action"] == "authenticate" and e["decision"] == "deny"
    if header and "AAAA" in header:
        assert "unknown token" in e["detail"] and "A" * 43 not in e["detail"]


def test_wrong_secret_expired_revoked(svc: Svc) -> None:
    good = svc.tokens["engineer"]
    wrong = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers={"Authorization": f"Bearer {wrong}"})
    assert r.status_code == 401 and "wrong token secret" in _last(svc)["detail"]
    # expired
    pid = svc.ids["engineer"]
    tid, tok, _ = svc.state.tokens.issue_token(pid, ttl=1, now=time.time() - 10)
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 401 and "expired" in _last(svc)["detail"]
    # revoked (by an admin), effective immediately
    tid, tok, _ = svc.state.tokens.issue_token(pid, ttl=600)
    h = {"Authorization": f"Bearer {tok}"}
    assert svc.client.post("/v1/tokenize", json=TOK_BODY, headers=h).status_code == 200
    r = svc.client.delete(f"/v1/tokens/{tid}", headers=svc.f("admin"))
    assert r.status_code == 200 and r.json()["revoked"] is True
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers=h)
    assert r.status_code == 401 and "revoked" in _last(svc)["detail"]
    # a token never appears in any log entry
    everything = str(svc.state.log.entries(0, svc.state.log.size()))
    for t in svc.tokens.values():
        assert t not in everything and t.split("_", 2)[2] not in everything


def test_wrong_role_is_403_and_logged(svc: Svc) -> None:
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers=svc.h("analyst"))
    assert r.status_code == 403
    body = r.json()
    assert body["detail"] == "forbidden by policy" and "deny by default" in body["reasons"][0]
    e = svc.state.log.entries(body["log_index"], body["log_index"] + 1)[0]
    assert e["decision"] == "deny" and e["handler"] == "analyst" and e["action"] == "tokenize"
    r = svc.client.get("/v1/log/entries", headers=svc.h("nobody"))
    assert r.status_code == 403


def test_token_roles_narrow_the_principal(svc: Svc) -> None:
    pid = svc.state.tokens.create_principal("both", ["data_engineer", "reid_officer"], region="KR")
    _, tok, _ = svc.state.tokens.issue_token(pid, roles=["reid_officer"])
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 403
    with pytest.raises(ValueError):
        svc.state.tokens.issue_token(pid, roles=["admin"])


def test_oversized_body_and_batch_are_413(svc: Svc) -> None:
    big = {"entity_type": "PHONE_NUMBER", "values": ["010-4821-7390"] * 100_000}
    r = svc.client.post("/v1/tokenize", json=big, headers=svc.h("engineer"))
    assert r.status_code == 413
    # a batch within the byte limit but over the item limit
    many = {"entity_type": "KR_POSTAL_CODE", "values": ["1"] * 10_001}
    r = svc.client.post("/v1/tokenize", json=many, headers=svc.h("engineer"))
    assert r.status_code == 413
    # a body without Content-Length (chunked) is limited while it streams
    def chunks():
        yield b'{"entity_type": "PHONE_NUMBER", "values": ['
        for _ in range(200_000):
            yield b'"010-4821-7390",'
        yield b'"x"]}'
    r = svc.client.post("/v1/tokenize", content=chunks(),
                        headers=svc.h("engineer", **{"Content-Type": "application/json"}))
    assert r.status_code == 413


def test_malformed_json_is_422_without_echo(svc: Svc) -> None:
    r = svc.client.post("/v1/tokenize", content=b'{"entity_type": "KR_RRN", "values": ["9001',
                        headers=svc.h("engineer", **{"Content-Type": "application/json"}))
    assert r.status_code == 422
    r = svc.client.post("/v1/tokenize", json={"entity_type": "KR_RRN", "values": "900101-1234567"},
                        headers=svc.h("engineer"))
    assert r.status_code == 422 and "900101" not in r.text
    r = svc.client.post("/v1/tokenize", json={"entity_type": "bad type!", "values": []},
                        headers=svc.h("engineer"))
    assert r.status_code == 422


@pytest.mark.parametrize("path", [
    "../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "0/../../log.db", "0/000/../../x",
    "0//000", "/etc/passwd", "0/000.p/0", "0/000.p/256", "0/0001", "entries/../0/000",
    "64/000", "0/x1/000", "0/000.p/1/..",
])
def test_tile_path_traversal_is_refused(svc: Svc, path: str) -> None:
    r = svc.client.get("/v1/log/tile/" + path, headers=svc.h("auditor"))
    assert r.status_code in (400, 404), (path, r.status_code)
    assert b"root:" not in r.content and b"SQLite" not in r.content


def test_replay_is_refused(svc: Svc) -> None:
    ct = svc.client.post("/v1/encrypt", headers=svc.h("engineer"),
                         json={"entity_type": "PHONE_NUMBER", "values": ["010-4821-7390"]}
                         ).json()["values"][0]
    body = {"items": [{"value": ct}], "purpose": "customer-support", "justification": "call"}
    h = fresh_headers(svc.tokens["officer"])
    assert svc.client.post("/v1/reveal", json=body, headers=h).status_code == 200
    r = svc.client.post("/v1/reveal", json=body, headers=h)
    assert r.status_code == 409 and "replay" in r.json()["detail"]
    assert _last(svc)["action"] == "replay-check"
    r = svc.client.post("/v1/reveal", json=body, headers=svc.h("officer"))
    assert r.status_code == 428
    stale = fresh_headers(svc.tokens["officer"])
    stale["X-Jikimi-Timestamp"] = str(int(time.time()) - 3600)
    assert svc.client.post("/v1/reveal", json=body, headers=stale).status_code == 409


def test_log_failure_fails_closed(svc: Svc) -> None:
    ct = svc.client.post("/v1/encrypt", headers=svc.h("engineer"),
                         json={"entity_type": "PHONE_NUMBER", "values": ["010-4821-7390"]}
                         ).json()["values"][0]
    real = svc.state.log.log

    class Broken:
        def append(self, event: dict) -> int:
            raise OSError("disk full")

    svc.state.log.log = Broken()
    try:
        r = svc.client.post("/v1/reveal", headers=svc.f("officer"), json={
            "items": [{"value": ct}], "purpose": "customer-support", "justification": "call"})
        assert r.status_code == 503 and "010" not in r.text
        r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers=svc.h("engineer"))
        assert r.status_code == 503
        r = svc.client.post("/v1/tokenize", json=TOK_BODY)  # even the 401 needs its record
        assert r.status_code == 503
        assert svc.client.get("/v1/health").json()["status"] == "degraded"
    finally:
        svc.state.log.log = real


def test_failed_group_commit_fails_async_handlers_closed(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    """The async handlers await the Merkle log's commit future: a commit that fails must turn
    into 503 for every waiter, with no token or decision handed out."""
    log = svc.state.log.log
    assert hasattr(log, "submit")  # the real Merkle log, not a stand-in

    def broken(entries: object, publish: bool = True) -> range:
        raise OSError("disk full")

    monkeypatch.setattr(log, "_commit", broken)
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers=svc.h("engineer"))
    assert r.status_code == 503 and "PHONE_NUMBER_" not in r.text
    r = svc.client.post("/v1/decisions", headers=svc.h("engineer"), json={
        "action": "tokenize", "resource": {"kind": "field", "entity_type": "PHONE_NUMBER"}})
    assert r.status_code == 503 and "allowed" not in r.text
    monkeypatch.undo()
    r = svc.client.post("/v1/tokenize", json=TOK_BODY, headers=svc.h("engineer"))
    assert r.status_code == 200  # the writer thread survived the failure


def test_no_key_material_in_responses(svc: Svc) -> None:
    from jikimi.keys.base import Purpose, key_material

    secrets_ = [key_material(svc.state.keyring.current(p), p).hex()
                for p in (Purpose.TOKEN, Purpose.ENCRYPT, Purpose.FPE)]
    texts = [svc.client.get("/v1/keys", headers=svc.h("engineer")).text,
             svc.client.post("/v1/tokenize", json=TOK_BODY, headers=svc.h("engineer")).text,
             svc.client.get("/metrics", headers=svc.h("engineer")).text]
    for t in texts:
        for s in secrets_:
            assert s not in t


def test_current_key_fetched_across_a_rotation_is_not_cached(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from jikimi.keys.base import Purpose

    st = svc.state
    real = st.keyring.current

    def rotated_meanwhile(purpose: Purpose, name: str = "default") -> object:
        handle = real(purpose, name)
        st.keyring.rotate(purpose, name)  # a rotation lands while this fetch is in flight
        st.forget_current_keys()
        return handle

    monkeypatch.setattr(st.keyring, "current", rotated_meanwhile)
    old = asyncio.run(st.current_key(Purpose.TOKEN, "race"))
    monkeypatch.undo()
    new = asyncio.run(st.current_key(Purpose.TOKEN, "race"))
    assert new.version == old.version + 1  # the stale version was used once, never cached
