"""Calamine reading a workbook's sheets on a thread of its own, as soon as each is measured.

Calamine parses a sheet in Rust with Python's lock released, so while it reads one sheet
the main thread can measure the next sheet's XML (:func:`.workbook_scan.check_workbook`)
and turn the sheet before into text (:func:`.sheetrows.grid_texts`). Measured on the
500-athlete sample's workbook (380,000 cells, two large sheets): the reader went from
0.67 s to ~0.4 s on two cores, the CPU seconds unchanged.

Nothing is read before it is measured: a sheet is offered (:meth:`CalamineSheets.offer`)
only once the pre-check has seen its whole XML part and found its rectangle small enough
for calamine. Memory stays bounded: the thread reads ahead only while the grids read and
not yet taken hold at most :data:`.workbook_scan.MAX_DENSE_CELLS` cells of rectangle
(it always may read one), so at most about twice one sheet's bound is held at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .workbook_scan import MAX_DENSE_CELLS, PartScan

#: A sheet read by calamine: its first row and column (0-based) and its rows of values.
Grid = tuple[tuple[int, int], list[list]]


class CalamineSheets:
    """Sheets of one XLSX read by calamine on one background thread.

    Use as a context manager: leaving it stops the thread (a sheet being read is
    finished, the rest are not started) and closes the workbook.

    Parameters
    ----------
    path
        The workbook.
    parts
        Each worksheet's name -> its XML part (:func:`.workbook_scan.sheet_parts`).
    """

    def __init__(self, path: Path, parts: dict[str, str]) -> None:
        self._path = path
        self._parts = parts
        self._names = {part: name for name, part in parts.items()}
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="hipflex-calamine")
        self._wb = None
        self._opened: Future = self._pool.submit(self._open)
        self._grids: dict[str, tuple[Future, int]] = {}  # name -> (its read, its cells)
        self._held = 0  # rectangle cells read and not yet taken
        self._room = threading.Condition()
        self._closed = False

    # -- on the background thread --------------------------------------------------

    def _open(self) -> list[str]:
        import python_calamine

        self._wb = python_calamine.CalamineWorkbook.from_path(str(self._path))
        return [
            m.name for m in self._wb.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]  # fmt: skip

    def _read(self, name: str, size: int) -> Grid | None:
        with self._room:  # wait for room unless nothing is held
            while self._held and self._held + size > MAX_DENSE_CELLS and not self._closed:
                self._room.wait()
            if self._closed:
                return None
            self._held += size
        try:
            values = self._wb.get_sheet_by_name(name)
            start = values.start
            grid = values.to_python(skip_empty_area=True) if start is not None else []
        except Exception:  # a sheet calamine cannot read: openpyxl's turn
            self._release(size)
            return None
        return (start if start is not None else (0, 0)), grid

    def _close_workbook(self) -> None:
        if self._wb is not None:
            self._wb.close()

    def _release(self, size: int) -> None:
        with self._room:
            self._held -= size
            self._room.notify_all()

    # -- on the caller's thread -----------------------------------------------------

    def names(self) -> list[str] | None:
        """The workbook's worksheets in order, or None when calamine cannot open it."""
        try:
            return self._opened.result()
        except Exception:
            return None

    def offer(self, part: str, scan: PartScan) -> None:
        """A worksheet part measured whole: read its sheet now if calamine may read it."""
        name = self._names.get(part)
        if name is None or name in self._grids or not scan.for_calamine or self._closed:
            return
        size = scan.dense_cells
        self._grids[name] = self._pool.submit(self._read, name, size), size

    def grids(self, wanted: dict[str, PartScan]) -> Iterator[tuple[str, Grid | None]]:
        """``(name, grid)`` of each wanted sheet, in the order the thread reads them.

        Sheets not offered yet are offered now. The grids are taken in the order they
        were read (a later one may be waiting for the room an earlier one holds); a grid
        is None when calamine failed on its sheet (openpyxl's turn).
        """
        for name, scan in wanted.items():
            if name not in self._grids and name in self._parts:
                self.offer(self._parts[name], scan)
        for name in list(self._grids):
            future, size = self._grids.pop(name)
            got = future.result()
            if got is not None:
                self._release(size)
            if name in wanted:
                yield name, got

    def __enter__(self) -> CalamineSheets:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._room:
            self._closed = True
            self._room.notify_all()
        for future, _ in self._grids.values():
            future.cancel()
        self._pool.submit(self._close_workbook)
        self._pool.shutdown(wait=True)


__all__ = ["CalamineSheets", "Grid"]
