"""The scan job: files in, one result per record out, plus a summary.

This is the library behind ``jikimi scan``; the CLI only formats what it yields. Records stream
from :mod:`jikimi.io` one at a time, so memory stays flat in file size. Tables (CSV, Parquet) get
column-level classification from a sample of their first rows before their cells are scanned,
so a column of bare identifiers is recognised without context words.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

import orjson

from jikimi.detect import native
from jikimi.detect.columns import SAMPLE_SIZE, ColumnProfile, cell_finding, classify_column
from jikimi.detect.engine import DEFAULT_MIN_SCORE, Scanner, resolve_overlaps
from jikimi.detect.finding import Finding
from jikimi.io import Record, RecordError, detect_format, iter_paths, read_records

_T = TypeVar("_T")
_BatchHandler = Callable[[list[Record], dict[str, ColumnProfile]], Iterator[_T]]

TABLE_FORMATS = frozenset({"csv", "parquet"})
BATCH_RECORDS = 512
"""Records scanned together (see :meth:`Scanner.scan_many`); small enough to keep memory flat."""


@dataclass(slots=True)
class RecordResult:
    """Findings for one input record. ``texts`` holds the scanned field values (for
    ``--show-values`` and masked examples); callers must not print them by default."""

    id: str | int
    source: str
    line: int
    findings: list[Finding]
    texts: dict[str, str]


@dataclass(slots=True)
class ScanSummary:
    records: int = 0
    records_with_findings: int = 0
    skipped: int = 0
    errors: int = 0
    files: int = 0
    chars: int = 0
    seconds: float = 0.0
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(field, entity type) → number of findings."""
    examples: dict[tuple[str, str], str] = field(default_factory=dict)
    """(field, entity type) → one masked example value."""
    columns: dict[str, dict[str, ColumnProfile]] = field(default_factory=dict)
    """source → column name → profile, for tables."""

    def to_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "records": self.records,
            "records_with_findings": self.records_with_findings,
            "skipped_records": self.skipped,
            "errors": self.errors,
            "findings": sum(self.counts.values()),
            "by_field_and_type": [
                {"field": f, "entity_type": t, "count": c}
                for (f, t), c in sorted(self.counts.items())
            ],
            "columns": {
                src: {
                    name: {"entity_type": p.entity_type, "share": round(p.share, 3), "sampled": p.sampled}
                    for name, p in cols.items()
                    if p.entity_type is not None
                }
                for src, cols in self.columns.items()
            },
            "seconds": round(self.seconds, 3),
        }


def findings_json(findings: Sequence[Finding]) -> bytes:
    """The ``findings`` array of ``jikimi scan --json`` for one record (no values), as
    ``orjson.dumps([f.to_dict() for f in findings])`` writes it. The native core writes it
    without building a dict per finding; its output is byte-for-byte the same."""
    core = native.core()
    if core is not None:
        out: bytes = core.findings_json(findings)
        return out
    return orjson.dumps([f.to_dict() for f in findings])


def mask_value(value: str) -> str:
    """A display form that shows the shape but not the value: keep separators and the first
    and last character (``010-****-***0``), or just the first for short values (``김**``)."""
    n = len(value)
    keep = {0, n - 1} if n > 4 else {0}
    return "".join(
        ch if i in keep or not ch.isalnum() else "*" for i, ch in enumerate(value)
    )


class ScanJob:
    """Scans a file, a directory of files, or stdin (``-``) with one configured scanner."""

    def __init__(
        self,
        *,
        entities: Sequence[str] | str | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        fields: Sequence[str] | None = None,
        id_field: str = "id",
        fmt: str | None = None,
        text_mode: str = "line",
        on_error: Callable[[RecordError], None] | None = None,
    ) -> None:
        self.scanner = Scanner(entities=entities, min_score=min_score)
        self.fields = list(fields) if fields else None
        self.id_field = id_field
        self.fmt = fmt
        self.text_mode = text_mode
        self.on_error = on_error
        self.summary = ScanSummary()

    def run(self, path: str | Path) -> Iterator[RecordResult]:
        """Yield one result per record of every file under ``path``; errors go to ``on_error``."""
        return self._run(path, self._scan_batch)

    def run_json(self, path: str | Path) -> Iterator[bytes]:
        """Like :meth:`run`, but yield ``scan --json`` lines (without values), a batch of
        records per chunk. The summary is kept as :meth:`run` keeps it."""
        return self._run(path, self._json_batch)

    def _run(self, path: str | Path, handle: _BatchHandler[_T]) -> Iterator[_T]:
        start = time.perf_counter()
        try:
            if str(path) == "-":
                self.summary.files += 1
                yield from self._run_file("-", handle)
                return
            p = Path(path)
            if not p.exists():
                raise FileNotFoundError(f"{path}: no such file or directory")
            for file in iter_paths(p):
                self.summary.files += 1
                yield from self._run_file(file, handle)
        finally:
            self.summary.seconds += time.perf_counter() - start

    def _records(self, path: str | Path) -> Iterator[Record | RecordError]:
        return read_records(
            path,
            fmt=self.fmt,
            fields=self.fields,
            id_field=self.id_field,
            text_mode=self.text_mode,
        )

    def _run_file(self, path: str | Path, handle: _BatchHandler[_T]) -> Iterator[_T]:
        fmt = self.fmt or (detect_format(path) if path != "-" else None)
        items = self._records(path)
        profiles: dict[str, ColumnProfile] = {}
        if fmt in TABLE_FORMATS:
            head = list(islice(items, SAMPLE_SIZE))
            profiles = self._profile(head)
            self.summary.columns[str(path)] = profiles
            items = _chain(head, items)
        batch: list[Record] = []
        for item in items:
            if isinstance(item, RecordError):
                # results stay in input order: flush what came before the bad record first
                yield from handle(batch, profiles)
                batch = []
                self._error(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH_RECORDS:
                yield from handle(batch, profiles)
                batch = []
        yield from handle(batch, profiles)

    def _profile(self, head: list[Record | RecordError]) -> dict[str, ColumnProfile]:
        cols: dict[str, list[str]] = {}
        for item in head:
            if isinstance(item, Record):
                for name, val in item.fields.items():
                    cols.setdefault(name, []).append(val)
        return {name: classify_column(name, vals) for name, vals in cols.items()}

    def _error(self, err: RecordError) -> None:
        self.summary.errors += 1
        if err.field is None:
            self.summary.skipped += 1
        if self.on_error is not None:
            self.on_error(err)

    def _scan_batch(
        self, batch: list[Record], profiles: dict[str, ColumnProfile]
    ) -> Iterator[RecordResult]:
        if not batch:
            return
        texts = [t for rec in batch for t in rec.fields.values()]
        names = [name for rec in batch for name in rec.fields]
        per_text = iter(self.scanner.scan_many(texts, names))
        results: list[RecordResult] = []
        for rec in batch:
            if len(rec.fields) == 1 and not profiles:
                # the common case (one text field, no table profile): findings as they come
                findings = next(per_text)
            else:
                findings = []
                for name, text in rec.fields.items():
                    found = next(per_text)
                    prof = profiles.get(name)
                    if prof is not None and prof.entity_type is not None:
                        cell = cell_finding(prof, text)
                        if cell is not None and cell.entity_type in self.scanner.entities:
                            found = resolve_overlaps([*found, cell.with_field(name)])
                    findings.extend(found)
            results.append(RecordResult(rec.id, rec.source, rec.line, findings, rec.fields))
        self._count(results, sum(map(len, texts)))
        yield from results

    def _json_batch(
        self, batch: list[Record], profiles: dict[str, ColumnProfile]
    ) -> Iterator[bytes]:
        if not batch:
            return
        if not profiles and all(len(rec.fields) == 1 for rec in batch):
            texts = [t for rec in batch for t in rec.fields.values()]
            fields = [name for rec in batch for name in rec.fields]
            done = self.scanner.json_lines([rec.id for rec in batch], texts, fields)
            if done is not None:
                data, stats, with_findings = done
                s = self.summary
                s.records += len(batch)
                s.records_with_findings += with_findings
                s.chars += sum(map(len, texts))
                for name, etype, count, first, start, end in stats:
                    key = (name, etype)
                    s.counts[key] += count
                    if key not in s.examples:
                        s.examples[key] = mask_value(texts[first][start:end])
                yield data
                return
        dumps = orjson.dumps
        yield b"".join(
            b'{"id":' + dumps(r.id) + b',"findings":' + findings_json(r.findings) + b"}\n"
            for r in self._scan_batch(batch, profiles)
        )

    def _count(self, results: list[RecordResult], chars: int) -> None:
        """Add a batch to the summary: counts per (field, type) in one C-level pass, and a
        masked example for each key seen for the first time."""
        s = self.summary
        s.records += len(results)
        s.chars += chars
        found = [r for r in results if r.findings]
        s.records_with_findings += len(found)
        if not found:
            return
        # every finding of a scan job carries its field (Scanner.scan_many with fields)
        s.counts.update(map(_FIELD_AND_TYPE, chain.from_iterable(r.findings for r in found)))
        if len(s.examples) == len(s.counts):
            return
        for r in found:
            for f in r.findings:
                key = (f.field or "", f.entity_type)
                if key not in s.examples:
                    s.examples[key] = mask_value(r.texts[f.field or ""][f.start : f.end])


_FIELD_AND_TYPE = itemgetter(5, 0)
"""(field, entity type) of a Finding, as the summary counts it."""


def _chain(head: list[Record | RecordError], rest: Iterator[Record | RecordError]) -> Iterator[Record | RecordError]:
    yield from head
    yield from rest
