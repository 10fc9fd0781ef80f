"""Crash safety: a writer process is SIGKILLed at random points, 50 times, on one database.

After every kill: every acknowledged entry is present and unchanged, every checkpoint the writer
published before dying verifies against the durable tree (so none was signed for a tree that
was not durable), and the whole log still verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson

from jikimi.audit import merkle
from jikimi.audit.checkpoint import open_checkpoint
from jikimi.audit.note import Signer
from jikimi.audit.store import SqliteStore
from jikimi.audit.tiles import TileHashReader
from jikimi.audit.verify import verify_store

CHILD = r"""
import os, sys
from jikimi.audit import AuditLog, access_event
from jikimi.audit.note import Signer
from jikimi.audit.store import SqliteStore
db, skey, trial, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
f = open(out, "a", buffering=1)
def on_cp(size, note):
    f.write("CP " + note.encode().hex() + "\n")
log = AuditLog(SqliteStore(db), Signer.from_skey(skey), max_batch=64, on_checkpoint=on_cp)
f.write("READY\n")
n = 0
while True:
    k = 1 + n % 37
    evs = [access_event("reveal", purpose="crash", detail=f"{trial}:{n + j}") for j in range(k)]
    if n % 2:
        r = log.append_many(evs)
    else:
        r = range(log.append(evs[0]), 0)
        r = range(r.start, r.start + 1)
        k = 1
    f.write(f"ACK {r.start} {r.stop} {trial}:{n}\n")
    n += k
"""

TRIALS = 50


def test_sigkill_never_loses_acknowledged_or_checkpointed_data(tmp_path: Path) -> None:
    db = str(tmp_path / "crash.db")
    signer = Signer.generate("crash.example/log")
    SqliteStore(db).close()
    rng = random.Random(1234)
    env = dict(os.environ)
    started = time.monotonic()
    total_acks = total_cps = 0
    for trial in range(TRIALS):
        out = tmp_path / f"out{trial}.txt"
        out.write_text("")
        p = subprocess.Popen([sys.executable, "-c", CHILD, db, signer.skey, str(trial), str(out)], env=env)
        deadline = time.monotonic() + 20
        while "READY" not in out.read_text():
            assert p.poll() is None, "writer died before starting"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.12))
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        lines = out.read_text().split("\n")[:-1]  # drop a line cut by the kill
        st = SqliteStore(db)
        size = st.tree()[0]
        for line in lines:
            if line.startswith("ACK "):
                _, a, b, tag = line.split()
                start_n = int(tag.split(":")[1])
                rows = st.get_entries(int(a), int(b))
                assert len(rows) == int(b) - int(a), f"acknowledged entries {a}..{b} lost"
                for j, (_, d) in enumerate(rows):
                    assert orjson.loads(d)["detail"] == f"{trial}:{start_n + j}"
                total_acks += 1
            elif line.startswith("CP "):
                cp = open_checkpoint(bytes.fromhex(line[3:]), [signer.verifier])
                assert cp.size <= size, "checkpoint signed for entries that are not durable"
                assert merkle.root_hash(TileHashReader(st.fetch_tile, cp.size), cp.size) == cp.root
                total_cps += 1
        st.close()
    st = SqliteStore(db)
    rep = verify_store(st, [signer.verifier])
    assert rep.ok, rep.problems
    st.close()
    assert total_acks > TRIALS and total_cps > TRIALS
    assert time.monotonic() - started < 90
