"""Bounded reading of raw cells: a CSV or a workbook sheet as rows of text.

Memory stays bounded by what a file holds, not by what it claims:

* A workbook's XML is streamed once before it is parsed (:func:`check_workbook`): the
  unpacked size, the cells and rows and the longest text are bounded, and each sheet's
  real extent is measured (its declared dimension is not trusted). Calamine (Rust) then
  reads the sheets whose rectangle of cells is small enough; a sheet of a few cells far
  apart (a 5 KB workbook with one cell at ``XFD1048576``) is streamed by openpyxl, which
  keeps only the cells present: two short rows, not a 16k x 1M grid.
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
import re
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
    if _records_fit(path, max_line):
        return  # the usual file: no record can be longer than the limit
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


def _records_fit(path: Path, limit: int) -> bool:
    """True when every record of the file is at most ``limit`` bytes long (a quick proof).

    A record (or a line) longer than ``limit`` holds ``limit + 1`` bytes without a newline
    outside quotes, and so holds a whole aligned block of ``limit // 2`` bytes without
    one. Each block is asked for its first newline outside quotes (``bytes.find`` and
    ``bytes.count`` in C, a few calls a block; the quotes counted once over the file): when
    every whole block has one, nothing is too long. False leaves the answer to the exact
    scan of :func:`check_line_limit` (a long line, or a stray quote that flips the parity).
    """
    block = max(1, limit // 2)
    size = block * max(1, _CHUNK // block)
    quoted = 0  # parity of the quotes before ``pos``
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            pos = 0
            for start in range(0, len(chunk) - block + 1, block):  # whole blocks only
                end = start + block
                at = chunk.find(b"\n", start, end)
                while at >= 0:
                    quoted ^= chunk.count(b'"', pos, at) & 1
                    pos = at
                    if not quoted:
                        break
                    at = chunk.find(b"\n", at + 1, end)
                if at < 0:
                    return False
            quoted ^= chunk.count(b'"', pos) & 1
    return True


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


#: Most cells of the rectangle calamine would allocate for one sheet (from its first
#: row and column to the last cell really present): a sheet whose cells span more is read
#: by openpyxl's streaming instead, which keeps only the cells present. Calamine holds
#: ~32 bytes a cell of the rectangle (and Python a pointer a cell), so this is ~200 MB at
#: most; a season's log of 40 columns is ~15 % of it.
MAX_DENSE_CELLS: int = 5_000_000

#: A sheet is also openpyxl's when its rectangle holds more than this many cells per cell
#: or row present (beyond :data:`_SMALL_RECTANGLE`): calamine and the text conversion
#: cost ~0.3 us a cell of the rectangle, openpyxl ~10 us a cell present (measured: two
#: cells spanning 190,000 x 26 took calamine 1.6 s and 180 MB).
_SPARSE_RATIO: int = 30
_SMALL_RECTANGLE: int = 100_000

# start tags of rows and cells (any namespace prefix), and those with their reference
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])")
_CELL_REF = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,9})["']"""
)
_ROW_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r\s*=\s*["']([0-9]{1,9})["']""")
_FAST_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,9})"')
_FAST_WIDE_COL = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_FAST_ROW = re.compile(rb'<row r="([0-9]{1,9})"')
# an error cell (t="e"); a number below 0, of 7 digits or more (a date serial past
# 4637), or with a positive exponent: a date cell holding one reads differently in
# calamine (a small number with a negative exponent, a time of a few seconds, does not)
_ERROR = re.compile(rb"""t\s*=\s*["']e["']""")
_ODD_NUMBER = re.compile(rb"v>\s*(?:-|[0-9]{7}|[0-9][0-9.]*[eE](?!-))")


@dataclass
class PartScan:
    """What the pre-check saw in one worksheet's XML part."""

    max_row: int = 0  # the largest row number written (``<row r=..>``, ``<c r=..>``)
    max_col: int = 0  # the largest column number written (at least 26: Z, if any cell)
    rows: int = 0  # ``<row>`` elements
    cells: int = 0  # ``<c>`` elements
    rows_without_ref: int = 0
    cells_without_ref: int = 0
    #: error cells (``#N/A``): calamine reads them as empty, so their text is put back
    #: from the XML (:func:`_error_cells`)
    errors: bool = False
    #: a number below 0, of 7 digits or more, or with a positive exponent: calamine reads a
    #: negative serial in a date cell as a time of day (openpyxl: a date before 1900) and
    #: one past the year 9999 as a number (openpyxl: ``#VALUE!``), so such a sheet is
    #: read by openpyxl
    odd_numbers: bool = False

    @property
    def dense_cells(self) -> int:
        """An upper bound of the cells of the rectangle calamine allocates for the sheet."""
        rows = self.max_row + self.rows_without_ref
        cols = self.max_col + self.cells_without_ref
        return rows * cols

    @property
    def for_calamine(self) -> bool:
        """True when calamine reads the sheet exactly as openpyxl and within bounds."""
        dense = self.dense_cells
        sparse = dense > max(_SMALL_RECTANGLE, _SPARSE_RATIO * (self.cells + self.rows))
        return not self.odd_numbers and dense <= MAX_DENSE_CELLS and not sparse


@dataclass
class WorkbookScan:
    """The pre-check's look at a workbook: one :class:`PartScan` per worksheet part."""

    #: ``xl/worksheets/sheet1.xml`` -> its scan
    parts: dict[str, PartScan] = field(default_factory=dict)
    #: False when the zip could not be read through (damaged, encrypted): the workbook
    #: is then read by openpyxl as before, which names the problem in one line
    complete: bool = True


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _scan_tags(text: bytes, part: PartScan) -> int:
    """Count the row and cell tags of ``text`` (whole tags) and their largest references.

    The usual form (``<row r="12"``, ``<c r="AB12"``: the reference first, no namespace
    prefix) is counted by literal searches and short regular expressions; any other form
    in ``text`` makes the general (slower) expressions count it. Returns the cells and
    rows counted against :data:`analysis.config.MAX_XLSX_CELLS`.
    """
    c_attrs, c_bare, c_empty = text.count(b"<c "), text.count(b"<c>"), text.count(b"<c/>")
    row_tags = text.count(b"<row")
    cells = c_attrs + c_bare + c_empty
    general = b":c" in text or b":row" in text  # a namespace prefix, maybe on cells
    if not general:
        cell_rows = _FAST_CELL_ROW.findall(text)
        row_refs = _FAST_ROW.findall(text)
        general = len(cell_rows) != cells or len(row_refs) != row_tags
    if not general:
        part.cells += cells
        part.rows += row_tags
        refs = set(cell_rows)
        refs.update(row_refs)
        if refs:
            part.max_row = max(part.max_row, *map(int, refs))
        if cells:
            # A..Z unless a reference has two or three letters
            wide = set(_FAST_WIDE_COL.findall(text))
            part.max_col = max(part.max_col, 26, *map(_col_number, wide))
    else:
        names = _TAG.findall(text)
        n_cells = names.count(b"c")
        part.cells += n_cells
        part.rows += len(names) - n_cells
        refs = _CELL_REF.findall(text)
        part.cells_without_ref += n_cells - len(refs)
        if refs:
            letters, digits = zip(*refs, strict=True)
            part.max_col = max(part.max_col, *map(_col_number, set(letters)))
            part.max_row = max(part.max_row, *map(int, set(digits)))
        rows = _ROW_REF.findall(text)
        part.rows_without_ref += len(names) - n_cells - len(rows)
        if rows:
            part.max_row = max(part.max_row, *map(int, rows))
    if not part.errors and (b'"e"' in text or b"'e'" in text) and _ERROR.search(text):
        part.errors = True
    if not part.odd_numbers and b"v>" in text and _ODD_NUMBER.search(text):
        part.odd_numbers = True
    return c_attrs + c_bare + row_tags


def check_workbook(path: Path, label: str) -> WorkbookScan | None:
    """Refuse a workbook whose XML holds more than the limits, before it is parsed.

    One streamed pass over the XML parts of the zip (decompressed a chunk at a time,
    memory bounded by the chunk): the longest text between two tags (a cell's text, a
    shared string) gets the bound of a CSV line (:data:`analysis.config.MAX_LINE_BYTES`),
    the cells and rows of all sheets together :data:`analysis.config.MAX_XLSX_CELLS`, and
    the XML :data:`analysis.config.MAX_XLSX_XML_BYTES`. A file that is not a zip is left
    to the workbook reader (which names it in one line).

    Returns
    -------
    WorkbookScan or None
        Per worksheet part: the extent its cells really span (the declared dimension is
        not trusted) and whether it holds error cells or negative numbers, from which
        :func:`read_xlsx_rows` chooses the reader of each sheet. ``None`` for a file that
        is not a zip.
    """
    import zipfile

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    scan = WorkbookScan()
    cells = total = 0
    with zf:
        for info in zf.infolist():
            name = info.filename
            if not (name.startswith("xl/") and name.endswith(".xml")):
                continue
            sheet = name.startswith("xl/worksheets/")
            part = scan.parts.setdefault(name, PartScan()) if sheet else None
            carry = b""  # the tag cut by the end of the last chunk
            run = 0  # bytes since the last "<"
            try:
                fh = zf.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
                scan.complete = False
                return scan  # encrypted or damaged: the workbook reader says so
            with fh:
                while True:
                    try:
                        chunk = fh.read(_CHUNK)
                    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                        scan.complete = False
                        return scan  # damaged: the workbook reader says so
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
                    if not sheet:
                        continue
                    # whole tags only: the text after the chunk's last "<" waits for the
                    # next chunk (at most MAX_LINE_BYTES, checked above)
                    if len(tags):
                        cut = int(tags[-1])
                        cells += _scan_tags(carry + chunk[:cut], part)
                        carry = chunk[cut:]
                    else:
                        carry += chunk
                    _check_cells(cells, label)
            if sheet and carry:
                cells += _scan_tags(carry, part)
                _check_cells(cells, label)
    return scan


def _check_cells(cells: int, label: str) -> None:
    if cells > config.MAX_XLSX_CELLS:
        raise DataError(
            f"refused: the number of cells and rows exceeds the limit of "
            f"{config.MAX_XLSX_CELLS:,} for a workbook "
            "(analysis.config.MAX_XLSX_CELLS); save the sheet as CSV, "
            "which is read in seconds at any size",
            file=label,
        )


# an error cell in the usual form (the reference first): its row, column and text
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,9})"[^>]*?\st="e"[^>]*>'
    rb"(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>"
)


def _error_cells(path: Path, part: str) -> dict[tuple[int, int], str] | None:
    """The error cells of one worksheet part: ``(row, column)`` (1-based) -> ``#N/A``.

    The part is streamed again, a chunk at a time; each piece ends before the last cell
    started in it, so every cell is seen whole. None when an error cell is written in
    another form than the usual one, or a cell is longer than
    :data:`analysis.config.MAX_LINE_BYTES` twice (the sheet is then read by openpyxl).
    """
    import zipfile
    from xml.sax.saxutils import unescape

    try:
        with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
            return _error_cells_of(fh, unescape)
    except (KeyError, OSError, ValueError, EOFError, RuntimeError, zipfile.BadZipFile):
        return None  # openpyxl reads the sheet, or names what is wrong


def _error_cells_of(fh, unescape) -> dict[tuple[int, int], str] | None:
    out: dict[tuple[int, int], str] = {}
    carry = b""  # from the start of the last cell begun, which may end in the next chunk
    while True:
        chunk = fh.read(_CHUNK)
        text = carry + chunk
        if chunk:
            cut = max(text.rfind(b"<c "), text.rfind(b"<c>"))
            if cut < 0:
                cut = len(text)  # no cell begins here
            text, carry = text[:cut], text[cut:]
            if len(carry) > 2 * config.MAX_LINE_BYTES:
                return None
        found = _ERROR_CELL.findall(text)
        if len(found) != len(_ERROR.findall(text)):
            return None  # an error cell in another form: openpyxl reads the sheet
        for letters, digits, value in found:
            out[int(digits), _col_number(letters)] = unescape(value.decode("utf-8"))
        if not chunk:
            return out


def _sheet_parts(path: Path) -> dict[str, str] | None:
    """Each worksheet's name -> its XML part (``xl/worksheets/sheet1.xml``), or None."""
    import posixpath
    import zipfile
    from xml.etree import ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            wb_info, rels_info = (
                infos.get("xl/workbook.xml"),
                infos.get("xl/_rels/workbook.xml.rels"),
            )
            if wb_info is None or rels_info is None:
                return None
            if wb_info.file_size > 10_000_000 or rels_info.file_size > 10_000_000:
                return None  # not a workbook a coach wrote: read by openpyxl
            book = ET.fromstring(zf.read(wb_info))
            rels = ET.fromstring(zf.read(rels_info))
    except Exception:  # damaged: openpyxl reads it as before, or names it
        return None
    targets = {}
    for r in rels:
        target = r.get("Target") or ""
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join("xl", target))
        targets[r.get("Id")] = target
    out = {}
    for s in book.iter(f"{main}sheet"):
        target = targets.get(s.get(f"{rel}id"))
        if s.get("name") is not None and target is not None:
            out[s.get("name")] = target
    return out


def read_xlsx_rows(path: Path, label: str) -> list[SheetCells]:
    """Every sheet of a workbook as non-blank rows of text cells.

    Read by calamine (Rust, ~10x faster than openpyxl here) after :func:`check_workbook`
    has bounded the workbook and measured, per sheet, the rectangle its cells really span
    (the declared dimension ``A1:XFD1048576`` is not trusted). Calamine reads error cells
    (``#N/A``) as empty: their text is put back from the XML (:func:`_error_cells`).
    openpyxl's streaming reader stays for what calamine cannot read the same way:

    * a sheet whose cells span more than :data:`MAX_DENSE_CELLS` (calamine allocates the
      whole rectangle; openpyxl keeps only the cells present);
    * a sheet with a negative number (calamine reads a negative date serial as a time of
      day, openpyxl as a date before 1900), a number of 7 digits or more or with an
      exponent (a date serial past 9999 is a number to calamine, ``#VALUE!`` to
      openpyxl), or an error cell written in an unusual form;
    * a sheet calamine fails on, and a file that is not a readable zip (openpyxl names
      what is wrong in one line, as before).

    Both give the same text for every cell: the dates, times and durations of
    :func:`analysis.io._cell_to_text` (Excel serials in the 1900 or 1904 date system),
    formulas' cached values, booleans as ``True``/``False``, a merged range's value in its
    first cell only (no fill-down here; the layouts fill an athlete down a grid).

    A row is cut after its last non-empty cell. Limits: :data:`analysis.config.MAX_FIELDS`
    columns with data, :data:`analysis.config.MAX_ROWS` rows,
    :data:`analysis.config.MAX_CELLS` non-empty cells per sheet.
    """
    scan = check_workbook(path, label)
    parts = _sheet_parts(path) if scan is not None and scan.complete else None
    if parts is None or not any(p.for_calamine for p in scan.parts.values()):
        return _openpyxl_sheets(path, label, None)  # calamine would read no sheet
    try:
        import python_calamine

        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        names = [
            m.name for m in wb.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]  # fmt: skip
    except Exception:  # openpyxl reads it as before, or names what is wrong
        return _openpyxl_sheets(path, label, None)
    sheets: dict[str, SheetCells | None] = {}
    try:
        for name in names:
            part = scan.parts.get(parts.get(name, ""))
            sheets[name] = None
            if part is None or not part.for_calamine:
                continue
            try:
                values = wb.get_sheet_by_name(name)
                start = values.start
                grid = values.to_python(skip_empty_area=True) if start is not None else []
            except Exception:  # a sheet calamine cannot read: openpyxl's turn
                continue
            row0, col0 = start if start is not None else (0, 0)
            if part.errors and not _put_errors(grid, row0, col0, _error_cells(path, parts[name])):
                continue  # errors calamine cannot place: openpyxl's turn
            rows = _sheet_rows(_grid_texts(grid, row0, col0), f"{label}#{name}", as_text=True)
            del grid
            sheets[name] = SheetCells(name, rows)
    finally:
        wb.close()
    rest = [n for n, s in sheets.items() if s is None]
    if rest:
        for s in _openpyxl_sheets(path, label, set(rest)):
            sheets[s.name] = s
    return [s for s in sheets.values() if s is not None]


def _put_errors(grid: list[list], row0: int, col0: int, errors: dict | None) -> bool:
    """Write the error cells' text (``#N/A``) into calamine's grid; False if one cannot be."""
    if errors is None:
        return False
    for (r, c), text in errors.items():
        i, j = r - 1 - row0, c - 1 - col0
        if not (0 <= i < len(grid) and 0 <= j < len(grid[i])):
            return False
        grid[i][j] = text
    return True


def _openpyxl_sheets(path: Path, label: str, only: set[str] | None) -> list[SheetCells]:
    """Sheets streamed by openpyxl (read-only, declared dimension ignored): all, or ``only``.

    openpyxl stays for what calamine cannot read the same way (see
    :func:`read_xlsx_rows`): it keeps only the cells present in the file, whatever
    rectangle they span, and reads errors and negative date serials as before.
    """
    import warnings

    import openpyxl

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
            if only is not None and ws.title not in only:
                continue
            sheet_label = f"{label}#{ws.title}"
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            try:
                rows = _sheet_rows(enumerate(ws.iter_rows(values_only=True), start=1), sheet_label)
            except DataError:
                raise
            except Exception as exc:
                raise DataError(
                    f"not a readable Excel sheet ({type(exc).__name__})", file=sheet_label
                ) from None
            sheets.append(SheetCells(ws.title, rows))
    finally:
        wb.close()
    return sheets


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


def _grid_texts(grid: list[list], row0: int, col0: int) -> Iterator[tuple[int, list]]:
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


def _sheet_rows(numbered, sheet_label: str, *, as_text: bool = False) -> list[Row]:
    """``(row number, values)`` of one sheet -> its non-blank rows, within the limits.

    ``as_text``: the values are text already (:func:`_grid_texts`).
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
    "MAX_DENSE_CELLS",
    "CsvScan",
    "PartScan",
    "SheetCells",
    "WorkbookScan",
    "check_line_limit",
    "check_workbook",
    "count_lines",
    "head_csv_rows",
    "read_csv_rows",
    "read_xlsx_rows",
    "scan_csv",
]
