"""The home key service end to end, against SQLite and the machine's PostgreSQL: decisions with
obligations, tokenize/encrypt/reveal, keys, forget, rotate, and every decision in the audit log
before the response."""

from __future__ import annotations

import base64

from service_support import Svc

pytest_plugins = ["service_support"]

from jikimi.audit.merkle import leaf_hash, verify_inclusion
from jikimi.pipeline.reveal import TOKEN as HMAC_TOKEN

RRN = "900101-1234567"
PHONE = "010-4821-7390"


def test_openapi_and_health(svc: Svc) -> None:
    spec = svc.client.get("/openapi.json").json()
    for path in ("/v1/tokenize", "/v1/reveal", "/v1/decisions", "/v1/keys/unwrap",
                 "/v1/log/checkpoint", "/v1/subjects/forget", "/v1/keys/rotate"):
        assert path in spec["paths"]
    assert svc.client.get("/v1/health").json()["status"] == "ok"


def test_decision_with_obligations_is_logged_first(svc: Svc) -> None:
    body = {"action": "reveal", "resource": {"kind": "field", "entity_type": "KR_RRN"},
            "purpose": "fraud-investigation", "ticket": "CASE-1", "justification": "chargeback"}
    r = svc.client.post("/v1/decisions", json=body, headers=svc.h("officer"))
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["allowed"] is True
    assert d["obligations"] == {"require_justification": True, "notify": "privacy_officer"}
    assert d["policies"] == ["reid-officer-tier1"]
    entry = svc.state.log.entries(d["log_index"], d["log_index"] + 1)[0]
    assert entry["action"] == "reveal" and entry["decision"] == "allow"
    assert entry["handler"] == "officer" and "reid-officer-tier1" in entry["detail"]
    # from outside the permitted region: denied by the forbid, still logged
    r = svc.client.post("/v1/decisions", json=body, headers=svc.h("officer_abroad"))
    d = r.json()
    assert d["allowed"] is False and d["policies"] == ["tier1-stays-home"]
    assert svc.state.log.entries(d["log_index"], d["log_index"] + 1)[0]["decision"] == "deny"
    # no ticket: default deny
    r = svc.client.post("/v1/decisions", json=body | {"ticket": ""}, headers=svc.h("officer"))
    assert r.json()["allowed"] is False
    # justification obligation enforced by the service
    r = svc.client.post("/v1/decisions", json=body | {"justification": ""},
                        headers=svc.h("officer"))
    d = r.json()
    assert d["allowed"] is False and any("justification" in x for x in d["reasons"])


def test_tokenize_batch_and_one_way(svc: Svc) -> None:
    r = svc.client.post("/v1/tokenize", headers=svc.h("engineer"),
                        json={"entity_type": "PHONE_NUMBER", "values": [PHONE, "01048217390"]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["values"][0] == out["values"][1] and HMAC_TOKEN.fullmatch(out["values"][0])
    assert out["key"] == "token/default@v1" and out["errors"] == []
    # HMAC tokens never come back, whoever asks
    r = svc.client.post("/v1/detokenize", headers=svc.f("officer"), json={
        "entity_type": "PHONE_NUMBER", "values": [out["values"][0]],
        "purpose": "customer-support", "justification": "caller verification"})
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "error"
    assert "one-way" in r.json()["results"][0]["error"]
    # fpe mode is reversible through detokenize
    r = svc.client.post("/v1/tokenize", headers=svc.h("engineer"),
                        json={"entity_type": "KR_RRN", "values": [RRN, "12"], "mode": "fpe"})
    out = r.json()
    assert out["values"][0] != RRN and len(out["values"][0]) == len(RRN)
    assert out["values"][1] is None and out["errors"][0]["index"] == 1
    assert "12" not in out["errors"][0]["error"].replace("1-", "")  # no value in errors
    r = svc.client.post("/v1/detokenize", headers=svc.f("officer"), json={
        "entity_type": "KR_RRN", "values": [out["values"][0]],
        "purpose": "fraud-investigation", "ticket": "CASE-7", "justification": "court order"})
    assert r.json()["results"][0] == {"status": "revealed", "value": RRN, "error": None}


def test_encrypt_reveal_with_obligations(svc: Svc) -> None:
    enc = {}
    for etype, value in (("KR_RRN", RRN), ("PHONE_NUMBER", PHONE),
                         ("KR_ADDRESS", "서울특별시 강남구 테헤란로 152")):
        r = svc.client.post("/v1/encrypt", headers=svc.h("engineer"),
                            json={"entity_type": etype, "values": [value]})
        assert r.status_code == 200, r.text
        enc[etype] = r.json()["values"][0]
        assert enc[etype].startswith(f"jk1.siv.{etype}.")
    items = [{"value": v} for v in enc.values()]
    why = {"purpose": "fraud-investigation", "ticket": "CASE-9", "justification": "fraud ring"}
    r = svc.client.post("/v1/reveal", headers=svc.f("officer"), json={"items": items, **why})
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert [x["status"] for x in res] == ["revealed"] * 3
    assert res[0]["value"] == RRN and res[1]["value"] == PHONE
    decisions = r.json()["decisions"]
    assert {d["entity_type"] for d in decisions} == {"KR_RRN", "PHONE_NUMBER", "KR_ADDRESS"}
    for d in decisions:
        e = svc.state.log.entries(d["log_index"], d["log_index"] + 1)[0]
        assert e["action"] == "reveal" and e["count"] == 1
    # analyst: tier-1 denied, address in clear, phone masked (reveal_fields + mask_rest)
    r = svc.client.post("/v1/reveal", headers=svc.f("analyst"), json={
        "items": items, "purpose": "customer-support", "justification": "address change"})
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert res[0]["status"] == "denied" and res[0]["value"] is None
    assert res[1]["status"] == "masked" and res[1]["value"] != PHONE and "*" in res[1]["value"]
    assert res[2] == {"status": "revealed", "value": "서울특별시 강남구 테헤란로 152",
                      "error": None}
    # nobody may: 403, logged
    r = svc.client.post("/v1/reveal", headers=svc.f("engineer"), json={"items": items, **why})
    assert r.status_code == 403
    idx = r.json()["log_index"]
    assert svc.state.log.entries(idx, idx + 1)[0]["decision"] == "deny"
    # plain decrypt follows the same decisions
    r = svc.client.post("/v1/decrypt", headers=svc.f("officer"),
                        json={"values": [enc["KR_RRN"]], **why})
    assert r.json()["results"][0]["value"] == RRN


def test_forget_and_rotate(svc: Svc) -> None:
    sid = svc.state.keyring.subject_id_for(RRN, "KR_RRN")
    r = svc.client.post("/v1/encrypt", headers=svc.h("engineer"),
                        json={"entity_type": "KR_RRN", "values": [RRN], "subject": sid})
    ct = r.json()["values"][0]
    assert f".subject/{sid}." in ct
    why = {"purpose": "fraud-investigation", "ticket": "CASE-2", "justification": "check"}
    # engineers and officers cannot forget; privacy officers with a ticket can
    r = svc.client.post("/v1/subjects/forget", headers=svc.f("officer"),
                        json={"subject_id": sid, "ticket": "DSR-1"})
    assert r.status_code == 403
    r = svc.client.post("/v1/subjects/forget", headers=svc.f("privacy"), json={"subject_id": sid})
    assert r.status_code == 403  # no ticket
    r = svc.client.post("/v1/subjects/forget", headers=svc.f("privacy"),
                        json={"subject_id": sid, "ticket": "DSR-1", "purpose": "erasure"})
    assert r.status_code == 200 and r.json()["destroyed"] is True
    r = svc.client.post("/v1/reveal", headers=svc.f("officer"), json={"items": [{"value": ct}],
                                                                      **why})
    assert r.json()["results"][0]["status"] == "error"
    assert "forgotten" in r.json()["results"][0]["error"]
    # rotate: admin only, new version used, old still reveals
    old = svc.client.post("/v1/encrypt", headers=svc.h("engineer"),
                          json={"entity_type": "PHONE_NUMBER", "values": [PHONE]}).json()
    r = svc.client.post("/v1/keys/rotate", headers=svc.f("engineer"), json={"purpose": "encrypt"})
    assert r.status_code == 403
    r = svc.client.post("/v1/keys/rotate", headers=svc.f("admin"), json={"purpose": "encrypt"})
    assert r.status_code == 200 and r.json()["version"] == 2
    new = svc.client.post("/v1/encrypt", headers=svc.h("engineer"),
                          json={"entity_type": "PHONE_NUMBER", "values": [PHONE]}).json()
    assert new["key"] == "encrypt/default@v2"
    r = svc.client.post("/v1/reveal", headers=svc.f("officer"), json={
        "items": [{"value": old["values"][0]}, {"value": new["values"][0]}], **why})
    assert [x["value"] for x in r.json()["results"]] == [PHONE, PHONE]


def test_wrap_unwrap_releases_are_logged_with_job(svc: Svc) -> None:
    r = svc.client.post("/v1/keys/datakey", headers=svc.h("engineer", **{"X-Jikimi-Job": "j-1"}),
                        json={"purpose": "token"})
    assert r.status_code == 200, r.text
    blob = r.json()["wrapped"]
    assert blob.startswith("jkw1.")
    # without a job id the release is refused (obligation / policy), and logged
    r = svc.client.post("/v1/keys/unwrap", headers=svc.f("engineer"), json={"wrapped": [blob]})
    assert r.status_code == 403
    r = svc.client.post("/v1/keys/unwrap", headers=svc.f("engineer", **{"X-Jikimi-Job": "job-42"}),
                        json={"wrapped": [blob]})
    assert r.status_code == 200, r.text
    key = r.json()["keys"][0]
    assert key["key_id"] == "token/default" and len(base64.urlsafe_b64decode(key["key"] + "=")) == 32
    entry = svc.state.log.entries(r.json()["log_index"], r.json()["log_index"] + 1)[0]
    assert entry["action"] == "unwrap" and "job=job-42" in entry["detail"]
    assert key["key"] not in str(svc.state.log.entries(0, svc.state.log.size()))
    # officers may not have keys released
    r = svc.client.post("/v1/keys/unwrap", headers=svc.f("officer", **{"X-Jikimi-Job": "j"}),
                        json={"wrapped": [blob]})
    assert r.status_code == 403
    # a tampered or relabelled blob does not unwrap
    parts = blob.split(".")
    bad = ".".join(parts[:2] + ["fpe%2Fdefault", parts[3], "fpe", parts[5]])
    r = svc.client.post("/v1/keys/unwrap", headers=svc.f("engineer", **{"X-Jikimi-Job": "j"}),
                        json={"wrapped": [bad]})
    assert r.status_code in (403, 422)
    # client-generated data key round trip
    dk = base64.urlsafe_b64encode(bytes(range(32))).decode()
    r = svc.client.post("/v1/keys/wrap", headers=svc.h("engineer", **{"X-Jikimi-Job": "j"}),
                        json={"key": dk, "label": "dataset-7"})
    assert r.status_code == 200, r.text
    r = svc.client.post("/v1/keys/unwrap", headers=svc.f("engineer", **{"X-Jikimi-Job": "j"}),
                        json={"wrapped": [r.json()["wrapped"]]})
    assert base64.urlsafe_b64decode(r.json()["keys"][0]["key"] + "=") == bytes(range(32))


def test_subject_keys_released_in_one_request(svc: Svc) -> None:
    body = {"ids": ["subj-a", "subj-b"], "release": True}
    job = {"X-Jikimi-Job": "job-7"}
    # a release is replay-protected like /v1/keys/unwrap, and needs a job id
    r = svc.client.post("/v1/keys/subjects", headers=svc.h("engineer", **job), json=body)
    assert r.status_code == 428 and "released" not in r.text
    r = svc.client.post("/v1/keys/subjects", headers=svc.f("engineer"), json=body)
    assert r.status_code == 403
    r = svc.client.post("/v1/keys/subjects", headers=svc.f("officer", **job), json=body)
    assert r.status_code == 403
    r = svc.client.post("/v1/keys/subjects", headers=svc.f("engineer", **job), json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["keys"] == {} and sorted(out["released"]) == ["subj-a", "subj-b"]
    local = svc.state.keyring.subject_keys(["subj-a", "subj-b"], create=False)
    for sid, k in out["released"].items():
        assert k["key_id"] == local[sid].key_id and k["purpose"] == "subject"
        assert base64.urlsafe_b64decode(k["key"] + "=") == local[sid]._material
    release = svc.state.log.entries(out["release_log_index"], out["release_log_index"] + 1)[0]
    assert release["action"] == "unwrap" and release["decision"] == "allow"
    assert "job=job-7" in release["detail"] and release["count"] == 2
    everything = str(svc.state.log.entries(0, svc.state.log.size()))
    assert all(k["key"] not in everything for k in out["released"].values())


def test_audit_read_api(svc: Svc) -> None:
    svc.client.post("/v1/tokenize", headers=svc.h("engineer"),
                    json={"entity_type": "PHONE_NUMBER", "values": [PHONE]})
    r = svc.client.get("/v1/log/checkpoint", headers=svc.h("engineer"))
    assert r.status_code == 403
    r = svc.client.get("/v1/log/checkpoint", headers=svc.h("auditor"))
    assert r.status_code == 200 and r.text.splitlines()[1].isdigit()
    size = int(r.text.splitlines()[1])
    r = svc.client.get("/v1/log/tile/0/000.p/" + str(min(size, 255)), headers=svc.h("auditor"))
    assert r.status_code == 200 and len(r.content) == 32 * min(size, 255)
    r = svc.client.get("/v1/log/tile/entries/000.p/" + str(min(size, 255)),
                       headers=svc.h("auditor"))
    assert r.status_code == 200
    r = svc.client.get("/v1/log/proof/inclusion", params={"index": 0, "size": size},
                       headers=svc.h("auditor"))
    assert r.status_code == 200, r.text
    proof = [base64.b64decode(h) for h in r.json()["hashes"]]
    log = svc.state.log.log
    verify_inclusion(0, size, leaf_hash(log.entry(0)), proof, log.root(size))
    r = svc.client.get("/v1/log/entries", params={"start": 0, "limit": 5},
                       headers=svc.h("auditor"))
    assert r.status_code == 200 and r.json()["entries"][0]["schema"] == "jikimi.audit/v1"


def test_admin_principals_and_tokens(svc: Svc) -> None:
    r = svc.client.post("/v1/principals", headers=svc.f("admin"),
                        json={"name": "carol", "roles": ["analyst"], "region": "KR"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = svc.client.post(f"/v1/principals/{pid}/tokens", headers=svc.f("admin"),
                        json={"ttl_seconds": 600})
    assert r.status_code == 201
    tok = r.json()["token"]
    assert svc.client.get("/metrics", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    r = svc.client.post("/v1/principals", headers=svc.f("engineer"),
                        json={"name": "mallory", "roles": ["admin"]})
    assert r.status_code == 403
    # the token hash, never the token, is stored
    from sqlalchemy import text

    with svc.state.engine.connect() as c:
        stored = [row[0] for row in c.execute(text("SELECT secret_hash FROM tokens"))]
    assert tok not in stored and all(len(h) == 64 for h in stored)


def test_encrypt_with_bad_subject_is_422_and_denied_callers_create_no_keys(svc: Svc) -> None:
    raw = '{"entity_type": "KR_RRN", "values": [], "subject": "\\u0017\\udad1"}'  # lone surrogate
    r = svc.client.post("/v1/encrypt", headers={**svc.h("engineer"), "Content-Type": "application/json"},
                        content=raw.encode())
    assert r.status_code == 422, r.text
    before = svc.state.keyring.subject_count()
    r = svc.client.post("/v1/encrypt", headers=svc.h("analyst"),
                        json={"entity_type": "KR_RRN", "values": [RRN], "subject": "someone-new"})
    assert r.status_code == 403
    assert svc.state.keyring.subject_count() == before
    r = svc.client.post("/v1/keys/datakey", headers=svc.h("engineer"),
                        json={"purpose": "encrypt", "name": "service-wrap"})
    assert r.status_code == 422
