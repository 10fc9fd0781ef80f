"""The input layer: every format, every error kind, stdin, and flat memory on a large file."""

from __future__ import annotations

import datetime
import io
import os
import random
import resource
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]
import pytest

from jikimi.io import (
    ERROR_KINDS,
    ReadError,
    Record,
    RecordError,
    _lines,
    detect_format,
    iter_paths,
    read_records,
    read_table_batches,
    readers,
)
from jikimi.io.records import RecordBuilder

SECRET = "900101-1234567"  # stands for personal data: must never appear in an error
SECRET_B = SECRET.encode()


def run(path: Any, **kwargs: Any) -> tuple[list[Record], list[RecordError]]:
    items = list(read_records(path, **kwargs))
    for item in items:
        assert isinstance(item, (Record, RecordError))
        if isinstance(item, RecordError):
            assert_no_content(item)
    records = [i for i in items if isinstance(i, Record)]
    errors = [i for i in items if isinstance(i, RecordError)]
    return records, errors


def assert_no_content(error: RecordError) -> None:
    for text in (str(error), repr(error), orjson.dumps(error.to_dict()).decode()):
        assert SECRET not in text
        assert "홍길동" not in text
    assert error.kind in ERROR_KINDS


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def kinds(errors: Iterable[RecordError]) -> list[tuple[str, int]]:
    return [(e.kind, e.line) for e in errors]


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


# -- records --------------------------------------------------------------------------------


def test_record_repr_hides_values() -> None:
    r = Record(1, {"text": f"주민번호 {SECRET}"}, "a.txt", 1)
    assert SECRET not in repr(r)
    assert "text" in repr(r)


def test_record_builder_makes_real_frozen_records(tmp_path: Path) -> None:
    (r,), _ = run(write(tmp_path / "a.jsonl", '{"id": 7, "text": "x"}\n'))
    assert type(r) is Record
    assert r == Record(7, {"text": "x"}, str(tmp_path / "a.jsonl"), 1)
    with pytest.raises(AttributeError):
        r.id = 8  # type: ignore[misc]
    assert sorted(RecordBuilder.__slots__) == sorted(Record.__slots__)


def test_record_error_shapes() -> None:
    e = RecordError("a.jsonl", 3, "missing_field", "field not found", "meta.note", 42)
    assert str(e) == "a.jsonl:3: missing_field: field not found (field 'meta.note')"
    assert e.to_dict()["record_id"] == 42
    assert str(RecordError("b.bin", 0, "binary_file", "NUL")) == "b.bin: binary_file: NUL"
    assert ReadError(e).error is e


# -- formats and paths ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.txt", "text"),
        ("a.TEXT", "text"),
        ("notes.md", "text"),
        ("x.log", "text"),
        ("d.jsonl", "jsonl"),
        ("d.ndjson", "jsonl"),
        ("d.json", "jsonl"),
        ("d.jsonlines", "jsonl"),
        ("t.csv", "csv"),
        ("t.tsv", "tsv"),
        ("t.parquet", "parquet"),
        ("t.pq", "parquet"),
        ("image.png", None),
        ("noext", None),
        ("-", None),
    ],
)
def test_detect_format(name: str, fmt: str | None) -> None:
    assert detect_format(name) == fmt


def test_bad_arguments_raise_at_call() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        read_records("x", fmt="xml")
    with pytest.raises(ValueError, match="text_mode"):
        read_records("x", text_mode="para")
    with pytest.raises(ValueError):
        read_records("x", max_line_bytes=0)
    with pytest.raises(ValueError):
        read_records("x", fields=["a..b"])
    with pytest.raises(ValueError, match="not a table"):
        read_table_batches("x.jsonl")


def test_iter_paths_recursive_sorted_skips_hidden_and_unknown(tmp_path: Path) -> None:
    for rel in [
        "b.txt",
        "a.jsonl",
        "z/c.csv",
        "z/y/d.parquet",
        "m/e.md",
        ".hidden.txt",
        ".git/f.txt",
        "img.png",
        "m/notes",
    ]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_paths(tmp_path)]
    assert got == ["a.jsonl", "b.txt", "m/e.md", "z/c.csv", "z/y/d.parquet"]
    assert list(iter_paths(tmp_path / "img.png")) == [tmp_path / "img.png"]


def test_read_records_on_directory(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "하나\n")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "b.jsonl", '{"text": "둘"}\n')
    records, errors = run(tmp_path)
    assert errors == []
    assert [(Path(r.source).name, r.fields) for r in records] == [
        ("a.txt", {"text": "하나"}),
        ("b.jsonl", {"text": "둘"}),
    ]


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    for name in ["nope.txt", "nope.jsonl", "nope.csv", "nope.parquet"]:
        records, errors = run(tmp_path / name)
        assert records == []
        assert kinds(errors) == [("unreadable", 0)]
        assert errors[0].source == str(tmp_path / name)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads all")
def test_permission_denied_is_unreadable(tmp_path: Path) -> None:
    p = write(tmp_path / "secret.txt", "x\n")
    p.chmod(0)
    _, errors = run(p)
    assert kinds(errors) == [("unreadable", 0)]


# -- text -----------------------------------------------------------------------------------


def test_text_lines(tmp_path: Path) -> None:
    p = write(tmp_path / "a.txt", "\ufeff첫 줄\r\n\n셋째 줄 010-1234-5678\r\n마지막")
    records, errors = run(p)
    assert errors == []
    assert [(r.id, r.line, r.fields) for r in records] == [
        (1, 1, {"text": "첫 줄"}),
        (3, 3, {"text": "셋째 줄 010-1234-5678"}),
        (4, 4, {"text": "마지막"}),
    ]
    assert {r.source for r in records} == {str(p)}


def test_text_invalid_utf8_line_is_reported_and_skipped(tmp_path: Path) -> None:
    cp949 = f"홍길동 {SECRET}".encode("cp949")
    p = write(tmp_path / "a.txt", b"ok 1\n" + cp949 + b"\nok 3\n")
    records, errors = run(p)
    assert [r.fields["text"] for r in records] == ["ok 1", "ok 3"]
    assert kinds(errors) == [("invalid_utf8", 2)]
    assert "CP949" in errors[0].message


def test_text_document_mode(tmp_path: Path) -> None:
    p = write(tmp_path / "doc.md", "# 제목\n\n본문 010-1234-5678\n")
    records, errors = run(p, text_mode="document")
    assert errors == []
    assert [(r.id, r.line, r.fields) for r in records] == [
        (str(p), 1, {"text": "# 제목\n\n본문 010-1234-5678\n"})
    ]


def test_document_mode_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path / "doc.txt", b"a\nb\n" + SECRET_B + b"\xff\n")
    records, errors = run(p, text_mode="document")
    assert records == []
    assert kinds(errors) == [("invalid_utf8", 3)]


def test_document_mode_refuses_large_files(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(readers, "DOCUMENT_MAX_BYTES", 1000)
    p = write(tmp_path / "big.txt", "가나다\n" * 200)
    records, errors = run(p, text_mode="document")
    assert records == []
    assert kinds(errors) == [("file_too_large", 0)]
    # the same from a stream whose size is unknown
    monkeypatch.setattr(sys, "stdin", FakeStdin(("가나다\n" * 200).encode()))
    records, errors = run("-", fmt="text", text_mode="document")
    assert kinds(errors) == [("file_too_large", 0)]
    # within the limit it is one record
    monkeypatch.setattr(sys, "stdin", FakeStdin("가나다\n".encode()))
    records, errors = run("-", fmt="text", text_mode="document")
    assert errors == [] and records[0].fields == {"text": "가나다\n"}


@pytest.mark.parametrize("name", ["a.txt", "a.jsonl", "a.log"])
def test_binary_file_is_one_error(tmp_path: Path, name: str) -> None:
    p = write(tmp_path / name, b'{"text": "x"}\n' + bytes(range(256)) * 4 + b"\nmore\n")
    records, errors = run(p)
    assert records == []
    assert kinds(errors) == [("binary_file", 0)]


def test_utf16_file_is_binary(tmp_path: Path) -> None:
    p = write(tmp_path / "a.txt", "안녕하세요\n".encode("utf-16"))
    _, errors = run(p)
    assert kinds(errors) == [("binary_file", 0)]


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    records, _ = run(write(tmp_path / "data.dat", '  {"id": 1, "name": "x"}\n'))
    assert records[0].fields == {"name": "x"}
    records, _ = run(write(tmp_path / "data2.dat", "plain words\n"))
    assert records[0].fields == {"text": "plain words"}


def test_fmt_overrides_extension(tmp_path: Path) -> None:
    p = write(tmp_path / "a.txt", '{"id": "k", "msg": "hi"}\n')
    records, _ = run(p, fmt="jsonl")
    assert (records[0].id, records[0].fields) == ("k", {"msg": "hi"})
    records, _ = run(p, fmt="text")
    assert records[0].fields == {"text": '{"id": "k", "msg": "hi"}'}


# -- long lines ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.txt", "a.jsonl"])
def test_line_too_long_is_reported_and_skipped(tmp_path: Path, name: str) -> None:
    long_line = '{"text": "' + SECRET * 200 + '"}'
    lines = ['{"text": "a"}', long_line, '{"text": "b"}', long_line, '{"text": "c"}', long_line]
    p = write(tmp_path / name, "\n".join(lines))  # the last long line has no newline
    records, errors = run(p, max_line_bytes=100)
    assert [r.line for r in records] == [1, 3, 5]
    assert kinds(errors) == [("line_too_long", 2), ("line_too_long", 4), ("line_too_long", 6)]


def test_line_too_long_spanning_many_chunks(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    with open(p, "wb") as f:
        f.write(b'{"text": "first"}\n{"text": "')
        f.writelines(b"x" * (1 << 18) for _ in range(40))
        f.write(b'"}\n{"text": "after"}\n')
    records, errors = run(p, max_line_bytes=1 << 20)
    assert [(r.line, r.fields["text"]) for r in records] == [(1, "first"), (3, "after")]
    assert kinds(errors) == [("line_too_long", 2)]


def test_long_line_never_held_whole() -> None:
    """A 64 MB line with max_line_bytes=1 MB: the reader holds at most ~1 MB + a chunk."""
    import tracemalloc

    total = 64 << 20
    piece = b"y" * (1 << 18)
    sent = [0]
    tail = [b"\nnext line\n"]

    def read(n: int) -> bytes:
        if sent[0] < total:
            sent[0] += len(piece)
            return piece
        rest, tail[0] = tail[0], b""
        return rest

    tracemalloc.start()
    try:
        out = list(_lines.iter_blocks(read, b"first\n", "s", 1 << 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [o if isinstance(o, tuple) else o.kind for o in out] == [
        (1, b"first"),
        "line_too_long",
        (3, b"next line"),
    ]
    assert peak < 4 << 20


def _reference_blocks(data: bytes, max_line_bytes: int) -> list[tuple[int, bytes] | str]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return ["long" if len(line) > max_line_bytes else (i, line) for i, line in enumerate(lines, 1)]


@pytest.mark.parametrize("seed", range(30))
def test_iter_blocks_matches_reference(seed: int) -> None:
    rng = random.Random(seed)
    lines = [b"a" * rng.choice([0, 1, 3, 7, 8, 9, 15, 30]) for _ in range(rng.randint(0, 40))]
    data = b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")
    max_line = rng.choice([1, 4, 8, 16, 100])
    chunk = rng.choice([1, 2, 3, 5, 8, 64])
    head_len = rng.randint(0, min(len(data), 10))
    stream = io.BytesIO(data[head_len:])
    got: list[tuple[int, bytes] | str] = []
    for item in _lines.iter_blocks(stream.read, data[:head_len], "s", max_line, chunk):
        if isinstance(item, RecordError):
            got.append("long")
        else:
            start, block = item
            got.extend((start + i, line) for i, line in enumerate(block.split(b"\n")))
    assert got == _reference_blocks(data, max_line)


# -- JSONL ----------------------------------------------------------------------------------


def jsonl(tmp_path: Path, *objs: Any, name: str = "a.jsonl") -> Path:
    lines = [o if isinstance(o, (str, bytes)) else orjson.dumps(o) for o in objs]
    data = b"\n".join(x.encode() if isinstance(x, str) else x for x in lines) + b"\n"
    return write(tmp_path / name, data)


def test_jsonl_all_strings_by_default(tmp_path: Path) -> None:
    p = jsonl(
        tmp_path,
        {"id": "u1", "text": "홍길동 010-1234-5678"},
        {"id": 2, "text": "a", "n": 9001011234567, "ok": True, "meta": {"note": "b", "x": None}},
        {"text": "no id", "turns": [{"role": "user", "text": "c"}, {"text": "d"}], "tags": ["e"]},
        {"id": None, "t": "f"},
    )
    records, errors = run(p)
    assert errors == []
    assert [(r.id, r.line, r.fields) for r in records] == [
        ("u1", 1, {"text": "홍길동 010-1234-5678"}),
        (2, 2, {"text": "a", "meta.note": "b"}),
        (
            3,
            3,
            {
                "text": "no id",
                "turns.0.role": "user",
                "turns.0.text": "c",
                "turns.1.text": "d",
                "tags.0": "e",
            },
        ),
        (4, 4, {"t": "f"}),
    ]


def test_jsonl_requested_fields(tmp_path: Path) -> None:
    p = jsonl(
        tmp_path,
        {
            "id": 1,
            "meta": {"note": "메모", "rrn": 9001011234567, "score": 3.0, "secret": True},
            "turns": [{"text": "a"}, {"text": "b", "extra": "zz"}, {"role": "tool"}],
            "body": "본문",
            "ignored": "not asked for",
        },
    )
    fields = ["body", "meta.note", "meta.rrn", "meta.score", "turns.text", "turns.1.extra"]
    records, errors = run(p, fields=fields)
    assert errors == []
    assert records[0].fields == {
        "body": "본문",
        "meta.note": "메모",
        "meta.rrn": "9001011234567",
        "meta.score": "3",
        "turns.0.text": "a",
        "turns.1.text": "b",
        "turns.1.extra": "zz",
    }


def test_jsonl_top_level_fields_fast_and_slow_lines_agree(tmp_path: Path) -> None:
    p = jsonl(
        tmp_path,
        {"id": "a", "text": "s", "title": "t", "other": "x"},
        {"id": "b", "text": 9001011234567, "title": "t"},
        {"id": None, "title": "t"},
        {"text": None, "title": "t"},
        {"id": 5, "text": "s", "title": "t"},
    )
    records, errors = run(p, fields=["text", "title"])
    assert [(r.id, r.fields) for r in records] == [
        ("a", {"text": "s", "title": "t"}),
        ("b", {"text": "9001011234567", "title": "t"}),
        (3, {"title": "t"}),
        (4, {"title": "t"}),
        (5, {"text": "s", "title": "t"}),
    ]
    assert [(e.kind, e.line, e.field, e.record_id) for e in errors] == [
        ("missing_field", 3, "text", 3)
    ]


def test_jsonl_requested_container_and_dotted_key(tmp_path: Path) -> None:
    p = jsonl(tmp_path, {"meta": {"a": "x", "b": [1, "y"], "c": False}, "a.b": "dotted"})
    records, errors = run(p, fields=["meta", "a.b"])
    assert errors == []
    assert records[0].fields == {"meta.a": "x", "meta.b.0": "1", "meta.b.1": "y", "a.b": "dotted"}


def test_jsonl_missing_field_still_yields_record(tmp_path: Path) -> None:
    p = jsonl(
        tmp_path,
        {"id": "r1", "text": "a"},
        {"id": "r2", "meta": {}, "turns": []},
        {"id": "r3", "text": None},
    )
    records, errors = run(p, fields=["text", "meta.note", "turns.text"])
    assert [(r.id, r.fields) for r in records] == [("r1", {"text": "a"}), ("r2", {}), ("r3", {})]
    assert [(e.kind, e.line, e.field, e.record_id) for e in errors] == [
        ("missing_field", 1, "meta.note", "r1"),
        ("missing_field", 1, "turns.text", "r1"),
        ("missing_field", 2, "text", "r2"),
        ("missing_field", 2, "meta.note", "r2"),
        ("missing_field", 3, "meta.note", "r3"),
        ("missing_field", 3, "turns.text", "r3"),
    ]
    # a record's errors come just before it
    items = list(read_records(p, fields=["text"]))
    assert [type(i).__name__ for i in items] == ["Record", "RecordError", "Record", "Record"]


def test_jsonl_boolean_field_is_not_text(tmp_path: Path) -> None:
    p = jsonl(tmp_path, {"id": 5, "flag": True, "text": "x"})
    records, errors = run(p, fields=["flag", "text"])
    assert records[0].fields == {"text": "x"}
    assert [(e.kind, e.field, e.record_id) for e in errors] == [("not_text", "flag", 5)]


def test_jsonl_list_index_out_of_range_is_missing(tmp_path: Path) -> None:
    p = jsonl(tmp_path, {"turns": [{"text": "a"}]})
    records, errors = run(p, fields=["turns.0.text", "turns.3.text"])
    assert records[0].fields == {"turns.0.text": "a"}
    assert [(e.kind, e.field) for e in errors] == [("missing_field", "turns.3.text")]


def test_jsonl_nested_id_field(tmp_path: Path) -> None:
    p = jsonl(tmp_path, {"meta": {"uid": "u-9", "note": "n"}, "text": "t"}, {"text": "no id"})
    records, errors = run(p, id_field="meta.uid")
    assert errors == []
    assert [(r.id, r.fields) for r in records] == [
        ("u-9", {"meta.note": "n", "text": "t"}),
        (2, {"text": "no id"}),
    ]
    records, _ = run(p, id_field="meta.uid", fields=["text"])
    assert [r.id for r in records] == ["u-9", 2]


def test_jsonl_custom_id_field_and_odd_ids(tmp_path: Path) -> None:
    p = jsonl(tmp_path, {"doc": 1.5, "id": "kept"}, {"doc": [1], "t": "x"}, {"doc": False})
    records, _ = run(p, id_field="doc")
    assert [(r.id, r.fields) for r in records] == [
        ("1.5", {"id": "kept"}),
        (2, {"t": "x"}),
        (3, {}),
    ]


def test_jsonl_blank_lines_skipped_crlf_and_bom(tmp_path: Path) -> None:
    p = write(tmp_path / "a.jsonl", b'\xef\xbb\xbf{"t": "a"}\r\n\r\n   \n\t\n{"t": "b"}\r\n')
    records, errors = run(p)
    assert errors == []
    assert [(r.line, r.fields) for r in records] == [(1, {"t": "a"}), (5, {"t": "b"})]


def test_jsonl_malformed_and_invalid_utf8_continue(tmp_path: Path) -> None:
    p = jsonl(
        tmp_path,
        {"t": "ok1"},
        '{"t": "' + SECRET + '", broken',
        b'{"t": "' + f"홍길동 {SECRET}".encode("cp949") + b'"}',
        '["' + SECRET + '"]',
        '"' + SECRET + '"',
        "12345",
        {"t": "ok7"},
    )
    records, errors = run(p)
    assert [(r.line, r.fields) for r in records] == [(1, {"t": "ok1"}), (7, {"t": "ok7"})]
    assert kinds(errors) == [
        ("malformed_json", 2),
        ("invalid_utf8", 3),
        ("not_object", 4),
        ("not_object", 5),
        ("not_object", 6),
    ]


def test_jsonl_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    deep = '{"a": ' * 1000 + '"x"' + "}" * 1000
    p = jsonl(tmp_path, deep, {"t": "after"})
    records, errors = run(p)
    assert records[-1].fields == {"t": "after"}
    assert all(e.kind == "malformed_json" for e in errors)


@pytest.mark.parametrize(
    "content",
    ['[\n  {"id": 1, "t": "x"}\n]\n', '{\n  "id": 1,\n  "t": "x"\n}\n', '\n\n[{"t": "x"}]'],
)
def test_json_document_is_one_error(tmp_path: Path, content: str) -> None:
    records, errors = run(write(tmp_path / "a.json", content))
    assert records == []
    assert len(errors) == 1 and errors[0].kind == "malformed_json"
    assert "JSON Lines" in errors[0].message


# -- stdin ----------------------------------------------------------------------------------


def test_stdin_sniffs_jsonl_and_text(monkeypatch: Any) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b'\n  {"id": 3, "t": "x"}\n{"t": "y"}\n'))
    records, errors = run("-")
    assert errors == []
    assert [(r.id, r.source, r.line, r.fields) for r in records] == [
        (3, "<stdin>", 2, {"t": "x"}),
        (3, "<stdin>", 3, {"t": "y"}),
    ]
    monkeypatch.setattr(sys, "stdin", FakeStdin("안녕\n하세요\n".encode()))
    records, _ = run("-")
    assert [r.fields["text"] for r in records] == ["안녕", "하세요"]


def test_stdin_fmt_and_binary(monkeypatch: Any) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b'{"t": "x"}\n'))
    records, _ = run("-", fmt="text")
    assert records[0].fields == {"text": '{"t": "x"}'}
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"\x00\x01\x02"))
    _, errors = run("-")
    assert kinds(errors) == [("binary_file", 0)]


def test_stdin_csv_and_parquet(monkeypatch: Any) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin("id,name\n1,홍길동\n".encode()))
    records, errors = run("-", fmt="csv")
    assert errors == []
    assert [(r.id, r.source, r.fields) for r in records] == [("1", "<stdin>", {"name": "홍길동"})]
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"PAR1"))
    records, errors = run("-", fmt="parquet")
    assert records == [] and kinds(errors) == [("unreadable", 0)]
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"a\tb\n1\t2\n"))
    batches = list(read_table_batches("-", "tsv"))
    assert batches[0].to_pydict() == {"a": ["1"], "b": ["2"]}


def test_stdin_without_buffer(monkeypatch: Any) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("text"))
    _, errors = run("-")
    assert kinds(errors) == [("unreadable", 0)]


# -- CSV ------------------------------------------------------------------------------------


def test_csv_rows(tmp_path: Path) -> None:
    p = write(
        tmp_path / "a.csv",
        "\ufeffid,name,phone,memo\n"
        '1,홍길동,01012345678,"여러\n줄 메모"\n'
        "2,김철수,,\n"
        ",박영희,0212345678,x\n",
    )
    records, errors = run(p)
    assert errors == []
    assert [(r.id, r.line, r.fields) for r in records] == [
        ("1", 1, {"name": "홍길동", "phone": "01012345678", "memo": "여러\n줄 메모"}),
        ("2", 2, {"name": "김철수"}),
        (3, 3, {"name": "박영희", "phone": "0212345678", "memo": "x"}),
    ]


def test_csv_fields_and_missing_column(tmp_path: Path) -> None:
    p = write(tmp_path / "a.csv", "name,phone,id\n홍길동,010,7\n")
    records, errors = run(p, fields=["phone", "email"])
    assert [(r.id, r.fields) for r in records] == [("7", {"phone": "010"})]
    assert [(e.kind, e.line, e.field) for e in errors] == [("missing_field", 0, "email")]


def test_csv_no_id_column_and_numeric_text_kept(tmp_path: Path) -> None:
    p = write(tmp_path / "a.csv", "rrn,n\n9001011234567,007\n,1.50\n")
    records, _ = run(p)
    assert [(r.id, r.fields) for r in records] == [
        (1, {"rrn": "9001011234567", "n": "007"}),
        (2, {"n": "1.50"}),
    ]


def test_csv_invalid_utf8_cell(tmp_path: Path) -> None:
    bad = f"홍길동 {SECRET}".encode("cp949")
    p = write(tmp_path / "a.csv", b"id,name,note\n1,ok,n1\n2," + bad + b",n2\n3,fine,n3\n")
    records, errors = run(p)
    assert [(r.line, r.fields) for r in records] == [
        (1, {"name": "ok", "note": "n1"}),
        (2, {"note": "n2"}),
        (3, {"name": "fine", "note": "n3"}),
    ]
    assert [(e.kind, e.line, e.field, e.record_id) for e in errors] == [
        ("invalid_utf8", 2, "name", "2")
    ]
    batch = next(read_table_batches(p))
    assert batch.column("name").to_pylist() == ["ok", None, "fine"]


def test_csv_malformed_rows_keep_numbering(tmp_path: Path) -> None:
    rows = ["a,b"] + [f"{i},v{i}" for i in range(1, 6)]
    rows[2] = "2,v2,extra," + SECRET
    rows[4] = "lonely"
    records, errors = run(write(tmp_path / "a.csv", "\n".join(rows) + "\n"))
    assert [(r.line, r.fields["a"]) for r in records] == [(1, "1"), (3, "3"), (5, "5")]
    assert kinds(errors) == [("malformed_row", 2), ("malformed_row", 4)]
    items = list(read_records(tmp_path / "a.csv"))
    assert [i.line for i in items] == [1, 2, 3, 4, 5]


def test_csv_many_batches_and_duplicate_headers(tmp_path: Path) -> None:
    n = 300_000
    p = tmp_path / "big.csv"
    with open(p, "w") as f:
        f.write("x,x,\n")
        f.writelines(f"{i},{i % 7},\n" if i != 250_000 else "bad\n" for i in range(1, n + 1))
    records, errors = run(p)
    assert len(records) == n - 1
    assert records[-1].line == n and records[-1].fields == {"x": str(n), "x_2": str(n % 7)}
    assert kinds(errors) == [("malformed_row", 250_000)]
    assert [r.line for r in records[249_998:250_000]] == [249_999, 250_001]
    names = next(read_table_batches(p)).schema.names
    assert names == ["x", "x_2", "column3"]


def test_tsv(tmp_path: Path) -> None:
    p = write(tmp_path / "a.tsv", "id\ttext\n1\t쉼표, 있는 글\n")
    records, _ = run(p)
    assert records[0].fields == {"text": "쉼표, 있는 글"}


def test_csv_header_only_and_empty(tmp_path: Path) -> None:
    assert run(write(tmp_path / "h.csv", "a,b\n")) == ([], [])
    assert run(write(tmp_path / "e.csv", "")) == ([], [])
    assert list(read_table_batches(tmp_path / "e.csv")) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_csv_unparseable_is_unreadable_without_content(tmp_path: Path) -> None:
    # pyarrow cannot hand a malformed row that is not UTF-8 to the skip handler: the parse
    # fails, and its message (which quotes the row) must not reach the error
    body = b"a,b\n1,2\n3,\xff" + SECRET_B + b",x\n4,5\n"
    records, errors = run(write(tmp_path / "a.csv", body))
    assert records == []
    assert [(e.kind, e.line) for e in errors] == [("unreadable", 2)]
    assert "3 cells" in errors[0].message


def test_read_table_batches_csv(tmp_path: Path) -> None:
    p = write(tmp_path / "a.csv", "id,phone\n1,010\n2,011\n3,\n")
    batches = list(read_table_batches(p, batch_rows=2))
    assert [b.num_rows for b in batches] == [2, 1]
    assert batches[0].schema == pa.schema([("id", pa.string()), ("phone", pa.string())])
    assert batches[0].column("phone").to_pylist() == ["010", "011"]
    with pytest.raises(ReadError) as info:
        list(read_table_batches(tmp_path / "missing.csv"))
    assert info.value.error.kind == "unreadable"


# -- Parquet --------------------------------------------------------------------------------


def parquet(tmp_path: Path, table: pa.Table, name: str = "a.parquet", **kw: Any) -> Path:
    p = tmp_path / name
    pq.write_table(table, p, **kw)
    return p


def test_parquet_types_stringified(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": [10, 11, 12],
            "name": ["홍길동", None, ""],
            "rrn": pa.array([9001011234567, None, 1], pa.int64()),
            "dob": [datetime.date(1990, 1, 1), None, datetime.date(2001, 2, 3)],
            "amount": pa.array([1, 2, 3], pa.decimal128(10, 0)),
            "score": [1.5, 2.0, None],
            "ok": [True, False, None],
            "raw": pa.array([b"bytes", b"\xff" + SECRET_B, None], pa.binary()),
            "cat": pa.array(["a", "b", "a"]).dictionary_encode(),
        }
    )
    records, errors = run(parquet(tmp_path, table))
    assert [(r.id, r.line, r.fields) for r in records] == [
        (
            10,
            1,
            {
                "name": "홍길동",
                "rrn": "9001011234567",
                "dob": "1990-01-01",
                "amount": "1",
                "raw": "bytes",
                "cat": "a",
            },
        ),
        (11, 2, {"amount": "2", "cat": "b"}),
        (12, 3, {"rrn": "1", "dob": "2001-02-03", "amount": "3", "cat": "a"}),
    ]
    assert [(e.kind, e.line, e.field, e.record_id) for e in errors] == [
        ("invalid_utf8", 2, "raw", 11)
    ]


def test_parquet_requested_columns(tmp_path: Path) -> None:
    table = pa.table({"phone": [1012345678.0, 2.5], "ok": [True, False], "t": ["a", "b"]})
    records, errors = run(parquet(tmp_path, table), fields=["phone", "ok", "nope"])
    assert [(r.id, r.fields) for r in records] == [
        (1, {"phone": "1012345678"}),
        (2, {"phone": "2.5"}),
    ]
    assert [(e.kind, e.line, e.field) for e in errors] == [
        ("not_text", 0, "ok"),
        ("missing_field", 0, "nope"),
    ]


def test_parquet_nested_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "meta": [{"uid": "u1", "note": "메모"}, {"uid": "u2", "note": None}, None],
            "turns": [[{"text": "a"}, {"text": "b"}], [], None],
            "tags": [["x"], ["y", "z"], None],
        }
    )
    p = parquet(tmp_path, table)
    records, errors = run(p, id_field="meta.uid")
    assert errors == []
    assert [(r.id, r.fields) for r in records] == [
        ("u1", {"meta.note": "메모", "turns.0.text": "a", "turns.1.text": "b", "tags.0": "x"}),
        ("u2", {"tags.0": "y", "tags.1": "z"}),
        (3, {}),
    ]
    records, errors = run(p, fields=["turns.text", "meta.note", "meta.missing", "tags"])
    assert [r.fields for r in records] == [
        {"turns.0.text": "a", "turns.1.text": "b", "meta.note": "메모", "tags.0": "x"},
        {"tags.0": "y", "tags.1": "z"},
        {},
    ]
    assert [(e.kind, e.line, e.field) for e in errors] == [
        ("missing_field", 1, "meta.missing"),
        ("missing_field", 2, "meta.missing"),
    ]


def test_parquet_batches_and_row_numbers(tmp_path: Path) -> None:
    n = 10_000
    table = pa.table({"text": [f"row {i}" for i in range(1, n + 1)]})
    p = parquet(tmp_path, table, row_group_size=3000)
    records, _ = run(p, batch_rows=1000)
    assert [r.line for r in records] == list(range(1, n + 1))
    assert all(r.fields["text"] == f"row {r.line}" for r in records)
    batches = list(read_table_batches(p, batch_rows=1000))
    assert sum(b.num_rows for b in batches) == n
    assert max(b.num_rows for b in batches) <= 1000


def test_parquet_reads_only_needed_columns(tmp_path: Path, monkeypatch: Any) -> None:
    table = pa.table({"id": [1], "a": ["x"], "b": ["y"], "c": ["z"]})
    p = parquet(tmp_path, table)
    seen: list[Any] = []
    original = pq.ParquetFile.iter_batches

    def spy(self: Any, *args: Any, **kwargs: Any) -> Iterator[pa.RecordBatch]:
        seen.append(kwargs.get("columns"))
        return original(self, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    records, _ = run(p, fields=["b"])
    assert records[0].fields == {"b": "y"} and records[0].id == 1
    assert seen == [["b", "id"]]


def test_corrupt_parquet_is_unreadable(tmp_path: Path) -> None:
    records, errors = run(write(tmp_path / "bad.parquet", b"PAR1" + SECRET_B * 10))
    assert records == [] and kinds(errors) == [("unreadable", 0)]
    with pytest.raises(ReadError):
        list(read_table_batches(tmp_path / "bad.parquet"))
    good = parquet(tmp_path, pa.table({"t": ["x"] * 1000}), name="t.parquet")
    cut = write(tmp_path / "cut.parquet", good.read_bytes()[:-100])
    _, errors = run(cut)
    assert kinds(errors) == [("unreadable", 0)]


def test_parquet_corrupt_row_group_stops_after_good_rows(tmp_path: Path) -> None:
    table = pa.table({"t": [f"row {i} 홍길동" for i in range(30_000)]})
    p = parquet(tmp_path, table, row_group_size=10_000, compression="snappy")
    chunk = pq.ParquetFile(p).metadata.row_group(2).column(0)
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data = bytearray(p.read_bytes())
    data[start + 30 : start + chunk.total_compressed_size - 40] = b"\xab" * (
        chunk.total_compressed_size - 70
    )
    p.write_bytes(bytes(data))
    records, errors = run(p, batch_rows=1000)
    assert len(records) == 20_000 and records[-1].line == 20_000
    assert kinds(errors) == [("unreadable", 20_001)]


# -- memory and speed -----------------------------------------------------------------------


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def test_memory_flat_on_200mb_jsonl(tmp_path: Path) -> None:
    """Stream ~200 MB of JSONL: resident memory must not grow with the file."""
    rng = random.Random(0)
    lines = [
        orjson.dumps(
            {
                "id": i,
                "text": f"고객 {i}번 문의: 연락처 010-{rng.randint(1000, 9999)}-5678, "
                "주소는 서울시 강남구 테헤란로 123 입니다. 확인 부탁드립니다.",
            }
        )
        for i in range(5000)
    ]
    block = b"\n".join(lines) + b"\n"
    p = tmp_path / "big.jsonl"
    reps = (200 << 20) // len(block) + 1
    with open(p, "wb") as f:
        f.writelines(block for _ in range(reps))
    size = p.stat().st_size

    base = _rss_bytes()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = 0
    count = 0
    chars = 0
    t0 = time.perf_counter()
    for item in read_records(p):
        count += 1
        if isinstance(item, Record):
            chars += len(item.fields["text"])
        if count % 100_000 == 0 and base is not None:
            peak = max(peak, (_rss_bytes() or 0) - base)
    elapsed = time.perf_counter() - t0
    assert count == reps * 5000
    assert chars > 0
    if base is not None:
        assert peak < 32 << 20, f"RSS grew by {peak >> 20} MB while streaming {size >> 20} MB"
    else:  # no /proc: the lifetime peak (KB on Linux) must not have moved by much
        grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
        assert grown_kb < 32 << 10
    print(f"read {size / 1e6:.0f} MB JSONL in {elapsed:.2f}s = {size / elapsed / 1e6:.0f} MB/s")
