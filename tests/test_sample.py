"""The synthetic sample data set (``analysis.sample`` and ``hipflex sample``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import SAMPLE_TODAY as TODAY

from analysis.io import classify, iter_raw_files
from analysis.sample import Truth, generate, write_sample


@pytest.fixture(scope="module")
def sample_dir(sample_folder) -> Path:
    return sample_folder(athletes=6, seed=11, today=TODAY)


def _digest(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_sample(a, athletes=6, seed=5, today=TODAY)  # six: the coach layouts included
    write_sample(b, athletes=6, seed=5, today=TODAY)
    da, db = _digest(a), _digest(b)
    assert any(k.endswith(" weekly.xlsx") for k in da)
    assert da.keys() == db.keys()
    assert all(da[k] == db[k] for k in da), [k for k in da if da[k] != db[k]]


def test_different_seed_gives_different_data(tmp_path):
    write_sample(tmp_path / "a", athletes=4, seed=5, today=TODAY)
    write_sample(tmp_path / "b", athletes=4, seed=6, today=TODAY)
    a = (tmp_path / "a" / "logs" / "coach_a_2026.csv").read_bytes()
    b = (tmp_path / "b" / "logs" / "coach_a_2026.csv").read_bytes()
    assert a != b


def test_sizes_scale_with_athletes():
    small, t_small = generate(athletes=4, seed=3, today=TODAY)
    big, t_big = generate(athletes=16, seed=3, today=TODAY)
    assert len(small["athletes.csv"]) == 4
    assert len(big["athletes.csv"]) == 16
    assert t_big.faults["log_entries"] > 3 * t_small.faults["log_entries"]
    assert len(t_big.races) > 3 * len(t_small.races)
    assert set(pd.DataFrame(t_big.races)["athlete_id"]) == set(big["athletes.csv"]["athlete_id"])


def _roster(sample_dir: Path) -> pd.DataFrame:
    return pd.read_csv(sample_dir / "athletes.csv", dtype="string", keep_default_na=False)


def _lynx_files(sample_dir: Path) -> set[str]:
    """The FinishLynx heat files of a sample of six or more (analysis.sample.timing)."""
    return {str(p.relative_to(sample_dir)) for p in (sample_dir / "results").glob("*/*.lif")}


def _layout_files(sample_dir: Path) -> dict[str, str]:
    """The coach-layout files of a sample of six or more athletes, by what they hold."""
    r = _roster(sample_dir)
    meet = next(
        p.name for p in (sample_dir / "results").iterdir() if p.name.endswith(" results.csv")
    )
    return {
        "grid": f"logs/{r['name'].iloc[-1]} weekly.xlsx",  # the masters athlete's track log
        "export": "logs/gym_export.csv",  # the second athlete's gym sessions
        "european": f"logs/{r['name'].iloc[2]}.csv",  # the third athlete's gym sessions
        "meet": f"results/{meet}",
        "app": f"logs/{r['name'].iloc[3]}/strong.csv",  # the fourth athlete's Strong export
    }


def test_writes_the_expected_files(sample_dir):
    names = {str(p.relative_to(sample_dir)) for p in sample_dir.rglob("*") if p.is_file()}
    assert names == {
        "athletes.csv",
        "logs/coach_a_2026.csv",
        "logs/coach_b.csv",
        "logs/gym_sessions.xlsx",
        "plan.csv",
        "results/meets_2026.csv",
        "results/time_trials.xlsx",
        "injuries.csv",
        "logs/strength_sc.csv",
        "SYNTHETIC.md",
        "truth.json",
        *_layout_files(sample_dir).values(),
        *_lynx_files(sample_dir),
    }
    assert _layout_files(sample_dir)["meet"] == "results/Summer Series 2 results.csv"
    # a timing system's files: the second meet's heats, one .lif each, in a dated folder
    assert len(_lynx_files(sample_dir)) >= 3
    assert all(re.match(r"results/\d{4}-\d\d-\d\d Regional Championships/\d{3}-1-\d\d\.lif$", f)
               for f in _lynx_files(sample_dir))  # fmt: skip
    assert not [p for p in sample_dir.rglob(".*")], "temporary files left behind"


def test_small_rosters_keep_their_files_as_they_were(tmp_path):
    write_sample(tmp_path, athletes=5, seed=11, today=TODAY)
    names = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert len(names) == 11 and "logs/gym_export.csv" not in names


def test_raw_files_classify_as_roster_logs_and_results(sample_dir):
    from analysis.ingest import read_file

    kinds = {}
    for path in iter_raw_files(sample_dir):
        if path.name == "plan.csv":  # the coach's plan: load_dataset reads it by its name
            continue
        for sheet in read_file(path, sample_dir, categorical=False):
            frame = sheet.parse().frame
            kinds[sheet.layout.source] = classify(frame) if frame is not None else None
    files = _layout_files(sample_dir)
    weeks = {k: v for k, v in kinds.items() if k.startswith(files["grid"] + "#")}
    assert len(weeks) >= 20 and set(weeks.values()) == {"log"}
    assert {k: v for k, v in kinds.items() if k not in weeks} == {
        "athletes.csv": "athletes",
        "logs/coach_a_2026.csv": "log",
        "logs/coach_b.csv": "log",
        "logs/gym_sessions.xlsx#Jan-Apr": "log",
        "logs/gym_sessions.xlsx#May-Aug": "log",
        "logs/gym_sessions.xlsx#Notes": None,
        files["export"]: "log",
        files["european"]: "log",
        files["app"]: "log",
        "results/meets_2026.csv": "results",
        files["meet"]: "results",
        "results/time_trials.xlsx#Trials": "results",
        **dict.fromkeys(_lynx_files(sample_dir), "results"),
        "injuries.csv": None,  # health data: read as the injury log, never a log
        "logs/strength_sc.csv": "log",
    }


def test_roster_has_cohort_columns_and_the_accented_alias(sample_dir):
    roster = pd.read_csv(sample_dir / "athletes.csv", dtype="string")
    assert list(roster.columns) == [
        "athlete_id", "name", "sex", "birth_date", "squad", "program", "age_category", "aliases",
    ]  # fmt: skip
    first = roster.iloc[0]
    assert (first["name"], first["aliases"]) == ("Deirdre Nuñez", "Dee Nunez")
    assert set(roster["squad"]) == {"200", "400"}
    assert set(roster["program"]) == {"hf_emphasis", "standard"}
    assert set(roster["age_category"]) <= {"U20", "senior", "masters"}
    masters = roster.loc[roster["age_category"] == "masters"]
    assert len(masters) == 1 and masters["birth_date"].str.startswith("1975").all()
    assert roster["name"].is_unique and roster["athlete_id"].is_unique


def test_coach_files_use_their_own_date_order_and_forms(sample_dir):
    a = pd.read_csv(sample_dir / "logs/coach_a_2026.csv", dtype="string")
    b = pd.read_csv(sample_dir / "logs/coach_b.csv", dtype="string")
    assert list(a.columns) == ["Athlete", "Date", "Exercise", "Sets x Reps", "RPE", "Minutes",
                               "Notes"]  # fmt: skip
    assert list(b.columns) == ["Name", "Day", "Drill", "Prescription", "Session RPE",
                               "Duration (min)", "Comments"]  # fmt: skip
    # day first in coach A, month first in coach B, each unambiguous somewhere
    a_first = a["Date"].str.split("/").str[0].astype(int)
    b_second = b["Day"].str.split("/").str[1].astype(int)
    assert (a_first > 12).any() and (b_second > 12).any()
    assert b["Day"].str.split("/").str[0].astype(int).max() <= 12
    assert b["Name"].str.contains(", ").all()
    presc = a["Sets x Reps"]
    for pattern in (r"^\d+x\d+", r"\d+ x \d+ m$", r"each leg|per leg|/leg|e/s", r"band"):
        assert presc.str.contains(pattern, regex=True).any(), pattern
    assert {"stir the pot", "hurdle walkovers"} & (set(a["Exercise"]) | set(b["Drill"]))


def test_workbook_has_two_log_sheets_with_separate_columns_and_a_notes_sheet(sample_dir):
    book = pd.read_excel(sample_dir / "logs/gym_sessions.xlsx", sheet_name=None)
    assert list(book) == ["Jan-Apr", "May-Aug", "Notes"]
    assert list(book["Jan-Apr"].columns) == [
        "Athlete", "Date", "Exercise", "Sets", "Reps", "Load", "RPE", "Minutes", "Notes",
    ]  # fmt: skip
    assert pd.api.types.is_datetime64_any_dtype(book["Jan-Apr"]["Date"])
    assert "Exercise" not in book["Notes"].columns


def test_results_have_splits_wind_and_the_deliberate_faults(sample_dir):
    meets = pd.read_csv(sample_dir / "results/meets_2026.csv", dtype="string")
    assert {"split_100", "split_200", "split_300", "Wind", "Timing"} <= set(meets.columns)
    assert {"DNF", "DNS"} <= set(meets["Time"])
    assert "100m" in set(meets["Event"])
    four = meets[meets["Event"].str.startswith("400") & meets["split_300"].notna()]
    s = four[["split_100", "split_200", "split_300"]].astype(float)
    assert ((s["split_100"] < s["split_200"]) & (s["split_200"] < s["split_300"])).sum() == (
        len(four) - 1
    )  # exactly one race with non-increasing splits
    assert meets["Time"].str.match(r"^\d\d\.\d\d$").any()  # 52.34
    assert meets["Time"].str.match(r"^0:\d\d\.\d\d$").any()  # 0:52.34
    assert meets["Wind"].str.match(r"^[+-]\d\.\d$").any() and (meets["Wind"] == "NWI").any()
    trials = pd.read_excel(sample_dir / "results/time_trials.xlsx", dtype=str)
    hand = trials["Time"].str.endswith("h") | (trials["Timing"] == "hand")
    assert hand.all()
    assert trials["Splits"].str.contains("/").any()


def test_400m_splits_follow_a_realistic_profile():
    frames, _ = generate(athletes=8, seed=4, today=TODAY)
    m = frames["results/meets_2026.csv"]
    m = m[m["Event"].str.startswith("400") & (m["split_300"] != "")].iloc[:-1]
    final = m["Time"].str.replace("^0:", "", regex=True)
    mins = final.str.extract(r"^(\d+):(.*)$")
    t = np.where(mins[0].notna(), mins[0].astype(float) * 60 + mins[1].astype(float), 0.0)
    t = np.where(mins[0].notna(), t, pd.to_numeric(final, errors="coerce"))
    cum = np.column_stack([m[c].astype(float) for c in ("split_100", "split_200", "split_300")])
    seg = np.diff(np.column_stack([np.zeros(len(m)), cum, t]), axis=1)
    assert (seg[:, 1] < seg[:, 0]).mean() > 0.9  # 2nd 100 faster than the 1st
    assert (seg.argmax(axis=1) == 3).mean() > 0.9  # 4th 100 the slowest


def test_truth_json_and_synthetic_label(sample_dir):
    truth = json.loads((sample_dir / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 11 and truth["effect_per_100_reps"] == -0.08
    assert truth["window_days"] == 28
    assert set(truth["intercepts"]) == {f"A{i:02d}" for i in range(1, 7)}
    text = (sample_dir / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert text.startswith("# SYNTHETIC DATA")
    assert "seed\n**11**" in text or "seed **11**" in text
    assert "-0.08 s per 100 reps" in text


def test_generate_is_pure_and_returns_truth(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frames, truth = generate(athletes=3, seed=1, today=TODAY)
    assert isinstance(truth, Truth)
    assert list(tmp_path.iterdir()) == []
    assert "logs/gym_sessions.xlsx" in frames


def test_no_date_after_today():
    _, truth = generate(athletes=3, seed=1, today="2026-05-01")
    last = max(r["date"] for r in truth.races)
    assert last < "2026-05-01"


def test_true_volume_varies_within_athletes():
    _, truth = generate(athletes=12, seed=2026, today=TODAY)
    r = pd.DataFrame(truth.races)
    r4 = r[r["event_m"] == 400].assign(date=lambda d: pd.to_datetime(d["date"]))
    sd = r4.groupby("athlete_id")["volume"].std()
    # every athlete whose 400s are at least a week apart has volume that differs
    # between them (two races 3 days apart can share their 28-day window volume)
    spread = r4.groupby("athlete_id")["date"].agg(lambda d: (d.max() - d.min()).days)
    assert (sd[spread >= 7] > 0).all()
    assert (spread >= 7).mean() > 0.8
    assert sd.median() > 100  # reps in 28 days: enough within-athlete contrast


def test_cli_sample_writes_the_folder(tmp_path):
    out = tmp_path / "cli"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis.cli",
            "sample",
            str(out),
            "--athletes",
            "3",
            "--seed",
            "9",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "seed 9" in res.stdout and "3 athletes" in res.stdout
    assert len(pd.read_csv(out / "athletes.csv")) == 3
    assert json.loads((out / "truth.json").read_text())["seed"] == 9


@pytest.mark.slow  # long-running
def test_results_clean_with_the_expected_rejects_and_partials(sample_dir):
    import analysis as hf

    ds = hf.load_dataset(sample_dir, today=pd.Timestamp(TODAY).date())
    truth = json.loads((sample_dir / "truth.json").read_text(encoding="utf-8"))
    src = "results/meets_2026.csv"
    faults = {f["source_row"]: f for f in truth["faults"]["results"] if f["source"] == src}
    rejects = ds.rejects[ds.rejects["table"] == "races"]
    rejected = rejects.loc[rejects["kind"] == "rejected", "source_row"].astype(int).tolist()
    assert rejected == [r for r, f in faults.items() if f.get("reason") == "unsupported event"]
    partial = set(rejects.loc[rejects["kind"] == "partial", "source_row"].astype(int))
    assert {r for r, f in faults.items() if f.get("reason") == "splits do not increase"} <= partial
    assert set(rejects["source"]) == {src}
    # every true race plus the DNF, the DNS and the race with bad splits
    races = ds.races
    assert len(races) == len(truth["races"]) + 3
    assert set(races["status"]) == {"ok", "DNF", "DNS"}
    assert (races["timing"] == "hand").sum() == sum(r["hand"] for r in truth["races"])
    status = races.set_index("source_row").loc[lambda d: d["source"] == src, "status"]
    assert {r: status[r] for r, f in faults.items() if "status" in f} == {
        r: f["status"] for r, f in faults.items() if "status" in f
    }


def test_a_failed_write_leaves_the_previous_file_and_no_temporaries(tmp_path, monkeypatch):
    import analysis.sample.writers as sample

    write_sample(tmp_path, athletes=3, seed=1, today=TODAY)
    before = (tmp_path / "logs" / "gym_sessions.xlsx").read_bytes()

    def boom(path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(sample, "_normalise_xlsx", boom)
    with pytest.raises(OSError, match="disk full"):
        write_sample(tmp_path, athletes=3, seed=2, today=TODAY)
    assert (tmp_path / "logs" / "gym_sessions.xlsx").read_bytes() == before
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]


def test_generator_truth_is_self_consistent():
    """The per-race truth reproduces the documented model: β within, γ between."""
    from analysis import stats
    from analysis.sample.simulate import simulate as _simulate

    _, truth, entries = _simulate(
        athletes=12, seed=7, effect_per_100_reps=-0.08, window_days=28, season_start=None,
        weeks=30, today=TODAY, confounder_per_100_reps=0.15, noise_sd=0.25,
        races_per_athlete=(6, 10),
    )  # fmt: skip
    races = pd.DataFrame(truth.races).assign(date=lambda d: pd.to_datetime(d["date"]))
    # volume = hip-flexor reps of the 28 days before race day, from the clean entries
    hf_days = entries[entries["family"] == "hip_flexor"]
    r0 = races.iloc[0]
    in_window = (
        (hf_days["athlete_id"] == r0["athlete_id"])
        & (hf_days["date"] < r0["date"])
        & (hf_days["date"] >= r0["date"] - pd.Timedelta(days=28))
    )
    assert hf_days.loc[in_window, "hf_reps"].sum() == pytest.approx(r0["volume"])
    r4 = races[races["event_m"] == 400].assign(x=lambda d: d["volume"] / 100)
    mm = stats.mixed_model(r4, "differential_s", "x", "athlete_id", decompose=True)
    row = mm.set_index("term").loc["x_within"]
    assert row["ci_low"] <= -0.08 <= row["ci_high"]
    # the season-like parts are in the truth and in the data
    assert (truth.volume_ramp, truth.noise_ar1) == (0.6, 0.6)
    assert truth.season_trend_per_week == -0.02 and truth.slope_sd == 0.05
    slopes = pd.Series(truth.slopes)
    assert len(slopes) == 12 and slopes.std() > 0.02  # athletes differ
    # the squad's answer with the season adjusted covers the mean truth β
    res = stats.within_athlete_effect(r4, "x", "differential_s", "athlete_id", time="date")
    assert res.ci_low <= -0.08 <= res.ci_high
    assert res.n_subjects == 12


def test_sample_season_builds_volume_and_improves_the_fade():
    # volume is built up over the season and the fade improves for other reasons: with
    # no hip-flexor effect at all, the two still move together within athletes; the
    # within-athlete effect adjusted for the season does not take that for an effect.
    from analysis import stats

    _, truth = generate(athletes=30, seed=5, effect_per_100_reps=0.0, today=TODAY)
    r = pd.DataFrame(truth.races).assign(
        date=lambda d: pd.to_datetime(d["date"]), x=lambda d: d["volume"] / 100
    )
    r4 = r[r["event_m"] == 400]
    day = (r4["date"] - r4["date"].min()).dt.days
    assert np.corrcoef(day, r4["volume"])[0, 1] > 0.2  # more volume later in the season
    trend = stats.within_athlete_effect(r4.assign(day=day), "day", "differential_s", "athlete_id")
    assert trend.ci_high < 0  # the fade improves over the season
    naive = stats.rm_corr(r4, "x", "differential_s", "athlete_id")
    adjusted = stats.within_athlete_effect(r4, "x", "differential_s", "athlete_id", time="date")
    assert naive.r < 0 and naive.pvalue < 0.05  # the season trend looks like an effect
    assert adjusted.ci_low <= 0 <= adjusted.ci_high


def _lag1(truth: Truth) -> float:
    """Lag-1 correlation of each athlete's race noise in date order (all events, each
    race centred on the athlete's mean for its event and scaled by the event's σ)."""
    r = pd.DataFrame(truth.races).sort_values(["athlete_id", "date"])
    mean = r.groupby(["athlete_id", "event_m"])["differential_s"].transform("mean")
    z = (r["differential_s"] - mean) / np.where(r["event_m"] == 400, 0.25, 0.12)
    lag = z.groupby(r["athlete_id"]).shift()
    ok = lag.notna()
    return float(np.corrcoef(z[ok], lag[ok])[0, 1])


@pytest.mark.slow  # many seeds: a long-running statistical test
def test_sample_race_noise_is_autocorrelated_within_athletes():
    # rho = 0.6 in the truth; centring on ~4 races per athlete and event pulls the sample
    # lag-1 correlation down by about 0.2-0.3, the same for independent noise (below 0)
    quiet = dict(athletes=30, seed=9, effect_per_100_reps=0.0, slope_sd=0.0, today=TODAY)
    _, ar = generate(season_trend_per_week=0.0, **quiet)
    _, iid = generate(season_trend_per_week=0.0, noise_ar1=0.0, **quiet)
    assert ar.noise_ar1 == 0.6 and iid.noise_ar1 == 0.0
    assert _lag1(ar) > 0.25
    assert _lag1(iid) < 0.0
    assert _lag1(ar) - _lag1(iid) > 0.35


@pytest.mark.slow  # long-running
def test_the_coach_season_extras_clean_and_plan(sample_dir):
    """Plan file, session RPE and a masters athlete reach the clean tables."""
    import analysis as hf

    ds = hf.load_dataset(sample_dir)
    a = pd.read_csv(sample_dir / "logs/coach_a_2026.csv", dtype="string")
    # coach A writes RPE and minutes once per session (its first row): some rows blank
    assert a["RPE"].notna().any() and a["RPE"].isna().any()
    assert ds.log["rpe"].dropna().between(3, 9).all()
    # the S&C coach's strength log (posterior-chain work) keeps no session minutes
    coach_rows = ~ds.log["source"].astype("string").str.startswith("logs/strength_sc")
    assert ds.log.loc[coach_rows, "session_min"].notna().mean() > 0.5
    feats = hf.race_features(ds.log, ds.races)
    assert feats["srpe_load_28d"].notna().any() and feats["hf_variety_28d"].notna().any()
    assert set(ds.plan["exercise"]) >= {"a_skip", "box_knee_drive", "cable_knee_drive",
                                        "hanging_knee_raise", "lunge_stretch"}  # fmt: skip
    a_skip = ds.plan.loc[ds.plan["exercise"] == "a_skip", "prescription"]
    assert a_skip.iloc[0] == "3 x 10 m" and "3x50m" in set(a_skip)
    ad = hf.plan_adherence(ds)
    assert len(ad) and ad["adherence_pct"].notna().all()
    masters = ds.athletes.loc[ds.athletes["birth_date"].dt.year == 1975, "athlete_id"]
    assert len(masters) == 1
    assert (ds.races["athlete_id"] == masters.iloc[0]).any()


# ------------------------------------------------------------------ the coach layouts


def _rows(path: Path, sep: str = ",") -> list[list[str]]:
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter=sep))


def test_the_weekly_grid_workbook_holds_one_athletes_weeks(sample_dir):
    import openpyxl

    files = _layout_files(sample_dir)
    name = _roster(sample_dir)["name"].iloc[-1]
    wb = openpyxl.load_workbook(sample_dir / files["grid"], read_only=True)
    assert wb.sheetnames[0] == "Week 1" and len(wb.sheetnames) >= 20
    rows = [list(r) for r in wb["Week 1"].iter_rows(values_only=True)]
    assert rows[0][0] == f"Athlete: {name}"
    assert all(v is None for v in rows[1])
    assert rows[2][0] == "Week commencing" and rows[2][1].weekday() == 0
    assert rows[3] == ["Exercise", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    cells = [c for r in rows[4:] for c in r[1:] if c is not None]
    assert cells and all(any(ch.isdigit() for ch in c) for c in cells)  # "3 x 20 m", "3x12"
    # the athlete's rows left the coaches' files
    a = pd.read_csv(sample_dir / "logs/coach_a_2026.csv", dtype="string")
    assert name not in set(a["Athlete"])


def test_the_google_sheets_export_has_a_title_a_units_row_and_a_total(sample_dir):
    rows = _rows(sample_dir / _layout_files(sample_dir)["export"])
    assert rows[0] == ["S&C gym log - exported from Google Sheets"]
    assert rows[1] == []
    assert rows[2] == ["Athlete", "Date", "Exercise", "Sets", "Reps", "Load", "RPE", "Minutes",
                       "Notes"]  # fmt: skip
    assert rows[3] == ["", "", "", "", "", "kg", "", "min", ""]
    assert rows[-1][0] == "Total"
    body = rows[4:-1]
    assert {r[0] for r in body} == {_roster(sample_dir)["name"].iloc[1]}
    loads = {r[5] for r in body}
    assert any(v.replace(".", "").isdigit() for v in loads)  # kg as bare numbers


def test_the_european_csv_names_its_athlete_only_in_the_file_name(sample_dir):
    path = sample_dir / _layout_files(sample_dir)["european"]
    rows = _rows(path, sep=";")
    assert rows[0] == ["Datum", "Übung", "Serien", "Wdh", "Gewicht", "RPE", "Bemerkung"]
    assert all(pd.Series([r[0] for r in rows[1:]]).str.fullmatch(r"\d\d\.\d\d\.2026"))
    assert _roster(sample_dir)["name"].iloc[2] == path.stem
    text = path.read_text(encoding="utf-8")
    assert path.stem not in text and "A03" not in text


def test_the_meet_results_export_has_blocks_splits_and_marks(sample_dir):
    rows = _rows(sample_dir / _layout_files(sample_dir)["meet"])
    h200 = ["Pos", "Name", "Club", "Time", "Wind", "100m split"]
    h400 = ["Pos", "Name", "Club", "Time", "100m split", "200m split", "300m split"]
    assert rows[0][0].startswith("Summer Series #2 - ") and rows[1][0].startswith("Event 1  ")
    assert rows[2] in (h200, h400)
    assert sum(r == h400 for r in rows) >= 3 and sum(r == h200 for r in rows) >= 1
    times = [r[3] for r in rows if r and r[0].isdigit()]
    marks = {t.split(" ")[1] for t in times if " " in t}
    assert "SB" in marks and marks <= {"SB", "PB"}  # PB: beats the season's earlier races


def test_inspect_shows_the_samples_coach_layouts(sample_dir):
    from analysis.ingest.inspect import inspect_folder

    text, status = inspect_folder(sample_dir)
    files = _layout_files(sample_dir)
    name = _roster(sample_dir)["name"]
    assert status == 1  # the workbook's Notes sheet is skipped, on purpose
    assert (
        f"{files['grid']}#Week 1\n  layout: grid; header row 4; athlete '{name.iloc[-1]}' "
        "from the title cell; week starting 2026-01-05 (from the week-commencing cell)"
    ) in text
    assert f"{files['export']}\n  layout: table; header row 3; units Load=kg\n" in text
    assert (
        f"{files['european']}\n  layout: table; header row 1; athlete '{name.iloc[2]}' from "
        "the file name\n  columns: Datum -> date, Übung -> exercise, Serien -> sets, "
        "Wdh -> reps, Gewicht -> load, RPE -> rpe, Bemerkung -> notes"
    ) in text
    assert f"{files['meet']}\n  layout: blocks; header row 3\n  columns: Pos -> place" in text
    assert "not data: row 1 title row; row 2 blank row; row 3 header row; row 4 units row; " \
        "row " in text  # fmt: skip


def _load(directory: Path):
    import analysis as hf

    return hf.load_dataset(directory, today=pd.Timestamp(TODAY).date())


@pytest.mark.slow  # long-running
def test_every_file_reads_as_truth_json_says_to_the_row(sample_dir):
    ds = _load(sample_dir)
    truth = json.loads((sample_dir / "truth.json").read_text(encoding="utf-8"))
    rec = ds.reconciliation.set_index("source")
    keys = ["layout", "raw_rows", "data_rows", "not_data", "rows_read", "clean", "rejected",
            "duplicates"]  # fmt: skip
    got = {s: {k: (rec.loc[s, k] if k == "layout" else int(rec.loc[s, k])) for k in keys}
           for s in rec.index}  # fmt: skip
    assert got == {f["source"]: {k: f[k] for k in keys} for f in truth["files"]}
    nd = ds.not_data.sort_values(["source", "source_row"])
    assert {
        s: [[int(r.source_row), int(r.rows), r.reason] for r in g.itertuples()]
        for s, g in nd.groupby("source")
    } == {f["source"]: f["not_data_rows"] for f in truth["files"]}
    assert list(ds.skipped["source"]) == truth["faults"]["skipped"]
    # nothing lost: rows in = clean + rejected + duplicates + not data, per file and sheet
    assert (rec["rows_read"] == rec["clean"] + rec["rejected"] + rec["duplicates"]).all()
    assert (rec["raw_rows"] == rec["data_rows"] + rec["not_data"]).all()
    assert set(rec["layout"]) == {"table", "grid", "blocks"}
    assert len(ds.log) == truth["faults"]["log_entries"]


@pytest.mark.slow  # writes and cleans two samples
def test_the_layouts_change_nothing_in_the_clean_tables(sample_dir, tmp_path, monkeypatch):
    """The rows moved into the coach layouts clean to the very values they had before."""
    import analysis.sample.generator as sample

    monkeypatch.setattr(sample, "coach_layouts", lambda frames, roster, faults: frames)
    write_sample(tmp_path, athletes=6, seed=11, today=TODAY)
    plain, laid_out = _load(tmp_path), _load(sample_dir)
    assert not (tmp_path / "logs/gym_export.csv").exists()

    def same(a: pd.DataFrame, b: pd.DataFrame, cols: list[str]) -> None:
        ca = a[cols].astype(str).value_counts().sort_index()
        cb = b[cols].astype(str).value_counts().sort_index()
        assert len(a) == len(b) and ca.equals(cb)

    same(laid_out.log, plain.log, ["athlete_id", "date", "exercise", "sets", "reps",
                                   "distance_m", "duration_s", "load_kg", "per_leg", "hf_reps",
                                   "hf_load_kg"])  # fmt: skip
    cols = ["athlete_id", "date", "event_m", "final_s", "status", "timing", "wind_ms"]
    same(laid_out.races, plain.races, cols)

    def marks(ds):
        return ds.splits.merge(ds.races[["race_id", *cols]]).drop(columns="race_id")

    same(marks(laid_out), marks(plain), [*cols, "at_m", "cum_s"])
    # the marks meets print after a time are kept as flags
    meet = laid_out.races[laid_out.races["source"].str.endswith(" results.csv")]
    assert len(meet) >= 5 and "SB" in set(meet["flags"].dropna())


def test_the_clean_summary_shows_the_weekly_workbook_on_one_line(sample_dir):
    from analysis.cli import format_reconciliation

    ds = _load(sample_dir)
    text = format_reconciliation(ds)
    weeks = ds.reconciliation[ds.reconciliation["layout"] == "grid"]
    line = next(ln for ln in text.splitlines() if ln.startswith("logs/") and "sheets)" in ln)
    assert line.split()[-5:] == [str(int(weeks["rows_read"].sum())), str(int(weeks["clean"].sum())),
                                 "0", "0", "0"]  # fmt: skip
    assert f"({len(weeks)} sheets)" in line and "#Week" not in text
    assert "logs/gym_sessions.xlsx#Jan-Apr" in text  # a workbook of a few sheets: each shown
    nd = next(ln for ln in text.splitlines() if ln.startswith("not data"))
    headings = int(ds.not_data["reason"].str.startswith("heading:").sum())
    assert f" {headings} heading," in nd and "Event 2" not in nd


@pytest.mark.slow  # long-running
def test_an_athletes_own_view_holds_the_sheets_of_their_weekly_grid(sample_dir):
    ds = _load(sample_dir)
    masters = _roster(sample_dir)["athlete_id"].iloc[-1]
    own = ds.athlete(masters).reconciliation
    weeks = ds.reconciliation.loc[ds.reconciliation["layout"] == "grid", "source"]
    assert set(weeks) <= set(own["source"])
    assert not own["source"].str.contains("!").any()


@pytest.mark.slow  # writes and cleans two samples
def test_layouts_hold_for_a_season_across_new_year_and_a_grid_from_coach_b(tmp_path, monkeypatch):
    """Eight athletes: the masters athlete races 200 m (coach B's file, ``Last, First``
    names, month-first dates); the season starts in October, so the weekly sheets and
    the meet export cross a new year."""
    import analysis.sample.generator as sample

    kw = dict(athletes=8, seed=3, season_start="2025-10-06", today=TODAY)
    write_sample(tmp_path / "laid_out", **kw)
    ds = _load(tmp_path / "laid_out")
    truth = json.loads((tmp_path / "laid_out" / "truth.json").read_text(encoding="utf-8"))
    rec = ds.reconciliation.set_index("source")
    for f in truth["files"]:
        got = {k: rec.loc[f["source"], k] for k in ("layout", "rows_read", "clean", "not_data")}
        assert got == {k: f[k] for k in got}, f["source"]
    grid = rec.index[rec["layout"] == "grid"]
    assert len(grid) > 10 and {s[:4] for s in ds.log["date"].dt.strftime("%Y")} == {"2025", "2026"}
    monkeypatch.setattr(sample, "coach_layouts", lambda frames, roster, faults: frames)
    write_sample(tmp_path / "plain", **kw)
    cols = ["athlete_id", "date", "exercise", "sets", "reps", "load_kg", "per_leg", "hf_reps"]
    a, b = ds.log[cols].astype(str), _load(tmp_path / "plain").log[cols].astype(str)
    assert a.value_counts().sort_index().equals(b.value_counts().sort_index())


def test_pick_is_the_same_draw_as_rng_choice():
    """The sample's cheap draw leaves the random stream as ``rng.choice`` would."""
    from analysis.sample.draws import pick

    a, b = np.random.default_rng(3), np.random.default_rng(3)
    seqs = [("x", "y", "z"), (20, 30, 40, 50), ("only",), tuple("abcdefghij")]
    for k in range(4000):
        s = seqs[k % len(seqs)]
        assert pick(a, s) == b.choice(s)
    assert a.random() == b.random()


def test_workbook_cells_keep_their_types(sample_dir):
    """Dates are dates, counts are numbers, empty notes are empty cells (the readers rely on it)."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.load_workbook(sample_dir / "logs" / "gym_sessions.xlsx")
    ws = wb["Jan-Apr"]
    header = [c.value for c in ws[1]]
    assert header == ["Athlete", "Date", "Exercise", "Sets", "Reps", "Load", "RPE", "Minutes",
                      "Notes"]  # fmt: skip
    row = ws[2]
    assert row[1].is_date and isinstance(row[1].value, dt.datetime)
    assert all(isinstance(c.value, int) for c in (row[3], row[6], row[7]))
    assert isinstance(row[4].value, str)  # reps as written ("10 each leg")
    notes = [r[0].value for r in ws.iter_rows(min_row=2, min_col=9, max_col=9)]
    assert None in notes and "" not in notes
    name = _roster(sample_dir)["name"].iloc[-1]
    grid = openpyxl.load_workbook(sample_dir / "logs" / f"{name} weekly.xlsx")["Week 1"]
    assert grid["A1"].value == f"Athlete: {name}" and grid["A2"].value is None
    assert grid["A3"].value == "Week commencing" and grid["B3"].is_date
