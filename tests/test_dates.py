"""Date parsing: every accepted form, per-file day/month inference, range checks."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers import TODAY_SEASON_END as TODAY
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import DataError
from analysis.dates import parse_dates


def parse(values, **kw):
    kw.setdefault("today", TODAY)
    return parse_dates(pd.Series(values, dtype="string"), **kw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-04", "2026-03-04"),
        ("2026-03-04 00:00:00", "2026-03-04"),  # how openpyxl cells arrive as text
        ("2026/3/4", "2026-03-04"),
        ("4 Mar 2026", "2026-03-04"),
        ("4-Mar-26", "2026-03-04"),
        ("4th March 2026", "2026-03-04"),
        ("March 4, 2026", "2026-03-04"),
        ("Mar 4 2026", "2026-03-04"),
        ("45720", "2025-03-04"),  # Excel serial: 1899-12-30 + 45720 days
        ("45720.0", "2025-03-04"),
        ("45720.5", "2025-03-04"),  # noon of that day: the date part
        ("45720.999988", "2025-03-04"),  # 23:59:59
        ("25/03/2026", "2026-03-25"),  # unambiguous day-first
        ("03/25/2026", "2026-03-25"),  # unambiguous month-first
        ("25.03.2026", "2026-03-25"),
        ("25-03-26", "2026-03-25"),
    ],
)
def test_each_accepted_form_parses_to_the_hand_checked_date(raw, expected):
    dates, reasons = parse([raw])
    assert reasons.isna().all()
    assert dates.iloc[0] == pd.Timestamp(expected)


def test_ambiguous_dates_follow_the_unambiguous_ones_of_the_same_file():
    values = ["04/03/2026", "25/03/2026", "04/03/2026", "01/02/2026", "03/25/2026"]
    sources = ["a.csv", "a.csv", "b.csv", "b.csv", "b.csv"]
    dates, _ = parse(values, sources=pd.Series(sources))
    # a.csv is day-first (25/03), b.csv month-first (03/25)
    assert list(dates.dt.strftime("%Y-%m-%d")) == [
        "2026-03-04",
        "2026-03-25",
        "2026-04-03",
        "2026-01-02",
        "2026-03-25",
    ]


def test_all_ambiguous_file_uses_the_setting_default_day_first():
    dates, _ = parse(["04/03/2026"])
    assert dates.iloc[0] == pd.Timestamp("2026-03-04")
    dates, _ = parse(["04/03/2026"], dayfirst=False)
    assert dates.iloc[0] == pd.Timestamp("2026-04-03")


def test_a_file_whose_dates_contradict_each_other_is_an_error_naming_rows():
    values = pd.Series(["25/03/2026", "01/01/2026", "03/26/2026"], dtype="string")
    with pytest.raises(DataError) as err:
        parse_dates(
            values, sources=pd.Series(["log.csv"] * 3), rows=pd.Series([2, 3, 4]), today=TODAY
        )
    msg = str(err.value)
    assert msg.startswith("log.csv")
    assert "row 2" in msg and "row 4" in msg and "\n" not in msg


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "missing date"),
        ("yesterday", "unparseable date"),
        ("31/02/2026", "invalid date"),
        ("32/13/2026", "invalid date"),
        ("1949-12-31", "date before 1950"),
        ("2026-11-25", "date in the future"),
        ("Foo 4 2026", "unparseable date"),
    ],
)
def test_bad_dates_are_rejected_with_a_reason(raw, reason):
    dates, reasons = parse([raw])
    assert pd.isna(dates.iloc[0])
    assert reasons.iloc[0] == reason


def test_earliest_and_column_can_be_set_for_other_date_columns():
    dates, reasons = parse(["1948-07-01"], earliest=dt.date(1900, 1, 1))
    assert dates.iloc[0] == pd.Timestamp("1948-07-01") and reasons.isna().all()
    _, reasons = parse(["1899-12-31"], earliest=dt.date(1900, 1, 1))
    assert reasons.iloc[0] == "date before 1900"
    with pytest.raises(DataError, match="column 'birth_date'"):
        parse(["25/03/2004", "03/25/2004"], column="birth_date")


def test_each_distinct_value_is_parsed_once(monkeypatch):
    import analysis.dates as mod

    calls = []
    real = mod._parse_one
    monkeypatch.setattr(mod, "_parse_one", lambda s: calls.append(s) or real(s))
    parse(["2026-03-04"] * 1000 + ["4 Mar 2026"] * 1000)
    assert sorted(calls) == ["2026-03-04", "4 Mar 2026"]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=20), st.dates().map(str)), max_size=30))
def test_any_text_yields_a_date_or_a_reason_never_another_exception(values):
    try:
        dates, reasons = parse(values)
    except DataError:
        return
    assert len(dates) == len(reasons) == len(values)
    assert (dates.notna() ^ reasons.notna()).all()


@settings(max_examples=examples(100), deadline=None)
@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=TODAY),
    st.sampled_from(["%Y-%m-%d", "%d %b %Y", "%B %d, %Y", "%Y/%m/%d"]),
)
def test_unambiguous_formats_round_trip(day, fmt):
    dates, _ = parse([day.strftime(fmt)])
    assert dates.iloc[0] == pd.Timestamp(day)


def test_a_date_cell_of_accents_alone_is_unparseable_not_a_crash():
    _, reasons = parse_dates(pd.Series(["\u00a8", "\u0308", "2026-03-02"], dtype="string"))
    assert list(reasons[:2]) == ["unparseable date", "unparseable date"]
