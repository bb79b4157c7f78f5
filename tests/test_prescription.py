"""Prescription grammar of docs/architecture.md: each accepted form, separate columns, errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.prescription import combine, parse_load, parse_prescription

LB45 = 20.41165665  # 45 x 0.45359237


@pytest.mark.parametrize(
    ("text", "sets", "reps"),
    [
        ("3x10", 3, 10.0),
        ("3 x 10", 3, 10.0),
        ("3*10", 3, 10.0),
        ("3X10", 3, 10.0),
        ("3×10", 3, 10.0),
        ("3 sets of 10", 3, 10.0),
        ("3 sets of 10 reps", 3, 10.0),
        ("3x25-30", 3, 27.5),  # midpoint
        ("10,10,8", 3, 28 / 3),
        ("10/10/8", 3, 28 / 3),
        ("12", 1, 12.0),  # bare number: one set
    ],
)
def test_sets_and_reps_forms(text: str, sets: int, reps: float) -> None:
    p = parse_prescription(text)
    assert p.error is None
    assert p.sets == sets
    assert p.reps == pytest.approx(reps)


@pytest.mark.parametrize(
    ("text", "sets", "dist"),
    [
        ("3x10m", 3, 10.0),
        ("3 x 50 m", 3, 50.0),
        ("3 sets of 10 meters", 3, 10.0),
        ("3 sets of 10 metres", 3, 10.0),
    ],
)
def test_distance_forms(text: str, sets: int, dist: float) -> None:
    p = parse_prescription(text)
    assert (p.error, p.sets, p.distance_m) == (None, sets, pytest.approx(dist))


@pytest.mark.parametrize(
    ("text", "sets", "secs"),
    [("3x30s", 3, 30.0), ("2 x 30 sec", 2, 30.0), ("1x1min", 1, 60.0)],
)
def test_timed_forms(text: str, sets: int, secs: float) -> None:
    p = parse_prescription(text)
    assert (p.error, p.sets, p.duration_s) == (None, sets, pytest.approx(secs))


@pytest.mark.parametrize("suffix", ["each leg", "per leg", "/leg", "e/s", "each side"])
def test_per_leg_forms(suffix: str) -> None:
    p = parse_prescription(f"3x10 {suffix}")
    assert (p.error, p.sets, p.reps, p.per_leg) == (None, 3, 10.0, True)


def test_bilateral_is_not_per_leg() -> None:
    assert parse_prescription("3x10").per_leg is False


@pytest.mark.parametrize(
    ("text", "kg"),
    [("3x10 @ 20kg", 20.0), ("3x10 20 kg", 20.0), ("3x10 45lb", LB45), ("3x10 45 lbs", LB45)],
)
def test_load_forms(text: str, kg: float) -> None:
    p = parse_prescription(text)
    assert p.error is None
    assert p.load_kg == pytest.approx(kg, abs=1e-8)


def test_full_example_from_docstring() -> None:
    p = parse_prescription("3x25-30 each leg @ 45lb")
    assert (p.sets, p.reps, p.per_leg) == (3, 27.5, True)
    assert p.load_kg == pytest.approx(LB45, abs=1e-8)


@pytest.mark.parametrize("text", ["3x10 BW", "3x10 bodyweight"])
def test_bodyweight_is_zero_load(text: str) -> None:
    assert parse_prescription(text).load_kg == 0


@pytest.mark.parametrize("text", ["3x10 band", "3x10 red band"])
def test_band_has_no_kg(text: str) -> None:
    p = parse_prescription(text)
    assert p.error is None
    assert p.load_kg is None
    assert p.load_kind == "band"


@pytest.mark.parametrize(
    ("text", "kg"), [("20", 20.0), ("20kg", 20.0), ("45 lb", LB45), ("BW", 0.0)]
)
def test_parse_load_column(text: str, kg: float) -> None:
    assert parse_load(text).load_kg == pytest.approx(kg, abs=1e-8)


def test_parse_load_column_band_and_garbage() -> None:
    assert parse_load("band").load_kg is None
    assert parse_load("heavy-ish").error == "unparseable load"


def test_sets_column_with_reps_list_column() -> None:
    p, col = combine(sets="3", reps="10,10,8")
    assert col is None
    assert (p.sets, p.reps) == (3, pytest.approx(28 / 3))


def test_sets_reps_load_columns() -> None:
    p, col = combine(sets="3", reps="10", load="45 lb")
    assert col is None
    assert (p.sets, p.reps) == (3, 10.0)
    assert p.load_kg == pytest.approx(LB45, abs=1e-8)


def test_sets_column_fills_text_without_sets() -> None:
    p, col = combine(prescription="10 each leg", sets="3")
    assert col is None
    assert (p.sets, p.reps, p.per_leg) == (3, 10.0, True)


def test_distance_column() -> None:
    p, col = combine(sets="3", distance="20m")
    assert col is None
    assert (p.sets, p.distance_m) == (3, 20.0)


def test_sets_disagreeing_with_reps_list_is_error() -> None:
    p, col = combine(sets="4", reps="10,10,8")
    assert p.error is not None
    assert col is not None


@pytest.mark.parametrize("text", ["lots", "3x", "x10", "a few hard ones"])
def test_unparseable_prescription(text: str) -> None:
    assert parse_prescription(text).error == "unparseable prescription"


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, TEXT, TEXT, TEXT)
def test_never_raises_on_any_text(a: str, b: str, c: str, d: str, e: str) -> None:
    parse_prescription(a)
    parse_load(b)
    combine(prescription=a, sets=b, reps=c, distance=d, load=e)


@pytest.mark.slow  # long-running
@given(st.lists(st.sampled_from(["3x10", "2x5", None, "lots", " 3x10"]), min_size=1, max_size=20))
def test_entry_codes_of_a_category_column_group_rows_as_the_text_column_does(cells) -> None:
    import numpy as np
    import pandas as pd

    from analysis.prescription import parse_entry_codes

    text = pd.Series(cells, dtype="string")
    c1, t1 = parse_entry_codes({"prescription": text})
    c2, t2 = parse_entry_codes({"prescription": text.astype("category")})
    assert len(t1) == len(t2) == int(np.max(c1)) + 1 == int(np.max(c2)) + 1  # dense codes
    cols = ["sets", "reps", "error"]
    assert t1[cols].iloc[c1].astype(object).fillna(-1).to_numpy().tolist() == (
        t2[cols].iloc[c2].astype(object).fillna(-1).to_numpy().tolist()
    )
