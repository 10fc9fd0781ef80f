"""``jikimi protect``: raw Korean data in, a dataset that can go to any cloud out.

Every input record ends up in exactly one place: the protected output, or the encrypted
quarantine (records in = records out + quarantined, asserted before the manifest is written).
Output keeps the input's format: text and JSONL line by line, CSV and Parquet batch by batch
with the schema kept (a non-text column that must carry protected text becomes a string column,
and the manifest says so).

Resumable: work is committed in chunks; after each chunk the output and quarantine files are
flushed and fsynced and a state file records how far the run got. A run restarted with the same
arguments truncates any partly written chunk and continues from the last commit; because the
default operators are deterministic (keyed HMAC tokens, AES-SIV, seeded surrogates), the result
is byte-identical to an uninterrupted run. (Randomized AES-GCM, when a policy asks for it,
differs byte-wise between runs but decrypts to the same values.)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from jikimi import __version__
from jikimi.detect.columns import SAMPLE_SIZE, ColumnProfile, classify_column
from jikimi.detect.engine import Scanner, resolve_overlaps
from jikimi.detect.finding import Finding
from jikimi.io import DOCUMENT_MAX_BYTES, detect_format, iter_paths
from jikimi.io._lines import BOM, iter_blocks, read_head
from jikimi.io._paths import FieldPath, collect, walk_strings
from jikimi.io.readers import _json_document
from jikimi.io.records import RecordError
from jikimi.keys.base import Purpose, SubjectKeyring
from jikimi.pipeline.protector import ProtectStats, RecordFailed, RecordProtector
from jikimi.pipeline.quarantine import QUARANTINE_NAME, entry, seal
from jikimi.policy.protection import ProtectionPolicy, Rule, default_policy

MANIFEST_NAME = "manifest.json"
STATE_NAME = ".jikimi-protect-state.json"
CHUNK_RECORDS = 2048
"""Records per committed chunk: the unit of resumption and of batch scanning."""
SCAN_SLICE = 256
"""Records scanned per slice inside a chunk; after each slice a remote keyring may start on
its subject keys (:meth:`ProtectJob._scan_slices`)."""
MAX_LINE_BYTES = 100 * 2**20


class _Commit(Protocol):
    def __call__(self, out_bytes: int, complete: bool = False) -> None: ...


class ProtectError(Exception):
    """A usage or input problem that stops the run before anything is written."""


@dataclass(slots=True)
class FileResult:
    input: str
    output: str
    format: str
    records_in: int = 0
    records_out: int = 0
    quarantined: int = 0
    input_sha256: str = ""
    output_sha256: str = ""
    schema_changes: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    risk: dict[str, Any] | None = None
    suppressed: int = 0
    """Quarantined rows that were suppressed to meet the risk target (not failures)."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileResult:
        """The inverse of :meth:`to_dict` (for a resumed run's finished files)."""
        names = {f for f in cls.__dataclass_fields__ if f != "suppressed"}
        return cls(**{k: v for k, v in d.items() if k in names}, suppressed=d.get("suppressed_for_risk", 0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": self.risk,
            "suppressed_for_risk": self.suppressed,
            "input": self.input,
            "output": self.output,
            "format": self.format,
            "records_in": self.records_in,
            "records_out": self.records_out,
            "quarantined": self.quarantined,
            "input_sha256": self.input_sha256,
            "output_sha256": self.output_sha256,
            "schema_changes": self.schema_changes,
            "errors": self.errors[:100],
        }


@dataclass(slots=True)
class ProtectResult:
    files: list[FileResult]
    stats: ProtectStats
    manifest: dict[str, Any]
    manifest_path: Path

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def failed(self) -> int:
        """Records withheld because they could not be protected (or a risk target was missed),
        as opposed to rows suppressed within the policy's budget."""
        return sum(f.quarantined - f.suppressed for f in self.files)


@dataclass(frozen=True, slots=True)
class _Args:
    fields: tuple[str, ...] | None
    id_field: str
    fmt: str | None
    text_mode: str


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _fsync(f: Any) -> None:
    f.flush()
    os.fsync(f.fileno())


class _State:
    """The resume state file: which files are done and how far the current one got."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.data: dict[str, Any] = {"fingerprint": fingerprint, "done": {}, "current": None}
        if path.exists():
            old = orjson.loads(path.read_bytes())
            if old.get("fingerprint") == fingerprint:
                self.data = old

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(orjson.dumps(self.data))
            _fsync(f)
        os.replace(tmp, self.path)


class ProtectJob:
    """One protect run over a file or a directory of files."""

    def __init__(
        self,
        keyring: SubjectKeyring,
        *,
        policy: ProtectionPolicy | None = None,
        fields: Sequence[str] | None = None,
        id_field: str = "id",
        fmt: str | None = None,
        text_mode: str = "line",
        on_progress: Callable[[int], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        chunk_records: int = CHUNK_RECORDS,
    ) -> None:
        if chunk_records < 1:
            raise ValueError("chunk_records must be at least 1")
        self.chunk_records = chunk_records
        self.policy = policy or default_policy()
        self.keyring = keyring
        self.scanner = Scanner(min_score=self.policy.min_score)
        self.protector = RecordProtector(self.policy, keyring)
        flds = tuple(fields) if fields else (self.policy.fields or None)
        self.args = _Args(flds, id_field, fmt, text_mode)
        self.paths = tuple(FieldPath.parse(f) for f in flds) if flds else None
        self.on_progress = on_progress or (lambda n: None)
        self.on_error = on_error or (lambda s: None)
        self.stats = ProtectStats()
        self._quarantine_key = keyring.current(Purpose.QUARANTINE)

    # -- the run ---------------------------------------------------------------------------

    def run(self, input_path: str | Path, output_dir: str | Path) -> ProtectResult:
        start = time.time()
        src = Path(input_path)
        out = Path(output_dir)
        if not src.exists():
            raise ProtectError(f"{src}: no such file or directory")
        if out.resolve() == src.resolve() or src.resolve() in out.resolve().parents:
            raise ProtectError("the output directory must not be the input or inside it")
        files = list(iter_paths(src)) if src.is_dir() else [src]
        out.mkdir(parents=True, exist_ok=True)
        fingerprint = hashlib.sha256(orjson.dumps({
            "input": str(src.resolve()),
            "files": [(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files],
            "policy": self.policy.to_dict(),
            "args": [self.args.fields, self.args.id_field, self.args.fmt, self.args.text_mode],
            "version": __version__,
        })).hexdigest()
        state = _State(out / STATE_NAME, fingerprint)
        qpath = out / QUARANTINE_NAME
        results: list[FileResult] = []
        qmode = "r+b" if state.data["done"] or state.data["current"] else "wb"
        if qmode == "r+b" and not qpath.exists():
            qmode = "wb"
        with open(qpath, qmode) as qf:
            if qmode == "r+b":
                qf.truncate(int(state.data.get("quarantine_bytes", 0)))
                qf.seek(0, os.SEEK_END)
            for f in files:
                rel = f.name if not src.is_dir() else str(f.relative_to(src))
                done = state.data["done"].get(rel)
                if done is not None:
                    fr = FileResult.from_dict(done)
                    _merge_stats(self.stats, done["stats"])
                    results.append(fr)
                    continue
                fr = self._run_file(f, out / rel, rel, qf, state)
                results.append(fr)
        for fr in results:
            if fr.records_in != fr.records_out + fr.quarantined:
                raise AssertionError(f"{fr.input}: records in != out + quarantined")
        manifest = self._manifest(src, out, results, qpath, start)
        mpath = out / MANIFEST_NAME
        tmp = mpath.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
        os.replace(tmp, mpath)
        state.path.unlink(missing_ok=True)
        return ProtectResult(results, self.stats, manifest, mpath)

    def _run_file(self, path: Path, dest: Path, rel: str, qf: Any, state: _State) -> FileResult:
        fmt = self.args.fmt or detect_format(path) or "text"
        dest.parent.mkdir(parents=True, exist_ok=True)
        fr = FileResult(str(path), str(dest), fmt, input_sha256=_sha256_file(path))
        cur = state.data["current"]
        resume = cur if cur and cur.get("file") == rel else None
        if resume is not None:
            fr.records_in = resume["records_in"]
            fr.records_out = resume["records_out"]
            fr.quarantined = resume["quarantined"]
            fr.schema_changes = resume.get("schema_changes", {})
            _merge_stats(self.stats, resume["stats"])
        file_stats = ProtectStats()
        if resume is not None:
            _merge_stats(file_stats, resume["stats"])

        def commit(out_bytes: int, complete: bool = False) -> None:
            _fsync(qf)
            state.data["current"] = {
                "file": rel, "records_in": fr.records_in, "records_out": fr.records_out,
                "quarantined": fr.quarantined, "output_bytes": out_bytes,
                "schema_changes": fr.schema_changes, "stats": _stats_dict(file_stats),
                "suppressed": fr.suppressed, "risk": fr.risk,
                # the whole file is written: a crash from here on must not process it again
                "complete": complete,
            }
            state.data["quarantine_bytes"] = qf.tell()
            state.save()

        def quarantine(line: int, reason: str, raw: bytes | None, fld: str | None = None) -> None:
            fr.quarantined += 1
            qf.write(seal(entry(str(path), line, reason, raw, fld), self._quarantine_key) + b"\n")
            fr.errors.append({"line": line, "field": fld, "reason": reason})
            self.on_error(f"{path}:{line}: quarantined: {reason}" + (f" (field {fld!r})" if fld else ""))

        skip = resume["records_in"] if resume is not None else 0
        out_bytes = resume["output_bytes"] if resume is not None else 0
        if resume is not None and resume.get("complete"):
            fr.suppressed = resume.get("suppressed", 0)
            fr.risk = resume.get("risk")
        elif fmt in ("text", "jsonl"):
            self._lines(path, dest, fmt, fr, file_stats, skip, out_bytes, commit, quarantine)
        elif fmt in ("csv", "tsv"):
            self._csv(path, dest, fmt, fr, file_stats, skip, out_bytes, commit, quarantine)
        elif fmt == "parquet":
            self._parquet(path, dest, fr, file_stats, skip, commit, quarantine)
        else:
            raise ProtectError(f"{path}: unsupported format {fmt!r}")
        self.stats.merge(file_stats) if resume is None else self._merge_new(file_stats, resume)
        fr.output_sha256 = _sha256_file(dest)
        d = fr.to_dict()
        d["stats"] = _stats_dict(file_stats)
        state.data["done"][rel] = d
        state.data["current"] = None
        state.data["quarantine_bytes"] = qf.tell()
        state.save()
        return fr

    def _merge_new(self, file_stats: ProtectStats, resume: dict[str, Any]) -> None:
        # the resumed part was merged into self.stats already; add only what is new
        before = ProtectStats()
        _merge_stats(before, resume["stats"])
        delta = ProtectStats()
        delta.counts = file_stats.counts - before.counts
        delta.keys = file_stats.keys
        delta.subject_records = file_stats.subject_records - before.subject_records
        self.stats.merge(delta)

    # -- text and JSONL ----------------------------------------------------------------------

    def _lines(
        self, path: Path, dest: Path, fmt: str, fr: FileResult, stats: ProtectStats, skip: int,
        out_bytes: int, commit: _Commit,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
    ) -> None:
        mode = "r+b" if skip else "wb"
        with open(path, "rb", buffering=0) as inp, open(dest, mode) as outf:
            if skip:
                outf.truncate(out_bytes)
                outf.seek(out_bytes)
            head = read_head(inp.read)
            if b"\x00" in head:
                raise ProtectError(f"{path}: binary file (NUL bytes in the first 8 KB)")
            head = head.removeprefix(BOM)
            if fmt == "text" and self.args.text_mode == "document":
                self._document(inp, head, outf, fr, stats, quarantine)
                commit(outf.tell(), complete=True)
                return
            if fmt == "jsonl" and _json_document(head, str(path)) is not None:
                # one JSON document (an array or a pretty-printed object), not JSON Lines:
                # protect it as one record rather than reject every line of it
                self._json_document(inp, head, outf, fr, stats, quarantine)
                commit(outf.tell(), complete=True)
                return
            pending: list[tuple[int, bytes | RecordError | None]] = []
            seen = 0
            for item in iter_blocks(inp.read, head, str(path), MAX_LINE_BYTES):
                if isinstance(item, RecordError):
                    lines: list[tuple[int, bytes | RecordError]] = [(item.line, item)]
                else:
                    lineno, block = item
                    lines = [(lineno + i, raw) for i, raw in enumerate(block.split(b"\n"))]
                    self.on_progress(len(block) + 1)
                for lineno, raw in lines:
                    if isinstance(raw, bytes) and not raw.strip():
                        if seen >= skip:  # earlier blank lines were committed with their chunk
                            pending.append((lineno, None))
                        continue
                    seen += 1
                    if seen <= skip:
                        continue
                    pending.append((lineno, raw))
                    if len(pending) >= self.chunk_records and raw is not None:
                        self._line_chunk(pending, fmt, outf, fr, stats, quarantine)
                        pending = []
                        outf.flush()
                        os.fsync(outf.fileno())
                        commit(outf.tell())
            if pending:
                self._line_chunk(pending, fmt, outf, fr, stats, quarantine)
            outf.flush()
            os.fsync(outf.fileno())
            commit(outf.tell(), complete=True)

    def _document(
        self, inp: Any, head: bytes, outf: Any, fr: FileResult, stats: ProtectStats,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
    ) -> None:
        raw = _whole_file(inp, head, fr, quarantine, "document")
        if raw is None:
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            quarantine(0, "invalid UTF-8", raw, None)
            return
        new_or_failed = self.protector.protect_many([({"text": text}, {"text": self.scanner.scan(text)})], stats)[0]
        if isinstance(new_or_failed, RecordFailed):
            quarantine(0, new_or_failed.reason, raw, new_or_failed.field)
            return
        new = new_or_failed
        outf.write(new["text"].encode("utf-8"))
        fr.records_out += 1

    def _json_document(
        self, inp: Any, head: bytes, outf: Any, fr: FileResult, stats: ProtectStats,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
    ) -> None:
        raw = _whole_file(inp, head, fr, quarantine, "JSON document")
        if raw is None:
            return
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            quarantine(0, "malformed JSON document", raw, None)
            return
        fields: dict[str, str] = {}
        walk_strings(obj, "", fields, "")
        texts = list(fields.values())
        findings = dict(zip(fields, self.scanner.scan_many(texts)))
        new = self.protector.protect_many([(fields, findings)], stats)[0]
        if isinstance(new, RecordFailed):
            quarantine(0, new.reason, raw, new.field)
            return
        for name, value in new.items():
            if value != fields[name]:
                obj = _set_path_root(obj, name, value)
        outf.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n")
        fr.records_out += 1

    def _line_chunk(
        self, pending: list[tuple[int, bytes | RecordError | None]], fmt: str, outf: Any,
        fr: FileResult, stats: ProtectStats,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
    ) -> None:
        parsed: list[tuple[int, bytes, Any, dict[str, str]] | bytes | None] = []
        for lineno, raw in pending:
            if raw is None:  # a blank line: written back in its place
                parsed.append(b"")
                continue
            fr.records_in += 1
            if isinstance(raw, RecordError):
                quarantine(lineno, raw.message, None, None)
                parsed.append(None)
                continue
            line = raw[:-1] if raw.endswith(b"\r") else raw
            try:
                s = line.decode("utf-8")
            except UnicodeDecodeError:
                quarantine(lineno, "invalid UTF-8", raw, None)
                parsed.append(None)
                continue
            if fmt == "text":
                fields = {"text": s}
                obj: Any = None
            else:
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    quarantine(lineno, "malformed JSON", raw, None)
                    parsed.append(None)
                    continue
                if not isinstance(obj, dict):
                    quarantine(lineno, "a JSON line that is not an object", raw, None)
                    parsed.append(None)
                    continue
                if _has_dotted_key(obj):
                    quarantine(lineno, "a JSON key contains '.', so field paths would be ambiguous", raw, None)
                    parsed.append(None)
                    continue
                fields = {}
                bad: list[str] = []
                if self.paths is None:
                    walk_strings(obj, "", fields, "")
                else:
                    for p in self.paths:
                        collect(obj, p.parts, 0, "", fields, bad)
                if bad:
                    quarantine(lineno, "a requested field holds a non-text value", raw, bad[0])
                    parsed.append(None)
                    continue
            parsed.append((lineno, raw, obj, fields))
        scanned = [item for item in parsed if isinstance(item, tuple)]
        findings, subjects = self._scan_slices([r[3] for r in scanned])
        ready = [(*r, f) for r, f in zip(scanned, findings)]
        protected = iter(
            self.protector.protect_many([(r[3], r[4]) for r in ready], stats, subjects=subjects)
        )
        records = iter(ready)
        for item in parsed:  # input order: records, blank lines; quarantined ones leave a gap
            if item is None:
                continue
            if not isinstance(item, tuple):
                outf.write(b"\n")
                continue
            lineno, raw, obj, fields, _ = next(records)
            new = next(protected)
            if isinstance(new, RecordFailed):
                quarantine(lineno, new.reason, raw, new.field)
                continue
            if fmt == "text":
                outf.write(new["text"].encode("utf-8") + b"\n")
            else:
                for name, value in new.items():
                    if value != fields[name]:
                        _set_path(obj, name, value)
                outf.write(orjson.dumps(obj) + b"\n")
            fr.records_out += 1

    def _scan_slices(
        self, records: list[dict[str, str]],
        adjust: Callable[[str, str, list[Finding]], list[Finding]] | None = None,
    ) -> tuple[list[dict[str, list[Finding]]], list[str | None]]:
        """Each record's findings per field (``adjust`` may amend a field's findings) and its
        subject id, scanned slice by slice: after each slice the keyring may start on that
        slice's subject keys while the next one is scanned (a remote keyring's round trips
        then overlap the scan; a local one ignores :meth:`RecordProtector.warm`)."""
        findings: list[dict[str, list[Finding]]] = []
        subjects: list[str | None] = []
        for i in range(0, len(records), SCAN_SLICE):
            part = records[i : i + SCAN_SLICE]
            results = iter(self.scanner.scan_many([t for fields in part for t in fields.values()]))
            done = []
            for fields in part:
                found = {}
                for name, text in fields.items():
                    fs = next(results)
                    found[name] = adjust(name, text, fs) if adjust is not None else fs
                done.append((fields, found))
            subjects.extend(self.protector.warm(done))
            findings.extend(found for _, found in done)
        return findings, subjects

    # -- tables ------------------------------------------------------------------------------

    def _table_rows(
        self, batch: pa.RecordBatch, profiles: dict[str, ColumnProfile], first_row: int,
        fr: FileResult, stats: ProtectStats,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
        schema: pa.Schema,
    ) -> tuple[list[int], dict[str, list[Any]]]:
        """Protect a batch row by row; returns kept row indices and replaced column values."""
        names = batch.schema.names
        cols = {n: batch.column(i).to_pylist() for i, n in enumerate(names)}
        scan_cols = [n for n in names if self._scannable(batch.schema.field(n).type, n)]
        col_rules = {n: c.rule for n, c in self.policy.columns.items()}
        rows: list[dict[str, str]] = []
        for r in range(batch.num_rows):
            fields = {}
            for n in scan_cols:
                v = cols[n][r]
                if v is None:
                    continue
                fields[n] = v if isinstance(v, str) else _as_text(v)
            rows.append(fields)
        replaced: dict[str, list[Any]] = {n: list(cols[n]) for n in scan_cols}

        def with_column_finding(n: str, text: str, fs: list[Finding]) -> list[Finding]:
            forced = self._column_finding(n, text, profiles)
            if forced is not None and not any(f.start == forced.start and f.end == forced.end for f in fs):
                return resolve_overlaps([*fs, forced])
            return fs

        findings, subjects = self._scan_slices(rows, with_column_finding)
        items = list(zip(rows, findings))
        kept: list[int] = []
        for r, ((fields, _), new) in enumerate(zip(items, self.protector.protect_many(items, stats, column_rules=col_rules, subjects=subjects))):
            fr.records_in += 1
            if isinstance(new, RecordFailed):
                quarantine(first_row + r, new.reason, orjson.dumps({n: cols[n][r] for n in names}, default=str), new.field)
                continue
            # a protected value is text: it cannot go into a numeric column that was not made
            # a text column up front, so the row is withheld rather than written or crashing
            stuck = next((n for n, v in new.items() if v != fields[n] and not _is_text(schema.field(n).type)), None)
            if stuck is not None:
                quarantine(
                    first_row + r,
                    f"a protected value cannot be stored in the {schema.field(stuck).type} column; "
                    f"declare it in [columns.{stuck}] with its entity so it becomes a text column",
                    orjson.dumps({n: cols[n][r] for n in names}, default=str), stuck,
                )
                continue
            for n, value in new.items():
                if value != fields[n]:
                    replaced[n][r] = value
            kept.append(r)
            fr.records_out += 1
        return kept, replaced

    def _scannable(self, t: pa.DataType, name: str) -> bool:
        if self.args.fields is not None and name not in self.args.fields and name not in self.policy.columns:
            return False
        if pa.types.is_dictionary(t):
            t = t.value_type
        return bool(
            pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t)
            or pa.types.is_decimal(t) or pa.types.is_floating(t)
        )

    def _check_columns(self, path: Path, schema: pa.Schema) -> None:
        """Fail closed on columns the scanner cannot read (nested, binary, …) unless the user
        chose the columns to protect with --field: nothing may pass through unexamined."""
        names = schema.names
        if len(set(names)) != len(names):
            raise ProtectError(f"{path}: duplicate column names; rename them first")
        if self.args.fields is not None:
            return
        for f in schema:
            t = f.type
            plain = pa.types.is_boolean(t) or pa.types.is_temporal(t) or pa.types.is_null(t)
            if not plain and not self._scannable(t, f.name):
                raise ProtectError(
                    f"{path}: column {f.name!r} has type {t}, which jikimi cannot scan; "
                    "choose the columns to protect with --field (the others are copied as they are)"
                )

    def _column_finding(self, name: str, text: str, profiles: dict[str, ColumnProfile]) -> Finding | None:
        from jikimi.detect.columns import cell_finding

        rule = self.policy.columns.get(name)
        if rule is not None and rule.entity_type is not None:
            prof = ColumnProfile(name, rule.entity_type, 1.0, 0)
            f = cell_finding(prof, text)
            if f is None and text.strip():
                lead = len(text) - len(text.lstrip())
                return Finding(rule.entity_type, lead, lead + len(text.strip()), 1.0, "policy-column")
            return f
        sampled = profiles.get(name)
        return cell_finding(sampled, text) if sampled is not None else None

    def _profiles(self, batch: pa.RecordBatch) -> dict[str, ColumnProfile]:
        out = {}
        for i, n in enumerate(batch.schema.names):
            if self._scannable(batch.schema.field(n).type, n):
                vals = batch.column(i).slice(0, SAMPLE_SIZE).to_pylist()
                out[n] = classify_column(n, [v if isinstance(v, str) or v is None else _as_text(v) for v in vals])
        return out

    def _rebuild(self, batch: pa.RecordBatch, kept: list[int], replaced: dict[str, list[Any]], schema: pa.Schema) -> pa.RecordBatch:
        arrays = []
        idx = pa.array(kept, type=pa.int64())
        for i, n in enumerate(batch.schema.names):
            target = schema.field(n).type
            if n in replaced:
                vals = [replaced[n][r] for r in kept]
                if pa.types.is_string(target) or pa.types.is_large_string(target):
                    vals = [v if v is None or isinstance(v, str) else _as_text(v) for v in vals]
                arrays.append(pa.array(vals, type=target))
            else:
                arrays.append(batch.column(i).take(idx))
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    def _output_schema(self, schema: pa.Schema, profiles: dict[str, ColumnProfile], fr: FileResult) -> pa.Schema:
        """Non-text columns that hold identifiers become text: protected values are text."""
        fields = []
        for f in schema:
            prof = profiles.get(f.name)
            holds = prof is not None and prof.entity_type is not None
            if self.policy.columns.get(f.name) is not None:
                holds = True
            if holds and not (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)):
                if f.name in self.policy.columns:
                    rule: Rule = self.policy.columns[f.name].rule
                else:
                    assert prof is not None and prof.entity_type is not None
                    rule = self.policy.rule_for(prof.entity_type)
                if rule.operator != "keep":
                    fr.schema_changes[f.name] = f"{f.type} -> string"
                    f = pa.field(f.name, pa.string(), f.nullable, f.metadata)
            fields.append(f)
        return pa.schema(fields, metadata=schema.metadata)

    def _risk_columns(self, schema: pa.Schema) -> list[str]:
        r = self.policy.risk
        if r is None:
            return []
        return [c for c in r.quasi_identifiers if c in schema.names]

    def _enforce_risk(
        self, table: pa.Table, qis: list[str], fr: FileResult,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
        row_numbers: list[int],
    ) -> pa.Table:
        """Generalize and suppress until the policy's targets hold; suppressed rows go to the
        encrypted quarantine (counted, never silently lost). A table that cannot meet them is
        withheld entirely unless the policy says ``allow_below_target``."""
        from jikimi.risk import Targets, TargetsNotMet, enforce, measure

        r = self.policy.risk
        assert r is not None
        sens = tuple(c for c in r.sensitive if c in table.schema.names)
        targets = Targets(
            k=r.k, l=r.l if sens else None, t=r.t if sens else None,
            max_suppression=r.max_suppression, sensitive=sens, hierarchies=r.hierarchies,
        )
        try:
            out, report = enforce(table, qis, targets)
        except TargetsNotMet as exc:
            if r.allow_below_target:
                m = measure(table, qis, list(sens), k_target=r.k)
                fr.risk = {"met": False, "allowed_below_target": True, "reason": str(exc), "k_target": r.k, "k_achieved": m.to_dict().get("k"), "measure": m.to_dict()}
                return table
            for i, row in enumerate(table.to_pylist()):
                quarantine(row_numbers[i], f"re-identification risk target not met: {exc}", orjson.dumps(row, default=str), None)
            fr.records_out -= table.num_rows
            fr.risk = {"met": False, "withheld": True, "reason": str(exc), "k_target": r.k}
            return table.slice(0, 0)
        rows = table.to_pylist() if report.suppressed else []
        for i in report.suppressed_rows.tolist():
            quarantine(row_numbers[int(i)], "suppressed to meet the k-anonymity target", orjson.dumps(rows[int(i)], default=str), None)
        fr.records_out -= int(report.suppressed)
        fr.suppressed += int(report.suppressed)
        d = report.to_dict()
        fr.risk = {"met": True, "k_target": r.k, "k_achieved": d["after"].get("k"), "report": d}
        return out

    def _csv(
        self, path: Path, dest: Path, fmt: str, fr: FileResult, stats: ProtectStats, skip: int,
        out_bytes: int, commit: _Commit,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
    ) -> None:
        delim = "\t" if fmt == "tsv" else ","
        if path.stat().st_size == 0:
            dest.write_bytes(b"")
            commit(0, complete=True)
            return

        def bad_row(row: Any) -> str:
            # a row with the wrong number of fields: quarantined (encrypted), the run goes on
            fr.records_in += 1
            text = getattr(row, "text", None)
            quarantine(int(getattr(row, "number", 0) or 0), "malformed CSV row (wrong number of fields)",
                       text.encode("utf-8", "replace") if isinstance(text, str) else None, None)
            return "skip"

        try:
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(block_size=1 << 22),
                parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=bad_row),
                convert_options=pacsv.ConvertOptions(column_types=_all_strings_types(path, delim), strings_can_be_null=False),
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise ProtectError(f"{path}: unreadable CSV ({_arrow_reason(exc)})") from None
        writer = None
        row = 0
        profiles: dict[str, ColumnProfile] = {}
        with open(dest, "r+b" if skip else "wb") as outf:
            if skip:
                outf.truncate(out_bytes)
                outf.seek(out_bytes)
            schema: pa.Schema | None = None
            held: list[pa.RecordBatch] = []
            held_rows: list[int] = []  # input row number of each held row (for the quarantine)
            risk_qis: list[str] = []
            for batch in _batches_or_error(reader, path):
                if schema is None:
                    self._check_columns(path, batch.schema)
                    profiles = self._profiles(batch)
                    schema = self._output_schema(batch.schema, profiles, fr)
                    risk_qis = self._risk_columns(schema)
                    if risk_qis and skip:
                        raise ProtectError(f"{path}: cannot resume a risk-checked table; delete {dest.parent} and re-run")
                    writer = pacsv.CSVWriter(outf, schema, write_options=pacsv.WriteOptions(include_header=not skip, delimiter=delim))
                self.on_progress(batch.nbytes)
                for start in range(0, batch.num_rows, self.chunk_records):
                    part = batch.slice(start, self.chunk_records)
                    if row + part.num_rows <= skip:
                        row += part.num_rows
                        continue
                    if row < skip:
                        part = part.slice(skip - row)
                        row = skip
                    kept, replaced = self._table_rows(part, profiles, row + 1, fr, stats, quarantine, schema)
                    assert writer is not None
                    out_batch = self._rebuild(part, kept, replaced, schema)
                    if risk_qis:
                        held.append(out_batch)  # k-anonymity needs the whole table
                        held_rows.extend(row + 1 + k for k in kept)
                        row += part.num_rows
                        continue
                    row += part.num_rows
                    writer.write_batch(out_batch)
                    outf.flush()
                    os.fsync(outf.fileno())
                    commit(outf.tell())
            if writer is not None:
                if risk_qis and schema is not None:
                    table = self._enforce_risk(pa.Table.from_batches(held, schema=schema), risk_qis, fr, quarantine, held_rows)
                    for b in table.to_batches():
                        writer.write_batch(b)
                writer.close()
            elif not skip:  # a header-only CSV: keep the header
                with open(path, "rb") as src:
                    outf.write(src.readline())
            outf.flush()
            os.fsync(outf.fileno())
            commit(outf.tell(), complete=True)

    def _parquet(
        self, path: Path, dest: Path, fr: FileResult, stats: ProtectStats, skip: int,
        commit: _Commit,
        quarantine: Callable[[int, str, bytes | None, str | None], None],
    ) -> None:
        # Parquet cannot be appended to after a crash (no footer), so each chunk is its own
        # part file; the parts are joined into the output at the end.
        parts_dir = dest.with_name(dest.name + ".parts")
        parts_dir.mkdir(exist_ok=True)
        pf = pq.ParquetFile(path)
        self._check_columns(path, pf.schema_arrow)
        profiles = self._profiles(next(pf.iter_batches(batch_size=SAMPLE_SIZE))) if pf.metadata.num_rows else {}
        schema = self._output_schema(pf.schema_arrow, profiles, fr)
        risk_qis = self._risk_columns(schema)
        held: list[pa.RecordBatch] = []
        held_rows: list[int] = []
        row = 0
        n = 0
        if not skip and parts_dir.exists():
            shutil.rmtree(parts_dir)  # parts of an older, different run
            parts_dir.mkdir()
        for batch in pf.iter_batches(batch_size=self.chunk_records):
            n += 1
            self.on_progress(batch.nbytes)
            if row + batch.num_rows <= skip:
                row += batch.num_rows
                continue
            kept, replaced = self._table_rows(batch, profiles, row + 1, fr, stats, quarantine, schema)
            out_batch = self._rebuild(batch, kept, replaced, schema)
            if risk_qis:
                held.append(out_batch)  # k-anonymity needs the whole table
                held_rows.extend(row + 1 + k for k in kept)
                row += batch.num_rows
                continue
            row += batch.num_rows
            part = parts_dir / f"{n:08d}.parquet"
            pq.write_table(pa.Table.from_batches([out_batch], schema=schema), part)
            commit(0)
        if risk_qis:
            table = self._enforce_risk(pa.Table.from_batches(held, schema=schema), risk_qis, fr, quarantine, held_rows)
            pq.write_table(table, parts_dir / "00000001.parquet")
        with pq.ParquetWriter(dest, schema) as w:
            for part in sorted(parts_dir.glob("*.parquet")):
                w.write_table(pq.read_table(part, schema=schema))
        commit(0, complete=True)
        shutil.rmtree(parts_dir)

    # -- manifest ----------------------------------------------------------------------------

    def _manifest(self, src: Path, out: Path, files: list[FileResult], qpath: Path, start: float) -> dict[str, Any]:
        s = self.stats
        by_type: dict[str, int] = {}
        rows = []
        for (fld, etype, op), c in sorted(s.counts.items()):
            rows.append({"field": fld, "entity_type": etype, "operator": op, "count": c})
            by_type[etype] = by_type.get(etype, 0) + c
        rin = sum(f.records_in for f in files)
        rout = sum(f.records_out for f in files)
        rq = sum(f.quarantined for f in files)
        return {
            "jikimi_version": __version__,
            "kind": "jikimi.protect.manifest/v1",
            "input": str(src),
            "output": str(out),
            "records": {"in": rin, "out": rout, "quarantined": rq, "balanced": rin == rout + rq},
            "files": [f.to_dict() for f in files],
            "counts": rows,
            "counts_by_entity_type": by_type,
            "keys": sorted(({"key_id": k.key_id, "version": k.version, "purpose": k.purpose.value} for k in s.keys if k.purpose is not Purpose.SUBJECT), key=lambda d: (d["key_id"], d["version"])),
            "records_under_subject_keys": s.subject_records,
            "risk": _risk_summary(files),
            "quarantine": {"path": str(qpath), "records": rq, "sha256": _sha256_file(qpath), "encrypted_with": f"{self._quarantine_key.ref}"},
            "policy": self.policy.to_dict(),
            "timing": {"started": start, "seconds": round(time.time() - start, 3)},
        }


def _risk_summary(files: list[FileResult]) -> dict[str, Any] | None:
    checked = [f for f in files if f.risk is not None]
    if not checked:
        return None
    achieved = [f.risk["k_achieved"] for f in checked if f.risk and f.risk.get("k_achieved") is not None]
    return {
        "k_target": checked[0].risk["k_target"] if checked[0].risk else None,
        "k_achieved": min(achieved) if achieved else None,
        "met": all(f.risk.get("met") for f in checked if f.risk),
        "files": {f.input: f.risk for f in checked},
    }


def _whole_file(
    inp: Any, head: bytes, fr: FileResult,
    quarantine: Callable[[int, str, bytes | None, str | None], None], what: str,
) -> bytes | None:
    """A whole-file record (counted), or None after quarantining one over the size limit."""
    raw: bytes = head + inp.read(DOCUMENT_MAX_BYTES + 1 - len(head))
    fr.records_in += 1
    if len(raw) > DOCUMENT_MAX_BYTES:
        quarantine(0, f"{what} larger than {DOCUMENT_MAX_BYTES} bytes; use line mode", None, None)
        return None
    return raw


def _arrow_reason(exc: BaseException) -> str:
    """A short reason without cell contents (pyarrow messages can quote the row)."""
    msg = str(exc).split("\n", 1)[0]
    return msg.split(":", 1)[0][:120]


def _batches_or_error(reader: Any, path: Path) -> Any:
    """CSV batches; a file pyarrow cannot decode (invalid UTF-8 in a cell, a broken quote) stops
    the run with the file named — fail closed, nothing of it is written unprotected."""
    it = iter(reader)
    while True:
        try:
            batch = next(it)
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            raise ProtectError(f"{path}: unreadable CSV ({_arrow_reason(exc)}); fix or convert the file") from None
        yield batch


def _has_dotted_key(node: Any) -> bool:
    """True if any object key below ``node`` contains a dot (paths are dot-joined)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if type(cur) is dict:
            for k, v in cur.items():
                if "." in k:
                    return True
                if type(v) is dict or type(v) is list:
                    stack.append(v)
        elif type(cur) is list:
            stack.extend(v for v in cur if type(v) is dict or type(v) is list)
    return False


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _as_text(v: Any) -> str:
    from jikimi.io._paths import number_text

    return number_text(v) if isinstance(v, (int, float)) else str(v)


def _all_strings_types(path: Path, delim: str) -> dict[str, pa.DataType]:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    header = pacsv.read_csv(
        pa.BufferReader(head.split(b"\n", 1)[0] + b"\n"),
        parse_options=pacsv.ParseOptions(delimiter=delim),
    )
    return {n: pa.string() for n in header.schema.names}


def _set_path_root(obj: Any, path: str, value: str) -> Any:
    """Like :func:`_set_path`, for a document whose root may itself be a list."""
    _set_path(obj, path, value)
    return obj


def _set_path(obj: Any, path: str, value: str) -> None:
    parts = path.split(".")
    node = obj
    for key in parts[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _stats_dict(s: ProtectStats) -> dict[str, Any]:
    return {
        "counts": [[f, t, o, c] for (f, t, o), c in s.counts.items()],
        "keys": [[k.key_id, k.version, k.purpose.value] for k in s.keys],
        "subject_records": s.subject_records,
    }


def _merge_stats(into: ProtectStats, d: dict[str, Any]) -> None:
    from jikimi.keys.base import KeyRef

    for f, t, o, c in d["counts"]:
        into.counts[(f, t, o)] += c
    for key_id, version, purpose in d["keys"]:
        into.keys.add(KeyRef(key_id, version, Purpose(purpose)))
    into.subject_records += d["subject_records"]

