"""Evidence jikimi produced: protect manifests, audit-log checkpoints, operator documents.

Why check rather than just cite: a report that says "see manifest.json" proves nothing if the
protected files were changed afterwards or the run let a unique identifier through. So each
manifest is re-read and checked — kind, record balance (in = out + quarantined), output digests
against the files when they are at hand, tier-1 identifiers (PIPA Art. 24 unique identifiers)
never kept or masked, and the achieved k against its target when the run reports risk figures —
and cited by its own SHA-256. Checkpoints are C2SP tlog-checkpoint notes (origin line, decimal
tree size, base64 root hash, optional extension lines, a blank line, signature lines); they are
parsed here from the text format and cited by origin, size and root hash. Verifying their
signatures is the audit module's job, so this module reports the signer names it saw and says
that it did not verify them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jikimi.entities import ENTITY_TYPES
from jikimi.policy.protection import TIER1_FORBIDDEN

MANIFEST_KIND = "jikimi.protect.manifest/v1"
TIER1 = frozenset(n for n, e in ENTITY_TYPES.items() if e.tier == 1)

ENTITY_CATEGORY = {
    "KR_RRN": "rrn", "KR_FRN": "alien_registration", "KR_PASSPORT": "passport",
    "KR_DRIVER_LICENSE": "drivers_license", "CREDIT_CARD": "card_number",
    "KR_BANK_ACCOUNT": "account_number",
}
"""Entity types whose presence in a manifest must show up in the declared data categories."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(slots=True)
class FileCheck:
    output: str
    status: str  # "verified" | "mismatch" | "not_found"
    expected_sha256: str
    actual_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "status": self.status,
                "expected_sha256": self.expected_sha256, "actual_sha256": self.actual_sha256}


@dataclass(slots=True)
class ManifestCheck:
    """The result of checking one ``manifest.json``; ``ok`` is False on any problem."""

    path: str
    exists: bool
    sha256: str | None = None
    kind: str | None = None
    records: dict[str, Any] = field(default_factory=dict)
    counts_by_entity_type: dict[str, int] = field(default_factory=dict)
    files: list[FileCheck] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    tier1_in_clear: list[str] = field(default_factory=list)
    k_achieved: float | None = None
    k_target: float | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exists and not self.problems

    @property
    def categories_found(self) -> set[str]:
        return {ENTITY_CATEGORY[t] for t, c in self.counts_by_entity_type.items()
                if c and t in ENTITY_CATEGORY}

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "exists": self.exists, "ok": self.ok, "sha256": self.sha256,
            "kind": self.kind, "records": self.records,
            "counts_by_entity_type": dict(sorted(self.counts_by_entity_type.items())),
            "files": [f.to_dict() for f in self.files], "keys": self.keys,
            "tier1_in_clear": self.tier1_in_clear,
            "k_achieved": self.k_achieved, "k_target": self.k_target,
            "problems": self.problems, "notes": self.notes,
        }


def _find_output(out: str, manifest_path: Path, root: str) -> Path | None:
    p = Path(out)
    cands = [p] if p.is_absolute() else []
    try:
        cands.append(manifest_path.parent / p.relative_to(Path(root)))
    except ValueError:
        pass
    cands += [manifest_path.parent / p.name]
    if not p.is_absolute():
        cands.append(manifest_path.parent / p)
    for c in cands:
        if c.is_file():
            return c
    return None


def _risk_figures(m: dict[str, Any]) -> tuple[float | None, float | None]:
    risk = m.get("risk")
    if not isinstance(risk, dict):
        return None, None
    achieved = next((risk[k] for k in ("k_achieved", "k", "achieved_k") if isinstance(risk.get(k), (int, float))), None)
    target = next((risk[k] for k in ("k_target", "target_k", "target") if isinstance(risk.get(k), (int, float))), None)
    if isinstance(risk.get("k"), dict):  # {"k": {"achieved": .., "target": ..}}
        kk = risk["k"]
        achieved = kk.get("achieved", achieved)
        target = kk.get("target", target)
    return (float(achieved) if achieved is not None else None, float(target) if target is not None else None)


def check_manifest(path: str | Path) -> ManifestCheck:
    """Re-read and check a ``jikimi protect`` manifest (see ``pipeline/protect.py``)."""
    p = Path(path)
    mc = ManifestCheck(str(p), p.is_file())
    if not mc.exists:
        mc.problems.append("manifest file not found")
        return mc
    raw = p.read_bytes()
    mc.sha256 = hashlib.sha256(raw).hexdigest()
    try:
        m = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        mc.problems.append(f"not valid JSON: {exc}")
        return mc
    if not isinstance(m, dict):
        mc.problems.append("not a JSON object")
        return mc
    mc.kind = m.get("kind")
    if mc.kind != MANIFEST_KIND:
        mc.problems.append(f"kind is {mc.kind!r}, expected {MANIFEST_KIND!r}")
        return mc
    rec = m.get("records") or {}
    mc.records = {k: rec.get(k) for k in ("in", "out", "quarantined", "balanced")}
    if not (isinstance(rec.get("in"), int) and rec.get("in") == (rec.get("out") or 0) + (rec.get("quarantined") or 0)):
        mc.problems.append("records do not balance (in != out + quarantined)")
    mc.counts_by_entity_type = {str(k): int(v) for k, v in (m.get("counts_by_entity_type") or {}).items()}
    for f in m.get("files") or []:
        out, expected = str(f.get("output", "")), str(f.get("output_sha256", ""))
        found = _find_output(out, p, str(m.get("output", "")))
        if found is None:
            mc.files.append(FileCheck(out, "not_found", expected))
            continue
        actual = _sha256(found)
        mc.files.append(FileCheck(out, "verified" if actual == expected else "mismatch", expected, actual))
        if actual != expected:
            mc.problems.append(f"output {out}: SHA-256 differs from the manifest (file changed after protect)")
    if any(f.status == "not_found" for f in mc.files):
        mc.notes.append("some output files are not at hand; their recorded digests are cited but not re-checked")
    mc.keys = [f"{k.get('key_id')}@v{k.get('version')} ({k.get('purpose')})" for k in m.get("keys") or []]
    policy = m.get("policy") or {}
    for etype, rule in sorted((policy.get("entities") or {}).items()):
        if etype in TIER1 and (rule.get("operator") in TIER1_FORBIDDEN or rule.get("allow_clear")):
            mc.tier1_in_clear.append(f"policy: {etype} -> {rule.get('operator')}")
    for name, col in sorted((policy.get("columns") or {}).items()):
        if col.get("entity_type") in TIER1 and (col.get("operator") in TIER1_FORBIDDEN or col.get("allow_clear")):
            mc.tier1_in_clear.append(f"policy column {name}: {col.get('entity_type')} -> {col.get('operator')}")
    for row in m.get("counts") or []:
        if row.get("entity_type") in TIER1 and row.get("operator") in TIER1_FORBIDDEN and row.get("count"):
            mc.tier1_in_clear.append(
                f"{row.get('field')}: {row.get('count')} {row.get('entity_type')} left by {row.get('operator')}")
    if mc.tier1_in_clear:
        mc.problems.append("tier-1 unique identifiers may have left in clear")
    mc.k_achieved, mc.k_target = _risk_figures(m)
    if mc.k_achieved is None:
        mc.notes.append("no k-anonymity figure in this manifest (risk not measured by this run)")
    elif mc.k_target is not None and mc.k_achieved < mc.k_target:
        mc.problems.append(f"k achieved {mc.k_achieved:g} is below the target {mc.k_target:g}")
    return mc


class CheckpointError(ValueError):
    """Text that is not a C2SP tlog checkpoint."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The body of a C2SP checkpoint plus the signer names seen (signatures not verified)."""

    origin: str
    size: int
    root_hash: str  # base64, as in the checkpoint
    extensions: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()

    @property
    def root_hash_hex(self) -> str:
        return base64.b64decode(self.root_hash).hex()


_SIG = re.compile(r"^\u2014 (\S+) ([A-Za-z0-9+/=]+)$")


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint text: origin, decimal tree size, base64 32-byte root hash, then notes."""
    lines = text.split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has at least three lines (origin, size, root hash)")
    origin, size_s, root = lines[0], lines[1], lines[2]
    if not origin.strip() or origin != origin.strip():
        raise CheckpointError("line 1 (origin) must be non-empty without surrounding spaces")
    if not re.fullmatch(r"0|[1-9][0-9]*", size_s):
        raise CheckpointError(f"line 2 (tree size) must be a decimal number, got {size_s!r}")
    try:
        digest = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError("line 3 (root hash) is not valid base64") from None
    if len(digest) != 32:
        raise CheckpointError(f"line 3 (root hash) decodes to {len(digest)} bytes, expected 32")
    ext: list[str] = []
    signers: list[str] = []
    rest = lines[3:]
    in_sigs = False
    for line in rest:
        if not in_sigs:
            if line == "":
                in_sigs = True
            else:
                ext.append(line)
            continue
        m = _SIG.match(line)
        if m:
            signers.append(m.group(1))
    return Checkpoint(origin, int(size_s), root, tuple(ext), tuple(signers))


@dataclass(slots=True)
class CheckpointRef:
    path: str
    checkpoint: Checkpoint | None = None
    problem: str | None = None
    sha256: str | None = None

    @property
    def ok(self) -> bool:
        return self.checkpoint is not None

    def citation(self) -> str:
        if self.checkpoint is None:
            return f"{self.path}: {self.problem}"
        c = self.checkpoint
        return f"checkpoint origin {c.origin}, tree size {c.size}, root hash {c.root_hash}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "ok": self.ok, "sha256": self.sha256}
        if self.checkpoint is not None:
            c = self.checkpoint
            d.update(origin=c.origin, size=c.size, root_hash=c.root_hash,
                     root_hash_hex=c.root_hash_hex, signers=list(c.signers),
                     signatures_verified=False)
        else:
            d["problem"] = self.problem
        return d


def read_checkpoint(path: str | Path) -> CheckpointRef:
    """Read and parse a checkpoint file; a bad file is reported, not raised."""
    p = Path(path)
    if not p.is_file():
        return CheckpointRef(str(p), problem="checkpoint file not found")
    raw = p.read_bytes()
    ref = CheckpointRef(str(p), sha256=hashlib.sha256(raw).hexdigest())
    try:
        ref.checkpoint = parse_checkpoint(raw.decode("utf-8"))
    except (CheckpointError, UnicodeDecodeError) as exc:
        ref.problem = str(exc)
    return ref


@dataclass(slots=True)
class DocumentRef:
    name: str
    ref: str
    status: str  # "found" | "missing" | "cited_url"
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ref": self.ref, "status": self.status, "sha256": self.sha256}


def check_document(name: str, ref: str, base: Path) -> DocumentRef:
    """A document the operator points to: a file (hashed) or a URL (cited, not fetched)."""
    if re.match(r"^https?://", ref):
        return DocumentRef(name, ref, "cited_url")
    p = Path(ref) if Path(ref).is_absolute() else base / ref
    if p.is_file():
        return DocumentRef(name, ref, "found", _sha256(p))
    return DocumentRef(name, ref, "missing")
