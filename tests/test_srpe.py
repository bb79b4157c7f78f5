"""Session RPE (Foster 2001): the log carries RPE and minutes; race_features sums them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis as hf
from analysis.srpe import parse_minutes, parse_rpe, session_load

DATA = Path(__file__).parent / "data" / "season"


@pytest.fixture(scope="module")
def ds():
    return hf.load_dataset(DATA)


def test_clean_log_carries_rpe_and_minutes_and_names_unreadable_cells(ds):
    log = ds.log
    assert str(log["rpe"].dtype) == "Float64" and str(log["session_min"].dtype) == "Float64"
    first = log.loc[(log["athlete_id"] == "S1") & (log["date"] == "2026-03-03")]
    assert first["rpe"].tolist()[0] == 6 and first["session_min"].tolist()[0] == 75
    assert first["rpe"].iloc[1:].isna().all()  # written on the session's first row only
    bad = ds.rejects.loc[ds.rejects["column"] == "rpe"]
    assert bad[["source", "source_row", "value", "kind", "athlete_id"]].to_numpy().tolist() == [
        ["logs/gym.csv", 12, "x", "partial", "M1"]]  # fmt: skip
    assert ds.reconciliation.set_index("source").loc["logs/gym.csv", "clean"] == 11


def test_a_log_without_rpe_has_na_columns():
    raw = pd.DataFrame({"athlete": ["A"], "date": ["2026-03-02"], "exercise": ["HLR"],
                        "prescription": ["3x10"]}).astype("string")  # fmt: skip
    roster = pd.DataFrame({"athlete_id": ["A"], "name": ["A"]}).astype("string")
    log, _ = hf.clean_training_log(raw, roster)
    assert log["rpe"].isna().all() and log["session_min"].isna().all()


def test_session_load_once_per_session_or_per_entry(ds):
    sl = session_load(ds.log).set_index(["athlete_id", "date"])["srpe_load"]
    assert sl[("S1", pd.Timestamp("2026-03-03"))] == 6 * 75  # first row only
    assert sl[("S2", pd.Timestamp("2026-03-04"))] == 5 * 60  # repeated on 4 rows: once
    assert pd.isna(sl[("M1", pd.Timestamp("2026-03-18"))])  # RPE unreadable: unknown, not 0
    per_entry = pd.DataFrame(
        {"athlete_id": ["a", "a"], "date": pd.to_datetime(["2026-03-02"] * 2),
         "rpe": pd.array([5, 8], dtype="Float64"),
         "session_min": pd.array([20, 30], dtype="Float64")}
    )  # fmt: skip
    assert session_load(per_entry)["srpe_load"].tolist() == [5 * 20 + 8 * 30]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("60", 60), ("60 min", 60), ("45'", 45), ("1:15", 75), ("1h30", 90), ("1 h", 60),
     ("0", np.nan), ("700", np.nan), ("long", np.nan)],
)  # fmt: skip
def test_parse_minutes(text, minutes):
    got = parse_minutes(text)
    assert (np.isnan(got) and np.isnan(minutes)) or got == minutes


@given(st.text(max_size=8))
def test_parse_rpe_never_raises_and_stays_in_range(text):
    v = parse_rpe(text)
    assert np.isnan(v) or 0 <= v <= 10


def test_race_features_srpe_and_variety_windows(ds):
    r = hf.race_features(ds.log, ds.races, windows=(7, 14)).set_index(["athlete_id", "date"])
    race = r.loc[("S1", pd.Timestamp("2026-03-21"))]
    # 7 days before 21 March: sessions on 17 (7 hip-flexor exercises) and 19 March (A's)
    assert race["hf_variety_7d"] == (7 + 1) / 2
    assert race["srpe_load_7d"] == 8 * 80 + 6 * 45
    # 14 days: 10 March (3 exercises) too
    assert race["hf_variety_14d"] == pytest.approx((3 + 7 + 1) / 3)
    assert race["srpe_load_14d"] == 7 * 60 + 8 * 80 + 6 * 45
    quiet = r.loc[("S1", pd.Timestamp("2026-03-28"))]  # nothing logged 21-27 March
    assert pd.isna(quiet["hf_variety_7d"]) and quiet["srpe_load_7d"] == 0
    m1 = r.loc[("M1", pd.Timestamp("2026-03-14"))]  # 7-13 March: one session, 3 rows at 7 x 50
    assert (m1["srpe_load_7d"], m1["hf_variety_7d"], m1["srpe_unknown_days_7d"]) == (350, 2, 0)
