"""Many small result files (a timing system writes one per heat) stack into the same table
``pandas.concat`` would give, in order, text as ``string`` — without its per-frame cost."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import folder_tables
from analysis.folder_tables import stack_results
from analysis.ingest.headers import LOG_SYNONYMS, RESULT_SYNONYMS, canonicalize_columns


def _heat(i: int, columns: tuple[str, ...]) -> pd.DataFrame:
    df = pd.DataFrame({c: [f"{c}{i}", None] for c in columns}, dtype=object)
    df["source_row"] = pd.array([1, 2], dtype="Int64")
    return df


def _reference(frames: list[pd.DataFrame]) -> pd.DataFrame:
    raw = pd.concat(frames, ignore_index=True)
    return raw.astype({c: "string" for c in raw.columns if raw[c].dtype == object})


@given(st.lists(st.sampled_from([("athlete", "final"), ("athlete", "event", "wind"),
                                 ("final", "athlete")]), min_size=1, max_size=12))  # fmt: skip
def test_small_frames_stack_as_pandas_concat_would(headers):
    frames = [_heat(i, h) for i, h in enumerate(headers)]
    pd.testing.assert_frame_equal(stack_results(frames), _reference(frames))


def test_a_large_frame_between_runs_of_small_ones_keeps_its_place(monkeypatch):
    monkeypatch.setattr(folder_tables, "SMALL_FRAME_ROWS", 2)
    big = pd.DataFrame({"athlete": [f"a{i}" for i in range(5)], "event": "400"}).astype("string")
    big["source_row"] = pd.array(range(1, 6), dtype="Int64")
    frames = [_heat(0, ("athlete", "final")), big, _heat(1, ("athlete", "wind")), _heat(2, ("x",))]
    out = stack_results(frames)
    pd.testing.assert_frame_equal(out, _reference(frames))
    assert out["athlete"].tolist()[:7] == ["athlete0", pd.NA, "a0", "a1", "a2", "a3", "a4"]


def test_no_frames_is_no_table():
    assert stack_results([]) is None


@pytest.mark.parametrize("synonyms", [LOG_SYNONYMS, RESULT_SYNONYMS])
def test_a_header_seen_again_is_renamed_the_same_and_tables_are_not_confused(synonyms):
    df = pd.DataFrame(columns=["Name", "Athlete", "Exercise", "Event", "Time", "Notes"])
    first = list(canonicalize_columns(df, synonyms).columns)
    assert list(canonicalize_columns(df.copy(), synonyms).columns) == first
    other = RESULT_SYNONYMS if synonyms is LOG_SYNONYMS else LOG_SYNONYMS
    assert list(canonicalize_columns(df, other).columns) != first
    assert list(df.columns) == ["Name", "Athlete", "Exercise", "Event", "Time", "Notes"]
