"""Tests of analysis.stats.within_athlete_effect, pinned to reference computations (cited)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import EffectResult, within_athlete_effect

DATA = Path(__file__).parent / "data" / "stats"


@pytest.fixture(scope="module")
def dietox() -> pd.DataFrame:
    return pd.read_csv(DATA / "dietox.csv", index_col=0)


@pytest.fixture(scope="module")
def bland1995() -> pd.DataFrame:
    return pd.read_csv(DATA / "bland1995.csv", comment="#")


def _cr2_with_dummies(df: pd.DataFrame, x: str, y: str, g: str, extra: tuple[str, ...] = ()):
    """CR2 written out on the full model with one dummy per cluster (Bell & McCaffrey 2002,
    eq. 8; Pustejovsky & Tipton 2018, eq. 6): A_g = ((I − H)_gg)^(+1/2) (Moore–Penrose,
    because the dummies make (I − H)_gg singular), V = B Σ X_g' A_g e_g e_g' A_g X_g B,
    and the Satterthwaite dof of the x coefficient from the N × N residual maker."""
    dummies = pd.get_dummies(df[g].astype(str), dtype=float)
    X = np.column_stack([df[c].to_numpy(float) for c in (x, *extra)] + [dummies.to_numpy()])
    Y = df[y].to_numpy(float)
    B = np.linalg.pinv(X.T @ X)
    e = Y - X @ (B @ X.T @ Y)
    M = np.eye(len(Y)) - X @ B @ X.T
    groups = df[g].to_numpy()
    meat = np.zeros((X.shape[1],) * 2)
    cols = []
    for lv in pd.unique(groups):
        idx = np.flatnonzero(groups == lv)
        w, v = np.linalg.eigh(M[np.ix_(idx, idx)])
        k = w > 1e-9
        A = (v[:, k] * w[k] ** -0.5) @ v[:, k].T
        u = X[idx].T @ A @ e[idx]
        meat += np.outer(u, u)
        cols.append(M[:, idx] @ A @ X[idx] @ B[:, 0])
    G = np.column_stack(cols).T @ np.column_stack(cols)
    return (B @ X.T @ Y)[0], np.sqrt((B @ meat @ B)[0, 0]), np.trace(G) ** 2 / np.sum(G**2)


def test_cr1_reproduces_statsmodels_cluster_robust_ols_with_dummies_on_dietox(dietox):
    # Reference software: statsmodels 0.15 OLS("Weight ~ Feed + C(Pig)") fitted with
    # cov_type="cluster", groups=Pig, use_t=True (t on G - 1 = 71 df), on the dietox data
    # (Lauridsen et al. 1999; geepack / statsmodels test data, tests/data/stats/README.md).
    # Pinned numbers from that fit: Feed 0.4298047, SE 0.006694434, 95% CI
    # [0.4164564, 0.4431530]; with Time added: Feed 0.1641691, SE 0.03032378,
    # p 7.952e-07, CI [0.1037052, 0.2246330].
    res = within_athlete_effect(dietox, "Feed", "Weight", "Pig", vcov="CR1")
    assert isinstance(res, EffectResult)
    assert res.estimate == pytest.approx(0.4298047, abs=1e-7)
    assert res.se == pytest.approx(0.006694434, abs=1e-9)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.4164564, 0.4431530), abs=1e-7)
    assert (res.dof, res.n_subjects, res.n_obs) == (71, 72, 789)
    assert "72 rows with a missing or non-numeric value left out" in res.note
    res_t = within_athlete_effect(dietox, "Feed", "Weight", "Pig", time="Time", vcov="CR1")
    assert res_t.estimate == pytest.approx(0.1641691, abs=1e-7)
    assert res_t.se == pytest.approx(0.03032378, abs=1e-8)
    assert res_t.pvalue == pytest.approx(7.952e-07, rel=1e-3)
    assert (res_t.ci_low, res_t.ci_high) == pytest.approx((0.1037052, 0.2246330), abs=1e-7)
    # and live against statsmodels, where it is installed (it is a dependency)
    smf = pytest.importorskip("statsmodels.formula.api")
    d = dietox.dropna(subset=["Feed", "Weight", "Time"])
    fit = smf.ols("Weight ~ Feed + Time + C(Pig)", d).fit(
        cov_type="cluster", cov_kwds={"groups": d["Pig"]}, use_t=True
    )
    assert res_t.se == pytest.approx(float(fit.bse["Feed"]), rel=1e-10)
    assert res_t.pvalue == pytest.approx(float(fit.pvalues["Feed"]), rel=1e-8)


def test_cr2_equals_the_full_dummy_model_and_is_pinned(bland1995, dietox):
    # CR2 on the centred design equals CR2 on the model with athlete dummies
    # (Pustejovsky & Tipton 2018, JBES 36:672, Theorem 2). Pinned: Bland & Altman (1995)
    # pH on PaCO2 within subjects: slope -0.1083230 (= the rm_corr common slope of the
    # published example), CR2 SE 0.06546589, Satterthwaite dof 2.280239 — far fewer than
    # the 38 of rm_corr: one subject with a wide PaCO2 range carries the slope.
    res = within_athlete_effect(bland1995, "PaCO2", "pH", "Subject")
    ref = _cr2_with_dummies(bland1995, "PaCO2", "pH", "Subject")
    assert (res.estimate, res.se, res.dof) == pytest.approx(ref, rel=1e-9)
    assert res.estimate == pytest.approx(-0.1083230, abs=1e-7)
    assert res.se == pytest.approx(0.06546589, abs=1e-8)
    assert res.dof == pytest.approx(2.280239, abs=1e-6)
    assert res.pvalue > 0.05  # the within-subject r of -0.51 is not a squad-wide slope here
    assert "effective degrees of freedom" in res.note
    d = dietox.dropna()
    d = d[d["Pig"].isin(d["Pig"].unique()[:20])]
    res = within_athlete_effect(d, "Feed", "Weight", "Pig", time="Time")
    ref = _cr2_with_dummies(d, "Feed", "Weight", "Pig", extra=("Time",))
    assert (res.estimate, res.se, res.dof) == pytest.approx(ref, rel=1e-9)
    assert (res.estimate, res.se, res.dof) == pytest.approx(
        (0.2084564, 0.0418388, 12.643337), abs=1e-6
    )


def test_time_as_dates_equals_days_into_season(dietox):
    d = dietox.dropna().assign(
        day=lambda f: pd.Timestamp("2026-03-02") + pd.to_timedelta(f["Time"] * 7, "D")
    )
    by_date = within_athlete_effect(d, "Feed", "Weight", "Pig", time="day")
    by_week = within_athlete_effect(d, "Feed", "Weight", "Pig", time="Time")
    assert by_date.estimate == pytest.approx(by_week.estimate, rel=1e-9)
    assert by_date.se == pytest.approx(by_week.se, rel=1e-9)
    curved = within_athlete_effect(d, "Feed", "Weight", "Pig", time="Time", time_degree=2)
    assert curved.estimate != pytest.approx(by_week.estimate)
    assert "degree 2" in curved.method


def test_season_trend_is_adjusted_away():
    # volume ramps up through the season while the fade improves for other reasons:
    # without time the within-athlete slope is badly negative, with time it is ~0.
    rng = np.random.default_rng(3)
    rows = []
    for a in range(15):
        days = np.sort(rng.choice(np.arange(0, 180), size=8, replace=False))
        reps = 200 + 2.0 * days + rng.normal(0, 60, 8)
        fade = 1.5 - 0.004 * days + rng.normal(0, 0.1, 8)
        rows.append(pd.DataFrame({"a": f"A{a}", "day": days, "reps": reps, "fade": fade}))
    df = pd.concat(rows)
    naive = within_athlete_effect(df, "reps", "fade", "a")
    adj = within_athlete_effect(df, "reps", "fade", "a", time="day")
    assert naive.pvalue < 0.001 and naive.estimate < 0
    assert adj.ci_low < 0 < adj.ci_high
    assert abs(adj.estimate) < abs(naive.estimate) / 3


def _nan_with(res: EffectResult, words: str) -> None:
    assert np.isnan(res.se) and np.isnan(res.pvalue) and np.isnan(res.ci_low)
    assert words in res.note


def test_degenerate_inputs_give_nan_and_a_note_never_an_error():
    one = pd.DataFrame({"a": ["x"] * 4, "v": [1.0, 2, 3, 4], "y": [1.0, 2.2, 2.9, 4.1]})
    res = within_athlete_effect(one, "v", "y", "a")
    _nan_with(res, "one athlete only")
    assert res.estimate == pytest.approx(1.0)
    flat = pd.DataFrame({"a": list("aabbcc"), "v": [5.0, 5, 7, 7, 1, 1], "y": [1.0, 2, 3, 4, 5, 7]})
    _nan_with(within_athlete_effect(flat, "v", "y", "a"), "never changes within an athlete")
    assert np.isnan(within_athlete_effect(flat, "v", "y", "a").estimate)
    nan = flat.assign(v=np.nan)
    res = within_athlete_effect(nan, "v", "y", "a")
    _nan_with(res, "no athlete has two races")
    assert (res.n_subjects, res.n_obs) == (0, 0)
    assert "6 rows with a missing" in res.note
    empty = flat.iloc[:0]
    _nan_with(within_athlete_effect(empty, "v", "y", "a"), "no athlete has two races")
    lockstep = pd.DataFrame(
        {"a": list("aabbcc"), "v": [1.0, 2, 1, 3, 2, 5], "y": [1.0, 2, 3, 4, 5, 7]}
    )
    lockstep["day"] = lockstep["v"] * 7
    _nan_with(within_athlete_effect(lockstep, "v", "y", "a", time="day"), "lockstep")
    text = pd.DataFrame(
        {
            "a": list("aaabbbcccd"),
            "v": ["1", "2", "4", "x", "4", "6", "2", np.inf, "3", "5"],
            "y": [1.0, 2, 4, 3, 4, 6.5, 1, 2, 2, 9],
        }
    )
    res = within_athlete_effect(text, "v", "y", "a")
    assert "2 rows with a missing or non-numeric value left out" in res.note
    assert "1 athletes with a single race left out" in res.note
    assert (res.n_subjects, res.n_obs) == (3, 7)
    assert np.isfinite(res.se)


def test_covariate_constant_within_athletes_is_not_adjusted_for_and_said(bland1995):
    d = bland1995.assign(group=bland1995["Subject"] % 2)
    res = within_athlete_effect(d, "PaCO2", "pH", "Subject", covariates=["group"])
    assert res.estimate == pytest.approx(-0.1083230, abs=1e-7)
    assert "not adjusted for group" in res.note


def test_unknown_column_is_a_dataerror(bland1995):
    from analysis.errors import DataError

    with pytest.raises(DataError, match="lacks column"):
        within_athlete_effect(bland1995, "nope", "pH", "Subject")


def _calibration():
    import importlib.util
    import sys

    if "stats_calibration" in sys.modules:
        return sys.modules["stats_calibration"]
    path = Path(__file__).parents[1] / "benchmarks" / "stats_calibration.py"
    spec = importlib.util.spec_from_file_location("stats_calibration", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["stats_calibration"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["trend", "season"])
def test_calibration_short_run_within_is_honest_where_rm_corr_is_not(scenario):
    # a short version of benchmarks/stats_calibration.py (80 seeds, 12 athletes): with a
    # season trend the old estimator finds an "effect" in most null seasons; the
    # within-athlete effect with time= keeps near 5 % and covers the planted effect.
    res = _calibration().run(12, scenario, 80, seed0=10_000)
    assert res["fpr_within"] <= 0.13
    assert res["cov_within"] >= 0.86
    assert res["fpr_rm_corr"] >= 0.3
    assert res["cov_rm_corr"] <= 0.6


def test_simulated_season_has_the_shape_the_benchmark_claims():
    sim = _calibration().simulate_season(12, -0.05, "season", seed=1)
    per = sim.groupby("athlete_id")
    assert per.size().between(4, 12).all() and per.size().min() < per.size().max()
    gaps = per["day"].diff().dropna()
    assert gaps.between(7, 21).all()
    # the volume ramps up through the season
    assert np.corrcoef(sim["day"], sim["hf_reps_28d"])[0, 1] > 0.3


# -- adjusted_effect: does adjusting for a covariate (session load) change the answer?


def _load_season(*, confounded: bool, seed: int = 4, athletes: int = 20, races: int = 8):
    """Races of a squad where total session load ``load`` changes within each athlete.

    True within-athlete effect of ``x`` on ``y``: −0.3 per unit. Load worsens ``y`` by 0.8
    per unit. ``confounded``: ``x`` rises with load (x = load + noise), so the unadjusted
    slope is biased by 0.8 × cov(load, x)/var(x) = 0.8 × 1/1.25 = +0.64 (to about +0.34 with these 20 athletes x 8 races);
    otherwise ``x`` and load are independent and adjusting only narrows the interval.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(athletes):
        load = rng.normal(0, 1, races)
        x = (load if confounded else rng.normal(0, 1, races)) + rng.normal(0, 0.5, races)
        y = 2.0 + rng.normal(0, 0.5) - 0.3 * x + 0.8 * load + rng.normal(0, 0.15, races)
        rows.append(pd.DataFrame({"a": f"A{a}", "day": np.arange(races) * 14.0, "x": x,
                                  "load": load, "y": y}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_adjusting_for_a_confounder_moves_the_estimate_to_the_truth():
    from analysis.stats import adjusted_effect

    df = _load_season(confounded=True)
    adj = adjusted_effect(df, "x", "y", "a", "load", time="day")
    assert adj.made and adj.why == "" and (adj.n_rows, adj.n_known) == (160, 160)
    # without the adjustment: the wrong sign, the truth far outside the interval
    assert adj.unadjusted.estimate == pytest.approx(0.34, abs=0.1)
    assert adj.unadjusted.ci_low > 0
    # with it: the true −0.3, inside the interval
    assert adj.adjusted.estimate == pytest.approx(-0.3, abs=0.06)
    assert adj.adjusted.ci_low < -0.3 < adj.adjusted.ci_high < 0
    assert (adj.answer_before, adj.answer_after, adj.changes_answer) == (
        "positive", "negative", True)  # fmt: skip
    # the same as within_athlete_effect with the covariate
    ref = within_athlete_effect(df, "x", "y", "a", time="day", covariates=["load"])
    assert adj.adjusted == ref


def test_adjusting_for_a_load_that_is_no_confounder_leaves_the_answer():
    from analysis.stats import adjusted_effect

    adj = adjusted_effect(_load_season(confounded=False), "x", "y", "a", "load", time="day")
    assert adj.made and adj.changes_answer is False
    assert adj.answer_before == adj.answer_after == "negative"
    assert adj.adjusted.estimate == pytest.approx(adj.same_rows.estimate, abs=0.1)
    assert adj.same_rows.ci_low < -0.3 < adj.same_rows.ci_high
    assert adj.adjusted.estimate == pytest.approx(-0.3, abs=0.06)
    # load explains part of y: the adjusted interval is narrower
    width = lambda r: r.ci_high - r.ci_low  # noqa: E731
    assert width(adj.adjusted) < width(adj.same_rows)


def test_adjustment_not_made_when_the_covariate_is_mostly_missing_or_constant():
    from analysis.stats import adjusted_effect

    df = _load_season(confounded=True)
    sparse = df.assign(load=df["load"].where(df.index % 10 < 3))  # 30 % known
    adj = adjusted_effect(sparse, "x", "y", "a", "load", time="day")
    assert not adj.made and adj.changes_answer is None
    assert (adj.n_rows, adj.n_known) == (160, 48) and adj.share == pytest.approx(0.3)
    assert "only 48 of the 160" in adj.why
    assert np.isfinite(adj.unadjusted.estimate)  # the headline stands
    none = adjusted_effect(df.assign(load=np.nan), "x", "y", "a", "load", time="day")
    assert not none.made and "not known for any" in none.why
    const = adjusted_effect(df.assign(load=df["a"].str[1:].astype(float)), "x", "y", "a", "load")
    assert not const.made and "never changes within an athlete" in const.why
