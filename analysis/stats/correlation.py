"""Correlations that respect repeated measures per athlete.

:func:`rm_corr` is the repeated-measures correlation (a few lines of numpy, see its
Notes for why not pingouin's), pinned in the tests to the published values of its
reference paper and cross-checked against ``pingouin.rm_corr``; :func:`within_between`
keeps the within-athlete and the between-athlete association apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from .inputs import MIN_SUBJECTS, finite_rows, join_notes

st = lazy_module("scipy.stats")  # imported on first use (1 s of CPU an athlete report saves)

__all__ = ["MIN_DOF", "CorrResult", "rm_corr", "within_between"]

#: Fewer degrees of freedom than this: the correlation says it is very uncertain.
MIN_DOF = 10


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


def _fisher_ci(r: float, n_eff: float, ci: float) -> tuple[float, float]:
    """Fisher-z CI of a correlation, standard error 1/sqrt(n_eff − 3)."""
    if not np.isfinite(r) or n_eff <= 3 or abs(r) >= 1:
        return (np.nan, np.nan)
    z = np.arctanh(r)
    half = st.norm.ppf(0.5 + ci / 2) / np.sqrt(n_eff - 3)
    return (float(np.tanh(z - half)), float(np.tanh(z + half)))


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
    d, dropped = finite_rows(data, (x, y), subject)
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
            note=join_notes(*notes, "too few repeated observations to estimate"),
        )  # fmt: skip
    counts = np.bincount(codes, minlength=k)
    xc = xs - (np.bincount(codes, weights=xs, minlength=k) / counts)[codes]
    yc = ys - (np.bincount(codes, weights=ys, minlength=k) / counts)[codes]
    sxy, sxx, syy = float(xc @ yc), float(xc @ xc), float(yc @ yc)
    if sxx <= 0 or syy <= 0:
        return CorrResult(
            np.nan, dof, np.nan, np.nan, np.nan, n, k, "rm_corr",
            note=join_notes(*notes, "x or y never varies within an athlete"),
        )  # fmt: skip
    r = sxy / np.sqrt(sxx * syy)
    r = float(np.clip(r, -1.0, 1.0))
    with np.errstate(divide="ignore"):
        t = r * np.sqrt(dof / (1 - r**2)) if abs(r) < 1 else np.sign(r) * np.inf
    p = float(2 * st.t.sf(abs(t), dof))
    lo, hi = _fisher_ci(r, dof + 2, ci)  # effective sample size, rmcorr >= 0.5.4
    return CorrResult(r, dof, p, lo, hi, n, k, "rm_corr", slope=sxy / sxx, note=join_notes(*notes))


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
    d, dropped = finite_rows(data, (x, y), subject)
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
        r, max(k - 2, 0), p, lo, hi, k, k, "pearson_of_means", slope, join_notes(*notes)
    )
    return pd.concat(
        [within.to_frame().assign(level="within"), between.to_frame().assign(level="between")],
        ignore_index=True,
    )[["level", *CorrResult.__dataclass_fields__]]
