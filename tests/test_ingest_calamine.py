"""Workbooks read by calamine give the text openpyxl's streaming reader gave, within bounds.

The reference is the reader hipflex had before (openpyxl read-only, declared dimension
ignored), kept in :func:`analysis.ingest.workbook.openpyxl_sheets`: for every workbook
here, :func:`analysis.ingest.workbook.read_xlsx_rows` must return the very same rows.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import config
from analysis.errors import DataError
from analysis.ingest import workbook_scan as cells
from analysis.ingest.workbook import openpyxl_sheets as _openpyxl_sheets
from analysis.ingest.workbook import read_xlsx_rows
from analysis.ingest.workbook_scan import check_workbook


def _both(path: Path) -> tuple[list, list]:
    return read_xlsx_rows(path, path.name), _openpyxl_sheets(path, path.name, None)


@pytest.fixture
def calamine_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sheets calamine was asked to read."""
    import python_calamine

    calls: list[str] = []
    real = python_calamine.CalamineWorkbook.from_path

    class Spy:
        def __init__(self, wb):
            self._wb = wb

        def __getattr__(self, name):
            return getattr(self._wb, name)

        def get_sheet_by_name(self, name):
            calls.append(name)
            return self._wb.get_sheet_by_name(name)

    monkeypatch.setattr(
        python_calamine.CalamineWorkbook, "from_path", lambda p, *a, **k: Spy(real(p, *a, **k))
    )
    return calls


#: a date early in each date system (1900: before Excel's phantom 29 Feb 1900)
EARLY = {False: dt.date(1900, 2, 28), True: dt.date(1904, 2, 29)}


def _typed_book(path: Path, epoch1904: bool = False) -> None:
    wb = openpyxl.Workbook()
    if epoch1904:
        wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    ws = wb.active
    ws.title = "Trials"
    ws.append(["athlete", "date", "time", "split", "done", "n", "load", "note"])
    rows = [
        ["Ada Okafor", dt.datetime(2026, 3, 2), dt.time(0, 0, 52, 340000), dt.timedelta(seconds=25.12), True, 3, 22.5, "  ok  "],
        ["Ben Li", dt.datetime(2026, 3, 2, 17, 30), dt.time(0, 1, 2, 50000), dt.timedelta(minutes=1, seconds=3.456), False, 10, 123456.75, ""],
        ["Cleo Marsh", EARLY[epoch1904], dt.time(12, 0), dt.timedelta(hours=26), None, 0.0, 0.1, "x"],
    ]  # fmt: skip
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=2):
        row[2].number_format = "mm:ss.00"
        row[3].number_format = "[mm]:ss.00"
    ws.merge_cells("A5:A6")
    ws["A5"] = "Dee Nunez"
    ws["B5"] = dt.datetime(2026, 4, 1)
    ws["B6"] = dt.datetime(2026, 4, 2)
    ws["C7"] = 0.5
    ws["C7"].number_format = "h:mm"
    notes = wb.create_sheet("Notes")
    notes["B3"] = "one note, away from A1"
    wb.create_sheet("Empty")
    wb.save(path)


@pytest.mark.parametrize("epoch1904", [False, True], ids=["1900", "1904"])
def test_typed_cells_read_by_calamine_give_the_text_openpyxl_gave(
    tmp_path: Path, epoch1904: bool, calamine_calls: list[str]
) -> None:
    path = tmp_path / "trials.xlsx"
    _typed_book(path, epoch1904)
    new, old = _both(path)
    assert new == old
    assert calamine_calls == ["Trials", "Notes", "Empty"]
    trials = dict(new[0].rows)
    assert trials[2][:6] == ["Ada Okafor", "2026-03-02", "0:52.34", "0:25.12", "True", "3"]
    assert trials[3][1] == "2026-03-02 17:30:00"
    assert trials[4][1] == EARLY[epoch1904].isoformat()
    # a merged range's value sits in its first cell only, as before
    assert trials[5][0] == "Dee Nunez" and trials[6][0] is None
    assert new[1].rows == [(3, [None, "one note, away from A1"])]


def _patch_xml(path: Path, part: str, edit) -> None:
    """Rewrite one XML part of a workbook (for cells openpyxl cannot write)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, edit(data) if info.filename == part else data)


def _formula_book(path: Path, error_cell: bytes) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Log"
    ws.append(["athlete", "sets", "reps", "volume"])
    ws.append(["Ada Okafor", 3, 10, "=B2*C2"])
    ws.append(["Ben Li", 2, 0, "=B3/C3"])
    wb.create_sheet("Plain").append(["athlete", "sets"])
    wb.save(path)

    def cached(xml: bytes) -> bytes:  # what Excel writes: the formula and its last value
        xml = re.sub(rb"<f>B2\*C2</f><v ?/>", b"<f>B2*C2</f><v>30</v>", xml)
        return re.sub(rb'<c r="D3"[^>]*>.*?</c>', error_cell, xml)

    _patch_xml(path, "xl/worksheets/sheet1.xml", cached)


def test_formula_cached_values_and_error_cells_are_read_as_before(
    tmp_path: Path, calamine_calls: list[str]
) -> None:
    path = tmp_path / "log.xlsx"
    _formula_book(path, b'<c r="D3" t="e"><f>B3/C3</f><v>#DIV/0!</v></c>')
    new, old = _both(path)
    assert new == old
    log = dict(new[0].rows)
    assert log[2][3] == "30"
    assert log[3][3] == "#DIV/0!"  # calamine alone reads the error as an empty cell
    assert calamine_calls == ["Log", "Plain"]


def test_an_error_cell_in_an_unusual_form_sends_its_sheet_to_openpyxl(
    tmp_path: Path, calamine_calls: list[str]
) -> None:
    path = tmp_path / "log.xlsx"
    _formula_book(path, b'<c t="e" r="D3"><f>B3/C3</f><v>#N/A</v></c>')
    new, old = _both(path)
    assert new == old
    assert dict(new[0].rows)[3][3] == "#N/A"
    assert "Plain" in calamine_calls


@pytest.mark.parametrize(
    ("serial", "text"),
    [(-1.5, "1899-12-28 12:00:00"), (3_000_000, "#VALUE!")],
    ids=["before-1900", "after-9999"],
)
def test_a_date_serial_out_of_calamines_range_reads_as_before(
    tmp_path: Path, calamine_calls: list[str], serial: float, text: str
) -> None:
    """Calamine: a time of day (12:00) and a number; openpyxl: a date and an error."""
    path = tmp_path / "dates.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["athlete", "date"])
    ws.append(["Ada Okafor", serial])
    ws["B2"].number_format = "yyyy-mm-dd"
    wb.save(path)
    new, old = _both(path)
    assert new == old
    assert new[0].rows[1][1][1] == text
    assert calamine_calls == []


def test_a_sheet_whose_cells_span_a_huge_rectangle_never_reaches_calamine(
    tmp_path: Path, calamine_calls: list[str]
) -> None:
    path = tmp_path / "wide.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Wide"
    ws.append(["athlete", "date", "exercise", "prescription"])
    ws.append(["Ann Lee", "2026-03-02", "hanging leg raises", "3x10"])
    ws["XFD1048576"] = "x"
    wb.create_sheet("Small").append(["athlete", "date"])
    wb.save(path)
    (part,) = [p for n, p in check_workbook(path, "wide.xlsx").parts.items() if "sheet1" in n]
    assert (part.max_row, part.max_col) == (1_048_576, 16_384)
    assert part.dense_cells > cells.MAX_DENSE_CELLS
    new, old = _both(path)
    assert new == old
    assert [r for r, _ in new[0].rows] == [1, 2, 1048576]
    assert calamine_calls == ["Small"]


def _prefixed(xml: bytes) -> bytes:
    """The same sheet with the main namespace bound to ``x:`` (as some exporters write)."""
    xml = xml.replace(b'<worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)
    return re.sub(rb"<(/?)(?!x:)([A-Za-z]+)(?=[\s/>])", rb"<\1x:\2", xml)


def test_a_far_cell_behind_a_namespace_prefix_is_measured_too(tmp_path: Path) -> None:
    path = tmp_path / "prefixed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["athlete", "date"])
    ws["XFD1048576"] = "x"
    wb.save(path)
    _patch_xml(path, "xl/worksheets/sheet1.xml", _prefixed)
    with zipfile.ZipFile(path) as z:
        assert b'<x:c r="XFD1048576"' in z.read("xl/worksheets/sheet1.xml")
    (part,) = check_workbook(path, "prefixed.xlsx").parts.values()
    assert (part.max_row, part.max_col) == (1_048_576, 16_384)
    assert not part.for_calamine


def test_cells_without_references_count_towards_the_rectangle() -> None:
    part = cells.PartScan()
    cells._scan_tags(b'<row><c t="n"><v>1</v></c><c><v>2</v></c></row><row r="9"><c/></row>', part)
    assert (part.rows, part.cells) == (2, 3)
    assert (part.rows_without_ref, part.cells_without_ref) == (1, 3)
    assert part.dense_cells == (9 + 1) * (0 + 3)


def test_a_tag_cut_between_two_chunks_is_measured_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cells, "_CHUNK", 97)  # every tag lands across some boundary
    path = tmp_path / "log.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(300):
        ws.append(["Ada Okafor", i, "3x10"])
    ws["AB301"] = "far"
    wb.save(path)
    (part,) = check_workbook(path, "log.xlsx").parts.values()
    assert (part.rows, part.cells, part.max_row, part.max_col) == (301, 901, 301, 28)


def test_a_sheet_calamine_fails_on_is_read_by_openpyxl_and_the_others_by_calamine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    path = tmp_path / "trials.xlsx"
    _typed_book(path)
    real = python_calamine.CalamineWorkbook.from_path
    read: list[str] = []

    class Failing:
        def __init__(self, wb):
            self._wb = wb

        def __getattr__(self, name):
            return getattr(self._wb, name)

        def get_sheet_by_name(self, name):
            if name == "Trials":
                raise python_calamine.XmlError("broken sheet")
            read.append(name)
            return self._wb.get_sheet_by_name(name)

    monkeypatch.setattr(
        python_calamine.CalamineWorkbook, "from_path", lambda p, *a, **k: Failing(real(p))
    )
    new, old = _both(path)
    assert new == old
    assert [s.name for s in new] == ["Trials", "Notes", "Empty"]
    assert read == ["Notes", "Empty"]


def test_a_zip_bomb_is_refused_before_calamine_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    monkeypatch.setattr(config, "MAX_XLSX_XML_BYTES", 5_000_000)
    path = tmp_path / "bomb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["athlete"])
    wb.save(path)
    filler = b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>' * 100_000
    _patch_xml(path, "xl/worksheets/sheet1.xml",
               lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + filler))  # fmt: skip
    assert path.stat().st_size < 200_000

    def never(*a, **k):
        raise AssertionError("calamine opened a workbook the pre-check should refuse")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    with pytest.raises(DataError, match="MAX_XLSX_XML_BYTES"):
        read_xlsx_rows(path, "bomb.xlsx")


def test_a_file_that_is_not_a_zip_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(DataError, match="not a readable Excel workbook"):
        read_xlsx_rows(path, "broken.xlsx")


_values = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
    # no negative, 7-digit or exponent numbers: such a sheet is openpyxl's (tested above)
    st.integers(0, 999_999),
    st.floats(0, 999_999),
    st.booleans(),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
    ),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.times().map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(grid=st.lists(st.lists(_values, min_size=1, max_size=6), min_size=1, max_size=8))
def test_any_grid_of_typed_cells_reads_as_openpyxl_read_it(
    tmp_path: Path, calamine_calls: list[str], grid
) -> None:
    import openpyxl.utils.exceptions

    path = tmp_path / "grid.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    try:
        for row in grid:
            ws.append(row)
    except openpyxl.utils.exceptions.IllegalCharacterError:
        return
    wb.save(path)
    calamine_calls.clear()
    new, old = _both(path)
    assert new == old
    assert calamine_calls == ["Sheet"]


def test_error_cells_cut_between_chunks_are_all_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calamine_calls: list[str]
) -> None:
    monkeypatch.setattr(cells, "_CHUNK", 97)
    path = tmp_path / "log.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Log"
    ws.append(["athlete", "sets", "reps", "per set"])
    for i in range(200):
        ws.append(["Ada Okafor", i % 4, 10, "=C2/B2"])
    wb.save(path)
    errors = [b"#DIV/0!", b"#N/A", b"#VALUE!", b"#REF!"]
    _patch_xml(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            rb'<c r="D([0-9]+)"[^>]*>.*?</c>',
            lambda m: (
                b'<c r="D%s" t="e"><f>C2/B2</f><v>%s</v></c>'
                % (m.group(1), errors[int(m.group(1)) % 4])
            ),
            xml,
        ),
    )
    new, old = _both(path)
    assert new == old
    assert {c[3] for _, c in new[0].rows[1:]} == {e.decode() for e in errors}
    assert calamine_calls == ["Log"]


def test_a_few_cells_far_apart_are_streamed_not_filled_into_a_rectangle(
    tmp_path: Path, calamine_calls: list[str]
) -> None:
    path = tmp_path / "sparse.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "athlete"
    ws["Z10000"] = "far"  # 260,000 cells of rectangle for two cells
    wb.save(path)
    (part,) = check_workbook(path, "sparse.xlsx").parts.values()
    assert part.dense_cells == 260_000 and part.cells == 2
    assert not part.for_calamine
    new, old = _both(path)
    assert new == old
    assert calamine_calls == []
