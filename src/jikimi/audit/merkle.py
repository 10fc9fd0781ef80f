"""RFC 9162 (= RFC 6962 hashing) Merkle tree: hashing, proof generation and proof verification.

Written by hand on purpose: no maintained Python library implements RFC 9162 proofs together
with the C2SP tiles, notes and checkpoints this log serves, and the verification algorithms are
short enough that owning them (and testing them against the published RFC 6962 vectors) is
safer than depending on an unmaintained package.

* ``leaf = SHA-256(0x00 || entry)``, ``node = SHA-256(0x01 || left || right)``; the tree over
  ``n`` leaves splits at the largest power of two strictly below ``n``.
* Proof *generation* never rehashes leaves: it asks a :class:`SubtreeSource` for the hashes of
  perfect (power-of-two, aligned) subtrees, which the store keeps at tile granularity, so a proof
  costs O(log n) reads.
* Proof *verification* follows RFC 9162 §2.1.3.2 and §2.1.4.2 literally, plus the checks clients
  tend to forget: index < size, exact proof length, 32-byte hashes, and the final ``sn == 0``
  (the second size fully consumed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify, or a proof was asked for impossible sizes."""


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 leaf hash (0x00 domain separation keeps leaves and nodes apart)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """Largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, computed iteratively (reference/verification use; O(n))."""
    if not hashes:
        return EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []
    for h in hashes:
        height, cur = 0, h
        while stack and stack[-1][0] == height:
            cur = node_hash(stack.pop()[1], cur)
            height += 1
        stack.append((height, cur))
    top = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        top = node_hash(left, top)
    return top


class SubtreeSource(Protocol):
    """Anything that knows the hash of the perfect subtree of ``2**height`` leaves starting at
    leaf ``index << height`` (the store, a tiles directory, an in-memory list)."""

    def perfect_hash(self, height: int, index: int) -> bytes: ...


def range_hash(src: SubtreeSource, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range that is a node of some RFC tree (``start`` aligned to the
    largest power of two not above ``end - start``): fold its perfect-subtree decomposition."""
    if end <= start:
        return EMPTY_ROOT
    parts: list[bytes] = []
    pos = start
    n = end - start
    for h in range(n.bit_length() - 1, -1, -1):
        if n >> h & 1:
            parts.append(src.perfect_hash(h, pos >> h))
            pos += 1 << h
    cur = parts[-1]
    for left in reversed(parts[:-1]):
        cur = node_hash(left, cur)
    return cur


def root_hash(src: SubtreeSource, size: int) -> bytes:
    """Root of the tree of the first ``size`` leaves."""
    return range_hash(src, 0, size)


def inclusion_proof(src: SubtreeSource, index: int, size: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]), leaf-to-root order."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not below tree size {size}")
    out: list[bytes] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = split_point(hi - lo)
        if m < k:
            out.append(range_hash(src, lo + k, hi))
            hi = lo + k
        else:
            out.append(range_hash(src, lo, lo + k))
            lo, m = lo + k, m - k
    out.reverse()
    return out


def consistency_proof(src: SubtreeSource, old: int, new: int) -> list[bytes]:
    """RFC 6962 PROOF(old, D[0:new]), in verification order; empty for ``old in (0, new)``."""
    if not 0 <= old <= new:
        raise ProofError(f"cannot prove consistency from size {old} to smaller size {new}")
    if old == 0 or old == new:
        return []
    out: list[bytes] = []
    lo, hi, m, complete = 0, new, old, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            out.append(range_hash(src, lo + k, hi))
            hi = lo + k
        else:
            out.append(range_hash(src, lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        out.append(range_hash(src, lo, hi))
    out.reverse()
    return out


def _inclusion_length(index: int, size: int) -> int:
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _check_hashes(*hashes: bytes) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise ProofError(f"hash has {len(h)} bytes, expected {HASH_SIZE}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2 steps 1–4; returns the computed root (callers compare)."""
    if index >= size or index < 0:
        raise ProofError(f"index {index} is not below tree size {size}")
    _check_hashes(leaf, *proof)
    want = _inclusion_length(index, size)
    if len(proof) != want:
        raise ProofError(f"inclusion proof has {len(proof)} hashes, expected {want}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short for the tree size")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise :class:`ProofError` unless ``leaf`` is at ``index`` in the tree ``(size, root)``."""
    _check_hashes(root)
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError(f"inclusion proof for entry {index} does not lead to the root of size {size}")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2, with the size and length checks around it."""
    if old < 0 or new < old:
        raise ProofError(f"tree size went backwards: {old} -> {new} (truncated or rolled back log)")
    _check_hashes(*proof)
    if old == new:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if len(old_root) != HASH_SIZE or old_root != new_root:
            raise ProofError(f"two different roots for the same size {old}: forked log")
        return
    if old == 0:
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        return
    _check_hashes(old_root, new_root)
    if not proof:
        raise ProofError("empty consistency proof between different sizes")
    shift = (old & -old).bit_length() - 1  # trailing zeros
    inner = ((old - 1) ^ (new - 1)).bit_length() - shift
    border = ((old - 1) >> (inner + shift)).bit_count()
    want = inner + border + (0 if old == 1 << shift else 1)
    if len(proof) != want:
        raise ProofError(f"consistency proof has {len(proof)} hashes, expected {want}")
    path = list(proof)
    if old == 1 << shift:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof does not consume the second tree size")
    if fr != old_root:
        raise ProofError(f"consistency proof does not reproduce the old root of size {old}: forked log")
    if sr != new_root:
        raise ProofError(f"consistency proof does not reproduce the new root of size {new}")


class LeafList:
    """A :class:`SubtreeSource` over in-memory leaf hashes (tests, small trees, verifiers that
    downloaded every entry)."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = list(leaves)

    def perfect_hash(self, height: int, index: int) -> bytes:
        start = index << height
        return root_from_leaf_hashes(self.leaves[start : start + (1 << height)])
