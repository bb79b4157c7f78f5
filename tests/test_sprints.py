"""clean_sprints: every time form, split form, reject and duplicate, with hand-checked values."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import DataError
from analysis.names import load_roster
from analysis.schema import RACE_COLUMNS, REJECT_COLUMNS, SPLIT_COLUMNS
from analysis.sprints import HAND_TO_FAT_S, clean_sprints, parse_time

DATA = Path(__file__).parent / "data" / "sprints"
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "athletes.csv", dtype="string")
    return load_roster(frame)


def make_raw(rows: list[dict], source: str = "results.csv") -> pd.DataFrame:
    """Rows as a raw results sheet: all cells strings, source and spreadsheet row."""
    df = pd.DataFrame(rows).astype("string")
    for col, default in {"athlete": "Ann Lee", "date": "2026-03-07", "event": "400"}.items():
        df[col] = df[col].fillna(default) if col in df.columns else default
    return df.assign(source=source, source_row=np.arange(2, len(df) + 2)).astype(
        {"source": "string", "source_row": "Int64"}
    )


def clean(rows, roster, **kw):
    return clean_sprints(make_raw(rows), roster, today=TODAY, **kw)


def conserved(raw, races, rejects) -> bool:
    whole = rejects.loc[rejects["kind"] != "partial"].drop_duplicates(["source", "source_row"])
    return len(races) + len(whole) == len(raw)


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "event", "final_s", "raw_s", "timing", "status"),
    [
        ("52.34", "400", 52.34, 52.34, "FAT", "ok"),
        ("0:52.34", "400", 52.34, 52.34, "FAT", "ok"),
        ("1:02.5", "400", 62.5, 62.5, "FAT", "ok"),  # 60 + 2.5
        ("52,34", "400", 52.34, 52.34, "FAT", "ok"),  # decimal comma
        ("52.3h", "400", 52.44, 52.3, "hand", "ok"),  # 52.3 + 0.14
        ("23.4h", "200", 23.64, 23.4, "hand", "ok"),  # 23.4 + 0.24
        ("DNF", "400", None, None, "FAT", "DNF"),
        ("dns", "200", None, None, "FAT", "DNS"),
        ("DQ", "200", None, None, "FAT", "DQ"),
        ("DSQ", "200", None, None, "FAT", "DQ"),
    ],
)
def test_time_forms_give_fat_equivalent_final_and_status(
    roster, text, event, final_s, raw_s, timing, status
):
    races, _, rejects = clean([{"event": event, "final": text}], roster)
    assert rejects.empty
    r = races.iloc[0]
    assert r["status"] == status and r["timing"] == timing
    if final_s is None:
        assert pd.isna(r["final_s"]) and pd.isna(r["final_raw_s"])
    else:
        assert r["final_s"] == pytest.approx(final_s)
        assert r["final_raw_s"] == pytest.approx(raw_s)


def test_timing_column_hand_converts_and_override_applies(roster):
    races, _, _ = clean([{"event": "200", "final": "23.40", "timing": "hand"}], roster)
    assert races.loc[0, "timing"] == "hand"
    assert races.loc[0, "final_s"] == pytest.approx(23.64)  # 23.40 + 0.24
    races, _, _ = clean(
        [{"event": "200", "final": "23.40", "timing": "Hand"}], roster, hand_to_fat={200: 0.2}
    )
    assert races.loc[0, "final_s"] == pytest.approx(23.60)


def test_hand_to_fat_setting_is_the_statisticians_convention():
    assert HAND_TO_FAT_S == {200: 0.24, 400: 0.14}


def test_parse_time_rejects_nonsense():
    assert parse_time("fast")[3] == "unparseable time"
    assert parse_time("1:75.0")[3] == "unparseable time"  # 75 s is not a seconds field
    assert parse_time(None)[3] == "missing time"


# --------------------------------------------------------------------------- events, wind


@pytest.mark.parametrize(("text", "event_m"), [("200", 200), ("200m", 200), ("400 m", 400)])
def test_event_forms(roster, text, event_m):
    final = "23.00" if event_m == 200 else "52.00"
    races, _, rejects = clean([{"event": text, "final": final}], roster)
    assert rejects.empty and races.loc[0, "event_m"] == event_m


@pytest.mark.parametrize("text", ["100m", "4x400", "800"])
def test_other_events_rejected_naming_the_event(roster, text):
    races, splits, rejects = clean([{"event": text, "final": "12.00"}], roster)
    assert races.empty and splits.empty
    assert rejects.loc[0, "reason"] == "unsupported event"
    assert rejects.loc[0, "value"] == text and rejects.loc[0, "athlete_id"] == "a1"


@pytest.mark.parametrize(("text", "wind"), [("+1.2", 1.2), ("-0.4", -0.4), ("0", 0.0)])
def test_wind_forms(roster, text, wind):
    races, _, rejects = clean([{"event": "200", "final": "23.00", "wind": text}], roster)
    assert rejects.empty and races.loc[0, "wind_ms"] == pytest.approx(wind)


def test_nwi_is_no_wind_and_bad_wind_is_partial(roster):
    races, _, rejects = clean(
        [
            {"event": "200", "final": "23.00", "wind": "NWI"},
            {"event": "200", "final": "23.50", "wind": "windy"},
        ],
        roster,
    )
    assert races["wind_ms"].isna().all() and len(races) == 2
    assert rejects["reason"].tolist() == ["unparseable wind"]
    assert rejects["kind"].tolist() == ["partial"]


# --------------------------------------------------------------------------- split forms


def marks(splits: pd.DataFrame) -> list[tuple[int, float]]:
    return [
        (int(a), round(float(c), 3)) for a, c in zip(splits["at_m"], splits["cum_s"], strict=True)
    ]


def test_split_columns_are_cumulative_marks_plus_finish(roster):
    _, splits, rejects = clean(
        [{"final": "52.34", "split_100": "12.0", "split_200": "24.5", "split_300": "37.8"}],
        roster,
    )
    assert rejects.empty
    assert marks(splits) == [(100, 12.0), (200, 24.5), (300, 37.8), (400, 52.34)]


def test_split_column_at_the_finish_is_the_finish(roster):
    _, splits, rejects = clean(
        [{"final": "52.34", "split_200": "24.5", "split_400": "52.34"}], roster
    )
    assert rejects.empty and marks(splits) == [(200, 24.5), (400, 52.34)]


def test_splits_string_without_final_uses_event_over_n_plus_1(roster):
    # 3 values, last != final 43.60 -> interval 400 / (3 + 1) = 100 m
    _, splits, _ = clean([{"final": "43.60", "splits": "10.9/21.3/32.1"}], roster)
    assert marks(splits) == [(100, 10.9), (200, 21.3), (300, 32.1), (400, 43.6)]


def test_splits_string_ending_in_final_uses_event_over_n(roster):
    # 4 values, last == final -> interval 400 / 4 = 100 m
    _, splits, rejects = clean([{"final": "43.60", "splits": "10.9 / 21.3 / 32.1 / 43.60"}], roster)
    assert rejects.empty
    assert marks(splits) == [(100, 10.9), (200, 21.3), (300, 32.1), (400, 43.6)]


def test_splits_string_of_50m_marks_in_a_200(roster):
    # 3 values, 200 / 4 = 50 m
    _, splits, _ = clean([{"event": "200", "final": "21.90", "splits": "5.9;11.0;16.2"}], roster)
    assert marks(splits) == [(50, 5.9), (100, 11.0), (150, 16.2), (200, 21.9)]


def test_segments_string_is_summed_into_cumulative_marks(roster):
    # 10.9, 10.9+10.4=21.3, 21.3+10.8=32.1, 32.1+11.5=43.6
    _, splits, rejects = clean([{"final": "43.60", "segments": "10.9/10.4/10.8/11.5"}], roster)
    assert rejects.empty
    assert marks(splits) == [(100, 10.9), (200, 21.3), (300, 32.1), (400, 43.6)]


def test_hand_timed_splits_get_the_same_offset_as_the_final(roster):
    # 23.4h -> 23.64; split 11.5 at 100 m (200 / (1 + 1)) -> 11.74
    races, splits, _ = clean([{"event": "200", "final": "23.4h", "splits": "11.5"}], roster)
    assert marks(splits) == [(100, 11.74), (200, 23.64)]
    assert races.loc[0, "timing"] == "hand"


def test_race_without_splits_has_its_finish_mark_and_dnf_has_none(roster):
    _, splits, _ = clean([{"final": "52.00"}, {"final": "DNF", "round": "heat"}], roster)
    assert marks(splits) == [(400, 52.0)]


def test_segments_within_tolerance_are_accepted_at_the_boundary(roster):
    # 13.70 + 13.75 = 27.45 vs hand 27.4: |diff| = 0.05 s, exactly the tolerance (float-safe)
    _, splits, rejects = clean(
        [{"event": "200", "final": "27.4h", "segments": "13.70/13.75"}], roster
    )
    assert rejects.empty
    assert marks(splits) == [(100, 13.94), (200, 27.64)]  # +0.24 on both marks
    _, _, rejects = clean([{"event": "200", "final": "27.4", "segments": "13.70/13.76"}], roster)
    assert rejects["reason"].tolist() == ["segments do not add up"]  # 0.06 s off


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"final": "56.00", "splits": "12.0/11.5/37.0"}, "splits do not increase"),
        ({"final": "52.34", "split_300": "55.0"}, "split after the finish"),
        ({"final": "52.34", "split_500": "60.0"}, "split beyond the finish"),
        ({"final": "52.34", "split_400": "53.0"}, "finish split differs from final"),
        ({"final": "52.34", "segments": "12/12/12/12"}, "segments do not add up"),  # 48 != 52.34
        ({"final": "52.34", "split_100": "5.0"}, "implausible segment velocity"),  # 20 m/s
        ({"final": "110.0", "split_100": "60.0"}, "implausible segment velocity"),  # 1.7 m/s
        ({"final": "52.00", "splits": "10/20"}, "splits do not fit event"),  # 400 / 3
        ({"final": "52.00", "splits": "ten/20"}, "unparseable splits"),
        ({"final": "52.00", "split_100": "abc"}, "unparseable split"),
        ({"final": "DNF", "splits": "12/25"}, "splits without final time"),
    ],
)
def test_bad_splits_keep_the_race_and_drop_its_splits(roster, row, reason):
    races, splits, rejects = clean([row], roster)
    assert len(races) == 1
    assert rejects["reason"].tolist() == [reason]
    assert rejects["kind"].tolist() == ["partial"]
    # only the finish mark (or nothing for a DNF) is left
    assert len(splits) == (races["status"] == "ok").sum()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"athlete": "Zed Unknown", "final": "50.00"}, "unknown athlete"),
        ({"final": "fast"}, "unparseable time"),
        ({"final": None}, "missing time"),
        ({"event": "200", "final": "15.2"}, "implausible time"),
        ({"event": "400", "final": "2:10.0"}, "implausible time"),
        ({"date": "31/02/2026", "final": "52.0"}, "invalid date"),
    ],
)
def test_bad_rows_are_rejected_with_a_short_reason(roster, row, reason):
    races, splits, rejects = clean([row], roster)
    assert races.empty and splits.empty
    assert rejects["reason"].tolist() == [reason]
    assert rejects["kind"].tolist() == ["rejected"]


def test_duplicate_in_second_file_names_the_kept_copy(roster):
    a = make_raw([{"final": "52.34", "round": "final"}], source="a.csv")
    b = make_raw([{"final": "52.40"}, {"final": "52.34", "round": "Final"}], source="b.csv")
    raw = pd.concat([a, b], ignore_index=True)
    races, _, rejects = clean_sprints(raw, roster, today=TODAY)
    assert len(races) == 2
    dup = rejects.loc[rejects["kind"] == "duplicate"]
    assert dup["value"].tolist() == ["same as a.csv row 2"]
    assert dup["source"].tolist() == ["b.csv"] and dup["source_row"].tolist() == [3]
    assert conserved(raw, races, rejects)


# --------------------------------------------------------------------------- ids, shapes


def test_race_id_is_readable_and_stable_under_row_order(roster):
    rows = [
        {"final": "52.34", "round": "heat"},
        {"final": "51.90", "round": "final"},
        {"athlete": "Bob Roy", "event": "200", "final": "22.10", "date": "2026-03-08"},
    ]
    races, _, _ = clean(rows, roster)
    races2, _, _ = clean(rows[::-1], roster)
    ids = dict(zip(races["round"].fillna(""), races["race_id"], strict=True))
    assert ids == {
        "final": "a1-20260307-400-1",
        "heat": "a1-20260307-400-2",
        "": "a2-20260308-200-1",
    }
    assert sorted(races["race_id"]) == sorted(races2["race_id"])
    assert dict(zip(races2["round"].fillna(""), races2["race_id"], strict=True)) == ids


def test_none_gives_empty_typed_tables(roster):
    races, splits, rejects = clean_sprints(None, roster)
    assert list(races.columns[: len(RACE_COLUMNS)]) == list(RACE_COLUMNS)
    assert dict(races.dtypes.astype(str).iloc[: len(RACE_COLUMNS)]) == RACE_COLUMNS
    assert list(splits.columns) == list(SPLIT_COLUMNS)
    assert list(rejects.columns) == list(REJECT_COLUMNS)
    assert races.empty and splits.empty and rejects.empty


def test_uncanonicalised_headers_are_accepted(roster):
    raw = pd.DataFrame(
        {
            "Name": ["Dee Nunez"],
            "Day": ["2026-03-07"],
            "Race": ["400m"],
            "Time": ["1:02.5"],
            "Split 200": ["30.1"],
        }
    ).astype("string")
    races, splits, rejects = clean_sprints(raw, roster, today=TODAY)
    assert rejects.empty
    assert races.loc[0, "athlete_id"] == "a3" and races.loc[0, "final_s"] == 62.5
    assert marks(splits) == [(200, 30.1), (400, 62.5)]


def test_pinned_columns_and_types(roster):
    races, splits, _ = clean([{"final": "52.34", "splits": "12/25/38"}], roster)
    assert dict(races.dtypes.astype(str).iloc[: len(RACE_COLUMNS)]) == RACE_COLUMNS
    assert dict(splits.dtypes.astype(str)) == SPLIT_COLUMNS


# --------------------------------------------------------------------------- fixture folder


def write_meet_xlsx(path: Path) -> None:
    """A results workbook as a coach keeps it: real dates and numbers, split columns."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Meet"
    ws.append(
        ["Athlete", "Date", "Event", "Result", "Round", "Split 100", "Split 200", "Split 300"]
    )
    ws.append(["Ann Lee", dt.datetime(2026, 3, 7), 400, 55.20, "final", None, None, None])
    ws.append(["Bob Roy", dt.datetime(2026, 4, 11), 400, 49.50, "final", 11.6, 23.5, 35.9])
    ws.append(["Dee Nunez", dt.datetime(2026, 4, 11), 200, 25.1, "final", 30, None, None])
    wb.save(path)


def test_results_fixture_reject_reasons(roster):
    from analysis.io import read_raw

    raw = read_raw(DATA / "results.csv", root=DATA)[0].frame
    races, splits, rejects = clean_sprints(raw, roster, today=TODAY)
    assert len(raw) == 12 and len(races) == 8
    got = dict(zip(rejects["source_row"], rejects["reason"], strict=True))
    assert got == {
        8: "unsupported event",
        9: "unknown athlete",
        10: "unparseable time",
        11: "implausible time",
        12: "splits do not increase",
        13: "segments do not add up",
    }
    assert conserved(raw, races, rejects)
    # "Roy, Bob" 22.9h with one split 11.3 -> 100 m mark 11.54, finish 23.14
    bob = races.loc[(races["athlete_id"] == "a2") & (races["date"] == "2026-03-07"), "race_id"]
    assert marks(splits.loc[splits["race_id"] == bob.iloc[0]]) == [(100, 11.54), (200, 23.14)]


def _dataset_ready() -> bool:
    try:
        from analysis.catalog import load_catalog  # noqa: F401
        from analysis.logs import clean_training_log

        clean_training_log(None, load_roster(pd.read_csv(DATA / "athletes.csv", dtype="string")))
    except (ImportError, NotImplementedError, TypeError):
        return False
    return True


@pytest.mark.skipif(not _dataset_ready(), reason="training-log cleaner not landed yet")
def test_load_dataset_reconciles_csv_and_xlsx(tmp_path):
    import analysis as hf

    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    write_meet_xlsx(folder / "results_meet.xlsx")
    ds = hf.load_dataset(folder, today=TODAY)
    rec = ds.reconciliation.set_index("source")
    assert rec.loc[
        "results.csv", ["rows_read", "clean", "rejected", "duplicates", "partial"]
    ].tolist() == [12, 8, 4, 0, 2]
    x = rec.loc["results_meet.xlsx#Meet"]
    assert [x["rows_read"], x["clean"], x["rejected"], x["duplicates"], x["partial"]] == [
        3,
        2,
        0,
        1,
        1,
    ]
    assert rec["balanced"].all()
    dup = ds.rejects.loc[ds.rejects["kind"] == "duplicate", "value"].tolist()
    assert dup == ["same as results.csv row 2"]
    fat = ds.fatigue.set_index("race_id")
    # Bob Roy 49.50 with 23.5 at 200 m: (49.50 - 23.5) - 23.5 = 2.5
    assert fat.loc["a2-20260411-400-1", "differential_s"] == pytest.approx(2.5)


# --------------------------------------------------------------------------- hypothesis

_TOKENS = st.sampled_from(
    [
        "",
        "52.34",
        "0:52.34",
        "1:02.5",
        "23.4h",
        "DNF",
        "DQ",
        "x",
        "-1",
        "1e9",
        "200",
        "400 m",
        "100m",
        "+1.2",
        "NWI",
        "10.9/21.3/32.1",
        "12/12/12/12",
        "5/4/3",
        "hand",
        "FAT",
        "2026-03-07",
        "03/04/2026",
        "Ann Lee",
        "Bob Roy",
        "Zed",
        "nan",
        "0",
        "99999",
        ":",
        "1:",
        "h",
        "//",
        "1.2.3",
    ]
)
_CELL = st.one_of(_TOKENS, st.text(max_size=8))
_COLS = [
    "athlete",
    "date",
    "event",
    "final",
    "wind",
    "timing",
    "splits",
    "segments",
    "split_100",
    "split_200",
    "round",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({c: _CELL for c in _COLS}), min_size=1, max_size=8))
def test_any_input_gives_dataerror_or_conserved_rows(rows):
    roster = load_roster(pd.read_csv(DATA / "athletes.csv", dtype="string"))
    raw = make_raw(rows)
    raw = raw.mask(raw == "")
    try:
        races, splits, rejects = clean_sprints(raw, roster, today=TODAY)
    except DataError:
        return
    assert conserved(raw, races, rejects)
    assert set(splits["race_id"]) <= set(races["race_id"])
    assert races["race_id"].is_unique
    partial = rejects.loc[rejects["kind"] == "partial", ["source", "source_row"]]
    kept = set(zip(races["source"], races["source_row"], strict=True))
    assert set(zip(partial["source"], partial["source_row"], strict=True)) <= kept
