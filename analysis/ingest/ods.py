"""OpenDocument spreadsheets (``.ods``): measured before they are parsed, read by calamine.

An ODS file is a zip holding ``content.xml`` (OpenDocument 1.2, part 1, section 9.1:
``<table:table>`` sheets of ``<table:table-row>`` rows of ``<table:table-cell>`` cells).
A row or a cell may stand for many (``table:number-rows-repeated``,
``table:number-columns-repeated``): a few bytes can claim a sheet of 16k x 1M filled
cells. So, like a workbook's XML (:mod:`.workbook_scan`), the XML is streamed once
before calamine opens the file (:func:`check_ods`), within the same limits: the unpacked
size (:data:`analysis.config.MAX_XLSX_XML_BYTES`), the longest text between two tags
(:data:`analysis.config.MAX_LINE_BYTES`), the row and cell elements
(:data:`analysis.config.MAX_XLSX_CELLS`), the filled cells once the repeats are counted
(:data:`analysis.config.MAX_CELLS`) and the rectangle a sheet's filled cells span
(:data:`analysis.ingest.workbook_scan.MAX_DENSE_CELLS`: calamine allocates it, and no
streaming reader stands behind it for ODS, so a wider sheet is refused, naming the
limit). Empty cells repeated to the sheet's edge (what LibreOffice writes after the
data) span nothing.

Calamine gives the cells the types of their ``office:value-type``: dates, times of day
and durations, numbers, booleans and text become the same text as a workbook's
(:mod:`.sheetrows`). A cell whose formula gave an error (``#N/A``) is read as empty.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..errors import DataError
from .bounds import CHUNK, limit_error, xml_chunk_tags
from .sheetrows import SheetCells, grid_texts, sheet_rows
from .workbook_scan import MAX_DENSE_CELLS

#: The table elements, start or end (the ``table`` prefix OpenDocument writers use).
_ELEMENT = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>"
)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated\s*=\s*["\']([0-9]{1,9})["\']')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated\s*=\s*["\']([0-9]{1,9})["\']')
_VALUE_TYPE = re.compile(rb"office:value-type\s*=")


@dataclass
class TableExtent:
    """What the pre-check saw of one ``<table:table>`` (a sheet)."""

    rows: int = 0  # rows so far, the repeats counted
    max_row: int = 0  # the last row holding a filled cell (1-based)
    max_col: int = 0  # the last column holding a filled cell (1-based)

    @property
    def dense_cells(self) -> int:
        """The rectangle calamine allocates for the sheet."""
        return self.max_row * self.max_col


@dataclass
class OdsScan:
    """The pre-check's running count over ``content.xml``."""

    tables: list[TableExtent] = field(default_factory=list)
    elements: int = 0  # row and cell elements (the parse's work)
    filled: int = 0  # filled cells, the repeats counted
    row_repeat: int = 1  # the open row's repeat
    col: int = 0  # the open row's next column (0-based)
    row_filled: bool = False  # the open row holds a filled cell

    def element(self, end: bytes, name: bytes, attrs: bytes) -> None:
        """Count one table element (start, end or empty-element tag)."""
        closed = attrs.endswith(b"/")
        if name == b"table":
            if not end:
                self.tables.append(TableExtent())
            return
        if not self.tables:
            self.tables.append(TableExtent())  # a row outside a table: count it anyway
        table = self.tables[-1]
        if name == b"table-row":
            if not end:
                self.elements += 1
                m = _ROWS_REPEATED.search(attrs)
                self.row_repeat, self.col, self.row_filled = int(m[1]) if m else 1, 0, False
            if end or closed:
                table.rows += self.row_repeat
                if self.row_filled:
                    table.max_row = table.rows
            return
        if end:
            return
        self.elements += 1
        m = _COLS_REPEATED.search(attrs)
        repeat = int(m[1]) if m else 1
        self.col += repeat
        if name == b"table-cell" and (not closed or _VALUE_TYPE.search(attrs)):
            self.filled += repeat * self.row_repeat
            self.row_filled = True
            table.max_col = max(table.max_col, self.col)


def check_ods(path: Path, label: str) -> OdsScan:
    """Refuse an ODS file whose XML holds more than the limits, before it is parsed.

    Raises
    ------
    DataError
        Not a readable ODS file (not a zip, no ``content.xml``, damaged or encrypted), or
        one of the limits of the module docstring exceeded (one line naming the limit).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if i.filename.endswith(".xml")]
            if "content.xml" not in {i.filename for i in infos}:
                raise DataError("not a readable ODS spreadsheet (no content.xml)", file=label)
            total = 0
            scan = OdsScan()
            for info in infos:
                with zf.open(info) as fh:
                    total = _stream(
                        fh, label, total, scan if info.filename == "content.xml" else None
                    )
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise DataError(
            f"not a readable ODS spreadsheet ({type(exc).__name__})", file=label
        ) from None
    for table in scan.tables:
        if table.dense_cells > MAX_DENSE_CELLS:
            raise DataError(
                f"refused: a sheet's filled cells span {table.max_row:,} rows x "
                f"{table.max_col:,} columns, more than the limit of {MAX_DENSE_CELLS:,} cells "
                "(analysis.ingest.workbook_scan.MAX_DENSE_CELLS); save the sheet as CSV",
                file=label,
            )
    return scan


def _stream(fh, label: str, total: int, scan: OdsScan | None) -> int:
    """Stream one XML part a chunk at a time; count ``content.xml``'s table elements."""
    carry = b""  # the tag cut by the end of the last chunk
    run = 0  # bytes since the last "<"
    while chunk := fh.read(CHUNK):
        cut, total, run = xml_chunk_tags(chunk, total, run, label, "spreadsheet")
        if scan is None:
            continue
        found = cut >= 0
        if not found:
            cut = len(chunk)
        _count(carry + chunk[:cut], scan, label)
        carry = chunk[cut:] if found else carry + chunk
    if scan is not None and carry:
        _count(carry, scan, label)
    return total


def _count(text: bytes, scan: OdsScan, label: str) -> None:
    if text.count(b":table-cell") != text.count(b"table:table-cell"):
        # cells under another namespace prefix: they would go uncounted
        raise DataError("not a readable ODS spreadsheet (unusual XML prefixes)", file=label)
    for end, name, attrs in _ELEMENT.findall(text):
        scan.element(end, name, attrs)
    if scan.elements > config.MAX_XLSX_CELLS:
        raise limit_error(label, "the number of cells and rows", config.MAX_XLSX_CELLS,
                          "MAX_XLSX_CELLS")  # fmt: skip
    if scan.filled > config.MAX_CELLS:
        raise limit_error(label, "the number of filled cells", config.MAX_CELLS, "MAX_CELLS")


def read_ods_rows(path: Path, label: str) -> list[SheetCells]:
    """Every sheet of an ODS file as non-blank rows of text cells (see the module docstring).

    Raises
    ------
    DataError
        The file is refused by :func:`check_ods`, or calamine cannot read it.
    """
    check_ods(path, label)
    import python_calamine

    sheets = []
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for a damaged file
        raise DataError(
            f"not a readable ODS spreadsheet ({type(exc).__name__})", file=label
        ) from None
    try:
        for name in wb.sheet_names:
            try:
                values = wb.get_sheet_by_name(name)
                start = values.start
                grid = values.to_python(skip_empty_area=True) if start is not None else []
            except Exception as exc:  # one sheet failing does not stop the others
                raise DataError(
                    f"not a readable ODS sheet ({type(exc).__name__})", file=f"{label}#{name}"
                ) from None
            row0, col0 = start if start is not None else (0, 0)
            rows = sheet_rows(grid_texts(grid, row0, col0), f"{label}#{name}", as_text=True)
            sheets.append(SheetCells(name, rows))
    finally:
        wb.close()
    return sheets


__all__ = ["OdsScan", "TableExtent", "check_ods", "read_ods_rows"]
