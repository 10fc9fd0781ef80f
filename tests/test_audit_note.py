"""C2SP signed notes, vkeys, checkpoints and cosignatures (Go sumdb/note and C2SP spec vectors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jikimi.audit import merkle
from jikimi.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    Witness,
    open_checkpoint,
    parse_body,
)
from jikimi.audit.note import (
    ALG_COSIGNATURE_V1,
    NoteError,
    Signer,
    parse_vkey,
    sign_note,
    verify_note,
)

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n\u2014 example.com/foo "
             "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")  # fmt: skip


def test_go_reference_note_byte_for_byte() -> None:
    s = Signer.from_skey(GO_SKEY)
    assert s.vkey == GO_VKEY
    assert s.skey == GO_SKEY
    assert sign_note(GO_TEXT, s) == GO_NOTE
    note, ok = verify_note(GO_NOTE, parse_vkey(GO_VKEY))
    assert note.text == GO_TEXT and ok[0].name == "PeterNeumann"


def test_spec_example_verifies() -> None:
    verify_note(SPEC_NOTE, parse_vkey(SPEC_VKEY))


def test_tampered_and_unknown() -> None:
    v = parse_vkey(GO_VKEY)
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(GO_NOTE.replace("cryptography", "cryptanalysis"), v)
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        verify_note(SPEC_NOTE, v)
    with pytest.raises(NoteError):
        parse_vkey("PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    with pytest.raises(NoteError):
        Signer.generate("has space")


def test_checkpoint_format_and_signature() -> None:
    s = Signer.generate("example.com/log")
    root = merkle.EMPTY_ROOT
    note = Checkpoint("example.com/log", 0, root).sign(s)
    assert note.startswith("example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\u2014 example.com/log ")
    cp = open_checkpoint(note, [s.verifier], "example.com/log")
    assert cp.size == 0 and cp.root == root
    with pytest.raises(CheckpointError, match="expected"):
        open_checkpoint(note, [s.verifier], "other.example/log")
    with pytest.raises(CheckpointError):
        parse_body("example.com/log\n01\n" + "A" * 44 + "\n")


def test_witness_cosigns_only_consistent(tmp_path: Path) -> None:
    log_key = Signer.generate("example.com/log")
    w_key = Signer.generate("witness.example/w1", ALG_COSIGNATURE_V1)
    w = Witness(w_key, log_key.verifier, tmp_path / "state")
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(10)]
    src = merkle.LeafList(leaves)
    cp5 = Checkpoint("example.com/log", 5, merkle.root_from_leaf_hashes(leaves[:5])).sign(log_key)
    out = w.cosign(cp5, [])
    _, ok = verify_note(out, log_key.verifier, w_key.verifier)
    assert {v.name for v in ok} == {"example.com/log", "witness.example/w1"}
    assert parse_vkey(w_key.vkey).alg == ALG_COSIGNATURE_V1
    cp9 = Checkpoint("example.com/log", 9, merkle.root_from_leaf_hashes(leaves[:9])).sign(log_key)
    w.cosign(cp9, merkle.consistency_proof(src, 5, 9))
    forked = [*leaves[:3], merkle.leaf_hash(b"x"), *leaves[4:]]
    cp10 = Checkpoint("example.com/log", 10, merkle.root_from_leaf_hashes(forked)).sign(log_key)
    with pytest.raises(CheckpointError, match="refusing"):
        w.cosign(cp10, merkle.consistency_proof(merkle.LeafList(forked), 9, 10))
    assert w.last() is not None and w.last().size == 9  # type: ignore[union-attr]
