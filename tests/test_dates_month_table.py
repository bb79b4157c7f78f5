"""One month table (issue 23): a title, a header or a sheet name reads a month as a cell does.

``ingest/layout.py`` and ``dates.py`` had drifted apart (``fev``, ``mrt``, ``abr`` parsed in
cells, not in titles). Both now read :data:`analysis.dates.MONTHS`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.dates import MONTHS, parse_dates
from analysis.ingest.days import Day, find_date
from analysis.ingest.layout import SheetReader


def _cell(text: str) -> dt.date:
    dates, reasons = parse_dates(pd.Series([text], dtype="string"), today=dt.date(2030, 1, 1))
    assert reasons.isna().all(), (text, reasons.tolist())
    return dates.iloc[0].date()


@pytest.mark.parametrize("name", sorted(MONTHS))
def test_every_month_name_reads_alike_in_a_title_and_in_a_cell(name: str) -> None:
    title = find_date(f"Semana 3 {name} 2026")
    assert title == Day(2026, MONTHS[name], 3)
    assert _cell(f"3 {name} 2026") == dt.date(2026, MONTHS[name], 3)


@pytest.mark.parametrize(
    ("title", "cell", "expected"),
    [
        ("Semana 3 abr 2026", "3 abr 2026", dt.date(2026, 4, 3)),
        ("Week of 2 mrt 2026", "2 mrt 2026", dt.date(2026, 3, 2)),
        ("Semaine du 2 fév 2026", "2 fév 2026", dt.date(2026, 2, 2)),
    ],
)
def test_the_drifted_spellings_read_the_same_in_a_title_and_a_cell(
    title: str, cell: str, expected: dt.date
) -> None:
    day = find_date(title)
    assert day is not None and day.on(day.year) == expected
    assert _cell(cell) == expected


def test_a_grid_titled_with_a_dutch_month_gets_its_week_start() -> None:
    rows = [
        (1, ["Week of 2 mrt 2026"]),
        (2, ["Exercise", "Mon", "Tue", "Wed"]),
        (3, ["A skips", "3x10", None, "2x20m"]),
    ]
    reader = SheetReader("grid.csv", rows, file_stem="Ada Okafor", sheet=None)
    assert reader.layout.kind == "grid"
    assert (reader.layout.week_start, reader.layout.week_from) == (
        "2026-03-02",
        "week-commencing cell",
    )
    frame = reader.parse().frame
    assert frame["date"].tolist() == ["2026-03-02", "2026-03-04"]
