"""Which engine should find candidate spans? Measured on the bench corpus, in one run.

    python bench/engine_choice.py [--records 20000]

The scanner's work splits into (1) passes that find candidate spans (digit-group runs, e-mail
``@``, keyword windows) and (2) per-candidate Python work (validation, context, scoring,
overlap resolution). This script times (1) with each engine on the same text, using patterns
that find the same candidates, and then times the whole scan and its parts, so the choice can be
made on where the time actually goes:

* Python ``re`` (CPython's sre) — the tokenizer regex ``patterns._SCAN``;
* RE2 (``google-re2``) — the same regex;
* Hyperscan (``hyperscan``) — the same regex compiled with leftmost start-of-match, plus all
  keyword literals in the same database (one pass for everything);
* polars ``str.extract_all`` over a column of records;
* jikimi's own native core (``jikimi.detect._native``, C): hand-written matchers that do the
  candidate search *and* the per-candidate work, finding for finding what the Python recognizers
  find (tests/test_native.py).

Engines that are not installed are reported as such. The last table times the whole scan and its
parts with the Python recognizers and with the native core, on the same texts.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import generate


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    t_best = 1e9
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    a = ap.parse_args()
    from jikimi.detect import addresses, names, patterns
    from jikimi.detect.engine import Scanner
    from jikimi.detect.keywords import KEYWORD_TYPES

    texts = [str(r["text"]) for r in generate(a.records, 7)]
    big = "\x00".join(texts)
    data = big.encode()
    mb = len(data) / 1e6
    pattern = patterns._SCAN.pattern
    rows: list[tuple[str, str]] = []

    n_re = len(patterns._SCAN.findall(big))
    t = best(lambda: patterns._SCAN.findall(big))
    rows.append(("Python re: digit-group pass", f"{mb / t:.0f} MB/s ({n_re} runs)"))

    try:
        import re2

        r2 = re2.compile(pattern)
        t = best(lambda: r2.findall(big))
        rows.append(("RE2: digit-group pass", f"{mb / t:.0f} MB/s ({len(r2.findall(big))} runs)"))
    except Exception as exc:  # noqa: BLE001 - report, don't fail
        rows.append(("RE2", f"not available ({type(exc).__name__})"))

    try:
        import hyperscan

        db = hyperscan.Database()
        import re as _re

        hs_pattern = pattern.replace("(?P<plate>", "(?:")  # Hyperscan has no named groups
        exprs = [hs_pattern.encode()] + [_re.escape(k).encode() for k in KEYWORD_TYPES]
        flags = [hyperscan.HS_FLAG_SOM_LEFTMOST | hyperscan.HS_FLAG_UTF8] + [hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH * 0] * len(KEYWORD_TYPES)
        db.compile(expressions=exprs, ids=list(range(len(exprs))), flags=flags)
        count = [0]

        def on_match(_id: int, _s: int, _e: int, _f: int, _ctx: object) -> None:
            count[0] += 1

        def scan() -> None:
            count[0] = 0
            db.scan(data, match_event_handler=on_match)

        t = best(scan)
        rows.append(("Hyperscan: digit runs + all keywords, one pass", f"{mb / t:.0f} MB/s ({count[0]} callbacks: every end offset of a run is reported, each a Python call)"))
    except Exception as exc:  # noqa: BLE001
        rows.append(("Hyperscan", f"not available ({type(exc).__name__}: {exc})"))

    try:
        import polars as pl

        s = pl.Series("t", texts)
        t = best(lambda: s.str.extract_all(pattern))
        rows.append(("polars str.extract_all: digit-group pass", f"{mb / t:.0f} MB/s"))
    except Exception as exc:  # noqa: BLE001
        rows.append(("polars", f"not available ({type(exc).__name__})"))

    from jikimi.detect import native
    from jikimi.detect.recognizers import default_recognizers

    sc = Scanner(recognizers=default_recognizers())  # the Python recognizers
    t_all = best(lambda: sc.scan_many(texts))
    t_clusters = best(lambda: patterns._scan_clusters(big))
    t_struct = best(lambda: patterns.find_structured(big))
    t_names = best(lambda: names.find_persons(big))
    t_addr = best(lambda: addresses.find_addresses(big))
    t_pass = best(lambda: patterns._SCAN.findall(big))
    core = native.core()
    nat: dict[str, float] = {}
    if core is not None:
        mask = native.entity_mask(sc.entities)
        nat["structured"] = best(lambda: core.find_structured(big), 5)
        nat["persons"] = best(lambda: core.find_persons(big), 5)
        nat["addresses"] = best(lambda: core.find_addresses(big), 5)
        nat["all"] = best(lambda: core.scan_many(texts, sc.min_score, mask), 5)
        if core.scan_many(texts, sc.min_score, mask) != sc.scan_many(texts):
            raise SystemExit("native and Python findings differ: run tests/test_native.py")
    print(f"# scan engine choice ({a.records} records, {mb:.1f} MB)\n")
    print("| candidate pass | speed |\n|---|---|")
    for name, val in rows:
        print(f"| {name} | {val} |")
    print(
        "\n| where a full scan spends its time | Python recognizers (re) ms | native core ms |"
        "\n|---|---:|---:|"
    )

    def cell(key: str) -> str:
        return f"{nat[key] * 1e3:.1f}" if key in nat else "not built"

    for name, v, key in [
        ("digit-group regex pass alone", t_pass, ""),
        ("digit groups: pass + classification, checksums, context", t_clusters, ""),
        ("all structured recognizers", t_struct, "structured"),
        ("PERSON recognizer", t_names, "persons"),
        ("KR_ADDRESS recognizer", t_addr, "addresses"),
        ("whole scan_many (incl. overlap resolution, Finding objects)", t_all, "all"),
    ]:
        print(f"| {name} | {v * 1e3:.0f} | {cell(key) if key else '—'} |")
    line = f"\nwhole scan: Python recognizers {mb / t_all:.1f} MB/s"
    if "all" in nat:
        line += f", native core {mb / nat['all']:.1f} MB/s (same findings, checked in this run)"
    print(line)


if __name__ == "__main__":
    main()
