"""Tests for analysis.volume: dense daily calendar, weekly roll-ups, acute/chronic load.

The load formulas are checked against the ``acwr`` package (PyPI 0.1.1), athlete by athlete,
and against hand-worked series.
"""

from __future__ import annotations

import acwr
import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.volume import (
    DAILY_COLUMNS,
    acwr_null_check,
    acwr_rescaling_check,
    daily_volume,
    training_load,
    weekly_volume,
)


def make_log(rows: list[tuple[str, str, str, float, float | None]]) -> pd.DataFrame:
    """Log-shaped frame from (athlete, date, family, hf_reps, load_kg) tuples."""
    athlete, date, family, reps, load = zip(*rows, strict=True)
    reps_s = pd.Series(reps, dtype="Float64")
    load_s = pd.Series(load, dtype="Float64")
    return pd.DataFrame(
        {
            "athlete_id": pd.Series(athlete, dtype="string"),
            "date": pd.to_datetime(pd.Series(date)).astype("datetime64[ns]"),
            "exercise": pd.Series(
                ["leg_raise" if f == "hip_flexor" else "stretch" for f in family], dtype="string"
            ),
            "family": pd.Series(family, dtype="string"),
            "hf_reps": reps_s,
            "load_kg": load_s,
            "hf_load_kg": reps_s * load_s,
        }
    )


def test_daily_volume_is_dense_zero_filled_and_counts_hip_flexor_only():
    log = make_log(
        [
            ("A1", "2026-03-02", "hip_flexor", 30.0, 10.0),
            ("A1", "2026-03-02", "hip_flexor", 20.0, None),  # bodyweight: adds reps, no kg
            ("A1", "2026-03-05", "mobility", 0.0, None),
            ("B2", "2026-03-01", "hip_flexor", 12.0, 5.0),
        ]
    )
    d = daily_volume(log)
    a = d[d["athlete_id"] == "A1"]
    assert a["date"].dt.strftime("%m-%d").tolist() == ["03-02", "03-03", "03-04", "03-05"]
    assert a["hf_reps"].tolist() == [50.0, 0.0, 0.0, 0.0]
    assert a["hf_load_kg"].tolist() == [300.0, 0.0, 0.0, 0.0]
    assert a["sessions"].tolist() == [1, 0, 0, 0]
    assert a["hf_entries"].tolist() == [2, 0, 0, 0]
    assert a["logged"].tolist() == [True, False, False, True]
    assert len(d[d["athlete_id"] == "B2"]) == 1
    assert d["hf_reps"].sum() == 62.0


def test_daily_volume_of_empty_log_is_empty_and_typed():
    d = daily_volume(make_log([("A", "2026-01-01", "hip_flexor", 1.0, None)]).iloc[:0])
    assert len(d) == 0
    assert d["hf_reps"].dtype == np.float64
    assert list(d.columns[:4]) == ["athlete_id", "date", "hf_reps", "hf_load_kg"]


def test_weekly_volume_monotony_matches_foster_hand_computation():
    # Monday 2026-01-05 .. Sunday 2026-01-11: loads 0, 80, 40, 0, 90, 60, 80 (acwr docs example)
    loads = [0.0, 80.0, 40.0, 0.0, 90.0, 60.0, 80.0]
    rows = [
        ("A", f"2026-01-{5 + i:02d}", "hip_flexor" if v else "mobility", v, None)
        for i, v in enumerate(loads)
    ]
    w = weekly_volume(make_log(rows))
    assert len(w) == 1
    assert w["week"].iloc[0] == pd.Timestamp("2026-01-05")
    assert w["n_days"].iloc[0] == 7
    assert w["hf_reps"].iloc[0] == 350.0
    assert w["sessions"].iloc[0] == 5
    mean, sd = np.mean(loads), np.std(loads, ddof=1)
    assert w["monotony"].iloc[0] == pytest.approx(mean / sd)
    assert w["monotony"].iloc[0] == pytest.approx(1.321, abs=5e-4)
    assert w["strain"].iloc[0] == pytest.approx(350.0 * mean / sd)


def test_weekly_volume_by_exercise_sums_per_exercise():
    log = make_log(
        [
            ("A", "2026-01-05", "hip_flexor", 10.0, None),
            ("A", "2026-01-06", "hip_flexor", 15.0, None),
            ("A", "2026-01-13", "hip_flexor", 7.0, None),
            ("A", "2026-01-06", "mobility", 0.0, None),
        ]
    )
    w = weekly_volume(log, by_exercise=True)
    assert w["hf_reps"].tolist() == [25.0, 7.0]
    assert w["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-05", "2026-01-12"]
    assert set(w["exercise"]) == {"leg_raise"}


def test_training_load_hand_checked_step_series():
    # 28 days at 50 then 7 days at 100: RAC 1.6, RAU 2.0 (worked example of the acwr docs:
    # acute 100; coupled chronic (21*50 + 7*100)/28 = 62.5; uncoupled 50).
    days = pd.date_range("2026-01-01", periods=35, freq="D")
    log = make_log(
        [
            ("A", str(d.date()), "hip_flexor", 50.0 if i < 28 else 100.0, None)
            for i, d in enumerate(days)
        ]
    )
    t = training_load(daily_volume(log))
    last = t.iloc[-1]
    assert last["acute"] == 100.0
    assert last["chronic"] == 62.5
    assert last["acwr_rac"] == pytest.approx(1.6)
    assert last["acwr_rau"] == pytest.approx(2.0)
    assert np.isnan(t["acwr_rac"].iloc[26]) and not np.isnan(t["acwr_rac"].iloc[27])


def test_training_load_matches_acwr_package_per_athlete():
    rng = np.random.default_rng(7)
    rows = []
    for ath, n in (("A", 60), ("B", 45), ("C", 20)):
        for i, d in enumerate(pd.date_range("2026-02-01", periods=n, freq="D")):
            if rng.random() < 0.6 or i in (0, n - 1):
                rows.append((ath, str(d.date()), "hip_flexor", float(rng.integers(0, 80)), None))
    daily = daily_volume(make_log(rows))
    t = training_load(daily)
    for ath, part in t.groupby("athlete_id"):
        s = pd.Series(part["load"].to_numpy(), index=pd.DatetimeIndex(part["date"]))
        for method, col in (("rac", "acwr_rac"), ("rau", "acwr_rau"), ("ewma", "acwr_ewma")):
            ref = acwr.acwr(s, method=method, return_components=True)
            np.testing.assert_allclose(part[col].to_numpy(), ref["acwr"].to_numpy(), rtol=1e-12)
        ref_e = acwr.acwr(s, method="ewma", return_components=True)
        np.testing.assert_allclose(part["acute_ewma"], ref_e["acute"], rtol=1e-12)
        np.testing.assert_allclose(part["chronic_ewma"], ref_e["chronic"], rtol=1e-12)
        np.testing.assert_allclose(part["monotony"], acwr.monotony(s).to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(part["strain"], acwr.strain(s).to_numpy(), rtol=1e-9)
        assert len(part) == {"A": 60, "B": 45, "C": 20}[ath]


def test_training_load_rejects_chronic_not_longer_than_acute():
    daily = daily_volume(make_log([("A", "2026-01-01", "hip_flexor", 1.0, None)]))
    with pytest.raises(ValueError, match="acute < chronic"):
        training_load(daily, acute=28, chronic=7)


def test_acwr_rescaling_check_flags_ratio_tracking_noisy_acute_load():
    # Noisy day-to-day load: the coupled ratio tracks acute load closely (acwr docs example).
    rng = np.random.default_rng(1)
    days = pd.date_range("2026-01-01", periods=200, freq="D")
    log = make_log(
        [
            ("A", str(d.date()), "hip_flexor", float(v), None)
            for d, v in zip(days, rng.gamma(2.0, 25.0, 200), strict=True)
        ]
    )
    res = acwr_rescaling_check(daily_volume(log), "A")
    assert res.spearman > 0.8


def test_plot_weekly_volume_stacks_exercises_to_the_weekly_total():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.plots import plot_weekly_volume

    log = make_log(
        [
            ("A", "2026-01-05", "hip_flexor", 10.0, None),
            ("A", "2026-01-06", "hip_flexor", 15.0, None),
            ("A", "2026-01-13", "hip_flexor", 7.0, None),
            ("B", "2026-01-13", "hip_flexor", 99.0, None),
        ]
    )
    log.loc[1, "exercise"] = "march"
    fig, ax = plt.subplots()
    assert plot_weekly_volume(log, athlete_id="A", ax=ax) is ax
    tops = {}
    for bars in ax.collections:  # one collection of bars per exercise
        for path in bars.get_paths():
            x = round(float(path.vertices[:, 0].min()), 3)
            tops[x] = max(tops.get(x, 0.0), float(path.vertices[:, 1].max()))
    assert sorted(tops.values()) == [7.0, 25.0]  # B's 99 reps are not drawn
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["leg_raise", "march"]
    assert ax.get_ylim()[0] == 0.0  # bars stand on the axis
    assert "reps" in ax.get_ylabel()
    plt.close(fig)


def test_weekly_volume_reports_partial_edge_weeks_with_their_day_count():
    # Wednesday 2026-01-07 to Tuesday 2026-01-13: 5 days in the first week, 2 in the second
    log = make_log(
        [
            ("A", "2026-01-07", "hip_flexor", 10.0, None),
            ("A", "2026-01-13", "hip_flexor", 4.0, None),
        ]
    )
    w = weekly_volume(log)
    assert w["n_days"].tolist() == [5, 2]
    assert w["hf_reps"].tolist() == [10.0, 4.0]
    assert w["days_logged"].tolist() == [1, 1]


def test_daily_volume_without_any_dated_row_keeps_the_daily_dtypes():
    # Every date missing: nothing to lay on a calendar, but the columns keep DAILY_COLUMNS
    # dtypes (np.bincount of an empty array returns int64 even with float weights).
    log = make_log([("A", "2026-01-01", "hip_flexor", 3.0, 2.0)])
    log["date"] = pd.Series([pd.NaT], dtype="datetime64[ns]")
    d = daily_volume(log)
    assert len(d) == 0
    assert {c: str(t) for c, t in d.dtypes.items()} == DAILY_COLUMNS


def test_acwr_null_check_is_acwr_compare_to_null_on_the_athletes_daily_series():
    # Impellizzeri et al. (2021): an outcome that follows the real ratio must beat ratios
    # whose chronic load is shuffled in time; the wrapper hands acwr exactly one athlete's
    # dense daily series (another athlete's days must not leak in).
    rng = np.random.default_rng(4)
    days = pd.date_range("2026-01-01", periods=150, freq="D")
    rows = [
        (ath, str(d.date()), "hip_flexor", float(v), None)
        for ath in ("A", "B")
        for d, v in zip(days, rng.gamma(2.0, 25.0, len(days)), strict=True)
    ]
    daily = daily_volume(make_log(rows))
    a = daily[daily["athlete_id"] == "A"]
    load = pd.Series(a["hf_reps"].to_numpy(), index=pd.DatetimeIndex(a["date"]))
    ratio = acwr.acwr(load, method="rac")
    outcome = ratio + rng.normal(0, 0.05, len(ratio))
    daily = daily.assign(soreness=pd.Series(outcome.to_numpy(), index=a.index).reindex(daily.index))
    kw = {"n_null_draws": 40, "boot_draws": 100, "seed": 3}
    res = acwr_null_check(daily, "A", "soreness", **kw)
    ref = acwr.compare_to_null(load, outcome, **kw)
    assert (res.n, res.measure) == (ref.n, "Spearman rho") and res.n == 150 - 27
    assert res.real == pytest.approx(ref.real)
    assert res.null_ci95 == pytest.approx(ref.null_ci95)
    assert res.real_beats_null and res.real > 0.9
    by_series = acwr_null_check(daily, "A", outcome, **kw)
    assert by_series.real == pytest.approx(res.real)
    with pytest.raises(DataError, match="no daily volume"):
        acwr_null_check(daily, "Z", "soreness", **kw)
