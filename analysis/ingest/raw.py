"""One raw file (a CSV or a workbook) as raw frames: :func:`read_raw`.

The plain reading of :mod:`analysis.ingest`: a CSV checked against the limits and read
by pandas' C parser, a workbook's sheets read as rows of text, each turned into a raw
frame of text cells with ``source`` and ``source_row`` (:mod:`.frames`). Layouts other
than a plain table are :mod:`.layout`'s.
"""

from __future__ import annotations

import os
from pathlib import Path

from .csvfile import MaybeRagged, RaggedRowsError, ragged_error, read_csv_text, sniff_csv
from .csvrows import check_line_limit, scan_csv
from .frames import RawTable, finish_frame, frame_from_rows
from .workbook import WORKBOOK_SUFFIXES, read_workbook_rows

#: The endings the base readers read (CSV-like text and workbooks); the full list, with the
#: app and timing-system formats, is :func:`analysis.ingest.files.readable_suffixes`.
RAW_SUFFIXES = (".csv", ".txt", ".tsv", *WORKBOOK_SUFFIXES)


def read_raw(
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    categorical: bool = False,
    empty_sheets: list[str] | None = None,
    check: bool = True,
) -> list[RawTable]:
    """Read one raw CSV file or workbook (XLSX, XLSM, ODS) into :class:`RawTable` s (one per non-empty sheet).

    With ``categorical``, the cells come as ``category`` columns (the same stripped text,
    dictionary-encoded) and ``source`` is categorical too: the form the cleaners read
    fastest, as :func:`analysis.load_dataset` reads a large log. :func:`as_text` turns
    such a frame back into ``string`` columns. A workbook's sheets without data rows are
    left out; their sources (``file.xlsx#Sheet``) are appended to ``empty_sheets`` when a
    list is given. ``check=False`` leaves out the CSV's check against the reading limits
    (:func:`analysis.ingest.csvrows.check_line_limit`), for a caller that has just made it.

    Raises
    ------
    DataError
        The file is empty, binary garbage, not decodable, or not a readable workbook.
    """
    path = Path(path)
    label = str(path.relative_to(root)) if root is not None else path.name
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        tables = []
        for sheet in read_workbook_rows(path, label):
            source = f"{label}#{sheet.name}"
            if len(sheet.rows) < 2:  # no rows, or a header alone
                if empty_sheets is not None:
                    empty_sheets.append(source)
                continue
            tables.append(RawTable(source, frame_from_rows(sheet.rows, source, categorical)))
        return tables
    encoding, sep = sniff_csv(path, label)
    if check:  # False: the caller has checked the file against the limits already
        check_line_limit(path, label, encoding, sep)
    try:
        frame = read_csv_text(path, label, encoding, sep)
    except MaybeRagged:
        # only now the closer (NumPy) look: which rows have extra non-empty fields
        ragged = scan_csv(path, label, encoding, sep).ragged
        if ragged:
            raise ragged_error(label, ragged) from None
        frame = read_csv_text(path, label, encoding, sep, index_col=False)
    return [RawTable(label, finish_frame(frame, label, categorical=categorical))]


__all__ = [
    "RAW_SUFFIXES",
    "RaggedRowsError",
    "read_raw",
]
