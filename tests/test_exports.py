"""Exports (analysis.reports.pages.workbooks): per-athlete and squad workbooks, never a formula."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import analysis as hf
from analysis.reports.pages.workbooks import write_exports, write_workbook

DATA = Path(__file__).parent / "data" / "season"

NASTY = [
    '=HYPERLINK("http://example.invalid","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    shutil.copytree(DATA, root, dirs_exist_ok=True)
    with (root / "logs" / "track_ana.csv").open("a") as f:
        for i in range(len(NASTY) + 1):
            f.write(f"Ana Silva,0{i + 2}/04/2026,HLR,3x10,,,note {i}\n")
    return root


@pytest.fixture(scope="module")
def written(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    ds = hf.load_dataset(folder)
    # the reader lists a CSV row whose cell starts with "=" as a formula row (not data), so
    # the formula-like texts are put into the clean log as a note or a spelling would be
    notes = dict(zip([f"note {i}" for i in range(len(NASTY) + 1)], [*NASTY, "plain"], strict=True))
    log = ds.log.assign(notes=ds.log["notes"].map(lambda v: notes.get(v, v)).astype("string"))
    last = log.index[log["notes"] == "plain"]
    log.loc[last, "exercise_raw"] = "=2*3"
    ds.log = log
    return ds, out, write_exports(ds, out)


def test_one_workbook_per_athlete_and_a_squad_book(written):
    _, out, paths = written
    assert sorted(p.name for p in paths) == ["M1.xlsx", "S1.xlsx", "S2.xlsx", "squad.xlsx"]
    assert all(p.parent == out / "exports" for p in paths)
    wb = openpyxl.load_workbook(out / "exports" / "S1.xlsx", read_only=True)
    assert wb.sheetnames == ["athlete", "log", "races", "splits", "fatigue", "plan",
                             "adherence", "rejects"]  # fmt: skip
    squad = openpyxl.load_workbook(out / "exports" / "squad.xlsx", read_only=True)
    assert "reconciliation" in squad.sheetnames and "athletes" in squad.sheetnames
    assert not list((out / "exports").glob("*.tmp*"))


def frame(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet)


def test_an_athletes_workbook_holds_that_athletes_rows_only(written):
    ds, out, _ = written
    for aid in ("S1", "S2", "M1"):
        p = out / "exports" / f"{aid}.xlsx"
        for sheet in ("athlete", "log", "races", "fatigue", "plan", "adherence"):
            df = frame(p, sheet)
            if len(df):
                assert set(df["athlete_id"]) == {aid}, (aid, sheet)
        rej = frame(p, "rejects")
        assert set(rej["athlete_id"].dropna()) <= {aid}
        races = frame(p, "races")
        assert len(races) == (ds.races["athlete_id"] == aid).sum()
        splits = frame(p, "splits")
        assert set(splits["race_id"]) <= set(races["race_id"])
    m1 = frame(out / "exports" / "M1.xlsx", "rejects")
    assert m1[["column", "value"]].to_numpy().tolist() == [["rpe", "x"]]
    s1 = frame(out / "exports" / "S1.xlsx", "races").set_index("date")
    assert bool(s1.loc[pd.Timestamp("2026-03-21"), "is_pb"])
    assert "age_grade_pct" in s1.columns


def test_formula_like_text_is_written_as_literal_text(written):
    _, out, _ = written
    for name in ("S1.xlsx", "squad.xlsx"):
        wb = openpyxl.load_workbook(out / "exports" / name)  # not read_only: data_type
        ws = wb["log"]
        header = [c.value for c in ws[1]]
        notes = header.index("notes") + 1
        exercise_raw = header.index("exercise_raw") + 1
        cells = {ws.cell(r, notes).value: ws.cell(r, notes) for r in range(2, ws.max_row + 1)}
        for text in NASTY:
            cell = cells[text]
            assert cell.data_type == "s", text
            assert cell.value == text
        ex = [ws.cell(r, exercise_raw) for r in range(2, ws.max_row + 1)]
        eq = [c for c in ex if c.value == "=2*3"]
        assert eq and all(c.data_type == "s" for c in eq)
        assert not any(c.data_type == "f" for row in wb["log"].iter_rows() for c in row)


def test_carriage_return_and_control_characters(tmp_path):
    df = pd.DataFrame({"note": ["\r=1+1", "a\x01b", "\t=1+1", None], "n": [1.0, None, 3, 4]})
    p = write_workbook({"s": df}, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(p)["s"]
    got = [(ws.cell(r, 1).value, ws.cell(r, 1).data_type) for r in range(2, 6)]
    # a CR is written as OOXML's escape _x000D_ (Excel shows a CR); XML has no raw CR
    assert got == [("_x000D_=1+1", "s"), ("ab", "s"), ("\t=1+1", "s"), (None, "n")]
    assert ws.cell(3, 2).value is None and ws.cell(4, 2).value == 3


def test_unsafe_athlete_ids_get_the_pages_safe_name(tmp_path):
    (tmp_path / "athletes.csv").write_text("athlete_id,name\n../evil,Eve Il\nsquad,Sq Uad\n")
    (tmp_path / "log.csv").write_text(
        "Athlete,Date,Exercise,Sets x Reps\nEve Il,2026-03-02,HLR,3x10\n"
    )
    ds = hf.load_dataset(tmp_path)
    paths = write_exports(ds, tmp_path / "out")
    names = sorted(p.name for p in paths)
    assert "squad-all.xlsx" in names and "squad.xlsx" in names  # an athlete is called squad
    assert all(p.resolve().parent == (tmp_path / "out" / "exports").resolve() for p in paths)
    assert not any(".." in n for n in names)


@pytest.mark.slow  # long-running
def test_exports_are_incremental(folder, tmp_path):
    ds = hf.load_dataset(folder)
    paths = write_exports(ds, tmp_path)
    stamps = {p.name: p.stat().st_mtime_ns for p in paths}
    again = write_exports(ds, tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in again} == stamps
    one = hf.load_dataset(folder)
    one.log = one.log.loc[one.log["athlete_id"] != "S2"].reset_index(drop=True)
    third = {p.name: p.stat().st_mtime_ns for p in write_exports(one, tmp_path)}
    assert third["M1.xlsx"] == stamps["M1.xlsx"]
    assert third["S2.xlsx"] != stamps["S2.xlsx"] and third["squad.xlsx"] != stamps["squad.xlsx"]


def test_athletes_whose_ids_differ_by_case_get_a_workbook_each(tmp_path):
    # "ADA" and "ada" are one file on a case-insensitive disk: each keeps its own workbook,
    # named as its page is (athletes/<name>.html beside exports/<name>.xlsx)
    from analysis.reports.batch.plan import page_names

    (tmp_path / "athletes.csv").write_text("athlete_id,name\nADA,Ada Upper\nada,Ada Lower\n")
    (tmp_path / "log.csv").write_text(
        "Athlete,Date,Exercise,Sets x Reps\nAda Upper,2026-03-02,HLR,3x10\n"
        "Ada Lower,2026-03-02,HLR,2x10\n"
    )
    ds = hf.load_dataset(tmp_path)
    paths = write_exports(ds, tmp_path / "out")
    stems = [p.stem for p in paths if p.stem not in ("squad", "squad-all")]
    assert len({s.casefold() for s in stems}) == 2
    assert set(stems) == set(page_names(["ADA", "ada"]).values())
    upper = next(p for p in paths if p.stem == page_names(["ADA", "ada"])["ADA"])
    book = openpyxl.load_workbook(upper, read_only=True)
    sheet = book[book.sheetnames[0]]
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    assert "ADA" in text and "Ada Lower" not in text
