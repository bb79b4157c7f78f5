"""Bounded reading of raw cells: the names kept where they always were.

The reading is cut by concern: a CSV's bounds and rows in :mod:`.csvrows`, a workbook
measured before it is parsed in :mod:`.workbook_scan`, its sheets read by calamine in
:mod:`.workbook` (ODS in :mod:`.ods`), the cells turned into rows of text in
:mod:`.sheetrows`. This module re-exports their public names.
"""

from __future__ import annotations

from .csvrows import CsvScan, check_line_limit, count_lines, head_csv_rows, read_csv_rows, scan_csv
from .sheetrows import Row, SheetCells
from .workbook import openpyxl_sheets, read_workbook_rows, read_xlsx_rows
from .workbook_scan import MAX_DENSE_CELLS, PartScan, WorkbookScan, check_workbook

__all__ = [
    "MAX_DENSE_CELLS",
    "CsvScan",
    "PartScan",
    "Row",
    "SheetCells",
    "WorkbookScan",
    "check_line_limit",
    "check_workbook",
    "count_lines",
    "head_csv_rows",
    "openpyxl_sheets",
    "read_csv_rows",
    "read_workbook_rows",
    "read_xlsx_rows",
    "scan_csv",
]
