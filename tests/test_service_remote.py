"""``protect`` through the home key service (RemoteKeyring) gives exactly the output of the
local keyring, releases keys only under a job id, and caches released keys within TTL and
max-uses bounds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_support import LiveServer, Svc, open_service

pytest_plugins = ["service_support"]

from bench.corpus import generate
from jikimi.keys import KeyNotFound, Purpose
from jikimi.keys.base import SubjectForgotten
from jikimi.pipeline.protect import ProtectJob
from jikimi.service.client import RemoteKeyring, RemoteKeyringError


@pytest.fixture
def live(keyring_home: Path) -> Iterator[tuple[Svc, LiveServer]]:
    s, _ = open_service("sqlite", keyring_home)
    server = LiveServer(s.client.app)
    try:
        yield s, server
    finally:
        server.stop()
        s.client.__exit__(None, None, None)
        s.state.keyring.close()


def _corpus(path: Path, n: int = 300) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in generate(n, 5))


def _outputs(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())
            if p.is_file() and p.name != "manifest.json"}


def test_remote_protect_equals_local(live: tuple[Svc, LiveServer], tmp_path: Path) -> None:
    s, server = live
    src = tmp_path / "in.jsonl"
    _corpus(src)
    ProtectJob(s.state.keyring, chunk_records=64).run(src, tmp_path / "local")
    with RemoteKeyring(server.url, s.tokens["engineer"], job_id="job-eq") as remote:
        ProtectJob(remote, chunk_records=64).run(src, tmp_path / "remote")
        assert remote.subject_id_for("900101-1234567", "KR_RRN") == \
            s.state.keyring.subject_id_for("900101-1234567", "KR_RRN")
        # a handful of requests per chunk, not per record
        assert remote.requests <= 6 + 3 * (300 // 64 + 1)
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "remote")
    entries = s.state.log.entries(0, s.state.log.size())
    releases = [e for e in entries if e["action"] == "unwrap"]
    assert releases and all("job=job-eq" in e["detail"] for e in releases)
    assert all(e["decision"] == "allow" for e in releases)


def test_cache_ttl_and_max_uses(live: tuple[Svc, LiveServer]) -> None:
    s, server = live
    with RemoteKeyring(server.url, s.tokens["engineer"], max_uses=3, ttl=60) as r:
        for _ in range(3):
            r.current(Purpose.TOKEN)
        assert r.releases == 1
        r.current(Purpose.TOKEN)
        assert r.releases == 2  # max uses reached: released (and logged) again
    with RemoteKeyring(server.url, s.tokens["engineer"], ttl=0.2) as r:
        h1 = r.current(Purpose.TOKEN)
        r.current(Purpose.TOKEN)
        assert r.releases == 1
        time.sleep(0.3)
        h2 = r.current(Purpose.TOKEN)
        assert r.releases == 2 and h1.ref == h2.ref
        assert "jk_" not in repr(r) and s.tokens["engineer"] not in repr(r)


def test_remote_errors_and_forgotten(live: tuple[Svc, LiveServer]) -> None:
    s, server = live
    with RemoteKeyring(server.url, s.tokens["analyst"]) as r:
        with pytest.raises(RemoteKeyringError) as exc:
            r.current(Purpose.TOKEN)
        assert exc.value.status == 403
    with RemoteKeyring(server.url, "jk_0123456789abcdef_" + "A" * 43) as r:
        with pytest.raises(RemoteKeyringError) as exc:
            r.list_keys()
        assert exc.value.status == 401
    sid = s.state.keyring.subject_id_for("900101-1234567", "KR_RRN")
    s.state.keyring.subject_key(sid)
    s.state.keyring.forget_subject(sid)
    with RemoteKeyring(server.url, s.tokens["engineer"]) as r:
        assert r.forgotten_subjects([sid, "other"]) == {sid}
        with pytest.raises(SubjectForgotten):
            r.subject_keys([sid])
        with pytest.raises(KeyNotFound):
            r.get("token/nope", 1)


def test_warm_subjects_fetches_ahead_and_failures_resurface(live: tuple[Svc, LiveServer]) -> None:
    s, server = live
    ids = [f"warm-{i}" for i in range(40)]
    with RemoteKeyring(server.url, s.tokens["engineer"], job_id="job-warm") as remote:
        remote.warm_subjects(ids)
        got = remote.subject_keys(ids)  # waits for the background fetch, then hits the cache
        assert remote.requests == 1  # one /keys/subjects (create + release), from the warm-up
        local = s.state.keyring.subject_keys(ids, create=False)
        assert {k: h.key_id for k, h in got.items()} == {k: h.key_id for k, h in local.items()}
        assert all(got[k].subkey("t") == local[k].subkey("t") for k in ids)
    # a failing warm-up is dropped; the synchronous call repeats it and reports the failure
    with RemoteKeyring(server.url, "not-a-token", job_id="job-warm") as bad:
        bad.warm_subjects(["warm-x"])
        with pytest.raises(RemoteKeyringError) as err:
            bad.subject_keys(["warm-x"])
        assert err.value.status == 401


def test_sliced_scan_with_warm_up_gives_the_local_output(
    live: tuple[Svc, LiveServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jikimi.pipeline.protect as protect_mod

    s, server = live
    monkeypatch.setattr(protect_mod, "SCAN_SLICE", 16)  # many slices per chunk
    src = tmp_path / "in.jsonl"
    _corpus(src, 200)
    ProtectJob(s.state.keyring, chunk_records=100).run(src, tmp_path / "local")
    with RemoteKeyring(server.url, s.tokens["engineer"], job_id="job-slices") as remote:
        ProtectJob(remote, chunk_records=100).run(src, tmp_path / "remote")
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "remote")


def test_subject_id_key_keeps_the_release_budget(live: tuple[Svc, LiveServer]) -> None:
    s, server = live
    with RemoteKeyring(server.url, s.tokens["engineer"], job_id="job-sid", max_uses=3) as remote:
        for i in range(12):
            remote.subject_id_for(f"90010{i % 10}-1234567", "KR_RRN")
        assert remote.releases == 4  # 3 uses per release, not 3 x 3
    with RemoteKeyring(server.url, s.tokens["engineer"], job_id="job-sid", ttl=0.3) as remote:
        remote.subject_id_for("900101-1234567", "KR_RRN")
        assert remote.releases == 1
        time.sleep(0.4)
        remote.subject_id_for("900101-1234567", "KR_RRN")
        assert remote.releases == 2  # expired with its release, not 0.3 s after the last use
