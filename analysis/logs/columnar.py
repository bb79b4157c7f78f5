"""Integer codes and Arrow text columns: the row machinery of the clean training log.

A log of a million rows holds a few hundred distinct spellings: the cleaner works on
integer codes into small tables of distinct values and builds each output column with
one gather. These helpers number, order and gather those codes without Python per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "TEXT_POOL",
    "first_index",
    "pair_codes",
    "rows_in_file_order",
    "sort_order",
    "sort_rows",
    "text_column",
    "tuple_codes",
]

#: Arrow allocates the clean table's text with the C allocator rather than its default
#: pool (mimalloc): in a fresh process that measured faster (benchmarks/clean_log.py),
#: the C allocator handing back memory the CSV reader has just freed.
TEXT_POOL = pa.system_memory_pool()


def text_column(values: np.ndarray, codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a pandas ``string`` Series (code -1 or a ``None`` value -> NA).

    Built from the few distinct values without Python per row: one Arrow ``take``, or,
    when every value has the same length in bytes (athlete ids like ``A017``, the file
    name of a one-file log), a NumPy gather of fixed-width bytes (several times faster).
    """
    encoded = [None if v is None else str(v).encode("utf-8") for v in values]
    widths = {len(e) for e in encoded if e is not None}
    if len(widths) == 1 and (width := widths.pop()) > 0:
        return pd.Series(pd.arrays.ArrowStringArray(_fixed_width(encoded, width, codes)))
    dictionary = pa.array([*values, None], type=pa.large_string())
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, len(values), codes)  # the null slot
    return pd.Series(pd.arrays.ArrowStringArray(pc.take(dictionary, codes, memory_pool=TEXT_POOL)))


def _fixed_width(encoded: list[bytes | None], width: int, codes: np.ndarray) -> pa.Array:
    """``encoded[codes]`` as an Arrow ``large_string`` array, all values ``width`` bytes long.

    The data buffer is one NumPy gather of ``width``-byte rows and the offsets a range;
    a null takes ``width`` bytes too (Arrow allows any length under a null).
    """
    pad = b"\0" * width
    n = len(codes)
    valid = np.append([e is not None for e in encoded], False)[codes]
    nulls = n - int(np.count_nonzero(valid))
    if len(encoded) == 1:  # one value (the file name): the same bytes n times
        data = pa.py_buffer((encoded[0] or pad) * n)  # a bytes repeat: memcpy doubling
    else:  # rows of a (values x width) byte table; code -1: the last (null) slot
        table = np.frombuffer(b"".join([e or pad for e in encoded] + [pad]), dtype=np.uint8)
        data = pa.py_buffer(np.take(table.reshape(-1, width), codes, axis=0))
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), data, bitmap, nulls)


def first_index(codes: np.ndarray) -> np.ndarray:
    """Row of the first occurrence of each code ``0..k-1`` (O(n), no sort)."""
    k = int(codes.max()) + 1 if len(codes) else 0
    first = np.empty(k, dtype=np.int64)
    rows = np.arange(len(codes), dtype=np.int32 if len(codes) < 2**31 else np.int64)
    first[codes[::-1]] = rows[::-1]  # the last write per code is its smallest row
    return first


def sort_order(*keys: np.ndarray) -> np.ndarray:
    """Stable order of rows by non-negative integer keys, the most significant first.

    The keys and then the row number are packed into one unsigned 64-bit integer: every
    packed value is distinct, so NumPy's (unstable, vectorised) sort of the values gives
    the stable order, read back from the low bits. Several times faster than
    ``np.lexsort`` on a million rows. Keys that need more than 64 bits together with the
    row number fall back to ``np.lexsort``.
    """
    n = len(keys[0])
    bits = [max(int(k.max()), 1).bit_length() if n else 1 for k in keys]
    row_bits = max(n - 1, 1).bit_length()
    if sum(bits) + row_bits > 64:
        return np.lexsort(keys[::-1])
    kind = np.uint64
    packed = np.zeros(n, dtype=kind)
    for k, b in zip(keys, bits, strict=True):
        packed <<= kind(b)
        packed |= k.astype(kind)
    packed <<= kind(row_bits)
    packed |= np.arange(n, dtype=kind)
    packed.sort()
    packed &= kind((1 << row_bits) - 1)
    return packed.astype(np.intp)


def sort_rows(rows: np.ndarray, *keys: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``rows`` stably ordered by the keys ``table[codes[rows]]``, the most significant first.

    The same order as ``rows[sort_order(*(table[codes[rows]] for table, codes in keys))]``
    for small non-negative integer ``table`` s (a value per distinct spelling): each
    table is shifted into its place of the packed 64-bit key once, so a row costs one
    gather per key (no key array of its own to widen and shift).
    """
    n = len(rows)
    bits = [max(int(table.max(initial=0)), 1).bit_length() for table, _ in keys]
    row_bits = max(n - 1, 1).bit_length()
    shift = sum(bits) + row_bits
    if shift > 64:
        return rows[sort_order(*(table[codes[rows]] for table, codes in keys))]
    kind = np.uint64
    packed = np.arange(n, dtype=kind)  # the row's place: ties keep their order
    for (table, codes), b in zip(keys, bits, strict=True):
        shift -= b
        packed |= (table.astype(kind) << kind(shift)).take(codes.take(rows))
    packed.sort()
    packed &= kind((1 << row_bits) - 1)
    return rows.take(packed.view(np.int64))


def rows_in_file_order(src: np.ndarray, row: np.ndarray) -> bool:
    """Do the rows of each file come in ascending row order, each file in one block?"""
    if len(src) < 2:
        return True
    rising = row[1:] > row[:-1]
    if src.min() == src.max():
        return bool(rising.all())
    same = src[1:] == src[:-1]
    blocks = int((~same).sum()) + 1
    return blocks == np.count_nonzero(np.bincount(src)) and bool(rising[same].all())


def tuple_codes(*arrays: np.ndarray) -> np.ndarray:
    """One code per distinct tuple of aligned integer arrays (order of first appearance)."""
    out = np.zeros(len(arrays[0]), dtype=np.int64)
    for a in arrays:
        codes, uniques = pd.factorize(a)
        out, _ = pd.factorize(out * (len(uniques) + 1) + codes)
        out = out.astype(np.int64)
    return out


def pair_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense codes ``0..k-1`` of the distinct pairs of two integer code arrays (codes >= -1).

    The pair space of coach-log codes is small (a few thousand), so the pairs are
    renumbered through a table over it rather than hashed.
    """
    width = int(b.max(initial=-1)) + 2
    if len(a) and a.min() == a.max():  # one value of a (one file): the codes of b
        key, size = b.astype(np.int64) + 1, width
    else:
        key = (a.astype(np.int64) + 1) * width + (b + 1)
        size = (int(a.max(initial=-1)) + 2) * width
    if size > 4 * len(key) + (1 << 20):
        return pd.factorize(key)[0].astype(np.int32)
    present = np.zeros(size, dtype=bool)
    present[key] = True
    remap = (np.cumsum(present, dtype=np.int64) - 1).astype(np.int32)
    return remap[key]
