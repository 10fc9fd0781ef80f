"""Protect throughput, per-operator speed and memory, measured in one run.

    python bench/protect_bench.py                     # 20k-record corpus, operators, 1 GB RSS run
    python bench/protect_bench.py --rss-mb 200        # a smaller memory run
    python bench/protect_bench.py --markdown          # also update docs/benchmarks.md

What it prints:

* ``jikimi scan --json`` and ``jikimi protect`` (default policy) on the same JSONL file, as CLI
  subprocesses, with records/s and MB/s of input; the issue's goal is protect >= 50 % of scan;
* ops/s of every operator on typical values;
* peak RSS of ``jikimi protect`` on a large JSONL file built by repeating the corpus (goal:
  < 300 MB for 1 GB, i.e. flat in input size), next to the peak for a file ten times smaller.

The keyring is a fresh one in a temporary JIKIMI_HOME with a fixed benchmark passphrase.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import generate


def write_corpus(path: Path, records: int, seed: int) -> int:
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in generate(records, seed))
    return path.stat().st_size


def grow(src: Path, dest: Path, target_bytes: int) -> int:
    data = src.read_bytes()
    lines = data.splitlines(keepends=True)
    with open(dest, "wb") as f:
        written = 0
        rep = 0
        while written < target_bytes:
            for line in lines:
                # distinct ids per copy so records stay distinct records
                rec = json.loads(line)
                rec["id"] = f"{rec['id']}-{rep}"
                b = json.dumps(rec, ensure_ascii=False).encode() + b"\n"
                f.write(b)
                written += len(b)
                if written >= target_bytes:
                    break
            rep += 1
    return written


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(seconds, peak RSS in KB of the child) for one jikimi command."""
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-m", "jikimi.cli", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    dt_ = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"jikimi {' '.join(args)} failed: {proc.stderr.decode()[-400:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return dt_, max(after, before)


def peak_rss_of(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS MB) measured with /usr/bin/time-like wait4 accounting."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "jikimi.cli", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    dt_ = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"jikimi {' '.join(args)} failed")
    return dt_, usage.ru_maxrss / 1024


def operator_speeds() -> list[tuple[str, float]]:
    import jikimi.transform as T
    from jikimi.keys.base import KeyHandle, KeyRef, Purpose

    def key(p: Purpose) -> KeyHandle:
        return KeyHandle(KeyRef(f"{p.value}/bench", 1, p), bytes(range(32)))

    cases: list[tuple[str, Any]] = [
        ("redact", lambda: T.redact("610622-1363549")),
        ("mask phone", lambda: T.mask("010-4821-7390", "PHONE_NUMBER")),
        ("token phone", lambda k=key(Purpose.TOKEN): T.token("010-4821-7390", "PHONE_NUMBER", k)),
        ("fpe RRN", lambda k=key(Purpose.FPE): T.fpe("610622-1363549", "KR_RRN", k)),
        ("encrypt SIV RRN", lambda k=key(Purpose.ENCRYPT): T.encrypt("610622-1363549", "KR_RRN", k, deterministic=True)),
        ("encrypt GCM RRN", lambda k=key(Purpose.ENCRYPT): T.encrypt("610622-1363549", "KR_RRN", k, deterministic=False)),
        ("surrogate name", lambda k=key(Purpose.SURROGATE): T.surrogate("김민준", "PERSON", k)),
        ("surrogate RRN", lambda k=key(Purpose.SURROGATE): T.surrogate("610622-1363549", "KR_RRN", k)),
        ("generalize DOB", lambda: T.generalize("1987년 3월 9일", "DATE_OF_BIRTH", "year")),
        ("generalize address", lambda: T.generalize("서울특별시 종로구 세종대로 209", "KR_ADDRESS", "sigungu")),
        ("dateshift", lambda k=key(Purpose.SUBJECT): T.dateshift("1987-03-09", k)),
    ]
    out = []
    for name, fn in cases:
        n = 0
        t = time.perf_counter()
        while time.perf_counter() - t < 0.3:
            for _ in range(200):
                fn()
            n += 200
        out.append((name, n / (time.perf_counter() - t)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rss-mb", type=int, default=1024, help="size of the large file for the memory run")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jikimi-protect-bench-"))
    env = {**os.environ, "JIKIMI_HOME": str(work / "home"), "JIKIMI_PASSPHRASE": "benchmark passphrase"}
    src = work / "corpus.jsonl"
    size = write_corpus(src, a.records, a.seed)
    mb = size / 1e6
    # warm the keyring (creation costs one scrypt) so it is not timed
    run_cli(["keys", "list"], env)
    scan_s, _ = run_cli(["scan", str(src), "--json", "--field", "text"], env)
    prot_s, _ = run_cli(["protect", str(src), "-o", str(work / "out"), "--field", "text"], env)
    lines = [
        f"# jikimi protect benchmark ({dt.date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})",
        f"command: python bench/protect_bench.py --records {a.records} --seed {a.seed} --rss-mb {a.rss_mb}",
        "",
        f"input: {a.records} records, {mb:.1f} MB JSONL (bench/corpus.py, seed {a.seed})",
        "",
        "| command | seconds | records/s | MB/s |",
        "|---|---:|---:|---:|",
        f"| jikimi scan --json | {scan_s:.2f} | {a.records / scan_s:,.0f} | {mb / scan_s:.2f} |",
        f"| jikimi protect (default policy) | {prot_s:.2f} | {a.records / prot_s:,.0f} | {mb / prot_s:.2f} |",
        "",
        f"protect / scan throughput: {scan_s / prot_s:.0%} (goal >= 50 %)",
        "",
        "| operator | ops/s |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {ops:,.0f} |" for name, ops in operator_speeds()]
    if a.rss_mb > 0:
        small = work / "small.jsonl"
        big = work / "big.jsonl"
        grow(src, small, a.rss_mb * 2**20 // 10)
        grow(src, big, a.rss_mb * 2**20)
        s_small, rss_small = peak_rss_of(["protect", str(small), "-o", str(work / "o-small"), "--field", "text"], env)
        (work / "small.jsonl").unlink()
        s_big, rss_big = peak_rss_of(["protect", str(big), "-o", str(work / "o-big"), "--field", "text"], env)
        lines += [
            "",
            "| input | seconds | MB/s | peak RSS |",
            "|---|---:|---:|---:|",
            f"| {a.rss_mb // 10} MB JSONL | {s_small:.1f} | {a.rss_mb / 10 * 1.048576 / s_small:.2f} | {rss_small:.0f} MB |",
            f"| {a.rss_mb} MB JSONL | {s_big:.1f} | {a.rss_mb * 1.048576 / s_big:.2f} | {rss_big:.0f} MB |",
            "",
            f"peak RSS goal: < 300 MB for 1 GB -> {'met' if rss_big < 300 else 'NOT met'}",
        ]
    report = "\n".join(lines)
    print(report)
    if a.markdown:
        doc = REPO / "docs" / "benchmarks.md"
        text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
        start, end = "<!-- protect-bench:start -->", "<!-- protect-bench:end -->"
        block = f"{start}\n{report.replace('# jikimi', '## jikimi', 1)}\n{end}"
        if start in text:
            text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
        doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
