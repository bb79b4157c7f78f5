"""Squad statistics linear in athletes (issue 25): the same numbers as the former
races × athletes computation, at a cost that grows with the squad, not its square.

The reference below is the implementation of ``analysis.stats._within_fit`` and of the
per-athlete loop of ``athlete_slopes`` as they were before (commit 6513138), kept here
verbatim in substance: CR2 adjustments one cluster at a time and the Satterthwaite
degrees of freedom from the N × G matrix a_g = M·embed_g(v_g) (Bell & McCaffrey 2002,
eq. 11). The published-reference tests (Bland & Altman 1995, dietox against statsmodels
and the full dummy model) stay in tests/test_stats_within.py, unchanged.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from analysis.stats import athlete_slopes, within_athlete_effect
from analysis.stats import within as stats


def _reference_sym_power(m: np.ndarray, power: float) -> np.ndarray:
    w, v = np.linalg.eigh(m)
    keep = w > 1e-10 * max(1.0, float(np.abs(w).max(initial=0.0)))
    wp = np.zeros_like(w)
    wp[keep] = w[keep] ** power
    return (v * wp) @ v.T


def _reference_within_fit(Xc, Yc, codes, vcov):
    """The former ``_within_fit``: one cluster at a time, dof from the N × G matrix."""
    n, p = Xc.shape
    g = int(codes.max()) + 1
    bread = np.linalg.inv(Xc.T @ Xc)
    beta = bread @ (Xc.T @ Yc)
    e = Yc - Xc @ beta
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(g + 1))
    scores = np.empty((g, p))
    adj_rows = np.empty((n, p))
    for j in range(g):
        idx = order[bounds[j] : bounds[j + 1]]
        xg = Xc[idx]
        if vcov == "CR2":
            a = _reference_sym_power(np.eye(len(idx)) - xg @ bread @ xg.T, -0.5)
            scores[j] = xg.T @ (a @ e[idx])
            adj_rows[idx] = a @ xg
        else:
            scores[j] = xg.T @ e[idx]
            adj_rows[idx] = xg
    meat = scores.T @ scores
    if vcov == "CR1":
        meat = meat * (g / (g - 1)) * ((n - 1) / (n - p - g))
        dof = float(g - 1)
    else:
        c = bread[:, 0]
        v = adj_rows @ c
        cnt = np.bincount(codes, minlength=g).astype(np.float64)
        vbar = np.bincount(codes, v, g) / cnt
        proj = np.stack([np.bincount(codes, Xc[:, k] * v, g) for k in range(p)], 1)
        amat = -(Xc @ bread @ proj.T)  # N × G
        amat[np.arange(n), codes] += v - vbar[codes]
        gtg = amat.T @ amat
        dof = float(np.trace(gtg) ** 2 / np.sum(gtg**2))
    return stats._WithinFit(beta, bread, scores, bread @ meat @ bread, dof, n, g)


def _reference_own_slopes(d: pd.DataFrame, x: str, y: str, subject: str, min_obs: int = 3):
    """The former per-athlete loop of ``athlete_slopes``."""
    rows = []
    for key, g in d.groupby(subject, sort=False, observed=True):
        n = len(g)
        b = se = np.nan
        xv, yv = g[x].to_numpy(), g[y].to_numpy()
        sxx = float(((xv - xv.mean()) ** 2).sum())
        if n >= min_obs and sxx > 0:
            b = float(((xv - xv.mean()) * (yv - yv.mean())).sum() / sxx)
            resid = yv - yv.mean() - b * (xv - xv.mean())
            se = float(np.sqrt((resid @ resid) / (n - 2) / sxx)) if n > 2 else np.nan
        rows.append({subject: key, "n": n, "slope": b, "se": se})
    return pd.DataFrame(rows, columns=[subject, "n", "slope", "se"])


def _squad(athletes: int, seed: int, *, lo: int = 2, hi: int = 12) -> pd.DataFrame:
    """Unbalanced season: 2–12 races per athlete, volume, a covariate, a fade with a
    season trend, differing slopes and athlete levels; one athlete with a single race."""
    rng = np.random.default_rng(seed)
    parts = []
    for a in range(athletes):
        k = int(rng.integers(lo, hi + 1))
        day = np.sort(rng.choice(np.arange(0, 200), size=k, replace=False)).astype(float)
        reps = rng.normal(300, 80) + 1.5 * day + rng.normal(0, 90, k)
        load = rng.normal(0, 1, k) + 0.002 * reps
        fade = (
            rng.normal(1.0, 0.3)
            + (-0.0005 + rng.normal(0, 0.0004)) * reps
            - 0.002 * day
            + 0.05 * load
            + rng.normal(0, 0.1, k)
        )
        parts.append(pd.DataFrame({"a": f"A{a:04d}", "day": day, "reps": reps, "load": load,
                                   "fade": fade}))  # fmt: skip
    parts.append(pd.DataFrame({"a": ["solo"], "day": [250.0], "reps": [500.0], "load": [0.3],
                               "fade": [0.7]}))  # fmt: skip
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed)


def _assert_fits_equal(new, ref) -> None:
    np.testing.assert_allclose(new.beta, ref.beta, rtol=1e-10, atol=0)
    np.testing.assert_allclose(new.scores, ref.scores, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(new.vcov, ref.vcov, rtol=1e-10, atol=0)
    assert new.dof == pytest.approx(ref.dof, rel=1e-10)
    assert (new.n_obs, new.n_subjects) == (ref.n_obs, ref.n_subjects)


@pytest.mark.parametrize("athletes", [2, 3, 7, 12, 40, 200])
@pytest.mark.parametrize(
    ("time", "covs", "degree"), [(None, (), 1), ("day", (), 1), ("day", ("load",), 2)]
)
@pytest.mark.parametrize("vcov", ["CR2", "CR1"])
def test_within_fit_equals_the_races_by_athletes_formula_at_squad_sizes(
    athletes, time, covs, degree, vcov
):
    d = _squad(athletes, seed=athletes)
    des = stats._within_design(d, "reps", "fade", "a", time, covs, degree)
    new = stats._within_fit(des.Xc, des.Yc, des.codes, vcov)
    ref = _reference_within_fit(des.Xc, des.Yc, des.codes, vcov)
    _assert_fits_equal(new, ref)
    if vcov == "CR2" and athletes >= 12:
        assert 1.0 < new.dof < athletes  # a real Satterthwaite value, not G − 1


def test_within_athlete_effect_is_unchanged_on_the_calibration_seasons(monkeypatch):
    # the public result (estimate, se, interval, p, dof, note) on seasons from
    # benchmarks/stats_calibration.py, with the fit swapped for the former one
    import importlib.util
    import sys
    from pathlib import Path

    name = "stats_calibration"
    if name not in sys.modules:
        path = Path(__file__).parents[1] / "benchmarks" / "stats_calibration.py"
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    cal = sys.modules[name]
    seasons = [cal.simulate_season(g, -0.05, "season", seed=s) for g, s in [(12, 1), (40, 2)]]
    new = [within_athlete_effect(t, "x100", "differential_s", "athlete_id", time="day")
           for t in seasons]  # fmt: skip
    monkeypatch.setattr(stats, "_within_fit", _reference_within_fit)
    old = [within_athlete_effect(t, "x100", "differential_s", "athlete_id", time="day")
           for t in seasons]  # fmt: skip
    for a, b in zip(new, old, strict=True):
        for field in ("estimate", "se", "ci_low", "ci_high", "pvalue", "dof"):
            assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-10), field
        assert (a.n_subjects, a.n_obs, a.note, a.method) == (
            b.n_subjects, b.n_obs, b.note, b.method)  # fmt: skip


def test_clusters_of_one_race_and_rank_deficient_blocks_match_the_reference():
    # clusters of one row (the dummy absorbs them: I − H_gg = 0, left out by Moore–
    # Penrose) and of two rows (rank one after centring), mixed with larger ones
    rng = np.random.default_rng(5)
    codes = np.repeat(np.arange(9), [1, 2, 2, 3, 5, 1, 8, 2, 4])
    rng.shuffle(codes)
    X = rng.normal(size=(len(codes), 2))
    Y = X @ [0.5, -1.0] + rng.normal(size=len(codes))
    g = codes.max() + 1
    cnt = np.bincount(codes, minlength=g)
    Xc = X - (np.stack([np.bincount(codes, X[:, j], g) for j in range(2)], 1) / cnt[:, None])[codes]
    Yc = Y - (np.bincount(codes, Y, g) / cnt)[codes]
    _assert_fits_equal(
        stats._within_fit(Xc, Yc, codes, "CR2"), _reference_within_fit(Xc, Yc, codes, "CR2")
    )


def test_own_slopes_equal_the_per_athlete_loop():
    d = _squad(60, seed=9, lo=1, hi=9)
    d.loc[d["a"] == "A0003", "reps"] = 250.0  # no spread in x: no slope
    for min_obs in (2, 3, 5):
        got = stats._own_slopes(
            d["reps"].to_numpy(), d["fade"].to_numpy(), d["a"].to_numpy(), min_obs
        ).rename(columns={"_subject": "a"})
        ref = _reference_own_slopes(d, "reps", "fade", "a", min_obs)
        pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=1e-10, atol=1e-14)
    assert np.isnan(got.set_index("a").loc["A0003", "slope"])


def test_athlete_slopes_without_time_are_unchanged():
    d = _squad(30, seed=4)
    got = athlete_slopes(d, "reps", "fade", "a")
    ref = _reference_own_slopes(d, "reps", "fade", "a")
    pd.testing.assert_frame_equal(
        got[["a", "n", "slope", "se"]], ref, check_exact=False, rtol=1e-10, atol=1e-14
    )


def test_constant_volume_with_rounding_is_no_slope():
    # 0.1 three times: its mean is not exactly 0.1 in floating point, so the deviations
    # are ~1e-17 and their sum of squares positive; no spread means no slope all the same
    d = pd.DataFrame({"a": list("aaabbb"), "x": [0.1, 0.1, 0.1, 1.0, 2.0, 3.0],
                      "y": [1.0, 2.0, 4.0, 1.0, 2.5, 2.9]})  # fmt: skip
    got = stats._own_slopes(d["x"].to_numpy(), d["y"].to_numpy(), d["a"].to_numpy(), 3)
    assert np.isnan(got.loc[0, "slope"]) and np.isfinite(got.loc[1, "slope"])


def test_memory_of_the_squad_fit_does_not_grow_with_races_times_athletes():
    # 2,000 athletes x 10 races: the former N x G matrix alone was 20,000 x 2,000 x 8 B
    # = 320 MB (and its G x G product 32 MB); the per-cluster pieces need a few MB
    rng = np.random.default_rng(0)
    g, k = 2000, 10
    codes = np.repeat(np.arange(g), k)
    day = np.tile(np.arange(k) * 14.0, g) + rng.integers(0, 7, g * k)
    x = rng.normal(size=g * k) + 0.01 * day
    y = -0.05 * x - 0.002 * day + rng.normal(size=g * k)
    d = pd.DataFrame({"a": codes, "day": day, "x": x, "y": y})
    tracemalloc.start()
    try:
        res = within_athlete_effect(d, "x", "y", "a", time="day")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.isfinite(res.se) and res.n_subjects == g
    assert peak < 40e6, f"peak {peak / 1e6:.0f} MB"
