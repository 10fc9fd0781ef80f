"""Files to records: text, JSON Lines, CSV/TSV and Parquet, streamed in flat memory.

:func:`read_records` is the one entry point the scanner needs: give it a file, a directory or
``"-"`` (stdin) and it yields :class:`~jikimi.io.records.Record` objects to scan, with a
:class:`~jikimi.io.records.RecordError` in place of each piece of input it could not read (a bad
line, a missing field, a binary file). Nothing is ever read whole: text and JSONL go through
256 KiB chunks (:mod:`jikimi.io._lines`), CSV and Parquet through pyarrow batches, so memory does
not grow with file size. Errors never quote the input: it is presumed to be personal data.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from jikimi.io._lines import BOM, CHUNK_BYTES, Block, iter_blocks, read_head
from jikimi.io._paths import FieldPath, as_id, collect, get_path, leaf, walk_strings
from jikimi.io.records import ReadError, Record, RecordBuilder, RecordError

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    from jikimi.io._tables import TableChunk

# pyarrow (through jikimi.io._tables) is imported by the CSV and Parquet paths only, when they
# run: text and JSON Lines never need it, and importing it costs more than a small scan.

FORMATS: tuple[str, ...] = ("text", "jsonl", "csv", "tsv", "parquet")
"""Input formats, as accepted by ``fmt`` and returned by :func:`detect_format`."""

EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".log": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".jsonlines": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""File extension (lower case) → format. ``.json`` is read as JSON Lines, the usual shape of
datasets; a single JSON document is reported as such instead of line by line."""

_FORMAT_ALIASES: dict[str, str] = {
    "txt": "text",
    "md": "text",
    "log": "text",
    "ndjson": "jsonl",
    "json": "jsonl",
    "jsonlines": "jsonl",
    "pq": "parquet",
}

TEXT_MODES: tuple[str, ...] = ("line", "document")

DOCUMENT_MAX_BYTES = 256 * 2**20
"""Largest file ``text_mode="document"`` reads as one record (one string in memory); larger
files get a ``file_too_large`` error: read them line by line instead."""

DEFAULT_MAX_LINE_BYTES = 100 * 2**20

STDIN = "<stdin>"
"""``Record.source`` of records read from standard input (``path="-"``)."""

_DELIMITERS = {"csv": ",", "tsv": "\t"}


def detect_format(path: str | Path) -> str | None:
    """The format of ``path`` by its extension, or None (unknown extension, or ``"-"``)."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def _normalize_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    name = fmt.strip().lower().lstrip(".")
    name = _FORMAT_ALIASES.get(name, name)
    if name not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return name


def iter_paths(path: str | Path) -> Iterator[Path]:
    """The files to read under ``path``: the path itself if it is not a directory, else every
    file below it with a known extension, recursively, skipping hidden files and directories.

    Order is deterministic: within a directory, its files sorted by name, then its
    subdirectories sorted by name. Directory symlinks are not followed (no cycles).
    """
    for item in _walk(Path(path)):
        if isinstance(item, Path):
            yield item


def _walk(root: Path) -> Iterator[Path | RecordError]:
    if not root.is_dir():
        yield root
        return
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        yield from _dir_errors(errors)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and detect_format(name) is not None:
                yield Path(dirpath, name)
    yield from _dir_errors(errors)


def _dir_errors(errors: list[OSError]) -> Iterator[RecordError]:
    while errors:
        exc = errors.pop(0)
        yield RecordError(
            str(exc.filename or ""), 0, "unreadable", exc.strerror or "cannot list directory"
        )


@dataclass(frozen=True, slots=True)
class _Spec:
    """Which fields to read (None: every string) and where the record id is."""

    paths: tuple[FieldPath, ...] | None
    id_path: FieldPath


@dataclass(frozen=True, slots=True)
class _Options:
    fmt: str | None
    spec: _Spec
    text_mode: str
    max_line_bytes: int
    batch_rows: int


def read_records(
    path: str | Path,
    *,
    fmt: str | None = None,
    fields: Sequence[str] | None = None,
    id_field: str = "id",
    text_mode: str = "line",
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    batch_rows: int = 8192,
) -> Iterator[Record | RecordError]:
    """Records (and errors) from a file, a directory (recursively, see :func:`iter_paths`) or
    ``"-"`` for standard input.

    ``fmt`` overrides detection by extension (one of :data:`FORMATS`); on stdin, or for an
    unknown extension, input whose first non-blank byte is ``{`` is JSONL, anything else text.

    * text: one record per non-empty line, id = line number, field ``"text"`` (a trailing
      ``\\r`` is dropped); ``text_mode="document"``: the whole file as one record with id = the
      source, up to :data:`DOCUMENT_MAX_BYTES`.
    * JSONL: ``fields`` are dotted paths (``meta.note``, ``turns.0.text``; a name applied to a
      list means every element: ``turns.text`` yields ``turns.0.text``, ``turns.1.text``...).
      Numbers in requested fields are scanned as their digits; a requested field that is
      absent gives a ``missing_field`` error, but the record is still yielded with the fields
      found. Without ``fields``, every string value except the id is scanned. The id is the
      value at ``id_field`` (a path too), else the line number. Blank lines are skipped.
    * CSV/TSV and Parquet: one record per row, fields = the row's non-empty cells by column
      name (restricted to ``fields``; dotted paths reach into nested Parquet columns), id = the
      ``id_field`` column, else the data row number. Parquet integer, decimal and date columns
      are scanned as text (an RRN stored as a number is still an RRN); ``batch_rows`` is the
      Parquet batch size.

    Errors are yielded in input order (a record's own errors just before it); after a
    ``binary_file``, ``file_too_large`` or ``unreadable`` error the rest of that file is skipped.
    Invalid arguments raise :class:`ValueError` immediately.
    """
    norm_fmt = _normalize_format(fmt)
    if text_mode not in TEXT_MODES:
        raise ValueError(f"text_mode must be one of {TEXT_MODES}, not {text_mode!r}")
    if max_line_bytes < 1:
        raise ValueError("max_line_bytes must be positive")
    if batch_rows < 1:
        raise ValueError("batch_rows must be positive")
    if isinstance(fields, str):
        fields = [fields]
    paths = None if fields is None else tuple(dict.fromkeys(FieldPath.parse(f) for f in fields))
    spec = _Spec(paths, FieldPath.parse(id_field))
    opts = _Options(norm_fmt, spec, text_mode, max_line_bytes, batch_rows)
    return _read(path, opts)


def _read(path: str | Path, opts: _Options) -> Iterator[Record | RecordError]:
    if str(path) == "-":
        yield from _read_stdin(opts)
        return
    for item in _walk(Path(path)):
        if isinstance(item, RecordError):
            yield item
        else:
            yield from _read_file(item, opts)


def _unreadable(source: str, exc: OSError, line: int = 0) -> RecordError:
    return RecordError(source, line, "unreadable", exc.strerror or type(exc).__name__)


def _read_file(path: Path, opts: _Options) -> Iterator[Record | RecordError]:
    source = str(path)
    fmt = opts.fmt or detect_format(path)
    if fmt == "parquet":
        yield from _read_parquet(path, source, opts)
        return
    if fmt in _DELIMITERS:
        from jikimi.io._tables import CSV_HEAD_BYTES, iter_csv

        try:
            with open(path, "rb") as hf:
                head = hf.read(CSV_HEAD_BYTES)
        except OSError as exc:
            yield _unreadable(source, exc)
            return
        chunks = iter_csv(path, source, _DELIMITERS[fmt], head)
        yield from _table_records(chunks, source, opts.spec, None)
        return
    try:
        f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below, generator-safe
    except OSError as exc:
        yield _unreadable(source, exc)
        return
    with f:
        try:
            size: int | None = os.fstat(f.fileno()).st_size
        except OSError:
            size = None
        try:
            yield from _read_stream(f.read, source, fmt, opts, size)
        except OSError as exc:
            yield _unreadable(source, exc)


def _read_stdin(opts: _Options) -> Iterator[Record | RecordError]:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        yield RecordError(STDIN, 0, "unreadable", "stdin has no binary buffer")
        return
    read: Callable[[int], bytes] = getattr(stream, "read1", None) or stream.read
    fmt = opts.fmt
    if fmt == "parquet":
        yield RecordError(
            STDIN, 0, "unreadable", "Parquet needs a seekable file: pass a path, not '-'"
        )
        return
    if fmt in _DELIMITERS:
        from jikimi.io._tables import CSV_HEAD_BYTES, iter_csv

        head = read_head(read, CSV_HEAD_BYTES)
        chunks = iter_csv(_Prefixed(head, read), STDIN, _DELIMITERS[fmt], head)
        yield from _table_records(chunks, STDIN, opts.spec, None)
        return
    yield from _read_stream(read, STDIN, fmt, opts, None)


class _Prefixed(io.RawIOBase):
    """A read-only stream of ``head`` then ``read()``: stdin after we peeked at it."""

    def __init__(self, head: bytes, read: Callable[[int], bytes]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._read = read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = len(buffer)
        if self._head:
            k = min(n, len(self._head))
            buffer[:k] = self._head[:k]
            self._head = self._head[k:]
            return k
        data = self._read(n)
        buffer[: len(data)] = data
        return len(data)


# -- text and JSONL --------------------------------------------------------------------------


def _read_stream(
    read: Callable[[int], bytes],
    source: str,
    fmt: str | None,
    opts: _Options,
    size: int | None,
) -> Iterator[Record | RecordError]:
    head = read_head(read)
    if b"\x00" in head:
        yield RecordError(
            source, 0, "binary_file", "NUL bytes in the first 8 KB (binary or UTF-16 file)"
        )
        return
    head = head.removeprefix(BOM)
    if fmt is None:
        fmt = "jsonl" if head.lstrip()[:1] == b"{" else "text"
    if fmt == "text" and opts.text_mode == "document":
        yield from _read_document(read, head, source, size)
        return
    blocks = iter_blocks(read, head, source, opts.max_line_bytes)
    if fmt == "text":
        yield from _text_lines(blocks, source)
        return
    not_lines = _json_document(head, source)
    if not_lines is not None:
        yield not_lines
        return
    yield from _jsonl(blocks, source, opts.spec)


def _read_document(
    read: Callable[[int], bytes], head: bytes, source: str, size: int | None
) -> Iterator[Record | RecordError]:
    too_large = RecordError(
        source,
        0,
        "file_too_large",
        f"larger than {DOCUMENT_MAX_BYTES} bytes: too large for document mode; use line mode",
    )
    if size is not None and size > DOCUMENT_MAX_BYTES:
        yield too_large
        return
    data = bytearray(head)
    while len(data) <= DOCUMENT_MAX_BYTES:
        chunk = read(CHUNK_BYTES)
        if not chunk:
            break
        data += chunk
    if len(data) > DOCUMENT_MAX_BYTES:
        yield too_large
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        yield RecordError(source, line, "invalid_utf8", _utf8_reason(exc))
        return
    if text:
        yield Record(source, {"text": text}, source, 1)


def _utf8_reason(exc: UnicodeDecodeError) -> str:
    return (
        f"not valid UTF-8 at byte {exc.start + 1} of the line "
        "(a CP949/EUC-KR file? convert it to UTF-8)"
    )


def _text_lines(
    blocks: Iterator[Block | RecordError], source: str
) -> Iterator[Record | RecordError]:
    new = object.__new__
    builder = RecordBuilder
    record = Record
    for item in blocks:
        if type(item) is RecordError:
            yield item
            continue
        lineno, block = item  # type: ignore[misc]
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            yield from _text_lines_checked(block, lineno, source)
            continue
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            text = text.removesuffix("\r")
        for line in text.split("\n"):
            if line:
                r = new(builder)
                r.id = lineno
                r.fields = {"text": line}
                r.source = source
                r.line = lineno
                r.__class__ = record  # type: ignore[assignment]
                yield r  # type: ignore[misc]
            lineno += 1


def _text_lines_checked(block: bytes, lineno: int, source: str) -> Iterator[Record | RecordError]:
    """Slow path for a block with invalid UTF-8 somewhere: decode line by line."""
    for raw in block.split(b"\n"):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RecordError(source, lineno, "invalid_utf8", _utf8_reason(exc))
        else:
            line = line.removesuffix("\r")
            if line:
                yield Record(lineno, {"text": line}, source, lineno)
        lineno += 1


def _json_document(head: bytes, source: str) -> RecordError | None:
    """An error if the file is one JSON document (array, pretty-printed object), not lines:
    otherwise every line of it would be reported as malformed."""
    body = head.lstrip()
    line = head[: len(head) - len(body)].count(b"\n") + 1
    if body.startswith(b"["):
        what = "a JSON array"
    elif body.split(b"\n", 1)[0].strip() == b"{":
        what = "a pretty-printed JSON document"
    else:
        return None
    return RecordError(
        source,
        line,
        "malformed_json",
        f"{what}, not JSON Lines (one object per line); convert it, e.g. jq -c '.[]'",
    )


def _json_error(raw: bytes, exc: orjson.JSONDecodeError, source: str, lineno: int) -> RecordError:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as uexc:
        return RecordError(source, lineno, "invalid_utf8", _utf8_reason(uexc))
    reason = exc.msg if exc.msg.isascii() and exc.msg.isprintable() else "does not parse"
    return RecordError(
        source, lineno, "malformed_json", f"invalid JSON at column {exc.colno}: {reason[:100]}"
    )


_MISSING: Any = object()


def _jsonl(
    blocks: Iterator[Block | RecordError], source: str, spec: _Spec
) -> Iterator[Record | RecordError]:
    """The hot loop (>= 150 MB/s): one ``bytes.split`` per block, ``orjson.loads`` per line,
    and in the default mode a flat object's parsed dict itself becomes ``Record.fields``."""
    loads = orjson.loads
    json_error = orjson.JSONDecodeError
    new = object.__new__
    builder = RecordBuilder
    record = Record
    paths = spec.paths
    id_parts = spec.id_path.parts
    id_raw = spec.id_path.raw
    simple_id = id_raw if len(id_parts) == 1 else None
    id_key = simple_id if paths is None else None
    # requested top-level fields with a top-level id: a fast path while they are all strings
    keys = (
        [p.raw for p in paths]
        if paths is not None and simple_id is not None and all(len(p.parts) == 1 for p in paths)
        else None
    )
    fields: dict[str, Any] | None
    for item in blocks:
        if type(item) is RecordError:
            yield item
            continue
        lineno, block = item  # type: ignore[misc]
        lineno -= 1
        for raw in block.split(b"\n"):
            lineno += 1
            try:
                obj = loads(raw)
            except json_error as exc:
                if raw.strip():
                    yield _json_error(raw, exc, source, lineno)
                continue
            if type(obj) is not dict:
                yield RecordError(
                    source, lineno, "not_object", f"a JSON {_json_kind(obj)}, not an object"
                )
                continue
            if id_key is not None:
                rid = obj.pop(id_key, lineno)
                fields = obj
                for value in obj.values():
                    if type(value) is not str:
                        walked = _all_strings(obj, "")
                        if walked is None:
                            yield _too_deep(source, lineno)
                            walked = {}
                        fields = walked
                        break
            elif keys is not None:
                fields = {}
                for key in keys:
                    value = obj.get(key)
                    if type(value) is not str:
                        fields = None
                        break
                    fields[key] = value
                if fields is None:  # a missing or non-string field: the general path
                    yield from _json_record(obj, paths, spec.id_path, source, lineno)
                    continue
                rid = obj.get(simple_id, lineno)
            else:  # a nested id or nested field paths: the general path
                yield from _json_record(obj, paths, spec.id_path, source, lineno)
                continue
            if type(rid) is not int and type(rid) is not str:
                rid = as_id(rid)
                if rid is None:
                    rid = lineno
            r = new(builder)
            r.id = rid
            r.fields = fields
            r.source = source
            r.line = lineno
            r.__class__ = record  # type: ignore[assignment]
            yield r  # type: ignore[misc]


def _all_strings(obj: Any, skip: str) -> dict[str, str] | None:
    """Every string in ``obj`` by path, or None if it nests deeper than Python recurses."""
    fields: dict[str, str] = {}
    try:
        walk_strings(obj, "", fields, skip)
    except RecursionError:
        return None
    return fields


def _too_deep(source: str, lineno: int) -> RecordError:
    return RecordError(source, lineno, "malformed_json", "nested too deeply to read")


def _json_record(
    obj: dict[str, Any],
    paths: tuple[FieldPath, ...] | None,
    id_path: FieldPath,
    source: str,
    lineno: int,
) -> Iterator[Record | RecordError]:
    if paths is None:
        fields = _all_strings(obj, id_path.raw)
        rid = as_id(get_path(obj, id_path.parts))
        if rid is None:
            rid = lineno
        if fields is None:
            yield _too_deep(source, lineno)
            fields = {}
        yield Record(rid, fields, source, lineno)
        return
    try:
        yield from _requested(obj, paths, id_path.parts, source, lineno)
    except RecursionError:
        yield _too_deep(source, lineno)


def _requested(
    obj: dict[str, Any],
    paths: tuple[FieldPath, ...],
    id_parts: tuple[str, ...],
    source: str,
    lineno: int,
) -> Iterator[Record | RecordError]:
    fields: dict[str, str] = {}
    bad: list[str] = []
    missing: list[str] = []
    for path in paths:
        if len(path.parts) == 1:
            value = obj.get(path.raw, _MISSING)
            if type(value) is str:
                fields[path.raw] = value
            elif value is _MISSING:
                missing.append(path.raw)
            else:
                leaf(value, path.raw, fields, bad)
        elif not collect(obj, path.parts, 0, "", fields, bad):
            if path.raw in obj:  # a key with a dot in it
                leaf(obj[path.raw], path.raw, fields, bad)
            else:
                missing.append(path.raw)
    rid = as_id(get_path(obj, id_parts))
    if rid is None:
        rid = lineno
    for name in missing:
        yield RecordError(source, lineno, "missing_field", "field not found", name, rid)
    for name in bad:
        yield RecordError(source, lineno, "not_text", "a boolean, not text", name, rid)
    yield Record(rid, fields, source, lineno)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


# -- CSV and Parquet -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    """One column to scan. ``mode``: ``text`` (cells are text), ``walk`` (nested, every
    string), ``leaf`` (requested whole: text and numbers), ``path`` (``sub`` below it)."""

    name: str
    mode: str
    sub: tuple[str, ...] = ()
    raw: str = ""


@dataclass(frozen=True, slots=True)
class _Plan:
    columns: tuple[_Column, ...]
    id_column: str | None
    id_sub: tuple[str, ...]
    id_raw: str
    errors: tuple[RecordError, ...]

    @property
    def needed(self) -> list[str]:
        names = dict.fromkeys(c.name for c in self.columns)
        if self.id_column is not None:
            names[self.id_column] = None
        return list(names)


def _plan(schema: pa.Schema, spec: _Spec, source: str) -> _Plan:
    from jikimi.io._tables import is_nested_type, scannable, value_type

    types = {f.name: f.type for f in schema}
    id_path = spec.id_path
    id_column: str | None = None
    id_sub: tuple[str, ...] = ()
    if id_path.raw in types:
        id_column = id_path.raw
    elif id_path.parts[0] in types and is_nested_type(value_type(types[id_path.parts[0]])):
        id_column, id_sub = id_path.parts[0], id_path.parts[1:]
    columns: list[_Column] = []
    errors: list[RecordError] = []
    if spec.paths is None:
        for name, t in types.items():
            if (name == id_column and not id_sub) or not scannable(t, requested=False):
                continue
            nested = is_nested_type(value_type(t))
            columns.append(_Column(name, "walk" if nested else "text"))
        return _Plan(tuple(columns), id_column, id_sub, id_path.raw, ())
    for path in spec.paths:
        head = path.parts[0]
        if path.raw in types:
            t = types[path.raw]
            if not scannable(t, requested=True):
                errors.append(
                    RecordError(source, 0, "not_text", f"column of type {t} has no text", path.raw)
                )
                continue
            nested = is_nested_type(value_type(t))
            columns.append(_Column(path.raw, "leaf" if nested else "text", raw=path.raw))
        elif head in types and is_nested_type(value_type(types[head])):
            columns.append(_Column(head, "path", path.parts[1:], path.raw))
        else:
            errors.append(RecordError(source, 0, "missing_field", "no such column", path.raw))
    return _Plan(tuple(columns), id_column, id_sub, id_path.raw, tuple(errors))


def _read_parquet(path: Path, source: str, opts: _Options) -> Iterator[Record | RecordError]:
    from jikimi.io._tables import iter_parquet

    plans: list[_Plan] = []

    def select(schema: pa.Schema) -> list[str]:
        plans.append(_plan(schema, opts.spec, source))
        return plans[0].needed

    chunks = iter_parquet(path, source, select, opts.batch_rows)
    yield from _table_records(chunks, source, opts.spec, plans)


def _table_records(
    chunks: Iterator[TableChunk | RecordError],
    source: str,
    spec: _Spec,
    plans: list[_Plan] | None,
) -> Iterator[Record | RecordError]:
    """Rows of CSV/Parquet batches as records. ``plans`` holds the plan when the reader made
    it from the file's schema (Parquet, to read only the needed columns); else it is made
    from the first batch."""
    plan: _Plan | None = None
    for chunk in chunks:
        if isinstance(chunk, RecordError):
            yield chunk
            continue
        if plan is None:
            plan = plans[0] if plans else _plan(chunk.batch.schema, spec, source)
            yield from plan.errors
        yield from _chunk_records(chunk, plan, source)
    if plan is None and plans:  # an empty file: still report columns that do not exist
        yield from plans[0].errors


def _chunk_records(chunk: TableChunk, plan: _Plan, source: str) -> Iterator[Record | RecordError]:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    from jikimi.io._tables import column_values

    batch = chunk.batch
    values: list[tuple[_Column, list[Any]]] = []
    bad_cells: dict[int, list[str]] = {}
    for column in plan.columns:
        cells, bad = column_values(batch.column(column.name))
        for i in bad:
            bad_cells.setdefault(i, []).append(column.name)
        values.append((column, cells))
    ids: list[Any] | None = None
    if plan.id_column is not None:
        id_array = batch.column(plan.id_column)
        if pa.types.is_integer(id_array.type):  # integer ids stay integers
            ids = id_array.to_pylist()
        else:
            ids = column_values(id_array)[0]
        if plan.id_sub:
            ids = [get_path(v, plan.id_sub) for v in ids]
    new = object.__new__
    builder = RecordBuilder
    flat = [(c.name, cells) for c, cells in values if c.mode == "text"]
    simple = len(flat) == len(values)
    for r, rowno in enumerate(chunk.rows):
        rid: str | int | None = as_id(ids[r]) if ids is not None else None
        if rid is None or rid == "":
            rid = rowno
        if bad_cells and r in bad_cells:
            for name in bad_cells[r]:
                yield RecordError(
                    source, rowno, "invalid_utf8", "cell is not valid UTF-8", name, rid
                )
        fields: dict[str, str] = {}
        if simple:
            for name, cells in flat:
                cell = cells[r]
                if cell:
                    fields[name] = cell
            rec = new(builder)
            rec.id = rid
            rec.fields = fields
            rec.source = source
            rec.line = rowno
            rec.__class__ = Record  # type: ignore[assignment]
            yield rec  # type: ignore[misc]
            continue
        bad_fields: list[str] = []
        missing: list[str] = []
        for column, cells in values:
            cell = cells[r]
            if column.mode == "text":
                if cell:
                    fields[column.name] = cell
            elif column.mode == "walk":
                walk_strings(cell, column.name, fields, plan.id_raw)
            elif column.mode == "leaf":
                leaf(cell, column.name, fields, bad_fields)
            elif cell is not None and not collect(
                cell, column.sub, 0, column.name, fields, bad_fields
            ):
                missing.append(column.raw)
        for name in missing:
            yield RecordError(source, rowno, "missing_field", "field not found", name, rid)
        for name in bad_fields:
            yield RecordError(source, rowno, "not_text", "a boolean, not text", name, rid)
        yield Record(rid, fields, source, rowno)


# -- whole batches ---------------------------------------------------------------------------


def read_table_batches(
    path: str | Path, fmt: str | None = None, *, batch_rows: int = 8192
) -> Iterator[pa.RecordBatch]:
    """Record batches of a CSV/TSV (``"-"``: stdin) or Parquet file, for column-level work
    (classifying columns by sampling them).

    CSV columns are strings named by the header (cells that are not UTF-8 become null; rows
    with the wrong number of cells are skipped: :func:`read_records` reports both). Parquet
    batches keep the file's types. A file that cannot be read raises :class:`ReadError`.
    """
    norm = _normalize_format(fmt) or detect_format(path)
    if norm not in ("csv", "tsv", "parquet"):
        raise ValueError(f"not a table format: {fmt or path!s}")
    if batch_rows < 1:
        raise ValueError("batch_rows must be positive")
    return _table_batches(path, norm, batch_rows)


def _table_batches(path: str | Path, fmt: str, batch_rows: int) -> Iterator[pa.RecordBatch]:
    from jikimi.io._tables import CSV_HEAD_BYTES, iter_csv, iter_parquet, text_batch

    chunks: Iterator[TableChunk | RecordError]
    if fmt == "parquet":
        if str(path) == "-":
            raise ReadError(
                RecordError(STDIN, 0, "unreadable", "Parquet needs a seekable file, not '-'")
            )
        chunks = iter_parquet(path, str(path), None, batch_rows)
    elif str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise ReadError(RecordError(STDIN, 0, "unreadable", "stdin has no binary buffer"))
        read: Callable[[int], bytes] = getattr(stream, "read1", None) or stream.read
        head = read_head(read, CSV_HEAD_BYTES)
        chunks = iter_csv(_Prefixed(head, read), STDIN, _DELIMITERS[fmt], head)
    else:
        try:
            with open(path, "rb") as f:
                head = f.read(CSV_HEAD_BYTES)
        except OSError as exc:
            raise ReadError(_unreadable(str(path), exc)) from None
        chunks = iter_csv(path, str(path), _DELIMITERS[fmt], head)
    for chunk in chunks:
        if isinstance(chunk, RecordError):
            if chunk.kind == "malformed_row":
                continue
            raise ReadError(chunk)
        batch = chunk.batch if fmt == "parquet" else text_batch(chunk.batch)
        for start in range(0, batch.num_rows, batch_rows):
            yield batch.slice(start, batch_rows)
