"""Layouts coaches really keep, built by hand: each cleaned and reconciled exactly.

The CSV fixtures live in tests/data/layouts/folder (small, readable); the workbooks are
built here with openpyxl, cell by cell, as a coach's Excel would hold them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import TODAY

import analysis as hf
from analysis.cli import main

FOLDER = Path(__file__).parent / "data" / "layouts" / "folder"


def _log(ds) -> list[tuple]:
    df = ds.log.sort_values(["source_row", "source"])
    return [
        (r.athlete_id, r.date.date().isoformat(), r.exercise, _n(r.sets), _n(r.reps),
         _n(r.load_kg), _n(r.hf_reps), r.source, int(r.source_row))
        for r in df.itertuples()
    ]  # fmt: skip


def _n(v):
    return None if pd.isna(v) else float(v)


def _s(v):
    return None if pd.isna(v) else str(v)


def _splits(ds, source: str) -> dict[str, list[tuple]]:
    ids = ds.races.loc[ds.races["source"] == source, "race_id"]
    sp = ds.splits[ds.splits["race_id"].isin(ids)]
    return {
        r: [(int(a), float(c)) for a, c in zip(g["at_m"], g["cum_s"], strict=True)]
        for r, g in sp.groupby("race_id", sort=False)
    }


def _recs(ds) -> dict[str, dict]:
    return {s: _rec(ds, s) for s in ds.reconciliation["source"]}


def _not_data(ds, source: str) -> list[tuple]:
    nd = ds.not_data[ds.not_data["source"] == source].sort_values("source_row")
    return [(int(r.source_row), int(r.rows), r.reason) for r in nd.itertuples()]


def _rec(ds, source: str) -> dict:
    rec = ds.reconciliation.set_index("source").loc[source]
    keys = ["layout", "rows_read", "clean", "rejected", "duplicates", "raw_rows", "data_rows",
            "not_data"]  # fmt: skip
    return {k: (rec[k] if isinstance(rec[k], str) else int(rec[k])) for k in keys}


@pytest.fixture(scope="module")
def csv_ds():
    return hf.load_dataset(FOLDER, today=TODAY)


# ------------------------------------------------------------------ CSV fixtures


def test_grid_of_athlete_by_exercise_rows_becomes_one_entry_per_filled_cell(csv_ds):
    src = "logs/grid_squad.csv"
    got = [r for r in _log(csv_ds) if r[7].startswith(src)]
    assert got == [
        ("A01", "2026-01-12", "a_skip", 2.0, None, None, 40.0, src + "!C", 3),
        ("A01", "2026-01-14", "a_skip", 2.0, None, None, 40.0, src + "!E", 3),
        ("A01", "2026-01-13", "box_knee_drive", 3.0, 25.0, None, 75.0, src + "!D", 4),
        ("A01", "2026-01-15", "box_knee_drive", 3.0, 25.0, None, 75.0, src + "!F", 4),
        ("A02", "2026-01-12", "a_skip", 2.0, None, None, 40.0, src + "!C", 5),
        ("A02", "2026-01-16", "a_skip", 3.0, None, None, 60.0, src + "!G", 5),
    ]
    assert _rec(csv_ds, src) == {"layout": "grid", "rows_read": 6, "clean": 6, "rejected": 0,
                                 "duplicates": 0, "raw_rows": 6, "data_rows": 3,
                                 "not_data": 3}  # fmt: skip
    assert _not_data(csv_ds, src) == [
        (1, 1, "title row"), (2, 1, "header row"), (6, 1, "summary row (Total)")
    ]  # fmt: skip


def test_titled_export_with_blank_units_and_total_rows(csv_ds):
    src = "logs/export_gym.csv"
    assert [r for r in _log(csv_ds) if r[7] == src] == [
        ("A02", "2026-01-06", "cable_knee_drive", 3.0, 10.0, 15.0, 30.0, src, 5),
        ("A02", "2026-01-08", "cable_knee_drive", 3.0, 10.0, 17.5, 30.0, src, 6),
    ]
    assert _not_data(csv_ds, src) == [
        (1, 1, "title row"), (2, 1, "blank row"), (3, 1, "header row"), (4, 1, "units row"),
        (7, 1, "summary row (Total)"),
    ]  # fmt: skip
    assert _rec(csv_ds, src)["raw_rows"] == 7


def test_athlete_only_in_the_file_name(csv_ds):
    src = "logs/Ada Okafor.csv"
    assert [r for r in _log(csv_ds) if r[7] == src] == [
        ("A01", "2026-01-05", "cable_knee_drive", 3.0, 10.0, 20.0, 30.0, src, 2),
        ("A01", "2026-01-07", "hanging_leg_raise", 3.0, 12.0, None, 36.0, src, 3),
    ]


def test_european_semicolon_csv_with_german_headers_and_dotted_dates(csv_ds):
    src = "logs/europa.csv"
    assert [r for r in _log(csv_ds) if r[7] == src] == [
        ("A03", "2026-01-13", "cable_knee_drive", 3.0, 10.0, 12.5, 30.0, src, 2),  # 12,5 kg
        ("A03", "2026-01-15", "hanging_leg_raise", 3.0, 12.0, None, 36.0, src, 3),
    ]
    assert _not_data(csv_ds, src) == [(1, 1, "header row")]


def test_one_athletes_week_as_a_csv_with_title_and_week_commencing_cells(csv_ds):
    src = "logs/ada_week.csv"
    assert [r for r in _log(csv_ds) if r[7].startswith(src)] == [
        ("A01", "2026-01-19", "box_knee_drive", 3.0, 25.0, None, 75.0, src + "!B", 5),
        ("A01", "2026-01-21", "box_knee_drive", 3.0, 25.0, None, 75.0, src + "!D", 5),
        ("A01", "2026-01-20", "hanging_leg_raise", 3.0, 10.0, None, 30.0, src + "!C", 6),
        ("A01", "2026-01-23", "lunge_stretch", 2.0, None, None, 0.0, src + "!F", 7),
    ]
    assert _not_data(csv_ds, src) == [
        (1, 1, "title row"), (2, 1, "blank row"), (3, 1, "title row"), (4, 1, "header row")
    ]  # fmt: skip


def test_meet_manager_block_file_gives_meet_date_event_and_round_to_its_rows(csv_ds):
    src = "results/meet.csv"
    races = csv_ds.races[csv_ds.races["source"] == src].sort_values("source_row")
    got = [(r.athlete_id, r.date.date().isoformat(), int(r.event_m), float(r.final_s), r.meet,
            r.round, _s(r.flags), int(r.source_row)) for r in races.itertuples()]  # fmt: skip
    assert got == [
        ("A02", "2026-04-25", 400, 48.23, "Harriers Spring Open", "Final", "PB", 4),
        ("A01", "2026-04-25", 200, 24.10, "Harriers Spring Open", "Heat 1", None, 8),
        ("A03", "2026-04-25", 200, 24.87, "Harriers Spring Open", "Heat 1", "SB", 9),
    ]
    # the "100m split" columns are read: the 400 m has its marks, the 200 m its finish
    assert _splits(csv_ds, src) == {
        "A02-20260425-400-1": [(100, 11.4), (200, 23.1), (300, 35.2), (400, 48.23)],
        "A01-20260425-200-1": [(200, 24.1)],
        "A03-20260425-200-1": [(200, 24.87)],
    }
    assert _not_data(csv_ds, src) == [
        (1, 1, "title row"), (2, 1, "title row"), (3, 1, "header row"), (5, 1, "blank row"),
        (6, 1, "heading: Event 14  Women 200m Heat 1"), (7, 1, "header row (repeated)"),
    ]  # fmt: skip
    assert _rec(csv_ds, src) == {"layout": "blocks", "rows_read": 3, "clean": 3, "rejected": 0,
                                 "duplicates": 0, "raw_rows": 9, "data_rows": 3,
                                 "not_data": 6}  # fmt: skip


def _r(layout, read, clean, rejected, raw, data, not_data, duplicates=0):
    return {"layout": layout, "rows_read": read, "clean": clean, "rejected": rejected,
            "duplicates": duplicates, "raw_rows": raw, "data_rows": data,
            "not_data": not_data}  # fmt: skip


def test_every_csv_fixture_reconciles_exactly(csv_ds):
    assert _recs(csv_ds) == {
        "logs/Ada Okafor.csv": _r("table", 2, 2, 0, raw=3, data=2, not_data=1),
        "logs/ada_week.csv": _r("grid", 4, 4, 0, raw=7, data=3, not_data=4),
        "logs/europa.csv": _r("table", 2, 2, 0, raw=3, data=2, not_data=1),
        "logs/export_gym.csv": _r("table", 2, 2, 0, raw=7, data=2, not_data=5),
        "logs/grid_squad.csv": _r("grid", 6, 6, 0, raw=6, data=3, not_data=3),
        "results/meet.csv": _r("blocks", 3, 3, 0, raw=9, data=3, not_data=6),
    }
    assert csv_ds.rejects.empty


def test_every_csv_fixture_balances(csv_ds):
    rec = csv_ds.reconciliation
    assert rec["balanced"].all()
    assert (rec["raw_rows"] == rec["data_rows"] + rec["not_data"]).all()
    assert csv_ds.skipped.empty


# ------------------------------------------------------------------ workbooks


def _book(path: Path, sheets: dict[str, list[list]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(i, j, v)
    wb.save(path)


@pytest.fixture(scope="module")
def xlsx_ds(tmp_path_factory):
    root = tmp_path_factory.mktemp("books")
    shutil.copy(FOLDER / "athletes.csv", root / "athletes.csv")
    # a plain log that fixes the folder's year (2026) for sheets that say only "19 Jan"
    (root / "plain.csv").write_text(
        "athlete,date,exercise,prescription\nBen Li,2026-01-02,hanging leg raises,2x10\n",
        encoding="utf-8",
    )
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    # one athlete's workbook: title cell, week-commencing label + date cell, exercise rows
    _book(root / "ada_weeks.xlsx", {
        "Week 1": [
            ["Athlete: Ada Okafor"],
            [],
            ["Week commencing", dt.datetime(2026, 1, 5)],
            ["Exercise", *days, "Total"],
            ["Box knee drives", "3x25", None, "3x25", None, None, None, None, "150"],
            ["Hanging leg raises", None, "3x10", None, None, None, None, None, "30"],
            ["Lunge stretch", None, None, None, None, "2x30s", None, None, None],
        ],
        # the week start only in the sheet name, without a year: 2026 from the folder
        "w-c 19 Jan": [
            ["Athlete: Ada Okafor"],
            ["Exercise", *days],
            ["A's", "2x20m", None, None, "2x30m", None, None, None],
            ["Total", "40", None, None, "60", None, None, None],
        ],
    })  # fmt: skip
    # athlete only in the sheet name; French headers; a merged-looking title; units row
    _book(root / "salle.xlsx", {
        "Ben Li": [
            ["Carnet de musculation — saison 2026", None, None, None, None],
            [None, None, None, None, None],
            ["Date", "Exercice", "Séries", "Répétitions", "Charge"],
            [None, None, None, None, "lb"],
            [dt.datetime(2026, 2, 2), "Cable knee drives", 3, 10, 45],
            [dt.datetime(2026, 2, 4), "Hanging knee raises", 3, 12, None],
            ["Total", None, 6, 22, None],
        ],
        "Notes": [["just a note for the coach"]],
    })  # fmt: skip
    # German weekday grid, athlete x exercise, the date in a header row of its own
    _book(root / "kader.xlsx", {
        "KW 3": [
            ["Woche ab: 12.01.2026"],
            ["Athlet", "Übung", "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
            ["Cleo Marsh", "Box knee drives", "3x25", None, None, "3x30", None, None, None],
            [None, "Foam rolling", None, None, "5 min", None, None, None, None],
            ["Ben Li", "A's", None, "2x20m", None, None, None, None, None],
        ],
    })  # fmt: skip
    # meet-manager export as a workbook, splits as "Split 100" columns
    _book(root / "meet.xlsx", {
        "Results": [
            ["County Champs - 16/05/2026"],
            ["Event 3  Women 400m Final"],
            ["Pos", "Name", "Club", "Time", "Split 100", "Split 200", "Split 300"],
            [1, "Ada Okafor", "Harriers", "55.10 PB", "12.9", "26.3", "40.2"],
            [2, "Cleo Marsh", "Harriers", "56.02", "13.1", "26.9", "41.0"],
            [],
            ["Event 7  Men 200m Heat 2"],
            ["Pos", "Name", "Club", "Time"],
            [1, "Ben Li", "Harriers", "22.31"],
        ],
    })  # fmt: skip
    # a European workbook named after its athlete: German headers, dates and decimal
    # commas typed as text, a generic sheet name
    _book(root / "Cleo Marsh.xlsx", {
        "Tabelle1": [
            ["Datum", "Übung", "Sätze", "Wdh", "Gewicht"],
            ["13.01.2026", "Cable knee drives", "3", "10", "12,5"],
            ["15.01.2026", "Hanging leg raises", 3, 12, None],
        ],
    })  # fmt: skip
    # the new prescription forms in a workbook
    _book(root / "forms.xlsx", {
        "Log": [
            ["Athlete", "Date", "Exercise", "Sets x Reps", "Load"],
            ["Ben Li", dt.datetime(2026, 3, 2), "cable knee drives", "3x10 L/R", "10kg"],
            ["Ben Li", dt.datetime(2026, 3, 2), "band knee drives", "2x(10+10)", "band (green)"],
            ["Ben Li", dt.datetime(2026, 3, 3), "band knee drives", "3x12 each leg",
             "bands: green"],
            ["Ben Li", dt.datetime(2026, 3, 3), "Knee drives onto a box", "3x10 10kg DB", None],
            ["Ben Li", dt.datetime(2026, 3, 4), "spread eagle sit-ups", "EMOM 10 min x 6", None],
            ["Ben Li", dt.datetime(2026, 3, 4), "hanging knee raises", "EMOM 8 min", None],
        ],
    })  # fmt: skip
    return hf.load_dataset(root, today=TODAY)


def test_one_athletes_workbook_with_title_and_week_commencing_cells(xlsx_ds):
    src = "ada_weeks.xlsx#Week 1"
    got = [r for r in _log(xlsx_ds) if r[7].startswith(src)]
    assert got == [
        ("A01", "2026-01-05", "box_knee_drive", 3.0, 25.0, None, 75.0, src + "!B", 5),
        ("A01", "2026-01-07", "box_knee_drive", 3.0, 25.0, None, 75.0, src + "!D", 5),
        ("A01", "2026-01-06", "hanging_leg_raise", 3.0, 10.0, None, 30.0, src + "!C", 6),
        ("A01", "2026-01-09", "lunge_stretch", 2.0, None, None, 0.0, src + "!F", 7),
    ]
    assert _not_data(xlsx_ds, src) == [
        (1, 1, "title row"), (2, 1, "blank row"), (3, 1, "title row"), (4, 1, "header row")
    ]  # fmt: skip
    assert _rec(xlsx_ds, src)["raw_rows"] == 7


def test_week_start_from_a_sheet_name_without_a_year_takes_the_folders_year(xlsx_ds):
    src = "ada_weeks.xlsx#w-c 19 Jan"
    got = [r[:2] + r[6:7] for r in _log(xlsx_ds) if r[7].startswith(src)]
    assert got == [("A01", "2026-01-19", 40.0), ("A01", "2026-01-22", 60.0)]
    assert _not_data(xlsx_ds, src)[-1] == (4, 1, "summary row (Total)")


def test_athlete_only_in_the_sheet_name_with_french_headers_and_a_pounds_units_row(xlsx_ds):
    src = "salle.xlsx#Ben Li"
    assert [r for r in _log(xlsx_ds) if r[7] == src] == [
        ("A02", "2026-02-02", "cable_knee_drive", 3.0, 10.0, pytest.approx(20.41165665),
         30.0, src, 5),
        ("A02", "2026-02-04", "hanging_knee_raise", 3.0, 12.0, None, 36.0, src, 6),
    ]  # fmt: skip
    assert _not_data(xlsx_ds, src) == [
        (1, 1, "title row"), (2, 1, "blank row"), (3, 1, "header row"), (4, 1, "units row"),
        (7, 1, "summary row (Total)"),
    ]  # fmt: skip
    notes = xlsx_ds.skipped.set_index("source").loc["salle.xlsx#Notes"]
    assert int(notes["rows"]) == 1 and "no header row" in notes["reason"]


def test_german_grid_with_forward_filled_athlete_column(xlsx_ds):
    src = "kader.xlsx#KW 3"
    assert [r for r in _log(xlsx_ds) if r[7].startswith(src)] == [
        ("A03", "2026-01-12", "box_knee_drive", 3.0, 25.0, None, 75.0, src + "!C", 3),
        ("A03", "2026-01-15", "box_knee_drive", 3.0, 30.0, None, 90.0, src + "!F", 3),
        ("A03", "2026-01-14", "foam_rolling", 1.0, None, None, 0.0, src + "!E", 4),  # 5 min
        ("A02", "2026-01-13", "a_skip", 2.0, None, None, 40.0, src + "!D", 5),
    ]
    assert _not_data(xlsx_ds, src) == [(1, 1, "title row"), (2, 1, "header row")]


def test_block_file_workbook_with_splits(xlsx_ds):
    races = xlsx_ds.races[xlsx_ds.races["source"] == "meet.xlsx#Results"]
    races = races.sort_values("source_row")
    assert [
        (r.athlete_id, r.date.date().isoformat(), int(r.event_m), float(r.final_s), r.round)
        for r in races.itertuples()
    ] == [
        ("A01", "2026-05-16", 400, 55.10, "Final"),
        ("A03", "2026-05-16", 400, 56.02, "Final"),
        ("A02", "2026-05-16", 200, 22.31, "Heat 2"),
    ]
    assert [_s(f) for f in races["flags"]] == ["PB", None, None]
    assert _splits(xlsx_ds, "meet.xlsx#Results") == {
        "A01-20260516-400-1": [(100, 12.9), (200, 26.3), (300, 40.2), (400, 55.1)],
        "A03-20260516-400-1": [(100, 13.1), (200, 26.9), (300, 41.0), (400, 56.02)],
        "A02-20260516-200-1": [(200, 22.31)],
    }
    assert _not_data(xlsx_ds, "meet.xlsx#Results") == [
        (1, 1, "title row"), (2, 1, "title row"), (3, 1, "header row"), (6, 1, "blank row"),
        (7, 1, "heading: Event 7  Men 200m Heat 2"), (8, 1, "header row (repeated)"),
    ]  # fmt: skip


def test_european_workbook_named_only_after_its_athlete(xlsx_ds):
    src = "Cleo Marsh.xlsx#Tabelle1"
    assert [r for r in _log(xlsx_ds) if r[7] == src] == [
        ("A03", "2026-01-13", "cable_knee_drive", 3.0, 10.0, 12.5, 30.0, src, 2),  # "12,5"
        ("A03", "2026-01-15", "hanging_leg_raise", 3.0, 12.0, None, 36.0, src, 3),
    ]


def test_the_new_prescription_forms_in_a_workbook(xlsx_ds):
    src = "forms.xlsx#Log"
    log = xlsx_ds.log[xlsx_ds.log["source"] == src].sort_values("source_row")
    got = [(int(r.source_row), r.exercise, int(r.sets), _n(r.reps), _n(r.load_kg), bool(r.per_leg),
            _n(r.hf_reps), _s(r.load_kind)) for r in log.itertuples()]  # fmt: skip
    assert got == [
        (2, "cable_knee_drive", 3, 10.0, 10.0, True, 60.0, "kg"),  # 3x10 L/R: per leg
        (3, "band_knee_drive", 2, 20.0, None, False, 40.0, "band"),  # 2x(10+10): a pair a set
        (4, "band_knee_drive", 3, 12.0, None, True, 72.0, "band"),  # bands: green
        (5, "box_knee_drive", 3, 10.0, 10.0, False, 30.0, "kg"),  # 10kg DB: the load per hand
        (6, "spread_eagle_situp", 10, 6.0, None, False, 60.0, None),  # EMOM 10 min x 6
        (7, "hanging_knee_raise", 8, None, None, False, None, None),  # EMOM 8 min: no reps
    ]
    rej = xlsx_ds.rejects[xlsx_ds.rejects["source"] == src]
    assert rej[["source_row", "reason", "kind"]].to_numpy().tolist() == [
        [7, "reps per set not given", "partial"]
    ]


def test_every_workbook_fixture_reconciles_exactly(xlsx_ds):
    assert _recs(xlsx_ds) == {
        "Cleo Marsh.xlsx#Tabelle1": _r("table", 2, 2, 0, raw=3, data=2, not_data=1),
        "ada_weeks.xlsx#Week 1": _r("grid", 4, 4, 0, raw=7, data=3, not_data=4),
        "ada_weeks.xlsx#w-c 19 Jan": _r("grid", 2, 2, 0, raw=4, data=1, not_data=3),
        "forms.xlsx#Log": _r("table", 6, 6, 0, raw=7, data=6, not_data=1),
        "kader.xlsx#KW 3": _r("grid", 4, 4, 0, raw=5, data=3, not_data=2),
        "meet.xlsx#Results": _r("blocks", 3, 3, 0, raw=9, data=3, not_data=6),
        "plain.csv": _r("table", 1, 1, 0, raw=2, data=1, not_data=1),
        "salle.xlsx#Ben Li": _r("table", 2, 2, 0, raw=7, data=2, not_data=5),
    }
    assert list(xlsx_ds.skipped["source"]) == ["salle.xlsx#Notes"]


def test_workbook_fixtures_balance_and_the_notes_sheet_is_listed_not_a_failure(xlsx_ds, tmp_path):
    rec = xlsx_ds.reconciliation
    assert rec["balanced"].all()
    assert (rec["raw_rows"] == rec["data_rows"] + rec["not_data"]).all()
    root = Path(xlsx_ds.data_dir)
    # the exit-code contract (docs/scheduling.md): a notes tab is listed, never a failure
    assert main(["clean", str(root), "--out", str(tmp_path / "o")]) == 0


# ------------------------------------------------------------------ inspect


def test_inspect_shows_each_layout_found(capsys):
    assert main(["inspect", str(FOLDER)]) == 0
    out = capsys.readouterr().out
    assert "logs/grid_squad.csv\n  layout: grid; header row 2; week starting 2026-01-12 " in out
    assert "  layout: table; header row 1; athlete 'Ada Okafor' from the file name" in out
    assert "  layout: table; header row 3; units Load=kg" in out
    assert "  layout: blocks; header row 3" in out
    assert "Pos -> place, Name -> athlete, Club -> club, Time -> final, 100m split -> split" in out
    assert (
        "logs/ada_week.csv\n  layout: grid; header row 4; athlete 'Ada Okafor' from the "
        "title cell; week starting 2026-01-19 (from the week-commencing cell)" in out
    )
    assert "  row 9  raw: 2 | Cleo Marsh | Harriers | 24.87 SB\n" in out
    assert "  row 3  raw: Cleo Marsh | 15.01.2026 | Hanging leg raises | 3 | 12 | \n" in out
    assert (
        "not data: row 1 title row; row 2 title row; row 3 header row; row 5 blank row; "
        "row 6 heading: Event 14  Women 200m Heat 1; row 7 header row (repeated)" in out
    )
    assert "Name -> athlete, Datum -> date, Übung -> exercise, Sätze -> sets, Wdh -> reps" in out
    assert "  row 3!C  raw: Ada Okafor | A's | 2x20m |  | 2x20m |" in out
    assert "-> athlete=Ada Okafor, date=2026-01-12, exercise=A's, prescription=2x20m" in out
    assert "not data: row 1 title row; row 2 blank row; row 3 header row; row 4 units row; " \
           "row 7 summary row (Total)" in out  # fmt: skip
    assert '[files."logs/export_gym.csv"]\nheader_row = 3' in out
    assert "6 sheet(s) read, 0 skipped." in out


def test_inspect_of_the_workbooks_names_the_skipped_sheet(xlsx_ds, capsys):
    assert main(["inspect", xlsx_ds.data_dir]) == 1
    out = capsys.readouterr().out
    assert "salle.xlsx#Notes\n  SKIPPED (1 rows): no header row found" in out
    assert "ada_weeks.xlsx#w-c 19 Jan\n  layout: grid; header row 2; athlete 'Ada Okafor' " \
           "from the title cell; week starting 2026-01-19 (from the sheet name; year from the " \
           "folder's other dates)" in out  # fmt: skip
    assert "salle.xlsx#Ben Li\n  layout: table; header row 3; athlete 'Ben Li' from the " \
           "sheet name; units Charge=lb" in out  # fmt: skip
    assert 'athlete = "Ben Li"  # from the sheet name' in out
    assert "Cleo Marsh.xlsx#Tabelle1\n  layout: table; header row 1; athlete 'Cleo Marsh' from " \
           "the file name\n  columns: Datum -> date, Übung -> exercise, Sätze -> sets, " \
           "Wdh -> reps, Gewicht -> load" in out  # fmt: skip
    assert "kader.xlsx#KW 3\n  layout: grid; header row 2; week starting 2026-01-12 (from the " \
           "week-commencing cell)" in out  # fmt: skip
    assert "meet.xlsx#Results\n  layout: blocks; header row 3\n  columns: Pos -> place, " \
           "Name -> athlete, Club -> club, Time -> final, Split 100 -> split" in out  # fmt: skip
    assert "forms.xlsx#Log\n  layout: table; header row 1\n" in out
    assert "8 sheet(s) read, 1 skipped." in out


def test_inspect_of_the_value_fixtures_shows_marks_and_prescriptions_raw(capsys):
    assert main(["inspect", str(FOLDER.parent.parent / "values")]) == 0
    out = capsys.readouterr().out
    assert "meet_results.csv\n  layout: table; header row 1\n  columns: Pos -> place, " \
           "Name -> athlete, Club -> club, Date -> date, Event -> event, Round -> round, " \
           "Time -> final, 100m split -> split" in out  # fmt: skip
    assert "  reads as: race results, 9 data rows" in out
    assert "  row 2  raw: 1 | Ivo Okafor | Harriers | 25/04/2026 | 400m | Final | 48.23 PB |" in out
    assert "  reads as: training log, 19 data rows" in out
    assert "  row 4  raw: Okafor, Ivo | 03/03/2026 | cable knee drives | 3x10 L/R | 10kg | " in out
    assert "2 sheet(s) read, 0 skipped." in out


def test_the_index_page_warns_about_sheets_not_read_and_athletes_without_logs(xlsx_ds, tmp_path):
    from analysis.reports.batch.index import write_index

    path = write_index(tmp_path, [], {}, xlsx_ds, Path(xlsx_ds.data_dir), started=0.0, seconds=0.0)
    page = path.read_text(encoding="utf-8")
    # a text-only tab is listed, not shown as a problem (docs/scheduling.md#exit-codes)
    assert "<h2>Sheets without data</h2>" in page and "<h2>Data not read</h2>" not in page
    assert "<li>not read: salle.xlsx#Notes: no header row found in the first 1 rows" in page
