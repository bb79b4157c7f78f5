"""OpenDocument spreadsheets (``.ods``) read by calamine, within the workbook bounds (issue 25).

The fixtures are built here by hand with :mod:`zipfile` (odfpy is not installed), in
the shape the OpenDocument 1.2 specification (part 1, section 9.1 "Tables"; part 3,
section 3 "Packages") gives and LibreOffice Calc writes: a ``mimetype`` entry first and
stored, ``content.xml`` holding ``<table:table>`` sheets of ``<table:table-row>`` rows of
``<table:table-cell>`` cells typed by ``office:value-type`` (``float``, ``date``,
``time``, ``boolean``, ``string``), repeats (``table:number-columns-repeated``,
``table:number-rows-repeated``), a merged range (``table:number-columns-spanned`` and a
``<table:covered-table-cell>``) and the empty rows and columns LibreOffice repeats to the
sheet's edge.
"""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import analysis as hf
from analysis import config
from analysis.errors import DataError
from analysis.ingest.ods import check_ods
from analysis.ingest.raw import read_raw

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
MIME = "application/vnd.oasis.opendocument.spreadsheet"
#: the empty rows and columns LibreOffice writes after a sheet's data
EDGE = (
    '<table:table-row table:number-rows-repeated="1048570">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)


def text(v: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'


def number(v: float) -> str:
    return (
        f'<table:table-cell office:value-type="float" office:value="{v}">'
        f"<text:p>{v}</text:p></table:table-cell>"
    )


def date(iso: str) -> str:
    return (
        f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
        f"<text:p>{iso}</text:p></table:table-cell>"
    )


def duration(iso: str) -> str:
    return (
        f'<table:table-cell office:value-type="time" office:time-value="{iso}">'
        f"<text:p>{iso}</text:p></table:table-cell>"
    )


EMPTY = '<table:table-cell table:style-name="ce1"/>'


def write_ods(path: Path, sheets: dict[str, list[list[str]]], edge: str = EDGE) -> None:
    body = "".join(
        f'<table:table table:name="{name}">'
        + "".join("<table:table-row>" + "".join(r) + "</table:table-row>" for r in rows)
        + edge
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} '
        f'office:version="1.2"><office:body><office:spreadsheet>{body}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), MIME)  # first, stored
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


LOG_ROWS = [
    [text("Athlete"), text("Date"), text("Exercise"), text("Sets x Reps"), text("Load")],
    [text("Ada Okafor"), date("2026-03-02"), text("hip flexor march"), text("3x10"), number(20)],
    [EMPTY, EMPTY, EMPTY, EMPTY],  # a spacer row: not data, never counted
    [text("Ada Okafor"), date("2026-03-04"), text("A skips"), text("2 x 30 m"), EMPTY],
    [
        text("Ada Okafor"),
        date("2026-03-04T10:30:00"),
        text("band knee drive"),
        text("3x12 each leg"),
        number(12.5),
    ],  # a dated entry with a time of day
]


def test_an_ods_log_reads_as_its_text(tmp_path: Path) -> None:
    write_ods(tmp_path / "log.ods", {"Log": LOG_ROWS})
    (table,) = read_raw(tmp_path / "log.ods", root=tmp_path)
    assert table.source == "log.ods#Log"
    frame = table.frame
    assert list(frame.columns) == [
        "Athlete", "Date", "Exercise", "Sets x Reps", "Load", "source", "source_row",
    ]  # fmt: skip
    assert frame["Date"].tolist() == ["2026-03-02", "2026-03-04", "2026-03-04 10:30:00"]
    assert frame["Load"].tolist()[0] == "20" and frame["Load"].tolist()[2] == "12.5"
    assert frame["Load"].isna().tolist() == [False, True, False]
    assert frame["source_row"].tolist() == [2, 4, 5]


def test_typed_cells_read_like_a_workbooks(tmp_path: Path) -> None:
    merged = (
        '<table:table-cell table:number-columns-spanned="2" office:value-type="string">'
        "<text:p>M</text:p></table:table-cell><table:covered-table-cell/>"
    )
    repeated = (
        '<table:table-cell table:number-columns-repeated="2" office:value-type="string">'
        "<text:p>r</text:p></table:table-cell>"
    )
    boolean = (
        '<table:table-cell office:value-type="boolean" office:boolean-value="true">'
        "<text:p>TRUE</text:p></table:table-cell>"
    )
    rows = [
        [text("Name"), text("Time"), text("Flag"), text("X")],
        [text("x"), duration("PT00H00M52.34S"), boolean],
        [merged, repeated],
    ]
    write_ods(tmp_path / "t.ods", {"T": rows})
    (table,) = read_raw(tmp_path / "t.ods")
    f = table.frame.astype(object).where(table.frame.notna(), None)
    # a duration as m:ss.ff, a boolean as True, a merged range's value in its first cell
    # only, a repeated cell in each column it repeats into
    assert f["Name"].tolist() == ["x", "M"]
    assert f["Time"].tolist() == ["0:52.34", None]
    assert f["Flag"].tolist() == ["True", "r"]
    assert f["X"].tolist() == [None, "r"]


def test_an_ods_log_comes_in_whole_through_load_dataset(tmp_path: Path) -> None:
    (tmp_path / "athletes.csv").write_text("athlete_id,name\nA1,Ada Okafor\n", encoding="utf-8")
    write_ods(tmp_path / "log.ods", {"Log": LOG_ROWS})
    ds = hf.load_dataset(tmp_path, today=dt.date(2026, 12, 1))
    assert len(ds.log) == 3
    assert ds.log["athlete_id"].tolist() == ["A1"] * 3
    assert sorted(ds.log["source"].astype(str).unique()) == ["log.ods#Log"]
    assert ds.skipped.empty


def test_a_few_bytes_claiming_a_full_sheet_are_refused_before_calamine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    def never(*a, **k):
        raise AssertionError("calamine opened a refused file")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", never)
    bomb = (
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )
    path = tmp_path / "bomb.ods"
    write_ods(path, {"S": [[text("Athlete"), text("Date")]]}, edge=bomb)
    assert path.stat().st_size < 5_000
    t0 = time.perf_counter()
    with pytest.raises(DataError) as ei:
        read_raw(path)
    assert time.perf_counter() - t0 < 5
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith("bomb.ods: refused: ") and "MAX_CELLS" in msg


def test_a_sheet_spanning_too_wide_a_rectangle_is_refused_naming_the_limit(
    tmp_path: Path,
) -> None:
    far = (
        '<table:table-row table:number-rows-repeated="400000"><table:table-cell/>'
        "</table:table-row><table:table-row>"
        '<table:table-cell table:number-columns-repeated="40"/>'
        + text("far")
        + "</table:table-row>"
    )
    write_ods(tmp_path / "far.ods", {"S": [[text("Athlete")]]}, edge=far)
    with pytest.raises(DataError, match="MAX_DENSE_CELLS"):
        check_ods(tmp_path / "far.ods", "far.ods")


def test_the_empty_edge_libreoffice_writes_spans_nothing(tmp_path: Path) -> None:
    write_ods(tmp_path / "log.ods", {"Log": LOG_ROWS})
    scan = check_ods(tmp_path / "log.ods", "log.ods")
    (sheet,) = scan.tables
    assert (sheet.max_row, sheet.max_col) == (5, 5)


def test_a_cell_over_the_line_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "MAX_LINE_BYTES", 10_000)
    write_ods(tmp_path / "big.ods", {"S": [[text("Athlete")], [text("x" * 20_000)]]})
    with pytest.raises(DataError, match="MAX_LINE_BYTES"):
        read_raw(tmp_path / "big.ods")


def test_a_file_that_is_not_an_ods_zip_is_named_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.ods").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError) as ei:
        read_raw(tmp_path / "broken.ods")
    assert "\n" not in str(ei.value) and "ODS" in str(ei.value)


def test_a_plan_saved_as_ods_is_read_as_the_plan_as_its_csv_is(tmp_path: Path) -> None:
    import csv
    import shutil

    season = Path(__file__).parent / "data" / "season"
    shutil.copytree(season, tmp_path / "csv")
    shutil.copytree(season, tmp_path / "ods")
    with (season / "plan.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    (tmp_path / "ods" / "plan.csv").unlink()
    cells = [[text(v) if v else EMPTY for v in row] for row in rows]
    write_ods(tmp_path / "ods" / "plan.ods", {"Plan": cells})  # text(): the XML of a string cell
    today = dt.date(2026, 12, 1)
    from_csv = hf.load_dataset(tmp_path / "csv", today=today)
    from_ods = hf.load_dataset(tmp_path / "ods", today=today)
    assert len(from_ods.plan) == len(from_csv.plan) > 0
    cols = ["athlete_id", "week", "exercise", "hf_reps"]
    cols = [c for c in cols if c in from_csv.plan.columns]
    pd.testing.assert_frame_equal(
        from_ods.plan[cols].reset_index(drop=True), from_csv.plan[cols].reset_index(drop=True)
    )
    assert len(from_ods.log) == len(from_csv.log)  # the plan is never read as a log
