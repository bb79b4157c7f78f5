"""A workbook's sheets as rows of text: XLSX/XLSM and ODS read by calamine (Rust).

Memory stays bounded by what a file holds, not by what it claims: each workbook is
measured before it is parsed (:mod:`.workbook_scan` for XLSX, :mod:`.ods` for ODS).
Calamine then reads the sheets whose rectangle of cells is small enough; a sheet of a few
cells far apart (a 5 KB workbook with one cell at ``XFD1048576``) is streamed by openpyxl,
which keeps only the cells present: two short rows, not a 16k x 1M grid.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DataError
from .calamine_sheets import CalamineSheets
from .ods import read_ods_rows
from .sheetrows import SheetCells, grid_texts, sheet_rows
from .workbook_scan import check_workbook, error_cells, sheet_parts

#: The endings read as workbooks (the rest of the base readers' endings are CSV-like text).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def read_workbook_rows(path: Path, label: str) -> list[SheetCells]:
    """Every sheet of a workbook (XLSX, XLSM or ODS) as non-blank rows of text cells."""
    if path.suffix.lower() == ".ods":
        return read_ods_rows(path, label)
    return read_xlsx_rows(path, label)


def read_xlsx_rows(path: Path, label: str) -> list[SheetCells]:
    """Every sheet of a workbook as non-blank rows of text cells.

    Read by calamine (Rust, ~10x faster than openpyxl here) after :func:`check_workbook`
    has bounded the workbook and measured, per sheet, the rectangle its cells really span
    (the declared dimension ``A1:XFD1048576`` is not trusted). Calamine reads error cells
    (``#N/A``) as empty: their text is put back from the XML (:func:`error_cells`).
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
    :func:`analysis.io.cell_to_text` (Excel serials in the 1900 or 1904 date system),
    formulas' cached values, booleans as ``True``/``False``, a merged range's value in its
    first cell only (no fill-down here; the layouts fill an athlete down a grid).

    A row is cut after its last non-empty cell. Limits: :data:`analysis.config.MAX_FIELDS`
    columns with data, :data:`analysis.config.MAX_ROWS` rows,
    :data:`analysis.config.MAX_CELLS` non-empty cells per sheet.
    """
    parts = sheet_parts(path)
    if parts is None:
        scan = check_workbook(path, label)
        return openpyxl_sheets(path, label, None)  # a zip openpyxl reads, or names
    with CalamineSheets(path, parts) as calamine:
        scan = check_workbook(path, label, on_sheet=calamine.offer)
        if scan is None or not scan.complete:
            return openpyxl_sheets(path, label, None)
        names = calamine.names()
        if names is None:  # openpyxl reads it as before, or names what is wrong
            return openpyxl_sheets(path, label, None)
        sheets: dict[str, SheetCells | None] = dict.fromkeys(names)
        wanted = {
            name: part for name in names
            if (part := scan.parts.get(parts.get(name, ""))) is not None and part.for_calamine
        }  # fmt: skip
        for name, got in calamine.grids(wanted):
            if got is None:
                continue  # a sheet calamine cannot read: openpyxl's turn
            (row0, col0), grid = got
            if wanted[name].errors and not _put_errors(
                grid, row0, col0, error_cells(path, parts[name])
            ):
                continue  # errors calamine cannot place: openpyxl's turn
            rows = sheet_rows(grid_texts(grid, row0, col0), f"{label}#{name}", as_text=True)
            del grid, got
            sheets[name] = SheetCells(name, rows)
    rest = [n for n, s in sheets.items() if s is None]
    if rest:
        for s in openpyxl_sheets(path, label, set(rest)):
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


def openpyxl_sheets(path: Path, label: str, only: set[str] | None) -> list[SheetCells]:
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
                rows = sheet_rows(enumerate(ws.iter_rows(values_only=True), start=1), sheet_label)
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


__all__ = [
    "WORKBOOK_SUFFIXES",
    "openpyxl_sheets",
    "read_workbook_rows",
    "read_xlsx_rows",
]
