"""The ingest stage: reading coaches' files, whatever their layout, into raw tables.

The bottom of the data path, cut by concern (each module imports only those above it):

``bounds``, ``headers``, ``frames``
    The limits' one-line refusal; header synonyms and what a table is; raw frames of
    text cells (``source``, ``source_row``; dictionary-encoded with ``categorical``).
``csvfile``, ``csvrows``
    A CSV's encoding and separator and its cells by pandas' C parser; the CSV checked
    against the limits before it is parsed, and read as rows of text.
``workbook_scan``, ``workbook``, ``ods``, ``sheetrows``
    A workbook measured before it is parsed (a declared dimension is never trusted);
    its sheets read by calamine (XLSX, XLSM, ODS), openpyxl only where calamine cannot
    serve; the cells as rows of text.
``raw``
    :func:`~.raw.read_raw`: one file as raw frames (``analysis.io.read_raw``).
``roles``, ``days``, ``summary``, ``sheet``, ``layout``, ``reshape``, ``plain``, ``rows``
    Layout detection per file and sheet (header row, titles, units and summary rows,
    weekly grids, block files, the athlete from a title, sheet or file name) and the
    reshaping of each layout into the raw rows the cleaners read.
``formats``
    The registry of app and timing-system formats.
``hints``, ``inspect``, ``files``
    The optional ``hipflex.toml``; ``hipflex inspect DIR``; walking the data folder.
``cells``
    The old names of the bounded reading, re-exported.

:func:`read_file` is the stage's entry point: one file in, one :class:`SheetRead` per
sheet out (the sheet's layout, and a way to parse it once the folder's years are known).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import DataError
from .csvfile import RaggedRowsError, sniff_csv
from .csvrows import check_line_limit, count_lines, head_csv_rows, read_csv_rows
from .days import Day, year_chooser, years_in
from .formats import FormatContext
from .formats import detect as detect_format
from .frames import RawTable, frame_from_rows
from .hints import FILE_NAME, HintsFile, load_hints
from .layout import SheetReader
from .plain import plain_table
from .raw import read_raw
from .sheet import Layout, Parsed
from .sheetrows import SheetCells
from .workbook import WORKBOOK_SUFFIXES, iter_workbook_rows


@dataclass
class SheetRead:
    """One file or sheet: its layout, and its rows once parsed."""

    reader: SheetReader | None
    layout: Layout
    parsed: Parsed | None = None
    years: Counter = field(default_factory=Counter)

    def parse(self, year_of: Callable[[Day, bool], int] | None = None) -> Parsed:
        if self.parsed is None:
            self.parsed = self.reader.parse(year_of)
        return self.parsed


def read_file(
    path: Path,
    root: Path,
    *,
    hints: HintsFile | None = None,
    is_athlete: Callable[[str], bool] = lambda _: False,
    dayfirst: bool | None = None,
    categorical: bool = True,
) -> list[SheetRead]:
    """Read one raw file: one :class:`SheetRead` per sheet (one for a CSV).

    A plain table (header on row 1, nothing else in its first rows) is read by the fast
    path of :func:`analysis.io.read_raw` and comes parsed; any other layout is read as
    cells and parsed by :meth:`SheetRead.parse`, once the folder's years are known.

    Raises
    ------
    DataError
        The file cannot be read at all (its sheets are then not read either).
    """
    hints = hints or HintsFile()
    label = str(path.relative_to(root))
    stem = path.stem
    df = True if dayfirst is None else dayfirst
    if (fmt := detect_format(path, label)) is not None:
        ctx = FormatContext(label, root, hints.for_source(label), is_athlete, df)
        return [SheetRead(None, p.layout, p) for p in fmt.read(path, ctx)]
    out: list[SheetRead] = []
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        with closing(iter_workbook_rows(path, label)) as sheets:  # read as it goes
            for sheet in sheets:
                out.append(_workbook_sheet(sheet, label, stem, hints, is_athlete, df, categorical))
        return out
    encoding, sep = sniff_csv(path, label)
    check_line_limit(path, label, encoding, sep)
    file_hints = hints.for_source(label)
    head = head_csv_rows(path, label, encoding, sep, config.LAYOUT_SCAN_ROWS)
    probe = SheetReader(label, head, file_stem=stem, sheet=None, hints=file_hints,
                        is_athlete=is_athlete, dayfirst=df)  # fmt: skip
    if probe.layout.plain:
        try:
            (table,) = read_raw(path, root=root, categorical=categorical, check=False)
        except RaggedRowsError:
            pass  # read as cells below: the ragged rows are rejected, the rest kept
        else:
            _, parsed = plain_table(table.frame, probe.layout, None, is_athlete)
            return [SheetRead(None, probe.layout, parsed)]
    rows = read_csv_rows(path, label, encoding, sep)
    reader = SheetReader(label, rows, file_stem=stem, sheet=None, hints=file_hints,
                         is_athlete=is_athlete, dayfirst=df)  # fmt: skip
    return [SheetRead(reader, reader.layout, years=_years(reader))]


def _workbook_sheet(
    sheet: SheetCells, label: str, stem: str, hints: HintsFile,
    is_athlete: Callable[[str], bool], dayfirst: bool, categorical: bool,
) -> SheetRead:  # fmt: skip
    """One sheet of a workbook: parsed now when it is a plain table, else its reader."""
    source = f"{label}#{sheet.name}"
    reader = SheetReader(
        source, sheet.rows, file_stem=stem, sheet=sheet.name,
        hints=hints.for_source(label, sheet.name), is_athlete=is_athlete, dayfirst=dayfirst,
    )  # fmt: skip
    lay = reader.layout
    if lay.plain and len(sheet.rows) >= 2 and not _ragged(sheet.rows):
        frame = frame_from_rows(sheet.rows, source, categorical)
        _, parsed = plain_table(frame, lay, sheet.rows[-1][0], is_athlete)
        return SheetRead(None, lay, parsed)
    return SheetRead(reader, lay, years=_years(reader))


@dataclass
class FolderRead:
    """Every file of a folder through :func:`read_file`, before parsing (:func:`read_sheets`).

    Attributes
    ----------
    sheets
        One :class:`SheetRead` per sheet read, in file order.
    failed
        ``(path, label, lines, reason)`` of each file that could not be read at all
        (``lines``: its line count for a CSV, None for a workbook).
    year_of
        How a date written without its year gets one: the folder's most common year
        (:func:`analysis.ingest.layout.year_chooser`).
    """

    sheets: list[SheetRead]
    failed: list[tuple[Path, str, int | None, str]]
    year_of: Callable[[Day, bool], int]


def read_sheets(
    root: Path,
    files: list[Path],
    *,
    hints: HintsFile | None = None,
    is_athlete: Callable[[str], bool] = lambda _: False,
    dayfirst: bool | None = None,
    categorical: bool = True,
) -> FolderRead:
    """Read ``files`` of a folder: their sheets, the files that failed, the folder's years.

    A file that cannot be read is listed in ``failed`` and never stops the others; the
    years written in every sheet read (titles, headers, sheet names, plain date columns)
    choose the year of dates written without one.
    """
    sheets: list[SheetRead] = []
    failed: list[tuple[Path, str, int | None, str]] = []
    years: Counter = Counter()
    for path in files:
        label = str(path.relative_to(root))
        try:
            read = read_file(path, root, hints=hints, is_athlete=is_athlete, dayfirst=dayfirst,
                             categorical=categorical)  # fmt: skip
        except DataError as exc:
            lines = count_lines(path) if path.suffix.lower() not in WORKBOOK_SUFFIXES else None
            failed.append((path, label, lines, one_line(exc, label)))
            continue
        for sheet in read:
            years.update(sheet.years)
            if sheet.parsed is not None and sheet.parsed.frame is not None:
                years.update(plain_frame_years(sheet.parsed.frame))
        sheets.extend(read)
    return FolderRead(sheets, failed, year_chooser(years))


def one_line(exc: Exception, label: str) -> str:
    """An error's message without its leading ``label: `` (the file is named beside it)."""
    text = str(exc)
    return text[len(label) + 2 :] if text.startswith(label + ": ") else text


def _ragged(rows: list) -> bool:
    width = len(rows[0][1])
    return any(any(c is not None for c in cells[width:]) for _, cells in rows[1:])


def _years(reader: SheetReader) -> Counter:
    texts = [c for cells in getattr(reader, "titles", []) for c in cells if c is not None]
    texts += [c for c in getattr(reader, "header", []) if c is not None]
    if reader.sheet:
        texts.append(reader.sheet)
    return years_in(texts)


def plain_frame_years(frame: pd.DataFrame) -> Counter:
    """Years written in a plain table's date column (its distinct values only)."""
    for col in frame.columns:
        if col in ("date", "Date") or str(col).strip().casefold() in ("date", "datum", "fecha"):
            s = frame[col]
            values = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else s.unique()
            return years_in(v for v in values if v is not None and v is not pd.NA)
    return Counter()


__all__ = [
    "FILE_NAME",
    "FolderRead",
    "HintsFile",
    "Layout",
    "Parsed",
    "RawTable",
    "SheetRead",
    "load_hints",
    "one_line",
    "plain_frame_years",
    "read_file",
    "read_sheets",
]
