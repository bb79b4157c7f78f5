"""Bounded reading of raw cells: a CSV or a workbook sheet as rows of text.

Memory stays bounded by what a file holds, not by what it claims:

* A workbook is streamed (openpyxl read-only) with its declared dimension ignored: only
  the rows and cells really present are kept, so a 5 KB workbook with one cell at
  ``XFD1048576`` is two short rows, not a 16k x 1M grid.
* A CSV is scanned once before it is parsed: a line longer than
  :data:`analysis.config.MAX_LINE_BYTES` or with more than
  :data:`analysis.config.MAX_FIELDS` fields is refused with one line naming the file,
  the row and the limit. The same scan finds ragged rows (more non-empty fields than the
  header has columns), which the C parser would silently cut off.

Rows are ``(row_number, cells)``: the row number a coach sees in the spreadsheet (the
first line is row 1) and the cells as stripped text, ``None`` for an empty cell. Blank
rows are left out (their numbers are simply missing).
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import config
from ..errors import DataError

Row = tuple[int, list]


@dataclass
class CsvScan:
    """What one pass over a CSV's bytes found."""

    lines: int = 0
    #: ``(row, n_fields, extra non-empty values)`` of rows with more fields than the header
    ragged: list[tuple[int, int, list[str]]] = field(default_factory=list)


def _limit_error(label: str, what: str, limit: int, setting: str, row: int | None = None):
    return DataError(
        f"refused: {what} exceeds the limit of {limit:,} (analysis.config.{setting})",
        file=label,
        row=row,
    )


def _text_of(cell: object) -> object:
    from ..io import _cell_to_text

    value = _cell_to_text(cell)
    return None if value is None or value is _NA else value


try:  # pandas' NA, compared by identity
    import pandas as _pd

    _NA = _pd.NA
except ImportError:  # pragma: no cover
    _NA = None


def scan_csv(path: Path, label: str, encoding: str, sep: str) -> CsvScan:
    """Check a CSV against the reading limits and find its ragged rows.

    One pass in NumPy over the bytes (for 8-bit and UTF-8 text): line lengths from the
    newline positions, fields per record from the separator count, separators and
    newlines inside quoted fields left out (the parity of the quotes before them). Only
    the few records with more separators than the header are parsed again, to see whether
    their extra fields hold anything (a trailing comma does not). A UTF-16 file is checked
    line by line with the :mod:`csv` module instead.
    """
    max_fields = config.MAX_FIELDS
    size = path.stat().st_size
    if encoding.startswith("utf-16"):
        return _scan_with_csv(path, label, encoding, sep)
    check_line_limit(path, label, encoding, sep)
    data = np.fromfile(path, dtype=np.uint8) if size else np.zeros(0, np.uint8)
    if len(data) and data[-1] != 10:
        data = np.append(data, np.uint8(10))
    # work on positions, not on a mask per byte: a log has a few million separators
    newlines = np.flatnonzero(data == 10)
    seps = np.flatnonzero(data == ord(sep))
    quotes = np.flatnonzero(data == 34)
    all_newlines = None
    if len(quotes):
        # inside a quoted field when an odd number of quotes came before ("" toggles twice)
        all_newlines = newlines
        newlines = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
        seps = seps[(np.searchsorted(quotes, seps) & 1) == 0]
    scan = CsvScan(lines=len(newlines))
    if scan.lines > config.MAX_ROWS:
        raise _limit_error(label, "the number of rows", config.MAX_ROWS, "MAX_ROWS")
    if not len(newlines):
        return scan
    starts = np.concatenate(([0], newlines[:-1] + 1))
    # separators per record: those before its newline minus those before its start
    before = np.searchsorted(seps, newlines)
    counts = np.diff(before, prepend=0)

    def row_of(i: int) -> int:  # the spreadsheet row: physical lines before the record
        if all_newlines is None:
            return i + 1
        return int(np.searchsorted(all_newlines, starts[i])) + 1

    if counts.max(initial=0) + 1 > max_fields:
        row = row_of(int(np.argmax(counts)))
        raise _limit_error(label, "the number of fields in a row", max_fields, "MAX_FIELDS", row)
    header_fields = int(counts[0]) + 1
    candidates = np.flatnonzero(counts + 1 > header_fields)
    if len(candidates):
        # one trailing separator (``...,3x10,``) is an empty extra field: not ragged
        end = newlines[candidates] - 1
        end = np.where((data[end] == 13) & (end > 0), end - 1, end)
        trailing = (counts[candidates] + 1 == header_fields + 1) & (data[end] == ord(sep))
        candidates = candidates[~trailing]
    del data
    for i in candidates[:1000]:
        with open(path, "rb") as fh:
            fh.seek(int(starts[i]))
            raw = fh.read(int(newlines[i] - starts[i]))
        line = raw.decode(encoding, errors="replace")
        fields = next(csv.reader([line.rstrip("\r")], delimiter=sep), [])
        extra = [f.strip() for f in fields[header_fields:] if f.strip()]
        if extra:
            scan.ragged.append((row_of(int(i)), len(fields), extra))
    return scan


#: Bytes read at a time by the limit checks.
_CHUNK = 1 << 22


def check_line_limit(path: Path, label: str, encoding: str = "utf-8", sep: str = ",") -> None:
    """Refuse a CSV with a line, or a record, longer than :data:`analysis.config.MAX_LINE_BYTES`.

    One pass in chunks (memory bounded by the chunk, whatever the file holds): physical
    lines from the newline positions, and records from the newlines outside quoted fields
    (the parity of the quotes before them), so a 100 MB quoted field split over short lines
    is refused like a 100 MB line. A stray quote inside a field (``5'10"``) can make the
    parity see one long record: only then the file is read again by the :mod:`csv` module
    with the field limit, which refuses a field that really is too long (one line naming
    the row) and passes the rest.
    """
    max_line = config.MAX_LINE_BYTES
    if encoding.startswith("utf-16"):
        max_line *= 2
    line = record = 0  # bytes since the last newline / the last newline outside quotes
    quoted = False
    long_record = False
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            data = np.frombuffer(chunk, dtype=np.uint8)
            newlines = np.flatnonzero(data == 10)
            line = _longest_run(line, newlines, len(chunk), max_line, label)
            if long_record:
                continue
            quotes = np.flatnonzero(data == 34)
            if len(quotes) or quoted:
                parity = (np.searchsorted(quotes, newlines) + quoted) & 1
                ends = newlines[parity == 0]
                quoted = bool((len(quotes) + quoted) & 1)
            else:
                ends = newlines
            try:
                record = _longest_run(record, ends, len(chunk), max_line, label)
            except DataError:
                long_record = True
    if long_record:
        # the exact reading: a field over the limit is refused with its row
        for _ in _csv_rows(path, label, encoding, sep, keep_blank=True):
            pass


def _longest_run(run: int, ends: np.ndarray, size: int, limit: int, label: str) -> int:
    """Carry the length of the current line past a chunk; refuse one longer than ``limit``."""
    if not len(ends):
        run += size
    else:
        longest = max(run + int(ends[0]), int(np.diff(ends).max(initial=1)) - 1)
        if longest > limit:
            raise _limit_error(label, "a line", config.MAX_LINE_BYTES, "MAX_LINE_BYTES")
        run = size - int(ends[-1]) - 1
    if run > limit:
        raise _limit_error(label, "a line", config.MAX_LINE_BYTES, "MAX_LINE_BYTES")
    return run


def _scan_with_csv(path: Path, label: str, encoding: str, sep: str) -> CsvScan:
    scan = CsvScan()
    header_fields = None
    for row, cells in _csv_rows(path, label, encoding, sep, keep_blank=True):
        scan.lines = row
        n = len(cells)
        if header_fields is None:
            header_fields = n
        elif n > header_fields:
            extra = [c for c in cells[header_fields:] if c]
            if extra:
                scan.ragged.append((row, n, extra))
    return scan


def _csv_rows(
    path: Path, label: str, encoding: str, sep: str, *, keep_blank: bool = False
) -> Iterator[tuple[int, list]]:
    """``(row, raw fields)`` of a CSV by the :mod:`csv` module, within the limits."""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, skipinitialspace=True, strict=True)
        csv.field_size_limit(config.MAX_LINE_BYTES)
        start = 1
        try:
            for fields in reader:
                if len(fields) > config.MAX_FIELDS:
                    raise _limit_error(
                        label, "the number of fields in a row", config.MAX_FIELDS,
                        "MAX_FIELDS", start,
                    )  # fmt: skip
                if reader.line_num > config.MAX_ROWS:
                    raise _limit_error(label, "the number of rows", config.MAX_ROWS, "MAX_ROWS")
                if keep_blank or any(f.strip() for f in fields):
                    yield start, fields
                start = reader.line_num + 1
        except csv.Error as exc:
            msg = str(exc)
            if "field larger than field limit" in msg:
                raise _limit_error(
                    label, "a field", config.MAX_LINE_BYTES, "MAX_LINE_BYTES", start
                ) from None
            if "EOF" in msg or "quote" in msg or "end of data" in msg or "delimiter" in msg:
                raise DataError(
                    f'not a readable CSV file: a quote (") opened in this row is never closed'
                    f" ({msg})",
                    file=label,
                    row=start,
                ) from None
            raise DataError(f"not a readable CSV file ({msg})", file=label, row=start) from None


def read_csv_rows(path: Path, label: str, encoding: str, sep: str) -> list[Row]:
    """Every non-blank row of a CSV as ``(row, cells)``: stripped text, ``None`` if empty."""
    return [
        (row, [f.strip() or None for f in fields])
        for row, fields in _csv_rows(path, label, encoding, sep)
    ]


def head_csv_rows(path: Path, label: str, encoding: str, sep: str, n: int) -> list[Row]:
    """The first ``n`` non-blank rows of a CSV (for layout detection), within the limits."""
    out = []
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        text = fh.read(min(config.MAX_LINE_BYTES, 1 << 20) * 4)
    last_newline = text.rfind("\n")
    if last_newline > 0 and len(text) >= (min(config.MAX_LINE_BYTES, 1 << 20) * 4):
        text = text[: last_newline + 1]
    reader = csv.reader(_io.StringIO(text), delimiter=sep, skipinitialspace=True)
    start = 1
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                out.append((start, [f.strip() or None for f in fields]))
                if len(out) >= n:
                    break
            start = reader.line_num + 1
    except csv.Error:
        pass  # the full read reports it with its row
    return out


# --------------------------------------------------------------------------- workbooks


@dataclass
class SheetCells:
    """One workbook sheet's non-blank rows."""

    name: str
    rows: list[Row]


def check_workbook(path: Path, label: str) -> None:
    """Refuse a workbook whose XML holds more than the limits, before it is parsed.

    One streamed pass over the XML parts of the zip (decompressed a chunk at a time,
    memory bounded by the chunk): the longest text between two tags (a cell's text, a
    shared string) gets the bound of a CSV line (:data:`analysis.config.MAX_LINE_BYTES`),
    the cells and rows of all sheets together :data:`analysis.config.MAX_XLSX_CELLS`, and
    the XML :data:`analysis.config.MAX_XLSX_XML_BYTES`. A file that is not a zip is left
    to the workbook reader (which names it in one line).
    """
    import zipfile

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    cells = total = 0
    with zf:
        for info in zf.infolist():
            name = info.filename
            if not (name.startswith("xl/") and name.endswith(".xml")):
                continue
            sheet = name.startswith("xl/worksheets/")
            run = 0  # bytes since the last "<"
            try:
                fh = zf.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
                return  # encrypted or damaged: the workbook reader says so
            with fh:
                while True:
                    try:
                        chunk = fh.read(_CHUNK)
                    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                        return  # damaged: the workbook reader says so
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > config.MAX_XLSX_XML_BYTES:
                        raise _limit_error(label, "the size of the workbook unpacked",
                                           config.MAX_XLSX_XML_BYTES, "MAX_XLSX_XML_BYTES")  # fmt: skip
                    tags = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 60)
                    try:
                        run = _longest_run(run, tags, len(chunk), config.MAX_LINE_BYTES, label)
                    except DataError:
                        raise _limit_error(label, "a cell (or a text in the workbook)",
                                           config.MAX_LINE_BYTES, "MAX_LINE_BYTES") from None  # fmt: skip
                    if sheet:
                        cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<row")
                        if cells > config.MAX_XLSX_CELLS:
                            raise DataError(
                                f"refused: the number of cells and rows exceeds the limit of "
                                f"{config.MAX_XLSX_CELLS:,} for a workbook "
                                "(analysis.config.MAX_XLSX_CELLS); save the sheet as CSV, "
                                "which is read in seconds at any size",
                                file=label,
                            )


def read_xlsx_rows(path: Path, label: str) -> list[SheetCells]:
    """Every sheet of a workbook, streamed, as non-blank rows of text cells.

    The sheet's declared dimension (``A1:XFD1048576``) is ignored
    (``reset_dimensions``): rows missing from the file cost nothing, and a row is cut
    after its last non-empty cell. Limits: :data:`analysis.config.MAX_FIELDS` columns
    with data, :data:`analysis.config.MAX_ROWS` rows, :data:`analysis.config.MAX_CELLS`
    non-empty cells per sheet.
    """
    import warnings

    import openpyxl

    check_workbook(path, label)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise DataError(
            f"not a readable Excel workbook ({type(exc).__name__})", file=label
        ) from None
    sheets = []
    try:
        for ws in wb.worksheets:
            sheet_label = f"{label}#{ws.title}"
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            rows: list[Row] = []
            cells = 0
            try:
                for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if not values:
                        continue
                    texts = [_text_of(v) for v in values]
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
                            raise _limit_error(
                                sheet_label, "the number of cells in a row", config.MAX_FIELDS,
                                "MAX_FIELDS", r,
                            )  # fmt: skip
                        texts = _compact(texts[:last])
                        last = len(texts)
                    cells += last
                    if cells > config.MAX_CELLS:
                        raise _limit_error(sheet_label, "the number of cells", config.MAX_CELLS,
                                           "MAX_CELLS")  # fmt: skip
                    if r > config.MAX_ROWS and len(rows) >= config.MAX_ROWS:
                        raise _limit_error(sheet_label, "the number of rows", config.MAX_ROWS,
                                           "MAX_ROWS")  # fmt: skip
                    rows.append((r, texts[:last]))
            except DataError:
                raise
            except Exception as exc:
                raise DataError(
                    f"not a readable Excel sheet ({type(exc).__name__})", file=sheet_label
                ) from None
            sheets.append(SheetCells(ws.title, _trim_columns(rows)))
    finally:
        wb.close()
    return sheets


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


def count_lines(path: Path) -> int | None:
    """Lines of a text file (the row count of a CSV that could not be read), or None."""
    try:
        with open(path, "rb") as fh:
            n = 0
            while chunk := fh.read(1 << 20):
                n += chunk.count(b"\n")
        return n
    except OSError:
        return None


__all__ = [
    "CsvScan",
    "SheetCells",
    "check_line_limit",
    "check_workbook",
    "count_lines",
    "head_csv_rows",
    "read_csv_rows",
    "read_xlsx_rows",
    "scan_csv",
]
