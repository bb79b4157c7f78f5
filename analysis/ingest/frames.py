"""Raw frames: cells as text, in the form the cleaners read.

Every raw table comes out of here with all cells as pandas strings (``NA`` for an empty
cell) and two extra columns:

``source``
    The file name relative to the data directory; for a workbook ``file.xlsx#Sheet``.
``source_row``
    The row number a coach sees in the spreadsheet: the header is row 1, so the first
    data row is row 2.

With ``categorical`` the same text comes dictionary-encoded: every column a
``category`` whose categories are the stripped distinct values, the form the cleaners
read fastest; :func:`as_text` turns it back into ``string`` columns and
:func:`concat_raw` stacks such frames without losing the encoding.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..distinct import strip_distinct


@dataclass(frozen=True)
class RawTable:
    """One sheet of one raw file, all cells as strings."""

    source: str
    frame: pd.DataFrame


def cell_to_text(value: object) -> object:
    """One cell's value as the text a coach would type (``NA`` for an empty cell).

    A date as ``2026-03-02`` (with `` 10:30:00`` when it has a time), a duration or a
    time of day as ``m:ss.ff``, a whole float without ``.0``, text stripped.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return pd.NA
    if isinstance(value, _dt.datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        # A duration cell ([m]:ss.00) -> m:ss.ff, like a time typed into Excel
        total = value.total_seconds()
        sign, total = ("-", -total) if total < 0 else ("", total)
        return f"{sign}{int(total // 60)}:{total % 60:05.2f}"
    if isinstance(value, _dt.time):
        # A time typed into Excel (0:52.34 read as a time of day) -> m:ss.ff
        total = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f"{int(total // 60)}:{total % 60:05.2f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text if text else pd.NA


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    """All columns to pandas ``string`` with stripped text and NA for empty cells."""
    out = {}
    for col in df.columns:
        s = df[col]
        if s.dtype == object:
            # Parse each distinct raw value once.
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            texts = np.array([cell_to_text(v) for v in uniques] + [pd.NA], dtype=object)
            s = pd.Series(texts[codes], index=df.index)
        out[col] = _strip_to_na(s)
    return pd.DataFrame(out, index=df.index)


def _strip_to_na(s: pd.Series) -> pd.Series:
    """Strip whitespace and turn empty cells into NA, in Arrow (no Python per cell).

    A column that needs no change (the usual case) is returned as it is, without a copy.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    s = s.astype("string")
    arr = s.array.__arrow_array__()
    trimmed = pc.utf8_trim_whitespace(arr)
    changed = not pc.all(pc.equal(trimmed, arr), skip_nulls=True).as_py()
    if not changed and not pc.any(pc.equal(arr, ""), skip_nulls=True).as_py():
        return s
    arr = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=s.index)


def _clean_headers(df: pd.DataFrame, source: str) -> pd.DataFrame:
    cols = []
    for i, c in enumerate(df.columns):
        text = "" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c).strip()
        if text.startswith("Unnamed:") or text == "":
            text = f"column_{i + 1}"
        cols.append(text)
    df = df.set_axis(cols, axis=1)
    # drop columns that are entirely empty and unnamed (stray Excel formatting)
    empty_unnamed = [c for c in df.columns if c.startswith("column_") and df[c].isna().all()]
    return df.drop(columns=empty_unnamed)


def finish_frame(
    df: pd.DataFrame, source: str, *, categorical: bool = False, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """A parsed table as a raw frame: headers named, cells as text, blank rows dropped.

    ``source`` and ``source_row`` are added (``rows``: each row's spreadsheet number; by
    default 2, 3, ...); with ``categorical`` the columns come dictionary-encoded.
    """
    import pyarrow as pa

    df = _clean_headers(df, source)
    if categorical:
        return _finish_categories(_as_categories(df), len(df), source, rows)
    df = _as_strings(df)
    n = len(df)
    # Fully blank rows (spacer rows in spreadsheets) are not data; they are dropped here
    # and never counted, like blank lines.
    blank = df.isna().all(axis=1).to_numpy() if df.shape[1] else np.ones(n, dtype=bool)
    rows = np.arange(2, n + 2, dtype="int64") if rows is None else rows
    if blank.any():
        df, rows = df.loc[~blank].reset_index(drop=True), rows[~blank]
    # One file name repeated per row, built in Arrow (a broadcast string costs more).
    names = pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(source, type=pa.string()), len(df)))
    return df.assign(
        source=pd.Series(names, index=df.index),
        source_row=pd.arrays.IntegerArray(rows, np.zeros(len(rows), dtype=bool)),
    )


def _finish_categories(
    columns: dict[str, pd.Categorical], n: int, source: str, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """The categorical twin of :func:`finish_frame`: blank rows dropped, ``source`` and row added."""
    rows = np.arange(2, n + 2, dtype="int64") if rows is None else rows
    codes = [c.codes for c in columns.values()]
    # a row is blank when every column is; a column never empty rules that out at once
    if not codes or all(len(c) and c.min() < 0 for c in codes):
        blank = np.logical_and.reduce([c < 0 for c in codes]) if codes else np.ones(n, bool)
        if blank.any():
            columns = {k: c[~blank] for k, c in columns.items()}
            rows = rows[~blank]
    names = pd.Categorical.from_codes(
        np.zeros(len(rows), dtype=np.int8),
        dtype=pd.CategoricalDtype(pd.Index([source], dtype="string")),
    )
    columns = {**columns, "source": names,
               "source_row": pd.arrays.IntegerArray(rows, np.zeros(len(rows), dtype=bool))}  # fmt: skip
    return pd.DataFrame(columns, copy=False)


def _as_categories(df: pd.DataFrame) -> dict[str, pd.Categorical]:
    """Every column as a Categorical of stripped text categories (empty cells NA).

    The dictionary-encoded twin of :func:`_as_strings`: each column is encoded once (text
    columns in Arrow, on threads), and every later step works on the codes and the few
    distinct values instead of a million strings.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def encode(col: str) -> pd.Categorical:
        s = df[col]
        if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
            enc = pc.dictionary_encode(s.array.__arrow_array__())
            chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
            # one hash table encodes every chunk: they share one dictionary
            if chunks and all(c.dictionary.equals(chunks[-1].dictionary) for c in chunks):
                texts = np.asarray(chunks[-1].dictionary.to_pylist(), dtype=object)
                # a null cell is a null index: -1, the NA code
                parts = [(c.indices.fill_null(-1) if c.null_count else c.indices) for c in chunks]
                return _categorical([c.to_numpy() for c in parts], texts)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return _categorical([codes], np.array([cell_to_text(v) for v in uniques], dtype=object))

    cols = list(df.columns)
    if len(df) >= 100_000 and len(cols) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(len(cols), os.cpu_count() or 1)) as pool:
            encoded = list(pool.map(encode, cols))
    else:
        encoded = [encode(c) for c in cols]
    return dict(zip(cols, encoded, strict=True))


def _categorical(codes: list[np.ndarray], texts: np.ndarray) -> pd.Categorical:
    """A Categorical from (chunks of) codes into raw ``texts`` (-1: NA).

    The texts are stripped, empty text becomes NA and texts equal after stripping merge.
    """
    remap, categories = strip_distinct(texts)
    k = len(categories)
    kind = np.int8 if k < 127 else np.int16 if k < 32767 else np.int32
    if k == len(texts) and (remap == np.arange(k)).all():  # the usual case: one pass
        out = np.concatenate(codes, dtype=kind, casting="same_kind") if codes else np.zeros(0, kind)
    else:
        remap = np.append(remap, -1).astype(kind)  # a null cell keeps the NA slot
        out = np.concatenate([remap[c] for c in codes]) if codes else np.zeros(0, kind)
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="string"))
    return pd.Categorical.from_codes(out, dtype=dtype, validate=False)


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """A raw frame read with ``categorical=True``, with its ``category`` columns as ``string``."""
    cats = [c for c, t in df.dtypes.items() if isinstance(t, pd.CategoricalDtype)]
    if not cats:
        return df
    return df.astype(dict.fromkeys(cats, "string"))


def concat_raw(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack raw frames, keeping ``category`` columns categorical (categories unioned).

    ``pandas.concat`` turns categoricals with different categories into object columns; a
    log spread over several files stays dictionary-encoded here. A column missing from a
    frame is NA there.
    """
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    out = {}
    for col in columns:
        parts = [
            f[col] if col in f.columns else pd.Series(pd.NA, f.index, dtype="string", name=col)
            for f in frames
        ]
        out[col] = _stack_arrow_texts(parts)
        if out[col] is None:
            out[col] = _stack_categories(parts)
        if out[col] is None:
            texts = [p.astype("string") if isinstance(p.dtype, pd.CategoricalDtype) else p
                     for p in parts]  # fmt: skip
            out[col] = pd.concat(texts, ignore_index=True)
    return pd.DataFrame(out)


def _stack_arrow_texts(parts: list[pd.Series]) -> pd.Series | None:
    """Arrow text parts (a grid's sheets) stacked as the chunks of one column; else None.

    What ``pandas.concat`` makes of them (one chunk per part), without its index and
    alignment work: ~0.5 ms a column, 8 columns a workbook of grids.
    """
    import pyarrow as pa

    arrays = []
    for p in parts:
        if not (isinstance(p.dtype, pd.StringDtype) and p.dtype.storage == "pyarrow"
                and p.dtype.na_value is pd.NA):  # fmt: skip
            return None
        arr = p.array.__arrow_array__()
        if arr.type != pa.large_string():
            arr = arr.cast(pa.large_string())
        arrays += arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(arrays, pa.large_string())))


def _stack_categories(parts: list[pd.Series]) -> pd.Series | None:
    """Categorical parts (or all-NA ones) stacked with their categories unioned; else None."""
    from pandas.api.types import union_categoricals

    if not all(isinstance(p.dtype, pd.CategoricalDtype) or p.isna().all() for p in parts):
        return None
    parts = [
        p
        if isinstance(p.dtype, pd.CategoricalDtype)
        else pd.Series(
            pd.Categorical.from_codes(
                np.full(len(p), -1, np.int8),
                dtype=pd.CategoricalDtype(pd.Index([], dtype="string")),
            )
        )
        for p in parts
    ]
    try:
        return pd.Series(union_categoricals(parts, ignore_order=True))
    except TypeError:  # categories of different types: stacked as text instead
        return None


def frame_from_rows(
    rows: list[tuple[int, list]], source: str, categorical: bool = False
) -> pd.DataFrame:
    """A raw frame from ``(row, cells)`` rows: the first is the header, the rest data.

    ``source_row`` is each row's own number (rows left out as blank keep the numbers of
    the rows around them right).
    """
    header = rows[0][1]
    data = rows[1:]
    width = max([len(header), *(len(c) for _, c in data)])
    columns = [*header, *([None] * (width - len(header)))]
    body = [c + [None] * (width - len(c)) for _, c in data]
    df = (
        pd.DataFrame(body, columns=range(width), dtype=object)
        if body
        else pd.DataFrame(columns=range(width), dtype=object)
    )
    df.columns = columns
    numbers = np.fromiter((r for r, _ in data), dtype=np.int64, count=len(data))
    return finish_frame(df, source, categorical=categorical, rows=numbers)


__all__ = [
    "RawTable",
    "as_text",
    "cell_to_text",
    "concat_raw",
    "finish_frame",
    "frame_from_rows",
]
