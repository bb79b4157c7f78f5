"""Figures of the coach's season (analysis.plots.season) and PB/SB on the fade chart."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from helpers import bar_heights

import analysis as hf
from analysis import plots
from analysis.season import race_context
from analysis.volume import exercise_progression, session_variety

DATA = Path(__file__).parent / "data" / "season"


@pytest.fixture(scope="module")
def ds():
    return hf.load_dataset(DATA)


def test_adherence_chart_bars_labels_and_quiet_weeks(ds):
    fig, ax = plt.subplots()
    assert plots.plot_plan_adherence(hf.plan_adherence(ds), "S1", ax=ax, who="Ana") is ax
    heights = sorted(round(h, 1) for h in bar_heights(ax))
    # 5 planned + 5 done bars: 373.5, 373.5, 433.5, 433.5, 180 | 373.5, 135, 441, 0, 90
    assert heights == sorted([373.5, 373.5, 433.5, 433.5, 180.0, 373.5, 135.0, 441.0, 0.0, 90.0])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["100%", "36%", "102%", "50%"]  # the quiet week has a × instead
    assert "nothing logged that week" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Ana" in ax.get_title()
    plt.close(fig)


def test_progression_lines_and_ramp(ds):
    prog = exercise_progression(ds.log)
    a = prog.loc[(prog["athlete_id"] == "S1") & (prog["exercise"] == "a_skip")]
    # A's per week: 60, 30, 120, 0 (nothing logged), 90: ramp -50 %, +300 %, -100 %, NA
    assert a["hf_reps"].tolist() == [60.0, 30.0, 120.0, 0.0, 90.0]
    assert a["ramp_pct"].tolist()[1:4] == [-50.0, 300.0, -100.0]
    assert pd.isna(a["ramp_pct"].iloc[0]) and pd.isna(a["ramp_pct"].iloc[4])
    fig, (ax1, ax2) = plt.subplots(2)
    plots.plot_progression(
        ds.log, "S1", ax=ax1, exercise_names={"a_skip": "Running A's"}, smooth_weeks=1,
        max_exercises=20,
    )  # fmt: skip
    hf_ex = ds.log.loc[(ds.log["athlete_id"] == "S1") & (ds.log["family"] == "hip_flexor")]
    assert len(ax1.get_lines()) == hf_ex["exercise"].nunique()
    a_line = next(ln for ln in ax1.get_lines() if ln.get_label() == "Running A's")
    assert list(a_line.get_ydata()) == [60.0, 30.0, 120.0, 0.0, 90.0]
    assert "Running A's" in [t.get_text() for t in ax1.get_legend().get_texts()]
    plots.plot_progression(ds.log, "S1", ax=ax2, max_exercises=2)
    assert len(ax2.get_lines()) == 2 and "not drawn" in ax2.texts[-1].get_text()
    fig2, ax3 = plt.subplots()
    plots.plot_ramp(ds.log, "S1", ax=ax3)
    plt.close(fig2)

    plt.close(fig)


def test_session_variety(ds):
    v = session_variety(ds.log).set_index(["athlete_id", "date"])["hf_exercises"]
    assert v[("S1", pd.Timestamp("2026-03-03"))] == 7  # the article's seven, lunge stretch aside
    assert v[("M1", pd.Timestamp("2026-03-11"))] == 2  # A's logged twice counts once


def test_fade_chart_marks_pb_and_sb(ds):
    fig, ax = plt.subplots()
    fat = ds.fatigue.loc[ds.fatigue["athlete_id"] == "S1"]
    plots.plot_fatigue_trend(fat, bests=race_context(ds.races), ax=ax)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "PB" in labels and "SB (not PB)" in labels
    plt.close(fig)
