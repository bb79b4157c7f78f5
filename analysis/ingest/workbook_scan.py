"""A workbook measured before it is parsed: its XML streamed once, within the limits.

A workbook's XML is streamed once before any reader opens it (:func:`check_workbook`):
the unpacked size, the cells and rows and the longest text are bounded, and each
sheet's real extent is measured (its declared dimension is not trusted), from which
:func:`analysis.ingest.workbook.read_xlsx_rows` chooses each sheet's reader. Error
cells (``#N/A``), which calamine reads as empty, are found here too
(:func:`error_cells`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import config
from ..errors import DataError
from .bounds import CHUNK, xml_chunk_tags

#: Bytes of XML read at a time (a module setting, so a test can make every tag cross a
#: chunk's end).
_CHUNK = CHUNK


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
    #: from the XML (:func:`error_cells`)
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
    prefix) is read by :func:`_usual_tags`; any other form in ``text`` makes the general
    (slower) expressions count it (:func:`_general_tags`). Returns the cells and rows
    counted against :data:`analysis.config.MAX_XLSX_CELLS`.
    """
    general = b":c" in text or b":row" in text  # a namespace prefix, maybe on cells
    usual = None if general else _usual_tags(text)
    if usual is None:
        counted = _general_tags(text, part)
    else:
        cells, rows, max_row, max_col = usual
        part.cells += cells
        part.rows += rows
        if cells or rows:
            part.max_row = max(part.max_row, max_row)
        if cells:
            part.max_col = max(part.max_col, 26, max_col)  # A..Z at least, as before
        counted = cells + rows
    if not part.errors and (b'"e"' in text or b"'e'" in text) and _ERROR.search(text):
        part.errors = True
    if not part.odd_numbers and b"v>" in text and _ODD_NUMBER.search(text):
        part.odd_numbers = True
    return counted


def _general_tags(text: bytes, part: PartScan) -> int:
    """:func:`_scan_tags` of tags in any form (a namespace prefix, attributes in any
    order and spacing, no reference), by regular expressions over the tags."""
    c_attrs, c_bare = text.count(b"<c "), text.count(b"<c>")
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
    return c_attrs + c_bare + text.count(b"<row")


#: Zero bytes after a text, so that the bytes after its last tag can be looked at.
_PAD = bytes(32)


def _usual_tags(text: bytes) -> tuple[int, int, int, int] | None:
    """Cells, rows, largest row number and largest column number of ``text`` when every
    row and cell tag is written ``<row r="12"`` and ``<c r="AB12"`` (what Excel,
    LibreOffice and openpyxl write); None when one is written otherwise.

    Read with NumPy from the bytes after each ``<``: a regular expression's match per
    cell made a bytes object per cell (a sheet of 10,000 cells: ~3 ms against ~1 ms).
    A tag counts as it did by text (``<row`` also begins ``<rowBreaks``: not the usual
    form, so the general expressions count that text).
    """
    a = np.frombuffer(text + _PAD, dtype=np.uint8)
    lt = np.flatnonzero(a[: len(text)] == 0x3C)  # "<"
    after = a[lt + 1]
    c = lt[after == 0x63]  # "<c", "<col", "<cfRule", ...
    follow = a[c + 2]
    cells = c[follow == 0x20]  # "<c "
    if np.isin(follow, _OTHER_CELL).any():
        return None  # "<c>", "<c/>", "<c" and a tab or a line end: the general way
    r = lt[(after == 0x72) & (a[lt + 2] == 0x6F) & (a[lt + 3] == 0x77)]  # "<row"
    if not (_starts(a, cells + 2, b' r="') and _starts(a, r + 4, b' r="')):
        return None
    letters = cells + 6
    # the capital letters before the row number: how many in a row from the first (0-4)
    upper = np.array([(a[letters + k] >= 0x41) & (a[letters + k] <= 0x5A) for k in range(4)])
    n_letters = upper.cumprod(axis=0).sum(axis=0)
    if len(cells) and ((n_letters < 1) | (n_letters > 3)).any():
        return None
    numbers = _digits(a, np.concatenate([letters + n_letters, r + 8]))
    if numbers is None:
        return None
    cols = np.zeros(len(cells), dtype=np.int64)  # the column number, letter by letter
    for k in range(3):
        cols = np.where(k < n_letters, cols * 26 + a[letters + k].astype(np.int64) - 64, cols)
    max_row = int(numbers.max(initial=0))
    return len(cells), len(r), max_row, int(cols.max(initial=0))


#: The byte after ``<c`` of a cell in another form than ``<c r=..``: ``>``, ``/``, tab,
#: line feed, carriage return.
_OTHER_CELL = np.frombuffer(b">/\t\n\r", dtype=np.uint8)


def _starts(a: np.ndarray, at: np.ndarray, literal: bytes) -> bool:
    """Whether ``literal`` is written at every position of ``at``."""
    return all(bool((a[at + k] == byte).all()) for k, byte in enumerate(literal))


def _digits(a: np.ndarray, at: np.ndarray) -> np.ndarray | None:
    """The number of 1 to 9 digits written at each position of ``at`` and closed by a
    double quote; None when one is not."""
    value = np.zeros(len(at), dtype=np.int64)
    count = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    for k in range(10):
        ch = a[at + k]
        going &= (ch >= 0x30) & (ch <= 0x39)
        if not going.any():
            break
        value[going] = value[going] * 10 + ch[going] - 0x30
        count += going
    if len(at) and ((count < 1) | (count > 9) | (a[at + count] != 0x22)).any():
        return None
    return value


def check_workbook(
    path: Path, label: str, on_sheet: Callable[[str, PartScan], None] | None = None
) -> WorkbookScan | None:
    """Refuse a workbook whose XML holds more than the limits, before it is parsed.

    One streamed pass over the XML parts of the zip (decompressed a chunk at a time,
    memory bounded by the chunk): the longest text between two tags (a cell's text, a
    shared string) gets the bound of a CSV line (:data:`analysis.config.MAX_LINE_BYTES`),
    the cells and rows of all sheets together :data:`analysis.config.MAX_XLSX_CELLS`, and
    the XML :data:`analysis.config.MAX_XLSX_XML_BYTES`. A file that is not a zip is left
    to the workbook reader (which names it in one line). ``on_sheet(part, scan)`` is
    called as each worksheet part has been measured whole (the parts after it are still
    to be checked: the workbook may yet be refused).

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
        # a part named twice is measured twice (both count); it is not offered early, as
        # a reader may take either copy
        once = Counter(i.filename for i in zf.infolist())
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
                    cut, total, run = xml_chunk_tags(chunk, total, run, label, "workbook")
                    if not sheet:
                        continue
                    # whole tags only: the text after the chunk's last "<" waits for the
                    # next chunk (at most MAX_LINE_BYTES, checked above)
                    if cut >= 0:
                        cells += _scan_tags(carry + chunk[:cut], part)
                        carry = chunk[cut:]
                    else:
                        carry += chunk
                    _check_cells(cells, label)
            if sheet and carry:
                cells += _scan_tags(carry, part)
                _check_cells(cells, label)
            if sheet and on_sheet is not None and once[name] == 1:
                on_sheet(name, part)
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


def error_cells(path: Path, part: str) -> dict[tuple[int, int], str] | None:
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


def sheet_parts(path: Path) -> dict[str, str] | None:
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


__all__ = [
    "MAX_DENSE_CELLS",
    "PartScan",
    "WorkbookScan",
    "check_workbook",
    "error_cells",
    "sheet_parts",
]
