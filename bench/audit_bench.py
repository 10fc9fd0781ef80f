"""Audit log benchmark: durable batched appends/s (SQLite, PostgreSQL), proof generation and
verification at 1M and 10M entries, storage bytes per entry.

    python bench/audit_bench.py [--events 200000] [--sizes 1000000,10000000] [--pg DSN] [--markdown]

Appends use realistic access events (``access_event`` -> canonical JSON, ~300 bytes) end to end:
normalisation, encoding, leaf and node hashing, tile writes and a durable commit per batch
(SQLite WAL + synchronous=FULL; PostgreSQL synchronous_commit=on), then a signed checkpoint.
The 1M/10M proof trees are filled with 16-byte entries (the tree shape, not the entry size,
sets proof cost); proofs are read from the stored tiles with a 4096-tile LRU (random indexes,
so level-0 tiles are mostly cold at 10M).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from jikimi.audit import AuditLog, access_event, merkle
from jikimi.audit.note import Signer
from jikimi.audit.store import PostgresStore, SqliteStore, Store


def _events(n: int) -> list[dict[str, object]]:
    base = access_event("reveal", purpose="customer support", key_id="fpe/default", key_version=3,
                        subject=None, count=1, detail="fpe KR_RRN")  # fmt: skip
    return [dict(base, detail=f"fpe KR_RRN #{i}") for i in range(n)]


def bench_appends(store: Store, n: int, batch: int) -> dict[str, float]:
    log = AuditLog(store, Signer.generate("bench.example/audit"), max_batch=batch)
    evs = _events(n)
    t = time.perf_counter()
    for i in range(0, n, batch):
        log.append_many(evs[i : i + batch])  # each call: durable commit + signed checkpoint
    dt = time.perf_counter() - t
    # many threads calling append() one event at a time (group commit)
    threads, per = 32, 300
    t2 = time.perf_counter()
    ts = [threading.Thread(target=lambda: [log.append(evs[j]) for j in range(per)]) for _ in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    dt2 = time.perf_counter() - t2
    size = log.size
    used = store.bytes_used()
    log.close()
    return {"batched_per_s": n / dt, "threads_per_s": threads * per / dt2, "bytes_per_entry": used / size}


def _timeit(fn, reps: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    xs = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        xs.append(time.perf_counter() - t)
    xs.sort()
    return statistics.median(xs) * 1e6, xs[int(len(xs) * 0.99) - 1] * 1e6


def bench_proofs(path: Path, size: int, reps: int = 2000) -> dict[str, float]:
    store = SqliteStore(path)
    log = AuditLog(store, Signer.generate("bench.example/proofs"), max_batch=262144)
    t = time.perf_counter()
    chunk = 262144
    while log.size < size:
        k = min(chunk, size - log.size)
        base = log.size
        log.append_entries([(base + i).to_bytes(16, "big") for i in range(k)])
    build = time.perf_counter() - t
    rng = random.Random(1)
    root = log.root(size)
    idx = [rng.randrange(size) for _ in range(reps)]
    olds = [rng.randrange(1, size) for _ in range(reps)]
    it = iter(idx)
    gen_i = _timeit(lambda: log.inclusion_proof(next(it), size), reps)
    proofs = [(i, log.inclusion_proof(i, size)) for i in idx[:reps]]
    leaves = {i: merkle.leaf_hash(i.to_bytes(16, "big")) for i, _ in proofs}
    pit = iter(proofs)

    def ver_i() -> None:
        i, p = next(pit)
        merkle.verify_inclusion(i, size, leaves[i], p, root)

    ver = _timeit(ver_i, reps)
    ot = iter(olds)
    gen_c = _timeit(lambda: log.consistency_proof(next(ot), size), reps)
    cps = [(m, log.root(m), log.consistency_proof(m, size)) for m in olds[:reps]]
    cit = iter(cps)

    def ver_c() -> None:
        m, r1, p = next(cit)
        merkle.verify_consistency(m, size, r1, root, p)

    verc = _timeit(ver_c, reps)
    used = store.bytes_used()
    log.close()
    return {"build_s": build, "incl_gen_us": gen_i[0], "incl_gen_p99": gen_i[1], "incl_ver_us": ver[0],
            "incl_ver_p99": ver[1], "cons_gen_us": gen_c[0], "cons_gen_p99": gen_c[1], "cons_ver_us": verc[0],
            "cons_ver_p99": verc[1], "bytes_per_entry": used / size}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--pg", default=os.environ.get("JIKIMI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--dir", default=None)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    tmp = Path(a.dir or tempfile.mkdtemp(prefix="audit-bench-"))
    rows = []
    r = bench_appends(SqliteStore(tmp / "append.db"), a.events, a.batch)
    rows.append(("SQLite", r))
    print(f"SQLite: {r}", flush=True)
    schema = f"jikimi_audit_bench_{uuid.uuid4().hex[:8]}"
    try:
        pg = PostgresStore(a.pg, schema)
        r = bench_appends(pg, a.events, a.batch)
        rows.append(("PostgreSQL", r))
        print(f"PostgreSQL: {r}", flush=True)
        PostgresStore(a.pg, schema).drop()
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL skipped: {exc}")
    proofs = []
    for s in [int(x) for x in a.sizes.split(",") if x]:
        p = bench_proofs(tmp / f"proofs-{s}.db", s)
        proofs.append((s, p))
        print(f"{s}: {p}", flush=True)
    if a.markdown:
        print("\n## Audit log (bench/audit_bench.py)\n")
        print(f"Command: `python bench/audit_bench.py --events {a.events} --batch {a.batch} --sizes {a.sizes} --markdown`  ")
        print(f"Machine: nproc {os.cpu_count()}, {platform.platform()}, Python {platform.python_version()}; "
              f"run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n")  # fmt: skip
        print(f"| backend | durable appends/s, batches of {a.batch} (goal ≥ 20,000) | 32 threads × append() (group commit) | bytes/entry |")
        print("|---|---:|---:|---:|")
        for name, r in rows:
            print(f"| {name} | {r['batched_per_s']:,.0f} | {r['threads_per_s']:,.0f} | {r['bytes_per_entry']:.0f} |")
        print("\n| tree size | build s | inclusion gen µs (p99) | inclusion verify µs (p99) | consistency gen µs (p99) | consistency verify µs (p99) | bytes/entry (16-byte entries) |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for s, p in proofs:
            print(f"| {s:,} | {p['build_s']:.0f} | {p['incl_gen_us']:.0f} ({p['incl_gen_p99']:.0f}) | "
                  f"{p['incl_ver_us']:.0f} ({p['incl_ver_p99']:.0f}) | {p['cons_gen_us']:.0f} ({p['cons_gen_p99']:.0f}) | "
                  f"{p['cons_ver_us']:.0f} ({p['cons_ver_p99']:.0f}) | {p['bytes_per_entry']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
