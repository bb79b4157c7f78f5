"""The data-quality page's reconciliation table: in words, a week-per-sheet workbook rolled up
unless a sheet has a problem, and every count conserved."""

from __future__ import annotations

import pandas as pd

from analysis.reports.pages.quality import SHEETS_SHOWN, reconciliation_table, roll_up_sheets


def _rec(n_sheets: int, bad: int | None = None) -> pd.DataFrame:
    rows = []
    for i in range(1, n_sheets + 1):
        rejected = 2 if i == bad else 0
        rows.append((f"logs/weekly.xlsx#Week {i}", "log", "grid", 8, 4, 6 + rejected,
                     6, rejected, 0, 0, True))  # fmt: skip
    rows.append(("logs/coach.csv", "log", "table", 11, 1, 10, 9, 0, 1, 1, True))
    return pd.DataFrame(
        rows,
        columns=["source", "table", "layout", "raw_rows", "not_data", "rows_read", "clean",
                 "rejected", "duplicates", "partial", "balanced"],
    )  # fmt: skip


class _DS:
    def __init__(self, rec):
        self.reconciliation = rec


def test_a_clean_week_per_sheet_workbook_is_one_line_with_every_count_summed():
    rec = _rec(25)
    out = roll_up_sheets(rec)
    assert out["source"].tolist() == ["logs/weekly.xlsx (25 sheets)", "logs/coach.csv"]
    for c in ("raw_rows", "not_data", "rows_read", "clean", "rejected", "duplicates", "partial"):
        assert out[c].sum() == rec[c].sum(), c  # nothing lost in the roll-up
    assert out["balanced"].all()


def test_on_the_page_a_sheet_with_a_problem_keeps_its_own_line():
    rec = _rec(25, bad=7)
    page = roll_up_sheets(rec, keep_problem_sheets=True)
    assert page["source"].tolist() == [
        "logs/weekly.xlsx (24 other sheets, every row clean)",
        "logs/weekly.xlsx#Week 7",
        "logs/coach.csv",
    ]
    assert page["rejected"].tolist() == [0, 2, 0]
    assert page["rows_read"].sum() == rec["rows_read"].sum()
    terminal = roll_up_sheets(rec)  # the CLI's summary: one line per workbook, counts summed
    assert terminal["source"].tolist()[0] == "logs/weekly.xlsx (25 sheets)"
    assert terminal["rejected"].tolist()[0] == 2


def test_few_sheets_stay_as_they_are_and_an_unbalanced_sheet_unbalances_its_line():
    rec = _rec(SHEETS_SHOWN)
    assert roll_up_sheets(rec).equals(rec)
    rec = _rec(SHEETS_SHOWN + 1)
    rec.loc[2, "balanced"] = False
    out = roll_up_sheets(rec)
    assert not bool(out["balanced"].iloc[0]) and bool(out["balanced"].iloc[1])


def test_the_table_a_coach_reads_is_in_words():
    t = reconciliation_table(_DS(_rec(25, bad=3)))
    assert list(t.columns) == [
        "file (sheet)", "holds", "layout", "lines", "not data (header, titles, units, totals)",
        "entries read", "clean", "rejected", "duplicates", "kept, one value doubtful", "adds up",
    ]  # fmt: skip
    assert set(t["adds up"]) == {"yes"}
    assert not any("_" in c for c in t.columns)
