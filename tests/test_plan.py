"""The coach's plan (analysis.plan): the article's program as a plan file, exact adherence.

Fixture ``tests/data/season``: a hand-written plan the way a coach keeps it (``Week of``,
``Group``, ``Drill``, ``Sets x Reps``, ``Per week``, ``Build by``, ``Every``, ``Up to``,
day-first dates) holding the article's seven hip-flexor exercises with its prescriptions,
the A's progression from 3 × 10 m to 3 × 50 m, and lunge stretch and foam rolling as
mobility; three athletes (a 400 m and a 200 m squad, one masters athlete named by an
alias) whose logs were written by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import analysis as hf
from analysis.io import read_raw
from analysis.plan import is_plan_file, load_plan

DATA = Path(__file__).parent / "data" / "season"

# Per planned session, counted as the log counts (docs/architecture.md hf_reps): A's 1 rep per metre;
# "each leg" doubles; 3x25-30 is 27.5 per set; a bilateral raise counts once; mobility 0.
CABLE, BOX, LYING, SE, HKR, IBLR, HLR = 60.0, 82.5, 60.0, 45.0, 36.0, 30.0, 24.0
ALL = LYING + SE + HKR + IBLR  # the "All" rows: 171


def a_skips(week: int) -> float:
    """Planned A's per week: 3 x (10 + 10 per 2 weeks, up to 50) m, twice a week."""
    return 2 * 3 * min(10 + 10 * (week // 2), 50)


@pytest.fixture(scope="module")
def ds():
    return hf.load_dataset(DATA)


def test_plan_file_is_recognised_and_not_a_log(ds):
    assert is_plan_file("plan.csv") and is_plan_file("Plan.XLSX") and not is_plan_file("plans.csv")
    assert "plan.csv" not in set(ds.log["source"])
    rec = ds.reconciliation.set_index("source").loc["plan.csv"]
    assert rec["table"] == "plan"
    assert (rec["rows_read"], rec["clean"], rec["rejected"]) == (12, 10, 2)
    assert rec["balanced"]
    assert "plan.csv" not in set(ds.skipped["source"])


def test_plan_rows_that_cannot_be_taken_are_rejects_with_row_and_reason(ds):
    rej = ds.rejects.loc[ds.rejects["table"] == "plan"]
    got = sorted(zip(rej["source_row"], rej["column"], rej["value"], rej["reason"], strict=True))
    assert got == [
        (12, "squad", "800", "no athlete in this squad"),
        (13, "prescription", "lots", "unparseable prescription"),
    ]


def test_the_articles_progression_builds_from_3x10m_to_3x50m(ds):
    a = ds.plan.loc[(ds.plan["athlete_id"] == "S1") & (ds.plan["exercise"] == "a_skip")]
    assert a["week"].dt.day_of_week.eq(0).all()  # Mondays
    assert list(a["prescription"]) == ["3 x 10 m", "3 x 10 m", "3x20m", "3x20m", "3x30m",
                                       "3x30m", "3x40m", "3x40m", "3x50m", "3x50m"]  # fmt: skip
    assert list(a["planned_hf_reps"]) == [a_skips(k) for k in range(10)]
    assert a["week"].iloc[-1] == pd.Timestamp("2026-05-04")


def test_planned_reps_per_week_exactly(ds):
    weekly = ds.plan.groupby(["athlete_id", "week"])["planned_hf_reps"].sum()
    for k, monday in enumerate(pd.date_range("2026-03-02", periods=4, freq="7D")):
        assert weekly[("S1", monday)] == a_skips(k) + CABLE + BOX + ALL
        assert weekly[("S2", monday)] == ALL  # the 200 squad gets the "All" rows only
        # the masters athlete: her squad's rows, the "All" rows and her own (by alias)
        assert weekly[("M1", monday)] == a_skips(k) + CABLE + BOX + ALL + HLR
    mobility = ds.plan.loc[ds.plan["family"] == "mobility"]
    assert set(mobility["exercise"]) == {"lunge_stretch", "foam_rolling"}
    assert (mobility["planned_hf_reps"] == 0).all()


def test_adherence_exactly():
    ad = hf.plan_adherence(hf.load_dataset(DATA)).set_index(["athlete_id", "week"])
    s1 = ad.loc["S1"]
    w = pd.Timestamp
    # week 1 done as planned (A's on two days, everything else once)
    assert s1.loc[w("2026-03-02"), "planned_hf_reps"] == 373.5
    assert s1.loc[w("2026-03-02"), "done_hf_reps"] == 373.5
    assert s1.loc[w("2026-03-02"), "adherence_pct"] == 100.0
    assert s1.loc[w("2026-03-02"), ["planned_sessions", "done_sessions"]].tolist() == [2, 2]
    # week 2: one A's session, cable KD, spread eagles: 30 + 60 + 45 of 373.5
    assert s1.loc[w("2026-03-09"), "done_hf_reps"] == 135.0
    assert s1.loc[w("2026-03-09"), "adherence_pct"] == pytest.approx(135 / 373.5 * 100, abs=1e-12)
    # week 3: A's at 20 m, box 3x30 rather than 3x25-30: more than planned
    assert s1.loc[w("2026-03-16"), "planned_hf_reps"] == 433.5
    assert s1.loc[w("2026-03-16"), "done_hf_reps"] == 441.0
    # week 4: nothing logged at all: 0 %, and days_logged says nothing was written down
    assert s1.loc[w("2026-03-23"), ["done_hf_reps", "adherence_pct", "days_logged"]].tolist() == [
        0.0, 0.0, 0]  # fmt: skip
    # week 5: A's only in the plan (3x30m twice); one session done
    assert s1.loc[w("2026-03-30"), ["planned_hf_reps", "done_hf_reps", "adherence_pct"]].tolist() == [
        180.0, 90.0, 50.0]  # fmt: skip
    # weeks after the data's last logged day (1 April) are not due yet
    assert s1.index.max() == w("2026-03-30")
    s2 = ad.loc["S2"]
    assert s2["planned_hf_reps"].tolist() == [ALL] * 4
    assert s2["done_hf_reps"].tolist() == [171.0, 36.0, 0.0, 0.0]
    m1 = ad.loc["M1"]
    assert m1.loc[w("2026-03-09"), "done_hf_reps"] == 84.0  # A's twice + HLR
    assert m1.loc[w("2026-03-09"), "planned_hf_reps"] == 60 + CABLE + BOX + ALL + HLR


def test_adherence_columns_pinned_and_empty_without_plan(tmp_path):
    for f in ("athletes.csv", "logs"):
        src = DATA / f
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / f)
    ad = hf.plan_adherence(hf.load_dataset(tmp_path))
    assert list(ad.columns)[:5] == [
        "athlete_id", "week", "planned_hf_reps", "done_hf_reps", "adherence_pct"]  # fmt: skip
    assert len(ad) == 0


def test_plan_xlsx_with_date_and_athlete_rows(tmp_path):
    """A plan workbook with day dates and athlete rows reads like the CSV."""
    for f in ("athletes.csv", "logs"):
        src = DATA / f
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / f)
    plan = pd.DataFrame(
        {
            "Date": ["2026-03-03", "2026-03-05", "2026-03-10"],
            "Athlete": ["Ana Silva", "Ana Silva", "Silva, Ana"],
            "Exercise": ["A-skips", "cable knee drive", "HLR"],
            "Prescription": ["3x20m", "3 sets of 10 each leg", "10/10/8"],
        }
    )
    plan.to_excel(tmp_path / "plan.xlsx", index=False, sheet_name="Block 1")
    ds = hf.load_dataset(tmp_path)
    got = ds.plan[["athlete_id", "week", "exercise", "planned_hf_reps"]]
    assert got.to_numpy().tolist() == [
        ["S1", pd.Timestamp("2026-03-02"), "a_skip", 60.0],
        ["S1", pd.Timestamp("2026-03-02"), "cable_knee_drive", 60.0],
        ["S1", pd.Timestamp("2026-03-09"), "hanging_leg_raise", 28.0],
    ]
    ad = hf.plan_adherence(ds).set_index("week")
    week1 = ad.loc[pd.Timestamp("2026-03-02")]
    assert (week1["planned_hf_reps"], week1["done_hf_reps"]) == (120.0, 373.5)  # she did more
    assert week1["adherence_pct"] == pytest.approx(373.5 / 120 * 100, abs=1e-12)
    assert "plan.xlsx#Block 1" in set(ds.reconciliation["source"])


def test_step_with_another_unit_than_the_prescription_is_rejected():
    roster = pd.DataFrame({"athlete_id": ["a"], "name": ["A"], "squad": ["400"]}).astype("string")
    from analysis.io import RawTable

    frame = pd.DataFrame(
        {"week": ["2026-03-02"], "until": ["2026-03-30"], "squad": ["all"], "exercise": ["A's"],
         "prescription": ["3x10m"], "step": ["5 reps"], "source": ["plan.csv"], "source_row": [2]}
    ).astype("string")  # fmt: skip
    plan, rej = load_plan([RawTable("plan.csv", frame)], roster)
    assert len(plan) == 0
    assert rej[["column", "reason"]].to_numpy().tolist() == [
        ["step", "step/cap unit differs from the prescription's (m)"]]  # fmt: skip


def test_read_raw_of_the_fixture_plan_is_all_text():
    (t,) = read_raw(DATA / "plan.csv", root=DATA)
    assert len(t.frame) == 12


def test_inspect_says_the_plan_is_the_plan():
    from analysis.ingest.inspect import inspect_folder

    text, _ = inspect_folder(DATA)
    block = text.split("plan.csv", 1)[1].split("\n\n", 1)[0]
    assert "reads as: the coach's plan, 12 data rows" in block
    assert "training log" not in block
