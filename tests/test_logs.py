"""clean_training_log: dates, names, plausibility, hf_reps, conservation (property test).

Complements tests/test_clean_log.py (the lead's); expected values hand-checked in comments.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import TODAY_SPRING as TODAY
from hypothesis import given
from hypothesis import strategies as st

import analysis as hf
from analysis.errors import DataError
from analysis.logs import clean_training_log
from analysis.names import load_roster

ROSTER = load_roster(
    pd.DataFrame(
        {
            "athlete_id": ["A1", "A2"],
            "name": ["Deirdre Nuñez", "Tom Baker"],
            "aliases": ["Dee Nunez", ""],
        }
    ).astype("string")
)
BASE = {"athlete": "A1", "date": "2026-03-04", "exercise": "HLR", "prescription": "3x10"}


def frame(rows: list[dict], source: str = "log.csv") -> pd.DataFrame:
    df = pd.DataFrame(rows).astype("string")
    return df.assign(source=source, source_row=range(2, len(df) + 2))


def run(rows: list[dict], source: str = "log.csv"):
    return clean_training_log(frame(rows, source), ROSTER, today=TODAY)


@pytest.mark.parametrize("text", ["2026-03-04", "04/03/2026", "4 Mar 2026", "46085"])
def test_each_date_form_reads_4_march_2026(text: str) -> None:
    # 46085 = Excel serial: days since 1899-12-30 -> 2026-03-04
    c, rej = run([{**BASE, "date": text}])
    assert len(rej) == 0
    assert c["date"].iloc[0] == pd.Timestamp("2026-03-04")


def test_month_first_inferred_from_a_day_over_12_in_the_file() -> None:
    # 03/25/2026 can only be month-first, so 03/04/2026 in the same file is 4 March
    c, _ = run([{**BASE, "date": "03/25/2026"}, {**BASE, "date": "03/04/2026"}])
    got = c.set_index("source_row")["date"]
    assert got.loc[2] == pd.Timestamp("2026-03-25")
    assert got.loc[3] == pd.Timestamp("2026-03-04")


def test_contradictory_dates_in_one_file_raise_naming_rows() -> None:
    # 25/03 is day-first, 03/25 month-first: no single order fits the file
    with pytest.raises(DataError) as ei:
        run([{**BASE, "date": "25/03/2026"}, {**BASE, "date": "03/25/2026"}])
    assert "log.csv" in str(ei.value)
    assert "\n" not in str(ei.value)


@pytest.mark.parametrize(
    "spelling", ["A1", "Deirdre Nuñez", "Nuñez, Deirdre", "Dee Nunez", "deirdre nunez"]
)
def test_athlete_by_id_name_last_first_alias_accents(spelling: str) -> None:
    c, rej = run([{**BASE, "athlete": spelling}])
    assert len(rej) == 0
    assert c["athlete_id"].tolist() == ["A1"]


# ---------------------------------------------------------------- messy folder, load_dataset
MESSY = Path(__file__).parent / "data" / "logs" / "messy"


def _messy(tmp_path: Path) -> Path:
    d = tmp_path / "messy"
    shutil.copytree(MESSY, d)
    with pd.ExcelWriter(d / "gym.xlsx", engine="openpyxl") as w:
        pd.DataFrame(
            {
                "Athlete": ["Tom Baker", "Zed"],
                "Date": ["4 Mar 2026", "4 Mar 2026"],
                "Exercise": ["cable KD", "HLR"],
                "Prescription": ["3x8 each leg @ 10kg", "3x10"],
            }
        ).to_excel(w, sheet_name="Week 1", index=False)
        pd.DataFrame(
            {
                "Athlete": ["A1"],
                "Date": ["2026-03-05"],
                "Exercise": ["lunge stretch"],
                "Prescription": ["2x30s"],
            }
        ).to_excel(w, sheet_name="Week 2", index=False)
        pd.DataFrame({"Item": ["bands"], "Cost": [12]}).to_excel(
            w, sheet_name="Budget", index=False
        )
    return d


def test_messy_folder_clean_table_and_rejects_exactly(tmp_path: Path) -> None:
    ds = hf.load_dataset(_messy(tmp_path), today=TODAY)
    cols = ["athlete_id", "date", "exercise", "sets", "reps", "distance_m", "load_kg", "hf_reps"]
    got = ds.log.sort_values(["source", "source_row"])
    ts = pd.Timestamp
    na = pd.NA
    assert got[[*cols, "source", "source_row"]].astype(object).to_numpy().tolist() == [
        # coach_b.csv (semicolons, day-first: 25/03 fixes the order): A's 3x20 m -> 60
        ["A1", ts("2026-03-02"), "a_skip", 3, na, 20.0, na, 60.0, "coach_b.csv", 2],
        # 2 x 12 bilateral -> 24
        ["A2", ts("2026-03-25"), "hanging_knee_raise", 2, 12.0, na, na, 24.0, "coach_b.csv", 3],
        # "Baker, Tom": box knee drives 3x10 each leg -> 60 (row 6 repeats it in ONE file: kept)
        ["A2", ts("2026-03-02"), "box_knee_drive", 3, 10.0, na, na, 60.0, "coach_log.csv", 3],
        ["A2", ts("2026-03-02"), "box_knee_drive", 3, 10.0, na, na, 60.0, "coach_log.csv", 6],
        # cable KD 3x8 each leg @ 10 kg -> 48
        ["A2", ts("2026-03-04"), "cable_knee_drive", 3, 8.0, na, 10.0, 48.0, "gym.xlsx#Week 1", 2],
        # mobility -> 0
        ["A1", ts("2026-03-05"), "lunge_stretch", 2, na, na, na, 0.0, "gym.xlsx#Week 2", 2],
    ]
    rej = ds.rejects.sort_values(["source", "source_row"])
    rcols = ["source", "source_row", "column", "reason", "kind", "athlete_id"]
    assert rej[rcols].astype(object).to_numpy().tolist() == [
        ["coach_b.csv", 4, "reps", "implausible reps", "rejected", "A2"],
        ["coach_log.csv", 2, "", "duplicate entry", "duplicate", "A1"],
        ["coach_log.csv", 4, "athlete", "unknown athlete", "rejected", na],
        ["coach_log.csv", 5, "prescription", "unparseable prescription", "rejected", "A2"],
        ["gym.xlsx#Week 1", 3, "athlete", "unknown athlete", "rejected", na],
    ]
    assert rej["value"].iloc[1] == "same as coach_b.csv row 2"
    rec = ds.reconciliation.set_index("source")
    assert rec["rows_read"].to_dict() == {
        "coach_b.csv": 3,
        "coach_log.csv": 5,
        "gym.xlsx#Week 1": 2,
        "gym.xlsx#Week 2": 1,
    }
    assert rec["balanced"].all()
    assert ds.skipped["source"].tolist() == ["gym.xlsx#Budget"]


def test_weight_column_in_pounds_is_converted() -> None:
    rows = [
        {**BASE, "Weight (lbs)": "45"},  # 45 lb = 20.41 kg
        {**BASE, "Weight (lbs)": "20 kg"},  # a unit in the cell is that unit
        {**BASE, "Weight (lbs)": "BW"},
    ]
    clean, rej = run(rows)
    assert rej.empty
    assert clean["load_kg"].round(2).tolist() == [20.41, 20.0, 0.0]
    # 30 reps x 20.4117 kg = 612.35
    assert clean["hf_load_kg"].round(2).tolist() == [612.35, 600.0, 0.0]


def test_unused_log_columns_are_named_in_a_warning() -> None:
    with pytest.warns(hf.DataWarning, match="'coach'"):
        clean, _ = run([{**BASE, "coach": "Anna"}])
    assert len(clean) == 1


@given(
    st.lists(
        st.tuples(*(st.integers(0, 2**b - 1) for b in (9, 15, 3, 20))), min_size=0, max_size=60
    ),
    st.booleans(),
)
def test_sort_order_is_a_stable_lexsort(rows: list[tuple[int, ...]], wide: bool) -> None:
    from analysis.logs.columnar import sort_order

    keys = [np.array([r[i] for r in rows], dtype=np.int64) for i in range(4)]
    if wide:  # more than 64 bits together: the lexsort fallback
        keys.append(np.array([2**40 + r[0] for r in rows], dtype=np.int64))
    if not rows:
        keys = [np.zeros(0, dtype=np.int64)] * 4
    assert sort_order(*keys).tolist() == np.lexsort(keys[::-1]).tolist()


def test_rows_given_out_of_file_order_come_out_sorted_by_athlete_date_file_row() -> None:
    rows = [
        {**BASE, "prescription": "3x10"},
        {**BASE, "prescription": "3x11"},
        {**BASE, "prescription": "3x12"},
        {**BASE, "athlete": "A2", "date": "2026-03-01", "prescription": "3x13"},
    ]
    shuffled = frame(rows).iloc[[2, 3, 0, 1]]  # rows 4, 5, 2, 3
    clean, _ = clean_training_log(shuffled, ROSTER, today=TODAY)
    assert clean["source_row"].tolist() == [2, 3, 4, 5]
    assert clean["reps"].tolist() == [10, 11, 12, 13]


@given(
    st.lists(st.tuples(st.integers(0, 2**9 - 1), st.integers(0, 2**10 - 1)), max_size=80),
)
def test_sort_order_of_keys_fitting_32_bits_is_a_stable_lexsort(rows) -> None:
    # athlete rank (9 bits) and day (10 bits): the usual key, packed into 32 bits
    from analysis.logs.columnar import sort_order

    keys = [np.array([r[i] for r in rows], dtype=np.int64) for i in range(2)]
    assert sort_order(*keys).tolist() == np.lexsort(keys[::-1]).tolist()


@given(
    st.lists(
        st.tuples(st.integers(0, 2**9 - 1), st.integers(0, 2**10 - 1), st.booleans()),
        max_size=80,
    ),
    st.booleans(),
)
def test_sort_rows_orders_the_kept_rows_as_a_stable_lexsort(rows, wide: bool) -> None:
    # keys looked up in small tables by code, as the cleaner sorts the kept rows
    from analysis.logs.columnar import sort_rows

    codes = np.arange(len(rows)) % 7
    tables = [np.zeros(7, dtype=np.int64), np.zeros(7, dtype=np.int64)]
    for i, r in enumerate(rows):  # one table slot per code: the last row of a code wins
        tables[0][codes[i]], tables[1][codes[i]] = r[0], r[1]
    if wide:  # more than 64 bits together: the lexsort fallback
        tables[0] = tables[0] + 2**50
    kept = np.flatnonzero([r[2] for r in rows]).astype(np.int64)
    keys = [t[codes[kept]] for t in tables]
    expected = kept[np.lexsort(keys[::-1])] if len(kept) else kept
    assert sort_rows(kept, *((t, codes) for t in tables)).tolist() == expected.tolist()


_TEXTS = st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["A017", "A018", "ñé"]))


@given(st.lists(_TEXTS, min_size=1, max_size=6), st.data())
def test_strings_from_codes_equal_the_values_taken_one_by_one(values, data) -> None:
    # covers both builders: an Arrow take, and the fixed-width gather (equal byte lengths)
    from analysis.logs.columnar import text_column as _strings

    codes = np.array(
        data.draw(st.lists(st.integers(-1, len(values) - 1), max_size=30)), dtype=np.int64
    )
    got = _strings(np.array(values, dtype=object), codes)
    got.array._pa_array.validate(full=True)
    expected = [pd.NA if c < 0 or values[c] is None else values[c] for c in codes]
    assert str(got.dtype) == "string"
    assert got.tolist() == expected


def test_fixed_width_strings_behave_like_any_string_column() -> None:
    from analysis.logs.columnar import text_column as _strings

    s = _strings(np.array(["A1", "B2", None], dtype=object), np.array([0, 2, -1, 1, 0]))
    assert s.str.lower().tolist() == ["a1", pd.NA, pd.NA, "b2", "a1"]
    assert s.isna().tolist() == [False, True, True, False, False]
    assert s.value_counts().to_dict() == {"A1": 2, "B2": 1}


def _large_log(n: int = 120_000) -> pd.DataFrame:
    """A log long enough for the thread pool (100,000 rows or more), with bad rows."""
    rng = np.random.default_rng(1)
    pick = lambda values: np.asarray(values, dtype=object)[rng.integers(0, len(values), n)]  # noqa: E731
    df = pd.DataFrame(
        {
            "athlete": pick(["A1", "Dee Nunez", "Baker, Tom", "Zed"]),
            "date": pick(["2026-03-04", "05/03/2026", "31/02/2026", "2026-04-01"]),
            "exercise": pick(["HLR", "A's", "KD", "stir the pot", "lunge stretch"]),
            "prescription": pick(["3x10", "3 x 20 m", "3x12 each leg", "lots", "2x30s", None]),
            "notes": pick([None, None, "ok"]),
        }
    ).astype("string")
    return df.assign(source="log.csv", source_row=np.arange(2, n + 2))


def test_a_large_log_cleans_the_same_on_threads_as_inline(monkeypatch) -> None:
    import contextlib

    import analysis.logs.clean as logs

    df = _large_log()
    threaded = clean_training_log(df.astype({"athlete": "category"}), ROSTER, today=TODAY)
    monkeypatch.setattr(logs, "_executor", lambda n: contextlib.nullcontext(logs._Inline()))
    inline = clean_training_log(df, ROSTER, today=TODAY)
    pd.testing.assert_frame_equal(threaded[0], inline[0])
    pd.testing.assert_frame_equal(threaded[1], inline[1])
    assert len(inline[0]) + (inline[1]["kind"] == "rejected").sum() == len(df)


def test_a_data_error_on_the_thread_pool_reaches_the_caller_as_it_is() -> None:
    df = _large_log()
    df.loc[7, "date"] = "03/25/2026"  # month-first, against 05/03... being read day-first
    df.loc[9, "date"] = "25/03/2026"
    with pytest.raises(DataError, match="contradict") as ei:
        clean_training_log(df, ROSTER, today=TODAY)
    assert "log.csv" in str(ei.value) and "\n" not in str(ei.value)
