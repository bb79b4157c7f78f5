"""A weekly grid's data rows taken a run at a time equal the same rows read one by one.

:func:`analysis.ingest.grid._grid_entries` reads the rows that can only be data rows
a run at a time (numpy; a short run row by row as known data rows), and the others --
totals, headings, repeated headers, athlete headings, rows without entries, sum
formulas -- one at a time, as they change what the rows after them mean. The same
grids are read again with every row read one at a time (``_GridCells.special`` giving
every row): every table of :func:`analysis.load_dataset` must be identical, for grids
written at random as CSV and as a workbook (hypothesis).
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
import pytest
from helpers import TODAY, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis as hf
from analysis.ingest import grid as grid_module
from analysis.ingest.sheet import Layout, Parsed

ROSTER = "athlete_id,name\nA1,Ada Okafor\nA2,Ben Li\nA3,Mean Green\n"
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
NAMES = ["Ada Okafor", "Ben Li", "Mean Green", "Total", "Sum week 3", "Nobody Known", ""]
EXERCISES = ["A's", "High knees", "Box knee drives", "Hanging leg raises", ""]
CELLS = ["3x10", "2x20m", "3x10 @ 20kg", "=SUM(C3:C4)", "10", "lots", "", "", ""]
WEEKS = ["02/03/2026", "09/03/2026", "2026-03-16"]


@st.composite
def grid(draw) -> list[list[str]]:
    """A grid sheet: a week start, a header, then data rows mixed with every other kind."""
    athlete_col = draw(st.booleans())
    notes = draw(st.booleans())
    header = (["Athlete"] if athlete_col else []) + ["Exercise", *DAYS]
    header += ["Notes"] if notes else []
    rows = [["Week commencing", draw(st.sampled_from(WEEKS))], header]
    kinds = st.sampled_from(
        ["data"] * 8 + ["total", "header", "week", "name", "no entries", "sums", "days"]
    )
    for _ in range(draw(st.integers(1, 40))):
        kind = draw(kinds)
        if kind == "total":
            rows.append(["Total", *(draw(st.sampled_from(CELLS)) for _ in DAYS)])
        elif kind == "header":
            rows.append(list(header))
        elif kind == "week":
            rows.append(["Week commencing", draw(st.sampled_from(WEEKS))])
        elif kind == "name":
            rows.append([draw(st.sampled_from(NAMES))])
        elif kind == "no entries":
            rows.append([draw(st.sampled_from(NAMES)), draw(st.sampled_from(EXERCISES))])
        elif kind == "sums":
            rows.append(["=SUM(A1:A3)"] * draw(st.integers(1, 6)))
        elif kind == "days":
            rows.append(["Mon 02/03", "Tue 03/03", "Wed 04/03"])
        else:
            row = [draw(st.sampled_from(NAMES))] if athlete_col else []
            row.append(draw(st.sampled_from(EXERCISES)))
            row += [draw(st.sampled_from(CELLS)) for _ in DAYS]
            if notes:
                row.append(draw(st.sampled_from(["", "felt good", '=HYPERLINK("x")'])))
            if draw(st.integers(0, 9)) == 0:
                row.append("extra")
            rows.append(row)
    return rows


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    ds = hf.load_dataset(folder, today=TODAY)
    names = ["log", "rejects", "not_data", "skipped", "reconciliation"]
    return {name: getattr(ds, name) for name in names}


def _one_at_a_time(self, days):  # every row read on its own, as before the runs
    return list(range(len(self.codes)))


@pytest.mark.parametrize("as_workbook", [False, True], ids=["csv", "xlsx"])
@pytest.mark.parametrize("min_run", [1, grid_module._MIN_RUN], ids=["every-run", "long-runs"])
@settings(max_examples=examples(40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=grid())
def test_runs_equal_rows_read_one_at_a_time(
    tmp_path: Path, rows, as_workbook: bool, min_run: int
) -> None:
    """``min_run`` 1: every run of data rows, however short, taken with numpy; the
    default: short runs taken row by row as known data rows."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example (tmp_path is shared)
    (folder / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    if as_workbook:
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append([c or None for c in row])
        wb.save(folder / "grid.xlsx")
    else:
        with open(folder / "grid.csv", "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    with mock.patch.object(grid_module, "_MIN_RUN", min_run):
        runs = _tables(folder)
    with mock.patch.object(grid_module._GridCells, "special", _one_at_a_time):
        one_by_one = _tables(folder)
    for name, table in runs.items():
        pd.testing.assert_frame_equal(table, one_by_one[name], check_exact=True, obj=name)


def test_a_run_carries_the_athlete_down_and_skips_a_total() -> None:
    """The athlete column filled on the first row of a block is carried down the run; the
    total row in the middle is read on its own (a direct check of the run reading)."""

    class Reader:
        source = "g.csv"
        week = None
        dayfirst = True

        def __init__(self) -> None:
            self.header = ["Athlete", "Exercise", "Mon", "Tue"]
            self.ctx: dict = {}
            self.units: dict = {}
            self.days = {2: (0, None), 3: (1, None)}
            self.layout = Layout(source="g.csv", kind="grid")

        def is_athlete(self, name: str) -> bool:
            return name == "Ada Okafor"

    rows = [
        (3, ["Ada Okafor", "A's", "3x10", None]),
        (4, [None, "High knees", None, "2x20m"]),
        (5, ["Total", None, "3x10", "2x20m"]),
        (6, [None, "Box knee drives", "3x25", "3x25"]),
    ]
    cols = grid_module.GridColumns(athlete=0, exercise=1, notes=None, labels=frozenset({0, 1}))
    out = Parsed(layout=Layout(source="g.csv"), frame=None)
    entries, _, _ = grid_module._grid_entries(Reader(), cols, rows, out, lambda d, m: 2026, None)
    assert entries.column("athlete").tolist() == ["Ada Okafor"] * 4
    assert entries.column("source_row").tolist() == [3, 4, 6, 6]
    assert entries.column("prescription").tolist() == ["3x10", "2x20m", "3x25", "3x25"]
    assert entries.column("source").tolist() == ["g.csv!C", "g.csv!D", "g.csv!C", "g.csv!D"]
    assert [r for r, _, why in out.not_data] == [5]
