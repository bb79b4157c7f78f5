"""App exports read whole: Strong, Hevy, FitNotes and JEFIT (analysis.ingest.formats).

Each fixture under ``tests/data/formats/<product>/`` is a data folder built by hand in the
product's layouts as public material shows them (cited per product below and in each
module's ``evidence``): several athletes, per-athlete folders (``logs/Maya Lindqvist/``),
an athlete named by the file name, other versions of the format. Everything is asserted
exactly: entries, hf_reps, loads, sessions, rejects, not-data rows and the
reconciliation (rows in = clean + rejected + duplicates + not data).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from helpers import TODAY

import analysis as hf
from analysis.ingest.inspect import inspect_folder
from analysis.srpe import session_load

DATA = Path(__file__).parent / "data" / "formats"


def _load(product: str) -> hf.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hf.load_dataset(DATA / product, today=TODAY)


def _r(v) -> float | None:
    return None if pd.isna(v) else round(float(v), 3)


def _log(ds) -> list[tuple]:
    return [
        (t.athlete_id, str(t.date.date()), None if pd.isna(t.exercise) else t.exercise, t.sets,
         _r(t.reps), _r(t.distance_m), _r(t.duration_s), _r(t.load_kg), _r(t.hf_reps),
         _r(t.hf_load_kg), None if pd.isna(t.notes) else t.notes)
        for t in ds.log.itertuples()
    ]  # fmt: skip


def _sessions(ds) -> list[tuple]:
    return [
        (t.athlete_id, str(t.date.date()), _r(t.rpe), _r(t.session_min), _r(t.srpe_load))
        for t in session_load(ds.log).itertuples()
    ]


def _rejects(ds) -> list[tuple]:
    return [(t.source, t.source_row, t.column, t.reason) for t in ds.rejects.itertuples()]


def _reconciliation(ds) -> dict[str, tuple]:
    return {
        t.source: (t.raw_rows, t.not_data, t.clean, t.rejected, t.duplicates)
        for t in ds.reconciliation.itertuples()
    }


def _conserved(ds) -> None:
    """rows in = clean + rejected + duplicates + not data, for every file."""
    rec = ds.reconciliation
    assert (rec["raw_rows"] == rec["clean"] + rec["rejected"] + rec["duplicates"]
            + rec["not_data"]).all(), rec  # fmt: skip
    assert rec["balanced"].all()
    nd = ds.not_data.groupby("source")["rows"].sum() if len(ds.not_data) else pd.Series()
    for src, n in zip(rec["source"], rec["not_data"], strict=True):
        assert int(nd.get(src, 0)) == n


# ---------------------------------------------------------------------------- Strong
# Layouts from public importers' fixtures: the current all-quoted ';' header
# "Workout #";"Date";"Workout Name";"Duration (sec)";"Exercise Name";"Set Order";
# "Weight (kg)";"Reps";"RPE";"Distance (meters)";"Seconds";"Notes";"Workout Notes" with
# "W" and "Rest Timer" set orders (e.g. the openweight converters' README, mishirube's
# strong_import tests); the older "Weight Unit"/"Distance Unit" layout of
# mtanzim/vis-strong-go's README; the older comma layout with a unit-less Weight and a
# "1h 2m" Duration. Maya: 3 Hanging Leg Raise sets of 10, 8, 8 reps (+ a warm-up of 5)
# = 31 hf_reps; two 20 m A's = 40 (1 knee lift per metre); the workout's 3720 s is
# 62 min, its RPE the mean of 7, 8, 9 = 8, on its first set only. Jonas (12-hour clock
# with U+202F before AM/PM): two workouts on 3 Mar, 45m and 1h 2m. Ada: named by the
# file name, 45 lb = 20.412 kg, 0.03 km = 30 m of high knees (1.5 per metre = 45).
STRONG_LOG = [
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 5.0, None, None, 0.0, 5.0, 0.0, "warm-up set"),
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 10.0, None, None, 0.0, 10.0, 0.0, "RPE 7"),
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 8.0, None, None, 0.0, 8.0, 0.0, "RPE 8"),
    (
        "A1",
        "2026-03-02",
        "hanging_leg_raise",
        1,
        8.0,
        None,
        None,
        0.0,
        8.0,
        0.0,
        "RPE 9; grip gave out",
    ),
    ("A1", "2026-03-02", "a_skip", 1, None, 20.0, None, 0.0, 20.0, 0.0, None),
    ("A1", "2026-03-02", "a_skip", 1, None, 20.0, None, 0.0, 20.0, 0.0, None),
    ("A1", "2026-03-02", "hanging_knee_raise", 1, 12.0, None, None, 5.0, 12.0, 60.0, None),
    ("A1", "2026-03-02", "hanging_knee_raise", 1, 10.0, None, None, 0.0, 10.0, 0.0, "drop set"),
    ("A1", "2026-03-05", "cable_knee_drive", 1, 12.0, None, None, 20.0, 12.0, 240.0, None),
    ("A1", "2026-03-05", "cable_knee_drive", 1, 10.0, None, None, 22.5, 10.0, 225.0, None),
    ("A1", "2026-03-05", "cable_knee_drive", 1, 7.0, None, None, 22.5, 7.0, 157.5, "failure set"),
    ("A1", "2026-03-05", "plank", 1, None, None, 60.0, 0.0, 0.0, 0.0, None),
    ("A1", "2026-03-05", "lunge", 1, 10.0, None, None, 12.0, 0.0, 0.0, None),
    ("A2", "2026-03-03", "hanging_knee_raise", 1, 12.0, None, None, 0.0, 12.0, 0.0, None),
    ("A2", "2026-03-03", "hanging_knee_raise", 1, 12.0, None, None, 0.0, 12.0, 0.0, None),
    ("A2", "2026-03-03", "cable_knee_drive", 1, 10.0, None, None, 15.0, 10.0, 150.0, "RPE 7"),
    ("A2", "2026-03-03", "cable_knee_drive", 1, 10.0, None, None, 15.0, 10.0, 150.0, "RPE 8"),
    (
        "A2",
        "2026-03-03",
        "cable_knee_drive",
        1,
        8.0,
        None,
        None,
        15.0,
        8.0,
        120.0,
        "left hip tight",
    ),
    ("A2", "2026-03-03", "a_skip", 1, None, 30.0, None, 0.0, 30.0, 0.0, None),
    ("A2", "2026-03-03", "back_squat", 1, 5.0, None, None, 80.0, 0.0, 0.0, None),
    ("A2", "2026-03-07", "hanging_leg_raise", 1, 10.0, None, None, 0.0, 10.0, 0.0, None),
    ("A3", "2026-03-04", "high_knees", 1, None, 30.0, None, 0.0, 45.0, 0.0, None),
    ("A3", "2026-03-04", "high_knees", 1, None, 30.0, None, 0.0, 45.0, 0.0, None),
    (
        "A3",
        "2026-03-04",
        "cable_knee_drive",
        1,
        10.0,
        None,
        None,
        9.072,
        10.0,
        90.718,
        "warm-up set",
    ),
    ("A3", "2026-03-04", "cable_knee_drive", 1, 10.0, None, None, 20.412, 10.0, 204.117, "RPE 6"),
    ("A3", "2026-03-04", "hanging_knee_raise", 1, 15.0, None, None, 0.0, 15.0, 0.0, "RPE 6"),
    ("A3", "2026-03-04", "plank", 1, None, None, 45.0, 0.0, 0.0, 0.0, None),
]
STRONG_SESSIONS = [
    ("A1", "2026-03-02", 8.0, 62.0, 496.0),
    ("A1", "2026-03-05", None, 45.0, None),
    ("A2", "2026-03-03", None, None, 465.0),
    ("A2", "2026-03-07", None, 60.0, None),
    ("A3", "2026-03-04", 6.0, 50.0, 300.0),
]
STRONG_REJECTS = [
    ("logs/Jonas Berg/strong_workouts.csv", 10, "date", "unparseable date"),
    ("logs/Jonas Berg/strong_workouts.csv", 12, "reps", "implausible reps"),
    ("logs/misc/strong.csv", 2, "athlete", "unknown athlete"),
    ("logs/misc/strong.csv", 4, "athlete", "unknown athlete"),
]
STRONG_RECONCILIATION = {
    "logs/Ada Okafor.csv": (7, 1, 6, 0, 0),
    "logs/Jonas Berg/strong_workouts.csv": (12, 2, 8, 2, 0),
    "logs/Maya Lindqvist/strong.csv": (16, 3, 13, 0, 0),
    "logs/misc/strong.csv": (4, 2, 0, 2, 0),
}


def test_strong_exports_current_and_older_layouts_read_whole():
    ds = _load("strong")
    assert _log(ds) == STRONG_LOG
    assert _sessions(ds) == STRONG_SESSIONS
    assert _rejects(ds) == STRONG_REJECTS
    assert _reconciliation(ds) == STRONG_RECONCILIATION
    _conserved(ds)


def test_strong_rest_timer_rows_are_not_data_and_the_duration_is_never_a_set_time():
    ds = _load("strong")
    nd = ds.not_data
    maya = nd[nd["source"] == "logs/Maya Lindqvist/strong.csv"]
    assert list(maya["source_row"]) == [1, 4, 6]
    assert list(maya["reason"])[1:] == ["rest timer (a rest between sets, not a set)"] * 2
    # 3720 s / 62 min is the session's length, not any set's duration
    assert not ds.log["duration_s"].isin([3720, 62, 3720 / 60]).any()
    assert ds.log["duration_s"].dropna().tolist() == [60.0, 45.0]


def test_strong_file_without_an_athlete_has_every_row_rejected_saying_why():
    ds = _load("strong")
    rej = ds.rejects[ds.rejects["source"] == "logs/misc/strong.csv"]
    assert len(rej) == 2
    assert rej["value"].str.contains("names none; put it in a folder named for the athlete").all()


# ---------------------------------------------------------------------------- Hevy
# Header and both unit variants as typed by public importers (Jake-Leicht/Hevy-Dashboard-App
# interfaces.ts: weight_lbs, distance_miles; adrianbb05/training_charts WorkoutData.ts:
# weight_kg, distance_km), dates as '2 Mar 2026, 19:59', set_type normal/warmup/dropset/
# failure. Maya: 19:59-21:01 = 62 min, RPE mean(8, 9, 10) = 9 -> 558 AU. Jonas (imperial):
# 40 lb = 18.144 kg; 0.05 mi = 80.467 m of high knees = 120.7 hf_reps; 18:00-19:10 = 70 min.
HEVY_LOG = [
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 6.0, None, None, 0.0, 6.0, 0.0, "warm-up set"),
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 10.0, None, None, 0.0, 10.0, 0.0, "RPE 8"),
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 8.0, None, None, 0.0, 8.0, 0.0, "RPE 9"),
    (
        "A1",
        "2026-03-02",
        "hanging_leg_raise",
        1,
        6.0,
        None,
        None,
        0.0,
        6.0,
        0.0,
        "failure set; RPE 10",
    ),
    (
        "A1",
        "2026-03-02",
        "cable_knee_drive",
        1,
        12.0,
        None,
        None,
        17.5,
        12.0,
        210.0,
        "slow, 2 s up",
    ),
    (
        "A1",
        "2026-03-02",
        "cable_knee_drive",
        1,
        10.0,
        None,
        None,
        12.5,
        10.0,
        125.0,
        "drop set; slow, 2 s up",
    ),
    ("A1", "2026-03-02", "lunge", 1, 10.0, None, None, 14.0, 0.0, 0.0, None),
    ("A1", "2026-03-05", "a_skip", 1, None, 20.0, None, 0.0, 20.0, 0.0, None),
    ("A1", "2026-03-05", "a_skip", 1, None, 20.0, None, 0.0, 20.0, 0.0, None),
    ("A1", "2026-03-05", "plank", 1, None, None, 60.0, 0.0, 0.0, 0.0, None),
    ("A2", "2026-03-03", "cable_knee_drive", 1, 10.0, None, None, 18.144, 10.0, 181.437, "RPE 7"),
    ("A2", "2026-03-03", "cable_knee_drive", 1, 8.0, None, None, 18.144, 8.0, 145.15, "RPE 7"),
    ("A2", "2026-03-03", "high_knees", 1, None, 80.467, None, 0.0, 120.701, 0.0, None),
    ("A2", "2026-03-03", "hanging_knee_raise", 1, 15.0, None, None, 0.0, 15.0, 0.0, None),
]
HEVY_SESSIONS = [
    ("A1", "2026-03-02", 9.0, 62.0, 558.0),
    ("A1", "2026-03-05", None, 45.0, None),
    ("A2", "2026-03-03", 7.0, 70.0, 490.0),
]
HEVY_REJECTS = [
    ("logs/Jonas Berg/workout_data.csv", 6, "reps", "unparseable reps"),
]
HEVY_RECONCILIATION = {
    "logs/Jonas Berg/workout_data.csv": (6, 1, 4, 1, 0),
    "logs/Maya Lindqvist/workout_data.csv": (11, 1, 10, 0, 0),
}


def test_hevy_exports_metric_and_imperial_read_whole():
    ds = _load("hevy")
    assert _log(ds) == HEVY_LOG
    assert _sessions(ds) == HEVY_SESSIONS
    assert _rejects(ds) == HEVY_REJECTS
    assert _reconciliation(ds) == HEVY_RECONCILIATION
    _conserved(ds)


# ---------------------------------------------------------------------------- FitNotes
# 'Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment'
# with '0:01:00' times and kgs/lbs/km/mi units (FitNotes importers' tests in several public
# repositories), and the 'Weight (kgs)' header variant. Maya: sets of 10, 8, 8 = 26; 25 lbs
# = 11.34 kg; a 1.5 mi treadmill set (2414 m) is above the 1-set distance limit and
# rejected; 0.03 km of high knees = 30 m = 45. Jonas: a '2026-13-03' date is rejected.
FITNOTES_LOG = [
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 10.0, None, None, 0.0, 10.0, 0.0, None),
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 8.0, None, None, 0.0, 8.0, 0.0, None),
    ("A1", "2026-03-02", "hanging_leg_raise", 1, 8.0, None, None, 0.0, 8.0, 0.0, "last one slow"),
    ("A1", "2026-03-02", "cable_knee_drive", 1, 12.0, None, None, 11.34, 12.0, 136.078, None),
    ("A1", "2026-03-02", "plank", 1, None, None, 60.0, 0.0, 0.0, 0.0, None),
    ("A1", "2026-03-04", "a_skip", 1, None, 20.0, None, 0.0, 20.0, 0.0, None),
    ("A1", "2026-03-04", "a_skip", 1, None, 20.0, None, 0.0, 20.0, 0.0, None),
    ("A1", "2026-03-04", "high_knees", 1, None, 30.0, None, 0.0, 45.0, 0.0, None),
    ("A2", "2026-03-03", "cable_knee_drive", 1, 10.0, None, None, 20.0, 10.0, 200.0, None),
    ("A2", "2026-03-03", "cable_knee_drive", 1, 10.0, None, None, 20.0, 10.0, 200.0, None),
    ("A2", "2026-03-03", "hanging_knee_raise", 1, 15.0, None, None, 0.0, 15.0, 0.0, None),
    ("A2", "2026-03-03", "lunge", 1, 10.0, None, None, 12.0, 0.0, 0.0, None),
]
FITNOTES_SESSIONS = [
    ("A1", "2026-03-02", None, None, None),
    ("A1", "2026-03-04", None, None, None),
    ("A2", "2026-03-03", None, None, None),
]
FITNOTES_REJECTS = [
    ("logs/Jonas Berg/FitNotes_Export.csv", 6, "date", "invalid date"),
    (
        "logs/Maya Lindqvist/FitNotes_Export_2026_03_06_10_00_00.csv",
        10,
        "distance",
        "implausible distance",
    ),
]
FITNOTES_RECONCILIATION = {
    "logs/Jonas Berg/FitNotes_Export.csv": (6, 1, 4, 1, 0),
    "logs/Maya Lindqvist/FitNotes_Export_2026_03_06_10_00_00.csv": (10, 1, 8, 1, 0),
}


def test_fitnotes_exports_read_whole_with_timed_sets_in_seconds():
    ds = _load("fitnotes")
    assert _log(ds) == FITNOTES_LOG
    assert _sessions(ds) == FITNOTES_SESSIONS
    assert _rejects(ds) == FITNOTES_REJECTS
    assert _reconciliation(ds) == FITNOTES_RECONCILIATION
    _conserved(ds)


# ---------------------------------------------------------------------------- JEFIT
# Sectioned backup as public importers parse it ('### EXERCISE LOGS ###' with USERID,
# TIMESTAMP,belongSys,logs,_id,record,mydate,eid,ename,day_item_id,belongsession,logTime;
# '### WORKOUT SESSIONS ###' with _id,mydate,starttime,starttimie,total_time; SETTING's
# mass ' kg'/' lbs'): openweight converters, a Kotlin JefitCsvParser, a Python
# JefitImportService fixture. Maya: '15x12,20x10,20x8' = 30 reps at the rep-weighted
# 540/30 = 18 kg, hf_load 540; total_time 3720 s = 62 min. Jonas (lbs, no mydate: the
# session's unix starttime 1772564400 = 2026-03-03): 1300 lb·reps / 28 reps = 21.06 kg.
JEFIT_LOG = [
    (
        "A1",
        "2026-03-02",
        "hanging_leg_raise",
        3,
        8.667,
        None,
        None,
        0.0,
        26.0,
        0.0,
        "sets 0x10, 0x8, 0x8 kg",
    ),
    (
        "A1",
        "2026-03-02",
        "cable_knee_drive",
        3,
        10.0,
        None,
        None,
        18.0,
        30.0,
        540.0,
        "sets 15x12, 20x10, 20x8 kg",
    ),
    ("A1", "2026-03-02", "back_squat", 1, 10.0, None, None, 40.0, 0.0, 0.0, None),
    (
        "A1",
        "2026-03-05",
        "hanging_knee_raise",
        2,
        15.0,
        None,
        None,
        5.0,
        30.0,
        150.0,
        "sets 5x15, 5x15 kg",
    ),
    (
        "A2",
        "2026-03-03",
        "cable_knee_drive",
        3,
        9.333,
        None,
        None,
        21.06,
        28.0,
        589.67,
        "sets 45x10, 45x10, 50x8 lb",
    ),
    (
        "A2",
        "2026-03-03",
        "hanging_knee_raise",
        2,
        12.0,
        None,
        None,
        0.0,
        24.0,
        0.0,
        "sets 0x12, 0x12 lb",
    ),
    (
        "A3",
        "2026-03-04",
        "hanging_leg_raise",
        2,
        11.0,
        None,
        None,
        0.0,
        22.0,
        0.0,
        "sets 0x12, 0x10 kg",
    ),
    ("A3", "2026-03-04", "cable_knee_drive", 1, 15.0, None, None, 10.0, 15.0, 150.0, None),
]
JEFIT_SESSIONS = [
    ("A1", "2026-03-02", None, 62.0, None),
    ("A1", "2026-03-05", None, 45.0, None),
    ("A2", "2026-03-03", None, 70.0, None),
    ("A3", "2026-03-04", None, None, None),
]
JEFIT_REJECTS = [
    ("logs/Maya Lindqvist/jefit_backup.csv", 25, "prescription", "unparseable prescription"),
]
JEFIT_RECONCILIATION = {
    "logs/Ada Okafor.csv": (3, 1, 2, 0, 0),
    "logs/Jonas Berg/jefit_export.csv": (20, 18, 2, 0, 0),
    "logs/Maya Lindqvist/jefit_backup.csv": (29, 24, 4, 1, 0),
}


def test_jefit_exports_sectioned_and_plain_read_whole():
    ds = _load("jefit")
    assert _log(ds) == JEFIT_LOG
    assert _sessions(ds) == JEFIT_SESSIONS
    assert _rejects(ds) == JEFIT_REJECTS
    assert _reconciliation(ds) == JEFIT_RECONCILIATION
    _conserved(ds)


# ---------------------------------------------------------------------------- inspect


@pytest.mark.parametrize(
    ("product", "name", "said"),
    [
        ("strong", "format: Strong export", "2 rest-timer rows are not sets"),
        ("hevy", "format: Hevy export", "1 warm-up set kept and flagged"),
        ("fitnotes", "format: FitNotes export", "one row per set"),
        ("jefit", "format: JEFIT export", "rows of other sections"),
    ],
)
def test_inspect_names_the_format_found_and_what_was_set_aside(product, name, said):
    text, status = inspect_folder(DATA / product)
    assert name in text
    assert said in text
    assert status == 0


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "exercise"),
    [
        ("Hanging Leg Raise", "hanging_leg_raise"),  # Strong, Hevy, FitNotes, JEFIT
        ("Leg Raise (Captain's Chair)", "hanging_leg_raise"),  # equipment in parentheses
        ("Captain's Chair Leg Raise", "hanging_leg_raise"),  # FitNotes / JEFIT word order
        ("Leg Raise Parallel Bars", "hanging_leg_raise"),  # Hevy
        ("Knee Raise (Captain's Chair)", "hanging_knee_raise"),
        ("Hanging Knee Raise", "hanging_knee_raise"),
        ("Cable Knee Drive", "cable_knee_drive"),
        ("Knee Drive (Cable)", "cable_knee_drive"),
        ("Lunge (Dumbbell)", "lunge"),  # a strength lunge (other_strength), not the stretch
        ("Squat (Barbell)", "back_squat"),
    ],
)
def test_the_apps_exercise_names_map_through_the_catalog(name, exercise):
    from analysis.catalog import load_catalog, match_exercises

    got = match_exercises(pd.Series([name], dtype="string"), load_catalog())["exercise"].iloc[0]
    assert (None if pd.isna(got) else got) == exercise


def test_the_data_quality_page_names_the_format_of_each_file():
    from analysis.reports.pages.quality import reconciliation_table

    table = reconciliation_table(_load("strong"))
    assert set(table["read as"]) == {"Strong export"}
    assert table["adds up"].eq("yes").all()
