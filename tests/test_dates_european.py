"""Dates as European clubs and meet headings write them (weekdays, month names)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.dates import parse_dates


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Sat 25 Apr 2026", "2026-04-25"),
        ("Saturday, April 25, 2026", "2026-04-25"),
        ("Samstag, 25. April 2026", "2026-04-25"),
        ("25. März 2026", "2026-03-25"),
        ("25. Mrz. 2026", "2026-03-25"),
        ("1er août 2026", "2026-08-01"),
        ("samedi 2 mai 2026", "2026-05-02"),
        ("25 de abril de 2026", "2026-04-25"),
        ("sabato 25 aprile 2026", "2026-04-25"),
        ("25 mei 2026", "2026-05-25"),
        ("lördag 25 april 2026", "2026-04-25"),
        ("3 okt 2025", "2025-10-03"),
        ("25.04.2026", "2026-04-25"),
    ],
)
def test_european_and_heading_dates(text: str, iso: str) -> None:
    d, r = parse_dates(pd.Series([text], dtype="string"), today=dt.date(2026, 9, 1))
    assert r.isna().all(), r.iloc[0]
    assert d.iloc[0].date().isoformat() == iso


@pytest.mark.parametrize("text", ["Sat", "25 Blah 2026", "Samstag"])
def test_non_dates_stay_unparseable(text: str) -> None:
    _, r = parse_dates(pd.Series([text], dtype="string"), today=dt.date(2026, 9, 1))
    assert r.iloc[0] == "unparseable date"
