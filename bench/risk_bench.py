"""Re-identification risk: measure and fix times, memory and loss; pyCANON on the same data.

    python bench/risk_bench.py                       # 1 M rows x 6 QIs, k = 5 (the issue's run)
    python bench/risk_bench.py --rows 100000         # a quicker run
    python bench/risk_bench.py --markdown            # also update docs/benchmarks.md

Data: synthetic Korean records (seeded): 나이 (0-99), 성별, 주소 (시/도 시/군/구 동 번지 from the
bundled region table), 우편번호 (5 digits), 직업 (job titles), 진료일 (dates in 2024) as the
six quasi-identifiers; 진단 (categorical) and 진료비 (numeric) as sensitive attributes.

What it prints: ``jikimi.risk.measure`` time (k, l, entropy l, t for both sensitive attributes,
risks) on all rows; the k-only ``measure(table, QI)`` (median and best of several runs, and
its CPU time) next to pyCANON's ``k_anonymity`` on the same rows; the two ways to fix the table
for k=5 on the same data — the lattice (``anonymize``, Flash-style full-domain recoding with
up to 5 % suppression) and ``mondrian`` (local recoding) — with time, peak RSS growth, NCP,
discernibility, C_AVG and classes; peak RSS growth of each step (the step's own high-water
mark: ``VmHWM`` is reset through ``/proc/self/clear_refs`` before the step, and the growth is
``VmHWM`` after it minus ``VmRSS`` before it; where that file cannot be written, the process
high-water mark ``ru_maxrss`` is used, which hides a step smaller than an earlier one);
pyCANON's time for the same figures (k_anonymity, l_diversity, entropy_l_diversity,
t_closeness on both sensitive attributes). pyCANON loops over equivalence classes in Python
(``DataFrame.iloc`` per class), so on 1 M rows it would run for hours: it is timed on
subsets with a time cap and **extrapolated linearly** to the full size (its per-class loop is
linear in the number of classes, which here grows linearly with rows); the extrapolation is
labelled as such, and jikimi is timed on the same subsets for a like-for-like ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Self

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from jikimi.detect.addresses import load_admin_regions
from jikimi.risk import anonymize, measure, mondrian

QI = ["나이", "성별", "주소", "우편번호", "직업", "진료일"]
SENSITIVE = ["진단", "진료비"]
JOBS = [
    "간호사",
    "회사원",
    "요리사",
    "교사",
    "판매원",
    "농부",
    "용접공",
    "운전기사",
    "청소원",
    "의사",
    "공무원",
    "개발자",
    "미용사",
    "경비원",
    "영업사원",
]
DONG = ["중앙", "신촌", "역삼", "정자", "우", "삼성", "명륜", "대흥", "효자", "송정"]
DX = ["감기", "독감", "당뇨", "고혈압", "위염", "폐렴", "골절", "우울증"]


def generate(rows: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    regions = [r for r in load_admin_regions() if r.status == "current" and r.sigungu]
    # a few big regions hold most people (Zipf-like), as in real address data
    weights = 1.0 / np.arange(1, len(regions) + 1) ** 0.8
    reg = rng.choice(len(regions), rows, p=weights / weights.sum())
    dong = rng.integers(0, len(DONG), rows)
    lot = rng.integers(1, 60, rows)
    region_text = np.array([f"{r.sido_full} {r.sigungu}" for r in regions], dtype=object)
    dong_text = np.array(
        [f"{d}{i % 3 + 1}동" if i % 2 else f"{d}동" for i, d in enumerate(DONG)], dtype=object
    )
    address = region_text[reg] + " " + dong_text[dong] + " " + lot.astype(str).astype(object)
    postal = np.char.zfill((reg * 37 % 630 + 10).astype(str), 3).astype(object) + np.char.zfill(
        rng.integers(0, 100, rows).astype(str), 2
    ).astype(object)
    day0 = dt.date(2024, 1, 1).toordinal()
    dates = np.array([dt.date.fromordinal(day0 + i).isoformat() for i in range(366)], dtype=object)
    return pa.table(
        {
            "나이": rng.integers(0, 100, rows),
            "성별": rng.choice(np.array(["남", "여"], dtype=object), rows),
            "주소": pa.array(address, pa.string()),
            "우편번호": pa.array(postal, pa.string()),
            "직업": rng.choice(np.array(JOBS, dtype=object), rows),
            "진료일": dates[rng.integers(0, 366, rows)],
            "진단": rng.choice(
                np.array(DX, dtype=object), rows, p=[0.3, 0.2, 0.15, 0.12, 0.1, 0.06, 0.04, 0.03]
            ),
            "진료비": rng.integers(1, 500, rows) * 1000,
        }
    )


HIER = {
    "나이": "age",
    "성별": "sex",
    "주소": "address",
    "우편번호": "postal_code",
    "직업": "occupation",
    "진료일": "date",
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


class PeakGrowth:
    """Peak RSS growth of one step: reset the high-water mark (Linux ``clear_refs`` 5), then
    ``VmHWM`` after the step minus ``VmRSS`` before it. Falls back to ``ru_maxrss`` growth
    (the process high-water mark) where the reset is not possible."""

    def __enter__(self) -> Self:
        self.exact = True
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
                fh.write("5")
        except OSError:
            self.exact = False
        self.before = _status_mb("VmRSS") if self.exact else None
        self.base = rss_mb()
        self.mb = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        hwm = _status_mb("VmHWM") if self.exact else None
        if hwm is not None and self.before is not None:
            self.mb = hwm - self.before
        else:
            self.mb = rss_mb() - self.base


def pycanon_figures(df: Any) -> None:
    from pycanon import anonymity as A

    A.k_anonymity(df, QI)
    A.l_diversity(df, QI, ["진단"])
    A.entropy_l_diversity(df, QI, ["진단"])
    A.t_closeness(df, QI, ["진단"])
    A.t_closeness(df, QI, ["진료비"])


def pycanon_k(df: Any) -> None:
    from pycanon import anonymity as A

    A.k_anonymity(df, QI)


def _pycanon_child(rows: int, seed: int, k_only: bool, out: Any) -> None:
    table = generate(rows, seed)
    df = table.to_pandas()
    start = time.perf_counter()
    (pycanon_k if k_only else pycanon_figures)(df)
    out.put(time.perf_counter() - start)


def time_pycanon(rows: int, seed: int, cap: float, k_only: bool = False) -> float | None:
    """pyCANON's time on ``rows`` rows in a child process, or None past ``cap`` seconds."""
    ctx = mp.get_context("fork")
    q: Any = ctx.Queue()
    p = ctx.Process(target=_pycanon_child, args=(rows, seed, k_only, q))
    p.start()
    p.join(cap + 60)  # data generation is outside the timed part
    if p.is_alive():
        p.terminate()
        p.join()
        return None
    return float(q.get()) if not q.empty() else None


def time_measure(table: pa.Table, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        measure(table, QI, SENSITIVE)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--max-suppression", type=float, default=0.05)
    ap.add_argument(
        "--pycanon-rows",
        default="1000,2000",
        help="comma-separated subset sizes pyCANON is timed on",
    )
    ap.add_argument("--pycanon-cap", type=float, default=300.0, help="seconds per pyCANON run")
    ap.add_argument("--k-repeat", type=int, default=5, help="runs of the k-only measure")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()

    load0 = os.getloadavg()[0]
    table = generate(a.rows, a.seed)
    with PeakGrowth() as mem:
        start = time.perf_counter()
        report = measure(table, QI, SENSITIVE)
        t_measure_first = time.perf_counter() - start
    rss_measure = mem.mb
    t_measure = min(t_measure_first, time_measure(table, 2))

    # k only: several runs (a 0.3 s figure moves with the load of a shared machine)
    k_walls, k_cpus = [], []
    for _ in range(a.k_repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        measure(table, QI)
        k_walls.append(time.perf_counter() - w0)
        k_cpus.append(time.process_time() - c0)
    t_k_ours = statistics.median(k_walls)

    with PeakGrowth() as mem:
        start = time.perf_counter()
        _out, rep = anonymize(
            table,
            QI,
            k=a.k,
            max_suppression=a.max_suppression,
            hierarchies=HIER,
            sensitive=SENSITIVE,
        )
        t_fix = time.perf_counter() - start
    rss_fix = mem.mb
    del _out

    with PeakGrowth() as mem:
        start = time.perf_counter()
        _out, mrep = mondrian(table, QI, a.k, hierarchies=HIER, sensitive=SENSITIVE)
        t_mondrian = time.perf_counter() - start
    rss_mondrian = mem.mb
    del _out

    # pyCANON's k on all rows (real, not extrapolated), then every figure on subsets
    t_k_theirs = time_pycanon(a.rows, a.seed, a.pycanon_cap, k_only=True)
    subsets = []
    for n in [int(x) for x in a.pycanon_rows.split(",") if x]:
        if n > a.rows:
            continue
        sub = generate(n, a.seed)
        ours = time_measure(sub)
        theirs = time_pycanon(n, a.seed, a.pycanon_cap)
        subsets.append((n, ours, theirs))
    timed = [(n, t) for n, _, t in subsets if t is not None]
    extrap = None
    if timed:
        n_big, t_big = timed[-1]
        extrap = t_big * a.rows / n_big

    load1 = os.getloadavg()[0]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    from importlib.metadata import version

    import pycanon  # noqa: F401

    lines = [
        "## Re-identification risk (bench/risk_bench.py)",
        "",
        f"Command: `python bench/risk_bench.py --rows {a.rows} --markdown`  ",
        (
            f"Machine: {platform.processor() or platform.machine()}, nproc {os.cpu_count()}, "
            f"Python {platform.python_version()}, pyarrow {pa.__version__}, numpy {np.__version__}, "
            f"pyCANON {version('pycanon')}; run {when}; load average (1 min) at start "
            f"{load0:.1f}, at end {load1:.1f} (shared machine: other jobs ran concurrently).  "
        ),
        (
            f"Data: {a.rows:,} synthetic rows (seed {a.seed}), QIs {', '.join(QI)}; sensitive "
            f"{', '.join(SENSITIVE)}."
        ),
        "",
        "| step | time | peak RSS growth | result |",
        "|---|---:|---:|---|",
        (
            f"| measure (k, l, entropy l, t x2, risks) | {t_measure:.2f} s | {rss_measure:.0f} MB | "
            f"k={report.k}, {report.classes:,} classes, unique {report.uniqueness:.1%}, "
            f"prosecutor max {report.prosecutor_max:.2f} / avg {report.prosecutor_avg:.3f} |"
        ),
        (
            f"| fix, lattice (Flash): k={a.k}, max suppression {a.max_suppression:.0%} | "
            f"{t_fix:.2f} s | {rss_fix:.0f} MB | levels "
            f"{', '.join(f'{q}={v}' for q, v in rep.levels.items())}; "
            f"{rep.nodes_evaluated}/{rep.nodes_total} lattice nodes evaluated; suppressed "
            f"{rep.suppressed:,} ({rep.suppressed_share:.2%}); after: k={rep.after.k}, "
            f"{rep.after.classes:,} classes, prosecutor avg {rep.after.prosecutor_avg:.4f} |"
        ),
        (
            f"| fix, Mondrian: k={a.k} | {t_mondrian:.2f} s | {rss_mondrian:.0f} MB | "
            f"{mrep.partitions:,} partitions in {mrep.rounds} rounds; suppressed 0; after: "
            f"k={mrep.after.k}, {mrep.after.classes:,} classes, prosecutor avg "
            f"{mrep.after.prosecutor_avg:.4f} |"
        ),
        "",
        (
            f"Flash vs Mondrian on the same {a.rows:,} rows, k={a.k} (loss by the same functions, "
            "jikimi.risk.loss; NCP 0 = untouched, 1 = all `*`, suppressed records cost 1):"
        ),
        "",
        (
            "| method | recoding | time | peak RSS growth | NCP | discernibility | C_AVG "
            "| classes | suppressed |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        (
            f"| lattice (Flash), default | full-domain, one level per QI | {t_fix:.2f} s | "
            f"{rss_fix:.0f} MB | {rep.ncp:.4f} | {rep.discernibility:,.0f} | "
            f"{rep.average_class_size:.2f} | {rep.after.classes:,} | {rep.suppressed:,} |"
        ),
        (
            f"| Mondrian (`--method mondrian`) | local, per partition | {t_mondrian:.2f} s | "
            f"{rss_mondrian:.0f} MB | {mrep.ncp:.4f} | {mrep.discernibility:,.0f} | "
            f"{mrep.average_class_size:.2f} | {mrep.classes:,} | 0 |"
        ),
        "",
        (
            f"Fix goal: < 60 s -> lattice {'met' if t_fix < 60 else 'NOT met'}, "
            f"Mondrian {'met' if t_mondrian < 60 else 'NOT met'}. Peak RSS growth: "
            + (
                "each step's own high-water mark (VmHWM reset before the step)."
                if mem.exact
                else "process high-water mark (ru_maxrss), cumulative."
            )
        ),
        "",
        (
            f"k only, all {a.rows:,} rows, same data: jikimi `measure(table, QI)` median "
            f"{t_k_ours:.3f} s of {len(k_walls)} runs (best {min(k_walls):.3f} s, CPU "
            f"{statistics.median(k_cpus):.3f} s); "
        )
        + (
            f"pyCANON `k_anonymity` {t_k_theirs:.2f} s (one run) -> "
            f"{t_k_theirs / t_k_ours:,.0f}x faster on the median "
            f"({t_k_theirs / min(k_walls):,.0f}x on the best run; goal >= 50x: "
            f"{'met' if t_k_theirs / t_k_ours >= 50 else 'NOT met'})."
            if t_k_theirs is not None
            else f"pyCANON `k_anonymity` > {a.pycanon_cap:.0f} s (capped)."
        ),
        "",
        (
            "pyCANON, all figures (k_anonymity, l_diversity, entropy_l_diversity, t_closeness x2), "
            "timed on subsets of the same generator (cap "
            f"{a.pycanon_cap:.0f} s each), jikimi `measure` on the same subsets:"
        ),
        "",
        "| rows | jikimi | pyCANON | ratio |",
        "|---:|---:|---:|---:|",
    ]
    for n, ours, theirs in subsets:
        th = f"{theirs:.2f} s" if theirs is not None else f"> {a.pycanon_cap:.0f} s (capped)"
        ratio = f"{theirs / ours:,.0f}x" if theirs is not None else "-"
        lines.append(f"| {n:,} | {ours:.3f} s | {th} | {ratio} |")
    if extrap is not None:
        lines += [
            "",
            (
                f"pyCANON at {a.rows:,} rows, **extrapolated** linearly from {timed[-1][0]:,} rows: "
                f"~{extrap:,.0f} s (not run). jikimi measured: {t_measure:.2f} s -> "
                f"~{extrap / t_measure:,.0f}x faster (goal >= 50x: "
                f"{'met' if extrap / t_measure >= 50 else 'NOT met'})."
            ),
        ]
    text = "\n".join(lines)
    print(text)
    if a.markdown:
        doc = REPO / "docs" / "benchmarks.md"
        body = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
        s, e = "<!-- risk-bench:start -->", "<!-- risk-bench:end -->"
        block = f"{s}\n{text}\n{e}"
        if s in body and e in body:
            body = body[: body.index(s)] + block + body[body.index(e) + len(e) :]
        else:
            body = body.rstrip() + "\n\n" + block + "\n"
        doc.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
