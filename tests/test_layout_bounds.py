"""Issue 14 items 1 and 9: bounded reading, ragged rows, quote-error rows, UTF-16 without BOM."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from helpers import TODAY

import analysis as hf
from analysis import config
from analysis.errors import DataError
from analysis.io import read_raw

ROSTER = "athlete_id,name\nA1,Ann Lee\n"


def _folder(tmp_path: Path, name: str, content: bytes) -> Path:
    (tmp_path / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    return tmp_path


def test_ragged_rows_are_rejected_with_their_extra_fields_not_cut_off(tmp_path):
    text = (
        "athlete,date,exercise,prescription\n"
        "Ann Lee,2026-03-02,hanging leg raises,3x10,extra\n"
        "Ann Lee,2026-03-03,hanging leg raises,3x10\n"
        "Ann Lee,2026-03-04,hanging leg raises,3x10,\n"  # a trailing comma is not ragged
    )
    ds = hf.load_dataset(_folder(tmp_path, "log.csv", text.encode()), today=TODAY)
    assert ds.log["source_row"].tolist() == [3, 4]
    rej = ds.rejects[["source", "source_row", "value"]].to_numpy().tolist()
    assert rej == [["log.csv", 2, "extra"]]
    assert "more than the header" in ds.rejects["reason"].iloc[0]
    rec = ds.reconciliation.iloc[0]
    assert (rec["rows_read"], rec["clean"], rec["rejected"]) == (3, 2, 1)


def test_read_raw_names_the_ragged_row_instead_of_dropping_its_fields(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text("athlete,date\nAnn,2026-03-04\nAnn,2026-03-05,oops\n", encoding="utf-8")
    with pytest.raises(DataError) as ei:
        read_raw(p, root=tmp_path)
    assert str(ei.value).startswith("log.csv, row 3: row has 3 fields")
    assert "'oops'" in str(ei.value)


def test_an_unclosed_quote_names_the_spreadsheet_row(tmp_path):
    p = tmp_path / "log.csv"
    p.write_text('athlete,date\n"Ann,2026-03-04\nBen,2026-03-05\n', encoding="utf-8")
    with pytest.raises(DataError) as ei:
        read_raw(p, root=tmp_path)
    assert ei.value.row == 2
    assert "quote" in str(ei.value)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read_not_called_binary(tmp_path, encoding):
    p = tmp_path / "log.csv"
    p.write_bytes("athlete,date\nDeirdre Nuñez,2026-03-04\n".encode(encoding))
    (table,) = read_raw(p, root=tmp_path)
    assert table.frame["athlete"].tolist() == ["Deirdre Nuñez"]


def test_one_unreadable_file_no_longer_aborts_the_folder(tmp_path):
    root = _folder(
        tmp_path, "good.csv",
        b"athlete,date,exercise,prescription\nAnn Lee,2026-03-02,hanging leg raises,3x10\n",
    )  # fmt: skip
    (root / "bad.csv").write_bytes(b"\x00\x01\x02garbage")
    (root / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    ds = hf.load_dataset(root, today=TODAY)
    assert len(ds.log) == 1
    skipped = ds.skipped.set_index("source")
    assert sorted(skipped.index) == ["bad.csv", "broken.xlsx"]
    assert "binary" in skipped.loc["bad.csv", "reason"]
    assert int(skipped.loc["bad.csv", "rows"]) == 0
    assert "not a readable Excel workbook" in skipped.loc["broken.xlsx", "reason"]


def test_a_file_whose_dates_contradict_is_skipped_and_the_rest_cleaned(tmp_path):
    root = _folder(
        tmp_path, "good.csv",
        b"athlete,date,exercise,prescription\nAnn Lee,2026-03-02,hanging leg raises,3x10\n",
    )  # fmt: skip
    (root / "mixed.csv").write_text(
        "athlete,date,exercise,prescription\nAnn Lee,25/03/2026,hanging leg raises,3x10\n"
        "Ann Lee,03/25/2026,hanging leg raises,3x10\n",
        encoding="utf-8",
    )
    ds = hf.load_dataset(root, today=TODAY)
    assert ds.log["source"].tolist() == ["good.csv"]
    (reason,) = ds.skipped.loc[ds.skipped["source"] == "mixed.csv", "reason"]
    assert "mixed.csv" in reason
    assert int(ds.skipped["rows"].iloc[0]) == 3


def _wide_workbook(path: Path) -> None:
    """A workbook of a few KB whose one far cell makes its dimension A1:XFD1048576."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["athlete", "date", "exercise", "prescription"])
    ws.append(["Ann Lee", "2026-03-02", "hanging leg raises", "3x10"])
    ws["XFD1048576"] = "x"
    wb.save(path)


def test_a_workbook_with_one_cell_at_xfd1048576_is_read_from_its_cells(tmp_path):
    root = tmp_path
    (root / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    _wide_workbook(root / "wide.xlsx")
    assert (root / "wide.xlsx").stat().st_size < 10_000
    with zipfile.ZipFile(root / "wide.xlsx") as z:
        assert b"XFD1048576" in z.read("xl/worksheets/sheet1.xml")
    from analysis.ingest.workbook import read_xlsx_rows

    (sheet,) = read_xlsx_rows(root / "wide.xlsx", "wide.xlsx")
    assert [r for r, _ in sheet.rows] == [1, 2, 1048576]
    assert max(len(c) for _, c in sheet.rows) <= 4
    ds = hf.load_dataset(root, today=TODAY)
    assert len(ds.log) == 1
    rec = ds.reconciliation.iloc[0]
    assert rec["raw_rows"] == rec["data_rows"] + rec["not_data"]


def test_a_csv_line_beyond_the_limit_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_LINE_BYTES", 10_000)
    p = tmp_path / "commas.csv"
    p.write_bytes(b"athlete,date\n" + b"," * 50_000 + b"\n")
    with pytest.raises(DataError) as ei:
        read_raw(p, root=tmp_path)
    msg = str(ei.value)
    assert msg.startswith("commas.csv: refused: a line exceeds the limit of 10,000")
    assert "MAX_LINE_BYTES" in msg and "\n" not in msg


def test_a_csv_with_too_many_fields_is_refused_naming_the_row(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_FIELDS", 50)
    p = tmp_path / "wide.csv"
    p.write_bytes(b"athlete,date\nAnn,2026-03-04\n" + b"," * 80 + b"\n")
    with pytest.raises(DataError) as ei:
        read_raw(p, root=tmp_path)
    assert ei.value.row == 3
    assert "MAX_FIELDS" in str(ei.value)


_CHILD = r"""
import datetime as dt, json, resource, sys, time
t = time.perf_counter()
import analysis as hf
from analysis.errors import DataError
try:
    ds = hf.load_dataset(sys.argv[1], today=dt.date(2026, 12, 1))
    what = f"read {len(ds.log)}; skipped " + "; ".join(ds.skipped["reason"].astype(str))
except DataError as exc:
    what = f"refused: {exc}"
print(json.dumps({"s": time.perf_counter() - t, "mb": resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss / 1024, "what": what}))
"""


@pytest.mark.slow
def test_hostile_files_are_read_or_refused_within_10_s_and_1_gb(tmp_path):
    import json
    import subprocess
    import sys

    wide = tmp_path / "wide"
    wide.mkdir()
    (wide / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    _wide_workbook(wide / "wide.xlsx")
    commas = tmp_path / "commas"
    commas.mkdir()
    (commas / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    with open(commas / "commas.csv", "wb") as fh:
        fh.write(b"athlete,date,exercise,prescription\n" + b"," * 50_000_000 + b"\n")
    for folder, expect in ((wide, "read 1"), (commas, "refused: a line exceeds the limit")):
        out = subprocess.run([sys.executable, "-c", _CHILD, str(folder)], check=True,
                             capture_output=True, text=True)  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        assert r["s"] < 10 and r["mb"] < 1024, r
        assert expect in r["what"], r


# ------------------------------------------------------------------ hipflex clean | head -1

LAYOUTS = Path(__file__).parent / "data" / "layouts" / "folder"


@pytest.mark.slow  # a hipflex subprocess
@pytest.mark.parametrize("command", ["clean", "inspect"])
def test_output_closed_early_ends_without_a_traceback(tmp_path, command):
    """``hipflex clean DIR | head -1``: the reader leaves before the summary is written."""
    import os
    import subprocess
    import sys

    args = [sys.executable, "-m", "analysis.cli", command, str(LAYOUTS)]
    if command == "clean":
        args += ["--out", str(tmp_path / "processed")]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    # the pipe's reading end closed before anything is written: every write fails
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    # and through a shell pipe into head, as a coach types it
    shell = subprocess.run(
        " ".join(f"'{a}'" for a in args) + " | head -1", shell=True, capture_output=True,
        text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert len(shell.stdout.splitlines()) == 1
    assert "Traceback" not in shell.stderr and "Exception ignored" not in shell.stderr
    if command == "clean":
        assert (tmp_path / "processed" / "manifest.json").is_file()  # the work was done
