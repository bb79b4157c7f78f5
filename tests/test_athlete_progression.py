"""The athlete report's progression (issue 16): each exercise's weekly volume and the
week-to-week ramp, on the hand-built season fixture (``tests/data/season``)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from helpers import bar_heights

from analysis import reports as rp

DATA = Path(__file__).parent / "data" / "season"


@pytest.fixture(scope="module")
def rep():
    return rp.AthleteReport.build(str(DATA), "S1", event=400, window_days=28)


def test_ramp_table_is_the_weekly_total_and_its_change(rep):
    t = rep.ramp_table()
    # S1's weekly hip-flexion reps, summed by hand from the log (per leg doubled, A's
    # through reps per metre); the week of 23 March has nothing logged
    hf = rep.ds.log.loc[rep.ds.log["family"] == "hip_flexor"]
    by_week = hf.groupby(hf["date"].dt.to_period("W-SUN").dt.start_time)["hf_reps"].sum()
    assert t["week"].tolist() == list(pd.date_range("2026-03-02", periods=5, freq="7D"))
    assert t["hf_reps"].tolist() == [by_week.get(w, 0.0) for w in t["week"]]
    assert t["hf_reps"].tolist()[3] == 0.0
    r = t["ramp_pct"]
    reps = t["hf_reps"].tolist()
    assert pd.isna(r.iloc[0]) and pd.isna(r.iloc[4])  # first week; after a week at 0
    assert r.iloc[1] == pytest.approx((reps[1] - reps[0]) / reps[0] * 100)
    assert r.iloc[3] == -100.0


def test_ramp_in_words_and_as_a_chart(rep):
    t = rep.ramp_table()
    text = rep.ramp_text()
    up = t.loc[t["ramp_pct"].astype(float).idxmax()]
    assert text.startswith(f"Biggest rise on the week before: {float(up['ramp_pct']):+.0f}%")
    assert f"week of {up['week']:%d %b %Y}" in text and "biggest drop: -100%" in text
    assert "3 weeks of 3 changed by more than 50%" in text
    ax = rep.plot_ramp()
    bars = bar_heights(ax)
    assert bars == pytest.approx(t["ramp_pct"].dropna().astype(float).tolist())
    assert "ramp" in ax.get_title().lower() and "%" in ax.get_ylabel()
    ax2 = rep.plot_progression()
    assert len(ax2.get_lines()) >= 1 and "Progression of each exercise" in ax2.get_title()
    plt.close("all")


def test_an_athlete_with_one_week_has_no_ramp_and_says_so(tmp_path):
    import analysis as hf

    folder = tmp_path / "d"
    (folder / "logs").mkdir(parents=True)
    pd.DataFrame({"athlete_id": ["A1"], "name": ["Ana"]}).to_csv(
        folder / "athletes.csv", index=False
    )
    pd.DataFrame({"Athlete": ["A1"], "Date": ["2026-03-02"], "Exercise": ["Hanging knee raise"],
                  "Sets x Reps": ["3x10"]}).to_csv(folder / "logs" / "l.csv", index=False)  # fmt: skip
    one = rp.AthleteReport.from_dataset(hf.load_dataset(folder), "A1")
    assert one.ramp_table()["ramp_pct"].isna().all()
    assert "no week-to-week ramp yet" in one.ramp_text()


def test_athlete_notebook_shows_progression_and_ramp():
    nb = nbformat.read(rp.default_notebooks_dir() / "athlete_report.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "rep.plot_progression()" in code and "rep.plot_ramp()" in code
    assert "rep.ramp_text()" in code
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
