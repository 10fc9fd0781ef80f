"""C2SP ``tlog-tiles``: tile paths, subtree hashes from tiles, and the static tiles tree writer.

Hand-written (no Python implementation of tlog-tiles exists). Facts used from the spec:

* ``tile/<L>/<N>[.p/<W>]`` holds up to 256 consecutive hashes at tree height ``8*L``; level-0
  tiles hold leaf hashes; ``<N>`` is split in 3-digit groups, all but the last prefixed ``x``
  (1234067 -> ``x001/x234/067``); ``.p/<W>`` marks a partial tile of width 1..255;
* ``tile/entries/<N>[.p/<W>]`` are entry bundles: big-endian uint16 length-prefixed entries;
* ``checkpoint`` is the signed checkpoint note.

The store keeps the tree as exactly these tiles (one row per tile), so serving, proving and
verifying all read the same O(log n) tiles, and the hashes inside a tile (heights ``8L+1`` ..
``8L+7``) are recomputed from its 256 hashes — at most 255 hash operations per tile, cached
for immutable (full) tiles.
"""

from __future__ import annotations

import hashlib
import os
import struct
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

from jikimi.audit import merkle

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY = 0xFFFF

TileFetch = Callable[[int, int, int], bytes]
"""``fetch(level, index, width)`` -> at least ``width`` hashes of that tile (32 bytes each)."""


class TileError(LookupError):
    """A tile or bundle is missing or malformed."""


def encode_index(n: int) -> str:
    s = str(n)
    s = "0" * (-len(s) % 3) + s
    groups = [s[i : i + 3] for i in range(0, len(s), 3)]
    return "/".join(["x" + g for g in groups[:-1]] + groups[-1:])


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    suffix = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/{level}/{encode_index(index)}{suffix}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    suffix = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/entries/{encode_index(index)}{suffix}"


def parse_path(path: str) -> tuple[str, int, int]:
    """``tile/...`` -> (``"entries"`` or the level as a string, index, width)."""
    parts = path.strip("/").split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise TileError(f"not a tile path: {path}")
    kind, rest = parts[1], parts[2:]
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width = int(rest[-1])
        rest = rest[:-2] + [rest[-2][:-2]]
    digits = "".join(g.removeprefix("x") for g in rest)
    if not digits.isdigit() or not 1 <= width <= TILE_WIDTH:
        raise TileError(f"not a tile path: {path}")
    return kind, int(digits), width


def tile_width(size: int, level: int, index: int) -> int:
    """Width of tile ``(level, index)`` in a tree of ``size`` leaves (0 if it does not exist)."""
    n = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, n - index * TILE_WIDTH))


def tile_levels(size: int) -> int:
    levels = 0
    while size >> (TILE_HEIGHT * levels):
        levels += 1
    return levels


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    out = bytearray()
    for e in entries:
        if len(e) > MAX_ENTRY:
            raise TileError(f"entry of {len(e)} bytes is too long for a bundle")
        out += struct.pack(">H", len(e)) + e
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileError("entry bundle ends inside a length prefix")
        (n,) = struct.unpack_from(">H", data, pos)
        if pos + 2 + n > len(data):
            raise TileError("entry bundle ends inside an entry")
        out.append(data[pos + 2 : pos + 2 + n])
        pos += 2 + n
    return out


class TileCache:
    """LRU of in-tile hash levels, keyed by (level, index, width): a tile's content at a given
    width never changes, so caching is safe for partial tiles too."""

    def __init__(self, max_tiles: int = 2048) -> None:
        self.max_tiles = max_tiles
        self._d: OrderedDict[tuple[int, int, int], list[list[bytes]]] = OrderedDict()

    def get(self, key: tuple[int, int, int]) -> list[list[bytes]] | None:
        v = self._d.get(key)
        if v is not None:
            self._d.move_to_end(key)
        return v

    def put(self, key: tuple[int, int, int], v: list[list[bytes]]) -> None:
        self._d[key] = v
        if len(self._d) > self.max_tiles:
            self._d.popitem(last=False)


def _levels(hashes: list[bytes]) -> list[list[bytes]]:
    """The in-tile levels above ``hashes`` (RFC 6962 node hashes, written out inline: this
    loop is most of a cold proof's time, and the call per node cost 10 %)."""
    levels = [hashes]
    cur = hashes
    sha256 = hashlib.sha256
    while len(cur) > 1:
        pairs = iter(cur)
        cur = [sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs)]
        levels.append(cur)
    return levels


def split_hashes(data: bytes, width: int) -> list[bytes]:
    if len(data) < width * merkle.HASH_SIZE:
        raise TileError(f"tile has {len(data) // merkle.HASH_SIZE} hashes, expected {width}")
    return [data[i * 32 : i * 32 + 32] for i in range(width)]


class TileHashReader:
    """A :class:`jikimi.audit.merkle.SubtreeSource` over tiles for a tree of ``size`` leaves."""

    def __init__(self, fetch: TileFetch, size: int, cache: TileCache | None = None) -> None:
        self.fetch = fetch
        self.size = size
        self.cache = cache if cache is not None else TileCache(64)

    def tile_hashes(self, level: int, index: int) -> list[list[bytes]]:
        width = tile_width(self.size, level, index)
        if width == 0:
            raise merkle.ProofError(f"tile {level}/{index} is beyond tree size {self.size}")
        key = (level, index, width)
        lv = self.cache.get(key)
        if lv is None:
            lv = _levels(split_hashes(self.fetch(level, index, width), width))
            self.cache.put(key, lv)
        return lv

    def perfect_hash(self, height: int, index: int) -> bytes:
        level, r = divmod(height, TILE_HEIGHT)
        first = index << r
        tidx, off = divmod(first, TILE_WIDTH)
        lv = self.tile_hashes(level, tidx)
        row = lv[r] if r < len(lv) else []
        if (off >> r) >= len(row):
            raise merkle.ProofError(f"subtree {height}/{index} is not complete in tree size {self.size}")
        return row[off >> r]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_tiles(
    out: Path,
    size: int,
    checkpoint: str,
    fetch_tile: TileFetch,
    fetch_entries: Callable[[int, int], list[bytes]],
) -> int:
    """Write the static tiles tree for ``size`` into ``out`` (checkpoint last, atomically, so a
    reader never sees a checkpoint whose tiles are missing). Full tiles that already exist are
    immutable and skipped. Returns the number of files written."""
    written = 0
    for level in range(tile_levels(size)):
        n = size >> (TILE_HEIGHT * level)
        for idx in range((n + TILE_WIDTH - 1) // TILE_WIDTH):
            w = tile_width(size, level, idx)
            p = out / tile_path(level, idx, w)
            if w == TILE_WIDTH and p.exists():
                continue
            _atomic_write(p, fetch_tile(level, idx, w)[: w * merkle.HASH_SIZE])
            written += 1
    for idx in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        w = tile_width(size, 0, idx)
        p = out / entries_path(idx, w)
        if w == TILE_WIDTH and p.exists():
            continue
        _atomic_write(p, encode_bundle(fetch_entries(idx * TILE_WIDTH, idx * TILE_WIDTH + w)))
        written += 1
    _atomic_write(out / "checkpoint", checkpoint.encode())
    return written + 1


class TileSource:
    """Reads a tiles tree from a directory or an http(s) URL prefix."""

    def __init__(self, location: str | Path, timeout: float = 30.0) -> None:
        self.location = str(location)
        self.is_url = self.location.startswith(("http://", "https://"))
        self.timeout = timeout

    def read(self, path: str) -> bytes:
        if self.is_url:
            url = self.location.rstrip("/") + "/" + path
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as r:
                    data: bytes = r.read()
                    return data
            except urllib.error.HTTPError as exc:
                raise TileError(f"{url}: HTTP {exc.code}") from None
            except urllib.error.URLError as exc:
                raise TileError(f"{url}: {exc.reason}") from None
        p = Path(self.location) / path
        try:
            return p.read_bytes()
        except FileNotFoundError:
            raise TileError(f"{path} is missing from {self.location}") from None

    def fetch_tile(self, level: int, index: int, width: int) -> bytes:
        return self.read(tile_path(level, index, width))

    def fetch_bundle(self, index: int, width: int) -> list[bytes]:
        return decode_bundle(self.read(entries_path(index, width)))
