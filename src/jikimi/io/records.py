"""What the input layer hands to the scanner: records to scan, and errors about input it could not.

Readers never raise on bad input; they yield a :class:`RecordError` in the stream and go on with
the next line (or stop the file, when nothing more can be read from it). A scan of a million
lines should not die on line 812 344, and the user should learn exactly where the bad line is.

Both types may end up in logs and reports, so neither may carry personal data by accident:
:class:`RecordError` holds positions, field names and a short reason, never the content, and the
``repr`` of a :class:`Record` lists field names, not values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ErrorKind = Literal[
    "invalid_utf8",  # a line (or CSV cell) is not UTF-8; the rest of the file is still read
    "malformed_json",  # a JSONL line does not parse
    "not_object",  # a JSONL line parses, but to an array, string or number, not an object
    "missing_field",  # a requested field (or CSV/Parquet column) is absent
    "not_text",  # a requested field holds a boolean (or a column type that is not scannable)
    "binary_file",  # NUL bytes in the first 8 KB: a binary (or UTF-16) file; the file is skipped
    "line_too_long",  # a line longer than ``max_line_bytes``; skipped without being held whole
    "malformed_row",  # a CSV row with the wrong number of cells; the row is skipped
    "file_too_large",  # document mode refuses files above DOCUMENT_MAX_BYTES
    "unreadable",  # the file cannot be opened or is corrupt (CSV/Parquet); reading stops
]
"""Every ``RecordError.kind`` a reader can produce; a stable interface for reports and tests."""

ERROR_KINDS: tuple[ErrorKind, ...] = (
    "invalid_utf8",
    "malformed_json",
    "not_object",
    "missing_field",
    "not_text",
    "binary_file",
    "line_too_long",
    "malformed_row",
    "file_too_large",
    "unreadable",
)


@dataclass(frozen=True, slots=True)
class Record:
    """One unit of input to scan: named text fields of one line, row or document.

    ``fields`` maps a field path to its text: ``"text"`` for text files, dotted JSON paths
    (``"meta.note"``, ``"turns.0.text"``) for JSONL, column names for CSV and Parquet. ``line``
    is 1-based: the line number in text and JSONL files, the data row number (header not
    counted) in CSV and Parquet. ``id`` comes from the id field when the input has one, else it
    is the line (row) number, so a finding can always be traced back.
    """

    id: str | int
    fields: dict[str, str] = field(repr=False)
    source: str = ""
    line: int = 0

    def __repr__(self) -> str:
        # Field values are the data being scanned: keep them out of logs and tracebacks.
        return (
            f"Record(id={self.id!r}, source={self.source!r}, line={self.line}, "
            f"fields={sorted(self.fields)!r})"
        )


@dataclass(frozen=True, slots=True)
class RecordError:
    """Input that could not be turned into (part of) a record, and where it is.

    ``line`` is 1-based like :attr:`Record.line`; 0 means the error concerns the whole file (a
    binary or unreadable file, a missing CSV column) rather than one line. ``message`` is a short
    reason; it never quotes the input, which may be personal data.
    """

    source: str
    line: int
    kind: ErrorKind
    message: str
    field: str | None = None
    record_id: str | int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        extra = f" (field {self.field!r})" if self.field is not None else ""
        return f"{where}: {self.kind}: {self.message}{extra}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, e.g. for ``scan --json`` error lines."""
        return {
            "source": self.source,
            "line": self.line,
            "kind": self.kind,
            "message": self.message,
            "field": self.field,
            "record_id": self.record_id,
        }


class ReadError(Exception):
    """Raised by the batch-level readers (:func:`read_table_batches`), which have no stream to
    put a :class:`RecordError` in; ``error`` says what and where."""

    def __init__(self, error: RecordError) -> None:
        super().__init__(str(error))
        self.error = error


class RecordBuilder:
    """:class:`Record`'s slot layout without the frozen ``__setattr__``, for the readers' hot
    loops: fill the four slots, then set ``__class__ = Record``.

    A frozen dataclass's ``__init__`` stores each field through ``object.__setattr__``; at a
    million JSONL lines a second that is a third of the reading time. Plain slot stores plus a
    class switch (allowed: identical layouts) build the same immutable :class:`Record` in about
    half the time. ``test_io`` checks the result equals ``Record(...)``.
    """

    __slots__ = ("fields", "id", "line", "source")
    id: str | int
    fields: dict[str, str]
    source: str
    line: int


if sorted(RecordBuilder.__slots__) != sorted(Record.__slots__):
    raise TypeError("RecordBuilder must have exactly Record's slots")
