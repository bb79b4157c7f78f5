"""Hand-built files shaped like what coaches and meets produce (tests/data/values/).

``training_log.csv`` holds the new prescription forms and the coaching article's exercise
names; ``meet_results.csv`` a meet export ``Pos, Name, Club, ..., Time, 100m split, 200m
split, 300m split, RT`` with ``48.23 PB``, ``54.87 SB``, ``DNS``, ``DQ R163.3``, ``=PB``,
``q``; ``athletes.csv`` a roster with near-duplicate names. The XLSX is a European meet
workbook built here (decimal commas, segment columns, real date cells, hand times). Every
entry, date, athlete, count, load, split, note and reject is asserted exactly.
"""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis import load_dataset
from analysis.cli import main

VALUES = Path(__file__).parent / "data" / "values"
NA = None


def rows(df: pd.DataFrame, cols: list[str]) -> list[list]:
    out = df[cols].astype(object).where(df[cols].notna(), None).to_numpy().tolist()
    return [[v.date().isoformat() if isinstance(v, pd.Timestamp) else v for v in r] for r in out]


@pytest.fixture(scope="module")
def ds():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_dataset(VALUES)


def test_training_log_entries_exactly(ds) -> None:
    log = ds.log.sort_values("source_row")
    cols = ["source_row", "athlete_id", "date", "exercise", "family", "sets", "reps",
            "distance_m", "duration_s", "load_kg", "per_leg", "hf_reps", "hf_load_kg",
            "load_kind"]  # fmt: skip
    assert rows(log, cols) == [
        [2, "A012", "2026-03-02", "a_skip", "hip_flexor", 4, NA, 20.0, NA, NA, False, 80.0, NA, NA],
        [3, "A148", "2026-03-02", "box_knee_drive", "hip_flexor", 3, 27.5, NA, NA, NA, False,
         82.5, NA, NA],
        [4, "A012", "2026-03-03", "cable_knee_drive", "hip_flexor", 3, 10.0, NA, NA, 10.0, True,
         60.0, 600.0, "kg"],
        [5, "A007", "2026-03-03", "band_knee_drive", "hip_flexor", 2, 20.0, NA, NA, NA, False,
         40.0, NA, "band"],
        [6, "A007", "2026-03-04", "lying_cable_knee_drive", "hip_flexor", 3, 10.0, NA, NA, 5.0,
         False, 30.0, 150.0, "kg"],
        [7, "A007", "2026-03-04", "spread_eagle_situp", "hip_flexor", 10, 6.0, NA, NA, NA, False,
         60.0, NA, NA],
        [8, "A021", "2026-03-05", "hanging_knee_raise", "hip_flexor", 3, 12.0, NA, NA, 10.0,
         False, 36.0, 360.0, "kg"],
        [9, "A020", "2026-03-05", "hanging_leg_raise", "hip_flexor", 3, 8.0, NA, NA, 10.0, False,
         24.0, 240.0, "kg"],
        [10, "A020", "2026-03-05", "incline_bench_leg_raise", "hip_flexor", 3, 15.0, NA, NA, NA,
         False, 45.0, NA, NA],
        [11, "A030", "2026-03-06", "lunge_stretch", "mobility", 3, NA, NA, 30.0, NA, True, 0.0,
         0.0, NA],
        [12, "A030", "2026-03-06", "foam_rolling", "mobility", 2, NA, NA, 60.0, NA, False, 0.0,
         0.0, NA],
        [14, "A030", "2026-03-07", NA, "unmapped", 3, 10.0, NA, NA, NA, False, 0.0, 0.0, NA],
        [15, "A030", "2026-03-07", NA, "unmapped", 3, 10.0, NA, NA, NA, False, 0.0, 0.0, NA],
        [17, "A030", "2026-03-08", "box_knee_drive", "hip_flexor", 3, 10.0, NA, NA, 10.0, False,
         30.0, 300.0, "kg"],
        [18, "A030", "2026-03-08", "hanging_knee_raise", "hip_flexor", 8, NA, NA, NA, NA, False,
         NA, NA, NA],
        [20, "A012", "2026-03-25", "band_knee_drive", "hip_flexor", 3, 12.0, NA, NA, NA, True,
         72.0, NA, "band"],
    ]  # fmt: skip
    assert log.set_index("source_row").loc[[2, 10], "notes"].tolist() == [
        "build to 30m", "felt strong"]  # fmt: skip


def test_rejects_exactly_with_reasons(ds) -> None:
    cols = ["source", "source_row", "column", "value", "reason", "kind", "athlete_id"]
    sammy = "ambiguous athlete: A030 (Lena Nowak) or A031 (Sam Lee-Park)"
    assert rows(ds.rejects, cols) == [
        ["meet_results.csv", 9, "athlete", "Sammy", sammy, "rejected", NA],
        ["meet_results.csv", 10, "final", "-25.40", "negative time", "rejected", "A030"],
        ["training_log.csv", 10, "prescription", "incline_bench_leg_raise 3x15 @ heavy",
         "unreadable load", "partial", "A020"],
        ["training_log.csv", 13, "prescription", "-3x20m", "negative sets", "rejected", "A030"],
        ["training_log.csv", 16, "athlete", "Sammy", sammy, "rejected", NA],
        ["training_log.csv", 18, "prescription", "hanging_knee_raise EMOM 8 min",
         "reps per set not given", "partial", "A030"],
        ["training_log.csv", 19, "load", "3 sets of 10 reps load=-5", "negative load",
         "rejected", "A012"],
    ]  # fmt: skip
    rec = ds.reconciliation.set_index("source")
    cols = ["rows_read", "clean", "rejected", "duplicates", "partial", "balanced"]
    assert rec.loc["training_log.csv", cols].tolist() == [19, 16, 3, 0, 2, True]
    assert rec.loc["meet_results.csv", cols].tolist() == [9, 7, 2, 0, 0, True]


def test_meet_export_races_and_splits_exactly(ds) -> None:
    cols = ["race_id", "athlete_id", "date", "event_m", "final_s", "timing", "status", "round",
            "reaction_s", "notes", "flags"]  # fmt: skip
    assert rows(ds.races, cols) == [
        ["A007-20260425-400-1", "A007", "2026-04-25", 400, NA, "FAT", "DNS", "Final", NA, NA, NA],
        ["A007-20260426-200-1", "A007", "2026-04-26", 200, 24.31, "FAT", "ok", "Final", 0.155,
         "PB", "PB"],
        ["A012-20260425-400-1", "A012", "2026-04-25", 400, 48.23, "FAT", "ok", "Final", 0.171,
         "PB", "PB"],
        ["A020-20260425-400-1", "A020", "2026-04-25", 400, 55.1, "FAT", "ok", "Heat 2", NA, "q",
         "q"],
        ["A021-20260425-400-1", "A021", "2026-04-25", 400, 56.02, "FAT", "ok", "Heat 1", 0.205,
         "=PB", "=PB"],
        ["A030-20260425-400-1", "A030", "2026-04-25", 400, NA, "FAT", "DQ", "Final", NA,
         "rule R163.3", NA],
        ["A148-20260425-400-1", "A148", "2026-04-25", 400, 54.87, "FAT", "ok", "Final", 0.19,
         "SB", "SB"],
    ]  # fmt: skip
    got = {r: g.set_index("at_m")["cum_s"].to_dict() for r, g in ds.splits.groupby("race_id")}
    assert got == {
        "A007-20260426-200-1": {100: 11.9, 200: 24.31},
        "A012-20260425-400-1": {100: 11.41, 200: 22.96, 300: 34.8, 400: 48.23},
        "A020-20260425-400-1": {100: 12.8, 200: 26.7, 300: 40.9, 400: 55.1},
        "A021-20260425-400-1": {100: 13.1, 200: 27.2, 300: 41.4, 400: 56.02},
        "A148-20260425-400-1": {100: 12.9, 200: 26.6, 300: 40.55, 400: 54.87},
    }


def _european_workbook(path: Path) -> None:
    """A meet workbook as a European timing export writes it (cells typed as Excel does)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "400m"
    ws.append(["Pl.", "Name", "Club", "Date", "Event", "Time", "100 m", "200 m", "300 m",
               "Reaction"])  # fmt: skip
    day = dt.datetime(2026, 5, 9)
    ws.append([1, "Ivo Okafor", "Harriers", day, 400, "49,87 SB", "11,6", "12,3", "12,6",
               "0,162"])  # segments: they do not increase as cumulative times can  # fmt: skip
    ws.append([2, "Ada Okafor", "Harriers", day, 400, "1:02,45", "14,1", "29,9", "46,0", None])
    ws.append([3, "Lena Nowak", "Harriers", day, 400, "DQ TR17.3.1", None, None, None, None])
    ws.append([4, "Ana López", "Valley", day, 400, "51,2h", "12,1", "24,9", "37,8", None])
    ws.append([5, "Ivo Okafor 148", "City AC", day, 400, "50,44 Q", 11.9, None, None, 0.18])
    ws.append([6, "Ana Garcia", "Valley", day, 400, "-50,1", None, None, None, None])
    # a second sheet as an English meet manager exports it: the header exactly,
    # times typed as numbers where there is no mark
    ws = wb.create_sheet("200m")
    ws.append(["Pos", "Name", "Club", "Date", "Event", "Time", "100m split", "200m split",
               "300m split"])  # fmt: skip
    ws.append([1, "OKAFOR Ivo", "Harriers", "Sat 9 May 2026", "200m", "21.05 Q", 10.61, None,
               None])  # fmt: skip
    ws.append([2, "Ada Okafor", "Harriers", "Sat 9 May 2026", "200m", 24.4, "11.9 (11.9)",
               None, None])  # fmt: skip
    ws.append([3, "I. Okafor", "City AC", "Sat 9 May 2026", "200m", "DNF", None, None, None])
    wb.save(path)


def test_european_meet_workbook(tmp_path: Path) -> None:
    shutil.copy(VALUES / "athletes.csv", tmp_path / "athletes.csv")
    _european_workbook(tmp_path / "meet_2026-05-09.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = load_dataset(tmp_path)
    cols = ["athlete_id", "date", "final_s", "final_raw_s", "timing", "status", "reaction_s",
            "notes", "flags"]  # fmt: skip
    assert rows(ds.races, cols) == [
        ["A007", "2026-05-09", 24.4, 24.4, "FAT", "ok", NA, NA, NA],
        ["A007", "2026-05-09", 62.45, 62.45, "FAT", "ok", NA, NA, NA],
        ["A012", "2026-05-09", 21.05, 21.05, "FAT", "ok", NA, "Q", "Q"],
        ["A012", "2026-05-09", 49.87, 49.87, "FAT", "ok", 0.162, "SB", "SB"],
        ["A021", "2026-05-09", 51.34, 51.2, "hand", "ok", NA, NA, NA],  # 51.2 + 0.14
        ["A030", "2026-05-09", NA, NA, "FAT", "DQ", NA, "rule TR17.3.1", NA],
        ["A148", "2026-05-09", 50.44, 50.44, "FAT", "ok", 0.18, "Q", "Q"],
    ]  # fmt: skip
    got = {
        r: {k: round(v, 2) for k, v in g.set_index("at_m")["cum_s"].items()}
        for r, g in ds.splits.groupby("race_id")
    }
    assert got == {
        "A007-20260509-200-1": {100: 11.9, 200: 24.4},
        "A012-20260509-200-1": {100: 10.61, 200: 21.05},
        "A007-20260509-400-1": {100: 14.1, 200: 29.9, 300: 46.0, 400: 62.45},
        "A012-20260509-400-1": {100: 11.6, 200: 23.9, 300: 36.5, 400: 49.87},  # summed
        "A021-20260509-400-1": {100: 12.24, 200: 25.04, 300: 37.94, 400: 51.34},  # hand +0.14
        "A148-20260509-400-1": {100: 11.9, 400: 50.44},
    }
    two_ivos = "ambiguous athlete: A012 (Ivo Okafor) or A148 (Ivo Okafor 148)"
    assert rows(ds.rejects, ["source", "source_row", "column", "value", "reason", "kind"]) == [
        ["meet_2026-05-09.xlsx#200m", 4, "athlete", "I. Okafor", two_ivos, "rejected"],
        ["meet_2026-05-09.xlsx#400m", 7, "final", "-50,1", "negative time", "rejected"],
    ]


def test_clean_summary_suggests_what_an_unmapped_spelling_means(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clean", str(VALUES), "--out", str(tmp_path / "out")]) in (0, 1)
    printed = capsys.readouterr().out
    assert "unmapped exercises: 2 entries in 2 spellings" in printed
    assert (
        "  'cable knee drvies' (1 entry): did you mean 'Cable knee drive (standing)' "
        "(cable_knee_drive)?" in printed
    )
    assert (
        "  'band knee drive + lunge stretch' (1 entry): contains band_knee_drive and "
        "lunge_stretch (split it in two rows)" in printed
    )


def test_data_quality_view_says_what_unmapped_and_ambiguous_spellings_may_be(ds) -> None:
    from analysis.reports.pages.quality import unknown_names, unmapped_exercises

    unm = unmapped_exercises(ds)
    assert unm[["exercise_raw", "entries", "did_you_mean"]].to_numpy().tolist() == [
        ["band knee drive + lunge stretch", 1, "contains band_knee_drive + lunge_stretch"],
        ["cable knee drvies", 1, "Cable knee drive (standing) (cable_knee_drive)"],
    ]
    names = unknown_names(ds)
    assert names[["value", "reason", "rows"]].to_numpy().tolist() == [
        ["Sammy", "ambiguous athlete: A030 (Lena Nowak) or A031 (Sam Lee-Park)", 2]]  # fmt: skip
