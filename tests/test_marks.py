"""Marks as meets print them, split columns as meet exports spell them, signed values."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import TODAY_SPRING as TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import DataWarning
from analysis.names import load_roster
from analysis.sprints import Mark, clean_sprints, parse_mark, split_header

DATA = Path(__file__).parent / "data" / "sprints"


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    return load_roster(pd.read_csv(DATA / "athletes.csv", dtype="string"))


def sheet(columns: dict[str, list[str]], source: str = "meet.csv") -> pd.DataFrame:
    df = pd.DataFrame(columns).astype("string")
    return df.assign(source=source, source_row=np.arange(2, len(df) + 2)).astype(
        {"source": "string", "source_row": "Int64"}
    )


@pytest.mark.parametrize(
    ("text", "seconds", "hand", "status", "note"),
    [
        ("48.23 PB", 48.23, False, None, "PB"),
        ("54.87 SB", 54.87, False, None, "SB"),
        ("49.10 =PB", 49.1, False, None, "=PB"),
        ("21.05 Q", 21.05, False, None, "Q"),
        ("21.31q", 21.31, False, None, "q"),
        ("44.9 NR", 44.9, False, None, "NR"),
        ("45.02 CR", 45.02, False, None, "CR"),
        ("46.11 MR", 46.11, False, None, "MR"),
        ("20.88*", 20.88, False, None, "*"),
        ("20.71 (w)", 20.71, False, None, "w"),
        ("20.71w", 20.71, False, None, "w"),
        ("45.80A", 45.8, False, None, "A"),
        ("47.9h", 47.9, True, None, None),  # hand timing: the timing column, not a note
        ("48.23 (PB)", 48.23, False, None, "PB"),
        ("48.23 PB q", 48.23, False, None, "PB q"),
        ("48,23", 48.23, False, None, None),  # European decimal comma
        ("1:02,5", 62.5, False, None, None),
        ("1:02,50 SB", 62.5, False, None, "SB"),
        ("DQ R163.3", math.nan, False, "DQ", "rule R163.3"),
        ("DQ TR17.3.1", math.nan, False, "DQ", "rule TR17.3.1"),
        ("DQ 163.3(b)", math.nan, False, "DQ", "rule 163.3(b)"),
        ("DQ (R163.3)", math.nan, False, "DQ", "rule R163.3"),
        ("DQ (lane)", math.nan, False, "DQ", "lane"),
        ("DNS", math.nan, False, "DNS", None),
    ],
)
def test_marks_are_kept_as_a_note_and_flag(text, seconds, hand, status, note) -> None:
    m = parse_mark(text)
    assert m.error is None
    assert (m.hand, m.status, m.note) == (hand, status, note)
    assert m.seconds == pytest.approx(seconds, nan_ok=True)
    assert m.flags == (note if status is None else None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("-48.23", "negative time"), ("−48.23", "negative time"), ("48.23 XYZ", "unparseable time"),
     ("fast", "unparseable time"), ("48.23 sb PBX", "unparseable time")],
)  # fmt: skip
def test_bad_marks_have_reasons(text: str, reason: str) -> None:
    assert parse_mark(text).error == reason


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_parse_mark_never_raises(text: str) -> None:
    m = parse_mark(text)
    assert isinstance(m, Mark)
    assert (m.error is None) or math.isnan(m.seconds)


@settings(max_examples=200, deadline=None)
@given(
    cs=st.integers(4300, 9999),
    comma=st.booleans(),
    flag=st.sampled_from(["", " PB", " SB", " =PB", " Q", " q", " NR", "*", " (w)", "A"]),
)
def test_marks_round_trip(cs: int, comma: bool, flag: str) -> None:
    text = f"{cs // 100}{',' if comma else '.'}{cs % 100:02d}{flag}"
    m = parse_mark(text)
    assert m.error is None and m.seconds == pytest.approx(cs / 100)
    assert m.flags == ({"(w)": "w"}.get(flag.strip(), flag.strip()) or None)


@pytest.mark.parametrize(
    ("header", "role"),
    [("100m split", ("cum", 100)), ("Split 100", ("cum", 100)), ("100 m", ("cum", 100)),
     ("100", ("cum", 100)), ("R1 100m", ("cum", 100)), ("200m split", ("cum", 200)),
     ("300m", ("cum", 300)), ("Zwischenzeit 200m", ("cum", 200)), ("passage 300 m", ("cum", 300)),
     ("100-200m", ("seg", 200)), ("0-100 m", ("seg", 100)), ("Reaction", ("reaction", 0)),
     ("RT", ("reaction", 0)), ("R.T.", ("reaction", 0)), ("Split 1", ("unusable", 0)),
     ("Lap", ("unusable", 0)), ("Club", None), ("Pos", None), ("Time", None)],
)  # fmt: skip
def test_split_headers_as_meet_exports_spell_them(header, role) -> None:
    assert split_header(header) == role


def test_meet_export_keeps_marks_and_reads_its_split_columns(roster) -> None:
    """``Pos, Name, Club, Time, 100m split, 200m split, 300m split``: no split ignored."""
    raw = sheet({
        "Pos": ["1", "2", "3", "4", "5", "6"],
        "Name": ["Ann Lee", "Bob Roy", "Dee Nunez", "Annie Lee", "Bob Roy", "Ann Lee"],
        "Club": ["Harriers"] * 6,
        "Date": ["25/04/2026"] * 6,
        "Event": ["400m"] * 6,
        "Round": ["Final", "Final", "Final", "Heat 2", "Heat 1", "Final B"],
        "Time": ["48.23 PB", "54.87 SB", "DNS", "DQ R163.3", "51.02 =PB", "52.10 q"],
        "100m split": ["11.31", "12.80", "", "", "11.9", ""],
        "200m split": ["23.05", "26.41", "", "", "24.6", ""],
        "300m split": ["35.40", "40.52", "", "", "37.7", ""],
        "R.T.": ["0.182", "0.201", "", "", "0,175", ""],
    })  # fmt: skip
    races, splits, rejects = clean_sprints(raw, roster, today=TODAY)
    # the one Ann Lee race that is not the "Annie Lee" heat: keyed by source row
    got = races.set_index("source_row")
    assert list(got.index) == [2, 7, 5, 3, 6, 4]  # by athlete, date, event, round
    assert got.loc[2, ["athlete_id", "status", "final_s", "flags", "notes"]].tolist() == [
        "a1", "ok", 48.23, "PB", "PB"]  # fmt: skip
    assert got.loc[3, ["athlete_id", "final_s", "flags", "notes"]].tolist() == [
        "a2", 54.87, "SB", "SB"]  # fmt: skip
    assert got.loc[4, "status"] == "DNS" and pd.isna(got.loc[4, "notes"])
    assert got.loc[5, ["athlete_id", "status", "notes"]].tolist() == ["a1", "DQ", "rule R163.3"]
    assert pd.isna(got.loc[5, "flags"])
    assert got.loc[6, ["final_s", "flags"]].tolist() == [51.02, "=PB"]
    assert got.loc[7, ["final_s", "flags"]].tolist() == [52.1, "q"]
    assert got.loc[[2, 3, 6], "reaction_s"].tolist() == [0.182, 0.201, 0.175]
    assert rejects.empty
    by_race = {rid: g.set_index("at_m")["cum_s"].to_dict() for rid, g in splits.groupby("race_id")}
    ann = got.loc[2, "race_id"]
    assert by_race[ann] == {100: 11.31, 200: 23.05, 300: 35.4, 400: 48.23}
    assert by_race[got.loc[3, "race_id"]] == {100: 12.8, 200: 26.41, 300: 40.52, 400: 54.87}
    assert by_race[got.loc[6, "race_id"]] == {100: 11.9, 200: 24.6, 300: 37.7, 400: 51.02}
    assert by_race[got.loc[7, "race_id"]] == {400: 52.1}  # no splits given


def test_segment_columns_become_cumulative(roster) -> None:
    """Columns whose values do not increase but add up to the final are segments."""
    raw = sheet({
        "Name": ["Ann Lee", "Ann Lee", "Bob Roy", "Bob Roy"],
        "Date": ["2026-05-01", "2026-05-02", "2026-05-01", "2026-05-02"],
        "Event": ["400", "400", "200", "400"],
        "Time": ["48,23", "50.40", "23.10", "49.90"],
        "100 m": ["11,2", "11.8", "11.0", "11.6"],
        "200 m": ["11,9", "12.4", "12.1", "23.8"],
        "300 m": ["12,5", "12.9", "", "36.5"],
        "400 m": ["", "13.3", "", ""],
    })  # fmt: skip
    _races, splits, rejects = clean_sprints(raw, roster, today=TODAY)
    assert rejects.empty
    got = {r: g.set_index("at_m")["cum_s"].round(2).to_dict() for r, g in splits.groupby("race_id")}
    assert got["a1-20260501-400-1"] == {100: 11.2, 200: 23.1, 300: 35.6, 400: 48.23}
    assert got["a1-20260502-400-1"] == {100: 11.8, 200: 24.2, 300: 37.1, 400: 50.4}  # sums to final
    assert got["a2-20260501-200-1"] == {100: 11.0, 200: 23.1}
    assert got["a2-20260502-400-1"] == {100: 11.6, 200: 23.8, 300: 36.5, 400: 49.9}  # cumulative


def test_segment_range_headers(roster) -> None:
    raw = sheet({"Name": ["Ann Lee"], "Date": ["2026-05-01"], "Event": ["400"],
                 "Time": ["50.00"], "0-100m": ["11.5"], "100-200m": ["12.0"],
                 "200-300m": ["12.5"], "300-400m": ["14.0"]})  # fmt: skip
    _, splits, rejects = clean_sprints(raw, roster, today=TODAY)
    assert rejects.empty
    assert splits["cum_s"].tolist() == [11.5, 23.5, 36.0, 50.0]


def test_split_like_columns_that_cannot_be_used_are_warned_about(roster) -> None:
    raw = sheet({"Name": ["Ann Lee"], "Date": ["2026-05-01"], "Event": ["400"],
                 "Time": ["50.00"], "Split 1": ["11.5"], "Split 2": ["23.5"]})  # fmt: skip
    with pytest.warns(DataWarning, match=r"meet.csv: result column\(s\) 'Split 1', 'Split 2'"):
        races, _, _ = clean_sprints(raw, roster, today=TODAY)
    assert len(races) == 1


@pytest.mark.parametrize(
    ("column", "value", "reason", "kind"),
    [("Time", "-48.23", "negative time", "rejected"),
     ("Time", "−48.23", "negative time", "rejected"),
     ("Event", "-400", "negative event", "rejected"),
     ("100m split", "-11.2", "negative split", "partial"),
     ("Reaction", "-0.15", "negative reaction", "partial")],
)  # fmt: skip
def test_negative_values_in_results_are_rejected(roster, column, value, reason, kind) -> None:
    named = {"Time": "final", "Event": "event", "100m split": "split_100", "Reaction": "reaction"}
    cells = {"Name": ["Ann Lee"], "Date": ["2026-05-01"], "Event": ["400"], "Time": ["48.23"],
             "100m split": ["11.2"], "Reaction": ["0.15"], "Wind": ["-1.2"]}  # fmt: skip
    cells[column] = [value]
    races, _splits, rejects = clean_sprints(sheet(cells), roster, today=TODAY)
    assert rejects[["column", "value", "reason", "kind"]].to_numpy().tolist() == [
        [named[column], value, reason, kind]
    ]
    if kind == "partial":
        assert races["wind_ms"].tolist() == [-1.2]  # a negative wind is a wind


@pytest.mark.parametrize(
    ("text", "seconds", "flags"),
    [("1.02.45", 62.45, None), ("1.02,45 SB", 62.45, "SB"), ("1.05.3", 65.3, None)],
)
def test_minutes_written_with_a_dot(text: str, seconds: float, flags: str | None) -> None:
    m = parse_mark(text)
    assert (m.error, m.seconds, m.flags) == (None, seconds, flags)


def test_event_cells_as_headings_print_them_and_laps_after_splits(roster) -> None:
    raw = sheet({
        "Name": ["OKAFOR Ivo", "Ann Lee", "Bob Roy", "Bob Roy", "Ann Lee"],
        "Date": ["2026-05-01"] * 5,
        "Event": ["Men 400m Final", "Women's 200m Heat 2", "400mH", "4x400m", "Women 400 m"],
        "Time": ["48.23", "24.10 PB", "52.0", "3:15.2", "1.01,20"],
        "100m split": ["11.41", "11.7", "", "", "14,0"],
        "200m split": ["22.96 (11.55)", "", "", "", "29,4 (15,4)"],
    })  # fmt: skip
    races, splits, rejects = clean_sprints(raw, roster, today=TODAY)
    assert rows_of(rejects, ["source_row", "column", "value", "reason"]) == [
        [2, "athlete", "OKAFOR Ivo", "unknown athlete"],  # not on this roster
        [4, "event", "400mH", "unsupported event"],
        [5, "event", "4x400m", "unsupported event"],
    ]
    assert rows_of(races, ["source_row", "event_m", "final_s", "flags"]) == [
        [3, 200, 24.1, "PB"], [6, 400, 61.2, None]]  # fmt: skip
    got = {r: g.set_index("at_m")["cum_s"].to_dict() for r, g in splits.groupby("race_id")}
    assert got == {"a1-20260501-200-1": {100: 11.7, 200: 24.1},
                   "a1-20260501-400-1": {100: 14.0, 200: 29.4, 400: 61.2}}  # fmt: skip


def rows_of(df: pd.DataFrame, cols: list[str]) -> list[list]:
    return df[cols].astype(object).where(df[cols].notna(), None).to_numpy().tolist()


@pytest.mark.parametrize(
    ("text", "seconds", "wind", "flags"),
    [("21.05 (+1.2)", 21.05, 1.2, None), ("21.05 (-0.4) PB", 21.05, -0.4, "PB"),
     ("20.91 SB (w: +2,3)", 20.91, 2.3, "SB"), ("21,40 (0.0)", 21.4, 0.0, None)],
)  # fmt: skip
def test_a_wind_printed_with_the_time(text, seconds, wind, flags) -> None:
    m = parse_mark(text)
    assert (m.error, m.seconds, m.wind, m.flags) == (None, seconds, wind, flags)


def test_the_wind_in_a_time_cell_fills_an_empty_wind_cell(roster) -> None:
    raw = sheet({"Name": ["Ann Lee", "Bob Roy"], "Date": ["2026-05-01"] * 2,
                 "Event": ["200", "200"], "Time": ["24.10 (+1.2) PB", "22.30 (-0.5)"],
                 "Wind": ["", "+0.3"]})  # fmt: skip
    races, _, rejects = clean_sprints(raw, roster, today=TODAY)
    assert rejects.empty
    assert rows_of(races, ["athlete_id", "final_s", "wind_ms", "flags"]) == [
        ["a1", 24.1, 1.2, "PB"], ["a2", 22.3, 0.3, None]]  # fmt: skip
