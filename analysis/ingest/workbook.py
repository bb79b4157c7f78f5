"""A workbook's sheets as rows of text: XLSX/XLSM and ODS read by calamine (Rust).

Memory stays bounded by what a file holds, not by what it claims: each workbook is
measured before it is parsed (:mod:`.workbook_scan` for XLSX, :mod:`.ods` for ODS).
Calamine then reads the sheets whose rectangle of cells is small enough; a sheet of a few
cells far apart (a 5 KB workbook with one cell at ``XFD1048576``) is streamed by openpyxl,
which keeps only the cells present: two short rows, not a 16k x 1M grid.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import DataError
from .calamine_sheets import CalamineSheets, Grid
from .ods import read_ods_rows
from .sheetrows import SheetCells, grid_texts, sheet_rows
from .workbook_scan import PartScan, check_workbook, error_cells, sheet_parts

#: The endings read as workbooks (the rest of the base readers' endings are CSV-like text).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def read_workbook_rows(path: Path, label: str) -> list[SheetCells]:
    """Every sheet of a workbook (XLSX, XLSM or ODS) as non-blank rows of text cells."""
    return list(iter_workbook_rows(path, label))


def iter_workbook_rows(path: Path, label: str) -> Iterator[SheetCells]:
    """:func:`read_workbook_rows` one sheet at a time, in the workbook's order.

    An XLSX's first sheet comes as soon as the whole workbook has been measured and that
    sheet read, so the caller works on it while calamine reads the next. Close the
    iterator (``contextlib.closing``) when stopping early: its reading thread ends then.
    """
    if path.suffix.lower() == ".ods":
        yield from read_ods_rows(path, label)
    else:
        yield from iter_xlsx_rows(path, label)


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

    :func:`iter_xlsx_rows` gives the same sheets one at a time, as they are read.
    """
    return list(iter_xlsx_rows(path, label))


def iter_xlsx_rows(path: Path, label: str) -> Iterator[SheetCells]:
    """:func:`read_xlsx_rows` one sheet at a time, in the workbook's order (a sheet after
    one left to openpyxl waits for openpyxl's pass, at the end)."""
    parts = sheet_parts(path)
    if parts is None:
        check_workbook(path, label)
        yield from openpyxl_sheets(path, label, None)  # a zip openpyxl reads, or names
        return
    with CalamineSheets(path, parts) as calamine:
        scan = check_workbook(path, label, on_sheet=calamine.offer)
        names = calamine.names() if scan is not None and scan.complete else None
        if names is None:  # openpyxl reads it as before, or names what is wrong
            yield from openpyxl_sheets(path, label, None)
            return
        wanted = {
            name: part for name in names
            if (part := scan.parts.get(parts.get(name, ""))) is not None and part.for_calamine
        }  # fmt: skip
        # each sheet: its rows, or None when openpyxl is to read it
        sheets: dict[str, SheetCells | None] = {n: None for n in names if n not in wanted}
        done = 0  # sheets of `names` given out
        for name, got in calamine.grids(wanted):
            sheets[name] = _calamine_sheet(path, label, name, got, wanted[name], parts[name])
            while done < len(names) and sheets.get(names[done], False):
                yield sheets[names[done]]
                done += 1
    rest = {n for n in names[done:] if sheets.get(n) is None}
    if rest:
        for s in openpyxl_sheets(path, label, rest):
            sheets[s.name] = s
    yield from (sheets[n] for n in names[done:] if sheets.get(n) is not None)


def _calamine_sheet(
    path: Path, label: str, name: str, got: Grid | None, scan: PartScan, part: str
) -> SheetCells | None:
    """One sheet's grid from calamine as rows of text, or None for openpyxl to read."""
    if got is None:
        return None  # a sheet calamine cannot read: openpyxl's turn
    (row0, col0), grid = got
    if scan.errors and not _put_errors(grid, row0, col0, error_cells(path, part)):
        return None  # errors calamine cannot place: openpyxl's turn
    return SheetCells(
        name, sheet_rows(grid_texts(grid, row0, col0), f"{label}#{name}", as_text=True)
    )


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
    "iter_workbook_rows",
    "iter_xlsx_rows",
    "openpyxl_sheets",
    "read_workbook_rows",
    "read_xlsx_rows",
]
