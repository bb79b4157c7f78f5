"""The registry of app and timing-system file formats (analysis.ingest.formats).

A format claims a file by its signature and its reader's tables reach the cleaners like
any sheet's; a file no format claims is read by layout detection as before.
"""

from __future__ import annotations

import pandas as pd
import pytest

import analysis.ingest.formats as fmts
from analysis.ingest import read_file
from analysis.ingest.layout import Layout, Parsed


def _toy_reader(path, ctx):
    lines = path.read_text().splitlines()[1:]
    rows = [line.split("|") for line in lines]
    athlete = ctx.athlete_from_path()
    frame = pd.DataFrame(
        {
            "athlete": [athlete[0] if athlete else None] * len(rows),
            "date": [r[0] for r in rows],
            "exercise": [r[1] for r in rows],
            "source": ctx.label,
            "source_row": range(2, len(rows) + 2),
        }
    )
    lay = Layout(ctx.label, kind="table", header_row=1, format="Toy export", table="log",
                 athlete=athlete[0] if athlete else None,
                 athlete_from=athlete[1] if athlete else "column")  # fmt: skip
    parsed = Parsed(lay, frame, not_data=[(1, 1, "banner line")], rows_total=len(rows) + 1)
    return [parsed]


@pytest.fixture
def toy_format(monkeypatch):
    reg = fmts.Registry()
    reg._loaded = True  # only the toy format
    fmt = reg.register(
        fmts.FileFormat(
            name="Toy export",
            table="log",
            suffixes=(".toy",),
            sniff=lambda head: head.text().startswith("TOY EXPORT v1"),
            read=_toy_reader,
        )
    )
    monkeypatch.setattr(fmts, "formats", reg)
    return fmt


def test_a_claimed_file_is_read_by_its_format_with_the_athlete_from_its_folder(
    tmp_path, toy_format
):
    folder = tmp_path / "logs" / "Ada Okafor"
    folder.mkdir(parents=True)
    f = folder / "export.toy"
    f.write_text("TOY EXPORT v1\n2026-03-02|Hanging leg raise\n2026-03-03|A's\n")
    (sheet,) = read_file(f, tmp_path, is_athlete=lambda name: name == "Ada Okafor")
    assert sheet.layout.format == "Toy export"
    assert sheet.layout.table == "log"
    assert sheet.layout.athlete_from == "folder name"
    assert "format: Toy export" in sheet.layout.describe()
    frame = sheet.parse().frame
    assert list(frame["athlete"]) == ["Ada Okafor", "Ada Okafor"]
    assert list(frame["source_row"]) == [2, 3]


def test_a_file_with_the_suffix_but_not_the_signature_is_not_claimed(tmp_path, toy_format):
    f = tmp_path / "other.toy"
    f.write_text("something else\n")
    assert fmts.formats.detect(f, "other.toy") is None


def test_a_sniff_that_raises_never_stops_detection(tmp_path):
    reg = fmts.Registry()
    reg._loaded = True

    def broken(head):
        raise RuntimeError("bad sniff")

    reg.register(fmts.FileFormat("Broken", "log", (".csv",), broken, _toy_reader))
    f = tmp_path / "a.csv"
    f.write_text("x\n")
    assert reg.detect(f, "a.csv") is None


def test_a_format_must_name_its_table():
    with pytest.raises(ValueError, match="table must be"):
        fmts.Registry().register(fmts.FileFormat("Bad", "plans", (".csv",), bool, _toy_reader))


def test_head_text_survives_a_character_cut_at_the_end_and_windows_1252(tmp_path):
    cut = fmts.Head(tmp_path / "a.csv", "a.csv", "Nuñ".encode()[:-1])
    assert cut.text() == "Nu"
    cp = fmts.Head(tmp_path / "a.lif", "a.lif", "Nuñez,1".encode("cp1252"))
    assert cp.text() == "Nuñez,1"


def test_the_claimed_endings_are_those_the_format_modules_read():
    # CLAIMED_SUFFIXES is known without loading the modules: it must say what they read
    read = {s.lower() for f in fmts.formats.all() for s in f.suffixes}
    assert read == set(fmts.CLAIMED_SUFFIXES)
    assert fmts.formats.suffixes() >= fmts.CLAIMED_SUFFIXES


def test_a_format_registered_at_run_time_adds_its_ending(tmp_path):
    reg = fmts.Registry(claimed=frozenset({".csv"}))
    reg._loaded = True
    reg.register(fmts.FileFormat("Toy", "log", (".toy",), lambda h: True, _toy_reader))
    assert ".toy" in reg.suffixes()
    f = tmp_path / "a.toy"
    f.write_text("x\n")
    assert reg.detect(f, "a.toy").name == "Toy"


def test_a_folder_of_workbooks_loads_no_format_module(tmp_path):
    import subprocess
    import sys

    import openpyxl

    (tmp_path / "athletes.csv").write_text("athlete_id,name\nA1,Ann Lee\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.append(["athlete", "date", "exercise", "prescription"])
    wb.active.append(["Ann Lee", "2026-03-02", "hanging leg raises", "3x10"])
    wb.save(tmp_path / "log.xlsx")
    code = (
        "import sys, datetime as dt, analysis as hf\n"
        f"ds = hf.load_dataset({str(tmp_path)!r}, today=dt.date(2026, 12, 1))\n"
        "assert len(ds.log) == 1, ds.reconciliation\n"
        "print(sorted(m for m in sys.modules if m.startswith('analysis.ingest.formats.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.strip() == "[]"
