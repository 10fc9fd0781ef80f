"""Streaming CSV and Parquet through pyarrow, batch by batch, with row numbers.

CSV cells are read as *bytes*, never type-inferred: inference turns ``01012345678`` into the
integer 1012345678 (the phone number loses its leading zero and stops looking like one), and a
column inferred as integers from the first block makes a later text cell a fatal error. Bytes are
decoded to text per column in C; only a column with a bad cell falls back to per-cell decoding,
so one invalid cell costs one error, not the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from jikimi.io._paths import number_text
from jikimi.io.records import RecordError

CSV_HEAD_BYTES = 1 << 20
"""Read to learn the header's column count (a header longer than this is not a header)."""

CSV_BLOCK_BYTES = 8 << 20
"""pyarrow block size: also the largest CSV row (a quoted cell may hold a whole document)."""

_COLUMN_MARGIN = 64


@dataclass(frozen=True, slots=True)
class TableChunk:
    """A batch with header names, and the 1-based data row number of each of its rows."""

    batch: pa.RecordBatch
    rows: range


_ROW_NUMBER = re.compile(r"Row #(\d+)")
_CELL_COUNTS = re.compile(r"Expected (\d+) columns, got (\d+)")


def arrow_reason(exc: BaseException) -> str:
    """A short reason from a pyarrow/OS error, without quoting input.

    pyarrow messages can end with the offending row (``CSV parse error: Row #3: Expected 2
    columns, got 3: <the row>``): keep only known shapes and the text before the first
    ``": "``, which is where pyarrow starts quoting.
    """
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).split("\n", 1)[0]
    counts = _CELL_COUNTS.search(text)
    if counts:
        return f"row has {counts[2]} cells, the header {counts[1]}"
    text = text.split(": ", 1)[0]
    for quote in (" '", ' "', " `", "('", '("'):  # an opening quote, not "Couldn't"
        text = text.split(quote, 1)[0]
    return text.strip()[:160] or type(exc).__name__


def arrow_row(exc: BaseException) -> int | None:
    """The data row number a pyarrow CSV error names (its ``Row #N`` counts the header)."""
    match = _ROW_NUMBER.search(str(exc))
    return max(int(match[1]) - 1, 0) if match else None


def _header_columns(head: bytes, delimiter: str) -> int:
    """How many columns the header row has (parsed with quoting, from the first bytes)."""
    text = head.decode("utf-8", errors="replace")
    try:
        row = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error:
        row = []
    return max(len(row), head.split(b"\n", 1)[0].count(delimiter.encode()) + 1)


def _header_names(header: pa.RecordBatch) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i, column in enumerate(header.columns):
        value = column[0].as_py()
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        name = str(value).strip() if value is not None else ""
        name = name or f"column{i + 1}"
        base, k = name, 2
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        seen.add(name)
        names.append(name)
    return names


def iter_csv(
    src: str | Path | IO[bytes] | io.RawIOBase, source: str, delimiter: str, head: bytes
) -> Iterator[TableChunk | RecordError]:
    """Batches of a CSV/TSV file as binary columns named by the header row.

    Rows with the wrong number of cells are skipped with a ``malformed_row`` error (pyarrow
    reports their row numbers, so the numbering of the rows around them stays right). A parse
    error pyarrow cannot skip (a malformed row that is not UTF-8: pyarrow fails decoding it
    for the skip handler) ends the file with ``unreadable``. An unterminated quote is not an
    error to pyarrow: the cell runs to the end of the file. An empty file has no rows.
    """
    if not head:
        return
    ncols = _header_columns(head, delimiter) + _COLUMN_MARGIN
    skipped: list[int] = []

    def on_invalid_row(row: Any) -> str:
        number = row.number
        skipped.append(number - 1 if isinstance(number, int) and number > 0 else -1)
        return "skip"

    try:
        reader = pacsv.open_csv(
            src,
            read_options=pacsv.ReadOptions(
                autogenerate_column_names=True, use_threads=False, block_size=CSV_BLOCK_BYTES
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid_row
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.binary() for i in range(ncols)}
            ),
        )
    except (pa.ArrowException, OSError, ValueError) as exc:
        line = arrow_row(exc) or 0
        yield RecordError(source, line, "unreadable", f"cannot read CSV: {arrow_reason(exc)}")
        return

    names: list[str] | None = None
    next_row = 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowException, OSError, ValueError) as exc:
            line = arrow_row(exc) or next_row
            yield RecordError(
                source, line, "unreadable", f"CSV unreadable from here: {arrow_reason(exc)}"
            )
            return
        if names is None:
            if batch.num_rows == 0:
                continue
            names = _header_names(batch.slice(0, 1))
            batch = batch.slice(1)
        batch = pa.RecordBatch.from_arrays(batch.columns, names=names)
        n = batch.num_rows
        skipped.sort()
        if not skipped or skipped[0] >= next_row + n:
            if n:
                yield TableChunk(batch, range(next_row, next_row + n))
            next_row += n
            continue
        # Skipped rows fall among this batch's rows: split it around them, so each error
        # comes between the records of the rows before and after it.
        start = pos = 0
        first = next_row
        while pos < n:
            if skipped and skipped[0] <= next_row:
                if pos > start:
                    yield TableChunk(batch.slice(start, pos - start), range(first, next_row))
                number = skipped.pop(0)
                yield _malformed(source, number)
                if number == next_row:
                    next_row += 1
                start, first = pos, next_row
                continue
            pos += 1
            next_row += 1
        if pos > start:
            yield TableChunk(batch.slice(start, pos - start), range(first, next_row))
    for number in sorted(skipped):
        yield _malformed(source, number)


def _malformed(source: str, number: int) -> RecordError:
    return RecordError(
        source, max(number, 0), "malformed_row", "wrong number of cells; row skipped"
    )


def iter_parquet(
    path: str | Path,
    source: str,
    select: Callable[[pa.Schema], list[str]] | None,
    batch_rows: int,
) -> Iterator[TableChunk | RecordError]:
    """Batches of a Parquet file, row group by row group (never the whole file).

    ``select`` picks the columns to read from the file's schema (None: all of them).
    """
    try:
        pf = pq.ParquetFile(path)
        columns = select(pf.schema_arrow) if select is not None else None
        batches = pf.iter_batches(batch_size=batch_rows, columns=columns)
    except (pa.ArrowException, OSError, ValueError) as exc:
        yield RecordError(source, 0, "unreadable", f"cannot read Parquet: {arrow_reason(exc)}")
        return
    next_row = 1
    with pf:
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except (pa.ArrowException, OSError, ValueError) as exc:
                yield RecordError(
                    source,
                    next_row,
                    "unreadable",
                    f"Parquet unreadable from here: {arrow_reason(exc)}",
                )
                return
            n = batch.num_rows
            if n:
                yield TableChunk(batch, range(next_row, next_row + n))
            next_row += n


# -- column values ------------------------------------------------------------------------


def is_text_type(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or _is_view(t, "string"))


def is_binary_type(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
        or pa.types.is_fixed_size_binary(t)
        or _is_view(t, "binary")
    )


def _is_view(t: pa.DataType, kind: str) -> bool:
    check = getattr(pa.types, f"is_{kind}_view", None)
    return bool(check(t)) if check is not None else False


def is_nested_type(t: pa.DataType) -> bool:
    return bool(pa.types.is_nested(t))


def is_identifier_type(t: pa.DataType) -> bool:
    """Non-text types that can hold personal data as digits: ids, RRNs, birth dates."""
    return bool(
        pa.types.is_integer(t)
        or pa.types.is_decimal(t)
        or pa.types.is_date(t)
        or pa.types.is_timestamp(t)
    )


def value_type(t: pa.DataType) -> pa.DataType:
    return t.value_type if pa.types.is_dictionary(t) else t


def scannable(t: pa.DataType, requested: bool) -> bool:
    """Whether a column of type ``t`` has text to scan (floats only when asked for)."""
    t = value_type(t)
    return (
        is_text_type(t)
        or is_binary_type(t)
        or is_identifier_type(t)
        or is_nested_type(t)
        or (requested and (pa.types.is_floating(t) or pa.types.is_time(t)))
    )


def decode_binary(arr: pa.Array) -> tuple[list[str | None], list[int]]:
    """Binary cells as text; indices of cells that are not UTF-8 (they become None)."""
    try:
        return pc.cast(arr, pa.string()).to_pylist(), []
    except pa.ArrowInvalid:
        pass
    values: list[str | None] = []
    bad: list[int] = []
    for i, cell in enumerate(arr.to_pylist()):
        if cell is None:
            values.append(None)
            continue
        try:
            values.append(cell.decode("utf-8"))
        except UnicodeDecodeError:
            values.append(None)
            bad.append(i)
    return values, bad


def column_values(arr: pa.Array) -> tuple[list[Any], list[int]]:
    """A column as Python values for scanning: text as str, numbers and dates as their
    digits, nested values as Python dicts/lists; plus indices of invalid UTF-8 cells."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    t = arr.type
    if is_text_type(t):
        return arr.to_pylist(), []
    if is_binary_type(t):
        return decode_binary(arr)
    if pa.types.is_floating(t):
        return [None if v is None else number_text(v) for v in arr.to_pylist()], []
    if is_identifier_type(t) or pa.types.is_time(t):
        return pc.cast(arr, pa.string()).to_pylist(), []
    return arr.to_pylist(), []


def text_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A CSV batch with binary columns decoded to string (invalid UTF-8 cells → null)."""
    arrays = []
    for arr in batch.columns:
        if is_binary_type(arr.type):
            try:
                arr = pc.cast(arr, pa.string())
            except pa.ArrowInvalid:
                arr = pa.array(decode_binary(arr)[0], pa.string())
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
