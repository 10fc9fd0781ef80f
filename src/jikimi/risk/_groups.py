"""Vectorised grouping: integer codes for columns and for combinations of columns.

Why a module of its own: every figure in :mod:`jikimi.risk` (class sizes, l, t, risk, loss)
and every node the lattice search visits starts from "which equivalence class is each row in".
Doing that with pyarrow's dictionary encoding and numpy arithmetic (mixed-radix keys, then a
``bincount`` or a sort) keeps it at a few passes over integer arrays, never a Python loop over
rows — pyCANON's per-class ``DataFrame.iloc`` loop is what makes it slow on large tables.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_DENSE_LIMIT = 1 << 24
"""Largest key space counted with ``bincount`` (a dense array of this many int64 is 128 MB)."""
_KEY_LIMIT = 1 << 62


def encode(column: Any) -> tuple[IntArray, list[Any]]:
    """``(codes, values)``: the code of each row and the distinct values (null is one value).

    Accepts a pyarrow Array/ChunkedArray (or anything ``pa.array`` takes).
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    elif not isinstance(column, pa.Array):
        column = pa.array(column)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    enc = pc.dictionary_encode(column, null_encoding="encode")
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return codes, enc.dictionary.to_pylist()


def encode_all(columns: Sequence[Any]) -> list[tuple[IntArray, list[Any]]]:
    """:func:`encode` for several columns, in threads: pyarrow's hashing releases the GIL, so
    the columns of a wide QI set are encoded in parallel (the bulk of a ``measure`` call)."""
    if len(columns) <= 1:
        return [encode(c) for c in columns]
    workers = min(len(columns), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(encode, columns))


def combine(codes: Sequence[IntArray], cards: Sequence[int]) -> tuple[IntArray, int]:
    """``(ids, n)``: dense group ids ``0..n-1`` for the row-wise combination of ``codes``.

    ``cards[i]`` bounds ``codes[i]`` (all codes are ``< cards[i]``). Ids follow the combined
    key's order when the key space is small (dense count), first appearance otherwise.
    """
    if not codes:
        raise ValueError("combine needs at least one column")
    size = len(codes[0])
    key = codes[0].astype(np.int64, copy=True)
    space = max(int(cards[0]), 1)
    for col, card in zip(codes[1:], cards[1:], strict=True):
        card = max(int(card), 1)
        if space * card >= _KEY_LIMIT:
            key, space = _compress(key, space, size)
            if space * card >= _KEY_LIMIT:  # pragma: no cover - needs > 2**31 rows
                raise OverflowError("too many distinct combinations")
        key *= card
        key += col
        space *= card
    return _compress(key, space, size)


def _compress(key: IntArray, space: int, size: int) -> tuple[IntArray, int]:
    if space <= min(_DENSE_LIMIT, 4 * size + 1024):
        present = np.bincount(key, minlength=space) > 0
        remap = np.cumsum(present, dtype=np.int64) - 1
        return remap[key], int(remap[-1]) + 1 if space else 0
    # hash, not sort: pyarrow's dictionary encoding is 2-3x faster than np.unique on 1M keys
    enc = pc.dictionary_encode(pa.array(key, type=pa.int64()))
    ids = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return ids, len(enc.dictionary)
