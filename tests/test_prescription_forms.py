"""The prescription forms coaches write beyond the basic grammar (issue 11), and its laws."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.prescription import (
    NO_REPS,
    UNREAD_WORDS,
    UNREADABLE_LOAD,
    Prescription,
    combine,
    parse_load,
    parse_prescription,
)


def fields(p: Prescription) -> tuple:
    return (p.sets, p.reps, p.distance_m, p.duration_s, p.load_kg, p.load_kind, p.per_leg,
            p.error, p.warning)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a pair per set: the two numbers add up (10 left + 10 right = 20 hip flexions)
        ("2x(10+10)", (2, 20.0, None, None, None, None, False, None, None)),
        ("2 x (10 + 8)", (2, 18.0, None, None, None, None, False, None, None)),
        ("3x(5+5) @ 10kg", (3, 10.0, None, None, 10.0, "kg", False, None, None)),
        # L/R, L+R, left and right: the reps are per leg
        ("3x10 L/R", (3, 10.0, None, None, None, None, True, None, None)),
        ("3 x 12 L+R", (3, 12.0, None, None, None, None, True, None, None)),
        ("2x8 left & right", (2, 8.0, None, None, None, None, True, None, None)),
        # loads
        ("3x10 +5kg", (3, 10.0, None, None, 5.0, "kg", False, None, None)),
        ("3x10 BW+10kg", (3, 10.0, None, None, 10.0, "kg", False, None, None)),
        ("3x10 BW", (3, 10.0, None, None, 0.0, "bodyweight", False, None, None)),
        ("3x10 @ 2x10kg", (3, 10.0, None, None, 20.0, "kg", False, None, None)),  # 2 DBs
        ("3x10 10kg DB", (3, 10.0, None, None, 10.0, "kg", False, None, None)),  # one DB
        ("3x10 10kg DBs", (3, 10.0, None, None, 20.0, "kg", False, None, None)),  # a pair
        ("3x10 @ 8kg each hand", (3, 10.0, None, None, 16.0, "kg", False, None, None)),
        (
            "3x10 each leg @ 2.5kg ankle weight",
            (3, 10.0, None, None, 2.5, "kg", True, None, None),
        ),
        ("3x10 @ 20", (3, 10.0, None, None, 20.0, "kg", False, None, None)),  # bare: kg
        ("3x10 bands: green", (3, 10.0, None, None, None, "band", False, None, None)),
        ("3x10 band (green)", (3, 10.0, None, None, None, "band", False, None, None)),
        ("3x10 Band: Heavy", (3, 10.0, None, None, None, "band", False, None, None)),
        ("2x15 green mini band", (2, 15.0, None, None, None, "band", False, None, None)),
        # timed and EMOM
        ("3 x 30 sec", (3, None, None, 30.0, None, None, False, None, None)),
        ("3 x 30 s", (3, None, None, 30.0, None, None, False, None, None)),
        ("EMOM 10 min x 6", (10, 6.0, None, None, None, None, False, None, None)),
        ("8 reps EMOM 12", (12, 8.0, None, None, None, None, False, None, None)),
        ("EMOM 10 min", (10, None, None, None, None, None, False, None, NO_REPS)),
        # an unreadable load keeps the reps
        ("3x10 @ heavy", (3, 10.0, None, None, None, None, False, None, UNREADABLE_LOAD)),
        ("3x10 2 plates", (3, 10.0, None, None, None, None, False, None, UNREADABLE_LOAD)),
        ("4x8 @ 20kg/15kg", (4, 8.0, None, None, None, None, False, None, UNREADABLE_LOAD)),
        ("3x20m @ ???", (3, None, 20.0, None, None, None, False, None, UNREADABLE_LOAD)),
        # a readable volume followed by words keeps the volume
        ("2x30m build-ups", (2, None, 30.0, None, None, None, False, None, UNREAD_WORDS)),
        ("3 x 10 (5 sec hold)", (3, 10.0, None, None, None, None, False, None, UNREAD_WORDS)),
        ("3x10 slow @ 10kg", (3, 10.0, None, None, 10.0, "kg", False, None, UNREAD_WORDS)),
    ],
)
def test_new_prescription_forms(text: str, expected: tuple) -> None:
    assert fields(parse_prescription(text)) == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-3x10", "negative sets"),
        ("−3x10", "negative sets"),  # the Unicode minus sign
        ("-3 sets of 10", "negative sets"),
        ("3x-10", "negative reps"),
        ("3 sets of -10", "negative reps"),
        ("-10", "negative reps"),
        ("10,-10,8", "negative reps"),
        ("-30s", "negative duration"),
        ("3x-20m", "negative distance"),
        ("-3x10 @ heavy", "negative sets"),
        ("3x10 @ -5kg", None),  # a negative load is read; the cleaner rejects it
    ],
)
def test_a_leading_minus_is_a_reason_never_dropped(text: str, reason: str | None) -> None:
    p = parse_prescription(text)
    assert p.error == reason
    if reason is None:
        assert p.load_kg == -5.0


@pytest.mark.parametrize("text", ["lots", "a few hard ones", "3x", "x10", "3x10 2x5", "??"])
def test_text_without_a_readable_volume_stays_unparseable(text: str) -> None:
    assert parse_prescription(text).error == "unparseable prescription"


def test_ranges_are_not_negative() -> None:
    assert parse_prescription("3 x 25 - 30").reps == 27.5
    assert parse_prescription("3x25-30").reps == 27.5


@pytest.mark.parametrize(
    ("kwargs", "reason", "column"),
    [
        ({"sets": "-3", "reps": "10"}, "negative sets", "sets"),
        ({"sets": "3", "reps": "-10"}, "negative reps", "reps"),
        ({"sets": "3", "distance": "-10"}, "negative distance", "distance"),
        ({"sets": "3", "duration": "-30"}, "negative duration", "duration"),
    ],
)
def test_negative_columns_are_rejected_with_their_column(kwargs, reason, column) -> None:
    p, col = combine(**kwargs)
    assert (p.error, col) == (reason, column)


def test_an_unreadable_load_column_keeps_the_reps() -> None:
    p, col = combine(sets="3", reps="10", load="heavy-ish")
    assert (p.error, p.warning, col, p.sets, p.reps, p.load_kg) == (
        None, UNREADABLE_LOAD, "load", 3, 10.0, None)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kg", "kind"),
    [("BW+10kg", 10.0, "kg"), ("2x10kg", 20.0, "kg"), ("10kg DB", 10.0, "kg"),
     ("10 kg DBs", 20.0, "kg"), ("band (green)", None, "band"), ("bands: red", None, "band")],
)  # fmt: skip
def test_load_column_forms(text: str, kg: float | None, kind: str) -> None:
    p = parse_load(text)
    assert (p.error, p.load_kg, p.load_kind) == (None, kg, kind)


# ----------------------------------------------------------------------- laws (hypothesis)

_LEG = st.sampled_from(["", " each leg", " L/R", " per leg", " /leg"])
_LOAD = st.sampled_from(["", " @ 10kg", " +5kg", " BW", " band (green)", " @ 2x8kg"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_prescription_never_raises(text: str) -> None:
    p = parse_prescription(text)
    assert isinstance(p, Prescription)
    assert p.error is None or p.warning is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789x-+()@ kgLRsetofmbandEMO/,.", max_size=30))
def test_parse_prescription_never_raises_on_prescription_like_text(text: str) -> None:
    p = parse_prescription(text)
    if p.error is None:
        assert p.sets is not None and p.sets >= 0
        for v in (p.reps, p.distance_m, p.duration_s):
            assert v is None or v >= 0


@settings(max_examples=200, deadline=None)
@given(
    sets=st.integers(1, 20),
    reps=st.integers(1, 60),
    leg=_LEG,
    load=_LOAD,
    sep=st.sampled_from(["x", " x ", "X", "×", " sets of "]),
)
def test_written_prescriptions_round_trip(sets, reps, leg, load, sep) -> None:
    """Writing sets, reps, side and load the ways coaches do reads them back exactly."""
    p = parse_prescription(f"{sets}{sep}{reps}{leg}{load}")
    assert (p.error, p.warning, p.sets, p.reps, p.per_leg) == (None, None, sets, reps, bool(leg))
    expected_kg = {"": None, " @ 10kg": 10.0, " +5kg": 5.0, " BW": 0.0, " band (green)": None,
                   " @ 2x8kg": 16.0}[load]  # fmt: skip
    assert p.load_kg == expected_kg


@settings(max_examples=200, deadline=None)
@given(sets=st.integers(1, 20), a=st.integers(1, 30), b=st.integers(1, 30))
def test_pairs_round_trip_and_negatives_never_count(sets, a, b) -> None:
    p = parse_prescription(f"{sets}x({a}+{b})")
    assert (p.error, p.sets, p.reps) == (None, sets, a + b)
    assert parse_prescription(f"-{sets}x({a}+{b})").error == "negative sets"
    assert parse_prescription(f"-{sets}x{a}").error == "negative sets"
    assert parse_prescription(f"{sets}x-{a}").error == "negative reps"
