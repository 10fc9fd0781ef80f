"""``ScanJob.run_json`` (the native core writes the JSON lines) against ``ScanJob.run`` formatted
in Python: the same bytes and the same summary, whatever the input shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.corpus import generate
from jikimi.detect.engine import Scanner
from jikimi.detect.recognizers import default_recognizers
from jikimi.scanning import ScanJob


def _python_lines(job: ScanJob, path: Path) -> bytes:
    return b"".join(
        orjson.dumps({"id": r.id, "findings": [f.to_dict() for f in r.findings]}) + b"\n"
        for r in job.run(path)
    )


def _summary(job: ScanJob) -> dict[str, Any]:
    d = job.summary.to_dict()
    d.pop("seconds")
    return {**d, "examples": dict(job.summary.examples)}


def _write(tmp_path: Path, name: str, lines: list[Any]) -> Path:
    p = tmp_path / name
    p.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    return p


_RECS = generate(1200, seed=41)


@pytest.mark.parametrize(
    ("name", "lines", "fields"),
    [
        ("plain.jsonl", [{"id": r["id"], "text": r["text"]} for r in _RECS], ["text"]),
        ("int_ids.jsonl", [{"id": i, "text": r["text"]} for i, r in enumerate(_RECS)], None),
        ("no_ids.jsonl", [{"body": r["text"]} for r in _RECS[:300]], None),
        ("odd_ids.jsonl", [{"id": [i], "text": r["text"]} for i, r in enumerate(_RECS[:300])], None),
        (
            "two_fields.jsonl",
            [{"id": r["id"], "a": r["text"], "b": {"c": r["text"][::-1]}} for r in _RECS[:300]],
            None,
        ),
        ("labeled.jsonl", _RECS[:400], ["text"]),
        ("quotes.jsonl", [{"id": 'q"\\\n\x01한', "te\"xt\n": r["text"]} for r in _RECS[:50]], None),
    ],
)
def test_run_json_equals_run(tmp_path: Path, name: str, lines: list[Any], fields: list[str] | None) -> None:
    path = _write(tmp_path, name, lines)
    fast = ScanJob(fields=fields)
    got = b"".join(fast.run_json(path))
    ref = ScanJob(fields=fields)
    assert got == _python_lines(ref, path)
    assert _summary(fast) == _summary(ref)
    # and the Python recognizers give the same bytes through the fallback formatting
    py = ScanJob(fields=fields)
    py.scanner = Scanner(recognizers=default_recognizers())
    assert b"".join(py.run_json(path)) == got
    assert _summary(py) == _summary(fast)


def test_run_json_tables_and_errors(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text(
        "id,name,rrn,note\n"
        + "".join(f"{i},김민준,900101-1234568,{r['text'].replace(',', ' ')}\n" for i, r in enumerate(_RECS[:80])),
        encoding="utf-8",
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": 1, "text": "010-4821-7390"}\n{oops\n\xff\xfe\n{"id": 2, "text": "x"}\n')
    for path in (csv, bad):
        fast, ref = ScanJob(), ScanJob()
        assert b"".join(fast.run_json(path)) == _python_lines(ref, path)
        assert _summary(fast) == _summary(ref)
