"""Tests for analysis.stats, pinned to published or reference-software values (cited per test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from analysis.stats import (
    compare_groups,
    fdr_bh,
    hedges_g,
    hedges_g_ci,
    mixed_model,
    rm_corr,
    window_scan,
    within_between,
)
from analysis.stats.correlation import _fisher_ci

DATA = Path(__file__).parent / "data" / "stats"


@pytest.fixture(scope="module")
def bland1995() -> pd.DataFrame:
    return pd.read_csv(DATA / "bland1995.csv", comment="#")


@pytest.fixture(scope="module")
def dietox() -> pd.DataFrame:
    return pd.read_csv(DATA / "dietox.csv", index_col=0)


# Lakens (2013), Front Psychol 4:863, Table 1: ratings of two movies by 10 people each.
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 7, 8]


def test_rm_corr_reproduces_bakdash_marusich_bland1995_example(bland1995):
    # Bakdash & Marusich (2017) Front Psychol 8:456, and the rmcorr R package
    # (tests/testthat/_snaps/rmcorr.md, rmcorr >= 0.5.4): r_rm = -0.5067697, df = 38,
    # p = 0.0008471081, 95% CI [-0.7067146, -0.2318631]; paper: -0.507, p = 0.0008,
    # CI [-0.71, -0.23].
    assert len(bland1995) == 47
    res = rm_corr(bland1995, x="PaCO2", y="pH", subject="Subject")
    assert res.r == pytest.approx(-0.5067697, abs=1e-7)
    assert res.dof == 38
    assert res.pvalue == pytest.approx(0.0008471081, rel=1e-6)
    assert res.ci_low == pytest.approx(-0.7067146, abs=1e-6)
    assert res.ci_high == pytest.approx(-0.2318631, abs=1e-6)
    assert (round(res.r, 3), round(res.ci_low, 2), round(res.ci_high, 2)) == (-0.507, -0.71, -0.23)
    assert (res.n, res.n_subjects) == (47, 8)
    assert res.note == ""


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")  # pingouin 0.7
def test_rm_corr_agrees_with_pingouin_on_bland1995(bland1995):
    # Cross-check against reference software: pingouin.rm_corr (Vallat 2018, JOSS 3:1026),
    # which fits the ANCOVA y ~ subject + x. Its CI is Fisher z with n = dof + 2, the
    # corrected rmcorr >= 0.5.4 formula as ours, but rounded to 2 decimals.
    pg = pytest.importorskip("pingouin")
    ref = pg.rm_corr(data=bland1995, x="PaCO2", y="pH", subject="Subject").iloc[0]
    res = rm_corr(bland1995, x="PaCO2", y="pH", subject="Subject")
    assert res.r == pytest.approx(float(ref["r"]), abs=1e-12)
    assert res.dof == int(ref["dof"])
    assert res.pvalue == pytest.approx(float(ref["pval"]), rel=1e-9)
    ci = ref["CI95"] if "CI95" in ref.index else ref["CI95%"]  # "CI95%" in older pingouin
    assert [round(res.ci_low, 2), round(res.ci_high, 2)] == pytest.approx(list(ci))
    # the interval of rmcorr < 0.5.4 (n = dof) rounds differently: [-0.71, -0.22]
    assert round(_fisher_ci(res.r, res.dof, 0.95)[1], 2) != pytest.approx(ci[1])


def test_rm_corr_is_symmetric_and_ignores_subject_level_shifts(bland1995):
    res = rm_corr(bland1995, "pH", "PaCO2", "Subject")
    shifted = bland1995.assign(pH=bland1995["pH"] + bland1995["Subject"] * 3.0)
    assert res.r == pytest.approx(rm_corr(bland1995, "PaCO2", "pH", "Subject").r)
    assert rm_corr(shifted, "pH", "PaCO2", "Subject").r == pytest.approx(res.r)


def test_fisher_ci_matches_rmcorr_ci_fix_vignette():
    # rmcorr vignette "Confidence Interval Fix": psych::r.con(0.88, 6) = [0.2394418, 0.9868084]
    lo, hi = _fisher_ci(0.88, 6, 0.95)
    assert lo == pytest.approx(0.2394418, abs=1e-6)
    assert hi == pytest.approx(0.9868084, abs=1e-6)


def test_rm_corr_small_sample_says_so_in_plain_words():
    df = pd.DataFrame({"s": list("aabb"), "x": [1.0, 2.0, 1.0, 3.0], "y": [1.0, 2.5, 0.0, 1.0]})
    res = rm_corr(df, "x", "y", "s")
    assert res.dof == 1
    assert "only 2 athletes" in res.note
    assert np.isnan(rm_corr(df.iloc[[0, 2]], "x", "y", "s").r)


def test_within_between_keeps_levels_apart_on_bland1995(bland1995):
    # Bland & Altman (1995) BMJ 310:633 (Part 2): correlation of the 8 subject means r = 0.08,
    # while the within-subject correlation is -0.51: opposite signs, two different questions.
    wb = within_between(bland1995, "PaCO2", "pH", "Subject").set_index("level")
    assert wb.loc["within", "r"] == pytest.approx(-0.5067697, abs=1e-7)
    assert round(wb.loc["between", "r"], 2) == 0.08
    assert wb.loc["between", "n"] == 8
    assert wb.loc["between", "dof"] == 6
    means = bland1995.groupby("Subject")[["PaCO2", "pH"]].mean()
    ref = st.pearsonr(means["PaCO2"], means["pH"])
    assert wb.loc["between", "pvalue"] == pytest.approx(ref.pvalue)
    assert wb.loc["between", "ci_low"] < 0.08 < wb.loc["between", "ci_high"]


def test_within_between_warns_with_fewer_than_five_athletes(bland1995):
    wb = within_between(bland1995[bland1995["Subject"] <= 4], "PaCO2", "pH", "Subject")
    between = wb.set_index("level").loc["between"]
    assert "fewer than 5 athletes: the between-athlete estimate is unreliable" in between["note"]


def test_mixed_model_reproduces_statsmodels_dietox_example(dietox):
    # statsmodels documentation, "Linear Mixed Effects Models" (examples/mixed_lm_example):
    # mixedlm("Weight ~ Time", dietox, groups="Pig") -> Intercept 15.724 (SE 0.788),
    # Time 6.943 (SE 0.033), Group Var 40.394; 861 observations, 72 groups.
    mm = mixed_model(dietox, y="Weight", x="Time", group="Pig").set_index("term")
    assert mm.loc["Intercept", "estimate"] == pytest.approx(15.724, abs=5e-4)
    assert mm.loc["Intercept", "se"] == pytest.approx(0.788, abs=5e-4)
    assert mm.loc["Time", "estimate"] == pytest.approx(6.943, abs=5e-4)
    assert mm.loc["Time", "se"] == pytest.approx(0.033, abs=5e-4)
    assert mm.loc["Group Var", "estimate"] == pytest.approx(40.394, abs=5e-3)
    assert mm.loc["Time", "ci_low"] == pytest.approx(6.877, abs=5e-4)
    assert mm.loc["Time", "ci_high"] == pytest.approx(7.008, abs=5e-4)
    assert (mm["n_obs"] == 861).all() and (mm["n_groups"] == 72).all()


def test_mixed_model_within_term_equals_repeated_measures_slope(dietox):
    # The within coefficient of the within-between (Mundlak) model is the fixed-effects
    # (within-athlete) slope, which is also the common slope of rm_corr.
    mm = mixed_model(dietox, "Weight", "Time", "Pig", decompose=True).set_index("term")
    slope = rm_corr(dietox, "Time", "Weight", "Pig").slope
    assert mm.loc["Time_within", "estimate"] == pytest.approx(slope, rel=1e-6)
    assert "Time_between" in mm.index


def test_mixed_model_drops_infinite_values_and_says_how_many(dietox):
    # statsmodels raises MissingDataError on ±inf: such rows are left out, as rm_corr does.
    bad = dietox.astype({"Weight": "float64", "Time": "float64"})
    bad.loc[bad.index[3], "Weight"] = np.inf
    bad.loc[bad.index[10], "Time"] = -np.inf
    mm = mixed_model(bad, y="Weight", x="Time", group="Pig").set_index("term")
    ref = mixed_model(dietox.drop(index=bad.index[[3, 10]]), "Weight", "Time", "Pig")
    np.testing.assert_allclose(mm["estimate"], ref["estimate"])
    assert (mm["n_obs"] == 859).all()
    assert "2 rows with infinite or non-numeric values left out" in mm["note"].iloc[0]


def test_within_between_drops_infinite_values_before_taking_athlete_means(bland1995):
    bad = bland1995.astype({"pH": "float64"})
    bad.loc[0, "pH"] = np.inf
    wb = within_between(bad, "PaCO2", "pH", "Subject").set_index("level")
    ref = within_between(bland1995.drop(index=0), "PaCO2", "pH", "Subject").set_index("level")
    assert np.isfinite(wb.loc["between", "r"])
    assert wb.loc["between", "r"] == pytest.approx(ref.loc["between", "r"])
    assert wb.loc["within", "r"] == pytest.approx(ref.loc["within", "r"])
    assert "1 rows with infinite or non-numeric values left out" in wb.loc["within", "note"]


def test_hedges_g_matches_lakens_2013_worked_example():
    # Lakens (2013) Front Psychol 4:863: Movie 1 M = 8.7 (SD 0.82), Movie 2 M = 7.7 (SD 0.95),
    # t(18) = 2.52, Cohen's d_s = 1.13, Hedges's g_s = 1.08.
    g = float(hedges_g(np.array(MOVIE_1), np.array(MOVIE_2)))
    assert round(g, 2) == 1.08
    assert round(g / (1 - 3 / (4 * 20 - 9)), 2) == 1.13


def test_compare_groups_two_groups_lakens_example():
    df = pd.DataFrame({"rating": MOVIE_1 + MOVIE_2, "movie": ["m1"] * 10 + ["m2"] * 10})
    out = compare_groups(df, "rating", "movie", reference="m2")
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["group_a"], row["group_b"], row["n_a"], row["n_b"]) == ("m1", "m2", 10, 10)
    assert (round(row["mean_a"], 1), round(row["sd_a"], 2)) == (8.7, 0.82)
    assert (round(row["mean_b"], 1), round(row["sd_b"], 2)) == (7.7, 0.95)
    assert round(row["t"], 2) == 2.52  # equal n: Welch's t statistic equals Student's
    # Welch-Satterthwaite dof by hand: (v1+v2)^2 / (v1^2/9 + v2^2/9), v = s^2/10
    v1, v2 = np.var(MOVIE_1, ddof=1) / 10, np.var(MOVIE_2, ddof=1) / 10
    assert row["dof"] == pytest.approx((v1 + v2) ** 2 / (v1**2 / 9 + v2**2 / 9))
    assert round(row["hedges_g"], 2) == 1.08
    assert row["g_ci_low"] < row["hedges_g"] < row["g_ci_high"]
    assert row["pvalue_welch_adj"] == row["pvalue_welch"]
    again = compare_groups(df, "rating", "movie", reference="m2", g_ci="bca")
    assert (
        again["g_ci_low"].iloc[0]
        == compare_groups(df, "rating", "movie", reference="m2", g_ci="bca")["g_ci_low"].iloc[0]
    )  # seeded bootstrap
    assert (row["g_ci_low"], row["g_ci_high"]) == hedges_g_ci(MOVIE_1, MOVIE_2)  # exact by default


# Student (1908) sleep data, R's datasets::sleep: extra hours of sleep under drug 1 and 2.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
# Hollander & Wolfe (1973) p. 69: permeability constants of the chorioamnion, term vs 12-26 wk.
TERM = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
EARLY = [1.15, 0.88, 0.90, 0.74, 1.21]


def test_compare_groups_welch_and_mann_whitney_match_r_on_the_sleep_data():
    # R: t.test(extra ~ group, data = sleep) (the example of R's ?t.test) -> Welch
    # t = -1.8608, df = 17.776, p-value = 0.07939; wilcox.test(extra ~ group, data = sleep)
    # -> W = 25.5, p-value = 0.06933 (ties: normal approximation with continuity
    # correction). R output as quoted in the afex package's examples/examples.compare.R
    # (t -1.861, df 17.78, p 0.07939; W 25.500, p 0.06933).
    df = pd.DataFrame({"extra": SLEEP_1 + SLEEP_2, "group": [1] * 10 + [2] * 10})
    row = compare_groups(df, "extra", "group", reference=2, n_resamples=200).iloc[0]
    assert (row["group_a"], row["group_b"]) == (1, 2)
    assert (row["mean_a"], row["mean_b"]) == pytest.approx((0.75, 2.33))
    assert row["t"] == pytest.approx(-1.8608, abs=5e-5)
    assert row["dof"] == pytest.approx(17.776, abs=5e-4)
    assert row["pvalue_welch"] == pytest.approx(0.07939, abs=5e-6)
    assert row["u"] == 25.5
    assert row["pvalue_mwu"] == pytest.approx(0.06933, abs=5e-6)


def test_compare_groups_welch_and_exact_mann_whitney_match_published_values():
    # R's ?wilcox.test example (Hollander & Wolfe 1973, p. 69): wilcox.test(x, y,
    # alternative = "greater") -> W = 35, p-value = 0.1272 (exact, no ties); two-sided
    # exact p = 0.2544 (SAS PROC NPAR1WAY on the same data, "Pr >= |S - Mean|", output
    # kept in the DescrTab2 R package sources, CRAN 2.1.9). W of x is U of the first group.
    df = pd.DataFrame({"k": TERM + EARLY, "g": ["term"] * 10 + ["early"] * 5})
    row = compare_groups(df, "k", "g", reference="early", n_resamples=200).iloc[0]
    assert row["u"] == 35.0
    assert row["pvalue_mwu"] == pytest.approx(0.2544, abs=5e-5)
    # R's ?t.test example t.test(1:10, y = c(7:20, 200)): Welch t = -1.6329,
    # df = 14.165, p-value = 0.1245 (R output quoted in the blog post "Confusion behind
    # Student's t-test example in R", 20 Apr 2019).
    df = pd.DataFrame({"v": [*range(1, 11), *range(7, 21), 200], "g": ["x"] * 10 + ["y"] * 15})
    row = compare_groups(df, "v", "g", reference="y", n_resamples=200).iloc[0]
    assert row["t"] == pytest.approx(-1.6329, abs=5e-5)
    assert row["dof"] == pytest.approx(14.165, abs=5e-4)
    assert row["pvalue_welch"] == pytest.approx(0.1245, abs=5e-5)


def test_compare_groups_bootstrap_ci_of_g_agrees_with_the_large_sample_interval():
    # With 60 per group the BCa bootstrap interval of Hedges' g should sit close to the
    # large-sample interval g ± 1.96·SE, Var(g) = J²((n_a + n_b)/(n_a n_b) + d²/(2(n_a + n_b)))
    # (Hedges & Olkin 1985; Borenstein et al. 2009, Introduction to Meta-Analysis, eqs
    # 4.20 and 4.24). A resampling bug (pooled groups, swapped groups) moves it far off.
    rng = np.random.default_rng(0)
    a, b = rng.normal(0.5, 1.0, 60), rng.normal(0.0, 1.0, 60)
    df = pd.DataFrame({"v": np.concatenate([a, b]), "g": ["a"] * 60 + ["b"] * 60})
    row = compare_groups(df, "v", "g", reference="b", g_ci="bca").iloc[0]
    g = row["hedges_g"]
    j = 1 - 3 / (4 * 120 - 9)
    d = g / j
    se = j * np.sqrt(120 / 3600 + d**2 / 240)
    assert row["g_ci_low"] == pytest.approx(g - 1.96 * se, abs=0.05)
    assert row["g_ci_high"] == pytest.approx(g + 1.96 * se, abs=0.05)


def test_compare_groups_three_groups_adjusts_with_bh_and_flags_small_groups():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "v": np.concatenate([rng.normal(0, 1, 12), rng.normal(1, 1, 12), rng.normal(0, 1, 3)]),
            "g": ["a"] * 12 + ["b"] * 12 + ["c"] * 3,
        }
    )
    ref = compare_groups(df, "v", "g", n_resamples=200)
    assert ref[["group_a", "group_b"]].to_numpy().tolist() == [["b", "a"], ["c", "a"]]
    allp = compare_groups(df, "v", "g", pairs="all", n_resamples=200)
    assert len(allp) == 3
    np.testing.assert_allclose(
        allp["pvalue_welch_adj"], st.false_discovery_control(allp["pvalue_welch"], method="bh")
    )
    with_c = (allp["group_a"] == "c") | (allp["group_b"] == "c")
    assert allp.loc[with_c, "note"].str.contains("fewer than 5 values").all()
    assert (allp.loc[~with_c, "note"] == "").all()


def test_compare_groups_keeps_the_group_values_type_and_natural_order():
    # An int column: reference=400 is found as the int it is, and 9 sorts before 10.
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"v": rng.normal(0, 1, 18), "event": np.repeat([400, 10, 9], 6)})
    out = compare_groups(df, "v", "event", reference=400, n_resamples=50)
    assert out[["group_a", "group_b"]].to_numpy().tolist() == [[9, 400], [10, 400]]
    assert out["group_b"].dtype.kind == "i"
    allp = compare_groups(df, "v", "event", pairs="all", n_resamples=50)
    assert allp[["group_a", "group_b"]].to_numpy().tolist() == [[9, 10], [9, 400], [10, 400]]
    assert compare_groups(df, "v", "event", n_resamples=50)["group_b"].tolist() == [9, 9]
    # an ordered categorical keeps its categories' order, not the alphabet's
    cat = df.assign(
        level=pd.Categorical(
            df["event"].map({9: "low", 10: "mid", 400: "high"}), ["low", "mid", "high"]
        )
    )
    got = compare_groups(cat, "v", "level", n_resamples=50)
    assert got[["group_a", "group_b"]].to_numpy().tolist() == [["mid", "low"], ["high", "low"]]


def test_fdr_bh_hand_computed_and_keeps_nan():
    # BH: sorted p 0.01, 0.03, 0.04 (m = 3) -> 0.03, 0.045, 0.04 -> step-up min -> 0.03, 0.04, 0.04
    out = fdr_bh([0.01, 0.04, np.nan, 0.03])
    np.testing.assert_allclose(out, [0.03, 0.04, np.nan, 0.04])


def synthetic_season(
    seed: int, effect_per_100: float, n_athletes: int = 20, n_races: int = 10
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Daily logs and 400 m races where differential = athlete level + effect·(28-day reps/100) + noise."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-01", periods=200, freq="D")
    ath = np.repeat([f"A{i:02d}" for i in range(n_athletes)], len(days))
    # weekly-varying volume so trailing sums vary within athletes
    week_level = rng.gamma(2.0, 20.0, (n_athletes, len(days) // 7 + 1))
    reps = rng.poisson(np.repeat(week_level, 7, axis=1)[:, : len(days)]).ravel().astype(float)
    log = pd.DataFrame(
        {
            "athlete_id": pd.array(ath, dtype="string"),
            "date": np.tile(days.values, n_athletes),
            "family": pd.array(["hip_flexor"] * len(ath), dtype="string"),
            "hf_reps": pd.array(reps, dtype="Float64"),
            "hf_load_kg": pd.array(np.zeros(len(ath)), dtype="Float64"),
        }
    )
    race_days = days[60] + pd.to_timedelta(
        np.sort(rng.integers(0, 130, (n_athletes, n_races))).ravel(), unit="D"
    )
    races = pd.DataFrame(
        {
            "race_id": pd.array([f"r{i}" for i in range(n_athletes * n_races)], dtype="string"),
            "athlete_id": pd.array(
                np.repeat([f"A{i:02d}" for i in range(n_athletes)], n_races), dtype="string"
            ),
            "date": race_days.to_numpy(),
            "event_m": pd.array([400] * (n_athletes * n_races), dtype="Int64"),
        }
    )
    from analysis.relate import race_features

    f = race_features(log, races, (28,))
    level = np.repeat(rng.normal(2.5, 0.6, n_athletes), n_races)
    diff = (
        level
        + effect_per_100 * f["hf_reps_28d"].to_numpy(dtype=float) / 100
        + rng.normal(0, 0.25, len(f))
    )
    fatigue = pd.DataFrame({"race_id": races["race_id"], "differential_s": diff})
    return log, races, fatigue


def test_window_scan_finds_a_real_effect_and_reports_adjusted_p():
    log, races, fatigue = synthetic_season(seed=1, effect_per_100=-0.3)
    scan = window_scan(log, races, fatigue, windows=(7, 14, 28, 42, 56))
    assert scan["window_days"].tolist() == [7, 14, 28, 42, 56]
    best = scan.set_index("window_days").loc[28]
    assert best["estimate"] < -0.3 and best["significant"]
    assert (scan["pvalue_adj"] >= scan["pvalue"] - 1e-15).all()
    np.testing.assert_allclose(scan["pvalue_adj"], st.false_discovery_control(scan["pvalue"]))
    assert (scan["n_subjects"] == 20).all()
    mixed = window_scan(log, races, fatigue, windows=(28,), method="mixed").iloc[0]
    # slope per 100 reps: the true effect is -0.3 s per 100 reps
    assert mixed["ci_low"] < -0.3 < mixed["ci_high"]


@pytest.mark.slow  # many seeds: a long-running statistical test
def test_window_scan_null_effect_finds_nothing_after_fdr_in_19_of_20_seeds():
    hits = 0
    for seed in range(20):
        log, races, fatigue = synthetic_season(seed=100 + seed, effect_per_100=0.0)
        scan = window_scan(log, races, fatigue)
        assert scan["pvalue"].notna().all() and (scan["n"] > 100).all()
        hits += bool(scan["significant"].any())
    assert hits <= 1


def test_window_scan_on_load_leaves_out_races_whose_window_load_is_unknown():
    # Band work has no kg (hf_load_kg NA by design): a window holding it has an unknown load,
    # not a light one. Those races are left out, and the note says how many. Every 28-day
    # window holds a 10th of the month: all 3 × 10 races of A00-A02 are left out.
    from analysis.relate import race_table

    log, races, fatigue = synthetic_season(seed=2, effect_per_100=0.0)
    band = log["athlete_id"].isin(["A00", "A01", "A02"]) & (log["date"].dt.day == 10)
    log = log.assign(hf_load_kg=(log["hf_reps"] * 1.5).mask(band))
    scan = window_scan(log, races, fatigue, windows=(28,), value="hf_load_kg").iloc[0]
    table = race_table(log, races, fatigue, (28,))
    known = table["hf_load_kg_28d"].notna()
    lost = int((table["hf_unknown_load_28d"] > 0).sum())
    assert lost == 30 and int(known.sum()) == len(table) - lost
    assert scan["n"] == len(table) - lost
    assert f"{lost} races left out: hip-flexor load unknown" in scan["note"]
    ref = rm_corr(table[known], "hf_load_kg_28d", "differential_s", "athlete_id")
    assert scan["estimate"] == pytest.approx(ref.r)
    reps = window_scan(log, races, fatigue, windows=(28,)).iloc[0]
    assert reps["n"] == len(table) and "unknown" not in reps["note"]


def test_mixed_model_decompose_without_between_variation_fits_the_within_term():
    # balanced design: every athlete has the same mean of x, so x_between is a constant
    # (the intercept again); this raised LinAlgError("Singular matrix") before.
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": np.repeat(list("abcdef"), 4), "x": np.tile([1.0, 2, 3, 4], 6)})
    df["y"] = 0.3 * df["x"] + rng.normal(0, 0.5, len(df)) + np.repeat(rng.normal(0, 1, 6), 4)
    mm = mixed_model(df, "y", "x", "a", decompose=True).set_index("term")
    assert np.isnan(mm.loc["x_between", "estimate"])
    assert "no between-athlete estimate for x" in mm["note"].iloc[0]
    plain = mixed_model(df, "y", "x", "a").set_index("term")
    assert mm.loc["x_within", "estimate"] == pytest.approx(plain.loc["x", "estimate"], rel=1e-6)
    assert mm.loc["x_within", "estimate"] == pytest.approx(
        rm_corr(df, "x", "y", "a").slope, rel=1e-6
    )
    assert list(mm.index) == ["Intercept", "x_within", "x_between", "Group Var", "Residual Var"]


# R's datasets::mtcars (Henderson & Velleman 1981): mpg by transmission (am 0 automatic, 1 manual).
MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
       14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4]  # fmt: skip
AM = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]  # fmt: skip


def test_hedges_g_exact_interval_reproduces_effectsize_on_mtcars():
    # effectsize R package README (Ben-Shachar, Lüdecke & Makowski 2020, JOSS 5:2815):
    # cohens_d(mpg ~ am, data = mtcars) -> d = -1.48, 95% CI [-2.27, -0.67] (non-central t,
    # pooled SD; the interval of δ, as MBESS::ci.smd); hedges_g(...) -> -1.44, and
    # effectsize scales the interval by J: [-2.21, -0.65]. The transcription of mtcars is
    # checked by R's t.test(mpg ~ am): Welch t = -3.7671, df = 18.332, p = 0.001374.
    mpg, am = np.array(MPG), np.array(AM)
    auto, manual = mpg[am == 0], mpg[am == 1]
    tt = st.ttest_ind(auto, manual, equal_var=False)
    assert (round(tt.statistic, 4), round(tt.df, 3), round(tt.pvalue, 6)) == (
        -3.7671,
        18.332,
        0.001374,
    )
    g = float(hedges_g(auto, manual))
    lo, hi = hedges_g_ci(auto, manual)
    assert round(g, 2) == -1.44
    assert (round(lo, 2), round(hi, 2)) == (-2.27, -0.67)
    j = 1 - 3 / (4 * 32 - 9)
    assert (round(j * lo, 2), round(j * hi, 2)) == (-2.21, -0.65)
    # the limits are the non-centralities at which the observed t sits at 97.5 % / 2.5 %
    k = np.sqrt(19 * 13 / 32)
    t = g / j * k
    assert st.nct.cdf(t, 30, lo * k) == pytest.approx(0.975, abs=1e-9)
    assert st.nct.cdf(t, 30, hi * k) == pytest.approx(0.025, abs=1e-9)


def test_hedges_g_exact_interval_covers_95_percent_at_3_vs_9():
    # where the BCa bootstrap covered 0.88 (issue 12): 600 normal samples, δ = 0.8;
    # Monte-Carlo SE 0.9 %, so a 0.92-0.98 band fails a wrong interval.
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(600):
        lo, hi = hedges_g_ci(rng.normal(0.8, 1, 3), rng.normal(0, 1, 9))
        hits += lo <= 0.8 <= hi
    assert 0.92 <= hits / 600 <= 0.98


def test_hedges_g_exact_interval_degenerate_inputs():
    assert np.isnan(hedges_g_ci([1.0], [1.0, 2.0])).all()
    assert np.isnan(hedges_g_ci([1.0, 1.0], [1.0, 1.0])).all()
    lo, hi = hedges_g_ci([100.0, 101, 102], [1.0, 2, 3])  # huge t: still finite limits
    assert 0 < lo < 99 < hi


def _confounded(seed: int, effect: float):
    """synthetic_season plus a between-athlete confounder: athletes who train more have
    a higher fade level (+0.5 s per 100 reps of their mean 28-day volume)."""
    from analysis.relate import race_features

    log, races, fatigue = synthetic_season(seed=seed, effect_per_100=effect)
    f = race_features(log, races, (28,))
    mean28 = f.groupby("athlete_id")["hf_reps_28d"].transform("mean").to_numpy(dtype=float)
    return log, races, fatigue.assign(differential_s=fatigue["differential_s"] + 0.5 * mean28 / 100)


def test_window_scan_mixed_is_the_within_athlete_slope():
    # issue 12: method="mixed" did not decompose, so the between-athlete confounder
    # pulled its slope off the within-athlete truth (-0.3 s per 100 reps).
    from analysis.relate import race_table

    log, races, fatigue = _confounded(seed=4, effect=-0.3)
    row = window_scan(log, races, fatigue, windows=(28,), method="mixed").iloc[0]
    t = race_table(log, races, fatigue, (28,)).assign(x=lambda d: d["hf_reps_28d"] / 100)
    mm = mixed_model(t, "differential_s", "x", "athlete_id", decompose=True).set_index("term")
    assert row["estimate"] == pytest.approx(mm.loc["x_within", "estimate"])
    assert row["ci_low"] < -0.3 < row["ci_high"]
    plain = mixed_model(t, "differential_s", "x", "athlete_id").set_index("term")
    assert row["estimate"] != pytest.approx(plain.loc["x", "estimate"], rel=1e-4)


@pytest.mark.slow  # long-running
def test_window_scan_effect_planted_at_28_days_is_one_finding_not_eight():
    # the effect acts through the 28-day volume only; every overlapping window then
    # correlates with the fade (significant, familywise), but only the primary window is
    # a finding: no other window adds to it. The old scan called 5-8 of 8 windows findings.
    counts = []
    for seed in range(5):
        log, races, fatigue = synthetic_season(seed=seed, effect_per_100=-0.2)
        scan = window_scan(log, races, fatigue, method="within")
        assert scan.loc[scan["primary"], "window_days"].tolist() == [28]
        assert scan.loc[scan["primary"], "finding"].all()
        counts.append(int(scan["finding"].sum()))
        assert (scan["pvalue_fwer"] >= scan["pvalue"] - 1e-12).all()
    assert max(counts) <= 2 and sum(counts) <= 7, counts
    assert "overstates its effect" in scan.attrs["warning"]
    assert "28-day" in scan.attrs["warning"]
    corr = scan.attrs["window_correlation"]
    assert corr.shape == (8, 8) and np.allclose(corr, corr.T) and np.allclose(np.diag(corr), 1)
    assert corr[np.triu_indices(8, 1)].mean() > 0.2  # overlapping windows: correlated tests


@pytest.mark.slow  # many seeds: a long-running statistical test
def test_window_scan_within_under_no_effect_is_familywise():
    hits = 0
    for seed in range(12):
        log, races, fatigue = synthetic_season(seed=300 + seed, effect_per_100=0.0)
        scan = window_scan(log, races, fatigue, method="within")
        hits += bool(scan["significant"].any())
    assert hits <= 2


def test_max_t_pvalues_between_single_test_and_bonferroni():
    from analysis.stats.multiplicity import max_t_pvalues as _max_t_pvalues

    z = np.array([2.2, 2.0, 0.5])
    same = _max_t_pvalues(z, np.ones((3, 3)), np.inf)  # perfectly correlated: one test
    assert same[0] == pytest.approx(2 * st.norm.sf(2.2), abs=0.005)
    indep = _max_t_pvalues(z, np.eye(3), np.inf)  # independent: Šidák
    assert indep[0] == pytest.approx(1 - (1 - 2 * st.norm.sf(2.2)) ** 3, abs=0.005)
    assert (indep >= same - 1e-12).all()
