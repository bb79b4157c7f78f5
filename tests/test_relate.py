"""Tests for analysis.relate: trailing-window volume per race, race table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.relate import race_features, race_table


def make_log(rows):
    athlete, date, family, reps = zip(*rows, strict=True)
    reps_s = pd.Series(reps, dtype="Float64")
    return pd.DataFrame(
        {
            "athlete_id": pd.Series(athlete, dtype="string"),
            "date": pd.to_datetime(pd.Series(date)).astype("datetime64[ns]"),
            "family": pd.Series(family, dtype="string"),
            "hf_reps": reps_s,
            "hf_load_kg": reps_s * 2.0,
        }
    )


def make_races(rows):
    race_id, athlete, date = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "race_id": pd.Series(race_id, dtype="string"),
            "athlete_id": pd.Series(athlete, dtype="string"),
            "date": pd.to_datetime(pd.Series(date)).astype("datetime64[ns]"),
            "event_m": pd.Series([400] * len(rows), dtype="Int64"),
        }
    )


LOG = make_log(
    [
        ("A", "2026-03-01", "mobility", 0.0),  # start of A's logged span
        ("A", "2026-03-02", "hip_flexor", 10.0),
        ("A", "2026-03-08", "hip_flexor", 20.0),  # exactly 7 days before the race
        ("A", "2026-03-14", "hip_flexor", 40.0),  # the day before the race
        ("A", "2026-03-15", "hip_flexor", 80.0),  # race day: excluded
        ("A", "2026-03-15", "mobility", 0.0),
        ("B", "2026-03-01", "hip_flexor", 5.0),
        ("B", "2026-03-20", "mobility", 0.0),
        ("A", "2026-03-10", "unmapped", 99.0),  # not hip-flexor work: never counted
    ]
)


def test_window_is_the_w_days_before_race_day():
    races = make_races([("r1", "A", "2026-03-15")])
    f = race_features(LOG, races, windows=(1, 7, 8, 14))
    # [d-1, d-1] = 40; [d-7, d-1] = 03-08..03-14 = 60; [d-8] adds 03-07 (nothing) = 60;
    # [d-14, d-1] = 03-01..03-14 = 70
    assert f["hf_reps_1d"].tolist() == [40.0]
    assert f["hf_reps_7d"].tolist() == [60.0]
    assert f["hf_reps_8d"].tolist() == [60.0]
    assert f["hf_reps_14d"].tolist() == [70.0]
    assert f["hf_load_kg_7d"].tolist() == [120.0]
    assert f["days_since_hf"].tolist() == [1]


def test_window_outside_logged_span_is_na_unless_coverage_not_required():
    races = make_races([("r1", "A", "2026-03-15"), ("r2", "C", "2026-03-15")])
    f = race_features(LOG, races, windows=(28,))
    assert f["hf_reps_28d"].isna().tolist() == [True, True]  # A logs from 03-01; C never
    g = race_features(LOG, races, windows=(28,), require_coverage=False)
    assert g["hf_reps_28d"].iloc[0] == 70.0
    assert pd.isna(g["hf_reps_28d"].iloc[1])  # no log at all: unknown, not zero


def test_days_since_hf_never_crosses_athletes_and_is_na_without_prior_session():
    races = make_races(
        [("r1", "B", "2026-03-10"), ("r2", "A", "2026-03-02"), ("r3", "B", "2026-03-01")]
    )
    f = race_features(LOG, races, windows=(7,))
    assert f["days_since_hf"].iloc[0] == 9
    assert pd.isna(f["days_since_hf"].iloc[1])  # A's first hip-flexor day is race day itself
    assert pd.isna(f["days_since_hf"].iloc[2])
    assert f["race_id"].tolist() == ["r1", "r2", "r3"]  # input order kept


def test_days_since_hf_counts_a_session_whose_volume_is_unknown_as_daily_volume_does():
    # A "partial" entry (distance drill without reps-per-metre in the catalog) has hf_reps NA:
    # it is still a logged hip-flexor session, for daily_volume and for days_since_hf alike.
    from analysis.volume import daily_volume

    log = make_log(
        [
            ("A", "2026-03-01", "hip_flexor", 10.0),
            ("A", "2026-03-10", "hip_flexor", 20.0),
            ("A", "2026-03-14", "hip_flexor", None),
        ]
    )
    races = make_races([("r1", "A", "2026-03-15")])
    f = race_features(log, races, windows=(7,))
    assert f["days_since_hf"].tolist() == [1]
    daily = daily_volume(log)
    last_session = daily.loc[daily["sessions"] == 1, "date"].max()
    assert (pd.Timestamp("2026-03-15") - last_session).days == 1


def test_unknown_load_makes_the_load_window_na_and_unknown_entries_are_counted():
    # hf_load_kg is NA by design for band work or an unstated load, and hf_reps is NA for a
    # partial row (its load then unknown too): such a window's load is unknown, not 0 kg.
    log = make_log(
        [
            ("A", "2026-03-01", "mobility", 0.0),  # start of the logged span
            ("A", "2026-03-05", "hip_flexor", None),  # partial: reps and load unknown
            ("A", "2026-03-10", "hip_flexor", 20.0),  # 40 kg
            ("A", "2026-03-12", "hip_flexor", 15.0),  # band: load unknown (set below)
            ("A", "2026-03-14", "hip_flexor", 5.0),  # 10 kg
        ]
    )
    log.loc[3, "hf_load_kg"] = pd.NA
    races = make_races([("r1", "A", "2026-03-15"), ("r2", "A", "2026-03-04")])
    f = race_features(log, races, windows=(2, 3, 7, 14))
    # r1: 2d = 03-13..14; 7d = 03-08..14 holds the band entry; 14d = 03-01..14 also the partial
    assert f["hf_reps_2d"].iloc[0] == 5.0 and f["hf_load_kg_2d"].iloc[0] == 10.0
    assert f["hf_reps_7d"].iloc[0] == 40.0 and pd.isna(f["hf_load_kg_7d"].iloc[0])
    assert f["hf_reps_14d"].iloc[0] == 40.0 and pd.isna(f["hf_load_kg_14d"].iloc[0])
    assert f.loc[
        0, ["hf_unknown_reps_2d", "hf_unknown_reps_7d", "hf_unknown_reps_14d"]
    ].tolist() == [0, 0, 1]
    assert f.loc[
        0, ["hf_unknown_load_2d", "hf_unknown_load_7d", "hf_unknown_load_14d"]
    ].tolist() == [0, 1, 2]
    # r2: 3d = 03-01..03: no hip-flexor work at all is a known 0 kg
    assert f["hf_reps_3d"].iloc[1] == 0.0 and f["hf_load_kg_3d"].iloc[1] == 0.0
    assert f["hf_unknown_load_3d"].iloc[1] == 0
    # an uncovered window leaves the counts unknown as well
    assert pd.isna(f["hf_unknown_reps_7d"].iloc[1]) and pd.isna(f["hf_unknown_load_7d"].iloc[1])
    assert str(f["hf_unknown_load_7d"].dtype) == "Int64"
    assert str(f["hf_load_kg_7d"].dtype) == "Float64"


def test_race_features_match_naive_per_race_mask_on_random_data():
    rng = np.random.default_rng(3)
    n = 400
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    log = make_log(
        list(
            zip(
                rng.choice(["A", "B", "C"], n),
                days.astype(str),
                rng.choice(["hip_flexor", "mobility"], n, p=[0.8, 0.2]),
                rng.integers(0, 50, n).astype(float),
                strict=True,
            )
        )
    )
    rdays = pd.Timestamp("2026-01-20") + pd.to_timedelta(rng.integers(0, 80, 30), unit="D")
    races = make_races(
        list(
            zip(
                [f"r{i}" for i in range(30)],
                rng.choice(["A", "B", "C"], 30),
                rdays.astype(str),
                strict=True,
            )
        )
    )
    f = race_features(log, races, windows=(7, 14), require_coverage=False)
    hf = log[log["family"] == "hip_flexor"]
    for i, race in races.iterrows():
        same = hf["athlete_id"] == race["athlete_id"]
        for w in (7, 14):
            mask = (
                same
                & (hf["date"] >= race["date"] - pd.Timedelta(days=w))
                & (hf["date"] < race["date"])
            )
            assert f.loc[i, f"hf_reps_{w}d"] == pytest.approx(hf.loc[mask, "hf_reps"].sum())
        prior = hf[same & (hf["date"] < race["date"])]  # any hip-flexor entry is a session
        expected = (race["date"] - prior["date"].max()).days if len(prior) else None
        got = f.loc[i, "days_since_hf"]
        assert (pd.isna(got) and expected is None) or got == expected


def test_race_table_joins_fatigue_metrics_one_row_per_race():
    races = make_races([("r1", "A", "2026-03-15"), ("r2", "B", "2026-03-10")])
    fatigue = pd.DataFrame(
        {
            "race_id": pd.Series(["r2", "r1"], dtype="string"),
            "athlete_id": pd.Series(["B", "A"], dtype="string"),
            "event_m": pd.Series([400, 400], dtype="Int64"),
            "first_half_s": [23.0, 22.5],
            "second_half_s": [26.0, 25.0],
            "differential_s": [3.0, 2.5],
            "velocity_loss_pct": [12.0, 10.0],
        }
    )
    t = race_table(LOG, races, fatigue, windows=(7,))
    assert len(t) == 2
    assert t["differential_s"].tolist() == [2.5, 3.0]
    assert t["hf_reps_7d"].iloc[0] == 60.0
    assert "athlete_id" in t.columns and "athlete_id_x" not in t.columns


def test_plot_volume_vs_fatigue_draws_one_within_line_per_athlete_with_common_slope():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    from analysis.plots import plot_volume_vs_fatigue

    table = pd.DataFrame(
        {
            "athlete_id": ["A", "A", "A", "B", "B", "B"],
            "hf_reps_28d": [100.0, 200.0, 300.0, 100.0, 200.0, 300.0],
            "differential_s": [3.0, 2.9, 2.6, 2.0, 1.8, 1.7],
        }
    )
    fig, ax = plt.subplots()
    assert (
        plot_volume_vs_fatigue(table, "hf_reps_28d", "differential_s", subject="athlete_id", ax=ax)
        is ax
    )
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines) == 1
    segs = lines[0].get_segments()
    assert len(segs) == 2
    slopes = [(s[1, 1] - s[0, 1]) / (s[1, 0] - s[0, 0]) for s in segs]
    # common within slope: sum(xc*yc)/sum(xc^2) = (-40 - 30) / 40000 = -0.00175 s per rep
    np.testing.assert_allclose(slopes, [-0.00175, -0.00175])
    assert "r_rm" in ax.get_title() and "2 athletes" in ax.get_title()
    plt.close(fig)


@settings(max_examples=examples(60), deadline=None)
@given(
    entries=st.lists(
        st.tuples(st.sampled_from("AB"), st.integers(0, 40), st.booleans(), st.integers(0, 30)),
        min_size=1,
        max_size=40,
    ),
    race_list=st.lists(
        st.tuples(st.sampled_from("ABC"), st.integers(0, 45)), min_size=1, max_size=8
    ),
    w=st.integers(1, 20),
)
def test_race_features_equals_brute_force_sum_for_any_log(entries, race_list, w):
    day0 = pd.Timestamp("2026-01-01")
    log = make_log(
        [
            (
                a,
                str((day0 + pd.Timedelta(days=d)).date()),
                "hip_flexor" if hf else "mobility",
                float(r),
            )
            for a, d, hf, r in entries
        ]
    )
    races = make_races(
        [
            (f"r{i}", a, str((day0 + pd.Timedelta(days=d)).date()))
            for i, (a, d) in enumerate(race_list)
        ]
    )
    f = race_features(log, races, windows=(w,), require_coverage=False)
    for i, (a, d) in enumerate(race_list):
        expected = sum(r for aa, dd, hf, r in entries if aa == a and hf and d - w <= dd <= d - 1)
        got = f[f"hf_reps_{w}d"].iloc[i]
        if any(aa == a for aa, *_ in entries):
            assert got == expected
        else:
            assert pd.isna(got)


@settings(max_examples=examples(60), deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from("AB"),
            st.integers(0, 30),
            st.booleans(),
            st.one_of(st.none(), st.integers(0, 30)),  # None: unknown hf_reps (partial row)
            st.booleans(),  # load unknown (band, unstated)
        ),
        min_size=1,
        max_size=30,
    ),
    race_list=st.lists(
        st.tuples(st.sampled_from("AB"), st.integers(0, 35)), min_size=1, max_size=6
    ),
    w=st.integers(1, 15),
)
def test_load_window_and_unknown_counts_equal_brute_force_for_any_log(entries, race_list, w):
    day0 = pd.Timestamp("2026-01-01")
    log = make_log(
        [
            (a, str((day0 + pd.Timedelta(days=d)).date()), "hip_flexor" if hf else "mobility", r)
            for a, d, hf, r, _ in entries
        ]
    )
    log["hf_load_kg"] = log["hf_load_kg"].mask(pd.Series([u for *_, u in entries]))
    races = make_races(
        [
            (f"r{i}", a, str((day0 + pd.Timedelta(days=d)).date()))
            for i, (a, d) in enumerate(race_list)
        ]
    )
    f = race_features(log, races, windows=(w,), require_coverage=False)
    for i, (a, d) in enumerate(race_list):
        inside = [(r, u) for aa, dd, hf, r, u in entries if aa == a and hf and d - w <= dd <= d - 1]
        if not any(aa == a for aa, *_ in entries):
            assert f.loc[i, [f"hf_unknown_reps_{w}d", f"hf_unknown_load_{w}d"]].isna().all()
            continue
        n_reps_na = sum(r is None for r, _ in inside)
        n_load_na = sum(r is None or u for r, u in inside)
        assert f[f"hf_reps_{w}d"].iloc[i] == sum(r for r, _ in inside if r is not None)
        assert f[f"hf_unknown_reps_{w}d"].iloc[i] == n_reps_na
        assert f[f"hf_unknown_load_{w}d"].iloc[i] == n_load_na
        load = f[f"hf_load_kg_{w}d"].iloc[i]
        if n_load_na:
            assert pd.isna(load)
        else:
            assert load == 2.0 * sum(r for r, _ in inside)
