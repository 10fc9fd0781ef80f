"""`jikimi scan` end to end: formats, JSON shape, exit codes, bad input, column classification."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from jikimi import __version__
from jikimi.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args), input=input)
    return res.exit_code, res.stdout, res.stderr


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_version_and_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "jikimi.cli", "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and __version__ in proc.stdout
    code, out, _ = run("--help")
    assert code == 0 and "scan" in out


def test_scan_jsonl_json_shape_and_exit_code() -> None:
    code, out, err = run("scan", str(EXAMPLES / "support_tickets.jsonl"), "--json", "--field", "text")
    assert code == 1  # personal data found
    recs = lines(out)
    assert [r["id"] for r in recs] == ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005", "T-1006"]
    first = recs[0]["findings"]
    assert isinstance(first, list)
    assert {"field", "start", "end", "entity_type", "score"} == set(first[0])
    assert all("value" not in f for r in recs for f in r["findings"])  # type: ignore[attr-defined]
    assert "010-4821-7390" not in out and "610622" not in out
    assert json.loads(err.strip().splitlines()[-1])["summary"]["records"] == 6


def test_global_json_flag_and_show_values() -> None:
    code, out, _ = run("--json", "scan", str(EXAMPLES / "support_tickets.jsonl"), "--show-values")
    assert code == 1
    values = [f["value"] for r in lines(out) for f in r["findings"]]  # type: ignore[attr-defined]
    assert "010-4821-7390" in values and "610622-1363549" in values


def test_offsets_are_code_points() -> None:
    _code, out, _ = run("scan", "-", "--json", "--format", "jsonl", input='{"id": 1, "text": "한글 주민번호 610622-1363549"}\n')
    f = lines(out)[0]["findings"][0]  # type: ignore[index]
    text = "한글 주민번호 610622-1363549"
    assert text[f["start"] : f["end"]] == "610622-1363549"


def test_nested_fields(tmp_path: Path) -> None:
    p = tmp_path / "n.jsonl"
    p.write_text(json.dumps({"id": "a", "meta": {"note": "연락처 010-4821-7390"}, "x": 3}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run("scan", str(p), "--json", "--field", "meta.note")
    assert code == 1
    assert lines(out)[0]["findings"][0]["field"] == "meta.note"  # type: ignore[index]


def test_clean_input_exits_zero(tmp_path: Path) -> None:
    p = tmp_path / "clean.txt"
    p.write_text("오늘 회의는 3층 회의실에서 합니다.\n주문 금액 1,588,000원\n", encoding="utf-8")
    code, out, _ = run("scan", str(p), "--json")
    assert code == 0
    assert [r["findings"] for r in lines(out)] == [[], []]


def test_bad_input_is_reported_and_scan_continues(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_bytes(
        b'{"id": "ok1", "text": "\xec\x97\xb0\xeb\x9d\xbd\xec\xb2\x98 010-4821-7390"}\n'
        b'{"id": "broken", "text": \n'
        b'{"id": "utf", "text": "\xff\xfe bad"}\n'
        b'{"id": "ok2", "text": "hong@naver.com"}\n'
    )
    code, out, err = run("scan", str(p), "--json", "--field", "text")
    assert code == 2
    assert [r["id"] for r in lines(out)] == ["ok1", "ok2"]
    assert f"{p}:2" in err and f"{p}:3" in err
    summary = json.loads(err.strip().splitlines()[-1])["summary"]
    assert summary["skipped_records"] == 2
    assert "bad" not in err.split("summary")[0].replace(str(p), "")  # no record content in errors


def test_missing_path_and_unknown_entity() -> None:
    assert run("scan", "/nonexistent/file.jsonl")[0] == 2
    assert run("scan", str(EXAMPLES), "--entities", "NOT_A_TYPE")[0] == 2


def test_entities_filter() -> None:
    _code, out, _ = run("scan", str(EXAMPLES / "support_tickets.jsonl"), "--json", "-e", "EMAIL_ADDRESS")
    types = {f["entity_type"] for r in lines(out) for f in r["findings"]}  # type: ignore[attr-defined]
    assert types == {"EMAIL_ADDRESS"}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_column_classification_without_context(tmp_path: Path, fmt: str) -> None:
    # a column of bare numbers with a meaningless header: no cell has context on its own
    table = pa.table({
        "id": ["r1", "r2", "r3", "r4"],
        "c1": ["6106221363549", "7206262837181", "1402204382720", "0912063419741"],
        "note": ["안녕하세요", "없음", "확인", "-"],
    })
    p = tmp_path / f"t.{fmt}"
    if fmt == "csv":
        import pyarrow.csv as pc

        pc.write_csv(table, p)
    else:
        pq.write_table(table, p)
    code, out, err = run("scan", str(p), "--json")
    assert code == 1
    recs = lines(out)
    assert [r["id"] for r in recs] == ["r1", "r2", "r3", "r4"]
    for r in recs:
        assert [(f["field"], f["entity_type"], f["start"], f["end"]) for f in r["findings"]] == [("c1", "KR_RRN", 0, 13)]  # type: ignore[attr-defined]
    assert json.loads(err.strip().splitlines()[-1])["summary"]["columns"][str(p)]["c1"]["entity_type"] == "KR_RRN"


def test_human_summary_masks_values() -> None:
    code, out, _ = run("scan", str(EXAMPLES))
    assert code == 1
    assert "610622-1363549" not in out and "010-4821-7390" not in out
    assert "KR_RRN" in out


def test_plain_text_document_mode(tmp_path: Path) -> None:
    p = tmp_path / "doc.txt"
    p.write_text("첫 줄\n주민번호 610622-1363549\n", encoding="utf-8")
    _code, out, _ = run("scan", str(p), "--json", "--document")
    recs = lines(out)
    assert len(recs) == 1 and recs[0]["findings"][0]["start"] == 9  # type: ignore[index]
