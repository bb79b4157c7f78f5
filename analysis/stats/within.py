"""The squad's within-athlete effect: change within an athlete, errors clustered by athlete.

:func:`within_athlete_effect`: athlete fixed effects, CR2 cluster-robust errors and
Satterthwaite degrees of freedom, linear in the number of athletes (:mod:`.cr2`);
:func:`athlete_slopes`: each athlete's own slope, partially pooled (:mod:`.shrinkage`);
:func:`slope_scores`: the athletes' influence on a slope (for the window scan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from ..errors import DataError
from .cr2 import cluster_blocks, cr2_adjustments, satterthwaite_dof
from .inputs import MIN_SUBJECTS, as_days, as_float, join_notes
from .shrinkage import shrink_slopes

st = lazy_module("scipy.stats")  # imported on first use

__all__ = ["EffectResult", "athlete_slopes", "slope_scores", "within_athlete_effect"]


@dataclass(frozen=True)
class EffectResult:
    """The squad's within-athlete effect of x on y (see :func:`within_athlete_effect`)."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pvalue: float
    dof: float
    n_subjects: int
    n_obs: int
    method: str
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the fields."""
        return pd.DataFrame([asdict(self)])


@dataclass(frozen=True)
class _WithinFit:
    """What the within-athlete (fixed-effects) fit leaves for inference."""

    beta: np.ndarray  # coefficients of the within-centred design, x first
    bread: np.ndarray  # (X̃'X̃)⁻¹
    scores: np.ndarray  # G × p cluster scores X̃_g' A_g e_g (A_g = I for CR1)
    vcov: np.ndarray
    dof: float
    n_obs: int
    n_subjects: int


@dataclass(frozen=True)
class _Design:
    """The within-centred design of :func:`_within_design`."""

    Xc: np.ndarray  # centred design, x first
    Yc: np.ndarray  # centred y
    codes: np.ndarray  # athlete of each row, 0 … G − 1 in order of first appearance
    names: list[str]  # the design's column names
    notes: list[str]
    time_scale: float  # the season term is (t − mean) / time_scale, over the rows used


def _within_design(
    data: pd.DataFrame,
    x: str,
    y: str,
    subject: str,
    time: str | None,
    covariates: Sequence[str],
    time_degree: int,
) -> _Design:
    """Centred design (x first), centred y, athlete codes, the design's names, notes and
    the scale of the season term (days per unit; 1.0 without ``time``)."""
    covs = list(covariates)
    cols = [x, y, *covs] + ([time] if time is not None else [])
    missing = [c for c in [*cols, subject] if c not in data.columns]
    if missing:
        raise DataError(f"data lacks column(s) {missing}", column=missing[0])
    frame = pd.DataFrame({c: as_float(data[c]) for c in [x, y, *covs]})
    if time is not None:
        frame["_time"] = as_days(data[time], time)
    frame[subject] = data[subject].to_numpy()
    n_in = len(frame)
    frame = frame.dropna(subset=[subject])
    num = frame.drop(columns=subject).to_numpy(dtype=np.float64)
    ok = np.isfinite(num).all(axis=1)
    frame = frame.loc[ok]
    notes = []
    if n_in - len(frame):
        notes.append(f"{n_in - len(frame)} rows with a missing or non-numeric value left out")
    codes, uniques = pd.factorize(frame[subject].to_numpy())
    counts = np.bincount(codes, minlength=len(uniques))
    single = counts[codes] < 2
    if single.any():
        notes.append(
            f"{int((counts == 1).sum())} athletes with a single race left out "
            "(one race says nothing about change within an athlete)"
        )
        frame = frame.loc[~single]
        codes, uniques = pd.factorize(frame[subject].to_numpy())
    names = [x, *covs]
    blocks = [frame[c].to_numpy(dtype=np.float64) for c in names]
    scale = 1.0
    if time is not None:
        t = frame["_time"].to_numpy(dtype=np.float64)
        scale = (float(np.std(t)) if len(t) else 0.0) or 1.0
        tz = (t - (t.mean() if len(t) else 0.0)) / scale
        for k in range(1, time_degree + 1):
            blocks.append(tz**k)
            names.append("season" if k == 1 else f"season^{k}")
    X = np.column_stack(blocks) if blocks else np.empty((len(frame), 0))
    Y = frame[y].to_numpy(dtype=np.float64)
    k = len(uniques)
    cnt = np.bincount(codes, minlength=k).astype(np.float64)
    if len(Y):
        Xc = (
            X
            - (
                np.stack([np.bincount(codes, X[:, j], k) for j in range(X.shape[1])], 1)
                / cnt[:, None]
            )[codes]
        )
        Yc = Y - (np.bincount(codes, Y, k) / cnt)[codes]
    else:
        Xc, Yc = X, Y
    return _Design(Xc, Yc, codes, names, notes, scale)


def _within_fit(Xc: np.ndarray, Yc: np.ndarray, codes: np.ndarray, vcov: str) -> _WithinFit:
    """OLS on the within-centred design with cluster-robust (CR2 or CR1) covariance.

    Linear in the number of athletes G in time and memory: the CR2 adjustments are
    computed for all clusters of one size at once (stacked s × s blocks), and the
    Satterthwaite degrees of freedom from per-cluster p-vectors, never from a matrix of
    races × athletes (see the Notes of :func:`within_athlete_effect`).

    The CR2 shortcut: each cluster's adjustment is taken from the *absorbed* (centred)
    design, A_g = (I − X̃_g (X̃'X̃)⁻¹ X̃_g')^(−1/2), instead of from the full model with one
    dummy per athlete. Pustejovsky & Tipton (2018, Theorem 2) assert the two give the same
    variance estimator; their corrigendum (2023) shows the theorem is wrong as stated in
    general (weighted least squares, other working models) and proves the revised version
    that holds for ordinary least squares under the working model of independent
    homoskedastic errors — which is the case here (unweighted OLS, working model I). The
    tests check the equality against the full dummy model on the Bland & Altman (1995)
    and dietox data.

    References
    ----------
    Pustejovsky JE, Tipton E (2018). Small-sample methods for cluster-robust variance
    estimation and hypothesis testing in fixed effects models. J Business & Economic
    Statistics 36(4):672-683. doi:10.1080/07350015.2016.1247004
    Pustejovsky JE, Tipton E (2023). Corrigendum: Small-sample methods for cluster-robust
    variance estimation and hypothesis testing in fixed effects models. J Business &
    Economic Statistics. doi:10.1080/07350015.2023.2174123
    """
    n, p = Xc.shape
    g = int(codes.max()) + 1
    bread = np.linalg.inv(Xc.T @ Xc)
    beta = bread @ (Xc.T @ Yc)
    e = Yc - Xc @ beta
    scores = np.empty((g, p))
    c = bread[:, 0]
    v = np.empty(n)  # v_g = A_g X̃_g B c, stacked: for the Satterthwaite degrees of freedom
    for which, rows in cluster_blocks(codes, g):
        xg = Xc[rows]  # k × s × p
        eg = e[rows]  # k × s
        if vcov == "CR2":
            a = cr2_adjustments(xg, bread)  # A_g, k × s × s
            scores[which] = np.einsum("ksp,ks->kp", xg, np.einsum("kst,kt->ks", a, eg))
            v[rows] = np.einsum("kst,kt->ks", a, xg @ c)
        else:
            scores[which] = np.einsum("ksp,ks->kp", xg, eg)
    meat = scores.T @ scores
    if vcov == "CR1":  # statsmodels' (and Stata's) small-sample factor, athlete dummies counted
        meat = meat * (g / (g - 1)) * ((n - 1) / (n - p - g))
        dof = float(g - 1)
    else:
        dof = satterthwaite_dof(Xc, codes, bread, v, g)
    return _WithinFit(beta, bread, scores, bread @ meat @ bread, dof, n, g)


def within_athlete_effect(
    data: pd.DataFrame,
    x: str,
    y: str,
    subject: str,
    *,
    time: str | None = None,
    covariates: Sequence[str] = (),
    ci: float = 0.95,
    time_degree: int = 1,
    vcov: Literal["CR2", "CR1"] = "CR2",
) -> EffectResult:
    """The squad's within-athlete effect: how y changes when an athlete's x changes.

    Parameters
    ----------
    data : DataFrame
        Long data, one row per race. Rows with NA, ±inf or non-numeric text in a used
        column are left out (``note`` counts them), as are athletes with a single race.
    x : str
        Exposure (e.g. ``hf_reps_28d``); ``estimate`` is per unit of it.
    y : str
        Outcome (e.g. ``differential_s``).
    subject : str
        Athlete column (each athlete is a cluster).
    time : str, optional
        Days into the season, or a date column (converted to days since the earliest
        date); dates as ISO text (``2026-03-02``, what ``read_csv`` returns) are read as
        dates, other text that is not a number is a :class:`DataError`. With it the model adjusts for a squad-wide season trend in y (a
        polynomial of degree ``time_degree``), within athlete: a season in which volume
        ramps up while the fade improves for other reasons no longer looks like an effect.
    covariates : sequence of str
        Further numeric adjustment columns (only their within-athlete variation counts).
    ci : float, default 0.95
        Confidence level.
    time_degree : int, default 1
        Degree of the season trend (1 linear, 2 adds a curve).
    vcov : {"CR2", "CR1"}, default "CR2"
        Cluster-robust covariance: ``CR2`` (Bell–McCaffrey, Satterthwaite degrees of
        freedom; the default) or ``CR1`` (the Stata/statsmodels correction with t on
        G − 1 degrees of freedom, for comparison with other software).

    Returns
    -------
    EffectResult
        ``estimate`` (change in y per unit of x within an athlete), ``se``, ``ci_low``,
        ``ci_high``, ``pvalue`` (two-sided t), ``dof``, ``n_subjects`` (athletes with
        at least two races), ``n_obs`` (their races), ``method`` and ``note``. When the
        data cannot answer (one athlete, no within-athlete change in x, x moving in
        lockstep with the season) the numbers are NaN and ``note`` says why; it never
        raises for such data.

    Notes
    -----
    Model: y_ij = α_i + β x_ij + f(t_ij) + γ'z_ij + ε_ij, athlete fixed effects α_i
    (fitted by centring every column on the athlete's mean — the "within" estimator),
    so β uses only change within an athlete and no between-athlete confounder (coaches
    giving more work to athletes who fade more) can enter it. With athletes whose slopes
    differ, β̂ is the variance-weighted average of their slopes (the population-average
    within-athlete effect); the spread of the slopes and any serial correlation of the
    races of one athlete (AR(1) noise, unmodelled season shape) go into the errors, which
    are therefore clustered by athlete rather than assumed independent (Cameron &
    Miller 2015). With 5–40 clusters the plain sandwich (CR0/CR1) under-states the
    variance and t on G − 1 df over-rejects, so the default is CR2, the bias-reduced
    linearisation of Bell & McCaffrey (2002): each cluster's residuals are scaled by
    (I − H_gg)^(−1/2), computed on the centred design, which is equivalent to the full
    model with athlete dummies for ordinary least squares under the working model of
    independent homoskedastic errors (Pustejovsky & Tipton 2018, Theorem 2, in the
    revised form of their 2023 corrigendum: the theorem as first published claimed more),
    with Satterthwaite degrees of freedom ν = (Σλ)² / Σλ² from that working model (Bell &
    McCaffrey 2002; Imbens & Kolesár 2016). ν is at most G − 1 and smaller when a few
    athletes carry the information, which widens the interval exactly when it should.
    The benchmark ``benchmarks/stats_calibration.py`` shows the false-finding rate and
    coverage under trends, differing slopes and AR(1) noise at 12 and 40 athletes.

    Cost: linear in the number of athletes G. The adjustments are computed for all
    athletes with the same number of races at once, and ν from the G × G matrix
    Ω = diag(d) − W B W' through p × p products only (``satterthwaite_dof``), never from
    the races × athletes matrix it is the product of: 5,000 athletes × 10 races cost about
    ten times 500 athletes (``benchmarks/stats_scale.py``), with the same results.

    Why not a random-slopes mixed model: it needs the slope distribution to be normal
    and the noise independent given the random effects, and its Wald intervals are
    anti-conservative at a dozen athletes; the repeated-measures correlation
    (:func:`rm_corr`, Bakdash & Marusich 2017) treats every race as independent once the
    athlete mean is removed, which is what fails under differing slopes and AR(1) noise.

    References
    ----------
    Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear regression
    with multi-stage samples. Survey Methodology 28(2):169-181.
    Cameron AC, Miller DL (2015). A practitioner's guide to cluster-robust inference.
    J Human Resources 50(2):317-372.
    Pustejovsky JE, Tipton E (2018). Small-sample methods for cluster-robust variance
    estimation and hypothesis testing in fixed effects models. J Business & Economic
    Statistics 36(4):672-683.
    Pustejovsky JE, Tipton E (2023). Corrigendum: Small-sample methods for cluster-robust
    variance estimation and hypothesis testing in fixed effects models. J Business &
    Economic Statistics. doi:10.1080/07350015.2023.2174123
    Imbens GW, Kolesár M (2016). Robust standard errors in small samples: some practical
    advice. Rev Econ Stat 98(4):701-712.
    Bakdash JZ, Marusich LR (2017). Repeated measures correlation. Front Psychol 8:456.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("aaabbbccc"), "x": [1, 2, 3, 1, 3, 5, 2, 3, 4],
    ...                    "y": [5.0, 4.1, 2.9, 9.0, 7.2, 4.8, 1.0, 0.1, -1.2]})
    >>> res = within_athlete_effect(df, "x", "y", "a")
    >>> round(float(res.estimate), 2), res.n_subjects, res.n_obs
    (-1.06, 3, 9)
    """
    if vcov not in ("CR2", "CR1"):
        raise ValueError("vcov must be 'CR2' or 'CR1'")
    if time_degree < 1 and time is not None:
        raise ValueError("time_degree must be at least 1")
    des = _within_design(data, x, y, subject, time, covariates, time_degree)
    Xc, Yc, codes, names, notes = des.Xc, des.Yc, des.codes, des.names, list(des.notes)
    method = f"within-athlete OLS, {vcov} cluster-robust" + (
        f", season trend (degree {time_degree})" if time is not None else ""
    )
    n, k = len(Yc), (int(codes.max()) + 1 if len(codes) else 0)

    def empty(why: str, estimate: float = np.nan) -> EffectResult:
        return EffectResult(estimate, np.nan, np.nan, np.nan, np.nan, np.nan, k, n, method,
                            join_notes(*notes, why))  # fmt: skip

    if k == 0:
        return empty("no athlete has two races with both values")
    scale = np.sqrt((Xc**2).sum(axis=0))
    if not scale[0] > 1e-12 * max(1.0, float(np.abs(Xc[:, 0]).max(initial=0.0))):
        return empty(f"{x} never changes within an athlete: nothing to compare")
    keep = np.r_[True, scale[1:] > 1e-12]
    if not keep.all():
        notes.append(
            "not adjusted for "
            + ", ".join(n_ for n_, kp in zip(names, keep, strict=True) if not kp)
            + " (it never changes within an athlete)"
        )
        Xc = Xc[:, keep]
    if n - k - Xc.shape[1] < 1:
        return empty("too few races per athlete for the adjustments asked for")
    if np.linalg.matrix_rank(Xc / np.sqrt((Xc**2).sum(axis=0))) < Xc.shape[1]:
        return empty(
            f"{x} moves in lockstep with the season or a covariate: they cannot be told apart"
        )
    beta = float(np.linalg.lstsq(Xc, Yc, rcond=None)[0][0])
    if k < 2:
        return empty("one athlete only: no squad to generalise to, no uncertainty", beta)
    if k < MIN_SUBJECTS:
        notes.append(f"only {k} athletes: the interval rests on very few people")
    fit = _within_fit(Xc, Yc, codes, vcov)
    se = float(np.sqrt(fit.vcov[0, 0]))
    dof = fit.dof
    if not (np.isfinite(se) and se > 0 and np.isfinite(dof) and dof > 0):
        return empty("the uncertainty cannot be estimated from these data", beta)
    if dof < 4:
        notes.append(
            f"only {dof:.1f} effective degrees of freedom: a few athletes carry the estimate"
        )
    tcrit = float(st.t.ppf(0.5 + ci / 2, dof))
    p = float(2 * st.t.sf(abs(beta / se), dof))
    return EffectResult(beta, se, beta - tcrit * se, beta + tcrit * se, p, dof, k, n, method,
                        join_notes(*notes))  # fmt: skip


def slope_scores(
    data: pd.DataFrame, x: str, y: str, subject: str, time: str | None
) -> tuple[np.ndarray, float] | None:
    """The athletes' influence on the within-athlete CR2 slope of ``y`` on ``x``.

    Parameters
    ----------
    data : DataFrame
        Long data, one row per race (as :func:`within_athlete_effect`).
    x, y, subject : str
        Column names.
    time : str, optional
        Adjust for a linear season trend, as :func:`within_athlete_effect` does.

    Returns
    -------
    (psi, dof) or None
        ``psi`` (one value per athlete: their cluster score times the first row of
        (X̃'X̃)⁻¹, whose sum of squares is the CR2 variance of the slope) and the
        Satterthwaite degrees of freedom of the slope; None when the slope cannot be fitted (fewer than 3 rows, no change in x, a
        singular design). Two slopes fitted on the same rows and athletes have
        correlation Σ psi_1 psi_2 / √(Σ psi_1² Σ psi_2²).
    """
    des = _within_design(data, x, y, subject, time, (), 1)
    if len(des.Yc) < 3 or not np.isfinite(des.Xc).all() or (des.Xc[:, 0] ** 2).sum() <= 0:
        return None
    try:
        fit = _within_fit(des.Xc, des.Yc, des.codes, "CR2")
    except np.linalg.LinAlgError:
        return None
    return fit.scores @ fit.bread[0], fit.dof


def _own_slopes(xv: np.ndarray, yv: np.ndarray, keys: np.ndarray, min_obs: int) -> pd.DataFrame:
    """Each athlete's least-squares slope of y on x and its standard error, one row per
    athlete in order of first appearance (``_subject, n, slope, se``), computed for all
    athletes at once from per-athlete sums (no loop over athletes). NaN with fewer than
    ``min_obs`` races or no spread in x; ``se`` NaN with two races."""
    codes, uniques = pd.factorize(keys)
    k = len(uniques)
    n = np.bincount(codes, minlength=k)
    b = np.full(k, np.nan)
    se = np.full(k, np.nan)
    if k:
        cnt = n.astype(np.float64)
        xd = xv - (np.bincount(codes, xv, k) / cnt)[codes]
        yd = yv - (np.bincount(codes, yv, k) / cnt)[codes]
        sxx = np.bincount(codes, xd * xd, k)
        sxy = np.bincount(codes, xd * yd, k)
        order = np.argsort(codes, kind="stable")
        starts = np.searchsorted(codes[order], np.arange(k))
        xs = xv[order]
        spread = np.maximum.reduceat(xs, starts) > np.minimum.reduceat(xs, starts)
        ok = (n >= min_obs) & (sxx > 0) & spread
        b[ok] = sxy[ok] / sxx[ok]
        resid = yd - np.where(ok, b, 0.0)[codes] * xd
        rss = np.bincount(codes, resid * resid, k)
        two = ok & (n > 2)
        se[two] = np.sqrt(rss[two] / (n[two] - 2) / sxx[two])
    return pd.DataFrame({"_subject": uniques, "n": n, "slope": b, "se": se})


def athlete_slopes(
    data: pd.DataFrame,
    x: str,
    y: str,
    subject: str,
    *,
    time: str | None = None,
    pooled: EffectResult | None = None,
    min_obs: int = 3,
) -> pd.DataFrame:
    """Each athlete's own within-athlete slope, and the same partially pooled toward the squad.

    Parameters
    ----------
    data, x, y, subject, time
        As in :func:`within_athlete_effect`; with ``time`` each athlete's slope is taken
        after removing the squad's season trend (the pooled model's season coefficient),
        so a season trend does not pass for an athlete's own effect.
    pooled : EffectResult, optional
        The squad estimate (default ``within_athlete_effect(data, x, y, subject, time=time)``).
    min_obs : int, default 3
        Fewest races with both values for an athlete's own slope.

    Returns
    -------
    DataFrame
        One row per athlete (in order of first appearance): ``subject``, ``n``, ``slope``,
        ``se`` (the athlete's own least-squares slope and standard error; NaN with fewer
        than ``min_obs`` races or no spread in x), ``shrunk`` (the partially pooled slope),
        ``shrunk_se``, ``weight`` (the weight of the athlete's own slope in ``shrunk``, 0–1)
        and ``tau`` (the estimated spread of the true slopes between athletes).

    Notes
    -----
    Empirical Bayes (normal–normal): with b_i the athlete's slope, s_i its standard
    error, β the squad slope and τ² the between-athlete variance of the true slopes
    (method of moments, DerSimonian & Laird 1986, truncated at 0),
    shrunk_i = w_i b_i + (1 − w_i) β, w_i = τ² / (τ² + s_i²), and
    shrunk_se_i = √(w_i s_i² + (1 − w_i)² se(β)²) (approximately). Six noisy races do
    not speak alone: when the athletes' slopes scatter no more than their noise explains,
    τ² = 0 and every athlete gets the squad's slope. Athletes with too few races get the
    squad slope with weight 0.

    References
    ----------
    Efron B, Morris C (1975). Data analysis using Stein's estimator and its
    generalizations. JASA 70(350):311-319.
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin Trials
    7(3):177-188.
    """
    if pooled is None:
        pooled = within_athlete_effect(data, x, y, subject, time=time)
    cols = [subject, x, y] + ([time] if time else [])
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DataError(f"data lacks column(s) {missing}", column=missing[0])
    d = pd.DataFrame(
        {x: as_float(data[x]), y: as_float(data[y]), subject: data[subject].to_numpy()}
    )
    if time:
        d["_t"] = as_days(data[time], time)
    d = d.replace([np.inf, -np.inf], np.nan).dropna()
    if time and np.isfinite(pooled.estimate):
        # the pooled season slope (per day), from the same within design; its season
        # term is scaled by the spread of the dates of the rows it uses (athletes with a
        # single race left out), so that spread turns it back into days
        des = _within_design(d, x, y, subject, "_t", (), 1)
        if len(des.Yc) > des.Xc.shape[1]:
            coef = np.linalg.lstsq(des.Xc, des.Yc, rcond=None)[0]
            d[y] = d[y] - coef[1] / des.time_scale * d["_t"]
    out = _own_slopes(d[x].to_numpy(), d[y].to_numpy(), d[subject].to_numpy(), min_obs)
    out = out.rename(columns={"_subject": subject})
    return shrink_slopes(out, pooled.estimate, pooled.se)
