"""Statistics that respect repeated measures per athlete (pingouin-style API).

Tidy in, tidy out: every function takes a DataFrame and column names and returns a frozen
dataclass or a small DataFrame whose fields are named as the literature names them
(``r, dof, pvalue, ci_low, ci_high, n``). Every result carries its sample size and its
uncertainty, and a plain-words ``note`` when the sample is too small to lean on.

scipy and statsmodels do the heavy lifting (t/U tests, bootstrap, Fisher-z CIs, mixed
models, Benjamini–Hochberg); the repeated-measures correlation is a few lines of numpy
(see :func:`rm_corr` for why not pingouin's), pinned in the tests to the published values
of its reference paper and cross-checked against ``pingouin.rm_corr``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd

from ._lazy import lazy_module
from .errors import DataError

st = lazy_module("scipy.stats")  # imported on first use (1 s of CPU an athlete report saves)

__all__ = [
    "CorrResult",
    "compare_groups",
    "fdr_bh",
    "hedges_g",
    "mixed_model",
    "rm_corr",
    "window_scan",
    "within_between",
]

MIN_SUBJECTS = 5
MIN_DOF = 10
MIN_GROUP_N = 5


@dataclass(frozen=True)
class CorrResult:
    """A correlation with its degrees of freedom, p-value, CI and sample sizes."""

    r: float
    dof: int
    pvalue: float
    ci_low: float
    ci_high: float
    n: int
    n_subjects: int
    method: str
    slope: float = np.nan
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the fields."""
        return pd.DataFrame([asdict(self)])


def _columns(data: pd.DataFrame, *cols: str) -> pd.DataFrame:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DataError(f"data lacks column(s) {missing}")
    out = data[list(cols)].dropna()
    return out


def _numeric(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def _finite_rows(data: pd.DataFrame, numeric: Sequence[str], key: str) -> tuple[pd.DataFrame, str]:
    """The rows of ``data`` with ``key`` present and every ``numeric`` column a finite
    number (as float64), and a note counting the rows left out for ±inf or non-numeric
    text (rows with NA are dropped silently, as :func:`_columns` does)."""
    d = _columns(data, *numeric, key)
    num = {c: _numeric(d[c]) for c in numeric}
    finite = np.logical_and.reduce([np.isfinite(v) for v in num.values()])
    out = pd.DataFrame({**num, key: d[key].to_numpy()})[finite].reset_index(drop=True)
    n_dropped = int((~finite).sum())
    note = f"{n_dropped} rows with infinite or non-numeric values left out" if n_dropped else ""
    return out, note


def _fisher_ci(r: float, n_eff: float, ci: float) -> tuple[float, float]:
    """Fisher-z CI of a correlation, standard error 1/sqrt(n_eff − 3)."""
    if not np.isfinite(r) or n_eff <= 3 or abs(r) >= 1:
        return (np.nan, np.nan)
    z = np.arctanh(r)
    half = st.norm.ppf(0.5 + ci / 2) / np.sqrt(n_eff - 3)
    return (float(np.tanh(z - half)), float(np.tanh(z + half)))


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def rm_corr(data: pd.DataFrame, x: str, y: str, subject: str, *, ci: float = 0.95) -> CorrResult:
    """Repeated-measures correlation: the common within-subject association of x and y.

    Parameters
    ----------
    data : DataFrame
        Long data, one row per observation (rows with NA in x, y or subject are dropped,
        and rows with ±inf or non-numeric text in x or y, which ``note`` counts).
    x, y : str
        Numeric columns.
    subject : str
        Subject (athlete) identifier column.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    CorrResult
        ``r`` (r_rm), ``dof`` (N − k − 1), ``pvalue`` (two-sided), ``ci_low``/``ci_high``,
        ``n`` observations, ``n_subjects`` k, ``slope`` (common within-subject slope of y
        on x) and ``note``.

    Notes
    -----
    ANCOVA form (Bakdash & Marusich 2017): with x and y centred on each subject's mean,
    r_rm = Σ x̃ỹ / √(Σ x̃² Σ ỹ²), which equals sign(β)·√(SS_x / (SS_x + SS_res)) of the
    model y ~ subject + x. dof = N − k − 1; t = r √(dof / (1 − r²)) (equivalently the
    Type III F of x). CI as the rmcorr R package since 0.5.4 (``psych::r.con(r, dof + 2)``):
    Fisher z with the effective sample size dof + 2, i.e. standard error 1/√(dof − 1)
    (versions before 0.5.4 used dof, giving slightly wider intervals; see the package's
    "Confidence Interval Fix" vignette).

    Why not ``pingouin.rm_corr``: the tests check that r, dof and p agree with it to
    1e-9 on the Bland & Altman data, and its interval uses the same corrected
    effective sample size (dof + 2, as rmcorr >= 0.5.4), so nothing is gained in
    correctness. Ours keeps the interval at full precision (pingouin rounds it to two
    decimals) and without pingouin's floor of three subjects, adds the common slope and
    plain-words notes, and avoids a heavy runtime dependency (pingouin pulls in
    scikit-learn, seaborn and xarray, and 0.7.0 raises pandas 3 deprecation warnings);
    pingouin is a dev-only dependency, for that cross-check.

    References
    ----------
    Bakdash JZ, Marusich LR (2017). Repeated measures correlation. Front Psychol 8:456.
    Bland JM, Altman DG (1995). Calculating correlation coefficients with repeated
    observations: Part 1 — correlation within subjects. BMJ 310:446.
    Vallat R (2018). Pingouin: statistics in Python. J Open Source Softw 3(31):1026.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": list("aaabbb"), "x": [1, 2, 3, 1, 2, 3], "y": [2, 4, 5, 7, 8, 10]})
    >>> round(rm_corr(df, "x", "y", "s").r, 3)
    0.982
    """
    d, dropped = _finite_rows(data, (x, y), subject)
    xs, ys = d[x].to_numpy(), d[y].to_numpy()
    codes, uniques = pd.factorize(d[subject].to_numpy())
    n, k = len(xs), len(uniques)
    dof = n - k - 1
    notes = [dropped]
    if k < MIN_SUBJECTS:
        notes.append(f"only {k} athletes: the within-athlete estimate rests on very few people")
    if dof < MIN_DOF:
        notes.append(f"only {max(dof, 0)} degrees of freedom: the estimate is very uncertain")
    if dof < 1:
        return CorrResult(
            np.nan, max(dof, 0), np.nan, np.nan, np.nan, n, k, "rm_corr",
            note=_join(*notes, "too few repeated observations to estimate"),
        )  # fmt: skip
    counts = np.bincount(codes, minlength=k)
    xc = xs - (np.bincount(codes, weights=xs, minlength=k) / counts)[codes]
    yc = ys - (np.bincount(codes, weights=ys, minlength=k) / counts)[codes]
    sxy, sxx, syy = float(xc @ yc), float(xc @ xc), float(yc @ yc)
    if sxx <= 0 or syy <= 0:
        return CorrResult(
            np.nan, dof, np.nan, np.nan, np.nan, n, k, "rm_corr",
            note=_join(*notes, "x or y never varies within an athlete"),
        )  # fmt: skip
    r = sxy / np.sqrt(sxx * syy)
    r = float(np.clip(r, -1.0, 1.0))
    with np.errstate(divide="ignore"):
        t = r * np.sqrt(dof / (1 - r**2)) if abs(r) < 1 else np.sign(r) * np.inf
    p = float(2 * st.t.sf(abs(t), dof))
    lo, hi = _fisher_ci(r, dof + 2, ci)  # effective sample size, rmcorr >= 0.5.4
    return CorrResult(r, dof, p, lo, hi, n, k, "rm_corr", slope=sxy / sxx, note=_join(*notes))


def within_between(
    data: pd.DataFrame, x: str, y: str, subject: str, *, ci: float = 0.95
) -> pd.DataFrame:
    """The within-athlete and the between-athlete association, kept apart.

    Parameters
    ----------
    data : DataFrame
        Long data, one row per observation.
    x, y, subject : str
        Column names.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        Two rows, ``level`` = ``within`` (repeated-measures correlation, :func:`rm_corr`)
        and ``between`` (Pearson correlation of the athletes' means of x and y; its
        ``n`` and ``n_subjects`` are the number of athletes), with ``r, dof, pvalue,
        ci_low, ci_high, n, n_subjects, slope, note``.

    Notes
    -----
    Pooling all observations into one Pearson correlation mixes two different questions
    (does an athlete fade less when *they* do more work? do athletes who do more work fade
    less?) and can even reverse sign (Simpson's paradox). Between: r of the k athlete
    means, dof = k − 2, Fisher-z CI with standard error 1/√(k − 3) (``scipy.stats.pearsonr``).

    References
    ----------
    Bland JM, Altman DG (1995). Calculating correlation coefficients with repeated
    observations: Part 2 — correlation between subjects. BMJ 310:633.
    Bakdash JZ, Marusich LR (2017). Front Psychol 8:456.
    """
    within = rm_corr(data, x, y, subject, ci=ci)
    d, dropped = _finite_rows(data, (x, y), subject)
    means = d.groupby(subject, sort=True, observed=True)[[x, y]].mean()
    k = len(means)
    notes = [dropped]
    if k < MIN_SUBJECTS:
        notes.append(
            f"fewer than {MIN_SUBJECTS} athletes: the between-athlete estimate is unreliable"
        )
    if k >= 3 and means[x].std() > 0 and means[y].std() > 0:
        res = st.pearsonr(means[x], means[y])
        r, p = float(res.statistic), float(res.pvalue)
        if k > 3:
            ci_res = res.confidence_interval(confidence_level=ci)
            lo, hi = float(ci_res.low), float(ci_res.high)
        else:
            lo, hi = np.nan, np.nan
        slope = float(np.polyfit(means[x], means[y], 1)[0])
    else:
        r = p = lo = hi = slope = np.nan
        notes.append("not enough athletes with varying means to correlate")
    between = CorrResult(
        r, max(k - 2, 0), p, lo, hi, k, k, "pearson_of_means", slope, _join(*notes)
    )
    return pd.concat(
        [within.to_frame().assign(level="within"), between.to_frame().assign(level="between")],
        ignore_index=True,
    )[["level", *CorrResult.__dataclass_fields__]]


def mixed_model(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    group: str,
    covariates: Iterable[str] = (),
    *,
    decompose: bool = False,
    ci: float = 0.95,
    reml: bool = True,
) -> pd.DataFrame:
    """Linear mixed model with a random intercept per group (athlete), as a tidy table.

    Parameters
    ----------
    data : DataFrame
        Long data. Rows with NA in any used column are dropped, and rows with ±inf (which
        statsmodels refuses) or non-numeric text in a numeric column, counted in ``note``.
    y : str
        Outcome column (e.g. ``differential_s``).
    x : str or sequence of str
        Predictor column(s) of interest (e.g. ``hf_reps_28d``).
    group : str
        Grouping column (athlete).
    covariates : iterable of str
        Further numeric fixed-effect columns.
    decompose : bool, default False
        If True, each ``x`` is split into ``{x}_within`` (x minus the athlete's mean:
        the within-athlete effect) and ``{x}_between`` (the athlete's mean: the
        between-athlete effect), the within–between ("hybrid"/Mundlak) model.
    ci : float, default 0.95
        Confidence level of the Wald intervals.
    reml : bool, default True
        REML (statsmodels' default) or ML.

    Returns
    -------
    DataFrame
        One row per fixed effect (``Intercept``, predictors), then ``Group Var`` (random
        intercept variance) and ``Residual Var``: ``term, estimate, se, z, ci_low,
        ci_high, pvalue, n_obs, n_groups, note``.

    Notes
    -----
    y_ij = β0 + β·x_ij + u_j + ε_ij, u_j ~ N(0, τ²), ε_ij ~ N(0, σ²), fitted by
    ``statsmodels.regression.mixed_linear_model.MixedLM``; Wald z tests and intervals.

    References
    ----------
    Seabold S, Perktold J (2010). statsmodels: econometric and statistical modeling with
    Python. Proc 9th Python in Science Conference.
    Bell A, Jones K (2015). Explaining fixed effects: random effects modeling of
    time-series cross-sectional and panel data. Political Science Research and Methods
    3(1):133-153.
    """
    from statsmodels.regression.mixed_linear_model import MixedLM

    xs = [x] if isinstance(x, str) else list(x)
    covs = list(covariates)
    d, dropped = _finite_rows(data, (y, *xs, *covs), group)
    exog = pd.DataFrame({"Intercept": np.ones(len(d))})
    for c in xs:
        if decompose:
            mean = d.groupby(group, sort=False, observed=True)[c].transform("mean")
            exog[f"{c}_within"] = d[c] - mean
            exog[f"{c}_between"] = mean
        else:
            exog[c] = d[c]
    for c in covs:
        exog[c] = d[c]
    n_obs, n_groups = len(d), int(d[group].nunique())
    notes = [dropped]
    if n_groups < MIN_SUBJECTS:
        notes.append(
            f"fewer than {MIN_SUBJECTS} athletes: the random-intercept variance is unreliable"
        )
    if n_obs <= exog.shape[1] + 1 or n_groups < 2:
        cols = [
            "term",
            "estimate",
            "se",
            "z",
            "ci_low",
            "ci_high",
            "pvalue",
            "n_obs",
            "n_groups",
            "note",
        ]
        return pd.DataFrame(
            [[t, *[np.nan] * 6, n_obs, n_groups, _join(*notes, "too few observations to fit")] for t in exog.columns],
            columns=cols,
        )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = MixedLM(d[y].to_numpy(), exog, groups=d[group].to_numpy()).fit(reml=reml)
    if not fit.converged:
        notes.append("the model did not converge: treat the estimates with caution")
    if any(
        "boundary" in str(w.message).lower() or "singular" in str(w.message).lower() for w in caught
    ):
        notes.append("between-athlete variance estimated at or near zero")
    names = list(exog.columns)
    fe = fit.fe_params.to_numpy()
    se = fit.bse_fe.to_numpy()
    zcrit = st.norm.ppf(0.5 + ci / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = fe / se
    table = pd.DataFrame(
        {
            "term": names,
            "estimate": fe,
            "se": se,
            "z": z,
            "ci_low": fe - zcrit * se,
            "ci_high": fe + zcrit * se,
            "pvalue": 2 * st.norm.sf(np.abs(z)),
        }
    )
    var = pd.DataFrame(
        {
            "term": ["Group Var", "Residual Var"],
            "estimate": [float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale)],
        }
    )
    return pd.concat([table, var], ignore_index=True).assign(
        n_obs=n_obs, n_groups=n_groups, note=_join(*notes)
    )


def hedges_g(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    """Hedges' g of two independent samples (vectorised along ``axis``).

    Notes
    -----
    g = J · (mean_a − mean_b) / s_p, with s_p² = ((n_a − 1)s_a² + (n_b − 1)s_b²) /
    (n_a + n_b − 2) and J = 1 − 3 / (4(n_a + n_b) − 9) (Hedges & Olkin 1985; Lakens 2013,
    eq. 4).

    References
    ----------
    Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis. Academic Press.
    Lakens D (2013). Calculating and reporting effect sizes to facilitate cumulative
    science: a practical primer for t-tests and ANOVAs. Front Psychol 4:863.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na, nb = a.shape[axis], b.shape[axis]
    sp = np.sqrt(
        ((na - 1) * a.var(axis=axis, ddof=1) + (nb - 1) * b.var(axis=axis, ddof=1)) / (na + nb - 2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (a.mean(axis=axis) - b.mean(axis=axis)) / sp
    return d * (1 - 3 / (4 * (na + nb) - 9))


def fdr_bh(pvalues: Iterable[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN kept as NaN).

    Uses ``scipy.stats.false_discovery_control(method="bh")`` on the finite values.

    References
    ----------
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate: a practical and
    powerful approach to multiple testing. J R Stat Soc B 57(1):289-300.
    """
    p = np.asarray(list(pvalues), dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = st.false_discovery_control(p[ok], method="bh")
    return out


def _pair(a: np.ndarray, b: np.ndarray, ci: float, n_resamples: int, seed: int) -> dict:
    na, nb = len(a), len(b)
    row: dict = {
        "n_a": na,
        "n_b": nb,
        "mean_a": a.mean() if na else np.nan,
        "sd_a": a.std(ddof=1) if na > 1 else np.nan,
        "mean_b": b.mean() if nb else np.nan,
        "sd_b": b.std(ddof=1) if nb > 1 else np.nan,
    }
    row["diff"] = row["mean_a"] - row["mean_b"]
    notes = []
    if min(na, nb) < MIN_GROUP_N:
        notes.append(f"a group has fewer than {MIN_GROUP_N} values: the comparison is unreliable")
    if na >= 2 and nb >= 2:
        tt = st.ttest_ind(a, b, equal_var=False)
        row.update(t=float(tt.statistic), dof=float(tt.df), pvalue_welch=float(tt.pvalue))
        mw = st.mannwhitneyu(a, b, alternative="two-sided")
        row.update(u=float(mw.statistic), pvalue_mwu=float(mw.pvalue))
        row["hedges_g"] = float(hedges_g(a, b))
        lo = hi = np.nan
        if min(na, nb) >= 3 and np.isfinite(row["hedges_g"]):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                boot = st.bootstrap(
                    (a, b),
                    hedges_g,
                    n_resamples=n_resamples,
                    confidence_level=ci,
                    method="BCa",
                    rng=np.random.default_rng(seed),
                )
            lo, hi = float(boot.confidence_interval.low), float(boot.confidence_interval.high)
        if not np.isfinite(lo):
            notes.append("no bootstrap interval for Hedges g (too few or identical values)")
        row.update(g_ci_low=lo, g_ci_high=hi)
    else:
        row.update(t=np.nan, dof=np.nan, pvalue_welch=np.nan, u=np.nan, pvalue_mwu=np.nan)
        row.update(hedges_g=np.nan, g_ci_low=np.nan, g_ci_high=np.nan)
        notes.append("a group has fewer than 2 values: no test")
    row["note"] = _join(*notes)
    return row


def compare_groups(
    data: pd.DataFrame,
    value: str,
    group: str,
    *,
    reference: object | None = None,
    pairs: Literal["reference", "all"] = "reference",
    ci: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Compare a value between groups (cohorts): Welch t, Mann–Whitney U, Hedges g.

    Parameters
    ----------
    data : DataFrame
        One row per unit (compare independent units: e.g. one row per athlete, such as
        athlete means, not repeated races of the same athletes).
    value, group : str
        Numeric outcome column and grouping column.
    reference : optional
        The reference group (``group_b`` of every row when ``pairs="reference"``), a
        value of ``group`` as it is (``400`` for an integer column); default the first
        group in the values' natural order (numbers numerically, an ordered categorical
        by its categories, text alphabetically).
    pairs : {"reference", "all"}, default "reference"
        With more than two groups: each group against the reference, or all pairs.
    ci : float, default 0.95
        Confidence level of the bootstrap interval of g.
    n_resamples : int, default 2000
        Bootstrap resamples (BCa, ``scipy.stats.bootstrap``, each group resampled
        independently).
    seed : int, default 0
        Seed of the bootstrap, so results are reproducible.

    Returns
    -------
    DataFrame
        One row per comparison ``group_a`` vs ``group_b``: ``n_a, n_b, mean_a, sd_a,
        mean_b, sd_b, diff, t, dof, pvalue_welch, u, pvalue_mwu, hedges_g, g_ci_low,
        g_ci_high, pvalue_welch_adj, pvalue_mwu_adj`` (Benjamini–Hochberg over the rows;
        equal to the raw p with a single comparison) and ``note``.

    Notes
    -----
    Welch's t does not assume equal variances (``scipy.stats.ttest_ind(equal_var=False)``);
    Mann–Whitney U is the rank-based check (``scipy.stats.mannwhitneyu``, two-sided);
    Hedges' g: see :func:`hedges_g`.

    References
    ----------
    Welch BL (1947). Biometrika 34:28-35. Mann HB, Whitney DR (1947). Ann Math Stat
    18:50-60. Lakens D (2013). Front Psychol 4:863. Efron B (1987). Better bootstrap
    confidence intervals. JASA 82:171-185. Benjamini Y, Hochberg Y (1995). JRSS B 57:289.
    """
    if pairs not in ("reference", "all"):  # checked first: also with two groups
        raise ValueError(f"pairs must be 'reference' or 'all', not {pairs!r}")
    d = _columns(data, value, group)
    d = pd.DataFrame({"v": _numeric(d[value]), "g": d[group]}).dropna()
    try:  # the values' own order: numbers as numbers, a categorical's categories in order
        grouped = list(d.groupby("g", sort=True, observed=True)["v"])
    except TypeError:  # values of mixed, unorderable types: order of first appearance
        grouped = list(d.groupby("g", sort=False, observed=True)["v"])
    samples = {lv: part.to_numpy() for lv, part in grouped}
    levels = list(samples)
    if len(levels) < 2:
        raise DataError(
            f"compare_groups needs at least two groups in {group!r}, found {levels}", column=group
        )
    if reference is None:
        reference = levels[0]
    if reference not in levels:
        raise DataError(f"reference group {reference!r} not in {group!r} ({levels})", column=group)
    reference = levels[levels.index(reference)]  # the group's own value (400, not 400.0)
    if pairs == "reference" or len(levels) == 2:
        todo = [(lv, reference) for lv in levels if lv != reference]
    elif pairs == "all":
        todo = list(combinations(levels, 2))
    else:
        raise ValueError("pairs must be 'reference' or 'all'")
    rows = [
        {"group_a": ga, "group_b": gb, **_pair(samples[ga], samples[gb], ci, n_resamples, seed)}
        for ga, gb in todo
    ]
    out = pd.DataFrame(rows)
    out["pvalue_welch_adj"] = fdr_bh(out["pvalue_welch"])
    out["pvalue_mwu_adj"] = fdr_bh(out["pvalue_mwu"])
    note = out.pop("note")
    return out.assign(note=note)


def window_scan(
    log: pd.DataFrame,
    races: pd.DataFrame,
    fatigue: pd.DataFrame,
    windows: Iterable[int] = range(7, 57, 7),
    metric: str = "differential_s",
    event: int | None = 400,
    method: Literal["rm_corr", "mixed"] = "rm_corr",
    *,
    value: Literal["hf_reps", "hf_load_kg"] = "hf_reps",
    require_coverage: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Association of a fatigue metric with trailing-window volume, for many windows, FDR-adjusted.

    Parameters
    ----------
    log, races : DataFrame
        Clean training log and races.
    fatigue : DataFrame
        Fatigue metrics per race (``race_id``, ``metric``) or the splits table.
    windows : iterable of int, default 7, 14, ..., 56
        Window lengths in days.
    metric : str, default "differential_s"
        Fatigue metric column.
    event : int or None, default 400
        Restrict to this event (``event_m``); None keeps all races.
    method : {"rm_corr", "mixed"}, default "rm_corr"
        ``rm_corr``: repeated-measures correlation (``estimate`` is r_rm). ``mixed``:
        random-intercept mixed model, ``estimate`` is the fixed slope of the metric per
        100 units of volume (e.g. seconds per 100 reps).
    value : {"hf_reps", "hf_load_kg"}, default "hf_reps"
        Volume measure. With ``hf_load_kg``, races whose window holds a hip-flexor entry
        of unknown load (band work, an unstated load; see
        :func:`analysis.relate.race_features`) have no load and are left out, and
        ``note`` says how many; with ``hf_reps``, ``note`` counts the races whose window
        holds entries of unknown reps (kept, counted as 0).
    require_coverage : bool, default True
        Passed to :func:`analysis.relate.race_features`.
    alpha : float, default 0.05
        FDR level for the ``significant`` column.

    Returns
    -------
    DataFrame
        One row per window: ``window_days, x, method, estimate, ci_low, ci_high, pvalue,
        pvalue_adj`` (Benjamini–Hochberg across the windows), ``significant``
        (``pvalue_adj < alpha``), ``n, n_subjects, note``.

    Notes
    -----
    Overlapping windows give strongly correlated tests; BH remains valid under the positive
    dependence this produces (Benjamini & Yekutieli 2001). Reporting the best window's raw
    p-value would overstate the evidence: read ``pvalue_adj``.

    References
    ----------
    Benjamini Y, Hochberg Y (1995). JRSS B 57(1):289-300.
    Benjamini Y, Yekutieli D (2001). The control of the false discovery rate in multiple
    testing under dependency. Ann Stat 29(4):1165-1188.
    """
    from .relate import race_table

    windows = tuple(int(w) for w in windows)
    table = race_table(log, races, fatigue, windows, require_coverage=require_coverage)
    if event is not None and "event_m" in table.columns:
        table = table.loc[table["event_m"] == event]
    if metric not in table.columns:
        raise DataError(f"fatigue metric {metric!r} not found", column=metric)
    if method not in ("rm_corr", "mixed"):
        raise ValueError("method must be 'rm_corr' or 'mixed'")
    if value not in ("hf_reps", "hf_load_kg"):
        raise ValueError("value must be 'hf_reps' or 'hf_load_kg'")
    has_metric = pd.to_numeric(table[metric]).notna().to_numpy(dtype=bool)
    rows = []
    for w in windows:
        xcol = f"{value}_{w}d"
        unknown = table[f"hf_unknown_{'reps' if value == 'hf_reps' else 'load'}_{w}d"]
        n_unknown = int((unknown.fillna(0).to_numpy(dtype=np.int64) > 0)[has_metric].sum())
        if not n_unknown:
            data_note = ""
        elif value == "hf_load_kg":
            data_note = (
                f"{n_unknown} races left out: hip-flexor load unknown in the window "
                "(band work or an unstated load)"
            )
        else:
            data_note = (
                f"{n_unknown} races have hip-flexor entries of unknown volume in the window "
                "(counted as 0 reps)"
            )
        if method == "rm_corr":
            res = rm_corr(table, xcol, metric, "athlete_id")
            rows.append(
                {
                    "window_days": w, "x": xcol, "method": method, "estimate": res.r,
                    "ci_low": res.ci_low, "ci_high": res.ci_high, "pvalue": res.pvalue,
                    "n": res.n, "n_subjects": res.n_subjects, "note": _join(res.note, data_note),
                }
            )  # fmt: skip
        else:
            t = table.assign(_x100=pd.to_numeric(table[xcol]).astype("float64") / 100.0)
            mm = mixed_model(t, metric, "_x100", "athlete_id")
            row = mm.loc[mm["term"] == "_x100"].iloc[0]
            rows.append(
                {
                    "window_days": w, "x": xcol, "method": method, "estimate": row["estimate"],
                    "ci_low": row["ci_low"], "ci_high": row["ci_high"], "pvalue": row["pvalue"],
                    "n": row["n_obs"], "n_subjects": row["n_groups"],
                    "note": _join(row["note"], data_note),
                }
            )  # fmt: skip
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("pvalue") + 1, "pvalue_adj", fdr_bh(out["pvalue"]))
    out.insert(out.columns.get_loc("pvalue_adj") + 1, "significant", out["pvalue_adj"] < alpha)
    return out


# ------------------------------------------------ one athlete's slope (the athlete report)

#: Fewer within-athlete degrees of freedom (races − 2) than this: a rough indication only.
SMALL_DOF = 10
#: A 95 % interval wider than this (s of differential per 100 reps) is called wide: it
#: spans changes of 0.1 s either way, the size a coach would act on in a 400 m.
WIDE_CI_S = 0.2


@dataclass(frozen=True)
class Estimate:
    """A slope of a fatigue metric on volume (per 100 hip-flexor reps) with its 95 % CI."""

    slope_per_100: float
    ci_low: float
    ci_high: float
    n: int
    r: float
    pvalue: float
    note: str = ""

    @property
    def dof(self) -> int:
        """Degrees of freedom of the slope: races − 2."""
        return max(self.n - 2, 0)


def within_athlete_estimate(table: pd.DataFrame, x: str, y: str) -> Estimate:
    """Least-squares slope of ``y`` on ``x`` across one athlete's races, per 100 reps.

    With one athlete, every comparison is within that athlete: the slope says how the
    metric differed between this athlete's races preceded by more or less hip-flexor work.
    The 95 % CI uses the t distribution with n − 2 degrees of freedom. Fewer than 3 races
    with both values, or no spread in volume, give NaN with a note; otherwise ``note``
    is the caveat of :func:`estimate_caveat` (empty when the estimate is precise enough).
    """
    d = table[[x, y]].apply(pd.to_numeric, errors="coerce").astype("float64").dropna()
    n = len(d)
    if n < 3:
        return Estimate(np.nan, np.nan, np.nan, n, np.nan, np.nan,
                        "at least three are needed")  # fmt: skip
    if d[x].nunique() < 2:
        return Estimate(np.nan, np.nan, np.nan, n, np.nan, np.nan,
                        "the same volume before every race")  # fmt: skip
    slope, stderr, r, pvalue = _ols_slope(d[x].to_numpy(), d[y].to_numpy())
    from scipy.special import stdtrit  # not scipy.stats: an athlete report needs no more

    t = float(stdtrit(n - 2, 0.975))
    s = 100.0
    est = Estimate(
        slope_per_100=float(slope * s),
        ci_low=float((slope - t * stderr) * s),
        ci_high=float((slope + t * stderr) * s),
        n=n,
        r=float(r),
        pvalue=float(pvalue),
    )
    return replace(est, note=estimate_caveat(est))


def _ols_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Slope, its standard error, Pearson r and the two-sided p of ``y`` on ``x``: the
    numbers of ``scipy.stats.linregress`` (same formulas), without importing scipy.stats
    (1 s of CPU per report kernel)."""
    from scipy.special import stdtr

    n = len(x)
    xm, ym = x - x.mean(), y - y.mean()
    sxx, syy, sxy = float(xm @ xm), float(ym @ ym), float(xm @ ym)
    r = 0.0 if sxx == 0 or syy == 0 else min(max(sxy / np.sqrt(sxx * syy), -1.0), 1.0)
    slope = sxy / sxx
    dof = n - 2
    stderr = float(np.sqrt((1 - r * r) * syy / sxx / dof))
    if abs(r) == 1.0:
        return slope, stderr, r, 0.0
    tstat = r * np.sqrt(dof / ((1.0 - r) * (1.0 + r)))
    return slope, stderr, r, float(2 * stdtr(dof, -abs(tstat)))


def estimate_caveat(est: Estimate) -> str:
    """Why an estimate is only a rough indication, or ``""``.

    Said whenever the within-athlete degrees of freedom are fewer than
    :data:`SMALL_DOF` or the 95 % interval is wider than :data:`WIDE_CI_S` s per 100 reps.
    """
    if np.isnan(est.slope_per_100):
        return est.note
    reasons = []
    if est.dof < SMALL_DOF:
        reasons.append(
            f"it rests on {est.n} races ({est.dof} degrees of freedom, fewer than {SMALL_DOF})"
        )
    width = est.ci_high - est.ci_low
    if not width <= WIDE_CI_S:
        reasons.append(
            f"the interval is {width:.2f} s wide, more than the {WIDE_CI_S:.1f} s that "
            "would tell a useful change from none"
        )
    if not reasons:
        return ""
    return "a rough indication only: " + " and ".join(reasons)
