"""Calamine reads a workbook's sheets on a thread while the pre-check measures the next.

:class:`analysis.ingest.calamine_sheets.CalamineSheets`: nothing is read before its XML part
has been measured whole, a part named twice in the zip is never read early, the
read-ahead is bounded, and the thread is gone when the read ends (also when the workbook
is refused half-way).
"""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analysis import config
from analysis.errors import DataError
from analysis.ingest import calamine_sheets
from analysis.ingest.workbook import openpyxl_sheets, read_xlsx_rows
from analysis.ingest.workbook_scan import check_workbook


def _book(path: Path, sheets: int = 4, rows: int = 50) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for k in range(sheets):
        ws = wb.create_sheet(f"S{k}")
        ws.append(["Athlete", "Date", "Exercise", "Sets x Reps"])
        for i in range(rows):
            ws.append([f"Athlete {k}", f"2026-03-{1 + i % 28:02d}", "A's", f"3x{10 + i % 5}"])
    wb.save(path)
    return path


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("hipflex-calamine")]


def test_every_sheet_reads_as_openpyxl_reads_it_and_the_thread_ends(tmp_path: Path) -> None:
    path = _book(tmp_path / "log.xlsx")
    assert read_xlsx_rows(path, "log.xlsx") == openpyxl_sheets(path, "log.xlsx", None)
    assert _threads() == []


def test_read_ahead_holds_one_sheet_when_the_room_is_one_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no room beyond the sheet being read, the thread waits for each grid to be
    taken: the sheets still all come, in the workbook's order, without a deadlock."""
    monkeypatch.setattr(calamine_sheets, "MAX_DENSE_CELLS", 1)
    path = _book(tmp_path / "log.xlsx", sheets=6)
    held: list[int] = []
    real = calamine_sheets.CalamineSheets._read

    def spy(self, name, size):
        got = real(self, name, size)
        held.append(self._held)
        return got

    monkeypatch.setattr(calamine_sheets.CalamineSheets, "_read", spy)
    got = read_xlsx_rows(path, "log.xlsx")
    assert [s.name for s in got] == [f"S{k}" for k in range(6)]
    assert got == openpyxl_sheets(path, "log.xlsx", None)
    assert held and max(held) == max(held[:1])  # never two sheets held at once
    assert _threads() == []


def test_a_sheet_is_offered_only_after_its_part_is_measured_whole(tmp_path: Path) -> None:
    path = _book(tmp_path / "log.xlsx", sheets=3)
    offered: list[tuple[str, int]] = []
    scan = check_workbook(path, "log.xlsx", on_sheet=lambda p, s: offered.append((p, s.cells)))
    assert [p for p, _ in offered] == [f"xl/worksheets/sheet{k}.xml" for k in (1, 2, 3)]
    # the scan offered is the whole part's: its cells are all counted by then
    assert [c for _, c in offered] == [scan.parts[p].cells for p, _ in offered]


def test_a_part_named_twice_in_the_zip_is_never_read_early(tmp_path: Path) -> None:
    """A zip holding a worksheet part twice (a reader may take either copy): the first
    copy's measure is no warrant for the second, so the part is read after the whole
    scan, which counts both."""
    path = _book(tmp_path / "log.xlsx", sheets=2)
    twice = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(twice, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        far = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        far += b'<sheetData><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t>'
        far += b"</is></c></row></sheetData></worksheet>"
        with pytest.warns(UserWarning, match="Duplicate name"):
            dst.writestr("xl/worksheets/sheet1.xml", far)
    offered: list[str] = []
    scan = check_workbook(twice, "twice.xlsx", on_sheet=lambda p, s: offered.append(p))
    assert offered == ["xl/worksheets/sheet2.xml"]
    assert not scan.parts["xl/worksheets/sheet1.xml"].for_calamine  # both copies counted
    read_xlsx_rows(twice, "twice.xlsx")  # the far cell's sheet goes to openpyxl: no 16k x 1M grid
    assert _threads() == []


def test_a_workbook_refused_half_way_stops_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _book(tmp_path / "log.xlsx", sheets=4, rows=200)
    monkeypatch.setattr(config, "MAX_XLSX_CELLS", 1_500)  # the second sheet passes it
    with pytest.raises(DataError, match="MAX_XLSX_CELLS"):
        read_xlsx_rows(path, "log.xlsx")
    assert _threads() == []


def test_a_sheet_left_to_openpyxl_keeps_its_place_in_the_workbook(tmp_path: Path) -> None:
    """The middle sheet holds a negative number (openpyxl reads it, at the end): the
    sheets still come in the workbook's order, as openpyxl alone gives them."""
    path = _book(tmp_path / "log.xlsx", sheets=3)
    wb = openpyxl.load_workbook(path)
    wb["S1"]["E2"] = -3
    wb.save(path)
    got = read_xlsx_rows(path, "log.xlsx")
    assert [s.name for s in got] == ["S0", "S1", "S2"]
    assert got == openpyxl_sheets(path, "log.xlsx", None)


def test_an_iterator_closed_after_its_first_sheet_ends_its_thread(tmp_path: Path) -> None:
    from contextlib import closing

    from analysis.ingest.workbook import iter_xlsx_rows

    path = _book(tmp_path / "log.xlsx", sheets=5)
    with closing(iter_xlsx_rows(path, "log.xlsx")) as sheets:
        first = next(sheets)
        assert first.name == "S0" and _threads() != []  # the next sheets are being read
    assert _threads() == []


def test_sheets_stored_in_reverse_order_in_the_zip_come_right_without_a_deadlock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zip holds the last sheet's XML first: the thread reads them in that order,
    one at a time (no room for two), and the sheets still come in the workbook's order."""
    monkeypatch.setattr(calamine_sheets, "MAX_DENSE_CELLS", 1)
    path = _book(tmp_path / "log.xlsx", sheets=4)
    reversed_zip = tmp_path / "reversed.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(reversed_zip, "w") as dst:
        infos = src.infolist()
        sheets = [i for i in infos if i.filename.startswith("xl/worksheets/")]
        for info in [i for i in infos if i not in sheets] + sheets[::-1]:
            dst.writestr(info, src.read(info))
    offered: list[str] = []
    check_workbook(reversed_zip, "r.xlsx", on_sheet=lambda p, s: offered.append(p))
    assert offered == [f"xl/worksheets/sheet{k}.xml" for k in (4, 3, 2, 1)]
    got = read_xlsx_rows(reversed_zip, "r.xlsx")
    assert [s.name for s in got] == ["S0", "S1", "S2", "S3"]
    assert got == openpyxl_sheets(path, "log.xlsx", None)
    assert _threads() == []
