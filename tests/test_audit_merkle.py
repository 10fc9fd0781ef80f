"""RFC 6962 / RFC 9162 hashing and proofs against the published vectors (values copied from
transparency-dev/merkle testonly/constants.go and proof/verify_test.go)."""

from __future__ import annotations

import random

import pytest

from jikimi.audit import merkle
from jikimi.audit.merkle import LeafList, ProofError

LEAVES = [bytes.fromhex(x) for x in [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
]]  # fmt: skip
ROOTS = [bytes.fromhex(x) for x in [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]]  # fmt: skip
NODES = [
    ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"],
    ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"],
    ["d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]  # fmt: skip
# (leaf index 1-based as in the Go vectors, size, proof)
INCLUSION = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (1, 1, []),
]  # fmt: skip
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip
SOME = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
HASHES = [merkle.leaf_hash(x) for x in LEAVES]


def test_roots_for_sizes_0_to_8() -> None:
    for n in range(9):
        assert merkle.root_from_leaf_hashes(HASHES[:n]) == ROOTS[n]
        assert merkle.root_hash(LeafList(HASHES[:n]), n) == ROOTS[n]


def test_node_hashes() -> None:
    src = LeafList(HASHES)
    for height, row in enumerate(NODES):
        for i, h in enumerate(row):
            assert src.perfect_hash(height, i).hex() == h


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_vectors(leaf: int, size: int, proof: list[str]) -> None:
    want = [bytes.fromhex(p) for p in proof]
    src = LeafList(HASHES[:size])
    assert merkle.inclusion_proof(src, leaf - 1, size) == want
    merkle.verify_inclusion(leaf - 1, size, HASHES[leaf - 1], want, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_vectors(old: int, new: int, proof: list[str]) -> None:
    want = [bytes.fromhex(p) for p in proof]
    assert merkle.consistency_proof(LeafList(HASHES[:new]), old, new) == want
    merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], want)


def _inclusion_probes(i: int, n: int, proof: list[bytes], root: bytes, leaf: bytes) -> list[tuple]:
    probes = [
        (i - 1, n, root, leaf, proof), (i + 1, n, root, leaf, proof), (i ^ 2, n, root, leaf, proof),
        (i, n * 2, root, leaf, proof), (i, n // 2, root, leaf, proof),
        (i, n, root, b"WrongLeaf", proof), (i, n, ROOTS[0], leaf, proof), (i, n, SOME, leaf, proof),
        (i, n, root, leaf, [*proof, b""]), (i, n, root, leaf, [*proof, root]),
        (i, n, root, leaf, [b"", *proof]), (i, n, root, leaf, [root, *proof]),
    ]  # fmt: skip
    for k in range(len(proof)):
        bad = list(proof)
        bad[k] = bytes([bad[k][0] ^ 8]) + bad[k][1:]
        probes.append((i, n, root, leaf, bad))
    if proof:
        probes.append((i, n, root, leaf, proof[:-1]))
    if len(proof) > 1:
        probes.append((i, n, root, leaf, [proof[0], SOME, *proof[1:]]))
    return probes


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION[:4])
def test_inclusion_rejects_corruptions(leaf: int, size: int, proof: list[str]) -> None:
    p = [bytes.fromhex(x) for x in proof]
    for i, n, root, lh, pr in _inclusion_probes(leaf - 1, size, p, ROOTS[size], HASHES[leaf - 1]):
        with pytest.raises(ProofError):
            merkle.verify_inclusion(i, n, lh, pr, root)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY[1:])
def test_consistency_rejects_corruptions(old: int, new: int, proof: list[str]) -> None:
    p = [bytes.fromhex(x) for x in proof]
    r1, r2 = ROOTS[old], ROOTS[new]
    probes = [
        (old - 1, new, r1, r2, p), (old + 1, new, r1, r2, p), (old ^ 2, new, r1, r2, p),
        (old, new * 2, r1, r2, p), (old, new // 2, r1, r2, p),
        (old, new, b"WrongRoot", r2, p), (old, new, r1, b"WrongRoot", p), (old, new, r2, r1, p),
        (old, new, r1, r2, []), (old, new, r1, r2, [*p, b""]), (old, new, r1, r2, [*p, r1]),
        (old, new, r1, r2, [*p, r2]), (old, new, r1, r2, [b"", *p]), (old, new, r1, r2, [r1, *p]),
        (old, new, r1, r2, [r2, *p]), (old, new, r1, r2, [p[0], *p]), (old, new, r1, r2, p[:-1]),
    ]  # fmt: skip
    for k in range(len(p)):
        bad = list(p)
        bad[k] = bytes([bad[k][0] ^ 16]) + bad[k][1:]
        probes.append((old, new, r1, r2, bad))
    for a, b, x, y, pr in probes:
        if (a, b, x, y, pr) == (old, new, r1, r2, p):
            continue
        with pytest.raises(ProofError):
            merkle.verify_consistency(a, b, x, y, pr)


def test_inclusion_edge_cases() -> None:
    for index, size in [(0, 0), (1, 0), (2, 1)]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, SOME, [], ROOTS[0])
    h = merkle.leaf_hash(b"data")
    merkle.verify_inclusion(0, 1, h, [], h)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 1, b"", [], h)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 1, h, [], b"")
    with pytest.raises(ProofError, match="not below"):
        merkle.inclusion_proof(LeafList(HASHES), 8, 8)


def test_consistency_edge_cases() -> None:
    a, b = SOME, ROOTS[1]
    merkle.verify_consistency(0, 0, a, a, [])
    merkle.verify_consistency(0, 1, a, b, [])
    merkle.verify_consistency(1, 1, b, b, [])
    for old, new, r1, r2, proof in [
        (0, 0, a, b, []), (1, 1, a, b, []), (1, 0, a, b, []), (2, 1, a, b, []), (1, 2, a, b, []),
        (0, 0, ROOTS[0], ROOTS[0], [ROOTS[0]]), (0, 1, ROOTS[0], ROOTS[0], [ROOTS[0]]),
        (1, 1, ROOTS[0], ROOTS[0], [ROOTS[0]]),
    ]:  # fmt: skip
        with pytest.raises(ProofError):
            merkle.verify_consistency(old, new, r1, r2, proof)
    with pytest.raises(ProofError, match="forked"):
        merkle.verify_consistency(3, 3, ROOTS[3], ROOTS[4], [])


def test_random_trees_round_trip() -> None:
    rng = random.Random(7)
    leaves = [merkle.leaf_hash(rng.randbytes(rng.randrange(40))) for _ in range(300)]
    for n in [1, 2, 3, 7, 8, 9, 31, 64, 100, 255, 256, 257, 300]:
        src = LeafList(leaves[:n])
        root = merkle.root_from_leaf_hashes(leaves[:n])
        for i in {0, n - 1, rng.randrange(n), n // 2}:
            merkle.verify_inclusion(i, n, leaves[i], merkle.inclusion_proof(src, i, n), root)
        for m in {0, 1, n // 3, n - 1, n, rng.randrange(n + 1)}:
            r1 = merkle.root_from_leaf_hashes(leaves[:m])
            merkle.verify_consistency(m, n, r1, root, merkle.consistency_proof(src, m, n))
