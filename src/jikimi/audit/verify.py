"""Offline verification of the audit log from tiles alone (a directory or an http(s) URL), or
straight from a database — with the same code, so what a regulator runs is what the tests run.

Checks, each with a message that says what is wrong:

* the checkpoint's signature by the log's vkey (forged or altered checkpoint);
* the tree in the tiles reproduces the checkpoint root (tree hashes altered);
* each saved older checkpoint is a prefix of this one by an RFC 9162 consistency proof computed
  from the tiles (fork, rewritten history, or truncation/rollback when the saved size is larger);
* inclusion of chosen entries (entry bytes from the bundle, proof from the tiles);
* ``full``: every entry against its level-0 tile hash (changed, removed, added or reordered
  entries) and every tile against the tile above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from jikimi.audit import merkle
from jikimi.audit.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from jikimi.audit.note import Verifier
from jikimi.audit.store import Store, StoreError
from jikimi.audit.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TileCache,
    TileError,
    TileHashReader,
    TileSource,
    split_hashes,
    tile_levels,
    tile_width,
)

MAX_PROBLEMS = 50


class Source(Protocol):
    def read(self, path: str) -> bytes: ...

    def fetch_tile(self, level: int, index: int, width: int) -> bytes: ...

    def fetch_bundle(self, index: int, width: int) -> list[bytes]: ...


class StoreSource:
    """Serves the tiles API from a :class:`Store` (what ``serve-tiles`` would write)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def read(self, path: str) -> bytes:
        if path != "checkpoint":
            raise TileError(f"unsupported path {path}")
        latest = self.store.latest_checkpoint()
        if latest is None:
            raise TileError("the database holds no checkpoint")
        return latest[1].encode()

    def fetch_tile(self, level: int, index: int, width: int) -> bytes:
        try:
            return self.store.fetch_tile(level, index, width)
        except StoreError as exc:
            raise TileError(str(exc)) from None

    def fetch_bundle(self, index: int, width: int) -> list[bytes]:
        start = index * TILE_WIDTH
        rows = self.store.get_entries(start, start + width)
        for want, (got, _) in enumerate(rows, start):
            if got != want:
                raise TileError(f"entry {want} is missing from the database (entries removed)")
        if len(rows) < width:
            raise TileError(f"entry {start + len(rows)} is missing from the database (entries removed or truncated)")
        return [d for _, d in rows]


@dataclass
class Report:
    ok: bool = True
    checkpoint: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def fail(self, msg: str) -> None:
        self.ok = False
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(msg)

    def as_dict(self) -> dict[str, Any]:
        cp = self.checkpoint
        return {
            "ok": self.ok,
            "checkpoint": None if cp is None else {"origin": cp.origin, "size": cp.size, "root": cp.root.hex()},
            "problems": self.problems,
            "checked": self.checked,
        }


def _full_audit(src: Source, reader: TileHashReader, size: int, rep: Report) -> None:
    leaf = merkle.leaf_hash
    for k in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        w = tile_width(size, 0, k)
        try:
            ents = src.fetch_bundle(k, w)
            tile = split_hashes(src.fetch_tile(0, k, w), w)
        except TileError as exc:
            rep.fail(str(exc))
            continue
        if len(ents) != w:
            rep.fail(f"entry bundle {k} holds {len(ents)} entries, the checkpoint needs {w} (entries removed or added)")
        got = [leaf(e) for e in ents[:w]]
        bad = [j for j in range(min(w, len(got))) if got[j] != tile[j]]
        if bad:
            idx = ", ".join(str(k * TILE_WIDTH + j) for j in bad[:10])
            if len(bad) > 1 and sorted(got[j] for j in bad) == sorted(tile[j] for j in bad):
                rep.fail(f"entries {idx} are reordered (each matches another position's tree hash)")
            else:
                rep.fail(f"entr{'y' if len(bad) == 1 else 'ies'} {idx} changed: the entry no longer matches its tree hash")
    for level in range(tile_levels(size) - 1):
        n = size >> (TILE_HEIGHT * level)
        for k in range(n // TILE_WIDTH):  # full tiles only feed the level above
            try:
                mine = reader.tile_hashes(level, k)[-1][0]
                above = reader.tile_hashes(level + 1, k // TILE_WIDTH)[0][k % TILE_WIDTH]
            except (TileError, merkle.ProofError) as exc:
                rep.fail(str(exc))
                continue
            if mine != above:
                rep.fail(f"tile {level}/{k} does not match its hash in tile {level + 1}/{k // TILE_WIDTH}: tree hashes altered")
    rep.checked.append(f"all {size} entries and every tile")


def verify_source(
    src: Source,
    verifiers: Sequence[Verifier],
    *,
    saved: Sequence[str] = (),
    entries: Sequence[int] = (),
    full: bool = False,
    origin: str | None = None,
    db_size: int | None = None,
) -> Report:
    rep = Report()
    try:
        cp = open_checkpoint(src.read("checkpoint"), verifiers, origin)
    except (CheckpointError, TileError) as exc:
        rep.fail(f"checkpoint: {exc}")
        return rep
    rep.checkpoint = cp
    rep.checked.append(f"checkpoint signature ({cp.origin}, size {cp.size})")
    if db_size is not None and db_size < cp.size:
        rep.fail(
            f"log truncated: a checkpoint for {cp.size} entries was signed but the database now holds {db_size}"
        )
        return rep
    reader = TileHashReader(src.fetch_tile, cp.size, TileCache(4096))
    try:
        if merkle.root_hash(reader, cp.size) != cp.root:
            rep.fail("the tree in the tiles does not reproduce the checkpoint root: tree hashes altered")
        else:
            rep.checked.append("tiles reproduce the checkpoint root")
    except (TileError, merkle.ProofError) as exc:
        rep.fail(f"tree for the checkpoint is incomplete: {exc}")
        return rep
    for text in saved:
        try:
            old = open_checkpoint(text, verifiers, cp.origin)
        except CheckpointError as exc:
            rep.fail(f"saved checkpoint: {exc}")
            continue
        if old.size > cp.size:
            rep.fail(
                f"saved checkpoint has size {old.size} but the log now publishes {cp.size}: "
                "the log was truncated or rolled back"
            )
            continue
        try:
            proof = merkle.consistency_proof(reader, old.size, cp.size)
            merkle.verify_consistency(old.size, cp.size, old.root, cp.root, proof)
            rep.checked.append(f"consistent with saved checkpoint of size {old.size}")
        except (TileError, merkle.ProofError) as exc:
            rep.fail(f"not consistent with saved checkpoint of size {old.size} (fork or rewritten history): {exc}")
    for i in entries:
        try:
            if not 0 <= i < cp.size:
                raise merkle.ProofError(f"entry {i} is not below checkpoint size {cp.size}")
            k = i // TILE_WIDTH
            bundle = src.fetch_bundle(k, tile_width(cp.size, 0, k))
            if i % TILE_WIDTH >= len(bundle):
                raise TileError(f"entry {i} is missing from its bundle")
            e = bundle[i % TILE_WIDTH]
            proof = merkle.inclusion_proof(reader, i, cp.size)
            merkle.verify_inclusion(i, cp.size, merkle.leaf_hash(e), proof, cp.root)
            rep.checked.append(f"entry {i} included")
        except (TileError, merkle.ProofError) as exc:
            rep.fail(f"entry {i}: {exc}")
    if full:
        _full_audit(src, reader, cp.size, rep)
    return rep


def verify_tiles(location: str, verifiers: Sequence[Verifier], **kw: Any) -> Report:
    """Verify a tiles tree (directory or http(s) URL); needs no database access."""
    return verify_source(TileSource(location), verifiers, **kw)


def verify_store(store: Store, verifiers: Sequence[Verifier], *, saved: Sequence[str] = (), **kw: Any) -> Report:
    """Full audit of a database: every stored checkpoint must be a prefix of the latest one."""
    try:
        size, _ = store.tree()
        stored = [n for _, n in store.checkpoints()]
    except Exception as exc:  # noqa: BLE001 - a damaged database file raises driver-specific errors
        rep = Report()
        rep.fail(f"the audit database cannot be read (damaged or truncated file): {exc}")
        return rep
    kw.setdefault("full", True)
    return verify_source(StoreSource(store), verifiers, saved=[*stored[:-1], *saved], db_size=size, **kw)
