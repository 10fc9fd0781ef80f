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


def _dictionary(column: Any) -> Any:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    elif not isinstance(column, pa.Array):
        column = pa.array(column)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return pc.dictionary_encode(column, null_encoding="encode")


def encode(column: Any) -> tuple[IntArray, list[Any]]:
    """``(codes, values)``: the code of each row and the distinct values (null is one value).

    Accepts a pyarrow Array/ChunkedArray (or anything ``pa.array`` takes).
    """
    enc = _dictionary(column)
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return codes, enc.dictionary.to_pylist()


_LONG_TEXT = 20
"""Bytes per row (data and offsets) from which a text column is grouped by Acero's hash
grouper instead of ``dictionary_encode`` (see :func:`encode_codes`)."""


def _plain(column: Any) -> Any:
    if not isinstance(column, (pa.Array, pa.ChunkedArray)):
        column = pa.array(column)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column


def _is_long_text(column: Any) -> bool:
    t = column.type
    text = pa.types.is_string(t) or pa.types.is_large_string(t)
    text = text or pa.types.is_binary(t) or pa.types.is_large_binary(t)
    return bool(text and len(column) and column.nbytes >= _LONG_TEXT * len(column))


def _grouper_codes(column: Any) -> tuple[IntArray, int]:
    """Codes of a text column from Acero's hash group-by: each group's row numbers come back as
    one list, and the group number is scattered to those rows.

    Why not ``dictionary_encode``: for long, high-cardinality text (addresses: 140,000 distinct
    values of ~35 bytes in 1 M rows) its one-row-at-a-time hash table is bound by cache misses;
    Acero's grouper probes in SIMD mini-batches and, with the scatter, needed 15-30 % less CPU
    in repeated runs on the benchmark's address column. Short or low-cardinality text
    stays with ``dictionary_encode``, which is cheaper there than building the row lists.
    Nulls form one group in both, so the groups are the same.
    """
    n = len(column)
    rows = pa.array(np.arange(n, dtype=np.int64))
    grouped = (
        pa.table({"v": column, "r": rows})
        .group_by(["v"], use_threads=False)
        .aggregate([("r", "list")])
    )
    lists = grouped.column("r_list").combine_chunks()
    members = lists.flatten().to_numpy()
    sizes = np.diff(lists.offsets.to_numpy())
    codes = np.empty(n, dtype=np.int64)
    codes[members] = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    return codes, len(sizes)


def encode_codes(column: Any) -> tuple[IntArray, int]:
    """``(codes, cardinality)``: the groups of :func:`encode` without the distinct values
    (codes may be numbered differently).

    For callers that only group: turning 140,000 distinct addresses into Python strings costs
    about 60 ms of a 1 M-row ``measure`` and nothing reads them.
    """
    column = _plain(column)
    if _is_long_text(column):
        return _grouper_codes(column)
    enc = _dictionary(column)
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False), len(
        enc.dictionary
    )


def _threaded(fn: Any, columns: Sequence[Any]) -> list[Any]:
    """``fn`` over ``columns`` in threads (pyarrow's hashing releases the GIL), largest column
    first: with two cores the long address column then runs beside all the short ones instead
    of after them."""
    if len(columns) <= 1:
        return [fn(c) for c in columns]
    order = sorted(range(len(columns)), key=lambda i: -_nbytes(columns[i]))
    workers = min(len(columns), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(fn, [columns[i] for i in order]))
    out: list[Any] = [None] * len(columns)
    for i, result in zip(order, done, strict=True):
        out[i] = result
    return out


def _nbytes(column: Any) -> int:
    try:
        return int(column.nbytes)
    except AttributeError:
        return 0


def encode_all(columns: Sequence[Any]) -> list[tuple[IntArray, list[Any]]]:
    """:func:`encode` for several columns, in threads (the bulk of a ``measure`` call)."""
    return _threaded(encode, columns)


def encode_codes_all(columns: Sequence[Any]) -> list[tuple[IntArray, int]]:
    """:func:`encode_codes` for several columns, in threads."""
    return _threaded(encode_codes, columns)


def group_sizes(codes: Sequence[IntArray], cards: Sequence[int]) -> IntArray:
    """Size of every group of the row-wise combination of ``codes`` (in key order).

    When only the sizes are wanted (k-only ``measure``), dense ids are not needed: the
    mixed-radix keys are sorted — numpy's SIMD sort takes ~20 ms on 1 M int64, against ~70 ms
    for hashing them in :func:`combine` — and the sizes are the lengths of the runs of equal
    keys. Same groups as :func:`combine`, so the same figures.
    """
    if not codes:
        raise ValueError("group_sizes needs at least one column")
    size = len(codes[0])
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    space = 1
    for card in cards:
        space *= max(int(card), 1)
    if space >= _KEY_LIMIT:
        ids, n = combine(codes, cards)
        counts: IntArray = np.bincount(ids, minlength=n).astype(np.int64)
        return counts
    key = codes[0].astype(np.int64, copy=True)
    for col, card in zip(codes[1:], cards[1:], strict=True):
        key *= max(int(card), 1)
        key += col
    key.sort()
    edges = np.flatnonzero(key[1:] != key[:-1]) + 1
    bounds = np.concatenate(([0], edges, [size])).astype(np.int64)
    out: IntArray = np.diff(bounds)
    return out


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
