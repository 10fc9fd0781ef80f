"""Gold spans of the labeled corpus that the scanner does not cover (recall misses), by type.

    python bench/misses.py --seed 11 --records 1500           # counts
    python bench/misses.py --seed 3 --records 3000 --show     # each miss with its context

The protect leak test (tests/test_protect.py) runs on seed 11 with 1,500 records; other seeds
show how well the recognizers generalise beyond it.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate

from jikimi import scan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--records", type=int, default=1500)
    ap.add_argument("--show", action="store_true", help="print each miss with its context")
    a = ap.parse_args()
    missed: collections.Counter[str] = collections.Counter()
    total = 0
    for rec in generate(a.records, a.seed):
        text = rec["text"]
        found = scan(text)
        for s in rec["spans"]:
            total += 1
            if any(f.start <= s["start"] and f.end >= s["end"] for f in found):
                continue
            missed[s["entity_type"]] += 1
            if a.show:
                ctx = text[max(0, s["start"] - 25) : s["end"] + 15].replace("\n", " ")
                print(f"{s['entity_type']:16s} {text[s['start']:s['end']]!r:24s} | {ctx}")
    print(f"seed {a.seed}, {a.records} records: {sum(missed.values())} of {total} gold values "
          f"missed {dict(missed)}")


if __name__ == "__main__":
    main()
