"""The attention list (analysis.attention) on hand-built squads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import analysis as hf
from analysis.attention import attention_list, attention_summary, write_attention_csv

DATA = Path(__file__).parent / "data" / "season"


def folder(tmp_path: Path, log: str, results: str) -> Path:
    (tmp_path / "athletes.csv").write_text(
        "athlete_id,name,sex,birth_date\nA,Ann Lee,F,2002-01-01\nB,Bo Ray,M,2001-01-01\n"
    )
    (tmp_path / "log.csv").write_text("Athlete,Date,Exercise,Sets x Reps\n" + log)
    (tmp_path / "results.csv").write_text("Athlete,Date,Event,Time,Splits\n" + results)
    return tmp_path


def test_fixture_squad_list():
    a = attention_list(hf.load_dataset(DATA))
    assert a[["athlete_id", "kind"]].to_numpy().tolist() == [
        ["S1", "volume_change"], ["M1", "no_log"], ["S2", "no_log"], ["S1", "new_pb"]]  # fmt: skip
    row = a.iloc[0]
    assert row["value"] == -100.0 and row["date"] == pd.Timestamp("2026-03-23")
    assert row["what"] == (
        "Week of 23 Mar 2026: down 100% on the week before (441 → 0 hip-flexion reps): "
        "nothing at all was logged that week."
    )
    assert a.loc[a["athlete_id"] == "M1", "value"].item() == 14  # 18 Mar to 1 Apr
    assert a.loc[a["kind"] == "new_pb", "what"].item() == (
        "New PB: 400 m in 55.20 s at County on 21 Mar 2026."
    )
    assert list(a["name"]) == ["Ana Silva", "Maria Ortega", "Ben Okafor", "Ana Silva"]


def test_thresholds_are_settings_and_arguments(monkeypatch):
    ds = hf.load_dataset(DATA)
    assert "no_log" not in set(attention_list(ds, no_log_days=30)["kind"])
    monkeypatch.setattr(hf.config, "ATTENTION_NO_LOG_DAYS", 15)
    assert attention_list(ds)["athlete_id"][attention_list(ds)["kind"] == "no_log"].tolist() == [
        "S2"
    ]
    # the week before (16 March, 441 reps) against 9 March (135): +227 %
    a = attention_list(ds, as_of="2026-03-22")
    vc = a.loc[a["kind"] == "volume_change"]
    assert vc["athlete_id"].tolist() == ["S1"]
    assert vc["value"].item() == pytest.approx((441 - 135) / 135 * 100)
    assert attention_list(ds, as_of="2026-03-22", volume_change_pct=300)["kind"].ne(
        "volume_change").all()  # fmt: skip


def test_small_weeks_are_not_spikes(tmp_path):
    log = "Ann Lee,2026-03-02,HLR,1x10\nAnn Lee,2026-03-09,HLR,3x10\nAnn Lee,2026-03-16,HLR,1x1\n"
    ds = hf.load_dataset(folder(tmp_path, log, "Ann Lee,2026-03-14,400,60.0,14/29/44\n"))
    assert "volume_change" not in set(attention_list(ds)["kind"])  # 10 -> 30 reps: below 100
    assert attention_list(ds, min_weekly_reps=20)["kind"].eq("volume_change").sum() == 1


def _weekly_400s(tmp_path, seconds):
    """Ann Lee's 400 m races a week apart: first half 27.0 s each, then these second halves."""
    res = "".join(
        f"Ann Lee,{pd.Timestamp('2026-04-04') + pd.Timedelta(weeks=i):%Y-%m-%d},400,"
        f"{27 + s:.2f},13.0/27.0/41.0\n"
        for i, s in enumerate(seconds)
    )
    log = "Ann Lee,2026-03-02,HLR,3x10\nAnn Lee,2026-05-10,HLR,3x10\n"
    return hf.load_dataset(folder(tmp_path, log, res))


def test_a_tenth_of_a_second_is_noise_not_a_worse_fade(tmp_path):
    # differentials 2.0, 2.1, 2.0 | 2.1, 2.2, 2.1: medians 2.0 and 2.1 — within the margin
    seconds = [29.0, 29.1, 29.0, 29.1, 29.2, 29.1]
    ds = _weekly_400s(tmp_path, seconds)
    assert attention_list(ds)["kind"].ne("fade_worse").all()
    assert attention_list(ds, fade_margin_s=0.0)["kind"].eq("fade_worse").sum() == 1


def test_fade_worse_in_the_last_three_races(tmp_path):
    # first half 27.0 each time; second halves 29.0, 29.2, 29.1 then 29.8, 30.0, 29.9
    seconds = [29.0, 29.2, 29.1, 29.8, 30.0, 29.9]
    ds = _weekly_400s(tmp_path, seconds)
    a = attention_list(ds)
    fade = a.loc[a["kind"] == "fade_worse"]
    assert len(fade) == 1
    # differentials 2.0, 2.2, 2.1 | 2.8, 3.0, 2.9: medians 2.1 and 2.9
    assert fade["value"].item() == pytest.approx(0.8)
    assert "median 2.90 s" in fade["what"].item() and "median 2.10 s" in fade["what"].item()
    assert attention_list(ds, fade_margin_s=1.0)["kind"].ne("fade_worse").all()
    # a roster athlete with no log at all is listed too
    assert a.loc[a["athlete_id"] == "B", "what"].tolist() == ["No training-log entries at all."]


@pytest.mark.slow  # long-running
def test_summary_paragraph_and_atomic_csv(tmp_path):
    a = attention_list(hf.load_dataset(DATA))
    text = attention_summary(a, "OUT/attention.csv")
    assert text == (
        "Attention: 4 items for 3 athletes (Ana Silva, Ben Okafor, Maria Ortega): 1 hip-flexor "
        "volume change, 2 not logging, 1 new PB. Details: OUT/attention.csv."
    )
    assert "\n" not in text and "\x1b" not in text
    path = write_attention_csv(a, tmp_path / "attention.csv")
    back = pd.read_csv(path)
    assert list(back.columns) == list(a.columns)
    assert back["date"].tolist()[:2] == ["2026-03-23", "2026-03-18"]
    assert not list(tmp_path.glob("*.tmp*"))
    empty = attention_list(hf.load_dataset(DATA), as_of="2026-03-05", no_log_days=99)
    assert attention_summary(empty.iloc[0:0]) == "Attention: nothing needs a look."
