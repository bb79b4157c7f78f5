"""Issue 14 item 4: a leading minus is a reason, never dropped (training logs)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import TODAY_SPRING as TODAY

from analysis.logs import clean_training_log
from analysis.names import load_roster


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    return load_roster(pd.DataFrame({"athlete_id": ["A1"], "name": ["Ada Okafor"]}))


def log(**columns: list[str]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"athlete": ["Ada Okafor"] * n, "date": ["2026-03-02"] * n,
            "exercise": ["cable knee drives"] * n}  # fmt: skip
    df = pd.DataFrame({**base, **columns}).astype("string")
    return df.assign(source="log.csv", source_row=range(2, n + 2))


def test_negative_prescriptions_are_rejected_not_counted(roster) -> None:
    raw = log(prescription=["3x10", "-3x10", "-3 sets of 10", "-10", "3x-10", "−2x12"])
    clean, rejects = clean_training_log(raw, roster, today=TODAY)
    assert clean["hf_reps"].tolist() == [30.0]  # only the positive entry counts
    assert rejects[["source_row", "column", "value", "reason", "kind"]].to_numpy().tolist() == [
        [3, "prescription", "-3x10", "negative sets", "rejected"],
        [4, "prescription", "-3 sets of 10", "negative sets", "rejected"],
        [5, "prescription", "-10", "negative reps", "rejected"],
        [6, "prescription", "3x-10", "negative reps", "rejected"],
        [7, "prescription", "−2x12", "negative sets", "rejected"],
    ]


@pytest.mark.parametrize(
    ("columns", "column", "reason"),
    [
        ({"sets": ["3", "-3"], "reps": ["10", "10"]}, "sets", "negative sets"),
        ({"sets": ["3", "3"], "reps": ["10", "-10"]}, "reps", "negative reps"),
        ({"sets": ["3", "3"], "distance": ["20", "-20"]}, "distance", "negative distance"),
        ({"sets": ["3", "3"], "duration": ["30", "-30"]}, "duration", "negative duration"),
        ({"sets": ["3", "3"], "reps": ["10", "10"], "load": ["5", "-5"]}, "load",
         "negative load"),
    ],
)  # fmt: skip
def test_negative_columns_are_rejected_with_a_reason(roster, columns, column, reason) -> None:
    clean, rejects = clean_training_log(log(**columns), roster, today=TODAY)
    assert clean["source_row"].tolist() == [2]
    rejects = rejects.loc[rejects["kind"] == "rejected"]
    assert rejects[["source_row", "column", "reason", "kind"]].to_numpy().tolist() == [
        [3, column, reason, "rejected"]]  # fmt: skip
