"""Cost of jikimi's key management at scale: scrypt, a million subject keys, lookups, forget.

Usage (from the repository root)::

    python bench/keys_bench.py                    # 1,000,000 subjects in a temp dir
    python bench/keys_bench.py --subjects 200000 --batch 5000
    python bench/keys_bench.py --home /tmp/kr     # keep the keyring for inspection

What it measures
----------------
* scrypt: one key derivation with the production parameters (n=2**15, r=8, p=1) and, for
  comparison, n=2**16 and 2**17 (median of 5). This is what opening a passphrase keyring costs.
* Creation: ``subject_keys(batch, create=True)`` over ``--subjects`` fresh 26-character subject ids
  (the shape ``subject_id_for`` returns) in batches of ``--batch``; wall time, keys/s, and the size
  of ``keyring.db`` after close (WAL checkpointed), in total and per subject.
* Lookups, on a freshly opened keyring (empty cache): batched cold lookups (batches of 1,000 random
  ids), single ``subject_key(create=False)`` calls with the cache disabled (one SQL query + AES-SIV
  unwrap each), and single calls served by the LRU cache.
* ``subject_id_for`` (normalise + HMAC-SHA256) per second, and ``forget_subject`` latency
  (zero + delete with secure_delete, destruction-log insert, WAL checkpoint).

The keyring uses the real production scrypt parameters and ``synchronous=FULL``, so creation
numbers include one fsync per batch.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from jikimi.keys import LocalKeyring

PASSPHRASE = "keys-bench passphrase"


def _scrypt_ms(n: int, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        Scrypt(salt=os.urandom(16), length=32, n=n, r=8, p=1).derive(PASSPHRASE.encode())
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _ids(count: int) -> list[str]:
    raw = os.urandom(16 * count)
    return [
        base64.b32encode(raw[16 * i : 16 * i + 16]).decode().rstrip("=").lower()
        for i in range(count)
    ]


def run(home: Path, subjects: int, batch: int) -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, keyring at {home}")
    print("\n== scrypt (r=8, p=1), median of 5 ==")
    for n in (2**15, 2**16, 2**17):
        tag = " (default)" if n == 2**15 else ""
        print(f"  n=2**{n.bit_length() - 1}: {_scrypt_ms(n):7.1f} ms{tag}")

    t0 = time.perf_counter()
    ring = LocalKeyring(home, passphrase=PASSPHRASE)
    print(f"  create keyring (1 scrypt + init): {(time.perf_counter() - t0) * 1000:.0f} ms")

    ids = _ids(subjects)
    print(f"\n== create {subjects:,} subject keys, batches of {batch:,} ==")
    t0 = time.perf_counter()
    for start in range(0, subjects, batch):
        ring.subject_keys(ids[start : start + batch])
    create_s = time.perf_counter() - t0
    ring.close()
    db = home / "keyring.db"
    size = db.stat().st_size
    print(f"  time: {create_s:.1f} s  ({subjects / create_s:,.0f} keys/s)")
    print(f"  keyring.db: {size / 1e6:.1f} MB  ({size / subjects:.0f} bytes/subject)")

    rng = random.Random(7)
    sample = rng.sample(ids, min(100_000, subjects))

    print("\n== lookups (fresh open, empty cache) ==")
    t0 = time.perf_counter()
    ring = LocalKeyring(home, passphrase=PASSPHRASE)
    print(f"  reopen (scrypt + check value): {(time.perf_counter() - t0) * 1000:.0f} ms")
    t0 = time.perf_counter()
    for start in range(0, len(sample), 1000):
        got = ring.subject_keys(sample[start : start + 1000], create=False)
        assert len(got) == len(sample[start : start + 1000])
    cold_batched = len(sample) / (time.perf_counter() - t0)
    print(f"  batched cold lookups (1,000/batch): {cold_batched:,.0f} keys/s")
    t0 = time.perf_counter()
    for sid in sample:
        ring.subject_key(sid, create=False)
    cached = len(sample) / (time.perf_counter() - t0)
    print(f"  single lookups, LRU hits:           {cached:,.0f} keys/s")
    ring.close()

    with LocalKeyring(home, passphrase=PASSPHRASE, cache_size=0) as nocache:
        few = sample[:20_000]
        t0 = time.perf_counter()
        for sid in few:
            nocache.subject_key(sid, create=False)
        single = len(few) / (time.perf_counter() - t0)
        print(f"  single lookups, no cache (SQL+unwrap): {single:,.0f} keys/s")

        values = [f"{900101 + i % 1000:06d}-{1000000 + i:07d}" for i in range(100_000)]
        t0 = time.perf_counter()
        for v in values:
            nocache.subject_id_for(v, "KR_RRN")
        print(f"  subject_id_for: {len(values) / (time.perf_counter() - t0):,.0f} ids/s")

        victims = sample[:100]
        t0 = time.perf_counter()
        for sid in victims:
            nocache.forget_subject(sid)
        print(f"  forget_subject: {(time.perf_counter() - t0) / len(victims) * 1000:.1f} ms each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--home", type=Path, default=None, help="keyring dir (default: temp)")
    args = parser.parse_args()
    if args.home is not None:
        run(args.home, args.subjects, args.batch)
        return
    with tempfile.TemporaryDirectory(prefix="jikimi-keys-bench-") as tmp:
        run(Path(tmp) / "home", args.subjects, args.batch)


if __name__ == "__main__":
    main()
