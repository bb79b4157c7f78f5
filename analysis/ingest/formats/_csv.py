"""The apps' CSV exports as records and as one-header sheets, with the lines a coach sees.

Not a product module (its name starts with ``_``: the registry does not import it as
one). :func:`read_records` reads every record of an export (JEFIT's sectioned backup
is read this way); :func:`read_sheet` reads an export with one header (Strong, Hevy,
FitNotes) into a :class:`Sheet`: stripped text by header name, the line each row starts
on, and what is not data (the header, blank rows, lines inside a quoted cell).
"""

from __future__ import annotations

import csv
import io as _io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ... import config
from ...errors import DataError
from ..csvrows import check_line_limit
from ._text import decode

_EOL = re.compile(r"\r\n|\r|\n")


def separator(text: str) -> str:
    """The separator of a CSV text: the most frequent of ``,;\\t`` on its first non-blank
    line (``,`` on a tie)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return max((",", ";", "\t"), key=lambda c: (first.count(c), c == ","))


def _text_of(path: Path, label: str) -> str:
    """A CSV export's text within the configured limits (NUL bytes dropped)."""
    check_line_limit(path, label)
    return decode(path.read_bytes()).replace("\x00", "")


@dataclass
class Records:
    """A CSV file as records: ``(first line, fields)``, blank ones included."""

    label: str
    rows: list[tuple[int, list[str]]]
    last_line: int
    sep: str

    def line_gaps(self) -> list[tuple[int, int, str]]:
        """Lines inside a record that runs over several lines (a note with a line break)."""
        out = []
        starts = [r for r, _ in self.rows] + [self.last_line + 1]
        for (r, _), nxt in zip(self.rows, starts[1:], strict=True):
            if nxt - r > 1:
                out.append((r + 1, nxt - r - 1, f"line break inside a quoted cell of row {r}"))
        return out


def read_records(path: Path, label: str, sep: str | None = None) -> Records:
    """Every record of a CSV export (UTF-8 with or without BOM, else Windows-1252).

    Raises
    ------
    DataError
        The file is larger than the configured limits, or a quote opened in a row is
        never closed (one line naming the file and row).
    """
    return _records(_text_of(path, label), label, sep)


def _records(text: str, label: str, sep: str | None) -> Records:
    if sep is None:
        sep = separator(text)
    csv.field_size_limit(config.MAX_LINE_BYTES)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            if len(fields) > config.MAX_FIELDS:
                raise DataError(
                    f"a row has more than {config.MAX_FIELDS} fields", file=label, row=start
                )
            rows.append((start, fields))
            start = reader.line_num + 1
            if start > config.MAX_ROWS:
                raise DataError(f"more than {config.MAX_ROWS} rows", file=label)
    except csv.Error as exc:
        raise DataError(f"not a readable CSV file ({exc})", file=label, row=start) from None
    last = rows[-1][0] if rows else 0
    if rows:  # a record over several lines ends where the reader stopped
        last = max(last, reader.line_num)
    return Records(label, rows, last, sep)


@dataclass(frozen=True)
class TableShape:
    """Where an export's table stands in its file, for its :class:`Layout`."""

    header_row: int
    header: list[str]
    rows_total: int  # the file's last line
    #: ``(row, fields, extra values)`` of rows wider than the header (rejected, not read)
    ragged: list[tuple[int, int, list[str]]] = field(default_factory=list)


@dataclass
class Sheet:
    """An export with one header: its rows under the header, and what is not data."""

    header_row: int
    header: list[str]
    frame: pd.DataFrame  # stripped text by header name, NA when empty
    rows: np.ndarray  # the line each row starts on
    not_data: list[tuple[int, int, str]]
    last_line: int
    #: ``(row, fields, extra values)`` of rows wider than the header (rejected, not read)
    ragged: list[tuple[int, int, list[str]]] = field(default_factory=list)

    @property
    def shape(self) -> TableShape:
        """The sheet's header row, header, last line and ragged rows."""
        return TableShape(self.header_row, self.header, self.last_line, self.ragged)


@dataclass(frozen=True)
class _Grid:
    """Every record of a file as text cells, with the line each starts on."""

    cells: pd.DataFrame  # text, "" when empty, columns 0..width-1
    starts: np.ndarray
    gaps: list[tuple[int, int, str]]  # lines inside a record over several lines
    last_line: int


def _grid(text: str, label: str) -> _Grid:
    """The file as cells: by pandas' C parser when every record is one line, else record
    by record (a note with a line break, a ragged row)."""
    sep = separator(text)
    n_lines = len(_EOL.findall(text)) + (0 if not text or text[-1] in "\r\n" else 1)
    frame = None
    if n_lines <= config.MAX_ROWS:
        try:
            frame = pd.read_csv(_io.StringIO(text), sep=sep, header=None, dtype=str,
                                na_filter=False, skip_blank_lines=False, engine="c",
                                quotechar='"')  # fmt: skip
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError):
            frame = None
    if frame is not None and len(frame) == n_lines and frame.shape[1] <= config.MAX_FIELDS:
        starts = np.arange(1, n_lines + 1, dtype=np.int64)
        return _Grid(frame.astype("string").fillna(""), starts, [], n_lines)
    rec = _records(text, label, sep)
    width = max((len(f) for _, f in rec.rows), default=0)
    cells = pd.DataFrame([(f + [""] * width)[:width] for _, f in rec.rows], dtype="string").fillna(
        ""
    )
    starts = np.array([r for r, _ in rec.rows], dtype=np.int64)
    return _Grid(cells, starts, rec.line_gaps(), rec.last_line)


def _header(values: list) -> list[str]:
    """A header row's names: stripped, a trailing separator dropped, empty ones numbered."""
    header = [str(v).strip().lstrip("\ufeff").strip() for v in values]
    while header and not header[-1] and len(header) > 1:  # a trailing separator
        header.pop()
    return [c or f"column {j + 1}" for j, c in enumerate(header)]


def _split_wide(
    grid: _Grid, stripped: dict, keep: np.ndarray, width: int
) -> tuple[np.ndarray, list[tuple[int, int, list[str]]]]:
    """``keep`` without the rows wider than the header, and those rows as ragged."""
    cells = grid.cells
    if len(cells.columns) <= width:
        return keep, []
    extra = np.zeros(len(cells), dtype=bool)
    for c in list(stripped)[width:]:
        extra |= (stripped[c] != "").to_numpy(dtype=bool)
    ragged = []
    for i in keep[extra[keep]]:
        vals = [str(v) for v in cells.iloc[i]]
        while vals and not vals[-1].strip():
            vals.pop()
        ragged.append((int(grid.starts[i]), len(vals), vals[width:]))
    return keep[~extra[keep]], ragged


def read_sheet(path: Path, label: str, product: str) -> Sheet:
    """A one-header export (Strong, Hevy, FitNotes): its header, rows and not-data rows.

    Read by pandas' C parser when every record is one line (the usual export: a large one
    costs a fraction of a second), else record by record (:func:`read_records`: a note
    with a line break, a ragged row), so that rows keep the line numbers a coach sees.

    Raises
    ------
    DataError
        An empty file, one beyond the limits, or a quote never closed.
    """
    grid = _grid(_text_of(path, label), label)
    cells, starts = grid.cells, grid.starts
    stripped = {c: cells[c].str.strip() for c in cells.columns}
    blank = np.ones(len(cells), dtype=bool)
    for col in stripped.values():
        blank &= (col == "").to_numpy(dtype=bool)
    filled = np.flatnonzero(~blank)
    if not len(filled):
        raise DataError(f"empty {product} export", file=label)
    h = int(filled[0])
    header = _header(list(cells.iloc[h]))
    keep, ragged = _split_wide(grid, stripped, filled[1:], len(header))
    out = {}
    for j, name in enumerate(header):
        if name in out:
            continue
        col = stripped[cells.columns[j]].take(keep).reset_index(drop=True)
        out[name] = col.mask(col == "")
    not_data = [(int(starts[h]), 1, "header row")]
    not_data += [(int(r), 1, "blank row") for r in starts[blank]]
    return Sheet(int(starts[h]), header, pd.DataFrame(out), starts[keep],
                 not_data + grid.gaps, grid.last_line, ragged)  # fmt: skip


def table(records: list[tuple[int, list[str]]], header: list[str]) -> pd.DataFrame:
    """Records under ``header`` as a frame of stripped text (``NA`` when empty), by name.

    A short row's missing cells are empty; a long row's extra cells are dropped here and
    its reader decides (the apps write none).
    """
    width = len(header)
    cells = [(f + [""] * width)[:width] for _, f in records]
    arr = np.array(cells, dtype=object).reshape(len(cells), width) if cells else None
    out = {}
    for j, name in enumerate(header):
        col = pd.Series(arr[:, j] if arr is not None else [], dtype="string").str.strip()
        out[name] = col.mask(col == "")
    return pd.DataFrame(out)


__all__ = ["Records", "Sheet", "TableShape", "read_records", "read_sheet", "separator", "table"]
