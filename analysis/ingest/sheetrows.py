"""A workbook sheet's cells as rows of text, within the limits of a sheet.

Whatever reads the sheet (calamine for XLSX and ODS, openpyxl's streaming where calamine
cannot serve), its values become the same text here: dates, times and durations as
:func:`analysis.ingest.frames.cell_to_text` writes them, numbers without a spurious
``.0``, booleans ``True``/``False``. A row is cut after its last non-empty cell; blank
rows are left out. Limits: :data:`analysis.config.MAX_FIELDS` columns with data,
:data:`analysis.config.MAX_ROWS` rows, :data:`analysis.config.MAX_CELLS` non-empty
cells per sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import config
from .bounds import limit_error
from .frames import cell_to_text

Row = tuple[int, list]


@dataclass
class SheetCells:
    """One workbook sheet's non-blank rows."""

    name: str
    rows: list[Row]


def _text_of(cell: object) -> object:
    value = cell_to_text(cell)
    return None if value is None or value is pd.NA else value


def _texts(values, known: dict) -> list:
    """A row's cells as stripped text, ``None`` for empty.

    Text cells need no call; any other value is turned into text once per distinct value
    (``known`` maps it to its text: a sheet has a few hundred distinct numbers and dates).
    A boolean is never looked up there, as ``True == 1``.
    """
    out = []
    append = out.append
    for v in values:
        cls = v.__class__
        if cls is str:
            append(v.strip() or None)
        elif v is None:
            append(None)
        elif cls is bool:
            append(_text_of(v))
        else:
            text = known.get(v, known)
            if text is known:
                text = known[v] = _text_of(v)
            append(text)
    return out


#: Rows of a calamine grid turned into text at a time (bounds the columns' copies).
_BLOCK_ROWS = 1 << 15


def grid_texts(grid: list[list], row0: int, col0: int) -> Iterator[tuple[int, list]]:
    """``(row number, texts)`` of calamine's rows, converted a column at a time.

    A column's distinct values are turned into text once each (``set`` and ``map`` in
    C, no Python call a cell); a column holding a boolean is converted cell by cell, as
    ``True == 1`` would merge it with a number. ``row0``/``col0``: the grid's first row
    and column (0-based), the columns before it come back as empty cells.
    """
    pad = [None] * col0
    for lo in range(0, len(grid), _BLOCK_ROWS):
        block = grid[lo : lo + _BLOCK_ROWS]
        cols = []
        for col in zip(*block, strict=True):
            kinds = set(map(type, col))
            if bool in kinds:
                cols.append(_texts(col, {}))
                continue
            texts = {
                v: (v.strip() or None) if v.__class__ is str else _text_of(v) for v in set(col)
            }
            cols.append(list(map(texts.__getitem__, col)))
        del block
        for i, texts in enumerate(zip(*cols, strict=True), start=lo + row0 + 1):
            yield i, pad + list(texts) if col0 else list(texts)


def sheet_rows(
    numbered: Iterable[tuple[int, list]], sheet_label: str, *, as_text: bool = False
) -> list[Row]:
    """``(row number, values)`` of one sheet -> its non-blank rows, within the limits.

    ``as_text``: the values are text already (:func:`grid_texts`).
    """
    rows: list[Row] = []
    cells = 0
    known: dict = {}
    for r, values in numbered:
        if not values:
            continue
        texts = values if as_text else _texts(values, known)
        last = len(texts)
        while last and texts[last - 1] is None:
            last -= 1
        if not last:
            continue
        if last > config.MAX_FIELDS:
            # only the columns really used count: a row of one far cell is
            # kept as that cell (its column position is lost, it is alone)
            used = [t for t in texts[:last] if t is not None]
            if len(used) > config.MAX_FIELDS:
                raise limit_error(
                    sheet_label, "the number of cells in a row", config.MAX_FIELDS,
                    "MAX_FIELDS", r,
                )  # fmt: skip
            texts = _compact(texts[:last])
            last = len(texts)
        cells += last
        if cells > config.MAX_CELLS:
            raise limit_error(sheet_label, "the number of cells", config.MAX_CELLS,
                               "MAX_CELLS")  # fmt: skip
        if r > config.MAX_ROWS and len(rows) >= config.MAX_ROWS:
            raise limit_error(sheet_label, "the number of rows", config.MAX_ROWS,
                               "MAX_ROWS")  # fmt: skip
        rows.append((r, texts if last == len(texts) else texts[:last]))
    return _trim_columns(rows)


def _compact(texts: list) -> list:
    """A row of a few cells far to the right: its non-empty cells, in order."""
    return [t for t in texts if t is not None]


def _trim_columns(rows: list[Row]) -> list[Row]:
    """Drop columns empty in every row (a stray formatted cell far to the right)."""
    if not rows:
        return rows
    width = max(len(c) for _, c in rows)
    if width <= 64:
        return rows
    used = np.zeros(width, dtype=bool)
    for _, c in rows:
        used[: len(c)] |= np.array([v is not None for v in c], dtype=bool)
    if used.all():
        return rows
    keep = np.flatnonzero(used)
    return [(r, [c[j] if j < len(c) else None for j in keep]) for r, c in rows]


__all__ = [
    "Row",
    "SheetCells",
    "grid_texts",
    "sheet_rows",
]
