"""Splitting a byte stream into lines in bounded memory, fast.

``for line in file`` would hold an arbitrarily long line whole (a 5 GB file without a newline is
one line), and per-line Python overhead caps it near 100 MB/s. Instead we read large chunks and
hand out *blocks*: runs of complete lines joined by ``b"\\n"``, which the format readers split
with one ``bytes.split`` call. A line that grows past ``max_line_bytes`` is reported and then
discarded chunk by chunk up to its newline, so memory stays below ``max_line_bytes`` plus one
chunk whatever the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jikimi.io.records import RecordError

CHUNK_BYTES = 1 << 18
"""Bytes per read: per-chunk work is negligible, and a chunk and its lines stay in the CPU
cache while they are parsed (measured: 256 KiB reads ~10% faster JSONL than 1 MiB)."""

SNIFF_BYTES = 8192
"""How much of the start of a file is checked for NUL bytes (binary files) and format."""

BOM = b"\xef\xbb\xbf"

Block = tuple[int, bytes]
"""``(number of the block's first line, lines joined by b"\\n")``; a block holds >= 1 line."""


def read_head(read: Callable[[int], bytes], size: int = SNIFF_BYTES) -> bytes:
    """Read up to ``size`` bytes, looping because pipes return short reads."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        chunk = read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _too_long(source: str, lineno: int, max_line_bytes: int) -> RecordError:
    return RecordError(
        source,
        lineno,
        "line_too_long",
        f"line longer than {max_line_bytes} bytes; skipped",
    )


def _split_long(
    block: bytes, lineno: int, source: str, max_line_bytes: int
) -> Iterator[Block | RecordError]:
    """Slow path for a block that may contain an over-long line: re-block around it."""
    run: list[bytes] = []
    start = lineno
    for i, line in enumerate(block.split(b"\n")):
        if len(line) > max_line_bytes:
            if run:
                yield start, b"\n".join(run)
                run = []
            yield _too_long(source, lineno + i, max_line_bytes)
            start = lineno + i + 1
        else:
            run.append(line)
    if run:
        yield start, b"\n".join(run)


def iter_blocks(
    read: Callable[[int], bytes],
    head: bytes,
    source: str,
    max_line_bytes: int,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Block | RecordError]:
    """Blocks of whole lines from ``head`` followed by ``read(chunk_bytes)`` until EOF.

    Line terminators are ``b"\\n"`` (a ``b"\\r"`` before it stays in the line; the format
    readers strip it). A final line without a newline is still a line; a trailing newline does
    not start an empty one. No line in a yielded block is longer than ``max_line_bytes``; each
    longer line is replaced by a ``line_too_long`` error at its position.
    """
    parts: list[bytes] = []  # the unfinished line at the end of the data read so far
    plen = 0
    skipping = False  # inside an over-long line: drop bytes up to its newline
    lineno = 1  # number of the line that starts at parts[0]
    chunk = head
    while True:
        if not chunk:
            chunk = read(chunk_bytes)
            if not chunk:
                break
        if skipping:
            nl = chunk.find(b"\n")
            if nl < 0:
                chunk = b""
                continue
            chunk = chunk[nl + 1 :]
            skipping = False
            lineno += 1
            if not chunk:
                continue
        cut = chunk.rfind(b"\n")
        if cut < 0:
            parts.append(chunk)
            plen += len(chunk)
            chunk = b""
            if plen > max_line_bytes:
                yield _too_long(source, lineno, max_line_bytes)
                parts, plen, skipping = [], 0, True
            continue
        if parts:
            parts.append(chunk[:cut])
            block = b"".join(parts)
        else:
            block = chunk[:cut]
        rest = chunk[cut + 1 :]
        chunk = b""
        if len(block) > max_line_bytes:
            yield from _split_long(block, lineno, source, max_line_bytes)
        else:
            yield lineno, block
        lineno += block.count(b"\n") + 1
        parts, plen = ([rest], len(rest)) if rest else ([], 0)
        if plen > max_line_bytes:
            yield _too_long(source, lineno, max_line_bytes)
            parts, plen, skipping = [], 0, True
    if parts:
        yield lineno, b"".join(parts)
