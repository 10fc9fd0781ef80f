"""The input layer: files (text, JSONL, CSV/TSV, Parquet) and stdin to records for the scanner.

Streaming throughout, so memory stays flat whatever the file size, and bad input becomes a
:class:`RecordError` in the stream (never its content) instead of an exception.
"""

from jikimi.io.readers import (
    DOCUMENT_MAX_BYTES,
    EXTENSIONS,
    FORMATS,
    STDIN,
    TEXT_MODES,
    detect_format,
    iter_paths,
    read_records,
    read_table_batches,
)
from jikimi.io.records import ERROR_KINDS, ErrorKind, ReadError, Record, RecordError

__all__ = [
    "DOCUMENT_MAX_BYTES",
    "ERROR_KINDS",
    "EXTENSIONS",
    "FORMATS",
    "STDIN",
    "TEXT_MODES",
    "ErrorKind",
    "ReadError",
    "Record",
    "RecordError",
    "detect_format",
    "iter_paths",
    "read_records",
    "read_table_batches",
]
