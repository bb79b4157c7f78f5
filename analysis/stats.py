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

import datetime as _dt
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import combinations
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from ._lazy import lazy_module
from .errors import DataError
from .injury_stats import injury_hazard as injury_hazard

st = lazy_module("scipy.stats")  # imported on first use (1 s of CPU an athlete report saves)

__all__ = [
    "WINDOW_SCAN_WARNING",
    "AdjustedEffect",
    "CorrResult",
    "EffectResult",
    "adjusted_effect",
    "athlete_slopes",
    "compare_groups",
    "fdr_bh",
    "hedges_g",
    "hedges_g_ci",
    "mixed_model",
    "rm_corr",
    "window_scan",
    "within_athlete_effect",
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


#: A text value read as a date in a ``time`` column: ISO 8601 (``yyyy-mm-dd``, with or
#: without a time), what hipflex writes and what ``read_csv`` gives back as text.
_ISO_DATE = r"^\s*\d{4}-\d{1,2}-\d{1,2}(?:[T ][0-9:.]+)?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"


def _text_days(values: pd.Series, column: str) -> np.ndarray:
    """A text time column as float days: every value a number (days), or every value an
    ISO date (days since the earliest); blank is missing. Each distinct value is parsed
    once. Anything else is a :class:`DataError` naming the first such value."""
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    uniq = pd.Series(np.asarray(uniques, dtype=object), dtype="string")
    out = np.full(len(values), np.nan)
    if not len(uniq):
        return out
    as_num = pd.to_numeric(uniq, errors="coerce").astype("float64").to_numpy()
    if np.isfinite(as_num).all():
        return np.where(codes >= 0, as_num[np.maximum(codes, 0)], np.nan)
    looks = uniq.str.match(_ISO_DATE).fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(
        uniq.where(looks), format="ISO8601", errors="coerce", utc=True
    ).dt.tz_localize(None)
    bad = parsed.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        label = values.index[int(np.flatnonzero(codes == first)[0])]
        n_bad = int(np.isin(codes, np.flatnonzero(bad)).sum())
        raise DataError(
            f"time values must be dates (yyyy-mm-dd) or numbers of days: {uniq[first]!r} "
            f"(row labelled {label!r}) is neither ({n_bad} of the "
            f"{int((codes >= 0).sum())} values given are not)",
            column=column,
        )
    base = parsed.min()
    days = ((parsed - base).dt.total_seconds() / 86400.0).astype("float64").to_numpy()
    return np.where(codes >= 0, days[np.maximum(codes, 0)], np.nan)


def _days(values: pd.Series, column: str = "time") -> np.ndarray:
    """A time column as float days: dates become days since the earliest date.

    Numbers are days as they are; datetimes, ``datetime.date`` objects and ISO date text
    (``2026-03-02``, what ``read_csv`` returns under pandas 3) are days since the earliest
    date; text of numbers is read as numbers. Other text raises :class:`DataError`.
    """
    if pd.api.types.is_datetime64_any_dtype(values) or (
        values.dtype == object and len(values) and isinstance(values.dropna().iloc[0], _dt.date)
    ):
        t = pd.to_datetime(values, errors="coerce")
        base = t.min()
        return ((t - base).dt.total_seconds() / 86400.0).astype("float64").to_numpy()
    if isinstance(values.dtype, pd.api.types.CategoricalDtype):
        values = values.astype("object")
    if isinstance(values.dtype, pd.StringDtype) or (
        values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"
    ):
        return _text_days(values, column)
    return _numeric(values)


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


class _Design(NamedTuple):
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
    frame = pd.DataFrame({c: _numeric(data[c]) for c in [x, y, *covs]})
    if time is not None:
        frame["_time"] = _days(data[time], time)
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


def _cluster_blocks(codes: np.ndarray, g: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The clusters grouped by size: for each size s, the cluster numbers (k_s,) and the
    row numbers of their rows (k_s × s, each cluster's rows in data order)."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=g)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    out = []
    for size in np.unique(counts):
        if size == 0:
            continue
        which = np.flatnonzero(counts == size)
        rows = order[starts[which][:, None] + np.arange(size)]
        out.append((which, rows))
    return out


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
    for which, rows in _cluster_blocks(codes, g):
        xg = Xc[rows]  # k × s × p
        eg = e[rows]  # k × s
        if vcov == "CR2":
            s = rows.shape[1]
            m = np.eye(s) - xg @ bread @ xg.transpose(0, 2, 1)
            w, vec = np.linalg.eigh(m)  # k × s, k × s × s
            # eigenvalues at or near zero left out (Moore–Penrose, Pustejovsky & Tipton 2018)
            top = np.maximum(1.0, np.abs(w).max(axis=1, initial=0.0))[:, None]
            keep = w > 1e-10 * top
            wp = np.where(keep, np.where(keep, w, 1.0) ** -0.5, 0.0)
            a = (vec * wp[:, None, :]) @ vec.transpose(0, 2, 1)  # A_g, k × s × s
            scores[which] = np.einsum("ksp,ks->kp", xg, np.einsum("kst,kt->ks", a, eg))
            v[rows] = np.einsum("kst,kt->ks", a, xg @ c)
        else:
            scores[which] = np.einsum("ksp,ks->kp", xg, eg)
    meat = scores.T @ scores
    if vcov == "CR1":  # statsmodels' (and Stata's) small-sample factor, athlete dummies counted
        meat = meat * (g / (g - 1)) * ((n - 1) / (n - p - g))
        dof = float(g - 1)
    else:
        dof = _satterthwaite_dof(Xc, codes, bread, v, g)
    return _WithinFit(beta, bread, scores, bread @ meat @ bread, dof, n, g)


def _satterthwaite_dof(
    Xc: np.ndarray, codes: np.ndarray, bread: np.ndarray, v: np.ndarray, g: int
) -> float:
    """Bell & McCaffrey (2002) Satterthwaite degrees of freedom of the x coefficient,
    ν = (tr Ω)² / ‖Ω‖²_F, with Ω the G × G matrix of a_g'a_h, a_g = M·embed_g(v_g) and M
    the residual maker of the model with athlete dummies, built from per-cluster pieces.

    With u_g = v_g minus its mean on cluster g and w_g = X̃_g'v_g (p-vectors, W their
    G × p stack): X̃ is centred within each cluster, so u_g'X̃_g = w_g', and X̃'X̃ = B⁻¹,
    which give a_g'a_h = δ_gh ‖u_g‖² − w_g'B w_h, i.e. Ω = diag(d) − W B W'. Hence
    tr Ω = Σ d_g − tr(B S) and ‖Ω‖²_F = Σ d_g² − 2 Σ d_g q_g + tr((B S)²), with
    q_g = w_g'B w_g and S = W'W (p × p): O(G p²) time and memory instead of the
    races × athletes matrix a_g stacked (O(N G)); equal to it up to rounding.
    """
    p = Xc.shape[1]
    cnt = np.bincount(codes, minlength=g).astype(np.float64)
    u = v - (np.bincount(codes, v, g) / cnt)[codes]
    d = np.bincount(codes, u * u, g)  # ‖u_g‖²
    w = np.stack([np.bincount(codes, Xc[:, k] * v, g) for k in range(p)], 1)  # G × p
    q = np.einsum("gp,pq,gq->g", w, bread, w)  # w_g'B w_g
    bs = bread @ (w.T @ w)
    trace = float(d.sum() - np.trace(bs))
    frob2 = float((d * d).sum() - 2.0 * (d * q).sum() + np.sum(bs * bs.T))
    return float(trace**2 / frob2)


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
    Ω = diag(d) − W B W' through p × p products only (``_satterthwaite_dof``), never from
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
    Xc, Yc, codes, names, notes, _ = _within_design(
        data, x, y, subject, time, covariates, time_degree
    )
    method = f"within-athlete OLS, {vcov} cluster-robust" + (
        f", season trend (degree {time_degree})" if time is not None else ""
    )
    n, k = len(Yc), (int(codes.max()) + 1 if len(codes) else 0)

    def empty(why: str, estimate: float = np.nan) -> EffectResult:
        return EffectResult(estimate, np.nan, np.nan, np.nan, np.nan, np.nan, k, n, method,
                            _join(*notes, why))  # fmt: skip

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
                        _join(*notes))  # fmt: skip


def _varies_within(data: pd.DataFrame, column: str, subject: str) -> bool:
    """Whether ``column`` changes within any subject (its deviations from the subject's mean)."""
    v = pd.Series(_numeric(data[column]), index=data.index)
    dev = v - v.groupby(data[subject].to_numpy(), sort=False).transform("mean")
    return bool(dev.abs().max() > 1e-12 * max(1.0, float(v.abs().max())))


def _answer(res: EffectResult) -> str:
    """The conclusion an interval supports: ``negative``, ``positive``, ``unclear`` (it
    includes no change) or ``none`` (no interval)."""
    if not (np.isfinite(res.ci_low) and np.isfinite(res.ci_high)):
        return "none"
    if res.ci_high < 0:
        return "negative"
    if res.ci_low > 0:
        return "positive"
    return "unclear"


@dataclass(frozen=True)
class AdjustedEffect:
    """A within-athlete effect with and without one more adjustment (:func:`adjusted_effect`).

    ``unadjusted`` uses every usable row (x, y, the athlete, and the time and shared
    adjustments when given); ``same_rows`` and ``adjusted`` use only the
    rows where the covariate is known, without and with it, so that their difference is
    the adjustment's alone and not a change of sample. ``made`` says whether the adjustment
    could be made (``why`` says why not); ``changes_answer`` whether the conclusion of the
    interval (``answer``: below zero, above zero, or including it) differs between
    ``same_rows`` and ``adjusted`` (None when it was not made).
    """

    covariate: str
    unadjusted: EffectResult
    same_rows: EffectResult
    adjusted: EffectResult
    n_rows: int
    n_known: int
    min_share: float
    made: bool
    why: str = ""
    changes_answer: bool | None = None

    @property
    def share(self) -> float:
        """Share of the usable rows (x, y, athlete, time and shared adjustments known)
        whose covariate is known."""
        return self.n_known / self.n_rows if self.n_rows else 0.0

    @property
    def answer_before(self) -> str:
        return _answer(self.same_rows)

    @property
    def answer_after(self) -> str:
        return _answer(self.adjusted)


def adjusted_effect(
    data: pd.DataFrame,
    x: str,
    y: str,
    subject: str,
    covariate: str,
    *,
    time: str | None = None,
    covariates: Sequence[str] = (),
    min_share: float = 0.5,
    ci: float = 0.95,
) -> AdjustedEffect:
    """Does adjusting for ``covariate`` change the within-athlete answer?

    Fits :func:`within_athlete_effect` of ``y`` on ``x`` three times: on every row with x
    and y (the report's headline), then on the rows where ``covariate`` is known without
    and with it as a further adjustment (only its within-athlete variation counts).

    Parameters
    ----------
    data, x, y, subject, time, ci
        As in :func:`within_athlete_effect`.
    covariate : str
        The adjustment in question (e.g. ``srpe_load_28d``, total session load).
    covariates : sequence of str
        Adjustments used in all three fits.
    min_share : float, default 0.5
        The adjustment is made only when the covariate is known for at least this share
        of the usable rows (x, y, the athlete, and ``time`` and ``covariates`` when
        given, all known: rows the fits leave out anyway do not count): an "adjusted"
        answer from a small part of the races would be another question on another
        sample.

    Returns
    -------
    AdjustedEffect
        The three fits, the row counts, ``made``/``why`` and ``changes_answer``. Never
        raises for data that cannot answer (see ``why``); an unknown column is a
        :class:`DataError`.

    Notes
    -----
    A confounder of the exposure (say, total training load that rises with hip-flexor
    volume and itself worsens the fade) biases the unadjusted within-athlete slope by
    γ·δ, the covariate's effect on y times the within-athlete regression of the
    covariate on x; adjusting removes it if the covariate is measured without error and
    is not itself on the path from x to y (a mediator: adjusting for it would take away
    part of the effect asked about). Whether the answer changes is read from the
    intervals, not from the size of the move alone.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("aaabbbccc"), "x": [1, 2, 3, 1, 3, 5, 2, 3, 4],
    ...                    "z": [0, 1, 0, 1, 0, 2, 1, 1, 0],
    ...                    "y": [5.0, 4.1, 2.9, 9.0, 7.2, 4.8, 1.0, 0.1, -1.2]})
    >>> adj = adjusted_effect(df, "x", "y", "a", "z")
    >>> adj.made, adj.n_known, round(float(adj.unadjusted.estimate), 2)
    (True, 9, -1.06)
    """
    covs = list(covariates)
    for c in (x, y, subject, covariate, *covs) + ((time,) if time is not None else ()):
        if c not in data.columns:
            raise DataError(f"data lacks column {c!r}", column=c)
    # the rows the fits can use: x, y, the athlete, the time and every shared adjustment
    usable = np.logical_and.reduce(
        [np.isfinite(_numeric(data[c])) for c in (x, y, *covs)]
        + [data[subject].notna().to_numpy(dtype=bool)]
        + ([np.isfinite(_days(data[time], time))] if time is not None else [])
    )
    known_cov = np.isfinite(_numeric(data[covariate]))
    n_rows, n_known = int(usable.sum()), int((usable & known_cov).sum())
    unadjusted = within_athlete_effect(data, x, y, subject, time=time, covariates=covs, ci=ci)
    sub = data.loc[known_cov]
    same = within_athlete_effect(sub, x, y, subject, time=time, covariates=covs, ci=ci)
    adjusted = within_athlete_effect(
        sub, x, y, subject, time=time, covariates=[*covs, covariate], ci=ci
    )
    why = ""
    if n_known == 0:
        why = f"{covariate} is not known for any of the {n_rows} rows"
    elif n_known < min_share * n_rows:
        why = (
            f"{covariate} is known for only {n_known} of the {n_rows} rows "
            f"(less than {min_share:.0%})"
        )
    elif not _varies_within(sub.loc[usable[known_cov]], covariate, subject):
        why = f"{covariate} never changes within an athlete"
    elif not np.isfinite(adjusted.ci_low):
        why = adjusted.note or "the adjusted model cannot be fitted"
    made = not why
    changes = (_answer(same) != _answer(adjusted)) if made else None
    return AdjustedEffect(
        covariate, unadjusted, same, adjusted, n_rows, n_known, float(min_share), made, why,
        changes,
    )  # fmt: skip


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
        between-athlete effect), the within–between ("hybrid"/Mundlak) model. When
        every athlete has the same mean of x the between term cannot be estimated: its
        row is NaN and ``note`` says so (the within term is still fitted).
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
    # a between term with no spread (every athlete has the same mean of x, e.g. a
    # balanced design) is the intercept again: fitting it would make the design singular
    flat = [
        c for c in exog.columns[1:]
        if c.endswith("_between") and np.ptp(exog[c].to_numpy()) <= 1e-12 * max(1.0, float(exog[c].abs().max()))
    ]  # fmt: skip
    if flat:
        notes.append(
            "no between-athlete estimate for "
            + ", ".join(c[: -len("_between")] for c in flat)
            + " (every athlete has the same mean): the within-athlete estimate stands alone"
        )
    all_terms = list(exog.columns)
    exog = exog.drop(columns=flat)
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
    if flat:  # the dropped terms keep their rows, as NaN
        table = table.set_index("term").reindex(all_terms).rename_axis("term").reset_index()
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


def _nct_ncp(t: float, dof: float, p: float) -> float:
    """The non-centrality λ at which P(T ≤ t | dof, λ) = p (decreasing in λ)."""
    from scipy.optimize import brentq

    def f(nc: float) -> float:
        v = float(st.nct.cdf(t, dof, nc))
        return (0.0 if nc > t else 1.0) - p if not np.isfinite(v) else v - p

    step = 2.0 + abs(t) / 2
    lo, hi = t - step, t + step
    for _ in range(60):
        if f(lo) > 0:
            break
        lo -= step
    for _ in range(60):
        if f(hi) < 0:
            break
        hi += step
    return float(brentq(f, lo, hi, xtol=1e-12, rtol=1e-12))


def hedges_g_ci(a: np.ndarray, b: np.ndarray, *, ci: float = 0.95) -> tuple[float, float]:
    """Exact confidence interval of the standardised mean difference δ (non-central t).

    Parameters
    ----------
    a, b : array_like
        The two independent samples.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    (ci_low, ci_high)
        Limits for δ = (μ_a − μ_b) / σ, the population quantity that Cohen's d and
        Hedges' g estimate; (NaN, NaN) with fewer than two values in a group or no spread.

    Notes
    -----
    With t = d·√ñ the pooled-variance t statistic, ñ = n_a n_b / (n_a + n_b) and
    ν = n_a + n_b − 2, t follows a non-central t(ν, δ√ñ). The limits are the λ with
    P(T ≤ t | ν, λ) = 1 − α/2 and = α/2, divided by √ñ (Hedges & Olkin 1985, ch. 5;
    Steiger & Fouladi 1997; Goulet-Pelletier & Cousineau 2018), as
    ``MBESS::ci.smd`` and ``effectsize::cohens_d`` compute them. The interval is exact
    under normal data with equal variances, whatever the group sizes — unlike the BCa
    bootstrap, which covered 88 % at 3 vs 9 (``benchmarks/stats_calibration.py``
    prints the coverage of this one).

    References
    ----------
    Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis. Academic Press.
    Steiger JH, Fouladi RT (1997). Noncentrality interval estimation and the evaluation
    of statistical models. In Harlow, Mulaik, Steiger (eds), What If There Were No
    Significance Tests? Erlbaum, 221-257.
    Goulet-Pelletier J-C, Cousineau D (2018). A review of effect sizes and their
    confidence intervals, Part I: The Cohen's d family. Quant Methods Psychol 14(4):242-265.
    Kelley K (2007). Confidence intervals for standardized effect sizes. J Stat Softw 20(8).

    Examples
    --------
    >>> lo, hi = hedges_g_ci([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], [9, 6, 7, 8, 7, 9, 8, 8, 7, 8])
    >>> round(float(lo), 2), round(float(hi), 2)
    (0.16, 2.06)
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return (np.nan, np.nan)
    dof = na + nb - 2
    sp = np.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / dof)
    if not (np.isfinite(sp) and sp > 0):
        return (np.nan, np.nan)
    k = np.sqrt(na * nb / (na + nb))
    t = float((a.mean() - b.mean()) / sp * k)
    alpha = 1 - ci
    return (_nct_ncp(t, dof, 1 - alpha / 2) / k, _nct_ncp(t, dof, alpha / 2) / k)


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


def _pair(
    a: np.ndarray, b: np.ndarray, ci: float, n_resamples: int, seed: int, g_ci: str = "exact"
) -> dict:
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
        if g_ci == "exact" and np.isfinite(row["hedges_g"]):
            lo, hi = hedges_g_ci(a, b, ci=ci)
        elif min(na, nb) >= 3 and np.isfinite(row["hedges_g"]):
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
            notes.append("no interval for Hedges g (too few or identical values)")
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
    g_ci: Literal["exact", "bca"] = "exact",
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
        Confidence level of the interval of g.
    n_resamples : int, default 2000
        Bootstrap resamples when ``g_ci="bca"`` (``scipy.stats.bootstrap``, each group
        resampled independently).
    seed : int, default 0
        Seed of the bootstrap (``g_ci="bca"``), so results are reproducible.
    g_ci : {"exact", "bca"}, default "exact"
        Interval of g: the exact non-central-t interval of δ (:func:`hedges_g_ci`; it
        covers 95 % at 3 vs 9, where BCa covered 88 %) or the BCa bootstrap.

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
        {
            "group_a": ga,
            "group_b": gb,
            **_pair(samples[ga], samples[gb], ci, n_resamples, seed, g_ci),
        }
        for ga, gb in todo
    ]
    out = pd.DataFrame(rows)
    out["pvalue_welch_adj"] = fdr_bh(out["pvalue_welch"])
    out["pvalue_mwu_adj"] = fdr_bh(out["pvalue_mwu"])
    note = out.pop("note")
    return out.assign(note=note)


def _max_t_pvalues(
    z: np.ndarray, corr: np.ndarray, dof: float, *, draws: int = 20000, seed: int = 0
) -> np.ndarray:
    """Familywise (single-step max-T) adjusted p-values: P(max_k |T_k| ≥ |z_j|) when the
    statistics are jointly t with correlation ``corr`` and ``dof`` degrees of freedom
    (Monte Carlo, seeded; Hothorn, Bretz & Westfall 2008)."""
    ok = np.isfinite(z)
    out = np.full(len(z), np.nan)
    if not ok.any():
        return out
    c = corr[np.ix_(ok, ok)]
    w, v = np.linalg.eigh((c + c.T) / 2)
    root = v * np.sqrt(np.clip(w, 0, None))
    rng = np.random.default_rng(seed)
    sims = rng.standard_normal((draws, len(c))) @ root.T
    if np.isfinite(dof) and dof > 0:
        sims = sims / np.sqrt(rng.chisquare(dof, size=(draws, 1)) / dof)
    mx = np.sort(np.abs(sims).max(axis=1))
    za = np.abs(z[ok])
    out[ok] = (draws - np.searchsorted(mx, za, side="left") + 1) / (draws + 1)
    return np.clip(out, 0, 1)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN kept as NaN."""
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    out[order] = adj
    return out


def _window_correlation(
    table: pd.DataFrame, xcols: Sequence[str], metric: str, time: str | None
) -> tuple[np.ndarray, float]:
    """Correlation of the within-athlete slope estimates across windows, from their
    cluster scores (the same athletes and races in every window), and the smallest dof."""
    use = [*xcols, metric] + ([time] if time else [])
    d = table.loc[table[use].notna().all(axis=1) & table["athlete_id"].notna()]
    d = d.assign(**{c: pd.to_numeric(d[c], errors="coerce") for c in [*xcols, metric]})
    psi, dofs = [], []
    for xc in xcols:
        Xc, Yc, codes, *_ = _within_design(d, xc, metric, "athlete_id", time, (), 1)
        if len(Yc) < 3 or not np.isfinite(Xc).all() or (Xc[:, 0] ** 2).sum() <= 0:
            return np.eye(len(xcols)), np.nan
        try:
            fit = _within_fit(Xc, Yc, codes, "CR2")
        except np.linalg.LinAlgError:
            return np.eye(len(xcols)), np.nan
        psi.append(fit.scores @ fit.bread[0])
        dofs.append(fit.dof)
    if len({len(p) for p in psi}) != 1:  # athletes dropped differently: no joint scores
        return np.eye(len(xcols)), float(np.nanmin(dofs))
    m = np.column_stack(psi)
    cov = m.T @ m
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    return corr, float(np.nanmin(dofs))


#: The plain-words warning every window scan carries (``DataFrame.attrs["warning"]``).
WINDOW_SCAN_WARNING = (
    "The windows overlap, so they are one question asked {n} times, not {n} findings: "
    "read the familywise p-value. The best-looking window overstates its effect (it was "
    "picked because chance flattered it); the headline is the pre-specified {primary}-day "
    "window, and the scan only shows how sensitive that answer is to the window."
)


def window_scan(
    log: pd.DataFrame,
    races: pd.DataFrame,
    fatigue: pd.DataFrame,
    windows: Iterable[int] = range(7, 57, 7),
    metric: str = "differential_s",
    event: int | None = 400,
    method: Literal["rm_corr", "mixed", "within"] = "rm_corr",
    *,
    value: Literal["hf_reps", "hf_load_kg"] = "hf_reps",
    require_coverage: bool = True,
    alpha: float = 0.05,
    primary: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Association of a fatigue metric with trailing-window volume, for many windows:
    a sensitivity analysis around the pre-specified primary window, familywise-adjusted.

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
    method : {"rm_corr", "mixed", "within"}, default "rm_corr"
        ``rm_corr``: repeated-measures correlation (``estimate`` is r_rm). ``mixed``:
        within–between mixed model (``mixed_model(decompose=True)``), ``estimate`` is the
        *within-athlete* slope per 100 units of volume (e.g. seconds per 100 reps).
        ``within``: :func:`within_athlete_effect` adjusted for the season (race date),
        slope per 100 units, the method of the squad report.
    value : {"hf_reps", "hf_load_kg"}, default "hf_reps"
        Volume measure. With ``hf_load_kg``, races whose window holds a hip-flexor entry
        of unknown load (band work, an unstated load; see
        :func:`analysis.relate.race_features`) have no load and are left out, and
        ``note`` says how many; with ``hf_reps``, ``note`` counts the races whose window
        holds entries of unknown reps (kept, counted as 0).
    require_coverage : bool, default True
        Passed to :func:`analysis.relate.race_features`.
    alpha : float, default 0.05
        Level for the ``significant`` column (familywise).
    primary : int, optional
        The pre-specified primary window (default
        :data:`analysis.config.PRIMARY_WINDOW_DAYS`, 28 days): its row is marked
        ``primary``; it gives the headline, the other windows are the sensitivity.
    seed : int, default 0
        Seed of the Monte-Carlo max-T p-values.

    Returns
    -------
    DataFrame
        One row per window: ``window_days, x, method, estimate, ci_low, ci_high, pvalue,
        pvalue_adj`` (Benjamini–Hochberg across the windows), ``pvalue_fwer``
        (familywise, max-T over the correlated windows: is there an association at this
        window at all?), ``significant`` (``pvalue_fwer < alpha``), ``primary``,
        ``pvalue_beyond_primary`` (does this window add anything to the primary one?
        Holm-adjusted), ``finding`` (the primary window at its own p < alpha — it was
        fixed in advance, so it needs no adjustment — or another window that adds to
        it), ``n, n_subjects, note``. ``attrs``
        holds ``warning`` (:data:`WINDOW_SCAN_WARNING`, in plain words) and
        ``window_correlation`` (the estimated correlation of the windows' estimates).

    Notes
    -----
    Overlapping windows give strongly correlated tests: a 21-, 28- and 35-day window
    share most of their days, so one real effect at 28 days lights up its neighbours,
    and under no effect the chance that *some* window looks significant is well above
    α. Bonferroni would ignore the correlation and be needlessly strict; the single-step
    max-T method uses it: the windows' within-athlete estimates are jointly normal with
    a correlation estimated from their athlete-level (cluster) scores, the same CR2
    scores as :func:`within_athlete_effect`, and each window's |t| is compared with
    the distribution of the largest |t| over all windows (Hothorn, Bretz & Westfall
    2008; Westfall & Young 1993), with t on the smallest window's degrees of freedom.
    A real effect at 28 days makes every overlapping window significant (their volumes
    share days), which is one finding seen eight times: ``finding`` counts a window
    other than the primary only when its volume predicts the fade with the primary
    window's volume held fixed (a within-athlete model with both, season adjusted;
    Holm 1979 over those tests). Among the windows that pass, the best-looking one still overstates its effect
    (the winner's curse): the primary window, fixed before looking, is the estimate to
    quote. BH (``pvalue_adj``) stays for comparison; it controls the false discovery
    rate under the positive dependence (Benjamini & Yekutieli 2001), not the chance of
    any false window.

    References
    ----------
    Hothorn T, Bretz F, Westfall P (2008). Simultaneous inference in general parametric
    models. Biometrical J 50(3):346-363.
    Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat
    6(2):65-70.
    Westfall PH, Young SS (1993). Resampling-Based Multiple Testing. Wiley.
    Benjamini Y, Hochberg Y (1995). JRSS B 57(1):289-300.
    Benjamini Y, Yekutieli D (2001). Ann Stat 29(4):1165-1188.
    """
    from .config import PRIMARY_WINDOW_DAYS
    from .relate import race_table

    windows = tuple(int(w) for w in windows)
    primary = PRIMARY_WINDOW_DAYS if primary is None else int(primary)
    table = race_table(log, races, fatigue, windows, require_coverage=require_coverage)
    if event is not None and "event_m" in table.columns:
        table = table.loc[table["event_m"] == event]
    if metric not in table.columns:
        raise DataError(f"fatigue metric {metric!r} not found", column=metric)
    if method not in ("rm_corr", "mixed", "within"):
        raise ValueError("method must be 'rm_corr', 'mixed' or 'within'")
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
        elif method == "within":
            t = table.assign(_x100=pd.to_numeric(table[xcol]).astype("float64") / 100.0)
            res = within_athlete_effect(t, "_x100", metric, "athlete_id", time="date")
            rows.append(
                {
                    "window_days": w, "x": xcol, "method": method, "estimate": res.estimate,
                    "ci_low": res.ci_low, "ci_high": res.ci_high, "pvalue": res.pvalue,
                    "n": res.n_obs, "n_subjects": res.n_subjects,
                    "note": _join(res.note.replace("_x100", xcol), data_note),
                }
            )  # fmt: skip
        else:
            t = table.assign(_x100=pd.to_numeric(table[xcol]).astype("float64") / 100.0)
            mm = mixed_model(t, metric, "_x100", "athlete_id", decompose=True)
            row = mm.loc[mm["term"] == "_x100_within"].iloc[0]
            rows.append(
                {
                    "window_days": w, "x": xcol, "method": method, "estimate": row["estimate"],
                    "ci_low": row["ci_low"], "ci_high": row["ci_high"], "pvalue": row["pvalue"],
                    "n": row["n_obs"], "n_subjects": row["n_groups"],
                    "note": _join(row["note"].replace("_x100", xcol), data_note),
                }
            )  # fmt: skip
    out = pd.DataFrame(rows)
    xcols = [f"{value}_{w}d" for w in windows]
    corr, dof = _window_correlation(table, xcols, metric, "date" if method == "within" else None)
    p = out["pvalue"].to_numpy(dtype=np.float64)
    if method == "within" and np.isfinite(dof):
        z = st.t.isf(p / 2, dof)
    else:
        z = st.norm.isf(p / 2)
        dof = np.nan
    fwer = _max_t_pvalues(z, corr, dof, seed=seed) if len(out) > 1 else p
    out.insert(out.columns.get_loc("pvalue") + 1, "pvalue_adj", fdr_bh(out["pvalue"]))
    out.insert(out.columns.get_loc("pvalue_adj") + 1, "pvalue_fwer", fwer)
    out.insert(out.columns.get_loc("pvalue_fwer") + 1, "significant", out["pvalue_fwer"] < alpha)
    out.insert(out.columns.get_loc("significant") + 1, "primary", out["window_days"] == primary)
    beyond = np.full(len(out), np.nan)
    if primary in windows and len(windows) > 1:
        # does window w say anything the primary window does not? (its volume with the
        # primary window's volume held fixed, within athlete, season adjusted); Holm
        # over those tests keeps the chance of any false extra window at alpha
        t = table.assign(
            **{f"_w{w}": pd.to_numeric(table[f"{value}_{w}d"]).astype("float64") / 100.0
               for w in windows}
        )  # fmt: skip
        raw = []
        for w in windows:
            if w == primary:
                raw.append(np.nan)
                continue
            res = within_athlete_effect(
                t, f"_w{w}", metric, "athlete_id", time="date", covariates=[f"_w{primary}"]
            )
            raw.append(res.pvalue)
        beyond = _holm(np.asarray(raw, dtype=np.float64))
    prim_p = out["pvalue"].where(out["primary"])
    finding = (prim_p < alpha).fillna(False).to_numpy(dtype=bool) | (
        np.nan_to_num(beyond, nan=1.0) < alpha
    )
    out.insert(out.columns.get_loc("primary") + 1, "pvalue_beyond_primary", beyond)
    out.insert(out.columns.get_loc("pvalue_beyond_primary") + 1, "finding", finding)
    out.attrs["warning"] = WINDOW_SCAN_WARNING.format(n=len(windows), primary=primary)
    out.attrs["window_correlation"] = corr
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
        {x: _numeric(data[x]), y: _numeric(data[y]), subject: data[subject].to_numpy()}
    )
    if time:
        d["_t"] = _days(data[time], time)
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
    ok = out["slope"].notna() & (out["se"] > 0)
    beta, beta_se = pooled.estimate, pooled.se
    tau2 = 0.0
    if ok.sum() >= 2 and np.isfinite(beta):
        b, s2 = out.loc[ok, "slope"].to_numpy(), out.loc[ok, "se"].to_numpy() ** 2
        w = 1 / s2
        mu = float((w * b).sum() / w.sum())
        q = float((w * (b - mu) ** 2).sum())
        c = float(w.sum() - (w**2).sum() / w.sum())
        tau2 = max(0.0, (q - (len(b) - 1)) / c) if c > 0 else 0.0
    s2_all = out["se"].to_numpy(dtype=np.float64) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(ok, tau2 / (tau2 + s2_all), 0.0)
    own = out["slope"].fillna(0.0).to_numpy()
    shrunk = weight * own + (1 - weight) * beta
    bse = beta_se if np.isfinite(beta_se) else 0.0
    shrunk_se = np.sqrt(weight * np.nan_to_num(s2_all) + (1 - weight) ** 2 * bse**2)
    return out.assign(shrunk=shrunk, shrunk_se=shrunk_se, weight=weight, tau=np.sqrt(tau2))
