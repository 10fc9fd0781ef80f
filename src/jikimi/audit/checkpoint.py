"""C2SP ``tlog-checkpoint`` bodies, signed as notes, and a minimal witness (cosigner).

A checkpoint body is three lines — origin, decimal tree size, base64 root hash — plus optional
extension lines; it is signed as a C2SP signed note by the log key. Hand-written for the same
reason as :mod:`jikimi.audit.note`.

The :class:`Witness` is the "second key" of the issue: it remembers the last checkpoint it
cosigned, and cosigns a new one only after checking the log's signature and an RFC 9162
consistency proof from the remembered one, so a log operator cannot show two histories
(a fork) to parties that require the witness cosignature.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jikimi.audit import merkle
from jikimi.audit.note import (
    ALG_COSIGNATURE_V1,
    NoteError,
    Signer,
    Verifier,
    add_signatures,
    cosignature,
    parse_note,
    sign_note,
    verify_note,
)


class CheckpointError(ValueError):
    """A checkpoint is malformed, unsigned by a trusted key, or inconsistent."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default=())

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    def sign(self, *signers: Signer) -> str:
        return sign_note(self.body(), *signers)


def parse_body(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("checkpoint body needs origin, size and root hash lines")
    origin, size_s, root_s, *ext = lines[:-1]
    if not origin:
        raise CheckpointError("checkpoint origin line is empty")
    if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
        raise CheckpointError(f"checkpoint size {size_s!r} is not a decimal number")
    try:
        root = base64.b64decode(root_s, validate=True)
    except ValueError:
        raise CheckpointError("checkpoint root hash is not base64") from None
    if len(root) != merkle.HASH_SIZE:
        raise CheckpointError("checkpoint root hash is not 32 bytes")
    if any(not e for e in ext):
        raise CheckpointError("checkpoint has an empty extension line")
    return Checkpoint(origin, int(size_s), root, tuple(ext))


def open_checkpoint(
    data: str | bytes, verifiers: Sequence[Verifier], origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint with the log's vkey(s) and parse it. The origin must be the
    log's (if given) so a checkpoint of another log signed by the same key is not accepted."""
    try:
        note, _ = verify_note(data, *verifiers)
    except NoteError as exc:
        raise CheckpointError(f"checkpoint signature: {exc}") from None
    cp = parse_body(note.text)
    if origin is not None and cp.origin != origin:
        raise CheckpointError(f"checkpoint is for log {cp.origin!r}, expected {origin!r}")
    return cp


class Witness:
    """Cosigns checkpoints that are consistent with the last one it cosigned (state in a file)."""

    def __init__(self, signer: Signer, log_verifier: Verifier, state_path: Path) -> None:
        if signer.alg != ALG_COSIGNATURE_V1:
            raise CheckpointError("a witness needs a cosignature/v1 (0x04) key")
        self.signer = signer
        self.log_verifier = log_verifier
        self.state_path = state_path

    def last(self) -> Checkpoint | None:
        if not self.state_path.exists():
            return None
        return parse_body(self.state_path.read_text())

    def cosign(self, signed: str, proof: Sequence[bytes], timestamp: int | None = None) -> str:
        """Return ``signed`` with this witness's cosignature appended, after checking the log
        signature and the consistency ``proof`` from the last cosigned checkpoint."""
        cp = open_checkpoint(signed, [self.log_verifier])
        prev = self.last()
        if prev is not None:
            try:
                merkle.verify_consistency(prev.size, cp.size, prev.root, cp.root, proof)
            except merkle.ProofError as exc:
                raise CheckpointError(
                    f"refusing to cosign size {cp.size}: not consistent with cosigned size {prev.size}: {exc}"
                ) from None
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(cp.body())
        os.replace(tmp, self.state_path)
        return add_signatures(signed, cosignature(parse_note(signed).text, self.signer, timestamp))
